/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host.c: reads swtpm and the firmware descriptors (host-sys.c reads the rest of qc_host). */
#include "host.h"

#include <ctype.h>
#include <pthread.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/cleanup.h"
#include "common/pathsig.h"
#include "introspect/hostfs.h"

/* ---- swtpm (domcaps tpm) ------------------------------------------------------------- */

/* Runs argv (no shell; stdin and stderr on /dev/null, a clean environment) and returns
 * how much of its standard output fit in buf (size - 1 at most; 0 if it cannot run). */
static size_t
qc_host_capture(char *const argv[], char *buf, size_t size)
{
    static char *const envp[] = {(char *) "LC_ALL=C", (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                 NULL};
    posix_spawn_file_actions_t fa;
    qc_autoclose int rd = -1;
    int pipefd[2], st;
    size_t len = 0;
    pid_t pid;
    bool spawned;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return 0;
    rd = pipefd[0];
    if (posix_spawn_file_actions_init(&fa) != 0) {
        close(pipefd[1]);
        return 0;
    }
    spawned = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) == 0 &&
              posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1) == 0 &&
              posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) == 0 &&
              posix_spawn(&pid, argv[0], &fa, NULL, argv, envp) == 0;
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (!spawned)
        return 0;
    while (len < size - 1) {
        ssize_t n = read(rd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t) n;
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? len : 0;
}

/* `swtpm_setup --print-capabilities` takes tens of milliseconds (it runs swtpm twice), and
 * a warm-up would ask it once per emulator: like libvirt, remember its answer for as long
 * as the tool is the same file (device, inode, size, mtime). Returns the output length
 * (NUL-terminated in buf), 0 when it gave none. */
static size_t
qc_host_swtpm_capabilities(const char *setup, char *buf, size_t size)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static struct stat seen;
    static char answer[8192];
    static size_t answer_len;
    static bool have;
    struct stat st;
    size_t len;

    if (stat(setup, &st) < 0)
        return 0;
    pthread_mutex_lock(&lock);
    if (!have || st.st_dev != seen.st_dev || st.st_ino != seen.st_ino ||
        st.st_size != seen.st_size || st.st_mtim.tv_sec != seen.st_mtim.tv_sec ||
        st.st_mtim.tv_nsec != seen.st_mtim.tv_nsec) {
        answer_len = qc_host_capture((char *const[]){(char *) setup,
                                                     (char *) "--print-capabilities", NULL},
                                     answer, sizeof(answer));
        answer[answer_len] = '\0';
        seen = st;
        have = true;
    }
    len = answer_len < size - 1 ? answer_len : size - 1;
    memcpy(buf, answer, len);
    buf[len] = '\0';
    pthread_mutex_unlock(&lock);
    return len;
}

/* libvirt uses swtpm only when all three tools exist in $PATH (under `root`); the TPM
 * versions it offers come from `swtpm_setup --print-capabilities` ({"features":
 * ["tpm-1.2", "tpm-2.0", ...]}). */
static int
qc_host_read_swtpm(qc_host *h, const char *root, qc_error **err)
{
    static const char *const tools[] = {"swtpm", "swtpm_ioctl"};
    qc_autofree char *setup = qc_hostfs_which(root, NULL, "swtpm_setup");
    char buf[8192];
    json_object *o, *feats;

    if (!setup)
        return 0;
    for (size_t i = 0; i < QC_N_ELEMENTS(tools); i++) {
        char *p = qc_hostfs_which(root, NULL, tools[i]);
        if (!p)
            return 0;
        free(p);
    }
    h->swtpm = true;
    /* no answer (tool failed) leaves an empty buffer, which parses as nothing */
    qc_host_swtpm_capabilities(setup, buf, sizeof(buf));
    if (!(o = json_tokener_parse(buf)))
        return 0;
    if (json_object_object_get_ex(o, "features", &feats) &&
        json_object_is_type(feats, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(feats); i++) {
            json_object *e = json_object_array_get_idx(feats, i);
            if (json_object_is_type(e, json_type_string) &&
                qc_strlist_add(&h->swtpm_features, json_object_get_string(e), err) < 0) {
                json_object_put(o);
                return -1;
            }
        }
    }
    json_object_put(o);
    qc_strlist_sort(&h->swtpm_features);
    qc_strlist_uniq(&h->swtpm_features);
    return 0;
}

