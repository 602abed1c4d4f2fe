/*  kw_check: the field checks of API input shared by the services: text
    without control characters and within a length, required text, a value
    from a list, e-mail address, phone number, ISO 639 language code and
    HH:MM shapes, and the professional disciplines the API knows. Each
    check of a field is 0 when the value is acceptable (absent, NULL, is
    acceptable unless said otherwise), else -1 with err naming the field
    and the problem added to errs (kw_field_error); values are never
    echoed. */
#ifndef KW_CHECK_H
#define KW_CHECK_H

#include <stddef.h>
#include "kw_field_error.h"

//  The disciplines of professionals, NULL-terminated.
extern const char *const kw_check_disciplines [];

//  1 when s is NULL or only white space.
int kw_check_blank (const char *s);
//  1 when s has the shape of an e-mail address (local@domain.tld, printable
//  ASCII, at most 254 characters, a local part of at most 64).
int kw_check_email_shape (const char *s);
//  1 when s has the shape of a phone number: digits with optional spaces,
//  hyphens and brackets, an optional leading +, 10 to 15 digits in all.
int kw_check_phone_shape (const char *s);

//  Optional text of at most max bytes without control characters (lines:
//  line breaks and tabs allowed).
int kw_check_text_lines (const char *s, size_t max, int lines, const char *field, kw_field_errors_t *errs);
int kw_check_text (const char *s, size_t max, const char *field, kw_field_errors_t *errs);
//  As kw_check_text, and not blank.
int kw_check_required_text (const char *s, size_t max, const char *field, kw_field_errors_t *errs);
//  Optional value that must be one of names (NULL-terminated); the error lists them.
int kw_check_one_of (const char *s, const char *const *names, const char *field, kw_field_errors_t *errs);
//  Optional e-mail address, phone number, ISO 639 language code (two or
//  three lower-case letters).
int kw_check_email (const char *s, const char *field, kw_field_errors_t *errs);
int kw_check_phone (const char *s, const char *field, kw_field_errors_t *errs);
int kw_check_language (const char *s, const char *field, kw_field_errors_t *errs);
//  Optional "HH:MM" on a 24-hour clock: minutes since midnight in *minutes
//  (-1 when s is NULL).
int kw_check_clock (const char *s, const char *field, int *minutes, kw_field_errors_t *errs);

#endif
