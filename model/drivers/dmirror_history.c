// SPDX-License-Identifier: MIT
/*
 * The reference driver's historical-fix variants: driver code of the kernels
 * before a fix, behind the switches of include/hmmsim/switches.h, each a
 * catalog entry (docs/catalog.md):
 *  - dmirror_finalize_no_unlock: "mm/hmm/test: fix missing unlock on error
 *    in dmirror_migrate_finalize_and_map()" (v5.8);
 *  - dmem_fault_no_zero: "nouveau/dmem: Fix vulnerability in migrate_to_ram
 *    upon copy error" (v6.12, CVE-2024-50096);
 *  - kfd_restore_work_exit_deadlock: "drm/amdkfd: svm range restore work
 *    deadlock when process exit" (v5.17);
 *  - kfd_mmput_in_notifier: "drm/amdkfd: Don't call mmput from MMU notifier
 *    callback" (v6.16);
 *  - xe_migrate_no_serialize: "drm/xe/svm: Serialize migration to device if
 *    racing" (v7.0);
 *  - nouveau_range_fault_double_unlock: "nouveau: unlock mmap_sem on all
 *    errors from nouveau_range_fault" (v5.3).
 * The amdkfd ones need the KFD process around a mirror: its own notifier
 * (kfd_process_notifier_release() and svm_range_cpu_invalidate_pagetables()
 * in one interval notifier over the whole address space, the RELEASE event
 * of exit_mmap() standing for the release op), its restore worker
 * (svm_range_restore_work()) and its deferred-list worker
 * (svm_range_deferred_list_work()), each run by a scenario thread, and
 * the system workqueue that runs mmput_async() (hs_dmirror_kfd_flush()).
 * Simplified: the KFD workers do no range work (no GPU mapping, no
 * svm_range ops), only what their mm references, flushes and completions
 * do; xe's devices have no interconnect (system pages only) and
 * drm_gpusvm_range_evict() gives up after a few -EBUSY where the kernel
 * has a timeout; nouveau's fault does not program the mirror.  The rest of
 * the driver is in dmirror.c and its neighbours; what is simplified there
 * is said there.
 */
#include <hmmsim/switches.h>

#include "dmirror_internal.h"

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
		if ((addr >> PAGE_SHIFT) < dmirror->npt) {
			dpt_set(dmirror, addr >> PAGE_SHIFT,
				dpt_entry(dpage, args->dst[i] & MIGRATE_PFN_WRITE));
			if (sim_tracing())
				sim_note(&dmirror->pt[addr >> PAGE_SHIFT], "made",
					 "the mirror entry");
		}
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

/* ---- amdkfd: the KFD process around a mirror ------------------------------------ */

struct dmirror_kfd {
	struct mmu_interval_notifier notifier;
	struct hs_dmirror *dmirror;
	bool restore_queued, deferred_queued; /* set up before other threads run */
	sim_completion_t restore_done, deferred_done;
	sim_atomic_t async_puts; /* mmput_async()s the system workqueue has yet to run */
};

/* mmget_not_zero(): a reference on @mm unless its last user is gone. */
static bool kfd_mmget_not_zero(struct mm_struct *mm)
{
	long n = sim_atomic_load(&mm->users, SIM_RELAXED);
	while (n)
		if (sim_atomic_cmpxchg(&mm->users, &n, n + 1, SIM_ACQUIRE))
			return true;
	return false;
}

/* kfd_process_notifier_release(): the process's address space goes away.
 * Before v5.17 it flushed the restore worker (flush_delayed_work()); the
 * fix moved that flush to kfd_process_wq_release(), after the mm is gone. */
static void kfd_process_notifier_release(struct dmirror_kfd *kfd)
{
	if (hs_switch.kfd_restore_work_exit_deadlock && kfd->restore_queued)
		sim_wait_for_completion(&kfd->restore_done);
}

