// SPDX-License-Identifier: MIT
/*
 * Device-private THP migration: the PMD-order half of mm/migrate_device.c of
 * v6.19 (Balbir Singh's "mm/zone_device: support large zone device private
 * folios"): migrate_vma_collect_huge_pmd() with MIGRATE_VMA_SELECT_COMPOUND,
 * set_pmd_migration_entry() / remove_migration_pmd() (mm/huge_memory.c),
 * migrate_vma_insert_huge_pmd_page(), migrate_vma_split_unmapped_folio(), and
 * the compound entries of migrate_device_unmap(), __migrate_device_pages()
 * and __migrate_device_finalize() (model/migrate.c calls in here for an
 * entry with HS_MIGRATE_PFN_COMPOUND).  The fault on a PMD device-private
 * entry, its split and zap are in huge_memory.c.
 *
 * A compound entry stands for HS_PTRS_PER_PTE pages; the entries after it are
 * 0.  The folio's pages each carry their own counts (model/huge_memory.c's
 * convention): a folio reference is one on every page, taken and dropped in
 * bulk with noted accesses (one scheduling point per folio operation, the
 * PTL's or the lock's, not 512; page->flags through sim_noted_bits_*(),
 * naming the bits).  The folio lock is its first page's
 * (HS_PG_HEAD set).  The model splits a folio with its PMD: a split while a
 * migration holds the folio lock (a partial munmap splitting the PMD
 * migration entry) locks the other pages too, so the migration still owns
 * every page of it, and finalize puts each pte back (remove_migration_ptes()
 * walking a PTE-mapped folio, as the kernel's page_vma_mapped_walk() does).
 *
 * Simplified: the huge zero folio is split as in v6.18 (its ptes are holes);
 * the by-pfn API (migrate_device_range()) never meets a PMD (eviction splits
 * it first, huge_memory.c); no swap cache, no deferred split queue.
 * With hs_switch.no_device_thp (releases before v6.19) none of this runs.
 */
#include <errno.h>
#include <hmmsim/hmm.h>
#include <hmmsim/migrate.h>
#include <hmmsim/switches.h>
#include <string.h>

#include "internal.h"

#define NR HS_PTRS_PER_PTE

/* ---- bulk folio operations (noted: no scheduling point) ---------------------------- */

static void folio_flags_or(struct hs_page *head, unsigned long bits)
{
	for (unsigned long k = 0; k < NR; k++)
		sim_noted_bits_or(&head[k].flags, bits, __ATOMIC_RELAXED);
}

/* folio_get(): a reference on every page. */
static void folio_get_all(struct hs_page *head)
{
	for (unsigned long k = 0; k < NR; k++)
		if (sim_noted_add_fetch(&head[k]._refcount.v, 1, __ATOMIC_RELAXED) <= 1)
			sim_fail(HS_KIND_REFCOUNT, "folio_get on pfn %#lx of a free folio",
				 hs_page_to_pfn(&head[k]));
}

/* folio_add_rmap_pmd() + the PMD's reference, or their removal (@d = -1). */
static void folio_map_all(struct hs_page *head, long d)
{
	for (unsigned long k = 0; k < NR; k++)
		sim_noted_add(&head[k]._mapcount.v, d);
}

/**
 * hs_folio_large() - folio_test_large() of the model's PMD-order folios.
 * @head: a page
 *
 * Return: whether @head heads a folio not split yet (HS_PG_HEAD).
 */
bool hs_folio_large(struct hs_page *head)
{
	return sim_noted_bits_load(&head->flags, 1ul << HS_PG_HEAD, __ATOMIC_RELAXED);
}

/**
 * hs_folio_split_locked() - the folio of @head becomes 512 order-0 folios
 * with its PMD; if it is locked the others are locked too (the lock holder
 * now owns each page's lock: a migration unlocks them in finalize).
 * @head: the first page
 * @lock_tails: lock the other pages (the folio is locked by a migration)
 */
void hs_folio_split_locked(struct hs_page *head, bool lock_tails)
{
	sim_noted_bits_andnot(&head->flags, 1ul << HS_PG_HEAD, __ATOMIC_RELAXED);
	if (!lock_tails)
		return;
	for (unsigned long k = 1; k < NR; k++)
		sim_noted_bits_or(&head[k].flags, 1ul << HS_PG_LOCKED, __ATOMIC_RELAXED);
}

