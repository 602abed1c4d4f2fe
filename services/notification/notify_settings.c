/*  notify_settings: a region's GOV.UK Notify settings (notify_settings.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "notify_settings.h"
#include "webhook_client.h"

#define KEY_FILE_MAX 256

static const char *const s_kind_names [NOTIFY_KINDS] = { "email", "sms", "letter" };

const char *
notify_kind_name (notify_kind_t kind)
{
    return (unsigned) kind < NOTIFY_KINDS ? s_kind_names [kind] : "";
}

//  The API key in path into *out, its shape checked. 0, or -1 with the
//  problem in why.
static int
s_read_key (const char *path, char **out, char *why, size_t why_size)
{
    char *key = NULL;
    size_t len = 0;
    char err [256];
    if (kw_jread_file (path, KEY_FILE_MAX, &key, &len, err, sizeof err) != 0) {
        snprintf (why, why_size, "cannot be read (at most %d bytes)", KEY_FILE_MAX);
        return -1;
    }
    while (len && (key [len - 1] == '\n' || key [len - 1] == '\r'))
        key [--len] = '\0';
    if (!notify_client_key_valid (key)) {
        sodium_memzero (key, len);
        free (key);
        snprintf (why, why_size, "must hold a Notify API key: {name}-{service id}-{secret} (two UUIDs)");
        return -1;
    }
    *out = key;
    return 0;
}

//  The callback token file at path: 32 to 256 bytes (a final newline not
//  counted). 0, or -1 with the problem in why.
static int
s_check_token (const char *path, char *why, size_t why_size)
{
    char *token = NULL;
    size_t len = 0;
    char err [256];
    int rc = kw_jread_file (path, KEY_FILE_MAX, &token, &len, err, sizeof err);
    while (rc == 0 && len && (token [len - 1] == '\n' || token [len - 1] == '\r'))
        len--;
    if (rc == 0 && len < 32)
        rc = -1;
    if (token)
        sodium_memzero (token, len);
    free (token);
    if (rc != 0)
        snprintf (why, why_size, "must be a readable file of 32 to %d bytes", KEY_FILE_MAX);
    return rc;
}

//  A file named by member key of notify (at path at), relative to dir,
//  into path (left "" when absent and not required).
static int
s_file (kw_jread_t *r, json_t *notify, const char *at, const char *key, int required, const char *dir,
        char path [4096])
{
    char *name = NULL;
    *path = '\0';
    if (kw_jread_string (r, notify, at, key, required, 0, &name) != 0) {
        free (name);
        return -1;
    }
    if (name)
        snprintf (path, 4096, "%s%s%s", *name == '/' || !dir || !*dir ? "" : dir,
                  *name == '/' || !dir || !*dir ? "" : "/", name);
    free (name);
    return 0;
}

//  A Notify id (of what) member key of object (at path at) into id.
static int
s_notify_id (kw_jread_t *r, json_t *object, const char *at, const char *key, int required, const char *what,
             char id [KW_UUID_SIZE])
{
    char *text = NULL;
    int rc = kw_jread_string (r, object, at, key, required, 0, &text);
    char path [KW_JREAD_PATH_SIZE];
    if (rc == 0 && text && !kw_uuid_valid (text))
        rc = kw_jread_fail (r, kw_jread_at (path, at, key), "must be the id (a UUID) of %s", what);
    if (rc == 0 && text)
        snprintf (id, KW_UUID_SIZE, "%s", text);
    free (text);
    return rc;
}

//  One kind's object ("email": {"generic_template", "templates"}).
static int
s_kind (kw_jread_t *r, json_t *notify, const char *at, notify_kind_t kind, notify_kind_settings_t *out)
{
    static const char *const keys [] = { "comment", "generic_template", "templates", "reply_to_id", NULL };
    static const char *const email_keys [] = { "reply_to_id", NULL };
    json_t *object = NULL;
    char path [KW_JREAD_PATH_SIZE];
    kw_jread_at (path, at, s_kind_names [kind]);
    if (kw_jread_object (r, notify, at, s_kind_names [kind], 0, keys, &object) != 0)
        return -1;
    if (!object)
        return 0;
    out->on = 1;
    char where [KW_JREAD_PATH_SIZE];
    if (kind != NOTIFY_EMAIL && json_object_get (object, email_keys [0]))
        return kw_jread_fail (r, kw_jread_at (where, path, email_keys [0]), "is for e-mail only");
    if (s_notify_id (r, object, path, "generic_template", 1, "a Notify template", out->generic) != 0
    ||  s_notify_id (r, object, path, "reply_to_id", 0, "a Notify reply-to address", out->reply_to) != 0)
        return -1;
    json_t *templates = json_object_get (object, "templates");
    if (!templates)
        return 0;
    char map [KW_JREAD_PATH_SIZE];
    kw_jread_at (map, path, "templates");
    if (!json_is_object (templates))
        return kw_jread_fail (r, map, "must be an object of \"<template>\": \"<Notify template id>\"");
    size_t n = json_object_size (templates);
    if (!(out->templates = calloc (n ? n : 1, sizeof *out->templates)))
        return kw_jread_oom (r, map);
    const char *name;
    json_t *value;
    json_object_foreach (templates, name, value) {
        notify_template_t *t = &out->templates [out->template_count];
        if (s_notify_id (r, templates, map, name, 1, "a Notify template", t->id) != 0)
            return -1;
        if (!(t->name = strdup (name)))
            return kw_jread_oom (r, map);
        out->template_count++;
    }
    return 0;
}

int
notify_settings_read (kw_jread_t *r, json_t *section, const char *at, const char *dir, notify_settings_t *out)
{
    static const char *const keys [] = { "comment", "base_url", "api_key_file", "callback_token_file", "email", "sms",
                                         "letter", NULL };
    memset (out, 0, sizeof *out);
    json_t *notify = NULL;
    if (kw_jread_object (r, section, at, "notify", 0, keys, &notify) != 0)
        return -1;
    if (!notify)
        return 0;
    out->own = 1;
    char here [KW_JREAD_PATH_SIZE], path [KW_JREAD_PATH_SIZE];
    kw_jread_at (here, at, "notify");
    char key_file [4096], token_file [4096], why [160];
    int rc = kw_jread_string (r, notify, here, "comment", 0, 1, NULL) == 0
          && kw_jread_string (r, notify, here, "base_url", 0, 0, &out->base_url) == 0
          && s_file (r, notify, here, "api_key_file", 1, dir, key_file) == 0
          && s_file (r, notify, here, "callback_token_file", 0, dir, token_file) == 0 ? 0 : -1;
    if (rc == 0 && !out->base_url && !(out->base_url = strdup (NOTIFY_DEFAULT_URL)))
        rc = kw_jread_oom (r, here);
    if (rc == 0 && (!webhook_url_allowed (out->base_url) || strlen (out->base_url) > 200))
        rc = kw_jread_fail (r, kw_jread_at (path, here, "base_url"),
                            "must be an https:// URL (http:// only to 127.0.0.1 or localhost)");
    if (rc == 0 && s_read_key (key_file, &out->api_key, why, sizeof why) != 0)
        rc = kw_jread_fail (r, kw_jread_at (path, here, "api_key_file"), "%s", why);
    if (rc == 0 && *token_file && s_check_token (token_file, why, sizeof why) != 0)
        rc = kw_jread_fail (r, kw_jread_at (path, here, "callback_token_file"), "%s", why);
    for (int k = 0; k < NOTIFY_KINDS && rc == 0; k++)
        rc = s_kind (r, notify, here, (notify_kind_t) k, &out->kinds [k]);
    if (rc == 0 && !out->kinds [0].on && !out->kinds [1].on && !out->kinds [2].on)
        rc = kw_jread_fail (r, here, "must name at least one of email, sms and letter");
    return rc;
}

int
notify_settings_default (const char *base_url, const char *key_file, const char *sms_template,
                         notify_settings_t *out, char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    if (!key_file || !*key_file)
        return 0;
    char why [160];
    if (!sms_template || !kw_uuid_valid (sms_template)) {
        snprintf (err, err_size, "KW_NOTIFY_SMS_TEMPLATE must be the id (a UUID) of a Notify template"
                  " whose text is ((body))");
        return -1;
    }
    if (!base_url || !webhook_url_allowed (base_url) || strlen (base_url) > 200) {
        snprintf (err, err_size, "KW_NOTIFY_URL must be an https:// URL (http:// only to 127.0.0.1 or localhost)");
        return -1;
    }
    if (s_read_key (key_file, &out->api_key, why, sizeof why) != 0) {
        snprintf (err, err_size, "KW_NOTIFY_API_KEY_FILE %s", why);
        return -1;
    }
    if (!(out->base_url = strdup (base_url))) {
        notify_settings_free (out);
        snprintf (err, err_size, "out of memory");
        return -1;
    }
    out->kinds [NOTIFY_SMS].on = 1;
    snprintf (out->kinds [NOTIFY_SMS].generic, KW_UUID_SIZE, "%s", sms_template);
    return 0;
}

void
notify_settings_free (notify_settings_t *settings)
{
    if (settings->api_key)
        sodium_memzero (settings->api_key, strlen (settings->api_key));
    free (settings->api_key);
    free (settings->base_url);
    for (int k = 0; k < NOTIFY_KINDS; k++) {
        for (size_t i = 0; i < settings->kinds [k].template_count; i++)
            free (settings->kinds [k].templates [i].name);
        free (settings->kinds [k].templates);
    }
    memset (settings, 0, sizeof *settings);
}

int
notify_settings_mapped (const notify_settings_t *settings, notify_kind_t kind, const char *name)
{
    const char *id = notify_settings_template (settings, kind, name);
    return id && id != settings->kinds [kind].generic;
}

int
notify_kind_of (const char *channel)
{
    for (int k = 0; k < NOTIFY_KINDS; k++)
        if (strcmp (channel, s_kind_names [k]) == 0)
            return k;
    return -1;
}

const char *
notify_settings_template (const notify_settings_t *settings, notify_kind_t kind, const char *name)
{
    if (!settings || (unsigned) kind >= NOTIFY_KINDS || !settings->kinds [kind].on)
        return NULL;
    const notify_kind_settings_t *k = &settings->kinds [kind];
    for (size_t i = 0; name && i < k->template_count; i++)
        if (strcmp (k->templates [i].name, name) == 0)
            return k->templates [i].id;
    return k->generic;
}
