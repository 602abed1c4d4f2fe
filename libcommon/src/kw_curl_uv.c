/*  kw_curl_uv: libcurl multi on libuv (curl's multi-uv.c pattern): libcurl
    tells the driver which sockets to watch (one uv_poll_t each) and when to
    call it back (one uv_timer_t); the driver tells libcurl what happened
    and hands finished transfers back to their owners. */
#include <stdlib.h>
#include <string.h>
#include "kw_buf.h"
#include "kw_curl_uv.h"

#define CONNECT_TIMEOUT_MS 10000L

typedef struct _poll_t {
    uv_poll_t handle;
    curl_socket_t fd;
    struct _kw_curl_uv_t *driver;
    struct _poll_t *next;
} poll_t;

typedef struct _transfer_t {
    CURL *easy;
    kw_curl_uv_done_fn *done;
    void *arg;
    struct _transfer_t *prev, *next;
} transfer_t;

struct _kw_curl_uv_t {
    uv_timer_t timer;           //  first: its close callback frees the driver
    uv_loop_t *loop;
    CURLM *multi;
    poll_t *polls;              //  sockets watched
    transfer_t *transfers;      //  in flight
    size_t pending;
};

static void
s_unlink (kw_curl_uv_t *self, transfer_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        self->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    self->pending--;
}

//  Hand every finished transfer back to its owner.
static void
s_drain (kw_curl_uv_t *self)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read (self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        transfer_t *t = NULL;
        curl_easy_getinfo (easy, CURLINFO_PRIVATE, (char **) &t);
        curl_multi_remove_handle (self->multi, easy);
        curl_easy_setopt (easy, CURLOPT_PRIVATE, NULL);
        if (!t)
            continue;
        s_unlink (self, t);
        kw_curl_uv_done_fn *done = t->done;
        void *arg = t->arg;
        free (t);
        done (easy, result, arg);
    }
}

static void
s_on_poll (uv_poll_t *handle, int status, int events)
{
    poll_t *p = handle->data;
    kw_curl_uv_t *self = p->driver;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    curl_multi_socket_action (self->multi, p->fd, flags, &running);
    s_drain (self);
}

static void
s_on_timer (uv_timer_t *timer)
{
    kw_curl_uv_t *self = timer->data;
    int running;
    curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    s_drain (self);
}

//  libcurl's timer callback: -1 stops the timer; 0 is armed as 1 ms so that
//  libcurl is never called from inside its own callback.
static int
s_timer_cb (CURLM *multi, long timeout_ms, void *arg)
{
    kw_curl_uv_t *self = arg;
    if (timeout_ms < 0)
        uv_timer_stop (&self->timer);
    else
        uv_timer_start (&self->timer, s_on_timer, timeout_ms ? (uint64_t) timeout_ms : 1, 0);
    return 0;
}

static void
s_poll_closed (uv_handle_t *handle)
{
    free (handle->data);
}

static void
s_poll_forget (kw_curl_uv_t *self, poll_t *p)
{
    for (poll_t **at = &self->polls; *at; at = &(*at)->next)
        if (*at == p) {
            *at = p->next;
            break;
        }
    uv_poll_stop (&p->handle);
    uv_close ((uv_handle_t *) &p->handle, s_poll_closed);
}

//  libcurl's socket callback: watch fd for what it asks, or stop watching.
static int
s_socket_cb (CURL *easy, curl_socket_t fd, int what, void *arg, void *socketp)
{
    kw_curl_uv_t *self = arg;
    poll_t *p = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (p) {
            curl_multi_assign (self->multi, fd, NULL);
            s_poll_forget (self, p);
        }
        return 0;
    }
    if (!p) {
        p = calloc (1, sizeof *p);
        if (!p || uv_poll_init_socket (self->loop, &p->handle, fd) != 0) {
            free (p);
            return -1;
        }
        p->fd = fd;
        p->driver = self;
        p->handle.data = p;
        p->next = self->polls;
        self->polls = p;
        curl_multi_assign (self->multi, fd, p);
    }
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    uv_poll_start (&p->handle, events, s_on_poll);
    return 0;
}

