// SPDX-License-Identifier: MIT
/*
 * hmm_range_fault() (mm/hmm.c).  The walk reads ptes without the PTL, as the
 * kernel does (pte_offset_map, not _lock): what makes the result usable is
 * the interval notifier sequence the caller checks afterwards.
 *
 * Simplified: no PUD/hugetlb levels; a huge PMD (THP, model/huge_memory.c)
 * gives map order 9, everything else 0; the walk segments are the model's
 * PTE tables.
 * Output words are written whole (the v6.16 sticky in/out flags are not
 * modelled yet), except for the P2P RFC's HMM_PFN_ALLOW_P2P, see
 * p2p_sticky().
 *
 * The P2P RFC ("mm/hmm: HMM API to enable P2P DMA for device private pages",
 * Yonatan Maman, v1 Jan 2025, v2 Jul 2025; not merged) is modelled in
 * handle_device_private_p2p(): for another owner's device-private page, when
 * the request allows P2P, ask the page's pgmap for a BAR page
 * (ops->get_p2p_page, the RFC's get_dma_pfn_for_device) and return that
 * instead of faulting.  struct hs_hmm_range::p2p_requester is the v2
 * review's variant (the caller names the requesting device); NULL is v1.
 *
 * The earlier RFC ("mm/hmm, mm/migrate_device: Allow p2p access and p2p
 * migration", Thomas Hellström, Oct 2024; not merged) is modelled in
 * device_private_owned(): the caller may pass a p2p_allow callback in the
 * range, asked for another owner's device-private page; yes is an owner
 * match.  Simplified: the answer may be cached per pgmap for one
 * hmm_range_fault() call (struct hmm_vma_walk), nothing longer-lived.
 */
#include <errno.h>
#include <hmmsim/hmm.h>
#include <hmmsim/switches.h>

#include "internal.h"

struct hs_p2p_stats hs_p2p_stats;

enum {
	HMM_NEED_FAULT = 1 << 0,
	HMM_NEED_WRITE_FAULT = 1 << 1,
	HMM_NEED_ALL_BITS = HMM_NEED_FAULT | HMM_NEED_WRITE_FAULT,
};

struct hmm_vma_walk {
	struct hs_hmm_range *range;
	unsigned long last;
	struct hs_p2p_allow_cache allow; /* range->p2p_allow's last answer */
};

/* hmm_pfns_fill() */
static int hmm_pfns_fill(struct hs_hmm_range *range, unsigned long addr, unsigned long end,
			 unsigned long cpu_flags)
{
	for (unsigned long i = (addr - range->start) >> HS_PAGE_SHIFT; addr < end;
	     addr += HS_PAGE_SIZE, i++)
		range->hmm_pfns[i] =
		    cpu_flags |
		    (((range->hmm_pfns[i] & range->pfn_flags_mask) | range->default_flags) &
		     HS_HMM_PFN_ALLOW_P2P); /* sticky */
	return 0;
}

/* hmm_pte_need_fault(): the effective request is (input & mask) | default. */
static unsigned int hmm_pte_need_fault(const struct hs_hmm_range *range, unsigned long req,
				       unsigned long cpu_flags)
{
	req &= range->pfn_flags_mask;
	req |= range->default_flags;
	if (!(req & HS_HMM_PFN_REQ_FAULT))
		return 0;
	if ((req & HS_HMM_PFN_REQ_WRITE) && !(cpu_flags & HS_HMM_PFN_WRITE))
		return HMM_NEED_FAULT | HMM_NEED_WRITE_FAULT;
	if (!(cpu_flags & HS_HMM_PFN_VALID))
		return HMM_NEED_FAULT;
	return 0;
}

