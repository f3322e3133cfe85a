// SPDX-License-Identifier: MIT
/*
 * mm suite: faults (zero page, COW, swap-in), munmap, mprotect,
 * MADV_DONTNEED, swap-out, the TLB, the notifier events each raises, the
 * OOM reaper (model/oom_kill.c) and exit_mmap().
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "internal.h" /* model/internal.h: the RAM free list */
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

/*
 * The mmu_gather: zap_pte_range() clears the pte under the PTL but the TLB
 * flush comes in tlb_finish_mmu(), after the PTL and the notifier's end.
 * Meanwhile another CPU sees pte_none and faults a new page in (MADV_DONTNEED
 * holds mmap_lock for read only) while the first CPU's TLB still maps the
 * old page.  The exploration must reach that window, and stay clean: the
 * old page is freed only after the flush, and a store through the stale
 * entry raced with the unmap, which discards it.
 */
struct gatherctx {
	struct hs_mm *mm;
	int a_cpu;
};

static int gather_windows; /* executions that reached the window */

static void gather_zap(void *arg)
{
	struct gatherctx *c = arg;
	sim_check(hs_madvise_dontneed(c->mm, PG(0), HS_PAGE_SIZE) == 0, "madvise");
}

static void gather_b(void *arg)
{
	struct gatherctx *c = arg;
	unsigned long vpn = PG(0) >> HS_PAGE_SHIFT;
	sim_check(hs_cpu_write(c->mm, PG(0), 2) == 0, "B's write");
	/* B's write went to a page; does A's TLB still map another one?
	 * (the TLB word: valid bit 0, pfn from bit 10, vpn from bit 34) */
	uint64_t t = __atomic_load_n(&c->mm->tlb[c->a_cpu][vpn % HS_TLB_ENTRIES], __ATOMIC_RELAXED);
	hs_pte_t pte = pte_of(c->mm, PG(0));
	if (hs_pte_present(pte) && (t & 1) && (t >> 34) == vpn &&
	    ((t >> 10) & 0xffffff) != hs_pte_pfn(pte))
		gather_windows++;
}

/* main is CPU A: its write fills its TLB before the others start */
static void gather_main(void *arg)
{
	struct gatherctx *c = sim_alloc(sizeof(*c));
	c->mm = model_setup(1, HS_VM_READ | HS_VM_WRITE);
	c->a_cpu = sim_self() % HS_NR_CPUS;
	sim_check(hs_cpu_write(c->mm, PG(0), 1) == 0, "A's first write");
	int t[2] = {sim_thread_spawn("zap", gather_zap, c), sim_thread_spawn("B", gather_b, c)};
	sim_check(hs_cpu_write(c->mm, PG(0), 3) == 0, "A's second write"); /* maybe stale */
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(c->mm, BASE, PG(1));
}

static void test_gather_window(void)
{
	struct sim_scenario sc = SCENARIO("t-gather", gather_main);
	gather_windows = 0;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, 500000, 2, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n  %s: %s\n", r.reports[0].kind, r.reports[0].message);
	fprintf(stderr, "\n  [t-gather] %llu executions%s, %d reached the window\n",
		(unsigned long long)r.executions, r.exhausted ? " (exhausted)" : "",
		gather_windows);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_TRUE(gather_windows > 0);
	sim_result_free(&r);
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

/* ---- the OOM reaper and exit_mmap ------------------------------------------------------ */

struct rangelog {
	int n;
	bool refuse_nonblock; /* refuse every non-blockable range, as a trylock that fails */
	enum hs_mmu_notifier_event ev[8];
	bool blockable[8];
	unsigned long start[8], end[8];
};

static bool log_range(struct hs_mmu_interval_notifier *sub,
		      const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	struct rangelog *l = sub->priv;
	bool blockable = hs_mmu_notifier_range_blockable(range);

	if (l->refuse_nonblock && !blockable)
		return false;
	if (l->n < 8) {
		l->ev[l->n] = range->event;
		l->blockable[l->n] = blockable;
		l->start[l->n] = range->start;
		l->end[l->n++] = range->end;
	}
	hs_mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops rangelog_ops = {.invalidate = log_range};

static void check_range(struct rangelog *l, int i, enum hs_mmu_notifier_event ev, bool blockable,
			unsigned long start, unsigned long end)
{
	sim_check(i < l->n && l->ev[i] == ev && l->blockable[i] == blockable &&
		      l->start[i] == start && l->end[i] == end,
		  "invalidation %d: %s%s [%#lx,%#lx), expected %s%s [%#lx,%#lx)", i,
		  i < l->n ? hs_mmu_notifier_event_name(l->ev[i]) : "none",
		  i < l->n && !l->blockable[i] ? " nonblock" : "", i < l->n ? l->start[i] : 0,
		  i < l->n ? l->end[i] : 0, hs_mmu_notifier_event_name(ev),
		  blockable ? "" : " nonblock", start, end);
}

/* The reap: one non-blocking UNMAP over the VMA, the page gone, a fault
 * after it maps a new one. */
static void reap_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	struct hs_mmu_interval_notifier *sub = sim_alloc(sizeof(*sub));
	struct rangelog *l = sim_alloc(sizeof(*l));
	unsigned long v = 1;

	(void)arg;
	hs_cpu_write(mm, PG(0), 5);
	sub->priv = l;
	hs_mmu_interval_notifier_insert(sub, mm, BASE, 2 * HS_PAGE_SIZE, &rangelog_ops);
	sim_check(hs_oom_reap_task(mm) == 0, "the reap succeeds");
	check_range(l, 0, HS_MMU_NOTIFY_UNMAP, false, BASE, PG(2));
	sim_check(l->n == 1, "one invalidation (%d)", l->n);
	sim_check(hs_pte_none(pte_of(mm, PG(0))), "the reap unmapped the page");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 0, "a new page reads 0");
	hs_mmu_interval_notifier_remove(sub);
}

