// SPDX-License-Identifier: MIT
/*
 * The address space: mm_struct, VMAs, the page table and its locks, the TLB,
 * and the operations that change mappings (faults and CPU accesses are in
 * memory.c).  Mirrors mm/memory.c (zap_pte_range), mm/mmap.c + mm/vma.c (mmap, munmap),
 * mm/mprotect.c, mm/madvise.c (MADV_DONTNEED), mm/vmscan.c + mm/rmap.c (reclaim of one anon page to
 * swap), kernel/fork.c + mm/mmap.c (mmput, exit_mmap).  Simplifications: one level of PTE tables
 * allocated with their VMA (the PMD level of THP is in huge_memory.c); anonymous memory only (VM_IO
 * and VM_PFNMAP VMAs exist so hmm_range_fault can refuse them); reclaim takes mmap_lock to find the
 * page instead of walking the rmap.
 *
 * Which accesses are annotated, and why (the PTL, mm->page_table_lock):
 * every PTL is marked sim_spin_annotated(), so the dpor strategy orders two
 * of its sections only when their contents conflict.  That needs every
 * access to what it protects visible: the ptes and the PMD word are atomics
 * (hs_ptep_get(), hs_set_pte_at(), ...); the table's populated flag
 * (model/huge_memory.c), the swap cache's page->swap_slot / page->private,
 * the swap slots' contents and used[] (also under swap.lock), and the
 * device rmap's fields (model/rmap.c) are plain C with a note each
 * (HS_NOTED(), model/internal.h: sim_note_access(), no scheduling point, so
 * every strategy's schedules stay as they are).  The TLB words, the data
 * oracle's shadow and tlb_flush_pending were noted already.  The VMAs and
 * mm->has_huge are mmap_lock's (not marked: its sections stay ordered),
 * but for the eviction's look at a VMA's flags without it
 * (hs_rmap_vma_flags()): a noted read of the VMA list, against mprotect's
 * noted write of the flags.
 * mm->page_table_lock is marked too: no model section takes it.  So is
 * the swap device's lock: its used[] and the slots' contents are noted at
 * every access (here, model/memory.c, model/fork.c).
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <stdio.h>

#include "internal.h"

/* ---- ptes ------------------------------------------------------------------------ */

/**
 * hs_mk_pte() - mk_pte(): a present pte for @pfn.
 * @pfn: the page to map
 * @flags: HS_PTE_* bits
 *
 * Return: the pte, carrying the page's current generation (for the
 * use-after-free oracle).
 */
hs_pte_t hs_mk_pte(unsigned long pfn, uint64_t flags)
{
	uint64_t gen = hs_page_gen(hs_pfn_to_page(pfn)) & HS_PTE_GEN_MASK;
	return ((uint64_t)pfn << HS_PTE_PFN_SHIFT) | flags | HS_PTE_PRESENT |
	       gen << HS_PTE_GEN_SHIFT;
}

/**
 * hs_mk_swp_pte() - swp_entry_to_pte(make_*_entry()): a non-present entry.
 * @type: the swap entry type
 * @offset: the swap slot, or the pfn of a device-private, migration or
 *  device-exclusive entry
 * @flags: HS_SWP_WRITE, HS_SWP_DIRTY, HS_SWP_YOUNG (others are dropped)
 *
 * Return: the entry; one naming a pfn carries its page's generation.
 */
hs_pte_t hs_mk_swp_pte(enum hs_swp_type type, unsigned long offset, uint64_t flags)
{
	uint64_t gen = 0;
	if (type == HS_SWP_DEVICE_PRIVATE || type == HS_SWP_MIGRATION ||
	    type == HS_SWP_DEVICE_EXCLUSIVE)
		gen = hs_page_gen(hs_pfn_to_page(offset)) & HS_PTE_GEN_MASK;
	return ((uint64_t)offset << HS_PTE_PFN_SHIFT) | (uint64_t)type << HS_SWP_TYPE_SHIFT |
	       (flags & (HS_SWP_WRITE | HS_SWP_DIRTY | HS_SWP_YOUNG)) | gen << HS_PTE_GEN_SHIFT;
}

/**
 * hs_pte_describe() - a pte in words, for reports.
 * @pte: the pte
 * @buf: where to write
 * @len: the size of @buf
 *
 * Return: @buf: "pfn 0x12 write", "swap slot 3", "device-private pfn 0x41", "none".
 */
const char *hs_pte_describe(hs_pte_t pte, char *buf, size_t len)
{
	static const char *const kind[] = {"pfn", "swap slot", "device-private pfn",
					   "migration entry of pfn", "device-exclusive pfn"};
	bool write = hs_pte_present(pte) ? hs_pte_write(pte) : hs_is_writable_swp_entry(pte);
	if (hs_pte_none(pte))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s %#lx%s%s", kind[hs_swp_type(pte)], hs_pte_pfn(pte),
			 write ? " write" : "", hs_pte_protnone(pte) ? " protnone" : "");
	return buf;
}

/**
 * hs_mm_alloc() - mm_alloc() + mm_init(): a new address space.
 * @name: for reports
 * @va_size: the address space is [0, @va_size)
 * @swap_slots: the size of its swap device
 *
 * With its page-table directory, notifier subscriptions and swap space; one
 * user (mm_users).
 *
 * Return: the mm.
 */
struct hs_mm *hs_mm_alloc(const char *name, unsigned long va_size, unsigned long swap_slots)
{
	struct hs_mm *mm = sim_alloc(sizeof(*mm));
	unsigned long npmd = (va_size + HS_PMD_SIZE - 1) / HS_PMD_SIZE;

	mm->name = name;
	mm->va_size = npmd * HS_PMD_SIZE;
	mm->pmd = sim_alloc(npmd * sizeof(*mm->pmd));
	sim_rwsem_init(&mm->mmap_lock, "mmap_lock");
	sim_spin_init(&mm->page_table_lock, "page_table_lock");
	sim_spin_annotated(&mm->page_table_lock); /* no model section takes it yet */
	hs_mmu_notifier_subscriptions_init(&mm->notifier_subscriptions);
	sim_spin_init(&mm->swap.lock, "swap_lock");
	sim_spin_annotated(&mm->swap.lock); /* used[] and the slots' data */
	mm->swap.nr_slots = swap_slots;
	mm->swap.slot = sim_alloc((swap_slots + 1) * sizeof(*mm->swap.slot));
	mm->swap.used = sim_alloc((swap_slots + 1) * sizeof(*mm->swap.used));
	sim_atomic_init(&mm->users, 1);
	sim_bits_init(&mm->flags, 0);
	mm->shadow = sim_alloc((mm->va_size >> HS_PAGE_SHIFT) * sizeof(*mm->shadow));
	mm->shadow_shared = sim_alloc((mm->va_size >> HS_PAGE_SHIFT) * sizeof(*mm->shadow_shared));
	mm->shadow_family = sim_alloc((mm->va_size >> HS_PAGE_SHIFT) * sizeof(*mm->shadow_family));
	return mm;
}

