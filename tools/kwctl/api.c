/*  api: calls to the gateway for the kwctl commands. Finds the gateway's URL
    and the bearer token (options, then the environment), sends requests
    through http.c, parses the JSON answers and reports errors with the exit
    status they mean. The token is never printed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kwctl.h"

#define DEFAULT_URL "http://127.0.0.1:8080"

struct _kwctl_api_t {
    kwctl_http_t *http;
    char *url;                  //  base URL, no trailing slash
    const char *url_from;       //  where the URL came from, for messages
    int json;
    long status;
};

//  Print the options, environment and exit statuses every gateway command shares.
void
kwctl_common_usage (FILE *out)
{
    fprintf (out,
        "Options of the referral, dsr and eligibility commands (before or after the command):\n"
        "  --url URL        the gateway, e.g. http://127.0.0.1:8080\n"
        "  --token TOKEN    the bearer token (prefer KW_TOKEN: options show in ps)\n"
        "  --json           print the gateway's JSON answer, indented, instead of text;\n"
        "                   on an error the error body goes to stdout as well\n"
        "  --help           this help\n"
        "\n"
        "Environment:\n"
        "  KW_API_URL       the gateway's URL when --url is not given\n"
        "  KW_HTTP_ADDR     host:port of the gateway when KW_API_URL is unset\n"
        "                   (the URL is then http://KW_HTTP_ADDR); default " DEFAULT_URL "\n"
        "  KW_TOKEN         the bearer token when --token is not given; for a local stack:\n"
        "    export KW_TOKEN=$(kwctl token --role coordinator --region norfolk --sub NAME)\n"
        "\n"
        "Exit status:\n"
        "  0  done\n"
        "  1  the gateway answered with an error, printed as\n"
        "     kwctl: STATUS CODE: MESSAGE (field FIELD) (existing_id ID)\n"
        "  2  usage error: bad options or arguments, missing token, unreadable file\n"
        "  3  the gateway could not be reached or did not answer in time\n");
}

//  1 when s is printable ASCII without spaces.
static int
s_plain (const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f)
            return 0;
    return 1;
}

//  Resolve the gateway's URL and the token from the options and the
//  environment and open a client. Returns KWCTL_OK with the client in
//  *api_p, or prints why (never the token) and returns KWCTL_USAGE.
int
kwctl_api_open (const kwctl_global_t *global, kwctl_api_t **api_p)
{
    *api_p = NULL;
    const char *addr = getenv ("KW_HTTP_ADDR");
    const char *env_url = getenv ("KW_API_URL");
    const char *url = DEFAULT_URL, *url_from = "the default";
    char *built = NULL;
    if (global->url) {
        url = global->url;
        url_from = "--url";
    }
    else
    if (env_url && *env_url) {
        url = env_url;
        url_from = "KW_API_URL";
    }
    else
    if (addr && *addr) {
        size_t size = strlen ("http://") + strlen (addr) + 1;
        built = malloc (size);
        if (!built) {
            fprintf (stderr, "kwctl: out of memory\n");
            return KWCTL_USAGE;
        }
        snprintf (built, size, "http://%s", addr);
        url = built;
        url_from = "KW_HTTP_ADDR";
    }
    size_t scheme = strncasecmp (url, "http://", 7) == 0 ? 7
                  : strncasecmp (url, "https://", 8) == 0 ? 8 : 0;
    if (!scheme || !url [scheme] || url [scheme] == '/' || !s_plain (url)) {
        fprintf (stderr, "kwctl: the gateway URL (from %s) must be http://HOST[:PORT]"
                         " or https://HOST[:PORT]\n", url_from);
        free (built);
        return KWCTL_USAGE;
    }
    const char *token = global->token ? global->token : getenv ("KW_TOKEN");
    if (!token || !*token) {
        fprintf (stderr,
            "kwctl: no token: give --token TOKEN or set KW_TOKEN; for a local stack:\n"
            "  export KW_TOKEN=$(kwctl token --role coordinator --region norfolk --sub NAME)\n");
        free (built);
        return KWCTL_USAGE;
    }
    if (!s_plain (token)) {
        fprintf (stderr, "kwctl: the token (from %s) holds spaces or control characters\n",
                 global->token ? "--token" : "KW_TOKEN");
        free (built);
        return KWCTL_USAGE;
    }
    kwctl_api_t *self = calloc (1, sizeof *self);
    if (self)
        self->url = strdup (url);
    free (built);
    if (self && self->url) {
        size_t len = strlen (self->url);
        while (len > scheme + 1 && self->url [len - 1] == '/')
            self->url [--len] = 0;
        self->http = kwctl_http_new (self->url, token);
    }
    if (!self || !self->http) {
        fprintf (stderr, "kwctl: cannot start the HTTP client\n");
        kwctl_api_destroy (&self);
        return KWCTL_USAGE;
    }
    self->url_from = url_from;
    self->json = global->json;
    *api_p = self;
    return KWCTL_OK;
}

//  Close the client and clear the caller's pointer; safe twice.
void
kwctl_api_destroy (kwctl_api_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    kwctl_api_t *self = *self_p;
    kwctl_http_destroy (&self->http);
    free (self->url);
    free (self);
    *self_p = NULL;
}

//  Print an error answer: "kwctl: STATUS CODE: MESSAGE (field F) (existing_id ID)",
//  then each further field error as "kwctl:   MESSAGE (field F)".
static void
s_report (long status, json_t *answer, const char *body)
{
    json_t *error = json_is_object (answer) ? json_object_get (answer, "error") : NULL;
    const char *code = kwctl_str (error, "code");
    const char *message = kwctl_str (error, "message");
    const char *field = kwctl_str (error, "field");
    const char *existing = kwctl_str (error, "existing_id");
    fprintf (stderr, "kwctl: %ld ", status);
    if (code) {
        kwctl_print_text (stderr, code);
        if (message && *message) {
            fprintf (stderr, ": ");
            kwctl_print_text (stderr, message);
        }
    }
    else {
        //  Not the API's error format: show the start of what came
        char start [121];
        snprintf (start, sizeof start, "%s", body);
        start [strcspn (start, "\r\n")] = 0;
        fprintf (stderr, "(not an API error answer): ");
        kwctl_print_text (stderr, *start ? start : "(empty body)");
    }
    if (field && *field) {
        fprintf (stderr, " (field ");
        kwctl_print_text (stderr, field);
        fprintf (stderr, ")");
    }
    if (existing && *existing) {
        fprintf (stderr, " (existing_id ");
        kwctl_print_text (stderr, existing);
        fprintf (stderr, ")");
    }
    fprintf (stderr, "\n");
    //  Every further problem of the body, one a line.
    json_t *errors = json_object_get (error, "errors");
    for (size_t i = 1; json_is_array (errors) && i < json_array_size (errors); i++) {
        json_t *problem = json_array_get (errors, i);
        fprintf (stderr, "kwctl:   ");
        kwctl_print_text (stderr, kwctl_str (problem, "message") ? kwctl_str (problem, "message") : "");
        const char *also = kwctl_str (problem, "field");
        if (also && *also) {
            fprintf (stderr, " (field ");
            kwctl_print_text (stderr, also);
            fprintf (stderr, ")");
        }
        fprintf (stderr, "\n");
    }
}

//  Call the gateway (arguments as for kwctl_http_request). Returns KWCTL_OK
//  with the parsed JSON answer in *answer_p (the caller's to json_decref);
//  else prints the error to stderr (with --json also the error body to
//  stdout) and returns KWCTL_API_ERROR or KWCTL_UNREACHABLE.
int
kwctl_api_call (kwctl_api_t *self, const char *method, const char *path,
                const char *content_type, const char *body, size_t body_len,
                const char *header, json_t **answer_p)
{
    *answer_p = NULL;
    self->status = 0;
    kwctl_http_reply_t reply;
    char err [512];
    if (kwctl_http_request (self->http, method, path, content_type, body, body_len,
                            header, &reply, err, sizeof err) != 0) {
        fprintf (stderr, "kwctl: cannot reach the gateway at ");
        kwctl_print_text (stderr, self->url);
        fprintf (stderr, " (from %s): ", self->url_from);
        kwctl_print_text (stderr, err);
        fprintf (stderr, "\n");
        return KWCTL_UNREACHABLE;
    }
    self->status = reply.status;
    json_error_t json_err;
    json_t *answer = json_loadb (reply.body, reply.body_len, JSON_DECODE_ANY, &json_err);
    int rc = KWCTL_OK;
    if (reply.status >= 200 && reply.status < 300) {
        if (answer)
            *answer_p = answer;
        else {
            fprintf (stderr, "kwctl: the gateway answered %ld with a body that is not JSON\n",
                     reply.status);
            rc = KWCTL_API_ERROR;
        }
    }
    else {
        s_report (reply.status, answer, reply.body);
        if (self->json && answer)
            kwctl_print_json (stdout, answer);
        json_decref (answer);
        rc = KWCTL_API_ERROR;
    }
    free (reply.body);
    return rc;
}

//  Open a client, make one call and print its answer: as JSON with --json,
//  else with print_fn. Returns the exit status.
int
kwctl_api_show (const kwctl_global_t *global, const char *method, const char *path,
                const char *content_type, const char *body, size_t body_len,
                const char *header, kwctl_print_fn *print_fn)
{
    kwctl_api_t *self;
    int rc = kwctl_api_open (global, &self);
    if (rc != KWCTL_OK)
        return rc;
    json_t *answer;
    rc = kwctl_api_call (self, method, path, content_type, body, body_len, header, &answer);
    if (rc == KWCTL_OK) {
        if (self->json)
            kwctl_print_json (stdout, answer);
        else
            print_fn (stdout, answer);
        json_decref (answer);
    }
    kwctl_api_destroy (&self);
    return rc;
}

int
kwctl_api_get_text (const kwctl_global_t *global, const char *path, FILE *out)
{
    kwctl_api_t *self;
    int rc = kwctl_api_open (global, &self);
    if (rc != KWCTL_OK)
        return rc;
    kwctl_http_reply_t reply;
    char err [512];
    if (kwctl_http_request (self->http, "GET", path, NULL, NULL, 0, NULL, &reply, err, sizeof err) != 0) {
        fprintf (stderr, "kwctl: cannot reach the gateway: ");
        kwctl_print_text (stderr, err);
        fprintf (stderr, "\n");
        kwctl_api_destroy (&self);
        return KWCTL_UNREACHABLE;
    }
    if (reply.status >= 200 && reply.status < 300)
        fwrite (reply.body, 1, reply.body_len, out);
    else {
        json_t *answer = json_loadb (reply.body, reply.body_len, 0, NULL);
        s_report (reply.status, answer, reply.body);
        json_decref (answer);
        rc = KWCTL_API_ERROR;
    }
    free (reply.body);
    kwctl_api_destroy (&self);
    return rc;
}

//  HTTP status of the last answer, 0 when there was none.
long
kwctl_api_status (kwctl_api_t *self)
{
    return self->status;
}

//  1 when the answers are to be printed as JSON (--json).
int
kwctl_api_json (kwctl_api_t *self)
{
    return self->json;
}

//  Send body (a JSON object, taken) with method to path and print the
//  answer with print_fn; Idempotency-Key key when not NULL. The exit status.
int
kwctl_send_json (const kwctl_global_t *global, const char *method, const char *path, json_t *body,
                 const char *key, kwctl_print_fn *print_fn)
{
    char *text = body ? json_dumps (body, JSON_COMPACT) : NULL;
    json_decref (body);
    if (!text) {
        fprintf (stderr, "kwctl: out of memory\n");
        return KWCTL_USAGE;
    }
    char header [256];
    if (key)
        snprintf (header, sizeof header, "Idempotency-Key: %s", key);
    int rc = kwctl_api_show (global, method, path, "application/json", text, strlen (text),
                             key ? header : NULL, print_fn);
    free (text);
    return rc;
}
