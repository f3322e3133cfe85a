// SPDX-License-Identifier: MIT
/*
 * The reference driver's migrations (lib/test_hmm.c's dmirror_migrate_*()
 * and dmirror_devmem_fault()): to the device (HMM_DMIRROR_MIGRATE_TO_DEV),
 * back to system memory (HMM_DMIRROR_MIGRATE_TO_SYS and the CPU fault on a
 * device-private entry, pgmap->ops->migrate_to_ram), and the eviction of
 * every page of the device (dmirror_device_evict_chunk()).  The device, its
 * mirrors and faults are in dmirror.c; what is simplified is said there.
 */
#include "dmirror_internal.h"

static vm_fault_t dmirror_devmem_fault_alloc_and_copy(struct migrate_vma *args,
						      struct hs_dmirror *dmirror);

/* dmirror_migrate_alloc_and_copy(): device pages for what was collected. */
void dmirror_migrate_alloc_and_copy(struct migrate_vma *args, struct hs_dmirror *dmirror)
{
	for (unsigned long i = 0; i < args->npages; i++) {
		unsigned long *src = &args->src[i], *dst = &args->dst[i];
		if (!(*src & MIGRATE_PFN_MIGRATE))
			continue;
		struct hs_page *spage = migrate_pfn_to_page(*src);
		/* a page already in this device's memory (selected because a
		 * requester-side policy asks for device-private pages too) stays */
		if (spage && spage->pgmap == dmirror->mdevice->pgmap)
			continue;
		/* another device's page whose device vanished: its memory cannot
		 * be read, the page stays (and the attempt is a lost access) */
		struct hs_dmirror_device *sdev = dmirror_page_device(spage);
		if (dmirror_device_is_gone(sdev)) {
			dmirror_lost(sdev, false,
				     "migration to %s: copy from device pfn %#lx failed",
				     dmirror->mdevice->name, page_to_pfn(spage));
			continue;
		}
		struct hs_page *dpage = dmirror_devmem_alloc_page(dmirror->mdevice);
		if (!dpage)
			continue; /* stays where it is */
		/* another device's page (a p2p migration): map it for the copy;
		 * the copy is authorized at that moment, so the oracle asks
		 * then whether this device may still reach that memory */
		if (sdev && !dmirror_owner_copy_ok(dmirror, spage)) {
			unlock_page(dpage);
			put_page(dpage);
			if (sim_tracing())
				sim_event(
				    "%s: device_map of pfn %#lx for the copy failed, it stays",
				    dmirror->mdevice->name, page_to_pfn(spage));
			continue;
		}
		if (sdev && !dmirror_owner_may_use(dmirror->mdevice, spage)) {
			dmirror_owner_facts(dmirror->mdevice, spage);
			sim_fail(
			    HS_KIND_WRONG_OWNER,
			    "migration to %s copies device-private pfn %#lx of %s, which it may "
			    "no longer reach",
			    dmirror->mdevice->name, page_to_pfn(spage), sdev->name);
		}
		if (spage)
			copy_highpage(dpage, spage);
		else
			hs_page_write(dpage, 0);
		dpage->zone_device_data = dmirror;
		*dst = migrate_pfn(page_to_pfn(dpage));
		if ((*src & MIGRATE_PFN_WRITE) || (!spage && (args->vma->vm_flags & VM_WRITE)))
			*dst |= MIGRATE_PFN_WRITE;
	}
}

/* dmirror_select_device(): which device pages migrate_to_sys and the CPU
 * fault collect: this device's type. */
static unsigned long dmirror_select_device(struct hs_dmirror *dmirror)
{
	return dmirror->mdevice->pgmap->type == MEMORY_DEVICE_COHERENT
		   ? MIGRATE_VMA_SELECT_DEVICE_COHERENT
		   : MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
}

/*
 * Migrate [addr, addr + npages) VMA by VMA, at most 64 pages at a time, as
 * dmirror_migrate_to_device() / dmirror_migrate_to_system() do: a range
 * without a readable VMA is -EINVAL.  @to_dev picks the direction.
 */
