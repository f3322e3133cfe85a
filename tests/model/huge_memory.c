// SPDX-License-Identifier: MIT
/*
 * huge_memory suite: THP of anonymous memory (model/huge_memory.c) and mremap
 * (model/mremap.c): the huge fault and its fallback, the huge zero page and
 * its write fault, the splits of partial munmap / mprotect / MADV_DONTNEED /
 * reclaim, a whole-PMD zap and mprotect, hmm_range_fault()'s map order,
 * and mremap moving ptes, a whole THP and device-private entries.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "internal.h" /* model/internal.h: the RAM free list, the PMD word */
#include "model_helpers.h"

#define HBASE  HS_PMD_SIZE /* a PMD-aligned VMA */
#define HPG(i) (HBASE + (unsigned long)(i)*HS_PAGE_SIZE)
#define NR     HS_PTRS_PER_PTE

/* A machine with @ram pages and an mm with a huge VMA of one PMD at HBASE
 * (plus @extra pages after it). */
static struct hs_mm *huge_setup(unsigned long ram, unsigned long extra, unsigned int prot)
{
	hs_machine_init(ram, 64);
	struct hs_mm *mm = hs_mm_alloc("thp", 8ul << 20, 8);
	sim_check(hs_mmap(mm, HBASE, (NR + extra) * HS_PAGE_SIZE, prot | HS_VM_HUGEPAGE) == 0,
		  "mmap failed");
	return mm;
}

static hs_pte_t pmd_of(struct hs_mm *mm, unsigned long addr)
{
	return (hs_pte_t)__atomic_load_n(&hs_pmd_offset(mm, addr)->v, __ATOMIC_RELAXED);
}

static hs_pte_t pte_of(struct hs_mm *mm, unsigned long addr)
{
	return (hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, addr)->v, __ATOMIC_RELAXED);
}

static void huge_fault_main(void *arg)
{
	struct hs_mm *mm = huge_setup(1024, 0, HS_VM_READ | HS_VM_WRITE);
	unsigned long v = 1, nfree = hs_mach->nr_ram_free;

	sim_check(hs_cpu_read(mm, HPG(3), &v) == 0 && v == 0, "a read reads 0");
	hs_pte_t pmd = pmd_of(mm, HBASE);
	sim_check(hs_pte_present(pmd) && hs_is_zero_pfn(hs_pte_pfn(pmd)) && !hs_pte_write(pmd),
		  "a read fault maps the huge zero page read-only (pmd %#llx)",
		  (unsigned long long)pmd);
	sim_check(hs_mach->nr_ram_free == nfree, "the huge zero page takes no RAM");
	sim_check(hs_cpu_write(mm, HPG(5), 55) == 0, "write");
	pmd = pmd_of(mm, HBASE);
	sim_check(hs_pte_present(pmd) && !hs_is_zero_pfn(hs_pte_pfn(pmd)) && hs_pte_write(pmd) &&
		      hs_pte_pfn(pmd) % NR == 0,
		  "a write to the huge zero page gets an aligned THP (do_huge_zero_wp_pmd())");
	sim_check(hs_mach->nr_ram_free == nfree - NR, "512 pages taken");
	sim_check(hs_pte_none(pte_of(mm, HPG(5))), "no pte under a huge PMD");
	struct hs_page *p = hs_pfn_to_page(hs_pte_pfn(pmd) + 5);
	sim_check(hs_page_ref_count(p) == 1 && hs_page_mapcount(p) == 1,
		  "each page of the THP: one reference, one mapping");
	sim_check(hs_cpu_read(mm, HPG(5), &v) == 0 && v == 55, "reads back 55");
	sim_check(hs_cpu_read(mm, HPG(6), &v) == 0 && v == 0, "its neighbour reads 0");
	hs_mm_check_data(mm, HBASE, HPG(NR));
	sim_check(hs_munmap(mm, HBASE, NR * HS_PAGE_SIZE) == 0, "munmap of the whole PMD");
	sim_check(hs_mach->nr_ram_free == nfree, "zap_huge_pmd() freed the folio");
}

static void test_huge_fault(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(huge_fault_main), "");
}

static void fallback_main(void *arg)
{
	/* 600 RAM pages: pfns 1..599, no aligned free block but 512..1023 */
	struct hs_mm *mm = huge_setup(600, 0, HS_VM_READ | HS_VM_WRITE);
	unsigned long v;

	sim_check(hs_cpu_write(mm, HPG(0), 1) == 0, "write");
	sim_check(pmd_of(mm, HBASE) == 0 && hs_pte_present(pte_of(mm, HPG(0))),
		  "no aligned block of 512 free pages: a base page (VM_FAULT_FALLBACK)");
	sim_check(hs_cpu_write(mm, HPG(1), 2) == 0 && hs_cpu_read(mm, HPG(0), &v) == 0 && v == 1,
		  "the range goes on with base pages");
	sim_check(pmd_of(mm, HBASE) == 0, "a populated table never gets a THP");
}

