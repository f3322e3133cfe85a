// SPDX-License-Identifier: MIT
/*
 * Iterative dfs suite (sim/core/dfs.c): bound 0, then 1, ... runs every
 * schedule of the single bound-P tree exactly once (a set of schedule hashes
 * with no duplicate, equal to the single tree's), says which bound it
 * completed, and finds a bug that needs no preemption among its first
 * executions where the single tree needs thousands.
 */
#include <CUnit/CUnit.h>
#include <hmmsim/sim.h>
#include <stdlib.h>

#include "helpers.h"

/* The schedule hash of every execution of a run. */
struct hashes {
	uint64_t *h;
	size_t n, cap;
};

static bool collect(void *arg, const struct sim_progress *p)
{
	struct hashes *hs = arg;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? 2 * hs->cap : 1024;
		hs->h = realloc(hs->h, hs->cap * sizeof(*hs->h));
		CU_ASSERT_PTR_NOT_NULL_FATAL(hs->h);
	}
	hs->h[hs->n++] = p->schedule_hash;
	return true;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Explore @sc exhaustively with bound @p, iterative or not: its hashes, sorted. */
static struct sim_result run_hashes(const struct sim_scenario *sc, unsigned int p, bool single,
				    struct hashes *hs)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DFS,
	    .iterations = 10000000,
	    .dfs_preemptions = p,
	    .dfs_single_bound = single,
	    .progress = collect,
	    .progress_arg = hs,
	};
	struct sim_result r;
	EXPECT_EQ_INT(sim_explore(sc, &o, &r), 0);
	qsort(hs->h, hs->n, sizeof(*hs->h), by_u64);
	return r;
}

/* Every schedule once across the rounds, and the same set as the single tree. */
static void check_same_schedules(const struct sim_scenario *sc, unsigned int p)
{
	struct hashes it = {0}, one = {0};
	struct sim_result a = run_hashes(sc, p, false, &it);
	struct sim_result b = run_hashes(sc, p, true, &one);
	size_t dup = 0, differ = 0;

	CU_ASSERT_TRUE(a.exhausted);
	CU_ASSERT_TRUE(b.exhausted);
	EXPECT_EQ_U64(a.violations_found, 0);
	EXPECT_EQ_U64(a.executions, b.executions);
	EXPECT_EQ_U64(it.n, a.executions);
	EXPECT_EQ_U64(it.n, one.n);
	for (size_t i = 1; i < it.n; i++)
		dup += it.h[i] == it.h[i - 1];
	for (size_t i = 0; i < it.n && i < one.n; i++)
		differ += it.h[i] != one.h[i];
	EXPECT_EQ_U64(dup, 0);
	EXPECT_EQ_U64(differ, 0);
	EXPECT_EQ_U64(a.coverage.distinct_schedules, a.executions);
	EXPECT_EQ_INT(a.bound_completed, (int)p);
	if (dup || differ || a.executions != b.executions)
		fprintf(stderr, "%s, bound %u: %zu duplicates, %zu differ\n", sc->name, p, dup,
			differ);
	sim_result_free(&a);
	sim_result_free(&b);
	free(it.h);
	free(one.h);
}

static void test_litmus_no_repeat(void)
{
	static const char *const names[] = {"lost-update-fixed", "abba-fixed",
					    "seqcount-noretry-fixed", "readers-3"};
	for (unsigned int i = 0; i < 4; i++)
		for (unsigned int p = 0; p <= 3; p++)
			check_same_schedules(sim_litmus_find(names[i]), p);
}

static void test_model_no_repeat(void)
{
	/* small model scenarios: the reference driver's race (bound 1: 10,355
	 * schedules) and the P2P unplug and unload ones (bound 1) */
	static const char *const names[] = {"driver-fault-race", "p2p-unplug-safe",
					    "p2p-importer-unload"};
	for (unsigned int i = 0; i < 3; i++) {
		const struct sim_scenario *sc = hs_model_scenario_find(names[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		check_same_schedules(sc, 0);
		check_same_schedules(sc, 1);
	}
}

/* ---- a bug that needs no preemption, behind a deep first subtree ---------------- */

struct shallow {
	int flag;
	int noise[4];
};

/* Reads the flag first: set means b ran before it, the bug. */
static void shallow_a(void *arg)
{
	struct shallow *s = arg;
	if (SIM_READ_ONCE(s->flag))
		sim_fail("assertion", "b ran before a");
	for (int i = 0; i < 30; i++)
		SIM_WRITE_ONCE(s->noise[i % 2], i);
}

static void shallow_b(void *arg)
{
	struct shallow *s = arg;
	for (int i = 0; i < 30; i++)
		SIM_WRITE_ONCE(s->noise[2 + i % 2], i);
	SIM_WRITE_ONCE(s->flag, 1);
}

static void shallow_main(void *arg)
{
	struct shallow *s = sim_alloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	int a = sim_thread_spawn("a", shallow_a, s);
	int b = sim_thread_spawn("b", shallow_b, s);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_shallow_bug_first(void)
{
	struct sim_scenario sc = SCENARIO("t-shallow", shallow_main);
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DFS, .iterations = 1000000, .dfs_preemptions = 2};
	struct sim_result r;

	/* bound 0 alone: b first when main waits in join, the second execution */
	r = run(&sc, SIM_STRATEGY_DFS, 1000, 0, 0);
	EXPECT_EQ_STR(first_kind(&r), "assertion");
	CU_ASSERT_TRUE(r.executions <= 20);
	sim_result_free(&r);
	/* iterative bound 2: the same, in bound 0 (none completed) */
	EXPECT_EQ_INT(sim_explore(&sc, &o, &r), 0);
	EXPECT_EQ_STR(first_kind(&r), "assertion");
	CU_ASSERT_TRUE(r.executions <= 20);
	EXPECT_EQ_INT(r.bound_completed, -1);
	EXPECT_EQ_U64(r.bound_in_progress, 0);
	uint64_t iterative = r.executions;
	sim_result_free(&r);
	/* the single bound-2 tree explores a's subtree first */
	o.dfs_single_bound = true;
	EXPECT_EQ_INT(sim_explore(&sc, &o, &r), 0);
	EXPECT_EQ_STR(first_kind(&r), "assertion");
	CU_ASSERT_TRUE(r.executions > 100 * iterative);
	sim_result_free(&r);
}

/* A run stopped by its iteration budget names the bound in progress. */
static void test_capped_bound(void)
{
	const struct sim_scenario *sc = sim_litmus_find("readers-3");
	struct sim_result r = run(sc, SIM_STRATEGY_DFS, 500, 2, 0); /* bound 0: 73, 1: 973 */
	CU_ASSERT_FALSE(r.exhausted);
	EXPECT_EQ_INT(r.bound_completed, 0);
	EXPECT_EQ_U64(r.bound_in_progress, 1);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dfs", NULL, NULL);
	CU_add_test(s, "litmus: each schedule once, the single tree's set", test_litmus_no_repeat);
	CU_add_test(s, "model scenarios: each schedule once, the single tree's set",
		    test_model_no_repeat);
	CU_add_test(s, "a bug without preemptions is found in bound 0", test_shallow_bug_first);
	CU_add_test(s, "a capped run names the bound in progress", test_capped_bound);
}
