// SPDX-License-Identifier: MIT
/*
 * Page faults and CPU accesses.  Mirrors mm/memory.c's fault path:
 * handle_mm_fault(), do_anonymous_page(), do_wp_page() (COW breaking
 * after fork, model/fork.c) and do_swap_page() (for swap entries and
 * remove_device_exclusive_entry(), and its device-private branch,
 * hs_do_swap_page_device_private(); migration entries wait in migrate.c's
 * hs_migration_entry_wait()), and the CPU's load and store through the TLB
 * and the page table.  The address space, zapping and the mapping
 * operations are in mm.c; the PMD level (THP) in huge_memory.c, which
 * handle_mm_fault() and the hardware walk ask first in an mm with a huge
 * VMA.  Simplifications: as mm.c's (anonymous memory only).
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/switches.h>
#include <stdio.h>

#include "internal.h"

/* ---- faults ---------------------------------------------------------------------------- */

/* do_anonymous_page(): zero page for a read, a new zeroed page for a write. */
static unsigned int do_anonymous_page(struct hs_vm_fault *vmf)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	bool write = vmf->flags & HS_FAULT_FLAG_WRITE;
	struct hs_page *page = NULL;
	hs_pte_t entry;

	if (!(vmf->vma->vm_flags & (HS_VM_ANON | HS_VM_SHARED)))
		return HS_VM_FAULT_SIGBUS;
	if (vmf->vma->vm_flags & HS_VM_SHARED) {
		/* shmem_fault() + finish_fault(): a new page on any fault, not
		 * anonymous (it has a mapping), writable where the VMA is (shmem
		 * needs no write notification), dirty on a write fault */
		page = hs_alloc_page();
		if (!page)
			return HS_VM_FAULT_OOM;
		entry =
		    hs_mk_pte(hs_page_to_pfn(page),
			      HS_PTE_YOUNG | (vmf->vma->vm_flags & HS_VM_WRITE ? HS_PTE_WRITE : 0) |
				  (write ? HS_PTE_DIRTY : 0));
	} else if (write) {
		page = hs_alloc_page();
		if (!page)
			return HS_VM_FAULT_OOM;
		sim_bits_set(&page->flags, 1ul << HS_PG_ANON, SIM_RELAXED);
		entry = hs_mk_pte(hs_page_to_pfn(page), HS_PTE_WRITE | HS_PTE_DIRTY | HS_PTE_YOUNG);
	} else {
		entry = hs_mk_pte(HS_ZERO_PFN, HS_PTE_SPECIAL | HS_PTE_YOUNG);
	}
	sim_spin_lock(vmf->ptl);
	/* pte_alloc() / pte_offset_map_lock(): a huge PMD mapped meanwhile
	 * (another fault's THP or huge zero page, under this PMD lock) leaves
	 * no PTE table to map into: give up and let the fault be retried */
	if (!hs_pte_none(hs_ptep_get(vmf->pte)) || hs_pmd_huge_locked(mm, vmf->address)) {
		sim_spin_unlock(vmf->ptl); /* somebody else faulted it in */
		if (page)
			hs_put_page(page);
		return 0;
	}
	if (page) {
		hs_page_add_rmap(page);
		hs_folio_add_lru(page); /* folio_add_lru_vma(): this CPU's batch */
	}
	hs_set_pte_at(mm, vmf->address, vmf->pte, entry);
	sim_spin_unlock(vmf->ptl);
	return 0;
}

/* do_wp_page(): reuse an exclusive anon page, else copy (wp_page_copy(),
 * which replaces the pte under an MMU_NOTIFY_CLEAR invalidation). */
