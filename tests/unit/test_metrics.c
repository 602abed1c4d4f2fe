/*  Unit tests for kw_metrics: the text exposition format 0.0.4 (HELP and
    TYPE lines, label values escaped, histogram buckets cumulative with +Inf
    equal to _count, _sum), the "other" series of a full family, and one
    family per name. The scrape of every real program, parsed by a
    Prometheus parser, is tests/integration/test_metrics.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_metrics.h"
#include "tap.h"

static char *
s_render (void)
{
    size_t len;
    char *text = kw_metrics_render (&len);
    ok (strlen (text) == len, "the length given is the text's");
    return text;
}

static void
s_counter_and_escaping (void)
{
    kw_metric_t *c = kw_metrics_counter ("kw_test_calls_total", "Calls\\made\nby test.", "method,outcome");
    kw_metric_add (c, 1, "referral.create", "ok");
    kw_metric_add (c, 2, "referral.create", "ok");
    kw_metric_add (c, 1, "a\"b\\c\nd", NULL);
    ok (kw_metrics_counter ("kw_test_calls_total", "other help", NULL) == c, "one family per name");
    char *text = s_render ();
    ok (strstr (text, "# HELP kw_test_calls_total Calls\\\\made\\nby test.\n"
                      "# TYPE kw_test_calls_total counter\n") != NULL, "HELP escaped, then TYPE");
    ok (strstr (text, "kw_test_calls_total{method=\"referral.create\",outcome=\"ok\"} 3\n") != NULL,
        "counter summed per label set");
    ok (strstr (text, "kw_test_calls_total{method=\"a\\\"b\\\\c\\nd\",outcome=\"\"} 1\n") != NULL,
        "label value escaped (quote, backslash, newline); NULL is empty");
    free (text);
    kw_metrics_reset ();
}

static void
s_gauge_values (void)
{
    kw_metric_t *g = kw_metrics_gauge ("kw_test_lag_events", "Lag.", "producer");
    kw_metric_set (g, 7, "referral");
    kw_metric_set (g, 0, "referral");
    kw_metric_add (g, 2.5, "eligibility");
    kw_metric_t *plain = kw_metrics_gauge ("kw_test_plain", "No labels.", NULL);
    kw_metric_set (plain, 1e300);
    char *text = s_render ();
    ok (strstr (text, "# TYPE kw_test_lag_events gauge\n") != NULL, "gauge type");
    ok (strstr (text, "kw_test_lag_events{producer=\"referral\"} 0\n") != NULL, "gauge set replaces");
    ok (strstr (text, "kw_test_lag_events{producer=\"eligibility\"} 2.5\n") != NULL, "fraction printed");
    ok (strstr (text, "kw_test_plain 1.0000000000000001e+300\n") != NULL, "no braces without labels");
    free (text);
    kw_metrics_reset ();
}

static void
s_histogram (void)
{
    const double bounds [] = { 0.1, 1, 10 };
    kw_metric_t *h = kw_metrics_histogram ("kw_test_duration_seconds", "Duration.", "method",
                                           bounds, 3);
    kw_metric_observe (h, 0.05, "get");
    kw_metric_observe (h, 0.1, "get");         //  on the bound: in that bucket
    kw_metric_observe (h, 0.5, "get");
    kw_metric_observe (h, 20, "get");          //  only in +Inf
    char *text = s_render ();
    if (!ok (strstr (text, "# TYPE kw_test_duration_seconds histogram\n"
                      "kw_test_duration_seconds_bucket{method=\"get\",le=\"0.1\"} 2\n"
                      "kw_test_duration_seconds_bucket{method=\"get\",le=\"1\"} 3\n"
                      "kw_test_duration_seconds_bucket{method=\"get\",le=\"10\"} 3\n"
                      "kw_test_duration_seconds_bucket{method=\"get\",le=\"+Inf\"} 4\n"
                      "kw_test_duration_seconds_sum{method=\"get\"} 20.649999999999999\n"
                      "kw_test_duration_seconds_count{method=\"get\"} 4\n") != NULL,
        "buckets cumulative, +Inf equals _count, then _sum and _count"))
        tap_diag ("%s", text);
    free (text);
    kw_metrics_reset ();
    kw_metric_t *d = kw_metrics_histogram ("kw_test_default_seconds", "Default buckets.", NULL, NULL, 0);
    kw_metric_observe (d, 0.003);
    text = s_render ();
    ok (strstr (text, "kw_test_default_seconds_bucket{le=\"0.001\"} 0\n") != NULL
        && strstr (text, "kw_test_default_seconds_bucket{le=\"0.005\"} 1\n") != NULL
        && strstr (text, "kw_test_default_seconds_bucket{le=\"10\"} 1\n") != NULL
        && strstr (text, "kw_test_default_seconds_bucket{le=\"+Inf\"} 1\n") != NULL,
        "latency buckets in seconds by default");
    free (text);
    kw_metrics_reset ();
}

static void
s_bounded_series (void)
{
    kw_metric_t *c = kw_metrics_counter ("kw_test_methods_total", "Methods.", "method");
    char name [32];
    for (int i = 0; i < KW_METRICS_MAX_SERIES + 10; i++) {
        snprintf (name, sizeof name, "m%d", i);
        kw_metric_add (c, 1, name);
    }
    kw_metric_add (c, 1, "m0");
    char *text = s_render ();
    int lines = 0;
    for (char *at = text; (at = strstr (at, "kw_test_methods_total{")); at++)
        lines++;
    is_int (lines, KW_METRICS_MAX_SERIES + 1, "a full family keeps its series and one more");
    ok (strstr (text, "kw_test_methods_total{method=\"other\"} 10\n") != NULL,
        "label sets past the bound are counted as \"other\"");
    ok (strstr (text, "kw_test_methods_total{method=\"m0\"} 2\n") != NULL, "a known set still counts");
    snprintf (name, sizeof name, "{method=\"m%d\"}", KW_METRICS_MAX_SERIES);
    ok (strstr (text, name) == NULL, "the first set past the bound has no series of its own");
    free (text);
    kw_metrics_reset ();
}

static int s_collected;

static void
s_collect (void *arg)
{
    s_collected++;
    kw_metric_set (kw_metrics_gauge ("kw_test_pending", "Pending.", NULL), *(int *) arg);
}

static void
s_collector (void)
{
    int pending = 4;
    kw_metrics_on_collect (s_collect, &pending);
    char *text = s_render ();
    ok (s_collected == 1 && strstr (text, "kw_test_pending 4\n") != NULL, "collector runs before rendering");
    free (text);
    kw_metrics_reset ();
    text = s_render ();
    ok (s_collected == 1 && strcmp (text, "") == 0, "reset forgets families and collectors");
    free (text);
}

static void
s_process (void)
{
    kw_metrics_process ("bus");
    char *text = s_render ();
    ok (strstr (text, "# TYPE kw_process_start_time_seconds gauge\nkw_process_start_time_seconds 1") != NULL,
        "start time in seconds since the epoch");
    ok (strstr (text, "kw_build_info{program=\"bus\",libuv=\"") != NULL, "build info names the program");
    free (text);
    kw_metrics_reset ();
}

int
main (void)
{
    s_counter_and_escaping ();
    s_gauge_values ();
    s_histogram ();
    s_bounded_series ();
    s_collector ();
    s_process ();
    return tap_done ();
}
