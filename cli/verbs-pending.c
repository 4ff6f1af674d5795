/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder verbs until their files are written (none left: every verb has its file) */
typedef int qc_placeholder_t;
