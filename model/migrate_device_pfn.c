// SPDX-License-Identifier: MIT
/*
 * Device memory migration by pfn: migrate_device_range() and
 * migrate_device_coherent_folio() of mm/migrate_device.c (the driver names
 * device pfns, the pages' mappings are found by their rmap record, see
 * migrate.c), and migration_entry_wait() of mm/migrate.c, which a CPU fault
 * on a migration entry calls.  The rest of the migration is in migrate.c
 * (migrate_vma_*, the unmap, pages and finalize steps both APIs share) and
 * migrate_device_thp.c (compound entries).
 */
#include <errno.h>
#include <hmmsim/hmm.h>
#include <hmmsim/migrate.h>

#include "internal.h"

#define PAGE_MASK (~(HS_PAGE_SIZE - 1))

/* ---- by pfn ------------------------------------------------------------------------ */

/* migrate_device_pfn_lock(): pin and trylock a device page, unless it is free
 * or busy.  Return: its MIGRATE_PFN word, or 0. */
static unsigned long migrate_device_pfn_lock(unsigned long pfn, const unsigned long *src)
{
	struct hs_page *page;

	if (!hs_pfn_valid(pfn))
		return 0;
	page = hs_pfn_to_page(pfn);
	if (hs_device_folio_busy(page, src)) /* v6.19: locked with its folio */
		return 0;
	if (!hs_get_page_unless_zero(page))
		return 0;
	if (!hs_trylock_page(page)) {
		hs_put_page(page);
		return 0;
	}
	return hs_migrate_pfn(pfn) | HS_MIGRATE_PFN_MIGRATE;
}

/**
 * hs_migrate_device_range() - migrate_device_range(): collect device pfns.
 * @src_pfns:	filled with one migrate pfn per page
 * @start:	the first device pfn
 * @npages:	the number of pfns
 *
 * Pins, locks and unmaps the in-use pages of device pfns [@start, @start +
 * @npages), as migrate_vma_setup() does for a virtual range (used to evict a
 * device's memory).
 * Return: 0.
 */
int hs_migrate_device_range(unsigned long *src_pfns, unsigned long start, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++) {
		struct hs_page *p = hs_pfn_valid(start + i) ? hs_pfn_to_page(start + i) : NULL;
		bool head_in = p && hs_is_zone_device_page(p) &&
			       (start + i - p->pgmap->start_pfn) % HS_PTRS_PER_PTE <= i;
		src_pfns[i] = migrate_device_pfn_lock(start + i, head_in ? &src_pfns[i] : NULL);
	}
	hs_migrate_device_unmap(src_pfns, npages);
	return 0;
}

/**
 * hs_migrate_device_coherent_folio() - migrate_device_coherent_folio(): move
 * one device-coherent page to system memory (FOLL_LONGTERM, model/gup.c).
 * @page: the page; the caller holds a reference (not a pin), which the new
 *	page inherits on success and which is dropped on failure
 *
 * The page is locked (sleeping, unlike migrate_device_range()'s trylock),
 * unmapped by its rmap (try_to_migrate()), copied into a new system page and
 * finalized, as the by-pfn API does.
 * Return: 0, or -EBUSY (still mapped or referenced, or no system memory).
 */
int hs_migrate_device_coherent_folio(struct hs_page *page)
{
	unsigned long src, dst = 0;
	struct hs_page *dpage;

	hs_lock_page(page);
	src = hs_migrate_pfn(hs_page_to_pfn(page)) | HS_MIGRATE_PFN_MIGRATE;
	hs_migrate_device_unmap(&src, 1);
	if (!(src & HS_MIGRATE_PFN_MIGRATE))
		return -EBUSY;
	dpage = hs_alloc_page();
	if (dpage) {
		hs_lock_page(dpage);
		dst = hs_migrate_pfn(hs_page_to_pfn(dpage));
	}
	hs_migrate_device_pages(&src, &dst, 1);
	if (src & HS_MIGRATE_PFN_MIGRATE)
		hs_copy_page(dpage, page);
	hs_migrate_device_finalize(&src, &dst, 1);
	return src & HS_MIGRATE_PFN_MIGRATE ? 0 : -EBUSY;
}

/* ---- faults ------------------------------------------------------------------------ */

/**
 * hs_migration_entry_wait() - migration_entry_wait(): wait for a migration to end.
 * @mm:		the address space
 * @addr:	the faulting address
 *
 * If @addr's pte is a migration entry, queue on its page and sleep until the
 * page's next unlock (migration_entry_wait_on_locked(), v6.3+: no reference
 * taken); the caller retries the fault.
 */
void hs_migration_entry_wait(struct hs_mm *mm, unsigned long addr)
{
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, addr);
	struct hs_page *page;
	hs_pte_t pte;

	if (!ptep)
		return;
	sim_spin_lock(ptl);
	pte = hs_ptep_get(ptep);
	if (!hs_is_migration_entry(pte)) {
		sim_spin_unlock(ptl);
		return;
	}
	page = hs_pfn_to_page(hs_pte_pfn(pte));
	if (sim_tracing())
		sim_event("migration_entry_wait %#lx: pfn %#lx", addr & PAGE_MASK,
			  hs_page_to_pfn(page));
	hs_migration_entry_wait_on_locked(page, ptl);
}
