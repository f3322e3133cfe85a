// SPDX-License-Identifier: MIT
/*
 * hmm suite: hmm_range_fault()'s per-pte decisions, request flags through
 * default_flags and pfn_flags_mask, errors, -EBUSY on a moved sequence, and
 * the device-private owner rule (and the pre-v5.7 switch that drops it).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "model_helpers.h"

static bool nop_invalidate(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	hs_mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops nop_ops = {.invalidate = nop_invalidate};

struct rf {
	struct hs_mm *mm;
	struct hs_mmu_interval_notifier sub;
	unsigned long pfns[8];
};

static struct rf *rf_setup(unsigned long npages, unsigned int prot)
{
	struct rf *r = sim_alloc(sizeof(*r));
	r->mm = model_setup(npages, prot);
	hs_mmu_interval_notifier_insert(&r->sub, r->mm, 0, r->mm->va_size, &nop_ops);
	return r;
}

/* hmm_range_fault() with the caller's protocol around it: start again from
 * read_begin on -EBUSY (our own faults invalidate, so they move the seq). */
static int rf_fault(struct rf *r, unsigned long start, unsigned long n, unsigned long dflt,
		    unsigned long mask, void *owner)
{
	struct hs_hmm_range range = {
	    .notifier = &r->sub,
	    .start = start,
	    .end = start + n * HS_PAGE_SIZE,
	    .hmm_pfns = r->pfns,
	    .default_flags = dflt,
	    .pfn_flags_mask = mask,
	    .dev_private_owner = owner,
	};
	int ret;
	do {
		range.notifier_seq = hs_mmu_interval_read_begin(&r->sub);
		sim_down_read(&r->mm->mmap_lock);
		ret = hs_hmm_range_fault(&range);
		sim_up_read(&r->mm->mmap_lock);
	} while (ret == -EBUSY);
	return ret;
}

static unsigned long pte_pfn_of(struct hs_mm *mm, unsigned long addr)
{
	return hs_pte_pfn((hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, addr)->v, __ATOMIC_RELAXED));
}

static void snapshot_main(void *arg)
{
	struct rf *r = rf_setup(4, HS_VM_READ | HS_VM_WRITE);
	unsigned long v;

	hs_cpu_write(r->mm, PG(1), 3);
	hs_cpu_read(r->mm, PG(2), &v); /* zero page */
	sim_check(rf_fault(r, BASE, 4, 0, 0, NULL) == 0, "snapshot");
	sim_check(r->pfns[0] == 0, "none pte: 0 (%#lx)", r->pfns[0]);
	sim_check(r->pfns[1] == (pte_pfn_of(r->mm, PG(1)) | HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE),
		  "written page: pfn valid|write");
	sim_check(r->pfns[2] == (HS_ZERO_PFN | HS_HMM_PFN_VALID), "zero page: valid, not write");
	/* past the VMA: error entries without a fault, -EFAULT with one */
	sim_check(rf_fault(r, PG(3), 2, 0, 0, NULL) == 0, "snapshot past the VMA");
	sim_check(r->pfns[1] == HS_HMM_PFN_ERROR, "no VMA: error (%#lx)", r->pfns[1]);
	sim_check(rf_fault(r, PG(3), 2, HS_HMM_PFN_REQ_FAULT, 0, NULL) == -EFAULT,
		  "faulting past the VMA: -EFAULT");
}

static void test_snapshot(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(snapshot_main), "");
}

