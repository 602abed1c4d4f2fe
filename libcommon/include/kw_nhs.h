/*  kw_nhs: NHS numbers as people write them. "4000000039", "400 000 0039"
    and "400-000-0039" are one number: spaces and hyphens are dropped, the
    ten digits that remain carry a modulus-11 check digit, and the number
    is stored and compared as those ten digits. */
#ifndef KW_NHS_H
#define KW_NHS_H

#include <stddef.h>

#define KW_NHS_SIZE 11                  //  ten digits and the NUL

typedef enum {
    KW_NHS_OK = 0,
    KW_NHS_CHARACTER,                   //  a character other than a digit, space or hyphen
    KW_NHS_LENGTH,                      //  not ten digits
    KW_NHS_CHECK_DIGIT                  //  ten digits, the check digit wrong
} kw_nhs_status_t;

//  Read the len bytes of s (need not be NUL-terminated) as an NHS number:
//  KW_NHS_OK with the ten digits in out, or what is wrong (out then holds
//  no number).
kw_nhs_status_t kw_nhs_parse (const char *s, size_t len, char out [KW_NHS_SIZE]);
//  1 when s (NUL-terminated) is an NHS number in any written form.
int kw_nhs_valid (const char *s);
//  What is wrong, as the end of a sentence that starts with the field
//  name: "must be 10 digits (spaces and hyphens are allowed)", "has a
//  wrong check digit", ... ("" for KW_NHS_OK).
const char *kw_nhs_problem (kw_nhs_status_t status);

#endif
