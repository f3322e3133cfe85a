// SPDX-License-Identifier: MIT
/*
 * fork() of an address space: kernel/fork.c's dup_mm() -> dup_mmap(), and the
 * page-table copy it calls in mm/memory.c: copy_page_range() ->
 * copy_pte_range() -> copy_present_pte() / copy_nonpresent_pte().  Baseline
 * Linux v6.18 (device-exclusive entries as since v6.15: the entry keeps the
 * mapcount, fork restores it under the folio trylock or fails with -EBUSY).
 *
 * What fork does to the parent, as the kernel does it:
 *  - mmap_lock of the parent for write for the whole copy (and the child's,
 *    which nobody else can see yet);
 *  - per COW VMA (private; the model's VMAs are all VM_MAYWRITE) one
 *    MMU_NOTIFY_PROTECTION_PAGE invalidation of the parent over the VMA, so
 *    device mirrors drop their writable entries before the ptes are
 *    write-protected;
 *  - under the child's PTL and the parent's (nested) every entry is copied:
 *    a writable anonymous pte is write-protected in both (ptep_set_wrprotect()
 *    on the parent's, an atomic update: a concurrent hardware dirty bit is
 *    kept); the page gets a reference and a mapcount and stops being
 *    exclusive (HS_PG_ANON_SHARED, the inverse of PG_anon_exclusive) and
 *    its rmap record names the child (hs_dev_rmap_add(), anon_vma_fork()'s
 *    part), unless it may be DMA-pinned (folio_maybe_dma_pinned()), when
 *    the child gets a copy at once (copy_present_page());
 *  - a writable device-private entry becomes readable in parent and child
 *    (copy_nonpresent_pte()), the page a reference and a mapcount;
 *  - a device-exclusive entry is restored to a present pte first
 *    (try_restore_exclusive_pte(): folio_trylock(), else fork fails -EBUSY)
 *    and then copied as a present pte;
 *  - one TLB flush of the parent at the end (flush_tlb_mm()), before the
 *    parent's mmap_lock is dropped.
 *
 * Simplifications (docs/fidelity.md):
 *  - A migration entry is not copied: fork drops the PTLs, waits for the
 *    migration to end (migration_entry_wait()) and copies that pte again.  The
 *    kernel copies the entry (readable for COW) and the migration's rmap walk
 *    finds the child through the anon_vma fork linked first; the model's
 *    pages record their mappings without an anon_vma (model/migrate.c,
 *    hs_dev_rmap_add()), and a migration entry only exists while a migration
 *    holds the page locked.  Only a migration that holds no mmap_lock of
 *    the parent puts one there: the device eviction (by pfn), and the rmap
 *    walk of another mm's migrate_vma of a page they share
 *    (try_to_migrate()).
 *  - A swap entry gets a slot of the child's own swap device holding the
 *    same data (the model's swap devices are per mm) instead of
 *    swap_duplicate() of the parent's slot.
 *  - Shared (shmem) VMAs have their ptes copied: the model's shmem has no
 *    page cache the child could fault the pages from (vma_needs_copy() says
 *    no for them in the kernel).  VM_IO / VM_PFNMAP VMAs are copied without
 *    ptes (the model maps nothing there).
 *  - A huge PMD (THP, huge zero folio) of the parent is split before the copy
 *    (hs_split_huge_pmd(), under its own MMU_NOTIFY_CLEAR invalidation): the
 *    kernel's copy_huge_pmd() shares the THP whole; the child gets ptes.
 *  - The child gets no mmu notifier subscriptions (the kernel's dup_mmap()
 *    copies none either: a driver mirrors the child by opening its own).
 *  - The data oracle's shadow of a page is copied with its pte (a shared
 *    VMA's page, the same page in both, gets one record for the family,
 *    hs_mm_shadow_share(); a pinned page's copy reads it with the content,
 *    copy_present_page()).  A parent's
 *    store through a stale TLB entry after that copy and before the final
 *    flush reaches the page the child now shares: the kernel allows it (fork
 *    is not atomic against the parent's other threads); scenarios do not
 *    store from the parent while it forks.
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <stdio.h>

#include "internal.h"

/* is_cow_mapping(): private and (always, in the model) VM_MAYWRITE. */
static bool is_cow_mapping(unsigned int vm_flags)
{
	return !(vm_flags & HS_VM_SHARED);
}

/* The model's swap_duplicate(): a slot of @dst's swap device with the data of
 * @src's @slot.  Return: the new slot, 0 when @dst's device is full. */
