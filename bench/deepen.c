// SPDX-License-Identifier: MIT
/*
 * bench/deepen: what does `hmmsim explore --strategy dpor --deepen --jobs 2`
 * gain over one process?  The wall time to cover preemption bound BOUND
 * (`--deepen --preemptions BOUND`: rounds 0..BOUND, each to its end) of the
 * two trees issue 11 could not exhaust, in one process, with --jobs 2 (each
 * subtree to the first worker that reaches it) and with --jobs 2 handing
 * the subtrees out in turn (subtree k to worker k % 2, as before session
 * 23: what an --iterations budget still does), alternating, best of REPS
 * each, measured in this one run.  It runs the
 * hmmsim program this build made (HMMSIM_BIN) with --json --no-progress and
 * times each command from start to exit (process start, forks, the rounds'
 * waits and merges included).  Every run must end "exhaustive within the
 * bound" with bound BOUND covered and no violation.  The executions differ:
 * the split tree is a little larger (docs/dpor.md, "Splitting the tree").
 * Beside each time it prints the CPU time over the wall time (2.0: both
 * cores busy; less says the rounds waited for their slowest worker, or the
 * machine was not free).
 *
 * The last line printed is one JSON object: for each scenario (with `-`
 * turned into `_`) "<s>_one_s", "<s>_jobs2_s", "<s>_turn_s" (best wall
 * times), "<s>_one_execs", "<s>_jobs2_execs", "<s>_ratio" (one / jobs 2),
 * "<s>_turn_ratio" (one / jobs 2 in turn), "<s>_hand_out" (in turn /
 * handed out), and "bound", "cpus" (online), "loadavg" (1 min, before the
 * runs).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_hmmsim.h"

#ifndef HMMSIM_BIN
#error "HMMSIM_BIN: the hmmsim program to run (bench/CMakeLists.txt)"
#endif

#define BOUND 2
#define REPS  2

static const char *const scenarios[] = {"driver-fault-race", "p2p-unplug-safe"};
#define NSC (sizeof(scenarios) / sizeof(scenarios[0]))

/* The raw value after "KEY": in @json (up to a comma or brace), or exit. */
static void field(const char *json, const char *key, char *val, size_t len)
{
	const char *p = bench_field("deepen", json, key);
	size_t n = strcspn(p, ",}");
	snprintf(val, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

#define NV 3 /* one process, --jobs 2, --jobs 2 in turn */
static const char *const variant[NV] = {"one process", "--jobs 2", "--jobs 2 in turn"};

/* Seconds of one covering --deepen run of @sc, variant @k; its executions
 * in *@execs, CPU over wall time in *@cores.  A budget (--iterations, far
 * above the tree) hands the subtrees out in turn. */
static double run(const char *sc, unsigned int k, uint64_t *execs, double *cores)
{
	char cmd[512], out[8192], v[64];
	snprintf(cmd, sizeof(cmd),
		 "'%s' explore %s --strategy dpor --deepen --preemptions %d%s --json --no-progress",
		 HMMSIM_BIN, sc, BOUND,
		 k == 0	  ? ""
		 : k == 1 ? " --jobs 2"
			  : " --jobs 2 --iterations 1000000000");
	double t = bench_run("deepen", cmd, out, sizeof(out), cores);
	char ex[16], cov[16], viol[32];
	field(out, "exhausted", ex, sizeof(ex));
	field(out, "bound_completed", cov, sizeof(cov));
	field(out, "violations_found", viol, sizeof(viol));
	if (strcmp(ex, "true") || atoi(cov) != BOUND || strcmp(viol, "0")) {
		fprintf(stderr, "deepen: %s: exhausted %s, bound %s covered, %s violations\n", cmd,
			ex, cov, viol);
		exit(1);
	}
	field(out, "executions", v, sizeof(v));
	*execs = strtoull(v, NULL, 10);
	return t;
}

int main(void)
{
	double load = -1, best[NSC][NV], cores;
	uint64_t execs[NSC][NV];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (getloadavg(&load, 1) != 1)
		load = -1;
	for (size_t s = 0; s < NSC; s++)
		for (int r = 0; r < REPS; r++)
			for (unsigned int k = 0; k < NV; k++) {
				uint64_t e;
				double t = run(scenarios[s], k, &e, &cores);
				printf(
				    "  %s, run %d, %s: %.2f s, %llu executions, %.2f cores busy\n",
				    scenarios[s], r + 1, variant[k], t, (unsigned long long)e,
				    cores);
				if (!r || t < best[s][k])
					best[s][k] = t;
				execs[s][k] = e;
			}
	printf("--deepen --preemptions %d, best of %d (%ld CPUs online, load %.2f before):\n",
	       BOUND, REPS, cpus, load);
	for (size_t s = 0; s < NSC; s++)
		printf("%s: one process %.2f s, --jobs 2 %.2f s: %.2f times faster (in turn "
		       "%.2f s: %.2f; handing out gains %.2fx)\n",
		       scenarios[s], best[s][0], best[s][1], best[s][0] / best[s][1], best[s][2],
		       best[s][0] / best[s][2], best[s][2] / best[s][1]);
	printf("{\"bound\": %d", BOUND);
	for (size_t s = 0; s < NSC; s++) {
		char key[64];
		snprintf(key, sizeof(key), "%s", scenarios[s]);
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		printf(", \"%s_one_s\": %.3f, \"%s_jobs2_s\": %.3f, \"%s_turn_s\": %.3f, "
		       "\"%s_one_execs\": %llu, \"%s_jobs2_execs\": %llu, \"%s_ratio\": %.3f, "
		       "\"%s_turn_ratio\": %.3f, \"%s_hand_out\": %.3f",
		       key, best[s][0], key, best[s][1], key, best[s][2], key,
		       (unsigned long long)execs[s][0], key, (unsigned long long)execs[s][1], key,
		       best[s][0] / best[s][1], key, best[s][0] / best[s][2], key,
		       best[s][2] / best[s][1]);
	}
	printf(", \"cpus\": %ld, \"loadavg\": %.2f}\n", cpus, load);
	return 0;
}
