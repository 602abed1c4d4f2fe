/*  test_referral_validate: the referral body rules. Tables of good and bad
    NHS numbers, postcodes, e-mail addresses, phone numbers, GP practice
    codes and dates; then a complete valid referral with one field at a
    time made wrong, each failing on the exact field path it concerns. */
#include <stdio.h>
#include <string.h>
#include "kw_nhs.h"
#include "../../services/referral/validate.h"
#include "tap.h"

//  The fixed "today" of every date check.
#define TY 2026
#define TM 11
#define TD 25

#define MAX_PROFESSIONALS 50
#define MAX_FAMILY 20

static char s_text_200 [200 + 1];
static char s_text_201 [201 + 1];
static char s_text_4000 [4000 + 1];
static char s_text_4001 [4001 + 1];

static void
s_fill (char *buffer, size_t length, char c)
{
    memset (buffer, c, length);
    buffer [length] = 0;
}

typedef struct {
    const char *input;
    int valid;
    const char *name;
} case_t;

//  s with control and non-ASCII bytes written as \xNN, for test names.
static const char *
s_printable (const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 5 < size; s++) {
        unsigned char c = (unsigned char) *s;
        if (c < 0x20 || c > 0x7e)
            n += (size_t) snprintf (out + n, size - n, "\\x%02x", c);
        else
            out [n++] = (char) c;
    }
    out [n] = 0;
    return out;
}

typedef struct {
    const char *input;
    kw_nhs_status_t status;
    const char *name;
} nhs_case_t;

//  NHS numbers: the written forms read as their ten digits, and each
//  problem (characters, length, check digit) told apart.
static void
s_test_nhs_number (void)
{
    static const nhs_case_t cases [] = {
        { "9434765919", KW_NHS_OK, "a published example" },
        { "9434765870", KW_NHS_OK, "check digit 0 (remainder 0)" },
        { "4010232137", KW_NHS_OK, "a computed number" },
        { "4857773457", KW_NHS_OK, "another computed number" },
        { "4000000020", KW_NHS_OK, "a computed number with check digit 0" },
        { "9999999999", KW_NHS_OK, "all nines" },
        { "943 476 5919", KW_NHS_OK, "grouped with spaces, as on letters" },
        { "943-476-5919", KW_NHS_OK, "grouped with hyphens" },
        { " 9434765919", KW_NHS_OK, "a leading space" },
        { "9434765919 ", KW_NHS_OK, "a trailing space" },
        { "943 476-5919", KW_NHS_OK, "a space and a hyphen" },
        { "9434765918", KW_NHS_CHECK_DIGIT, "check digit one too low" },
        { "9434765911", KW_NHS_CHECK_DIGIT, "a wrong check digit" },
        { "9434765871", KW_NHS_CHECK_DIGIT, "check digit 1 where 0 is due" },
        { "4857773450", KW_NHS_CHECK_DIGIT, "check digit 0 where 7 is due" },
        { "4934765919", KW_NHS_CHECK_DIGIT, "the first two digits swapped" },
        { "943 476 5918", KW_NHS_CHECK_DIGIT, "grouped, a wrong check digit" },
        { "943-476-5918", KW_NHS_CHECK_DIGIT, "hyphens, a wrong check digit" },
        { "943476591", KW_NHS_LENGTH, "9 digits" },
        { "94347659190", KW_NHS_LENGTH, "11 digits" },
        { "943 476 591", KW_NHS_LENGTH, "9 digits grouped" },
        { "943-476-59190", KW_NHS_LENGTH, "11 digits with hyphens" },
        { "", KW_NHS_LENGTH, "empty" },
        { " - ", KW_NHS_LENGTH, "separators only" },
        { "943476591 ", KW_NHS_LENGTH, "a space in place of the check digit" },
        { "943476591X", KW_NHS_CHARACTER, "a letter as check digit" },
        { "A434765919", KW_NHS_CHARACTER, "a leading letter" },
        { "94347a5919", KW_NHS_CHARACTER, "a letter in the middle" },
        { "+434765919", KW_NHS_CHARACTER, "a sign" },
        { "943.476.5919", KW_NHS_CHARACTER, "full stops" },
        { "9434765919\n", KW_NHS_CHARACTER, "a trailing newline" },
        { "943\t476\t5919", KW_NHS_CHARACTER, "tabs" },
    };
    char shown [64];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char out [KW_NHS_SIZE] = "x";
        kw_nhs_status_t got = kw_nhs_parse (cases [i].input, strlen (cases [i].input), out);
        int digits_ok = cases [i].status != KW_NHS_OK || strlen (out) == 10;
        for (size_t j = 0; digits_ok && cases [i].status == KW_NHS_OK && j < 10; j++)
            digits_ok = out [j] >= '0' && out [j] <= '9';
        ok (got == cases [i].status && digits_ok && (got == KW_NHS_OK || !*out),
            "nhs_number: %s (%s) is %s", cases [i].name, s_printable (cases [i].input, shown, sizeof shown),
            *kw_nhs_problem (cases [i].status) ? kw_nhs_problem (cases [i].status) : "accepted");
        is_int (kw_nhs_valid (cases [i].input), cases [i].status == KW_NHS_OK, "kw_nhs_valid agrees: %s",
                cases [i].name);
    }
    ok (!kw_nhs_valid (NULL), "nhs_number: NULL");
    char out [KW_NHS_SIZE];
    ok (kw_nhs_parse ("400 000 0039", 12, out) == KW_NHS_OK && strcmp (out, "4000000039") == 0
        && kw_nhs_parse ("400-000-0039", 12, out) == KW_NHS_OK && strcmp (out, "4000000039") == 0,
        "400 000 0039 and 400-000-0039 are both stored as 4000000039");
    ok (kw_nhs_parse ("9434765919 and more", 10, out) == KW_NHS_OK && strcmp (out, "9434765919") == 0,
        "only len bytes are read");
    ok (strcmp (kw_nhs_problem (KW_NHS_LENGTH), kw_nhs_problem (KW_NHS_CHECK_DIGIT)) != 0
        && strstr (kw_nhs_problem (KW_NHS_LENGTH), "10 digits")
        && strstr (kw_nhs_problem (KW_NHS_CHECK_DIGIT), "check digit"),
        "the length and the check digit are told apart");

    //  9 digits whose check digit works out as 10 take no tenth digit.
    static const char *const tens [] = { "999000000", "400000008", "400000011" };
    for (size_t i = 0; i < sizeof tens / sizeof tens [0]; i++) {
        int accepted = 0;
        for (char d = '0'; d <= '9'; d++) {
            char number [11];
            snprintf (number, sizeof number, "%s%c", tens [i], d);
            accepted += kw_nhs_valid (number);
        }
        is_int (accepted, 0, "nhs_number: check digit 10 is invalid whatever follows %s", tens [i]);
    }
    //  Exactly one tenth digit fits any other prefix.
    int accepted = 0;
    for (char d = '0'; d <= '9'; d++) {
        char number [11];
        snprintf (number, sizeof number, "943476591%c", d);
        accepted += kw_nhs_valid (number);
    }
    is_int (accepted, 1, "nhs_number: one check digit of ten fits 943476591");
}

