/*  rule: a row's "when", the conditions under which the row applies, as
    pure functions (no database) so the fuzz target runs them as the
    service does. A condition is "<name>=<value>" or "<name>!=<value>";
    several are joined by ",", and all must hold. A name is a field
    of the event's payload (audience.h: "response", "participant.required"),
    compared with its text (a bool reads "yes" or "no", a field not set ""),
    or "recipient.<field>": that field of the person the row's audience
    yields ("recipient.role=family"), so a row can pick some people of a
    list. A value holds no "," or "="; a value "@<field>" is the text of
    another field of the same message ("rag!=@previous_rag": the rating
    changed). */
#ifndef NOTIFICATION_RULE_H
#define NOTIFICATION_RULE_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#define RULE_RECIPIENT "recipient."
#define RULE_WHEN_MAX 256
#define RULE_FIELD '@'            //  a value naming another field

//  0 when when is well formed for payloads of desc and an audience whose
//  people are messages of person (NULL: the audience has no person
//  message, so no "recipient." condition); else -1 with the reason in err.
int rule_valid (const ProtobufCMessageDescriptor *desc, const ProtobufCMessageDescriptor *person,
                const char *when, char *err, size_t err_size);

//  1 when every payload condition of when holds in msg (NULL when: none).
int rule_event_holds (const ProtobufCMessage *msg, const char *when);

//  1 when every "recipient." condition of when holds in person (NULL
//  person with such a condition: 0).
int rule_person_holds (const ProtobufCMessage *person, const char *when);

#endif
