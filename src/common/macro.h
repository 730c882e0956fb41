/* SPDX-License-Identifier: MIT
 * Small helpers shared by every part of corral: cleanup attributes and
 * array sizes. Portable (builds with mingw-w64 too). */
#pragma once

#include <stdlib.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ __attribute__((cleanup(freep)))

#define _unused_ __attribute__((unused))

/* Hand ownership of a cleanup-managed pointer to the caller. */
#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _tp = (p); \
                (p) = NULL;              \
                _tp;                     \
        })
