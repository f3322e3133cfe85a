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

#include <hmmsim/switches.h>
#include <string.h>

/* ---- v6.19's device THPs -------------------------------------------------------- */

/* dmirror_devmem_free() of a device THP (v6.19's folio_free): every page back. */
void dmirror_devmem_folio_free(struct hs_page *head)
{
	struct hs_dmirror_device *mdevice = head->pgmap->driver;
	spin_lock(&mdevice->lock);
	dmirror_free_list_note(mdevice, true);
	for (unsigned long k = 0; k < HS_PTRS_PER_PTE && !HS_NOTED(mdevice->draining); k++)
		mdevice->free_pfns[mdevice->nr_free++] = page_to_pfn(head) + k;
	spin_unlock(&mdevice->lock);
}

/*
 * dmirror_devmem_alloc_page(dmirror, true) (v6.19): a locked device THP, 512
 * naturally aligned free pages of the device (the kernel's driver keeps a
 * list of free folios; the model looks for a free aligned block), or NULL
 * (also once after HMM_DMIRROR_FLAG_FAIL_ALLOC).
 */
struct hs_page *dmirror_devmem_alloc_folio(struct hs_dmirror_device *mdevice)
{
	unsigned long base = 0, n;
	bool found = false;

	if (sim_noted_load_n(&mdevice->fail_alloc, __ATOMIC_RELAXED)) {
		sim_noted_store_n(&mdevice->fail_alloc, 0, __ATOMIC_RELAXED);
		return NULL;
	}
	spin_lock(&mdevice->lock);
	dmirror_free_list_note(mdevice, false);
	n = mdevice->nr_free;
	if (!HS_NOTED(mdevice->draining) && !sim_noted_load_n(&mdevice->revoked, __ATOMIC_RELAXED))
		for (unsigned long j = 0; j < n && !found; j++) {
			unsigned long b = mdevice->free_pfns[j], c = 0;
			if ((b - HS_NOTED(mdevice->pgmap)->start_pfn) % HS_PTRS_PER_PTE)
				continue;
			for (unsigned long i = 0; i < n; i++)
				c += mdevice->free_pfns[i] >= b &&
				     mdevice->free_pfns[i] < b + HS_PTRS_PER_PTE;
			found = c == HS_PTRS_PER_PTE;
			base = b;
		}
	if (found) {
		unsigned long w = 0;
		dmirror_free_list_note(mdevice, true);
		for (unsigned long i = 0; i < n; i++)
			if (mdevice->free_pfns[i] < base || mdevice->free_pfns[i] >= base + HS_PTRS_PER_PTE)
				mdevice->free_pfns[w++] = mdevice->free_pfns[i];
		mdevice->nr_free = w;
	}
	spin_unlock(&mdevice->lock);
	if (!found)
		return NULL;
	hs_zone_device_folio_init(pfn_to_page(base));
	return pfn_to_page(base);
}

static vm_fault_t dmirror_devmem_fault_alloc_and_copy(struct migrate_vma *args,
						      struct hs_dmirror *dmirror);

/* dmirror_migrate_alloc_and_copy(): device pages for what was collected. */
/*
 * v6.19: a compound entry gets a device THP, the data of each page copied;
 * when none can be had (HMM_DMIRROR_FLAG_FAIL_ALLOC, or no free aligned
 * block) the entry gets 512 base pages and migrate_vma_pages() splits the
 * source.  Return: false when base pages are needed (the caller's loop
 * gives them, page by page).
 */
static bool dmirror_migrate_alloc_folio(struct migrate_vma *args, struct hs_dmirror *dmirror,
					unsigned long i)
{
	struct hs_page *spage = migrate_pfn_to_page(args->src[i]);
	struct hs_page *dpage = dmirror_devmem_alloc_folio(dmirror->mdevice);
	if (!dpage)
		return false;
	for (unsigned long k = 0; k < HS_PTRS_PER_PTE; k++) {
		if (spage)
			copy_highpage(&dpage[k], &spage[k]);
		else
			hs_page_write(&dpage[k], 0);
		dpage[k].zone_device_data = dmirror;
	}
	args->dst[i] = migrate_pfn(page_to_pfn(dpage)) | MIGRATE_PFN_COMPOUND;
	if ((args->src[i] & MIGRATE_PFN_WRITE) || (!spage && (args->vma->vm_flags & VM_WRITE)))
		args->dst[i] |= MIGRATE_PFN_WRITE;
	return true;
}

/* The base page the fallback gives to page @k of compound entry @src. */
static unsigned long dmirror_folio_fallback_src(unsigned long src, unsigned long k)
{
	struct hs_page *spage = migrate_pfn_to_page(src);
	unsigned long keep = src & (MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE);
	return spage ? migrate_pfn(page_to_pfn(spage) + k) | keep : keep;
}

