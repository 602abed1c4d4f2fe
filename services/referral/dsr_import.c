/*  dsr_import: RPC dsr.import. A DSR feed file is parsed and checked row by
    row (dsr_parse); the good rows go to a session table with one COPY, and
    set-based statements then find what is new or changed, add rating
    history where the rating or its date moved, upsert the entries, and write
    one event per new or changed entry with one more COPY. The import record,
    entries, history, events, audit records and the Idempotency-Key answer
    commit together; rows that did not change are left alone, so the same
    file imported again changes nothing. An import takes seconds: it runs
    on a worker thread with a connection of its own (kw_service_defer). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "kw/dsr.pb-c.h"
#include "kw_buf.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "dsr_parse.h"
#include "referral.h"

//  Rejected rows reported in the answer; the count is always exact.
#define MAX_REPORTED 100000

//  The entry columns in stage, entry and comparison order.
#define ENTRY_COLUMNS \
    "dsr_id, given_name, family_name, date_of_birth, postcode, learning_disability, autism," \
    " rag, rag_effective_date, inpatient, consent_basis, lead_professional_email, cetr_last, cetr_next"
#define CHANGED(e, s) \
    "(" e ".dsr_id, " e ".given_name, " e ".family_name, " e ".date_of_birth, " e ".postcode," \
    " " e ".learning_disability, " e ".autism, " e ".rag, " e ".rag_effective_date, " e ".inpatient," \
    " " e ".consent_basis, " e ".lead_professional_email, " e ".cetr_last, " e ".cetr_next)" \
    " IS DISTINCT FROM" \
    " (" s ".dsr_id, " s ".given_name, " s ".family_name, " s ".date_of_birth, " s ".postcode," \
    " " s ".learning_disability, " s ".autism, " s ".rag, " s ".rag_effective_date, " s ".inpatient," \
    " " s ".consent_basis, " s ".lead_professional_email, " s ".cetr_last, " s ".cetr_next)"

int
dsr_import_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "dsr_import_insert",
        "INSERT INTO referral.dsr_imports (id, region, format, sha256, bytes, rows, created, updated,"
        " unchanged, rejected, imported_by, imported_by_role)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    //  One statement: the new and changed rows of the stage, their rating
    //  history where the rating or its date moved, the entries upserted,
    //  and the changed rows back (in DSR_ENTRY_COLUMNS order, then whether
    //  new, the old rating, and the child's open referral and case).
    kw_db_prepare (db, "dsr_import_apply",
        "WITH ch AS ("
        "  SELECT s.*, e.nhs_number IS NULL AS is_new, e.rag AS old_rag,"
        "         e.rag_effective_date AS old_effective"
        "  FROM pg_temp.dsr_stage s"
        "  LEFT JOIN referral.dsr_entries e ON e.region = $1 AND e.nhs_number = s.nhs_number"
        "  WHERE e.nhs_number IS NULL OR " CHANGED ("e", "s") "),"
        " up AS ("
        "  INSERT INTO referral.dsr_entries AS e (region, nhs_number, " ENTRY_COLUMNS ", last_import_id)"
        "  SELECT $1, nhs_number, " ENTRY_COLUMNS ", $2::uuid FROM ch"
        "  ON CONFLICT (region, nhs_number) DO UPDATE SET"
        "  dsr_id = EXCLUDED.dsr_id, given_name = EXCLUDED.given_name,"
        "  family_name = EXCLUDED.family_name, date_of_birth = EXCLUDED.date_of_birth,"
        "  postcode = EXCLUDED.postcode, learning_disability = EXCLUDED.learning_disability,"
        "  autism = EXCLUDED.autism, rag = EXCLUDED.rag, rag_effective_date = EXCLUDED.rag_effective_date,"
        "  inpatient = EXCLUDED.inpatient, consent_basis = EXCLUDED.consent_basis,"
        "  lead_professional_email = EXCLUDED.lead_professional_email,"
        "  cetr_last = EXCLUDED.cetr_last, cetr_next = EXCLUDED.cetr_next,"
        "  updated_at = now (), last_import_id = EXCLUDED.last_import_id),"
        " hist AS ("
        "  INSERT INTO referral.dsr_ratings (region, nhs_number, rag, effective_date, import_id)"
        "  SELECT $1, nhs_number, rag, rag_effective_date, $2::uuid FROM ch"
        "  WHERE is_new OR (old_rag, old_effective) IS DISTINCT FROM (rag, rag_effective_date)"
        "  ORDER BY line)"
        " SELECT ch.dsr_id, ch.nhs_number, ch.given_name, ch.family_name, ch.date_of_birth::text,"
        " ch.postcode, ch.learning_disability, ch.autism, ch.rag, ch.rag_effective_date::text,"
        " ch.inpatient, ch.consent_basis, ch.lead_professional_email, ch.cetr_last::text,"
        " ch.cetr_next::text, $1::text, ch.is_new, ch.old_rag, o.id, o.case_id"
        " FROM ch LEFT JOIN referral.referrals o ON o.region = $1 AND o.nhs_number = ch.nhs_number"
        "      AND o.status IN " RECORD_OPEN_STATUSES
        " ORDER BY ch.line");
    return 0;
}

typedef struct {
    const Kw__DsrImportRequest *in;
    dsr_format_t format;
    char id [KW_UUID_SIZE];     //  the import's id
    kw_buf_t stage;             //  COPY text of the good rows
    size_t rows;                //  good rows
    Kw__DsrRejectedRow **rejected;
    size_t n_rejected, reported, slots;
    kw_arena_t *arena;
    char rows_text [24], rejected_text [24], counts [3][16];    //  for the log
} import_t;

static const char *
s_flag (int value)
{
    return value < 0 ? NULL : value ? "t" : "f";
}

static const char *
s_optional (const char *value)
{
    return *value ? value : NULL;
}

static void
s_on_row (const dsr_row_t *row, void *arg)
{
    import_t *self = arg;
    char line [24];
    snprintf (line, sizeof line, "%zu", row->line);
    kw_buf_t *b = &self->stage;
    kw_buf_copy_text (b, line, '\t');
    kw_buf_copy_text (b, row->nhs_number, '\t');
    kw_buf_copy_text (b, row->dsr_id, '\t');
    kw_buf_copy_text (b, row->given_name, '\t');
    kw_buf_copy_text (b, row->family_name, '\t');
    kw_buf_copy_text (b, row->date_of_birth, '\t');
    kw_buf_copy_text (b, s_optional (row->postcode), '\t');
    kw_buf_copy_text (b, s_flag (row->learning_disability), '\t');
    kw_buf_copy_text (b, s_flag (row->autism), '\t');
    kw_buf_copy_text (b, row->rag, '\t');
    kw_buf_copy_text (b, row->rag_effective_date, '\t');
    kw_buf_copy_text (b, s_flag (row->inpatient), '\t');
    kw_buf_copy_text (b, s_optional (row->consent_basis), '\t');
    kw_buf_copy_text (b, s_optional (row->lead_professional_email), '\t');
    kw_buf_copy_text (b, s_optional (row->cetr_last), '\t');
    kw_buf_copy_text (b, s_optional (row->cetr_next), '\n');
    self->rows++;
}

static void
s_reject (import_t *self, const kw_field_error_t *reject)
{
    self->n_rejected++;
    if (self->reported == MAX_REPORTED)
        return;
    if (self->reported == self->slots) {
        size_t slots = self->slots ? self->slots * 2 : 64;
        Kw__DsrRejectedRow **grown = kw_arena_alloc (self->arena, slots * sizeof *grown);
        if (self->reported)
            memcpy (grown, self->rejected, self->reported * sizeof *grown);
        self->rejected = grown;
        self->slots = slots;
    }
    Kw__DsrRejectedRow *row = kw_arena_alloc (self->arena, sizeof *row);
    kw__dsr_rejected_row__init (row);
    row->has_line = 1;
    row->line = (uint32_t) reject->line;
    row->field = kw_arena_strdup (self->arena, reject->field);
    row->error = kw_arena_strdup (self->arena, reject->message);
    self->rejected [self->reported++] = row;
}

static void
s_on_reject (const kw_field_error_t *reject, void *arg)
{
    s_reject (arg, reject);
}

static char *
s_text (PGresult *res, int row, int col)
{
    return PQgetisnull (res, row, col) ? NULL : PQgetvalue (res, row, col);
}

//  Stage the rows, apply the changes, write their events and audit
//  records. created and updated are counted. 0 or -1.
static int
s_apply (kw_db_t *db, const Kw__Request *req, import_t *self, const char *import_id,
         uint32_t *created, uint32_t *updated)
{
    const char *region = req->caller->region;
    if (kw_db_exec (db, "CREATE TEMP TABLE dsr_stage ("
                        " line int, nhs_number text, dsr_id text, given_name text, family_name text,"
                        " date_of_birth date, postcode text, learning_disability boolean, autism boolean,"
                        " rag text, rag_effective_date date, inpatient boolean, consent_basis text,"
                        " lead_professional_email text, cetr_last date, cetr_next date)"
                        " ON COMMIT DROP", 0, NULL) != 0
    ||  kw_db_copy_in (db, "COPY pg_temp.dsr_stage FROM STDIN", self->stage.data, self->stage.len) != 0)
        return -1;
    kw_buf_free (&self->stage);
    const char *params [2] = { region, import_id };
    PGresult *res = kw_db_query (db, "dsr_import_apply", 2, params);
    if (!res)
        return -1;
    int rows = PQntuples (res);
    kw_outbox_batch_t *batch = kw_outbox_batch_new (KW_PRODUCER_REFERRAL);
    kw_buf_t audit = { 0 };
    const Kw__Caller *caller = req->caller;
    for (int i = 0; i < rows; i++) {
        Kw__DsrEntry entry_row, *entry = &entry_row;
        dsr_entry_from_row (res, i, NULL, entry);
        Kw__DsrEntryEvent event = KW__DSR_ENTRY_EVENT__INIT;
        event.region = (char *) region;
        event.nhs_number = entry->nhs_number;
        event.rag = entry->rag;
        event.rag_effective_date = entry->rag_effective_date;
        int is_new = PQgetvalue (res, i, 16) [0] == 't';
        event.previous_rag = s_text (res, i, 17);
        event.import_id = (char *) import_id;
        event.referral_id = s_text (res, i, 18);
        event.case_id = s_text (res, i, 19);
        dsr_referral_t screening;
        event.as_referral = dsr_entry_referral (entry, 0, &screening);
        kw_outbox_batch_add (batch, is_new ? KW_EVENT_REFERRAL_DSR_ENTRY_CREATED
                                           : KW_EVENT_REFERRAL_DSR_ENTRY_CHANGED, region,
                             import_id, &event.base);
        kw_buf_copy_text (&audit, caller->sub ? caller->sub : "", '\t');
        kw_buf_copy_text (&audit, caller->role, '\t');
        kw_buf_copy_text (&audit, region, '\t');
        kw_buf_append (&audit, "import\tdsr_entry\t", 17);
        kw_buf_copy_text (&audit, PQgetvalue (res, i, 1), '\t');
        kw_buf_append (&audit, "ok\n", 3);
        if (is_new)
            (*created)++;
        else
            (*updated)++;
    }
    PQclear (res);
    int rc = kw_outbox_batch_insert (batch, db) == 0
          && kw_db_copy_in (db, "COPY audit.events (actor, role, region, action, record_type,"
                                " record_id, outcome) FROM STDIN", audit.data, audit.len) == 0 ? 0 : -1;
    kw_outbox_batch_destroy (&batch);
    kw_buf_free (&audit);
    return rc;
}

static int
s_import_authorise (kw_tx_t *tx)
{
    static const char *const roles [] = { "admin", "coordinator", "dsr_feed", NULL };
    return kw_rpc_role_allowed (tx->req, tx->resp, tx->arena, roles, NULL,
                                "this role may not import DSR files");
}

//  Parse the file, then record the import, its entries, their events and
//  the audit records, and answer with the counts.
static int
s_import_write (kw_tx_t *tx)
{
    const Kw__DsrImportRequest *in = ((import_t *) tx->arg)->in;
    import_t *import = tx->arg;
    const Kw__Caller *caller = tx->req->caller;
    Kw__Response *resp = tx->resp;
    kw_arena_t *arena = tx->arena;
    kw_db_t *db = tx->db;
    int ty, tm, td;
    kw_date_today_utc (&ty, &tm, &td);
    kw_field_error_t err;
    if (dsr_parse (import->format, (const char *) in->data.data, in->data.len, ty, tm, td,
                   s_on_row, s_on_reject, import, &err) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, err.field, "%s", err.message);
        return 0;
    }
    unsigned char file_hash [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (file_hash, in->data.data, in->data.len);
    //  The import row first: history and entries refer to it.
    char bytes [24], zero [] = "0";
    snprintf (bytes, sizeof bytes, "%zu", in->data.len);
    snprintf (import->rows_text, sizeof import->rows_text, "%zu", import->rows + import->n_rejected);
    snprintf (import->rejected_text, sizeof import->rejected_text, "%zu", import->n_rejected);
    const char *values [12] = { import->id, caller->region, in->format, (const char *) file_hash,
                                bytes, import->rows_text, zero, zero, zero, import->rejected_text,
                                caller->sub ? caller->sub : "", caller->role };
    int lengths [12] = { 0, 0, 0, crypto_hash_sha256_BYTES };
    int formats [12] = { 0, 0, 0, 1 };
    PGresult *res = kw_db_queryb (db, "dsr_import_insert", 12, values, lengths, formats, 0);
    if (!res)
        return -1;
    PQclear (res);
    uint32_t created = 0, updated = 0;
    if (import->rows && s_apply (db, tx->req, import, import->id, &created, &updated) != 0)
        return -1;
    uint32_t unchanged = (uint32_t) import->rows - created - updated;
    snprintf (import->counts [0], sizeof import->counts [0], "%u", created);
    snprintf (import->counts [1], sizeof import->counts [1], "%u", updated);
    snprintf (import->counts [2], sizeof import->counts [2], "%u", unchanged);
    const char *update [4] = { import->id, import->counts [0], import->counts [1], import->counts [2] };
    if (kw_db_exec (db, "UPDATE referral.dsr_imports SET created = $2, updated = $3, unchanged = $4"
                        " WHERE id = $1::uuid", 4, update) != 0
    ||  kw_audit (db, caller, "dsr_import", "dsr_import", import->id, "ok") != 0)
        return -1;
    Kw__DsrImportResult out = KW__DSR_IMPORT_RESULT__INIT;
    out.import_id = import->id;
    out.has_rows = out.has_created = out.has_updated = out.has_unchanged = 1;
    out.rows = (uint32_t) (import->rows + import->n_rejected);
    out.created = created;
    out.updated = updated;
    out.unchanged = unchanged;
    out.n_rejected = import->reported;
    out.rejected = import->rejected;
    kw_rpc_reply_ok (resp, arena, &out.base);
    return 0;
}

//  On a worker thread (kw_service_defer): the whole import, parse to
//  commit, on the worker's own connection, while the service's loop goes on
//  answering other calls.
static void
s_import_work (kw_service_t *svc, kw_db_t *db, const Kw__Request *req, Kw__Response *resp,
               kw_arena_t *arena)
{
    static const kw_tx_def_t import_tx = {
        .name = "dsr_import", .what = "import",
        .authorise = s_import_authorise, .write = s_import_write
    };
    import_t import = { .arena = arena };
    import.in = (Kw__DsrImportRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__dsr_import_request__descriptor);
    if (!import.in)
        return;
    if (import.in->format && strcmp (import.in->format, "csv") == 0)
        import.format = DSR_FORMAT_CSV;
    else
    if (import.in->format && strcmp (import.in->format, "ndjson") == 0)
        import.format = DSR_FORMAT_NDJSON;
    else {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "format",
                            "format must be csv or ndjson");
        return;
    }
    dsr_import_prepare (db);
    kw_uuid_generate (import.id);
    int64_t started = kw_time_now_us ();
    kw_info ("dsr_import_started", "import_id", import.id);
    int imported = kw_tx_run_on (&import_tx, svc, db, req, resp, arena, &import);
    kw_buf_free (&import.stage);
    if (!imported)
        return;
    char ms [24];
    snprintf (ms, sizeof ms, "%lld", (long long) ((kw_time_now_us () - started) / 1000));
    kw_info ("dsr_imported", "import_id", import.id, "rows", import.rows_text,
             "created", import.counts [0], "updated", import.counts [1],
             "rejected", import.rejected_text, "ms", ms);
}

void
dsr_import (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    kw_service_defer (svc, req, resp, arena, s_import_work);
}
