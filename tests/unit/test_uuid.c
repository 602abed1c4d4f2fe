/*  Tests for kw_uuid: version 4 format, uniqueness (across the pool's
    refills and between a parent and its child after fork), validation. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
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
    //  A hundred, more than one pool: all valid version 4, all different.
    static char many [100][KW_UUID_SIZE];
    int valid = 1, distinct = 1;
    for (int i = 0; i < 100; i++) {
        kw_uuid_generate (many [i]);
        valid = valid && kw_uuid_valid (many [i]) && many [i][14] == '4' && strchr ("89ab", many [i][19]);
        for (int j = 0; j < i; j++)
            distinct = distinct && strcmp (many [i], many [j]) != 0;
    }
    ok (valid && distinct, "a hundred UUIDs (several pools) are valid and all different");
    //  A child draws other UUIDs than its parent from the same point.
    int pipe_fd [2];
    ok (pipe (pipe_fd) == 0, "pipe");
    pid_t pid = fork ();
    if (pid == 0) {
        char c [KW_UUID_SIZE];
        kw_uuid_generate (c);
        _exit (write (pipe_fd [1], c, KW_UUID_SIZE) == KW_UUID_SIZE ? 0 : 1);
    }
    char child [KW_UUID_SIZE] = "", parent [KW_UUID_SIZE];
    kw_uuid_generate (parent);
    ok (read (pipe_fd [0], child, KW_UUID_SIZE) == KW_UUID_SIZE && waitpid (pid, NULL, 0) == pid
        && kw_uuid_valid (child) && strcmp (child, parent) != 0,
        "a child after fork draws a UUID its parent does not (%s, %s)", child, parent);
    ok (!kw_uuid_valid ("not-a-uuid"), "garbage is invalid");
    ok (!kw_uuid_valid (NULL), "NULL is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e9-84f006ddd85"), "too short is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e9-84f006ddd85cc"), "too long is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e984f006ddd85cc"), "a missing hyphen is invalid");
    ok (!kw_uuid_valid ("625edede-97ee-4161-b2e9-84f006ddd85g"), "a non-hex digit is invalid");
    ok (kw_uuid_valid ("625EDEDE-97EE-4161-B2E9-84F006DDD85C"), "upper case is accepted");
    return tap_done ();
}
