/*  fuzz_envelope: the bytes of a bus frame or an RPC frame as the services
    unpack them. As an Envelope: kw_consumer.c's unpack and its frame
    checks, then every event handler's logic that needs no database, from
    the services' own objects: eligibility's (decide_revision_check,
    referrals_keep_params with the rules run and decide_event, which must
    carry no identity of the child; dsr_entry_check and dsr_entry_due, which
    must carry no rating; referrals_*_params), referral's
    (projection_decided_row, projection_case_*_params, and
    dsr_entries_due_body on the payload read as the DSR entry the register
    holds), assignment's (event_rows.c: the case an eligible decision opens,
    the team and family text[] parameters, which must read back as the
    referral's values, the ids of the other events), scheduling's
    (case_rows.c: the parameters of its projections of every event it
    reads, with the working hours a real int[] and the revision an int)
    and notification's
    (the offer's recipient, audience.c, the rendering of its fields,
    template.c, and the e-mail composed, message.c; and for every event of
    the real table, deploy/notifications, its rows' conditions, rule.c, the
    people of their audiences, each message rendered, render.c, and
    composed with its iCalendar attachment). A parameter
    a statement casts to uuid must be a UUID, to date a date, to timestamptz
    an instant or NULL: anything else would fail on every try and stop the
    consumer. As a Request: kw_rpc.c's server unpack and kw_rpc_unpack of
    the payload as each method input. As a Response: the gateway's unpack of
    the payload as each route output and its JSON encoding. Every message
    that unpacks must pack and unpack to the same bytes. Needs the region
    files (deploy/regions, or KW_REGION_DIR) and the notification table
    (deploy/notifications, or KW_NOTIFY_DIR): run from the top directory. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_arena.h"
#include "kw_case_event.h"
#include "kw_outbox.h"
#include "kw_pbjson.h"
#include "kw_rpc.h"
#include "kw_uuid.h"
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/envelope.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw/rpc.pb-c.h"
#include "kw_time.h"
#include "assignment.h"
#include "eligibility.h"
#include "message.h"
#include "referral.h"
#include "audience.h"
#include "case_rows.h"
#include "config.h"
#include "notification.h"
#include "render.h"
#include "rule.h"
#include "template.h"
#include "validate.h"

static kw_arena_t *s_arena;
static region_set_t *s_regions;
static config_t *s_table;

static const char *const s_producers [] = {
    "referral", "eligibility", "assignment", "scheduling", "notification", NULL
};

static const ProtobufCMessageDescriptor *const s_inputs [] = {
    &kw__referral_body__descriptor, &kw__id_request__descriptor,
    &kw__ruleset_request__descriptor, &kw__delivery_list_request__descriptor,
    &kw__referral_list_request__descriptor, &kw__withdraw_request__descriptor,
    &kw__referral_information__descriptor, &kw__dsr_import_request__descriptor,
    &kw__re_evaluate_all_request__descriptor, &kw__age_out_sweep_request__descriptor,
    &kw__professional_record__descriptor, &kw__professional_list_request__descriptor,
    &kw__professional_import_request__descriptor, &kw__absence_create__descriptor,
    &kw__absence_list_request__descriptor, &kw__absence_cancel__descriptor,
    &kw__case_list_request__descriptor, &kw__my_cases_request__descriptor,
    &kw__caseload_list_request__descriptor, &kw__offer_create__descriptor, &kw__offer_decision__descriptor,
    &kw__team_add__descriptor, &kw__team_remove__descriptor, &kw__change_request__descriptor,
    &kw__close_request__descriptor, &kw__timeline_request__descriptor, NULL
};

static const ProtobufCMessageDescriptor *const s_outputs [] = {
    &kw__referral_created__descriptor, &kw__referral__descriptor, &kw__ruleset__descriptor,
    &kw__case__descriptor, &kw__delivery_list__descriptor, &kw__health_reply__descriptor,
    &kw__referral_list__descriptor, &kw__dsr_import_result__descriptor, &kw__dsr_entry__descriptor,
    &kw__re_evaluation__descriptor, &kw__re_evaluate_all_result__descriptor,
    &kw__age_out_sweep_result__descriptor, &kw__professional_record__descriptor,
    &kw__professional_list__descriptor, &kw__professional_import_result__descriptor, &kw__absence__descriptor,
    &kw__absence_list__descriptor, &kw__case_list__descriptor, &kw__caseload_list__descriptor,
    &kw__team__descriptor, &kw__timeline__descriptor, NULL
};

//  The payloads of the assignment events (kw_topics.h), as the
//  notification and scheduling services read them.
static const ProtobufCMessageDescriptor *const s_assignment_events [] = {
    &kw__case_opened__descriptor, &kw__offer_ended__descriptor, &kw__case_awaiting_key_worker__descriptor,
    &kw__key_worker_changed__descriptor, &kw__cover_changed__descriptor, &kw__team_changed__descriptor,
    &kw__change_requested__descriptor, &kw__case_review_flagged__descriptor,
    &kw__professional_changed__descriptor, &kw__absence_changed__descriptor, NULL
};

//  1 when msg or a message inside it kept unknown fields. protobuf-c packs
//  them back verbatim, including ones it cannot read again (field number 0
//  written as a non-canonical varint tag), so such messages are not expected
//  to survive a repack.
static int
s_has_unknown (const ProtobufCMessage *msg)
{
    if (msg->n_unknown_fields)
        return 1;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const char *base = (const char *) msg;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields [i];
        if (field->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) (base + field->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *) (base + field->offset);
            for (size_t j = 0; j < count; j++)
                if (s_has_unknown (items [j]))
                    return 1;
        }
        else {
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *) (base + field->offset);
            if (sub && s_has_unknown (sub))
                return 1;
        }
    }
    return 0;
}

//  Pack msg, unpack it again and compare the packed bytes.
static void
s_repack (const ProtobufCMessage *msg)
{
    if (s_has_unknown (msg))
        return;
    size_t len = protobuf_c_message_get_packed_size (msg);
    uint8_t *buf = kw_arena_alloc (s_arena, len ? len : 1);
    if (protobuf_c_message_pack (msg, buf) != len)
        abort ();
    ProtobufCMessage *again = protobuf_c_message_unpack (msg->descriptor, kw_arena_allocator (s_arena),
                                                         len, buf);
    if (!again || protobuf_c_message_get_packed_size (again) != len)
        abort ();
    uint8_t *buf2 = kw_arena_alloc (s_arena, len ? len : 1);
    protobuf_c_message_pack (again, buf2);
    if (memcmp (buf, buf2, len) != 0)
        abort ();
}

//  The JSON encoding the gateway answers with; must be a JSON object.
static void
s_encode (const ProtobufCMessage *msg)
{
    json_t *json = kw_pbjson_to_json (msg);
    if (!json_is_object (json))
        abort ();
    char *text = json_dumps (json, JSON_COMPACT);
    free (text);
    json_decref (json);
}

//  A parameter a statement casts to uuid: a UUID, or the event would fail
//  the statement on every try and stop its consumer.
static void
s_uuid_param (const char *value)
{
    if (!value || !kw_uuid_valid (value))
        abort ();
}

//  A parameter cast to timestamptz: absent (now ()) or an instant.
static void
s_instant_param (const char *value)
{
    if (value && !kw_time_valid (value))
        abort ();
}

//  A text[] parameter: it reads back as the items it was made of (a NULL
//  item as NULL).
static void
s_array_param (const char *literal, char *const *items, size_t count)
{
    size_t n;
    char **back = rows_array (literal, s_arena, &n);
    if (n != count)
        abort ();
    for (size_t i = 0; i < n; i++)
        if (strcmp (back [i], items [i] ? items [i] : "NULL") != 0)
            abort ();
}

//  The assignment service's team and family parameters of a referral
//  (event_rows.c): each column reads back as the referral's values.
static void
s_team_params (const Kw__ReferralBody *referral)
{
    const char *team [5], *family [8];
    event_rows_team (referral, team, s_arena);
    size_t n = referral ? referral->n_professionals : 0;
    char **column = kw_arena_calloc (s_arena, sizeof (char *) * (n + 1));
    for (size_t i = 0; i < n; i++)
        column [i] = referral->professionals [i]->email && *referral->professionals [i]->email
                   ? referral->professionals [i]->email : NULL;
    s_array_param (team [3], column, n);
    for (size_t i = 0; i < n; i++)
        column [i] = referral->professionals [i]->name;
    s_array_param (team [0], column, n);
    size_t f = event_rows_family (referral, family, s_arena);
    if (f != (referral ? referral->n_family : 0))
        abort ();
    char **names = kw_arena_calloc (s_arena, sizeof (char *) * (f + 1));
    char **roles = kw_arena_calloc (s_arena, sizeof (char *) * (f + 1));
    for (size_t i = 0; i < f; i++) {
        names [i] = referral->family [i]->name;
        roles [i] = !referral->family [i]->has_has_parental_responsibility ? NULL
                  : referral->family [i]->has_parental_responsibility ? "true" : "false";
    }
    s_array_param (family [0], names, f);
    s_array_param (family [6], roles, f);
}

static int
s_producer_known (const char *name)
{
    for (size_t i = 0; s_producers [i]; i++)
        if (strcmp (s_producers [i], name) == 0)
            return 1;
    return 0;
}

//  The eligibility service's apply of referral.received.
static void
s_referral_received (const Kw__Envelope *event)
{
    Kw__ReferralReceived *msg = kw__referral_received__unpack (
        kw_arena_allocator (s_arena), event->payload.len, event->payload.data);
    if (!msg)
        return;
    s_repack (&msg->base);
    s_encode (&msg->base);
    //  assignment's referral.information_added: the team and family it adds.
    const char *information = event_rows_information (msg);
    if (information) {
        s_uuid_param (information);
        s_team_params (msg->referral);
    }
    if (decide_revision_check (msg) != 0)
        return;
    s_uuid_param (msg->referral_id);
    //  The row eligibility keeps: a date of birth only when it is one.
    const char *values [7];
    int lengths [7];
    referrals_keep_params (msg->referral_id, msg->region, msg->revision, msg->referral, s_arena, values, lengths);
    int y, m, d;
    if ((values [5] && kw_date_parse (values [5], &y, &m, &d) != 0) || !values [2] || lengths [4] < 0
    ||  strspn (values [3], "0123456789") != strlen (values [3])
    ||  !kw__referral_body__unpack (kw_arena_allocator (s_arena), (size_t) lengths [4],
                                    (const uint8_t *) values [4]))
        abort ();
    const region_t *region = region_set_find (s_regions, msg->region);
    if (!region)
        region = region_set_at (s_regions, event->seq % region_set_count (s_regions));
    if (!region)
        return;
    Kw__EligibilityDecision *decision = rules_decide (region, msg->referral, NULL, 2026, 11, 20, s_arena);
    if (!decision)
        abort ();
    decision->decided_at = (char *) "2026-11-20T10:00:00Z";
    s_repack (&decision->base);
    s_encode (&decision->base);
    rules_outcome_name (decision->outcome);
    //  The event it is announced as carries no identity of the child.
    referral_seen_t seen = { .referral_id = msg->referral_id, .region = msg->region,
                             .revision = msg->revision, .body = msg->referral };
    Kw__EligibilityDecided *decided = decide_event (region, &seen, "received", decision, event->seq & 0xffff,
                                                    s_arena);
    const Kw__Child *child = decided->referral ? decided->referral->child : NULL;
    if (!decided->referral || decided->referral->referrer || decided->referral->consent || decided->postcode
    ||  decided->language || decided->suggested_key_worker_email
    ||  (child && (child->nhs_number || child->given_name || child->family_name || child->date_of_birth
                   || child->gp_practice)))
        abort ();
    s_repack (&decided->base);
}

//  The eligibility service's apply of referral.dsr_entry_created and
//  referral.dsr_entry_changed: the rules run on what the entry tells.
static void
s_dsr_entry (const Kw__Envelope *event)
{
    Kw__DsrEntryEvent *msg = kw__dsr_entry_event__unpack (kw_arena_allocator (s_arena),
                                                          event->payload.len, event->payload.data);
    if (!msg)
        return;
    s_repack (&msg->base);
    s_encode (&msg->base);
    if (dsr_entry_check (msg) != 0)
        return;
    int y, m, d;
    if (kw_date_parse (msg->rag_effective_date, &y, &m, &d) != 0)
        abort ();
    const region_t *region = region_set_at (s_regions, event->seq % region_set_count (s_regions));
    Kw__DsrReferralDue due;
    int rc = dsr_entry_due (region, msg, (int) (event->seq & 1), 2026, 11, 20, s_arena, &due);
    if (rc == 1 && (!dsr_entry_newly_rated (msg) || msg->referral_id || !due.region || !due.nhs_number
                    || due.rag || due.rag_effective_date || !msg->as_referral->consent))
        abort ();
    if (rc == 1)
        s_repack (&due.base);
}

//  The referral service's apply of eligibility.dsr_referral_due, past its
//  read of the entry: the payload's bytes as the entry the register holds
//  (dsr_entries.c). A referral made is one the API would accept, made from
//  the entry, with its consent.
static void
s_dsr_referral_due (const Kw__Envelope *event)
{
    Kw__DsrEntry *entry = kw__dsr_entry__unpack (kw_arena_allocator (s_arena), event->payload.len,
                                                 event->payload.data);
    dsr_referral_t made;
    kw_field_errors_t errs;
    Kw__ReferralBody *body;
    const char *why = dsr_entries_due_body (entry, 2026, 11, 20, &made, &errs, &body);
    if (why && body)
        abort ();
    if (why && strcmp (why, "invalid") == 0 && errs.count == 0)
        abort ();
    if (why)
        return;
    kw_field_errors_t again;
    if (!body || !body->consent || !body->child || body->source != KW__SOURCE__SOURCE_DSR
    ||  strcmp (body->child->nhs_number, entry->nhs_number) != 0 || strcmp (entry->rag, "green") == 0
    ||  validate_referral (body, 2026, 11, 20, &again) != 0)
        abort ();
    s_repack (&body->base);
}

//  The small events' handlers, by their parameters: eligibility.case_age_out
//  (assignment), assignment.case_opened and assignment.case_closed
//  (referral; eligibility and scheduling: kw_case_event.c),
//  eligibility.dsr_referral_due (referral) and
//  referral.withdrawn (assignment, eligibility).
static void
s_small_events (const Kw__Envelope *event)
{
    const char *params [4];
    Kw__CaseAgeOut *age_out = kw__case_age_out__unpack (kw_arena_allocator (s_arena),
                                                        event->payload.len, event->payload.data);
    if (age_out) {
        s_repack (&age_out->base);
        s_encode (&age_out->base);
        const char *case_id = event_rows_age_out (age_out);
        if (case_id)
            s_uuid_param (case_id);
    }
    Kw__CaseOpened *opened = kw__case_opened__unpack (kw_arena_allocator (s_arena),
                                                      event->payload.len, event->payload.data);
    if (opened && kw_case_opened_params (opened, params) == 0) {
        s_uuid_param (params [0]);
        s_uuid_param (params [1]);
        s_instant_param (params [3]);
    }
    if (opened && projection_case_opened_params (opened, params) == 0)
        s_uuid_param (params [0]);
    Kw__CaseClosed *closed = kw__case_closed__unpack (kw_arena_allocator (s_arena),
                                                      event->payload.len, event->payload.data);
    if (closed) {
        s_repack (&closed->base);
        s_encode (&closed->base);
        if (kw_case_closed_params (closed, params) == 0) {
            s_uuid_param (params [0]);
            s_instant_param (params [1]);
        }
        if (projection_case_closed_params (closed, params) == 0)
            s_uuid_param (params [0]);
    }
    Kw__DsrReferralDue *due = kw__dsr_referral_due__unpack (kw_arena_allocator (s_arena),
                                                           event->payload.len, event->payload.data);
    if (due) {
        s_repack (&due->base);
        s_encode (&due->base);
        s_dsr_referral_due (event);
    }
    Kw__ReferralWithdrawn *withdrawn = kw__referral_withdrawn__unpack (
        kw_arena_allocator (s_arena), event->payload.len, event->payload.data);
    if (withdrawn) {
        s_repack (&withdrawn->base);
        s_encode (&withdrawn->base);
        const char *referral_id = event_rows_withdrawn (withdrawn);
        if (referral_id)
            s_uuid_param (referral_id);
        if (referrals_withdrawn_params (withdrawn, params) == 0)
            s_uuid_param (params [0]);
    }
}

//  The case the assignment service opens for an eligible decision
//  (event_rows.c): known needs that read back, a district of at most seven
//  upper-case characters without a space, no empty value, the team and
//  family parameters.
static void
s_assignment_opening (const Kw__EligibilityDecided *msg)
{
    static const char *const needs [] = {
        "complex_health_needs", "high_level_of_need", "learning_disability", "autism", "inpatient", NULL
    };
    event_rows_opening_t opening;
    event_rows_opening (msg, "00000000-0000-4000-8000-000000000000", s_arena, &opening);
    const team_case_t *c = &opening.columns;
    s_uuid_param (c->referral_id);
    if (opening.need_count > 5 || (c->district && (!*c->district || strlen (c->district) > 7
                                                   || strchr (c->district, ' ')))
    ||  (c->language && !*c->language) || (c->suggested_email && !*c->suggested_email))
        abort ();
    for (const char *p = c->district; p && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            abort ();
    for (size_t i = 0; i < opening.need_count; i++) {
        size_t k = 0;
        while (needs [k] && strcmp (needs [k], opening.needs [i]) != 0)
            k++;
        if (!needs [k])
            abort ();
    }
    s_team_params (msg->referral);
}

//  The assignment and referral services' apply of eligibility.decided.
static void
s_eligibility_decided (const Kw__Envelope *event)
{
    Kw__EligibilityDecided *msg = kw__eligibility_decided__unpack (
        kw_arena_allocator (s_arena), event->payload.len, event->payload.data);
    if (!msg)
        return;
    s_repack (&msg->base);
    s_encode (&msg->base);
    if (event_rows_decided (msg) != 0)
        return;
    s_uuid_param (msg->referral_id);
    s_assignment_opening (msg);
    rules_outcome_name (msg->decision->outcome);
    s_repack (&msg->decision->base);
    //  Eligibility compares a fresh decision with the stored one.
    if (!rules_same_result (msg->decision, msg->decision))
        abort ();
    //  The referral service's row for it (projection.c): a known status,
    //  the decision stored as it came, numbers that are numbers.
    projection_decision_t row;
    if (projection_decided_row (event, msg, s_arena, &row) != 0)
        return;
    if (!row.status || !row.decision
    ||  (strcmp (row.status, "eligible") != 0 && strcmp (row.status, "ineligible") != 0
         && strcmp (row.status, "more_information_needed") != 0)
    ||  strspn (row.revision, "0123456789") != strlen (row.revision) || !*row.sequence
    ||  strspn (row.sequence, "0123456789") != strlen (row.sequence))
        abort ();
    Kw__EligibilityDecision *stored = kw__eligibility_decision__unpack (
        kw_arena_allocator (s_arena), row.decision_size, row.decision);
    if (!stored || !rules_same_result (stored, msg->decision))
        abort ();
}

//  The readers of the assignment events: each payload message.
static void
s_assignment_event (const Kw__Envelope *event)
{
    for (size_t i = 0; s_assignment_events [i]; i++) {
        ProtobufCMessage *msg = protobuf_c_message_unpack (s_assignment_events [i], kw_arena_allocator (s_arena),
                                                           event->payload.len, event->payload.data);
        if (!msg)
            continue;
        s_repack (msg);
        s_encode (msg);
    }
}

//  The notification service's apply of assignment.offer_made: the real
//  recipient (audience.c) and the real rendering of the offer's
//  fields (template.c), then the message composed as the sender
//  sends it; every line of it ends in CRLF and no header takes a line
//  break from the event.
static const char *
s_offer_value (const char *name, void *arg)
{
    static char buf [64];
    return audience_field_value (arg, name, buf, sizeof buf);
}

static void
s_offer_contact (const audience_contact_t *contact, void *arg)
{
    const Kw__OfferMade *msg = arg;
    if (!*contact->recipient_id || (!*contact->email && !*contact->phone))
        abort ();
    char err [128];
    char *subject = template_render ("Key worker offer for case ((case_id))", TEMPLATE_TEXT, s_offer_value,
                                     (void *) msg, err, sizeof err);
    char *body = template_render ("Dear ((professional_name)),\n((case_id)) until ((expires_at))\n",
                                  TEMPLATE_TEXT, s_offer_value, (void *) msg, err, sizeof err);
    char *html = template_render ("<p>((professional_name))</p>", TEMPLATE_HTML, s_offer_value, (void *) msg,
                                  err, sizeof err);
    if (html && (strchr (html, '<') != html || strstr (html + 1, "<") != strstr (html, "</p>")))
        abort ();
    char *text = subject && body && message_address_valid (contact->email)
               ? message_compose ("00000000-0000-4000-8000-000000000000", "keyworker@example.org",
                                  contact->email, subject, body, html, NULL, 1795000000, err, sizeof err)
               : NULL;
    for (const char *p = text; p && (p = strchr (p, '\n')); p++)
        if (p == text || p [-1] != '\r')
            abort ();
    if (text && !strstr (text, "\r\n\r\n"))
        abort ();
    free (text);
    free (subject);
    free (body);
    free (html);
}

static void
s_offer_made (const Kw__Envelope *event)
{
    Kw__OfferMade *msg = kw__offer_made__unpack (kw_arena_allocator (s_arena),
                                                 event->payload.len, event->payload.data);
    if (!msg)
        return;
    s_repack (&msg->base);
    s_encode (&msg->base);
    audience_each (&msg->base, "professional", s_offer_contact, msg);
}

//  The notification service's apply of any event of its table
//  (deliveries.c without the database): the rows whose conditions hold,
//  the people of their audiences the person conditions keep, each
//  message rendered by the real templates and composed with the row's
//  iCalendar attachment as the sender sends it. No recipient id carries
//  an address; every line ends in CRLF; an attached invitation is the
//  text/calendar part with its METHOD.
typedef struct {
    const config_region_t *region;
    const config_row_t *row;
    const ProtobufCMessage *msg;
} s_table_apply_t;

static void
s_table_contact (const audience_contact_t *contact, void *arg)
{
    s_table_apply_t *a = arg;
    if (strchr (contact->recipient_id, '@') || !rule_person_holds (contact->person, a->row->when))
        return;
    render_values_t fill = { .msg = a->msg, .contact = contact, .service_name = a->region->name,
                             .public_url = "https://keyworker.example.org" };
    render_t text;
    char err [160], unused [8];
    if (render_row (s_table, a->region, a->row, &fill, &text, err, sizeof err) != 0)
        return;
    const char *calendar = a->row->attach ? audience_field_value (a->msg, a->row->attach, unused, sizeof unused)
                                          : NULL;
    char *mail = strcmp (a->row->channel, "email") == 0 && message_address_valid (contact->email)
               ? message_compose ("00000000-0000-4000-8000-000000000000", "keyworker@example.org",
                                  contact->email, text.subject, text.body, text.html,
                                  calendar && *calendar ? calendar : NULL, 1795000000, err, sizeof err)
               : NULL;
    for (const char *p = mail; p && (p = strchr (p, '\n')); p++)
        if (p == mail || p [-1] != '\r')
            abort ();
    if (mail && calendar && *calendar && !strstr (mail, "\r\nContent-Type: text/calendar; method="))
        abort ();
    free (mail);
    render_free (&text);
}

static void
s_table_event (const Kw__Envelope *event)
{
    char topic [256];
    snprintf (topic, sizeof topic, "%s.%s", event->producer, event->type);
    const ProtobufCMessageDescriptor *desc = config_event_payload (s_table, topic);
    ProtobufCMessage *msg = desc ? protobuf_c_message_unpack (desc, kw_arena_allocator (s_arena),
                                                              event->payload.len, event->payload.data) : NULL;
    if (!msg)
        return;
    s_repack (msg);
    s_encode (msg);
    char buf [8];
    const char *region_id = audience_field_value (msg, "region", buf, sizeof buf);
    const config_region_t *region = config_region (s_table, region_id && *region_id ? region_id : event->region);
    if (!region)
        return;
    size_t count;
    const config_row_t *rows = config_rows (s_table, &count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp (rows [i].event, topic) != 0 || !rule_event_holds (msg, rows [i].when))
            continue;
        s_table_apply_t a = { .region = region, .row = &rows [i], .msg = msg };
        if (strcmp (rows [i].audience, AUDIENCE_COORDINATORS) == 0)
            for (size_t c = 0; c < region->coordinator_count; c++) {
                audience_contact_t contact;
                audience_coordinator (region->coordinators [c], &contact);
                s_table_contact (&contact, &a);
            }
        else
            audience_each (msg, rows [i].audience, s_table_contact, &a);
    }
}

//  A person of a case as the scheduling service adds one (case_rows.c): a
//  professional's id only when it is a UUID.
static void
s_case_person (const char *case_id, const char *person_id, const char *professional_id)
{
    const char *params [7];
    case_rows_person (case_id, "team", person_id, professional_id, NULL, NULL, NULL, params);
    if (params [3])
        s_uuid_param (params [3]);
}

//  Working hours as the int[] literal of 7 pairs of minutes of the day:
//  -1,-1 or from before to, each 0 to 1440.
static void
s_hours_param (const char *literal)
{
    if (!literal)
        return;
    const char *p = literal;
    if (*p++ != '{')
        abort ();
    for (int day = 0; day < 7; day++) {
        char *end;
        long from = strtol (p, &end, 10);
        if (end == p || *end != ',')
            abort ();
        p = end + 1;
        long to = strtol (p, &end, 10);
        if (end == p || *end != (day == 6 ? '}' : ','))
            abort ();
        p = end + 1;
        if (!(from == -1 && to == -1) && !(from >= 0 && from < to && to <= 1440))
            abort ();
    }
    if (*p)
        abort ();
}

//  The scheduling service's projections (cases.c through case_rows.c) of
//  every event it reads but case_opened and case_closed (kw_case_event.c,
//  as eligibility's, in s_small_events): the ids its statements cast to
//  uuid, the instants to timestamptz, the date, the working hours and the
//  revision.
static void
s_scheduling_events (const Kw__Envelope *event)
{
    ProtobufCAllocator *allocator = kw_arena_allocator (s_arena);
    size_t len = event->payload.len;
    const uint8_t *data = event->payload.data;
    const char *params [7];
    Kw__KeyWorkerChanged *key_worker = kw__key_worker_changed__unpack (allocator, len, data);
    if (key_worker && case_rows_case (key_worker->case_id) == 0) {
        s_uuid_param (key_worker->case_id);
        if (key_worker->key_worker)
            s_case_person (key_worker->case_id, key_worker->key_worker->id, key_worker->key_worker->id);
        if (key_worker->deputy)
            s_case_person (key_worker->case_id, key_worker->deputy->id, key_worker->deputy->id);
    }
    Kw__CoverChanged *cover = kw__cover_changed__unpack (allocator, len, data);
    if (cover && case_rows_case (cover->case_id) == 0) {
        s_uuid_param (cover->case_id);
        if (cover->cover)
            s_case_person (cover->case_id, cover->cover->id, cover->cover->id);
        if (case_rows_cover_window (cover, params) == 0) {
            if (!params [0] || !params [1])
                abort ();
            s_instant_param (params [0]);
            s_instant_param (params [1]);
        }
    }
    Kw__TeamChanged *team = kw__team_changed__unpack (allocator, len, data);
    if (team && case_rows_case (team->case_id) == 0) {
        s_uuid_param (team->case_id);
        for (size_t i = 0; i < team->n_members; i++)
            s_case_person (team->case_id, team->members [i]->id, team->members [i]->professional_id);
    }
    Kw__ProfessionalChanged *professional = kw__professional_changed__unpack (allocator, len, data);
    char buf [256];
    if (professional && case_rows_professional (professional, buf, sizeof buf, params) == 0) {
        s_uuid_param (params [0]);
        s_hours_param (params [5]);
    }
    Kw__AbsenceChanged *absence = kw__absence_changed__unpack (allocator, len, data);
    if (absence && case_rows_absence (absence, params) == 0) {
        s_uuid_param (params [0]);
        s_uuid_param (params [1]);
        if (!params [2] || !params [3])
            abort ();
        s_instant_param (params [2]);
        s_instant_param (params [3]);
    }
    Kw__ReferralReceived *referral = kw__referral_received__unpack (allocator, len, data);
    char days [64], revision [16];
    if (referral && case_rows_referral (referral, days, revision, params) == 0) {
        s_uuid_param (params [0]);
        char *end;
        long value = strtol (revision, &end, 10);
        if (*end || value < 0 || value > INT_MAX || strspn (days, "{}abcdefghijklmnopqrstuvwxyz,") != strlen (days))
            abort ();
    }
    Kw__DsrEntryEvent *dsr = kw__dsr_entry_event__unpack (allocator, len, data);
    int y, m, d;
    if (dsr && case_rows_dsr (dsr, params) == 0) {
        s_uuid_param (params [0]);
        if (!params [1] || kw_date_parse (params [2], &y, &m, &d) != 0)
            abort ();
    }
}

//  kw_consumer.c s_readable: unpack and check the frame, then apply.
static void
s_envelope (const uint8_t *data, size_t size)
{
    Kw__Envelope *env = kw__envelope__unpack (kw_arena_allocator (s_arena), size, data);
    if (!env)
        return;
    s_repack (&env->base);
    s_encode (&env->base);
    char topic [256];
    if (!env->producer || !env->type
    ||  kw_outbox_topic (env->producer, env->type, topic, sizeof topic) != 0)
        return;
    if (strlen (topic) != strlen (env->producer) + 1 + strlen (env->type))
        abort ();
    if (!s_producer_known (env->producer))
        return;
    s_referral_received (env);
    s_eligibility_decided (env);
    s_assignment_event (env);
    s_offer_made (env);
    s_table_event (env);
    s_dsr_entry (env);
    s_small_events (env);
    s_scheduling_events (env);
}

//  kw_rpc.c s_server_handle, then each handler's kw_rpc_unpack.
static void
s_request (const uint8_t *data, size_t size)
{
    Kw__Request *req = kw__request__unpack (kw_arena_allocator (s_arena), size, data);
    if (!req)
        return;
    s_repack (&req->base);
    s_encode (&req->base);
    for (size_t i = 0; s_inputs [i]; i++) {
        Kw__Response resp = KW__RESPONSE__INIT;
        ProtobufCMessage *in = kw_rpc_unpack (req, &resp, s_arena, s_inputs [i]);
        if (in) {
            s_repack (in);
            kw_rpc_reply_ok (&resp, s_arena, in);
        }
        else
        if (resp.status != KW__STATUS__STATUS_INVALID)
            abort ();
        size_t len = kw__response__get_packed_size (&resp);
        uint8_t *buf = kw_arena_alloc (s_arena, len ? len : 1);
        kw__response__pack (&resp, buf);
    }
}

//  dispatch.c s_on_reply: the Response, its payload as each route output.
static void
s_response (const uint8_t *data, size_t size)
{
    Kw__Response *resp = kw__response__unpack (kw_arena_allocator (s_arena), size, data);
    if (!resp)
        return;
    s_repack (&resp->base);
    s_encode (&resp->base);
    for (size_t i = 0; s_outputs [i]; i++) {
        ProtobufCMessage *out = protobuf_c_message_unpack (s_outputs [i], kw_arena_allocator (s_arena),
                                                           resp->payload.len, resp->payload.data);
        if (!out)
            continue;
        s_repack (out);
        s_encode (out);
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    s_arena = kw_arena_new (65536);
    char err [256];
    const char *dir = getenv ("KW_REGION_DIR");
    s_regions = region_set_load (dir && *dir ? dir : "deploy/regions", err, sizeof err);
    if (!s_regions || !region_set_count (s_regions)) {
        fprintf (stderr, "fuzz_envelope: no regions (%s) (run from the repository's top directory)\n",
                 s_regions ? "the directory holds none" : err);
        exit (1);
    }
    const char *table = getenv ("KW_NOTIFY_DIR");
    char why [512];
    s_table = config_load (table && *table ? table : "deploy/notifications", dir && *dir ? dir : "deploy/regions",
                           notification_events, notification_internal, why, sizeof why);
    if (!s_table) {
        fprintf (stderr, "fuzz_envelope: the notification table does not load: %s\n", why);
        exit (1);
    }
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_envelope (data, size);
    s_request (data, size);
    s_response (data, size);
    kw_arena_reset (s_arena);
    return 0;
}
