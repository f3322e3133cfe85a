/* SPDX-License-Identifier: MIT */
/*
 * The kernel model's private declarations, as the kernel's mm/internal.h:
 * what the model files and the reference driver (model/drivers/) share and no
 * scenario or out-of-tree driver model should call.  include/hmmsim/ is the
 * public side.  The lab and the scenario interpreter do without it; a test
 * or a benchmark includes it only where it looks at the machine's internals
 * on purpose (tests/model/mm.c, tests/model/owner.c, bench/hmm_walk.c: the RAM free list).
 */
#ifndef HMMSIM_MODEL_INTERNAL_H
#define HMMSIM_MODEL_INTERNAL_H

#include <hmmsim/coverage.h>
#include <hmmsim/hmm.h>
#include <hmmsim/mm.h>
#include <hmmsim/owner.h>
#include <hmmsim/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- plain accesses that dpor sees ---------------------------------------------- */

/*
 * A plain C access of data a lock protects (or of a field that is otherwise
 * written with WRITE_ONCE), made visible to the dpor strategy without a
 * scheduling point (sim_note_access(), include/hmmsim/atomic.h): the schedules
 * of every strategy stay as they are, and a lock marked sim_spin_annotated()
 * or sim_mutex_annotated() may then let two of its sections commute when
 * their contents do not conflict.  @x is an lvalue evaluated twice: no side
 * effects.  A read followed by a write of the same field in the same section
 * needs only the write's note.
 */
#define HS_NOTED(x)	   (sim_note_access(&(x), false), (x))
#define HS_NOTED_SET(x, v) (sim_note_access(&(x), true), (x) = (v))
#define HS_NOTE_READ(x)	   sim_note_access(&(x), false)
#define HS_NOTE_WRITE(x)   sim_note_access(&(x), true)

/* ---- the machine (model/page.c) ------------------------------------------------ */

#define HS_MAX_PGMAPS 16

/**
 * struct hs_machine - the memory of one simulated machine (one per execution).
 * @pages:	every page, indexed by pfn
 * @nr_pages:	pfns in use (RAM plus device ranges)
 * @max_pages:	room in @pages
 * @nr_ram:	system RAM pages, pfn 0 is the zero page
 * @ram_lock:	protects the RAM free list (zone->lock)
 * @ram_free:	free RAM pfns, a stack
 * @nr_ram_free: entries of @ram_free
 * @pgmap_slots: registered pagemaps, RCU protected (the kernel's pgmap_array xarray)
 * @pgmap_lock: serialises memremap/memunmap
 * @page_wq:	the page wait queues (folio_waitqueue()), one per pfn
 * @anon_rmap:	per RAM pfn, the rmap record (struct hs_dev_rmap *) of a page
 *		fork() shared, NULL for one mapped once (model/rmap.c); beside
 *		the pages since a RAM page's ->private is the swap cache's
 * @owner_ids:	HS_OWNER_CLUSTER_ID: the id counter
 * @pte_walkers: oracle, no scheduling point: the threads (bit = sim_self())
 *		inside hmm_range_fault()'s lockless pte walk, i.e.
 *		pte_offset_map()'s RCU read-side section, which
 *		memunmap_pages()'s grace period waits for before the pagemap
 *		can be freed (see hs_pgmap_check())
 * @cpus:	the CPUs and their LRU batches (model/swap.c), NULL until a
 *		thread says which CPU it runs on
 */
struct hs_machine {
	struct hs_page *pages;
	unsigned long nr_pages, max_pages;
	unsigned long nr_ram;
	sim_spinlock_t ram_lock;
	unsigned long *ram_free;
	unsigned long nr_ram_free;
	struct hs_dev_pagemap *pgmap_slots[HS_MAX_PGMAPS];
	sim_mutex_t pgmap_lock;
	sim_waitqueue_t *page_wq;
	unsigned long *anon_rmap;
	sim_atomic_t owner_ids;
	unsigned long long pte_walkers;
	struct hs_cpus *cpus;
};

