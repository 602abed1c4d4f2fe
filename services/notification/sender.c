/*  sender: sends pending e-mail deliveries through an SMTP server with
    libcurl, retrying with exponential backoff (2^attempts s, at most 300 s,
    each wait drawn within 25 % either side) until the region's max_attempts
    (recorded on the delivery), then marking the delivery failed.

    It runs on a 1 s timer and on the next loop turn after each committed
    consumer batch. Each delivery is sent in its own transaction: the row is
    taken with FOR UPDATE SKIP LOCKED (so two instances never send the same
    one), sent, and its outcome committed at once. Delivery to SMTP is
    therefore at least once: a process killed between the server's final
    reply and the commit sends that e-mail again after a restart, with the
    same Message-ID (the delivery id) so a receiver can tell the copies
    apart; the window is one round trip and one COMMIT. When the commit
    fails because the database went away, the sent delivery is remembered
    and recorded first once the database is back, before anything else is
    sent, so a database restart never causes a second e-mail.

    libcurl is used synchronously on the loop, which keeps this simple and
    is acceptable for one local relay: a send blocks the loop for at most the
    10 s timeout, each run stops after 20 deliveries or 1 s, and a run stops
    at the first failure to reach the server. Errors stored and logged are
    libcurl's error text and the SMTP reply code, never addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "kw_log.h"
#include "kw_metrics.h"
#include "message.h"
#include "notification.h"

#define SENDER_INTERVAL_MS 1000
#define SENDER_BATCH 20
#define SENDER_BUDGET_MS 1000
#define SMTP_TIMEOUT_S 10L
#define SMTP_CONNECT_TIMEOUT_S 5L
#define ID_SIZE 64

struct _sender_t {
    uv_timer_t timer;
    kw_db_t *db;
    CURL *curl;
    const char *url;
    const char *from;
    int running;
    //  sent, but the database was down when we tried to record it ("" if none)
    char unrecorded [ID_SIZE];
};

typedef struct {
    const char *data;
    size_t len;
    size_t pos;
} s_upload_t;

static void s_on_timer (uv_timer_t *timer);

static void
s_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "notification_next",
        "SELECT id, recipient_address, subject, body, html FROM notification.deliveries"
        " WHERE status = 'pending' AND channel = 'email' AND next_attempt_at <= now ()"
        " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");
    kw_db_prepare (db, "notification_sent",
        "UPDATE notification.deliveries SET status = 'sent', sent_at = now (),"
        " attempts = attempts + 1, last_error = NULL WHERE id = $1 AND status <> 'sent'");
    kw_db_prepare (db, "notification_retry",
        "UPDATE notification.deliveries SET attempts = attempts + 1, last_error = $2,"
        " status = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = now () + least (power (2, attempts + 1), 300)"
        "   * (0.75 + random () * 0.5) * interval '1 second',"
        " updated_at = now () WHERE id = $1 RETURNING status, attempts");
    kw_db_prepare (db, "notification_unsendable",
        "UPDATE notification.deliveries SET status = 'failed', last_error = $2 WHERE id = $1");
}

sender_t *
sender_new (kw_service_t *svc, char *err, size_t err_size)
{
    const char *url = kw_service_config (svc, "KW_SMTP_URL");
    const char *from = kw_service_config (svc, "KW_MAIL_FROM");
    if (!url || (strncmp (url, "smtp://", 7) != 0 && strncmp (url, "smtps://", 8) != 0)) {
        snprintf (err, err_size, "KW_SMTP_URL must be an smtp:// or smtps:// URL");
        return NULL;
    }
    if (!message_address_valid (from)) {
        snprintf (err, err_size, "KW_MAIL_FROM is not a valid address");
        return NULL;
    }
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf (err, err_size, "libcurl could not be initialised");
        return NULL;
    }
    sender_t *self = calloc (1, sizeof *self);
    if (self)
        self->curl = curl_easy_init ();
    if (!self || !self->curl) {
        free (self);
        curl_global_cleanup ();
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->db = kw_service_db (svc);
    self->url = url;
    self->from = from;
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
    if (!self->running)
        uv_timer_start (&self->timer, s_on_timer, 0, SENDER_INTERVAL_MS);
}

static void
s_closed (uv_handle_t *handle)
{
    sender_t *self = handle->data;
    curl_easy_cleanup (self->curl);
    curl_global_cleanup ();
    free (self);
}

void
sender_destroy (sender_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sender_t *self = *self_p;
    *self_p = NULL;
    uv_timer_stop (&self->timer);
    uv_close ((uv_handle_t *) &self->timer, s_closed);
}

// ---- SMTP

static size_t
s_read (char *buf, size_t size, size_t nitems, void *arg)
{
    s_upload_t *up = arg;
    size_t room = size * nitems;
    size_t left = up->len - up->pos;
    size_t n = left < room ? left : room;
    memcpy (buf, up->data + up->pos, n);
    up->pos += n;
    return n;
}

//  Failures that say the server cannot be reached: the rest of the run
//  would fail the same way.
static int
s_unreachable (CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST
        || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_UNSUPPORTED_PROTOCOL
        || rc == CURLE_URL_MALFORMAT || rc == CURLE_SSL_CONNECT_ERROR;
}

//  Send text to one recipient. CURLE_OK, or the error with a description
//  free of addresses in err.
static CURLcode
s_smtp_send (sender_t *self, const char *to, const char *text, char *err, size_t err_size)
{
    CURL *curl = self->curl;
    struct curl_slist *rcpt = curl_slist_append (NULL, to);
    if (!rcpt) {
        snprintf (err, err_size, "out of memory");
        return CURLE_OUT_OF_MEMORY;
    }
    s_upload_t up = { .data = text, .len = strlen (text), .pos = 0 };
    //  Reset options, keep the connection for the next delivery.
    curl_easy_reset (curl);
    curl_easy_setopt (curl, CURLOPT_URL, self->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS, (long) (CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    curl_easy_setopt (curl, CURLOPT_MAIL_FROM, self->from);
    curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt (curl, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt (curl, CURLOPT_READDATA, &up);
    curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT, SMTP_TIMEOUT_S);
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform (curl);
    curl_slist_free_all (rcpt);
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
        if (code > 0)
            snprintf (err, err_size, "%s (SMTP reply %ld)", curl_easy_strerror (rc), code);
        else
            snprintf (err, err_size, "%s", curl_easy_strerror (rc));
    }
    return rc;
}

// ---- sending

//  Count one e-mail attempt's outcome: sent, retry, failed (no attempt
//  left) or unsendable.
static void
s_count (const char *status)
{
    kw_metric_add (kw_metrics_counter ("kw_notification_deliveries_total",
                                       "E-mail delivery attempts by channel and the status they left"
                                       " the delivery in.", "channel,status"), 1, "email", status);
}

//  Send the next due delivery: 1 when one was handled, 0 when none is due,
//  -1 when the run should stop (database down or server unreachable).
//  Record the delivery sent while the database was down: 0 when there is
//  none (left), -1 while the database is still unavailable.
static int
s_record_unrecorded (sender_t *self)
{
    if (!*self->unrecorded)
        return 0;
    const char *params [1] = { self->unrecorded };
    if (kw_db_exec (self->db, "notification_sent", 1, params) != 0)
        return -1;
    kw_info ("delivery_sent", "delivery_id", self->unrecorded, "recorded", "late");
    s_count ("sent");
    *self->unrecorded = 0;
    return 0;
}

static int
s_send_one (sender_t *self)
{
    kw_db_t *db = self->db;
    if (s_record_unrecorded (self) != 0)
        return -1;
    if (kw_db_begin (db) != 0)
        return -1;
    PGresult *res = kw_db_query (db, "notification_next", 0, NULL);
    if (!res) {
        kw_warn ("sender_query_failed", "reason", kw_db_error (db));
        kw_db_rollback (db);
        return -1;
    }
    if (PQntuples (res) == 0) {
        PQclear (res);
        kw_db_rollback (db);
        return 0;
    }
    char id [ID_SIZE];
    snprintf (id, sizeof id, "%s", PQgetvalue (res, 0, 0));
    char err [256] = "";
    char *text = message_compose (id, self->from, PQgetvalue (res, 0, 1), PQgetvalue (res, 0, 2),
                                  PQgetvalue (res, 0, 3), PQgetisnull (res, 0, 4) ? NULL : PQgetvalue (res, 0, 4),
                                  time (NULL), err, sizeof err);
    char *to = strdup (PQgetvalue (res, 0, 1));
    PQclear (res);
    if (!text || !to) {
        //  A stored row that cannot make a safe message will never send.
        char reason [300];
        snprintf (reason, sizeof reason, "message could not be composed: %s", err);
        const char *params [2] = { id, reason };
        int rc = kw_db_exec (db, "notification_unsendable", 2, params) == 0 && kw_db_commit (db) == 0;
        if (!rc)
            kw_db_rollback (db);
        kw_warn ("delivery_unsendable", "delivery_id", id, "reason", err);
        s_count ("unsendable");
        free (text);
        free (to);
        return rc ? 1 : -1;
    }
    CURLcode sent = s_smtp_send (self, to, text, err, sizeof err);
    free (text);
    free (to);
    if (sent == CURLE_OK) {
        const char *params [1] = { id };
        if (kw_db_exec (db, "notification_sent", 1, params) != 0 || kw_db_commit (db) != 0) {
            //  Sent but not recorded: remember it, record it before sending more.
            kw_warn ("delivery_sent_unrecorded", "delivery_id", id, "reason", kw_db_error (db));
            kw_db_rollback (db);
            snprintf (self->unrecorded, sizeof self->unrecorded, "%s", id);
            return -1;
        }
        kw_info ("delivery_sent", "delivery_id", id);
        s_count ("sent");
        return 1;
    }
    const char *params [2] = { id, err };
    res = kw_db_query (db, "notification_retry", 2, params);
    if (!res || kw_db_commit (db) != 0) {
        if (res)
            PQclear (res);
        kw_warn ("delivery_failure_unrecorded", "delivery_id", id, "reason", kw_db_error (db));
        kw_db_rollback (db);
        return -1;
    }
    char status [16] = "", attempts [16] = "";
    if (PQntuples (res) == 1) {
        snprintf (status, sizeof status, "%s", PQgetvalue (res, 0, 0));
        snprintf (attempts, sizeof attempts, "%s", PQgetvalue (res, 0, 1));
    }
    PQclear (res);
    kw_warn (strcmp (status, "failed") == 0 ? "delivery_failed" : "delivery_retry",
             "delivery_id", id, "attempts", attempts, "reason", err);
    s_count (strcmp (status, "failed") == 0 ? "failed" : "retry");
    return s_unreachable (sent) ? -1 : 1;
}

static void
s_on_timer (uv_timer_t *timer)
{
    sender_t *self = timer->data;
    if (self->running)
        return;
    self->running = 1;
    uint64_t start = uv_hrtime ();
    for (int i = 0; i < SENDER_BATCH; i++) {
        if (s_send_one (self) != 1)
            break;
        if ((uv_hrtime () - start) / 1000000 >= SENDER_BUDGET_MS)
            break;
    }
    self->running = 0;
}
