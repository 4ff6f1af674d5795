/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fileio.c: common/fileio.h: the whole-file reader and the atomic writer, with their
 * failure paths (missing file, symlink, not a regular file, over the limit, unwritable
 * directory, a rename that fails) and what each leaves behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/fileio.h"
#include "tests/cli/runner.h"

typedef struct qc_t {
    char *dir;
    int dirfd;
} qc_t;

static int
qc_t_setup(void **state)
{
    qc_t *t = calloc(1, sizeof(*t));

    if (!t || !(t->dir = qc_make_tmpdir("fileio")))
        return -1;
    if ((t->dirfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    *state = t;
    return 0;
}

static int
qc_t_teardown(void **state)
{
    qc_t *t = *state;

    close(t->dirfd);
    qc_rmtree(t->dir);
    free(t->dir);
    free(t);
    return 0;
}

static char *
qc_t_path(const qc_t *t, const char *name)
{
    return qc_xasprintf("%s/%s", t->dir, name);
}

static void
qc_t_put(const qc_t *t, const char *name, const char *text)
{
    char *p = qc_t_path(t, name);

    assert_int_equal(qc_write_file(p, text, 0644), 0);
    free(p);
}

/* The number of names in the directory ending in ".new". */
static int
qc_t_temps(const qc_t *t)
{
    DIR *d = opendir(t->dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        n += len > 4 && strcmp(e->d_name + len - 4, ".new") == 0;
    }
    closedir(d);
    return n;
}

static void
qc_expect_err(qc_error *err, qc_error_code code, int sys_errno, const char *needle)
{
    assert_non_null(err);
    assert_int_equal(err->code, code);
    if (sys_errno)
        assert_int_equal(err->sys_errno, sys_errno);
    if (!strstr(err->message, needle))
        fail_msg("error '%s' lacks '%s'", err->message, needle);
}

/* ---- reading ------------------------------------------------------------------------- */

static void
t_read_whole(void **state)
{
    qc_t *t = *state;
    qc_error *err = NULL;
    char *data = NULL, *big = malloc(100001), *p;
    size_t len = 0;

    qc_t_put(t, "a", "one\ntwo\n");
    assert_int_equal(qc_file_read(t->dirfd, "a", QC_READ_REGULAR, 1024, &data, &len, &err), 0);
    assert_int_equal(len, 8);
    assert_string_equal(data, "one\ntwo\n");
    free(data);
    /* exactly the limit is fine; a path with AT_FDCWD is the same file */
    p = qc_t_path(t, "a");
    assert_int_equal(qc_file_read(AT_FDCWD, p, 0, 8, &data, &len, &err), 0);
    assert_int_equal(len, 8);
    free(data);
    free(p);
    /* an empty file is "" */
    qc_t_put(t, "empty", "");
    assert_int_equal(qc_file_read(t->dirfd, "empty", 0, 0, &data, &len, &err), 0);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);
    /* larger than one chunk */
    memset(big, 'x', 100000);
    big[100000] = '\0';
    qc_t_put(t, "big", big);
    assert_int_equal(qc_file_read(t->dirfd, "big", 0, 1 << 20, &data, &len, &err), 0);
    assert_int_equal(len, 100000);
    assert_memory_equal(data, big, 100000);
    free(data);
    free(big);
    assert_null(err);
}

static void
t_read_lines(void **state)
{
    qc_t *t = *state;
    qc_error *err = NULL;
    char *data = NULL;
    size_t len = 0;
    int fd;

    qc_t_put(t, "l", "h\nguests\nmodel\n");
    assert_true((fd = openat(t->dirfd, "l", O_RDONLY | O_CLOEXEC)) >= 0);
    assert_int_equal(qc_fd_read(fd, "l", 0, 1024, 2, &data, &len, &err), 0);
    close(fd);
    /* at least two lines (one small file is one read: all of it) */
    assert_true(len >= 9);
    assert_memory_equal(data, "h\nguests\n", 9);
    assert_int_equal(data[len], '\0');
    free(data);
    /* more lines than the file has: all of it */
    assert_true((fd = openat(t->dirfd, "l", O_RDONLY | O_CLOEXEC)) >= 0);
    assert_int_equal(qc_fd_read(fd, "l", 0, 1024, 9, &data, &len, &err), 0);
    close(fd);
    assert_int_equal(len, 15);
    free(data);
    assert_null(err);
}

/* A pipe has no size: read to its end, in short reads, and the limit still holds. */
static void
t_read_pipe(void **state)
{
    qc_error *err = NULL;
    char *data = NULL;
    size_t len = 0;
    int p[2];
    pid_t pid;

    (void) state;
    for (int over = 0; over < 2; over++) {
        assert_int_equal(pipe(p), 0);
        if ((pid = fork()) == 0) {
            close(p[0]);
            for (int i = 0; i < 50; i++)
                if (qc_write_all(p[1], "0123456789", 10) < 0)
                    _exit(1);
            _exit(0);
        }
        close(p[1]);
        if (!over) {
            assert_int_equal(qc_fd_read(p[0], "pipe", 0, 500, 0, &data, &len, &err), 0);
            assert_int_equal(len, 500);
            assert_memory_equal(data + 490, "0123456789", 10);
            free(data);
        } else {
            assert_int_equal(qc_fd_read(p[0], "pipe", 0, 499, 0, &data, &len, &err), -1);
            qc_expect_err(err, QC_E_FORMAT, 0, "'pipe' is larger than 499 bytes");
            qc_error_free(err);
            err = NULL;
        }
        close(p[0]);
        waitpid(pid, NULL, 0);
    }
    /* QC_READ_REGULAR refuses it */
    assert_int_equal(pipe(p), 0);
    assert_int_equal(qc_fd_read(p[0], "pipe", QC_READ_REGULAR, 10, 0, &data, &len, &err), -1);
    qc_expect_err(err, QC_E_INVALID, 0, "'pipe' is not a regular file");
    qc_error_free(err);
    close(p[0]);
    close(p[1]);
}

static void
t_read_failures(void **state)
{
    qc_t *t = *state;
    qc_error *err = NULL;
    char *data = (char *) "untouched", *p;
    size_t len = 7;

    /* missing: QC_E_SYSTEM with ENOENT, naming the file */
    assert_int_equal(qc_file_read(t->dirfd, "nope", 0, 10, &data, &len, &err), -1);
    qc_expect_err(err, QC_E_SYSTEM, ENOENT, "cannot open 'nope'");
    qc_error_free(err);
    err = NULL;
    /* over the limit, by its size */
    qc_t_put(t, "a", "0123456789");
    assert_int_equal(qc_file_read(t->dirfd, "a", 0, 9, &data, &len, &err), -1);
    qc_expect_err(err, QC_E_FORMAT, 0, "'a' is larger than 9 bytes");
    qc_error_free(err);
    err = NULL;
    /* a symlink, refused with NOFOLLOW and followed without */
    p = qc_t_path(t, "a");
    assert_int_equal(symlinkat(p, t->dirfd, "link"), 0);
    free(p);
    assert_int_equal(qc_file_read(t->dirfd, "link", QC_READ_NOFOLLOW, 99, &data, &len, &err), -1);
    qc_expect_err(err, QC_E_SYSTEM, ELOOP, "cannot open 'link'");
    qc_error_free(err);
    err = NULL;
    assert_string_equal(data, "untouched");
    assert_int_equal(len, 7);
    assert_int_equal(qc_file_read(t->dirfd, "link", 0, 99, &data, &len, &err), 0);
    assert_string_equal(data, "0123456789");
    free(data);
    /* a FIFO is refused by REGULAR without blocking on the open; a directory too */
    assert_int_equal(mkfifoat(t->dirfd, "fifo", 0600), 0);
    assert_int_equal(qc_file_read(t->dirfd, "fifo", QC_READ_REGULAR, 99, &data, &len, &err), -1);
    qc_expect_err(err, QC_E_INVALID, 0, "'fifo' is not a regular file");
    qc_error_free(err);
    err = NULL;
    assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
    assert_int_equal(qc_file_read(t->dirfd, "sub", QC_READ_REGULAR, 99, &data, &len, &err), -1);
    qc_expect_err(err, QC_E_INVALID, 0, "'sub' is not a regular file");
    qc_error_free(err);
    /* errors may be dropped */
    assert_int_equal(qc_file_read(t->dirfd, "nope", 0, 10, &data, &len, NULL), -1);
}

/* ---- writing ------------------------------------------------------------------------- */

static void
t_write_atomic(void **state)
{
    qc_t *t = *state;
    qc_error *err = NULL;
    struct iovec iov[3] = {{(void *) "head", 4}, {(void *) "\n", 1}, {(void *) "body\n", 5}};
    char *p = qc_t_path(t, "out"), *text;
    struct stat st;
    mode_t old = umask(077);

    for (int sync = QC_SYNC_NONE; sync <= QC_SYNC_DIR; sync++) {
        assert_int_equal(qc_file_write_atomic(t->dirfd, "out", iov, 3, 0644, (qc_sync) sync, &err),
                         0);
        assert_non_null(text = qc_read_file(p));
        assert_string_equal(text, "head\nbody\n");
        free(text);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644); /* whatever the umask */
        assert_int_equal(qc_t_temps(t), 0);
    }
    /* replaces what was there; AT_FDCWD with a path, syncing the path's directory */
    assert_int_equal(qc_file_write_atomic(AT_FDCWD, p, iov + 2, 1, 0600, QC_SYNC_DIR, &err), 0);
    assert_non_null(text = qc_read_file(p));
    assert_string_equal(text, "body\n");
    free(text);
    /* no buffers: an empty file */
    assert_int_equal(qc_file_write_atomic(t->dirfd, "out", NULL, 0, 0644, QC_SYNC_NONE, &err), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_null(err);
    assert_int_equal(qc_t_temps(t), 0);
    umask(old);
    free(p);
}

/* Many buffers (more than one writev takes at once) arrive whole and in order. */
static void
t_write_many(void **state)
{
    qc_t *t = *state;
    qc_error *err = NULL;
    struct iovec iov[40];
    char bufs[40][3], *p = qc_t_path(t, "many"), *text;

    for (int i = 0; i < 40; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "%02d", i);
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = 2;
    }
    assert_int_equal(qc_file_write_atomic(t->dirfd, "many", iov, 40, 0644, QC_SYNC_FILE, &err), 0);
    assert_non_null(text = qc_read_file(p));
    assert_int_equal(strlen(text), 80);
    assert_memory_equal(text, "000102", 6);
    assert_memory_equal(text + 74, "373839", 6);
    free(text);
    free(p);
}

