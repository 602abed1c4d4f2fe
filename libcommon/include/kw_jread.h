/*  kw_jread: strict readers of a JSON configuration document (a region's
    settings and rule set; later the assignment and scheduling region
    settings and the notification templates). The document is read whole,
    up to a size limit, and parsed with duplicate keys refused; each reader
    takes one member of an object and checks its type, its range, whether it
    is required and, for an object, that every key in it is known. The first
    problem fills the error "<file>: field "<path>": <problem>", path being
    the member's place in the document ("upper_age.years",
    "ruleset.rule.all[1].id"); values repeated in errors are cut to 32
    bytes. Readers return 0, or -1 with the error filled; what they copy out
    is the caller's to free, also after a failure. */
#ifndef KW_JREAD_H
#define KW_JREAD_H

#include <stddef.h>
#include <jansson.h>

#define KW_JREAD_PATH_SIZE 256          //  a member's path
#define KW_JREAD_CUT_SIZE 33            //  a value quoted in an error: 32 bytes and its NUL

//  One document being read: its name in errors and where the error goes.
typedef struct {
    const char *file;
    char *err;
    size_t err_size;
} kw_jread_t;

//  The whole of a regular file of at most max_size bytes into *text (the
//  caller's to free) and its length in *len. 0, or -1 with "<path>:
//  <problem>" in err.
int kw_jread_file (const char *path, size_t max_size, char **text, size_t *len,
                   char *err, size_t err_size);
//  The names of the *.json files of dir (not starting with a dot), sorted,
//  into *names (free with kw_jread_free_list) and their number in *count;
//  at most max. 0, or -1 with "<dir>: <problem>" in err (also when there
//  is none).
int kw_jread_dir (const char *dir, size_t max, char ***names, size_t *count, char *err, size_t err_size);
//  text (len bytes) as JSON, duplicate keys refused (the caller decrefs);
//  NULL with the error ("<file>: line N: <problem>").
json_t *kw_jread_parse (kw_jread_t *self, const char *text, size_t len);

//  Fill the error: "<file>: field "<path>": <problem>", or without the
//  field when path is NULL. Always -1.
int kw_jread_fail (kw_jread_t *self, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  kw_jread_fail with "out of memory". Always -1.
int kw_jread_oom (kw_jread_t *self, const char *path);
//  s cut to its first 32 bytes, never inside a UTF-8 character, into cut.
const char *kw_jread_cut (char cut [KW_JREAD_CUT_SIZE], const char *s);
//  The path of key inside at ("" is the top) into path, the key cut to 32
//  bytes; a path too long to hold ends in "...".
const char *kw_jread_at (char path [KW_JREAD_PATH_SIZE], const char *at, const char *key);
//  The path of item index of the array at into path.
const char *kw_jread_at_index (char path [KW_JREAD_PATH_SIZE], const char *at, size_t index);
//  1 when s is in list (NULL-terminated; a NULL list holds nothing).
int kw_jread_in_list (const char *s, const char *const *list);

//  Every key of object (at path at) is in keys or in more (each
//  NULL-terminated, or NULL).
int kw_jread_keys (kw_jread_t *self, json_t *object, const char *at, const char *const *keys,
                   const char *const *more);
//  The object member key of parent (at path at) into *out, NULL when it is
//  absent and not required; only the keys listed may be in it.
int kw_jread_object (kw_jread_t *self, json_t *parent, const char *at, const char *key,
                     int required, const char *const *keys, json_t **out);
//  The string member key of object (at path at), copied into *out when out
//  is given, left alone when absent and not required; with allow_empty 0
//  an empty string is refused.
int kw_jread_string (kw_jread_t *self, json_t *object, const char *at, const char *key,
                     int required, int allow_empty, char **out);
//  The integer member key of object from min to max into *out; dflt when
//  absent and not required.
int kw_jread_uint (kw_jread_t *self, json_t *object, const char *at, const char *key,
                   unsigned min, unsigned max, int required, unsigned dflt, unsigned *out);

//  Check one item of a list, normalising it in place: NULL, or what is
//  wrong with it ("is not a postcode district").
typedef const char *(kw_jread_item_fn) (char *item);
//  The member key of object: a non-empty array of distinct strings, each
//  passing check, copied into *out with their number in *count; left alone
//  when absent and not required.
int kw_jread_list (kw_jread_t *self, json_t *object, const char *at, const char *key,
                   int required, kw_jread_item_fn *check, char ***out, size_t *count);
//  Free a list of count strings (as kw_jread_list copies them). NULL is fine.
void kw_jread_free_list (char **list, size_t count);

#endif
