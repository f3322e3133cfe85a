/* SPDX-License-Identifier: MIT */
/* Helpers shared by the engine's CUnit suites. */
#ifndef HMMSIM_TEST_HELPERS_H
#define HMMSIM_TEST_HELPERS_H

#include <CUnit/CUnit.h>
#include <hmmsim/explore.h>
#include <hmmsim/sim.h>
#include <string.h>

/* Explore @sc; fails the current test on an engine error. */
static inline struct sim_result run(const struct sim_scenario *sc, enum sim_strategy strat,
				    uint64_t iterations, unsigned int preemptions, uint64_t seed)
{
	struct sim_options o = {
	    .strategy = strat,
	    .seed = seed,
	    .iterations = iterations,
	    .dfs_preemptions = preemptions,
	};
	struct sim_result r;
	int ret = sim_explore(sc, &o, &r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "sim_explore(%s): %s\n", sc->name, r.error);
	return r;
}

/* The kind of the first violation, or "" when the run was clean. */
static inline const char *first_kind(const struct sim_result *r)
{
	return r->nr_reports ? r->reports[0].kind : "";
}

#define SCENARIO(nm, fn, ...)                                                                      \
	{                                                                                          \
		.name = nm, .summary = nm, .main = fn, __VA_ARGS__                                 \
	}

#endif
