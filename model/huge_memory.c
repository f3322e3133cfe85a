// SPDX-License-Identifier: MIT
/*
 * Transparent huge pages of anonymous memory: the PMD level of the page
 * table.  Mirrors mm/huge_memory.c of v6.18: do_huge_pmd_anonymous_page()
 * (a THP on the first fault of a PMD-aligned range of a MADV_HUGEPAGE VMA,
 * the huge zero folio on a read fault), do_huge_pmd_wp_page() and
 * do_huge_zero_wp_pmd() (a write to the huge zero page gets a THP),
 * __split_huge_pmd() (partial munmap, mprotect, MADV_DONTNEED, reclaim,
 * migrate_vma_collect_pmd()'s split_folio()), zap_huge_pmd() and
 * change_huge_pmd(), GUP's follow_huge_pmd(), and the hardware's walk of a
 * huge PMD.
 *
 * The PMD level: each PTE table of the model (struct hs_pte_table) has the
 * word of the PMD entry above it, 0 while the PMD points to the table, a
 * leaf otherwise (a present huge mapping in the pte encoding: pfn of the
 * folio's first page, write, dirty, young; special for the huge zero page).
 * pmd_lock() is the table's PTL: the model has one lock per 2 MiB where the
 * kernel has the PMD table's split lock and the PTE table's, so a walker
 * that takes the PTL sees the PMD and the ptes change together.  Tables are
 * never freed, so pmd_none() is "no pte of the table was ever set" (the
 * table's populated flag): a range that was once mapped with base pages
 * does not get a THP again.  The PMD words are read only in an mm that has
 * had a MADV_HUGEPAGE VMA (mm->has_huge): every other mm takes the PTE paths
 * with no added scheduling point.
 *
 * Folios: a THP is 512 contiguous, naturally aligned RAM pages, each with its
 * own refcount and mapcount (the kernel keeps one count on the folio and the
 * entire-mapcount): mapping it by a PMD takes one reference and one mapping
 * on every page, so splitting the PMD into 512 ptes leaves every count as
 * it is, and split_folio() of a PMD-mapped THP splits its PMD, after a
 * check of those counts (hs_split_folio(): a pin or another reference
 * makes it fail and keeps the PMD, as the kernel's can_split_folio()
 * does).  The pages of one folio are
 * initialised, counted and freed in bulk with noted accesses (one
 * scheduling point per folio operation, not 512; page->flags through
 * sim_noted_bits_*(), each naming the bits it touches, HS_PG_ALL for a
 * store of the whole word).  The huge zero folio is
 * the zero page repeated: each of its 512 "pages" is pfn 0.
 *
 * Device-private THP (v6.19, "mm/zone_device: support large zone device
 * private folios"): the PMD word may also hold a PMD device-private entry or
 * a PMD migration entry (the swap-type pte encoding); the CPU fault on the
 * first is do_huge_pmd_device_private(), a split turns either into 512 ptes
 * of the same kind (the folio split with its PMD), a zap frees the device
 * folio whole.  The migration side is model/migrate_device_thp.c.  With
 * hs_switch.no_device_thp (before v6.19) no such entry is ever made.
 */
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define HPAGE_PMD_NR   HS_PTRS_PER_PTE
#define HPAGE_PMD_MASK (~(HS_PMD_SIZE - 1))

static struct hs_pte_table *pmd_table(struct hs_mm *mm, unsigned long addr)
{
	return addr < mm->va_size ? mm->pmd[addr / HS_PMD_SIZE] : NULL;
}

/**
 * hs_pmd_offset() - pmd_offset(): the PMD word above @addr's PTE table.
 * @mm: the address space
 * @addr: the address
 *
 * Return: the word, or NULL outside every table.
 */
sim_atomic_t *hs_pmd_offset(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pmd_table(mm, addr);
	return t ? &t->pmd : NULL;
}

/**
 * hs_pmd_populate_note() - the model's pmd_populate(): a pte of @addr's table
 * is being set, so the table is populated (never huge again).
 * @mm: the address space
 * @addr: the address; the caller holds its PTL
 */
void hs_pmd_populate_note(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pmd_table(mm, addr);
	if (t && !HS_NOTED(t->populated)) /* a read once it is: the kernel populates once */
		HS_NOTED_SET(t->populated, true);
}

/* pmd_pfn() of the page mapping @addr inside the leaf @pmd: the huge zero
 * folio is pfn 0 throughout */
static unsigned long pmd_subpage_pfn(hs_pte_t pmd, unsigned long addr)
{
	unsigned long pfn = hs_pte_pfn(pmd);
	if (hs_is_zero_pfn(pfn))
		return pfn;
	return pfn + ((addr & (HS_PMD_SIZE - 1)) >> HS_PAGE_SHIFT);
}

/* thp_vma_allowable_order() for PMD order: an anonymous MADV_HUGEPAGE VMA
 * that covers the whole PMD range of @addr. */
static bool thp_vma_suitable(const struct hs_vm_area_struct *vma, unsigned long addr)
{
	unsigned long haddr = addr & HPAGE_PMD_MASK;
	return (vma->vm_flags & (HS_VM_HUGEPAGE | HS_VM_ANON)) == (HS_VM_HUGEPAGE | HS_VM_ANON) &&
	       haddr >= vma->vm_start && haddr + HS_PMD_SIZE <= vma->vm_end;
}

/* ---- folios ------------------------------------------------------------------------ */

/* The first of 512 aligned free pfns the free stack holds as a run (the order
 * in which a freshly initialised machine or a freed folio pushes them), else
 * any aligned block whose 512 pfns are all on the stack; -1 when none. */
static long find_free_block(struct hs_machine *m)
{
	unsigned long n = m->nr_ram_free;
	for (unsigned long j = n; j-- > 0 && n - j <= 4 * HPAGE_PMD_NR;) {
		unsigned long b = m->ram_free[j];
		if (b % HPAGE_PMD_NR || j < HPAGE_PMD_NR - 1)
			continue;
		unsigned long k = 1;
		while (k < HPAGE_PMD_NR && m->ram_free[j - k] == b + k)
			k++;
		if (k == HPAGE_PMD_NR)
			return (long)j;
	}
	unsigned long nblocks = m->nr_ram / HPAGE_PMD_NR;
	unsigned short *cnt = sim_alloc(nblocks * sizeof(*cnt) + 1);
	for (unsigned long i = 0; i < n; i++)
		if (m->ram_free[i] / HPAGE_PMD_NR < nblocks)
			cnt[m->ram_free[i] / HPAGE_PMD_NR]++;
	for (unsigned long b = 1; b < nblocks; b++)
		if (cnt[b] == HPAGE_PMD_NR)
			return -(long)(b * HPAGE_PMD_NR) - 2;
	return -1;
}

