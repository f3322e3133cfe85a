// SPDX-License-Identifier: MIT
/*
 * dpor --deepen (docs/dpor.md, "Iterative bounding"): the covering bounds 0,
 * 1, 2, ... in turn, each tree to its end.
 * - Each round is the covering dpor of its bound, run afresh: the
 *   executions up to bound P add up to the covering runs' of bounds 0..P,
 *   and the final states are those of --preemptions P.
 * - Unbounded, it ends at a round that left nothing out for its bound, with
 *   unbounded dpor's final states and verdict.
 * - A bug is found in no later round than the bound iterative dfs finds it
 *   at.
 * - A budget that ends inside a round says which bound was covered.
 * Oracles off (run_collect()): their bookkeeping is in memory.
 */
#include "dpor_common.h"

#include <hmmsim/scenario.h>

/* dpor --preemptions @p, covering (@deepen: iterative up to @p; @p < 0: no bound). */
static struct sim_result drun(const struct sim_scenario *sc, bool deepen, int p, uint64_t iters,
			      struct hashes *hs)
{
	struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
				.iterations = iters,
				.dfs_preemptions = p < 0 ? 0 : (unsigned int)p,
				.dpor_bounded = p >= 0,
				.dpor_deepen = deepen};
	return run_collect(sc, o, hs);
}

/* Deepen up to @p (@rd, final states @d) against the covering run at @p
 * (@rc, @c), whose rounds 0..@p took @sum executions in all. */
static void check_round(const char *name, int p, const struct sim_result *rc,
			const struct sim_result *rd, const struct hashes *c, const struct hashes *d,
			uint64_t sum)
{
	CU_ASSERT(rd->exhausted);
	CU_ASSERT_FALSE(rd->violations_found);
	CU_ASSERT(hashes_same(c, d));
	/* a round that left nothing out ends the run early */
	CU_ASSERT(rd->bound_completed == p || (rd->whole_tree && rd->bound_completed < p));
	if (rd->bound_completed == p)
		CU_ASSERT_EQUAL(rd->executions, sum);
	if (!hashes_same(c, d) || (rd->bound_completed == p && rd->executions != sum))
		fprintf(stderr,
			"\n%s, P = %d: covering %llu executions (rounds: %llu), %zu final states; "
			"deepen %llu, %zu, bound %d\n",
			name, p, (unsigned long long)rc->executions, (unsigned long long)sum, c->n,
			(unsigned long long)rd->executions, d->n, rd->bound_completed);
}

/*
 * Up to P = 0, 1, 2 on every litmus program whose covering run ends in 5,000
 * executions (a covering bound tries every thread at every switch, so N
 * threads that each run to their end are N! schedules at bound 0 already:
 * readers-6 and up do not): the rounds are the covering runs.
 */
static void test_rounds(void)
{
	size_t n, ran = 0;
	const struct sim_scenario *const *l = sim_litmus_scenarios(&n);

	for (size_t i = 0; i < n; i++) {
		uint64_t sum = 0;
		for (int p = 0; p <= 2; p++) {
			struct hashes c = {0}, d = {0};
			struct sim_result rc = drun(l[i], false, p, 5000, &c);
			struct sim_result rd = drun(l[i], true, p, 5000, &d);
			bool ended = !rc.violations_found && rc.exhausted; /* else test_bugs() */
			if (ended) {
				sum += rc.executions;
				check_round(l[i]->name, p, &rc, &rd, &c, &d, sum);
				ran++;
			}
			sim_result_free(&rc);
			sim_result_free(&rd);
			free(c.h);
			free(d.h);
			if (!ended)
				break;
		}
	}
	CU_ASSERT(ran >= 24);
	if (ran < 24)
		fprintf(stderr, "\nonly %zu programs and bounds ended\n", ran);
}

/*
 * Unbounded, on the programs whose covering tree stops growing at some
 * bound (no polling loop that a schedule can keep preempting): unbounded
 * dpor's final states, the last round's tree whole.
 */
