/*  kw_cursor: parsing list cursors. */
#include <stdio.h>
#include <string.h>
#include "kw_cursor.h"
#include "kw_uuid.h"

int
kw_cursor_parse (const char *cursor, kw_arena_t *arena, char **us, char **id)
{
    const char *dot = strchr (cursor, '.');
    if (!dot || dot == cursor || dot - cursor > 18 || !kw_uuid_valid (dot + 1))
        return -1;
    for (const char *p = cursor; p < dot; p++)
        if (*p < '0' || *p > '9')
            return -1;
    *us = kw_arena_strndup (arena, cursor, (size_t) (dot - cursor));
    *id = kw_arena_strdup (arena, dot + 1);
    return 0;
}

int
kw_cursor_page (int has_limit, uint32_t limit, const char *cursor, kw_arena_t *arena,
                kw_page_t *page)
{
    page->limit = KW_LIST_DEFAULT;
    if (has_limit && limit > 0)
        page->limit = limit > KW_LIST_MAX ? KW_LIST_MAX : (long) limit;
    snprintf (page->fetch, sizeof page->fetch, "%ld", page->limit + 1);
    page->after_us = page->after_id = NULL;
    return cursor && *cursor ? kw_cursor_parse (cursor, arena, &page->after_us, &page->after_id) : 0;
}

char *
kw_cursor_after (kw_arena_t *arena, const char *us, const char *id)
{
    return kw_arena_printf (arena, "%s.%s", us, id);
}
