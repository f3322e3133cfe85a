/* SPDX-License-Identifier: MIT */
/*
 * Model of an address space: mm_struct, VMAs, the page table with its split
 * locks, the TLB, page faults and the operations that change mappings
 * (include/linux/mm_types.h, mm/memory.c, mm/mmap.c, mm/mprotect.c,
 * mm/madvise.c, mm/vmscan.c).  Baseline Linux v6.18 behaviour; docs/fidelity.md lists
 * what is simplified.
 *
 * Page table: one level of PTE tables (512 entries, each table with its own
 * spinlock: the split PTL) under a flat PMD array; each table carries the
 * word of its PMD entry, a huge (THP) leaf or 0 (model/huge_memory.c).  PTE
 * tables are allocated when a VMA is created, so pmd population races are
 * not modelled.  A PTE is
 * an atomic word (ptep_get / set_pte_at / ptep_get_and_clear); besides the
 * pfn and flags it carries the generation of the page it maps, so a PTE that
 * outlives its page is caught as a use-after-free.
 *
 * TLB: each CPU (simulated thread, modulo HS_NR_CPUS) caches translations;
 * a CPU access that hits its TLB does not look at the page table.  Only
 * flush_tlb_range() drops entries, so a flush done too late is observable.
 */
#ifndef HMMSIM_MM_H
#define HMMSIM_MM_H

#include <hmmsim/mmu_notifier.h>
#include <hmmsim/page.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- PTEs ------------------------------------------------------------------- */

typedef uint64_t hs_pte_t;

#define HS_PTE_PRESENT (1ull << 0)
#define HS_PTE_WRITE   (1ull << 1)
#define HS_PTE_DIRTY   (1ull << 2)
#define HS_PTE_YOUNG   (1ull << 3)
#define HS_PTE_SPECIAL (1ull << 4)
/* non-present entries: a swap entry type in bits 5..7 */
#define HS_SWP_TYPE_SHIFT 5
#define HS_SWP_TYPE_MASK  (7ull << HS_SWP_TYPE_SHIFT)
enum hs_swp_type {
	HS_SWP_NONE = 0,	   /* not a swap entry */
	HS_SWP_SWAP = 1,	   /* swapped out: offset is the swap slot */
	HS_SWP_DEVICE_PRIVATE = 2, /* offset is a device-private pfn */
	HS_SWP_MIGRATION = 3,	   /* offset is the pfn under migration */
	HS_SWP_DEVICE_EXCLUSIVE = 4,
};
#define HS_SWP_WRITE (1ull << 8) /* writable device-private / migration entry */
#define HS_SWP_DIRTY (1ull << 9) /* migration entry of a dirty pte */
#define HS_SWP_YOUNG (1ull << 10)
/* a present pte that grants the hardware no access (PAGE_NONE: PROT_NONE):
 * pte_present() for the kernel, pte_protnone(); never in a TLB */
#define HS_PTE_PROTNONE	 (1ull << 11)
#define HS_PTE_PFN_SHIFT 12
#define HS_PTE_PFN_MASK	 (((1ull << 32) - 1) << HS_PTE_PFN_SHIFT)
#define HS_PTE_GEN_SHIFT 44
#define HS_PTE_GEN_MASK	 ((1ull << 20) - 1)

