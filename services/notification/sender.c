/*  sender: sends the pending deliveries through their channel (e-mail over
    SMTP, smtp.c, or through GOV.UK Notify where the region's Notify
    settings say so, notify_route.c; text messages and letters through
    Notify, notify_channel.c; webhooks, webhook_channel.c),
    several at once without blocking the loop, and records
    each outcome: sent; a temporary failure tried again with exponential
    backoff (2^attempts s, at most 300 s, each wait drawn within 25 % either
    side) until the delivery's max_attempts (its region's, recorded with
    it), then failed, the dead letter, with the region's coordinators told
    by a delivery of their own; a permanent failure failed at once.

    Taking a delivery is one committed statement that moves it to sending
    with a lease (SENDER_LEASE_S): another instance leaves it alone until
    the lease ends, and a delivery whose sender died is taken again then,
    and sent again with the same Message-ID (the delivery id), so a
    receiver can tell the copies apart. Delivery to SMTP is therefore at
    least once; the window is from the server's final reply to the commit
    of "sent". When that commit fails because the database went away, the
    sent delivery is remembered and recorded first once the database is
    back, before anything else is taken, so a database restart never causes
    a second e-mail.

    It runs on a 1 s timer and on the next loop turn after each committed
    consumer batch and each finished send. Errors stored and logged are the
    channel's (libcurl's text and the SMTP reply code), never addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_log.h"
#include "kw_metrics.h"
#include "kw/notification.pb-c.h"
#include "channel.h"
#include "config.h"
#include "message.h"
#include "notification.h"
#include "notify_channel.h"
#include "smtp.h"
#include "webhook_channel.h"

#define SENDER_INTERVAL_MS 1000
#define SENDER_LEASE_S "30"
#define SENDER_GATHER_MS 5
#define SENDER_CHANNELS 4
#define UNRECORDED_MAX (SMTP_IN_FLIGHT + 2 * NOTIFY_CHANNEL_IN_FLIGHT + WEBHOOK_CHANNEL_IN_FLIGHT)
#define ID_SIZE 64

struct _sender_t {
    uv_timer_t timer;
    kw_service_t *svc;
    kw_db_t *db;
    channel_t *channels [SENDER_CHANNELS];     //  e-mail, then the others configured
    size_t in_flight [SENDER_CHANNELS];
    size_t channel_count;
    int filling;
    //  sent, not yet recorded (at most one a send in flight: nothing more
    //  is taken while any is unrecorded)
    char unrecorded [UNRECORDED_MAX][ID_SIZE];
    const char *unrecorded_channel [UNRECORDED_MAX];
    size_t unrecorded_count;
};

//  One send in flight.
typedef struct {
    sender_t *sender;
    size_t channel;
    char id [ID_SIZE];
} s_job_t;

static void s_on_timer (uv_timer_t *timer);

static void
s_prepare (kw_db_t *db)
{
    //  Up to $1 due deliveries of channel $2 at once, each leased.
    kw_db_prepare (db, "notification_take",
        "UPDATE notification.deliveries d SET status = 'sending', updated_at = now (),"
        " next_attempt_at = now () + interval '" SENDER_LEASE_S " seconds'"
        " FROM (SELECT id FROM notification.deliveries"
        "   WHERE status IN ('pending', 'sending') AND channel = $2 AND next_attempt_at <= now ()"
        "   ORDER BY next_attempt_at, id LIMIT $1::int FOR UPDATE SKIP LOCKED) due WHERE d.id = due.id"
        " RETURNING d.id, d.recipient_address, d.subject, d.body, d.html,"
        " extract (epoch FROM d.created_at)::bigint, d.calendar, d.region, d.template, d.personalisation");
    //  Every delivery sent since the last run, at once ($1: '{id,...}').
    kw_db_prepare (db, "notification_sent",
        "UPDATE notification.deliveries SET status = 'sent', sent_at = now (), updated_at = now (),"
        " attempts = attempts + 1, last_error = NULL WHERE id = ANY ($1::uuid[]) AND status = 'sending'");
    kw_db_prepare (db, "notification_retry",
        "UPDATE notification.deliveries SET attempts = attempts + 1, last_error = $2,"
        " status = CASE WHEN $3::boolean OR attempts + 1 >= max_attempts THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = now () + least (power (2, attempts + 1), 300)"
        "   * (0.75 + random () * 0.5) * interval '1 second',"
        " updated_at = now () WHERE id = $1 AND status = 'sending'"
        " RETURNING status, attempts, template, region, case_id");
}

//  The subscriber of a webhook delivery, in the service's current config.
static const webhook_subscriber_t *
s_find_webhook (void *arg, const char *address)
{
    notify_t *notify = kw_service_state (arg);
    return notify && notify->config ? config_webhook (notify->config, address) : NULL;
}

//  The Notify settings of a region, in the service's current config.
static const notify_settings_t *
s_notify_settings (void *arg, const char *region)
{
    notify_t *notify = kw_service_state (arg);
    const config_region_t *r = notify && notify->config ? config_region (notify->config, region) : NULL;
    return r ? &r->notify : NULL;
}

//  Open an instance of each channel into self: e-mail (SMTP, or Notify by
//  the region), webhooks, text messages and letters (Notify). 0, or -1
//  with the reason in err (none left open).
static int
s_open_channels (sender_t *self, kw_service_t *svc, char *err, size_t err_size)
{
    uv_loop_t *loop = kw_service_loop (svc);
    const char *tls = kw_service_config (svc, "KW_SMTP_STARTTLS");
    channel_t *smtp = smtp_new (loop, kw_service_config (svc, "KW_SMTP_URL"), kw_service_config (svc, "KW_MAIL_FROM"),
                                strcmp (tls, "1") == 0, kw_service_config (svc, "KW_SMTP_CA_FILE"), err, err_size);
    channel_t *notify_email = smtp ? notify_channel_new (loop, NOTIFY_EMAIL, s_notify_settings, svc) : NULL;
    channel_t *opened [SENDER_CHANNELS] = {
        notify_email ? notify_route_new (smtp, notify_email, s_notify_settings, svc) : NULL
    };
    if (!opened [0]) {
        if (notify_email)
            notify_email->destroy (notify_email);
        if (smtp)
            smtp->destroy (smtp);
    }
    if (opened [0])
        opened [1] = webhook_channel_new (loop, s_find_webhook, svc, err, err_size);
    if (opened [1])
        opened [2] = notify_channel_new (loop, NOTIFY_SMS, s_notify_settings, svc);
    if (opened [2])
        opened [3] = notify_channel_new (loop, NOTIFY_LETTER, s_notify_settings, svc);
    int ok = opened [0] && opened [1] && opened [2] && opened [3];
    if (!ok && opened [1] && !opened [3])
        snprintf (err, err_size, "out of memory");
    for (size_t c = 0; c < SENDER_CHANNELS; c++)
        if (opened [c] && !ok)
            opened [c]->destroy (opened [c]);
        else
        if (opened [c])
            self->channels [self->channel_count++] = opened [c];
    return ok ? 0 : -1;
}

sender_t *
sender_new (kw_service_t *svc, char *err, size_t err_size)
{
    const char *tls = kw_service_config (svc, "KW_SMTP_STARTTLS");
    if (!tls || (strcmp (tls, "0") != 0 && strcmp (tls, "1") != 0)) {
        snprintf (err, err_size, "KW_SMTP_STARTTLS must be 0 or 1");
        return NULL;
    }
    sender_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    if (s_open_channels (self, svc, err, err_size) != 0) {
        free (self);
        return NULL;
    }
    self->svc = svc;
    self->db = kw_service_db (svc);
    s_prepare (self->db);
    uv_timer_init (kw_service_loop (svc), &self->timer);
    self->timer.data = self;
    //  First run at once: deliveries left pending by an earlier run.
    uv_timer_start (&self->timer, s_on_timer, 0, SENDER_INTERVAL_MS);
    return self;
}

void
sender_wake (sender_t *self)
{
    if (!self->filling)
        uv_timer_start (&self->timer, s_on_timer, 0, SENDER_INTERVAL_MS);
}

static void
s_closed (uv_handle_t *handle)
{
    free (handle->data);
}

void
sender_destroy (sender_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sender_t *self = *self_p;
    *self_p = NULL;
    //  Sends in flight are cancelled (their deliveries stay sending and are
    //  taken again when their lease ends).
    for (size_t c = 0; c < self->channel_count; c++)
        self->channels [c]->destroy (self->channels [c]);
    uv_timer_stop (&self->timer);
    uv_close ((uv_handle_t *) &self->timer, s_closed);
}

// ---- outcomes

//  Count one attempt's outcome on channel: sent, retry, failed or unsendable.
static void
s_count (const char *channel, const char *status)
{
    kw_metric_add (kw_metrics_counter ("kw_notification_deliveries_total",
                                       "Delivery attempts by channel and the status they left"
                                       " the delivery in.", "channel,status"), 1, channel, status);
}

//  Record the deliveries sent since the last run (or while the database
//  was down) in one statement: 0 when none is left, -1 while the database
//  is unavailable (they stay, and nothing more is taken).
static int
s_record_sent (sender_t *self)
{
    if (!self->unrecorded_count)
        return 0;
    char ids [UNRECORDED_MAX * (ID_SIZE + 1) + 3] = "{";
    for (size_t i = 0; i < self->unrecorded_count; i++)
        snprintf (ids + strlen (ids), sizeof ids - strlen (ids), "%s%s", i ? "," : "", self->unrecorded [i]);
    snprintf (ids + strlen (ids), sizeof ids - strlen (ids), "}");
    const char *params [1] = { ids };
    if (kw_db_exec (self->db, "notification_sent", 1, params) != 0) {
        kw_warn ("delivery_sent_unrecorded", "deliveries", ids, "reason", kw_db_error (self->db));
        return -1;
    }
    for (size_t i = 0; i < self->unrecorded_count; i++) {
        kw_info ("delivery_sent", "delivery_id", self->unrecorded [i]);
        s_count (self->unrecorded_channel [i], "sent");
    }
    self->unrecorded_count = 0;
    return 0;
}

static void
s_done (void *arg, channel_outcome_t outcome, const char *reference, const char *error)
{
    s_job_t *job = arg;
    sender_t *self = job->sender;
    char id [ID_SIZE];
    snprintf (id, sizeof id, "%s", job->id);
    const char *channel = self->channels [job->channel]->name;
    self->in_flight [job->channel]--;
    free (job);
    if (outcome == CHANNEL_CANCELLED)
        return;
    kw_db_t *db = self->db;
    if (outcome == CHANNEL_SENT) {
        //  Recorded with the others sent meanwhile on the next run, first
        //  thing, before anything more is taken; the run waits a moment
        //  for the sends finishing with this one, so one commit records
        //  several (the loop blocks on each commit).
        self->unrecorded_channel [self->unrecorded_count] = channel;
        snprintf (self->unrecorded [self->unrecorded_count++], ID_SIZE, "%s", id);
        if (self->unrecorded_count == 1 && !self->filling)
            uv_timer_start (&self->timer, s_on_timer, SENDER_GATHER_MS, SENDER_INTERVAL_MS);
        return;
    }
    const char *params [3] = { id, error, outcome == CHANNEL_PERMANENT ? "true" : "false" };
    if (kw_db_begin (db) != 0)
        return;
    PGresult *res = kw_db_query (db, "notification_retry", 3, params);
    int dead = res && PQntuples (res) == 1 && strcmp (PQgetvalue (res, 0, 0), "failed") == 0;
    //  A coordinators' notice that fails is not noticed again.
    int notice = dead && strcmp (PQgetvalue (res, 0, 2), DELIVERIES_DEAD_LETTER) != 0;
    char attempts [16] = "";
    if (res && PQntuples (res) == 1)
        snprintf (attempts, sizeof attempts, "%s", PQgetvalue (res, 0, 1));
    Kw__DeliveryFailed failed = KW__DELIVERY_FAILED__INIT;
    if (notice) {
        failed.delivery_id = id;
        failed.template_ = PQgetvalue (res, 0, 2);
        failed.channel = (char *) channel;
        failed.region = PQgetvalue (res, 0, 3);
        failed.case_id = PQgetisnull (res, 0, 4) ? NULL : PQgetvalue (res, 0, 4);
        failed.has_attempts = 1;
        failed.attempts = (uint32_t) strtoul (attempts, NULL, 10);
    }
    int ok = res && (!notice || deliveries_dead_letter (self->svc, db, &failed) == 0);
    if (res)
        PQclear (res);
    if (!ok || kw_db_commit (db) != 0) {
        kw_warn ("delivery_failure_unrecorded", "delivery_id", id, "reason", kw_db_error (db));
        kw_db_rollback (db);
        return;
    }
    kw_warn (dead ? "delivery_failed" : "delivery_retry", "delivery_id", id, "attempts", attempts,
             "reason", error);
    s_count (channel, dead ? "failed" : "retry");
    sender_wake (self);
}

// ---- taking

//  Take the due deliveries of channel c there is room for and start their
//  sends: how many were taken (0 when none is due), or -1 when the
//  database is down.
static int
s_take (sender_t *self, size_t c)
{
    channel_t *channel = self->channels [c];
    char room [24];
    snprintf (room, sizeof room, "%zu", channel->capacity - self->in_flight [c]);
    const char *params [2] = { room, channel->name };
    PGresult *res = kw_db_query (self->db, "notification_take", 2, params);
    if (!res)
        return -1;
    int taken = PQntuples (res);
    for (int i = 0; i < taken; i++) {
        s_job_t *job = calloc (1, sizeof *job);
        if (!job)
            break;              //  the rest are taken again when their lease ends
        job->sender = self;
        job->channel = c;
        snprintf (job->id, sizeof job->id, "%s", PQgetvalue (res, i, 0));
        channel_message_t msg = {
            .delivery_id = job->id, .address = PQgetvalue (res, i, 1), .subject = PQgetvalue (res, i, 2),
            .body = PQgetvalue (res, i, 3), .html = PQgetisnull (res, i, 4) ? NULL : PQgetvalue (res, i, 4),
            .created = strtoll (PQgetvalue (res, i, 5), NULL, 10),
            .calendar = PQgetisnull (res, i, 6) ? NULL : PQgetvalue (res, i, 6),
            .region = PQgetvalue (res, i, 7), .template_name = PQgetvalue (res, i, 8),
            .personalisation = PQgetisnull (res, i, 9) ? NULL : PQgetvalue (res, i, 9)
        };
        self->in_flight [c]++;
        if (channel->start (channel, &msg, s_done, job) != 0) {
            //  A stored row that cannot make a safe message will never send.
            kw_warn ("delivery_unsendable", "delivery_id", job->id);
            s_count (channel->name, "unsendable");
            s_done (job, CHANNEL_PERMANENT, NULL, "the message could not be composed");
        }
    }
    PQclear (res);
    return taken;
}

static void
s_on_timer (uv_timer_t *timer)
{
    sender_t *self = timer->data;
    if (self->filling)
        return;
    self->filling = 1;
    if (s_record_sent (self) == 0)
        for (size_t c = 0; c < self->channel_count; c++)
            if (self->in_flight [c] < self->channels [c]->capacity && s_take (self, c) < 0)
                break;
    self->filling = 0;
}