/* The VMA containing @addr (no lock asserted: the callers say which). */
static struct hs_vm_area_struct *vma_containing(struct hs_mm *mm, unsigned long addr)
{
	for (int i = 0; i < mm->nr_vmas; i++)
		if (addr >= mm->vmas[i].vm_start && addr < mm->vmas[i].vm_end)
			return &mm->vmas[i];
	return NULL;
}

/**
 * hs_find_vma() - find_vma(), but only the VMA containing @addr.
 * @mm: the address space; the caller holds mmap_lock
 * @addr: the address
 *
 * Return: the VMA, or NULL.
 */
struct hs_vm_area_struct *hs_find_vma(struct hs_mm *mm, unsigned long addr)
{
	sim_assert_held(&mm->mmap_lock);
	return vma_containing(mm, addr);
}

/**
 * hs_rmap_vma_flags() - the flags of the VMA an rmap walk finds at @addr.
 * @mm: the address space; its mmap_lock is not held
 * @addr: where the caller found, under the PTL, a migration entry
 *
 * remove_migration_pte() reads READ_ONCE(vma->vm_page_prot) of the VMA its
 * rmap walk found, holding the anon_vma lock but no mmap_lock: the lock keeps
 * the VMA from a split, merge or free, and mprotect_fixup() sets
 * vm_page_prot before change_protection() takes the PTL, so a pte made from
 * the old value is changed by that walk afterwards.  Here the VMA list is
 * read without mmap_lock but with no scheduling point inside, noted as one
 * object (mm->vmas), as is the one write that can give @addr other
 * permissions, hs_mprotect()'s; a split copies the flags, and munmap and
 * exit zap the entry under the PTL before the VMA goes, so a caller that
 * found its entry there finds the VMA.
 *
 * Return: the VMA's flags, 0 when no VMA holds @addr.
 */
unsigned int hs_rmap_vma_flags(struct hs_mm *mm, unsigned long addr)
{
	HS_NOTE_READ(mm->vmas);
	const struct hs_vm_area_struct *vma = vma_containing(mm, addr);
	return vma ? vma->vm_flags : 0;
}

static struct hs_pte_table *pte_table(struct hs_mm *mm, unsigned long addr)
{
	if (addr >= mm->va_size)
		return NULL;
	return mm->pmd[addr / HS_PMD_SIZE];
}

/**
 * hs_pte_offset() - pte_offset_map(): the pte word of @addr.
 * @mm: the address space
 * @addr: the address
 *
 * Return: the pte, or NULL outside every PTE table.
 */
sim_atomic_t *hs_pte_offset(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pte_table(mm, addr);
	return t ? &t->pte[(addr >> HS_PAGE_SHIFT) % HS_PTRS_PER_PTE] : NULL;
}

/**
 * hs_pte_lockptr() - pte_lockptr(): the split PTL of @addr's PTE table.
 * @mm: the address space
 * @addr: the address
 *
 * Return: the lock.
 */
sim_spinlock_t *hs_pte_lockptr(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pte_table(mm, addr);
	return t ? &t->ptl : NULL;
}

/**
 * hs_ptep_get() - ptep_get(): READ_ONCE of a pte.
 * @ptep: the pte
 *
 * Hardware walkers and hmm read it without the PTL.
 *
 * Return: the pte's value.
 */
hs_pte_t hs_ptep_get(sim_atomic_t *ptep)
{
	hs_pte_t pte = (hs_pte_t)sim_atomic_load(ptep, SIM_RELAXED);
	sim_note_access(hs_pte_dirty_part(ptep), false);
	return pte;
}

/**
 * hs_ptep_get_nodirty() - ptep_get() for a reader blind to the dirty bit.
 * @ptep: the pte
 *
 * The value is the same; for dpor the read leaves out the dirty bit, which
 * the hardware sets alone (hs_pte_set_dirty_hw()), so the two commute.  Only
 * for a reader whose every decision ignores pte_dirty() and that writes no
 * pte from the value (hmm_vma_handle_pte(), hmm_vma_walk_pmd()).
 *
 * Return: the pte's value.
 */
hs_pte_t hs_ptep_get_nodirty(sim_atomic_t *ptep)
{
	return (hs_pte_t)sim_atomic_load(ptep, SIM_RELAXED);
}

/**
 * hs_pte_set_dirty_hw() - the hardware sets the dirty bit of a writable pte.
 * @ptep: the pte (or huge PMD) word
 * @pte: its value as the walk read it (present, writable, clean)
 *
 * x86's page walker sets D with a locked update that fails when the entry
 * changed meanwhile (a cmpxchg here).  For dpor it reads the word and
 * the bit and writes only the bit (sim_atomic_wrote_part()): a read blind to
 * the bit commutes with it, any write of the word still orders it, and so
 * does another walker's update (whether it fails depends on the order).
 *
 * Return: whether the bit is set (false: the entry changed, walk again).
 */
bool hs_pte_set_dirty_hw(sim_atomic_t *ptep, hs_pte_t pte)
{
	long old = (long)pte;
	bool ok = sim_atomic_cmpxchg(ptep, &old, (long)(pte | HS_PTE_DIRTY), SIM_RELAXED);
	/* the compare looks at the bit too: a failure is another walker's set */
	sim_note_access(hs_pte_dirty_part(ptep), false);
	if (ok)
		sim_atomic_wrote_part(ptep, hs_pte_dirty_part(ptep));
	return ok;
}

static void assert_ptl(struct hs_mm *mm, unsigned long addr)
{
	if (!sim_spin_held(hs_pte_lockptr(mm, addr)))
		sim_fail(SIM_KIND_LOCK_NOT_HELD, "pte of %#lx changed without its PTL", addr);
}

/**
 * hs_set_pte_at() - set_pte_at(): write a pte; the PTL must be held.
 * @mm: the address space
 * @addr: the address it maps
 * @ptep: the pte
 * @pte: the new value
 */
