// SPDX-License-Identifier: MIT
/*
 * Device memory migration: mm/migrate_device.c (migrate_vma_*, migrate_device_*),
 * the pieces of mm/migrate.c it leans on (remove_migration_pte(),
 * migration_entry_wait(), folio_migrate_mapping(), folio_migrate_flags()),
 * and try_to_migrate() of mm/rmap.c for device pages; the by-pfn entry
 * points and migration_entry_wait() are in migrate_device_pfn.c, the
 * compound (THP) entries in migrate_device_thp.c.  The device-private
 * branch of do_swap_page() (mm/memory.c) is in memory.c; the swap_page_*
 * switches below are about it and about migrate_vma's fault page.
 *
 * Baseline: Linux v6.18, plus the early-2026 fix "mm: Fix a hmm_range_fault()
 * livelock / starvation problem" (stable-backported) which makes a fault that
 * loses the device page's trylock sleep until the page is unlocked instead of
 * returning at once.  Switches restore older kernels:
 *  - migrate_flush_tlb_after_ptl (before v6.0; as the kernels before v5.19,
 *    which had no PG_anon_exclusive path): collect clears every pte without
 *    a flush and flushes the TLB after dropping the PTL;
 *  - migrate_no_dirty_copy (before v6.0): collect does not move the pte dirty
 *    bit to the page;
 *  - swap_page_lock_unconditional (v6.1 .. v6.14): do_swap_page takes a
 *    reference but not the page lock; migrate_vma locks the fault page itself
 *    like any other page (trylock, skip when busy);
 *  - swap_page_ref_without_ptl (before v6.1): do_swap_page neither re-checks
 *    the pte nor takes a reference; migrate_vma has no fault_page at all;
 *  - swap_page_spin_on_locked (v6.15 .. v6.19): a fault that loses the
 *    trylock returns at once and is retried (hmm_range_fault() spins on its
 *    CPU; the catalog's starvation entry).
 *
 * Reference counts, as in the kernel: collect takes a reference, turns the
 * pte into a migration entry, and drops the mapcount and one reference, so
 * the page keeps the count it had and the migration owns the pte's former
 * reference until finalize drops it.  The new page takes a reference and a
 * mapcount for its new pte; the driver's allocation reference is dropped by
 * finalize too.
 *
 * Simplifications (see docs/fidelity.md):
 *  - The LRU is only the per-CPU add batches (model/swap.c): unmap drains
 *    them and gives up a RAM page still in one (folio_isolate_lru() fails);
 *    no isolation reference (the one collect took stands for it, which is
 *    what the kernel's accounting amounts to), no folio_putback_lru().
 *  - Order-0 pages here (collect splits a THP first without
 *    MIGRATE_VMA_SELECT_COMPOUND; with it, v6.19, a whole PMD is one entry
 *    handled by model/migrate_device_thp.c): no swap cache, no file
 *    pages, so folio_mapping() is always NULL and folio_migrate_mapping() is
 *    its anonymous branch (the exact refcount test).
 *  - PG_anon_exclusive is the absence of HS_PG_ANON_SHARED, which fork()
 *    sets (model/fork.c; no KSM): collect clears an exclusive anonymous pte
 *    with ptep_clear_flush(); shared anonymous pages and pages that are not
 *    anonymous (shmem) take the batched ptep_get_and_clear() path with one
 *    TLB flush for the PTE table (the path the v6.0 TLB fix is about).
 *  - No anon_vma rmap.  The model's pages do not record where they are
 *    mapped.  migrate_vma_* know the address of every page (start + i pages).
 *    The by-pfn paths (migrate_device_range(): try_to_migrate() and
 *    remove_migration_ptes()) need the mapping of a ZONE_DEVICE page, and
 *    only this file creates such mappings: it records (mm, address) of the
 *    mapping in page->private (device pages have no other use for it), and
 *    fork() adds the children that share it (hs_dev_rmap_add()).  A RAM page
 *    fork() shared gets the same record from that fork (beside the pages,
 *    its ->private being the swap cache's), so migrate_vma of it unmaps the
 *    other mms' ptes too (try_to_migrate()) and maps the new page in all
 *    of them, as the kernel's anon_vma walk does (until session 29 it gave
 *    such a page back: cow-migrate.hsc); a new page takes over the old
 *    one's record (hs_dev_rmap_copy()).
 *    Every use re-checks the record against the pte under the PTL, so a
 *    record left stale by munmap or exit is ignored; mremap() moves it
 *    (hs_dev_rmap_move() in mremap.c, hs_dev_rmap_moved() in rmap.c).
 */
#include <errno.h>
#include <hmmsim/hmm.h>
#include <hmmsim/migrate.h>
#include <hmmsim/switches.h>
#include <string.h>

#include "internal.h"

#define PAGE_MASK (~(HS_PAGE_SIZE - 1))

/* ---- the kernel version the switches select ----------------------------------------- */

/*
 * The fault page migrate_vma knows about: v6.1 added migrate_vma.fault_page
 * (with the reference do_swap_page holds on it); before that there is none.
 */
static struct hs_page *ref_fault_page(const struct hs_migrate_vma *migrate)
{
	if (!migrate || hs_switch.swap_page_ref_without_ptl)
		return NULL;
	return migrate->fault_page;
}

/*
 * The fault page is locked by do_swap_page() (v6.15 and later), so migrate_vma
 * neither locks nor unlocks it.  Before v6.15 it locks it like any page.
 */
static struct hs_page *locked_fault_page(struct hs_page *fault_page)
{
	if (hs_switch.swap_page_lock_unconditional || hs_switch.swap_page_ref_without_ptl)
		return NULL;
	return fault_page;
}

/* ---- where a ZONE_DEVICE page is mapped (stands for the anon rmap) ----------------- */

/*
 * Where the migration entry of src entry @i lives: the migrate_vma range, or
 * for the by-pfn API the recorded mapping of the device page.
 */
static bool migration_entry_where(const struct hs_migrate_vma *migrate, unsigned long i,
				  struct hs_page *page, struct hs_mm **mm, unsigned long *addr)
{
	struct hs_dev_rmap copy;
	const struct hs_dev_rmap *r;

	if (migrate) {
		*mm = migrate->vma->vm_mm;
		*addr = migrate->start + (i << HS_PAGE_SHIFT);
		return true;
	}
	r = hs_dev_rmap_get(page, &copy);
	if (!r)
		return false;
	*mm = r->mm;
	*addr = r->addr;
	return true;
}