/**
 * hs_folio_put_all() - folio_put(): drop one reference on every page.
 * @head: the first page
 *
 * A folio freed whole goes back at once: RAM to the free list (pushed as a
 * run), a device folio through pgmap->ops->folio_free() (v6.19).  A page of a
 * split folio whose count reaches zero is freed alone, by hs_put_page().
 */
void hs_folio_put_all(struct hs_page *head)
{
	bool whole = hs_folio_large(head);
	if (whole && !hs_is_zone_device_page(head)) {
		hs_folio_put_pmd_refs(head);
		return;
	}
	unsigned long freed = 0;
	uint64_t zero[NR / 64] = {0};
	for (unsigned long k = 0; k < NR; k++) {
		long n = sim_noted_sub_fetch(&head[k]._refcount.v, 1, __ATOMIC_RELEASE);
		if (n < 0)
			sim_fail(HS_KIND_REFCOUNT, "folio_put on pfn %#lx took it below zero",
				 hs_page_to_pfn(&head[k]));
		if (!n) {
			zero[k / 64] |= 1ull << (k % 64);
			freed++;
		}
	}
	if (!freed)
		return;
	if (!whole || freed != NR) {
		/* pages held apart (a split folio, or references by pfn such as
		 * migrate_device_range()'s): each freed alone by put_page(), the
		 * count given back first; the folio is whole no more */
		if (whole)
			hs_folio_split_locked(head, false);
		if (!hs_is_zone_device_page(head)) {
			hs_folio_free_split_ram(head, zero); /* one batch */
			return;
		}
		for (unsigned long k = 0; k < NR; k++)
			if (zero[k / 64] & (1ull << (k % 64))) {
				sim_noted_add(&head[k]._refcount.v, 1);
				hs_put_page(&head[k]);
			}
		return;
	}
	struct hs_dev_pagemap *pgmap = head->pgmap;
	for (unsigned long k = 0; k < NR; k++) {
		if (sim_noted_load_n(&head[k]._mapcount.v, __ATOMIC_RELAXED) > 0)
			sim_fail(HS_KIND_BUG, "pfn %#lx freed while still mapped",
				 hs_page_to_pfn(&head[k]));
		sim_noted_add(&head[k].gen, 1);
		sim_noted_store_n(&head[k].content, HS_POISON, __ATOMIC_RELAXED);
		sim_noted_bits_store(&head[k].flags, 1ul << HS_PG_FREE, HS_PG_ALL,
				     __ATOMIC_RELEASE);
	}
	if (sim_tracing())
		sim_event("free device THP: pfns [%#lx, %#lx)", hs_page_to_pfn(head),
			  hs_page_to_pfn(head) + NR);
	if (pgmap->ops && pgmap->ops->folio_free)
		pgmap->ops->folio_free(head);
	else
		for (unsigned long k = 0; k < NR; k++)
			pgmap->ops->page_free(&head[k]);
	/* the folio's pagemap references (zone_device_folio_init() took NR) */
	sim_noted_add(&pgmap->ref.v, -(long)(NR - 1));
	hs_put_dev_pagemap(pgmap);
}

/**
 * hs_zone_device_folio_init() - zone_device_folio_init() (v6.19): 512 free,
 * aligned device pages become a locked PMD-order folio with one reference.
 * @head: the first page
 */
void hs_zone_device_folio_init(struct hs_page *head)
{
	hs_zone_device_page_init(head); /* locks it, takes a pagemap reference */
	for (unsigned long k = 1; k < NR; k++) {
		sim_noted_bits_store(&head[k].flags, 0ul, HS_PG_ALL, __ATOMIC_RELAXED);
		sim_noted_store_n(&head[k]._refcount.v, 1l, __ATOMIC_RELEASE);
	}
	sim_noted_add(&head->pgmap->ref.v, NR - 1);
	sim_noted_bits_or(&head->flags, 1ul << HS_PG_HEAD, __ATOMIC_RELAXED);
}

/* ---- collect ----------------------------------------------------------------------- */

static void collect_skip(struct hs_migrate_vma *migrate, unsigned long n)
{
	while (n--) {
		migrate->dst[migrate->npages] = 0;
		migrate->src[migrate->npages++] = 0;
	}
}

/*
 * folio_maybe_dma_pinned() of a PMD-order folio: the kernel's _pincount is
 * the folio's, the model's pin bias is on the page pinned (gup.c's
 * try_grab_folio()), so every page is looked at (noted loads).
 */
