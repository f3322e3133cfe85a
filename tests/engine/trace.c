// SPDX-License-Identifier: MIT
/*
 * Trace suite (sim/core/trace.c and the facts of sim/core/oracle.c): what a
 * report says beside the events.  The facts an oracle attaches to its
 * violation (sim_violation_fact(), sim_note(), sim_violation_fact_noted())
 * reach struct sim_violation; the interleaving marks preemptions and each
 * thread's first and last event; sim_event() carries its source location
 * (--sites, relative to the source root); a width fits the table.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "helpers.h"

/* A freer frees an object (noted), a user finds it freed: a use-after-free
 * with its facts, in every schedule where the freer runs first (the
 * default one among them). */
struct uaf {
	sim_atomic_t freed;
	int obj;
};

static void freer(void *arg)
{
	struct uaf *u = arg;
	sim_event("freer: about to free obj");
	sim_note_free(&u->obj, "obj");
	sim_atomic_store(&u->freed, 1, SIM_RELEASE);
}

static void user(void *arg)
{
	struct uaf *u = arg;
	sim_event("user: looks at obj");
	if (sim_atomic_load(&u->freed, SIM_ACQUIRE)) {
		sim_violation_fact("property: obj is not used once freed");
		sim_violation_fact_freed(&u->obj, "obj");
		sim_violation_fact_noted(&u->obj, "made", "obj");
		sim_fail("use-after-free", "obj used after it was freed");
	}
}

static void uaf_main(void *arg)
{
	struct uaf *u = sim_alloc(sizeof(*u));
	(void)arg;
	int a = sim_thread_spawn("freer", freer, u);
	int b = sim_thread_spawn("user", user, u);
	sim_thread_join(a);
	sim_thread_join(b);
}

static const struct sim_scenario uaf_sc = {
    "trace-uaf", "a noted free, then a use", uaf_main, NULL, 0, "use-after-free"};

static struct sim_result explore(const struct sim_scenario *sc, bool sites, unsigned int width)
{
	struct sim_options o = {.strategy = SIM_STRATEGY_PCT,
				.seed = 1,
				.iterations = 1000,
				.sites = sites,
				.width = width};
	struct sim_result r;
	EXPECT_EQ_INT(sim_explore(sc, &o, &r), 0);
	return r;
}

static void test_facts_reach_the_violation(void)
{
	struct sim_result r = explore(&uaf_sc, false, 0);
	CU_ASSERT_EQUAL_FATAL(r.nr_reports, 1);
	const struct sim_violation *v = &r.reports[0];
	EXPECT_EQ_INT(v->nfacts, 3);
	if (v->nfacts == 3) {
		EXPECT_EQ_STR(v->facts[0], "property: obj is not used once freed");
		/* where it was freed: the step, the thread, the function and the
		 * line (relative to the source root), the thread's event before */
		CU_ASSERT_PTR_NOT_NULL(strstr(v->facts[1], "freed: obj at step "));
		CU_ASSERT_PTR_NOT_NULL(strstr(v->facts[1], " by T1 freer, in freer() at "
							   "tests/engine/trace.c:"));
		CU_ASSERT_PTR_NOT_NULL(strstr(v->facts[1], "\"freer: about to free obj\""));
		EXPECT_EQ_STR(v->facts[2], "made: obj: not in this execution's trace");
	}
	sim_result_free(&r);
}

static void test_no_facts_without_oracle(void)
{
	struct sim_result r = explore(sim_litmus_find("lost-update"), false, 0);
	CU_ASSERT_EQUAL_FATAL(r.nr_reports, 1);
	EXPECT_EQ_INT(r.reports[0].nfacts, 0);
	CU_ASSERT_PTR_NULL(r.reports[0].facts);
	sim_result_free(&r);
}

/* At most SIM_MAX_FACTS lines, each cut to SIM_FACT_LEN. */
static void many_facts_main(void *arg)
{
	char big[2 * SIM_FACT_LEN];
	(void)arg;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	for (int i = 0; i < SIM_MAX_FACTS + 5; i++)
		sim_violation_fact("fact %d: %s", i, big);
	sim_fail("assertion", "many facts");
}

