/* SPDX-License-Identifier: MIT */
/*
 * The reference driver's internals, shared by model/drivers/dmirror.c (the
 * device, its mirrors, faults and P2P), dmirror_migrate.c (migration and
 * device-memory faults), dmirror_unplug.c (hot unplug), dmirror_steps.c
 * (the snapshot and the fault protocol step by step) and
 * model/drivers/dmirror_owner.c (how the device's owner is kept and
 * compared under each owner policy, include/hmmsim/owner.h).  Not a public
 * header: scenarios use include/hmmsim/dmirror.h.
 */
#ifndef HMMSIM_DMIRROR_INTERNAL_H
#define HMMSIM_DMIRROR_INTERNAL_H

#include <hmmsim/dmirror.h>
#include <hmmsim/kernel.h>
#include <hmmsim/owner.h>
#include <hmmsim/p2pdma.h>

#include "../internal.h"

#define DPT_VALID     0x1ul
#define DPT_WRITE     0x2ul
#define DPT_GEN_SHIFT 2
#define DPT_P2P	      (1ul << 22) /* the pfn is a BAR page standing for a device-private page */
#define DPT_ATOMIC    (1ul << 23) /* the device may use atomics through it */
#define DPT_P2P_BUS   (1ul << 24) /* P2P mapped by bus address (HMM_PFN_P2PDMA_BUS) */
#define DPT_PFN_SHIFT 25
/* test_hmm's DPT_XA_TAG_ATOMIC: granted by make_device_exclusive()
 * (dmirror_exclusive.c); reads and atomics, no plain writes */
#define DPT_EXCL     (1ul << 63)
#define DPT_PFN(ent) (((ent) & ~DPT_EXCL) >> DPT_PFN_SHIFT)

struct hs_dmirror_device {
	struct dev_pagemap *pgmap; /* a new one after an owner change (reregister) */
	spinlock_t lock;	   /* free list */
	unsigned long *free_pfns;
	unsigned long nr_free, nr_pages;
	const char *name;
	bool progress_oracle;
	/* P2P: its PCI function (hs_dmirror_device_set_pci/_set_p2p()); as an
	 * exporter, bar[i] is the BAR page that stands for device page i */
	struct hs_pci_dev *pdev;
	struct hs_page **bar;
	/*
	 * Owner (include/hmmsim/owner.h): owner_key is what pgmap->owner holds
	 * and what this device's hmm_range / migrate_vma pass, read and written
	 * as the owner policy says.  The oracle's truth, never a scheduling
	 * point: cluster is the interconnect cluster this device belongs to,
	 * mem_cluster the cluster allowed to use its memory directly (both the
	 * same but while an owner change is in progress).
	 */
	void *owner_key;
	void *cluster, *mem_cluster;
	/* the cluster an owner change in progress moves it to (NULL: none):
	 * from the key's store to the change's end the oracle allows both */
	void *cluster_next;
	bool draining;	      /* reregister: no allocation, frees not kept */
	struct hs_mm *mms[4]; /* the mms of its mirrors, for owner changes */
	unsigned int nr_mms;
	/* the group / callback owner policies' state (dmirror_owner.c), NULL
	 * under the others */
	struct dmirror_owner_state *os;
	/*
	 * Hot unplug (hs_dmirror_device_unplug()).  revoked: no new P2P grants
	 * and no new allocations (the percpu_ref_kill() of the revoke; atomic
	 * accesses, not scheduling points).  gone: the hardware vanished
	 * (surprise removal): the oracle's truth and what the hardware
	 * answers.  lost, lost_first: accesses that reached it afterwards.
	 */
	int revoked;
	int gone;
	/* its memory is going or gone (evict, unplug): test_hmm's devmem_chunks
	 * is NULL then, and release() evicts nothing (a noted atomic) */
	int removed;
	/* test_hmm's devmem_lock: the removal of the device's memory
	 * (dmirror_device_remove_chunks(), the driver's unplug) and the owner
	 * lab's reregister, which replaces the pagemap, one at a time */
	sim_mutex_t devmem_lock;
	/* hs_dmirror_device_set_copy_error(): its copy engine fails without
	 * telling the driver (set up before other threads run) */
	bool copy_error;
	/* HMM_DMIRROR_FLAG_FAIL_ALLOC (v6.19): the next device THP allocation
	 * fails (an atomic access, not a scheduling point) */
	int fail_alloc;
	unsigned long lost, lost_pages;
	char lost_first[192];
};

