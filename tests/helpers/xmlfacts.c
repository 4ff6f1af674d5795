/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xmlfacts.c: flattens an XML document into one line per element ("fact") for set diffs.
 *
 * Usage: xmlfacts [-k ELEMENT=XPATH]... FILE|-
 * Each element gives one line: its path from the root, every segment carrying that
 * element's attributes in document order ([@name='value']), then "=text" when the element
 * has non-blank text of its own. An element named in a -k option (built in: guest=arch/@name,
 * secmodel=model) also carries [XPATH='value'], the XPath evaluated from it, so siblings that
 * differ only below (a <guest>'s <features>) stay apart. Sort the output to compare two
 * documents order-insensitively (comm, diff). Exit: 0 ok, 1 usage, 2 unreadable XML.
 * The facts are schema/facts.h's (what `qcaps diff --document` compares); this program
 * only reads the file and prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/facts.h"

#define QC_MAX_KEYS 32

static int
qc_usage(void)
{
    fprintf(stderr, "usage: xmlfacts [-k ELEMENT=XPATH]... FILE|-\n");
    return 1;
}

/* The whole of `file` ("-": stdin); NULL when unreadable. */
static char *
qc_slurp(const char *file, size_t *ret_len)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
    size_t len = 0, cap = 0, n;
    char *buf = NULL;

    if (!f)
        return NULL;
    do {
        if (len + 65536 + 1 > cap) {
            char *nb = realloc(buf, cap = len + 65536 + 1);

            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    if (f != stdin)
        fclose(f);
    if (buf) {
        buf[len] = '\0';
        *ret_len = len;
    }
    return buf;
}

int
main(int argc, char **argv)
{
    qc_xml_key keys[QC_MAX_KEYS];
    const qc_xml_key *builtin;
    qc_xml_facts facts = {0};
    qc_error *err = NULL;
    const char *file = NULL;
    size_t n_keys, len = 0;
    char *xml;
    int rc = 0;

    builtin = qc_xml_facts_default_keys(&n_keys);
    memcpy(keys, builtin, n_keys * sizeof(*keys));
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-k") && i + 1 < argc && strchr(argv[i + 1], '=') &&
            n_keys < QC_MAX_KEYS) {
            char *eq = strchr(argv[++i], '=');

            *eq = '\0';
            keys[n_keys].element = argv[i];
            keys[n_keys++].xpath = eq + 1;
        } else if (!file && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
            file = argv[i];
        } else {
            return qc_usage();
        }
    }
    if (!file)
        return qc_usage();
    if (!(xml = qc_slurp(file, &len))) {
        fprintf(stderr, "xmlfacts: %s: cannot read\n", file);
        return 2;
    }
    if (qc_xml_facts_read(xml, len, file, keys, n_keys, &facts, &err) < 0) {
        fprintf(stderr, "xmlfacts: %s\n", err->message);
        rc = 2;
    }
    for (size_t i = 0; rc == 0 && i < facts.n; i++) {
        if (printf("%s%s%s\n", facts.v[i].path, facts.v[i].text ? "=" : "",
                   facts.v[i].text ? facts.v[i].text : "") < 0)
            rc = 2;
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = 2;
    if (rc == 2 && !err)
        fprintf(stderr, "xmlfacts: write error\n");
    qc_error_free(err);
    qc_xml_facts_clear(&facts);
    free(xml);
    return rc;
}
