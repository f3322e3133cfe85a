/* SPDX-License-Identifier: MIT */
/*
 * Model switches that restore the behaviour of the kernel before a fix, so
 * that each fix is a test: with the switch on the explorer must find the
 * bug, with it off (the baseline kernel) the same scenario must be clean.
 * All off by default.  docs/catalog.md describes each with the fix it undoes.
 *
 * Every switch carries the mainline release its fix landed in, so that a
 * run can name a kernel instead of switches: hs_kernel_set("6.1") turns on
 * every switch whose fix came after 6.1 (hmmsim --kernel VERSION).
 */
#ifndef HMMSIM_SWITCHES_H
#define HMMSIM_SWITCHES_H

#include <stdbool.h>
#include <stddef.h>

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
	/* "mm: fix race between mremap and removing migration entry" (v3.3): the
	 * rmap walk of remove_migration_ptes() / try_to_migrate() is not
	 * serialised with move_ptes(), so an entry mremap() moves meanwhile is
	 * missed (model/mremap.c, model/migrate.c's dev_rmap_moved()) */
	bool mremap_rmap_unlocked;
	/* Reference-driver switches (model/drivers/), each restoring a driver
	 * before a fix of the driver it stands for: */
	/* "drm/xe/svm: Serialize migration to device if racing" (v7.0): no
	 * driver-wide rwsem around migration to device memory */
	bool xe_migrate_no_serialize;
	/* "nouveau/dmem: Fix vulnerability in migrate_to_ram upon copy error"
	 * (v6.12, CVE-2024-50096): the system page is not zeroed */
	bool dmem_fault_no_zero;
	/* "drm/amdkfd: Don't call mmput from MMU notifier callback" (v6.0) */
	bool kfd_mmput_in_notifier;
	/* "drm/amdkfd: svm range restore work deadlock when process exit" (v5.17) */
	bool kfd_restore_work_exit_deadlock;
	/* "mm/hmm/test: fix missing unlock on error in
	 * dmirror_migrate_finalize_and_map()" (v5.8) */
	bool dmirror_finalize_no_unlock;
	/* "nouveau: unlock mmap_sem on all errors from nouveau_range_fault"
	 * (v5.3): -EBUSY unlocked the mmap_lock twice */
	bool nouveau_range_fault_double_unlock;
	/* "mm/hmm: fault non-owner device private entries" (v6.0): another
	 * owner's device-private entry made hmm_range_fault() fail with -EFAULT */
	bool hmm_no_fault_non_owner;
	/* "nouveau/svm: fix missing folio unlock + put after
	 * make_device_exclusive_range()" (v6.14): the driver keeps the folio
	 * of an exclusive grant locked and referenced */
	bool nouveau_exclusive_no_unlock;
	/* "mm/zone_device: support large zone device private folios" (v6.19, a
	 * feature): MIGRATE_VMA_SELECT_COMPOUND is ignored, every THP is split
	 * before migration and device pages are only ever mapped by ptes */
	bool no_device_thp;
	/* Planted (no kernel has it): a partial zap that splits the PMD
	 * migration entry of a device THP splits its folio as if nobody held
	 * the folio lock, so the migration's lock covers only its first page */
	bool thp_split_folio_unlocked;
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
/* The mainline release a switch's fix landed in ("6.1"), or NULL for an
 * unknown name. */
const char *hs_switch_release(const char *name);
/* The release a switch's bug came in ("6.15"), or NULL when it is older
 * than every known release (or @name is unknown). */
const char *hs_switch_since(const char *name);

/* The release the model mirrors (with every fix it knows: the switches of
 * later releases are off too unless a run names a kernel). */
#define HS_KERNEL_MODEL "6.18"

/* The known mainline releases, oldest first, NULL-terminated. */
const char *const *hs_kernel_releases(void);
/* Whether @version is a known release. */
bool hs_kernel_known(const char *version);
/* strcmp for releases ("5.18" < "6.1" < "6.12"); both must be known. */
int hs_kernel_cmp(const char *a, const char *b);
/* The known release just before @version, or NULL (the oldest, unknown). */
const char *hs_kernel_prev(const char *version);
/* Whether kernel @version still has the bug a fix of release @fix removed
 * (@fix NULL: never merged, no release has it). */
bool hs_kernel_has_bug(const char *version, const char *fix);
/* Whether kernel @version has switch @name's bug: it came in at or before
 * @version (hs_switch_since()) and was fixed after it. */
bool hs_kernel_switch_on(const char *version, const char *name);
/* Set every switch as kernel @version had it: on when its bug was there
 * (hs_kernel_switch_on()).
 * Return: 0, or -EINVAL for an unknown release (nothing changed). */
int hs_kernel_set(const char *version);
/* The known releases as one line ("5.0 5.1 ... 7.0"), for messages. */
void hs_kernel_list(char *buf, size_t len);

#endif /* HMMSIM_SWITCHES_H */