static unsigned int do_wp_page(struct hs_vm_fault *vmf)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	unsigned long addr = vmf->address;
	unsigned long pfn = hs_pte_pfn(vmf->orig_pte);
	struct hs_page *old = hs_pfn_to_page(pfn);
	struct hs_mmu_notifier_range range;

	if (!(vmf->vma->vm_flags & HS_VM_WRITE))
		return HS_VM_FAULT_SIGSEGV;
	if (!hs_is_zero_pfn(pfn)) {
		sim_spin_lock(vmf->ptl);
		hs_pte_t pte = hs_ptep_get(vmf->pte);
		if (pte != vmf->orig_pte) {
			sim_spin_unlock(vmf->ptl);
			return 0;
		}
		/* wp_page_shared() for shmem: the page itself becomes writable */
		if ((vmf->vma->vm_flags & HS_VM_SHARED) ||
		    (hs_page_ref_count(old) == 1 && hs_page_mapcount(old) == 1)) {
			/* wp_page_reuse(), after folio_free_swap() */
			hs_swapcache_free(old);
			hs_set_pte_at(mm, addr, vmf->pte,
				      pte | HS_PTE_WRITE | HS_PTE_DIRTY | HS_PTE_YOUNG);
			sim_spin_unlock(vmf->ptl);
			return 0;
		}
		hs_get_page(old); /* keep it while we copy */
		sim_spin_unlock(vmf->ptl);
	}
	struct hs_page *page = hs_alloc_page();
	if (!page) {
		if (!hs_is_zero_pfn(pfn))
			hs_put_page(old);
		return HS_VM_FAULT_OOM;
	}
	sim_bits_set(&page->flags, 1ul << HS_PG_ANON, SIM_RELAXED);
	if (!hs_is_zero_pfn(pfn))
		hs_copy_page(page, old);
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   addr, addr + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	sim_spin_lock(vmf->ptl);
	bool same = hs_ptep_get(vmf->pte) == vmf->orig_pte;
	if (same) {
		hs_ptep_get_and_clear(mm, addr, vmf->pte);
		hs_flush_tlb_range(mm, addr, addr + HS_PAGE_SIZE);
		hs_page_add_rmap(page);
		hs_folio_add_lru(page); /* folio_add_lru_vma(): this CPU's batch */
		hs_set_pte_at(
		    mm, addr, vmf->pte,
		    hs_mk_pte(hs_page_to_pfn(page), HS_PTE_WRITE | HS_PTE_DIRTY | HS_PTE_YOUNG));
		hs_page_remove_rmap(old);
	}
	sim_spin_unlock(vmf->ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
	if (!same)
		hs_put_page(page);
	else if (!hs_is_zero_pfn(pfn))
		hs_put_page(old); /* the old mapping's reference */
	if (!hs_is_zero_pfn(pfn))
		hs_put_page(old); /* ours */
	return 0;
}

/* do_swap_page() for a real swap entry: read the slot into a new page. */
static unsigned int do_swap_in(struct hs_vm_fault *vmf)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	unsigned long slot = hs_pte_pfn(vmf->orig_pte);
	bool write = vmf->flags & HS_FAULT_FLAG_WRITE;
	struct hs_page *page = hs_alloc_page();

	if (!page)
		return HS_VM_FAULT_OOM;
	sim_bits_set(&page->flags, 1ul << HS_PG_ANON, SIM_RELAXED);
	sim_spin_lock(vmf->ptl);
	if (hs_ptep_get(vmf->pte) != vmf->orig_pte) {
		sim_spin_unlock(vmf->ptl);
		hs_put_page(page);
		return 0;
	}
	hs_page_write(page, HS_NOTED(mm->swap.slot[slot]));
	/* An exclusive page is mapped writable even on a read fault; only a
	 * write fault dirties it and frees the slot (should_try_to_free_swap());
	 * after a read fault it stays in the swap cache, clean. */
	uint64_t flags = HS_PTE_YOUNG;
	if (vmf->vma->vm_flags & HS_VM_WRITE)
		flags |= HS_PTE_WRITE | (write ? HS_PTE_DIRTY : 0);
	if (!write) {
		HS_NOTED_SET(page->swap_slot, (uint32_t)slot);
		HS_NOTED_SET(page->private, (unsigned long)mm);
	}
	hs_set_pte_at(mm, vmf->address, vmf->pte, hs_mk_pte(hs_page_to_pfn(page), flags));
	hs_page_add_rmap(page);
	sim_spin_unlock(vmf->ptl);
	if (write)
		hs_swap_free(mm, slot);
	return 0;
}