static void test_whole(void)
{
	static const char *const names[] = {"lost-update-fixed", "abba-fixed", "livelock-fixed",
					    "readers-1",	 "readers-2",  "readers-3"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct sim_scenario *sc = sim_litmus_find(names[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		struct hashes a = {0}, d = {0};
		struct sim_result ra = drun(sc, false, -1, UINT64_MAX, &a);
		struct sim_result rd = drun(sc, true, -1, 1000000, &d);
		CU_ASSERT(ra.exhausted && rd.exhausted && rd.whole_tree);
		CU_ASSERT_FALSE(rd.violations_found);
		CU_ASSERT(hashes_same(&a, &d));
		CU_ASSERT(rd.executions >= ra.executions);
		if (!hashes_same(&a, &d) || !rd.exhausted)
			fprintf(stderr, "\n%s: dpor %zu final states, deepen %zu (%s)\n", names[i],
				a.n, d.n, rd.exhausted ? "ended" : "did not end");
		sim_result_free(&ra);
		sim_result_free(&rd);
		free(a.h);
		free(d.h);
	}
}

/* Each bug, found by iterative dfs within 2 preemptions, in no later round. */
static void test_bugs(void)
{
	static const char *const names[] = {"lost-update",
					    "seqcount-noretry",
					    "abba",
					    "livelock",
					    "driver-fault-race-noretry",
					    "driver-fault-race-unlocked-retry",
					    "driver-fault-race-skip-own-migrate",
					    "p2p-unplug-free-first"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct sim_scenario *sc = sim_litmus_find(names[i]);
		if (!sc)
			sc = hs_model_scenario_find(names[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		struct sim_options o = {.strategy = SIM_STRATEGY_DFS,
					.iterations = 200000,
					.dfs_preemptions = 2,
					.no_races = true,
					.no_lockdep = true,
					.no_might_sleep = true};
		struct sim_result rf, rd;
		CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &rf), 0);
		o.strategy = SIM_STRATEGY_DPOR;
		o.dpor_deepen = true;
		o.dpor_bounded = false;
		CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &rd), 0);
		CU_ASSERT(rf.violations_found == 1 && rd.violations_found == 1);
		CU_ASSERT(rd.bound_in_progress <= rf.bound_in_progress);
		CU_ASSERT(rd.bound_completed == (int)rd.bound_in_progress - 1);
		if (!rf.violations_found || !rd.violations_found ||
		    rd.bound_in_progress > rf.bound_in_progress)
			fprintf(stderr, "\n%s: dfs %s bound %u, deepen %s bound %u\n", names[i],
				rf.violations_found ? "found it at" : "not by",
				rf.bound_in_progress, rd.violations_found ? "at" : "not by",
				rd.bound_in_progress);
		sim_result_free(&rf);
		sim_result_free(&rd);
	}
}

/* A budget that ends in round 2 of driver-fault-race: bound 1 covered. */
static void test_budget(void)
{
	const struct sim_scenario *sc = hs_model_scenario_find("driver-fault-race");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	struct hashes h = {0};
	struct sim_result r0 = drun(sc, false, 0, UINT64_MAX, &h);
	struct sim_result r1 = drun(sc, false, 1, UINT64_MAX, &h);
	uint64_t budget = r0.executions + r1.executions + 10;
	struct sim_result rd = drun(sc, true, -1, budget, &h);

	CU_ASSERT(r0.exhausted && r1.exhausted);
	CU_ASSERT_FALSE(rd.exhausted);
	CU_ASSERT_FALSE(rd.violations_found);
	CU_ASSERT_EQUAL(rd.executions, budget);
	CU_ASSERT_EQUAL(rd.bound_completed, 1);
	CU_ASSERT_EQUAL(rd.bound_in_progress, 2);
	CU_ASSERT(rd.estimated_total > (double)budget);
	sim_result_free(&r0);
	sim_result_free(&r1);
	sim_result_free(&rd);
	free(h.h);
}

/* Refused: with a split, --keep-going, --race-profile, or another strategy. */
static void test_refused(void)
{
	const struct sim_scenario *sc = sim_litmus_find("lost-update-fixed");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	for (int k = 0; k < 4; k++) {
		struct sim_options o = {
		    .strategy = SIM_STRATEGY_DPOR, .iterations = 10, .dpor_deepen = true};
		if (k == 0)
			o.dpor_split_depth = 2;
		else if (k == 1)
			o.keep_going = true;
		else if (k == 2)
			o.race_profile = true;
		else
			o.strategy = SIM_STRATEGY_PCT;
		struct sim_result r;
		CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.error, "--deepen"));
		sim_result_free(&r);
	}
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor_deepen", NULL, NULL);
	CU_add_test(s, "up to a bound: the rounds are the covering runs", test_rounds);
	CU_add_test(s, "unbounded: ends with unbounded dpor's final states", test_whole);
	CU_add_test(s, "a bug in no later round than iterative dfs's", test_bugs);
	CU_add_test(s, "a budget inside a round: the bound covered", test_budget);
	CU_add_test(s, "refused with a split, keep-going, a profile, pct", test_refused);
}
