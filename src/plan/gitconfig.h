/* SPDX-License-Identifier: MIT
 * git's config file syntax, parsed the way git's own parser does
 * (config.c: git_parse_source, get_base_var, get_extended_base_var,
 * get_value, parse_value): a BOM skipped, "\r\n" read as "\n", section and
 * key names lowercased, "[section \"sub\"]" keeping the subsection's case,
 * values trimmed, quoted, escaped and continued as git does, comments after
 * '#' or ';' outside quotes. Like git, it stops at the first syntax error:
 * git refuses the whole file then (and dies), so nothing after it takes
 * effect; every entry before the error has been handed to the callback. */
#pragma once

#include <stddef.h>

/* Called for each entry: key is "section.key" or "section.subsection.key"
 * (section and key lowercased), value NULL for a key without '=' (git's
 * boolean true). A negative return stops the parse and is returned. */
typedef int (*gitconfig_fn)(const char *key, const char *value, void *data);

/* 0 when the whole text parsed, -EINVAL at a syntax error (as git would),
 * -ENOMEM, or the callback's negative return. */
int gitconfig_parse(const char *text, size_t len, gitconfig_fn fn, void *data);
