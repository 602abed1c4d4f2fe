/*  kw_buf: growable buffers and COPY text appenders. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "kw_buf.h"

void
kw_buf_reserve (kw_buf_t *self, size_t more)
{
    if (self->len + more <= self->size)
        return;
    size_t size = self->size ? self->size : 4096;
    while (self->len + more > size)
        size *= 2;
    self->data = realloc (self->data, size);
    assert (self->data);
    self->size = size;
}

void
kw_buf_append (kw_buf_t *self, const void *data, size_t len)
{
    if (len == 0)
        return;                 //  memcpy of nothing from or to NULL is undefined
    kw_buf_reserve (self, len);
    memcpy (self->data + self->len, data, len);
    self->len += len;
}

void
kw_buf_free (kw_buf_t *self)
{
    free (self->data);
    self->data = NULL;
    self->len = self->size = 0;
}

void
kw_buf_copy_text (kw_buf_t *self, const char *value, char separator)
{
    if (!value) {
        kw_buf_append (self, "\\N", 2);
        kw_buf_append (self, &separator, 1);
        return;
    }
    size_t n = strlen (value);
    kw_buf_reserve (self, 2 * n + 1);
    char *out = self->data + self->len;
    for (size_t i = 0; i < n; i++) {
        char c = value [i];
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            *out++ = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        *out++ = c;
    }
    *out++ = separator;
    self->len = (size_t) (out - self->data);
}

void
kw_buf_copy_bytea (kw_buf_t *self, const uint8_t *data, size_t len, char separator)
{
    static const char hex [] = "0123456789abcdef";
    kw_buf_reserve (self, 2 * len + 4);
    char *out = self->data + self->len;
    //  "\\x": the backslash of bytea's hex form is itself escaped in COPY text.
    *out++ = '\\';
    *out++ = '\\';
    *out++ = 'x';
    for (size_t i = 0; i < len; i++) {
        *out++ = hex [data [i] >> 4];
        *out++ = hex [data [i] & 15];
    }
    *out++ = separator;
    self->len = (size_t) (out - self->data);
}
