// SPDX-License-Identifier: MIT
/*
 * struct page: references, the page lock, flags, mapping count and the
 * content word; the machine's pfn space and the RAM page allocator.
 * Mirrors include/linux/mm.h, include/linux/page_ref.h, mm/filemap.c (the
 * page lock and its hashed wait queues), mm/page_alloc.c (alloc/free).
 */
#include <hmmsim/hmm.h>
#include <hmmsim/mm.h>
#include <hmmsim/page.h>
#include <stdio.h>
#include <string.h>

struct hs_machine *hs_mach;

/* Oracle reads: no scheduling point, safe on real threads too. */
static inline long flags_peek(const struct hs_page *page)
{
	return (sim_note_access(&page->flags.v, false), __atomic_load_n(&page->flags.v, __ATOMIC_RELAXED));
}

/* Not a kernel function: the memory of one simulated machine (page.h). */
struct hs_machine *hs_machine_init(unsigned long nr_ram, unsigned long max_device_pages)
{
	struct hs_machine *m = sim_alloc(sizeof(*m));

	if (nr_ram < 2)
		nr_ram = 2;
	m->max_pages = nr_ram + max_device_pages;
	m->pages = sim_alloc(m->max_pages * sizeof(*m->pages));
	m->nr_ram = m->nr_pages = nr_ram;
	m->ram_free = sim_alloc(nr_ram * sizeof(*m->ram_free));
	sim_spin_init(&m->ram_lock, "zone->lock");
	sim_mutex_init(&m->pgmap_lock, "pgmap_lock");
	sim_atomic_init(&m->owner_ids, 0);
	for (unsigned int i = 0; i < sizeof(m->page_wq) / sizeof(m->page_wq[0]); i++)
		sim_waitqueue_init(&m->page_wq[i], "folio_waitqueue");

	/* pfn 0: the zero page, never freed */
	sim_atomic_init(&m->pages[0]._refcount, 1);
	sim_atomic_init(&m->pages[0].flags, 1l << HS_PG_ZERO | 1l << HS_PG_UPTODATE);
	/* the free list pops the lowest pfn first: allocation is deterministic */
	for (unsigned long pfn = nr_ram - 1; pfn >= 1; pfn--) {
		sim_atomic_init(&m->pages[pfn].flags, 1l << HS_PG_FREE);
		m->pages[pfn].content = HS_POISON;
		m->ram_free[m->nr_ram_free++] = pfn;
	}
	/* the P2P RFC's counters (model/hmm.c) count per execution */
	memset(&hs_p2p_stats, 0, sizeof(hs_p2p_stats));
	hs_mach = m;
	return m;
}

static sim_waitqueue_t *page_waitqueue(struct hs_page *page)
{
	/* folio_waitqueue() hashes the folio address; we hash the pfn, which
	 * is the same on every run (addresses are not). */
	return &hs_mach->page_wq[hs_page_to_pfn(page) % 16];
}

/* ---- references -------------------------------------------------------------- */

/* get_page(): the caller must already own a reference or a mapping. */
void hs_get_page(struct hs_page *page)
{
	long n = sim_atomic_add_return(&page->_refcount, 1, SIM_RELAXED);
	if (n <= 1)
		sim_fail(HS_KIND_REFCOUNT,
			 "get_page on pfn %#lx whose refcount was %ld (free page)",
			 hs_page_to_pfn(page), n - 1);
}

/* get_page_unless_zero() / folio_try_get(): fails on a page being freed. */
bool hs_get_page_unless_zero(struct hs_page *page)
{
	long old = sim_atomic_load(&page->_refcount, SIM_RELAXED);
	while (old > 0)
		if (sim_atomic_cmpxchg(&page->_refcount, &old, old + 1, SIM_ACQUIRE))
			return true;
	return false;
}

/* page_ref_count() */
long hs_page_ref_count(struct hs_page *page)
{
	return sim_atomic_load(&page->_refcount, SIM_RELAXED);
}

/* The page is free now: poison it so a stale user is caught. */
static void page_poison(struct hs_page *page)
{
	(sim_note_access(&page->gen, true), __atomic_add_fetch(&page->gen, 1, __ATOMIC_RELAXED));
	SIM_WRITE_ONCE(page->content, HS_POISON);
	sim_atomic_fetch_or(&page->flags, 1l << HS_PG_FREE, SIM_RELEASE);
}

/* free_unref_page(): back to the RAM free list (a page still in the swap
 * cache gives its slot back: delete_from_swap_cache()). */
