/*  kw_curve: ZeroMQ CURVE on a program's sockets and the ZAP handler that
    admits only known public keys (docs/security.md, "Transport: CURVE and
    ZAP"). Every program has a key pair named after it: <name>.pub (Z85, 40
    characters) in KW_CURVE_PUBLIC_DIR beside every other program's, and its
    secret in KW_CURVE_SECRET_FILE (default <KW_CURVE_PUBLIC_DIR>/<name>.key).
    A server socket belongs to a ZAP domain; each domain admits a list of
    program names, and the ZAP handler (a thread of its own, bound at
    inproc://zeromq.zap.01 before any server socket binds) answers with the
    client's name, which every message from it then carries as "User-Id".
    KW_CURVE=off turns all of it off (unit tests only). */
#ifndef KW_CURVE_H
#define KW_CURVE_H

#include <stddef.h>
#include <zmq.h>

typedef struct _kw_curve_t kw_curve_t;

//  The configuration every program declares (kw_config), in this order.
#define KW_CURVE_CONFIG_VARS \
    { "KW_CURVE", "on", "on: CURVE and ZAP on every ZeroMQ socket; off: plain sockets (tests only)", NULL }, \
    { "KW_CURVE_PUBLIC_DIR", "", "directory of the programs' public keys, <name>.pub (Z85)", NULL }, \
    { "KW_CURVE_SECRET_FILE", "", "this program's secret key (Z85, mode 0600; default <KW_CURVE_PUBLIC_DIR>/<name>.key)", NULL }
#define KW_CURVE_CONFIG_COUNT 3

//  Load program's keys (mode "on" or "off"). NULL with a reason in err when
//  a key is missing, unreadable or not a key.
kw_curve_t *kw_curve_new (const char *program, const char *mode, const char *public_dir,
                          const char *secret_file, char *err, size_t err_size);
//  Stop the ZAP handler: call after zmq_ctx_term of the context it serves.
void kw_curve_destroy (kw_curve_t **self_p);
//  1 when CURVE is on.
int kw_curve_on (const kw_curve_t *self);
//  The program's own name.
const char *kw_curve_name (const kw_curve_t *self);

//  Admit the programs in names (comma-separated) to domain: their public
//  keys are read now. Before kw_curve_start. 0, or -1 with a reason.
int kw_curve_admit (kw_curve_t *self, const char *domain, const char *names,
                    char *err, size_t err_size);
//  Bind the ZAP handler on zctx and start answering. Before any server
//  socket binds. 0, or -1 with a reason.
int kw_curve_start (kw_curve_t *self, void *zctx, char *err, size_t err_size);

//  Make socket a CURVE server of domain (ZAP enforced). Before its bind.
int kw_curve_server (kw_curve_t *self, void *socket, const char *domain,
                     char *err, size_t err_size);
//  Make socket a CURVE client of the program server (its key from the
//  public directory). Before its connects.
int kw_curve_client (kw_curve_t *self, void *socket, const char *server,
                     char *err, size_t err_size);

//  The name the ZAP handler gave the sender of msg, or NULL.
const char *kw_curve_sender (const zmq_msg_t *msg);
//  1 when msg came from one of names (comma-separated), or CURVE is off
//  (self NULL or mode off); else 0.
int kw_curve_sent_by (const kw_curve_t *self, const zmq_msg_t *msg, const char *names);

#endif
