// SPDX-License-Identifier: MIT
/*
 * The reference driver's owner: how a dmirror device keeps the key its
 * pagemap's owner and its mirrors carry, and how it changes it, under each
 * owner policy (include/hmmsim/owner.h, docs/owner-semantics.md).  The
 * hooks at the end are called by model/drivers/dmirror.c.
 *
 * Which accesses are annotated, and why: the registry's lock
 * (owner_list->lock) protects the device and peer lists and each device's
 * member, group, listed and gone; the grant lock protects the grant set
 * under HS_OWNER_F_LOCKED.  Their plain accesses (and the plain reads of
 * those fields outside the locks, and of a fixed policy's owner key, which a
 * peer-group join writes) are noted for dpor (HS_NOTED(), owner_peers_note(),
 * owner_devs_note(): sim_note_access(), no scheduling point); the grant set
 * is otherwise read and written with annotated accesses.  So both locks are
 * marked annotated: dpor orders two of their sections only when their
 * contents conflict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hmmsim/switches.h>

#include "dmirror_internal.h"

/*
 * The group and callback policies' state (peer-group, p2p-callback,
 * range-callback), one per device, and a per-execution registry of the
 * devices.  A scenario resets it with hs_owner_lab_reset() after
 * hs_machine_init(); the fallback (a new registry when hs_mach differs)
 * cannot tell two executions apart when the arena puts the machine at the
 * same address, so it is no substitute.
 *
 * p2p-callback / range-callback: every device keeps its own owner key; its
 * memory is granted to the devices whose bit is set in @grant (the driver's
 * state, read by the callbacks: marked accesses, or plain ones under
 * HS_OWNER_F_PLAIN, or under @grant_lock with HS_OWNER_F_LOCKED).
 * @grant_truth is the oracle's copy, updated when a change is complete.
 * @member is the interconnect cluster the device was put in (set_owner /
 * change_owner): the grant sets are "every device of my cluster" plus the
 * explicit grants in @extra.
 *
 * peer-group: @group is the owner object of the group the device joined
 * (drm_pagemap_acquire_owner()); @listed while it is on the registry's
 * peer list, @gone once its removal started.
 */
#define OWNER_MAX_DEVICES 16

struct dmirror_owner_state {
	struct hs_dmirror_device *dev;
	unsigned int idx;
	struct hs_hmm_p2p_allow allow; /* range-callback: the requester's callback */
	void *member;
	unsigned long grant, grant_truth, extra;
	spinlock_t grant_lock;
	void *group;
	bool listed, gone;
};

struct owner_registry {
	struct hs_machine *mach;
	sim_mutex_t lock; /* drm_pagemap_owner_list->lock */
	struct dmirror_owner_state *devs[OWNER_MAX_DEVICES];
	unsigned int nr_devs;
	/* the peer-group list, members of one group next to each other */
	struct dmirror_owner_state *peers[OWNER_MAX_DEVICES];
	unsigned int nr_peers;
};

static struct owner_registry *owner_reg;

/*
 * The peer list (peers[], nr_peers) under the registry's lock: plain C, one
 * note on nr_peers for the whole list (coarse, so sound; no scheduling
 * point), a write when the section changes it.  The device list (devs[],
 * nr_devs) is noted the same way on nr_devs.
 */
static void owner_peers_note(struct owner_registry *r, bool write)
{
	sim_note_access(&r->nr_peers, write);
}

static void owner_devs_note(struct owner_registry *r, bool write)
{
	sim_note_access(&r->nr_devs, write);
}

static bool owner_policy_uses_state(void)
{
	return hs_owner_policy == HS_OWNER_P2P_CALLBACK || hs_owner_policy == HS_OWNER_PEER_GROUP ||
	       hs_owner_policy == HS_OWNER_RANGE_CALLBACK;
}

static bool owner_policy_grants(void)
{
	return hs_owner_policy == HS_OWNER_P2P_CALLBACK ||
	       hs_owner_policy == HS_OWNER_RANGE_CALLBACK;
}

/**
 * hs_owner_lab_reset() - a fresh owner registry for this execution.
 *
 * Not a kernel function: the reference driver's per-execution owner state
 * (the peer-group registry, the grant sets).  A scenario that uses the group
 * or callback policies calls it after hs_machine_init(), before it creates
 * devices.
 */
void hs_owner_lab_reset(void)
{
	owner_reg = sim_alloc(sizeof(*owner_reg));
	owner_reg->mach = hs_mach;
	sim_mutex_init(&owner_reg->lock, "owner_list->lock");
	/* the device and peer lists, each os's member, group, listed, gone */
	sim_mutex_annotated(&owner_reg->lock);
}

static struct owner_registry *owner_registry(void)
{
	if (!owner_reg || owner_reg->mach != hs_mach)
		hs_owner_lab_reset();
	return owner_reg;
}

