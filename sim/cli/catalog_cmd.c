// SPDX-License-Identifier: MIT
/*
 * hmmsim catalog [--json] [--strategy S] [--iterations N] [--seed S]:
 * every catalog entry explored with its bug and with its fix, as a table.
 */
#include <hmmsim/catalog.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

int cmd_catalog(int argc, char **argv);

int cmd_catalog(int argc, char **argv)
{
	bool json = false, have_strategy = false;
	enum sim_strategy strategy = SIM_STRATEGY_PCT;
	uint64_t iterations = 20000, seed = 1;
	const char *only = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--strategy") == 0) {
			if (!val || sim_strategy_parse(val, &strategy) ||
			    strategy == SIM_STRATEGY_REPLAY) {
				fprintf(stderr, "hmmsim: --strategy wants random, pct or dfs\n");
				return 2;
			}
			have_strategy = true;
			i++;
		} else if (strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0) {
			uint64_t v;
			if (!cli_parse_u64(val, &v) || (a[2] == 'i' && v == 0)) {
				fprintf(stderr, "hmmsim: bad number '%s' for %s\n", val ? val : "",
					a);
				return 2;
			}
			*(a[2] == 'i' ? &iterations : &seed) = v;
			i++;
		} else if (a[0] != '-' && !only) {
			only = a;
		} else {
			fprintf(stderr,
				"hmmsim: unknown catalog argument '%s' (see hmmsim --help)\n", a);
			return 2;
		}
	}

	size_t n;
	const struct hs_catalog_entry *cat = hs_catalog(&n);
	bool all_ok = true, matched = false;
	if (json)
		printf("{\"strategy\":\"%s\",\"iterations\":%llu,\"seed\":%llu,\"entries\":[",
		       have_strategy ? sim_strategy_name(strategy) : "default",
		       (unsigned long long)iterations, (unsigned long long)seed);
	else
		printf("%-30s %-6s %-5s %10s %8s  %-15s %-6s  %s\n", "entry", "side", "found",
		       "executions", "seconds", "kind", "clean", "kernel fix");
	for (size_t i = 0; i < n; i++) {
		const struct hs_catalog_entry *e = &cat[i];
		struct hs_catalog_result r;
		if (only && strcmp(only, e->name))
			continue;
		matched = true;
		enum sim_strategy s = have_strategy ? strategy : e->strategy;
		if (hs_catalog_run(e, s, iterations, seed, &r)) {
			fprintf(stderr, "hmmsim: catalog %s: %s\n", e->name, r.error);
			return 2;
		}
		all_ok &= r.found && r.clean_with_fix;
		if (json) {
			printf("%s{\"name\":", i && !only ? "," : "");
			cli_json_str(stdout, e->name);
			printf(",\"fix\":");
			cli_json_str(stdout, e->fix);
			printf(
			    ",\"side\":\"%s\",\"strategy\":\"%s\",\"found\":%s,"
			    "\"clean_with_fix\":%s,\"executions\":%llu,\"seconds\":%.6f,\"kind\":",
			    e->driver ? "driver" : "core", sim_strategy_name(s),
			    r.found ? "true" : "false", r.clean_with_fix ? "true" : "false",
			    (unsigned long long)r.executions, r.seconds);
			if (r.found)
				cli_json_str(stdout, r.kind);
			else
				printf("null");
			printf(",\"fixed_executions\":%llu,\"fixed_exhausted\":%s}",
			       (unsigned long long)r.fixed_executions,
			       r.fixed_exhausted ? "true" : "false");
		} else {
			printf("%-30s %-6s %-5s %10llu %8.3f  %-15s %-6s  %s\n", e->name,
			       e->driver ? "driver" : "core", r.found ? "yes" : "NO",
			       (unsigned long long)r.executions, r.seconds, r.found ? r.kind : "-",
			       r.clean_with_fix ? "yes" : "NO", e->fix);
			if (!r.clean_with_fix)
				printf("    %s\n", r.error);
		}
	}
	if (json)
		printf("]}\n");
	if (!matched) {
		fprintf(stderr, "hmmsim: no catalog entry '%s'\n", only);
		return 2;
	}
	return all_ok ? 0 : 1;
}
