/*  kw_metrics: the process registry of metric families and the text
    exposition format 0.0.4 (see kw_metrics.h). */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>
#include <zmq.h>
#include "kw_buf.h"
#include "kw_metrics.h"

typedef enum { S_COUNTER, S_GAUGE, S_HISTOGRAM } family_type_t;

typedef struct {
    char *values [KW_METRICS_MAX_LABELS];
    double value;                           //  counter, gauge
    uint64_t *buckets;                      //  histogram: observations per bucket (not cumulative)
    double sum;
    uint64_t count;
} series_t;

struct _kw_metric_t {
    char *name;
    char *help;
    family_type_t type;
    char *labels [KW_METRICS_MAX_LABELS];
    size_t label_count;
    double bounds [KW_METRICS_MAX_BUCKETS];
    size_t bound_count;
    series_t series [KW_METRICS_MAX_SERIES + 1];    //  the last: "other"
    size_t series_count;
    kw_metric_t *next;
};

//  Held while the families change or are read: a database call made off the
//  loop (a worker thread) may count its error.
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static kw_metric_t *s_families;
static struct {
    kw_metrics_collect_fn *fn;
    void *arg;
} s_collectors [KW_METRICS_MAX_COLLECTORS];
static size_t s_collector_count;

const double kw_metrics_latency_buckets [] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
const size_t kw_metrics_latency_bucket_count =
    sizeof kw_metrics_latency_buckets / sizeof kw_metrics_latency_buckets [0];

static kw_metric_t *
s_family (const char *name, const char *help, const char *labels, family_type_t type)
{
    pthread_mutex_lock (&s_lock);
    kw_metric_t *last = NULL;
    for (kw_metric_t *f = s_families; f; f = f->next) {
        if (strcmp (f->name, name) == 0) {
            pthread_mutex_unlock (&s_lock);
            return f;
        }
        last = f;
    }
    kw_metric_t *self = calloc (1, sizeof *self);
    assert (self);
    self->name = strdup (name);
    self->help = strdup (help);
    self->type = type;
    if (labels && *labels) {
        char *copy = strdup (labels);
        char *save = NULL;
        for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save)) {
            assert (self->label_count < KW_METRICS_MAX_LABELS);
            self->labels [self->label_count++] = strdup (t);
        }
        free (copy);
    }
    if (last)
        last->next = self;
    else
        s_families = self;
    pthread_mutex_unlock (&s_lock);
    return self;
}

kw_metric_t *
kw_metrics_counter (const char *name, const char *help, const char *labels)
{
    return s_family (name, help, labels, S_COUNTER);
}

kw_metric_t *
kw_metrics_gauge (const char *name, const char *help, const char *labels)
{
    return s_family (name, help, labels, S_GAUGE);
}

kw_metric_t *
kw_metrics_histogram (const char *name, const char *help, const char *labels,
                      const double *bounds, size_t count)
{
    kw_metric_t *self = s_family (name, help, labels, S_HISTOGRAM);
    pthread_mutex_lock (&s_lock);
    if (self->bound_count) {
        pthread_mutex_unlock (&s_lock);
        return self;
    }
    if (!bounds) {
        bounds = kw_metrics_latency_buckets;
        count = kw_metrics_latency_bucket_count;
    }
    assert (count >= 1 && count <= KW_METRICS_MAX_BUCKETS);
    for (size_t i = 0; i < count; i++) {
        assert (i == 0 || bounds [i] > bounds [i - 1]);
        self->bounds [i] = bounds [i];
    }
    self->bound_count = count;
    pthread_mutex_unlock (&s_lock);
    return self;
}

//  The series of these label values, made when new; the "other" series once
//  the family is full.
static series_t *
s_series (kw_metric_t *self, va_list args)
{
    const char *values [KW_METRICS_MAX_LABELS] = { NULL };
    for (size_t i = 0; i < self->label_count; i++) {
        values [i] = va_arg (args, const char *);
        if (!values [i])
            values [i] = "";
    }
    for (size_t s = 0; s < self->series_count; s++) {
        size_t i = 0;
        while (i < self->label_count && strcmp (self->series [s].values [i], values [i]) == 0)
            i++;
        if (i == self->label_count)
            return &self->series [s];
    }
    series_t *series;
    if (self->series_count < KW_METRICS_MAX_SERIES)
        series = &self->series [self->series_count++];
    else {
        series = &self->series [KW_METRICS_MAX_SERIES];
        if (series->values [0] || self->label_count == 0)
            return series;
        for (size_t i = 0; i < self->label_count; i++)
            values [i] = "other";
    }
    for (size_t i = 0; i < self->label_count; i++)
        series->values [i] = strdup (values [i]);
    if (self->type == S_HISTOGRAM) {
        series->buckets = calloc (self->bound_count + 1, sizeof *series->buckets);
        assert (series->buckets);
    }
    return series;
}

void
kw_metric_add (kw_metric_t *self, double value, ...)
{
    assert (self && self->type != S_HISTOGRAM);
    assert (self->type != S_COUNTER || value >= 0);
    va_list args;
    va_start (args, value);
    pthread_mutex_lock (&s_lock);
    s_series (self, args)->value += value;
    pthread_mutex_unlock (&s_lock);
    va_end (args);
}

void
kw_metric_set (kw_metric_t *self, double value, ...)
{
    assert (self && self->type == S_GAUGE);
    va_list args;
    va_start (args, value);
    pthread_mutex_lock (&s_lock);
    s_series (self, args)->value = value;
    pthread_mutex_unlock (&s_lock);
    va_end (args);
}

