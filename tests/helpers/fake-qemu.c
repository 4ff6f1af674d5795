/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fake-qemu.c: a stand-in QEMU that speaks (or deliberately breaks) QMP for tests.
 *
 * Usage: fake-qemu --fake-mode MODE [QEMU-like options...]
 * The monitor comes from "-chardev socket,...,fd=N,..." (an inherited listening socket)
 * or "path=P" / "-qmp unix:P,..." (we listen ourselves); other options are ignored.
 * Modes:
 *   replay:FILE           answer every command from FILE (section = -machine accel=X,
 *                         else the first); a command FILE lacks gets CommandNotFound (as
 *                         from a QEMU without it) and a note on stderr; qmp_capabilities
 *                         and quit get {"return": {}} when not recorded; quit exits 0
 *   events:FILE           as replay, with an asynchronous event line before every reply
 *   crash-after:N:FILE    replay N commands after qmp_capabilities, then SIGSEGV on the next
 *   crash-mid-probe:FILE  crash-after:3:FILE
 *   hang-before-greeting  accept, then sleep forever
 *   greeting-then-hang    send a greeting, read but never answer
 *   close-mid-reply       handshake, then half a reply to the first command and exit 1
 *   hang-mid-reply        handshake, then half a reply to the first command and sleep
 *                         forever with the socket open
 *   huge-reply            handshake, then a ~100 MB reply line to the first command
 *   garbage               send non-JSON lines instead of a greeting
 *   invalid-utf8          a greeting whose "package" holds invalid UTF-8
 *   stderr-exit           write lines to stderr and exit 1 before accepting
 *   stderr-garbage-exit   accept, then write 64 KiB of binary garbage (NULs, invalid
 *                         UTF-8, escapes, no final newline) to stderr and exit 3
 *   print-garbage-exit    write garbage to stdout and exit 0
 *   dump-env:FILE         write argv, environment, open fds, pid/pgid and signal state to
 *                         FILE ("arg X", "env K=V", "fd N TARGET", "pid N", "pgid N",
 *                         "sigblk HEX", "sigign HEX" lines), then exit 0 without accepting
 * Without --fake-mode the mode is read from "<argv[0]>.fake-mode" (first line), for callers
 * that cannot pass arguments and must not go through a shell (which adds PWD).
 * Failures of the fake itself exit 99 with a message on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/cleanup.h"
#include "qmp/fixture.h"

#define FAKE_EXIT_FAILURE 99
#define FAKE_HUGE_BYTES ((size_t) 100 << 20)
#define FAKE_CHUNK ((size_t) 64 << 10)

extern char **environ;

typedef struct fake {
    const char *mode;        /* mode name, without its arguments */
    const char *file;        /* FILE argument, if any */
    long crash_after;        /* -1: never */
    bool send_events;
    const char *accel;       /* from -machine accel=, first of a:b list */
    int listen_fd;
    char *listen_path;
    int conn;
    char *inbuf;
    size_t inlen, incap;
    qc_fixture *fx;
    qc_fixture_cursor *cur;
    long n_commands;         /* answered, not counting qmp_capabilities */
    long n_events;
    int argc;
    char **argv;
} fake;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
    va_list ap;

    fputs("fake-qemu: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(FAKE_EXIT_FAILURE);
}

static void __attribute__((noreturn))
hang(void)
{
    for (;;)
        pause();
}

/* ---- argument parsing --------------------------------------------------------------- */

/* Value of `key=` inside a comma-separated option string, copied; NULL if absent. */
static char *
opt_value(const char *opts, const char *key)
{
    size_t klen = strlen(key);
    const char *p = opts;

    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t) (end - p) : strlen(p);

        if (len > klen && !strncmp(p, key, klen) && p[klen] == '=')
            return strndup(p + klen + 1, len - klen - 1);
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static void
parse_mode(fake *f, char *mode)
{
    char *colon = strchr(mode, ':');

    f->crash_after = -1;
    f->mode = mode;
    if (colon)
        *colon = '\0';
    if (!strcmp(mode, "crash-after")) {
        char *end;
        if (!colon || !(f->file = strchr(colon + 1, ':')))
            die("crash-after needs N:FILE");
        f->crash_after = strtol(colon + 1, &end, 10);
        if (end != f->file || f->crash_after < 0)
            die("bad crash-after count");
        f->file++;
        return;
    }
    if (colon)
        f->file = colon + 1;
    if (!strcmp(mode, "crash-mid-probe"))
        f->crash_after = 3;
    f->send_events = !strcmp(mode, "events");
}

