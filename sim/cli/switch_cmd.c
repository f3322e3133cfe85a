// SPDX-License-Identifier: MIT
/*
 * The model switches on the command line: hmmsim list --switches, and the
 * refusal of a --switch name that does not exist, which lists the known ones
 * (include/hmmsim/switches.h).
 */
#include <stdio.h>

#include <hmmsim/switches.h>

#include "cli_util.h"

int cmd_list_switches(void)
{
	const char *const *names = hs_switch_names();

	printf(
	    "model switches (--switch NAME, or `switch NAME` in a scenario file): each restores\n"
	    "the kernel before a fix (name, the fix it undoes):\n");
	for (unsigned int i = 0; names[i]; i++)
		printf("  %-30s %s\n", names[i], hs_switch_fix(names[i]));
	return 0;
}

int cli_unknown_switch(const char *prog, const char *name)
{
	const char *const *names = hs_switch_names();

	if (name)
		fprintf(stderr, "%s: unknown switch '%s'; the switches are:", prog, name);
	else
		fprintf(stderr, "%s: --switch wants a name; the switches are:", prog);
	for (unsigned int i = 0; names[i]; i++)
		fprintf(stderr, "%s %s", i ? "," : "", names[i]);
	fprintf(stderr, " (hmmsim list --switches)\n");
	return 2;
}