/* vm_normal_page(): the struct page behind a present pte, NULL for special
 * mappings (the zero page, PFNMAP). */
struct hs_page *hs_vm_normal_page(hs_pte_t pte)
{
	unsigned long pfn = hs_pte_pfn(pte);

	if ((pte & HS_PTE_SPECIAL) || hs_is_zero_pfn(pfn) || !hs_pfn_valid(pfn))
		return NULL;
	return hs_pfn_to_page(pfn);
}

static bool vma_is_anonymous(const struct hs_vm_area_struct *vma)
{
	return vma->vm_flags & HS_VM_ANON;
}

static void set_page_flag(struct hs_page *page, int bit)
{
	sim_bits_set(&page->flags, 1ul << bit, SIM_RELAXED);
}

static bool test_page_flag(struct hs_page *page, int bit)
{
	return sim_bits_load(&page->flags, 1ul << bit, SIM_RELAXED);
}

/* ---- remove_migration_pte() ---------------------------------------------------------- */

/**
 * hs_migration_entry_pte() - the entry remove_migration_pte() puts where a
 * migration entry was.
 * @old: the migration entry
 * @dst: the page the migration moved to
 * @prot_none: the VMA is PROT_NONE (mk_pte() with its vm_page_prot)
 *
 * A device-private entry for a device-private page (writable as the
 * migration entry was), else a present pte: young and dirty as the
 * migration entry and the page say, writable as the entry was.
 * Return: the entry.
 */
hs_pte_t hs_migration_entry_pte(hs_pte_t old, struct hs_page *dst, bool prot_none)
{
	bool write = hs_is_writable_swp_entry(old);
	unsigned long pfn = hs_page_to_pfn(dst);
	uint64_t fl = HS_PTE_PRESENT;

	if (hs_is_device_private_page(dst))
		return hs_mk_swp_pte(HS_SWP_DEVICE_PRIVATE, pfn, write ? HS_SWP_WRITE : 0);
	if (old & HS_SWP_YOUNG)
		fl |= HS_PTE_YOUNG;
	if ((old & HS_SWP_DIRTY) && hs_page_dirty(dst))
		fl |= HS_PTE_DIRTY;
	if (write)
		fl |= HS_PTE_WRITE;
	if (prot_none) /* mk_pte(new, vma->vm_page_prot) of a PROT_NONE VMA */
		fl = (fl & ~HS_PTE_WRITE) | HS_PTE_PROTNONE;
	return hs_mk_pte(pfn, fl);
}

/*
 * Whether the VMA of @addr in @mm is PROT_NONE, for remove_migration_pte()'s
 * mk_pte(new, READ_ONCE(vma->vm_page_prot)) with the rmap walk's VMA: the
 * migrate_vma caller's own VMA is stable under the mmap_lock it holds; any
 * other (the by-pfn path, which holds no mmap_lock, and the mms fork()
 * copied the entry into) is looked up as the rmap walk finds it, under the
 * PTL (hs_rmap_vma_flags(): a noted read, stable as it says).  Until
 * session 28 the by-pfn path took none to be PROT_NONE and the fork()
 * copies took the caller's.  No VMA (which a caller that found its entry
 * cannot see) counts as accessible.
 */
static bool vma_prot_none(const struct hs_migrate_vma *migrate, struct hs_mm *mm,
			  unsigned long addr)
{
	const struct hs_vm_area_struct *vma = migrate ? migrate->vma : NULL;
	unsigned int flags;

	if (vma && vma->vm_mm == mm && addr >= vma->vm_start && addr < vma->vm_end)
		flags = vma->vm_flags;
	else
		flags = hs_rmap_vma_flags(mm, addr);
	return flags && !(flags & (HS_VM_READ | HS_VM_WRITE));
}

/*
 * remove_migration_pte() (mm/migrate.c): if the pte at @addr is still the
 * migration entry of @src, map @dst there instead: a device-private entry for
 * a device-private page (writable if the migration entry was), else a present
 * pte (writable if the entry was, young if it was, dirty only if both the
 * entry and the page are dirty), protnone in a PROT_NONE VMA.  @dst gets a
 * reference and a mapcount.  @migrate is the migrate_vma caller, NULL on the
 * by-pfn path.  Simplified: one pte, found from the address instead of an
 * rmap walk; no soft-dirty or uffd-wp bits.
 */
static void remove_migration_pte(struct hs_page *src, struct hs_page *dst, struct hs_mm *mm,
				 unsigned long addr, const struct hs_migrate_vma *migrate)
{
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, addr);
	unsigned long pfn = hs_page_to_pfn(dst);
	hs_pte_t old, pte;
	bool write;

	if (!ptep)
		return;
	sim_spin_lock(ptl);
	old = hs_ptep_get(ptep);
	if (!hs_is_migration_entry(old) || hs_pte_pfn(old) != hs_page_to_pfn(src)) {
		sim_spin_unlock(ptl); /* zapped meanwhile (munmap, MADV_DONTNEED) */
		return;
	}
	write = hs_is_writable_swp_entry(old);
	hs_get_page(dst);
	pte = hs_migration_entry_pte(old, dst, vma_prot_none(migrate, mm, addr));
	hs_page_add_rmap(dst);
	hs_set_pte_at(mm, addr, ptep, pte);
	hs_dev_rmap_set(dst, mm, addr);
	sim_spin_unlock(ptl);
	if (sim_tracing())
		sim_event("remove_migration_pte %#lx: pfn %#lx -> %s pfn %#lx%s", addr,
			  hs_page_to_pfn(src),
			  hs_is_device_private_page(dst) ? "device-private" : "present", pfn,
			  write ? " write" : "");
}

/*
 * remove_migration_ptes(): every migration entry of @src becomes @dst: the
 * one at the migrate_vma address (or the recorded one for the by-pfn path),
 * and those of the mms fork() copied the page into (model/rmap.c; a RAM
 * page's too since session 29, try_to_migrate() having unmapped them).
 * @dst first takes over @src's record (hs_dev_rmap_copy(): the kernel's
 * folio_migrate_mapping() gives it the old folio's anon_vma, which the
 * walk follows), and is then shared (not PG_anon_exclusive): those entries
 * were readable, not exclusive, as fork() made the page's mappings.
 */
