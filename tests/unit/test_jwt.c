/*  Tests for kw_jwt: round trip, a token made by another implementation,
    tampering, wrong secret, alg none, missing claims, each claim rule at its
    boundary (exp, iat and nbf with their skew, the longest lifetime, iss,
    aud), the policy's settings and the secrets. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "kw_jwt.h"
#include "tap.h"

static const unsigned char SECRET [] = "0123456789abcdef0123456789abcdef";
#define SECRET_LEN (sizeof SECRET - 1)

static char *
s_b64 (const char *text)
{
    size_t size = sodium_base64_ENCODED_LEN (strlen (text), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc (size);
    sodium_bin2base64 (out, size, (const unsigned char *) text, strlen (text),
                       sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

//  A token with any header and payload, signed with SECRET.
static char *
s_forge (const char *header, const char *payload, int sign)
{
    char *h = s_b64 (header), *p = s_b64 (payload);
    char *signing = malloc (strlen (h) + strlen (p) + 2);
    sprintf (signing, "%s.%s", h, p);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init (&st, SECRET, SECRET_LEN);
    crypto_auth_hmacsha256_update (&st, (unsigned char *) signing, strlen (signing));
    crypto_auth_hmacsha256_final (&st, mac);
    char sig [64];
    sodium_bin2base64 (sig, sizeof sig, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *token = malloc (strlen (signing) + sizeof sig + 2);
    sprintf (token, "%s.%s", signing, sign ? sig : "");
    free (h);
    free (p);
    free (signing);
    return token;
}

#define NOW 1800000000
static kw_jwt_policy_t s_policy;

//  Verify a token signed with SECRET whose payload is the claims a coordinator of
//  norfolk has plus extra (JSON members, may be ""); err gets the reason.
static int
s_verify_claims (const char *extra, int64_t now, char *err, size_t size)
{
    char payload [1024];
    snprintf (payload, sizeof payload, "{\"sub\":\"a\",\"role\":\"coordinator\",\"region\":\"norfolk\"%s%s}",
              *extra ? "," : "", extra);
    char *token = s_forge ("{\"alg\":\"HS256\"}", payload, 1);
    kw_jwt_claims_t got;
    int rc = kw_jwt_verify (token, SECRET, SECRET_LEN, &s_policy, now, &got, err, size);
    free (token);
    return rc;
}

//  The standard claims with iat, exp and more (JSON members after them).
static int
s_verify_times (int64_t iat, int64_t exp, const char *more, char *err, size_t size)
{
    char extra [512];
    snprintf (extra, sizeof extra, "\"iss\":\"kw-local\",\"aud\":\"kw-api\",\"iat\":%lld,\"exp\":%lld%s%s",
              (long long) iat, (long long) exp, *more ? "," : "", more);
    return s_verify_claims (extra, NOW, err, size);
}

int
main (void)
{
    char err [128] = "";
    ok (kw_jwt_policy_init (&s_policy, NULL, "", NULL, err, sizeof err) == 0
        && strcmp (s_policy.issuer, "kw-local") == 0 && strcmp (s_policy.audience, "kw-api") == 0
        && s_policy.max_lifetime == 43200 && s_policy.skew == 60, "the policy's defaults: kw-local, kw-api, 12 h, 60 s");
    kw_jwt_policy_t p;
    ok (kw_jwt_policy_init (&p, "idp", "api", "3600", err, sizeof err) == 0 && strcmp (p.issuer, "idp") == 0
        && strcmp (p.audience, "api") == 0 && p.max_lifetime == 3600, "the policy from the environment's values");
    ok (kw_jwt_policy_init (&p, NULL, NULL, "59", err, sizeof err) == -1 && strstr (err, "KW_JWT_MAX_LIFETIME")
        && kw_jwt_policy_init (&p, NULL, NULL, "604801", err, sizeof err) == -1
        && kw_jwt_policy_init (&p, NULL, NULL, "12h", err, sizeof err) == -1
        && kw_jwt_policy_init (&p, NULL, NULL, "604800", err, sizeof err) == 0,
        "the longest lifetime is 60 s to 7 days, in seconds, named when wrong");

    kw_jwt_claims_t claims = { .iat = NOW - 3600, .exp = NOW - 3600 + 43200 };
    strcpy (claims.sub, "alice");
    strcpy (claims.role, "coordinator");
    strcpy (claims.region, "norfolk");
    strcpy (claims.agency, "Riverside");
    strcpy (claims.iss, "kw-local");
    strcpy (claims.aud, "kw-api");
    char *token = kw_jwt_sign (&claims, SECRET, SECRET_LEN, err, sizeof err);
    ok (token != NULL, "a token is signed");
    kw_jwt_claims_t got;
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == 0,
        "it verifies: %s", err);
    is_str (got.sub, "alice", "sub");
    is_str (got.role, "coordinator", "role");
    is_str (got.region, "norfolk", "region");
    is_str (got.agency, "Riverside", "agency");
    is_str (got.iss, "kw-local", "iss");
    is_str (got.aud, "kw-api", "aud");
    is_int (got.exp, claims.exp, "exp");
    is_int (got.iat, claims.iat, "iat");
    //  RFC 7519 4.1.4: not accepted on or after exp (no skew on exp)
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, &s_policy, claims.exp, &got, err, sizeof err) == -1
        && strstr (err, "expired"), "a token is refused at the second of its exp");
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, &s_policy, claims.exp - 1, &got, err, sizeof err) == 0,
        "a token is accepted in the second before its exp");
    ok (kw_jwt_verify (token, (const unsigned char *) "another-secret-0123456789abcdefgh", 33, &s_policy, NOW,
                       &got, err, sizeof err) == -1, "a wrong secret is refused");
    char *tampered = strdup (token);
    char *dot = strchr (tampered, '.');
    dot [3] = dot [3] == 'A' ? 'B' : 'A';
    ok (kw_jwt_verify (tampered, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == -1,
        "a changed payload is refused");
    free (tampered);
    free (token);

    //  exp: required, a whole number
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":\"kw-api\",\"iat\":1800000000", NOW, err, sizeof err) == -1
        && strstr (err, "lacks the exp"), "a token without exp is refused, naming exp");
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":\"kw-api\",\"iat\":1800000000,\"exp\":0", NOW, err,
                         sizeof err) == -1 && strstr (err, "expired"), "exp 0 is not 'never': it has expired");
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":\"kw-api\",\"iat\":1800000000,\"exp\":\"1800000600\"", NOW,
                         err, sizeof err) == -1 && strstr (err, "exp"), "exp as a string is refused");
    //  iat: required, at most 60 s ahead
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":\"kw-api\",\"exp\":1800000600", NOW, err, sizeof err) == -1
        && strstr (err, "lacks the iat"), "a token without iat is refused, naming iat");
    ok (s_verify_times (NOW + 60, NOW + 600, "", err, sizeof err) == 0, "iat 60 s ahead is within the skew");
    ok (s_verify_times (NOW + 61, NOW + 600, "", err, sizeof err) == -1 && strstr (err, "iat"),
        "iat 61 s ahead is refused");
    //  nbf: optional, at most 60 s ahead
    ok (s_verify_times (NOW - 10, NOW + 600, "\"nbf\":1800000060", err, sizeof err) == 0,
        "nbf 60 s ahead is within the skew");
    ok (s_verify_times (NOW - 10, NOW + 600, "\"nbf\":1800000061", err, sizeof err) == -1 && strstr (err, "nbf"),
        "nbf 61 s ahead is refused");
    ok (s_verify_times (NOW - 10, NOW + 600, "\"nbf\":\"now\"", err, sizeof err) == -1 && strstr (err, "nbf"),
        "nbf that is not a number is refused");
    //  lifetime: exp - iat at most the policy's
    ok (s_verify_times (NOW - 100, NOW - 100 + 43200, "", err, sizeof err) == 0, "a lifetime of exactly 12 h is accepted");
    ok (s_verify_times (NOW - 100, NOW - 100 + 43201, "", err, sizeof err) == -1 && strstr (err, "lifetime"),
        "a lifetime of 12 h and a second is refused");
    ok (s_verify_times (NOW + 30, NOW + 30, "", err, sizeof err) == -1 && strstr (err, "lifetime"),
        "exp equal to iat is refused");
    //  iss and aud
    ok (s_verify_claims ("\"aud\":\"kw-api\",\"iat\":1800000000,\"exp\":1800000600", NOW, err, sizeof err) == -1
        && strstr (err, "lacks the iss"), "a token without iss is refused");
    ok (s_verify_claims ("\"iss\":\"kw-locals\",\"aud\":\"kw-api\",\"iat\":1800000000,\"exp\":1800000600", NOW, err,
                         sizeof err) == -1 && strstr (err, "issuer"), "another issuer is refused");
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"iat\":1800000000,\"exp\":1800000600", NOW, err, sizeof err) == -1
        && strstr (err, "aud"), "a token without aud is refused");
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":\"kw-api2\",\"iat\":1800000000,\"exp\":1800000600", NOW, err,
                         sizeof err) == -1 && strstr (err, "audience"), "another audience is refused");
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":[\"x\",\"kw-api\"],\"iat\":1800000000,\"exp\":1800000600",
                         NOW, err, sizeof err) == 0, "an audience list holding the API's is accepted");
    ok (s_verify_claims ("\"iss\":\"kw-local\",\"aud\":[\"x\",7],\"iat\":1800000000,\"exp\":1800000600",
                         NOW, err, sizeof err) == -1, "an audience list without the API's is refused");
    ok (kw_jwt_policy_init (&s_policy, "https://idp.example", "kw-prod", "600", err, sizeof err) == 0
        && s_verify_claims ("\"iss\":\"https://idp.example\",\"aud\":\"kw-prod\",\"iat\":1800000000,"
                            "\"exp\":1800000600", NOW, err, sizeof err) == 0
        && s_verify_claims ("\"iss\":\"https://idp.example\",\"aud\":\"kw-prod\",\"iat\":1800000000,"
                            "\"exp\":1800000601", NOW, err, sizeof err) == -1
        && s_verify_claims ("\"iss\":\"kw-local\",\"aud\":\"kw-prod\",\"iat\":1800000000,"
                            "\"exp\":1800000600", NOW, err, sizeof err) == -1,
        "a configured issuer, audience and lifetime are the ones checked");
    kw_jwt_policy_init (&s_policy, NULL, NULL, NULL, err, sizeof err);

    char *other = s_forge ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                           "{\"sub\":\"bob\",\"role\":\"referrer\",\"region\":\"nhse\",\"iss\":\"kw-local\","
                           "\"aud\":\"kw-api\",\"iat\":1799999000,\"exp\":1800001000}", 1);
    ok (kw_jwt_verify (other, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == 0
        && strcmp (got.sub, "bob") == 0, "a token signed elsewhere verifies");
    free (other);
    char *none = s_forge ("{\"alg\":\"none\"}", "{\"sub\":\"eve\",\"role\":\"admin\",\"region\":\"norfolk\"}", 0);
    ok (kw_jwt_verify (none, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == -1,
        "alg none is refused");
    free (none);
    char *none_signed = s_forge ("{\"alg\":\"none\"}", "{\"sub\":\"eve\",\"role\":\"admin\",\"region\":\"norfolk\"}", 1);
    ok (kw_jwt_verify (none_signed, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == -1
        && strstr (err, "HS256"), "any algorithm but HS256 is refused");
    free (none_signed);
    char *no_region = s_forge ("{\"alg\":\"HS256\"}", "{\"sub\":\"eve\",\"role\":\"admin\"}", 1);
    ok (kw_jwt_verify (no_region, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == -1
        && strstr (err, "region"), "a missing region claim is named");
    free (no_region);
    ok (s_verify_times (NOW, NOW + 600, "\"role\":\"root\"", err, sizeof err) == -1,
        "a duplicate role claim is refused");
    char *bad_role = s_forge ("{\"alg\":\"HS256\"}", "{\"sub\":\"eve\",\"role\":\"root\",\"region\":\"x\","
                              "\"iss\":\"kw-local\",\"aud\":\"kw-api\",\"iat\":1800000000,\"exp\":1800000600}", 1);
    ok (kw_jwt_verify (bad_role, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == -1
        && strstr (err, "role"), "an unknown role is refused");
    free (bad_role);
    char *bad_json = s_forge ("{\"alg\":\"HS256\"}", "not json", 1);
    ok (kw_jwt_verify (bad_json, SECRET, SECRET_LEN, &s_policy, NOW, &got, err, sizeof err) == -1,
        "a payload that is not JSON is refused");
    free (bad_json);
    ok (kw_jwt_verify ("a.b", SECRET, SECRET_LEN, &s_policy, 0, &got, err, sizeof err) == -1, "two parts are refused");
    ok (kw_jwt_verify ("a.b.c.d", SECRET, SECRET_LEN, &s_policy, 0, &got, err, sizeof err) == -1,
        "four parts are refused");
    ok (kw_jwt_verify ("", SECRET, SECRET_LEN, &s_policy, 0, &got, err, sizeof err) == -1, "empty is refused");
    ok (kw_jwt_verify (NULL, SECRET, SECRET_LEN, &s_policy, 0, &got, err, sizeof err) == -1, "NULL is refused");
    ok (kw_jwt_verify ("..", SECRET, SECRET_LEN, &s_policy, 0, &got, err, sizeof err) == -1,
        "empty parts are refused");

    kw_jwt_claims_t bad = { .exp = 0 };
    strcpy (bad.role, "coordinator");
    ok (kw_jwt_sign (&bad, SECRET, SECRET_LEN, err, sizeof err) == NULL, "signing needs sub and region");

    size_t len = 0;
    unsigned char *s = kw_jwt_secret_load ("0123456789abcdef0123456789abcdef", NULL, &len, err, sizeof err);
    ok (s && len == 32, "a secret of 32 bytes from the environment");
    free (s);
    ok (kw_jwt_secret_load ("0123456789abcdef0123456789abcde", NULL, &len, err, sizeof err) == NULL
        && strstr (err, "32 bytes"), "a secret of 31 bytes is refused");
    ok (kw_jwt_secret_load ("change-me-local-only-secret-0123456789", NULL, &len, err, sizeof err) == NULL
        && strstr (err, "published"), "the secret compose once had as its default is refused");
    char path [64];
    snprintf (path, sizeof path, "/tmp/kw-jwt-secret-%d", (int) getpid ());
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ok (write (fd, "fedcba9876543210fedcba9876543210\n", 33) == 33, "secret file written");
    close (fd);
    s = kw_jwt_secret_load ("", path, &len, err, sizeof err);
    ok (s && len == 32 && memcmp (s, "fedcba9876543210fedcba9876543210", 32) == 0, "a secret file, newline trimmed");
    free (s);
    unlink (path);
    ok (kw_jwt_secret_load (NULL, path, &len, err, sizeof err) == NULL, "a missing file is refused");
    ok (kw_jwt_role_valid ("dsr_feed") && !kw_jwt_role_valid ("superuser") && !kw_jwt_role_valid (NULL),
        "roles are the platform's six");
    static const char *const readers [] = { "admin", "coordinator", NULL };
    ok (kw_jwt_role_in ("coordinator", readers) && !kw_jwt_role_in ("family", readers)
        && !kw_jwt_role_in (NULL, readers), "role_in matches only the listed roles");
    return tap_done ();
}
