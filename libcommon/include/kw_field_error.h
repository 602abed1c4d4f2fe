/*  kw_field_error: the one form of a problem with a field of input, used by
    every check of API bodies, JSON decoding, the gateway's request checks
    and the rows of imported files: the field path ("child.nhs_number",
    "family[1].email", a file's column), a message naming the field and the
    problem (never the offending value), and for a file row its line. A
    kw_field_errors_t gathers every problem of one body, in the order found,
    up to KW_FIELD_ERRORS_MAX; the first is the one an answer names in its
    "error", all of them go in "errors". */
#ifndef KW_FIELD_ERROR_H
#define KW_FIELD_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define KW_FIELD_ERRORS_MAX 32

typedef struct {
    size_t line;                //  the line of a file row (header: 1), else 0
    char field [256];           //  "" when no one field applies
    char message [384];
} kw_field_error_t;

typedef struct {
    size_t count;               //  problems kept, at most KW_FIELD_ERRORS_MAX
    size_t dropped;             //  problems found beyond those kept
    kw_field_error_t items [KW_FIELD_ERRORS_MAX];
} kw_field_errors_t;

//  Fill self with line, field (NULL: "") and the message (printf). Always -1.
int kw_field_error_set (kw_field_error_t *self, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
int kw_field_error_vset (kw_field_error_t *self, size_t line, const char *field, const char *fmt,
                         va_list ap);

//  Empty the list.
void kw_field_errors_init (kw_field_errors_t *self);
//  Append a problem of field (counted in dropped when the list is full).
//  Always -1, so a check can return it.
int kw_field_errors_add (kw_field_errors_t *self, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  The number of problems found, kept or not.
size_t kw_field_errors_found (const kw_field_errors_t *self);
//  1 when a problem of field (exactly that path) is in the list.
int kw_field_errors_has (const kw_field_errors_t *self, const char *field);

#endif
