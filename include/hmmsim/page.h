/* SPDX-License-Identifier: MIT */
/*
 * Model of struct page, the pfn space and struct dev_pagemap
 * (include/linux/mm_types.h, include/linux/memremap.h, mm/memremap.c).
 *
 * Baseline: Linux v6.18 behaviour.  See docs/fidelity.md for what is simplified.
 *
 * The machine's memory is one array of hs_page indexed by pfn: system RAM
 * first (pfn 0 is the zero page), then the ranges memremap_pages() hands out
 * for device memory.  A page carries a content word standing for its data,
 * so that a migration, a swap or a copy that loses a write is visible.
 *
 * A freed page is poisoned (content HS_POISON) and its generation bumped; a
 * reference to it that outlives the free is caught by hs_page_check() as a
 * use-after-free.
 */
#ifndef HMMSIM_PAGE_H
#define HMMSIM_PAGE_H

#include <hmmsim/sim.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HS_PAGE_SHIFT 12
#define HS_PAGE_SIZE  (1ul << HS_PAGE_SHIFT)
#define HS_POISON     0xdeadbeefdeadbeeful

/* Violation kinds the kernel model reports. */
#define HS_KIND_UAF	    "use-after-free"
#define HS_KIND_REFCOUNT    "refcount"
#define HS_KIND_BUG	    "kernel-bug" /* a BUG_ON/WARN the kernel would hit */
#define HS_KIND_COHERENCE   "coherence"	 /* device view differs from the CPU's */
#define HS_KIND_DATA_LOSS   "data-loss"
#define HS_KIND_LEAK	    "leak"
#define HS_KIND_WRONG_OWNER "wrong-owner" /* a device used another owner's private page */
/* an access reached a device's memory or BAR after the device vanished
 * (surprise removal): it failed, or its data is gone */
#define HS_KIND_LOST_ACCESS "lost-access"
/* a process could read data it never wrote (a page's earlier content) */
#define HS_KIND_STALE_DATA "stale-data"

/* page->flags bits (PG_*) */
enum hs_pageflags {
	HS_PG_LOCKED = 0,
	HS_PG_DIRTY = 1,
	HS_PG_UPTODATE = 2,
	HS_PG_FREE = 3, /* on its allocator's free list */
	HS_PG_ANON = 4,
	HS_PG_ZERO = 5, /* the zero page */
	/* the inverse of PG_anon_exclusive: fork() shared this anonymous page
	 * (model/fork.c); never cleared while the page lives (a page reused
	 * by do_wp_page() stays "maybe shared": mprotect() leaves its pte
	 * read-only and the next write fault reuses it) */
	HS_PG_ANON_SHARED = 6,
	HS_PG_LRU_BATCH = 7, /* in a CPU's lru_add batch, not yet on the LRU (model/swap.c) */
	/* the first page of a PMD-order folio (an anonymous THP or, v6.19, a
	 * device-private THP): its lock is the folio's; cleared when the folio
	 * is split (the model splits the folio with its PMD, model/huge_memory.c) */
	HS_PG_HEAD = 8,
};
/* Every HS_PG_* bit: the mask of an access of the whole of page->flags (a
 * store of it, a dump), which dpor counts as one of each bit. */
#define HS_PG_ALL ((1ul << (HS_PG_HEAD + 1)) - 1)

/* GUP_PIN_COUNTING_BIAS: a FOLL_PIN pin adds this many references
 * (model/gup.c), so folio_maybe_dma_pinned() can tell pins from gets. */
#define HS_GUP_PIN_COUNTING_BIAS 1024l

struct hs_dev_pagemap;

/**
 * struct hs_page - struct page, what of it matters to HMM (64 bytes).
 * @_refcount:	page_ref_count(); 0 when free
 * @flags:	HS_PG_* bits, changed atomically (set_bit/clear_bit): each access
 *		names the bits it reads or changes (sim_bits_t), so that dpor orders
 *		two of them only when they share a bit
 * @pgmap:	owning dev_pagemap of a ZONE_DEVICE page, else NULL
 * @zone_device_data: driver-private (the dmirror owning a device page)
 * @_mapcount:	number of CPU page table entries mapping it
 * @content:	the data: one word standing for the whole page
 * @private:	page->private: see @swap_slot
 * @gen:	bumped at every free: a stale reference sees another gen
 * @swap_slot:	an anon page in the swap cache: the slot that still holds its
 *		data (0: none); ->private then names the mm whose swap area it is
 */
struct hs_page {
	sim_atomic_t _refcount;
	sim_bits_t flags;
	struct hs_dev_pagemap *pgmap;
	void *zone_device_data;
	sim_atomic_t _mapcount;
	unsigned long content;
	unsigned long private;
	uint32_t gen;
	uint32_t swap_slot;
};

/* ---- dev_pagemap ----------------------------------------------------------- */