static bool folio_maybe_dma_pinned_all(struct hs_page *head)
{
	for (unsigned long k = 0; k < NR; k++)
		if (sim_noted_load_n(&head[k]._refcount.v, __ATOMIC_RELAXED) >=
		    HS_GUP_PIN_COUNTING_BIAS)
			return true;
	return false;
}

/*
 * set_pmd_migration_entry(): under the PMD lock, the huge PMD (present, or
 * device-private) becomes a PMD migration entry carrying its write, young
 * and dirty bits; a present one is flushed first (pmdp_invalidate()), its
 * dirt moved to the folio; the mapping and its reference go.  An exclusive
 * anonymous THP that may be DMA-pinned fails folio_try_share_anon_rmap_pmd()
 * and keeps its PMD (-EBUSY), as migrate_vma_collect_unmap_pte() keeps a
 * pte (model/migrate.c; with hs_switch.migrate_flush_tlb_after_ptl, the
 * kernel before PG_anon_exclusive, neither does).  The kernel invalidates
 * the PMD first and puts it back; the model looks before it touches the
 * PMD: its GUP pins a THP's page only under this lock (no gup-fast), so
 * the look sees the same pins, and no walker sees the PMD come and go.
 * Until session 28 the model always made the entry (the pin refused the
 * folio only in migrate_device_unmap(), and other threads saw a PMD
 * migration entry the kernel never installs).
 *
 * Return: 0, or -EBUSY when the PMD is kept.
 */
static int set_pmd_migration_entry(struct hs_mm *mm, unsigned long haddr, sim_atomic_t *pmdp,
				   struct hs_page *head, bool write)
{
	if (!hs_switch.migrate_flush_tlb_after_ptl && !hs_is_zone_device_page(head) &&
	    sim_noted_bits_load(&head->flags, 1ul << HS_PG_ANON | 1ul << HS_PG_ANON_SHARED,
				__ATOMIC_RELAXED) == 1ul << HS_PG_ANON &&
	    folio_maybe_dma_pinned_all(head)) {
		if (sim_tracing())
			sim_event("set_pmd_migration_entry %#lx: pfn %#lx may be pinned, -EBUSY",
				  haddr, hs_page_to_pfn(head));
		return -EBUSY;
	}
	hs_pte_t old = (hs_pte_t)sim_atomic_xchg(pmdp, 0, SIM_ACQ_REL);
	uint64_t fl = write ? HS_SWP_WRITE : 0;

	if (hs_pte_present(old)) {
		hs_flush_tlb_range(mm, haddr, haddr + HS_PMD_SIZE);
		if (hs_pte_dirty(old)) {
			folio_flags_or(head, 1ul << HS_PG_DIRTY);
			fl |= HS_SWP_DIRTY;
		}
		if (old & HS_PTE_YOUNG)
			fl |= HS_SWP_YOUNG;
	}
	sim_atomic_store(pmdp, (long)hs_mk_swp_pte(HS_SWP_MIGRATION, hs_page_to_pfn(head), fl),
			 SIM_RELEASE);
	folio_map_all(head, -1);
	hs_folio_put_all(head); /* not the last: collect's reference is held */
	if (sim_tracing())
		sim_event("set_pmd_migration_entry %#lx: pfn %#lx%s", haddr, hs_page_to_pfn(head),
			  write ? " (write)" : "");
	return 0;
}

/*
 * split_folio() of a THP collect holds locked and referenced (the
 * fallback of migrate_vma_collect_huge_pmd() since v6.19, the THP branch of
 * migrate_vma_collect_pmd() before): then the lock (not the fault page's)
 * and the reference go.  A split that fails skips the range, as the
 * kernel's migrate_vma_collect_skip() does.  Returns true when it did.
 */
static bool collect_split_folio(struct hs_migrate_vma *migrate, unsigned long start,
				unsigned long end, struct hs_page *head, struct hs_page *fault_page)
{
	int ret = hs_split_folio(migrate->vma, start, head);

	if (head != fault_page)
		hs_unlock_page(head);
	hs_folio_put_all(head);
	if (!ret)
		return false;
	if (sim_tracing())
		sim_event("migrate_vma_collect %#lx: split_folio() failed, skipped", start);
	collect_skip(migrate, (end - start) >> HS_PAGE_SHIFT);
	return true;
}