/* hmm_range_need_fault() */
static unsigned int hmm_range_need_fault(const struct hs_hmm_range *range, unsigned long addr,
					 unsigned long end, unsigned long cpu_flags)
{
	unsigned int required = 0;
	if (!((range->default_flags | range->pfn_flags_mask) & HS_HMM_PFN_REQ_FAULT))
		return 0;
	for (unsigned long i = (addr - range->start) >> HS_PAGE_SHIFT; addr < end;
	     addr += HS_PAGE_SIZE, i++) {
		required |= hmm_pte_need_fault(range, range->hmm_pfns[i], cpu_flags);
		if (required == HMM_NEED_ALL_BITS)
			break;
	}
	return required;
}

/* hmm_vma_fault(): fault every page of [addr, end), then restart the walk. */
static int hmm_vma_fault(struct hmm_vma_walk *w, struct hs_vm_area_struct *vma, unsigned long addr,
			 unsigned long end, unsigned int required)
{
	unsigned int flags = HS_FAULT_FLAG_REMOTE;

	w->last = addr;
	if (required & HMM_NEED_WRITE_FAULT) {
		if (!(vma->vm_flags & HS_VM_WRITE))
			return -EPERM;
		flags |= HS_FAULT_FLAG_WRITE;
	}
	for (; addr < end; addr += HS_PAGE_SIZE)
		if (hs_handle_mm_fault(vma, addr, flags) & HS_VM_FAULT_ERROR)
			return -EFAULT;
	return -EBUSY;
}

static unsigned long pte_to_hmm_pfn_flags(hs_pte_t pte)
{
	if (!hs_pte_present(pte) || hs_pte_protnone(pte))
		return 0;
	return hs_pte_write(pte) ? HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE : HS_HMM_PFN_VALID;
}

/* The request for one page: (input & pfn_flags_mask) | default_flags. */
static unsigned long effective_req(const struct hs_hmm_range *range, unsigned long req)
{
	return (req & range->pfn_flags_mask) | range->default_flags;
}

/*
 * HMM_PFN_ALLOW_P2P is sticky: the RFC adds it to the in/out flags
 * (HMM_PFN_INOUT_FLAGS) so that the output word still has it, and a driver
 * whose DMA mapping of a P2P pfn failed can clear it in exactly that word
 * and call again with pfn_flags_mask = HMM_PFN_ALLOW_P2P (the mlx5 ODP
 * fallback).  Simplified: the kernel carries the bit of the input word; the
 * model carries the bit of the effective request, so a caller that asks
 * through default_flags alone finds it in the output too (RDMA ODP sets the
 * array and default_flags alike, where the two agree).
 */
static unsigned long p2p_sticky(const struct hs_hmm_range *range, unsigned long req)
{
	return effective_req(range, req) & HS_HMM_PFN_ALLOW_P2P;
}

/*
 * The RFC's hmm_handle_device_private(), its P2P half: another owner's
 * device-private entry, the request has HMM_PFN_ALLOW_P2P, and the page's
 * pgmap has the callback: ask it once for this page.  True with *hmm_pfn set
 * when it returned a page: that page's pfn | VALID | WRITE (from the entry,
 * as for an owned page) | P2PDMA | ALLOW_P2P, no fault, no migration.  False
 * when it declined or cannot be asked: the caller goes on as before the RFC
 * (fault and migrate_to_ram when a fault is needed, else 0).
 * As in the RFC the request's REQ_FAULT does not matter: a snapshot that
 * allows P2P gets the P2P pfn too.  No page reference and no lock are taken
 * around the callback (the page may be migrating meanwhile): the caller's
 * notifier sequence check is what makes the answer usable, as for every pfn.
 */
