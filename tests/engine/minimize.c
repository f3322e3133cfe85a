// SPDX-License-Identifier: MIT
/*
 * Minimization suite: a failing schedule shrinks to a token that is never
 * longer, has no more preemptions, and replays strictly to the same kind of
 * violation; lenient replay lets an execution diverge from its token.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <hmmsim/scenario.h>

#include "engine.h"
#include "helpers.h"

static const struct sim_scenario *find(const char *name)
{
	const struct sim_scenario *sc = sim_litmus_find(name);
	return sc ? sc : hs_model_scenario_find(name);
}

static size_t token_choices(const char *tok)
{
	uint32_t hash;
	uint64_t total;
	struct sim_choice *c;
	size_t n = SIZE_MAX;
	char err[200];
	if (sim_token_decode(tok, &hash, &total, &c, &n, err, sizeof(err)) == 0)
		free(c);
	return n;
}

/* Explore @name, minimize its first violation, check the result. */
static void check_minimize(const char *name, enum sim_strategy strat, uint64_t seed, bool no_races)
{
	const struct sim_scenario *sc = find(name);
	struct sim_options o = {.strategy = strat,
				.seed = seed,
				.iterations = 10000,
				.dfs_preemptions = 2,
				.no_races = no_races};
	struct sim_result found, m, r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &found), 0);
	CU_ASSERT_EQUAL_FATAL(found.nr_reports, 1);
	const struct sim_violation *f = &found.reports[0];
	int ret = sim_minimize(sc, &o, f->schedule, &m);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret) {
		fprintf(stderr, "sim_minimize(%s): %s\n", name, m.error);
		sim_result_free(&m);
		sim_result_free(&found);
		return;
	}
	const struct sim_violation *v = &m.reports[0];
	CU_ASSERT_STRING_EQUAL(v->kind, f->kind);
	CU_ASSERT(token_choices(v->schedule) <= token_choices(f->schedule));
	CU_ASSERT_EQUAL(v->original_choices, token_choices(f->schedule));
	CU_ASSERT_EQUAL(v->choices, token_choices(v->schedule));
	CU_ASSERT(v->preemptions <= f->preemptions);
	CU_ASSERT_EQUAL(v->original_preemptions, f->preemptions);
	CU_ASSERT(v->preemptions < f->preemptions || v->steps <= f->steps);
	CU_ASSERT_STRING_EQUAL(v->original_schedule, f->schedule);

	/* The minimized token replays strictly, to the same kind. */
	struct sim_options ro = o;
	ro.strategy = SIM_STRATEGY_REPLAY;
	ro.schedule = v->schedule;
	CU_ASSERT_EQUAL(sim_explore(sc, &ro, &r), 0);
	CU_ASSERT_EQUAL(r.nr_reports, 1);
	if (r.nr_reports) {
		CU_ASSERT_STRING_EQUAL(r.reports[0].kind, f->kind);
		CU_ASSERT_STRING_EQUAL(r.reports[0].report, v->report);
	}
	/* Minimizing again changes nothing for the worse. */
	struct sim_result m2;
	CU_ASSERT_EQUAL(sim_minimize(sc, &o, v->schedule, &m2), 0);
	if (m2.nr_reports) {
		CU_ASSERT(m2.reports[0].choices <= v->choices);
		CU_ASSERT(m2.reports[0].preemptions <= v->preemptions);
	}
	sim_result_free(&m2);
	sim_result_free(&r);
	sim_result_free(&m);
	sim_result_free(&found);
}

static void test_minimize_litmus(void)
{
	const char *names[] = {"lost-update", "seqcount-noretry"};
	for (int i = 0; i < 2; i++)
		for (uint64_t seed = 1; seed <= 4; seed++) {
			check_minimize(names[i], SIM_STRATEGY_RANDOM, seed, false);
			check_minimize(names[i], SIM_STRATEGY_RANDOM, seed, true);
			check_minimize(names[i], SIM_STRATEGY_PCT, seed, true);
		}
	for (uint64_t seed = 1; seed <= 4; seed++)
		check_minimize("livelock", SIM_STRATEGY_PCT, seed, false);
	check_minimize("abba", SIM_STRATEGY_DFS, 1, false);
	check_minimize("abba", SIM_STRATEGY_DFS, 1, true);
}

static void test_minimize_model(void)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		check_minimize("driver-fault-race-noretry", SIM_STRATEGY_PCT, seed, false);
		check_minimize("driver-fault-race-noretry", SIM_STRATEGY_RANDOM, seed, false);
	}
}

static void test_minimize_shrinks_random(void)
{
	/* A random schedule of lost-update has many needless preemptions. */
	const struct sim_scenario *sc = find("lost-update");
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_RANDOM, .seed = 3, .iterations = 10000, .no_races = true};
	struct sim_result found, m;
	CU_ASSERT_EQUAL_FATAL(sim_explore(sc, &o, &found), 0);
	CU_ASSERT_EQUAL_FATAL(sim_minimize(sc, &o, found.reports[0].schedule, &m), 0);
	CU_ASSERT(m.reports[0].preemptions <= 1);
	CU_ASSERT(m.reports[0].preemptions < found.reports[0].preemptions);
	sim_result_free(&m);
	sim_result_free(&found);
}

static void test_minimize_refuses(void)
{
	const struct sim_scenario *sc = find("lost-update");
	struct sim_options o = {0};
	struct sim_result m;
	char *tok = sim_token_encode(sim_scenario_hash("abba"), 3, NULL, 0);
	CU_ASSERT_EQUAL(sim_minimize(sc, &o, tok, &m), -EINVAL);
	sim_result_free(&m);
	free(tok);
	/* the fixed program's default schedule does not fail */
	sc = find("lost-update-fixed");
	struct sim_result r = run(sc, SIM_STRATEGY_DFS, 1, 0, 0);
	sim_result_free(&r);
	tok = sim_token_encode(sim_scenario_hash(sc->name), sim_eng.choice_points, NULL, 0);
	CU_ASSERT_EQUAL(sim_minimize(sc, &o, tok, &m), -EIO);
	sim_result_free(&m);
	free(tok);
}

static void test_lenient_replay(void)
{
	/* Choices naming threads that cannot run, and choices past the end:
	 * lenient replay takes the default there, never an engine error. */
	const struct sim_scenario *sc = find("lost-update");
	struct sim_choice c[] = {{0, 63}, {1, 7}, {2, 1}, {1000, 2}};
	struct sim_replay_state rs = {.choices = c, .n = 4, .total_cp = 1, .lenient = true};
	sim_engine_setup(sc, &sim_replay_ops, &rs, 0);
	sim_run_execution(0);
	CU_ASSERT(!sim_eng.replay_mismatch);
	CU_ASSERT(!sim_eng.failed || strcmp(sim_eng.fail_kind, SIM_KIND_ENGINE) != 0);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("minimize", NULL, NULL);
	CU_add_test(s, "litmus: smaller, same kind, strict replay", test_minimize_litmus);
	CU_add_test(s, "model: smaller, same kind, strict replay", test_minimize_model);
	CU_add_test(s, "a random schedule loses its needless preemptions",
		    test_minimize_shrinks_random);
	CU_add_test(s, "foreign and clean tokens are refused", test_minimize_refuses);
	CU_add_test(s, "lenient replay lets the execution diverge", test_lenient_replay);
}
