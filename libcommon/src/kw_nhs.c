/*  kw_nhs: NHS numbers in their written forms (see kw_nhs.h). */
#include <string.h>
#include "kw_nhs.h"

kw_nhs_status_t
kw_nhs_parse (const char *s, size_t len, char out [KW_NHS_SIZE])
{
    size_t digits = 0;
    int too_long = 0;
    out [0] = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s [i];
        if (c == ' ' || c == '-')
            continue;
        if (c < '0' || c > '9') {
            out [0] = 0;
            return KW_NHS_CHARACTER;
        }
        if (digits == 10)
            too_long = 1;
        else
            out [digits++] = c;
    }
    if (too_long || digits != 10) {
        out [0] = 0;
        return KW_NHS_LENGTH;
    }
    out [10] = 0;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (out [i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10 || check != out [9] - '0') {
        out [0] = 0;
        return KW_NHS_CHECK_DIGIT;
    }
    return KW_NHS_OK;
}

int
kw_nhs_valid (const char *s)
{
    char out [KW_NHS_SIZE];
    return s && kw_nhs_parse (s, strlen (s), out) == KW_NHS_OK;
}

const char *
kw_nhs_problem (kw_nhs_status_t status)
{
    switch (status) {
        case KW_NHS_OK: return "";
        case KW_NHS_CHARACTER: return "may hold only digits, spaces and hyphens";
        case KW_NHS_LENGTH: return "must be 10 digits (spaces and hyphens are allowed)";
        default: return "has a wrong check digit";
    }
}
