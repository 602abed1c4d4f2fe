#!/usr/bin/env python3
# Writes the seed inputs of fuzz_envelope for the events the services apply
# (each an Envelope whose payload is the event message, in protobuf text
# format encoded by protoc-c --encode):
#   python3 tests/fuzz/event_seeds.py tests/fuzz/corpus/fuzz_envelope
# Run from the top of the tree. The seeds are kept in the repository; this
# script writes them again after a change of the messages.
import subprocess, sys, os
OUT = sys.argv[1]
def enc(msg, text):
    return subprocess.run(['protoc-c', '-Iproto', '--encode=kw.' + msg, *[f'proto/kw/{f}' for f in os.listdir('proto/kw')]],
                          input=text.encode(), capture_output=True, check=True).stdout
def esc(b):
    return ''.join('\\%03o' % c for c in b)
def env(producer, typ, seq, msg, text, name):
    payload = enc(msg, text)
    e = f'event_id: "6f1c2b1e-4d3a-4b5c-8d7e-9f0a1b2c3d{seq:02d}" type: "{typ}" producer: "{producer}" seq: {seq} occurred_at: "2026-11-20T10:00:00Z" region: "norfolk" correlation_id: "0b7e6a4c-8a43-4d8e-9f5a-2e1c3d4b5a69" payload: "{esc(payload)}"'
    open(os.path.join(OUT, name), 'wb').write(enc('Envelope', e))
R = '0b7e6a4c-8a43-4d8e-9f5a-2e1c3d4b5a69'
C = '5d2f1a3b-7c4e-4f6a-8b9c-0d1e2f3a4b5c'
body = '''source: SOURCE_PROFESSIONAL
 referrer { name: "Sam Carter" agency: "Norfolk CAMHS" role: "nurse" email: "sam@example.org" }
 child { nhs_number: "9434765919" given_name: "Alex" family_name: "Jones" date_of_birth: "2012-03-04" postcode: "nr2 3tu" language: "Polish" }
 needs { learning_disability: true autism: true inpatient: false }
 professionals { name: "Dana Lee" agency: "School" discipline: "teacher" email: "dana@example.org" phone: "01603 000000" }
 professionals { name: "Quote \\"Q\\" Back\\\\slash" agency: "GP" email: "" }
 family { name: "Pat Jones" relationship: "mother" email: "pat@example.org" preferred_contact: "email" language: "Polish" has_parental_responsibility: true }
 family { name: "NULL" relationship: "father" }
 family { name: "Pia Post" relationship: "carer" preferred_contact: "post" address: "1 Letter Lane" address: "Norwich" address: "NR2 3TU" }
 suggested_key_worker { email: "pat@example.org" family_member: true }
 consent { basis: CONSENT_BASIS_PARENTAL_RESPONSIBILITY given_by: "Pat Jones" date: "2026-11-01" }'''
