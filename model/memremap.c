// SPDX-License-Identifier: MIT
/*
 * struct dev_pagemap lifetime and the pfn -> pagemap lookup
 * (mm/memremap.c, include/linux/memremap.h).
 *
 * The pagemap's percpu_ref is one atomic count: one initial reference plus one
 * per allocated page, plus the bias that lib/percpu-refcount.c's atomic
 * count carries while the ref is in percpu mode (PERCPU_COUNT_BIAS), which
 * the kill removes (percpu_ref_switch_to_atomic_rcu(), after a grace
 * period): no put can reach zero before it.  Simplified: no per-CPU
 * counters (a put in percpu mode subtracts from the one count, which comes
 * to the same sum), and the kill removes the bias with its own put, after
 * memunmap_pages()'s grace period.  Lookups run under RCU and
 * take a reference only while the pagemap is live (percpu_ref_tryget_live());
 * memunmap_pages() marks it dying, waits a grace period so no lookup can still
 * take a new reference, drops the initial reference and sleeps until the last
 * page is freed.
 *
 * Which accesses are annotated, and why: pgmap_lock (hs_machine) serialises
 * memremap/memunmap; what it protects is published with RCU primitives
 * (the slots) or read plain under it (the slots, the machine's nr_pages,
 * which hs_pfn_valid() reads without it, and the new range's pages): each
 * plain access is noted for dpor (HS_NOTED(), no scheduling point), so the
 * lock is marked sim_mutex_annotated() (model/page.c).
 */
#include <errno.h>
#include <hmmsim/page.h>

#include "internal.h"

/**
 * hs_memremap_pages() - memremap_pages(): give @pgmap a range of pfns.
 * @pgmap: the pagemap; its type, owner and ops set by the caller
 * @nr_pages: the size of the range
 *
 * The pfn range is carved from the machine's device space; its pages start
 * free (refcount 0), as ZONE_DEVICE pages do.
 *
 * Return: 0, -EINVAL (no pages, no type, a device-private pagemap without
 * page_free and migrate_to_ram, a device-coherent one without page_free or
 * owner) or -ENOMEM (no room for more pagemaps or pfns).
 */
int hs_memremap_pages(struct hs_dev_pagemap *pgmap, unsigned long nr_pages)
{
	struct hs_machine *m = hs_mach;
	int slot = -1, ret = 0;

	if (!nr_pages || !pgmap->type)
		return -EINVAL;
	if (pgmap->type == HS_MEMORY_DEVICE_PRIVATE &&
	    (!pgmap->ops || !pgmap->ops->page_free || !pgmap->ops->migrate_to_ram))
		return -EINVAL; /* the kernel WARNs and refuses the same */
	/* MEMORY_DEVICE_COHERENT: a page_free and an owner, no migrate_to_ram
	 * needed (the CPU maps the pages, it never faults on them) */
	if (pgmap->type == HS_MEMORY_DEVICE_COHERENT &&
	    (!pgmap->ops || !pgmap->ops->page_free || !pgmap->owner))
		return -EINVAL;
	sim_mutex_lock(&m->pgmap_lock);
	for (int i = 0; i < HS_MAX_PGMAPS; i++)
		if (!HS_NOTED(m->pgmap_slots[i])) {
			slot = i;
			break;
		}
	if (slot < 0 || HS_NOTED(m->nr_pages) + nr_pages > m->max_pages) {
		ret = -ENOMEM;
		goto out;
	}
	pgmap->start_pfn = m->nr_pages;
	pgmap->nr_pages = nr_pages;
	sim_atomic_init(&pgmap->ref, 1 + HS_PGMAP_REF_BIAS);
	pgmap->dying = 0;
	sim_noted_store_n(&pgmap->freed, 0, __ATOMIC_RELAXED);
	sim_init_completion(&pgmap->done, pgmap->name ? pgmap->name : "pgmap->done");
	for (unsigned long i = 0; i < nr_pages; i++) {
		struct hs_page *page = &m->pages[pgmap->start_pfn + i];
		HS_NOTED_SET(page->pgmap, pgmap);
		HS_NOTED_SET(page->content, HS_POISON);
		sim_bits_init(&page->flags, 1ul << HS_PG_FREE);
	}
	HS_NOTED_SET(m->nr_pages, m->nr_pages + nr_pages);
	sim_rcu_assign_pointer(m->pgmap_slots[slot], pgmap);
out:
	sim_mutex_unlock(&m->pgmap_lock);
	return ret;
}

