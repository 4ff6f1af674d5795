/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsontext.c: json-c's output made version-independent (jsontext.h). */
#include "common/jsontext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Folds the empty containers in place. */
static void
qc_json_fold_empty(char *text)
{
    char *w = text;

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
}

/* The code point of the UTF-8 sequence at s (its length in *len), or -1 when s starts
 * no valid, shortest-form sequence (then *len is 1). */
static int32_t
qc_utf8_decode(const unsigned char *s, size_t *len)
{
    int32_t cp;
    size_t n;

    *len = 1;
    if (s[0] < 0xc2 || s[0] > 0xf4)
        return -1;
    n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *len = n;
    return cp;
}

char *
qc_json_text_layout(char *text)
{
    size_t extra = 0, len;
    char *out, *w;

    if (!text)
        return NULL;
    qc_json_fold_empty(text);
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        extra += *p >= 0x80 ? 12 : 0; /* at most two escapes of 6 per byte */
    if (!extra)
        return text;
    len = strlen(text);
    if (!(out = malloc(len + extra + 1))) {
        free(text);
        return NULL;
    }
    w = out;
    for (const unsigned char *p = (const unsigned char *) text; *p;) {
        size_t n;
        int32_t cp;

        if (*p < 0x80) {
            *w++ = (char) *p++;
            continue;
        }
        cp = qc_utf8_decode(p, &n);
        p += n;
        if (cp < 0)
            cp = 0xfffd;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            w += sprintf(w, "\\u%04x\\u%04x", (unsigned) (0xd800 + (cp >> 10)),
                         (unsigned) (0xdc00 + (cp & 0x3ff)));
        } else {
            w += sprintf(w, "\\u%04x", (unsigned) cp);
        }
    }
    *w = '\0';
    free(text);
    return out;
}
