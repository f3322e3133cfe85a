// SPDX-License-Identifier: MIT
/*
 * The reference driver, modelled on lib/test_hmm.c (the dmirror device of
 * the kernel's HMM selftests) and written against the kernel-name facade.
 *
 * Differences from test_hmm, each to keep the driver correct so that a
 * violation found with it is the kernel model's or a scenario's doing:
 *  - device-private pages hold the data themselves (test_hmm backs each with
 *    a system page because it has no device memory);
 *  - the mirror is an array indexed by virtual page, under dmirror->mutex,
 *    instead of an xarray;
 *  - its invalidate callback clears the mirror for every event, its own
 *    migrations included (test_hmm skips those; that is the bug variant
 *    HS_DMIRROR_BUG_SKIP_OWN_MIGRATE, see dmirror_interval_invalidate());
 *  - migration to the device does not map the new pages in the mirror
 *    (test_hmm's dmirror_migrate_finalize_and_map()): the device faults them
 *    in when it next touches them, which hmm_range_fault() answers without
 *    migrating since the owner matches;
 *  - the fault loop has no timeout: a retry that never ends is the
 *    explorer's livelock report.
 *
 * P2P (the RFC "mm/hmm: HMM API to enable P2P DMA for device private pages",
 * not in test_hmm; the exporter side is nouveau's part of it, the importer's
 * fallback mlx5/RDMA ODP's): see hs_dmirror_device_set_p2p(),
 * hs_dmirror_set_allow_p2p() and docs/p2p.md.
 *
 * This file: the device and its memory, the mirror with its invalidate
 * callback, device faults and accesses.  Migrations and the CPU fault on
 * device memory are in dmirror_migrate.c, hot unplug in dmirror_unplug.c,
 * the snapshot and the fault protocol's steps in dmirror_steps.c, the owner
 * policies' side in dmirror_owner.c; dmirror_internal.h is what they share.
 *
 * Which accesses are annotated, and why (the driver's two locks):
 *  - dmirror->mutex protects the mirror table pt[], plain C read and written
 *    through dpt_get() / dpt_set() (dmirror_internal.h), which note each
 *    entry for dpor (sim_note_access(), no scheduling point).  The rest of
 *    what its sections touch is an atomic, a marked access or a noted
 *    oracle field (page contents, the data oracle, dying/inflight/freed),
 *    or set up before other threads run (npt, bug, allow_p2p).  So the
 *    mutex is marked sim_mutex_annotated(): two device accesses of
 *    different pages, or a read of the mirror and a fault that programs
 *    other entries, commute under dpor;
 *  - mdevice->lock protects the free list (free_pfns[], nr_free: one note
 *    on nr_free for the whole list, dmirror_free_list_note()), draining,
 *    and the pgmap pointer a reregister replaces (each of its reads, under
 *    the lock or not, is noted); revoked was a noted atomic already.  It is
 *    marked sim_spin_annotated() too.
 */
#include <stdarg.h>
#include <stdio.h>

#include "dmirror_internal.h"

/* A mirror entry for a page the device reaches directly (system memory or
 * its own device memory): every kind of access, atomics included. */
unsigned long dpt_entry(struct hs_page *page, bool write)
{
	return DPT_VALID | DPT_ATOMIC | (write ? DPT_WRITE : 0) |
	       (unsigned long)(hs_page_gen(page) & ((1u << 20) - 1)) << DPT_GEN_SHIFT |
	       page_to_pfn(page) << DPT_PFN_SHIFT;
}

/*
 * A P2P entry: the BAR page @bar, standing for the exporter's device-private
 * page bar->zone_device_data.  The generation kept is that device page's: a
 * device page freed (migrated away) and reused since is what a stale P2P
 * entry would reach.
 */
static unsigned long dpt_entry_p2p(struct hs_page *bar, bool write, bool atomic, bool bus)
{
	struct hs_page *dpage = bar->zone_device_data;
	return DPT_VALID | DPT_P2P | (write ? DPT_WRITE : 0) | (atomic ? DPT_ATOMIC : 0) |
	       (bus ? DPT_P2P_BUS : 0) |
	       (unsigned long)(hs_page_gen(dpage) & ((1u << 20) - 1)) << DPT_GEN_SHIFT |
	       page_to_pfn(bar) << DPT_PFN_SHIFT;
}

/* ---- the device and its memory ------------------------------------------------- */

/* dmirror_devmem_free(): page_free callback, the page returns to the pool. */
void dmirror_devmem_free(struct hs_page *page)
{
	struct hs_dmirror_device *mdevice = page->pgmap->driver;
	spin_lock(&mdevice->lock);
	if (!HS_NOTED(mdevice->draining)) {
		dmirror_free_list_note(mdevice, true);
		mdevice->free_pfns[mdevice->nr_free++] = page_to_pfn(page);
	}
	spin_unlock(&mdevice->lock);
}

/* dmirror_devmem_alloc_page(): a locked device page with refcount 1. */
struct hs_page *dmirror_devmem_alloc_page(struct hs_dmirror_device *mdevice)
{
	struct hs_page *dpage = NULL;
	spin_lock(&mdevice->lock);
	dmirror_free_list_note(mdevice, false);
	/* revoked: the hot unplug's percpu_ref_kill(), no new device pages */
	if (mdevice->nr_free && !HS_NOTED(mdevice->draining) &&
	    !sim_noted_load_n(&mdevice->revoked, __ATOMIC_RELAXED)) {
		dmirror_free_list_note(mdevice, true);
		dpage = pfn_to_page(mdevice->free_pfns[--mdevice->nr_free]);
	}
	spin_unlock(&mdevice->lock);
	if (dpage)
		zone_device_page_init(dpage);
	return dpage;
}

static const struct dev_pagemap_ops dmirror_devmem_ops = {
    .page_free = dmirror_devmem_free, .folio_free = dmirror_devmem_folio_free,
    .migrate_to_ram = dmirror_devmem_fault,
};

/*
 * The exporter's get_p2p_page() (the RFC's get_dma_pfn_for_device(); nouveau's
 * nouveau_dmem_get_dma_pfn() computes the BAR address of the page's VRAM
 * offset): device page i is BAR page i.  With a requester named (the v2
 * review's variant) it declines when pci_p2pdma_map_type() says the two
 * cannot talk; without one (v1) it cannot ask, and says yes whenever the
 * exporter has a BAR: the importer finds out when it DMA-maps the pfn.
 * No reference taken (see struct hs_dev_pagemap_ops): the BAR page is the
 * exporter's for its lifetime.  Called locklessly by hmm_range_fault() while
 * @page may be migrating: it only does arithmetic on the pfn.  A device
 * being unplugged grants nothing (revoked, the first step of the revoke):
 * the importer falls back to migrate_to_ram().  The flag is atomic and not
 * a scheduling point; the notifier sequence, not the flag, is what orders
 * a grant made just before against the unplug's invalidation.
 */
