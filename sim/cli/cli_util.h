/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the hmmsim command-line programs. */
#ifndef SIM_CLI_UTIL_H
#define SIM_CLI_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Parse a whole decimal number; false on junk, sign or overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_double(const char *s, double *out);
/* Print @s as a JSON string literal. */
void cli_json_str(FILE *f, const char *s);

/* hmmsim experiment (sim/cli/experiment_cmd.c). */
int cmd_experiment(int argc, char **argv);

#endif /* SIM_CLI_UTIL_H */
