/*  kw_jwt: HS256 JSON Web Tokens: compact serialisation with base64url
    without padding, HMAC-SHA-256 from libsodium, claims parsed with jansson. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "kw_jwt.h"

#define MAX_TOKEN 8192

//  Secrets that were once published as examples (the old compose default):
//  never accepted.
static const char *const s_published [] = {
    "change-me-local-only-secret-0123456789", NULL
};

static const char *const s_roles [] = {
    "admin", "coordinator", "key_worker", "referrer", "dsr_feed", "family", NULL
};

int
kw_jwt_role_in (const char *role, const char *const *roles)
{
    for (; role && *roles; roles++)
        if (strcmp (role, *roles) == 0)
            return 1;
    return 0;
}

int
kw_jwt_role_valid (const char *role)
{
    return kw_jwt_role_in (role, s_roles);
}

//  base64url of len bytes, without padding; caller frees.
static char *
s_b64 (const unsigned char *data, size_t len)
{
    size_t size = sodium_base64_ENCODED_LEN (len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc (size);
    if (out)
        sodium_bin2base64 (out, size, data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

//  Decode base64url (no padding) into a new NUL-terminated buffer.
static unsigned char *
s_unb64 (const char *text, size_t len, size_t *out_len)
{
    unsigned char *out = malloc (len + 1);
    if (!out)
        return NULL;
    const char *end = NULL;
    if (sodium_base642bin (out, len, text, len, NULL, out_len, &end,
                           sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0
    ||  end != text + len) {
        free (out);
        return NULL;
    }
    out [*out_len] = 0;
    return out;
}

void
kw_hmac_sha256 (const unsigned char *key, size_t key_len, const void *data, size_t len,
                unsigned char mac [crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init (&state, key, key_len);
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) data, len);
    crypto_auth_hmacsha256_final (&state, mac);
}

char *
kw_jwt_sign (const kw_jwt_claims_t *claims, const unsigned char *secret,
             size_t secret_len, char *err, size_t err_size)
{
    if (sodium_init () < 0) {
        snprintf (err, err_size, "libsodium failed to initialise");
        return NULL;
    }
    if (!*claims->sub || !*claims->region || !kw_jwt_role_valid (claims->role)) {
        snprintf (err, err_size, "sub, region and a valid role are required");
        return NULL;
    }
    json_t *payload = json_pack ("{s:s, s:s, s:s}", "sub", claims->sub,
                                 "role", claims->role, "region", claims->region);
    if (*claims->iss)
        json_object_set_new (payload, "iss", json_string (claims->iss));
    if (*claims->aud)
        json_object_set_new (payload, "aud", json_string (claims->aud));
    if (claims->nbf)
        json_object_set_new (payload, "nbf", json_integer (claims->nbf));
    if (*claims->agency)
        json_object_set_new (payload, "agency", json_string (claims->agency));
    if (*claims->professional_id)
        json_object_set_new (payload, "professional_id", json_string (claims->professional_id));
    if (claims->iat)
        json_object_set_new (payload, "iat", json_integer (claims->iat));
    if (claims->exp)
        json_object_set_new (payload, "exp", json_integer (claims->exp));
    char *body = json_dumps (payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref (payload);
    char *token = body ? kw_jwt_sign_payload (body, secret, secret_len) : NULL;
    free (body);
    if (!token)
        snprintf (err, err_size, "out of memory");
    return token;
}

char *
kw_jwt_sign_payload (const char *payload, const unsigned char *secret, size_t secret_len)
{
    if (sodium_init () < 0)
        return NULL;
    static const char header [] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char *h64 = s_b64 ((const unsigned char *) header, strlen (header));
    char *p64 = s_b64 ((const unsigned char *) payload, strlen (payload));
    char *token = NULL;
    if (h64 && p64) {
        size_t signing_len = strlen (h64) + 1 + strlen (p64);
        char *signing = malloc (signing_len + 1);
        if (signing) {
            snprintf (signing, signing_len + 1, "%s.%s", h64, p64);
            unsigned char mac [crypto_auth_hmacsha256_BYTES];
            kw_hmac_sha256 (secret, secret_len, signing, signing_len, mac);
            char *s64 = s_b64 (mac, sizeof mac);
            if (s64 && (token = malloc (signing_len + 2 + strlen (s64))))
                sprintf (token, "%s.%s", signing, s64);
            free (s64);
            free (signing);
        }
    }
    free (h64);
    free (p64);
    return token;
}

//  Copy a string claim; required claims must be present and non-empty.
static int
s_claim (json_t *payload, const char *name, char *out, int required, char *err, size_t err_size)
{
    json_t *value = json_object_get (payload, name);
    if (!value || json_is_null (value)) {
        if (required) {
            snprintf (err, err_size, "token lacks the %s claim", name);
            return -1;
        }
        return 0;
    }
    const char *text = json_string_value (value);
    if (!text || (required && !*text) || strlen (text) >= KW_JWT_CLAIM_SIZE) {
        snprintf (err, err_size, "token claim %s is not a valid string", name);
        return -1;
    }
    strcpy (out, text);
    return 0;
}

static int
s_time_claim (json_t *payload, const char *name, int64_t *out, int required, char *err, size_t err_size)
{
    json_t *value = json_object_get (payload, name);
    if (!value && required) {
        snprintf (err, err_size, "token lacks the %s claim", name);
        return -1;
    }
    if (!value)
        return 0;
    if (!json_is_integer (value)) {
        snprintf (err, err_size, "token claim %s is not a number", name);
        return -1;
    }
    *out = json_integer_value (value);
    return 0;
}

static int
s_check_header (const char *h64, size_t len, char *err, size_t err_size)
{
    size_t header_len = 0;
    unsigned char *text = s_unb64 (h64, len, &header_len);
    json_t *header = text ? json_loadb ((const char *) text, header_len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free (text);
    const char *alg = json_string_value (json_object_get (header, "alg"));
    int rc = alg && strcmp (alg, "HS256") == 0 ? 0 : -1;
    if (rc != 0)
        snprintf (err, err_size, header ? "token algorithm must be HS256" : "token header is malformed");
    json_decref (header);
    return rc;
}

//  aud: the audience itself, or an array of strings holding it.
static int
s_audience (json_t *payload, const char *audience, kw_jwt_claims_t *claims, char *err, size_t err_size)
{
    json_t *aud = json_object_get (payload, "aud");
    int found = json_is_string (aud) && strcmp (json_string_value (aud), audience) == 0;
    size_t i;
    json_t *item;
    if (json_is_array (aud))
        json_array_foreach (aud, i, item)
            found = found || (json_is_string (item) && strcmp (json_string_value (item), audience) == 0);
    if (!found) {
        snprintf (err, err_size, aud ? "token audience (aud) is not this API's" : "token lacks the aud claim");
        return -1;
    }
    snprintf (claims->aud, sizeof claims->aud, "%s", audience);
    return 0;
}

int
kw_jwt_check_claims (const kw_jwt_claims_t *claims, const kw_jwt_policy_t *policy, int64_t now,
                char *err, size_t err_size)
{
    const char *why = NULL;
    if (!kw_jwt_role_valid (claims->role))
        why = "token role is not one of the platform's roles";
    else
    if (strcmp (claims->iss, policy->issuer) != 0)
        why = "token issuer (iss) is not the one this API trusts";
    else
    if (claims->exp <= now)
        why = "token has expired";
    else
    if (claims->iat > now + policy->skew)
        why = "token is issued in the future (iat)";
    else
    if (claims->nbf > now + policy->skew)
        why = "token is not valid yet (nbf)";
    else
    if (claims->exp <= claims->iat || claims->exp - claims->iat > policy->max_lifetime)
        why = "token lifetime (exp - iat) is over the maximum this API accepts";
    if (why)
        snprintf (err, err_size, "%s", why);
    return why ? -1 : 0;
}

int
kw_jwt_policy_init (kw_jwt_policy_t *policy, const char *issuer, const char *audience,
                    const char *max_lifetime, char *err, size_t err_size)
{
    *policy = (kw_jwt_policy_t) {
        .issuer = issuer && *issuer ? issuer : KW_JWT_DEFAULT_ISSUER,
        .audience = audience && *audience ? audience : KW_JWT_DEFAULT_AUDIENCE,
        .max_lifetime = KW_JWT_DEFAULT_LIFETIME, .skew = KW_JWT_SKEW
    };
    if (strlen (policy->issuer) >= KW_JWT_CLAIM_SIZE || strlen (policy->audience) >= KW_JWT_CLAIM_SIZE) {
        snprintf (err, err_size, "KW_JWT_ISSUER and KW_JWT_AUDIENCE must be under %d bytes", KW_JWT_CLAIM_SIZE);
        return -1;
    }
    if (max_lifetime && *max_lifetime) {
        char *end = NULL;
        long long n = strtoll (max_lifetime, &end, 10);
        if (*end || n < 60 || n > 7 * 86400) {
            snprintf (err, err_size, "KW_JWT_MAX_LIFETIME must be a whole number of seconds from 60 to 604800");
            return -1;
        }
        policy->max_lifetime = n;
    }
    return 0;
}

int
kw_jwt_verify (const char *token, const unsigned char *secret, size_t secret_len,
               const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims,
               char *err, size_t err_size)
{
    memset (claims, 0, sizeof *claims);
    if (sodium_init () < 0) {
        snprintf (err, err_size, "libsodium failed to initialise");
        return -1;
    }
    size_t len = token ? strnlen (token, MAX_TOKEN + 1) : 0;
    const char *dot1 = len && len <= MAX_TOKEN ? strchr (token, '.') : NULL;
    const char *dot2 = dot1 ? strchr (dot1 + 1, '.') : NULL;
    if (!dot2 || strchr (dot2 + 1, '.') || dot1 == token || dot2 == dot1 + 1 || !dot2 [1]) {
        snprintf (err, err_size, "token is not a compact JWT");
        return -1;
    }
    if (s_check_header (token, (size_t) (dot1 - token), err, err_size) != 0)
        return -1;
    size_t sig_len = 0;
    unsigned char *sig = s_unb64 (dot2 + 1, strlen (dot2 + 1), &sig_len);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    kw_hmac_sha256 (secret, secret_len, token, (size_t) (dot2 - token), mac);
    int valid = sig && sig_len == sizeof mac && sodium_memcmp (sig, mac, sizeof mac) == 0;
    free (sig);
    if (!valid) {
        snprintf (err, err_size, "token signature is invalid");
        return -1;
    }
    size_t payload_len = 0;
    unsigned char *text = s_unb64 (dot1 + 1, (size_t) (dot2 - dot1 - 1), &payload_len);
    json_t *payload = text ? json_loadb ((const char *) text, payload_len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free (text);
    if (!json_is_object (payload)) {
        json_decref (payload);
        snprintf (err, err_size, "token payload is malformed");
        return -1;
    }
    int rc = s_claim (payload, "sub", claims->sub, 1, err, err_size)
          || s_claim (payload, "role", claims->role, 1, err, err_size)
          || s_claim (payload, "region", claims->region, 1, err, err_size)
          || s_claim (payload, "agency", claims->agency, 0, err, err_size)
          || s_claim (payload, "professional_id", claims->professional_id, 0, err, err_size)
          || s_claim (payload, "iss", claims->iss, 1, err, err_size)
          || s_audience (payload, policy->audience, claims, err, err_size)
          || s_time_claim (payload, "exp", &claims->exp, 1, err, err_size)
          || s_time_claim (payload, "iat", &claims->iat, 1, err, err_size)
          || s_time_claim (payload, "nbf", &claims->nbf, 0, err, err_size) ? -1 : 0;
    json_decref (payload);
    if (rc == 0)
        rc = kw_jwt_check_claims (claims, policy, now, err, err_size);
    return rc;
}

unsigned char *
kw_jwt_secret_load (const char *secret, const char *secret_file,
                    size_t *len, char *err, size_t err_size)
{
    unsigned char *out = NULL;
    size_t n = 0;
    if (secret && *secret) {
        n = strlen (secret);
        out = (unsigned char *) strdup (secret);
    }
    else
    if (secret_file && *secret_file) {
        FILE *file = fopen (secret_file, "rb");
        if (!file) {
            snprintf (err, err_size, "cannot read the secret file named by KW_JWT_SECRET_FILE");
            return NULL;
        }
        out = malloc (4097);
        n = out ? fread (out, 1, 4096, file) : 0;
        fclose (file);
        while (n > 0 && (out [n - 1] == '\n' || out [n - 1] == '\r'))
            n--;
    }
    if (!out || n < KW_JWT_MIN_SECRET) {
        free (out);
        snprintf (err, err_size, "KW_JWT_SECRET (or KW_JWT_SECRET_FILE) must hold at least %d bytes",
                  KW_JWT_MIN_SECRET);
        return NULL;
    }
    out [n] = 0;
    for (const char *const *p = s_published; *p; p++)
        if (strcmp ((const char *) out, *p) == 0) {
            free (out);
            snprintf (err, err_size, "KW_JWT_SECRET (or KW_JWT_SECRET_FILE) is an example value that was"
                      " published; make a random one (deploy/docker/secrets.sh)");
            return NULL;
        }
    *len = n;
    return out;
}