/* Take the pfns [@base, @base + 512) off the free stack. */
static void take_block(struct hs_machine *m, unsigned long base)
{
	unsigned long w = 0;
	for (unsigned long i = 0; i < m->nr_ram_free; i++)
		if (m->ram_free[i] < base || m->ram_free[i] >= base + HPAGE_PMD_NR)
			m->ram_free[w++] = m->ram_free[i];
	m->nr_ram_free = w;
}

/*
 * vma_alloc_anon_folio_pmd(): a zeroed anonymous THP, every page with
 * refcount 1, or NULL when no aligned block of 512 free pages exists (the
 * fault falls back to base pages, as on a failed THP allocation).
 */
static struct hs_page *vma_alloc_anon_folio_pmd(void)
{
	struct hs_machine *m = hs_mach;
	unsigned long base;

	hs_alloc_may_reclaim(); /* GFP_TRANSHUGE of a MADV_HUGEPAGE VMA */
	sim_spin_lock(&m->ram_lock);
	long j = find_free_block(m);
	if (j == -1) {
		sim_spin_unlock(&m->ram_lock);
		return NULL;
	}
	if (j >= 0) {
		base = m->ram_free[j];
		memmove(&m->ram_free[j + 1 - HPAGE_PMD_NR], &m->ram_free[j + 1],
			(m->nr_ram_free - j - 1) * sizeof(*m->ram_free));
		m->nr_ram_free -= HPAGE_PMD_NR;
	} else {
		base = (unsigned long)(-j - 2);
		take_block(m, base);
	}
	sim_spin_unlock(&m->ram_lock);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		struct hs_page *p = hs_pfn_to_page(base + i);
		sim_noted_store_n(&p->_refcount.v, 1, __ATOMIC_RELAXED);
		sim_noted_bits_store(&p->flags,
				     1ul << HS_PG_UPTODATE | 1ul << HS_PG_ANON |
					 (i ? 0 : 1ul << HS_PG_HEAD),
				     HS_PG_ALL, __ATOMIC_RELEASE);
		sim_noted_store_n(&p->content, 0ul, __ATOMIC_RELAXED); /* clear_huge_page() */
	}
	if (sim_tracing())
		sim_event("alloc THP: pfns [%#lx, %#lx)", base, base + HPAGE_PMD_NR);
	return hs_pfn_to_page(base);
}

/* folio_add_anon_rmap_pmd(): one mapping of every page of the folio. */
static void folio_add_rmap_pmd(struct hs_page *head)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		sim_noted_add(&head[i]._mapcount.v, 1);
}

/*
 * folio_remove_rmap_pmd() + folio_put() of a PMD mapping: every page loses
 * its mapping and the reference that went with it; pages nobody else holds
 * are poisoned and go back to the free list together (pushed so that they
 * are a run again, see find_free_block()).  A page someone still holds is
 * freed by that holder's put_page().
 */
static void folio_put_refs(struct hs_page *head)
{
	struct hs_machine *m = hs_mach;
	unsigned long base = hs_page_to_pfn(head);
	unsigned long freed[HPAGE_PMD_NR]; /* on the stack: another thread runs at the lock */
	unsigned long nr = 0;

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		struct hs_page *p = &head[i];
		long n = sim_noted_sub_fetch(&p->_refcount.v, 1, __ATOMIC_RELEASE);
		if (n < 0)
			sim_fail(HS_KIND_REFCOUNT,
				 "THP put on pfn %#lx took its refcount below zero", base + i);
		if (n)
			continue;
		hs_swapcache_free(p);
		sim_noted_add(&p->gen, 1);
		sim_noted_store_n(&p->content, HS_POISON, __ATOMIC_RELAXED);
		sim_noted_bits_store(&p->flags, 1ul << HS_PG_FREE, HS_PG_ALL, __ATOMIC_RELEASE);
		freed[nr++] = base + i;
	}
	sim_spin_lock(&m->ram_lock);
	while (nr)
		m->ram_free[m->nr_ram_free++] = freed[--nr];
	sim_spin_unlock(&m->ram_lock);
}

static void folio_put_pmd(struct hs_page *head)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		sim_noted_add(&head[i]._mapcount.v, -1);
	folio_put_refs(head);
}

/**
 * hs_folio_put_pmd_refs() - folio_put() of a whole anonymous THP: one
 * reference off every page, the pages nobody holds freed together.
 * @head: the folio's first page
 */
void hs_folio_put_pmd_refs(struct hs_page *head)
{
	folio_put_refs(head);
}

/*
 * free_unref_folios() of a batch of RAM pages whose count reached zero: each
 * poisoned (noted accesses: nobody holds them any more) and pushed back
 * under one zone->lock hold, in order.
 */
static void free_ram_batch(struct hs_page *const *pages, unsigned long nr)
{
	struct hs_machine *m = hs_mach;

	for (unsigned long i = 0; i < nr; i++) {
		struct hs_page *p = pages[i];
		long mapped = sim_noted_load_n(&p->_mapcount.v, __ATOMIC_RELAXED);
		if (mapped > 0)
			sim_fail(HS_KIND_BUG, "pfn %#lx freed while still mapped %ld times",
				 hs_page_to_pfn(p), mapped);
		if (sim_noted_bits_load(&p->flags, 1ul << HS_PG_LOCKED, __ATOMIC_RELAXED))
			sim_fail(HS_KIND_BUG, "pfn %#lx freed while locked", hs_page_to_pfn(p));
		hs_page_note_free(p); /* for a use-after-free report, as free_ram_page() */
		hs_swapcache_free(p);
		sim_noted_add(&p->gen, 1);
		sim_noted_store_n(&p->content, HS_POISON, __ATOMIC_RELAXED);
		sim_noted_bits_store(&p->flags, 1ul << HS_PG_FREE, HS_PG_ALL, __ATOMIC_RELEASE);
	}
	if (!nr)
		return;
	sim_spin_lock(&m->ram_lock);
	for (unsigned long i = 0; i < nr; i++)
		m->ram_free[m->nr_ram_free++] = hs_page_to_pfn(pages[i]);
	sim_spin_unlock(&m->ram_lock);
}