typedef struct {
    const char *input;
    const char *normalised;     //  NULL when the postcode is rejected
    const char *name;
} postcode_case_t;

static void
s_test_postcode (void)
{
    static const postcode_case_t cases [] = {
        { "NR2 3TU", "NR2 3TU", "area letters, district digit" },
        { "nr23tu", "NR2 3TU", "lower case, no space" },
        { "Nr2 3tU", "NR2 3TU", "mixed case" },
        { "SW1A 1AA", "SW1A 1AA", "district with a letter" },
        { "sw1a1aa", "SW1A 1AA", "district with a letter, compact" },
        { "M1 1AE", "M1 1AE", "one letter, one digit" },
        { "m11ae", "M1 1AE", "shortest, compact" },
        { "B33 8TH", "B33 8TH", "one letter, two digits" },
        { "CR2 6XH", "CR2 6XH", "two letters, one digit" },
        { "DN55 1PT", "DN55 1PT", "two letters, two digits" },
        { "EC1A 1BB", "EC1A 1BB", "two letters, digit, letter" },
        { "W1A 0AX", "W1A 0AX", "letter, digit, letter" },
        { "w1a0ax", "W1A 0AX", "letter, digit, letter, compact" },
        { "", NULL, "empty" },
        { "123 ABC", NULL, "digits then letters" },
        { "NR2 3T", NULL, "inward code too short" },
        { "NR2 3TUU", NULL, "inward code too long" },
        { "NR2 TU3", NULL, "inward code not digit letter letter" },
        { "NR2 33U", NULL, "inward code with two digits" },
        { "NR2 3T9", NULL, "inward code ending in a digit" },
        { "ABCDEF", NULL, "letters only" },
        { "ABC DEF", NULL, "letters only with a space" },
        { "1234567", NULL, "digits only" },
        { "SW1AA 1AA", NULL, "too long by one" },
        { "ABCDE 1AA", NULL, "outward code too long" },
        { "2NR 3TU", NULL, "outward code starting with a digit" },
        { "12 3TU", NULL, "outward code of two digits" },
        { "1A1 1AA", NULL, "outward code digit, letter, digit" },
        { "NRR 3TU", NULL, "outward code without a digit" },
        { "N 3TU", NULL, "outward code of one letter" },
        { "NR2-3TU", NULL, "a hyphen" },
        { "NR2.3TU", NULL, "a full stop" },
        { "NR2 3TU!", NULL, "trailing punctuation" },
        { "NR2,3TU", NULL, "a comma" },
        { "NR2\t3TU", NULL, "a tab" },
        { "NR2  3TU", NULL, "two spaces in the middle" },
        { " NR2 3TU", NULL, "a leading space" },
        { "NR23 TU", NULL, "a space inside the inward code" },
        { "N R 2 3 T U", NULL, "spaces everywhere" },
        { "NR2 3TU ", NULL, "a trailing space" },
        { "A111 1AA", NULL, "an outward code of a letter and three digits" },
        { "A9AA 1AA", NULL, "an outward code ending in two letters" },
        { "GIR 0AA", "GIR 0AA", "the one special postcode" },
        { "W1A0AX", "W1A 0AX", "letter digit letter outward code, no space" },
        { "NR2 3TU\n", NULL, "a trailing newline" },
        { "NR2 3T\xc3\x9c", NULL, "a non-ASCII letter" },
    };
    char shown [64];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char out [9];
        memset (out, '#', sizeof out);
        out [8] = 0;
        int valid = validate_postcode (cases [i].input, out);
        is_int (valid, cases [i].normalised != NULL, "postcode: %s (%s)", cases [i].name,
                s_printable (cases [i].input, shown, sizeof shown));
        if (cases [i].normalised)
            is_str (out, cases [i].normalised, "postcode: %s normalised", cases [i].name);
    }
    ok (validate_postcode ("DN55 1PT", NULL), "postcode: out may be NULL");
    ok (!validate_postcode (NULL, NULL), "postcode: NULL");
}

static void
s_test_email (void)
{
    static const case_t cases [] = {
        { "ada.quill@example.org", 1, "a plain address" },
        { ".ada@example.org", 0, "a leading dot before the @" },
        { "ada.@example.org", 0, "a dot just before the @" },
        { "ada..quill@example.org", 0, "two dots before the @" },
        { "ada@example.1", 0, "a top-level domain of digits" },
        { "ada@example.o", 0, "a one-letter top-level domain" },
        { "ada@-example.org", 0, "a domain starting with a hyphen" },
        { "juniper.marlowe+kw@example.co.uk", 1, "a plus tag and a two-part suffix" },
        { "x@y.io", 1, "the shortest shape" },
        { "O'Brannock@mail.example.org", 1, "an apostrophe and a subdomain" },
        { "first_last-2@example-domain.org", 1, "underscores and hyphens" },
        { "", 0, "empty" },
        { "ada.quill.example.org", 0, "without @" },
        { "ada@quill@example.org", 0, "two @" },
        { "ada.quill@@example.org", 0, "@@" },
        { "@example.org", 0, "empty local part" },
        { "ada.quill@", 0, "empty domain" },
        { "ada.quill@example", 0, "no dot in the domain" },
        { "ada.quill@.example.org", 0, "domain with a leading dot" },
        { "ada.quill@.org", 0, "domain that is only a suffix" },
        { "ada.quill@example..org", 0, "domain with a double dot" },
        { "ada.quill@example.org.", 0, "domain with a trailing dot" },
        { "ada quill@example.org", 0, "a space" },
        { " ada.quill@example.org", 0, "a leading space" },
        { "ada.quill@example.org ", 0, "a trailing space" },
        { "ada.quill@exam ple.org", 0, "a space in the domain" },
        { "ada\t@example.org", 0, "a tab" },
        { "ada.quill@example.org\n", 0, "a trailing newline" },
        { "ada\x7f@example.org", 0, "DEL" },
        { "\xc3\xa9@example.org", 0, "non-ASCII" },
        { "\"ada\"@example.org", 0, "a double quote" },
        { "ada(x)@example.org", 0, "brackets" },
        { "ada,quill@example.org", 0, "a comma" },
        { "ada:quill@example.org", 0, "a colon" },
        { "ada;quill@example.org", 0, "a semicolon" },
        { "<ada@example.org>", 0, "angle brackets" },
        { "ada[1]@example.org", 0, "square brackets" },
        { "ada\\quill@example.org", 0, "a backslash" },
    };
    char shown [64];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        is_int (kw_check_email_shape (cases [i].input), cases [i].valid, "email: %s (%s)",
                cases [i].name, s_printable (cases [i].input, shown, sizeof shown));
    ok (!kw_check_email_shape (NULL), "email: NULL");

    //  Lengths: the address at most 254, the local part at most 64.
    char address [300];
    s_fill (address, 64, 'a');
    snprintf (address + 64, sizeof address - 64, "@");
    s_fill (address + 65, 185, 'b');
    snprintf (address + 250, sizeof address - 250, ".org");
    is_int (strlen (address), 254, "email: built an address of 254");
    ok (kw_check_email_shape (address), "email: 254 characters is accepted");
    s_fill (address + 65, 186, 'b');
    snprintf (address + 251, sizeof address - 251, ".org");
    is_int (strlen (address), 255, "email: built an address of 255");
    ok (!kw_check_email_shape (address), "email: 255 characters is rejected");
    s_fill (address, 64, 'a');
    snprintf (address + 64, sizeof address - 64, "@example.org");
    ok (kw_check_email_shape (address), "email: a local part of 64 is accepted");
    s_fill (address, 65, 'a');
    snprintf (address + 65, sizeof address - 65, "@example.org");
    ok (!kw_check_email_shape (address), "email: a local part of 65 is rejected");
}

