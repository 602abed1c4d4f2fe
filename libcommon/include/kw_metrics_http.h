/*  kw_metrics_http: a program's metrics listener on its libuv loop. It
    serves only GET (and HEAD) /metrics, the registry of kw_metrics in the
    text format 0.0.4, one request a connection: a request line and headers
    of at most KW_METRICS_HTTP_MAX_REQUEST bytes, read within
    KW_METRICS_HTTP_TIMEOUT_MS, at most KW_METRICS_HTTP_MAX_CONNECTIONS at a
    time; a request body is never read. Anything else is answered 400, 404,
    405 or 431 and the connection closed. */
#ifndef KW_METRICS_HTTP_H
#define KW_METRICS_HTTP_H

#include <stddef.h>
#include <uv.h>

#define KW_METRICS_HTTP_MAX_REQUEST 4096
#define KW_METRICS_HTTP_TIMEOUT_MS 5000
#define KW_METRICS_HTTP_MAX_CONNECTIONS 16

typedef struct _kw_metrics_http_t kw_metrics_http_t;

//  Listen on addr ("host:port", "[v6]:port") on loop. NULL with the reason
//  in err when the address is not one or cannot be bound.
kw_metrics_http_t *kw_metrics_http_new (uv_loop_t *loop, const char *addr, char *err, size_t err_size);
//  Stop listening and close every open connection. Clears the caller's pointer.
void kw_metrics_http_destroy (kw_metrics_http_t **self_p);

#endif