/**
 * hs_folio_free_split_ram() - the pages of a split anonymous THP that one
 * folio_put() took to zero, freed together.  The kernel's folio stays large
 * after its PMD is split (the deferred split queue) and its last folio_put()
 * frees it whole, one free; the model splits the folio with its PMD and
 * frees the pages this put released as one batch, not 512 frees.
 * @head: the folio's first page
 * @zero: bit k set: page k's count reached zero in this put
 */
void hs_folio_free_split_ram(struct hs_page *head, const uint64_t *zero)
{
	struct hs_page *freed[HPAGE_PMD_NR]; /* on the stack: another thread runs at the lock */
	unsigned long nr = 0;

	for (unsigned long k = 0; k < HPAGE_PMD_NR; k++)
		if (zero[k / 64] & (1ull << (k % 64)))
			freed[nr++] = &head[k];
	free_ram_batch(freed, nr);
	if (sim_tracing() && nr)
		sim_event("free split THP: %lu pages of pfns [%#lx, %#lx)", nr,
			  hs_page_to_pfn(head), hs_page_to_pfn(head) + HPAGE_PMD_NR);
}

/**
 * hs_release_pages() - tlb_flush_mmu()'s free_pages_and_swap_cache() ->
 * folios_put_refs() in an mm with a huge VMA: the unmap's references on
 * @nr pages dropped in one step, the RAM pages that reach zero freed as one
 * batch (free_unref_folios(): one zone->lock hold).  The kernel's zap of a
 * PTE-mapped THP gathers its ptes as one folio entry (zap_present_ptes()
 * with folio_pte_batch()) and drops them with one folio_ref_sub_and_test();
 * the model's counts are per page and its split THP is order-0 pages, so
 * the batch is one event instead of a put and a free per page.  A ZONE_DEVICE
 * (coherent) page that reaches zero is freed by hs_put_page().
 * @pages: the batch
 * @nr: its length, at most HPAGE_PMD_NR
 */
void hs_release_pages(struct hs_page *const *pages, unsigned long nr)
{
	struct hs_page *freed[HPAGE_PMD_NR]; /* on the stack: another thread runs at the lock */
	unsigned long nf = 0;

	for (unsigned long i = 0; i < nr; i++) {
		struct hs_page *p = pages[i];
		if (sim_noted_bits_load(&p->flags, 1ul << HS_PG_ZERO, __ATOMIC_RELAXED))
			continue; /* the zero page is not refcounted */
		long n = sim_noted_sub_fetch(&p->_refcount.v, 1, __ATOMIC_RELEASE);
		if (n < 0)
			sim_fail(HS_KIND_REFCOUNT,
				 "put_page on pfn %#lx took its refcount below zero",
				 hs_page_to_pfn(p));
		if (n)
			continue;
		if (hs_is_zone_device_page(p)) {
			sim_noted_add(&p->_refcount.v, 1);
			hs_put_page(p);
			continue;
		}
		freed[nf++] = p;
	}
	free_ram_batch(freed, nf);
}

/**
 * hs_vma_alloc_folio_pmd() - vma_alloc_folio() of PMD order, for a driver's
 * migrate_to_ram: a zeroed anonymous THP with refcount 1 on every page.
 *
 * Return: its first page, or NULL when no aligned block is free.
 */
struct hs_page *hs_vma_alloc_folio_pmd(void)
{
	return vma_alloc_anon_folio_pmd();
}

/**
 * hs_pmd_populated() - whether @addr's PTE table was ever populated (the
 * model's !pmd_none() of a table that is not a leaf).
 * @mm: the address space
 * @addr: the address; read under its PTL or as a hint
 *
 * Return: true when populated.
 */
bool hs_pmd_populated(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pmd_table(mm, addr);
	return !t || HS_NOTED(t->populated);
}

/* ---- faults ------------------------------------------------------------------------- */

static hs_pte_t mk_huge_pmd(struct hs_page *head, bool write)
{
	return hs_mk_pte(hs_page_to_pfn(head),
			 HS_PTE_YOUNG | (write ? HS_PTE_WRITE | HS_PTE_DIRTY : 0));
}

/*
 * map_anon_folio_pmd() under the PMD lock, if the PMD still holds @expect
 * (0: pmd_none, else the huge zero PMD do_huge_zero_wp_pmd() replaces).
 * Return: whether the folio was mapped.
 */
static bool map_anon_folio_pmd(struct hs_vm_fault *vmf, struct hs_page *head, hs_pte_t expect)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct hs_pte_table *t = pmd_table(mm, haddr);
	bool ok;

	sim_spin_lock(&t->ptl);
	ok = !HS_NOTED(t->populated) && hs_ptep_get(&t->pmd) == expect;
	if (ok) {
		if (expect) { /* pmdp_huge_clear_flush() */
			sim_atomic_store(&t->pmd, 0, SIM_RELEASE);
			hs_flush_tlb_range(mm, haddr, haddr + HS_PMD_SIZE);
		}
		folio_add_rmap_pmd(head);
		sim_atomic_store(&t->pmd, (long)mk_huge_pmd(head, vmf->vma->vm_flags & HS_VM_WRITE),
				 SIM_RELEASE);
	}
	sim_spin_unlock(&t->ptl);
	return ok;
}

/* The folio a lost race did not map goes back whole. */
static void folio_discard(struct hs_page *head)
{
	folio_add_rmap_pmd(head);
	folio_put_pmd(head);
}

/*
 * do_huge_pmd_anonymous_page(): a read fault maps the huge zero folio
 * (set_huge_zero_folio(), read-only), a write fault a new zeroed THP
 * (__do_huge_pmd_anonymous_page()); somebody else's PMD found under the
 * lock wins.  Return: HS_VM_FAULT_FALLBACK when no THP could be had.
 */
static unsigned int do_huge_pmd_anonymous_page(struct hs_vm_fault *vmf)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct hs_pte_table *t = pmd_table(mm, haddr);

	if (!(vmf->flags & HS_FAULT_FLAG_WRITE)) {
		sim_spin_lock(&t->ptl);
		if (!HS_NOTED(t->populated) && !hs_ptep_get(&t->pmd))
			sim_atomic_store(&t->pmd, (long)hs_mk_pte(HS_ZERO_PFN, HS_PTE_SPECIAL),
					 SIM_RELEASE);
		bool fallback = HS_NOTED(t->populated);
		sim_spin_unlock(&t->ptl);
		return fallback ? HS_VM_FAULT_FALLBACK : 0;
	}
	struct hs_page *head = vma_alloc_anon_folio_pmd();
	if (!head)
		return HS_VM_FAULT_FALLBACK;
	if (!map_anon_folio_pmd(vmf, head, 0)) {
		folio_discard(head);
		return HS_NOTED(t->populated) ? HS_VM_FAULT_FALLBACK : 0;
	}
	return 0;
}