/*
 * migrate_vma_collect_pmd()'s THP branch before v6.19 (hs_switch.no_device_thp):
 * a huge PMD seen locklessly is looked at again under the PMD lock; the
 * huge zero folio's PMD is split (its ptes are holes); a THP is referenced,
 * the lock dropped, the folio trylocked (a folio someone else holds skips
 * the range) and split.  Returns true when the range was skipped.
 */
static bool collect_thp_v618(struct hs_migrate_vma *migrate, unsigned long start, unsigned long end,
			     sim_atomic_t *pmdp)
{
	struct hs_mm *mm = migrate->vma->vm_mm;
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, start);
	hs_pte_t pmd = hs_ptep_get(pmdp);

	if (!hs_pte_present(pmd))
		return false; /* a PTE table, or nothing */
	sim_spin_lock(ptl);
	pmd = hs_ptep_get(pmdp);
	if (!hs_pte_present(pmd)) { /* split meanwhile: walk its ptes */
		sim_spin_unlock(ptl);
		return false;
	}
	if (hs_is_zero_pfn(hs_pte_pfn(pmd))) {
		sim_spin_unlock(ptl);
		hs_split_huge_pmd(migrate->vma, start);
		return false;
	}
	struct hs_page *head = hs_pfn_to_page(hs_pte_pfn(pmd));
	hs_page_check(head, hs_pte_gen(pmd), "migrate_vma_collect_pmd");
	folio_get_all(head);
	sim_spin_unlock(ptl);
	if (!hs_trylock_page(head)) {
		hs_folio_put_all(head);
		if (sim_tracing())
			sim_event("migrate_vma_collect_pmd %#lx: THP busy, skipped", start);
		collect_skip(migrate, (end - start) >> HS_PAGE_SHIFT);
		return true;
	}
	return collect_split_folio(migrate, start, end, head, NULL);
}

/**
 * hs_migrate_vma_collect_huge_pmd() - migrate_vma_collect_huge_pmd(), and
 * the THP branch of migrate_vma_collect_pmd() before v6.19.
 * @migrate: the migration; [@start, @end) lies in one PMD
 * @start: first address
 * @end: the address after the last
 * @fault_page: the fault page do_huge_pmd_device_private() locked, or NULL
 *
 * Called for every PMD of the range in an mm with huge VMAs.  A lockless
 * look first (the kernel's pmd_trans_huge() || !pmd_present()): a PTE
 * table is the caller's to walk.  Then under the PMD lock: an empty PMD
 * range (no PTE table) is one compound hole; a huge PMD (a THP, with
 * SELECT_SYSTEM) or a PMD device-private entry (with SELECT_DEVICE_PRIVATE
 * and the owner) is referenced and trylocked (a folio someone else holds
 * skips the range) and, with MIGRATE_VMA_SELECT_COMPOUND and a whole,
 * aligned PMD range, replaced by a PMD migration entry (unless
 * set_pmd_migration_entry() fails on a THP that may be pinned: the
 * fallback); else the folio is split (split_folio(), which fails while
 * someone else holds a reference, such as a pin: the range is skipped, the
 * PMD kept) and its ptes walked.  Another migration's PMD migration entry
 * is skipped (not a device-private entry).  The huge zero folio is split as
 * in v6.18 (the kernel's v6.19 collects its range as a hole without
 * splitting).
 *
 * Return: true when the range's entries were filled (collected as one, or
 * skipped); false when the caller walks ptes.
 */
