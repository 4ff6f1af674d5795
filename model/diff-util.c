/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-util.c: the small comparison helpers every group of a model diff shares: a change
 * per string, number, name list or list-valued attribute that differs, and its detail
 * sentence (libc only). */
#include "model/diff-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers --------------------------------------------------------------------- */

bool
qc_streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

const char *
qc_yesno(bool b)
{
    return b ? "yes" : "no";
}

const char *
qc_tri_name(qc_tristate t)
{
    return t == QC_TRI_YES ? "yes" : t == QC_TRI_NO ? "no" : NULL;
}

int
qc_detail(qc_diff_change *c, qc_error **err, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (!c)
        return -1;
    free(c->detail);
    c->detail = NULL;
    va_start(ap, fmt);
    r = vasprintf(&c->detail, fmt, ap);
    va_end(ap);
    if (r < 0) {
        c->detail = NULL;
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    return 0;
}

/* l's members joined by sep. Caller frees; NULL on OOM. */
char *
qc_join(const qc_strlist *l, const char *sep)
{
    size_t len = 1, sl = strlen(sep);
    char *s, *p;

    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + sl;
    if (!(s = malloc(len)))
        return NULL;
    p = s;
    *p = '\0';
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i]);

        if (i) {
            memcpy(p, sep, sl);
            p += sl;
        }
        memcpy(p, l->v[i], n + 1);
        p += n;
    }
    return s;
}

int
qc_copy_sorted(qc_strlist *dst, const qc_strlist *src, qc_error **err)
{
    for (size_t i = 0; i < src->n; i++) {
        if (qc_strlist_add(dst, src->v[i], err) < 0)
            return -1;
    }
    qc_strlist_sort(dst);
    qc_strlist_uniq(dst);
    return 0;
}

/* Fills c->added / c->removed with the set difference of two lists (any order). */
static int
qc_set_diff(qc_diff_change *c, const qc_strlist *o, const qc_strlist *n, qc_error **err)
{
    qc_strlist so = {0}, sn = {0};
    int rc = -1;

    if (qc_copy_sorted(&so, o, err) < 0 || qc_copy_sorted(&sn, n, err) < 0)
        goto out;
    for (size_t i = 0; i < sn.n; i++) {
        if (!qc_strlist_bsearch(&so, sn.v[i]) && qc_strlist_add(&c->added, sn.v[i], err) < 0)
            goto out;
    }
    for (size_t i = 0; i < so.n; i++) {
        if (!qc_strlist_bsearch(&sn, so.v[i]) && qc_strlist_add(&c->removed, so.v[i], err) < 0)
            goto out;
    }
    rc = 0;
out:
    qc_strlist_clear(&so);
    qc_strlist_clear(&sn);
    return rc;
}

/* One ADDED or REMOVED change per member of one list only (any order). */
int
qc_diff_names(qc_diff *d, qc_diff_group g, const char *scope, const qc_strlist *o,
              const qc_strlist *n, qc_error **err)
{
    qc_diff_change c = {0};
    int rc = -1;

    if (qc_set_diff(&c, o, n, err) < 0)
        goto out;
    for (size_t i = 0; i < c.added.n; i++) {
        if (!qc_diff_add(d, g, QC_DIFF_ADDED, scope, c.added.v[i], NULL, NULL, NULL, err))
            goto out;
    }
    for (size_t i = 0; i < c.removed.n; i++) {
        if (!qc_diff_add(d, g, QC_DIFF_REMOVED, scope, c.removed.v[i], NULL, NULL, NULL, err))
            goto out;
    }
    rc = 0;
out:
    qc_diff_change_clear(&c);
    return rc;
}

/* A CHANGED change when the two strings differ; both NULL-safe ("(none)" to a reader). */
int
qc_diff_str(qc_diff *d, qc_diff_group g, const char *scope, const char *name, const char *attribute,
            const char *o, const char *n, int rank, qc_error **err)
{
    qc_diff_change *c;

    if (qc_streq(o, n))
        return 0;
    if (!(c = qc_diff_add(d, g, QC_DIFF_CHANGED, scope, name, attribute, o, n, err)))
        return -1;
    c->rank = rank;
    return 0;
}

int
qc_diff_int(qc_diff *d, qc_diff_group g, const char *scope, const char *name, const char *attribute,
            long long o, long long n, qc_error **err)
{
    char so[32], sn[32];

    if (o == n)
        return 0;
    snprintf(so, sizeof(so), "%lld", o);
    snprintf(sn, sizeof(sn), "%lld", n);
    return qc_diff_str(d, g, scope, name, attribute, so, sn, 0, err);
}

/* "+a +b -c": what a list gained and lost. Caller frees; NULL on OOM. */
static char *
qc_plus_minus(const qc_strlist *added, const qc_strlist *removed)
{
    size_t len = 1;
    char *s, *p;

    for (size_t i = 0; i < added->n; i++)
        len += strlen(added->v[i]) + 2;
    for (size_t i = 0; i < removed->n; i++)
        len += strlen(removed->v[i]) + 2;
    if (!(s = malloc(len)))
        return NULL;
    p = s;
    for (size_t i = 0; i < added->n + removed->n; i++) {
        bool plus = i < added->n;
        const char *v = plus ? added->v[i] : removed->v[i - added->n];

        p += sprintf(p, "%s%c%s", i ? " " : "", plus ? '+' : '-', v);
    }
    *p = '\0';
    return s;
}

/* A list-valued attribute: one CHANGED change listing what was gained and lost. */
int
qc_diff_list_attr(qc_diff *d, qc_diff_group g, const char *scope, const char *name,
                  const char *attribute, const qc_strlist *o, const qc_strlist *n, qc_error **err)
{
    qc_autofree char *pm = NULL;
    qc_diff_change c = {0}, *k;
    int rc = -1;

    if (qc_set_diff(&c, o, n, err) < 0)
        goto out;
    rc = 0;
    if (!c.added.n && !c.removed.n)
        goto out;
    rc = -1;
    if (!(k = qc_diff_add(d, g, QC_DIFF_CHANGED, scope, name, attribute, NULL, NULL, err)))
        goto out;
    k->added = c.added;
    k->removed = c.removed;
    memset(&c, 0, sizeof(c));
    if (!(pm = qc_plus_minus(&k->added, &k->removed))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto out;
    }
    rc = qc_detail(k, err, "%s%s%s", attribute ? attribute : "", attribute ? " " : "", pm);
out:
    qc_diff_change_clear(&c);
    return rc;
}
