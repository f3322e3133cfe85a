/* SPDX-License-Identifier: MIT */
/*
 * Model switches that restore the behaviour of the kernel before a fix, so
 * that each fix is a test: with the switch on the explorer must find the
 * bug, with it off (the baseline kernel) the same scenario must be clean.
 * All off by default.  docs/catalog.md describes each with the fix it undoes.
 */
#ifndef HMMSIM_SWITCHES_H
#define HMMSIM_SWITCHES_H

#include <stdbool.h>

struct hs_switches {
	/* "mm/migrate_device.c: flush TLB while holding PTL" (v6.0) */
	bool migrate_flush_tlb_after_ptl;
	/* "mm/migrate_device.c: copy pte dirty bit to page" (v6.0) */
	bool migrate_no_dirty_copy;
	/* "mm/memory.c: fix race when faulting a device private page" (v6.1) */
	bool swap_page_ref_without_ptl;
	/* "mm/migrate: Trylock device page in do_swap_page" (v6.15) */
	bool swap_page_lock_unconditional;
	/* "mm: Fix a hmm_range_fault() livelock / starvation problem" (2026):
	 * a fault that loses the trylock returns at once instead of sleeping
	 * until the page is unlocked (v6.15 .. v6.19) */
	bool swap_page_spin_on_locked;
	/* "mm/mmu_notifier.c: fix race in mmu_interval_notifier_remove()" (v5.18) */
	bool notifier_remove_lockless_wait;
	/* "mm/hmm: check the device private page owner in hmm_range_fault()" (v5.7) */
	bool hmm_no_owner_check;
};

/* The switches of the current run (global: every execution sees the same). */
extern struct hs_switches hs_switch;

/* Turn a switch on or off by its field name ("migrate_no_dirty_copy").
 * Return: 0, or -EINVAL for an unknown name. */
int hs_switch_set(const char *name, bool on);
/* The switch names, NULL-terminated. */
const char *const *hs_switch_names(void);
/* The fix switch @name undoes: its commit title and release (NULL: no such
 * switch). */
const char *hs_switch_fix(const char *name);

#endif /* HMMSIM_SWITCHES_H */
