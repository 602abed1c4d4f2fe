/*  kwctl link: print the signed link a message carries for an action on an
    offer (docs/security.md, "Signed links"), made with the deployment's link
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
        "kwctl link KEY_FILE BASE_URL ACTION OFFER_ID PROFESSIONAL_ID EXPIRES_AT\n"
        "  print the signed link for ACTION (offer.accept, offer.decline) on the offer\n"
        "  for the professional, expiring at EXPIRES_AT (RFC 3339 UTC, the offer's\n"
        "  expiry), made with the link key in KEY_FILE (KW_LINK_KEY_FILE)\n");
}

int
kwctl_link (int argc, char **argv)
{
    if (argc != 7 || strcmp (argv [1], "--help") == 0) {
        kwctl_link_usage (argc == 2 ? stdout : stderr);
        return argc == 2 ? KWCTL_OK : KWCTL_USAGE;
    }
    char err [256];
    size_t key_len;
    unsigned char *key = kw_link_key_load (argv [1], &key_len, err, sizeof err);
    if (!key) {
        fprintf (stderr, "kwctl link: %s\n", err);
        return KWCTL_USAGE;
    }
    char url [KW_LINK_TOKEN_SIZE + 512];
    int rc = kw_link_url (url, sizeof url, argv [2], argv [3], argv [4], argv [5], argv [6], key, key_len);
    sodium_memzero (key, key_len);
    free (key);
    if (rc != 0) {
        fprintf (stderr, "kwctl link: the action must be <kind>.<verb>, the ids UUIDs and the expiry"
                 " RFC 3339 in UTC\n");
        return KWCTL_USAGE;
    }
    printf ("%s\n", url);
    return KWCTL_OK;
}