/*
 * do_huge_pmd_wp_page(): a write fault on a read-only huge PMD.  The huge
 * zero folio is replaced by a new THP (do_huge_zero_wp_pmd(), under an
 * MMU_NOTIFY_CLEAR invalidation), or split when none can be had; an
 * anonymous THP is always exclusive here (no fork), so it is reused
 * (made writable and dirty).
 */
static unsigned int do_huge_pmd_wp_page(struct hs_vm_fault *vmf, hs_pte_t orig)
{
	struct hs_vm_area_struct *vma = vmf->vma;
	struct hs_mm *mm = vma->vm_mm;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	struct hs_pte_table *t = pmd_table(mm, haddr);

	if (!(vma->vm_flags & HS_VM_WRITE))
		return HS_VM_FAULT_SIGSEGV;
	if (hs_is_zero_pfn(hs_pte_pfn(orig))) {
		struct hs_mmu_notifier_range range;
		struct hs_page *head = vma_alloc_anon_folio_pmd();
		if (!head) {
			hs_split_huge_pmd(vma, haddr);
			return HS_VM_FAULT_FALLBACK;
		}
		hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR,
					   HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm, haddr,
					   haddr + HS_PMD_SIZE, NULL);
		hs_mmu_notifier_invalidate_range_start(&range);
		bool ok = map_anon_folio_pmd(vmf, head, orig);
		hs_mmu_notifier_invalidate_range_end(&range);
		if (!ok)
			folio_discard(head);
		return 0;
	}
	sim_spin_lock(&t->ptl);
	if (hs_ptep_get(&t->pmd) == orig) /* wp_huge_pmd() reuse */
		sim_atomic_store(&t->pmd, (long)(orig | HS_PTE_WRITE | HS_PTE_DIRTY | HS_PTE_YOUNG),
				 SIM_RELEASE);
	sim_spin_unlock(&t->ptl);
	return 0;
}

/**
 * hs_pmd_migration_entry_wait() - pmd_migration_entry_wait(): if the PMD of
 * @addr is a migration entry, sleep until its folio's next unlock.
 * @mm: the address space
 * @addr: an address in the PMD's range
 *
 * As hs_migration_entry_wait() for a pte: queued on the head page under the
 * PMD lock.
 */
void hs_pmd_migration_entry_wait(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pmd_table(mm, addr);

	if (!t)
		return;
	sim_spin_lock(&t->ptl);
	hs_pte_t pmd = hs_ptep_get(&t->pmd);
	if (!hs_is_migration_entry(pmd)) {
		sim_spin_unlock(&t->ptl);
		return;
	}
	struct hs_page *head = hs_pfn_to_page(hs_pte_pfn(pmd));
	if (sim_tracing())
		sim_event("pmd_migration_entry_wait %#lx: pfn %#lx", addr & HPAGE_PMD_MASK,
			  hs_page_to_pfn(head));
	hs_migration_entry_wait_on_locked(head, &t->ptl);
}

/*
 * do_huge_pmd_device_private() (v6.19): a CPU fault on a PMD device-private
 * entry.  Under the PMD lock, if the PMD is unchanged: trylock the folio and
 * take a folio reference, drop the lock and call the driver's migrate_to_ram
 * (which migrates the whole folio, or a part after a split); then unlock and
 * put.  A busy folio: v6.19 returns at once (the fault is retried); the model
 * queues on it under the PMD lock and sleeps until its next unlock, as
 * do_swap_page() does with the 2026 fix, unless
 * hs_switch.swap_page_spin_on_locked.
 */
static unsigned int do_huge_pmd_device_private(struct hs_vm_fault *vmf, hs_pte_t orig)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	struct hs_pte_table *t = pmd_table(mm, vmf->address);
	struct hs_page *head = hs_pfn_to_page(hs_pte_pfn(orig));
	unsigned int ret = 0;

	sim_spin_lock(&t->ptl);
	if (hs_ptep_get(&t->pmd) != orig) {
		sim_spin_unlock(&t->ptl);
		return 0;
	}
	hs_page_check(head, hs_pte_gen(orig), "do_huge_pmd_device_private");
	vmf->page = head;
	vmf->pte = NULL;
	if (hs_trylock_page(head)) {
		/* get_page() of the folio: one reference on every page (the
		 * model's counts are per page) */
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			sim_noted_add(&head[i]._refcount.v, 1);
		sim_spin_unlock(&t->ptl);
		if (sim_tracing())
			sim_event("do_huge_pmd_device_private %#lx: folio pfn %#lx locked, "
				  "migrate_to_ram",
				  vmf->address, hs_page_to_pfn(head));
		ret = head->pgmap->ops->migrate_to_ram(vmf);
		hs_unlock_page(head);
		hs_folio_put_all(head);
		return ret;
	}
	if (hs_switch.swap_page_spin_on_locked) {
		sim_spin_unlock(&t->ptl);
		sim_yield();
	} else {
		hs_migration_entry_wait_on_locked(head, &t->ptl);
	}
	return 0;
}

/**
 * hs_huge_pmd_fault() - __handle_mm_fault()'s PMD level.
 * @vmf: the fault; the caller holds mmap_lock for read
 *
 * create_huge_pmd() for a none PMD of a VMA that allows a THP there,
 * wp_huge_pmd() for a write to a read-only huge PMD; a present huge PMD
 * with the access it needs is a spurious fault.
 *
 * Return: 0 or HS_VM_FAULT_* bits; HS_VM_FAULT_FALLBACK when the fault
 * goes on at the pte level.
 */