/*
 * The stale-pagemap oracle (not a kernel function): report HS_KIND_UAF
 * "pagemap used after memunmap_pages()" when @pgmap (if not NULL) was torn
 * down, naming @what.  Called where the model follows page->pgmap in its
 * hot paths (the owner test, hmm_range_fault()'s device-private handling,
 * migrate_vma_collect(), do_swap_page(), put_dev_pagemap() on the page_free
 * path, get_dev_pagemap()'s result).  A plain read of an oracle field: no
 * scheduling point, invisible to the race detector.  Not reported inside
 * hmm_range_fault()'s pte walk (hs_machine.pte_walkers): the kernel's walk
 * holds pte_offset_map()'s RCU read lock from the pte read to the pgmap use,
 * and memunmap_pages() (pgmap_array_delete()'s synchronize_rcu()) waits
 * for it before the struct can be freed; the model has no such section
 * (it would add scheduling points), so the oracle stands in for the wait.
 */
__attribute__((noreturn)) void hs_pgmap_use_after_free(const struct hs_dev_pagemap *pgmap,
						       const char *what);

/* A pagemap's reference count in percpu mode carries lib/percpu-refcount.c's
 * PERCPU_COUNT_BIAS (model/memremap.c); smaller: the count is a signed long. */
#define HS_PGMAP_REF_BIAS (1l << 40)

/* The stale-pagemap oracle, see hs_pgmap_use_after_free() above. */
static inline void hs_pgmap_check(const struct hs_dev_pagemap *pgmap, const char *what)
{
	if (pgmap && sim_noted_load_n(&pgmap->freed, __ATOMIC_RELAXED) &&
	    !(sim_noted_load_n(&hs_mach->pte_walkers, __ATOMIC_RELAXED) &
	      (1ull << (sim_self() & 63))))
		hs_pgmap_use_after_free(pgmap, what);
}

/* ---- faults (model/mm.c, model/migrate.c) ------------------------------------- */

/* The device-private part of do_swap_page(); in model/migrate.c. */
unsigned int hs_do_swap_page_device_private(struct hs_vm_fault *vmf);
/* migration_entry_wait(): sleep until the migration of @addr's page ends. */
void hs_migration_entry_wait(struct hs_mm *mm, unsigned long addr);
void hs_migration_entry_wait_on_locked(struct hs_page *page, sim_spinlock_t *ptl);
/* lockdep's __mmu_notifier_invalidate_range_start_map taken for an instant
 * (model/mmu_notifier.c) */
void hs_invalidate_map_instant(void);
void hs_alloc_may_reclaim(void);

/* vm_normal_page(): the page behind a present pte, NULL for a special one
 * (the zero page, PFNMAP); in model/migrate.c. */
struct hs_page *hs_vm_normal_page(hs_pte_t pte);

/* ---- the data oracle's records (model/memory.c) ---------------------------------- */

unsigned long *hs_mm_shadow(struct hs_mm *mm, unsigned long addr);
void hs_mm_shadow_share(struct hs_mm *child, struct hs_mm *parent, unsigned long addr);
void hs_mm_shadow_forget(struct hs_mm *mm, unsigned long addr);
void hs_mm_shadow_move(struct hs_mm *mm, unsigned long from, unsigned long to);

/* ---- fork and device-exclusive entries (model/fork.c, rmap.c, migrate.c) ------- */

/* restore_exclusive_pte(): @orig (device-exclusive) at @ptep becomes a present
 * pte of @page again; @page locked, the PTL held. */
void hs_restore_exclusive_pte(struct hs_vm_area_struct *vma, struct hs_page *page,
			      unsigned long addr, sim_atomic_t *ptep, hs_pte_t orig);
/* try_restore_exclusive_pte(): the same under folio_trylock(); false if locked. */
bool hs_try_restore_exclusive_pte(struct hs_vm_area_struct *vma, struct hs_page *page,
				  unsigned long addr, sim_atomic_t *ptep, hs_pte_t orig);
/* The record of where a ZONE_DEVICE page is mapped, in page->private, and of
 * where fork() shared a RAM page, in hs_mach->anon_rmap[] (model/rmap.c; see
 * model/migrate.c's header): */
#define DEV_RMAP_FORKED 3 /* mappings fork() added (model/fork.c) */

/*
 * @mm, @addr: the mapping migration installed.  @forked: the mms fork()
 * copied a mapping of the page into (hs_dev_rmap_add()), each at its own
 * @forked_addr (the parent's address at the fork, then wherever mremap()
 * moved it); every mm appears once.  @gen: the page generation they belong
 * to, so a page freed and reused starts with none.  @mm, @addr and
 * @forked_addr are read with noted loads (hs_dev_rmap_get()), since mremap()
 * moves them without the page lock (hs_dev_rmap_move()).
 */
