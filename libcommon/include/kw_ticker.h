/*  kw_ticker: a repeating timer on a loop that runs one function at once
    and then every interval; when the function says more is due, the next
    run follows at once, the loop turning in between (calls are answered).
    The timers behind the services' sweeps (docs/design.md, "Work that is not a request"). */
#ifndef KW_TICKER_H
#define KW_TICKER_H

#include <uv.h>

typedef struct _kw_ticker_t kw_ticker_t;

//  One run; > 0 when more is due and the next run should follow at once.
typedef int (kw_ticker_fn) (void *arg);

//  Start a ticker on loop: fn (arg) now and every interval_ms. NULL when
//  memory runs out.
kw_ticker_t *kw_ticker_new (uv_loop_t *loop, unsigned interval_ms, kw_ticker_fn *fn, void *arg);

//  Stop the ticker; its handle is freed when the loop closes it.
void kw_ticker_destroy (kw_ticker_t **self_p);

#endif
