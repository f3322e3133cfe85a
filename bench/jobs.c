// SPDX-License-Identifier: MIT
/*
 * bench/jobs: what does `hmmsim explore --jobs 2` gain over `--jobs 1`?
 * Executions per second of the same exploration (driver-fault-race, pct,
 * seed 42: clean, so every execution runs) with one worker and with two, in
 * the same run.  It runs the hmmsim program this build made (HMMSIM_BIN) with
 * --json --no-progress, and times each command from start to exit, so the
 * rates include starting the process, forking the workers and merging their
 * results.  The iteration count is calibrated so that a --jobs 1 run takes
 * about TARGET_S; the two alternate, and the best of REPS runs each is kept.
 * Both must report the same executions and no violation.  Beside each rate
 * it prints the CPU time the command and its workers used over its wall time
 * (getrusage of the children): 2.0 is two busy cores, and less with --jobs 2
 * says the machine was not free (other processes took a core).
 *
 * The last line printed is one JSON object: "scenario", "iterations",
 * "jobs1_execs_per_s", "jobs2_execs_per_s", "ratio" (jobs 2 / jobs 1),
 * "jobs1_cores", "jobs2_cores" (CPU over wall time of the best runs),
 * "jobs1_execs_per_cpu_s", "jobs2_execs_per_cpu_s" (rate / cores), "cpus"
 * (online), "loadavg" (1 min, before the runs).
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

#define SCENARIO	"driver-fault-race"
#define SEED		42
#define CALIBRATE_EXECS 20000ull
#define TARGET_S	3.0
#define REPS		3

/* The unsigned number after "KEY": in @json, or exit. */
static uint64_t field(const char *json, const char *key)
{
	return strtoull(bench_field("jobs", json, key), NULL, 10);
}

/* Executions per second of one `hmmsim explore ... --jobs @jobs`, timed
 * around the whole command. */
/* @cores: CPU time over wall time of the command. */
static double rate(uint64_t iterations, unsigned int jobs, double *cores)
{
	char cmd[512], out[4096];
	snprintf(cmd, sizeof(cmd),
		 "'%s' explore " SCENARIO " --strategy pct --seed %d --iterations %llu --jobs %u "
		 "--json --no-progress",
		 HMMSIM_BIN, SEED, (unsigned long long)iterations, jobs);
	double t = bench_run("jobs", cmd, out, sizeof(out), cores);
	uint64_t execs = field(out, "executions"), viol = field(out, "violations_found");
	if (execs != iterations || viol) {
		fprintf(stderr,
			"jobs: --jobs %u ran %llu executions, %llu violations; want %llu, 0\n",
			jobs, (unsigned long long)execs, (unsigned long long)viol,
			(unsigned long long)iterations);
		exit(1);
	}
	return (double)execs / t;
}

int main(void)
{
	double load = -1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double best[2] = {0, 0}, best_cores[2] = {0, 0}, cores;

	if (getloadavg(&load, 1) != 1)
		load = -1;
	double cal = rate(CALIBRATE_EXECS, 1, &cores);
	uint64_t n = (uint64_t)(cal * TARGET_S);
	if (n < CALIBRATE_EXECS)
		n = CALIBRATE_EXECS;
	n -= n % 2;
	for (int r = 0; r < REPS; r++)
		for (unsigned int j = 1; j <= 2; j++) {
			double x = rate(n, j, &cores);
			printf("  run %d: --jobs %u: %.0f executions/s, %.2f cores busy\n", r + 1,
			       j, x, cores);
			if (x > best[j - 1]) {
				best[j - 1] = x;
				best_cores[j - 1] = cores;
			}
		}
	double ratio = best[0] > 0 ? best[1] / best[0] : 0;
	/* executions per CPU second: what the machine's load does not change */
	double per_cpu[2] = {best_cores[0] > 0 ? best[0] / best_cores[0] : 0,
			     best_cores[1] > 0 ? best[1] / best_cores[1] : 0};
	printf("%s, pct, seed %d, %llu executions per run, best of %d (%ld CPUs online, load "
	       "%.2f before):\n",
	       SCENARIO, SEED, (unsigned long long)n, REPS, cpus, load);
	printf("--jobs 1: %.0f executions/s (%.2f cores busy)\n--jobs 2: %.0f executions/s (%.2f "
	       "cores busy)\nratio jobs 2 / jobs 1: %.2f\nper CPU second: --jobs 1 %.0f, --jobs 2 "
	       "%.0f executions\n",
	       best[0], best_cores[0], best[1], best_cores[1], ratio, per_cpu[0], per_cpu[1]);
	printf("{\"scenario\": \"%s\", \"iterations\": %llu, \"jobs1_execs_per_s\": %.1f, "
	       "\"jobs2_execs_per_s\": %.1f, \"ratio\": %.3f, \"jobs1_cores\": %.2f, "
	       "\"jobs2_cores\": %.2f, \"jobs1_execs_per_cpu_s\": %.1f, \"jobs2_execs_per_cpu_s\": "
	       "%.1f, \"cpus\": %ld, \"loadavg\": %.2f}\n",
	       SCENARIO, (unsigned long long)n, best[0], best[1], ratio, best_cores[0],
	       best_cores[1], per_cpu[0], per_cpu[1], cpus, load);
	return 0;
}
