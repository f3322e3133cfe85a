// SPDX-License-Identifier: MIT
/*
 * dpor's race profile on the command line (explore --race-profile): the
 * text after the summary, the "race_profile" object of --json, and its
 * merge (explore --jobs, hmmsim merge), which adds the pairs of every
 * shard up by their texts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hmmsim/explore.h>

#include "cli_util.h"

void cli_races_json(FILE *f, const struct sim_result *r)
{
	if (!r->race_profiled)
		return;
	fprintf(f, "\"race_profile\":{\"no_race\":%llu,\"pairs\":[",
		(unsigned long long)r->race_other);
	for (unsigned int i = 0; i < r->nr_race_pairs; i++) {
		const struct sim_race_pair *p = &r->race_pairs[i];
		fprintf(f, "%s{\"first\":", i ? "," : "");
		cli_json_str(f, p->a);
		fprintf(f, ",\"second\":");
		cli_json_str(f, p->b);
		fprintf(f, ",\"executions\":%llu}", (unsigned long long)p->executions);
	}
	fprintf(f, "]},");
}

void cli_races_text(FILE *f, const struct sim_result *r, unsigned int rows)
{
	uint64_t total = r->race_other, rest = 0;
	unsigned int more = 0;

	if (!r->race_profiled || r->probe_found)
		return; /* (a probe round's find: the exploration did not run) */
	for (unsigned int i = 0; i < r->nr_race_pairs; i++)
		total += r->race_pairs[i].executions;
	fprintf(f,
		"race profile: the %llu execution%s by the race that began each, as two model "
		"functions and what each did (docs/dpor.md, \"Where the executions come from\")\n",
		(unsigned long long)total, cli_plural(total));
	for (unsigned int i = 0; i < r->nr_race_pairs; i++) {
		const struct sim_race_pair *p = &r->race_pairs[i];
		if (i >= rows || !p->executions) {
			more++;
			rest += p->executions;
			continue;
		}
		fprintf(f, "  %10llu %5.1f%%  %s\n  %17s  %s\n", (unsigned long long)p->executions,
			total ? 100.0 * (double)p->executions / (double)total : 0.0, p->a, "",
			p->b);
	}
	if (more)
		fprintf(f, "  %10llu %5.1f%%  %u more pair%s\n", (unsigned long long)rest,
			total ? 100.0 * (double)rest / (double)total : 0.0, more, cli_plural(more));
	fprintf(f,
		"  %10llu %5.1f%%  no race: the first execution, and those of alternatives added "
		"at context switches (a bound, the split) or after a violation\n",
		(unsigned long long)r->race_other,
		total ? 100.0 * (double)r->race_other / (double)total : 0.0);
}

/* The JSON string at @p ('"'), unescaped into a new string; *end after it. */
static char *json_string(const char *p, const char **end)
{
	if (*p != '"')
		return NULL;
	size_t n = 0, len = 0;
	for (const char *q = p + 1; *q && *q != '"'; q++, len++)
		if (*q == '\\' && q[1])
			q++;
	char *s = malloc(len + 1);
	if (!s)
		cli_oom("a race profile");
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		s[n++] = *p;
	}
	if (*p != '"') {
		free(s);
		return NULL;
	}
	s[n] = 0;
	*end = p + 1;
	return s;
}

/* "key": at @p; the value after it, or NULL. */
static const char *json_key(const char *p, const char *key)
{
	size_t n = strlen(key);
	p += strspn(p, " \n\t,");
	if (*p != '"' || strncmp(p + 1, key, n) || p[n + 1] != '"' || p[n + 2] != ':')
		return NULL;
	return p + n + 3;
}

static void add_pair(struct cli_races *acc, char *a, char *b, uint64_t ex)
{
	for (unsigned int i = 0; i < acc->n; i++) {
		struct sim_race_pair *p = &acc->pairs[i];
		if (!strcmp(p->a, a) && !strcmp(p->b, b)) {
			p->executions += ex;
			free(a);
			free(b);
			return;
		}
	}
	unsigned int n = acc->n;
	if (n == 0 || (n >= 16 && !(n & (n - 1)))) { /* capacity: 16, then powers of two */
		acc->pairs = realloc(acc->pairs, (n ? 2 * n : 16) * sizeof(*acc->pairs));
		if (!acc->pairs)
			cli_oom("a race profile");
	}
	acc->pairs[n] = (struct sim_race_pair){a, b, ex};
	acc->n = n + 1;
}

int cli_races_add(struct cli_races *acc, const char *head)
{
	const char *p = strstr(head, "\"race_profile\":{");
	char *end;

	if (!p)
		return 0;
	acc->on = true;
	p += strlen("\"race_profile\":{");
	if (!(p = json_key(p, "no_race")))
		return -1;
	acc->other += strtoull(p, &end, 10);
	if (!(p = json_key(end, "pairs")) || *p++ != '[')
		return -1;
	for (;;) {
		p += strspn(p, " \n\t,");
		if (*p == ']')
			return 0;
		if (*p++ != '{')
			return -1;
		const char *q;
		char *a = NULL, *b = NULL;
		if (!(q = json_key(p, "first")) || !(a = json_string(q, &p)) ||
		    !(q = json_key(p, "second")) || !(b = json_string(q, &p)) ||
		    !(q = json_key(p, "executions"))) {
			free(a);
			free(b);
			return -1;
		}
		uint64_t ex = strtoull(q, &end, 10);
		p = end + strspn(end, " \n\t");
		if (*p++ != '}') {
			free(a);
			free(b);
			return -1;
		}
		add_pair(acc, a, b, ex);
	}
}

void cli_races_sort(struct cli_races *acc)
{
	sim_race_pairs_sort(acc->pairs, acc->n);
}

void cli_races_result(const struct cli_races *acc, struct sim_result *res)
{
	res->race_profiled = acc->on;
	res->race_other = acc->other;
	res->nr_race_pairs = 0;
	res->race_pairs = acc->n ? calloc(acc->n, sizeof(*res->race_pairs)) : NULL;
	if (acc->n && !res->race_pairs)
		cli_oom("a race profile");
	for (unsigned int i = 0; i < acc->n; i++) {
		const struct sim_race_pair *p = &acc->pairs[i];
		res->race_pairs[i] =
		    (struct sim_race_pair){strdup(p->a), strdup(p->b), p->executions};
		if (!res->race_pairs[i].a || !res->race_pairs[i].b)
			cli_oom("a race profile");
		res->nr_race_pairs = i + 1;
	}
}

void cli_races_free(struct cli_races *acc)
{
	for (unsigned int i = 0; i < acc->n; i++) {
		free(acc->pairs[i].a);
		free(acc->pairs[i].b);
	}
	free(acc->pairs);
	memset(acc, 0, sizeof(*acc));
}