static struct hs_page *dmirror_devmem_get_p2p_page(struct hs_page *page, void *requester)
{
	struct hs_dmirror_device *mdevice = page->pgmap->driver;
	struct hs_pci_dev *client = requester;

	if (sim_noted_load_n(&mdevice->revoked, __ATOMIC_RELAXED))
		return NULL;
	if (client &&
	    hs_pci_p2pdma_map_type(mdevice->pdev, client) == HS_PCI_P2PDMA_MAP_NOT_SUPPORTED)
		return NULL;
	if (!dmirror_owner_p2p_grant(mdevice, page, client))
		return NULL;
	return HS_NOTED(mdevice->bar)[page_to_pfn(page) - HS_NOTED(mdevice->pgmap)->start_pfn];
}

/* The ops of a device with P2P: a second struct, so devices without P2P
 * have no callback and hmm_range_fault() behaves for them as before. */
static const struct dev_pagemap_ops dmirror_devmem_p2p_ops = {
    .page_free = dmirror_devmem_free,
    .migrate_to_ram = dmirror_devmem_fault,
    .get_p2p_page = dmirror_devmem_get_p2p_page,
};

/* dmirror_allocate_chunk(), all at once: memremap_pages() of the whole range
 * as a pagemap of @type. */
static struct hs_dmirror_device *dmirror_device_create(const char *name, unsigned long nr_pages,
						       enum hs_memory_type type)
{
	struct hs_dmirror_device *mdevice = sim_alloc(sizeof(*mdevice));

	mdevice->name = name;
	spin_lock_init(&mdevice->lock);
	sim_mutex_init(&mdevice->devmem_lock, "mdevice->devmem_lock");
	/* the free list, draining and the pgmap pointer */
	sim_spin_annotated(&mdevice->lock);
	mdevice->pgmap = sim_alloc(sizeof(*mdevice->pgmap));
	mdevice->cluster = mdevice->mem_cluster = mdevice;
	mdevice->owner_key = hs_owner_key(mdevice);
	mdevice->pgmap->type = type;
	mdevice->pgmap->ops = &dmirror_devmem_ops;
	mdevice->pgmap->owner = mdevice->owner_key;
	mdevice->pgmap->driver = mdevice;
	mdevice->pgmap->name = name;
	if (memremap_pages(mdevice->pgmap, nr_pages))
		sim_fail(HS_KIND_BUG, "%s: memremap_pages of %lu pages failed", name, nr_pages);
	mdevice->nr_pages = nr_pages;
	mdevice->free_pfns = sim_alloc(nr_pages * sizeof(*mdevice->free_pfns));
	for (unsigned long i = nr_pages; i-- > 0;)
		mdevice->free_pfns[mdevice->nr_free++] = mdevice->pgmap->start_pfn + i;
	dmirror_owner_device_init(mdevice);
	return mdevice;
}

/**
 * hs_dmirror_device_create() - a device with device-private memory.
 * @name: for reports
 * @nr_pages: its device memory, in pages
 *
 * dmirror_allocate_chunk(), all at once: memremap_pages() of the whole range.
 *
 * Return: the device.
 */
struct hs_dmirror_device *hs_dmirror_device_create(const char *name, unsigned long nr_pages)
{
	return dmirror_device_create(name, nr_pages, MEMORY_DEVICE_PRIVATE);
}

/**
 * hs_dmirror_device_create_coherent() - a device with device-coherent memory.
 * @name: for reports
 * @nr_pages: its device memory, in pages
 *
 * dmirror_allocate_chunk() for HMM_DMIRROR_MEMORY_DEVICE_COHERENT: the same
 * pagemap with type MEMORY_DEVICE_COHERENT (test_hmm takes the physical
 * range from its spm_addr_dev module parameters; the model's machine gives
 * it pfns as for any pagemap).
 *
 * Return: the device.
 */
struct hs_dmirror_device *hs_dmirror_device_create_coherent(const char *name,
							    unsigned long nr_pages)
{
	return dmirror_device_create(name, nr_pages, MEMORY_DEVICE_COHERENT);
}

/**
 * hs_dmirror_device_set_progress_oracle() - report a CPU fault that cannot progress.
 * @mdevice: the device
 *
 * Not in test_hmm: a CPU fault whose migration back to RAM failed on an
 * unexpected page reference is reported as a livelock (see
 * dmirror_devmem_fault()).  Sound only where nothing but faulting CPUs holds
 * references to the device's pages.
 */
void hs_dmirror_device_set_progress_oracle(struct hs_dmirror_device *mdevice)
{
	mdevice->progress_oracle = true;
}

/**
 * hs_dmirror_device_set_pci() - the device's PCI function.
 * @mdevice: the device
 * @pdev: its function (pci_get_drvdata(@pdev) becomes @mdevice)
 *
 * Not in test_hmm: an importer's DMA mappings of P2P pfns ask the topology
 * about it.  Setup only.
 */
void hs_dmirror_device_set_pci(struct hs_dmirror_device *mdevice, struct hs_pci_dev *pdev)
{
	mdevice->pdev = pdev;
	pdev->drvdata = mdevice;
	dmirror_owner_device_pci(mdevice);
}

/**
 * hs_dmirror_device_set_p2p() - make the device a P2P exporter.
 * @mdevice: the device
 * @pdev: its PCI function, which gets a BAR as large as the device memory
 *
 * Not in test_hmm: the exporter side of the P2P RFC (nouveau's patch: a BAR
 * over the whole of VRAM, pci_p2pdma_add_resource() + pci_alloc_p2pmem() of
 * all of it at init).  Setup only, before other threads run and before any
 * device page is in use (the ops pointer changes).  The BAR pages are
 * allocated here (refcount 1 each, the exporter's) and freed by
 * hs_dmirror_device_remove(); each one's zone_device_data names the
 * device-private page it stands for.
 *
 * Return: 0 or -ENOMEM.
 */
int hs_dmirror_device_set_p2p(struct hs_dmirror_device *mdevice, struct hs_pci_dev *pdev)
{
	unsigned long n = mdevice->nr_pages;

	hs_dmirror_device_set_pci(mdevice, pdev);
	if (!hs_pci_p2pdma_add_resource(pdev, n))
		return -ENOMEM;
	mdevice->bar = sim_alloc(n * sizeof(*mdevice->bar));
	for (unsigned long i = 0; i < n; i++) {
		struct hs_page *bar = hs_pci_alloc_p2pmem(pdev);
		if (!bar)
			return -ENOMEM;
		bar->zone_device_data = pfn_to_page(mdevice->pgmap->start_pfn + i);
		mdevice->bar[i] = bar;
	}
	mdevice->pgmap->ops = &dmirror_devmem_p2p_ops;
	return 0;
}

/**
 * hs_dmirror_device_p2p_page() - the BAR page standing for device page @i.
 * @mdevice: the device
 * @i: the index of a device page
 *
 * Not in test_hmm, for tests.
 *
 * Return: the BAR page, or NULL without P2P.
 */
