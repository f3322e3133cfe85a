// SPDX-License-Identifier: MIT
/*
 * Device-exclusive access: make_device_exclusive() of mm/rmap.c, and the two
 * places of mm/memory.c that turn such an entry back into a present pte
 * (restore_exclusive_pte(), called by remove_device_exclusive_entry() on a
 * CPU fault and by try_restore_exclusive_pte() on fork).
 *
 * Baseline Linux v6.18, which has the v6.15 API: make_device_exclusive(mm,
 * addr, owner, &folio) grants one page at a time (it replaced
 * make_device_exclusive_range(), which took an array of pages), returns the
 * page locked and referenced (the caller unlocks and puts the folio once its
 * device mapping is in place), issues MMU_NOTIFY_EXCLUSIVE with the caller's
 * owner so the caller's own notifier can ignore it, and leaves the mapcount
 * alone (v6.15: the device-exclusive entry counts as a mapping; before, the
 * rmap was dropped and restored).
 *
 * Also the model's rmap of ZONE_DEVICE pages (hs_dev_rmap_*(): where
 * migration mapped a device page, and the children fork() copied that
 * mapping into; model/migrate.c's header says why the model needs one), and
 * of the anonymous RAM pages fork() shared: the same record, made by the
 * first fork that shares the page (a RAM page mapped once needs none: the
 * migration knows its address), kept beside the pages (hs_mach->anon_rmap[])
 * as a RAM page's ->private is the swap cache's.
 *
 * Simplifications: order-0 anonymous pages only (no FOLL_SPLIT_PMD, the
 * folio is the page); no soft-dirty or uffd-wp bits; folio_lock_killable()
 * never fails (no signals).
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/switches.h>
#include <stdio.h>

#include "internal.h"

/**
 * hs_restore_exclusive_pte() - restore_exclusive_pte(): a device-exclusive
 * entry becomes a present pte of its page again.
 * @vma: the VMA
 * @page: the page of the entry, locked by the caller
 * @addr: the address
 * @ptep: the pte, whose PTL the caller holds
 * @orig: the device-exclusive entry found there
 *
 * The pte is old; writable (and dirty if the page is) when the VMA is
 * writable (can_change_pte_writable(): the page is exclusive, as
 * make_device_exclusive() required a writable pte), a protnone pte in a
 * PROT_NONE VMA.  No reference or mapcount changes: the entry held them.
 * No TLB flush: the entry was not present.
 */
void hs_restore_exclusive_pte(struct hs_vm_area_struct *vma, struct hs_page *page,
			      unsigned long addr, sim_atomic_t *ptep, hs_pte_t orig)
{
	uint64_t fl = 0;

	(void)orig;
	if (!hs_page_locked(page))
		sim_fail(HS_KIND_BUG, "restore_exclusive_pte: pfn %#lx is not locked",
			 hs_page_to_pfn(page));
	if (!(vma->vm_flags & (HS_VM_READ | HS_VM_WRITE)))
		fl |= HS_PTE_PROTNONE;
	else if (vma->vm_flags & HS_VM_WRITE)
		fl |= HS_PTE_WRITE | (hs_page_dirty(page) ? HS_PTE_DIRTY : 0);
	hs_set_pte_at(vma->vm_mm, addr, ptep, hs_mk_pte(hs_page_to_pfn(page), fl));
	if (sim_tracing())
		sim_event("restore_exclusive_pte %#lx: pfn %#lx%s", addr, hs_page_to_pfn(page),
			  fl & HS_PTE_WRITE ? " write" : "");
}

/**
 * hs_try_restore_exclusive_pte() - try_restore_exclusive_pte() (fork).
 * @vma: the parent's VMA
 * @page: the page of the entry
 * @addr: the address
 * @ptep: the parent's pte; the caller holds its PTL
 * @orig: the device-exclusive entry
 *
 * Return: true when the page could be trylocked and the pte restored; false
 * when the folio is locked (a grant in progress): fork then fails -EBUSY.
 */
