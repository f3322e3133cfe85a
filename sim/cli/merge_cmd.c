// SPDX-License-Identifier: MIT
/*
 * hmmsim merge FILE...: combine the --json results of the shards of one
 * campaign (explore --shard K/N): executions and violations summed, the
 * violations concatenated in execution order, elapsed_s the longest shard's.
 * It reads only what explore --json writes.  cli_merge() is also how
 * explore --jobs combines its workers' results (sim/cli/jobs.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* The raw JSON value of top-level @key in @head (the part before "violations"). */
static int raw_value(const char *head, const char *key, char *out, size_t outlen)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(head, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	const char *q = p;
	if (*q == '"') {
		for (q++; *q && *q != '"'; q++)
			if (*q == '\\' && q[1])
				q++;
		if (*q)
			q++;
	} else {
		q += strcspn(q, ",}");
	}
	if ((size_t)(q - p) >= outlen)
		return -1;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = 0;
	return 0;
}

/* The end of the JSON object at @p ('{'), or NULL. */
static const char *object_end(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
		} else if (*p == '{') {
			depth++;
		} else if (*p == '}' && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

static int by_execution(const void *a, const void *b)
{
	const struct cli_merge_viol *x = a, *y = b;
	if (x->execution != y->execution)
		return x->execution < y->execution ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int bad_file(const char *path, const char *what)
{
	fprintf(stderr, "hmmsim: merge: %s: %s\n", path, what);
	return 2;
}

void cli_merge_free(struct cli_merge *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int cli_merge(int n, char **texts, char *const *names, struct cli_merge *m)
{
	const char *keys[3] = {"scenario", "strategy", "seed"};
	size_t capv = 0;
	int status = 0;

	memset(m, 0, sizeof(*m));
	for (int f = 0; f < n && !status; f++) {
		const char *path = names[f];
		char *buf = texts[f];
		char val[256];
		char *arr = strstr(buf, "\"violations\":[");
		if (buf[0] != '{' || !arr) {
			status = bad_file(path, "not the --json output of hmmsim explore");
			break;
		}
		*arr = 0; /* the head ends here */
		for (int k = 0; k < 3; k++) {
			if (raw_value(buf, keys[k], val, sizeof(val))) {
				status = bad_file(path, "a field is missing");
				break;
			}
			if (f == 0)
				snprintf(m->head[k], sizeof(m->head[k]), "%s", val);
			else if (strcmp(m->head[k], val)) {
				char msg[128];
				snprintf(msg, sizeof(msg), "another %s than %s's", keys[k],
					 names[0]);
				status = bad_file(path, msg);
				break;
			}
		}
		if (status)
			break;
		double el = 0;
		uint64_t v = 0;
		if (raw_value(buf, "executions", val, sizeof(val)) || !cli_parse_u64(val, &v)) {
			status = bad_file(path, "no executions");
			break;
		}
		m->executions += v;
		if (raw_value(buf, "violations_found", val, sizeof(val)) ||
		    !cli_parse_u64(val, &v)) {
			status = bad_file(path, "no violations_found");
			break;
		}
		m->violations_found += v;
		if (!raw_value(buf, "elapsed_s", val, sizeof(val)) && cli_parse_double(val, &el) &&
		    el > m->elapsed_s)
			m->elapsed_s = el;
		const char *p = arr + strlen("\"violations\":[");
		for (;;) {
			p += strspn(p, " \n\t,");
			if (*p == ']')
				break;
			const char *end = *p == '{' ? object_end(p) : NULL;
			const char *ex = end ? strstr(p, "\"execution\":") : NULL;
			if (!ex || ex > end) {
				status = bad_file(path, "a damaged violations array");
				break;
			}
			if (m->nv == capv) {
				capv = capv ? 2 * capv : 64;
				m->v = realloc(m->v, capv * sizeof(*m->v));
				if (!m->v)
					abort();
			}
			m->v[m->nv] =
			    (struct cli_merge_viol){.execution = strtoull(ex + 12, NULL, 10),
						    .order = m->nv,
						    .p = p,
						    .len = (size_t)(end - p)};
			m->nv++;
			p = end;
		}
	}
	if (status) {
		cli_merge_free(m);
		return status;
	}
	if (m->nv)
		qsort(m->v, m->nv, sizeof(*m->v), by_execution);
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	struct cli_merge m;
	char **bufs = calloc((size_t)argc + 1, sizeof(*bufs));
	int status = 0;

	if (!bufs)
		abort();
	if (argc < 1) {
		free(bufs);
		fprintf(stderr, "hmmsim: merge needs the --json files of the shards (see hmmsim "
				"--help)\n");
		return 2;
	}
	for (int f = 0; f < argc && !status; f++) {
		bufs[f] = slurp(argv[f]);
		if (!bufs[f]) {
			fprintf(stderr, "hmmsim: merge: cannot read %s: %s\n", argv[f],
				strerror(errno));
			status = 2;
		}
	}
	if (!status)
		status = cli_merge(argc, bufs, argv, &m);
	if (!status) {
		printf("{\"scenario\":%s,\"strategy\":%s,\"seed\":%s,\"executions\":%llu,"
		       "\"elapsed_s\":%.6f,\"execs_per_s\":%.1f,\"violations_found\":%llu,"
		       "\"exhausted\":false,\"shards\":%d,\"violations\":[",
		       m.head[0], m.head[1], m.head[2], m.executions, m.elapsed_s,
		       m.elapsed_s > 0 ? (double)m.executions / m.elapsed_s : 0.0,
		       m.violations_found, argc);
		for (size_t i = 0; i < m.nv; i++)
			printf("%s%.*s", i ? "," : "", (int)m.v[i].len, m.v[i].p);
		printf("],");
		cli_json_version(stdout); /* the merging build's */
		printf("}\n");
		status = m.violations_found ? 1 : 0;
		cli_merge_free(&m);
	}
	for (int f = 0; f < argc; f++)
		free(bufs[f]);
	free(bufs);
	return status;
}
