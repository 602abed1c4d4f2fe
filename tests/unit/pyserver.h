/*  pyserver: the unit tests' helper for the local protocol servers under
    tests/tools (Python): start one on a free port, talk to its control
    routes, stop it. */
#ifndef KW_PYSERVER_H
#define KW_PYSERVER_H

#include <sys/types.h>

//  Start python3 script with args (NULL-terminated) and "--port 0"; wait
//  for its "port N" line. The child's pid and *port, or -1.
pid_t pyserver_start (const char *script, const char *const *args, int *port);
//  SIGTERM the server and reap it.
void pyserver_stop (pid_t pid);
//  A blocking HTTP request to 127.0.0.1:port (body NULL for none, sent as
//  JSON). The answer's body (caller frees) and *status, or NULL.
char *pyserver_http (int port, const char *method, const char *path, const char *body, long *status);

#endif
