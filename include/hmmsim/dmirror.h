/* SPDX-License-Identifier: MIT */
/*
 * The reference driver: a dmirror-like device modelled on lib/test_hmm.c.
 *
 * A device (struct hs_dmirror_device) owns a range of device-private pages;
 * a mirror (struct hs_dmirror) is one process's view from that device: its
 * own page table (virtual page -> pfn + write permission), an update mutex,
 * and an interval notifier over the whole address space whose callback
 * clears mirror entries (test_hmm skips the device's own migrations by
 * owner: a bug variant here, see HS_DMIRROR_BUG_SKIP_OWN_MIGRATE).
 * Device reads and writes go through the mirror and fault it in with the
 * documented protocol.  Every device access is checked by the coherence
 * oracle: the mirror entry must name the page the CPU page table maps now.
 */
#ifndef HMMSIM_DMIRROR_H
#define HMMSIM_DMIRROR_H

#include <hmmsim/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hs_dmirror_device;
struct hs_dmirror;

/*
 * HS_DMIRROR_BUG_EBUSY_FATAL's timeout as a count: before v6.6,
 * amdgpu_hmm_range_get_pages() retried hmm_range_fault() on -EBUSY until
 * jiffies passed HMM_RANGE_DEFAULT_TIMEOUT (at least 1 s) and failed then;
 * the model has no clock, so the driver gives up after this many retries,
 * and a scenario must invalidate more often than that to find the bug.
 */
#define HS_KFD_EBUSY_RETRIES 2

/* Driver bugs a mirror can be given, to be found by exploration. */
enum hs_dmirror_bug {
	HS_DMIRROR_OK = 0,
	/* programs the mirror without mmu_interval_read_retry() */
	HS_DMIRROR_BUG_NO_RETRY,
	/* checks read_retry before taking the update mutex (the amdgpu KFD
	 * userptr bug fixed by "drm/amdgpu: Add notifier lock for KFD userptrs") */
	HS_DMIRROR_BUG_RETRY_UNLOCKED,
	/* ignores invalidations of its own migrations without set_seq, as
	 * lib/test_hmm.c's dmirror_interval_invalidate() does */
	HS_DMIRROR_BUG_SKIP_OWN_MIGRATE,
	/* fails with -EBUSY from hmm_range_fault() once it has retried
	 * HS_KFD_EBUSY_RETRIES times, instead of starting again for as long
	 * as invalidations keep coming ("drm/amdkfd: retry after EBUSY is
	 * returned from hmm_ranges_get_pages", v6.6) */
	HS_DMIRROR_BUG_EBUSY_FATAL,
	/* locks the device page while holding the mutex its notifier callback
	 * takes, while eviction holds page locks and invalidates
	 * ("drm/xe/userptr: fix notifier vs folio deadlock", v6.15) */
	HS_DMIRROR_BUG_LOCK_PAGE_UNDER_MUTEX,
	/* release() removes the notifier and frees the mirror without waiting
	 * for the device's faults in flight (a driver that does not flush its
	 * page-fault work before mmu_interval_notifier_remove()) */
	HS_DMIRROR_BUG_RELEASE_NO_WAIT,
	/* hs_dmirror_exclusive() keeps the folio make_device_exclusive()
	 * returned locked and referenced: nouveau's bug fixed by
	 * "nouveau/svm: fix missing folio unlock + put after
	 * make_device_exclusive_range()" (v6.14-rc) */
	HS_DMIRROR_BUG_EXCLUSIVE_NO_UNLOCK,
	/* hs_dmirror_exclusive() unlocks and puts the folio before mapping it
	 * atomic: a CPU fault can take the page back in between, and the
	 * device keeps an atomic entry for a page the CPU maps again */
	HS_DMIRROR_BUG_EXCLUSIVE_UNLOCK_EARLY,
	/* the invalidate callback, for a non-blockable range (the OOM
	 * reaper's) whose mutex_trylock() fails, returns true as if it had
	 * cleared the mirror: the reaper then frees pages the mirror maps */
	HS_DMIRROR_BUG_NONBLOCK_SKIP,
};