/*
 * remove_device_exclusive_entry() (v6.15+): a CPU fault on a device-exclusive
 * entry.  With a reference and the page lock, inside an MMU_NOTIFY_CLEAR
 * invalidation with no owner (so the device holding the grant drops it), the
 * pte is restored if it is still that entry.  (v6.15's "drop owner from
 * MMU_NOTIFY_EXCLUSIVE" made EXCLUSIVE the conversion's event only, which its
 * caller may filter out; until session 28 the model sent EXCLUSIVE here, so
 * such a filter kept a grant the CPU had taken back: a false coherence
 * report, tests/scenarios/exclusive-restore-event.hsc.)  A page locked by someone else
 * (folio_lock_or_retry()): a user fault (the arch handler's
 * FAULT_FLAG_ALLOW_RETRY) drops the mmap_lock, sleeps until the page's next
 * unlock and returns VM_FAULT_RETRY, the handler faulting again with the
 * lock taken anew; a remote fault (hmm_range_fault(), GUP: no ALLOW_RETRY)
 * sleeps in __folio_lock() until it holds the page lock, under the
 * mmap_lock, and goes on.  Simplified: the kernel hands the lock to its
 * exclusive waiter at the unlock; the model's waiter takes it when it runs,
 * if nobody took it first.
 */
static unsigned int remove_device_exclusive_entry(struct hs_vm_fault *vmf)
{
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(vmf->orig_pte));
	struct hs_mm *mm = vmf->vma->vm_mm;
	struct hs_mmu_notifier_range range;

	if (!hs_get_page_unless_zero(page))
		return 0; /* freed: the entry is gone already */
	if (!hs_trylock_page(page)) {
		bool busy, user = !(vmf->flags & HS_FAULT_FLAG_REMOTE);

		if (user)
			sim_up_read(&mm->mmap_lock); /* release_fault_lock() */
		hs_cpu_sleep_begin(&busy);	     /* schedule(): this CPU's work can run */
		if (user)
			hs_folio_wait_locked(page);
		else
			hs_lock_page(page);
		hs_cpu_sleep_end(busy);
		if (user) {
			hs_put_page(page);
			return HS_VM_FAULT_RETRY;
		}
	}
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, 0, mm, vmf->address,
				   vmf->address + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	sim_spin_lock(vmf->ptl);
	if (hs_ptep_get(vmf->pte) == vmf->orig_pte)
		hs_restore_exclusive_pte(vmf->vma, page, vmf->address, vmf->pte, vmf->orig_pte);
	sim_spin_unlock(vmf->ptl);
	hs_unlock_page(page);
	hs_put_page(page);
	hs_mmu_notifier_invalidate_range_end(&range);
	return 0;
}

/* ---- do_swap_page() of a device-private entry ------------------------------------ */

/**
 * hs_do_swap_page_device_private() - the device-private branch of
 * do_swap_page(): a CPU fault on a device-private entry asks the page's
 * driver to move it back to RAM (pgmap->ops->migrate_to_ram).
 * @vmf: vma, address, orig_pte (read without the PTL), pte, ptl
 *
 * v6.18 plus the 2026 starvation fix: under the PTL the pte must still be
 * orig_pte; the fault then trylocks the page and takes a reference, drops
 * the PTL, calls migrate_to_ram with the page locked (it is migrate_vma's
 * fault_page), and unlocks and releases it.  A fault that loses the trylock
 * takes no reference: queued on the page under the PTL, it drops the PTL
 * and sleeps until the page's next unlock (migration_entry_wait_on_locked(),
 * v7.0's softleaf_entry_wait_on_locked()), then the fault is retried.
 * v6.15 .. v6.19 returned at once instead of sleeping (a retry loop).
 *
 * Return: 0 (retry or done) or what migrate_to_ram returned.
 */
