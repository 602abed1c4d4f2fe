/*  links: the offer e-mail's signed links (docs/security.md, "Signed
    links"). link.view shows what a link would do (it changes nothing);
    link.use does it: the offer is accepted or declined through offer.accept
    or offer.decline on behalf of the professional the link names, and the
    token is recorded as used. A link is refused, changing nothing, when it
    is malformed or tampered (403), expired with its offer (410 via code
    link_expired), used already (409, link_used) or its offer no longer
    pending (409 from offer.accept/decline). Every view, use and refusal is
    audited (action link_view or link_use, record the offer, or the token's
    id when the token names no offer). The link key is read from
    KW_LINK_KEY_FILE at start; without one, links answer unavailable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw/links.pb-c.h"
#include "kw_audit.h"
#include "kw_link.h"
#include "kw_log.h"
#include "kw_pb.h"
#include "kw_rpc.h"
#include "assignment.h"

#define DECLINE_REASON "declined from the offer e-mail's link"

static unsigned char *s_key;
static size_t s_key_len;

typedef struct {
    kw_link_t link;
    char token_id [KW_LINK_ID_SIZE];
    Kw__Caller caller;              //  the professional the link names
    char sub [64];
    Kw__LinkPage page;
    int due;                        //  the offer's time is up
} link_ctx_t;

int
links_prepare (kw_service_t *svc)
{
    kw_db_t *db = kw_service_db (svc);
    kw_db_prepare (db, "links_offer",
        "SELECT o.case_id, o.status, " TS ("o.expires_at") ", o.professional_id, p.name, c.region,"
        " o.purpose, o.expires_at <= now ()"
        " FROM assignment.offers o JOIN assignment.professionals p ON p.id = o.professional_id"
        " JOIN assignment.cases c ON c.id = o.case_id WHERE o.id = $1");
    kw_db_prepare (db, "links_used", "SELECT 1 FROM assignment.used_links WHERE token_id = $1");
    kw_db_prepare (db, "links_record",
        "INSERT INTO assignment.used_links (token_id, action, offer_id, professional_id)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (token_id) DO NOTHING");
    free (s_key);
    s_key = kw_link_key_or_warn (kw_service_config (svc, "KW_LINK_KEY_FILE"), &s_key_len);
    return 0;
}

static int
s_audit (kw_service_t *svc, link_ctx_t *ctx, const char *action, const char *outcome)
{
    const char *record = *ctx->link.subject_id ? ctx->link.subject_id : ctx->token_id;
    return kw_audit (kw_service_db (svc), &ctx->caller, action, *ctx->link.subject_id ? "offer" : "link",
                     record, outcome);
}

//  Refuse: audit, then answer status with code. Always -1.
static int
s_refuse (kw_service_t *svc, link_ctx_t *ctx, const char *action, Kw__Response *resp, kw_arena_t *arena,
          Kw__Status status, const char *code, const char *message)
{
    if (s_audit (svc, ctx, action, code) != 0)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the link could not be audited");
    else {
        kw_rpc_reply_error (resp, arena, status, NULL, "%s", message);
        resp->code = (char *) code;
    }
    return -1;
}

//  Verify the token and load its offer into ctx->page. 0, or -1 answered.
static int
s_check (kw_service_t *svc, const Kw__Request *req, const char *action, Kw__Response *resp,
         kw_arena_t *arena, link_ctx_t *ctx)
{
    memset (ctx, 0, sizeof *ctx);
    kw__caller__init (&ctx->caller);
    kw__link_page__init (&ctx->page);
    Kw__LinkRequest *in = (Kw__LinkRequest *) kw_rpc_unpack (req, resp, arena, &kw__link_request__descriptor);
    if (!in)
        return -1;
    if (!s_key) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "links are not configured");
        return -1;
    }
    const char *token = in->token ? in->token : "";
    kw_link_id (token, ctx->token_id);
    kw_link_check_t check = kw_link_verify (token, s_key, s_key_len, (int64_t) time (NULL), &ctx->link);
    snprintf (ctx->sub, sizeof ctx->sub, "link:%s", *ctx->link.person_id ? ctx->link.person_id : "unknown");
    ctx->caller.sub = ctx->sub;
    ctx->caller.role = "key_worker";
    ctx->caller.region = "";
    ctx->caller.professional_id = ctx->link.person_id;
    if (check == KW_LINK_MALFORMED || check == KW_LINK_TAMPERED) {
        memset (ctx->link.subject_id, 0, sizeof ctx->link.subject_id);
        return s_refuse (svc, ctx, action, resp, arena, KW__STATUS__STATUS_FORBIDDEN, "link_tampered",
                         "this link is not valid: it may have been changed or copied incompletely");
    }
    if (strcmp (ctx->link.action, KW_LINK_OFFER_ACCEPT) != 0 && strcmp (ctx->link.action, KW_LINK_OFFER_DECLINE) != 0)
        return s_refuse (svc, ctx, action, resp, arena, KW__STATUS__STATUS_FORBIDDEN, "link_tampered",
                         "this link asks for something the platform does not do");
    const char *params [1] = { ctx->link.subject_id };
    PGresult *res = kw_db_query (kw_service_db (svc), "links_offer", 1, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "try again");
        return -1;
    }
    int found = PQntuples (res) == 1 && strcmp (PQgetvalue (res, 0, 3), ctx->link.person_id) == 0;
    if (found) {
        ctx->page.case_id = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
        ctx->page.offer_status = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
        ctx->page.expires_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 2));
        ctx->page.professional_name = kw_arena_strdup (arena, PQgetvalue (res, 0, 4));
        ctx->page.region = kw_arena_strdup (arena, PQgetvalue (res, 0, 5));
        ctx->page.purpose = kw_arena_strdup (arena, PQgetvalue (res, 0, 6));
        ctx->due = PQgetvalue (res, 0, 7) [0] == 't';
        ctx->caller.region = ctx->page.region;
    }
    PQclear (res);
    if (!found)
        return s_refuse (svc, ctx, action, resp, arena, KW__STATUS__STATUS_FORBIDDEN, "link_tampered",
                         "this link names no offer made to you");
    ctx->page.action = ctx->link.action;
    ctx->page.offer_id = ctx->link.subject_id;
    if (check == KW_LINK_EXPIRED || ctx->due)
        return s_refuse (svc, ctx, action, resp, arena, KW__STATUS__STATUS_CONFLICT, "link_expired",
                         "this link has expired with the offer it was for");
    const char *used_params [1] = { ctx->token_id };
    res = kw_db_query (kw_service_db (svc), "links_used", 1, used_params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "try again");
        return -1;
    }
    int used = PQntuples (res) > 0;
    PQclear (res);
    if (used)
        return s_refuse (svc, ctx, action, resp, arena, KW__STATUS__STATUS_CONFLICT, "link_used",
                         "this link has been used already");
    return 0;
}

void
links_view (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    link_ctx_t ctx;
    if (s_check (svc, req, "link_view", resp, arena, &ctx) != 0)
        return;
    if (kw_audit_read (kw_service_db (svc), &ctx.caller, "link_view", "offer", ctx.link.subject_id, "ok",
                       resp, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &ctx.page.base);
}

void
links_use (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    link_ctx_t ctx;
    if (s_check (svc, req, "link_use", resp, arena, &ctx) != 0)
        return;
    int decline = strcmp (ctx.link.action, KW_LINK_OFFER_DECLINE) == 0;
    Kw__OfferDecision decision = KW__OFFER_DECISION__INIT;
    decision.id = ctx.page.case_id;
    decision.offer_id = ctx.link.subject_id;
    decision.reason = decline ? DECLINE_REASON : NULL;
    size_t size;
    uint8_t *payload = kw_arena_pack (arena, &decision.base, &size);
    Kw__Request inner = KW__REQUEST__INIT;
    inner.method = decline ? "offer.decline" : "offer.accept";
    inner.caller = &ctx.caller;
    inner.payload.data = payload;
    inner.payload.len = size;
    inner.idempotency_key = "";
    if (decline)
        offers_decline (svc, &inner, resp, arena);
    else
        offers_accept (svc, &inner, resp, arena);
    if (resp->status != KW__STATUS__STATUS_OK) {
        if (s_audit (svc, &ctx, "link_use", resp->code && *resp->code ? resp->code : "refused") != 0)
            kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "the link could not be audited");
        return;
    }
    const char *params [4] = { ctx.token_id, ctx.link.action, ctx.link.subject_id, ctx.link.person_id };
    if (kw_db_exec (kw_service_db (svc), "links_record", 4, params) != 0 || s_audit (svc, &ctx, "link_use", "ok") != 0)
        kw_error ("link_not_recorded", "offer_id", ctx.link.subject_id);
    ctx.page.offer_status = decline ? "declined" : "accepted";
    ctx.page.done = 1;
    ctx.page.has_done = 1;
    kw_rpc_reply_ok (resp, arena, &ctx.page.base);
}
