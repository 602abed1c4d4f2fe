/*  case_rows: what another service's event tells the scheduling service, as
    the parameters its projection statements take (cases.c), with no
    database; tests/fuzz/fuzz_envelope drives these with any bytes. Each
    returns 0, or -1 when the event can never be applied (an id that is not
    a UUID, a part missing): the handler skips it (case_rows_referral: 1
    when there is nothing to write). A parameter a statement
    casts to uuid is a UUID, to timestamptz an instant or NULL, to date a
    date, to int an int. */
#ifndef CASE_ROWS_H
#define CASE_ROWS_H

#include <jansson.h>
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/referral.pb-c.h"

//  (case_opened and case_closed: kw_case_event.h.)
//  The case of a key_worker_changed, cover_changed or team_changed event.
int case_rows_case (const char *case_id);
//  A person of the case in role: case_id, role, person_id,
//  professional_id (a UUID or NULL), name, email, phone.
void case_rows_person (const char *case_id, const char *role, const char *person_id,
                       const char *professional_id, const char *name, const char *email,
                       const char *phone, const char *params [7]);
//  Add a person (case_rows_person's params) to people, the JSON array of
//  rows cases_people_set takes ({"r": role, "p": person_id, "k":
//  professional_id, "n": name, "e": email, "t": phone}), unless the role
//  has that person already: the first stays.
void case_rows_people_add (json_t *people, const char *const params [7]);
//  The cover's time as from, to, when both are instants; else -1 (the
//  cover joins no meeting).
int case_rows_cover_window (const Kw__CoverChanged *msg, const char *params [2]);
//  id, region, name, email, phone, hours (an int[] or NULL), active; hours
//  is written into buf.
int case_rows_professional (const Kw__ProfessionalChanged *msg, char *buf, size_t size, const char *params [7]);
//  id, professional_id, from, to, cancelled (the absence's status says,
//  in absence_recorded and absence_cancelled alike).
int case_rows_absence (const Kw__AbsenceChanged *msg, const char *params [5]);
//  referral_id, region, location, days (a text[] written into days),
//  earliest, latest, revision (written into revision).
//  1 when there is nothing to write: the first revision with no wishes
//  (no row reads as a row of no wishes).
int case_rows_referral (const Kw__ReferralReceived *msg, char days [64], char revision [16],
                        const char *params [7]);
//  case_id, rag, rated_on.
int case_rows_dsr (const Kw__DsrEntryEvent *msg, const char *params [3]);

#endif
