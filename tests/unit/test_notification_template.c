/*  test_notification_template: ((field)) templates (parsing,
    rendering, HTML escaping, SMS fragments), recipients and field
    values read from an event's payload, and the repository's table,
    templates and regions loaded and checked as the service does at start,
    with each kind of mistake refused naming its file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tap.h"
#include "kw/assignment.pb-c.h"
#include "kw/notification.pb-c.h"
#include "../../services/notification/audience.h"
#include "../../services/notification/config.h"
#include "../../services/notification/notification.h"
#include "../../services/notification/template.h"

static const char *
s_values (const char *name, void *arg)
{
    (void) arg;
    if (strcmp (name, "name") == 0)
        return "Siân <b>O'Neil</b> & \"co\"";
    if (strcmp (name, "case_id") == 0)
        return "c-1";
    if (strcmp (name, "bad") == 0)
        return "a\x01z";
    return NULL;
}

static int
s_collect (const char *name, void *arg)
{
    char *out = arg;
    strcat (out, name);
    strcat (out, ";");
    return 0;
}

static void
s_test_render (void)
{
    char err [160] = "";
    char *text = template_render ("Dear ((name)), case ((CASE_ID)) (((case_id)))", TEMPLATE_TEXT, s_values, NULL,
                                  err, sizeof err);
    is_str (text, "Dear Siân <b>O'Neil</b> & \"co\", case c-1 (c-1)", "text: values as they are, names any case");
    free (text);
    text = template_render ("<p>((name))</p>", TEMPLATE_HTML, s_values, NULL, err, sizeof err);
    is_str (text, "<p>Siân &lt;b&gt;O&#39;Neil&lt;/b&gt; &amp; &quot;co&quot;</p>", "HTML: values escaped, the template not");
    free (text);
    text = template_render ("((unknown))", TEMPLATE_TEXT, s_values, NULL, err, sizeof err);
    ok (!text && strstr (err, "unknown field ((unknown))"), "an unknown field is refused: %s", err);
    text = template_render ("((bad))", TEMPLATE_TEXT, s_values, NULL, err, sizeof err);
    ok (!text && strstr (err, "not UTF-8 text"), "a value with control characters is refused: %s", err);
    text = template_render ("open ((name", TEMPLATE_TEXT, s_values, NULL, err, sizeof err);
    ok (!text && strstr (err, "unclosed"), "an unclosed field is refused: %s", err);
    text = template_render ("((na me))", TEMPLATE_TEXT, s_values, NULL, err, sizeof err);
    ok (!text && strstr (err, "not a name"), "a field that is not a name is refused: %s", err);
    text = template_render ("no fields", TEMPLATE_TEXT, s_values, NULL, err, sizeof err);
    is_str (text, "no fields", "text without fields is itself");
    free (text);
    char names [128] = "";
    is_int (template_fields ("((a)) and ((B.c)) and (((d)))", s_collect, names, err, sizeof err), 0,
            "fields listed");
    is_str (names, "a;b.c;d;", "in order, lowered");
}

static void
s_test_sms (void)
{
    char text [400];
    is_int ((long long) template_sms_fragments (""), 0, "an empty text takes no fragment");
    memset (text, 'a', 160);
    text [160] = '\0';
    is_int ((long long) template_sms_fragments (text), 1, "160 GSM characters: one fragment");
    text [160] = 'a';
    text [161] = '\0';
    is_int ((long long) template_sms_fragments (text), 2, "161: two");
    memset (text, 'a', 306);
    text [306] = '\0';
    is_int ((long long) template_sms_fragments (text), 2, "306: two of 153");
    text [306] = 'a';
    text [307] = '\0';
    is_int ((long long) template_sms_fragments (text), 3, "307: three");
    memset (text, 'a', 159);
    strcpy (text + 159, "€");
    is_int ((long long) template_sms_fragments (text), 2, "the euro sign takes two septets");
    memset (text, 'a', 69);
    strcpy (text + 69, "ŵ");
    is_int ((long long) template_sms_fragments (text), 1, "70 with a non-GSM letter: one UCS-2 fragment");
    strcpy (text + 69, "ŵa");
    is_int ((long long) template_sms_fragments (text), 2, "71: two");
}

typedef struct {
    char ids [512];
    char emails [512];
} s_seen_t;

static void
s_seen (const audience_contact_t *c, void *arg)
{
    s_seen_t *seen = arg;
    strcat (seen->ids, c->recipient_id);
    strcat (seen->ids, ";");
    strcat (seen->emails, c->email);
    strcat (seen->emails, ";");
}

static void
s_test_audience (void)
{
    Kw__KeyWorker kw = KW__KEY_WORKER__INIT, prev = KW__KEY_WORKER__INIT, mum = KW__KEY_WORKER__INIT;
    kw.id = "p-1", kw.name = "Kim", kw.email = "kim@example.org";
    prev.id = "p-0", prev.name = "Pat", prev.email = "pat@example.org";
    mum.name = "Mum", mum.email = "mum@example.org", mum.kind = "family_member";
    Kw__KeyWorker *family [] = { &mum };
    Kw__TeamMember t1 = KW__TEAM_MEMBER__INIT, t2 = KW__TEAM_MEMBER__INIT;
    t1.id = "m-1", t1.professional_id = "p-7", t1.name = "Tee", t1.email = "tee@example.org";
    t2.id = "m-2", t2.name = "Unregistered", t2.email = "unreg@example.org";
    Kw__TeamMember *team [] = { &t1, &t2 };
    Kw__KeyWorkerChanged ev = KW__KEY_WORKER_CHANGED__INIT;
    ev.case_id = "c-9", ev.region = "norfolk", ev.key_worker = &kw, ev.previous = &prev;
    ev.n_family = 1, ev.family = family, ev.n_team = 2, ev.team = team;
    const ProtobufCMessageDescriptor *d = &kw__key_worker_changed__descriptor;
    ok (audience_valid (d, "key_worker") && audience_valid (d, "team") && audience_valid (d, "family")
        && audience_valid (d, "coordinators"), "the event's people are audiences");
    ok (!audience_valid (d, "case_id") && !audience_valid (d, "nobody") && !audience_valid (d, "professional"),
        "a field that is not a person, or none, is not");
    ok (!audience_valid (d, "key_worker.name") && !audience_valid (d, "case_id.x") && !audience_valid (d, "a.b.c"),
        "nor a path to no person");
    Kw__TeamChanged changed = KW__TEAM_CHANGED__INIT;
    changed.added = &t1;
    ok (audience_valid (&kw__team_changed__descriptor, "added"), "a single person field is one");
    s_seen_t added = { "", "" };
    is_int ((long long) audience_each (&changed.base, "added", s_seen, &added), 1, "found");
    is_str (added.ids, "p-7;", "by their professional id");
    ok (audience_valid (&kw__offer_made__descriptor, "professional"), "OfferMade's professional_* fields are one");
    Kw__OfferMade offer = KW__OFFER_MADE__INIT;
    offer.professional_id = "p-3", offer.professional_email = "p3@example.org";
    s_seen_t mine = { "", "" };
    audience_each (&offer.base, "professional", s_seen, &mine);
    is_str (mine.ids, "p-3;", "the offeree by professional_id");
    s_seen_t seen = { "", "" };
    is_int ((long long) audience_each (&ev.base, "key_worker", s_seen, &seen), 1, "one key worker");
    is_str (seen.ids, "p-1;", "known by the professional's id");
    seen = (s_seen_t) { "", "" };
    is_int ((long long) audience_each (&ev.base, "team", s_seen, &seen), 2, "two team members");
    ok (strncmp (seen.ids, "p-7;contact-", 12) == 0 && !strstr (seen.ids, "unreg"),
        "a registered member by professional id, the other by a pseudonym, never the address: %s", seen.ids);
    seen = (s_seen_t) { "", "" };
    audience_each (&ev.base, "family", s_seen, &seen);
    is_str (seen.emails, "mum@example.org;", "the family by its contact");
    audience_contact_t again;
    audience_coordinator ("mum@example.org", &again);
    ok (strstr (seen.ids, again.recipient_id) != NULL, "one address is one pseudonym wherever it is met");
    char buf [64];
    is_str (audience_field_value (&ev.base, "key_worker.name", buf, sizeof buf), "Kim", "a nested field");
    is_str (audience_field_value (&ev.base, "case_id", buf, sizeof buf), "c-9", "a top-level one");
    is_str (audience_field_value (&ev.base, "at", buf, sizeof buf), "", "an unset one is empty");
    ok (audience_field_value (&ev.base, "team", buf, sizeof buf) == NULL, "a repeated field is no field");
    ok (audience_field_value (&ev.base, "team.name", buf, sizeof buf) == NULL, "nor inside one");
    ok (audience_is_id_or_time ("case_id") && audience_is_id_or_time ("expires_at") && !audience_is_id_or_time ("key_worker.name")
        && !audience_is_id_or_time ("note"), "subjects: ids and times only");
    ok (audience_names_person ("key_worker.name") && !audience_names_person ("reason") && !audience_names_person ("note"),
        "text messages: and names, no free text");
}

//  A scratch copy of the repository's configuration to break.
static char s_dir [64];

static void
s_write (const char *name, const char *text)
{
    char path [256];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen (path, "w");
    fputs (text, f);
    fclose (f);
}

//  Load the scratch configuration: NULL when it loads, else the error.
static const char *
s_refusal (void)
{
    static char err [512];
    char notify [128], regions [128];
    snprintf (notify, sizeof notify, "%s/notify", s_dir);
    snprintf (regions, sizeof regions, "%s/regions", s_dir);
    config_t *config = config_load (notify, regions, notification_events, notification_internal, err, sizeof err);
    if (!config)
        return err;
    config_destroy (&config);
    return NULL;
}

static void
s_test_config (void)
{
    char err [512] = "";
    config_t *config = config_load ("deploy/notifications", "deploy/regions", notification_events, notification_internal, err, sizeof err);
    ok (config != NULL, "the repository's table, templates and regions load (%s)", err);
    if (!config)
        return;
    size_t count;
    config_rows (config, &count);
    ok (count >= 10, "the table has its rows (%zu)", count);
    const config_region_t *norfolk = config_region (config, "norfolk");
    ok (norfolk && norfolk->coordinator_count >= 1 && norfolk->max_attempts == 10, "norfolk has coordinators");
    ok (norfolk && config_region_sends (norfolk, "email") && !config_region_sends (norfolk, "sms"),
        "and sends e-mail only");
    ok (config_text (config, norfolk, "offer_made.subject") && !config_text (config, norfolk, "offer_made.sms"),
        "template parts are found by name");
    config_destroy (&config);

    snprintf (s_dir, sizeof s_dir, "/tmp/kw-template-test-%d", (int) getpid ());
    char cmd [512];
    snprintf (cmd, sizeof cmd, "rm -rf %s && mkdir -p %s && cp -r deploy/notifications %s/notify"
              " && cp -r deploy/regions %s/regions", s_dir, s_dir, s_dir, s_dir);
    if (system (cmd) != 0)
        return;
    ok (s_refusal () == NULL, "the copy loads");
    const char *e;
    s_write ("notify/templates/offer_made.txt", "Dear ((professional_name)), ((nonsense))\n");
    e = s_refusal ();
    ok (e && strstr (e, "templates/offer_made.txt: ((nonsense)) is not a field of this event"),
        "an unknown field refuses the start, naming the file: %s", e ? e : "");
    s_write ("notify/templates/offer_made.txt", "Dear ((professional_name))\n");
    s_write ("notify/templates/offer_made.subject", "Offer to ((professional_name))\n");
    e = s_refusal ();
    ok (e && strstr (e, "offer_made.subject: ((professional_name)) may not be in a subject"),
        "a name in a subject is refused: %s", e ? e : "");
    s_write ("notify/templates/offer_made.subject", "Offer for case ((case_id))\n");
    unlink (strcat (strcpy (cmd, s_dir), "/notify/templates/offer_made.html"));
    e = s_refusal ();
    ok (e && strstr (e, "templates/offer_made.html: cannot open"), "a missing template refuses the start: %s", e ? e : "");
    s_write ("notify/templates/offer_made.html", "<p>((case_id))</p>\n");
    s_write ("notify/templates/key_worker_changed_family.sms", "((key_worker.name)) ((reason))\n");
    e = s_refusal ();
    ok (e && strstr (e, "key_worker_changed_family.sms: ((reason)) is not a field")
        , "a field the event lacks, in a text message, is refused: %s", e ? e : "");
    char longsms [700];
    memset (longsms, 'a', 480);
    strcpy (longsms + 480, "((key_worker.name))\n");
    s_write ("notify/templates/key_worker_changed_family.sms", longsms);
    e = s_refusal ();
    ok (e && strstr (e, "SMS fragments"), "a text message over 3 fragments is refused: %s", e ? e : "");
    s_write ("notify/templates/key_worker_changed_family.sms", "((key_worker.name))\n");
    ok (s_refusal () == NULL, "mended, it loads");

    char table [8192];
    snprintf (cmd, sizeof cmd, "%s/notify/table.json", s_dir);
    FILE *f = fopen (cmd, "r");
    size_t len = f ? fread (table, 1, sizeof table - 1, f) : 0;
    if (f)
        fclose (f);
    table [len] = '\0';
    char *last = strrchr (table, ']');
    if (last) {
        char broken [8400];
        snprintf (broken, sizeof broken, "%.*s, {\"event\": \"assignment.case_closed\", \"audience\": \"team\","
                  " \"channel\": \"email\", \"template\": \"case_closed_team\", \"attach\": \"nobody\"}%s",
                  (int) (last - table), table, last);
        s_write ("notify/table.json", broken);
        e = s_refusal ();
        ok (e && strstr (e, "table.json") && strstr (e, "attach") && strstr (e, "must be a field"),
            "an invitation to attach from a field the event lacks is refused: %s", e ? e : "");
        snprintf (broken, sizeof broken, "%.*s, {\"event\": \"assignment.case_closed\", \"audience\": \"team\","
                  " \"channel\": \"email\", \"template\": \"case_closed_team\", \"attach\": \"note\"}%s",
                  (int) (last - table), table, last);
        s_write ("notify/table.json", broken);
        ok (s_refusal () == NULL, "one from a text field of the event loads");
        s_write ("notify/table.json", table);
    }
    s_write ("regions/zz.json", "{\"id\": \"zz\", \"name\": \"Zed\", \"time_zone\": \"Europe/London\", \"notification\": {}}");
    e = s_refusal ();
    ok (e && strstr (e, "regions/zz.json: field \"notification.coordinators\": is required"),
        "a region without coordinators is refused: %s", e ? e : "");
    s_write ("regions/zz.json", "{\"id\": \"zz\", \"name\": \"Zed\", \"time_zone\": \"Europe/London\", \"notification\": {\"coordinators\":"
             " [\"c@example.org\"], \"channels\": [\"email\", \"sms\"]}}");
    config_channels_available (0, 0);
    e = s_refusal ();
    ok (e && strstr (e, "zz.json: field \"notification.channels[1]\": \"sms\" needs GOV.UK Notify,"
                    " which is not configured"),
        "a region asking for sms without Notify configured is refused: %s", e ? e : "");
    config_channels_available (1, 0);
    ok (s_refusal () == NULL, "with Notify configured it loads");
    s_write ("regions/zz.json", "{\"id\": \"zz\", \"name\": \"Zed\", \"time_zone\": \"Europe/London\", \"notification\": {\"coordinators\":"
             " [\"c@example.org\"], \"channels\": [\"email\", \"letter\"]}}");
    e = s_refusal ();
    ok (e && strstr (e, "zz.json: field \"notification.channels[1]\": \"letter\" needs GOV.UK Notify"),
        "a region asking for letters without its Notify settings is refused: %s", e ? e : "");
    s_write ("regions/zz.key", "kw-5f0a8a2e-4f8b-4d3c-9e1a-7b6c5d4e3f21-0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10\n");
    s_write ("regions/zz.json", "{\"id\": \"zz\", \"name\": \"Zed\", \"time_zone\": \"Europe/London\", \"notification\": {\"coordinators\":"
             " [\"c@example.org\"], \"channels\": [\"email\", \"letter\"], \"notify\": {\"api_key_file\": \"zz.key\","
             " \"letter\": {\"generic_template\": \"0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10\","
             " \"templates\": {\"offer_made\": \"0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10\"}}}}}");
    e = s_refusal ();
    ok (e && strstr (e, "zz.json: field \"notification.notify.letter.templates.offer_made\": is not a template of"
                    " the table's letter rows"),
        "a Notify template mapped for a template without a row on that channel is refused: %s", e ? e : "");
    s_write ("regions/zz.json", "{\"id\": \"zz\", \"name\": \"Zed\", \"time_zone\": \"Europe/London\", \"notification\": {\"coordinators\":"
             " [\"c@example.org\"], \"templates\": {\"offer_made.subject\": \"For ((professional_name))\"}}}");
    e = s_refusal ();
    ok (e && strstr (e, "zz.json") && strstr (e, "offer_made.subject") && strstr (e, "may not be in a subject"),
        "a region's override is checked as the files are: %s", e ? e : "");
    s_write ("regions/zz.json", "{\"id\": \"zz\", \"name\": \"Zed\", \"time_zone\": \"Europe/London\", \"notification\": {\"coordinators\":"
             " [\"c@example.org\"], \"templates\": {\"offer_made.subject\": \"Zed offer ((case_id))\"}}}");
    char notify [128], regions [128];
    snprintf (notify, sizeof notify, "%s/notify", s_dir);
    snprintf (regions, sizeof regions, "%s/regions", s_dir);
    config = config_load (notify, regions, notification_events, notification_internal, err, sizeof err);
    ok (config != NULL, "a valid override loads (%s)", err);
    if (config) {
        is_str (config_text (config, config_region (config, "zz"), "offer_made.subject"), "Zed offer ((case_id))",
                "the region has its own text");
        is_str (config_text (config, config_region (config, "norfolk"), "offer_made.subject"),
                "Offer for case ((case_id))", "the others the file's");
        config_destroy (&config);
    }
}

int
main (void)
{
    s_test_render ();
    s_test_sms ();
    s_test_audience ();
    s_test_config ();
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (*s_dir && system (cmd) != 0)
        tap_diag ("could not remove %s", s_dir);
    return tap_done ();
}
