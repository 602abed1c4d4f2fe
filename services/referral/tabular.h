/*  tabular: a reader of feed files as rows of known columns. CSV (RFC 4180:
    quoted fields with embedded commas, quotes and newlines, LF, CRLF or a
    lone CR, a UTF-8 byte order mark, blank lines) whose header row names
    the columns in any order, or NDJSON (one JSON object per line, its keys
    naming the columns). Values are spans into the input, copied only when
    asked. Each row's values are handed over in column order with the line
    it starts on; a row that cannot be read (a quoting problem, a wrong
    number of fields, a line that is not a JSON object, an unknown key) is
    reported with its line, never with its values. The caller checks what
    the values mean. */
#ifndef REFERRAL_TABULAR_H
#define REFERRAL_TABULAR_H

#include <stdarg.h>
#include <stddef.h>
#include "kw_field_error.h"
#include "kw_csv.h"

//  Columns a CSV record keeps spans for: a header with more columns than
//  this is refused.
#define TABULAR_MAX_FIELDS KW_CSV_MAX_FIELDS

typedef enum {
    TABULAR_CSV,
    TABULAR_NDJSON
} tabular_format_t;

typedef enum {
    TABULAR_EMPTY,                      //  empty cell, missing key or JSON null
    TABULAR_TEXT,
    TABULAR_BOOL,                       //  JSON true or false
    TABULAR_BAD_TYPE                    //  JSON number, array or object
} tabular_kind_t;

//  One value: a span of the input (CSV, or a JSON string's own buffer).
typedef struct {
    const char *text;                   //  not NUL-terminated
    size_t len;
    tabular_kind_t kind;
    int escaped;                        //  text has doubled quotes to collapse
    int boolean;
} tabular_value_t;

//  A problem of the file (line 0: the whole file) or of one row is a
//  kw_field_error_t: the line the row starts on (the header is line 1), the
//  column ("header", or "" for the whole row) and the problem.

//  The columns a file has: what they are (for errors: "the DSR columns")
//  and their names, lower case.
typedef struct {
    const char *name;
    const char *const *columns;
    size_t count;                       //  at most TABULAR_MAX_FIELDS
} tabular_columns_t;

//  One row's values, in column order, starting on line: 0, or -1 to stop
//  reading (out of memory).
typedef int (tabular_row_fn) (size_t line, tabular_value_t *values, void *arg);
typedef void (tabular_problem_fn) (const kw_field_error_t *problem, void *arg);

//  Read data (len bytes, not NUL-terminated) in format, calling on_row for
//  each row and on_problem (may be NULL) for each row that cannot be read,
//  in file order; blank lines are skipped but counted. 0 when the file
//  could be read (an empty file, or a CSV file with only a header, has no
//  rows); -1 with err (may be NULL) filled when it cannot: a CSV first line
//  that names none of the columns, unknown, repeated or missing columns, a
//  header that is not valid CSV or not UTF-8, a UTF-16 file, or on_row
//  asked to stop.
int tabular_read (tabular_format_t format, const char *data, size_t len,
                  const tabular_columns_t *columns, tabular_row_fn *on_row,
                  tabular_problem_fn *on_problem, void *arg, kw_field_error_t *err);

//  Report a row that cannot be used to fn (nothing when fn is NULL), the
//  problem's error from fmt.
void tabular_vreject (tabular_problem_fn *fn, void *arg, size_t line, const char *field,
                      const char *fmt, va_list ap);
//  Fill err when it is not NULL. Always -1.
int tabular_fail (kw_field_error_t *err, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

//  What one pass over a value found (utf8, nul, control, quotes).
typedef kw_csv_scan_t tabular_scan_t;

//  Trim spaces and tabs off v; a text left empty becomes TABULAR_EMPTY.
void tabular_trim (tabular_value_t *v);
//  Scan len bytes of text: UTF-8 validity (no overlong forms, surrogates or
//  code points past U+10FFFF), NUL bytes, control characters and quotes.
void tabular_scan (const char *text, size_t len, tabular_scan_t *scan);
//  Copy v, len bytes once doubled quotes are collapsed, into dest (more
//  than len bytes), NUL-terminated.
void tabular_copy (const tabular_value_t *v, size_t len, char *dest);
//  v (len bytes collapsed) in ASCII lower case into dest (size bytes), or
//  "" when it does not fit. For values compared against ASCII words.
void tabular_lower (const tabular_value_t *v, size_t len, char *dest, size_t size);

#endif
