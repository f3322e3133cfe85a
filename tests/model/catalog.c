// SPDX-License-Identifier: MIT
/*
 * catalog suite: every catalog entry is found with its bug and clean with its
 * fix, with fixed seeds, so CI fails the day the model stops finding one.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <hmmsim/switches.h>
#include <hmmsim/version.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static void test_entries(void)
{
	size_t n, core = 0, driver = 0;
	const struct hs_catalog_entry *cat = hs_catalog(&n);

	for (size_t i = 0; i < n; i++) {
		struct hs_catalog_result r;
		int ret = hs_catalog_run(&cat[i], cat[i].strategy, 20000, 1, &r);
		CU_ASSERT_EQUAL(ret, 0);
		CU_ASSERT_TRUE(r.found);
		CU_ASSERT_TRUE(r.clean_with_fix);
		if (ret || !r.found || !r.clean_with_fix)
			fprintf(stderr, "\n%s: found %d clean %d %s\n", cat[i].name, r.found,
				r.clean_with_fix, r.error);
		*(cat[i].driver ? &driver : &core) += 1;
	}
	CU_ASSERT_TRUE(n >= 18);
	CU_ASSERT_TRUE(core >= 7);
	CU_ASSERT_TRUE(driver >= 2);
}

/*
 * By release: the release before each fix finds its bug, the release of
 * the fix does not (or finds only a bug a later fix removed, which the
 * same scenario does not reach with every fix in).
 */
static void test_releases(void)
{
	size_t n;
	const struct hs_catalog_entry *cat = hs_catalog(&n);

	for (size_t i = 0; i < n; i++) {
		const struct hs_catalog_entry *e = &cat[i];
		struct hs_catalog_result r;
		if (!e->release) /* never merged: no release has it */
			continue;
		CU_ASSERT_TRUE(hs_kernel_known(e->release));
		if (e->sw) {
			CU_ASSERT_STRING_EQUAL(hs_switch_release(e->sw), e->release);
			/* the switch and its entry agree on when the bug came in */
			const char *since = hs_switch_since(e->sw);
			CU_ASSERT_TRUE(since == e->since ||
				       (since && e->since && strcmp(since, e->since) == 0));
		}
		const char *before = hs_kernel_prev(e->release);
		CU_ASSERT_PTR_NOT_NULL_FATAL(before);
		CU_ASSERT_EQUAL(hs_catalog_run_release(e, before, e->strategy, 20000, 1, &r), 0);
		CU_ASSERT_TRUE(r.has_bug);
		CU_ASSERT_TRUE(r.found);
		if (!r.found)
			fprintf(stderr, "\n%s: v%s does not find it\n", e->name, before);
		CU_ASSERT_EQUAL(hs_catalog_run_release(e, e->release, e->strategy, 20000, 1, &r),
				0);
		CU_ASSERT_FALSE(r.has_bug);
		CU_ASSERT_TRUE(!r.found || r.later_bug);
		if (r.found && !r.later_bug)
			fprintf(stderr, "\n%s: v%s, its fix, finds %s\n", e->name, e->release,
				r.kind);
	}
}

/*
 * The hmm_range_fault() starvation (issue 12 item 6): with the v6.15 .. v6.19
 * do_swap_page() the device read spins on the locked folio while the
 * migration waits in lru_add_drain_all() for the work queued on the
 * spinner's CPU (a livelock, with that drain in the report); with the fix
 * the scenario is clean under every interleaving (dpor, exhausted).
 */
static void test_starvation(void)
{
	const struct sim_scenario *sc =
	    hs_model_scenario_find("catalog-hmm-range-fault-starvation");
	struct sim_options o = {.strategy = SIM_STRATEGY_PCT, .seed = 1, .iterations = 2000};
	struct sim_result res;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_EQUAL(hs_switch_set("swap_page_spin_on_locked", true), 0);
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &res), 0);
	hs_switch_set("swap_page_spin_on_locked", false);
	CU_ASSERT_TRUE_FATAL(res.nr_reports > 0);
	CU_ASSERT_STRING_EQUAL(res.reports[0].kind, "livelock");
	sim_result_free(&res);

	/* the bug came with v6.15's trylock: v6.14 does not have it */
	size_t n;
	const struct hs_catalog_entry *cat = hs_catalog(&n);
	struct hs_catalog_result cr;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cat[i].name, "hmm-range-fault-starvation"))
			continue;
		CU_ASSERT_EQUAL(
		    hs_catalog_run_release(&cat[i], "6.14", cat[i].strategy, 2000, 1, &cr), 0);
		CU_ASSERT_FALSE(cr.has_bug);
		CU_ASSERT_FALSE(cr.found);
		CU_ASSERT_EQUAL(
		    hs_catalog_run_release(&cat[i], "6.15", cat[i].strategy, 2000, 1, &cr), 0);
		CU_ASSERT_TRUE(cr.has_bug);
		CU_ASSERT_TRUE(cr.found);
	}

	o.strategy = SIM_STRATEGY_DPOR;
	o.iterations = 1000000; /* a budget it never reaches: 9,063 classes */
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &res), 0);
	CU_ASSERT_EQUAL(res.nr_reports, 0);
	CU_ASSERT_TRUE(res.exhausted);
	sim_result_free(&res);
}

