/*  notification: the notification service. Turns events into deliveries
    by the table of what is sent to whom (deploy/notifications/table.json,
    its templates and each region file's "notification" section), sends
    them by SMTP, GOV.UK Notify (e-mail, text messages and letters, with
    each region's own Notify settings) and webhooks with retries,
    applies Notify's delivery receipts (notification.receipt), and lists
    them over RPC (notification.list).
    SIGHUP reads the table, templates and regions again; when they are not
    valid the ones before stay. */
#include <stdlib.h>
#include <string.h>
#include "kw_log.h"
#include "kw_service.h"
#include "config.h"
#include "notification.h"
#include "action_links.h"
#include "receipts.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static kw_config_var_t s_extra_vars [] = {
    { "KW_SMTP_URL", "smtp://127.0.0.1:2525", "SMTP server e-mail is sent through (smtp:// or smtps://)", NULL },
    { "KW_MAIL_FROM", "keyworker@localhost", "sender address of notification e-mails", NULL },
    { "KW_SMTP_STARTTLS", "0", "1: require STARTTLS of an smtp:// server (smtps:// is TLS from the start)", NULL },
    { "KW_SMTP_IN_FLIGHT", "8", "e-mails sent at once, each on its own kept SMTP connection (1 to 64)", NULL },
    { "KW_SMTP_CA_FILE", "", "CA certificates (PEM) the SMTP server's certificate is checked against"
      " (empty: the system's)", NULL },
    { "KW_LINK_KEY_FILE", "var/link_key", "file holding the key the offer e-mails' accept and decline links"
      " are signed with (the assignment service checks them with the same)", NULL },
    { "KW_PUBLIC_URL", "http://127.0.0.1:8080", "the gateway's public URL, the base of the links in messages"
      " (no trailing \"/\")", NULL },
    { "KW_NOTIFY_URL", "https://api.notifications.service.gov.uk", "GOV.UK Notify's API, for the regions"
      " without Notify settings of their own (notification.notify)", NULL },
    { "KW_NOTIFY_API_KEY_FILE", "", "file holding the GOV.UK Notify API key of the regions without"
      " their own; empty: such a region sends no text messages (naming the sms channel refuses the start)",
      NULL },
    { "KW_NOTIFY_SMS_TEMPLATE", "", "id of the GOV.UK Notify text message template whose text is ((body))",
      NULL },
    { "KW_NOTIFY_DIR", "deploy/notifications", "directory of the table of what is sent to whom"
      " (table.json) and its templates (templates/)", NULL },
    { "KW_PUBLIC_URL", "http://localhost:8080", "the gateway's address as people reach it, for the links in"
      " messages (((public_url)) in a template, such as the printable plan's)", NULL },
    { "KW_REGION_DIR", "deploy/regions", "directory of the region files (*.json): their notification"
      " section (coordinators, attempts, channels, template overrides)", NULL },
};

static const kw_service_method_t s_methods [] = {
    { "notification.list", records_list },
    { "notification.get", records_get },
    { "notification.retry", records_retry },
    { "notification.preferences_get", preferences_get },
    { "notification.preferences_put", preferences_put },
    { "notification.receipt", receipts_apply },
    { NULL, NULL }
};

//  The events consumed (events.c), each applied by deliveries_apply but
//  the two that change whom a case's messages go to.
static kw_service_event_t s_events [NOTIFICATION_EVENT_COUNT + 1];

//  The handler of an event of the table, chosen once at start.
static kw_service_event_fn *
s_handler (const kw_service_event_t *event)
{
    if (strcmp (event->producer, KW_PRODUCER_ASSIGNMENT) != 0)
        return deliveries_apply;
    if (strcmp (event->type, KW_EVENT_ASSIGNMENT_KEY_WORKER_CHANGED) == 0)
        return deliveries_key_worker_changed;
    if (strcmp (event->type, KW_EVENT_ASSIGNMENT_CASE_CLOSED) == 0)
        return deliveries_case_closed;
    return deliveries_apply;
}

static config_t *
s_config (kw_service_t *svc, char *err, size_t err_size)
{
    return config_load (kw_service_config (svc, "KW_NOTIFY_DIR"), kw_service_config (svc, "KW_REGION_DIR"),
                        notification_events, notification_internal, err, err_size);
}

static int
s_start (kw_service_t *svc)
{
    kw_db_t *db = kw_service_db (svc);
    if (deliveries_prepare (db) != 0 || records_prepare (db) != 0 || preferences_prepare (db) != 0
        || receipts_prepare (db) != 0)
        return -1;
    char err [512];
    notify_t *notify = calloc (1, sizeof *notify);
    if (!notify)
        return -1;
    if (action_links_load (kw_service_config (svc, "KW_LINK_KEY_FILE"), kw_service_config (svc, "KW_PUBLIC_URL"),
                          err, sizeof err) != 0) {
        kw_error ("links_config_invalid", "reason", err);
        free (notify);
        return -1;
    }
    const char *notify_key = kw_service_config (svc, "KW_NOTIFY_API_KEY_FILE");
    config_channels_available (notify_key && *notify_key, 1);
    config_notify_default (kw_service_config (svc, "KW_NOTIFY_URL"), notify_key,
                           kw_service_config (svc, "KW_NOTIFY_SMS_TEMPLATE"));
    notify->config = s_config (svc, err, sizeof err);
    if (!notify->config) {
        kw_error ("notification_config_invalid", "reason", err);
        free (notify);
        return -1;
    }
    notify->sender = sender_new (svc, err, sizeof err);
    if (!notify->sender) {
        kw_error ("sender_config_invalid", "reason", err);
        config_destroy (&notify->config);
        free (notify);
        return -1;
    }
    kw_service_set_state (svc, notify);
    return 0;
}

static void
s_reload (kw_service_t *svc)
{
    notify_t *notify = kw_service_state (svc);
    char err [512];
    config_t *config = notify ? s_config (svc, err, sizeof err) : NULL;
    if (!config) {
        kw_error ("settings_reload_failed", "reason", notify ? err : "not started");
        return;
    }
    config_destroy (&notify->config);
    notify->config = config;
    kw_info ("settings_reloaded");
}

static void
s_stop (kw_service_t *svc)
{
    notify_t *notify = kw_service_state (svc);
    if (!notify)
        return;
    sender_destroy (&notify->sender);
    config_destroy (&notify->config);
    action_links_unload ();
    free (notify);
    kw_service_set_state (svc, NULL);
}

static void
s_after_commit (kw_service_t *svc)
{
    notify_t *notify = kw_service_state (svc);
    if (notify && notify->sender)
        sender_wake (notify->sender);
}

int
main (int argc, char **argv)
{
    for (size_t i = 0; i < NOTIFICATION_EVENT_COUNT; i++) {
        s_events [i] = notification_events [i];
        s_events [i].fn = s_handler (&notification_events [i]);
    }
    kw_service_def_t def = {
        .name = KW_PRODUCER_NOTIFICATION,
        .summary = "The notification service: who is told what, on which channel, with delivery records.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .methods = s_methods,
        .events = s_events,
        .start = s_start,
        .stop = s_stop,
        .reload = s_reload,
        .after_commit = s_after_commit,
        .extra_vars = s_extra_vars,
        .extra_count = sizeof s_extra_vars / sizeof s_extra_vars [0],
    };
    return kw_service_main (&def, argc, argv);
}
