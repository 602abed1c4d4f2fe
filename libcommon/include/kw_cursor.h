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

//  The page a list request asks for.
typedef struct {
    long limit;                 //  items to answer
    char fetch [24];            //  limit + 1 as text: rows to read, to know whether more follow
    char *after_us;             //  the cursor's parts, NULL on the first page
    char *after_id;
} kw_page_t;

//  Fill page from a request's limit (when has_limit and above 0, held to
//  KW_LIST_MAX; else KW_LIST_DEFAULT) and cursor (NULL or "" for the first
//  page). 0, or -1 when the cursor is not valid.
int kw_cursor_page (int has_limit, uint32_t limit, const char *cursor, kw_arena_t *arena,
                    kw_page_t *page);
//  The cursor after a row whose sort key is us and id is id, in arena.
char *kw_cursor_after (kw_arena_t *arena, const char *us, const char *id);

#endif