bool hs_migrate_vma_collect_huge_pmd(struct hs_migrate_vma *migrate, unsigned long start,
				     unsigned long end, struct hs_page *fault_page)
{
	struct hs_mm *mm = migrate->vma->vm_mm;
	sim_atomic_t *pmdp = hs_pmd_offset(mm, start);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, start);
	bool compound = (migrate->flags & HS_MIGRATE_VMA_SELECT_COMPOUND) &&
			!(start & (HS_PMD_SIZE - 1)) && end - start == HS_PMD_SIZE;
	struct hs_page *head;
	bool write;

	if (!pmdp)
		return false;
	if (hs_switch.no_device_thp)
		return collect_thp_v618(migrate, start, end, pmdp);
	if (!hs_ptep_get(pmdp) && hs_pmd_populated(mm, start))
		return false; /* a PTE table */
	sim_spin_lock(ptl);
	hs_pte_t pmd = hs_ptep_get(pmdp);
	if (!pmd) {
		bool hole = !hs_pmd_populated(mm, start) && (migrate->vma->vm_flags & HS_VM_ANON);
		sim_spin_unlock(ptl);
		if (!hole || !compound)
			return false;
		/* migrate_vma_collect_hole() of a whole PMD: one compound hole */
		migrate->src[migrate->npages] = HS_MIGRATE_PFN_MIGRATE | HS_MIGRATE_PFN_COMPOUND;
		migrate->dst[migrate->npages++] = 0;
		migrate->cpages++;
		collect_skip(migrate, NR - 1);
		return true;
	}
	if (hs_pte_present(pmd)) {
		if (!(migrate->flags & HS_MIGRATE_VMA_SELECT_SYSTEM))
			goto skip;
		if (hs_is_zero_pfn(hs_pte_pfn(pmd))) {
			sim_spin_unlock(ptl);
			hs_split_huge_pmd(migrate->vma, start); /* holes */
			return false;
		}
		write = hs_pte_write(pmd);
	} else if (hs_is_device_private_entry(pmd)) {
		head = hs_pfn_to_page(hs_pte_pfn(pmd));
		if (!(migrate->flags & HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE) ||
		    !hs_pgmap_owner_match(head->pgmap, migrate->pgmap_owner))
			goto skip;
		write = hs_is_writable_swp_entry(pmd);
	} else if (hs_is_migration_entry(pmd)) {
		/* another migration's PMD migration entry: not a device-private
		 * entry, so the kernel's test skips the range before its wait
		 * for a migration entry, which is dead code (v6.19 .. v7.0; its
		 * double unlock, "mm/migrate_device: fix double unlock", was
		 * dropped in April 2026 as obsolete for a patch removing the
		 * block).  Until session 28 the model waited here, and with a
		 * switch unlocked again: a catalog entry the kernel cannot
		 * reach (tests/scenarios/thp-collect-pmd-migration-entry.hsc) */
		goto skip;
	} else {
		sim_spin_unlock(ptl);
		return false;
	}
	head = hs_pfn_to_page(hs_pte_pfn(pmd));
	hs_page_check(head, hs_pte_gen(pmd), "migrate_vma_collect_huge_pmd");
	folio_get_all(head);
	if (head != fault_page && !hs_trylock_page(head)) {
		hs_folio_put_all(head);
		if (sim_tracing())
			sim_event("migrate_vma_collect_huge_pmd %#lx: folio busy, skipped", start);
		goto skip;
	}
	if (compound && !set_pmd_migration_entry(mm, start, pmdp, head, write)) {
		migrate->src[migrate->npages] = hs_migrate_pfn(hs_page_to_pfn(head)) |
						HS_MIGRATE_PFN_MIGRATE | HS_MIGRATE_PFN_COMPOUND |
						(write ? HS_MIGRATE_PFN_WRITE : 0);
		migrate->dst[migrate->npages++] = 0;
		migrate->cpages++;
		collect_skip(migrate, NR - 1);
		sim_spin_unlock(ptl);
		return true;
	}
	/* the fallback (not compound, or set_pmd_migration_entry() failed):
	 * split_folio() */
	sim_spin_unlock(ptl);
	return collect_split_folio(migrate, start, end, head, fault_page);
skip:
	sim_spin_unlock(ptl);
	collect_skip(migrate, (end - start) >> HS_PAGE_SHIFT);
	return true;
}

/* ---- unmap ------------------------------------------------------------------------- */

/**
 * hs_migrate_folio_check() - migrate_vma_check_page() of a folio: no page
 * of it has a reference the migration does not account for.
 * @head: the first page
 * @fault_page: the fault page (its fault's reference is expected), or NULL
 *
 * Return: true when it may move.
 */
bool hs_migrate_folio_check(struct hs_page *head, struct hs_page *fault_page)
{
	for (unsigned long k = 0; k < NR; k++) {
		/* the fault's folio reference is on every page */
		long extra = 1 + (head == fault_page) + hs_is_zone_device_page(head);
		long ref = sim_noted_load_n(&head[k]._refcount.v, __ATOMIC_RELAXED);
		long map = sim_noted_load_n(&head[k]._mapcount.v, __ATOMIC_RELAXED);
		if (ref - extra > map || map)
			return false;
	}
	return true;
}

/* ---- remove_migration_pmd() / remove_migration_ptes() ----------------------------- */