static bool handle_device_private_p2p(struct hs_hmm_range *range, hs_pte_t pte, unsigned long req,
				      unsigned long *hmm_pfn)
{
	if (!hs_is_device_private_entry(pte) || !(effective_req(range, req) & HS_HMM_PFN_ALLOW_P2P))
		return false;
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte));
	hs_pgmap_check(page->pgmap, "hmm_range_fault: get_p2p_page lookup");
	const struct hs_dev_pagemap_ops *ops = page->pgmap->ops;
	if (!ops || !ops->get_p2p_page)
		return false;
	hs_p2p_stats_inc(&hs_p2p_stats.callbacks);
	struct hs_page *p2p = ops->get_p2p_page(page, range->p2p_requester);
	if (!p2p) {
		hs_p2p_stats_inc(&hs_p2p_stats.fallbacks);
		if (sim_tracing())
			sim_event("hmm: get_p2p_page(pfn %#lx) declined", hs_pte_pfn(pte));
		return false;
	}
	hs_p2p_stats_inc(&hs_p2p_stats.p2p_pfns);
	*hmm_pfn =
	    hs_page_to_pfn(p2p) | HS_HMM_PFN_VALID | HS_HMM_PFN_P2PDMA | HS_HMM_PFN_ALLOW_P2P;
	if (hs_is_writable_swp_entry(pte))
		*hmm_pfn |= HS_HMM_PFN_WRITE;
	return true;
}

/*
 * The device-private entry belongs to the caller's owner (or, before the
 * v5.7 owner check, to anyone), or, with the Oct 2024 RFC's p2p_allow, the
 * caller's callback says it may use this pgmap directly (asked once per
 * page, or once per pgmap and call when the callback allows caching).
 */
static bool device_private_owned(struct hmm_vma_walk *w, hs_pte_t pte)
{
	struct hs_hmm_range *range = w->range;
	if (!hs_is_device_private_entry(pte))
		return false;
	if (hs_switch.hmm_no_owner_check)
		return true;
	struct hs_dev_pagemap *pgmap = hs_pfn_to_page(hs_pte_pfn(pte))->pgmap;
	hs_pgmap_check(pgmap, "hmm_range_fault: device-private entry");
	if (hs_pgmap_owner_match(pgmap, range->dev_private_owner))
		return true;
	if (!range->p2p_allow)
		return false;
	bool asked, yes = hs_p2p_allow_ask(range->p2p_allow, pgmap, &w->allow, &asked);
	if (!asked)
		return yes;
	hs_p2p_stats_inc(&hs_p2p_stats.callbacks);
	if (!yes)
		hs_p2p_stats_inc(&hs_p2p_stats.fallbacks);
	else if (sim_tracing())
		sim_event("hmm: p2p_allow(%s) says yes for pfn %#lx", pgmap->name, hs_pte_pfn(pte));
	return yes;
}

/**
 * hs_p2p_allow_ask() - ask a requester's p2p_allow callback about @pgmap.
 * @allow: the callback (range->p2p_allow, migrate->p2p_allow)
 * @pgmap: the pagemap of another owner's device-private page
 * @c: the answer kept for this call (one pgmap)
 * @asked: set to whether the callback was called (for the counters)
 *
 * Not a kernel function: the Oct 2024 RFC's callback with its optional
 * per-call cache, shared by hmm_range_fault() and migrate_vma_collect().
 *
 * Return: whether the caller may use @pgmap's pages directly; taken from @c
 * when allow->cache and @c holds the answer for @pgmap.
 */
bool hs_p2p_allow_ask(struct hs_hmm_p2p_allow *allow, struct hs_dev_pagemap *pgmap,
		      struct hs_p2p_allow_cache *c, bool *asked)
{
	*asked = !(allow->cache && c->pgmap == pgmap);
	if (*asked) {
		c->yes = allow->allow(allow, pgmap);
		c->pgmap = pgmap;
	}
	return c->yes;
}

/*
 * The part of pte_offset_map()'s RCU read-side section that matters to the
 * stale-pagemap oracle (include/hmmsim/page.h, hs_pgmap_check()): from the
 * lockless read of a device-private pte to the last use of its page's
 * pgmap, the kernel holds rcu_read_lock(), so memunmap_pages() cannot free
 * the pagemap meanwhile.  Simplified: the model takes no RCU lock here (no
 * scheduling point is added); it tells the oracle, which does not report a
 * freed pgmap inside the section.  Left before any fault, as the kernel
 * unmaps the pte before hmm_vma_fault().
 */
