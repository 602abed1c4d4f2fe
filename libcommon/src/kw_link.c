/*  kw_link: signed action links (see kw_link.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "kw_jwt.h"
#include "kw_link.h"
#include "kw_log.h"

#define PAYLOAD_SIZE 160
#define VERSION "1"
#define MAX_KEY 1024

static int
s_action_valid (const char *action)
{
    size_t len = action ? strlen (action) : 0;
    const char *dot = len ? strchr (action, '.') : NULL;
    if (!dot || dot == action || !dot [1] || len >= KW_LINK_ACTION_SIZE || strchr (dot + 1, '.'))
        return 0;
    return strspn (action, "abcdefghijklmnopqrstuvwxyz_.") == len;
}

//  "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" in Unix seconds, or -1.
static int64_t
s_parse_instant (const char *text)
{
    struct tm tm = { 0 };
    int consumed = 0;
    if (!text || sscanf (text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                         &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 || consumed != 19)
        return -1;
    const char *rest = text + 19;
    if (*rest == '.')
        rest += 1 + strspn (rest + 1, "0123456789");
    int offset = 0, oh = 0, om = 0, used = 0;
    if (strcmp (rest, "Z") == 0 || strcmp (rest, "+00") == 0)
        ;
    else
    if ((*rest == '+' || *rest == '-') && sscanf (rest + 1, "%2d:%2d%n", &oh, &om, &used) == 2 && used == 5
    &&  !rest [6] && oh <= 23 && om <= 59)
        offset = (*rest == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    else
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23
    ||  tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t) timegm (&tm) - offset;
}

int
kw_link_url (char *out, size_t cap, const char *base, const char *action, const char *subject_id,
             const char *person_id, const char *expires_at, uint32_t revision, const unsigned char *key,
             size_t key_len)
{
    int64_t expires = s_parse_instant (expires_at);
    if (sodium_init () < 0 || !base || !s_action_valid (action) || !subject_id || !kw_uuid_valid (subject_id)
    ||  !person_id || !kw_uuid_valid (person_id) || expires < 0 || !key || key_len < KW_LINK_MIN_KEY)
        return -1;
    char payload [PAYLOAD_SIZE];
    int n = revision
          ? snprintf (payload, sizeof payload, VERSION "|%s|%s|%s|%" PRId64 "|%" PRIu32, action, subject_id,
                      person_id, expires, revision)
          : snprintf (payload, sizeof payload, VERSION "|%s|%s|%s|%" PRId64, action, subject_id, person_id,
                      expires);
    if (n < 0 || (size_t) n >= sizeof payload)
        return -1;
    char p64 [sodium_base64_ENCODED_LEN (PAYLOAD_SIZE, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64 (p64, sizeof p64, (const unsigned char *) payload, (size_t) n,
                       sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    kw_hmac_sha256 (key, key_len, p64, strlen (p64), mac);
    char m64 [sodium_base64_ENCODED_LEN (crypto_auth_hmacsha256_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64 (m64, sizeof m64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t base_len = strlen (base);
    while (base_len && base [base_len - 1] == '/')
        base_len--;
    const char *path = strncmp (action, "meeting.", 8) == 0 ? KW_LINK_MEETING_PATH : KW_LINK_PATH;
    n = snprintf (out, cap, "%.*s%s%s.%s", (int) base_len, base, path, p64, m64);
    return n < 0 || (size_t) n >= cap ? -1 : 0;
}

//  Split the payload "1|action|subject|person|expires[|revision]" into link.
static int
s_payload (const char *payload, kw_link_t *link)
{
    char copy [PAYLOAD_SIZE];
    size_t len = strlen (payload);
    if (len >= sizeof copy)
        return -1;
    memcpy (copy, payload, len + 1);
    char *fields [6], *save = NULL;
    int count = 0;
    for (char *f = strtok_r (copy, "|", &save); f && count < 6; f = strtok_r (NULL, "|", &save))
        fields [count++] = f;
    if (count < 5 || strtok_r (NULL, "|", &save) || strcmp (fields [0], VERSION) != 0
    ||  !s_action_valid (fields [1]) || !kw_uuid_valid (fields [2]) || !kw_uuid_valid (fields [3]))
        return -1;
    char *end = NULL;
    errno = 0;
    long long expires = strtoll (fields [4], &end, 10);
    if (errno || *end || expires <= 0 || fields [4][0] == '+')
        return -1;
    unsigned long long revision = 0;
    if (count == 6) {
        errno = 0;
        revision = strtoull (fields [5], &end, 10);
        if (errno || *end || revision == 0 || revision > UINT32_MAX || !isdigit ((unsigned char) fields [5][0]))
            return -1;
    }
    snprintf (link->action, sizeof link->action, "%s", fields [1]);
    snprintf (link->subject_id, sizeof link->subject_id, "%s", fields [2]);
    snprintf (link->person_id, sizeof link->person_id, "%s", fields [3]);
    link->expires = (int64_t) expires;
    link->revision = (uint32_t) revision;
    return 0;
}

kw_link_check_t
kw_link_verify (const char *token, const unsigned char *key, size_t key_len, int64_t now, kw_link_t *link)
{
    memset (link, 0, sizeof *link);
    size_t len = token ? strlen (token) : 0;
    const char *dot = len ? strchr (token, '.') : NULL;
    if (sodium_init () < 0 || !dot || len >= KW_LINK_TOKEN_SIZE || strchr (dot + 1, '.'))
        return KW_LINK_MALFORMED;
    size_t p64_len = (size_t) (dot - token);
    char payload [KW_LINK_TOKEN_SIZE];
    unsigned char given [KW_LINK_TOKEN_SIZE];
    size_t payload_len = 0, given_len = 0;
    const char *end = NULL;
    if (sodium_base642bin ((unsigned char *) payload, sizeof payload - 1, token, p64_len, NULL, &payload_len,
                           &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != dot
    ||  sodium_base642bin (given, sizeof given, dot + 1, len - p64_len - 1, NULL, &given_len, &end,
                           sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != token + len
    ||  memchr (payload, 0, payload_len))
        return KW_LINK_MALFORMED;
    payload [payload_len] = 0;
    if (s_payload (payload, link) != 0) {
        memset (link, 0, sizeof *link);
        return KW_LINK_MALFORMED;
    }
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    kw_hmac_sha256 (key, key_len, token, p64_len, mac);
    if (given_len != sizeof mac || sodium_memcmp (mac, given, sizeof mac) != 0)
        return KW_LINK_TAMPERED;
    return now >= link->expires ? KW_LINK_EXPIRED : KW_LINK_VALID;
}

void
kw_link_id (const char *token, char out [KW_LINK_ID_SIZE])
{
    unsigned char hash [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, (const unsigned char *) token, strlen (token));
    sodium_bin2hex (out, KW_LINK_ID_SIZE, hash, sizeof hash);
}

unsigned char *
kw_link_key_load (const char *path, size_t *len, char *err, size_t err_size)
{
    FILE *f = path && *path ? fopen (path, "rb") : NULL;
    if (!f) {
        snprintf (err, err_size, "the link key file %.200s cannot be read", path ? path : "(none)");
        return NULL;
    }
    unsigned char *key = malloc (MAX_KEY + 1);
    size_t n = key ? fread (key, 1, MAX_KEY + 1, f) : 0;
    fclose (f);
    while (n > 0 && (key [n - 1] == '\n' || key [n - 1] == '\r'))
        n--;
    if (!key || n < KW_LINK_MIN_KEY || n > MAX_KEY) {
        free (key);
        snprintf (err, err_size, "the link key file %.200s must hold %d to %d bytes", path, KW_LINK_MIN_KEY,
                  MAX_KEY);
        return NULL;
    }
    *len = n;
    return key;
}

unsigned char *
kw_link_key_or_warn (const char *path, size_t *len)
{
    char err [256];
    unsigned char *key = path && *path ? kw_link_key_load (path, len, err, sizeof err) : NULL;
    if (!key)
        kw_warn ("links_off", "reason", path && *path ? err : "KW_LINK_KEY_FILE is empty");
    return key;
}