int
qc_host_read_rest(qc_host *h, qc_error **err)
{
    return qc_host_read_rest_at(h, NULL, err);
}

int
qc_host_read_rest_at(qc_host *h, const char *root, qc_error **err)
{
    if (qc_host_read_swtpm(h, root, err) < 0 ||
        qc_host_read_firmware_at(h, root, NULL, NULL, err) < 0)
        return -1;
    return 0;
}

int
qc_host_read(qc_host *ret_host, qc_error **err)
{
    qc_host h;

    memset(&h, 0, sizeof(h));
    if (qc_host_read_quick(&h, err) < 0)
        return -1;
    if (qc_host_read_rest(&h, err) < 0) {
        qc_host_clear(&h);
        return -1;
    }
    qc_host_clear(ret_host);
    *ret_host = h;
    return 0;
}

/* ---- QEMU firmware descriptors (docs/interop/firmware.json, mapping §4) ---------------- */

/* Where distributions install edk2 images (Debian's ovmf and qemu-efi-aarch64/-arm, also
 * Fedora's edk2 compat links): a document writer may name images that no descriptor
 * describes (libvirt's built-in loader list), so the probe records which exist. */
static const char *const qc_fw_image_dirs[] = {"/usr/share/AAVMF", "/usr/share/OVMF"};

/* Notes that `path` was consulted with the result `st` (NULL: stat failed with `e`). */
static int
qc_fw_note(qc_fw_inputs *rec, const char *path, const struct stat *st, int e, qc_error **err)
{
    char sig[QC_PATHSIG_MAX];

    if (!rec)
        return 0;
    qc_pathsig_from_stat(st, e, sig);
    if (qc_strlist_add(&rec->paths, path, err) < 0 || qc_strlist_add(&rec->sigs, sig, err) < 0)
        return -1;
    return 0;
}

/* stat() of a file (of the system's tree: under `root`) whose existence decides
 * something, noted as the file read; true when it exists. */
static bool
qc_fw_exists(const char *root, qc_fw_inputs *rec, const char *path, int *rc, qc_error **err)
{
    char buf[PATH_MAX];
    const char *p = qc_hostfs_at(root, path, buf);
    struct stat st;
    bool ok;

    if (!p)
        return false;
    ok = stat(p, &st) == 0;
    if (qc_fw_note(rec, p, ok ? &st : NULL, errno, err) < 0)
        *rc = -1;
    return ok;
}

static int
qc_fw_strarray(json_object *o, const char *key, qc_strlist *l, bool need, char **why,
               qc_error **err)
{
    json_object *a;

    if (!json_object_object_get_ex(o, key, &a)) {
        if (need && asprintf(why, "missing member '%s'", key) < 0)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return 0;
    }
    if (!json_object_is_type(a, json_type_array)) {
        if (asprintf(why, "member '%s' is not an array", key) < 0)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        if (!json_object_is_type(e, json_type_string)) {
            if (asprintf(why, "member '%s' holds a non-string", key) < 0)
                return qc_error_set(err, QC_E_NOMEM, "out of memory");
            return 0;
        }
        if (qc_strlist_add(l, json_object_get_string(e), err) < 0)
            return -1;
    }
    return 0;
}

/* o.key.filename as a string, or NULL. */
static const char *
qc_fw_filename(json_object *o, const char *key)
{
    json_object *sub = o, *fn;

    if (key && !json_object_object_get_ex(o, key, &sub))
        return NULL;
    if (!json_object_is_type(sub, json_type_object) ||
        !json_object_object_get_ex(sub, "filename", &fn) ||
        !json_object_is_type(fn, json_type_string))
        return NULL;
    return json_object_get_string(fn);
}