/* The pte (or PMD) @dst gets where a migration entry @old of its source was:
 * remove_migration_pte()'s (migrate.c), made dirty when it is writable, as
 * the model's other writable huge mappings are (model/huge_memory.c). */
static hs_pte_t migration_entry_to_pte(hs_pte_t old, struct hs_page *dst, bool prot_none)
{
	hs_pte_t pte = hs_migration_entry_pte(old, dst, prot_none);

	if (!hs_is_device_private_page(dst) && hs_is_writable_swp_entry(old))
		pte |= HS_PTE_DIRTY;
	return pte;
}

/**
 * hs_remove_migration_pmd() - remove_migration_ptes() of a PMD-order folio:
 * the PMD migration entry of @src at @haddr becomes a mapping of @dst
 * (remove_migration_pmd(): a huge PMD, or a PMD device-private entry); if a
 * split turned it into ptes meanwhile, each pte migration entry of a page of
 * @src becomes one of the same page of @dst.  Under one PTL hold, as the
 * kernel's page_vma_mapped_walk() of one table.  @dst's pages each get a
 * mapping and its reference.
 * @src: the source folio's first page
 * @dst: the destination's first page (@src when the migration failed)
 * @mm: the address space
 * @haddr: the PMD-aligned address
 * @prot_none: the VMA is PROT_NONE
 */
void hs_remove_migration_pmd(struct hs_page *src, struct hs_page *dst, struct hs_mm *mm,
			     unsigned long haddr, bool prot_none)
{
	sim_atomic_t *pmdp = hs_pmd_offset(mm, haddr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, haddr);
	unsigned long spfn = hs_page_to_pfn(src);

	if (!pmdp)
		return;
	sim_spin_lock(ptl);
	hs_pte_t pmd = hs_ptep_get(pmdp);
	if (hs_is_migration_entry(pmd) && hs_pte_pfn(pmd) == spfn) {
		folio_map_all(dst, 1);
		folio_get_all(dst);
		sim_atomic_store(pmdp, (long)migration_entry_to_pte(pmd, dst, prot_none),
				 SIM_RELEASE);
		if (hs_is_zone_device_page(dst))
			for (unsigned long k = 0; k < NR; k++)
				hs_dev_rmap_set(&dst[k], mm, haddr + k * HS_PAGE_SIZE);
		sim_spin_unlock(ptl);
		if (sim_tracing())
			sim_event("remove_migration_pmd %#lx: pfn %#lx -> %s pfn %#lx", haddr, spfn,
				  hs_is_device_private_page(dst) ? "device-private" : "huge",
				  hs_page_to_pfn(dst));
		return;
	}
	/* split meanwhile: the ptes that are still this folio's migration entries */
	sim_atomic_t *ptep = hs_pte_offset(mm, haddr);
	unsigned long n = 0;
	for (unsigned long k = 0; ptep && k < NR; k++) {
		hs_pte_t old = (hs_pte_t)sim_noted_load_n(&ptep[k].v, __ATOMIC_ACQUIRE);
		if (!hs_is_migration_entry(old) || hs_pte_pfn(old) != spfn + k)
			continue;
		sim_noted_add(&dst[k]._mapcount.v, 1);
		sim_noted_add(&dst[k]._refcount.v, 1);
		sim_noted_store_n(&ptep[k].v, (long)migration_entry_to_pte(old, &dst[k], prot_none),
				  __ATOMIC_RELEASE);
		hs_dev_rmap_set(&dst[k], mm, haddr + k * HS_PAGE_SIZE);
		n++;
	}
	sim_spin_unlock(ptl);
	if (sim_tracing())
		sim_event("remove_migration_ptes %#lx: folio pfn %#lx split, %lu ptes -> pfn %#lx",
			  haddr, spfn, n, hs_page_to_pfn(dst));
}

/* ---- pages ------------------------------------------------------------------------- */

/**
 * hs_migrate_vma_insert_huge_pmd_page() - migrate_vma_insert_huge_pmd_page():
 * fill a compound hole with the folio @head: a PMD device-private entry (or a
 * huge PMD), only while the range has no PTE table and no PMD.
 * @migrate: the migration
 * @haddr: the PMD-aligned address
 * @head: the destination folio's first page
 *
 * Return: whether it was mapped (else MIGRATE is cleared by the caller).
 */
