// SPDX-License-Identifier: MIT
/* hs_catalog_run(): explore one catalog entry, buggy then fixed. */
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <string.h>

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
	ret = sim_explore(e->bug, &o, &r);
	if (e->sw)
		hs_switch_set(e->sw, false);
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", e->bug->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	res->found = r.violations_found > 0;
	res->executions = r.executions;
	res->seconds = r.elapsed_s;
	if (r.nr_reports) {
		snprintf(res->kind, sizeof(res->kind), "%s", r.reports[0].kind);
		snprintf(res->message, sizeof(res->message), "%s", r.reports[0].message);
		if (strlen(r.reports[0].schedule) < sizeof(res->schedule))
			strcpy(res->schedule, r.reports[0].schedule);
	}
	sim_result_free(&r);

	ret = sim_explore(e->fixed, &o, &r);
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", e->fixed->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	res->clean_with_fix = r.violations_found == 0;
	res->fixed_executions = r.executions;
	res->fixed_seconds = r.elapsed_s;
	res->fixed_exhausted = r.exhausted;
	if (r.nr_reports) {
		snprintf(res->error, sizeof(res->error), "fixed %.60s: %.31s: %.140s",
			 e->fixed->name, r.reports[0].kind, r.reports[0].message);
		if (strlen(r.reports[0].schedule) < sizeof(res->fixed_schedule))
			strcpy(res->fixed_schedule, r.reports[0].schedule);
	}
	sim_result_free(&r);
	return 0;
}
