// SPDX-License-Identifier: MIT
/*
 * A bounded dpor covers its bound (docs/dpor.md, "A bound that covers"):
 * dpor --preemptions P reaches every final state that dfs --preemptions P
 * reaches, in fewer executions, on every litmus program (P = 0, 1, 2),
 * every built-in scenario (P = 0, 1) and the scenario files below, wherever
 * dfs ends within its budget; and the bounded dpor the probe rounds run does
 * not (the check can fail).  Oracles off: their bookkeeping is in memory.
 * DPOR_BOUND_ALL=1 checks every scenario file at P = 1 and 2 (minutes);
 * DPOR_BOUND_TABLE=1 prints docs/dpor.md's table.
 */
#include "dpor_common.h"

#include <glob.h>
#include <hmmsim/scenario.h>
#include <hmmsim/scenario_file.h>

static uint64_t budget = 300000; /* dfs's, per run; the table's: none */

static struct sim_result run_bound(const struct sim_scenario *sc, enum sim_strategy s,
				   unsigned int p, bool probe_like, struct hashes *hs)
{
	struct sim_options o = {.strategy = s,
				.iterations = budget,
				.dfs_preemptions = p,
				.dpor_bounded = true,
				.dpor_probe_bound = probe_like};
	return run_collect(sc, o, hs);
}

/* Final states of dfs --preemptions @p that dpor's misses; -1: dfs did not end. */
static long missed(const struct sim_scenario *sc, unsigned int p, bool probe_like)
{
	struct hashes f = {0}, d = {0};
	struct sim_result rf = run_bound(sc, SIM_STRATEGY_DFS, p, false, &f);
	long miss = -1;
	if (rf.violations_found) { /* the same verdict: dpor finds one too */
		struct sim_result rd = run_bound(sc, SIM_STRATEGY_DPOR, p, probe_like, &d);
		miss = !rd.violations_found;
		sim_result_free(&rd);
	} else if (rf.exhausted) {
		struct sim_result rd = run_bound(sc, SIM_STRATEGY_DPOR, p, probe_like, &d);
		CU_ASSERT(rd.exhausted);
		miss = 0;
		for (size_t i = 0; i < f.n; i++)
			miss += !bsearch(&f.h[i], d.h, d.n, sizeof(*d.h), cmp_u64);
		if (!probe_like) {
			CU_ASSERT(rd.executions <= rf.executions);
			for (size_t i = 0; i < d.n; i++) /* and nothing beyond the bound */
				CU_ASSERT_PTR_NOT_NULL(
				    bsearch(&d.h[i], f.h, f.n, sizeof(*f.h), cmp_u64));
		}
		if (miss && !probe_like)
			fprintf(stderr,
				"\n%s, P = %u: dfs %llu executions, %zu final states; dpor "
				"%llu, %zu: %ld missing\n",
				sc->name, p, (unsigned long long)rf.executions, f.n,
				(unsigned long long)rd.executions, d.n, miss);
		sim_result_free(&rd);
	}
	sim_result_free(&rf);
	free(f.h);
	free(d.h);
	return miss;
}

/* Every program of @l at bounds 0 .. @maxp; bound 0 ends on each at least. */
static void agree_all(const struct sim_scenario *const *l, size_t n, unsigned int maxp)
{
	size_t ran = 0;
	for (unsigned int p = 0; p <= maxp; p++)
		for (size_t i = 0; i < n; i++) {
			long m = missed(l[i], p, false);
			CU_ASSERT(m <= 0);
			ran += m == 0;
		}
	CU_ASSERT(ran >= n);
}

static void test_litmus(void)
{
	size_t n;
	const struct sim_scenario *const *l = sim_litmus_scenarios(&n);
	agree_all(l, n, 2);
}

static void test_model(void)
{
	size_t n;
	const struct sim_scenario *const *l = hs_model_scenarios(&n);
	agree_all(l, n, 1);
}

static const struct sim_scenario *load(const char *name, struct sim_scenario **f)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/%s", HMMSIM_SCENARIO_DIR, name);
	CU_ASSERT_EQUAL_FATAL(hs_scenario_load(path, f, err, sizeof(err)), 0);
	return *f;
}

/*
 * driver-race.hsc at P = 1 needs the context switch taken as an alternative
 * expanded too: its migrator yields, the device burns the yield by blocking,
 * and the migrator writes before the invalidator resumes, all for one
 * preemption.  migrate.hsc and swapout.hsc at P = 2 need a blocked lock
 * attempt kept as an operation on its lock.
 */