/*
 * The key this device's mirrors pass as dev_private_owner / pgmap_owner.
 * Fixed owners: setup data, not a scheduling point (the model as it was).
 * Mutable: the plain load that races with the change; marked and
 * reregister: the driver's own READ_ONCE.
 */
void *dmirror_key_load(struct hs_dmirror_device *mdevice)
{
	if (!hs_owner_policy_mutable(hs_owner_policy))
		return HS_NOTED(mdevice->owner_key);
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

/**
 * hs_dmirror_device_owner() - the owner key of the device's pagemap and mirrors.
 * @mdevice: the device
 *
 * test_hmm: the dmirror_device itself; here as the owner policy keeps it.
 *
 * Return: the key.
 */
void *hs_dmirror_device_owner(struct hs_dmirror_device *mdevice)
{
	return dmirror_key_load(mdevice);
}

/* ---- grant sets (p2p-callback, range-callback) ------------------------------------- */

/* Every device of @os's cluster, itself, and its explicit grants. */
static unsigned long owner_grants_of(struct owner_registry *r, struct dmirror_owner_state *os)
{
	unsigned long g = os->extra | 1ul << os->idx;
	owner_devs_note(r, false);
	for (unsigned int i = 0; i < r->nr_devs; i++)
		if (HS_NOTED(r->devs[i]->member) == HS_NOTED(os->member))
			g |= 1ul << i;
	return g;
}

/* Setup only: every grant set and its oracle copy from the clusters. */
static void owner_grants_setup(void)
{
	struct owner_registry *r = owner_registry();
	owner_devs_note(r, false);
	for (unsigned int i = 0; i < r->nr_devs; i++) {
		struct dmirror_owner_state *os = r->devs[i];
		HS_NOTED_SET(os->grant, owner_grants_of(r, os));
		sim_noted_store_n(&os->grant_truth, os->grant, __ATOMIC_RELAXED);
	}
}

/*
 * The callbacks' read of an exporter's grant set: the per-page driver lock
 * of the locked variant (counted), a plain load (the ablation), or
 * READ_ONCE.
 */
static unsigned long owner_grant_load(struct dmirror_owner_state *os)
{
	unsigned long g;
	if (hs_owner_flags & HS_OWNER_F_LOCKED) {
		spin_lock(&os->grant_lock);
		g = SIM_PLAIN_READ(os->grant);
		spin_unlock(&os->grant_lock);
		hs_p2p_stats_inc(&hs_p2p_stats.lock_acquisitions);
	} else if (hs_owner_flags & HS_OWNER_F_PLAIN) {
		g = SIM_PLAIN_READ(os->grant);
	} else {
		g = SIM_READ_ONCE(os->grant);
	}
	return g;
}

static void owner_grant_store(struct dmirror_owner_state *os, unsigned long g)
{
	if (hs_owner_flags & HS_OWNER_F_LOCKED) {
		spin_lock(&os->grant_lock);
		SIM_PLAIN_WRITE(os->grant, g);
		spin_unlock(&os->grant_lock);
	} else if (hs_owner_flags & HS_OWNER_F_PLAIN) {
		SIM_PLAIN_WRITE(os->grant, g);
	} else {
		SIM_WRITE_ONCE(os->grant, g);
	}
}

/**
 * hs_dmirror_device_grant() - @exporter's memory is also granted to @importer.
 * @exporter: the device whose memory is granted
 * @importer: the device granted it, beyond its cluster
 *
 * Not in test_hmm.  p2p-callback and range-callback; a no-op under the
 * others.  Setup only.
 */
void hs_dmirror_device_grant(struct hs_dmirror_device *exporter, struct hs_dmirror_device *importer)
{
	if (!owner_policy_grants() || !exporter->os || !importer->os)
		return;
	exporter->os->extra |= 1ul << importer->os->idx;
	owner_grants_setup();
}

/* ---- peer groups (peer-group) ---------------------------------------------------- */

/*
 * Physical reachability, the peer-group policy's has_interconnect() and its
 * oracle's truth: a device reaches itself, and another one when the PCI
 * topology lets them talk (pci_p2pdma_map_type() is not NOT_SUPPORTED) and
 * no link limit (hs_pci_link_set(), the model's stand-in for a missing
 * fast-interconnect link) closes reads either way.  Setup data, no
 * scheduling point.
 */
static bool owner_reach(struct hs_dmirror_device *x, struct hs_dmirror_device *y)
{
	if (x == y)
		return true;
	if (!x->pdev || !y->pdev)
		return false;
	return hs_pci_p2pdma_map_type(y->pdev, x->pdev) != HS_PCI_P2PDMA_MAP_NOT_SUPPORTED &&
	       hs_pci_p2p_path_ok(y->pdev, x->pdev, false, false) &&
	       hs_pci_p2p_path_ok(x->pdev, y->pdev, false, false);
}

static void owner_peer_unlist(struct owner_registry *r, unsigned int i)
{
	owner_peers_note(r, true);
	HS_NOTED_SET(r->peers[i]->listed, false);
	for (; i + 1 < r->nr_peers; i++)
		r->peers[i] = r->peers[i + 1];
	r->nr_peers--;
}

/*
 * drm_pagemap_acquire_owner() (drivers/gpu/drm/drm_pagemap_util.c), called
 * when the device gets its PCI function: under the owner list's lock, walk
 * the registered peers group by group in list order and join the first
 * group all of whose members the newcomer reaches (its owner object, shared);
 * reaching none, a new owner object of its own at the tail.  The list keeps
 * the members of a group next to each other, as the kernel's does.
 * Simplified: no kref on the owner object (it lives for the execution), no
 * -ENOMEM.  Under HS_OWNER_F_LEAVE_DRAINED a removed member whose pagemap is
 * drained (memunmap_pages()'s wait is over) is taken off the list first
 * (see dmirror_owner_device_gone()).  The pagemap's owner is set here,
 * after memremap_pages(), before any page of it is in use.
 */
static void owner_peer_group_join(struct hs_dmirror_device *mdevice)
{
	struct owner_registry *r = owner_registry();
	struct dmirror_owner_state *os = mdevice->os;
	void *owner = NULL;
	unsigned int at = 0;

	sim_mutex_lock(&r->lock);
	owner_peers_note(r, true); /* this section always adds @mdevice */
	for (unsigned int i = 0; i < r->nr_peers;)
		if (HS_NOTED(r->peers[i]->gone) &&
		    sim_completion_done(&HS_NOTED(r->peers[i]->dev->pgmap)->done))
			owner_peer_unlist(r, i);
		else
			i++;
	for (unsigned int i = 0; i < r->nr_peers && !owner;) {
		void *group = HS_NOTED(r->peers[i]->group);
		bool all = true;
		unsigned int j = i;
		for (; j < r->nr_peers && HS_NOTED(r->peers[j]->group) == group; j++)
			all = all && owner_reach(mdevice, r->peers[j]->dev);
		if (all) {
			owner = group;
			at = j;
		}
		i = j;
	}
	if (!owner) {
		owner = sim_alloc(8); /* a new struct drm_pagemap_owner */
		at = r->nr_peers;
	}
	for (unsigned int i = r->nr_peers; i > at; i--)
		r->peers[i] = r->peers[i - 1];
	r->peers[at] = os;
	r->nr_peers++;
	HS_NOTED_SET(os->group, owner);
	HS_NOTED_SET(os->listed, true);
	HS_NOTED_SET(mdevice->owner_key, owner);
	HS_NOTED_SET(HS_NOTED(mdevice->pgmap)->owner, owner);
	sim_mutex_unlock(&r->lock);
	if (sim_tracing())
		sim_event("%s: joined peer group %u", mdevice->name, at);
}

/**
 * hs_dmirror_device_set_owner() - the device's cluster and owner key.
 * @mdevice: the device
 * @cluster: the interconnect cluster it belongs to (the oracle's truth)
 * @key: the key its pagemap and mirrors carry (hs_owner_key())
 *
 * Not in test_hmm: setup only, before other threads run.
 */
void hs_dmirror_device_set_owner(struct hs_dmirror_device *mdevice, void *cluster, void *key)
{
	mdevice->cluster = mdevice->mem_cluster = cluster;
	if (owner_policy_grants() && mdevice->os) {
		/* each device keeps its own key; the cluster names its grants */
		HS_NOTED_SET(mdevice->os->member, cluster);
		owner_grants_setup();
		return;
	}
	if (hs_owner_policy == HS_OWNER_PEER_GROUP)
		return; /* the key is the group joined at registration */
	mdevice->owner_key = key;
	mdevice->pgmap->owner = key;
}

/* The oracle's owner truth (no scheduling point): the cluster of @mdevice,
 * or with @mem the cluster allowed to use its memory. */
static void *dmirror_oracle_cluster(struct hs_dmirror_device *mdevice, bool mem)
{
	return (
	    sim_noted_load_n(mem ? &mdevice->mem_cluster : &mdevice->cluster, __ATOMIC_RELAXED));
}

/* ---- owner changes (the owner-field design lab, include/hmmsim/owner.h) ----------- */

/*
 * The oracle learns a change has begun, before the new key (or grant) is
 * stored: until the change is complete, what the old and the new ownership
 * allow are both allowed (a fault may use the new key as soon as it is
 * stored; the old one is cut off by the invalidation, which the change
 * waits for).  Until session 27 the new ownership counted only at the end,
 * so a device joining a cluster that faulted in between was a false
 * wrong-owner (tests/scenarios/owner-join.hsc).
 */
static void dmirror_owner_begin(struct hs_dmirror_device *mdevice, void *cluster)
{
	sim_noted_store_n(&mdevice->cluster_next, cluster, __ATOMIC_RELAXED);
}

/* The oracle learns the change is complete: from now on only @cluster's
 * devices may use this device's memory directly. */
static void dmirror_owner_commit(struct hs_dmirror_device *mdevice, void *cluster)
{
	sim_noted_store_n(&mdevice->cluster, cluster, __ATOMIC_RELAXED);
	sim_noted_store_n(&mdevice->mem_cluster, cluster, __ATOMIC_RELAXED);
	sim_noted_store_n(&mdevice->cluster_next, NULL, __ATOMIC_RELAXED);
	if (sim_tracing())
		sim_event("%s: owner change complete", mdevice->name);
}

/*
 * Invalidate every mm a mirror of @mdevice mirrors (its memory is mapped
 * only there): a fault that read the old ownership retries (its notifier
 * sequence moved), a mirror entry made under it is dropped.  What
 * mutable-marked and the grant policies do after a change.
 */
static void dmirror_owner_invalidate_mm(struct hs_mm *mm)
{
	struct hs_mmu_notifier_range r;
	hs_mmu_notifier_range_init(&r, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm, 0,
				   mm->va_size, NULL);
	hs_mmu_notifier_invalidate_range_start(&r);
	hs_mmu_notifier_invalidate_range_end(&r);
	hs_owner_stats_inc(&hs_owner_stats.invalidations, 1);
}

static void dmirror_owner_invalidate_users(struct hs_dmirror_device *mdevice)
{
	for (unsigned int i = 0; i < mdevice->nr_mms; i++)
		dmirror_owner_invalidate_mm(mdevice->mms[i]);
}

/*
 * p2p-callback / range-callback: @mdevice moves to @cluster: every grant set
 * that changes is stored (as the variant says), then the users of each
 * device whose grant set changed are invalidated (unless the ablation
 * HS_OWNER_F_NO_INVALIDATE), then the oracle learns the new grants.  A grant
 * handed out before the change cannot outlive it: the invalidation is what
 * ends it, not the callback (which is asked only at fault time).
 */
static void dmirror_owner_regrant(struct hs_dmirror_device *mdevice, void *cluster)
{
	struct owner_registry *r = owner_registry();
	unsigned long changed = 0;

	sim_mutex_lock(&r->lock);
	dmirror_owner_begin(mdevice, cluster);
	HS_NOTED_SET(mdevice->os->member, cluster);
	owner_devs_note(r, false);
	for (unsigned int i = 0; i < r->nr_devs; i++) {
		struct dmirror_owner_state *os = r->devs[i];
		unsigned long g = owner_grants_of(r, os);
		if (g != HS_NOTED(os->grant)) { /* only changes write it: no race */
			/* the oracle: a grant added counts from its store, one
			 * taken away only once the users are invalidated */
			sim_noted_store_n(&os->grant_truth,
					  sim_noted_load_n(&os->grant_truth, __ATOMIC_RELAXED) | g,
					  __ATOMIC_RELAXED);
			owner_grant_store(os, g);
			changed |= 1ul << i;
		}
	}
	sim_mutex_unlock(&r->lock);
	/* each mm mapping the memory of a device whose grants changed, once */
	struct hs_mm *mms[OWNER_MAX_DEVICES * 4];
	unsigned int nr_mms = 0;
	for (unsigned int i = 0; i < r->nr_devs; i++) {
		struct hs_dmirror_device *d = r->devs[i]->dev;
		for (unsigned int k = 0; (changed & 1ul << i) && k < d->nr_mms; k++) {
			unsigned int m = 0;
			while (m < nr_mms && mms[m] != d->mms[k])
				m++;
			if (m == nr_mms)
				mms[nr_mms++] = d->mms[k];
		}
	}
	for (unsigned int m = 0; m < nr_mms && !(hs_owner_flags & HS_OWNER_F_NO_INVALIDATE); m++)
		dmirror_owner_invalidate_mm(mms[m]);
	for (unsigned int i = 0; i < r->nr_devs; i++)
		sim_noted_store_n(&r->devs[i]->grant_truth, owner_grants_of(r, r->devs[i]),
				  __ATOMIC_RELAXED);
	dmirror_owner_commit(mdevice, cluster);
}
/*
 * Reregister, under the devmem_lock as device removal: stop allocating,
 * evict every page (as the removal does), memunmap_pages() (which waits
 * until every page is free), then a new
 * dev_pagemap with the new owner and a new pfn range, and the device's own
 * mirrors invalidated (what it mapped of others' memory under its old key).
 */
static int dmirror_device_reregister(struct hs_dmirror_device *mdevice, void *cluster, void *key)
{
	struct dev_pagemap *old = HS_NOTED(mdevice->pgmap), *pgmap = sim_alloc(sizeof(*pgmap));
	unsigned long n = mdevice->nr_pages;

	if (mdevice->bar)
		return -EOPNOTSUPP;
	/* a device whose memory was removed (evict, unplug) has no pagemap to
	 * replace (until session 27 its memunmap_pages() ran a second time:
	 * a false refcount report); the devmem_lock holds a removal off until
	 * the new pagemap is in (until session 29 the two could run at once:
	 * tests/scenarios/owner-reregister-unplug-race.hsc) */
	sim_mutex_lock(&mdevice->devmem_lock);
	if (sim_noted_load_n(&mdevice->removed, __ATOMIC_RELAXED)) {
		sim_mutex_unlock(&mdevice->devmem_lock);
		return -ENODEV;
	}
	dmirror_owner_begin(mdevice, cluster);
	dmirror_remove_free_pages(mdevice);
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
	/* the device's own mirrors may hold direct entries to a former
	 * peer's memory, made with the old key: they go as under
	 * mutable-marked (until session 28 they survived the change:
	 * tests/scenarios/owner-reregister-own-mirror.hsc) */
	dmirror_owner_invalidate_users(mdevice);
	dmirror_owner_commit(mdevice, cluster);
	spin_lock(&mdevice->lock);
	HS_NOTED_SET(mdevice->pgmap, pgmap);
	dmirror_free_list_note(mdevice, true);
	for (unsigned long i = n; i-- > 0;)
		mdevice->free_pfns[mdevice->nr_free++] = pgmap->start_pfn + i;
	HS_NOTED_SET(mdevice->draining, false);
	spin_unlock(&mdevice->lock);
	sim_mutex_unlock(&mdevice->devmem_lock);
	hs_owner_stats_inc(&hs_owner_stats.reregisters, 1);
	return 0;
}

/**
 * hs_dmirror_device_change_owner() - move the device to another cluster.
 * @mdevice: the device
 * @cluster: the new cluster
 * @key: its key (hs_owner_key())
 *
 * As the owner policy does it: in place with plain stores (mutable), with
 * WRITE_ONCE and an invalidation of every mm its mirrors mirror
 * (mutable-marked), by evicting every page and registering a new pagemap
 * (reregister), or by changing grants (p2p-callback, range-callback).
 *
 * Return: 0, or -EOPNOTSUPP when the policy fixes owners.
 */
int hs_dmirror_device_change_owner(struct hs_dmirror_device *mdevice, void *cluster, void *key)
{
	int ret = 0;

	switch (hs_owner_policy) {
	case HS_OWNER_MUTABLE:
		/* in place, plain stores: core mm reads the owner with plain loads */
		dmirror_owner_begin(mdevice, cluster);
		HS_NOTE_READ(mdevice->pgmap);
		SIM_PLAIN_WRITE(mdevice->pgmap->owner, key);
		dmirror_key_store(mdevice, key);
		dmirror_owner_commit(mdevice, cluster);
		break;
	case HS_OWNER_MUTABLE_MARKED:
		/* WRITE_ONCE, then invalidate every mm a mirror of the device
		 * mirrors: a fault that read the old owner retries, a mirror
		 * entry made under it is dropped */
		dmirror_owner_begin(mdevice, cluster);
		HS_NOTE_READ(mdevice->pgmap);
		SIM_WRITE_ONCE(mdevice->pgmap->owner, key);
		dmirror_key_store(mdevice, key);
		dmirror_owner_invalidate_users(mdevice);
		dmirror_owner_commit(mdevice, cluster);
		break;
	case HS_OWNER_REREGISTER:
		ret = dmirror_device_reregister(mdevice, cluster, key);
		break;
	case HS_OWNER_P2P_CALLBACK:
	case HS_OWNER_RANGE_CALLBACK:
		/* the key stays; the grant sets change */
		if (!mdevice->os)
			return -EOPNOTSUPP;
		dmirror_owner_regrant(mdevice, cluster);
		break;
	default:
		/* pointer, cluster-id, peer-group: the owner is fixed when the
		 * pagemap is created */
		return -EOPNOTSUPP;
	}
	if (!ret)
		hs_owner_stats_inc(&hs_owner_stats.changes, 1);
	return ret;
}

/* ---- hooks (dmirror_internal.h) --------------------------------------------------- */

/* The group and callback policies' state; under them the device is its own
 * cluster and grants its memory to itself until set_owner says more. */
void dmirror_owner_device_init(struct hs_dmirror_device *mdevice)
{
	if (!owner_policy_uses_state())
		return;
	struct owner_registry *r = owner_registry();
	struct dmirror_owner_state *os = sim_alloc(sizeof(*os));
	os->dev = mdevice;
	os->member = mdevice->cluster;
	spin_lock_init(&os->grant_lock);
	sim_spin_annotated(&os->grant_lock); /* os->grant (F_LOCKED) */
	mdevice->os = os;
	sim_mutex_lock(&r->lock);
	owner_devs_note(r, true);
	if (r->nr_devs >= OWNER_MAX_DEVICES)
		sim_fail(HS_KIND_BUG, "owner lab: more than %d devices", OWNER_MAX_DEVICES);
	os->idx = r->nr_devs;
	r->devs[r->nr_devs++] = os;
	HS_NOTED_SET(os->grant, 1ul << os->idx);
	sim_noted_store_n(&os->grant_truth, os->grant, __ATOMIC_RELAXED);
	sim_mutex_unlock(&r->lock);
}

/* peer-group: a device with a PCI function joins a group (the pagemap's
 * owner is chosen by what it can reach). */
void dmirror_owner_device_pci(struct hs_dmirror_device *mdevice)
{
	if (hs_owner_policy == HS_OWNER_PEER_GROUP && mdevice->os &&
	    !HS_NOTED(mdevice->os->listed) && !HS_NOTED(mdevice->os->group))
		owner_peer_group_join(mdevice);
}

/*
 * peer-group: drm_pagemap_release_owner() at the start of a removal (the
 * default): the device leaves the registry while its pages still exist, so
 * a newcomer that cannot reach it may join its group and match those pages
 * by owner.  HS_OWNER_F_LEAVE_DRAINED: it stays listed, marked gone, until
 * its pagemap is drained (a later join takes it off), so the newcomer is
 * judged against it as long as it has pages.
 */
void dmirror_owner_device_gone(struct hs_dmirror_device *mdevice)
{
	struct dmirror_owner_state *os = mdevice->os;
	if (hs_owner_policy != HS_OWNER_PEER_GROUP || !os || !HS_NOTED(os->listed))
		return;
	struct owner_registry *r = owner_registry();
	sim_mutex_lock(&r->lock);
	HS_NOTED_SET(os->gone, true);
	owner_peers_note(r, false);
	if (!(hs_owner_flags & HS_OWNER_F_LEAVE_DRAINED))
		for (unsigned int i = 0; i < r->nr_peers; i++)
			if (r->peers[i] == os) {
				owner_peer_unlist(r, i);
				break;
			}
	sim_mutex_unlock(&r->lock);
	if (sim_tracing())
		sim_event("%s: left the peer-group registry%s", mdevice->name,
			  hs_owner_flags & HS_OWNER_F_LEAVE_DRAINED ? " (once drained)" : "");
}

/*
 * p2p-callback: inside the exporter's get_p2p_page(), per page: is the
 * requester in the exporter's grant set?  Without a named requester (the
 * v1 RFC) it cannot tell and declines.  Other policies: yes (the callback
 * then decides by the topology alone, as before).
 */
bool dmirror_owner_p2p_grant(struct hs_dmirror_device *exporter, struct hs_page *page,
			     struct hs_pci_dev *client)
{
	(void)page;
	if (hs_owner_policy != HS_OWNER_P2P_CALLBACK || !exporter->os)
		return true;
	struct hs_dmirror_device *importer = client ? client->drvdata : NULL;
	if (!importer || !importer->os)
		return false;
	return owner_grant_load(exporter->os) & 1ul << importer->os->idx;
}

/*
 * range-callback: the requester's p2p_allow callback, asked by
 * hmm_range_fault() (and by migrate_vma_collect(), under the PTL: it must
 * not sleep) for another owner's pgmap: one of ours, and its device
 * grants us its memory (the exporter's grant set, read as the variant says:
 * mutable state, no re-registration needed to change it).
 */
static bool dmirror_owner_allow(struct hs_hmm_p2p_allow *allow, struct hs_dev_pagemap *pgmap)
{
	struct dmirror_owner_state *me =
	    (struct dmirror_owner_state *)((char *)allow -
					   offsetof(struct dmirror_owner_state, allow));
	if (!pgmap->ops || pgmap->ops->page_free != dmirror_devmem_free)
		return false;
	struct hs_dmirror_device *exporter = pgmap->driver;
	if (!exporter->os)
		return false;
	return owner_grant_load(exporter->os) & 1ul << me->idx;
}

/* The device's p2p_allow, as the variant says (NULL: not range-callback). */
static struct hs_hmm_p2p_allow *dmirror_owner_p2p_allow(struct hs_dmirror_device *mdevice)
{
	struct dmirror_owner_state *os = mdevice->os;
	if (hs_owner_policy != HS_OWNER_RANGE_CALLBACK || !os)
		return NULL;
	os->allow.allow = dmirror_owner_allow;
	os->allow.cache = !(hs_owner_flags & HS_OWNER_F_NO_CACHE);
	return &os->allow;
}

void dmirror_owner_range_init(struct hs_dmirror *dmirror, struct hmm_range *range)
{
	struct hs_hmm_p2p_allow *allow = dmirror_owner_p2p_allow(dmirror->mdevice);
	if (allow)
		range->p2p_allow = allow;
}

/*
 * The wrong-owner oracle's truth (no scheduling point).  peer-group:
 * physical reachability, whatever the owner keys say.  p2p-callback and
 * range-callback: the exporter's grant set as of the last completed change.
 * The others: the device-private page is usable only by the devices of the
 * cluster its memory belongs to; pages of other drivers' pagemaps by their
 * owner key.
 */
bool dmirror_owner_may_use(struct hs_dmirror_device *accessor, struct hs_page *page)
{
	if (page->pgmap->ops->page_free != dmirror_devmem_free)
		return page->pgmap->owner == accessor->owner_key;
	struct hs_dmirror_device *exporter = page->pgmap->driver;
	if (hs_owner_policy == HS_OWNER_PEER_GROUP)
		return owner_reach(accessor, exporter);
	if (owner_policy_grants() && exporter->os && accessor->os)
		return exporter == accessor ||
		       (sim_noted_load_n(&exporter->os->grant_truth, __ATOMIC_RELAXED) &
			1ul << accessor->os->idx);
	/* during a change, the old and the new ownership (dmirror_owner_begin()) */
	void *mem[2] = {dmirror_oracle_cluster(exporter, true),
			sim_noted_load_n(&exporter->cluster_next, __ATOMIC_RELAXED)};
	void *acc[2] = {dmirror_oracle_cluster(accessor, false),
			sim_noted_load_n(&accessor->cluster_next, __ATOMIC_RELAXED)};
	if (mem[0] == acc[0])
		return true;
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 2; k++)
			if (mem[i] && mem[i] == acc[k])
				return true;
	return false;
}

