/*  render: one row's message for one person, as pure functions (no
    database) shared by the service (deliveries.c) and the fuzz target:
    the values of the fields, from the event's payload and the
    person, and the row's template parts rendered with them. */
#ifndef NOTIFICATION_RENDER_H
#define NOTIFICATION_RENDER_H

#include <protobuf-c/protobuf-c.h>
#include "audience.h"
#include "config.h"
#include "action_links.h"

//  What a row's fields are filled from.
typedef struct {
    const ProtobufCMessage *msg;            //  the event's payload
    const audience_contact_t *contact;      //  the person told
    const char *service_name;               //  the region's
    const char *public_url;                 //  KW_PUBLIC_URL
    char value [64];                        //  a number's text
    char link [ACTION_LINKS_URL_SIZE];      //  a signed link (action_links.h)
} render_values_t;

//  The parts of a message: subject, text and HTML of an e-mail, or the
//  text of a text message or a letter (body); a part the channel lacks is NULL.
typedef struct {
    char *subject;
    char *body;
    char *html;
} render_t;

//  The value of field name (template_lookup_fn, arg a
//  render_values_t): "recipient_name" (the person's, else "colleague"),
//  "service_name", "public_url", the signed links of offers and meetings
//  (action_links.h), else the payload's.
const char *render_value (const char *name, void *arg);

//  Render row's template parts for its channel, in region (its overrides),
//  with values into out. 0, or -1 with the reason in err (out freed).
int render_row (const config_t *config, const config_region_t *region, const config_row_t *row,
                render_values_t *values, render_t *out, char *err, size_t err_size);
void render_free (render_t *out);

//  The values of every field of row's template parts for its channel
//  (an e-mail's subject, text and HTML; a text message's; a letter's), in
//  region, as a
//  JSON object {"key_worker.name": "...", ...} (caller frees), the
//  personalisation of a Notify template a region maps the template to.
//  NULL when a value cannot be had.
char *render_fields (const config_t *config, const config_region_t *region, const config_row_t *row,
                     render_values_t *values);

#endif