/* Per-page states of a snapshot (HMM_DMIRROR_PROT_* of test_hmm). */
enum hs_dmirror_prot {
	HS_DMIRROR_PROT_ERROR = 0xff,
	HS_DMIRROR_PROT_NONE = 0x00,
	HS_DMIRROR_PROT_READ = 0x01,
	HS_DMIRROR_PROT_WRITE = 0x02,
	HS_DMIRROR_PROT_PMD = 0x04, /* map order 9: a THP mapped by one PMD */
	HS_DMIRROR_PROT_ZERO = 0x10,
	HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL = 0x20,
	HS_DMIRROR_PROT_DEV_PRIVATE_REMOTE = 0x30,
	HS_DMIRROR_PROT_DEV_COHERENT_LOCAL = 0x40,
	HS_DMIRROR_PROT_DEV_COHERENT_REMOTE = 0x50,
};

/* A device with @nr_pages of device-private memory (memremap_pages). */
struct hs_dmirror_device *hs_dmirror_device_create(const char *name, unsigned long nr_pages);
/*
 * A device with @nr_pages of device-coherent memory (MEMORY_DEVICE_COHERENT,
 * test_hmm's coherent devices): the CPU maps its pages directly with present
 * ptes and never faults them back; they return to system memory only by
 * migrate_to_sys (SELECT_DEVICE_COHERENT) or eviction (device removal).
 */
struct hs_dmirror_device *hs_dmirror_device_create_coherent(const char *name,
							    unsigned long nr_pages);
/* Evict every device page to system memory, then memunmap_pages(). */
void hs_dmirror_device_remove(struct hs_dmirror_device *mdevice);
/*
 * Hot unplug of a device (exporter side), see docs/p2p.md "Hot unplug".
 *  SAFE:     the revoke: stop new P2P grants, invalidate every importer
 *	      mapping through the notifier machinery (migrating the private
 *	      pages out), wait for references, tear down (BAR, pagemap).
 *  SURPRISE: the device is gone first; accesses that reach its memory or
 *	      its BAR afterwards are reported as lost accesses (never silent
 *	      success); nothing is freed while referenced.
 *  DEVM:     teardown through the device-managed path at driver unbind:
 *	      devres releases the pagemap and the BAR without the driver
 *	      evicting first (the misuse the review worries about).
 *  BUG_FREE_BEFORE_INVALIDATE: a revoke that frees (BAR, device memory)
 *	      before it invalidates importers (a bug to be found).
 * Return: 0 or a negative errno.
 */
enum hs_dmirror_unplug {
	HS_DMIRROR_UNPLUG_SAFE = 0,
	HS_DMIRROR_UNPLUG_SURPRISE,
	HS_DMIRROR_UNPLUG_DEVM,
	HS_DMIRROR_UNPLUG_BUG_FREE_BEFORE_INVALIDATE,
};
int hs_dmirror_device_unplug(struct hs_dmirror_device *mdevice, enum hs_dmirror_unplug how);
/*
 * After a SURPRISE unplug: the accesses that reached the device's memory or
 * BAR once it was gone (each one failed: -EIO to a device DMA, SIGBUS to a
 * CPU fault), and in *@pages (may be NULL) the pages whose data went with
 * the device (its eviction could not copy them).  check_lost() reports
 * them, if any, as one HS_KIND_LOST_ACCESS violation naming the first
 * access; call it at the end of a scenario, after the leak oracle, so that
 * an execution checks both.
 */
unsigned long hs_dmirror_device_lost(struct hs_dmirror_device *mdevice, unsigned long *pages);
void hs_dmirror_device_check_lost(struct hs_dmirror_device *mdevice);
/* The owner key its pagemap and its mirrors use (the mdevice itself, but
 * see below and include/hmmsim/owner.h). */
void *hs_dmirror_device_owner(struct hs_dmirror_device *mdevice);
/*
 * Owner semantics (include/hmmsim/owner.h, docs/owner-semantics.md).  A
 * device belongs to an interconnect cluster (the oracle's truth: only the
 * devices of the cluster its memory belongs to may use its device-private
 * pages directly) known by a key (hs_owner_key()) that its pagemap's owner
 * and its mirrors' dev_private_owner / pgmap_owner carry.  By default the
 * cluster is the device itself.  set_owner: setup only, before other
 * threads run.  change_owner: the device moves to @cluster (key @key), as
 * the owner policy does it: in place with plain stores (mutable), with
 * WRITE_ONCE and an invalidation of every mm its mirrors mirror (mutable-
 * marked), or by evicting every page and registering a new pagemap
 * (reregister).  Return: 0, or -EOPNOTSUPP when the policy fixes owners.
 */
