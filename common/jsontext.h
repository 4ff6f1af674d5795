/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsontext.h: one form for the JSON text qcaps writes, whatever json-c's version.
 *
 * Contract: json-c's pretty printer (JSON_C_TO_STRING_PRETTY) writes an empty array or
 * object as "[\n    ]" up to 0.16 and as "[]" from 0.17 on, and it writes non-ASCII text
 * as raw UTF-8, which json-c 0.18's strict parser then rejects (its control-character
 * check reads bytes above 0x7f as negative). Every writer passes its text through
 * qc_json_text_layout() so that models, fixtures, host facts and documents are
 * byte-identical on Debian 12, 13 and testing, and read back by each. Text only: nothing
 * is parsed.
 */
#ifndef QC_COMMON_JSONTEXT_H
#define QC_COMMON_JSONTEXT_H

/* Rewrites text (which it takes) into the one form: every '[' or '{' followed by a
 * newline and blanks up to its closing bracket as "[]" / "{}" (a raw newline never occurs
 * inside a JSON string, so only layout matches), and every non-ASCII character as a
 * \uXXXX escape (a surrogate pair beyond U+FFFF; a byte that is no UTF-8 as U+FFFD).
 * Returns the new text, or NULL when out of memory (text is freed either way). */
char *qc_json_text_layout(char *text);

#endif
