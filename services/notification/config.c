/*  config: loading and checking the table, the templates and the regions'
    notification sections (config.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw_jread.h"
#include "audience.h"
#include "config.h"
#include "message.h"
#include "action_links.h"
#include "notify_settings.h"
#include "rule.h"
#include "template.h"

#define MAX_FILE_SIZE (1024 * 1024)
#define MAX_TEMPLATE_SIZE (64 * 1024)
#define MAX_REGIONS 256
#define SECTION "notification"
#define EXAMPLE_VALUE "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"

//  One row as read, owning its strings.
typedef struct {
    char *event, *audience, *channel, *template_, *attach, *when;
} s_row_t;

struct _config_t {
    const kw_service_event_t *events;
    const kw_service_event_t *internal;
    config_row_t *rows;
    s_row_t *owned;
    size_t row_count;
    config_text_t *texts;       //  the files' template parts
    size_t text_count;
    config_region_t *regions;
    size_t region_count;
};

static const char *const s_channels [] = { "email", "sms", "letter", "webhook", NULL };
static const char *const s_email_parts [] = { "subject", "txt", "html", NULL };
static const char *const s_sms_parts [] = { "sms", NULL };
static const char *const s_letter_parts [] = { "letter", NULL };

static const char *const *
s_parts (const char *channel)
{
    return strcmp (channel, "sms") == 0 ? s_sms_parts : strcmp (channel, "email") == 0 ? s_email_parts
         : strcmp (channel, "letter") == 0 ? s_letter_parts : NULL;
}

static const ProtobufCMessageDescriptor *
s_payload (const kw_service_event_t *events, const char *event)
{
    for (const kw_service_event_t *e = events; e && e->producer; e++) {
        size_t n = strlen (e->producer);
        if (strncmp (event, e->producer, n) == 0 && event [n] == '.' && strcmp (event + n + 1, e->type) == 0)
            return e->payload;
    }
    return NULL;
}

const ProtobufCMessageDescriptor *
config_event_payload (const config_t *self, const char *event)
{
    const ProtobufCMessageDescriptor *desc = s_payload (self->events, event);
    return desc ? desc : s_payload (self->internal, event);
}

// ---- checking a template part

typedef struct {
    const ProtobufCMessageDescriptor *desc;
    const char *part;
    char bad [TEMPLATE_NAME_MAX + 80];
} s_check_t;

static int
s_check_name (const char *name, void *arg)
{
    s_check_t *check = arg;
    const char *why = NULL;
    if (!audience_field_valid (check->desc, name) && !action_links_is_link (check->desc, name))
        why = "is not a field of this event";
    else
    if (strcmp (check->part, "subject") == 0 && !audience_is_id_or_time (name))
        why = "may not be in a subject (ids and times only)";
    else
    if (strcmp (check->part, "sms") == 0 && !audience_names_person (name))
        why = "may not be in a text message (ids, times and names only)";
    if (!why)
        return 0;
    snprintf (check->bad, sizeof check->bad, "((%s)) %s", name, why);
    return -1;
}

static const char *
s_example (const char *name, void *arg)
{
    (void) name;
    (void) arg;
    return EXAMPLE_VALUE;
}

//  Check text, part of a template used by a row about desc; where names
//  it in the error.
static int
s_check_text (const ProtobufCMessageDescriptor *desc, const char *part, const char *text,
              const char *where, char *err, size_t err_size)
{
    s_check_t check = { .desc = desc, .part = part };
    char why [160] = "";
    if (!message_text_valid (text, strcmp (part, "subject") != 0)) {
        snprintf (err, err_size, "%s: is not UTF-8 text%s", where,
                  strcmp (part, "subject") == 0 ? " on one line" : "");
        return -1;
    }
    if (template_fields (text, s_check_name, &check, why, sizeof why) != 0) {
        snprintf (err, err_size, "%s: %s", where, *check.bad ? check.bad : why);
        return -1;
    }
    if (strcmp (part, "sms") == 0) {
        char *example = template_render (text, TEMPLATE_TEXT, s_example, NULL, why, sizeof why);
        size_t fragments = example ? template_sms_fragments (example) : 0;
        free (example);
        if (fragments > SMS_FRAGMENTS_MAX) {
            snprintf (err, err_size, "%s: takes %zu SMS fragments with example values, more than %d",
                      where, fragments, SMS_FRAGMENTS_MAX);
            return -1;
        }
    }
    return 0;
}

// ---- the table and its templates

static const config_text_t *
s_text (const config_text_t *texts, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (texts [i].name, name) == 0)
            return &texts [i];
    return NULL;
}

static int
s_template_name_ok (const char *name)
{
    size_t len = strlen (name);
    if (len == 0 || len > 48)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

//  Read templates/<template>.<part> of dir (once) into the file texts.
static int
s_load_part (config_t *self, const char *dir, const char *template_, const char *part,
             char *err, size_t err_size)
{
    char name [96];
    snprintf (name, sizeof name, "%s.%s", template_, part);
    if (s_text (self->texts, self->text_count, name))
        return 0;
    char path [4096];
    snprintf (path, sizeof path, "%s/templates/%s", dir, name);
    char *text = NULL;
    size_t len = 0;
    if (kw_jread_file (path, MAX_TEMPLATE_SIZE, &text, &len, err, err_size) != 0) {
        free (text);
        return -1;
    }
    char *whole = len && memchr (text, '\0', len) ? NULL : strndup (text ? text : "", len);
    free (text);
    if (!whole) {
        snprintf (err, err_size, "%s: has a NUL byte", path);
        return -1;
    }
    text = whole;
    //  A file's last line ends in a newline; the subject is that line.
    if (strcmp (part, "subject") == 0 && len && text [len - 1] == '\n')
        text [--len] = '\0';
    config_text_t *grown = realloc (self->texts, (self->text_count + 1) * sizeof *grown);
    char *copy = strdup (name);
    if (!grown || !copy) {
        if (grown)
            self->texts = grown;
        free (copy);
        free (text);
        snprintf (err, err_size, "%s: out of memory", path);
        return -1;
    }
    self->texts = grown;
    self->texts [self->text_count++] = (config_text_t) { .name = copy, .text = text };
    return 0;
}

static int
s_load_row (config_t *self, const char *dir, kw_jread_t *r, json_t *item, size_t index)
{
    static const char *const keys [] = { "event", "audience", "channel", "template", "urgent", "required",
                                         "attach", "when", NULL };
    char at [KW_JREAD_PATH_SIZE], path [KW_JREAD_PATH_SIZE];
    kw_jread_at_index (at, "rows", index);
    if (!json_is_object (item))
        return kw_jread_fail (r, at, "must be an object");
    s_row_t *row = &self->owned [index];
    if (kw_jread_keys (r, item, at, keys, NULL) != 0
    ||  kw_jread_string (r, item, at, "event", 1, 0, &row->event) != 0
    ||  kw_jread_string (r, item, at, "audience", 1, 0, &row->audience) != 0
    ||  kw_jread_string (r, item, at, "channel", 1, 0, &row->channel) != 0
    ||  kw_jread_string (r, item, at, "template", 1, 0, &row->template_) != 0
    ||  kw_jread_string (r, item, at, "attach", 0, 0, &row->attach) != 0
    ||  kw_jread_string (r, item, at, "when", 0, 0, &row->when) != 0)
        return -1;
    const ProtobufCMessageDescriptor *desc = config_event_payload (self, row->event);
    if (!desc)
        return kw_jread_fail (r, kw_jread_at (path, at, "event"), "\"%.48s\" is not an event this service knows",
                              row->event);
    if (strcmp (row->channel, "webhook") == 0 ? strcmp (row->audience, CONFIG_SUBSCRIBERS) != 0
        : !audience_valid (desc, row->audience) && !audience_case_valid (desc, row->audience))
        return kw_jread_fail (r, kw_jread_at (path, at, "audience"), "\"%.48s\" is not an audience of %s"
                              " on %s (a webhook row's is \"" CONFIG_SUBSCRIBERS "\")",
                              row->audience, row->event, row->channel);
    if (!kw_jread_in_list (row->channel, s_channels))
        return kw_jread_fail (r, kw_jread_at (path, at, "channel"), "must be email, sms, letter or webhook");
    if (!s_template_name_ok (row->template_))
        return kw_jread_fail (r, kw_jread_at (path, at, "template"), "must be 1-48 characters of [a-z0-9_]");
    int flags [2] = { 0, 0 };
    static const char *const flag_names [] = { "urgent", "required" };
    for (int i = 0; i < 2; i++) {
        json_t *flag = json_object_get (item, flag_names [i]);
        if (flag && !json_is_boolean (flag))
            return kw_jread_fail (r, kw_jread_at (path, at, flag_names [i]), "must be true or false");
        flags [i] = flag && json_is_true (flag);
    }
    if (row->attach && (strcmp (row->channel, "email") != 0 || !audience_field_valid (desc, row->attach)
                        || !strcmp (row->attach, "recipient_name") || !strcmp (row->attach, "service_name")
                        || !strcmp (row->attach, "public_url")))
        return kw_jread_fail (r, kw_jread_at (path, at, "attach"), "must be a field of %s's payload, on an e-mail row",
                              row->event);
    char why [160];
    if (row->when && rule_valid (desc, audience_person (desc, row->audience), row->when, why, sizeof why) != 0)
        return kw_jread_fail (r, kw_jread_at (path, at, "when"), "%s", why);
    self->rows [index] = (config_row_t) { .event = row->event, .audience = row->audience,
                                          .channel = row->channel, .template_ = row->template_,
                                          .urgent = flags [0], .required = flags [1], .attach = row->attach,
                                          .when = row->when };
    const char *const *parts = s_parts (row->channel);
    for (size_t i = 0; parts && parts [i]; i++) {
        if (s_load_part (self, dir, row->template_, parts [i], r->err, r->err_size) != 0)
            return -1;
        char name [96], where [4200];
        snprintf (name, sizeof name, "%s.%s", row->template_, parts [i]);
        snprintf (where, sizeof where, "%s/templates/%s", dir, name);
        if (s_check_text (desc, parts [i], s_text (self->texts, self->text_count, name)->text, where,
                          r->err, r->err_size) != 0)
            return -1;
    }
    return 0;
}

static int
s_load_table (config_t *self, const char *dir, char *err, size_t err_size)
{
    static const char *const keys [] = { "comment", "rows", NULL };
    char path [4096];
    snprintf (path, sizeof path, "%s/table.json", dir);
    char *text = NULL;
    size_t len = 0;
    if (kw_jread_file (path, MAX_FILE_SIZE, &text, &len, err, err_size) != 0) {
        free (text);
        return -1;
    }
    kw_jread_t r = { .file = path, .err = err, .err_size = err_size };
    json_t *root = kw_jread_parse (&r, text, len);
    free (text);
    if (!root)
        return -1;
    int rc = -1;
    json_t *rows = json_object_get (root, "rows");
    size_t n = json_array_size (rows);
    if (!json_is_object (root))
        kw_jread_fail (&r, NULL, "must be a JSON object");
    else
    if (kw_jread_keys (&r, root, "", keys, NULL) != 0)
        rc = -1;
    else
    if (!json_is_array (rows) || n == 0)
        kw_jread_fail (&r, "rows", "must be a non-empty array");
    else
    if (!(self->rows = calloc (n, sizeof *self->rows)) || !(self->owned = calloc (n, sizeof *self->owned)))
        kw_jread_oom (&r, "rows");
    else {
        self->row_count = n;
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = s_load_row (self, dir, &r, json_array_get (rows, i), i);
    }
    json_decref (root);
    return rc;
}

// ---- regions

static const char *
s_address_problem (char *item)
{
    return message_address_valid (item) ? NULL : "is not an e-mail address";
}

//  The channels regions may name (config_channels_available).
static int s_sms = 1, s_webhook = 1;

void
config_channels_available (int sms, int webhook)
{
    s_sms = sms;
    s_webhook = webhook;
}

//  The directory of a region file, where the files it names are.
static void
s_region_dir (const char *file, char *dir, size_t size)
{
    snprintf (dir, size, "%s", file);
    char *slash = strrchr (dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf (dir, size, ".");
}

//  The service's own Notify settings (notify_settings_default), for the
//  regions without theirs.
static const char *s_notify_url, *s_notify_key_file, *s_notify_sms_template;

void
config_notify_default (const char *base_url, const char *key_file, const char *sms_template)
{
    s_notify_url = base_url;
    s_notify_key_file = key_file;
    s_notify_sms_template = sms_template;
}

static const char *
s_channel_problem (char *item)
{
    if (strcmp (item, "email") == 0 || strcmp (item, "sms") == 0 || strcmp (item, "letter") == 0)
        return NULL;
    if (strcmp (item, "webhook") == 0)
        return s_webhook ? NULL : "needs the webhook client, which this build of the service does not have";
    return "is not a channel (email, sms, letter, webhook)";
}

//  The region's Notify settings: its own "notify", else the service's; a
//  region sending text messages or letters must have them on, and each
//  template the settings name must be one of the table's on that channel.
static int
s_region_notify (config_t *self, kw_jread_t *r, json_t *section, const char *file, config_region_t *region)
{
    char dir [4096];
    s_region_dir (file, dir, sizeof dir);
    if (notify_settings_read (r, section, SECTION, dir, &region->notify) != 0)
        return -1;
    if (!region->notify.own && s_sms && notify_settings_default (s_notify_url, s_notify_key_file,
                                                                 s_notify_sms_template, &region->notify,
                                                                 r->err, r->err_size) != 0)
        return -1;
    for (notify_kind_t kind = NOTIFY_EMAIL; kind <= NOTIFY_LETTER; kind++) {
        const char *name = notify_kind_name (kind);
        //  A caller that never told of the service's key (a check tool)
        //  takes text messages as available.
        int untold = kind == NOTIFY_SMS && s_sms && !s_notify_key_file;
        for (size_t c = 0; kind != NOTIFY_EMAIL && c < region->channel_count; c++) {
            char path [KW_JREAD_PATH_SIZE];
            if (strcmp (region->channels [c], name) == 0 && !region->notify.kinds [kind].on && !untold)
                return kw_jread_fail (r, kw_jread_at_index (path, SECTION ".channels", c),
                                      "\"%s\" needs GOV.UK Notify, which is not configured (" SECTION
                                      ".notify.%s, or KW_NOTIFY_API_KEY_FILE for text messages)", name, name);
        }
        const notify_kind_settings_t *k = &region->notify.kinds [kind];
        for (size_t t = 0; t < k->template_count; t++) {
            int used = 0;
            for (size_t i = 0; i < self->row_count && !used; i++)
                used = strcmp (self->rows [i].template_, k->templates [t].name) == 0
                    && strcmp (self->rows [i].channel, name) == 0;
            char map [KW_JREAD_PATH_SIZE], path [KW_JREAD_PATH_SIZE];
            snprintf (map, sizeof map, SECTION ".notify.%s.templates", name);
            if (!used)
                return kw_jread_fail (r, kw_jread_at (path, map, k->templates [t].name),
                                      "is not a template of the table's %s rows", name);
        }
    }
    return 0;
}

//  The region's template overrides: each must be a part of a template in
//  the table, and is checked against every row using that template.
static int
s_region_templates (config_t *self, kw_jread_t *r, json_t *section, config_region_t *region)
{
    json_t *templates = json_object_get (section, "templates");
    if (!templates)
        return 0;
    char at [KW_JREAD_PATH_SIZE];
    kw_jread_at (at, SECTION, "templates");
    if (!json_is_object (templates))
        return kw_jread_fail (r, at, "must be an object of \"<template>.<part>\": text");
    size_t n = json_object_size (templates);
    if (!(region->overrides = calloc (n ? n : 1, sizeof *region->overrides)))
        return kw_jread_oom (r, at);
    const char *key;
    json_t *value;
    json_object_foreach (templates, key, value) {
        char path [KW_JREAD_PATH_SIZE];
        kw_jread_at (path, at, key);
        if (!s_text (self->texts, self->text_count, key))
            return kw_jread_fail (r, path, "is not a template part of the table");
        if (!json_is_string (value))
            return kw_jread_fail (r, path, "must be a string");
        config_text_t *t = &region->overrides [region->override_count++];
        t->name = strdup (key);
        t->text = strdup (json_string_value (value));
        if (!t->name || !t->text)
            return kw_jread_oom (r, path);
        const char *part = strrchr (key, '.') + 1;
        size_t stem = (size_t) (part - 1 - key);
        for (size_t i = 0; i < self->row_count; i++) {
            const config_row_t *row = &self->rows [i];
            if (strlen (row->template_) != stem || strncmp (row->template_, key, stem) != 0)
                continue;
            char where [KW_JREAD_PATH_SIZE + 64];
            snprintf (where, sizeof where, "field \"%s\"", path);
            char why [512];
            if (s_check_text (config_event_payload (self, row->event), part, t->text, where,
                              why, sizeof why) != 0)
                return kw_jread_fail (r, NULL, SECTION ".%s", why);
        }
    }
    return 0;
}

//  The section's "webhooks", their secret files beside the region file.
static int
s_region_webhooks (kw_jread_t *r, json_t *section, const char *file, config_region_t *region)
{
    if (!json_object_get (section, "webhooks"))
        return 0;
    char dir [4096];
    s_region_dir (file, dir, sizeof dir);
    if (!(region->webhooks = calloc (WEBHOOK_MAX_SUBSCRIBERS, sizeof *region->webhooks)))
        return kw_jread_oom (r, "webhooks");
    char why [256];
    int n = webhook_subscribers_load (section, dir, region->webhooks, WEBHOOK_MAX_SUBSCRIBERS, why, sizeof why);
    if (n < 0)
        return kw_jread_fail (r, NULL, "%s", why);
    region->webhook_count = (size_t) n;
    return 0;
}

static int
s_region_parse (config_t *self, const char *text, size_t len, const char *file, config_region_t *region,
                char *err, size_t err_size)
{
    static const char *const keys [] = { "comment", "coordinators", "max_attempts", "channels", "templates", "webhooks",
                                         "notify", NULL };
    kw_jread_t r = { .file = file, .err = err, .err_size = err_size };
    json_t *root = kw_jread_parse (&r, text, len);
    if (!root)
        return -1;
    char *id = NULL;
    json_t *section = NULL;
    region->max_attempts = 10;
    int rc = -1;
    if (!json_is_object (root))
        kw_jread_fail (&r, NULL, "must be a JSON object");
    else
    if (kw_jread_string (&r, root, "", "id", 1, 0, &id) == 0
    &&  (strlen (id) < CONFIG_ID_SIZE || kw_jread_fail (&r, "id", "is longer than %d characters", CONFIG_ID_SIZE - 1) == 0)
    &&  kw_jread_string (&r, root, "", "name", 1, 0, &region->name) == 0
    &&  kw_jread_string (&r, root, "", "time_zone", 1, 0, &region->time_zone) == 0
    &&  kw_jread_object (&r, root, "", SECTION, 1, keys, &section) == 0
    &&  kw_jread_string (&r, section, SECTION, "comment", 0, 1, NULL) == 0
    &&  kw_jread_list (&r, section, SECTION, "coordinators", 1, s_address_problem, &region->coordinators,
                       &region->coordinator_count) == 0
    &&  (region->coordinator_count <= 20 || kw_jread_fail (&r, SECTION ".coordinators", "has more than 20 addresses") == 0)
    &&  kw_jread_uint (&r, section, SECTION, "max_attempts", 1, 100, 0, 10, &region->max_attempts) == 0
    &&  kw_jread_list (&r, section, SECTION, "channels", 0, s_channel_problem, &region->channels,
                       &region->channel_count) == 0
    &&  s_region_templates (self, &r, section, region) == 0
    &&  s_region_webhooks (&r, section, file, region) == 0
    &&  s_region_notify (self, &r, section, file, region) == 0)
        rc = 0;
    if (id)
        snprintf (region->id, sizeof region->id, "%s", id);
    free (id);
    json_decref (root);
    return rc;
}

static void
s_region_free (config_region_t *region)
{
    free (region->name);
    free (region->time_zone);
    kw_jread_free_list (region->coordinators, region->coordinator_count);
    kw_jread_free_list (region->channels, region->channel_count);
    for (size_t i = 0; i < region->override_count; i++) {
        free (region->overrides [i].name);
        free (region->overrides [i].text);
    }
    free (region->overrides);
    if (region->webhooks)
        sodium_memzero (region->webhooks, WEBHOOK_MAX_SUBSCRIBERS * sizeof *region->webhooks);
    free (region->webhooks);
    notify_settings_free (&region->notify);
}

static int
s_load_regions (config_t *self, const char *dir, char *err, size_t err_size)
{
    char **names;
    size_t count;
    int rc = kw_jread_dir (dir, MAX_REGIONS, &names, &count, err, err_size);
    if (rc == 0 && !(self->regions = calloc (count, sizeof *self->regions)))
        rc = -1, snprintf (err, err_size, "%s: out of memory", dir);
    for (size_t i = 0; i < count && rc == 0; i++) {
        char path [4096];
        snprintf (path, sizeof path, "%s/%s", dir, names [i]);
        char *text = NULL;
        size_t len = 0;
        config_region_t *region = &self->regions [self->region_count++];
        rc = kw_jread_file (path, MAX_FILE_SIZE, &text, &len, err, err_size);
        if (rc == 0)
            rc = s_region_parse (self, text, len, path, region, err, err_size);
        free (text);
        for (size_t j = 0; rc == 0 && j + 1 < self->region_count; j++)
            if (strcmp (self->regions [j].id, region->id) == 0)
                rc = -1, snprintf (err, err_size, "%s: field \"id\": \"%s\" is defined by another file",
                                   path, region->id);
    }
    kw_jread_free_list (names, count);
    return rc;
}

// ---- the whole

config_t *
config_load (const char *dir, const char *region_dir, const kw_service_event_t *events,
             const kw_service_event_t *internal, char *err, size_t err_size)
{
    config_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->events = events;
    self->internal = internal;
    if (s_load_table (self, dir, err, err_size) != 0 || s_load_regions (self, region_dir, err, err_size) != 0)
        config_destroy (&self);
    return self;
}

void
config_destroy (config_t **self_p)
{
    config_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; self->owned && i < self->row_count; i++) {
        free (self->owned [i].event);
        free (self->owned [i].audience);
        free (self->owned [i].channel);
        free (self->owned [i].template_);
        free (self->owned [i].attach);
        free (self->owned [i].when);
    }
    free (self->owned);
    free (self->rows);
    for (size_t i = 0; i < self->text_count; i++) {
        free (self->texts [i].name);
        free (self->texts [i].text);
    }
    free (self->texts);
    for (size_t i = 0; i < self->region_count; i++)
        s_region_free (&self->regions [i]);
    free (self->regions);
    free (self);
    *self_p = NULL;
}

const config_row_t *
config_rows (const config_t *self, size_t *count)
{
    *count = self->row_count;
    return self->rows;
}

const config_region_t *
config_region (const config_t *self, const char *id)
{
    for (size_t i = 0; id && i < self->region_count; i++)
        if (strcmp (self->regions [i].id, id) == 0)
            return &self->regions [i];
    return NULL;
}

const char *
config_text (const config_t *self, const config_region_t *region, const char *name)
{
    const config_text_t *t = region ? s_text (region->overrides, region->override_count, name) : NULL;
    if (!t)
        t = s_text (self->texts, self->text_count, name);
    return t ? t->text : NULL;
}

const webhook_subscriber_t *
config_webhook (const config_t *self, const char *address)
{
    const char *slash = strchr (address, '/');
    char id [CONFIG_ID_SIZE];
    if (!slash || (size_t) (slash - address) >= sizeof id)
        return NULL;
    snprintf (id, sizeof id, "%.*s", (int) (slash - address), address);
    const config_region_t *region = config_region (self, id);
    for (size_t i = 0; region && i < region->webhook_count; i++)
        if (strcmp (region->webhooks [i].id, slash + 1) == 0)
            return &region->webhooks [i];
    return NULL;
}

int
config_region_sends (const config_region_t *region, const char *channel)
{
    if (!region->channel_count)
        return strcmp (channel, "email") == 0;
    for (size_t i = 0; i < region->channel_count; i++)
        if (strcmp (region->channels [i], channel) == 0)
            return 1;
    return 0;
}
