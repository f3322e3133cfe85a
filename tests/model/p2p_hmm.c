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
 * Also: asymmetric links (atomics, direction), HMM_PFN_P2PDMA_BUS and the
 * three-device comparison of the v1/v2 flag on their own topology, and hot
 * unplug of an exporter (the scenarios of lab/scenarios.c).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/p2pdma.h>
#include <stdio.h>
#include <string.h>

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

/* @exports: bit i, gpu i exports its memory through a BAR (else only a PCI
 * function); p2p_setup() exports gpu0 and gpu2. */
static struct p2p_machine *p2p_setup_ex(unsigned long npages, unsigned int exports)
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
		if (!(exports & (1u << i)))
			hs_dmirror_device_set_pci(m->dev[i], m->pdev[i]);
		else
			sim_check(hs_dmirror_device_set_p2p(m->dev[i], m->pdev[i]) == 0, "set_p2p");
		m->mir[i] = hs_dmirror_open(m->dev[i], m->mm);
	}
	hs_mmu_interval_notifier_insert(&m->sub, m->mm, 0, m->mm->va_size, &nop_ops);
	return m;
}

static struct p2p_machine *p2p_setup(unsigned long npages)
{
	return p2p_setup_ex(npages, 0x5);
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

/*
 * The walk's RCU read-side section: hmm_vma_walk_pmd() maps each PTE table
 * with pte_offset_map(), which enters RCU, and the RFC's callbacks run
 * inside it.  A p2p_allow callback that takes a mutex (a driver's natural
 * choice to guard its grant state) sleeps in atomic context: the
 * might-sleep oracle reports it.  The same callback under a spinlock is
 * fine (the p2p-callback/locked lab policy's choice).
 */
struct sleepy_allow {
	struct hs_hmm_p2p_allow allow;
	sim_mutex_t mutex;
	sim_spinlock_t spin;
	bool use_mutex;
};

static bool sleepy_allow_cb(struct hs_hmm_p2p_allow *allow, struct hs_dev_pagemap *pgmap)
{
	struct sleepy_allow *a = (struct sleepy_allow *)allow;
	(void)pgmap;
	if (a->use_mutex) {
		sim_mutex_lock(&a->mutex);
		sim_mutex_unlock(&a->mutex);
	} else {
		sim_spin_lock(&a->spin);
		sim_spin_unlock(&a->spin);
	}
	return true;
}

static bool sleepy_use_mutex;

static void sleepy_allow_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	struct sleepy_allow *a = sim_alloc(sizeof(*a));
	unsigned long dpfn = put_on(m, 0, 0, 0x21);

	a->allow.allow = sleepy_allow_cb;
	a->use_mutex = sleepy_use_mutex;
	sim_mutex_init(&a->mutex, "driver->grant_mutex");
	sim_spin_init(&a->spin, "driver->grant_lock");
	struct hs_hmm_range range = {
	    .notifier = &m->sub,
	    .start = BASE,
	    .end = BASE + HS_PAGE_SIZE,
	    .hmm_pfns = m->pfns,
	    .default_flags = HS_HMM_PFN_REQ_FAULT,
	    .dev_private_owner = hs_dmirror_device_owner(m->dev[1]),
	    .p2p_allow = &a->allow,
	};
	int ret;
	do {
		range.notifier_seq = hs_mmu_interval_read_begin(&m->sub);
		sim_down_read(&m->mm->mmap_lock);
		ret = hs_hmm_range_fault(&range);
		sim_up_read(&m->mm->mmap_lock);
	} while (ret == -EBUSY);
	sim_check(ret == 0 && m->pfns[0] == (dpfn | HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE),
		  "p2p_allow said yes: gpu0's device pfn (%#lx)", m->pfns[0]);
	p2p_teardown(m);
}

