// SPDX-License-Identifier: MIT
/*
 * The model switches of the current run (include/hmmsim/switches.h).  All
 * off: the baseline kernel.  A test or the command line turns one on to get
 * the behaviour of the kernel before the fix it names.
 */
#include <errno.h>
#include <hmmsim/switches.h>
#include <stddef.h>
#include <string.h>

struct hs_switches hs_switch;

#define SWITCH(f)                                                                                  \
	{                                                                                          \
#f, &hs_switch.f                                                                   \
	}

static const struct {
	const char *name;
	bool *field;
} switches[] = {
    SWITCH(migrate_flush_tlb_after_ptl), SWITCH(migrate_no_dirty_copy),
    SWITCH(swap_page_ref_without_ptl),	 SWITCH(swap_page_lock_unconditional),
    SWITCH(swap_page_spin_on_locked),	 SWITCH(notifier_remove_lockless_wait),
    SWITCH(hmm_no_owner_check),
};

#define NR_SWITCHES (sizeof(switches) / sizeof(switches[0]))

/**
 * hs_switch_set() - turn a model switch on or off.
 * @name: the switch's field name in struct hs_switches ("migrate_no_dirty_copy")
 * @on: the new value
 *
 * Return: 0, or -EINVAL for an unknown name.
 */
int hs_switch_set(const char *name, bool on)
{
	for (size_t i = 0; i < NR_SWITCHES; i++)
		if (strcmp(switches[i].name, name) == 0) {
			*switches[i].field = on;
			return 0;
		}
	return -EINVAL;
}

/**
 * hs_switch_names() - the names of the model switches.
 *
 * Return: the names, NULL-terminated, in struct hs_switches order.
 */
const char *const *hs_switch_names(void)
{
	static const char *names[NR_SWITCHES + 1];
	for (size_t i = 0; i < NR_SWITCHES; i++)
		names[i] = switches[i].name;
	return names;
}