static void fault_main(void *arg)
{
	struct rf *r = rf_setup(4, HS_VM_READ | HS_VM_WRITE);

	sim_check(rf_fault(r, BASE, 2, HS_HMM_PFN_REQ_FAULT, 0, NULL) == 0, "read fault");
	sim_check(r->pfns[0] == (HS_ZERO_PFN | HS_HMM_PFN_VALID), "read fault: zero page");
	sim_check(rf_fault(r, BASE, 2, HS_HMM_PFN_REQ_FAULT | HS_HMM_PFN_REQ_WRITE, 0, NULL) == 0,
		  "write fault");
	for (int i = 0; i < 2; i++)
		sim_check((r->pfns[i] & (HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE)) ==
				  (HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE) &&
			      hs_hmm_pfn_to_pfn(r->pfns[i]) == pte_pfn_of(r->mm, PG(i)) &&
			      !hs_is_zero_pfn(hs_hmm_pfn_to_pfn(r->pfns[i])),
			  "write fault: a writable page of its own (%d)", i);
	/* per-page requests through pfn_flags_mask: only page 3 faults */
	for (int i = 0; i < 2; i++)
		r->pfns[i] = i == 1 ? HS_HMM_PFN_REQ_FAULT : 0;
	sim_check(rf_fault(r, PG(2), 2, 0, HS_HMM_PFN_REQ_FAULT, NULL) == 0, "masked request");
	sim_check(r->pfns[0] == 0 && (r->pfns[1] & HS_HMM_PFN_VALID), "only page 3 faulted");
}

static void test_fault(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(fault_main), "");
}

static void perm_main(void *arg)
{
	struct rf *r = rf_setup(2, HS_VM_READ);
	sim_check(rf_fault(r, BASE, 2, HS_HMM_PFN_REQ_FAULT | HS_HMM_PFN_REQ_WRITE, 0, NULL) ==
		      -EPERM,
		  "write request on a read-only VMA: -EPERM");
	sim_check(rf_fault(r, BASE, 2, HS_HMM_PFN_REQ_FAULT, 0, NULL) == 0, "read is fine");
	hs_mprotect(r->mm, BASE, 2 * HS_PAGE_SIZE, 0);
	sim_check(rf_fault(r, BASE, 2, 0, 0, NULL) == 0 && r->pfns[0] == HS_HMM_PFN_ERROR,
		  "PROT_NONE snapshot: error entries");
	sim_check(rf_fault(r, BASE, 2, HS_HMM_PFN_REQ_FAULT, 0, NULL) == -EFAULT,
		  "PROT_NONE fault: -EFAULT");
	sim_check(hs_mmap(r->mm, PG(4), HS_PAGE_SIZE, HS_VM_READ | HS_VM_PFNMAP) == 0, "pfnmap");
	sim_check(rf_fault(r, PG(4), 1, HS_HMM_PFN_REQ_FAULT, 0, NULL) == -EFAULT,
		  "VM_PFNMAP: -EFAULT");
}

static void test_permissions(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(perm_main), "");
}

/* The sequence moved since read_begin: -EBUSY, and the caller starts again. */
static void ebusy_main(void *arg)
{
	struct rf *r = rf_setup(2, HS_VM_READ | HS_VM_WRITE);
	struct hs_hmm_range range = {
	    .notifier = &r->sub,
	    .start = BASE,
	    .end = PG(2),
	    .hmm_pfns = r->pfns,
	    .default_flags = HS_HMM_PFN_REQ_FAULT,
	};
	hs_cpu_write(r->mm, PG(0), 1);
	range.notifier_seq = hs_mmu_interval_read_begin(&r->sub);
	hs_madvise_dontneed(r->mm, PG(0), HS_PAGE_SIZE); /* an invalidation */
	sim_down_read(&r->mm->mmap_lock);
	sim_check(hs_hmm_range_fault(&range) == -EBUSY, "moved sequence: -EBUSY");
	sim_up_read(&r->mm->mmap_lock);
}

static void test_ebusy(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(ebusy_main), "");
}

