// SPDX-License-Identifier: MIT
/*
 * bench/oracle_cost: what do the in-execution oracles (data-race detector,
 * lock-order graph, might-sleep check) cost?  Executions per second of the
 * kernel model's "driver-fault-race" and of the litmus "lost-update-fixed"
 * under pct, with every oracle on (the default) and with every one off
 * (--no-races --no-lockdep --no-might-sleep), in the same run.
 *
 * Each configuration runs through sim_explore() with a fixed seed, so all
 * run the same executions; the iteration count is calibrated so that one
 * measured run takes about TARGET_S, the configurations alternate, and the
 * best rate of REPS runs each is kept.  ratio = off / on: how many times
 * slower the oracles make exploring (the goal is <= 3).  Each oracle alone
 * is measured too, to say where the cost is.
 *
 * The last line printed is one JSON object: scenario name ->
 * {"all_on_execs_per_s", "all_off_execs_per_s", "ratio", and
 * "races_only_execs_per_s", "lockdep_only_execs_per_s",
 * "might_sleep_only_execs_per_s"}.
 */
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SEED		42
#define CALIBRATE_EXECS 2000ull
#define TARGET_S	0.25
#define REPS		3

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define RACES	    1u
#define LOCKDEP	    2u
#define MIGHT_SLEEP 4u
#define ALL	    (RACES | LOCKDEP | MIGHT_SLEEP)
#define NCONF	    5

static const unsigned int confs[NCONF] = {ALL, 0, RACES, LOCKDEP, MIGHT_SLEEP};

/* Executions per second of one run with the oracles in @on; exits on an
 * engine error or a violation (both scenarios are clean: a report would mean
 * an oracle false positive). */
static double rate(const struct sim_scenario *sc, uint64_t iterations, unsigned int on)
{
	struct sim_options opt = {
	    .strategy = SIM_STRATEGY_PCT,
	    .seed = SEED,
	    .iterations = iterations,
	    .no_races = !(on & RACES),
	    .no_lockdep = !(on & LOCKDEP),
	    .no_might_sleep = !(on & MIGHT_SLEEP),
	};
	struct sim_result res;
	double t0 = now_s();
	int err = sim_explore(sc, &opt, &res);
	double t = now_s() - t0;

	if (err || res.violations_found) {
		fprintf(stderr, "oracle_cost: %s (oracles %#x): %s\n", sc->name, on,
			err ? res.error : res.reports[0].message);
		exit(1);
	}
	double r = (double)res.executions / t;
	sim_result_free(&res);
	return r;
}

struct cost {
	const char *name;
	double best[NCONF]; /* executions/s, in the order of confs[] */
	double ratio;
	uint64_t iterations;
};

static struct cost measure(const struct sim_scenario *sc)
{
	struct cost c = {.name = sc->name};
	double cal = rate(sc, CALIBRATE_EXECS, ALL);
	uint64_t n = (uint64_t)(cal * TARGET_S);

	if (n < CALIBRATE_EXECS)
		n = CALIBRATE_EXECS;
	c.iterations = n;
	for (int r = 0; r < REPS; r++)
		for (int k = 0; k < NCONF; k++) {
			double x = rate(sc, n, confs[k]);
			if (x > c.best[k])
				c.best[k] = x;
		}
	c.ratio = c.best[0] > 0 ? c.best[1] / c.best[0] : 0;
	return c;
}

int main(void)
{
	const struct sim_scenario *scs[] = {
	    hs_model_scenario_find("driver-fault-race"),
	    sim_litmus_find("lost-update-fixed"),
	};
	struct cost costs[2];

	for (int i = 0; i < 2; i++) {
		if (!scs[i]) {
			fprintf(stderr, "oracle_cost: scenario %d not found\n", i);
			return 1;
		}
		costs[i] = measure(scs[i]);
		const double *b = costs[i].best;
		printf("%-20s pct, %llu executions per run, best of %d: oracles on %.0f/s, off "
		       "%.0f/s, ratio %.2f; alone: races %.0f/s, lockdep %.0f/s, might-sleep "
		       "%.0f/s\n",
		       costs[i].name, (unsigned long long)costs[i].iterations, REPS, b[0], b[1],
		       costs[i].ratio, b[2], b[3], b[4]);
	}
	printf("{");
	for (int i = 0; i < 2; i++) {
		const double *b = costs[i].best;
		printf("%s\"%s\":{\"all_on_execs_per_s\":%.1f,\"all_off_execs_per_s\":%.1f,"
		       "\"ratio\":%.3f,\"races_only_execs_per_s\":%.1f,"
		       "\"lockdep_only_execs_per_s\":%.1f,\"might_sleep_only_execs_per_s\":%.1f}",
		       i ? "," : "", costs[i].name, b[0], b[1], costs[i].ratio, b[2], b[3], b[4]);
	}
	printf("}\n");
	return 0;
}