static void
s_test_phone (void)
{
    static const case_t cases [] = {
        { "01632 960001", 1, "a landline with a space" },
        { "07700 900123", 1, "a mobile" },
        { "+44 7700 900123", 1, "international with a leading +" },
        { "+447700900123", 1, "international, compact" },
        { "(01632) 960-001", 1, "brackets and a hyphen" },
        { "0163296000", 1, "10 digits" },
        { "123456789012345", 1, "15 digits" },
        { "+123456789012345", 1, "15 digits after +" },
        { "1 2 3 4 5 6 7 8 9 0", 1, "10 digits spaced out" },
        { "", 0, "empty" },
        { "016329600", 0, "9 digits" },
        { "0163 2960 0", 0, "9 digits with spaces" },
        { "+016329600", 0, "9 digits after +" },
        { "1234567890123456", 0, "16 digits" },
        { "+1234567890123456", 0, "16 digits after +" },
        { "01632+960001", 0, "+ in the middle" },
        { "01632960001+", 0, "+ at the end" },
        { "++447700900123", 0, "two leading +" },
        { " +447700900123", 0, "+ after a space" },
        { "01632 960001 ext 2", 0, "letters" },
        { "01632.960001", 0, "a full stop" },
        { "01632/960001", 0, "a slash" },
        { "01632\t960001", 0, "a tab" },
        { "01632 960001\n", 0, "a trailing newline" },
        { "+", 0, "+ alone" },
        { "()- ", 0, "separators only" },
    };
    char shown [64];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        is_int (kw_check_phone_shape (cases [i].input), cases [i].valid, "phone: %s (%s)",
                cases [i].name, s_printable (cases [i].input, shown, sizeof shown));
    ok (!kw_check_phone_shape (NULL), "phone: NULL");
}

static void
s_test_gp_practice (void)
{
    static const case_t cases [] = {
        { "D82001", 1, "a Norfolk practice" },
        { "A81001", 1, "another practice" },
        { "Y00001", 1, "zeros" },
        { "d82001", 1, "a lower-case letter" },
        { "", 0, "empty" },
        { "D8200", 0, "four digits" },
        { "D820011", 0, "six digits" },
        { "82001D", 0, "letter last" },
        { "820011", 0, "no letter" },
        { "DD2001", 0, "two letters" },
        { "D8200A", 0, "a letter among the digits" },
        { "D 8200", 0, "a space" },
        { " D82001", 0, "a leading space" },
        { "D82001 ", 0, "a trailing space" },
        { "D-8200", 0, "a hyphen" },
    };
    char shown [64];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        is_int (validate_gp_practice (cases [i].input), cases [i].valid, "gp_practice: %s (%s)",
                cases [i].name, s_printable (cases [i].input, shown, sizeof shown));
    ok (!validate_gp_practice (NULL), "gp_practice: NULL");
}

static void
s_test_past_date (void)
{
    static const case_t cases [] = {
        { "2026-11-25", 1, "today" },
        { "2026-11-24", 1, "yesterday" },
        { "2026-10-31", 1, "last month" },
        { "2015-03-02", 1, "years ago" },
        { "2024-02-29", 1, "29 Feb in a leap year" },
        { "2000-02-29", 1, "29 Feb in a leap century" },
        { "1900-02-28", 1, "28 Feb 1900" },
        { "0001-01-01", 1, "year 1" },
        { "2026-11-26", 0, "tomorrow" },
        { "2026-12-01", 0, "next month" },
        { "2027-01-01", 0, "next year" },
        { "2028-02-29", 0, "29 Feb in a future leap year" },
        { "2025-02-29", 0, "29 Feb in a common year" },
        { "2023-02-29", 0, "29 Feb in another common year" },
        { "1900-02-29", 0, "29 Feb in a common century" },
        { "2026-02-30", 0, "30 Feb" },
        { "2026-04-31", 0, "31 Apr" },
        { "2026-06-31", 0, "31 Jun" },
        { "2026-13-01", 0, "month 13" },
        { "2026-00-10", 0, "month 0" },
        { "2026-01-00", 0, "day 0" },
        { "2026-01-32", 0, "day 32" },
        { "0000-01-01", 0, "year 0" },
        { "2026-1-05", 0, "a one-digit month" },
        { "2026/11/01", 0, "slashes" },
        { "01/11/2026", 0, "day first" },
        { "20261101", 0, "compact" },
        { "2026-11-01T00:00", 0, "with a time" },
        { " 2026-11-01", 0, "a leading space" },
        { "2026-11-01 ", 0, "a trailing space" },
        { "", 0, "empty" },
        { "abcd-ef-gh", 0, "letters" },
    };
    char shown [64];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++)
        is_int (validate_past_date (cases [i].input, TY, TM, TD), cases [i].valid, "past_date: %s (%s)",
                cases [i].name, s_printable (cases [i].input, shown, sizeof shown));
    ok (!validate_past_date (NULL, TY, TM, TD), "past_date: NULL");
    ok (validate_past_date ("2026-12-31", 2026, 12, 31), "past_date: today on 31 Dec");
    ok (!validate_past_date ("2027-01-01", 2026, 12, 31), "past_date: tomorrow across the year");
    ok (validate_past_date ("2028-02-29", 2028, 2, 29), "past_date: today on 29 Feb");
    ok (!validate_past_date ("2028-03-01", 2028, 2, 29), "past_date: tomorrow after 29 Feb");
    ok (!validate_past_date ("2026-03-01", 2026, 2, 28), "past_date: 1 Mar is the day after 28 Feb 2026");
}

typedef struct {
    Kw__ReferralBody body;
    Kw__Referrer referrer;
    Kw__Child child;
    Kw__Needs needs;
    Kw__Professional professionals [MAX_PROFESSIONALS + 1];
    Kw__Professional *professional_list [MAX_PROFESSIONALS + 1];
    Kw__FamilyMember family [MAX_FAMILY + 1];
    Kw__FamilyMember *family_list [MAX_FAMILY + 1];
    Kw__SuggestedKeyWorker key_worker;
    Kw__Consent consent;
    Kw__MeetingPreferences meetings;
    char *days [8];
} fixture_t;

