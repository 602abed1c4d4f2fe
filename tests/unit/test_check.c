/*  test_check: the field checks every service applies to API input
    (kw_check). Tables of e-mail addresses, phone numbers, language codes
    and clock times, good and bad; text length and control characters (with
    and without line breaks allowed); required text, a value from a list;
    the field named and the value never echoed in an error. */
#include <stdio.h>
#include <string.h>
#include "kw_check.h"
#include "tap.h"

typedef struct {
    const char *s;
    int good;
} shape_t;

static const shape_t s_emails [] = {
    { "ann@example.org", 1 }, { "a.b+c@mail.example.co.uk", 1 }, { "x_y-z@a-b.io", 1 },
    { "a@b.c", 0 }, { "plainaddress", 0 }, { "@example.org", 0 }, { "ann@", 0 }, { "ann@example", 0 },
    { "ann@@example.org", 0 }, { "a@b@example.org", 0 }, { ".ann@example.org", 0 }, { "ann.@example.org", 0 },
    { "a..b@example.org", 0 }, { "ann@.example.org", 0 }, { "ann@-example.org", 0 }, { "ann@example.o1", 0 },
    { "ann smith@example.org", 0 }, { "ann@exa mple.org", 0 }, { "\"ann\"@example.org", 0 },
    { "ann@example.org\n", 0 }, { "ann@ex_ample.org", 0 }, { "\xc3\xa9@example.org", 0 },
    { "<ann@example.org>", 0 }, { "ann@example.org;drop", 0 }, { "", 0 },
};

static const shape_t s_phones [] = {
    { "01603 123456", 1 }, { "+44 1603 123456", 1 }, { "(01603) 123-456", 1 }, { "0160312345", 1 },
    { "+4416031234567890", 0 }, { "+441603123456789", 1 }, { "016031234", 0 }, { "01603 12345a", 0 }, { "01603+123456", 0 },
    { "++441603123456", 0 }, { "01603.123456", 0 }, { "", 0 }, { "0 1 6 0 3 1 2 3 4 5 6 7 8 9 0 1", 0 },
};

static const shape_t s_languages [] = {
    { "en", 1 }, { "pol", 1 }, { "e", 0 }, { "engl", 0 }, { "EN", 0 }, { "e1", 0 }, { "", 0 }, { "en ", 0 },
};

static const struct {
    const char *s;
    int minutes;                    //  -1: refused
} s_clocks [] = {
    { "00:00", 0 }, { "09:30", 570 }, { "23:59", 1439 }, { "24:00", -1 }, { "12:60", -1 }, { "9:30", -1 },
    { "09:3", -1 }, { "09-30", -1 }, { "0930", -1 }, { "09:30 ", -1 }, { "ab:cd", -1 }, { "", -1 },
};

static kw_field_errors_t s_errs;

//  An empty list for one check.
static kw_field_errors_t *
s_fresh (void)
{
    kw_field_errors_init (&s_errs);
    return &s_errs;
}

//  The last problem the check added (an empty one when none).
static const kw_field_error_t *
s_last (void)
{
    static const kw_field_error_t none = { 0, "", "" };
    return s_errs.count ? &s_errs.items [s_errs.count - 1] : &none;
}

