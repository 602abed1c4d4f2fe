/*  Tests for kw_arena: alignment, large allocations, strings, reset, use as
    a protobuf-c allocator, and packing into it. */
#include <stdint.h>
#include <string.h>
#include "kw_arena.h"
#include "kw/rpc.pb-c.h"
#include "tap.h"

int
main (void)
{
    kw_arena_t *arena = kw_arena_new (256);
    ok (arena != NULL, "an arena is created");
    int aligned = 1;
    for (int i = 1; i < 50; i++) {
        void *p = kw_arena_alloc (arena, (size_t) i);
        aligned &= ((uintptr_t) p % 16) == 0 || ((uintptr_t) p % _Alignof (max_align_t)) == 0;
    }
    ok (aligned, "every allocation is aligned for any type");
    char *big = kw_arena_alloc (arena, 100000);
    memset (big, 'x', 100000);
    ok (big [99999] == 'x', "an allocation larger than the chunk works");
    unsigned char *zero = kw_arena_calloc (arena, 64);
    int all_zero = 1;
    for (int i = 0; i < 64; i++)
        all_zero &= zero [i] == 0;
    ok (all_zero, "calloc memory is zeroed");
    is_str (kw_arena_strdup (arena, "hello"), "hello", "strdup copies");
    is_str (kw_arena_strndup (arena, "hello", 3), "hel", "strndup stops at len");
    is_str (kw_arena_printf (arena, "%s-%d", "a", 42), "a-42", "printf formats");
    ok (kw_arena_used (arena) >= 100000, "used counts bytes handed out");
    kw_arena_reset (arena);
    is_int (kw_arena_used (arena), 0, "reset releases everything");

    Kw__IdRequest in = KW__ID_REQUEST__INIT;
    in.id = "abc";
    uint8_t packed [64];
    size_t len = kw__id_request__pack (&in, packed);
    Kw__IdRequest *out = kw__id_request__unpack (kw_arena_allocator (arena), len, packed);
    ok (out && strcmp (out->id, "abc") == 0, "protobuf-c unpacks into the arena");
    ok (kw_arena_used (arena) > 0, "and the arena accounts for it");
    size_t packed_len = 0;
    uint8_t *bytes = kw_arena_pack (arena, &in.base, &packed_len);
    ok (packed_len == len && memcmp (bytes, packed, len) == 0, "pack writes the message into the arena");
    Kw__IdRequest empty = KW__ID_REQUEST__INIT;
    ok (kw_arena_pack (arena, &empty.base, &packed_len) != NULL && packed_len == 0,
        "an empty message packs to no bytes");
    kw_arena_destroy (&arena);
    ok (arena == NULL, "destroy clears the pointer");
    return tap_done ();
}
