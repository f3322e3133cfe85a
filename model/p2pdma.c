// SPDX-License-Identifier: MIT
/*
 * PCI peer-to-peer DMA: the topology walk that decides whether two functions
 * can talk and how, and MEMORY_DEVICE_PCI_P2PDMA pages over a BAR
 * (drivers/pci/p2pdma.c, include/linux/pci-p2pdma.h, include/linux/pci.h).
 *
 * The topology is setup-time data: built before the scenario spawns threads
 * and never changed afterwards, so it is read with plain C (no annotations,
 * no scheduling points).  The kernel's per-provider cache of map types (the
 * map_types xarray) is left out: with a read-only topology it can only ever
 * return what the walk computes.  What runs concurrently is the BAR page pool
 * (a spinlock, where the kernel's gen_pool is lock-free) and the lifetime of
 * pdev->p2pdma (RCU, as in the kernel).
 *
 * Which accesses are annotated, and why: the pool's free stacks are plain
 * C under the pool's lock, each section noting the stacks it reads or
 * changes (pool_note(): sim_note_access() on res->nr_free, no scheduling
 * point), so the lock is marked sim_spin_annotated() and dpor orders two of
 * its sections only when they touch the same BAR's stack and one changes it.
 */
#include <errno.h>
#include <hmmsim/p2pdma.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

/* PCI_STD_NUM_BARS: at most one P2PDMA resource per standard BAR. */
#define HS_PCI_P2PDMA_MAX_RES 6

/*
 * struct pci_p2pdma_pagemap: the pagemap of one BAR and its slice of the
 * pool.  The kernel keeps one gen_pool per device with every BAR in it;
 * a free stack per BAR behaves the same for page-sized allocations.
 */
struct hs_pci_p2pdma_res {
	struct hs_dev_pagemap pgmap;
	struct hs_pci_p2pdma *p2p;
	unsigned long *free; /* free pfns, lowest on top */
	unsigned long nr_free;
};

/* struct pci_p2pdma */
struct hs_pci_p2pdma {
	sim_spinlock_t lock; /* the pool's: every res->free and res->nr_free */
	unsigned int nr_res;
	struct hs_pci_p2pdma_res res[HS_PCI_P2PDMA_MAX_RES];
};

/*
 * The free stack of @res, under the pool's lock: plain C, one note on
 * nr_free for the whole stack (coarse, so sound), so that dpor sees it and
 * the lock can be marked sim_spin_annotated().
 */
static void pool_note(struct hs_pci_p2pdma_res *res, bool write)
{
	sim_note_access(&res->nr_free, write);
}

/* A P2P path limit: what ->links' owner may do to @target's memory. */
struct hs_pci_link {
	struct hs_pci_dev *target;
	unsigned int flags;
	struct hs_pci_link *next;
};

/* Not a kernel function: a name that lives as long as the execution. */
static const char *name_printf(const char *fmt, ...)
{
	va_list ap;
	char *buf = sim_alloc(64);

	va_start(ap, fmt);
	vsnprintf(buf, 64, fmt, ap);
	va_end(ap);
	return buf;
}

/**
 * hs_pci_p2pdma_map_type_name() - the name of a map type, for reports.
 * @type: the map type
 *
 * Return: its name without the PCI_P2PDMA_MAP_ prefix ("NONE", "BUS_ADDR",
 * ...), or "?".
 */
const char *hs_pci_p2pdma_map_type_name(enum hs_pci_p2pdma_map_type type)
{
	switch (type) {
	case HS_PCI_P2PDMA_MAP_UNKNOWN:
		return "UNKNOWN";
	case HS_PCI_P2PDMA_MAP_NONE:
		return "NONE";
	case HS_PCI_P2PDMA_MAP_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case HS_PCI_P2PDMA_MAP_BUS_ADDR:
		return "BUS_ADDR";
	case HS_PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		return "THRU_HOST_BRIDGE";
	}
	return "?";
}

/* ---- topology ------------------------------------------------------------------ */

/**
 * hs_pci_host_bridge_add() - a host bridge (root complex).
 * @name: for reports
 * @flags: HS_PCI_HB_* (its pci_p2pdma_whitelist[] answer)
 *
 * pci_create_root_bus() / acpi_pci_root_add(), reduced to what P2PDMA asks of
 * a host bridge: whether the device at the head of its root bus matches a
 * pci_p2pdma_whitelist[] entry, and that entry's REQ_SAME_HOST_BRIDGE flag.
 *
 * Return: the host bridge.
 */
