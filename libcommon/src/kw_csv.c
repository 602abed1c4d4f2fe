/*  kw_csv: CSV records read in place and the checks on a field's bytes
    (see kw_csv.h). */
#include <string.h>
#include "kw_csv.h"

//  Byte classes: what ends an unquoted field, and what the field scan
//  looks at (UTF-8 lead bytes by sequence length; 0x80 to 0xc1 and 0xf5 up
//  never start a sequence).
static const unsigned char s_csv_stop [256] = {
    [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1
};

enum { BYTE_ASCII, BYTE_CONTROL, BYTE_NUL, BYTE_QUOTE, BYTE_LEAD2, BYTE_LEAD3, BYTE_LEAD4,
       BYTE_INVALID };

static const unsigned char s_byte_class [256] = {
    [0x00] = BYTE_NUL,
    [0x01 ... 0x1f] = BYTE_CONTROL,
    ['"'] = BYTE_QUOTE,
    [0x7f] = BYTE_CONTROL,
    [0x80 ... 0xc1] = BYTE_INVALID,
    [0xc2 ... 0xdf] = BYTE_LEAD2,
    [0xe0 ... 0xef] = BYTE_LEAD3,
    [0xf0 ... 0xf4] = BYTE_LEAD4,
    [0xf5 ... 0xff] = BYTE_INVALID
};

static int
s_is_space (char c)
{
    return c == ' ' || c == '\t';
}

int
kw_csv_open (kw_csv_t *self, const char *data, size_t len, const char **problem)
{
    if (!data)
        len = 0;
    *self = (kw_csv_t) { data ? data : "", len, 0, 1 };
    if (len >= 2 && (((unsigned char) data [0] == 0xff && (unsigned char) data [1] == 0xfe)
                 ||  ((unsigned char) data [0] == 0xfe && (unsigned char) data [1] == 0xff))) {
        *problem = "the file is not UTF-8 text (it starts with a UTF-16 byte order mark)";
        return -1;
    }
    if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0) {
        self->data += 3;
        self->len -= 3;
    }
    return 0;
}

void
kw_csv_trim (const char **text, size_t *len)
{
    while (*len && s_is_space ((*text) [0])) {
        (*text)++;
        (*len)--;
    }
    while (*len && s_is_space ((*text) [*len - 1]))
        (*len)--;
}

void
kw_csv_scan (const char *text, size_t len, kw_csv_scan_t *scan)
{
    const unsigned char *s = (const unsigned char *) text;
    memset (scan, 0, sizeof *scan);
    scan->utf8 = 1;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s [i];
        switch (s_byte_class [c]) {
            case BYTE_ASCII:
                i++;
                continue;
            case BYTE_QUOTE:
                scan->quotes++;
                i++;
                continue;
            case BYTE_NUL:
                scan->nul = 1;
                scan->control = 1;
                i++;
                continue;
            case BYTE_CONTROL:
                scan->control = 1;
                i++;
                continue;
            case BYTE_LEAD2:
                if (i + 1 >= len || (s [i + 1] & 0xc0) != 0x80)
                    break;
                if (c == 0xc2 && s [i + 1] <= 0x9f)
                    scan->control = 1;
                i += 2;
                continue;
            case BYTE_LEAD3:
                if (i + 2 >= len || (s [i + 1] & 0xc0) != 0x80 || (s [i + 2] & 0xc0) != 0x80)
                    break;
                if ((c == 0xe0 && s [i + 1] < 0xa0) || (c == 0xed && s [i + 1] > 0x9f))
                    break;
                i += 3;
                continue;
            case BYTE_LEAD4:
                if (i + 3 >= len || (s [i + 1] & 0xc0) != 0x80 || (s [i + 2] & 0xc0) != 0x80
                ||  (s [i + 3] & 0xc0) != 0x80)
                    break;
                if ((c == 0xf0 && s [i + 1] < 0x90) || (c == 0xf4 && s [i + 1] > 0x8f))
                    break;
                i += 4;
                continue;
            default:
                break;
        }
        scan->utf8 = 0;
        i++;
    }
}