unsigned int hs_huge_pmd_fault(struct hs_vm_fault *vmf)
{
	struct hs_mm *mm = vmf->vma->vm_mm;
	sim_atomic_t *pmdp = hs_pmd_offset(mm, vmf->address);

	if (!mm->has_huge || !pmdp)
		return HS_VM_FAULT_FALLBACK;
	hs_pte_t pmd = hs_ptep_get(pmdp);
	if (!pmd) {
		if (!thp_vma_suitable(vmf->vma, vmf->address))
			return HS_VM_FAULT_FALLBACK;
		return do_huge_pmd_anonymous_page(vmf);
	}
	if (hs_is_device_private_entry(pmd))
		return do_huge_pmd_device_private(vmf, pmd);
	if (hs_is_migration_entry(pmd)) {
		hs_pmd_migration_entry_wait(mm, vmf->address);
		return 0;
	}
	if ((vmf->flags & HS_FAULT_FLAG_WRITE) && !hs_pte_write(pmd))
		return do_huge_pmd_wp_page(vmf, pmd);
	return 0;
}

/* ---- splitting ------------------------------------------------------------------------ */

/*
 * __split_huge_pmd_locked()'s non-present branch (v6.19): a PMD
 * device-private entry becomes 512 device-private ptes (each writable if it
 * was) and a PMD migration entry 512 pte migration entries with its bits; no
 * TLB holds either.  The mapping and reference of each page stay (the
 * model's per-page counts), and the folio is split with the PMD: a folio a
 * migration holds (the PMD migration entry) stays locked as a whole, every
 * page now locked (see model/migrate_device_thp.c).
 */
static void split_huge_pmd_nonpresent(struct hs_mm *mm, struct hs_pte_table *t,
				      unsigned long haddr, hs_pte_t pmd)
{
	enum hs_swp_type type = hs_swp_type(pmd);
	unsigned long pfn = hs_pte_pfn(pmd);
	uint64_t fl = pmd & (HS_SWP_WRITE | HS_SWP_DIRTY | HS_SWP_YOUNG);

	if (type != HS_SWP_DEVICE_PRIVATE && type != HS_SWP_MIGRATION)
		sim_fail(HS_KIND_BUG, "split_huge_pmd %#lx: PMD entry of type %d", haddr, type);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		sim_noted_store_n(&t->pte[i].v, (long)hs_mk_swp_pte(type, pfn + i, fl),
				  __ATOMIC_RELEASE);
	/* planted (hs_switch.thp_split_folio_unlocked): the folio split as if
	 * nobody held its lock */
	hs_folio_split_locked(hs_pfn_to_page(pfn),
			      type == HS_SWP_MIGRATION && !hs_switch.thp_split_folio_unlocked);
	HS_NOTED_SET(t->populated, true);
	sim_atomic_store(&t->pmd, 0, SIM_RELEASE);
	(void)mm;
	if (sim_tracing())
		sim_event("split_huge_pmd %#lx: %s pfn %#lx", haddr,
			  type == HS_SWP_MIGRATION ? "migration entry" : "device-private", pfn);
}

/*
 * __split_huge_pmd_locked(): replace the leaf PMD of @haddr by 512 ptes with
 * its pfns and bits (the huge zero folio: 512 special ptes of the zero
 * page), under the PMD lock (the PTL).  pmdp_invalidate() flushes the huge
 * TLB entry first.  The ptes and the PMD change in one step (noted
 * accesses): a lockless walker sees the huge PMD or the ptes, as the
 * kernel's sees the PMD, an invalid PMD it retries on, or the table.
 */
static void split_huge_pmd_from(struct hs_mm *mm, struct hs_pte_table *t, unsigned long haddr,
				hs_pte_t pmd)
{
	if (!pmd)
		return;
	if (!hs_pte_present(pmd)) {
		split_huge_pmd_nonpresent(mm, t, haddr, pmd);
		return;
	}
	hs_flush_tlb_range(mm, haddr, haddr + HS_PMD_SIZE);
	uint64_t bits =
	    pmd & (HS_PTE_WRITE | HS_PTE_DIRTY | HS_PTE_YOUNG | HS_PTE_SPECIAL | HS_PTE_PROTNONE);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		unsigned long a = haddr + i * HS_PAGE_SIZE;
		sim_noted_store_n(&t->pte[i].v, (long)hs_mk_pte(pmd_subpage_pfn(pmd, a), bits),
				  __ATOMIC_RELEASE);
	}
	if (!hs_is_zero_pfn(hs_pte_pfn(pmd)))
		hs_folio_split_locked(hs_pfn_to_page(hs_pte_pfn(pmd)), false);
	HS_NOTED_SET(t->populated, true);
	sim_atomic_store(&t->pmd, 0, SIM_RELEASE);
	if (sim_tracing())
		sim_event("split_huge_pmd %#lx: pfn %#lx", haddr, hs_pte_pfn(pmd));
}

static void split_huge_pmd_locked(struct hs_mm *mm, struct hs_pte_table *t, unsigned long haddr)
{
	split_huge_pmd_from(mm, t, haddr, hs_ptep_get(&t->pmd));
}

/**
 * hs_split_huge_pmd_locked() - split_huge_pmd_locked(): split the huge PMD
 * of @addr, if there is one; the caller holds its PTL.
 * @mm: the address space
 * @addr: an address in the PMD's range
 */
void hs_split_huge_pmd_locked(struct hs_mm *mm, unsigned long addr)
{
	struct hs_pte_table *t = pmd_table(mm, addr);
	if (mm->has_huge && t)
		split_huge_pmd_locked(mm, t, addr & HPAGE_PMD_MASK);
}

/**
 * hs_split_huge_pmd() - split_huge_pmd() / __split_huge_pmd(): split the huge
 * PMD of @addr into ptes, if there is one.
 * @vma: the VMA; the caller holds mmap_lock
 * @addr: an address in the PMD's range
 *
 * Under an MMU_NOTIFY_CLEAR invalidation of the PMD's range, taken only when
 * the lockless look finds a huge PMD (the kernel's split_huge_pmd() checks
 * pmd_trans_huge() first too).
 */
