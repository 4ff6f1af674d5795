/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn-time.c: the wall time of a command, taken as `hyperfine -N --output null` takes it,
 * for bench/run.sh where the suite ships no hyperfine (Debian testing "forky" has none).
 *
 *   spawn-time [--runs N] [--warmup W] -- CMD [ARG...]
 *
 * Runs CMD W times untimed, then N times timed (defaults: 10 and 0), without a shell:
 * posix_spawnp with stdin, stdout and stderr on /dev/null and this process's
 * environment, as hyperfine -N does. Each run's wall time is CLOCK_MONOTONIC from just
 * before the spawn to just after waitpid; one line per timed run on stdout, in
 * milliseconds (run.sh takes the median, min and max as it does of hyperfine's runs).
 * A run that fails (exit status not 0, or killed) fails the whole measurement, as it does
 * in hyperfine: exit status 1 and a message. Usage errors: exit status 2. libc only;
 * compiled by bench/run.sh with cc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static long
count(const char *s, const char *what)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > 100000) {
        fprintf(stderr, "spawn-time: %s needs a number from 0 to 100000, not '%s'\n", what, s);
        exit(2);
    }
    return v;
}

/* One run of argv; its wall time in ms, or exits on failure. */
static double
run(char **argv, const posix_spawn_file_actions_t *fa)
{
    double t0, t1;
    pid_t pid;
    int rc, status;

    t0 = now_ms();
    rc = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "spawn-time: cannot run %s: %s\n", argv[0], strerror(rc));
        exit(1);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "spawn-time: waitpid: %s\n", strerror(errno));
            exit(1);
        }
    }
    t1 = now_ms();
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "spawn-time: %s was killed by signal %d\n", argv[0], WTERMSIG(status));
        exit(1);
    }
    if (WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn-time: %s exited with status %d\n", argv[0], WEXITSTATUS(status));
        exit(1);
    }
    return t1 - t0;
}

int
main(int argc, char **argv)
{
    posix_spawn_file_actions_t fa;
    long runs = 10, warmup = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = count(argv[++i], "--runs");
        } else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc) {
            warmup = count(argv[++i], "--warmup");
        } else {
            fprintf(stderr, "usage: spawn-time [--runs N] [--warmup W] -- CMD [ARG...]\n");
            return 2;
        }
    }
    if (i >= argc || runs < 1) {
        fprintf(stderr, "usage: spawn-time [--runs N] [--warmup W] -- CMD [ARG...] (N >= 1)\n");
        return 2;
    }
    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0) {
        fprintf(stderr, "spawn-time: posix_spawn_file_actions: out of memory\n");
        return 1;
    }
    for (long w = 0; w < warmup; w++)
        run(argv + i, &fa);
    for (long r = 0; r < runs; r++)
        printf("%.3f\n", run(argv + i, &fa));
    posix_spawn_file_actions_destroy(&fa);
    return fflush(stdout) == 0 ? 0 : 1;
}