struct hs_dev_rmap {
	struct hs_mm *mm;
	unsigned long addr;
	uint32_t gen;
	int nr_forked;
	struct hs_mm *forked[DEV_RMAP_FORKED];
	unsigned long forked_addr[DEV_RMAP_FORKED];
};

/* dpor sees the plain reads of @r's gen and forked mms made in place. */
void hs_dev_rmap_note_read(const struct hs_dev_rmap *r);
/* Record the mapping a migration just installed for @page (page locked). */
void hs_dev_rmap_set(struct hs_page *page, struct hs_mm *mm, unsigned long addr);
/* folio_migrate_mapping()'s anon_vma: @dst (locked, mapped nowhere) takes the
 * record of @src when it names mms fork() added. */
void hs_dev_rmap_copy(struct hs_page *dst, struct hs_page *src);
/* The record of @page itself (a noted read of where it is kept), or NULL. */
struct hs_dev_rmap *hs_dev_rmap_of(struct hs_page *page);
/* The record of @page (locked by the caller), copied to @copy, or NULL. */
const struct hs_dev_rmap *hs_dev_rmap_get(struct hs_page *page, struct hs_dev_rmap *copy);
/* How many mms fork() added to @r for the current life of @page. */
int hs_dev_rmap_forked(const struct hs_dev_rmap *r, struct hs_page *page);
/* fork: @page (ZONE_DEVICE, or an anonymous RAM page of a COW mapping),
 * mapped at @addr of @parent, is now mapped at @addr of @mm too (its rmap);
 * under the PTL of the parent's pte. */
void hs_dev_rmap_add(struct hs_page *page, struct hs_mm *parent, struct hs_mm *mm,
		     unsigned long addr);
/* Where the record @r (of @page) says @mm maps the page: true and *@addr,
 * or false when it names no mapping in @mm. */
bool hs_dev_rmap_addr(const struct hs_dev_rmap *r, struct hs_page *page, struct hs_mm *mm,
		      unsigned long *addr);
/* The by-pfn walk against mremap(): did the mapping of @mm move from @addr? (rmap.c) */
bool hs_dev_rmap_moved(struct hs_page *page, struct hs_mm *mm, unsigned long addr);

/* migrate_device_coherent_folio(): @page (referenced by the caller) to system
 * memory; 0 or -EBUSY (model/migrate.c). */
int hs_migrate_device_coherent_folio(struct hs_page *page);

/* folio_free_swap(): @page leaves the swap cache and its slot is freed. */
void hs_swapcache_free(struct hs_page *page);
/* For a use-after-free report: where @page was freed (sim_note_free() names
 * the caller, so a macro). */
#define hs_page_note_free(page)                                                                    \
	do {                                                                                       \
		if (sim_tracing()) {                                                               \
			char w_[32];                                                               \
			snprintf(w_, sizeof(w_), "pfn %#lx", hs_page_to_pfn(page));                \
			sim_note_free((page), w_);                                                 \
		}                                                                                  \
	} while (0)

/* ---- THP: the PMD level (model/huge_memory.c) ------------------------------------ */

sim_atomic_t *hs_pmd_offset(struct hs_mm *mm, unsigned long addr);
bool hs_pmd_huge_locked(struct hs_mm *mm, unsigned long addr);
enum { HS_PMD_TABLE, HS_PMD_LEAF, HS_PMD_NONPRESENT }; /* hs_follow_huge_pmd() */
int hs_follow_huge_pmd(struct hs_mm *mm, unsigned long addr, bool write, struct hs_page **page);
void hs_pmd_populate_note(struct hs_mm *mm, unsigned long addr);
unsigned int hs_huge_pmd_fault(struct hs_vm_fault *vmf);
void hs_split_huge_pmd(struct hs_vm_area_struct *vma, unsigned long addr);
int hs_split_folio(struct hs_vm_area_struct *vma, unsigned long addr, struct hs_page *head);
void hs_split_huge_pmd_locked(struct hs_mm *mm, unsigned long addr);
void hs_vma_adjust_trans_huge(struct hs_mm *mm, unsigned long start, unsigned long end);
struct hs_page *hs_zap_huge_pmd(struct hs_mm *mm, unsigned long addr, bool *flush);
void hs_folio_put_pmd(struct hs_page *head);
bool hs_change_huge_pmd(struct hs_vm_area_struct *vma, unsigned long addr, bool *flush);
bool hs_huge_pmd_access(struct hs_mm *mm, unsigned long addr, bool write, unsigned long *pfn);
/* The data oracle: does a huge PMD map @pfn at @addr (noted read, no
 * scheduling point)? */