void hs_dmirror_device_set_owner(struct hs_dmirror_device *mdevice, void *cluster, void *key);
int hs_dmirror_device_change_owner(struct hs_dmirror_device *mdevice, void *cluster, void *key);
unsigned long hs_dmirror_device_pages_in_use(struct hs_dmirror_device *mdevice);
/*
 * Report as a livelock a CPU fault whose migration back to RAM failed on an
 * unexpected page reference.  Sound only in scenarios where nothing but
 * faulting CPUs holds references to the device's pages: then that round
 * changed nothing and can repeat forever.
 */
void hs_dmirror_device_set_progress_oracle(struct hs_dmirror_device *mdevice);
/*
 * From now on the device's copy engine fails without telling the driver
 * (a firmware or hardware error, as in CVE-2024-50096): a migration of its
 * memory to RAM copies nothing.  Setup only, before other threads run.
 */
void hs_dmirror_device_set_copy_error(struct hs_dmirror_device *mdevice);
/*
 * HMM_DMIRROR_FLAGS with HMM_DMIRROR_FLAG_FAIL_ALLOC (v6.19): the next THP
 * allocation of the driver (a device THP for a migration to the device, a
 * system THP for one back) fails and it falls back to base pages.
 */
void hs_dmirror_set_fail_alloc(struct hs_dmirror *dmirror);

/* open(): a mirror of @mm on @mdevice (inserts the interval notifier). */
struct hs_dmirror *hs_dmirror_open(struct hs_dmirror_device *mdevice, struct hs_mm *mm);
/*
 * release(): wait for the device's faults and accesses in flight on this
 * mirror (later ones fail with -ENODEV), remove the notifier, drop the
 * mirror (HS_DMIRROR_BUG_RELEASE_NO_WAIT skips the wait).
 */
void hs_dmirror_release(struct hs_dmirror *dmirror);
void hs_dmirror_set_bug(struct hs_dmirror *dmirror, enum hs_dmirror_bug bug);
/*
 * Map the pages a migration to the device moved in the mirror at once, as
 * test_hmm's dmirror_migrate_finalize_and_map() does (by default the model
 * leaves them to the next device fault); the store of the entry for
 * @fail_addr fails with -ENOMEM (xa_store() out of memory; ~0ul: none).
 * Setup only.
 */
void hs_dmirror_set_map_on_migrate(struct hs_dmirror *dmirror, unsigned long fail_addr);
/*
 * The amdkfd-like KFD process around a mirror (model/drivers/dmirror_history.c,
 * switches kfd_restore_work_exit_deadlock and kfd_mmput_in_notifier): its
 * notifier, its restore worker and its deferred-list worker, each worker
 * run by the scenario thread that calls it; flush runs the mmput_async()s
 * made so far (the system workqueue).  init: setup only.
 */
void hs_dmirror_kfd_init(struct hs_dmirror *dmirror, bool restore, bool deferred);
void hs_dmirror_kfd_restore_work(struct hs_dmirror *dmirror);
void hs_dmirror_kfd_deferred_work(struct hs_dmirror *dmirror);
void hs_dmirror_kfd_flush(struct hs_dmirror *dmirror);
/*
 * nouveau_svm_fault() (model/drivers/dmirror_history.c, switch
 * nouveau_range_fault_double_unlock): fault [addr, addr + npages) (at most
 * 8 pages) for the device and check it under the mirror's mutex.
 * Return: 0, -EBUSY when an invalidation raced, or another negative errno.
 */
int hs_dmirror_nouveau_svm_fault(struct hs_dmirror *dmirror, unsigned long addr,
				 unsigned long npages);
/*
 * xe_svm_alloc_vram() (model/drivers/dmirror_history.c, switch
 * xe_migrate_no_serialize): move [addr, addr + npages) (at most 8 pages)
 * to the device's memory, all or nothing, evicting and retrying once on
 * -EBUSY; @driver_migrate_lock is the driver-wide rwsem every device shares.
 * Return: 0 or a negative errno.
 */
