// SPDX-License-Identifier: MIT
/*
 * get_user_pages() and pin_user_pages(): mm/gup.c's __get_user_pages() loop
 * (follow_page_pte() under the PTL, else faultin_page() -> handle_mm_fault()
 * and again), try_grab_folio() (FOLL_GET: one reference; FOLL_PIN:
 * GUP_PIN_COUNTING_BIAS references, so folio_maybe_dma_pinned() sees it),
 * unpin_user_page(), and FOLL_LONGTERM's check_and_migrate_movable_pages().
 * Baseline Linux v6.18.
 *
 * A device-private entry is never returned: follow_page_pte() sees a
 * non-present pte and the fault migrates the page back to system memory
 * (do_swap_page() -> migrate_to_ram()), which is what hmm_gup_test checks.
 * Migration refuses pinned pages through the refcount test of
 * migrate_vma_check_page() (model/migrate.c); the model's collect makes a
 * migration entry of a pinned exclusive page and restores it in
 * migrate_vma_unmap() instead of refusing it at once in
 * folio_try_share_anon_rmap_pte() (same outcome, one more scheduling point).
 *
 * FOLL_LONGTERM (__gup_longterm_locked()): after the pages are pinned,
 * check_and_migrate_movable_pages() looks for pages that may not stay pinned
 * long term; the model's only such pages are device-coherent ones (every
 * model RAM page is long-term pinnable: no ZONE_MOVABLE, no CMA, no
 * hugetlb).  When there is one, every page is unpinned, each device-coherent
 * page moved to system memory (migrate_device_coherent_folio(), with its pin
 * turned into a reference first, model/migrate.c), and the pin starts over
 * (-EAGAIN), now finding the system page.  A page whose migration fails
 * (still mapped or referenced elsewhere, e.g. pinned by someone else) makes
 * the pin fail with -EBUSY, the rest unpinned.  (Read in v6.12; v6.18's
 * migrate_longterm_unpinnable_folios() has the 2025 cleanup "mm: gup: clean
 * up stale logic in migrate_longterm_unpinnable_folio()", no functional
 * change.)
 *
 * A THP's page is grabbed through its huge PMD (follow_huge_pmd(); until
 * session 26 the model looked only at ptes, so pinning a THP faulted for
 * ever, a livelock the kernel does not have).
 *
 * Simplifications: no gup-fast (the lockless walk): the
 * _fast variants take mmap_lock as their fallback does, and the long-term
 * check runs after it is dropped, as pin_user_pages_fast()'s slow path does;
 * no memalloc_pin_save() (allocations have no zones to avoid).
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <stdio.h>

#include "internal.h"

/* try_grab_folio(): FOLL_GET one reference, FOLL_PIN the pin bias. */
static void try_grab_folio(struct hs_page *page, unsigned int gup_flags)
{
	if (hs_is_zero_pfn(hs_page_to_pfn(page)))
		return; /* the zero page is not refcounted */
	if (gup_flags & HS_FOLL_PIN)
		sim_atomic_add(&page->_refcount, HS_GUP_PIN_COUNTING_BIAS, SIM_RELAXED);
	else
		hs_get_page(page);
}

/*
 * follow_pmd_mask() and follow_page_pte(): the page mapped at @addr if the
 * access needs no fault (present, not protnone, writable for FOLL_WRITE),
 * grabbed under the PTL; NULL otherwise.  A huge PMD is followed to its
 * page at @addr (follow_huge_pmd(), model/huge_memory.c); the PMD is read
 * under the PTL (the kernel looks at it locklessly first and takes
 * pmd_lock(), the model's PTL, for a leaf).  With FOLL_SPLIT_PMD a present
 * huge PMD is split first (split_huge_pmd(), the lock dropped) and the pte
 * followed.
 */