static void free_ram_page(struct hs_page *page)
{
	struct hs_machine *m = hs_mach;
	hs_swapcache_free(page);
	sim_atomic_fetch_and(&page->flags, 1l << HS_PG_FREE, SIM_RELAXED);
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
	sim_atomic_fetch_and(&page->flags, 1l << HS_PG_FREE, SIM_RELAXED);
	/* poisoned first: the driver may hand the page out again at once */
	page_poison(page);
	if (pgmap->ops && pgmap->ops->page_free)
		pgmap->ops->page_free(page);
	hs_put_dev_pagemap(pgmap);
}

/* put_page() / folio_put(): the last reference frees the page. */
void hs_put_page(struct hs_page *page)
{
	if (flags_peek(page) & (1l << HS_PG_ZERO))
		return; /* the zero page is not refcounted */
	long n = sim_atomic_sub_return(&page->_refcount, 1, SIM_RELEASE);
	if (n < 0)
		sim_fail(HS_KIND_REFCOUNT, "put_page on pfn %#lx took its refcount below zero",
			 hs_page_to_pfn(page));
	if (n > 0)
		return;
	long mapped = (sim_note_access(&page->_mapcount.v, false), (sim_note_access(&page->_mapcount.v, false), __atomic_load_n(&page->_mapcount.v, __ATOMIC_RELAXED)));
	if (mapped > 0)
		sim_fail(HS_KIND_BUG, "pfn %#lx freed while still mapped %ld times",
			 hs_page_to_pfn(page), mapped);
	if (flags_peek(page) & (1l << HS_PG_LOCKED))
		sim_fail(HS_KIND_BUG, "pfn %#lx freed while locked", hs_page_to_pfn(page));
	if (hs_is_zone_device_page(page))
		free_zone_device_page(page);
	else
		free_ram_page(page);
}

/* alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO): zeroed, refcount 1. */
struct hs_page *hs_alloc_page(void)
{
	struct hs_machine *m = hs_mach;
	unsigned long pfn;

	sim_spin_lock(&m->ram_lock);
	if (!m->nr_ram_free) {
		sim_spin_unlock(&m->ram_lock);
		return NULL;
	}
	pfn = m->ram_free[--m->nr_ram_free];
	sim_spin_unlock(&m->ram_lock);

	struct hs_page *page = hs_pfn_to_page(pfn);
	sim_atomic_store(&page->_refcount, 1, SIM_RELAXED);
	sim_atomic_store(&page->flags, 1l << HS_PG_UPTODATE, SIM_RELEASE);
	SIM_WRITE_ONCE(page->content, 0ul);
	return page;
}

/* ---- the page lock ------------------------------------------------------------- */

/* folio_trylock() */
bool hs_trylock_page(struct hs_page *page)
{
	return !(sim_atomic_fetch_or(&page->flags, 1l << HS_PG_LOCKED, SIM_ACQUIRE) &
		 (1l << HS_PG_LOCKED));
}

/* folio_lock(): sleep on the hashed wait queue until the bit is ours. */
void hs_lock_page(struct hs_page *page)
{
	while (!hs_trylock_page(page))
		sim_wait_event(page_waitqueue(page), !hs_page_locked(page));
}

/* folio_unlock() */
void hs_unlock_page(struct hs_page *page)
{
	long old = sim_atomic_fetch_and(&page->flags, ~(1l << HS_PG_LOCKED), SIM_RELEASE);
	if (!(old & (1l << HS_PG_LOCKED)))
		sim_fail(HS_KIND_BUG, "unlock_page of pfn %#lx, which is not locked",
			 hs_page_to_pfn(page));
	sim_wake_up_all(page_waitqueue(page));
}

/* folio_test_locked() */
bool hs_page_locked(struct hs_page *page)
{
	return sim_atomic_load(&page->flags, SIM_ACQUIRE) & (1l << HS_PG_LOCKED);
}

/* folio_wait_locked() / migration_entry_wait_on_locked(): no reference held. */
void hs_wait_on_page_locked(struct hs_page *page)
{
	sim_wait_event(page_waitqueue(page), !hs_page_locked(page));
}

/* ---- flags, rmap, content -------------------------------------------------------- */

/* folio_mark_dirty() */
void hs_set_page_dirty(struct hs_page *page)
{
	sim_atomic_fetch_or(&page->flags, 1l << HS_PG_DIRTY, SIM_RELAXED);
}

/* folio_test_dirty() */
bool hs_page_dirty(struct hs_page *page)
{
	return sim_atomic_load(&page->flags, SIM_RELAXED) & (1l << HS_PG_DIRTY);
}

