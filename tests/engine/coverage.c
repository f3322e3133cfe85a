// SPDX-License-Identifier: MIT
/*
 * Coverage suite (sim/core/coverage.c): a run counts the executions that
 * reached each model event and found each lock class held, its distinct
 * schedules and choice points, and which threads interleaved; a thread that
 * runs alone is flagged; counting changes no exploration; a clean run's
 * trace is the last or the chosen execution.
 */
#include <CUnit/CUnit.h>
#include <hmmsim/sim.h>
#include <stdlib.h>

#include "helpers.h"

static const struct sim_cov_count *find(const struct sim_cov_count *c, unsigned int n,
					const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return &c[i];
	return NULL;
}

static void test_litmus_counts(void)
{
	const struct sim_scenario *sc = sim_litmus_find("lost-update-fixed");
	struct sim_result r = run(sc, SIM_STRATEGY_DFS, 100000, 2, 0);
	const struct sim_coverage *c = &r.coverage;

	CU_ASSERT_TRUE(c->collected);
	EXPECT_EQ_U64(c->executions, r.executions);
	EXPECT_EQ_U64(c->distinct_schedules, r.executions);
	EXPECT_EQ_INT(c->nevents, 0); /* a litmus program declares no model events */
	CU_ASSERT_TRUE(c->choice_points >= r.executions);
	CU_ASSERT_TRUE(c->preemptions > 0);
	const struct sim_cov_count *l = find(c->locks, c->nlocks, "counter_lock");
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_TRUE(l->executions > 0 && l->executions < r.executions);
	EXPECT_EQ_INT(c->nthreads, 3);
	for (unsigned int i = 0; i < c->nthreads; i++) /* every incrementer interleaved */
		CU_ASSERT_TRUE(c->threads[i].hits > 0 || strcmp(c->threads[i].name, "main") == 0);
	for (unsigned int i = 0; i < c->nthreads; i++)
		CU_ASSERT_FALSE(sim_cov_never_interleaved(c, i));
	sim_result_free(&r);

	/* pct repeats schedules: fewer distinct ones than executions */
	r = run(sc, SIM_STRATEGY_PCT, 2000, 0, 1);
	CU_ASSERT_TRUE(r.coverage.distinct_schedules < r.executions);
	CU_ASSERT_TRUE(r.coverage.distinct_schedules > 1);
	sim_result_free(&r);
}

static void test_model_events(void)
{
	const struct sim_scenario *sc = hs_model_scenario_find("driver-fault-race");
	struct sim_result r = run(sc, SIM_STRATEGY_PCT, 2000, 0, 1);
	const struct sim_coverage *c = &r.coverage;

	EXPECT_EQ_U64(r.violations_found, 0);
	CU_ASSERT_TRUE(c->nevents >= 8);
	const struct sim_cov_count *hit = find(c->events, c->nevents, "invalidate-mirror-hit");
	const struct sim_cov_count *p2p = find(c->events, c->nevents, "p2p-pfn");
	const struct sim_cov_count *retry = find(c->events, c->nevents, "read-retry");
	CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p2p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(retry);
	CU_ASSERT_TRUE(hit->executions > 0 && hit->hits >= hit->executions);
	CU_ASSERT_TRUE(retry->executions > 0); /* pct makes the invalidation collide */
	EXPECT_EQ_U64(p2p->executions, 0);     /* no P2P in this scenario */
	CU_ASSERT_PTR_NOT_NULL(p2p->what);
	CU_ASSERT_PTR_NOT_NULL(find(c->locks, c->nlocks, "dmirror->mutex"));
	sim_result_free(&r);

	/* bound 0: nobody is preempted, no invalidation collides with a fault */
	r = run(sc, SIM_STRATEGY_DFS, 100000, 0, 0);
	EXPECT_EQ_U64(r.coverage.preemptions, 0);
	EXPECT_EQ_U64(r.coverage.events[0].executions, 0);
	EXPECT_EQ_U64(find(r.coverage.events, r.coverage.nevents, "read-retry")->executions, 0);
	sim_result_free(&r);
}

