/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsontext.h: one layout for the JSON text qcaps writes, whatever json-c's version.
 *
 * Contract: json-c's pretty printer (JSON_C_TO_STRING_PRETTY) writes an empty array or
 * object as "[\n    ]" up to 0.16 and as "[]" from 0.17 on. Every writer passes its text
 * through qc_json_text_layout() so that models, fixtures, host facts and documents are
 * byte-identical on Debian 12, 13 and testing. Text only: nothing is parsed.
 */
#ifndef QC_COMMON_JSONTEXT_H
#define QC_COMMON_JSONTEXT_H

/* Rewrites, in place, every '[' or '{' followed by a newline and blanks up to its closing
 * bracket as "[]" / "{}" (a raw newline never occurs inside a JSON string, so only layout
 * matches). Returns text. */
char *qc_json_text_layout(char *text);

#endif