static void test_files(void)
{
	static const struct {
		const char *name;
		unsigned int p;
	} files[] = {
	    {"driver-race.hsc", 1}, {"migrate.hsc", 2}, {"swapout.hsc", 2}, {"fork-evict.hsc", 2}};
	if (getenv("DPOR_BOUND_ALL")) {
		glob_t g;
		CU_ASSERT_EQUAL_FATAL(glob(HMMSIM_SCENARIO_DIR "/*.hsc", 0, NULL, &g), 0);
		for (unsigned int p = 1; p <= 2; p++)
			for (size_t i = 0; i < g.gl_pathc; i++) {
				struct sim_scenario *f;
				char err[256];
				CU_ASSERT_EQUAL_FATAL(
				    hs_scenario_load(g.gl_pathv[i], &f, err, sizeof(err)), 0);
				long m = missed(f, p, false);
				fprintf(stderr, "%s P = %u: %s\n", g.gl_pathv[i], p,
					m < 0 ? "dfs did not end"
					: m   ? "MISSING"
					      : "ok");
				CU_ASSERT(m <= 0);
				hs_scenario_free(f);
			}
		globfree(&g);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct sim_scenario *f;
		long m = missed(load(files[i].name, &f), files[i].p, false);
		CU_ASSERT(m == 0);
		if (m < 0)
			fprintf(stderr, "\n%s, P = %u: dfs did not end\n", files[i].name,
				files[i].p);
		hs_scenario_free(f);
	}
}

/* DPOR_BOUND_TABLE=1: docs/dpor.md's table ("A bound that covers"). */
static void table_row(const struct sim_scenario *sc, const char *name, unsigned int p)
{
	struct hashes f = {0}, c = {0}, d = {0};
	struct sim_result rf = run_bound(sc, SIM_STRATEGY_DFS, p, false, &f);
	struct sim_result rc = run_bound(sc, SIM_STRATEGY_DPOR, p, true, &c);
	struct sim_result rd = run_bound(sc, SIM_STRATEGY_DPOR, p, false, &d);
	printf("| `%s`, P = %u | %llu, %zu | %llu, %zu | %llu, %zu |\n", name, p,
	       (unsigned long long)rf.executions, f.n, (unsigned long long)rc.executions, c.n,
	       (unsigned long long)rd.executions, d.n);
	sim_result_free(&rf);
	sim_result_free(&rc);
	sim_result_free(&rd);
	free(f.h);
	free(c.h);
	free(d.h);
}

static void test_table(void)
{
	static const struct {
		const char *name;
		unsigned int p;
	} rows[] = {{"lastzero-5", 0},	      {"lastzero-5", 1},      {"driver-fault-race", 1},
		    {"driver-fault-race", 2}, {"p2p-unplug-safe", 1}, {"p2p-unplug-safe", 2},
		    {"migrate.hsc", 1},	      {"migrate.hsc", 2},     {"driver-race.hsc", 1}};
	budget = UINT64_MAX;
	printf("\n| run | dfs: executions, final states | as the probe rounds | covering |\n"
	       "|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sim_scenario *f = NULL;
		const struct sim_scenario *sc =
		    strstr(rows[i].name, ".hsc")	   ? load(rows[i].name, &f)
		    : hs_model_scenario_find(rows[i].name) ? hs_model_scenario_find(rows[i].name)
							   : sim_litmus_find(rows[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		table_row(sc, rows[i].name, rows[i].p);
		if (f)
			hs_scenario_free(f);
	}
}

/* The probe rounds' bounded dpor leaves final states of the bound out. */
static void test_probe_bound_misses(void)
{
	const struct sim_scenario *sc = hs_model_scenario_find("driver-fault-race");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT(missed(sc, 1, true) > 0);
	struct sim_scenario *f;
	CU_ASSERT(missed(load("driver-race.hsc", &f), 1, true) > 0);
	hs_scenario_free(f);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor_bound", NULL, NULL);
	CU_add_test(s, "litmus: bounded dpor reaches bounded dfs's final states", test_litmus);
	CU_add_test(s, "built-in scenarios: the same", test_model);
	CU_add_test(s, "scenario files: the same", test_files);
	CU_add_test(s, "the probe rounds' bounded dpor does not", test_probe_bound_misses);
	if (getenv("DPOR_BOUND_TABLE")) /* a tool, not a check: only when asked */
		CU_add_test(s, "DPOR_BOUND_TABLE=1: the table of docs/dpor.md", test_table);
}
