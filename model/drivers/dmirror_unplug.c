// SPDX-License-Identifier: MIT
/*
 * The removal of the reference driver's device memory: test_hmm's
 * (hs_dmirror_device_remove(), dmirror_device_remove_chunks()), and the hot
 * unplug (not in lib/test_hmm.c): the revoke of an exporter's device memory
 * and BAR, four ways (hs_dmirror_device_unplug()), and the lost-access
 * oracle of a surprise removal (dmirror_lost()).  docs/p2p.md "Hot unplug"
 * tells the story; the device is in dmirror.c.
 */
#include <stdarg.h>
#include <stdio.h>

#include "dmirror_internal.h"

/* Not in the kernel: record an access that reached @mdevice after it was
 * gone, or (@page) a page whose data went with it; the first access is
 * named in the report (hs_dmirror_device_check_lost()). */
void dmirror_lost(struct hs_dmirror_device *mdevice, bool page, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (page)
		sim_noted_add(&mdevice->lost_pages, 1);
	else if (sim_noted_fetch_add(&mdevice->lost, 1, __ATOMIC_RELAXED) == 0)
		snprintf(mdevice->lost_first, sizeof(mdevice->lost_first), "thread %d: %s",
			 sim_self(), msg);
	if (sim_tracing())
		sim_event("%s is gone: %s", mdevice->name, msg);
}

/**
 * hs_dmirror_device_lost() - what a surprise unplug lost.
 * @mdevice: the device
 * @pages: receives the pages whose data went with the device (may be NULL)
 *
 * Return: the accesses that reached the device's memory or BAR once it was
 * gone (each one failed).
 */
unsigned long hs_dmirror_device_lost(struct hs_dmirror_device *mdevice, unsigned long *pages)
{
	if (pages)
		*pages = sim_noted_load_n(&mdevice->lost_pages, __ATOMIC_RELAXED);
	return sim_noted_load_n(&mdevice->lost, __ATOMIC_RELAXED);
}

/**
 * hs_dmirror_device_check_lost() - the lost-access oracle, for the end of a scenario.
 * @mdevice: the device
 *
 * Reports what hs_dmirror_device_lost() counts, if anything, as one
 * HS_KIND_LOST_ACCESS violation naming the first access.  Call it after the
 * leak oracle, so that an execution checks both.
 */
void hs_dmirror_device_check_lost(struct hs_dmirror_device *mdevice)
{
	unsigned long n = sim_noted_load_n(&mdevice->lost, __ATOMIC_RELAXED);
	unsigned long p = sim_noted_load_n(&mdevice->lost_pages, __ATOMIC_RELAXED);
	if (n)
		sim_fail(HS_KIND_LOST_ACCESS,
			 "%lu access%s reached %s after it vanished and failed, %lu page%s of data "
			 "lost with it; the first access: %s",
			 n, n == 1 ? "" : "es", mdevice->name, p, p == 1 ? "" : "s",
			 mdevice->lost_first);
	if (p)
		sim_fail(HS_KIND_LOST_ACCESS,
			 "%lu page%s of data lost with %s (its eviction could not copy them)", p,
			 p == 1 ? "" : "s", mdevice->name);
}

/* The exporter's BAR teardown: pci_free_p2pmem() of every BAR page it holds,
 * then pci_p2pdma_release() (which waits until every BAR page is free). */
static void dmirror_device_release_bar(struct hs_dmirror_device *mdevice)
{
	if (!mdevice->bar)
		return;
	for (unsigned long i = 0; i < mdevice->nr_pages; i++)
		hs_pci_free_p2pmem(mdevice->bar[i]);
	hs_pci_p2pdma_release(mdevice->pdev);
}

