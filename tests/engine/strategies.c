// SPDX-License-Identifier: MIT
/*
 * Strategies suite: every buggy litmus program is found by pct and dfs and
 * its fix is clean; dfs enumerates every interleaving; runs are determined
 * by their seed.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>

#include "helpers.h"

static const char *const bugs[] = {"lost-update", "seqcount-noretry", "abba", "livelock"};

static void test_pct_finds_each_bug(void)
{
	for (unsigned int i = 0; i < 4; i++) {
		const struct sim_scenario *sc = sim_litmus_find(bugs[i]);
		struct sim_result r = run(sc, SIM_STRATEGY_PCT, 1000, 0, 1);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), sc->expect);
		sim_result_free(&r);
	}
}

static void test_dfs_finds_each_bug(void)
{
	for (unsigned int i = 0; i < 4; i++) {
		const struct sim_scenario *sc = sim_litmus_find(bugs[i]);
		struct sim_result r = run(sc, SIM_STRATEGY_DFS, 1000000, 2, 0);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), sc->expect);
		sim_result_free(&r);
	}
}

/*
 * pct's and random's executions of each fix.  Under TSan a fiber costs a
 * TSan thread (__tsan_create_fiber()), about 2 ms an execution: 20,000 of
 * each took five minutes there and checked no more of the engine's own
 * code than 2,000 (the default and ASan builds run 20,000).
 */
#ifdef HMMSIM_TSAN
#define FIX_SAMPLES 2000
#else
#define FIX_SAMPLES 20000
#endif

static void test_fixes_clean(void)
{
	char name[64];
	for (unsigned int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s-fixed", bugs[i]);
		const struct sim_scenario *sc = sim_litmus_find(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		struct sim_result r = run(sc, SIM_STRATEGY_DFS, 1000000, 2, 0);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		sim_result_free(&r);
		r = run(sc, SIM_STRATEGY_PCT, FIX_SAMPLES, 0, 7);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_EQUAL(r.executions, FIX_SAMPLES);
		sim_result_free(&r);
		r = run(sc, SIM_STRATEGY_RANDOM, FIX_SAMPLES, 0, 7);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		sim_result_free(&r);
	}
}

/* ---- dfs enumerates every interleaving ------------------------------------------ */

/* Two threads append two letters each to a log: 6 possible orders. */
struct logbuf {
	char log[5];
	int n;
};
static char seen[16][5];
static int nseen;

static void appender(void *arg)
{
	struct logbuf *b = arg;
	char me = (char)('a' + sim_self() - 1);
	for (int i = 0; i < 2; i++) {
		int n = SIM_PLAIN_READ(b->n);
		b->log[n] = me;
		b->n = n + 1;
	}
}

static void log_main(void *arg)
{
	struct logbuf *b = sim_alloc(sizeof(*b));
	int t1 = sim_thread_spawn("a", appender, b);
	int t2 = sim_thread_spawn("b", appender, b);
	sim_thread_join(t1);
	sim_thread_join(t2);
	for (int i = 0; i < nseen; i++)
		if (memcmp(seen[i], b->log, 4) == 0)
			return;
	if (nseen < 16)
		memcpy(seen[nseen++], b->log, 4);
}

static void test_dfs_enumerates_all(void)
{
	struct sim_scenario sc = SCENARIO("t-log", log_main);
	nseen = 0;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, 1000000, 10, 0);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(nseen, 6); /* aabb abab abba baab baba bbaa */
	sim_result_free(&r);

	/* Without preemptions only whole-thread orders remain: aabb and bbaa. */
	nseen = 0;
	r = run(&sc, SIM_STRATEGY_DFS, 1000000, 0, 0);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(nseen, 2);
	uint64_t bound0 = r.executions;
	sim_result_free(&r);

	r = run(&sc, SIM_STRATEGY_DFS, 1000000, 1, 0);
	CU_ASSERT_TRUE(r.executions > bound0);
	sim_result_free(&r);
}

/* ---- determinism ------------------------------------------------------------------ */

static void test_same_seed_same_run(void)
{
	const struct sim_scenario *sc = sim_litmus_find("seqcount-noretry");
	for (enum sim_strategy s = SIM_STRATEGY_RANDOM; s <= SIM_STRATEGY_PCT; s++) {
		struct sim_result a = run(sc, s, 100000, 0, 42);
		struct sim_result b = run(sc, s, 100000, 0, 42);
		CU_ASSERT_EQUAL(a.executions, b.executions);
		CU_ASSERT_EQUAL_FATAL(a.nr_reports, 1);
		CU_ASSERT_EQUAL_FATAL(b.nr_reports, 1);
		CU_ASSERT_STRING_EQUAL(a.reports[0].schedule, b.reports[0].schedule);
		CU_ASSERT_STRING_EQUAL(a.reports[0].report, b.reports[0].report);
		sim_result_free(&a);
		sim_result_free(&b);
	}
}

static void test_seeds_differ(void)
{
	/* Different seeds explore different schedules: the first failing
	 * execution index is not the same for all of 8 seeds. */
	const struct sim_scenario *sc = sim_litmus_find("seqcount-noretry");
	uint64_t first = UINT64_MAX;
	bool differ = false;
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct sim_result r = run(sc, SIM_STRATEGY_RANDOM, 100000, 0, seed);
		CU_ASSERT_EQUAL(r.nr_reports, 1);
		if (first == UINT64_MAX)
			first = r.executions;
		else if (r.executions != first)
			differ = true;
		sim_result_free(&r);
	}
	CU_ASSERT_TRUE(differ);
}

static void test_keep_going_counts(void)
{
	const struct sim_scenario *sc = sim_litmus_find("lost-update");
	/* the race detector would report every execution: count the lost
	 * updates themselves */
	struct sim_options o = {.strategy = SIM_STRATEGY_RANDOM,
				.seed = 3,
				.iterations = 2000,
				.keep_going = true,
				.max_reports = 2,
				.no_races = true};
	struct sim_result r;
	CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &r), 0);
	CU_ASSERT_EQUAL(r.executions, 2000);
	CU_ASSERT_EQUAL(r.nr_reports, 2);
	/* random hits the lost update often, but not always */
	CU_ASSERT_TRUE(r.violations_found > 100 && r.violations_found < 2000);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("strategies", NULL, NULL);
	CU_add_test(s, "pct finds every litmus bug", test_pct_finds_each_bug);
	CU_add_test(s, "dfs finds every litmus bug", test_dfs_finds_each_bug);
	CU_add_test(s, "every fix is clean (dfs exhaustive, pct, random)", test_fixes_clean);
	CU_add_test(s, "dfs enumerates every interleaving, bounded by preemptions",
		    test_dfs_enumerates_all);
	CU_add_test(s, "same seed, same run", test_same_seed_same_run);
	CU_add_test(s, "different seeds, different schedules", test_seeds_differ);
	CU_add_test(s, "keep-going counts every violation", test_keep_going_counts);
}
