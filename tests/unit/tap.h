/*  tap: a minimal Test Anything Protocol harness for the unit tests.
    ok(cond, name...) prints "ok N - name" or "not ok N - name" with the
    location; tap_done() prints the plan "1..N" and returns the exit status. */
#ifndef KW_TAP_H
#define KW_TAP_H

int tap_ok (int passed, const char *file, int line, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
int tap_is_str (const char *got, const char *want, const char *file, int line,
                const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
int tap_is_int (long long got, long long want, const char *file, int line,
                const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
void tap_diag (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
//  Print the plan; 0 when every test passed, else 1.
int tap_done (void);
//  The test stack's database (KW_TEST_DB_URL); without one, a failed test
//  and the plan are printed and the program exits 1.
const char *tap_db_url (void);

#define ok(cond, ...) tap_ok (!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str ((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int ((long long) (got), (long long) (want), __FILE__, __LINE__, __VA_ARGS__)

#endif