static void remove_migration_ptes(struct hs_page *src, struct hs_page *dst,
				  const struct hs_migrate_vma *migrate, unsigned long i)
{
	struct hs_mm *mm = NULL;
	unsigned long addr = 0;

	if (dst != src)
		hs_dev_rmap_copy(dst, src);
	while (migration_entry_where(migrate, i, src, &mm, &addr)) {
		remove_migration_pte(src, dst, mm, addr, migrate);
		if (migrate || !hs_dev_rmap_moved(src, mm, addr))
			break;
	}
	/* and the children fork() copied it into (read after the PTL above),
	 * and the parent when the migration was the child's */
	struct hs_dev_rmap copy;
	const struct hs_dev_rmap *r = hs_dev_rmap_get(src, &copy);
	if (migrate && hs_dev_rmap_forked(r, src) && (r->mm != mm || r->addr != addr))
		remove_migration_pte(src, dst, r->mm, r->addr, migrate);
	for (int k = 0; k < hs_dev_rmap_forked(r, src); k++) {
		unsigned long at = r->forked_addr[k];
		if (dst != src)
			set_page_flag(dst, HS_PG_ANON_SHARED);
		do /* each at its own address, which that mm's mremap() may move */
			remove_migration_pte(src, dst, r->forked[k], at, migrate);
		while (hs_dev_rmap_moved(src, r->forked[k], at) &&
		       hs_dev_rmap_addr(hs_dev_rmap_get(src, &copy), src, r->forked[k], &at));
	}
}

/* ---- collect ------------------------------------------------------------------------ */

/*
 * Which device-private pages collect selects (SELECT_DEVICE_PRIVATE set):
 * the caller's owner, as the kernel does, or, with the Oct 2024 RFC's
 * p2p_allow in migrate_vma (Hellström, "p2p migration"; not merged),
 * another owner's page whose pgmap the caller's callback allows: that page
 * then moves device to device, never through system memory.  The callback
 * is asked under the PTL, as the RFC's collect would (it must not sleep),
 * once per page or, with @cache, once per pgmap and migrate_vma_setup().
 * Simplified: the answer is the RFC's yes/no only; it cannot tell local
 * pages apart (own-owner pages match first, as today).
 */
static bool device_private_selected(struct hs_migrate_vma *migrate,
				    struct hs_p2p_allow_cache *allow, struct hs_dev_pagemap *pgmap)
{
	if (hs_pgmap_owner_match(pgmap, migrate->pgmap_owner))
		return true;
	if (!migrate->p2p_allow)
		return false;
	bool asked, yes = hs_p2p_allow_ask(migrate->p2p_allow, pgmap, allow, &asked);
	if (!asked)
		return yes;
	hs_p2p_stats_inc(&hs_p2p_stats.migrate_callbacks);
	if (yes) {
		hs_p2p_stats_inc(&hs_p2p_stats.migrate_allowed);
		if (sim_tracing())
			sim_event("migrate_vma_collect: p2p_allow(%s) says yes", pgmap->name);
	}
	return yes;
}

/* migrate_vma_collect_skip() */
static void migrate_vma_collect_skip(struct hs_migrate_vma *migrate, unsigned long start,
				     unsigned long end)
{
	for (unsigned long addr = start; addr < end; addr += HS_PAGE_SIZE) {
		migrate->dst[migrate->npages] = 0;
		migrate->src[migrate->npages++] = 0;
	}
}

/* migrate_vma_collect_hole(): empty ranges of anonymous memory may be filled. */
static void migrate_vma_collect_hole(struct hs_migrate_vma *migrate, unsigned long start,
				     unsigned long end)
{
	if (!vma_is_anonymous(migrate->vma)) {
		migrate_vma_collect_skip(migrate, start, end);
		return;
	}
	for (unsigned long addr = start; addr < end; addr += HS_PAGE_SIZE) {
		migrate->src[migrate->npages] = HS_MIGRATE_PFN_MIGRATE;
		migrate->dst[migrate->npages] = 0;
		migrate->npages++;
		migrate->cpages++;
	}
}

/*
 * The selected, pinned and locked page at @addr becomes a migration entry:
 * the part of migrate_vma_collect_pmd() after its folio_trylock() (inline in
 * the kernel).  Called under the PTL.  Return: 1 when a present pte was
 * cleared (a TLB may still hold it), 0 when the entry replaced was not
 * present, -1 when the page is not collected: an exclusive anonymous page
 * that may be DMA-pinned keeps its pte, put back before the PTL is dropped
 * (the caller unlocks and puts it, as the kernel's "goto next" with mpfn 0).
 */
static int migrate_vma_collect_unmap_pte(struct hs_migrate_vma *migrate, struct hs_mm *mm,
					 unsigned long addr, sim_atomic_t *ptep,
					 struct hs_page *page, unsigned long mpfn)
{
	/* PG_anon_exclusive (v5.19): an exclusive anonymous page
	 * (one fork() did not share: HS_PG_ANON_SHARED; a
	 * device-private one too) is cleared with ptep_clear_flush(),
	 * its TLB entries flushed at once under the PTL; the others
	 * are batched into the flush below.  The pre-v6.0 switch
	 * restores the kernel before v5.19, which batched every pte. */
	bool anon_exclusive =
	    !hs_switch.migrate_flush_tlb_after_ptl && test_page_flag(page, HS_PG_ANON) &&
	    /* read in the same step as the flags word just loaded */
	    !sim_noted_bits_load(&page->flags, 1ul << HS_PG_ANON_SHARED, __ATOMIC_RELAXED);
	hs_pte_t old = hs_ptep_get_and_clear(mm, addr, ptep);
	uint64_t fl = 0;

	if (anon_exclusive && hs_pte_present(old)) /* pte_accessible() */
		hs_flush_tlb_range(mm, addr, addr + HS_PAGE_SIZE);
	/* folio_try_share_anon_rmap_pte() fails on a page that may be
	 * DMA-pinned (a device-private one cannot be): its pte goes back */
	if (anon_exclusive && !hs_is_device_private_page(page) && hs_folio_maybe_dma_pinned(page)) {
		hs_set_pte_at(mm, addr, ptep, old);
		if (sim_tracing())
			sim_event("migrate_vma_collect %#lx: pfn %#lx may be pinned, kept", addr,
				  hs_page_to_pfn(page));
		return -1;
	}

