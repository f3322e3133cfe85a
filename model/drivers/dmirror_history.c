// SPDX-License-Identifier: MIT
/*
 * The reference driver's historical-fix variants: driver code of the kernels
 * before a fix, behind the switches of include/hmmsim/switches.h, each a
 * catalog entry (docs/catalog.md):
 *  - dmirror_finalize_no_unlock: "mm/hmm/test: fix missing unlock on error
 *    in dmirror_migrate_finalize_and_map()" (v5.8);
 *  - dmem_fault_no_zero: "nouveau/dmem: Fix vulnerability in migrate_to_ram
 *    upon copy error" (v6.12, CVE-2024-50096).
 * The rest of the driver is in dmirror.c and its neighbours; what is
 * simplified is said there.
 */
#include <hmmsim/switches.h>

#include "dmirror_internal.h"

/* A mirror entry for @page, as dpt_entry() in dmirror.c makes it. */
static unsigned long dmirror_map_entry(struct hs_page *page, bool write)
{
	return DPT_VALID | DPT_ATOMIC | (write ? DPT_WRITE : 0) |
	       (unsigned long)(hs_page_gen(page) & ((1u << 20) - 1)) << DPT_GEN_SHIFT |
	       page_to_pfn(page) << DPT_PFN_SHIFT;
}

/**
 * hs_dmirror_set_map_on_migrate() - map migrated pages at once, as test_hmm does.
 * @dmirror: the mirror
 * @fail_addr: the address whose mirror-table store fails with -ENOMEM, or ~0ul
 */
void hs_dmirror_set_map_on_migrate(struct hs_dmirror *dmirror, unsigned long fail_addr)
{
	dmirror->map_on_migrate = true;
	dmirror->map_fail_addr = fail_addr;
}

/*
 * dmirror_migrate_finalize_and_map(): after migrate_vma_pages(), map every
 * page that moved in the mirror, under the mirror's mutex.  test_hmm stores
 * each entry with xa_store(), which can fail for want of memory; the model's
 * table is an array, so the failure is injected (map_fail_addr).  Before
 * v5.8 the error return left the mutex held (switch
 * dmirror_finalize_no_unlock): the next device access or invalidation of
 * the mirror waits for it forever.
 */
int dmirror_migrate_finalize_and_map(struct migrate_vma *args, struct hs_dmirror *dmirror)
{
	sim_mutex_lock(&dmirror->mutex);
	for (unsigned long i = 0; i < args->npages; i++) {
		struct hs_page *dpage = migrate_pfn_to_page(args->dst[i]);
		unsigned long addr = args->start + (i << PAGE_SHIFT);
		if (!dpage || !(args->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		if (addr == dmirror->map_fail_addr) {
			if (!hs_switch.dmirror_finalize_no_unlock)
				sim_mutex_unlock(&dmirror->mutex);
			return -ENOMEM;
		}
		if ((addr >> PAGE_SHIFT) < dmirror->npt)
			dmirror->pt[addr >> PAGE_SHIFT] =
			    dmirror_map_entry(dpage, args->dst[i] & MIGRATE_PFN_WRITE);
	}
	sim_mutex_unlock(&dmirror->mutex);
	return 0;
}

/**
 * hs_dmirror_device_set_copy_error() - the device's copy engine fails silently.
 * @mdevice: the device
 */
void hs_dmirror_device_set_copy_error(struct hs_dmirror_device *mdevice)
{
	mdevice->copy_error = true;
}

/*
 * The copy engine of device @from copies its page @spage to system page
 * @dpage.  nouveau_dmem_copy_one() only pushes the copy to the engine and
 * never learns whether it ran: a failed copy leaves @dpage as it was
 * allocated, and the migration goes on.
 */
void dmirror_copy_to_ram(struct hs_dmirror_device *from, struct hs_page *dpage,
			 struct hs_page *spage)
{
	if (from && from->copy_error) {
		if (sim_tracing())
			sim_event("%s: the copy of pfn %#lx to pfn %#lx failed silently",
				  from->name, page_to_pfn(spage), page_to_pfn(dpage));
		return;
	}
	copy_highpage(dpage, spage);
}

/*
 * The system page a migration to RAM copies into: alloc_page_vma(GFP_HIGHUSER
 * | __GFP_ZERO), as nouveau_dmem_migrate_to_ram() allocates it since
 * CVE-2024-50096's fix, so that a failed copy exposes zeros.  Before (switch
 * dmem_fault_no_zero) it was not zeroed: a failed copy mapped whatever the
 * page's previous user left in it.
 */
struct hs_page *dmirror_alloc_ram_page(struct migrate_vma *args, unsigned long i)
{
	if (hs_switch.dmem_fault_no_zero)
		return hs_alloc_page_nozero();
	return alloc_page_vma(0, args->vma, args->start + i * PAGE_SIZE);
}
