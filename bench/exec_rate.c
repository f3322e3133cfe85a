// SPDX-License-Identifier: MIT
/*
 * bench/exec_rate: how many executions per second does the deterministic
 * engine run on the built-in litmus scenarios, and which per-execution memory
 * reset is cheaper, the engine's bump region (struct sim_arena) or jemalloc's
 * own arena.<i>.reset on a dedicated arena?
 *
 * Executions: every scenario of sim_litmus_scenarios() under pct and under
 * random, through sim_explore() with keep_going, max_reports = 1 and a fixed
 * seed; the iteration count is calibrated from a run of 1000 executions so
 * that the three measured runs take about 0.3 s together, and the best rate
 * of the three is kept.  The per-execution reset of execution memory is
 * inside sim_run_execution() and so is counted, as is the one traced replay
 * that builds the kept report of a buggy scenario.
 *
 * Reset: one cycle is 20 allocations of 48 bytes and a reset, (a) with
 * sim_arena_alloc() / sim_arena_reset(), (b) with sim_jemalloc_arena_alloc()
 * / sim_jemalloc_arena_reset(), which is mallctl("arena.<i>.reset"); for (b)
 * the reset call alone is also timed, in separate passes.  (b) only in a
 * build with HMMSIM_JEMALLOC.  Best of three repetitions.
 *
 * The last line printed is one JSON object: scenario name -> executions/s
 * under pct, plus "_"-prefixed extras (random rates, reset costs).
 */
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"

#define SEED		42
#define CALIBRATE_EXECS 1000ull
#define TARGET_S	0.3
#define MAX_SCENARIOS	32
#define RESET_ALLOCS	20
#define RESET_SIZE	48
#define RESET_TARGET_S	0.1 /* per repetition */
#define REPS		3

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uintptr_t sink;

/* ---- executions per second ---------------------------------------------- */

struct rate {
	double per_s;
	uint64_t executions;
	uint64_t violations;
};

static double explore_once(const struct sim_scenario *sc, enum sim_strategy strategy,
			   uint64_t iterations, struct rate *out)
{
	struct sim_options opt = {
	    .strategy = strategy,
	    .seed = SEED,
	    .iterations = iterations,
	    .keep_going = true,
	    .max_reports = 1,
	};
	struct sim_result res;
	double t0 = now_s();
	int err = sim_explore(sc, &opt, &res);
	double t = now_s() - t0;

	if (err) {
		fprintf(stderr, "exec_rate: %s under %s: %s\n", sc->name,
			sim_strategy_name(strategy), res.error);
		exit(1);
	}
	if (out) {
		out->executions = res.executions;
		out->violations = res.violations_found;
		out->per_s = (double)res.executions / t;
	}
	sim_result_free(&res);
	return t;
}

/* Best rate of REPS runs of about TARGET_S / REPS each; counts are summed. */
static struct rate measure(const struct sim_scenario *sc, enum sim_strategy strategy)
{
	struct rate sum = {0};
	double t = explore_once(sc, strategy, CALIBRATE_EXECS, NULL);
	double scale = t > 0 ? TARGET_S / REPS / t : 1000.0;
	uint64_t n = (uint64_t)((double)CALIBRATE_EXECS * scale);

	if (n < CALIBRATE_EXECS)
		n = CALIBRATE_EXECS;
	for (int r = 0; r < REPS; r++) {
		struct rate one;

		explore_once(sc, strategy, n, &one);
		if (one.per_s > sum.per_s)
			sum.per_s = one.per_s;
		sum.executions += one.executions;
		sum.violations += one.violations;
	}
	return sum;
}

/* ---- memory reset ------------------------------------------------------- */

static double bump_reset_ns(void)
{
	struct sim_arena a;
	double best = 1e300;
	long cycles = 1000;

	if (sim_arena_init(&a)) {
		fprintf(stderr, "exec_rate: sim_arena_init failed\n");
		exit(1);
	}
	for (int r = 0; r <= REPS; r++) {
		double t0 = now_s(), t;

		for (long c = 0; c < cycles; c++) {
			for (int i = 0; i < RESET_ALLOCS; i++)
				sink ^= (uintptr_t)sim_arena_alloc(&a, RESET_SIZE);
			sim_arena_reset(&a);
		}
		t = now_s() - t0;
		if (r == 0) { /* calibration */
			cycles = (long)((double)cycles * RESET_TARGET_S / (t > 0 ? t : 1e-9));
			if (cycles < 1000)
				cycles = 1000;
			continue;
		}
		if (t * 1e9 / (double)cycles < best)
			best = t * 1e9 / (double)cycles;
	}
	sim_arena_destroy(&a);
	return best;
}

