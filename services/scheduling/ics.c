/*  ics: a meeting's invitation, RFC 5545 and iTIP (RFC 5546), through
    libical: METHOD:REQUEST (METHOD:CANCEL and STATUS:CANCELLED once the
    meeting is cancelled), ORGANIZER (the region's coordinator address),
    one ATTENDEE per participant with an e-mail (ROLE REQ-PARTICIPANT or
    OPT-PARTICIPANT, PARTSTAT from their response, RSVP=TRUE), the UID that
    never changes, the SEQUENCE raised on every change, DTSTART and DTEND
    in the region's zone with its VTIMEZONE (cut to the years around the
    meeting; TZID is the IANA name, see zone.c). */
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>
#include "scheduling.h"
#include "zone.h"

static const char *
s_title (const char *type)
{
    return !type ? "Meeting" : strcmp (type, "planning") == 0 ? "Key worker planning meeting"
         : strcmp (type, "review") == 0 ? "Key worker review meeting"
         : strcmp (type, "tac") == 0 ? "Team around the child meeting"
         : strcmp (type, "cetr") == 0 ? "Care (education) and treatment review" : "Meeting";
}

static icalparameter_partstat
s_partstat (const char *response)
{
    return !response ? ICAL_PARTSTAT_NEEDSACTION : strcmp (response, "accepted") == 0 ? ICAL_PARTSTAT_ACCEPTED
         : strcmp (response, "declined") == 0 ? ICAL_PARTSTAT_DECLINED
         : strcmp (response, "tentative") == 0 ? ICAL_PARTSTAT_TENTATIVE : ICAL_PARTSTAT_NEEDSACTION;
}

//  "mailto:" and the address (arena).
static char *
s_mailto (const char *email, kw_arena_t *arena)
{
    size_t size = strlen (email) + 8;
    char *text = kw_arena_alloc (arena, size);
    snprintf (text, size, "mailto:%s", email);
    return text;
}

static void
s_attendee (icalcomponent *event, const Kw__Participant *p, kw_arena_t *arena)
{
    if (!p->email || !*p->email)
        return;
    icalproperty *attendee = icalproperty_new_attendee (s_mailto (p->email, arena));
    if (p->name && *p->name)
        icalproperty_add_parameter (attendee, icalparameter_new_cn (p->name));
    icalproperty_add_parameter (attendee, icalparameter_new_role (p->required ? ICAL_ROLE_REQPARTICIPANT
                                                                              : ICAL_ROLE_OPTPARTICIPANT));
    icalproperty_add_parameter (attendee, icalparameter_new_partstat (s_partstat (p->response)));
    icalproperty_add_parameter (attendee, icalparameter_new_rsvp (ICAL_RSVP_TRUE));
    icalproperty_add_parameter (attendee, icalparameter_new_cutype (strcmp (p->role ? p->role : "", "family") == 0
                                                                    ? ICAL_CUTYPE_GROUP : ICAL_CUTYPE_INDIVIDUAL));
    icalcomponent_add_property (event, attendee);
}

//  The zone's VTIMEZONE cut to a year before start onwards.
static icalcomponent *
s_vtimezone (icaltimezone *zone, int64_t start)
{
    icalcomponent *vtz = icalcomponent_new_clone (icaltimezone_get_component (zone));
    if (vtz) {
        icaltimetype from = icaltime_from_timet_with_zone ((time_t) (start - 366 * 86400), 0,
                                                           icaltimezone_get_utc_timezone ());
        icaltimezone_truncate_vtimezone (vtz, from, icaltime_null_time (), 0);
    }
    return vtz;
}

char *
ics_render (const Kw__Meeting *m, const settings_region_t *region, kw_arena_t *arena)
{
    int64_t start, end;
    if (!m->id || !m->uid || zone_parse_instant (m->start, &start) != 0 || zone_parse_instant (m->end, &end) != 0)
        return NULL;
    icaltimezone *zone = (icaltimezone *) region->zone;
    int cancelled = m->status && strcmp (m->status, "cancelled") == 0;
    icalcomponent *cal = icalcomponent_new_vcalendar ();
    icalcomponent_add_property (cal, icalproperty_new_prodid ("-//Key worker service//Scheduling//EN"));
    icalcomponent_add_property (cal, icalproperty_new_version ("2.0"));
    icalcomponent_add_property (cal, icalproperty_new_calscale ("GREGORIAN"));
    icalcomponent_add_property (cal, icalproperty_new_method (cancelled ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent *vtz = s_vtimezone (zone, start);
    if (vtz)
        icalcomponent_add_component (cal, vtz);
    icalcomponent *event = icalcomponent_new_vevent ();
    icalcomponent_set_uid (event, m->uid);
    icalcomponent_set_sequence (event, (int) m->sequence);
    icalcomponent_set_dtstamp (event, icaltime_from_timet_with_zone (time (NULL), 0,
                                                                     icaltimezone_get_utc_timezone ()));
    icalcomponent_set_dtstart (event, icaltime_from_timet_with_zone ((time_t) start, 0, zone));
    icalcomponent_set_dtend (event, icaltime_from_timet_with_zone ((time_t) end, 0, zone));
    icalcomponent_set_summary (event, s_title (m->type));
    if (m->location && *m->location)
        icalcomponent_set_location (event, m->location);
    icalcomponent_set_status (event, cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED);
    icalproperty *organizer = icalproperty_new_organizer (s_mailto (region->organizer_email, arena));
    icalproperty_add_parameter (organizer, icalparameter_new_cn (region->organizer_name));
    icalcomponent_add_property (event, organizer);
    for (size_t i = 0; i < m->n_participants; i++)
        s_attendee (event, m->participants [i], arena);
    icalcomponent_add_component (cal, event);
    char *text = icalcomponent_as_ical_string_r (cal);
    char *out = text ? kw_arena_strdup (arena, text) : NULL;
    free (text);
    icalcomponent_free (cal);
    return out;
}
