/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path.c: emulator paths made absolute (path.h). */
#include "common/path.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first $PATH directory holding an executable regular file `name`. */
static char *
qc_path_search(const char *name, qc_error **err)
{
    const char *env = getenv("PATH");
    char *copy = strdup(env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL, *found = NULL;

    if (!copy) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *full = NULL;
        struct stat st;

        if (asprintf(&full, "%s/%s", *d ? d : ".", name) < 0) {
            free(copy);
            qc_error_set(err, QC_E_NOMEM, "out of memory");
            return NULL;
        }
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0 &&
            (found = qc_path_absolute(full, err)) == NULL && err && *err &&
            (*err)->code == QC_E_NOMEM) {
            free(full);
            free(copy);
            return NULL;
        }
        free(full);
    }
    free(copy);
    if (!found)
        qc_error_set(err, QC_E_NOTFOUND, "emulator '%s' not found in $PATH", name);
    return found;
}

char *
qc_path_absolute(const char *path, qc_error **err)
{
    char dir[PATH_MAX], *out = NULL;
    const char *slash, *base;
    size_t dlen;

    if (!path || !*path) {
        qc_error_set(err, QC_E_INVALID, "empty emulator path");
        return NULL;
    }
    if (!strchr(path, '/'))
        return qc_path_search(path, err);
    slash = strrchr(path, '/');
    base = slash + 1;
    dlen = (size_t) (slash - path);
    if (!*base) { /* "dir/": nothing to keep as the last component */
        if (!(out = strdup(path)))
            qc_error_set(err, QC_E_NOMEM, "out of memory");
        return out;
    }
    if (dlen == 0) {
        snprintf(dir, sizeof(dir), "/");
    } else if (dlen >= sizeof(dir)) {
        qc_error_set(err, QC_E_INVALID, "emulator path too long: %.64s...", path);
        return NULL;
    } else {
        char given[PATH_MAX];

        memcpy(given, path, dlen);
        given[dlen] = '\0';
        if (!realpath(given, dir)) {
            /* no such directory: keep it, made absolute, for the launch to say so */
            char cwd[PATH_MAX];
            if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
                out = strdup(path);
            else if (asprintf(&out, "%s/%s", cwd, path) < 0)
                out = NULL;
            if (!out)
                qc_error_set(err, QC_E_NOMEM, "out of memory");
            return out;
        }
    }
    if (asprintf(&out, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", base) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return out;
}
