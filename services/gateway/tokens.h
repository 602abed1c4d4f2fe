/*  tokens: the bearer tokens the gateway has verified, kept by a keyed
    digest of their exact Authorization value so the next request with it
    skips the signature, base64 and JSON work of verifying it again. The
    claims kept are checked against the clock and the policy on every use. */
#ifndef TOKENS_H
#define TOKENS_H

#include <stddef.h>
#include <stdint.h>
#include "kw_jwt.h"
#include "request.h"

typedef struct _tokens_t tokens_t;

tokens_t *tokens_new (void);
void tokens_destroy (tokens_t **self_p);
//  request_bearer, answered from the tokens kept when value (len bytes) was
//  verified before and its claims still hold at now; a value that verifies
//  is kept (one slot per digest of the value; a newer value takes the slot).
//  self NULL (also what tokens_new gives when it cannot start): request_bearer alone.
int tokens_bearer (tokens_t *self, const char *value, size_t len, const unsigned char *secret, size_t secret_len,
                   const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims, request_error_t *err);

#endif
