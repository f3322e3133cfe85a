// SPDX-License-Identifier: MIT
/*
 * fork suite: fork (model/fork.c), device-exclusive entries (model/rmap.c)
 * and GUP pins (model/gup.c): the ptes, references, mapcounts and notifier
 * invalidations each leaves, checked one by one.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "internal.h" /* model/internal.h: hs_dev_rmap_forked() */
#include "model_helpers.h"

static hs_pte_t pte_of(struct hs_mm *mm, unsigned long addr)
{
	return (hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, addr)->v, __ATOMIC_RELAXED);
}

static struct hs_page *page_of(struct hs_mm *mm, unsigned long addr)
{
	return hs_pfn_to_page(hs_pte_pfn(pte_of(mm, addr)));
}

static bool shared(struct hs_page *page)
{
	return __atomic_load_n(&page->flags.word.v, __ATOMIC_RELAXED) & (1l << HS_PG_ANON_SHARED);
}

/* COW: both ptes write-protected, the page shared; the child's write copies,
 * the parent's then reuses its page. */
static void cow_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE), *child = NULL;
	unsigned long v = 0;

	(void)arg;
	hs_cpu_write(mm, PG(0), 1);
	hs_cpu_write(mm, PG(1), 2);
	struct hs_page *page = page_of(mm, PG(0));
	sim_check(hs_dup_mm(mm, "child", &child) == 0, "fork");
	sim_check(!hs_pte_write(pte_of(mm, PG(0))) && !hs_pte_write(pte_of(child, PG(0))),
		  "both ptes write-protected");
	sim_check(page_of(child, PG(0)) == page, "the child maps the parent's page");
	sim_check(hs_page_ref_count(page) == 2 && hs_page_mapcount(page) == 2 && shared(page),
		  "two references, two mappings, not exclusive: %ld %ld", hs_page_ref_count(page),
		  hs_page_mapcount(page));
	sim_check(hs_cpu_write(child, PG(0), 10) == 0, "child write");
	sim_check(page_of(child, PG(0)) != page && hs_pte_write(pte_of(child, PG(0))),
		  "the child's write copied the page");
	sim_check(hs_page_ref_count(page) == 1 && hs_page_mapcount(page) == 1, "one left");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 1, "the parent still reads 1");
	sim_check(hs_cpu_write(mm, PG(0), 11) == 0 && page_of(mm, PG(0)) == page,
		  "the parent's write reuses its page");
	sim_check(hs_cpu_read(child, PG(1), &v) == 0 && v == 2, "the child reads the parent's 2");
	sim_check(hs_mprotect(mm, PG(1), HS_PAGE_SIZE, HS_VM_READ) == 0 &&
		      hs_mprotect(mm, PG(1), HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0 &&
		      !hs_pte_write(pte_of(mm, PG(1))),
		  "mprotect does not make a shared page writable");
	hs_mm_check_data(mm, BASE, PG(2));
	hs_mm_check_data(child, BASE, PG(2));
	hs_mmput(child);
	hs_machine_check_leaks();
}

static void test_cow(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(cow_main), "");
}

/* fork's MMU_NOTIFY_PROTECTION_PAGE takes the mirror's entries away; a
 * device-private page becomes readable in both and followed by the rmap. */
static void device_private_main(void *arg)
{
	struct hs_mm *mm = model_setup(1, HS_VM_READ | HS_VM_WRITE), *child = NULL;
	struct hs_dmirror *m = hs_dmirror_open(hs_dmirror_device_create("d", 4), mm);
	unsigned long v = 0;

	(void)arg;
	hs_cpu_write(mm, PG(0), 5);
	sim_check(hs_dmirror_migrate_to_dev(m, PG(0), 1) == 0, "migrate");
	sim_check(hs_dmirror_read(m, PG(0), 1, &v, NULL) == 0 && v == 5, "device read");
	sim_check(hs_dmirror_mirror_entry(m, PG(0)) != 0, "mirrored");
	struct hs_page *dpage = page_of(mm, PG(0));
	sim_check(hs_dup_mm(mm, "child", &child) == 0, "fork");
	sim_check(hs_dmirror_mirror_entry(m, PG(0)) == 0, "fork's invalidation cleared it");
	hs_pte_t p = pte_of(mm, PG(0)), c = pte_of(child, PG(0));
	sim_check(hs_is_device_private_entry(p) && hs_is_device_private_entry(c) &&
		      !hs_is_writable_swp_entry(p) && !hs_is_writable_swp_entry(c),
		  "readable device-private entries in both");
	sim_check(hs_page_ref_count(dpage) == 2 && hs_page_mapcount(dpage) == 2, "two mappings");
	struct hs_dev_rmap rcopy;
	sim_check(hs_dev_rmap_forked(hs_dev_rmap_get(dpage, &rcopy), dpage) == 1,
		  "the rmap has the child");
	sim_check(hs_cpu_write(mm, PG(0), 6) == 0, "the parent writes: to RAM, then COW");
	sim_check(hs_cpu_read(child, PG(0), &v) == 0 && v == 5, "the child keeps 5");
	hs_mm_check_data(mm, BASE, PG(1));
	hs_mm_check_data(child, BASE, PG(1));
	hs_mmput(child);
	hs_machine_check_leaks();
}

