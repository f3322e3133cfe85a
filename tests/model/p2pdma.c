// SPDX-License-Identifier: MIT
/*
 * p2pdma suite: the PCI topology walk of calc_map_type_and_dist() (common
 * upstream bridge, ACS redirect, host bridge allowlist), distances, the
 * asymmetric link limits, and MEMORY_DEVICE_PCI_P2PDMA BAR pages: the pool,
 * refcounts, pagemap references and teardown.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/p2pdma.h>
#include <stdio.h>

#include "model_helpers.h"

#define BUS	 HS_PCI_P2PDMA_MAP_BUS_ADDR
#define HOST	 HS_PCI_P2PDMA_MAP_THRU_HOST_BRIDGE
#define NOT_SUPP HS_PCI_P2PDMA_MAP_NOT_SUPPORTED

/* The map type and distance of @p -> @c must be @type and @dist, both ways round. */
static void expect(struct hs_pci_dev *p, struct hs_pci_dev *c, enum hs_pci_p2pdma_map_type type,
		   int dist)
{
	int d1 = -7, d2 = -7;
	enum hs_pci_p2pdma_map_type t1 = hs_calc_map_type_and_dist(p, c, &d1);
	enum hs_pci_p2pdma_map_type t2 = hs_calc_map_type_and_dist(c, p, &d2);

	sim_check(t1 == type && t2 == type, "%s <-> %s: %s / %s, expected %s", p->name, c->name,
		  hs_pci_p2pdma_map_type_name(t1), hs_pci_p2pdma_map_type_name(t2),
		  hs_pci_p2pdma_map_type_name(type));
	sim_check(d1 == dist && d2 == dist, "%s <-> %s: distance %d / %d, expected %d", p->name,
		  c->name, d1, d2, dist);
	sim_check(hs_pci_p2pdma_map_type(p, c) == type, "hs_pci_p2pdma_map_type disagrees");
	sim_check(hs_pci_p2pdma_distance(p, c) == (type == NOT_SUPP ? -1 : dist),
		  "%s <-> %s: pci_p2pdma_distance %d", p->name, c->name,
		  hs_pci_p2pdma_distance(p, c));
}

/* ---- topology ------------------------------------------------------------------------ */

/*
 * The kernel's own example (comment above calc_map_type_and_dist()): two
 * devices on two downstream ports of one switch are 4 apart and talk with bus
 * addresses, whatever the host bridge allows: the TLPs never reach it.
 */
static void same_switch_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_dev *rp = hs_pci_root_port_add(hb);
	struct hs_pci_switch *sw = hs_pci_switch_add(rp, 2);
	struct hs_pci_dev *a = hs_pci_device_add(sw->down[0], "gpu0");
	struct hs_pci_dev *b = hs_pci_device_add(sw->down[1], "gpu1");
	/* two functions of one device below one port: "2 (one step down to the
	 * PCIe switch, then one step back to the same device)" */
	struct hs_pci_dev *a1 = hs_pci_device_add(sw->down[0], "gpu0.1");

	expect(a, b, BUS, 4);
	expect(a, a1, BUS, 2);
	expect(a1, b, BUS, 4);
	/* a port and a device below it */
	expect(sw->up, a, BUS, 2);
	sim_check(hs_pci_upstream_bridge(rp) == NULL, "a root port has no upstream bridge");
	sim_check(hs_pci_find_host_bridge(a) == hb, "pci_find_host_bridge");
}

static void test_same_switch(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(same_switch_main), "");
}

