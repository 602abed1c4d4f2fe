/*  kw_cursor: parsing list cursors. */
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
                long *limit_out, char **us, char **id)
{
    *limit_out = KW_LIST_DEFAULT;
    if (has_limit && limit > 0)
        *limit_out = limit > KW_LIST_MAX ? KW_LIST_MAX : (long) limit;
    *us = *id = NULL;
    return cursor && *cursor ? kw_cursor_parse (cursor, arena, us, id) : 0;
}