//  A complete, valid professional referral (the shape of deploy/examples/referral.json),
//  with room for more professionals, family members and days than used.
static void
s_fixture (fixture_t *f)
{
    static const char *const names [] = { "Rowan Teller", "Lark Ambrose", "Moss Whitlow" };
    static const char *const agencies [] = { "Brackenford Community Health", "Brackenford Children's Services",
                                             "Riverbend School" };
    static const char *const disciplines [] = { "occupational_therapist", "social_worker", "special_educator" };
    static const char *const emails [] = { "rowan.teller@example.org", "lark.ambrose@example.org",
                                           "moss.whitlow@example.org" };
    static const char *const phones [] = { "01632 960002", "01632 960003", "01632 960004" };
    memset (f, 0, sizeof *f);
    kw__referral_body__init (&f->body);
    kw__referrer__init (&f->referrer);
    kw__child__init (&f->child);
    kw__needs__init (&f->needs);
    kw__suggested_key_worker__init (&f->key_worker);
    kw__consent__init (&f->consent);
    kw__meeting_preferences__init (&f->meetings);

    f->body.has_source = 1;
    f->body.source = KW__SOURCE__SOURCE_PROFESSIONAL;
    f->referrer.name = "Dr Ada Quill";
    f->referrer.agency = "Riverbend Surgery";
    f->referrer.role = "GP";
    f->referrer.email = "ada.quill@example.org";
    f->referrer.phone = "01632 960001";
    f->body.referrer = &f->referrer;

    f->child.nhs_number = "9434765919";
    f->child.given_name = "Pip";
    f->child.family_name = "Marlowe";
    f->child.date_of_birth = "2015-03-02";
    f->child.postcode = "NR2 3TU";
    f->child.gp_practice = "D82001";
    f->child.has_in_complex_needs_school = 1;
    f->child.in_complex_needs_school = 0;
    f->child.language = "en";
    f->body.child = &f->child;

    f->needs.has_complex_health_needs = 1;
    f->needs.complex_health_needs = 1;
    f->needs.has_autism = 1;
    f->needs.autism = 1;
    f->needs.summary = "Complex epilepsy; several services involved";
    f->body.needs = &f->needs;

    for (size_t i = 0; i <= MAX_PROFESSIONALS; i++) {
        Kw__Professional *p = &f->professionals [i];
        kw__professional__init (p);
        p->name = (char *) names [i % 3];
        p->agency = (char *) agencies [i % 3];
        p->discipline = (char *) disciplines [i % 3];
        p->email = (char *) emails [i % 3];
        p->phone = (char *) phones [i % 3];
        f->professional_list [i] = p;
    }
    f->body.professionals = f->professional_list;
    f->body.n_professionals = 3;

    for (size_t i = 0; i <= MAX_FAMILY; i++) {
        Kw__FamilyMember *m = &f->family [i];
        kw__family_member__init (m);
        m->name = "Juniper Marlowe";
        m->relationship = "mother";
        m->email = "juniper.marlowe@example.org";
        m->phone = "07700 900123";
        m->preferred_contact = "email";
        m->language = "en";
        m->has_has_parental_responsibility = 1;
        m->has_parental_responsibility = 1;
        f->family_list [i] = m;
    }
    f->body.family = f->family_list;
    f->body.n_family = 1;

    f->key_worker.email = "kw.one@example.org";
    f->body.suggested_key_worker = &f->key_worker;

    f->consent.has_basis = 1;
    f->consent.basis = KW__CONSENT_BASIS__CONSENT_BASIS_PARENTAL_RESPONSIBILITY;
    f->consent.given_by = "Juniper Marlowe";
    f->consent.date = "2026-11-20";
    f->body.consent = &f->consent;

    f->days [0] = "tue";
    f->days [1] = "wed";
    f->meetings.location = "home";
    f->meetings.days = f->days;
    f->meetings.n_days = 2;
    f->meetings.earliest = "09:30";
    f->meetings.latest = "15:00";
    f->body.meeting_preferences = &f->meetings;
}

//  The string field of f at path, NULL when the path is not known here.
static char **
s_slot (fixture_t *f, const char *path)
{
    struct {
        const char *path;
        char **slot;
    } slots [] = {
        { "referrer.name", &f->referrer.name },
        { "referrer.agency", &f->referrer.agency },
        { "referrer.role", &f->referrer.role },
        { "referrer.email", &f->referrer.email },
        { "referrer.phone", &f->referrer.phone },
        { "child.nhs_number", &f->child.nhs_number },
        { "child.given_name", &f->child.given_name },
        { "child.family_name", &f->child.family_name },
        { "child.date_of_birth", &f->child.date_of_birth },
        { "child.postcode", &f->child.postcode },
        { "child.gp_practice", &f->child.gp_practice },
        { "child.language", &f->child.language },
        { "needs.summary", &f->needs.summary },
        { "professionals[0].name", &f->professionals [0].name },
        { "professionals[0].discipline", &f->professionals [0].discipline },
        { "professionals[0].email", &f->professionals [0].email },
        { "professionals[1].name", &f->professionals [1].name },
        { "professionals[1].email", &f->professionals [1].email },
        { "professionals[1].agency", &f->professionals [1].agency },
        { "professionals[2].agency", &f->professionals [2].agency },
        { "professionals[2].discipline", &f->professionals [2].discipline },
        { "professionals[2].phone", &f->professionals [2].phone },
        { "family[0].name", &f->family [0].name },
        { "family[0].relationship", &f->family [0].relationship },
        { "family[0].email", &f->family [0].email },
        { "family[0].phone", &f->family [0].phone },
        { "family[0].preferred_contact", &f->family [0].preferred_contact },
        { "family[0].language", &f->family [0].language },
        { "suggested_key_worker.email", &f->key_worker.email },
        { "consent.given_by", &f->consent.given_by },
        { "consent.date", &f->consent.date },
        { "meeting_preferences.location", &f->meetings.location },
        { "meeting_preferences.days[0]", &f->days [0] },
        { "meeting_preferences.days[1]", &f->days [1] },
        { "meeting_preferences.earliest", &f->meetings.earliest },
        { "meeting_preferences.latest", &f->meetings.latest },
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots [0]; i++)
        if (strcmp (slots [i].path, path) == 0)
            return slots [i].slot;
    return NULL;
}

//  validate_referral accepts f.
static void
s_accepts (fixture_t *f, const char *name)
{
    kw_field_errors_t errs;
    int rc = validate_referral (&f->body, TY, TM, TD, &errs);
    is_int (rc, 0, "referral: %s is accepted", name);
    for (size_t i = 0; i < errs.count; i++)
        tap_diag ("%s: %s", errs.items [i].field, errs.items [i].message);
}