static void pte_walk_section(bool enter)
{
	unsigned long long bit = 1ull << (sim_self() & 63);
	if (enter)
		sim_noted_fetch_or(&hs_mach->pte_walkers, bit, __ATOMIC_RELAXED);
	else
		sim_noted_fetch_and(&hs_mach->pte_walkers, ~bit, __ATOMIC_RELAXED);
}

/*
 * pte_unmap() after pte_offset_map(): the end of the walk's RCU read-side
 * section over one PTE table.  hmm_vma_handle_pte() leaves it before a
 * fault, a migration-entry wait or an error, and the walk of the table
 * re-enters it after a restart.
 */
static void pte_unmap(void)
{
	sim_rcu_read_unlock();
}

/* hmm_vma_handle_pte(); @end is the end of the current walk segment. */
static int hmm_vma_handle_pte(struct hmm_vma_walk *w, struct hs_vm_area_struct *vma,
			      unsigned long addr, unsigned long end, sim_atomic_t *ptep,
			      unsigned long *hmm_pfn)
{
	struct hs_hmm_range *range = w->range;
	unsigned long req = *hmm_pfn;
	unsigned int required;
	hs_pte_t pte = hs_ptep_get_nodirty(ptep); /* hmm never reads pte_dirty() */

	if (hs_pte_none(pte)) {
		required = hmm_pte_need_fault(range, req, 0);
		if (required) {
			pte_unmap();
			return hmm_vma_fault(w, vma, addr, end, required);
		}
		*hmm_pfn = p2p_sticky(range, req);
		return 0;
	}
	if (!hs_pte_present(pte)) {
		bool devpriv = hs_is_device_private_entry(pte);
		if (devpriv)
			pte_walk_section(true);
		bool owned = device_private_owned(w, pte);
		/* the RFC: another owner's page, P2P allowed: ask its pgmap */
		bool p2p = !owned && handle_device_private_p2p(range, pte, req, hmm_pfn);
		if (devpriv)
			pte_walk_section(false);
		if (owned) {
			unsigned long cpu_flags = HS_HMM_PFN_VALID;
			if (hs_is_writable_swp_entry(pte))
				cpu_flags |= HS_HMM_PFN_WRITE;
			*hmm_pfn = hs_pte_pfn(pte) | cpu_flags | p2p_sticky(range, req);
			return 0;
		}
		if (p2p)
			return 0;
		required = hmm_pte_need_fault(range, req, 0);
		if (!required) {
			*hmm_pfn = p2p_sticky(range, req);
			return 0;
		}
		switch (hs_swp_type(pte)) {
		case HS_SWP_SWAP:
		case HS_SWP_DEVICE_PRIVATE: /* another owner's: fault it back */
			if (hs_switch.hmm_no_fault_non_owner &&
			    hs_swp_type(pte) == HS_SWP_DEVICE_PRIVATE)
				return -EFAULT; /* before "mm/hmm: fault non-owner ..." (v6.0) */
			hs_p2p_stats_inc(&hs_p2p_stats.migrations);
			pte_unmap();
			return hmm_vma_fault(w, vma, addr, end, required);
		case HS_SWP_DEVICE_EXCLUSIVE: /* "mm/hmm: fault non-owner device private entries" */
			pte_unmap();
			return hmm_vma_fault(w, vma, addr, end, required);
		case HS_SWP_MIGRATION:
			pte_unmap();
			w->last = addr;
			hs_migration_entry_wait(vma->vm_mm, addr);
			return -EBUSY;
		default:
			pte_unmap();
			return -EFAULT;
		}
	}
	unsigned long cpu_flags = pte_to_hmm_pfn_flags(pte);
	required = hmm_pte_need_fault(range, req, cpu_flags);
	if (required) {
		pte_unmap();
		return hmm_vma_fault(w, vma, addr, end, required);
	}
	if ((pte & HS_PTE_SPECIAL) && !hs_is_zero_pfn(hs_pte_pfn(pte))) {
		if (hmm_pte_need_fault(range, req, 0)) {
			pte_unmap();
			return -EFAULT;
		}
		*hmm_pfn = HS_HMM_PFN_ERROR | p2p_sticky(range, req);
		return 0;
	}
	*hmm_pfn = hs_pte_pfn(pte) | cpu_flags | p2p_sticky(range, req);
	return 0;
}