/* Without --fake-mode, the mode is the first line of "<argv[0]>.fake-mode": tests that must
 * see the exact environment the launcher gives use a symlink instead of a shell wrapper
 * (dash adds PWD). */
static void
mode_from_file(fake *f, const char *argv0)
{
    qc_autofree char *path = NULL;
    char *line = NULL;
    size_t cap = 0;
    FILE *in;

    if (asprintf(&path, "%s.fake-mode", argv0) < 0)
        die("out of memory");
    in = fopen(path, "re");
    if (!in)
        die("no --fake-mode given and cannot read %s: %s", path, strerror(errno));
    if (getline(&line, &cap, in) <= 0)
        die("%s is empty", path);
    fclose(in);
    line[strcspn(line, "\r\n")] = '\0';
    parse_mode(f, line);   /* line is kept for the life of the process */
}

static void
parse_args(fake *f, int argc, char **argv)
{
    f->listen_fd = -1;
    f->conn = -1;
    f->argc = argc;
    f->argv = argv;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(a, "--fake-mode") && v) {
            parse_mode(f, argv[++i]);
        } else if ((!strcmp(a, "-machine") || !strcmp(a, "-M")) && v) {
            char *acc = opt_value(v, "accel");
            if (acc) {
                acc[strcspn(acc, ":")] = '\0';
                f->accel = acc;
            }
            i++;
        } else if (!strcmp(a, "-chardev") && v) {
            char *fd = opt_value(v, "fd");
            char *path = opt_value(v, "path");
            if (fd)
                f->listen_fd = atoi(fd);
            else if (path)
                f->listen_path = path;
            free(fd);
            if (fd)
                free(path);
            i++;
        } else if (!strcmp(a, "-qmp") && v) {
            if (!strncmp(v, "unix:", 5))
                f->listen_path = strndup(v + 5, strcspn(v + 5, ","));
            i++;
        }
    }
    if (!f->mode)
        mode_from_file(f, argv[0]);
}

/* ---- socket I/O --------------------------------------------------------------------- */

static void
listen_on_path(fake *f)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(f->listen_path) >= sizeof(sun.sun_path))
        die("socket path too long: %s", f->listen_path);
    strcpy(sun.sun_path, f->listen_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    unlink(f->listen_path);
    if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0 || listen(fd, 1) < 0)
        die("cannot listen on %s: %s", f->listen_path, strerror(errno));
    f->listen_fd = fd;
}