/*
 * svm_range_cpu_invalidate_pagetables() with what it may reach: the eviction
 * of the range pins the mm while it works (mmget_not_zero() in
 * svm_range_bo_release()'s path).  Before v6.16 the pin was dropped with
 * mmput() right there: when the process had exited meanwhile that was the
 * last reference, and exit_mmap() ran inside the callback of an invalidation
 * still in progress.  The fix drops it with mmput_async().
 */
static bool kfd_interval_invalidate(struct mmu_interval_notifier *mni,
				    const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	struct dmirror_kfd *kfd = mni->priv;
	if (range->event == MMU_NOTIFY_RELEASE) {
		kfd_process_notifier_release(kfd);
		return true;
	}
	if (!kfd_mmget_not_zero(mni->mm))
		return true;
	mmu_interval_set_seq(mni, cur_seq);
	if (hs_switch.kfd_mmput_in_notifier)
		mmput(mni->mm);
	else
		sim_atomic_add(&kfd->async_puts, 1, SIM_RELAXED);
	return true;
}

static const struct mmu_interval_notifier_ops kfd_min_ops = {
    .invalidate = kfd_interval_invalidate,
};

/**
 * hs_dmirror_kfd_init() - a KFD process around a mirror.
 * @dmirror: the mirror (its mm is the process's)
 * @restore: the restore worker is queued (hs_dmirror_kfd_restore_work() runs it)
 * @deferred: the deferred-list worker is queued, with the mm reference
 *	svm_range_add_list_work() takes (hs_dmirror_kfd_deferred_work() runs it)
 *
 * Setup only, before other threads run.
 */
void hs_dmirror_kfd_init(struct hs_dmirror *dmirror, bool restore, bool deferred)
{
	struct dmirror_kfd *kfd = sim_alloc(sizeof(*kfd));
	kfd->dmirror = dmirror;
	kfd->restore_queued = restore;
	kfd->deferred_queued = deferred;
	sim_init_completion(&kfd->restore_done, "kfd restore_work");
	sim_init_completion(&kfd->deferred_done, "kfd deferred_list_work");
	sim_atomic_init(&kfd->async_puts, 0);
	kfd->notifier.priv = kfd;
	if (mmu_interval_notifier_insert(&kfd->notifier, dmirror->mm, 0, dmirror->mm->va_size,
					 &kfd_min_ops))
		sim_fail(HS_KIND_BUG, "kfd: mmu_interval_notifier_insert failed");
	if (deferred)
		mmget(dmirror->mm);
	dmirror->kfd = kfd;
}

/**
 * hs_dmirror_kfd_restore_work() - svm_range_restore_work(): map the evicted ranges again.
 * @dmirror: a mirror given a KFD process with its restore worker queued
 *
 * It flushes the deferred-list worker first (svm_range_list_lock_and_flush_work()).
 * Since v5.17 it holds the mm (get_task_mm()) while it works, and gives up
 * when the process is gone; before, it held nothing.
 */
void hs_dmirror_kfd_restore_work(struct hs_dmirror *dmirror)
{
	struct dmirror_kfd *kfd = dmirror->kfd;
	bool pinned = false;

	if (!hs_switch.kfd_restore_work_exit_deadlock) {
		pinned = kfd_mmget_not_zero(dmirror->mm);
		if (!pinned)
			goto out; /* "process mm gone" */
	}
	if (kfd->deferred_queued)
		sim_wait_for_completion(&kfd->deferred_done);
	/* svm_range_validate_and_map() of each evicted range: not modelled */
	if (pinned)
		mmput(dmirror->mm);
out:
	sim_complete_all(&kfd->restore_done);
}

/**
 * hs_dmirror_kfd_deferred_work() - svm_range_deferred_list_work(): the queued range ops.
 * @dmirror: a mirror given a KFD process with its deferred-list worker queued
 *
 * It drops the mm reference taken when the work was queued: the last one
 * when the process exited meanwhile, and then exit_mmap() runs here.
 */
void hs_dmirror_kfd_deferred_work(struct hs_dmirror *dmirror)
{
	struct dmirror_kfd *kfd = dmirror->kfd;
	/* svm_range_handle_list_op() under mmap_write_lock: not modelled */
	mmput(dmirror->mm);
	sim_complete_all(&kfd->deferred_done);
}

