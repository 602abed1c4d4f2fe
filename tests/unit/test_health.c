/*  Unit tests for kw_health: the --health flags taken out of argv, bound
    endpoints turned into ones to connect to, and the gateway check's
    reading of the HTTP status line (against a canned server in a child
    process), with a deadline when nothing answers. The checks against the
    real programs run in tests/integration/test_health.py. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kw_health.h"
#include "kw_time.h"
#include "tap.h"

static void
s_take_rows (void)
{
    static const struct {
        const char *args [4];
        kw_health_mode_t mode;
        const char *left [4];
    } rows [] = {
        { { "prog", NULL }, KW_HEALTH_NONE, { "prog", NULL } },
        { { "prog", "--health", NULL }, KW_HEALTH_READY, { "prog", NULL } },
        { { "prog", "--health=ready", NULL }, KW_HEALTH_READY, { "prog", NULL } },
        { { "prog", "--health=live", NULL }, KW_HEALTH_LIVE, { "prog", NULL } },
        { { "prog", "--migrate", "--health", NULL }, KW_HEALTH_READY, { "prog", "--migrate", NULL } },
        { { "prog", "--health=maybe", NULL }, KW_HEALTH_NONE, { "prog", "--health=maybe", NULL } },
        { { "prog", "--healthy", NULL }, KW_HEALTH_NONE, { "prog", "--healthy", NULL } },
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows [0]; r++) {
        char *argv [5] = { NULL };
        int argc = 0;
        while (rows [r].args [argc]) {
            argv [argc] = (char *) rows [r].args [argc];
            argc++;
        }
        kw_health_mode_t mode = kw_health_take (&argc, argv);
        int same = 1, n = 0;
        while (rows [r].left [n]) {
            same &= argv [n] && strcmp (argv [n], rows [r].left [n]) == 0;
            n++;
        }
        ok (mode == rows [r].mode && argc == n && same && argv [argc] == NULL,
            "take row %zu: mode %d, %d arguments left", r, (int) mode, argc);
    }
}

static void
s_local_rows (void)
{
    static const struct { const char *bound, *local; } rows [] = {
        { "tcp://*:5561", "tcp://127.0.0.1:5561" },
        { "tcp://0.0.0.0:5561", "tcp://127.0.0.1:5561" },
        { "tcp://[::]:5561", "tcp://[::1]:5561" },
        { "tcp://[*]:5561", "tcp://[::1]:5561" },
        { "tcp://referral:5561", "tcp://referral:5561" },
        { "tcp://10.1.2.3:5561", "tcp://10.1.2.3:5561" },
        { "ipc:///run/kw/referral-rpc", "ipc:///run/kw/referral-rpc" },
        { "0.0.0.0:8080", "127.0.0.1:8080" },
        { "[::]:8080", "[::1]:8080" },
        { "127.0.0.1:8080", "127.0.0.1:8080" },
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows [0]; r++) {
        char out [64];
        ok (kw_health_local (rows [r].bound, out, sizeof out) == 0 && strcmp (out, rows [r].local) == 0,
            "local endpoint of %s is %s", rows [r].bound, rows [r].local);
    }
    char small [12];
    ok (kw_health_local ("tcp://*:5561", small, sizeof small) == -1, "a buffer too small is refused");
}

//  A listening loopback socket; its port goes to *port.
static int
s_listener (int *port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen (fd, 4) != 0
    ||  getsockname (fd, (struct sockaddr *) &sa, &len) != 0)
        return -1;
    *port = ntohs (sa.sin_port);
    return fd;
}

//  Fork a server that answers one connection with reply (NULL: reads and
//  never answers); returns its pid.
static pid_t
s_serve_once (int fd, const char *reply)
{
    pid_t pid = fork ();
    if (pid == 0) {
        int conn = accept (fd, NULL, NULL);
        char buf [512];
        if (conn >= 0 && recv (conn, buf, sizeof buf, 0) > 0 && reply)
            send (conn, reply, strlen (reply), 0);
        sleep (reply ? 1 : 5);
        _exit (0);
    }
    return pid;
}

static char s_said [512];

//  Point stdout at s_said while a check prints its line; s_restore puts it back.
static FILE *
s_capture (void)
{
    fflush (stdout);
    FILE *saved = stdout;
    memset (s_said, 0, sizeof s_said);
    stdout = fmemopen (s_said, sizeof s_said - 1, "w");
    return saved;
}

static void
s_restore (FILE *saved)
{
    fclose (stdout);
    stdout = saved;
    s_said [strcspn (s_said, "\n")] = 0;
}

static void
s_gateway_rows (void)
{
    static const struct {
        const char *reply;
        kw_health_mode_t mode;
        int want;
        const char *says;
    } rows [] = {
        { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", KW_HEALTH_READY, 0, "answered 200" },
        { "HTTP/1.1 503 Service Unavailable\r\n\r\n", KW_HEALTH_READY, 1, "a service does not answer" },
        { "HTTP/1.1 503 Service Unavailable\r\n\r\n", KW_HEALTH_LIVE, 0, "answered 503" },
        { "HTTP/1.0 200 OK\r\n\r\n", KW_HEALTH_LIVE, 0, "answered 200" },
        { "SSH-2.0-OpenSSH\r\n", KW_HEALTH_LIVE, 1, "no HTTP answer" },
        { "", KW_HEALTH_LIVE, 1, "no HTTP answer" },
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows [0]; r++) {
        int port;
        int fd = s_listener (&port);
        pid_t pid = s_serve_once (fd, rows [r].reply);
        char addr [32];
        snprintf (addr, sizeof addr, "0.0.0.0:%d", port);
        FILE *saved = s_capture ();
        int rc = kw_health_gateway (addr, rows [r].mode, 1000);
        s_restore (saved);
        ok (rc == rows [r].want && strstr (s_said, rows [r].says), "gateway row %zu (%s): exit %d, %s", r,
            rows [r].mode == KW_HEALTH_LIVE ? "live" : "ready", rc, s_said);
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
        close (fd);
    }
    int port;
    int fd = s_listener (&port);
    pid_t pid = s_serve_once (fd, NULL);
    char addr [32];
    snprintf (addr, sizeof addr, "127.0.0.1:%d", port);
    uint64_t t0 = kw_time_mono_ms ();
    FILE *saved = s_capture ();
    int rc = kw_health_gateway (addr, KW_HEALTH_LIVE, 300);
    s_restore (saved);
    uint64_t took = kw_time_mono_ms () - t0;
    ok (rc == 1 && took >= 250 && took < 2000, "a gateway that never answers fails after the timeout (%llu ms)",
        (unsigned long long) took);
    kill (pid, SIGKILL);
    waitpid (pid, NULL, 0);
    close (fd);
    saved = s_capture ();
    rc = kw_health_gateway ("127.0.0.1:1", KW_HEALTH_LIVE, 300);
    s_restore (saved);
    ok (rc == 1 && strstr (s_said, "cannot connect to 127.0.0.1:1"), "nothing listening fails: %s", s_said);
    saved = s_capture ();
    rc = kw_health_gateway ("nonsense", KW_HEALTH_LIVE, 300);
    s_restore (saved);
    ok (rc == 1, "an address that does not parse fails: %s", s_said);
}

int
main (void)
{
    s_take_rows ();
    s_local_rows ();
    s_gateway_rows ();
    uint64_t t0 = kw_time_mono_ms ();
    FILE *saved = s_capture ();
    int rc = kw_health_bus ("tcp://*:1", "tcp://*:2", NULL, 200);
    s_restore (saved);
    ok (rc == 1 && kw_time_mono_ms () - t0 < 2000 && strstr (s_said, "tcp://127.0.0.1:2"),
        "a bus that is not there fails within the timeout: %s", s_said);
    t0 = kw_time_mono_ms ();
    saved = s_capture ();
    rc = kw_health_service ("referral", "tcp://*:1", NULL, KW_HEALTH_LIVE, 200);
    s_restore (saved);
    ok (rc == 1 && kw_time_mono_ms () - t0 < 2000 && strstr (s_said, "referral: no answer from tcp://127.0.0.1:1"),
        "a service that is not there fails within the timeout: %s", s_said);
    return tap_done ();
}
