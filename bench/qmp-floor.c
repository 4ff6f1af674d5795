/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-floor.c: the physical limit of a probe, for the benchmark (bench/run.sh).
 *
 *   qmp-floor [--runs N] [--accel kvm|tcg] [--batch FIXTURE] EMULATOR
 *
 * Starts EMULATOR the way qcaps does (-S -no-user-config -nodefaults -nographic
 * -machine none,accel=X, the QMP monitor on a listening unix socket passed as fd 3 with
 * the client already connected, a clean environment, its own process group), reads the
 * greeting, sends qmp_capabilities and quit, reads to EOF and reaps. One line per run on
 * stdout: the wall time in milliseconds.
 *
 * --batch FIXTURE: "the floor for the same queries". Every pass (section) of a qcaps
 * fixture (fixtures/qmp/caps_X.replies) is run at once, one QEMU per pass with that pass's
 * accelerator, as qcaps runs its KVM and TCG passes concurrently; after qmp_capabilities
 * each QEMU gets all the commands its section recorded in ONE write (a fixed pipelined
 * batch: no dependencies between phases, no parsing of the replies beyond counting them),
 * then quit. The wall time is from the first fork to the last reap.
 *
 * libc, and json-c only to read the fixture before anything is timed; compiled by
 * bench/run.sh with cc. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define MAX_PASSES 4
#define TIMEOUT_MS 120000

struct pass {
    char accel[8];
    char *cmds;     /* newline-separated compact commands, qmp_capabilities excluded */
    size_t cmds_len;
    int ncmds;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "qmp-floor: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- fixture: its commands, compact, per section ---------------------------------- */

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;

    if (!f)
        die("cannot open '%s': %s", path, strerror(errno));
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if (!(buf = realloc(buf, cap)))
                die("out of memory");
        }
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f))
        die("cannot read '%s'", path);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Appends one command, compact, to the pass's batch. */
