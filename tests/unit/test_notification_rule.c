/*  test_notification_rule: a table row's "when" (services/notification/
    rule.h): checked against the event's payload and the audience's people,
    and evaluated on a payload (a required participant's decline) and on
    each person (the family among a plan's recipients). */
#include <string.h>
#include "tap.h"
#include "kw/dsr.pb-c.h"
#include "kw/scheduling.pb-c.h"
#include "../../services/notification/audience.h"
#include "../../services/notification/rule.h"

static void
s_test_valid (void)
{
    const ProtobufCMessageDescriptor *rr = &kw__response_recorded__descriptor;
    const ProtobufCMessageDescriptor *pu = &kw__plan_updated__descriptor;
    char err [160] = "";
    ok (rule_valid (rr, NULL, "response=declined,participant.required=yes", err, sizeof err) == 0,
        "conditions on the payload's fields are valid (%s)", err);
    ok (rule_valid (pu, audience_person (pu, "recipients"), "recipient.role=family", err, sizeof err) == 0,
        "a condition on the audience's people is valid (%s)", err);
    ok (rule_valid (rr, NULL, "mood=happy", err, sizeof err) == -1 && strstr (err, "\"mood\" is not a field"),
        "a field the payload lacks is refused: %s", err);
    ok (rule_valid (rr, audience_person (rr, AUDIENCE_COORDINATORS), "recipient.role=family", err, sizeof err) == -1,
        "a person condition on the coordinators is refused: %s", err);
    ok (rule_valid (pu, audience_person (pu, "recipients"), "recipient.shoe=9", err, sizeof err) == -1,
        "a field the people lack is refused: %s", err);
    const ProtobufCMessageDescriptor *dsr = &kw__dsr_entry_event__descriptor;
    ok (rule_valid (dsr, NULL, "rag!=@previous_rag", err, sizeof err) == 0,
        "a field compared with another field is valid (%s)", err);
    ok (rule_valid (dsr, NULL, "rag!=@mood", err, sizeof err) == -1 && strstr (err, "\"@mood\" is not a field"),
        "another field the payload lacks is refused: %s", err);
    const char *malformed [] = { "", "response", "=declined", "response=declined,", "a=b=c", "response=x,,y=z",
                                 "service_name=x", "!=x", "response!!=x", "res!ponse=x", NULL };
    for (int i = 0; malformed [i]; i++)
        ok (rule_valid (rr, NULL, malformed [i], err, sizeof err) == -1, "\"%s\" is refused: %s", malformed [i], err);
}

static void
s_test_holds (void)
{
    Kw__Participant who = KW__PARTICIPANT__INIT;
    who.id = "p-1";
    who.has_required = 1;
    who.required = 1;
    Kw__ResponseRecorded event = KW__RESPONSE_RECORDED__INIT;
    event.participant = &who;
    event.response = "declined";
    const char *when = "response=declined,participant.required=yes";
    ok (rule_event_holds (&event.base, when), "a required participant's decline holds");
    ok (rule_person_holds (NULL, when), "and has no person condition");
    event.response = "accepted";
    ok (!rule_event_holds (&event.base, when), "an acceptance does not");
    event.response = "declined";
    who.required = 0;
    ok (!rule_event_holds (&event.base, when), "nor an optional participant's decline");
    who.has_required = 0;
    ok (!rule_event_holds (&event.base, when), "nor one whose requirement is not said");
    event.participant = NULL;
    ok (!rule_event_holds (&event.base, when), "nor one without the participant");
    ok (rule_event_holds (&event.base, NULL), "a row without conditions always holds");

    Kw__Participant family = KW__PARTICIPANT__INIT, worker = KW__PARTICIPANT__INIT;
    family.role = "family";
    worker.role = "key_worker";
    ok (rule_person_holds (&family.base, "recipient.role=family"), "the family among the recipients is kept");
    ok (!rule_person_holds (&worker.base, "recipient.role=family"), "the key worker is not");
    ok (!rule_person_holds (NULL, "recipient.role=family"), "nor a person without a message (a coordinator)");
    ok (rule_event_holds (&worker.base, "recipient.role=family"), "a person condition is not one of the payload");
    ok (rule_person_holds (&worker.base, "recipient.role!=family"), "!= keeps who differs");
    ok (!rule_person_holds (&family.base, "recipient.role!=family"), "and not who is the same");

    //  A DSR entry's change: a re-rating only.
    Kw__DsrEntryEvent entry = KW__DSR_ENTRY_EVENT__INIT;
    entry.rag = "red";
    entry.previous_rag = "amber";
    ok (rule_event_holds (&entry.base, "rag!=@previous_rag"), "a re-rating holds");
    entry.previous_rag = "red";
    ok (!rule_event_holds (&entry.base, "rag!=@previous_rag"), "a change keeping the rating does not");
    ok (rule_event_holds (&entry.base, "rag=@previous_rag"), "= with a field holds when they are the same");
}

int
main (void)
{
    s_test_valid ();
    s_test_holds ();
    return tap_done ();
}