unsigned int hs_do_swap_page_device_private(struct hs_vm_fault *vmf)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	unsigned long addr = vmf->address & ~(HS_PAGE_SIZE - 1);
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(vmf->orig_pte));
	const struct hs_dev_pagemap_ops *ops;
	unsigned int ret = 0;

	sim_assert_held(&mm->mmap_lock);
	vmf->page = page;
	if (!vmf->pte)
		vmf->pte = hs_pte_offset(mm, addr);
	if (!vmf->ptl)
		vmf->ptl = hs_pte_lockptr(mm, addr);

	if (hs_switch.swap_page_ref_without_ptl) {
		/*
		 * Before v6.1: straight to the driver with nothing holding the
		 * page.  Looking up page->pgmap->ops, and the driver's use of
		 * the page, are a use-after-free if it was freed since the pte
		 * was read.  The read of page->pgmap is annotated: it is the
		 * point where another CPU may have freed the page.
		 */
		struct hs_dev_pagemap *pgmap = SIM_PLAIN_READ(page->pgmap);

		hs_page_check(page, hs_pte_gen(vmf->orig_pte),
			      "do_swap_page: page->pgmap->ops->migrate_to_ram of a page without a "
			      "reference");
		hs_pgmap_check(pgmap, "do_swap_page: page->pgmap->ops");
		ops = pgmap->ops;
		if (sim_tracing())
			sim_event("do_swap_page %#lx: pfn %#lx, no pte check, no reference", addr,
				  hs_page_to_pfn(page));
		return ops->migrate_to_ram(vmf);
	}

	sim_spin_lock(vmf->ptl);
	if (hs_ptep_get(vmf->pte) != vmf->orig_pte) {
		sim_spin_unlock(vmf->ptl); /* changed under us: retry the fault */
		return 0;
	}
	hs_pgmap_check(page->pgmap, "do_swap_page: page->pgmap->ops");
	ops = page->pgmap->ops;

	if (hs_switch.swap_page_lock_unconditional) {
		/* v6.1 .. v6.14: a reference while the pte pins the page, no lock */
		hs_get_page(page);
		sim_spin_unlock(vmf->ptl);
		if (sim_tracing())
			sim_event("do_swap_page %#lx: pfn %#lx referenced, not locked", addr,
				  hs_page_to_pfn(page));
		ret = ops->migrate_to_ram(vmf);
		hs_put_page(page);
		return ret;
	}

	if (hs_trylock_page(page)) {
		hs_get_page(page);
		sim_spin_unlock(vmf->ptl);
		if (sim_tracing())
			sim_event("do_swap_page %#lx: pfn %#lx locked, migrate_to_ram", addr,
				  hs_page_to_pfn(page));
		ret = ops->migrate_to_ram(vmf);
		hs_unlock_page(page);
		hs_put_page(page);
	} else if (hs_switch.swap_page_spin_on_locked) {
		/* v6.15 .. v6.19: retry at once; the retry spins on the lock */
		sim_spin_unlock(vmf->ptl);
		if (sim_tracing())
			sim_event("do_swap_page %#lx: pfn %#lx busy, retry", addr,
				  hs_page_to_pfn(page));
		/* the other CPUs run while this one spins (the engine's yield is
		 * that fairness); only work queued on this CPU waits */
		sim_yield();
	} else {
		if (sim_tracing())
			sim_event("do_swap_page %#lx: pfn %#lx busy, wait for unlock", addr,
				  hs_page_to_pfn(page));
		hs_migration_entry_wait_on_locked(page, vmf->ptl);
	}
	return ret;
}

/**
 * hs_handle_mm_fault() - handle_mm_fault() -> handle_pte_fault().
 * @vma: the VMA of @addr; the caller holds mmap_lock for read
 * @addr: the faulting address
 * @flags: HS_FAULT_FLAG_* (WRITE: make the page writable)
 *
 * Makes @addr present.  A device-private entry goes through do_swap_page() to
 * pgmap->ops->migrate_to_ram(); a migration entry waits for the migration.
 *
 * Return: 0 or HS_VM_FAULT_* bits; with HS_VM_FAULT_RETRY the fault (a user
 * fault: not HS_FAULT_FLAG_REMOTE) dropped the mmap_lock.
 */