//  validate_referral rejects f on field alone (one thing is wrong), with
//  a message that names the field, holds fragment, and does not echo value.
static void
s_rejects (fixture_t *f, const char *field, const char *fragment, const char *value, const char *name)
{
    kw_field_errors_t errs;
    int rc = validate_referral (&f->body, TY, TM, TD, &errs);
    static const kw_field_error_t none = { 0, "", "" };
    const kw_field_error_t err = errs.count ? errs.items [0] : none;
    is_int (rc, -1, "referral: %s is rejected", name);
    is_str (err.field, field, "referral: %s names the field", name);
    is_int ((int) errs.count, 1, "referral: %s is its only error", name);
    for (size_t i = 1; i < errs.count; i++)
        tap_diag ("also %s: %s", errs.items [i].field, errs.items [i].message);
    ok (strstr (err.message, field) && strstr (err.message, fragment), "referral: %s message", name);
    if (!strstr (err.message, field) || !strstr (err.message, fragment))
        tap_diag ("message: %s", err.message);
    if (value && strlen (value) >= 4)
        ok (!strstr (err.message, value), "referral: %s message does not echo the value", name);
}

typedef struct {
    const char *path;           //  the string field changed
    const char *value;          //  its new value; NULL removes it
    const char *field;          //  the field named in the error; NULL when still valid
    const char *fragment;       //  expected in the message
    const char *name;
} mutation_t;

