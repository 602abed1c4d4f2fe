/*  import: a region's workforce loaded from a CSV file (POST
    /v1/professionals/import, coordinators and admins). The header names
    the columns, in any order: name, agency, discipline, email (required),
    phone, languages and localities (separated by spaces, ';' or '|'),
    max_caseload, deputy_email (another professional of the file or the
    registry), working_hours ("mon 09:00-17:00; tue 09:00-12:30") and active
    (true or false). A professional is known by e-mail: a new one is
    registered, a known one changed in the columns given, or left as it is.
    Every row is checked as a POST /v1/professionals body would be
    (professional_check.c); a bad row is reported with its line and column
    and the good rows are kept, all in one transaction with a
    professional_changed event for each registration and change; then the
    registry's statistics are taken again (matching plans by them). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_audit.h"
#include "kw_csv.h"
#include "kw_log.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "assignment.h"
#include "professional_check.h"

#define MAX_ROWS 20000
#define MAX_CELL 1024
#define MAX_REJECTIONS 1000

typedef enum {
    COL_NAME, COL_AGENCY, COL_DISCIPLINE, COL_EMAIL, COL_PHONE, COL_LANGUAGES, COL_LOCALITIES,
    COL_MAX_CASELOAD, COL_DEPUTY_EMAIL, COL_WORKING_HOURS, COL_ACTIVE, COL_COUNT
} column_t;

static const char *const s_columns [COL_COUNT] = {
    "name", "agency", "discipline", "email", "phone", "languages", "localities", "max_caseload",
    "deputy_email", "working_hours", "active"
};

//  A good row: its line, record, its deputy's e-mail, its id once written.
typedef struct {
    size_t line;
    Kw__ProfessionalRecord *record;
    char *deputy_email;
    char *id;
    int known;                      //  registered before this file
} row_t;

typedef struct {
    const Kw__ProfessionalImportRequest *in;
    kw_arena_t *arena;
    int column_of [COL_COUNT];      //  the file column of each, -1 when absent
    row_t *rows;
    size_t row_count;
    Kw__ProfessionalImportResult result;
    size_t rejected_size;
} import_t;

static void
s_reject (import_t *self, size_t line, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
s_reject (import_t *self, size_t line, const char *field, const char *fmt, ...)
{
    Kw__ProfessionalImportResult *result = &self->result;
    if (result->n_rejected >= MAX_REJECTIONS)
        return;
    if (result->n_rejected == self->rejected_size) {
        size_t size = self->rejected_size ? self->rejected_size * 2 : 16;
        Kw__ImportRejectedRow **bigger = kw_arena_alloc (self->arena, sizeof *bigger * size);
        if (result->n_rejected)
            memcpy (bigger, result->rejected, sizeof *bigger * result->n_rejected);
        result->rejected = bigger;
        self->rejected_size = size;
    }
    char message [512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (message, sizeof message, fmt, ap);
    va_end (ap);
    Kw__ImportRejectedRow *r = kw_arena_calloc (self->arena, sizeof *r);
    kw__import_rejected_row__init (r);
    r->has_line = 1;
    r->line = (uint32_t) line;
    r->field = kw_arena_strdup (self->arena, field);
    r->error = kw_arena_strdup (self->arena, message);
    result->rejected [result->n_rejected++] = r;
}

// ---- reading the file

//  The header: each column known once, the required ones there. 0 or -1
//  (the whole file refused, as line 1).
static int
s_header (import_t *self, const kw_csv_record_t *rec)
{
    for (int c = 0; c < COL_COUNT; c++)
        self->column_of [c] = -1;
    if (rec->problem) {
        s_reject (self, rec->line, "header", "the header row is not valid CSV: %s", rec->problem);
        return -1;
    }
    for (size_t i = 0; i < rec->count && i < KW_CSV_MAX_FIELDS; i++) {
        const char *text = rec->fields [i].text;
        size_t len = rec->fields [i].len;
        kw_csv_trim (&text, &len);
        int known = -1;
        for (int c = 0; c < COL_COUNT; c++)
            if (strlen (s_columns [c]) == len && strncasecmp (text, s_columns [c], len) == 0)
                known = c;
        if (known < 0) {
            s_reject (self, rec->line, "header", "column %zu is not one of name, agency, discipline, email,"
                      " phone, languages, localities, max_caseload, deputy_email, working_hours, active", i + 1);
            return -1;
        }
        if (self->column_of [known] >= 0) {
            s_reject (self, rec->line, "header", "column '%s' is given twice", s_columns [known]);
            return -1;
        }
        self->column_of [known] = (int) i;
    }
    for (int c = COL_NAME; c <= COL_EMAIL; c++)
        if (self->column_of [c] < 0) {
            s_reject (self, rec->line, "header", "the required column '%s' is missing", s_columns [c]);
            return -1;
        }
    return 0;
}

//  A cell as text in arena (trimmed, unquoted), NULL when empty or the
//  column is absent; *bad set (the row rejected) when it is not UTF-8 text.
static char *
s_cell (import_t *self, const kw_csv_record_t *rec, column_t col, int *bad)
{
    int at = self->column_of [col];
    if (at < 0 || (size_t) at >= rec->count || *bad)
        return NULL;
    const kw_csv_field_t *f = &rec->fields [at];
    const char *text = f->text;
    size_t raw = f->len;
    kw_csv_trim (&text, &raw);
    if (!raw)
        return NULL;
    kw_csv_scan_t scan;
    kw_csv_scan (text, raw, &scan);
    size_t len = f->escaped ? raw - scan.quotes / 2 : raw;
    if (!scan.utf8 || scan.control || len > MAX_CELL) {
        s_reject (self, rec->line, s_columns [col], "%s %s", s_columns [col], !scan.utf8 ? "is not UTF-8 text"
                  : scan.control ? "contains a control character" : "is too long");
        *bad = 1;
        return NULL;
    }
    char *out = kw_arena_alloc (self->arena, len + 1);
    kw_csv_copy (text, raw, f->escaped, len, out);
    return out;
}

//  Split a cell at spaces, ';', ',' or '|' into a list in arena.
static char **
s_words (char *cell, kw_arena_t *arena, size_t *count)
{
    *count = 0;
    if (!cell)
        return NULL;
    char **words = kw_arena_calloc (arena, sizeof *words * (strlen (cell) / 2 + 1));
    for (char *save = NULL, *w = strtok_r (cell, " \t;,|", &save); w; w = strtok_r (NULL, " \t;,|", &save))
        words [(*count)++] = w;
    return words;
}

//  "mon 09:00-17:00; tue 09:00-12:30" into hours. 0, or -1 with why.
static int
s_hours (char *cell, Kw__WorkingHours *hours, kw_arena_t *arena, const char **why)
{
    static const char *const days [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    char ***lists [7] = { &hours->mon, &hours->tue, &hours->wed, &hours->thu, &hours->fri, &hours->sat,
                          &hours->sun };
    size_t *counts [7] = { &hours->n_mon, &hours->n_tue, &hours->n_wed, &hours->n_thu, &hours->n_fri,
                           &hours->n_sat, &hours->n_sun };
    for (char *save = NULL, *part = strtok_r (cell, ";", &save); part; part = strtok_r (NULL, ";", &save)) {
        char day [4], start [6], end [6], rest;
        if (sscanf (part, " %3s %5[0-9:]-%5[0-9:] %c", day, start, end, &rest) != 3) {
            *why = "working_hours must be like \"mon 09:00-17:00; tue 09:00-12:30\"";
            return -1;
        }
        int d = -1;
        for (int i = 0; i < 7; i++)
            if (strcasecmp (day, days [i]) == 0)
                d = i;
        if (d < 0 || *counts [d]) {
            *why = d < 0 ? "working_hours names a day that is not mon, tue, wed, thu, fri, sat or sun"
                         : "working_hours gives a day twice";
            return -1;
        }
        char **pair = kw_arena_calloc (arena, sizeof *pair * 2);
        pair [0] = kw_arena_strdup (arena, start);
        pair [1] = kw_arena_strdup (arena, end);
        *lists [d] = pair;
        *counts [d] = 2;
    }
    return 0;
}

//  The professional_check field of a problem as the file's column.
static const char *
s_column_of_field (const char *field)
{
    static const struct { const char *prefix; const char *column; } map [] = {
        { "working_hours", "working_hours" }, { "languages", "languages" }, { "localities", "localities" },
        { "deputy_id", "deputy_email" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map [0]; i++)
        if (strncmp (field, map [i].prefix, strlen (map [i].prefix)) == 0)
            return map [i].column;
    return field;
}

//  One data record into a row, or rejected. 0 (either way), -1 when the
//  file has too many rows.
static int
s_row (import_t *self, const kw_csv_record_t *rec, size_t header_count)
{
    if (rec->problem) {
        s_reject (self, rec->line, "", "%s", rec->problem);
        return 0;
    }
    if (rec->count != header_count) {
        s_reject (self, rec->line, "", "the row has %zu fields; the header has %zu", rec->count, header_count);
        return 0;
    }
    if (self->row_count >= MAX_ROWS) {
        s_reject (self, rec->line, "", "the file has more than %d rows", MAX_ROWS);
        return -1;
    }
    int bad = 0;
    Kw__ProfessionalRecord *p = kw_arena_calloc (self->arena, sizeof *p);
    kw__professional_record__init (p);
    p->name = s_cell (self, rec, COL_NAME, &bad);
    p->agency = s_cell (self, rec, COL_AGENCY, &bad);
    p->discipline = s_cell (self, rec, COL_DISCIPLINE, &bad);
    p->email = s_cell (self, rec, COL_EMAIL, &bad);
    p->phone = s_cell (self, rec, COL_PHONE, &bad);
    p->languages = s_words (s_cell (self, rec, COL_LANGUAGES, &bad), self->arena, &p->n_languages);
    p->localities = s_words (s_cell (self, rec, COL_LOCALITIES, &bad), self->arena, &p->n_localities);
    char *max = s_cell (self, rec, COL_MAX_CASELOAD, &bad);
    char *deputy = s_cell (self, rec, COL_DEPUTY_EMAIL, &bad);
    char *hours = s_cell (self, rec, COL_WORKING_HOURS, &bad);
    char *active = s_cell (self, rec, COL_ACTIVE, &bad);
    if (bad)
        return 0;
    if (max) {
        char *end;
        long n = strtol (max, &end, 10);
        if (*end || n < 0 || n > PROFESSIONAL_MAX_CASELOAD) {
            s_reject (self, rec->line, "max_caseload", "max_caseload must be a whole number from 0 to %d",
                      PROFESSIONAL_MAX_CASELOAD);
            return 0;
        }
        p->has_max_caseload = 1;
        p->max_caseload = (uint32_t) n;
    }
    if (active) {
        int yes = strcasecmp (active, "true") == 0 || strcasecmp (active, "yes") == 0;
        int no = strcasecmp (active, "false") == 0 || strcasecmp (active, "no") == 0;
        if (!yes && !no) {
            s_reject (self, rec->line, "active", "active must be true or false");
            return 0;
        }
        p->has_active = 1;
        p->active = yes;
    }
    if (hours) {
        const char *why;
        p->working_hours = kw_arena_calloc (self->arena, sizeof *p->working_hours);
        kw__working_hours__init (p->working_hours);
        if (s_hours (hours, p->working_hours, self->arena, &why) != 0) {
            s_reject (self, rec->line, "working_hours", "%s", why);
            return 0;
        }
    }
    if (deputy && !kw_check_email_shape (deputy)) {
        s_reject (self, rec->line, "deputy_email", "deputy_email is not an e-mail address");
        return 0;
    }
    kw_field_errors_t errs;
    if (professional_check (p, 1, self->arena, &errs) != 0) {
        s_reject (self, rec->line, s_column_of_field (errs.items [0].field), "%s", errs.items [0].message);
        return 0;
    }
    for (size_t i = 0; i < self->row_count; i++)
        if (strcasecmp (self->rows [i].record->email, p->email) == 0) {
            s_reject (self, rec->line, "email", "email is given on line %zu already", self->rows [i].line);
            return 0;
        }
    self->rows [self->row_count++] = (row_t) { .line = rec->line, .record = p, .deputy_email = deputy };
    return 0;
}

//  Read the file into rows and rejections. 0, or -1 when it cannot be read at all.
static int
s_read (import_t *self)
{
    const char *problem;
    kw_csv_t csv;
    if (kw_csv_open (&csv, (const char *) self->in->data.data, self->in->data.len, &problem) != 0) {
        s_reject (self, 0, "file", "%s", problem);
        return -1;
    }
    kw_csv_record_t *rec = kw_arena_alloc (self->arena, sizeof *rec);
    self->rows = kw_arena_calloc (self->arena, sizeof *self->rows * MAX_ROWS);
    int header = 0;
    size_t header_count = 0;
    while (kw_csv_next (&csv, rec) == 0) {
        if (kw_csv_blank (rec))
            continue;
        if (!header) {
            if (s_header (self, rec) != 0)
                return -1;
            header = 1;
            header_count = rec->count;
            continue;
        }
        self->result.rows++;
        if (s_row (self, rec, header_count) != 0)
            break;
    }
    if (!header) {
        s_reject (self, 0, "file", "the file has no header row");
        return -1;
    }
    return 0;
}

// ---- writing

int
import_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "import_known",
        "SELECT lower (email), id, caseload + cover_load FROM assignment.professionals WHERE region = $1"
        " AND lower (email) = ANY (SELECT lower (e) FROM unnest ($2::text[]) e)");
    kw_db_prepare (db, "import_update",
        "UPDATE assignment.professionals SET name = $2, agency = $3, discipline = $4, email = $5,"
        " phone = coalesce ($6, phone), languages = coalesce ($7::text[], languages),"
        " localities = coalesce ($8::text[], localities), max_caseload = coalesce ($9::int, max_caseload),"
        " working_hours = coalesce ($10, working_hours), active = coalesce ($11::boolean, active),"
        " updated_at = now () WHERE id = $1::uuid AND (name, agency, discipline, email, phone, languages,"
        " localities, max_caseload, working_hours, active) IS DISTINCT FROM ($2, $3, $4, $5,"
        " coalesce ($6, phone), coalesce ($7::text[], languages), coalesce ($8::text[], localities),"
        " coalesce ($9::int, max_caseload), coalesce ($10, working_hours), coalesce ($11::boolean, active))");
    kw_db_prepare (db, "import_insert",
        "INSERT INTO assignment.professionals (id, region, name, agency, discipline, email, phone, languages,"
        " localities, max_caseload, working_hours, active)"
        " VALUES ($1, $12, $2, $3, $4, $5, $6, coalesce ($7::text[], '{en}'), coalesce ($8::text[], '{}'),"
        " coalesce ($9::int, 12), $10, coalesce ($11::boolean, true))");
    kw_db_prepare (db, "import_deputy",
        "UPDATE assignment.professionals SET deputy_id = d.id, updated_at = now ()"
        " FROM assignment.professionals d WHERE assignment.professionals.id = $1::uuid"
        " AND d.region = $2 AND lower (d.email) = lower ($3) AND d.active AND d.id <> $1::uuid"
        " AND assignment.professionals.deputy_id IS DISTINCT FROM d.id RETURNING d.id");
    kw_db_prepare (db, "import_analyze", "SELECT assignment.registry_analyze ()");
    kw_db_prepare (db, "import_deputy_known",
        "SELECT active FROM assignment.professionals WHERE region = $1 AND lower (email) = lower ($2)");
    return 0;
}

//  The professionals of the region known by the rows' e-mails: each row's
//  id and the cases it holds or covers (row->id set, row->known).
static int
s_known (kw_tx_t *tx, import_t *self, int *held)
{
    if (!self->row_count)
        return 0;
    char **emails = kw_arena_calloc (tx->arena, sizeof *emails * self->row_count);
    for (size_t i = 0; i < self->row_count; i++)
        emails [i] = self->rows [i].record->email;
    const char *params [2] = { tx->req->caller->region, rows_array_literal (emails, self->row_count, tx->arena) };
    PGresult *res = kw_db_query (tx->db, "import_known", 2, params);
    if (!res)
        return -1;
    for (int r = 0; r < PQntuples (res); r++)
        for (size_t i = 0; i < self->row_count; i++)
            if (!self->rows [i].known && strcasecmp (self->rows [i].record->email, PQgetvalue (res, r, 0)) == 0) {
                self->rows [i].known = 1;
                self->rows [i].id = rows_text (res, r, 1, tx->arena);
                held [i] = atoi (PQgetvalue (res, r, 2));
            }
    PQclear (res);
    return 0;
}

//  Write one row: 1 created, 2 changed, 0 unchanged, -1 error; 3 when the
//  row is refused (its maximum below the cases held).
static int
s_write_row (kw_tx_t *tx, import_t *self, row_t *row, int held)
{
    const char *region = tx->req->caller->region;
    Kw__ProfessionalRecord *p = row->record;
    char id [KW_UUID_SIZE];
    if (row->known) {
        snprintf (id, sizeof id, "%s", row->id);
        if (p->has_max_caseload && (int) p->max_caseload < held) {
            s_reject (self, row->line, "max_caseload", "max_caseload %u is below the %d cases the"
                      " professional holds or covers", p->max_caseload, held);
            return 3;
        }
    }
    else
        kw_uuid_generate (id);
    row->id = kw_arena_strdup (tx->arena, id);
    char max [16], *hours = NULL;
    size_t hours_len = 0;
    snprintf (max, sizeof max, "%u", p->max_caseload);
    if (p->working_hours)
        hours = (char *) kw_arena_pack (tx->arena, &p->working_hours->base, &hours_len);
    const char *params [12] = {
        id, p->name, p->agency, p->discipline, p->email, p->phone,
        p->n_languages ? rows_array_literal (p->languages, p->n_languages, tx->arena) : NULL,
        p->n_localities ? rows_array_literal (p->localities, p->n_localities, tx->arena) : NULL,
        p->has_max_caseload ? max : NULL, hours, !p->has_active ? NULL : p->active ? "true" : "false", region
    };
    int lengths [12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, (int) hours_len, 0, 0 };
    int formats [12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
    int written = kw_db_exec_count (tx->db, row->known ? "import_update" : "import_insert", row->known ? 11 : 12,
                                    params, lengths, formats);
    if (written < 0)
        return -1;
    return written == 0 ? 0 : row->known ? 2 : 1;
}

//  Check each deputy_email names a professional of the file or the
//  registry who will be active. Rows that fail are dropped, rejected.
static int
s_check_deputies (kw_tx_t *tx, import_t *self)
{
    size_t kept = 0;
    for (size_t i = 0; i < self->row_count; i++) {
        row_t *row = &self->rows [i];
        const char *why = NULL;
        if (row->deputy_email) {
            int in_file = 0, active = 0;
            for (size_t j = 0; j < self->row_count; j++)
                if (strcasecmp (self->rows [j].record->email, row->deputy_email) == 0) {
                    in_file = 1;
                    active = !self->rows [j].record->has_active || self->rows [j].record->active;
                }
            if (!in_file) {
                const char *params [2] = { tx->req->caller->region, row->deputy_email };
                PGresult *res = kw_db_query (tx->db, "import_deputy_known", 2, params);
                if (!res)
                    return -1;
                in_file = PQntuples (res) == 1;
                active = in_file && PQgetvalue (res, 0, 0) [0] == 't';
                PQclear (res);
            }
            if (strcasecmp (row->deputy_email, row->record->email) == 0)
                why = "a professional cannot be their own deputy";
            else
            if (!in_file)
                why = "deputy_email is no professional of the file or the region";
            else
            if (!active)
                why = "the deputy is not active";
        }
        if (why)
            s_reject (self, row->line, "deputy_email", "%s", why);
        else
            self->rows [kept++] = *row;
    }
    self->row_count = kept;
    return 0;
}

static int
s_by_line (const void *a, const void *b)
{
    const Kw__ImportRejectedRow *x = *(Kw__ImportRejectedRow *const *) a, *y = *(Kw__ImportRejectedRow *const *) b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int
s_authorise (kw_tx_t *tx)
{
    return access_coordinator (tx->db, tx->req, "professional", "", "import", tx->resp, tx->arena);
}

static int
s_write (kw_tx_t *tx)
{
    import_t *self = tx->arg;
    const char *region = tx->req->caller->region;
    if (s_check_deputies (tx, self) != 0)
        return -1;
    int *outcome = kw_arena_calloc (tx->arena, sizeof *outcome * (self->row_count ? self->row_count : 1));
    int *held = kw_arena_calloc (tx->arena, sizeof *held * (self->row_count ? self->row_count : 1));
    if (s_known (tx, self, held) != 0)
        return -1;
    for (size_t i = 0; i < self->row_count; i++) {
        outcome [i] = s_write_row (tx, self, &self->rows [i], held [i]);
        if (outcome [i] < 0)
            return -1;
    }
    for (size_t i = 0; i < self->row_count; i++) {
        row_t *row = &self->rows [i];
        if (!row->deputy_email || outcome [i] == 3)
            continue;
        const char *params [3] = { row->id, region, row->deputy_email };
        int set = kw_db_exec_count (tx->db, "import_deputy", 3, params, NULL, NULL);
        if (set < 0)
            return -1;
        if (set && outcome [i] == 0)
            outcome [i] = 2;
    }
    char **changed = kw_arena_calloc (tx->arena, sizeof *changed * (self->row_count ? self->row_count : 1));
    const char **changes = kw_arena_calloc (tx->arena, sizeof *changes * (self->row_count ? self->row_count : 1));
    size_t changed_count = 0;
    for (size_t i = 0; i < self->row_count; i++) {
        if (outcome [i] == 3)
            continue;
        if (outcome [i] == 1)
            self->result.created++;
        else
        if (outcome [i] == 2)
            self->result.updated++;
        else
            self->result.unchanged++;
        if (outcome [i] == 1 || outcome [i] == 2) {
            changed [changed_count] = self->rows [i].id;
            changes [changed_count++] = outcome [i] == 1 ? "created" : "updated";
        }
    }
    if (professionals_changed_all (tx->db, changed, changes, changed_count, region, tx->arena) != 0)
        return -1;
    if (kw_audit (tx->db, tx->req->caller, "import", "professional", "", "ok") != 0)
        return -1;
    if (self->result.n_rejected > 1)
        qsort (self->result.rejected, self->result.n_rejected, sizeof *self->result.rejected, s_by_line);
    kw_rpc_reply_ok (tx->resp, tx->arena, &self->result.base);
    return 0;
}

void
import_professionals (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "professional_import", .what = "import", .authorise = s_authorise, .write = s_write
    };
    Kw__ProfessionalImportRequest *in = (Kw__ProfessionalImportRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__professional_import_request__descriptor);
    if (!in)
        return;
    if (!in->format || strcmp (in->format, "csv") != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "format", "the file must be CSV (text/csv)");
        return;
    }
    import_t self = { .in = in, .arena = arena };
    kw__professional_import_result__init (&self.result);
    self.result.has_rows = self.result.has_created = self.result.has_updated = self.result.has_unchanged = 1;
    if (s_read (&self) != 0) {
        Kw__ImportRejectedRow *first = self.result.rejected [0];
        if (first->line)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, first->field, "line %u: %s",
                                first->line, first->error);
        else
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, first->field, "%s", first->error);
        return;
    }
    if (kw_tx_run (&def, svc, req, resp, arena, &self)) {
        char counts [96];
        snprintf (counts, sizeof counts, "%u/%u/%u/%zu", self.result.created, self.result.updated,
                  self.result.unchanged, self.result.n_rejected);
        kw_info ("professionals_imported", "created/updated/unchanged/rejected", counts);
        //  The registry changed: its statistics at once, so that the plans
        //  made from now on fit it (a failure leaves autovacuum to it).
        if (self.result.created + self.result.updated
        &&  kw_db_exec (kw_service_db (svc), "import_analyze", 0, NULL) != 0)
            kw_warn ("registry_analyze_failed", "reason", kw_db_error (kw_service_db (svc)));
    }
}