void hs_set_pte_at(struct hs_mm *mm, unsigned long addr, sim_atomic_t *ptep, hs_pte_t pte)
{
	assert_ptl(mm, addr);
	hs_pmd_populate_note(mm, addr);
	sim_atomic_store(ptep, (long)pte, SIM_RELEASE);
}

/**
 * hs_ptep_get_and_clear() - ptep_get_and_clear(): clear a pte; the PTL must be held.
 * @mm: the address space
 * @addr: the address it maps
 * @ptep: the pte
 *
 * Atomic, so a concurrent dirty-bit update is not lost.
 *
 * Return: the old value.
 */
hs_pte_t hs_ptep_get_and_clear(struct hs_mm *mm, unsigned long addr, sim_atomic_t *ptep)
{
	assert_ptl(mm, addr);
	return (hs_pte_t)sim_atomic_xchg(ptep, 0, SIM_ACQ_REL);
}

/* ---- the TLB (its word layout is in internal.h) ------------------------------------ */

uint64_t *hs_tlb_slot(struct hs_mm *mm, int cpu, unsigned long vpn)
{
	return &mm->tlb[cpu][vpn % HS_TLB_ENTRIES];
}

int hs_this_cpu(void)
{
	int cpu = hs_bound_cpu(); /* hs_set_cpu() (model/swap.c) */

	if (cpu >= 0)
		return cpu;
	return sim_self() % HS_NR_CPUS;
}

void hs_tlb_fill(struct hs_mm *mm, unsigned long addr, hs_pte_t pte)
{
	unsigned long vpn = addr >> HS_PAGE_SHIFT;
	/* a write through the TLB needs the dirty bit already set (x86 re-walks) */
	uint64_t w = TLB_VALID | (hs_pte_write(pte) && hs_pte_dirty(pte) ? TLB_WRITE : 0) |
		     (uint64_t)(hs_pte_gen(pte) & 0xff) << TLB_GEN_SHIFT |
		     (uint64_t)(hs_pte_pfn(pte) & 0xffffff) << TLB_PFN_SHIFT |
		     (uint64_t)vpn << TLB_VPN_SHIFT;
	sim_noted_store_n(hs_tlb_slot(mm, hs_this_cpu(), vpn), w, __ATOMIC_RELAXED);
}

/**
 * hs_flush_tlb_range() - flush_tlb_range(): drop every CPU's cached translations.
 * @mm: the address space
 * @start: first address
 * @end: the address after the range
 *
 * flush_tlb_range(): a synchronous shootdown of every CPU's entries.  It
 * starts with the atomic increment of the mm's TLB generation, as x86's
 * flush_tlb_mm_range() does: a scheduling point, so a flush issued after
 * dropping the PTL really can come late.
 */
void hs_flush_tlb_range(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	sim_atomic_add_return(&mm->tlb_gen, 1, SIM_SEQ_CST);
	if (sim_tracing())
		sim_event("flush_tlb_range [%#lx,%#lx)", start, end);
	for (int cpu = 0; cpu < HS_NR_CPUS; cpu++)
		for (int i = 0; i < HS_TLB_ENTRIES; i++) {
			uint64_t *p = &mm->tlb[cpu][i];
			uint64_t w = sim_noted_load_n(p, __ATOMIC_RELAXED);
			unsigned long a = (unsigned long)(w >> TLB_VPN_SHIFT) << HS_PAGE_SHIFT;
			if ((w & TLB_VALID) && a >= start && a < end)
				sim_noted_store_n(p, 0, __ATOMIC_RELAXED);
		}
}

/* ---- VMAs ---------------------------------------------------------------------------- */

static int vma_insert(struct hs_mm *mm, unsigned long start, unsigned long end, unsigned int flags)
{
	int i;
	if (mm->nr_vmas == HS_MAX_VMAS)
		return -ENOMEM;
	for (i = mm->nr_vmas; i > 0 && mm->vmas[i - 1].vm_start > start; i--)
		mm->vmas[i] = mm->vmas[i - 1];
	mm->vmas[i] = (struct hs_vm_area_struct){start, end, flags, mm};
	mm->nr_vmas++;
	return 0;
}

static void vma_delete(struct hs_mm *mm, int i)
{
	for (; i + 1 < mm->nr_vmas; i++)
		mm->vmas[i] = mm->vmas[i + 1];
	mm->nr_vmas--;
}

/*
 * Make [start, end) a VMA boundary on both sides (split_vma()), so callers
 * can change whole VMAs.  Return: 0 or -ENOMEM.
 */
static int vma_split_at(struct hs_mm *mm, unsigned long addr)
{
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct hs_vm_area_struct v = mm->vmas[i];
		if (addr > v.vm_start && addr < v.vm_end) {
			mm->vmas[i].vm_end = addr;
			return vma_insert(mm, addr, v.vm_end, v.vm_flags);
		}
	}
	return 0;
}

static bool range_ok(struct hs_mm *mm, unsigned long start, unsigned long len)
{
	return len && !(start & (HS_PAGE_SIZE - 1)) && !(len & (HS_PAGE_SIZE - 1)) &&
	       start + len > start && start + len <= mm->va_size;
}

/**
 * hs_mmap() - mmap(MAP_FIXED_NOREPLACE | MAP_ANONYMOUS): a new VMA.
 * @mm: the address space
 * @start: its first address
 * @len: its length
 * @vm_flags: HS_VM_* (anonymous unless PFNMAP / IO say otherwise)
 *
 * The VMA's PTE tables are allocated with it (no pmd population race).
 *
 * Return: 0, -EINVAL (unaligned or outside the address space), -EEXIST
 * (overlaps a VMA) or -ENOMEM (too many VMAs).
 */
int hs_mmap(struct hs_mm *mm, unsigned long start, unsigned long len, unsigned int vm_flags)
{
	int ret;
	if (!range_ok(mm, start, len))
		return -EINVAL;
	sim_down_write(&mm->mmap_lock);
	for (int i = 0; i < mm->nr_vmas; i++)
		if (start < mm->vmas[i].vm_end && start + len > mm->vmas[i].vm_start) {
			sim_up_write(&mm->mmap_lock);
			return -EEXIST;
		}
	/* MAP_SHARED|MAP_ANONYMOUS is shmem, not vma_is_anonymous() */
	if (!(vm_flags & (HS_VM_IO | HS_VM_PFNMAP | HS_VM_MIXEDMAP | HS_VM_SHARED)))
		vm_flags |= HS_VM_ANON;
	ret = hs_vma_link(mm, start, start + len, vm_flags);
	sim_up_write(&mm->mmap_lock);
	return ret;
}

