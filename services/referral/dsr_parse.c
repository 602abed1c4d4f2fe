/*  dsr_parse: Dynamic Support Register feed files to validated rows. The
    file is read as rows of the DSR columns (tabular); each row's values go
    through the field checks here and are copied into the fixed-size slots
    of a dsr_row_t; the NHS numbers of good rows go into an open-addressing
    set to find repeats. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw_time.h"
#include "kw_nhs.h"
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

//  The set of NHS numbers: its smallest and largest first size (as powers
//  of two), and the bytes per row assumed to choose between them.
#define SEEN_MIN_BITS 10
#define SEEN_MAX_FIRST_BITS 20
#define SEEN_ROW_BYTES 128

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
} parser_t;

//  Report a bad row. Always -1.
static int
s_reject (parser_t *self, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_reject (parser_t *self, size_t line, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    tabular_vreject (self->on_reject, self->arg, line, field, fmt, ap);
    va_end (ap);
    return -1;
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

//  Trim v and check it is UTF-8 text without NUL bytes; *len gets its
//  length once doubled quotes are collapsed. 0 when there is a value, 1
//  when it is empty (dest, when given, is cleared), or -1 after rejecting
//  the row (also when the value is empty and required).
static int
s_clean (row_check_t *check, tabular_value_t *v, int col, int required, char *dest, size_t *len,
         int *control)
{
    const char *name = dsr_columns [col];
    *len = 0;
    if (control)
        *control = 0;
    if (v->kind == TABULAR_BAD_TYPE)
        return s_reject (check->parser, check->line, name, "%s must be a string or null", name);
    if (v->kind == TABULAR_BOOL)
        return s_reject (check->parser, check->line, name, "%s must be a string, not true or false",
                         name);
    tabular_trim (v);
    if (v->kind == TABULAR_EMPTY) {
        if (required)
            return s_reject (check->parser, check->line, name, "%s is required", name);
        if (dest)
            dest [0] = 0;
        return 1;
    }
    tabular_scan_t scan;
    tabular_scan (v->text, v->len, &scan);
    if (!scan.utf8)
        return s_reject (check->parser, check->line, name, "%s is not valid UTF-8", name);
    if (scan.nul)
        return s_reject (check->parser, check->line, name, "%s contains a NUL byte", name);
    *len = v->escaped ? v->len - scan.quotes / 2 : v->len;
    if (control)
        *control = scan.control;
    return 0;
}

//  Text into dest (size bytes). 0, or -1 after rejecting the row.
static int
s_text (row_check_t *check, tabular_value_t *v, int col, int required, char *dest, size_t size)
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
    tabular_copy (v, len, dest);
    return 0;
}

//  A date YYYY-MM-DD into dest (11 bytes); past: not after today. 0, or -1
//  after rejecting the row.
static int
s_date (row_check_t *check, tabular_value_t *v, int col, int required, int past, char *dest)
{
    const char *name = dsr_columns [col];
    size_t len;
    int present = s_clean (check, v, col, required, dest, &len, NULL);
    if (present != 0)
        return present < 0 ? -1 : 0;
    if (len > 10)
        return s_reject (check->parser, check->line, name,
                         "%s is too long for a date in the form YYYY-MM-DD", name);
    tabular_copy (v, len, dest);
    int y, m, d;
    if (kw_date_parse (dest, &y, &m, &d) != 0)
        return s_reject (check->parser, check->line, name,
                         "%s is not a real date in the form YYYY-MM-DD", name);
    if (past && !validate_past_date (dest, check->parser->ty, check->parser->tm, check->parser->td))
        return s_reject (check->parser, check->line, name, "%s is in the future", name);
    return 0;
}

//  A flag: 1, 0 or -1 when not given. 0, or -1 after rejecting the row.
static int
s_flag (row_check_t *check, tabular_value_t *v, int col, int *flag)
{
    static const char *const yes [] = { "true", "yes", "y", "1" };
    static const char *const no [] = { "false", "no", "n", "0" };
    const char *name = dsr_columns [col];
    *flag = -1;
    if (v->kind == TABULAR_BOOL) {
        *flag = v->boolean;
        return 0;
    }
    if (v->kind == TABULAR_BAD_TYPE)
        return s_reject (check->parser, check->line, name,
                         "%s must be true, false, a string or null", name);
    size_t len;
    int present = s_clean (check, v, col, 0, NULL, &len, NULL);
    if (present != 0)
        return present < 0 ? -1 : 0;
    char word [8];
    tabular_lower (v, len, word, sizeof word);
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
s_choice (row_check_t *check, tabular_value_t *v, int col, int required, const char *const *words,
          const char *list, char *dest, size_t size)
{
    const char *name = dsr_columns [col];
    size_t len;
    int present = s_clean (check, v, col, required, dest, &len, NULL);
    if (present != 0)
        return present < 0 ? -1 : 0;
    char word [32];
    tabular_lower (v, len, word, sizeof word);
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
s_nhs_number (row_check_t *check, tabular_value_t *v, uint64_t *nhs)
{
    const char *name = dsr_columns [COL_NHS_NUMBER];
    char *dest = check->row->nhs_number;
    size_t len;
    if (s_clean (check, v, COL_NHS_NUMBER, 1, NULL, &len, NULL) != 0)
        return -1;
    kw_nhs_status_t status = kw_nhs_parse (v->text, v->len, dest);
    if (status != KW_NHS_OK)
        return s_reject (check->parser, check->line, name, "%s %s", name, kw_nhs_problem (status));
    uint64_t number = strtoull (dest, NULL, 10);
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
s_row (size_t line, tabular_value_t *values, void *arg)
{
    parser_t *self = arg;
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

//  A row tabular could not read, to the caller.
static void
s_problem (const kw_field_error_t *problem, void *arg)
{
    parser_t *self = arg;
    if (self->on_reject)
        self->on_reject (problem, self->arg);
}

int
dsr_parse (dsr_format_t format, const char *data, size_t len, int ty, int tm, int td,
           dsr_row_fn *on_row, dsr_reject_fn *on_reject, void *arg, kw_field_error_t *err)
{
    static const tabular_columns_t columns = { "DSR", dsr_columns, DSR_COLUMN_COUNT };
    parser_t *self = calloc (1, sizeof *self);
    if (!self)
        return tabular_fail (err, 0, "", "out of memory");
    self->ty = ty;
    self->tm = tm;
    self->td = td;
    self->on_row = on_row;
    self->on_reject = on_reject;
    self->arg = arg;
    self->data_len = len;
    int rc = tabular_read (format == DSR_FORMAT_NDJSON ? TABULAR_NDJSON : TABULAR_CSV, data, len,
                           &columns, s_row, s_problem, self, err);
    free (self->seen);
    free (self);
    return rc;
}
