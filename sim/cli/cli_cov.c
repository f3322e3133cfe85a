// SPDX-License-Identifier: MIT
/*
 * A run's coverage as text (a few lines under a clean run's summary) and as
 * --json's "coverage" object; docs/hmmsim.1 and docs/engine.md describe both.
 */
#include "cli_cov.h"

#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "jdoc.h"

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* "name N, name N, ..." of @n counts, each the executions that reached it. */
static void text_counts(FILE *f, const struct sim_cov_count *c, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%s %llu", i ? ", " : "", c[i].name, ull(c[i].executions));
	fputc('\n', f);
}

void cli_cov_print_text(FILE *f, const struct sim_coverage *c)
{
	if (!c->collected)
		return;
	fprintf(f,
		"coverage: %llu executions, %s%llu distinct schedules, %llu choice points (at "
		"most %llu in one), %llu preemptions\n",
		ull(c->executions), c->distinct_capped ? "at least " : "",
		ull(c->distinct_schedules), ull(c->choice_points), ull(c->max_choice_points),
		ull(c->preemptions));
	if (c->nevents) {
		fprintf(f, "  model events (executions that reached each): ");
		text_counts(f, c->events, c->nevents);
	}
	fprintf(f, "  lock contention (executions that found each lock class held): ");
	if (c->nlocks)
		text_counts(f, c->locks, c->nlocks);
	else
		fprintf(f, "none\n");
	for (unsigned int i = 0; i < c->nthreads; i++)
		if (sim_cov_never_interleaved(c, i))
			fprintf(f,
				"warning: thread %s never interleaved with another thread in the "
				"%llu executions that ran it (none preempted it or let it run "
				"while a thread it preempted waited): nothing concurrent was "
				"tested in it\n",
				c->threads[i].name, ull(c->threads[i].executions));
}

static void json_counts(FILE *f, const char *key, const struct sim_cov_count *c, unsigned int n,
			const char *hits)
{
	fprintf(f, ",\"%s\":{", key);
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		cli_json_str(f, c[i].name);
		fprintf(f, ":{\"executions\":%llu,\"%s\":%llu}", ull(c[i].executions), hits,
			ull(c[i].hits));
	}
	fputc('}', f);
}

void cli_cov_print_json(FILE *f, const struct sim_coverage *c)
{
	if (!c->collected)
		return;
	fprintf(f,
		",\"coverage\":{\"executions\":%llu,\"distinct_schedules\":%llu,"
		"\"distinct_capped\":%s,\"choice_points\":%llu,\"max_choice_points\":%llu,"
		"\"preemptions\":%llu",
		ull(c->executions), ull(c->distinct_schedules),
		c->distinct_capped ? "true" : "false", ull(c->choice_points),
		ull(c->max_choice_points), ull(c->preemptions));
	json_counts(f, "events", c->events, c->nevents, "hits");
	json_counts(f, "locks", c->locks, c->nlocks, "hits");
	json_counts(f, "threads", c->threads, c->nthreads, "interleaved");
	fprintf(f, ",\"never_interleaved\":[");
	for (unsigned int i = 0, k = 0; i < c->nthreads; i++)
		if (sim_cov_never_interleaved(c, i)) {
			if (k++)
				fputc(',', f);
			cli_json_str(f, c->threads[i].name);
		}
	fprintf(f, "]}");
}

/* ---- added up: hmmsim merge and explore --jobs ----------------------------- */

static bool add(uint64_t *sum, uint64_t v)
{
	return !__builtin_add_overflow(*sum, v, sum);
}

/* Member @key of @obj in @d, a number: true and *@v. */
static bool u64_of(const struct cli_jdoc *d, size_t obj, const char *key, uint64_t *v)
{
	return cli_jdoc_u64(d, cli_jdoc_member(d, obj, key), v);
}

/*
 * The counts of object @obj ({"name":{"executions":N,"@hits":N},...}) added
 * by name to @c[0..*@n) (a name not there yet comes last, up to @max; with
 * @skip_zero, not one that counts nothing: a lock class a --jobs worker met
 * only in its probes of the others' subtrees).
 * Return: 0, or -1 when damaged or a sum wraps.
 */
static int add_counts(struct sim_cov_count *c, unsigned int *n, unsigned int max,
		      const struct cli_jdoc *d, size_t obj, const char *hits, bool skip_zero)
{
	if (!obj || d->t[obj].type != CLI_J_OBJECT)
		return -1;
	for (size_t m = 0, k = obj + 1; m < d->t[obj].size; m++, k = d->t[k + 1].next) {
		char *name = cli_jdoc_str(d, k);
		uint64_t ex, hit;
		unsigned int i = 0;
		if (!name || strlen(name) >= sizeof(c->name) ||
		    !u64_of(d, k + 1, "executions", &ex) || !u64_of(d, k + 1, hits, &hit)) {
			free(name);
			return -1;
		}
		while (i < *n && strcmp(c[i].name, name))
			i++;
		if (i == *n && *n < max && (ex || hit || !skip_zero)) {
			memset(&c[i], 0, sizeof(c[i]));
			snprintf(c[i].name, sizeof(c[i].name), "%s", name);
			(*n)++;
		}
		free(name);
		if (i < *n && (!add(&c[i].executions, ex) || !add(&c[i].hits, hit)))
			return -1;
	}
	return 0;
}

int cli_cov_add(struct sim_coverage *acc, const struct cli_jdoc *d, size_t cov, bool disjoint)
{
	uint64_t ex, dist, cp, maxcp, pre;
	size_t capped = cli_jdoc_member(d, cov, "distinct_capped");

	if (!cov || d->t[cov].type != CLI_J_OBJECT || !u64_of(d, cov, "executions", &ex) ||
	    !u64_of(d, cov, "distinct_schedules", &dist) || !u64_of(d, cov, "choice_points", &cp) ||
	    !u64_of(d, cov, "max_choice_points", &maxcp) || !u64_of(d, cov, "preemptions", &pre) ||
	    !capped || (d->t[capped].type != CLI_J_TRUE && d->t[capped].type != CLI_J_FALSE) ||
	    dist > ex)
		return -1;
	bool first = !acc->collected;
	acc->collected = true;
	if (!add(&acc->executions, ex) || !add(&acc->choice_points, cp) ||
	    !add(&acc->preemptions, pre))
		return -1;
	acc->max_choice_points = maxcp > acc->max_choice_points ? maxcp : acc->max_choice_points;
	/* dpor's workers and shards run disjoint subtrees, so their schedules
	 * are distinct from each other's; random and pct shards may meet, so
	 * the largest shard's count is what is known: at least that many */
	if (disjoint) {
		if (!add(&acc->distinct_schedules, dist))
			return -1;
		acc->distinct_capped |= d->t[capped].type == CLI_J_TRUE;
	} else {
		acc->distinct_schedules =
		    dist > acc->distinct_schedules ? dist : acc->distinct_schedules;
		acc->distinct_capped = !first || d->t[capped].type == CLI_J_TRUE;
	}
	if (add_counts(acc->events, &acc->nevents, SIM_COV_MAX_EVENTS, d,
		       cli_jdoc_member(d, cov, "events"), "hits", false) ||
	    add_counts(acc->locks, &acc->nlocks, SIM_COV_MAX_LOCKS, d,
		       cli_jdoc_member(d, cov, "locks"), "hits", true) ||
	    add_counts(acc->threads, &acc->nthreads, SIM_COV_MAX_THREADS, d,
		       cli_jdoc_member(d, cov, "threads"), "interleaved", false))
		return -1;
	return 0;
}
