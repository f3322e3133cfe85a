// SPDX-License-Identifier: MIT
/*
 * Replay suite: tokens round-trip, replay reproduces the violation and its
 * event list byte for byte, and bad tokens are refused, never replayed.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "helpers.h"

static void test_token_round_trip(void)
{
	struct sim_choice in[] = {{0, 2}, {1, 1}, {200, 63}, {100000, 5}};
	char err[200];
	for (size_t n = 0; n <= 4; n++) {
		char *tok = sim_token_encode(0xdeadbeef, 100001 + n, in, n);
		uint32_t hash;
		uint64_t total;
		struct sim_choice *out;
		size_t nout;
		CU_ASSERT_EQUAL(sim_token_decode(tok, &hash, &total, &out, &nout, err, sizeof(err)),
				0);
		CU_ASSERT_EQUAL(hash, 0xdeadbeef);
		CU_ASSERT_EQUAL(total, 100001 + n);
		CU_ASSERT_EQUAL(nout, n);
		for (size_t i = 0; i < n && i < nout; i++) {
			CU_ASSERT_EQUAL(out[i].cp, in[i].cp);
			CU_ASSERT_EQUAL(out[i].tid, in[i].tid);
		}
		free(out);
		free(tok);
	}
}

static struct sim_result explore_first(const char *name)
{
	return run(sim_litmus_find(name), SIM_STRATEGY_PCT, 10000, 0, 1);
}

static int replay(const char *name, const char *tok, struct sim_result *r)
{
	struct sim_options o = {.strategy = SIM_STRATEGY_REPLAY, .schedule = tok};
	return sim_explore(sim_litmus_find(name), &o, r);
}

static void test_replay_reproduces(void)
{
	const char *names[] = {"lost-update", "seqcount-noretry", "abba", "livelock"};
	for (int i = 0; i < 4; i++) {
		struct sim_result found = explore_first(names[i]);
		CU_ASSERT_EQUAL_FATAL(found.nr_reports, 1);
		for (int k = 0; k < 2; k++) {
			struct sim_result r;
			CU_ASSERT_EQUAL_FATAL(replay(names[i], found.reports[0].schedule, &r), 0);
			CU_ASSERT_EQUAL_FATAL(r.nr_reports, 1);
			CU_ASSERT_STRING_EQUAL(r.reports[0].kind, found.reports[0].kind);
			CU_ASSERT_STRING_EQUAL(r.reports[0].message, found.reports[0].message);
			CU_ASSERT_EQUAL(r.reports[0].steps, found.reports[0].steps);
			CU_ASSERT_STRING_EQUAL(r.reports[0].report, found.reports[0].report);
			sim_result_free(&r);
		}
		sim_result_free(&found);
	}
}

static void test_report_names_events(void)
{
	struct sim_result found = explore_first("lost-update");
	CU_ASSERT_EQUAL_FATAL(found.nr_reports, 1);
	const char *rep = found.reports[0].report;
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "T1 inc1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "T2 inc2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "inc_thread: read c->value = 0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "VIOLATION data-race"));
	sim_result_free(&found);
}

static void test_foreign_token_refused(void)
{
	struct sim_result found = explore_first("lost-update"), r;
	CU_ASSERT_EQUAL_FATAL(found.nr_reports, 1);
	CU_ASSERT_EQUAL(replay("abba", found.reports[0].schedule, &r), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.error, "another scenario"));
	sim_result_free(&r);
	sim_result_free(&found);
}

static void test_damaged_tokens_refused(void)
{
	struct sim_result found = explore_first("seqcount-noretry"), r;
	CU_ASSERT_EQUAL_FATAL(found.nr_reports, 1);
	const char *good = found.reports[0].schedule;
	size_t len = strlen(good);
	char *tok = malloc(len + 1);
	const char *bad[] = {"", "1-", "garbage", "1-00000000--0000", "2-2030ebfb-BwQA-e9a8"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(replay("seqcount-noretry", bad[i], &r), -EINVAL);
		sim_result_free(&r);
	}
	/* Every single-character change is caught by the check digits or the parser. */
	for (size_t i = 0; i < len; i++) {
		memcpy(tok, good, len + 1);
		tok[i] = tok[i] == 'A' ? 'B' : 'A';
		int ret = replay("seqcount-noretry", tok, &r);
		CU_ASSERT_EQUAL(ret, -EINVAL);
		sim_result_free(&r);
	}
	free(tok);
	sim_result_free(&found);
	/* A token that checks but whose second choice's distance wraps the
	 * choice point count past 2^64 (a forged one): the decoder refuses it. */
	uint32_t hash;
	uint64_t total;
	struct sim_choice *out = NULL;
	size_t nout;
	char err[200];
	CU_ASSERT_EQUAL(sim_token_decode("1-e530cc5b-CgIBAf___________wEA-04d7", &hash, &total,
					 &out, &nout, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "malformed schedule token (bad choice 1)");
	free(out);
}