/* How a report names owner key @key: cluster-id's number, else which of the
 * two devices' keys it is (a pointer's value would change run to run). */
static const char *owner_key_name(void *key, struct hs_dmirror_device *a,
				  struct hs_dmirror_device *b, char *buf, size_t len)
{
	if (hs_owner_policy == HS_OWNER_CLUSTER_ID)
		snprintf(buf, len, "id %lu", (unsigned long)(uintptr_t)key - 1);
	else if (!key)
		snprintf(buf, len, "none");
	else if (key == a->owner_key || key == b->owner_key)
		snprintf(buf, len, "%s's key", key == a->owner_key ? a->name : b->name);
	else
		snprintf(buf, len, "an earlier key");
	return buf;
}

/* Why the truth says no, as the policy decides it. */
static void dmirror_owner_truth_fact(struct hs_dmirror_device *accessor,
				     struct hs_dmirror_device *exporter)
{
	if (hs_owner_policy == HS_OWNER_PEER_GROUP) {
		sim_violation_fact("truth: peer-group lets a device use the memory of the devices "
				   "it reaches physically: %s %s %s",
				   accessor->name,
				   owner_reach(accessor, exporter) ? "reaches" : "does not reach",
				   exporter->name);
	} else if (owner_policy_grants() && exporter->os && accessor->os) {
		unsigned long g = sim_noted_load_n(&exporter->os->grant_truth, __ATOMIC_RELAXED);
		sim_violation_fact("truth: %s's memory is granted to the devices of its grant set "
				   "(%#lx, as of the last completed change): %s (bit %u) is %s",
				   exporter->name, g, accessor->name, accessor->os->idx,
				   g & 1ul << accessor->os->idx ? "in it" : "not in it");
	} else {
		bool same = dmirror_oracle_cluster(exporter, true) ==
			    dmirror_oracle_cluster(accessor, false);
		sim_violation_fact("truth: %s's memory belongs to %s %s's: %s", exporter->name,
				   same ? "the cluster of" : "a cluster other than", accessor->name,
				   same ? "it may use it" : "it may not use it directly");
	}
}

