/* SPDX-License-Identifier: MIT */
/*
 * Model of PCI peer-to-peer DMA: the PCI topology that decides whether and how
 * two functions can reach each other, and MEMORY_DEVICE_PCI_P2PDMA pages over
 * a device BAR (drivers/pci/p2pdma.c, include/linux/pci-p2pdma.h).
 *
 * Baseline: Linux v6.18 behaviour.  See docs/p2p.md for the model and what is
 * simplified.
 *
 * The topology is a tree as the kernel sees it through pci_upstream_bridge():
 * an endpoint's upstream bridge is the port above it (a switch downstream port
 * or a root port), a downstream port's is its switch's upstream port, that
 * one's is the port above the switch, and a root port has none (it sits on the
 * root bus).  Host bridges are not in that chain: pci_find_host_bridge()
 * names a device's host bridge, and the P2PDMA allowlist is a property of it.
 *
 * Concurrency: the topology (devices, host bridges, ACS bits, link flags) is
 * built by the scenario's setup code before any other thread runs and is
 * read-only afterwards, so it is plain C with no annotations.  The BAR page
 * pool (gen_pool in the kernel) is shared and takes a spinlock;
 * pdev->p2pdma is RCU-published as in the kernel.  Everything is allocated
 * with sim_alloc() and lives for one execution.
 */
#ifndef HMMSIM_P2PDMA_H
#define HMMSIM_P2PDMA_H

#include <hmmsim/page.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* enum pci_p2pdma_map_type (include/linux/pci-p2pdma.h) */
enum hs_pci_p2pdma_map_type {
	/* not computed yet (the kernel's cache value); never returned */
	HS_PCI_P2PDMA_MAP_UNKNOWN = 0,
	/* not a P2PDMA page: hs_pci_p2pdma_state() of a non-P2PDMA page */
	HS_PCI_P2PDMA_MAP_NONE,
	/* the path crosses a host bridge that does not allow P2P: no P2P */
	HS_PCI_P2PDMA_MAP_NOT_SUPPORTED,
	/* below a common upstream bridge: program the DMA with bus addresses */
	HS_PCI_P2PDMA_MAP_BUS_ADDR,
	/* through an allowed host bridge: a normal (CPU physical / IOVA) mapping */
	HS_PCI_P2PDMA_MAP_THRU_HOST_BRIDGE,
};

/* "BUS_ADDR", ... for reports. */
const char *hs_pci_p2pdma_map_type_name(enum hs_pci_p2pdma_map_type type);

/* ---- topology --------------------------------------------------------------- */

/* Host bridge flags: the kernel's pci_p2pdma_whitelist[] entry for its root. */
#define HS_PCI_HB_WHITELISTED 0x1u /* on the allowlist (or cpu_supports_p2pdma()) */
/* the entry's REQ_SAME_HOST_BRIDGE: allowed only between ports of this bridge */
#define HS_PCI_HB_REQ_SAME_HOST_BRIDGE 0x2u

/**
 * struct hs_pci_host_bridge - struct pci_host_bridge, what P2PDMA asks of it.
 * @name:	for reports
 * @flags:	HS_PCI_HB_*
 * @nr_root_ports: root ports added so far (names them)
 */
struct hs_pci_host_bridge {
	const char *name;
	unsigned int flags;
	unsigned int nr_root_ports;
};

enum hs_pci_dev_type {
	HS_PCI_ROOT_PORT = 1,	  /* PCI_EXP_TYPE_ROOT_PORT */
	HS_PCI_SWITCH_UPSTREAM,	  /* PCI_EXP_TYPE_UPSTREAM */
	HS_PCI_SWITCH_DOWNSTREAM, /* PCI_EXP_TYPE_DOWNSTREAM */
	HS_PCI_ENDPOINT,	  /* PCI_EXP_TYPE_ENDPOINT */
};

struct hs_pci_link;
struct hs_pci_p2pdma;

/**
 * struct hs_pci_dev - struct pci_dev: one PCI function or port.
 * @type:	HS_PCI_*
 * @name:	for reports (pci_name())
 * @upstream:	pci_upstream_bridge(): the bridge above, NULL for a root port
 * @host:	pci_find_host_bridge()
 * @acs_redir:	ACS P2P Request/Completion Redirect or Egress Control enabled
 *		(pci_bridge_has_acs_redir()): P2P TLPs are sent up to the root
 * @links:	per-direction P2P path limits with this function as initiator
 *		(not a kernel notion: hs_pci_link_set())
 * @p2pdma:	P2PDMA state once a BAR was added (RCU-published), else NULL
 * @drvdata:	pci_get_drvdata(): the driver model bound to the function
 */
