/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder until this file is written */
typedef int qc_placeholder_t;
