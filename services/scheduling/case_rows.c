/*  case_rows: the parameters of the scheduling service's projection
    statements from other services' events, with no database (case_rows.h).
    An id that is not a UUID skips the event; an instant that is not one is
    NULL where the statement takes now (), else the event is skipped. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "kw_time.h"
#include "kw_uuid.h"
#include "case_rows.h"

static int
s_uuid (const char *id)
{
    return id && kw_uuid_valid (id);
}

static const char *
s_instant (const char *value)
{
    return value && kw_time_valid (value) ? value : NULL;
}

int
case_rows_case (const char *case_id)
{
    return s_uuid (case_id) ? 0 : -1;
}

void
case_rows_person (const char *case_id, const char *role, const char *person_id, const char *professional_id,
                  const char *name, const char *email, const char *phone, const char *params [7])
{
    params [0] = case_id;
    params [1] = role;
    params [2] = person_id;
    params [3] = s_uuid (professional_id) ? professional_id : NULL;
    params [4] = name;
    params [5] = email;
    params [6] = phone;
}

void
case_rows_people_add (json_t *people, const char *const params [7])
{
    size_t i;
    json_t *row;
    json_array_foreach (people, i, row)
        if (strcmp (json_string_value (json_object_get (row, "r")), params [1]) == 0
        &&  strcmp (json_string_value (json_object_get (row, "p")), params [2]) == 0)
            return;
    static const char *const keys [] = { "r", "p", "k", "n", "e", "t" };
    row = json_object ();
    for (int k = 0; k < 6; k++)
        json_object_set_new (row, keys [k], params [k + 1] ? json_string (params [k + 1]) : json_null ());
    json_array_append_new (people, row);
}

int
case_rows_cover_window (const Kw__CoverChanged *msg, const char *params [2])
{
    params [0] = s_instant (msg->from);
    params [1] = s_instant (msg->to);
    return params [0] && params [1] ? 0 : -1;
}

//  Minutes of the day of "HH:MM" (0 to 1440), or -1.
static int
s_minutes (const char *text)
{
    int hh, mm;
    if (!text || sscanf (text, "%2d:%2d", &hh, &mm) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59)
        return -1;
    return hh * 60 + mm > 1440 ? -1 : hh * 60 + mm;
}

//  Working hours as 14 minutes "{540,1020,...}" (-1 when not working).
static void
s_hours (const Kw__WorkingHours *h, char *buf, size_t size)
{
    char *const *days [7] = { h->mon, h->tue, h->wed, h->thu, h->fri, h->sat, h->sun };
    size_t counts [7] = { h->n_mon, h->n_tue, h->n_wed, h->n_thu, h->n_fri, h->n_sat, h->n_sun };
    size_t len = (size_t) snprintf (buf, size, "{");
    for (int d = 0; d < 7 && len < size; d++) {
        int from = counts [d] == 2 ? s_minutes (days [d][0]) : -1;
        int to = counts [d] == 2 ? s_minutes (days [d][1]) : -1;
        if (from < 0 || to <= from)
            from = to = -1;
        len += (size_t) snprintf (buf + len, size - len, "%s%d,%d", d ? "," : "", from, to);
    }
    if (len < size)
        snprintf (buf + len, size - len, "}");
}

int
case_rows_professional (const Kw__ProfessionalChanged *msg, char *buf, size_t size, const char *params [7])
{
    const Kw__ProfessionalRecord *p = msg->professional;
    if (!p || !s_uuid (p->id) || !p->region)
        return -1;
    *buf = 0;
    if (p->working_hours)
        s_hours (p->working_hours, buf, size);
    params [0] = p->id;
    params [1] = p->region;
    params [2] = p->name;
    params [3] = p->email;
    params [4] = p->phone;
    params [5] = *buf ? buf : NULL;
    params [6] = p->has_active && !p->active ? "false" : "true";
    return 0;
}

int
case_rows_absence (const Kw__AbsenceChanged *msg, const char *params [5])
{
    const Kw__Absence *a = msg->absence;
    if (!a || !s_uuid (a->id) || !s_uuid (a->professional_id) || !s_instant (a->from) || !s_instant (a->to))
        return -1;
    params [0] = a->id;
    params [1] = a->professional_id;
    params [2] = a->from;
    params [3] = a->to;
    params [4] = a->status && strcmp (a->status, "cancelled") == 0 ? "true" : "false";
    return 0;
}

int
case_rows_referral (const Kw__ReferralReceived *msg, char days [64], char revision [16], const char *params [7])
{
    if (!s_uuid (msg->referral_id) || !msg->region || msg->revision > INT_MAX)
        return -1;
    const Kw__MeetingPreferences *mp = msg->referral ? msg->referral->meeting_preferences : NULL;
    static const char *const names [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    strcpy (days, "{");
    for (size_t i = 0; mp && i < mp->n_days && i < 7; i++)
        for (size_t d = 0; d < 7; d++)
            if (mp->days [i] && strcmp (mp->days [i], names [d]) == 0)
                snprintf (days + strlen (days), 64 - strlen (days), "%s%s", days [1] ? "," : "", names [d]);
    snprintf (days + strlen (days), 64 - strlen (days), "}");
    snprintf (revision, 16, "%u", msg->revision);
    if (msg->revision == 0 && days [1] == '}' && (!mp || (!mp->location && !mp->earliest && !mp->latest)))
        return 1;
    params [0] = msg->referral_id;
    params [1] = msg->region;
    params [2] = mp ? mp->location : NULL;
    params [3] = days;
    params [4] = mp ? mp->earliest : NULL;
    params [5] = mp ? mp->latest : NULL;
    params [6] = revision;
    return 0;
}

int
case_rows_dsr (const Kw__DsrEntryEvent *msg, const char *params [3])
{
    int y, m, d;
    params [0] = msg->case_id;
    params [1] = msg->rag;
    params [2] = msg->rag_effective_date;
    return s_uuid (msg->case_id) && msg->rag && msg->rag_effective_date
        && kw_date_parse (msg->rag_effective_date, &y, &m, &d) == 0 ? 0 : -1;
}
