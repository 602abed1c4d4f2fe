/*  kw_arena: a bump allocator for per-message memory. protobuf-c unpacks into
    it through kw_arena_allocator; kw_arena_reset frees everything at once. */
#ifndef KW_ARENA_H
#define KW_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

typedef struct _kw_arena_t kw_arena_t;

//  Create an arena; chunks of at least chunk_size bytes are taken from malloc.
kw_arena_t *kw_arena_new (size_t chunk_size);
//  Free the arena and everything in it; clears the caller's pointer.
void kw_arena_destroy (kw_arena_t **self_p);
//  Allocate size bytes aligned for any type; never returns NULL (aborts on OOM).
void *kw_arena_alloc (kw_arena_t *self, size_t size);
//  Zeroed allocation.
void *kw_arena_calloc (kw_arena_t *self, size_t size);
//  Copy a string into the arena.
char *kw_arena_strdup (kw_arena_t *self, const char *s);
char *kw_arena_strndup (kw_arena_t *self, const char *s, size_t len);
//  printf into the arena.
char *kw_arena_printf (kw_arena_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
//  Release every allocation; keeps the first chunk for reuse.
void kw_arena_reset (kw_arena_t *self);
//  msg packed into arena memory: its bytes, their number in *len.
uint8_t *kw_arena_pack (kw_arena_t *self, const ProtobufCMessage *msg, size_t *len);
//  A protobuf-c allocator that allocates from the arena and never frees.
ProtobufCAllocator *kw_arena_allocator (kw_arena_t *self);
//  Bytes handed out since the last reset (for tests and metrics).
size_t kw_arena_used (kw_arena_t *self);

#endif