int hs_dmirror_xe_alloc_vram(struct hs_dmirror *dmirror, sim_rwsem_t *driver_migrate_lock,
			     unsigned long addr, unsigned long npages);

/*
 * The ioctls.  Each returns 0 or a negative errno and counts the device
 * faults it took in *faults (may be NULL).
 *  read:  out[i] = the word at addr + i pages, as the device sees it
 *  write: store in[i] through the mirror
 *  migrate_to_dev / migrate_to_sys: move [addr, addr + npages) to / from
 *         this device's memory (pages that cannot move stay)
 *  snapshot: hmm_range_fault without faulting: perm[i] = HS_DMIRROR_PROT_*
 */
int hs_dmirror_read(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
		    unsigned long *out, unsigned long *faults);
int hs_dmirror_write(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
		     const unsigned long *in, unsigned long *faults);
/*
 * A device atomic (not a test_hmm ioctl): fetch-add @add to each page's
 * word through the mirror, old[i] receives the value before (may be NULL).
 * It needs a mirror entry that allows atomics: a P2P entry over a link
 * without HS_PCI_LINK_ATOMICS does not, and the fault that follows fails to
 * DMA-map the BAR page for an atomic, so the page falls back to host memory.
 */
int hs_dmirror_atomic(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
		      unsigned long add, unsigned long *old, unsigned long *faults);
int hs_dmirror_migrate_to_dev(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages);
int hs_dmirror_migrate_to_sys(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages);
int hs_dmirror_snapshot(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			unsigned char *perm);

/*
 * Device-exclusive access (model/drivers/dmirror_exclusive.c), test_hmm's
 * HMM_DMIRROR_EXCLUSIVE: dmirror_exclusive() grants the device atomic access
 * to each page with make_device_exclusive() and maps it in the mirror as
 * atomic (dmirror_atomic_map()); out[i] receives what the device then reads.
 * HMM_DMIRROR_CHECK_EXCLUSIVE: dmirror_check_atomic(), -EPERM while any page
 * of the range is still mapped atomic (the CPU has not taken it back).
 */
int hs_dmirror_exclusive(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			 unsigned long *out);
int hs_dmirror_check_exclusive(struct hs_dmirror *dmirror, unsigned long addr,
			       unsigned long npages);

/* dmirror_fault(): the documented fault loop for [start, end). */
int hs_dmirror_fault(struct hs_dmirror *dmirror, unsigned long start, unsigned long end,
		     bool write);

/*
 * The driver's fault protocol one step at a time, for scenario files that
 * write a driver as data (sim/scenario/scenario_file.c): each function is
 * one step of dmirror_range_fault() in lib/test_hmm.c, so that a file can
 * leave a step out or take them in another order.  The correct order is
 *   seq = read_begin(); range_fault(seq) (again from read_begin on -EBUSY);
 *   lock(); if read_retry(seq): unlock() and start again;
 *   program(); unlock().
 */
/* mmu_interval_read_begin() on the mirror's notifier. */
unsigned long hs_dmirror_read_begin(struct hs_dmirror *dmirror);
/*
 * hmm_range_fault() under mmap_read_lock() for [start, start + npages
 * pages), at most 64 pages, as dmirror_range_fault() calls it:
 * default_flags HMM_PFN_REQ_FAULT if @fault, | HMM_PFN_REQ_WRITE if @write;
 * the mirror's device is the dev_private_owner.  pfns[i] receives the
 * hmm_pfn of each page.  Return: 0, -EBUSY (start again from read_begin),
 * -EFAULT, -EPERM, or -EINVAL for a bad range.
 */
int hs_dmirror_range_fault(struct hs_dmirror *dmirror, unsigned long seq, unsigned long start,
			   unsigned long npages, bool fault, bool write, unsigned long *pfns);
