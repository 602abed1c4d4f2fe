/*  events: every event the table of what is sent to whom may name, with the
    message its payload is: those the service consumes (its handler is set
    by main.c) and the one it makes itself (the dead letter). Shared with
    kwctl's template check, which loads the table as the service does. */
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw/scheduling.pb-c.h"
#include "notification.h"

#define ASSIGNMENT(type, message) { KW_PRODUCER_ASSIGNMENT, type, &message##__descriptor, NULL }
#define ELIGIBILITY(type, message) { KW_PRODUCER_ELIGIBILITY, type, &message##__descriptor, NULL }
#define REFERRAL(type, message) { KW_PRODUCER_REFERRAL, type, &message##__descriptor, NULL }
#define SCHEDULING(type, message) { KW_PRODUCER_SCHEDULING, type, &message##__descriptor, NULL }

const kw_service_event_t notification_events [NOTIFICATION_EVENT_COUNT + 1] = {
    ASSIGNMENT (KW_EVENT_ASSIGNMENT_OFFER_MADE, kw__offer_made),
    ASSIGNMENT (KW_EVENT_ASSIGNMENT_CASE_AWAITING_KEY_WORKER, kw__case_awaiting_key_worker),
    ASSIGNMENT (KW_EVENT_ASSIGNMENT_KEY_WORKER_CHANGED, kw__key_worker_changed),
    ASSIGNMENT (KW_EVENT_ASSIGNMENT_COVER_STARTED, kw__cover_changed),
    ASSIGNMENT (KW_EVENT_ASSIGNMENT_COVER_ENDED, kw__cover_changed),
    ASSIGNMENT (KW_EVENT_ASSIGNMENT_CASE_CLOSED, kw__case_closed),
    ELIGIBILITY (KW_EVENT_ELIGIBILITY_CASE_TRANSITION_DUE, kw__case_age_out),
    REFERRAL (KW_EVENT_REFERRAL_DSR_ENTRY_CHANGED, kw__dsr_entry_event),
    REFERRAL (KW_EVENT_REFERRAL_INFORMATION_REQUESTED, kw__information_requested),
    SCHEDULING (KW_EVENT_SCHEDULING_MEETING_SCHEDULED, kw__meeting_changed),
    SCHEDULING (KW_EVENT_SCHEDULING_MEETING_UPDATED, kw__meeting_changed),
    SCHEDULING (KW_EVENT_SCHEDULING_MEETING_CANCELLED, kw__meeting_changed),
    SCHEDULING (KW_EVENT_SCHEDULING_RESPONSE_RECORDED, kw__response_recorded),
    SCHEDULING (KW_EVENT_SCHEDULING_REVIEW_DUE, kw__review_due),
    SCHEDULING (KW_EVENT_SCHEDULING_PLAN_UPDATED, kw__plan_updated),
    SCHEDULING (KW_EVENT_SCHEDULING_ACTION_OVERDUE, kw__action_overdue),
    { NULL }
};

const kw_service_event_t notification_internal [] = {
    { KW_PRODUCER_NOTIFICATION, DELIVERIES_DEAD_LETTER, &kw__delivery_failed__descriptor, NULL },
    { NULL }
};
