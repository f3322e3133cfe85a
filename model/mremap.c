// SPDX-License-Identifier: MIT
/*
 * mremap() to a fixed address (mm/mremap.c of v6.18): MREMAP_MAYMOVE |
 * MREMAP_FIXED, with or without MREMAP_DONTUNMAP, as hmm-tests'
 * migrate_remap_fault uses it.  mremap_to(): the destination is unmapped
 * first (do_munmap()), the source VMA is cut to the range, a new VMA with
 * the same flags is linked at the destination, and move_page_tables()
 * moves every entry inside one MMU_NOTIFY_UNMAP invalidation of the old
 * range: a whole, aligned huge PMD as it is (move_huge_pmd()), anything
 * else pte by pte under both PTLs (move_ptes()), device-private, migration
 * and swap entries included, as they are; the old range's TLB entries are
 * flushed before the PTLs are dropped when a present pte moved.  Then the
 * old VMA is unmapped (do_vmi_munmap(): a second MMU_NOTIFY_UNMAP over an
 * empty range), or with MREMAP_DONTUNMAP kept, empty, so a later touch
 * faults in zero pages.
 *
 * Simplified: only the MAYMOVE | FIXED forms (no growing or shrinking, no
 * search for a free range: old and new lengths are equal); no rmap locks
 * (the model's rmap of a device page is a record mremap updates under the
 * PTLs, one address per mm sharing the page, see hs_dev_rmap_move()); no
 * VM_ACCOUNT, no uffd, no soft-dirty.
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>

#include "internal.h"

/**
 * hs_dev_rmap_move() - mremap() moved a mapping of @page.
 * @page: the page of a present pte, a device-private or migration entry
 *	move_ptes() moved: a ZONE_DEVICE page, or a RAM page fork() shared
 * @mm: the address space
 * @addr: its new address
 *
 * Stands for the anon rmap following a moved VMA (vma->vm_pgoff): the
 * by-pfn paths find the entry at its new address.  The record of @mm is
 * moved: the migration's mapping or the one a fork() copied (model/rmap.c
 * keeps one address per mm; the other mms sharing the page keep theirs).
 * Under the PTLs of both addresses, not the page lock: a reader holding the
 * page lock may see either record, and re-checks the pte under the PTL as
 * always.
 */
void hs_dev_rmap_move(struct hs_page *page, struct hs_mm *mm, unsigned long addr)
{
	struct hs_dev_rmap *r;
	unsigned long *where = NULL;

	if (!(r = hs_dev_rmap_of(page)))
		return;
	hs_dev_rmap_note_read(r);
	if (sim_noted_load_n(&r->mm, __ATOMIC_RELAXED) == mm)
		where = &r->addr;
	for (int i = 0; !where && i < hs_dev_rmap_forked(r, page); i++)
		if (r->forked[i] == mm)
			where = &r->forked_addr[i];
	if (!where)
		return; /* not a mapping the record follows */
	sim_noted_store_n(where, addr, __ATOMIC_RELAXED);
	if (sim_tracing())
		sim_event("dev rmap of pfn %#lx -> %#lx", hs_page_to_pfn(page), addr);
}

/* move_ptes(): [old, old + len) to [new, new + len), inside one PTE table on
 * each side; both PTLs (one if the same table) taken, as the kernel nests
 * them under mmap_lock for write. */
static void move_ptes(struct hs_mm *mm, unsigned long old, unsigned long new, unsigned long len)
{
	sim_spinlock_t *old_ptl = hs_pte_lockptr(mm, old), *new_ptl = hs_pte_lockptr(mm, new);
	bool force_flush = false;

	sim_spin_lock(old_ptl);
	if (new_ptl != old_ptl)
		sim_spin_lock(new_ptl);
	for (unsigned long o = old, n = new; o < old + len; o += HS_PAGE_SIZE, n += HS_PAGE_SIZE) {
		sim_atomic_t *optep = hs_pte_offset(mm, o);
		if (hs_pte_none(hs_ptep_get(optep)))
			continue;
		hs_pte_t pte = hs_ptep_get_and_clear(mm, o, optep);
		struct hs_page *page = NULL;
		if (hs_pte_present(pte)) {
			force_flush = true;
			page = hs_vm_normal_page(pte);
		} else if (hs_is_device_private_entry(pte) || hs_is_migration_entry(pte) ||
			   hs_swp_type(pte) == HS_SWP_DEVICE_EXCLUSIVE) {
			page = hs_pfn_to_page(hs_pte_pfn(pte));
		}
		/* a ZONE_DEVICE page's mapping record follows, a device-coherent
		 * page's present pte too (until session 27 not: an eviction after
		 * the move looked at the old address, coherent-mremap-evict.hsc) */
		if (page)
			hs_dev_rmap_move(page, mm, n);
		hs_set_pte_at(mm, n, hs_pte_offset(mm, n), pte);
		/* the data oracle's record moves with the page */
		hs_mm_shadow_move(mm, o, n);
	}
	if (force_flush)
		hs_flush_tlb_range(mm, old, old + len);
	if (new_ptl != old_ptl)
		sim_spin_unlock(new_ptl);
	sim_spin_unlock(old_ptl);
	if (sim_tracing())
		sim_event("move_ptes [%#lx,%#lx) -> %#lx", old, old + len, new);
}

