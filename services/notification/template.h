/*  template: GOV.UK Notify's ((field)) syntax, as pure functions. A
    field is "((" name "))", the name 1 to 64 characters of
    [a-z0-9_.] (matched case-insensitively, as Notify does, by lowering it).
    Rendering escapes each value for where it lands: plain text as it is
    (control characters but LF and TAB refused), HTML with & < > " '
    escaped. The text of a template itself is never escaped. */
#ifndef NOTIFICATION_TEMPLATE_H
#define NOTIFICATION_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_NAME_MAX 64

typedef enum {
    TEMPLATE_TEXT,          //  plain text (e-mail body, SMS, subject)
    TEMPLATE_HTML           //  values HTML-escaped
} template_escape_t;

//  Called for each field of a template, its name lowered. 0, or -1
//  to stop (template_fields then returns -1).
typedef int (template_name_fn) (const char *name, void *arg);
//  The value of a field, NULL when the name is unknown.
typedef const char *(template_lookup_fn) (const char *name, void *arg);

//  Call fn for every field of text, in order. 0, or -1 with the
//  reason in err ("unclosed ((", "field name ... is not valid") or
//  when fn stopped.
int template_fields (const char *text, template_name_fn *fn, void *arg,
                     char *err, size_t err_size);

//  Render text with each field's value from lookup, escaped as esc.
//  A new string (caller frees), or NULL with the reason in err (unknown
//  field, a value that is not UTF-8 text, out of memory).
char *template_render (const char *text, template_escape_t esc, template_lookup_fn *lookup,
                       void *arg, char *err, size_t err_size);

//  How many SMS fragments text takes: GSM 03.38 text is 160 septets in one
//  fragment or 153 a fragment when split (the extension characters take
//  two); anything else is UCS-2, 70 or 67 a fragment. 0 for "".
size_t template_sms_fragments (const char *text);

#endif
