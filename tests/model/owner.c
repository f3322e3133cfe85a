// SPDX-License-Identifier: MIT
/*
 * owner suite: the owner-field design lab (docs/owner-semantics.md) with
 * fixed seeds.  Each policy's matching rule as a single-threaded unit test;
 * the exact per-page cost of the callback policies; then the whole table of
 * `hmmsim experiment owner` (every row, every scenario), the ablations that
 * show what each part of a policy is for, and the table's stability.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/experiment.h>
#include <hmmsim/hmm.h>
#include <hmmsim/mm.h>
#include <hmmsim/owner.h>
#include <hmmsim/p2pdma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* model/internal.h: the RAM free list */

#define BUDGET 2000 /* the CLI's default */
#define SEED   1
#define VA     0x100000ul
#define PG     HS_PAGE_SIZE

static const struct sim_scenario *scenario(const char *name)
{
	size_t n;
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(scs[i]->name, name) == 0)
			return scs[i];
	CU_FAIL_FATAL("no such scenario");
	return NULL;
}

static struct hs_owner_config config(const char *name)
{
	struct hs_owner_config cfg = {HS_OWNER_POINTER, 32, 0};
	int ret = hs_owner_config_parse(name, &cfg);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "\nno config %s\n", name);
	return cfg;
}

/* Run @sc under config @cfg; the first violation's kind or "clean". */
static const char *run_n(const char *sc, const char *cfg, uint64_t budget, bool no_races,
			 struct hs_owner_experiment_result *r)
{
	static char kind[32];
	struct hs_owner_config c = config(cfg);
	int ret = hs_owner_experiment_run(scenario(sc), &c, budget, SEED, no_races, r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "\n%s under %s: %s\n", sc, cfg, r->error);
	snprintf(kind, sizeof(kind), "%s", r->found ? r->kind : "clean");
	return kind;
}

static const char *run(const char *sc, const char *cfg, bool no_races,
		       struct hs_owner_experiment_result *r)
{
	return run_n(sc, cfg, BUDGET, no_races, r);
}

/* ---- names ------------------------------------------------------------------------ */

static void test_names(void)
{
	enum hs_owner_policy p;
	for (int i = 0; i < HS_OWNER_NR_POLICIES; i++) {
		CU_ASSERT_EQUAL(hs_owner_policy_parse(hs_owner_policy_name(i), &p), 0);
		CU_ASSERT_EQUAL(p, i);
		CU_ASSERT_TRUE(hs_owner_policy_implemented(i));
	}
	CU_ASSERT_EQUAL(hs_owner_policy_parse("no-such-policy", &p), -EINVAL);
	CU_ASSERT_EQUAL(hs_owner_policy, HS_OWNER_POINTER); /* the kernel's, by default */
	CU_ASSERT_EQUAL(hs_owner_flags, 0);

	/* the table: 8 policies, 11 rows; names round-trip */
	size_t n, all;
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&n);
	const struct hs_owner_config *every = hs_owner_experiment_all_configs(&all);
	CU_ASSERT_EQUAL(n, 11);
	CU_ASSERT_TRUE(all > n);
	CU_ASSERT_PTR_EQUAL(cfgs, every);
	bool seen[HS_OWNER_NR_POLICIES] = {false};
	for (size_t i = 0; i < all; i++) {
		char name[48];
		struct hs_owner_config c;
		CU_ASSERT_EQUAL(
		    hs_owner_config_parse(hs_owner_config_name(&every[i], name, sizeof(name)), &c),
		    0);
		CU_ASSERT_EQUAL(memcmp(&c, &every[i], sizeof(c)), 0);
		if (i < n)
			seen[every[i].policy] = true;
	}
	for (int i = 0; i < HS_OWNER_NR_POLICIES; i++)
		CU_ASSERT_TRUE(seen[i]);
	char name[48];
	CU_ASSERT_STRING_EQUAL(hs_owner_config_name(&cfgs[1], name, sizeof(name)), "cluster-id/4");
	CU_ASSERT_STRING_EQUAL(hs_owner_config_name(&cfgs[7], name, sizeof(name)),
			       "p2p-callback/locked");
	struct hs_owner_config c;
	CU_ASSERT_EQUAL(hs_owner_config_parse("p2p-callback/bogus", &c), -EINVAL);

	/* SCENARIO@CONFIG, through the model's lookup; ':' or '/' */
	const struct sim_scenario *sc = hs_model_scenario_find("owner-group-unplug@peer-group");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_STRING_EQUAL(sc->name, "owner-group-unplug@peer-group");
	CU_ASSERT_PTR_EQUAL(hs_model_scenario_find("owner-id-wrap@cluster-id:4"),
			    hs_model_scenario_find("owner-id-wrap@cluster-id/4"));
	CU_ASSERT_STRING_EQUAL(hs_model_scenario_find("owner-id-wrap@cluster-id/4")->name,
			       "owner-id-wrap@cluster-id:4");
	CU_ASSERT_PTR_NULL(hs_model_scenario_find("owner-id-wrap@cluster-id:5"));
	CU_ASSERT_PTR_NULL(hs_model_scenario_find("owner-nothing@pointer"));
	CU_ASSERT_PTR_NULL(hs_model_scenario_find("owner-id-wrap"));
}

/* ---- matching rules, one thread ---------------------------------------------------- */

