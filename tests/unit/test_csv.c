/*  test_csv: the CSV reader of the file imports (kw_csv). A table of
    inputs, each read record by record and written back as
    "line:field|field" (values unquoted, "!problem" when the record has
    one): quoting, embedded commas, quotes and line breaks, every line end,
    the byte order mark, blank lines, text after a closing quote, a quote
    never closed; then the byte scan (UTF-8, NUL, control characters,
    quotes), trimming, blank records, more fields than are kept, and the
    UTF-16 refusal. */
#include <stdio.h>
#include <string.h>
#include "kw_csv.h"
#include "tap.h"

//  Every record of data as "line:f1|f2;line:..." in out.
static void
s_read (const char *data, size_t len, char *out, size_t size)
{
    kw_csv_t csv;
    const char *problem = NULL;
    size_t n = 0;
    out [0] = 0;
    if (kw_csv_open (&csv, data, len, &problem) != 0) {
        snprintf (out, size, "refused: %s", problem);
        return;
    }
    kw_csv_record_t rec;
    while (kw_csv_next (&csv, &rec) == 0) {
        n += (size_t) snprintf (out + n, size - n, "%s%zu:", n ? ";" : "", rec.line);
        for (size_t i = 0; i < rec.count && i < KW_CSV_MAX_FIELDS; i++) {
            const kw_csv_field_t *f = &rec.fields [i];
            size_t quotes = 0;
            for (size_t k = 0; f->escaped && k < f->len; k++)
                quotes += f->text [k] == '"';
            char value [256];
            kw_csv_copy (f->text, f->len, f->escaped, f->len - quotes / 2, value);
            n += (size_t) snprintf (out + n, size - n, "%s%s", i ? "|" : "", value);
        }
        if (rec.problem)
            n += (size_t) snprintf (out + n, size - n, "!%zu", rec.problem_field);
    }
}

static const struct {
    const char *in;
    const char *want;
    const char *what;
} s_rows [] = {
    { "a,b,c\n1,2,3\n", "1:a|b|c;2:1|2|3", "two plain records, LF" },
    { "a,b\r\n1,2\r\n", "1:a|b;2:1|2", "CRLF" },
    { "a,b\r1,2\r", "1:a|b;2:1|2", "a lone CR" },
    { "a,b\n1,2", "1:a|b;2:1|2", "no line end at the end" },
    { "\xef\xbb\xbf" "a,b\n", "1:a|b", "a UTF-8 byte order mark is skipped" },
    { "a,,c\n,\n", "1:a||c;2:|", "empty fields" },
    { "\"a,b\",c\n", "1:a,b|c", "a comma inside quotes" },
    { "\"say \"\"hi\"\"\",x\n", "1:say \"hi\"|x", "doubled quotes" },
    { "\"two\nlines\",x\n2,y\n", "1:two\nlines|x;3:2|y", "a line break inside quotes counts its line" },
    { "\"cr\r\nlf\",x\r\n2,y\r\n", "1:cr\r\nlf|x;3:2|y", "CRLF inside quotes" },
    { "  \"spaced\"  ,b\n", "1:spaced|b", "spaces around a quoted field" },
    { " a , b \n", "1: a | b ", "spaces around an unquoted field are kept (trim is separate)" },
    { "a\n\nb\n", "1:a;2:;3:b", "a blank line is a record of one empty field" },
    { "\"open,b\nc,d\n", "1:open,b\nc,d\n!0", "a quote never closed takes the rest of the file" },
    { "\"a\"x,b\n2\n", "1:a|b!0;2:2", "text after a closing quote" },
    { "a\"b,c\n", "1:a\"b|c!0", "a quote inside an unquoted field" },
    { "x,\"y\"z\n", "1:x|y!1", "the problem names its field" },
    { "", "", "nothing" },
    { "\"\"\n", "1:", "an empty quoted field" },
};