static void test_fallback(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(fallback_main), "");
}

static void split_main(void *arg)
{
	struct hs_mm *mm = huge_setup(1024, 0, HS_VM_READ | HS_VM_WRITE);
	unsigned long v, nfree;

	for (unsigned long i = 0; i < NR; i += 64)
		hs_cpu_write(mm, HPG(i), 100 + i);
	hs_pte_t pmd = pmd_of(mm, HBASE);
	nfree = hs_mach->nr_ram_free;
	sim_check(hs_mprotect(mm, HPG(64), HS_PAGE_SIZE, HS_VM_READ) == 0, "mprotect one page");
	sim_check(pmd_of(mm, HBASE) == 0, "the partial mprotect split the PMD");
	sim_check(hs_pte_pfn(pte_of(mm, HPG(64))) == hs_pte_pfn(pmd) + 64 &&
		      !hs_pte_write(pte_of(mm, HPG(64))) && hs_pte_write(pte_of(mm, HPG(65))),
		  "512 ptes of the folio's pages; only the mprotected one is read-only");
	sim_check(hs_cpu_write(mm, HPG(64), 1) == -EFAULT, "a write there faults");
	sim_check(hs_madvise_dontneed(mm, HPG(128), HS_PAGE_SIZE) == 0 &&
		      hs_mach->nr_ram_free == nfree + 1,
		  "MADV_DONTNEED of one page frees that page");
	sim_check(hs_cpu_read(mm, HPG(128), &v) == 0 && v == 0, "which reads 0 again");
	sim_check(hs_swap_out(mm, HPG(192)) == 0, "reclaim of one page of the split THP");
	sim_check(hs_cpu_read(mm, HPG(192), &v) == 0 && v == 292, "swapped back in");
	sim_check(hs_munmap(mm, HPG(256), 64 * HS_PAGE_SIZE) == 0, "munmap of 64 pages");
	sim_check(hs_cpu_read(mm, HPG(256), &v) == -EFAULT && hs_cpu_read(mm, HPG(320), &v) == 0 &&
		      v == 420,
		  "the rest stays");
	hs_mm_check_data(mm, HBASE, HPG(NR));
}

static void test_split(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(split_main), "");
}

static void whole_main(void *arg)
{
	struct hs_mm *mm = huge_setup(1024, 0, HS_VM_READ | HS_VM_WRITE);
	unsigned long v;

	hs_cpu_write(mm, HPG(9), 9);
	sim_check(hs_mprotect(mm, HBASE, NR * HS_PAGE_SIZE, HS_VM_READ) == 0, "mprotect the PMD");
	hs_pte_t pmd = pmd_of(mm, HBASE);
	sim_check(hs_pte_present(pmd) && !hs_pte_write(pmd),
		  "change_huge_pmd(): still huge, read-only");
	sim_check(hs_cpu_write(mm, HPG(9), 1) == -EFAULT && hs_cpu_read(mm, HPG(9), &v) == 0 &&
		      v == 9,
		  "writes fault, reads work");
	sim_check(hs_mprotect(mm, HBASE, NR * HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0 &&
		      hs_pte_write(pmd_of(mm, HBASE)),
		  "rw again: an exclusive THP is writable at once");
	sim_check(hs_cpu_write(mm, HPG(10), 10) == 0, "write");
	hs_mm_check_data(mm, HBASE, HPG(NR));
}

static void test_whole(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(whole_main), "");
}

