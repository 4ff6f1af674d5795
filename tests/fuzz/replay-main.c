/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* replay-main.c: runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer.
 *
 * Usage: fuzz-replay-TARGET PATH...   (a directory stands for every regular file in it,
 * non-recursively, in name order; dot-files and README* are skipped). Prints one TAP line
 * per input; a crash ends the process, which the test harness reports with the input named
 * on the previous line of stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int qc_n;

static int
qc_replay_file(const char *path)
{
    FILE *f = fopen(path, "rbe");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        printf("not ok %d - %s: %s\n", ++qc_n, path, strerror(errno));
        return -1;
    }
    do {
        if (cap - len < 65536) {
            uint8_t *nb = realloc(buf, cap + 65536);
            if (!nb) {
                fclose(f);
                free(buf);
                printf("not ok %d - %s: out of memory\n", ++qc_n, path);
                return -1;
            }
            buf = nb;
            cap += 65536;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    fprintf(stderr, "replaying %s (%zu bytes)\n", path, len);
    fflush(stderr);
    /* An exact-size copy, so that ASan sees reads past the end as libFuzzer would. */
    {
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
            free(buf);
            printf("not ok %d - %s: out of memory\n", ++qc_n, path);
            return -1;
        }
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    printf("ok %d - %s\n", ++qc_n, path);
    fflush(stdout);
    return 0;
}

static int
qc_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static int
qc_replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;

    if (!d) {
        printf("not ok %d - %s: %s\n", ++qc_n, dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d))) {
        char **nn;
        if (de->d_name[0] == '.' || !strncmp(de->d_name, "README", 6))
            continue;
        nn = realloc(names, (n + 1) * sizeof(*names));
        if (!nn)
            break;
        names = nn;
        if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
            break;
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), qc_name_cmp);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && qc_replay_file(names[i]) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc |= qc_replay_dir(argv[i]);
        else
            rc |= qc_replay_file(argv[i]);
    }
    printf("1..%d\n", qc_n);
    return rc ? 1 : 0;
}
