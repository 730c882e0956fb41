/* SPDX-License-Identifier: MIT */
#include "common/exitcode.h"

#include <sys/wait.h>

int exit_code_of_wait_status(int status, int *sig) {
        int s = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        if (sig)
                *sig = s;
        return s ? 128 + s : WEXITSTATUS(status);
}