/*
 * The same with the request as flags: HS_DMIRROR_RF_FAULT (HMM_PFN_REQ_FAULT),
 * HS_DMIRROR_RF_WRITE (HMM_PFN_REQ_WRITE), HS_DMIRROR_RF_P2P: HMM_PFN_ALLOW_P2P
 * in default_flags, and the device's PCI function named as p2p_requester
 * when the mirror was set to name it (hs_dmirror_set_allow_p2p(..., true);
 * NULL otherwise: the v1 RFC).  Another device's private page whose
 * exporter's get_p2p_page() answers comes back as a BAR page (HMM_PFN_P2PDMA,
 * no fault, no migration); hs_dmirror_program() DMA-maps such pfns first and
 * fails with -EREMOTEIO, programming nothing, when one cannot be: the driver
 * then asks again without HS_DMIRROR_RF_P2P (the mlx5 fallback, which
 * dmirror_range_fault() does by itself).  hs_dmirror_range_fault(fault,
 * write) is this with FAULT / WRITE.
 */
#define HS_DMIRROR_RF_FAULT 0x1u
#define HS_DMIRROR_RF_WRITE 0x2u
#define HS_DMIRROR_RF_P2P   0x4u
int hs_dmirror_range_fault_flags(struct hs_dmirror *dmirror, unsigned long seq, unsigned long start,
				 unsigned long npages, unsigned int flags, unsigned long *pfns);
/* mutex_lock(&dmirror->mutex) / mutex_unlock(): the lock the invalidate
 * callback takes before mmu_interval_set_seq(). */
void hs_dmirror_lock(struct hs_dmirror *dmirror);
void hs_dmirror_unlock(struct hs_dmirror *dmirror);
/* mmu_interval_read_retry(): true when an invalidation ran since @seq was
 * read (meaningful only under the lock). */
bool hs_dmirror_read_retry(struct hs_dmirror *dmirror, unsigned long seq);
/*
 * dmirror_do_fault(): program the mirror's page table for [start, start +
 * npages pages) from @pfns (as hs_dmirror_range_fault() filled them); @write
 * as requested from hmm_range_fault().  The lock must be held (a
 * "lock-not-held" violation otherwise).  P2P pfns (HMM_PFN_P2PDMA) are
 * DMA-mapped first, all of them, for the access @write asks for.  Return:
 * 0, -EREMOTEIO when a P2P pfn cannot be DMA-mapped (nothing programmed), or
 * -EFAULT at an entry that is not valid (or not writable when @write).
 */
int hs_dmirror_program(struct hs_dmirror *dmirror, unsigned long start, unsigned long npages,
		       const unsigned long *pfns, bool write);
/*
 * dmirror_do_read() / dmirror_do_write(): access [addr, addr + npages pages)
 * through the mirror only, never faulting, each page checked by the
 * coherence oracle.  The lock must be held.  Return: 0, -ENOENT at the first
 * page the mirror lacks (or lacks write permission for), -EINVAL for a bad
 * range.
 */
int hs_dmirror_access_mirror(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			     unsigned long *buf, bool write);

/*
 * P2P for device-private pages: the RFC "mm/hmm: HMM API to enable P2P DMA
 * for device private pages" (not merged), see docs/p2p.md.  Setup only:
 * call these before other threads run.
 */
struct hs_pci_dev;
/* The device's PCI function (pci_get_drvdata(pdev) becomes @mdevice): an
 * importer's DMA mappings of P2P pfns ask the topology about it. */
void hs_dmirror_device_set_pci(struct hs_dmirror_device *mdevice, struct hs_pci_dev *pdev);
/*
 * The exporter side (nouveau's part of the RFC): @pdev becomes the device's
 * PCI function with a BAR as large as its device memory
 * (pci_p2pdma_add_resource()), all of it allocated by the device: BAR page
 * i stands for device-private page i (its zone_device_data names that page)
 * and is freed by hs_dmirror_device_remove() or _unplug().  The pagemap gets
 * ops with get_p2p_page(), which returns BAR page i for device page i,
 * declining only when a requester is named and pci_p2pdma_map_type(pdev,
 * requester) is NOT_SUPPORTED.  Before any device page is in use.
 * Return: 0 or -ENOMEM.
 */