env('referral', 'information_added', 3, 'ReferralReceived', f'referral_id: "{R}" region: "norfolk" revision: 2 referral {{ {body} }}', 'referral_information_added')
env('eligibility', 'decided', 4, 'EligibilityDecided', f'referral_id: "{R}" region: "norfolk" revision: 1 sequence: 2 cause: "received" decision {{ outcome: OUTCOME_ELIGIBLE ruleset: "norfolk" version: 3 decided_at: "2026-11-20T10:00:00Z" }} referral {{ needs {{ complex_health_needs: true high_level_of_need: true learning_disability: true autism: true inpatient: true }} child {{ postcode: "NR10 1AB" }} professionals {{ name: "Dana Lee" email: "dana@example.org" }} family {{ name: "Pat" language: "Welsh" has_parental_responsibility: false }} suggested_key_worker {{ email: "x@example.org" }} }}', 'eligibility_decided_opening')
env('eligibility', 'decided', 5, 'EligibilityDecided', f'referral_id: "{R}" region: "norfolk" revision: 1 sequence: 3 postcode: "pe301aa" language: "" decision {{ outcome: OUTCOME_INELIGIBLE }}', 'eligibility_decided_ineligible')
env('eligibility', 'case_age_out', 6, 'CaseAgeOut', f'case_id: "{C}" referral_id: "{R}" region: "norfolk" upper_age_date: "2030-03-04" upper_age: 18', 'case_age_out')
env('eligibility', 'case_age_out', 7, 'CaseAgeOut', f'case_id: "not-a-uuid" region: "norfolk"', 'case_age_out_bad_id')
env('referral', 'withdrawn', 8, 'ReferralWithdrawn', f'referral_id: "{R}" region: "norfolk" withdrawn_at: "2026-11-20T10:00:00Z" case_id: "{C}"', 'referral_withdrawn')
env('assignment', 'case_opened', 9, 'CaseOpened', f'case_id: "{C}" referral_id: "r-1" region: "norfolk" opened_at: "2026-11-20T10:00:00Z"', 'case_opened_bad_referral')
env('assignment', 'case_opened', 10, 'CaseOpened', f'case_id: "{C}" referral_id: "{R}" region: "norfolk" opened_at: "yesterday"', 'case_opened_bad_time')
env('assignment', 'case_closed', 11, 'CaseClosed', f'case_id: "{C}" referral_id: "{R}" region: "norfolk" closed_at: "2026-11-20T10:00:00.123456Z" reason: "other" note: "moved"', 'case_closed')
dsr_ref = '''source: SOURCE_DSR child { nhs_number: "9434765919" date_of_birth: "2012-03-04" postcode: "NR2 3TU" } needs { learning_disability: true autism: true } consent { basis: CONSENT_BASIS_OWN_CONSENT }'''
env('referral', 'dsr_entry_created', 12, 'DsrEntryEvent', f'region: "norfolk" nhs_number: "9434765919" rag: "red" rag_effective_date: "2026-11-01" import_id: "i1" as_referral {{ {dsr_ref} }}', 'dsr_entry_created')
env('referral', 'dsr_entry_changed', 13, 'DsrEntryEvent', f'region: "norfolk" nhs_number: "9434765919" rag: "amber" previous_rag: "green" rag_effective_date: "2026-02-30" as_referral {{ {dsr_ref} }}', 'dsr_entry_changed_bad_date')
env('referral', 'dsr_entry_changed', 14, 'DsrEntryEvent', f'region: "norfolk" nhs_number: "9434765919" rag: "amber" previous_rag: "red" rag_effective_date: "2026-11-02" as_referral {{ {dsr_ref} }}', 'dsr_entry_changed')
# the DSR entry a dsr_referral_due finds: the payload read both ways
env('eligibility', 'dsr_referral_due', 15, 'DsrEntry', 'dsr_id: "D1" nhs_number: "9434765919" given_name: "Alex" family_name: "Jones" date_of_birth: "2012-03-04" postcode: "NR2 3TU" learning_disability: true autism: true rag: "red" rag_effective_date: "2026-11-01" consent_basis: "own_consent" lead_professional_email: "lead@example.org" region: "norfolk"', 'dsr_referral_due_entry')
env('eligibility', 'dsr_referral_due', 16, 'DsrReferralDue', 'region: "norfolk" nhs_number: "9434765919" rag: "red" rag_effective_date: "2026-11-01"', 'dsr_referral_due')
env('referral', 'received', 18, 'ReferralReceived', f'referral_id: "{R}" region: "norfolk" revision: 0 referral {{ child {{ nhs_number: "9434765919" date_of_birth: "2012-02-30" }} }}', 'referral_received_bad_birth_date')
env('eligibility', 'dsr_referral_due', 19, 'DsrEntry', 'dsr_id: "D3" nhs_number: "9434765919" given_name: "Alex" family_name: "Jones" date_of_birth: "2012-03-04" postcode: "NR2 3TU" learning_disability: true autism: true rag: "green" rag_effective_date: "2026-11-01" consent_basis: "own_consent" lead_professional_email: "lead@example.org" region: "norfolk"', 'dsr_referral_due_green')
env('referral', 'dsr_entry_changed', 20, 'DsrEntryEvent', f'region: "nhse" nhs_number: "9434765919" rag: "amber" previous_rag: "amber" rag_effective_date: "2026-11-02" as_referral {{ {dsr_ref} }}', 'dsr_entry_changed_same_rating')
# the scheduling events the notification table names: a meeting with its
# invitation to attach, responses (a required decline and an acceptance),
# a review due, an action overdue and a plan for the family
M = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
K = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b0a'
ICS = ('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kw//scheduling//EN\r\nMETHOD:%s\r\nBEGIN:VEVENT\r\n'
       'UID:' + M + '@keyworker.invalid\r\nSEQUENCE:%d\r\nDTSTART:20261215T100000Z\r\nDTEND:20261215T110000Z\r\n'
       'END:VEVENT\r\nEND:VCALENDAR\r\n')
people = (f'participants {{ id: "{K}" role: "key_worker" required: true response: "needs_action" name: "Kim Worker" email: "kim@example.org" }}'
          ' participants { id: "family:1" role: "family" required: true name: "Pat Jones" email: "pat@example.org" phone: "07700 900000" }'
          ' participants { id: "family:2" role: "family" required: false name: "Line\\nBreak" email: "bad\\r\\nBcc: x@example.org" }')
