/*  kw_uuid: random (version 4) UUIDs from libsodium's random generator. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "kw_uuid.h"

void
kw_uuid_generate (char buf [KW_UUID_SIZE])
{
    unsigned char b [16];
    randombytes_buf (b, sizeof b);
    b [6] = (b [6] & 0x0f) | 0x40;
    b [8] = (b [8] & 0x3f) | 0x80;
    snprintf (buf, KW_UUID_SIZE,
              "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
              b [0], b [1], b [2], b [3], b [4], b [5], b [6], b [7],
              b [8], b [9], b [10], b [11], b [12], b [13], b [14], b [15]);
}

int
kw_uuid_valid (const char *s)
{
    if (!s || strlen (s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s [i] != '-')
                return 0;
        }
        else
        if (!isxdigit ((unsigned char) s [i]))
            return 0;
    }
    return 1;
}
