/*  kw_relay: a producer's relay (docs/design.md, "The event path"). It
    publishes the events committed to bus.outbox past its cursor as
    [topic][Envelope] on the PUB socket, in seq order, without a transaction
    of its own; on start it goes back one batch, so events committed just
    before a crash are sent again (consumers skip what they have). It runs
    when woken after a local commit, on NOTIFY kw_outbox_<producer> (on a
    connection of its own), and on a timer. A frame the PUB socket drops is
    found by the consumers' catch-up from the table. */
#ifndef KW_RELAY_H
#define KW_RELAY_H

#include <stdint.h>
#include <uv.h>
#include "kw_db.h"

typedef struct _kw_relay_t kw_relay_t;

//  Start a relay for producer: db is its working connection (shared with the
//  service), listen_conninfo/user open a second connection for LISTEN.
kw_relay_t *kw_relay_new (uv_loop_t *loop, kw_db_t *db, const char *listen_conninfo,
                          const char *listen_user, void *pub_socket,
                          const char *producer, unsigned interval_ms);
void kw_relay_destroy (kw_relay_t **self_p);
//  Run the relay soon (next loop turn).
void kw_relay_wake (kw_relay_t *self);
//  Publish everything committed past the cursor now; returns events published or -1.
int kw_relay_run_once (kw_relay_t *self);
//  Events published since start.
uint64_t kw_relay_published (kw_relay_t *self);

#endif
