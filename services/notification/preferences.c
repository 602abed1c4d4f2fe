/*  preferences: a recipient's own choices over RPC (notification.
    preferences_get, notification.preferences_put): the channels in their
    order, quiet hours in the region's time zone and an opt-out. Admins
    and coordinators read and set those of their region's recipients; a key
    worker only their own (the id is their professional id). A recipient
    with no row reads as the table's defaults; one of another region is not
    found. Every read and write is audited. deliveries.c applies them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/notification.pb-c.h"
#include "kw_audit.h"
#include "kw_field_error.h"
#include "kw_log.h"
#include "kw_tx.h"
#include "notification.h"

#define CONTACT_ID_MAX 80
#define CHANNELS_MAX 4

int
preferences_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "preferences_get",
        "SELECT region, array_to_string (channels, ','), to_char (quiet_from, 'HH24:MI'),"
        " to_char (quiet_to, 'HH24:MI'), opted_out,"
        " to_char (updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM notification.preferences WHERE contact_id = $1");
    kw_db_prepare (db, "preferences_put",
        "INSERT INTO notification.preferences AS p (contact_id, region, channels, quiet_from, quiet_to, opted_out)"
        " VALUES ($1, $2, string_to_array ($3, ',')::text[], $4::time, $5::time, $6::boolean)"
        " ON CONFLICT (contact_id) DO UPDATE SET channels = excluded.channels,"
        " quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, opted_out = excluded.opted_out,"
        " updated_at = now () WHERE p.region = excluded.region");
    return 0;
}

static int
s_contact_id_ok (const char *id)
{
    size_t len = id ? strlen (id) : 0;
    if (len == 0 || len > CONTACT_ID_MAX)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-'))
            return 0;
    return 1;
}

//  1 when text is "HH:MM" of a day.
static int
s_clock_ok (const char *text)
{
    return text && strlen (text) == 5 && text [2] == ':'
        && text [0] >= '0' && text [0] <= '2' && text [1] >= '0' && text [1] <= '9'
        && (text [0] < '2' || text [1] <= '3') && text [3] >= '0' && text [3] <= '5'
        && text [4] >= '0' && text [4] <= '9';
}

//  May the caller read or set id's preferences? 1, or 0 with resp
//  answered (FORBIDDEN).
static int
s_allowed (const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena, const char *id)
{
    static const char *const roles [] = { "admin", "coordinator", "key_worker", NULL };
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, "this role may not see a contact's preferences"))
        return 0;
    if (!req->caller->region || !*req->caller->region) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, NULL, "the caller has no region");
        return 0;
    }
    if (strcmp (req->caller->role, "key_worker") == 0
    &&  (!req->caller->professional_id || strcmp (req->caller->professional_id, id) != 0)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_FORBIDDEN, "id",
                            "a key worker may see only their own preferences");
        return 0;
    }
    return 1;
}

//  Read id's preferences of region into out. 1 found, 0 none (defaults),
//  2 of another region, -1 database error.
static int
s_load (kw_db_t *db, kw_arena_t *arena, const char *id, const char *region, Kw__ContactPreferences *out)
{
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, "preferences_get", 1, params);
    if (!res)
        return -1;
    kw__contact_preferences__init (out);
    out->id = kw_arena_strdup (arena, id);
    out->has_opted_out = 1;
    int rc = PQntuples (res) == 1 ? (strcmp (PQgetvalue (res, 0, 0), region) == 0 ? 1 : 2) : 0;
    if (rc == 1) {
        char *channels = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
        out->channels = kw_arena_calloc (arena, CHANNELS_MAX * sizeof *out->channels);
        for (char *save = NULL, *c = strtok_r (channels, ",", &save); c && out->n_channels < CHANNELS_MAX;
             c = strtok_r (NULL, ",", &save))
            out->channels [out->n_channels++] = c;
        if (!PQgetisnull (res, 0, 2)) {
            out->quiet_from = kw_arena_strdup (arena, PQgetvalue (res, 0, 2));
            out->quiet_to = kw_arena_strdup (arena, PQgetvalue (res, 0, 3));
        }
        out->opted_out = strcmp (PQgetvalue (res, 0, 4), "t") == 0;
        out->updated_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 5));
    }
    PQclear (res);
    return rc;
}

void
preferences_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    if (!s_contact_id_ok (in->id)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "id",
                            "id must be a recipient id: 1-80 characters of [A-Za-z0-9-]");
        return;
    }
    if (!s_allowed (req, resp, arena, in->id))
        return;
    Kw__ContactPreferences out;
    kw_db_t *db = kw_service_db (svc);
    int rc = s_load (db, arena, in->id, req->caller->region, &out);
    if (rc < 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    if (kw_audit_read (db, req->caller, "read", "preferences", in->id, rc == 2 ? "not_found" : "ok",
                       resp, arena) != 0)
        return;
    if (rc == 2)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such contact");
    else
        kw_rpc_reply_ok (resp, arena, &out.base);
}

// ---- put

typedef struct {
    Kw__ContactPreferences *in;
    char channels [32];
} s_put_t;

static int
s_put_authorise (kw_tx_t *tx)
{
    s_put_t *self = tx->arg;
    if (s_allowed (tx->req, tx->resp, tx->arena, self->in->id))
        return 1;
    return kw_audit (tx->db, tx->req->caller, "update", "preferences", self->in->id, "forbidden") == 0 ? 0 : -1;
}

static int
s_put_write (kw_tx_t *tx)
{
    s_put_t *self = tx->arg;
    Kw__ContactPreferences *in = self->in;
    const char *region = tx->req->caller->region;
    const char *params [6] = {
        in->id, region, self->channels, in->quiet_from, in->quiet_to, in->opted_out ? "true" : "false"
    };
    int changed = kw_db_exec_count (tx->db, "preferences_put", 6, params, NULL, NULL);
    if (changed < 0)
        return -1;
    if (kw_audit (tx->db, tx->req->caller, "update", "preferences", in->id, changed ? "ok" : "not_found") != 0)
        return -1;
    if (!changed) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such contact");
        return 0;
    }
    Kw__ContactPreferences out;
    if (s_load (tx->db, tx->arena, in->id, region, &out) != 1)
        return -1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &out.base);
    return 0;
}

void
preferences_put (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "preferences_put", .what = "preferences", .authorise = s_put_authorise, .write = s_put_write
    };
    Kw__ContactPreferences *in = (Kw__ContactPreferences *)
        kw_rpc_unpack (req, resp, arena, &kw__contact_preferences__descriptor);
    if (!in)
        return;
    s_put_t self = { .in = in };
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (!s_contact_id_ok (in->id))
        kw_field_errors_add (&errs, "id", "id must be a recipient id: 1-80 characters of [A-Za-z0-9-]");
    if (in->n_channels > CHANNELS_MAX)
        kw_field_errors_add (&errs, "channels", "at most %d channels", CHANNELS_MAX);
    for (size_t i = 0; i < in->n_channels && i < CHANNELS_MAX; i++) {
        const char *c = in->channels [i];
        int known = c && (strcmp (c, "email") == 0 || strcmp (c, "sms") == 0 || strcmp (c, "letter") == 0
                          || strcmp (c, "webhook") == 0);
        if (!known || strstr (self.channels, c))
            kw_field_errors_add (&errs, "channels", known ? "a channel is listed twice"
                                                          : "each channel must be email, sms, letter or webhook");
        else
            snprintf (self.channels + strlen (self.channels), sizeof self.channels - strlen (self.channels),
                      "%s%s", *self.channels ? "," : "", c);
    }
    if (!in->quiet_from != !in->quiet_to)
        kw_field_errors_add (&errs, in->quiet_from ? "quiet_to" : "quiet_from",
                             "quiet hours need both quiet_from and quiet_to");
    if (in->quiet_from && !s_clock_ok (in->quiet_from))
        kw_field_errors_add (&errs, "quiet_from", "quiet_from must be a time of day, HH:MM");
    if (in->quiet_to && !s_clock_ok (in->quiet_to))
        kw_field_errors_add (&errs, "quiet_to", "quiet_to must be a time of day, HH:MM");
    if (kw_field_errors_found (&errs)) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("preferences_set", "contact_id", in->id);
}
