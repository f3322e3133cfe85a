/* SPDX-License-Identifier: MIT */
/*
 * The catalog of real kernel and driver bugs hmmsim must rediscover.  Each
 * entry pairs a buggy configuration (a model switch restoring the code
 * before a fix, or a driver bug variant) with the fixed one; exploring the
 * buggy one must find a violation, the fixed one must be clean.
 * docs/catalog.md describes each entry.
 */
#ifndef HMMSIM_CATALOG_H
#define HMMSIM_CATALOG_H

#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hs_catalog_entry {
	const char *name;
	const char *fix;  /* the kernel commit title and release it mirrors */
	const char *what; /* the pre-fix interleaving, one sentence */
	bool driver;	  /* a driver bug (else core mm) */
	/* Buggy and fixed scenarios; for a core entry both are the same and
	 * the switch named below (include/hmmsim/switches.h) is turned on for
	 * the buggy run. */
	const struct sim_scenario *bug, *fixed;
	const char *sw;
	enum sim_strategy strategy; /* how it is explored by default */
	unsigned int preemptions;   /* for dfs */
	/* The mainline release the fix landed in ("6.1"; the switch's own for
	 * a switch entry), NULL when it was never merged. */
	const char *release;
	/* The release the bug came in ("6.15" for a regression of that
	 * release's change), NULL when every release before the fix has it. */
	const char *since;
};

const struct hs_catalog_entry *hs_catalog(size_t *count);

/* Outcome of one entry under a budget of executions. */
struct hs_catalog_result {
	bool found;
	uint64_t executions; /* to the first violation, or the budget */
	double seconds;
	char kind[32];
	bool clean_with_fix;
	uint64_t fixed_executions;
	double fixed_seconds;
	bool fixed_exhausted;
	uint64_t fixed_unfair_cut; /* the fixed run's executions cut as unfair */
	char error[256]; /* engine error, if any */
	/* The replay tokens of the buggy run's first violation and of the
	 * fixed run's when it is not clean ("" when none, or too long). */
	char schedule[SIM_TOKEN_KEEP], fixed_schedule[SIM_TOKEN_KEEP];
	char message[256]; /* the buggy run's first violation */
	bool has_bug;	   /* hs_catalog_run_release(): the release has the bug */
	/* hs_catalog_run_release() on a release without the bug: what it found
	 * is gone with every fix in (a bug fixed after the release) */
	bool later_bug;
	/* catalog --exhaustive: dpor did not find the bug within the cell
	 * budget, the entry's own strategy did (sim/cli/catalog_cmd.c) */
	bool bug_by_fallback;
	/* catalog --exhaustive, a clean fix dpor did not exhaust: dpor --deepen
	 * ran after it in a budget as large (hs_catalog_cell_deepen()); the
	 * highest preemption bound it covered (-1: none) and its executions */
	bool fixed_deepened;
	int fixed_bound;
	uint64_t fixed_bound_executions;
};

/* Explore @e's buggy and fixed configurations on the deterministic engine
 * (sim/cli/catalog_run.c, linked with libhmmsim_core); switches are restored. */
int hs_catalog_run(const struct hs_catalog_entry *e, enum sim_strategy strategy,
		   uint64_t iterations, uint64_t seed, struct hs_catalog_result *res);
/* Stop each later run of hs_catalog_run() after @seconds of wall time (0:
 * no limit; catalog --exhaustive --cell-budget Ns): a run stopped there is
 * not exhausted.  Not deterministic, unlike a budget in executions. */
void hs_catalog_cell_budget(double seconds);
/* After a fixed run under dpor that ended clean but not exhausted, run
 * dpor --deepen on it within a cell budget as large (catalog --exhaustive):
 * the preemption bound under which the fix is clean for every schedule,
 * or a violation one of its rounds finds. */
void hs_catalog_cell_deepen(bool on);
/* --exhaustive's default budget per cell, in dpor executions (catalog and
 * experiment owner), when --cell-budget gives none. */
#define HS_CELL_BUDGET_DEFAULT 200000
/* --cell-budget B: "SECONDSs" sets *@seconds, a number *@executions (the
 * other to 0: the last one given counts).
 * Return: 0, or 2 after a one-line message on stderr. */
int hs_cell_budget_parse(const char *val, uint64_t *executions, double *seconds);
/* The dpor executions a cell may take under --cell-budget (@executions,
 * @seconds; 0: not given): @executions, no cap (UINT64_MAX) under a time
 * budget, else HS_CELL_BUDGET_DEFAULT. */
uint64_t hs_cell_executions(uint64_t executions, double seconds);
/* sim_explore() within the budget hs_catalog_cell_budget() set (a budget
 * in seconds replaces @o's progress callback). */
int hs_cell_explore(const struct sim_scenario *sc, struct sim_options *o, struct sim_result *r);

/*
 * Explore @e as kernel @version has it (hs_kernel_set(): every switch whose
 * fix came after @version on): the buggy configuration when @version still
 * has the bug (res->has_bug), else the fixed one.  res->found tells whether
 * a violation was found (res->later_bug: one a later fix removes, when the
 * release has not the entry's bug); the fixed_* fields stay zero.  Switches
 * restored.
 * Return: 0, -EINVAL for an unknown release, or the engine's error.
 */
int hs_catalog_run_release(const struct hs_catalog_entry *e, const char *version,
			   enum sim_strategy strategy, uint64_t iterations, uint64_t seed,
			   struct hs_catalog_result *res);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_CATALOG_H */
