/*  test_notify_settings: a region's GOV.UK Notify settings read strictly
    from its "notification" section (notify_settings.c): a valid section
    with its key file, each kind of mistake refused naming the file and
    field, the template chosen for a message (mapped, else generic, else
    none), and the service's own settings from its variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tap.h"
#include "../../services/notification/notify_settings.h"

#define KEY "kw_test-5f0a8a2e-4f8b-4d3c-9e1a-7b6c5d4e3f21-0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"
#define GENERIC "11111111-2222-4333-8444-555555555555"
#define MAPPED "66666666-7777-4888-9999-aaaaaaaaaaaa"

static char s_dir [64];

static void
s_write (const char *name, const char *text)
{
    char path [128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen (path, "w");
    fputs (text, f);
    fclose (f);
}

//  Read the "notify" object of section (JSON text) as zz.json's; the error,
//  or NULL when it is read.
static const char *
s_read (const char *section, notify_settings_t *out)
{
    static char err [512];
    kw_jread_t r = { .file = "regions/zz.json", .err = err, .err_size = sizeof err };
    json_t *doc = json_loads (section, 0, NULL);
    int rc = doc ? notify_settings_read (&r, doc, "notification", s_dir, out) : -1;
    json_decref (doc);
    if (!doc)
        snprintf (err, sizeof err, "the test's JSON does not parse");
    return rc == 0 ? NULL : err;
}

//  ok when section is refused with an error holding want.
static void
s_refused (const char *section, const char *want, const char *what)
{
    notify_settings_t settings;
    const char *e = s_read (section, &settings);
    ok (e && strstr (e, want), "%s: %s", what, e ? e : "(read)");
    notify_settings_free (&settings);
}

static void
s_test_valid (void)
{
    notify_settings_t settings;
    const char *e = s_read ("{\"notify\": {\"api_key_file\": \"key\", \"callback_token_file\": \"token\", \"email\": {\"generic_template\": \"" GENERIC "\","
                            " \"templates\": {\"offer_made\": \"" MAPPED "\"}}, \"letter\": {\"generic_template\": \""
                            GENERIC "\"}}}", &settings);
    ok (e == NULL, "a section with a key file, e-mail and letters is read (%s)", e ? e : "");
    ok (settings.own && settings.api_key && strcmp (settings.api_key, KEY) == 0, "its key is the file's, without the newline");
    is_str (settings.base_url, NOTIFY_DEFAULT_URL, "the base URL is Notify's when not given");
    ok (settings.kinds [NOTIFY_EMAIL].on && !settings.kinds [NOTIFY_SMS].on && settings.kinds [NOTIFY_LETTER].on,
        "e-mail and letters on, text messages off");
    is_str (notify_settings_template (&settings, NOTIFY_EMAIL, "offer_made"), MAPPED, "a mapped template has its own id");
    is_str (notify_settings_template (&settings, NOTIFY_EMAIL, "case_closed_family"), GENERIC,
            "another goes by the generic template");
    ok (notify_settings_template (&settings, NOTIFY_SMS, "offer_made") == NULL, "a kind that is off has none");
    notify_settings_free (&settings);
    e = s_read ("{\"coordinators\": []}", &settings);
    ok (e == NULL && !settings.own && !settings.kinds [NOTIFY_EMAIL].on, "no notify object: nothing on");
    notify_settings_free (&settings);
}

static void
s_test_refused (void)
{
    s_refused ("{\"notify\": {\"email\": {\"generic_template\": \"" GENERIC "\"}}}",
               "regions/zz.json: field \"notification.notify.api_key_file\": is required", "no key file");
    s_refused ("{\"notify\": {\"api_key_file\": \"missing\", \"sms\": {\"generic_template\": \"" GENERIC "\"}}}",
               "field \"notification.notify.api_key_file\": cannot be read", "a key file that is not there");
    s_refused ("{\"notify\": {\"api_key_file\": \"badkey\", \"sms\": {\"generic_template\": \"" GENERIC "\"}}}",
               "field \"notification.notify.api_key_file\": must hold a Notify API key", "a key file without a key");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"base_url\": \"http://notify.example.org\","
               " \"sms\": {\"generic_template\": \"" GENERIC "\"}}}",
               "field \"notification.notify.base_url\": must be an https:// URL", "plain http to another host");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"email\": {\"generic_template\": \"nope\"}}}",
               "field \"notification.notify.email.generic_template\": must be the id (a UUID)", "a generic id not a UUID");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"email\": {\"templates\": {}}}}",
               "field \"notification.notify.email.generic_template\": is required", "a kind without its generic template");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"email\": {\"generic_template\": \"" GENERIC "\","
               " \"templates\": {\"offer_made\": 3}}}}",
               "field \"notification.notify.email.templates.offer_made\"", "a mapped id that is not a string");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"email\": {\"generic_template\": \"" GENERIC "\","
               " \"templates\": [\"" MAPPED "\"]}}}",
               "field \"notification.notify.email.templates\": must be an object", "templates not an object");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"letters\": {\"generic_template\": \"" GENERIC "\"}}}",
               "field \"notification.notify.letters\": unknown key", "an unknown key");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"callback_token_file\": \"short\","
               " \"sms\": {\"generic_template\": \"" GENERIC "\"}}}",
               "field \"notification.notify.callback_token_file\": must be a readable file of 32 to 256 bytes",
               "a callback token shorter than 32 bytes");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"email\": {\"generic_template\": \"" GENERIC "\","
               " \"reply_to_id\": \"me@example.org\"}}}",
               "field \"notification.notify.email.reply_to_id\": must be the id (a UUID) of a Notify reply-to address",
               "a reply-to that is not Notify's id");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\", \"sms\": {\"generic_template\": \"" GENERIC "\","
               " \"reply_to_id\": \"" MAPPED "\"}}}",
               "field \"notification.notify.sms.reply_to_id\": is for e-mail only", "a reply-to on text messages");
    s_refused ("{\"notify\": {\"api_key_file\": \"key\"}}",
               "field \"notification.notify\": must name at least one of email, sms and letter", "no kind");
}

static void
s_test_default (void)
{
    char key_file [128], err [256] = "";
    snprintf (key_file, sizeof key_file, "%s/key", s_dir);
    notify_settings_t settings;
    ok (notify_settings_default ("http://127.0.0.1:9", "", GENERIC, &settings, err, sizeof err) == 0
        && !settings.kinds [NOTIFY_SMS].on, "without a key file the service has no Notify");
    notify_settings_free (&settings);
    ok (notify_settings_default ("http://127.0.0.1:9", key_file, GENERIC, &settings, err, sizeof err) == 0
        && settings.kinds [NOTIFY_SMS].on && !settings.kinds [NOTIFY_EMAIL].on
        && strcmp (notify_settings_template (&settings, NOTIFY_SMS, "x"), GENERIC) == 0,
        "with one: text messages by KW_NOTIFY_SMS_TEMPLATE (%s)", err);
    notify_settings_free (&settings);
    ok (notify_settings_default ("http://127.0.0.1:9", key_file, "nope", &settings, err, sizeof err) != 0
        && strstr (err, "KW_NOTIFY_SMS_TEMPLATE"), "a template that is not a UUID names its variable: %s", err);
    notify_settings_free (&settings);
    snprintf (key_file, sizeof key_file, "%s/badkey", s_dir);
    ok (notify_settings_default ("http://127.0.0.1:9", key_file, GENERIC, &settings, err, sizeof err) != 0
        && strstr (err, "KW_NOTIFY_API_KEY_FILE"), "a bad key file names its variable: %s", err);
    notify_settings_free (&settings);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/kw-notify-settings-%d", (int) getpid ());
    if (mkdir (s_dir, 0700) != 0)
        return 1;
    s_write ("key", KEY "\n");
    s_write ("badkey", "not-a-key\n");
    s_write ("short", "0123456789abcdef0123456789abcde\n");
    s_write ("token", "0123456789abcdef0123456789abcdef\n");
    s_test_valid ();
    s_test_refused ();
    s_test_default ();
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    if (system (command) != 0)
        tap_diag ("could not remove %s", s_dir);
    return tap_done ();
}