/* What the rule scenarios saw (written by the simulated main thread). */
static struct rule_seen {
	unsigned char perm[4];
	unsigned long entry[4];
	void *key[6];
	unsigned long in_use[2];
	struct hs_p2p_stats p2p[4];
	int change;
	unsigned long ram_free[2];
} seen;

struct rlab {
	struct hs_mm *mm;
	struct hs_pci_switch *sw[2];
	unsigned int port[2];
};

static struct rlab *rlab_new(unsigned long npages)
{
	struct rlab *l = sim_alloc(sizeof(*l));
	hs_machine_init(32, 48);
	hs_owner_lab_reset();
	l->mm = hs_mm_alloc("proc", 1ul << 22, 8);
	sim_check(hs_mmap(l->mm, VA, npages * PG, HS_VM_READ | HS_VM_WRITE) == 0, "mmap");
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	for (int i = 0; i < 2; i++)
		l->sw[i] = hs_pci_switch_add(hs_pci_root_port_add(hb), 8);
	for (unsigned long i = 0; i < npages; i++)
		sim_check(hs_cpu_write(l->mm, VA + i * PG, 0x40 + i) == 0, "CPU write");
	return l;
}

static struct hs_pci_dev *rlab_pdev(struct rlab *l, int sw)
{
	return hs_pci_device_add(l->sw[sw]->down[l->port[sw]++], "fn");
}

/* A 4-page device below switch @sw: with a BAR (exporter) under p2p-callback. */
static struct hs_dmirror_device *rlab_dev(struct rlab *l, const char *name, int sw,
					  struct hs_pci_dev **pdev)
{
	struct hs_dmirror_device *d = hs_dmirror_device_create(name, 4);
	struct hs_pci_dev *p = rlab_pdev(l, sw);
	if (hs_owner_policy == HS_OWNER_P2P_CALLBACK)
		sim_check(hs_dmirror_device_set_p2p(d, p) == 0, "BAR");
	else
		hs_dmirror_device_set_pci(d, p);
	if (pdev)
		*pdev = p;
	return d;
}

static struct hs_dmirror *rlab_open(struct rlab *l, struct hs_dmirror_device *d)
{
	struct hs_dmirror *m = hs_dmirror_open(d, l->mm);
	if (hs_owner_policy == HS_OWNER_P2P_CALLBACK)
		hs_dmirror_set_allow_p2p(m, true);
	return m;
}

/*
 * Owner keys: a and c in clusters of their own (perm[0]: c's snapshot of a's
 * page), then sharing one (perm[1]), then a changes to a third cluster
 * (change: the return; perm[2]; in_use[0]: a's pages afterwards).
 */
static void rule_keys_main(void *arg)
{
	(void)arg;
	struct rlab *l = rlab_new(1);
	struct hs_dmirror_device *a = rlab_dev(l, "a", 0, NULL), *c = rlab_dev(l, "c", 0, NULL);
	struct hs_dmirror *ma = rlab_open(l, a), *mc = rlab_open(l, c);
	sim_check(hs_dmirror_migrate_to_dev(ma, VA, 1) == 0, "migrate");
	sim_check(hs_dmirror_snapshot(mc, VA, 1, &seen.perm[0]) == 0, "snapshot");
	void *p = sim_alloc(8), *q = sim_alloc(8), *kp = hs_owner_key(p), *kq = hs_owner_key(q);
	hs_dmirror_device_set_owner(a, p, kp);
	hs_dmirror_device_set_owner(c, p, kp);
	sim_check(hs_dmirror_snapshot(mc, VA, 1, &seen.perm[1]) == 0, "snapshot");
	seen.change = hs_dmirror_device_change_owner(a, q, kq);
	sim_check(hs_dmirror_snapshot(mc, VA, 1, &seen.perm[2]) == 0, "snapshot");
	seen.in_use[0] = hs_dmirror_device_pages_in_use(a);
}

/* Cluster ids: x first, then 15 more, then y: at 4 bits y's key is x's. */
static void rule_ids_main(void *arg)
{
	(void)arg;
	hs_machine_init(8, 0);
	seen.key[0] = hs_owner_key(sim_alloc(8));
	for (int i = 0; i < 15; i++)
		(void)hs_owner_key(sim_alloc(8));
	seen.key[1] = hs_owner_key(sim_alloc(8));
	seen.key[2] = hs_owner_key(sim_alloc(8));
}

/*
 * Peer groups: a, then b (its link to a closed both ways: a group of its
 * own), then n reaching both (a's group: the first listed), then m reaching
 * b only (b's), then z below the other switch (no one: a new group).
 * key[0..4]: their owner keys.  Then b is removed and w arrives, reaching n
 * and m but neither a nor b: with b gone (off the list) it joins m's group,
 * b's (key[5]).
 */
static void rule_groups_main(void *arg)
{
	(void)arg;
	struct rlab *l = rlab_new(1);
	struct hs_pci_dev *pa = rlab_pdev(l, 0), *pb = rlab_pdev(l, 0), *pn = rlab_pdev(l, 0),
			  *pm = rlab_pdev(l, 0), *pz = rlab_pdev(l, 1), *pw = rlab_pdev(l, 0);
	sim_check(hs_pci_link_set(pa, pb, HS_PCI_LINK_ONE_WAY) == 0, "link");
	sim_check(hs_pci_link_set(pm, pa, HS_PCI_LINK_ONE_WAY) == 0, "link");
	sim_check(hs_pci_link_set(pw, pa, HS_PCI_LINK_ONE_WAY) == 0, "link");
	sim_check(hs_pci_link_set(pw, pb, HS_PCI_LINK_ONE_WAY) == 0, "link");
	struct hs_dmirror_device *d[5];
	struct hs_pci_dev *pdevs[5] = {pa, pb, pn, pm, pz};
	for (int i = 0; i < 5; i++) {
		d[i] = hs_dmirror_device_create("dev", 1);
		hs_dmirror_device_set_pci(d[i], pdevs[i]);
		seen.key[i] = hs_dmirror_device_owner(d[i]);
	}
	hs_dmirror_device_remove(d[1]);
	struct hs_dmirror_device *w = hs_dmirror_device_create("w", 1);
	hs_dmirror_device_set_pci(w, pw);
	seen.key[5] = hs_dmirror_device_owner(w);
}

