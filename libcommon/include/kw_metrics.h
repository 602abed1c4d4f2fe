/*  kw_metrics: the process's metric families (counters, gauges, histograms
    with fixed buckets) and their rendering in the Prometheus text exposition
    format 0.0.4. One registry per process (a mutex lets any thread count).
    Label values are names the code chooses (methods, producers, statuses),
    never identifiers or personal data; a family holds at most
    KW_METRICS_MAX_SERIES label sets, and any further set is counted in one
    series whose every label is "other". Names follow the Prometheus
    conventions: kw_<program or module>_<what>_<unit>, counters end in _total. */
#ifndef KW_METRICS_H
#define KW_METRICS_H

#include <stddef.h>

#define KW_METRICS_MAX_LABELS 3
//  Enough for every route of the gateway by status class, and every RPC
//  method by outcome (about 60 methods today, 3 outcomes).
#define KW_METRICS_MAX_SERIES 512
#define KW_METRICS_MAX_BUCKETS 16

typedef struct _kw_metric_t kw_metric_t;

//  The family name (registered once; a second call with the same name
//  returns the first family). labels: comma-separated label names
//  ("method,outcome"), or NULL for none.
kw_metric_t *kw_metrics_counter (const char *name, const char *help, const char *labels);
kw_metric_t *kw_metrics_gauge (const char *name, const char *help, const char *labels);
//  bounds: count ascending upper bounds (at most KW_METRICS_MAX_BUCKETS);
//  +Inf is added. NULL: kw_metrics_latency_buckets, in seconds.
kw_metric_t *kw_metrics_histogram (const char *name, const char *help, const char *labels,
                                   const double *bounds, size_t count);

//  Latency buckets in seconds, 1 ms to 10 s.
extern const double kw_metrics_latency_buckets [];
extern const size_t kw_metrics_latency_bucket_count;

//  Add value to a counter (value >= 0) or a gauge; the family's label values
//  follow, one const char * each (NULL: "").
void kw_metric_add (kw_metric_t *self, double value, ...);
//  Set a gauge; label values follow.
void kw_metric_set (kw_metric_t *self, double value, ...);
//  Record one observation in a histogram; label values follow.
void kw_metric_observe (kw_metric_t *self, double value, ...);

//  Called before each rendering, to set the gauges read at that moment (at
//  most KW_METRICS_MAX_COLLECTORS; kw_metrics_reset forgets them).
typedef void (kw_metrics_collect_fn) (void *arg);
#define KW_METRICS_MAX_COLLECTORS 8
void kw_metrics_on_collect (kw_metrics_collect_fn *fn, void *arg);

//  The families in the text format 0.0.4 (HELP, TYPE, samples), in
//  registration order: a NUL-terminated string the caller frees, its length
//  in *len.
char *kw_metrics_render (size_t *len);
//  Forget every family and collector (at exit, and between unit tests).
void kw_metrics_reset (void);

//  The families every program exports: kw_process_start_time_seconds and
//  kw_build_info{program,version}. Call once at start.
void kw_metrics_process (const char *program);

#endif
