/*  outside: the gateway's routes that carry no bearer token, for people and
    systems outside the platform's sign-in: a signed link's page (GET and
    POST /v1/links/{token} for an offer, /v1/meeting-links/{token} for a
    meeting invitation, answered in HTML) and GOV.UK Notify's delivery
    receipts (POST /v1/callbacks/notify, authenticated by the configured
    callback token). docs/security.md, "Signed links" and "Callbacks". */
#ifndef GATEWAY_OUTSIDE_H
#define GATEWAY_OUTSIDE_H

#include "gateway.h"

//  GET shows what the link would do; POST (form confirm=yes) does it.
void outside_link (gateway_t *self, h2o_req_t *req, const route_match_t *m);
//  Check the callback token (constant time) and pass the body to the
//  notification service.
void outside_notify_callback (gateway_t *self, h2o_req_t *req, const route_match_t *m);

//  Escape text for HTML (&, <, >, ", ') into out (size bytes; cut short
//  when it does not fit). Returns out.
char *outside_html_escape (const char *text, char *out, size_t size);

#endif