static int dmirror_migrate(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages,
			   bool to_dev)
{
	struct mm_struct *mm = dmirror->mm;
	unsigned long end = addr + (npages << PAGE_SHIFT), next;
	unsigned long src[64], dst[64];
	int ret = 0;

	if (!npages || (addr & ~PAGE_MASK) || end < addr)
		return -EINVAL;
	mmap_read_lock(mm);
	for (; addr < end; addr = next) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		if (!vma || !(vma->vm_flags & VM_READ)) {
			ret = -EINVAL;
			break;
		}
		next = addr + (64ul << PAGE_SHIFT) < end ? addr + (64ul << PAGE_SHIFT) : end;
		if (next > vma->vm_end)
			next = vma->vm_end;
		struct migrate_vma args = {
		    .vma = vma,
		    .src = src,
		    .dst = dst,
		    .start = addr,
		    .end = next,
		    .pgmap_owner = dmirror_owner(dmirror),
		    .flags = to_dev ? MIGRATE_VMA_SELECT_SYSTEM : dmirror_select_device(dmirror),
		};
		dmirror_owner_migrate_init(dmirror, &args, to_dev);
		ret = migrate_vma_setup(&args);
		if (ret)
			break;
		if (to_dev)
			dmirror_migrate_alloc_and_copy(&args, dmirror);
		else if (dmirror_devmem_fault_alloc_and_copy(&args, dmirror))
			ret = -EIO; /* out of memory, or the device is gone */
		migrate_vma_pages(&args);
		if (dmirror->script)
			dmirror_script_migrate_pages(dmirror, &args, to_dev);
		if (to_dev && dmirror->map_on_migrate)
			ret = dmirror_migrate_finalize_and_map(&args, dmirror);
		migrate_vma_finalize(&args);
		if (ret)
			break;
	}
	mmap_read_unlock(mm);
	return ret;
}

/**
 * hs_dmirror_migrate_to_dev() - HMM_DMIRROR_MIGRATE_TO_DEV: move a range to the device.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages; those that cannot move stay where they are
 *
 * Return: 0, or -EINVAL for a range without a readable VMA (or unaligned), or
 * migrate_vma_setup()'s error.
 */
int hs_dmirror_migrate_to_dev(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages)
{
	return dmirror_migrate(dmirror, addr, npages, true);
}

/*
 * dmirror_devmem_fault_alloc_and_copy(): system pages for device pages.
 * A page of a device that is gone cannot be copied: VM_FAULT_SIGBUS, as
 * nouveau_dmem_fault_copy_one() and drm_pagemap's migrate_to_ram() return
 * when the copy fails (the caller finalizes: the page stays where it was,
 * for the driver's eviction).  Recorded as a lost access.
 */
static vm_fault_t dmirror_devmem_fault_alloc_and_copy(struct migrate_vma *args,
						      struct hs_dmirror *dmirror)
{
	for (unsigned long i = 0; i < args->npages; i++) {
		unsigned long *src = &args->src[i], *dst = &args->dst[i];
		struct hs_page *spage = migrate_pfn_to_page(*src);
		if (!spage || !(*src & MIGRATE_PFN_MIGRATE))
			continue;
		struct hs_dmirror_device *from = dmirror_page_device(spage);
		if (dmirror_device_is_gone(from)) {
			dmirror_lost(from, false,
				     "CPU fault at %#lx: copy from device pfn %#lx failed (SIGBUS)",
				     args->start + i * PAGE_SIZE, page_to_pfn(spage));
			return VM_FAULT_SIGBUS;
		}
		struct hs_page *dpage = dmirror_alloc_ram_page(args, i);
		if (!dpage)
			return VM_FAULT_OOM;
		lock_page(dpage);
		/* the owning mirror must stop using the device page */
		struct hs_dmirror *owner = spage->zone_device_data;
		if (owner) {
			sim_mutex_lock(&owner->mutex);
			unsigned long va = (args->start >> PAGE_SHIFT) + i;
			if (va < owner->npt)
				owner->pt[va] = 0;
			sim_mutex_unlock(&owner->mutex);
		}
		dmirror_copy_to_ram(from, dpage, spage);
		*dst = migrate_pfn(page_to_pfn(dpage));
		if (*src & MIGRATE_PFN_WRITE)
			*dst |= MIGRATE_PFN_WRITE;
	}
	return 0;
}

