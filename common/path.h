/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* path.h: emulator paths as users give them, made absolute.
 *
 * Contract: libc only. A path with a '/' is made absolute against the current directory,
 * its directory part resolved (symlinks, "." and ".."), its last component kept as given
 * (qemu-system-amd64 stays itself even where it links to qemu-system-x86_64). A bare
 * name is looked up in $PATH as a shell would. The result keys the cache, names the
 * emulator in documents and is what gets started.
 */
#ifndef QC_COMMON_PATH_H
#define QC_COMMON_PATH_H

#include "common/error.h"

/* The absolute form of `path` (caller frees), or NULL: QC_E_INVALID for an empty path,
 * QC_E_NOTFOUND for a bare name no $PATH directory has as an executable file, QC_E_NOMEM.
 * A path whose directory does not exist is kept as given (made absolute), for the launch
 * to report it. */
char *qc_path_absolute(const char *path, qc_error **err);

#endif