static struct hs_page *follow_page_pte(struct hs_vm_area_struct *vma, unsigned long addr,
				       unsigned int gup_flags)
{
	struct hs_mm *mm = vma->vm_mm;
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, addr);
	struct hs_page *page = NULL;

	if (!ptep)
		return NULL;
	sim_spin_lock(ptl);
	int pmd = hs_follow_huge_pmd(mm, addr, gup_flags & HS_FOLL_WRITE, &page);
	if (pmd == HS_PMD_LEAF && (gup_flags & HS_FOLL_SPLIT_PMD)) {
		sim_spin_unlock(ptl);
		hs_split_huge_pmd(vma, addr);
		sim_spin_lock(ptl);
		page = NULL;
	} else if (pmd != HS_PMD_TABLE) { /* a huge PMD: follow_huge_pmd() */
		if (page)
			try_grab_folio(page, gup_flags);
		sim_spin_unlock(ptl);
		return page;
	}
	hs_pte_t pte = hs_ptep_get(ptep);
	if (hs_pte_present(pte) && !hs_pte_protnone(pte) &&
	    (!(gup_flags & HS_FOLL_WRITE) || hs_pte_write(pte))) {
		page = hs_pfn_to_page(hs_pte_pfn(pte));
		hs_page_check(page, hs_pte_gen(pte), "follow_page_pte");
		try_grab_folio(page, gup_flags);
	}
	sim_spin_unlock(ptl);
	return page;
}

/**
 * hs_get_user_pages_remote() - get_user_pages_remote() / __get_user_pages().
 * @mm: the address space; the caller holds its mmap_lock
 * @start: first address (page aligned)
 * @nr_pages: pages
 * @gup_flags: HS_FOLL_GET or HS_FOLL_PIN, HS_FOLL_WRITE, HS_FOLL_SPLIT_PMD
 * @pages: the pages, each referenced (or pinned) for the caller
 *
 * Each page is followed under the PTL, else faulted (handle_mm_fault(), with
 * FAULT_FLAG_WRITE for FOLL_WRITE) and followed again.
 *
 * Return: @nr_pages, or a negative errno when the first page fails
 * (-EFAULT: no VMA, the VMA forbids the access, the fault failed;
 * -ENOMEM); after a failure at a later page, the pages before it are given
 * back and the error returned too (the kernel returns the partial count).
 */
long hs_get_user_pages_remote(struct hs_mm *mm, unsigned long start, unsigned long nr_pages,
			      unsigned int gup_flags, struct hs_page **pages)
{
	bool write = gup_flags & HS_FOLL_WRITE;

	sim_assert_held(&mm->mmap_lock);
	for (unsigned long i = 0; i < nr_pages; i++) {
		unsigned long addr = start + i * HS_PAGE_SIZE;
		struct hs_vm_area_struct *vma = hs_find_vma(mm, addr);
		int ret = 0;

		/* check_vma_flags() */
		if (!vma || (vma->vm_flags & (HS_VM_IO | HS_VM_PFNMAP)) ||
		    !(vma->vm_flags & (write ? HS_VM_WRITE : HS_VM_READ)))
			ret = -EFAULT;
		while (!ret && !(pages[i] = follow_page_pte(vma, addr, gup_flags))) {
			/* faultin_page() */
			unsigned int f = hs_handle_mm_fault(
			    vma, addr, HS_FAULT_FLAG_REMOTE | (write ? HS_FAULT_FLAG_WRITE : 0));
			if (f & HS_VM_FAULT_OOM)
				ret = -ENOMEM;
			else if (f & HS_VM_FAULT_ERROR)
				ret = -EFAULT;
			else
				sim_yield(); /* cond_resched() */
		}
		if (ret) {
			while (i--)
				hs_unpin_user_page_flags(pages[i], gup_flags);
			return ret;
		}
	}
	return (long)nr_pages;
}

/**
 * hs_unpin_user_page_flags() - unpin_user_page() (FOLL_PIN) or put_page()
 * (FOLL_GET), as the page was grabbed.
 * @page: the page
 * @gup_flags: the flags it was grabbed with
 */
void hs_unpin_user_page_flags(struct hs_page *page, unsigned int gup_flags)
{
	if (hs_is_zero_pfn(hs_page_to_pfn(page)))
		return;
	if (gup_flags & HS_FOLL_PIN)
		/* gup_put_folio(): the bias but one, then the last as a put */
		sim_atomic_sub_return(&page->_refcount, HS_GUP_PIN_COUNTING_BIAS - 1, SIM_RELAXED);
	hs_put_page(page);
}