struct hs_page *hs_dmirror_device_p2p_page(struct hs_dmirror_device *mdevice, unsigned long i)
{
	return mdevice->bar && i < mdevice->nr_pages ? mdevice->bar[i] : NULL;
}

/**
 * hs_dmirror_device_pages_in_use() - the device pages allocated, for tests.
 * @mdevice: the device
 *
 * calloc - cfree of test_hmm's dmirror_device.
 *
 * Return: the number of device pages not on the free list.
 */
unsigned long hs_dmirror_device_pages_in_use(struct hs_dmirror_device *mdevice)
{
	spin_lock(&mdevice->lock);
	dmirror_free_list_note(mdevice, false);
	unsigned long n = mdevice->nr_pages - mdevice->nr_free;
	spin_unlock(&mdevice->lock);
	return n;
}

/* ---- the mirror ------------------------------------------------------------------- */

/* The oracle of the mirror's own memory: release() kfree()s it. */
void dmirror_check_alive(struct hs_dmirror *dmirror, const char *what)
{
	if (sim_noted_load_n(&dmirror->freed, __ATOMIC_RELAXED)) {
		if (sim_tracing()) {
			sim_violation_fact("property: nothing uses a mirror after release() freed "
					   "it (use-after-free oracle, dmirror_check_alive())");
			sim_violation_fact_freed(dmirror, "the mirror");
		}
		sim_fail(HS_KIND_UAF, "%s: the mirror of %s was used after release() freed it",
			 what, dmirror->mdevice->name);
	}
}

/* dmirror_do_update(): drop the mirror entries of [start, end). */
static void dmirror_do_update(struct hs_dmirror *dmirror, unsigned long start, unsigned long end)
{
	bool hit = false;

	lockdep_assert_held(&dmirror->mutex);
	for (unsigned long i = start >> PAGE_SHIFT; i < (end >> PAGE_SHIFT) && i < dmirror->npt;
	     i++) {
		hit |= dpt_get(dmirror, i) != 0;
		dpt_set(dmirror, i, 0);
	}
	if (hit)
		sim_cover(HS_COV_INVAL_MIRROR); /* coverage only */
	if (sim_tracing())
		sim_event("dmirror: mirror cleared [%#lx,%#lx)", start, end);
}

/* dmirror_interval_invalidate() */
static bool dmirror_interval_invalidate(struct mmu_interval_notifier *mni,
					const struct mmu_notifier_range *range,
					unsigned long cur_seq)
{
	struct hs_dmirror *dmirror = mni->priv;

	if (dmirror_script_has_callback(dmirror))
		return dmirror_script_invalidate(mni, range, cur_seq);
	/*
	 * test_hmm ignores the device's own migrations here ("the invalidation
	 * is handled as part of the migration process").  That is only a bug
	 * variant in this model: without set_seq() a dmirror_range_fault() that
	 * ran hmm_range_fault() before the migration programs the mirror with
	 * the migrated-away page, and the mirror keeps reaching pages the
	 * migration is unmapping and copying (both found by `hmmsim explore`).
	 */
	if (dmirror->bug == HS_DMIRROR_BUG_SKIP_OWN_MIGRATE && range->event == MMU_NOTIFY_MIGRATE &&
	    range->owner == dmirror_owner(dmirror))
		return true;
	/*
	 * A non-blockable range (the OOM reaper's) may not wait for the mutex:
	 * refusing it makes the reaper leave this range mapped and try again.
	 * The nonblock-skip bug claims success instead, with the mirror intact.
	 */
	if (mmu_notifier_range_blockable(range))
		sim_mutex_lock(&dmirror->mutex);
	else if (!sim_mutex_trylock(&dmirror->mutex))
		return dmirror->bug == HS_DMIRROR_BUG_NONBLOCK_SKIP;
	mmu_interval_set_seq(mni, cur_seq);
	dmirror_do_update(dmirror, range->start, range->end);
	sim_mutex_unlock(&dmirror->mutex);
	return true;
}

static const struct mmu_interval_notifier_ops dmirror_min_ops = {
    .invalidate = dmirror_interval_invalidate,
};

/**
 * hs_dmirror_open() - dmirror_fops_open(): a mirror of the whole of @mm.
 * @mdevice: the device
 * @mm: the address space to mirror
 *
 * Inserts the mirror's interval notifier.
 *
 * Return: the mirror.
 */
struct hs_dmirror *hs_dmirror_open(struct hs_dmirror_device *mdevice, struct mm_struct *mm)
{
	struct hs_dmirror *dmirror = sim_alloc(sizeof(*dmirror));

	dmirror->mdevice = mdevice;
	dmirror->mm = mm;
	sim_mutex_init(&dmirror->mutex, "dmirror->mutex");
	sim_mutex_annotated(&dmirror->mutex); /* the mirror table pt[] */
	sim_waitqueue_init(&dmirror->release_wq, "dmirror->release_wq");
	dmirror->npt = mm->va_size >> PAGE_SHIFT;
	dmirror->pt = sim_alloc(dmirror->npt * sizeof(*dmirror->pt));
	if (mdevice->nr_mms < 4 && (!mdevice->nr_mms || mdevice->mms[0] != mm))
		mdevice->mms[mdevice->nr_mms++] = mm;
	dmirror->notifier.priv = dmirror;
	dmirror->notifier.name = mdevice->name;
	if (mmu_interval_notifier_insert(&dmirror->notifier, mm, 0, mm->va_size, &dmirror_min_ops))
		sim_fail(HS_KIND_BUG, "%s: mmu_interval_notifier_insert failed", mdevice->name);
	return dmirror;
}

/**
 * hs_dmirror_release() - dmirror_fops_release(): drop a mirror.
 * @dmirror: the mirror
 *
 * dmirror_fops_release(): remove the notifier, evict every page of the
 * device's memory (dmirror_device_evict_chunk() on each chunk, since v6.1's
 * "evict device pages on file close": a page left on the device names the
 * mirror in zone_device_data, which dmirror_devmem_fault() uses), then
 * kfree(dmirror).  A page the single eviction pass cannot take (a transient
 * reference, a locked page) stays, and a later CPU fault on it reaches the
 * freed mirror: test_hmm's own race, which dmirror_check_alive() reports.  In
 * test_hmm the VFS guarantees no ioctl is in flight when release runs; a
 * driver whose faults come from the device (mlx5 ODP's page-fault work)
 * must itself stop and flush them first (mlx5: the MR is made unreachable,
 * then synchronize_srcu()), because mmu_interval_notifier_remove() only
 * waits for an invalidation in progress, not for readers of the sequence:
 * a fault that programs the mirror afterwards is no longer invalidated,
 * and a fault still running touches freed memory.  The model: dying makes
 * new entries fail, and release sleeps until those in flight have left
 * (HS_DMIRROR_BUG_RELEASE_NO_WAIT does not).
 */
