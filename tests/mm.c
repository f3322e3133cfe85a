// SPDX-License-Identifier: MIT
/*
 * mm suite: faults (zero page, COW, swap-in), munmap, mprotect,
 * MADV_DONTNEED, swap-out, the TLB, and the notifier events each raises.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "model_helpers.h"

static hs_pte_t pte_of(struct hs_mm *mm, unsigned long addr)
{
	return (hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, addr)->v, __ATOMIC_RELAXED);
}

static void faults_main(void *arg)
{
	struct hs_mm *mm = model_setup(4, HS_VM_READ | HS_VM_WRITE);
	unsigned long v = 1;

	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 0, "fresh anon memory reads 0");
	hs_pte_t pte = pte_of(mm, PG(0));
	sim_check(hs_pte_present(pte) && hs_is_zero_pfn(hs_pte_pfn(pte)) && !hs_pte_write(pte),
		  "a read fault maps the zero page read-only");
	sim_check(hs_cpu_write(mm, PG(0), 7) == 0, "write");
	pte = pte_of(mm, PG(0));
	sim_check(hs_pte_present(pte) && !hs_is_zero_pfn(hs_pte_pfn(pte)) && hs_pte_write(pte) &&
		      hs_pte_dirty(pte),
		  "a write fault on the zero page copies to a writable dirty page");
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte));
	sim_check(hs_page_ref_count(page) == 1 && hs_page_mapcount(page) == 1,
		  "one reference and one mapping");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 7, "reads back 7");
	sim_check(hs_cpu_read(mm, PG(9), &v) == -EFAULT, "outside every VMA: -EFAULT");
	hs_mm_check_data(mm, BASE, PG(4));
}

static void test_faults(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(faults_main), "");
}

static void munmap_main(void *arg)
{
	struct hs_mm *mm = model_setup(4, HS_VM_READ | HS_VM_WRITE);
	unsigned long v, nfree = hs_mach->nr_ram_free;

	for (int i = 0; i < 4; i++)
		hs_cpu_write(mm, PG(i), 10 + (unsigned long)i);
	sim_check(hs_mach->nr_ram_free == nfree - 4, "four pages allocated");
	sim_check(hs_munmap(mm, PG(1), 2 * HS_PAGE_SIZE) == 0, "munmap the middle");
	sim_check(hs_mach->nr_ram_free == nfree - 2, "two pages freed");
	sim_check(mm->nr_vmas == 2, "the VMA was split in two (%d)", mm->nr_vmas);
	sim_check(hs_cpu_read(mm, PG(1), &v) == -EFAULT, "unmapped page faults");
	sim_check(hs_cpu_read(mm, PG(3), &v) == 0 && v == 13, "the rest stays");
	sim_check(hs_munmap(mm, PG(0) + 1, HS_PAGE_SIZE) == -EINVAL, "unaligned munmap");
}

static void test_munmap(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(munmap_main), "");
}

static void mprotect_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	unsigned long v;

	hs_cpu_write(mm, PG(0), 5);
	sim_check(hs_mprotect(mm, PG(0), HS_PAGE_SIZE, HS_VM_READ) == 0, "mprotect");
	sim_check(!hs_pte_write(pte_of(mm, PG(0))), "write bit cleared");
	sim_check(hs_cpu_write(mm, PG(0), 6) == -EFAULT, "write to a read-only page faults");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 5, "read still works");
	sim_check(hs_cpu_write(mm, PG(1), 6) == 0, "the other page stays writable");
	sim_check(hs_mprotect(mm, PG(0), HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0, "back");
	sim_check(hs_cpu_write(mm, PG(0), 8) == 0, "writable again (reuse, no copy)");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 8, "reads 8");
}

static void test_mprotect(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(mprotect_main), "");
}

/*
 * change_protection() for every change: PROT_NONE makes a mapped page's pte
 * protnone (pte_present() for the kernel, not for the hardware), so a CPU
 * that read the page before (its TLB held it) faults now, as Linux does;
 * back to read-write, the exclusive anonymous page is writable again at once
 * (MM_CP_TRY_CHANGE_WRITABLE), with its data.
 */
