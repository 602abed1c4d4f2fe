/*  kw_curl_uv: libcurl's multi interface driven by a libuv loop, so HTTP and
    SMTP transfers run concurrently without blocking the loop. Connections
    are kept and reused between transfers of one driver (libcurl's
    connection cache). The driver owns CURLOPT_PRIVATE of the easy handles
    it runs; everything else about a transfer is the caller's. */
#ifndef KW_CURL_UV_H
#define KW_CURL_UV_H

#include <stddef.h>
#include <curl/curl.h>
#include <uv.h>

typedef struct _kw_curl_uv_t kw_curl_uv_t;

//  A transfer has ended: result is libcurl's code (CURLE_OK when the
//  exchange completed, whatever the protocol's status), or
//  CURLE_ABORTED_BY_CALLBACK when the driver was destroyed first. The easy
//  handle is no longer the driver's: clean it up or add it again.
typedef void (kw_curl_uv_done_fn) (CURL *easy, CURLcode result, void *arg);

//  A driver on loop with at most max_connections open connections, as
//  many kept idle between transfers (0: libcurl's defaults). NULL when
//  libcurl cannot make a multi handle.
kw_curl_uv_t *kw_curl_uv_new (uv_loop_t *loop, long max_connections);

//  Start the transfer configured on easy; done is called once, from the
//  loop, when it ends (never from inside this call). 0, or -1 when libcurl
//  refuses the handle (done is then not called).
int kw_curl_uv_add (kw_curl_uv_t *self, CURL *easy, kw_curl_uv_done_fn *done, void *arg);

//  An HTTP POST has ended: result is libcurl's code, status the HTTP status
//  (0 when there was no answer), answer the body received (at most
//  KW_CURL_UV_MAX_ANSWER bytes, NUL-terminated; NULL when none).
typedef void (kw_curl_uv_post_fn) (CURLcode result, long status, const char *answer, size_t len,
                                   void *arg);
#define KW_CURL_UV_MAX_ANSWER (64 * 1024)

//  POST body (len bytes, copied) to url (http or https only) with headers
//  (taken: freed by the driver), within timeout_ms; done is called once
//  from the loop. 0, or -1 when the transfer cannot be made (headers freed,
//  done not called).
int kw_curl_uv_post (kw_curl_uv_t *self, const char *url, struct curl_slist *headers, const char *body,
                     size_t len, long timeout_ms, kw_curl_uv_post_fn *done, void *arg);

//  Transfers added and not yet ended.
size_t kw_curl_uv_pending (const kw_curl_uv_t *self);

//  End every transfer in flight (each done gets CURLE_ABORTED_BY_CALLBACK),
//  close the driver's handles (freed once the loop has run their close
//  callbacks) and clear the caller's pointer. Safe on NULL; not from a
//  done callback.
void kw_curl_uv_destroy (kw_curl_uv_t **self_p);

#endif