meeting = f'id: "{M}" case_id: "{C}" type: "planning" status: "scheduled" start: "2026-12-15T10:00:00+00:00" end: "2026-12-15T11:00:00+00:00" location: "home" {people} sequence: 0 uid: "{M}@keyworker.invalid" region: "norfolk"'
env('scheduling', 'meeting_scheduled', 21, 'MeetingChanged', f'meeting {{ {meeting} }} ics: "{esc((ICS % ("REQUEST", 0)).encode())}" change: "scheduled" at: "2026-11-20T10:00:00Z"', 'meeting_scheduled')
env('scheduling', 'meeting_cancelled', 22, 'MeetingChanged', f'meeting {{ {meeting} }} ics: "{esc((ICS % ("CANCEL", 2)).encode())}" change: "cancelled"', 'meeting_cancelled')
env('scheduling', 'meeting_updated', 23, 'MeetingChanged', f'meeting {{ {meeting} }} ics: "not a calendar" change: "rescheduled"', 'meeting_updated_bad_ics')
env('scheduling', 'response_recorded', 24, 'ResponseRecorded', f'meeting_id: "{M}" case_id: "{C}" region: "norfolk" participant {{ id: "{K}" role: "key_worker" required: true name: "Kim Worker" email: "kim@example.org" }} response: "declined" reschedule_suggested {{ start: "2026-12-16T10:00:00+00:00" end: "2026-12-16T11:00:00+00:00" }} start: "2026-12-15T10:00:00+00:00"', 'response_declined_required')
env('scheduling', 'response_recorded', 25, 'ResponseRecorded', f'meeting_id: "{M}" case_id: "{C}" region: "norfolk" participant {{ id: "family:1" role: "family" required: true }} response: "accepted"', 'response_accepted')
env('scheduling', 'review_due', 26, 'ReviewDue', f'case_id: "{C}" region: "norfolk" kind: "routine" due: "2027-06-01" key_worker {{ id: "{K}" role: "key_worker" name: "Kim Worker" email: "kim@example.org" }}', 'review_due')
env('scheduling', 'action_overdue', 27, 'ActionOverdue', f'case_id: "{C}" region: "norfolk" action {{ id: "{M}" description: "Send the report" owner: "family" due: "2026-11-19" status: "overdue" }} owner {{ id: "family:1" role: "family" name: "Pat Jones" email: "pat@example.org" }} key_worker {{ id: "{K}" name: "Kim Worker" email: "kim@example.org" }}', 'action_overdue')
env('scheduling', 'plan_updated', 28, 'PlanUpdated', f'plan {{ case_id: "{C}" version: 2 meeting_id: "{M}" held_at: "2026-11-19T10:00:00Z" }} region: "norfolk" recipients {{ id: "{K}" role: "key_worker" name: "Kim Worker" email: "kim@example.org" }} recipients {{ id: "family:1" role: "family" name: "Pat <b>Jones</b>" email: "pat@example.org" }}', 'plan_updated')
# the other events the scheduling service projects (cases.c): people of a
# case with a professional's id that is not a UUID, a cover's time, working
# hours out of range, an absence and a referral's meeting wishes
P = '2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182'
env('assignment', 'key_worker_changed', 29, 'KeyWorkerChanged', f'case_id: "{C}" referral_id: "{R}" region: "norfolk" key_worker {{ id: "{K}" name: "Kim Worker" email: "kim@example.org" }} deputy {{ id: "deputy-1" name: "Dee" }} family {{ name: "Pat Jones" email: "pat@example.org" }}', 'key_worker_changed_deputy')
env('assignment', 'cover_started', 30, 'CoverChanged', f'case_id: "{C}" region: "norfolk" cover {{ id: "{P}" name: "Cora" }} from: "2026-12-01T00:00:00Z" to: "tomorrow"', 'cover_started_bad_time')
env('assignment', 'team_changed', 31, 'TeamChanged', f'case_id: "{C}" region: "norfolk" members {{ id: "m1" professional_id: "{P}" name: "Dana Lee" }} members {{ id: "m2" professional_id: "p-2" name: "Gil" }}', 'team_changed')
env('assignment', 'professional_changed', 32, 'ProfessionalChanged', f'professional {{ id: "{P}" region: "norfolk" name: "Cora" working_hours {{ mon: "09:00" mon: "17:00" tue: "99999999:00" tue: "17:00" wed: "10:00" wed: "09:00" sun: "00:00" sun: "24:00" }} active: false }} change: "updated"', 'professional_changed_hours')
env('assignment', 'absence_recorded', 33, 'AbsenceChanged', f'absence {{ id: "{M}" professional_id: "{K}" from: "2026-12-01T00:00:00Z" to: "2026-12-05T00:00:00Z" status: "scheduled" }}', 'absence_recorded')
env('referral', 'received', 34, 'ReferralReceived', f'referral_id: "{R}" region: "norfolk" revision: 4294967295 referral {{ meeting_preferences {{ location: "home" days: "mon" days: "fri" days: "xyz" earliest: "09:00" latest: "15:00" }} }}', 'referral_received_meeting_wishes')
env('assignment', 'key_worker_changed', 35, 'KeyWorkerChanged', f'case_id: "{C}" referral_id: "{R}" region: "norfolk" key_worker {{ id: "{K}" name: "Kim Worker" email: "kim@example.org" }} family {{ name: "Pia Post" kind: "family_member" preferred_contact: "post" address: "Pia Post\\n1 Letter Lane\\nNR2 3TU" }} family {{ name: "Sid" phone: "07700900402" preferred_contact: "sms" }}', 'key_worker_changed_letter')
