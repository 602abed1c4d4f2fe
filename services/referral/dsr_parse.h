/*  dsr_parse: Dynamic Support Register feed files to validated rows. Reads
    CSV with a header row, or NDJSON (one JSON object per line), through
    tabular. Each good row is handed over as a dsr_row_t; each bad row as a
    kw_field_error_t naming its line, the field and the problem. Values are
    never copied into error messages. */
#ifndef REFERRAL_DSR_PARSE_H
#define REFERRAL_DSR_PARSE_H

#include <stddef.h>
#include "tabular.h"

typedef enum {
    DSR_FORMAT_CSV,
    DSR_FORMAT_NDJSON
} dsr_format_t;

//  Flags: 1 yes, 0 no, -1 not given (empty cell or JSON null).
typedef struct {
    size_t line;                        //  line the row starts on (the header is line 1)
    char dsr_id [65];                   //  required, printable, no control characters
    char nhs_number [11];               //  required, modulus-11 checked
    char given_name [201];              //  required
    char family_name [201];             //  required
    char date_of_birth [11];            //  required, YYYY-MM-DD, real, not in the future
    char postcode [9];                  //  "" or a UK postcode, upper case, one space: "NR2 3TU"
    int learning_disability;
    int autism;
    char rag [6];                       //  required: "red", "amber", "green" or "blue"
    char rag_effective_date [11];       //  required, real, not in the future
    int inpatient;
    char consent_basis [24];            //  "" or own_consent, parental_responsibility, best_interest
    char lead_professional_email [255]; //  "" or an e-mail address
    char cetr_last [11];                //  "" or a real date, not in the future
    char cetr_next [11];                //  "" or a real date
} dsr_row_t;

typedef void (dsr_row_fn) (const dsr_row_t *row, void *arg);
typedef void (dsr_reject_fn) (const kw_field_error_t *reject, void *arg);

#define DSR_COLUMN_COUNT 15

//  The column names, in the feed format's order.
extern const char *const dsr_columns [DSR_COLUMN_COUNT];

//  Parse data (len bytes, not NUL-terminated) in format, checking dates
//  against today (ty-tm-td). Calls on_row for every good row and on_reject
//  for every bad one (its first problem only), in file order; either may be
//  NULL. A row's line is the physical line it starts on (LF, CRLF or a lone
//  CR ends a line; a quoted CSV field may span several); blank lines are
//  skipped but counted. Values are trimmed of spaces and tabs. A second row
//  for an NHS number already in a good row of the file is rejected. Returns
//  0 when the file could be read (even if rows were rejected; an empty file,
//  or a CSV file with only a header, has no rows), or -1 with err (may be
//  NULL) filled when it cannot be read at all: a CSV first line that names
//  no DSR column, unknown, duplicate or missing columns, a header that is
//  not valid CSV or not UTF-8, a UTF-16 file, or no memory.
int dsr_parse (dsr_format_t format, const char *data, size_t len, int ty, int tm, int td,
               dsr_row_fn *on_row, dsr_reject_fn *on_reject, void *arg, kw_field_error_t *err);

#endif
