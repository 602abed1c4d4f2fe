/*  links: the meeting invitation's signed attend and decline links
    (docs/security.md, "Signed links"; docs/notifications.md). Each names
    the meeting, the participant (a professional's id, or the case's id for
    the family), the invitation's SEQUENCE and the meeting's start as its
    expiry. meeting_link.view shows the meeting's time in the region's zone,
    its place and the case id, and changes nothing; meeting_link.use records
    the response through meeting.respond's own step
    (meetings_record_response: same audit, same response_recorded event),
    once per participant and sequence. A link is refused, changing nothing,
    when it is malformed or tampered or names no participant of the meeting
    (403, link_tampered), its meeting is cancelled (409, meeting_cancelled),
    it was made for an earlier sequence (409, link_outdated: the meeting
    changed and a new invitation carries new links), the meeting has started
    (410 via link_expired), it was used already (409, link_used) or the
    meeting was held (409, meeting_not_scheduled). Every view, use and
    refusal is audited (action link_view or link_use, record the meeting, or
    the token's id when it names no meeting), as the person the link names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw/links.pb-c.h"
#include "kw_audit.h"
#include "kw_link.h"
#include "kw_pb.h"
#include "kw_rpc.h"
#include "kw_tx.h"
#include "scheduling.h"
#include "zone.h"

#define WHEN_SIZE 192

static unsigned char *s_key;
static size_t s_key_len;

typedef struct {
    const char *verb;               //  link_view or link_use
    kw_link_t link;
    char token_id [KW_LINK_ID_SIZE];
    Kw__Caller caller;              //  the participant the link names
    char sub [96];
    const char *person;             //  their person id in the meeting ("family" for the family)
    case_row_t row;
    Kw__LinkPage page;
} link_ctx_t;

int
links_prepare (kw_service_t *svc)
{
    kw_db_t *db = kw_service_db (svc);
    kw_db_prepare (db, "links_used",
        "SELECT 1 FROM scheduling.used_links WHERE meeting_id = $1::uuid AND person_id = $2"
        " AND sequence = $3::int");
    kw_db_prepare (db, "links_record",
        "INSERT INTO scheduling.used_links (token_id, meeting_id, person_id, sequence, action)"
        " VALUES ($1, $2::uuid, $3, $4::int, $5)");
    free (s_key);
    s_key = kw_link_key_or_warn (kw_service_config (svc, "KW_LINK_KEY_FILE"), &s_key_len);
    return 0;
}

static int
s_audit (kw_db_t *db, link_ctx_t *ctx, const char *outcome)
{
    int named = *ctx->link.subject_id != 0;
    return kw_audit (db, &ctx->caller, ctx->verb, named ? "meeting" : "link",
                     named ? ctx->link.subject_id : ctx->token_id, outcome);
}

//  Refuse: audit, then answer status with code. Always 0 (answered), or
//  -1 when the audit cannot be written.
static int
s_refuse (kw_db_t *db, link_ctx_t *ctx, Kw__Response *resp, kw_arena_t *arena, Kw__Status status,
          const char *code, const char *message)
{
    if (s_audit (db, ctx, code) != 0)
        return -1;
    kw_rpc_reply_error (resp, arena, status, NULL, "%s", message);
    resp->code = (char *) code;
    return 0;
}

//  "Tuesday 8 December 2026, 10:00 to 11:00 (Europe/London)".
static char *
s_when (const settings_region_t *region, int64_t start, int64_t end, kw_arena_t *arena)
{
    char *out = kw_arena_alloc (arena, WHEN_SIZE);
    int32_t day, end_day;
    int minute, end_minute, offset;
    zone_local (region->zone, start, &day, &minute, &offset);
    zone_local (region->zone, end, &end_day, &end_minute, &offset);
    time_t at = (time_t) day * 86400;
    struct tm tm;
    gmtime_r (&at, &tm);
    char date [64];
    strftime (date, sizeof date, "%A %-d %B %Y", &tm);
    snprintf (out, WHEN_SIZE, "%.60s, %02d:%02d to %02d:%02d (%.64s)", date, minute / 60, minute % 60,
              end_minute / 60, end_minute % 60, region->time_zone);
    return out;
}

//  The caller the audit names: the participant, in the meeting's region.
static void
s_caller (link_ctx_t *ctx, const char *region)
{
    int family = ctx->person && strcmp (ctx->person, "family") == 0;
    snprintf (ctx->sub, sizeof ctx->sub, "link:%s%s", family ? "family:" : "",
              *ctx->link.person_id ? ctx->link.person_id : "unknown");
    ctx->caller.sub = ctx->sub;
    ctx->caller.role = family ? "family" : "key_worker";
    ctx->caller.region = (char *) (region ? region : "");
    ctx->caller.professional_id = family ? NULL : ctx->link.person_id;
}

//  Verify the token of req and check its meeting on db (locked when lock:
//  a use, in its transaction). 1 good (ctx->page filled), 0 refused and
//  answered, -1 db.
static int
s_check (kw_service_t *svc, kw_db_t *db, const Kw__Request *req, int lock, Kw__Response *resp,
         kw_arena_t *arena, link_ctx_t *ctx)
{
    kw__caller__init (&ctx->caller);
    kw__link_page__init (&ctx->page);
    Kw__LinkRequest *in = (Kw__LinkRequest *) kw_pb_unpack (&kw__link_request__descriptor, arena,
                                                            req->payload.data, req->payload.len);
    const char *token = in && in->token ? in->token : "";
    kw_link_id (token, ctx->token_id);
    kw_link_check_t check = kw_link_verify (token, s_key, s_key_len, (int64_t) time (NULL), &ctx->link);
    s_caller (ctx, NULL);
    if (check == KW_LINK_MALFORMED || check == KW_LINK_TAMPERED) {
        memset (ctx->link.subject_id, 0, sizeof ctx->link.subject_id);
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_FORBIDDEN, "link_tampered",
                         "this link is not valid: it may have been changed or copied incompletely");
    }
    if (strcmp (ctx->link.action, KW_LINK_MEETING_ATTEND) != 0 && strcmp (ctx->link.action, KW_LINK_MEETING_DECLINE) != 0)
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_FORBIDDEN, "link_tampered",
                         "this link asks for something the platform does not do");
    const char *params [1] = { ctx->link.subject_id };
    PGresult *res = lock ? kw_db_query (db, "access_meeting_lock", 1, params) : NULL;
    if (lock && !res)
        return -1;
    PQclear (res);
    int failed = 0;
    Kw__Meeting *m = records_meeting (svc, db, ctx->link.subject_id, arena, &failed);
    if (failed)
        return -1;
    Kw__Participant *who = NULL;
    for (size_t i = 0; m && i < m->n_participants; i++) {
        const char *id = m->participants [i]->id;
        if (strcmp (id, ctx->link.person_id) == 0 || (strcmp (id, "family") == 0 && strcmp (m->case_id, ctx->link.person_id) == 0))
            who = m->participants [i];
    }
    if (!who)
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_FORBIDDEN, "link_tampered",
                         "this link names no meeting you are invited to");
    ctx->person = who->id;
    s_caller (ctx, m->region);
    ctx->row = (case_row_t) { .id = m->case_id, .region = m->region };
    const settings_region_t *region = scheduling_region (svc, m->region);
    int64_t start = 0, end = 0;
    if (!region || zone_parse_instant (m->start, &start) != 0 || zone_parse_instant (m->end, &end) != 0) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the meeting's region is unknown");
        return 0;
    }
    ctx->page.action = ctx->link.action;
    ctx->page.meeting_id = m->id;
    ctx->page.case_id = m->case_id;
    ctx->page.region = m->region;
    ctx->page.meeting_type = m->type;
    ctx->page.location = m->location;
    ctx->page.expires_at = m->start;
    ctx->page.meeting_when = s_when (region, start, end, arena);
    ctx->page.response = who->response;
    if (strcmp (m->status, "cancelled") == 0)
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_CONFLICT, "meeting_cancelled",
                         "this meeting has been cancelled");
    if (ctx->link.revision != m->sequence)
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_CONFLICT, "link_outdated",
                         "this meeting has changed since this link was sent: use the links in the latest"
                         " invitation");
    if (check == KW_LINK_EXPIRED || start <= (int64_t) time (NULL))
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_CONFLICT, "link_expired",
                         "this link expired when the meeting started");
    if (strcmp (m->status, "scheduled") != 0)
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_CONFLICT, "meeting_not_scheduled",
                         "this meeting is no longer scheduled");
    char sequence [16];
    snprintf (sequence, sizeof sequence, "%u", m->sequence);
    const char *used_params [3] = { m->id, ctx->person, sequence };
    if (!(res = kw_db_query (db, "links_used", 3, used_params)))
        return -1;
    int used = PQntuples (res) > 0;
    PQclear (res);
    if (used)
        return s_refuse (db, ctx, resp, arena, KW__STATUS__STATUS_CONFLICT, "link_used",
                         "you have already answered this invitation through its link");
    return 1;
}

//  Without a key, links answer unavailable. 1 when there is one.
static int
s_keyed (Kw__Response *resp, kw_arena_t *arena)
{
    if (!s_key)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "links are not configured");
    return s_key != NULL;
}

void
links_view (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    if (!s_keyed (resp, arena))
        return;
    kw_db_t *db = kw_service_db (svc);
    link_ctx_t ctx = { .verb = "link_view" };
    int rc = s_check (svc, db, req, 0, resp, arena, &ctx);
    if (rc < 0)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "try again");
    if (rc != 1)
        return;
    if (kw_audit_read (db, &ctx.caller, "link_view", "meeting", ctx.link.subject_id, "ok", resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &ctx.page.base);
}

static int
s_use_authorise (kw_tx_t *tx)
{
    return s_check (tx->svc, tx->db, tx->req, 1, tx->resp, tx->arena, tx->arg);
}

static int
s_use_write (kw_tx_t *tx)
{
    link_ctx_t *ctx = tx->arg;
    int attend = strcmp (ctx->link.action, KW_LINK_MEETING_ATTEND) == 0;
    Kw__Request inner = *tx->req;
    inner.caller = &ctx->caller;
    kw_tx_t as_participant = *tx;
    as_participant.req = &inner;
    const char *response = attend ? "accepted" : "declined";
    int rc = meetings_record_response (&as_participant, ctx->link.subject_id, &ctx->row, ctx->person, response);
    if (rc != 0 || tx->resp->status != KW__STATUS__STATUS_OK)
        return rc != 0 ? -1 : s_audit (tx->db, ctx, tx->resp->code && *tx->resp->code ? tx->resp->code : "refused");
    char sequence [16];
    snprintf (sequence, sizeof sequence, "%u", ctx->link.revision);
    const char *params [5] = { ctx->token_id, ctx->link.subject_id, ctx->person, sequence, ctx->link.action };
    if (kw_db_exec (tx->db, "links_record", 5, params) != 0 || s_audit (tx->db, ctx, "ok") != 0)
        return -1;
    ctx->page.response = (char *) response;
    ctx->page.done = 1;
    ctx->page.has_done = 1;
    kw_rpc_reply_ok (tx->resp, tx->arena, &ctx->page.base);
    return 0;
}

void
links_use (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "meeting_link_use", .what = "response", .authorise = s_use_authorise, .write = s_use_write,
        .unique_field = "token", .unique_message = "this link has been used already"
    };
    if (!s_keyed (resp, arena))
        return;
    link_ctx_t ctx = { .verb = "link_use" };
    kw_tx_run (&def, svc, req, resp, arena, &ctx);
}
