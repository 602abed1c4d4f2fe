/*  journal: every change of a case is an event and a row of the case's
    timeline, written together in the caller's transaction: the event into
    bus.outbox (topic assignment.<type>, correlation id the case, or the
    professional for registry events), the timeline row naming the event,
    who caused it and what happened in words. */
#include <stdio.h>
#include <string.h>
#include "kw_outbox.h"
#include "assignment.h"

int
journal_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "journal_timeline",
        "INSERT INTO assignment.timeline (case_id, kind, actor, actor_role, detail, professional_id,"
        " offer_id, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    return 0;
}

int
journal_event (kw_db_t *db, journal_actor_t actor, const char *region, const char *case_id,
               const char *about, const char *type, const ProtobufCMessage *payload,
               const char *professional_id, const char *offer_id, const char *fmt, ...)
{
    char event_id [40];
    if (kw_outbox_insert (db, KW_PRODUCER_ASSIGNMENT, type, region, case_id ? case_id : about,
                          payload, event_id) != 0)
        return -1;
    if (!case_id)
        return 0;
    char detail [1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (detail, sizeof detail, fmt, ap);
    va_end (ap);
    const char *params [8] = {
        case_id, type, actor && actor->sub && *actor->sub ? actor->sub : NULL,
        actor && actor->role && *actor->role ? actor->role : NULL, detail,
        professional_id && *professional_id ? professional_id : NULL,
        offer_id && *offer_id ? offer_id : NULL, event_id
    };
    return kw_db_exec (db, "journal_timeline", 8, params);
}