	migrate->cpages++;
	/* "copy pte dirty bit to page": the pte is gone, keep its dirt */
	if (hs_pte_present(old) && hs_pte_dirty(old) && !hs_switch.migrate_no_dirty_copy)
		hs_set_page_dirty(page);
	if (mpfn & HS_MIGRATE_PFN_WRITE)
		fl |= HS_SWP_WRITE;
	if (hs_pte_present(old)) {
		if (old & HS_PTE_YOUNG)
			fl |= HS_SWP_YOUNG;
		if (hs_pte_dirty(old))
			fl |= HS_SWP_DIRTY;
	}
	hs_set_pte_at(mm, addr, ptep, hs_mk_swp_pte(HS_SWP_MIGRATION, hs_page_to_pfn(page), fl));
	/* Like an unmap: drop the rmap and a reference.  Not the last
	 * one: ours is still held. */
	hs_page_remove_rmap(page);
	hs_put_page(page);
	if (sim_tracing())
		sim_event("migrate_vma_collect %#lx: pfn %#lx -> migration entry%s", addr,
			  hs_page_to_pfn(page), fl & HS_SWP_WRITE ? " (write)" : "");
	return hs_pte_present(old) ? 1 : 0;
}

/*
 * migrate_vma_collect_pmd() for [start, end) inside one PTE table: under the
 * table's PTL, select each pte by the migrate flags and owner, pin and trylock
 * its page (the fault page is already locked from v6.15), and replace the pte
 * by a migration entry carrying its write, young and dirty bits.  The TLB is
 * flushed for the whole range before the PTL is dropped when any present pte
 * was cleared (after, with hs_switch.migrate_flush_tlb_after_ptl).
 * Simplified: a THP was split by the caller.
 */
static void migrate_vma_collect_pmd(struct hs_migrate_vma *migrate,
				    struct hs_p2p_allow_cache *allow, unsigned long start,
				    unsigned long end)
{
	struct hs_vm_area_struct *vma = migrate->vma;
	struct hs_mm *mm = vma->vm_mm;
	struct hs_page *fault_locked = locked_fault_page(ref_fault_page(migrate));
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, start);
	unsigned long addr, unmapped = 0;

	if (!ptl) {
		/* pmd_none(): no PTE table, the whole range is a hole */
		migrate_vma_collect_hole(migrate, start, end);
		return;
	}

	sim_spin_lock(ptl);
	for (addr = start; addr < end; addr += HS_PAGE_SIZE) {
		sim_atomic_t *ptep = hs_pte_offset(mm, addr);
		struct hs_page *page = NULL;
		unsigned long mpfn = 0;
		hs_pte_t pte = hs_ptep_get(ptep);

		if (hs_pte_none(pte)) {
			if (vma_is_anonymous(vma)) {
				mpfn = HS_MIGRATE_PFN_MIGRATE;
				migrate->cpages++;
			}
			goto next;
		}

		if (!hs_pte_present(pte)) {
			/* only device-private entries; swap and migration entries stay */
			if (!hs_is_device_private_entry(pte))
				goto next;
			page = hs_pfn_to_page(hs_pte_pfn(pte));
			if (!(migrate->flags & HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE) ||
			    !device_private_selected(migrate, allow, page->pgmap))
				goto next;
			mpfn = hs_migrate_pfn(hs_pte_pfn(pte)) | HS_MIGRATE_PFN_MIGRATE;
			if (hs_is_writable_swp_entry(pte))
				mpfn |= HS_MIGRATE_PFN_WRITE;
		} else {
			unsigned long pfn = hs_pte_pfn(pte);

			if (hs_is_zero_pfn(pfn) &&
			    (migrate->flags & HS_MIGRATE_VMA_SELECT_SYSTEM)) {
				/* the zero page: a hole that may be filled */
				mpfn = HS_MIGRATE_PFN_MIGRATE;
				migrate->cpages++;
				goto next;
			}
			page = hs_vm_normal_page(pte);
			if (page)
				hs_pgmap_check(page->pgmap, "migrate_vma_collect: present pte");
			if (page && !hs_is_zone_device_page(page) &&
			    !(migrate->flags & HS_MIGRATE_VMA_SELECT_SYSTEM)) {
				goto next;
			} else if (page && hs_is_device_coherent_page(page)) {
				if (!(migrate->flags & HS_MIGRATE_VMA_SELECT_DEVICE_COHERENT) ||
				    !hs_pgmap_owner_match(page->pgmap, migrate->pgmap_owner))
					goto next;
			}
			mpfn = hs_migrate_pfn(pfn) | HS_MIGRATE_PFN_MIGRATE;
			if (hs_pte_write(pte))
				mpfn |= HS_MIGRATE_PFN_WRITE;
		}

		if (!page) {
			mpfn = 0;
			goto next;
		}

		/* The reference pins the page and freezes the pte's meaning. */
		hs_get_page(page);
		if (page == fault_locked || hs_trylock_page(page)) {
			int r = migrate_vma_collect_unmap_pte(migrate, mm, addr, ptep, page, mpfn);
			if (r < 0) {
				if (page != fault_locked)
					hs_unlock_page(page);
				hs_put_page(page);
				mpfn = 0;
			} else {
				unmapped += (unsigned int)r;
			}
		} else {
			hs_put_page(page);
			mpfn = 0;
			if (sim_tracing())
				sim_event(
				    "migrate_vma_collect %#lx: pfn %#lx busy (locked), skipped",
				    addr, hs_page_to_pfn(page));
		}
	next:
		migrate->dst[migrate->npages] = 0;
		migrate->src[migrate->npages++] = mpfn;
	}

	/* Only when a present pte was cleared can a TLB still hold it. */
	if (unmapped && !hs_switch.migrate_flush_tlb_after_ptl)
		hs_flush_tlb_range(mm, start, end);
	sim_spin_unlock(ptl);
	if (unmapped && hs_switch.migrate_flush_tlb_after_ptl)
		hs_flush_tlb_range(mm, start, end); /* pre-v6.0: too late */
}

/*
 * migrate_vma_collect(): walk [start, end) one PTE table at a time inside a
 * MMU_NOTIFY_MIGRATE invalidation carrying pgmap_owner (so the owning driver
 * can skip its own device mappings).  Caller holds mmap_lock for read.
 */
static void migrate_vma_collect(struct hs_migrate_vma *migrate)
{
	struct hs_mm *mm = migrate->vma->vm_mm;
	struct hs_mmu_notifier_range range;
	struct hs_p2p_allow_cache allow = {NULL, false};
	unsigned long addr, next;

	sim_assert_held(&mm->mmap_lock);
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_MIGRATE, 0, mm, migrate->start,
				   migrate->end, migrate->pgmap_owner);
	hs_mmu_notifier_invalidate_range_start(&range);

	for (addr = migrate->start; addr < migrate->end; addr = next) {
		next = (addr | (HS_PMD_SIZE - 1)) + 1;
		if (next > migrate->end)
			next = migrate->end;
		/* a huge PMD: collected whole (v6.19's MIGRATE_VMA_SELECT_COMPOUND),
		 * skipped, or split first (huge zero: split_huge_pmd(); else
		 * split_folio()) and walked (model/migrate_device_thp.c) */
		if (mm->has_huge &&
		    hs_migrate_vma_collect_huge_pmd(migrate, addr, next,
						    locked_fault_page(ref_fault_page(migrate))))
			continue;
		migrate_vma_collect_pmd(migrate, &allow, addr, next);
	}

	hs_mmu_notifier_invalidate_range_end(&range);
	migrate->end = migrate->start + (migrate->npages << HS_PAGE_SHIFT);
}