/* percpu_ref_tryget_live(&pgmap->ref) */
static bool pgmap_tryget_live(struct hs_dev_pagemap *pgmap)
{
	/* The dead test and the increment are one RCU read-side section, so
	 * the grace period after percpu_ref_kill() in memunmap_pages() waits
	 * for a tryget that saw the ref live: none succeeds after it.  A
	 * section the caller already holds (get_dev_pagemap()) is the same
	 * section: nesting adds nothing, so it is not entered twice. */
	bool nested = sim_rcu_read_lock_held(), live;

	if (!nested)
		sim_rcu_read_lock();
	live = !SIM_READ_ONCE(pgmap->dying);
	if (live) /* this_cpu_inc(): no ordering (until session 28 an acquire) */
		sim_atomic_add(&pgmap->ref, 1, SIM_RELAXED);
	if (!nested)
		sim_rcu_read_unlock();
	return live;
}

/**
 * hs_get_dev_pagemap() - get_dev_pagemap(): the pagemap of @pfn, with a reference.
 * @pfn: any pfn
 *
 * An RCU lookup, as the kernel's xarray walk.
 *
 * Return: the live pagemap covering @pfn with a reference taken, or NULL (none,
 * or it is dying).
 */
struct hs_dev_pagemap *hs_get_dev_pagemap(unsigned long pfn)
{
	struct hs_dev_pagemap *found = NULL;

	sim_rcu_read_lock();
	for (int i = 0; i < HS_MAX_PGMAPS && !found; i++) {
		struct hs_dev_pagemap *p = sim_rcu_dereference(hs_mach->pgmap_slots[i]);
		if (p && pfn >= p->start_pfn && pfn < p->start_pfn + p->nr_pages)
			found = pgmap_tryget_live(p) ? p : NULL;
	}
	sim_rcu_read_unlock();
	hs_pgmap_check(found, "get_dev_pagemap()");
	return found;
}

/*
 * percpu_ref_put_many(): the last reference completes pgmap->done (the
 * pagemap's release, dev_pagemap_percpu_release()).  Ordering as the
 * kernel's: a put in percpu mode (this_cpu_sub()) orders nothing by itself,
 * but the switch to atomic mode sums the counts after a grace period, so
 * everything before it happens before the switch (here: a release, which
 * the switch's put acquires); in atomic mode the put is
 * atomic_long_sub_and_test(), fully ordered.  Until session 28 every put
 * was a release only, so the last put did not acquire the others.
 */
static void pgmap_ref_put(struct hs_dev_pagemap *pgmap, long nr)
{
	long n = sim_atomic_sub_return(&pgmap->ref, nr, SIM_RELEASE);
	if (n <= HS_PGMAP_REF_BIAS / 2) /* the switch's put, or one after it */
		sim_atomic_acquired(&pgmap->ref);
	/* In percpu mode (the bias still there) a put cannot reach zero in any
	 * order with the others: it commutes with every other such put, and
	 * only the kill's put, which removes the bias, is ordered with them.
	 * (A put after the kill that leaves the count above zero is not one:
	 * in another order it may be the one that reaches zero.) */
	if (n > HS_PGMAP_REF_BIAS / 2)
		sim_atomic_result_unused(&pgmap->ref);
	if (n < 0)
		sim_fail(HS_KIND_REFCOUNT, "%s: pagemap reference count below zero",
			 pgmap->name ? pgmap->name : "pgmap");
	if (n == 0)
		sim_complete_all(&pgmap->done);
}

long hs_dev_pagemap_refs(struct hs_dev_pagemap *pgmap)
{
	long ref = sim_noted_load_n(&pgmap->ref.v, __ATOMIC_RELAXED);
	/* percpu mode until the kill's put removes the bias */
	return ref > HS_PGMAP_REF_BIAS / 2 ? ref - HS_PGMAP_REF_BIAS : ref;
}

