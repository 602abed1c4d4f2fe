/*  kw_buf: a growable byte buffer, with the appenders that build the input
    of PostgreSQL's COPY ... FROM STDIN in text format. */
#ifndef KW_BUF_H
#define KW_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *data;                 //  NULL until something is appended
    size_t len;
    size_t size;
} kw_buf_t;

//  Make room for more bytes (aborts when memory runs out).
void kw_buf_reserve (kw_buf_t *self, size_t more);
void kw_buf_append (kw_buf_t *self, const void *data, size_t len);
//  Free the memory and empty the buffer (safe twice).
void kw_buf_free (kw_buf_t *self);

//  COPY text format: a value (NULL is \N) with backslash, tab, newline and
//  carriage return escaped, then the separator (a tab, or a newline at the
//  end of a row).
void kw_buf_copy_text (kw_buf_t *self, const char *value, char separator);
//  A bytea value in hex form, then the separator.
void kw_buf_copy_bytea (kw_buf_t *self, const uint8_t *data, size_t len, char separator);

#endif
