/* SPDX-License-Identifier: MIT */
#include "doctor/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/macro.h"

static void request_freep(corral_request **req) { corral_request_free(*req); }
static void sandbox_freep(corral_sandbox **sb) { corral_sandbox_free(*sb); }

/* fd 0 as it was before the probe got it (saved: a copy of it, or -1). */
static void stdin_restorep(int *saved) {
        if (*saved >= 0) {
                dup2(*saved, STDIN_FILENO);
                closep(saved);
        }
}

int doctor_capture(const char *ws, const char *backend, const char *network, char *const argv[], int stdin_fd,
                   char *out, size_t len, int *exit_code, corral_error *err) {
        _cleanup_(request_freep) corral_request *req = corral_request_new();
        _cleanup_(sandbox_freep) corral_sandbox *sb = NULL;
        _cleanup_close_pair_ int pipefd[2] = {-1, -1};
        _cleanup_close_ int saved = -1;
        _cleanup_(stdin_restorep) int saved_in = -1; /* (put back first, before the sandbox goes) */
        int r;
        out[0] = 0;
        if (!req)
                return oom(err);
        if ((r = corral_request_set(req, "workspace", ws, err)) < 0 ||
            (r = corral_request_set(req, "no_workspace_config", "true", err)) < 0 ||
            (r = corral_request_set(req, "backend", backend, err)) < 0 ||
            (r = corral_request_set(req, "network", network, err)) < 0 ||
            (r = corral_request_set(req, "tmp", "private", err)) < 0 ||
            /* the probes' own refusals are what doctor checks, not for the report */
            (r = corral_request_set(req, "report_denials", "off", err)) < 0 ||
            (r = corral_request_set_command(req, argv)) < 0 || (r = corral_sandbox_new(req, &sb, err)) < 0)
                return r;
        if (pipe2(pipefd, O_CLOEXEC) < 0 || (saved = dup(STDOUT_FILENO)) < 0)
                return error_set(err, -errno, "cannot capture the probe's output: %s", strerror(errno));
        /* (saved_in is read by its cleanup, which the analysers do not model) */
        // cppcheck-suppress unreadVariable
        if (stdin_fd >= 0 && ((saved_in = dup(STDIN_FILENO)) < 0 || dup2(stdin_fd, STDIN_FILENO) < 0)) // NOLINT(clang-analyzer-deadcode.DeadStores)
                return error_set(err, -errno, "cannot hand the probe its standard input: %s", strerror(errno));
        /* The sandbox writes to our fd 1: point it at the pipe for the run. */
        fflush(stdout);
        dup2(pipefd[1], STDOUT_FILENO);
        closep(&pipefd[1]);
        corral_status st;
        r = corral_sandbox_run(sb, false, &st, err);
        dup2(saved, STDOUT_FILENO);
        if (r < 0)
                return r;
        *exit_code = st.exit_code;
        ssize_t n = read(pipefd[0], out, len - 1);
        out[n > 0 ? n : 0] = 0;
        return r;
}
