/* SPDX-License-Identifier: MIT */
/* A run's coverage (include/hmmsim/coverage.h) as hmmsim prints it. */
#ifndef HMMSIM_CLI_COV_H
#define HMMSIM_CLI_COV_H

#include <hmmsim/coverage.h>
#include <stdio.h>

/* The lines under a clean run's summary, its warnings included. */
void cli_cov_print_text(FILE *f, const struct sim_coverage *c);
/* The "coverage" object (with its key and a leading comma) of --json. */
void cli_cov_print_json(FILE *f, const struct sim_coverage *c);

struct cli_jdoc;
/*
 * The "coverage" object (token @cov) of a --json result @d added to @acc,
 * for hmmsim merge and explore --jobs: counts add up, by name for events,
 * locks and threads.  @disjoint: the results explored disjoint schedules
 * (dpor's subtrees), so their distinct schedules add up too; otherwise
 * the largest count is kept as a lower bound (distinct_capped).
 * Return: 0, or -1 when it is damaged or a sum wraps.
 */
int cli_cov_add(struct sim_coverage *acc, const struct cli_jdoc *d, size_t cov, bool disjoint);

#endif /* HMMSIM_CLI_COV_H */
