// SPDX-License-Identifier: MIT
/*
 * p2p_hmm suite: the RFC "mm/hmm: HMM API to enable P2P DMA for device
 * private pages" in hmm_range_fault() (HS_HMM_PFN_ALLOW_P2P, the pgmap's
 * get_p2p_page(), HS_HMM_PFN_P2PDMA, p2p_requester) and in the reference
 * driver (the exporter's BAR, the importer's P2P mirror entries, the mlx5
 * fallback without the flag for the pfns that fail to DMA-map).
 *
 * The machine: gpu0 and gpu1 below one switch of host bridge hb0 (BUS_ADDR
 * between them), gpu2 below a root port of hb1; neither bridge is on the
 * P2P allowlist, so gpu2 cannot do P2P with gpu0 or gpu1.  gpu0 and gpu2
 * export their memory through a BAR; every device has a mirror of one mm.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/p2pdma.h>
#include <stdio.h>

#include "model_helpers.h"

struct p2p_machine {
	struct hs_mm *mm;
	struct hs_pci_dev *pdev[3];
	struct hs_dmirror_device *dev[3];
	struct hs_dmirror *mir[3];
	struct hs_mmu_interval_notifier sub; /* for direct hmm_range_fault() calls */
	unsigned long pfns[8];
};

static bool nop_invalidate(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	hs_mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops nop_ops = {.invalidate = nop_invalidate};

static struct p2p_machine *p2p_setup(unsigned long npages)
{
	static const char *names[3] = {"gpu0", "gpu1", "gpu2"};
	struct p2p_machine *m = sim_alloc(sizeof(*m));

	m->mm = model_setup(npages, HS_VM_READ | HS_VM_WRITE);
	struct hs_pci_host_bridge *hb0 = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_host_bridge *hb1 = hs_pci_host_bridge_add("hb1", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb0), 2);
	m->pdev[0] = hs_pci_device_add(sw->down[0], "gpu0");
	m->pdev[1] = hs_pci_device_add(sw->down[1], "gpu1");
	m->pdev[2] = hs_pci_device_add(hs_pci_root_port_add(hb1), "gpu2");
	for (int i = 0; i < 3; i++) {
		m->dev[i] = hs_dmirror_device_create(names[i], 4);
		if (i == 1)
			hs_dmirror_device_set_pci(m->dev[i], m->pdev[i]);
		else
			sim_check(hs_dmirror_device_set_p2p(m->dev[i], m->pdev[i]) == 0, "set_p2p");
		m->mir[i] = hs_dmirror_open(m->dev[i], m->mm);
	}
	hs_mmu_interval_notifier_insert(&m->sub, m->mm, 0, m->mm->va_size, &nop_ops);
	return m;
}

/* Tear down and run the leak oracle: BAR pages held by the exporters must go
 * back with the device, and no page reference may be left over. */
static void p2p_teardown(struct p2p_machine *m)
{
	for (int i = 0; i < 3; i++)
		hs_dmirror_device_remove(m->dev[i]);
	for (int i = 0; i < 3; i++)
		hs_dmirror_release(m->mir[i]);
	hs_mmu_interval_notifier_remove(&m->sub);
	for (int i = 0; i < 3; i++)
		sim_check(hs_pci_p2pmem_available(m->pdev[i]) == 0, "BAR released");
	hs_machine_check_leaks();
}

/* hmm_range_fault() with the caller's protocol around it. */
static int rf(struct p2p_machine *m, unsigned long start, unsigned long n, unsigned long dflt,
	      void *owner, void *requester)
{
	struct hs_hmm_range range = {
	    .notifier = &m->sub,
	    .start = start,
	    .end = start + n * HS_PAGE_SIZE,
	    .hmm_pfns = m->pfns,
	    .default_flags = dflt,
	    .dev_private_owner = owner,
	    .p2p_requester = requester,
	};
	int ret;
	do {
		range.notifier_seq = hs_mmu_interval_read_begin(&m->sub);
		sim_down_read(&m->mm->mmap_lock);
		ret = hs_hmm_range_fault(&range);
		sim_up_read(&m->mm->mmap_lock);
	} while (ret == -EBUSY);
	return ret;
}

static hs_pte_t pte_of(struct hs_mm *mm, unsigned long addr)
{
	return (hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, addr)->v, __ATOMIC_RELAXED);
}