void hs_split_huge_pmd(struct hs_vm_area_struct *vma, unsigned long addr)
{
	struct hs_mm *mm = vma->vm_mm;
	unsigned long haddr = addr & HPAGE_PMD_MASK;
	struct hs_pte_table *t = pmd_table(mm, haddr);
	struct hs_mmu_notifier_range range;

	if (!mm->has_huge || !t || !hs_ptep_get(&t->pmd))
		return;
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   haddr, haddr + HS_PMD_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	sim_spin_lock(&t->ptl);
	split_huge_pmd_locked(mm, t, haddr);
	sim_spin_unlock(&t->ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
}

/*
 * The counts of can_split_folio(), and of folio_ref_freeze() after it: a
 * page of the folio has a reference besides its mappings and the caller's.
 * Under the PTL of its PMD @t (mapcounts change under it, and so do pins:
 * the model's GUP grabs a huge PMD's page under it); noted loads, no
 * scheduling point.
 */
static bool folio_has_extra_refs(struct hs_pte_table *t, struct hs_page *head)
{
	sim_assert_held(&t->ptl);
	for (unsigned long k = 0; k < HPAGE_PMD_NR; k++) {
		long ref = sim_noted_load_n(&head[k]._refcount.v, __ATOMIC_RELAXED);
		long map = sim_noted_load_n(&head[k]._mapcount.v, __ATOMIC_RELAXED);
		if (ref - map != 1)
			return true;
	}
	return false;
}

/**
 * hs_split_folio() - split_folio() of the PMD-order folio @head, mapped by
 * the huge PMD of @addr (or by nothing any more), for migrate_vma_collect.
 * @vma: the VMA; the caller holds mmap_lock
 * @addr: an address in the PMD's range
 * @head: the folio's first page; the caller holds its lock and one reference
 *
 * The kernel's __folio_split() (split_huge_page_to_list_to_order() in
 * v6.12): can_split_folio() first, which fails (-EAGAIN) when anyone holds
 * a reference besides the mappings and the caller (a pin, another thread's
 * passing folio_get()), and then nothing is unmapped: the PMD stays huge
 * and no notifier runs.  Else unmap_folio() splits the PMD into pte
 * migration entries (TTU_SPLIT_HUGE_PMD, under an MMU_NOTIFY_CLEAR
 * invalidation), the folio's count is frozen, which fails too when a
 * reference came after the check, and remap_page() maps the ptes again
 * either way.  The model makes the first check in one section of the PTL
 * and the second, with the split of the PMD, in another, so a pin taken
 * before the first is seen and a GUP after the split finds ptes (the
 * kernel's waits on the migration entries until the folio is unlocked).
 * Simplified: a split failing on the second check leaves the PMD split into
 * ptes, as the kernel's does, and the folio split with it (the model has no
 * PTE-mapped large folio; the kernel's stays large).  Until session 28 the
 * model had only the second check: a pinned THP lost its PMD (and the
 * device its mapping, on the invalidation) in a split that failed.
 *
 * Return: 0, or -EAGAIN when the folio has other references.
 */
int hs_split_folio(struct hs_vm_area_struct *vma, unsigned long addr, struct hs_page *head)
{
	struct hs_mm *mm = vma->vm_mm;
	unsigned long haddr = addr & HPAGE_PMD_MASK;
	struct hs_pte_table *t = pmd_table(mm, haddr);
	struct hs_mmu_notifier_range range;
	int ret = 0;

	if (!hs_folio_large(head))
		return 0; /* split meanwhile (with its PMD) */
	/* can_split_folio(), before anything is unmapped */
	sim_spin_lock(&t->ptl);
	bool extra = folio_has_extra_refs(t, head);
	sim_spin_unlock(&t->ptl);
	if (extra) {
		if (sim_tracing())
			sim_event("split_folio pfn %#lx: other references, -EAGAIN, not unmapped",
				  hs_page_to_pfn(head));
		return -EAGAIN;
	}
	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_CLEAR, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, mm,
				   haddr, haddr + HS_PMD_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&range);
	sim_spin_lock(&t->ptl);
	if (folio_has_extra_refs(t, head)) /* folio_ref_freeze() */
		ret = -EAGAIN;
	hs_pte_t pmd = hs_ptep_get(&t->pmd);
	if (pmd && hs_pte_pfn(pmd) == hs_page_to_pfn(head))
		split_huge_pmd_from(mm, t, haddr, pmd); /* the folio with it */
	else if (!ret)
		hs_folio_split_locked(head, false); /* unmapped meanwhile */
	sim_spin_unlock(&t->ptl);
	hs_mmu_notifier_invalidate_range_end(&range);
	if (sim_tracing())
		sim_event("split_folio pfn %#lx: %s", hs_page_to_pfn(head),
			  ret ? "other references, -EAGAIN" : "split");
	return ret;
}

/**
 * hs_vma_adjust_trans_huge() - vma_adjust_trans_huge(): before a VMA is cut
 * at @start and @end, split a huge PMD either cut falls inside.
 * @mm: the address space; the caller holds mmap_lock for write
 * @start: first address of the range
 * @end: the address after it
 */
void hs_vma_adjust_trans_huge(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	if (!mm->has_huge)
		return;
	unsigned long cut[2] = {start, end};
	for (int i = 0; i < 2; i++) {
		struct hs_vm_area_struct *vma =
		    cut[i] < mm->va_size ? hs_find_vma(mm, cut[i]) : NULL;
		if (cut[i] & (HS_PMD_SIZE - 1) && vma)
			hs_split_huge_pmd(vma, cut[i]);
		vma = cut[i] ? hs_find_vma(mm, cut[i] - 1) : NULL;
		if (cut[i] & (HS_PMD_SIZE - 1) && vma)
			hs_split_huge_pmd(vma, cut[i] - 1);
	}
}

/* ---- zap and mprotect ----------------------------------------------------------------- */

/**
 * hs_zap_huge_pmd() - zap_huge_pmd(): clear the huge PMD of @addr.
 * @mm: the address space; the caller holds the PTL and zaps the PMD's whole range
 * @addr: the PMD's first address
 * @flush: set when a TLB may still hold the mapping
 *
 * The folio's pages lose their mapping and reference at once
 * (folio_put_pmd()); the caller flushes its gather before dropping the PTL
 * (the kernel gathers the folio with tlb_remove_page_size() and frees it
 * after the flush: the model's forced flush under the PTL closes that
 * window instead).
 *
 * Return: the folio's first page (NULL for the huge zero folio or no huge
 * PMD); the caller puts it with hs_folio_put_pmd() after its flush.
 */
struct hs_page *hs_zap_huge_pmd(struct hs_mm *mm, unsigned long addr, bool *flush)
{
	struct hs_pte_table *t = pmd_table(mm, addr);
	*flush = false;
	if (!mm->has_huge || !t || !hs_ptep_get(&t->pmd))
		return NULL;
	hs_pte_t pmd = (hs_pte_t)sim_atomic_xchg(&t->pmd, 0, SIM_ACQ_REL);
	*flush = true;
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		hs_mm_shadow_forget(mm, addr + i * HS_PAGE_SIZE);
	/* a PMD migration entry holds nothing (the migration does); a PMD
	 * device-private entry its folio, put like a THP's (v6.19) */
	if (hs_is_migration_entry(pmd) || hs_is_zero_pfn(hs_pte_pfn(pmd)))
		return NULL;
	struct hs_page *head = hs_pfn_to_page(hs_pte_pfn(pmd));
	hs_page_check(head, hs_pte_gen(pmd), "zap_huge_pmd");
	return head;
}