static void test_reap(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(reap_main), "");
}

/* The last mmput: a RELEASE that zaps nothing, then a blockable UNMAP
 * around the zap, both over [0, ULONG_MAX) (mn_itree_release(),
 * unmap_vmas()); a reap afterwards finds MMF_OOM_SKIP and does nothing. */
static bool exit_seen_mapped; /* the page was still mapped during the RELEASE */

static bool exit_log_range(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	if (range->event == HS_MMU_NOTIFY_RELEASE)
		exit_seen_mapped = !hs_pte_none(pte_of(sub->mm, PG(0)));
	return log_range(sub, range, cur_seq);
}

static const struct hs_mmu_interval_notifier_ops exit_log_ops = {.invalidate = exit_log_range};

static void exit_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	struct hs_mmu_interval_notifier *sub = sim_alloc(sizeof(*sub));
	struct rangelog *l = sim_alloc(sizeof(*l));

	(void)arg;
	hs_cpu_write(mm, PG(0), 5);
	sub->priv = l;
	hs_mmu_interval_notifier_insert(sub, mm, BASE, 2 * HS_PAGE_SIZE, &exit_log_ops);
	hs_mmput(mm);
	check_range(l, 0, HS_MMU_NOTIFY_RELEASE, true, 0, ~0ul);
	check_range(l, 1, HS_MMU_NOTIFY_UNMAP, true, 0, ~0ul);
	sim_check(l->n == 2, "two invalidations (%d)", l->n);
	sim_check(exit_seen_mapped, "the RELEASE came before the zap");
	sim_check(hs_pte_none(pte_of(mm, PG(0))), "exit unmapped the page");
	sim_check(hs_oom_reap_task(mm) == 0 && l->n == 2, "a reap after exit: MMF_OOM_SKIP");
	hs_mmu_interval_notifier_remove(sub);
}

static void test_exit(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(exit_main), "");
}

/* A notifier that refuses every non-blockable range: each attempt's start
 * ends its range again (the sequence even, nothing active), the VMA keeps
 * its page, and after ten attempts the reap gives up. */
static void reap_refused_main(void *arg)
{
	struct hs_mm *mm = model_setup(1, HS_VM_READ | HS_VM_WRITE);
	struct hs_mmu_interval_notifier *sub = sim_alloc(sizeof(*sub));
	struct rangelog *l = sim_alloc(sizeof(*l));
	struct hs_mmu_notifier_subscriptions *s = &mm->notifier_subscriptions;
	unsigned long seq0, v = 0;

	(void)arg;
	hs_cpu_write(mm, PG(0), 5);
	sub->priv = l;
	l->refuse_nonblock = true;
	hs_mmu_interval_notifier_insert(sub, mm, BASE, HS_PAGE_SIZE, &rangelog_ops);
	seq0 = s->invalidate_seq;
	sim_check(hs_oom_reap_task(mm) == -EAGAIN, "the reap gives up");
	sim_check(l->n == 0, "no invalidation went through (%d)", l->n);
	sim_check(s->invalidate_seq == seq0 + 20 && s->active_invalidate_ranges == 0,
		  "ten starts, each ended: sequence %lu (was %lu), %lu active", s->invalidate_seq,
		  seq0, s->active_invalidate_ranges);
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 5, "the page is still there");
	hs_mmu_interval_notifier_remove(sub);
}

static void test_reap_refused(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(reap_refused_main), "");
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
	CU_add_test(s, "DFS: mmu_gather: a new page faulted in while a TLB maps the old one",
		    test_gather_window);
	CU_add_test(s, "notifier event of each operation", test_events);
	CU_add_test(s, "OOM reap: a nonblock UNMAP over each VMA", test_reap);
	CU_add_test(s, "exit_mmap: RELEASE, then UNMAP around the zap", test_exit);
	CU_add_test(s, "OOM reap refused ten times: -EAGAIN, nothing active", test_reap_refused);
	CU_add_test(s, "CPU writes against reclaim keep the data", test_concurrent_data);
}