void dmirror_migrate_alloc_and_copy(struct migrate_vma *args, struct hs_dmirror *dmirror)
{
	unsigned long folio_src = 0, folio_end = 0;

	for (unsigned long i = 0; i < args->npages; i++) {
		unsigned long *src = &args->src[i], *dst = &args->dst[i], src_here = *src;
		if ((*src & MIGRATE_PFN_COMPOUND) && (*src & MIGRATE_PFN_MIGRATE)) {
			if (dmirror_migrate_alloc_folio(args, dmirror, i)) {
				i += HS_PTRS_PER_PTE - 1;
				continue;
			}
			folio_src = *src; /* base pages for each of its pages */
			folio_end = i + HS_PTRS_PER_PTE;
		}
		if (i < folio_end)
			src_here = dmirror_folio_fallback_src(folio_src, i - (folio_end - HS_PTRS_PER_PTE));
		src = &src_here;
		if (!(*src & MIGRATE_PFN_MIGRATE))
			continue;
		struct hs_page *spage = migrate_pfn_to_page(*src);
		/* a page already in this device's memory (selected because a
		 * requester-side policy asks for device-private pages too) stays */
		if (spage && spage->pgmap == HS_NOTED(dmirror->mdevice->pgmap))
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
	return HS_NOTED(dmirror->mdevice->pgmap)->type == MEMORY_DEVICE_COHERENT
		   ? MIGRATE_VMA_SELECT_DEVICE_COHERENT
		   : MIGRATE_VMA_SELECT_DEVICE_PRIVATE;
}

/*
 * v6.19's test_hmm passes MIGRATE_VMA_SELECT_COMPOUND (device-private
 * memory: the series is about device-private folios); not with
 * hs_switch.no_device_thp, the releases before.
 */
static unsigned long dmirror_select_compound(struct hs_dmirror *dmirror)
{
	if (hs_switch.no_device_thp ||
	    HS_NOTED(dmirror->mdevice->pgmap)->type != MEMORY_DEVICE_PRIVATE)
		return 0;
	return MIGRATE_VMA_SELECT_COMPOUND;
}

/*
 * Pages per migrate_vma call: 64 (the model's chunk before v6.19), or from a
 * PMD-aligned address with a whole PMD left in an mm with huge VMAs, the
 * PTRS_PER_PTE of v6.19's test_hmm so that a THP moves as one.
 */
static unsigned long dmirror_chunk(struct hs_dmirror *dmirror, struct mm_struct *mm,
				   unsigned long addr, unsigned long end)
{
	if (dmirror_select_compound(dmirror) && mm->has_huge && !(addr & (HS_PMD_SIZE - 1)) &&
	    end - addr >= HS_PMD_SIZE)
		return HS_PTRS_PER_PTE;
	return 64;
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
	unsigned long *src = sim_alloc(HS_PTRS_PER_PTE * sizeof(*src));
	unsigned long *dst = sim_alloc(HS_PTRS_PER_PTE * sizeof(*dst));
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
		next = addr + (dmirror_chunk(dmirror, mm, addr, end) << PAGE_SHIFT) < end
			   ? addr + (dmirror_chunk(dmirror, mm, addr, end) << PAGE_SHIFT)
			   : end;
		if (next > vma->vm_end)
			next = vma->vm_end;
		struct migrate_vma args = {
		    .vma = vma,
		    .src = src,
		    .dst = dst,
		    .start = addr,
		    .end = next,
		    .pgmap_owner = dmirror_owner(dmirror),
		    .flags = (to_dev ? MIGRATE_VMA_SELECT_SYSTEM : dmirror_select_device(dmirror)) |
			     dmirror_select_compound(dmirror),
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

/* The base pages of dst[@i .. @i + @k) are unlocked and freed, and all the
 * folio's dst entries cleared: nothing moves for it. */
static void dmirror_fault_folio_undo(struct migrate_vma *args, unsigned long i, unsigned long k)
{
	for (unsigned long j = 0; j < k; j++) {
		struct hs_page *d = migrate_pfn_to_page(args->dst[i + j]);
		unlock_page(d);
		put_page(d);
	}
	memset(&args->dst[i], 0, HS_PTRS_PER_PTE * sizeof(*args->dst));
}

/*
 * dmirror_devmem_fault_alloc_and_copy() of a device THP (v6.19): a THP of
 * system memory, or when none can be had base pages for each page (the
 * source is split by migrate_vma_pages()); the mirror forgets the range.
 * When a base page cannot be had either, the pages taken so far are
 * unlocked and freed and every dst entry of the folio is cleared before
 * VM_FAULT_OOM, so the caller's migrate_vma_finalize() puts the device THP
 * back (until session 28 they stayed in dst[], and finalize took the first
 * for the destination of the whole compound entry).
 */
static vm_fault_t dmirror_devmem_fault_folio(struct migrate_vma *args, struct hs_dmirror *dmirror,
					     unsigned long i)
{
	struct hs_page *spage = migrate_pfn_to_page(args->src[i]);
	struct hs_dmirror_device *from = dmirror_page_device(spage);
	unsigned long write = args->src[i] & MIGRATE_PFN_WRITE;
	struct hs_dmirror *owner = spage->zone_device_data;
	struct hs_page *dpage = NULL;

	/* HMM_DMIRROR_FLAG_FAIL_ALLOC: this THP allocation fails */
	if (sim_noted_load_n(&dmirror->mdevice->fail_alloc, __ATOMIC_RELAXED))
		sim_noted_store_n(&dmirror->mdevice->fail_alloc, 0, __ATOMIC_RELAXED);
	else
		dpage = hs_vma_alloc_folio_pmd();

	if (dmirror_device_is_gone(from)) {
		dmirror_lost(from, false, "CPU fault at %#lx: copy from device pfn %#lx failed (SIGBUS)",
			     args->start + i * PAGE_SIZE, page_to_pfn(spage));
		return VM_FAULT_SIGBUS;
	}
	if (dpage)
		lock_page(dpage);
	for (unsigned long k = 0; k < HS_PTRS_PER_PTE; k++) {
		struct hs_page *d = dpage ? &dpage[k] : dmirror_alloc_ram_page(args, i + k);
		if (!d) {
			dmirror_fault_folio_undo(args, i, k);
			return VM_FAULT_OOM;
		}
		if (!dpage) {
			lock_page(d);
			args->dst[i + k] = migrate_pfn(page_to_pfn(d)) | write;
		}
		dmirror_copy_to_ram(from, d, &spage[k]);
	}
	if (owner) {
		sim_mutex_lock(&owner->mutex);
		for (unsigned long k = 0, va = (args->start >> PAGE_SHIFT) + i; k < HS_PTRS_PER_PTE;
		     k++, va++)
			if (va < owner->npt)
				dpt_set(owner, va, 0);
		sim_mutex_unlock(&owner->mutex);
	}
	if (dpage)
		args->dst[i] = migrate_pfn(page_to_pfn(dpage)) | write | MIGRATE_PFN_COMPOUND;
	return 0;
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
		if (*src & MIGRATE_PFN_COMPOUND) {
			vm_fault_t r = dmirror_devmem_fault_folio(args, dmirror, i);
			if (r)
				return r;
			i += HS_PTRS_PER_PTE - 1;
			continue;
		}
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
				dpt_set(owner, va, 0);
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
	/* v6.19: the fault on a device THP migrates the folio's whole range */
	bool large = hs_folio_large(vmf->page);
	unsigned long nr = large ? HS_PTRS_PER_PTE : 1;
	unsigned long start = large ? vmf->address & ~(HS_PMD_SIZE - 1) : vmf->address;
	unsigned long one_src = 0, one_dst = 0;
	unsigned long *src = large ? sim_alloc(nr * sizeof(*src)) : &one_src;
	unsigned long *dst = large ? sim_alloc(nr * sizeof(*dst)) : &one_dst;
	struct migrate_vma args = {
	    .vma = vmf->vma,
	    .start = start,
	    .end = start + nr * PAGE_SIZE,
	    .src = src,
	    .dst = dst,
	    .pgmap_owner = dmirror_owner(dmirror),
	    .flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE | (large ? MIGRATE_VMA_SELECT_COMPOUND : 0),
	    .fault_page = vmf->page,
	};
	vm_fault_t ret;

	/* rpage->zone_device_data: the mirror that migrated the page, which
	 * release() may have freed if its eviction could not take the page */
	dmirror_check_alive(dmirror, "dmirror_devmem_fault");
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
	if (dmirror->mdevice->progress_oracle && (dst[0] & MIGRATE_PFN_VALID) &&
	    !(src[0] & MIGRATE_PFN_MIGRATE))
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

	migrate_device_range(src, HS_NOTED(mdevice->pgmap)->start_pfn, n);
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

/**
 * hs_dmirror_set_fail_alloc() - HMM_DMIRROR_FLAGS(HMM_DMIRROR_FLAG_FAIL_ALLOC)
 * (v6.19): the next THP allocation of the driver fails.
 * @dmirror: the mirror (the flag is its device's in the model)
 */
void hs_dmirror_set_fail_alloc(struct hs_dmirror *dmirror)
{
	sim_noted_store_n(&dmirror->mdevice->fail_alloc, 1, __ATOMIC_RELAXED);
}
