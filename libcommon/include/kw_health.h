/*  kw_health: `<program> --health`, the check a container runtime or an
    orchestrator runs beside a running program. It reads the same
    configuration as the program, asks the running instance over its own
    endpoint and exits 0 (healthy) or 1 within the timeout, printing one
    line that says why. A service answers its RPC method "health" (ready:
    it answers and reaches its database; live: it answers); the gateway
    answers GET /v1/health on its listen address (ready: 200, every service
    answers; live: any HTTP answer); the bus forwards a frame from its
    publish side to its subscribe side (ready and live alike). */
#ifndef KW_HEALTH_H
#define KW_HEALTH_H

#include <stddef.h>
#include "kw_curve.h"

typedef enum {
    KW_HEALTH_NONE = 0,         //  no check asked for: run the program
    KW_HEALTH_READY,            //  --health or --health=ready
    KW_HEALTH_LIVE              //  --health=live
} kw_health_mode_t;

#define KW_HEALTH_TIMEOUT_MS 2000

//  Take --health, --health=ready or --health=live out of argv (argc is
//  lowered, the rest keep their order) and return the mode asked for.
kw_health_mode_t kw_health_take (int *argc, char **argv);

//  The endpoint to connect to for one a program binds: a wildcard host
//  ("*", "0.0.0.0", "[::]", "[*]") becomes the loopback address of its
//  family; anything else is copied. Works for ZeroMQ endpoints
//  ("tcp://*:5561") and host:port addresses ("0.0.0.0:8080"). Returns 0, or
//  -1 when out is too small.
int kw_health_local (const char *bound, char *out, size_t size);

//  Ask the service program's RPC endpoint (as bound) for "health", with the
//  program's own key when curve is on. Returns 0 when it answers "ok" (or
//  anything, for KW_HEALTH_LIVE), else 1.
int kw_health_service (const char *program, const char *rpc_endpoint, kw_curve_t *curve,
                       kw_health_mode_t mode, unsigned timeout_ms);

//  GET /v1/health from the gateway listening on addr (host:port as bound).
//  Returns 0 on 200 (on any HTTP answer for KW_HEALTH_LIVE), else 1.
int kw_health_gateway (const char *addr, kw_health_mode_t mode, unsigned timeout_ms);

//  Publish a frame on the bus's publish endpoint and wait for it on its
//  subscribe endpoint (both as bound), with the bus's own key when curve is
//  on. Returns 0 when it arrives, else 1.
int kw_health_bus (const char *pub_endpoint, const char *sub_endpoint, kw_curve_t *curve,
                   unsigned timeout_ms);

#endif
