/*  list: what every kwctl command that reads a list shares: resource paths
    with their ids escaped, query parameters, one page or every page
    (following next_cursor), printed as a table or as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_config.h"
#include "kwctl.h"

#define MAX_PAGES 100000

char *
kwctl_path (const char *prefix, const char *id, const char *suffix)
{
    char *escaped = kwctl_http_escape (id);
    if (!escaped)
        return NULL;
    size_t size = strlen (prefix) + strlen (escaped) + strlen (suffix) + 1;
    char *path = malloc (size);
    if (path)
        snprintf (path, size, "%s%s%s", prefix, escaped, suffix);
    free (escaped);
    return path;
}

int
kwctl_query_add (char *path, size_t size, const char *key, const char *value)
{
    if (!value)
        return 0;
    char *escaped = kwctl_http_escape (value);
    if (!escaped)
        return -1;
    size_t len = strlen (path);
    int n = snprintf (path + len, size - len, "%s%s=%s", strchr (path, '?') ? "&" : "?", key, escaped);
    free (escaped);
    return n < 0 || (size_t) n >= size - len ? -1 : 0;
}

int
kwctl_limit_option (const char *value, char limit [16])
{
    long n;
    char err [128];
    if (kw_config_int ("--limit", value, 1, 500, &n, err, sizeof err) == 0) {
        snprintf (limit, 16, "%ld", n);
        return -1;
    }
    fprintf (stderr, "kwctl: %s\n", err);
    return KWCTL_USAGE;
}

//  Fetch the page at cursor (NULL: the first) of path into *answer_p.
static int
s_page (kwctl_api_t *api, const char *path, const char *cursor, json_t **answer_p)
{
    char page [KWCTL_MAX_PATH];
    snprintf (page, sizeof page, "%s", path);
    *answer_p = NULL;
    if (kwctl_query_add (page, sizeof page, "cursor", cursor) != 0) {
        fprintf (stderr, "kwctl: the list query is too long\n");
        return KWCTL_USAGE;
    }
    int rc = kwctl_api_call (api, "GET", page, NULL, NULL, 0, NULL, answer_p);
    if (rc == KWCTL_OK && !json_is_array (json_object_get (*answer_p, "items"))) {
        fprintf (stderr, "kwctl: the gateway's list has no \"items\" array\n");
        json_decref (*answer_p);
        *answer_p = NULL;
        rc = KWCTL_API_ERROR;
    }
    return rc;
}

//  Follow next_cursor from cursor to the last page; every item in *items_p.
static int
s_all (kwctl_api_t *api, const char *path, const char *first, json_t **items_p)
{
    json_t *items = json_array ();
    char *cursor = first ? strdup (first) : NULL;
    int rc = KWCTL_OK;
    for (int page = 0; rc == KWCTL_OK; page++) {
        json_t *answer = NULL;
        rc = s_page (api, path, cursor, &answer);
        if (rc != KWCTL_OK)
            break;
        json_array_extend (items, json_object_get (answer, "items"));
        const char *next = kwctl_str (answer, "next_cursor");
        int last = !next || !*next;
        if (!last && ((cursor && strcmp (next, cursor) == 0) || page + 1 >= MAX_PAGES)) {
            fprintf (stderr, "kwctl: the gateway's next_cursor does not move on; stopped\n");
            rc = KWCTL_API_ERROR;
        }
        free (cursor);
        cursor = last ? NULL : strdup (next);
        json_decref (answer);
        if (last)
            break;
    }
    free (cursor);
    if (rc != KWCTL_OK) {
        json_decref (items);
        items = NULL;
    }
    *items_p = items;
    return rc;
}

int
kwctl_list_show (const kwctl_global_t *global, const char *path, const char *cursor, int all,
                 kwctl_print_fn *table)
{
    kwctl_api_t *api;
    int rc = kwctl_api_open (global, &api);
    if (rc != KWCTL_OK)
        return rc;
    if (all) {
        json_t *items;
        rc = s_all (api, path, cursor, &items);
        if (rc == KWCTL_OK && kwctl_api_json (api)) {
            json_t *whole = json_pack ("{s:o, s:n}", "items", items, "next_cursor");
            kwctl_print_json (stdout, whole);
            json_decref (whole);
        }
        else
        if (rc == KWCTL_OK) {
            table (stdout, items);
            json_decref (items);
        }
    }
    else {
        json_t *answer = NULL;
        rc = s_page (api, path, cursor, &answer);
        if (rc == KWCTL_OK && kwctl_api_json (api))
            kwctl_print_json (stdout, answer);
        else
        if (rc == KWCTL_OK) {
            table (stdout, json_object_get (answer, "items"));
            const char *next = kwctl_str (answer, "next_cursor");
            if (next && *next) {
                printf ("more: add --cursor ");
                kwctl_print_text (stdout, next);
                printf (" for the next page, or --all\n");
            }
        }
        json_decref (answer);
    }
    kwctl_api_destroy (&api);
    return rc;
}