/* Write @val at page @i and move it to device @d's memory; its device pfn. */
static unsigned long put_on(struct p2p_machine *m, int d, unsigned long i, unsigned long val)
{
	hs_cpu_write(m->mm, PG(i), val);
	sim_check(hs_dmirror_migrate_to_dev(m->mir[d], PG(i), 1) == 0, "migrate to gpu%d", d);
	hs_pte_t pte = pte_of(m->mm, PG(i));
	sim_check(hs_is_device_private_entry(pte), "page %lu on gpu%d", i, d);
	return hs_pte_pfn(pte);
}

/* Device page @dpfn of gpu@d: the BAR page standing for it. */
static unsigned long bar_pfn_of(struct p2p_machine *m, int d, unsigned long dpfn)
{
	struct hs_page *dpage = hs_pfn_to_page(dpfn);
	struct hs_page *bar = hs_dmirror_device_p2p_page(m->dev[d], dpfn - dpage->pgmap->start_pfn);
	sim_check(bar && bar->zone_device_data == dpage, "BAR page stands for the device page");
	return hs_page_to_pfn(bar);
}

static const unsigned long REQ = HS_HMM_PFN_REQ_FAULT | HS_HMM_PFN_ALLOW_P2P;

/* Owner match: the device pfn directly, the callback is never asked. */
static void owner_match_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long dpfn = put_on(m, 0, 0, 0x10);

	sim_check(rf(m, BASE, 1, REQ, hs_dmirror_device_owner(m->dev[0]), m->pdev[0]) == 0, "rf");
	sim_check(m->pfns[0] == (dpfn | HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE | HS_HMM_PFN_ALLOW_P2P),
		  "owner: device pfn, sticky ALLOW_P2P, no P2PDMA (%#lx)", m->pfns[0]);
	sim_check(hs_p2p_stats.callbacks == 0, "no callback for the owner");
	p2p_teardown(m);
}

/* Mismatch, P2P allowed, reachable: the BAR pfn, one callback, no migration. */
static void reachable_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long dpfn = put_on(m, 0, 0, 0x20);

	sim_check(rf(m, BASE, 1, REQ, hs_dmirror_device_owner(m->dev[1]), m->pdev[1]) == 0, "rf");
	sim_check(m->pfns[0] == (bar_pfn_of(m, 0, dpfn) | HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE |
				 HS_HMM_PFN_P2PDMA | HS_HMM_PFN_ALLOW_P2P),
		  "a P2P pfn (%#lx)", m->pfns[0]);
	sim_check(hs_is_pci_p2pdma_page(hs_pfn_to_page(hs_hmm_pfn_to_pfn(m->pfns[0]))),
		  "the pfn is P2PDMA memory");
	sim_check(hs_p2p_stats.callbacks == 1 && hs_p2p_stats.p2p_pfns == 1 &&
		      hs_p2p_stats.fallbacks == 0,
		  "one callback, answered (%lu/%lu/%lu)", hs_p2p_stats.callbacks,
		  hs_p2p_stats.p2p_pfns, hs_p2p_stats.fallbacks);
	hs_pte_t pte = pte_of(m->mm, PG(0));
	sim_check(hs_is_device_private_entry(pte) && hs_pte_pfn(pte) == dpfn,
		  "not migrated: still gpu0's device-private page");
	/* a snapshot that allows P2P gets it too (the RFC asks before REQ_FAULT) */
	sim_check(rf(m, BASE, 1, HS_HMM_PFN_ALLOW_P2P, hs_dmirror_device_owner(m->dev[1]),
		     m->pdev[1]) == 0 &&
		      (m->pfns[0] & HS_HMM_PFN_P2PDMA),
		  "snapshot with ALLOW_P2P");
	p2p_teardown(m);
}

/* Mismatch, requester named, unreachable: declined, migrated to RAM. */
static void unreachable_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	put_on(m, 0, 0, 0x30);
	unsigned long v;

	sim_check(rf(m, BASE, 1, REQ, hs_dmirror_device_owner(m->dev[2]), m->pdev[2]) == 0, "rf");
	struct hs_page *page = hs_pfn_to_page(hs_hmm_pfn_to_pfn(m->pfns[0]));
	sim_check((m->pfns[0] & HS_HMM_PFN_VALID) && !(m->pfns[0] & HS_HMM_PFN_P2PDMA) &&
		      !hs_is_zone_device_page(page),
		  "a system pfn (%#lx)", m->pfns[0]);
	sim_check(hs_pte_present(pte_of(m->mm, PG(0))), "migrated back to RAM");
	sim_check(hs_p2p_stats.callbacks == 1 && hs_p2p_stats.fallbacks == 1 &&
		      hs_p2p_stats.p2p_pfns == 0,
		  "one callback, declined");
	sim_check(hs_cpu_read(m->mm, PG(0), &v) == 0 && v == 0x30, "data came back");
	p2p_teardown(m);
}

