/*  kw_field_error: problems with fields of input (see kw_field_error.h). */
#include <stdio.h>
#include <string.h>
#include "kw_field_error.h"

int
kw_field_error_vset (kw_field_error_t *self, size_t line, const char *field, const char *fmt,
                     va_list ap)
{
    self->line = line;
    snprintf (self->field, sizeof self->field, "%s", field ? field : "");
    vsnprintf (self->message, sizeof self->message, fmt, ap);
    return -1;
}

int
kw_field_error_set (kw_field_error_t *self, size_t line, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    kw_field_error_vset (self, line, field, fmt, ap);
    va_end (ap);
    return -1;
}

void
kw_field_errors_init (kw_field_errors_t *self)
{
    self->count = 0;
    self->dropped = 0;
}

int
kw_field_errors_add (kw_field_errors_t *self, const char *field, const char *fmt, ...)
{
    if (self->count == KW_FIELD_ERRORS_MAX) {
        self->dropped++;
        return -1;
    }
    va_list ap;
    va_start (ap, fmt);
    kw_field_error_vset (&self->items [self->count++], 0, field, fmt, ap);
    va_end (ap);
    return -1;
}

size_t
kw_field_errors_found (const kw_field_errors_t *self)
{
    return self->count + self->dropped;
}

int
kw_field_errors_has (const kw_field_errors_t *self, const char *field)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->items [i].field, field) == 0)
            return 1;
    return 0;
}
