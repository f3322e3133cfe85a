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

/* @fix: the kernel commit the switch undoes, its title and release */
#define SWITCH(f, fix)                                                                             \
	{                                                                                          \
#f, &hs_switch.f, fix                                                              \
	}

static const struct {
	const char *name;
	bool *field;
	const char *fix;
} switches[] = {
    SWITCH(migrate_flush_tlb_after_ptl, "mm/migrate_device.c: flush TLB while holding PTL (v6.0)"),
    SWITCH(migrate_no_dirty_copy, "mm/migrate_device.c: copy pte dirty bit to page (v6.0)"),
    SWITCH(swap_page_ref_without_ptl,
	   "mm/memory.c: fix race when faulting a device private page (v6.1)"),
    SWITCH(swap_page_lock_unconditional, "mm/migrate: Trylock device page in do_swap_page (v6.15)"),
    SWITCH(swap_page_spin_on_locked,
	   "mm: Fix a hmm_range_fault() livelock / starvation problem (2026; the bug: v6.15 .. "
	   "v6.19)"),
    SWITCH(notifier_remove_lockless_wait,
	   "mm/mmu_notifier.c: fix race in mmu_interval_notifier_remove() (v5.18)"),
    SWITCH(hmm_no_owner_check,
	   "mm/hmm: check the device private page owner in hmm_range_fault() (v5.7)"),
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

/**
 * hs_switch_fix() - the kernel fix a model switch undoes.
 * @name: the switch's field name in struct hs_switches
 *
 * Return: the fix's commit title and the release it went into, or NULL for
 * an unknown name.
 */
const char *hs_switch_fix(const char *name)
{
	for (size_t i = 0; i < NR_SWITCHES; i++)
		if (strcmp(switches[i].name, name) == 0)
			return switches[i].fix;
	return NULL;
}
