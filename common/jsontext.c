/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsontext.c: json-c's layout of empty containers, made version-independent (jsontext.h). */
#include "common/jsontext.h"

#include <stddef.h>

char *
qc_json_text_layout(char *text)
{
    char *w = text;

    if (!text)
        return NULL;
    for (const char *r = text; *r;) {
        char close = *r == '[' ? ']' : *r == '{' ? '}' : '\0';
        const char *p = r + 1;

        if (close && *p == '\n') {
            while (*p == '\n' || *p == ' ' || *p == '\t')
                p++;
            if (*p == close) {
                *w++ = *r;
                *w++ = close;
                r = p + 1;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = '\0';
    return text;
}
