/*  rows: reading and writing the column values the assignment modules
    share: text that may be NULL, PostgreSQL text[] values in their text
    form ({a,"b c"}) both ways, and the pages of the lists. */
#include <string.h>
#include "kw_cursor.h"
#include "assignment.h"

char *
rows_text (PGresult *res, int row, int col, kw_arena_t *arena)
{
    return PQgetisnull (res, row, col) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, row, col));
}

char **
rows_array (const char *text, kw_arena_t *arena, size_t *count)
{
    *count = 0;
    size_t len = text ? strlen (text) : 0;
    char **items = kw_arena_calloc (arena, sizeof *items * (len / 2 + 1));
    if (len < 2 || text [0] != '{')
        return items;
    char *buf = kw_arena_alloc (arena, len + 1);
    size_t i = 1, n = 0;
    while (i < len - 1) {
        char *item = buf + n;
        if (text [i] == '"') {
            for (i++; i < len && text [i] != '"'; i++) {
                if (text [i] == '\\' && i + 1 < len)
                    i++;
                buf [n++] = text [i];
            }
            i++;
        }
        else
            while (i < len - 1 && text [i] != ',')
                buf [n++] = text [i++];
        buf [n++] = 0;
        items [(*count)++] = item;
        if (i < len && text [i] == ',')
            i++;
    }
    return items;
}

char *
rows_array_literal (char *const *items, size_t count, kw_arena_t *arena)
{
    size_t size = 3;
    for (size_t i = 0; i < count; i++)
        size += 5 + (items [i] ? 2 * strlen (items [i]) : 0);
    char *out = kw_arena_alloc (arena, size);
    size_t n = 0;
    out [n++] = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            out [n++] = ',';
        if (!items [i]) {
            memcpy (out + n, "NULL", 4);
            n += 4;
            continue;
        }
        out [n++] = '"';
        for (const char *p = items [i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                out [n++] = '\\';
            out [n++] = *p;
        }
        out [n++] = '"';
    }
    out [n++] = '}';
    out [n] = 0;
    return out;
}

void *
rows_page (PGresult *res, const kw_page_t *page, size_t *count, kw_arena_t *arena)
{
    size_t rows = (size_t) PQntuples (res);
    *count = rows > (size_t) page->limit ? (size_t) page->limit : rows;
    return kw_arena_calloc (arena, sizeof (void *) * (*count ? *count : 1));
}

char *
rows_next_cursor (PGresult *res, size_t shown, int time_col, const char *id, kw_arena_t *arena)
{
    if (!shown || (size_t) PQntuples (res) <= shown)
        return NULL;
    return kw_cursor_after (arena, PQgetvalue (res, (int) shown - 1, time_col), id);
}