struct hs_pci_host_bridge *hs_pci_host_bridge_add(const char *name, unsigned int flags)
{
	struct hs_pci_host_bridge *hb = sim_alloc(sizeof(*hb));

	hb->name = name ? name : "host-bridge";
	hb->flags = flags;
	return hb;
}

static struct hs_pci_dev *pci_dev_alloc(enum hs_pci_dev_type type, const char *name,
					struct hs_pci_dev *upstream,
					struct hs_pci_host_bridge *host)
{
	struct hs_pci_dev *dev = sim_alloc(sizeof(*dev));

	dev->type = type;
	dev->name = name;
	dev->upstream = upstream;
	dev->host = host;
	return dev;
}

/**
 * hs_pci_root_port_add() - a root port on @hb's root bus.
 * @hb: the host bridge
 *
 * pci_scan_bridge() of a root port: it sits on the root bus, so
 * pci_upstream_bridge() of it is NULL.  The kernel's root bus can also carry
 * integrated endpoints with no bridge above them; the model has none.
 *
 * Return: the port.
 */
struct hs_pci_dev *hs_pci_root_port_add(struct hs_pci_host_bridge *hb)
{
	const char *name = name_printf("%s.rp%u", hb->name, hb->nr_root_ports++);

	return pci_dev_alloc(HS_PCI_ROOT_PORT, name, NULL, hb);
}

static bool is_downstream_facing(const struct hs_pci_dev *port)
{
	return port->type == HS_PCI_ROOT_PORT || port->type == HS_PCI_SWITCH_DOWNSTREAM;
}

/**
 * hs_pci_switch_add() - a PCIe switch below @parent_port.
 * @parent_port: a root port or another switch's downstream port
 * @nr_down: its downstream ports (1..HS_PCI_SWITCH_MAX_PORTS)
 *
 * pci_scan_bridge() of a switch: an upstream port below @parent_port and
 * @nr_down downstream ports on its internal bus.  The model does not insist
 * that a port has a single link partner (a PCIe link is point to point): two
 * switches below one root port are accepted, and the walk treats them as the
 * kernel's pci_upstream_bridge() chain would.
 *
 * Return: the switch (a bad parent or @nr_down is reported as a violation).
 */
struct hs_pci_switch *hs_pci_switch_add(struct hs_pci_dev *parent_port, unsigned int nr_down)
{
	struct hs_pci_switch *sw = sim_alloc(sizeof(*sw));

	sim_check(parent_port && is_downstream_facing(parent_port),
		  "hs_pci_switch_add: the parent must be a root port or a downstream port");
	sim_check(nr_down >= 1 && nr_down <= HS_PCI_SWITCH_MAX_PORTS,
		  "hs_pci_switch_add: %u downstream ports (1..%d)", nr_down,
		  HS_PCI_SWITCH_MAX_PORTS);
	sw->up = pci_dev_alloc(HS_PCI_SWITCH_UPSTREAM, name_printf("%s.sw", parent_port->name),
			       parent_port, parent_port->host);
	sw->nr_down = nr_down;
	for (unsigned int i = 0; i < nr_down; i++)
		sw->down[i] =
		    pci_dev_alloc(HS_PCI_SWITCH_DOWNSTREAM, name_printf("%s.dp%u", sw->up->name, i),
				  sw->up, parent_port->host);
	return sw;
}

/**
 * hs_pci_device_add() - an endpoint function below @parent_port.
 * @parent_port: a root port or a switch downstream port
 * @name: for reports
 *
 * pci_scan_single_device().  Several endpoints below one port stand for the
 * functions of one multi-function device.
 *
 * Return: the function.
 */
struct hs_pci_dev *hs_pci_device_add(struct hs_pci_dev *parent_port, const char *name)
{
	sim_check(parent_port && is_downstream_facing(parent_port),
		  "hs_pci_device_add: the parent must be a root port or a downstream port");
	return pci_dev_alloc(HS_PCI_ENDPOINT, name ? name : "pci-dev", parent_port,
			     parent_port->host);
}

/**
 * hs_pci_set_acs_redir() - set or clear @dev's ACS redirect bits.
 * @dev: a bridge (root or switch port)
 * @on: the new state
 *
 * The ACS control register's RR/CR/EC bits as pci_bridge_has_acs_redir()
 * reads them (pci=disable_acs_redir= clears them).  Setup only.
 */
