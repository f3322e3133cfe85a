// SPDX-License-Identifier: MIT
/*
 * The reverse map of ZONE_DEVICE pages (mm/rmap.c): where a device page is
 * mapped, try_to_migrate() for it, and the one piece of fork the model has,
 * copy_nonpresent_pte()'s device-private branch (mm/memory.c).
 *
 * Simplified (docs/fidelity.md): no anon_vma.  A device page records the
 * (mm, address) of each pte that maps it, in page->private (device pages
 * have no other use for it): one, or a few once fork shared it.  Only
 * model/migrate.c creates such mappings (and hs_fork_device_private_pte()
 * adds one); every use re-checks the record against the pte under the PTL,
 * so a record left stale by munmap or exit is ignored.  RAM pages have no
 * record: migrate_vma knows their one address (start + i pages).
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>

#include "internal.h"

/*
 * Record the mapping just installed for @page at (@mm, @addr); the caller
 * holds the page lock or the pte's PTL.  @from: the page @page replaces
 * (a migration: its other mappings follow with the same @from), @page itself
 * (a restore, or fork), or NULL (a new page mapped for the first time).  A
 * new page or a new migration forgets the records of the page's earlier life.
 */
void hs_dev_rmap_record(struct hs_page *page, const struct hs_page *from, struct hs_mm *mm,
			unsigned long addr)
{
	struct hs_dev_rmap *r;

	if (!hs_is_zone_device_page(page))
		return;
	r = (struct hs_dev_rmap *)page->private;
	if (!r) {
		r = sim_alloc(sizeof(*r));
		page->private = (unsigned long)r;
	}
	if (!from || (from != page && from != r->from)) {
		r->n = 0;
		r->from = from;
	}
	for (unsigned int i = 0; i < r->n; i++)
		if (r->at[i].mm == mm && r->at[i].addr == addr)
			return;
	if (r->n == HS_DEV_RMAP_MAX)
		r->n--; /* more than any scenario makes: the newest replaces the last */
	r->at[r->n].mm = mm;
	r->at[r->n++].addr = addr;
}

/**
 * hs_dev_rmap_add() - the rmap side of fork's copy_nonpresent_pte() for a
 * ZONE_DEVICE page mapped once more, in the child.
 * @page:	the device page
 * @mm:		the child
 * @addr:	where
 */
void hs_dev_rmap_add(struct hs_page *page, struct hs_mm *mm, unsigned long addr)
{
	hs_dev_rmap_record(page, page, mm, addr);
}

/* A copy of the recorded mappings of @page (locked by the caller): none for
 * a RAM page. */
struct hs_dev_rmap hs_dev_rmap_copy(struct hs_page *page)
{
	const struct hs_dev_rmap *r =
	    hs_is_zone_device_page(page) ? (const struct hs_dev_rmap *)page->private : NULL;

	return r ? *r : (struct hs_dev_rmap){0};
}

/*
 * try_to_migrate_one() for a ZONE_DEVICE page still mapped at @addr of @mm
 * (the by-pfn path, or a mapping fork added): its device-private entry (or
 * coherent pte) becomes a migration entry; the rmap and the mapping's
 * reference go.  The caller holds the page lock and a reference.  Simplified:
 * the mappings are the recorded ones (see the top of the file).
 */
