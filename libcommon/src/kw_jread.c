/*  kw_jread: strict readers of JSON configuration documents (see
    kw_jread.h). Repeats in a list are found by sorting, so a long list is
    no slower to check than to read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kw_jread.h"

int
kw_jread_fail (kw_jread_t *self, const char *path, const char *fmt, ...)
{
    char reason [256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (reason, sizeof reason, fmt, ap);
    va_end (ap);
    if (!self->err || !self->err_size)
        return -1;
    if (path)
        snprintf (self->err, self->err_size, "%s: field \"%s\": %s", self->file, path, reason);
    else
        snprintf (self->err, self->err_size, "%s: %s", self->file, reason);
    return -1;
}

int
kw_jread_oom (kw_jread_t *self, const char *path)
{
    return kw_jread_fail (self, path, "out of memory");
}

const char *
kw_jread_cut (char cut [KW_JREAD_CUT_SIZE], const char *s)
{
    size_t len = strnlen (s, KW_JREAD_CUT_SIZE - 1);
    if (s [len])
        while (len > 0 && ((unsigned char) s [len] & 0xC0) == 0x80)
            len--;
    memcpy (cut, s, len);
    cut [len] = '\0';
    return cut;
}

const char *
kw_jread_at (char path [KW_JREAD_PATH_SIZE], const char *at, const char *key)
{
    char cut [KW_JREAD_CUT_SIZE];
    if (snprintf (path, KW_JREAD_PATH_SIZE, *at ? "%s.%s" : "%s%s", at, kw_jread_cut (cut, key))
        >= KW_JREAD_PATH_SIZE)
        strcpy (path + KW_JREAD_PATH_SIZE - 4, "...");
    return path;
}

const char *
kw_jread_at_index (char path [KW_JREAD_PATH_SIZE], const char *at, size_t index)
{
    if (snprintf (path, KW_JREAD_PATH_SIZE, "%s[%zu]", at, index) >= KW_JREAD_PATH_SIZE)
        strcpy (path + KW_JREAD_PATH_SIZE - 4, "...");
    return path;
}

int
kw_jread_in_list (const char *s, const char *const *list)
{
    for (size_t i = 0; list && list [i]; i++)
        if (strcmp (s, list [i]) == 0)
            return 1;
    return 0;
}

int
kw_jread_keys (kw_jread_t *self, json_t *object, const char *at, const char *const *keys,
               const char *const *more)
{
    const char *key;
    json_t *value;
    json_object_foreach (object, key, value) {
        if (!kw_jread_in_list (key, keys) && !kw_jread_in_list (key, more)) {
            char path [KW_JREAD_PATH_SIZE];
            return kw_jread_fail (self, kw_jread_at (path, at, key), "unknown key");
        }
    }
    return 0;
}

int
kw_jread_object (kw_jread_t *self, json_t *parent, const char *at, const char *key, int required,
                 const char *const *keys, json_t **out)
{
    char path [KW_JREAD_PATH_SIZE];
    kw_jread_at (path, at, key);
    *out = json_object_get (parent, key);
    if (!*out)
        return required ? kw_jread_fail (self, path, "is required") : 0;
    if (!json_is_object (*out))
        return kw_jread_fail (self, path, "must be an object");
    return kw_jread_keys (self, *out, path, keys, NULL);
}

int
kw_jread_string (kw_jread_t *self, json_t *object, const char *at, const char *key, int required,
                 int allow_empty, char **out)
{
    char path [KW_JREAD_PATH_SIZE];
    json_t *value = json_object_get (object, key);
    if (!value)
        return required ? kw_jread_fail (self, kw_jread_at (path, at, key), "is required") : 0;
    if (!json_is_string (value))
        return kw_jread_fail (self, kw_jread_at (path, at, key), "must be a string");
    if (!allow_empty && json_string_length (value) == 0)
        return kw_jread_fail (self, kw_jread_at (path, at, key), "must not be empty");
    if (out && !(*out = strdup (json_string_value (value))))
        return kw_jread_oom (self, kw_jread_at (path, at, key));
    return 0;
}

int
kw_jread_uint (kw_jread_t *self, json_t *object, const char *at, const char *key, unsigned min,
               unsigned max, int required, unsigned dflt, unsigned *out)
{
    char path [KW_JREAD_PATH_SIZE];
    json_t *value = json_object_get (object, key);
    if (!value) {
        *out = dflt;
        return required ? kw_jread_fail (self, kw_jread_at (path, at, key), "is required") : 0;
    }
    if (!json_is_integer (value)
    ||  json_integer_value (value) < (json_int_t) min || json_integer_value (value) > (json_int_t) max)
        return kw_jread_fail (self, kw_jread_at (path, at, key), "must be an integer from %u to %u",
                              min, max);
    *out = (unsigned) json_integer_value (value);
    return 0;
}

typedef struct {
    const char *text;
    size_t index;
} entry_t;

static int
s_compare_entries (const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    int rc = strcmp (x->text, y->text);
    return rc ? rc : (x->index > y->index) - (x->index < y->index);
}

//  The index of the first item of list that repeats an earlier one into
//  *repeat, count when there is none. 0, or -1 when out of memory.
static int
s_first_repeat (char **list, size_t count, size_t *repeat)
{
    entry_t *entries = malloc (count * sizeof (entry_t));
    if (!entries)
        return -1;
    for (size_t i = 0; i < count; i++)
        entries [i] = (entry_t) { list [i], i };
    qsort (entries, count, sizeof (entry_t), s_compare_entries);
    *repeat = count;
    for (size_t i = 1; i < count; i++)
        if (strcmp (entries [i - 1].text, entries [i].text) == 0 && entries [i].index < *repeat)
            *repeat = entries [i].index;
    free (entries);
    return 0;
}

int
kw_jread_list (kw_jread_t *self, json_t *object, const char *at, const char *key, int required,
               kw_jread_item_fn *check, char ***out, size_t *count)
{
    char path [KW_JREAD_PATH_SIZE], item_path [KW_JREAD_PATH_SIZE], cut [KW_JREAD_CUT_SIZE];
    kw_jread_at (path, at, key);
    json_t *array = json_object_get (object, key);
    if (!array)
        return required ? kw_jread_fail (self, path, "is required") : 0;
    size_t n = json_array_size (array);
    if (!json_is_array (array) || n == 0)
        return kw_jread_fail (self, path, "must be a non-empty array of strings");
    if (!(*out = calloc (n, sizeof (char *))))
        return kw_jread_oom (self, path);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get (array, i);
        kw_jread_at_index (item_path, path, i);
        if (!json_is_string (item))
            return kw_jread_fail (self, item_path, "must be a string");
        const char *text = json_string_value (item);
        char *copy = (*out) [(*count)++] = strdup (text);
        if (!copy)
            return kw_jread_oom (self, item_path);
        const char *problem = check (copy);
        if (problem)
            return kw_jread_fail (self, item_path, "\"%s\" %s", kw_jread_cut (cut, text), problem);
    }
    size_t repeat;
    if (s_first_repeat (*out, n, &repeat) != 0)
        return kw_jread_oom (self, path);
    if (repeat < n)
        return kw_jread_fail (self, kw_jread_at_index (item_path, path, repeat), "\"%s\" is listed twice",
                              kw_jread_cut (cut, json_string_value (json_array_get (array, repeat))));
    return 0;
}

void
kw_jread_free_list (char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free (list [i]);
    free (list);
}

//  "larger than 1 MiB" for a limit of 1 MiB.
static void
s_too_large (char *problem, size_t size, size_t max_size)
{
    if (max_size % (1024 * 1024) == 0)
        snprintf (problem, size, "larger than %zu MiB", max_size / (1024 * 1024));
    else
        snprintf (problem, size, "larger than %zu bytes", max_size);
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

int
kw_jread_dir (const char *dir, size_t max, char ***names, size_t *count, char *err, size_t err_size)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir (dir);
    if (!d) {
        snprintf (err, err_size, "%s: cannot read the directory: %s", dir, strerror (errno));
        return -1;
    }
    int rc = (*names = calloc (max ? max : 1, sizeof (char *))) ? 0 : -1;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir (d)) && *count < max) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name [0] == '.' || len <= 5 || strcmp (entry->d_name + len - 5, ".json") != 0)
            continue;
        if (!((*names) [*count] = strdup (entry->d_name)))
            rc = -1;
        else
            ++*count;
    }
    closedir (d);
    if (rc != 0)
        snprintf (err, err_size, "%s: out of memory", dir);
    else
    if (*count == 0)
        rc = -1, snprintf (err, err_size, "%s: no *.json files", dir);
    else
        qsort (*names, *count, sizeof (char *), s_compare_names);
    return rc;
}

int
kw_jread_file (const char *path, size_t max_size, char **text, size_t *len, char *err, size_t err_size)
{
    int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) != 0) {
        snprintf (err, err_size, "%s: cannot open: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    char too_large [48];
    s_too_large (too_large, sizeof too_large, max_size);
    const char *problem = NULL;
    size_t size = 0, capacity = 0;
    *text = NULL;
    if (!S_ISREG (st.st_mode))
        problem = "not a regular file";
    else
    if ((size_t) st.st_size > max_size)
        problem = too_large;
    else {
        //  One more byte than the file should hold, to see it grow past the limit.
        capacity = (size_t) st.st_size + 1;
        *text = malloc (capacity);
        if (!*text)
            problem = "out of memory";
    }
    while (!problem) {
        if (size == capacity) {
            char *bigger = capacity <= max_size ? realloc (*text, capacity * 2) : NULL;
            if (!bigger) {
                problem = capacity > max_size ? too_large : "out of memory";
                break;
            }
            *text = bigger;
            capacity *= 2;
        }
        ssize_t got = read (fd, *text + size, capacity - size);
        if (got < 0 && errno != EINTR)
            problem = strerror (errno);
        if (got == 0)
            break;
        if (got > 0)
            size += (size_t) got;
    }
    close (fd);
    if (!problem && size > max_size)
        problem = too_large;
    if (problem) {
        snprintf (err, err_size, "%s: %s", path, problem);
        free (*text);
        *text = NULL;
        return -1;
    }
    *len = size;
    return 0;
}

json_t *
kw_jread_parse (kw_jread_t *self, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb (text ? text : "", text ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        kw_jread_fail (self, NULL, "line %d: %s", jerr.line, jerr.text);
    return root;
}