static void test_sleepy_allow(void)
{
	sleepy_use_mutex = true;
	CU_ASSERT_STRING_EQUAL(run_once(sleepy_allow_main), SIM_KIND_MIGHT_SLEEP);
	sleepy_use_mutex = false;
	CU_ASSERT_STRING_EQUAL(run_once(sleepy_allow_main), "");
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

/* ---- asymmetric links through P2P entries (docs/p2p.md "Asymmetric paths") ---- */

/*
 * gpu1 -> gpu0 carries reads and writes but no AtomicOps: gpu1's read and
 * write of a page on gpu0 go peer-to-peer; its atomic cannot, so the DMA
 * mapping for the atomic fails, the pfn is asked for again without
 * ALLOW_P2P and the page falls back to host memory, where the atomic runs.
 */
static void no_atomics_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long v = 0, w = 0x101, old = 0;

	sim_check(hs_pci_link_set(m->pdev[1], m->pdev[0], HS_PCI_LINK_READ | HS_PCI_LINK_WRITE) ==
		      0,
		  "link");
	unsigned long dpfn = put_on(m, 0, 0, 0x100);
	hs_dmirror_set_allow_p2p(m->mir[1], true);
	hs_p2p_stats = (struct hs_p2p_stats){0};
	sim_check(hs_dmirror_read(m->mir[1], BASE, 1, &v, NULL) == 0 && v == 0x100, "read %#lx", v);
	sim_check(hs_dmirror_write(m->mir[1], BASE, 1, &w, NULL) == 0, "write");
	hs_pte_t pte = pte_of(m->mm, PG(0));
	sim_check(hs_is_device_private_entry(pte) && hs_pte_pfn(pte) == dpfn,
		  "read and write went peer-to-peer: the page is still on gpu0");
	sim_check(hs_dmirror_mirror_entry(m->mir[1], PG(0)) & HS_HMM_PFN_P2PDMA, "a P2P entry");
	sim_check(hs_p2p_stats.map_failures == 0 && hs_p2p_stats.migrations == 0,
		  "no fallback for read/write (%lu/%lu)", hs_p2p_stats.map_failures,
		  hs_p2p_stats.migrations);
	sim_check(hs_dmirror_atomic(m->mir[1], BASE, 1, 5, &old, NULL) == 0, "atomic");
	sim_check(old == 0x101, "atomic saw %#lx", old);
	sim_check(hs_p2p_stats.map_failures == 1 && hs_p2p_stats.migrations == 1,
		  "the atomic fell back: map failures %lu, migrations %lu",
		  hs_p2p_stats.map_failures, hs_p2p_stats.migrations);
	pte = pte_of(m->mm, PG(0));
	sim_check(hs_pte_present(pte) && !hs_is_zone_device_page(hs_pfn_to_page(hs_pte_pfn(pte))),
		  "the page is in host memory");
	sim_check(!(hs_dmirror_mirror_entry(m->mir[1], PG(0)) & HS_HMM_PFN_P2PDMA),
		  "the mirror maps host memory");
	sim_check(hs_cpu_read(m->mm, PG(0), &v) == 0 && v == 0x106, "CPU sees %#lx", v);
	p2p_teardown(m);
}

/* A read-only link: gpu1 reads gpu0's page peer-to-peer; its write cannot
 * go that way and falls back. */
static void read_only_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long v = 0, w = 0x111;

	sim_check(hs_pci_link_set(m->pdev[1], m->pdev[0], HS_PCI_LINK_READ) == 0, "link");
	put_on(m, 0, 0, 0x110);
	hs_dmirror_set_allow_p2p(m->mir[1], true);
	hs_p2p_stats = (struct hs_p2p_stats){0};
	sim_check(hs_dmirror_read(m->mir[1], BASE, 1, &v, NULL) == 0 && v == 0x110, "read");
	unsigned long ent = hs_dmirror_mirror_entry(m->mir[1], PG(0));
	sim_check((ent & HS_HMM_PFN_P2PDMA) && !(ent & HS_HMM_PFN_WRITE),
		  "a read-only P2P entry (%#lx)", ent);
	sim_check(hs_p2p_stats.map_failures == 0, "the read went peer-to-peer");
	sim_check(hs_dmirror_write(m->mir[1], BASE, 1, &w, NULL) == 0, "write");
	sim_check(hs_p2p_stats.map_failures == 1 && hs_p2p_stats.migrations == 1,
		  "the write fell back (%lu/%lu)", hs_p2p_stats.map_failures,
		  hs_p2p_stats.migrations);
	sim_check(hs_cpu_read(m->mm, PG(0), &v) == 0 && v == 0x111, "CPU sees %#lx", v);
	p2p_teardown(m);
}

