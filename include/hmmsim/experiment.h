/* SPDX-License-Identifier: MIT */
/*
 * The owner-field design lab (docs/owner-semantics.md): small scenarios run
 * under each owner policy (include/hmmsim/owner.h).  The scenarios live in
 * model/experiment.c, the runner in sim/cli/experiment_cmd.c (it needs the
 * deterministic engine).
 */
#ifndef HMMSIM_EXPERIMENT_H
#define HMMSIM_EXPERIMENT_H

#include <hmmsim/explore.h>
#include <hmmsim/owner.h>
#include <hmmsim/scenario.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The owner experiment's scenarios, in table order. */
const struct sim_scenario *const *hs_owner_experiment_scenarios(size_t *count);

/* One row of the table: a policy, and for cluster-id the id width. */
struct hs_owner_config {
	enum hs_owner_policy policy;
	unsigned int id_bits;
};
/* The implemented policies, in table order (cluster-id twice: 4 and 32 bits). */
const struct hs_owner_config *hs_owner_experiment_configs(size_t *count);

struct hs_owner_experiment_result {
	bool found;
	char kind[32];	     /* the first violation's kind */
	uint64_t executions; /* to the first violation, or the budget */
	struct hs_owner_stats owner;
	unsigned long callbacks, p2p_pfns, fallbacks; /* hs_p2p_stats */
	char error[256];
};

/* Explore @sc under @cfg (PCT, @seed, @iterations; @no_races turns the
 * data-race oracle off).  The policy is restored.  Return: 0 or -errno. */
int hs_owner_experiment_run(const struct sim_scenario *sc, const struct hs_owner_config *cfg,
			    uint64_t iterations, uint64_t seed, bool no_races,
			    struct hs_owner_experiment_result *res);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_EXPERIMENT_H */