void hs_pci_set_acs_redir(struct hs_pci_dev *dev, bool on)
{
	dev->acs_redir = on;
}

/* ---- the P2PDMA decision ---------------------------------------------------------- */

/* Functions from @dev up to the root port, @dev included. */
static int upstream_depth(struct hs_pci_dev *dev)
{
	int n = 0;

	for (; dev; dev = hs_pci_upstream_bridge(dev))
		n++;
	return n;
}

/*
 * The search loop of calc_map_type_and_dist(): for each function on the
 * provider's upstream path, nearest first, look for it on the client's path.
 * Returns the nearest common one (NULL if there is none) with the hops from
 * each side to it.  With no common bridge the kernel's counters end at the
 * full lengths of both paths, and so do these.
 */
static struct hs_pci_dev *nearest_common_upstream(struct hs_pci_dev *provider,
						  struct hs_pci_dev *client, int *dist_a,
						  int *dist_b)
{
	int i = 0;

	for (struct hs_pci_dev *a = provider; a; a = hs_pci_upstream_bridge(a), i++) {
		int j = 0;

		for (struct hs_pci_dev *b = client; b; b = hs_pci_upstream_bridge(b), j++)
			if (a == b) {
				*dist_a = i;
				*dist_b = j;
				return a;
			}
	}
	*dist_a = upstream_depth(provider);
	*dist_b = upstream_depth(client);
	return NULL;
}

/*
 * The ACS part of calc_map_type_and_dist(): pci_bridge_has_acs_redir() on
 * every function of the provider's path up to and including @common, and of
 * the client's path below @common.
 */
static bool acs_redirect_on_path(struct hs_pci_dev *provider, struct hs_pci_dev *client,
				 struct hs_pci_dev *common)
{
	for (struct hs_pci_dev *a = provider;; a = hs_pci_upstream_bridge(a)) {
		if (a->acs_redir)
			return true;
		if (a == common)
			break;
	}
	for (struct hs_pci_dev *b = client; b != common; b = hs_pci_upstream_bridge(b))
		if (b->acs_redir)
			return true;
	return false;
}

/*
 * __host_bridge_whitelist(): the entry for the host bridge's root device, and
 * REQ_SAME_HOST_BRIDGE entries only when both ends are below this bridge.
 */
static bool __host_bridge_whitelist(const struct hs_pci_host_bridge *host, bool same_host_bridge)
{
	if (!(host->flags & (HS_PCI_HB_WHITELISTED | HS_PCI_HB_REQ_SAME_HOST_BRIDGE)))
		return false;
	if ((host->flags & HS_PCI_HB_REQ_SAME_HOST_BRIDGE) && !same_host_bridge)
		return false;
	return true;
}

/*
 * host_bridge_whitelist(): one host bridge must allow P2P between its own
 * ports; two different ones must both allow P2P across host bridges.
 * cpu_supports_p2pdma() (AMD Zen: every path allowed) is not modelled apart:
 * mark every host bridge HS_PCI_HB_WHITELISTED for such a machine.
 */
static bool host_bridge_whitelist(struct hs_pci_dev *a, struct hs_pci_dev *b)
{
	struct hs_pci_host_bridge *host_a = hs_pci_find_host_bridge(a);
	struct hs_pci_host_bridge *host_b = hs_pci_find_host_bridge(b);

	if (host_a == host_b)
		return __host_bridge_whitelist(host_a, true);
	return __host_bridge_whitelist(host_a, false) && __host_bridge_whitelist(host_b, false);
}

/**
 * hs_calc_map_type_and_dist() - calc_map_type_and_dist(): how @client reaches @provider.
 * @provider: the function whose memory is accessed
 * @client: the function doing the DMA
 * @dist: out, may be NULL: hops from each side to the nearest common upstream
 *  bridge, summed (0 for the same function)
 *
 * calc_map_type_and_dist(): a common upstream bridge (a switch port, or a root
 * port both functions sit below) keeps the TLPs below it, unless ACS
 * redirects them up to the root complex; anything through the root complex
 * needs the host bridge allowlist.  Simplified: no verbose warnings, no
 * map_types cache, no cpu_supports_p2pdma() (see host_bridge_whitelist()).
 *
 * Return: BUS_ADDR when both sit below a common upstream bridge (a switch
 * port or a root port) and no bridge on the path has ACS redirect set;
 * otherwise the traffic goes through the root complex: THRU_HOST_BRIDGE when
 * the host bridge allowlist permits it, else NOT_SUPPORTED.
 */
