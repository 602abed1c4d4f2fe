/*  gateway: the HTTP/JSON front door (h2o on libuv). Listens on
    KW_HTTP_ADDR, checks tokens and forwards each route to its service over
    RPC. SIGINT/SIGTERM stop listening and close every handle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_config.h"
#include "kw_health.h"
#include "kw_jwt.h"
#include "kw_log.h"
#include "kw_metrics.h"
#include "kw_metrics_http.h"
#include "kw_shutdown.h"
#include "gateway.h"
#include "openapi.h"
#include "too_large.h"

#define MAX_ENTITY (20 * 1024 * 1024)

static h2o_globalconf_t s_config;
static h2o_context_t s_context;
static h2o_accept_ctx_t s_accept;
static uv_tcp_t s_listener;
static kw_metrics_http_t *s_metrics;

static void
s_on_accept (uv_stream_t *listener, int status)
{
    if (status != 0)
        return;
    uv_tcp_t *conn = h2o_mem_alloc (sizeof *conn);
    uv_tcp_init (listener->loop, conn);
    if (uv_accept (listener, (uv_stream_t *) conn) != 0) {
        uv_close ((uv_handle_t *) conn, (uv_close_cb) free);
        return;
    }
    h2o_socket_t *sock = h2o_uv_socket_create ((uv_stream_t *) conn, (uv_close_cb) free);
    h2o_accept (&s_accept, sock);
}

static void
s_stop (int signum, void *arg)
{
    gateway_t *self = arg;
    kw_info ("stopping", "signal", signum == 2 ? "SIGINT" : "SIGTERM");
    uv_close ((uv_handle_t *) &s_listener, NULL);
    kw_metrics_http_destroy (&s_metrics);
    for (int i = 0; i < SERVICE_COUNT; i++)
        kw_rpc_client_destroy (&self->clients [i]);
    //  Keep-alive connections and h2o's timers would keep the loop alive:
    //  leave it now and let kw_loop_finish close whatever is still open.
    uv_stop (self->loop);
}

static int
s_setup (gateway_t *self, kw_config_var_t *vars, size_t count, void *zctx)
{
    char err [256];
    long timeout = 0, health_timeout = 0, max_body = 0;
    if (kw_config_int ("KW_RPC_TIMEOUT_MS", kw_config_get (vars, count, "KW_RPC_TIMEOUT_MS"),
                       50, 600000, &timeout, err, sizeof err)
    ||  kw_config_int ("KW_HEALTH_TIMEOUT_MS", kw_config_get (vars, count, "KW_HEALTH_TIMEOUT_MS"),
                       50, 60000, &health_timeout, err, sizeof err)
    ||  kw_config_int ("KW_MAX_BODY", kw_config_get (vars, count, "KW_MAX_BODY"),
                       1024, MAX_ENTITY, &max_body, err, sizeof err)) {
        fprintf (stderr, "gateway: %s\n", err);
        return -1;
    }
    self->rpc_timeout_ms = (unsigned) timeout;
    self->health_timeout_ms = (unsigned) health_timeout;
    self->max_body = (size_t) max_body;
    snprintf (self->issuer, sizeof self->issuer, "%s", kw_config_get (vars, count, "KW_JWT_ISSUER"));
    snprintf (self->audience, sizeof self->audience, "%s", kw_config_get (vars, count, "KW_JWT_AUDIENCE"));
    if (kw_jwt_policy_init (&self->policy, self->issuer, self->audience,
                            kw_config_get (vars, count, "KW_JWT_MAX_LIFETIME"), err, sizeof err) != 0) {
        fprintf (stderr, "gateway: %s\n", err);
        return -1;
    }
    self->regions = regions_new (kw_config_get (vars, count, "KW_REGION_DIR"), err, sizeof err);
    if (!self->regions) {
        fprintf (stderr, "gateway: %s\n", err);
        return -1;
    }
    self->secret = kw_jwt_secret_load (kw_config_get (vars, count, "KW_JWT_SECRET"),
                                       kw_config_get (vars, count, "KW_JWT_SECRET_FILE"),
                                       &self->secret_len, err, sizeof err);
    if (!self->secret) {
        fprintf (stderr, "gateway: %s\n", err);
        return -1;
    }
    self->tokens = tokens_new ();
    const char *callback_file = kw_config_get (vars, count, "KW_NOTIFY_CALLBACK_TOKEN_FILE");
    if (*callback_file
    &&  !(self->callback_token = kw_jwt_secret_load (NULL, callback_file, &self->callback_token_len,
                                                     err, sizeof err))) {
        fprintf (stderr, "gateway: KW_NOTIFY_CALLBACK_TOKEN_FILE: %s\n", err);
        return -1;
    }
    self->curve = kw_curve_new ("gateway", kw_config_get (vars, count, "KW_CURVE"),
                                kw_config_get (vars, count, "KW_CURVE_PUBLIC_DIR"),
                                kw_config_get (vars, count, "KW_CURVE_SECRET_FILE"), err, sizeof err);
    if (!self->curve) {
        fprintf (stderr, "gateway: %s\n", err);
        return -1;
    }
    for (int i = 0; i < SERVICE_COUNT; i++) {
        char name [64];
        snprintf (name, sizeof name, "KW_%s_RPC", route_service_names [i]);
        for (char *c = name; *c; c++)
            *c = (char) (*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        self->clients [i] = kw_rpc_client_new (self->loop, zctx, kw_config_get (vars, count, name),
                                               self->curve, route_service_names [i], err, sizeof err);
        if (!self->clients [i]) {
            fprintf (stderr, "gateway: %s: %s\n", name, err);
            return -1;
        }
    }
    return 0;
}

int
main (int argc, char **argv)
{
    kw_config_var_t vars [] = {
        { "KW_HTTP_ADDR", "127.0.0.1:8080", "address the HTTP API listens on (host:port, [v6]:port)", NULL },
        { "KW_JWT_SECRET", "", "HS256 secret for bearer tokens (at least 32 bytes)", NULL },
        { "KW_JWT_SECRET_FILE", "var/jwt_secret", "file holding the secret when KW_JWT_SECRET is empty", NULL },
        { "KW_JWT_ISSUER", KW_JWT_DEFAULT_ISSUER, "the issuer (iss) every token must name", NULL },
        { "KW_JWT_AUDIENCE", KW_JWT_DEFAULT_AUDIENCE, "the audience (aud) every token must name", NULL },
        { "KW_JWT_MAX_LIFETIME", "43200", "longest lifetime of a token (exp - iat), in seconds", NULL },
        { "KW_REGION_DIR", "deploy/regions", "directory of the region files (*.json): a token's region"
          " must be the id of one", NULL },
        { "KW_REFERRAL_RPC", "tcp://127.0.0.1:5561", "referral service RPC endpoint", NULL },
        { "KW_ELIGIBILITY_RPC", "tcp://127.0.0.1:5562", "eligibility service RPC endpoint", NULL },
        { "KW_ASSIGNMENT_RPC", "tcp://127.0.0.1:5563", "assignment service RPC endpoint (several instances:"
          " their endpoints comma-separated, also for the other services)", NULL },
        { "KW_SCHEDULING_RPC", "tcp://127.0.0.1:5564", "scheduling service RPC endpoint", NULL },
        { "KW_NOTIFICATION_RPC", "tcp://127.0.0.1:5565", "notification service RPC endpoint", NULL },
        { "KW_RPC_TIMEOUT_MS", "3000", "time a service has to answer before the client gets 503", NULL },
        { "KW_HEALTH_TIMEOUT_MS", "1000", "time each service has to answer a health probe", NULL },
        { "KW_MAX_BODY", "1048576", "largest JSON body accepted, in bytes (larger: 413)", NULL },
        { "KW_LOG_LEVEL", "info", "minimum log level: debug, info, warn, error", NULL },
        KW_CURVE_CONFIG_VARS,
        { "KW_NOTIFY_CALLBACK_TOKEN_FILE", "", "file holding the bearer token GOV.UK Notify sends with its"
          " delivery receipts (POST /v1/callbacks/notify; at least 32 bytes); empty: receipts answered 503", NULL },
        { "KW_GATEWAY_METRICS", "", "address (host:port) serving GET /metrics in the Prometheus text format,"
          " off the API port; empty: none (GET /metrics on KW_HTTP_ADDR answers the same)", NULL },
    };
    size_t count = sizeof vars / sizeof vars [0];
    char err [256];
    if (argc == 2 && strcmp (argv [1], "--openapi") == 0) {
        //  The API document the gateway serves, for linters and clients.
        json_t *doc = openapi_document ();
        int rc = json_dumpf (doc, stdout, JSON_INDENT (1) | JSON_SORT_KEYS) == 0 ? 0 : 1;
        json_decref (doc);
        return rc;
    }
    kw_health_mode_t health = kw_health_take (&argc, argv);
    int rc = kw_config_load (vars, count, "gateway",
                             "The HTTP gateway: the only HTTP surface of the key worker service.",
                             argc, argv, err, sizeof err);
    if (rc != 0) {
        if (rc < 0)
            fprintf (stderr, "gateway: %s\n", err);
        return rc > 0 ? 0 : 2;
    }
    if (health != KW_HEALTH_NONE) {
        //  The gateway's own answer waits up to KW_HEALTH_TIMEOUT_MS for the services.
        long probe_ms = 1000;
        kw_config_int ("KW_HEALTH_TIMEOUT_MS", kw_config_get (vars, count, "KW_HEALTH_TIMEOUT_MS"),
                       50, 60000, &probe_ms, err, sizeof err);
        return kw_health_gateway (kw_config_get (vars, count, "KW_HTTP_ADDR"), health,
                                  (unsigned) probe_ms + KW_HEALTH_TIMEOUT_MS);
    }
    kw_log_level_t level;
    if (kw_log_level_parse (kw_config_get (vars, count, "KW_LOG_LEVEL"), &level) != 0) {
        fprintf (stderr, "gateway: KW_LOG_LEVEL: expected debug, info, warn or error\n");
        return 2;
    }
    kw_log_init ("gateway", level);
    kw_metrics_process ("gateway");
    struct sockaddr_storage addr;
    if (kw_config_addr (kw_config_get (vars, count, "KW_HTTP_ADDR"), &addr) != 0) {
        fprintf (stderr, "gateway: KW_HTTP_ADDR: expected host:port\n");
        return 2;
    }

    uv_loop_t *loop = uv_default_loop ();
    void *zctx = zmq_ctx_new ();
    h2o_config_init (&s_config);
    s_config.max_request_entity_size = MAX_ENTITY;
    h2o_hostconf_t *host = h2o_config_register_host (&s_config, h2o_iovec_init (H2O_STRLIT ("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path (host, "/", 0);
    gateway_t *self = (gateway_t *) h2o_create_handler (path, sizeof (gateway_t));
    self->super.on_req = dispatch_request;
    self->loop = loop;
    if (s_setup (self, vars, count, zctx) != 0) {
        for (int i = 0; i < SERVICE_COUNT; i++)
            kw_rpc_client_destroy (&self->clients [i]);
        kw_loop_finish (loop);
        zmq_ctx_term (zctx);
        kw_curve_destroy (&self->curve);
        free (self->secret);
        free (self->callback_token);
        tokens_destroy (&self->tokens);
        return 2;
    }
    kw_metrics_on_collect (metrics_collect, self);
    metrics_unavailable (0);
    metrics_unauthenticated (0);
    metrics_forbidden (0);
    too_large_register (host, MAX_ENTITY, self->max_body, ROUTE_MAX_FILE);

    h2o_context_init (&s_context, loop, &s_config);
    s_accept.ctx = &s_context;
    s_accept.hosts = s_config.hosts;
    uv_tcp_init (loop, &s_listener);
    int uv_rc = uv_tcp_bind (&s_listener, (struct sockaddr *) &addr, 0);
    if (uv_rc == 0)
        uv_rc = uv_listen ((uv_stream_t *) &s_listener, 128, s_on_accept);
    if (uv_rc != 0) {
        kw_error ("listen_failed", "address", kw_config_get (vars, count, "KW_HTTP_ADDR"),
                  "error", uv_strerror (uv_rc));
        return 1;
    }
    const char *metrics_addr = kw_config_get (vars, count, "KW_GATEWAY_METRICS");
    if (*metrics_addr && !(s_metrics = kw_metrics_http_new (loop, metrics_addr, err, sizeof err)))
        kw_error ("metrics_listen_failed", "reason", err);
    kw_shutdown_t *shutdown = kw_shutdown_new (loop, s_stop, self);
    kw_info ("listening", "address", kw_config_get (vars, count, "KW_HTTP_ADDR"));
    uv_run (loop, UV_RUN_DEFAULT);
    kw_shutdown_destroy (&shutdown);
    int loop_rc = kw_loop_finish (loop);
    free (self->secret);
    free (self->callback_token);
    tokens_destroy (&self->tokens);
    regions_destroy (&self->regions);
    zmq_ctx_term (zctx);
    kw_curve_destroy (&self->curve);
    kw_metrics_reset ();
    if (loop_rc != 0)
        kw_error ("loop_not_clean");
    kw_info ("stopped");
    return loop_rc != 0;
}
