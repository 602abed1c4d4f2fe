/*  notification: the notification service. Turns events into deliveries
    (today: an e-mail to the professional offered a case), sends them by
    SMTP with retries, and lists them over RPC (notification.list). */
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw_log.h"
#include "kw_service.h"
#include "notification.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static kw_config_var_t s_extra_vars [] = {
    { "KW_SMTP_URL", "smtp://127.0.0.1:2525", "SMTP server e-mail is sent through (smtp:// or smtps://)", NULL },
    { "KW_MAIL_FROM", "keyworker@localhost", "sender address of notification e-mails", NULL },
    { "KW_MAIL_MAX_ATTEMPTS", "10", "attempts before an e-mail delivery is marked failed", NULL },
};

static const kw_service_method_t s_methods [] = {
    { "notification.list", deliveries_list },
    { NULL, NULL }
};

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_OFFER_MADE,
      &kw__offer_made__descriptor, deliveries_offer_made },
    { NULL }
};

static int
s_start (kw_service_t *svc)
{
    if (deliveries_prepare (kw_service_db (svc)) != 0)
        return -1;
    char err [256];
    sender_t *sender = sender_new (svc, err, sizeof err);
    if (!sender) {
        kw_error ("sender_config_invalid", "reason", err);
        return -1;
    }
    kw_service_set_state (svc, sender);
    return 0;
}

static void
s_stop (kw_service_t *svc)
{
    sender_t *sender = kw_service_state (svc);
    sender_destroy (&sender);
    kw_service_set_state (svc, NULL);
}

static void
s_after_commit (kw_service_t *svc)
{
    sender_t *sender = kw_service_state (svc);
    if (sender)
        sender_wake (sender);
}

int
main (int argc, char **argv)
{
    kw_service_def_t def = {
        .name = KW_PRODUCER_NOTIFICATION,
        .summary = "The notification service: e-mails to professionals, with delivery records.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .methods = s_methods,
        .events = s_events,
        .start = s_start,
        .stop = s_stop,
        .after_commit = s_after_commit,
        .extra_vars = s_extra_vars,
        .extra_count = sizeof s_extra_vars / sizeof s_extra_vars [0],
    };
    return kw_service_main (&def, argc, argv);
}
