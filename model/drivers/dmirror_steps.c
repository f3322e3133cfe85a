// SPDX-License-Identifier: MIT
/*
 * The reference driver's side of what scenario files drive one piece at a
 * time: the snapshot ioctl (lib/test_hmm.c's dmirror_snapshot(),
 * HMM_DMIRROR_SNAPSHOT) and the steps of dmirror_range_fault() (read_begin,
 * range_fault, lock, read_retry, unlock), so that a file can leave a step out
 * or take them in another order.  The last steps, program (dmirror_do_fault())
 * and the mirror-only accesses, are in dmirror.c with the code they share.
 */
#include "dmirror_internal.h"

/* ---- snapshot --------------------------------------------------------------------- */

static unsigned char dmirror_mkentry(struct hs_dmirror *dmirror, unsigned long entry)
{
	if (entry & HMM_PFN_ERROR)
		return HS_DMIRROR_PROT_ERROR;
	if (!(entry & HMM_PFN_VALID))
		return HS_DMIRROR_PROT_NONE;
	struct hs_page *page = hmm_pfn_to_page(entry);
	unsigned char perm;
	if (is_device_private_page(page))
		perm = hs_pgmap_owner_match(page->pgmap, dmirror_owner(dmirror))
			   ? HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL
			   : HS_DMIRROR_PROT_DEV_PRIVATE_REMOTE;
	else if (hs_is_device_coherent_page(page)) /* migrated to this device or another? */
		perm = page->pgmap == HS_NOTED(dmirror->mdevice->pgmap)
			   ? HS_DMIRROR_PROT_DEV_COHERENT_LOCAL
			   : HS_DMIRROR_PROT_DEV_COHERENT_REMOTE;
	else if (hs_is_zero_pfn(page_to_pfn(page)) && hs_hmm_pfn_to_map_order(entry) != 9)
		/* is_zero_pfn() is the 4K zero page only: the huge zero
		 * folio's pfns (the model's pfn 0 with the PMD order) are not
		 * (until session 28 its snapshot said ZERO) */
		perm = HS_DMIRROR_PROT_ZERO;
	else
		perm = HS_DMIRROR_PROT_NONE;
	perm |= entry & HMM_PFN_WRITE ? HS_DMIRROR_PROT_WRITE : HS_DMIRROR_PROT_READ;
	if (hs_hmm_pfn_to_map_order(entry) == 9) /* + PAGE_SHIFT == PMD_SHIFT */
		perm |= HS_DMIRROR_PROT_PMD;
	return perm;
}

/* dmirror_snapshot_invalidate(): the snapshot's own notifier only moves its
 * sequence, under the mirror's mutex (any invalidation of the range spoils
 * the whole snapshot; the mirror's entries are its own notifier's job). */
static bool dmirror_snapshot_invalidate(struct mmu_interval_notifier *mni,
					const struct mmu_notifier_range *range,
					unsigned long cur_seq)
{
	struct hs_dmirror *dmirror = mni->priv;

	if (mmu_notifier_range_blockable(range))
		sim_mutex_lock(&dmirror->mutex);
	else if (!sim_mutex_trylock(&dmirror->mutex))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	sim_mutex_unlock(&dmirror->mutex);
	return true;
}

static const struct mmu_interval_notifier_ops dmirror_mrn_ops = {
    .invalidate = dmirror_snapshot_invalidate,
};

/**
 * hs_dmirror_snapshot() - dmirror_snapshot(): HMM_DMIRROR_SNAPSHOT.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages
 * @perm: perm[i] = HS_DMIRROR_PROT_* of each page
 *
 * hmm_range_fault() without faulting, in the sequence loop, under a notifier
 * of its own over the range (dmirror_range_snapshot(): inserted for the
 * call, removed at its end, which waits for an invalidation in progress).
 * Until session 28 the model used the mirror's notifier, which covers the
 * whole mm: a snapshot retried for invalidations elsewhere, and never
 * inserted or removed a notifier during one.  Simplified: no timeout
 * (-EBUSY after HMM_RANGE_DEFAULT_TIMEOUT).
 *
 * Return: 0, -EINVAL for a bad range, or hmm_range_fault()'s error.
 */
