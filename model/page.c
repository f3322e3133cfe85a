// SPDX-License-Identifier: MIT
/*
 * struct page: references, the page lock, flags, mapping count and the
 * content word; the machine's pfn space and the RAM page allocator.
 * Mirrors include/linux/mm.h, include/linux/page_ref.h, mm/filemap.c (the
 * page lock and its hashed wait queues), mm/page_alloc.c (alloc/free).
 */
#include <hmmsim/hmm.h>
#include <hmmsim/mm.h>
#include <hmmsim/p2pdma.h>
#include <hmmsim/page.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct hs_machine *hs_mach;

/**
 * hs_pfn_to_page() - pfn_to_page(): the page of @pfn in the current machine.
 * @pfn:	a pfn below the machine's nr_pages (hs_pfn_valid())
 *
 * Return: the page (the machine's memory map is one array, as FLATMEM's).
 */
struct hs_page *hs_pfn_to_page(unsigned long pfn)
{
	return &hs_mach->pages[pfn];
}

/**
 * hs_page_to_pfn() - page_to_pfn(): the pfn of @page.
 * @page:	a page of the current machine
 *
 * Return: its index in the machine's memory map.
 */
unsigned long hs_page_to_pfn(const struct hs_page *page)
{
	return (unsigned long)(page - hs_mach->pages);
}

/**
 * hs_pfn_valid() - pfn_valid(): whether @pfn has a struct page.
 * @pfn:	any pfn
 *
 * Return: true for a pfn of system RAM or of a range memremap_pages() gave.
 */
bool hs_pfn_valid(unsigned long pfn)
{
	return pfn < HS_NOTED(hs_mach->nr_pages);
}

/* Oracle reads of the bits @mask: no scheduling point, safe on real threads too. */
static inline unsigned long flags_peek(const struct hs_page *page, unsigned long mask)
{
	return sim_noted_bits_load(&page->flags, mask, __ATOMIC_RELAXED);
}

/* The coverage events (internal.h's enum hs_cov_event), in its order. */
static const struct sim_cov_event_desc hs_cov_events[HS_COV__COUNT] = {
    [HS_COV_P2P_PFN] = {"p2p-pfn", "hmm_range_fault() returned a P2P pfn (get_p2p_page)"},
    [HS_COV_P2P_FALLBACK] = {"p2p-fallback", "get_p2p_page() or p2p_allow declined a P2P pfn"},
    [HS_COV_P2P_MAP_FAILURE] = {"p2p-map-failure",
				"a driver could not DMA-map a P2P pfn and faulted again"},
    [HS_COV_FAULT_MIGRATE] = {"fault-migrate-to-ram",
			      "hmm_range_fault() faulted a device-private page back to RAM"},
    [HS_COV_MIGRATE_MOVE] = {"migrate-move", "migrate_vma / migrate_device moved a page"},
    [HS_COV_EBUSY] = {"range-fault-ebusy", "hmm_range_fault() returned -EBUSY"},
    [HS_COV_READ_RETRY] = {"read-retry", "mmu_interval_read_retry() said retry"},
    [HS_COV_INVAL_MIRROR] = {"invalidate-mirror-hit",
			     "an invalidate callback cleared a valid mirror entry"},
};

void hs_p2p_stats_cover(const unsigned long *c)
{
	const struct hs_p2p_stats *s = &hs_p2p_stats;

	if (c == &s->p2p_pfns)
		sim_cover(HS_COV_P2P_PFN);
	else if (c == &s->fallbacks)
		sim_cover(HS_COV_P2P_FALLBACK);
	else if (c == &s->map_failures)
		sim_cover(HS_COV_P2P_MAP_FAILURE);
	else if (c == &s->migrations)
		sim_cover(HS_COV_FAULT_MIGRATE);
	else if (c == &s->ebusy)
		sim_cover(HS_COV_EBUSY);
	else if (c >= &s->moves_dev_to_dev && c <= &s->moves_ram_to_dev)
		sim_cover(HS_COV_MIGRATE_MOVE);
}

/**
 * hs_machine_init() - set up the memory of one simulated machine.
 * @nr_ram: system RAM pages (pfn 0 is the zero page; at least 2)
 * @max_device_pages: room for the pfn ranges of memremap_pages()
 *
 * Not a kernel function.  Allocates with sim_alloc(), so the machine lives
 * exactly as long as the execution; it becomes hs_mach.
 *
 * Return: the machine.
 */
