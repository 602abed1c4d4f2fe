/*  token: `kwctl token` mints a signed development token for a role in a
    region, with the secret from KW_JWT_SECRET or KW_JWT_SECRET_FILE. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw_config.h"
#include "kw_jwt.h"
#include "kw_uuid.h"
#include "kwctl.h"

//  Print the token command's usage.
void
kwctl_token_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl token --role ROLE --region REGION --sub NAME\n"
        "                   [--agency AGENCY] [--professional-id ID] [--ttl SECONDS]\n"
        "\n"
        "Print a bearer token signed with HS256 for the gateway.\n"
        "  ROLE is one of admin, coordinator, key_worker, referrer, dsr_feed, family.\n"
        "  --professional-id is the id (a UUID) of the professional the token is for:\n"
        "  a key_worker sees the offers and notifications made to that id.\n"
        "  --ttl is the token's lifetime in seconds: 60 up to KW_JWT_MAX_LIFETIME\n"
        "  (default 43200, 12 hours), which is also the default.\n"
        "  The token names KW_JWT_ISSUER (iss) and KW_JWT_AUDIENCE (aud), as the\n"
        "  gateway requires.\n"
        "\n"
        "Configuration (environment variables):\n"
        "  KW_JWT_SECRET              the signing secret (at least 32 bytes)\n"
        "  KW_JWT_SECRET_FILE         file holding the secret when KW_JWT_SECRET is unset\n"
        "                             default: var/jwt_secret\n"
        "  KW_JWT_ISSUER              default: " KW_JWT_DEFAULT_ISSUER "\n"
        "  KW_JWT_AUDIENCE            default: " KW_JWT_DEFAULT_AUDIENCE "\n"
        "  KW_JWT_MAX_LIFETIME        the longest --ttl, in seconds; default: 43200\n");
}

//  Copy a claim argument, which must fit and hold no control characters.
static int
s_claim (char *dst, const char *src, const char *option)
{
    size_t len = strlen (src);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) src [i] < 0x20) {
            fprintf (stderr, "kwctl: --%s must not contain control characters\n", option);
            return -1;
        }
    if (len == 0 || len >= KW_JWT_CLAIM_SIZE) {
        fprintf (stderr, "kwctl: --%s must be 1 to %d characters\n", option, KW_JWT_CLAIM_SIZE - 1);
        return -1;
    }
    memcpy (dst, src, len + 1);
    return 0;
}

//  kwctl token ARGS: argv [0] is "token". Returns the exit status.
int
kwctl_token (int argc, char **argv)
{
    static const struct option options [] = {
        { "role", required_argument, NULL, 'r' },
        { "region", required_argument, NULL, 'g' },
        { "sub", required_argument, NULL, 's' },
        { "agency", required_argument, NULL, 'a' },
        { "professional-id", required_argument, NULL, 'p' },
        { "ttl", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    kw_jwt_claims_t claims = { .exp = 0 };
    kw_jwt_policy_t policy;
    char err [256];
    if (kw_jwt_policy_init (&policy, getenv ("KW_JWT_ISSUER"), getenv ("KW_JWT_AUDIENCE"),
                            getenv ("KW_JWT_MAX_LIFETIME"), err, sizeof err) != 0) {
        fprintf (stderr, "kwctl: %s\n", err);
        return 2;
    }
    long ttl = (long) policy.max_lifetime;
    int c;
    while ((c = getopt_long (argc, argv, "h", options, NULL)) != -1) {
        int rc = 0;
        switch (c) {
            case 'r': rc = s_claim (claims.role, optarg, "role"); break;
            case 'g': rc = s_claim (claims.region, optarg, "region"); break;
            case 's': rc = s_claim (claims.sub, optarg, "sub"); break;
            case 'a': rc = s_claim (claims.agency, optarg, "agency"); break;
            case 'p':
                if (!kw_uuid_valid (optarg)) {
                    fprintf (stderr, "kwctl: --professional-id must be a UUID (like"
                                     " 7d1f0c3e-2a4b-4c1d-9e8f-000000000001), not \"%.60s\"\n", optarg);
                    rc = -1;
                }
                else
                    rc = s_claim (claims.professional_id, optarg, "professional-id");
                break;
            case 't':
                rc = kw_config_int ("--ttl", optarg, 60, (long) policy.max_lifetime, &ttl, err, sizeof err);
                if (rc)
                    fprintf (stderr, "kwctl: %s\n", err);
                break;
            case 'h': kwctl_token_usage (stdout); return 0;
            default: kwctl_token_usage (stderr); return 2;
        }
        if (rc)
            return 2;
    }
    if (optind < argc || !*claims.role || !*claims.region || !*claims.sub) {
        fprintf (stderr, "kwctl: token needs --role, --region and --sub\n");
        return 2;
    }
    if (!kw_jwt_role_valid (claims.role)) {
        fprintf (stderr, "kwctl: --role must be one of admin, coordinator, key_worker,"
                         " referrer, dsr_feed, family\n");
        return 2;
    }
    const char *file = getenv ("KW_JWT_SECRET_FILE");
    size_t secret_len = 0;
    unsigned char *secret = kw_jwt_secret_load (getenv ("KW_JWT_SECRET"),
                                                file ? file : "var/jwt_secret",
                                                &secret_len, err, sizeof err);
    if (!secret) {
        fprintf (stderr, "kwctl: %s\n", err);
        return 1;
    }
    claims.iat = (int64_t) time (NULL);
    claims.exp = claims.iat + ttl;
    snprintf (claims.iss, sizeof claims.iss, "%s", policy.issuer);
    snprintf (claims.aud, sizeof claims.aud, "%s", policy.audience);
    char *token = kw_jwt_sign (&claims, secret, secret_len, err, sizeof err);
    free (secret);
    if (!token) {
        fprintf (stderr, "kwctl: %s\n", err);
        return 1;
    }
    printf ("%s\n", token);
    free (token);
    return 0;
}