/*
 * The callback policies' per-page cost: a and c share a cluster; pages 0-1
 * live in a's memory, 2-3 in c's.  p2p[0]: c reads all four (one fault of
 * four pages); p2p[1]: a second mirror of c reads 2-3 (its own: matched);
 * p2p[2]: a third reads 0-1 (a's: mismatched).  Counters are cumulative.
 * entry[0], entry[2]: c's mirror entries for pages 0 and 2.  Then a moves
 * to another cluster: c's next read of page 0 (a fourth mirror) falls back:
 * p2p[3], in_use[1] (a's pages afterwards).
 */
static void rule_cost_main(void *arg)
{
	(void)arg;
	unsigned long v[4];
	struct rlab *l = rlab_new(4);
	struct hs_dmirror_device *a = rlab_dev(l, "a", 0, NULL), *c = rlab_dev(l, "c", 0, NULL);
	struct hs_dmirror *ma = rlab_open(l, a), *mc = rlab_open(l, c);
	void *p = sim_alloc(8), *kp = hs_owner_key(p), *q = sim_alloc(8);
	hs_dmirror_device_set_owner(a, p, kp);
	hs_dmirror_device_set_owner(c, p, kp);
	sim_check(hs_dmirror_migrate_to_dev(ma, VA, 2) == 0, "migrate to a");
	sim_check(hs_dmirror_migrate_to_dev(mc, VA + 2 * PG, 2) == 0, "migrate to c");
	hs_p2p_stats = (struct hs_p2p_stats){0};
	sim_check(hs_dmirror_read(mc, VA, 4, v, NULL) == 0, "read");
	for (int i = 0; i < 4; i++)
		sim_check(v[i] == 0x40ul + (unsigned long)i, "read %#lx", v[i]);
	seen.p2p[0] = hs_p2p_stats;
	seen.entry[0] = hs_dmirror_mirror_entry(mc, VA);
	seen.entry[2] = hs_dmirror_mirror_entry(mc, VA + 2 * PG);
	sim_check(hs_dmirror_read(rlab_open(l, c), VA + 2 * PG, 2, v, NULL) == 0, "read");
	seen.p2p[1] = hs_p2p_stats;
	sim_check(hs_dmirror_read(rlab_open(l, c), VA, 2, v, NULL) == 0, "read");
	seen.p2p[2] = hs_p2p_stats;
	seen.change = hs_dmirror_device_change_owner(a, q, hs_owner_key(q));
	sim_check(hs_dmirror_read(rlab_open(l, c), VA, 1, v, NULL) == 0 && v[0] == 0x40, "read");
	seen.p2p[3] = hs_p2p_stats;
	seen.in_use[1] = hs_dmirror_device_pages_in_use(a);
}

/*
 * p2p migration (range-callback's migration half): a's memory holds pages
 * 0-1; n, in a's cluster (p2p_mig_shared) or in one of its own, migrates
 * both to itself and reads them.  p2p[0]: the counters of n's migration;
 * in_use[0], in_use[1]: a's and n's pages afterwards; ram_free[0..1]: free
 * RAM pages before and after; entry[0]: n's mirror entry for page 0.
 */
static bool p2p_mig_shared;

static void rule_p2p_migrate_main(void *arg)
{
	(void)arg;
	unsigned long v[2];
	struct rlab *l = rlab_new(2);
	struct hs_dmirror_device *a = rlab_dev(l, "a", 0, NULL), *n = rlab_dev(l, "n", 0, NULL);
	struct hs_dmirror *ma = rlab_open(l, a), *mn = rlab_open(l, n);
	void *p = sim_alloc(8), *kp = hs_owner_key(p), *q = sim_alloc(8);
	hs_dmirror_device_set_owner(a, p, kp);
	if (p2p_mig_shared)
		hs_dmirror_device_set_owner(n, p, kp);
	else
		hs_dmirror_device_set_owner(n, q, hs_owner_key(q));
	sim_check(hs_dmirror_migrate_to_dev(ma, VA, 2) == 0, "migrate to a");
	seen.ram_free[0] = hs_mach->nr_ram_free;
	hs_p2p_stats = (struct hs_p2p_stats){0};
	sim_check(hs_dmirror_migrate_to_dev(mn, VA, 2) == 0, "migrate to n");
	seen.p2p[0] = hs_p2p_stats;
	seen.ram_free[1] = hs_mach->nr_ram_free;
	seen.in_use[0] = hs_dmirror_device_pages_in_use(a);
	seen.in_use[1] = hs_dmirror_device_pages_in_use(n);
	if (p2p_mig_shared) {
		sim_check(hs_dmirror_read(mn, VA, 2, v, NULL) == 0, "read");
		sim_check(v[0] == 0x40 && v[1] == 0x41, "read %#lx %#lx", v[0], v[1]);
		seen.entry[0] = hs_dmirror_mirror_entry(mn, VA);
	}
}