/*
 * A one-way link: gpu0 may initiate anything towards gpu1, gpu1 nothing
 * towards gpu0.  gpu0 reads a page on gpu1 peer-to-peer; gpu1 reading a
 * page on gpu0 falls back to host memory.  gpu1 exports too here.
 */
static void one_way_main(void *arg)
{
	struct p2p_machine *m = p2p_setup_ex(4, 0x7);
	unsigned long v = 0;

	sim_check(hs_pci_link_set(m->pdev[0], m->pdev[1], HS_PCI_LINK_ALL | HS_PCI_LINK_ONE_WAY) ==
		      0,
		  "link");
	unsigned long d1 = put_on(m, 1, 0, 0x120);
	put_on(m, 0, 1, 0x121);
	hs_dmirror_set_allow_p2p(m->mir[0], true);
	hs_dmirror_set_allow_p2p(m->mir[1], true);
	hs_p2p_stats = (struct hs_p2p_stats){0};
	sim_check(hs_dmirror_read(m->mir[0], PG(0), 1, &v, NULL) == 0 && v == 0x120, "gpu0 read");
	hs_pte_t pte = pte_of(m->mm, PG(0));
	sim_check(hs_is_device_private_entry(pte) && hs_pte_pfn(pte) == d1,
		  "the open direction: peer-to-peer, still on gpu1");
	sim_check(hs_p2p_stats.map_failures == 0 && hs_p2p_stats.migrations == 0, "no fallback");
	sim_check(hs_dmirror_read(m->mir[1], PG(1), 1, &v, NULL) == 0 && v == 0x121, "gpu1 read");
	sim_check(hs_pte_present(pte_of(m->mm, PG(1))), "the closed direction: back in RAM");
	sim_check(hs_p2p_stats.map_failures == 1 && hs_p2p_stats.migrations == 1,
		  "one fallback (%lu/%lu)", hs_p2p_stats.map_failures, hs_p2p_stats.migrations);
	p2p_teardown(m);
}

/* ---- three devices: HMM_PFN_P2PDMA_BUS and the v1 flag's blind spot ------------- */

/*
 * hb0 (on the P2P allowlist): root port 0 with a switch holding E (the
 * exporter) and A; root port 1 holding C.  hb1 (not listed): a root port
 * holding B.  E-A: BUS_ADDR; E-C: THRU_HOST_BRIDGE; E-B: NOT_SUPPORTED.
 */
struct tri {
	struct hs_mm *mm;
	struct hs_pci_dev *pe, *pa, *pb, *pc;
	struct hs_dmirror_device *e, *a, *b, *c;
	struct hs_dmirror *me, *ma, *mb, *mc;
};

static struct tri *tri_setup(void)
{
	struct tri *t = sim_alloc(sizeof(*t));