/* Fan-out by cascaded switches: the common bridge is the top switch's upstream port. */
static void cascaded_switches_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *top = hs_pci_switch_add(hs_pci_root_port_add(hb), 2);
	struct hs_pci_switch *s1 = hs_pci_switch_add(top->down[0], 1);
	struct hs_pci_switch *s2 = hs_pci_switch_add(top->down[1], 1);
	struct hs_pci_dev *a = hs_pci_device_add(s1->down[0], "a");
	struct hs_pci_dev *b = hs_pci_device_add(s2->down[0], "b");
	struct hs_pci_dev *c = hs_pci_device_add(top->down[1], "c");

	/* a: s1.dp0, s1.up, top.dp0, top.up = 4 hops; b the same */
	expect(a, b, BUS, 8);
	/* c: top.dp1, top.up = 2 hops */
	expect(a, c, BUS, 6);
	expect(b, c, BUS, 4);
}

static void test_cascaded_switches(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(cascaded_switches_main), "");
}

/*
 * Two switches (or two functions) directly below one root port.  The kernel's
 * search loop walks pci_upstream_bridge() from both ends; a root port is a
 * pci_dev on both chains (the upstream bridge of each switch's upstream
 * port), so it is found as the common bridge, and with no ACS redirect on
 * the path the result is PCI_P2PDMA_MAP_BUS_ADDR: the host bridge allowlist
 * is consulted only when no common bridge exists (different root ports) or
 * ACS redirects the TLPs upstream.  A root port with ACS redirect enabled (as
 * when an IOMMU isolates its devices) sends them into the root complex, and
 * then the allowlist decides.
 */
static void root_port_common_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_dev *rp = hs_pci_root_port_add(hb);
	struct hs_pci_switch *s1 = hs_pci_switch_add(rp, 1);
	struct hs_pci_switch *s2 = hs_pci_switch_add(rp, 1);
	struct hs_pci_dev *a = hs_pci_device_add(s1->down[0], "a");
	struct hs_pci_dev *b = hs_pci_device_add(s2->down[0], "b");
	struct hs_pci_dev *f0 = hs_pci_device_add(rp, "f0");
	struct hs_pci_dev *f1 = hs_pci_device_add(rp, "f1");

	/* a: s1.dp0, s1.up, rp = 3 hops; b the same */
	expect(a, b, BUS, 6);
	expect(f0, f1, BUS, 2);
	expect(a, f0, BUS, 4);

	hs_pci_set_acs_redir(rp, true);
	expect(a, b, NOT_SUPP, 6); /* hb0 is not on the allowlist */
	expect(f0, f1, NOT_SUPP, 2);
	hb->flags = HS_PCI_HB_WHITELISTED;
	expect(a, b, HOST, 6);
	expect(f0, f1, HOST, 2);
	/* below the root port the switch keeps its own traffic: the walk checks
	 * ACS only up to the common bridge */
	struct hs_pci_dev *a2 = hs_pci_device_add(s1->down[0], "a2");
	expect(a, a2, BUS, 2);
}

static void test_root_port_common(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(root_port_common_main), "");
}

/*
 * ACS redirect on a switch downstream port: TLPs from below it go up to the
 * root complex even for a peer on the same switch.  Either end's path counts.
 */
static void acs_switch_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb), 3);
	struct hs_pci_dev *a = hs_pci_device_add(sw->down[0], "a");
	struct hs_pci_dev *b = hs_pci_device_add(sw->down[1], "b");
	struct hs_pci_dev *c = hs_pci_device_add(sw->down[2], "c");

	hs_pci_set_acs_redir(sw->down[1], true);
	expect(a, b, NOT_SUPP, 4);
	expect(a, c, BUS, 4);
	hb->flags = HS_PCI_HB_WHITELISTED;
	expect(a, b, HOST, 4);
	expect(b, c, HOST, 4);
	hs_pci_set_acs_redir(sw->down[1], false);
	expect(a, b, BUS, 4);
}

static void test_acs_switch(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(acs_switch_main), "");
}

/*
 * Different root ports share no upstream bridge (each root port's
 * pci_upstream_bridge() is NULL): the path crosses the root complex, and
 * distance is the full length of both paths.
 */
