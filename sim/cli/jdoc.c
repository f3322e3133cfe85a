// SPDX-License-Identifier: MIT
/*
 * A strict JSON reader (jdoc.h): one pass over the text, no recursion,
 * every rule of RFC 8259's grammar checked (no trailing comma, no leading
 * zero, no control character or lone surrogate in a string, nothing after
 * the value), so that merge refuses a damaged file instead of guessing at
 * it.  Strings stay as they are in the text; cli_jdoc_str() and
 * cli_jdoc_write() decode them when asked.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "jdoc.h"

#define JDOC_DEPTH 64

struct jparse {
	struct cli_jdoc *d;
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	size_t stack[JDOC_DEPTH]; /* the open containers' tokens */
	unsigned int depth;
	size_t key_top; /* the top-level member being read: its key token */
};

static int jp_fail(struct jparse *p, bool cut, const char *what)
{
	p->d->err_at = p->pos;
	p->d->err_short = cut;
	p->d->err_key = p->key_top;
	snprintf(p->err, p->errlen, "%s at byte %zu", what, p->pos);
	return -1;
}

static size_t tok_new(struct cli_jdoc *d, enum cli_jtype type, size_t start)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 256;
		d->t = realloc(d->t, d->cap * sizeof(*d->t));
		if (!d->t)
			cli_oom("the tokens of a JSON file");
	}
	d->t[d->n] = (struct cli_jtok){.type = type, .start = start, .next = d->n + 1};
	return d->n++;
}

static int hex4(const char *s, unsigned int *u)
{
	*u = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned int h = c >= '0' && c <= '9'	? (unsigned int)(c - '0')
				 : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
				 : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10)
							: 16;
		if (h == 16)
			return -1;
		*u = *u << 4 | h;
	}
	return 0;
}

/* A \u escape at p->pos ('\\'), a surrogate pair as one: 0 or -1. */
static int jp_unicode(struct jparse *p)
{
	unsigned int u, lo;

	if (p->len - p->pos < 6)
		return jp_fail(p, true, "a string cut short");
	if (hex4(p->s + p->pos + 2, &u))
		return jp_fail(p, false, "a bad \\u escape");
	p->pos += 6;
	if (u >= 0xdc00 && u <= 0xdfff)
		return jp_fail(p, false, "a lone low surrogate");
	if (u < 0xd800 || u > 0xdbff)
		return 0;
	if (p->pos < p->len && p->s[p->pos] != '\\')
		return jp_fail(p, false, "a lone high surrogate");
	if (p->len - p->pos < 6)
		return jp_fail(p, true, "a string cut short");
	if (p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' || hex4(p->s + p->pos + 2, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return jp_fail(p, false, "a lone high surrogate");
	p->pos += 6;
	return 0;
}

/* A string at p->pos ('"'): 0 and its token in *@tok, or -1. */
static int jp_string(struct jparse *p, size_t *tok)
{
	size_t start = p->pos;

	for (p->pos++;;) {
		if (p->pos >= p->len)
			return jp_fail(p, true, "a string cut short");
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return jp_fail(p, false, "a control character in a string");
		if (c != '\\') {
			p->pos++;
			continue;
		}
		if (p->pos + 1 >= p->len)
			return jp_fail(p, true, "a string cut short");
		c = (unsigned char)p->s[p->pos + 1];
		if (c == 'u') {
			if (jp_unicode(p))
				return -1;
		} else if (c && strchr("\"\\/bfnrt", c)) {
			p->pos += 2;
		} else {
			return jp_fail(p, false, "a bad escape");
		}
	}
	*tok = tok_new(p->d, CLI_J_STRING, start);
	p->d->t[*tok].end = ++p->pos;
	return 0;
}

static size_t digits(struct jparse *p)
{
	size_t n = 0;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++, n++;
	return n;
}

/* A number at p->pos: 0 or -1. */
static int jp_number(struct jparse *p)
{
	size_t start = p->pos;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len)
		return jp_fail(p, true, "a number cut short");
	if (p->s[p->pos] == '0')
		p->pos++;
	else if (!digits(p))
		return jp_fail(p, false, "a bad number");
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!digits(p))
			return jp_fail(p, p->pos >= p->len, "a bad number");
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digits(p))
			return jp_fail(p, p->pos >= p->len, "a bad number");
	}
	if (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		return jp_fail(p, false, "a bad number"); /* 01 */
	size_t i = tok_new(p->d, CLI_J_NUMBER, start);	  /* it may move p->d->t */
	p->d->t[i].end = p->pos;
	return 0;
}