void
kw_metric_observe (kw_metric_t *self, double value, ...)
{
    assert (self && self->type == S_HISTOGRAM);
    va_list args;
    va_start (args, value);
    pthread_mutex_lock (&s_lock);
    series_t *series = s_series (self, args);
    va_end (args);
    size_t b = 0;
    while (b < self->bound_count && value > self->bounds [b])
        b++;
    series->buckets [b]++;
    series->sum += value;
    series->count++;
    pthread_mutex_unlock (&s_lock);
}

static void
s_puts (kw_buf_t *out, const char *text)
{
    kw_buf_append (out, text, strlen (text));
}

//  text with backslash and newline escaped, and the double quote too when
//  it is a label value.
static void
s_escaped (kw_buf_t *out, const char *text, int quote)
{
    for (const char *c = text; *c; c++) {
        if (*c == '\\')
            s_puts (out, "\\\\");
        else
        if (*c == '\n')
            s_puts (out, "\\n");
        else
        if (*c == '"' && quote)
            s_puts (out, "\\\"");
        else
            kw_buf_append (out, c, 1);
    }
}

static void
s_number (kw_buf_t *out, double value)
{
    char text [40];
    if (isnan (value))
        snprintf (text, sizeof text, "NaN");
    else
    if (isinf (value))
        snprintf (text, sizeof text, value > 0 ? "+Inf" : "-Inf");
    else
    if (value == floor (value) && fabs (value) < 9007199254740992.0)
        snprintf (text, sizeof text, "%.0f", value);
    else
        snprintf (text, sizeof text, "%.17g", value);
    s_puts (out, text);
}

//  name{labels[,le="bound"]} value
static void
s_sample (kw_buf_t *out, const kw_metric_t *family, const char *suffix, const series_t *series,
          const char *le, double value)
{
    s_puts (out, family->name);
    s_puts (out, suffix);
    if (family->label_count || le) {
        s_puts (out, "{");
        for (size_t i = 0; i < family->label_count; i++) {
            s_puts (out, i ? ",": "");
            s_puts (out, family->labels [i]);
            s_puts (out, "=\"");
            s_escaped (out, series->values [i], 1);
            s_puts (out, "\"");
        }
        if (le) {
            s_puts (out, family->label_count ? ",le=\"" : "le=\"");
            s_puts (out, le);
            s_puts (out, "\"");
        }
        s_puts (out, "}");
    }
    s_puts (out, " ");
    s_number (out, value);
    s_puts (out, "\n");
}

static void
s_render_series (kw_buf_t *out, const kw_metric_t *family, const series_t *series)
{
    if (family->type != S_HISTOGRAM) {
        s_sample (out, family, "", series, NULL, series->value);
        return;
    }
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= family->bound_count; b++) {
        cumulative += series->buckets [b];
        char le [40] = "+Inf";
        if (b < family->bound_count)
            snprintf (le, sizeof le, "%g", family->bounds [b]);
        s_sample (out, family, "_bucket", series, le, (double) cumulative);
    }
    s_sample (out, family, "_sum", series, NULL, series->sum);
    s_sample (out, family, "_count", series, NULL, (double) series->count);
}

void
kw_metrics_on_collect (kw_metrics_collect_fn *fn, void *arg)
{
    assert (s_collector_count < KW_METRICS_MAX_COLLECTORS);
    s_collectors [s_collector_count].fn = fn;
    s_collectors [s_collector_count++].arg = arg;
}

char *
kw_metrics_render (size_t *len)
{
    static const char *types [] = { "counter", "gauge", "histogram" };
    for (size_t i = 0; i < s_collector_count; i++)
        s_collectors [i].fn (s_collectors [i].arg);
    pthread_mutex_lock (&s_lock);
    kw_buf_t out = { 0 };
    kw_buf_reserve (&out, 4096);
    for (const kw_metric_t *f = s_families; f; f = f->next) {
        s_puts (&out, "# HELP ");
        s_puts (&out, f->name);
        s_puts (&out, " ");
        s_escaped (&out, f->help, 0);
        s_puts (&out, "\n# TYPE ");
        s_puts (&out, f->name);
        s_puts (&out, " ");
        s_puts (&out, types [f->type]);
        s_puts (&out, "\n");
        for (size_t s = 0; s < f->series_count; s++)
            s_render_series (&out, f, &f->series [s]);
        const series_t *other = &f->series [KW_METRICS_MAX_SERIES];
        if (other->values [0])
            s_render_series (&out, f, other);
    }
    pthread_mutex_unlock (&s_lock);
    kw_buf_append (&out, "", 1);
    *len = out.len - 1;
    return out.data;
}

static void
s_series_free (series_t *series)
{
    for (size_t i = 0; i < KW_METRICS_MAX_LABELS; i++)
        free (series->values [i]);
    free (series->buckets);
}

void
kw_metrics_reset (void)
{
    pthread_mutex_lock (&s_lock);
    s_collector_count = 0;
    while (s_families) {
        kw_metric_t *f = s_families;
        s_families = f->next;
        for (size_t s = 0; s <= KW_METRICS_MAX_SERIES; s++)
            s_series_free (&f->series [s]);
        for (size_t i = 0; i < f->label_count; i++)
            free (f->labels [i]);
        free (f->name);
        free (f->help);
        free (f);
    }
    pthread_mutex_unlock (&s_lock);
}

void
kw_metrics_process (const char *program)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    kw_metric_set (kw_metrics_gauge ("kw_process_start_time_seconds",
                                     "When the process started, in seconds since the Unix epoch.",
                                     NULL),
                   (double) now.tv_sec);
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    char zmq [32];
    snprintf (zmq, sizeof zmq, "%d.%d.%d", major, minor, patch);
    kw_metric_set (kw_metrics_gauge ("kw_build_info",
                                     "The program and the versions of the libraries it runs on (always 1).",
                                     "program,libuv,libzmq"),
                   1, program, uv_version_string (), zmq);
}
