/*  tokens: verified bearer tokens, a fixed table of slots. A value is kept
    as a keyed BLAKE2b digest (key random per process, so nobody outside
    can aim values at a slot), never as the token itself, and a lookup
    compares digests in constant time. The gateway's secret and policy are
    fixed for its life, so a value that verified once verifies again while
    its time claims hold (kw_jwt_check_claims). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "tokens.h"

#define TOKENS_SLOTS 256
//  Longer values are verified every time (no client of the API sends them).
#define TOKENS_MAX_VALUE 2048
#define TOKENS_DIGEST crypto_generichash_BYTES

typedef struct {
    int used;
    unsigned char digest [TOKENS_DIGEST];
    kw_jwt_claims_t claims;
} slot_t;

struct _tokens_t {
    unsigned char key [crypto_generichash_KEYBYTES];
    slot_t slots [TOKENS_SLOTS];
};

tokens_t *
tokens_new (void)
{
    if (sodium_init () < 0)
        return NULL;
    tokens_t *self = calloc (1, sizeof (tokens_t));
    if (self)
        randombytes_buf (self->key, sizeof self->key);
    return self;
}

void
tokens_destroy (tokens_t **self_p)
{
    tokens_t *self = *self_p;
    if (!self)
        return;
    sodium_memzero (self, sizeof *self);
    free (self);
    *self_p = NULL;
}

int
tokens_bearer (tokens_t *self, const char *value, size_t len, const unsigned char *secret, size_t secret_len,
               const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims, request_error_t *err)
{
    if (!self || !value || len > TOKENS_MAX_VALUE)
        return request_bearer (value, len, secret, secret_len, policy, now, claims, err);
    unsigned char digest [TOKENS_DIGEST];
    crypto_generichash (digest, sizeof digest, (const unsigned char *) value, len, self->key, sizeof self->key);
    slot_t *slot = &self->slots [digest [0] % TOKENS_SLOTS];
    char reason [128];
    if (slot->used && sodium_memcmp (slot->digest, digest, sizeof digest) == 0
    &&  kw_jwt_check_claims (&slot->claims, policy, now, reason, sizeof reason) == 0) {
        *claims = slot->claims;
        return 0;
    }
    if (request_bearer (value, len, secret, secret_len, policy, now, claims, err) != 0)
        return -1;
    slot->used = 1;
    memcpy (slot->digest, digest, sizeof digest);
    slot->claims = *claims;
    return 0;
}