bool hs_try_restore_exclusive_pte(struct hs_vm_area_struct *vma, struct hs_page *page,
				  unsigned long addr, sim_atomic_t *ptep, hs_pte_t orig)
{
	if (!hs_trylock_page(page))
		return false;
	hs_restore_exclusive_pte(vma, page, addr, ptep, orig);
	hs_unlock_page(page);
	return true;
}

/**
 * hs_make_device_exclusive() - make_device_exclusive(): grant a device
 * exclusive (atomic) access to the page at @addr.
 * @mm: the address space; the caller holds its mmap_lock
 * @addr: the address (rounded down to its page)
 * @owner: passed to the MMU_NOTIFY_EXCLUSIVE invalidation, so the caller's
 *	notifier can recognise (and skip) its own
 * @pagep: the page, on success: locked and referenced; the caller unlocks
 *	and puts it (the kernel returns the page and the folio through
 *	@foliop; order-0 here, they are the same)
 *
 * GUP faults the page in writable with FOLL_SPLIT_PMD (a huge PMD is split
 * first, so the page comes from a pte; a device-exclusive entry of another
 * device is restored by that fault), the page is locked, the invalidation
 * starts, and if the pte still maps that page writable it is cleared and
 * flushed (its dirty bit goes to the page) and replaced by a writable
 * device-exclusive entry; otherwise everything is undone and tried again.
 *
 * Return: 0, -EOPNOTSUPP (not an anonymous page), or GUP's error
 * (-EFAULT: no VMA, not writable, a fault error; -ENOMEM).
 */
int hs_make_device_exclusive(struct hs_mm *mm, unsigned long addr, void *owner,
			     struct hs_page **pagep)
{
	struct hs_mmu_notifier_range range;
	struct hs_page *page;
	int ret;

	sim_assert_held(&mm->mmap_lock);
	addr &= ~(HS_PAGE_SIZE - 1);
retry:
	ret = hs_get_user_pages_remote(mm, addr, 1, HS_FOLL_GET | HS_FOLL_WRITE | HS_FOLL_SPLIT_PMD,
				       &page);
	if (ret < 0)
		return ret;
	/* folio_test_anon(): a device-coherent page is anonymous too, and is
	 * granted (until session 28 the model refused every ZONE_DEVICE page;
	 * GUP never returns a device-private one: it faults it back) */
	if (!sim_bits_load(&page->flags, 1ul << HS_PG_ANON, SIM_RELAXED)) {
		hs_put_page(page);
		return -EOPNOTSUPP;
	}
	hs_lock_page(page); /* folio_lock_killable() */
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_EXCLUSIVE, 0, mm, addr,
				   addr + HS_PAGE_SIZE, owner);
	hs_mmu_notifier_invalidate_range_start(&range);
	/* folio_walk_start(): the same page, still mapped writable? */
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, addr);
	sim_spin_lock(ptl);
	hs_pte_t pte = hs_ptep_get(ptep);
	if (!hs_pte_present(pte) || hs_pte_pfn(pte) != hs_page_to_pfn(page) || !hs_pte_write(pte)) {
		sim_spin_unlock(ptl);
		hs_mmu_notifier_invalidate_range_end(&range);
		hs_unlock_page(page);
		hs_put_page(page);
		goto retry;
	}
	/* ptep_clear_flush(): the up-to-date dirty bit */
	pte = hs_ptep_get_and_clear(mm, addr, ptep);
	hs_flush_tlb_range(mm, addr, addr + HS_PAGE_SIZE);
	if (hs_pte_dirty(pte))
		hs_set_page_dirty(page);
	hs_set_pte_at(mm, addr, ptep,
		      hs_mk_swp_pte(HS_SWP_DEVICE_EXCLUSIVE, hs_page_to_pfn(page), HS_SWP_WRITE));
	sim_spin_unlock(ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
	if (sim_tracing())
		sim_event("make_device_exclusive %#lx: pfn %#lx", addr, hs_page_to_pfn(page));
	*pagep = page;
	return 0;
}

