/* SPDX-License-Identifier: MIT */
/*
 * The owner-field design lab (docs/owner-semantics.md): small scenarios run
 * under each owner policy (include/hmmsim/owner.h).  The scenarios live in
 * lab/experiment.c, the runner in sim/cli/experiment_cmd.c (it needs the
 * deterministic engine).
 */
#ifndef HMMSIM_EXPERIMENT_H
#define HMMSIM_EXPERIMENT_H

#include <hmmsim/explore.h>
#include <hmmsim/hmm.h>
#include <hmmsim/owner.h>
#include <hmmsim/scenario.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The owner experiment's scenarios, in table order. */
const struct sim_scenario *const *hs_owner_experiment_scenarios(size_t *count);
/*
 * "SCENARIO@CONFIG" (e.g. "owner-group-unplug@peer-group",
 * "owner-id-wrap@cluster-id:4"; ':' or '/' between the parts of a config
 * name, the scenario is named with ':'): that scenario with every execution run
 * under that configuration (it sets the owner globals, and leaves them
 * set).  hs_model_scenario_find() finds these too.  NULL when unknown.
 */
const struct sim_scenario *hs_owner_experiment_find(const char *name);

/* One row of the table: a policy, for cluster-id the id width, and the
 * variant (HS_OWNER_F_*). */
struct hs_owner_config {
	enum hs_owner_policy policy;
	unsigned int id_bits;
	unsigned int flags;
};
/* The table's rows, in order: every policy, cluster-id at 4 and 32 bits,
 * p2p-callback also locked, peer-group also leaving the registry drained. */
const struct hs_owner_config *hs_owner_experiment_configs(size_t *count);
/* The table's rows followed by the ablations (reachable by name). */
const struct hs_owner_config *hs_owner_experiment_all_configs(size_t *count);
/* "cluster-id/4", "p2p-callback/locked", "peer-group/drained", ... */
const char *hs_owner_config_name(const struct hs_owner_config *cfg, char *buf, size_t len);
/* Return: 0 and *out set for a name of hs_owner_experiment_all_configs(),
 * else -EINVAL. */
int hs_owner_config_parse(const char *name, struct hs_owner_config *out);

/* The P2P counters of the lab's executions, summed (hs_machine_init()
 * resets hs_p2p_stats at every execution; the lab adds them up here). */
extern struct hs_p2p_stats hs_owner_lab_p2p;

struct hs_owner_experiment_result {
	bool found;
	char kind[32];	     /* the first violation's kind */
	uint64_t executions; /* to the first violation, or the budget */
	struct hs_owner_stats owner;
	struct hs_p2p_stats p2p; /* summed over the executions */
	char error[256];
	/* The first violation's message and replay token ("" when none, or a
	 * token too long): `hmmsim replay SCENARIO@POLICY --schedule TOKEN`. */
	char message[256];
	char schedule[SIM_TOKEN_KEEP];
	/* hs_owner_experiment_explore(): dpor ran out of its tree (clean under
	 * every interleaving, when nothing was found), its estimate of the
	 * tree's size, the run's wall time */
	bool exhausted;
	uint64_t unfair_cut; /* executions cut at the step bound as unfair */
	double estimated_total;
	double seconds;
	/* experiment owner --exhaustive (sim/cli/experiment_cmd.c): dpor found
	 * nothing within the cell budget, the cell's sampling strategy ran
	 * after it (fallback_executions); by_fallback: and found the violation */
	bool by_fallback;
	uint64_t dpor_executions, fallback_executions;
	/* the run's highest preemption bound covered (dpor --deepen; -1: none);
	 * experiment owner --exhaustive, a clean cell dpor did not exhaust:
	 * deepened, dpor --deepen ran after the fallback in a budget as large,
	 * with deepen_executions; by_deepen: one of its rounds found the
	 * violation */
	int bound_covered;
	bool deepened, by_deepen;
	uint64_t deepen_executions;
};

/* Explore @sc under @cfg (PCT, @seed, @iterations; @no_races turns the
 * data-race oracle off).  The policy is restored.  Return: 0 or -errno. */
int hs_owner_experiment_run(const struct sim_scenario *sc, const struct hs_owner_config *cfg,
			    uint64_t iterations, uint64_t seed, bool no_races,
			    struct hs_owner_experiment_result *res);
/* The same under any options @o (strategy, budget, seed, no_races...),
 * within the cell budget of hs_catalog_cell_budget(). */
int hs_owner_experiment_explore(const struct sim_scenario *sc, const struct hs_owner_config *cfg,
				const struct sim_options *o,
				struct hs_owner_experiment_result *res);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_EXPERIMENT_H */