void hs_dmirror_release(struct hs_dmirror *dmirror)
{
	/* unpublish: new faults fail from here on (both variants) */
	sim_noted_store_n(&dmirror->dying, 1, __ATOMIC_SEQ_CST);
	if (dmirror->bug != HS_DMIRROR_BUG_RELEASE_NO_WAIT)
		sim_wait_event(&dmirror->release_wq,
			       (sim_noted_load_n(&dmirror->inflight, __ATOMIC_SEQ_CST) == 0));
	mmu_interval_notifier_remove(&dmirror->notifier);
	hs_mmu_interval_notifier_free(&dmirror->notifier);
	if (!sim_noted_load_n(&dmirror->mdevice->removed, __ATOMIC_RELAXED))
		dmirror_device_evict(dmirror->mdevice);
	sim_noted_store_n(&dmirror->freed, 1, __ATOMIC_RELAXED);
	if (sim_tracing()) {
		sim_note_free(dmirror, "the mirror");
		sim_event("kfree(mirror of %s)", dmirror->mdevice->name);
	}
}

/**
 * hs_dmirror_mirror_entry() - the mirror's entry for @addr, for tests.
 * @dmirror: the mirror
 * @addr: a mirrored address
 *
 * Not in test_hmm.
 *
 * Return: 0 when there is none, else the pfn | HMM_PFN_VALID, | HMM_PFN_WRITE
 * when writable, | HMM_PFN_P2PDMA for a BAR page, | HMM_PFN_P2PDMA_BUS when
 * that BAR page was DMA-mapped by bus address.
 */
unsigned long hs_dmirror_mirror_entry(struct hs_dmirror *dmirror, unsigned long addr)
{
	if ((addr >> PAGE_SHIFT) >= dmirror->npt)
		return 0;
	sim_mutex_lock(&dmirror->mutex);
	unsigned long ent = dpt_get(dmirror, addr >> PAGE_SHIFT);
	sim_mutex_unlock(&dmirror->mutex);
	if (!(ent & DPT_VALID))
		return 0;
	return DPT_PFN(ent) | HMM_PFN_VALID | (ent & DPT_WRITE ? HMM_PFN_WRITE : 0) |
	       (ent & DPT_P2P ? HMM_PFN_P2PDMA : 0) |
	       (ent & DPT_P2P_BUS ? HS_HMM_PFN_P2PDMA_BUS : 0);
}

/**
 * hs_dmirror_set_allow_p2p() - this mirror's faults allow P2P pfns.
 * @dmirror: the mirror
 * @with_requester: name the device's PCI function as range->p2p_requester
 *  (the v2 review's variant; without: the v1 RFC)
 *
 * Not in test_hmm: HMM_PFN_ALLOW_P2P in default_flags, the RFC's RDMA ODP
 * side; P2P pfns that fail to DMA-map are asked for again without it (the
 * mlx5 fallback).  See include/hmmsim/dmirror.h.
 */
void hs_dmirror_set_allow_p2p(struct hs_dmirror *dmirror, bool with_requester)
{
	if (!dmirror->mdevice->pdev)
		sim_fail(HS_KIND_BUG, "%s: P2P needs a PCI function (hs_dmirror_device_set_pci)",
			 dmirror->mdevice->name);
	dmirror->allow_p2p = true;
	dmirror->p2p_with_requester = with_requester;
}

/**
 * hs_dmirror_set_bug() - give this mirror one of the hs_dmirror_bug behaviours.
 * @dmirror: the mirror
 * @bug: the bug (HS_DMIRROR_BUG_NONE: the correct driver)
 */
void hs_dmirror_set_bug(struct hs_dmirror *dmirror, enum hs_dmirror_bug bug)
{
	dmirror->bug = bug;
	/* This bug waits for a folio lock inside the mutex's sections, so they
	 * must not commute under dpor (docs/dpor.md, "A section must not
	 * wait"); set before the scenario's threads run. */
	dmirror->mutex.s.annotated = bug != HS_DMIRROR_BUG_LOCK_PAGE_UNDER_MUTEX;
}

/*
 * The DMA mapping of a P2P pfn (mlx5 ODP: hmm_dma_map_pfn() ->
 * pci_p2pdma_state()) for an access of kind @write / @atomic: fails when
 * the path from this device to the BAR's provider cannot carry P2P, or
 * cannot carry that kind of access (hs_pci_p2p_path_ok(): a link without
 * writes, without AtomicOps, or closed in this direction; not a kernel
 * notion, see docs/p2p.md "Asymmetric paths"), or this device has no PCI
 * function.  *@bus (may be NULL): mapped by bus address (BUS_ADDR).
 */
static bool dmirror_p2p_map_ok(struct hs_dmirror *dmirror, struct hs_page *bar, bool write,
			       bool atomic, bool *bus)
{
	struct hs_pci_dev *pdev = dmirror->mdevice->pdev;
	if (!pdev)
		return false;
	enum hs_pci_p2pdma_map_type t = hs_pci_p2pdma_state(bar, pdev);
	if (t == HS_PCI_P2PDMA_MAP_NOT_SUPPORTED || t == HS_PCI_P2PDMA_MAP_NONE ||
	    !hs_pci_p2p_path_ok(hs_pci_p2pdma_pgmap_provider(bar->pgmap), pdev, write, atomic))
		return false;
	if (bus)
		*bus = t == HS_PCI_P2PDMA_MAP_BUS_ADDR;
	return true;
}

/*
 * dmirror_do_fault(): program the mirror from the pfns, under the mutex.
 * P2P pfns are DMA-mapped first, all of them before any entry is written,
 * for the kind of access that faulted (a write when the range asked for
 * REQ_WRITE, @atomic for a device atomic): -EREMOTEIO with *p2p_failed
 * (bit i: pfn i, may be NULL) when some cannot be, and nothing programmed.
 * A P2P entry then allows what the link allows beyond that (write, atomics)
 * and records a bus-address mapping: HMM_PFN_P2PDMA_BUS in the pfn word
 * (the kernel's hmm_dma_map_pfn() sets it for PCI_P2PDMA_MAP_BUS_ADDR, not
 * for THRU_HOST_BRIDGE) and DPT_P2P_BUS in the entry.
 */
