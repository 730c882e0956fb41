/* SPDX-License-Identifier: MIT
 * Leaving no capability behind, even for a root caller. */
#pragma once

/* Locks the securebits so that uid 0 gains nothing at exec, empties the
 * bounding, ambient, inheritable, permitted and effective sets. In the
 * child, no allocation. Returns 0 or a negative errno. */
int caps_drop_all(void);
