/*  kw_uuid: random (version 4) UUIDs from libsodium's random generator,
    drawn a pool at a time (one system call for 32 UUIDs, not one each). A
    thread's pool is its own; a child process drops the pool it inherits, so
    parent and child never hand out the same UUIDs. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "kw_uuid.h"

#define POOL_SIZE 512

static _Thread_local unsigned char s_pool [POOL_SIZE];
static _Thread_local size_t s_left;     //  unused bytes, at the pool's end
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_forget (void)
{
    s_left = 0;
}

static void
s_register (void)
{
    pthread_atfork (NULL, NULL, s_forget);
}

void
kw_uuid_generate (char buf [KW_UUID_SIZE])
{
    static const char hex [] = "0123456789abcdef";
    pthread_once (&s_once, s_register);
    if (s_left < 16) {
        randombytes_buf (s_pool, sizeof s_pool);
        s_left = sizeof s_pool;
    }
    unsigned char *b = s_pool + sizeof s_pool - s_left;
    s_left -= 16;
    b [6] = (b [6] & 0x0f) | 0x40;
    b [8] = (b [8] & 0x3f) | 0x80;
    char *out = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *out++ = '-';
        *out++ = hex [b [i] >> 4];
        *out++ = hex [b [i] & 15];
    }
    *out = 0;
    sodium_memzero (b, 16);
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
