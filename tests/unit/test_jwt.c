/*  Tests for kw_jwt: round trip, a token made by another implementation,
    tampering, wrong secret, alg none, expiry, missing claims, secrets. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "kw_jwt.h"
#include "tap.h"

static const unsigned char SECRET [] = "0123456789abcdef0123";
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

int
main (void)
{
    char err [128] = "";
    kw_jwt_claims_t claims = { .exp = 2000000000, .iat = 1700000000 };
    strcpy (claims.sub, "alice");
    strcpy (claims.role, "coordinator");
    strcpy (claims.region, "norfolk");
    strcpy (claims.agency, "Riverside");
    char *token = kw_jwt_sign (&claims, SECRET, SECRET_LEN, err, sizeof err);
    ok (token != NULL, "a token is signed");
    kw_jwt_claims_t got;
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == 0,
        "it verifies: %s", err);
    is_str (got.sub, "alice", "sub");
    is_str (got.role, "coordinator", "role");
    is_str (got.region, "norfolk", "region");
    is_str (got.agency, "Riverside", "agency");
    is_int (got.exp, 2000000000, "exp");
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, 2000000001, &got, err, sizeof err) == -1
        && strstr (err, "expired"), "an expired token is refused");
    //  RFC 7519 4.1.4: not accepted on or after exp
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, 2000000000, &got, err, sizeof err) == -1
        && strstr (err, "expired"), "a token is refused at the second of its exp");
    ok (kw_jwt_verify (token, SECRET, SECRET_LEN, 1999999999, &got, err, sizeof err) == 0,
        "a token is accepted in the second before its exp");
    ok (kw_jwt_verify (token, (const unsigned char *) "another-secret-xx", 17, 1800000000, &got, err, sizeof err) == -1,
        "a wrong secret is refused");
    char *tampered = strdup (token);
    char *dot = strchr (tampered, '.');
    dot [3] = dot [3] == 'A' ? 'B' : 'A';
    ok (kw_jwt_verify (tampered, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == -1,
        "a changed payload is refused");
    free (tampered);
    free (token);

    char *other = s_forge ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                           "{\"sub\":\"bob\",\"role\":\"referrer\",\"region\":\"nhse\",\"exp\":2000000000}", 1);
    ok (kw_jwt_verify (other, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == 0
        && strcmp (got.sub, "bob") == 0, "a token signed elsewhere verifies");
    free (other);
    char *none = s_forge ("{\"alg\":\"none\"}", "{\"sub\":\"eve\",\"role\":\"admin\",\"region\":\"norfolk\"}", 0);
    ok (kw_jwt_verify (none, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == -1,
        "alg none is refused");
    free (none);
    char *none_signed = s_forge ("{\"alg\":\"none\"}", "{\"sub\":\"eve\",\"role\":\"admin\",\"region\":\"norfolk\"}", 1);
    ok (kw_jwt_verify (none_signed, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == -1
        && strstr (err, "HS256"), "any algorithm but HS256 is refused");
    free (none_signed);
    char *no_region = s_forge ("{\"alg\":\"HS256\"}", "{\"sub\":\"eve\",\"role\":\"admin\"}", 1);
    ok (kw_jwt_verify (no_region, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == -1
        && strstr (err, "region"), "a missing region claim is named");
    free (no_region);
    char *bad_role = s_forge ("{\"alg\":\"HS256\"}", "{\"sub\":\"eve\",\"role\":\"root\",\"region\":\"x\"}", 1);
    ok (kw_jwt_verify (bad_role, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == -1,
        "an unknown role is refused");
    free (bad_role);
    char *bad_json = s_forge ("{\"alg\":\"HS256\"}", "not json", 1);
    ok (kw_jwt_verify (bad_json, SECRET, SECRET_LEN, 1800000000, &got, err, sizeof err) == -1,
        "a payload that is not JSON is refused");
    free (bad_json);
    ok (kw_jwt_verify ("a.b", SECRET, SECRET_LEN, 0, &got, err, sizeof err) == -1, "two parts are refused");
    ok (kw_jwt_verify ("a.b.c.d", SECRET, SECRET_LEN, 0, &got, err, sizeof err) == -1, "four parts are refused");
    ok (kw_jwt_verify ("", SECRET, SECRET_LEN, 0, &got, err, sizeof err) == -1, "empty is refused");
    ok (kw_jwt_verify (NULL, SECRET, SECRET_LEN, 0, &got, err, sizeof err) == -1, "NULL is refused");
    ok (kw_jwt_verify ("..", SECRET, SECRET_LEN, 0, &got, err, sizeof err) == -1, "empty parts are refused");

    kw_jwt_claims_t bad = { .exp = 0 };
    strcpy (bad.role, "coordinator");
    ok (kw_jwt_sign (&bad, SECRET, SECRET_LEN, err, sizeof err) == NULL, "signing needs sub and region");

    size_t len = 0;
    unsigned char *s = kw_jwt_secret_load ("0123456789abcdefXYZ", NULL, &len, err, sizeof err);
    ok (s && len == 19, "a secret from the environment");
    free (s);
    ok (kw_jwt_secret_load ("short", NULL, &len, err, sizeof err) == NULL, "a short secret is refused");
    char path [64];
    snprintf (path, sizeof path, "/tmp/kw-jwt-secret-%d", (int) getpid ());
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ok (write (fd, "fedcba9876543210fedcba\n", 23) == 23, "secret file written");
    close (fd);
    s = kw_jwt_secret_load ("", path, &len, err, sizeof err);
    ok (s && len == 22 && memcmp (s, "fedcba9876543210fedcba", 22) == 0, "a secret file, newline trimmed");
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
