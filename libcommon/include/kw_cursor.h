/*  kw_cursor: the opaque list cursors of the API, "<microseconds>.<uuid>":
    the sort key of the last row of a page and its id. */
#ifndef KW_CURSOR_H
#define KW_CURSOR_H

#include <stdint.h>
#include "kw_arena.h"

//  Lists: a page is 50 items unless asked otherwise, and at most 500.
#define KW_LIST_DEFAULT 50
#define KW_LIST_MAX 500

//  Split cursor into its parts, in arena memory. 0, or -1 when it is not a
//  cursor this platform made.
int kw_cursor_parse (const char *cursor, kw_arena_t *arena, char **us, char **id);

//  The page a list request asks for: *limit_out from limit (when has_limit
//  and above 0, held to KW_LIST_MAX; else KW_LIST_DEFAULT), and the parts
//  of cursor (NULL or "" for the first page: *us and *id NULL). 0, or -1
//  when the cursor is not valid.
int kw_cursor_page (int has_limit, uint32_t limit, const char *cursor, kw_arena_t *arena,
                    long *limit_out, char **us, char **id);

#endif