static bool hmm_inv(struct hs_mmu_interval_notifier *sub, const struct hs_mmu_notifier_range *r,
		    unsigned long seq)
{
	hs_mmu_interval_set_seq(sub, seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops hmm_ops = {.invalidate = hmm_inv};

static void hmm_order_main(void *arg)
{
	struct hs_mm *mm = huge_setup(1024, 2, HS_VM_READ | HS_VM_WRITE);
	struct hs_mmu_interval_notifier *sub = sim_alloc(sizeof(*sub));
	unsigned long pfns[4];

	hs_cpu_write(mm, HPG(NR - 2), 1);
	hs_mmu_interval_notifier_insert(sub, mm, HBASE, (NR + 2) * HS_PAGE_SIZE, &hmm_ops);
	struct hs_hmm_range range = {
	    .notifier = sub,
	    .start = HPG(NR - 2),
	    .end = HPG(NR + 2),
	    .hmm_pfns = pfns,
	    .default_flags = HS_HMM_PFN_REQ_FAULT | HS_HMM_PFN_REQ_WRITE,
	};
	range.notifier_seq = hs_mmu_interval_read_begin(sub);
	sim_down_read(&mm->mmap_lock);
	int ret = hs_hmm_range_fault(&range);
	sim_up_read(&mm->mmap_lock);
	hs_pte_t pmd = pmd_of(mm, HBASE);
	sim_check(ret == 0, "hmm_range_fault: %d", ret);
	for (int i = 0; i < 2; i++)
		sim_check(hs_hmm_pfn_to_map_order(pfns[i]) == 9 &&
			      hs_hmm_pfn_to_pfn(pfns[i]) == hs_pte_pfn(pmd) + NR - 2 + i &&
			      (pfns[i] & HS_HMM_PFN_WRITE),
			  "page %d of the THP: order 9, its pfn in the folio (%#lx)", i, pfns[i]);
	for (int i = 2; i < 4; i++)
		sim_check(hs_hmm_pfn_to_map_order(pfns[i]) == 0 && (pfns[i] & HS_HMM_PFN_VALID),
			  "page %d after the PMD: a base page, order 0 (%#lx)", i, pfns[i]);
}

static void test_hmm_order(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(hmm_order_main), "");
}

static void mremap_main(void *arg)
{
	struct hs_mm *mm = huge_setup(1024, 0, HS_VM_READ | HS_VM_WRITE);
	unsigned long v, to = 3 * HS_PMD_SIZE, flags = HS_MREMAP_MAYMOVE | HS_MREMAP_FIXED;

	hs_cpu_write(mm, HPG(7), 7);
	hs_pte_t pmd = pmd_of(mm, HBASE);
	sim_check(hs_mremap(mm, HBASE, NR * HS_PAGE_SIZE, to, flags) == 0, "mremap the THP");
	sim_check(pmd_of(mm, HBASE) == 0 && pmd_of(mm, to) == pmd,
		  "move_huge_pmd(): the word moved");
	sim_check(hs_cpu_read(mm, to + 7 * HS_PAGE_SIZE, &v) == 0 && v == 7, "reads 7 there");
	sim_check(hs_cpu_read(mm, HPG(7), &v) == -EFAULT, "the old range is gone");
	sim_check(hs_mremap(mm, to + 7 * HS_PAGE_SIZE, 4 * HS_PAGE_SIZE, HPG(7),
			    flags | HS_MREMAP_DONTUNMAP) == 0,
		  "mremap(DONTUNMAP) of 4 pages out of the THP");
	sim_check(pmd_of(mm, to) == 0, "which split it");
	sim_check(hs_cpu_read(mm, HPG(7), &v) == 0 && v == 7, "moved page reads 7");
	sim_check(hs_cpu_read(mm, to + 7 * HS_PAGE_SIZE, &v) == 0 && v == 0,
		  "the old range stays mapped, empty (DONTUNMAP)");
	sim_check(hs_mremap(mm, HBASE, 2 * HS_PAGE_SIZE, HBASE + HS_PAGE_SIZE, flags) == -EINVAL,
		  "overlapping ranges: -EINVAL");
	sim_check(hs_mremap(mm, HBASE, HS_PAGE_SIZE, to, HS_MREMAP_MAYMOVE) == -EINVAL,
		  "without MREMAP_FIXED: -EINVAL (not modelled)");
	sim_check(hs_mremap(mm, 16 * HS_PAGE_SIZE, HS_PAGE_SIZE, to, flags) == -EFAULT,
		  "no VMA at the old address: -EFAULT");
}

static void test_mremap(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(mremap_main), "");
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("huge_memory", NULL, NULL);
	CU_add_test(s, "THP fault, huge zero page, its write fault, whole-PMD zap",
		    test_huge_fault);
	CU_add_test(s, "no aligned free block: fallback to base pages", test_fallback);
	CU_add_test(s, "partial mprotect / MADV_DONTNEED / reclaim / munmap split", test_split);
	CU_add_test(s, "mprotect of a whole PMD keeps it huge", test_whole);
	CU_add_test(s, "hmm_range_fault: map order 9 for a huge PMD", test_hmm_order);
	CU_add_test(s, "mremap: a whole THP, a part of one, DONTUNMAP, errors", test_mremap);
}