/* Mismatch without ALLOW_P2P: today's behaviour, the callback is not asked. */
static void no_flag_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	put_on(m, 0, 0, 0x40);

	sim_check(rf(m, BASE, 1, HS_HMM_PFN_REQ_FAULT, hs_dmirror_device_owner(m->dev[1]),
		     m->pdev[1]) == 0,
		  "rf");
	sim_check(!hs_is_zone_device_page(hs_pfn_to_page(hs_hmm_pfn_to_pfn(m->pfns[0]))) &&
		      !(m->pfns[0] & (HS_HMM_PFN_P2PDMA | HS_HMM_PFN_ALLOW_P2P)),
		  "migrated, no P2P flags (%#lx)", m->pfns[0]);
	sim_check(hs_p2p_stats.callbacks == 0, "no callback without the flag");
	p2p_teardown(m);
}

/*
 * The v1 flag (no requester) on an unreachable pair: the exporter says yes,
 * the importer fails to DMA-map the BAR pfn, and asks again without the
 * flag for exactly that pfn: it ends as a system pfn while the reachable
 * page next to it keeps its P2P entry.  gpu1 reads page 0 (on gpu0,
 * reachable) and page 1 (on gpu2, not).
 */
static void v1_fallback_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long d0 = put_on(m, 0, 0, 0x50);
	unsigned long out[2], faults;

	put_on(m, 2, 1, 0x51);
	hs_dmirror_set_allow_p2p(m->mir[1], false);
	sim_check(hs_dmirror_read(m->mir[1], BASE, 2, out, &faults) == 0, "read");
	sim_check(out[0] == 0x50 && out[1] == 0x51, "data (%#lx %#lx)", out[0], out[1]);
	hs_pte_t p0 = pte_of(m->mm, PG(0)), p1 = pte_of(m->mm, PG(1));
	sim_check(hs_is_device_private_entry(p0) && hs_pte_pfn(p0) == d0,
		  "reachable page: still on gpu0, reached through the BAR");
	sim_check(hs_pte_present(p1) && !hs_is_zone_device_page(hs_pfn_to_page(hs_pte_pfn(p1))),
		  "unreachable page: back in RAM");
	sim_check(hs_p2p_stats.map_failures == 1, "one pfn failed to map (%lu)",
		  hs_p2p_stats.map_failures);
	/*
	 * Round one asks for both pages.  The retry asks for page 0 again, not
	 * for page 1, whose fault then migrates it and moves the notifier
	 * sequence: hmm_range_fault() returns -EBUSY and the driver starts
	 * again from read_begin, asking for page 0 a third time: 4 callbacks,
	 * every one answered, none for page 1 after its map failure.
	 */
	sim_check(hs_p2p_stats.callbacks == 4 && hs_p2p_stats.p2p_pfns == 4 &&
		      hs_p2p_stats.fallbacks == 0,
		  "callbacks %lu, answered %lu", hs_p2p_stats.callbacks, hs_p2p_stats.p2p_pfns);
	/* the same with the requester named: gpu2's page declined, no map failure */
	put_on(m, 2, 2, 0x52);
	hs_dmirror_set_allow_p2p(m->mir[1], true);
	sim_check(hs_dmirror_read(m->mir[1], PG(2), 1, out, NULL) == 0 && out[0] == 0x52,
		  "read with a requester");
	sim_check(hs_p2p_stats.map_failures == 1 && hs_p2p_stats.fallbacks == 1,
		  "declined by the callback, not failed at mapping");
	sim_check(hs_pte_present(pte_of(m->mm, PG(2))), "migrated back to RAM");
	p2p_teardown(m);
}

/* A device read and write through a P2P mirror entry reach the exporter's
 * page; callbacks per faulted page: 1 for another owner's, 0 for its own. */
static void data_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long out[4], in[4] = {0x71, 0x72, 0x73, 0x74}, faults, v;

	put_on(m, 0, 0, 0x60);
	put_on(m, 0, 1, 0x61);
	put_on(m, 1, 2, 0x62);
	put_on(m, 1, 3, 0x63);
	hs_p2p_stats = (struct hs_p2p_stats){0};
	hs_dmirror_set_allow_p2p(m->mir[1], true);
	sim_check(hs_dmirror_read(m->mir[1], BASE, 4, out, &faults) == 0, "read");
	for (int i = 0; i < 4; i++)
		sim_check(out[i] == 0x60ul + i, "page %d: %#lx", i, out[i]);
	sim_check(hs_p2p_stats.callbacks == 2 && hs_p2p_stats.p2p_pfns == 2,
		  "callbacks per faulted page: 2 for 2 mismatched + 2 matched (%lu)",
		  hs_p2p_stats.callbacks);
	sim_check(hs_dmirror_write(m->mir[1], BASE, 4, in, NULL) == 0, "write through the mirror");
	for (int i = 0; i < 2; i++)
		sim_check(hs_is_device_private_entry(pte_of(m->mm, PG(i))), "page %d stays on gpu0",
			  i);
	for (int i = 0; i < 4; i++)
		sim_check(hs_cpu_read(m->mm, PG(i), &v) == 0 && v == in[i], "CPU sees %#lx at %d",
			  v, i);
	p2p_teardown(m);
}