static void mprotect_none_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	unsigned long v = 0;

	sim_check(hs_cpu_write(mm, PG(0), 5) == 0 && hs_cpu_read(mm, PG(0), &v) == 0 && v == 5,
		  "write then read");
	sim_check(hs_mprotect(mm, PG(0), HS_PAGE_SIZE, 0) == 0, "mprotect none");
	hs_pte_t pte = pte_of(mm, PG(0));
	sim_check(hs_pte_present(pte) && hs_pte_protnone(pte) && !hs_pte_write(pte),
		  "PROT_NONE: the pte is protnone (pte %#llx)", (unsigned long long)pte);
	sim_check(hs_cpu_read(mm, PG(0), &v) == -EFAULT, "read of a PROT_NONE page faults");
	sim_check(hs_cpu_write(mm, PG(0), 6) == -EFAULT, "write of a PROT_NONE page faults");
	sim_check(hs_cpu_write(mm, PG(1), 7) == 0, "the other page is untouched");
	sim_check(hs_mprotect(mm, PG(0), HS_PAGE_SIZE, HS_VM_READ) == 0, "mprotect r");
	pte = pte_of(mm, PG(0));
	sim_check(!hs_pte_protnone(pte) && !hs_pte_write(pte), "PROT_READ: readable, not writable");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 5, "the data is back");
	sim_check(hs_mprotect(mm, PG(0), HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0, "rw");
	sim_check(hs_pte_write(pte_of(mm, PG(0))),
		  "PROT_READ|PROT_WRITE: the exclusive anonymous pte is made writable");
	sim_check(hs_cpu_write(mm, PG(0), 8) == 0 && hs_cpu_read(mm, PG(0), &v) == 0 && v == 8,
		  "writes 8");
	hs_mm_check_data(mm, BASE, PG(2));
}

static void test_mprotect_none(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(mprotect_none_main), "");
}

static void dontneed_swap_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	unsigned long v, nfree;

	hs_cpu_write(mm, PG(0), 0x55);
	hs_cpu_write(mm, PG(1), 0x66);
	sim_check(hs_madvise_dontneed(mm, PG(0), HS_PAGE_SIZE) == 0, "madvise");
	sim_check(hs_pte_none(pte_of(mm, PG(0))), "zapped");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 0, "DONTNEED memory reads 0");
	nfree = hs_mach->nr_ram_free;
	sim_check(hs_swap_out(mm, PG(1)) == 0, "swap out");
	sim_check(hs_swp_type(pte_of(mm, PG(1))) == HS_SWP_SWAP, "swap entry left");
	sim_check(hs_mach->nr_ram_free == nfree + 1, "the page was freed");
	sim_check(hs_cpu_read(mm, PG(1), &v) == 0 && v == 0x66, "swapped back in with its data");
	sim_check(hs_swap_out(mm, PG(0)) == -EBUSY, "the zero page is not reclaimed");
	/* a page with an extra reference (a pin) stays */
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte_of(mm, PG(1))));
	hs_get_page(page);
	sim_check(hs_swap_out(mm, PG(1)) == -EBUSY, "a pinned page is not reclaimed");
	sim_check(hs_pte_present(pte_of(mm, PG(1))), "and stays mapped");
	hs_put_page(page);
	hs_mm_check_data(mm, BASE, PG(2));
}

static void test_dontneed_swap(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(dontneed_swap_main), "");
}

/* Freeing a page without flushing the TLB: the next access through the
 * stale entry is caught. */
static void stale_tlb_main(void *arg)
{
	struct hs_mm *mm = model_setup(1, HS_VM_READ | HS_VM_WRITE);
	unsigned long v;

	hs_cpu_write(mm, PG(0), 1); /* fills this CPU's TLB */
	sim_atomic_t *ptep = hs_pte_offset(mm, PG(0));
	sim_spin_lock(hs_pte_lockptr(mm, PG(0)));
	hs_pte_t pte = hs_ptep_get_and_clear(mm, PG(0), ptep);
	sim_spin_unlock(hs_pte_lockptr(mm, PG(0)));
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte));
	hs_page_remove_rmap(page);
	hs_put_page(page); /* no flush_tlb_range(): the bug */
	hs_cpu_read(mm, PG(0), &v);
}

static void flushed_tlb_main(void *arg)
{
	struct hs_mm *mm = model_setup(1, HS_VM_READ | HS_VM_WRITE);
	unsigned long v;

	hs_cpu_write(mm, PG(0), 1);
	sim_atomic_t *ptep = hs_pte_offset(mm, PG(0));
	sim_spin_lock(hs_pte_lockptr(mm, PG(0)));
	hs_pte_t pte = hs_ptep_get_and_clear(mm, PG(0), ptep);
	hs_flush_tlb_range(mm, PG(0), PG(1));
	sim_spin_unlock(hs_pte_lockptr(mm, PG(0)));
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte));
	hs_page_remove_rmap(page);
	hs_put_page(page);
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 0, "refaults a fresh page");
}

