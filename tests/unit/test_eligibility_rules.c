/*  Unit tests for the eligibility rules, as tables of referrals: the shipped
    norfolk and nhse rule sets (deploy/regions, run from the repository
    root), the testshire fixture that uses every kind of rule, and a small
    rule set written here whose root is an any rule. Each row is decided and
    checked for its outcome, every criterion's tri-state with its parts, the
    exact missing list, criteria that follow the rule tree, details without
    personal values, and a pack / unpack round trip. Then rules_same_result
    and rules_upper_age_dates, also as tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../services/eligibility/region.h"
#include "../../services/eligibility/rules.h"
#include "kw_time.h"
#include "tap.h"

#define E "eligible"
#define I "ineligible"
#define M "more_information_needed"

//  A row's flag: KEEP leaves the table's base value.
typedef enum { KEEP = 0, YES, NO, ABSENT } tri_t;
//  A row's string left absent (NULL keeps the base value).
static const char NONE [] = "(none)";

#define DROP_CHILD 1            //  no child message at all
#define DROP_NEEDS 2            //  no needs message at all

typedef enum { R_NORFOLK, R_NHSE, R_TESTSHIRE, R_INLINE, R_COUNT } region_id_t;

//  A referral, from the table's base row with this row's changes, and
//  what deciding it must give.
typedef struct {
    const char *name;
    const char *outcome;
    const char *states;         //  Y, N or ? a criterion, its parts in brackets
    const char *missing;        //  the missing paths, comma-separated
    const char *date;           //  the decision date
    const char *dob;
    tri_t school, chn, hlon, ld, autism, inpatient;
    const char *gp;
    const char *postcode;
    const char *pros;           //  "name/email/agency;...", an empty part absent
    const char *dsr;
    int drop;
    const char *at;             //  a criterion (or part) whose detail is detail
    const char *detail;
} row_t;

#define PROS3 "Ann Lee/ann@nhs.test/Community Nursing;Bob Ray/bob@council.test/Social Care;" \
              "Cat Dee/cat@school.test/Riverside Academy"
#define PROS2 "Ann Lee/ann@nhs.test/Community Nursing;Bob Ray/bob@council.test/Social Care"

// ---- norfolk: age, gp, need (complex_health_needs, high_level_of_need), professionals

static const row_t NORFOLK_BASE = {
    .date = "2026-11-25", .dob = "2015-03-02", .school = NO, .chn = YES, .hlon = NO,
    .ld = ABSENT, .autism = ABSENT, .inpatient = ABSENT, .gp = "D82001", .postcode = "NR2 4AB",
    .pros = PROS3, .dsr = NONE
};

#define NF_AGE_DETAIL(age, date) "age " #age " at " date ", limit 18, or 19 when child.in_complex_needs_school"

static const row_t NORFOLK [] = {
    { "eligible", E, "Y Y Y(Y N) Y", "", .at = "age", .detail = NF_AGE_DETAIL (11, "2026-11-25") },
    { "eligible: gp detail", E, "Y Y Y(Y N) Y", "", .at = "gp", .detail = "practice code starts with D82" },
    { "eligible: need detail", E, "Y Y Y(Y N) Y", "", .at = "need", .detail = "met: Complex health needs" },
    { "eligible: professionals detail", E, "Y Y Y(Y N) Y", "",
      .at = "professionals", .detail = "3 professionals from 3 agencies" },
    { "eligible: flag detail", E, "Y Y Y(Y N) Y", "",
      .at = "high_level_of_need", .detail = "needs.high_level_of_need is false" },
    //  18 and 19 with the complex needs school on, off and absent
    { "day before 18th birthday, not in school", E, "Y Y Y(Y N) Y", "", .dob = "2008-11-26", .school = NO,
      .at = "age", .detail = NF_AGE_DETAIL (17, "2026-11-25") },
    { "day before 18th birthday, school absent", E, "Y Y Y(Y N) Y", "", .dob = "2008-11-26", .school = ABSENT },
    { "day before 18th birthday, in school", E, "Y Y Y(Y N) Y", "", .dob = "2008-11-26", .school = YES },
    { "18th birthday, in school", E, "Y Y Y(Y N) Y", "", .dob = "2008-11-25", .school = YES,
      .at = "age", .detail = NF_AGE_DETAIL (18, "2026-11-25") },
    { "18th birthday, not in school", I, "N Y Y(Y N) Y", "", .dob = "2008-11-25", .school = NO },
    { "18th birthday, school absent", M, "? Y Y(Y N) Y", "child.in_complex_needs_school",
      .dob = "2008-11-25", .school = ABSENT,
      .at = "age", .detail = NF_AGE_DETAIL (18, "2026-11-25") " (not stated)" },
    { "day after 18th birthday, in school", E, "Y Y Y(Y N) Y", "", .dob = "2008-11-24", .school = YES },
    { "day after 18th birthday, not in school", I, "N Y Y(Y N) Y", "", .dob = "2008-11-24", .school = NO },
    { "day after 18th birthday, school absent", M, "? Y Y(Y N) Y", "child.in_complex_needs_school",
      .dob = "2008-11-24", .school = ABSENT },
    { "day before 19th birthday, in school", E, "Y Y Y(Y N) Y", "", .dob = "2007-11-26", .school = YES },
    { "day before 19th birthday, not in school", I, "N Y Y(Y N) Y", "", .dob = "2007-11-26", .school = NO },
    { "day before 19th birthday, school absent", M, "? Y Y(Y N) Y", "child.in_complex_needs_school",
      .dob = "2007-11-26", .school = ABSENT },
    { "19th birthday, in school", I, "N Y Y(Y N) Y", "", .dob = "2007-11-25", .school = YES,
      .at = "age", .detail = NF_AGE_DETAIL (19, "2026-11-25") },
    { "19th birthday, not in school", I, "N Y Y(Y N) Y", "", .dob = "2007-11-25", .school = NO },
    { "19th birthday, school absent", I, "N Y Y(Y N) Y", "", .dob = "2007-11-25", .school = ABSENT },
    { "day after 19th birthday, in school", I, "N Y Y(Y N) Y", "", .dob = "2007-11-24", .school = YES },
    { "day after 19th birthday, school absent", I, "N Y Y(Y N) Y", "", .dob = "2007-11-24", .school = ABSENT },
    //  the date of birth
    { "no date of birth", M, "? Y Y(Y N) Y", "child.date_of_birth", .dob = NONE,
      .at = "age", .detail = "no date of birth given" },
    { "empty date of birth", M, "? Y Y(Y N) Y", "child.date_of_birth", .dob = "" },
    { "date of birth not a date", M, "? Y Y(Y N) Y", "child.date_of_birth", .dob = "2010-02-30",
      .at = "age", .detail = "date of birth is not a valid date" },
    { "date of birth after the decision date", M, "? Y Y(Y N) Y", "child.date_of_birth", .dob = "2026-11-26",
      .at = "age", .detail = "date of birth is after the decision date" },
    { "born on the decision date", E, "Y Y Y(Y N) Y", "", .dob = "2026-11-25",
      .at = "age", .detail = NF_AGE_DETAIL (0, "2026-11-25") },
    { "no child", M, "? ? Y(Y N) Y", "child.date_of_birth,child.gp_practice", .drop = DROP_CHILD },
    //  29 February birthday: 18 on 1 March in 2026, a leap day decision in 2024
    { "29 Feb birthday, on 28 Feb of a non-leap year", E, "Y Y Y(Y N) Y", "",
      .date = "2026-02-28", .dob = "2008-02-29", .at = "age", .detail = NF_AGE_DETAIL (17, "2026-02-28") },
    { "29 Feb birthday, on 1 Mar of a non-leap year", I, "N Y Y(Y N) Y", "",
      .date = "2026-03-01", .dob = "2008-02-29", .at = "age", .detail = NF_AGE_DETAIL (18, "2026-03-01") },
    { "29 Feb birthday, on 29 Feb of a leap year", E, "Y Y Y(Y N) Y", "",
      .date = "2024-02-29", .dob = "2008-02-29", .at = "age", .detail = NF_AGE_DETAIL (16, "2024-02-29") },
    //  the GP practice
    { "gp lower case", E, "Y Y Y(Y N) Y", "", .gp = "d82001" },
    { "gp space padded", E, "Y Y Y(Y N) Y", "", .gp = "  D82123  " },
    { "gp lower case and padded", E, "Y Y Y(Y N) Y", "", .gp = "\td82999 " },
    { "gp out of region", I, "Y N Y(Y N) Y", "", .gp = "A81001",
      .at = "gp", .detail = "practice code does not start with D82" },
    { "gp with the prefix inside", I, "Y N Y(Y N) Y", "", .gp = "A1D82" },
    { "gp absent", M, "Y ? Y(Y N) Y", "child.gp_practice", .gp = NONE,
      .at = "gp", .detail = "no GP practice given" },
    { "gp blank", M, "Y ? Y(Y N) Y", "child.gp_practice", .gp = "   " },
    //  complex health needs x high level of need
    { "both needs", E, "Y Y Y(Y Y) Y", "", .chn = YES, .hlon = YES,
      .at = "need", .detail = "met: Complex health needs; A high level of need" },
    { "complex needs, high level absent", E, "Y Y Y(Y ?) Y", "", .chn = YES, .hlon = ABSENT },
    { "high level only", E, "Y Y Y(N Y) Y", "", .chn = NO, .hlon = YES,
      .at = "need", .detail = "met: A high level of need" },
    { "neither need", I, "Y Y N(N N) Y", "", .chn = NO, .hlon = NO, .at = "need", .detail = "none met" },
    { "no complex needs, high level absent", M, "Y Y ?(N ?) Y", "needs.high_level_of_need",
      .chn = NO, .hlon = ABSENT, .at = "need", .detail = "not known: missing needs.high_level_of_need" },
    { "complex needs absent, high level", E, "Y Y Y(? Y) Y", "", .chn = ABSENT, .hlon = YES },
    { "complex needs absent, no high level", M, "Y Y ?(? N) Y", "needs.complex_health_needs",
      .chn = ABSENT, .hlon = NO, .at = "complex_health_needs", .detail = "needs.complex_health_needs not stated" },
    { "both needs absent", M, "Y Y ?(? ?) Y", "needs.complex_health_needs,needs.high_level_of_need",
      .chn = ABSENT, .hlon = ABSENT,
      .at = "need", .detail = "not known: missing needs.complex_health_needs, needs.high_level_of_need" },
    { "no needs", M, "Y Y ?(? ?) Y", "needs.complex_health_needs,needs.high_level_of_need", .drop = DROP_NEEDS },
    //  professionals and agencies
    { "2 professionals from 2 agencies", I, "Y Y Y(Y N) N", "", .pros = PROS2,
      .at = "professionals", .detail = "2 professionals from 2 agencies; need 3 from 2" },
    { "3 professionals from 1 agency", I, "Y Y Y(Y N) N", "",
      .pros = "Ann Lee//Social Care;Bob Ray//social care ;Cat Dee// SOCIAL CARE",
      .at = "professionals", .detail = "3 professionals from 1 agency; need 3 from 2" },
    { "3 professionals from 2 agencies", E, "Y Y Y(Y N) Y", "",
      .pros = "Ann Lee//Social Care;Bob Ray//Community Nursing;Cat Dee//social care",
      .at = "professionals", .detail = "3 professionals from 2 agencies" },
    { "4 entries, 3 people by e-mail", E, "Y Y Y(Y N) Y", "",
      .pros = "Ann Lee/ann@nhs.test/Social Care;A Lee/ANN@NHS.TEST /Community Nursing;"
              "Bob Ray/bob@nhs.test/Community Nursing;Cat Dee/cat@nhs.test/Social Care",
      .at = "professionals", .detail = "3 professionals from 2 agencies" },
    { "duplicate by e-mail leaves 2", I, "Y Y Y(Y N) N", "",
      .pros = "Ann Lee/ann@nhs.test/Social Care;A Lee/Ann@nhs.test/Community Nursing;Bob Ray/bob@nhs.test/Social Care",
      .at = "professionals", .detail = "2 professionals from 1 agency; need 3 from 2" },
    { "duplicate by name leaves 2", I, "Y Y Y(Y N) N", "",
      .pros = "Ann Lee//Social Care;  ann lee //Community Nursing;Bob Ray//Community Nursing" },
    { "same name, other e-mails are 3", E, "Y Y Y(Y N) Y", "",
      .pros = "Ann Lee/ann1@nhs.test/Social Care;Ann Lee/ann2@nhs.test/Community Nursing;Bob Ray//Social Care" },
    { "missing agency could decide", M, "Y Y Y(Y N) ?", "professionals[1].agency",
      .pros = "Ann Lee//Social Care;Bob Ray//;Cat Dee//Social Care",
      .at = "professionals", .detail = "3 professionals from 1 agency, 1 without an agency; need 3 from 2" },
    { "blank agencies could decide", M, "Y Y Y(Y N) ?", "professionals[0].agency,professionals[2].agency",
      .pros = "Ann Lee// ;Bob Ray//Social Care;Cat Dee//" },
    { "missing agency cannot change a met", E, "Y Y Y(Y N) Y", "",
      .pros = "Ann Lee//Social Care;Bob Ray//Community Nursing;Cat Dee//" },
    { "missing agency cannot help 2 people", I, "Y Y Y(Y N) N", "", .pros = "Ann Lee//Social Care;Bob Ray//" },
    { "agency on the duplicate entry counts", E, "Y Y Y(Y N) Y", "",
      .pros = "Ann Lee/ann@nhs.test/;Ann Lee/ann@nhs.test/Community Nursing;Bob Ray//Social Care;Cat Dee//Social Care" },
    { "missing agency of a duplicate names the first entry", M, "Y Y Y(Y N) ?", "professionals[0].agency",
      .pros = "Ann Lee/ann@nhs.test/;Ann Lee/ann@nhs.test/;Bob Ray//Social Care;Cat Dee//Social Care" },
    { "entry without name or e-mail is no one", I, "Y Y Y(Y N) N", "",
      .pros = "//Community Nursing;Ann Lee//Social Care;Bob Ray//Community Nursing" },
    { "no professionals", M, "Y Y Y(Y N) ?", "professionals", .pros = NONE,
      .at = "professionals", .detail = "no professionals given" },
    //  several unknowns: the missing list in tree order; a not met decides
    { "everything unknown", M, "? ? ?(? ?) ?",
      "child.in_complex_needs_school,child.gp_practice,needs.complex_health_needs,needs.high_level_of_need,professionals",
      .dob = "2008-11-25", .school = ABSENT, .gp = NONE, .chn = ABSENT, .hlon = ABSENT, .pros = NONE },
    { "unknowns and one not met", I, "? ? ?(? ?) N", "",
      .dob = "2008-11-25", .school = ABSENT, .gp = NONE, .chn = ABSENT, .hlon = ABSENT, .pros = PROS2 },
    { "unknowns and a gp out of region", I, "? N ?(? ?) ?", "",
      .dob = NONE, .gp = "A81001", .drop = DROP_NEEDS, .pros = NONE },
    { "nhse fields are ignored", E, "Y Y Y(Y N) Y", "", .ld = NO, .autism = NO, .inpatient = NO, .dsr = "green" },
};

// ---- nhse: age, ld_or_autism (learning_disability, autism), risk (inpatient, dsr_rating)

static const row_t NHSE_BASE = {
    .date = "2026-11-25", .dob = "2010-06-15", .school = ABSENT, .chn = ABSENT, .hlon = ABSENT,
    .ld = YES, .autism = NO, .inpatient = YES, .gp = NONE, .postcode = NONE, .pros = NONE, .dsr = NONE
};

static const row_t NHSE [] = {
    { "eligible", E, "Y Y(Y N) Y(Y N)", "", .at = "age", .detail = "age 16 at 2026-11-25, limit 25" },
    { "eligible: risk detail", E, "Y Y(Y N) Y(Y N)", "",
      .at = "risk", .detail = "met: An inpatient in a mental health hospital" },
    { "eligible: dsr detail", E, "Y Y(Y N) Y(Y N)", "", .at = "dsr_rating", .detail = "not on the DSR" },
    //  25
    { "day before 25th birthday", E, "Y Y(Y N) Y(Y N)", "", .dob = "2001-11-26",
      .at = "age", .detail = "age 24 at 2026-11-25, limit 25" },
    { "25th birthday", I, "N Y(Y N) Y(Y N)", "", .dob = "2001-11-25",
      .at = "age", .detail = "age 25 at 2026-11-25, limit 25" },
    { "day after 25th birthday", I, "N Y(Y N) Y(Y N)", "", .dob = "2001-11-24" },
    { "25th birthday, a school does not extend", I, "N Y(Y N) Y(Y N)", "", .dob = "2001-11-25", .school = YES },
    { "18th birthday, school absent", E, "Y Y(Y N) Y(Y N)", "", .dob = "2008-11-25" },
    { "no date of birth", M, "? Y(Y N) Y(Y N)", "child.date_of_birth", .dob = NONE },
    { "date of birth not a date", M, "? Y(Y N) Y(Y N)", "child.date_of_birth", .dob = "25/06/2010" },
    { "date of birth after the decision date", M, "? Y(Y N) Y(Y N)", "child.date_of_birth", .dob = "2027-01-01" },
    { "no child", M, "? Y(Y N) Y(Y N)", "child.date_of_birth", .drop = DROP_CHILD },
    //  29 February birthday
    { "29 Feb birthday, 28 Feb of a non-leap year", E, "Y Y(Y N) Y(Y N)", "",
      .date = "2029-02-28", .dob = "2004-02-29", .at = "age", .detail = "age 24 at 2029-02-28, limit 25" },
    { "29 Feb birthday, 1 Mar of a non-leap year", I, "N Y(Y N) Y(Y N)", "",
      .date = "2029-03-01", .dob = "2004-02-29", .at = "age", .detail = "age 25 at 2029-03-01, limit 25" },
    { "29 Feb birthday, 29 Feb of a leap year", E, "Y Y(Y N) Y(Y N)", "",
      .date = "2028-02-29", .dob = "2004-02-29", .at = "age", .detail = "age 24 at 2028-02-29, limit 25" },
    { "29 Feb birthday, 28 Feb of a leap year", E, "Y Y(Y N) Y(Y N)", "",
      .date = "2028-02-28", .dob = "2004-02-29", .at = "age", .detail = "age 23 at 2028-02-28, limit 25" },
    //  learning disability x autism
    { "both", E, "Y Y(Y Y) Y(Y N)", "", .ld = YES, .autism = YES,
      .at = "ld_or_autism", .detail = "met: A learning disability; Autism" },
    { "ld, autism absent", E, "Y Y(Y ?) Y(Y N)", "", .ld = YES, .autism = ABSENT },
    { "autism only", E, "Y Y(N Y) Y(Y N)", "", .ld = NO, .autism = YES },
    { "neither", I, "Y N(N N) Y(Y N)", "", .ld = NO, .autism = NO, .at = "ld_or_autism", .detail = "none met" },
    { "no ld, autism absent", M, "Y ?(N ?) Y(Y N)", "needs.autism", .ld = NO, .autism = ABSENT },
    { "ld absent, autism", E, "Y Y(? Y) Y(Y N)", "", .ld = ABSENT, .autism = YES },
    { "ld absent, no autism", M, "Y ?(? N) Y(Y N)", "needs.learning_disability", .ld = ABSENT, .autism = NO },
    { "both absent", M, "Y ?(? ?) Y(Y N)", "needs.learning_disability,needs.autism", .ld = ABSENT, .autism = ABSENT,
      .at = "ld_or_autism", .detail = "not known: missing needs.learning_disability, needs.autism" },
    //  inpatient x DSR rating
    { "inpatient, red", E, "Y Y(Y N) Y(Y Y)", "", .inpatient = YES, .dsr = "red" },
    { "inpatient, amber", E, "Y Y(Y N) Y(Y Y)", "", .inpatient = YES, .dsr = "amber" },
    { "inpatient, green", E, "Y Y(Y N) Y(Y N)", "", .inpatient = YES, .dsr = "green" },
    { "inpatient, blue", E, "Y Y(Y N) Y(Y Y)", "", .inpatient = YES, .dsr = "blue" },
    { "inpatient, not on the DSR", E, "Y Y(Y N) Y(Y N)", "", .inpatient = YES, .dsr = NONE },
    { "not inpatient, red", E, "Y Y(Y N) Y(N Y)", "", .inpatient = NO, .dsr = "red",
      .at = "dsr_rating", .detail = "on the DSR rated red" },
    { "not inpatient, amber", E, "Y Y(Y N) Y(N Y)", "", .inpatient = NO, .dsr = "amber",
      .at = "risk", .detail = "met: On the Dynamic Support Register rated red, amber or blue" },
    { "not inpatient, green", I, "Y Y(Y N) N(N N)", "", .inpatient = NO, .dsr = "green",
      .at = "dsr_rating", .detail = "on the DSR, not rated red, amber or blue" },
    { "not inpatient, blue", E, "Y Y(Y N) Y(N Y)", "", .inpatient = NO, .dsr = "blue" },
    { "not inpatient, not on the DSR", I, "Y Y(Y N) N(N N)", "", .inpatient = NO, .dsr = NONE,
      .at = "risk", .detail = "none met" },
    { "inpatient absent, red", E, "Y Y(Y N) Y(? Y)", "", .inpatient = ABSENT, .dsr = "red" },
    { "inpatient absent, amber", E, "Y Y(Y N) Y(? Y)", "", .inpatient = ABSENT, .dsr = "amber" },
    { "inpatient absent, green", M, "Y Y(Y N) ?(? N)", "needs.inpatient", .inpatient = ABSENT, .dsr = "green",
      .at = "risk", .detail = "not known: missing needs.inpatient" },
    { "inpatient absent, blue", E, "Y Y(Y N) Y(? Y)", "", .inpatient = ABSENT, .dsr = "blue" },
    { "inpatient absent, not on the DSR", M, "Y Y(Y N) ?(? N)", "needs.inpatient", .inpatient = ABSENT },
    //  several unknowns
    { "no needs, not on the DSR", M, "Y ?(? ?) ?(? N)",
      "needs.learning_disability,needs.autism,needs.inpatient", .drop = DROP_NEEDS },
    { "no needs, rated red", M, "Y ?(? ?) Y(? Y)", "needs.learning_disability,needs.autism",
      .drop = DROP_NEEDS, .dsr = "red" },
    { "everything unknown", M, "? ?(? ?) ?(? N)",
      "child.date_of_birth,needs.learning_disability,needs.autism,needs.inpatient",
      .dob = NONE, .ld = ABSENT, .autism = ABSENT, .inpatient = ABSENT },
    { "unknowns and too old", I, "N ?(? ?) ?(? N)", "",
      .dob = "2001-11-25", .ld = ABSENT, .autism = ABSENT, .inpatient = ABSENT },
    { "norfolk fields are ignored", E, "Y Y(Y N) Y(Y N)", "",
      .gp = "A81001", .chn = NO, .hlon = NO, .pros = "Ann Lee//" },
};

// ---- testshire: age (16, 17 in school), place (gp, postcode), need (4 flags),
//      not_inpatient (inpatient), professionals (2 from 2), not_green (green)

static const row_t TESTSHIRE_BASE = {
    .date = "2026-11-25", .dob = "2015-03-02", .school = NO, .chn = NO, .hlon = NO, .ld = NO,
    .autism = YES, .inpatient = NO, .gp = "T12345", .postcode = "TE1 1AA", .pros = PROS2, .dsr = NONE
};

#define TS_OK "Y Y(Y Y) Y(N N N Y) Y(N) Y Y(N)"

static const row_t TESTSHIRE [] = {
    { "eligible", E, TS_OK, "", .at = "not_inpatient", .detail = "not met: An inpatient" },
    { "eligible: place detail", E, TS_OK, "", .at = "place", .detail = "met: A Testshire GP practice; Lives in Testshire" },
    { "eligible: not green detail", E, TS_OK, "", .at = "not_green", .detail = "not met: Rated green on the DSR" },
    { "eligible: postcode detail", E, TS_OK, "", .at = "postcode", .detail = "postcode district is in the region" },
    //  postcode
    { "postcode in, gp absent", E, "Y Y(? Y) Y(N N N Y) Y(N) Y Y(N)", "", .gp = NONE },
    { "postcode lower case", E, "Y Y(? Y) Y(N N N Y) Y(N) Y Y(N)", "", .gp = NONE, .postcode = "te1 1aa" },
    { "postcode padded", E, "Y Y(? Y) Y(N N N Y) Y(N) Y Y(N)", "", .gp = NONE, .postcode = "  te12 3ab " },
    { "postcode without a space", E, "Y Y(? Y) Y(N N N Y) Y(N) Y Y(N)", "", .gp = NONE, .postcode = "TE11AA" },
    { "longer district without a space", E, "Y Y(? Y) Y(N N N Y) Y(N) Y Y(N)", "",
      .gp = NONE, .postcode = "te123ab" },
    { "short district without a space", E, "Y Y(? Y) Y(N N N Y) Y(N) Y Y(N)", "", .gp = NONE, .postcode = "T91AB" },
    { "district that only starts like one", M, "Y ?(? N) Y(N N N Y) Y(N) Y Y(N)", "child.gp_practice",
      .gp = NONE, .postcode = "TE13 1AA", .at = "postcode", .detail = "postcode district is not in the region" },
    { "postcode out, gp absent", M, "Y ?(? N) Y(N N N Y) Y(N) Y Y(N)", "child.gp_practice",
      .gp = NONE, .postcode = "NR2 4AB", .at = "place", .detail = "not known: missing child.gp_practice" },
    { "postcode out, gp out", I, "Y N(N N) Y(N N N Y) Y(N) Y Y(N)", "",
      .gp = "D82001", .postcode = "NR2 4AB", .at = "place", .detail = "none met" },
    { "postcode absent, gp out", M, "Y ?(N ?) Y(N N N Y) Y(N) Y Y(N)", "child.postcode",
      .gp = "D82001", .postcode = NONE, .at = "postcode", .detail = "no postcode given" },
    { "postcode absent, gp in", E, "Y Y(Y ?) Y(N N N Y) Y(N) Y Y(N)", "", .gp = "t11 9", .postcode = NONE,
      .at = "gp", .detail = "practice code starts with T11" },
    { "postcode and gp absent", M, "Y ?(? ?) Y(N N N Y) Y(N) Y Y(N)", "child.gp_practice,child.postcode",
      .gp = NONE, .postcode = NONE },
    { "postcode in, gp out", E, "Y Y(N Y) Y(N N N Y) Y(N) Y Y(N)", "", .gp = "D82001",
      .at = "gp", .detail = "practice code does not start with T11 or T12" },
    //  not: inverted tri-state
    { "inpatient", I, "Y Y(Y Y) Y(N N N Y) N(Y) Y Y(N)", "", .inpatient = YES,
      .at = "not_inpatient", .detail = "met: An inpatient" },
    { "inpatient absent", M, "Y Y(Y Y) Y(N N N Y) ?(?) Y Y(N)", "needs.inpatient", .inpatient = ABSENT,
      .at = "not_inpatient", .detail = "not known: missing needs.inpatient" },
    { "inpatient absent and rated green", I, "Y Y(Y Y) Y(N N N Y) ?(?) Y N(Y)", "",
      .inpatient = ABSENT, .dsr = "green" },
    //  any over four flags
    { "no need", I, "Y Y(Y Y) N(N N N N) Y(N) Y Y(N)", "", .autism = NO },
    { "complex health needs only", E, "Y Y(Y Y) Y(Y N N N) Y(N) Y Y(N)", "", .chn = YES, .autism = NO },
    { "high level of need only", E, "Y Y(Y Y) Y(N Y N N) Y(N) Y Y(N)", "", .hlon = YES, .autism = NO },
    { "learning disability only", E, "Y Y(Y Y) Y(N N Y N) Y(N) Y Y(N)", "", .ld = YES, .autism = NO },
    { "autism and learning disability", E, "Y Y(Y Y) Y(N N Y Y) Y(N) Y Y(N)", "", .ld = YES,
      .at = "need", .detail = "met: A learning disability; Autism" },
    { "four needs absent", M, "Y Y(Y Y) ?(? ? ? ?) Y(N) Y Y(N)",
      "needs.complex_health_needs,needs.high_level_of_need,needs.learning_disability,needs.autism",
      .chn = ABSENT, .hlon = ABSENT, .ld = ABSENT, .autism = ABSENT },
    { "three absent, no autism", M, "Y Y(Y Y) ?(? ? ? N) Y(N) Y Y(N)",
      "needs.complex_health_needs,needs.high_level_of_need,needs.learning_disability",
      .chn = ABSENT, .hlon = ABSENT, .ld = ABSENT, .autism = NO },
    { "one met, three absent", E, "Y Y(Y Y) Y(? Y ? ?) Y(N) Y Y(N)", "",
      .chn = ABSENT, .hlon = YES, .ld = ABSENT, .autism = ABSENT },
    { "no needs at all", M, "Y Y(Y Y) ?(? ? ? ?) ?(?) Y Y(N)",
      "needs.complex_health_needs,needs.high_level_of_need,needs.learning_disability,needs.autism,needs.inpatient",
      .drop = DROP_NEEDS },
    //  DSR: not green
    { "rated green", I, "Y Y(Y Y) Y(N N N Y) Y(N) Y N(Y)", "", .dsr = "green",
      .at = "not_green", .detail = "met: Rated green on the DSR" },
    { "rated red", E, TS_OK, "", .dsr = "red", .at = "green", .detail = "on the DSR, not rated green" },
    { "rated amber", E, TS_OK, "", .dsr = "amber" },
    { "rated blue", E, TS_OK, "", .dsr = "blue" },
    //  age 16, or 17 in a complex needs school
    { "day before 16th birthday", E, TS_OK, "", .dob = "2010-11-26", .school = ABSENT },
    { "16th birthday, in school", E, TS_OK, "", .dob = "2010-11-25", .school = YES,
      .at = "age", .detail = "age 16 at 2026-11-25, limit 16, or 17 when child.in_complex_needs_school" },
    { "16th birthday, not in school", I, "N Y(Y Y) Y(N N N Y) Y(N) Y Y(N)", "", .dob = "2010-11-25", .school = NO },
    { "16th birthday, school absent", M, "? Y(Y Y) Y(N N N Y) Y(N) Y Y(N)", "child.in_complex_needs_school",
      .dob = "2010-11-25", .school = ABSENT },
    { "day after 16th birthday, in school", E, TS_OK, "", .dob = "2010-11-24", .school = YES },
    { "day before 17th birthday, in school", E, TS_OK, "", .dob = "2009-11-26", .school = YES },
    { "day before 17th birthday, school absent", M, "? Y(Y Y) Y(N N N Y) Y(N) Y Y(N)",
      "child.in_complex_needs_school", .dob = "2009-11-26", .school = ABSENT },
    { "17th birthday, in school", I, "N Y(Y Y) Y(N N N Y) Y(N) Y Y(N)", "", .dob = "2009-11-25", .school = YES },
    { "29 Feb birthday, day before 16 in a leap year", E, TS_OK, "", .date = "2028-02-28", .dob = "2012-02-29" },
    { "29 Feb birthday, 16 on 29 Feb", I, "N Y(Y Y) Y(N N N Y) Y(N) Y Y(N)", "",
      .date = "2028-02-29", .dob = "2012-02-29" },
    { "29 Feb birthday, 16 on 29 Feb, in school", E, TS_OK, "",
      .date = "2028-02-29", .dob = "2012-02-29", .school = YES },
    //  2 from 2
    { "2 professionals, one agency missing", M, "Y Y(Y Y) Y(N N N Y) Y(N) ? Y(N)", "professionals[1].agency",
      .pros = "Ann Lee//Social Care;Bob Ray//" },
    { "2 professionals, one agency", I, "Y Y(Y Y) Y(N N N Y) Y(N) N Y(N)", "",
      .pros = "Ann Lee//Social Care;Bob Ray//Social Care",
      .at = "professionals", .detail = "2 professionals from 1 agency; need 2 from 2" },
    { "1 professional", I, "Y Y(Y Y) Y(N N N Y) Y(N) N Y(N)", "", .pros = "Ann Lee//Social Care" },
};

// ---- inline: the root is an any rule, whose two parts miss the same field

static const char INLINE_JSON [] =
    "{\"id\": \"inline\", \"name\": \"Inline\", \"time_zone\": \"Europe/London\","
    " \"upper_age\": {\"years\": 18}, \"transition\": {\"notice_days\": 0},"
    " \"ruleset\": {\"id\": \"inline\", \"version\": 2, \"rule\": {\"id\": \"either\","
    "  \"description\": \"Young, or autistic\", \"any\": ["
    "   {\"id\": \"young\", \"description\": \"Under 18, or 19 with autism\", \"criterion\": \"age_under\","
    "    \"years\": 18, \"extended_years\": 19, \"extended_when\": \"needs.autism\"},"
    "   {\"id\": \"autistic\", \"description\": \"Autism\", \"criterion\": \"flag\", \"field\": \"needs.autism\"}]}}}";

static const row_t INLINE_BASE = {
    .date = "2026-11-25", .dob = "2015-03-02", .school = ABSENT, .chn = ABSENT, .hlon = ABSENT,
    .ld = ABSENT, .autism = NO, .inpatient = ABSENT, .gp = NONE, .postcode = NONE, .pros = NONE, .dsr = NONE
};

static const row_t INLINE [] = {
    { "young", E, "Y(Y N)", "", .at = "either", .detail = "met: Under 18, or 19 with autism" },
    { "18, autism absent: one missing path", M, "?(? ?)", "needs.autism", .dob = "2008-11-25", .autism = ABSENT,
      .at = "either", .detail = "not known: missing needs.autism" },
    { "18 with autism", E, "Y(Y Y)", "", .dob = "2008-11-25", .autism = YES },
    { "19, no autism", I, "N(N N)", "", .dob = "2007-11-25", .at = "either", .detail = "none met" },
    { "19, autism absent", M, "?(N ?)", "needs.autism", .dob = "2007-11-25", .autism = ABSENT },
    { "no date of birth, autism", E, "Y(? Y)", "", .dob = NONE, .autism = YES },
};

// ---- the fixture: a referral built from a base row and a row

#define MAX_PROS 8

typedef struct {
    Kw__ReferralBody body;
    Kw__Child child;
    Kw__Needs needs;
    Kw__Professional pros [MAX_PROS];
    Kw__Professional *list [MAX_PROS];
    char text [512];
    const char *date;
    const char *dsr;
} fixture_t;

static void
s_string (char **field, const char *value)
{
    if (value)
        *field = value == NONE ? NULL : (char *) value;
}

static void
s_tri (protobuf_c_boolean *has, protobuf_c_boolean *value, tri_t tri)
{
    if (tri != KEEP) {
        *has = tri != ABSENT;
        *value = tri == YES;
    }
}

//  The professionals of spec ("name/email/agency;...").
static void
s_professionals (fixture_t *f, const char *spec)
{
    f->body.n_professionals = 0;
    if (spec == NONE)
        return;
    snprintf (f->text, sizeof f->text, "%s", spec);
    char *rest = f->text;
    char *entry;
    while ((entry = strsep (&rest, ";")) != NULL && f->body.n_professionals < MAX_PROS) {
        Kw__Professional *p = &f->pros [f->body.n_professionals++];
        char *name = strsep (&entry, "/");
        char *email = strsep (&entry, "/");
        char *agency = entry;
        p->name = name && *name ? name : NULL;
        p->email = email && *email ? email : NULL;
        p->agency = agency && *agency ? agency : NULL;
    }
}

static void
s_apply (fixture_t *f, const row_t *row)
{
    if (row->date)
        f->date = row->date;
    s_string (&f->child.date_of_birth, row->dob);
    s_string (&f->child.gp_practice, row->gp);
    s_string (&f->child.postcode, row->postcode);
    s_tri (&f->child.has_in_complex_needs_school, &f->child.in_complex_needs_school, row->school);
    s_tri (&f->needs.has_complex_health_needs, &f->needs.complex_health_needs, row->chn);
    s_tri (&f->needs.has_high_level_of_need, &f->needs.high_level_of_need, row->hlon);
    s_tri (&f->needs.has_learning_disability, &f->needs.learning_disability, row->ld);
    s_tri (&f->needs.has_autism, &f->needs.autism, row->autism);
    s_tri (&f->needs.has_inpatient, &f->needs.inpatient, row->inpatient);
    if (row->pros)
        s_professionals (f, row->pros);
    if (row->dsr)
        f->dsr = row->dsr == NONE ? NULL : row->dsr;
    if (row->drop & DROP_CHILD)
        f->body.child = NULL;
    if (row->drop & DROP_NEEDS)
        f->body.needs = NULL;
}

static void
s_fixture (fixture_t *f, const row_t *base, const row_t *row)
{
    memset (f, 0, sizeof *f);
    kw__referral_body__init (&f->body);
    kw__child__init (&f->child);
    kw__needs__init (&f->needs);
    for (size_t i = 0; i < MAX_PROS; i++) {
        kw__professional__init (&f->pros [i]);
        f->list [i] = &f->pros [i];
    }
    f->body.child = &f->child;
    f->body.needs = &f->needs;
    f->body.professionals = f->list;
    s_apply (f, base);
    s_apply (f, row);
}

static Kw__EligibilityDecision *
s_decide (const region_t *region, const fixture_t *f, kw_arena_t *arena)
{
    int y = 0, m = 0, d = 0;
    if (kw_date_parse (f->date, &y, &m, &d) != 0)
        tap_diag ("bad decision date in a row: %s", f->date);
    return rules_decide (region, &f->body, f->dsr, y, m, d, arena);
}

// ---- what a decision shows

static const char *
s_outcome (const Kw__EligibilityDecision *decision)
{
    const char *name = decision->has_outcome ? rules_outcome_name (decision->outcome) : NULL;
    return name ? name : "(none)";
}

//  Y, N or ? a criterion, its parts in brackets, into buf at *used.
static void
s_states (char *buf, size_t size, size_t *used, Kw__Criterion *const *c, size_t n)
{
    for (size_t i = 0; i < n && *used < size; i++) {
        char state = c [i]->has_met ? (c [i]->met ? 'Y' : 'N') : '?';
        *used += (size_t) snprintf (buf + *used, size - *used, "%s%c%s", i ? " " : "", state,
                                    c [i]->n_parts ? "(" : "");
        if (c [i]->n_parts && *used < size) {
            s_states (buf, size, used, c [i]->parts, c [i]->n_parts);
            if (*used < size)
                *used += (size_t) snprintf (buf + *used, size - *used, ")");
        }
    }
}

static const char *
s_states_text (const Kw__EligibilityDecision *decision, char *buf, size_t size)
{
    size_t used = 0;
    buf [0] = '\0';
    s_states (buf, size, &used, decision->criteria, decision->n_criteria);
    return buf;
}

static const char *
s_missing_text (const Kw__EligibilityDecision *decision, char *buf, size_t size)
{
    size_t used = 0;
    buf [0] = '\0';
    for (size_t i = 0; i < decision->n_missing && used < size; i++)
        used += (size_t) snprintf (buf + used, size - used, "%s%s", i ? "," : "", decision->missing [i]);
    return buf;
}

//  The criterion with this id at any depth, or NULL.
static const Kw__Criterion *
s_find (Kw__Criterion *const *c, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp (c [i]->id, id) == 0)
            return c [i];
        const Kw__Criterion *found = s_find (c [i]->parts, c [i]->n_parts, id);
        if (found)
            return found;
    }
    return NULL;
}

//  c has rule's id and description, and its parts follow rule's rules.
static int
s_follows (const rule_t *rule, const Kw__Criterion *c)
{
    int combines = rule->kind == RULE_ALL || rule->kind == RULE_ANY || rule->kind == RULE_NOT;
    if (strcmp (c->id, rule->id) != 0 || strcmp (c->description, rule->description) != 0
    ||  c->n_parts != (combines ? rule->child_count : 0))
        return 0;
    for (size_t i = 0; i < c->n_parts; i++)
        if (!s_follows (rule->children [i], c->parts [i]))
            return 0;
    return 1;
}

static int
s_follows_ruleset (const region_t *region, const Kw__EligibilityDecision *decision)
{
    const rule_t *root = region->ruleset.rule;
    if (root->kind != RULE_ALL)
        return decision->n_criteria == 1 && s_follows (root, decision->criteria [0]);
    if (decision->n_criteria != root->child_count)
        return 0;
    for (size_t i = 0; i < root->child_count; i++)
        if (!s_follows (root->children [i], decision->criteria [i]))
            return 0;
    return 1;
}

#define MAX_PERSONAL 32

//  The referral's own values a detail must not show: trimmed, 4 characters
//  or more, and not the decision date itself (a child born that day).
static size_t
s_personal (const fixture_t *f, const char *values [MAX_PERSONAL], char store [MAX_PERSONAL][64])
{
    const char *raw [MAX_PERSONAL];
    size_t n_raw = 0;
    raw [n_raw++] = f->child.date_of_birth;
    raw [n_raw++] = f->child.gp_practice;
    raw [n_raw++] = f->child.postcode;
    for (size_t i = 0; i < f->body.n_professionals && n_raw + 3 <= MAX_PERSONAL; i++) {
        raw [n_raw++] = f->pros [i].name;
        raw [n_raw++] = f->pros [i].email;
        raw [n_raw++] = f->pros [i].agency;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_raw; i++) {
        const char *s = raw [i];
        if (!s)
            continue;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t len = strlen (s);
        while (len && (s [len - 1] == ' ' || s [len - 1] == '\t'))
            len--;
        if (len < 4 || len >= 64 || (len == strlen (f->date) && strncmp (s, f->date, len) == 0))
            continue;
        memcpy (store [n], s, len);
        store [n][len] = '\0';
        values [n] = store [n];
        n++;
    }
    return n;
}

//  Every detail is there and shows none of values.
static int
s_clean (Kw__Criterion *const *c, size_t n, const char *const *values, size_t n_values)
{
    for (size_t i = 0; i < n; i++) {
        if (!c [i]->detail || !*c [i]->detail)
            return 0;
        for (size_t j = 0; j < n_values; j++)
            if (strcasestr (c [i]->detail, values [j])) {
                tap_diag ("detail of %s shows \"%s\": %s", c [i]->id, values [j], c [i]->detail);
                return 0;
            }
        if (!s_clean (c [i]->parts, c [i]->n_parts, values, n_values))
            return 0;
    }
    return 1;
}

//  Packed as the service stores it and unpacked, the same result.
static int
s_round_trip (const Kw__EligibilityDecision *decision, kw_arena_t *arena)
{
    size_t size = kw__eligibility_decision__get_packed_size (decision);
    uint8_t *packed = kw_arena_alloc (arena, size ? size : 1);
    if (kw__eligibility_decision__pack (decision, packed) != size)
        return 0;
    Kw__EligibilityDecision *back = kw__eligibility_decision__unpack (kw_arena_allocator (arena), size, packed);
    return back && rules_same_result (decision, back) && back->n_criteria == decision->n_criteria;
}

// ---- the tables

typedef struct {
    const char *name;
    region_id_t region;
    const row_t *base;
    const row_t *rows;
    size_t count;
} table_t;

#define TABLE(name, region, base, rows) { name, region, &base, rows, sizeof rows / sizeof rows [0] }

static const table_t TABLES [] = {
    TABLE ("norfolk", R_NORFOLK, NORFOLK_BASE, NORFOLK),
    TABLE ("nhse", R_NHSE, NHSE_BASE, NHSE),
    TABLE ("testshire", R_TESTSHIRE, TESTSHIRE_BASE, TESTSHIRE),
    TABLE ("inline", R_INLINE, INLINE_BASE, INLINE),
};

static const region_t *s_regions [R_COUNT];

static void
s_test_row (const table_t *table, const row_t *row, kw_arena_t *arena)
{
    const region_t *region = s_regions [table->region];
    fixture_t f;
    s_fixture (&f, table->base, row);
    Kw__EligibilityDecision *d = s_decide (region, &f, arena);
    char buf [512];
    is_str (s_outcome (d), row->outcome, "%s: %s: outcome", table->name, row->name);
    is_str (s_states_text (d, buf, sizeof buf), row->states, "%s: %s: criteria", table->name, row->name);
    is_str (s_missing_text (d, buf, sizeof buf), row->missing, "%s: %s: missing", table->name, row->name);
    ok (s_follows_ruleset (region, d), "%s: %s: criteria follow the rule set", table->name, row->name);
    const char *values [MAX_PERSONAL];
    char store [MAX_PERSONAL][64];
    size_t n_values = s_personal (&f, values, store);
    ok (s_clean (d->criteria, d->n_criteria, values, n_values),
        "%s: %s: details without personal values", table->name, row->name);
    ok (s_round_trip (d, arena), "%s: %s: packs and unpacks", table->name, row->name);
    if (row->at) {
        const Kw__Criterion *c = s_find (d->criteria, d->n_criteria, row->at);
        is_str (c ? c->detail : "(no criterion)", row->detail, "%s: %s: %s detail",
                table->name, row->name, row->at);
    }
    kw_arena_reset (arena);
}

static void
s_test_tables (kw_arena_t *arena)
{
    for (size_t t = 0; t < sizeof TABLES / sizeof TABLES [0]; t++) {
        const table_t *table = &TABLES [t];
        const region_t *region = s_regions [table->region];
        fixture_t f;
        s_fixture (&f, table->base, &(row_t) { 0 });
        Kw__EligibilityDecision *d = s_decide (region, &f, arena);
        is_str (d->ruleset, region->ruleset.id, "%s: the rule set id", table->name);
        ok (d->has_version && d->version == region->ruleset.version, "%s: the rule set version", table->name);
        ok (!d->decided_at, "%s: decided_at left to the caller", table->name);
        kw_arena_reset (arena);
        for (size_t i = 0; i < table->count; i++)
            s_test_row (table, &table->rows [i], arena);
    }
}

// ---- rules_read_rating: a rule set that never reads the rating decides
//      every row of its table the same with any rating or none

static void
s_test_read_rating (kw_arena_t *arena)
{
    static const int reads [] = { [R_NORFOLK] = 0, [R_NHSE] = 1, [R_TESTSHIRE] = 1, [R_INLINE] = 0 };
    static const char *const ratings [] = { "red", "amber", "green", "blue" };
    for (size_t t = 0; t < sizeof TABLES / sizeof TABLES [0]; t++) {
        const table_t *table = &TABLES [t];
        const region_t *region = s_regions [table->region];
        ok (rules_read_rating (region->ruleset.rule) == reads [table->region], "%s: %s the DSR rating",
            table->name, reads [table->region] ? "reads" : "never reads");
        if (reads [table->region])
            continue;
        size_t differ = 0;
        for (size_t i = 0; i < table->count; i++)
            for (size_t r = 0; r < sizeof ratings / sizeof ratings [0]; r++) {
                fixture_t f;
                s_fixture (&f, table->base, &table->rows [i]);
                Kw__EligibilityDecision *rated = rules_decide (region, &f.body, ratings [r], 2026, 11, 25, arena);
                Kw__EligibilityDecision *unrated = rules_decide (region, &f.body, NULL, 2026, 11, 25, arena);
                differ += !rules_same_result (rated, unrated);
                kw_arena_reset (arena);
            }
        ok (differ == 0, "%s: each row decided the same with any rating and none (%zu differ)", table->name,
            differ);
    }
}

// ---- rules_same_result

typedef struct {
    const char *name;
    int same;
    region_id_t region_a, region_b;
    row_t a, b;
} same_row_t;

static const same_row_t SAME [] = {
    { "the same referral", 1, R_NORFOLK, R_NORFOLK, { 0 }, { 0 } },
    { "another age, details only", 1, R_NORFOLK, R_NORFOLK, { 0 }, { .dob = "2012-01-01" } },
    { "another decision date", 1, R_NHSE, R_NHSE, { 0 }, { .date = "2027-05-01" } },
    { "more professionals, still met", 1, R_NORFOLK, R_NORFOLK, { 0 },
      { .pros = PROS3 ";Dan Fox//Community Nursing" } },
    { "another DSR rating that counts", 1, R_NHSE, R_NHSE, { .inpatient = NO, .dsr = "red" },
      { .inpatient = NO, .dsr = "blue" } },
    { "another missing agency count, same path", 1, R_NORFOLK, R_NORFOLK,
      { .pros = "Ann Lee//Social Care;Bob Ray//;Cat Dee//Social Care" },
      { .pros = "Ann Lee//Social Care;Bob Ray//;Cat Dee//Social Care;Dan Fox//social care" } },
    { "outcome differs", 0, R_NORFOLK, R_NORFOLK, { 0 }, { .pros = PROS2 } },
    { "eligible against more information", 0, R_NORFOLK, R_NORFOLK, { 0 }, { .gp = NONE } },
    { "missing differs", 0, R_NORFOLK, R_NORFOLK,
      { .pros = "Ann Lee//Social Care;Bob Ray//;Cat Dee//Social Care" },
      { .pros = "Ann Lee//;Bob Ray//Social Care;Cat Dee//Social Care" } },
    { "a part's state differs", 0, R_NORFOLK, R_NORFOLK, { .chn = YES, .hlon = NO }, { .chn = NO, .hlon = YES } },
    { "a part unknown against not met", 0, R_NORFOLK, R_NORFOLK, { .hlon = NO }, { .hlon = ABSENT } },
    { "a not's part unknown against not met", 0, R_TESTSHIRE, R_TESTSHIRE,
      { .inpatient = ABSENT, .dsr = "green" }, { .inpatient = NO, .dsr = "green" } },
    { "a DSR part differs under a met any", 0, R_NHSE, R_NHSE, { .dsr = "red" }, { .dsr = "green" } },
    { "rule sets differ", 0, R_NORFOLK, R_NHSE, { 0 }, { 0 } },
};

static void
s_test_same (kw_arena_t *arena)
{
    for (size_t i = 0; i < sizeof SAME / sizeof SAME [0]; i++) {
        const same_row_t *row = &SAME [i];
        fixture_t fa, fb;
        s_fixture (&fa, TABLES [row->region_a].base, &row->a);
        s_fixture (&fb, TABLES [row->region_b].base, &row->b);
        Kw__EligibilityDecision *a = s_decide (s_regions [row->region_a], &fa, arena);
        Kw__EligibilityDecision *b = s_decide (s_regions [row->region_b], &fb, arena);
        is_int (rules_same_result (a, b), row->same, "same result: %s", row->name);
        is_int (rules_same_result (b, a), row->same, "same result: %s (turned round)", row->name);
        kw_arena_reset (arena);
    }

    //  Changes made to a decision by hand.
    fixture_t f;
    s_fixture (&f, &NORFOLK_BASE, &(row_t) { .dob = NONE, .gp = NONE });
    Kw__EligibilityDecision *a = s_decide (s_regions [R_NORFOLK], &f, arena);
    Kw__EligibilityDecision b = *a;
    b.version = a->version + 1;
    b.decided_at = "2026-11-25T10:00:00Z";
    ok (rules_same_result (a, &b), "same result: another version and decided_at");
    is_int (a->n_missing, 2, "same result: two missing to turn round");
    char *turned [2] = { a->missing [1], a->missing [0] };
    b.missing = turned;
    ok (rules_same_result (a, &b), "same result: missing in another order");
    b.n_missing = 1;
    ok (!rules_same_result (a, &b), "same result: one missing fewer");
    b = *a;
    b.ruleset = "norfolk_v2";
    ok (!rules_same_result (a, &b), "same result: another rule set id");
    b = *a;
    b.n_criteria = a->n_criteria - 1;
    ok (!rules_same_result (a, &b), "same result: a criterion fewer");
    b = *a;
    Kw__Criterion renamed = *a->criteria [0];
    renamed.id = "age_v2";
    Kw__Criterion *criteria [8];
    memcpy (criteria, a->criteria, a->n_criteria * sizeof criteria [0]);
    criteria [0] = &renamed;
    b.criteria = criteria;
    ok (!rules_same_result (a, &b), "same result: a criterion renamed");
    renamed.id = a->criteria [0]->id;
    renamed.detail = "another detail";
    renamed.description = "another description";
    ok (rules_same_result (a, &b), "same result: another detail and description");
    b = *a;
    b.has_outcome = 0;
    ok (!rules_same_result (a, &b), "same result: no outcome");
    kw_arena_reset (arena);
}

// ---- rules_upper_age_dates

typedef struct {
    const char *name;
    region_id_t region;
    const char *dob;
    int in_school;
    int rc;
    const char *age_out;
    const char *transition;
} dates_row_t;

static const dates_row_t DATES [] = {
    { "norfolk, 18", R_NORFOLK, "2010-05-15", 0, 0, "2028-05-15", "2027-11-17" },
    { "norfolk, 19 in school", R_NORFOLK, "2010-05-15", 1, 0, "2029-05-15", "2028-11-16" },
    { "nhse, 25", R_NHSE, "2010-05-15", 0, 0, "2035-05-15", "2034-11-16" },
    { "nhse, no extension for a school", R_NHSE, "2010-05-15", 1, 0, "2035-05-15", "2034-11-16" },
    { "29 Feb, non-leap target year", R_NORFOLK, "2008-02-29", 0, 0, "2026-03-01", "2025-09-02" },
    { "29 Feb, non-leap target year, extended", R_NORFOLK, "2008-02-29", 1, 0, "2027-03-01", "2026-09-02" },
    { "29 Feb, leap target year", R_TESTSHIRE, "2012-02-29", 0, 0, "2028-02-29", "2028-01-30" },
    { "29 Feb, non-leap target year, notice 30", R_TESTSHIRE, "2012-02-29", 1, 0, "2029-03-01", "2029-01-30" },
    { "1 Mar after a leap day", R_NORFOLK, "2010-03-01", 0, 0, "2028-03-01", "2027-09-03" },
    { "notice 180 across a year", R_NORFOLK, "2010-01-15", 0, 0, "2028-01-15", "2027-07-19" },
    { "notice 180 from 31 Dec", R_NORFOLK, "2009-12-31", 0, 0, "2027-12-31", "2027-07-04" },
    { "notice 30 across a year", R_TESTSHIRE, "2010-01-10", 0, 0, "2026-01-10", "2025-12-11" },
    { "notice 0", R_INLINE, "2010-01-01", 0, 0, "2028-01-01", "2028-01-01" },
    { "notice 0, 29 Feb", R_INLINE, "2008-02-29", 0, 0, "2026-03-01", "2026-03-01" },
    { "not a date: 30 Feb", R_NORFOLK, "2010-02-30", 0, -1, NULL, NULL },
    { "not a date: month 13", R_NORFOLK, "2010-13-01", 0, -1, NULL, NULL },
    { "not a date: empty", R_NORFOLK, "", 0, -1, NULL, NULL },
    { "not a date: no dashes", R_NORFOLK, "20100101", 0, -1, NULL, NULL },
    { "not a date: NULL", R_NORFOLK, NULL, 0, -1, NULL, NULL },
};

static void
s_test_dates (void)
{
    for (size_t i = 0; i < sizeof DATES / sizeof DATES [0]; i++) {
        const dates_row_t *row = &DATES [i];
        int age_out [3] = { 0, 0, 0 }, transition [3] = { 0, 0, 0 };
        int rc = rules_upper_age_dates (s_regions [row->region], row->dob, row->in_school, age_out, transition);
        is_int (rc, row->rc, "upper age dates: %s: result", row->name);
        if (row->rc != 0)
            continue;
        char got [16];
        snprintf (got, sizeof got, "%04d-%02d-%02d", age_out [0], age_out [1], age_out [2]);
        is_str (got, row->age_out, "upper age dates: %s: age out", row->name);
        snprintf (got, sizeof got, "%04d-%02d-%02d", transition [0], transition [1], transition [2]);
        is_str (got, row->transition, "upper age dates: %s: transition", row->name);
    }
}

static region_t *
s_load (const char *path)
{
    char err [256] = "";
    region_t *region = region_load_file (path, err, sizeof err);
    ok (region != NULL, "load %s%s%s", path, *err ? ": " : "", err);
    return region;
}

int
main (void)
{
    region_t *norfolk = s_load ("deploy/regions/norfolk.json");
    region_t *nhse = s_load ("deploy/regions/nhse.json");
    region_t *testshire = s_load ("tests/fixtures/regions/testshire.json");
    char err [256] = "";
    region_t *inline_region = region_parse (INLINE_JSON, strlen (INLINE_JSON), "inline.json", err, sizeof err);
    ok (inline_region != NULL, "parse the inline region%s%s", *err ? ": " : "", err);
    if (!norfolk || !nhse || !testshire || !inline_region) {
        region_destroy (&norfolk);
        region_destroy (&nhse);
        region_destroy (&testshire);
        region_destroy (&inline_region);
        return tap_done ();
    }
    s_regions [R_NORFOLK] = norfolk;
    s_regions [R_NHSE] = nhse;
    s_regions [R_TESTSHIRE] = testshire;
    s_regions [R_INLINE] = inline_region;

    is_str (rules_outcome_name (KW__OUTCOME__OUTCOME_ELIGIBLE), "eligible", "outcome name: eligible");
    is_str (rules_outcome_name (KW__OUTCOME__OUTCOME_INELIGIBLE), "ineligible", "outcome name: ineligible");
    is_str (rules_outcome_name (KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED), "more_information_needed",
            "outcome name: more_information_needed");
    ok (rules_outcome_name (KW__OUTCOME__OUTCOME_UNSPECIFIED) == NULL, "outcome name: unspecified is NULL");

    kw_arena_t *arena = kw_arena_new (16384);
    s_test_tables (arena);
    s_test_same (arena);
    s_test_read_rating (arena);
    s_test_dates ();
    kw_arena_destroy (&arena);
    region_destroy (&norfolk);
    region_destroy (&nhse);
    region_destroy (&testshire);
    region_destroy (&inline_region);
    return tap_done ();
}
