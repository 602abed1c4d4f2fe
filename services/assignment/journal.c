/*  journal: every change of a case is an event and a row of the case's
    timeline, written by one statement in the caller's transaction: the event into
    bus.outbox (topic assignment.<type>, correlation id the case, or the
    professional for registry events), the timeline row naming the event,
    who caused it and what happened in words. */
#include <stdio.h>
#include <string.h>
#include "kw_outbox.h"
#include "assignment.h"

//  The timeline row, written by the statement that writes the event
//  (kw_outbox_insert_with: $2 is the event's id, $3 its type).
#define TIMELINE_ROW \
    "INSERT INTO assignment.timeline (case_id, kind, actor, actor_role, detail, professional_id," \
    " offer_id, event_id) VALUES ($7::uuid, $3, $8, $9, $10, $11::uuid, $12::uuid, $2::uuid)"

int
journal_event (kw_db_t *db, journal_actor_t actor, const char *region, const char *case_id,
               const char *about, const char *type, const ProtobufCMessage *payload,
               const char *professional_id, const char *offer_id, const char *fmt, ...)
{
    if (!case_id)
        return kw_outbox_insert (db, KW_PRODUCER_ASSIGNMENT, type, region, about, payload, NULL);
    char detail [1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (detail, sizeof detail, fmt, ap);
    va_end (ap);
    const char *params [6] = {
        case_id, actor && actor->sub && *actor->sub ? actor->sub : NULL,
        actor && actor->role && *actor->role ? actor->role : NULL, detail,
        professional_id && *professional_id ? professional_id : NULL,
        offer_id && *offer_id ? offer_id : NULL
    };
    return kw_outbox_insert_with (db, "journal_event", TIMELINE_ROW, KW_PRODUCER_ASSIGNMENT, type, region,
                                  case_id, payload, 6, params, NULL);
}
