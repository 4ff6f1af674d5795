/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef QCAPS_H
#define QCAPS_H
#endif