/* move_page_tables(): extent by extent, each inside one PTE table on both
 * sides, within one MMU_NOTIFY_UNMAP invalidation of the old range. */
static void move_page_tables(struct hs_vm_area_struct *vma, unsigned long old, unsigned long new,
			     unsigned long len)
{
	struct hs_mm *mm = vma->vm_mm;
	struct hs_mmu_notifier_range range;

	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_UNMAP, 0, mm, old, old + len, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	for (unsigned long done = 0, extent; done < len; done += extent) {
		unsigned long o = old + done, n = new + done;
		extent = HS_PMD_SIZE - (o & (HS_PMD_SIZE - 1));
		if (extent > HS_PMD_SIZE - (n & (HS_PMD_SIZE - 1)))
			extent = HS_PMD_SIZE - (n & (HS_PMD_SIZE - 1));
		if (extent > len - done)
			extent = len - done;
		if (mm->has_huge && extent == HS_PMD_SIZE) {
			sim_spinlock_t *optl = hs_pte_lockptr(mm, o), *nptl = hs_pte_lockptr(mm, n);
			sim_spin_lock(optl);
			sim_spin_lock(nptl);
			bool moved = hs_move_huge_pmd(mm, o, n);
			sim_spin_unlock(nptl);
			sim_spin_unlock(optl);
			if (moved)
				continue;
		}
		if (mm->has_huge)
			hs_split_huge_pmd(vma, o);
		move_ptes(mm, o, n, extent);
	}
	hs_mmu_notifier_invalidate_range_end(&range);
}

/**
 * hs_mremap() - mremap(@old, @len, @len, @flags, @new): move a mapping.
 * @mm: the address space
 * @old: the range's first address
 * @len: its length (old_len == new_len)
 * @new: the destination (MREMAP_FIXED)
 * @flags: HS_MREMAP_MAYMOVE | HS_MREMAP_FIXED, optionally HS_MREMAP_DONTUNMAP
 *
 * Under mmap_lock for write.
 *
 * Return: 0 (the mapping is at @new); -EINVAL (bad flags, unaligned or
 * overlapping ranges, a VM_IO / VM_PFNMAP VMA); -EFAULT (no VMA at @old, or
 * the range leaves it); -ENOMEM (no room for the VMAs).
 */
int hs_mremap(struct hs_mm *mm, unsigned long old, unsigned long len, unsigned long new,
	      unsigned int flags)
{
	unsigned int need = HS_MREMAP_MAYMOVE | HS_MREMAP_FIXED;
	struct hs_vm_area_struct *vma;
	int ret;

	if ((flags & need) != need || (flags & ~(need | HS_MREMAP_DONTUNMAP)) || !len ||
	    ((old | new | len) & (HS_PAGE_SIZE - 1)) || old + len < old || new + len < new ||
	    old + len > mm->va_size || new + len > mm->va_size ||
	    (new < old + len &&old < new + len))
		return -EINVAL;
	sim_down_write(&mm->mmap_lock);
	vma = hs_find_vma(mm, old);
	ret = -EFAULT;
	if (!vma || old + len > vma->vm_end)
		goto out;
	ret = -EINVAL;
	if (vma->vm_flags & (HS_VM_IO | HS_VM_PFNMAP))
		goto out;
	unsigned int vm_flags = vma->vm_flags;
	/* mremap_to(): the destination goes first */
	ret = hs_do_munmap(mm, new, new + len);
	if (!ret)
		ret = hs_vma_split_range(mm, old, old + len);
	if (!ret)
		ret = hs_vma_link(mm, new, new + len, vm_flags);
	if (ret)
		goto out;
	move_page_tables(hs_find_vma(mm, old), old, new, len);
	if (!(flags & HS_MREMAP_DONTUNMAP))
		ret = hs_do_munmap(mm, old, old + len);
out:
	sim_up_write(&mm->mmap_lock);
	if (sim_tracing())
		sim_event("mremap [%#lx,%#lx) -> %#lx%s = %d", old, old + len, new,
			  flags & HS_MREMAP_DONTUNMAP ? " dontunmap" : "", ret);
	return ret;
}
