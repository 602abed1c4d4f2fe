/*  kwctl: what the operator's command-line tool shares between its files:
    exit statuses, the options every gateway command takes, the HTTP client,
    the gateway calls with their error reporting, and readable output. */
#ifndef KWCTL_H
#define KWCTL_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

//  Exit statuses
#define KWCTL_OK            0   //  done
#define KWCTL_API_ERROR     1   //  the gateway answered with an error
#define KWCTL_USAGE         2   //  bad options or arguments, unreadable input
#define KWCTL_UNREACHABLE   3   //  no answer from the gateway

//  Options every gateway command takes, before or after the command words
#define KWCTL_OPT_URL       0x100
#define KWCTL_OPT_TOKEN     0x101
#define KWCTL_OPT_JSON      0x102
#define KWCTL_GLOBAL_OPTIONS \
    { "url", required_argument, NULL, KWCTL_OPT_URL }, \
    { "token", required_argument, NULL, KWCTL_OPT_TOKEN }, \
    { "json", no_argument, NULL, KWCTL_OPT_JSON }, \
    { "help", no_argument, NULL, 'h' }

typedef struct {
    const char *url;            //  --url, or NULL for the environment's
    const char *token;          //  --token, or NULL for KW_TOKEN
    int json;                   //  --json: print the gateway's JSON as is
    int given;                  //  1 when any of these was on the command line
} kwctl_global_t;

typedef void (kwctl_usage_fn) (FILE *out);
//  A command's own option c (its value in optarg): -1 to go on, else an exit status.
typedef int (kwctl_option_fn) (int c, void *arg);

//  ---------------------------------------------------------------------------
//  Commands (token.c, referral.c, dsr.c, eligibility.c) and their usage text

//  kwctl token ARGS: argv [0] is "token". Returns the exit status.
int kwctl_token (int argc, char **argv);
//  Print the token command's usage.
void kwctl_token_usage (FILE *out);
//  kwctl keys DIR NAME...: argv [0] is "keys". Returns the exit status.
int kwctl_keys (int argc, char **argv);
//  Print the keys command's usage.
void kwctl_keys_usage (FILE *out);
//  kwctl link KEY_FILE BASE ACTION OFFER PERSON EXPIRES: argv [0] is "link".
int kwctl_link (int argc, char **argv);
void kwctl_link_usage (FILE *out);
//  kwctl referral VERB ARGS: argv [0] is "referral". Returns the exit status.
int kwctl_referral (int argc, char **argv, kwctl_global_t *global);
//  Print the referral commands' usage.
void kwctl_referral_usage (FILE *out);
//  kwctl dsr VERB ARGS: argv [0] is "dsr". Returns the exit status.
int kwctl_dsr (int argc, char **argv, kwctl_global_t *global);
//  Print the dsr commands' usage.
void kwctl_dsr_usage (FILE *out);
//  kwctl eligibility VERB ARGS: argv [0] is "eligibility". Returns the exit status.
int kwctl_eligibility (int argc, char **argv, kwctl_global_t *global);
//  Print the eligibility commands' usage.
void kwctl_eligibility_usage (FILE *out);
//  kwctl audit ARGS: argv [0] is "audit". Returns the exit status.
int kwctl_audit (int argc, char **argv, kwctl_global_t *global);
//  Print the audit command's usage.
void kwctl_audit_usage (FILE *out);
//  Print the options, environment and exit statuses every gateway command shares.
void kwctl_common_usage (FILE *out);

//  ---------------------------------------------------------------------------
//  Option parsing (options.c)

//  Start a getopt_long scan of a fresh argv; errors are reported by
//  kwctl_option, never by getopt itself.
void kwctl_options_reset (void);
//  Handle what a command's getopt_long loop did not: the global options,
//  --help (prints usage to stdout), unknown options and missing values
//  (print usage to stderr; an option's value is never echoed). Returns -1
//  when the scan goes on, else the exit status to return.
int kwctl_option (kwctl_global_t *global, int c, char **argv, kwctl_usage_fn *usage);
//  Scan argv with the command's own options (own_count of them) and the
//  global ones. The command's options go to on_option (with arg), which
//  returns -1 to go on or an exit status; the rest to kwctl_option. Returns
//  -1 when the scan reached the end (positional arguments from optind), else
//  the exit status to return.
int kwctl_parse (int argc, char **argv, const struct option *own, size_t own_count,
                 kwctl_global_t *global, kwctl_option_fn *on_option, void *arg,
                 kwctl_usage_fn *usage);