/**
 * hs_put_dev_pagemap() - put_dev_pagemap(): drop a reference on @pgmap.
 * @pgmap: the pagemap
 *
 * The last reference completes pgmap->done, which memunmap_pages() waits for.
 */
void hs_put_dev_pagemap(struct hs_dev_pagemap *pgmap)
{
	hs_pgmap_check(pgmap, "put_dev_pagemap() (the page_free path)");
	pgmap_ref_put(pgmap, 1);
}

/**
 * hs_zone_device_page_init() - zone_device_page_init(): a free device page is allocated.
 * @page: a free page of a device pagemap
 *
 * It becomes a locked page with refcount 1 (a migration destination) and
 * takes a reference on its pagemap.
 */
void hs_zone_device_page_init(struct hs_page *page)
{
	struct hs_dev_pagemap *pgmap = page->pgmap;

	if (!pgmap_tryget_live(pgmap))
		sim_fail(HS_KIND_BUG, "zone_device_page_init: pfn %#lx of a dying pagemap",
			 hs_page_to_pfn(page));
	if (hs_page_ref_count(page) != 0)
		sim_fail(HS_KIND_REFCOUNT, "zone_device_page_init: pfn %#lx is in use",
			 hs_page_to_pfn(page));
	sim_bits_store(&page->flags, 0, HS_PG_ALL, SIM_RELAXED);
	sim_atomic_store(&page->_refcount, 1, SIM_RELEASE);
	if (!hs_trylock_page(page))
		sim_fail(HS_KIND_BUG, "zone_device_page_init: pfn %#lx already locked",
			 hs_page_to_pfn(page));
}

/**
 * hs_memunmap_pages() - memunmap_pages(): tear @pgmap down.
 * @pgmap: a pagemap registered with hs_memremap_pages()
 *
 * memunmap_pages(): kill, wait for every page to be freed, unpublish.  Then
 * the caller frees the struct (kfree, devm): the model marks it freed for
 * the stale-pagemap oracle (hs_pgmap_check()), without a scheduling point.
 */
void hs_memunmap_pages(struct hs_dev_pagemap *pgmap)
{
	struct hs_machine *m = hs_mach;

	SIM_WRITE_ONCE(pgmap->dying, 1); /* percpu_ref_kill() */
	sim_synchronize_rcu();		 /* no lookup still about to take a ref */
	/* the switch to atomic mode removes the bias; the initial reference */
	pgmap_ref_put(pgmap, HS_PGMAP_REF_BIAS + 1);
	sim_wait_for_completion(&pgmap->done);

	sim_mutex_lock(&m->pgmap_lock);
	for (int i = 0; i < HS_MAX_PGMAPS; i++)
		if (HS_NOTED(m->pgmap_slots[i]) == pgmap)
			sim_rcu_assign_pointer(m->pgmap_slots[i], NULL);
	sim_mutex_unlock(&m->pgmap_lock);
	sim_synchronize_rcu();
	sim_noted_store_n(&pgmap->freed, 1, __ATOMIC_RELAXED); /* the driver's kfree() */
	if (sim_tracing())
		sim_note_free(pgmap, pgmap->name ? pgmap->name : "the pagemap");
}

/**
 * hs_pgmap_use_after_free() - report a use of a torn-down pagemap.
 * @pgmap: the pagemap memunmap_pages() returned for
 * @what: names the use in the report
 *
 * Not a kernel function: the report of the stale-pagemap oracle
 * (hs_pgmap_check(), model/internal.h).  Does not return.
 *
 */
void hs_pgmap_use_after_free(const struct hs_dev_pagemap *pgmap, const char *what)
{
	if (sim_tracing()) {
		sim_violation_fact("property: nothing uses a pagemap after memunmap_pages() "
				   "returned (use-after-free oracle, hs_pgmap_check())");
		sim_violation_fact_freed(pgmap, pgmap->name ? pgmap->name : "the pagemap");
	}
	sim_fail(HS_KIND_UAF, "%s: pagemap %s used after memunmap_pages() (pfns %#lx-%#lx)", what,
		 pgmap->name ? pgmap->name : "?", pgmap->start_pfn,
		 pgmap->start_pfn + pgmap->nr_pages - 1);
}

/* hs_pgmap_owner_match(): model/owner.c, as the owner policy says. */
