/*  kw_shutdown: graceful stop on SIGINT/SIGTERM. The callback runs on the
    loop (never inside a signal handler), after the work in hand is done. */
#ifndef KW_SHUTDOWN_H
#define KW_SHUTDOWN_H

#include <uv.h>

typedef struct _kw_shutdown_t kw_shutdown_t;
typedef void (kw_shutdown_fn) (int signum, void *arg);

kw_shutdown_t *kw_shutdown_new (uv_loop_t *loop, kw_shutdown_fn *fn, void *arg);
//  Stop watching; SIGINT and SIGTERM are ignored from then on, so a repeated
//  signal cannot cut the rest of the stop short (SIGKILL still ends it).
void kw_shutdown_destroy (kw_shutdown_t **self_p);

//  Close every handle still open on loop (owners should have closed theirs,
//  with their close callbacks, before) and run it until they are closed.
//  Returns uv_loop_close's result (0 when the loop is clean).
int kw_loop_finish (uv_loop_t *loop);

#endif
