/*  kw_jwt: JSON Web Tokens signed with HS256 (RFC 7519 / RFC 7515), the
    claims the platform uses (the caller a request carries, docs/design.md
    "RPC"). Only HS256 is accepted; "alg": "none" and every other algorithm
    are rejected. */
#ifndef KW_JWT_H
#define KW_JWT_H

#include <stddef.h>
#include <stdint.h>

#define KW_JWT_CLAIM_SIZE 128

typedef struct {
    char sub [KW_JWT_CLAIM_SIZE];
    char role [KW_JWT_CLAIM_SIZE];
    char region [KW_JWT_CLAIM_SIZE];
    char agency [KW_JWT_CLAIM_SIZE];
    char professional_id [KW_JWT_CLAIM_SIZE];
    char iss [KW_JWT_CLAIM_SIZE];
    char aud [KW_JWT_CLAIM_SIZE];   //  the audience the token was checked for (or signed with)
    int64_t exp;                //  seconds since the epoch, required
    int64_t iat;                //  required
    int64_t nbf;                //  0 = none
} kw_jwt_claims_t;

//  What a token must satisfy besides its signature. Defaults:
//  KW_JWT_ISSUER "kw-local", KW_JWT_AUDIENCE "kw-api", 12 hours, 60 s.
#define KW_JWT_DEFAULT_ISSUER "kw-local"
#define KW_JWT_DEFAULT_AUDIENCE "kw-api"
#define KW_JWT_DEFAULT_LIFETIME (12 * 3600)
#define KW_JWT_SKEW 60
#define KW_JWT_MIN_SECRET 32

typedef struct {
    const char *issuer;         //  iss must equal it
    const char *audience;       //  aud must equal it, or be an array holding it
    int64_t max_lifetime;       //  exp - iat at most this many seconds
    int64_t skew;               //  iat and nbf may be this far ahead of now
} kw_jwt_policy_t;

//  1 when role is one of the platform's roles.
int kw_jwt_role_valid (const char *role);
//  1 when role is one of roles (NULL-terminated); 0 for a NULL role.
int kw_jwt_role_in (const char *role, const char *const *roles);

//  Sign claims into a compact token (iss, aud, iat, exp and nbf are written
//  when set); the returned string is the caller's to free. NULL on error
//  (with the reason in err).
char *kw_jwt_sign (const kw_jwt_claims_t *claims, const unsigned char *secret,
                   size_t secret_len, char *err, size_t err_size);

//  HMAC-SHA256 of data under a key of any length (libsodium's one-shot
//  crypto_auth_hmacsha256 takes 32-byte keys only).
void kw_hmac_sha256 (const unsigned char *key, size_t key_len, const void *data, size_t len,
                     unsigned char mac [32]);

//  Sign a compact JSON payload as it is (any claims, e.g. an outside
//  service's: GOV.UK Notify's iss and iat) under the HS256 header. A new
//  string (caller frees), or NULL when memory runs out.
char *kw_jwt_sign_payload (const char *payload, const unsigned char *secret, size_t secret_len);

//  The policy from the environment's values (NULL or "" for a default):
//  issuer, audience and the maximum lifetime in seconds (60 to 7 days).
//  0, or -1 with the reason (naming the variable) in err.
int kw_jwt_policy_init (kw_jwt_policy_t *policy, const char *issuer, const char *audience,
                        const char *max_lifetime, char *err, size_t err_size);

//  Verify a compact token at time now (seconds) under policy: structure,
//  alg HS256, signature (constant time), then the claims: sub, role and
//  region present; exp and iat whole numbers with now < exp and
//  exp - iat <= max_lifetime; iat (and nbf when given) at most skew seconds
//  after now; iss and aud the policy's. 0 and filled claims, or -1 with the
//  reason in err.
int kw_jwt_verify (const char *token, const unsigned char *secret, size_t secret_len,
                   const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims,
                   char *err, size_t err_size);

//  kw_jwt_verify's rules on claims once read (role, iss, the times and the
//  lifetime) at time now: 0, or -1 with the reason in err.
int kw_jwt_check_claims (const kw_jwt_claims_t *claims, const kw_jwt_policy_t *policy, int64_t now,
                         char *err, size_t err_size);

//  The deployment secret: secret when non-empty, else the contents of
//  secret_file (trailing newline removed). At least KW_JWT_MIN_SECRET bytes,
//  and not a value ever published as an example. Returns a new buffer
//  (caller frees) and its length, or NULL with the reason in err.
unsigned char *kw_jwt_secret_load (const char *secret, const char *secret_file,
                                   size_t *len, char *err, size_t err_size);

#endif
