// SPDX-License-Identifier: MIT
/*
 * Suite "conformance": the kernel's HMM selftests
 * (tools/testing/selftests/mm/hmm-tests.c) ported to the model, run against
 * the reference driver (model/drivers/dmirror.c, modelled on lib/test_hmm.c).
 *
 * Each case is a scenario whose main() is the body of the selftest, with the
 * selftest's ASSERT_*() turned into sim_check() so that a failure names the
 * check (and the kernel expectation) in the violation report.  The case
 * names are the selftest's ("hmm.anon_read" is TEST_F(hmm, anon_read)); the
 * cases that have no selftest of their own but express, with base pages and
 * the model's operations, what a selftest checks with THP, fork or files,
 * or what the brief asked for (swap, MADV_DONTNEED, device removal,
 * concurrency), say so in their comment.  docs/fidelity-selftests.md maps
 * every TEST_F of the selftest to a case here or says why it has none.
 *
 * Translation of the selftest's world:
 *  - a buffer is one word per page (the model's page content), so "ptr[i] =
 *    i" becomes "page i holds cf_val(i, c)"; mmap() takes the address the
 *    test chooses; PROT_* become HS_VM_READ / HS_VM_WRITE;
 *  - hmm_dmirror_cmd() becomes cf_cmd_*(): like the ioctl it updates
 *    cpages / faults and the mirror buffer only on success (test_hmm copies
 *    its bounce buffer to user space only then);
 *  - HMM_DMIRROR_MIGRATE_TO_DEV returns, in test_hmm, the migrated data read
 *    back from the mirror without faulting (dmirror_do_read(), -ENOENT at
 *    the first page the mirror lacks).  hs_dmirror_migrate_to_dev() does not,
 *    so cf_cmd_migrate_to_dev() does it after the fact: a snapshot must show
 *    every page on this device ("only for pages in device zone", as
 *    test_hmm's comment says), else -ENOENT; then a device read returns
 *    the data (one fault at most: the model's driver mirrors the new pages
 *    on first use instead of in dmirror_migrate_finalize_and_map());
 *  - HMM_DMIRROR_RELEASE is dmirror_device_remove_chunks() in test_hmm:
 *    hs_dmirror_device_remove() (evict every device page, memunmap_pages()),
 *    not hs_dmirror_release() (that is close()).
 */
#ifndef HMMSIM_TESTS_CONFORMANCE_H
#define HMMSIM_TESTS_CONFORMANCE_H

#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/mm.h>
#include <hmmsim/page.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define CF_VA_SIZE   (4 * HS_PMD_SIZE)
#define CF_NPAGES    96ul /* HMM_BUFFER_SIZE is 1024 pages; 96 crosses a fault chunk (64) */
#define CF_BUF	     (HS_PMD_SIZE - 32 * HS_PAGE_SIZE) /* straddles a PTE table boundary */
#define CF_RAM	     2048ul
#define CF_DEV_PAGES 256ul
#define CF_SWAP	     128ul
#define CF_NTIMES    4 /* NTIMES is 10 */
#define CF_RW	     (HS_VM_READ | HS_VM_WRITE)
#define CF_NONE	     0u
#define CF_ZERO	     (-1l) /* cf_val() generation meaning "reads as zero" */
#define PG(n)	     ((unsigned long)(n) << HS_PAGE_SHIFT)

/* Single-thread cases: plenty of steps, one execution. */
#define CF_STEPS_SINGLE 5000000ul
/* Concurrent cases: executions of PCT. */
#define CF_PCT_RUNS  200
#define CF_STEPS_PCT 400000ul

/* The case being run (for messages), whether its main() reached its end, and
 * the fixture variant: hmm_device_coherent / hmm2_device_coherent (test_hmm's
 * device-coherent devices) instead of the device-private ones
 * (conformance.c). */
extern const char *cf_name;
extern bool cf_done;
extern bool cf_coherent;
/* hmm.anon_teardown's outcomes seen (conformance_hmm.c) */
extern unsigned int cf_teardown_outcomes;

/* The selftest's ASSERT_EQ / ASSERT_TRUE, as a violation naming the check. */
#define ASSERT_EQ(a, b)                                                                            \
	do {                                                                                       \
		long _a = (long)(a), _b = (long)(b);                                               \
		sim_check(_a == _b, "%s: line %d: ASSERT_EQ(%s, %s): %ld (%#lx) != %ld (%#lx)",    \
			  cf_name, __LINE__, #a, #b, _a, (unsigned long)_a, _b,                    \
			  (unsigned long)_b);                                                      \
	} while (0)
#define ASSERT_TRUE(c) sim_check((c), "%s: line %d: ASSERT_TRUE(%s)", cf_name, __LINE__, #c)

/* What page @i of a buffer filled in round @c holds ("ptr[i] = i + c"). */
static inline unsigned long cf_val(unsigned long i, long c)
{
	return c == CF_ZERO ? 0 : 0x100000ul * (unsigned long)(c + 1) + i;
}