static void test_facts_bounded(void)
{
	const struct sim_scenario sc = {"trace-many-facts", "", many_facts_main, NULL, 0, NULL};
	struct sim_result r = explore(&sc, false, 0);
	CU_ASSERT_EQUAL_FATAL(r.nr_reports, 1);
	EXPECT_EQ_INT(r.reports[0].nfacts, SIM_MAX_FACTS);
	for (unsigned int i = 0; i < r.reports[0].nfacts; i++)
		EXPECT_EQ_U64(strlen(r.reports[0].facts[i]), SIM_FACT_LEN - 1);
	sim_result_free(&r);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* Every preemption gets a row; each thread one first and one last mark. */
static void test_preemptions_and_first_last_marked(void)
{
	struct sim_result r = explore(sim_litmus_find("lost-update"), false, 0);
	CU_ASSERT_EQUAL_FATAL(r.nr_reports, 1);
	const struct sim_violation *v = &r.reports[0];
	CU_ASSERT(v->preemptions > 0);
	EXPECT_EQ_U64(count(v->report, ">> preempts T"), v->preemptions);
	/* main, inc1, inc2; "<- first, last" is both */
	EXPECT_EQ_U64(count(v->report, "<- last") + count(v->report, "<- first, last"), 3);
	EXPECT_EQ_U64(count(v->report, "<- first"), 3);
	sim_result_free(&r);
}

static void test_sites(void)
{
	struct sim_result a = explore(&uaf_sc, true, 0), b = explore(&uaf_sc, false, 0);
	CU_ASSERT_EQUAL_FATAL(a.nr_reports, 1);
	CU_ASSERT_EQUAL_FATAL(b.nr_reports, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.reports[0].report, "freer: about to free obj  ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.reports[0].report, "(tests/engine/trace.c:"));
	CU_ASSERT_PTR_NULL(strstr(b.reports[0].report, "(tests/engine/trace.c:"));
	/* the VIOLATION row: where sim_fail() was called */
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(a.reports[0].report, "VIOLATION use-after-free  (tests/engine/trace.c:"));
	/* the Chrome trace has them either way */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.reports[0].trace_json, "\"site\":\"tests/engine/trace.c:"));
	sim_result_free(&a);
	sim_result_free(&b);
}

/* A width: no line of the table wider; the same events as without one. */
static void test_width(void)
{
	const struct sim_scenario *sc = sim_litmus_find("lost-update");
	struct sim_result w = explore(sc, false, 50), n = explore(sc, false, 0);
	CU_ASSERT_EQUAL_FATAL(w.nr_reports, 1);
	CU_ASSERT_EQUAL_FATAL(n.nr_reports, 1);
	size_t longest = 0, longest_n = 0;
	for (const char *p = w.reports[0].report; *p;) {
		size_t len = strcspn(p, "\n");
		longest = len > longest ? len : longest;
		p += len + (p[len] == '\n');
	}
	for (const char *p = n.reports[0].report; *p;) {
		size_t len = strcspn(p, "\n");
		longest_n = len > longest_n ? len : longest_n;
		p += len + (p[len] == '\n');
	}
	CU_ASSERT(longest <= 50);
	CU_ASSERT(longest_n > 50); /* without a width: a column of 34 per thread */
	EXPECT_EQ_U64(count(w.reports[0].report, "<- last"), count(n.reports[0].report, "<- last"));
	sim_result_free(&w);
	sim_result_free(&n);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("trace", NULL, NULL);
	CU_add_test(s, "facts reach the violation (a noted free)", test_facts_reach_the_violation);
	CU_add_test(s, "no facts where no oracle gave any", test_no_facts_without_oracle);
	CU_add_test(s, "facts are bounded", test_facts_bounded);
	CU_add_test(s, "preemptions and first/last events are marked",
		    test_preemptions_and_first_last_marked);
	CU_add_test(s, "sim_event() sites: --sites and the Chrome trace", test_sites);
	CU_add_test(s, "a width fits the table", test_width);
}