static unsigned long swap_duplicate(struct hs_mm *dst, struct hs_mm *src, unsigned long slot)
{
	unsigned long s, v;

	sim_spin_lock(&src->swap.lock);
	v = HS_NOTED(src->swap.slot[slot]);
	sim_spin_unlock(&src->swap.lock);
	sim_spin_lock(&dst->swap.lock);
	for (s = 1; s <= dst->swap.nr_slots; s++)
		if (!HS_NOTED(dst->swap.used[s])) {
			HS_NOTED_SET(dst->swap.used[s], true);
			HS_NOTED_SET(dst->swap.slot[s], v);
			break;
		}
	sim_spin_unlock(&dst->swap.lock);
	return s <= dst->swap.nr_slots ? s : 0;
}

/* What copy_pte_range() does after an entry it could not copy in place. */
enum copy_ret {
	COPY_DONE = 0,
	COPY_AGAIN_PRESENT = 1, /* -ENOENT: restored to present, copy it as such */
	COPY_WAIT = 2,		/* the model's: wait for a migration, then again */
	COPIED_PAGE = 3,	/* copy_present_page(): the oracle's record copied too */
};

/*
 * copy_nonpresent_pte(): a swap, device-private or device-exclusive entry of
 * the parent into the child.  Both PTLs are held.  Return: COPY_DONE,
 * COPY_AGAIN_PRESENT (a device-exclusive entry restored), COPY_WAIT (a
 * migration entry), or -EBUSY / -ENOMEM for fork to fail with.
 */
static int copy_nonpresent_pte(struct hs_mm *dst_mm, struct hs_mm *src_mm, sim_atomic_t *dst_pte,
			       sim_atomic_t *src_pte, struct hs_vm_area_struct *src_vma,
			       unsigned long addr, hs_pte_t pte)
{
	struct hs_page *page;
	unsigned long slot;

	switch (hs_swp_type(pte)) {
	case HS_SWP_SWAP:
		slot = swap_duplicate(dst_mm, src_mm, hs_pte_pfn(pte));
		if (!slot)
			return -ENOMEM;
		hs_set_pte_at(dst_mm, addr, dst_pte, hs_mk_swp_pte(HS_SWP_SWAP, slot, 0));
		return COPY_DONE;
	case HS_SWP_MIGRATION:
		return COPY_WAIT;
	case HS_SWP_DEVICE_PRIVATE:
		page = hs_pfn_to_page(hs_pte_pfn(pte));
		hs_page_check(page, hs_pte_gen(pte), "copy_nonpresent_pte");
		hs_get_page(page);
		hs_page_add_rmap(page); /* folio_try_dup_anon_rmap_pte() */
		sim_bits_set(&page->flags, 1ul << HS_PG_ANON_SHARED, SIM_RELAXED);
		hs_dev_rmap_add(page, src_mm, dst_mm, addr);
		if (hs_is_writable_swp_entry(pte) && is_cow_mapping(src_vma->vm_flags)) {
			pte &= ~HS_SWP_WRITE; /* make_readable_device_private_entry() */
			hs_set_pte_at(src_mm, addr, src_pte, pte);
		}
		hs_set_pte_at(dst_mm, addr, dst_pte, pte);
		return COPY_DONE;
	case HS_SWP_DEVICE_EXCLUSIVE:
		page = hs_pfn_to_page(hs_pte_pfn(pte));
		if (!hs_try_restore_exclusive_pte(src_vma, page, addr, src_pte, pte))
			return -EBUSY;
		return COPY_AGAIN_PRESENT;
	default:
		return COPY_DONE;
	}
}

/*
 * copy_present_page(): the child gets its own copy of a page the parent may
 * have DMA-pinned (and keeps exclusive and writable).  Both PTLs are held; the
 * kernel preallocates the page (-EAGAIN) to stay atomic, the model allocates
 * under the locks.  The parent's pte stays writable, so another parent
 * thread may store to the page meanwhile: the data oracle's record of the
 * child is read in the step of the content's read (until session 26 it was
 * read after the child's pte was set, and a store between made the child's
 * copy look like a lost write).  Return: COPIED_PAGE (the record copied
 * too) or -ENOMEM.
 */
static int copy_present_page(struct hs_mm *dst_mm, struct hs_mm *src_mm, sim_atomic_t *dst_pte,
			     unsigned long addr, struct hs_page *src, hs_pte_t pte)
{
	struct hs_page *new = hs_alloc_page();
	unsigned long *rec = hs_mm_shadow(src_mm, addr);

	if (!new)
		return -ENOMEM;
	sim_bits_set(&new->flags, 1ul << HS_PG_ANON, SIM_RELAXED);
	unsigned long v = hs_page_read(src);
	unsigned long seen = sim_noted_load_n(rec, __ATOMIC_RELAXED); /* the same step */
	hs_page_write(new, v);
	sim_noted_store_n(&dst_mm->shadow[addr >> HS_PAGE_SHIFT], seen, __ATOMIC_RELAXED);
	hs_page_add_rmap(new);
	hs_folio_add_lru(new); /* folio_add_lru_vma(): this CPU's batch */
	hs_set_pte_at(dst_mm, addr, dst_pte,
		      hs_mk_pte(hs_page_to_pfn(new),
				HS_PTE_DIRTY | (pte & (HS_PTE_WRITE | HS_PTE_PROTNONE))));
	return COPIED_PAGE;
}