struct hs_machine *hs_machine_init(unsigned long nr_ram, unsigned long max_device_pages)
{
	struct hs_machine *m = sim_alloc(sizeof(*m));

	if (nr_ram < 2)
		nr_ram = 2;
	m->max_pages = nr_ram + max_device_pages;
	m->pages = sim_alloc(m->max_pages * sizeof(*m->pages));
	m->nr_ram = m->nr_pages = nr_ram;
	m->ram_free = sim_alloc(nr_ram * sizeof(*m->ram_free));
	m->anon_rmap = sim_alloc(nr_ram * sizeof(*m->anon_rmap));
	sim_spin_init(&m->ram_lock, "zone->lock");
	sim_mutex_init(&m->pgmap_lock, "pgmap_lock");
	sim_mutex_annotated(&m->pgmap_lock); /* the slots, nr_pages (model/memremap.c) */
	sim_atomic_init(&m->owner_ids, 0);
	m->page_wq = sim_alloc(m->max_pages * sizeof(*m->page_wq));
	for (unsigned long pfn = 0; pfn < m->max_pages; pfn++)
		sim_waitqueue_init(&m->page_wq[pfn], "folio_waitqueue");

	/* pfn 0: the zero page, never freed */
	sim_atomic_init(&m->pages[0]._refcount, 1);
	sim_bits_init(&m->pages[0].flags, 1ul << HS_PG_ZERO | 1ul << HS_PG_UPTODATE);
	/* the free list pops the lowest pfn first: allocation is deterministic */
	for (unsigned long pfn = nr_ram - 1; pfn >= 1; pfn--) {
		sim_bits_init(&m->pages[pfn].flags, 1ul << HS_PG_FREE);
		m->pages[pfn].content = HS_POISON;
		m->ram_free[m->nr_ram_free++] = pfn;
	}
	/* the P2P RFC's counters (model/hmm.c) count per execution */
	memset(&hs_p2p_stats, 0, sizeof(hs_p2p_stats));
	sim_cover_declare(hs_cov_events, HS_COV__COUNT);
	hs_mach = m;
	return m;
}

/*
 * folio_waitqueue(): the kernel hashes folios into a table of shared queues,
 * and folio_wake_bit() wakes only the waiters whose key names the folio and
 * bit (wake_page_function()); the model gives each page a queue of its own,
 * which wakes the same waiters without the hash's unrelated scheduling points.
 */
static sim_waitqueue_t *page_waitqueue(struct hs_page *page)
{
	return &hs_mach->page_wq[hs_page_to_pfn(page)];
}

/* ---- references -------------------------------------------------------------- */

/**
 * hs_get_page() - get_page(): one more reference on @page.
 * @page: a page the caller already holds a reference on, or maps
 */
void hs_get_page(struct hs_page *page)
{
	long n = sim_atomic_add_return(&page->_refcount, 1, SIM_RELAXED);
	if (n <= 1)
		sim_fail(HS_KIND_REFCOUNT,
			 "get_page on pfn %#lx whose refcount was %ld (free page)",
			 hs_page_to_pfn(page), n - 1);
}

/**
 * hs_get_page_unless_zero() - get_page_unless_zero() / folio_try_get().
 * @page: any page
 *
 * Return: true with a reference taken; false for a page being freed (its
 * refcount is zero).
 */
bool hs_get_page_unless_zero(struct hs_page *page)
{
	long old = sim_atomic_load(&page->_refcount, SIM_RELAXED);
	while (old > 0)
		if (sim_atomic_cmpxchg(&page->_refcount, &old, old + 1, SIM_ACQUIRE))
			return true;
	return false;
}

/**
 * hs_page_ref_count() - page_ref_count().
 * @page: the page
 *
 * Return: its reference count (a relaxed load).
 */
long hs_page_ref_count(struct hs_page *page)
{
	return sim_atomic_load(&page->_refcount, SIM_RELAXED);
}

/*
 * The page is free now: poison it so a stale user is caught.  PG_free is
 * the oracle's bit, not the kernel's: it is set relaxed, so that it orders
 * nothing the kernel's free does not (the free list's lock orders the
 * page's next owner after the free, here as in the kernel).
 */
static void page_poison(struct hs_page *page)
{
	sim_noted_add(&page->gen, 1);
	SIM_WRITE_ONCE(page->content, HS_POISON);
	sim_bits_set(&page->flags, 1ul << HS_PG_FREE, SIM_RELAXED);
}