static int dmirror_do_fault(struct hs_dmirror *dmirror, struct hmm_range *range, bool atomic,
			    uint64_t *p2p_failed)
{
	unsigned long *pfns = range->hmm_pfns;
	bool want_write = range->default_flags & HMM_PFN_REQ_WRITE;
	uint64_t failed = 0;

	lockdep_assert_held(&dmirror->mutex);
	dmirror_check_alive(dmirror, "dmirror_do_fault");
	for (unsigned long i = 0; i < (range->end - range->start) >> PAGE_SHIFT && i < 64; i++)
		if ((pfns[i] & (HMM_PFN_VALID | HMM_PFN_P2PDMA)) ==
			(HMM_PFN_VALID | HMM_PFN_P2PDMA) &&
		    !dmirror_p2p_map_ok(dmirror, hmm_pfn_to_page(pfns[i]), want_write || atomic,
					atomic, NULL))
			failed |= 1ull << i;
	if (failed) {
		if (p2p_failed)
			*p2p_failed = failed;
		return -EREMOTEIO;
	}
	for (unsigned long addr = range->start; addr < range->end; addr += PAGE_SIZE, pfns++) {
		if (!(*pfns & HMM_PFN_VALID))
			return -EFAULT;
		struct hs_page *page = hmm_pfn_to_page(*pfns);
		bool write = *pfns & HMM_PFN_WRITE;
		if (!write && (range->default_flags & HMM_PFN_REQ_WRITE))
			return -EFAULT;
		unsigned long ent;
		if (*pfns & HMM_PFN_P2PDMA) {
			bool bus = false;
			dmirror_p2p_map_ok(dmirror, page, false, false, &bus);
			write = write && dmirror_p2p_map_ok(dmirror, page, true, false, NULL);
			bool at = write && dmirror_p2p_map_ok(dmirror, page, true, true, NULL);
			if (bus)
				*pfns |= HS_HMM_PFN_P2PDMA_BUS;
			ent = dpt_entry_p2p(page, write, at, bus);
		} else {
			ent = dpt_entry(page, write);
		}
		dpt_set(dmirror, addr >> PAGE_SHIFT, ent);
		if (sim_tracing()) {
			sim_note(&dmirror->pt[addr >> PAGE_SHIFT], "made", "the mirror entry");
			sim_event("dmirror: mirror %#lx -> pfn %#lx%s%s", addr, page_to_pfn(page),
				  write ? " write" : "",
				  ent & DPT_P2P ? (ent & DPT_P2P_BUS ? " p2p bus" : " p2p") : "");
		}
	}
	return 0;
}

/*
 * dmirror_range_fault(): the documented protocol, as test_hmm has it, with
 * the mlx5 ODP P2P fallback around it (not in test_hmm): when P2P pfns fail
 * to DMA-map, ask again without HMM_PFN_ALLOW_P2P for exactly those pfns:
 * clear the sticky flag in their words, take it out of default_flags and
 * put it in pfn_flags_mask, so every other pfn keeps asking for P2P.  They
 * come back as host memory (fault, migrate_to_ram).
 */
static int dmirror_range_fault_once(struct hs_dmirror *dmirror, struct hmm_range *range,
				    bool atomic, uint64_t *p2p_failed);

static int dmirror_range_fault(struct hs_dmirror *dmirror, struct hmm_range *range, bool atomic)
{
	unsigned long dflt = range->default_flags, mask = range->pfn_flags_mask;
	uint64_t failed = 0;
	int ret;

again:
	ret = dmirror_range_fault_once(dmirror, range, atomic, &failed);
	if (ret == -EREMOTEIO) {
		for (unsigned long i = 0; i < 64; i++)
			if (failed & (1ull << i)) {
				range->hmm_pfns[i] &= ~HMM_PFN_ALLOW_P2P;
				hs_p2p_stats_inc(&hs_p2p_stats.map_failures);
			}
		range->default_flags &= ~HMM_PFN_ALLOW_P2P;
		range->pfn_flags_mask |= HMM_PFN_ALLOW_P2P;
		if (sim_tracing())
			sim_event("dmirror: P2P map failed for %#llx, again without ALLOW_P2P",
				  (unsigned long long)failed);
		goto again;
	}
	range->default_flags = dflt;
	range->pfn_flags_mask = mask;
	return ret;
}

/* dmirror_range_fault() itself: one round of the protocol and programming. */
static int dmirror_range_fault_once(struct hs_dmirror *dmirror, struct hmm_range *range,
				    bool atomic, uint64_t *p2p_failed)
{
	struct mm_struct *mm = dmirror->mm;
	unsigned int ebusy_retries = 0;
	int ret;

	for (;;) {
		range->notifier_seq = mmu_interval_read_begin(range->notifier);
		/* the owner lab's mutable keys: each round asks with this
		 * device's key read after read_begin, so that a change of its
		 * own owner (whose invalidation moves the sequence) makes the
		 * round retry or is seen (until session 27 the key was read
		 * once before the first round: a false wrong-owner when the
		 * requester changed cluster, tests/scenarios/owner-requester-change.hsc) */
		if (hs_owner_policy_mutable(hs_owner_policy))
			range->dev_private_owner = dmirror_owner(dmirror);
		mmap_read_lock(mm);
		ret = hmm_range_fault(range);
		mmap_read_unlock(mm);
		/* the bug: amdgpu_hmm_range_get_pages() before v6.6 retried
		 * -EBUSY only until a timeout (HMM_RANGE_DEFAULT_TIMEOUT, 1 s
		 * or more), then the validation failed with it; the timeout
		 * is counted here as HS_KFD_EBUSY_RETRIES retries */
		if (ret == -EBUSY && dmirror->bug == HS_DMIRROR_BUG_EBUSY_FATAL &&
		    ebusy_retries++ == HS_KFD_EBUSY_RETRIES)
			return ret;
		if (ret) {
			if (ret == -EBUSY) {
				/* cond_resched(): the thread it waits for runs meanwhile
				 * on another CPU; a strict-priority schedule would
				 * otherwise starve it and call this a livelock */
				sim_yield();
				continue;
			}
			return ret;
		}
		if (dmirror->bug == HS_DMIRROR_BUG_RETRY_UNLOCKED) {
			/* the bug: the check is not under the lock set_seq takes */
			if (mmu_interval_read_retry(range->notifier, range->notifier_seq)) {
				sim_yield();
				continue;
			}
			sim_mutex_lock(&dmirror->mutex);
			break;
		}
		sim_mutex_lock(&dmirror->mutex);
		if (dmirror->bug != HS_DMIRROR_BUG_NO_RETRY &&
		    mmu_interval_read_retry(range->notifier, range->notifier_seq)) {
			sim_mutex_unlock(&dmirror->mutex);
			sim_yield();
			continue;
		}
		break;
	}
	ret = dmirror_do_fault(dmirror, range, atomic, p2p_failed);
	sim_mutex_unlock(&dmirror->mutex);
	return ret;
}

/* dmirror_fault(): fault [start, end) in, 64 pages at a time; @atomic: for
 * a device atomic (a write that P2P entries must carry as an AtomicOp). */