struct hs_pci_dev {
	enum hs_pci_dev_type type;
	const char *name;
	struct hs_pci_dev *upstream;
	struct hs_pci_host_bridge *host;
	bool acs_redir;
	struct hs_pci_link *links;
	struct hs_pci_p2pdma *p2pdma;
	void *drvdata;
};

#define HS_PCI_SWITCH_MAX_PORTS 8

/**
 * struct hs_pci_switch - a PCIe switch: one upstream port, its downstream ports.
 * @up:		the upstream port
 * @nr_down:	downstream ports in use
 * @down:	the downstream ports
 */
struct hs_pci_switch {
	struct hs_pci_dev *up;
	unsigned int nr_down;
	struct hs_pci_dev *down[HS_PCI_SWITCH_MAX_PORTS];
};

/* hs_pci_host_bridge_add() - a host bridge (root complex) with HS_PCI_HB_* @flags. */
struct hs_pci_host_bridge *hs_pci_host_bridge_add(const char *name, unsigned int flags);

/* hs_pci_root_port_add() - a root port on @hb's root bus (no upstream bridge). */
struct hs_pci_dev *hs_pci_root_port_add(struct hs_pci_host_bridge *hb);

/*
 * hs_pci_switch_add() - a switch below @parent_port (a root port or another
 * switch's downstream port) with @nr_down downstream ports.
 */
struct hs_pci_switch *hs_pci_switch_add(struct hs_pci_dev *parent_port, unsigned int nr_down);

/*
 * hs_pci_device_add() - an endpoint function below @parent_port (a root port or
 * a switch downstream port).  Several endpoints below one port stand for the
 * functions of one multi-function device.
 */
struct hs_pci_dev *hs_pci_device_add(struct hs_pci_dev *parent_port, const char *name);

/* hs_pci_set_acs_redir() - set or clear @dev's ACS redirect bits (setup only). */
void hs_pci_set_acs_redir(struct hs_pci_dev *dev, bool on);

/* pci_upstream_bridge() */
static inline struct hs_pci_dev *hs_pci_upstream_bridge(struct hs_pci_dev *dev)
{
	return dev->upstream;
}

/* pci_find_host_bridge(dev->bus) */
static inline struct hs_pci_host_bridge *hs_pci_find_host_bridge(struct hs_pci_dev *dev)
{
	return dev->host;
}

/* ---- the P2PDMA decision -------------------------------------------------------- */

/*
 * hs_calc_map_type_and_dist() - calc_map_type_and_dist(): how @client reaches
 * @provider's memory, and the distance through the nearest common upstream
 * bridge (hops from each side to it, summed; 0 for the same function).
 * @dist:	out, may be NULL
 *
 * Return: BUS_ADDR when both sit below a common upstream bridge (a switch
 * port or a root port) and no bridge on the path has ACS redirect set;
 * otherwise the traffic goes through the root complex: THRU_HOST_BRIDGE when
 * the host bridge allowlist permits it, else NOT_SUPPORTED.
 */
enum hs_pci_p2pdma_map_type hs_calc_map_type_and_dist(struct hs_pci_dev *provider,
						      struct hs_pci_dev *client, int *dist);

/* hs_pci_p2pdma_map_type() - the map type alone (see hs_calc_map_type_and_dist()). */
enum hs_pci_p2pdma_map_type hs_pci_p2pdma_map_type(struct hs_pci_dev *provider,
						   struct hs_pci_dev *client);

/*
 * hs_pci_p2pdma_distance() - pci_p2pdma_distance(provider, client, false).
 * Return: the distance, or -1 when the pair cannot do P2P (NOT_SUPPORTED).
 */
int hs_pci_p2pdma_distance(struct hs_pci_dev *provider, struct hs_pci_dev *client);

/* ---- asymmetric paths (hmmsim, not a kernel notion) ------------------------------ */

/*
 * What an initiator (the client doing DMA) may do to a target's (the
 * provider's) memory peer-to-peer.  A pair without hs_pci_link_set() allows
 * everything: the topology alone decides.
 */
