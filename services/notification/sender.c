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

    Taking deliveries is one committed statement that moves up to a
    channel's free room of them to sending with a lease (SENDER_LEASE_S):
    another instance leaves them alone until the lease ends, and a delivery
    whose sender died is taken again then, and sent again with the same
    Message-ID (the delivery id), so a receiver can tell the copies apart.
    The same statement first records as sent every delivery whose send has
    ended since the last one, so recording and taking are one commit.
    Delivery to SMTP is therefore at least once; the window is from the
    server's final reply to that commit. When it fails because the
    database went away, the sent deliveries are remembered and recorded by
    the next statement once the database is back, which takes nothing
    before they are, so a database restart never causes a second e-mail.

    A run is that one statement, for every channel with room at once, on
    the sender's own connection, prepared when it connects and then sent
    without blocking the loop (libpq's asynchronous calls, its socket
    watched by the loop), so requests are answered while e-mails go out.
    Failures and dead letters are rare and recorded in a transaction on
    the service's connection.

    It runs on a 1 s timer and SENDER_GATHER_MS after each committed
    consumer batch or a send's end (whichever comes first), so one
    statement records the sends that end together and takes what the
    batches committed meanwhile. A run whose statement has had no answer
    for SENDER_STUCK_MS (a connection whose server went away without a
    word, or a backend that stopped) is abandoned with its connection,
    like a failed one: the next run goes on a fresh connection, and what
    the abandoned statement may have taken is taken again when its lease
    ends. Errors stored and logged are the
    channel's (libcurl's text and the SMTP reply code), never addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_log.h"
#include "kw_metrics.h"
#include "kw_time.h"
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
#define SENDER_STUCK_MS 10000
#define SENDER_CHANNELS 4
#define UNRECORDED_MAX (SMTP_IN_FLIGHT_MAX + 2 * NOTIFY_CHANNEL_IN_FLIGHT + WEBHOOK_CHANNEL_IN_FLIGHT)
#define ID_SIZE 64

//  One statement a run: first every delivery sent since the last one ($3,
//  '{id,...}') recorded as sent, then for each channel of $2 (text[]) up
//  to its room in $1 (int[]) of its due deliveries (none of $3) taken,
//  each leased. The partial index deliveries_due gives each channel's due
//  ones in order. The sent are found by their ids, through the primary key:
//  with the status written in their condition ("status = 'sending'") the
//  plans read all of deliveries_due instead, every delivery pending or in
//  flight, for a few ids (its size when planned is that of an idle
//  moment), so the status they must still have comes from a subquery the
//  planner keeps apart (OFFSET 0).
#define SENDER_TAKE "notification_take"
#define SENDER_TAKE_SQL \
    "WITH sent AS (UPDATE notification.deliveries s SET status = 'sent', sent_at = now (), updated_at = now ()," \
    "   attempts = s.attempts + 1, last_error = NULL" \
    "   FROM (SELECT id, 'sending'::text AS was FROM unnest ($3::uuid[]) AS u (id) OFFSET 0) done" \
    "   WHERE s.id = done.id AND s.status = done.was)," \
    " room AS (SELECT * FROM unnest ($2::text[], $1::int[]) AS r (channel, room))" \
    " UPDATE notification.deliveries d SET status = 'sending', updated_at = now ()," \
    " next_attempt_at = now () + interval '" SENDER_LEASE_S " seconds'" \
    " FROM room, LATERAL (SELECT id FROM notification.deliveries" \
    "   WHERE status IN ('pending', 'sending') AND channel = room.channel AND next_attempt_at <= now ()" \
    "   AND id <> ALL ($3::uuid[])" \
    "   ORDER BY channel, next_attempt_at, id LIMIT room.room FOR UPDATE SKIP LOCKED) due WHERE d.id = due.id" \
    " RETURNING d.id, d.recipient_address, d.subject, d.body, d.html," \
    " extract (epoch FROM d.created_at)::bigint, d.calendar, d.region, d.template, d.personalisation, d.channel"

