/*  Tests for the gateway's route table: matching, 404 and 405, the {id}
    segment, and query parameters as typed input fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../services/gateway/openapi.h"
#include "../../services/gateway/regions.h"
#include "../../services/gateway/request.h"
#include "../../services/gateway/routes.h"
#include "kw/dsr.pb-c.h"
#include "kw/notification.pb-c.h"
#include "kw/rpc.pb-c.h"
#include "tap.h"

static int
s_match (const char *method, const char *path, route_match_t *m, char *allow)
{
    return routes_match (method, strlen (method), path, strlen (path), m, allow, 64);
}

int
main (void)
{
    route_match_t m;
    char allow [64];
    ok (s_match ("POST", "/v1/referrals", &m, allow) == 0 && strcmp (m.route->rpc, "referral.create") == 0
        && m.route->success == 201 && m.route->has_body, "POST /v1/referrals creates");
    ok (s_match ("GET", "/v1/referrals/abc-123", &m, allow) == 0 && strcmp (m.route->rpc, "referral.get") == 0,
        "GET /v1/referrals/{id} reads");
    is_str (m.id, "abc-123", "the id segment is captured");
    ok (s_match ("GET", "/v1/referrals/abc/extra", &m, allow) == -1, "an extra segment is not a route");
    ok (s_match ("GET", "/v1/referrals/", &m, allow) == -1, "an empty id is not a route");
    ok (s_match ("GET", "/v1/dsr/entries/400%20000%200039", &m, allow) == 0
        && strcmp (m.id, "400 000 0039") == 0, "a path segment is percent-decoded (%s)", m.id);
    ok (s_match ("GET", "/v1/dsr/entries/400+000+0039", &m, allow) == 0
        && strcmp (m.id, "400+000+0039") == 0, "a + in a path segment stays a +");
    ok (s_match ("GET", "/v1/dsr/entries/40%zz", &m, allow) == -1
        && s_match ("GET", "/v1/dsr/entries/40%0", &m, allow) == -1
        && s_match ("GET", "/v1/dsr/entries/40%00", &m, allow) == -1,
        "a malformed escape or a NUL byte in a segment is not a route");
    ok (s_match ("DELETE", "/v1/referrals", &m, allow) == -2 && strcmp (allow, "POST, GET") == 0,
        "a known path with another method is 405 with Allow: %s", allow);
    ok (s_match ("GET", "/v1/referrals", &m, allow) == 0 && m.route->has_query
        && strcmp (m.route->rpc, "referral.list") == 0, "GET /v1/referrals lists with a query");
    ok (s_match ("POST", "/v1/referrals/r-1/withdraw", &m, allow) == 0 && strcmp (m.id, "r-1") == 0
        && strcmp (m.route->rpc, "referral.withdraw") == 0, "the id in the middle of a path is captured");
    ok (s_match ("GET", "/v1/referrals/r-1/information", &m, allow) == -2 && strcmp (allow, "POST") == 0,
        "information takes only POST");
    ok (s_match ("POST", "/v1/dsr/imports", &m, allow) == 0 && m.route->raw_body
        && m.route->max_body == 20 * 1024 * 1024 && m.route->timeout_ms > 0,
        "DSR imports take a file of up to 20 MiB with their own timeout");
    ok (s_match ("GET", "/v1/nothing", &m, allow) == -1, "an unknown path is 404");
    ok (s_match ("GET", "/v1/health", &m, allow) == 0 && m.route->kind == ROUTE_HEALTH, "health");
    ok (s_match ("GET", "/metrics", &m, allow) == 0 && m.route->kind == ROUTE_METRICS, "metrics");
    ok (s_match ("GET", "/v1/cases/c1", &m, allow) == 0 && m.route->service == SERVICE_ASSIGNMENT,
        "cases go to assignment");
    ok (s_match ("GET", "/v1/notifications", &m, allow) == 0 && m.route->has_query, "notifications take a query");
    char long_id [ROUTE_ID_SIZE + 32];
    strcpy (long_id, "/v1/referrals/");
    memset (long_id + 14, 'a', ROUTE_ID_SIZE);
    long_id [14 + ROUTE_ID_SIZE] = 0;
    ok (s_match ("GET", long_id, &m, allow) == -1, "an over-long id is not a route");
    char link [ROUTE_ID_SIZE];
    strcpy (link, "/v1/links/");
    memset (link + 10, 'A', 200);
    link [210] = 0;
    ok (s_match ("POST", link, &m, allow) == 0 && m.route->kind == ROUTE_LINK && m.route->roles == 0
        && strlen (m.params [0]) == 200, "a signed link's 200-character token is a route, with no roles");

    json_t *obj = json_object ();
    kw_field_error_t err;
    const char *q = "case_id=abc%2Ddef&limit=25";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == 0,
        "a query decodes");
    is_str (json_string_value (json_object_get (obj, "case_id")), "abc-def", "percent-decoding");
    is_int (json_integer_value (json_object_get (obj, "limit")), 25, "integer fields become integers");
    json_decref (obj);

    obj = json_object ();
    q = "limit=ten";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == -1
        && strcmp (err.field, "limit") == 0, "a non-number for an integer names the parameter");
    json_decref (obj);
    obj = json_object ();
    q = "colour=red";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == -1
        && strcmp (err.field, "colour") == 0, "an unknown parameter is named");
    json_decref (obj);
    obj = json_object ();
    q = "case_id=a&case_id=b";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == -1,
        "a repeated parameter is refused");
    json_decref (obj);
    obj = json_object ();
    q = "case_id=%zz";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == -1,
        "bad percent-encoding is refused");
    json_decref (obj);
    obj = json_object ();
    q = "case_id=%00";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == -1,
        "an encoded NUL is refused");
    json_decref (obj);
    obj = json_object ();
    q = "case_id=%";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == -1,
        "a truncated escape is refused");
    json_decref (obj);
    obj = json_object ();
    q = "&&case_id=x&";
    ok (routes_query_json (&kw__delivery_list_request__descriptor, q, strlen (q), obj, &err) == 0,
        "empty pairs are ignored");
    json_decref (obj);
    //  request.c: bearer token
    static const unsigned char secret [] = "route-test-secret-0123456789abcdef";
    kw_jwt_policy_t policy;
    char jerr [128];
    kw_jwt_policy_init (&policy, NULL, NULL, NULL, jerr, sizeof jerr);
    kw_jwt_claims_t claims = { .iat = 1800000000, .exp = 1800000600 };
    snprintf (claims.sub, sizeof claims.sub, "alice");
    snprintf (claims.role, sizeof claims.role, "coordinator");
    snprintf (claims.region, sizeof claims.region, "norfolk");
    snprintf (claims.iss, sizeof claims.iss, "kw-local");
    snprintf (claims.aud, sizeof claims.aud, "kw-api");
    char *token = kw_jwt_sign (&claims, secret, sizeof secret - 1, jerr, sizeof jerr);
    char header [600];
    snprintf (header, sizeof header, "Bearer %s", token ? token : "");
    free (token);
    kw_jwt_claims_t got;
    request_error_t berr;
    ok (request_bearer (header, strlen (header), secret, sizeof secret - 1, &policy, 1800000000, &got, &berr) == 0
        && strcmp (got.sub, "alice") == 0, "a valid Bearer token is accepted");
    ok (request_bearer (NULL, 0, secret, sizeof secret - 1, &policy, 0, &got, &berr) == -1 && berr.status == 401
        && strstr (berr.problem.message, "required"), "no Authorization header is 401");
    ok (request_bearer ("Basic abc", 9, secret, sizeof secret - 1, &policy, 0, &got, &berr) == -1
        && strstr (berr.problem.message, "Bearer"), "another scheme is 401");
    ok (request_bearer (header, strlen (header), (const unsigned char *) "another-secret-0123456789abcdefgh", 33,
                        &policy, 1800000000, &got, &berr) == -1 && strstr (berr.problem.message, "signature"),
        "a wrong signature is 401 with the reason");
    ok (request_bearer (header, strlen (header), secret, sizeof secret - 1, &policy, 1800000600, &got,
                        &berr) == -1 && berr.status == 401 && strstr (berr.problem.message, "expired"),
        "an expired token is 401 with the reason");

    //  request.c and routes.c: the route's roles
    size_t route_count;
    const route_t *table = routes_table (&route_count);
    int named = 1;
    for (size_t i = 0; i < route_count; i++)
        named = named && (table [i].kind == ROUTE_RPC ? table [i].roles != 0 && (table [i].roles & ~ROLES_ALL) == 0
                                                      : table [i].roles == 0);
    ok (named, "every RPC route names its roles, and only the platform's; the open routes name none");
    route_match_t rm;
    char rallow [64];
    ok (routes_match ("POST", 4, "/v1/admin/eligibility/re-evaluate", 33, &rm, rallow, sizeof rallow) == 0,
        "the admin re-evaluation is routed");
    snprintf (got.role, sizeof got.role, "coordinator");
    ok (request_authorise (rm.route, &got, &berr) == -1 && berr.status == 403 && strcmp (berr.code, "forbidden") == 0
        && strstr (berr.problem.message, "coordinator") && strstr (berr.problem.message, "open to: admin"),
        "a role the route does not name is 403, naming the role and the route's roles");
    snprintf (got.role, sizeof got.role, "admin");
    ok (request_authorise (rm.route, &got, &berr) == 0, "the role the route names passes");
    ok (routes_match ("GET", 3, "/v1/me/cases", 12, &rm, rallow, sizeof rallow) == 0
        && routes_role_allowed (rm.route, "key_worker") && routes_role_allowed (rm.route, "family")
        && !routes_role_allowed (rm.route, "coordinator") && !routes_role_allowed (rm.route, "Family")
        && !routes_role_allowed (rm.route, "") && !routes_role_allowed (rm.route, NULL),
        "roles match exactly: a name, never a prefix, case or nothing");
    char rtext [128];
    routes_roles_text (rm.route, rtext, sizeof rtext);
    is_str (rtext, "key_worker, family", "the roles as text, in the platform's order");

    //  regions.c: the known regions
    char rdir [64], rfile [128];
    snprintf (rdir, sizeof rdir, "/tmp/kw-regions-%d", (int) getpid ());
    mkdir (rdir, 0700);
    char regerr [256];
    ok (regions_new (rdir, regerr, sizeof regerr) == NULL && strstr (regerr, "KW_REGION_DIR"),
        "a region directory without region files is refused");
    snprintf (rfile, sizeof rfile, "%s/norfolk.json", rdir);
    FILE *rf = fopen (rfile, "w");
    fputs ("{\"id\": \"norfolk\", \"name\": \"Norfolk\"}", rf);
    fclose (rf);
    regions_t *regions = regions_new (rdir, regerr, sizeof regerr);
    ok (regions && regions_known (regions, "norfolk", 100) && !regions_known (regions, "suffolk", 100)
        && !regions_known (regions, "NORFOLK", 100) && !regions_known (regions, "", 100)
        && !regions_known (regions, NULL, 100), "a region is known by its file's id, exactly");
    snprintf (rfile, sizeof rfile, "%s/suffolk.json", rdir);
    rf = fopen (rfile, "w");
    fputs ("{\"id\": \"suffolk\"}", rf);
    fclose (rf);
    //  The directory's mtime as a file system with coarse clocks may not
    //  have moved it within the test's few microseconds.
    struct timespec moved [2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
    utimensat (AT_FDCWD, rdir, moved, 0);
    ok (regions_known (regions, "suffolk", 100), "a region whose file is added is known at once");
    char other [128];
    snprintf (other, sizeof other, "%s/norfolk.json", rdir);
    rf = fopen (other, "w");
    fputs ("{\"id\": \"essex\"}", rf);
    fclose (rf);
    ok (!regions_known (regions, "essex", 100), "a file changed in place is read again at most once a second");
    ok (regions_known (regions, "essex", 101) && !regions_known (regions, "norfolk", 101),
        "and a second later its new id is known, its old one not");
    regions_destroy (&regions);
    unlink (rfile);
    unlink (other);
    rmdir (rdir);

    //  request.c: content type, idempotency key, input
    ok (request_is_json ("application/json", 16) && request_is_json ("Application/JSON; charset=utf-8", 31)
        && !request_is_json ("application/jsonx", 17) && !request_is_json ("text/plain", 10)
        && !request_is_json (NULL, 0), "application/json with or without parameters");
    char key [REQUEST_MAX_KEY + 1];
    request_error_t rerr;
    ok (request_idempotency_key (NULL, 0, key, &rerr) == 0 && *key == 0, "no Idempotency-Key is fine");
    ok (request_idempotency_key ("k-1", 3, key, &rerr) == 0 && strcmp (key, "k-1") == 0, "a key is copied");
    ok (request_idempotency_key ("a\tb", 3, key, &rerr) == -1 && rerr.status == 400
        && strcmp (rerr.problem.field, "Idempotency-Key") == 0, "a control character in the key is 400 naming it");
    char long_key [300];
    memset (long_key, 'k', sizeof long_key);
    ok (request_idempotency_key (long_key, 201, key, &rerr) == -1, "a 201-character key is refused");
    ok (s_match ("POST", "/v1/referrals", &m, allow) == 0, "the create route");
    json_t *in = request_input (&m, 1024, "text/plain", 10, "{}", 2, NULL, 0, &rerr);
    ok (!in && rerr.status == 415 && strcmp (rerr.code, "unsupported_media_type") == 0, "415 for text/plain");
    char big [2000];
    memset (big, ' ', sizeof big);
    big [0] = '{';
    big [sizeof big - 1] = '}';
    in = request_input (&m, 1024, "application/json", 16, big, sizeof big, NULL, 0, &rerr);
    ok (!in && rerr.status == 413 && strcmp (rerr.code, "too_large") == 0, "413 over the limit");
    is_str (rerr.problem.message, "the body is over the limit of 1 KiB (1024 bytes) for this call",
            "the 413 states the limit it applied");
    char limit [64];
    request_limit_text (1024 * 1024, limit, sizeof limit);
    is_str (limit, "1 MiB (1048576 bytes)", "a limit in MiB");
    request_limit_text (1500, limit, sizeof limit);
    is_str (limit, "1500 bytes", "a limit that is no whole KiB in bytes");
    in = request_input (&m, 1024, "application/json", 16, "{\"a\":", 5, NULL, 0, &rerr);
    ok (!in && rerr.status == 400 && strstr (rerr.problem.message, "malformed JSON"), "400 for malformed JSON");
    in = request_input (&m, 1024, "application/json", 16, "[]", 2, NULL, 0, &rerr);
    ok (!in && rerr.status == 400 && strstr (rerr.problem.message, "object"), "400 for a non-object body");
    in = request_input (&m, 1024, "application/json", 16, "{\"source\":\"self\"}", 17, NULL, 0, &rerr);
    ok (in && json_is_object (in), "a JSON object is the input");
    json_decref (in);
    ok (s_match ("GET", "/v1/referrals/r-1", &m, allow) == 0, "the read route");
    in = request_input (&m, 1024, NULL, 0, NULL, 0, "x=1", 3, &rerr);
    ok (!in && rerr.status == 400, "a query on a route without one is 400");
    in = request_input (&m, 1024, NULL, 0, NULL, 0, NULL, 0, &rerr);
    is_str (json_string_value (json_object_get (in, "id")), "r-1", "the path id becomes the id field");
    json_decref (in);
    ok (s_match ("GET", "/v1/notifications", &m, allow) == 0, "the list route");
    in = request_input (&m, 1024, NULL, 0, NULL, 0, "limit=x", 7, &rerr);
    ok (!in && rerr.status == 400 && strcmp (rerr.problem.field, "limit") == 0, "a bad query parameter is named");

    //  A file route: CSV or NDJSON (parameters allowed), up to its own limit.
    ok (s_match ("POST", "/v1/dsr/imports", &m, allow) == 0, "the import route");
    in = request_input (&m, 1024, "application/json", 16, "{}", 2, NULL, 0, &rerr);
    ok (!in && rerr.status == 415, "a JSON import is 415");
    in = request_input (&m, 1024, "text/csv; charset=utf-8", 23, big, sizeof big, NULL, 0, &rerr);
    is_str (json_string_value (json_object_get (in, "format")), "csv",
            "text/csv over the JSON limit is taken as csv");
    json_decref (in);
    in = request_input (&m, 1024, "application/x-ndjson", 20, "{}", 2, NULL, 0, &rerr);
    is_str (json_string_value (json_object_get (in, "format")), "ndjson", "application/x-ndjson is ndjson");
    json_decref (in);
    in = request_input (&m, 1024, "text/csvx", 9, "a", 1, NULL, 0, &rerr);
    ok (!in && rerr.status == 415, "text/csvx is not text/csv");
    Kw__DsrImportRequest import = KW__DSR_IMPORT_REQUEST__INIT;
    ok (request_attach_file (&import.base, "a,b\n", 4) == 0 && import.has_data && import.data.len == 4
        && memcmp (import.data.data, "a,b\n", 4) == 0, "the file becomes the data field");
    Kw__IdRequest id_request = KW__ID_REQUEST__INIT;
    ok (request_attach_file (&id_request.base, "x", 1) == -1, "a message without a data field is refused");

    //  Two named segments: each becomes the input field the pattern names.
    ok (s_match ("POST", "/v1/cases/c-1/offers/o-2/accept", &m, allow) == 0
        && strcmp (m.route->rpc, "offer.accept") == 0 && strcmp (m.id, "c-1") == 0 && m.param_count == 2,
        "POST /v1/cases/{id}/offers/{offer_id}/accept captures both segments");
    in = request_input (&m, 1024, NULL, 0, NULL, 0, NULL, 0, &rerr);
    ok (in && strcmp (json_string_value (json_object_get (in, "id")), "c-1") == 0
        && strcmp (json_string_value (json_object_get (in, "offer_id")), "o-2") == 0,
        "the case and the offer become the id and offer_id fields");
    json_decref (in);
    ok (s_match ("POST", "/v1/cases/c-1/offers//accept", &m, allow) == -1, "an empty second segment is not a route");
    ok (s_match ("DELETE", "/v1/cases/c-1/team/t-9", &m, allow) == 0 && strcmp (m.route->rpc, "team.remove") == 0
        && strcmp (m.params [1], "t-9") == 0 && strcmp (m.param_names [1], "member_id") == 0,
        "DELETE /v1/cases/{id}/team/{member_id}");
    ok (s_match ("GET", "/v1/cases/c-1/team/t-9", &m, allow) == -2 && strcmp (allow, "DELETE") == 0,
        "a team member takes only DELETE");
    ok (s_match ("PATCH", "/v1/professionals/p-1", &m, allow) == 0
        && strcmp (m.route->rpc, "professional.update") == 0 && m.route->has_body,
        "PATCH /v1/professionals/{id} changes");
    ok (s_match ("DELETE", "/v1/professionals/p-1", &m, allow) == -2 && strcmp (allow, "GET, PATCH") == 0,
        "professionals are never deleted: Allow: %s", allow);
    ok (s_match ("GET", "/v1/me/cases", &m, allow) == 0 && m.route->has_query && m.param_count == 0,
        "GET /v1/me/cases");
    ok (s_match ("POST", "/v1/professionals/import", &m, allow) == 0 && m.route->csv_only,
        "the professionals import takes CSV");
    in = request_input (&m, 1024, "application/x-ndjson", 20, "{}", 2, NULL, 0, &rerr);
    ok (!in && rerr.status == 415 && strstr (rerr.problem.message, "text/csv"), "and not NDJSON");
    in = request_input (&m, 1024, "text/csv", 8, "a", 1, NULL, 0, &rerr);
    is_str (json_string_value (json_object_get (in, "format")), "csv", "CSV is taken");
    json_decref (in);

    //  The OpenAPI document: every route, with its parameters and schemas.
    json_t *doc = openapi_document ();
    is_str (json_string_value (json_object_get (doc, "openapi")), "3.0.3", "an OpenAPI 3 document");
    json_t *paths = json_object_get (doc, "paths");
    size_t count = route_count;
    size_t described = 0;
    for (size_t i = 0; i < count; i++) {
        char method [8] = "";
        for (size_t j = 0; table [i].method [j] && j < 7; j++)
            method [j] = (char) (table [i].method [j] | 0x20);
        described += json_object_get (json_object_get (paths, table [i].pattern), method) != NULL;
    }
    is_int ((int) described, (int) count, "every route is in the document");
    int complete = 1;
    for (size_t i = 0; i < count; i++) {
        char method [8] = "";
        for (size_t j = 0; table [i].method [j] && j < 7; j++)
            method [j] = (char) (table [i].method [j] | 0x20);
        json_t *op = json_object_get (json_object_get (paths, table [i].pattern), method);
        json_t *first = json_array_get (json_object_get (op, "parameters"), 0);
        const char *ref = json_string_value (json_object_get (first, "$ref"));
        int writes = table [i].kind == ROUTE_RPC && strcmp (table [i].method, "GET") != 0;
        complete = complete && json_string_length (json_object_get (op, "summary")) > 0
                && json_array_size (json_object_get (op, "tags")) == 1
                && json_object_get (json_object_get (op, "responses"), "405")
                && writes == (ref && strcmp (ref, "#/components/parameters/IdempotencyKey") == 0);
    }
    ok (complete, "every operation has a summary, a tag and its 405; every write declares Idempotency-Key");
    json_t *admin_op = json_object_get (json_object_get (paths, "/v1/admin/eligibility/re-evaluate"), "post");
    json_t *xroles = json_object_get (admin_op, "x-roles");
    ok (json_array_size (xroles) == 1 && strcmp (json_string_value (json_array_get (xroles, 0)), "admin") == 0
        && strstr (json_string_value (json_object_get (admin_op, "description")), "Roles: admin."),
        "an operation lists its roles (x-roles and its description)");
    json_t *case_roles = json_object_get (json_object_get (json_object_get (paths, "/v1/cases/{id}"), "get"),
                                          "x-roles");
    ok (json_array_size (case_roles) == 4
        && strcmp (json_string_value (json_array_get (case_roles, 3)), "family") == 0,
        "the case's roles are the four that may have a relationship to it");
    json_t *list = json_object_get (json_object_get (paths, "/v1/referrals"), "get");
    json_t *params = json_object_get (list, "parameters");
    int status_param = 0, cursor_param = 0;
    for (size_t i = 0; i < json_array_size (params); i++) {
        const char *name = json_string_value (json_object_get (json_array_get (params, i), "name"));
        status_param |= name && strcmp (name, "status") == 0;
        cursor_param |= name && strcmp (name, "cursor") == 0;
    }
    ok (status_param && cursor_param, "the list's query parameters are described");
    json_t *schemas = json_object_get (json_object_get (doc, "components"), "schemas");
    json_t *referral = json_object_get (json_object_get (schemas, "Referral"), "properties");
    is_str (json_string_value (json_object_get (json_object_get (referral, "child"), "$ref")),
            "#/components/schemas/Child", "a part of a message is a reference to its schema");
    json_t *statuses = json_object_get (json_object_get (referral, "status"), "enum");
    ok (json_array_size (statuses) == 6
        && strcmp (json_string_value (json_array_get (statuses, 0)), "received") == 0,
        "enums are listed by their API names");
    json_t *file_op = json_object_get (json_object_get (paths, "/v1/dsr/imports"), "post");
    ok (json_object_get (json_object_get (json_object_get (file_op, "requestBody"), "content"), "text/csv") != NULL,
        "the import takes text/csv");
    json_t *pro_import = json_object_get (json_object_get (json_object_get (json_object_get (
        json_object_get (paths, "/v1/professionals/import"), "post"), "requestBody"), "content"),
        "application/x-ndjson");
    ok (pro_import == NULL, "the professionals import is described as CSV only");
    json_t *accept = json_object_get (json_object_get (json_object_get (paths,
        "/v1/cases/{id}/offers/{offer_id}/accept"), "post"), "parameters");
    ok (json_array_size (accept) == 3
        && strcmp (json_string_value (json_object_get (json_array_get (accept, 1), "name")), "id") == 0
        && strcmp (json_string_value (json_object_get (json_array_get (accept, 2), "name")), "offer_id") == 0
        && strcmp (json_string_value (json_object_get (json_array_get (accept, 2), "in")), "path") == 0,
        "both path segments are parameters (after the Idempotency-Key header)");
    json_t *health = json_object_get (json_object_get (paths, "/v1/health"), "get");
    ok (json_is_array (json_object_get (health, "security"))
        && json_array_size (json_object_get (health, "security")) == 0, "health needs no token");
    ok (json_object_get (json_object_get (json_object_get (paths, "/v1/referrals/{id}"), "get"), "security") == NULL,
        "a referral read needs the bearer token (the document's default)");
    json_t *entry_params = json_object_get (json_object_get (json_object_get (paths, "/v1/dsr/entries/{id}"),
                                                             "get"), "parameters");
    const char *entry_id = json_string_value (json_object_get (json_array_get (entry_params, 0), "description"));
    ok (entry_id && strstr (entry_id, "NHS number"), "the DSR entry's {id} is described as the NHS number");
    size_t id_routes;
    const route_t *id_table = routes_table (&id_routes);
    int id_described = 1;
    for (size_t i = 0; i < id_routes; i++)
        if (strstr (id_table [i].pattern, "{id}") && !id_table [i].id_meaning)
            id_described = 0;
    ok (id_described, "every route with an {id} says what the id is");
    json_decref (doc);
    return tap_done ();
}
