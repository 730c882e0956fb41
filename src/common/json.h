/* SPDX-License-Identifier: MIT
 * Writing JSON strings and string arrays. Portable. */
#pragma once

#include <stdio.h>

#include "common/strv.h"

void json_put_string(FILE *f, const char *s); /* quoted and escaped; NULL prints null */
void json_strv(FILE *f, const strv *s);       /* ["a","b"] */