static void root_ports_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", HS_PCI_HB_WHITELISTED);
	struct hs_pci_dev *a = hs_pci_device_add(hs_pci_root_port_add(hb), "a");
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb), 1);
	struct hs_pci_dev *b = hs_pci_device_add(sw->down[0], "b");

	/* a, rp0 = 2; b, dp0, up, rp1 = 4 */
	expect(a, b, HOST, 6);
	/* REQ_SAME_HOST_BRIDGE entries allow it: both ports are on this bridge */
	hb->flags = HS_PCI_HB_REQ_SAME_HOST_BRIDGE;
	expect(a, b, HOST, 6);
}

static void test_root_ports_whitelisted(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(root_ports_main), "");
}

static void root_ports_not_listed_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_dev *a = hs_pci_device_add(hs_pci_root_port_add(hb), "a");
	struct hs_pci_dev *b = hs_pci_device_add(hs_pci_root_port_add(hb), "b");

	expect(a, b, NOT_SUPP, 4);
}

static void test_root_ports_not_listed(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(root_ports_not_listed_main), "");
}

/*
 * Different host bridges: host_bridge_whitelist() wants both on the allowlist,
 * neither with REQ_SAME_HOST_BRIDGE.  Both plainly listed is THRU_HOST_BRIDGE
 * in the kernel (not NOT_SUPPORTED).
 */
static void host_bridges_main(void *arg)
{
	struct hs_pci_host_bridge *h0 = hs_pci_host_bridge_add("hb0", HS_PCI_HB_WHITELISTED);
	struct hs_pci_host_bridge *h1 = hs_pci_host_bridge_add("hb1", 0);
	struct hs_pci_dev *a = hs_pci_device_add(hs_pci_root_port_add(h0), "a");
	struct hs_pci_dev *b = hs_pci_device_add(hs_pci_root_port_add(h1), "b");

	expect(a, b, NOT_SUPP, 4);
	h1->flags = HS_PCI_HB_WHITELISTED;
	expect(a, b, HOST, 4);
	h1->flags = HS_PCI_HB_REQ_SAME_HOST_BRIDGE;
	expect(a, b, NOT_SUPP, 4);
	h0->flags = h1->flags = HS_PCI_HB_REQ_SAME_HOST_BRIDGE;
	expect(a, b, NOT_SUPP, 4);
	h0->flags = h1->flags = 0;
	expect(a, b, NOT_SUPP, 4);
}

static void test_host_bridges(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(host_bridges_main), "");
}

/* A function and itself: distance 0, bus addresses, on any host bridge. */
static void self_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_dev *rp = hs_pci_root_port_add(hb);
	struct hs_pci_dev *a = hs_pci_device_add(rp, "a");

	expect(a, a, BUS, 0);
	expect(rp, rp, BUS, 0);
	sim_check(hs_pci_p2p_path_ok(a, a, true, true), "a function reaches its own BAR");
}

static void test_self(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(self_main), "");
}

static const char *name_of(unsigned int i)
{
	static const char *const names[] = {"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"};

	return names[i];
}