enum hs_memory_type {
	HS_MEMORY_DEVICE_PRIVATE = 1,
	HS_MEMORY_DEVICE_COHERENT,
	HS_MEMORY_DEVICE_FS_DAX, /* stub: registered, never used by the model */
	HS_MEMORY_DEVICE_GENERIC,
	HS_MEMORY_DEVICE_PCI_P2PDMA,
};

struct hs_vm_fault;

/* struct dev_pagemap_ops */
struct hs_dev_pagemap_ops {
	/* A page's refcount dropped to zero: the driver takes it back. */
	void (*page_free)(struct hs_page *page);
	/* v6.19's folio_free() for a PMD-order device folio freed whole (@head:
	 * its first page); NULL: page_free() for each page */
	void (*folio_free)(struct hs_page *head);
	/* CPU fault on a device-private entry: move the data to system RAM.
	 * Returns 0 or HS_VM_FAULT_* bits. */
	unsigned int (*migrate_to_ram)(struct hs_vm_fault *vmf);
	/* Poison reported on the range (unused by the model so far). */
	int (*memory_failure)(struct hs_dev_pagemap *pgmap, unsigned long pfn,
			      unsigned long nr_pages, int mf_flags);
	/*
	 * The P2P RFC (not merged; its v1/v2 name is get_dma_pfn_for_device(),
	 * returning a pfn through a pointer): device-private @page only.  The
	 * page that another device can DMA to instead (a P2PDMA BAR page
	 * standing for @page's memory), or NULL to decline (hmm_range_fault()
	 * then falls back to fault/migrate_to_ram).  @requester: the device
	 * that will do the DMA (struct hs_pci_dev *) or NULL when the caller
	 * named none (v1).  No reference is taken on the returned page: the
	 * exporter keeps it allocated for as long as @page's memory exists,
	 * and the caller's use is guarded by its interval notifier like every
	 * other pfn hmm_range_fault() returns.  Called without locks, for every
	 * 4k page (a review point of the RFC).
	 */
	struct hs_page *(*get_p2p_page)(struct hs_page *page, void *requester);
};

/**
 * struct hs_dev_pagemap - struct dev_pagemap
 * @type:	HS_MEMORY_DEVICE_*
 * @owner:	who may use the device-private pages directly (opaque)
 * @ops:	the driver's callbacks
 * @start_pfn:	first pfn of the range memremap_pages() gave it
 * @nr_pages:	pages in that range
 * @ref:	percpu_ref stand-in: 1 (the initial ref) + one per page in use
 * @dying:	percpu_ref_kill() has run: no new page references
 * @done:	completion memunmap_pages() waits on (ref reached zero)
 * @name:	for reports
 * @driver:	the driver instance, for its callbacks
 * @freed:	not the kernel's: the oracle's poison.  memunmap_pages() has
 *		returned, after which the driver frees the struct (test_hmm and
 *		nouveau kfree() it, devm releases it); the model keeps the
 *		memory and marks it, and hs_pgmap_check() (model/internal.h) catches a stale
 *		pointer to it (never a scheduling point, like a page's @gen)
 */
struct hs_dev_pagemap {
	enum hs_memory_type type;
	void *owner;
	const struct hs_dev_pagemap_ops *ops;
	unsigned long start_pfn, nr_pages;
	sim_atomic_t ref;
	int dying;
	sim_completion_t done;
	const char *name;
	void *driver;
	int freed;
};

/* ---- the machine: pfn space ------------------------------------------------- */

/* The memory of one simulated machine (model/internal.h). */
struct hs_machine;
/* The machine of the current execution (set by hs_machine_init()). */
extern struct hs_machine *hs_mach;

/*
 * hs_machine_init() - set up memory for one execution.
 * @nr_ram:	system RAM pages (pfn 0 is the zero page)
 * @max_device_pages: room for device pfn ranges
 * Allocates with sim_alloc(), so it lives exactly as long as the execution.
 */
struct hs_machine *hs_machine_init(unsigned long nr_ram, unsigned long max_device_pages);

/* pfn_to_page() / page_to_pfn() of the current machine */
struct hs_page *hs_pfn_to_page(unsigned long pfn);
unsigned long hs_page_to_pfn(const struct hs_page *page);

/* The page's generation (an oracle field: no scheduling point, but a noted
 * read: the free that bumps it is ordered with the check that reads it). */
static inline uint32_t hs_page_gen(const struct hs_page *page)
{
	return sim_noted_load_n(&page->gen, __ATOMIC_RELAXED);
}

/* pfn_valid() */
bool hs_pfn_valid(unsigned long pfn);

#define HS_ZERO_PFN 0ul
static inline bool hs_is_zero_pfn(unsigned long pfn)
{
	return pfn == HS_ZERO_PFN;
}

static inline bool hs_is_zone_device_page(const struct hs_page *page)
{
	return page->pgmap != NULL;
}

