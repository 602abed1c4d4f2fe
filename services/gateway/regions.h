/*  regions: the region ids the gateway knows, read from the "id" of each
    *.json file in the region directory (KW_REGION_DIR, the files eligibility
    and assignment load). A token's region claim must be one of them. A
    region added while the gateway runs is found by reading the directory
    again when an unknown id is asked for, at most once a second. */
#ifndef GATEWAY_REGIONS_H
#define GATEWAY_REGIONS_H

#include <stdint.h>

typedef struct _regions_t regions_t;

//  Read dir's region ids. NULL with the reason in err when the directory
//  cannot be read or holds no region file with an id.
regions_t *regions_new (const char *dir, char *err, size_t err_size);

//  1 when id is a known region at now (seconds; a miss may re-read the
//  directory), else 0.
int regions_known (regions_t *self, const char *id, int64_t now);

//  Free the set and set *self_p to NULL.
void regions_destroy (regions_t **self_p);

#endif