/**
 * hs_dmirror_kfd_flush() - the system workqueue runs the mmput_async() calls made so far.
 * @dmirror: a mirror given a KFD process
 */
void hs_dmirror_kfd_flush(struct hs_dmirror *dmirror)
{
	struct dmirror_kfd *kfd = dmirror->kfd;
	while (sim_atomic_load(&kfd->async_puts, SIM_RELAXED) > 0) {
		sim_atomic_add(&kfd->async_puts, -1, SIM_RELAXED);
		mmput(dmirror->mm); /* mmput_async_fn() */
	}
}

/* ---- xe: migration to device memory, serialized when it races ---------------------- */

/*
 * drm_pagemap_populate_mm() -> drm_pagemap_migrate_to_devmem(): move
 * [addr, addr + npages) to @dmirror's device memory, all or nothing: when
 * the collection got only part of the range (another migration holds the
 * rest behind its migration entries) everything is restored and the answer
 * is -EBUSY; when it got nothing, -EFAULT.  System pages only (the model's
 * devices have no interconnect).
 */
static int drm_pagemap_populate_mm(struct hs_dmirror *dmirror, unsigned long addr,
				   unsigned long npages)
{
	struct mm_struct *mm = dmirror->mm;
	unsigned long src[8] = {0}, dst[8] = {0};
	struct vm_area_struct *vma;
	int ret;

	if (npages > 8)
		return -EINVAL;
	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (!vma || addr + (npages << PAGE_SHIFT) > vma->vm_end) {
		mmap_read_unlock(mm);
		return -EINVAL;
	}
	struct migrate_vma args = {
	    .vma = vma,
	    .src = src,
	    .dst = dst,
	    .start = addr,
	    .end = addr + (npages << PAGE_SHIFT),
	    .pgmap_owner = dmirror_owner(dmirror),
	    .flags = MIGRATE_VMA_SELECT_SYSTEM,
	};
	ret = migrate_vma_setup(&args);
	if (ret)
		goto out;
	if (!args.cpages) {
		ret = -EFAULT;
		goto out;
	}
	if (args.cpages != npages) {
		ret = -EBUSY;
		migrate_vma_finalize(&args); /* err_finalize: every page back */
		goto out;
	}
	dmirror_migrate_alloc_and_copy(&args, dmirror);
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
out:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * drm_gpusvm_range_evict(): hmm_range_fault() over the range with no owner
 * and HMM_PFN_REQ_FAULT, so that every device-private page of it, this
 * device's or another's, is faulted back to system memory; again on -EBUSY
 * until a timeout (HMM_RANGE_DEFAULT_TIMEOUT there, a few tries here).
 */
static void drm_gpusvm_range_evict(struct hs_dmirror *dmirror, unsigned long addr,
				   unsigned long npages)
{
	unsigned long pfns[8];
	struct hmm_range range = {
	    .notifier = &dmirror->notifier,
	    .start = addr,
	    .end = addr + (npages << PAGE_SHIFT),
	    .hmm_pfns = pfns,
	    .default_flags = HMM_PFN_REQ_FAULT,
	};
	int err, tries = 4;

	if (npages > 8)
		return;
	mmap_read_lock(dmirror->mm);
	do {
		range.notifier_seq = mmu_interval_read_begin(range.notifier);
		err = hmm_range_fault(&range);
	} while (err == -EBUSY && --tries);
	mmap_read_unlock(dmirror->mm);
}

/**
 * hs_dmirror_xe_alloc_vram() - xe_svm_alloc_vram(): move a range to the device's memory.
 * @dmirror: the mirror of the faulting device
 * @driver_migrate_lock: the driver-wide rwsem (a static of xe_svm.c; the
 *	scenario owns it, the model has no module statics)
 * @addr: first address of the range
 * @npages: its pages (at most 8)
 *
 * On -EBUSY it evicts the range and tries once more.  Since v7.0 it holds
 * @driver_migrate_lock for read, and for write from the first -EBUSY on,
 * so that the retry runs alone; before (switch xe_migrate_no_serialize)
 * devices migrating the same range at once could each take part of it,
 * fail, evict and retry into the same collision.
 *
 * Return: 0, or the populate's error (-EBUSY after the retry).
 */
int hs_dmirror_xe_alloc_vram(struct hs_dmirror *dmirror, sim_rwsem_t *driver_migrate_lock,
			     unsigned long addr, unsigned long npages)
{
	bool serialize = !hs_switch.xe_migrate_no_serialize, write_locked = false;
	int err, retries = 1;

	if (serialize)
		sim_down_read(driver_migrate_lock);
	do {
		err = drm_pagemap_populate_mm(dmirror, addr, npages);
		if (err == -EBUSY && retries) {
			if (serialize && !write_locked) {
				sim_up_read(driver_migrate_lock);
				sim_down_write(driver_migrate_lock);
				write_locked = true;
			}
			drm_gpusvm_range_evict(dmirror, addr, npages);
		}
	} while (err == -EBUSY && retries--);
	if (serialize && write_locked)
		sim_up_write(driver_migrate_lock);
	else if (serialize)
		sim_up_read(driver_migrate_lock);
	return err;
}

/* ---- nouveau: who unlocks the mmap_lock when the range fault fails ------------------ */

/*
 * nouveau_range_fault() of v5.2 on today's API (hmm_range_register() and
 * hmm_range_wait_until_valid() are mmu_interval_read_begin() here).  Since
 * v5.3 it unlocks the mmap_lock on every error; before (switch
 * nouveau_range_fault_double_unlock) only on -EBUSY, while its caller
 * unlocked it on every return: -EBUSY, a concurrent invalidation, unlocked
 * it twice.
 */
static int nouveau_range_fault(struct hs_dmirror *dmirror, struct hmm_range *range)
{
	int ret;

	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	ret = hmm_range_fault(range);
	if (ret) {
		if (!hs_switch.nouveau_range_fault_double_unlock || ret == -EBUSY)
			mmap_read_unlock(dmirror->mm);
		return ret;
	}
	return 0;
}

/**
 * hs_dmirror_nouveau_svm_fault() - nouveau_svm_fault(): a device fault on a range.
 * @dmirror: the mirror
 * @addr: first address
 * @npages: pages (at most 8)
 *
 * Faults the range in with nouveau_range_fault() and checks it under the
 * mirror's mutex (the mirror is not programmed: the lock discipline is
 * what this models).  The faults of a failed pass are cancelled (the GPU
 * replays them).
 *
 * Return: 0, -EBUSY when an invalidation raced, or hmm_range_fault()'s error.
 */
int hs_dmirror_nouveau_svm_fault(struct hs_dmirror *dmirror, unsigned long addr,
				 unsigned long npages)
{
	unsigned long pfns[8];
	struct hmm_range range = {
	    .notifier = &dmirror->notifier,
	    .start = addr,
	    .end = addr + (npages << PAGE_SHIFT),
	    .hmm_pfns = pfns,
	    .default_flags = HMM_PFN_REQ_FAULT,
	    .dev_private_owner = dmirror_owner(dmirror),
	};
	int ret;

	if (npages > 8)
		return -EINVAL;
	mmap_read_lock(dmirror->mm);
	ret = nouveau_range_fault(dmirror, &range);
	if (!ret) {
		sim_mutex_lock(&dmirror->mutex);
		if (mmu_interval_read_retry(range.notifier, range.notifier_seq))
			ret = -EBUSY; /* nouveau_range_done() */
		sim_mutex_unlock(&dmirror->mutex);
		if (!hs_switch.nouveau_range_fault_double_unlock)
			mmap_read_unlock(dmirror->mm);
	}
	if (hs_switch.nouveau_range_fault_double_unlock)
		mmap_read_unlock(dmirror->mm);
	return ret;
}