void dmirror_owner_facts(struct hs_dmirror_device *accessor, struct hs_page *page)
{
	char ka[48], kp[48];

	if (!sim_tracing())
		return;
	sim_violation_fact("property: a device uses device-private memory directly only when "
			   "its owner may: the policy's truth, not the keys the model compares "
			   "(wrong-owner oracle, dmirror_owner_may_use())");
	sim_violation_fact("policy: %s%s%.0u", hs_owner_policy_name(hs_owner_policy),
			   hs_owner_policy == HS_OWNER_CLUSTER_ID ? ":" : "",
			   hs_owner_policy == HS_OWNER_CLUSTER_ID ? hs_owner_id_bits : 0);
	if (page->pgmap->ops->page_free != dmirror_devmem_free) {
		sim_violation_fact("owners compared: pgmap->owner of %s against %s's key: %s",
				   page->pgmap->name, accessor->name,
				   page->pgmap->owner == accessor->owner_key ? "equal"
									     : "different");
		return;
	}
	struct hs_dmirror_device *exporter = page->pgmap->driver;
	void *key_a = accessor->owner_key, *key_p = page->pgmap->owner;
	bool equal = key_a == key_p;
	owner_key_name(key_a, accessor, exporter, ka, sizeof(ka));
	owner_key_name(key_p, accessor, exporter, kp, sizeof(kp));
	sim_violation_fact("owners compared: %s's mirrors pass %s (range->dev_private_owner), "
			   "pfn %#lx's pgmap->owner (%s) is %s: %s now",
			   accessor->name, ka, page_to_pfn(page), page->pgmap->name, kp,
			   equal ? "equal" : "different");
	bool clusters =
	    dmirror_oracle_cluster(exporter, true) == dmirror_oracle_cluster(accessor, false);
	if (equal && hs_owner_policy == HS_OWNER_PEER_GROUP)
		sim_violation_fact("why they matched: both devices carry the key of the peer group "
				   "they joined; the group's members need not reach each other");
	else if (equal && owner_policy_grants())
		sim_violation_fact("why they matched: the keys differ by device; %s reached the "
				   "page through its grant, which the truth no longer has",
				   accessor->name);
	else if (equal && !clusters && hs_owner_policy == HS_OWNER_CLUSTER_ID)
		sim_violation_fact("why they matched: the keys are cluster ids of %u bits, and two "
				   "clusters registered 2^%u apart get the same id (the counter "
				   "wrapped): equal keys, different clusters",
				   hs_owner_id_bits, hs_owner_id_bits);
	else if (equal && !clusters)
		sim_violation_fact("why they matched: equal keys for different clusters: the key "
				   "does not tell the owner apart");
	else if (equal)
		sim_violation_fact("why they matched: one key for both devices; the policy decides "
				   "by more than the key");
	else if (hs_switch.hmm_no_owner_check)
		sim_violation_fact("why they matched: they need not: hmm_range_fault() does not "
				   "compare them (switch hmm_no_owner_check: the kernel before the "
				   "fix)");
	else if (owner_policy_grants())
		sim_violation_fact("why they matched: they need not: the policy's callback let "
				   "%s use the page",
				   accessor->name);
	else
		sim_violation_fact("why they matched: they differ now; the mirror entry was made "
				   "when they matched (before an owner change completed)");
	dmirror_owner_truth_fact(accessor, exporter);
	if (!accessor->pdev || !exporter->pdev) {
		sim_violation_fact("p2p link: none (%s has no PCI function)",
				   accessor->pdev ? exporter->name : accessor->name);
		return;
	}
	enum hs_pci_p2pdma_map_type t = hs_pci_p2pdma_map_type(exporter->pdev, accessor->pdev);
	sim_violation_fact("p2p link: %s -> %s: %s, %s", exporter->name, accessor->name,
			   hs_pci_p2pdma_map_type_name(t),
			   t != HS_PCI_P2PDMA_MAP_NOT_SUPPORTED &&
				   hs_pci_p2p_path_ok(exporter->pdev, accessor->pdev, false, false)
			       ? "the path carries reads"
			       : "no P2P path");
}

