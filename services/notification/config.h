/*  config: what the notification service sends, to whom and how, read at
    start and on SIGHUP, and refused whole when anything in it is wrong
    (the error names the file):

    - the table, KW_NOTIFY_DIR/table.json: {"comment", "rows": [{"event":
      "<producer>.<type>", "audience", "channel": "email" | "sms" |
      "webhook", "template", "urgent", "required", "attach", "when"}]}
      ("urgent": sent in the recipient's quiet hours too; "required": sent
      even when they opted out; both false when absent; "attach": an e-mail
      row's string field of the payload holding an iCalendar invitation,
      attached as text/calendar with its METHOD, such as a meeting's "ics";
      "when": the conditions on the payload and the person under which
      the row applies, rule.h, such as "response=declined");
      every event must be one the service
      consumes, or notification.delivery_failed (the dead letter, made by
      the service itself), and every audience one its payload has
      (audience.h). The
      rows of one event are tried in order, and a person already told of
      the event on that channel is not told again by a later row.
    - the templates, KW_NOTIFY_DIR/templates/<template>.<part>: parts
      "subject", "txt" and "html" for an e-mail, "sms" for a text message;
      ((fields)) must be ones the row's event fills; a subject may
      show ids and times only, a text message ids, times and names, and a
      text message must fit in SMS_FRAGMENTS_MAX fragments.
    - each region file's "notification" section (every *.json of KW_REGION_DIR):
        "coordinators"  the coordinators' e-mail addresses (required, 1-20)
        "max_attempts"  attempts of a delivery before it is dead (1-100, 10)
        "channels"      the channels the region sends on (["email"]); "sms"
                        and "webhook" only when the service has them
                        (config_channels_available)
        "templates"     {"<template>.<part>": text}: the region's own text
                        of a template part, checked as the file's are
        "notify"        the region's GOV.UK Notify settings (notify_settings.h):
                        e-mail through Notify instead of SMTP, text messages,
                        letters; "sms" and "letter" in "channels" need them
                        (or, for sms, the service's KW_NOTIFY_* settings)
        "comment"       free text
      A region file without the section refuses the start. Its "webhooks"
      are the agencies' systems told of events by the
      table's webhook rows (audience "subscribers"), their secret files read
      from the region directory (webhook_client.h). */
#ifndef NOTIFICATION_CONFIG_H
#define NOTIFICATION_CONFIG_H

#include <stddef.h>
#include "kw_service.h"
#include "notify_settings.h"
#include "webhook_client.h"

#define SMS_FRAGMENTS_MAX 3
#define CONFIG_ID_SIZE 33
//  The audience of a webhook row: the region's subscribers taking the event.
#define CONFIG_SUBSCRIBERS "subscribers"

typedef struct {
    const char *event;          //  "<producer>.<type>"
    const char *audience;
    const char *channel;        //  email | sms | letter | webhook
    const char *template_;
    int urgent;                 //  sent at once, whatever the recipient's quiet hours
    int required;               //  sent even to a recipient who opted out (an offer)
    const char *attach;         //  a string field of the payload holding an iCalendar
                                //  invitation to attach to the e-mail, or NULL
    const char *when;           //  conditions of the row (rule.h), or NULL: always
} config_row_t;

//  A template part's text ("txt", "html", "subject", "sms").
typedef struct {
    char *name;                 //  "<template>.<part>"
    char *text;
} config_text_t;

typedef struct {
    char id [CONFIG_ID_SIZE];
    char *name;                 //  the service's name ("Norfolk Key Worker Service")
    char *time_zone;            //  IANA zone of quiet hours
    char **coordinators;
    size_t coordinator_count;
    unsigned max_attempts;
    char **channels;
    size_t channel_count;
    config_text_t *overrides;
    size_t override_count;
    webhook_subscriber_t *webhooks;     //  the file's "webhooks" (webhook_client.h)
    size_t webhook_count;
    notify_settings_t notify;           //  its GOV.UK Notify settings, or the service's
} config_region_t;

typedef struct _config_t config_t;

//  Read the table and templates in dir and the regions in region_dir,
//  checked against events (the service's event table) and internal (the
//  events the service makes itself; their fn unused). NULL with the
//  reason in err.
config_t *config_load (const char *dir, const char *region_dir, const kw_service_event_t *events,
                       const kw_service_event_t *internal, char *err, size_t err_size);
void config_destroy (config_t **self_p);
//  Which channels besides e-mail the service can send on (1: yes), for
//  the regions' "channels" of every later config_load; both until told.
void config_channels_available (int sms, int webhook);

//  The service's own GOV.UK Notify settings (KW_NOTIFY_URL,
//  KW_NOTIFY_API_KEY_FILE, KW_NOTIFY_SMS_TEMPLATE), the Notify settings of
//  every later config_load's regions without their own (the strings are
//  kept, not copied). Until told, a region may name sms.
void config_notify_default (const char *base_url, const char *key_file, const char *sms_template);

//  The rows of the table, in order.
const config_row_t *config_rows (const config_t *self, size_t *count);
//  The region, or NULL when no file names it.
const config_region_t *config_region (const config_t *self, const char *id);
//  The text of template part name ("offer_made.subject") for region (its
//  override, else the file's), or NULL when there is none.
const char *config_text (const config_t *self, const config_region_t *region, const char *name);
//  1 when region sends on channel.
int config_region_sends (const config_region_t *region, const char *channel);
//  The subscriber a webhook delivery's address ("<region>/<subscriber id>")
//  names, or NULL when no region has it (any more).
const webhook_subscriber_t *config_webhook (const config_t *self, const char *address);
//  The payload descriptor of event ("<producer>.<type>"), or NULL.
const ProtobufCMessageDescriptor *config_event_payload (const config_t *self, const char *event);

#endif
