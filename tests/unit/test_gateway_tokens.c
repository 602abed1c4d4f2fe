/*  Tests for the gateway's kept tokens: a value verified once is answered
    again without its signature being checked, its time claims still are;
    another value (one byte changed) is verified on its own; no table at
    all is request_bearer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../services/gateway/tokens.h"
#include "tap.h"

static const unsigned char SECRET [] = "0123456789abcdef0123456789abcdef";
static const unsigned char OTHER [] = "fedcba9876543210fedcba9876543210";
#define SECRET_LEN (sizeof SECRET - 1)
#define NOW 1800000000

static int
s_bearer (tokens_t *tokens, const char *value, const unsigned char *secret, int64_t now,
          kw_jwt_claims_t *claims, request_error_t *err)
{
    kw_jwt_policy_t policy;
    char why [128];
    kw_jwt_policy_init (&policy, NULL, NULL, NULL, why, sizeof why);
    return tokens_bearer (tokens, value, strlen (value), secret, SECRET_LEN, &policy, now, claims, err);
}

int
main (void)
{
    kw_jwt_claims_t made = { .sub = "u-1", .role = "coordinator", .region = "norfolk",
                             .iss = KW_JWT_DEFAULT_ISSUER, .aud = KW_JWT_DEFAULT_AUDIENCE,
                             .iat = NOW, .exp = NOW + 3600 };
    char why [128];
    char *token = kw_jwt_sign (&made, SECRET, SECRET_LEN, why, sizeof why);
    char value [1024];
    snprintf (value, sizeof value, "Bearer %s", token);
    tokens_t *tokens = tokens_new ();
    kw_jwt_claims_t claims;
    request_error_t err;

    ok (s_bearer (tokens, value, SECRET, NOW, &claims, &err) == 0 && strcmp (claims.sub, "u-1") == 0
        && strcmp (claims.region, "norfolk") == 0, "a valid token verifies and its claims are read");
    memset (&claims, 0, sizeof claims);
    ok (s_bearer (tokens, value, OTHER, NOW + 10, &claims, &err) == 0 && strcmp (claims.role, "coordinator") == 0
        && claims.exp == NOW + 3600, "the same value again is answered from the kept tokens (no signature check)");
    ok (s_bearer (tokens, value, SECRET, NOW + 3600, &claims, &err) == -1 && err.status == 401
        && strstr (err.problem.message, "expired"), "a kept token is refused once it expires (%s)",
        err.problem.message);

    char tampered [1024];
    snprintf (tampered, sizeof tampered, "%s", value);
    tampered [strlen (tampered) - 2] = tampered [strlen (tampered) - 2] == 'A' ? 'B' : 'A';
    ok (s_bearer (tokens, tampered, SECRET, NOW, &claims, &err) == -1
        && strstr (err.problem.message, "signature"), "a value one byte away is verified on its own (%s)",
        err.problem.message);
    ok (s_bearer (tokens, value, OTHER, NOW, &claims, &err) == 0, "the kept value is still answered");

    ok (s_bearer (NULL, value, OTHER, NOW, &claims, &err) == -1, "with no table every value is verified");
    ok (s_bearer (tokens, "Basic abc", SECRET, NOW, &claims, &err) == -1 && err.status == 401,
        "a header that is not a bearer token is refused");
    tokens_destroy (&tokens);
    ok (tokens == NULL, "destroy clears the pointer");
    free (token);
    return tap_done ();
}
