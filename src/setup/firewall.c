/* SPDX-License-Identifier: MIT */
#include "setup/firewall.h"

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/macro.h"

char *firewall_ruleset(const marker *m) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        /* add + delete + define in one buffer: one transaction that
         * replaces the table whether or not it existed. */
        fprintf(f, "table %s %s\ndelete table %s %s\n", CORRAL_NFT_FAMILY, CORRAL_NFT_TABLE, CORRAL_NFT_FAMILY,
                CORRAL_NFT_TABLE);
        fprintf(f, "table %s %s {\n", CORRAL_NFT_FAMILY, CORRAL_NFT_TABLE);
        fprintf(f, "\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n");
        fprintf(f, "\t\tmeta skuid %u jump offline\n\t}\n", (unsigned)m->users[IDENTITY_OFFLINE].uid);
        fprintf(f, "\tchain offline {\n");
        fprintf(f, "\t\tip daddr %s meta l4proto tcp reject with tcp reset\n", CORRAL_NFT_CANARY);
        if (m->allow_loopback)
                fprintf(f, "\t\toifname \"lo\" accept\n");
        else if (m->n_ports > 0) {
                fprintf(f, "\t\toifname \"lo\" tcp dport { ");
                for (int i = 0; i < m->n_ports; i++)
                        fprintf(f, "%s%u", i ? ", " : "", m->ports[i]);
                fprintf(f, " } accept\n");
        }
        fprintf(f, "\t\tmeta l4proto tcp reject with tcp reset\n\t\treject\n\t}\n}\n");
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

/* Runs one nft command buffer; on success *out (if non-NULL) holds its
 * output. */
static int nft_run(const char *cmd, char **out, corral_error *err) {
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return error_set(err, -ENOMEM, "libnftables: cannot create a context");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        int r = 0;
        if (nft_run_cmd_from_buffer(ctx, cmd) != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                r = error_set(err, strstr(e, "No such file") ? -ENOENT : -EIO, "nftables: %s",
                              e && *e ? e : "the command failed");
                /* one line is enough */
                char *nl = strchr(err ? err->msg : "", '\n');
                if (nl)
                        *nl = 0;
        } else if (out && !(*out = strdup(nft_ctx_get_output_buffer(ctx))))
                r = oom(err);
        nft_ctx_free(ctx);
        return r;
}

static const char list_cmd[] = "list table " CORRAL_NFT_FAMILY " " CORRAL_NFT_TABLE;

int firewall_apply(const marker *m, corral_error *err) {
        _cleanup_free_ char *rules = firewall_ruleset(m);
        _cleanup_free_ char *listing = NULL;
        if (!rules)
                return oom(err);
        int r = nft_run(rules, NULL, err);
        if (r < 0 || (r = nft_run(list_cmd, &listing, err)) < 0)
                return r;
        int fd = open(FIREWALL_SNAPSHOT ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        size_t len = strlen(listing);
        if (fd < 0 || write(fd, listing, len) != (ssize_t)len || fsync(fd) < 0 || close(fd) < 0 ||
            rename(FIREWALL_SNAPSHOT ".tmp", FIREWALL_SNAPSHOT) < 0)
                return error_set(err, -errno, "cannot write %s: %s", FIREWALL_SNAPSHOT, strerror(errno));
        return 0;
}

int firewall_check(corral_error *err) {
        _cleanup_free_ char *listing = NULL;
        int r = nft_run(list_cmd, &listing, err);
        if (r < 0)
                return r == -ENOENT ? error_set(err, -ENOENT, "the nftables table %s %s is not loaded", CORRAL_NFT_FAMILY,
                                                CORRAL_NFT_TABLE)
                                    : r;
        char snap[16384];
        int fd = open(FIREWALL_SNAPSHOT, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n = fd < 0 ? -1 : read(fd, snap, sizeof(snap) - 1);
        if (fd >= 0)
                close(fd);
        if (n < 0)
                return error_set(err, -ESTALE, "%s is missing: cannot compare the loaded rules", FIREWALL_SNAPSHOT);
        snap[n] = 0;
        if (strcmp(snap, listing) != 0)
                return error_set(err, -ESTALE, "the loaded table %s %s differs from what setup installed (%s)",
                                 CORRAL_NFT_FAMILY, CORRAL_NFT_TABLE, FIREWALL_SNAPSHOT);
        return 0;
}

int firewall_remove(corral_error *err) {
        int r = nft_run("table " CORRAL_NFT_FAMILY " " CORRAL_NFT_TABLE "\ndelete table " CORRAL_NFT_FAMILY
                        " " CORRAL_NFT_TABLE "\n",
                        NULL, err);
        unlink(FIREWALL_SNAPSHOT);
        return r;
}
