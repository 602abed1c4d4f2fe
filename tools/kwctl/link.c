/*  kwctl link: print the signed link a message carries for an action on an
    offer or a meeting (docs/security.md, "Signed links"), made with the deployment's link
    key: for checking a deployment's links and for the tests that follow
    one, as the notification service's templates will. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw_link.h"
#include "kwctl.h"

void
kwctl_link_usage (FILE *out)
{
    fprintf (out,
        "kwctl link KEY_FILE BASE_URL ACTION SUBJECT_ID PERSON_ID EXPIRES_AT [REVISION]\n"
        "  print the signed link for ACTION (offer.accept, offer.decline, meeting.attend,\n"
        "  meeting.decline) on the offer or meeting for the person (a professional, or\n"
        "  a meeting's case for its family), expiring at EXPIRES_AT (RFC 3339: the\n"
        "  offer's expiry, the meeting's start) for REVISION (a meeting's sequence),\n"
        "  made with the link key in KEY_FILE (KW_LINK_KEY_FILE)\n");
}

int
kwctl_link (int argc, char **argv)
{
    if ((argc != 7 && argc != 8) || strcmp (argv [1], "--help") == 0) {
        kwctl_link_usage (argc == 2 ? stdout : stderr);
        return argc == 2 ? KWCTL_OK : KWCTL_USAGE;
    }
    char err [256], *end = NULL;
    unsigned long revision = argc == 8 ? strtoul (argv [7], &end, 10) : 0;
    if (argc == 8 && (*end || !*argv [7] || revision > UINT32_MAX)) {
        fprintf (stderr, "kwctl link: REVISION is a whole number\n");
        return KWCTL_USAGE;
    }
    size_t key_len;
    unsigned char *key = kw_link_key_load (argv [1], &key_len, err, sizeof err);
    if (!key) {
        fprintf (stderr, "kwctl link: %s\n", err);
        return KWCTL_USAGE;
    }
    char url [KW_LINK_TOKEN_SIZE + 512];
    int rc = kw_link_url (url, sizeof url, argv [2], argv [3], argv [4], argv [5], argv [6], (uint32_t) revision, key,
                          key_len);
    sodium_memzero (key, key_len);
    free (key);
    if (rc != 0) {
        fprintf (stderr, "kwctl link: the action must be <kind>.<verb>, the ids UUIDs and the expiry"
                 " RFC 3339\n");
        return KWCTL_USAGE;
    }
    printf ("%s\n", url);
    return KWCTL_OK;
}
