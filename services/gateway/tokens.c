/*  tokens: verified bearer tokens, a fixed table of slots indexed by a hash
    of the Authorization value and compared in full. The gateway's secret
    and policy are fixed for its life, so a value that verified once
    verifies again while its time claims hold (kw_jwt_check_claims). */
#include <stdlib.h>
#include <string.h>
#include "tokens.h"

#define TOKENS_SLOTS 256
//  Longer values are verified every time (no client of the API sends them).
#define TOKENS_MAX_VALUE 2048

typedef struct {
    char *value;                //  NULL: empty
    size_t len;
    kw_jwt_claims_t claims;
} slot_t;

struct _tokens_t {
    slot_t slots [TOKENS_SLOTS];
};

tokens_t *
tokens_new (void)
{
    return calloc (1, sizeof (tokens_t));
}

void
tokens_destroy (tokens_t **self_p)
{
    tokens_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < TOKENS_SLOTS; i++)
        free (self->slots [i].value);
    free (self);
    *self_p = NULL;
}

//  FNV-1a of the value: only the slot depends on it, a hit compares all.
static slot_t *
s_slot (tokens_t *self, const char *value, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char) value [i]) * 1099511628211ULL;
    return &self->slots [h % TOKENS_SLOTS];
}

int
tokens_bearer (tokens_t *self, const char *value, size_t len, const unsigned char *secret, size_t secret_len,
               const kw_jwt_policy_t *policy, int64_t now, kw_jwt_claims_t *claims, request_error_t *err)
{
    if (!self || !value || len > TOKENS_MAX_VALUE)
        return request_bearer (value, len, secret, secret_len, policy, now, claims, err);
    slot_t *slot = s_slot (self, value, len);
    char reason [128];
    if (slot->value && slot->len == len && memcmp (slot->value, value, len) == 0
    &&  kw_jwt_check_claims (&slot->claims, policy, now, reason, sizeof reason) == 0) {
        *claims = slot->claims;
        return 0;
    }
    if (request_bearer (value, len, secret, secret_len, policy, now, claims, err) != 0)
        return -1;
    char *copy = malloc (len);
    if (copy) {
        memcpy (copy, value, len);
        free (slot->value);
        *slot = (slot_t) { .value = copy, .len = len, .claims = *claims };
    }
    return 0;
}