/* true, false or null at p->pos: 0 or -1. */
static int jp_literal(struct jparse *p)
{
	static const char *const lit[] = {"null", "false", "true"};
	static const enum cli_jtype type[] = {CLI_J_NULL, CLI_J_FALSE, CLI_J_TRUE};

	for (int k = 0; k < 3; k++) {
		size_t n = strlen(lit[k]), have = p->len - p->pos < n ? p->len - p->pos : n;
		if (p->s[p->pos] != lit[k][0])
			continue;
		if (memcmp(p->s + p->pos, lit[k], have))
			break;
		if (have < n)
			return jp_fail(p, true, "a value cut short");
		size_t i = tok_new(p->d, type[k], p->pos);
		p->d->t[i].end = p->pos + n;
		p->pos += n;
		return 0;
	}
	return jp_fail(p, false, "not a JSON value");
}

static void jp_ws(struct jparse *p)
{
	while (p->pos < p->len && strchr(" \t\n\r", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

/* Close the innermost container at p->pos (its bracket). */
static void jp_close(struct jparse *p)
{
	struct cli_jtok *t = &p->d->t[p->stack[--p->depth]];
	t->end = ++p->pos;
	t->next = p->d->n;
}

enum jp_state { JP_VALUE, JP_KEY, JP_AFTER };

/* After a value: a comma, the innermost container's end, or the text's. */
static int jp_after(struct jparse *p, enum jp_state *st)
{
	if (p->depth == 0)
		return jp_fail(p, true, "more after the value");
	if (p->depth == 1)
		p->key_top = 0; /* a top-level member read whole */
	bool obj = p->d->t[p->stack[p->depth - 1]].type == CLI_J_OBJECT;
	char c = p->s[p->pos];
	if (c == ',') {
		p->pos++;
		*st = obj ? JP_KEY : JP_VALUE;
	} else if (c == (obj ? '}' : ']')) {
		jp_close(p);
	} else {
		return jp_fail(p, false, obj ? "',' or '}' expected" : "',' or ']' expected");
	}
	return 0;
}

/* An object's member name and its colon. */
static int jp_key(struct jparse *p, enum jp_state *st)
{
	if (p->s[p->pos] != '"')
		return jp_fail(p, false, "a member name expected");
	size_t k;
	if (jp_string(p, &k))
		return -1;
	if (p->depth == 1)
		p->key_top = k;
	jp_ws(p);
	if (p->pos >= p->len)
		return jp_fail(p, true, "an object cut short");
	if (p->s[p->pos] != ':')
		return jp_fail(p, false, "':' expected");
	p->pos++;
	p->d->t[p->stack[p->depth - 1]].size++;
	*st = JP_VALUE;
	return 0;
}

/* A value: a scalar whole, or a container opened (and closed when empty). */
static int jp_value(struct jparse *p, enum jp_state *st)
{
	char c = p->s[p->pos];

	if (p->depth && p->d->t[p->stack[p->depth - 1]].type == CLI_J_ARRAY)
		p->d->t[p->stack[p->depth - 1]].size++;
	*st = JP_AFTER;
	size_t tok;
	if (c == '"')
		return jp_string(p, &tok);
	if (c == '-' || (c >= '0' && c <= '9'))
		return jp_number(p);
	if (c != '{' && c != '[')
		return jp_literal(p);
	if (p->depth == JDOC_DEPTH)
		return jp_fail(p, false, "nested more than 64 deep");
	p->stack[p->depth++] = tok_new(p->d, c == '{' ? CLI_J_OBJECT : CLI_J_ARRAY, p->pos);
	p->pos++;
	jp_ws(p);
	if (p->pos < p->len && p->s[p->pos] == (c == '{' ? '}' : ']'))
		jp_close(p);
	else
		*st = c == '{' ? JP_KEY : JP_VALUE;
	return 0;
}

int cli_jdoc_parse(struct cli_jdoc *d, const char *text, size_t len, char *err, size_t errlen)
{
	struct jparse p = {.d = d, .s = text, .len = len, .err = err, .errlen = errlen};
	enum jp_state st = JP_VALUE;

	memset(d, 0, sizeof(*d));
	d->text = text;
	for (;;) {
		jp_ws(&p);
		if (p.pos >= len) {
			if (st == JP_AFTER && p.depth == 0)
				return 0;
			return jp_fail(&p, true, "the text ends inside a value");
		}
		int ret = st == JP_AFTER ? jp_after(&p, &st)
			  : st == JP_KEY ? jp_key(&p, &st)
					 : jp_value(&p, &st);
		if (ret)
			return ret;
	}
}

void cli_jdoc_free(struct cli_jdoc *d)
{
	free(d->t);
	memset(d, 0, sizeof(*d));
}

/* The character of a string at @s (not its closing quote) as UTF-8 into
 * @out: its length; *@s moves past it.  The parse checked the escapes. */
static size_t jstr_char(const char **s, unsigned char out[4])
{
	const char *p = *s;
	unsigned int u, lo;

	if (*p != '\\') {
		*s = p + 1;
		out[0] = (unsigned char)*p;
		return 1;
	}
	*s = p + 2;
	switch (p[1]) {
	case 'b':
		out[0] = '\b';
		return 1;
	case 'f':
		out[0] = '\f';
		return 1;
	case 'n':
		out[0] = '\n';
		return 1;
	case 'r':
		out[0] = '\r';
		return 1;
	case 't':
		out[0] = '\t';
		return 1;
	case 'u':
		break;
	default: /* " \ / */
		out[0] = (unsigned char)p[1];
		return 1;
	}
	hex4(p + 2, &u);
	*s = p + 6;
	if (u >= 0xd800 && u <= 0xdbff) { /* the parse saw its low half */
		hex4(p + 8, &lo);
		*s = p + 12;
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (u < 0x80) {
		out[0] = (unsigned char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (unsigned char)(0xc0 | u >> 6);
		out[1] = (unsigned char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (unsigned char)(0xe0 | u >> 12);
		out[1] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | u >> 18);
	out[1] = (unsigned char)(0x80 | (u >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (u >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (u & 0x3f));
	return 4;
}

/* String token @i decoded (malloc'd, NUL-terminated), its length in *@len. */
static char *jstr_decode(const struct cli_jdoc *d, size_t i, size_t *len)
{
	const struct cli_jtok *t = &d->t[i];
	const char *s = d->text + t->start + 1, *e = d->text + t->end - 1;
	char *out = malloc((size_t)(e - s) + 1); /* never longer */
	size_t n = 0;

	if (!out)
		cli_oom("a JSON string");
	while (s < e)
		n += jstr_char(&s, (unsigned char *)out + n);
	out[n] = 0;
	*len = n;
	return out;
}

static bool key_is(const struct cli_jdoc *d, size_t k, const char *key, size_t keylen)
{
	size_t n;
	char *s = jstr_decode(d, k, &n);
	bool eq = n == keylen && memcmp(s, key, n) == 0;
	free(s);
	return eq;
}

size_t cli_jdoc_member(const struct cli_jdoc *d, size_t obj, const char *key)
{
	if (obj >= d->n || d->t[obj].type != CLI_J_OBJECT)
		return 0;
	size_t k = obj + 1, klen = strlen(key);
	for (size_t m = 0; m < d->t[obj].size; m++, k = d->t[k + 1].next)
		if (key_is(d, k, key, klen))
			return k + 1;
	return 0;
}

size_t cli_jdoc_dup_key(const struct cli_jdoc *d, size_t obj)
{
	if (obj >= d->n || d->t[obj].type != CLI_J_OBJECT)
		return 0;
	size_t a = obj + 1;
	for (size_t m = 0; m < d->t[obj].size; m++, a = d->t[a + 1].next) {
		size_t alen;
		char *as = jstr_decode(d, a, &alen);
		size_t b = d->t[a + 1].next;
		for (size_t j = m + 1; j < d->t[obj].size; j++, b = d->t[b + 1].next)
			if (key_is(d, b, as, alen)) {
				free(as);
				return b;
			}
		free(as);
	}
	return 0;
}

bool cli_jdoc_u64(const struct cli_jdoc *d, size_t i, uint64_t *v)
{
	char num[24];

	if (i >= d->n)
		return false;
	const struct cli_jtok *t = &d->t[i];
	size_t n = t->end - t->start;
	if (t->type != CLI_J_NUMBER || n >= sizeof(num) ||
	    strspn(d->text + t->start, "0123456789") < n)
		return false;
	memcpy(num, d->text + t->start, n);
	num[n] = 0;
	return cli_parse_u64(num, v);
}

char *cli_jdoc_str(const struct cli_jdoc *d, size_t i)
{
	size_t n;
	if (i >= d->n || d->t[i].type != CLI_J_STRING)
		return NULL;
	char *s = jstr_decode(d, i, &n);
	if (strlen(s) != n) {
		free(s);
		return NULL;
	}
	return s;
}

/* String token @t as cli_json_str() writes it. */
static void write_str(FILE *f, const struct cli_jdoc *d, const struct cli_jtok *t)
{
	const char *s = d->text + t->start + 1, *e = d->text + t->end - 1;
	unsigned char ch[4];

	fputc('"', f);
	while (s < e) {
		size_t n = jstr_char(&s, ch);
		for (size_t k = 0; k < n; k++) {
			if (ch[k] == '"' || ch[k] == '\\')
				fprintf(f, "\\%c", ch[k]);
			else if (ch[k] == '\n')
				fputs("\\n", f);
			else if (ch[k] < 0x20)
				fprintf(f, "\\u%04x", ch[k]);
			else
				fputc(ch[k], f);
		}
	}
	fputc('"', f);
}

/* Token @i and what it holds; the token after them. */
static size_t write_tok(FILE *f, const struct cli_jdoc *d, size_t i)
{
	const struct cli_jtok *t = &d->t[i];
	bool obj = t->type == CLI_J_OBJECT;

	if (t->type == CLI_J_STRING) {
		write_str(f, d, t);
		return i + 1;
	}
	if (!obj && t->type != CLI_J_ARRAY) {
		fwrite(d->text + t->start, 1, t->end - t->start, f);
		return i + 1;
	}
	fputc(obj ? '{' : '[', f);
	size_t k = i + 1;
	for (size_t m = 0; m < t->size; m++) {
		if (m)
			fputc(',', f);
		if (obj) {
			k = write_tok(f, d, k);
			fputc(':', f);
		}
		k = write_tok(f, d, k);
	}
	fputc(obj ? '}' : ']', f);
	return k;
}

void cli_jdoc_write(FILE *f, const struct cli_jdoc *d, size_t i)
{
	if (i < d->n)
		write_tok(f, d, i);
}

char *cli_jdoc_compact(const struct cli_jdoc *d, size_t i, size_t *len)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		cli_oom("a JSON value");
	cli_jdoc_write(f, d, i);
	if (fclose(f) || !s)
		cli_oom("a JSON value");
	if (len)
		*len = n;
	return s;
}