static int dmirror_fault(struct hs_dmirror *dmirror, unsigned long start, unsigned long end,
			 bool write, bool atomic)
{
	unsigned long pfns[64];
	struct hmm_range range = {
	    .notifier = &dmirror->notifier,
	    .hmm_pfns = pfns,
	    .pfn_flags_mask = 0,
	    .default_flags = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0) |
			     (dmirror->allow_p2p ? HMM_PFN_ALLOW_P2P : 0),
	    /* a mutable key is read in each round (dmirror_range_fault_once()) */
	    .dev_private_owner =
		hs_owner_policy_mutable(hs_owner_policy) ? NULL : dmirror_owner(dmirror),
	    .p2p_requester = dmirror->p2p_with_requester ? dmirror->mdevice->pdev : NULL,
	};
	int ret = 0;

	dmirror_owner_range_init(dmirror, &range);

	for (unsigned long addr = start; addr < end; addr = range.end) {
		range.start = addr;
		range.end = addr + (64ul << PAGE_SHIFT) < end ? addr + (64ul << PAGE_SHIFT) : end;
		ret = dmirror_range_fault(dmirror, &range, atomic);
		if (ret)
			break;
	}
	return ret;
}

/**
 * hs_dmirror_fault() - dmirror_fault(): the documented fault loop for [@start, @end).
 * @dmirror: the mirror
 * @start: first address
 * @end: the address after the range
 * @write: fault for writing
 *
 * Return: 0 or a negative errno (that of hmm_range_fault() or of programming
 * the mirror).
 */
int hs_dmirror_fault(struct hs_dmirror *dmirror, unsigned long start, unsigned long end, bool write)
{
	return dmirror_fault(dmirror, start, end, write, false);
}

/*
 * The coherence oracle, at every device access through the mirror (the
 * mutex held): the mirror entry must name the page the CPU page table maps
 * for that address now — present, device-private or under migration — with
 * write permission if the mirror has it, and that page must not have been
 * freed since the entry was made.  An invalidation that started but whose
 * callback has not run yet cannot hide a difference: the pte changes only
 * after every callback returned, and ours needs the mutex we hold.
 *
 * A P2P entry (DPT_P2P) names a BAR page instead: it is coherent when the
 * CPU page table names the device-private page that BAR page stands for
 * (a device-private entry, or a migration entry while it moves), and the
 * path from this device to the BAR's provider can carry P2P at all.
 */

/*
 * The facts behind a coherence report at @addr (only while the report is
 * built): the mirror entry, where it was made, the pte it disagrees with and
 * the page the entry names (@page: for a P2P entry, the device page its BAR
 * page stands for).
 */
static void dmirror_coherence_facts(struct hs_dmirror *dmirror, unsigned long addr,
				    unsigned long ent, hs_pte_t pte, struct hs_page *page)
{
	char desc[64];

	if (!sim_tracing())
		return;
	sim_violation_fact("property: a device reaches through its mirror only the page the CPU "
			   "page table maps at that address, never with more permission "
			   "(coherence oracle, dmirror_check_coherent())");
	sim_violation_fact("mirror entry: %#lx of %s's mirror -> %spfn %#lx, %s%s, made when the "
			   "page was at generation %lu",
			   addr, dmirror->mdevice->name, ent & DPT_P2P ? "BAR " : "",
			   ent >> DPT_PFN_SHIFT, ent & DPT_WRITE ? "write" : "read-only",
			   ent & DPT_ATOMIC ? ", atomic" : "",
			   (ent >> DPT_GEN_SHIFT) & ((1ul << 20) - 1));
	sim_violation_fact_noted(&dmirror->pt[addr >> PAGE_SHIFT], "made", "the mirror entry");
	sim_violation_fact("cpu pte: %#lx -> %s", addr, hs_pte_describe(pte, desc, sizeof(desc)));
	if (page)
		sim_violation_fact(
		    "page: pfn %#lx is now at generation %lu%s", page_to_pfn(page),
		    (unsigned long)(hs_page_gen(page) & ((1u << 20) - 1)),
		    sim_noted_bits_load(&page->flags, 1ul << HS_PG_FREE, __ATOMIC_RELAXED)
			? ", free"
			: "");
}

static void dmirror_check_coherent(struct hs_dmirror *dmirror, unsigned long addr,
				   unsigned long ent, bool write, bool atomic)
{
	unsigned long pfn = DPT_PFN(ent);
	struct hs_page *page = pfn_to_page(pfn);
	sim_atomic_t *ptep = hs_pte_offset(dmirror->mm, addr);
	hs_pte_t pte = ptep ? (hs_pte_t)sim_noted_load_n(&ptep->v, __ATOMIC_RELAXED) : 0;
	if (hs_pte_none(pte) && dmirror->mm->has_huge) /* a THP: its page's pte */
		pte = hs_huge_pmd_subpage_pte(dmirror->mm, addr);
	bool same =
	    !hs_pte_none(pte) && hs_pte_pfn(pte) == pfn &&
	    (hs_pte_present(pte) || hs_is_device_private_entry(pte) || hs_is_migration_entry(pte));
	/* an atomic grant (make_device_exclusive()) holds only while the CPU
	 * pte is that device-exclusive entry; no other mirror entry may reach
	 * a page the CPU granted a device exclusively */
	if (ent & DPT_EXCL)
		same = hs_swp_type(pte) == HS_SWP_DEVICE_EXCLUSIVE && hs_pte_pfn(pte) == pfn;

	if (ent & DPT_P2P) {
		struct hs_page *bar = page;
		/* asked first: the question may be preempted (RCU) */
		bool path_ok = dmirror_p2p_map_ok(dmirror, bar, write || atomic, atomic, NULL);
		/* the BAR page itself must still be the exporter's: a DMA to a
		 * freed BAR page is a use-after-free whatever the CPU maps */
		hs_page_check(bar, hs_page_gen(bar), "device DMA to a BAR page through the mirror");
		page = bar->zone_device_data; /* the device-private page */
		same = page && !hs_pte_none(pte) && hs_pte_pfn(pte) == page_to_pfn(page) &&
		       (hs_is_device_private_entry(pte) || hs_is_migration_entry(pte));
		if (!path_ok)
			sim_fail(HS_KIND_BUG,
				 "device %s DMAs (%s) to BAR pfn %#lx at %#lx over a path that "
				 "cannot carry it",
				 dmirror->mdevice->name,
				 atomic	 ? "atomic"
				 : write ? "write"
					 : "read",
				 pfn, addr);
	}
	bool cpu_writable = hs_pte_present(pte) ? hs_pte_write(pte) : hs_is_writable_swp_entry(pte);

	char desc[64];
	if (!same || hs_pte_protnone(pte) || ((ent & DPT_WRITE) && !cpu_writable))
		dmirror_coherence_facts(dmirror, addr, ent, pte, page);
	if (!same && (ent & DPT_P2P))
		sim_fail(HS_KIND_COHERENCE,
			 "device %s of %#lx through its mirror reaches BAR pfn %#lx (for device "
			 "pfn %#lx), but the CPU page table has %s there",
			 write ? "write" : "read", addr, pfn, page ? page_to_pfn(page) : 0ul,
			 hs_pte_describe(pte, desc, sizeof(desc)));
	else if (!same && (ent & DPT_EXCL))
		sim_fail(HS_KIND_COHERENCE,
			 "device %s of %#lx through its atomic (device-exclusive) mirror entry for "
			 "pfn %#lx, but the CPU page table has %s there: the grant is gone",
			 atomic	 ? "atomic"
			 : write ? "write"
				 : "read",
			 addr, pfn, hs_pte_describe(pte, desc, sizeof(desc)));
	else if (!same)
		sim_fail(HS_KIND_COHERENCE,
			 "device %s of %#lx through its mirror reaches pfn %#lx, but the CPU page "
			 "table has %s there",
			 write ? "write" : "read", addr, pfn,
			 hs_pte_describe(pte, desc, sizeof(desc)));
	if (hs_pte_protnone(pte)) /* PROT_NONE: the CPU may not even read it */
		sim_fail(HS_KIND_COHERENCE,
			 "device %s of %#lx through its mirror reaches pfn %#lx, but the CPU page "
			 "table grants no access there (%s)",
			 write ? "write" : "read", addr, pfn,
			 hs_pte_describe(pte, desc, sizeof(desc)));
	if ((ent & DPT_WRITE) && !cpu_writable)
		sim_fail(HS_KIND_COHERENCE,
			 "mirror of %#lx is writable (pfn %#lx) but the CPU maps it read-only",
			 addr, pfn);
	/* a device-private page is usable only by the devices of the cluster
	 * its memory belongs to (or by others through the BAR page that stands
	 * for it): the oracle's truth, not the keys the model compares */
	if (!(ent & DPT_P2P) && hs_is_device_private_page(page) &&
	    !dmirror_owner_may_use(dmirror->mdevice, page)) {
		dmirror_owner_facts(dmirror->mdevice, page);
		sim_violation_fact_noted(&dmirror->pt[addr >> PAGE_SHIFT], "made",
					 "the mirror entry");
		sim_fail(HS_KIND_WRONG_OWNER,
			 "device %s reaches device-private pfn %#lx at %#lx, which belongs to %s",
			 dmirror->mdevice->name, pfn, addr, page->pgmap->name);
	}
	/* through a BAR page: the exporter must still grant it (the
	 * p2p-callback owner policy; always true under the others) */
	if ((ent & DPT_P2P) && !dmirror_owner_may_use_p2p(dmirror->mdevice, page)) {
		dmirror_owner_facts(dmirror->mdevice, page);
		sim_violation_fact_noted(&dmirror->pt[addr >> PAGE_SHIFT], "made",
					 "the mirror entry");
		sim_fail(HS_KIND_WRONG_OWNER,
			 "device %s reaches device-private pfn %#lx of %s at %#lx through BAR pfn "
			 "%#lx, but its grant was revoked",
			 dmirror->mdevice->name, page_to_pfn(page), page->pgmap->name, addr, pfn);
	}
	/* same pfn, but is it the same page or one freed and reused since? */
	hs_page_check(page, (uint32_t)(ent >> DPT_GEN_SHIFT), "device access through the mirror");
}

