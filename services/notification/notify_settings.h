/*  notify_settings: a region's GOV.UK Notify settings, read from the
    "notify" object of its file's "notification" section (strictly: every
    key known, every value checked, errors naming the file and field):

      "notify": {
        "base_url": "https://api.notifications.service.gov.uk",
        "api_key_file": "notify-norfolk.key",
        "callback_token_file": "notify-norfolk.callback",
        "email":  {"generic_template": "<uuid>", "templates": {"offer_made": "<uuid>"},
                   "reply_to_id": "<uuid>"},
        "sms":    {"generic_template": "<uuid>"},
        "letter": {"generic_template": "<uuid>"}
      }

    "api_key_file" (relative to the region directory) holds the API key
    ("{name}-{service id}-{secret}"); the key is never in the region file.
    "callback_token_file" (optional) holds the bearer token (32 to 256
    bytes) set in the region's Notify service beside the callback URL; the
    gateway takes receipts with it (checked here, read there).
    "base_url" is https:// (http:// only to 127.0.0.1 or localhost), Notify's
    when absent. A kind present ("email", "sms", "letter") sends that kind
    through Notify: e-mail through Notify instead of SMTP, text messages,
    letters ("reply_to_id", e-mail only: the Notify reply-to address the
    e-mails name, email_reply_to_id). "templates" maps the table's template names to Notify
    templates; a template with none goes by "generic_template", whose text
    is ((subject)) and ((body)) for e-mail, ((body)) for a text message or a
    letter. Either way the personalisation holds the platform's own
    rendered message (subject and body; a letter's address lines besides);
    a mapped template's also the values of the table template's
    fields, by their names ("key_worker.name"), so it may lay them out
    itself.

    A region without the object has the service's own settings
    (notify_settings_default: KW_NOTIFY_URL, KW_NOTIFY_API_KEY_FILE,
    KW_NOTIFY_SMS_TEMPLATE): text messages only, as before regions could
    name their own. */
#ifndef NOTIFICATION_NOTIFY_SETTINGS_H
#define NOTIFICATION_NOTIFY_SETTINGS_H

#include <stddef.h>
#include <jansson.h>
#include "kw_jread.h"
#include "kw_uuid.h"
#include "notify_client.h"

#define NOTIFY_KINDS 3              //  notify_kind_t: email, sms, letter
#define NOTIFY_DEFAULT_URL "https://api.notifications.service.gov.uk"

typedef struct {
    char *name;                     //  the table's template ("offer_made")
    char id [KW_UUID_SIZE];         //  Notify's template
} notify_template_t;

typedef struct {
    int on;                         //  this kind goes through Notify
    char generic [KW_UUID_SIZE];    //  ((subject))/((body)) template
    char reply_to [KW_UUID_SIZE];   //  e-mail: Notify's reply-to address id, or ""
    notify_template_t *templates;
    size_t template_count;
} notify_kind_settings_t;

typedef struct {
    int own;                        //  from the region file (0: the service's)
    char *base_url;
    char *api_key;                  //  secret: zeroed when freed
    notify_kind_settings_t kinds [NOTIFY_KINDS];
} notify_settings_t;

//  The "notify" member of section (at path at) into out, its key file
//  relative to dir; out left all off when there is none. 0, or -1 with the
//  error in r. Free out with notify_settings_free either way.
int notify_settings_read (kw_jread_t *r, json_t *section, const char *at, const char *dir,
                          notify_settings_t *out);
//  The service's own settings: text messages by sms_template, when
//  key_file is set (else all off). 0, or -1 with the error (naming the
//  variable) in err.
int notify_settings_default (const char *base_url, const char *key_file, const char *sms_template,
                             notify_settings_t *out, char *err, size_t err_size);
void notify_settings_free (notify_settings_t *settings);

//  The Notify template for the table's template name on kind: its own, else
//  the generic one; NULL when kind is off.
const char *notify_settings_template (const notify_settings_t *settings, notify_kind_t kind, const char *name);
//  1 when settings map the table's template name to a Notify template of
//  their own on kind (not the generic one).
int notify_settings_mapped (const notify_settings_t *settings, notify_kind_t kind, const char *name);
//  The kind of a table row's channel ("email", "sms", "letter"), or -1.
int notify_kind_of (const char *channel);
//  The kind's name in region files and table rows ("email", "sms", "letter").
const char *notify_kind_name (notify_kind_t kind);

#endif
