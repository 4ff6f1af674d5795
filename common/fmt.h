/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fmt.h: numbers and strings appended to a caller's buffer, for the paths where printf's
 * cost shows: a cached capabilities query formats some 150 signatures of 26 entries, and
 * snprintf()/asprintf() were a third of its instructions.
 *
 * Contract: each function writes at p (which the caller sized: QC_FMT_U64_MAX bytes per
 * number is always enough) and returns the end of what it wrote; nothing is
 * NUL-terminated but by qc_fmt_end(). The digits are printf's: qc_fmt_hex() as "%llx",
 * qc_fmt_hex_pad(p, v, 16) as "%016llx", qc_fmt_dec() as "%lld", qc_fmt_dec_pad(p, v, 9) as
 * "%09llu".
 */
#ifndef QC_COMMON_FMT_H
#define QC_COMMON_FMT_H

#include <stdint.h>
#include <string.h>

#define QC_FMT_U64_MAX 21 /* "-9223372036854775808", or 20 decimal digits */

static inline char *
qc_fmt_str(char *p, const char *s)
{
    size_t n = strlen(s);

    memcpy(p, s, n);
    return p + n;
}

static inline char *
qc_fmt_char(char *p, char ch)
{
    *p = ch;
    return p + 1;
}

/* v in `base` (10 or 16), at least `width` digits (zero-padded). */
static inline char *
qc_fmt_digits(char *p, uint64_t v, unsigned base, int width)
{
    char tmp[QC_FMT_U64_MAX];
    int n = 0;

    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n < width && n < (int) sizeof(tmp))
        tmp[n++] = '0';
    while (n)
        *p++ = tmp[--n];
    return p;
}

static inline char *
qc_fmt_hex(char *p, uint64_t v)
{
    return qc_fmt_digits(p, v, 16, 1);
}

static inline char *
qc_fmt_hex_pad(char *p, uint64_t v, int width)
{
    return qc_fmt_digits(p, v, 16, width);
}

static inline char *
qc_fmt_dec_pad(char *p, uint64_t v, int width)
{
    return qc_fmt_digits(p, v, 10, width);
}

static inline char *
qc_fmt_dec(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return qc_fmt_digits(p, (uint64_t) 0 - (uint64_t) v, 10, 1);
    }
    return qc_fmt_digits(p, (uint64_t) v, 10, 1);
}

static inline char *
qc_fmt_end(char *p)
{
    *p = '\0';
    return p;
}

#endif
