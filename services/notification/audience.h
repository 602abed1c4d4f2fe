/*  audience: who an event's message goes to and what its fields say,
    read from the event's own payload by the field names of its protobuf
    descriptor, so the table (deploy/notifications/table.json) names them as
    data. Nothing here reads a database.

    An audience is one of:
      "coordinators"   the region's coordinator addresses (region file)
      a field name     a field of the payload holding a person (a message
                       with a name and an e-mail: KeyWorker, TeamMember),
                       single or repeated ("key_worker", "previous", "team",
                       "family"), or such a field of a single message field
                       ("meeting.participants")
      a prefix         "professional": the payload's professional_id,
                       professional_name, professional_email and
                       professional_phone (OfferMade)
    A field is a scalar field of the payload ("case_id"), a scalar
    field of a single message field ("key_worker.name"), or one of
    "recipient_name", "service_name" and "public_url" (the gateway's
    address, for links). Repeated fields are never
    fields. */
#ifndef NOTIFICATION_AUDIENCE_H
#define NOTIFICATION_AUDIENCE_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#define AUDIENCE_COORDINATORS "coordinators"
//  "case.<field>": a person field of the case's people (the service's
//  projection of the case's last KeyWorkerChanged), for events with a case_id.
#define AUDIENCE_CASE "case."
#define AUDIENCE_ID_SIZE 80

//  One person a message goes to. recipient_id is their professional id, or
//  "contact-" and a hash of their e-mail address, else their phone number,
//  else their postal address, when they have none (never the address
//  itself); name, email, phone, address and preferred may be "" (not NULL).
typedef struct {
    char recipient_id [AUDIENCE_ID_SIZE];
    const char *name;
    const char *email;
    const char *phone;
    const char *address;                //  postal: its lines separated by LF
    const char *preferred;              //  a family member's preferred contact from the
                                        //  referral: email | sms | phone | post
    const ProtobufCMessage *person;     //  the message read, for a person field; else NULL
} audience_contact_t;

//  1 when audience can be resolved from payloads of desc ("coordinators"
//  always can).
int audience_valid (const ProtobufCMessageDescriptor *desc, const char *audience);

//  1 when audience is "case.<field>", desc has a case_id and field is a
//  person field of KeyWorkerChanged.
int audience_case_valid (const ProtobufCMessageDescriptor *desc, const char *audience);

//  The message type of audience's people in payloads of desc, for a
//  person field ("meeting.participants"); NULL for the others.
const ProtobufCMessageDescriptor *audience_person (const ProtobufCMessageDescriptor *desc, const char *audience);

//  Call fn for each contact of audience in msg (coordinators excluded: the
//  caller has them). Returns the number of contacts.
typedef void (audience_fn) (const audience_contact_t *contact, void *arg);
size_t audience_each (const ProtobufCMessage *msg, const char *audience, audience_fn *fn, void *arg);

//  The contact of a coordinator address.
void audience_coordinator (const char *email, audience_contact_t *out);

//  1 when name is a field value payloads of desc can give a template's
//  ((name)) or a rule's condition.
int audience_field_valid (const ProtobufCMessageDescriptor *desc, const char *name);

//  The value of field name in msg into buf (size bytes): "" for a
//  field not set. NULL when name is not such a field of msg's type.
const char *audience_field_value (const ProtobufCMessage *msg, const char *name, char *buf, size_t size);

//  What a field value may show where: 1 when it is an id or a time (the
//  only kind allowed in a subject); audience_names_person: an id, a time or
//  a person's name (the kinds allowed in a text message).
int audience_is_id_or_time (const char *name);
int audience_names_person (const char *name);

#endif
