/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* emergency.c: the registry of what a signal must not leave behind (emergency.h). */
#include "common/emergency.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define QC_EM_SLOTS 128
#define QC_EM_PATH 192
#define QC_EM_FILES 4
#define QC_EM_NAME 64

enum { QC_EM_FREE, QC_EM_FILLING, QC_EM_DIR, QC_EM_FILE };

typedef struct qc_em_slot {
    atomic_int state;
    atomic_int pgid;             /* 0: none yet */
    int dirfd;                   /* QC_EM_FILE */
    char path[QC_EM_PATH];       /* the directory, or the file's name */
    char files[QC_EM_FILES][QC_EM_NAME];
} qc_em_slot;

static qc_em_slot qc_em_slots[QC_EM_SLOTS];

static int
qc_em_claim(void)
{
    for (int i = 0; i < QC_EM_SLOTS; i++) {
        int expect = QC_EM_FREE;
        if (atomic_compare_exchange_strong(&qc_em_slots[i].state, &expect, QC_EM_FILLING))
            return i;
    }
    return -1;
}

int
qc_emergency_add_dir(const char *dir, const char *const *files)
{
    int i;
    size_t n = 0;

    if (!dir || strlen(dir) >= QC_EM_PATH || (i = qc_em_claim()) < 0)
        return -1;
    qc_em_slot *s = &qc_em_slots[i];
    memset(s->files, 0, sizeof(s->files));
    strcpy(s->path, dir);
    for (; files && files[n] && n < QC_EM_FILES; n++) {
        if (strlen(files[n]) >= QC_EM_NAME)
            continue;
        strcpy(s->files[n], files[n]);
    }
    atomic_store(&s->pgid, 0);
    atomic_store(&s->state, QC_EM_DIR);
    return i;
}

void
qc_emergency_set_group(int slot, pid_t pgid)
{
    if (slot >= 0 && slot < QC_EM_SLOTS)
        atomic_store(&qc_em_slots[slot].pgid, (int) pgid);
}

int
qc_emergency_add_file(int dirfd, const char *name)
{
    int i;

    if (!name || strlen(name) >= QC_EM_PATH || (i = qc_em_claim()) < 0)
        return -1;
    qc_em_slots[i].dirfd = dirfd;
    strcpy(qc_em_slots[i].path, name);
    atomic_store(&qc_em_slots[i].state, QC_EM_FILE);
    return i;
}

void
qc_emergency_remove(int slot)
{
    if (slot >= 0 && slot < QC_EM_SLOTS)
        atomic_store(&qc_em_slots[slot].state, QC_EM_FREE);
}

void
qc_emergency_remove_file(int dirfd, const char *name)
{
    for (int i = 0; name && i < QC_EM_SLOTS; i++) {
        qc_em_slot *s = &qc_em_slots[i];
        if (atomic_load(&s->state) == QC_EM_FILE && s->dirfd == dirfd &&
            strcmp(s->path, name) == 0) {
            atomic_store(&s->state, QC_EM_FREE);
            return;
        }
    }
}

/* dir "/" name into buf (cap bytes), without stdio: async-signal-safe. */
static const char *
qc_em_join(char *buf, size_t cap, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);

    if (a + 1 + b + 1 > cap)
        return NULL;
    memcpy(buf, dir, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return buf;
}

void
qc_emergency_run(void)
{
    char buf[QC_EM_PATH + QC_EM_NAME + 2];

    for (int i = 0; i < QC_EM_SLOTS; i++) {
        qc_em_slot *s = &qc_em_slots[i];
        int state = atomic_load(&s->state);
        int pgid = atomic_load(&s->pgid);

        if (state == QC_EM_DIR) {
            if (pgid > 0) {
                kill(-pgid, SIGKILL);
                kill(pgid, SIGKILL);
            }
            for (int f = 0; f < QC_EM_FILES; f++) {
                if (s->files[f][0] && qc_em_join(buf, sizeof(buf), s->path, s->files[f]))
                    unlink(buf);
            }
            rmdir(s->path);
        } else if (state == QC_EM_FILE) {
            unlinkat(s->dirfd, s->path, 0);
        }
    }
}