enum hs_pci_p2pdma_map_type hs_calc_map_type_and_dist(struct hs_pci_dev *provider,
						      struct hs_pci_dev *client, int *dist)
{
	int dist_a, dist_b;
	struct hs_pci_dev *common = nearest_common_upstream(provider, client, &dist_a, &dist_b);

	if (dist)
		*dist = dist_a + dist_b;
	if (common && !acs_redirect_on_path(provider, client, common))
		return HS_PCI_P2PDMA_MAP_BUS_ADDR;
	if (!host_bridge_whitelist(provider, client))
		return HS_PCI_P2PDMA_MAP_NOT_SUPPORTED;
	return HS_PCI_P2PDMA_MAP_THRU_HOST_BRIDGE;
}

/**
 * hs_pci_p2pdma_map_type() - pci_p2pdma_map_type(): the map type alone.
 * @provider: the function whose memory is accessed
 * @client: the function doing the DMA
 *
 * pci_p2pdma_map_type() without its first test (a provider without P2PDMA
 * state gives NOT_SUPPORTED: hs_pci_p2pdma_state() has it) and without the
 * cache: the topology alone.
 *
 * Return: as hs_calc_map_type_and_dist().
 */
enum hs_pci_p2pdma_map_type hs_pci_p2pdma_map_type(struct hs_pci_dev *provider,
						   struct hs_pci_dev *client)
{
	return hs_calc_map_type_and_dist(provider, client, NULL);
}

/**
 * hs_pci_p2pdma_distance() - pci_p2pdma_distance(provider, client, false).
 * @provider: the function whose memory is accessed
 * @client: the function doing the DMA
 *
 * pci_p2pdma_distance() = pci_p2pdma_distance_many() of one client: the
 * distance whatever the route, -1 when the route is not supported.
 *
 * Return: the distance, or -1 when the pair cannot do P2P (NOT_SUPPORTED).
 */
int hs_pci_p2pdma_distance(struct hs_pci_dev *provider, struct hs_pci_dev *client)
{
	int dist;

	if (hs_calc_map_type_and_dist(provider, client, &dist) == HS_PCI_P2PDMA_MAP_NOT_SUPPORTED)
		return -1;
	return dist;
}

/* ---- asymmetric paths ----------------------------------------------------------- */

static struct hs_pci_link *link_find(struct hs_pci_dev *initiator, struct hs_pci_dev *target)
{
	for (struct hs_pci_link *l = initiator->links; l; l = l->next)
		if (l->target == target)
			return l;
	return NULL;
}

static void link_store(struct hs_pci_dev *initiator, struct hs_pci_dev *target, unsigned int flags)
{
	struct hs_pci_link *l = link_find(initiator, target);

	if (!l) {
		l = sim_alloc(sizeof(*l));
		l->target = target;
		l->next = initiator->links;
		initiator->links = l;
	}
	l->flags = flags;
}

/**
 * hs_pci_link_set() - limit the P2P path from initiator @a to target @b.
 * @a: the initiator
 * @b: the target
 * @flags: HS_PCI_LINK_READ | WRITE | ATOMICS; with HS_PCI_LINK_ONE_WAY the
 *  reverse direction (@b initiating towards @a) is closed too
 *
 * Not a kernel notion: the kernel's answer is per pair and symmetric, while
 * real fabrics (and the interconnects) may carry one direction or
 * one kind of request only.  Setup only.
 *
 * Return: 0, or -EINVAL for @a == @b or unknown flags.
 */
int hs_pci_link_set(struct hs_pci_dev *a, struct hs_pci_dev *b, unsigned int flags)
{
	if (a == b || (flags & ~(HS_PCI_LINK_ALL | HS_PCI_LINK_ONE_WAY)))
		return -EINVAL;
	link_store(a, b, flags & HS_PCI_LINK_ALL);
	if (flags & HS_PCI_LINK_ONE_WAY)
		link_store(b, a, 0);
	return 0;
}

/**
 * hs_pci_link_flags() - what @initiator may do to @target's memory.
 * @initiator: the client doing DMA
 * @target: the provider
 *
 * Return: HS_PCI_LINK_* bits; HS_PCI_LINK_ALL for a pair without a limit.
 */
