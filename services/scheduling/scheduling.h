/*  scheduling: the scheduling service's modules: cases (the cases it
    schedules for, fed by assignment's events). */
#ifndef SCHEDULING_H
#define SCHEDULING_H

#include "kw_service.h"

//  Register the case statements. 0.
int cases_prepare (kw_db_t *db);
//  Event assignment.case_opened (CaseOpened): record the case.
kw_service_event_fn cases_opened;

#endif
