// SPDX-License-Identifier: MIT
/*
 * Owner semantics as a policy (include/hmmsim/owner.h): the policy of the
 * run, its names, cluster ids, and the owner test every model path uses.
 */
#include <errno.h>
#include <hmmsim/owner.h>
#include <hmmsim/page.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

enum hs_owner_policy hs_owner_policy = HS_OWNER_POINTER;
unsigned int hs_owner_id_bits = 32;
unsigned int hs_owner_flags;
struct hs_owner_stats hs_owner_stats;

static const char *const names[HS_OWNER_NR_POLICIES] = {
    [HS_OWNER_POINTER] = "pointer",	  [HS_OWNER_CLUSTER_ID] = "cluster-id",
    [HS_OWNER_MUTABLE] = "mutable",	  [HS_OWNER_MUTABLE_MARKED] = "mutable-marked",
    [HS_OWNER_REREGISTER] = "reregister", [HS_OWNER_P2P_CALLBACK] = "p2p-callback",
    [HS_OWNER_PEER_GROUP] = "peer-group", [HS_OWNER_RANGE_CALLBACK] = "range-callback",
};

/**
 * hs_owner_policy_name() - the name of an owner policy ("pointer", "peer-group", ...).
 * @p: the policy
 *
 * Return: its name, or "?" for a value out of range.
 */
const char *hs_owner_policy_name(enum hs_owner_policy p)
{
	return (unsigned int)p < HS_OWNER_NR_POLICIES ? names[p] : "?";
}

/**
 * hs_owner_policy_parse() - the owner policy of a name.
 * @name: a name hs_owner_policy_name() returns
 * @out: set to the policy
 *
 * Return: 0 and *@out set, or -EINVAL for an unknown name.
 */
int hs_owner_policy_parse(const char *name, enum hs_owner_policy *out)
{
	for (int i = 0; i < HS_OWNER_NR_POLICIES; i++)
		if (strcmp(names[i], name) == 0) {
			*out = (enum hs_owner_policy)i;
			return 0;
		}
	return -EINVAL;
}

/**
 * hs_owner_policy_implemented() - whether the model implements @p.
 * @p: the policy
 *
 * Return: true for every policy (all eight now), false for values out of range.
 */
bool hs_owner_policy_implemented(enum hs_owner_policy p)
{
	return (unsigned int)p < HS_OWNER_NR_POLICIES;
}

/**
 * hs_owner_policy_mutable() - whether the key in pgmap->owner may change.
 * @p: the policy
 *
 * Return: true for mutable, mutable-marked and reregister (p2p-callback and
 * range-callback change grants, not keys).
 */
bool hs_owner_policy_mutable(enum hs_owner_policy p)
{
	return p == HS_OWNER_MUTABLE || p == HS_OWNER_MUTABLE_MARKED || p == HS_OWNER_REREGISTER;
}

/**
 * hs_owner_policy_changeable() - whether the ownership @p keeps can change at all.
 * @p: the policy
 *
 * Return: true when an owner change is not -EOPNOTSUPP: mutable,
 * mutable-marked, reregister, p2p-callback, range-callback.
 */
bool hs_owner_policy_changeable(enum hs_owner_policy p)
{
	return hs_owner_policy_mutable(p) || p == HS_OWNER_P2P_CALLBACK ||
	       p == HS_OWNER_RANGE_CALLBACK;
}

/**
 * hs_owner_key() - the key a new owner is known by.
 * @cluster: the owner (an interconnect cluster), opaque
 *
 * What pgmap->owner and hmm_range / migrate_vma hold: @cluster itself, or
 * under HS_OWNER_CLUSTER_ID the next id of the machine's atomic counter
 * masked to hs_owner_id_bits (stored as id + 1, so never NULL).  Two clusters
 * registered 2^bits apart get the same key.
 *
 * Return: the key.
 */
void *hs_owner_key(void *cluster)
{
	if (hs_owner_policy != HS_OWNER_CLUSTER_ID)
		return cluster;
	unsigned int bits = hs_owner_id_bits;
	uint64_t mask = bits >= 32 ? 0xffffffffull : (1ull << (bits ? bits : 1)) - 1;
	/* atomic_inc_return() - 1: the id this cluster gets */
	uint64_t id = (uint64_t)(sim_atomic_add_return(&hs_mach->owner_ids, 1, SIM_RELAXED) - 1);
	hs_owner_stats_inc(&hs_owner_stats.ids, 1);
	return (void *)(uintptr_t)((id & mask) + 1);
}

/**
 * hs_pgmap_owner_match() - pgmap->owner == @owner, as the owner policy reads it.
 * @pgmap: the pagemap of a device-private page
 * @owner: the caller's key (range->dev_private_owner, migrate->pgmap_owner)
 *
 * The owner test of hmm_range_fault() and migrate_vma_collect(): the key in
 * the pagemap equals the caller's.  Pointer, cluster id and reregister: the
 * key never changes while the pagemap is registered, a plain load is the
 * kernel's.  Mutable: the same plain load races with the change.  Marked:
 * READ_ONCE.  p2p-callback, peer-group and range-callback keep the key
 * fixed for the life of the pagemap (what they change is elsewhere: grant
 * sets, the group registry, the requester's callback), so a plain load.
 * First the stale-pagemap oracle: every caller reached @pgmap through a
 * page, and a pagemap torn down by memunmap_pages() is freed memory.
 *
 * Return: whether the caller owns @pgmap's pages.
 */
bool hs_pgmap_owner_match(struct hs_dev_pagemap *pgmap, void *owner)
{
	hs_pgmap_check(pgmap, "owner test (hs_pgmap_owner_match)");
	if (hs_owner_policy == HS_OWNER_MUTABLE_MARKED)
		return SIM_READ_ONCE(pgmap->owner) == owner;
	return SIM_PLAIN_READ(pgmap->owner) == owner;
}
