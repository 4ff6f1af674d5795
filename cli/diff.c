/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff.c: the `qcaps diff` verb: what changed between two sources, printed through the
 * public API (qcaps_source_open(), qcaps_diff_sources(), qcaps_changes_*). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char qc_usage_diff[] =
    "Usage: qcaps diff [--format text|json] [--stat] [--color[=WHEN]] [--host]\n"
    "                  [--document domcaps [--arch ARCH] [--machine M] [--virttype V] |\n"
    "                   --document capabilities] [--libvirt VERSION] [--timeout SECONDS]\n"
    "                  [--cache-dir DIR] [--no-cache | --refresh] OLD NEW\n"
    "\n"
    "Print what NEW adds, drops and changes against OLD: version; machine types (added,\n"
    "removed, newly deprecated, default and aliases moved); CPU models per accelerator\n"
    "(added, removed, renamed, usable or not and what blocks them); the host CPU\n"
    "expansion; QOM types and the properties of the devices queried; QMP commands and\n"
    "events; command-line options; capability flags; TPM, GIC, SEV, SGX, Hyper-V and\n"
    "firmware. Each side is an emulator (answered from the cache, or probed), a fixture\n"
    "(qcaps or libvirt .replies), a saved model (qcaps probe --format json), a host export\n"
    "(qcaps export) or @host (this host now), told apart by content; kinds mix freely.\n"
    "A bare name that is no file here is an emulator in $PATH.\n"
    "Two hosts are compared emulator by emulator, with their host facts, and the group\n"
    "'both' lists per emulator the machine types and CPU models a guest may use on both.\n"
    "\n"
    "  -f, --format FORMAT    text (one +/-/~ line per change, default) or json\n"
    "                         (schema/diff.schema.json)\n"
    "      --stat             print the number of changes per group only\n"
    "      --color[=WHEN]     colour the text: auto (on a terminal, default), always, never\n"
    "      --host             also compare the host facts the probes ran on (kernel, CPU,\n"
    "                         KVM, swtpm, ...); always done for two hosts\n"
    "  -D, --document TYPE    compare the rendered documents as facts instead of the\n"
    "                         models: domcaps or capabilities\n"
    "  -a, --arch ARCH        domcaps: libvirt arch of the documents\n"
    "  -m, --machine M        domcaps: machine type name or alias\n"
    "  -v, --virttype TYPE    domcaps: kvm or qemu\n"
    "  -L, --libvirt VERSION  the libvirt generation of the documents: 12.8 (default),\n"
    "                         11.3 or 9.0\n"
    "  -t, --timeout SECS     give up on a probe after SECS seconds (default "
    "60)\n" QC_CACHE_OPTS_HELP "  -h, --help             show this help\n"
    "\n"
    "Exit status (as diff(1)): 0 no difference, 1 differences, 2 trouble (a bad side,\n"
    "a failed probe, a usage error), with a one-line error.\n";

enum { QC_OPT_STAT = 0x100, QC_OPT_COLOR, QC_OPT_HOST };

typedef struct qc_diff_opts {
    const char *format, *color, *document, *libvirt;
    qcaps_diff_query q;
    bool stat;
    int timeout_ms;
    qc_cache_opts cache;
    const char *old_path, *new_path;
} qc_diff_opts;

/* ---- printing ---------------------------------------------------------------------------- */

typedef struct qc_paint {
    const char *add, *del, *chg, *same, *head, *off;
} qc_paint;

static const qc_paint qc_no_paint = {"", "", "", "", "", ""};
static const qc_paint qc_ansi = {"\033[32m", "\033[31m", "\033[33m",
                                 "\033[36m", "\033[1m",  "\033[m"};

/* A usage error is trouble too: exit 2, as diff(1) (qc_diff_parse returns -1 for it). */
#define qc_diff_usage(...) ((void) qc_cli_usage("diff", __VA_ARGS__), QC_EXIT_FAILURE)

/* A value as the text prints it: "(none)" for no value, "\"\"" for an empty one. */
static const char *
qc_or_none(const char *s)
{
    return !s ? "(none)" : !*s ? "\"\"" : s;
}

/* "NAME (kvm)" where the scope is an accelerator; "virtio-blk-pci.iothread" (a property
 * of a type, a parameter of an option); "accelerator kvm", "image PATH" otherwise. */