/* ---- where a ZONE_DEVICE page is mapped (stands for the anon rmap; model/migrate.c) --- */

/* Where the record of @page is kept: page->private of a ZONE_DEVICE page
 * (which has no other use for it), hs_mach->anon_rmap[] for a RAM page. */
static unsigned long *dev_rmap_slot(struct hs_page *page)
{
	if (hs_is_zone_device_page(page))
		return &page->private;
	return &hs_mach->anon_rmap[hs_page_to_pfn(page)];
}

/**
 * hs_dev_rmap_of() - the record of @page itself, or NULL.
 * @page: a ZONE_DEVICE page or a RAM page
 *
 * A noted read of the pointer: made once per page (by its first migration
 * to that page or fork sharing it) and never freed (sim_alloc()).
 * Return: the record, which may belong to an earlier life of the page
 * (hs_dev_rmap_forked() checks its generation).
 */
struct hs_dev_rmap *hs_dev_rmap_of(struct hs_page *page)
{
	return (struct hs_dev_rmap *)HS_NOTED(*dev_rmap_slot(page));
}

/* The record of @page, made if it has none yet. */
static struct hs_dev_rmap *dev_rmap_alloc(struct hs_page *page)
{
	struct hs_dev_rmap *r = hs_dev_rmap_of(page);

	if (!r) {
		r = sim_alloc(sizeof(*r));
		HS_NOTED_SET(*dev_rmap_slot(page), (unsigned long)r);
	}
	return r;
}

/* The mms fork() added for the current life of @page (plain: written under
 * the PTL of the mapping they were copied from, read after taking it).  @r
 * is a copy from hs_dev_rmap_get(), or the record itself after
 * hs_dev_rmap_note_read() (so that dpor sees the reads). */
int hs_dev_rmap_forked(const struct hs_dev_rmap *r, struct hs_page *page)
{
	return r && r->gen == hs_page_gen(page) ? r->nr_forked : 0;
}

/* Tell dpor that the caller reads @r's generation and forked mms in place
 * (no scheduling point): they are plain fields, written under a PTL. */
void hs_dev_rmap_note_read(const struct hs_dev_rmap *r)
{
	HS_NOTE_READ(r->gen);
	HS_NOTE_READ(r->nr_forked);
	for (int i = 0; i < DEV_RMAP_FORKED; i++)
		HS_NOTE_READ(r->forked[i]);
}

/*
 * Record the mapping just installed for @page at (@mm, @addr); the caller
 * holds the page lock and the PTL of @addr.  A ZONE_DEVICE page's record is
 * made here; a RAM page's only by a fork (hs_dev_rmap_add()) or taken over
 * from the page it replaced (hs_dev_rmap_copy()), else it needs none.
 */
void hs_dev_rmap_set(struct hs_page *page, struct hs_mm *mm, unsigned long addr)
{
	struct hs_dev_rmap *r;

	if (hs_is_zone_device_page(page))
		r = dev_rmap_alloc(page);
	else if (!(r = hs_dev_rmap_of(page)))
		return;
	/* a mapping a fork made (restored after a failed migration, or the
	 * new page's in an mm the record it took over names): kept, at the
	 * address the migration entry was found at (which mremap() may have
	 * moved since the record was copied) */
	hs_dev_rmap_note_read(r);
	for (int i = 0; i < hs_dev_rmap_forked(r, page); i++)
		if (HS_NOTED(r->forked[i]) == mm) {
			if (sim_noted_load_n(&r->forked_addr[i], __ATOMIC_RELAXED) != addr)
				sim_noted_store_n(&r->forked_addr[i], addr, __ATOMIC_RELAXED);
			return;
		}
	if (!hs_is_zone_device_page(page) && HS_NOTED(r->gen) != hs_page_gen(page))
		return; /* an earlier life's record: this page is mapped once */
	if (HS_NOTED(r->gen) != hs_page_gen(page)) {
		HS_NOTED_SET(r->gen, hs_page_gen(page));
		HS_NOTED_SET(r->nr_forked, 0);
	}
	sim_noted_store_n(&r->mm, mm, __ATOMIC_RELAXED);
	sim_noted_store_n(&r->addr, addr, __ATOMIC_RELAXED);
}

