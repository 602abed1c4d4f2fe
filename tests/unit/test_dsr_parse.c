/*  test_dsr_parse: the DSR feed parser on the fixtures in tests/fixtures/dsr
    (run from the repository root) and on inline inputs: RFC 4180 quoting
    and line numbers, byte order marks and CRLF, the header rules, each
    field's checks, bytes that are not UTF-8 text, repeated NHS numbers
    (also across 200,000 rows), and NDJSON. Every input is copied into a
    buffer of its exact size, so a read past the end shows under ASan and
    valgrind. Dates are checked against 2026-11-20. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_nhs.h"
#include "../../services/referral/dsr_parse.h"
#include "../../services/referral/validate.h"
#include "tap.h"

#define TY 2026
#define TM 11
#define TD 20
#define KEPT 64

#define HEADER "dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode," \
               "learning_disability,autism,rag,rag_effective_date,inpatient,consent_basis," \
               "lead_professional_email,cetr_last,cetr_next"
//  The fourteen columns after nhs_number for a good row.
#define REST ",Ann,Example,2015-01-01,,,,red,2026-01-01,,,,,"
//  The twelve columns after family_name for a good row.
#define REST_AFTER_NAMES ",2015-01-01,,,,red,2026-01-01,,,,,"

typedef struct {
    int rc;
    kw_field_error_t err;
    size_t rows;
    size_t rejects;
    dsr_row_t row [KEPT];
    kw_field_error_t reject [KEPT];
    size_t last_line;                   //  of the last row or reject
    int in_order;                       //  1 while lines only go up
} result_t;

static result_t s_result;

static void
s_note_line (size_t line)
{
    if (line <= s_result.last_line)
        s_result.in_order = 0;
    s_result.last_line = line;
}

static void
s_on_row (const dsr_row_t *row, void *arg)
{
    if (s_result.rows < KEPT)
        s_result.row [s_result.rows] = *row;
    s_result.rows++;
    s_note_line (row->line);
}

static void
s_on_reject (const kw_field_error_t *reject, void *arg)
{
    if (s_result.rejects < KEPT)
        s_result.reject [s_result.rejects] = *reject;
    s_result.rejects++;
    s_note_line (reject->line);
}

//  Parse len bytes of data from a copy of exactly that size.
static result_t *
s_parse (dsr_format_t format, const char *data, size_t len)
{
    memset (&s_result, 0, sizeof s_result);
    s_result.in_order = 1;
    char *copy = malloc (len ? len : 1);
    if (len)
        memcpy (copy, data, len);
    s_result.rc = dsr_parse (format, copy, len, TY, TM, TD, s_on_row, s_on_reject, NULL,
                             &s_result.err);
    free (copy);
    return &s_result;
}

static result_t *
s_parse_text (dsr_format_t format, const char *text)
{
    return s_parse (format, text, strlen (text));
}

static result_t *
s_parse_file (dsr_format_t format, const char *name)
{
    char path [256];
    snprintf (path, sizeof path, "tests/fixtures/dsr/%s", name);
    FILE *file = fopen (path, "rb");
    if (!file) {
        tap_diag ("cannot open %s (run from the repository root)", path);
        memset (&s_result, 0, sizeof s_result);
        s_result.rc = -2;
        return &s_result;
    }
    static char data [65536];
    size_t len = fread (data, 1, sizeof data, file);
    fclose (file);
    return s_parse (format, data, len);
}

//  The error of the reject on line, or "" when no reject has that line.
static const kw_field_error_t *
s_reject_on (const result_t *r, size_t line)
{
    static const kw_field_error_t none = { 0, "(none)", "(none)" };
    for (size_t i = 0; i < r->rejects && i < KEPT; i++)
        if (r->reject [i].line == line)
            return &r->reject [i];
    return &none;
}

//  One CSV row: HEADER then a line made of dsr_id, NHS number and the rest.
static result_t *
s_one_row (const char *line)
{
    char text [2048];
    snprintf (text, sizeof text, HEADER "\n%s\n", line);
    return s_parse_text (DSR_FORMAT_CSV, text);
}

static void
s_test_quoted (void)
{
    result_t *r = s_parse_file (DSR_FORMAT_CSV, "quoted.csv");
    is_int (r->rc, 0, "quoted.csv reads");
    is_int (r->rows, 7, "quoted.csv: 7 rows");
    is_int (r->rejects, 0, "quoted.csv: no rejects");
    if (r->rows != 7)
        return;
    is_int (r->row [0].line, 2, "first row on line 2");
    is_str (r->row [0].given_name, "Ada, Junior", "quoted comma kept");
    is_str (r->row [0].postcode, "NR2 3TU", "postcode as given");
    is_int (r->row [0].learning_disability, 1, "true is 1");
    is_int (r->row [0].autism, 0, "false is 0");
    is_int (r->row [0].inpatient, 0, "no is 0");
    is_str (r->row [0].cetr_next, "2027-01-15", "cetr_next may be in the future");
    is_str (r->row [0].lead_professional_email, "lead.one@example.org", "e-mail kept");
    is_int (r->row [1].line, 3, "second row on line 3");
    is_str (r->row [1].nhs_number, "9434765927", "spaces dropped from the NHS number");
    is_str (r->row [1].given_name, "Bo \"Bee\" Sample", "doubled quotes collapse");
    is_str (r->row [1].postcode, "NR2 3TU", "postcode normalised");
    is_int (r->row [1].autism, 1, "Y is 1");
    is_str (r->row [1].rag, "amber", "rag stored lower case");
    is_str (r->row [1].consent_basis, "parental_responsibility", "consent basis any case");
    is_str (r->row [1].cetr_last, "", "empty cetr_last");
    is_int (r->row [2].line, 4, "third row on line 4");
    is_str (r->row [2].given_name, "Cy\nNewline", "embedded LF kept");
    is_int (r->row [2].learning_disability, -1, "empty flag is -1");
    is_int (r->row [3].line, 6, "row after a field with LF starts on line 6");
    is_str (r->row [3].family_name, "Two\r\nLines", "embedded CRLF kept");
    is_int (r->row [3].inpatient, 0, "FALSE is 0");
    is_int (r->row [4].line, 8, "row after a field with CRLF starts on line 8");
    is_str (r->row [4].nhs_number, "9434765951", "hyphens dropped from the NHS number");
    is_str (r->row [4].given_name, "Eve", "spaces trimmed");
    is_str (r->row [4].family_name, "Padded", "spaces trimmed unquoted");
    is_str (r->row [4].postcode, "", "blank postcode is empty");
    is_int (r->row [4].autism, -1, "blank flag is -1");
    is_int (r->row [5].line, 9, "fully quoted row on line 9");
    is_str (r->row [5].dsr_id, "DSR-006", "quoted dsr_id");
    is_str (r->row [5].postcode, "SW1A 1AA", "four-character outward code");
    is_int (r->row [5].learning_disability, 1, "1 is 1");
    is_str (r->row [5].consent_basis, "best_interest", "best_interest");
    is_str (r->row [5].cetr_next, "", "quoted empty field is empty");
    is_int (r->row [6].line, 10, "last row on line 10");
    is_str (r->row [6].dsr_id, "DSR-007", "spaces around a quoted field ignored");
    is_str (r->row [6].given_name, "\"Gus\"", "quotes at both ends of a quoted field");
    is_str (r->row [6].family_name, ",", "a field that is one comma");
}

static void
s_test_crlf_bom (void)
{
    result_t *r = s_parse_file (DSR_FORMAT_CSV, "crlf_bom.csv");
    is_int (r->rc, 0, "crlf_bom.csv reads (BOM, CRLF, reordered header)");
    is_int (r->rows, 2, "crlf_bom.csv: 2 rows");
    is_int (r->rejects, 0, "crlf_bom.csv: blank lines are not rows");
    if (r->rows != 2)
        return;
    is_int (r->row [0].line, 2, "row on line 2");
    is_str (r->row [0].nhs_number, "9434765994", "reordered: NHS number from column 1");
    is_str (r->row [0].dsr_id, "DSR-101", "reordered: dsr_id from column 2");
    is_str (r->row [0].rag, "red", "reordered: rag from column 3");
    is_str (r->row [0].given_name, "Hal", "reordered: given_name");
    is_str (r->row [0].postcode, "NR1 1AA", "no CR left on the values");
    is_str (r->row [1].cetr_next, "2027-02-01", "last column has no CR");
    is_int (r->row [1].line, 4, "row after a blank line on line 4");

    const char *lf_bom = "\xef\xbb\xbf" HEADER "\nDSR-1,9434765994" REST;
    r = s_parse_text (DSR_FORMAT_CSV, lf_bom);
    ok (r->rc == 0 && r->rows == 1, "BOM and no newline at the end of the file");
    const char *cr_only = HEADER "\rDSR-1,9434765994" REST "\rDSR-2,9434766001" REST;
    r = s_parse_text (DSR_FORMAT_CSV, cr_only);
    ok (r->rc == 0 && r->rows == 2 && r->row [1].line == 3, "lone CR ends a line too");
    const char *cr_quoted = HEADER "\nDSR-1,9434765994,\"Ann\rMarie\",\"Example\r\"" REST_AFTER_NAMES
                            "\nDSR-2,9434766001" REST "\n";
    r = s_parse_text (DSR_FORMAT_CSV, cr_quoted);
    ok (r->rc == 0 && r->rows == 2 && r->row [1].line == 5
        && strcmp (r->row [0].given_name, "Ann\rMarie") == 0, "lone CRs inside quotes count as lines");
}

static void
s_test_header (void)
{
    result_t *r = s_parse_text (DSR_FORMAT_CSV, "");
    ok (r->rc == 0 && r->rows == 0 && r->rejects == 0, "empty file: no rows");
    r = s_parse (DSR_FORMAT_CSV, NULL, 0);
    ok (r->rc == 0 && r->rows == 0, "no data at all: no rows");
    r = s_parse_text (DSR_FORMAT_CSV, "\xef\xbb\xbf\r\n\n  \n");
    ok (r->rc == 0 && r->rows == 0, "BOM and blank lines only: no rows");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER);
    ok (r->rc == 0 && r->rows == 0 && r->rejects == 0, "header only, no newline: no rows");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER "\r\n\r\n");
    ok (r->rc == 0 && r->rows == 0 && r->rejects == 0, "header only with blank lines: no rows");

    r = s_parse_text (DSR_FORMAT_CSV, "DSR-1,9434765994" REST "\n");
    is_int (r->rc, -1, "no header row: -1");
    is_str (r->err.field, "header", "no header row: field header");
    is_str (r->err.message, "the first line is not a header row naming the DSR columns",
            "no header row: error");
    ok (strstr (r->err.message, "9434765994") == NULL, "no header row: values not echoed");
    is_int (r->rows + r->rejects, 0, "no header row: nothing reported");

    r = s_parse_text (DSR_FORMAT_CSV,
                      "dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode,"
                      "learning_disability,foo,inpatient,consent_basis,lead_professional_email,"
                      "rag_effective_date,cetr_last,cetr_next\n");
    is_int (r->rc, -1, "unknown and missing columns: -1");
    is_str (r->err.field, "header", "field is header");
    is_int (r->err.line, 1, "header problem on line 1");
    is_str (r->err.message, "unknown column 'foo'; missing columns: autism, rag",
            "unknown and missing columns named");

    r = s_parse_text (DSR_FORMAT_CSV, HEADER ",Foo,Bar\n");
    is_str (r->err.message, "unknown columns 'Foo', 'Bar'", "two unknown columns");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER ",Ann Example 9434765994\n");
    is_str (r->err.message, "unknown column number 16", "an unknown column that looks like data is not echoed");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER ",\n");
    is_str (r->err.message, "unknown column number 16 (no name)", "a trailing comma in the header");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER ",rag\n");
    is_int (r->rc, -1, "duplicate column: -1");
    is_str (r->err.message, "duplicate column 'rag'", "duplicate column named");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER ", DSR_ID ,x\n");
    is_str (r->err.message, "unknown column 'x'; duplicate column 'dsr_id'", "unknown and duplicate");
    r = s_parse_text (DSR_FORMAT_CSV, "dsr_id\n");
    ok (r->rc == -1 && strstr (r->err.message, "missing columns: nhs_number, given_name,") != NULL,
        "one column only: the rest are missing");
    r = s_parse_text (DSR_FORMAT_CSV, "\n\n" HEADER ",foo\n");
    ok (r->rc == -1 && r->err.line == 3, "header after blank lines: its own line number");
    r = s_parse_text (DSR_FORMAT_CSV, "\"dsr_id\"," HEADER "\n");
    is_str (r->err.message, "duplicate column 'dsr_id'", "quoted header cell");
    r = s_parse_text (DSR_FORMAT_CSV, "dsr\"_id" HEADER "\n");
    ok (r->rc == -1 && strstr (r->err.message, "not valid CSV") != NULL, "stray quote in the header: -1");
    r = s_parse_text (DSR_FORMAT_CSV, "dsr_id,\"nhs_number\n");
    ok (r->rc == -1 && strstr (r->err.message, "not closed") != NULL, "unterminated quote in the header: -1");
    r = s_parse (DSR_FORMAT_CSV, "dsr_id,nhs\xff", 11);
    ok (r->rc == -1 && strcmp (r->err.message, "the header is not UTF-8 text") == 0,
        "header not UTF-8: -1");
    r = s_parse (DSR_FORMAT_CSV, "\xff\xfe" "d\0s\0r\0", 8);
    ok (r->rc == -1 && strstr (r->err.message, "UTF-16") != NULL && r->err.line == 0,
        "UTF-16 file: -1 on line 0");

    char wide [4096] = HEADER;
    for (int i = 0; i < 60; i++)
        strcat (wide, ",x");
    r = s_parse_text (DSR_FORMAT_CSV, wide);
    ok (r->rc == -1 && strstr (r->err.message, "75 columns") != NULL, "far too many columns: -1");

    //  Same columns, any case, any order, spaces around.
    r = s_parse_text (DSR_FORMAT_CSV,
                      " CETR_NEXT ,cetr_last,lead_professional_email,consent_basis,inpatient,"
                      "rag_effective_date,RAG,autism,learning_disability,postcode,date_of_birth,"
                      "family_name,given_name,NHS_Number,Dsr_Id\n"
                      ",,,,,2026-01-01,green,,,,2015-01-01,Example,Ann,9434766206,DSR-R\n");
    ok (r->rc == 0 && r->rows == 1, "header reversed reads");
    if (r->rows == 1) {
        is_str (r->row [0].dsr_id, "DSR-R", "reversed: dsr_id");
        is_str (r->row [0].nhs_number, "9434766206", "reversed: nhs_number");
        is_str (r->row [0].rag, "green", "reversed: rag");
    }
}

//  Expected rejects in bad_rows.csv: line, field, error.
static const struct {
    size_t line;
    const char *field;
    const char *error;
} s_bad [] = {
    { 2, "dsr_id", "dsr_id is required" },
    { 3, "dsr_id", "dsr_id is longer than 64 bytes" },
    { 4, "dsr_id", "dsr_id contains a control character" },
    { 5, "nhs_number", "nhs_number is required" },
    { 6, "nhs_number", "nhs_number has a wrong check digit" },
    { 7, "nhs_number", "nhs_number may hold only digits, spaces and hyphens" },
    { 8, "nhs_number", "nhs_number must be 10 digits (spaces and hyphens are allowed)" },
    { 9, "given_name", "given_name is required" },
    { 10, "given_name", "given_name is longer than 200 bytes" },
    { 11, "family_name", "family_name is required" },
    { 12, "date_of_birth", "date_of_birth is required" },
    { 13, "date_of_birth", "date_of_birth is in the future" },
    { 14, "date_of_birth", "date_of_birth is not a real date in the form YYYY-MM-DD" },
    { 15, "date_of_birth", "date_of_birth is not a real date in the form YYYY-MM-DD" },
    { 16, "postcode", "postcode is not a UK postcode" },
    { 17, "learning_disability", "learning_disability must be true, false, yes, no, y, n, 1 or 0" },
    { 18, "autism", "autism must be true, false, yes, no, y, n, 1 or 0" },
    { 19, "rag", "rag is required" },
    { 20, "rag", "rag must be red, amber, green or blue" },
    { 21, "rag_effective_date", "rag_effective_date is required" },
    { 22, "rag_effective_date", "rag_effective_date is in the future" },
    { 23, "inpatient", "inpatient must be true, false, yes, no, y, n, 1 or 0" },
    { 24, "consent_basis", "consent_basis must be own_consent, parental_responsibility or best_interest" },
    { 25, "lead_professional_email", "lead_professional_email is not an e-mail address" },
    { 26, "cetr_last", "cetr_last is in the future" },
    { 27, "cetr_last", "cetr_last is not a real date in the form YYYY-MM-DD" },
    { 28, "cetr_next", "cetr_next is not a real date in the form YYYY-MM-DD" },
    { 29, "cetr_next", "cetr_next is too long for a date in the form YYYY-MM-DD" },
    { 30, "", "the row has 14 fields; the header has 15" },
    { 31, "", "the row has 16 fields; the header has 15" },
    { 32, "given_name", "a quote inside an unquoted field (quote the whole field and double the quote)" },
    { 33, "given_name", "a quoted field has text after its closing quote" },
    { 34, "lead_professional_email", "lead_professional_email is longer than 254 bytes" },
    { 35, "postcode", "postcode is not a UK postcode" },
};

static void
s_test_bad_rows (void)
{
    size_t count = sizeof s_bad / sizeof s_bad [0];
    result_t *r = s_parse_file (DSR_FORMAT_CSV, "bad_rows.csv");
    is_int (r->rc, 0, "bad_rows.csv reads");
    is_int (r->rejects, count, "bad_rows.csv: every bad row rejected, once");
    is_int (r->rows, 1, "bad_rows.csv: the good row kept");
    ok (r->rows == 1 && r->row [0].line == 36 && strcmp (r->row [0].dsr_id, "DSR-41") == 0,
        "the good row is line 36 (the bad ones do not hold its NHS number)");
    ok (r->in_order, "rows and rejects in file order");
    for (size_t i = 0; i < count && i < r->rejects; i++) {
        const kw_field_error_t *got = &r->reject [i];
        ok (got->line == s_bad [i].line && strcmp (got->field, s_bad [i].field) == 0
            && strcmp (got->message, s_bad [i].error) == 0,
            "line %zu: %s: %s", s_bad [i].line, s_bad [i].field, s_bad [i].error);
        if (got->line != s_bad [i].line || strcmp (got->message, s_bad [i].error) != 0)
            tap_diag ("got line %zu field '%s' error '%s'", got->line, got->field, got->message);
    }
    int echoed = 0;
    for (size_t i = 0; i < r->rejects && i < KEPT; i++)
        if (strstr (r->reject [i].message, "9434766") || strstr (r->reject [i].message, "Ann")
        ||  strstr (r->reject [i].message, "purple") || strstr (r->reject [i].message, "not-an-address"))
            echoed++;
    is_int (echoed, 0, "no error repeats a value");
}

static void
s_test_bytes (void)
{
    //  Invalid UTF-8 and NUL bytes, each in the given_name of one row.
    static const struct {
        const char *bytes;
        size_t len;
        const char *error;
        const char *name;
    } cases [] = {
        { "A\xffn", 3, "given_name is not valid UTF-8", "a byte that is never UTF-8" },
        { "A\xc3", 2, "given_name is not valid UTF-8", "a truncated sequence at the end" },
        { "\xc0\xaf", 2, "given_name is not valid UTF-8", "an overlong form" },
        { "\xed\xa0\x80", 3, "given_name is not valid UTF-8", "a surrogate" },
        { "\xf4\x90\x80\x80", 4, "given_name is not valid UTF-8", "past U+10FFFF" },
        { "\xe2\x82", 2, "given_name is not valid UTF-8", "a three-byte sequence cut short" },
        { "A\0n", 3, "given_name contains a NUL byte", "a NUL byte" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char text [1024];
        size_t len = (size_t) snprintf (text, sizeof text, HEADER "\nDSR-1,9434765994,");
        memcpy (text + len, cases [i].bytes, cases [i].len);
        len += cases [i].len;
        len += (size_t) snprintf (text + len, sizeof text - len,
                                  ",Example,2015-01-01,,,,red,2026-01-01,,,,,\n");
        result_t *r = s_parse (DSR_FORMAT_CSV, text, len);
        ok (r->rc == 0 && r->rows == 0 && r->rejects == 1
            && strcmp (r->reject [0].field, "given_name") == 0
            && strcmp (r->reject [0].message, cases [i].error) == 0, "%s is rejected", cases [i].name);
    }
    result_t *r = s_one_row ("DSR-1,9434765994,Siân,Ó Fiacháin,2015-01-01,,,,red,2026-01-01,,,,,");
    ok (r->rows == 1 && strcmp (r->row [0].family_name, "Ó Fiacháin") == 0, "UTF-8 names kept");
    r = s_one_row ("DSR-1,9434765994,\xf0\x9f\x98\x80,Example,2015-01-01,,,,red,2026-01-01,,,,,");
    ok (r->rows == 1, "a four-byte character is fine");
    r = s_one_row ("DSR-\xc2\x85,9434765994" REST);
    ok (r->rejects == 1 && strcmp (r->reject [0].message, "dsr_id contains a control character") == 0,
        "a C1 control character in dsr_id is rejected");
    r = s_one_row ("DSR-1,9434765994,Ann\tMarie,Example,2015-01-01,,,,red,2026-01-01,,,,,");
    ok (r->rows == 1, "a tab inside a name is kept");
    r = s_one_row ("\"DSR-1\n\",9434765994" REST);
    ok (r->rows == 0 && r->rejects == 1 && r->reject [0].line == 2
        && strcmp (r->reject [0].message, "dsr_id contains a control character") == 0,
        "a newline inside a quoted dsr_id is a control character (only spaces and tabs are trimmed)");
}

static void
s_test_lengths (void)
{
    char line [1024];
    char id [70];
    memset (id, 'D', 64);
    id [64] = 0;
    snprintf (line, sizeof line, "%s,9434765994" REST, id);
    result_t *r = s_one_row (line);
    ok (r->rows == 1 && strlen (r->row [0].dsr_id) == 64, "dsr_id of 64 bytes fits");
    char name [210];
    memset (name, 'n', 200);
    name [200] = 0;
    snprintf (line, sizeof line, "DSR-1,9434765994,%s,%s,2015-01-01,,,,red,2026-01-01,,,,,", name, name);
    r = s_one_row (line);
    ok (r->rows == 1 && strlen (r->row [0].family_name) == 200, "names of 200 bytes fit");
    snprintf (line, sizeof line, "DSR-1,9434765994,\"%.198s\"\"\",Example,2015-01-01,,,,red,2026-01-01,,,,,",
              name);
    r = s_one_row (line);
    ok (r->rows == 1 && strlen (r->row [0].given_name) == 199, "length counted after collapsing quotes");
    snprintf (line, sizeof line, "DSR-1,9434765994,  %s  ,Example,2015-01-01,,,,red,2026-01-01,,,,,", name);
    r = s_one_row (line);
    ok (r->rows == 1, "length counted after trimming");
    char email [300];
    memset (email, 'a', 64);
    snprintf (email + 64, sizeof email - 64, "@%0177d.example.org", 0);
    snprintf (line, sizeof line, "DSR-1,9434765994" ",Ann,Example,2015-01-01,,,,red,2026-01-01,,,%s,,", email);
    r = s_one_row (line);
    ok (r->rows == 1 && strlen (r->row [0].lead_professional_email) == 254, "e-mail of 254 bytes fits");
    r = s_one_row ("DSR-1,9434765994,Ann,Example,2015-01-01,SW1A  1AA,,,red,2026-01-01,,,,,");
    ok (r->rejects == 1 && strcmp (r->reject [0].message, "postcode is longer than 8 bytes") == 0,
        "postcode too long for its buffer");
    r = s_one_row ("DSR-1,9434765994,Ann,Example,2015-01-01,,,,red,2026-11-20,,,,2026-11-20,2026-11-21");
    ok (r->rows == 1, "today is not in the future; cetr_next tomorrow is fine");
    r = s_one_row ("DSR-1,9434765994,Ann,Example,2015-01-01,,,,red,2026-01-01,,Best_Interest,,,");
    ok (r->rows == 1 && strcmp (r->row [0].consent_basis, "best_interest") == 0, "consent basis lower case");
    r = s_one_row ("DSR-1,9434765994,Ann,Example,2015-01-01,,,,red,2026-01-01,,best interest,,,");
    ok (r->rejects == 1 && strcmp (r->reject [0].field, "consent_basis") == 0, "consent basis exact words");
    r = s_one_row ("DSR-1,9434765994,Ann,Example,2015-01-01,,,,\"re\"\"d\",2026-01-01,,,,,");
    ok (r->rejects == 1 && strcmp (r->reject [0].field, "rag") == 0, "quotes inside rag rejected");
    r = s_one_row ("DSR-1,9434765994,Ann,Example,2015-01-01,,YES,no,red,2026-01-01,True,,,,");
    ok (r->rows == 1 && r->row [0].learning_disability == 1 && r->row [0].autism == 0
        && r->row [0].inpatient == 1, "flags in any case");
}

static void
s_test_unterminated (void)
{
    result_t *r = s_parse_file (DSR_FORMAT_CSV, "unterminated.csv");
    is_int (r->rc, 0, "unterminated.csv reads");
    is_int (r->rows, 1, "unterminated.csv: the row before it kept");
    is_int (r->rejects, 1, "unterminated.csv: one reject");
    const kw_field_error_t *reject = s_reject_on (r, 3);
    is_str (reject->field, "given_name", "unterminated: the column where the quote opened");
    is_str (reject->message, "a quoted field is not closed before the end of the file",
            "unterminated: error");

    r = s_parse_text (DSR_FORMAT_CSV, HEADER "\n\"");
    ok (r->rc == 0 && r->rejects == 1 && r->reject [0].line == 2, "a lone quote at the end");
    r = s_parse_text (DSR_FORMAT_CSV, HEADER "\nDSR-1,\"9434765994\"\"");
    ok (r->rc == 0 && r->rejects == 1 && strcmp (r->reject [0].field, "nhs_number") == 0,
        "a doubled quote at the end does not close the field");
}

static void
s_test_counts (void)
{
    result_t *r = s_one_row ("DSR-1");
    ok (r->rejects == 1 && strcmp (r->reject [0].message, "the row has 1 field; the header has 15") == 0,
        "one field");
    r = s_one_row ("   ");
    ok (r->rows == 0 && r->rejects == 0, "a line of spaces is blank");
    r = s_one_row ("\"\"");
    ok (r->rejects == 1 && r->reject [0].line == 2, "a line holding \"\" is a row of one field");
    r = s_one_row ("DSR-1,9434765994" REST ",");
    ok (r->rejects == 1 && strstr (r->reject [0].message, "16 fields") != NULL, "trailing comma is a field");
}

static void
s_test_duplicates (void)
{
    result_t *r = s_parse_file (DSR_FORMAT_CSV, "duplicates.csv");
    is_int (r->rc, 0, "duplicates.csv reads");
    is_int (r->rows, 3, "duplicates.csv: 3 rows");
    is_int (r->rejects, 3, "duplicates.csv: 3 rejects");
    if (r->rows == 3) {
        is_int (r->row [0].line, 2, "first good row");
        is_int (r->row [1].line, 4, "a row after a bad row with the same number is good");
        is_int (r->row [2].line, 7, "last good row");
    }
    is_str (s_reject_on (r, 3)->field, "rag", "line 3 bad for its rag");
    is_str (s_reject_on (r, 5)->field, "nhs_number", "line 5 repeats an NHS number");
    is_str (s_reject_on (r, 5)->message, "nhs_number appears again; first on line 2",
            "line 5 names the first line (spaces ignored)");
    is_str (s_reject_on (r, 6)->message, "nhs_number appears again; first on line 4",
            "line 6 names line 4, not the bad line 3");
    r = s_one_row ("DSR-1,0000000000" REST);
    ok (r->rows == 1, "an all-zero NHS number (check digit 0) is a number like any other");
}

//  A 9-digit stem's NHS number, or 0 when the stem has no check digit.
static int
s_nhs (long stem, char out [11])
{
    for (int i = 8; i >= 0; i--, stem /= 10)
        out [i] = (char) ('0' + stem % 10);
    out [10] = 0;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (out [i] - '0') * (10 - i);
    int check = (11 - sum % 11) % 11;
    if (check == 10)
        return 0;
    out [9] = (char) ('0' + check);
    return 1;
}

static void
s_test_many (void)
{
    size_t want = 200000;
    size_t size = 128 * (want + 1000);
    char *text = malloc (size);
    size_t len = (size_t) snprintf (text, size, HEADER "\n");
    size_t rows = 0;
    long stem = 400000000;
    char first [11] = "";
    while (rows < want) {
        char nhs [11];
        if (!s_nhs (stem, nhs) || !kw_nhs_valid (nhs)) {
            stem += 7919;
            continue;
        }
        if (!*first)
            memcpy (first, nhs, 11);
        len += (size_t) snprintf (text + len, size - len,
                                  "DSR-%zu,%s,Ann,Example,2015-01-01,,,,red,2026-01-01,,,,,\n", rows, nhs);
        rows++;
        stem += 7919;
        if (rows % 1000 == 0)
            len += (size_t) snprintf (text + len, size - len, "DSR-again,%s" REST "\n", first);
    }
    result_t *r = s_parse (DSR_FORMAT_CSV, text, len);
    free (text);
    is_int (r->rows, want, "200,000 distinct NHS numbers: all kept");
    is_int (r->rejects, want / 1000, "each repeat of the first number rejected");
    ok (r->rejects > 0 && strcmp (r->reject [0].message, "nhs_number appears again; first on line 2") == 0,
        "repeat names line 2");
}

//  Expected outcome of each line of feed.ndjson: a row or a reject.
static void
s_test_ndjson (void)
{
    result_t *r = s_parse_file (DSR_FORMAT_NDJSON, "feed.ndjson");
    is_int (r->rc, 0, "feed.ndjson reads");
    is_int (r->rows, 4, "feed.ndjson: 4 rows");
    is_int (r->rejects, 10, "feed.ndjson: 10 rejects");
    ok (r->in_order, "NDJSON rows and rejects in file order");
    if (r->rows == 4) {
        is_int (r->row [0].line, 1, "first line is line 1");
        is_str (r->row [0].postcode, "NR2 3TU", "NDJSON postcode normalised");
        is_str (r->row [0].rag, "red", "NDJSON rag lower case");
        is_int (r->row [0].learning_disability, 1, "flag from \"yes\"");
        is_int (r->row [0].autism, 0, "flag from \"N\"");
        is_int (r->row [0].inpatient, 0, "flag from \"0\"");
        is_int (r->row [1].line, 2, "second row");
        is_str (r->row [1].nhs_number, "9434766109", "hyphens dropped");
        is_int (r->row [1].learning_disability, 1, "flag from true");
        is_int (r->row [1].autism, 0, "flag from false");
        is_int (r->row [1].inpatient, -1, "flag from null");
        is_str (r->row [1].postcode, "", "null postcode is empty");
        is_str (r->row [1].cetr_next, "", "null date is empty");
        is_int (r->row [2].line, 12, "line after blank and bad lines keeps its number");
        is_str (r->row [2].rag, "blue", "BLUE");
        is_int (r->row [2].inpatient, 1, "flag from \"Y\"");
        is_int (r->row [2].learning_disability, -1, "missing flag is -1");
        is_int (r->row [3].line, 15, "last row");
        is_str (r->row [3].given_name, "Yas\nMin", "JSON escapes decoded");
        is_str (r->row [3].family_name, "Example \"Quoted\"", "JSON quotes decoded");
    }
    is_str (s_reject_on (r, 4)->field, "favourite_colour", "unknown key named as the field");
    is_str (s_reject_on (r, 4)->message, "unknown key 'favourite_colour'", "unknown key error");
    is_str (s_reject_on (r, 5)->field, "", "malformed JSON: whole row");
    ok (strncmp (s_reject_on (r, 5)->message, "the line is not valid JSON: ", 28) == 0, "malformed JSON error");
    ok (strstr (s_reject_on (r, 5)->message, "DSR-N4") == NULL, "malformed JSON not echoed");
    is_str (s_reject_on (r, 6)->message, "the line is not a JSON object", "array line");
    is_str (s_reject_on (r, 7)->message, "nhs_number is required", "missing key is empty");
    is_str (s_reject_on (r, 8)->message, "rag must be a string or null", "number where text belongs");
    is_str (s_reject_on (r, 9)->message, "given_name must be a string, not true or false",
            "boolean where text belongs");
    is_str (s_reject_on (r, 10)->message, "the line is not valid JSON: a key appears twice (column 29)",
            "duplicate key");
    is_str (s_reject_on (r, 11)->field, "learning_disability", "bad flag string");
    is_str (s_reject_on (r, 13)->message, "nhs_number appears again; first on line 1", "NDJSON repeat");
    is_str (s_reject_on (r, 14)->message, "autism must be true, false, a string or null", "number flag");

    r = s_parse_text (DSR_FORMAT_NDJSON, "");
    ok (r->rc == 0 && r->rows == 0 && r->rejects == 0, "empty NDJSON: no rows");
    r = s_parse_text (DSR_FORMAT_NDJSON, "\xef\xbb\xbf\n\r\n \t\n");
    ok (r->rc == 0 && r->rows == 0 && r->rejects == 0, "NDJSON BOM and blank lines: no rows");
    const char *good = "{\"dsr_id\": \"DSR-J\", \"nhs_number\": \"9434765994\", \"given_name\": \"Ann\","
                       " \"family_name\": \"Example\", \"date_of_birth\": \"2015-01-01\", \"rag\": \"red\","
                       " \"rag_effective_date\": \"2026-01-01\"}";
    r = s_parse_text (DSR_FORMAT_NDJSON, good);
    ok (r->rc == 0 && r->rows == 1 && r->row [0].line == 1, "one line, no newline at the end");
    char lines [2048];
    snprintf (lines, sizeof lines, "%s\r%s\r\n\r\n%s", good, good, good);
    r = s_parse_text (DSR_FORMAT_NDJSON, lines);
    ok (r->rows == 1 && r->rejects == 2 && r->reject [0].line == 2 && r->reject [1].line == 4,
        "lone CR and CRLF end NDJSON lines too");
    r = s_parse_text (DSR_FORMAT_NDJSON, "{\"dsr_id\": \"DSR\\u0000J\"}\n");
    ok (r->rejects == 1 && strcmp (r->reject [0].message, "dsr_id contains a NUL byte") == 0,
        "\\u0000 in a value: NUL byte named");
    r = s_parse (DSR_FORMAT_NDJSON, "{\"given_name\": \"A\xff\"}\n", 20);
    ok (r->rejects == 1 && strstr (r->reject [0].message, "not valid UTF-8") != NULL, "bytes not UTF-8");
    r = s_parse_text (DSR_FORMAT_NDJSON, "{\"dsr_id\": \"a\"} {}\n");
    ok (r->rejects == 1 && strstr (r->reject [0].message, "text after the object") != NULL,
        "two objects on a line");
    r = s_parse_text (DSR_FORMAT_NDJSON, "{\"Ann Example\": \"x\"}\n");
    ok (r->rejects == 1 && strcmp (r->reject [0].field, "") == 0
        && strcmp (r->reject [0].message, "an unknown key") == 0, "an unknown key that looks like data is not echoed");
    r = s_parse_text (DSR_FORMAT_NDJSON, "{\"RAG\": \"red\"}\n");
    ok (r->rejects == 1 && strcmp (r->reject [0].field, "RAG") == 0, "keys are case-sensitive");
    r = s_parse_text (DSR_FORMAT_NDJSON, "\"text\"\n42\nnull\n");
    ok (r->rejects == 3, "scalars are not objects");
    r = s_parse_text (DSR_FORMAT_NDJSON, HEADER "\n");
    ok (r->rc == 0 && r->rejects == 1, "a CSV header read as NDJSON is a bad line");
}

int
main (void)
{
    s_test_quoted ();
    s_test_crlf_bom ();
    s_test_header ();
    s_test_bad_rows ();
    s_test_bytes ();
    s_test_lengths ();
    s_test_unterminated ();
    s_test_counts ();
    s_test_duplicates ();
    s_test_many ();
    s_test_ndjson ();
    return tap_done ();
}