/* ---- a thread that runs alone --------------------------------------------------- */

static void bump(void *arg)
{
	int *v = arg;
	for (int i = 0; i < 3; i++)
		SIM_WRITE_ONCE(*v, SIM_READ_ONCE(*v) + 1);
}

/* "alone" runs before the other two start; they race each other. */
static void alone_main(void *arg)
{
	int *v = sim_alloc(3 * sizeof(*v));
	memset(v, 0, 3 * sizeof(*v));
	sim_thread_join(sim_thread_spawn("alone", bump, &v[0]));
	int a = sim_thread_spawn("x", bump, &v[1]);
	int b = sim_thread_spawn("y", bump, &v[2]);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_never_interleaved(void)
{
	struct sim_scenario sc = SCENARIO("t-alone", alone_main);
	for (enum sim_strategy s = SIM_STRATEGY_RANDOM; s <= SIM_STRATEGY_DFS; s++) {
		struct sim_result r = run(&sc, s, 3000, 2, 5);
		const struct sim_coverage *c = &r.coverage;
		const struct sim_cov_count *alone = find(c->threads, c->nthreads, "alone");
		const struct sim_cov_count *x = find(c->threads, c->nthreads, "x");
		const struct sim_cov_count *y = find(c->threads, c->nthreads, "y");
		CU_ASSERT_PTR_NOT_NULL_FATAL(alone);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_PTR_NOT_NULL_FATAL(y);
		EXPECT_EQ_U64(alone->executions, r.executions);
		EXPECT_EQ_U64(alone->hits, 0); /* the warning's thread */
		CU_ASSERT_TRUE(sim_cov_never_interleaved(c, (unsigned int)(alone - c->threads)));
		CU_ASSERT_TRUE(x->hits > 0);
		CU_ASSERT_TRUE(y->hits > 0);
		sim_result_free(&r);
	}
}

/* ---- counting changes nothing; the clean trace ---------------------------------- */

static void test_clean_trace(void)
{
	const struct sim_scenario *sc = sim_litmus_find("lost-update-fixed");
	struct sim_options o = {.strategy = SIM_STRATEGY_DFS,
				.iterations = 100000,
				.dfs_preemptions = 1,
				.clean_trace = true};
	struct sim_result r, plain = run(sc, SIM_STRATEGY_DFS, 100000, 1, 0);

	EXPECT_EQ_INT(sim_explore(sc, &o, &r), 0);
	EXPECT_EQ_U64(r.executions, plain.executions); /* tracing changed nothing */
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.clean_trace_json);
	EXPECT_EQ_U64(r.clean_execution, r.executions - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.clean_trace_json, "traceEvents"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.clean_trace_json, "mutex_lock counter_lock"));
	CU_ASSERT_PTR_NULL(plain.clean_trace_json);
	sim_result_free(&r);
	sim_result_free(&plain);

	o.trace_execution_set = true;
	o.trace_execution = 3;
	EXPECT_EQ_INT(sim_explore(sc, &o, &r), 0);
	EXPECT_EQ_U64(r.clean_execution, 3);
	CU_ASSERT_PTR_NOT_NULL(r.clean_trace_json);
	sim_result_free(&r);
	o.trace_execution = 1000000; /* not run: no trace */
	EXPECT_EQ_INT(sim_explore(sc, &o, &r), 0);
	CU_ASSERT_PTR_NULL(r.clean_trace_json);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("coverage", NULL, NULL);
	CU_add_test(s, "litmus: schedules, choice points, lock contention", test_litmus_counts);
	CU_add_test(s, "model events of the driver race", test_model_events);
	CU_add_test(s, "a thread that runs alone never interleaves", test_never_interleaved);
	CU_add_test(s, "a clean run traces its last or chosen execution", test_clean_trace);
}