	t->mm = model_setup(4, HS_VM_READ | HS_VM_WRITE);
	struct hs_pci_host_bridge *hb0 = hs_pci_host_bridge_add("hb0", HS_PCI_HB_WHITELISTED);
	struct hs_pci_host_bridge *hb1 = hs_pci_host_bridge_add("hb1", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb0), 2);
	t->pe = hs_pci_device_add(sw->down[0], "E");
	t->pa = hs_pci_device_add(sw->down[1], "A");
	t->pc = hs_pci_device_add(hs_pci_root_port_add(hb0), "C");
	t->pb = hs_pci_device_add(hs_pci_root_port_add(hb1), "B");
	t->e = hs_dmirror_device_create("E", 4);
	sim_check(hs_dmirror_device_set_p2p(t->e, t->pe) == 0, "set_p2p");
	t->a = hs_dmirror_device_create("A", 4);
	hs_dmirror_device_set_pci(t->a, t->pa);
	t->b = hs_dmirror_device_create("B", 4);
	hs_dmirror_device_set_pci(t->b, t->pb);
	t->c = hs_dmirror_device_create("C", 4);
	hs_dmirror_device_set_pci(t->c, t->pc);
	t->me = hs_dmirror_open(t->e, t->mm);
	t->ma = hs_dmirror_open(t->a, t->mm);
	t->mb = hs_dmirror_open(t->b, t->mm);
	t->mc = hs_dmirror_open(t->c, t->mm);
	sim_check(hs_pci_p2pdma_map_type(t->pe, t->pa) == HS_PCI_P2PDMA_MAP_BUS_ADDR &&
		      hs_pci_p2pdma_map_type(t->pe, t->pc) == HS_PCI_P2PDMA_MAP_THRU_HOST_BRIDGE &&
		      hs_pci_p2pdma_map_type(t->pe, t->pb) == HS_PCI_P2PDMA_MAP_NOT_SUPPORTED,
		  "topology");
	for (int i = 0; i < 4; i++)
		sim_check(hs_cpu_write(t->mm, PG(i), 0x200ul + (unsigned long)i) == 0, "CPU write");
	sim_check(hs_dmirror_migrate_to_dev(t->me, BASE, 4) == 0, "migrate to E");
	return t;
}

static void tri_teardown(struct tri *t)
{
	hs_dmirror_device_remove(t->e);
	hs_dmirror_release(t->me);
	hs_dmirror_release(t->ma);
	hs_dmirror_release(t->mb);
	hs_dmirror_release(t->mc);
	hs_machine_check_leaks();
}

/* HMM_PFN_P2PDMA_BUS: set for a pair below one switch, not through the host
 * bridge. */
static void p2pdma_bus_main(void *arg)
{
	struct tri *t = tri_setup();
	unsigned long v;

	hs_dmirror_set_allow_p2p(t->ma, true);
	hs_dmirror_set_allow_p2p(t->mc, true);
	sim_check(hs_dmirror_read(t->ma, PG(0), 1, &v, NULL) == 0 && v == 0x200, "A read");
	sim_check(hs_dmirror_read(t->mc, PG(1), 1, &v, NULL) == 0 && v == 0x201, "C read");
	unsigned long ea = hs_dmirror_mirror_entry(t->ma, PG(0));
	unsigned long ec = hs_dmirror_mirror_entry(t->mc, PG(1));
	sim_check((ea & HS_HMM_PFN_P2PDMA) && (ea & HS_HMM_PFN_P2PDMA_BUS),
		  "same switch: a bus-address P2P mapping (%#lx)", ea);
	sim_check((ec & HS_HMM_PFN_P2PDMA) && !(ec & HS_HMM_PFN_P2PDMA_BUS),
		  "through the host bridge: P2P, not by bus address (%#lx)", ec);
	tri_teardown(t);
}

/*
 * The review's three-device point: A (same switch) and B (behind a
 * non-allowlisted host bridge) each read one of E's pages.  v1 (no
 * requester): E cannot tell them apart and hands B a P2P pfn that fails to
 * map, costing the mlx5 retry; v2 (requester named): E declines B at the
 * callback.  The counters of each variant, filled by the execution.
 */
static struct hs_p2p_stats tri_stats[2];

static void tri_main(void *arg)
{
	int v2 = (int)(long)arg;
	struct tri *t = tri_setup();
	unsigned long v;

	hs_dmirror_set_allow_p2p(t->ma, v2);
	hs_dmirror_set_allow_p2p(t->mb, v2);
	hs_p2p_stats = (struct hs_p2p_stats){0};
	sim_check(hs_dmirror_read(t->ma, PG(0), 1, &v, NULL) == 0 && v == 0x200, "A read");
	sim_check(hs_dmirror_read(t->mb, PG(1), 1, &v, NULL) == 0 && v == 0x201, "B read");
	tri_stats[v2] = hs_p2p_stats;
	sim_check(hs_dmirror_mirror_entry(t->ma, PG(0)) & HS_HMM_PFN_P2PDMA, "A: P2P");
	sim_check(!(hs_dmirror_mirror_entry(t->mb, PG(1)) & HS_HMM_PFN_P2PDMA) &&
		      hs_pte_present(pte_of(t->mm, PG(1))),
		  "B: host memory");
	tri_teardown(t);
}

