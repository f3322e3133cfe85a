// SPDX-License-Identifier: MIT
/*
 * A run's coverage as text (a few lines under a clean run's summary) and as
 * --json's "coverage" object; docs/hmmsim.1 and docs/engine.md describe both.
 */
#include "cli_cov.h"

#include "cli_util.h"

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
