/* SPDX-License-Identifier: MIT */
/*
 * What the dpor suites share: a dpor run to the end, and the comparison of
 * its final states with unbounded dfs's.
 */
#ifndef HMMSIM_TESTS_DPOR_COMMON_H
#define HMMSIM_TESTS_DPOR_COMMON_H

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static inline struct sim_result run_dpor(const struct sim_scenario *sc, bool check)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR,
	    .iterations = UINT64_MAX,
	    .por_check = check,
	};
	struct sim_result r;
	int ret = sim_explore(sc, &o, &r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "sim_explore(%s): %s\n", sc->name, r.error);
	return r;
}

struct hashes {
	uint64_t *h;
	size_t n, cap;
};

static inline bool collect(void *arg, const struct sim_progress *p)
{
	struct hashes *hs = arg;
	if (!p->schedule_hash)
		return true; /* dpor's sleep-set blocked execution: cut short, no final state */
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i] == p->final_hash)
			return true;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? 2 * hs->cap : 64;
		hs->h = realloc(hs->h, hs->cap * sizeof(*hs->h));
		if (!hs->h)
			abort();
	}
	hs->h[hs->n++] = p->final_hash;
	return true;
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The same set of final states (both sorted). */
static inline bool hashes_same(const struct hashes *a, const struct hashes *b)
{
	return a->n == b->n && !memcmp(a->h, b->h, a->n * sizeof(*a->h));
}

/* Run @o with the oracles off, its final states into @hs, sorted. */
static inline struct sim_result run_collect(const struct sim_scenario *sc, struct sim_options o,
					    struct hashes *hs)
{
	o.no_races = o.no_lockdep = o.no_might_sleep = true;
	o.final_hashes = true;
	o.progress = collect;
	o.progress_arg = hs;
	struct sim_result r;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), 0);
	qsort(hs->h, hs->n, sizeof(*hs->h), cmp_u64);
	return r;
}

static inline struct sim_result run_hashes(const struct sim_scenario *sc, enum sim_strategy s,
					   struct hashes *hs)
{
	struct sim_options o = {.strategy = s, .iterations = 20000000, .dfs_preemptions = 64};
	return run_collect(sc, o, hs);
}

/* dpor reaches the final states unbounded dfs does, in fewer executions.
 * Return: dpor's executions. */
static inline uint64_t same_as_dfs(const struct sim_scenario *sc)
{
	struct hashes a = {0}, b = {0};
	struct sim_result d = run_hashes(sc, SIM_STRATEGY_DPOR, &a);
	struct sim_result f = run_hashes(sc, SIM_STRATEGY_DFS, &b);

	CU_ASSERT_TRUE(d.exhausted);
	CU_ASSERT_TRUE(f.exhausted);
	CU_ASSERT_EQUAL(d.violations_found, f.violations_found);
	CU_ASSERT_TRUE(d.executions < f.executions);
	CU_ASSERT_EQUAL(a.n, b.n);
	CU_ASSERT_TRUE(hashes_same(&a, &b));
	if (a.n != b.n || d.executions >= f.executions || !f.exhausted)
		fprintf(
		    stderr,
		    "%s: dpor %llu executions (%llu blocked), %zu final states; dfs %llu, %zu\n",
		    sc->name, (unsigned long long)d.executions, (unsigned long long)d.sleep_blocked,
		    a.n, (unsigned long long)f.executions, b.n);
	free(a.h);
	free(b.h);
	uint64_t n = d.executions;
	sim_result_free(&d);
	sim_result_free(&f);
	return n;
}

#endif
