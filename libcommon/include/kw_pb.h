/*  kw_pb: protobuf-c messages from bytes that arrived over a socket (bus
    frames and their payloads, RPC requests, responses and their payloads).
    Before protobuf-c unpacks anything, the wire bytes are walked against
    the message's descriptor: every length-delimited field that the
    descriptor says is a message is walked in turn, at most KW_PB_MAX_DEPTH
    deep, so that nesting crafted to exhaust the stack never reaches
    protobuf-c's recursive unpack (nor code that walks what it returns).
    The walk also refuses a field numbered 0 at any depth it walks (protobuf-c
    keeps one as an unknown field and cannot read its own packing of it back),
    and framing protobuf-c would refuse too (a truncated value, a group). */
#ifndef KW_PB_H
#define KW_PB_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "kw_arena.h"

//  The deepest nesting accepted; the message itself is at depth 1.
#define KW_PB_MAX_DEPTH 32

//  0 when data (len bytes) is a desc message whose known message fields
//  nest at most max_depth deep, with no field numbered 0 and whole framing;
//  -1 otherwise. Unknown fields are skipped, not walked (protobuf-c keeps
//  their bytes without reading into them).
int kw_pb_check (const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                 unsigned max_depth);
//  Check data (KW_PB_MAX_DEPTH) and unpack it as desc into arena. NULL
//  when it fails the check or does not unpack.
ProtobufCMessage *kw_pb_unpack (const ProtobufCMessageDescriptor *desc, kw_arena_t *arena,
                                const uint8_t *data, size_t len);

#endif
