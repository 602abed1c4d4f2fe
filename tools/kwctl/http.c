/*  http: kwctl's HTTP client over libcurl. One connection to the gateway,
    kept open between requests; answers are read whole into memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "kwctl.h"

#define CONNECT_TIMEOUT_S   10
#define REQUEST_TIMEOUT_S   300
#define MAX_ANSWER          (256L * 1024 * 1024)

struct _kwctl_http_t {
    CURL *curl;
    char *base_url;
    char *authorization;            //  the header line, or NULL without a token
};

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int too_large;
} s_answer_t;

//  Open a client for the gateway at base_url (no trailing slash) that sends
//  token as the bearer token, when not NULL. NULL when libcurl fails.
kwctl_http_t *
kwctl_http_new (const char *base_url, const char *token)
{
    static int s_initialised = 0;
    if (!s_initialised) {
        if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        s_initialised = 1;
    }
    kwctl_http_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->curl = curl_easy_init ();
    self->base_url = strdup (base_url);
    if (token) {
        size_t size = strlen ("Authorization: Bearer ") + strlen (token) + 1;
        self->authorization = malloc (size);
        if (self->authorization)
            snprintf (self->authorization, size, "Authorization: Bearer %s", token);
    }
    if (!self->curl || !self->base_url || (token && !self->authorization))
        kwctl_http_destroy (&self);
    return self;
}

//  Close the client and clear the caller's pointer; safe twice.
void
kwctl_http_destroy (kwctl_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    kwctl_http_t *self = *self_p;
    if (self->curl)
        curl_easy_cleanup (self->curl);
    if (self->authorization) {
        //  The token does not outlive the client in memory
        memset (self->authorization, 0, strlen (self->authorization));
        free (self->authorization);
    }
    free (self->base_url);
    free (self);
    *self_p = NULL;
}

static size_t
s_write (char *ptr, size_t size, size_t nmemb, void *arg)
{
    s_answer_t *answer = (s_answer_t *) arg;
    size_t n = size * nmemb;
    if (answer->len + n > (size_t) MAX_ANSWER) {
        answer->too_large = 1;
        return 0;
    }
    if (answer->len + n + 1 > answer->cap) {
        size_t cap = answer->cap ? answer->cap : 16384;
        while (cap < answer->len + n + 1)
            cap *= 2;
        char *data = realloc (answer->data, cap);
        if (!data)
            return 0;
        answer->data = data;
        answer->cap = cap;
    }
    memcpy (answer->data + answer->len, ptr, n);
    answer->len += n;
    answer->data [answer->len] = 0;
    return n;
}

//  Add line to the header list; 0 or -1.
static int
s_header (struct curl_slist **list, const char *line)
{
    struct curl_slist *added = curl_slist_append (*list, line);
    if (!added)
        return -1;
    *list = added;
    return 0;
}

//  Send method to path (escaped, with its query), with body (body_len bytes,
//  of content_type) when body is not NULL and one extra header line when
//  header is not NULL. Returns 0 with the answer in reply, or -1 when there
//  was no answer, with the reason in err.
int
kwctl_http_request (kwctl_http_t *self, const char *method, const char *path,
                    const char *content_type, const char *body, size_t body_len,
                    const char *header, kwctl_http_reply_t *reply,
                    char *err, size_t err_size)
{
    memset (reply, 0, sizeof *reply);
    size_t url_size = strlen (self->base_url) + strlen (path) + 1;
    char *url = malloc (url_size);
    char content_header [128];
    snprintf (content_header, sizeof content_header, "Content-Type: %s",
              content_type ? content_type : "application/json");
    struct curl_slist *headers = NULL;
    int failed = !url
        || s_header (&headers, "Accept: application/json") != 0
        || s_header (&headers, "Expect:") != 0
        || (self->authorization && s_header (&headers, self->authorization) != 0)
        || (body && s_header (&headers, content_header) != 0)
        || (header && s_header (&headers, header) != 0);
    if (failed) {
        snprintf (err, err_size, "out of memory");
        curl_slist_free_all (headers);
        free (url);
        return -1;
    }
    snprintf (url, url_size, "%s%s", self->base_url, path);

    s_answer_t answer = { .data = NULL };
    char curl_err [CURL_ERROR_SIZE] = "";
    CURL *curl = self->curl;
    curl_easy_reset (curl);
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_USERAGENT, "kwctl");
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) CONNECT_TIMEOUT_S);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) REQUEST_TIMEOUT_S);
    curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, &answer);
    if (body) {
        curl_easy_setopt (curl, CURLOPT_POST, 1L);
        curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
    }
    else
        curl_easy_setopt (curl, CURLOPT_HTTPGET, 1L);
    if (strcmp (method, body ? "POST" : "GET") != 0)
        curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);

    CURLcode code = curl_easy_perform (curl);
    curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all (headers);
    free (url);
    if (code != CURLE_OK) {
        if (answer.too_large)
            snprintf (err, err_size, "the answer is larger than %ld bytes", MAX_ANSWER);
        else
            snprintf (err, err_size, "%s", *curl_err ? curl_err : curl_easy_strerror (code));
        free (answer.data);
        return -1;
    }
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
    if (!answer.data) {
        answer.data = calloc (1, 1);
        if (!answer.data) {
            snprintf (err, err_size, "out of memory");
            return -1;
        }
    }
    reply->body = answer.data;
    reply->body_len = answer.len;
    return 0;
}

//  Percent-encode s for a path segment or query value; the caller frees it.
char *
kwctl_http_escape (const char *s)
{
    static const char hex [] = "0123456789ABCDEF";
    size_t len = strlen (s);
    char *out = malloc (len * 3 + 1);
    if (!out)
        return NULL;
    char *p = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        ||  c == '-' || c == '.' || c == '_' || c == '~')
            *p++ = (char) c;
        else {
            *p++ = '%';
            *p++ = hex [c >> 4];
            *p++ = hex [c & 15];
        }
    }
    *p = 0;
    return out;
}
