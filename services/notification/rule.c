/*  rule: a row's conditions on the payload and on the person told
    (rule.h). */
#include <stdio.h>
#include <string.h>
#include "audience.h"
#include "rule.h"

#define NAME_MAX_LEN 64
#define VALUE_MAX_LEN 64

//  One condition of when, from *at: its name and value; *at moves past
//  it. 1 when one was read, 0 at the end, -1 when it is malformed.
static int
s_next (const char **at, char name [NAME_MAX_LEN + 1], char value [VALUE_MAX_LEN + 1])
{
    const char *p = *at;
    if (!*p)
        return 0;
    size_t len = strcspn (p, ",");
    const char *eq = memchr (p, '=', len);
    if (!eq || eq == p || (size_t) (eq - p) > NAME_MAX_LEN || len - (size_t) (eq - p) - 1 > VALUE_MAX_LEN
    ||  memchr (eq + 1, '=', len - (size_t) (eq - p) - 1))
        return -1;
    memcpy (name, p, (size_t) (eq - p));
    name [eq - p] = '\0';
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
    int rc;
    while ((rc = s_next (&at, name, value)) > 0) {
        int recipient = s_is_recipient (name);
        const char *field = recipient ? name + strlen (RULE_RECIPIENT) : name;
        const ProtobufCMessageDescriptor *of = recipient ? person : desc;
        if (!of || (recipient && strchr (field, '.')) || !audience_field_valid (of, field)
        ||  !strcmp (field, "recipient_name") || !strcmp (field, "service_name") || !strcmp (field, "public_url")) {
            snprintf (err, err_size, "\"%s\" is not a field of %s", name,
                      recipient ? "the audience's people" : "the event's payload");
            return -1;
        }
    }
    if (rc < 0) {
        snprintf (err, err_size, "must be name=value conditions joined by \",\"");
        return -1;
    }
    return 0;
}

//  1 when every condition of when whose name is (recipient) or is not
//  (!recipient) a "recipient." one holds in msg.
static int
s_holds (const ProtobufCMessage *msg, const char *when, int recipient)
{
    char name [NAME_MAX_LEN + 1], value [VALUE_MAX_LEN + 1], buf [VALUE_MAX_LEN + 1];
    const char *at = when ? when : "";
    int rc;
    while ((rc = s_next (&at, name, value)) > 0) {
        if (s_is_recipient (name) != recipient)
            continue;
        const char *field = recipient ? name + strlen (RULE_RECIPIENT) : name;
        const char *got = msg ? audience_field_value (msg, field, buf, sizeof buf) : NULL;
        if (!got || strcmp (got, value) != 0)
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