static inline bool hs_pte_none(hs_pte_t pte)
{
	return pte == 0;
}
static inline bool hs_pte_present(hs_pte_t pte)
{
	return pte & HS_PTE_PRESENT;
}
static inline bool hs_pte_protnone(hs_pte_t pte)
{
	return hs_pte_present(pte) && (pte & HS_PTE_PROTNONE);
}
static inline bool hs_pte_write(hs_pte_t pte)
{
	return pte & HS_PTE_WRITE;
}
static inline bool hs_pte_dirty(hs_pte_t pte)
{
	return pte & HS_PTE_DIRTY;
}
/* pte_pfn() of a present pte, swp_offset() of a swap entry */
static inline unsigned long hs_pte_pfn(hs_pte_t pte)
{
	return (unsigned long)((pte & HS_PTE_PFN_MASK) >> HS_PTE_PFN_SHIFT);
}
static inline uint32_t hs_pte_gen(hs_pte_t pte)
{
	return (uint32_t)(pte >> HS_PTE_GEN_SHIFT);
}
static inline enum hs_swp_type hs_swp_type(hs_pte_t pte)
{
	return hs_pte_present(pte)
		   ? HS_SWP_NONE
		   : (enum hs_swp_type)((pte & HS_SWP_TYPE_MASK) >> HS_SWP_TYPE_SHIFT);
}
static inline bool hs_is_device_private_entry(hs_pte_t pte)
{
	return hs_swp_type(pte) == HS_SWP_DEVICE_PRIVATE;
}
static inline bool hs_is_migration_entry(hs_pte_t pte)
{
	return hs_swp_type(pte) == HS_SWP_MIGRATION;
}
static inline bool hs_is_writable_swp_entry(hs_pte_t pte)
{
	return pte & HS_SWP_WRITE;
}
/* "pfn 0x12 write", "swap slot 3", "device-private pfn 0x41", "none": for reports. */
const char *hs_pte_describe(hs_pte_t pte, char *buf, size_t len);
/* mk_pte(): a present pte for @pfn (its page's current generation). */
hs_pte_t hs_mk_pte(unsigned long pfn, uint64_t flags);
/* swp_entry_to_pte(): a non-present entry of @type for @offset. */
hs_pte_t hs_mk_swp_pte(enum hs_swp_type type, unsigned long offset, uint64_t flags);

/* ---- VMAs ------------------------------------------------------------------- */

#define HS_VM_READ     0x1u
#define HS_VM_WRITE    0x2u
#define HS_VM_SHARED   0x8u
#define HS_VM_IO       0x4000u
#define HS_VM_PFNMAP   0x400u
#define HS_VM_MIXEDMAP 0x10000000u
/* madvise(MADV_HUGEPAGE): PMD-aligned parts of the VMA get a THP on first
 * fault (model/huge_memory.c) */
#define HS_VM_HUGEPAGE 0x20000000u
#define HS_VM_ANON     0x80000000u /* model: anonymous memory (vma_is_anonymous) */

struct hs_mm;

struct hs_vm_area_struct {
	unsigned long vm_start, vm_end;
	unsigned int vm_flags;
	struct hs_mm *vm_mm;
};

/* ---- the address space ------------------------------------------------------- */

#define HS_PTRS_PER_PTE 512
#define HS_PMD_SIZE	(HS_PAGE_SIZE * HS_PTRS_PER_PTE)
#define HS_MAX_VMAS	32
#define HS_NR_CPUS	8
#define HS_TLB_ENTRIES	16

/*
 * A PTE table and the PMD entry above it (model/huge_memory.c).  @pmd is 0
 * while the PMD points to this table, else a leaf: a huge (THP) mapping in
 * the pte encoding (pfn of the folio's first page), whose ptes stay none.
 * @populated: some pte was ever set (the model's !pmd_none(): tables are
 * never freed), a plain field written and read under @ptl, which is also
 * the pmd lock (pmd_lock()); each access is noted for dpor (model/mm.c).
 */
struct hs_pte_table {
	sim_spinlock_t ptl;
	sim_atomic_t pte[HS_PTRS_PER_PTE];
	sim_atomic_t pmd;
	bool populated;
};

/* A swap device: slots hold the content of swapped-out pages. */
struct hs_swap {
	sim_spinlock_t lock;
	unsigned long *slot; /* content words */
	bool *used;
	unsigned long nr_slots;
};