/*
 * copy_present_pte(): the child maps the parent's page; a COW mapping's
 * writable pte is write-protected in both.  Both PTLs are held.
 * Return: 0, COPIED_PAGE (copy_present_page()) or -ENOMEM.
 */
static int copy_present_pte(struct hs_mm *dst_mm, struct hs_mm *src_mm, sim_atomic_t *dst_pte,
			    sim_atomic_t *src_pte, struct hs_vm_area_struct *src_vma,
			    unsigned long addr, hs_pte_t pte)
{
	unsigned long pfn = hs_pte_pfn(pte);
	struct hs_page *page = NULL;
	bool cow = is_cow_mapping(src_vma->vm_flags);

	if (!(pte & HS_PTE_SPECIAL) && !hs_is_zero_pfn(pfn))
		page = hs_pfn_to_page(pfn); /* vm_normal_page() */
	if (page) {
		hs_page_check(page, hs_pte_gen(pte), "copy_present_pte");
		/* folio_try_dup_anon_rmap_pte() fails for an exclusive page that
		 * may be pinned: the child gets a copy (GUP_PIN_COUNTING_BIAS) */
		if (cow && hs_page_ref_count(page) >= HS_GUP_PIN_COUNTING_BIAS)
			return copy_present_page(dst_mm, src_mm, dst_pte, addr, page, pte);
		hs_get_page(page);
		hs_page_add_rmap(page);
		/* a device-coherent page: the child's pte is in its rmap too
		 * (anon_vma_fork()), which the by-pfn migration walks (until
		 * session 27 only device-private entries were followed, and an
		 * eviction left the child's mapping: coherent-fork-evict.hsc) */
		if (hs_is_zone_device_page(page))
			hs_dev_rmap_add(page, src_mm, dst_mm, addr);
		/* and so is an anonymous RAM page's (every page of a private VMA
		 * is anonymous here), so a migration of it unmaps and maps both
		 * mms (until session 29 it had no record and migrate_vma gave it
		 * back: cow-migrate.hsc) */
		else if (cow)
			hs_dev_rmap_add(page, src_mm, dst_mm, addr);
		if (cow)
			sim_bits_set(&page->flags, 1ul << HS_PG_ANON_SHARED, SIM_RELAXED);
	}
	if (cow && hs_pte_write(pte)) {
		/* ptep_set_wrprotect(): atomic, the hardware's dirty bit stays */
		sim_atomic_fetch_and(src_pte, (long)~HS_PTE_WRITE, SIM_RELAXED);
		pte &= ~HS_PTE_WRITE;
	}
	if (!cow)
		pte &= ~HS_PTE_DIRTY; /* pte_mkclean() for a shared mapping */
	hs_set_pte_at(dst_mm, addr, dst_pte, pte & ~HS_PTE_YOUNG); /* pte_mkold() */
	return 0;
}

/*
 * copy_pte_range() over [addr, end) inside one PTE table: the child's PTL,
 * then the parent's nested.  A migration entry drops both, waits and starts
 * again at that pte (see the top of the file).  Return: 0 or a negative errno.
 */
static int copy_pte_range(struct hs_mm *dst_mm, struct hs_mm *src_mm,
			  struct hs_vm_area_struct *src_vma, unsigned long addr, unsigned long end)
{
	sim_spinlock_t *dst_ptl = hs_pte_lockptr(dst_mm, addr);
	sim_spinlock_t *src_ptl = hs_pte_lockptr(src_mm, addr);
	int ret = 0;

again:
	sim_spin_lock(dst_ptl);
	sim_spin_lock(src_ptl);
	for (; addr < end; addr += HS_PAGE_SIZE) {
		sim_atomic_t *src_pte = hs_pte_offset(src_mm, addr);
		sim_atomic_t *dst_pte = hs_pte_offset(dst_mm, addr);
		hs_pte_t pte = hs_ptep_get(src_pte);

		if (hs_pte_none(pte))
			continue;
		if (!hs_pte_present(pte)) {
			ret = copy_nonpresent_pte(dst_mm, src_mm, dst_pte, src_pte, src_vma, addr,
						  pte);
			if (ret == COPY_WAIT)
				break;
			if (ret < 0)
				break;
			if (ret == COPY_DONE)
				goto copied;
			pte = hs_ptep_get(src_pte); /* restored: copy it as present */
		}
		ret = copy_present_pte(dst_mm, src_mm, dst_pte, src_pte, src_vma, addr, pte);
		if (ret < 0)
			break;
		if (ret == COPIED_PAGE) { /* the oracle's record came with the content */
			ret = 0;
			continue;
		}
	copied:
		if (!is_cow_mapping(src_vma->vm_flags) &&
		    hs_pte_present(pte)) /* one page, one record */
			hs_mm_shadow_share(dst_mm, src_mm, addr);
		else
			sim_noted_store_n(
			    &dst_mm->shadow[addr >> HS_PAGE_SHIFT],
			    sim_noted_load_n(hs_mm_shadow(src_mm, addr), __ATOMIC_RELAXED),
			    __ATOMIC_RELAXED);
	}
	sim_spin_unlock(src_ptl);
	sim_spin_unlock(dst_ptl);
	if (ret == COPY_WAIT) {
		hs_migration_entry_wait(src_mm, addr);
		ret = 0;
		goto again;
	}
	return ret;
}