/* Run @fn once (single-threaded) under @cfg; it must be clean. */
static void run_rule(const char *cfg, void (*fn)(void *))
{
	struct hs_owner_config c = config(cfg);
	struct sim_scenario sc = {"owner-rule", "a matching rule", fn, NULL, 0, NULL};
	struct sim_options o = {.strategy = SIM_STRATEGY_PCT, .seed = SEED, .iterations = 1};
	struct sim_result r;
	memset(&seen, 0, sizeof(seen));
	hs_owner_policy = c.policy;
	hs_owner_id_bits = c.id_bits;
	hs_owner_flags = c.flags;
	CU_ASSERT_EQUAL(sim_explore(&sc, &o, &r), 0);
	hs_owner_policy = HS_OWNER_POINTER;
	hs_owner_id_bits = 32;
	hs_owner_flags = 0;
	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s: %s\n", cfg, r.reports[0].kind, r.reports[0].message);
	sim_result_free(&r);
}

#define LOCAL  (HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL | HS_DMIRROR_PROT_WRITE)
#define REMOTE (HS_DMIRROR_PROT_DEV_PRIVATE_REMOTE | HS_DMIRROR_PROT_WRITE)

/* pointer: equal pointers match, and nothing else; the owner never changes */
static void test_rule_pointer(void)
{
	run_rule("pointer", rule_keys_main);
	CU_ASSERT_EQUAL(seen.perm[0], HS_DMIRROR_PROT_NONE); /* another owner: not returned */
	CU_ASSERT_EQUAL(seen.perm[1], LOCAL);		     /* same key: an owner match */
	CU_ASSERT_EQUAL(seen.change, -EOPNOTSUPP);
	CU_ASSERT_EQUAL(seen.perm[2], LOCAL);
	CU_ASSERT_EQUAL(seen.in_use[0], 1);
}

/* cluster-id: ids from a counter masked to the width: the 17th at 4 bits is
 * the first's; at 32 bits all differ */
static void test_rule_cluster_id(void)
{
	run_rule("cluster-id/4", rule_ids_main);
	CU_ASSERT_PTR_EQUAL(seen.key[0], seen.key[1]);
	CU_ASSERT_PTR_NOT_EQUAL(seen.key[0], seen.key[2]);
	CU_ASSERT_PTR_NOT_NULL(seen.key[0]); /* id + 1: never NULL */
	run_rule("cluster-id/32", rule_ids_main);
	CU_ASSERT_PTR_NOT_EQUAL(seen.key[0], seen.key[1]);
	run_rule("cluster-id/4", rule_keys_main);
	CU_ASSERT_EQUAL(seen.perm[0], HS_DMIRROR_PROT_NONE);
	CU_ASSERT_EQUAL(seen.perm[1], LOCAL);
	CU_ASSERT_EQUAL(seen.change, -EOPNOTSUPP);
}

/* mutable, mutable-marked: the key changes in place, the page stays */
static void test_rule_mutable(void)
{
	const char *cfgs[] = {"mutable", "mutable-marked"};
	for (int i = 0; i < 2; i++) {
		run_rule(cfgs[i], rule_keys_main);
		CU_ASSERT_EQUAL(seen.perm[0], HS_DMIRROR_PROT_NONE);
		CU_ASSERT_EQUAL(seen.perm[1], LOCAL);
		CU_ASSERT_EQUAL(seen.change, 0);
		CU_ASSERT_EQUAL(seen.perm[2], HS_DMIRROR_PROT_NONE);
		CU_ASSERT_EQUAL(seen.in_use[0], 1);
	}
}

/* reregister: the change evicts the page to system memory, new pagemap */
static void test_rule_reregister(void)
{
	run_rule("reregister", rule_keys_main);
	CU_ASSERT_EQUAL(seen.perm[1], LOCAL);
	CU_ASSERT_EQUAL(seen.change, 0);
	CU_ASSERT_EQUAL(seen.perm[2], HS_DMIRROR_PROT_WRITE); /* a system page now */
	CU_ASSERT_EQUAL(seen.in_use[0], 0);
}

/* p2p-callback: keys never match, not even within a cluster; the exporter's
 * grant set decides per page (a P2P pfn, no migration); after a change the
 * grant is gone and the page falls back to system memory; one callback per
 * mismatched page, none per matched one */