/**
 * struct hs_mm - mm_struct.
 * @mmap_lock:	the mmap_lock rwsem
 * @page_table_lock: protects VMA-independent page-table bookkeeping
 * @vmas:	sorted, non-overlapping; changed under mmap_lock for write
 * @nr_vmas:	entries of @vmas in use
 * @va_size:	the virtual address space is [0, @va_size)
 * @pmd:	PTE tables, one per HS_PMD_SIZE of virtual space
 * @notifier_subscriptions: the mmu notifier state of this mm
 * @tlb:	per-CPU TLBs, one word per entry (model/mm.c)
 * @tlb_gen:	mm->context.tlb_gen: bumped by every flush
 * @tlb_flush_pending: mm->tlb_flush_pending: mmu_gathers between clearing
 *		ptes and their flush.  Only the data oracle reads it (no
 *		scheduling point): a store through a stale TLB entry meanwhile
 *		races with that unmap, and the unmap may discard it
 * @swap:	the swap device of this mm's anonymous pages
 * @users:	mm_users; exit_mmap runs when it drops to zero
 * @flags:	mm->flags: only MMF_OOM_SKIP (HS_MMF_OOM_SKIP), set without a
 *		lock by exit_mmap() and the OOM reaper, which tests it under
 *		mmap_lock for read (model/oom_kill.c)
 * @name:	for reports
 * @shadow:	the data oracle: the last value anyone (CPU or device) wrote at
 *		each virtual page, updated in the same step as the write itself;
 *		a zap (munmap, MADV_DONTNEED) resets it to 0, what a new page reads
 * @shadow_shared: per virtual page, nonzero when the page is one of a
 *		shared VMA that fork() shared with relatives: its record is
 *		then in @shadow_root's @shadow_family, which they all write
 *		(hs_mm_shadow())
 * @shadow_family: the records of those pages (used in the family's root)
 * @shadow_root: the first mm of the fork family (NULL: this one)
 * @has_huge:	some VMA was ever HS_VM_HUGEPAGE (set under mmap_lock for
 *		write, never cleared): only then do the walkers read the PMD
 *		words, so an mm without THP runs the PTE paths unchanged
 */
struct hs_mm {
	sim_rwsem_t mmap_lock;
	sim_spinlock_t page_table_lock;
	struct hs_vm_area_struct vmas[HS_MAX_VMAS];
	int nr_vmas;
	unsigned long va_size;
	struct hs_pte_table **pmd;
	struct hs_mmu_notifier_subscriptions notifier_subscriptions;
	uint64_t tlb[HS_NR_CPUS][HS_TLB_ENTRIES];
	sim_atomic_t tlb_gen;
	int tlb_flush_pending;
	struct hs_swap swap;
	sim_atomic_t users;
	sim_bits_t flags;
	const char *name;
	unsigned long *shadow;
	unsigned long *shadow_shared;
	unsigned long *shadow_family;
	struct hs_mm *shadow_root;
	bool has_huge;
};

/* mm_alloc(): an address space covering [0, @va_size) with @swap_slots. */
struct hs_mm *hs_mm_alloc(const char *name, unsigned long va_size, unsigned long swap_slots);

/* find_vma(): the VMA containing @addr, or NULL.  Needs mmap_lock. */
struct hs_vm_area_struct *hs_find_vma(struct hs_mm *mm, unsigned long addr);
/* The PTE word of @addr (NULL outside every PTE table). */
sim_atomic_t *hs_pte_offset(struct hs_mm *mm, unsigned long addr);
sim_spinlock_t *hs_pte_lockptr(struct hs_mm *mm, unsigned long addr);

/* ptep_get(): a marked read of the pte (no lock). */
hs_pte_t hs_ptep_get(sim_atomic_t *ptep);
/* The same for a reader that never looks at the dirty bit and never writes
 * the value back (hmm's walk): it commutes with the hardware setting that
 * bit (hs_pte_set_dirty_hw()). */
hs_pte_t hs_ptep_get_nodirty(sim_atomic_t *ptep);
/* The hardware's dirty-bit update of a clean writable @pte at @ptep: false
 * when the entry changed meanwhile. */
