// SPDX-License-Identifier: MIT
/*
 * page / pagemap suite: references, the page lock, freeing and poisoning,
 * use-after-free detection, dev_pagemap lifetime (memunmap_pages waits for
 * every page reference), the RCU pfn lookup.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h" /* model/internal.h: hs_migration_entry_wait_on_locked() */
#include "model_helpers.h"

static void refcount_main(void *arg)
{
	hs_machine_init(8, 0);
	struct hs_page *p = hs_alloc_page();
	sim_check(p && hs_page_ref_count(p) == 1, "alloc gives refcount 1");
	sim_check(hs_page_read(p) == 0, "alloc gives a zeroed page");
	hs_get_page(p);
	hs_put_page(p);
	sim_check(hs_page_ref_count(p) == 1, "get/put balance");
	uint32_t gen = p->gen;
	hs_put_page(p); /* freed */
	sim_check(p->gen != gen, "free bumps the generation");
	sim_check(!hs_get_page_unless_zero(p), "get_page_unless_zero on a free page");
	struct hs_page *q = hs_alloc_page();
	sim_check(q == p, "the free list hands the freed page out again");
	hs_page_check(q, gen, "stale reference"); /* must fail: use-after-free */
}

static void test_refcount_and_uaf(void)
{
	EXPECT_EQ_STR(run_once(refcount_main), HS_KIND_UAF);
}

static void double_put_main(void *arg)
{
	hs_machine_init(8, 0);
	struct hs_page *p = hs_alloc_page();
	hs_put_page(p);
	hs_put_page(p);
}

static void test_double_put(void)
{
	EXPECT_EQ_STR(run_once(double_put_main), HS_KIND_REFCOUNT);
}

static void read_freed_main(void *arg)
{
	hs_machine_init(8, 0);
	struct hs_page *p = hs_alloc_page();
	hs_page_write(p, 42);
	hs_put_page(p);
	(void)hs_page_read(p);
}

static void test_read_freed(void)
{
	EXPECT_EQ_STR(run_once(read_freed_main), HS_KIND_UAF);
}

/* ---- the page lock: exclusion on every schedule ---------------------------- */

struct lockctx {
	struct hs_page *page;
	int inside;
};

static void locker(void *arg)
{
	struct lockctx *c = arg;
	hs_lock_page(c->page);
	SIM_PLAIN_WRITE(c->inside, SIM_PLAIN_READ(c->inside) + 1);
	sim_check(SIM_PLAIN_READ(c->inside) == 1, "two holders of one page lock");
	SIM_PLAIN_WRITE(c->inside, SIM_PLAIN_READ(c->inside) - 1);
	hs_unlock_page(c->page);
}

static void page_lock_main(void *arg)
{
	struct lockctx *c = sim_alloc(sizeof(*c));
	hs_machine_init(8, 0);
	c->page = hs_alloc_page();
	int a = sim_thread_spawn("a", locker, c);
	int b = sim_thread_spawn("b", locker, c);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_check(!hs_page_locked(c->page), "page left locked");
	sim_check(hs_trylock_page(c->page), "trylock of a free lock");
	sim_check(!hs_trylock_page(c->page), "trylock of a held lock");
	hs_unlock_page(c->page);
}