static void
append_command(struct pass *p, json_object *cmd)
{
    const char *text = json_object_to_json_string_ext(
        cmd, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = text ? strlen(text) : 0;

    if (!text || !(p->cmds = realloc(p->cmds, p->cmds_len + n + 2)))
        die("out of memory");
    memcpy(p->cmds + p->cmds_len, text, n);
    p->cmds_len += n;
    p->cmds[p->cmds_len++] = '\n';
    p->cmds[p->cmds_len] = '\0';
    p->ncmds++;
}

static struct pass *
new_pass(struct pass *passes, int *np, const char *path, const char *accel)
{
    struct pass *p;

    if (*np == MAX_PASSES)
        die("'%s': too many sections", path);
    p = &passes[(*np)++];
    memset(p, 0, sizeof(*p));
    snprintf(p->accel, sizeof(p->accel), "%s", accel);
    return p;
}

/* The fixture is a sequence of JSON objects (qcaps' sectioned layout or libvirt's
 * .replies): every "execute" but qmp_capabilities goes to the batch of its section. */
static int
load_fixture(const char *path, struct pass *passes)
{
    size_t len;
    char *text = read_file(path, &len);
    const char *s = text;
    json_tokener *tok = json_tokener_new();
    struct pass *cur = NULL;
    int np = 0;

    if (!tok)
        die("out of memory");
    for (;;) {
        json_object *o, *v;
        while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
            s++;
        if (!*s)
            break;
        json_tokener_reset(tok);
        o = json_tokener_parse_ex(tok, s, (int) (len - (size_t) (s - text)));
        if (!o)
            die("'%s': not a sequence of JSON objects (at byte %zu)", path,
                (size_t) (s - text));
        s += json_tokener_get_parse_end(tok);
        if (json_object_object_get_ex(o, "qcaps-section", &v)) {
            cur = new_pass(passes, &np, path, json_object_get_string(v));
        } else if (json_object_object_get_ex(o, "execute", &v)) {
            if (!cur) /* libvirt layout: no sections, one pass */
                cur = new_pass(passes, &np, path, "tcg");
            if (strcmp(json_object_get_string(v), "qmp_capabilities") != 0)
                append_command(cur, o);
        }
        json_object_put(o);
    }
    json_tokener_free(tok);
    free(text);
    if (np == 0)
        die("'%s': no commands found", path);
    return np;
}

/* ---- one QEMU ----------------------------------------------------------------------- */

struct qemu {
    pid_t pid;
    int fd;
    char dir[64];
    char *buf;
    size_t len, cap;
};

static void
qemu_start(struct qemu *q, const char *binary, const char *accel)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int lfd, cfd, nfd;
    char machine[64];
    sigset_t all, old;

    snprintf(q->dir, sizeof(q->dir), "/tmp/qmp-floor-XXXXXX");
    if (!mkdtemp(q->dir))
        die("mkdtemp: %s", strerror(errno));
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/qmp.sock", q->dir);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *) &sun, sizeof(sun)) < 0 || listen(lfd, 1) < 0)
        die("QMP listener: %s", strerror(errno));
    /* Connected before fork: the connection waits in the backlog until QEMU accepts. */
    cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (cfd < 0 || connect(cfd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
        die("QMP connect: %s", strerror(errno));
    nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nfd < 0)
        die("/dev/null: %s", strerror(errno));
    snprintf(machine, sizeof(machine), "none,accel=%s", accel);
    char *argv[] = {(char *) binary, "-S", "-no-user-config", "-nodefaults", "-nographic",
                    "-machine", machine, "-chardev", "socket,id=qmp,fd=3,server=on,wait=on",
                    "-mon", "chardev=qmp,mode=control", NULL};
    char *envp[] = {"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL};

    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    q->pid = fork();
    if (q->pid < 0)
        die("fork: %s", strerror(errno));
    if (q->pid == 0) {
        sigset_t none;
        setpgid(0, 0);
        for (int s = 1; s < NSIG; s++)
            signal(s, SIG_DFL);
        /* fd 3 = the listener; 0-2 = /dev/null (as qcaps; its stderr goes to a file). */
        if (lfd != 3) {
            if (dup2(lfd, 3) < 0)
                _exit(127);
        } else {
            fcntl(3, F_SETFD, 0);
        }
        dup2(nfd, 0);
        dup2(nfd, 1);
        dup2(nfd, 2);
        closefrom(4);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(binary, argv, envp);
        _exit(127);
    }
    setpgid(q->pid, q->pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(lfd);
    close(nfd);
    q->fd = cfd;
    q->len = 0;
}

static void
qemu_write(struct qemu *q, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(q->fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write to QEMU: %s", strerror(errno));
        }
        s += w;
        n -= (size_t) w;
    }
}

/* Reads until `lines` complete non-event lines have arrived (0: until EOF). Replies
 * may be megabytes (query-qmp-schema), so the buffer only keeps the unfinished line. */
static void
qemu_read_lines(struct qemu *q, int lines)
{
    int got = 0;
    double deadline = now_ms() + TIMEOUT_MS;

    for (;;) {
        if (q->cap - q->len < 65536) {
            q->cap = q->cap ? q->cap * 2 : 1 << 20;
            if (!(q->buf = realloc(q->buf, q->cap)))
                die("out of memory");
        }
        struct pollfd pfd = {q->fd, POLLIN, 0};
        int left = (int) (deadline - now_ms());
        if (left <= 0)
            die("QEMU %d: timeout", (int) q->pid);
        if (poll(&pfd, 1, left) < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        ssize_t r = read(q->fd, q->buf + q->len, q->cap - q->len);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (errno == ECONNRESET && lines == 0)
                return;
            die("read from QEMU: %s", strerror(errno));
        }
        if (r == 0) {
            if (lines == 0)
                return;
            die("QEMU %d closed the monitor after %d of %d replies", (int) q->pid, got, lines);
        }
        q->len += (size_t) r;
        char *line = q->buf, *nl;
        while ((nl = memchr(line, '\n', q->len - (size_t) (line - q->buf)))) {
            if (strncmp(line, "{\"event\"", 8) != 0)
                got++;
            line = nl + 1;
        }
        q->len -= (size_t) (line - q->buf);
        memmove(q->buf, line, q->len);
        if (lines > 0 && got >= lines)
            return;
    }
}

static void
qemu_reap(struct qemu *q)
{
    int st;
    char path[96];

    close(q->fd);
    while (waitpid(q->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("QEMU %d did not exit cleanly (status 0x%x)", (int) q->pid, st);
    snprintf(path, sizeof(path), "%s/qmp.sock", q->dir);
    unlink(path);
    rmdir(q->dir);
    free(q->buf);
    q->buf = NULL;
    q->cap = q->len = 0;
}

static const char caps_cmd[] = "{\"execute\":\"qmp_capabilities\"}\n";
static const char quit_cmd[] = "{\"execute\":\"quit\"}\n";

/* One pass, in a child of ours so several passes run at once. */
static void
run_pass(const char *binary, const struct pass *p)
{
    struct qemu q = {0};

    qemu_start(&q, binary, p->accel);
    qemu_read_lines(&q, 1); /* greeting */
    qemu_write(&q, caps_cmd, sizeof(caps_cmd) - 1);
    qemu_read_lines(&q, 1);
    if (p->ncmds > 0) {
        qemu_write(&q, p->cmds, p->cmds_len);
        qemu_read_lines(&q, p->ncmds);
    }
    qemu_write(&q, quit_cmd, sizeof(quit_cmd) - 1);
    qemu_read_lines(&q, 0); /* the quit reply, then EOF */
    qemu_reap(&q);
}

int
main(int argc, char **argv)
{
    int runs = 1, np = 1;
    const char *accel = NULL, *batch = NULL, *binary = NULL;
    struct pass passes[MAX_PASSES] = {0};

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--accel") && i + 1 < argc)
            accel = argv[++i];
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = argv[++i];
        else if (argv[i][0] != '-' && !binary)
            binary = argv[i];
        else {
            fprintf(stderr, "usage: qmp-floor [--runs N] [--accel kvm|tcg] [--batch FIXTURE] "
                            "EMULATOR\n");
            return 1;
        }
    }
    if (!binary || runs < 1)
        die("an EMULATOR and --runs >= 1 are needed");
    if (access(binary, X_OK) < 0)
        die("'%s' is not executable", binary);
    if (batch) {
        np = load_fixture(batch, passes);
        if (accel) { /* only the pass(es) of that accelerator */
            int k = 0;
            for (int i = 0; i < np; i++)
                if (!strcmp(passes[i].accel, accel))
                    passes[k++] = passes[i];
            if (k == 0)
                die("'%s' has no %s section", batch, accel);
            np = k;
        }
    } else {
        snprintf(passes[0].accel, sizeof(passes[0].accel), "%s", accel ? accel : "tcg");
    }
    if (getenv("QMP_FLOOR_VERBOSE"))
        for (int i = 0; i < np; i++)
            fprintf(stderr, "pass %d: accel=%s, %d commands, %zu bytes\n", i, passes[i].accel,
                    passes[i].ncmds, passes[i].cmds_len);

    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        if (np == 1) {
            run_pass(binary, &passes[0]);
        } else {
            pid_t kids[MAX_PASSES];
            for (int i = 0; i < np; i++) {
                kids[i] = fork();
                if (kids[i] < 0)
                    die("fork: %s", strerror(errno));
                if (kids[i] == 0) {
                    run_pass(binary, &passes[i]);
                    _exit(0);
                }
            }
            for (int i = 0; i < np; i++) {
                int st;
                while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR)
                    ;
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                    die("pass %d (%s) failed", i, passes[i].accel);
            }
        }
        printf("%.3f\n", now_ms() - t0);
        fflush(stdout);
    }
    return 0;
}