static void test_three_devices(void)
{
	static const char *const name[2] = {"v1 (no requester)", "v2 (requester)"};
	for (long v2 = 0; v2 < 2; v2++) {
		struct sim_scenario sc = SCENARIO("t-p2p-three", tri_main, .arg = (void *)v2);
		struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), "");
		if (r.nr_reports)
			fprintf(stderr, "\n%s: %s\n", r.reports[0].kind, r.reports[0].message);
		sim_result_free(&r);
		struct hs_p2p_stats *st = &tri_stats[v2];
		if (getenv("HMMSIM_TEST_VERBOSE"))
			fprintf(stderr,
				"\n%s: callbacks %lu p2p_pfns %lu fallbacks %lu map_failures %lu "
				"migrations %lu ebusy %lu pages %lu",
				name[v2], st->callbacks, st->p2p_pfns, st->fallbacks,
				st->map_failures, st->migrations, st->ebusy, st->pages);
		/* both: one callback per page asked, one migration of B's page, and
		 * the -EBUSY its invalidation causes */
		CU_ASSERT_EQUAL(st->callbacks, 2);
		CU_ASSERT_EQUAL(st->migrations, 1);
		CU_ASSERT_EQUAL(st->ebusy, 1);
		if (!v2) { /* B got a pfn it cannot map: the mlx5 retry, one more
			    * successful hmm_range_fault() round for B */
			CU_ASSERT_EQUAL(st->pages, 3);
			CU_ASSERT_EQUAL(st->p2p_pfns, 2);
			CU_ASSERT_EQUAL(st->fallbacks, 0);
			CU_ASSERT_EQUAL(st->map_failures, 1);
		} else { /* declined at the callback */
			CU_ASSERT_EQUAL(st->pages, 2);
			CU_ASSERT_EQUAL(st->p2p_pfns, 1);
			CU_ASSERT_EQUAL(st->fallbacks, 1);
			CU_ASSERT_EQUAL(st->map_failures, 0);
		}
	}
}

/* ---- hot unplug of the exporter (docs/p2p.md "Hot unplug") -------------------- */

/* The ordered revoke, one thread: gpu1's P2P entry goes with the eviction,
 * the data comes back to RAM, the BAR is released, nothing leaks. */
static void unplug_safe_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	unsigned long v = 0;

	put_on(m, 0, 0, 0x300);
	put_on(m, 0, 1, 0x301);
	hs_dmirror_set_allow_p2p(m->mir[1], true);
	sim_check(hs_dmirror_read(m->mir[1], BASE, 1, &v, NULL) == 0 && v == 0x300, "read");
	sim_check(hs_dmirror_mirror_entry(m->mir[1], PG(0)) & HS_HMM_PFN_P2PDMA, "P2P entry");
	sim_check(hs_dmirror_device_unplug(m->dev[0], HS_DMIRROR_UNPLUG_SAFE) == 0, "unplug");
	sim_check(hs_dmirror_mirror_entry(m->mir[1], PG(0)) == 0, "the importer's entry is gone");
	sim_check(hs_dmirror_device_pages_in_use(m->dev[0]) == 0, "nothing left on gpu0");
	sim_check(hs_pci_p2pmem_available(m->pdev[0]) == 0, "BAR released");
	sim_check(hs_dmirror_read(m->mir[1], BASE, 2, (unsigned long[2]){0}, NULL) == 0, "read");
	for (int i = 0; i < 2; i++)
		sim_check(hs_cpu_read(m->mm, PG(i), &v) == 0 && v == 0x300ul + (unsigned long)i,
			  "page %d: %#lx", i, v);
	sim_check(hs_dmirror_device_lost(m->dev[0], NULL) == 0, "nothing lost");
	for (int i = 1; i < 3; i++)
		hs_dmirror_device_remove(m->dev[i]);
	for (int i = 0; i < 3; i++)
		hs_dmirror_release(m->mir[i]);
	hs_mmu_interval_notifier_remove(&m->sub);
	hs_machine_check_leaks();
}

