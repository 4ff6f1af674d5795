/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonwrite.c: building json-c objects (jsonwrite.h). */
#include "common/jsonwrite.h"

#include <stdio.h>

#include "common/jsontext.h"

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

char *
qc_json_pretty_text(json_object *o)
{
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = NULL;

    if (!text || asprintf(&out, "%s\n", text) < 0)
        return NULL;
    return qc_json_text_layout(out);
}