/* A token that is well formed and checks, but asks for a thread that cannot
 * run at that point, is refused. */
static void test_misfit_token_refused(void)
{
	const struct sim_scenario *sc = sim_litmus_find("lost-update");
	struct sim_choice c[] = {{0, 40}};
	char *tok = sim_token_encode(sim_scenario_hash(sc->name), 5, c, 1);
	struct sim_result r;
	CU_ASSERT_EQUAL(replay("lost-update", tok, &r), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.error, "does not fit"));
	sim_result_free(&r);
	free(tok);
	/* Too few choice points for the execution. */
	tok = sim_token_encode(sim_scenario_hash(sc->name), 1, NULL, 0);
	CU_ASSERT_EQUAL(replay("lost-update", tok, &r), -EINVAL);
	sim_result_free(&r);
	free(tok);
}

/* A livelock's token replayed with a lower step bound: the bound ends the
 * execution before the token's last choice point, which is no misfit. */
static void test_lower_step_bound(void)
{
	struct sim_result found = explore_first("livelock"), r;
	CU_ASSERT_EQUAL_FATAL(found.nr_reports, 1);
	struct sim_options o = {.strategy = SIM_STRATEGY_REPLAY,
				.schedule = found.reports[0].schedule,
				.step_bound = 500};
	CU_ASSERT_EQUAL(sim_explore(sim_litmus_find("livelock"), &o, &r), 0);
	CU_ASSERT_EQUAL(r.violations_found, 1);
	if (r.nr_reports)
		CU_ASSERT_STRING_EQUAL(r.reports[0].kind, "livelock");
	sim_result_free(&r);
	sim_result_free(&found);
}

static void test_clean_replay(void)
{
	/* The default schedule of the fixed program: replays, no violation. */
	const struct sim_scenario *sc = sim_litmus_find("lost-update-fixed");
	struct sim_result r = run(sc, SIM_STRATEGY_DFS, 1, 0, 0);
	sim_result_free(&r);
	uint64_t cps = sim_eng.choice_points;
	char *tok = sim_token_encode(sim_scenario_hash(sc->name), cps, NULL, 0);
	CU_ASSERT_EQUAL(replay("lost-update-fixed", tok, &r), 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
	free(tok);
	/* One that claims more choice points than the execution has is
	 * another execution's (it replayed without complaint) */
	for (uint64_t more = 1; more <= 1000; more *= 1000) {
		tok = sim_token_encode(sim_scenario_hash(sc->name), cps + more, NULL, 0);
		CU_ASSERT_EQUAL(replay("lost-update-fixed", tok, &r), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.error, "the execution ended after"));
		sim_result_free(&r);
		free(tok);
	}
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("replay", NULL, NULL);
	CU_add_test(s, "token encode/decode round trip", test_token_round_trip);
	CU_add_test(s, "replay reproduces the violation byte for byte", test_replay_reproduces);
	CU_add_test(s, "the report names threads and events", test_report_names_events);
	CU_add_test(s, "a token of another scenario is refused", test_foreign_token_refused);
	CU_add_test(s, "damaged tokens are refused", test_damaged_tokens_refused);
	CU_add_test(s, "a token that does not fit is refused", test_misfit_token_refused);
	CU_add_test(s, "a clean schedule replays clean", test_clean_replay);
	CU_add_test(s, "a lower step bound ends a replay early", test_lower_step_bound);
}
