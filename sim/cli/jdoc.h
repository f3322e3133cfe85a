/* SPDX-License-Identifier: MIT */
/*
 * A strict JSON reader (RFC 8259) for what hmmsim reads back: the --json
 * results that hmmsim merge and explore --jobs combine (sim/cli/jdoc.c).
 * The text is cut into tokens, one per value, in document order, as jsmn
 * does: a container's members follow it (an object's as key, value), and
 * each token knows where the value after it begins, so that a reader walks
 * members without recursion.  Whitespace anywhere JSON allows it, any key
 * order: the reader asks for members by name.
 */
#ifndef SIM_CLI_JDOC_H
#define SIM_CLI_JDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_jtype {
	CLI_J_NULL,
	CLI_J_FALSE,
	CLI_J_TRUE,
	CLI_J_NUMBER,
	CLI_J_STRING,
	CLI_J_ARRAY,
	CLI_J_OBJECT,
};

struct cli_jtok {
	enum cli_jtype type;
	size_t start, end; /* its text: a string's with its quotes */
	size_t size;	   /* array: elements; object: members */
	size_t next;	   /* the token after this value and all it holds */
};

/* A parsed text: token 0 is the whole value.  @text is the caller's and must
 * outlive the document. */
struct cli_jdoc {
	const char *text;
	struct cli_jtok *t;
	size_t n, cap;
	/* a parse error: where, whether the text ended too soon (or went on
	 * after the value) rather than broke the grammar, and the key token of
	 * the top-level member whose value it is in (0: none) */
	size_t err_at, err_key;
	bool err_short;
};

/**
 * cli_jdoc_parse() - read @len bytes of @text as one JSON value.
 * @d:		the document, freed with cli_jdoc_free() whatever the result
 * @text:	the text (kept by the caller while @d is used)
 * @len:	its length
 * @err:	a one-line message on failure ("a bad escape at byte 12")
 * @errlen:	its size
 *
 * Nesting deeper than 64 is refused (hmmsim writes at most 4).
 * Return: 0, or -1 with @err and @d's err_* set.
 */
int cli_jdoc_parse(struct cli_jdoc *d, const char *text, size_t len, char *err, size_t errlen);
void cli_jdoc_free(struct cli_jdoc *d);

/* The value of member @key of object token @obj: its token, or 0 when @obj
 * is not an object or has no such member (the first, if it has two). */
size_t cli_jdoc_member(const struct cli_jdoc *d, size_t obj, const char *key);
/* The first member key of object @obj that comes twice, or 0. */
size_t cli_jdoc_dup_key(const struct cli_jdoc *d, size_t obj);
/* Token @i as an unsigned integer (digits only, < 2^64): true and *@v. */
bool cli_jdoc_u64(const struct cli_jdoc *d, size_t i, uint64_t *v);
/* String token @i decoded (malloc'd), or NULL when it is not a string or
 * holds a NUL. */
char *cli_jdoc_str(const struct cli_jdoc *d, size_t i);
/* Token @i written without whitespace, strings escaped as cli_json_str()
 * does: explore --json's own form, whatever the layout it was read in. */
void cli_jdoc_write(FILE *f, const struct cli_jdoc *d, size_t i);
/* The same as a malloc'd string, its length in *@len (may be NULL). */
char *cli_jdoc_compact(const struct cli_jdoc *d, size_t i, size_t *len);

#endif /* SIM_CLI_JDOC_H */
