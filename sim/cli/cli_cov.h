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

#endif /* HMMSIM_CLI_COV_H */
