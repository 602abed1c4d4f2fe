/*  rule: a row's conditions on the payload and on the person told
    (rule.h). */
#include <stdio.h>
#include <string.h>
#include "audience.h"
#include "rule.h"

#define NAME_MAX_LEN 64
#define VALUE_MAX_LEN 64

//  One condition of when, from *at: its name, whether it is "!=" (*negate)
//  and its value; *at moves past it. 1 when one was read, 0 at the end, -1
//  when it is malformed.
static int
s_next (const char **at, char name [NAME_MAX_LEN + 1], int *negate, char value [VALUE_MAX_LEN + 1])
{
    const char *p = *at;
    if (!*p)
        return 0;
    size_t len = strcspn (p, ",");
    const char *eq = memchr (p, '=', len);
    *negate = eq && eq > p && eq [-1] == '!';
    size_t name_len = eq ? (size_t) (eq - p) - (size_t) *negate : 0;
    if (!eq || name_len == 0 || name_len > NAME_MAX_LEN || len - (size_t) (eq - p) - 1 > VALUE_MAX_LEN
    ||  memchr (eq + 1, '=', len - (size_t) (eq - p) - 1) || memchr (p, '!', name_len))
        return -1;
    memcpy (name, p, name_len);
    name [name_len] = '\0';
    memcpy (value, eq + 1, len - (size_t) (eq - p) - 1);
    value [len - (size_t) (eq - p) - 1] = '\0';
    *at = p [len] ? p + len + 1 : p + len;
    return p [len] && !**at ? -1 : 1;
}

static int
s_is_recipient (const char *name)
{
    return strncmp (name, RULE_RECIPIENT, strlen (RULE_RECIPIENT)) == 0;
}

//  1 when field is a field conditions may name in messages of of (the
//  audience's people when recipient: one level only).
static int
s_field_valid (const ProtobufCMessageDescriptor *of, int recipient, const char *field)
{
    return of && !(recipient && strchr (field, '.')) && audience_field_valid (of, field)
        && strcmp (field, "recipient_name") && strcmp (field, "service_name") && strcmp (field, "public_url");
}

int
rule_valid (const ProtobufCMessageDescriptor *desc, const ProtobufCMessageDescriptor *person,
            const char *when, char *err, size_t err_size)
{
    if (!*when || strlen (when) > RULE_WHEN_MAX) {
        snprintf (err, err_size, "must be 1-%d characters of name=value conditions", RULE_WHEN_MAX);
        return -1;
    }
    char name [NAME_MAX_LEN + 1], value [VALUE_MAX_LEN + 1];
    const char *at = when;
    int rc, negate;
    while ((rc = s_next (&at, name, &negate, value)) > 0) {
        int recipient = s_is_recipient (name);
        const char *field = recipient ? name + strlen (RULE_RECIPIENT) : name;
        const ProtobufCMessageDescriptor *of = recipient ? person : desc;
        const char *bad = !s_field_valid (of, recipient, field) ? name
                        : value [0] == RULE_FIELD && !s_field_valid (of, recipient, value + 1) ? value : NULL;
        if (bad) {
            snprintf (err, err_size, "\"%s\" is not a field of %s", bad,
                      recipient ? "the audience's people" : "the event's payload");
            return -1;
        }
    }
    if (rc < 0) {
        snprintf (err, err_size, "must be name=value or name!=value conditions joined by \",\"");
        return -1;
    }
    return 0;
}

//  1 when every condition of when whose name is (recipient) or is not
//  (!recipient) a "recipient." one holds in msg.
static int
s_holds (const ProtobufCMessage *msg, const char *when, int recipient)
{
    char name [NAME_MAX_LEN + 1], value [VALUE_MAX_LEN + 1], buf [VALUE_MAX_LEN + 1], other [VALUE_MAX_LEN + 1];
    const char *at = when ? when : "";
    int rc, negate;
    while ((rc = s_next (&at, name, &negate, value)) > 0) {
        if (s_is_recipient (name) != recipient)
            continue;
        const char *field = recipient ? name + strlen (RULE_RECIPIENT) : name;
        const char *got = msg ? audience_field_value (msg, field, buf, sizeof buf) : NULL;
        const char *want = value [0] != RULE_FIELD ? value
                         : msg ? audience_field_value (msg, value + 1, other, sizeof other) : NULL;
        if (!got || !want || (strcmp (got, want) == 0) == negate)
            return 0;
    }
    return rc == 0;
}

int
rule_event_holds (const ProtobufCMessage *msg, const char *when)
{
    return s_holds (msg, when, 0);
}

int
rule_person_holds (const ProtobufCMessage *person, const char *when)
{
    return s_holds (person, when, 1);
}
