/*  too_large: the text of the HTTP layer's own 413, sent for a body declared
    (or, chunked, grown) larger than any call accepts, before a route is
    known. It states the limits instead of h2o's "request entity is too large". */
#ifndef GATEWAY_TOO_LARGE_H
#define GATEWAY_TOO_LARGE_H

#include <stddef.h>
#include <h2o.h>

//  Replace the text of every 413 answered on host's fallback path (where h2o
//  answers before any route): hard_limit is h2o's max_request_entity_size,
//  json_limit the JSON body limit (KW_MAX_BODY), file_limit a file call's.
void too_large_register (h2o_hostconf_t *host, size_t hard_limit, size_t json_limit, size_t file_limit);

#endif