unsigned int hs_pci_link_flags(struct hs_pci_dev *initiator, struct hs_pci_dev *target)
{
	struct hs_pci_link *l = link_find(initiator, target);

	return l ? l->flags : HS_PCI_LINK_ALL;
}

/**
 * hs_pci_p2p_path_ok() - may @client access @provider's memory peer-to-peer?
 * @provider: the function whose memory is accessed
 * @client: the function doing the DMA
 * @write: a write (else a read)
 * @atomic: a PCIe AtomicOp (needs HS_PCI_LINK_ATOMICS, whatever @write says)
 *
 * Not a kernel function: the kernel decision (pci_p2pdma_map_type() !=
 * NOT_SUPPORTED, as the DMA mapping code asks it) refined by the link limits
 * of the client -> provider direction.
 *
 * Return: false when the map type is NOT_SUPPORTED or the link from @client to
 * @provider does not carry this kind of access.
 */
bool hs_pci_p2p_path_ok(struct hs_pci_dev *provider, struct hs_pci_dev *client, bool write,
			bool atomic)
{
	unsigned int need =
	    atomic ? HS_PCI_LINK_ATOMICS : (write ? HS_PCI_LINK_WRITE : HS_PCI_LINK_READ);

	if (hs_pci_p2pdma_map_type(provider, client) == HS_PCI_P2PDMA_MAP_NOT_SUPPORTED)
		return false;
	return (hs_pci_link_flags(client, provider) & need) == need;
}

/* ---- P2PDMA memory ------------------------------------------------------------------ */

static struct hs_pci_p2pdma_res *to_p2p_res(struct hs_dev_pagemap *pgmap)
{
	return (struct hs_pci_p2pdma_res *)((char *)pgmap -
					    offsetof(struct hs_pci_p2pdma_res, pgmap));
}

/*
 * p2pdma_folio_free(): a BAR page's last reference went: back to the pool.
 * The kernel's callback also drops the pagemap reference (free_zone_device_folio()
 * does not, for P2PDMA); the model's free_zone_device_page() drops it for every
 * type, so this one must not.
 */
static void p2pdma_page_free(struct hs_page *page)
{
	struct hs_pci_p2pdma_res *res = to_p2p_res(page->pgmap);
	struct hs_pci_p2pdma *p2p = res->p2p;

	sim_spin_lock(&p2p->lock);
	pool_note(res, true);
	res->free[res->nr_free++] = hs_page_to_pfn(page);
	sim_spin_unlock(&p2p->lock);
}

static const struct hs_dev_pagemap_ops p2pdma_pgmap_ops = {
    .page_free = p2pdma_page_free,
};

/* pcim_p2pdma_init() + pci_p2pdma_setup_pool(): the per-device state. */
static struct hs_pci_p2pdma *p2pdma_setup(struct hs_pci_dev *pdev)
{
	struct hs_pci_p2pdma *p2p = pdev->p2pdma;

	if (p2p)
		return p2p;
	p2p = sim_alloc(sizeof(*p2p));
	sim_spin_init(&p2p->lock, "p2pdma->pool");
	sim_spin_annotated(&p2p->lock); /* every res->free and res->nr_free */
	sim_rcu_assign_pointer(pdev->p2pdma, p2p);
	return p2p;
}

/**
 * hs_pci_p2pdma_add_resource() - pci_p2pdma_add_resource(): a BAR of P2PDMA pages.
 * @pdev: the provider
 * @nr_pages: the size of the BAR in pages
 *
 * pci_p2pdma_add_resource(): a BAR becomes ZONE_DEVICE pages of type
 * MEMORY_DEVICE_PCI_P2PDMA (devm_memremap_pages()) and its pages go into the
 * device's pool (gen_pool_add_owner(), owner = the pagemap's ref).
 * Simplified: no BAR index/offset/size checks (the size is @nr_pages), no bus
 * address offset, no sysfs, no devm: hs_pci_p2pdma_release() undoes it.
 *
 * Return: the pagemap (pgmap->driver is @pdev), or NULL (@nr_pages is 0, no
 * room for more BARs or pfns).
 */
struct hs_dev_pagemap *hs_pci_p2pdma_add_resource(struct hs_pci_dev *pdev, unsigned long nr_pages)
{
	struct hs_pci_p2pdma *p2p;
	struct hs_pci_p2pdma_res *res;