bool hs_pte_set_dirty_hw(sim_atomic_t *ptep, hs_pte_t pte);
/* dpor's object for the dirty bit of the pte (or PMD) word @ptep. */
static inline const void *hs_pte_dirty_part(const sim_atomic_t *ptep)
{
	return (const char *)ptep + 1;
}
/* set_pte_at() / ptep_get_and_clear(): the PTL must be held. */
void hs_set_pte_at(struct hs_mm *mm, unsigned long addr, sim_atomic_t *ptep, hs_pte_t pte);
hs_pte_t hs_ptep_get_and_clear(struct hs_mm *mm, unsigned long addr, sim_atomic_t *ptep);
/* flush_tlb_range(): drop every CPU's cached translations of [start, end). */
void hs_flush_tlb_range(struct hs_mm *mm, unsigned long start, unsigned long end);

/* ---- operations: each takes mmap_lock itself ------------------------------------ */

/* mmap(): a new VMA [start, start+len), anonymous unless flags say PFNMAP/IO. */
int hs_mmap(struct hs_mm *mm, unsigned long start, unsigned long len, unsigned int vm_flags);
/* munmap(): invalidate (MMU_NOTIFY_UNMAP), zap the ptes, drop the VMA part. */
int hs_munmap(struct hs_mm *mm, unsigned long start, unsigned long len);
/* mprotect(): new read/write flags (MMU_NOTIFY_PROTECTION_VMA). */
int hs_mprotect(struct hs_mm *mm, unsigned long start, unsigned long len, unsigned int prot);
/* madvise(MADV_DONTNEED): zap the ptes, keep the VMA (MMU_NOTIFY_CLEAR). */
int hs_madvise_dontneed(struct hs_mm *mm, unsigned long start, unsigned long len);
/* madvise(MADV_HUGEPAGE): later faults of PMD-aligned parts get THPs. */
int hs_madvise_hugepage(struct hs_mm *mm, unsigned long start, unsigned long len);
/* madvise(MADV_FREE): swap entries freed; present pages keep their data
 * (no lazy-free reclaim in the model). */
int hs_madvise_free(struct hs_mm *mm, unsigned long start, unsigned long len);
/* mremap() flags (include/uapi/linux/mman.h) */
#define HS_MREMAP_MAYMOVE   1u
#define HS_MREMAP_FIXED	    2u
#define HS_MREMAP_DONTUNMAP 4u
/* mremap(@old, @len, @len, MAYMOVE | FIXED [| DONTUNMAP], @new): move the
 * mapping (model/mremap.c); MMU_NOTIFY_UNMAP on the old range. */
int hs_mremap(struct hs_mm *mm, unsigned long old, unsigned long len, unsigned long new,
	      unsigned int flags);
/* Reclaim one page: unmap (MMU_NOTIFY_CLEAR), write it to a swap slot,
 * leave a swap entry, free the page.  -EBUSY when it cannot (locked, pinned,
 * not a RAM page). */
int hs_swap_out(struct hs_mm *mm, unsigned long addr);
/* mmput(): the last user tears the address space down (exit_mmap():
 * MMU_NOTIFY_RELEASE with nothing unmapped, then MMU_NOTIFY_UNMAP around the
 * zap). */
void hs_mmput(struct hs_mm *mm);
void hs_mmget(struct hs_mm *mm);
/* mm->flags: exit_mmap() unmapped the mm, or the OOM reaper is done with it. */
#define HS_MMF_OOM_SKIP (1ul << 21)
/* oom_reap_task(): the OOM reaper unmaps @mm's private VMAs, each under a
 * non-blocking MMU_NOTIFY_UNMAP, in at most 10 attempts (model/oom_kill.c).
 * Return: 0, or -EAGAIN when it gave up. */
int hs_oom_reap_task(struct hs_mm *mm);

/* ---- faults --------------------------------------------------------------------- */

#define HS_FAULT_FLAG_WRITE  0x01u
#define HS_FAULT_FLAG_REMOTE 0x80u

#define HS_VM_FAULT_OOM	    0x0001u
#define HS_VM_FAULT_SIGBUS  0x0002u
#define HS_VM_FAULT_SIGSEGV 0x0040u
#define HS_VM_FAULT_RETRY   0x0400u
#define HS_VM_FAULT_FALLBACK 0x0800u /* the PMD level gives up: go on with ptes */
#define HS_VM_FAULT_ERROR   (HS_VM_FAULT_OOM | HS_VM_FAULT_SIGBUS | HS_VM_FAULT_SIGSEGV)