/* ---- unmap ------------------------------------------------------------------------- */

/*
 * migrate_vma_check_page(): false when the page has references nobody
 * accounts for (a pin).  As in the source: one extra for the caller's
 * (collect's) reference, one for the fault page's reference held by
 * do_swap_page, and one more for any ZONE_DEVICE page.  (That last one is
 * loose by one for device-private pages, whose free refcount is 0 since
 * v5.17; the exact test follows in folio_migrate_mapping().)
 */
static bool migrate_vma_check_page(struct hs_page *page, struct hs_page *fault_page)
{
	long extra = 1 + (page == fault_page);

	if (hs_is_zone_device_page(page))
		extra++;
	/* no file pages: folio_mapping() is NULL */
	return hs_page_ref_count(page) - extra <= hs_page_mapcount(page);
}

/*
 * try_to_migrate() for a page still mapped: a ZONE_DEVICE page's (the by-pfn
 * path, or the other mms of one fork() shared), or a RAM page's that fork()
 * shared (the other mms of migrate_vma's): its pte (present, a device-private
 * entry, or a device-exclusive entry of a coherent page) becomes a migration
 * entry, readable unless the pte was writable (one fork() shared is not);
 * the rmap and the mapping's reference go, as in try_to_migrate_one().  The
 * caller holds the page lock and a reference.  Simplified: the mapping at
 * @mm / @addr, one that the page's record names (see the top of the file).
 * Returns true when the pte was not the page's because mremap() moved the
 * mapping meanwhile (hs_dev_rmap_moved(): walk again).
 */
