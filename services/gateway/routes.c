/*  routes: the route table, path matching and query parameters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/audit.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw/links.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw/rpc.pb-c.h"
#include "kw/scheduling.pb-c.h"
#include "routes.h"

#define MAX_QUERY_VALUE 512

const char *const route_service_names [SERVICE_COUNT] = {
    "referral", "eligibility", "assignment", "scheduling", "notification"
};

const char *const route_role_names [ROLE_COUNT] = {
    "admin", "coordinator", "key_worker", "referrer", "dsr_feed", "family"
};

#define RPC(svc, name, in, out) \
    .kind = ROUTE_RPC, .service = SERVICE_##svc, .rpc = name, .input = &in, .output = &out

#define ID_REFERRAL "the referral's id (a UUID)"
#define ID_CASE "the case's id (a UUID)"
#define ID_PROFESSIONAL "the professional's id (a UUID)"
#define LINK_NOTE "No token: the link's signature is the credential (HMAC-SHA256 over action, offer," \
    " professional and expiry). Answered in HTML: 403 altered or not valid, 409 used or the offer answered," \
    " 410 expired; each refusal changes nothing. A GET never changes anything."
#define MEETING_LINK_NOTE "No token: the link's signature is the credential (HMAC-SHA256 over action, meeting," \
    " participant, the invitation's sequence and the meeting's start). Answered in HTML: 403 altered or naming" \
    " no participant, 409 used, outdated (the meeting changed since) or the meeting cancelled, 410 the meeting" \
    " has started; each refusal changes nothing. A GET never changes anything."
#define ID_MEETING "the meeting's id (a UUID)"
#define ID_ACTION "the plan action's id (a UUID)"
#define ID_NOTIFICATION "the notification's delivery id (a UUID)"
#define ID_CONTACT "the recipient id of a notification: a professional's id or a contact-... pseudonym"

static const route_t s_routes [] = {
    { "GET", "/v1/health", .kind = ROUTE_HEALTH, .summary = "Whether every service answers", .success = 200 },
    { "GET", "/metrics", .kind = ROUTE_METRICS, .summary = "The gateway's counters (Prometheus text)",
      .success = 200 },
    { "GET", "/v1/openapi.json", .kind = ROUTE_OPENAPI, .summary = "This document", .success = 200 },
    { "POST", "/v1/referrals", RPC (REFERRAL, "referral.create", kw__referral_body__descriptor,
      kw__referral_created__descriptor),
      .roles = ROLES_ALL, .summary = "Make a referral",
      .success = 201, .has_body = 1 },
    { "GET", "/v1/referrals", RPC (REFERRAL, "referral.list", kw__referral_list_request__descriptor,
      kw__referral_list__descriptor),
      .roles = ROLES_ALL, .summary = "List the region's referrals (a referrer's or family's own)",
      .success = 200, .has_query = 1 },
    { "GET", "/v1/referrals/{id}", RPC (REFERRAL, "referral.get", kw__id_request__descriptor,
      kw__referral__descriptor),
      .roles = ROLES_ALL, .summary = "Read a referral with its eligibility decision",
      .success = 200, .id_meaning = ID_REFERRAL },
    { "POST", "/v1/referrals/{id}/withdraw", RPC (REFERRAL, "referral.withdraw",
      kw__withdraw_request__descriptor, kw__referral__descriptor),
      .roles = ROLES_ALL, .summary = "Withdraw an open referral",
      .success = 200, .has_body = 1,
      .id_meaning = ID_REFERRAL },
    { "POST", "/v1/referrals/{id}/information", RPC (REFERRAL, "referral.information",
      kw__referral_information__descriptor, kw__referral__descriptor),
      .roles = ROLES_ALL, .summary = "Add information to a referral, which is decided again",
      .success = 200, .has_body = 1,
      .id_meaning = ID_REFERRAL },
    { "POST", "/v1/dsr/imports", RPC (REFERRAL, "dsr.import", kw__dsr_import_request__descriptor,
      kw__dsr_import_result__descriptor),
      .roles = ROLES_STAFF | ROLE_DSR_FEED, .summary = "Import a Dynamic Support Register file",
      .success = 200, .raw_body = 1,
      .max_body = ROUTE_MAX_FILE, .timeout_ms = ROUTE_FILE_TIMEOUT_MS },
    { "GET", "/v1/dsr/entries/{id}", RPC (REFERRAL, "dsr.entry", kw__id_request__descriptor,
      kw__dsr_entry__descriptor),
      .roles = ROLES_STAFF | ROLE_DSR_FEED, .summary = "Read a child's DSR entry and its rating history",
      .success = 200,
      .id_meaning = "the child's NHS number (10 digits; its DSR entry in the caller's region)" },
    { "POST", "/v1/referrals/{id}/re-evaluate", RPC (ELIGIBILITY, "eligibility.re_evaluate",
      kw__id_request__descriptor, kw__re_evaluation__descriptor),
      .roles = ROLES_STAFF, .summary = "Decide a referral again under the rules in force",
      .success = 200,
      .id_meaning = ID_REFERRAL },
    { "GET", "/v1/eligibility/ruleset", RPC (ELIGIBILITY, "eligibility.ruleset",
      kw__ruleset_request__descriptor, kw__ruleset__descriptor),
      .roles = ROLES_ALL, .summary = "Read the region's eligibility rule set",
      .success = 200, .has_query = 1 },
    { "POST", "/v1/admin/eligibility/re-evaluate", RPC (ELIGIBILITY, "eligibility.re_evaluate_all",
      kw__re_evaluate_all_request__descriptor, kw__re_evaluate_all_result__descriptor),
      .roles = ROLE_ADMIN, .summary = "Decide again every undecided referral of the region",
      .success = 200,
      .timeout_ms = ROUTE_ADMIN_TIMEOUT_MS },
    { "POST", "/v1/admin/eligibility/age-out", RPC (ELIGIBILITY, "eligibility.age_out_sweep",
      kw__age_out_sweep_request__descriptor, kw__age_out_sweep_result__descriptor),
      .roles = ROLE_ADMIN, .summary = "Run the region's age-out sweep now",
      .success = 200,
      .timeout_ms = ROUTE_ADMIN_TIMEOUT_MS },
    { "POST", "/v1/professionals", RPC (ASSIGNMENT, "professional.create",
      kw__professional_record__descriptor, kw__professional_record__descriptor),
      .roles = ROLES_STAFF, .summary = "Register a professional",
      .success = 201,
      .has_body = 1 },
    { "GET", "/v1/professionals", RPC (ASSIGNMENT, "professional.list",
      kw__professional_list_request__descriptor, kw__professional_list__descriptor),
      .roles = ROLES_STAFF, .summary = "List the region's professionals",
      .success = 200,
      .has_query = 1 },
    { "POST", "/v1/professionals/import", RPC (ASSIGNMENT, "professional.import",
      kw__professional_import_request__descriptor, kw__professional_import_result__descriptor),
     
      .roles = ROLES_STAFF, .summary = "Register or update professionals from a CSV file",
      .success = 200, .raw_body = 1, .csv_only = 1, .max_body = ROUTE_MAX_FILE,
      .timeout_ms = ROUTE_FILE_TIMEOUT_MS },
    { "GET", "/v1/professionals/{id}", RPC (ASSIGNMENT, "professional.get", kw__id_request__descriptor,
      kw__professional_record__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Read a professional's record",
      .success = 200,
      .id_meaning = ID_PROFESSIONAL },
    { "PATCH", "/v1/professionals/{id}", RPC (ASSIGNMENT, "professional.update",
      kw__professional_record__descriptor, kw__professional_record__descriptor),
      .roles = ROLES_STAFF, .summary = "Change a professional's record",
      .success = 200,
      .has_body = 1,
      .id_meaning = ID_PROFESSIONAL },
    { "POST", "/v1/professionals/{id}/absences", RPC (ASSIGNMENT, "absence.create",
      kw__absence_create__descriptor, kw__absence__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Record a professional's absence",
      .success = 201, .has_body = 1,
      .id_meaning = ID_PROFESSIONAL },
    { "GET", "/v1/professionals/{id}/absences", RPC (ASSIGNMENT, "absence.list",
      kw__absence_list_request__descriptor, kw__absence_list__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "List a professional's absences",
      .success = 200,
      .id_meaning = ID_PROFESSIONAL },
    { "POST", "/v1/professionals/{id}/absences/{absence_id}/cancel", RPC (ASSIGNMENT, "absence.cancel",
      kw__absence_cancel__descriptor, kw__absence__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Cancel an absence",
      .success = 200,
      .id_meaning = ID_PROFESSIONAL },
    { "GET", "/v1/cases", RPC (ASSIGNMENT, "case.list", kw__case_list_request__descriptor,
      kw__case_list__descriptor),
      .roles = ROLES_STAFF, .summary = "List the region's cases",
      .success = 200, .has_query = 1 },
    { "GET", "/v1/me/cases", RPC (ASSIGNMENT, "case.mine", kw__my_cases_request__descriptor,
      kw__case_list__descriptor),
      .roles = ROLE_KEY_WORKER | ROLE_FAMILY, .summary = "List the caller's own cases",
      .success = 200, .has_query = 1 },
    { "GET", "/v1/caseloads", RPC (ASSIGNMENT, "caseload.list", kw__caseload_list_request__descriptor,
      kw__caseload_list__descriptor),
      .roles = ROLES_STAFF, .summary = "List the professionals' caseloads",
      .success = 200, .has_query = 1 },
    { "GET", "/v1/cases/{id}", RPC (ASSIGNMENT, "case.get", kw__id_request__descriptor,
      kw__case__descriptor),
      .roles = ROLES_CASE, .summary = "Read a case with its offers, key worker and team",
      .success = 200,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/offers", RPC (ASSIGNMENT, "offer.create", kw__offer_create__descriptor,
      kw__case__descriptor),
      .roles = ROLES_STAFF, .summary = "Offer the case to a professional (a coordinator's offer)",
      .success = 201, .has_body = 1,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/offers/{offer_id}/accept", RPC (ASSIGNMENT, "offer.accept",
      kw__offer_decision__descriptor, kw__case__descriptor),
      .roles = ROLES_CASE, .summary = "Accept an offer",
      .success = 200,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/offers/{offer_id}/decline", RPC (ASSIGNMENT, "offer.decline",
      kw__offer_decision__descriptor, kw__case__descriptor),
      .roles = ROLES_CASE, .summary = "Decline an offer with a reason",
      .success = 200, .has_body = 1,
      .id_meaning = ID_CASE },
    { "GET", "/v1/cases/{id}/team", RPC (ASSIGNMENT, "team.get", kw__id_request__descriptor,
      kw__team__descriptor),
      .roles = ROLES_CASE, .summary = "Read the case's team",
      .success = 200,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/team", RPC (ASSIGNMENT, "team.add", kw__team_add__descriptor,
      kw__team__descriptor),
      .roles = ROLES_STAFF, .summary = "Add a member to the team",
      .success = 201, .has_body = 1,
      .id_meaning = ID_CASE },
    { "DELETE", "/v1/cases/{id}/team/{member_id}", RPC (ASSIGNMENT, "team.remove",
      kw__team_remove__descriptor, kw__team__descriptor),
      .roles = ROLES_STAFF, .summary = "Remove a member from the team",
      .success = 200,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/change-request", RPC (ASSIGNMENT, "case.change_request",
      kw__change_request__descriptor, kw__case__descriptor),
      .roles = ROLES_CASE, .summary = "Ask for another key worker",
      .success = 200, .has_body = 1,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/close", RPC (ASSIGNMENT, "case.close", kw__close_request__descriptor,
      kw__case__descriptor),
      .roles = ROLES_STAFF, .summary = "Close a case with a reason",
      .success = 200, .has_body = 1,
      .id_meaning = ID_CASE },
    { "GET", "/v1/cases/{id}/timeline", RPC (ASSIGNMENT, "case.timeline", kw__timeline_request__descriptor,
      kw__timeline__descriptor),
      .roles = ROLES_CASE, .summary = "Read the case's timeline",
      .success = 200, .has_query = 1,
      .id_meaning = ID_CASE },
    { "POST", "/v1/cases/{id}/meetings", RPC (SCHEDULING, "meeting.book", kw__meeting_book__descriptor,
      kw__meeting__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER,
      .summary = "Book a meeting: the earliest common slot, or a coordinator's fixed time",
      .success = 201, .has_body = 1, .id_meaning = ID_CASE, .refusal = &kw__no_common_slot__descriptor },
    { "GET", "/v1/cases/{id}/meetings", RPC (SCHEDULING, "meeting.list", kw__meeting_list_request__descriptor,
      kw__meeting_list__descriptor),
      .roles = ROLES_CASE, .summary = "List the case's meetings",
      .success = 200, .has_query = 1, .id_meaning = ID_CASE },
    { "GET", "/v1/meetings/{id}", RPC (SCHEDULING, "meeting.get", kw__id_request__descriptor,
      kw__meeting__descriptor),
      .roles = ROLES_CASE, .summary = "Read a meeting with its participants and their responses",
      .success = 200, .id_meaning = ID_MEETING },
    { "GET", "/v1/meetings/{id}/invite.ics", RPC (SCHEDULING, "meeting.invite", kw__id_request__descriptor,
      kw__text_document__descriptor),
      .roles = ROLES_CASE, .summary = "The meeting's invitation (iCalendar, METHOD REQUEST or CANCEL)",
      .success = 200, .id_meaning = ID_MEETING, .text_output = "text/calendar; charset=utf-8" },
    { "POST", "/v1/meetings/{id}/responses", RPC (SCHEDULING, "meeting.respond", kw__meeting_response__descriptor,
      kw__meeting__descriptor),
      .roles = ROLES_CASE, .summary = "Accept, decline or tentatively accept an invitation",
      .success = 200, .has_body = 1, .id_meaning = ID_MEETING },
    { "POST", "/v1/meetings/{id}/reschedule", RPC (SCHEDULING, "meeting.reschedule",
      kw__meeting_reschedule__descriptor, kw__meeting__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Move a meeting to the next common slot (or a fixed time)",
      .success = 200, .has_body = 1, .id_meaning = ID_MEETING, .refusal = &kw__no_common_slot__descriptor },
    { "POST", "/v1/meetings/{id}/cancel", RPC (SCHEDULING, "meeting.cancel", kw__meeting_cancel__descriptor,
      kw__meeting__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Cancel a meeting with a reason",
      .success = 200, .has_body = 1, .id_meaning = ID_MEETING },
    { "POST", "/v1/meetings/{id}/outcome", RPC (SCHEDULING, "meeting.outcome", kw__meeting_outcome__descriptor,
      kw__plan__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Record a meeting's outcome: the plan's next version",
      .success = 200, .has_body = 1, .id_meaning = ID_MEETING },
    { "GET", "/v1/cases/{id}/plan", RPC (SCHEDULING, "plan.get", kw__plan_request__descriptor,
      kw__plan__descriptor),
      .roles = ROLES_CASE, .summary = "Read the case's Family Service Plan as it is now",
      .success = 200, .id_meaning = ID_CASE },
    { "GET", "/v1/cases/{id}/plan/versions/{n}", RPC (SCHEDULING, "plan.version", kw__plan_request__descriptor,
      kw__plan__descriptor),
      .roles = ROLES_CASE, .summary = "Read a version of the Family Service Plan as it was written",
      .success = 200, .id_meaning = ID_CASE },
    { "GET", "/v1/cases/{id}/plan.html", RPC (SCHEDULING, "plan.html", kw__id_request__descriptor,
      kw__text_document__descriptor),
      .roles = ROLES_CASE, .summary = "The Family Service Plan as a printable page",
      .success = 200, .id_meaning = ID_CASE, .text_output = "text/html; charset=utf-8" },
    { "POST", "/v1/plan-actions/{id}/complete", RPC (SCHEDULING, "plan.action_complete",
      kw__plan_action_change__descriptor, kw__plan_action__descriptor),
      .roles = ROLES_CASE, .summary = "Mark a plan action done",
      .success = 200, .id_meaning = ID_ACTION },
    { "POST", "/v1/plan-actions/{id}/cancel", RPC (SCHEDULING, "plan.action_cancel",
      kw__plan_action_change__descriptor, kw__plan_action__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Cancel a plan action",
      .success = 200, .has_body = 1, .id_meaning = ID_ACTION },
    { "POST", "/v1/plan-actions/{id}/reassign", RPC (SCHEDULING, "plan.action_reassign",
      kw__plan_action_change__descriptor, kw__plan_action__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Give a plan action another owner or due date",
      .success = 200, .has_body = 1, .id_meaning = ID_ACTION },
    { "POST", "/v1/admin/scheduling/sweep", RPC (SCHEDULING, "scheduling.sweep", kw__sweep_request__descriptor,
      kw__sweep_result__descriptor),
      .roles = ROLE_ADMIN, .summary = "Run the region's review and overdue-action sweep now",
      .success = 200, .timeout_ms = ROUTE_ADMIN_TIMEOUT_MS },
    { "GET", "/v1/notifications", RPC (NOTIFICATION, "notification.list",
      kw__delivery_list_request__descriptor, kw__delivery_list__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "List notifications sent",
      .success = 200,
      .has_query = 1 },
    { "GET", "/v1/notifications/{id}", RPC (NOTIFICATION, "notification.get",
      kw__id_request__descriptor, kw__delivery__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Read one notification's delivery record",
      .success = 200, .id_meaning = ID_NOTIFICATION },
    { "POST", "/v1/notifications/{id}/retry", RPC (NOTIFICATION, "notification.retry",
      kw__id_request__descriptor, kw__delivery__descriptor),
      .roles = ROLE_COORDINATOR, .summary = "Send a failed notification again (same message id)",
      .success = 200, .id_meaning = ID_NOTIFICATION },
    { "GET", "/v1/contacts/{id}/preferences", RPC (NOTIFICATION, "notification.preferences_get",
      kw__id_request__descriptor, kw__contact_preferences__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER, .summary = "Read a recipient's notification preferences",
      .success = 200, .id_meaning = ID_CONTACT },
    { "PUT", "/v1/contacts/{id}/preferences", RPC (NOTIFICATION, "notification.preferences_put",
      kw__contact_preferences__descriptor, kw__contact_preferences__descriptor),
      .roles = ROLES_STAFF | ROLE_KEY_WORKER,
      .summary = "Set a recipient's channels in order, quiet hours and opt-out",
      .success = 200, .has_body = 1, .id_meaning = ID_CONTACT },
    { "GET", "/v1/audit", RPC (REFERRAL, "audit.list", kw__audit_list_request__descriptor,
      kw__audit_list__descriptor),
      .roles = ROLE_ADMIN, .summary = "Who did what to which record, and when (the caller's region)",
      .success = 200, .has_query = 1 },
    { "GET", "/v1/links/{token}", .kind = ROUTE_LINK, .service = SERVICE_ASSIGNMENT, .rpc = "link.view",
      .input = &kw__link_request__descriptor, .output = &kw__link_page__descriptor,
      .summary = "A signed link's page (HTML): what it would do, asking to confirm; changes nothing",
      .success = 200, .note = LINK_NOTE },
    { "POST", "/v1/links/{token}", .kind = ROUTE_LINK, .service = SERVICE_ASSIGNMENT, .rpc = "link.use",
      .input = &kw__link_request__descriptor, .output = &kw__link_page__descriptor,
      .summary = "Confirm a signed link (form confirm=yes): the offer is accepted or declined, once",
      .success = 200, .note = LINK_NOTE },
    { "GET", "/v1/meeting-links/{token}", .kind = ROUTE_LINK, .service = SERVICE_SCHEDULING,
      .rpc = "meeting_link.view", .input = &kw__link_request__descriptor, .output = &kw__link_page__descriptor,
      .summary = "A meeting invitation's signed link's page (HTML): the meeting's time and place, asking to"
                 " confirm; changes nothing",
      .success = 200, .note = MEETING_LINK_NOTE },
    { "POST", "/v1/meeting-links/{token}", .kind = ROUTE_LINK, .service = SERVICE_SCHEDULING,
      .rpc = "meeting_link.use", .input = &kw__link_request__descriptor, .output = &kw__link_page__descriptor,
      .summary = "Confirm a meeting invitation's signed link (form confirm=yes): attend or decline, once for"
                 " each version of the invitation",
      .success = 200, .note = MEETING_LINK_NOTE },
    { "POST", "/v1/callbacks/notify", .kind = ROUTE_NOTIFY_CALLBACK, .service = SERVICE_NOTIFICATION,
      .rpc = "notification.receipt", .input = &kw__notify_receipt_request__descriptor,
      .output = &kw__notify_receipt_result__descriptor,
      .summary = "GOV.UK Notify's delivery receipt for a message sent through it", .success = 200,
      .note = "No platform token: GOV.UK Notify sends the callback bearer token configured for the platform"
              " (KW_NOTIFY_CALLBACK_TOKEN_FILE) or for a region's own Notify service (its"
              " notification.notify.callback_token_file), compared in constant time; 401 otherwise." },
};

const route_t *
routes_table (size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes [0];
    return s_routes;
}

int
routes_role_allowed (const route_t *route, const char *role)
{
    for (int i = 0; role && i < ROLE_COUNT; i++)
        if (strcmp (role, route_role_names [i]) == 0)
            return (route->roles & (1u << i)) != 0;
    return 0;
}

void
routes_roles_text (const route_t *route, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        *buf = 0;
    for (int i = 0; i < ROLE_COUNT && len < size; i++)
        if (route->roles & (1u << i))
            len += (size_t) snprintf (buf + len, size - len, "%s%s", len ? ", " : "", route_role_names [i]);
}

static int s_unescape (const char *s, size_t len, int plus_is_space, char *out, size_t size);

//  Match path against pattern; each {name} segment is percent-decoded into
//  m's params (and {id} into m->id): "400%20000%200039" is "400 000 0039".
static int
s_path_matches (const char *pattern, const char *path, size_t path_len, route_match_t *m)
{
    const char *p = path, *end = path + path_len;
    m->id [0] = 0;
    m->param_count = 0;
    while (*pattern) {
        if (*pattern == '{') {
            const char *close = strchr (pattern, '}');
            size_t name_len = close ? (size_t) (close - pattern - 1) : 0;
            if (!close || name_len == 0 || name_len >= ROUTE_PARAM_NAME_SIZE
            ||  m->param_count == ROUTE_MAX_PARAMS)
                return 0;
            const char *seg = p;
            while (p < end && *p != '/')
                p++;
            size_t len = (size_t) (p - seg);
            char *name = m->param_names [m->param_count];
            char *value = m->params [m->param_count++];
            if (len == 0 || s_unescape (seg, len, 0, value, ROUTE_ID_SIZE) != 0 || !*value)
                return 0;
            memcpy (name, pattern + 1, name_len);
            name [name_len] = 0;
            if (strcmp (name, "id") == 0)
                memcpy (m->id, value, strlen (value) + 1);
            pattern = close + 1;
        }
        else {
            if (p == end || *p != *pattern)
                return 0;
            p++;
            pattern++;
        }
    }
    return p == end;
}

int
routes_match (const char *method, size_t method_len, const char *path, size_t path_len,
              route_match_t *m, char *allow, size_t allow_size)
{
    size_t count = sizeof s_routes / sizeof s_routes [0];
    int path_known = 0;
    size_t allow_len = 0;
    if (allow_size)
        *allow = 0;
    for (size_t i = 0; i < count; i++) {
        route_match_t found;
        if (!s_path_matches (s_routes [i].pattern, path, path_len, &found))
            continue;
        if (strlen (s_routes [i].method) == method_len
        &&  memcmp (s_routes [i].method, method, method_len) == 0) {
            *m = found;
            m->route = &s_routes [i];
            m->index = i;
            return 0;
        }
        path_known = 1;
        if (allow_len < allow_size)
            allow_len += (size_t) snprintf (allow + allow_len, allow_size - allow_len, "%s%s",
                                            allow_len ? ", " : "", s_routes [i].method);
    }
    return path_known ? -2 : -1;
}

static int
s_hex (int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

//  Percent-decode [s, s+len) into out (size bytes), '+' as a space in a
//  query; -1 when malformed, holding a NUL byte or too long.
static int
s_unescape (const char *s, size_t len, int plus_is_space, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char) s [i];
        if (c == '+' && plus_is_space)
            c = ' ';
        else
        if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = s_hex ((unsigned char) s [i + 1]);
            int lo = s_hex ((unsigned char) s [i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || n + 1 >= size)
            return -1;
        out [n++] = (char) c;
    }
    out [n] = 0;
    return 0;
}

static int
s_query_fail (kw_field_error_t *err, const char *field, const char *message)
{
    return kw_field_error_set (err, 0, field, "%s", message);
}

static int
s_is_integer_type (ProtobufCType type)
{
    return type == PROTOBUF_C_TYPE_INT32 || type == PROTOBUF_C_TYPE_UINT32
        || type == PROTOBUF_C_TYPE_SINT32 || type == PROTOBUF_C_TYPE_FIXED32
        || type == PROTOBUF_C_TYPE_SFIXED32;
}

int
routes_query_json (const ProtobufCMessageDescriptor *desc, const char *query, size_t len,
                   json_t *obj, kw_field_error_t *err)
{
    memset (err, 0, sizeof *err);
    const char *p = query, *end = query + len;
    while (p < end) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr (p, '=', (size_t) (stop - p));
        char key [128], value [MAX_QUERY_VALUE];
        if (stop == p) {
            p = stop + 1;
            continue;
        }
        if (s_unescape (p, (size_t) ((eq ? eq : stop) - p), 1, key, sizeof key) != 0)
            return s_query_fail (err, "", "a query parameter name is malformed");
        if (s_unescape (eq ? eq + 1 : stop, eq ? (size_t) (stop - eq - 1) : 0, 1, value, sizeof value) != 0)
            return s_query_fail (err, key, "is malformed or too long");
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name (desc, key);
        if (!field || field->label == PROTOBUF_C_LABEL_REPEATED || field->type == PROTOBUF_C_TYPE_MESSAGE)
            return s_query_fail (err, key, "is not a known query parameter");
        if (json_object_get (obj, key))
            return s_query_fail (err, key, "is given more than once");
        if (s_is_integer_type (field->type)) {
            char *num_end = NULL;
            long long n = *value ? strtoll (value, &num_end, 10) : 0;
            if (!*value || *num_end || !isdigit ((unsigned char) value [strlen (value) - 1]))
                return s_query_fail (err, key, "must be a whole number");
            json_object_set_new (obj, key, json_integer (n));
        }
        else
        if (field->type == PROTOBUF_C_TYPE_BOOL) {
            if (strcmp (value, "true") != 0 && strcmp (value, "false") != 0)
                return s_query_fail (err, key, "must be true or false");
            json_object_set_new (obj, key, json_boolean (strcmp (value, "true") == 0));
        }
        else {
            json_t *text = json_string (value);
            if (!text)
                return s_query_fail (err, key, "must be UTF-8 text");
            json_object_set_new (obj, key, text);
        }
        p = stop + 1;
    }
    return 0;
}