/*
 * hmm_vma_walk_hole() for a hole without a VMA (!walk->vma): an error unless
 * a fault was asked for, which fails.  Simplified: holes inside a VMA are
 * none ptes, handled by hmm_vma_handle_pte() (every PTE table exists).
 */
static int hmm_vma_walk_hole(struct hs_hmm_range *range, unsigned long addr, unsigned long end)
{
	if (hmm_range_need_fault(range, addr, end, 0))
		return -EFAULT;
	return hmm_pfns_fill(range, addr, end, HS_HMM_PFN_ERROR);
}

/*
 * hmm_vma_walk_test(): 1 when @vma is skipped (VM_IO, VM_PFNMAP or not
 * readable) and its pfns are set to HMM_PFN_ERROR, -EFAULT when a fault was
 * asked for there, 0 to walk it.  VM_MIXEDMAP is fine since 2022 ("mm/hmm.c:
 * allow VM_MIXEDMAP to work with hmm_range_fault").
 */
static int hmm_vma_walk_test(struct hs_hmm_range *range, struct hs_vm_area_struct *vma,
			     unsigned long addr, unsigned long end)
{
	if (!(vma->vm_flags & (HS_VM_IO | HS_VM_PFNMAP)) && (vma->vm_flags & HS_VM_READ))
		return 0;
	if (hmm_range_need_fault(range, addr, end, 0))
		return -EFAULT;
	hmm_pfns_fill(range, addr, end, HS_HMM_PFN_ERROR);
	return 1;
}

/*
 * hmm_vma_handle_pmd() for a huge PMD read locklessly (pmdp_get_lockless()):
 * every page of [@addr, @end) gets its pfn inside the folio, the flags of the
 * PMD (pmd_to_hmm_pfn_flags(): none when protnone) and the map order 9
 * (hmm_pfn_flags_order()); a fault is for the whole range, as the kernel's.
 * The huge zero folio gives pfn 0 for each page (the model's huge zero
 * folio is the zero page repeated).
 */
static int hmm_vma_handle_pmd(struct hmm_vma_walk *w, struct hs_vm_area_struct *vma,
			      unsigned long addr, unsigned long end, hs_pte_t pmd)
{
	struct hs_hmm_range *range = w->range;
	unsigned long i = (addr - range->start) >> HS_PAGE_SHIFT;
	unsigned long cpu_flags = pte_to_hmm_pfn_flags(pmd);
	unsigned int required;

	if (cpu_flags)
		cpu_flags |= 9ul << HS_HMM_PFN_ORDER_SHIFT;
	required = hmm_range_need_fault(range, addr, end, cpu_flags);
	if (required)
		return hmm_vma_fault(w, vma, addr, end, required);
	unsigned long pfn = hs_pte_pfn(pmd);
	if (!hs_is_zero_pfn(pfn))
		pfn += (addr & (HS_PMD_SIZE - 1)) >> HS_PAGE_SHIFT;
	for (; addr < end; addr += HS_PAGE_SIZE, i++, pfn += !hs_is_zero_pfn(pfn))
		range->hmm_pfns[i] = pfn | cpu_flags | p2p_sticky(range, range->hmm_pfns[i]);
	return 0;
}