static void
qc_print_name(FILE *out, const qcaps_change *c)
{
    const char *scope = qcaps_change_scope(c), *name = qcaps_change_name(c);
    const char *group = qcaps_change_group(c);
    bool dotted = !strcmp(group, "properties") || !strcmp(group, "command-line");

    if (qcaps_change_scope_is_accel(c))
        fprintf(out, "%s%s%s%s", name, scope ? " (" : "", scope ? scope : "", scope ? ")" : "");
    else
        fprintf(out, "%s%s%s", scope ? scope : "", scope ? (dotted ? "." : " ") : "", name);
}

/* The members of a COMMON change, wrapped under it. */
static void
qc_print_items(FILE *out, const qcaps_change *c)
{
    size_t n = qcaps_change_list_count(c, QCAPS_CHANGE_LIST_ITEMS), col = 0;

    for (size_t i = 0; i < n; i++) {
        const char *it = qcaps_change_list_get(c, QCAPS_CHANGE_LIST_ITEMS, i);
        size_t len = strlen(it);

        if (col && col + 1 + len > 96) {
            fputc('\n', out);
            col = 0;
        }
        fprintf(out, "%s%s", col ? " " : "      ", it);
        col += (col ? 1 : 6) + len;
    }
    if (col)
        fputc('\n', out);
}

static void
qc_print_change(FILE *out, const qcaps_change *c, const qc_paint *p)
{
    qcaps_change_kind k = qcaps_change_get_kind(c);
    const char *detail = qcaps_change_detail(c), *attr = qcaps_change_attribute(c);
    static const char sym[] = "+-~=";
    const char *colour = k == QCAPS_CHANGE_ADDED     ? p->add
                         : k == QCAPS_CHANGE_REMOVED ? p->del
                         : k == QCAPS_CHANGE_CHANGED ? p->chg
                                                     : p->same;

    fprintf(out, "  %s%c ", colour, sym[k]);
    qc_print_name(out, c);
    if (k == QCAPS_CHANGE_COMMON) {
        fprintf(out, ": %s%s\n", qc_or_none(detail), p->off);
        qc_print_items(out, c);
        return;
    }
    if (k == QCAPS_CHANGE_CHANGED && !detail)
        fprintf(out, ": %s%s%s -> %s", attr ? attr : "", attr ? " " : "",
                qc_or_none(qcaps_change_old(c)), qc_or_none(qcaps_change_new(c)));
    else if (detail)
        fprintf(out, ": %s", detail);
    else if (strcmp(qcaps_change_group(c), "document") == 0 &&
             (qcaps_change_old(c) || qcaps_change_new(c)))
        fprintf(out, "=%s",
                k == QCAPS_CHANGE_ADDED ? qc_or_none(qcaps_change_new(c))
                                        : qc_or_none(qcaps_change_old(c)));
    fprintf(out, "%s\n", p->off);
}

static bool
qc_same_heading(const qcaps_change *a, const qcaps_change *b)
{
    const char *ea = qcaps_change_emulator(a), *eb = qcaps_change_emulator(b);

    return strcmp(qcaps_change_group(a), qcaps_change_group(b)) == 0 &&
           ((!ea && !eb) || (ea && eb && strcmp(ea, eb) == 0));
}

/* "[EMULATOR: ]GROUP: 3 added, 1 removed, 2 changed" for the changes [i, *ret_end). */
static void
qc_print_heading(FILE *out, const qcaps_changes *d, size_t i, size_t *ret_end, const qc_paint *p)
{
    const qcaps_change *first = qcaps_changes_get(d, i);
    const char *emu = qcaps_change_emulator(first);
    static const char *const names[] = {"added", "removed", "changed", "common"};
    size_t count[4] = {0}, end = i;
    bool any = false;

    for (; end < qcaps_changes_count(d) && qc_same_heading(first, qcaps_changes_get(d, end)); end++)
        count[qcaps_change_get_kind(qcaps_changes_get(d, end))]++;
    fprintf(out, "%s%s%s%s:", p->head, emu ? emu : "", emu ? ": " : "", qcaps_change_group(first));
    for (int k = 0; k < 4; k++) {
        if (count[k])
            fprintf(out, "%s %zu %s", any ? "," : "", count[k], names[k]);
        any |= count[k] > 0;
    }
    fprintf(out, "%s\n", p->off);
    *ret_end = end;
}

