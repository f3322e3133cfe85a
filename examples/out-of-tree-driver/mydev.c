// SPDX-License-Identifier: MIT
/*
 * mydev: the driver model, written with the kernel's names (the facade
 * <hmmsim/kernel.h>), as a driver's fault and invalidate paths read in the
 * kernel (compare lib/test_hmm.c's dmirror_range_fault() and
 * dmirror_interval_invalidate()).
 *
 * The device page table pt[] has one entry per page of the mirrored range:
 * the pfn the device reaches, or 0.  dev->lock is the driver's "update
 * lock" of Documentation/mm/hmm.rst: the invalidate callback takes it to
 * clear entries, the fault path takes it to check mmu_interval_read_retry()
 * and program entries, and a device access holds it while it uses one.
 */
#include <stddef.h>

#include <hmmsim/hmm.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/page.h>

#include "mydev.h"

/* after every other header: the kernel's names for the model's */
#include <hmmsim/kernel.h>

#define container_of(ptr, type, member) ((type *)((char *)ptr - offsetof(type, member)))

#define MYDEV_PT_VALID (1ul << 63)

struct mydev {
	struct mm_struct *mm;
	struct mmu_interval_notifier notifier;
	sim_mutex_t lock; /* the update lock: protects pt[] */
	unsigned long start, npages;
	unsigned long *pt; /* MYDEV_PT_VALID | pfn, or 0 */
	enum mydev_bug bug;
};

/*
 * The invalidate callback: runs before the CPU page table changes in
 * [range->start, range->end).  Under the update lock it bumps the
 * notifier's sequence (so a fault in flight retries) and drops the
 * entries; once it returns, the device no longer reaches those pages.
 */
static bool mydev_invalidate(struct mmu_interval_notifier *mni,
			     const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	struct mydev *dev = container_of(mni, struct mydev, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&dev->lock);
	else if (!mutex_trylock(&dev->lock))
		return false;
	if (dev->bug != MYDEV_BUG_NO_SET_SEQ)
		mmu_interval_set_seq(mni, cur_seq);
	for (unsigned long i = 0; i < dev->npages; i++) {
		unsigned long addr = dev->start + i * PAGE_SIZE;
		if (addr >= range->start && addr < range->end)
			dev->pt[i] = 0;
	}
	mutex_unlock(&dev->lock);
	return true;
}

static const struct mmu_interval_notifier_ops mydev_mni_ops = {
    .invalidate = mydev_invalidate,
};

/*
 * The fault protocol (Documentation/mm/hmm.rst): take the sequence, fault
 * the page with hmm_range_fault() under mmap_lock, then under the update
 * lock check that no invalidation came since; if one did, the pfn may be
 * stale: again.  Only then program the device page table.
 */
static int mydev_fault(struct mydev *dev, unsigned long addr)
{
	unsigned long pfn;
	struct hmm_range range = {
	    .notifier = &dev->notifier,
	    .start = addr,
	    .end = addr + PAGE_SIZE,
	    .hmm_pfns = &pfn,
	    .default_flags = HMM_PFN_REQ_FAULT,
	};
	int ret;

	for (;;) {
		range.notifier_seq = mmu_interval_read_begin(range.notifier);
		mmap_read_lock(dev->mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(dev->mm);
		if (ret == -EBUSY) {
			sim_yield(); /* cond_resched(): let the invalidation finish */
			continue;
		}
		if (ret)
			return ret;
		mutex_lock(&dev->lock);
		if (!mmu_interval_read_retry(range.notifier, range.notifier_seq))
			break;
		mutex_unlock(&dev->lock);
	}
	dev->pt[(addr - dev->start) / PAGE_SIZE] = MYDEV_PT_VALID | hs_hmm_pfn_to_pfn(pfn);
	mutex_unlock(&dev->lock);
	return 0;
}

/*
 * The scenario's oracle, at every device access (the update lock held):
 * the page the device reaches must be the one the CPU page table maps.  An
 * invalidation cannot change the pte under us: its callback needs the lock.
 */
static void mydev_check_coherent(struct mydev *dev, unsigned long addr, unsigned long pfn)
{
	sim_atomic_t *ptep = hs_pte_offset(dev->mm, addr);
	hs_pte_t pte = ptep ? hs_ptep_get(ptep) : 0;
	char desc[64];

	if (!hs_pte_present(pte) || hs_pte_pfn(pte) != pfn)
		sim_fail(HS_KIND_COHERENCE,
			 "mydev reads %#lx through pfn %#lx, but the CPU page table has %s there",
			 addr, pfn, hs_pte_describe(pte, desc, sizeof(desc)));
}

int mydev_read(struct mydev *dev, unsigned long addr, unsigned long *val)
{
	unsigned long i = (addr - dev->start) / PAGE_SIZE;

	if (addr < dev->start || i >= dev->npages)
		return -EINVAL;
	for (;;) {
		mutex_lock(&dev->lock);
		unsigned long ent = dev->pt[i];
		if (ent & MYDEV_PT_VALID) {
			unsigned long pfn = ent & ~MYDEV_PT_VALID;
			mydev_check_coherent(dev, addr, pfn);
			*val = hs_page_read(pfn_to_page(pfn));
			mutex_unlock(&dev->lock);
			return 0;
		}
		mutex_unlock(&dev->lock);
		int ret = mydev_fault(dev, addr);
		if (ret)
			return ret;
	}
}

struct mydev *mydev_open(struct hs_mm *mm, unsigned long start, unsigned long npages,
			 enum mydev_bug bug)
{
	struct mydev *dev = sim_alloc(sizeof(*dev));

	dev->mm = mm;
	dev->start = start;
	dev->npages = npages;
	dev->bug = bug;
	dev->pt = sim_alloc(npages * sizeof(*dev->pt));
	mutex_init(&dev->lock);
	dev->notifier.name = "mydev";
	if (mmu_interval_notifier_insert(&dev->notifier, mm, start, npages * PAGE_SIZE,
					 &mydev_mni_ops))
		sim_fail(HS_KIND_BUG, "mydev: mmu_interval_notifier_insert failed");
	return dev;
}

void mydev_close(struct mydev *dev)
{
	mmu_interval_notifier_remove(&dev->notifier);
}