#define ONE(name, fn)                                                                              \
	static void name(void)                                                                     \
	{                                                                                          \
		CU_ASSERT_STRING_EQUAL(run_once(fn), "");                                          \
	}
ONE(test_owner_match, owner_match_main)
ONE(test_reachable, reachable_main)
ONE(test_unreachable, unreachable_main)
ONE(test_no_flag, no_flag_main)
ONE(test_v1_fallback, v1_fallback_main)
ONE(test_data, data_main)

/* gpu1 reads gpu0's page through its P2P entry while a CPU fault migrates
 * it back to RAM: the migration's invalidation clears gpu1's mirror. */
struct racectx {
	struct p2p_machine *m;
};

static void importer(void *arg)
{
	struct racectx *c = arg;
	unsigned long v;
	for (int i = 0; i < 2; i++) {
		sim_check(hs_dmirror_read(c->m->mir[1], BASE, 1, &v, NULL) == 0, "device read");
		sim_check(v == 0x80 || v == 0x81, "device read %#lx", v);
	}
}

static void cpu(void *arg)
{
	struct racectx *c = arg;
	sim_check(hs_cpu_write(c->m->mm, BASE, 0x81) == 0, "CPU write");
}

static enum hs_dmirror_bug race_bug;

static void race_main(void *arg)
{
	struct racectx *c = sim_alloc(sizeof(*c));
	c->m = p2p_setup(2);
	put_on(c->m, 0, 0, 0x80);
	hs_dmirror_set_allow_p2p(c->m->mir[1], true);
	hs_dmirror_set_bug(c->m->mir[1], race_bug);
	int a = sim_thread_spawn("importer", importer, c);
	int b = sim_thread_spawn("cpu", cpu, c);
	sim_thread_join(a);
	sim_thread_join(b);
	p2p_teardown(c->m);
}

static void test_race(void)
{
	struct sim_scenario sc = SCENARIO("t-p2p-race", race_main);
	race_bug = HS_DMIRROR_OK;
	struct sim_result r = run(&sc, SIM_STRATEGY_PCT, 300, 0, 1);
	CU_ASSERT_EQUAL(r.executions, 300);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n", r.reports[0].kind, r.reports[0].message);
	sim_result_free(&r);
}

/* The oracle sees a stale P2P entry: an importer that programs its mirror
 * without read_retry keeps reaching the BAR of a page that left gpu0. */
static void test_race_no_retry(void)
{
	struct sim_scenario sc = SCENARIO("t-p2p-race-bug", race_main);
	race_bug = HS_DMIRROR_BUG_NO_RETRY;
	struct sim_result r = run(&sc, SIM_STRATEGY_PCT, 2000, 0, 1);
	race_bug = HS_DMIRROR_OK;
	CU_ASSERT_STRING_EQUAL(first_kind(&r), HS_KIND_COHERENCE);
	if (getenv("HMMSIM_TEST_VERBOSE") && r.nr_reports)
		fprintf(stderr, "\n%s (%lu of %lu): %s\n", r.reports[0].kind,
			(unsigned long)r.violations_found, (unsigned long)r.executions,
			r.reports[0].message);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("p2p_hmm", NULL, NULL);
	CU_add_test(s, "owner match: device pfn, no callback", test_owner_match);
	CU_add_test(s, "mismatch, reachable: P2P pfn, one callback, no migration", test_reachable);
	CU_add_test(s, "mismatch, unreachable requester: declined, migrated", test_unreachable);
	CU_add_test(s, "mismatch without ALLOW_P2P: migrated", test_no_flag);
	CU_add_test(s, "v1 flag: map failure, retry without the flag for that pfn",
		    test_v1_fallback);
	CU_add_test(s, "data through a P2P entry; callbacks per faulted page", test_data);
	CU_add_test(s, "P2P read vs CPU fault migrating back (pct)", test_race);
	CU_add_test(s, "the same without read_retry: coherence violation (pct)",
		    test_race_no_retry);
}