bool hs_migrate_vma_insert_huge_pmd_page(struct hs_migrate_vma *migrate, unsigned long haddr,
					 struct hs_page *head)
{
	struct hs_vm_area_struct *vma = migrate->vma;
	struct hs_mm *mm = vma->vm_mm;
	sim_atomic_t *pmdp = hs_pmd_offset(mm, haddr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, haddr);
	bool write = vma->vm_flags & HS_VM_WRITE;
	hs_pte_t entry;

	if (!pmdp || !(vma->vm_flags & HS_VM_ANON))
		return false;
	folio_flags_or(head, 1ul << HS_PG_UPTODATE | 1ul << HS_PG_ANON);
	if (hs_is_device_private_page(head))
		entry = hs_mk_swp_pte(HS_SWP_DEVICE_PRIVATE, hs_page_to_pfn(head),
				      write ? HS_SWP_WRITE : 0);
	else
		entry = hs_mk_pte(hs_page_to_pfn(head),
				  HS_PTE_YOUNG | (write ? HS_PTE_WRITE | HS_PTE_DIRTY : 0));
	sim_spin_lock(ptl);
	if (hs_pmd_populated(mm, haddr) || hs_ptep_get(pmdp)) {
		sim_spin_unlock(ptl);
		return false;
	}
	folio_map_all(head, 1);
	folio_get_all(head);
	sim_atomic_store(pmdp, (long)entry, SIM_RELEASE);
	if (hs_is_zone_device_page(head))
		for (unsigned long k = 0; k < NR; k++)
			hs_dev_rmap_set(&head[k], mm, haddr + k * HS_PAGE_SIZE);
	sim_spin_unlock(ptl);
	if (sim_tracing())
		sim_event("migrate_vma_insert_huge_pmd_page %#lx: pfn %#lx", haddr,
			  hs_page_to_pfn(head));
	return true;
}

/**
 * hs_migrate_vma_split_unmapped_folio() - migrate_vma_split_unmapped_folio():
 * the destination of compound entry @i is not a folio (the driver fell back
 * to base pages), so the source is split: its PMD migration entry becomes
 * 512 pte migration entries (if no split did that already) and the entry
 * becomes 512 entries of one page each, all locked by the migration.  A
 * compound hole becomes 512 holes.
 * @migrate: the migration
 * @i: the compound entry
 */
void hs_migrate_vma_split_unmapped_folio(struct hs_migrate_vma *migrate, unsigned long i)
{
	unsigned long mpfn = migrate->src[i];
	struct hs_page *head = hs_migrate_pfn_to_page(mpfn);
	unsigned long keep = mpfn & (HS_MIGRATE_PFN_MIGRATE | HS_MIGRATE_PFN_WRITE);

	if (head) {
		struct hs_mm *mm = migrate->vma->vm_mm;
		unsigned long haddr = migrate->start + (i << HS_PAGE_SHIFT);
		sim_spinlock_t *ptl = hs_pte_lockptr(mm, haddr);
		sim_spin_lock(ptl);
		hs_split_huge_pmd_locked(mm, haddr); /* no-op when split already */
		if (hs_folio_large(head))
			hs_folio_split_locked(head, true);
		sim_spin_unlock(ptl);
	}
	for (unsigned long k = 0; k < NR; k++)
		migrate->src[i + k] = head ? hs_migrate_pfn(hs_page_to_pfn(head) + k) | keep : keep;
	if (sim_tracing())
		sim_event("migrate_vma_split_unmapped_folio: entry %lu split", i);
}

/**
 * hs_migrate_folio_move() - folio_migrate_mapping() + folio_migrate_flags()
 * of a PMD-order folio onto the folio @dst: every page's count must be what
 * the migration accounts for.
 * @dst: the destination's first page
 * @src: the source's first page
 * @fault_page: the fault page (one more reference expected), or NULL
 *
 * Return: 0 or -EAGAIN.
 */
int hs_migrate_folio_move(struct hs_page *dst, struct hs_page *src, struct hs_page *fault_page)
{
	for (unsigned long k = 0; k < NR; k++) {
		long expected = 1 + (src == fault_page); /* the fault's folio reference */
		if (sim_noted_load_n(&src[k]._refcount.v, __ATOMIC_RELAXED) != expected)
			return -EAGAIN;
	}
	for (unsigned long k = 0; k < NR; k++) {
		unsigned long m = 1ul << HS_PG_ANON | 1ul << HS_PG_UPTODATE | 1ul << HS_PG_DIRTY;
		unsigned long f = sim_noted_bits_load(&src[k].flags, m, __ATOMIC_RELAXED);
		if (f)
			sim_noted_bits_or(&dst[k].flags, f, __ATOMIC_RELAXED);
	}
	return 0;
}

