/* SPDX-License-Identifier: MIT */
/*
 * What bench/jobs and bench/deepen share: run one hmmsim command, timed
 * from start to exit, with the CPU time it and its children used.
 */
#ifndef BENCH_RUN_HMMSIM_H
#define BENCH_RUN_HMMSIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the children waited for so far. */
static inline double bench_children_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/*
 * Run @cmd (a shell command line) and read its standard output into @out
 * (@len bytes, NUL-terminated); *@cores: CPU time over wall time.  Exits
 * with a message (prefixed @who) when it cannot run or does not exit 0.
 * Return: its wall time in seconds.
 */
static inline double bench_run(const char *who, const char *cmd, char *out, size_t len,
			       double *cores)
{
	double t0 = bench_now_s(), c0 = bench_children_cpu_s();
	FILE *p = popen(cmd, "r");
	if (!p) {
		perror(who);
		exit(1);
	}
	size_t n = fread(out, 1, len - 1, p);
	int st = pclose(p);
	double t = bench_now_s() - t0;
	*cores = (bench_children_cpu_s() - c0) / t;
	out[n] = 0;
	if (st != 0) {
		fprintf(stderr, "%s: %s: status %#x: %.200s\n", who, cmd, st, out);
		exit(1);
	}
	return t;
}

/* Where the value of "KEY": begins in hmmsim's --json output @json, or exit
 * with a message (prefixed @who). */
static inline const char *bench_field(const char *who, const char *json, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(json, pat);
	if (!p) {
		fprintf(stderr, "%s: no %s in hmmsim's output: %.200s\n", who, key, json);
		exit(1);
	}
	return p + strlen(pat);
}

#endif /* BENCH_RUN_HMMSIM_H */