/**
 * hs_folio_put_pmd() - the gather's free of a folio hs_zap_huge_pmd() unmapped.
 * @head: the folio's first page
 */
void hs_folio_put_pmd(struct hs_page *head)
{
	if (!hs_is_zone_device_page(head)) {
		folio_put_pmd(head);
		return;
	}
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		sim_noted_add(&head[i]._mapcount.v, -1);
	hs_folio_put_all(head);
}

/**
 * hs_change_huge_pmd() - change_huge_pmd(): the new protection of a huge PMD.
 * @vma: the VMA (its new flags); the caller holds the PTL, and the PMD's
 *  range lies inside @vma
 * @addr: the PMD's first address
 * @flush: set when the PMD lost a permission a TLB may still grant
 *
 * As change_pte_range() does for a pte (pte_modify(), a writable anonymous
 * THP in a writable VMA stays writable: MM_CP_TRY_CHANGE_WRITABLE).
 *
 * Return: whether @addr's PMD was huge (the ptes need no walk then).
 */
bool hs_change_huge_pmd(struct hs_vm_area_struct *vma, unsigned long addr, bool *flush)
{
	struct hs_mm *mm = vma->vm_mm;
	struct hs_pte_table *t = pmd_table(mm, addr);
	if (!mm->has_huge || !t)
		return false;
	hs_pte_t pmd = hs_ptep_get(&t->pmd);
	if (!pmd)
		return false;
	if (!hs_pte_present(pmd)) {
		/* change_non_present_huge_pmd(): a write entry becomes a read one */
		if (!(vma->vm_flags & HS_VM_WRITE) && hs_is_writable_swp_entry(pmd))
			sim_atomic_store(&t->pmd, (long)(pmd & ~HS_SWP_WRITE), SIM_RELEASE);
		*flush = false;
		return true;
	}
	hs_pte_t new = pmd & ~(HS_PTE_WRITE | HS_PTE_PROTNONE);
	if (!(vma->vm_flags & (HS_VM_READ | HS_VM_WRITE)))
		new |= HS_PTE_PROTNONE;
	else if ((vma->vm_flags & HS_VM_WRITE) && !hs_is_zero_pfn(hs_pte_pfn(pmd)))
		new |= HS_PTE_WRITE;
	pmd = (hs_pte_t)sim_atomic_xchg(&t->pmd, (long)new, SIM_ACQ_REL);
	*flush = (hs_pte_write(pmd) && !hs_pte_write(new)) ||
		 (!hs_pte_protnone(pmd) && hs_pte_protnone(new));
	return true;
}

/* ---- the hardware walk ---------------------------------------------------------------- */

/**
 * hs_pmd_huge_locked() - pte_offset_map_lock()'s check that a PTE table is
 * still there: whether a huge PMD entry (a THP, the huge zero folio, a v6.19
 * device-private or migration entry) now stands for @addr's table.
 * @mm: the address space
 * @addr: the address; the caller holds its PTL (the PMD's lock here)
 *
 * A noted read of the PMD word (no scheduling point: the lock orders it).
 *
 * Return: true when no pte may be set there.
 */
bool hs_pmd_huge_locked(struct hs_mm *mm, unsigned long addr)
{
	sim_atomic_t *pmdp = mm->has_huge ? hs_pmd_offset(mm, addr) : NULL;
	return pmdp && sim_noted_load_n(&pmdp->v, __ATOMIC_RELAXED);
}

/**
 * hs_huge_pmd_access() - the hardware's walk through a huge PMD.
 * @mm: the address space
 * @addr: the address accessed
 * @write: a store
 * @pfn: set to the page reached
 *
 * A lockless read of the PMD word (only in an mm with huge VMAs); a store
 * sets the PMD's dirty bit with a cmpxchg, as on a pte.  The TLB caches the
 * 4 KiB translation of @addr (the model's TLB has no huge entries).
 *
 * Return: whether the PMD maps @addr with the access asked for.
 */
bool hs_huge_pmd_access(struct hs_mm *mm, unsigned long addr, bool write, unsigned long *pfn)
{
	sim_atomic_t *pmdp = mm->has_huge ? hs_pmd_offset(mm, addr) : NULL;
	if (!pmdp)
		return false;
	for (;;) {
		hs_pte_t pmd = hs_ptep_get(pmdp);
		if (!hs_pte_present(pmd) || hs_pte_protnone(pmd) || (write && !hs_pte_write(pmd)))
			return false;
		if (write && !hs_pte_dirty(pmd)) {
			if (!hs_pte_set_dirty_hw(pmdp, pmd))
				continue;
			pmd |= HS_PTE_DIRTY;
		}
		*pfn = pmd_subpage_pfn(pmd, addr);
		if (!hs_is_zero_pfn(*pfn))
			hs_page_check(hs_pfn_to_page(hs_pte_pfn(pmd)), hs_pte_gen(pmd),
				      "CPU access (huge PMD)");
		hs_tlb_fill(mm, addr,
			    hs_mk_pte(*pfn, pmd & (HS_PTE_WRITE | HS_PTE_DIRTY | HS_PTE_YOUNG)));
		return true;
	}
}

/**
 * hs_follow_huge_pmd() - follow_pmd_mask() and follow_huge_pmd() of
 * mm/gup.c: the page a huge PMD maps at @addr, for get_user_pages().
 * @mm: the address space; the caller holds the PTL of @addr (pmd_lock())
 * @addr: the address
 * @write: FOLL_WRITE
 * @page: set to the page, or NULL (no leaf, or a fault is needed)
 *
 * Only in an mm with huge VMAs (no scheduling point otherwise).  A present
 * leaf gives its page at @addr unless the access needs a fault first
 * (protnone, or FOLL_WRITE on a PMD that is not writable: the kernel's
 * can_follow_write_pmd() without FOLL_FORCE); a PMD device-private or
 * migration entry gives nothing (no_page_table(): the fault handles it).
 * The caller grabs the page (try_grab_folio() of the folio: the model's
 * per-page counts take it on that page).  Simplified: no FOLL_TOUCH
 * (touch_pmd()), no unsharing of a shared anonymous THP (gup_must_unshare()).
 *
 * Return: HS_PMD_TABLE (no leaf: the ptes are to be looked at),
 * HS_PMD_LEAF (a present huge PMD) or HS_PMD_NONPRESENT (a PMD
 * device-private or migration entry).
 */