static void
t_write_failures(void **state)
{
    qc_t *t = *state;
    qc_error *err = NULL;
    struct iovec iov = {(void *) "x", 1};
    int gone;

    /* a directory that no longer exists: nothing can be created in it */
    assert_int_equal(mkdirat(t->dirfd, "gone", 0755), 0);
    assert_true((gone = openat(t->dirfd, "gone", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0);
    assert_int_equal(unlinkat(t->dirfd, "gone", AT_REMOVEDIR), 0);
    assert_int_equal(qc_file_write_atomic(gone, "f", &iov, 1, 0644, QC_SYNC_DIR, &err), -1);
    qc_expect_err(err, QC_E_SYSTEM, ENOENT, "cannot create a file beside 'f'");
    qc_error_free(err);
    err = NULL;
    close(gone);
    /* an unwritable directory (root may write anywhere: then only the rest is checked) */
    assert_int_equal(mkdirat(t->dirfd, "ro", 0555), 0);
    if (geteuid() != 0) {
        char *p = qc_t_path(t, "ro/f");
        assert_int_equal(qc_file_write_atomic(AT_FDCWD, p, &iov, 1, 0644, QC_SYNC_NONE, &err), -1);
        qc_expect_err(err, QC_E_SYSTEM, EACCES, "cannot create a file beside '");
        qc_error_free(err);
        err = NULL;
        free(p);
    }
    /* the rename fails (a directory holds the name): the temporary file goes */
    assert_int_equal(mkdirat(t->dirfd, "dir", 0755), 0);
    assert_int_equal(mkdirat(t->dirfd, "dir/keep", 0755), 0);
    assert_int_equal(qc_file_write_atomic(t->dirfd, "dir", &iov, 1, 0644, QC_SYNC_FILE, &err), -1);
    qc_expect_err(err, QC_E_SYSTEM, 0, "cannot rename 'dir.");
    assert_non_null(strstr(err->message, ".new' to 'dir'"));
    qc_error_free(err);
    assert_int_equal(qc_t_temps(t), 0);
    /* errors may be dropped */
    assert_int_equal(qc_file_write_atomic(t->dirfd, "dir", &iov, 1, 0644, QC_SYNC_NONE, NULL), -1);
    assert_int_equal(qc_t_temps(t), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_read_whole, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_read_lines, qc_t_setup, qc_t_teardown),
        cmocka_unit_test(t_read_pipe),
        cmocka_unit_test_setup_teardown(t_read_failures, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_write_atomic, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_write_many, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_write_failures, qc_t_setup, qc_t_teardown),
    };

    return cmocka_run_group_tests_name("fileio", tests, NULL, NULL);
}