/* A release sets exactly the switches whose fix came after it. */
static void test_kernel_set(void)
{
	static const struct hs_switches off;
	CU_ASSERT_EQUAL(hs_kernel_set("4.19"), -EINVAL);
	CU_ASSERT_EQUAL(hs_kernel_set("6.1x"), -EINVAL);
	CU_ASSERT_EQUAL(hs_kernel_set(NULL), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&hs_switch, &off, sizeof(off)), 0);
	CU_ASSERT_EQUAL(hs_kernel_set("6.1"), 0);
	CU_ASSERT_FALSE(hs_switch.swap_page_ref_without_ptl); /* fixed in 6.1 */
	CU_ASSERT_FALSE(hs_switch.migrate_flush_tlb_after_ptl);
	CU_ASSERT_TRUE(hs_switch.swap_page_lock_unconditional); /* 6.15 */
	CU_ASSERT_TRUE(hs_switch.dmem_fault_no_zero);		/* 6.12 */
	CU_ASSERT_EQUAL(hs_kernel_set("6.0"), 0);
	CU_ASSERT_TRUE(hs_switch.swap_page_ref_without_ptl);
	CU_ASSERT_FALSE(hs_switch.hmm_no_fault_non_owner);
	CU_ASSERT_EQUAL(hs_kernel_set("5.17"), 0);
	CU_ASSERT_FALSE(hs_switch.kfd_restore_work_exit_deadlock);
	CU_ASSERT_TRUE(hs_switch.notifier_remove_lockless_wait);
	/* the last release has every fix */
	const char *const *rel = hs_kernel_releases();
	size_t last = 0;
	while (rel[last + 1])
		last++;
	CU_ASSERT_EQUAL(hs_kernel_set(rel[last]), 0);
	CU_ASSERT_EQUAL(memcmp(&hs_switch, &off, sizeof(off)), 0);
	CU_ASSERT_TRUE(hs_kernel_cmp("5.18", "6.1") < 0);
	CU_ASSERT_TRUE(hs_kernel_cmp("6.12", "6.2") > 0);
	CU_ASSERT_STRING_EQUAL(hs_kernel_prev("6.0"), "5.19");
	CU_ASSERT_PTR_NULL(hs_kernel_prev(rel[0]));
	CU_ASSERT_TRUE(hs_kernel_known(HS_KERNEL_MODEL));
	/* --kernel's default and --version's kernel line name one release */
	EXPECT_EQ_STR("v" HS_KERNEL_MODEL, HMMSIM_KERNEL_RELEASE);
	memset(&hs_switch, 0, sizeof(hs_switch));
}

/* The switch a buggy run turns on is off again afterwards. */
static void test_switches_restored(void)
{
	static const struct hs_switches off;
	CU_ASSERT_EQUAL(memcmp(&hs_switch, &off, sizeof(off)), 0);
	CU_ASSERT_EQUAL(hs_switch_set("no-such-switch", true), -EINVAL);
}

/*
 * --cell-budget: a number of executions is the cap; a time has none (the
 * clock ends the cell, not HS_CELL_BUDGET_DEFAULT); the default without
 * either; the last --cell-budget given counts.
 */
static void test_cell_budget(void)
{
	uint64_t n = 0;
	double s = 0;

	EXPECT_EQ_U64(hs_cell_executions(0, 0), HS_CELL_BUDGET_DEFAULT);
	EXPECT_EQ_U64(hs_cell_executions(250000, 0), 250000);
	EXPECT_EQ_U64(hs_cell_executions(0, 60), UINT64_MAX);
	EXPECT_EQ_INT(hs_cell_budget_parse("60s", &n, &s), 0);
	EXPECT_EQ_U64(hs_cell_executions(n, s), UINT64_MAX);
	EXPECT_EQ_INT(hs_cell_budget_parse("300000", &n, &s), 0);
	EXPECT_EQ_U64(n, 300000);
	EXPECT_EQ_U64(hs_cell_executions(n, s), 300000);
	EXPECT_EQ_INT(hs_cell_budget_parse("5s", &n, &s), 0);
	EXPECT_EQ_U64(hs_cell_executions(n, s), UINT64_MAX);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("catalog", NULL, NULL);
	CU_add_test(s, "every entry: found with the bug, clean with the fix", test_entries);
	CU_add_test(s, "by release: the one before the fix finds it, the fix's is clean",
		    test_releases);
	CU_add_test(s, "hmm_range_fault() starvation: livelock before the fix, clean after",
		    test_starvation);
	CU_add_test(s, "switches restored", test_switches_restored);
	CU_add_test(s, "--kernel: a release's switches", test_kernel_set);
	CU_add_test(s, "--cell-budget: a time has no cap in executions", test_cell_budget);
}
