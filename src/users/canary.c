/* SPDX-License-Identifier: MIT */
#include "users/canary.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/macro.h"
#include "users/marker.h"

int canary_check(corral_error *err) {
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        inet_pton(AF_INET, CORRAL_NFT_CANARY, &sa.sin_addr);
        _cleanup_close_ int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _cleanup_close_ int c = -1;
        if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *)&sa, &len) < 0 || (c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
                return error_set(err, -errno, "cannot test the firewall (a socket on %s): %s", CORRAL_NFT_CANARY,
                                 strerror(errno));
        if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0)
                return error_set(err, -ENOLINK,
                                 "the firewall rules for " CORRAL_USER_OFFLINE " are not loaded (table inet "
                                 CORRAL_NFT_TABLE "): refusing an offline run. `sudo corral-setup --check` reloads them");
        if (errno == ECONNREFUSED || errno == EPERM || errno == EACCES)
                return 0;
        return error_set(err, -errno, "cannot test the firewall (connect to %s): %s", CORRAL_NFT_CANARY,
                         strerror(errno));
}