unsigned int hs_handle_mm_fault(struct hs_vm_area_struct *vma, unsigned long addr,
				unsigned int flags)
{
	struct hs_mm *mm = vma->vm_mm;
	struct hs_vm_fault vmf = {
	    .vma = vma,
	    .address = addr & ~(HS_PAGE_SIZE - 1),
	    .flags = flags,
	};

	sim_assert_held(&mm->mmap_lock);
	if (!(vma->vm_flags & HS_VM_READ))
		return HS_VM_FAULT_SIGSEGV;
	if ((flags & HS_FAULT_FLAG_WRITE) && !(vma->vm_flags & HS_VM_WRITE))
		return HS_VM_FAULT_SIGSEGV;
	vmf.pte = hs_pte_offset(mm, vmf.address);
	vmf.ptl = hs_pte_lockptr(mm, vmf.address);
	if (!vmf.pte)
		return HS_VM_FAULT_SIGBUS;
	vmf.orig_pte = hs_ptep_get(vmf.pte);
	if (sim_tracing())
		sim_event("handle_mm_fault %#lx%s: pte %#llx", vmf.address,
			  flags & HS_FAULT_FLAG_WRITE ? " write" : "",
			  (unsigned long long)(vmf.orig_pte & ((1ull << HS_PTE_GEN_SHIFT) - 1)));
	if (mm->has_huge) {
		unsigned int ret = hs_huge_pmd_fault(&vmf);
		if (ret != HS_VM_FAULT_FALLBACK)
			return ret;
		vmf.orig_pte = hs_ptep_get(vmf.pte);
	}
	if (hs_pte_none(vmf.orig_pte))
		return do_anonymous_page(&vmf);
	switch (hs_swp_type(vmf.orig_pte)) {
	case HS_SWP_NONE:
		if ((flags & HS_FAULT_FLAG_WRITE) && !hs_pte_write(vmf.orig_pte))
			return do_wp_page(&vmf);
		return 0; /* spurious: already there */
	case HS_SWP_SWAP:
		return do_swap_in(&vmf);
	case HS_SWP_DEVICE_PRIVATE:
		vmf.page = hs_pfn_to_page(hs_pte_pfn(vmf.orig_pte));
		return hs_do_swap_page_device_private(&vmf);
	case HS_SWP_MIGRATION:
		hs_migration_entry_wait(mm, vmf.address);
		return 0;
	case HS_SWP_DEVICE_EXCLUSIVE:
		return remove_device_exclusive_entry(&vmf);
	}
	return HS_VM_FAULT_SIGBUS;
}

/* ---- CPU accesses -------------------------------------------------------------------------- */

/*
 * The data oracle's view of a store that went through a TLB entry (not a
 * scheduling point): if the page table no longer maps that page while an
 * unmap's gather has not flushed yet, the store raced with the unmap and
 * landed in a page the unmap discards: the unmap's zero stands.  A stale
 * store after every flush is kept, so a flush missing or late is still
 * caught as data loss.
 */
static bool tlb_store_discarded(struct hs_mm *mm, unsigned long addr, sim_atomic_t *ptep,
				unsigned long pfn)
{
	hs_pte_t pte = ptep ? (hs_pte_t)sim_noted_load_n(&ptep->v, __ATOMIC_RELAXED) : 0;

	if (!sim_noted_load_n(&mm->tlb_flush_pending, __ATOMIC_RELAXED))
		return false;
	if (hs_pte_none(pte) && mm->has_huge && hs_huge_pmd_maps(mm, addr, pfn))
		return false;
	return hs_pte_none(pte) || (hs_pte_present(pte) && hs_pte_pfn(pte) != pfn);
}

/*
 * A user load or store, as the hardware does it: the TLB, else a lockless
 * page-table walk; only a miss that needs a fault takes mmap_lock and calls
 * handle_mm_fault().  After the scheduling point of the TLB lookup or of the
 * pte read, the data access happens in the same step, as one instruction
 * does: a TLB shootdown cannot split it.
 */
/* The facts of a CPU access through a stale TLB entry (only while a report
 * is built). */
static void tlb_uaf_facts(struct hs_page *page, unsigned long pfn)
{
	char w[32];

	if (!sim_tracing())
		return;
	snprintf(w, sizeof(w), "pfn %#lx", pfn);
	sim_violation_fact("property: the CPU reaches no freed page, not even through a TLB entry "
			   "(use-after-free oracle: a TLB flush missing before the free)");
	sim_violation_fact_freed(page, w);
}