//  0 when exactly count positional arguments follow argv [optind - 1], none
//  of them empty; else prints that the command (argv [0]) of group needs
//  what, and -1.
int kwctl_positional (int argc, char **argv, int count, const char *group, const char *what);
//  0 when value is a real date YYYY-MM-DD; else prints why (naming option) and -1.
int kwctl_check_date (const char *value, const char *option);
//  0 when value is one of the NULL-terminated choices; else prints them and -1.
int kwctl_check_choice (const char *value, const char *option, const char *const *choices);
//  0 when value is 1 to 200 printable ASCII characters; else prints why and -1.
int kwctl_check_printable (const char *value, const char *option);
//  The option handler of commands whose one option is --idempotency-key
//  ('k'): the key into *(const char **) arg; -1, or KWCTL_USAGE.
int kwctl_idempotency_key_option (int c, void *arg);
//  Read a whole file, or stdin for "-", into a NUL-terminated buffer the
//  caller frees; size in *len. NULL with the reason printed when it cannot.
char *kwctl_read_input (const char *path, size_t max, size_t *len);

//  ---------------------------------------------------------------------------
//  HTTP client over libcurl (http.c)

typedef struct _kwctl_http_t kwctl_http_t;

typedef struct {
    long status;                //  HTTP status of the answer
    char *body;                 //  the answer's body, NUL-terminated, the caller's to free
    size_t body_len;
} kwctl_http_reply_t;

//  Open a client for the gateway at base_url (no trailing slash) that sends
//  token as the bearer token, when not NULL. NULL when libcurl fails.
kwctl_http_t *kwctl_http_new (const char *base_url, const char *token);
//  Close the client and clear the caller's pointer; safe twice.
void kwctl_http_destroy (kwctl_http_t **self_p);
//  Send method to path (escaped, with its query), with body (body_len bytes,
//  of content_type) when body is not NULL and one extra header line when
//  header is not NULL. Returns 0 with the answer in reply, or -1 when there
//  was no answer, with the reason in err.
int kwctl_http_request (kwctl_http_t *self, const char *method, const char *path,
                        const char *content_type, const char *body, size_t body_len,
                        const char *header, kwctl_http_reply_t *reply,
                        char *err, size_t err_size);
//  Percent-encode s for a path segment or query value; the caller frees it.
char *kwctl_http_escape (const char *s);

//  ---------------------------------------------------------------------------
//  Gateway calls with error reporting (api.c)

typedef struct _kwctl_api_t kwctl_api_t;
typedef void (kwctl_print_fn) (FILE *out, json_t *answer);

//  Resolve the gateway's URL and the token from the options and the
//  environment and open a client. Returns KWCTL_OK with the client in
//  *api_p, or prints why (never the token) and returns KWCTL_USAGE.
int kwctl_api_open (const kwctl_global_t *global, kwctl_api_t **api_p);
//  Close the client and clear the caller's pointer; safe twice.
void kwctl_api_destroy (kwctl_api_t **self_p);
//  Call the gateway (arguments as for kwctl_http_request). Returns KWCTL_OK
//  with the parsed JSON answer in *answer_p (the caller's to json_decref);
//  else prints the error to stderr (with --json also the error body to
//  stdout) and returns KWCTL_API_ERROR or KWCTL_UNREACHABLE.
int kwctl_api_call (kwctl_api_t *self, const char *method, const char *path,
                    const char *content_type, const char *body, size_t body_len,
                    const char *header, json_t **answer_p);
