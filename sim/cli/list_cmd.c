// SPDX-License-Identifier: MIT
/*
 * hmmsim list: the scenarios (kernel model, owner lab, engine litmus
 * programs), and with --kernel VERSION the model switches as that release
 * has them.
 */
#include <stdio.h>
#include <string.h>

#include <hmmsim/experiment.h>
#include <hmmsim/scenario.h>
#include <hmmsim/switches.h>

#include "cli_util.h"

static int list_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "hmmsim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see hmmsim --help)\n");
	return 2;
}

static void list_table(const struct sim_scenario *const *all, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  %-34s %-10s %s\n", all[i]->name,
		       all[i]->expect ? all[i]->expect : "clean", all[i]->summary);
}

/* hmmsim list --kernel VERSION: the switches, which that release has on. */
static void list_switches(const char *version)
{
	const char *const *names = hs_switch_names();
	printf("model switches of kernel %s (on: the code before a fix that came later):\n",
	       version);
	for (size_t i = 0; names[i]; i++) {
		const char *rel = hs_switch_release(names[i]), *since = hs_switch_since(names[i]);
		char fixed[32] = "never fixed    ";
		if (rel)
			snprintf(fixed, sizeof(fixed), "fixed in v%-5s", rel);
		printf("    %-34s %s %s%s%s\n", names[i], fixed,
		       hs_kernel_switch_on(version, names[i]) ? "on" : "off",
		       since ? ", came in v" : "", since ? since : "");
	}
}

int cmd_list_scenarios(int argc, char **argv)
{
	const char *version = NULL;
	bool switches = false;
	size_t n;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--switches") == 0 && !switches) {
			switches = true;
		} else if (strcmp(argv[i], "--kernel") == 0 && !version) {
			if (i + 1 == argc)
				return list_error("%s", "--kernel wants a release, e.g. 6.1");
			version = argv[++i];
			if (cli_kernel_set(version))
				return 2;
		} else {
			return list_error(strcmp(argv[i], "--switches") &&
						  strcmp(argv[i], "--kernel")
					      ? "unknown list argument '%s'"
					      : "list takes %s once",
					  argv[i]);
		}
	}
	if (switches && !version)
		return cmd_list_switches();
	if (switches) { /* the switches alone, as that release has them */
		list_switches(version);
		return 0;
	}
	const struct sim_scenario *const *all = hs_model_scenarios(&n);
	printf("kernel model scenarios (name, what exploring finds, summary):\n");
	list_table(all, n);
	all = hs_owner_experiment_scenarios(&n);
	printf("owner-lab scenarios (docs/owner-semantics.md), explored as NAME@POLICY:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-34s %s\n", all[i]->name, all[i]->summary);
	size_t ncfg;
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&ncfg);
	printf("  POLICY, with ':' for '/' (e.g. owner-id-wrap@cluster-id:4):");
	for (size_t i = 0; i < ncfg; i++) {
		char buf[48], *slash;
		hs_owner_config_name(&cfgs[i], buf, sizeof(buf));
		while ((slash = strchr(buf, '/')))
			*slash = ':';
		printf("%s %s", i ? "," : "", buf);
	}
	printf("\n");
	all = sim_litmus_scenarios(&n);
	printf("engine litmus programs:\n");
	list_table(all, n);
	if (version)
		list_switches(version);
	return 0;
}