static int cpu_access(struct hs_mm *mm, unsigned long addr, unsigned long *val, bool write,
		      bool *stale)
{
	unsigned long vpn = addr >> HS_PAGE_SHIFT;
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	unsigned long pfn;

	for (;;) {
		uint64_t t = SIM_READ_ONCE(*hs_tlb_slot(mm, hs_this_cpu(), vpn));
		if ((t & TLB_VALID) && (t >> TLB_VPN_SHIFT) == vpn && (!write || (t & TLB_WRITE))) {
			pfn = (unsigned long)(t >> TLB_PFN_SHIFT) & 0xffffff;
			struct hs_page *page = hs_pfn_to_page(pfn);
			if ((hs_page_gen(page) & 0xff) != ((t >> TLB_GEN_SHIFT) & 0xff) ||
			    sim_noted_bits_load(&page->flags, 1ul << HS_PG_FREE,
						__ATOMIC_RELAXED)) {
				tlb_uaf_facts(page, pfn);
				sim_fail(
				    HS_KIND_UAF,
				    "CPU %s of %#lx through a stale TLB entry: pfn %#lx was freed",
				    write ? "write" : "read", addr, pfn);
			}
			break;
		}
		hs_pte_t pte = ptep ? hs_ptep_get(ptep) : 0;
		/* a protnone pte is not present to the hardware: it faults */
		if (hs_pte_present(pte) && !hs_pte_protnone(pte) && (!write || hs_pte_write(pte))) {
			if (write && !hs_pte_dirty(pte)) {
				/* the hardware sets the dirty bit atomically */
				if (!hs_pte_set_dirty_hw(ptep, pte))
					continue;
				pte |= HS_PTE_DIRTY;
			}
			pfn = hs_pte_pfn(pte);
			hs_page_check(hs_pfn_to_page(pfn), hs_pte_gen(pte), "CPU access");
			hs_tlb_fill(mm, addr, pte);
			break;
		}
		if (hs_huge_pmd_access(mm, addr, write, &pfn))
			break;
		/* do_user_addr_fault() */
		sim_down_read(&mm->mmap_lock);
		struct hs_vm_area_struct *vma = hs_find_vma(mm, addr);
		unsigned int fault = HS_VM_FAULT_SIGSEGV;
		if (vma)
			fault = hs_handle_mm_fault(vma, addr, write ? HS_FAULT_FLAG_WRITE : 0);
		if (!(fault & HS_VM_FAULT_RETRY)) /* else it dropped the lock */
			sim_up_read(&mm->mmap_lock);
		if (fault & HS_VM_FAULT_ERROR)
			return -EFAULT;
		/*
		 * Back to user space and the instruction runs again.  Other CPUs
		 * run meanwhile: without this yield a strict-priority strategy
		 * could retry a fault that waits on another thread forever and
		 * call it a livelock.
		 */
		sim_yield();
	}
	struct hs_page *page = hs_pfn_to_page(pfn);
	if (write) {
		sim_noted_store_n(&page->content, *val, __ATOMIC_RELAXED);
		if (!tlb_store_discarded(mm, addr, ptep, pfn))
			hs_mm_note_write(mm, addr, *val);
	} else {
		*val = sim_noted_load_n(&page->content, __ATOMIC_RELAXED);
		if (stale) /* the data oracle asks: the page an unmap is discarding? */
			*stale = tlb_store_discarded(mm, addr, ptep, pfn);
	}
	if (sim_tracing())
		sim_event("CPU %s %#lx: pfn %#lx = %#lx", write ? "write" : "read", addr, pfn,
			  *val);
	return 0;
}

/**
 * hs_mm_note_write() - the data oracle: record a device write.
 * @mm: the address space
 * @addr: the address written
 * @val: the value
 *
 * Not a kernel function.  Call it in the same step as the write itself.
 */
void hs_mm_note_write(struct hs_mm *mm, unsigned long addr, unsigned long val)
{
	sim_noted_store_n(hs_mm_shadow(mm, addr), val, __ATOMIC_RELAXED);
}

/**
 * hs_mm_shadow() - the data oracle's record of @addr in @mm.
 * @mm: the address space
 * @addr: the address
 *
 * Not a kernel function.  The mm's own, or, for a page of a shared VMA whose
 * pte fork() copied, the family's record (kept by its first mm apart from
 * that mm's own, so a zap in any of them leaves it), which every mm
 * mapping that page writes and reads (the model's shared VMAs have no
 * page cache: a page faulted after the fork is each mm's own).  Noted
 * reads, in the caller's step.
 *
 * Return: where the record is.
 */
unsigned long *hs_mm_shadow(struct hs_mm *mm, unsigned long addr)
{
	unsigned long i = addr >> HS_PAGE_SHIFT;
	if (!sim_noted_load_n(&mm->shadow_shared[i], __ATOMIC_RELAXED))
		return &mm->shadow[i];
	struct hs_mm *root = HS_NOTED(mm->shadow_root);
	return &(root ? root : mm)->shadow_family[i];
}

/**
 * hs_mm_shadow_share() - fork() copied the pte of a shared VMA's page at
 * @addr from @parent to @child: both use the family's record from now on.
 * @child: the new mm
 * @parent: the mm it was copied from
 * @addr: the address
 */