/*
 * copy_page_range(): the ptes of one VMA, table by table; a COW VMA inside an
 * MMU_NOTIFY_PROTECTION_PAGE invalidation of the parent (the parent's
 * mmap_lock is held for write, raw_write_seqcount_begin() of
 * write_protect_seq is not modelled: nothing reads it).
 */
static int copy_page_range(struct hs_mm *dst_mm, struct hs_vm_area_struct *src_vma)
{
	struct hs_mm *src_mm = src_vma->vm_mm;
	struct hs_mmu_notifier_range range;
	bool cow = is_cow_mapping(src_vma->vm_flags);
	int ret = 0;

	sim_assert_held(&src_mm->mmap_lock);
	if (src_vma->vm_flags & (HS_VM_IO | HS_VM_PFNMAP))
		return 0;
	/* copy_huge_pmd() is not modelled: a THP of the parent is split first
	 * (no-op in an mm that never had a huge VMA) */
	for (unsigned long a = src_vma->vm_start; a < src_vma->vm_end;
	     a = (a | (HS_PMD_SIZE - 1)) + 1)
		hs_split_huge_pmd(src_vma, a);
	if (cow) {
		hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_PROTECTION_PAGE, 0, src_mm,
					   src_vma->vm_start, src_vma->vm_end, NULL);
		hs_mmu_notifier_invalidate_range_start(&range);
	}
	for (unsigned long a = src_vma->vm_start, next; !ret && a < src_vma->vm_end; a = next) {
		next = (a | (HS_PMD_SIZE - 1)) + 1;
		if (next > src_vma->vm_end)
			next = src_vma->vm_end;
		ret = copy_pte_range(dst_mm, src_mm, src_vma, a, next);
	}
	if (cow)
		hs_mmu_notifier_invalidate_range_end(&range);
	return ret;
}

/**
 * hs_dup_mm() - fork()'s dup_mm() -> dup_mmap(): a copy of @oldmm.
 * @oldmm: the parent's address space
 * @name: the child's, for reports
 * @newmm: the child's address space, on success
 *
 * Under the parent's mmap_lock for write: every VMA is copied, and its ptes
 * (copy_page_range(), see the top of the file); then one TLB flush of the
 * parent.  The child has the parent's size and swap device size, no mmu
 * notifier subscriptions, and one user.
 *
 * Return: 0, -EBUSY (a device-exclusive entry whose folio is locked: the
 * kernel's fork fails the same way), or -ENOMEM (no page or swap slot for the
 * child).  On failure the child is torn down (mmput()).
 */
int hs_dup_mm(struct hs_mm *oldmm, const char *name, struct hs_mm **newmm)
{
	struct hs_mm *mm = hs_mm_alloc(name, oldmm->va_size, oldmm->swap.nr_slots);
	int ret = 0;

	sim_down_write(&oldmm->mmap_lock);
	for (int i = 0; i < oldmm->nr_vmas && !ret; i++) {
		struct hs_vm_area_struct *v = &oldmm->vmas[i];
		/* vm_area_dup(): the child's VMA; its PTE tables with it */
		ret = hs_mmap(mm, v->vm_start, v->vm_end - v->vm_start, v->vm_flags);
		if (!ret) {
			sim_down_write(&mm->mmap_lock); /* mmap_write_lock_nested() */
			ret = copy_page_range(mm, v);
			sim_up_write(&mm->mmap_lock);
		}
	}
	hs_flush_tlb_range(oldmm, 0, oldmm->va_size); /* flush_tlb_mm() */
	sim_up_write(&oldmm->mmap_lock);
	if (sim_tracing())
		sim_event("dup_mm %s -> %s: %d", oldmm->name, name, ret);
	if (ret) {
		hs_mmput(mm);
		return ret;
	}
	*newmm = mm;
	return 0;
}
