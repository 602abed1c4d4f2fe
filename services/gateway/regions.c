/*  regions: the set of known region ids, read from the region directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "regions.h"

#define MAX_REGIONS 256
#define MAX_ID 64

struct _regions_t {
    char *dir;
    char ids [MAX_REGIONS][MAX_ID];
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

//  Read every *.json file's "id" into self; -1 when the directory cannot be read.
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
        if (id && *id && strlen (id) < MAX_ID)
            snprintf (self->ids [count++], MAX_ID, "%s", id);
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

void
regions_destroy (regions_t **self_p)
{
    if (*self_p) {
        free ((*self_p)->dir);
        free (*self_p);
        *self_p = NULL;
    }
}