static void try_to_migrate_one(struct hs_page *page, struct hs_mm *mm, unsigned long addr)
{
	unsigned long pfn = hs_page_to_pfn(page);
	sim_atomic_t *ptep;
	sim_spinlock_t *ptl;
	hs_pte_t pte, old;
	uint64_t fl = 0;
	bool present;

	struct hs_mmu_notifier_range range;

	if (!(ptep = hs_pte_offset(mm, addr)))
		return;
	/* try_to_migrate_one() unmaps under an MMU_NOTIFY_CLEAR invalidation,
	 * so device mirrors of the page let go of it too */
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   addr, addr + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	ptl = hs_pte_lockptr(mm, addr);
	sim_spin_lock(ptl);
	pte = hs_ptep_get(ptep);
	present = hs_pte_present(pte);
	if (hs_pte_pfn(pte) != pfn || !(present || hs_is_device_private_entry(pte))) {
		sim_spin_unlock(ptl);
		hs_mmu_notifier_invalidate_range_end(&range);
		return;
	}
	old = hs_ptep_get_and_clear(mm, addr, ptep);
	if (present) {
		/* ptep_clear_flush() */
		hs_flush_tlb_range(mm, addr, addr + HS_PAGE_SIZE);
		if (hs_pte_write(old))
			fl |= HS_SWP_WRITE;
		if (old & HS_PTE_YOUNG)
			fl |= HS_SWP_YOUNG;
		if (hs_pte_dirty(old)) {
			fl |= HS_SWP_DIRTY;
			hs_set_page_dirty(page);
		}
	} else if (hs_is_writable_swp_entry(old)) {
		fl |= HS_SWP_WRITE;
	}
	hs_set_pte_at(mm, addr, ptep, hs_mk_swp_pte(HS_SWP_MIGRATION, pfn, fl));
	hs_page_remove_rmap(page);
	hs_put_page(page); /* the mapping's; the caller's keeps the page */
	sim_spin_unlock(ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
	if (sim_tracing())
		sim_event("try_to_migrate %#lx: pfn %#lx -> migration entry", addr, pfn);
}

/**
 * hs_try_to_migrate() - try_to_migrate(): every recorded mapping of @page
 * becomes a migration entry.
 * @page: a ZONE_DEVICE page, locked, with a reference of the caller's
 */
void hs_try_to_migrate(struct hs_page *page)
{
	struct hs_dev_rmap at = hs_dev_rmap_copy(page);

	for (unsigned int k = 0; k < at.n; k++)
		try_to_migrate_one(page, at.at[k].mm, at.at[k].addr);
}

/**
 * hs_fork_device_private_pte() - what fork (copy_page_range()) does to one
 * device-private entry: copy_nonpresent_pte().
 * @parent:	the mm forking, its pte at @addr a device-private entry
 * @child:	the new mm, @addr in a VMA, its pte empty
 * @addr:	the address
 *
 * Not the whole of fork (the model has none yet): the one entry the
 * hmm_range_fault() starvation entry of the catalog needs mapped in two
 * processes.  As copy_nonpresent_pte(): the page gets a reference and a
 * mapcount (folio_try_dup_anon_rmap_pte()), a writable entry becomes
 * read-only in the parent and the child (COW), under the
 * MMU_NOTIFY_PROTECTION_PAGE invalidation fork issues on the parent.  The
 * caller holds both mmap_locks for write (fork's dup_mmap()).
 *
 * Return: 0, or -EINVAL when @addr is not a device-private entry of @parent
 * or the child's pte is not empty.
 */
int hs_fork_device_private_pte(struct hs_mm *parent, struct hs_mm *child, unsigned long addr)
{
	sim_atomic_t *src = hs_pte_offset(parent, addr), *dst = hs_pte_offset(child, addr);
	sim_spinlock_t *src_ptl = hs_pte_lockptr(parent, addr), *dst_ptl;
	struct hs_mmu_notifier_range range;
	struct hs_page *page;
	hs_pte_t pte;
	int ret = -EINVAL;

	if (!src || !dst)
		return -EINVAL;
	dst_ptl = hs_pte_lockptr(child, addr);
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_PROTECTION_PAGE, 0, parent, addr,
				   addr + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	sim_spin_lock(dst_ptl);
	if (src_ptl != dst_ptl)
		sim_spin_lock(src_ptl);
	pte = hs_ptep_get(src);
	if (hs_is_device_private_entry(pte) && hs_pte_none(hs_ptep_get(dst))) {
		page = hs_pfn_to_page(hs_pte_pfn(pte));
		hs_get_page(page);
		hs_page_add_rmap(page);
		if (hs_is_writable_swp_entry(pte)) {
			pte = hs_mk_swp_pte(HS_SWP_DEVICE_PRIVATE, hs_pte_pfn(pte), 0);
			hs_set_pte_at(parent, addr, src, pte);
		}
		hs_set_pte_at(child, addr, dst, pte);
		hs_dev_rmap_add(page, child, addr);
		ret = 0;
	}
	if (src_ptl != dst_ptl)
		sim_spin_unlock(src_ptl);
	sim_spin_unlock(dst_ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
	return ret;
}
