/* SPDX-License-Identifier: MIT */
/*
 * Model of hmm_range_fault() (include/linux/hmm.h, mm/hmm.c), Linux v6.18.
 */
#ifndef HMMSIM_HMM_H
#define HMMSIM_HMM_H

#include <hmmsim/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Output flags, and the input request flags that share their bits. */
#define HS_HMM_PFN_VALID (1ul << 63)
#define HS_HMM_PFN_WRITE (1ul << 62)
#define HS_HMM_PFN_ERROR (1ul << 61)
/*
 * The P2P RFC ("mm/hmm: HMM API to enable P2P DMA for device private pages",
 * Jan/Jul 2025, not merged).  HS_HMM_PFN_ALLOW_P2P is a request flag, the
 * RFC's sticky HMM_PFN_ALLOW_P2P: asked for through default_flags or per
 * page through pfn_flags_mask, and carried to the output word (the model
 * carries the *effective* request's bit, see model/hmm.c).  It takes bit
 * BITS_PER_LONG - 4, the kernel's HMM_PFN_DMA_MAPPED, which the model has
 * no use for.  HS_HMM_PFN_P2PDMA is the kernel's output HMM_PFN_P2PDMA
 * (BITS_PER_LONG - 5): the pfn is P2PDMA memory (a BAR page) that stands
 * for another device's device-private page.
 */
#define HS_HMM_PFN_ALLOW_P2P (1ul << 60)
#define HS_HMM_PFN_P2PDMA    (1ul << 59)
/*
 * HMM_PFN_P2PDMA_BUS (BITS_PER_LONG - 6): set by the importer's DMA mapping
 * of a P2P pfn (hmm_dma_map_pfn()) when pci_p2pdma_state() says
 * PCI_P2PDMA_MAP_BUS_ADDR: the device is programmed with the bus address
 * and no IOMMU mapping exists to undo.  A driver-private bit of the output
 * word, never set by hmm_range_fault().
 */
#define HS_HMM_PFN_P2PDMA_BUS (1ul << 58)
/* the order field below them, as in v6.16+ (BITS_PER_LONG - 11) */
#define HS_HMM_PFN_ORDER_SHIFT 53
#define HS_HMM_PFN_REQ_FAULT   HS_HMM_PFN_VALID
#define HS_HMM_PFN_REQ_WRITE   HS_HMM_PFN_WRITE
#define HS_HMM_PFN_FLAGS       (~((1ul << HS_HMM_PFN_ORDER_SHIFT) - 1))

static inline unsigned long hs_hmm_pfn_to_pfn(unsigned long hmm_pfn)
{
	return hmm_pfn & ~HS_HMM_PFN_FLAGS;
}

static inline unsigned int hs_hmm_pfn_to_map_order(unsigned long hmm_pfn)
{
	return (hmm_pfn >> HS_HMM_PFN_ORDER_SHIFT) & 0x1f;
}

/*
 * The requester-side "may I use this pgmap" callback of the Oct 2024 RFC
 * "mm/hmm, mm/migrate_device: Allow p2p access and p2p migration" (Thomas
 * Hellström; struct p2p_allow in hmm_range; not merged).  The model keeps
 * its shape, not its code: an ops pointer the caller embeds in its own
 * state, asked by hmm_range_fault() for a device-private page whose pgmap
 * owner is not the caller's; true means "treat it as an owner match" (the
 * pfn is returned for direct access, no fault, no migration).  @cache: ask
 * once per pgmap and hmm_range_fault() call (the RFC allows it), not per
 * page.  Used by the range-callback owner policy (include/hmmsim/owner.h).
 * migrate_vma has the same pointer (include/hmmsim/migrate.h, the RFC's
 * "p2p migration"): migrate_vma_collect() asks it for another owner's
 * device-private page, under the PTL.
 */
struct hs_dev_pagemap;
struct hs_hmm_p2p_allow {
	bool (*allow)(struct hs_hmm_p2p_allow *allow, struct hs_dev_pagemap *pgmap);
	bool cache;
};

/* struct hmm_range */
struct hs_hmm_range {
	struct hs_mmu_interval_notifier *notifier;
	unsigned long notifier_seq;
	unsigned long start, end;
	unsigned long *hmm_pfns;
	unsigned long default_flags, pfn_flags_mask;
	void *dev_private_owner;
	/*
	 * The P2P RFC, the v2 review's variant: the device that will DMA to the
	 * returned pfns (here a struct hs_pci_dev *), handed to the pgmap's
	 * get_p2p_page() so the exporter can ask pci_p2pdma_map_type() about
	 * both ends.  NULL: the v1 RFC, where the flag names no requester.
	 */
	void *p2p_requester;
	/* the range-callback policy: NULL (today's kernel) or the requester's
	 * callback, see struct hs_hmm_p2p_allow */
	struct hs_hmm_p2p_allow *p2p_allow;
};

/*
 * Counters of the RFC path, for experiments ("callbacks per faulted page").
 * Reset by hs_machine_init(); the model counts with hs_p2p_stats_inc()
 * (model/internal.h), the lab and the tests read them.  Plain counters, not part of the model's state
 * (no scheduling points, not seen by the race detector).
 * @callbacks:	get_p2p_page() calls by hmm_range_fault(), and calls of a
 *		range's p2p_allow callback (the range-callback owner policy)
 * @p2p_pfns:	of those, the ones that returned a page (a P2P pfn)
 * @fallbacks:	of those, the ones that declined (back to fault/migrate)
 *		(p2p_allow answers "no" count here too)
 * @map_failures: P2P pfns a driver could not DMA-map and asked again for
 *		without ALLOW_P2P (the mlx5 ODP fallback; counted by the driver)
 * @pages:	pfns of successful hmm_range_fault() calls (the denominator of
 *		"callbacks per faulted page")
 * @migrations:	device-private entries of another owner faulted back to RAM
 *		(migrate_to_ram through the fault) by hmm_range_fault()
 * @ebusy:	hmm_range_fault() calls that returned -EBUSY
 * @lock_acquisitions: driver locks taken inside get_p2p_page() (the locked
 *		callback variant of the owner lab; counted by the driver)
 * @migrate_callbacks, @migrate_allowed: calls of a migrate_vma's p2p_allow
 *		callback by migrate_vma_collect(), and the ones that said yes
 * @moves_dev_to_dev, @moves_dev_same, @moves_dev_to_ram, @moves_ram_to_dev:
 *		pages migrate_vma / migrate_device finalize moved, by where
 *		from and to: between two pagemaps (the RFC's p2p migration),
 *		within one, from device to system memory, from system memory to
 *		a device (a trip through RAM is one of each of the last two)
 */
struct hs_p2p_stats {
	unsigned long callbacks, p2p_pfns, fallbacks, map_failures;
	unsigned long pages, migrations, ebusy, lock_acquisitions;
	unsigned long migrate_callbacks, migrate_allowed;
	unsigned long moves_dev_to_dev, moves_dev_same, moves_dev_to_ram, moves_ram_to_dev;
};
extern struct hs_p2p_stats hs_p2p_stats;

/*
 * hs_hmm_range_fault() - hmm_range_fault(): fill range->hmm_pfns for
 * [start, end), faulting pages in where the request flags say so.
 * Caller holds mmap_lock for read.
 * Return: 0; -EBUSY when the notifier sequence moved (start again from
 * read_begin); -EFAULT (no VMA, a fault failed, an entry hmm cannot
 * handle); -EPERM (write requested on a read-only VMA).
 */
int hs_hmm_range_fault(struct hs_hmm_range *range);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_HMM_H */
