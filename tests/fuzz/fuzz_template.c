/*  fuzz_template: the notification templates (services/notification/
    template.c) on arbitrary text. The input is "template\0value": every
    field of the template is filled with value. Rendering either
    refuses with a reason or gives text; as HTML, a value can never add
    markup (no < > " ' and no & but an entity it began); the field
    walk agrees with rendering, and the SMS fragment count is bounded by
    the text's length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "template.h"

static const char *s_value;
static size_t s_names;

static const char *
s_lookup (const char *name, void *arg)
{
    (void) arg;
    return strlen (name) > 0 ? s_value : NULL;
}

static int
s_count (const char *name, void *arg)
{
    (void) name;
    (void) arg;
    s_names++;
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 2);
    if (!text)
        abort ();
    memcpy (text, data, size);
    text [size] = '\0';
    text [size + 1] = '\0';
    size_t tlen = strlen (text);
    s_value = text + tlen + (tlen < size ? 1 : 0);
    char err [160] = "";
    s_names = 0;
    int walked = template_fields (text, s_count, NULL, err, sizeof err);
    char *plain = template_render (text, TEMPLATE_TEXT, s_lookup, NULL, err, sizeof err);
    char *html = template_render (text, TEMPLATE_HTML, s_lookup, NULL, err, sizeof err);
    if (plain && walked != 0)
        abort ();
    if (!plain && !*err)
        abort ();
    if (!!plain != !!html)
        abort ();
    //  The value alone as HTML: nothing of it may be markup.
    char *alone = template_render ("((v))", TEMPLATE_HTML, s_lookup, NULL, err, sizeof err);
    if (alone && strpbrk (alone, "<>\"'"))
        abort ();
    for (const char *amp = alone; amp && (amp = strchr (amp, '&')); amp++)
        if (strncmp (amp, "&amp;", 5) && strncmp (amp, "&lt;", 4) && strncmp (amp, "&gt;", 4)
        &&  strncmp (amp, "&quot;", 6) && strncmp (amp, "&#39;", 5))
            abort ();
    if (plain && template_sms_fragments (plain) > strlen (plain) + 1)
        abort ();
    free (alone);
    free (plain);
    free (html);
    free (text);
    return 0;
}