//  Open a client, make one call (with one extra header line, or NULL) and
//  print its answer: as JSON with --json, else with print_fn. Returns the
//  exit status.
int kwctl_api_show (const kwctl_global_t *global, const char *method, const char *path,
                    const char *content_type, const char *body, size_t body_len,
                    const char *header, kwctl_print_fn *print_fn);
//  GET path whose answer is a document (an invitation, a page) and write
//  it to out as it is; an error answer is reported as kwctl_api_call does.
//  The exit status.
int kwctl_api_get_text (const kwctl_global_t *global, const char *path, FILE *out);
//  HTTP status of the last answer, 0 when there was none.
long kwctl_api_status (kwctl_api_t *self);
//  1 when the answers are to be printed as JSON (--json).
int kwctl_api_json (kwctl_api_t *self);

//  ---------------------------------------------------------------------------
//  Resource paths and lists (list.c)

#define KWCTL_MAX_PATH 4096

//  prefix + id (percent-encoded) + suffix, the caller's to free; NULL when
//  out of memory.
char *kwctl_path (const char *prefix, const char *id, const char *suffix);
//  Append "?key=value" or "&key=value" (value encoded) to path (size bytes);
//  nothing when value is NULL. 0, or -1 when it does not fit.
int kwctl_query_add (char *path, size_t size, const char *key, const char *value);
//  The --limit option's value (1 to 500) into limit: -1 to go on, or
//  KWCTL_USAGE with the reason printed.
int kwctl_limit_option (const char *value, char limit [16]);
//  GET the list at path (its query built with kwctl_query_add) from cursor
//  (NULL: the first page): one page, or with all every page following
//  next_cursor. Printed with table (the items array), or as JSON with
//  --json ({"items": [all of them], "next_cursor": null} with all).
//  Returns the exit status.
int kwctl_list_show (const kwctl_global_t *global, const char *path, const char *cursor, int all,
                     kwctl_print_fn *table);

//  ---------------------------------------------------------------------------
//  Output (print.c)

//  Print a JSON value indented, keys in the order received.
void kwctl_print_json (FILE *out, json_t *value);
//  Write s with control characters replaced by '?', so no answer can drive
//  the terminal; "-" when s is NULL or empty.
void kwctl_print_text (FILE *out, const char *s);
//  The string member key of object, or NULL when absent or not a string.
const char *kwctl_str (json_t *object, const char *key);
//  One labelled line of a block: label padded to width, then the text.
void kwctl_print_field (FILE *out, int width, const char *label, const char *text);
//  "yes", "no" or "unknown" for a JSON true, false or anything else.
const char *kwctl_yes_no (json_t *value);
//  The answer to POST /v1/referrals: "referral ID received (region R)".
void kwctl_print_referral_created (FILE *out, json_t *answer);
//  A referral from GET /v1/referrals/{id} as an aligned block.
void kwctl_print_referral (FILE *out, json_t *referral);
//  Referrals (a JSON array) as a table: id, status, source, received_at, child.
void kwctl_print_referral_table (FILE *out, json_t *items);
//  The answer to POST /v1/dsr/imports: the import id, then as kwctl_print_import_rows.
void kwctl_print_dsr_import (FILE *out, json_t *answer);
//  An import's counts, then each rejected row: "line L: FIELD: ERROR".
void kwctl_print_import_rows (FILE *out, json_t *answer);
//  A count from an answer: a JSON integer, or a string of digits; 0 when absent.
long long kwctl_count (json_t *object, const char *key);
//  Write s (as kwctl_print_text) padded with spaces to width.
void kwctl_print_cell (FILE *out, const char *s, size_t width);
//  A DSR entry as an aligned block followed by its rating history.
void kwctl_print_dsr_entry (FILE *out, json_t *entry);
//  GET /v1/eligibility/ruleset: the region's settings as an aligned block,
//  then the rule tree as an indented outline.
void kwctl_print_ruleset (FILE *out, json_t *ruleset);
//  The answer to POST /v1/referrals/{id}/re-evaluate: whether the decision
//  changed, the outcome, then its criteria as referral get shows them.
void kwctl_print_re_evaluation (FILE *out, json_t *answer);
//  POST /v1/admin/eligibility/re-evaluate: "evaluated N referrals, M decisions changed".
void kwctl_print_re_evaluate_all (FILE *out, json_t *answer);
//  POST /v1/admin/eligibility/age-out: "transition due: N, age out: M".
void kwctl_print_age_out (FILE *out, json_t *answer);