/* The facts of a use-after-free of @page (only while a report is built). */
static void page_uaf_facts(struct hs_page *page)
{
	char w[32];

	if (!sim_tracing())
		return;
	sim_violation_fact("property: nothing reaches a page after it was freed, through a "
			   "reference or a mapping made before (use-after-free oracle, "
			   "hs_page_check())");
	snprintf(w, sizeof(w), "pfn %#lx", hs_page_to_pfn(page));
	sim_violation_fact_freed(page, w);
	sim_violation_fact("page: pfn %#lx is now at generation %u, %s", hs_page_to_pfn(page),
			   (unsigned int)(hs_page_gen(page) & HS_PTE_GEN_MASK),
			   flags_peek(page, 1ul << HS_PG_FREE) ? "free" : "in use again");
}

/* free_unref_page(): back to the RAM free list (a page still in the swap
 * cache gives its slot back: delete_from_swap_cache()). */
static void free_ram_page(struct hs_page *page)
{
	struct hs_machine *m = hs_mach;
	hs_page_note_free(page);
	hs_swapcache_free(page);
	sim_bits_clear(&page->flags, HS_PG_ALL & ~(1ul << HS_PG_FREE), SIM_RELAXED);
	page_poison(page);
	sim_spin_lock(&m->ram_lock);
	m->ram_free[m->nr_ram_free++] = hs_page_to_pfn(page);
	sim_spin_unlock(&m->ram_lock);
}

/* free_zone_device_folio(): the driver gets its page back through
 * pgmap->ops->page_free(), and the page's pagemap reference is dropped. */
static void free_zone_device_page(struct hs_page *page)
{
	struct hs_dev_pagemap *pgmap = page->pgmap;
	hs_page_note_free(page);
	sim_bits_clear(&page->flags, HS_PG_ALL & ~(1ul << HS_PG_FREE), SIM_RELAXED);
	/* poisoned first: the driver may hand the page out again at once */
	page_poison(page);
	if (pgmap->ops && pgmap->ops->page_free)
		pgmap->ops->page_free(page);
	hs_put_dev_pagemap(pgmap);
}

/**
 * hs_put_page() - put_page() / folio_put(): drop a reference on @page.
 * @page: a page the caller holds a reference on
 *
 * The last reference frees it: a RAM page goes back to the free list, a
 * ZONE_DEVICE page to its pagemap's ops->page_free().
 */
void hs_put_page(struct hs_page *page)
{
	if (flags_peek(page, 1ul << HS_PG_ZERO))
		return; /* the zero page is not refcounted */
	long n = sim_atomic_sub_return(&page->_refcount, 1, SIM_RELEASE);
	if (n < 0)
		sim_fail(HS_KIND_REFCOUNT, "put_page on pfn %#lx took its refcount below zero",
			 hs_page_to_pfn(page));
	if (n > 0)
		return;
	long mapped = sim_noted_load_n(&page->_mapcount.v, __ATOMIC_RELAXED);
	if (mapped > 0)
		sim_fail(HS_KIND_BUG, "pfn %#lx freed while still mapped %ld times",
			 hs_page_to_pfn(page), mapped);
	if (flags_peek(page, 1ul << HS_PG_LOCKED))
		sim_fail(HS_KIND_BUG, "pfn %#lx freed while locked", hs_page_to_pfn(page));
	if (hs_is_zone_device_page(page))
		free_zone_device_page(page);
	else
		free_ram_page(page);
}

/*
 * rmqueue() and prep_new_page(): the next free RAM page, with refcount 1, its
 * accesses reported at @site (the caller's name, as before the split).  The
 * flags are set before the refcount is published (set_page_refcounted() is
 * prep_new_page()'s step after post_alloc_hook(); the free cleared them):
 * a speculative folio_try_get() and folio_trylock() of a stale pfn (the
 * device-exclusive fault's, swap-out's) that wins after the publication
 * keeps its lock.  Simplified: the kernel's user marks the page uptodate
 * after that (__folio_mark_uptodate(), a non-atomic bit set); here the
 * whole word is set first, in one step.
 */
static struct hs_page *rmqueue(const char *site)
{
	struct hs_machine *m = hs_mach;
	unsigned long pfn;

	sim_spin_lock_at(&m->ram_lock, site);
	if (!m->nr_ram_free) {
		sim_spin_unlock_at(&m->ram_lock, site);
		return NULL;
	}
	pfn = m->ram_free[--m->nr_ram_free];
	sim_spin_unlock_at(&m->ram_lock, site);

