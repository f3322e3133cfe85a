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
#define HS_HMM_PFN_VALID       (1ul << 63)
#define HS_HMM_PFN_WRITE       (1ul << 62)
#define HS_HMM_PFN_ERROR       (1ul << 61)
#define HS_HMM_PFN_ORDER_SHIFT 56
#define HS_HMM_PFN_REQ_FAULT   HS_HMM_PFN_VALID
#define HS_HMM_PFN_REQ_WRITE   HS_HMM_PFN_WRITE
#define HS_HMM_PFN_FLAGS       (0xfful << HS_HMM_PFN_ORDER_SHIFT)

static inline unsigned long hs_hmm_pfn_to_pfn(unsigned long hmm_pfn)
{
	return hmm_pfn & ~HS_HMM_PFN_FLAGS;
}

static inline unsigned int hs_hmm_pfn_to_map_order(unsigned long hmm_pfn)
{
	return (hmm_pfn >> HS_HMM_PFN_ORDER_SHIFT) & 0x1f;
}

/* struct hmm_range */
struct hs_hmm_range {
	struct hs_mmu_interval_notifier *notifier;
	unsigned long notifier_seq;
	unsigned long start, end;
	unsigned long *hmm_pfns;
	unsigned long default_flags, pfn_flags_mask;
	void *dev_private_owner;
};

/**
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
