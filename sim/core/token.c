// SPDX-License-Identifier: MIT
/*
 * Schedule tokens: a printable, shell-safe string that replays one execution.
 *
 *   1-HHHHHHHH-PAYLOAD-CCCC
 *
 * "1" is the format version, H the hash of the scenario's name (a token of
 * another scenario is refused), PAYLOAD the base64url of unsigned LEB128
 * varints: the number of choice points, the number of recorded choices, then
 * for each choice the distance from the previous one and the thread id, and
 * C a 16-bit check of everything before it.  Only choices that differ from
 * the default (the current thread goes on, else round robin) are recorded.
 */
#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint32_t sim_scenario_hash(const char *name)
{
	uint32_t h = 2166136261u;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

static uint16_t check16(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return (uint16_t)(h ^ (h >> 16));
}

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static void put_varint(struct buf *b, uint64_t v)
{
	do {
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 64;
			b->p = realloc(b->p, b->cap);
			if (!b->p)
				abort();
		}
		unsigned char byte = v & 0x7f;
		v >>= 7;
		b->p[b->n++] = byte | (v ? 0x80 : 0);
	} while (v);
}

char *sim_token_encode(uint32_t hash, uint64_t total_cp, const struct sim_choice *c, size_t n)
{
	struct buf b = {0};
	uint64_t prev = 0;

	put_varint(&b, total_cp);
	put_varint(&b, n);
	for (size_t i = 0; i < n; i++) {
		put_varint(&b, c[i].cp - prev);
		put_varint(&b, (uint64_t)c[i].tid);
		prev = c[i].cp;
	}
	size_t len = 2 + 9 + (b.n * 4 + 2) / 3 + 1 + 4 + 1;
	char *s = malloc(len), *o = s;
	if (!s)
		abort();
	o += sprintf(o, "1-%08x-", hash);
	for (size_t i = 0; i < b.n; i += 3) {
		uint32_t v = (uint32_t)b.p[i] << 16;
		if (i + 1 < b.n)
			v |= (uint32_t)b.p[i + 1] << 8;
		if (i + 2 < b.n)
			v |= b.p[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		if (i + 1 < b.n)
			*o++ = b64[(v >> 6) & 63];
		if (i + 2 < b.n)
			*o++ = b64[v & 63];
	}
	*o = 0;
	sprintf(o, "-%04x", check16(s, (size_t)(o - s)));
	free(b.p);
	return s;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int b64val(char ch)
{
	const char *p = ch ? strchr(b64, ch) : NULL;
	return p ? (int)(p - b64) : -1;
}

int sim_token_decode(const char *tok, uint32_t *hash, uint64_t *total_cp, struct sim_choice **out,
		     size_t *nout, char *err, size_t errlen)
{
	size_t len = strlen(tok);
	unsigned int chk;
	char tail;

	*out = NULL;
	*nout = 0;
	if (len < 2 + 9 + 5 || tok[0] != '1' || tok[1] != '-' || tok[10] != '-' ||
	    tok[len - 5] != '-')
		return fail(err, errlen, "malformed schedule token (expected 1-XXXXXXXX-...-XXXX)");
	if (sscanf(tok + len - 4, "%4x%c", &chk, &tail) != 1 ||
	    strspn(tok + len - 4, "0123456789abcdef") != 4)
		return fail(err, errlen, "malformed schedule token (bad check digits)");
	if (check16(tok, len - 5) != chk)
		return fail(err, errlen, "schedule token is damaged (check digits do not match)");
	if (strspn(tok + 2, "0123456789abcdef") != 8)
		return fail(err, errlen, "malformed schedule token (bad scenario hash)");
	*hash = (uint32_t)strtoul(tok + 2, NULL, 16);

	const char *p = tok + 11, *end = tok + len - 5;
	size_t nb = 0;
	unsigned char *bytes = malloc((size_t)(end - p) + 3);
	uint32_t acc = 0;
	int bits = 0;
	if (!bytes)
		abort();
	for (; p < end; p++) {
		int v = b64val(*p);
		if (v < 0) {
			free(bytes);
			return fail(err, errlen, "malformed schedule token (bad character '%c')",
				    *p);
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bytes[nb++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}

	size_t pos = 0;
	uint64_t vals[2];
#define GET(dst)                                                                                   \
	do {                                                                                       \
		uint64_t v_ = 0;                                                                   \
		int sh_ = 0;                                                                       \
		for (;;) {                                                                         \
			if (pos >= nb || sh_ > 63) {                                               \
				free(bytes);                                                       \
				free(*out);                                                        \
				*out = NULL;                                                       \
				return fail(err, errlen, "malformed schedule token (truncated)");  \
			}                                                                          \
			unsigned char c_ = bytes[pos++];                                           \
			v_ |= (uint64_t)(c_ & 0x7f) << sh_;                                        \
			sh_ += 7;                                                                  \
			if (!(c_ & 0x80))                                                          \
				break;                                                             \
		}                                                                                  \
		(dst) = v_;                                                                        \
	} while (0)

	GET(vals[0]);
	GET(vals[1]);
	*total_cp = vals[0];
	if (vals[1] > vals[0] || vals[1] > nb) {
		free(bytes);
		return fail(err, errlen, "malformed schedule token (inconsistent counts)");
	}
	*out = calloc(vals[1] ? vals[1] : 1, sizeof(**out));
	if (!*out)
		abort();
	uint64_t cp = 0;
	for (size_t i = 0; i < vals[1]; i++) {
		uint64_t d, t;
		GET(d);
		GET(t);
		if ((i > 0 && d == 0) || t >= SIM_MAX_THREADS || d >= vals[0] - cp) {
			free(bytes);
			free(*out);
			*out = NULL;
			return fail(err, errlen, "malformed schedule token (bad choice %zu)", i);
		}
		cp += d;
		(*out)[i] = (struct sim_choice){cp, (int)t};
	}
#undef GET
	free(bytes);
	if (pos != nb) {
		free(*out);
		*out = NULL;
		return fail(err, errlen, "malformed schedule token (trailing data)");
	}
	*nout = vals[1];
	return 0;
}