/*
 * The eviction of lib/test_hmm.c's dmirror_device_remove_chunks() (v6.12:
 * dmirror_device_evict_chunk(), then memunmap_pages()), and of
 * nouveau_dmem_fini() (nouveau_dmem_evict_chunk(), then memunmap_pages()):
 * one pass of migrate_device_range() over the device's pages.  The pass
 * can leave a page behind: one a CPU fault holds locked while it migrates
 * it (migrate_device_range() only tries the lock); that fault takes it to
 * RAM itself (cpu_access() faults again until the access goes through,
 * the range fault retries after -EBUSY), and memunmap_pages() waits for its
 * last reference.  A page nothing faults back keeps it waiting: a hang,
 * reported as a deadlock.  drm_pagemap_evict_to_ram() (v6.16; v6.15:
 * drm_gpusvm_evict_to_ram()) makes at most three passes (retry_count = 2)
 * and stops once every page is back; the model's earlier "evict until no
 * page is in use, yield between rounds" was no driver's, and with a fault
 * that retries on the same page it made every number of alternations a new
 * class for dpor.
 */
static void dmirror_device_evict_all(struct hs_dmirror_device *mdevice)
{
	dmirror_device_evict(mdevice);
}

/*
 * The revoke (no kernel function does all of it: nouveau_dmem_fini() /
 * drm_pagemap teardown plus memunmap_pages(), in the order the RFC review
 * asks for).  1. revoked: get_p2p_page() declines and the device allocates
 * no more pages (the percpu_ref_kill() step, done by the driver so that it
 * comes before the eviction).  2. Evict every page: each migration
 * invalidates the CPU range (MMU_NOTIFY_MIGRATE), so every importer's
 * interval notifier clears its mirror entries (P2P ones included) and moves
 * its sequence: a grant an importer got from hmm_range_fault() before the
 * eviction fails its read_retry.  3. memunmap_pages(): waits until every
 * page reference is gone.  4. Only then the BAR: no mirror can name a BAR
 * page any more, and no new grant can be made.
 * @free_first: the bug variant, BAR freed before the eviction invalidates.
 */
static void dmirror_device_revoke(struct hs_dmirror_device *mdevice, bool free_first)
{
	spin_lock(&mdevice->lock);
	sim_noted_store_n(&mdevice->revoked, 1, __ATOMIC_RELAXED);
	spin_unlock(&mdevice->lock);
	if (sim_tracing())
		sim_event("%s: revoked: no P2P grants, no allocations", mdevice->name);
	if (free_first)
		dmirror_device_release_bar(mdevice);
	dmirror_device_evict_all(mdevice);
	memunmap_pages(HS_NOTED(mdevice->pgmap));
	if (!free_first)
		dmirror_device_release_bar(mdevice);
}

/* ---- the device's removal (test_hmm's dmirror_device_remove_chunks()) --------------- */

/*
 * dmirror_device_remove_chunks()'s first step, under mdevice->lock: the
 * chunk is marked removed (devmem->remove: pages freed from now on are not
 * kept, the model's draining) and its free pages leave the free list
 * (dmirror_remove_free_pages()), so nothing allocates from a pagemap about
 * to go.
 */
void dmirror_remove_free_pages(struct hs_dmirror_device *mdevice)
{
	spin_lock(&mdevice->lock);
	HS_NOTED_SET(mdevice->draining, true);
	dmirror_free_list_note(mdevice, true);
	mdevice->nr_free = 0;
	spin_unlock(&mdevice->lock);
}

/**
 * hs_dmirror_device_remove() - remove the device.
 * @mdevice: the device
 *
 * dmirror_device_remove_chunks(): under devmem_lock, dmirror_remove_free_pages(),
 * then dmirror_device_evict_chunk() + memunmap_pages(): every device page
 * goes back to system memory first, then the pagemap and (P2P) the BAR go.
 * A second removal finds nothing to remove (test_hmm's devmem_chunks NULL).
 * Simplified: test_hmm's next allocation makes a new chunk
 * (dmirror_allocate_chunk()); the model's device has one pagemap, so it
 * allocates nothing after the removal.
 */