/* struct vm_fault */
struct hs_vm_fault {
	struct hs_vm_area_struct *vma;
	unsigned long address;
	unsigned int flags;
	hs_pte_t orig_pte;
	sim_atomic_t *pte;
	sim_spinlock_t *ptl;
	struct hs_page *page;
};

/*
 * hs_handle_mm_fault() - handle_mm_fault(): make @addr present (writable if
 * FAULT_FLAG_WRITE).  Caller holds mmap_lock for read.  A device-private
 * entry goes through do_swap_page() to pgmap->ops->migrate_to_ram().
 * Return: 0 or HS_VM_FAULT_* bits.
 */
unsigned int hs_handle_mm_fault(struct hs_vm_area_struct *vma, unsigned long addr,
				unsigned int flags);

/* The data oracle: record a device write of @val at @addr (call it in the
 * same step as the write), and check at the end of an execution that every
 * mapped page of [start, end) reads back what was last written there. */
void hs_mm_note_write(struct hs_mm *mm, unsigned long addr, unsigned long val);
void hs_mm_check_data(struct hs_mm *mm, unsigned long start, unsigned long end);

/* ---- CPU accesses (a user thread touching memory) ------------------------------ */

/* Load/store one word at @addr as a CPU would: through its TLB, else the
 * page table, faulting as needed.  Return: 0, or -EFAULT (SIGSEGV/SIGBUS). */
int hs_cpu_read(struct hs_mm *mm, unsigned long addr, unsigned long *val);
int hs_cpu_write(struct hs_mm *mm, unsigned long addr, unsigned long val);

/* ---- fork, device-exclusive access, GUP (model/fork.c, rmap.c, gup.c) ------------ */

/* fork(): dup_mm() of @oldmm into a new address space (model/fork.c).
 * Return: 0, -EBUSY (a device-exclusive page locked) or -ENOMEM. */
int hs_dup_mm(struct hs_mm *oldmm, const char *name, struct hs_mm **newmm);

/* make_device_exclusive() (v6.15+ API): the page at @addr becomes a
 * device-exclusive entry; *@pagep is returned locked and referenced.
 * Caller holds mmap_lock.  Return: 0 or a negative errno (model/rmap.c). */
int hs_make_device_exclusive(struct hs_mm *mm, unsigned long addr, void *owner,
			     struct hs_page **pagep);

#define HS_FOLL_WRITE	 0x01u
#define HS_FOLL_GET	 0x04u
#define HS_FOLL_LONGTERM 0x100u
#define HS_FOLL_SPLIT_PMD 0x800u
#define HS_FOLL_PIN	 0x40000u
/* get_user_pages_remote(): caller holds mmap_lock.  Return: @nr_pages or -errno. */
long hs_get_user_pages_remote(struct hs_mm *mm, unsigned long start, unsigned long nr_pages,
			      unsigned int gup_flags, struct hs_page **pages);
/* pin_user_pages() with FOLL_PIN (plus FOLL_LONGTERM / FOLL_WRITE from
 * @gup_flags); takes mmap_lock.  Return: @nr_pages or -errno. */
long hs_pin_user_pages(struct hs_mm *mm, unsigned long start, unsigned long nr_pages,
		       unsigned int gup_flags, struct hs_page **pages);
void hs_unpin_user_pages(struct hs_page **pages, unsigned long nr_pages);
/* put_page() or unpin_user_page(), as @gup_flags grabbed the page */
void hs_unpin_user_page_flags(struct hs_page *page, unsigned int gup_flags);
/* folio_maybe_dma_pinned() */
bool hs_folio_maybe_dma_pinned(struct hs_page *page);

/* The calling thread runs on CPU @cpu (0 .. HS_NR_CPUS - 1): its new pages go
 * through that CPU's LRU batch, and work queued there waits while it runs
 * hmm_range_fault() without sleeping (model/swap.c).  Not a kernel function. */
void hs_set_cpu(int cpu);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_MM_H */