static const mutation_t s_mutations [] = {
    //  Required text.
    { "referrer.name", NULL, "referrer.name", "is required", "referrer without a name" },
    { "referrer.name", "   ", "referrer.name", "is required", "referrer with a blank name" },
    { "child.given_name", NULL, "child.given_name", "is required", "child without a given name" },
    { "child.given_name", "", "child.given_name", "is required", "child with an empty given name" },
    { "child.family_name", "\t ", "child.family_name", "is required", "child with a blank family name" },
    { "professionals[0].name", NULL, "professionals[0].name", "is required", "professional without a name" },
    { "professionals[2].agency", " ", "professionals[2].agency", "is required",
      "professional with a blank agency" },
    { "family[0].name", NULL, "family[0].name", "is required", "family member without a name" },
    { "referrer.agency", NULL, NULL, NULL, "referrer without an agency" },
    { "referrer.role", NULL, NULL, NULL, "referrer without a role" },

    //  NHS number.
    { "child.nhs_number", NULL, "child.nhs_number", "is required", "child without an NHS number" },
    { "child.nhs_number", "  ", "child.nhs_number", "is required", "a blank NHS number" },
    { "child.nhs_number", "9434765918", "child.nhs_number", "check digit", "a wrong NHS check digit" },
    { "child.nhs_number", "9990000000", "child.nhs_number", "check digit", "an NHS number with check 10" },
    { "child.nhs_number", "943476591", "child.nhs_number", "10 digits", "an NHS number of 9 digits" },
    { "child.nhs_number", "94347659190", "child.nhs_number", "10 digits", "an NHS number of 11 digits" },
    { "child.nhs_number", "943 476 5919", NULL, NULL, "an NHS number grouped with spaces" },
    { "child.nhs_number", "943-476-5919", NULL, NULL, "an NHS number grouped with hyphens" },
    { "child.nhs_number", "943 476 591", "child.nhs_number", "10 digits", "a spaced NHS number of 9 digits" },
    { "child.nhs_number", "943-476-5918", "child.nhs_number", "check digit",
      "a hyphenated NHS number with a wrong check digit" },
    { "child.nhs_number", "943/476/5919", "child.nhs_number", "only digits, spaces and hyphens",
      "an NHS number with slashes" },
    { "child.nhs_number", "9434765870", NULL, NULL, "an NHS number with check digit 0" },

    //  Dates.
    { "child.date_of_birth", NULL, "child.date_of_birth", "is required", "child without a date of birth" },
    { "child.date_of_birth", "2026-11-26", "child.date_of_birth", "in the future", "a birth tomorrow" },
    { "child.date_of_birth", "2031-01-01", "child.date_of_birth", "in the future", "a birth in 2031" },
    { "child.date_of_birth", "2015-02-30", "child.date_of_birth", "not a real date", "a birth on 30 Feb" },
    { "child.date_of_birth", "2023-02-29", "child.date_of_birth", "not a real date",
      "a birth on 29 Feb of a common year" },
    { "child.date_of_birth", "02/03/2015", "child.date_of_birth", "YYYY-MM-DD", "a birth date day first" },
    { "child.date_of_birth", "2026-11-25", NULL, NULL, "a birth today" },
    { "child.date_of_birth", "2024-02-29", NULL, NULL, "a birth on 29 Feb of a leap year" },
    { "consent.date", "2026-11-26", "consent.date", "in the future", "consent tomorrow" },
    { "consent.date", "2026-13-01", "consent.date", "not a real date", "consent in month 13" },
    { "consent.date", "2026-11-25", NULL, NULL, "consent today" },
    { "consent.date", NULL, NULL, NULL, "consent without a date" },

    //  Length limits.
    { "referrer.name", s_text_200, NULL, NULL, "a referrer name of 200" },
    { "referrer.name", s_text_201, "referrer.name", "longer than 200", "a referrer name of 201" },
    { "referrer.agency", s_text_201, "referrer.agency", "longer than 200", "a referrer agency of 201" },
    { "referrer.role", s_text_201, "referrer.role", "longer than 200", "a referrer role of 201" },
    { "child.given_name", s_text_201, "child.given_name", "longer than 200", "a given name of 201" },
    { "child.family_name", s_text_201, "child.family_name", "longer than 200", "a family name of 201" },
    { "professionals[1].name", s_text_201, "professionals[1].name", "longer than 200",
      "a professional name of 201" },
    { "family[0].name", s_text_201, "family[0].name", "longer than 200", "a family member name of 201" },
    { "consent.given_by", s_text_200, NULL, NULL, "consent given by a name of 200" },
    { "consent.given_by", s_text_201, "consent.given_by", "longer than 200", "consent given by a name of 201" },
    { "needs.summary", s_text_4000, NULL, NULL, "a summary of 4000" },
    { "needs.summary", s_text_4001, "needs.summary", "longer than 4000", "a summary of 4001" },
    { "child.postcode", "NR2 3TU    X", "child.postcode", "longer than 10", "a postcode over 10" },
    { "child.gp_practice", "D82001 D82002", "child.gp_practice", "longer than 10", "a GP practice over 10" },

    //  Control characters; the summary may hold line breaks and tabs.
    { "referrer.name", "Ada\nQuill", "referrer.name", "control character", "a newline in a name" },
    { "referrer.role", "GP\r", "referrer.role", "control character", "a carriage return in a role" },
    { "child.given_name", "Pip\tM", "child.given_name", "control character", "a tab in a given name" },
    { "child.family_name", "Marlowe\x7f", "child.family_name", "control character", "DEL in a family name" },
    { "professionals[1].agency", "Riverbend\x1b[0m", "professionals[1].agency", "control character",
      "an escape in an agency" },
    { "consent.given_by", "Juniper\x01", "consent.given_by", "control character", "SOH in given_by" },
    { "needs.summary", "Line one\nline two", NULL, NULL, "a summary with a newline" },
    { "needs.summary", "Line one\r\n\tindented", NULL, NULL, "a summary with CR LF and a tab" },
    { "needs.summary", "Bell\x07", "needs.summary", "control character", "a bell in a summary" },
    { "needs.summary", "Rub\x7fout", "needs.summary", "control character", "DEL in a summary" },
    { "needs.summary", "Caf\xc3\xa9 and na\xc3\xafve", NULL, NULL, "a summary in UTF-8" },

    //  Postcode and GP practice.
    { "child.postcode", "NR2 3T", "child.postcode", "UK postcode", "a short postcode" },
    { "child.postcode", "123 ABC", "child.postcode", "UK postcode", "a postcode of the wrong shape" },
    { "child.postcode", "", "child.postcode", "UK postcode", "an empty postcode" },
    { "child.postcode", "NR2\t3TU", "child.postcode", "control character", "a postcode with a tab" },
    { "child.postcode", "nr23tu", NULL, NULL, "a compact lower-case postcode" },
    { "child.postcode", NULL, NULL, NULL, "no postcode" },
    { "child.gp_practice", "D8200", "child.gp_practice", "GP practice code", "a short GP practice code" },
    { "child.gp_practice", "82001D", "child.gp_practice", "GP practice code", "a GP practice code letter last" },
    { "child.gp_practice", NULL, NULL, NULL, "no GP practice" },

    //  E-mail addresses and phone numbers.
    { "referrer.email", "ada.quill.example.org", "referrer.email", "e-mail", "a referrer e-mail without @" },
    { "referrer.email", "", "referrer.email", "e-mail", "an empty referrer e-mail" },
    { "referrer.email", NULL, NULL, NULL, "a professional referrer without e-mail" },
    { "referrer.phone", "01632 9600", "referrer.phone", "phone number", "a referrer phone of 9 digits" },
    { "referrer.phone", "01632+960001", "referrer.phone", "phone number", "a referrer phone with + inside" },
    { "referrer.phone", "+44 1632 960001", NULL, NULL, "a referrer phone with a leading +" },
    { "professionals[0].email", "rowan@teller", "professionals[0].email", "e-mail",
      "a professional e-mail without a dot" },
    { "professionals[1].email", "lark@ambrose@example.org", "professionals[1].email", "e-mail",
      "a professional e-mail with two @" },
    { "professionals[1].email", NULL, NULL, NULL, "a professional without e-mail" },
    { "professionals[2].phone", "0163296000123456", "professionals[2].phone", "phone number",
      "a professional phone of 16 digits" },
    { "family[0].email", "juniper@example..org", "family[0].email", "e-mail", "a family e-mail with .." },
    { "family[0].phone", "07700 9OO123", "family[0].phone", "phone number", "a family phone with letters" },
    { "suggested_key_worker.email", "kw one@example.org", "suggested_key_worker.email", "e-mail",
      "a key worker e-mail with a space" },
    { "suggested_key_worker.email", NULL, NULL, NULL, "a suggested key worker without e-mail" },

    //  Enumerations.
    { "professionals[0].discipline", "Social Worker", "professionals[0].discipline", "must be one of",
      "a discipline spelt as words" },
    { "professionals[2].discipline", "wizard", "professionals[2].discipline", "must be one of",
      "an unknown discipline" },
    { "professionals[0].discipline", "", "professionals[0].discipline", "must be one of",
      "an empty discipline" },
    { "professionals[0].discipline", NULL, NULL, NULL, "a professional without a discipline" },
    { "family[0].relationship", "mum", "family[0].relationship", "must be one of", "an unknown relationship" },
    { "family[0].relationship", "Mother", "family[0].relationship", "must be one of",
      "a relationship in capitals" },
    { "family[0].preferred_contact", "pigeon", "family[0].preferred_contact", "must be one of",
      "an unknown preferred contact" },
    { "family[0].preferred_contact", "Email", "family[0].preferred_contact", "must be one of",
      "a preferred contact in capitals" },
    { "family[0].preferred_contact", NULL, NULL, NULL, "no preferred contact" },
    { "meeting_preferences.location", "garden", "meeting_preferences.location", "must be one of",
      "an unknown location" },
    { "meeting_preferences.location", "HOME", "meeting_preferences.location", "must be one of",
      "a location in capitals" },
    { "meeting_preferences.days[1]", "funday", "meeting_preferences.days[1]", "must be one of",
      "an unknown day" },
    { "meeting_preferences.days[0]", "Mon", "meeting_preferences.days[0]", "must be one of",
      "a day in capitals" },
    { "meeting_preferences.days[1]", "wednesday", "meeting_preferences.days[1]", "must be one of",
      "a day in full" },
    { "meeting_preferences.days[1]", "tue", "meeting_preferences.days[1]", "repeats a day", "a repeated day" },

    //  Language codes.
    { "child.language", "eng", NULL, NULL, "a three-letter child language" },
    { "child.language", NULL, NULL, NULL, "no child language" },
    { "child.language", "EN", "child.language", "ISO 639", "a child language in capitals" },
    { "child.language", "english", "child.language", "ISO 639", "a child language as a word" },
    { "child.language", "e", "child.language", "ISO 639", "a one-letter child language" },
    { "child.language", "en-GB", "child.language", "ISO 639", "a child language with a region" },
    { "child.language", "", "child.language", "ISO 639", "an empty child language" },
    { "family[0].language", "pl", NULL, NULL, "a family language pl" },
    { "family[0].language", "EN", "family[0].language", "ISO 639", "a family language in capitals" },
    { "family[0].language", "english", "family[0].language", "ISO 639", "a family language as a word" },
    { "family[0].language", "e1", "family[0].language", "ISO 639", "a family language with a digit" },

    //  Clock times.
    { "meeting_preferences.earliest", "24:00", "meeting_preferences.earliest", "HH:MM", "earliest 24:00" },
    { "meeting_preferences.earliest", "9:30", "meeting_preferences.earliest", "HH:MM", "earliest 9:30" },
    { "meeting_preferences.earliest", "09:60", "meeting_preferences.earliest", "HH:MM", "earliest 09:60" },
    { "meeting_preferences.earliest", "09.30", "meeting_preferences.earliest", "HH:MM", "earliest 09.30" },
    { "meeting_preferences.earliest", "09:30:00", "meeting_preferences.earliest", "HH:MM",
      "earliest with seconds" },
    { "meeting_preferences.earliest", "00:00", NULL, NULL, "earliest midnight" },
    { "meeting_preferences.earliest", NULL, NULL, NULL, "no earliest" },
    { "meeting_preferences.latest", "24:00", "meeting_preferences.latest", "HH:MM", "latest 24:00" },
    { "meeting_preferences.latest", "9:30", "meeting_preferences.latest", "HH:MM", "latest 9:30" },
    { "meeting_preferences.latest", "15:60", "meeting_preferences.latest", "HH:MM", "latest 15:60" },
    { "meeting_preferences.latest", "23:59", NULL, NULL, "latest 23:59" },
    { "meeting_preferences.latest", "09:31", NULL, NULL, "latest a minute after earliest" },
    { "meeting_preferences.latest", "09:30", "meeting_preferences.latest", "not after", "latest equal to earliest" },
    { "meeting_preferences.latest", "09:00", "meeting_preferences.latest", "not after",
      "latest before earliest" },
    { "meeting_preferences.latest", NULL, NULL, NULL, "no latest" },

    //  Preferred contact needs the means of contact.
    { "family[0].email", NULL, "family[0].preferred_contact", "family[0].email",
      "preferred contact e-mail without an e-mail" },
};

