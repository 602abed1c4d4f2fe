/*  kw_csv: reading CSV files (RFC 4180) in place, for the services' file
    imports: quoted fields with embedded commas, quotes and line breaks, LF,
    CRLF or a lone CR ending a line, a UTF-8 byte order mark, blank lines.
    A record is a list of spans into the input with the line it starts on;
    a field is unquoted (doubled quotes collapsed) only when copied out.
    Quoting problems are reported per record, never fatal; a UTF-16 file is
    refused. Also the checks on a field's bytes every import needs: trimming
    spaces and tabs, UTF-8 validity, NUL bytes and control characters. */
#ifndef KW_CSV_H
#define KW_CSV_H

#include <stddef.h>

//  Fields a record keeps spans for (more are counted, not kept).
#define KW_CSV_MAX_FIELDS 64

typedef struct {
    const char *text;               //  not NUL-terminated; inside the quotes when quoted
    size_t len;
    int escaped;                    //  text has doubled quotes to collapse
} kw_csv_field_t;

typedef struct {
    kw_csv_field_t fields [KW_CSV_MAX_FIELDS];
    size_t count;                   //  fields in the record, may exceed KW_CSV_MAX_FIELDS
    size_t line;                    //  the line the record starts on (the first is 1)
    const char *problem;            //  the first quoting problem, or NULL
    size_t problem_field;           //  the field it is in
    int first_quoted;               //  1 when the first field is quoted (not a blank line)
} kw_csv_record_t;

typedef struct {
    const char *data;
    size_t len;
    size_t pos;
    size_t line;
} kw_csv_t;

typedef struct {
    int utf8;                       //  1 when valid UTF-8 (no overlong forms, surrogates, past U+10FFFF)
    int nul;                        //  1 when there is a NUL byte
    int control;                    //  1 when there is a C0 or C1 control character
    size_t quotes;
} kw_csv_scan_t;

//  Start reading data (len bytes), past a UTF-8 byte order mark. 0, or -1
//  with *problem set when the file is UTF-16.
int kw_csv_open (kw_csv_t *self, const char *data, size_t len, const char **problem);
//  Read the next record into rec. 0, or -1 at the end of the input.
int kw_csv_next (kw_csv_t *self, kw_csv_record_t *rec);
//  1 when rec is a blank line (nothing, or only spaces and tabs).
int kw_csv_blank (const kw_csv_record_t *rec);
//  Trim spaces and tabs from both ends of the span *text, *len.
void kw_csv_trim (const char **text, size_t *len);
//  One pass over len bytes of text: UTF-8, NUL, control characters, quotes.
void kw_csv_scan (const char *text, size_t len, kw_csv_scan_t *scan);
//  Copy a field's span (raw_len bytes, escaped as read) into dest as its
//  value of len bytes (raw_len less half its quotes when escaped), NUL-terminated.
void kw_csv_copy (const char *text, size_t raw_len, int escaped, size_t len, char *dest);

#endif