kw_curl_uv_t *
kw_curl_uv_new (uv_loop_t *loop, long max_connections)
{
    kw_curl_uv_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->loop = loop;
    self->multi = curl_multi_init ();
    if (!self->multi) {
        free (self);
        return NULL;
    }
    uv_timer_init (loop, &self->timer);
    self->timer.data = self;
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, s_socket_cb);
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, s_timer_cb);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
    if (max_connections > 0) {
        curl_multi_setopt (self->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_connections);
        //  Keep as many idle connections as may be in use, for the next transfers.
        curl_multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, max_connections);
    }
    return self;
}

int
kw_curl_uv_add (kw_curl_uv_t *self, CURL *easy, kw_curl_uv_done_fn *done, void *arg)
{
    transfer_t *t = calloc (1, sizeof *t);
    if (!t)
        return -1;
    *t = (transfer_t) { .easy = easy, .done = done, .arg = arg, .next = self->transfers };
    curl_easy_setopt (easy, CURLOPT_PRIVATE, (char *) t);
    if (curl_multi_add_handle (self->multi, easy) != CURLM_OK) {
        curl_easy_setopt (easy, CURLOPT_PRIVATE, NULL);
        free (t);
        return -1;
    }
    if (self->transfers)
        self->transfers->prev = t;
    self->transfers = t;
    self->pending++;
    return 0;
}

size_t
kw_curl_uv_pending (const kw_curl_uv_t *self)
{
    return self->pending;
}

static void
s_driver_closed (uv_handle_t *handle)
{
    free (handle->data);
}

void
kw_curl_uv_destroy (kw_curl_uv_t **self_p)
{
    kw_curl_uv_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    *self_p = NULL;
    while (self->transfers) {
        transfer_t *t = self->transfers;
        curl_multi_remove_handle (self->multi, t->easy);
        curl_easy_setopt (t->easy, CURLOPT_PRIVATE, NULL);
        s_unlink (self, t);
        t->done (t->easy, CURLE_ABORTED_BY_CALLBACK, t->arg);
        free (t);
    }
    curl_multi_cleanup (self->multi);
    while (self->polls)
        s_poll_forget (self, self->polls);
    uv_timer_stop (&self->timer);
    uv_close ((uv_handle_t *) &self->timer, s_driver_closed);
}

typedef struct {
    struct curl_slist *headers;
    char *body;
    kw_buf_t answer;
    kw_curl_uv_post_fn *done;
    void *arg;
} post_t;

static size_t
s_on_data (char *data, size_t size, size_t count, void *arg)
{
    post_t *post = arg;
    size_t n = size * count;
    if (post->answer.len + n > KW_CURL_UV_MAX_ANSWER)
        return 0;
    kw_buf_append (&post->answer, data, n);
    return n;
}

static void
s_post_free (post_t *post)
{
    curl_slist_free_all (post->headers);
    free (post->body);
    kw_buf_free (&post->answer);
    free (post);
}

static void
s_post_done (CURL *easy, CURLcode result, void *arg)
{
    post_t *post = arg;
    long status = 0;
    if (result == CURLE_OK)
        curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup (easy);
    size_t len = post->answer.len;
    if (post->answer.data)
        kw_buf_append (&post->answer, "", 1);
    post->done (result, status, post->answer.data, len, post->arg);
    s_post_free (post);
}

int
kw_curl_uv_post (kw_curl_uv_t *self, const char *url, struct curl_slist *headers, const char *body,
                 size_t len, long timeout_ms, kw_curl_uv_post_fn *done, void *arg)
{
    post_t *post = calloc (1, sizeof *post);
    CURL *easy = curl_easy_init ();
    char *copy = malloc (len + 1);
    if (!post || !easy || !copy) {
        free (post);
        free (copy);
        curl_easy_cleanup (easy);
        curl_slist_free_all (headers);
        return -1;
    }
    memcpy (copy, body, len);
    copy [len] = 0;
    *post = (post_t) { .headers = headers, .body = copy, .done = done, .arg = arg };
    curl_easy_setopt (easy, CURLOPT_URL, url);
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER, post->headers);
    curl_easy_setopt (easy, CURLOPT_POSTFIELDS, post->body);
    curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) len);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_on_data);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, post);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms
                                                                                       : CONNECT_TIMEOUT_MS);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (kw_curl_uv_add (self, easy, s_post_done, post) != 0) {
        curl_easy_cleanup (easy);
        s_post_free (post);
        return -1;
    }
    return 0;
}