struct hs_dmirror {
	struct hs_dmirror_device *mdevice;
	struct mm_struct *mm;
	struct mmu_interval_notifier notifier;
	sim_mutex_t mutex;
	unsigned long *pt; /* one entry per virtual page: DPT_* | gen | pfn */
	unsigned long npt;
	enum hs_dmirror_bug bug;
	/* hs_dmirror_set_allow_p2p(): fault with HMM_PFN_ALLOW_P2P, naming the
	 * device's pdev as p2p_requester when p2p_with_requester */
	bool allow_p2p, p2p_with_requester;
	/* release(): faults in flight (inflight, atomic), the release waiting
	 * for them (dying, release_wq), and the kfree() (freed, the oracle's) */
	int inflight, dying, freed;
	sim_waitqueue_t release_wq;
	struct hs_dmirror_script *script; /* dmirror_script.c, NULL: none */
	/* dmirror_history.c: map migrated pages in the mirror (test_hmm's
	 * dmirror_migrate_finalize_and_map()), the address whose mirror-table
	 * store fails (~0ul: none), and the amdkfd-like workers' state */
	bool map_on_migrate;
	unsigned long map_fail_addr;
	struct dmirror_kfd *kfd;
};

/*
 * The mirror table's entry @i, under dmirror->mutex: plain C, each access
 * noted for dpor (HS_NOTED(), model/internal.h), so that the mutex can be
 * marked sim_mutex_annotated().
 */
static inline unsigned long dpt_get(struct hs_dmirror *dmirror, unsigned long i)
{
	return HS_NOTED(dmirror->pt[i]);
}

static inline void dpt_set(struct hs_dmirror *dmirror, unsigned long i, unsigned long ent)
{
	HS_NOTED_SET(dmirror->pt[i], ent);
}

/*
 * The device's free list (free_pfns[] and nr_free), under mdevice->lock:
 * plain C, one note for the whole list on nr_free (coarse, so sound), a
 * write when the section changes it, so that the lock can be marked
 * sim_spin_annotated().
 */
static inline void dmirror_free_list_note(struct hs_dmirror_device *mdevice, bool write)
{
	sim_note_access(&mdevice->nr_free, write);
}

/* ---- dmirror.c: the device, its memory, its mirrors and their faults ---------- */
/* The mirror-table entry of a page the device reaches directly (dmirror_do_fault()). */
unsigned long dpt_entry(struct hs_page *page, bool write);

/* The use-after-free oracle of the mirror's own memory (release() frees it). */
void dmirror_check_alive(struct hs_dmirror *dmirror, const char *what);

/* dmirror_remove_free_pages() with devmem->remove: no allocation from the
 * device's pagemap, and pages freed from now on are not kept. */
void dmirror_remove_free_pages(struct hs_dmirror_device *mdevice);

/* page_free of the device's pagemap (tells the oracle a page is the device's) */
void dmirror_devmem_free(struct hs_page *page);
/* dmirror_devmem_alloc_page(): a locked device page with refcount 1, or NULL
 * (none free, or the device is draining or revoked). */
struct hs_page *dmirror_devmem_alloc_page(struct hs_dmirror_device *mdevice);

/*
 * The device of a dmirror pagemap page (NULL for other pagemaps), and
 * whether the hardware behind it vanished (surprise unplug): what the
 * device answers, read without a scheduling point like every oracle field.
 */
static inline struct hs_dmirror_device *dmirror_page_device(struct hs_page *page)
{
	if (!page || !page->pgmap || page->pgmap->ops->page_free != dmirror_devmem_free)
		return NULL;
	return page->pgmap->driver;
}

static inline bool dmirror_device_is_gone(struct hs_dmirror_device *mdevice)
{
	return mdevice && sim_noted_load_n(&mdevice->gone, __ATOMIC_RELAXED);
}

/* ---- dmirror_history.c: the variants of historical-fix switches ----------------- */

/* dmirror_migrate_finalize_and_map(): the migrated pages into the mirror. */
int dmirror_migrate_finalize_and_map(struct migrate_vma *args, struct hs_dmirror *dmirror);
/* The copy of a device page to system memory by the engine of @from:
 * nothing copied when it fails silently (hs_dmirror_device_set_copy_error()). */
void dmirror_copy_to_ram(struct hs_dmirror_device *from, struct hs_page *dpage,
			 struct hs_page *spage);
/* The system page of a migration to RAM: zeroed unless switch
 * dmem_fault_no_zero restores nouveau before CVE-2024-50096's fix. */
