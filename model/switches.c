// SPDX-License-Identifier: MIT
/*
 * The model switches of the current run (include/hmmsim/switches.h).  All
 * off: the baseline kernel.  A test or the command line turns one on to get
 * the behaviour of the kernel before the fix it names, or names a release
 * (hs_kernel_set()) to get every switch as that release had it.
 */
#include <errno.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hs_switches hs_switch;

/* @rel: the mainline release the fix landed in; @fix: the kernel commit the
 * switch undoes, its title and release */
#define SWITCH(f, rel, fix) SWITCH_SINCE(f, NULL, rel, fix)
/* @since: the release the bug came in, where it is later than the oldest
 * known one (5.0) */
#define SWITCH_SINCE(f, since, rel, fix)                                                           \
	{                                                                                          \
#f, &hs_switch.f, rel, fix, since                                                  \
	}

static const struct {
	const char *name;
	bool *field;
	const char *release;
	const char *fix;
	const char *since;
} switches[] = {
    SWITCH(migrate_flush_tlb_after_ptl, "6.0",
	   "mm/migrate_device.c: flush TLB while holding PTL (v6.0)"),
    SWITCH(migrate_no_dirty_copy, "6.0", "mm/migrate_device.c: copy pte dirty bit to page (v6.0)"),
    SWITCH(swap_page_ref_without_ptl, "6.1",
	   "mm/memory.c: fix race when faulting a device private page (v6.1)"),
    SWITCH(swap_page_lock_unconditional, "6.15",
	   "mm/migrate: Trylock device page in do_swap_page (v6.15)"),
    SWITCH_SINCE(
	swap_page_spin_on_locked, "6.15", "7.0",
	"mm: Fix a hmm_range_fault() livelock / starvation problem (v7.0) (the bug: v6.15 .. "
	"v6.19)"),
    SWITCH(notifier_remove_lockless_wait, "5.18",
	   "mm/mmu_notifier.c: fix race in mmu_interval_notifier_remove() (v5.18)"),
    SWITCH(hmm_no_owner_check, "5.7",
	   "mm/hmm: check the device private page owner in hmm_range_fault() (v5.7)"),
    SWITCH(mremap_rmap_unlocked, "3.3",
	   "mm: fix race between mremap and removing migration entry (v3.3)"),
    SWITCH(xe_migrate_no_serialize, "7.0",
	   "drm/xe/svm: Serialize migration to device if racing (v7.0)"),
    SWITCH(dmem_fault_no_zero, "6.12",
	   "nouveau/dmem: Fix vulnerability in migrate_to_ram upon copy error (v6.12)"),
    SWITCH(kfd_mmput_in_notifier, "6.16",
	   "drm/amdkfd: Don't call mmput from MMU notifier callback (v6.16)"),
    SWITCH(kfd_restore_work_exit_deadlock, "5.17",
	   "drm/amdkfd: svm range restore work deadlock when process exit (v5.17)"),
    SWITCH(dmirror_finalize_no_unlock, "5.8",
	   "mm/hmm/test: fix missing unlock on error in dmirror_migrate_finalize_and_map() (v5.8)"),
    SWITCH(nouveau_range_fault_double_unlock, "5.3",
	   "nouveau: unlock mmap_sem on all errors from nouveau_range_fault (v5.3)"),
    SWITCH(hmm_no_fault_non_owner, "6.0", "mm/hmm: fault non-owner device private entries (v6.0)"),
    SWITCH(nouveau_exclusive_no_unlock, "6.14",
	   "nouveau/svm: fix missing folio unlock + put after make_device_exclusive_range() "
	   "(v6.14)"),
    SWITCH(no_device_thp, "6.19",
	   "mm/zone_device: support large zone device private folios (v6.19; a feature: before "
	   "it migrate_vma splits every THP)"),
    SWITCH(thp_split_folio_unlocked, NULL,
	   "mm/huge_memory.c: a folio a migration holds locked stays locked across the split of "
	   "its PMD migration entry (v6.19; planted: no kernel had the bug)"),
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

/**
 * hs_switch_release() - the release a switch's fix landed in.
 * @name: the switch's field name
 *
 * Return: the release ("6.1"), or NULL for an unknown name.
 */
const char *hs_switch_release(const char *name)
{
	for (size_t i = 0; i < NR_SWITCHES; i++)
		if (strcmp(switches[i].name, name) == 0)
			return switches[i].release;
	return NULL;
}

/**
 * hs_switch_since() - the release a switch's bug came in.
 * @name: the switch's field name
 *
 * Return: the release ("6.15"), or NULL when the bug is older than every
 * known release or @name is unknown.
 */
const char *hs_switch_since(const char *name)
{
	for (size_t i = 0; i < NR_SWITCHES; i++)
		if (strcmp(switches[i].name, name) == 0)
			return switches[i].since;
	return NULL;
}

/* ---- kernel releases ------------------------------------------------------------ */

/* Mainline releases, oldest first: every one a fix above landed in, the one
 * before it, and the ones people ask for. */
static const char *const releases[] = {
    "5.0",  "5.1",  "5.2",  "5.3",  "5.4",  "5.5",  "5.6",  "5.7",  "5.8",  "5.9",  "5.10",
    "5.11", "5.12", "5.13", "5.14", "5.15", "5.16", "5.17", "5.18", "5.19", "6.0",  "6.1",
    "6.2",  "6.3",  "6.4",  "6.5",  "6.6",  "6.7",  "6.8",  "6.9",  "6.10", "6.11", "6.12",
    "6.13", "6.14", "6.15", "6.16", "6.17", "6.18", "6.19", "7.0",  "7.1",  NULL,
};

static int release_index(const char *version)
{
	for (int i = 0; version && releases[i]; i++)
		if (strcmp(releases[i], version) == 0)
			return i;
	return -1;
}

/**
 * hs_kernel_releases() - the known mainline releases.
 *
 * Return: the releases, oldest first, NULL-terminated.
 */
const char *const *hs_kernel_releases(void)
{
	return releases;
}

/**
 * hs_kernel_known() - whether a release is known.
 * @version: "6.1"
 *
 * Return: true when @version is in hs_kernel_releases().
 */
bool hs_kernel_known(const char *version)
{
	return release_index(version) >= 0;
}

/**
 * hs_kernel_cmp() - compare two known releases.
 * @a: a release
 * @b: another
 *
 * Return: <0, 0 or >0 as @a is older than, the same as or newer than @b.
 */
int hs_kernel_cmp(const char *a, const char *b)
{
	return release_index(a) - release_index(b);
}

/**
 * hs_kernel_prev() - the release before another.
 * @version: a known release
 *
 * Return: the known release just before @version, or NULL.
 */
const char *hs_kernel_prev(const char *version)
{
	int i = release_index(version);
	return i > 0 ? releases[i - 1] : NULL;
}

/**
 * hs_kernel_has_bug() - whether a release still has a bug.
 * @version: a known release
 * @fix: the release the fix landed in, or NULL when it never did
 *
 * Return: true when @version is older than @fix.
 */
bool hs_kernel_has_bug(const char *version, const char *fix)
{
	return fix && hs_kernel_cmp(version, fix) < 0;
}

/**
 * hs_kernel_switch_on() - whether a release has a switch's bug.
 * @version: a known release
 * @name: the switch's field name
 *
 * Return: true when the bug came in at or before @version and its fix
 * landed after it; false for an unknown name.
 */
bool hs_kernel_switch_on(const char *version, const char *name)
{
	for (size_t i = 0; i < NR_SWITCHES; i++)
		if (strcmp(switches[i].name, name) == 0)
			return hs_kernel_has_bug(version, switches[i].release) &&
			       (!switches[i].since ||
				hs_kernel_cmp(version, switches[i].since) >= 0);
	return false;
}

/**
 * hs_kernel_set() - set every switch as a release had it.
 * @version: a known release ("6.1")
 *
 * A switch is on when its bug came in at or before @version and its fix
 * landed after it.
 *
 * Return: 0, or -EINVAL for an unknown release (no switch changed).
 */
int hs_kernel_set(const char *version)
{
	if (!hs_kernel_known(version))
		return -EINVAL;
	for (size_t i = 0; i < NR_SWITCHES; i++)
		*switches[i].field = hs_kernel_switch_on(version, switches[i].name);
	return 0;
}

/**
 * hs_kernel_list() - the known releases as one line, for messages.
 * @buf: where to write "5.0 5.1 ... 7.0"
 * @len: its size
 */
void hs_kernel_list(char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = 0;
	for (int i = 0; releases[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", releases[i]);
}
