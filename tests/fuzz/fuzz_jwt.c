/*  fuzz_jwt: kw_jwt_verify on arbitrary tokens. The first input byte picks
    the mode: even, the rest is the token as received; odd, the rest is
    "header JSON\npayload JSON", encoded and signed here with the secret so
    that the claim checks behind the signature are reached too. A verified
    token must carry sub, region and a valid role, the policy's issuer and
    audience, and times that keep the policy's rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw_jwt.h"

static const unsigned char s_secret [] = "fuzzing-secret-0123456789abcdef";
#define S_SECRET_LEN (sizeof s_secret - 1)
#define S_NOW 1800000000

//  base64url without padding of len bytes, appended at out; returns its length.
static size_t
s_b64 (char *out, size_t size, const unsigned char *data, size_t len)
{
    sodium_bin2base64 (out, size, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return strlen (out);
}

//  Build "b64(header).b64(payload).b64(hmac)" from "header\npayload".
static char *
s_signed_token (const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr (data, '\n', size);
    size_t header_len = nl ? (size_t) (nl - data) : size;
    const uint8_t *payload = nl ? nl + 1 : data + size;
    size_t payload_len = nl ? size - header_len - 1 : 0;
    size_t cap = sodium_base64_ENCODED_LEN (size, sodium_base64_VARIANT_URLSAFE_NO_PADDING) * 2 + 128;
    char *token = malloc (cap);
    if (!token)
        abort ();
    size_t n = s_b64 (token, cap, data, header_len);
    token [n++] = '.';
    n += s_b64 (token + n, cap - n, payload, payload_len);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init (&state, s_secret, S_SECRET_LEN);
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) token, n);
    crypto_auth_hmacsha256_final (&state, mac);
    token [n++] = '.';
    s_b64 (token + n, cap - n, mac, sizeof mac);
    return token;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1 || sodium_init () < 0)
        return 0;
    char *token;
    if (data [0] & 1)
        token = s_signed_token (data + 1, size - 1);
    else {
        token = malloc (size);
        if (!token)
            abort ();
        memcpy (token, data + 1, size - 1);
        token [size - 1] = 0;
    }
    kw_jwt_claims_t claims;
    kw_jwt_policy_t policy;
    char err [128];
    if (kw_jwt_policy_init (&policy, NULL, NULL, NULL, err, sizeof err) != 0)
        abort ();
    if (kw_jwt_verify (token, s_secret, S_SECRET_LEN, &policy, S_NOW, &claims, err, sizeof err) == 0) {
        if (!*claims.sub || !*claims.region || !kw_jwt_role_valid (claims.role))
            abort ();
        if (claims.exp <= S_NOW || claims.iat > S_NOW + policy.skew || claims.nbf > S_NOW + policy.skew
        ||  claims.exp - claims.iat > policy.max_lifetime
        ||  strcmp (claims.iss, policy.issuer) != 0 || strcmp (claims.aud, policy.audience) != 0)
            abort ();
    }
    else
    if (!memchr (err, 0, sizeof err))
        abort ();
    free (token);
    return 0;
}