//  ---------------------------------------------------------------------------
//  Assignment output (print_assignment.c)

//  A table column: its title and the item's member key (or key.sub).
typedef struct {
    const char *title;
    const char *key;
    const char *sub;
} kwctl_column_t;

//  items (a JSON array of objects) as a table of columns; none when empty.
//  Strings as they are, numbers in digits, booleans as yes or no.
void kwctl_print_table (FILE *out, json_t *items, const kwctl_column_t *columns, size_t count,
                        const char *none);
//  A professional as an aligned block: contact, caseload, deputy, hours.
void kwctl_print_professional (FILE *out, json_t *professional);
//  Professionals as a table: id, name, discipline, agency, caseload, max, active, absent.
void kwctl_print_professional_table (FILE *out, json_t *items);
//  GET /v1/caseloads items as a table.
void kwctl_print_caseload_table (FILE *out, json_t *items);
//  One absence: "absence ID of PROFESSIONAL: FROM to TO, STATUS".
void kwctl_print_absence (FILE *out, json_t *absence);
//  GET /v1/professionals/{id}/absences (or its items) as a table.
void kwctl_print_absence_table (FILE *out, json_t *list);
//  A case as an aligned block, then its offers with their reasons, then its team.
void kwctl_print_case (FILE *out, json_t *c);
//  Cases as a table: id, status, key worker, awaiting, relationship, opened.
void kwctl_print_case_table (FILE *out, json_t *items);
//  A team (the answer of the team calls, or its members array) as a table.
void kwctl_print_team (FILE *out, json_t *team);
//  Timeline entries as a table: at, kind, actor, detail.
void kwctl_print_timeline (FILE *out, json_t *items);

//  ---------------------------------------------------------------------------
//  Assignment commands (professional.c, case.c)

//  kwctl professional VERB ARGS: argv [0] is "professional". Returns the exit status.
int kwctl_professional (int argc, char **argv, kwctl_global_t *global);
//  Print the professional commands' usage.
void kwctl_professional_usage (FILE *out);
//  kwctl case VERB ARGS: argv [0] is "case". Returns the exit status.
int kwctl_case (int argc, char **argv, kwctl_global_t *global);
//  Print the case commands' usage.
void kwctl_case_usage (FILE *out);
//  Send body (a JSON object, taken) with method to path and print the
//  answer with print_fn; Idempotency-Key key when not NULL. The exit status.
int kwctl_send_json (const kwctl_global_t *global, const char *method, const char *path, json_t *body,
                     const char *key, kwctl_print_fn *print_fn);
//  kwctl meeting VERB ARGS and kwctl plan VERB ARGS (meeting.c): argv [0] is
//  the command. Return the exit status.
int kwctl_meeting (int argc, char **argv, kwctl_global_t *global);
int kwctl_plan (int argc, char **argv, kwctl_global_t *global);
//  Print the meeting and plan commands' usage.
void kwctl_meeting_usage (FILE *out);
//  ---------------------------------------------------------------------------
//  Notification commands (notification.c)

//  kwctl notification VERB ARGS: argv [0] is "notification". The exit status.
int kwctl_notification (int argc, char **argv, kwctl_global_t *global);
//  kwctl preferences VERB ARGS: argv [0] is "preferences". The exit status.
int kwctl_preferences (int argc, char **argv, kwctl_global_t *global);
//  kwctl template check [--dir DIR] [--regions DIR]: argv [0] is "template".
int kwctl_template (int argc, char **argv, kwctl_global_t *global);
//  Print the notification, preferences and template commands' usage.
void kwctl_notification_usage (FILE *out);

//  Read FILE.json ('-': standard input) that must hold one JSON object;
//  NULL with the reason printed.
json_t *kwctl_read_json_object (const char *path);

#endif