/**
 * hs_vma_link() - vma_link() of a new VMA [@start, @end) with its PTE tables.
 * @mm: the address space; the caller holds mmap_lock for write and checked
 *  that nothing is mapped there
 * @start: first address
 * @end: the address after the VMA
 * @vm_flags: its flags
 *
 * Return: 0 or -ENOMEM (too many VMAs).
 */
int hs_vma_link(struct hs_mm *mm, unsigned long start, unsigned long end, unsigned int vm_flags)
{
	int ret = vma_insert(mm, start, end, vm_flags);
	if (!ret && (vm_flags & HS_VM_HUGEPAGE))
		mm->has_huge = true;
	for (unsigned long a = start & ~(HS_PMD_SIZE - 1); !ret && a < end; a += HS_PMD_SIZE) {
		struct hs_pte_table **t = &mm->pmd[a / HS_PMD_SIZE];
		if (!*t) {
			*t = sim_alloc(sizeof(**t));
			sim_spin_init(&(*t)->ptl, "ptl");
			/* the table's ptes and PMD word, populated, the swap
			 * cache's page->swap_slot/private, the device rmap */
			sim_spin_annotated(&(*t)->ptl);
		}
	}
	return ret;
}

/**
 * hs_vma_split_range() - split the VMAs at @start and @end (split_vma()),
 * splitting a huge PMD either cut falls in first (vma_adjust_trans_huge()).
 * @mm: the address space; the caller holds mmap_lock for write
 * @start: first address
 * @end: the address after the range
 *
 * Return: 0 or -ENOMEM.
 */
int hs_vma_split_range(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	hs_vma_adjust_trans_huge(mm, start, end);
	if (vma_split_at(mm, start) || vma_split_at(mm, end))
		return -ENOMEM;
	return 0;
}

/* ---- zapping ------------------------------------------------------------------------- */

void hs_swap_free(struct hs_mm *mm, unsigned long slot)
{
	sim_spin_lock(&mm->swap.lock);
	HS_NOTED_SET(mm->swap.used[slot], false);
	sim_spin_unlock(&mm->swap.lock);
}

/**
 * hs_swapcache_free() - folio_free_swap(): @page leaves the swap cache.
 * @page: a page that may still hold a swap slot
 *
 * Its slot is freed; a page without one is left alone.
 */
void hs_swapcache_free(struct hs_page *page)
{
	unsigned long slot = HS_NOTED(page->swap_slot);
	if (!slot)
		return;
	HS_NOTED_SET(page->swap_slot, 0);
	hs_swap_free((struct hs_mm *)HS_NOTED(page->private), slot);
	HS_NOTED_SET(page->private, 0);
}

/*
 * struct mmu_gather: the pages an unmap took out of the page table wait here
 * until the TLB no longer maps them.  The kernel's batches grow until about
 * 10000 pages (or a failed GFP_NOWAIT batch allocation); the model's hold
 * MMU_GATHER_PAGES, so a full batch is a forced flush as there.
 */
#define MMU_GATHER_PAGES 64
struct mmu_gather {
	struct hs_mm *mm;
	unsigned long start, end; /* cleared present ptes a TLB may still hold */
	int nr;
	struct hs_page *pages[MMU_GATHER_PAGES];
	bool delay_rmap[MMU_GATHER_PAGES]; /* ENCODED_PAGE_BIT_DELAY_RMAP */
};

/* tlb_gather_mmu(), with inc_tlb_flush_pending() (an oracle count here). */
static void tlb_gather_mmu(struct mmu_gather *tlb, struct hs_mm *mm)
{
	tlb->mm = mm;
	tlb->start = ~0ul;
	tlb->end = 0;
	tlb->nr = 0;
	sim_noted_add(&mm->tlb_flush_pending, 1);
}

/* tlb_flush_mmu_tlbonly(): flush what the gather cleared, if anything. */
static void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (!tlb->end)
		return;
	hs_flush_tlb_range(tlb->mm, tlb->start, tlb->end);
	tlb->start = ~0ul;
	tlb->end = 0;
}

/* tlb_flush_rmaps(): the rmaps a dirty shared page kept until the flush
 * (zap_present_folio_ptes()'s delay_rmap); under the PTL. */
static void tlb_flush_rmaps(struct mmu_gather *tlb)
{
	for (int i = 0; i < tlb->nr; i++)
		if (tlb->delay_rmap[i]) {
			hs_page_remove_rmap(tlb->pages[i]);
			tlb->delay_rmap[i] = false;
		}
}

/* tlb_flush_mmu(): flush, then free the batched pages (the unmap's references). */
static void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu_tlbonly(tlb);
	if (tlb->mm->has_huge) /* a THP's ptes: one batch (model/huge_memory.c) */
		hs_release_pages(tlb->pages, (unsigned long)tlb->nr);
	else
		for (int i = 0; i < tlb->nr; i++)
			hs_put_page(tlb->pages[i]);
	tlb->nr = 0;
}

/* tlb_finish_mmu(), with dec_tlb_flush_pending(). */
static void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	sim_noted_add(&tlb->mm->tlb_flush_pending, -1);
}

/*
 * zap_pmd_range()'s huge PMD, under the PTL: the whole PMD zapped by
 * zap_huge_pmd() (flushed before the PTL is dropped, the folio freed after
 * it), a part split into ptes first (under the zap's own invalidation: the
 * kernel's __split_huge_pmd() nests one of its own).  Return: whether the
 * table is done.
 */
static bool zap_huge(struct mmu_gather *tlb, struct hs_mm *mm, unsigned long base,
		     unsigned long stop)
{
	bool flush;
	if (base & (HS_PMD_SIZE - 1) || stop - base != HS_PMD_SIZE) {
		hs_split_huge_pmd_locked(mm, base);
		return false;
	}
	struct hs_page *head = hs_zap_huge_pmd(mm, base, &flush);
	if (!flush)
		return false;
	hs_flush_tlb_range(mm, base, stop);
	if (head)
		hs_folio_put_pmd(head);
	return true;
}