/* Through a P2P entry (the BAR page standing for @page): under p2p-callback
 * the grant must still hold; the other policies do not restrict P2P. */
bool dmirror_owner_may_use_p2p(struct hs_dmirror_device *accessor, struct hs_page *page)
{
	if (hs_owner_policy != HS_OWNER_P2P_CALLBACK || !page || !page->pgmap ||
	    page->pgmap->ops->page_free != dmirror_devmem_free)
		return true;
	return dmirror_owner_may_use(accessor, page);
}

/*
 * range-callback, the RFC's migration half: a migration to this device also
 * selects device-private pages (SELECT_DEVICE_PRIVATE) and hands collect the
 * same callback as hmm_range, so another device's page that we may use
 * moves from its memory to ours directly (p2p migration), copied by
 * alloc_and_copy like a system page.  Our own pages are selected too (the
 * owner matches), as the kernel does with that flag.  A migration to system
 * memory is unchanged: only our own pages.  Other policies: nothing.
 */
void dmirror_owner_migrate_init(struct hs_dmirror *dmirror, struct migrate_vma *args, bool to_dev)
{
	struct hs_hmm_p2p_allow *allow = dmirror_owner_p2p_allow(dmirror->mdevice);
	if (!allow || !to_dev)
		return;
	args->flags |= MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
	args->p2p_allow = allow;
}

/*
 * The source mapping of a device-to-device copy (drm_pagemap's
 * device_map() of the source page in drm_pagemap_migrate_map_pages(), done
 * when the copy is set up, not when the page was collected).  Under
 * range-callback it asks the requester's callback again, without the
 * per-call cache: a grant revoked since migrate_vma_collect() said yes makes
 * the mapping fail and the page stays where it is.  /no-remap trusts
 * collect's answer.  Other policies select no foreign pages: always true.
 */
bool dmirror_owner_copy_ok(struct hs_dmirror *dmirror, struct hs_page *spage)
{
	struct dmirror_owner_state *os = dmirror->mdevice->os;
	if (hs_owner_policy != HS_OWNER_RANGE_CALLBACK || !os ||
	    (hs_owner_flags & HS_OWNER_F_NO_REMAP))
		return true;
	return dmirror_owner_allow(&os->allow, spage->pgmap);
}
