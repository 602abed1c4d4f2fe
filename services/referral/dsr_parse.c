/*  dsr_parse: Dynamic Support Register feed files (CSV with a header row, or
    NDJSON) to validated rows. CSV is read in place: a record is a list of
    spans into the input, and a field is unquoted (doubled quotes collapsed)
    only when it is copied into its fixed-size slot of the row. NDJSON lines
    are decoded with jansson. Both feed the same field checks; the NHS numbers
    of good rows go into an open-addressing set to find repeats. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "kw_csv.h"
#include "kw_time.h"
#include "validate.h"
#include "dsr_parse.h"

const char *const dsr_columns [DSR_COLUMN_COUNT] = {
    "dsr_id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
    "learning_disability", "autism", "rag", "rag_effective_date", "inpatient",
    "consent_basis", "lead_professional_email", "cetr_last", "cetr_next"
};

enum {
    COL_DSR_ID, COL_NHS_NUMBER, COL_GIVEN_NAME, COL_FAMILY_NAME, COL_DATE_OF_BIRTH,
    COL_POSTCODE, COL_LEARNING_DISABILITY, COL_AUTISM, COL_RAG, COL_RAG_EFFECTIVE_DATE,
    COL_INPATIENT, COL_CONSENT_BASIS, COL_LEAD_PROFESSIONAL_EMAIL, COL_CETR_LAST, COL_CETR_NEXT
};

//  A header with more columns than a record keeps cannot be a DSR header.
#define MAX_FIELDS KW_CSV_MAX_FIELDS
//  Longest unknown column name or JSON key repeated in an error.
#define MAX_ECHOED_NAME 40
//  The set of NHS numbers: its smallest and largest first size (as powers
//  of two), and the bytes per row assumed to choose between them.
#define SEEN_MIN_BITS 10
#define SEEN_MAX_FIRST_BITS 20
#define SEEN_ROW_BYTES 128

typedef enum {
    VALUE_EMPTY,                        //  empty cell, missing key or JSON null
    VALUE_TEXT,
    VALUE_BOOL,                         //  JSON true or false
    VALUE_BAD_TYPE                      //  JSON number, array or object
} value_kind_t;

typedef struct {
    const char *text;                   //  not NUL-terminated
    size_t len;
    value_kind_t kind;
    int escaped;                        //  text has doubled quotes to collapse
    int boolean;
} value_t;


typedef struct {
    uint64_t nhs;
    size_t line;                        //  0: free slot
} seen_t;

typedef struct {
    int ty, tm, td;
    dsr_row_fn *on_row;
    dsr_reject_fn *on_reject;
    void *arg;
    seen_t *seen;                       //  NHS numbers of good rows
    unsigned seen_bits;                 //  2^seen_bits slots, or none when 0
    size_t seen_count;
    uint64_t seen_multiplier;           //  odd
    size_t data_len;                    //  bytes of input, to size the set
    int column_of [DSR_COLUMN_COUNT];   //  CSV: the file column of each DSR column
    const char *name_of [MAX_FIELDS];   //  CSV: the DSR column of each file column
} parser_t;

//  ---------------------------------------------------------------------
//  Rejections

static void
s_fill (dsr_reject_t *reject, size_t line, const char *field, const char *fmt, va_list ap)
{
    reject->line = line;
    snprintf (reject->field, sizeof reject->field, "%s", field);
    vsnprintf (reject->error, sizeof reject->error, fmt, ap);
}

//  Report a bad row. Always -1.
static int
s_reject (parser_t *self, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_reject (parser_t *self, size_t line, const char *field, const char *fmt, ...)
{
    if (!self->on_reject)
        return -1;
    dsr_reject_t reject;
    va_list ap;
    va_start (ap, fmt);
    s_fill (&reject, line, field, fmt, ap);
    va_end (ap);
    self->on_reject (&reject, self->arg);
    return -1;
}

//  Fill err for a file that cannot be read. Always -1.
static int
s_fail (dsr_reject_t *err, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_fail (dsr_reject_t *err, size_t line, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start (ap, fmt);
    s_fill (err, line, field, fmt, ap);
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
//  The set of NHS numbers seen in good rows: linear probing on a
//  multiply-shift hash whose odd multiplier is drawn for each file, so that
//  no file can be made of numbers that all land together.

//  The slot for nhs in a table of 2^bits slots.
static size_t
s_seen_slot (const parser_t *self, uint64_t nhs, unsigned bits)
{
    return (size_t) ((nhs * self->seen_multiplier) >> (64 - bits));
}

//  The line of the good row with this NHS number, or 0.
static size_t
s_seen_find (const parser_t *self, uint64_t nhs)
{
    if (!self->seen_bits)
        return 0;
    size_t mask = ((size_t) 1 << self->seen_bits) - 1;
    for (size_t i = s_seen_slot (self, nhs, self->seen_bits); ; i = (i + 1) & mask) {
        if (self->seen [i].line == 0)
            return 0;
        if (self->seen [i].nhs == nhs)
            return self->seen [i].line;
    }
}

static void
s_seen_put (const parser_t *self, seen_t *seen, unsigned bits, uint64_t nhs, size_t line)
{
    size_t mask = ((size_t) 1 << bits) - 1;
    size_t i = s_seen_slot (self, nhs, bits);
    while (seen [i].line != 0)
        i = (i + 1) & mask;
    seen [i].nhs = nhs;
    seen [i].line = line;
}

//  Add a number not in the set; the table is kept at most half full. Its
//  first size assumes rows of about SEEN_ROW_BYTES, so that a typical file
//  never rehashes. 0 or -1 when out of memory.
static int
s_seen_add (parser_t *self, uint64_t nhs, size_t line)
{
    size_t slots = self->seen_bits ? (size_t) 1 << self->seen_bits : 0;
    if (2 * (self->seen_count + 1) > slots) {
        unsigned bits = self->seen_bits + 1;
        if (!self->seen_bits) {
            bits = SEEN_MIN_BITS;
            while (bits < SEEN_MAX_FIRST_BITS
               &&  ((size_t) 1 << (bits - 1)) < self->data_len / SEEN_ROW_BYTES)
                bits++;
            //  splitmix64 of the clock and an address
            struct timespec now;
            clock_gettime (CLOCK_MONOTONIC, &now);
            uint64_t z = (uint64_t) now.tv_nsec ^ ((uint64_t) now.tv_sec << 32)
                       ^ (uint64_t) (uintptr_t) self;
            z += 0x9E3779B97F4A7C15ull;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            self->seen_multiplier = (z ^ (z >> 31)) | 1;
        }
        seen_t *seen = calloc ((size_t) 1 << bits, sizeof *seen);
        if (!seen)
            return -1;
        for (size_t i = 0; i < slots; i++)
            if (self->seen [i].line)
                s_seen_put (self, seen, bits, self->seen [i].nhs, self->seen [i].line);
        free (self->seen);
        self->seen = seen;
        self->seen_bits = bits;
    }
    s_seen_put (self, self->seen, self->seen_bits, nhs, line);
    self->seen_count++;
    return 0;
}

//  ---------------------------------------------------------------------
//  Field checks

typedef struct {
    parser_t *parser;
    size_t line;
    dsr_row_t *row;
} row_check_t;

static int
s_is_space (char c)
{
    return c == ' ' || c == '\t';
}

//  A CSV field as a value.
static value_t
s_field (const kw_csv_field_t *f)
{
    return (value_t) { .text = f->text, .len = f->len, .kind = VALUE_TEXT, .escaped = f->escaped };
}

static void
s_trim (value_t *v)
{
    kw_csv_trim (&v->text, &v->len);
    if (v->kind == VALUE_TEXT && v->len == 0)
        v->kind = VALUE_EMPTY;
}

//  Trim v and check it is UTF-8 text without NUL bytes; *len gets its
//  length once doubled quotes are collapsed. 0 when there is a value, 1
//  when it is empty (dest, when given, is cleared), or -1 after rejecting
//  the row (also when the value is empty and required).
static int
s_clean (row_check_t *check, value_t *v, int col, int required, char *dest, size_t *len,
         int *control)
{
    const char *name = dsr_columns [col];
    *len = 0;
    if (control)
        *control = 0;
    if (v->kind == VALUE_BAD_TYPE)
        return s_reject (check->parser, check->line, name, "%s must be a string or null", name);
    if (v->kind == VALUE_BOOL)
        return s_reject (check->parser, check->line, name, "%s must be a string, not true or false",
                         name);
    s_trim (v);
    if (v->kind == VALUE_EMPTY) {
        if (required)
            return s_reject (check->parser, check->line, name, "%s is required", name);
        if (dest)
            dest [0] = 0;
        return 1;
    }
    kw_csv_scan_t scan;
    kw_csv_scan (v->text, v->len, &scan);
    if (!scan.utf8)
        return s_reject (check->parser, check->line, name, "%s is not valid UTF-8", name);
    if (scan.nul)
        return s_reject (check->parser, check->line, name, "%s contains a NUL byte", name);
    *len = v->escaped ? v->len - scan.quotes / 2 : v->len;
    if (control)
        *control = scan.control;
    return 0;
}

//  Copy a cleaned value of len bytes (len < size) into dest, collapsing
//  doubled quotes.
static void
s_copy (const value_t *v, size_t len, char *dest)
{
    kw_csv_copy (v->text, v->len, v->escaped, len, dest);
}

//  Text into dest (size bytes). 0, or -1 after rejecting the row.
static int
s_text (row_check_t *check, value_t *v, int col, int required, char *dest, size_t size)
{
    const char *name = dsr_columns [col];
    size_t len;
    int control;
    int present = s_clean (check, v, col, required, dest, &len, &control);
    if (present != 0)
        return present < 0 ? -1 : 0;
    if (len >= size)
        return s_reject (check->parser, check->line, name, "%s is longer than %zu bytes", name,
                         size - 1);
    if (col == COL_DSR_ID && control)
        return s_reject (check->parser, check->line, name, "%s contains a control character", name);
    s_copy (v, len, dest);
    return 0;
}

//  A date YYYY-MM-DD into dest (11 bytes); past: not after today. 0, or -1
//  after rejecting the row.
static int
s_date (row_check_t *check, value_t *v, int col, int required, int past, char *dest)
{
    const char *name = dsr_columns [col];
    size_t len;
    int present = s_clean (check, v, col, required, dest, &len, NULL);
    if (present != 0)
        return present < 0 ? -1 : 0;
    if (len > 10)
        return s_reject (check->parser, check->line, name,
                         "%s is too long for a date in the form YYYY-MM-DD", name);
    s_copy (v, len, dest);
    int y, m, d;
    if (kw_date_parse (dest, &y, &m, &d) != 0)
        return s_reject (check->parser, check->line, name,
                         "%s is not a real date in the form YYYY-MM-DD", name);
    if (past && !validate_past_date (dest, check->parser->ty, check->parser->tm, check->parser->td))
        return s_reject (check->parser, check->line, name, "%s is in the future", name);
    return 0;
}

//  A value of at most size - 1 bytes, lower case, into dest; "" when it is
//  longer. Only for values compared against ASCII words.
static void
s_lower (const value_t *v, size_t len, char *dest, size_t size)
{
    if (len >= size) {
        dest [0] = 0;
        return;
    }
    s_copy (v, len, dest);
    for (size_t i = 0; i < len; i++)
        if (dest [i] >= 'A' && dest [i] <= 'Z')
            dest [i] = (char) (dest [i] - 'A' + 'a');
}

//  A flag: 1, 0 or -1 when not given. 0, or -1 after rejecting the row.
static int
s_flag (row_check_t *check, value_t *v, int col, int *flag)
{
    static const char *const yes [] = { "true", "yes", "y", "1" };
    static const char *const no [] = { "false", "no", "n", "0" };
    const char *name = dsr_columns [col];
    *flag = -1;
    if (v->kind == VALUE_BOOL) {
        *flag = v->boolean;
        return 0;
    }
    if (v->kind == VALUE_BAD_TYPE)
        return s_reject (check->parser, check->line, name,
                         "%s must be true, false, a string or null", name);
    size_t len;
    int present = s_clean (check, v, col, 0, NULL, &len, NULL);
    if (present != 0)
        return present < 0 ? -1 : 0;
    char word [8];
    s_lower (v, len, word, sizeof word);
    for (size_t i = 0; i < sizeof yes / sizeof yes [0]; i++) {
        if (strcmp (word, yes [i]) == 0) {
            *flag = 1;
            return 0;
        }
        if (strcmp (word, no [i]) == 0) {
            *flag = 0;
            return 0;
        }
    }
    return s_reject (check->parser, check->line, name,
                     "%s must be true, false, yes, no, y, n, 1 or 0", name);
}

//  One of words (NULL-terminated), any case, into dest. 0, or -1 after
//  rejecting the row.
static int
s_choice (row_check_t *check, value_t *v, int col, int required, const char *const *words,
          const char *list, char *dest, size_t size)
{
    const char *name = dsr_columns [col];
    size_t len;
    int present = s_clean (check, v, col, required, dest, &len, NULL);
    if (present != 0)
        return present < 0 ? -1 : 0;
    char word [32];
    s_lower (v, len, word, sizeof word);
    for (size_t i = 0; words [i]; i++)
        if (strcmp (word, words [i]) == 0 && strlen (words [i]) < size) {
            memcpy (dest, words [i], strlen (words [i]) + 1);
            return 0;
        }
    return s_reject (check->parser, check->line, name, "%s must be %s", name, list);
}

//  The NHS number: spaces and hyphens dropped, 10 digits, a valid check
//  digit, not in an earlier good row. *nhs gets it as a number. 0, or -1
//  after rejecting the row.
static int
s_nhs_number (row_check_t *check, value_t *v, uint64_t *nhs)
{
    const char *name = dsr_columns [COL_NHS_NUMBER];
    char *dest = check->row->nhs_number;
    size_t len;
    if (s_clean (check, v, COL_NHS_NUMBER, 1, NULL, &len, NULL) != 0)
        return -1;
    size_t digits = 0;
    uint64_t number = 0;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->text [i];
        if (c == ' ' || c == '-')
            continue;
        if (c < '0' || c > '9' || digits == 10)
            return s_reject (check->parser, check->line, name,
                             "%s must be 10 digits (spaces and hyphens are allowed)", name);
        dest [digits++] = c;
        number = number * 10 + (uint64_t) (c - '0');
    }
    dest [digits] = 0;
    if (digits != 10)
        return s_reject (check->parser, check->line, name,
                         "%s must be 10 digits (spaces and hyphens are allowed)", name);
    if (!validate_nhs_number (dest))
        return s_reject (check->parser, check->line, name, "%s has a wrong check digit", name);
    size_t first = s_seen_find (check->parser, number);
    if (first)
        return s_reject (check->parser, check->line, name, "%s appears again; first on line %zu",
                         name, first);
    *nhs = number;
    return 0;
}

//  Check one row's values (in dsr_columns order) and hand it over, or
//  reject it at its first problem. 0, or -1 when out of memory.
static int
s_row (parser_t *self, size_t line, value_t *values)
{
    static const char *const rags [] = { "red", "amber", "green", "blue", NULL };
    static const char *const bases [] = { "own_consent", "parental_responsibility", "best_interest",
                                          NULL };
    dsr_row_t row;
    memset (&row, 0, sizeof row);
    row.line = line;
    row_check_t check = { self, line, &row };
    uint64_t nhs = 0;
    char postcode [9] = "";
    if (s_text (&check, &values [COL_DSR_ID], COL_DSR_ID, 1, row.dsr_id, sizeof row.dsr_id)
    ||  s_nhs_number (&check, &values [COL_NHS_NUMBER], &nhs)
    ||  s_text (&check, &values [COL_GIVEN_NAME], COL_GIVEN_NAME, 1,
                row.given_name, sizeof row.given_name)
    ||  s_text (&check, &values [COL_FAMILY_NAME], COL_FAMILY_NAME, 1,
                row.family_name, sizeof row.family_name)
    ||  s_date (&check, &values [COL_DATE_OF_BIRTH], COL_DATE_OF_BIRTH, 1, 1, row.date_of_birth)
    ||  s_text (&check, &values [COL_POSTCODE], COL_POSTCODE, 0, postcode, sizeof postcode))
        return 0;
    if (*postcode && !validate_postcode (postcode, row.postcode)) {
        s_reject (self, line, "postcode", "postcode is not a UK postcode");
        return 0;
    }
    if (s_flag (&check, &values [COL_LEARNING_DISABILITY], COL_LEARNING_DISABILITY,
                &row.learning_disability)
    ||  s_flag (&check, &values [COL_AUTISM], COL_AUTISM, &row.autism)
    ||  s_choice (&check, &values [COL_RAG], COL_RAG, 1, rags, "red, amber, green or blue",
                  row.rag, sizeof row.rag)
    ||  s_date (&check, &values [COL_RAG_EFFECTIVE_DATE], COL_RAG_EFFECTIVE_DATE, 1, 1,
                row.rag_effective_date)
    ||  s_flag (&check, &values [COL_INPATIENT], COL_INPATIENT, &row.inpatient)
    ||  s_choice (&check, &values [COL_CONSENT_BASIS], COL_CONSENT_BASIS, 0, bases,
                  "own_consent, parental_responsibility or best_interest",
                  row.consent_basis, sizeof row.consent_basis)
    ||  s_text (&check, &values [COL_LEAD_PROFESSIONAL_EMAIL], COL_LEAD_PROFESSIONAL_EMAIL, 0,
                row.lead_professional_email, sizeof row.lead_professional_email))
        return 0;
    if (*row.lead_professional_email && !kw_check_email_shape (row.lead_professional_email)) {
        s_reject (self, line, "lead_professional_email",
                  "lead_professional_email is not an e-mail address");
        return 0;
    }
    if (s_date (&check, &values [COL_CETR_LAST], COL_CETR_LAST, 0, 1, row.cetr_last)
    ||  s_date (&check, &values [COL_CETR_NEXT], COL_CETR_NEXT, 0, 0, row.cetr_next))
        return 0;
    if (s_seen_add (self, nhs, line))
        return -1;
    if (self->on_row)
        self->on_row (&row, self->arg);
    return 0;
}

//  ---------------------------------------------------------------------
//  CSV

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

//  Map the header's columns to the DSR columns. 0, or -1 with err filled.
static int
s_csv_header (parser_t *self, kw_csv_record_t *rec, dsr_reject_t *err)
{
    const char *field = "header";
    if (rec->problem)
        return s_fail (err, rec->line, field, "the header row is not valid CSV: %s", rec->problem);
    if (rec->count > MAX_FIELDS)
        return s_fail (err, rec->line, field,
                       "the header has %zu columns; expected the %d DSR columns",
                       rec->count, DSR_COLUMN_COUNT);
    for (int col = 0; col < DSR_COLUMN_COUNT; col++)
        self->column_of [col] = -1;
    char unknown [200] = "", duplicate [200] = "";
    text_t unknown_text = { unknown, sizeof unknown, 0 };
    text_t duplicate_text = { duplicate, sizeof duplicate, 0 };
    size_t unknowns = 0, duplicates = 0, known = 0;
    for (size_t i = 0; i < rec->count; i++) {
        value_t v = s_field (&rec->fields [i]);
        self->name_of [i] = "";
        s_trim (&v);
        kw_csv_scan_t scan;
        kw_csv_scan (v.text, v.len, &scan);
        if (!scan.utf8 || scan.nul)
            return s_fail (err, rec->line, field, "the header is not UTF-8 text");
        size_t len = v.escaped ? v.len - scan.quotes / 2 : v.len;
        char name [MAX_ECHOED_NAME + 1];
        s_lower (&v, len, name, sizeof name);
        int col = -1;
        for (int c = 0; c < DSR_COLUMN_COUNT && len <= MAX_ECHOED_NAME; c++)
            if (strcmp (name, dsr_columns [c]) == 0)
                col = c;
        if (col < 0) {
            const char *comma = unknowns ? ", " : "";
            if (s_echoable (name, len <= MAX_ECHOED_NAME ? len : 0)) {
                s_copy (&v, len, name);
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
            s_add (&duplicate_text, "%s'%s'", duplicates ? ", " : "", dsr_columns [col]);
            duplicates++;
            known++;
        }
        else {
            self->column_of [col] = (int) i;
            self->name_of [i] = dsr_columns [col];
            known++;
        }
    }
    if (known == 0)
        return s_fail (err, rec->line, field,
                       "the first line is not a header row naming the DSR columns");
    char message [sizeof err->error];
    text_t text = { message, sizeof message, 0 };
    message [0] = 0;
    if (unknowns)
        s_add (&text, "unknown column%s %s", unknowns > 1 ? "s" : "", unknown);
    if (duplicates)
        s_add (&text, "%sduplicate column%s %s", text.len ? "; " : "", duplicates > 1 ? "s" : "",
               duplicate);
    size_t missing = 0;
    for (int col = 0; col < DSR_COLUMN_COUNT; col++)
        if (self->column_of [col] < 0)
            missing++;
    if (missing) {
        s_add (&text, "%smissing column%s: ", text.len ? "; " : "", missing > 1 ? "s" : "");
        size_t listed = 0;
        for (int col = 0; col < DSR_COLUMN_COUNT; col++)
            if (self->column_of [col] < 0)
                s_add (&text, "%s%s", listed++ ? ", " : "", dsr_columns [col]);
    }
    if (text.len)
        return s_fail (err, rec->line, field, "%s", message);
    return 0;
}

static int
s_parse_csv (parser_t *self, const char *data, size_t len, dsr_reject_t *err)
{
    kw_csv_t csv = { data, len, 0, 1 };
    kw_csv_record_t *rec = malloc (sizeof *rec);
    if (!rec)
        return s_fail (err, 0, "", "out of memory");
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
            const char *name = rec->problem_field < DSR_COLUMN_COUNT
                             ? self->name_of [rec->problem_field] : "";
            s_reject (self, rec->line, name, "%s", rec->problem);
            continue;
        }
        if (rec->count != DSR_COLUMN_COUNT) {
            s_reject (self, rec->line, "", "the row has %zu field%s; the header has %d",
                      rec->count, rec->count == 1 ? "" : "s", DSR_COLUMN_COUNT);
            continue;
        }
        value_t values [DSR_COLUMN_COUNT];
        for (int col = 0; col < DSR_COLUMN_COUNT; col++)
            values [col] = s_field (&rec->fields [self->column_of [col]]);
        if (s_row (self, rec->line, values)) {
            rc = s_fail (err, rec->line, "", "out of memory");
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
s_ndjson_line (parser_t *self, const char *text, size_t len, size_t line)
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
    value_t values [DSR_COLUMN_COUNT];
    memset (values, 0, sizeof values);
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach (root, key, key_len, value) {
        int col = -1;
        for (int c = 0; c < DSR_COLUMN_COUNT; c++)
            if (strlen (dsr_columns [c]) == key_len && memcmp (key, dsr_columns [c], key_len) == 0)
                col = c;
        if (col < 0) {
            if (s_echoable (key, key_len))
                s_reject (self, line, key, "unknown key '%s'", key);
            else
                s_reject (self, line, "", "an unknown key");
            json_decref (root);
            return 0;
        }
        value_t *v = &values [col];
        if (json_is_string (value)) {
            v->kind = VALUE_TEXT;
            v->text = json_string_value (value);
            v->len = json_string_length (value);
        }
        else
        if (json_is_boolean (value)) {
            v->kind = VALUE_BOOL;
            v->boolean = json_is_true (value);
        }
        else
        if (!json_is_null (value))
            v->kind = VALUE_BAD_TYPE;
    }
    int rc = s_row (self, line, values);
    json_decref (root);
    return rc;
}

//  Lines end in LF, CRLF or a lone CR, as in CSV (JSON text holds no raw
//  CR or LF, so no object is split).
static int
s_parse_ndjson (parser_t *self, const char *data, size_t len, dsr_reject_t *err)
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
            return s_fail (err, line, "", "out of memory");
        pos = next;
        line++;
    }
    return 0;
}

//  ---------------------------------------------------------------------

int
dsr_parse (dsr_format_t format, const char *data, size_t len, int ty, int tm, int td,
           dsr_row_fn *on_row, dsr_reject_fn *on_reject, void *arg, dsr_reject_t *err)
{
    if (err)
        memset (err, 0, sizeof *err);
    if (!data || !len) {
        data = "";
        len = 0;
    }
    kw_csv_t text;
    const char *problem;
    if (kw_csv_open (&text, data, len, &problem) != 0)
        return s_fail (err, 0, "", "%s", problem);
    data = text.data;
    len = text.len;
    parser_t *self = calloc (1, sizeof *self);
    if (!self)
        return s_fail (err, 0, "", "out of memory");
    self->ty = ty;
    self->tm = tm;
    self->td = td;
    self->on_row = on_row;
    self->on_reject = on_reject;
    self->arg = arg;
    self->data_len = len;
    int rc;
    if (format == DSR_FORMAT_CSV)
        rc = s_parse_csv (self, data, len, err);
    else
    if (format == DSR_FORMAT_NDJSON)
        rc = s_parse_ndjson (self, data, len, err);
    else
        rc = s_fail (err, 0, "", "unknown format");
    free (self->seen);
    free (self);
    return rc;
}