/* "mapping": flash (executable + nvram-template), memory (filename) or kernel. */
static int
qc_fw_parse_mapping(json_object *root, qc_fw_desc *d, char **why, qc_error **err)
{
    json_object *map, *dev;

    if (!json_object_object_get_ex(root, "mapping", &map) ||
        !json_object_is_type(map, json_type_object) ||
        !json_object_object_get_ex(map, "device", &dev) ||
        !json_object_is_type(dev, json_type_string)) {
        if (!(*why = strdup("missing or malformed 'mapping.device'")))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return 0;
    }
    if (qc_strdup_opt(&d->device, json_object_get_string(dev), err) < 0)
        return -1;
    if (strcmp(d->device, "flash") == 0) {
        if (qc_strdup_opt(&d->executable, qc_fw_filename(map, "executable"), err) < 0 ||
            qc_strdup_opt(&d->nvram_template, qc_fw_filename(map, "nvram-template"), err) < 0)
            return -1;
        if (!d->executable && !(*why = strdup("flash mapping without 'executable.filename'")))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
    } else if (strcmp(d->device, "memory") == 0) {
        if (qc_strdup_opt(&d->executable, qc_fw_filename(map, NULL), err) < 0)
            return -1;
        if (!d->executable && !(*why = strdup("memory mapping without 'filename'")))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    return 0;
}

static int
qc_fw_parse_targets(json_object *root, qc_fw_desc *d, char **why, qc_error **err)
{
    json_object *ts;
    size_t n;

    if (!json_object_object_get_ex(root, "targets", &ts) ||
        !json_object_is_type(ts, json_type_array)) {
        if (!(*why = strdup("missing or malformed 'targets'")))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return 0;
    }
    n = json_object_array_length(ts);
    if (n && !(d->targets = calloc(n, sizeof(*d->targets))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !*why; i++) {
        json_object *t = json_object_array_get_idx(ts, i), *arch;
        qc_fw_target *ft = &d->targets[d->n_targets++];
        if (!json_object_is_type(t, json_type_object) ||
            !json_object_object_get_ex(t, "architecture", &arch) ||
            !json_object_is_type(arch, json_type_string)) {
            if (!(*why = strdup("a target lacks 'architecture'")))
                return qc_error_set(err, QC_E_NOMEM, "out of memory");
            return 0;
        }
        if (qc_strdup_opt(&ft->arch, json_object_get_string(arch), err) < 0 ||
            qc_fw_strarray(t, "machines", &ft->machines, true, why, err) < 0)
            return -1;
    }
    return 0;
}

/* Parses one descriptor file into d; a malformed file sets d->error (not a failure). */
static int
qc_fw_parse(const char *path, qc_fw_desc *d, const char *sysroot, qc_fw_inputs *rec,
            qc_error **err)
{
    json_object *root = json_object_from_file(path);
    char *why = NULL;
    int rc = 0;

    if (!root || !json_object_is_type(root, json_type_object)) {
        why = strdup(root ? "not a JSON object" : "not valid JSON");
        rc = why ? 0 : qc_error_set(err, QC_E_NOMEM, "out of memory");
    } else if (qc_fw_strarray(root, "interface-types", &d->interfaces, true, &why, err) < 0 ||
               (!why && qc_fw_parse_mapping(root, d, &why, err) < 0) ||
               (!why && qc_fw_parse_targets(root, d, &why, err) < 0) ||
               (!why && qc_fw_strarray(root, "features", &d->features, false, &why, err) < 0)) {
        rc = -1;
    }
    json_object_put(root);
    d->error = why;
    if (!why && d->executable && rc == 0)
        d->executable_exists = qc_fw_exists(sysroot, rec, d->executable, &rc, err);
    return rc;
}

typedef struct qc_fw_entry {
    char *name;
    char *path;
    bool masked;
} qc_fw_entry;

static int
qc_fw_entry_cmp(const void *a, const void *b)
{
    return strcmp(((const qc_fw_entry *) a)->name, ((const qc_fw_entry *) b)->name);
}

/* Adds/overrides the files of one directory in the basename-keyed list. */
static int
qc_fw_scan_dir(const char *dir, qc_fw_entry **v, size_t *n, qc_fw_inputs *rec, qc_error **err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    struct stat dst;
    int rc = 0;

    if (!d) /* a missing directory is simply empty */
        return qc_fw_note(rec, dir, NULL, errno, err);
    /* noted before reading it: an entry added meanwhile changes the signature */
    if (fstat(dirfd(d), &dst) < 0 ? qc_fw_note(rec, dir, NULL, errno, err) < 0
                                  : qc_fw_note(rec, dir, &dst, 0, err) < 0) {
        closedir(d);
        return -1;
    }
    while (rc == 0 && (de = readdir(d))) {
        struct stat st;
        char *full = NULL;
        size_t i;
        if (de->d_name[0] == '.')
            continue;
        if (asprintf(&full, "%s/%s", dir, de->d_name) < 0) {
            rc = qc_error_set(err, QC_E_NOMEM, "out of memory");
            break;
        }
        if (stat(full, &st) < 0 || !S_ISREG(st.st_mode)) {
            free(full);
            continue;
        }
        /* noted before it is parsed: a change meanwhile changes the signature */
        if (qc_fw_note(rec, full, &st, 0, err) < 0) {
            free(full);
            rc = -1;
            break;
        }
        for (i = 0; i < *n && strcmp((*v)[i].name, de->d_name) != 0; i++)
            ;
        if (i == *n) {
            qc_fw_entry *nv = realloc(*v, (*n + 1) * sizeof(**v));
            if (!nv || !(nv[i].name = strdup(de->d_name))) {
                if (nv)
                    *v = nv;
                free(full);
                rc = qc_error_set(err, QC_E_NOMEM, "out of memory");
                break;
            }
            *v = nv;
            nv[i].path = NULL;
            (*n)++;
        }
        free((*v)[i].path);
        (*v)[i].path = full;
        (*v)[i].masked = st.st_size == 0;
    }
    closedir(d);
    return rc;
}

/* The default search path (mapping §4), under `root`; the per-user one only for non-root,
 * as libvirt's unprivileged daemon. Returns the number of entries written to dirs (max 3;
 * an entry is NULL on OOM). */
static size_t
qc_fw_default_dirs(const char *root, char **dirs)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    const char *r = root ? root : "";
    size_t n = 0;

    /* under a root, a relative directory names no place of the tree */
    if (*r && xdg && *xdg != '/')
        xdg = NULL;
    if (*r && home && *home != '/')
        home = NULL;

    if (asprintf(&dirs[n++], "%s/usr/share/qemu/firmware", r) < 0)
        dirs[n - 1] = NULL;
    if (asprintf(&dirs[n++], "%s/etc/qemu/firmware", r) < 0)
        dirs[n - 1] = NULL;
    if (geteuid() != 0) {
        if (xdg && *xdg) {
            if (asprintf(&dirs[n], "%s%s/qemu/firmware", r, xdg) >= 0)
                n++;
        } else if (home && *home) {
            if (asprintf(&dirs[n], "%s%s/.config/qemu/firmware", r, home) >= 0)
                n++;
        }
    }
    return n;
}

/* Adds every existing *.fd of `dir` (symlinks followed; the tree's: under `root`) to
 * h->firmware_images, named as the system names them (without the root). The directory's
 * own signature is noted: an image added or removed changes it. */
static int
qc_fw_images(qc_host *h, const char *root, const char *dir, qc_fw_inputs *rec,
             qc_error **err)
{
    char buf[PATH_MAX];
    const char *at = qc_hostfs_at(root, dir, buf);
    struct stat st;
    struct dirent *de;
    DIR *d;
    int e;

    if (!at)
        return 0;
    d = opendir(at);
    e = errno;
    if (qc_fw_note(rec, at, d && stat(at, &st) == 0 ? &st : NULL, e, err) < 0) {
        if (d)
            closedir(d);
        return -1;
    }
    if (!d)
        return 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char *p = NULL;

        if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 3, ".fd") != 0)
            continue;
        if (asprintf(&p, "%s/%s", at, de->d_name) < 0) {
            closedir(d);
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        }
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        /* the name the system knows it by: a loader list names it so */
        if (at != dir)
            memmove(p, p + strlen(root), strlen(p + strlen(root)) + 1);
        if (qc_strlist_add_take(&h->firmware_images, p, err) < 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

static int
qc_fw_build(qc_host *h, const char *root, qc_fw_entry *v, size_t n, qc_fw_inputs *rec,
            qc_error **err)
{
    if (n) /* no descriptors at all: v is NULL, which qsort() must not get */
        qsort(v, n, sizeof(*v), qc_fw_entry_cmp);
    if (n && !(h->firmware = calloc(n, sizeof(*h->firmware))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        qc_fw_desc *d;
        if (v[i].masked)
            continue;
        d = &h->firmware[h->n_firmware++];
        if (!(d->name = strdup(v[i].name)) || !(d->path = strdup(v[i].path)))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (qc_fw_parse(v[i].path, d, root, rec, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_fw_image_dirs); i++) {
        if (qc_fw_images(h, root, qc_fw_image_dirs[i], rec, err) < 0)
            return -1;
    }
    qc_strlist_sort(&h->firmware_images);
    return 0;
}

int
qc_host_firmware_search_path(const char *const *dirs, qc_strlist *ret, qc_error **err)
{
    return qc_host_firmware_search_path_at(NULL, dirs, ret, err);
}

int
qc_host_firmware_search_path_at(const char *root, const char *const *dirs, qc_strlist *ret,
                                qc_error **err)
{
    char *defaults[3] = {NULL, NULL, NULL};
    size_t nd = dirs ? 0 : qc_fw_default_dirs(root, defaults);
    int rc = 0;

    for (size_t i = 0; rc == 0 && (dirs ? dirs[i] != NULL : i < nd); i++) {
        const char *dir = dirs ? dirs[i] : defaults[i];
        rc = dir ? qc_strlist_add(ret, dir, err)
                 : qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nd; i++)
        free(defaults[i]);
    return rc;
}

int
qc_host_read_firmware(qc_host *h, const char *const *dirs, qc_error **err)
{
    return qc_host_read_firmware_at(h, NULL, dirs, NULL, err);
}

int
qc_host_read_firmware_inputs(qc_host *h, const char *const *dirs, qc_fw_inputs *rec,
                             qc_error **err)
{
    return qc_host_read_firmware_at(h, NULL, dirs, rec, err);
}

int
qc_host_read_firmware_at(qc_host *h, const char *root, const char *const *dirs,
                         qc_fw_inputs *rec, qc_error **err)
{
    qc_strlist path = {0};
    qc_fw_entry *v = NULL;
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < h->n_firmware; i++)
        qc_fw_desc_clear(&h->firmware[i]);
    free(h->firmware);
    h->firmware = NULL;
    h->n_firmware = 0;
    qc_strlist_clear(&h->firmware_images);
    rc = qc_host_firmware_search_path_at(root, dirs, &path, err);
    for (size_t i = 0; rc == 0 && i < path.n; i++)
        rc = qc_fw_scan_dir(path.v[i], &v, &n, rec, err);
    if (rc == 0)
        rc = qc_fw_build(h, root, v, n, rec, err);
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
    }
    free(v);
    qc_strlist_clear(&path);
    return rc;
}
