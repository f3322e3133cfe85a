/* SPDX-License-Identifier: MIT */
/*
 * Owner semantics as a policy: what dev_pagemap->owner is and how it is
 * compared (the "owner-field design lab", docs/owner-semantics.md).  The
 * kernel's answer is HS_OWNER_POINTER: an opaque pointer fixed when the
 * pagemap is created, compared with a plain load.  The others are the
 * alternatives of the P2P RFC's review thread, chosen per run like a model
 * switch (include/hmmsim/switches.h).  Every owner test of the model goes
 * through hs_pgmap_owner_match() (model/owner.c), which asks this policy;
 * the three callback / group policies act in the reference driver
 * (model/drivers/dmirror_owner.c) and, for range-callback, through the
 * requester's callback in hmm_range (model/hmm.c).
 */
#ifndef HMMSIM_OWNER_H
#define HMMSIM_OWNER_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hs_owner_policy {
	/* today: a pointer, fixed after memremap_pages(), plain load, == */
	HS_OWNER_POINTER = 0,
	/* an integer naming an interconnect cluster, allocated from an atomic
	 * counter masked to hs_owner_id_bits; == on the ids */
	HS_OWNER_CLUSTER_ID,
	/* a pointer changed in place by a plain store, read with plain loads */
	HS_OWNER_MUTABLE,
	/* changed with WRITE_ONCE, read with READ_ONCE, then every user of the
	 * pagemap's memory invalidated */
	HS_OWNER_MUTABLE_MARKED,
	/* a change evicts every page, unregisters the pagemap and registers a
	 * new one with the new owner */
	HS_OWNER_REREGISTER,
	/* every device keeps its own fixed owner; a mismatch is resolved per
	 * page by the exporter's get_p2p_page() (the Maman RFC), which grants
	 * the BAR page to the peers in the exporter's grant set */
	HS_OWNER_P2P_CALLBACK,
	/* drm_pagemap-style peer groups: one owner shared by the devices of a
	 * group, fixed when the pagemap is created by joining the first
	 * registered group whose members it can all reach */
	HS_OWNER_PEER_GROUP,
	/* every device keeps its own fixed owner; the requester passes a "may
	 * I use this pgmap" callback in hmm_range, asked at fault time for
	 * another owner's page (Hellström's RFC, struct p2p_allow) */
	HS_OWNER_RANGE_CALLBACK,
	HS_OWNER_NR_POLICIES
};

/* The policy of the current run (global: every execution sees the same). */
extern enum hs_owner_policy hs_owner_policy;
/* HS_OWNER_CLUSTER_ID: width of an id in bits (1..32, default 32). */
extern unsigned int hs_owner_id_bits;

/*
 * Variants of a policy (hs_owner_flags, 0 by default).  The ones marked
 * "ablation" remove a piece the policy needs, to show what it is for.
 *  LOCKED:	   p2p-callback: get_p2p_page() takes the exporter's grant lock
 *		   for every page (hs_p2p_stats.lock_acquisitions)
 *  PLAIN:	   p2p-callback / range-callback: the grant set is read and
 *		   written with plain accesses (ablation: the data race)
 *  NO_INVALIDATE: p2p-callback / range-callback: a grant change does not
 *		   invalidate the users of the memory (ablation)
 *  LEAVE_DRAINED: peer-group: a removed device leaves the registry only
 *		   once its memory is drained (default: when removal starts)
 *  NO_CACHE:	   range-callback: ask the callback for every page, not once
 *		   per pgmap and hmm_range_fault() call
 */
#define HS_OWNER_F_LOCKED	 0x1u
#define HS_OWNER_F_PLAIN	 0x2u
#define HS_OWNER_F_NO_INVALIDATE 0x4u
#define HS_OWNER_F_LEAVE_DRAINED 0x8u
#define HS_OWNER_F_NO_CACHE	 0x10u
/* range-callback ablation: a migration copies another device's page on the
 * strength of migrate_vma_collect()'s answer, without mapping it again for
 * the copy (drm_pagemap's device_map at copy time) */
#define HS_OWNER_F_NO_REMAP 0x20u
extern unsigned int hs_owner_flags;

const char *hs_owner_policy_name(enum hs_owner_policy p);
/* Return: 0 and *out set, or -EINVAL for an unknown name. */
int hs_owner_policy_parse(const char *name, enum hs_owner_policy *out);
/* Whether the model implements @p (all eight now; false for values out of
 * range). */
bool hs_owner_policy_implemented(enum hs_owner_policy p);
/* Whether an owner may change after the pagemap is registered under @p
 * (the key in pgmap->owner itself: p2p-callback and range-callback change
 * grants, not keys). */
bool hs_owner_policy_mutable(enum hs_owner_policy p);
/* Whether the ownership @p keeps can change at all (a change is not
 * -EOPNOTSUPP): mutable, mutable-marked, reregister, p2p-callback,
 * range-callback. */
bool hs_owner_policy_changeable(enum hs_owner_policy p);

/*
 * The key a new owner (an interconnect cluster, named by the opaque
 * @cluster) is known by in pgmap->owner and in hmm_range / migrate_vma:
 * @cluster itself, or under HS_OWNER_CLUSTER_ID the next id of the atomic
 * counter (hs_mach->owner_ids, 0 at every execution) masked to hs_owner_id_bits (stored as id + 1,
 * so never NULL). Two clusters registered 2^bits apart get the same key.
 */
void *hs_owner_key(void *cluster);

/*
 * The reference driver's per-execution owner state (the peer-group registry,
 * the grant sets): model/drivers/dmirror_owner.c.  A scenario that uses the
 * group or callback policies calls this after hs_machine_init(), before it
 * creates devices.
 */
void hs_owner_lab_reset(void);

/* p2p-callback / range-callback: @exporter's memory is also granted to
 * @importer, beyond its cluster (setup only; a no-op under the others). */
struct hs_dmirror_device;
void hs_dmirror_device_grant(struct hs_dmirror_device *exporter,
			     struct hs_dmirror_device *importer);

/* Costs of owner changes, accumulated over a run (reset by the caller). */
struct hs_owner_stats {
	unsigned long changes;	     /* owner changes done */
	unsigned long invalidations; /* mm ranges invalidated for a change */
	unsigned long evictions;     /* device pages migrated away for a change */
	unsigned long reregisters;   /* pagemaps unregistered and registered again */
	unsigned long ids;	     /* cluster ids allocated */
};
extern struct hs_owner_stats hs_owner_stats;

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_OWNER_H */
