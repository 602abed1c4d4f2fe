/*  regions: the region ids the gateway knows, read from the "id" of each
    *.json file in the region directory (KW_REGION_DIR, the files eligibility
    and assignment load). A token's region claim must be one of them. When
    an unknown id is asked for, the directory is read again if a file was
    added or removed since (its mtime changed), else at most once a second
    (a file changed in place). Each file's notification.notify.callback_token_file
    (relative to the directory) is the bearer token its GOV.UK Notify service
    sends receipts with; the notification service checks the files at
    start, the gateway only reads them (one it cannot read is none). */
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

//  1 when hash (BLAKE2b, crypto_generichash_BYTES) is that of a region's
//  callback token at now (a miss reads the directory again at most once a
//  second), else 0.
int regions_callback_token (regions_t *self, const unsigned char *hash, int64_t now);
//  1 when any region has a callback token.
int regions_callback_configured (const regions_t *self);

//  Free the set and set *self_p to NULL.
void regions_destroy (regions_t **self_p);

#endif
