/*  kw_config: configuration from environment variables with loopback defaults.
    Each binary declares a table of kw_config_var_t; kw_config_load fills the
    values and handles --help (prints every variable, its default and meaning). */
#ifndef KW_CONFIG_H
#define KW_CONFIG_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    const char *name;           //  environment variable, e.g. "KW_BUS_PUB"
    const char *fallback;       //  default value, may be NULL (then required)
    const char *help;           //  one line for --help
    const char *value;          //  filled by kw_config_load; not owned by the caller
} kw_config_var_t;

//  Fill each var's value from the environment or its default. With --help in
//  argv prints usage to stdout and returns 1; on a missing required variable or
//  an unknown argument writes the reason to err and returns -1; else 0.
int kw_config_load (kw_config_var_t *vars, size_t count, const char *program,
                    const char *summary, int argc, char **argv,
                    char *err, size_t err_size);

//  Take the first argument equal to flag out of argv (argc is lowered, the
//  rest keep their order, argv [argc] stays NULL); 1 when it was there.
int kw_config_take (int *argc, char **argv, const char *flag);

//  Value of the named var in the table, or NULL.
const char *kw_config_get (const kw_config_var_t *vars, size_t count, const char *name);

//  Parse a positive integer value in [min, max]; returns -1 with a message on error.
int kw_config_int (const char *name, const char *value, long min, long max,
                   long *out, char *err, size_t err_size);

//  Parse "host:port" or "[v6]:port" (numeric host, port 1 to 65535) into
//  addr: 0, or -1 when it is not one.
int kw_config_addr (const char *text, struct sockaddr_storage *addr);

#endif
