// SPDX-License-Identifier: MIT
/*
 * The OOM reaper: the part of mm/oom_kill.c that unmaps a victim's memory
 * (oom_reap_task(), oom_reap_task_mm(), __oom_reap_task_mm(); read in
 * v6.12).  It is the kernel's one user of the non-blocking invalidation
 * start, so it is what makes a driver's trylock path in its interval
 * notifier callback run.
 *
 * Simplified: no victim selection, no oom_reaper thread or its list, no
 * task: the caller names the mm and runs the reaper in its own thread; the
 * sleep between attempts (schedule_timeout_idle(HZ/10)) is a yield; no
 * MMF_UNSTABLE, so a fault after the reap maps a new page where the
 * kernel's check_stable_address_space() makes it fail with VM_FAULT_SIGBUS
 * (the victim is dying; no oracle judges either outcome); no mlock, hugetlb
 * or file pages, so the VMA test is the VM_PFNMAP and VM_SHARED flags.
 *
 * Annotated: MMF_OOM_SKIP is a bit of mm->flags (sim_bits_t), set by the
 * reaper and by exit_mmap() without a lock and tested under mmap_lock for
 * read, as the kernel's set_bit()/test_bit().
 */
#include <errno.h>
#include <hmmsim/mm.h>

#include "internal.h"

/* oom_kill.c's bound on the attempts of one reap. */
#define MAX_OOM_REAP_RETRIES 10

/*
 * __oom_reap_task_mm(): unmap every private VMA under a non-blocking
 * MMU_NOTIFY_UNMAP invalidation of that VMA (hs_zap_vma_nonblock()); a VMA
 * whose invalidation a notifier refused is left as it is, and the reap of
 * the others goes on.  Caller holds mmap_lock for read.  Return: false when
 * some VMA was left.
 */
static bool __oom_reap_task_mm(struct hs_mm *mm)
{
	bool ret = true;

	sim_assert_held(&mm->mmap_lock);
	for (int i = 0; i < mm->nr_vmas; i++) {
		const struct hs_vm_area_struct *vma = &mm->vmas[i];

		if (vma->vm_flags & HS_VM_PFNMAP)
			continue;
		/* only anonymous and private memory: a shared (shmem) VMA keeps its pages */
		if (!(vma->vm_flags & HS_VM_ANON) && (vma->vm_flags & HS_VM_SHARED))
			continue;
		if (hs_zap_vma_nonblock(mm, vma->vm_start, vma->vm_end))
			ret = false;
	}
	return ret;
}

/*
 * oom_reap_task_mm(): one attempt.  mmap_read_trylock(), which the reaper
 * may not wait for; an mm whose exit_mmap() already unmapped it
 * (MMF_OOM_SKIP) is done.  Return: false when the attempt failed.
 */
static bool oom_reap_task_mm(struct hs_mm *mm)
{
	bool ret = true;

	if (!sim_down_read_trylock(&mm->mmap_lock)) {
		if (sim_tracing())
			sim_event("oom_reap_task_mm %s: mmap_lock busy", mm->name);
		return false;
	}
	if (sim_bits_load(&mm->flags, HS_MMF_OOM_SKIP, SIM_RELAXED)) {
		if (sim_tracing())
			sim_event("oom_reap_task_mm %s: MMF_OOM_SKIP, nothing to reap", mm->name);
	} else {
		ret = __oom_reap_task_mm(mm);
		if (sim_tracing())
			sim_event("oom_reap_task_mm %s: %s", mm->name,
				  ret ? "reaped" : "a notifier refused, some VMA left");
	}
	sim_up_read(&mm->mmap_lock);
	return ret;
}

/**
 * hs_oom_reap_task() - oom_reap_task(): the OOM reaper unmaps a victim's memory.
 * @mm: the victim's address space
 *
 * Up to MAX_OOM_REAP_RETRIES (10) attempts of oom_reap_task_mm(), a yield
 * between two (the kernel sleeps HZ/10); then MMF_OOM_SKIP is set whatever
 * happened, so neither the OOM killer nor another reap looks at @mm again.
 * Each attempt takes mmap_lock for read with a trylock and invalidates
 * each private VMA with mmu_notifier_invalidate_range_start_nonblock(), so
 * it neither waits for the mmap_lock nor for a notifier callback's lock.
 *
 * Return: 0 when an attempt reaped every VMA (or found the mm already
 * unmapped by exit_mmap()), -EAGAIN when all attempts failed (the kernel's
 * "oom_reaper: unable to reap").
 */
int hs_oom_reap_task(struct hs_mm *mm)
{
	int attempts = 0, ret = 0;

	while (attempts++ < MAX_OOM_REAP_RETRIES && !oom_reap_task_mm(mm))
		sim_yield(); /* schedule_timeout_idle(HZ/10) */
	if (attempts > MAX_OOM_REAP_RETRIES &&
	    !sim_bits_load(&mm->flags, HS_MMF_OOM_SKIP, SIM_RELAXED)) {
		ret = -EAGAIN;
		if (sim_tracing())
			sim_event("oom_reaper: unable to reap %s", mm->name);
	}
	sim_bits_set(&mm->flags, HS_MMF_OOM_SKIP, SIM_RELAXED);
	return ret;
}