/*
 * hmm_vma_handle_absent_pmd() (v6.19): a PMD device-private entry of the
 * caller's owner gives every page its pfn in the folio, VALID (and WRITE if
 * the entry is writable) and the map order 9, whatever the caller asked (as
 * a pte's entry: the device uses its own memory without a fault); another
 * owner's is faulted back when the caller needs the pages
 * (do_huge_pmd_device_private()), and is an error otherwise.  A PMD
 * migration entry (hmm_vma_walk_pmd()'s check, before this one in the
 * kernel) is waited for and the walk restarted (-EBUSY) when a fault is
 * needed, and not valid otherwise.  Anything else: -EFAULT when a fault is
 * needed, an error otherwise.
 */
static int hmm_vma_handle_absent_pmd(struct hmm_vma_walk *w, struct hs_vm_area_struct *vma,
				     unsigned long addr, unsigned long end, hs_pte_t pmd)
{
	struct hs_hmm_range *range = w->range;
	unsigned long i = (addr - range->start) >> HS_PAGE_SHIFT;
	unsigned int required;

	if (device_private_owned(w, pmd)) {
		unsigned long cpu_flags = HS_HMM_PFN_VALID | 9ul << HS_HMM_PFN_ORDER_SHIFT;
		if (hs_is_writable_swp_entry(pmd))
			cpu_flags |= HS_HMM_PFN_WRITE;
		unsigned long pfn = hs_pte_pfn(pmd) + ((addr & (HS_PMD_SIZE - 1)) >> HS_PAGE_SHIFT);
		for (; addr < end; addr += HS_PAGE_SIZE, i++, pfn++)
			range->hmm_pfns[i] = pfn | cpu_flags | p2p_sticky(range, range->hmm_pfns[i]);
		return 0;
	}
	required = hmm_range_need_fault(range, addr, end, 0);
	if (hs_is_migration_entry(pmd)) {
		if (!required)
			return hmm_pfns_fill(range, addr, end, 0);
		w->last = addr;
		hs_pmd_migration_entry_wait(vma->vm_mm, addr);
		return -EBUSY;
	}
	if (required)
		return hs_is_device_private_entry(pmd) ? hmm_vma_fault(w, vma, addr, end, required)
						       : -EFAULT;
	return hmm_pfns_fill(range, addr, end, HS_HMM_PFN_ERROR);
}

/*
 * hmm_vma_walk_pmd(): the ptes of [@addr, @end), within one PTE table.
 * pte_offset_map() once per table, then step, as the kernel does.  In an mm
 * with huge VMAs the PMD word is read first (a huge PMD goes to
 * hmm_vma_handle_pmd()); no migrating or missing pmd (every PTE table
 * exists).
 */
static int hmm_vma_walk_pmd(struct hmm_vma_walk *w, struct hs_mm *mm, struct hs_vm_area_struct *vma,
			    unsigned long addr, unsigned long end)
{
	struct hs_hmm_range *range = w->range;
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	unsigned long *p = &range->hmm_pfns[(addr - range->start) >> HS_PAGE_SHIFT];

	if (mm->has_huge) {
		hs_pte_t pmd = hs_ptep_get_nodirty(hs_pmd_offset(mm, addr));
		if (pmd && !hs_pte_present(pmd))
			return hmm_vma_handle_absent_pmd(w, vma, addr, end, pmd);
		if (pmd)
			return hmm_vma_handle_pmd(w, vma, addr, end, pmd);
	}
	/* pte_offset_map() once per table: the table is walked inside an RCU
	 * read-side section (every callback the walk makes runs in it: it must
	 * not sleep), left by hmm_vma_handle_pte() when it returns an error */
	sim_rcu_read_lock();
	for (; addr < end; addr += HS_PAGE_SIZE, ptep++, p++) {
		int r = hmm_vma_handle_pte(w, vma, addr, end, ptep, p);
		if (r)
			return r;
	}
	pte_unmap();
	return 0;
}

/* walk_page_range() with hmm_walk_ops (mm/pagewalk.c), from @start to
 * range->end: per VMA hmm_vma_walk_test(), then one hmm_vma_walk_pmd() per
 * PTE table; hmm_vma_walk_hole() between VMAs. */
