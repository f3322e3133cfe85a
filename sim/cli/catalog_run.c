// SPDX-License-Identifier: MIT
/* hs_catalog_run(): explore one catalog entry, buggy then fixed;
 * hs_catalog_run_release(): as one kernel release has it. */
#include <ctype.h>
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/switches.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cell_budget_s, cell_end_s;
static bool cell_deepen;

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void hs_catalog_cell_budget(double seconds)
{
	cell_budget_s = seconds;
}

void hs_catalog_cell_deepen(bool on)
{
	cell_deepen = on;
}

/**
 * hs_cell_budget_parse() - the argument of --cell-budget.
 * @val: "SECONDSs" (e.g. "60s") or a number of executions; NULL when missing
 * @executions: set to the number, 0 for a time
 * @seconds: set to the time, 0 for a number
 *
 * Return: 0, or 2 after saying on stderr what is wrong (one line).
 */
int hs_cell_budget_parse(const char *val, uint64_t *executions, double *seconds)
{
	size_t n = val ? strlen(val) : 0;
	bool secs = n && val[n - 1] == 's';
	char num[32], *end;

	if (n && n < sizeof(num) && isdigit((unsigned char)val[0])) {
		memcpy(num, val, n - secs);
		num[n - secs] = 0;
		errno = 0;
		unsigned long long v = strtoull(num, &end, 10);
		if (!errno && !*end && v > 0) {
			/* the last --cell-budget given is the budget */
			*seconds = secs ? (double)v : 0;
			*executions = secs ? 0 : v;
			return 0;
		}
	}
	fprintf(stderr,
		"hmmsim: --cell-budget wants SECONDSs (e.g. 60s) or a number of "
		"executions, not '%s'\n",
		val ? val : "");
	return 2;
}

/**
 * hs_cell_executions() - the dpor executions one cell may take.
 * @executions: --cell-budget N (0: not given)
 * @seconds: --cell-budget SECONDSs (0: not given)
 *
 * A time budget has no cap in executions: the clock alone ends the cell (or
 * dpor exhausts it first).  Without a budget, HS_CELL_BUDGET_DEFAULT.
 *
 * Return: @executions if given, UINT64_MAX under a time budget, else the
 * default.
 */
uint64_t hs_cell_executions(uint64_t executions, double seconds)
{
	if (executions)
		return executions;
	return seconds > 0 ? UINT64_MAX : HS_CELL_BUDGET_DEFAULT;
}

/* --cell-budget Ns: go on while the cell's time is not up. */
static bool cell_progress(void *arg, const struct sim_progress *p)
{
	(void)arg;
	return (p->executions & 63) || mono_s() < cell_end_s;
}

/**
 * hs_cell_explore() - explore one cell of a matrix within the cell budget.
 * @sc: the scenario
 * @o: its options; with a budget in seconds (hs_catalog_cell_budget()), its
 *     progress callback is replaced by the clock
 * @r: the result
 *
 * catalog and experiment owner --exhaustive share it.
 *
 * Return: sim_explore()'s.
 */
int hs_cell_explore(const struct sim_scenario *sc, struct sim_options *o, struct sim_result *r)
{
	if (cell_budget_s > 0) {
		cell_end_s = mono_s() + cell_budget_s;
		o->progress = cell_progress;
	}
	return sim_explore(sc, o, r);
}

/* The run of an entry's bug scenario @r into @res (found, figures, the first
 * violation), then @r freed. */
static void catalog_take_bug(struct hs_catalog_result *res, struct sim_result *r)
{
	res->found = r->violations_found > 0;
	/* found: the executions it took, dpor's probe rounds included */
	res->executions = r->executions + (res->found ? r->probe_executions : 0);
	res->seconds = r->elapsed_s;
	if (r->nr_reports) {
		snprintf(res->kind, sizeof(res->kind), "%s", r->reports[0].kind);
		snprintf(res->message, sizeof(res->message), "%s", r->reports[0].message);
		if (strlen(r->reports[0].schedule) < sizeof(res->schedule))
			strcpy(res->schedule, r->reports[0].schedule);
	}
	sim_result_free(r);
}

/* The fixed run @r's first violation into @res (the fix is not clean), then
 * @r freed. */
static void catalog_take_fixed(const struct hs_catalog_entry *e, struct sim_result *r,
			       struct hs_catalog_result *res)
{
	if (r->nr_reports) {
		res->clean_with_fix = false;
		snprintf(res->error, sizeof(res->error), "fixed %.60s: %.31s: %.140s",
			 e->fixed->name, r->reports[0].kind, r->reports[0].message);
		if (strlen(r->reports[0].schedule) < sizeof(res->fixed_schedule))
			strcpy(res->fixed_schedule, r->reports[0].schedule);
	}
	sim_result_free(r);
}