/* Every pair of a mixed machine: the answer does not depend on who is the provider. */
static void symmetric_main(void *arg)
{
	struct hs_pci_host_bridge *h0 = hs_pci_host_bridge_add("hb0", HS_PCI_HB_WHITELISTED);
	struct hs_pci_host_bridge *h1 =
	    hs_pci_host_bridge_add("hb1", HS_PCI_HB_REQ_SAME_HOST_BRIDGE);
	struct hs_pci_host_bridge *h2 = hs_pci_host_bridge_add("hb2", HS_PCI_HB_WHITELISTED);
	struct hs_pci_switch *s0 = hs_pci_switch_add(hs_pci_root_port_add(h0), 3);
	struct hs_pci_switch *s1 = hs_pci_switch_add(s0->down[2], 2);
	struct hs_pci_dev *rp01 = hs_pci_root_port_add(h0);
	struct hs_pci_switch *s2 = hs_pci_switch_add(hs_pci_root_port_add(h1), 2);
	struct hs_pci_dev *rp11 = hs_pci_root_port_add(h1);
	struct hs_pci_dev *rp20 = hs_pci_root_port_add(h2);
	struct hs_pci_dev *parent[] = {s0->down[0], s0->down[1], s1->down[0], s1->down[1], rp01,
				       s2->down[0], s2->down[1], rp11,	      rp20};
	struct hs_pci_dev *d[9];

	/* one by one: the order of an initializer list's side effects is unspecified */
	for (unsigned int i = 0; i < 9; i++)
		d[i] = hs_pci_device_add(parent[i], name_of(i));
	unsigned int n = 9, counts[5] = {0};

	hs_pci_set_acs_redir(s1->down[1], true);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < n; j++) {
			int dij, dji;
			enum hs_pci_p2pdma_map_type tij =
			    hs_calc_map_type_and_dist(d[i], d[j], &dij);
			enum hs_pci_p2pdma_map_type tji =
			    hs_calc_map_type_and_dist(d[j], d[i], &dji);

			sim_check(tij == tji && dij == dji, "%s/%s: %s %d vs %s %d", d[i]->name,
				  d[j]->name, hs_pci_p2pdma_map_type_name(tij), dij,
				  hs_pci_p2pdma_map_type_name(tji), dji);
			sim_check((i == j) == (dij == 0), "%s/%s: distance %d", d[i]->name,
				  d[j]->name, dij);
			counts[tij]++;
		}
	/* every kind of answer occurs, so the symmetry above is not vacuous */
	sim_check(counts[BUS] && counts[HOST] && counts[NOT_SUPP], "%u bus, %u host, %u not",
		  counts[BUS], counts[HOST], counts[NOT_SUPP]);
	expect(d[0], d[2], BUS, 6);	 /* d0 2 hops to s0.up, d2 4 */
	expect(d[2], d[3], HOST, 4);	 /* ACS on s1.dp1 */
	expect(d[0], d[4], HOST, 6);	 /* no common bridge: d0's path 4, d4's 2 */
	expect(d[5], d[7], HOST, 6);	 /* same REQ_SAME host bridge */
	expect(d[5], d[8], NOT_SUPP, 6); /* REQ_SAME bridge to another bridge */
	expect(d[0], d[8], HOST, 6);	 /* two listed bridges */
}

static void test_symmetric(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(symmetric_main), "");
}

/* ---- asymmetric links ---------------------------------------------------------------- */