/* Device-private pages: returned only to their owner, faulted back for others. */
static void owner_main(void *arg)
{
	struct hs_mm *mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	struct hs_dmirror_device *d0 = hs_dmirror_device_create("dev0", 4);
	struct hs_dmirror_device *d1 = hs_dmirror_device_create("dev1", 4);
	struct hs_dmirror *m0 = hs_dmirror_open(d0, mm);
	struct rf *r = sim_alloc(sizeof(*r));
	unsigned long v;

	r->mm = mm;
	hs_mmu_interval_notifier_insert(&r->sub, mm, 0, mm->va_size, &nop_ops);
	hs_cpu_write(mm, PG(0), 0x77);
	hs_cpu_write(mm, PG(1), 0x78);
	sim_check(hs_dmirror_migrate_to_dev(m0, BASE, 2) == 0, "migrate to dev0");
	unsigned long dpfn = pte_pfn_of(mm, PG(0));
	sim_check(hs_is_device_private_page(hs_pfn_to_page(dpfn)), "now device private");

	sim_check(rf_fault(r, BASE, 1, HS_HMM_PFN_REQ_FAULT, 0, hs_dmirror_device_owner(d0)) == 0 &&
		      hs_hmm_pfn_to_pfn(r->pfns[0]) == dpfn,
		  "the owner gets the device pfn, no migration");
	sim_check(rf_fault(r, BASE, 1, 0, 0, hs_dmirror_device_owner(d1)) == 0 && r->pfns[0] == 0,
		  "another owner's snapshot: not present");
	hs_switch.hmm_no_owner_check = true; /* before v5.7 */
	int ret = rf_fault(r, BASE, 1, 0, 0, hs_dmirror_device_owner(d1));
	hs_switch.hmm_no_owner_check = false;
	sim_check(ret == 0 && hs_hmm_pfn_to_pfn(r->pfns[0]) == dpfn,
		  "without the owner check anyone gets the device pfn");
	sim_check(rf_fault(r, BASE, 1, HS_HMM_PFN_REQ_FAULT, 0, hs_dmirror_device_owner(d1)) == 0,
		  "another owner's fault");
	sim_check(!hs_is_zone_device_page(hs_pfn_to_page(hs_hmm_pfn_to_pfn(r->pfns[0]))),
		  "faulted back to system memory");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 0x77, "data came back");
	sim_check(hs_cpu_read(mm, PG(1), &v) == 0 && v == 0x78, "CPU fault migrates back too");
	hs_dmirror_release(m0);
}

static void test_owner(void)
{
	const char *k = run_once(owner_main);
	hs_switch.hmm_no_owner_check = false;
	CU_ASSERT_STRING_EQUAL(k, "");
}

/* A fault racing with invalidations: the protocol makes the result usable. */
struct racectx {
	struct rf *r;
	int done;
};

static void faulter(void *arg)
{
	struct racectx *c = arg;
	struct hs_hmm_range range = {
	    .notifier = &c->r->sub,
	    .start = BASE,
	    .end = PG(2),
	    .hmm_pfns = c->r->pfns,
	    .default_flags = HS_HMM_PFN_REQ_FAULT | HS_HMM_PFN_REQ_WRITE,
	};
	int ret;
	do {
		range.notifier_seq = hs_mmu_interval_read_begin(&c->r->sub);
		sim_down_read(&c->r->mm->mmap_lock);
		ret = hs_hmm_range_fault(&range);
		sim_up_read(&c->r->mm->mmap_lock);
	} while (ret == -EBUSY);
	sim_check(ret == 0, "hmm_range_fault: %d", ret);
}

static void zapper(void *arg)
{
	struct racectx *c = arg;
	hs_madvise_dontneed(c->r->mm, PG(0), 2 * HS_PAGE_SIZE);
}

static void race_main(void *arg)
{
	struct racectx *c = sim_alloc(sizeof(*c));
	c->r = rf_setup(2, HS_VM_READ | HS_VM_WRITE);
	int a = sim_thread_spawn("faulter", faulter, c);
	int b = sim_thread_spawn("zapper", zapper, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_fault_vs_zap(void)
{
	struct sim_scenario sc = SCENARIO("t-hmmrace", race_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_PCT, 2000, 0, 1);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n", r.reports[0].kind, r.reports[0].message);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("hmm", NULL, NULL);
	CU_add_test(s, "snapshot: none, present, zero page, no VMA", test_snapshot);
	CU_add_test(s, "faulting: read, write, per-page mask", test_fault);
	CU_add_test(s, "-EPERM, PROT_NONE, VM_PFNMAP", test_permissions);
	CU_add_test(s, "-EBUSY after an invalidation", test_ebusy);
	CU_add_test(s, "device-private owner rule", test_owner);
	CU_add_test(s, "fault loop against a zap terminates", test_fault_vs_zap);
}