/*
 * zap_pte_range() for [start, end), table by table: clear every entry under
 * its PTL.  A present pte's page goes to the gather, its rmap at once
 * (anonymous) or, for a dirty shared page, after a flush forced before the
 * PTL is dropped; a full batch forces a flush and a break too, and the pages
 * are freed after the PTL.  Otherwise the TLB keeps the old translations
 * after the PTL is dropped: another CPU can see pte_none and fault a new
 * page while a TLB still maps the old one, until tlb_finish_mmu().  A
 * device-private page is put at once, under the PTL, as
 * zap_nonpresent_ptes() does.  The caller brackets it with the mmu notifier
 * and finishes the gather after the notifier's end.
 */
static void zap_pte_range(struct mmu_gather *tlb, struct hs_mm *mm, unsigned long start,
			  unsigned long end)
{
	for (unsigned long base = start; base < end;) {
		unsigned long stop = (base | (HS_PMD_SIZE - 1)) + 1, a;
		bool force_flush = false;
		if (stop > end)
			stop = end;
		if (!pte_table(mm, base)) {
			base = stop;
			continue;
		}
		sim_spinlock_t *ptl = hs_pte_lockptr(mm, base);
		sim_spin_lock(ptl);
		if (mm->has_huge && zap_huge(tlb, mm, base, stop)) {
			sim_spin_unlock(ptl);
			base = stop;
			continue;
		}
		for (a = base; a < stop; a += HS_PAGE_SIZE) {
			sim_atomic_t *ptep = hs_pte_offset(mm, a);
			if (hs_pte_none(hs_ptep_get(ptep)))
				continue;
			hs_pte_t pte = hs_ptep_get_and_clear(mm, a, ptep);
			struct hs_page *page;
			bool delay_rmap = false;
			/* the data is discarded (an oracle field: atomic, as in
			 * hs_mm_note_write(), for the real-threads backend) */
			hs_mm_shadow_forget(mm, a);
			switch (hs_swp_type(pte)) {
			case HS_SWP_NONE: /* present: a TLB may cache it (tlb_remove_tlb_entry) */
				if (a < tlb->start)
					tlb->start = a;
				if (a + HS_PAGE_SIZE > tlb->end)
					tlb->end = a + HS_PAGE_SIZE;
				if (hs_is_zero_pfn(hs_pte_pfn(pte)))
					break;
				page = hs_pfn_to_page(hs_pte_pfn(pte));
				hs_page_check(page, hs_pte_gen(pte), "zap_pte_range");
				if (hs_pte_dirty(pte)) {
					hs_set_page_dirty(page);
					/* a shared page's rmap must outlive the TLB
					 * entries (folio_mkclean() relies on it) */
					if (!hs_is_zone_device_page(page) &&
					    !sim_bits_load(&page->flags, 1ul << HS_PG_ANON,
							   SIM_RELAXED))
						delay_rmap = force_flush = true;
				}
				if (!delay_rmap)
					hs_page_remove_rmap(page);
				tlb->pages[tlb->nr] = page;
				tlb->delay_rmap[tlb->nr++] = delay_rmap;
				break;
			case HS_SWP_DEVICE_PRIVATE:
			case HS_SWP_DEVICE_EXCLUSIVE:
				page = hs_pfn_to_page(hs_pte_pfn(pte));
				hs_page_check(page, hs_pte_gen(pte), "zap_pte_range");
				hs_page_remove_rmap(page);
				hs_put_page(page);
				break;
			case HS_SWP_SWAP:
				hs_swap_free(mm, hs_pte_pfn(pte));
				break;
			case HS_SWP_MIGRATION:
				break; /* the migration holds the page; it finds the pte gone */
			}
			if (tlb->nr == MMU_GATHER_PAGES) { /* force_break */
				force_flush = true;
				a += HS_PAGE_SIZE;
				break;
			}
		}
		/* the forced flush happens before the PTL is dropped */
		if (force_flush) {
			tlb_flush_mmu_tlbonly(tlb);
			tlb_flush_rmaps(tlb);
		}
		sim_spin_unlock(ptl);
		if (force_flush)
			tlb_flush_mmu(tlb);
		base = a;
	}
}

static void zap_notified(struct hs_mm *mm, unsigned long start, unsigned long end,
			 enum hs_mmu_notifier_event ev)
{
	struct hs_mmu_notifier_range range;
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm);
	hs_mmu_notifier_range_init(&range, ev, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm, start, end,
				   NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	zap_pte_range(&tlb, mm, start, end);
	hs_mmu_notifier_invalidate_range_end(&range);
	tlb_finish_mmu(&tlb);
}

/**
 * hs_zap_vma_nonblock() - __oom_reap_task_mm()'s unmap of one VMA.
 * @mm: the address space; the caller holds mmap_lock for read
 * @start: the VMA's start
 * @end: its end
 *
 * tlb_gather_mmu(), a non-blocking MMU_NOTIFY_UNMAP invalidation of
 * [@start, @end) (mmu_notifier_invalidate_range_start_nonblock()), then
 * unmap_page_range() with no zap_details: every entry goes, device-private
 * ones too, as munmap's; then the range's end and tlb_finish_mmu().  When a
 * notifier refuses, the range was already ended and nothing is unmapped.
 *
 * Return: 0, or -EAGAIN when a notifier refused the range.
 */
int hs_zap_vma_nonblock(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	struct hs_mmu_notifier_range range;
	struct mmu_gather tlb;

	sim_assert_held(&mm->mmap_lock);
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_UNMAP, 0, mm, start, end, NULL);
	tlb_gather_mmu(&tlb, mm);
	if (hs_mmu_notifier_invalidate_range_start_nonblock(&range)) {
		tlb_finish_mmu(&tlb);
		return -EAGAIN;
	}
	zap_pte_range(&tlb, mm, start, end);
	hs_mmu_notifier_invalidate_range_end(&range);
	tlb_finish_mmu(&tlb);
	return 0;
}

/**
 * hs_munmap() - munmap() / do_vmi_munmap(): unmap, then remove the VMA parts.
 * @mm: the address space
 * @start: first address
 * @len: length
 *
 * Invalidates the range (MMU_NOTIFY_UNMAP) and zaps its ptes under mmap_lock
 * for write.
 *
 * Return: 0, -EINVAL (unaligned or outside the address space) or -ENOMEM (no
 * room to split a VMA).
 */
int hs_munmap(struct hs_mm *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len;
	if (!range_ok(mm, start, len))
		return -EINVAL;
	sim_down_write(&mm->mmap_lock);
	int ret = hs_do_munmap(mm, start, end);
	sim_up_write(&mm->mmap_lock);
	return ret;
}

