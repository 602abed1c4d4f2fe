/*  regions: the region ids the gateway knows, read from the "id" of each
    *.json file in the region directory (KW_REGION_DIR, the files eligibility
    and assignment load). A token's region claim must be one of them. When
    an unknown id is asked for, the directory is read again if a file was
    added or removed since (its mtime changed), else at most once a second
    (a file changed in place). */
#ifndef GATEWAY_REGIONS_H
#define GATEWAY_REGIONS_H

#include <stdint.h>

typedef struct _regions_t regions_t;

//  Read dir's region ids. NULL with the reason in err when the directory
//  cannot be read or holds no region file with an id.
regions_t *regions_new (const char *dir, char *err, size_t err_size);

//  1 when id is a known region at now (seconds; a miss may read the
//  directory again), else 0.
int regions_known (regions_t *self, const char *id, int64_t now);

//  Free the set and set *self_p to NULL.
void regions_destroy (regions_t **self_p);

#endif