/* ---- the fixture: FIXTURE(hmm) has one device, FIXTURE(hmm2) two ---- */

struct cf {
	struct hs_mm *mm;
	struct hs_dmirror_device *dev[2];
	struct hs_dmirror *dm[2]; /* the open file descriptors fd0, fd1 */
	int ndev;
};

/* ---- struct hmm_buffer ---- */

struct cf_buf {
	unsigned long ptr;     /* buffer->ptr */
	unsigned long npages;  /* buffer->size in pages */
	unsigned long *mirror; /* buffer->mirror: one word per page */
	unsigned char *snap;   /* buffer->mirror as HMM_DMIRROR_SNAPSHOT fills it */
	unsigned long cpages;  /* buffer->cpages */
	unsigned long faults;  /* buffer->faults */
};

#define cf_cpu_expect(f, b, from, to, c) cf_cpu_expect_at((f), (b), (from), (to), (c), __LINE__)

#define cf_expect_words(w, from, to, c) cf_expect_words_at((w), (from), (to), (c), __LINE__)

/* ---- the fixture, buffers and hmm_dmirror_cmd() (conformance.c) ---- */

struct cf *cf_setup_pages(int ndev, unsigned long dev_pages);
struct cf *cf_setup(int ndev);
void cf_teardown(struct cf *f);
struct cf_buf *cf_buffer(struct cf *f, unsigned long addr, unsigned long npages, unsigned int prot);
void cf_buffer_free(struct cf *f, struct cf_buf *b);
void cf_cpu_fill(struct cf *f, const struct cf_buf *b, unsigned long from, unsigned long to,
		 long c);
void cf_cpu_expect_at(struct cf *f, const struct cf_buf *b, unsigned long from, unsigned long to,
		      long c, int line);
void cf_expect_words_at(const unsigned long *w, unsigned long from, unsigned long to, long c,
			int line);
int cf_cmd_read(struct cf *f, int d, struct cf_buf *b, unsigned long npages);
int cf_cmd_write(struct cf *f, int d, struct cf_buf *b, unsigned long npages);
int cf_cmd_snapshot(struct cf *f, int d, struct cf_buf *b, unsigned long npages);
int cf_cmd_migrate_to_dev(struct cf *f, int d, struct cf_buf *b, unsigned long npages);
int cf_cmd_migrate_to_sys(struct cf *f, int d, struct cf_buf *b, unsigned long npages);

/* ---- the cases (conformance_hmm.c, conformance_model.c, conformance_fork.c, conformance_thp.c)
 * ---- */

void open_close_main(void *arg);
void anon_read_main(void *arg);
void anon_read_prot_main(void *arg);
void anon_write_main(void *arg);
void anon_write_prot_main(void *arg);
void anon_write_pmd_main(void *arg);
void migrate_main(void *arg);
void migrate_fault_main(void *arg);
void migrate_release_main(void *arg);
void migrate_close_main(void *arg);
void migrate_shared_main(void *arg);
void hmm2_migrate_mixed_main(void *arg);
void migrate_multiple_main(void *arg);
void migrate_dev_to_sys_main(void *arg);
void anon_read_multiple_main(void *arg);
void anon_teardown_main(void *arg);
void anon_teardown_no_retry_main(void *arg);
void mixedmap_main(void *arg);
void hmm2_snapshot_main(void *arg);
void hmm2_double_map_main(void *arg);
void migrate_anon_empty_main(void *arg);
void migrate_anon_zero_main(void *arg);
void migrate_partial_unmap_fault_main(void *arg);
void migrate_devmem_exhausted_main(void *arg);
void device_remove_main(void *arg);
void anon_read_unmapped_main(void *arg);
void anon_write_mprotect_main(void *arg);
void swap_read_main(void *arg);
void madvise_dontneed_read_main(void *arg);
void anon_fault_counts_main(void *arg);
void range_outside_vma_main(void *arg);
void anon_read_write_concurrent_main(void *arg);
void migrate_cpu_write_concurrent_main(void *arg);
void hmm2_migrate_read_concurrent_main(void *arg);
void anon_write_child_main(void *arg);
void anon_write_child_shared_main(void *arg);
void exclusive_main(void *arg);
void exclusive_mprotect_main(void *arg);
void exclusive_cow_main(void *arg);
void hmm_gup_test_main(void *arg);
void hmm_cow_in_device_main(void *arg);
void anon_write_huge_main(void *arg);
void migrate_anon_huge_empty_main(void *arg);
void migrate_anon_huge_zero_main(void *arg);
void migrate_anon_huge_free_main(void *arg);
void migrate_anon_huge_fault_main(void *arg);
void migrate_partial_unmap_fault_thp(void);
void migrate_anon_huge_err_main(void *arg);
void migrate_anon_huge_zero_err_main(void *arg);
void migrate_remap_fault_main(void *arg);

#endif /* HMMSIM_TESTS_CONFORMANCE_H */
