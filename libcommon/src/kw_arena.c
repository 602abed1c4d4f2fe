/*  kw_arena: a bump allocator in malloc'd chunks, reset all at once. */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_arena.h"

#define ALIGN 16

typedef struct _chunk_t {
    struct _chunk_t *next;
    size_t size;
    size_t used;
    _Alignas (ALIGN) unsigned char data [];
} chunk_t;

struct _kw_arena_t {
    chunk_t *chunks;                //  newest first; the last one is kept on reset
    size_t chunk_size;
    size_t used;
    ProtobufCAllocator allocator;
};

static void *
s_oom (size_t size)
{
    fprintf (stderr, "kw_arena: out of memory allocating %zu bytes\n", size);
    abort ();
}

static chunk_t *
s_chunk_new (size_t size)
{
    chunk_t *chunk = malloc (sizeof *chunk + size);
    if (!chunk)
        s_oom (size);
    chunk->next = NULL;
    chunk->size = size;
    chunk->used = 0;
    return chunk;
}

static void *
s_pb_alloc (void *data, size_t size)
{
    return kw_arena_alloc (data, size);
}

static void
s_pb_free (void *data, void *ptr)
{
    (void) data;
    (void) ptr;
}

kw_arena_t *
kw_arena_new (size_t chunk_size)
{
    kw_arena_t *self = calloc (1, sizeof *self);
    if (!self)
        s_oom (sizeof *self);
    self->chunk_size = chunk_size < 1024 ? 1024 : chunk_size;
    self->chunks = s_chunk_new (self->chunk_size);
    self->allocator.alloc = s_pb_alloc;
    self->allocator.free = s_pb_free;
    self->allocator.allocator_data = self;
    return self;
}

void
kw_arena_destroy (kw_arena_t **self_p)
{
    assert (self_p);
    kw_arena_t *self = *self_p;
    if (!self)
        return;
    while (self->chunks) {
        chunk_t *next = self->chunks->next;
        free (self->chunks);
        self->chunks = next;
    }
    free (self);
    *self_p = NULL;
}

void *
kw_arena_alloc (kw_arena_t *self, size_t size)
{
    size_t rounded = (size + ALIGN - 1) & ~(size_t) (ALIGN - 1);
    if (rounded < size)
        s_oom (size);
    chunk_t *chunk = self->chunks;
    if (chunk->used + rounded > chunk->size) {
        size_t want = rounded > self->chunk_size ? rounded : self->chunk_size;
        chunk_t *fresh = s_chunk_new (want);
        fresh->next = self->chunks;
        self->chunks = fresh;
        chunk = fresh;
    }
    void *ptr = chunk->data + chunk->used;
    chunk->used += rounded;
    self->used += size;
    return ptr;
}

void *
kw_arena_calloc (kw_arena_t *self, size_t size)
{
    void *ptr = kw_arena_alloc (self, size);
    memset (ptr, 0, size);
    return ptr;
}

char *
kw_arena_strndup (kw_arena_t *self, const char *s, size_t len)
{
    char *copy = kw_arena_alloc (self, len + 1);
    memcpy (copy, s, len);
    copy [len] = 0;
    return copy;
}

char *
kw_arena_strdup (kw_arena_t *self, const char *s)
{
    return s ? kw_arena_strndup (self, s, strlen (s)) : NULL;
}

char *
kw_arena_printf (kw_arena_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int len = vsnprintf (NULL, 0, fmt, ap);
    va_end (ap);
    if (len < 0)
        return kw_arena_strdup (self, "");
    char *out = kw_arena_alloc (self, (size_t) len + 1);
    va_start (ap, fmt);
    vsnprintf (out, (size_t) len + 1, fmt, ap);
    va_end (ap);
    return out;
}

void
kw_arena_reset (kw_arena_t *self)
{
    while (self->chunks->next) {
        chunk_t *next = self->chunks->next;
        free (self->chunks);
        self->chunks = next;
    }
    self->chunks->used = 0;
    self->used = 0;
}

uint8_t *
kw_arena_pack (kw_arena_t *self, const ProtobufCMessage *msg, size_t *len)
{
    *len = protobuf_c_message_get_packed_size (msg);
    uint8_t *buf = kw_arena_alloc (self, *len ? *len : 1);
    protobuf_c_message_pack (msg, buf);
    return buf;
}

ProtobufCAllocator *
kw_arena_allocator (kw_arena_t *self)
{
    return &self->allocator;
}

size_t
kw_arena_used (kw_arena_t *self)
{
    return self->used;
}