int hs_follow_huge_pmd(struct hs_mm *mm, unsigned long addr, bool write, struct hs_page **page)
{
	sim_atomic_t *pmdp = mm->has_huge ? hs_pmd_offset(mm, addr) : NULL;
	hs_pte_t pmd = pmdp ? hs_ptep_get(pmdp) : 0;

	*page = NULL;
	if (!pmd)
		return HS_PMD_TABLE;
	if (!hs_pte_present(pmd))
		return HS_PMD_NONPRESENT;
	if (hs_pte_protnone(pmd) || (write && !hs_pte_write(pmd)))
		return HS_PMD_LEAF;
	if (!hs_is_zero_pfn(hs_pte_pfn(pmd)))
		hs_page_check(hs_pfn_to_page(hs_pte_pfn(pmd)), hs_pte_gen(pmd), "follow_huge_pmd");
	*page = hs_pfn_to_page(pmd_subpage_pfn(pmd, addr));
	return HS_PMD_LEAF;
}

/**
 * hs_huge_pmd_maps() - the data oracle: does a huge PMD map @pfn at @addr?
 * @mm: the address space
 * @addr: the address
 * @pfn: the page a CPU store went to
 *
 * Not a kernel function: a noted read of the PMD word, no scheduling point.
 *
 * Return: whether the PMD of @addr is a present leaf whose page there is @pfn.
 */
bool hs_huge_pmd_maps(struct hs_mm *mm, unsigned long addr, unsigned long pfn)
{
	sim_atomic_t *pmdp = hs_pmd_offset(mm, addr);
	hs_pte_t pmd = pmdp ? (hs_pte_t)sim_noted_load_n(&pmdp->v, __ATOMIC_RELAXED) : 0;
	return hs_pte_present(pmd) && pmd_subpage_pfn(pmd, addr) == pfn;
}

/**
 * hs_huge_pmd_subpage_pte() - the pte a huge PMD stands for at @addr.
 * @mm: the address space
 * @addr: the address
 *
 * Not a kernel function, for the oracles (the device-coherence check): a
 * noted read of the PMD word, no scheduling point.
 *
 * Return: the PMD's bits with the pfn of @addr's page, or 0 when the PMD is
 * not a leaf.
 */
hs_pte_t hs_huge_pmd_subpage_pte(struct hs_mm *mm, unsigned long addr)
{
	sim_atomic_t *pmdp = hs_pmd_offset(mm, addr);
	hs_pte_t pmd = pmdp ? (hs_pte_t)sim_noted_load_n(&pmdp->v, __ATOMIC_RELAXED) : 0;
	if (!pmd)
		return 0;
	return (pmd & ~HS_PTE_PFN_MASK) | (hs_pte_t)pmd_subpage_pfn(pmd, addr) << HS_PTE_PFN_SHIFT;
}

/**
 * hs_free_pgtables() - free_pgtables() after munmap(): a PTE table whose
 * 2 MiB no VMA overlaps any more is empty (every pte was zapped), so the
 * model forgets it was populated, and a later fault there may get a THP.
 * @mm: the address space; the caller holds mmap_lock for write
 * @start: first address unmapped
 * @end: the address after it
 *
 * Only in an mm with huge VMAs (the flag is read by nothing else).
 */
void hs_free_pgtables(struct hs_mm *mm, unsigned long start, unsigned long end)
{
	if (!mm->has_huge)
		return;
	for (unsigned long a = start & HPAGE_PMD_MASK; a < end && a < mm->va_size;
	     a += HS_PMD_SIZE) {
		struct hs_pte_table *t = pmd_table(mm, a);
		bool used = false;
		for (int i = 0; i < mm->nr_vmas; i++)
			used |= mm->vmas[i].vm_start < a + HS_PMD_SIZE && mm->vmas[i].vm_end > a;
		if (!t || used)
			continue;
		sim_spin_lock(&t->ptl);
		HS_NOTED_SET(t->populated, false);
		sim_spin_unlock(&t->ptl);
	}
}

/**
 * hs_move_huge_pmd() - move_huge_pmd(): mremap() moves a whole huge PMD.
 * @mm: the address space; the caller holds mmap_lock for write and both PTLs
 * @old_addr: the PMD-aligned source
 * @new_addr: the PMD-aligned destination
 *
 * The PMD word moves as it is (pmdp_huge_get_and_clear() + set_pmd_at());
 * the old range's TLB entries are flushed before the PTLs are dropped, and
 * the data oracle's record moves with the pages.  A PMD device-private or
 * migration entry of a device folio moves each page's mapping record too
 * (hs_dev_rmap_move(), as move_ptes() does: the kernel's rmap walk finds
 * the moved VMA through its anon_vma; until session 26 the record kept the
 * old address, so an eviction by pfn after the move missed the mapping and
 * waited for ever).
 *
 * Return: true when moved; false when there is no huge PMD at @old_addr or
 * the destination table is not empty (the caller splits and moves ptes).
 */
bool hs_move_huge_pmd(struct hs_mm *mm, unsigned long old_addr, unsigned long new_addr)
{
	struct hs_pte_table *o = pmd_table(mm, old_addr), *n = pmd_table(mm, new_addr);

	if (!mm->has_huge || !o || !n || !hs_ptep_get(&o->pmd) || HS_NOTED(n->populated) ||
	    hs_ptep_get(&n->pmd))
		return false;
	hs_pte_t pmd = (hs_pte_t)sim_atomic_xchg(&o->pmd, 0, SIM_ACQ_REL);
	sim_atomic_store(&n->pmd, (long)pmd, SIM_RELEASE);
	hs_flush_tlb_range(mm, old_addr, old_addr + HS_PMD_SIZE);
	if (!hs_pte_present(pmd)) /* a device folio's PMD entry */
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			hs_dev_rmap_move(hs_pfn_to_page(hs_pte_pfn(pmd) + i), mm,
					 new_addr + i * HS_PAGE_SIZE);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		hs_mm_shadow_move(mm, old_addr + i * HS_PAGE_SIZE, new_addr + i * HS_PAGE_SIZE);
	if (sim_tracing())
		sim_event("move_huge_pmd %#lx -> %#lx", old_addr, new_addr);
	return true;
}