struct hs_page *dmirror_alloc_ram_page(struct migrate_vma *args, unsigned long i);
/* v6.19's device THPs (dmirror.c) */
struct hs_page *dmirror_devmem_alloc_folio(struct hs_dmirror_device *mdevice);
void dmirror_devmem_folio_free(struct hs_page *head);

/* ---- dmirror_migrate.c: migrations and device-memory faults ------------------- */

/* dmirror_migrate_alloc_and_copy(): device pages for what was collected. */
void dmirror_migrate_alloc_and_copy(struct migrate_vma *args, struct hs_dmirror *dmirror);

/* dmirror_device_evict_chunk(): every page in use back to system memory. */
void dmirror_device_evict(struct hs_dmirror_device *mdevice);
/* dmirror_devmem_fault(): pgmap->ops->migrate_to_ram for a CPU fault. */
vm_fault_t dmirror_devmem_fault(struct vm_fault *vmf);

/* ---- dmirror_unplug.c: hot unplug and the lost-access oracle ------------------- */

/* Not in the kernel: record an access that reached @mdevice after it was
 * gone, or (@page) a page whose data went with it. */
__attribute__((format(printf, 3, 4))) void dmirror_lost(struct hs_dmirror_device *mdevice,
							bool page, const char *fmt, ...);

/* ---- dmirror_owner.c: the owner policy's side of the driver -------------------- */

/* The key this device's mirrors pass as dev_private_owner / pgmap_owner. */
void *dmirror_key_load(struct hs_dmirror_device *mdevice);
static inline void *dmirror_owner(struct hs_dmirror *dmirror)
{
	return dmirror_key_load(dmirror->mdevice);
}
/*
 * Hooks dmirror.c calls at the points where an owner policy may act; under
 * the policies that do not need them they do nothing.
 *  device_init:  hs_dmirror_device_create(), after memremap_pages()
 *  device_pci:   hs_dmirror_device_set_pci() (the device has a PCI function)
 *  device_gone:  first thing of a removal or unplug of @mdevice
 *  p2p_grant:    the exporter's get_p2p_page(), before it hands BAR page for
 *		  @page to @client (NULL: the requester was not named); false
 *		  declines (the importer falls back to migration)
 *  range_init:   a mirror's hmm_range before hmm_range_fault() (fields a
 *		  requester-side policy sets)
 *  may_use:      the wrong-owner oracle's truth (never a scheduling point):
 *		  may @accessor use device-private @page directly?
 */
void dmirror_owner_device_init(struct hs_dmirror_device *mdevice);
void dmirror_owner_device_pci(struct hs_dmirror_device *mdevice);
void dmirror_owner_device_gone(struct hs_dmirror_device *mdevice);
bool dmirror_owner_p2p_grant(struct hs_dmirror_device *exporter, struct hs_page *page,
			     struct hs_pci_dev *client);
void dmirror_owner_range_init(struct hs_dmirror *dmirror, struct hmm_range *range);
bool dmirror_owner_may_use(struct hs_dmirror_device *accessor, struct hs_page *page);
/* The facts behind a wrong-owner report of @accessor using @page (only
 * while a report is built): the policy, the owner keys compared and why
 * they matched, the oracle's truth, the P2P link between the devices. */
void dmirror_owner_facts(struct hs_dmirror_device *accessor, struct hs_page *page);
/* dmirror_migrate(), before migrate_vma_setup(): fields a requester-side
 * policy sets in @args (@to_dev: a migration to this device) */
void dmirror_owner_migrate_init(struct hs_dmirror *dmirror, struct migrate_vma *args, bool to_dev);
/* alloc_and_copy, right before it copies @spage, another device's page,
 * into this device's memory: the DMA mapping of the source for the copy
 * (drm_pagemap's device_map); false: it cannot be mapped, the page stays */
bool dmirror_owner_copy_ok(struct hs_dmirror *dmirror, struct hs_page *spage);
/* the same for an access through a P2P entry to the device-private @page
 * its BAR page stands for: is @accessor still granted it? */
bool dmirror_owner_may_use_p2p(struct hs_dmirror_device *accessor, struct hs_page *page);

/* ---- dmirror_script.c: the scripted parts (hs_dmirror_script_init()) ----------- */

bool dmirror_script_has_callback(struct hs_dmirror *dmirror);
bool dmirror_script_invalidate(struct mmu_interval_notifier *mni,
			       const struct mmu_notifier_range *range, unsigned long cur_seq);
void dmirror_script_migrate_pages(struct hs_dmirror *dmirror, struct migrate_vma *args,
				  bool to_dev);

#endif /* HMMSIM_DMIRROR_INTERNAL_H */