#ifdef HMMSIM_JEMALLOC
static void je_allocs(unsigned int ind)
{
	for (int i = 0; i < RESET_ALLOCS; i++) {
		void *p = sim_jemalloc_arena_alloc(ind, RESET_SIZE);

		if (!p) {
			fprintf(stderr, "exec_rate: mallocx failed\n");
			exit(1);
		}
		sink ^= (uintptr_t)p;
	}
}

static void je_reset(unsigned int ind)
{
	if (sim_jemalloc_arena_reset(ind)) {
		fprintf(stderr, "exec_rate: arena.%u.reset failed\n", ind);
		exit(1);
	}
}

/*
 * ns per cycle on a dedicated jemalloc arena, best of REPS; *reset_only: the
 * arena.<i>.reset call alone, from separate passes that time each call (so it
 * carries one clock read, about 20 ns, of overhead).
 */
static double je_reset_ns(double *reset_only)
{
	unsigned int ind;
	double best = 1e300;
	long cycles = 100;

	if (sim_jemalloc_arena_create(&ind)) {
		fprintf(stderr, "exec_rate: cannot create a jemalloc arena\n");
		exit(1);
	}
	for (int r = 0; r <= REPS; r++) {
		double t0 = now_s(), t;

		for (long c = 0; c < cycles; c++) {
			je_allocs(ind);
			je_reset(ind);
		}
		t = now_s() - t0;
		if (r == 0) { /* calibration */
			cycles = (long)((double)cycles * RESET_TARGET_S / (t > 0 ? t : 1e-9));
			if (cycles < 100)
				cycles = 100;
			continue;
		}
		if (t * 1e9 / (double)cycles < best)
			best = t * 1e9 / (double)cycles;
	}
	*reset_only = 1e300;
	for (int r = 0; r < REPS; r++) {
		double in_reset = 0;

		for (long c = 0; c < cycles; c++) {
			double t0;

			je_allocs(ind);
			t0 = now_s();
			je_reset(ind);
			in_reset += now_s() - t0;
		}
		if (in_reset * 1e9 / (double)cycles < *reset_only)
			*reset_only = in_reset * 1e9 / (double)cycles;
	}
	return best;
}
#endif

int main(void)
{
	size_t n;
	const struct sim_scenario *const *all = sim_litmus_scenarios(&n);
	struct rate pct[MAX_SCENARIOS], rnd[MAX_SCENARIOS];
	double bump;
#ifdef HMMSIM_JEMALLOC
	double je, je_only;
#endif

	if (n > MAX_SCENARIOS)
		n = MAX_SCENARIOS;
	printf("%-24s %14s %14s %12s %12s\n", "scenario", "pct exec/s", "random exec/s", "pct viol",
	       "random viol");
	for (size_t i = 0; i < n; i++) {
		pct[i] = measure(all[i], SIM_STRATEGY_PCT);
		rnd[i] = measure(all[i], SIM_STRATEGY_RANDOM);
		printf("%-24s %14.0f %14.0f %5llu/%-6llu %5llu/%-6llu\n", all[i]->name,
		       pct[i].per_s, rnd[i].per_s, (unsigned long long)pct[i].violations,
		       (unsigned long long)pct[i].executions, (unsigned long long)rnd[i].violations,
		       (unsigned long long)rnd[i].executions);
	}

	bump = bump_reset_ns();
	printf("reset cycle (%d x %d-byte allocations + reset), best of %d:\n", RESET_ALLOCS,
	       RESET_SIZE, REPS);
	printf("  bump region (sim_arena_reset):          %10.1f ns\n", bump);
#ifdef HMMSIM_JEMALLOC
	je = je_reset_ns(&je_only);
	printf("  jemalloc arena (arena.<i>.reset):       %10.1f ns "
	       "(of which the reset call: %.1f ns)\n",
	       je, je_only);
	printf("  ratio jemalloc/bump: %.1f; faster: %s\n", je / bump,
	       bump < je ? "bump region" : "jemalloc arena.<i>.reset");
#else
	printf("  this build has no jemalloc (HMMSIM_JEMALLOC off): no arena.<i>.reset figure\n");
#endif

	printf("{");
	for (size_t i = 0; i < n; i++)
		printf("\"%s\": %.1f, ", all[i]->name, pct[i].per_s);
	for (size_t i = 0; i < n; i++)
		printf("\"_random_%s\": %.1f, ", all[i]->name, rnd[i].per_s);
#ifdef HMMSIM_JEMALLOC
	printf("\"_je_reset_ns\": %.1f, \"_je_reset_call_ns\": %.1f, \"_reset_ratio\": %.1f, ", je,
	       je_only, je / bump);
#endif
	printf("\"_bump_reset_ns\": %.1f}\n", bump);
	return 0;
}