static void links_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb), 3);
	struct hs_pci_dev *a = hs_pci_device_add(sw->down[0], "a");
	struct hs_pci_dev *b = hs_pci_device_add(sw->down[1], "b");
	struct hs_pci_dev *c = hs_pci_device_add(sw->down[2], "c");
	struct hs_pci_dev *far = hs_pci_device_add(hs_pci_root_port_add(hb), "far");

	/* no limits: the topology decides */
	sim_check(hs_pci_link_flags(a, b) == HS_PCI_LINK_ALL, "default link");
	sim_check(hs_pci_p2p_path_ok(b, a, false, false) && hs_pci_p2p_path_ok(b, a, true, false) &&
		      hs_pci_p2p_path_ok(b, a, true, true),
		  "a -> b unrestricted");
	/* NOT_SUPPORTED: nothing goes peer-to-peer, whatever the link says */
	sim_check(!hs_pci_p2p_path_ok(far, a, false, false) &&
		      !hs_pci_p2p_path_ok(a, far, true, false),
		  "a NOT_SUPPORTED pair");

	/* a -> b without AtomicOps: reads and writes go, atomics do not; b -> a keeps them */
	sim_check(hs_pci_link_set(a, b, HS_PCI_LINK_READ | HS_PCI_LINK_WRITE) == 0, "link_set");
	sim_check(hs_pci_p2p_path_ok(b, a, false, false), "a reads b");
	sim_check(hs_pci_p2p_path_ok(b, a, true, false), "a writes b");
	sim_check(!hs_pci_p2p_path_ok(b, a, true, true), "a's atomics on b");
	sim_check(!hs_pci_p2p_path_ok(b, a, false, true), "an atomic is an atomic, read or write");
	sim_check(hs_pci_p2p_path_ok(a, b, true, true), "b's atomics on a are untouched");

	/* one way: c may do anything to a, a nothing to c */
	sim_check(hs_pci_link_set(c, a, HS_PCI_LINK_ALL | HS_PCI_LINK_ONE_WAY) == 0, "one way");
	sim_check(hs_pci_p2p_path_ok(a, c, false, false) && hs_pci_p2p_path_ok(a, c, true, false) &&
		      hs_pci_p2p_path_ok(a, c, true, true),
		  "c -> a open");
	sim_check(!hs_pci_p2p_path_ok(c, a, false, false) &&
		      !hs_pci_p2p_path_ok(c, a, true, false) &&
		      !hs_pci_p2p_path_ok(c, a, true, true),
		  "a -> c closed");
	sim_check(hs_pci_link_flags(a, c) == 0 && hs_pci_link_flags(c, a) == HS_PCI_LINK_ALL,
		  "one-way flags");

	/* write-only (posted writes pass, reads do not) */
	sim_check(hs_pci_link_set(b, c, HS_PCI_LINK_WRITE) == 0, "write only");
	sim_check(hs_pci_p2p_path_ok(c, b, true, false) && !hs_pci_p2p_path_ok(c, b, false, false),
		  "b writes c, cannot read it");

	/* setting again replaces; the map type is not affected by links */
	sim_check(hs_pci_link_set(a, b, HS_PCI_LINK_ALL) == 0, "relink");
	sim_check(hs_pci_p2p_path_ok(b, a, true, true), "a's atomics on b restored");
	expect(a, c, BUS, 4);

	sim_check(hs_pci_link_set(a, a, HS_PCI_LINK_ALL) == -EINVAL, "a link to itself");
	sim_check(hs_pci_link_set(a, b, 0x100) == -EINVAL, "unknown flags");
}

static void test_links(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(links_main), "");
}

/* ---- BAR pages ------------------------------------------------------------------------ */

struct p2p_machine {
	struct hs_pci_host_bridge *hb;
	struct hs_pci_dev *gpu, *nic, *far;
	struct hs_dev_pagemap *bar;
};

/* gpu and nic on one switch, far on another root port of a non-listed bridge. */
static struct p2p_machine *p2p_setup(unsigned long bar_pages)
{
	struct p2p_machine *m = sim_alloc(sizeof(*m));

	hs_machine_init(8, 16);
	m->hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(m->hb), 2);
	m->gpu = hs_pci_device_add(sw->down[0], "gpu");
	m->nic = hs_pci_device_add(sw->down[1], "nic");
	m->far = hs_pci_device_add(hs_pci_root_port_add(m->hb), "far");
	m->bar = hs_pci_p2pdma_add_resource(m->gpu, bar_pages);
	sim_check(m->bar, "pci_p2pdma_add_resource failed");
	return m;
}