/* What a device access does to a page. */
enum dmirror_op {
	DMIRROR_OP_READ,
	DMIRROR_OP_WRITE,
	DMIRROR_OP_ATOMIC, /* fetch-add: buf[i] in is the addend, out the old value */
};

/*
 * dmirror_do_read() / dmirror_do_write() (and the model's atomic): -ENOENT
 * at the first page the mirror lacks (or lacks write permission or, for an
 * atomic, atomics for).  -EIO when the page is the memory of a device that
 * is gone (surprise unplug): the DMA does not complete, and the model
 * records it as a lost access.
 */
static int dmirror_do_access(struct hs_dmirror *dmirror, unsigned long start, unsigned long end,
			     unsigned long *buf, enum dmirror_op op, unsigned long *done)
{
	bool write = op != DMIRROR_OP_READ, atomic = op == DMIRROR_OP_ATOMIC;

	lockdep_assert_held(&dmirror->mutex);
	dmirror_check_alive(dmirror, "device access");
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE, (*done)++) {
		unsigned long ent = dpt_get(dmirror, addr >> PAGE_SHIFT);
		if (!(ent & DPT_VALID) ||
		    (write && !(ent & DPT_WRITE) && !(atomic && (ent & DPT_EXCL))) ||
		    (atomic && !(ent & DPT_ATOMIC)))
			return -ENOENT;
		dmirror_check_coherent(dmirror, addr, ent, write, atomic);
		struct hs_page *page = pfn_to_page(DPT_PFN(ent));
		/* P2P: a DMA to the BAR page reaches the exporter's memory, the
		 * content of the device-private page it stands for */
		if (ent & DPT_P2P)
			page = page->zone_device_data;
		struct hs_dmirror_device *owner = dmirror_page_device(page);
		if (dmirror_device_is_gone(owner)) {
			dmirror_lost(owner, false, "device %s %s of %#lx reached %s pfn %#lx",
				     dmirror->mdevice->name,
				     atomic  ? "atomic"
				     : write ? "write"
					     : "read",
				     addr, ent & DPT_P2P ? "BAR" : "device", DPT_PFN(ent));
			return -EIO;
		}
		/* the bug: xe's set_page_dirty_lock() of a system page the
		 * device wrote, under the lock the notifier takes (until
		 * session 29 the model locked a device-private page, which no
		 * xe path does: docs/catalog.md) */
		bool pin = dmirror->bug == HS_DMIRROR_BUG_LOCK_PAGE_UNDER_MUTEX && write &&
			   !is_zone_device_page(page);
		if (pin)
			lock_page(page);
		if (atomic) {
			/* one indivisible read-modify-write at the memory */
			unsigned long old =
			    sim_noted_fetch_add(&page->content, buf[*done], __ATOMIC_RELAXED);
			hs_mm_note_write(dmirror->mm, addr, old + buf[*done]);
			buf[*done] = old;
			if (!is_zone_device_page(page))
				hs_set_page_dirty(page);
		} else if (write) {
			hs_page_write(page, buf[*done]);
			hs_mm_note_write(dmirror->mm, addr, buf[*done]);
			/* A device write dirties the page, as RDMA ODP does
			 * (set_page_dirty on unmap): the pte the CPU sees may be
			 * clean, and reclaim would drop a clean swap-cache page.
			 * test_hmm's dmirror_do_write() does not. */
			if (!is_zone_device_page(page))
				hs_set_page_dirty(page);
		} else {
			buf[*done] = hs_page_read(page);
		}
		if (pin)
			unlock_page(page);
		if (sim_tracing())
			sim_event("device %s %#lx: pfn %#lx = %#lx",
				  atomic  ? "atomic"
				  : write ? "write"
					  : "read",
				  addr, page_to_pfn(page), buf[*done]);
	}
	return 0;
}

/*
 * The device's faults and accesses on a mirror are "in flight" from entry
 * to return (mlx5's page-fault work under its SRCU read lock); release()
 * waits for them.  Atomics, not scheduling points: a mirror nobody releases
 * behaves as before.  Return: false when the mirror is being released
 * (the access fails with -ENODEV, as an ODP fault on a destroyed MR).
 */
