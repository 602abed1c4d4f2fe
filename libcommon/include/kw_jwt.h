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
    int64_t exp;                //  seconds since the epoch; 0 = none
    int64_t iat;
} kw_jwt_claims_t;

//  1 when role is one of the platform's roles.
int kw_jwt_role_valid (const char *role);
//  1 when role is one of roles (NULL-terminated); 0 for a NULL role.
int kw_jwt_role_in (const char *role, const char *const *roles);

//  Sign claims into a compact token; the returned string is the caller's to
//  free. NULL on error (with the reason in err).
char *kw_jwt_sign (const kw_jwt_claims_t *claims, const unsigned char *secret,
                   size_t secret_len, char *err, size_t err_size);

//  Verify a compact token at time now (seconds): structure, alg HS256,
//  signature (constant time), exp, required claims sub/role/region.
//  0 and filled claims, or -1 with the reason in err.
int kw_jwt_verify (const char *token, const unsigned char *secret, size_t secret_len,
                   int64_t now, kw_jwt_claims_t *claims, char *err, size_t err_size);

//  The deployment secret: secret when non-empty, else the contents of
//  secret_file (trailing newline removed). At least 16 bytes. Returns a new
//  buffer (caller frees) and its length, or NULL with the reason in err.
unsigned char *kw_jwt_secret_load (const char *secret, const char *secret_file,
                                   size_t *len, char *err, size_t err_size);

#endif
