/*  too_large: the HTTP layer's 413, before any route, states the limits.
    h2o refuses a body over max_request_entity_size while reading the
    request, answers through the host's fallback path, and its text names no
    limit; a filter on that path puts this text in its place. */
#include <stdio.h>
#include "request.h"
#include "too_large.h"

typedef struct {
    h2o_filter_t super;
    char text [320];
    size_t len;
} too_large_filter_t;

typedef struct {
    h2o_ostream_t super;
    too_large_filter_t *filter;
} too_large_ostream_t;

//  Send the filter's text in place of h2o's (a HEAD answer has no body).
static void
s_send (h2o_ostream_t *ostream, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    too_large_filter_t *filter = ((too_large_ostream_t *) ostream)->filter;
    h2o_iovec_t text = h2o_iovec_init (filter->text, filter->len);
    h2o_ostream_send_next (ostream, req, bufcnt ? &text : NULL, bufcnt ? 1 : 0, state);
}

static void
s_on_setup_ostream (h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    if (req->res.status == 413) {
        too_large_filter_t *filter = (too_large_filter_t *) self;
        too_large_ostream_t *ostream = (too_large_ostream_t *) h2o_add_ostream (req, sizeof *ostream, slot);
        ostream->super.do_send = s_send;
        ostream->filter = filter;
        req->res.content_length = filter->len;
        slot = &ostream->super.next;
    }
    h2o_setup_next_ostream (req, slot);
}

void
too_large_register (h2o_hostconf_t *host, size_t hard_limit, size_t json_limit, size_t file_limit)
{
    too_large_filter_t *filter =
        (too_large_filter_t *) h2o_create_filter (&host->fallback_path, sizeof *filter);
    filter->super.on_setup_ostream = s_on_setup_ostream;
    char hard [64], json [64], file [64];
    request_limit_text (hard_limit, hard, sizeof hard);
    request_limit_text (json_limit, json, sizeof json);
    request_limit_text (file_limit, file, sizeof file);
    int n = snprintf (filter->text, sizeof filter->text,
                      "the body is over the limit of %s, the most any call reads"
                      " (a JSON body: at most %s; a DSR file: at most %s)\n", hard, json, file);
    filter->len = n > 0 && (size_t) n < sizeof filter->text ? (size_t) n : sizeof filter->text - 1;
}
