/* SPDX-License-Identifier: MIT */
/* hmmsim check: scenario files as tests (sim/cli/check_cmd.c). */
#ifndef SIM_CLI_CHECK_H
#define SIM_CLI_CHECK_H

#include <hmmsim/explore.h>
#include <stdbool.h>

/*
 * How hmmsim explore and hmmsim check explore a scenario: @file's `explore`
 * line (when @file, a scenario file with an `expect` line, is not NULL and
 * the command line chose no strategy, !@have_strategy; its iterations only
 * when !@have_iter), then the default budget when none was given (dfs:
 * 10000000, until exhausted; random and pct: 10000).
 */
void cli_explore_plan(const struct sim_scenario *file, struct sim_options *o, bool have_strategy,
		      bool have_iter);

/* hmmsim check FILE... [--jobs J] [--json] [--junit FILE]. */
int cmd_check(int argc, char **argv);

#endif /* SIM_CLI_CHECK_H */