static void test_rule_p2p_callback(void)
{
	run_rule("p2p-callback", rule_keys_main);
	CU_ASSERT_EQUAL(seen.perm[1], HS_DMIRROR_PROT_NONE); /* shared cluster, own keys */
	CU_ASSERT_EQUAL(seen.change, 0);

	const char *cfgs[] = {"p2p-callback", "p2p-callback/locked"};
	for (int i = 0; i < 2; i++) {
		run_rule(cfgs[i], rule_cost_main);
		const struct hs_p2p_stats *s = seen.p2p;
		CU_ASSERT_EQUAL(s[0].pages, 4);
		CU_ASSERT_EQUAL(s[0].callbacks, 2); /* pages 0-1: 1 each; 2-3: 0 */
		CU_ASSERT_EQUAL(s[0].p2p_pfns, 2);
		CU_ASSERT_EQUAL(s[0].migrations, 0);
		CU_ASSERT_TRUE(!!(seen.entry[0] & HS_HMM_PFN_P2PDMA));
		CU_ASSERT_FALSE(!!(seen.entry[2] & HS_HMM_PFN_P2PDMA));
		CU_ASSERT_EQUAL(s[1].pages - s[0].pages, 2); /* matched only */
		CU_ASSERT_EQUAL(s[1].callbacks - s[0].callbacks, 0);
		CU_ASSERT_EQUAL(s[2].pages - s[1].pages, 2); /* mismatched only */
		CU_ASSERT_EQUAL(s[2].callbacks - s[1].callbacks, 2);
		/* locked: one lock per callback, i.e. per mismatched page */
		CU_ASSERT_EQUAL(s[2].lock_acquisitions, i ? s[2].callbacks : 0);
		/* after the change: declined, migrated back */
		CU_ASSERT_EQUAL(seen.change, 0);
		CU_ASSERT_TRUE(s[3].fallbacks > s[2].fallbacks);
		CU_ASSERT_EQUAL(s[3].migrations, 1);
		CU_ASSERT_EQUAL(seen.in_use[1], 1);
	}
}

/* peer-group: the first listed group all of whose members the newcomer
 * reaches; none: a group of its own; a removed member leaves the list */
static void test_rule_peer_group(void)
{
	run_rule("peer-group", rule_groups_main);
	void **k = seen.key;
	CU_ASSERT_PTR_NOT_EQUAL(k[0], k[1]); /* a and b cannot reach each other */
	CU_ASSERT_PTR_EQUAL(k[2], k[0]);     /* n reaches both: the first group */
	CU_ASSERT_PTR_EQUAL(k[3], k[1]);     /* m reaches b only */
	CU_ASSERT_PTR_NOT_EQUAL(k[4], k[0]); /* z reaches no one */
	CU_ASSERT_PTR_NOT_EQUAL(k[4], k[1]);
	CU_ASSERT_PTR_EQUAL(k[5], k[1]); /* b left the list: w joins m */
	run_rule("peer-group/drained", rule_groups_main);
	CU_ASSERT_PTR_EQUAL(seen.key[5], seen.key[1]); /* b's removal was complete */
	run_rule("peer-group", rule_keys_main);
	CU_ASSERT_EQUAL(seen.perm[0], LOCAL); /* below one switch: one group */
	CU_ASSERT_EQUAL(seen.change, -EOPNOTSUPP);
}

/* range-callback: the requester's callback makes another owner's pgmap
 * usable directly (a device pfn, no P2P, no migration), once per pgmap and
 * call; per page without the cache; a change withdraws it */
static void test_rule_range_callback(void)
{
	run_rule("range-callback", rule_keys_main);
	CU_ASSERT_EQUAL(seen.perm[0], HS_DMIRROR_PROT_NONE);
	CU_ASSERT_EQUAL(seen.perm[1], REMOTE); /* returned though the key differs */
	CU_ASSERT_EQUAL(seen.change, 0);
	CU_ASSERT_EQUAL(seen.perm[2], HS_DMIRROR_PROT_NONE);

	run_rule("range-callback", rule_cost_main);
	const struct hs_p2p_stats *s = seen.p2p;
	CU_ASSERT_EQUAL(s[0].pages, 4);
	CU_ASSERT_EQUAL(s[0].callbacks, 1); /* pages 0-1: one pgmap, cached */
	CU_ASSERT_EQUAL(s[0].p2p_pfns, 0);
	CU_ASSERT_EQUAL(s[0].migrations, 0);
	CU_ASSERT_FALSE(!!(seen.entry[0] & HS_HMM_PFN_P2PDMA));
	CU_ASSERT_TRUE(!!(seen.entry[0] & HS_HMM_PFN_VALID));
	CU_ASSERT_EQUAL(s[1].callbacks - s[0].callbacks, 0);
	CU_ASSERT_EQUAL(s[2].callbacks - s[1].callbacks, 1);
	CU_ASSERT_EQUAL(s[3].migrations, 1);
	CU_ASSERT_EQUAL(seen.in_use[1], 1);

	run_rule("range-callback/no-cache", rule_cost_main);
	CU_ASSERT_EQUAL(seen.p2p[0].callbacks, 2); /* one per mismatched page */
	CU_ASSERT_EQUAL(seen.p2p[2].callbacks - seen.p2p[1].callbacks, 2);
}

/* range-callback, migration: a page of another device whose pgmap n's
 * callback allows moves from that device's memory to n's directly (no RAM
 * page used, one callback per pgmap); one it does not allow is not
 * selected and stays; the other policies select system pages only */
