/*  ics: a meeting's invitation, RFC 5545 and iTIP (RFC 5546), through
    libical: METHOD:REQUEST (METHOD:CANCEL and STATUS:CANCELLED once the
    meeting is cancelled), ORGANIZER (the region's coordinator address),
    one ATTENDEE per participant with an e-mail (ROLE REQ-PARTICIPANT or
    OPT-PARTICIPANT, PARTSTAT from their response, RSVP=TRUE), the UID that
    never changes, the SEQUENCE raised on every change, DTSTART and DTEND
    in the region's zone with its VTIMEZONE (the zone's changes from a year
    before the meeting to two after; TZID is the IANA name). */
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>
#include "scheduling.h"
#include "zone.h"

//  The meetings an invitation can be made for: 1970 to 2199 (the zone's
//  changes are worked out around the meeting).
#define ICS_FIRST 0
#define ICS_LAST 7258118400LL

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

//  The UTC offset (seconds) in force at UTC instant t.
static int
s_offset (const void *zone, int64_t t)
{
    int32_t day;
    int minute, offset;
    zone_local (zone, t, &day, &minute, &offset);
    return offset * 60;
}

//  A local time as an iCalendar DATE-TIME value without a zone.
static icaltimetype
s_local (const void *zone, int64_t t)
{
    int32_t day;
    int minute, offset;
    zone_local (zone, t, &day, &minute, &offset);
    return zone_ical_time (day, minute);
}

static void
s_observance (icalcomponent *vtz, const void *zone, int64_t at, int from, int to)
{
    icalcomponent *obs = to > from ? icalcomponent_new_xdaylight () : icalcomponent_new_xstandard ();
    //  DTSTART is the local time before the change (RFC 5545 3.6.5).
    icalcomponent_add_property (obs, icalproperty_new_dtstart (icaltime_add (s_local (zone, at),
                                                                              icaldurationtype_from_int (from - to))));
    icalcomponent_add_property (obs, icalproperty_new_tzoffsetfrom (from));
    icalcomponent_add_property (obs, icalproperty_new_tzoffsetto (to));
    icalcomponent_add_component (vtz, obs);
}

//  The zone's VTIMEZONE from a year before start to two years after, one
//  observance a change, found by probing the zone day by day and then to
//  the minute (no recurrence rules, which some parsers read wrongly).
static icalcomponent *
s_vtimezone (const char *name, const void *zone, int64_t start)
{
    icalcomponent *vtz = icalcomponent_new_vtimezone ();
    icalcomponent_add_property (vtz, icalproperty_new_tzid (name));
    int64_t from = start - 366 * 86400, to = start + 2 * 366 * 86400;
    int offset = s_offset (zone, from);
    s_observance (vtz, zone, from, offset, offset);
    for (int64_t t = from + 86400; t <= to; t += 86400) {
        int next = s_offset (zone, t);
        if (next == offset)
            continue;
        int64_t lo = t - 86400, hi = t;
        while (hi - lo > 60) {
            int64_t mid = lo + (hi - lo) / 2;
            if (s_offset (zone, mid) == offset)
                lo = mid;
            else
                hi = mid;
        }
        s_observance (vtz, zone, hi, offset, next);
        offset = next;
    }
    return vtz;
}

//  DTSTART or DTEND at t in the zone named.
static icalproperty *
s_when (icalproperty *(*make) (struct icaltimetype), const char *name, const void *zone, int64_t t)
{
    icalproperty *prop = make (s_local (zone, t));
    icalproperty_add_parameter (prop, icalparameter_new_tzid (name));
    return prop;
}

char *
ics_render (const Kw__Meeting *m, const settings_region_t *region, kw_arena_t *arena)
{
    int64_t start, end;
    if (!m->id || !m->uid || zone_parse_instant (m->start, &start) != 0 || zone_parse_instant (m->end, &end) != 0
    ||  start < ICS_FIRST || start > ICS_LAST)
        return NULL;
    const void *zone = region->zone;
    int cancelled = m->status && strcmp (m->status, "cancelled") == 0;
    icalcomponent *cal = icalcomponent_new_vcalendar ();
    icalcomponent_add_property (cal, icalproperty_new_prodid ("-//Key worker service//Scheduling//EN"));
    icalcomponent_add_property (cal, icalproperty_new_version ("2.0"));
    icalcomponent_add_property (cal, icalproperty_new_calscale ("GREGORIAN"));
    icalcomponent_add_property (cal, icalproperty_new_method (cancelled ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent_add_component (cal, s_vtimezone (region->time_zone, zone, start));
    icalcomponent *event = icalcomponent_new_vevent ();
    icalcomponent_set_uid (event, m->uid);
    icalcomponent_set_sequence (event, (int) m->sequence);
    icalcomponent_set_dtstamp (event, icaltime_from_timet_with_zone (time (NULL), 0,
                                                                     icaltimezone_get_utc_timezone ()));
    icalcomponent_add_property (event, s_when (icalproperty_new_dtstart, region->time_zone, zone, start));
    icalcomponent_add_property (event, s_when (icalproperty_new_dtend, region->time_zone, zone, end));
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