/**
 * hs_do_munmap() - do_vmi_munmap() with mmap_lock held for write.
 * @mm: the address space
 * @start: first address
 * @end: the address after the range
 *
 * Return: 0 or -ENOMEM (no room to split a VMA).
 */
int hs_do_munmap(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	if (hs_vma_split_range(mm, start, end))
		return -ENOMEM;
	zap_notified(mm, start, end, HS_MMU_NOTIFY_UNMAP);
	for (int i = 0; i < mm->nr_vmas;)
		if (mm->vmas[i].vm_start >= start && mm->vmas[i].vm_end <= end)
			vma_delete(mm, i);
		else
			i++;
	hs_free_pgtables(mm, start, end);
	return 0;
}

/**
 * hs_madvise_dontneed() - madvise(MADV_DONTNEED): zap the ptes, keep the VMAs.
 * @mm: the address space
 * @start: first address
 * @len: length
 *
 * Under mmap_lock for read, with MMU_NOTIFY_CLEAR.
 *
 * Return: 0, -EINVAL (unaligned or outside the address space) or -ENOMEM
 * (a page of the range has no VMA).
 */
int hs_madvise_dontneed(struct hs_mm *mm, unsigned long start, unsigned long len)
{
	if (!range_ok(mm, start, len))
		return -EINVAL;
	sim_down_read(&mm->mmap_lock);
	for (unsigned long a = start; a < start + len; a += HS_PAGE_SIZE)
		if (!hs_find_vma(mm, a)) {
			sim_up_read(&mm->mmap_lock);
			return -ENOMEM;
		}
	zap_notified(mm, start, start + len, HS_MMU_NOTIFY_CLEAR);
	sim_up_read(&mm->mmap_lock);
	return 0;
}

/*
 * vma_modify(): the VMAs of [@start, @end) become VMAs of their own, split
 * at both ends (vma_adjust_trans_huge() first, as __split_vma() does), so
 * madvise/mprotect can change their flags.  Simplified: the range must be
 * mapped throughout (the callers' -ENOMEM), checked before anything splits.
 * Caller holds mmap_lock for write.  Return: 0 or -ENOMEM.
 */
static int vma_modify(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	for (unsigned long a = start; a < end; a += HS_PAGE_SIZE)
		if (!hs_find_vma(mm, a))
			return -ENOMEM;
	hs_vma_adjust_trans_huge(mm, start, end);
	return vma_split_at(mm, start) || vma_split_at(mm, end) ? -ENOMEM : 0;
}

/**
 * hs_madvise_hugepage() - madvise(MADV_HUGEPAGE): VM_HUGEPAGE on a range.
 * @mm: the address space
 * @start: first address
 * @len: length
 *
 * madvise_update_vma(): the VMAs are split at the range's ends and get
 * HS_VM_HUGEPAGE, under mmap_lock for write; later faults of PMD-aligned
 * parts get THPs (model/huge_memory.c).  Nothing already mapped changes
 * (no khugepaged).
 *
 * Return: 0, -EINVAL (bad range) or -ENOMEM (a page without a VMA, or no
 * room to split one).
 */
int hs_madvise_hugepage(struct hs_mm *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len;
	if (!range_ok(mm, start, len))
		return -EINVAL;
	sim_down_write(&mm->mmap_lock);
	if (vma_modify(mm, start, end)) {
		sim_up_write(&mm->mmap_lock);
		return -ENOMEM;
	}
	for (int i = 0; i < mm->nr_vmas; i++)
		if (mm->vmas[i].vm_start >= start && mm->vmas[i].vm_end <= end &&
		    (mm->vmas[i].vm_flags & HS_VM_ANON))
			mm->vmas[i].vm_flags |= HS_VM_HUGEPAGE;
	mm->has_huge = true;
	sim_up_write(&mm->mmap_lock);
	return 0;
}

/**
 * hs_madvise_free() - madvise(MADV_FREE), minimally.
 * @mm: the address space
 * @start: first address
 * @len: length
 *
 * madvise_free_single_vma() under mmap_lock for read, inside an
 * MMU_NOTIFY_CLEAR invalidation: a huge PMD the range covers only in part
 * is split; swap entries are freed and cleared (their data discarded, as
 * the kernel's free_swap_and_cache()); device-private and migration
 * entries are left alone, as madvise_free_pte_range() does.  Present pages
 * are not marked lazily freeable: the model has no reclaim of clean
 * anonymous pages, so they keep their data and mapping.
 *
 * Return: 0, -EINVAL (bad range) or -ENOMEM (a page without a VMA).
 */
int hs_madvise_free(struct hs_mm *mm, unsigned long start, unsigned long len)
{
	struct hs_mmu_notifier_range range;
	unsigned long end = start + len;

	if (!range_ok(mm, start, len))
		return -EINVAL;
	sim_down_read(&mm->mmap_lock);
	for (unsigned long a = start; a < end; a += HS_PAGE_SIZE)
		if (!hs_find_vma(mm, a)) {
			sim_up_read(&mm->mmap_lock);
			return -ENOMEM;
		}
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   start, end, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	for (unsigned long base = start, stop; base < end; base = stop) {
		sim_spinlock_t *ptl = hs_pte_lockptr(mm, base);
		stop = (base | (HS_PMD_SIZE - 1)) + 1;
		if (stop > end)
			stop = end;
		sim_spin_lock(ptl);
		if (mm->has_huge && (base & (HS_PMD_SIZE - 1) || stop - base != HS_PMD_SIZE))
			hs_split_huge_pmd_locked(mm, base);
		for (unsigned long a = base; a < stop; a += HS_PAGE_SIZE) {
			sim_atomic_t *ptep = hs_pte_offset(mm, a);
			hs_pte_t pte = hs_ptep_get(ptep);
			if (hs_swp_type(pte) != HS_SWP_SWAP)
				continue;
			hs_ptep_get_and_clear(mm, a, ptep);
			hs_swap_free(mm, hs_pte_pfn(pte));
			hs_mm_shadow_forget(mm, a);
		}
		sim_spin_unlock(ptl);
	}
	hs_mmu_notifier_invalidate_range_end(&range);
	sim_up_read(&mm->mmap_lock);
	return 0;
}