static void test_rule_p2p_migrate(void)
{
	const struct hs_p2p_stats *s = &seen.p2p[0];
	p2p_mig_shared = true;
	run_rule("range-callback", rule_p2p_migrate_main);
	CU_ASSERT_EQUAL(s->moves_dev_to_dev, 2);
	CU_ASSERT_EQUAL(s->moves_dev_to_ram, 0);
	CU_ASSERT_EQUAL(s->moves_ram_to_dev, 0);
	CU_ASSERT_EQUAL(s->migrate_callbacks, 1); /* one pgmap, cached */
	CU_ASSERT_EQUAL(s->migrate_allowed, 1);
	CU_ASSERT_EQUAL(seen.ram_free[1], seen.ram_free[0]); /* no RAM page used */
	CU_ASSERT_EQUAL(seen.in_use[0], 0);
	CU_ASSERT_EQUAL(seen.in_use[1], 2);
	CU_ASSERT_EQUAL(s->migrations, 0);
	CU_ASSERT_TRUE(!!(seen.entry[0] & HS_HMM_PFN_VALID)); /* n's own page now */

	run_rule("range-callback/no-cache", rule_p2p_migrate_main);
	CU_ASSERT_EQUAL(s->migrate_callbacks, 2); /* one per page */
	CU_ASSERT_EQUAL(s->moves_dev_to_dev, 2);

	p2p_mig_shared = false; /* n in a cluster of its own: not allowed */
	run_rule("range-callback", rule_p2p_migrate_main);
	CU_ASSERT_EQUAL(s->migrate_callbacks, 1);
	CU_ASSERT_EQUAL(s->migrate_allowed, 0);
	CU_ASSERT_EQUAL(s->moves_dev_to_dev + s->moves_dev_to_ram + s->moves_ram_to_dev, 0);
	CU_ASSERT_EQUAL(seen.in_use[0], 2); /* stays in a's memory */
	CU_ASSERT_EQUAL(seen.in_use[1], 0);

	p2p_mig_shared = true; /* pointer: same key, but SELECT_SYSTEM only */
	run_rule("pointer", rule_p2p_migrate_main);
	CU_ASSERT_EQUAL(s->migrate_callbacks, 0);
	CU_ASSERT_EQUAL(s->moves_dev_to_dev + s->moves_dev_to_ram + s->moves_ram_to_dev, 0);
	CU_ASSERT_EQUAL(seen.in_use[0], 2);
	CU_ASSERT_EQUAL(seen.in_use[1], 0);
}

/* ---- the table --------------------------------------------------------------------- */

/* The expected first violation of each cell; every other cell is clean. */
static const struct {
	const char *config, *scenario, *kind;
} expected[] = {
    {"cluster-id/4", "owner-id-wrap", "wrong-owner"},
    {"mutable", "owner-change-fault", "data-race"},
    {"peer-group", "owner-group-unplug", "wrong-owner"},
    {"mutable", "owner-p2p-migrate", "data-race"},
};

static struct hs_owner_experiment_result table[16][16];

static void run_table(struct hs_owner_experiment_result (*t)[16])
{
	size_t nsc, ncfg;
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&nsc);
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&ncfg);
	CU_ASSERT_TRUE_FATAL(nsc <= 16 && ncfg <= 16);
	for (size_t c = 0; c < ncfg; c++)
		for (size_t s = 0; s < nsc; s++) {
			int ret = hs_owner_experiment_run(scs[s], &cfgs[c], BUDGET, SEED, false,
							  &t[c][s]);
			CU_ASSERT_EQUAL(ret, 0);
			if (ret)
				fprintf(stderr, "\n%s\n", t[c][s].error);
		}
}

static const struct hs_owner_experiment_result *cell(const char *cfg, const char *sc)
{
	size_t nsc, ncfg;
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&nsc);
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&ncfg);
	for (size_t c = 0; c < ncfg; c++) {
		char name[48];
		if (strcmp(hs_owner_config_name(&cfgs[c], name, sizeof(name)), cfg))
			continue;
		for (size_t s = 0; s < nsc; s++)
			if (strcmp(scs[s]->name, sc) == 0)
				return &table[c][s];
	}
	CU_FAIL_FATAL("no such cell");
	return NULL;
}

/* Every cell: its violation (or clean within the whole budget). */
static void test_table(void)
{
	size_t nsc, ncfg;
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&nsc);
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&ncfg);
	CU_ASSERT_TRUE(nsc >= 6);
	run_table(table);
	CU_ASSERT_EQUAL(hs_owner_policy, HS_OWNER_POINTER); /* restored */
	CU_ASSERT_EQUAL(hs_owner_id_bits, 32);
	CU_ASSERT_EQUAL(hs_owner_flags, 0);
	for (size_t c = 0; c < ncfg; c++)
		for (size_t s = 0; s < nsc; s++) {
			char name[48];
			const char *want = "clean";
			hs_owner_config_name(&cfgs[c], name, sizeof(name));
			for (size_t e = 0; e < sizeof(expected) / sizeof(expected[0]); e++)
				if (!strcmp(expected[e].config, name) &&
				    !strcmp(expected[e].scenario, scs[s]->name))
					want = expected[e].kind;
			const struct hs_owner_experiment_result *r = &table[c][s];
			const char *got = r->found ? r->kind : "clean";
			CU_ASSERT_STRING_EQUAL(got, want);
			if (strcmp(got, want))
				fprintf(stderr, "\n%s / %s: %s, want %s\n", name, scs[s]->name, got,
					want);
			if (!r->found)
				CU_ASSERT_EQUAL(r->executions, BUDGET);
		}
	/* found quickly */
	CU_ASSERT_EQUAL(cell("cluster-id/4", "owner-id-wrap")->executions, 1);
	CU_ASSERT_EQUAL(cell("mutable", "owner-change-fault")->executions, 1);
	CU_ASSERT_TRUE(cell("peer-group", "owner-group-unplug")->executions <= 200);
}