struct _sender_t {
    uv_timer_t timer;
    kw_service_t *svc;
    kw_db_t *db;                //  the service's: failures and dead letters
    kw_db_t *own;               //  the sender's: the take statements, never waited on
    uv_poll_t *poll;            //  its socket while a statement is in flight
    PGresult *result;           //  the statement's first result, while its end is read
    channel_t *channels [SENDER_CHANNELS];     //  e-mail, then the others configured
    size_t in_flight [SENDER_CHANNELS];
    size_t channel_count;
    int running;                //  a run's statement is in flight
    uint64_t run_started;       //  when (monotonic ms)
    int again;                  //  woken during the run: run again after it
    size_t recording;           //  how many of unrecorded (the first) it records
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
    kw_db_prepare (db, "notification_retry",
        "UPDATE notification.deliveries SET attempts = attempts + 1, last_error = $2,"
        " status = CASE WHEN $3::boolean OR attempts + 1 >= max_attempts THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = now () + least (power (2, attempts + 1), 300)"
        "   * (0.75 + random () * 0.5) * interval '1 second',"
        " updated_at = now () WHERE id = $1 AND status = 'sending'"
        " RETURNING status, attempts, template, region, case_id");
}

//  Each new connection of the sender's has the run's statement prepared
//  (once, blocking: a run whose statement is missing fails and the next
//  connection prepares it again). The statement reads deliveries by index
//  only, whatever their number: its plan is made once a connection, and
//  one made while the table was small (a new database) read all of it for
//  every run, as it grew, until the next ANALYZE.
static void
s_setup_step (PGresult *res)
{
    if (PQresultStatus (res) != PGRES_COMMAND_OK)
        kw_warn ("delivery_take_unprepared", "reason", PQresultErrorMessage (res));
    PQclear (res);
}

static void
s_on_connect (kw_db_t *db, void *arg)
{
    (void) arg;
    s_setup_step (PQexec (kw_db_conn (db), "SET enable_seqscan = off"));
    s_setup_step (PQprepare (kw_db_conn (db), SENDER_TAKE, SENDER_TAKE_SQL, 0, NULL));
}

//  The sender's own connection (made when first used).
static kw_db_t *
s_own_db (kw_service_t *svc)
{
    kw_db_t *db = kw_db_new (kw_service_config (svc, "KW_DB_URL"), kw_service_config (svc, "KW_DB_USER"),
                             "notification-sender");
    kw_db_on_connect (db, s_on_connect, NULL);
    return db;
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
                                strcmp (tls, "1") == 0, kw_service_config (svc, "KW_SMTP_CA_FILE"),
                                kw_service_config (svc, "KW_SMTP_IN_FLIGHT"), err, err_size);
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
    self->own = s_own_db (svc);
    s_prepare (self->db);
    uv_timer_init (kw_service_loop (svc), &self->timer);
    self->timer.data = self;
    //  First run at once: deliveries left pending by an earlier run.
    uv_timer_start (&self->timer, s_on_timer, 0, SENDER_INTERVAL_MS);
    return self;
}

//  Run within SENDER_GATHER_MS, unless a run is due sooner: the wakes and
//  the sends ending within that moment share one statement.
static void
s_run_soon (sender_t *self)
{
    if (uv_timer_get_due_in (&self->timer) > SENDER_GATHER_MS)
        uv_timer_start (&self->timer, s_on_timer, SENDER_GATHER_MS, SENDER_INTERVAL_MS);
}

void
sender_wake (sender_t *self)
{
    if (self->running)
        self->again = 1;
    else
        s_run_soon (self);
}

static void
s_closed (uv_handle_t *handle)
{
    free (handle->data);
}

static void
s_poll_closed (uv_handle_t *handle)
{
    free (handle);
}