/* "--- PATH (fixture: QEMU 7.2.22, x86_64)" */
static void
qc_print_side(FILE *out, char mark, const qcaps_source *s, const qc_paint *p)
{
    const qcaps_model *m = qcaps_source_model(s);
    unsigned long v = qcaps_model_version(m);

    fprintf(out, "%s%c%c%c %s (%s: ", p->head, mark, mark, mark, qcaps_source_path(s),
            qcaps_source_kind_name(qcaps_source_get_kind(s)));
    if (m)
        fprintf(out, "QEMU %lu.%lu.%lu, %s)", v / 1000000, v / 1000 % 1000, v % 1000,
                qcaps_model_target(m) ? qcaps_model_target(m) : "?");
    else
        fprintf(out, "%zu emulators)", qcaps_host_model_count(qcaps_source_host(s)));
    fprintf(out, "%s\n", p->off);
}

static void
qc_print_text(FILE *out, const qcaps_changes *d, const qcaps_source *so, const qcaps_source *sn,
              bool stat, const qc_paint *p)
{
    size_t end;

    if (!qcaps_changes_differences(d))
        return; /* as diff(1): nothing to say */
    if (!stat) {
        qc_print_side(out, '-', so, p);
        qc_print_side(out, '+', sn, p);
    }
    for (size_t i = 0; i < qcaps_changes_count(d); i = end) {
        if (!stat && fputc('\n', out) == EOF)
            return;
        qc_print_heading(out, d, i, &end, p);
        for (size_t k = i; !stat && k < end; k++)
            qc_print_change(out, qcaps_changes_get(d, k), p);
    }
    if (stat)
        fprintf(out, "%stotal: %zu differences%s\n", p->head, qcaps_changes_differences(d), p->off);
}

/* ---- options ------------------------------------------------------------------------------- */

static int
qc_diff_parse(int argc, char **argv, qc_diff_opts *o)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"stat", no_argument, NULL, QC_OPT_STAT},
        {"color", optional_argument, NULL, QC_OPT_COLOR},
        {"colour", optional_argument, NULL, QC_OPT_COLOR},
        {"host", no_argument, NULL, QC_OPT_HOST},
        {"document", required_argument, NULL, 'D'},
        {"arch", required_argument, NULL, 'a'},
        {"machine", required_argument, NULL, 'm'},
        {"virttype", required_argument, NULL, 'v'},
        {"libvirt", required_argument, NULL, 'L'},
        {"timeout", required_argument, NULL, 't'},
        QC_VERB_LONGOPTS_END,
    };
    int c, r;

    qc_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":f:D:a:m:v:L:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->format = optarg;
            break;
        case QC_OPT_STAT:
            o->stat = true;
            break;
        case QC_OPT_COLOR:
            o->color = optarg ? optarg : "always";
            break;
        case QC_OPT_HOST:
            o->q.flags |= QCAPS_DIFF_HOST;
            break;
        case 'D':
            o->document = optarg;
            break;
        case 'a':
            o->q.arch = optarg;
            break;
        case 'm':
            o->q.machine = optarg;
            break;
        case 'v':
            o->q.virttype = optarg;
            break;
        case 'L':
            o->libvirt = optarg;
            break;
        default:
            if ((r = qc_cli_opt_other("diff", qc_usage_diff, c, argv, &o->timeout_ms,
                                      &o->cache)) >= 0)
                return r == QC_EXIT_OK ? 1 : -1;
            break;
        }
    }
    if (argc - optind != 2)
        return qc_cli_usage("diff", "give %stwo sources, OLD and NEW",
                            argc - optind < 2 ? "" : "only "),
               -1;
    o->old_path = argv[optind];
    o->new_path = argv[optind + 1];
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0)
        return qc_cli_usage("diff", "unknown --format '%s' (text or json)", o->format), -1;
    if (strcmp(o->color, "auto") != 0 && strcmp(o->color, "always") != 0 &&
        strcmp(o->color, "never") != 0)
        return qc_cli_usage("diff", "unknown --color '%s' (auto, always or never)", o->color), -1;
    if (o->document && strcmp(o->document, "domcaps") == 0)
        o->q.document = QCAPS_DIFF_DOC_DOMCAPS;
    else if (o->document && strcmp(o->document, "capabilities") == 0)
        o->q.document = QCAPS_DIFF_DOC_CAPABILITIES;
    else if (o->document)
        return qc_cli_usage("diff", "unknown --document '%s' (domcaps or capabilities)",
                            o->document),
               -1;
    if (o->q.document != QCAPS_DIFF_DOC_DOMCAPS && (o->q.arch || o->q.machine || o->q.virttype))
        return qc_cli_usage("diff", "%s",
                            "--arch, --machine and --virttype need --document domcaps"),
               -1;
    if (o->q.document == QCAPS_DIFF_DOC_NONE && o->libvirt)
        return qc_cli_usage("diff", "%s", "--libvirt selects the documents of --document"), -1;
    return 0;
}