bool hs_huge_pmd_maps(struct hs_mm *mm, unsigned long addr, unsigned long pfn);
/* For the oracles: the pte a huge PMD stands for at @addr (0 if none; noted
 * read, no scheduling point). */
hs_pte_t hs_huge_pmd_subpage_pte(struct hs_mm *mm, unsigned long addr);
/* free_pgtables(): PTE tables no VMA overlaps any more are empty again. */
void hs_free_pgtables(struct hs_mm *mm, unsigned long start, unsigned long end);

/* ---- VMAs (model/mm.c), for mremap.c and migrate.c ---------------------------------- */

int hs_vma_link(struct hs_mm *mm, unsigned long start, unsigned long end, unsigned int vm_flags);
int hs_vma_split_range(struct hs_mm *mm, unsigned long start, unsigned long end);
int hs_do_munmap(struct hs_mm *mm, unsigned long start, unsigned long end);
/* __oom_reap_task_mm()'s unmap of one VMA under a non-blocking
 * MMU_NOTIFY_UNMAP (model/oom_kill.c): 0, or -EAGAIN when a notifier refused
 * and nothing was unmapped.  mmap_lock held for read. */
int hs_zap_vma_nonblock(struct hs_mm *mm, unsigned long start, unsigned long end);
/* An rmap walk's look at the flags of @addr's VMA, without mmap_lock (noted). */
unsigned int hs_rmap_vma_flags(struct hs_mm *mm, unsigned long addr);
/* move_huge_pmd(): both PTLs held; false when the new PMD is not empty. */
bool hs_move_huge_pmd(struct hs_mm *mm, unsigned long old_addr, unsigned long new_addr);

/* ---- device-private THP, v6.19 (huge_memory.c, migrate_device_thp.c) ---- */
struct hs_migrate_vma;
void hs_folio_put_pmd_refs(struct hs_page *head);
void hs_folio_free_split_ram(struct hs_page *head, const uint64_t *zero);
void hs_release_pages(struct hs_page *const *pages, unsigned long nr);
struct hs_page *hs_vma_alloc_folio_pmd(void);
bool hs_pmd_populated(struct hs_mm *mm, unsigned long addr);
void hs_pmd_migration_entry_wait(struct hs_mm *mm, unsigned long addr);
bool hs_folio_large(struct hs_page *head);
void hs_folio_split_locked(struct hs_page *head, bool lock_tails);
void hs_folio_put_all(struct hs_page *head);
void hs_zone_device_folio_init(struct hs_page *head);
bool hs_migrate_vma_collect_huge_pmd(struct hs_migrate_vma *migrate, unsigned long start,
				     unsigned long end, struct hs_page *fault_page);
bool hs_migrate_folio_check(struct hs_page *head, struct hs_page *fault_page);
void hs_remove_migration_pmd(struct hs_page *src, struct hs_page *dst, struct hs_mm *mm,
			     unsigned long haddr, bool prot_none);
bool hs_migrate_vma_insert_huge_pmd_page(struct hs_migrate_vma *migrate, unsigned long haddr,
					 struct hs_page *head);
void hs_migrate_vma_split_unmapped_folio(struct hs_migrate_vma *migrate, unsigned long i);
int hs_migrate_folio_move(struct hs_page *dst, struct hs_page *src, struct hs_page *fault_page);
void hs_migrate_finalize_folio(struct hs_migrate_vma *migrate, unsigned long i,
			       struct hs_page *fault_locked);
void hs_try_to_migrate_split_pmd(struct hs_mm *mm, unsigned long addr, unsigned long pfn);
bool hs_device_folio_busy(struct hs_page *page, const unsigned long *src);
/* migrate.c: remove_migration_pte()'s new entry for @dst */
hs_pte_t hs_migration_entry_pte(hs_pte_t old, struct hs_page *dst, bool prot_none);
/* migrate.c's migrate_device_unmap() without a fault page (the by-pfn API) */
unsigned long hs_migrate_device_unmap(unsigned long *src_pfns, unsigned long npages);
/* mremap.c's move_ptes(): the mapping of ZONE_DEVICE @page (struct hs_dev_rmap,
 * model/rmap.c) moved to @addr of @mm. */