/* folio_add_anon_rmap_pte() */
void hs_page_add_rmap(struct hs_page *page)
{
	if (hs_is_zero_pfn(hs_page_to_pfn(page)))
		return;
	sim_atomic_add_return(&page->_mapcount, 1, SIM_RELAXED);
}

/* folio_remove_rmap_pte() */
void hs_page_remove_rmap(struct hs_page *page)
{
	if (hs_is_zero_pfn(hs_page_to_pfn(page)))
		return;
	if (sim_atomic_sub_return(&page->_mapcount, 1, SIM_RELAXED) < 0)
		sim_fail(HS_KIND_BUG, "mapcount of pfn %#lx below zero", hs_page_to_pfn(page));
}

/* folio_mapcount() */
long hs_page_mapcount(struct hs_page *page)
{
	return sim_atomic_load(&page->_mapcount, SIM_RELAXED);
}

/* Not a kernel function: the use-after-free oracle (see page.h). */
void hs_page_check(struct hs_page *page, uint32_t gen, const char *what)
{
	if (((hs_page_gen(page) ^ gen) & HS_PTE_GEN_MASK) != 0 ||
	    (flags_peek(page) & (1l << HS_PG_FREE)))
		sim_fail(HS_KIND_UAF, "%s: pfn %#lx was freed after the reference was taken", what,
			 hs_page_to_pfn(page));
}

/*
 * The data of a page is user memory: the CPU and devices may touch it at the
 * same time (a DMA racing a store is not a kernel data race), so these are
 * marked accesses.  What the oracles check is which page they reach.
 */
unsigned long hs_page_read(struct hs_page *page)
{
	unsigned long v = SIM_READ_ONCE(page->content);
	if (flags_peek(page) & (1l << HS_PG_FREE))
		sim_fail(HS_KIND_UAF, "read of freed pfn %#lx", hs_page_to_pfn(page));
	return v;
}

void hs_page_write(struct hs_page *page, unsigned long v)
{
	if (flags_peek(page) & (1l << HS_PG_FREE))
		sim_fail(HS_KIND_UAF, "write to freed pfn %#lx", hs_page_to_pfn(page));
	SIM_WRITE_ONCE(page->content, v);
}

/* copy_highpage() */
void hs_copy_page(struct hs_page *dst, struct hs_page *src)
{
	hs_page_write(dst, hs_page_read(src));
}

/* Not a kernel function: the refcount-leak oracle (page.h). */
void hs_machine_check_leaks(void)
{
	struct hs_machine *m = hs_mach;
	for (unsigned long pfn = 1; pfn < m->nr_pages; pfn++) {
		struct hs_page *page = &m->pages[pfn];
		long refs = (sim_note_access(&page->_refcount.v, false), (sim_note_access(&page->_refcount.v, false), __atomic_load_n(&page->_refcount.v, __ATOMIC_RELAXED)));
		long maps = (sim_note_access(&page->_mapcount.v, false), (sim_note_access(&page->_mapcount.v, false), __atomic_load_n(&page->_mapcount.v, __ATOMIC_RELAXED)));
		long flags = flags_peek(page);
		if (flags & (1l << HS_PG_FREE))
			continue;
		if (flags & (1l << HS_PG_LOCKED))
			sim_fail(HS_KIND_LEAK, "pfn %#lx is still locked at the end", pfn);
		if (refs != maps)
			sim_fail(HS_KIND_LEAK,
				 "pfn %#lx has %ld references but %ld mappings at the end: a "
				 "reference was never dropped",
				 pfn, refs, maps);
	}
	for (int i = 0; i < HS_MAX_PGMAPS; i++) {
		struct hs_dev_pagemap *pgmap = m->pgmap_slots[i];
		long in_use = 0;
		if (!pgmap)
			continue;
		for (unsigned long p = 0; p < pgmap->nr_pages; p++)
			in_use +=
			    !(flags_peek(&m->pages[pgmap->start_pfn + p]) & (1l << HS_PG_FREE));
		long want = in_use + !(sim_note_access(&pgmap->dying, false), __atomic_load_n(&pgmap->dying, __ATOMIC_RELAXED));
		long ref = (sim_note_access(&pgmap->ref.v, false), __atomic_load_n(&pgmap->ref.v, __ATOMIC_RELAXED));
		if (ref != want)
			sim_fail(HS_KIND_LEAK, "%s holds %ld references, %ld expected at the end",
				 pgmap->name ? pgmap->name : "a dev_pagemap", ref, want);
	}
}
