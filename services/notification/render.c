/*  render: a row's message for one person (render.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "render.h"
#include "template.h"

const char *
render_value (const char *name, void *arg)
{
    render_values_t *v = arg;
    if (strcmp (name, "recipient_name") == 0)
        return *v->contact->name ? v->contact->name : "colleague";
    if (strcmp (name, "service_name") == 0)
        return v->service_name;
    if (strcmp (name, "public_url") == 0)
        return v->public_url;
    if (action_links_is_link (v->msg->descriptor, name))
        return action_links_url (v->msg, v->contact->person, name, v->link);
    return audience_field_value (v->msg, name, v->value, sizeof v->value);
}

//  Render part of row's template into *out (NULL when there is no such
//  part). 0, or -1 with the reason in err.
static int
s_part (const config_t *config, const config_region_t *region, const config_row_t *row, const char *part,
        template_escape_t esc, render_values_t *values, char **out, char *err, size_t err_size)
{
    char name [96];
    snprintf (name, sizeof name, "%s.%s", row->template_, part);
    const char *text = config_text (config, region, name);
    *out = NULL;
    if (!text)
        return 0;
    *out = template_render (text, esc, render_value, values, err, err_size);
    return *out ? 0 : -1;
}

int
render_row (const config_t *config, const config_region_t *region, const config_row_t *row,
            render_values_t *values, render_t *out, char *err, size_t err_size)
{
    memset (out, 0, sizeof *out);
    int rc = strcmp (row->channel, "email") == 0
           ? (s_part (config, region, row, "subject", TEMPLATE_TEXT, values, &out->subject, err, err_size) == 0
              && s_part (config, region, row, "txt", TEMPLATE_TEXT, values, &out->body, err, err_size) == 0
              && s_part (config, region, row, "html", TEMPLATE_HTML, values, &out->html, err, err_size) == 0
              ? 0 : -1)
           : s_part (config, region, row, strcmp (row->channel, "letter") == 0 ? "letter" : "sms", TEMPLATE_TEXT,
                     values, &out->body, err, err_size);
    if (rc != 0)
        render_free (out);
    return rc;
}

//  One field's value into the fields being gathered.
typedef struct {
    json_t *fields;
    render_values_t *values;
} s_gather_t;

static int
s_gather (const char *name, void *arg)
{
    s_gather_t *g = arg;
    const char *value = render_value (name, g->values);
    json_t *text = value ? json_string (value) : NULL;
    return text && json_object_set_new (g->fields, name, text) == 0 ? 0 : -1;
}

char *
render_fields (const config_t *config, const config_region_t *region, const config_row_t *row,
               render_values_t *values)
{
    static const char *const email [] = { "subject", "txt", "html", NULL };
    const char *const other [] = { row->channel, NULL };
    const char *const *parts = strcmp (row->channel, "email") == 0 ? email : other;
    s_gather_t g = { .fields = json_object (), .values = values };
    int rc = g.fields ? 0 : -1;
    for (size_t i = 0; parts [i] && rc == 0; i++) {
        char name [96], why [160];
        snprintf (name, sizeof name, "%s.%s", row->template_, parts [i]);
        const char *text = config_text (config, region, name);
        if (text)
            rc = template_fields (text, s_gather, &g, why, sizeof why);
    }
    char *out = rc == 0 ? json_dumps (g.fields, JSON_COMPACT) : NULL;
    json_decref (g.fields);
    return out;
}

void
render_free (render_t *out)
{
    free (out->subject);
    free (out->body);
    free (out->html);
    memset (out, 0, sizeof *out);
}