void hs_dmirror_device_remove(struct hs_dmirror_device *mdevice)
{
	unsigned long n = mdevice->nr_pages;

	sim_mutex_lock(&mdevice->devmem_lock);
	if (sim_noted_load_n(&mdevice->removed, __ATOMIC_RELAXED)) {
		/* removed already (devmem_chunks NULL): nothing to do */
		sim_mutex_unlock(&mdevice->devmem_lock);
		return;
	}
	dmirror_owner_device_gone(mdevice);
	sim_noted_store_n(&mdevice->removed, 1, __ATOMIC_RELAXED);
	dmirror_remove_free_pages(mdevice);
	dmirror_device_evict(mdevice);
	memunmap_pages(HS_NOTED(mdevice->pgmap));
	/* P2P: no device page is left for a BAR page to stand for, and every
	 * mirror entry naming one was cleared by the eviction's invalidation */
	if (mdevice->bar) {
		for (unsigned long i = 0; i < n; i++)
			hs_pci_free_p2pmem(mdevice->bar[i]);
		HS_NOTED_SET(mdevice->bar, NULL); /* get_p2p_page() reads it locklessly */
		hs_pci_p2pdma_release(mdevice->pdev);
	}
	sim_mutex_unlock(&mdevice->devmem_lock);
}

/* ---- hot unplug ---------------------------------------------------------------------- */

/**
 * hs_dmirror_device_unplug() - hot unplug of an exporter.
 * @mdevice: the device
 * @how: HS_DMIRROR_UNPLUG_*
 *
 * Hot unplug of an exporter, four ways (include/hmmsim/dmirror.h,
 * docs/p2p.md "Hot unplug").  The model of a PCI remove: the driver's
 * remove callback (SAFE, SURPRISE, the bug) or devres alone (DEVM).
 *  SURPRISE: the hardware is gone before the driver learns it (pci_dev
 *  is_removed / drm_dev_unplug()): accesses that reach its memory or BAR
 *  from then on fail and are recorded (dmirror_lost()); then the driver
 *  runs the same revoke, whose eviction cannot copy (the data is lost) but
 *  frees nothing that is still referenced.
 *  DEVM: devm_memunmap_pages() at unbind with the driver evicting nothing:
 *  memunmap_pages() kills the pagemap's reference and waits for every page
 *  reference to go; device-private pages still mapped in a CPU page table
 *  hold theirs until something faults them back, so it can wait forever
 *  (the kernel's hung task in dev_pagemap_cleanup(): wait_for_completion()).
 *  The model's devres releases the device-memory pagemap first (its BAR
 *  release, registered later, would run first in the kernel and wait on the
 *  driver's own BAR allocations the same way).
 *
 * Return: 0, or -EINVAL for an unknown @how.
 */
int hs_dmirror_device_unplug(struct hs_dmirror_device *mdevice, enum hs_dmirror_unplug how)
{
	bool bug = how == HS_DMIRROR_UNPLUG_BUG_FREE_BEFORE_INVALIDATE;

	dmirror_owner_device_gone(mdevice);
	sim_noted_store_n(&mdevice->removed, 1, __ATOMIC_RELAXED);
	switch (how) {
	case HS_DMIRROR_UNPLUG_SURPRISE:
		sim_noted_store_n(&mdevice->gone, 1, __ATOMIC_RELAXED);
		if (sim_tracing())
			sim_event("%s: the device is gone (surprise removal)", mdevice->name);
		/* fall through */
	case HS_DMIRROR_UNPLUG_SAFE:
	case HS_DMIRROR_UNPLUG_BUG_FREE_BEFORE_INVALIDATE:
		/* the driver's remove callback, under its devmem_lock (against
		 * the owner lab's reregister; simplified: two unplugs of one
		 * device are not made one) */
		sim_mutex_lock(&mdevice->devmem_lock);
		dmirror_device_revoke(mdevice, bug);
		sim_mutex_unlock(&mdevice->devmem_lock);
		return 0;
	case HS_DMIRROR_UNPLUG_DEVM:
		/* devres at unbind, not the driver: no devmem_lock (a reregister
		 * at the same time is not serialized against it) */
		memunmap_pages(HS_NOTED(mdevice->pgmap));
		dmirror_device_release_bar(mdevice);
		return 0;
	}
	return -EINVAL;
}