static inline bool hs_is_device_private_page(const struct hs_page *page)
{
	return page->pgmap && page->pgmap->type == HS_MEMORY_DEVICE_PRIVATE;
}

static inline bool hs_is_device_coherent_page(const struct hs_page *page)
{
	return page->pgmap && page->pgmap->type == HS_MEMORY_DEVICE_COHERENT;
}

/* ---- page references and the page lock ----------------------------------- */

/* get_page(): a reference on a page the caller already holds or maps. */
void hs_get_page(struct hs_page *page);
/* get_page_unless_zero(): false when the page is being freed. */
bool hs_get_page_unless_zero(struct hs_page *page);
/* put_page(): drop a reference; the last one frees the page (RAM back to the
 * free list, device pages to pgmap->ops->page_free()). */
void hs_put_page(struct hs_page *page);
long hs_page_ref_count(struct hs_page *page);

/* trylock_page() / lock_page() / unlock_page() (folio_* in v6.12). */
bool hs_trylock_page(struct hs_page *page);
void hs_lock_page(struct hs_page *page);
void hs_unlock_page(struct hs_page *page);
bool hs_page_locked(struct hs_page *page);
/* folio_wait_locked(): sleep until the page's next unlock (the caller holds
 * a reference). */
void hs_folio_wait_locked(struct hs_page *page);

void hs_set_page_dirty(struct hs_page *page);
bool hs_page_dirty(struct hs_page *page);

/* page_add_anon_rmap / page_remove_rmap: the mapping count. */
void hs_page_add_rmap(struct hs_page *page);
void hs_page_remove_rmap(struct hs_page *page);
long hs_page_mapcount(struct hs_page *page);

/*
 * Use-after-free check: @gen is the generation the caller saw when it took
 * its reference or read the mapping.  Reports HS_KIND_UAF when the page was
 * freed since.
 */
void hs_page_check(struct hs_page *page, uint32_t gen, const char *what);

/*
 * The leak oracle, for the end of a scenario: every page that is not free
 * holds exactly one reference per mapping (a CPU pte or a device-private
 * entry); an extra reference nobody will drop is a leak (HS_KIND_LEAK), and
 * so is a dev_pagemap reference beyond its initial one and its pages'.
 */
void hs_machine_check_leaks(void);

/* Content of a page (its data): marked accesses, user data may be raced. */
unsigned long hs_page_read(struct hs_page *page);
void hs_page_write(struct hs_page *page, unsigned long v);
/* copy_highpage(): dst gets src's content. */
void hs_copy_page(struct hs_page *dst, struct hs_page *src);

/* alloc_page(GFP_HIGHUSER_MOVABLE): a RAM page with refcount 1, or NULL. */
struct hs_page *hs_alloc_page(void);
/* alloc_page(GFP_HIGHUSER) without __GFP_ZERO: the page keeps what it held
 * when it was freed (the model's poison, standing for a previous user's data). */
struct hs_page *hs_alloc_page_nozero(void);

/* ---- memremap ---------------------------------------------------------------- */

/*
 * hs_memremap_pages() - memremap_pages(): give @pgmap a range of @nr_pages
 * pfns (type, owner, ops set by the caller); the pages start free (refcount
 * 0), as ZONE_DEVICE pages do.  Return: 0 or -ENOMEM / -EINVAL.
 */
int hs_memremap_pages(struct hs_dev_pagemap *pgmap, unsigned long nr_pages);
/*
 * hs_memunmap_pages() - memunmap_pages(): kill the pagemap's ref, wait until
 * every page reference is gone, then remove it from the pfn lookup (after an
 * RCU grace period, as the kernel's xarray erase does).  On return the
 * struct counts as freed (@freed, the driver's kfree()): any later use of it
 * through the stale-pagemap oracle is a use-after-free.
 */
void hs_memunmap_pages(struct hs_dev_pagemap *pgmap);
/* get_dev_pagemap(): the live pagemap of @pfn with a reference, or NULL. */
struct hs_dev_pagemap *hs_get_dev_pagemap(unsigned long pfn);
void hs_put_dev_pagemap(struct hs_dev_pagemap *pgmap);
/* Not a kernel function: the references @pgmap's ref holds (its count
 * without the percpu-mode bias), read without a scheduling point, for the
 * model's checks and tests. */
long hs_dev_pagemap_refs(struct hs_dev_pagemap *pgmap);
/* zone_device_page_init(): a free device page becomes allocated: refcount 1,
 * locked (it is a migration destination), pgmap ref taken. */
void hs_zone_device_page_init(struct hs_page *page);

/*
 * The owner test every model path uses (hmm_range_fault, migrate_vma_collect):
 * pgmap->owner == owner.  In the kernel's pointer semantics (the default
 * owner policy, include/hmmsim/owner.h) a plain read of ->owner, visible to
 * the race detector; model/owner.c.
 */
bool hs_pgmap_owner_match(struct hs_dev_pagemap *pgmap, void *owner);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_PAGE_H */