static bool dmirror_enter(struct hs_dmirror *dmirror)
{
	/* the lookup (mlx5: the MR in its xarray) fails once release began */
	if (sim_noted_load_n(&dmirror->dying, __ATOMIC_SEQ_CST))
		return false;
	sim_noted_add_fetch(&dmirror->inflight, 1, __ATOMIC_SEQ_CST);
	if (!sim_noted_load_n(&dmirror->dying, __ATOMIC_SEQ_CST))
		return true;
	if (sim_noted_sub_fetch(&dmirror->inflight, 1, __ATOMIC_SEQ_CST) == 0)
		sim_wake_up_all(&dmirror->release_wq);
	return false;
}

static void dmirror_exit(struct hs_dmirror *dmirror)
{
	if (sim_noted_sub_fetch(&dmirror->inflight, 1, __ATOMIC_SEQ_CST) == 0 &&
	    sim_noted_load_n(&dmirror->dying, __ATOMIC_SEQ_CST))
		sim_wake_up_all(&dmirror->release_wq);
}

/* dmirror_read() / dmirror_write(): access, fault what is missing, again. */
static int dmirror_access(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			  unsigned long *buf, enum dmirror_op op, unsigned long *faults)
{
	unsigned long end = addr + (npages << PAGE_SHIFT), done = 0, start = addr;
	int ret;

	if (faults)
		*faults = 0;
	if (!npages || (addr & ~PAGE_MASK) || (end >> PAGE_SHIFT) > dmirror->npt)
		return -EINVAL;
	if (!dmirror_enter(dmirror))
		return -ENODEV;
	for (;;) {
		sim_mutex_lock(&dmirror->mutex);
		ret = dmirror_do_access(dmirror, start, end, buf, op, &done);
		sim_mutex_unlock(&dmirror->mutex);
		if (ret != -ENOENT)
			break;
		start = addr + (done << PAGE_SHIFT);
		ret = dmirror_fault(dmirror, start, end, op != DMIRROR_OP_READ,
				    op == DMIRROR_OP_ATOMIC);
		if (ret)
			break;
		if (faults)
			(*faults)++;
	}
	dmirror_exit(dmirror);
	return ret;
}

/**
 * hs_dmirror_read() - dmirror_read(): HMM_DMIRROR_READ.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages to read
 * @out: out[i] = the word at @addr + i pages, as the device sees it
 * @faults: the device faults taken (may be NULL)
 *
 * Return: 0 or a negative errno.
 */
int hs_dmirror_read(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
		    unsigned long *out, unsigned long *faults)
{
	return dmirror_access(dmirror, addr, npages, out, DMIRROR_OP_READ, faults);
}

/**
 * hs_dmirror_write() - dmirror_write(): HMM_DMIRROR_WRITE.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages to write
 * @in: in[i] is stored at @addr + i pages through the mirror
 * @faults: the device faults taken (may be NULL)
 *
 * Return: 0 or a negative errno.
 */
int hs_dmirror_write(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
		     const unsigned long *in, unsigned long *faults)
{
	return dmirror_access(dmirror, addr, npages, (unsigned long *)in, DMIRROR_OP_WRITE, faults);
}

/**
 * hs_dmirror_atomic() - a device fetch-add through the mirror.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages
 * @add: added to each page's word
 * @old: old[i] receives the value before (may be NULL)
 * @faults: the device faults taken (may be NULL)
 *
 * Not in test_hmm.  It needs a mirror entry that allows atomics (see
 * include/hmmsim/dmirror.h).
 *
 * Return: 0 or a negative errno.
 */
int hs_dmirror_atomic(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
		      unsigned long add, unsigned long *old, unsigned long *faults)
{
	if (!npages || npages > dmirror->npt)
		return -EINVAL;
	unsigned long *buf = sim_alloc(npages * sizeof(*buf));
	for (unsigned long i = 0; i < npages; i++)
		buf[i] = add;
	int ret = dmirror_access(dmirror, addr, npages, buf, DMIRROR_OP_ATOMIC, faults);
	if (!ret && old)
		memcpy(old, buf, npages * sizeof(*old));
	return ret;
}

/* ---- the fault protocol step by step: the steps that need the driver's statics --- */

/**
 * hs_dmirror_program() - a step of dmirror_range_fault(): dmirror_do_fault().
 * @dmirror: the mirror; its mutex held
 * @start: first address
 * @npages: pages (at most 64)
 * @pfns: as hs_dmirror_range_fault() filled them
 * @write: as requested from hmm_range_fault()
 *
 * Programs the mirror's page table; P2P pfns are DMA-mapped first.
 *
 * Return: 0, -EREMOTEIO when a P2P pfn cannot be DMA-mapped (nothing
 * programmed), -EFAULT at an entry that is not valid (or not writable when
 * @write), -EINVAL for a bad range.
 */
int hs_dmirror_program(struct hs_dmirror *dmirror, unsigned long start, unsigned long npages,
		       const unsigned long *pfns, bool write)
{
	struct hmm_range range = {
	    .notifier = &dmirror->notifier,
	    .start = start,
	    .end = start + (npages << PAGE_SHIFT),
	    .hmm_pfns = (unsigned long *)pfns,
	    .default_flags = HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0),
	    .dev_private_owner = dmirror_owner(dmirror),
	};

	lockdep_assert_held(&dmirror->mutex);
	if (!npages || npages > 64 || (start & ~PAGE_MASK) ||
	    (range.end >> PAGE_SHIFT) > dmirror->npt)
		return -EINVAL;
	unsigned long words[64];
	memcpy(words, pfns, npages * sizeof(*words)); /* the driver may flag them */
	range.hmm_pfns = words;
	return dmirror_do_fault(dmirror, &range, false, NULL);
}

/**
 * hs_dmirror_access_mirror() - dmirror_do_read() / dmirror_do_write() alone.
 * @dmirror: the mirror; its mutex held
 * @addr: first address
 * @npages: pages
 * @buf: the words read, or to write
 * @write: a write (else a read)
 *
 * Through the mirror only, never faulting, each page checked by the coherence
 * oracle.
 *
 * Return: 0, -ENOENT at the first page the mirror lacks (or lacks write
 * permission for), -EINVAL for a bad range.
 */
int hs_dmirror_access_mirror(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			     unsigned long *buf, bool write)
{
	unsigned long done = 0;

	lockdep_assert_held(&dmirror->mutex);
	if (!npages || npages > dmirror->npt || (addr & ~PAGE_MASK) ||
	    (addr >> PAGE_SHIFT) > dmirror->npt - npages)
		return -EINVAL;
	return dmirror_do_access(dmirror, addr, addr + (npages << PAGE_SHIFT), buf,
				 write ? DMIRROR_OP_WRITE : DMIRROR_OP_READ, &done);
}