static int walk_page_range(struct hmm_vma_walk *w, struct hs_mm *mm, unsigned long start)
{
	struct hs_hmm_range *range = w->range;
	unsigned long addr = start;
	int r;

	while (addr < range->end) {
		struct hs_vm_area_struct *vma = hs_find_vma(mm, addr);
		unsigned long next;
		if (!vma) {
			next = range->end;
			for (int i = 0; i < mm->nr_vmas; i++)
				if (mm->vmas[i].vm_start > addr && mm->vmas[i].vm_start < next)
					next = mm->vmas[i].vm_start;
			r = hmm_vma_walk_hole(range, addr, next);
			if (r)
				return r;
			addr = next;
			continue;
		}
		next = vma->vm_end < range->end ? vma->vm_end : range->end;
		r = hmm_vma_walk_test(range, vma, addr, next);
		if (r < 0)
			return r;
		if (r) {
			addr = next;
			continue;
		}
		while (addr < next) {
			unsigned long seg_end = (addr | (HS_PMD_SIZE - 1)) + 1;
			if (seg_end > next)
				seg_end = next;
			r = hmm_vma_walk_pmd(w, mm, vma, addr, seg_end);
			if (r)
				return r;
			addr = seg_end;
		}
	}
	return 0;
}

/**
 * hs_hmm_range_fault() - hmm_range_fault(): fill range->hmm_pfns for [start, end).
 * @range: the range, its notifier_seq from mmu_interval_read_begin()
 *
 * Pages are faulted in where the request flags say so.  Caller holds
 * mmap_lock for read.  The walk restarts after every fault (-EBUSY inside)
 * and gives up with -EBUSY once the notifier sequence moved.
 *
 * Return: 0; -EBUSY when the notifier sequence moved (start again from
 * read_begin); -EFAULT (no VMA, a fault failed, an entry hmm cannot
 * handle); -EPERM (write requested on a read-only VMA); -EINVAL (an empty
 * or unaligned range).
 */
int hs_hmm_range_fault(struct hs_hmm_range *range)
{
	struct hmm_vma_walk w = {.range = range, .last = range->start};
	struct hs_mm *mm = range->notifier->mm;
	int ret;

	sim_assert_held(&mm->mmap_lock);
	if (range->start >= range->end || (range->start | range->end) & (HS_PAGE_SIZE - 1))
		return -EINVAL;
	/* no cond_resched() in this loop: under voluntary or no preemption the
	 * CPU runs nothing else until it sleeps (model/swap.c) */
	hs_cpu_enter_kernel();
	do {
		if (hs_mmu_interval_check_retry(range->notifier, range->notifier_seq)) {
			ret = -EBUSY;
			break;
		}
		ret = walk_page_range(&w, mm, w.last);
	} while (ret == -EBUSY);
	hs_cpu_exit_kernel();
	if (ret == -EBUSY)
		hs_p2p_stats_inc(&hs_p2p_stats.ebusy);
	else if (!ret)
		sim_noted_add(&hs_p2p_stats.pages, (range->end - range->start) >> HS_PAGE_SHIFT);
	if (sim_tracing()) {
		sim_event("hmm_range_fault [%#lx,%#lx) = %d", range->start, range->end, ret);
		for (unsigned long i = 0; !ret && i < (range->end - range->start) >> HS_PAGE_SHIFT;
		     i++) {
			unsigned long v = range->hmm_pfns[i];
			sim_event("  pfn %#lx %s%s%s%s", hs_hmm_pfn_to_pfn(v),
				  v & HS_HMM_PFN_VALID ? "valid" : "-",
				  v & HS_HMM_PFN_WRITE ? "|write" : "",
				  v & HS_HMM_PFN_ERROR ? "|error" : "",
				  v & HS_HMM_PFN_P2PDMA ? "|p2pdma" : "");
		}
	}
	return ret;
}