static int
s_csv_delimiter (char c)
{
    return c == ',' || c == '\r' || c == '\n';
}

//  Line ends (LF, CRLF or a lone CR) in text; text is followed by a quote
//  or the end of the input, so a CR at its end stands alone.
static size_t
s_count_lines (const char *text, size_t len)
{
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        if (text [i] == '\n' || (text [i] == '\r' && (i + 1 == len || text [i + 1] != '\n')))
            lines++;
    return lines;
}

int
kw_csv_next (kw_csv_t *csv, kw_csv_record_t *rec)
{
    const char *data = csv->data;
    size_t end = csv->len;
    size_t pos = csv->pos;
    if (pos >= end)
        return -1;
    kw_csv_field_t spare;
    size_t lines = 0;
    rec->count = 0;
    rec->line = csv->line;
    rec->problem = NULL;
    rec->problem_field = 0;
    rec->first_quoted = 0;
    for (;;) {
        kw_csv_field_t *v = rec->count < KW_CSV_MAX_FIELDS ? &rec->fields [rec->count] : &spare;
        v->escaped = 0;
        size_t q = pos;
        while (q < end && s_is_space (data [q]))
            q++;
        if (q < end && data [q] == '"') {
            if (rec->count == 0)
                rec->first_quoted = 1;
            size_t open = ++q;
            size_t close;
            for (;;) {
                const char *quote = memchr (data + q, '"', end - q);
                size_t stop = quote ? (size_t) (quote - data) : end;
                lines += s_count_lines (data + q, stop - q);
                if (!quote) {
                    if (!rec->problem) {
                        rec->problem = "a quoted field is not closed before the end of the file";
                        rec->problem_field = rec->count;
                    }
                    close = q = end;
                    break;
                }
                if (stop + 1 < end && data [stop + 1] == '"') {
                    v->escaped = 1;
                    q = stop + 2;
                    continue;
                }
                close = stop;
                q = stop + 1;
                break;
            }
            v->text = data + open;
            v->len = close - open;
            while (q < end && s_is_space (data [q]))
                q++;
            if (q < end && !s_csv_delimiter (data [q])) {
                if (!rec->problem) {
                    rec->problem = "a quoted field has text after its closing quote";
                    rec->problem_field = rec->count;
                }
                while (q < end && !s_csv_delimiter (data [q]))
                    q++;
            }
        }
        else {
            q = pos;
            for (;;) {
                while (q < end && !s_csv_stop [(unsigned char) data [q]])
                    q++;
                if (q < end && data [q] == '"') {
                    if (!rec->problem) {
                        rec->problem = "a quote inside an unquoted field (quote the whole field"
                                       " and double the quote)";
                        rec->problem_field = rec->count;
                    }
                    q++;
                    continue;
                }
                break;
            }
            v->text = data + pos;
            v->len = q - pos;
        }
        rec->count++;
        pos = q;
        if (pos >= end)
            break;
        char c = data [pos++];
        if (c == ',')
            continue;
        if (c == '\r' && pos < end && data [pos] == '\n')
            pos++;
        lines++;
        break;
    }
    csv->pos = pos;
    csv->line += lines;
    return 0;
}

int
kw_csv_blank (const kw_csv_record_t *rec)
{
    if (rec->count != 1 || rec->first_quoted || rec->problem)
        return 0;
    const char *text = rec->fields [0].text;
    size_t len = rec->fields [0].len;
    kw_csv_trim (&text, &len);
    return len == 0;
}

void
kw_csv_copy (const char *text, size_t raw_len, int escaped, size_t len, char *dest)
{
    if (!escaped)
        memcpy (dest, text, len);
    else {
        size_t out = 0;
        for (size_t i = 0; i < raw_len && out < len; i++) {
            dest [out++] = text [i];
            if (text [i] == '"')
                i++;
        }
    }
    dest [len] = 0;
}