/* The counters the table reports, row by row. */
static void test_table_counters(void)
{
	const struct hs_owner_experiment_result *r;
	/* fixed policies: no change, no callback */
	r = cell("pointer", "owner-change-fault");
	CU_ASSERT_EQUAL(r->owner.changes, 0);
	CU_ASSERT_EQUAL(r->p2p.callbacks, 0);
	CU_ASSERT_TRUE(cell("cluster-id/4", "owner-id-wrap")->owner.ids >= 17);
	/* mutable-marked: one invalidation per change */
	r = cell("mutable-marked", "owner-change-fault");
	CU_ASSERT_TRUE(r->owner.changes >= BUDGET);
	CU_ASSERT_EQUAL(r->owner.invalidations, r->owner.changes);
	/* reregister: every change evicts, registers again and invalidates
	 * the device's own mirror (one mm here) */
	r = cell("reregister", "owner-change-fault");
	CU_ASSERT_TRUE(r->owner.reregisters >= BUDGET);
	CU_ASSERT_TRUE(r->owner.evictions >= r->owner.reregisters);
	CU_ASSERT_EQUAL(r->owner.invalidations, r->owner.reregisters);
	/* the callback policies: one invalidation per change, like
	 * mutable-marked; p2p-callback asks once per mismatched page (c's
	 * faults are all of a's page here) */
	const char *cb[] = {"p2p-callback", "p2p-callback/locked", "range-callback"};
	for (int i = 0; i < 3; i++) {
		r = cell(cb[i], "owner-change-fault");
		CU_ASSERT_TRUE(r->owner.changes >= BUDGET);
		CU_ASSERT_EQUAL(r->owner.invalidations, r->owner.changes);
		CU_ASSERT_TRUE(r->p2p.callbacks >= BUDGET);
		CU_ASSERT_TRUE(r->p2p.callbacks <= r->p2p.pages + r->p2p.ebusy);
		CU_ASSERT_EQUAL(r->p2p.lock_acquisitions, i == 1 ? r->p2p.callbacks : 0);
		CU_ASSERT_TRUE(r->p2p.migrations > 0); /* after the change: fallback */
	}
	CU_ASSERT_TRUE(cell("p2p-callback", "owner-change-fault")->p2p.p2p_pfns > 0);
	CU_ASSERT_EQUAL(cell("range-callback", "owner-change-fault")->p2p.p2p_pfns, 0);
	/* the late device: a group (or one cluster) per device makes it migrate
	 * the other group's page; the callbacks grant it both, no migration */
	r = cell("peer-group", "owner-group-late");
	CU_ASSERT_TRUE(r->p2p.migrations >= BUDGET);
	CU_ASSERT_EQUAL(r->p2p.callbacks, 0);
	r = cell("p2p-callback", "owner-group-late");
	CU_ASSERT_EQUAL(r->p2p.migrations, 0);
	CU_ASSERT_EQUAL(r->p2p.callbacks, r->p2p.p2p_pfns); /* every one granted */
	CU_ASSERT_TRUE(r->p2p.p2p_pfns >= 2 * BUDGET);
	r = cell("range-callback", "owner-group-late");
	CU_ASSERT_EQUAL(r->p2p.migrations, 0);
	CU_ASSERT_TRUE(r->p2p.callbacks >= 2 * BUDGET); /* 2 pgmaps, cached: 2 per read */
	CU_ASSERT_EQUAL(r->p2p.p2p_pfns, 0);
	/* p2p migration: under range-callback n's migration takes a's page
	 * directly in some executions; under the fixed policies only through
	 * RAM (a CPU fault first), never device to device */
	r = cell("range-callback", "owner-p2p-migrate");
	CU_ASSERT_TRUE(r->p2p.moves_dev_to_dev > 0);
	CU_ASSERT_TRUE(r->p2p.migrate_callbacks > 0);
	CU_ASSERT_TRUE(r->p2p.migrate_allowed <= r->p2p.migrate_callbacks);
	r = cell("pointer", "owner-p2p-migrate");
	CU_ASSERT_EQUAL(r->p2p.moves_dev_to_dev, 0);
	CU_ASSERT_EQUAL(r->p2p.migrate_callbacks, 0);
	CU_ASSERT_TRUE(r->p2p.moves_ram_to_dev > 0);
	if (getenv("HMMSIM_TEST_VERBOSE")) {
		size_t nsc, ncfg;
		const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&nsc);
		const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&ncfg);
		for (size_t c = 0; c < ncfg; c++) {
			char name[48];
			hs_owner_config_name(&cfgs[c], name, sizeof(name));
			const struct hs_p2p_stats *p = &table[c][nsc - 1].p2p;
			fprintf(
			    stderr,
			    "\n%s %s: execs %llu mig-cb %lu allowed %lu d2d %lu same %lu d2r %lu "
			    "r2d %lu hmm-migr %lu cb %lu pages %lu ebusy %lu",
			    name, scs[nsc - 1]->name,
			    (unsigned long long)table[c][nsc - 1].executions, p->migrate_callbacks,
			    p->migrate_allowed, p->moves_dev_to_dev, p->moves_dev_same,
			    p->moves_dev_to_ram, p->moves_ram_to_dev, p->migrations, p->callbacks,
			    p->pages, p->ebusy);
		}
	}
	/* peer-group's unplug scenario is clean when leaving after the drain */
	CU_ASSERT_FALSE(cell("peer-group/drained", "owner-group-unplug")->found);
}

