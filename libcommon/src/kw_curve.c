/*  kw_curve: a program's CURVE keys, the options of its sockets and its ZAP
    handler (see kw_curve.h). The handler runs on a thread of its own so that
    a handshake never waits for the program's loop; it ends when the context
    is terminated. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "kw_curve.h"
#include "kw_log.h"
#include "kw_rpc.h"

//  Draft in zmq.h (libzmq 4.3): without it a CURVE server with no ZAP
//  handler answering admits any client that knows the server's key.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define KEY_Z85 40                  //  a key in Z85, without its NUL
#define NAME_MAX_LEN 32
#define PEERS_MAX 32
#define DOMAINS_MAX 4
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

typedef struct {
    char name [NAME_MAX_LEN];
    uint8_t key [32];
} peer_t;

typedef struct {
    char name [NAME_MAX_LEN];
    peer_t peers [PEERS_MAX];
    size_t peer_count;
} domain_t;

struct _kw_curve_t {
    int on;
    char name [NAME_MAX_LEN];
    char dir [512];
    char public_key [KEY_Z85 + 1];
    char secret_key [KEY_Z85 + 1];
    domain_t domains [DOMAINS_MAX];
    size_t domain_count;
    void *zap;                      //  REP at ZAP_ENDPOINT, used by the thread
    pthread_t thread;
    int started;
};

//  Read a Z85 key (40 characters, then optional white space) from path.
static int
s_read_key (const char *path, char *key, char *err, size_t err_size)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        snprintf (err, err_size, "cannot read the key %s: %s", path, strerror (errno));
        return -1;
    }
    char text [128];
    size_t n = fread (text, 1, sizeof text - 1, file);
    fclose (file);
    text [n] = 0;
    while (n > 0 && (text [n - 1] == '\n' || text [n - 1] == '\r' || text [n - 1] == ' '))
        text [--n] = 0;
    uint8_t raw [32];
    if (n != KEY_Z85 || !zmq_z85_decode (raw, text)) {
        snprintf (err, err_size, "%s is not a CURVE key (40 characters of Z85)", path);
        return -1;
    }
    memcpy (key, text, KEY_Z85 + 1);
    return 0;
}

static int
s_public_of (const kw_curve_t *self, const char *name, char *key, char *err, size_t err_size)
{
    char path [600];
    snprintf (path, sizeof path, "%s/%s.pub", self->dir, name);
    return s_read_key (path, key, err, err_size);
}

kw_curve_t *
kw_curve_new (const char *program, const char *mode, const char *public_dir,
              const char *secret_file, char *err, size_t err_size)
{
    assert (program && mode);
    if (strcmp (mode, "on") != 0 && strcmp (mode, "off") != 0) {
        snprintf (err, err_size, "KW_CURVE: expected on or off");
        return NULL;
    }
    kw_curve_t *self = calloc (1, sizeof *self);
    assert (self);
    snprintf (self->name, sizeof self->name, "%s", program);
    self->on = strcmp (mode, "on") == 0;
    if (!self->on)
        return self;
    if (!zmq_has ("curve")) {
        snprintf (err, err_size, "this libzmq has no CURVE");
        free (self);
        return NULL;
    }
    if (!public_dir || !*public_dir) {
        snprintf (err, err_size, "KW_CURVE_PUBLIC_DIR is not set (the programs' public keys)");
        free (self);
        return NULL;
    }
    snprintf (self->dir, sizeof self->dir, "%s", public_dir);
    char path [600];
    if (secret_file && *secret_file)
        snprintf (path, sizeof path, "%s", secret_file);
    else
        snprintf (path, sizeof path, "%s/%s.key", public_dir, program);
    if (s_read_key (path, self->secret_key, err, err_size) != 0
    ||  zmq_curve_public (self->public_key, self->secret_key) != 0) {
        free (self);
        return NULL;
    }
    //  The published public key must be this secret's: a mismatch would
    //  only show as peers refusing every handshake.
    char published [KEY_Z85 + 1];
    if (s_public_of (self, program, published, err, err_size) != 0) {
        free (self);
        return NULL;
    }
    if (strcmp (published, self->public_key) != 0) {
        snprintf (err, err_size, "%s/%s.pub is not the public key of %s", public_dir, program, path);
        free (self);
        return NULL;
    }
    return self;
}

void
kw_curve_destroy (kw_curve_t **self_p)
{
    assert (self_p);
    kw_curve_t *self = *self_p;
    if (!self)
        return;
    if (self->started)
        pthread_join (self->thread, NULL);
    explicit_bzero (self->secret_key, sizeof self->secret_key);
    free (self);
    *self_p = NULL;
}

int
kw_curve_on (const kw_curve_t *self)
{
    return self && self->on;
}

const char *
kw_curve_name (const kw_curve_t *self)
{
    return self->name;
}

int
kw_curve_admit (kw_curve_t *self, const char *domain, const char *names,
                char *err, size_t err_size)
{
    assert (self && domain && names && !self->started);
    if (!self->on)
        return 0;
    domain_t *d = NULL;
    for (size_t i = 0; i < self->domain_count; i++)
        if (strcmp (self->domains [i].name, domain) == 0)
            d = &self->domains [i];
    if (!d) {
        if (self->domain_count == DOMAINS_MAX) {
            snprintf (err, err_size, "too many ZAP domains");
            return -1;
        }
        d = &self->domains [self->domain_count++];
        snprintf (d->name, sizeof d->name, "%s", domain);
    }
    char list [512];
    snprintf (list, sizeof list, "%s", names);
    for (char *save = NULL, *one = strtok_r (list, ", ", &save); one; one = strtok_r (NULL, ", ", &save)) {
        if (strlen (one) >= NAME_MAX_LEN || d->peer_count == PEERS_MAX) {
            snprintf (err, err_size, "cannot admit %.64s to %s", one, domain);
            return -1;
        }
        char key [KEY_Z85 + 1];
        if (s_public_of (self, one, key, err, err_size) != 0)
            return -1;
        peer_t *peer = &d->peers [d->peer_count++];
        snprintf (peer->name, sizeof peer->name, "%s", one);
        zmq_z85_decode (peer->key, key);
    }
    return 0;
}

//  The name of the peer of domain whose key is key (32 bytes), or NULL.
static const char *
s_admitted (const kw_curve_t *self, const char *domain, size_t domain_len, const uint8_t *key)
{
    for (size_t i = 0; i < self->domain_count; i++) {
        const domain_t *d = &self->domains [i];
        if (strlen (d->name) != domain_len || memcmp (d->name, domain, domain_len) != 0)
            continue;
        for (size_t p = 0; p < d->peer_count; p++)
            if (memcmp (d->peers [p].key, key, 32) == 0)
                return d->peers [p].name;
    }
    return NULL;
}

static void
s_send_str (void *socket, const char *text, int more)
{
    zmq_send (socket, text, strlen (text), more ? ZMQ_SNDMORE : 0);
}

//  Answer one ZAP request (RFC 27): frames are version, request id, domain,
//  address, routing id, mechanism, credentials.
static void
s_zap_answer (kw_curve_t *self, zmq_msg_t *frames, int count)
{
    const char *name = NULL;
    int curve = count >= 7 && zmq_msg_size (&frames [5]) == 5
             && memcmp (zmq_msg_data (&frames [5]), "CURVE", 5) == 0
             && zmq_msg_size (&frames [6]) == 32;
    if (count >= 7 && curve)
        name = s_admitted (self, zmq_msg_data (&frames [2]), zmq_msg_size (&frames [2]),
                           zmq_msg_data (&frames [6]));
    if (!name) {
        char domain [NAME_MAX_LEN] = "", address [64] = "", key [KEY_Z85 + 1] = "";
        if (count >= 4) {
            snprintf (domain, sizeof domain, "%.*s", (int) zmq_msg_size (&frames [2]),
                      (const char *) zmq_msg_data (&frames [2]));
            snprintf (address, sizeof address, "%.*s", (int) zmq_msg_size (&frames [3]),
                      (const char *) zmq_msg_data (&frames [3]));
        }
        if (curve)
            zmq_z85_encode (key, zmq_msg_data (&frames [6]), 32);
        //  The key identifies a program, never a person.
        kw_warn ("curve_refused", "domain", domain, "address", address,
                 "client_key", curve ? key : "(none)");
    }
    s_send_str (self->zap, "1.0", 1);
    if (count >= 2)
        zmq_msg_send (&frames [1], self->zap, ZMQ_SNDMORE);
    else
        s_send_str (self->zap, "", 1);
    s_send_str (self->zap, name ? "200" : "400", 1);
    s_send_str (self->zap, name ? "OK" : "not admitted", 1);
    s_send_str (self->zap, name ? name : "", 1);
    s_send_str (self->zap, "", 0);
}

static void *
s_zap_thread (void *arg)
{
    kw_curve_t *self = arg;
    for (;;) {
        zmq_pollitem_t item = { .socket = self->zap, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;                      //  ETERM: the context is ending
        }
        zmq_msg_t frames [8];
        int count = kw_rpc_recv_frames (self->zap, frames, 8);
        if (count > 0)
            s_zap_answer (self, frames, count);
        kw_rpc_close_frames (frames, count, 8);
    }
    zmq_close (self->zap);
    return NULL;
}

int
kw_curve_start (kw_curve_t *self, void *zctx, char *err, size_t err_size)
{
    assert (self && zctx && !self->started);
    if (!self->on)
        return 0;
    self->zap = zmq_socket (zctx, ZMQ_REP);
    int linger = 0;
    zmq_setsockopt (self->zap, ZMQ_LINGER, &linger, sizeof linger);
    if (!self->zap || zmq_bind (self->zap, ZAP_ENDPOINT) != 0) {
        snprintf (err, err_size, "cannot bind the ZAP handler: %s", zmq_strerror (errno));
        if (self->zap)
            zmq_close (self->zap);
        return -1;
    }
    if (pthread_create (&self->thread, NULL, s_zap_thread, self) != 0) {
        snprintf (err, err_size, "cannot start the ZAP handler");
        zmq_close (self->zap);
        return -1;
    }
    self->started = 1;
    return 0;
}

int
kw_curve_server (kw_curve_t *self, void *socket, const char *domain, char *err, size_t err_size)
{
    if (!kw_curve_on (self))
        return 0;
    int server = 1, enforce = 1;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &server, sizeof server) != 0
    ||  zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, self->secret_key, KEY_Z85 + 1) != 0
    ||  zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, domain, strlen (domain)) != 0
    ||  zmq_setsockopt (socket, ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof enforce) != 0) {
        snprintf (err, err_size, "cannot make a CURVE server: %s", zmq_strerror (errno));
        return -1;
    }
    return 0;
}

int
kw_curve_client (kw_curve_t *self, void *socket, const char *server, char *err, size_t err_size)
{
    if (!kw_curve_on (self))
        return 0;
    char server_key [KEY_Z85 + 1];
    if (s_public_of (self, server, server_key, err, err_size) != 0)
        return -1;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, server_key, KEY_Z85 + 1) != 0
    ||  zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, self->public_key, KEY_Z85 + 1) != 0
    ||  zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, self->secret_key, KEY_Z85 + 1) != 0) {
        snprintf (err, err_size, "cannot make a CURVE client: %s", zmq_strerror (errno));
        return -1;
    }
    return 0;
}

const char *
kw_curve_sender (const zmq_msg_t *msg)
{
    return zmq_msg_gets ((zmq_msg_t *) msg, "User-Id");
}

int
kw_curve_sent_by (const kw_curve_t *self, const zmq_msg_t *msg, const char *names)
{
    if (!kw_curve_on (self))
        return 1;
    const char *sender = kw_curve_sender (msg);
    if (!sender || !*sender)
        return 0;
    size_t len = strlen (sender);
    for (const char *p = names; *p; ) {
        size_t n = strcspn (p, ", ");
        if (n == len && memcmp (p, sender, len) == 0)
            return 1;
        p += n;
        p += strspn (p, ", ");
    }
    return 0;
}