/*
 * pte_modify() of a present pte to the VMA's vm_page_prot, and the
 * MM_CP_TRY_CHANGE_WRITABLE upgrade of change_pte_range(): no access at all
 * is a protnone pte; readable drops the write bit (private mappings are
 * write-protected for COW) unless can_change_pte_writable(): an exclusive
 * anonymous page (one fork() did not share, HS_PG_ANON_SHARED; no KSM) in a
 * private writable VMA, or any page of a writable shared (shmem) VMA, which
 * needs no write notification.  Dirty and young bits stay.
 */
static hs_pte_t pte_modify(hs_pte_t pte, unsigned int vm_flags)
{
	pte &= ~(HS_PTE_WRITE | HS_PTE_PROTNONE);
	if (!(vm_flags & (HS_VM_READ | HS_VM_WRITE)))
		return pte | HS_PTE_PROTNONE;
	if (!(vm_flags & HS_VM_WRITE) || hs_is_zero_pfn(hs_pte_pfn(pte)))
		return pte;
	if (!(vm_flags & HS_VM_SHARED) &&
	    sim_bits_load(&hs_pfn_to_page(hs_pte_pfn(pte))->flags,
			  1ul << HS_PG_ANON | 1ul << HS_PG_ANON_SHARED,
			  SIM_RELAXED) != 1ul << HS_PG_ANON)
		return pte;
	return pte | HS_PTE_WRITE;
}

/*
 * change_protection() -> change_pte_range() over one VMA whose flags just
 * changed, inside one MMU_NOTIFY_PROTECTION_VMA invalidation (the kernel's
 * change_pmd_range() starts it at the first populated PMD): under each
 * table's PTL every present pte is replaced through ptep_modify_prot_start()
 * (an atomic clear, so a hardware dirty-bit update is not lost) and
 * pte_modify(); writable migration and device-private entries become
 * readable whatever the new protection, as the kernel's do (a later fault
 * asks for write again).  The TLB is not flushed here: the caller flushes
 * once after the notifier's end (tlb_finish_mmu() in do_mprotect_pkey()).
 * Return: whether a pte lost permissions a TLB may still grant
 * (pte_needs_flush()).
 */
static bool change_protection(struct hs_vm_area_struct *vma)
{
	struct hs_mm *mm = vma->vm_mm;
	struct hs_mmu_notifier_range range;
	bool flush = false;

	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_PROTECTION_VMA,
				   HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm, vma->vm_start, vma->vm_end,
				   NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	for (unsigned long base = vma->vm_start, stop; base < vma->vm_end; base = stop) {
		sim_spinlock_t *ptl = hs_pte_lockptr(mm, base);
		stop = (base | (HS_PMD_SIZE - 1)) + 1;
		if (stop > vma->vm_end)
			stop = vma->vm_end;
		sim_spin_lock(ptl);
		bool huge_flush = false;
		if (mm->has_huge && hs_change_huge_pmd(vma, base, &huge_flush)) {
			flush |= huge_flush;
			sim_spin_unlock(ptl);
			continue;
		}
		for (unsigned long a = base; a < stop; a += HS_PAGE_SIZE) {
			sim_atomic_t *ptep = hs_pte_offset(mm, a);
			hs_pte_t pte = hs_ptep_get(ptep), new;
			if (hs_pte_present(pte)) {
				pte = hs_ptep_get_and_clear(mm, a, ptep);
				new = pte_modify(pte, vma->vm_flags);
				hs_set_pte_at(mm, a, ptep, new);
				/* x86: a lost write, or no access at all */
				flush |= (hs_pte_write(pte) && !hs_pte_write(new)) ||
					 (!hs_pte_protnone(pte) && hs_pte_protnone(new));
			} else if ((hs_is_device_private_entry(pte) ||
				    hs_is_migration_entry(pte)) &&
				   hs_is_writable_swp_entry(pte)) {
				hs_set_pte_at(mm, a, ptep, pte & ~HS_SWP_WRITE);
			}
		}
		sim_spin_unlock(ptl);
	}
	hs_mmu_notifier_invalidate_range_end(&range);
	return flush;
}

/**
 * hs_mprotect() - mprotect(): new read/write permissions for a range.
 * @mm: the address space
 * @start: first address
 * @len: length
 * @prot: HS_VM_READ and/or HS_VM_WRITE
 *
 * do_mprotect_pkey(): split the VMAs at the range's ends, and for each whose
 * flags change (mprotect_fixup()) set them and change_protection(); one TLB
 * flush at the end (the mmu_gather's tlb_finish_mmu()), after every
 * notifier's end.
 *
 * Return: 0, -EINVAL (bad range or @prot) or -ENOMEM (a page without a VMA,
 * or no room to split one).
 */
int hs_mprotect(struct hs_mm *mm, unsigned long start, unsigned long len, unsigned int prot)
{
	unsigned long end = start + len;
	bool flush = false;

	if (!range_ok(mm, start, len) || (prot & ~(HS_VM_READ | HS_VM_WRITE)))
		return -EINVAL;
	sim_down_write(&mm->mmap_lock);
	if (vma_modify(mm, start, end)) {
		sim_up_write(&mm->mmap_lock);
		return -ENOMEM;
	}
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct hs_vm_area_struct *vma = &mm->vmas[i];
		unsigned int newflags = (vma->vm_flags & ~(HS_VM_READ | HS_VM_WRITE)) | prot;
		if (vma->vm_start < start || vma->vm_end > end || newflags == vma->vm_flags)
			continue;
		HS_NOTE_WRITE(mm->vmas); /* for hs_rmap_vma_flags() */
		vma->vm_flags = newflags;
		flush |= change_protection(vma);
	}
	if (flush)
		hs_flush_tlb_range(mm, start, end);
	sim_up_write(&mm->mmap_lock);
	return 0;
}

/**
 * hs_swap_out() - reclaim the anonymous page mapped at @addr.
 * @mm: the address space
 * @addr: the address
 *
 * Reclaim one anonymous page (shrink_folio_list() -> try_to_unmap_one() ->
 * add_to_swap()): lock it, unmap it under the notifier (MMU_NOTIFY_CLEAR),
 * give up if anyone else holds a reference, else write it to a swap slot and
 * leave a swap entry.
 *
 * Return: 0, or -EBUSY when it cannot (not a present RAM page, being freed,
 * locked, or referenced by someone else).
 */
