/* SPDX-License-Identifier: MIT */
#include "proxy/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockaddr.h"

typedef struct job {
        struct job *next;
        resolve_result res;
        char name[256];
} job;

struct resolver {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        job *todo, *todo_tail, *done;
        int pipe[2];
        unsigned refs;  /* the owner + each live worker */
        bool stopping;
};

static void unref_locked(resolver *r) {
        if (--r->refs > 0) {
                pthread_mutex_unlock(&r->lock);
                return;
        }
        for (job *j = r->todo, *n; j; j = n) {
                n = j->next;
                free(j);
        }
        for (job *j = r->done, *n; j; j = n) {
                n = j->next;
                free(j);
        }
        close(r->pipe[0]);
        close(r->pipe[1]);
        pthread_mutex_unlock(&r->lock);
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->cond);
        free(r);
}

static void lookup(job *j) {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
        struct addrinfo *ai = NULL;
        j->res.gai_error = getaddrinfo(j->name, NULL, &hints, &ai);
        for (struct addrinfo *p = ai; p && j->res.n < RESOLVER_MAX_ADDRS; p = p->ai_next) {
                net_addr a;
                if (!net_addr_from_sockaddr(p->ai_addr, &a))
                        continue;
                bool dup = false;
                for (size_t i = 0; i < j->res.n && !dup; i++)
                        dup = net_addr_equal(&j->res.addrs[i], &a);
                if (!dup)
                        j->res.addrs[j->res.n++] = a;
        }
        if (ai)
                freeaddrinfo(ai);
}

static void *worker(void *arg) {
        resolver *r = arg;
        pthread_mutex_lock(&r->lock);
        for (;;) {
                while (!r->todo && !r->stopping)
                        pthread_cond_wait(&r->cond, &r->lock);
                if (r->stopping)
                        break;
                job *j = r->todo;
                r->todo = j->next;
                if (!r->todo)
                        r->todo_tail = NULL;
                pthread_mutex_unlock(&r->lock);
                lookup(j);
                pthread_mutex_lock(&r->lock);
                if (r->stopping) {
                        free(j);
                        break;
                }
                j->next = r->done;
                r->done = j;
                (void)!write(r->pipe[1], "r", 1);
        }
        unref_locked(r);
        return NULL;
}

int resolver_new(unsigned n_threads, resolver **ret) {
        resolver *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
                int e = -errno;
                free(r);
                return e;
        }
        pthread_mutex_init(&r->lock, NULL);
        pthread_cond_init(&r->cond, NULL);
        r->refs = 1;
        /* The workers never take signals: the supervisor's signalfd does. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, (size_t)256 * 1024);
        int err = 0;
        for (unsigned i = 0; i < n_threads; i++) {
                pthread_t t;
                pthread_mutex_lock(&r->lock);
                r->refs++;
                pthread_mutex_unlock(&r->lock);
                if ((err = pthread_create(&t, &attr, worker, r)) != 0) {
                        pthread_mutex_lock(&r->lock);
                        r->refs--;
                        pthread_mutex_unlock(&r->lock);
                        break;
                }
        }
        pthread_attr_destroy(&attr);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (err) {
                resolver_free(r);
                return -err;
        }
        *ret = r;
        return 0;
}

int resolver_fd(const resolver *r) { return r->pipe[0]; }

int resolver_submit(resolver *r, const char *name, uint64_t tag) {
        job *j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        j->res.tag = tag;
        strncpy(j->name, name, sizeof(j->name) - 1);
        pthread_mutex_lock(&r->lock);
        if (r->todo_tail)
                r->todo_tail->next = j;
        else
                r->todo = j;
        r->todo_tail = j;
        pthread_cond_signal(&r->cond);
        pthread_mutex_unlock(&r->lock);
        return 0;
}

int resolver_take(resolver *r, resolve_result *out) {
        char buf[64];
        pthread_mutex_lock(&r->lock);
        job *j = r->done;
        if (j)
                r->done = j->next;
        else
                while (read(r->pipe[0], buf, sizeof(buf)) > 0)
                        ;
        pthread_mutex_unlock(&r->lock);
        if (!j)
                return 0;
        *out = j->res;
        free(j);
        return 1;
}

void resolver_free(resolver *r) {
        if (!r)
                return;
        pthread_mutex_lock(&r->lock);
        r->stopping = true;
        pthread_cond_broadcast(&r->cond);
        unref_locked(r);
}
