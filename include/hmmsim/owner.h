/* SPDX-License-Identifier: MIT */
/*
 * Owner semantics as a policy: what dev_pagemap->owner is and how it is
 * compared (the "owner-field design lab", docs/owner-semantics.md).  The
 * kernel's answer is HS_OWNER_POINTER: an opaque pointer fixed when the
 * pagemap is created, compared with a plain load.  The others are the
 * alternatives of the P2P RFC's review thread, chosen per run like a model
 * switch (include/hmmsim/switches.h).  Every owner test of the model goes
 * through hs_pgmap_owner_match() (model/memremap.c), which asks this policy.
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
	/* not yet: a per-page P2P callback decides (the RFC) */
	HS_OWNER_P2P_CALLBACK,
	/* not yet: drm_pagemap-style peer groups sharing one owner */
	HS_OWNER_PEER_GROUP,
	/* not yet: a requester-side callback in hmm_range (Hellström's RFC) */
	HS_OWNER_RANGE_CALLBACK,
	HS_OWNER_NR_POLICIES
};

/* The policy of the current run (global: every execution sees the same). */
extern enum hs_owner_policy hs_owner_policy;
/* HS_OWNER_CLUSTER_ID: width of an id in bits (1..32, default 32). */
extern unsigned int hs_owner_id_bits;

const char *hs_owner_policy_name(enum hs_owner_policy p);
/* Return: 0 and *out set, or -EINVAL for an unknown name. */
int hs_owner_policy_parse(const char *name, enum hs_owner_policy *out);
/* Whether the model implements @p (the others are "not yet"). */
bool hs_owner_policy_implemented(enum hs_owner_policy p);
/* Whether an owner may change after the pagemap is registered under @p. */
bool hs_owner_policy_mutable(enum hs_owner_policy p);

/*
 * The key a new owner (an interconnect cluster, named by the opaque
 * @cluster) is known by in pgmap->owner and in hmm_range / migrate_vma:
 * @cluster itself, or under HS_OWNER_CLUSTER_ID the next id of the atomic
 * counter (hs_mach->owner_ids, 0 at every execution) masked to hs_owner_id_bits (stored as id + 1,
 * so never NULL). Two clusters registered 2^bits apart get the same key.
 */
void *hs_owner_key(void *cluster);

/* Costs of owner changes, accumulated over a run (reset by the caller). */
struct hs_owner_stats {
	unsigned long changes;	     /* owner changes done */
	unsigned long invalidations; /* mm ranges invalidated for a change */
	unsigned long evictions;     /* device pages migrated away for a change */
	unsigned long reregisters;   /* pagemaps unregistered and registered again */
	unsigned long ids;	     /* cluster ids allocated */
};
extern struct hs_owner_stats hs_owner_stats;

static inline void hs_owner_stats_inc(unsigned long *counter, unsigned long n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_OWNER_H */