/*
 * catalog --exhaustive, a fix that dpor left clean but did not exhaust:
 * dpor --deepen within a cell budget of its own, as large (covering rounds of 0, 1, 2, ...
 * preemptions, docs/dpor.md "Iterative bounding").  The highest bound it
 * covered is what the clean verdict can claim beyond the sample; a round
 * that leaves nothing out makes the fix exhaustively clean after all, and a
 * violation a round finds makes it not clean.
 */
static int catalog_deepen_fix(const struct hs_catalog_entry *e, struct sim_options *o,
			      struct hs_catalog_result *res)
{
	struct sim_result r;
	int ret;

	o->dpor_deepen = true;
	ret = hs_cell_explore(e->fixed, o, &r);
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s --deepen: %.170s", e->fixed->name,
			 r.error);
		sim_result_free(&r);
		return ret;
	}
	res->fixed_deepened = true;
	res->fixed_bound = r.bound_completed;
	res->fixed_bound_executions = r.executions;
	res->fixed_seconds += r.elapsed_s;
	if (r.exhausted && r.whole_tree && !r.violations_found) { /* every execution */
		res->fixed_exhausted = true;
		res->fixed_executions = r.executions;
	}
	catalog_take_fixed(e, &r, res);
	return 0;
}

int hs_catalog_run(const struct hs_catalog_entry *e, enum sim_strategy strategy,
		   uint64_t iterations, uint64_t seed, struct hs_catalog_result *res)
{
	struct sim_options o = {
	    .strategy = strategy,
	    .seed = seed,
	    .iterations = iterations,
	    .dfs_preemptions = e->preemptions ? e->preemptions : 2,
	    .brief = true,
	};
	struct sim_result r;
	int ret;

	memset(res, 0, sizeof(*res));
	if (e->sw && hs_switch_set(e->sw, true)) {
		snprintf(res->error, sizeof(res->error), "unknown switch %s", e->sw);
		return -EINVAL;
	}
	ret = hs_cell_explore(e->bug, &o, &r);
	if (e->sw)
		hs_switch_set(e->sw, false);
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", e->bug->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	catalog_take_bug(res, &r);

	ret = hs_cell_explore(e->fixed, &o, &r);
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", e->fixed->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	res->clean_with_fix = r.violations_found == 0;
	res->fixed_executions = r.executions;
	res->fixed_seconds = r.elapsed_s;
	res->fixed_exhausted = r.exhausted;
	res->fixed_unfair_cut = r.unfair_cut;
	catalog_take_fixed(e, &r, res);
	if (cell_deepen && strategy == SIM_STRATEGY_DPOR && res->clean_with_fix &&
	    !res->fixed_exhausted)
		return catalog_deepen_fix(e, &o, res);
	return 0;
}

int hs_catalog_run_release(const struct hs_catalog_entry *e, const char *version,
			   enum sim_strategy strategy, uint64_t iterations, uint64_t seed,
			   struct hs_catalog_result *res)
{
	struct sim_options o = {
	    .strategy = strategy,
	    .seed = seed,
	    .iterations = iterations,
	    .dfs_preemptions = e->preemptions ? e->preemptions : 2,
	    .brief = true,
	};
	const struct hs_switches saved = hs_switch;
	struct sim_result r;
	int ret;

	memset(res, 0, sizeof(*res));
	if (hs_kernel_set(version)) {
		snprintf(res->error, sizeof(res->error), "unknown kernel release %s", version);
		return -EINVAL;
	}
	res->has_bug = hs_kernel_has_bug(version, e->release) &&
		       (!e->since || hs_kernel_cmp(version, e->since) >= 0);
	/* a switch entry's scenario is the same both ways: the release's
	 * switches decide; a driver variant's scenario is the bug's or the fix's */
	const struct sim_scenario *sc = res->has_bug ? e->bug : e->fixed;
	ret = sim_explore(sc, &o, &r);
	hs_switch = saved;
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", sc->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	catalog_take_bug(res, &r);
	if (res->found && !res->has_bug) {
		/* the release no longer has this bug but the scenario reached
		 * another one it has: clean with every fix in, it is a later fix's */
		memset(&hs_switch, 0, sizeof(hs_switch));
		ret = sim_explore(sc, &o, &r);
		hs_switch = saved;
		res->later_bug = !ret && r.violations_found == 0;
		sim_result_free(&r);
	}
	return 0;
}