static bool try_to_migrate_one(struct hs_page *page, struct hs_mm *mm, unsigned long addr)
{
	unsigned long pfn = hs_page_to_pfn(page);
	sim_atomic_t *ptep;
	sim_spinlock_t *ptl;
	hs_pte_t pte, old;
	uint64_t fl = 0;
	bool present;

	struct hs_mmu_notifier_range range;

	if (!(ptep = hs_pte_offset(mm, addr)))
		return false;
	/* try_to_migrate_one() unmaps under an MMU_NOTIFY_CLEAR invalidation,
	 * so device mirrors of the page let go of it too */
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   addr, addr + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	ptl = hs_pte_lockptr(mm, addr);
	sim_spin_lock(ptl);
	if (mm->has_huge) /* v6.19: a PMD device-private entry of its folio */
		hs_try_to_migrate_split_pmd(mm, addr, pfn);
	pte = hs_ptep_get(ptep);
	present = hs_pte_present(pte);
	/* v6.15+ (page_vma_mapped_walk() of device-exclusive entries): a
	 * device-coherent page a device holds exclusive is migrated too */
	if (hs_pte_pfn(pte) != pfn || !(present || hs_is_device_private_entry(pte) ||
					hs_swp_type(pte) == HS_SWP_DEVICE_EXCLUSIVE)) {
		bool moved = hs_dev_rmap_moved(page, mm, addr);
		sim_spin_unlock(ptl);
		hs_mmu_notifier_invalidate_range_end(&range);
		return moved;
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
	return false;
}

/*
 * try_to_migrate(): every mapping of @page that the rmap knows (for a RAM
 * page, only one fork() shared has a record): the one migration installed
 * (or the parent's), then the children fork() copied it into (their
 * records read after the first one's PTL).  folio_not_mapped() ends the
 * kernel's walk early; the model visits every record, each re-checked
 * under its PTL.
 */
static void try_to_migrate(struct hs_page *page)
{
	struct hs_dev_rmap copy;
	const struct hs_dev_rmap *r = hs_dev_rmap_get(page, &copy);

	if (!r)
		return;
	/* true: mremap() moved the mapping meanwhile, see hs_dev_rmap_moved() */
	while (try_to_migrate_one(page, r->mm, r->addr) && hs_dev_rmap_get(page, &copy))
		;
	/* the children fork() copied it into: read again after that walk took
	 * the PTL (fork adds them under it, and may have while we waited) */
	r = hs_dev_rmap_get(page, &copy);
	for (int k = 0; k < hs_dev_rmap_forked(r, page); k++) {
		unsigned long at = r->forked_addr[k];
		while (try_to_migrate_one(page, r->forked[k], at) &&
		       hs_dev_rmap_addr(hs_dev_rmap_get(page, &copy), page, r->forked[k], &at))
			;
	}
}

/*
 * migrate_device_unmap(): for every collected page, unmap what collect did
 * not (try_to_migrate), and give up the pages that are still mapped or carry
 * an unexpected reference: their migration entries go back to the same page,
 * they are unlocked (not the caller's fault page) and released.
 * Return: the number of entries still marked MIGRATE (pages and holes).
 * A RAM page not on the LRU (in a CPU's lru_add batch, model/swap.c) makes
 * it drain every CPU's batch once (lru_add_drain_all()) and fails to isolate
 * if it still is not.  Simplified: no isolation reference (see the top of
 * the file).
 */
static unsigned long migrate_device_unmap(unsigned long *src_pfns, unsigned long npages,
					  struct hs_page *fault_page,
					  const struct hs_migrate_vma *migrate)
{
	struct hs_page *fault_locked = locked_fault_page(fault_page);
	unsigned long i, restore = 0, unmapped = 0;
	bool allow_drain = true;

	hs_lru_add_drain();
	for (i = 0; i < npages; i++) {
		struct hs_page *page = hs_migrate_pfn_to_page(src_pfns[i]);

		if (!page) {
			if (src_pfns[i] & HS_MIGRATE_PFN_MIGRATE)
				unmapped++;
			continue;
		}
		if (src_pfns[i] & HS_MIGRATE_PFN_COMPOUND) { /* v6.19: a whole folio */
			if (hs_migrate_folio_check(page, fault_page)) {
				unmapped++;
				continue;
			}
			src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
			restore++;
			continue;
		}
		/* a RAM page still in a CPU's lru_add batch: drain every CPU's
		 * (and wait), then folio_isolate_lru() fails if it still is */
		if (!hs_is_zone_device_page(page) && !hs_folio_test_lru(page)) {
			if (allow_drain) {
				hs_lru_add_drain_all();
				allow_drain = false;
			}
			if (!hs_folio_test_lru(page)) {
				src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
				restore++;
				continue;
			}
		}
		if (hs_page_mapcount(page))
			try_to_migrate(page);
		if (hs_page_mapcount(page) || !migrate_vma_check_page(page, fault_page)) {
			src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
			restore++;
			if (sim_tracing())
				sim_event("migrate_vma_unmap: pfn %#lx still mapped or pinned, "
					  "restored",
					  hs_page_to_pfn(page));
			continue;
		}
		unmapped++;
	}

	for (i = 0; i < npages && restore; i++) {
		struct hs_page *page = hs_migrate_pfn_to_page(src_pfns[i]);

		if (!page || (src_pfns[i] & HS_MIGRATE_PFN_MIGRATE))
			continue;
		if (src_pfns[i] & HS_MIGRATE_PFN_COMPOUND) {
			hs_migrate_finalize_folio((struct hs_migrate_vma *)migrate, i,
						  fault_locked);
			src_pfns[i] = 0;
			restore--;
			continue;
		}
		remove_migration_ptes(page, page, migrate, i);
		src_pfns[i] = 0;
		if (page != fault_locked)
			hs_unlock_page(page);
		hs_put_page(page);
		restore--;
	}
	return unmapped;
}

/* migrate_device_unmap() for the by-pfn paths (model/migrate_device_pfn.c). */
unsigned long hs_migrate_device_unmap(unsigned long *src_pfns, unsigned long npages)
{
	return migrate_device_unmap(src_pfns, npages, NULL, NULL);
}

/* ---- setup ------------------------------------------------------------------------- */

/**
 * hs_migrate_vma_setup() - migrate_vma_setup(): collect and unmap the pages
 * of [start, end) selected by @args->flags and @args->pgmap_owner.
 * @args: vma, start, end, src, dst, pgmap_owner, flags, fault_page
 *
 * On return src[] holds MIGRATE_PFN_MIGRATE (plus VALID and the pfn for a
 * page) for each entry that can move; those pages are locked, unmapped
 * (migration entries) and have no unexpected references.  cpages counts them.
 * Caller holds mmap_lock for read.  Simplified: no hugetlb or DAX VMAs exist.
 *
 * Return: 0, or -EINVAL for a bad range, a special VMA, missing arrays, or a
 * fault_page that is not a (locked, from v6.15) device-private page.
 */
int hs_migrate_vma_setup(struct hs_migrate_vma *args)
{
	long nr_pages = (long)((args->end - args->start) >> HS_PAGE_SHIFT);
	struct hs_page *fault_page = ref_fault_page(args);

	args->start &= PAGE_MASK;
	args->end &= PAGE_MASK;
	if (!args->vma || (args->vma->vm_flags & (HS_VM_IO | HS_VM_PFNMAP | HS_VM_MIXEDMAP)))
		return -EINVAL;
	/* Model guard: the kernel lets end < start through to a huge nr_pages. */
	if (nr_pages <= 0 || args->end <= args->start)
		return -EINVAL;
	if (args->start < args->vma->vm_start || args->start >= args->vma->vm_end)
		return -EINVAL;
	if (args->end <= args->vma->vm_start || args->end > args->vma->vm_end)
		return -EINVAL;
	if (!args->src || !args->dst)
		return -EINVAL;
	if (fault_page && !hs_is_device_private_page(fault_page))
		return -EINVAL;
	if (locked_fault_page(fault_page) && !hs_page_locked(fault_page))
		return -EINVAL;

	memset(args->src, 0, sizeof(*args->src) * (size_t)nr_pages);
	args->cpages = 0;
	args->npages = 0;

	migrate_vma_collect(args);
	if (args->cpages)
		args->cpages = migrate_device_unmap(args->src, args->npages, fault_page, args);
	if (sim_tracing())
		sim_event("migrate_vma_setup [%#lx,%#lx): %lu of %lu can move", args->start,
			  args->end, args->cpages, args->npages);
	return 0;
}

/* ---- pages ------------------------------------------------------------------------- */

/*
 * migrate_vma_insert_page(): fill a hole with @page, like do_anonymous_page()
 * would with a new page: under the PTL and only if the pte is still none (or
 * the zero page, which is replaced with a TLB flush).  A device-private page
 * gets a device-private entry, anything else a present pte (writable and
 * dirty in a writable VMA).  The page gets a mapcount and a reference.
 * A huge PMD mapped over the hole since it was collected (a CPU fault's THP
 * or huge zero folio) leaves no PTE table to map into: the kernel gives up
 * at its pmd_trans_huge() check or when pte_offset_map_lock() finds no
 * table, and so does the model, under the PTL (the PMD's lock here).
 * On failure MIGRATE is cleared in *src.  Simplified: PTE tables exist for
 * every VMA (no pte_alloc failure), no memcg, no userfaultfd, no
 * check_stable_address_space().
 */
static void migrate_vma_insert_page(struct hs_migrate_vma *migrate, unsigned long addr,
				    struct hs_page *page, unsigned long *src)
{
	struct hs_vm_area_struct *vma = migrate->vma;
	struct hs_mm *mm = vma->vm_mm;
	unsigned long pfn = hs_page_to_pfn(page);
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	sim_spinlock_t *ptl;
	bool flush = false;
	hs_pte_t entry, orig;

	if (!vma_is_anonymous(vma) || !ptep)
		goto abort;

	set_page_flag(page, HS_PG_UPTODATE); /* __folio_mark_uptodate() */
	if (hs_is_device_private_page(page)) {
		entry = hs_mk_swp_pte(HS_SWP_DEVICE_PRIVATE, pfn,
				      (vma->vm_flags & HS_VM_WRITE) ? HS_SWP_WRITE : 0);
	} else {
		uint64_t fl = HS_PTE_PRESENT | HS_PTE_YOUNG;

		if (hs_is_zone_device_page(page) && !hs_is_device_coherent_page(page))
			goto abort; /* unsupported ZONE_DEVICE type */
		if (vma->vm_flags & HS_VM_WRITE)
			fl |= HS_PTE_WRITE | HS_PTE_DIRTY;
		if (!(vma->vm_flags & (HS_VM_READ | HS_VM_WRITE)))
			fl = (fl & ~HS_PTE_WRITE) | HS_PTE_PROTNONE; /* vm_page_prot */
		entry = hs_mk_pte(pfn, fl);
	}

	ptl = hs_pte_lockptr(mm, addr);
	sim_spin_lock(ptl);
	if (hs_pmd_huge_locked(mm, addr))
		goto unlock_abort;
	orig = hs_ptep_get(ptep);
	if (hs_pte_present(orig)) {
		if (!hs_is_zero_pfn(hs_pte_pfn(orig)))
			goto unlock_abort;
		flush = true;
	} else if (!hs_pte_none(orig)) {
		goto unlock_abort;
	}

	set_page_flag(page, HS_PG_ANON);
	hs_page_add_rmap(page);
	hs_get_page(page);
	if (flush) {
		/* ptep_clear_flush() of the zero page */
		hs_ptep_get_and_clear(mm, addr, ptep);
		hs_flush_tlb_range(mm, addr, addr + HS_PAGE_SIZE);
	}
	hs_set_pte_at(mm, addr, ptep, entry);
	hs_dev_rmap_set(page, mm, addr);
	sim_spin_unlock(ptl);
	*src = HS_MIGRATE_PFN_MIGRATE;
	if (sim_tracing())
		sim_event("migrate_vma_insert_page %#lx: pfn %#lx", addr, pfn);
	return;

unlock_abort:
	sim_spin_unlock(ptl);
abort:
	*src &= ~HS_MIGRATE_PFN_MIGRATE;
	if (sim_tracing())
		sim_event("migrate_vma_insert_page %#lx: hole no longer empty, not filled", addr);
}

/*
 * folio_migrate_mapping(), anonymous branch: the page may move only if its
 * refcount is exactly what the migration accounts for: collect's reference
 * plus @extra_count (do_swap_page's on the fault page).  Then the new page
 * takes over the old one's mapping (the anon bit here).
 */
static int folio_migrate_mapping(struct hs_page *newpage, struct hs_page *page, long extra_count)
{
	long expected = 1 + extra_count;
	long count = hs_page_ref_count(page);

	if (count != expected) {
		if (sim_tracing())
			sim_event(
			    "folio_migrate_mapping: pfn %#lx refcount %ld, expected %ld: -EAGAIN",
			    hs_page_to_pfn(page), count, expected);
		return -EAGAIN;
	}
	if (test_page_flag(page, HS_PG_ANON))
		set_page_flag(newpage, HS_PG_ANON);
	return 0;
}

/* folio_migrate_flags(): the page state the model has (uptodate, dirty). */
static void folio_migrate_flags(struct hs_page *newpage, struct hs_page *page)
{
	if (test_page_flag(page, HS_PG_UPTODATE))
		set_page_flag(newpage, HS_PG_UPTODATE);
	if (hs_page_dirty(page))
		hs_set_page_dirty(newpage);
}

/*
 * __migrate_device_pages() of a compound entry (v6.19): a folio destination
 * takes the whole folio (or fills the compound hole with a PMD), a base-page
 * destination splits the source first (migrate_vma_split_unmapped_folio())
 * and the entries go on one page at a time.  Return: whether entry @i is done.
 */
static bool migrate_pages_folio(struct hs_migrate_vma *migrate, unsigned long i,
				struct hs_mmu_notifier_range *range, bool *notified)
{
	struct hs_page *newpage = hs_migrate_pfn_to_page(migrate->dst[i]);
	struct hs_page *page = hs_migrate_pfn_to_page(migrate->src[i]);
	unsigned long addr = migrate->start + (i << HS_PAGE_SHIFT);

	if (!newpage) {
		migrate->src[i] &= ~HS_MIGRATE_PFN_MIGRATE;
		return true;
	}
	if (!(migrate->dst[i] & HS_MIGRATE_PFN_COMPOUND)) {
		hs_migrate_vma_split_unmapped_folio(migrate, i);
		return false;
	}
	if (!(migrate->src[i] & HS_MIGRATE_PFN_MIGRATE))
		return true;
	if (page) {
		if (hs_migrate_folio_move(newpage, page, ref_fault_page(migrate)))
			migrate->src[i] &= ~HS_MIGRATE_PFN_MIGRATE;
		return true;
	}
	if (!*notified) {
		*notified = true;
		hs_mmu_notifier_range_init(range, HS_MMU_NOTIFY_MIGRATE, 0, migrate->vma->vm_mm,
					   addr, migrate->end, migrate->pgmap_owner);
		hs_mmu_notifier_invalidate_range_start(range);
	}
	if (!hs_migrate_vma_insert_huge_pmd_page(migrate, addr, newpage))
		migrate->src[i] &= ~HS_MIGRATE_PFN_MIGRATE;
	return true;
}

/*
 * __migrate_device_pages(): for each entry with a destination, fill holes
 * (migrate_vma only, inside one MMU_NOTIFY_MIGRATE invalidation from the
 * first hole to the end) or move the page state to the destination.  Entries
 * that cannot move lose MIGRATE.  The data was copied by the driver before.
 */
static void __migrate_device_pages(unsigned long *src_pfns, unsigned long *dst_pfns,
				   unsigned long npages, struct hs_migrate_vma *migrate)
{
	struct hs_page *fault_page = ref_fault_page(migrate);
	struct hs_mmu_notifier_range range;
	bool notified = false;

	for (unsigned long i = 0; i < npages; i++) {
		struct hs_page *newpage = hs_migrate_pfn_to_page(dst_pfns[i]);
		long extra_cnt = 0;

		if (migrate && (src_pfns[i] & HS_MIGRATE_PFN_COMPOUND) &&
		    migrate_pages_folio(migrate, i, &range, &notified))
			continue;
		struct hs_page *page = hs_migrate_pfn_to_page(src_pfns[i]);

		if (!newpage) {
			src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
			continue;
		}

		if (!page) {
			unsigned long addr;

			if (!(src_pfns[i] & HS_MIGRATE_PFN_MIGRATE))
				continue;
			if (!migrate)
				sim_fail(HS_KIND_BUG, "migrate_device_pages: a hole without a vma");
			addr = migrate->start + (i << HS_PAGE_SHIFT);
			if (!notified) {
				notified = true;
				hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_MIGRATE, 0,
							   migrate->vma->vm_mm, addr, migrate->end,
							   migrate->pgmap_owner);
				hs_mmu_notifier_invalidate_range_start(&range);
			}
			migrate_vma_insert_page(migrate, addr, newpage, &src_pfns[i]);
			continue;
		}

		if (hs_is_device_private_page(newpage) || hs_is_device_coherent_page(newpage)) {
			/* only anonymous memory may move to device memory: a page
			 * with a mapping (shmem, file; the model's non-anonymous RAM
			 * pages) stays.  Its swap cache is left to the free. */
			if (!hs_is_zone_device_page(page) && !test_page_flag(page, HS_PG_ANON)) {
				src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
				if (sim_tracing())
					sim_event("migrate_device_pages: pfn %#lx is not "
						  "anonymous, not moved",
						  hs_page_to_pfn(page));
				continue;
			}
		} else if (hs_is_zone_device_page(newpage)) {
			/* other ZONE_DEVICE types cannot be migration targets */
			src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
			continue;
		}

		if (migrate && fault_page == page)
			extra_cnt = 1;
		if (folio_migrate_mapping(newpage, page, extra_cnt))
			src_pfns[i] &= ~HS_MIGRATE_PFN_MIGRATE;
		else
			folio_migrate_flags(newpage, page);
	}

	if (notified)
		hs_mmu_notifier_invalidate_range_end(&range);
}

