/*  smtp: e-mail over SMTP on the loop (smtp.h), in the shape of libcurl's
    multi-uv example: libcurl says which sockets to watch (a uv_poll each)
    and when to wake it (one uv_timer); each readiness or expiry is passed
    to curl_multi_socket_action, and finished transfers are collected with
    curl_multi_info_read. The multi handle keeps the connections between
    transfers (libcurl sends QUIT only when it closes one), and easy handles
    are kept for the next message too. Errors are libcurl's text and the
    SMTP reply code, never addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "message.h"
#include "smtp.h"

#define SMTP_TIMEOUT_S 10L
#define SMTP_CONNECT_TIMEOUT_S 5L

typedef struct _s_transfer_t s_transfer_t;
typedef struct _s_socket_t s_socket_t;

typedef struct {
    channel_t base;
    uv_loop_t *loop;
    uv_timer_t timer;
    CURLM *multi;
    char *url;
    char *from;
    char *ca_file;              //  NULL: the system's
    int starttls;
    CURL *idle [SMTP_IN_FLIGHT];    //  easy handles kept for reuse
    size_t idle_count;
    s_transfer_t *active;           //  transfers in flight (a list)
    s_socket_t *sockets;            //  sockets watched (a list)
    int destroying;
} s_smtp_t;

struct _s_transfer_t {
    s_smtp_t *smtp;
    CURL *easy;
    struct curl_slist *rcpt;
    char *text;
    size_t len;
    size_t pos;
    char *delivery_id;
    channel_done_fn *done;
    void *arg;
    s_transfer_t *next;
};

//  One socket libcurl asked to watch.
struct _s_socket_t {
    uv_poll_t poll;
    curl_socket_t fd;
    s_smtp_t *smtp;
    s_socket_t *next;
};

static void s_collect (s_smtp_t *self);

// ---- libcurl's callbacks

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
s_socket_closed (uv_handle_t *handle)
{
    free (handle->data);
}

//  Stop watching sock and free it once its handle has closed.
static void
s_socket_close (s_smtp_t *self, s_socket_t *sock)
{
    for (s_socket_t **p = &self->sockets; *p; p = &(*p)->next)
        if (*p == sock) {
            *p = sock->next;
            break;
        }
    uv_poll_stop (&sock->poll);
    uv_close ((uv_handle_t *) &sock->poll, s_socket_closed);
}

static void
s_on_poll (uv_poll_t *poll, int status, int events)
{
    s_socket_t *sock = poll->data;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    s_smtp_t *self = sock->smtp;
    int running;
    curl_multi_socket_action (self->multi, sock->fd, flags, &running);
    s_collect (self);
}

static int
s_on_socket (CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
    (void) easy;
    s_smtp_t *self = userp;
    s_socket_t *sock = socketp;
    if (action == CURL_POLL_REMOVE) {
        if (sock) {
            if (self->multi)
                curl_multi_assign (self->multi, fd, NULL);
            s_socket_close (self, sock);
        }
        return 0;
    }
    if (!sock) {
        sock = calloc (1, sizeof *sock);
        if (!sock)
            return -1;
        sock->fd = fd;
        sock->smtp = self;
        if (uv_poll_init_socket (self->loop, &sock->poll, fd) != 0) {
            free (sock);
            return -1;
        }
        sock->poll.data = sock;
        sock->next = self->sockets;
        self->sockets = sock;
        curl_multi_assign (self->multi, fd, sock);
    }
    int events = 0;
    if (action != CURL_POLL_OUT)
        events |= UV_READABLE;
    if (action != CURL_POLL_IN)
        events |= UV_WRITABLE;
    uv_poll_start (&sock->poll, events, s_on_poll);
    return 0;
}

static void
s_on_timeout (uv_timer_t *timer)
{
    s_smtp_t *self = timer->data;
    int running;
    curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    s_collect (self);
}

static int
s_on_timer (CURLM *multi, long timeout_ms, void *userp)
{
    (void) multi;
    s_smtp_t *self = userp;
    if (timeout_ms < 0)
        uv_timer_stop (&self->timer);
    else
        //  Never call libcurl from here: a timeout of 0 runs on the next turn.
        uv_timer_start (&self->timer, s_on_timeout, timeout_ms ? (uint64_t) timeout_ms : 1, 0);
    return 0;
}

// ---- transfers

//  Take the transfer off the list, keep its easy handle, free the rest.
static void
s_finish (s_smtp_t *self, s_transfer_t *t, channel_outcome_t outcome, const char *error)
{
    for (s_transfer_t **p = &self->active; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    curl_multi_remove_handle (self->multi, t->easy);
    if (self->idle_count < SMTP_IN_FLIGHT && outcome != CHANNEL_CANCELLED)
        self->idle [self->idle_count++] = t->easy;
    else
        curl_easy_cleanup (t->easy);
    channel_done_fn *done = t->done;
    void *arg = t->arg;
    char reference [80];
    snprintf (reference, sizeof reference, "<%s@keyworker.invalid>", t->delivery_id);
    curl_slist_free_all (t->rcpt);
    free (t->text);
    free (t->delivery_id);
    free (t);
    done (arg, outcome, outcome == CHANNEL_SENT ? reference : NULL, error);
}

static void
s_collect (s_smtp_t *self)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read (self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        s_transfer_t *t = NULL;
        curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
        CURLcode rc = msg->data.result;
        long code = 0;
        curl_easy_getinfo (msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        char error [200] = "";
        channel_outcome_t outcome = CHANNEL_SENT;
        if (rc != CURLE_OK) {
            if (code > 0)
                snprintf (error, sizeof error, "%s (SMTP reply %ld)", curl_easy_strerror (rc), code);
            else
                snprintf (error, sizeof error, "%s", curl_easy_strerror (rc));
            //  5xx: the server refuses this message for good.
            outcome = code >= 500 && code < 600 ? CHANNEL_PERMANENT : CHANNEL_TEMPORARY;
        }
        s_finish (self, t, outcome, error);
    }
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
    t->smtp = self;
    t->text = text;
    t->len = strlen (text);
    t->done = done;
    t->arg = arg;
    t->delivery_id = strdup (msg->delivery_id);
    t->rcpt = curl_slist_append (NULL, msg->address);
    t->easy = self->idle_count ? self->idle [--self->idle_count] : curl_easy_init ();
    if (!t->delivery_id || !t->rcpt || !t->easy) {
        if (t->easy)
            curl_easy_cleanup (t->easy);
        curl_slist_free_all (t->rcpt);
        free (t->delivery_id);
        free (t->text);
        free (t);
        return -1;
    }
    CURL *easy = t->easy;
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
    curl_easy_setopt (easy, CURLOPT_PRIVATE, t);
    if (curl_multi_add_handle (self->multi, easy) != CURLM_OK) {
        curl_easy_cleanup (easy);
        curl_slist_free_all (t->rcpt);
        free (t->delivery_id);
        free (t->text);
        free (t);
        return -1;
    }
    t->next = self->active;
    self->active = t;
    return 0;
}

// ---- life

static void
s_timer_closed (uv_handle_t *handle)
{
    s_smtp_t *self = handle->data;
    curl_global_cleanup ();
    free (self->url);
    free (self->from);
    free (self->ca_file);
    free (self);
}

static void
s_destroy (channel_t *base)
{
    s_smtp_t *self = (s_smtp_t *) base;
    self->destroying = 1;
    while (self->active)
        s_finish (self, self->active, CHANNEL_CANCELLED, "stopping");
    for (size_t i = 0; i < self->idle_count; i++)
        curl_easy_cleanup (self->idle [i]);
    self->idle_count = 0;
    //  Closing the kept connections may tell s_on_socket to stop watching
    //  theirs; any socket still watched after that is closed here.
    curl_multi_cleanup (self->multi);
    self->multi = NULL;
    while (self->sockets)
        s_socket_close (self, self->sockets);
    uv_timer_stop (&self->timer);
    uv_close ((uv_handle_t *) &self->timer, s_timer_closed);
}

channel_t *
smtp_new (uv_loop_t *loop, const char *url, const char *from, int starttls, const char *ca_file,
          char *err, size_t err_size)
{
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
    if (self) {
        self->multi = curl_multi_init ();
        self->url = strdup (url);
        self->from = strdup (from);
        self->ca_file = ca_file && *ca_file ? strdup (ca_file) : NULL;
    }
    if (!self || !self->multi || !self->url || !self->from || (ca_file && *ca_file && !self->ca_file)) {
        if (self) {
            if (self->multi)
                curl_multi_cleanup (self->multi);
            free (self->url);
            free (self->from);
            free (self->ca_file);
        }
        free (self);
        curl_global_cleanup ();
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->base = (channel_t) { .name = "email", .capacity = SMTP_IN_FLIGHT, .start = s_start,
                               .destroy = s_destroy };
    self->loop = loop;
    self->starttls = starttls;
    uv_timer_init (loop, &self->timer);
    self->timer.data = self;
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, s_on_socket);
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, s_on_timer);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
    curl_multi_setopt (self->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long) SMTP_IN_FLIGHT);
    //  Keep as many idle connections as may be in use, for the next messages.
    curl_multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, (long) SMTP_IN_FLIGHT);
    return &self->base;
}
