/* SPDX-License-Identifier: MIT */
/*
 * hmmsim scenarios: a named program of simulated threads.
 *
 * A scenario's main() runs as simulated thread 0.  It builds the state it
 * needs with sim_alloc(), spawns the other threads, joins them and checks
 * what must hold at the end with sim_check().  It must be deterministic given
 * the schedule: no wall clock, no host randomness, no decisions taken on
 * pointer values.
 */
#ifndef HMMSIM_SCENARIO_H
#define HMMSIM_SCENARIO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sim_scenario {
	const char *name;
	const char *summary;
	void (*main)(void *arg);
	void *arg;
	/* Scheduling points one execution may take before it is reported as a
	 * suspected livelock; 0 takes the engine default. */
	unsigned long step_bound;
	/* What exploring it should find: NULL when it must be clean, else the
	 * violation kind.  Used by tests and `hmmsim list`. */
	const char *expect;
};

/* The engine's litmus programs (sim/litmus). */
const struct sim_scenario *const *sim_litmus_scenarios(size_t *count);
const struct sim_scenario *sim_litmus_find(const char *name);
/* The kernel model's built-in scenarios (lab/scenarios.c). */
const struct sim_scenario *const *hs_model_scenarios(size_t *count);
const struct sim_scenario *hs_model_scenario_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_SCENARIO_H */
