/*  kw_metrics_http: the metrics listener (see kw_metrics_http.h). Each
    connection has a fixed buffer and a deadline timer; the answer is written
    without waiting for the client; once it is written the sending side is
    shut and whatever the client still sends is read and dropped until it
    closes or the deadline passes (so the answer is not lost to a reset). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_config.h"
#include "kw_metrics.h"
#include "kw_metrics_http.h"

typedef struct conn conn_t;

struct _kw_metrics_http_t {
    uv_tcp_t *listener;
    conn_t *conns;                          //  open connections, a doubly linked list
    size_t conn_count;
};

struct conn {
    uv_tcp_t tcp;
    uv_timer_t deadline;
    uv_shutdown_t shutdown;
    kw_metrics_http_t *server;
    conn_t *prev, *next;
    int closing;
    int handles_open;
    size_t len;
    char request [KW_METRICS_HTTP_MAX_REQUEST];
};

typedef struct {
    uv_write_t req;
    conn_t *conn;
    char head [256];
    char *body;
} answer_t;

static void
s_conn_free (uv_handle_t *handle)
{
    conn_t *conn = handle->data;
    if (--conn->handles_open == 0)
        free (conn);
}

static void
s_conn_close (conn_t *conn)
{
    if (conn->closing)
        return;
    conn->closing = 1;
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        conn->server->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->server->conn_count--;
    uv_close ((uv_handle_t *) &conn->deadline, s_conn_free);
    uv_close ((uv_handle_t *) &conn->tcp, s_conn_free);
}

static void
s_drain_alloc (uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    static char scratch [4096];
    *buf = uv_buf_init (scratch, sizeof scratch);
}

static void
s_drain (uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    if (nread < 0)
        s_conn_close (stream->data);
}

static void
s_shut (uv_shutdown_t *req, int status)
{
    conn_t *conn = req->data;
    if (status != 0 || conn->closing
    ||  uv_read_start ((uv_stream_t *) &conn->tcp, s_drain_alloc, s_drain) != 0)
        s_conn_close (conn);
}

static void
s_written (uv_write_t *req, int status)
{
    answer_t *answer = req->data;
    conn_t *conn = answer->conn;
    free (answer->body);
    free (answer);
    if (conn->closing)
        return;
    conn->shutdown.data = conn;
    if (status != 0 || uv_shutdown (&conn->shutdown, (uv_stream_t *) &conn->tcp, s_shut) != 0)
        s_conn_close (conn);
}

//  Write the answer and close the connection once it is out.
static void
s_answer (conn_t *conn, int status, const char *reason, const char *extra, char *body,
          size_t body_len, int send_body)
{
    uv_read_stop ((uv_stream_t *) &conn->tcp);
    answer_t *answer = calloc (1, sizeof *answer);
    assert (answer);
    answer->conn = conn;
    answer->body = body;
    answer->req.data = answer;
    int n = snprintf (answer->head, sizeof answer->head,
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                      "Connection: close\r\n\r\n", status, reason,
                      status == 200 ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
                      body_len, extra);
    uv_buf_t bufs [2] = { uv_buf_init (answer->head, (unsigned) n),
                          uv_buf_init (body, send_body ? (unsigned) body_len : 0) };
    if (uv_write (&answer->req, (uv_stream_t *) &conn->tcp, bufs, 2, s_written) != 0) {
        s_conn_close (conn);
        free (answer->body);
        free (answer);
    }
}

static void
s_error (conn_t *conn, int status, const char *reason, const char *extra)
{
    char *body = NULL;
    int n = asprintf (&body, "%d %s\n", status, reason);
    assert (n > 0);
    s_answer (conn, status, reason, extra, body, (size_t) n, 1);
}

//  A whole request head is in the buffer: answer it.
static void
s_handle (conn_t *conn)
{
    char *line = conn->request;
    char *end = strpbrk (line, "\r\n");
    *end = 0;
    char *method = line;
    char *target = strchr (method, ' ');
    char *version = target ? strchr (target + 1, ' ') : NULL;
    if (!target || !version || strchr (version + 1, ' ')
    ||  (strcmp (version + 1, "HTTP/1.1") != 0 && strcmp (version + 1, "HTTP/1.0") != 0)) {
        s_error (conn, 400, "Bad Request", "");
        return;
    }
    *target++ = 0;
    *version = 0;
    size_t path_len = strcspn (target, "?");
    if (target [0] != '/') {
        s_error (conn, 400, "Bad Request", "");
        return;
    }
    if (path_len != strlen ("/metrics") || strncmp (target, "/metrics", path_len) != 0) {
        s_error (conn, 404, "Not Found", "");
        return;
    }
    int head = strcmp (method, "HEAD") == 0;
    if (strcmp (method, "GET") != 0 && !head) {
        s_error (conn, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
        return;
    }
    size_t len;
    char *body = kw_metrics_render (&len);
    s_answer (conn, 200, "OK", "", body, len, !head);
}

static void
s_alloc (uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    conn_t *conn = handle->data;
    //  One byte kept for the terminating NUL.
    *buf = uv_buf_init (conn->request + conn->len,
                        (unsigned) (sizeof conn->request - 1 - conn->len));
}

static void
s_read (uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *conn = stream->data;
    if (nread < 0) {
        s_conn_close (conn);
        return;
    }
    if (nread == 0)
        return;
    conn->len += (size_t) nread;
    conn->request [conn->len] = 0;
    if (memchr (conn->request, 0, conn->len)) {
        s_error (conn, 400, "Bad Request", "");
        return;
    }
    if (strstr (conn->request, "\r\n\r\n") || strstr (conn->request, "\n\n"))
        s_handle (conn);
    else
    if (conn->len == sizeof conn->request - 1)
        s_error (conn, 431, "Request Header Fields Too Large", "");
}

static void
s_deadline (uv_timer_t *timer)
{
    s_conn_close (timer->data);
}

static void
s_accept (uv_stream_t *listener, int status)
{
    kw_metrics_http_t *self = listener->data;
    if (status != 0)
        return;
    conn_t *conn = calloc (1, sizeof *conn);
    assert (conn);
    uv_tcp_init (listener->loop, &conn->tcp);
    uv_timer_init (listener->loop, &conn->deadline);
    conn->tcp.data = conn->deadline.data = conn;
    conn->handles_open = 2;
    conn->server = self;
    conn->next = self->conns;
    if (self->conns)
        self->conns->prev = conn;
    self->conns = conn;
    self->conn_count++;
    if (uv_accept (listener, (uv_stream_t *) &conn->tcp) != 0
    ||  self->conn_count > KW_METRICS_HTTP_MAX_CONNECTIONS) {
        s_conn_close (conn);
        return;
    }
    uv_timer_start (&conn->deadline, s_deadline, KW_METRICS_HTTP_TIMEOUT_MS, 0);
    uv_read_start ((uv_stream_t *) &conn->tcp, s_alloc, s_read);
}

static void
s_free_handle (uv_handle_t *handle)
{
    free (handle);
}

kw_metrics_http_t *
kw_metrics_http_new (uv_loop_t *loop, const char *addr, char *err, size_t err_size)
{
    struct sockaddr_storage sa;
    if (kw_config_addr (addr, &sa) != 0) {
        snprintf (err, err_size, "%s: expected host:port or [v6]:port", addr);
        return NULL;
    }
    kw_metrics_http_t *self = calloc (1, sizeof *self);
    assert (self);
    self->listener = malloc (sizeof *self->listener);
    assert (self->listener);
    uv_tcp_init (loop, self->listener);
    self->listener->data = self;
    int rc = uv_tcp_bind (self->listener, (struct sockaddr *) &sa, 0);
    if (rc == 0)
        rc = uv_listen ((uv_stream_t *) self->listener, 64, s_accept);
    if (rc != 0) {
        snprintf (err, err_size, "cannot listen on %s: %s", addr, uv_strerror (rc));
        kw_metrics_http_destroy (&self);
        return NULL;
    }
    return self;
}

void
kw_metrics_http_destroy (kw_metrics_http_t **self_p)
{
    assert (self_p);
    kw_metrics_http_t *self = *self_p;
    if (!self)
        return;
    uv_close ((uv_handle_t *) self->listener, s_free_handle);
    while (self->conns)
        s_conn_close (self->conns);
    free (self);
    *self_p = NULL;
}