	struct hs_page *page = hs_pfn_to_page(pfn);
	sim_bits_store_at(&page->flags, 1ul << HS_PG_UPTODATE, HS_PG_ALL, SIM_RELEASE,
			  "&page->flags", site);
	sim_atomic_store_at(&page->_refcount, 1, SIM_RELAXED, "&page->_refcount", site);
	return page;
}

/**
 * hs_alloc_may_reclaim() - prepare_alloc_pages()'s lockdep annotation of an
 * allocation that may reclaim (__need_reclaim()): reclaim may invalidate
 * page tables, so a lock held here that an invalidation callback takes is
 * a lock-order cycle (lock_map_acquire() / lock_map_release() of
 * __mmu_notifier_invalidate_range_start_map).  The model's allocations do
 * not reclaim; the annotation is the whole of it.
 */
void hs_alloc_may_reclaim(void)
{
	hs_invalidate_map_instant();
}

/**
 * hs_alloc_page_nozero() - alloc_page(GFP_HIGHUSER): not zeroed.
 *
 * Return: a RAM page with refcount 1 that still holds what it held when it
 * was freed (HS_POISON), or NULL when none is free.
 */
struct hs_page *hs_alloc_page_nozero(void)
{
	hs_alloc_may_reclaim();
	return rmqueue(__func__);
}

/**
 * hs_alloc_page() - alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO).
 *
 * Return: a zeroed RAM page with refcount 1, or NULL when none is free.
 */
struct hs_page *hs_alloc_page(void)
{
	hs_alloc_may_reclaim();
	struct hs_page *page = rmqueue(__func__);
	if (page)
		SIM_WRITE_ONCE(page->content, 0ul);
	return page;
}

/* ---- the page lock ------------------------------------------------------------- */

/**
 * hs_trylock_page() - folio_trylock().
 * @page: the page
 *
 * Return: true when the caller now holds the page lock.
 */
bool hs_trylock_page(struct hs_page *page)
{
	return !sim_bits_fetch_or(&page->flags, 1ul << HS_PG_LOCKED, SIM_ACQUIRE);
}

/**
 * hs_lock_page() - folio_lock(): take the page lock, sleeping until it is free.
 * @page: the page
 *
 * Sleeps on the hashed page wait queue (folio_waitqueue()).
 */
void hs_lock_page(struct hs_page *page)
{
	while (!hs_trylock_page(page))
		sim_wait_event(page_waitqueue(page), !hs_page_locked(page));
}

/**
 * hs_unlock_page() - folio_unlock(): drop the page lock and wake its waiters.
 * @page: a page the caller locked
 */
void hs_unlock_page(struct hs_page *page)
{
	if (!sim_bits_fetch_andnot(&page->flags, 1ul << HS_PG_LOCKED, SIM_RELEASE))
		sim_fail(HS_KIND_BUG, "unlock_page of pfn %#lx, which is not locked",
			 hs_page_to_pfn(page));
	sim_wake_up_all(page_waitqueue(page));
}

/**
 * hs_page_locked() - folio_test_locked().
 * @page: the page
 *
 * Return: whether someone holds the page lock.
 */
bool hs_page_locked(struct hs_page *page)
{
	return sim_bits_load(&page->flags, 1ul << HS_PG_LOCKED, SIM_ACQUIRE);
}

/*
 * The two waits below are the kernel's non-exclusive page-lock waits
 * (folio_wait_bit_common() SHARED, migration_entry_wait_on_locked()): the
 * waiter is queued, and the check of PG_locked made, under the queue's lock
 * (sim_wait_prepare(), then the test: folio_trylock_flag()); it then sleeps
 * until the next folio_unlock() of this page wakes it (WQ_FLAG_WOKEN) and
 * returns, whether or not someone has locked the page again since; the
 * caller looks again (a fault retries).  Simplified: no psi or thrashing
 * accounting, no signals (TASK_UNINTERRUPTIBLE).
 */

/**
 * hs_folio_wait_locked() - folio_wait_locked(): wait for the next unlock.
 * @page: a page the caller holds a reference to
 *
 * Returns at once if @page is not locked; otherwise after the next
 * hs_unlock_page() of it, which may have been followed by another lock.
 */