#define HS_PCI_LINK_READ    0x1u /* read the target's memory */
#define HS_PCI_LINK_WRITE   0x2u /* write it */
#define HS_PCI_LINK_ATOMICS 0x4u /* PCIe AtomicOps on it */
#define HS_PCI_LINK_ALL	    (HS_PCI_LINK_READ | HS_PCI_LINK_WRITE | HS_PCI_LINK_ATOMICS)
/* hs_pci_link_set() only: @b may not initiate anything towards @a */
#define HS_PCI_LINK_ONE_WAY 0x8u

/*
 * hs_pci_link_set() - limit the P2P path from initiator @a to target @b to
 * @flags (HS_PCI_LINK_READ | WRITE | ATOMICS); with HS_PCI_LINK_ONE_WAY the
 * reverse direction (@b initiating towards @a) is closed too.  Setup only.
 * Return: 0, or -EINVAL for @a == @b or unknown flags.
 */
int hs_pci_link_set(struct hs_pci_dev *a, struct hs_pci_dev *b, unsigned int flags);

/* hs_pci_link_flags() - HS_PCI_LINK_* allowed from @initiator to @target. */
unsigned int hs_pci_link_flags(struct hs_pci_dev *initiator, struct hs_pci_dev *target);

/*
 * hs_pci_p2p_path_ok() - may @client access @provider's memory peer-to-peer?
 * @write:	a write (else a read)
 * @atomic:	a PCIe AtomicOp (needs HS_PCI_LINK_ATOMICS, whatever @write says)
 *
 * False when the map type is NOT_SUPPORTED, or the link from @client to
 * @provider does not carry this kind of access.
 */
bool hs_pci_p2p_path_ok(struct hs_pci_dev *provider, struct hs_pci_dev *client, bool write,
			bool atomic);

/* ---- P2PDMA memory: BAR pages ------------------------------------------------------ */

/*
 * hs_pci_p2pdma_add_resource() - pci_p2pdma_add_resource(): give @pdev a BAR
 * of @nr_pages pages as a MEMORY_DEVICE_PCI_P2PDMA pagemap (pgmap->driver is
 * @pdev) and put its pages in @pdev's pool.  Setup only.
 * Return: the pagemap, or NULL (@nr_pages is 0, no room for more BARs or pfns).
 */
struct hs_dev_pagemap *hs_pci_p2pdma_add_resource(struct hs_pci_dev *pdev, unsigned long nr_pages);

/*
 * hs_pci_alloc_p2pmem() - pci_alloc_p2pmem() of one page: a BAR page with
 * refcount 1 (not locked) holding a reference on its pagemap, or NULL when
 * @pdev has no P2PDMA memory, the pool is empty or the pagemap is dying.
 */
struct hs_page *hs_pci_alloc_p2pmem(struct hs_pci_dev *pdev);

/*
 * hs_pci_free_p2pmem() - pci_free_p2pmem(): drop the allocation's reference;
 * the last reference returns the page to its pool and drops the pagemap
 * reference.
 */
void hs_pci_free_p2pmem(struct hs_page *page);

/* hs_pci_p2pmem_available() - free BAR pages of @pdev (sysfs p2pmem/available). */
unsigned long hs_pci_p2pmem_available(struct hs_pci_dev *pdev);

/*
 * hs_pci_p2pdma_release() - driver unbind: pci_p2pdma_release() after the
 * devm_memunmap_pages() of every BAR: waits until every BAR page is freed,
 * then unpublishes @pdev->p2pdma (allocations fail from then on).
 */
void hs_pci_p2pdma_release(struct hs_pci_dev *pdev);

/* is_pci_p2pdma_page() */
static inline bool hs_is_pci_p2pdma_page(const struct hs_page *page)
{
	return page->pgmap && page->pgmap->type == HS_MEMORY_DEVICE_PCI_P2PDMA;
}

/* hs_pci_p2pdma_pgmap_provider() - the PCI function whose BAR @pgmap covers, or NULL. */
struct hs_pci_dev *hs_pci_p2pdma_pgmap_provider(struct hs_dev_pagemap *pgmap);

/*
 * hs_pci_p2pdma_state() - pci_p2pdma_state(): how @client must map @page.
 * Return: NONE for a page that is not P2PDMA memory; NOT_SUPPORTED when the
 * provider's P2PDMA state is gone; else the map type between the provider and
 * @client.
 */
enum hs_pci_p2pdma_map_type hs_pci_p2pdma_state(struct hs_page *page, struct hs_pci_dev *client);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_P2PDMA_H */