ONE(test_no_atomics, no_atomics_main)
ONE(test_read_only, read_only_main)
ONE(test_one_way, one_way_main)
ONE(test_p2pdma_bus, p2pdma_bus_main)
ONE(test_unplug_safe, unplug_safe_main)

/* The built-in unplug scenarios (lab/scenarios.c): the correct ones clean,
 * the others found with their kind. */
static void test_unplug_scenarios(void)
{
	static const struct {
		const char *name;
		uint64_t budget;
	} sc[] = {
	    {"p2p-unplug-safe", 3000},
	    {"p2p-unplug-free-first", 2000},
	    {"p2p-unplug-surprise", 100},
	    {"p2p-unplug-surprise-cleanup", 3000},
	    {"p2p-unplug-devm", 100},
	    {"p2p-importer-unload", 3000},
	    {"p2p-importer-unload-nowait", 2000},
	};
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		const struct sim_scenario *s = hs_model_scenario_find(sc[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		struct sim_result r = run(s, SIM_STRATEGY_PCT, sc[i].budget, 0, 1);
		const char *want = s->expect ? s->expect : "";
		CU_ASSERT_STRING_EQUAL(first_kind(&r), want);
		if (!s->expect)
			CU_ASSERT_EQUAL(r.executions, sc[i].budget);
		if (strcmp(first_kind(&r), want) || getenv("HMMSIM_TEST_VERBOSE"))
			fprintf(stderr, "\n%s: %s after %lu executions%s%s\n", sc[i].name,
				r.nr_reports ? r.reports[0].kind : "clean",
				(unsigned long)r.executions, r.nr_reports ? ": " : "",
				r.nr_reports ? r.reports[0].message : "");
		sim_result_free(&r);
	}
}

/*
 * The same scenarios under dpor (unbounded, with its probe rounds): the bug
 * variants are found, and the surprise removal's cleanup stays clean.  The
 * unplug evicts once (as test_hmm's and nouveau's removal do), so a page a
 * fault held during that pass and whose copy then failed stays mapped; the
 * scenario's process lets it go, else memunmap_pages() would wait forever
 * (a deadlock dpor's probe rounds find within 20 executions).
 */
static void test_unplug_scenarios_dpor(void)
{
	static const struct {
		const char *name;
		uint64_t budget;
	} sc[] = {
	    {"p2p-unplug-free-first", 2000},
	    {"p2p-unplug-surprise", 100},
	    {"p2p-unplug-surprise-cleanup", 5000},
	    {"p2p-unplug-devm", 100},
	    {"p2p-unplug-safe", 5000},
	};
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		const struct sim_scenario *s = hs_model_scenario_find(sc[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		struct sim_result r = run(s, SIM_STRATEGY_DPOR, sc[i].budget, 0, 1);
		const char *want = s->expect ? s->expect : "";
		CU_ASSERT_STRING_EQUAL(first_kind(&r), want);
		if (strcmp(first_kind(&r), want) || getenv("HMMSIM_TEST_VERBOSE"))
			fprintf(stderr, "\n%s (dpor): %s after %lu+%lu executions%s%s\n",
				sc[i].name, r.nr_reports ? r.reports[0].kind : "clean",
				(unsigned long)r.probe_executions, (unsigned long)r.executions,
				r.nr_reports ? ": " : "", r.nr_reports ? r.reports[0].message : "");
		sim_result_free(&r);
	}
}

/*
 * Surprise removal against an importer's P2P accesses: an access that
 * reaches the vanished device must fail and be recorded, never succeed;
 * the explorer finds one (the pages lost at eviction are not counted here).
 */
struct surprise {
	struct p2p_machine *m;
};

static void surprise_importer(void *arg)
{
	struct surprise *c = arg;
	unsigned long v = 0;
	for (int i = 0; i < 2; i++) {
		int ret = hs_dmirror_read(c->m->mir[1], BASE, 1, &v, NULL);
		sim_check(ret == 0 || ret == -EIO || ret == -EFAULT, "read: %d", ret);
	}
}

static void surprise_unplug(void *arg)
{
	struct surprise *c = arg;
	hs_dmirror_device_unplug(c->m->dev[0], HS_DMIRROR_UNPLUG_SURPRISE);
}

static void surprise_main(void *arg)
{
	struct surprise *c = sim_alloc(sizeof(*c));
	c->m = p2p_setup(2);
	put_on(c->m, 0, 0, 0x400);
	hs_dmirror_set_allow_p2p(c->m->mir[1], true);
	int a = sim_thread_spawn("importer", surprise_importer, c);
	int b = sim_thread_spawn("unplug", surprise_unplug, c);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_check(hs_dmirror_device_pages_in_use(c->m->dev[0]) == 0, "pages in use");
	sim_check(hs_pci_p2pmem_available(c->m->pdev[0]) == 0, "BAR not released");
	for (int i = 1; i < 3; i++)
		hs_dmirror_device_remove(c->m->dev[i]);
	for (int i = 0; i < 3; i++)
		hs_dmirror_release(c->m->mir[i]);
	hs_mmu_interval_notifier_remove(&c->m->sub);
	hs_machine_check_leaks();
	if (hs_dmirror_device_lost(c->m->dev[0], NULL))
		hs_dmirror_device_check_lost(c->m->dev[0]);
}

static void test_surprise_access(void)
{
	struct sim_scenario sc = SCENARIO("t-p2p-surprise", surprise_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_PCT, 2000, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), HS_KIND_LOST_ACCESS);
	if (r.nr_reports && getenv("HMMSIM_TEST_VERBOSE"))
		fprintf(stderr, "\n%s after %lu executions: %s\n", r.reports[0].kind,
			(unsigned long)r.executions, r.reports[0].message);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("p2p_hmm", NULL, NULL);
	CU_add_test(s, "owner match: device pfn, no callback", test_owner_match);
	CU_add_test(s, "mismatch, reachable: P2P pfn, one callback, no migration", test_reachable);
	CU_add_test(s, "mismatch, unreachable requester: declined, migrated", test_unreachable);
	CU_add_test(s, "mismatch without ALLOW_P2P: migrated", test_no_flag);
	CU_add_test(s, "p2p_allow runs in the walk's RCU section: a mutex there is found",
		    test_sleepy_allow);
	CU_add_test(s, "v1 flag: map failure, retry without the flag for that pfn",
		    test_v1_fallback);
	CU_add_test(s, "data through a P2P entry; callbacks per faulted page", test_data);
	CU_add_test(s, "P2P read vs CPU fault migrating back (pct)", test_race);
	CU_add_test(s, "the same without read_retry: coherence violation (pct)",
		    test_race_no_retry);
	CU_add_test(s, "link without atomics: read/write P2P, atomic falls back", test_no_atomics);
	CU_add_test(s, "read-only link: write falls back", test_read_only);
	CU_add_test(s, "one-way link: the closed direction falls back", test_one_way);
	CU_add_test(s, "HMM_PFN_P2PDMA_BUS: switch yes, host bridge no", test_p2pdma_bus);
	CU_add_test(s, "three devices: v1 map failure + retry vs v2 declined", test_three_devices);
	CU_add_test(s, "safe unplug: importer entry gone, data back, BAR released",
		    test_unplug_safe);
	CU_add_test(s, "unplug scenarios: safe/unload clean, bug variants found (pct)",
		    test_unplug_scenarios);
	CU_add_test(s, "unplug scenarios: bug variants found, surprise cleanup clean (dpor)",
		    test_unplug_scenarios_dpor);
	CU_add_test(s, "surprise unplug: an importer access is a lost access (pct)",
		    test_surprise_access);
}