	if (!nr_pages)
		return NULL;
	p2p = p2pdma_setup(pdev);
	if (p2p->nr_res == HS_PCI_P2PDMA_MAX_RES)
		return NULL;
	res = &p2p->res[p2p->nr_res];
	res->p2p = p2p;
	res->pgmap.type = HS_MEMORY_DEVICE_PCI_P2PDMA;
	res->pgmap.ops = &p2pdma_pgmap_ops;
	res->pgmap.name = name_printf("p2pdma:%s", pdev->name);
	res->pgmap.driver = pdev;
	if (hs_memremap_pages(&res->pgmap, nr_pages))
		return NULL;
	res->free = sim_alloc(nr_pages * sizeof(*res->free));
	/* lowest pfn on top: allocation order is the same on every run */
	for (unsigned long i = nr_pages; i-- > 0;)
		res->free[res->nr_free++] = res->pgmap.start_pfn + i;
	p2p->nr_res++;
	return &res->pgmap;
}

/**
 * hs_pci_p2pdma_pgmap_provider() - the PCI function whose BAR @pgmap covers.
 * @pgmap: a pagemap
 *
 * The pagemap's struct pci_p2pdma_pagemap->mem->owner.
 *
 * Return: the provider, or NULL when @pgmap is not P2PDMA memory.
 */
struct hs_pci_dev *hs_pci_p2pdma_pgmap_provider(struct hs_dev_pagemap *pgmap)
{
	if (!pgmap || pgmap->type != HS_MEMORY_DEVICE_PCI_P2PDMA)
		return NULL;
	return pgmap->driver;
}

/* gen_pool_alloc_owner() of one page: a free pfn and its BAR, or 0. */
static unsigned long pool_alloc(struct hs_pci_p2pdma *p2p, struct hs_pci_p2pdma_res **resp)
{
	unsigned long pfn = 0;

	sim_spin_lock(&p2p->lock);
	for (unsigned int i = 0; i < p2p->nr_res && !pfn; i++) {
		pool_note(&p2p->res[i], false);
		if (p2p->res[i].nr_free) {
			pool_note(&p2p->res[i], true);
			*resp = &p2p->res[i];
			pfn = p2p->res[i].free[--p2p->res[i].nr_free];
		}
	}
	sim_spin_unlock(&p2p->lock);
	return pfn; /* pfn 0 is the zero page: never a BAR page */
}

/**
 * hs_pci_alloc_p2pmem() - pci_alloc_p2pmem() of one page.
 * @pdev: the provider
 *
 * pci_alloc_p2pmem() of one page, under rcu_read_lock() against
 * pci_p2pdma_release(): take a page from the pool, then a reference on its
 * pagemap unless that is dying (percpu_ref_tryget_live_rcu()).  The kernel
 * hands out a kernel address and leaves the struct page's refcount at 0; the
 * model hands out the page with refcount 1, as p2pmem_alloc_mmap() does
 * (set_page_count(page, 1)), so a driver model can get/put it like any page.
 * It is not locked: BAR pages are never migration destinations.  Not zeroed
 * (gen_pool memory is not).
 *
 * Return: a BAR page with refcount 1 (not locked) holding a reference on its
 * pagemap, or NULL when @pdev has no P2PDMA memory, the pool is empty or the
 * pagemap is dying.
 */
struct hs_page *hs_pci_alloc_p2pmem(struct hs_pci_dev *pdev)
{
	struct hs_pci_p2pdma_res *res = NULL;
	struct hs_pci_p2pdma *p2p;
	struct hs_page *page = NULL;
	unsigned long pfn;

	sim_rcu_read_lock();
	p2p = sim_rcu_dereference(pdev->p2pdma);
	if (!p2p)
		goto out;
	pfn = pool_alloc(p2p, &res);
	if (!pfn)
		goto out;
	if (hs_get_dev_pagemap(pfn) != &res->pgmap) {
		/* dying (or gone): gen_pool_free() and fail */
		sim_spin_lock(&p2p->lock);
		pool_note(res, true);
		res->free[res->nr_free++] = pfn;
		sim_spin_unlock(&p2p->lock);
		goto out;
	}
	page = hs_pfn_to_page(pfn);
	if (hs_page_ref_count(page) != 0) /* VM_WARN_ON_ONCE_PAGE() */
		sim_fail(HS_KIND_REFCOUNT, "pci_alloc_p2pmem: pfn %#lx of the pool is in use", pfn);
	sim_bits_store(&page->flags, 0, HS_PG_ALL, SIM_RELAXED);
	sim_atomic_store(&page->_refcount, 1, SIM_RELEASE);
out:
	sim_rcu_read_unlock();
	return page;
}

