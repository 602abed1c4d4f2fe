/*  kw_outbox: the transactional outbox (docs/design.md, "The event path").
    kw_outbox_insert writes an event into bus.outbox inside the caller's
    transaction and numbers it there from bus.producers: the counter row
    stays locked until the transaction ends, so seq is gapless and follows
    commit order. kw_relay publishes what was committed. Each insert may
    also NOTIFY KW_OUTBOX_NOTIFY_PREFIX<producer> to wake the relays of other
    instances (kw_outbox_set_notify): it serialises the commits of all
    notifying transactions in PostgreSQL, and a producer with one writer
    wakes its own relay after each commit. */
#ifndef KW_OUTBOX_H
#define KW_OUTBOX_H

#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "kw_arena.h"
#include "kw_db.h"
#include "kw/envelope.pb-c.h"

//  The NOTIFY channel of a producer's relays is this prefix and its name,
//  so a commit wakes only the relays of its own producer.
#define KW_OUTBOX_NOTIFY_PREFIX "kw_outbox_"

//  1: every insert also NOTIFYs kw_outbox_<producer> (for relays of other
//  instances of the producer); 0 (the default): it does not.
void kw_outbox_set_notify (int on);
//  Events inserted by this process so far (every thread, committed or not):
//  a transaction that left it unchanged wrote no event, and its commit
//  need not wake the relay.
uint64_t kw_outbox_written (void);

//  Insert an event in the open transaction. event_id_out (37 bytes) may be NULL.
int kw_outbox_insert (kw_db_t *db, const char *producer, const char *type,
                      const char *region, const char *correlation_id,
                      const ProtobufCMessage *payload, char *event_id_out);

//  Parameters a statement of kw_outbox_insert_with may add.
#define KW_OUTBOX_EXTRA_MAX 16

//  Insert an event like kw_outbox_insert and, in the same statement (one
//  round trip), also: a data-modifying statement that may use the event's
//  parameters ($1 producer, $2 event id, $3 type, $4 region, $5 correlation
//  id) and extra_count (at most KW_OUTBOX_EXTRA_MAX) more from $7. Prepared
//  as stmt (one text a name). 0 or -1.
int kw_outbox_insert_with (kw_db_t *db, const char *stmt, const char *also, const char *producer,
                           const char *type, const char *region, const char *correlation_id,
                           const ProtobufCMessage *payload, size_t extra_count, const char *const *extra,
                           char *event_id_out);

//  A batch of events for one producer, written with one COPY (for imports
//  that emit thousands of events in one transaction). The events are
//  numbered like kw_outbox_insert's, in the order they were added.
typedef struct _kw_outbox_batch_t kw_outbox_batch_t;

kw_outbox_batch_t *kw_outbox_batch_new (const char *producer);
void kw_outbox_batch_destroy (kw_outbox_batch_t **self_p);
//  Add an event to the batch (nothing is written yet).
void kw_outbox_batch_add (kw_outbox_batch_t *self, const char *type, const char *region,
                          const char *correlation_id, const ProtobufCMessage *payload);
//  Events added so far.
size_t kw_outbox_batch_size (const kw_outbox_batch_t *self);
//  Write every event added into bus.outbox in the open transaction. 0 or -1.
int kw_outbox_batch_insert (kw_outbox_batch_t *self, kw_db_t *db);

//  Build the topic "<producer>.<type>" into buf; -1 when it does not fit.
int kw_outbox_topic (const char *producer, const char *type, char *buf, size_t size);

//  The columns of an outbox row as an Envelope, in the order
//  kw_outbox_envelope reads them (for SELECT lists over bus.outbox o).
#define KW_OUTBOX_ENVELOPE_COLUMNS \
    "o.seq, o.event_id, o.type, o.region, o.correlation_id, " \
    "to_char (o.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), o.payload"

//  Build the Envelope of row in res (text format, KW_OUTBOX_ENVELOPE_COLUMNS)
//  in arena. NULL when the row is malformed.
Kw__Envelope *kw_outbox_envelope (PGresult *res, int row, const char *producer,
                                  kw_arena_t *arena);

#endif