void hs_dev_rmap_move(struct hs_page *page, struct hs_mm *mm, unsigned long addr);

/* ---- the P2P RFCs (model/hmm.c) ----------------------------------------------- */

/* The last answer of a p2p_allow callback, for one pgmap, kept for one
 * hmm_range_fault() or migrate_vma_setup() call. */
struct hs_p2p_allow_cache {
	struct hs_dev_pagemap *pgmap;
	bool yes;
};

/*
 * hs_p2p_allow_ask() - ask @allow whether the caller may use @pgmap
 * directly, or take the answer from @c when allow->cache and @c holds one
 * for @pgmap.  *@asked: whether the callback was called (for the counters).
 */
bool hs_p2p_allow_ask(struct hs_hmm_p2p_allow *allow, struct hs_dev_pagemap *pgmap,
		      struct hs_p2p_allow_cache *c, bool *asked);

/* ---- the TLB (mm.c; read by memory.c's CPU accesses) ------------------------------- *
 * A TLB entry is one word (valid, write, 8 bits of generation, 24 bits of pfn,
 * 30 bits of vpn) so a CPU's lookup and a remote flush are single accesses.
 */
#define TLB_VALID     1ull
#define TLB_WRITE     2ull
#define TLB_GEN_SHIFT 2
#define TLB_PFN_SHIFT 10
#define TLB_VPN_SHIFT 34

uint64_t *hs_tlb_slot(struct hs_mm *mm, int cpu, unsigned long vpn);
int hs_this_cpu(void);
/* hs_tlb_fill() - the hardware page walker caches @pte for @addr on this CPU. */
void hs_tlb_fill(struct hs_mm *mm, unsigned long addr, hs_pte_t pte);
/* hs_swap_free() - swap_free(): @slot of @mm's swap device is free again. */
void hs_swap_free(struct hs_mm *mm, unsigned long slot);

/* ---- CPUs and the LRU add batches (model/swap.c) ----------------------------------- */

int hs_bound_cpu(void);
void hs_cpu_enter_kernel(void);
void hs_cpu_exit_kernel(void);
void hs_cpu_sleep_begin(bool *busy);
void hs_cpu_sleep_end(bool busy);
void hs_folio_add_lru(struct hs_page *page);
void hs_lru_add_drain(void);
void hs_lru_add_drain_all(void);
bool hs_folio_test_lru(struct hs_page *page);

/* ---- counters for experiments (not model state: no scheduling point) ------------ */

/*
 * The model's events of a run's coverage (include/hmmsim/coverage.h), declared
 * by hs_machine_init() (page.c, hs_cov_events[]), counted with sim_cover():
 * neither a scheduling point nor model state.
 */
enum hs_cov_event {
	HS_COV_P2P_PFN,		/* hmm_range_fault() got a P2P pfn */
	HS_COV_P2P_FALLBACK,	/* get_p2p_page() / p2p_allow declined */
	HS_COV_P2P_MAP_FAILURE, /* a driver could not DMA-map a P2P pfn */
	HS_COV_FAULT_MIGRATE,	/* hmm_range_fault() faulted a device page back to RAM */
	HS_COV_MIGRATE_MOVE,	/* migrate_vma / migrate_device moved a page */
	HS_COV_EBUSY,		/* hmm_range_fault() returned -EBUSY */
	HS_COV_READ_RETRY,	/* mmu_interval_read_retry() said retry */
	HS_COV_INVAL_MIRROR,	/* an invalidate callback cleared a valid mirror entry */
	HS_COV__COUNT,
};

/* hs_p2p_stats_inc()'s counter @counter as a coverage event, if it is one. */
void hs_p2p_stats_cover(const unsigned long *counter);

static inline void hs_p2p_stats_inc(unsigned long *counter)
{
	sim_noted_add(counter, 1);
	hs_p2p_stats_cover(counter);
}

static inline void hs_owner_stats_inc(unsigned long *counter, unsigned long n)
{
	sim_noted_add(counter, n);
}

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_MODEL_INTERNAL_H */
