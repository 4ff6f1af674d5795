/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonwrite.c: building json-c objects (jsonwrite.h). */
#include "common/jsonwrite.h"

int
qc_json_add(json_object *o, const char *key, json_object *v)
{
    if (!v)
        return -1;
    if (json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

int
qc_json_add_null(json_object *o, const char *key)
{
    return json_object_object_add(o, key, NULL) < 0 ? -1 : 0;
}