/**
 * hs_dev_rmap_addr() - where the record says @mm maps @page.
 * @r: a copy from hs_dev_rmap_get(), or NULL
 * @page: the page
 * @mm: the address space
 * @addr: set to the address
 *
 * Return: whether @r names a mapping in @mm (the migration's or a fork's).
 */
bool hs_dev_rmap_addr(const struct hs_dev_rmap *r, struct hs_page *page, struct hs_mm *mm,
		      unsigned long *addr)
{
	if (!r)
		return false;
	if (r->mm == mm) {
		*addr = r->addr;
		return true;
	}
	for (int i = 0; i < hs_dev_rmap_forked(r, page); i++)
		if (r->forked[i] == mm) {
			*addr = r->forked_addr[i];
			return true;
		}
	return false;
}

/**
 * hs_dev_rmap_add() - fork(): @page is mapped in @mm too.
 * @page: a device page @parent maps at @addr, or an anonymous RAM page its
 *	COW mapping shares
 * @parent: the parent (the migration's mm, or a child of an earlier fork)
 * @mm: the child
 * @addr: the address (the child's is the parent's)
 *
 * Stands for the anon_vma chain anon_vma_fork() links, so that the by-pfn
 * migration (try_to_migrate(), remove_migration_ptes()) finds the child's
 * entry.  Called under the PTL of the parent's entry.
 */
void hs_dev_rmap_add(struct hs_page *page, struct hs_mm *parent, struct hs_mm *mm,
		     unsigned long addr)
{
	struct hs_dev_rmap *r = hs_dev_rmap_of(page), copy;
	unsigned long paddr;

	/* a RAM page's first fork: the record starts with the parent's mapping
	 * (anon_vma_fork() links the child to the anon_vma the page has had
	 * since its fault; the model makes the record only now) */
	if (!hs_is_zone_device_page(page) && (!r || HS_NOTED(r->gen) != hs_page_gen(page))) {
		r = dev_rmap_alloc(page);
		HS_NOTED_SET(r->gen, hs_page_gen(page));
		HS_NOTED_SET(r->nr_forked, 0);
		sim_noted_store_n(&r->mm, parent, __ATOMIC_RELAXED);
		sim_noted_store_n(&r->addr, addr, __ATOMIC_RELAXED);
	}
	if (!r || !hs_dev_rmap_addr(hs_dev_rmap_get(page, &copy), page, parent, &paddr) ||
	    paddr != addr)
		return; /* not mapped there by a migration: nothing to follow */
	if (HS_NOTED(r->gen) != hs_page_gen(page)) {
		HS_NOTED_SET(r->gen, hs_page_gen(page));
		HS_NOTED_SET(r->nr_forked, 0);
	}
	HS_NOTE_WRITE(r->nr_forked);
	if (r->nr_forked == DEV_RMAP_FORKED)
		sim_fail(HS_KIND_BUG, "model limit: pfn %#lx forked into more than %d mms",
			 hs_page_to_pfn(page), DEV_RMAP_FORKED);
	HS_NOTED_SET(r->forked[r->nr_forked], mm);
	sim_noted_store_n(&r->forked_addr[r->nr_forked], addr, __ATOMIC_RELAXED);
	r->nr_forked++;
}

/* The recorded mappings of @page (locked by the caller), or NULL (a RAM
 * page that no fork of its current life shared): a copy,
 * the addresses read with noted loads, since mremap() moves them without the
 * page lock (hs_dev_rmap_move()); the forked mms are written under the PTL
 * of the parent's entry, which readers take before they read them again. */
