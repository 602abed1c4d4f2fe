/*  kwctl keys: the ZeroMQ CURVE key pairs of the platform's programs
    (docs/security.md, "Keys"): <name>.key (the secret, mode 0600) and
    <name>.pub (the public key, mode 0644) in one directory, both Z85. A pair
    that exists is kept, so a second run changes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>
#include "kwctl.h"

void
kwctl_keys_usage (FILE *out)
{
    fprintf (out,
        "kwctl keys DIR NAME...\n"
        "  make DIR/NAME.key (secret, 0600) and DIR/NAME.pub (0644), a CURVE key pair\n"
        "  for each program NAME, unless both are there already\n");
}

//  Write text and a newline to path (created with mode, never replaced).
static int
s_write (const char *path, const char *text, mode_t mode)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    int ok = fchmod (fd, mode) == 0
          && write (fd, text, strlen (text)) == (ssize_t) strlen (text)
          && write (fd, "\n", 1) == 1;
    return close (fd) == 0 && ok ? 0 : -1;
}

int
kwctl_keys (int argc, char **argv)
{
    if (argc < 3 || strcmp (argv [1], "--help") == 0) {
        kwctl_keys_usage (argc < 3 ? stderr : stdout);
        return argc < 3 ? KWCTL_USAGE : KWCTL_OK;
    }
    const char *dir = argv [1];
    if (mkdir (dir, 0700) != 0 && errno != EEXIST) {
        fprintf (stderr, "kwctl keys: cannot make %s: %s\n", dir, strerror (errno));
        return KWCTL_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        const char *name = argv [i];
        if (!*name || strlen (name) > 31 || strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen (name)) {
            fprintf (stderr, "kwctl keys: %.64s: a name is 1 to 31 of a-z, 0-9, _ and -\n", name);
            return KWCTL_USAGE;
        }
        char secret_path [4096], public_path [4096];
        snprintf (secret_path, sizeof secret_path, "%s/%s.key", dir, name);
        snprintf (public_path, sizeof public_path, "%s/%s.pub", dir, name);
        if (access (secret_path, F_OK) == 0 && access (public_path, F_OK) == 0)
            continue;
        char public_key [41], secret_key [41];
        if (zmq_curve_keypair (public_key, secret_key) != 0) {
            fprintf (stderr, "kwctl keys: no CURVE in this libzmq: %s\n", zmq_strerror (errno));
            return KWCTL_USAGE;
        }
        //  Half a pair from an interrupted run is replaced.
        unlink (secret_path);
        unlink (public_path);
        if (s_write (secret_path, secret_key, 0600) != 0 || s_write (public_path, public_key, 0644) != 0) {
            fprintf (stderr, "kwctl keys: cannot write the keys of %s in %s: %s\n", name, dir, strerror (errno));
            return KWCTL_USAGE;
        }
        explicit_bzero (secret_key, sizeof secret_key);
    }
    return KWCTL_OK;
}