/**
 * hs_pci_free_p2pmem() - pci_free_p2pmem(): drop the allocation's reference.
 * @page: a page of hs_pci_alloc_p2pmem()
 *
 * pci_free_p2pmem(): the kernel returns the range to the pool and puts the
 * pagemap reference at once; the model puts the page (p2pmem_alloc_mmap()'s
 * pages are freed that way), and the last put frees it through
 * p2pdma_page_free().
 */
void hs_pci_free_p2pmem(struct hs_page *page)
{
	if (!hs_is_pci_p2pdma_page(page))
		sim_fail(HS_KIND_BUG, "pci_free_p2pmem: pfn %#lx is not P2PDMA memory",
			 hs_page_to_pfn(page));
	hs_put_page(page);
}

/**
 * hs_pci_p2pmem_available() - gen_pool_avail() in pages.
 * @pdev: the provider
 *
 * The sysfs p2pmem/available attribute.
 *
 * Return: the free BAR pages of @pdev.
 */
unsigned long hs_pci_p2pmem_available(struct hs_pci_dev *pdev)
{
	struct hs_pci_p2pdma *p2p;
	unsigned long n = 0;

	sim_rcu_read_lock();
	p2p = sim_rcu_dereference(pdev->p2pdma);
	if (p2p) {
		sim_spin_lock(&p2p->lock);
		for (unsigned int i = 0; i < p2p->nr_res; i++) {
			pool_note(&p2p->res[i], false);
			n += p2p->res[i].nr_free;
		}
		sim_spin_unlock(&p2p->lock);
	}
	sim_rcu_read_unlock();
	return n;
}

/**
 * hs_pci_p2pdma_release() - driver unbind: the BARs' teardown, pci_p2pdma_release().
 * @pdev: the provider
 *
 * The devm teardown of a P2PDMA provider: devm_memunmap_pages() of each BAR
 * (kill its ref, wait for every page to be freed), then pci_p2pdma_release():
 * unpublish pdev->p2pdma and wait for a grace period so no pci_alloc_p2pmem()
 * still sees it.  Simplified: no sysfs, the pool's memory stays (sim_alloc).
 */
void hs_pci_p2pdma_release(struct hs_pci_dev *pdev)
{
	struct hs_pci_p2pdma *p2p = pdev->p2pdma; /* only the unbind path writes it */

	if (!p2p)
		return;
	for (unsigned int i = p2p->nr_res; i-- > 0;)
		hs_memunmap_pages(&p2p->res[i].pgmap);
	sim_rcu_assign_pointer(pdev->p2pdma, NULL);
	sim_synchronize_rcu();
}

/**
 * hs_pci_p2pdma_state() - pci_p2pdma_state(): how @client must map @page.
 * @page: any page
 * @client: the function that will DMA to it
 *
 * pci_p2pdma_state() / __pci_p2pdma_update_state() -> pci_p2pdma_map_type():
 * NONE for ordinary pages, NOT_SUPPORTED once the provider's P2PDMA state is
 * gone, else the topology's answer.
 *
 * Return: NONE for a page that is not P2PDMA memory; NOT_SUPPORTED when the
 * provider's P2PDMA state is gone; else the map type between the provider and
 * @client.
 */
enum hs_pci_p2pdma_map_type hs_pci_p2pdma_state(struct hs_page *page, struct hs_pci_dev *client)
{
	struct hs_pci_dev *provider;
	struct hs_pci_p2pdma *p2p;

	if (!hs_is_pci_p2pdma_page(page))
		return HS_PCI_P2PDMA_MAP_NONE;
	provider = hs_pci_p2pdma_pgmap_provider(page->pgmap);
	sim_rcu_read_lock();
	p2p = sim_rcu_dereference(provider->p2pdma);
	sim_rcu_read_unlock();
	if (!p2p)
		return HS_PCI_P2PDMA_MAP_NOT_SUPPORTED;
	return hs_pci_p2pdma_map_type(provider, client);
}