static void test_page_lock(void)
{
	struct sim_scenario sc = SCENARIO("t-pagelock", page_lock_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, 1000000, 2, 0);
	EXPECT_EQ_U64(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void unlock_unlocked_main(void *arg)
{
	hs_machine_init(8, 0);
	hs_unlock_page(hs_alloc_page());
}

static void test_unlock_unlocked(void)
{
	EXPECT_EQ_STR(run_once(unlock_unlocked_main), HS_KIND_BUG);
}

/* ---- the wait for a migration entry: queued under the PTL ------------------ */

/*
 * A migration ends: under the PTL its entry goes (@entry = 0), then the page
 * is unlocked; the migrator then locks the page again and, holding it, waits
 * for the faulting thread.  The fault saw the entry under the PTL and waits
 * for the page.  In the kernel (migration_entry_wait_on_locked()) the waiter
 * is queued before the PTL is dropped, so the unlock that follows the
 * entry's removal wakes it, and it returns even though the page is locked
 * again: never a deadlock.  A waiter that queues only after dropping the PTL
 * and sleeps until it finds the page unlocked (the model before session 25)
 * sleeps through that unlock when the relock comes first: a deadlock the
 * kernel cannot have.
 */
struct mewait {
	struct hs_page *page;
	sim_spinlock_t ptl;
	int entry; /* under ptl: the migration entry is installed */
	sim_completion_t done;
	bool late_queue; /* the planted bug: queue after dropping the PTL */
};

static void mewait_fault(void *arg)
{
	struct mewait *w = arg;

	sim_spin_lock(&w->ptl);
	if (!SIM_PLAIN_READ(w->entry)) {
		sim_spin_unlock(&w->ptl);
	} else if (w->late_queue) {
		sim_spin_unlock(&w->ptl);
		do
			hs_folio_wait_locked(w->page);
		while (hs_page_locked(w->page));
	} else {
		hs_migration_entry_wait_on_locked(w->page, &w->ptl);
	}
	sim_complete(&w->done);
}

static void mewait_migrator(void *arg)
{
	struct mewait *w = arg;

	sim_spin_lock(&w->ptl);
	SIM_PLAIN_WRITE(w->entry, 0); /* remove_migration_ptes() */
	sim_spin_unlock(&w->ptl);
	hs_unlock_page(w->page);
	hs_lock_page(w->page);
	sim_wait_for_completion(&w->done);
	hs_unlock_page(w->page);
}

static void mewait_main(void *arg)
{
	struct mewait *w = sim_alloc(sizeof(*w));

	hs_machine_init(8, 0);
	w->page = hs_alloc_page();
	w->late_queue = arg != NULL;
	sim_spin_init(&w->ptl, "ptl");
	sim_init_completion(&w->done, "fault done");
	sim_check(hs_trylock_page(w->page), "a new page is unlocked");
	w->entry = 1;
	int f = sim_thread_spawn("fault", mewait_fault, w);
	int m = sim_thread_spawn("migrator", mewait_migrator, w);
	sim_thread_join(f);
	sim_thread_join(m);
}

static void test_migration_entry_wait(void)
{
	struct sim_scenario fixed = SCENARIO("t-mewait", mewait_main);
	struct sim_scenario bug = SCENARIO("t-mewait-late", mewait_main, .arg = (void *)1);
	struct sim_result r = run(&fixed, SIM_STRATEGY_DFS, 1000000, 100, 0);

	EXPECT_EQ_U64(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	r = run(&bug, SIM_STRATEGY_DFS, 1000000, 100, 0);
	EXPECT_EQ_STR(first_kind(&r), SIM_KIND_DEADLOCK);
	sim_result_free(&r);
}

/* ---- dev_pagemap ---------------------------------------------------------------- */

static int freed_pages;

static void count_free(struct hs_page *page)
{
	freed_pages++;
}

static unsigned int no_migrate(struct hs_vm_fault *vmf)
{
	return HS_VM_FAULT_SIGBUS;
}

static const struct hs_dev_pagemap_ops test_ops = {
    .page_free = count_free,
    .migrate_to_ram = no_migrate,
};

static struct hs_dev_pagemap *new_pgmap(unsigned long n)
{
	struct hs_dev_pagemap *pg = sim_alloc(sizeof(*pg));
	pg->type = HS_MEMORY_DEVICE_PRIVATE;
	pg->ops = &test_ops;
	pg->name = "pgmap";
	sim_check(hs_memremap_pages(pg, n) == 0, "memremap_pages failed");
	return pg;
}

static void pgmap_main(void *arg)
{
	hs_machine_init(8, 16);
	struct hs_dev_pagemap *pg = new_pgmap(4);
	sim_check(pg->start_pfn == 8, "device pfns follow RAM (got %#lx)", pg->start_pfn);
	struct hs_page *p = hs_pfn_to_page(pg->start_pfn + 1);
	sim_check(hs_is_device_private_page(p), "device-private page");
	sim_check(hs_get_dev_pagemap(pg->start_pfn + 3) == pg, "lookup finds the pagemap");
	hs_put_dev_pagemap(pg);
	sim_check(hs_get_dev_pagemap(3) == NULL, "RAM has no pagemap");
	hs_zone_device_page_init(p);
	sim_check(hs_page_ref_count(p) == 1 && hs_page_locked(p), "init: refcount 1, locked");
	hs_unlock_page(p);
	freed_pages = 0;
	hs_put_page(p);
	sim_check(freed_pages == 1, "page_free called once (got %d)", freed_pages);
	hs_memunmap_pages(pg);
	sim_check(hs_get_dev_pagemap(pg->start_pfn) == NULL, "no lookup after memunmap");
	struct hs_dev_pagemap bad = {.type = HS_MEMORY_DEVICE_PRIVATE};
	sim_check(hs_memremap_pages(&bad, 4) == -EINVAL, "device private needs ops");
}

static void test_pgmap_lifetime(void)
{
	EXPECT_EQ_STR(run_once(pgmap_main), "");
}

/* memunmap_pages() sleeps until the last page reference is gone. */
struct unmapctx {
	struct hs_dev_pagemap *pg;
	struct hs_page *page;
	int released;
};

static void holder(void *arg)
{
	struct unmapctx *c = arg;
	sim_yield();
	SIM_WRITE_ONCE(c->released, 1);
	hs_put_page(c->page);
}

static void unmapper(void *arg)
{
	struct unmapctx *c = arg;
	hs_memunmap_pages(c->pg);
	sim_check(SIM_READ_ONCE(c->released), "memunmap_pages returned while a page was in use");
}

static void unmap_wait_main(void *arg)
{
	struct unmapctx *c = sim_alloc(sizeof(*c));
	hs_machine_init(8, 16);
	c->pg = new_pgmap(2);
	c->page = hs_pfn_to_page(c->pg->start_pfn);
	hs_zone_device_page_init(c->page);
	hs_unlock_page(c->page);
	int a = sim_thread_spawn("holder", holder, c);
	int b = sim_thread_spawn("unmapper", unmapper, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_memunmap_waits(void)
{
	struct sim_scenario sc = SCENARIO("t-unmapwait", unmap_wait_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, 1000000, 2, 0);
	EXPECT_EQ_U64(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s\n", r.reports[0].message);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void alloc_from_dead_main(void *arg)
{
	hs_machine_init(8, 16);
	struct hs_dev_pagemap *pg = new_pgmap(2);
	hs_memunmap_pages(pg);
	hs_zone_device_page_init(hs_pfn_to_page(pg->start_pfn));
}

static void test_alloc_from_dying(void)
{
	EXPECT_EQ_STR(run_once(alloc_from_dead_main), HS_KIND_BUG);
}

/*
 * zone_device_page_init() racing memunmap_pages(): percpu_ref_tryget_live()
 * reads the dead flag and increments inside an RCU read-side section, and
 * percpu_ref_kill() is followed by a grace period, so the allocation either
 * gets its reference before the kill (memunmap_pages() then waits for the
 * page) or sees the pagemap dead (the kernel's WARN, a kernel-bug report).
 * It never gets a reference after memunmap_pages() returned.
 */
static void late_alloc(void *arg)
{
	struct unmapctx *c = arg;
	hs_zone_device_page_init(c->page);
	sim_check(!__atomic_load_n(&c->pg->freed, __ATOMIC_RELAXED),
		  "zone_device_page_init took a reference after memunmap_pages() returned");
	hs_unlock_page(c->page);
	hs_put_page(c->page);
}

static void unmap_only(void *arg)
{
	struct unmapctx *c = arg;
	hs_memunmap_pages(c->pg);
}

static void init_vs_unmap_main(void *arg)
{
	struct unmapctx *c = sim_alloc(sizeof(*c));
	hs_machine_init(8, 16);
	c->pg = new_pgmap(2);
	c->page = hs_pfn_to_page(c->pg->start_pfn);
	int a = sim_thread_spawn("alloc", late_alloc, c);
	int b = sim_thread_spawn("unmapper", unmap_only, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_init_vs_memunmap(void)
{
	struct sim_scenario sc = SCENARIO("t-init-vs-unmap", init_vs_unmap_main);
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DFS,
	    .iterations = 1000000,
	    .dfs_preemptions = 2,
	    .keep_going = true,
	    .max_reports = 1000,
	};
	struct sim_result r;
	unsigned int warn = 0, other = 0;

	CU_ASSERT_EQUAL_FATAL(sim_explore(&sc, &o, &r), 0);
	for (unsigned int i = 0; i < r.nr_reports; i++) {
		if (!strcmp(r.reports[i].kind, HS_KIND_BUG))
			warn++;
		else if (other++ == 0)
			fprintf(stderr, "\n  %s: %s\n", r.reports[i].kind, r.reports[i].message);
	}
	fprintf(stderr, "\n  [t-init-vs-unmap] %llu executions, %u WARN, %u other%s\n",
		(unsigned long long)r.executions, warn, other, r.exhausted ? " (exhausted)" : "");
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(r.violations_found, r.nr_reports); /* every one kept */
	CU_ASSERT_TRUE(warn > 0); /* allocating during the teardown is a driver bug */
	CU_ASSERT_EQUAL(other, 0);
	sim_result_free(&r);
}

/*
 * The stale-pagemap oracle: after memunmap_pages() the driver frees the
 * struct dev_pagemap; a page of it still names it, and the model's hot paths
 * that follow page->pgmap must report the use (arg: which path).
 */
static void stale_pgmap_main(void *arg)
{
	hs_machine_init(8, 16);
	struct hs_dev_pagemap *pg = new_pgmap(2);
	struct hs_page *p = hs_pfn_to_page(pg->start_pfn);
	sim_check(hs_pgmap_owner_match(p->pgmap, NULL), "a live pagemap: no report, NULL owner");
	hs_memunmap_pages(pg);
	if (arg)
		hs_put_dev_pagemap(p->pgmap); /* the page_free path's put */
	else
		(void)hs_pgmap_owner_match(p->pgmap, NULL); /* must fail */
}

static void test_stale_pgmap(void)
{
	struct sim_scenario owner = SCENARIO("t-stale-pgmap", stale_pgmap_main);
	struct sim_scenario put = SCENARIO("t-stale-pgmap-put", stale_pgmap_main, .arg = (void *)1);
	struct sim_result r = run(&owner, SIM_STRATEGY_RANDOM, 1, 0, 1);
	if (getenv("HMMSIM_TEST_VERBOSE"))
		fprintf(stderr, "\n    %zu reports: %s\n", (size_t)r.nr_reports,
			r.nr_reports ? r.reports[0].message : "");
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_UAF);
	CU_ASSERT_TRUE(r.nr_reports &&
		       strstr(r.reports[0].message, "used after memunmap_pages()") &&
		       strstr(r.reports[0].message, "hs_pgmap_owner_match"));
	sim_result_free(&r);
	r = run(&put, SIM_STRATEGY_RANDOM, 1, 0, 1);
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_UAF);
	CU_ASSERT_TRUE(r.nr_reports && strstr(r.reports[0].message, "put_dev_pagemap"));
	sim_result_free(&r);
}

/* The leak oracle: a reference nobody drops is reported at the end. */
static void leak_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	hs_cpu_write(mm, PG(0), 1);
	hs_cpu_write(mm, PG(1), 2);
	struct hs_page *p = hs_pfn_to_page(
	    hs_pte_pfn((hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, PG(1))->v, __ATOMIC_RELAXED)));
	hs_get_page(p);
	if (arg)
		hs_put_page(p); /* the fix */
	hs_machine_check_leaks();
}

static void test_leak_oracle(void)
{
	struct sim_scenario bug = SCENARIO("t-leak", leak_main);
	struct sim_scenario fix = SCENARIO("t-leak-fixed", leak_main, .arg = (void *)1);
	struct sim_result r = run(&bug, SIM_STRATEGY_RANDOM, 1, 0, 1);
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_LEAK);
	sim_result_free(&r);
	r = run(&fix, SIM_STRATEGY_RANDOM, 1, 0, 1);
	EXPECT_EQ_U64(r.violations_found, 0);
	sim_result_free(&r);
}

static void test_page_size(void)
{
	CU_ASSERT_TRUE(sizeof(struct hs_page) <= 64);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("page", NULL, NULL);
	CU_add_test(s, "struct hs_page fits in 64 bytes", test_page_size);
	CU_add_test(s, "refcount, free, generation: stale use caught", test_refcount_and_uaf);
	CU_add_test(s, "put below zero", test_double_put);
	CU_add_test(s, "read of a freed page", test_read_freed);
	CU_add_test(s, "page lock excludes on every schedule", test_page_lock);
	CU_add_test(s, "unlock of an unlocked page", test_unlock_unlocked);
	CU_add_test(s, "migration entry wait: queued under the PTL, woken by the next unlock",
		    test_migration_entry_wait);
	CU_add_test(s, "pagemap: memremap, lookup, page_free, memunmap", test_pgmap_lifetime);
	CU_add_test(s, "memunmap_pages waits for page references", test_memunmap_waits);
	CU_add_test(s, "allocating from a dead pagemap", test_alloc_from_dying);
	CU_add_test(s, "zone_device_page_init vs memunmap_pages: no reference after teardown",
		    test_init_vs_memunmap);
	CU_add_test(s, "stale pagemap after memunmap_pages: use-after-free", test_stale_pgmap);
	CU_add_test(s, "leak oracle: an extra reference at the end", test_leak_oracle);
}
