/*  fuzz_link: kw_link_verify on arbitrary tokens (the signed links of
    docs/security.md). The first input byte picks the mode: even, the rest
    is the token as received; odd, the rest is a payload
    ("1|action|subject|person|expiry[|revision]"), encoded and signed here
    with the key so that what lies behind the MAC is reached too. A link
    verified (or expired) must hold a well-formed action, two UUIDs and a
    positive expiry, and made again from its fields it verifies with the
    same fields. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "kw_link.h"
#include "kw_uuid.h"

static const unsigned char s_key [] = "fuzzing-link-key-0123456789abcdef";
#define S_KEY_LEN (sizeof s_key - 1)
#define S_NOW 1800000000
#define LATEST 253402300799LL       //  9999-12-31T23:59:59Z

//  "b64(payload).b64(hmac)" of the payload data.
static char *
s_signed_token (const uint8_t *data, size_t size)
{
    size_t cap = sodium_base64_ENCODED_LEN (size, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 64;
    char *token = malloc (cap);
    if (!token)
        abort ();
    sodium_bin2base64 (token, cap, data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t n = strlen (token);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256 (mac, (const unsigned char *) token, n, s_key);
    token [n++] = '.';
    sodium_bin2base64 (token + n, cap - n, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return token;
}

//  Made again from its fields, link verifies with the same fields.
static void
s_round_trip (const kw_link_t *link)
{
    if (link->expires > LATEST)
        return;
    time_t at = (time_t) link->expires;
    struct tm tm;
    char expires [32], url [KW_LINK_TOKEN_SIZE + 64];
    if (!gmtime_r (&at, &tm) || !strftime (expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &tm))
        abort ();
    if (kw_link_url (url, sizeof url, "", link->action, link->subject_id, link->person_id, expires,
                     link->revision, s_key, S_KEY_LEN) != 0)
        abort ();
    kw_link_t again;
    const char *token = strrchr (url, '/') + 1;
    if (kw_link_verify (token, s_key, S_KEY_LEN, 0, &again) != KW_LINK_VALID
    ||  memcmp (&again, link, sizeof again) != 0)
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 1 || sodium_init () < 0 || size > 4096)
        return 0;
    char *token;
    if (data [0] & 1)
        token = s_signed_token (data + 1, size - 1);
    else {
        token = malloc (size);
        if (!token)
            abort ();
        memcpy (token, data + 1, size - 1);
        token [size - 1] = '\0';
    }
    kw_link_t link;
    kw_link_check_t check = kw_link_verify (token, s_key, S_KEY_LEN, S_NOW, &link);
    if (check == KW_LINK_VALID || check == KW_LINK_EXPIRED) {
        if (!strchr (link.action, '.') || !kw_uuid_valid (link.subject_id) || !kw_uuid_valid (link.person_id)
        ||  link.expires <= 0)
            abort ();
        s_round_trip (&link);
    }
    free (token);
    return 0;
}
