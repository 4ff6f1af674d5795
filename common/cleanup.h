/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cleanup.h: scope-bound cleanup helpers (clean under -Wpedantic: no statement expressions).
 *
 * Contract: QC_CLEANUP(fn) runs fn(&var) when var leaves scope; the *p variants accept NULL.
 * qc_steal(&p) returns p and sets it to NULL, so a cleanup attribute then sees NULL.
 */
#ifndef QC_COMMON_CLEANUP_H
#define QC_COMMON_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define QC_CLEANUP(f) __attribute__((cleanup(f)))
#define QC_DEFINE_CLEANUP(type, func)                                                          \
    static inline void func##p(type *p)                                                        \
    {                                                                                          \
        if (*p)                                                                                \
            func(*p);                                                                          \
    }                                                                                          \
    struct qc_allow_trailing_semicolon_

static inline void
qc_freep(void *p)
{
    free(*(void **) p);
}
#define qc_autofree QC_CLEANUP(qc_freep)

static inline void
qc_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}
#define qc_autoclose QC_CLEANUP(qc_closep)

static inline void *
qc_steal_(void *pp)
{
    void **p = pp;
    void *r = *p;
    *p = NULL;
    return r;
}
#define qc_steal(pp) (0 ? *(pp) : qc_steal_(pp)) /* keeps the type */

static inline int
qc_steal_fd(int *fd)
{
    int r = *fd;
    *fd = -1;
    return r;
}

#define QC_N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

#endif