//  Stop watching the sender's connection.
static void
s_unwatch (sender_t *self)
{
    if (!self->poll)
        return;
    uv_poll_stop (self->poll);
    uv_close ((uv_handle_t *) self->poll, s_poll_closed);
    self->poll = NULL;
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
    //  A statement in flight is abandoned with its connection: it commits
    //  or not, and its deliveries are taken again when their lease ends.
    s_unwatch (self);
    PQclear (self->result);
    kw_db_destroy (&self->own);
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
        //  Recorded with the others sent meanwhile by the next run's first
        //  statement, before anything more is taken; the run waits a
        //  moment for the sends finishing with this one, so one commit
        //  records several.
        self->unrecorded_channel [self->unrecorded_count] = channel;
        snprintf (self->unrecorded [self->unrecorded_count++], ID_SIZE, "%s", id);
        if (self->unrecorded_count == 1 && !self->running)
            s_run_soon (self);
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

//  Start the sends of the deliveries res took, each on its channel.
static void
s_start_taken (sender_t *self, PGresult *res)
{
    int taken = PQntuples (res);
    int channel_col = PQfnumber (res, "channel");
    for (int i = 0; i < taken && channel_col >= 0; i++) {
        size_t c = 0;
        while (c < self->channel_count && strcmp (self->channels [c]->name, PQgetvalue (res, i, channel_col)) != 0)
            c++;
        s_job_t *job = c < self->channel_count ? calloc (1, sizeof *job) : NULL;
        if (!job)
            continue;           //  taken again when its lease ends
        channel_t *channel = self->channels [c];
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
}

//  The run has ended: the next starts after a moment when sends ended
//  or the sender was woken during it, else on the timer (also after a
//  failure, which leaves what is unrecorded for it).
static void
s_run_end (sender_t *self, int failed)
{
    self->running = 0;
    if (!failed && (self->unrecorded_count || self->again))
        uv_timer_start (&self->timer, s_on_timer, SENDER_GATHER_MS, SENDER_INTERVAL_MS);
    self->again = 0;
}

//  The run failed or was abandoned: its connection goes, with a statement
//  that may still be in flight, and the next run makes a fresh one;
//  everything unrecorded is kept for it.
static void
s_run_failed (sender_t *self)
{
    s_unwatch (self);
    PQclear (self->result);
    self->result = NULL;
    self->recording = 0;
    kw_db_destroy (&self->own);
    self->own = s_own_db (self->svc);
    s_run_end (self, 1);
}

//  The statement's outcome: the sent it carried recorded and the taken
//  sent; or, when it failed, a fresh connection for the next run and
//  everything unrecorded kept for it.
static void
s_finished (sender_t *self, PGresult *res)
{
    if (PQresultStatus (res) != PGRES_TUPLES_OK) {
        kw_warn ("delivery_take_failed", "unrecorded", self->recording ? "yes" : "no",
                 "reason", res ? PQresultErrorMessage (res) : PQerrorMessage (kw_db_conn (self->own)));
        PQclear (res);
        s_run_failed (self);
        return;
    }
    for (size_t i = 0; i < self->recording; i++) {
        kw_info ("delivery_sent", "delivery_id", self->unrecorded [i]);
        s_count (self->unrecorded_channel [i], "sent");
    }
    //  Those that ended while the statement ran move to the front.
    size_t left = self->unrecorded_count - self->recording;
    memmove (self->unrecorded, self->unrecorded + self->recording, left * sizeof self->unrecorded [0]);
    memmove (self->unrecorded_channel, self->unrecorded_channel + self->recording,
             left * sizeof self->unrecorded_channel [0]);
    self->unrecorded_count = left;
    self->recording = 0;
    s_start_taken (self, res);
    PQclear (res);
    s_run_end (self, 0);
}

//  The sender's connection is readable: read what has come; once the
//  statement's every result is in, stop watching and act on it.
static void
s_on_readable (uv_poll_t *poll, int status, int events)
{
    (void) status;
    (void) events;
    sender_t *self = poll->data;
    PGconn *conn = kw_db_conn (self->own);
    int broken = PQconsumeInput (conn) != 1;
    int ended = broken;
    while (!broken && !PQisBusy (conn)) {
        PGresult *res = PQgetResult (conn);
        if (!res) {
            ended = 1;
            break;
        }
        if (self->result)
            PQclear (res);
        else
            self->result = res;
    }
    if (!ended)
        return;
    s_unwatch (self);
    PGresult *res = broken ? NULL : self->result;
    if (broken)
        PQclear (self->result);
    self->result = NULL;
    s_finished (self, res);
}

//  Append to buf (size bytes, NUL-terminated) the array literal of n
//  items, each printed by fmt from the i-th of strings or numbers.
static void
s_array (char *buf, size_t size, size_t n, const char *const *strings, const size_t *numbers)
{
    snprintf (buf, size, "{");
    for (size_t i = 0; i < n; i++) {
        size_t at = strlen (buf);
        if (strings)
            snprintf (buf + at, size - at, "%s%s", i ? "," : "", strings [i]);
        else
            snprintf (buf + at, size - at, "%s%zu", i ? "," : "", numbers [i]);
    }
    snprintf (buf + strlen (buf), size - strlen (buf), "}");
}

//  Send the run's statement, recording every sent delivery not yet
//  recorded and taking what each channel has room for: 0, or -1 when the
//  database is unavailable.
static int
s_issue (sender_t *self)
{
    if (kw_db_ensure (self->own) != 0)
        return -1;
    PGconn *conn = kw_db_conn (self->own);
    const char *names [SENDER_CHANNELS];
    size_t rooms [SENDER_CHANNELS];
    for (size_t c = 0; c < self->channel_count; c++) {
        names [c] = self->channels [c]->name;
        rooms [c] = self->channels [c]->capacity - self->in_flight [c];
    }
    const char *ids [UNRECORDED_MAX];
    for (size_t i = 0; i < self->unrecorded_count; i++)
        ids [i] = self->unrecorded [i];
    char room_list [SENDER_CHANNELS * 24 + 3], channel_list [SENDER_CHANNELS * 16 + 3];
    char id_list [UNRECORDED_MAX * (ID_SIZE + 1) + 3];
    s_array (room_list, sizeof room_list, self->channel_count, NULL, rooms);
    s_array (channel_list, sizeof channel_list, self->channel_count, names, NULL);
    s_array (id_list, sizeof id_list, self->unrecorded_count, ids, NULL);
    const char *params [3] = { room_list, channel_list, id_list };
    self->poll = calloc (1, sizeof *self->poll);
    if (!self->poll)
        return -1;
    if (uv_poll_init_socket (kw_service_loop (self->svc), self->poll, PQsocket (conn)) != 0) {
        free (self->poll);
        self->poll = NULL;
        return -1;
    }
    self->poll->data = self;
    if (PQsendQueryPrepared (conn, SENDER_TAKE, 3, params, NULL, NULL, 0) != 1) {
        kw_warn ("delivery_take_failed", "reason", PQerrorMessage (conn));
        s_unwatch (self);
        return -1;
    }
    uv_poll_start (self->poll, UV_READABLE, s_on_readable);
    self->recording = self->unrecorded_count;
    return 0;
}

static void
s_on_timer (uv_timer_t *timer)
{
    sender_t *self = timer->data;
    if (self->running && kw_time_mono_ms () - self->run_started >= SENDER_STUCK_MS) {
        kw_warn ("delivery_take_abandoned", "reason", "no answer from the database", "unrecorded",
                 self->recording ? "yes" : "no");
        s_run_failed (self);
    }
    int room = 0;
    for (size_t c = 0; c < self->channel_count; c++)
        room |= self->in_flight [c] < self->channels [c]->capacity;
    if (self->running || (!room && !self->unrecorded_count))
        return;
    self->running = 1;
    self->run_started = kw_time_mono_ms ();
    self->again = 0;
    if (s_issue (self) != 0)
        s_run_end (self, 1);
}
