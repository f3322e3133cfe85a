/* SPDX-License-Identifier: MIT */
/*
 * Model of device memory migration (include/linux/migrate.h,
 * mm/migrate_device.c, the device-private part of mm/memory.c
 * do_swap_page()), Linux v6.18.
 */
#ifndef HMMSIM_MIGRATE_H
#define HMMSIM_MIGRATE_H

#include <hmmsim/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HS_MIGRATE_PFN_VALID   (1ul << 0)
#define HS_MIGRATE_PFN_MIGRATE (1ul << 1)
#define HS_MIGRATE_PFN_WRITE   (1ul << 3)
/* a PMD-order folio (v6.19): the entry stands for HS_PTRS_PER_PTE pages, the
 * next HS_PTRS_PER_PTE - 1 entries are 0 */
#define HS_MIGRATE_PFN_COMPOUND (1ul << 4)
#define HS_MIGRATE_PFN_SHIFT   6

static inline unsigned long hs_migrate_pfn(unsigned long pfn)
{
	return (pfn << HS_MIGRATE_PFN_SHIFT) | HS_MIGRATE_PFN_VALID;
}

static inline struct hs_page *hs_migrate_pfn_to_page(unsigned long mpfn)
{
	if (!(mpfn & HS_MIGRATE_PFN_VALID))
		return NULL;
	return hs_pfn_to_page(mpfn >> HS_MIGRATE_PFN_SHIFT);
}

enum hs_migrate_vma_direction {
	HS_MIGRATE_VMA_SELECT_SYSTEM = 1 << 0,
	HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE = 1 << 1,
	HS_MIGRATE_VMA_SELECT_DEVICE_COHERENT = 1 << 2,
	/* v6.19: a whole PMD-mapped THP (or device-private THP) migrates as one
	 * entry (HS_MIGRATE_PFN_COMPOUND) instead of being split */
	HS_MIGRATE_VMA_SELECT_COMPOUND = 1 << 3,
};

struct hs_hmm_p2p_allow; /* include/hmmsim/hmm.h */

/* struct migrate_vma */
struct hs_migrate_vma {
	struct hs_vm_area_struct *vma;
	unsigned long *dst;
	unsigned long *src;
	unsigned long cpages, npages;
	unsigned long start, end;
	void *pgmap_owner;
	unsigned long flags;
	struct hs_page *fault_page;
	/*
	 * The Oct 2024 RFC "mm/hmm, mm/migrate_device: Allow p2p access and p2p
	 * migration" (Hellström; not merged), its migration half: NULL (today's
	 * kernel) or the caller's "may I use this pgmap" callback, the same
	 * struct as hmm_range's.  With SELECT_DEVICE_PRIVATE, collect selects
	 * another owner's device-private page when it says yes (a device to
	 * device migration); the caller's own pages are selected as before.
	 */
	struct hs_hmm_p2p_allow *p2p_allow;
};

/*
 * migrate_vma_setup(): collect (invalidate with MMU_NOTIFY_MIGRATE and the
 * owner; device-private pages by owner or p2p_allow, see above; replace ptes by migration entries
 * under the PTL, flushing the TLB before dropping it), lock, unmap, and drop pages that cannot move
 * (extra references).  Caller holds mmap_lock for read.  Return: 0 or -EINVAL.
 */
int hs_migrate_vma_setup(struct hs_migrate_vma *args);
/* migrate_vma_pages(): move page state to the dst pages, fill holes. */
void hs_migrate_vma_pages(struct hs_migrate_vma *migrate);
/* migrate_vma_finalize(): migration entries become the new (or old) page;
 * unlock and put both. */
void hs_migrate_vma_finalize(struct hs_migrate_vma *migrate);

/* migrate_device_range(): lock and unmap @npages device pfns from
 * @start (eviction, pagemap teardown); src_pfns gets the MIGRATE_PFN words. */
int hs_migrate_device_range(unsigned long *src_pfns, unsigned long start, unsigned long npages);
void hs_migrate_device_pages(unsigned long *src_pfns, unsigned long *dst_pfns,
			     unsigned long npages);
void hs_migrate_device_finalize(unsigned long *src_pfns, unsigned long *dst_pfns,
				unsigned long npages);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_MIGRATE_H */
