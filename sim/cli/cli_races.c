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
#include "jdoc.h"

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

int cli_races_add(struct cli_races *acc, const struct cli_jdoc *d, size_t prof)
{
	size_t pairs, k;
	uint64_t other, ex;

	if (!prof)
		return 0;
	acc->on = true;
	pairs = cli_jdoc_member(d, prof, "pairs");
	k = pairs + 1;
	if (!cli_jdoc_u64(d, cli_jdoc_member(d, prof, "no_race"), &other) || !pairs ||
	    d->t[pairs].type != CLI_J_ARRAY)
		return -1;
	acc->other += other;
	for (size_t e = 0; e < d->t[pairs].size; e++, k = d->t[k].next) {
		char *sa = cli_jdoc_str(d, cli_jdoc_member(d, k, "first")),
		     *sb = cli_jdoc_str(d, cli_jdoc_member(d, k, "second"));
		if (!sa || !sb || !cli_jdoc_u64(d, cli_jdoc_member(d, k, "executions"), &ex)) {
			free(sa);
			free(sb);
			return -1;
		}
		add_pair(acc, sa, sb, ex);
	}
	return 0;
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