/* Same seed, same table. */
static void test_stable(void)
{
	static struct hs_owner_experiment_result again[16][16];
	size_t nsc, ncfg;
	(void)hs_owner_experiment_scenarios(&nsc);
	(void)hs_owner_experiment_configs(&ncfg);
	run_table(again);
	for (size_t c = 0; c < ncfg; c++)
		for (size_t s = 0; s < nsc; s++) {
			const struct hs_owner_experiment_result *x = &table[c][s],
								*y = &again[c][s];
			CU_ASSERT_EQUAL(x->found, y->found);
			CU_ASSERT_STRING_EQUAL(x->kind, y->kind);
			CU_ASSERT_EQUAL(x->executions, y->executions);
			CU_ASSERT_EQUAL(memcmp(&x->owner, &y->owner, sizeof(x->owner)), 0);
			CU_ASSERT_EQUAL(memcmp(&x->p2p, &y->p2p, sizeof(x->p2p)), 0);
		}
}

/* ---- what each part of a policy is for ------------------------------------------------ */

/* mutable: the race is core mm's plain load of pgmap->owner; without the
 * race oracle, the device that lost ownership still reaches the memory */
static void test_mutable(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "mutable", true, &r), "wrong-owner");
	CU_ASSERT_TRUE(r.owner.changes > 0);
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "mutable-marked", true, &r), "clean");

	struct sim_options o = {.strategy = SIM_STRATEGY_PCT, .seed = SEED, .iterations = 300};
	struct sim_result res;
	CU_ASSERT_EQUAL(sim_explore(hs_model_scenario_find("owner-change-fault@mutable"), &o, &res),
			0);
	hs_owner_policy = HS_OWNER_POINTER; /* the named scenario leaves it set */
	CU_ASSERT_TRUE_FATAL(res.nr_reports > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reports[0].message, "pgmap->owner"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reports[0].message, "hs_pgmap_owner_match"));
	sim_result_free(&res);
}

/* The grant policies: the invalidation after a change is what makes them
 * correct (without it a grant outlives the change, locked or not); the
 * marked read of the grant set is what keeps them race-free (a plain one
 * races with the change, harmlessly given the invalidation). */
static void test_grant_ablations(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "p2p-callback/no-inval", false, &r),
			       "wrong-owner");
	CU_ASSERT_EQUAL(r.owner.invalidations, 0);
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "p2p-callback/locked/no-inval", false, &r),
			       "wrong-owner");
	CU_ASSERT_TRUE(r.p2p.lock_acquisitions > 0);
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "range-callback/no-inval", false, &r),
			       "wrong-owner");
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "p2p-callback/plain", false, &r),
			       "data-race");
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "p2p-callback/plain", true, &r), "clean");
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "range-callback/plain", false, &r),
			       "data-race");
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", "range-callback/no-cache", false, &r),
			       "clean");
}

/* range-callback's migration half: collect's answer is not enough, the copy
 * must map the source again (a grant revoked in between otherwise lets the
 * migration copy memory the device may no longer reach) */
static void test_p2p_migrate_remap(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-p2p-migrate", "range-callback/no-remap", false, &r),
			       "wrong-owner");
	CU_ASSERT_STRING_EQUAL(run("owner-p2p-migrate", "range-callback", false, &r), "clean");
	CU_ASSERT_TRUE(r.p2p.moves_dev_to_dev > 0);
}

/* peer-group's unplug race under exhaustive search: found with the early
 * leave, none with the drained leave (every schedule, <= 2 preemptions). */
static void test_group_unplug_dfs(void)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DFS, .iterations = 1000000, .dfs_preemptions = 2};
	struct sim_result res;
	CU_ASSERT_EQUAL(
	    sim_explore(hs_model_scenario_find("owner-group-unplug@peer-group:drained"), &o, &res),
	    0);
	CU_ASSERT_EQUAL(res.violations_found, 0);
	CU_ASSERT_TRUE(res.exhausted);
	sim_result_free(&res);
	CU_ASSERT_EQUAL(
	    sim_explore(hs_model_scenario_find("owner-group-unplug@peer-group"), &o, &res), 0);
	CU_ASSERT_TRUE_FATAL(res.nr_reports > 0);
	CU_ASSERT_STRING_EQUAL(res.reports[0].kind, "wrong-owner");
	sim_result_free(&res);
	hs_owner_policy = HS_OWNER_POINTER;
	hs_owner_flags = 0;
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("owner", NULL, NULL);
	CU_add_test(s, "policy and config names, SCENARIO@CONFIG lookup", test_names);
	CU_add_test(s, "rule: pointer", test_rule_pointer);
	CU_add_test(s, "rule: cluster-id", test_rule_cluster_id);
	CU_add_test(s, "rule: mutable, mutable-marked", test_rule_mutable);
	CU_add_test(s, "rule: reregister", test_rule_reregister);
	CU_add_test(s, "rule: p2p-callback, 1 callback per mismatched page",
		    test_rule_p2p_callback);
	CU_add_test(s, "rule: peer-group registry", test_rule_peer_group);
	CU_add_test(s, "rule: range-callback, per pgmap", test_rule_range_callback);
	CU_add_test(s, "rule: range-callback migration, device to device", test_rule_p2p_migrate);
	CU_add_test(s, "the whole table", test_table);
	CU_add_test(s, "the table's counters", test_table_counters);
	CU_add_test(s, "stable across runs", test_stable);
	CU_add_test(s, "mutable: data race, wrong owner without the race oracle", test_mutable);
	CU_add_test(s, "grant policies: invalidation and marking are needed", test_grant_ablations);
	CU_add_test(s, "range-callback migration: the copy maps the source again",
		    test_p2p_migrate_remap);
	CU_add_test(s, "peer-group unplug race under dfs", test_group_unplug_dfs);
}
