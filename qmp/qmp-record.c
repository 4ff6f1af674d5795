/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-record.c: record mode: tees every message of a connection into a fixture writer,
 * through the protocol engine's message tap (qmp-transport.h). */
#include "qmp/qmp-transport.h"

#include "qmp/fixture.h"

static int
qc_qmp_record_tap(void *opaque, const char *section, json_object *msg, qc_error **err)
{
    return qc_fixture_writer_add(opaque, section, msg, err);
}

void
qc_qmp_set_recorder(qc_qmp *qmp, qc_fixture_writer *w, const char *section)
{
    /* On allocation failure the writer falls back to its default section name. */
    qc_qmp_set_tap(qmp, w ? qc_qmp_record_tap : NULL, w, section);
}
