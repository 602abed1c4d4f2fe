/*  kw_topics: the name of every producer and event on the bus, spelt here
    and nowhere else. A producer is the service that writes the event into
    bus.outbox (its name is also its schema and role suffix); an event's
    type is its name within the producer; the topic on the bus is
    "<producer>.<type>" (kw_outbox_topic). Beside each event, the message its
    payload is (proto/kw/). Producers pass these to kw_outbox_insert, and
    consumers name them in their kw_service_def_t event table. */
#ifndef KW_TOPICS_H
#define KW_TOPICS_H

#define KW_PRODUCER_REFERRAL        "referral"
#define KW_PRODUCER_ELIGIBILITY     "eligibility"
#define KW_PRODUCER_ASSIGNMENT      "assignment"
#define KW_PRODUCER_SCHEDULING      "scheduling"
#define KW_PRODUCER_NOTIFICATION    "notification"

//  referral
#define KW_EVENT_REFERRAL_RECEIVED              "received"              //  ReferralReceived
#define KW_EVENT_REFERRAL_INFORMATION_ADDED     "information_added"     //  ReferralReceived
#define KW_EVENT_REFERRAL_WITHDRAWN             "withdrawn"             //  ReferralWithdrawn
#define KW_EVENT_REFERRAL_DSR_ENTRY_CREATED     "dsr_entry_created"     //  DsrEntryEvent
#define KW_EVENT_REFERRAL_DSR_ENTRY_CHANGED     "dsr_entry_changed"     //  DsrEntryEvent
#define KW_EVENT_REFERRAL_INFORMATION_REQUESTED "information_requested" //  InformationRequested

//  eligibility
#define KW_EVENT_ELIGIBILITY_DECIDED            "decided"               //  EligibilityDecided
#define KW_EVENT_ELIGIBILITY_DSR_REFERRAL_DUE   "dsr_referral_due"      //  DsrReferralDue
#define KW_EVENT_ELIGIBILITY_CASE_TRANSITION_DUE "case_transition_due"  //  CaseAgeOut
#define KW_EVENT_ELIGIBILITY_CASE_AGE_OUT       "case_age_out"          //  CaseAgeOut

//  assignment (docs/events.md says when each is emitted)
#define KW_EVENT_ASSIGNMENT_CASE_OPENED         "case_opened"           //  CaseOpened
#define KW_EVENT_ASSIGNMENT_OFFER_MADE          "offer_made"            //  OfferMade
#define KW_EVENT_ASSIGNMENT_OFFER_ACCEPTED      "offer_accepted"        //  OfferEnded
#define KW_EVENT_ASSIGNMENT_OFFER_DECLINED      "offer_declined"        //  OfferEnded
#define KW_EVENT_ASSIGNMENT_OFFER_EXPIRED       "offer_expired"         //  OfferEnded
#define KW_EVENT_ASSIGNMENT_OFFER_WITHDRAWN     "offer_withdrawn"       //  OfferEnded
#define KW_EVENT_ASSIGNMENT_CASE_AWAITING_KEY_WORKER "case_awaiting_key_worker" //  CaseAwaitingKeyWorker
#define KW_EVENT_ASSIGNMENT_KEY_WORKER_CHANGED  "key_worker_changed"    //  KeyWorkerChanged
#define KW_EVENT_ASSIGNMENT_COVER_STARTED       "cover_started"         //  CoverChanged
#define KW_EVENT_ASSIGNMENT_COVER_ENDED         "cover_ended"           //  CoverChanged
#define KW_EVENT_ASSIGNMENT_TEAM_CHANGED        "team_changed"          //  TeamChanged
#define KW_EVENT_ASSIGNMENT_CHANGE_REQUESTED    "change_requested"      //  ChangeRequested
#define KW_EVENT_ASSIGNMENT_CASE_REVIEW_FLAGGED "case_review_flagged"   //  CaseReviewFlagged
#define KW_EVENT_ASSIGNMENT_CASE_REVIEW_CLEARED "case_review_cleared"   //  CaseReviewFlagged
#define KW_EVENT_ASSIGNMENT_CASE_CLOSED         "case_closed"           //  CaseClosed
#define KW_EVENT_ASSIGNMENT_PROFESSIONAL_CHANGED "professional_changed" //  ProfessionalChanged
#define KW_EVENT_ASSIGNMENT_ABSENCE_RECORDED    "absence_recorded"      //  AbsenceChanged
#define KW_EVENT_ASSIGNMENT_ABSENCE_CANCELLED   "absence_cancelled"     //  AbsenceChanged

//  scheduling (docs/events.md)
#define KW_EVENT_SCHEDULING_MEETING_SCHEDULED   "meeting_scheduled"     //  MeetingChanged
#define KW_EVENT_SCHEDULING_MEETING_UPDATED     "meeting_updated"       //  MeetingChanged
#define KW_EVENT_SCHEDULING_MEETING_CANCELLED   "meeting_cancelled"     //  MeetingChanged
#define KW_EVENT_SCHEDULING_RESPONSE_RECORDED   "response_recorded"     //  ResponseRecorded
#define KW_EVENT_SCHEDULING_REVIEW_DUE          "review_due"            //  ReviewDue
#define KW_EVENT_SCHEDULING_PLAN_UPDATED        "plan_updated"          //  PlanUpdated
#define KW_EVENT_SCHEDULING_ACTION_OVERDUE      "action_overdue"        //  ActionOverdue

//  The whole topic of an event, for the places that store or subscribe to
//  it as one string: KW_TOPIC (KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_OFFER_MADE).
#define KW_TOPIC(producer, type) producer "." type

#endif