static void test_tlb(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(stale_tlb_main), HS_KIND_UAF);
	CU_ASSERT_STRING_EQUAL(run_once(flushed_tlb_main), "");
}

/* ---- notifier events ------------------------------------------------------------------ */

struct evlog {
	int n;
	enum hs_mmu_notifier_event ev[8];
	unsigned long start[8], end[8];
};

static bool log_invalidate(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	struct evlog *l = sub->priv;
	if (l->n < 8) {
		l->ev[l->n] = range->event;
		l->start[l->n] = range->start;
		l->end[l->n++] = range->end;
	}
	hs_mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops log_ops = {.invalidate = log_invalidate};

static void events_main(void *arg)
{
	struct hs_mm *mm = model_setup(4, HS_VM_READ | HS_VM_WRITE);
	struct hs_mmu_interval_notifier *sub = sim_alloc(sizeof(*sub));
	struct evlog *l = sim_alloc(sizeof(*l));

	for (int i = 0; i < 4; i++)
		hs_cpu_write(mm, PG(i), 1);
	sub->priv = l;
	hs_mmu_interval_notifier_insert(sub, mm, BASE, 4 * HS_PAGE_SIZE, &log_ops);
	hs_madvise_dontneed(mm, PG(0), HS_PAGE_SIZE);
	hs_mprotect(mm, PG(1), HS_PAGE_SIZE, HS_VM_READ);
	hs_swap_out(mm, PG(2));
	hs_munmap(mm, PG(3), HS_PAGE_SIZE);
	static const enum hs_mmu_notifier_event want[] = {HS_MMU_NOTIFY_CLEAR,
							  HS_MMU_NOTIFY_PROTECTION_VMA,
							  HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFY_UNMAP};
	sim_check(l->n == 4, "four invalidations (%d)", l->n);
	for (int i = 0; i < 4 && i < l->n; i++)
		sim_check(l->ev[i] == want[i] && l->start[i] == PG(i) && l->end[i] == PG(i + 1),
			  "invalidation %d: %s [%#lx,%#lx)", i,
			  hs_mmu_notifier_event_name(l->ev[i]), l->start[i], l->end[i]);
	hs_mmu_interval_notifier_remove(sub);
}

static void test_events(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(events_main), "");
}

/* ---- concurrency: CPU writers against zap and reclaim keep the data ---------------- */

struct cpuctx {
	struct hs_mm *mm;
};

static void writer0(void *arg)
{
	struct cpuctx *c = arg;
	hs_cpu_write(c->mm, PG(0), 0xa0);
	hs_cpu_write(c->mm, PG(1), 0xa1);
}

static void reclaimer(void *arg)
{
	struct cpuctx *c = arg;
	hs_swap_out(c->mm, PG(0));
	hs_madvise_dontneed(c->mm, PG(1), HS_PAGE_SIZE);
}

static void concurrent_main(void *arg)
{
	struct cpuctx *c = sim_alloc(sizeof(*c));
	c->mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	hs_cpu_write(c->mm, PG(0), 1);
	hs_cpu_write(c->mm, PG(1), 2);
	int a = sim_thread_spawn("writer", writer0, c);
	int b = sim_thread_spawn("reclaim", reclaimer, c);
	sim_thread_join(a);
	sim_thread_join(b);
	hs_mm_check_data(c->mm, BASE, PG(2));
}

static void test_concurrent_data(void)
{
	struct sim_scenario sc = SCENARIO("t-mmconc", concurrent_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_PCT, 3000, 0, 1);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n", r.reports[0].kind, r.reports[0].message);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("mm", NULL, NULL);
	CU_add_test(s, "faults: zero page, COW, -EFAULT", test_faults);
	CU_add_test(s, "munmap splits and frees", test_munmap);
	CU_add_test(s, "mprotect write-protects", test_mprotect);
	CU_add_test(s, "mprotect PROT_NONE: the CPU faults; back to rw", test_mprotect_none);
	CU_add_test(s, "MADV_DONTNEED and swap out/in", test_dontneed_swap);
	CU_add_test(s, "TLB: a missing flush is caught", test_tlb);
	CU_add_test(s, "notifier event of each operation", test_events);
	CU_add_test(s, "CPU writes against reclaim keep the data", test_concurrent_data);
}
