/* SPDX-License-Identifier: MIT */
/* hmmsim explore --jobs J: forked local workers (sim/cli/jobs.c). */
#ifndef SIM_CLI_JOBS_H
#define SIM_CLI_JOBS_H

#include <hmmsim/explore.h>
#include <stdbool.h>
#include <stdio.h>

#define CLI_JOBS_MAX 256
/* dpor under --jobs or --shard: choice points explored in full before the
 * tree is cut into subtrees (--split-depth; docs/dpor.md, "Splitting") */
#define CLI_DPOR_SPLIT_DEPTH 2

struct cli_jobs {
	const struct sim_scenario *sc;
	const struct sim_options *opt; /* random or pct, maybe a --shard K/N */
	unsigned int jobs;	       /* 1..CLI_JOBS_MAX */
	bool with_trace;	       /* the workers send their first report's trace */
	bool progress;		       /* the combined progress line on stderr */
	/* dpor without --keep-going or --iterations: each subtree to the first
	 * worker that reaches it (struct sim_split_claims), not in turn */
	bool hand_out;
	/* --deepen (cli_jobs_deepen()): the executions of the rounds before
	 * and when the first began, for the progress line */
	uint64_t base;
	double t0;
	/* explore --json, to a worker's pipe */
	void (*print_json)(FILE *f, const struct sim_scenario *sc, const struct sim_options *o,
			   const struct sim_result *r, bool with_trace, bool interrupted);
};

/*
 * Run @j->opt's exploration in @j->jobs workers and combine their results
 * into @res as one process would have found them: the same executions,
 * violations and reports (not minimized), elapsed_s the parent's wall time.
 * After SIGINT or SIGTERM (cli_interrupted) the workers stop and @res has
 * what they ran, *@interrupted the signal (also when a worker was stopped
 * by one), else 0.
 * Return: 0, or 2 after printing what went wrong (a worker that failed or
 * died: which one, and how); the other workers are stopped and reaped.
 */
int cli_jobs_explore(const struct cli_jobs *j, struct sim_result *res, int *interrupted);

/*
 * dpor --deepen in @j->jobs workers: the covering rounds of bound 0, 1, ...
 * (up to @j->opt's --preemptions, if any) one after another, each split
 * among the workers as --preemptions B --jobs J splits it, each run to its
 * end before the next begins (docs/dpor.md, "Iterative bounding").  A
 * violation, a signal, the --iterations budget or a round with an execution
 * cut as unfair ends the run; @res then says which bound was covered.
 * Return: 0, or 2 as cli_jobs_explore().
 */
int cli_jobs_deepen(const struct cli_jobs *j, struct sim_result *res, int *interrupted);

#endif /* SIM_CLI_JOBS_H */