int
main (void)
{
    char out [4096];
    for (size_t i = 0; i < sizeof s_rows / sizeof s_rows [0]; i++) {
        s_read (s_rows [i].in, strlen (s_rows [i].in), out, sizeof out);
        is_str (out, s_rows [i].want, "%s", s_rows [i].what);
    }
    s_read ("\xff\xfe" "a\0,\0", 6, out, sizeof out);
    ok (strncmp (out, "refused: ", 9) == 0 && strstr (out, "UTF-16"), "UTF-16 (LE) is refused: %s", out);
    s_read ("\xfe\xff\0a", 4, out, sizeof out);
    ok (strncmp (out, "refused: ", 9) == 0, "UTF-16 (BE) is refused");
    s_read ("a,b\0c,d\n", 8, out, sizeof out);
    is_str (out, "1:a|b|d", "a NUL byte is read as part of a field (the scan reports it)");

    //  Blank records and the kept fields.
    kw_csv_t csv;
    kw_csv_record_t rec;
    const char *problem;
    const char *blank = " \t\n\"\"\nx\n";
    kw_csv_open (&csv, blank, strlen (blank), &problem);
    kw_csv_next (&csv, &rec);
    ok (kw_csv_blank (&rec), "spaces and tabs only: blank");
    kw_csv_next (&csv, &rec);
    ok (!kw_csv_blank (&rec), "an empty quoted field is not blank");
    kw_csv_next (&csv, &rec);
    ok (!kw_csv_blank (&rec), "x is not blank");
    ok (kw_csv_next (&csv, &rec) == -1, "the end of the input");

    char wide [400];
    size_t n = 0;
    for (int i = 0; i < 70; i++)
        n += (size_t) snprintf (wide + n, sizeof wide - n, "%s%d", i ? "," : "", i);
    kw_csv_open (&csv, wide, n, &problem);
    kw_csv_next (&csv, &rec);
    ok (rec.count == 70 && rec.fields [KW_CSV_MAX_FIELDS - 1].len == 2
        && memcmp (rec.fields [KW_CSV_MAX_FIELDS - 1].text, "63", 2) == 0,
        "70 fields counted, the first %d kept", KW_CSV_MAX_FIELDS);

    //  Trimming.
    const char *t = " \t ab c\t ";
    size_t len = strlen (t);
    kw_csv_trim (&t, &len);
    ok (len == 4 && memcmp (t, "ab c", 4) == 0, "trim removes spaces and tabs at both ends only");
    t = "   ";
    len = 3;
    kw_csv_trim (&t, &len);
    ok (len == 0, "trim of spaces only is empty");

    //  The byte scan.
    static const struct {
        const char *s;
        size_t len;
        int utf8, nul, control;
        size_t quotes;
        const char *what;
    } scans [] = {
        { "plain ascii", 11, 1, 0, 0, 0, "ASCII" },
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, 1, 0, 0, 0, "2, 3 and 4 byte sequences" },
        { "a\"b\"\"c", 6, 1, 0, 0, 3, "quotes counted" },
        { "a\0b", 3, 1, 1, 1, 0, "NUL" },
        { "a\tb", 3, 1, 0, 1, 0, "a tab is a control character" },
        { "a\x7f", 2, 1, 0, 1, 0, "DEL" },
        { "\xc2\x85", 2, 1, 0, 1, 0, "a C1 control (U+0085)" },
        { "\xc2\xa0", 2, 1, 0, 0, 0, "U+00A0 is not a control" },
        { "\xc3", 1, 0, 0, 0, 0, "a truncated sequence" },
        { "\xc0\xaf", 2, 0, 0, 0, 0, "an overlong 2-byte form" },
        { "\xe0\x80\xaf", 3, 0, 0, 0, 0, "an overlong 3-byte form" },
        { "\xf0\x80\x80\xaf", 4, 0, 0, 0, 0, "an overlong 4-byte form" },
        { "\xed\xa0\x80", 3, 0, 0, 0, 0, "a surrogate" },
        { "\xf4\x90\x80\x80", 4, 0, 0, 0, 0, "past U+10FFFF" },
        { "\xff", 1, 0, 0, 0, 0, "0xff" },
        { "\x80" "a", 2, 0, 0, 0, 0, "a continuation byte alone" },
    };
    for (size_t i = 0; i < sizeof scans / sizeof scans [0]; i++) {
        kw_csv_scan_t scan;
        kw_csv_scan (scans [i].s, scans [i].len, &scan);
        ok (scan.utf8 == scans [i].utf8 && scan.nul == scans [i].nul && scan.control == scans [i].control
            && scan.quotes == scans [i].quotes, "scan: %s (utf8 %d nul %d control %d quotes %zu)",
            scans [i].what, scan.utf8, scan.nul, scan.control, scan.quotes);
    }
    return tap_done ();
}