static void bar_pgmap_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(4);
	struct hs_dev_pagemap *pg = m->bar;

	sim_check(pg->type == HS_MEMORY_DEVICE_PCI_P2PDMA, "pagemap type %d", pg->type);
	sim_check(pg->driver == m->gpu && hs_pci_p2pdma_pgmap_provider(pg) == m->gpu,
		  "pgmap->driver is the provider");
	sim_check(pg->start_pfn == 8 && pg->nr_pages == 4, "BAR pfns %#lx+%lu", pg->start_pfn,
		  pg->nr_pages);
	for (unsigned long pfn = pg->start_pfn; pfn < pg->start_pfn + pg->nr_pages; pfn++) {
		struct hs_page *p = hs_pfn_to_page(pfn);

		sim_check(hs_is_pci_p2pdma_page(p) && !hs_is_device_private_page(p),
			  "pfn %#lx is P2PDMA memory", pfn);
		sim_check(hs_page_ref_count(p) == 0, "BAR pages start free (refcount 0)");
		sim_check(hs_get_dev_pagemap(pfn) == pg, "get_dev_pagemap(%#lx)", pfn);
		hs_put_dev_pagemap(pg);
	}
	sim_check(hs_get_dev_pagemap(pg->start_pfn + 4) == NULL, "no pagemap past the BAR");
	sim_check(!hs_is_pci_p2pdma_page(hs_pfn_to_page(1)), "RAM is not P2PDMA memory");
	sim_check(hs_pci_p2pdma_pgmap_provider(NULL) == NULL, "no provider for no pagemap");
	sim_check(hs_pci_p2pmem_available(m->gpu) == 4, "the whole BAR is in the pool");
	sim_check(hs_pci_p2pmem_available(m->nic) == 0, "nic has no BAR");
	sim_check(hs_pci_p2pdma_add_resource(m->nic, 0) == NULL, "an empty BAR");
	sim_check(hs_pci_p2pdma_add_resource(m->nic, 64) == NULL, "no room for 64 pfns");
	sim_check(m->nic->p2pdma == NULL || hs_pci_p2pmem_available(m->nic) == 0,
		  "a failed add leaves no pages");
}

static void test_bar_pgmap(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(bar_pgmap_main), "");
}

static void alloc_free_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(3);
	struct hs_dev_pagemap *pg = m->bar;
	struct hs_page *p[4];

	sim_check(hs_dev_pagemap_refs(pg) == 1, "only the initial pagemap ref");
	for (int i = 0; i < 3; i++) {
		p[i] = hs_pci_alloc_p2pmem(m->gpu);
		sim_check(p[i] && hs_page_to_pfn(p[i]) == pg->start_pfn + i,
			  "alloc %d: lowest free BAR pfn", i);
		sim_check(hs_page_ref_count(p[i]) == 1, "refcount 1");
		sim_check(!hs_page_locked(p[i]), "not locked: not a migration destination");
		sim_check(hs_is_pci_p2pdma_page(p[i]), "a P2PDMA page");
	}
	sim_check(hs_dev_pagemap_refs(pg) == 4, "one pagemap ref per page");
	sim_check(hs_pci_p2pmem_available(m->gpu) == 0, "pool empty");
	sim_check(hs_pci_alloc_p2pmem(m->gpu) == NULL, "an empty pool");
	sim_check(hs_pci_alloc_p2pmem(m->nic) == NULL, "no P2PDMA memory on nic");

	/* data: device memory holds what is written to it */
	hs_page_write(p[1], 42);
	sim_check(hs_page_read(p[1]) == 42, "BAR page content");

	/* an extra reference (a DMA in flight) keeps the page out of the pool */
	uint32_t gen = hs_page_gen(p[1]);
	hs_get_page(p[1]);
	hs_pci_free_p2pmem(p[1]);
	sim_check(hs_pci_p2pmem_available(m->gpu) == 0, "still referenced");
	hs_page_check(p[1], gen, "held page");
	hs_put_page(p[1]);
	sim_check(hs_page_ref_count(p[1]) == 0 && hs_pci_p2pmem_available(m->gpu) == 1,
		  "the last put frees it");
	sim_check(hs_dev_pagemap_refs(pg) == 3, "its pagemap ref is gone");
	sim_check(hs_page_gen(p[1]) != gen, "freed: generation bumped");

	/* it is handed out again */
	p[3] = hs_pci_alloc_p2pmem(m->gpu);
	sim_check(p[3] == p[1], "the pool hands the freed page out again");
	hs_pci_free_p2pmem(p[0]);
	hs_pci_free_p2pmem(p[2]);
	hs_pci_free_p2pmem(p[3]);
	sim_check(hs_pci_p2pmem_available(m->gpu) == 3, "all back");
	sim_check(hs_dev_pagemap_refs(pg) == 1, "back to the initial ref");
}

