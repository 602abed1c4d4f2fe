/*  pyserver: start, query and stop a tests/tools protocol server. The
    server runs in its own process group, so that stopping it also stops a
    python3 behind a wrapper script. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>
#include "kw_buf.h"
#include "pyserver.h"

pid_t
pyserver_start (const char *script, const char *const *args, int *port)
{
    int fds [2];
    if (pipe (fds) != 0)
        return -1;
    pid_t pid = fork ();
    if (pid == 0) {
        setpgid (0, 0);
        prctl (PR_SET_PDEATHSIG, SIGTERM);
        const char *argv [32] = { "python3", script };
        int n = 2;
        for (int i = 0; args && args [i] && n < 28; i++)
            argv [n++] = args [i];
        argv [n++] = "--port";
        argv [n++] = "0";
        argv [n] = NULL;
        dup2 (fds [1], 1);
        close (fds [0]);
        close (fds [1]);
        execvp ("python3", (char *const *) argv);
        _exit (127);
    }
    close (fds [1]);
    FILE *out = fdopen (fds [0], "r");
    char line [64] = "";
    if (!out || !fgets (line, sizeof line, out) || sscanf (line, "port %d", port) != 1) {
        if (out)
            fclose (out);
        pyserver_stop (pid);
        return -1;
    }
    fclose (out);
    return pid;
}

void
pyserver_stop (pid_t pid)
{
    if (pid <= 0)
        return;
    kill (-pid, SIGTERM);
    waitpid (pid, NULL, 0);
}

static size_t
s_collect (char *data, size_t size, size_t count, void *arg)
{
    kw_buf_append (arg, data, size * count);
    return size * count;
}

char *
pyserver_http (int port, const char *method, const char *path, const char *body, long *status)
{
    CURL *easy = curl_easy_init ();
    if (!easy)
        return NULL;
    char url [256];
    snprintf (url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    kw_buf_t answer = { 0 };
    struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json");
    curl_easy_setopt (easy, CURLOPT_URL, url);
    curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
    if (body)
        curl_easy_setopt (easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT, 20L);
    CURLcode code = curl_easy_perform (easy);
    curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all (headers);
    curl_easy_cleanup (easy);
    if (code != CURLE_OK) {
        kw_buf_free (&answer);
        return NULL;
    }
    kw_buf_append (&answer, "", 1);
    return answer.data;
}