/* dmirror_devmem_fault(): pgmap->ops->migrate_to_ram for a CPU fault. */
vm_fault_t dmirror_devmem_fault(struct vm_fault *vmf)
{
	struct hs_dmirror *dmirror = vmf->page->zone_device_data;
	unsigned long src_pfns = 0, dst_pfns = 0;
	struct migrate_vma args = {
	    .vma = vmf->vma,
	    .start = vmf->address,
	    .end = vmf->address + PAGE_SIZE,
	    .src = &src_pfns,
	    .dst = &dst_pfns,
	    .pgmap_owner = dmirror_owner(dmirror),
	    .flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	    .fault_page = vmf->page,
	};
	vm_fault_t ret;

	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	ret = dmirror_devmem_fault_alloc_and_copy(&args, dmirror);
	if (ret) {
		/* nothing moves: the entries go back, the pages are unlocked */
		migrate_vma_finalize(&args);
		return ret;
	}
	migrate_vma_pages(&args);
	/*
	 * The progress oracle (hs_dmirror_device_set_progress_oracle()): the
	 * fault page was collected and given a destination, and then the move
	 * failed on an unexpected reference.  When only faulting CPUs touch the
	 * page, that reference is another fault's, the round left everything
	 * as it was, and the same rounds can repeat forever.
	 */
	if (dmirror->mdevice->progress_oracle && (dst_pfns & MIGRATE_PFN_VALID) &&
	    !(src_pfns & MIGRATE_PFN_MIGRATE))
		sim_fail(
		    SIM_KIND_LIVELOCK,
		    "migrate_to_ram of pfn %#lx: the move failed on another fault's reference; "
		    "the round changed nothing and can repeat forever",
		    page_to_pfn(vmf->page));
	migrate_vma_finalize(&args);
	return 0;
}

/**
 * hs_dmirror_migrate_to_sys() - HMM_DMIRROR_MIGRATE_TO_SYS: move a range back to RAM.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages; those that cannot move stay where they are
 *
 * Return: 0, -EINVAL (as hs_dmirror_migrate_to_dev()), or -EIO when system
 * memory ran out or a source device is gone.
 */
int hs_dmirror_migrate_to_sys(struct hs_dmirror *dmirror, unsigned long addr, unsigned long npages)
{
	return dmirror_migrate(dmirror, addr, npages, false);
}

/*
 * dmirror_device_evict_chunk(): every page in use back to system memory.
 * When the device is gone its copy engine cannot read the pages: as
 * nouveau_dmem_evict_chunk() (which does not look at the copy's result)
 * the pages still move, with whatever the failed copy left (here the new
 * page's own content), so the data is lost; the model records each one.
 */
void dmirror_device_evict(struct hs_dmirror_device *mdevice)
{
	unsigned long n = mdevice->nr_pages;
	unsigned long *src = sim_alloc(n * sizeof(*src)), *dst = sim_alloc(n * sizeof(*dst));

	migrate_device_range(src, mdevice->pgmap->start_pfn, n);
	for (unsigned long i = 0; i < n; i++) {
		struct hs_page *spage = migrate_pfn_to_page(src[i]);
		if (!spage || !(src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		struct hs_page *dpage = alloc_page_vma(0, NULL, 0);
		if (!dpage)
			sim_fail(HS_KIND_BUG, "%s: no system memory to evict into", mdevice->name);
		lock_page(dpage);
		if (dmirror_device_is_gone(mdevice))
			dmirror_lost(mdevice, true,
				     "eviction could not copy pfn %#lx: its data is lost",
				     page_to_pfn(spage));
		else
			copy_highpage(dpage, spage);
		dst[i] = migrate_pfn(page_to_pfn(dpage));
		if (src[i] & MIGRATE_PFN_WRITE)
			dst[i] |= MIGRATE_PFN_WRITE;
	}
	migrate_device_pages(src, dst, n);
	migrate_device_finalize(src, dst, n);
	if (hs_owner_policy == HS_OWNER_REREGISTER)
		for (unsigned long i = 0; i < n; i++)
			if (dst[i] & MIGRATE_PFN_VALID)
				hs_owner_stats_inc(&hs_owner_stats.evictions, 1);
}
