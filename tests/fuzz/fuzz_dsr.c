/*  fuzz_dsr: the DSR feed parser. The first byte picks the format (even:
    CSV, odd: NDJSON); the rest is the file, copied into a buffer of its
    exact size. Every row handed over must satisfy the rules of dsr_row_t,
    every reject and error must be printable ASCII text, and lines must go
    up in file order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kw_nhs.h"
#include "kw_time.h"
#include "dsr_parse.h"
#include "validate.h"

#define TY 2026
#define TM 11
#define TD 20

static size_t s_last_line;

//  1 when s is NUL-terminated within size bytes.
static int
s_terminated (const char *s, size_t size)
{
    return memchr (s, 0, size) != NULL;
}

static int
s_printable (const char *s)
{
    for (; *s; s++)
        if (*s < ' ' || *s > '~')
            return 0;
    return 1;
}

static void
s_date (const char *s, int required, int past)
{
    int y, m, d;
    if (!s_terminated (s, 11))
        abort ();
    if (!*s) {
        if (required)
            abort ();
        return;
    }
    if (kw_date_parse (s, &y, &m, &d) != 0)
        abort ();
    if (past && kw_date_cmp (y, m, d, TY, TM, TD) > 0)
        abort ();
}

static void
s_flag (int flag)
{
    if (flag < -1 || flag > 1)
        abort ();
}

static void
s_on_row (const dsr_row_t *row, void *arg)
{
    if (row->line <= s_last_line)
        abort ();
    s_last_line = row->line;
    if (!s_terminated (row->dsr_id, sizeof row->dsr_id) || !*row->dsr_id
    ||  !s_terminated (row->given_name, sizeof row->given_name) || !*row->given_name
    ||  !s_terminated (row->family_name, sizeof row->family_name) || !*row->family_name
    ||  !s_terminated (row->postcode, sizeof row->postcode)
    ||  !s_terminated (row->rag, sizeof row->rag)
    ||  !s_terminated (row->consent_basis, sizeof row->consent_basis)
    ||  !s_terminated (row->lead_professional_email, sizeof row->lead_professional_email))
        abort ();
    for (const char *p = row->dsr_id; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            abort ();
    if (strspn (row->nhs_number, "0123456789") != 10 || row->nhs_number [10] || !kw_nhs_valid (row->nhs_number))
        abort ();
    s_date (row->date_of_birth, 1, 1);
    s_date (row->rag_effective_date, 1, 1);
    s_date (row->cetr_last, 0, 1);
    s_date (row->cetr_next, 0, 0);
    if (*row->postcode
    &&  (!validate_postcode (row->postcode, NULL) || !strchr (row->postcode, ' ')))
        abort ();
    if (*row->lead_professional_email && !kw_check_email_shape (row->lead_professional_email))
        abort ();
    if (strcmp (row->rag, "red") && strcmp (row->rag, "amber") && strcmp (row->rag, "green")
    &&  strcmp (row->rag, "blue"))
        abort ();
    if (*row->consent_basis && strcmp (row->consent_basis, "own_consent")
    &&  strcmp (row->consent_basis, "parental_responsibility")
    &&  strcmp (row->consent_basis, "best_interest"))
        abort ();
    s_flag (row->learning_disability);
    s_flag (row->autism);
    s_flag (row->inpatient);
}

static void
s_on_reject (const kw_field_error_t *reject, void *arg)
{
    if (reject->line == 0 || reject->line <= s_last_line)
        abort ();
    s_last_line = reject->line;
    if (!s_terminated (reject->field, sizeof reject->field)
    ||  !s_terminated (reject->message, sizeof reject->message)
    ||  !*reject->message || !s_printable (reject->field) || !s_printable (reject->message))
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    dsr_format_t format = data [0] & 1 ? DSR_FORMAT_NDJSON : DSR_FORMAT_CSV;
    size_t len = size - 1;
    char *copy = malloc (len ? len : 1);
    if (!copy)
        return 0;
    memcpy (copy, data + 1, len);
    s_last_line = 0;
    kw_field_error_t err;
    int rc = dsr_parse (format, copy, len, TY, TM, TD, s_on_row, s_on_reject, NULL, &err);
    if (rc != 0 && rc != -1)
        abort ();
    if (rc == -1 && (!s_terminated (err.message, sizeof err.message) || !*err.message
                 ||  !s_terminated (err.field, sizeof err.field) || !s_printable (err.message)))
        abort ();
    free (copy);
    return 0;
}