static void test_device_private(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(device_private_main), "");
}

/* make_device_exclusive(): the entry, the folio returned locked; fork fails
 * -EBUSY while it is; a CPU fault restores the pte. */
static void exclusive_main(void *arg)
{
	struct hs_mm *mm = model_setup(1, HS_VM_READ | HS_VM_WRITE), *child = NULL;
	struct hs_page *page = NULL;
	unsigned long v = 0;

	(void)arg;
	hs_cpu_write(mm, PG(0), 3);
	struct hs_page *orig = page_of(mm, PG(0));
	sim_down_read(&mm->mmap_lock);
	sim_check(hs_make_device_exclusive(mm, PG(0), NULL, &page) == 0, "grant");
	sim_up_read(&mm->mmap_lock);
	sim_check(page == orig && hs_page_locked(page), "the page, locked");
	hs_pte_t pte = pte_of(mm, PG(0));
	sim_check(hs_swp_type(pte) == HS_SWP_DEVICE_EXCLUSIVE &&
		      hs_pte_pfn(pte) == hs_page_to_pfn(page),
		  "a device-exclusive entry");
	sim_check(hs_page_ref_count(page) == 2 && hs_page_mapcount(page) == 1,
		  "the entry keeps the mapcount (v6.15); ours is the second reference");
	sim_check(hs_dup_mm(mm, "child", &child) == -EBUSY, "fork: -EBUSY while locked");
	hs_unlock_page(page);
	hs_put_page(page);
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 3, "a CPU read restores it");
	sim_check(hs_pte_present(pte_of(mm, PG(0))) && hs_pte_write(pte_of(mm, PG(0))),
		  "present and writable again");
	sim_down_read(&mm->mmap_lock);
	sim_check(hs_make_device_exclusive(mm, PG(0), NULL, &page) == 0, "grant again");
	sim_up_read(&mm->mmap_lock);
	hs_unlock_page(page);
	hs_put_page(page);
	sim_check(hs_dup_mm(mm, "child", &child) == 0, "fork restores and copies it");
	sim_check(hs_pte_present(pte_of(mm, PG(0))) && !hs_pte_write(pte_of(mm, PG(0))) &&
		      page_of(child, PG(0)) == page,
		  "restored, then shared read-only");
	hs_mmput(child);
	hs_machine_check_leaks();
}

static void test_exclusive(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(exclusive_main), "");
}

/* A pin: the bias, migration refuses the page, fork copies it at once. */
static void pin_main(void *arg)
{
	struct hs_mm *mm = model_setup(1, HS_VM_READ | HS_VM_WRITE), *child = NULL;
	struct hs_dmirror *m = hs_dmirror_open(hs_dmirror_device_create("d", 4), mm);
	struct hs_page *page = NULL;
	unsigned char perm = 0;

	(void)arg;
	hs_cpu_write(mm, PG(0), 4);
	sim_check(hs_pin_user_pages(mm, PG(0), 1, HS_FOLL_WRITE | HS_FOLL_LONGTERM, &page) == 1,
		  "pin");
	sim_check(hs_folio_maybe_dma_pinned(page) &&
		      hs_page_ref_count(page) == 1 + HS_GUP_PIN_COUNTING_BIAS,
		  "the pin's bias: %ld", hs_page_ref_count(page));
	sim_check(hs_dmirror_migrate_to_dev(m, PG(0), 1) == 0, "migrate (nothing moves)");
	sim_check(hs_dmirror_snapshot(m, PG(0), 1, &perm) == 0 && perm == HS_DMIRROR_PROT_WRITE,
		  "the pinned page stayed in RAM (%#x)", perm);
	sim_check(hs_dup_mm(mm, "child", &child) == 0, "fork");
	sim_check(page_of(child, PG(0)) != page && hs_pte_write(pte_of(mm, PG(0))) && !shared(page),
		  "the child got a copy; the parent's page stays exclusive and writable");
	hs_unpin_user_pages(&page, 1);
	sim_check(hs_page_ref_count(page) == 1, "unpinned");
	hs_mm_check_data(child, BASE, PG(1));
	hs_mmput(child);
	hs_machine_check_leaks();
}

static void test_pin(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(pin_main), "");
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("fork", NULL, NULL);
	CU_add_test(s, "fork: COW write-protects both, copies on write", test_cow);
	CU_add_test(s, "fork: device-private entries, the notifier, the rmap", test_device_private);
	CU_add_test(s, "make_device_exclusive, its restore, fork -EBUSY", test_exclusive);
	CU_add_test(s, "pin_user_pages: bias, migration refused, fork copies", test_pin);
}
