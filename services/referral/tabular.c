/*  tabular: feed files as rows of known columns (see tabular.h). CSV is
    read in place by kw_csv: a record is a list of spans into the input,
    and a field is unquoted (doubled quotes collapsed) only when it is
    copied. NDJSON lines are decoded with jansson. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "kw_csv.h"
#include "tabular.h"

//  Longest unknown column name or JSON key repeated in an error.
#define MAX_ECHOED_NAME 40

//  One read: the columns expected, where rows and problems go, and (CSV)
//  where each column is in the file.
typedef struct {
    const tabular_columns_t *spec;
    tabular_row_fn *on_row;
    tabular_problem_fn *on_problem;
    void *arg;
    int column_of [TABULAR_MAX_FIELDS];         //  the file column of each column
    const char *name_of [TABULAR_MAX_FIELDS];   //  the column of each file column
} reader_t;

//  ---------------------------------------------------------------------
//  Problems

void
tabular_vreject (tabular_problem_fn *fn, void *arg, size_t line, const char *field,
                 const char *fmt, va_list ap)
{
    if (!fn)
        return;
    kw_field_error_t problem;
    kw_field_error_vset (&problem, line, field, fmt, ap);
    fn (&problem, arg);
}

int
tabular_fail (kw_field_error_t *err, size_t line, const char *field, const char *fmt, ...)
{
    if (!err)
              return -1;
    va_list ap;
    va_start (ap, fmt);
    kw_field_error_vset (err, line, field, fmt, ap);
    va_end (ap);
    return -1;
}

//  Report a row that cannot be read. Always -1.
static int
s_reject (reader_t *self, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_reject (reader_t *self, size_t line, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    tabular_vreject (self->on_problem, self->arg, line, field, fmt, ap);
    va_end (ap);
    return -1;
}

//  1 when a name read from the file may be repeated in an error: short,
//  printable ASCII, no quotes.
static int
s_echoable (const char *s, size_t len)
{
    if (len == 0 || len > MAX_ECHOED_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s [i] <= ' ' || s [i] > '~' || s [i] == '\'' || s [i] == '"' || s [i] == '\\')
            return 0;
    return 1;
}

//  ---------------------------------------------------------------------
//  Values

void
tabular_trim (tabular_value_t *v)
{
    kw_csv_trim (&v->text, &v->len);
    if (v->kind == TABULAR_TEXT && v->len == 0)
        v->kind = TABULAR_EMPTY;
}

void
tabular_scan (const char *text, size_t len, tabular_scan_t *scan)
{
    kw_csv_scan (text, len, scan);
}

void
tabular_copy (const tabular_value_t *v, size_t len, char *dest)
{
    kw_csv_copy (v->text, v->len, v->escaped, len, dest);
}

//  A value of at most size - 1 bytes, lower case, into dest; "" when it is
//  longer. Only for values compared against ASCII words.
void
tabular_lower (const tabular_value_t *v, size_t len, char *dest, size_t size)
{
    if (len >= size) {
        dest [0] = 0;
        return;
    }
    tabular_copy (v, len, dest);
    for (size_t i = 0; i < len; i++)
        if (dest [i] >= 'A' && dest [i] <= 'Z')
            dest [i] = (char) (dest [i] - 'A' + 'a');
}

//  ---------------------------------------------------------------------
//  CSV

//  A CSV field as a value.
static tabular_value_t
s_value (const kw_csv_field_t *f)
{
    return (tabular_value_t) { .text = f->text, .len = f->len, .kind = TABULAR_TEXT, .escaped = f->escaped };
}

//  A small string builder for the header error.
typedef struct {
    char *buf;
    size_t size;
    size_t len;
} text_t;

static void
s_add (text_t *t, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_add (text_t *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->size)
        return;
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (t->buf + t->len, t->size - t->len, fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    t->len += (size_t) n;
    if (t->len >= t->size) {
        t->len = t->size - 1;
        if (t->size >= 4)
            memcpy (t->buf + t->size - 4, "...", 4);
    }
}

//  Map the header's columns to the expected ones. 0, or -1 with err filled.
static int
s_csv_header (reader_t *self, kw_csv_record_t *rec, kw_field_error_t *err)
{
    const tabular_columns_t *spec = self->spec;
    const char *field = "header";
    if (rec->problem)
        return tabular_fail (err, rec->line, field, "the header row is not valid CSV: %s",
                             rec->problem);
    if (rec->count > TABULAR_MAX_FIELDS)
        return tabular_fail (err, rec->line, field,
                             "the header has %zu columns; expected the %zu %s columns",
                             rec->count, spec->count, spec->name);
    for (size_t col = 0; col < spec->count; col++)
        self->column_of [col] = -1;
    char unknown [200] = "", duplicate [200] = "";
    text_t unknown_text = { unknown, sizeof unknown, 0 };
    text_t duplicate_text = { duplicate, sizeof duplicate, 0 };
    size_t unknowns = 0, duplicates = 0, known = 0;
    for (size_t i = 0; i < rec->count; i++) {
        tabular_value_t v = s_value (&rec->fields [i]);
        self->name_of [i] = "";
        tabular_trim (&v);
        tabular_scan_t scan;
        tabular_scan (v.text, v.len, &scan);
        if (!scan.utf8 || scan.nul)
            return tabular_fail (err, rec->line, field, "the header is not UTF-8 text");
        size_t len = v.escaped ? v.len - scan.quotes / 2 : v.len;
        char name [MAX_ECHOED_NAME + 1];
        tabular_lower (&v, len, name, sizeof name);
        int col = -1;
        for (size_t c = 0; c < spec->count && len <= MAX_ECHOED_NAME; c++)
            if (strcmp (name, spec->columns [c]) == 0)
                col = (int) c;
        if (col < 0) {
            const char *comma = unknowns ? ", " : "";
            if (s_echoable (name, len <= MAX_ECHOED_NAME ? len : 0)) {
                tabular_copy (&v, len, name);
                s_add (&unknown_text, "%s'%s'", comma, name);
            }
            else
            if (len == 0)
                s_add (&unknown_text, "%snumber %zu (no name)", comma, i + 1);
            else
                s_add (&unknown_text, "%snumber %zu", comma, i + 1);
            unknowns++;
        }
        else
        if (self->column_of [col] >= 0) {
            s_add (&duplicate_text, "%s'%s'", duplicates ? ", " : "", spec->columns [col]);
            duplicates++;
            known++;
        }
        else {
            self->column_of [col] = (int) i;
            self->name_of [i] = spec->columns [col];
            known++;
        }
    }
    if (known == 0)
        return tabular_fail (err, rec->line, field,
                             "the first line is not a header row naming the %s columns", spec->name);
    char message [sizeof err->message];
    text_t text = { message, sizeof message, 0 };
    message [0] = 0;
    if (unknowns)
        s_add (&text, "unknown column%s %s", unknowns > 1 ? "s" : "", unknown);
    if (duplicates)
        s_add (&text, "%sduplicate column%s %s", text.len ? "; " : "", duplicates > 1 ? "s" : "",
               duplicate);
    size_t missing = 0;
    for (size_t col = 0; col < spec->count; col++)
        if (self->column_of [col] < 0)
            missing++;
    if (missing) {
        s_add (&text, "%smissing column%s: ", text.len ? "; " : "", missing > 1 ? "s" : "");
        size_t listed = 0;
        for (size_t col = 0; col < spec->count; col++)
            if (self->column_of [col] < 0)
                s_add (&text, "%s%s", listed++ ? ", " : "", spec->columns [col]);
    }
    if (text.len)
        return tabular_fail (err, rec->line, field, "%s", message);
    return 0;
}

static int
s_parse_csv (reader_t *self, const char *data, size_t len, kw_field_error_t *err)
{
    kw_csv_t csv;
    const char *problem;
    if (kw_csv_open (&csv, data, len, &problem) != 0)
        return tabular_fail (err, 0, "", "%s", problem);
    kw_csv_record_t *rec = malloc (sizeof *rec);
    if (!rec)
        return tabular_fail (err, 0, "", "out of memory");
    int header = 0;
    int rc = 0;
    while (kw_csv_next (&csv, rec) == 0) {
        if (kw_csv_blank (rec))
            continue;
        if (!header) {
            if (s_csv_header (self, rec, err)) {
                rc = -1;
                break;
            }
            header = 1;
            continue;
        }
        if (rec->problem) {
            const char *name = rec->problem_field < self->spec->count
                             ? self->name_of [rec->problem_field] : "";
            s_reject (self, rec->line, name, "%s", rec->problem);
            continue;
        }
        if (rec->count != self->spec->count) {
            s_reject (self, rec->line, "", "the row has %zu field%s; the header has %zu",
                      rec->count, rec->count == 1 ? "" : "s", self->spec->count);
            continue;
        }
        tabular_value_t values [TABULAR_MAX_FIELDS];
        for (size_t col = 0; col < self->spec->count; col++)
            values [col] = s_value (&rec->fields [self->column_of [col]]);
        if (self->on_row (rec->line, values, self->arg)) {
            rc = tabular_fail (err, rec->line, "", "out of memory");
            break;
        }
    }
    free (rec);
    return rc;
}

//  ---------------------------------------------------------------------
//  NDJSON

static const char *
s_json_problem (const json_error_t *jerr)
{
    switch (json_error_code (jerr)) {
        case json_error_invalid_utf8:
            return "it is not valid UTF-8";
        case json_error_duplicate_key:
            return "a key appears twice";
        case json_error_premature_end_of_input:
            return "it ends before the object does";
        case json_error_end_of_input_expected:
            return "there is text after the object";
        case json_error_numeric_overflow:
            return "a number is too large";
        case json_error_null_character:
        case json_error_null_byte_in_key:
            return "it contains a NUL byte";
        default:
            return "invalid syntax";
    }
}

//  One line of JSON text. 0, or -1 when out of memory.
static int
s_ndjson_line (reader_t *self, const char *text, size_t len, size_t line)
{
    json_error_t jerr;
    json_t *root = json_loadb (text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        s_reject (self, line, "", "the line is not valid JSON: %s (column %d)",
                  s_json_problem (&jerr), jerr.column);
        return 0;
    }
    if (!json_is_object (root)) {
        json_decref (root);
        s_reject (self, line, "", "the line is not a JSON object");
        return 0;
    }
    tabular_value_t values [TABULAR_MAX_FIELDS];
    memset (values, 0, sizeof values);
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach (root, key, key_len, value) {
        int col = -1;
        for (size_t c = 0; c < self->spec->count; c++)
            if (strlen (self->spec->columns [c]) == key_len
            &&  memcmp (key, self->spec->columns [c], key_len) == 0)
                col = (int) c;
        if (col < 0) {
            if (s_echoable (key, key_len))
                s_reject (self, line, key, "unknown key '%s'", key);
            else
                s_reject (self, line, "", "an unknown key");
            json_decref (root);
            return 0;
        }
        tabular_value_t *v = &values [col];
        if (json_is_string (value)) {
            v->kind = TABULAR_TEXT;
            v->text = json_string_value (value);
            v->len = json_string_length (value);
        }
        else
        if (json_is_boolean (value)) {
            v->kind = TABULAR_BOOL;
            v->boolean = json_is_true (value);
        }
        else
        if (!json_is_null (value))
            v->kind = TABULAR_BAD_TYPE;
    }
    int rc = self->on_row (line, values, self->arg);
    json_decref (root);
    return rc;
}

static int
s_is_space (char c)
{
    return c == ' ' || c == '\t';
}

//  Lines end in LF, CRLF or a lone CR, as in CSV (JSON text holds no raw
//  CR or LF, so no object is split).
static int
s_parse_ndjson (reader_t *self, const char *data, size_t len, kw_field_error_t *err)
{
    size_t pos = 0, line = 1;
    const char *lf = memchr (data, '\n', len);    //  the next LF at or after pos, if any
    while (pos < len) {
        if (lf && (size_t) (lf - data) < pos)
            lf = memchr (data + pos, '\n', len - pos);
        size_t stop = lf ? (size_t) (lf - data) : len;
        size_t next = lf ? stop + 1 : len;
        const char *cr = memchr (data + pos, '\r', stop - pos);
        if (cr) {
            size_t at = (size_t) (cr - data);
            next = lf && at + 1 == stop ? stop + 1 : at + 1;
            stop = at;
        }
        size_t first = pos;
        while (first < stop && s_is_space (data [first]))
            first++;
        if (first < stop && s_ndjson_line (self, data + pos, stop - pos, line))
            return tabular_fail (err, line, "", "out of memory");
        pos = next;
        line++;
    }
    return 0;
}

//  ---------------------------------------------------------------------

int
tabular_read (tabular_format_t format, const char *data, size_t len, const tabular_columns_t *spec,
              tabular_row_fn *on_row, tabular_problem_fn *on_problem, void *arg,
              kw_field_error_t *err)
{
    if (err)
        memset (err, 0, sizeof *err);
    if (!data || !len) {
        data = "";
        len = 0;
    }
    if (len >= 2 && (((unsigned char) data [0] == 0xff && (unsigned char) data [1] == 0xfe)
                 ||  ((unsigned char) data [0] == 0xfe && (unsigned char) data [1] == 0xff)))
        return tabular_fail (err, 0, "",
                             "the file is not UTF-8 text (it starts with a UTF-16 byte order mark)");
    if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }
    reader_t self = { .spec = spec, .on_row = on_row, .on_problem = on_problem, .arg = arg };
    if (format == TABULAR_CSV)
        return s_parse_csv (&self, data, len, err);
    if (format == TABULAR_NDJSON)
        return s_parse_ndjson (&self, data, len, err);
    return tabular_fail (err, 0, "", "unknown format");
}