static void test_alloc_free(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(alloc_free_main), "");
}

static void stale_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(2);
	struct hs_page *p = hs_pci_alloc_p2pmem(m->gpu);
	uint32_t gen = hs_page_gen(p);

	hs_pci_free_p2pmem(p);
	hs_page_check(p, gen, "a DMA mapping kept past pci_free_p2pmem");
}

static void test_stale_reference(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(stale_main), HS_KIND_UAF);
}

static void double_free_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(2);
	struct hs_page *p = hs_pci_alloc_p2pmem(m->gpu);

	hs_pci_free_p2pmem(p);
	hs_pci_free_p2pmem(p);
}

static void test_double_free(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(double_free_main), HS_KIND_REFCOUNT);
}

static void free_ram_main(void *arg)
{
	p2p_setup(2);
	hs_pci_free_p2pmem(hs_alloc_page());
}

static void test_free_ram(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(free_ram_main), HS_KIND_BUG);
}

/* Several BARs of one device: one pool, pagemaps in order. */
static void two_bars_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(1);
	struct hs_dev_pagemap *bar2 = hs_pci_p2pdma_add_resource(m->gpu, 2);

	sim_check(bar2 && bar2 != m->bar && bar2->driver == m->gpu, "second BAR");
	sim_check(hs_pci_p2pmem_available(m->gpu) == 3, "both BARs in the pool");
	struct hs_page *a = hs_pci_alloc_p2pmem(m->gpu);
	struct hs_page *b = hs_pci_alloc_p2pmem(m->gpu);
	sim_check(a->pgmap == m->bar && b->pgmap == bar2, "first BAR first");
	sim_check(hs_dev_pagemap_refs(bar2) == 2, "ref on the page's own pagemap");
	hs_pci_free_p2pmem(b);
	hs_pci_free_p2pmem(a);
	for (int i = 0; i < 4; i++)
		sim_check(hs_pci_p2pdma_add_resource(m->gpu, 1), "BAR %d", i + 2);
	sim_check(hs_pci_p2pdma_add_resource(m->gpu, 1) == NULL, "a seventh BAR");
}

static void test_two_bars(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(two_bars_main), "");
}

/* pci_p2pdma_state(): how a client must map a page. */
static void state_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(2);
	struct hs_page *p = hs_pci_alloc_p2pmem(m->gpu);
	struct hs_page *ram = hs_alloc_page();

	sim_check(hs_pci_p2pdma_state(ram, m->nic) == HS_PCI_P2PDMA_MAP_NONE, "RAM: NONE");
	sim_check(hs_pci_p2pdma_state(p, m->nic) == BUS, "nic on the same switch: BUS_ADDR");
	sim_check(hs_pci_p2pdma_state(p, m->gpu) == BUS, "the provider itself");
	sim_check(hs_pci_p2pdma_state(p, m->far) == NOT_SUPP, "far, host bridge not listed");
	m->hb->flags = HS_PCI_HB_WHITELISTED;
	sim_check(hs_pci_p2pdma_state(p, m->far) == HOST, "far, host bridge listed");
	hs_pci_free_p2pmem(p);
	hs_put_page(ram);
}

static void test_state(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(state_main), "");
}

/* ---- teardown -------------------------------------------------------------------------- */

struct release_ctx {
	struct p2p_machine *m;
	struct hs_page *page;
};

static void dma_user(void *arg)
{
	struct release_ctx *c = arg;

	hs_page_write(c->page, 7); /* the DMA */
	hs_pci_free_p2pmem(c->page);
}

static void user_alloc(void *arg)
{
	struct release_ctx *c = arg;
	struct hs_page *p = hs_pci_alloc_p2pmem(c->m->gpu);

	/* before the unbind: a page that must be freed before it completes;
	 * after it: nothing */
	if (p)
		hs_pci_free_p2pmem(p);
}