/*
 * check_and_migrate_movable_pages(): collect_longterm_unpinnable_folios() and
 * migrate_longterm_unpinnable_folios() of @nr pinned @pages.
 * Return: 0 (all may stay pinned), -EAGAIN (all unpinned, device-coherent
 * ones moved to system memory: pin again) or -EBUSY (all unpinned).
 */
static long check_and_migrate_movable_pages(long nr, struct hs_page **pages)
{
	long collected = 0, i;

	for (i = 0; i < nr; i++)
		if (hs_is_device_coherent_page(pages[i])) /* !folio_is_longterm_pinnable() */
			collected++;
	if (!collected)
		return 0;
	for (i = 0; i < nr; i++) {
		struct hs_page *page = pages[i];

		pages[i] = NULL; /* pofs_clear_entry() */
		if (!hs_is_device_coherent_page(page)) {
			hs_unpin_user_page_flags(page, HS_FOLL_PIN);
			continue;
		}
		/* the pin would fail the migration's refcount test: a reference */
		hs_get_page(page);
		hs_unpin_user_page_flags(page, HS_FOLL_PIN);
		if (sim_tracing())
			sim_event("gup: FOLL_LONGTERM moves device-coherent pfn %#lx to RAM",
				  hs_page_to_pfn(page));
		if (hs_migrate_device_coherent_folio(page))
			goto err;
	}
	return -EAGAIN;
err:
	while (++i < nr) { /* pofs_unpin(): what is left */
		hs_unpin_user_page_flags(pages[i], HS_FOLL_PIN);
		pages[i] = NULL;
	}
	return -EBUSY;
}

/**
 * hs_pin_user_pages() - pin_user_pages() (FOLL_PIN), with FOLL_LONGTERM's
 * check_and_migrate_movable_pages() (__gup_longterm_locked()).
 * @mm: the address space (its mmap_lock is taken here, as pin_user_pages_fast()'s
 *	slow path does)
 * @start: first address
 * @nr_pages: pages
 * @gup_flags: HS_FOLL_WRITE, HS_FOLL_LONGTERM
 * @pages: the pinned pages
 *
 * Return: @nr_pages or a negative errno (see hs_get_user_pages_remote());
 * -EBUSY when FOLL_LONGTERM could not move a device-coherent page to system
 * memory (see the top of the file).
 */
long hs_pin_user_pages(struct hs_mm *mm, unsigned long start, unsigned long nr_pages,
		       unsigned int gup_flags, struct hs_page **pages)
{
	long ret;

	gup_flags = (gup_flags & ~HS_FOLL_GET) | HS_FOLL_PIN;
	do {
		sim_down_read(&mm->mmap_lock);
		ret = hs_get_user_pages_remote(mm, start, nr_pages, gup_flags, pages);
		sim_up_read(&mm->mmap_lock);
		if (ret <= 0 || !(gup_flags & HS_FOLL_LONGTERM))
			return ret;
		long rc = check_and_migrate_movable_pages(ret, pages);
		if (rc != -EAGAIN)
			return rc ? rc : ret;
	} while (1);
}

/**
 * hs_unpin_user_pages() - unpin_user_pages().
 * @pages: pages pinned by hs_pin_user_pages()
 * @nr_pages: how many
 */
void hs_unpin_user_pages(struct hs_page **pages, unsigned long nr_pages)
{
	for (unsigned long i = 0; i < nr_pages; i++)
		hs_unpin_user_page_flags(pages[i], HS_FOLL_PIN);
}

/**
 * hs_folio_maybe_dma_pinned() - folio_maybe_dma_pinned() of an order-0 page.
 * @page: the page
 *
 * Return: whether its refcount carries a pin's bias.
 */
bool hs_folio_maybe_dma_pinned(struct hs_page *page)
{
	return hs_page_ref_count(page) >= HS_GUP_PIN_COUNTING_BIAS;
}