int hs_dmirror_snapshot(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			unsigned char *perm)
{
	unsigned long *pfns = sim_alloc(npages * sizeof(*pfns));
	struct mmu_interval_notifier *notifier = sim_alloc(sizeof(*notifier));
	struct hmm_range range = {
	    .notifier = notifier,
	    .start = addr,
	    .end = addr + (npages << PAGE_SHIFT),
	    .hmm_pfns = pfns,
	    .dev_private_owner = dmirror_owner(dmirror),
	};
	int ret;

	if (!npages || (addr & ~PAGE_MASK))
		return -EINVAL;
	dmirror_owner_range_init(dmirror, &range);
	notifier->priv = dmirror;
	notifier->name = "snapshot";
	ret = mmu_interval_notifier_insert(notifier, dmirror->mm, range.start,
					   range.end - range.start, &dmirror_mrn_ops);
	if (ret)
		return ret;
	for (;;) {
		range.notifier_seq = mmu_interval_read_begin(range.notifier);
		mmap_read_lock(dmirror->mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(dmirror->mm);
		if (ret == -EBUSY) {
			sim_yield();
			continue;
		}
		if (ret)
			goto out;
		sim_mutex_lock(&dmirror->mutex);
		if (mmu_interval_read_retry(range.notifier, range.notifier_seq)) {
			sim_mutex_unlock(&dmirror->mutex);
			sim_yield();
			continue;
		}
		break;
	}
	for (unsigned long i = 0; i < npages; i++)
		perm[i] = dmirror_mkentry(dmirror, pfns[i]);
	sim_mutex_unlock(&dmirror->mutex);
out:
	mmu_interval_notifier_remove(notifier);
	hs_mmu_interval_notifier_free(notifier); /* test_hmm's is on the stack */
	return ret;
}

/* ---- the fault protocol step by step (scenario files) ------------------------------ */

/**
 * hs_dmirror_read_begin() - mmu_interval_read_begin() on the mirror's notifier.
 * @dmirror: the mirror
 *
 * A step of dmirror_range_fault(): range->notifier_seq = read_begin().
 *
 * Return: the sequence.
 */
unsigned long hs_dmirror_read_begin(struct hs_dmirror *dmirror)
{
	return mmu_interval_read_begin(&dmirror->notifier);
}

/**
 * hs_dmirror_range_fault() - a step of dmirror_range_fault(): hmm_range_fault().
 * @dmirror: the mirror
 * @seq: what hs_dmirror_read_begin() returned
 * @start: first address
 * @npages: pages (at most 64)
 * @fault: HMM_PFN_REQ_FAULT
 * @write: HMM_PFN_REQ_WRITE
 * @pfns: pfns[i] receives the hmm_pfn of each page
 *
 * Under mmap_read_lock(), as dmirror_range_fault() calls it.
 *
 * Return: 0, -EBUSY (start again from read_begin), -EFAULT, -EPERM, or
 * -EINVAL for a bad range.
 */
int hs_dmirror_range_fault(struct hs_dmirror *dmirror, unsigned long seq, unsigned long start,
			   unsigned long npages, bool fault, bool write, unsigned long *pfns)
{
	return hs_dmirror_range_fault_flags(
	    dmirror, seq, start, npages,
	    (fault ? HS_DMIRROR_RF_FAULT : 0) | (write ? HS_DMIRROR_RF_WRITE : 0), pfns);
}

/**
 * hs_dmirror_range_fault_flags() - hs_dmirror_range_fault() with the request as flags.
 * @dmirror: the mirror
 * @seq: what hs_dmirror_read_begin() returned
 * @start: first address
 * @npages: pages (at most 64)
 * @flags: HS_DMIRROR_RF_FAULT, _WRITE, _P2P (include/hmmsim/dmirror.h)
 * @pfns: pfns[i] receives the hmm_pfn of each page
 *
 * HS_DMIRROR_RF_P2P sets up the range as dmirror_fault() does for an
 * allow_p2p mirror.
 *
 * Return: as hs_dmirror_range_fault().
 */
int hs_dmirror_range_fault_flags(struct hs_dmirror *dmirror, unsigned long seq, unsigned long start,
				 unsigned long npages, unsigned int flags, unsigned long *pfns)
{
	struct mm_struct *mm = dmirror->mm;
	bool p2p = flags & HS_DMIRROR_RF_P2P;
	struct hmm_range range = {
	    .notifier = &dmirror->notifier,
	    .notifier_seq = seq,
	    .start = start,
	    .end = start + (npages << PAGE_SHIFT),
	    .hmm_pfns = pfns,
	    .pfn_flags_mask = 0,
	    .default_flags = (flags & HS_DMIRROR_RF_FAULT ? HMM_PFN_REQ_FAULT : 0) |
			     (flags & HS_DMIRROR_RF_WRITE ? HMM_PFN_REQ_WRITE : 0) |
			     (p2p ? HMM_PFN_ALLOW_P2P : 0),
	    .dev_private_owner = dmirror_owner(dmirror),
	    .p2p_requester = p2p && dmirror->p2p_with_requester ? dmirror->mdevice->pdev : NULL,
	};
	int ret;

	if (!npages || npages > 64 || (start & ~PAGE_MASK) ||
	    (range.end >> PAGE_SHIFT) > dmirror->npt)
		return -EINVAL;
	dmirror_owner_range_init(dmirror, &range);
	mmap_read_lock(mm);
	ret = hmm_range_fault(&range);
	mmap_read_unlock(mm);
	return ret;
}

/**
 * hs_dmirror_lock() - a step of dmirror_range_fault(): mutex_lock(&dmirror->mutex).
 * @dmirror: the mirror
 */
void hs_dmirror_lock(struct hs_dmirror *dmirror)
{
	sim_mutex_lock(&dmirror->mutex);
}

/**
 * hs_dmirror_unlock() - a step of dmirror_range_fault(): mutex_unlock(&dmirror->mutex).
 * @dmirror: the mirror
 */
void hs_dmirror_unlock(struct hs_dmirror *dmirror)
{
	sim_mutex_unlock(&dmirror->mutex);
}

/**
 * hs_dmirror_read_retry() - a step of dmirror_range_fault(): mmu_interval_read_retry().
 * @dmirror: the mirror
 * @seq: what hs_dmirror_read_begin() returned
 *
 * Return: true when an invalidation ran since @seq was read (meaningful only
 * under the lock).
 */
bool hs_dmirror_read_retry(struct hs_dmirror *dmirror, unsigned long seq)
{
	return mmu_interval_read_retry(&dmirror->notifier, seq);
}