/*
 * Driver unbind while the BAR is in use: release waits for every page to come
 * back, then no allocation succeeds and the state of the BAR's pages says
 * NOT_SUPPORTED.  Every interleaving of a freeing user and an allocating one.
 */
static void release_main(void *arg)
{
	struct release_ctx *c = sim_alloc(sizeof(*c));

	c->m = p2p_setup(2);
	c->page = hs_pci_alloc_p2pmem(c->m->gpu);
	int t1 = sim_thread_spawn("dma", dma_user, c);
	int t2 = sim_thread_spawn("alloc", user_alloc, c);
	hs_pci_p2pdma_release(c->m->gpu);
	sim_check(hs_page_ref_count(c->page) == 0, "release returned with a BAR page in use");
	sim_check(hs_pci_alloc_p2pmem(c->m->gpu) == NULL, "allocation after release");
	sim_check(hs_pci_p2pdma_state(c->page, c->m->nic) == NOT_SUPP, "state after release");
	sim_check(hs_get_dev_pagemap(c->m->bar->start_pfn) == NULL, "pagemap unpublished");
	sim_thread_join(t1);
	sim_thread_join(t2);
}

static void test_release(void)
{
	struct sim_scenario sc = SCENARIO("t-p2p-release", release_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, 200000, 2, 0);

	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n    %s: %s\n", r.reports[0].kind, r.reports[0].message);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/* Release while a page is never freed: memunmap_pages() waits forever. */
static void release_leak_main(void *arg)
{
	struct p2p_machine *m = p2p_setup(2);

	(void)hs_pci_alloc_p2pmem(m->gpu);
	hs_pci_p2pdma_release(m->gpu);
}

static void test_release_leak(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(release_leak_main), SIM_KIND_DEADLOCK);
}

/* ---- setup errors ---------------------------------------------------------------------- */

static void bad_parent_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_dev *a = hs_pci_device_add(hs_pci_root_port_add(hb), "a");

	hs_pci_device_add(a, "below an endpoint");
}

static void bad_switch_main(void *arg)
{
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb), 1);

	hs_pci_switch_add(sw->up, 1); /* an upstream port is not a parent */
}

static void test_setup_errors(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(bad_parent_main), SIM_KIND_ASSERT);
	CU_ASSERT_STRING_EQUAL(run_once(bad_switch_main), SIM_KIND_ASSERT);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("p2pdma", NULL, NULL);

	CU_add_test(s, "same switch: BUS_ADDR, distance 4", test_same_switch);
	CU_add_test(s, "cascaded switches", test_cascaded_switches);
	CU_add_test(s, "common root port: BUS_ADDR unless ACS", test_root_port_common);
	CU_add_test(s, "ACS redirect on a switch port", test_acs_switch);
	CU_add_test(s, "root ports of a listed host bridge", test_root_ports_whitelisted);
	CU_add_test(s, "root ports of an unlisted host bridge", test_root_ports_not_listed);
	CU_add_test(s, "different host bridges", test_host_bridges);
	CU_add_test(s, "a function and itself", test_self);
	CU_add_test(s, "symmetric over every pair", test_symmetric);
	CU_add_test(s, "asymmetric links: atomics, one way", test_links);
	CU_add_test(s, "BAR pagemap", test_bar_pgmap);
	CU_add_test(s, "p2pmem alloc/free and refcounts", test_alloc_free);
	CU_add_test(s, "stale reference after free", test_stale_reference);
	CU_add_test(s, "double free", test_double_free);
	CU_add_test(s, "free of a RAM page", test_free_ram);
	CU_add_test(s, "several BARs", test_two_bars);
	CU_add_test(s, "pci_p2pdma_state", test_state);
	CU_add_test(s, "release waits for BAR pages", test_release);
	CU_add_test(s, "release with a page never freed", test_release_leak);
	CU_add_test(s, "setup errors", test_setup_errors);
}