void hs_folio_wait_locked(struct hs_page *page)
{
	sim_waitqueue_t *wq = page_waitqueue(page);
	uint64_t gen = sim_wait_prepare(wq);

	if (hs_page_locked(page))
		sim_wait_sleep_at(wq, gen, __func__);
}

/**
 * hs_migration_entry_wait_on_locked() - migration_entry_wait_on_locked().
 * @page: the page of the entry the caller found under @ptl
 * @ptl:  the page table lock, held; dropped here
 *
 * Queued on @page while @ptl still keeps its entry, and with it the page
 * lock, in place; then @ptl is dropped and the caller sleeps (its CPU's
 * work can run: hs_cpu_sleep_begin()) until the unlock wakes it.  No
 * reference is taken or needed: the unlock that ends the migration wakes
 * this waiter, so it never waits on a later user of the pfn.
 */
void hs_migration_entry_wait_on_locked(struct hs_page *page, sim_spinlock_t *ptl)
{
	sim_waitqueue_t *wq = page_waitqueue(page);
	uint64_t gen = sim_wait_prepare(wq);
	bool queued = hs_page_locked(page), busy;

	sim_spin_unlock(ptl);
	if (!queued)
		return;
	hs_cpu_sleep_begin(&busy);
	sim_wait_sleep_at(wq, gen, __func__);
	hs_cpu_sleep_end(busy);
}

/* ---- flags, rmap, content -------------------------------------------------------- */

/*
 * Which accesses are annotated, and why: page->flags is a sim_bits_t, and
 * every access of it, here and in the other model files, names the PG_ bits
 * it reads or changes (the lock's test-and-set and clear touch PG_locked
 * only, folio_mark_dirty() PG_dirty only; a store or clear of the whole word
 * names HS_PG_ALL), so dpor orders two of them only when they share a bit
 * (docs/dpor.md, "Bits of one word"); the oracle reads (flags_peek(),
 * hs_page_gen()) are noted, without a scheduling point.
 */

/**
 * hs_set_page_dirty() - folio_mark_dirty().
 * @page: the page
 */
void hs_set_page_dirty(struct hs_page *page)
{
	sim_bits_set(&page->flags, 1ul << HS_PG_DIRTY, SIM_RELAXED);
}

/**
 * hs_page_dirty() - folio_test_dirty().
 * @page: the page
 *
 * Return: whether PG_dirty is set.
 */
bool hs_page_dirty(struct hs_page *page)
{
	return sim_bits_load(&page->flags, 1ul << HS_PG_DIRTY, SIM_RELAXED);
}

/**
 * hs_page_add_rmap() - folio_add_anon_rmap_pte(): one more CPU mapping.
 * @page: the page a pte now maps
 */
void hs_page_add_rmap(struct hs_page *page)
{
	if (hs_is_zero_pfn(hs_page_to_pfn(page)))
		return;
	sim_atomic_add(&page->_mapcount, 1, SIM_RELAXED);
}

/**
 * hs_page_remove_rmap() - folio_remove_rmap_pte(): one CPU mapping fewer.
 * @page: the page a pte no longer maps
 *
 * A mapcount below zero is reported (HS_KIND_BUG).
 */
void hs_page_remove_rmap(struct hs_page *page)
{
	if (hs_is_zero_pfn(hs_page_to_pfn(page)))
		return;
	if (sim_atomic_sub_return(&page->_mapcount, 1, SIM_RELAXED) < 0)
		sim_fail(HS_KIND_BUG, "mapcount of pfn %#lx below zero", hs_page_to_pfn(page));
}

/**
 * hs_page_mapcount() - folio_mapcount().
 * @page: the page
 *
 * Return: the number of CPU ptes mapping it.
 */
long hs_page_mapcount(struct hs_page *page)
{
	return sim_atomic_load(&page->_mapcount, SIM_RELAXED);
}

/**
 * hs_page_check() - the use-after-free oracle (not a kernel function).
 * @page: the page the caller holds or reads through a mapping
 * @gen: the generation it saw when it took its reference or read the mapping
 * @what: names the access in the report
 *
 * Reports HS_KIND_UAF when @page was freed since.  An oracle read: no
 * scheduling point.
 */