static bool
qc_want_colour(const char *when)
{
    const char *term = getenv("TERM");

    if (strcmp(when, "always") == 0)
        return true;
    if (strcmp(when, "never") == 0 || getenv("NO_COLOR"))
        return false;
    return isatty(STDOUT_FILENO) && term && strcmp(term, "dumb") != 0;
}

/* Opens a side; the message names the path once. */
static qcaps_source *
qc_diff_open(qcaps_context *ctx, const char *path)
{
    qcaps_error *pe = NULL;
    qcaps_source *s = qcaps_source_open(ctx, path, &pe);
    const char *msg;

    if (s)
        return s;
    msg = qcaps_error_message(pe);
    if (strstr(msg, path))
        qc_cli_failf("diff", "%s", msg);
    else
        qc_cli_failf("diff", "%s: %s", path, msg);
    qcaps_error_free(pe);
    return NULL;
}

static qcaps_context *
qc_diff_context(const qc_diff_opts *o, int *ret_rc)
{
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qcaps_error *pe = NULL;
    qcaps_context *ctx;

    if (!(ctx = qc_cli_context_new(&o->cache, &err))) {
        *ret_rc = err && err->code == QC_E_INVALID
                      ? qc_diff_usage("%s", err->message)
                      : qc_cli_failf("diff", "%s", err ? err->message : "out of memory");
        return NULL;
    }
    qcaps_context_set_timeout(ctx, o->timeout_ms);
    if (o->libvirt && qcaps_context_set_libvirt(ctx, o->libvirt, &pe) < 0) {
        *ret_rc = qc_diff_usage("%s", qcaps_error_message(pe));
        qcaps_error_free(pe);
        qcaps_context_free(ctx);
        return NULL;
    }
    return ctx;
}

int
qc_cmd_diff(int argc, char **argv)
{
    qc_diff_opts o = {.format = "text", .color = "auto"};
    qcaps_source *so = NULL, *sn = NULL;
    qcaps_changes *d = NULL;
    qcaps_error *pe = NULL;
    qcaps_context *ctx;
    char *json = NULL;
    int rc = QC_EXIT_FAILURE, r;

    if ((r = qc_diff_parse(argc, argv, &o)) != 0)
        return r < 0 ? QC_EXIT_FAILURE : QC_EXIT_OK;
    if (!(ctx = qc_diff_context(&o, &rc)))
        return rc;
    if (!(so = qc_diff_open(ctx, o.old_path)) || !(sn = qc_diff_open(ctx, o.new_path)))
        goto out;
    if (!(d = qcaps_diff_sources(ctx, so, sn, &o.q, &pe))) {
        qc_cli_failf("diff", "%s", qcaps_error_message(pe));
        goto out;
    }
    if (strcmp(o.format, "json") == 0) {
        if (!(json = qcaps_changes_to_json(d, o.stat ? QCAPS_CHANGES_JSON_STAT : 0, &pe))) {
            qc_cli_failf("diff", "%s", qcaps_error_message(pe));
            goto out;
        }
        fputs(json, stdout);
    } else {
        qc_print_text(stdout, d, so, sn, o.stat, qc_want_colour(o.color) ? &qc_ansi : &qc_no_paint);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        qc_cli_failf("diff", "writing the output: %s", strerror(errno));
        goto out;
    }
    rc = qcaps_changes_differences(d) ? 1 : QC_EXIT_OK;
out:
    free(json);
    qcaps_error_free(pe);
    qcaps_changes_free(d);
    qcaps_source_free(so);
    qcaps_source_free(sn);
    qcaps_context_free(ctx);
    return rc;
}