int hs_swap_out(struct hs_mm *mm, unsigned long addr)
{
	struct hs_mmu_notifier_range range;
	int ret = -EBUSY;

	sim_down_read(&mm->mmap_lock);
	if (mm->has_huge && hs_find_vma(mm, addr)) /* shrink_folio_list(): split_folio_to_list() */
		hs_split_huge_pmd(hs_find_vma(mm, addr), addr);
	sim_atomic_t *ptep = hs_find_vma(mm, addr) ? hs_pte_offset(mm, addr) : NULL;
	hs_pte_t pte = ptep ? hs_ptep_get(ptep) : 0;
	if (!hs_pte_present(pte) || hs_is_zero_pfn(hs_pte_pfn(pte))) {
		sim_up_read(&mm->mmap_lock);
		return -EBUSY;
	}
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte));
	if (!hs_get_page_unless_zero(page)) {
		sim_up_read(&mm->mmap_lock);
		return -EBUSY;
	}
	if (hs_is_zone_device_page(page) || !hs_trylock_page(page)) {
		hs_put_page(page);
		sim_up_read(&mm->mmap_lock);
		return -EBUSY;
	}
	/* add_to_swap(), unless the page is in the swap cache already */
	unsigned long slot = HS_NOTED(page->swap_slot);
	bool cached = slot != 0;
	sim_spin_lock(&mm->swap.lock);
	for (unsigned long s = 1; s <= mm->swap.nr_slots && !slot; s++)
		if (!HS_NOTED(mm->swap.used[s]))
			slot = s;
	if (slot)
		HS_NOTED_SET(mm->swap.used[slot], true);
	sim_spin_unlock(&mm->swap.lock);
	if (!slot)
		goto out_unlock;

	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   addr, addr + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, addr);
	sim_spin_lock(ptl);
	hs_pte_t cur = hs_ptep_get(ptep);
	/* the mapping's reference and ours, nothing else (no pin) */
	if (cur != pte && !(hs_pte_present(cur) && hs_pte_pfn(cur) == hs_pte_pfn(pte))) {
		sim_spin_unlock(ptl);
		hs_mmu_notifier_invalidate_range_end(&range);
		if (!cached)
			hs_swap_free(mm, slot);
		goto out_unlock;
	}
	cur = hs_ptep_get_and_clear(mm, addr, ptep);
	hs_flush_tlb_range(mm, addr, addr + HS_PAGE_SIZE);
	if (hs_page_ref_count(page) != 2) {
		hs_set_pte_at(mm, addr, ptep, cur); /* pinned: restore */
		sim_spin_unlock(ptl);
		hs_mmu_notifier_invalidate_range_end(&range);
		if (!cached)
			hs_swap_free(mm, slot);
		goto out_unlock;
	}
	if (hs_pte_dirty(cur))
		hs_set_page_dirty(page);
	/* pageout() writes a dirty page; a clean one in the swap cache already
	 * has its data in the slot */
	if (!cached || hs_page_dirty(page))
		HS_NOTED_SET(mm->swap.slot[slot], hs_page_read(page));
	HS_NOTED_SET(page->swap_slot, 0); /* the swap pte owns the slot now */
	HS_NOTED_SET(page->private, 0);
	hs_set_pte_at(mm, addr, ptep, hs_mk_swp_pte(HS_SWP_SWAP, slot, 0));
	hs_page_remove_rmap(page);
	sim_spin_unlock(ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
	if (sim_tracing())
		sim_event("swap_out %#lx: pfn %#lx -> slot %lu", addr, hs_page_to_pfn(page), slot);
	hs_put_page(page); /* the mapping's reference */
	ret = 0;
out_unlock:
	hs_unlock_page(page);
	hs_put_page(page);
	sim_up_read(&mm->mmap_lock);
	return ret;
}

/**
 * hs_mmget() - mmget(): one more user of @mm.
 * @mm: the address space
 */
void hs_mmget(struct hs_mm *mm)
{
	sim_atomic_inc(&mm->users);
}

/*
 * exit_mmap() (mm/mmap.c, read in v6.12): the last user is gone.
 *
 *  1. mmu_notifier_release(), with no lock held: every interval notifier
 *     gets one blockable MMU_NOTIFY_RELEASE invalidation over
 *     [0, ULONG_MAX), and nothing is unmapped in it (mn_itree_release());
 *  2. under mmap_lock for read, unmap_vmas(): one blockable
 *     MMU_NOTIFY_UNMAP invalidation over [0, ULONG_MAX) around the zap of
 *     every VMA, the pages left in the gather;
 *  3. MMF_OOM_SKIP (the OOM reaper leaves the mm alone from now on), then
 *     under mmap_lock for write free_pgtables() and tlb_finish_mmu(): the
 *     TLB flush and the frees of the zapped pages, then remove_vma() of each
 *     VMA.
 *
 * A driver may ignore RELEASE (amdkfd's svm_range_cpu_invalidate_pagetables()
 * returns at once for it) and drop its mappings in the UNMAP that follows,
 * before any page is freed.  Simplified: the zap walks [0, va_size) table by
 * table rather than VMA by VMA (no pte is set outside a VMA); no
 * free_pgtables() (the model never frees a PTE table); the gather is
 * munmap's, not a full-mm one (the same forced flushes under the PTL); the
 * classic hlist notifiers' ->release is not modelled.
 */
static void exit_mmap(struct hs_mm *mm)
{
	struct hs_mmu_notifier_range range;
	struct mmu_gather tlb;

	hs_mmu_notifier_release(mm);

	sim_down_read(&mm->mmap_lock);
	tlb_gather_mmu(&tlb, mm);
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_UNMAP, 0, mm, 0, ~0ul, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	zap_pte_range(&tlb, mm, 0, mm->va_size);
	hs_mmu_notifier_invalidate_range_end(&range);
	sim_up_read(&mm->mmap_lock);

	sim_bits_set(&mm->flags, HS_MMF_OOM_SKIP, SIM_RELAXED);
	sim_down_write(&mm->mmap_lock);
	tlb_finish_mmu(&tlb);
	mm->nr_vmas = 0;
	sim_up_write(&mm->mmap_lock);
}

/**
 * hs_mmput() - mmput(): drop a user; the last one tears the address space down.
 * @mm: the address space
 *
 * The last user's put runs exit_mmap() (above): RELEASE, then UNMAP around
 * the zap, then the frees.
 */
void hs_mmput(struct hs_mm *mm)
{
	if (!sim_atomic_dec_and_test(&mm->users))
		return;
	exit_mmap(mm);
}
