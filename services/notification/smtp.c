/*  smtp: e-mail over SMTP on the loop (smtp.h). The transfers are driven by
    libcommon's kw_curl_uv (libcurl multi on libuv), whose connection cache
    keeps the connections between messages (libcurl sends QUIT only when it
    closes one); what is SMTP's own is here: the easy handle's setup (URL,
    envelope, the message uploaded by a read callback, STARTTLS and CA),
    easy handles kept for the next message, and the mapping of a result to
    the channel's outcome. Errors are libcurl's text and the SMTP reply
    code, never addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "kw_curl_uv.h"
#include "message.h"
#include "smtp.h"

#define SMTP_TIMEOUT_S 10L
#define SMTP_CONNECT_TIMEOUT_S 5L

typedef struct {
    channel_t base;
    kw_curl_uv_t *driver;
    char *url;
    char *from;
    char *ca_file;              //  NULL: the system's
    int starttls;
    CURL *idle [SMTP_IN_FLIGHT_MAX];    //  easy handles kept for reuse
    size_t idle_count;
    int destroying;
} s_smtp_t;

typedef struct {
    s_smtp_t *smtp;
    struct curl_slist *rcpt;
    char *text;
    size_t len;
    size_t pos;
    char *delivery_id;
    channel_done_fn *done;
    void *arg;
} s_transfer_t;

static size_t
s_read (char *buf, size_t size, size_t nitems, void *arg)
{
    s_transfer_t *t = arg;
    size_t room = size * nitems;
    size_t left = t->len - t->pos;
    size_t n = left < room ? left : room;
    memcpy (buf, t->text + t->pos, n);
    t->pos += n;
    return n;
}

static void
s_transfer_free (s_transfer_t *t)
{
    curl_slist_free_all (t->rcpt);
    free (t->text);
    free (t->delivery_id);
    free (t);
}

//  Keep easy for the next message, or clean it up when there is no room.
static void
s_keep (s_smtp_t *self, CURL *easy)
{
    if (self->idle_count < self->base.capacity && !self->destroying)
        self->idle [self->idle_count++] = easy;
    else
        curl_easy_cleanup (easy);
}

//  The driver's done: the SMTP reply code decides between for good (5xx)
//  and for now; a transfer ended by the driver's destruction is cancelled.
static void
s_done (CURL *easy, CURLcode rc, void *arg)
{
    s_transfer_t *t = arg;
    s_smtp_t *self = t->smtp;
    char error [200] = "";
    channel_outcome_t outcome = CHANNEL_SENT;
    if (rc == CURLE_ABORTED_BY_CALLBACK && self->destroying) {
        outcome = CHANNEL_CANCELLED;
        snprintf (error, sizeof error, "stopping");
    }
    else
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &code);
        if (code > 0)
            snprintf (error, sizeof error, "%s (SMTP reply %ld)", curl_easy_strerror (rc), code);
        else
            snprintf (error, sizeof error, "%s", curl_easy_strerror (rc));
        outcome = code >= 500 && code < 600 ? CHANNEL_PERMANENT : CHANNEL_TEMPORARY;
    }
    s_keep (self, easy);
    char reference [80];
    snprintf (reference, sizeof reference, "<%s@keyworker.invalid>", t->delivery_id);
    channel_done_fn *done = t->done;
    void *done_arg = t->arg;
    s_transfer_free (t);
    done (done_arg, outcome, outcome == CHANNEL_SENT ? reference : NULL, error);
}

static void
s_setup (s_smtp_t *self, CURL *easy, s_transfer_t *t)
{
    curl_easy_reset (easy);
    curl_easy_setopt (easy, CURLOPT_URL, self->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS, (long) (CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    if (self->starttls)
        curl_easy_setopt (easy, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
    if (self->ca_file)
        curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);
    curl_easy_setopt (easy, CURLOPT_MAIL_FROM, self->from);
    curl_easy_setopt (easy, CURLOPT_MAIL_RCPT, t->rcpt);
    curl_easy_setopt (easy, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt (easy, CURLOPT_READDATA, t);
    curl_easy_setopt (easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT, SMTP_TIMEOUT_S);
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
}

static int
s_start (channel_t *base, const channel_message_t *msg, channel_done_fn *done, void *arg)
{
    s_smtp_t *self = (s_smtp_t *) base;
    if (self->destroying)
        return -1;
    char err [160];
    char *text = message_compose (msg->delivery_id, self->from, msg->address, msg->subject, msg->body,
                                  msg->html, msg->calendar, (time_t) msg->created, err, sizeof err);
    s_transfer_t *t = text ? calloc (1, sizeof *t) : NULL;
    if (!t) {
        free (text);
        return -1;
    }
    *t = (s_transfer_t) { .smtp = self, .text = text, .len = strlen (text), .done = done, .arg = arg,
                          .delivery_id = strdup (msg->delivery_id),
                          .rcpt = curl_slist_append (NULL, msg->address) };
    CURL *easy = self->idle_count ? self->idle [--self->idle_count] : curl_easy_init ();
    if (!t->delivery_id || !t->rcpt || !easy) {
        if (easy)
            s_keep (self, easy);
        s_transfer_free (t);
        return -1;
    }
    s_setup (self, easy, t);
    if (kw_curl_uv_add (self->driver, easy, s_done, t) != 0) {
        curl_easy_cleanup (easy);
        s_transfer_free (t);
        return -1;
    }
    return 0;
}

static void
s_free (s_smtp_t *self)
{
    for (size_t i = 0; i < self->idle_count; i++)
        curl_easy_cleanup (self->idle [i]);
    free (self->url);
    free (self->from);
    free (self->ca_file);
    free (self);
    curl_global_cleanup ();
}

static void
s_destroy (channel_t *base)
{
    s_smtp_t *self = (s_smtp_t *) base;
    self->destroying = 1;
    //  Every transfer in flight ends as cancelled; the driver then closes
    //  the kept connections.
    kw_curl_uv_destroy (&self->driver);
    s_free (self);
}

channel_t *
smtp_new (uv_loop_t *loop, const char *url, const char *from, int starttls, const char *ca_file,
          const char *in_flight, char *err, size_t err_size)
{
    char *end = NULL;
    long capacity = in_flight ? strtol (in_flight, &end, 10) : 0;
    if (!end || end == in_flight || *end || capacity < 1 || capacity > SMTP_IN_FLIGHT_MAX) {
        snprintf (err, err_size, "KW_SMTP_IN_FLIGHT must be a number from 1 to %d", SMTP_IN_FLIGHT_MAX);
        return NULL;
    }
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
    s_smtp_t *self = calloc (1, sizeof *self);
    if (!self) {
        curl_global_cleanup ();
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->driver = kw_curl_uv_new (loop, capacity);
    self->url = strdup (url);
    self->from = strdup (from);
    self->ca_file = ca_file && *ca_file ? strdup (ca_file) : NULL;
    if (!self->driver || !self->url || !self->from || (ca_file && *ca_file && !self->ca_file)) {
        kw_curl_uv_destroy (&self->driver);
        s_free (self);
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->base = (channel_t) { .name = "email", .capacity = (size_t) capacity, .start = s_start,
                               .destroy = s_destroy };
    self->starttls = starttls;
    return &self->base;
}