int
main (void)
{
    for (size_t i = 0; i < sizeof s_emails / sizeof s_emails [0]; i++) {
        is_int (kw_check_email_shape (s_emails [i].s), s_emails [i].good, "e-mail %zu is %s", i,
                s_emails [i].good ? "an address" : "not an address");
        int rc = kw_check_email (s_emails [i].s, "email", s_fresh ());
        ok (s_emails [i].good ? rc == 0 : rc == -1 && strcmp (s_last ()->field, "email") == 0
                                        && (!*s_emails [i].s || !strstr (s_last ()->message, s_emails [i].s)),
            "e-mail %zu: kw_check_email agrees, names the field, does not echo the value", i);
    }
    char long_email [300];
    memset (long_email, 'a', 250);
    strcpy (long_email + 250, "@example.org");
    ok (!kw_check_email_shape (long_email) && kw_check_email (long_email, "email", s_fresh ()) == -1
        && strstr (s_last ()->message, "254"), "an e-mail of 262 characters is too long (%s)", s_last ()->message);
    char long_local [100];
    memset (long_local, 'a', 65);
    strcpy (long_local + 65, "@example.org");
    ok (!kw_check_email_shape (long_local), "a local part of 65 characters is too long");
    ok (kw_check_email (NULL, "email", s_fresh ()) == 0, "no e-mail is acceptable");

    for (size_t i = 0; i < sizeof s_phones / sizeof s_phones [0]; i++) {
        is_int (kw_check_phone_shape (s_phones [i].s), s_phones [i].good, "phone %zu (%s) is %s", i,
                s_phones [i].s, s_phones [i].good ? "a phone number" : "not a phone number");
        is_int (kw_check_phone (s_phones [i].s, "phone", s_fresh ()), s_phones [i].good ? 0 : -1,
                "phone %zu: kw_check_phone agrees", i);
    }
    ok (kw_check_phone (NULL, "phone", s_fresh ()) == 0, "no phone number is acceptable");

    for (size_t i = 0; i < sizeof s_languages / sizeof s_languages [0]; i++) {
        int rc = kw_check_language (s_languages [i].s, "languages[2]", s_fresh ());
        ok (s_languages [i].good ? rc == 0 : rc == -1 && strcmp (s_last ()->field, "languages[2]") == 0,
            "language \"%s\" is %s", s_languages [i].s, s_languages [i].good ? "a code" : "refused");
    }

    for (size_t i = 0; i < sizeof s_clocks / sizeof s_clocks [0]; i++) {
        int minutes = -2;
        int rc = kw_check_clock (s_clocks [i].s, "start", &minutes, s_fresh ());
        if (s_clocks [i].minutes >= 0)
            ok (rc == 0 && minutes == s_clocks [i].minutes, "clock %s is %d minutes (%d)", s_clocks [i].s,
                s_clocks [i].minutes, minutes);
        else
            ok (rc == -1 && strcmp (s_last ()->field, "start") == 0, "clock \"%s\" is refused", s_clocks [i].s);
    }
    int minutes = 0;
    ok (kw_check_clock (NULL, "start", &minutes, s_fresh ()) == 0 && minutes == -1, "no clock time is -1 minutes");

    //  Text: length, control characters, lines.
    char text [202];
    memset (text, 'x', 200);
    text [200] = 0;
    ok (kw_check_text (text, 200, "name", s_fresh ()) == 0, "200 characters of 200");
    text [200] = 'x';
    text [201] = 0;
    ok (kw_check_text (text, 200, "name", s_fresh ()) == -1 && strcmp (s_last ()->field, "name") == 0
        && strstr (s_last ()->message, "200"), "201 characters of 200 (%s)", s_last ()->message);
    ok (kw_check_text ("a\tb", 200, "name", s_fresh ()) == -1, "a tab is a control character in a line");
    ok (kw_check_text_lines ("a\tb\r\nc", 200, 1, "note", s_fresh ()) == 0, "tabs and line breaks in lines");
    ok (kw_check_text_lines ("a\x01" "b", 200, 1, "note", s_fresh ()) == -1 && strcmp (s_last ()->field, "note") == 0,
        "other control characters are refused in lines too");
    ok (kw_check_text ("a\x7f", 200, "name", s_fresh ()) == -1, "DEL is a control character");
    ok (kw_check_text ("caf\xc3\xa9 \xe2\x82\xac", 200, "name", s_fresh ()) == 0, "UTF-8 text is text");
    ok (kw_check_text (NULL, 200, "name", s_fresh ()) == 0, "no text is acceptable");

    ok (kw_check_blank (NULL) && kw_check_blank ("") && kw_check_blank (" \t\n") && !kw_check_blank (" a "),
        "blank: NULL, empty and white space only");
    ok (kw_check_required_text (" ", 200, "agency", s_fresh ()) == -1 && strcmp (s_last ()->field, "agency") == 0
        && strstr (s_last ()->message, "required"), "required text refuses white space (%s)", s_last ()->message);
    ok (kw_check_required_text (NULL, 200, "agency", s_fresh ()) == -1, "required text refuses none");
    ok (kw_check_required_text ("A\x02", 200, "agency", s_fresh ()) == -1
        && strstr (s_last ()->message, "control"), "required text is checked as text too (%s)", s_last ()->message);

    //  A value from a list: the error lists the values, not the one given.
    static const char *const colours [] = { "red", "green", NULL };
    ok (kw_check_one_of ("green", colours, "colour", s_fresh ()) == 0, "a value of the list");
    ok (kw_check_one_of (NULL, colours, "colour", s_fresh ()) == 0, "no value is acceptable");
    ok (kw_check_one_of ("Green", colours, "colour", s_fresh ()) == -1 && strstr (s_last ()->message, "red, green")
        && !strstr (s_last ()->message, "Green"), "a value not in the list, the list named (%s)", s_last ()->message);
    size_t disciplines = 0;
    while (kw_check_disciplines [disciplines])
        disciplines++;
    ok (disciplines == 21 && kw_check_one_of ("social_worker", kw_check_disciplines, "discipline", s_fresh ()) == 0
        && kw_check_one_of ("other", kw_check_disciplines, "discipline", s_fresh ()) == 0,
        "21 disciplines, social_worker and other among them");

    //  The list of problems: in order, bounded, counted beyond its bound.
    kw_field_errors_t *errs = s_fresh ();
    ok (kw_check_required_text (NULL, 10, "a", errs) == -1 && kw_check_email ("x", "b", errs) == -1
        && kw_check_text ("fine", 10, "c", errs) == 0 && errs->count == 2
        && strcmp (errs->items [0].field, "a") == 0 && strcmp (errs->items [1].field, "b") == 0
        && kw_field_errors_has (errs, "b") && !kw_field_errors_has (errs, "c"),
        "checks add their problems in order; a value that passes adds none");
    ok (kw_field_errors_add (errs, "f", "%s %d", "x", 1) == -1 && strcmp (s_last ()->field, "f") == 0
        && strcmp (s_last ()->message, "x 1") == 0 && s_last ()->line == 0,
        "kw_field_errors_add fills the field and the message");
    for (int i = 0; i < KW_FIELD_ERRORS_MAX + 2; i++)
        kw_field_errors_add (errs, "g", "more");
    ok (errs->count == KW_FIELD_ERRORS_MAX && errs->dropped == 5
        && kw_field_errors_found (errs) == KW_FIELD_ERRORS_MAX + 5,
        "the list keeps %d problems and counts the rest (%zu kept, %zu dropped)", KW_FIELD_ERRORS_MAX,
        errs->count, errs->dropped);
    kw_field_error_t one;
    ok (kw_field_error_set (&one, 7, NULL, "row %s", "bad") == -1 && one.line == 7 && !*one.field
        && strcmp (one.message, "row bad") == 0, "one problem: a file row's line, no field");
    return tap_done ();
}