static void
accept_client(fake *f)
{
    if (f->listen_fd < 0 && f->listen_path)
        listen_on_path(f);
    if (f->listen_fd < 0)
        die("no monitor socket (need -chardev socket,fd=N or path=P)");
    /* A client that hangs up mid-write must end us quietly, not by SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    do
        f->conn = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    while (f->conn < 0 && errno == EINTR);
    if (f->conn < 0)
        die("accept on fd %d: %s", f->listen_fd, strerror(errno));
}

/* Writes all of buf; a peer that went away ends the fake quietly (like QEMU would). */
static void
send_all(fake *f, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(f->conn, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
            exit(0);
        if (n <= 0)
            die("write: %s", strerror(errno));
        p += n;
        len -= (size_t) n;
    }
}

static void
send_str(fake *f, const char *s)
{
    send_all(f, s, strlen(s));
}

static void
send_json(fake *f, json_object *o)
{
    send_str(f, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    send_str(f, "\r\n");
}

/* Next line from the client (without the line ending), or NULL at EOF. */
static char *
read_line(fake *f)
{
    for (;;) {
        char *nl = f->inlen ? memchr(f->inbuf, '\n', f->inlen) : NULL;
        ssize_t n;

        if (nl) {
            size_t len = (size_t) (nl - f->inbuf);
            char *line = strndup(f->inbuf, len);
            if (!line)
                die("out of memory");
            memmove(f->inbuf, nl + 1, f->inlen - len - 1);
            f->inlen -= len + 1;
            line[strcspn(line, "\r")] = '\0';
            return line;
        }
        if (f->incap - f->inlen < 4096) {
            f->incap = f->incap ? f->incap * 2 : 65536;
            f->inbuf = realloc(f->inbuf, f->incap);
            if (!f->inbuf)
                die("out of memory");
        }
        n = read(f->conn, f->inbuf + f->inlen, f->incap - f->inlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        f->inlen += (size_t) n;
    }
}

/* Next command from the client: the parsed object, or NULL at EOF. Skips blank lines. */
static json_object *
read_command(fake *f)
{
    for (;;) {
        qc_autofree char *line = read_line(f);
        json_object *o;

        if (!line)
            return NULL;
        if (!line[0])
            continue;
        o = json_tokener_parse(line);
        if (!o || !json_object_is_type(o, json_type_object))
            die("client sent non-JSON-object line: %.200s", line);
        return o;
    }
}

/* ---- QMP replies -------------------------------------------------------------------- */

static const char *
cmd_name(json_object *cmd)
{
    json_object *v;

    if (json_object_object_get_ex(cmd, "execute", &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    if (json_object_object_get_ex(cmd, "exec-oob", &v) &&
        json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    die("command lacks 'execute'");
}

/* Sends reply (a borrowed template) with the command's id instead of the recorded one. */
static void
send_reply(fake *f, json_object *cmd, json_object *reply)
{
    json_object *out = json_object_new_object();
    json_object *id;

    if (!out)
        die("out of memory");
    json_object_object_foreach(reply, key, val) {
        if (strcmp(key, "id"))
            json_object_object_add(out, key, json_object_get(val));
    }
    if (json_object_object_get_ex(cmd, "id", &id))
        json_object_object_add(out, "id", json_object_get(id));
    send_json(f, out);
    json_object_put(out);
}

static void
send_empty_return(fake *f, json_object *cmd)
{
    json_object *r = json_tokener_parse("{\"return\": {}}");

    send_reply(f, cmd, r);
    json_object_put(r);
}

static void
send_not_found(fake *f, json_object *cmd, const char *name)
{
    json_object *r = json_object_new_object();
    json_object *e = json_object_new_object();
    char desc[512];

    if (!r || !e)
        die("out of memory");
    snprintf(desc, sizeof(desc), "The command %s has not been found", name);
    json_object_object_add(e, "class", json_object_new_string("CommandNotFound"));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    json_object_object_add(r, "error", e);
    send_reply(f, cmd, r);
    json_object_put(r);
}

static void
send_event(fake *f)
{
    char buf[256];

    snprintf(buf, sizeof(buf),
             "{\"timestamp\": {\"seconds\": 0, \"microseconds\": %ld}, "
             "\"event\": \"FAKE_EVENT\", \"data\": {\"n\": %ld}}\r\n",
             f->n_events, f->n_events);
    f->n_events++;
    send_str(f, buf);
}

static void
send_greeting(fake *f)
{
    json_object *g = f->cur ? qc_fixture_cursor_greeting(f->cur) : NULL;

    if (g) {
        send_json(f, g);
        return;
    }
    send_str(f, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
                "\"major\": 7}, \"package\": \"fake-qemu\"}, \"capabilities\": [\"oob\"]}}"
                "\r\n");
}

static void
load_fixture(fake *f)
{
    qc_error *err = NULL;
    const char *section = NULL;

    if (!f->file || !*f->file)
        die("mode %s needs a fixture file", f->mode);
    f->fx = qc_fixture_load(f->file, &err);
    if (!f->fx)
        die("%s", err ? err->message : "cannot load fixture");
    if (f->accel && qc_fixture_has_section(f->fx, f->accel))
        section = f->accel;
    f->cur = qc_fixture_cursor_new(f->fx, section, &err);
    if (!f->cur)
        die("%s", err ? err->message : "cannot open fixture section");
}

static void
answer_from_fixture(fake *f, json_object *cmd)
{
    const char *name = cmd_name(cmd);
    json_object *args = NULL;
    json_object *reply;
    qc_error *err = NULL;

    json_object_object_get_ex(cmd, "arguments", &args);
    reply = qc_fixture_cursor_reply(f->cur, name, args, &err);
    if (!reply) {
        /* The handshake and quit need not be recorded. */
        if (!strcmp(name, "qmp_capabilities") || !strcmp(name, "quit")) {
            qc_error_free(err);
            send_empty_return(f, cmd);
            return;
        }
        /* Like a QEMU that lacks the command; the note lands in <dir>/stderr. */
        fprintf(stderr, "fake-qemu: %s; answering CommandNotFound\n",
                err ? err->message : name);
        qc_error_free(err);
        send_not_found(f, cmd, name);
        return;
    }
    send_reply(f, cmd, reply);
}

static void
run_replay(fake *f)
{
    json_object *cmd;

    load_fixture(f);
    accept_client(f);
    send_greeting(f);
    while ((cmd = read_command(f))) {
        const char *name = cmd_name(cmd);
        bool handshake = !strcmp(name, "qmp_capabilities");

        if (!handshake && f->crash_after >= 0 && f->n_commands >= f->crash_after) {
            signal(SIGSEGV, SIG_DFL);
            raise(SIGSEGV);
            die("SIGSEGV did not kill us");
        }
        if (f->send_events)
            send_event(f);
        answer_from_fixture(f, cmd);
        if (!handshake)
            f->n_commands++;
        if (!strcmp(name, "quit")) {
            json_object_put(cmd);
            exit(0);
        }
        json_object_put(cmd);
    }
    exit(0);
}

/* Greeting plus qmp_capabilities; returns the first real command. */
static json_object *
handshake(fake *f)
{
    json_object *cmd;

    accept_client(f);
    send_greeting(f);
    while ((cmd = read_command(f))) {
        if (strcmp(cmd_name(cmd), "qmp_capabilities"))
            return cmd;
        send_empty_return(f, cmd);
        json_object_put(cmd);
    }
    exit(0);
}

static void
run_close_mid_reply(fake *f)
{
    json_object *cmd = handshake(f);

    json_object_put(cmd);
    send_str(f, "{\"return\": {\"qemu\": {\"micro\": 0, \"mi");
    exit(1);
}

static void drain_then_hang(fake *f);

static void
run_hang_mid_reply(fake *f)
{
    json_object *cmd = handshake(f);

    json_object_put(cmd);
    send_str(f, "{\"return\": {\"qemu\": {\"micro\": 0, \"mi");
    drain_then_hang(f);
}

static void
run_stderr_garbage_exit(fake *f)
{
    char buf[65536];

    accept_client(f);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char) ((i * 2654435761u) >> 13);
    memcpy(buf, "\x1b[2J\xff\xfe", 6);
    fwrite(buf, 1, sizeof(buf), stderr);
    fflush(stderr);
    exit(3);
}

static void
run_huge_reply(fake *f)
{
    json_object *cmd = handshake(f);
    json_object *id = NULL;
    char *chunk = malloc(FAKE_CHUNK);
    size_t sent = 0;

    if (!chunk)
        die("out of memory");
    memset(chunk, 'A', FAKE_CHUNK);
    send_str(f, "{\"return\": {\"blob\": \"");
    while (sent < FAKE_HUGE_BYTES) {
        send_all(f, chunk, FAKE_CHUNK);
        sent += FAKE_CHUNK;
    }
    send_str(f, "\"}");
    if (json_object_object_get_ex(cmd, "id", &id)) {
        send_str(f, ", \"id\": ");
        send_str(f, json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
    }
    send_str(f, "}\r\n");
    free(chunk);
    json_object_put(cmd);
    while ((cmd = read_command(f)))
        json_object_put(cmd);
    exit(0);
}

static void
drain_then_hang(fake *f)
{
    char buf[4096];
    ssize_t n;

    while ((n = read(f->conn, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno != EINTR)
            break;
    }
    hang();
}

/* ---- dump-env ----------------------------------------------------------------------- */

static void
dump_status_line(FILE *out, const char *key, const char *as)
{
    FILE *st = fopen("/proc/self/status", "re");
    char line[512];

    if (!st)
        return;
    while (fgets(line, sizeof(line), st)) {
        if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
            char *v = line + strlen(key) + 1;
            v += strspn(v, " \t");
            fprintf(out, "%s %s", as, v);
        }
    }
    fclose(st);
}

static void
run_dump_env(fake *f)
{
    qc_autofree char *tmp = NULL;
    DIR *d;
    struct dirent *de;
    FILE *out;

    if (!f->file || asprintf(&tmp, "%s.tmp", f->file) < 0)
        die("dump-env needs a file");
    out = fopen(tmp, "we");
    if (!out)
        die("cannot write %s: %s", tmp, strerror(errno));
    for (int i = 0; i < f->argc; i++)
        fprintf(out, "arg %s\n", f->argv[i]);
    for (char **e = environ; *e; e++)
        fprintf(out, "env %s\n", *e);
    d = opendir("/proc/self/fd");
    if (!d)
        die("cannot list /proc/self/fd: %s", strerror(errno));
    while ((de = readdir(d))) {
        char link[PATH_MAX + 32], target[PATH_MAX];
        ssize_t n;
        int fd;

        if (de->d_name[0] == '.')
            continue;
        fd = atoi(de->d_name);
        /* Our own bookkeeping fds: the directory listing and the output file. */
        if (fd == dirfd(d) || fd == fileno(out))
            continue;
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof(target) - 1);
        target[n < 0 ? 0 : n] = '\0';
        fprintf(out, "fd %d %s\n", fd, target);
    }
    closedir(d);
    fprintf(out, "pid %ld\npgid %ld\nppid %ld\n", (long) getpid(), (long) getpgrp(),
            (long) getppid());
    dump_status_line(out, "SigBlk", "sigblk");
    dump_status_line(out, "SigIgn", "sigign");
    if (fclose(out) != 0 || rename(tmp, f->file) < 0)
        die("cannot write %s: %s", f->file, strerror(errno));
    exit(0);
}

/* ---- main --------------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    fake f;

    memset(&f, 0, sizeof(f));
    parse_args(&f, argc, argv);

    if (!strcmp(f.mode, "replay") || !strcmp(f.mode, "events") ||
        !strcmp(f.mode, "crash-after") || !strcmp(f.mode, "crash-mid-probe")) {
        run_replay(&f);
    } else if (!strcmp(f.mode, "hang-before-greeting")) {
        accept_client(&f);
        hang();
    } else if (!strcmp(f.mode, "greeting-then-hang")) {
        accept_client(&f);
        send_greeting(&f);
        drain_then_hang(&f);
    } else if (!strcmp(f.mode, "close-mid-reply")) {
        run_close_mid_reply(&f);
    } else if (!strcmp(f.mode, "hang-mid-reply")) {
        run_hang_mid_reply(&f);
    } else if (!strcmp(f.mode, "stderr-garbage-exit")) {
        run_stderr_garbage_exit(&f);
    } else if (!strcmp(f.mode, "huge-reply")) {
        run_huge_reply(&f);
    } else if (!strcmp(f.mode, "garbage")) {
        accept_client(&f);
        send_str(&f, "this is not JSON\r\n{\"QMP\": oops\r\n\x01\x02garbage\r\n");
        drain_then_hang(&f);
    } else if (!strcmp(f.mode, "invalid-utf8")) {
        accept_client(&f);
        send_str(&f, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
                     "\"major\": 7}, \"package\": \"bad \xff\xfe\xc3 utf8\"}, "
                     "\"capabilities\": [\"oob\"]}}\r\n");
        drain_then_hang(&f);
    } else if (!strcmp(f.mode, "stderr-exit")) {
        fputs("qemu-system-fake: -machine none: simulated start-up failure\n", stderr);
        fputs("\x1b[31mcolour\x1b[0m and a tab\there\n", stderr);
        fputs("fake-qemu: giving up\n", stderr);
        exit(1);
    } else if (!strcmp(f.mode, "print-garbage-exit")) {
        fputs("\x01\x02 garbage on stdout \xff\xfe\n{not json\n", stdout);
        exit(0);
    } else if (!strcmp(f.mode, "dump-env")) {
        run_dump_env(&f);
    } else {
        die("unknown mode '%s'", f.mode);
    }
    return 0;
}
