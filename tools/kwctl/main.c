/*  kwctl: the operator's command-line tool. Dispatches `kwctl token` (a
    development token) and the `referral`, `dsr`, `eligibility`,
    `professional` and `case` commands that call the gateway's HTTP API, and
    prints the overall usage. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "kwctl.h"

static void
s_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl [--url URL] [--token TOKEN] [--json] COMMAND ...\n"
        "\n"
        "Commands:\n"
        "  token       mint a development token\n"
        "  keys        make the programs' CURVE key pairs\n"
        "  link        print an offer's signed link (accept or decline)\n"
        "  referral    create, show, list and withdraw referrals\n"
        "  dsr         import Dynamic Support Register feeds, show an entry\n"
        "  eligibility show the rule set, decide referrals again, run the age-out sweep\n"
        "  professional register, show, list, change and import professionals; absences;\n"
        "              caseloads\n"
        "  case        show and list cases, answer offers, the team, close, change requests,\n"
        "              the timeline\n"
        "  meeting     book, show, answer, reschedule and cancel meetings; outcomes; invitations\n"
        "  plan        the Family Service Plan and its versions; complete actions\n"
        "  audit       the region's audit trail (admins)\n"
        "  notification, preferences, template\n"
        "              delivery records and retries, a recipient's preferences, the check of\n"
        "              the notification table and templates\n"
        "\n"
        "kwctl COMMAND --help describes one command.\n"
        "\n");
    kwctl_token_usage (out);
    fprintf (out, "\n");
    kwctl_keys_usage (out);
    fprintf (out, "\n");
    kwctl_link_usage (out);
    fprintf (out, "\n");
    kwctl_referral_usage (out);
    fprintf (out, "\n");
    kwctl_dsr_usage (out);
    fprintf (out, "\n");
    kwctl_eligibility_usage (out);
    fprintf (out, "\n");
    kwctl_professional_usage (out);
    fprintf (out, "\n");
    kwctl_case_usage (out);
    fprintf (out, "\n");
    kwctl_meeting_usage (out);
    fprintf (out, "\n");
    kwctl_audit_usage (out);
    fprintf (out, "\n");
    kwctl_notification_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        s_usage (stderr);
        return KWCTL_USAGE;
    }
    kwctl_global_t global = { .url = NULL };
    int first = 1;
    if (argv [1][0] == '-') {
        //  Options before the command: the global ones and --help
        static const struct option options [] = {
            KWCTL_GLOBAL_OPTIONS,
            { NULL, 0, NULL, 0 }
        };
        kwctl_options_reset ();
        int c;
        while ((c = getopt_long (argc, argv, "+:h", options, NULL)) != -1) {
            int rc = kwctl_option (&global, c, argv, s_usage);
            if (rc >= 0)
                return rc;
        }
        first = optind;
        if (first >= argc) {
            fprintf (stderr, "kwctl: which command? (try --help)\n");
            return KWCTL_USAGE;
        }
    }
    const char *command = argv [first];
    if (strcmp (command, "token") == 0) {
        if (global.given) {
            fprintf (stderr, "kwctl: token takes no --url, --token or --json\n");
            return KWCTL_USAGE;
        }
        return kwctl_token (argc - first, argv + first);
    }
    if (strcmp (command, "keys") == 0)
        return kwctl_keys (argc - first, argv + first);
    if (strcmp (command, "link") == 0)
        return kwctl_link (argc - first, argv + first);
    if (strcmp (command, "referral") == 0)
        return kwctl_referral (argc - first, argv + first, &global);
    if (strcmp (command, "dsr") == 0)
        return kwctl_dsr (argc - first, argv + first, &global);
    if (strcmp (command, "eligibility") == 0)
        return kwctl_eligibility (argc - first, argv + first, &global);
    if (strcmp (command, "professional") == 0)
        return kwctl_professional (argc - first, argv + first, &global);
    if (strcmp (command, "case") == 0)
        return kwctl_case (argc - first, argv + first, &global);
    if (strcmp (command, "meeting") == 0)
        return kwctl_meeting (argc - first, argv + first, &global);
    if (strcmp (command, "plan") == 0)
        return kwctl_plan (argc - first, argv + first, &global);
    if (strcmp (command, "audit") == 0)
        return kwctl_audit (argc - first, argv + first, &global);
    if (strcmp (command, "notification") == 0)
        return kwctl_notification (argc - first, argv + first, &global);
    if (strcmp (command, "preferences") == 0)
        return kwctl_preferences (argc - first, argv + first, &global);
    if (strcmp (command, "template") == 0)
        return kwctl_template (argc - first, argv + first, &global);
    fprintf (stderr, "kwctl: unknown command '%.32s' (try --help)\n", command);
    return KWCTL_USAGE;
}
