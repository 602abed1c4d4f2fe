/*  Tests for kw_uuid: version 4 format, uniqueness, validation. */
#include <string.h>
#include "kw_uuid.h"
#include "tap.h"

int
main (void)
{
    char a [KW_UUID_SIZE], b [KW_UUID_SIZE];
    kw_uuid_generate (a);
    kw_uuid_generate (b);
    is_int (strlen (a), 36, "36 characters");
    ok (kw_uuid_valid (a), "a generated UUID is valid");
    ok (a [14] == '4', "version 4");
    ok (strchr ("89ab", a [19]) != NULL, "RFC 4122 variant");
    ok (strcmp (a, b) != 0, "two UUIDs differ");
    ok (!kw_uuid_valid ("not-a-uuid"), "garbage is invalid");
    ok (!kw_uuid_valid (NULL), "NULL is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e9-84f006ddd85"), "too short is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e9-84f006ddd85cc"), "too long is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e984f006ddd85cc"), "a missing hyphen is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e9-84f006ddd85g"), "a non-hex digit is invalid");
    ok (kw_uuid_valid ("625EDEDE-97EE-4161-B2E9-84F006DDD85C"), "upper case is accepted");
    return tap_done ();
}