const struct hs_dev_rmap *hs_dev_rmap_get(struct hs_page *page, struct hs_dev_rmap *copy)
{
	const struct hs_dev_rmap *r;

	if (!(r = hs_dev_rmap_of(page)))
		return NULL;
	/* a RAM page's record is all about the fork that made it */
	if (!hs_is_zone_device_page(page) && HS_NOTED(r->gen) != hs_page_gen(page))
		return NULL;
	copy->mm = sim_noted_load_n(&r->mm, __ATOMIC_RELAXED);
	copy->addr = sim_noted_load_n(&r->addr, __ATOMIC_RELAXED);
	copy->gen = HS_NOTED(r->gen);
	copy->nr_forked = HS_NOTED(r->nr_forked);
	for (int i = 0; i < DEV_RMAP_FORKED; i++) {
		copy->forked[i] = HS_NOTED(r->forked[i]);
		copy->forked_addr[i] = sim_noted_load_n(&r->forked_addr[i], __ATOMIC_RELAXED);
	}
	return copy;
}

/**
 * hs_dev_rmap_copy() - the new page takes over the old one's mappings.
 * @dst: the page a migration moved @src's data to: locked, mapped nowhere yet
 * @src: the page it replaces, locked, every mapping a migration entry
 *
 * folio_migrate_mapping() gives the new folio the old one's anon_vma, so
 * remove_migration_ptes() and every later rmap walk of the new folio visit
 * the VMAs of every mm that mapped the old one.  The model copies the
 * record when it names mms fork() added (a page mapped once needs none
 * beyond hs_dev_rmap_set()); until session 29 the new page recorded only the
 * last mapping remove_migration_pte() made (a device page) or none (a RAM
 * page), so a later migration of a page both mms mapped found one of them.
 * Nobody else reaches @dst's record before its first pte is set.
 */
void hs_dev_rmap_copy(struct hs_page *dst, struct hs_page *src)
{
	struct hs_dev_rmap copy, *r;
	const struct hs_dev_rmap *s = hs_dev_rmap_get(src, &copy);

	if (!hs_dev_rmap_forked(s, src))
		return;
	r = dev_rmap_alloc(dst);
	HS_NOTED_SET(r->gen, hs_page_gen(dst));
	sim_noted_store_n(&r->mm, s->mm, __ATOMIC_RELAXED);
	sim_noted_store_n(&r->addr, s->addr, __ATOMIC_RELAXED);
	for (int i = 0; i < s->nr_forked; i++) {
		HS_NOTED_SET(r->forked[i], s->forked[i]);
		sim_noted_store_n(&r->forked_addr[i], s->forked_addr[i], __ATOMIC_RELAXED);
	}
	HS_NOTED_SET(r->nr_forked, s->nr_forked);
}

/*
 * The rmap walk against mremap(): the kernel's walk holds the anon_vma lock,
 * which move_ptes() takes too (take_rmap_locks(); "mm: fix race between
 * mremap and removing migration entry", v3.3), so it finds an entry at its
 * old or its new address, never neither.  The model's by-pfn walk reads
 * the record, then takes the PTL: when the pte it finds there is not the
 * page's, it asks whether mremap moved the record meanwhile (under that
 * PTL, so the move is complete) and walks again at the new address.  No
 * scheduling point unless it did move.
 */
bool hs_dev_rmap_moved(struct hs_page *page, struct hs_mm *mm, unsigned long addr)
{
	struct hs_dev_rmap now;
	unsigned long at;
	if (hs_switch.mremap_rmap_unlocked)
		return false; /* before v3.3: the walk misses the moved entry */
	/* the mapping of @mm (the migration's or a fork's) is elsewhere now */
	return hs_dev_rmap_addr(hs_dev_rmap_get(page, &now), page, mm, &at) && at != addr;
}
