/* SPDX-License-Identifier: MIT */
/*
 * hmmsim stress: run a scenario repeatedly on real threads (native backend,
 * libhmmsim_native), optionally with random jitter at every primitive.
 *
 * Nothing here is deterministic: stress mode is for checking that the model
 * holds up on a real memory model and real concurrency, and for comparing
 * how long real threads take to hit a bug the deterministic engine finds.
 */
#ifndef HMMSIM_STRESS_H
#define HMMSIM_STRESS_H

#include <hmmsim/scenario.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sim_stress_options {
	double seconds;		  /* run until this much time has passed ... */
	uint64_t max_iterations;  /* ... or this many iterations (0 = no limit) */
	bool jitter;		  /* random yields / short spins at primitives */
	uint64_t seed;		  /* seeds the jitter */
	double hang_timeout_s;	  /* one iteration longer than this is a hang; 0 = 5 s */
	unsigned long step_bound; /* per-thread primitive count before "livelock"; 0 = scenario's */
	bool keep_going;	  /* count violations instead of stopping at the first */
};

struct sim_stress_result {
	uint64_t iterations;
	uint64_t violations_found;
	double elapsed_s;
	double seconds_to_first; /* time to the first violation, or -1 */
	/* The first violation */
	char kind[32];
	char message[512];
	/* An iteration did not finish within hang_timeout_s: its threads are
	 * stuck (deadlock, or a lost wake-up); the process should exit. */
	bool hung;
};

/**
 * sim_stress() - run @sc on real threads.
 * @sc:		the scenario
 * @opt:	iterations, threads' jitter, timeouts
 * @res:	filled with the outcome
 *
 * Return: 0 when the run ended (look at @res), negative errno on setup error.
 * After a hang the stuck threads are left behind; the caller should exit.
 */
int sim_stress(const struct sim_scenario *sc, const struct sim_stress_options *opt,
	       struct sim_stress_result *res);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_STRESS_H */
