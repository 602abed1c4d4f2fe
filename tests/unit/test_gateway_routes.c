/*  Tests for the gateway's route table: matching, 404 and 405, the {id}
    segment, and query parameters as typed input fields. */
#include <string.h>
#include "../../services/gateway/routes.h"
#include "kw/notification.pb-c.h"
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
    ok (s_match ("DELETE", "/v1/referrals", &m, allow) == -2 && strcmp (allow, "POST") == 0,
        "a known path with another method is 405 with Allow: %s", allow);
    ok (s_match ("GET", "/v1/nothing", &m, allow) == -1, "an unknown path is 404");
    ok (s_match ("GET", "/v1/health", &m, allow) == 0 && m.route->kind == ROUTE_HEALTH, "health");
    ok (s_match ("GET", "/metrics", &m, allow) == 0 && m.route->kind == ROUTE_METRICS, "metrics");
    ok (s_match ("GET", "/v1/cases/c1", &m, allow) == 0 && m.route->service == SERVICE_ASSIGNMENT,
        "cases go to assignment");
    ok (s_match ("GET", "/v1/notifications", &m, allow) == 0 && m.route->has_query, "notifications take a query");
    char long_id [200];
    memset (long_id, 'a', sizeof long_id);
    strcpy (long_id, "/v1/referrals/");
    memset (long_id + 14, 'a', 150);
    long_id [164] = 0;
    ok (s_match ("GET", long_id, &m, allow) == -1, "an over-long id is not a route");

    json_t *obj = json_object ();
    kw_pbjson_error_t err;
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
    return tap_done ();
}