int hs_dmirror_device_set_p2p(struct hs_dmirror_device *mdevice, struct hs_pci_dev *pdev);
/* The BAR page standing for device page @i (NULL without P2P), for tests. */
struct hs_page *hs_dmirror_device_p2p_page(struct hs_dmirror_device *mdevice, unsigned long i);
/*
 * The importer side (RDMA ODP's part): this mirror's faults set
 * HMM_PFN_ALLOW_P2P in default_flags and, @with_requester, name the
 * device's PCI function as range->p2p_requester (without: the v1 RFC).
 * P2P pfns that then fail to DMA-map (the path to the BAR is
 * NOT_SUPPORTED, or its link cannot carry the faulting access: a write,
 * an atomic, that direction; hs_pci_p2p_path_ok()) are asked for again
 * without the flag, exactly those pfns (the mlx5 fallback), so they come
 * back as host memory.  A P2P mapping by bus address (BUS_ADDR) sets
 * HMM_PFN_P2PDMA_BUS in the driver's pfn word and its mirror entry.  Device
 * accesses through a P2P entry reach the exporter's device-private page.
 * The device needs a PCI function (hs_dmirror_device_set_pci()).
 */
void hs_dmirror_set_allow_p2p(struct hs_dmirror *dmirror, bool with_requester);
/*
 * For tests: the mirror's entry for @addr in hmm_pfn form: 0 when there is
 * none, else the pfn | HMM_PFN_VALID, | HMM_PFN_WRITE when writable,
 * | HMM_PFN_P2PDMA for a BAR page, | HMM_PFN_P2PDMA_BUS when that BAR page
 * was DMA-mapped by bus address (pci_p2pdma_state() said BUS_ADDR).
 */
unsigned long hs_dmirror_mirror_entry(struct hs_dmirror *dmirror, unsigned long addr);

/*
 * Scripted parts of the driver (model/drivers/dmirror_script.c), for scenario
 * files that write a driver as data.  Setup only: before other threads run.
 */
/* Give the mirror a script: its callback, counters and migrate-and-map. */
void hs_dmirror_script_init(struct hs_dmirror *dmirror);
/* One action of a scripted invalidate callback, run when its condition
 * holds: @events (bits 1 << MMU_NOTIFY_*, 0: every event), and with @own
 * only a migration whose owner is this device's; @negate inverts it. */
enum hs_dmirror_cb_op {
	HS_DMIRROR_CB_LOCK,    /* mutex_lock(&dmirror->mutex) (trylock if not blockable) */
	HS_DMIRROR_CB_SET_SEQ, /* mmu_interval_set_seq(mni, cur_seq) */
	HS_DMIRROR_CB_CLEAR,   /* dmirror_do_update(): drop the range's entries */
	HS_DMIRROR_CB_UNLOCK,  /* mutex_unlock() */
	HS_DMIRROR_CB_RETURN,  /* return true */
};
struct hs_dmirror_cb_step {
	unsigned char op; /* enum hs_dmirror_cb_op */
	bool own, negate;
	unsigned int events;
};
#define HS_DMIRROR_CB_MAX 16
struct hs_dmirror_callback {
	unsigned int n;
	struct hs_dmirror_cb_step step[HS_DMIRROR_CB_MAX];
};
/*
 * The mirror's invalidate callback becomes @cb (kept, not copied) instead
 * of dmirror_interval_invalidate(), whose actions are lock, set-seq, clear,
 * unlock.  A callback that returns holding the lock is an assertion; one
 * that clears without it a lock-not-held violation.
 */
void hs_dmirror_set_callback(struct hs_dmirror *dmirror, const struct hs_dmirror_callback *cb);
/* Pages migrated by this mirror's migrations so far: the sum of test_hmm's
 * cmd.cpages (dmirror_successful_migrated_pages()); 0 without a script. */
unsigned long hs_dmirror_migrated(struct hs_dmirror *dmirror);
/*
 * HMM_DMIRROR_MIGRATE_TO_DEV as lib/test_hmm.c does it: the new device
 * pages are mapped into the mirror (dmirror_migrate_finalize_and_map())
 * between migrate_vma_pages() and migrate_vma_finalize(), under the mutex,
 * without a notifier sequence.  Needs a script.  Return: as
 * hs_dmirror_migrate_to_dev().
 */
int hs_dmirror_migrate_to_dev_map(struct hs_dmirror *dmirror, unsigned long addr,
				  unsigned long npages);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_DMIRROR_H */
