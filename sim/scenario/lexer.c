// SPDX-License-Identifier: MIT
/*
 * Scenario files, the lexer (as SQLite's tokenize.c): one line into words,
 * and the words' lexical classes (numbers, sizes, names), with the error
 * every layer reports, "FILE:LINE:COL: expected WHAT, got WHAT-WAS-THERE".
 *
 * A line is split into at most MAX_TOKS words of printable ASCII separated by
 * spaces or tabs; '#' starts a comment; a CR before the line end is dropped.
 * Nothing here knows a directive or a step: parser.c does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

bool sc_perr(struct parser *P, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!P->errlen)
		return false;
	n = snprintf(P->err, P->errlen, "%s:%d:%d: ", P->file, P->line, col);
	if (n < 0 || (size_t)n >= P->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(P->err + n, P->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

const struct tok *sc_peek(struct parser *P)
{
	return P->i < P->n ? &P->t[P->i] : NULL;
}

int sc_col_here(struct parser *P)
{
	return P->i < P->n ? P->t[P->i].col : P->eol_col;
}

/* What stands at the cursor, for "got ...". */
const char *sc_got(struct parser *P)
{
	const struct tok *t = sc_peek(P);
	if (!t)
		return P->at_eof ? "end of file" : "end of line";
	if (t->len > 40)
		snprintf(P->got, sizeof(P->got), "'%.40s...'", t->s);
	else
		snprintf(P->got, sizeof(P->got), "'%.*s'", t->len, t->s);
	return P->got;
}

bool sc_tok_is(const struct tok *t, const char *w)
{
	return t && (size_t)t->len == strlen(w) && memcmp(t->s, w, (size_t)t->len) == 0;
}

bool sc_at(struct parser *P, const char *w)
{
	return sc_tok_is(sc_peek(P), w);
}

bool sc_want(struct parser *P, const char *w)
{
	if (!sc_at(P, w))
		return sc_perr(P, sc_col_here(P), "expected '%s', got %s", w, sc_got(P));
	P->i++;
	return true;
}

bool sc_want_eol(struct parser *P)
{
	if (P->i < P->n)
		return sc_perr(P, sc_col_here(P), "expected end of line, got %s", sc_got(P));
	return true;
}

/* A decimal or 0x-hexadecimal number below 2^64. */
bool sc_num_parse(const struct tok *t, unsigned long *out)
{
	unsigned long v = 0;
	int i = 0;

	if (t->len > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		for (i = 2; i < t->len; i++) {
			char c = t->s[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return false;
			if (v >> 60)
				return false;
			v = v << 4 | d;
		}
	} else {
		if (!t->len)
			return false;
		for (i = 0; i < t->len; i++) {
			char c = t->s[i];
			if (c < '0' || c > '9')
				return false;
			if (v > (~0ul - (unsigned long)(c - '0')) / 10)
				return false;
			v = v * 10 + (unsigned long)(c - '0');
		}
	}
	*out = v;
	return true;
}

/* A number in [min, max]; @what names it in the message. */
bool sc_get_num(struct parser *P, const char *what, unsigned long min, unsigned long max,
		unsigned long *out)
{
	const struct tok *t = sc_peek(P);
	unsigned long v;

	if (!t || !sc_num_parse(t, &v) || v < min || v > max)
		return sc_perr(P, sc_col_here(P), "expected %s (%lu..%lu), got %s", what, min, max,
			       sc_got(P));
	P->i++;
	*out = v;
	return true;
}

/* Any number (a value written or read). */
bool sc_get_value(struct parser *P, unsigned long *out)
{
	const struct tok *t = sc_peek(P);

	if (!t || !sc_num_parse(t, out))
		return sc_perr(P, sc_col_here(P), "expected a value, got %s", sc_got(P));
	P->i++;
	return true;
}

/* A byte size: a number with an optional K, M or G suffix. */
bool sc_get_size(struct parser *P, const char *what, unsigned long min, unsigned long max,
		 unsigned long *out)
{
	const struct tok *t = sc_peek(P);
	struct tok n;
	unsigned long v, mul = 1;

	if (!t)
		return sc_perr(P, sc_col_here(P), "expected %s, got %s", what, sc_got(P));
	n = *t;
	if (n.len > 1) {
		char c = n.s[n.len - 1];
		mul = c == 'K' || c == 'k'   ? 1ul << 10
		      : c == 'M' || c == 'm' ? 1ul << 20
		      : c == 'G' || c == 'g' ? 1ul << 30
					     : 1;
		if (mul > 1)
			n.len--;
	}
	if (!sc_num_parse(&n, &v) || v > max / mul || v * mul < min || v * mul > max)
		return sc_perr(P, sc_col_here(P),
			       "expected %s (%lu..%lu bytes, K/M suffix allowed), got %s", what,
			       min, max, sc_got(P));
	P->i++;
	*out = v * mul;
	return true;
}

bool sc_name_ok(const struct tok *t)
{
	if (t->len < 1 || t->len > NAME_LEN)
		return false;
	for (int i = 0; i < t->len; i++) {
		char c = t->s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		bool more = (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!alpha && (i == 0 || !more))
			return false;
	}
	return true;
}

/* The port @t names: a root port, or SWITCH.K (K a downstream port of a
 * PCI switch); -1 when it names none. */

/* Split one line into words; false on a character that has no place in a file. */
bool sc_tokenize(struct parser *P, const char *s, size_t len)
{
	size_t i = 0;

	P->n = P->i = 0;
	if (len > HS_SCENARIO_MAX_LINE)
		return sc_perr(P, HS_SCENARIO_MAX_LINE + 1,
			       "expected a line of at most %d characters, got %zu",
			       HS_SCENARIO_MAX_LINE, len);
	P->eol_col = (int)len + 1;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '#') {
			P->eol_col = (int)i + 1;
			break;
		}
		if (c == ' ' || c == '\t' || (c == '\r' && i == len - 1)) {
			i++;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return sc_perr(P, (int)i + 1, "expected printable ASCII, got byte 0x%02x",
				       c);
		size_t j = i;
		while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '#' &&
		       (unsigned char)s[j] > 0x20 && (unsigned char)s[j] < 0x7f)
			j++;
		if (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '#' &&
		    !(s[j] == '\r' && j == len - 1))
			return sc_perr(P, (int)j + 1, "expected printable ASCII, got byte 0x%02x",
				       (unsigned char)s[j]);
		if (j - i > TOK_LEN)
			return sc_perr(P, (int)i + 1,
				       "expected a word of at most %d characters, got '%.20s...'",
				       TOK_LEN, s + i);
		if (P->n == MAX_TOKS)
			return sc_perr(P, (int)i + 1,
				       "expected at most %d words on a line, got more", MAX_TOKS);
		P->t[P->n++] = (struct tok){s + i, (int)(j - i), (int)i + 1};
		i = j;
	}
	if (P->n && P->eol_col == (int)len + 1 && len && s[len - 1] == '\r')
		P->eol_col = (int)len;
	return true;
}

char *sc_join_tokens(struct parser *P, int from)
{
	size_t len = 1;
	for (int i = from; i < P->n; i++)
		len += (size_t)P->t[i].len + 1;
	char *s = malloc(len), *q = s;
	if (!s)
		return NULL;
	for (int i = from; i < P->n; i++) {
		if (i > from)
			*q++ = ' ';
		memcpy(q, P->t[i].s, (size_t)P->t[i].len);
		q += P->t[i].len;
	}
	*q = 0;
	return s;
}
