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
};

/* Per-page states of a snapshot (HMM_DMIRROR_PROT_* of test_hmm). */
enum hs_dmirror_prot {
	HS_DMIRROR_PROT_ERROR = 0xff,
	HS_DMIRROR_PROT_NONE = 0x00,
	HS_DMIRROR_PROT_READ = 0x01,
	HS_DMIRROR_PROT_WRITE = 0x02,
	HS_DMIRROR_PROT_ZERO = 0x10,
	HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL = 0x20,
	HS_DMIRROR_PROT_DEV_PRIVATE_REMOTE = 0x30,
};

/* A device with @nr_pages of device-private memory (memremap_pages). */
struct hs_dmirror_device *hs_dmirror_device_create(const char *name, unsigned long nr_pages);
/* Evict every device page to system memory, then memunmap_pages(). */
void hs_dmirror_device_remove(struct hs_dmirror_device *mdevice);
/* The owner its pagemap and its mirrors use (the mdevice itself). */
void *hs_dmirror_device_owner(struct hs_dmirror_device *mdevice);
unsigned long hs_dmirror_device_pages_in_use(struct hs_dmirror_device *mdevice);

/* open(): a mirror of @mm on @mdevice (inserts the interval notifier). */
struct hs_dmirror *hs_dmirror_open(struct hs_dmirror_device *mdevice, struct hs_mm *mm);
/* release(): remove the notifier, drop the mirror. */
void hs_dmirror_release(struct hs_dmirror *dmirror);
void hs_dmirror_set_bug(struct hs_dmirror *dmirror, enum hs_dmirror_bug bug);

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
int hs_dmirror_migrate_to_dev(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages);
int hs_dmirror_migrate_to_sys(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages);
int hs_dmirror_snapshot(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			unsigned char *perm);

/* dmirror_fault(): the documented fault loop for [start, end). */
int hs_dmirror_fault(struct hs_dmirror *dmirror, unsigned long start, unsigned long end,
		     bool write);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_DMIRROR_H */
