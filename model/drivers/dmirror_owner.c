// SPDX-License-Identifier: MIT
/*
 * The reference driver's owner: how a dmirror device keeps the key its
 * pagemap's owner and its mirrors carry, and how it changes it, under each
 * owner policy (include/hmmsim/owner.h, docs/owner-semantics.md).  The
 * hooks at the end are called by model/drivers/dmirror.c.
 */
#include "dmirror_internal.h"

/*
 * The key this device's mirrors pass as dev_private_owner / pgmap_owner.
 * Fixed owners: setup data, not a scheduling point (the model as it was).
 * Mutable: the plain load that races with the change; marked and
 * reregister: the driver's own READ_ONCE.
 */
void *dmirror_key_load(struct hs_dmirror_device *mdevice)
{
	if (!hs_owner_policy_mutable(hs_owner_policy))
		return mdevice->owner_key;
	if (hs_owner_policy == HS_OWNER_MUTABLE)
		return SIM_PLAIN_READ(mdevice->owner_key);
	return SIM_READ_ONCE(mdevice->owner_key);
}

static void dmirror_key_store(struct hs_dmirror_device *mdevice, void *key)
{
	if (hs_owner_policy == HS_OWNER_MUTABLE)
		SIM_PLAIN_WRITE(mdevice->owner_key, key);
	else
		SIM_WRITE_ONCE(mdevice->owner_key, key);
}

/* The owner set in its dev_pagemap (test_hmm: the dmirror_device). */
void *hs_dmirror_device_owner(struct hs_dmirror_device *mdevice)
{
	return dmirror_key_load(mdevice);
}

/* Not in test_hmm: setup only, before other threads run. */
void hs_dmirror_device_set_owner(struct hs_dmirror_device *mdevice, void *cluster, void *key)
{
	mdevice->cluster = mdevice->mem_cluster = cluster;
	mdevice->owner_key = key;
	mdevice->pgmap->owner = key;
}

/* The oracle's owner truth (no scheduling point): the cluster of @mdevice,
 * or with @mem the cluster allowed to use its memory. */
static void *dmirror_oracle_cluster(struct hs_dmirror_device *mdevice, bool mem)
{
	return __atomic_load_n(mem ? &mdevice->mem_cluster : &mdevice->cluster, __ATOMIC_RELAXED);
}

/* ---- owner changes (the owner-field design lab, include/hmmsim/owner.h) ----------- */

/* The oracle learns the change is complete: from now on only @cluster's
 * devices may use this device's memory directly. */
static void dmirror_owner_commit(struct hs_dmirror_device *mdevice, void *cluster)
{
	__atomic_store_n(&mdevice->cluster, cluster, __ATOMIC_RELAXED);
	__atomic_store_n(&mdevice->mem_cluster, cluster, __ATOMIC_RELAXED);
	if (sim_tracing())
		sim_event("%s: owner change complete", mdevice->name);
}

/*
 * Reregister: stop allocating, evict every page (as device removal does),
 * memunmap_pages() (which waits until every page is free), then a new
 * dev_pagemap with the new owner and a new pfn range.
 */
static int dmirror_device_reregister(struct hs_dmirror_device *mdevice, void *cluster, void *key)
{
	struct dev_pagemap *old = mdevice->pgmap, *pgmap = sim_alloc(sizeof(*pgmap));
	unsigned long n = mdevice->nr_pages;

	if (mdevice->bar)
		return -EOPNOTSUPP;
	spin_lock(&mdevice->lock);
	mdevice->draining = true;
	mdevice->nr_free = 0;
	spin_unlock(&mdevice->lock);
	dmirror_device_evict(mdevice);
	memunmap_pages(old);
	pgmap->type = old->type;
	pgmap->ops = old->ops;
	pgmap->driver = mdevice;
	pgmap->name = old->name;
	pgmap->owner = key;
	if (memremap_pages(pgmap, n))
		sim_fail(HS_KIND_BUG, "%s: memremap_pages of the new pagemap failed",
			 mdevice->name);
	dmirror_key_store(mdevice, key);
	dmirror_owner_commit(mdevice, cluster);
	spin_lock(&mdevice->lock);
	mdevice->pgmap = pgmap;
	for (unsigned long i = n; i-- > 0;)
		mdevice->free_pfns[mdevice->nr_free++] = pgmap->start_pfn + i;
	mdevice->draining = false;
	spin_unlock(&mdevice->lock);
	hs_owner_stats_inc(&hs_owner_stats.reregisters, 1);
	return 0;
}

int hs_dmirror_device_change_owner(struct hs_dmirror_device *mdevice, void *cluster, void *key)
{
	int ret = 0;

	switch (hs_owner_policy) {
	case HS_OWNER_MUTABLE:
		/* in place, plain stores: core mm reads the owner with plain loads */
		SIM_PLAIN_WRITE(mdevice->pgmap->owner, key);
		dmirror_key_store(mdevice, key);
		dmirror_owner_commit(mdevice, cluster);
		break;
	case HS_OWNER_MUTABLE_MARKED:
		/* WRITE_ONCE, then invalidate every mm a mirror of the device
		 * mirrors: a fault that read the old owner retries, a mirror
		 * entry made under it is dropped */
		SIM_WRITE_ONCE(mdevice->pgmap->owner, key);
		dmirror_key_store(mdevice, key);
		for (unsigned int i = 0; i < mdevice->nr_mms; i++) {
			struct hs_mm *mm = mdevice->mms[i];
			struct hs_mmu_notifier_range r;
			hs_mmu_notifier_range_init(&r, HS_MMU_NOTIFY_CLEAR,
						   HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm, 0,
						   mm->va_size, NULL);
			hs_mmu_notifier_invalidate_range_start(&r);
			hs_mmu_notifier_invalidate_range_end(&r);
			hs_owner_stats_inc(&hs_owner_stats.invalidations, 1);
		}
		dmirror_owner_commit(mdevice, cluster);
		break;
	case HS_OWNER_REREGISTER:
		ret = dmirror_device_reregister(mdevice, cluster, key);
		break;
	default:
		return -EOPNOTSUPP; /* the owner is fixed when the pagemap is created */
	}
	if (!ret)
		hs_owner_stats_inc(&hs_owner_stats.changes, 1);
	return ret;
}

/* ---- hooks (dmirror_internal.h) --------------------------------------------------- */

void dmirror_owner_device_init(struct hs_dmirror_device *mdevice)
{
	(void)mdevice;
}

void dmirror_owner_device_pci(struct hs_dmirror_device *mdevice)
{
	(void)mdevice;
}

void dmirror_owner_device_gone(struct hs_dmirror_device *mdevice)
{
	(void)mdevice;
}

bool dmirror_owner_p2p_grant(struct hs_dmirror_device *exporter, struct hs_page *page,
			     struct hs_pci_dev *client)
{
	(void)exporter;
	(void)page;
	(void)client;
	return true;
}

void dmirror_owner_range_init(struct hs_dmirror *dmirror, struct hmm_range *range)
{
	(void)dmirror;
	(void)range;
}

/* a device-private page is usable only by the devices of the cluster its
 * memory belongs to; pages of other drivers' pagemaps by their owner key */
bool dmirror_owner_may_use(struct hs_dmirror_device *accessor, struct hs_page *page)
{
	if (page->pgmap->ops->page_free != dmirror_devmem_free)
		return page->pgmap->owner == accessor->owner_key;
	return dmirror_oracle_cluster(page->pgmap->driver, true) ==
	       dmirror_oracle_cluster(accessor, false);
}