/**
 * hs_migrate_vma_pages() - migrate_vma_pages(): move each src page to its dst.
 * @migrate:	what hs_migrate_vma_setup() collected, dst filled by the driver
 *
 * Moves struct page state from each src page to its dst page and fills
 * holes; entries that cannot move lose MIGRATE_PFN_MIGRATE.  Both pages stay
 * locked until finalize.
 */
void hs_migrate_vma_pages(struct hs_migrate_vma *migrate)
{
	__migrate_device_pages(migrate->src, migrate->dst, migrate->npages, migrate);
}

/**
 * hs_migrate_device_pages() - migrate_device_pages(): the same for device pfns.
 * @src_pfns:	the array hs_migrate_device_range() filled
 * @dst_pfns:	the driver's destinations
 * @npages:	entries of both
 *
 * The src array of hs_migrate_device_range() has no holes.
 */
void hs_migrate_device_pages(unsigned long *src_pfns, unsigned long *dst_pfns, unsigned long npages)
{
	__migrate_device_pages(src_pfns, dst_pfns, npages, NULL);
}

/* ---- finalize ---------------------------------------------------------------------- */

/*
 * Not the kernel's: count a move that finalize made (the data was in @page,
 * it is in @dst now), by where it went: device to device (two pagemaps, or
 * one), device to system memory, system memory to device.  Oracle counters
 * (include/hmmsim/hmm.h), no scheduling point.
 */