static void
s_test_mutations (void)
{
    for (size_t i = 0; i < sizeof s_mutations / sizeof s_mutations [0]; i++) {
        const mutation_t *m = &s_mutations [i];
        fixture_t f;
        s_fixture (&f);
        char **slot = s_slot (&f, m->path);
        if (!slot) {
            ok (0, "referral: %s is a known path", m->path);
            continue;
        }
        *slot = (char *) m->value;
        if (m->field)
            s_rejects (&f, m->field, m->fragment, m->value, m->name);
        else
            s_accepts (&f, m->name);
    }
}

static void
s_test_referral (void)
{
    fixture_t f;
    s_fixture (&f);
    kw_field_errors_t errs;
    is_int (validate_referral (&f.body, TY, TM, TD, &errs), 0, "referral: the complete body is accepted");
    is_int ((int) errs.count, 0, "referral: no field named when valid");

    //  Every problem of a body at once, in the order of the body's parts.
    s_fixture (&f);
    f.referrer.name = NULL;
    f.child.nhs_number = "943476591";
    f.child.postcode = "ABCDEF";
    f.family [0].email = "not-an-address";
    f.consent.date = "2099-01-01";
    static const struct { const char *field; const char *fragment; } five [] = {
        { "referrer.name", "is required" }, { "child.nhs_number", "10 digits" },
        { "child.postcode", "not a UK postcode" }, { "family[0].email", "not an e-mail address" },
        { "consent.date", "in the future" }
    };
    is_int (validate_referral (&f.body, TY, TM, TD, &errs), -1, "referral: a body with five problems is rejected");
    is_int ((int) errs.count, 5, "referral: a body with five problems gets five errors");
    for (size_t i = 0; i < 5 && i < errs.count; i++)
        ok (strcmp (errs.items [i].field, five [i].field) == 0 && strstr (errs.items [i].message, five [i].fragment),
            "referral: error %zu of five is %s (%s: %s)", i, five [i].field, errs.items [i].field,
            errs.items [i].message);
    //  {"source": "professional"} alone: the three missing parts.
    Kw__ReferralBody bare = KW__REFERRAL_BODY__INIT;
    bare.has_source = 1;
    bare.source = KW__SOURCE__SOURCE_PROFESSIONAL;
    is_int (validate_referral (&bare, TY, TM, TD, &errs), -1, "referral: a body of a source alone is rejected");
    ok (errs.count == 3 && strcmp (errs.items [0].field, "referrer") == 0
        && strcmp (errs.items [1].field, "child") == 0 && strcmp (errs.items [2].field, "consent") == 0,
        "referral: a body of a source alone is told referrer, child and consent are required (%zu errors)",
        errs.count);

    //  The NHS number is stored as its ten digits.
    s_fixture (&f);
    f.child.nhs_number = "943 476-5919";
    kw_arena_t *arena = kw_arena_new (1024);
    ok (validate_referral (&f.body, TY, TM, TD, &errs) == 0
        && (validate_normalise (&f.body, arena), strcmp (f.child.nhs_number, "9434765919") == 0),
        "referral: an NHS number written 943 476-5919 is stored as 9434765919");
    kw_arena_destroy (&arena);

    //  Missing parts.
    s_fixture (&f);
    f.body.has_source = 0;
    s_rejects (&f, "source", "is required", NULL, "no source");
    s_fixture (&f);
    f.body.referrer = NULL;
    s_rejects (&f, "referrer", "is required", NULL, "no referrer");
    s_fixture (&f);
    f.body.child = NULL;
    s_rejects (&f, "child", "is required", NULL, "no child");
    s_fixture (&f);
    f.body.consent = NULL;
    s_rejects (&f, "consent", "is required", NULL, "no consent");
    s_fixture (&f);
    f.consent.has_basis = 0;
    s_rejects (&f, "consent.basis", "is required", NULL, "consent without a basis");
    s_fixture (&f);
    f.consent.basis = KW__CONSENT_BASIS__CONSENT_BASIS_OWN_CONSENT;
    s_accepts (&f, "consent on the child's own basis");
    f.consent.basis = KW__CONSENT_BASIS__CONSENT_BASIS_BEST_INTEREST;
    s_accepts (&f, "consent in the child's best interest");
    f.consent.given_by = NULL;
    s_accepts (&f, "consent without given_by");

    //  Optional parts.
    s_fixture (&f);
    f.body.needs = NULL;
    f.body.suggested_key_worker = NULL;
    f.body.meeting_preferences = NULL;
    f.body.n_professionals = 0;
    f.body.n_family = 0;
    s_accepts (&f, "a body with only the required parts");
    s_fixture (&f);
    f.needs.summary = NULL;
    s_accepts (&f, "needs without a summary");
    s_fixture (&f);
    f.meetings.n_days = 0;
    f.meetings.location = NULL;
    s_accepts (&f, "meeting preferences without days or location");

    //  A parent or carer suggested as key worker, named by their e-mail in the family list.
    s_fixture (&f);
    f.key_worker.has_family_member = 1;
    f.key_worker.family_member = 1;
    f.key_worker.email = "Juniper.Marlowe@example.org";
    s_accepts (&f, "a family member suggested as key worker, e-mail in any case");
    f.key_worker.family_member = 0;
    f.key_worker.email = "kw.one@example.org";
    s_accepts (&f, "family_member false suggests a professional");
    f.key_worker.family_member = 1;
    s_rejects (&f, "suggested_key_worker.email", "a member of family", NULL,
               "a family member suggested by an e-mail not in the family list");
    f.key_worker.email = NULL;
    s_rejects (&f, "suggested_key_worker.email", "is required to suggest a family member", NULL,
               "a family member suggested without an e-mail");
    s_fixture (&f);
    f.key_worker.has_family_member = 1;
    f.key_worker.family_member = 1;
    f.key_worker.email = "juniper.marlowe@example.org";
    f.body.n_family = 0;
    s_rejects (&f, "suggested_key_worker.email", "a member of family", NULL,
               "a family member suggested with no family list");

    //  Self-referral needs a way back to the family.
    s_fixture (&f);
    f.body.source = KW__SOURCE__SOURCE_SELF;
    s_accepts (&f, "a self-referral with e-mail and phone");
    f.referrer.email = NULL;
    f.referrer.phone = NULL;
    s_rejects (&f, "referrer.email", "referrer.phone", NULL, "a self-referral without e-mail or phone");
    f.referrer.email = "juniper.marlowe@example.org";
    s_accepts (&f, "a self-referral with only e-mail");
    f.referrer.email = NULL;
    f.referrer.phone = "07700 900123";
    s_accepts (&f, "a self-referral with only a phone");
    s_fixture (&f);
    f.referrer.email = NULL;
    f.referrer.phone = NULL;
    s_accepts (&f, "a professional referral without referrer e-mail or phone");
    f.body.source = KW__SOURCE__SOURCE_DSR;
    s_accepts (&f, "a DSR referral without referrer e-mail or phone");

    //  Preferred contact by sms or phone needs a phone; post needs an
    //  address (3 to 7 lines, each text), neither e-mail nor phone.
    s_fixture (&f);
    f.family [0].preferred_contact = "sms";
    f.family [0].phone = NULL;
    s_rejects (&f, "family[0].preferred_contact", "family[0].phone", NULL,
               "preferred contact sms without a phone");
    f.family [0].preferred_contact = "phone";
    s_rejects (&f, "family[0].preferred_contact", "family[0].phone", NULL,
               "preferred contact phone without a phone");
    f.family [0].preferred_contact = "email";
    s_accepts (&f, "preferred contact e-mail with only an e-mail");
    f.family [0].preferred_contact = "post";
    f.family [0].email = NULL;
    s_rejects (&f, "family[0].preferred_contact", "family[0].address", NULL,
               "preferred contact post without an address");
    static char *address [] = { "1 Letter Lane", "", "NR2 3TU", "4", "5", "6", "7", "8" };
    f.family [0].address = address;
    f.family [0].n_address = 2;
    s_rejects (&f, "family[0].address", "3 to 7 lines", NULL, "an address of two lines");
    f.family [0].n_address = 8;
    s_rejects (&f, "family[0].address", "3 to 7 lines", NULL, "an address of eight lines");
    f.family [0].n_address = 3;
    s_rejects (&f, "family[0].address[1]", "family[0].address[1]", NULL, "an address with a blank line");
    address [1] = "Norwich";
    s_accepts (&f, "preferred contact post with an address and neither e-mail nor phone");
    f.family [0].address = NULL;
    f.family [0].n_address = 0;
    f.family [0].preferred_contact = "sms";
    f.family [0].phone = "07700 900123";
    s_accepts (&f, "preferred contact sms with only a phone");

    //  Later entries of lists are checked and named by index.
    s_fixture (&f);
    f.body.n_family = 2;
    f.family [1].email = "not-an-address";
    s_rejects (&f, "family[1].email", "e-mail", "not-an-address", "the second family member's e-mail");
    s_fixture (&f);
    f.body.n_professionals = 5;
    f.professionals [4].discipline = "astronaut";
    s_rejects (&f, "professionals[4].discipline", "must be one of", "astronaut",
               "the fifth professional's discipline");

    //  Two problems: both reported, in the order of the body's parts.
    s_fixture (&f);
    f.child.postcode = "NR2 3T";
    f.consent.has_basis = 0;
    ok (validate_referral (&f.body, TY, TM, TD, &errs) == -1 && errs.count == 2
        && strcmp (errs.items [0].field, "child.postcode") == 0
        && strcmp (errs.items [1].field, "consent.basis") == 0,
        "referral: a bad postcode and no consent basis are both reported, the postcode first");

    //  Sizes of lists.
    s_fixture (&f);
    f.body.n_professionals = MAX_PROFESSIONALS;
    s_accepts (&f, "50 professionals");
    f.body.n_professionals = MAX_PROFESSIONALS + 1;
    s_rejects (&f, "professionals", "more than 50", NULL, "51 professionals");
    s_fixture (&f);
    f.body.n_family = MAX_FAMILY;
    s_accepts (&f, "20 family members");
    f.body.n_family = MAX_FAMILY + 1;
    s_rejects (&f, "family", "more than 20", NULL, "21 family members");

    static const char *const week [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    s_fixture (&f);
    for (size_t i = 0; i < 7; i++)
        f.days [i] = (char *) week [i];
    f.meetings.n_days = 7;
    s_accepts (&f, "all seven days");
    f.days [7] = "mon";
    f.meetings.n_days = 8;
    s_rejects (&f, "meeting_preferences.days", "more than 7", NULL, "eight days");
    f.days [7] = "fun";
    s_rejects (&f, "meeting_preferences.days", "more than 7", NULL, "eight days, the last unknown");
    f.meetings.n_days = 7;
    f.days [6] = "mon";
    s_rejects (&f, "meeting_preferences.days[6]", "repeats a day", NULL, "seven days, one repeated");
}

//  Every name each enumeration allows is accepted.
static void
s_test_enumerations (void)
{
    static const char *const disciplines [] = {
        "social_worker", "occupational_therapist", "speech_and_language_therapist", "physiotherapist",
        "special_educator", "teacher", "family_support_worker", "behaviour_specialist", "ld_nurse",
        "mh_nurse", "community_nurse", "health_visitor", "school_nurse", "psychologist", "psychiatrist",
        "paediatrician", "gp", "dietitian", "housing_officer", "youth_worker", "other"
    };
    static const char *const relationships [] = {
        "mother", "father", "parent", "step_parent", "foster_carer", "adoptive_parent", "guardian",
        "grandparent", "sibling", "aunt_or_uncle", "carer", "self", "other"
    };
    static const char *const contacts [] = { "email", "sms", "phone", "post" };
    static const char *const locations [] = { "home", "school", "clinic", "online", "other" };
    static const char *const days [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    fixture_t f;
    char name [96];
    for (size_t i = 0; i < sizeof disciplines / sizeof disciplines [0]; i++) {
        s_fixture (&f);
        f.professionals [1].discipline = (char *) disciplines [i];
        snprintf (name, sizeof name, "discipline %s", disciplines [i]);
        s_accepts (&f, name);
    }
    for (size_t i = 0; i < sizeof relationships / sizeof relationships [0]; i++) {
        s_fixture (&f);
        f.family [0].relationship = (char *) relationships [i];
        snprintf (name, sizeof name, "relationship %s", relationships [i]);
        s_accepts (&f, name);
    }
    for (size_t i = 0; i < sizeof contacts / sizeof contacts [0]; i++) {
        s_fixture (&f);
        f.family [0].preferred_contact = (char *) contacts [i];
        static char *address [] = { "1 Letter Lane", "Norwich", "NR2 3TU" };
        f.family [0].address = address;
        f.family [0].n_address = 3;
        snprintf (name, sizeof name, "preferred contact %s", contacts [i]);
        s_accepts (&f, name);
    }
    for (size_t i = 0; i < sizeof locations / sizeof locations [0]; i++) {
        s_fixture (&f);
        f.meetings.location = (char *) locations [i];
        snprintf (name, sizeof name, "location %s", locations [i]);
        s_accepts (&f, name);
    }
    for (size_t i = 0; i < sizeof days / sizeof days [0]; i++) {
        s_fixture (&f);
        f.days [0] = (char *) days [i];
        f.meetings.n_days = 1;
        snprintf (name, sizeof name, "day %s", days [i]);
        s_accepts (&f, name);
    }
}

int
main (void)
{
    s_fill (s_text_200, 200, 'x');
    s_fill (s_text_201, 201, 'x');
    s_fill (s_text_4000, 4000, 'y');
    s_fill (s_text_4001, 4001, 'y');

    s_test_nhs_number ();
    s_test_postcode ();
    s_test_email ();
    s_test_phone ();
    s_test_gp_practice ();
    s_test_past_date ();
    s_test_referral ();
    s_test_mutations ();
    s_test_enumerations ();
    return tap_done ();
}
