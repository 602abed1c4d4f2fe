/*  regions: the set of known region ids, and their GOV.UK Notify callback
    tokens, read from the region directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include <sodium.h>
#include "kw_jwt.h"
#include "regions.h"

#define MAX_REGIONS 256
#define MAX_ID 64

struct _regions_t {
    char *dir;
    char ids [MAX_REGIONS][MAX_ID];
    //  BLAKE2b of each region's Notify callback token (has_callback 0: none)
    unsigned char callback [MAX_REGIONS][crypto_generichash_BYTES];
    int has_callback [MAX_REGIONS];
    size_t count;
    int64_t read_at;            //  when the directory was last read
    struct timespec changed;    //  the directory's mtime then
};

//  The directory's mtime (zero when it cannot be read).
static struct timespec
s_changed (const char *dir)
{
    struct stat st;
    struct timespec none = { 0, 0 };
    return stat (dir, &st) == 0 ? st.st_mtim : none;
}

//  The hash of the callback token in file (relative to dir) into hash: 1
//  when it is a secret kw_jwt_secret_load takes (at least 32 bytes, a
//  final newline not counted), else 0.
static int
s_callback_token (const char *dir, const char *file, unsigned char hash [crypto_generichash_BYTES])
{
    char path [4096], err [256];
    if (!file || !*file
    ||  snprintf (path, sizeof path, "%s%s%s", *file == '/' ? "" : dir, *file == '/' ? "" : "/", file)
        >= (int) sizeof path)
        return 0;
    size_t len = 0;
    unsigned char *token = kw_jwt_secret_load (NULL, path, &len, err, sizeof err);
    if (!token)
        return 0;
    crypto_generichash (hash, crypto_generichash_BYTES, token, len, NULL, 0);
    sodium_memzero (token, len);
    free (token);
    return 1;
}

//  Read every *.json file's "id" (and its notification.notify's callback
//  token) into self; -1 when the directory cannot be read.
static int
s_read (regions_t *self)
{
    self->changed = s_changed (self->dir);
    DIR *d = opendir (self->dir);
    if (!d)
        return -1;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir (d)) && count < MAX_REGIONS) {
        size_t len = strlen (entry->d_name);
        if (entry->d_name [0] == '.' || len <= 5 || strcmp (entry->d_name + len - 5, ".json") != 0)
            continue;
        char path [4096];
        if (snprintf (path, sizeof path, "%s/%s", self->dir, entry->d_name) >= (int) sizeof path)
            continue;
        json_t *doc = json_load_file (path, JSON_REJECT_DUPLICATES, NULL);
        const char *id = json_string_value (json_object_get (doc, "id"));
        const char *token_file = json_string_value (json_object_get (json_object_get (json_object_get (
            doc, "notification"), "notify"), "callback_token_file"));
        if (id && *id && strlen (id) < MAX_ID) {
            self->has_callback [count] = s_callback_token (self->dir, token_file, self->callback [count]);
            snprintf (self->ids [count++], MAX_ID, "%s", id);
        }
        json_decref (doc);
    }
    closedir (d);
    self->count = count;
    return 0;
}

regions_t *
regions_new (const char *dir, char *err, size_t err_size)
{
    regions_t *self = calloc (1, sizeof (regions_t));
    if (!self || !(self->dir = strdup (dir ? dir : ""))) {
        free (self);
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    if (s_read (self) != 0 || self->count == 0) {
        snprintf (err, err_size, "KW_REGION_DIR: %s holds no readable region file (*.json with an id)",
                  self->dir);
        regions_destroy (&self);
    }
    return self;
}

static int
s_has (const regions_t *self, const char *id)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->ids [i], id) == 0)
            return 1;
    return 0;
}

int
regions_known (regions_t *self, const char *id, int64_t now)
{
    if (!id || !*id)
        return 0;
    if (s_has (self, id))
        return 1;
    struct timespec changed = s_changed (self->dir);
    int added = changed.tv_sec != self->changed.tv_sec || changed.tv_nsec != self->changed.tv_nsec;
    if (!added && now == self->read_at)
        return 0;
    self->read_at = now;
    return s_read (self) == 0 && s_has (self, id);
}

//  1 when a region's callback token hashes to hash, each compared in
//  constant time.
static int
s_callback_known (const regions_t *self, const unsigned char *hash)
{
    int found = 0;
    for (size_t i = 0; i < self->count; i++)
        found |= self->has_callback [i] && sodium_memcmp (self->callback [i], hash, crypto_generichash_BYTES) == 0;
    return found;
}

int
regions_callback_token (regions_t *self, const unsigned char *hash, int64_t now)
{
    if (s_callback_known (self, hash))
        return 1;
    if (now == self->read_at)
        return 0;
    self->read_at = now;
    return s_read (self) == 0 && s_callback_known (self, hash);
}

int
regions_callback_configured (const regions_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->has_callback [i])
            return 1;
    return 0;
}

void
regions_destroy (regions_t **self_p)
{
    if (*self_p) {
        free ((*self_p)->dir);
        free (*self_p);
        *self_p = NULL;
    }
}