void hs_page_check(struct hs_page *page, uint32_t gen, const char *what)
{
	if (((hs_page_gen(page) ^ gen) & HS_PTE_GEN_MASK) != 0 ||
	    (flags_peek(page, 1ul << HS_PG_FREE))) {
		page_uaf_facts(page);
		if (sim_tracing())
			sim_violation_fact("reference: taken when the page was at generation %u",
					   (unsigned int)(gen & HS_PTE_GEN_MASK));
		sim_fail(HS_KIND_UAF, "%s: pfn %#lx was freed after the reference was taken", what,
			 hs_page_to_pfn(page));
	}
}

/**
 * hs_page_read() - the content of @page: a marked load.
 * @page: the page
 *
 * The data of a page is user memory: the CPU and devices may touch it at the
 * same time (a DMA racing a store is not a kernel data race), so these are
 * marked accesses.  What the oracles check is which page they reach.
 *
 * Return: its content word.  A read of a freed page is reported (HS_KIND_UAF).
 */
unsigned long hs_page_read(struct hs_page *page)
{
	unsigned long v = SIM_READ_ONCE(page->content);
	if (flags_peek(page, 1ul << HS_PG_FREE)) {
		page_uaf_facts(page);
		sim_fail(HS_KIND_UAF, "read of freed pfn %#lx", hs_page_to_pfn(page));
	}
	return v;
}

/**
 * hs_page_write() - store @v as the content of @page: a marked store.
 * @page: the page
 * @v: the new content
 */
void hs_page_write(struct hs_page *page, unsigned long v)
{
	if (flags_peek(page, 1ul << HS_PG_FREE)) {
		page_uaf_facts(page);
		sim_fail(HS_KIND_UAF, "write to freed pfn %#lx", hs_page_to_pfn(page));
	}
	SIM_WRITE_ONCE(page->content, v);
}

/**
 * hs_copy_page() - copy_highpage(): @dst gets @src's content.
 * @dst: the destination page
 * @src: the source page
 */
void hs_copy_page(struct hs_page *dst, struct hs_page *src)
{
	hs_page_write(dst, hs_page_read(src));
}

/**
 * hs_machine_check_leaks() - the refcount-leak oracle (not a kernel function).
 *
 * For the end of a scenario: every page that is not free holds exactly one
 * reference per mapping (a CPU pte or a device-private entry), and a BAR
 * page in use its allocation's one more; an extra
 * reference nobody will drop is a leak (HS_KIND_LEAK), and so is a dev_pagemap
 * reference beyond its initial one and its pages'.
 *
 */
void hs_machine_check_leaks(void)
{
	struct hs_machine *m = hs_mach;
	for (unsigned long pfn = 1; pfn < m->nr_pages; pfn++) {
		struct hs_page *page = &m->pages[pfn];
		long refs = sim_noted_load_n(&page->_refcount.v, __ATOMIC_RELAXED);
		long maps = sim_noted_load_n(&page->_mapcount.v, __ATOMIC_RELAXED);
		unsigned long flags = flags_peek(page, 1ul << HS_PG_FREE | 1ul << HS_PG_LOCKED);
		if (flags & (1l << HS_PG_FREE))
			continue;
		if (flags & (1l << HS_PG_LOCKED))
			sim_fail(HS_KIND_LEAK, "pfn %#lx is still locked at the end", pfn);
		/* a BAR page in use holds pci_alloc_p2pmem()'s reference until
		 * pci_free_p2pmem() (until session 27 that was a false leak
		 * while the exporter lived: tests/scenarios/p2p-read-leaks.hsc) */
		long held = hs_is_pci_p2pdma_page(page);
		if (refs != maps + held)
			sim_fail(HS_KIND_LEAK,
				 "pfn %#lx has %ld references but %ld mappings%s at the end: a "
				 "reference was never dropped",
				 pfn, refs, maps, held ? " and its BAR allocation" : "");
	}
	for (int i = 0; i < HS_MAX_PGMAPS; i++) {
		struct hs_dev_pagemap *pgmap = m->pgmap_slots[i];
		long in_use = 0;
		if (!pgmap)
			continue;
		for (unsigned long p = 0; p < pgmap->nr_pages; p++)
			in_use += !(flags_peek(&m->pages[pgmap->start_pfn + p], 1ul << HS_PG_FREE));
		long want = in_use + !sim_noted_load_n(&pgmap->dying, __ATOMIC_RELAXED);
		long ref = hs_dev_pagemap_refs(pgmap);
		if (ref != want)
			sim_fail(HS_KIND_LEAK, "%s holds %ld references, %ld expected at the end",
				 pgmap->name ? pgmap->name : "a dev_pagemap", ref, want);
	}
}