void hs_mm_shadow_share(struct hs_mm *child, struct hs_mm *parent, unsigned long addr)
{
	unsigned long i = addr >> HS_PAGE_SHIFT;
	struct hs_mm *root = HS_NOTED(parent->shadow_root);
	unsigned long v = sim_noted_load_n(hs_mm_shadow(parent, addr), __ATOMIC_RELAXED);

	root = root ? root : parent;
	HS_NOTED_SET(child->shadow_root, root);
	sim_noted_store_n(&root->shadow_family[i], v, __ATOMIC_RELAXED);
	sim_noted_store_n(&parent->shadow_shared[i], 1ul, __ATOMIC_RELAXED);
	sim_noted_store_n(&child->shadow_shared[i], 1ul, __ATOMIC_RELAXED);
}

/**
 * hs_mm_shadow_forget() - a zap at @addr: @mm's page is gone, what a new
 * page reads is 0; a shared record stays the relatives'.
 * @mm: the address space
 * @addr: the address
 */
void hs_mm_shadow_forget(struct hs_mm *mm, unsigned long addr)
{
	unsigned long i = addr >> HS_PAGE_SHIFT;
	sim_noted_store_n(&mm->shadow_shared[i], 0ul, __ATOMIC_RELAXED);
	sim_noted_store_n(&mm->shadow[i], 0ul, __ATOMIC_RELAXED);
}

/**
 * hs_mm_shadow_move() - mremap() moved @mm's page from @from to @to: the
 * record moves with it, as @mm's own (simplified: a shared page moved in
 * one mm of the family is checked against that mm's writes only).
 * @mm: the address space
 * @from: the old address
 * @to: the new address
 */
void hs_mm_shadow_move(struct hs_mm *mm, unsigned long from, unsigned long to)
{
	unsigned long v = sim_noted_load_n(hs_mm_shadow(mm, from), __ATOMIC_RELAXED);
	hs_mm_shadow_forget(mm, from);
	sim_noted_store_n(&mm->shadow_shared[to >> HS_PAGE_SHIFT], 0ul, __ATOMIC_RELAXED);
	sim_noted_store_n(&mm->shadow[to >> HS_PAGE_SHIFT], v, __ATOMIC_RELAXED);
}

/**
 * hs_mm_check_data() - the data oracle: check what the pages of a range read.
 * @mm: the address space
 * @start: first address
 * @end: the address after the range
 *
 * Not a kernel function, for the end of an execution: every mapped page of
 * [@start, @end) reads back what was last written there (HS_KIND_DATA_LOSS).
 */
void hs_mm_check_data(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	for (unsigned long a = start; a < end; a += HS_PAGE_SIZE) {
		unsigned long v, want;
		bool stale = false;
		if (cpu_access(mm, a, &v, false, &stale))
			continue; /* unmapped: nothing to keep */
		/* what was last written, in the step of the load itself: a zap
		 * or a write of another thread while the load faulted is before
		 * it (no scheduling point since the load) */
		want = sim_noted_load_n(hs_mm_shadow(mm, a), __ATOMIC_RELAXED);
		/* A load through a TLB entry while the page table no longer maps
		 * that page and an unmap's gather has not flushed yet reads the
		 * page the unmap discards, as the kernel allows until its flush
		 * (tlb_finish_mmu()): not checked, as such a store is not kept
		 * (tlb_store_discarded()).  After every flush it is checked, so a
		 * missing or late flush is still data loss. */
		if (stale)
			continue;
		if (v != want)
			sim_fail(HS_KIND_DATA_LOSS,
				 "%#lx reads %#lx, but the last value written there was %#lx", a, v,
				 want);
	}
}

/**
 * hs_cpu_read() - a user load of one word at @addr.
 * @mm: the address space
 * @addr: the address
 * @val: the value read
 *
 * As a CPU does it: through its TLB, else the page table, faulting as needed
 * (see cpu_access()).
 *
 * Return: 0, or -EFAULT (SIGSEGV/SIGBUS).
 */
int hs_cpu_read(struct hs_mm *mm, unsigned long addr, unsigned long *val)
{
	return cpu_access(mm, addr, val, false, NULL);
}

/**
 * hs_cpu_write() - a user store of one word at @addr.
 * @mm: the address space
 * @addr: the address
 * @val: the value
 *
 * As a CPU does it (see cpu_access()).
 *
 * Return: 0, or -EFAULT (SIGSEGV/SIGBUS).
 */
int hs_cpu_write(struct hs_mm *mm, unsigned long addr, unsigned long val)
{
	return cpu_access(mm, addr, &val, true, NULL);
}