/* ---- finalize ---------------------------------------------------------------------- */

/**
 * hs_migrate_finalize_folio() - __migrate_device_finalize() of compound entry
 * @i: the migration entries become the new folio (or the old one), the old
 * folio is unlocked (each page, when a split locked them all) and its
 * collect reference dropped (freeing it after a move), the new one unlocked
 * and the driver's reference dropped.
 * @migrate: the migration
 * @i: the entry
 * @fault_locked: the fault page the fault locked (not unlocked here), or NULL
 */
void hs_migrate_finalize_folio(struct hs_migrate_vma *migrate, unsigned long i,
			       struct hs_page *fault_locked)
{
	struct hs_page *newpage = hs_migrate_pfn_to_page(migrate->dst[i]);
	struct hs_page *page = hs_migrate_pfn_to_page(migrate->src[i]);
	struct hs_page *dst = newpage;
	bool dst_folio = newpage && (migrate->dst[i] & HS_MIGRATE_PFN_COMPOUND);

	if (!page || !(migrate->src[i] & HS_MIGRATE_PFN_MIGRATE) || !newpage) {
		if (newpage) {
			hs_unlock_page(newpage);
			if (dst_folio)
				hs_folio_put_all(newpage);
			else
				hs_put_page(newpage);
		}
		dst = page;
	}
	if (!page)
		return;
	bool prot_none = !(migrate->vma->vm_flags & (HS_VM_READ | HS_VM_WRITE));
	hs_remove_migration_pmd(page, dst, migrate->vma->vm_mm,
				migrate->start + (i << HS_PAGE_SHIFT), prot_none);
	bool whole = hs_folio_large(page);
	if (page != fault_locked)
		hs_unlock_page(page);
	if (!whole) {
		/* a split while it migrated locked every page (waiters may sleep
		 * on any: each is unlocked with its wake-up), and mapped only the
		 * ptes still there: the new folio is split too */
		for (unsigned long k = 1; k < NR; k++)
			hs_unlock_page(&page[k]);
		if (dst != page)
			hs_folio_split_locked(dst, false);
	}
	if (sim_tracing())
		sim_event("migrate_finalize: folio pfn %#lx -> pfn %#lx%s", hs_page_to_pfn(page),
			  hs_page_to_pfn(dst), dst == page ? " (not migrated)" : "");
	hs_folio_put_all(page);
	if (dst != page) {
		hs_unlock_page(dst);
		hs_folio_put_all(dst);
	}
}

/* ---- the by-pfn path (migrate_device_range()) ------------------------------------- */

/**
 * hs_try_to_migrate_split_pmd() - try_to_migrate_one() meets a PMD
 * device-private entry of @pfn's folio at @addr: it is split first
 * (simplified: the kernel's try_to_migrate() of a device folio sets a PMD
 * migration entry for the whole folio).
 * @mm: the address space
 * @addr: the page's address; the caller holds its PTL
 * @pfn: the device page
 */
void hs_try_to_migrate_split_pmd(struct hs_mm *mm, unsigned long addr, unsigned long pfn)
{
	hs_pte_t pmd = hs_ptep_get(hs_pmd_offset(mm, addr));
	if (hs_is_device_private_entry(pmd) && pfn - hs_pte_pfn(pmd) < NR)
		hs_split_huge_pmd_locked(mm, addr);
}

/**
 * hs_device_folio_busy() - migrate_device_pfn_lock() of a page of a device
 * THP: the page is locked with its folio (the first page's lock), so a folio
 * somebody else locked is skipped whole; one this walk locked goes on page
 * by page (try_to_migrate() splits it).
 * @page: the page
 * @src: the walk's entry for @page (the head's is @src[-offset]), or NULL
 *  when the head is outside the walk
 *
 * Return: true when the page must be skipped.
 */
bool hs_device_folio_busy(struct hs_page *page, const unsigned long *src)
{
	if (!hs_is_zone_device_page(page))
		return false;
	unsigned long off = (hs_page_to_pfn(page) - page->pgmap->start_pfn) % NR;
	struct hs_page *head = page - off;
	if (!off || !hs_folio_large(head) || (src && (src[-(long)off] & HS_MIGRATE_PFN_MIGRATE)))
		return false;
	return hs_page_locked(head);
}
