/*  kw_health: the --health check of every long-running program (see
    kw_health.h). Each check prints one line to stdout and returns the
    process exit status. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>
#include "kw_config.h"
#include "kw_health.h"
#include "kw_rpc_client.h"
#include "kw_shutdown.h"
#include "kw_time.h"

#define RETRY_MS 50

kw_health_mode_t
kw_health_take (int *argc, char **argv)
{
    static const struct { const char *arg; kw_health_mode_t mode; } flags [] = {
        { "--health", KW_HEALTH_READY },
        { "--health=ready", KW_HEALTH_READY },
        { "--health=live", KW_HEALTH_LIVE },
    };
    for (size_t f = 0; f < sizeof flags / sizeof flags [0]; f++)
        if (kw_config_take (argc, argv, flags [f].arg))
            return flags [f].mode;
    return KW_HEALTH_NONE;
}

int
kw_health_local (const char *bound, char *out, size_t size)
{
    static const struct { const char *wild; const char *local; } hosts [] = {
        { "*:", "127.0.0.1:" }, { "0.0.0.0:", "127.0.0.1:" },
        { "[::]:", "[::1]:" }, { "[*]:", "[::1]:" },
    };
    const char *sep = strstr (bound, "://");
    size_t scheme = sep ? (size_t) (sep - bound) + 3 : 0;
    const char *host = bound + scheme;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts [0]; i++) {
        size_t len = strlen (hosts [i].wild);
        if (strncmp (host, hosts [i].wild, len) == 0) {
            int n = snprintf (out, size, "%.*s%s%s", (int) scheme, bound, hosts [i].local, host + len);
            return n < 0 || (size_t) n >= size ? -1 : 0;
        }
    }
    int n = snprintf (out, size, "%s", bound);
    return n < 0 || (size_t) n >= size ? -1 : 0;
}

// ---------------------------------------------------------------- services

typedef struct {
    uv_loop_t loop;
    kw_rpc_client_t *client;
    uv_timer_t retry;
    uint64_t deadline;              //  monotonic ms
    int answered;
    char status [32];               //  the service's answer, or its error
} probe_t;

static void s_probe_send (probe_t *probe);

static void
s_probe_retry_cb (uv_timer_t *timer)
{
    s_probe_send (timer->data);
}

//  A call that could not be sent (no peer yet: the connection is still
//  being made) fails at once; it is sent again until the deadline.
static void
s_probe_reply (const Kw__Response *resp, void *arg)
{
    probe_t *probe = arg;
    if (!resp) {
        if (kw_time_mono_ms () + RETRY_MS < probe->deadline)
            uv_timer_start (&probe->retry, s_probe_retry_cb, RETRY_MS, 0);
        else
            uv_stop (&probe->loop);
        return;
    }
    probe->answered = 1;
    snprintf (probe->status, sizeof probe->status, "error");
    if (resp->status == KW__STATUS__STATUS_OK) {
        Kw__HealthReply *reply = kw__health_reply__unpack (NULL, resp->payload.len, resp->payload.data);
        if (reply && reply->status)
            snprintf (probe->status, sizeof probe->status, "%s", reply->status);
        if (reply)
            kw__health_reply__free_unpacked (reply, NULL);
    }
    uv_stop (&probe->loop);
}

static void
s_probe_send (probe_t *probe)
{
    uint64_t now = kw_time_mono_ms ();
    Kw__Request request = KW__REQUEST__INIT;
    request.method = "health";
    kw_rpc_client_call (probe->client, &request,
                        (unsigned) (probe->deadline > now ? probe->deadline - now : 1),
                        s_probe_reply, probe);
}

int
kw_health_service (const char *program, const char *rpc_endpoint, kw_curve_t *curve,
                   kw_health_mode_t mode, unsigned timeout_ms)
{
    char endpoint [256], err [256] = "";
    if (kw_health_local (rpc_endpoint, endpoint, sizeof endpoint) != 0) {
        printf ("%s: endpoint too long\n", program);
        return 1;
    }
    probe_t probe = { .deadline = kw_time_mono_ms () + timeout_ms };
    uv_loop_init (&probe.loop);
    uv_timer_init (&probe.loop, &probe.retry);
    probe.retry.data = &probe;
    void *zctx = zmq_ctx_new ();
    probe.client = kw_rpc_client_new (&probe.loop, zctx, endpoint, curve, program, err, sizeof err);
    if (probe.client) {
        s_probe_send (&probe);
        uv_run (&probe.loop, UV_RUN_DEFAULT);
        kw_rpc_client_destroy (&probe.client);
    }
    uv_close ((uv_handle_t *) &probe.retry, NULL);
    kw_loop_finish (&probe.loop);
    zmq_ctx_term (zctx);

    int healthy = probe.answered
               && (mode == KW_HEALTH_LIVE || strcmp (probe.status, "ok") == 0);
    if (!probe.answered)
        printf ("%s: no answer from %s within %u ms%s%s\n", program, endpoint, timeout_ms,
                *err ? ": " : "", err);
    else
        printf ("%s: %s%s\n", program, probe.status,
                strcmp (probe.status, "degraded") == 0 ? " (its database does not answer)" : "");
    return healthy ? 0 : 1;
}

// ---------------------------------------------------------------- gateway

//  Connect to host:port (numeric, "[v6]:port" for IPv6) within timeout_ms;
//  returns the blocking socket or -1.
static int
s_tcp_connect (const char *addr, unsigned timeout_ms)
{
    char host [128];
    const char *colon = strrchr (addr, ':');
    if (!colon || colon == addr || (size_t) (colon - addr) >= sizeof host)
        return -1;
    memcpy (host, addr, (size_t) (colon - addr));
    host [colon - addr] = 0;
    int port = atoi (colon + 1);
    struct sockaddr_storage sa = { 0 };
    socklen_t len;
    size_t hlen = strlen (host);
    if (host [0] == '[' && hlen > 2 && host [hlen - 1] == ']') {
        host [hlen - 1] = 0;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons ((uint16_t) port);
        if (inet_pton (AF_INET6, host + 1, &in6->sin6_addr) != 1)
            return -1;
        len = sizeof *in6;
    }
    else {
        struct sockaddr_in *in4 = (struct sockaddr_in *) &sa;
        in4->sin_family = AF_INET;
        in4->sin_port = htons ((uint16_t) port);
        if (inet_pton (AF_INET, host, &in4->sin_addr) != 1)
            return -1;
        len = sizeof *in4;
    }
    int fd = socket (sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect (fd, (struct sockaddr *) &sa, len) != 0 && errno != EINPROGRESS) {
        close (fd);
        return -1;
    }
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int soerr = 0;
    socklen_t soerr_len = sizeof soerr;
    if (poll (&pfd, 1, (int) timeout_ms) != 1
    ||  getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len) != 0 || soerr != 0) {
        close (fd);
        return -1;
    }
    return fd;
}

int
kw_health_gateway (const char *addr, kw_health_mode_t mode, unsigned timeout_ms)
{
    char local [160];
    if (kw_health_local (addr, local, sizeof local) != 0) {
        printf ("gateway: address too long\n");
        return 1;
    }
    uint64_t deadline = kw_time_mono_ms () + timeout_ms;
    int fd = s_tcp_connect (local, timeout_ms);
    if (fd < 0) {
        printf ("gateway: cannot connect to %s\n", local);
        return 1;
    }
    char request [256];
    int n = snprintf (request, sizeof request,
                      "GET /v1/health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", local);
    char answer [64] = "";
    size_t got = 0;
    if (send (fd, request, (size_t) n, MSG_NOSIGNAL) == n) {
        //  Read the status line ("HTTP/1.1 200 OK") within the deadline.
        while (got < sizeof answer - 1 && !memchr (answer, '\n', got)) {
            uint64_t now = kw_time_mono_ms ();
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            if (now >= deadline || poll (&pfd, 1, (int) (deadline - now)) != 1)
                break;
            ssize_t r = recv (fd, answer + got, sizeof answer - 1 - got, 0);
            if (r <= 0)
                break;
            got += (size_t) r;
            answer [got] = 0;
        }
    }
    close (fd);
    int status = 0;
    if (strncmp (answer, "HTTP/1.", 7) != 0 || sscanf (answer + 8, " %3d", &status) != 1) {
        printf ("gateway: no HTTP answer from %s within %u ms\n", local, timeout_ms);
        return 1;
    }
    printf ("gateway: GET /v1/health answered %d%s\n", status,
            status == 503 ? " (a service does not answer or has no database)" : "");
    return status == 200 || (mode == KW_HEALTH_LIVE && status > 0) ? 0 : 1;
}

// ---------------------------------------------------------------- bus

int
kw_health_bus (const char *pub_endpoint, const char *sub_endpoint, kw_curve_t *curve,
               unsigned timeout_ms)
{
    char pub_local [256], sub_local [256];
    if (kw_health_local (pub_endpoint, pub_local, sizeof pub_local) != 0
    ||  kw_health_local (sub_endpoint, sub_local, sizeof sub_local) != 0) {
        printf ("bus: endpoint too long\n");
        return 1;
    }
    //  A topic of the bus's own (the bus passes a frame only from the
    //  producer its topic names), which no consumer subscribes to.
    char topic [64];
    snprintf (topic, sizeof topic, "bus._health.%ld.%llu", (long) getpid (),
              (unsigned long long) kw_time_now_us ());
    void *zctx = zmq_ctx_new ();
    void *pub = zmq_socket (zctx, ZMQ_PUB);
    void *sub = zmq_socket (zctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt (pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, topic, strlen (topic));
    int seen = 0;
    char err [256] = "";
    if (kw_curve_client (curve, pub, "bus", err, sizeof err) == 0
    &&  kw_curve_client (curve, sub, "bus", err, sizeof err) == 0
    &&  zmq_connect (sub, sub_local) == 0 && zmq_connect (pub, pub_local) == 0) {
        //  The subscription travels through the bus to the publisher first:
        //  until it has, the frame is dropped, so it is sent again.
        uint64_t deadline = kw_time_mono_ms () + timeout_ms;
        while (!seen && kw_time_mono_ms () < deadline) {
            zmq_send (pub, topic, strlen (topic), ZMQ_DONTWAIT);
            zmq_pollitem_t item = { .socket = sub, .events = ZMQ_POLLIN };
            if (zmq_poll (&item, 1, RETRY_MS) == 1) {
                char frame [64];
                int n = zmq_recv (sub, frame, sizeof frame, ZMQ_DONTWAIT);
                seen = n == (int) strlen (topic) && memcmp (frame, topic, (size_t) n) == 0;
            }
        }
    }
    zmq_close (pub);
    zmq_close (sub);
    zmq_ctx_term (zctx);
    if (seen)
        printf ("bus: ok (a frame went from %s to %s)\n", pub_local, sub_local);
    else
        printf ("bus: no frame from %s reached %s within %u ms%s%s\n", pub_local, sub_local,
                timeout_ms, *err ? ": " : "", err);
    return seen ? 0 : 1;
}
