/*  professionals: the registry of the professionals who can be key workers,
    deputies and cover in a region. Coordinators and admins of the region
    register, change and list them; a key worker reads their own record. A
    professional is deactivated (no new offers, cases held stay), never
    deleted. A deputy is another active professional of the region. The
    record shows the counts kept with it (cases held, pending offers,
    covered cases) and the open cases held. Every registration and change
    is the event professional_changed with the whole public record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_audit.h"
#include "kw_cursor.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "assignment.h"
#include "professional_check.h"

#define RECORD_COLUMNS \
    "p.id, p.region, p.name, p.agency, p.discipline, p.email, p.phone, p.languages, p.localities," \
    " p.max_caseload, p.working_hours, p.deputy_id, p.active, p.caseload, p.pending_offers, p.cover_load," \
    " p.absent, " TS ("p.created_at") ", " TS ("p.updated_at") ", " US ("p.created_at")

int
professionals_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "professionals_get",
        "SELECT " RECORD_COLUMNS ", (SELECT array_agg (c.id ORDER BY c.opened_at, c.id)"
        " FROM assignment.cases c WHERE c.key_worker_id = p.id AND c.status <> 'closed')"
        " FROM assignment.professionals p WHERE p.id = $1::uuid AND p.region = $2");
    kw_db_prepare (db, "professionals_get_all",
        "SELECT " RECORD_COLUMNS ", (SELECT array_agg (c.id ORDER BY c.opened_at, c.id)"
        " FROM assignment.cases c WHERE c.key_worker_id = p.id AND c.status <> 'closed')"
        " FROM assignment.professionals p WHERE p.id = ANY ($1::uuid[]) AND p.region = $2");
    kw_db_prepare (db, "professionals_lock",
        "SELECT caseload + cover_load FROM assignment.professionals WHERE id = $1::uuid AND region = $2"
        " FOR UPDATE");
    kw_db_prepare (db, "professionals_by_email",
        "SELECT id FROM assignment.professionals WHERE region = $1 AND lower (email) = lower ($2)"
        " AND id IS DISTINCT FROM $3::uuid");
    kw_db_prepare (db, "professionals_deputy",
        "SELECT active FROM assignment.professionals WHERE id = $1::uuid AND region = $2");
    kw_db_prepare (db, "professionals_insert",
        "INSERT INTO assignment.professionals (id, region, name, agency, discipline, email, phone, languages,"
        " localities, max_caseload, working_hours, deputy_id, active)"
        " VALUES ($1, $2, $3, $4, $5, $6, nullif ($7, ''), coalesce ($8::text[], '{en}'),"
        " coalesce ($9::text[], '{}'), coalesce ($10::int, 12), $11, $12::uuid, coalesce ($13::boolean, true))");
    kw_db_prepare (db, "professionals_update",
        "UPDATE assignment.professionals SET name = coalesce ($2, name), agency = coalesce ($3, agency),"
        " discipline = coalesce ($4, discipline), email = coalesce ($5, email),"
        " phone = CASE WHEN $6::boolean THEN nullif ($7, '') ELSE phone END,"
        " languages = coalesce ($8::text[], languages), localities = coalesce ($9::text[], localities),"
        " max_caseload = coalesce ($10::int, max_caseload),"
        " working_hours = CASE WHEN $11::boolean THEN $12 ELSE working_hours END,"
        " deputy_id = CASE WHEN $13::boolean THEN nullif ($14, '')::uuid ELSE deputy_id END,"
        " active = coalesce ($15::boolean, active), updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "professionals_list",
        "SELECT " RECORD_COLUMNS ", NULL FROM assignment.professionals p WHERE p.region = $1"
        " AND ($2::text IS NULL OR lower (p.agency) = lower ($2))"
        " AND ($3::text IS NULL OR p.discipline = $3)"
        " AND ($4::text IS NULL OR p.localities @> ARRAY [upper ($4)])"
        " AND ($5::text IS NULL OR p.languages @> ARRAY [$5])"
        " AND ($6::boolean IS NULL OR (p.active AND NOT p.absent"
        "      AND p.max_caseload - p.caseload - p.cover_load - p.pending_offers > 0) = $6)"
        " AND ($7::boolean IS NULL OR p.active = $7)"
        " AND ($8::bigint IS NULL OR (p.created_at, p.id) >"
        "      (timestamptz 'epoch' + $8::bigint * interval '1 microsecond', $9::uuid))"
        " ORDER BY p.created_at, p.id LIMIT $10::int");
    return 0;
}

//  A record from a row of RECORD_COLUMNS (and the cases column), in arena.
static Kw__ProfessionalRecord *
s_record (PGresult *res, int r, kw_arena_t *arena)
{
    Kw__ProfessionalRecord *p = kw_arena_calloc (arena, sizeof *p);
    kw__professional_record__init (p);
    p->id = rows_text (res, r, 0, arena);
    p->region = rows_text (res, r, 1, arena);
    p->name = rows_text (res, r, 2, arena);
    p->agency = rows_text (res, r, 3, arena);
    p->discipline = rows_text (res, r, 4, arena);
    p->email = rows_text (res, r, 5, arena);
    p->phone = rows_text (res, r, 6, arena);
    p->languages = rows_array (PQgetvalue (res, r, 7), arena, &p->n_languages);
    p->localities = rows_array (PQgetvalue (res, r, 8), arena, &p->n_localities);
    p->has_max_caseload = 1;
    p->max_caseload = (uint32_t) atoi (PQgetvalue (res, r, 9));
    if (!PQgetisnull (res, r, 10)) {
        size_t len;
        unsigned char *bytes = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, r, 10), &len);
        if (bytes)
            p->working_hours = kw__working_hours__unpack (kw_arena_allocator (arena), len, bytes);
        PQfreemem (bytes);
    }
    p->deputy_id = rows_text (res, r, 11, arena);
    p->has_active = 1;
    p->active = PQgetvalue (res, r, 12) [0] == 't';
    p->has_caseload = 1;
    p->caseload = (uint32_t) atoi (PQgetvalue (res, r, 13));
    p->has_pending_offers = 1;
    p->pending_offers = (uint32_t) atoi (PQgetvalue (res, r, 14));
    p->has_cover_load = 1;
    p->cover_load = (uint32_t) atoi (PQgetvalue (res, r, 15));
    p->has_absent = 1;
    p->absent = PQgetvalue (res, r, 16) [0] == 't';
    p->created_at = rows_text (res, r, 17, arena);
    p->updated_at = rows_text (res, r, 18, arena);
    if (!PQgetisnull (res, r, 20))
        p->cases = rows_array (PQgetvalue (res, r, 20), arena, &p->n_cases);
    return p;
}

int
professionals_load (kw_db_t *db, const char *id, const char *region, kw_arena_t *arena,
                    Kw__ProfessionalRecord **out)
{
    *out = NULL;
    if (!id || !kw_uuid_valid (id))
        return 0;
    const char *params [2] = { id, region };
    PGresult *res = kw_db_query (db, "professionals_get", 2, params);
    if (!res)
        return -1;
    if (PQntuples (res) == 1)
        *out = s_record (res, 0, arena);
    PQclear (res);
    return *out != NULL;
}

int
professionals_changed_all (kw_db_t *db, char *const *ids, const char *const *changes, size_t count,
                           const char *region, kw_arena_t *arena)
{
    if (!count)
        return 0;
    const char *params [2] = { rows_array_literal (ids, count, arena), region };
    PGresult *res = kw_db_query (db, "professionals_get_all", 2, params);
    if (!res)
        return -1;
    char at [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us (), at);
    kw_outbox_batch_t *batch = kw_outbox_batch_new (KW_PRODUCER_ASSIGNMENT);
    for (int r = 0; r < PQntuples (res); r++) {
        Kw__ProfessionalChanged event = KW__PROFESSIONAL_CHANGED__INIT;
        event.professional = s_record (res, r, arena);
        event.at = at;
        for (size_t i = 0; i < count; i++)
            if (strcmp (ids [i], event.professional->id) == 0)
                event.change = (char *) changes [i];
        kw_outbox_batch_add (batch, KW_EVENT_ASSIGNMENT_PROFESSIONAL_CHANGED, region, event.professional->id,
                             &event.base);
    }
    PQclear (res);
    int rc = kw_outbox_batch_insert (batch, db);
    kw_outbox_batch_destroy (&batch);
    return rc;
}

int
professionals_changed (kw_db_t *db, journal_actor_t actor, const char *id, const char *region,
                       const char *change, kw_arena_t *arena)
{
    Kw__ProfessionalChanged event = KW__PROFESSIONAL_CHANGED__INIT;
    if (professionals_load (db, id, region, arena, &event.professional) != 1)
        return -1;
    char at [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us (), at);
    event.change = (char *) change;
    event.at = at;
    return journal_event (db, actor, region, NULL, id, KW_EVENT_ASSIGNMENT_PROFESSIONAL_CHANGED, &event.base,
                          id, NULL, "-");
}

// ---- create and update

typedef struct {
    Kw__ProfessionalRecord *in;
    const char *id;                 //  update: the professional's; create: the new one's
    int create;
    char new_id [KW_UUID_SIZE];
} write_t;

//  A list as a text[] literal, or NULL when none was given.
static char *
s_array (char **items, size_t count, kw_arena_t *arena)
{
    return count ? rows_array_literal (items, count, arena) : NULL;
}

//  Refuse with CONFLICT and a code. Always 0.
static int
s_conflict (kw_tx_t *tx, const char *field, const char *code, const char *message)
{
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, field, "%s", message);
    tx->resp->code = (char *) code;
    return 0;
}

//  The checks that need the registry: the e-mail is nobody else's, the
//  deputy is another active professional of the region. 1 when they hold,
//  0 answered, -1 error.
static int
s_registry_checks (kw_tx_t *tx, write_t *self)
{
    const char *region = tx->req->caller->region;
    Kw__ProfessionalRecord *in = self->in;
    if (in->email) {
        const char *params [3] = { region, in->email, self->create ? NULL : self->id };
        PGresult *res = kw_db_query (tx->db, "professionals_by_email", 3, params);
        if (!res)
            return -1;
        if (PQntuples (res)) {
            tx->resp->existing_id = rows_text (res, 0, 0, tx->arena);
            PQclear (res);
            return s_conflict (tx, "email", "duplicate_professional",
                               "a professional with this e-mail is registered in the region");
        }
        PQclear (res);
    }
    if (in->deputy_id && *in->deputy_id) {
        if (!self->create && strcmp (in->deputy_id, self->id) == 0) {
            kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_INVALID, "deputy_id",
                                "a professional cannot be their own deputy");
            return 0;
        }
        const char *params [2] = { in->deputy_id, region };
        PGresult *res = kw_db_query (tx->db, "professionals_deputy", 2, params);
        if (!res)
            return -1;
        int found = PQntuples (res) == 1, active = found && PQgetvalue (res, 0, 0) [0] == 't';
        PQclear (res);
        if (!active) {
            kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_INVALID, "deputy_id", found
                                ? "the deputy is not active" : "no such professional in the region");
            return 0;
        }
    }
    return 1;
}

static int
s_authorise (kw_tx_t *tx)
{
    write_t *self = tx->arg;
    if (access_coordinator (tx->db, tx->req, "professional", self->id, self->create ? "register" : "change",
                            tx->resp, tx->arena) != 1)
        return tx->resp->status == KW__STATUS__STATUS_FORBIDDEN ? 0 : -1;
    if (self->create)
        return 1;
    const char *params [2] = { self->id, tx->req->caller->region };
    PGresult *res = kw_uuid_valid (self->id) ? kw_db_query (tx->db, "professionals_lock", 2, params) : NULL;
    if (kw_uuid_valid (self->id) && !res)
        return -1;
    int found = res && PQntuples (res) == 1;
    int held = found ? atoi (PQgetvalue (res, 0, 0)) : 0;
    PQclear (res);
    if (!found) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such professional");
        return 0;
    }
    if (self->in->has_max_caseload && (int) self->in->max_caseload < held) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "max_caseload",
                            "max_caseload %u is below the %d cases the professional holds or covers",
                            self->in->max_caseload, held);
        tx->resp->code = "below_caseload";
        return 0;
    }
    return 1;
}

static int
s_write (kw_tx_t *tx)
{
    write_t *self = tx->arg;
    Kw__ProfessionalRecord *in = self->in;
    int ok = s_registry_checks (tx, self);
    if (ok <= 0)
        return ok;
    char max [16], *hours = NULL;
    size_t hours_len = 0;
    snprintf (max, sizeof max, "%u", in->max_caseload);
    if (in->working_hours)
        hours = (char *) kw_arena_pack (tx->arena, &in->working_hours->base, &hours_len);
    const char *active = !in->has_active ? NULL : in->active ? "true" : "false";
    const char *region = tx->req->caller->region;
    if (self->create) {
        const char *params [13] = {
            self->id, region, in->name, in->agency, in->discipline, in->email, in->phone,
            s_array (in->languages, in->n_languages, tx->arena), s_array (in->localities, in->n_localities, tx->arena),
            in->has_max_caseload ? max : NULL, hours, in->deputy_id, active
        };
        int lengths [13] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (int) hours_len, 0, 0 };
        int formats [13] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
        if (kw_db_exec_count (tx->db, "professionals_insert", 13, params, lengths, formats) != 1)
            return -1;
    }
    else {
        const char *params [15] = {
            self->id, in->name, in->agency, in->discipline, in->email, in->phone ? "true" : "false", in->phone,
            s_array (in->languages, in->n_languages, tx->arena), s_array (in->localities, in->n_localities, tx->arena),
            in->has_max_caseload ? max : NULL, in->working_hours ? "true" : "false", hours,
            in->deputy_id ? "true" : "false", in->deputy_id, active
        };
        int lengths [15] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (int) hours_len, 0, 0, 0 };
        int formats [15] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
        if (kw_db_exec_count (tx->db, "professionals_update", 15, params, lengths, formats) != 1)
            return -1;
    }
    Kw__ProfessionalRecord *out;
    if (professionals_changed (tx->db, tx->req->caller, self->id, region, self->create ? "created" : "updated",
                               tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, self->create ? "register" : "change", "professional", self->id, "ok") != 0
    ||  professionals_load (tx->db, self->id, region, tx->arena, &out) != 1)
        return -1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &out->base);
    return 0;
}

static void
s_create_or_update (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, int create)
{
    static const kw_tx_def_t def = {
        .name = "professional_write", .what = "professional", .authorise = s_authorise, .write = s_write,
        .unique_field = "email", .unique_message = "a professional with this e-mail is registered in the region"
    };
    write_t self = { .create = create };
    self.in = (Kw__ProfessionalRecord *) kw_rpc_unpack (req, resp, arena, &kw__professional_record__descriptor);
    if (!self.in)
        return;
    const char *id = self.in->id;
    if (!create)
        self.in->id = NULL;
    kw_field_errors_t errs;
    if (professional_check (self.in, create, arena, &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    if (create)
        kw_uuid_generate (self.new_id);
    self.id = create ? self.new_id : id ? id : "";
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info (create ? "professional_registered" : "professional_changed", "professional_id", self.id);
}

void
professionals_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    s_create_or_update (svc, req, resp, arena, 1);
}

void
professionals_update (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    s_create_or_update (svc, req, resp, arena, 0);
}

// ---- reads

void
professionals_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    const Kw__Caller *caller = req->caller;
    Kw__ProfessionalRecord *out;
    int found = professionals_load (db, in->id, caller->region, arena, &out);
    if (found < 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    if (!found) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such professional");
        return;
    }
    int self_read = caller->role && strcmp (caller->role, "key_worker") == 0 && caller->professional_id
                 && strcmp (caller->professional_id, out->id) == 0;
    int allowed = self_read ? 1 : access_coordinator (db, req, "professional", out->id, "read", resp, arena);
    if (allowed == 1 && kw_audit (db, caller, "read", "professional", out->id, "ok") == 0)
        kw_rpc_reply_ok (resp, arena, &out->base);
    else
    if (allowed != 0)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
}

void
professionals_list (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__ProfessionalListRequest *in = (Kw__ProfessionalListRequest *)
        kw_rpc_unpack (req, resp, arena, &kw__professional_list_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    int allowed = access_coordinator (db, req, "professional", "", "list", resp, arena);
    if (allowed <= 0) {
        if (allowed < 0)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    kw_page_t page;
    if (kw_cursor_page (in->has_limit, in->limit, in->cursor, arena, &page) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "cursor", "cursor is not one this list gave");
        return;
    }
    const char *params [10] = {
        req->caller->region, in->agency, in->discipline, in->locality, in->language,
        !in->has_available ? NULL : in->available ? "true" : "false",
        !in->has_active ? NULL : in->active ? "true" : "false",
        page.after_us, page.after_id, page.fetch
    };
    PGresult *res = kw_db_query (db, "professionals_list", 10, params);
    if (!res || kw_audit (db, req->caller, "list", "professional", "", "ok") != 0) {
        PQclear (res);
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    Kw__ProfessionalList out = KW__PROFESSIONAL_LIST__INIT;
    out.items = rows_page (res, &page, &out.n_items, arena);
    for (size_t i = 0; i < out.n_items; i++)
        out.items [i] = s_record (res, (int) i, arena);
    out.next_cursor = rows_next_cursor (res, out.n_items, 19, out.n_items ? out.items [out.n_items - 1]->id : NULL,
                                        arena);
    PQclear (res);
    kw_rpc_reply_ok (resp, arena, &out.base);
}