static void migrate_count_move(struct hs_page *page, struct hs_page *dst)
{
	bool from_dev = hs_is_zone_device_page(page), to_dev = hs_is_zone_device_page(dst);

	if (from_dev && to_dev)
		hs_p2p_stats_inc(page->pgmap == dst->pgmap ? &hs_p2p_stats.moves_dev_same
							   : &hs_p2p_stats.moves_dev_to_dev);
	else if (from_dev)
		hs_p2p_stats_inc(&hs_p2p_stats.moves_dev_to_ram);
	else if (to_dev)
		hs_p2p_stats_inc(&hs_p2p_stats.moves_ram_to_dev);
}

/*
 * __migrate_device_finalize(): each migration entry becomes the new page if
 * the entry still says MIGRATE and has a destination, else the old page
 * again; then the old page is unlocked (not the fault page from v6.15) and
 * collect's reference dropped (freeing it after a successful move: a device
 * page goes back to its driver through page_free), and the new page is
 * unlocked and the driver's reference dropped (its pte holds its own).
 */
static void __migrate_device_finalize(unsigned long *src_pfns, unsigned long *dst_pfns,
				      unsigned long npages, struct hs_page *fault_page,
				      const struct hs_migrate_vma *migrate)
{
	struct hs_page *fault_locked = locked_fault_page(fault_page);

	for (unsigned long i = 0; i < npages; i++) {
		struct hs_page *newpage = hs_migrate_pfn_to_page(dst_pfns[i]);
		struct hs_page *page = hs_migrate_pfn_to_page(src_pfns[i]);
		struct hs_page *dst = newpage;

		if (migrate && (src_pfns[i] & HS_MIGRATE_PFN_COMPOUND)) {
			hs_migrate_finalize_folio((struct hs_migrate_vma *)migrate, i,
						  fault_locked);
			continue;
		}
		if (!page) {
			if (newpage) {
				if (newpage == fault_locked)
					sim_fail(HS_KIND_BUG,
						 "migrate_vma_finalize: dst is the fault page");
				hs_unlock_page(newpage);
				hs_put_page(newpage);
			}
			continue;
		}

		if (!(src_pfns[i] & HS_MIGRATE_PFN_MIGRATE) || !newpage) {
			if (newpage) {
				if (newpage == fault_locked)
					sim_fail(HS_KIND_BUG,
						 "migrate_vma_finalize: dst is the fault page");
				hs_unlock_page(newpage);
				hs_put_page(newpage);
			}
			dst = page;
		}

		remove_migration_ptes(page, dst, migrate, i);
		if (page != fault_locked)
			hs_unlock_page(page);
		hs_put_page(page);

		if (dst != page) {
			migrate_count_move(page, dst);
			if (dst == fault_locked)
				sim_fail(HS_KIND_BUG,
					 "migrate_vma_finalize: dst is the fault page");
			hs_unlock_page(dst);
			hs_put_page(dst);
		}
		if (sim_tracing())
			sim_event("migrate_finalize: pfn %#lx -> pfn %#lx%s", hs_page_to_pfn(page),
				  hs_page_to_pfn(dst), dst == page ? " (not migrated)" : "");
	}
}

/**
 * hs_migrate_vma_finalize() - migrate_vma_finalize(): end the migration.
 * @migrate:	after hs_migrate_vma_pages()
 *
 * Replaces the migration entries by the new pages (or the old ones where
 * migration failed), unlocks and releases both.
 */
void hs_migrate_vma_finalize(struct hs_migrate_vma *migrate)
{
	__migrate_device_finalize(migrate->src, migrate->dst, migrate->npages,
				  ref_fault_page(migrate), migrate);
}

/**
 * hs_migrate_device_finalize() - migrate_device_finalize(): the same for device pfns.
 * @src_pfns:	the array hs_migrate_device_range() filled
 * @dst_pfns:	the driver's destinations
 * @npages:	entries of both
 */
void hs_migrate_device_finalize(unsigned long *src_pfns, unsigned long *dst_pfns,
				unsigned long npages)
{
	__migrate_device_finalize(src_pfns, dst_pfns, npages, NULL, NULL);
}
