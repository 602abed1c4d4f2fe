/*  kw_uuid: random (version 4) UUIDs as 36-character strings. */
#ifndef KW_UUID_H
#define KW_UUID_H

#define KW_UUID_SIZE 37

//  Write a new random UUID (lower-case, hyphenated, NUL-terminated) into buf.
void kw_uuid_generate (char buf[KW_UUID_SIZE]);
//  1 when s is a well-formed hyphenated UUID, else 0.
int kw_uuid_valid (const char *s);

#endif
