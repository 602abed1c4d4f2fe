/*  loadgen: posts eligible referrals to the gateway and times each one from
    the POST to its offer, seen on the bus (a ZeroMQ SUB socket on
    KW_BUS_SUB subscribed to assignment.offer_made; the OfferMade payload
    names the referral); a referral whose case waits for the coordinator
    instead (assignment.case_awaiting_key_worker) is answered too, and
    counted apart. The referrals look like a region's: children in districts
    NR1 to NR35, a fifth of families speaking another language than
    English, varied needs, and a suggested key worker for half of them
    (most registered, --prefix.N@example.org for N below --workforce).
    Three modes:
      loadgen --rate 100 --duration 20        open loop: send on a fixed
          schedule whatever the replies; latency from the scheduled send
      loadgen --max --duration 20 --concurrency 16 [--outstanding 64]
          closed loop: keep N POSTs in flight and at most --outstanding
          referrals between their POST and their offer (or their case's
          wait for the coordinator): the stack is never handed more than
          it can carry through, so no backlog builds behind the intake;
          referrals and offers per second
      loadgen --accept FILE --concurrency 16
          accept every offer of FILE ("case_id offer_id" lines) as a
          coordinator, N at a time: accepts per second
    Its SUB socket is a CURVE client of the bus with the key pair named
    loadgen (KW_CURVE_PUBLIC_DIR/loadgen.key, or KW_CURVE_SECRET_FILE; the
    bus must admit loadgen among its subscribers, KW_BUS_SUBSCRIBERS), or
    plain with KW_CURVE=off.
    Prints a summary and one "RESULT key=value ..." line for scripts. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <curl/curl.h>
#include <jansson.h>
#include <zmq.h>
#include "kw_curve.h"
#include "kw/envelope.pb-c.h"
#include "kw/assignment.pb-c.h"
#include "kw_topics.h"
#include "load_clock.h"

#define TABLE_SIZE (1u << 18)           //  referrals tracked, power of two
#define MAX_REFERRALS (TABLE_SIZE / 2)
#define TOPIC KW_TOPIC (KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_OFFER_MADE)
#define TOPIC_WAITING KW_TOPIC (KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_AWAITING_KEY_WORKER)

//  One referral, keyed by its id: when it was sent, accepted, offered.
typedef struct {
    char id [40];
    double sent;                        //  0 until the 201 names it
    double accepted;
    double offered;                     //  0 until the offer is seen
    double waiting;                     //  0 until its case waits for the coordinator
} s_entry_t;

//  One POST in flight.
typedef struct {
    double sent;
    char *reply;
    size_t reply_len;
} s_request_t;

static s_entry_t *s_table;
static size_t s_entries;
static uint64_t s_rng;



//  A random ten-digit NHS number with a valid modulus-11 check digit.
static void
s_nhs_number (char out [11])
{
    for (;;) {
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            int d = (int) (load_random (&s_rng) % 10);
            out [i] = (char) ('0' + d);
            sum += d * (10 - i);
        }
        int check = 11 - sum % 11;
        if (check == 11)
            check = 0;
        if (check != 10) {
            out [9] = (char) ('0' + check);
            out [10] = 0;
            return;
        }
    }
}

static uint32_t
s_hash (const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 16777619u;
    return h;
}

//  The entry for a referral id, created when absent; NULL when full.
static s_entry_t *
s_lookup (const char *id)
{
    if (strlen (id) >= sizeof s_table [0].id)
        return NULL;
    for (uint32_t i = s_hash (id) & (TABLE_SIZE - 1);; i = (i + 1) & (TABLE_SIZE - 1)) {
        s_entry_t *e = &s_table [i];
        if (!e->id [0]) {
            if (s_entries >= MAX_REFERRALS)
                return NULL;
            strcpy (e->id, id);
            s_entries++;
            return e;
        }
        if (strcmp (e->id, id) == 0)
            return e;
    }
}

static size_t
s_write_cb (char *data, size_t size, size_t n, void *arg)
{
    s_request_t *req = arg;
    size_t len = size * n;
    char *grown = realloc (req->reply, req->reply_len + len + 1);
    if (!grown)
        return 0;
    memcpy (grown + req->reply_len, data, len);
    req->reply = grown;
    req->reply_len += len;
    req->reply [req->reply_len] = 0;
    return len;
}

typedef struct {
    CURLM *multi;
    struct curl_slist *headers;
    char url [256];
    void *sub;
    int in_flight;
    uint64_t sent;
    uint64_t accepted;
    uint64_t rejected;
    uint64_t last_status;
    uint64_t offers;                    //  offer_made events seen
    uint64_t completed;                 //  accepted referrals with their offer (or waiting)
    uint64_t waiting;                   //  cases that waited for the coordinator
    const char *prefix;                 //  the registered workforce's e-mails: prefix.N@example.org
    int workforce;
} s_gen_t;

//  The suggested key worker member of a referral: a registered professional
//  for two in five, someone unregistered for one in ten, none for the rest.
static void
s_suggestion (s_gen_t *gen, char *out, size_t size)
{
    uint64_t pick = load_random (&s_rng) % 10;
    if (pick < 4 && gen->workforce > 0)
        snprintf (out, size, "\"suggested_key_worker\":{\"email\":\"%s.%d@example.org\"},", gen->prefix,
                  (int) (load_random (&s_rng) % (uint64_t) gen->workforce));
    else
    if (pick < 5)
        snprintf (out, size, "\"suggested_key_worker\":{\"email\":\"someone.%u@example.org\"},",
                  (unsigned) (load_random (&s_rng) % 100000));
    else
        out [0] = 0;
}

static void
s_post (s_gen_t *gen, double sent)
{
    static const char *const languages [] = { "en", "en", "en", "en", "en", "en", "en", "en", "pl", "ur", "ro", "lt" };
    static const char *const tf [] = { "false", "true" };
    char nhs [11], body [2560], suggested [160];
    s_nhs_number (nhs);
    s_suggestion (gen, suggested, sizeof suggested);
    int chn = (int) (load_random (&s_rng) % 2), hlon = !chn || load_random (&s_rng) % 2;
    snprintf (body, sizeof body,
        "{\"source\":\"professional\","
        "\"referrer\":{\"name\":\"Dr Referrer\",\"agency\":\"Riverside Surgery\",\"role\":\"GP\","
        "\"email\":\"referrer@example.org\"},"
        "\"child\":{\"nhs_number\":\"%s\",\"given_name\":\"Test\",\"family_name\":\"Child\","
        "\"date_of_birth\":\"2015-03-02\",\"postcode\":\"NR%d 3TU\",\"gp_practice\":\"D82001\","
        "\"in_complex_needs_school\":false,\"language\":\"%s\"},"
        "\"needs\":{\"complex_health_needs\":%s,\"high_level_of_need\":%s,"
        "\"learning_disability\":%s,\"autism\":%s,\"inpatient\":false},"
        "\"professionals\":["
        "{\"name\":\"Therapist A\",\"agency\":\"Community Health\",\"discipline\":\"occupational_therapist\"},"
        "{\"name\":\"Social Worker B\",\"agency\":\"Children's Services\",\"discipline\":\"social_worker\"},"
        "{\"name\":\"Teacher C\",\"agency\":\"Riverside School\",\"discipline\":\"teacher\"}],"
        "%s"
        "\"consent\":{\"basis\":\"parental_responsibility\",\"given_by\":\"Parent\",\"date\":\"2026-11-20\"}}",
        nhs, (int) (1 + load_random (&s_rng) % 35),
        languages [load_random (&s_rng) % (sizeof languages / sizeof languages [0])],
        tf [chn], tf [hlon], tf [load_random (&s_rng) % 2], tf [load_random (&s_rng) % 2], suggested);
    s_request_t *req = calloc (1, sizeof *req);
    req->sent = sent;
    CURL *easy = curl_easy_init ();
    curl_easy_setopt (easy, CURLOPT_URL, gen->url);
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER, gen->headers);
    curl_easy_setopt (easy, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt (easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_write_cb);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, req);
    curl_easy_setopt (easy, CURLOPT_PRIVATE, req);
    curl_multi_add_handle (gen->multi, easy);
    gen->in_flight++;
    gen->sent++;
}

//  Collect finished POSTs: a 201 names the referral to wait an offer for.
static void
s_collect (s_gen_t *gen)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read (gen->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        double now = load_now ();
        CURL *easy = msg->easy_handle;
        s_request_t *req = NULL;
        long status = 0;
        curl_easy_getinfo (easy, CURLINFO_PRIVATE, (char **) &req);
        curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
        s_entry_t *entry = NULL;
        if (msg->data.result == CURLE_OK && status == 201 && req->reply) {
            json_t *root = json_loads (req->reply, 0, NULL);
            const char *id = json_string_value (json_object_get (root, "id"));
            if (id)
                entry = s_lookup (id);
            json_decref (root);
        }
        if (entry) {
            entry->sent = req->sent;
            entry->accepted = now;
            gen->accepted++;
            if (entry->offered > 0 || entry->waiting > 0)
                gen->completed++;
        }
        else {
            gen->rejected++;
            gen->last_status = (uint64_t) status;
            if (gen->rejected <= 3)
                fprintf (stderr, "loadgen: POST failed: %s status %ld %.200s\n",
                         curl_easy_strerror (msg->data.result), status,
                         req->reply ? req->reply : "");
        }
        curl_multi_remove_handle (gen->multi, easy);
        curl_easy_cleanup (easy);
        free (req->reply);
        free (req);
        gen->in_flight--;
    }
}

//  Read every queued offer_made event off the SUB socket.
static void
s_drain_bus (s_gen_t *gen)
{
    for (;;) {
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        if (zmq_msg_recv (&topic, gen->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&topic);
            return;
        }
        double now = load_now ();
        int offer_topic = zmq_msg_size (&topic) == strlen (TOPIC)
                       && memcmp (zmq_msg_data (&topic), TOPIC, strlen (TOPIC)) == 0;
        int waiting_topic = zmq_msg_size (&topic) == strlen (TOPIC_WAITING)
                         && memcmp (zmq_msg_data (&topic), TOPIC_WAITING, strlen (TOPIC_WAITING)) == 0;
        int more = zmq_msg_more (&topic);
        zmq_msg_close (&topic);
        if (!more)
            continue;
        zmq_msg_init (&body);
        if (zmq_msg_recv (&body, gen->sub, 0) < 0) {
            zmq_msg_close (&body);
            return;
        }
        while (zmq_msg_more (&body)) {
            zmq_msg_close (&body);
            zmq_msg_init (&body);
            zmq_msg_recv (&body, gen->sub, 0);
            offer_topic = waiting_topic = 0;
        }
        Kw__Envelope *env = offer_topic || waiting_topic
                          ? kw__envelope__unpack (NULL, zmq_msg_size (&body), zmq_msg_data (&body)) : NULL;
        if (env && offer_topic) {
            Kw__OfferMade *offer = kw__offer_made__unpack (NULL, env->payload.len, env->payload.data);
            s_entry_t *entry = offer && offer->referral_id ? s_lookup (offer->referral_id) : NULL;
            if (entry && entry->offered == 0) {
                entry->offered = now;
                gen->offers++;
                if (entry->sent > 0 && entry->waiting == 0)
                    gen->completed++;
            }
            if (offer)
                kw__offer_made__free_unpacked (offer, NULL);
        }
        if (env && waiting_topic) {
            Kw__CaseAwaitingKeyWorker *waits = kw__case_awaiting_key_worker__unpack (NULL, env->payload.len,
                                                                                    env->payload.data);
            s_entry_t *entry = waits && waits->referral_id ? s_lookup (waits->referral_id) : NULL;
            if (entry && entry->waiting == 0 && entry->offered == 0) {
                entry->waiting = now;
                gen->waiting++;
                if (entry->sent > 0)
                    gen->completed++;
            }
            if (waits)
                kw__case_awaiting_key_worker__free_unpacked (waits, NULL);
        }
        if (env)
            kw__envelope__free_unpacked (env, NULL);
        zmq_msg_close (&body);
    }
}

//  Wait for curl sockets or the bus for at most timeout seconds, then
//  advance transfers and read what arrived.
static void
s_turn (s_gen_t *gen, double timeout)
{
    int fd = -1;
    size_t fd_size = sizeof fd;
    zmq_getsockopt (gen->sub, ZMQ_FD, &fd, &fd_size);
    struct curl_waitfd extra = { .fd = fd, .events = CURL_WAIT_POLLIN };
    int ms = timeout <= 0 ? 0 : (int) ceil (timeout * 1000);
    if (ms > 5)
        ms = 5;
    int numfds = 0, running = 0;
    curl_multi_poll (gen->multi, &extra, 1, ms, &numfds);
    curl_multi_perform (gen->multi, &running);
    s_collect (gen);
    s_drain_bus (gen);
}

//  Referrals posted and not yet answered by their offer or their case's
//  wait: POSTs in flight and referrals accepted without an answer yet.
static uint64_t
s_outstanding (const s_gen_t *gen)
{
    return (uint64_t) gen->in_flight + gen->accepted - gen->completed;
}

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
s_pct (const double *sorted, size_t n, double p)
{
    if (n == 0)
        return NAN;
    size_t i = (size_t) llround (p / 100.0 * (double) (n - 1));
    return sorted [i < n ? i : n - 1];
}

static char *
s_token (void)
{
    const char *bin = getenv ("KW_BIN_DIR");
    char cmd [1024];
    snprintf (cmd, sizeof cmd, "%s/kwctl token --role coordinator --region norfolk --sub bench",
              bin ? bin : "build/bin");
    FILE *p = popen (cmd, "r");
    if (!p)
        return NULL;
    char buf [4096];
    char *line = fgets (buf, sizeof buf, p);
    int rc = pclose (p);
    if (!line || rc != 0)
        return NULL;
    buf [strcspn (buf, "\r\n")] = 0;
    return strdup (buf);
}

static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: loadgen (--rate N | --max | --accept FILE) [--duration S] [--concurrency N] [--outstanding N]\n"
        "               [--timeout S] [--token JWT] [--addr HOST:PORT] [--bus ENDPOINT]\n"
        "               [--workforce N] [--prefix P]\n"
        "  --rate N         open loop: N referrals per second on a fixed schedule\n"
        "  --max            closed loop: --concurrency POSTs (16) always in flight\n"
        "  --outstanding N  closed loop: at most N referrals (64) between POST and offer\n"
        "  --accept FILE    accept the offers of FILE (lines \"case_id offer_id\"), --concurrency at once\n"
        "  --duration S     seconds of sending (20)\n"
        "  --timeout S      seconds to wait for each offer (10)\n"
        "  --workforce N    suggest P.0@example.org to P.(N-1)@example.org (0: no registered suggestions)\n"
        "  --prefix P       the registered workforce's e-mail prefix (bench)\n"
        "  --token JWT      else `$KW_BIN_DIR/kwctl token --role coordinator ...`\n"
        "  --addr, --bus    else KW_HTTP_ADDR and KW_BUS_SUB\n");
}

//  One accept in flight: when it was sent.
typedef struct {
    double sent;
} s_accept_t;

static size_t
s_discard (char *data, size_t size, size_t n, void *arg)
{
    return size * n;
}

//  --accept: POST every offer's accept, concurrency at a time; accepts/s.
static int
s_accept_run (const char *addr, const char *token, const char *file, int concurrency)
{
    FILE *f = fopen (file, "r");
    if (!f) {
        fprintf (stderr, "loadgen: cannot read %s\n", file);
        return 2;
    }
    size_t cap = 1024, count = 0;
    char (*urls) [256] = malloc (cap * sizeof *urls);
    char case_id [64], offer_id [64];
    while (fscanf (f, "%63s %63s", case_id, offer_id) == 2) {
        if (count == cap)
            urls = realloc (urls, (cap *= 2) * sizeof *urls);
        snprintf (urls [count++], sizeof urls [0], "http://%s/v1/cases/%s/offers/%s/accept", addr, case_id, offer_id);
    }
    fclose (f);
    CURLM *multi = curl_multi_init ();
    char auth [4200];
    snprintf (auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *headers = curl_slist_append (NULL, auth);
    headers = curl_slist_append (headers, "Expect:");
    double *lat = calloc (count + 1, sizeof *lat);
    size_t next = 0, done = 0, ok = 0, conflict = 0, other = 0;
    int in_flight = 0;
    double start = load_now ();
    while (done < count) {
        while (in_flight < concurrency && next < count) {
            s_accept_t *a = malloc (sizeof *a);
            a->sent = load_now ();
            CURL *easy = curl_easy_init ();
            curl_easy_setopt (easy, CURLOPT_URL, urls [next++]);
            curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
            curl_easy_setopt (easy, CURLOPT_POST, 1L);
            curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE, 0L);
            curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
            curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, 10000L);
            curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_discard);
            curl_easy_setopt (easy, CURLOPT_PRIVATE, a);
            curl_multi_add_handle (multi, easy);
            in_flight++;
        }
        int running = 0, numfds = 0;
        curl_multi_poll (multi, NULL, 0, 5, &numfds);
        curl_multi_perform (multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read (multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            s_accept_t *a = NULL;
            long status = 0;
            curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &a);
            curl_easy_getinfo (msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (status == 200)
                lat [ok++] = load_now () - a->sent;
            else
            if (status == 409)
                conflict++;
            else
                other++;
            free (a);
            curl_multi_remove_handle (multi, msg->easy_handle);
            curl_easy_cleanup (msg->easy_handle);
            in_flight--;
            done++;
        }
    }
    double window = load_now () - start;
    qsort (lat, ok, sizeof *lat, s_cmp_double);
    printf ("# accepts: %zu offers, %d in flight\n", count, concurrency);
    printf ("accepted %zu  refused (409) %zu  other %zu in %.2f s: %.1f accepts/s, p50 %.1f ms, p99 %.1f ms\n",
            ok, conflict, other, window, ok / window, s_pct (lat, ok, 50) * 1000, s_pct (lat, ok, 99) * 1000);
    printf ("RESULT mode=accept offers=%zu accepted=%zu refused=%zu other=%zu accepts_per_s=%.2f"
            " accept_p50_ms=%.2f accept_p99_ms=%.2f\n", count, ok, conflict, other, ok / window,
            s_pct (lat, ok, 50) * 1000, s_pct (lat, ok, 99) * 1000);
    curl_slist_free_all (headers);
    curl_multi_cleanup (multi);
    free (lat);
    free (urls);
    return other == 0 ? 0 : 1;
}

//  This process's processor time so far (user and system), in ms.
static double
s_cpu_ms (void)
{
    struct rusage ru;
    if (getrusage (RUSAGE_SELF, &ru) != 0)
        return 0;
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

int
main (int argc, char **argv)
{
    double rate = 0, duration = 20, timeout = 10;
    int max_mode = 0, concurrency = 16, outstanding = 64;
    const char *token_arg = NULL, *accept_file = NULL, *prefix = "bench";
    int workforce = 0;
    const char *addr = getenv ("KW_HTTP_ADDR");
    const char *bus = getenv ("KW_BUS_SUB");
    static const struct option options [] = {
        { "rate", required_argument, NULL, 'r' },
        { "max", no_argument, NULL, 'm' },
        { "duration", required_argument, NULL, 'd' },
        { "concurrency", required_argument, NULL, 'c' },
        { "timeout", required_argument, NULL, 't' },
        { "token", required_argument, NULL, 'k' },
        { "addr", required_argument, NULL, 'a' },
        { "bus", required_argument, NULL, 'b' },
        { "accept", required_argument, NULL, 'A' },
        { "outstanding", required_argument, NULL, 'o' },
        { "workforce", required_argument, NULL, 'w' },
        { "prefix", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
            case 'r': rate = atof (optarg); break;
            case 'm': max_mode = 1; break;
            case 'd': duration = atof (optarg); break;
            case 'c': concurrency = atoi (optarg); break;
            case 't': timeout = atof (optarg); break;
            case 'k': token_arg = optarg; break;
            case 'a': addr = optarg; break;
            case 'b': bus = optarg; break;
            case 'A': accept_file = optarg; break;
            case 'o': outstanding = atoi (optarg); break;
            case 'w': workforce = atoi (optarg); break;
            case 'p': prefix = optarg; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
    }
    if (accept_file && addr && concurrency >= 1) {
        char *token = token_arg ? strdup (token_arg) : s_token ();
        if (!token) {
            fprintf (stderr, "loadgen: no token (kwctl token failed; pass --token)\n");
            return 2;
        }
        curl_global_init (CURL_GLOBAL_DEFAULT);
        int rc = s_accept_run (addr, token, accept_file, concurrency);
        curl_global_cleanup ();
        free (token);
        return rc;
    }
    if ((!max_mode && rate <= 0) || duration <= 0 || concurrency < 1 || outstanding < 1 || !addr || !bus) {
        s_usage (stderr);
        fprintf (stderr, "loadgen: need --rate or --max, and KW_HTTP_ADDR and KW_BUS_SUB (or --addr, --bus)\n");
        return 2;
    }
    char *token = token_arg ? strdup (token_arg) : s_token ();
    if (!token) {
        fprintf (stderr, "loadgen: no token (kwctl token failed; pass --token)\n");
        return 2;
    }
    s_rng = (uint64_t) time (NULL) * 2654435761u ^ (uint64_t) getpid () << 32 ^ 0x9e3779b97f4a7c15u;
    s_table = calloc (TABLE_SIZE, sizeof *s_table);
    if (!s_table)
        return 1;

    s_gen_t gen = { .prefix = prefix, .workforce = workforce };
    void *zctx = zmq_ctx_new ();
    gen.sub = zmq_socket (zctx, ZMQ_SUB);
    int linger = 0, hwm = 1000000;
    zmq_setsockopt (gen.sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (gen.sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt (gen.sub, ZMQ_SUBSCRIBE, TOPIC, strlen (TOPIC));
    zmq_setsockopt (gen.sub, ZMQ_SUBSCRIBE, TOPIC_WAITING, strlen (TOPIC_WAITING));
    char err [512];
    const char *curve_mode = getenv ("KW_CURVE");
    kw_curve_t *curve = kw_curve_new ("loadgen", curve_mode ? curve_mode : "on",
                                      getenv ("KW_CURVE_PUBLIC_DIR"), getenv ("KW_CURVE_SECRET_FILE"),
                                      err, sizeof err);
    if (!curve || kw_curve_client (curve, gen.sub, "bus", err, sizeof err) != 0) {
        fprintf (stderr, "loadgen: %s\n", err);
        return 1;
    }
    if (zmq_connect (gen.sub, bus) != 0) {
        fprintf (stderr, "loadgen: cannot connect %s: %s\n", bus, zmq_strerror (errno));
        return 1;
    }
    curl_global_init (CURL_GLOBAL_DEFAULT);
    gen.multi = curl_multi_init ();
    if (max_mode)
        curl_multi_setopt (gen.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long) concurrency);
    snprintf (gen.url, sizeof gen.url, "http://%s/v1/referrals", addr);
    char auth [4200];
    snprintf (auth, sizeof auth, "Authorization: Bearer %s", token);
    gen.headers = curl_slist_append (NULL, auth);
    gen.headers = curl_slist_append (gen.headers, "Content-Type: application/json");
    gen.headers = curl_slist_append (gen.headers, "Expect:");

    //  Let the subscription reach the bus before the first referral.
    double settle = load_now () + 0.5;
    while (load_now () < settle)
        s_turn (&gen, settle - load_now ());

    double start = load_now ();
    double stop = start + duration;
    double max_lag = 0;
    uint64_t scheduled = 0;
    for (;;) {
        double now = load_now ();
        if (now >= stop)
            break;
        double wait;
        if (max_mode) {
            while (gen.in_flight < concurrency && s_entries < MAX_REFERRALS
               &&  s_outstanding (&gen) < (uint64_t) outstanding)
                s_post (&gen, load_now ());
            wait = stop - now;
        }
        else {
            double due = start + (double) scheduled / rate;
            while (due <= now && due < stop && s_entries < MAX_REFERRALS) {
                if (now - due > max_lag)
                    max_lag = now - due;
                s_post (&gen, due);
                scheduled++;
                due = start + (double) scheduled / rate;
            }
            wait = due - load_now ();
        }
        s_turn (&gen, wait);
    }
    double send_end = load_now ();
    uint64_t accepted_in_window = gen.accepted;

    //  Wait for the replies in flight and the offers still to come.
    double give_up = send_end + timeout;
    while (load_now () < give_up && (gen.in_flight > 0 || gen.completed < gen.accepted))
        s_turn (&gen, give_up - load_now ());

    //  Latency of each accepted referral; one without its offer in time
    //  counts as infinite, so it lands in the top percentiles.
    double *lat = malloc ((gen.accepted + 1) * sizeof *lat);
    double *post = malloc ((gen.accepted + 1) * sizeof *post);
    size_t n = 0, incomplete = 0, offers_in_window = 0, waited = 0;
    double last_offer = 0;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        s_entry_t *e = &s_table [i];
        if (!e->id [0])
            continue;
        if (e->sent == 0)
            continue;             //  an offer for a referral of an earlier run
        post [n] = e->accepted - e->sent;
        if (e->offered == 0 && e->waiting > 0 && e->waiting - e->sent <= timeout) {
            waited++;
            continue;             //  answered: the coordinator is told; no offer to time
        }
        if (e->offered == 0 || e->offered - e->sent > timeout) {
            lat [n] = INFINITY;
            incomplete++;
        }
        else {
            lat [n] = e->offered - e->sent;
            if (e->offered <= send_end)
                offers_in_window++;
            if (e->offered > last_offer)
                last_offer = e->offered;
        }
        n++;
    }
    qsort (lat, n, sizeof *lat, s_cmp_double);
    qsort (post, n, sizeof *post, s_cmp_double);
    double p50 = s_pct (lat, n, 50) * 1000, p95 = s_pct (lat, n, 95) * 1000;
    double p99 = s_pct (lat, n, 99) * 1000, pmax = n ? lat [n - 1] * 1000 : NAN;
    double window = send_end - start;
    double accepted_rate = accepted_in_window / window;
    double offer_rate = offers_in_window / window;
    double e2e_rate = last_offer > start ? (n - incomplete) / (last_offer - start) : 0;

    if (max_mode)
        printf ("# closed loop: %d POSTs in flight, at most %d referrals before their offer, for %.1f s\n",
                concurrency, outstanding, window);
    else
        printf ("# open loop: %.0f referrals/s for %.1f s (latest send %.1f ms behind schedule)\n",
                rate, window, max_lag * 1000);
    printf ("# offers observed on the bus: SUB %s, topic %s, OfferMade.referral_id\n", bus, TOPIC);
    printf ("sent %" PRIu64 "  accepted (201) %" PRIu64 "  failed %" PRIu64
            "  offers %" PRIu64 "  waiting for the coordinator %zu  neither within %.0f s %zu\n",
            gen.sent, gen.accepted, gen.rejected, n - incomplete, waited, timeout, incomplete);
    printf ("%-22s %9s %9s %9s %9s\n", "ms from POST", "p50", "p95", "p99", "max");
    printf ("%-22s %9.1f %9.1f %9.1f %9.1f\n", "201 accepted",
            s_pct (post, n, 50) * 1000, s_pct (post, n, 95) * 1000,
            s_pct (post, n, 99) * 1000, n ? post [n - 1] * 1000 : NAN);
    printf ("%-22s %9.1f %9.1f %9.1f %9.1f\n", "offer made (bus)", p50, p95, p99, pmax);
    printf ("referrals/s: accepted %.1f, offers made %.1f while sending, %.1f end to end\n",
            accepted_rate, offer_rate, e2e_rate);
    printf ("RESULT mode=%s rate=%.0f concurrency=%d duration=%.2f sent=%" PRIu64
            " accepted=%" PRIu64 " failed=%" PRIu64 " incomplete=%zu waiting=%zu"
            " p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f"
            " accepted_per_s=%.2f offers_per_s=%.2f e2e_per_s=%.2f"
            " create_p50_ms=%.2f create_p95_ms=%.2f create_p99_ms=%.2f cpu_ms=%.0f\n",
            max_mode ? "max" : "open", max_mode ? 0 : rate, max_mode ? concurrency : 0, window,
            gen.sent, gen.accepted, gen.rejected, incomplete, waited,
            p50, p95, p99, pmax, accepted_rate, offer_rate, e2e_rate,
            s_pct (post, n, 50) * 1000, s_pct (post, n, 95) * 1000, s_pct (post, n, 99) * 1000,
            s_cpu_ms ());
    fflush (stdout);

    free (lat);
    free (post);
    curl_slist_free_all (gen.headers);
    curl_multi_cleanup (gen.multi);
    curl_global_cleanup ();
    zmq_close (gen.sub);
    zmq_ctx_term (zctx);
    kw_curve_destroy (&curve);
    free (s_table);
    free (token);
    return gen.accepted > 0 && incomplete == 0 ? 0 : 1;
}
