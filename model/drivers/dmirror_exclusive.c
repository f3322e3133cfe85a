// SPDX-License-Identifier: MIT
/*
 * The reference driver's device-exclusive (atomic) access: lib/test_hmm.c's
 * HMM_DMIRROR_EXCLUSIVE (dmirror_exclusive(), dmirror_atomic_map()) and
 * HMM_DMIRROR_CHECK_EXCLUSIVE (dmirror_check_atomic()), as of v6.18 (the
 * v6.15 make_device_exclusive() API, one page at a time, owner NULL: the
 * driver's own notifier clears the range too, before the atomic mapping is
 * installed).  nouveau's GPU atomics (nouveau_atomic_range_fault()) follow
 * the same protocol: the folio lock make_device_exclusive() returns is what
 * keeps a CPU fault (remove_device_exclusive_entry()) and fork
 * (try_restore_exclusive_pte()) from taking the page back before the device
 * mapping is in place.
 *
 * Simplified: dmirror_check_atomic() reads the mirror under its mutex (the
 * kernel's xa_load() needs none; the model's table is plain memory).
 */
#include <errno.h>
#include <hmmsim/switches.h>

#include "dmirror_internal.h"

/* dmirror_atomic_map(): the page becomes an atomic entry of the mirror. */
static int dmirror_atomic_map(unsigned long addr, struct hs_page *page, struct hs_dmirror *dmirror)
{
	sim_mutex_lock(&dmirror->mutex);
	dpt_set(dmirror, addr >> PAGE_SHIFT, dpt_entry(page, false) | DPT_EXCL);
	sim_mutex_unlock(&dmirror->mutex);
	if (sim_tracing())
		sim_event("dmirror_atomic_map %#lx: pfn %#lx", addr, page_to_pfn(page));
	return 0;
}

/**
 * hs_dmirror_exclusive() - dmirror_exclusive(): HMM_DMIRROR_EXCLUSIVE.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages
 * @out: out[i] = what the device reads at @addr + i pages afterwards (may be NULL)
 *
 * Under mmap_read_lock(), each page is made device-exclusive and mapped
 * atomic in the mirror, then its folio unlocked and put (not with
 * HS_DMIRROR_BUG_EXCLUSIVE_NO_UNLOCK; before the mapping with
 * HS_DMIRROR_BUG_EXCLUSIVE_UNLOCK_EARLY); then the device reads the range
 * through the mirror (dmirror_do_read()).
 *
 * Return: 0, -EINVAL for a bad range, make_device_exclusive()'s error, or the
 * read's (-ENOENT when a page lost its grant before the read).
 */
int hs_dmirror_exclusive(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			 unsigned long *out)
{
	struct mm_struct *mm = dmirror->mm;
	unsigned long end = addr + (npages << PAGE_SHIFT);
	int ret = 0;

	if (!npages || (addr & ~PAGE_MASK) || (end >> PAGE_SHIFT) > dmirror->npt || npages > 64)
		return -EINVAL;
	sim_down_read(&mm->mmap_lock);
	for (unsigned long a = addr; !ret && a < end; a += PAGE_SIZE) {
		struct hs_page *page;

		ret = hs_make_device_exclusive(mm, a, NULL, &page);
		if (ret)
			break;
		bool early = dmirror->bug == HS_DMIRROR_BUG_EXCLUSIVE_UNLOCK_EARLY;
		if (early) { /* the bug: nothing holds the page back any more */
			unlock_page(page);
			put_page(page);
		}
		ret = dmirror_atomic_map(a, page, dmirror);
		if (early)
			continue;
		if (dmirror->bug == HS_DMIRROR_BUG_EXCLUSIVE_NO_UNLOCK ||
		    hs_switch.nouveau_exclusive_no_unlock)
			continue; /* the bug: the folio stays locked and referenced */
		unlock_page(page);
		put_page(page);
	}
	sim_up_read(&mm->mmap_lock);
	if (ret)
		return ret;
	unsigned long buf[64];
	sim_mutex_lock(&dmirror->mutex);
	ret = hs_dmirror_access_mirror(dmirror, addr, npages, buf, false);
	sim_mutex_unlock(&dmirror->mutex);
	if (!ret && out)
		for (unsigned long i = 0; i < npages; i++)
			out[i] = buf[i];
	return ret;
}

/**
 * hs_dmirror_check_exclusive() - dmirror_check_atomic(): HMM_DMIRROR_CHECK_EXCLUSIVE.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages
 *
 * Return: 0 when no page of the range is mapped atomic any more, -EPERM when
 * one is, -EINVAL for a bad range.
 */
int hs_dmirror_check_exclusive(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages)
{
	unsigned long end = addr + (npages << PAGE_SHIFT);
	int ret = 0;

	if (!npages || (addr & ~PAGE_MASK) || (end >> PAGE_SHIFT) > dmirror->npt)
		return -EINVAL;
	sim_mutex_lock(&dmirror->mutex);
	for (unsigned long i = addr >> PAGE_SHIFT; i < end >> PAGE_SHIFT; i++)
		if (dpt_get(dmirror, i) & DPT_EXCL)
			ret = -EPERM;
	sim_mutex_unlock(&dmirror->mutex);
	return ret;
}
