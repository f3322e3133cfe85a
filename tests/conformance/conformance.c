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

/* The case being run (for messages) and whether its main() reached its end. */
static const char *cf_name = "";
static bool cf_done;
/* The fixture variant: hmm_device_coherent / hmm2_device_coherent (test_hmm's
 * device-coherent devices) instead of the device-private ones. */
static bool cf_coherent;

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
static unsigned long cf_val(unsigned long i, long c)
{
	return c == CF_ZERO ? 0 : 0x100000ul * (unsigned long)(c + 1) + i;
}

/* ---- the fixture: FIXTURE(hmm) has one device, FIXTURE(hmm2) two ------------------ */

struct cf {
	struct hs_mm *mm;
	struct hs_dmirror_device *dev[2];
	struct hs_dmirror *dm[2]; /* the open file descriptors fd0, fd1 */
	int ndev;
};

/* FIXTURE_SETUP(): a machine, the process's mm, hmm_open() of each device. */
static struct cf *cf_setup_pages(int ndev, unsigned long dev_pages)
{
	static const char *const names[] = {"dmirror0", "dmirror1"};
	struct cf *f = sim_alloc(sizeof(*f));

	hs_machine_init(CF_RAM, 2 * dev_pages);
	f->mm = hs_mm_alloc("mm", CF_VA_SIZE, CF_SWAP);
	f->ndev = ndev;
	for (int d = 0; d < ndev; d++) {
		f->dev[d] = cf_coherent ? hs_dmirror_device_create_coherent(names[d], dev_pages)
					: hs_dmirror_device_create(names[d], dev_pages);
		f->dm[d] = hs_dmirror_open(f->dev[d], f->mm);
	}
	return f;
}

static struct cf *cf_setup(int ndev)
{
	return cf_setup_pages(ndev, CF_DEV_PAGES);
}

/* FIXTURE_TEARDOWN(): close() every device file. */
static void cf_teardown(struct cf *f)
{
	for (int d = 0; d < f->ndev; d++)
		if (f->dm[d])
			hs_dmirror_release(f->dm[d]);
	cf_done = true;
}

/* ---- struct hmm_buffer ---------------------------------------------------------- */

struct cf_buf {
	unsigned long ptr;     /* buffer->ptr */
	unsigned long npages;  /* buffer->size in pages */
	unsigned long *mirror; /* buffer->mirror: one word per page */
	unsigned char *snap;   /* buffer->mirror as HMM_DMIRROR_SNAPSHOT fills it */
	unsigned long cpages;  /* buffer->cpages */
	unsigned long faults;  /* buffer->faults */
};

/* malloc() + mmap(): an anonymous private mapping at @addr with @prot. */
static struct cf_buf *cf_buffer(struct cf *f, unsigned long addr, unsigned long npages,
				unsigned int prot)
{
	struct cf_buf *b = sim_alloc(sizeof(*b));

	b->ptr = addr;
	b->npages = npages;
	b->mirror = sim_alloc(npages * sizeof(*b->mirror));
	b->snap = sim_alloc(npages);
	ASSERT_EQ(hs_mmap(f->mm, addr, PG(npages), prot), 0);
	return b;
}

/* hmm_buffer_free(): munmap(). */
static void cf_buffer_free(struct cf *f, struct cf_buf *b)
{
	ASSERT_EQ(hs_munmap(f->mm, b->ptr, PG(b->npages)), 0);
}

/* The CPU stores cf_val(i, c) in pages [from, to) of the buffer. */
static void cf_cpu_fill(struct cf *f, const struct cf_buf *b, unsigned long from, unsigned long to,
			long c)
{
	for (unsigned long i = from; i < to; i++) {
		int ret = hs_cpu_write(f->mm, b->ptr + PG(i), cf_val(i, c));
		sim_check(ret == 0, "%s: CPU write of page %lu: %d", cf_name, i, ret);
	}
}

/* The CPU loads pages [from, to) and each must hold cf_val(i, c). */
#define cf_cpu_expect(f, b, from, to, c) cf_cpu_expect_at((f), (b), (from), (to), (c), __LINE__)
static void cf_cpu_expect_at(struct cf *f, const struct cf_buf *b, unsigned long from,
			     unsigned long to, long c, int line)
{
	for (unsigned long i = from; i < to; i++) {
		unsigned long v = ~0ul;
		int ret = hs_cpu_read(f->mm, b->ptr + PG(i), &v);
		sim_check(ret == 0, "%s: line %d: CPU read of page %lu: %d", cf_name, line, i, ret);
		sim_check(v == cf_val(i, c),
			  "%s: line %d: CPU reads page %lu as %#lx, expected %#lx", cf_name, line,
			  i, v, cf_val(i, c));
	}
}

/* Words [from, to) of @w must be cf_val(i, c) ("Check what the device read"). */
#define cf_expect_words(w, from, to, c) cf_expect_words_at((w), (from), (to), (c), __LINE__)
static void cf_expect_words_at(const unsigned long *w, unsigned long from, unsigned long to, long c,
			       int line)
{
	for (unsigned long i = from; i < to; i++)
		sim_check(w[i] == cf_val(i, c),
			  "%s: line %d: device saw page %lu as %#lx, expected %#lx", cf_name, line,
			  i, w[i], cf_val(i, c));
}

/* ---- hmm_dmirror_cmd() -------------------------------------------------------------- */

/* HMM_DMIRROR_READ: the mirror buffer is written only on success. */
static int cf_cmd_read(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned long *bounce = sim_alloc(npages * sizeof(*bounce));
	unsigned long faults = 0;
	int ret = hs_dmirror_read(f->dm[d], b->ptr, npages, bounce, &faults);

	if (ret)
		return ret;
	memcpy(b->mirror, bounce, npages * sizeof(*bounce));
	b->cpages = npages;
	b->faults = faults;
	return 0;
}

/* HMM_DMIRROR_WRITE: store the mirror buffer through the device. */
static int cf_cmd_write(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned long faults = 0;
	int ret = hs_dmirror_write(f->dm[d], b->ptr, npages, b->mirror, &faults);

	if (ret)
		return ret;
	b->cpages = npages;
	b->faults = faults;
	return 0;
}

/* HMM_DMIRROR_SNAPSHOT */
static int cf_cmd_snapshot(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned char *perm = sim_alloc(npages);
	int ret = hs_dmirror_snapshot(f->dm[d], b->ptr, npages, perm);

	if (ret)
		return ret;
	memcpy(b->snap, perm, npages);
	b->cpages = npages;
	return 0;
}

static bool cf_dev_local(unsigned char perm)
{
	return perm != HS_DMIRROR_PROT_ERROR &&
	       (perm & 0xf0) == (cf_coherent ? HS_DMIRROR_PROT_DEV_COHERENT_LOCAL
					     : HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL);
}

/*
 * HMM_DMIRROR_MIGRATE_TO_DEV: dmirror_migrate_to_device(), then its
 * read-back of the migrated data (see the top of the file).  The model's
 * driver does not map the new pages in its mirror at migration time, so the
 * read-back may take one device fault, which hmm_range_fault() answers with
 * the device's own pages: nothing may move (the device keeps every page).
 */
static int cf_cmd_migrate_to_dev(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned char *perm = sim_alloc(npages);
	unsigned long *bounce = sim_alloc(npages * sizeof(*bounce));
	unsigned long faults = 0, in_use;
	int ret = hs_dmirror_migrate_to_dev(f->dm[d], b->ptr, npages);

	if (ret)
		return ret;
	ret = hs_dmirror_snapshot(f->dm[d], b->ptr, npages, perm);
	if (ret)
		return ret;
	for (unsigned long i = 0; i < npages; i++)
		if (!cf_dev_local(perm[i]))
			return -ENOENT; /* dmirror_do_read(): not in the mirror */
	in_use = hs_dmirror_device_pages_in_use(f->dev[d]);
	ret = hs_dmirror_read(f->dm[d], b->ptr, npages, bounce, &faults);
	sim_check(ret == 0 && faults <= 1 && hs_dmirror_device_pages_in_use(f->dev[d]) == in_use,
		  "%s: reading back %lu pages just migrated to dmirror%d: ret %d, %lu faults, "
		  "device pages %lu -> %lu",
		  cf_name, npages, d, ret, faults, in_use,
		  hs_dmirror_device_pages_in_use(f->dev[d]));
	memcpy(b->mirror, bounce, npages * sizeof(*bounce));
	b->cpages = npages;
	return 0;
}

/* HMM_DMIRROR_MIGRATE_TO_SYS: cpages counts the pages that moved (the device
 * pages freed by the migration). */
static int cf_cmd_migrate_to_sys(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned long before = hs_dmirror_device_pages_in_use(f->dev[d]);
	int ret = hs_dmirror_migrate_to_sys(f->dm[d], b->ptr, npages);

	if (ret)
		return ret;
	b->cpages = before - hs_dmirror_device_pages_in_use(f->dev[d]);
	return 0;
}

/* ---- TEST_F(hmm, open_close) ------------------------------------------------------------ */

/* Simple NULL test of device open/close. */
static void open_close_main(void *arg)
{
	struct cf *f = cf_setup(1);

	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_read) --------------------------------------------------------------- */

/* Read private anonymous memory. */
static void anon_read_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES, val = ~0ul;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize buffer in system memory but leave the first two pages
	 * zero (pte_none and pfn_zero). */
	cf_cpu_fill(f, b, 2, npages, 0);

	/* Set buffer permission to read-only. */
	ret = hs_mprotect(f->mm, b->ptr, PG(npages), HS_VM_READ);
	ASSERT_EQ(ret, 0);

	/* Populate the CPU page table with a special zero page. */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(1), &val), 0);
	ASSERT_EQ(val, 0);

	/* Simulate a device reading system memory. */
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, 2, CF_ZERO);
	cf_expect_words(b->mirror, 2, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_read_prot) ---------------------------------------------------------- */

/* Read private anonymous memory which has been protected with mprotect() PROT_NONE. */
static void anon_read_prot_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Initialize mirror buffer so we can verify it isn't written. */
	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = ~cf_val(i, 0);

	/* Protect buffer from reading. */
	ret = hs_mprotect(f->mm, b->ptr, PG(npages), CF_NONE);
	ASSERT_EQ(ret, 0);

	/* Simulate a device reading system memory. */
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, -EFAULT);

	/* Allow CPU to read the buffer so we can check it. */
	ret = hs_mprotect(f->mm, b->ptr, PG(npages), HS_VM_READ);
	ASSERT_EQ(ret, 0);
	cf_cpu_expect(f, b, 0, npages, 0);

	/* Check what the device read. */
	for (unsigned long i = 0; i < npages; i++)
		ASSERT_EQ(b->mirror[i], ~cf_val(i, 0));

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_write) ---------------------------------------------------------------- */

/* Write private anonymous memory. */
static void anon_write_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize data that the device will write to buffer->ptr. */
	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 0);

	/* Simulate a device writing system memory. */
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what the device wrote. */
	cf_cpu_expect(f, b, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_write_prot) ------------------------------------------------------------ */

/* Write private anonymous memory which has been protected with mprotect() PROT_READ. */
static void anon_write_prot_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, HS_VM_READ);
	int ret;

	/* Simulate a device reading a zero page of memory. */
	ret = cf_cmd_read(f, 0, b, 1);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, 1);
	ASSERT_EQ(b->faults, 1);

	/* Initialize data that the device will write to buffer->ptr. */
	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 0);

	/* Simulate a device writing system memory. */
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, -EPERM);

	/* Check what the device wrote. */
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);

	/* Now allow writing and see that the zero page is replaced. */
	ret = hs_mprotect(f->mm, b->ptr, PG(npages), CF_RW);
	ASSERT_EQ(ret, 0);

	/* Simulate a device writing system memory. */
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what the device wrote. */
	cf_cpu_expect(f, b, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_write_huge), base-page form ------------------------------------------- */

/*
 * Base-page form of anon_write_huge (hmm.anon_write_huge is the THP port,
 * below): the same assertions on a PMD-sized, PMD-aligned buffer of base pages (one whole
 * PTE table, several fault chunks of test_hmm's 64 pages).
 */
static void anon_write_pmd_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = HS_PTRS_PER_PTE;
	struct cf_buf *b = cf_buffer(f, 2 * HS_PMD_SIZE, npages, CF_RW);
	int ret;

	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 0);

	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	cf_cpu_expect(f, b, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate) ------------------------------------------------------------------- */

/* Migrate anonymous memory to device private memory. */
static void migrate_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);
	/* (model) every page now lives in device memory */
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), npages);

	cf_buffer_free(f, b);
	/* (model) munmap() freed the device pages: back to the driver */
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_fault) ---------------------------------------------------------------
 */

/*
 * Migrate anonymous memory to device private memory and fault some of it back
 * to system memory, then try migrating the resulting mix of system and device
 * private memory to the device.
 */
static void migrate_fault_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Fault half the pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages / 2, 0);
	/* (model) the faulted pages left device memory; device-coherent pages
	 * stay, the CPU reads them where they are */
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]),
		  cf_coherent ? npages : npages - npages / 2);

	/* Migrate memory to the device again. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_release) --------------------------------------------------------------
 */

static void migrate_release_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Release device memory (HMM_DMIRROR_RELEASE: dmirror_device_remove_chunks()). */
	hs_dmirror_device_remove(f->dev[0]);

	/* Fault pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages / 2, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- close() while pages are in device memory ------------------------------------------------ */

/*
 * Model case (the brief's "migrate_release" reading): close the device file
 * (dmirror_fops_release: the interval notifier goes) while the buffer is in
 * its memory; the CPU still faults every page back with its data, and the
 * device pages are freed.  (In test_hmm the dmirror is kfree()d at release
 * while its device pages still point at it; the selftests never fault after
 * close, and the model's driver keeps the mirror, so this checks the core
 * paths only.)
 */
static void migrate_close_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	hs_dmirror_release(f->dm[0]);
	f->dm[0] = NULL;

	cf_cpu_expect(f, b, 0, npages, 0);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	hs_mm_check_data(f->mm, b->ptr, b->ptr + PG(npages));

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_shared) ------------------------------------------------------------- */

/*
 * Migrate anonymous shared memory to device private memory.
 *
 * In the kernel MAP_SHARED | MAP_ANONYMOUS is shmem: the VMA is not
 * vma_is_anonymous(), so migrate_vma_collect_pmd() does not select its
 * pte_none() holes (and migrate_vma_pages() refuses pages with a mapping for
 * device-private targets): nothing moves and test_hmm's read-back of the
 * mirror finds nothing, -ENOENT.  The model maps the shared VMA with
 * HS_VM_SHARED; it must not migrate either.
 */
static void migrate_shared_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW | HS_VM_SHARED);
	int ret;

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, -ENOENT);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm2, migrate_mixed) ---------------------------------------------------------------
 */

/* Try to migrate various memory types to device private memory. */
static void hmm2_migrate_mixed_main(void *arg)
{
	struct cf *f = cf_setup(2);
	unsigned long npages = 6, p = CF_BUF, val = ~0ul;
	struct cf_buf *b = cf_buffer(f, p, npages, CF_NONE); /* Reserve a range of addresses. */
	int ret;

	/* Migrating a protected area should be an error. */
	ret = cf_cmd_migrate_to_dev(f, 1, b, npages);
	ASSERT_EQ(ret, -EINVAL);

	/* Punch a hole after the first page address. */
	ret = hs_munmap(f->mm, b->ptr + PG(1), PG(1));
	ASSERT_EQ(ret, 0);

	/* We expect an error if the vma doesn't cover the range. */
	ret = cf_cmd_migrate_to_dev(f, 1, b, 3);
	ASSERT_EQ(ret, -EINVAL);

	/* Page 2 will be a read-only zero page. */
	ret = hs_mprotect(f->mm, b->ptr + PG(2), PG(1), HS_VM_READ);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &val), 0);
	val += 3;
	ASSERT_EQ(val, 3);

	/* Page 3 will be read-only. */
	ret = hs_mprotect(f->mm, b->ptr + PG(3), PG(1), CF_RW);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_write(f->mm, b->ptr + PG(3), val), 0);
	ret = hs_mprotect(f->mm, b->ptr + PG(3), PG(1), HS_VM_READ);
	ASSERT_EQ(ret, 0);

	/* Page 4-5 will be read-write. */
	ret = hs_mprotect(f->mm, b->ptr + PG(4), PG(2), CF_RW);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_write(f->mm, b->ptr + PG(4), val), 0);
	ASSERT_EQ(hs_cpu_write(f->mm, b->ptr + PG(5), val), 0);

	/* Now try to migrate pages 2-5 to device 1. */
	b->ptr = p + PG(2);
	ret = cf_cmd_migrate_to_dev(f, 1, b, 4);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, 4);

	/* Page 5 won't be migrated to device 0 because it's on device 1. */
	b->ptr = p + PG(5);
	ret = cf_cmd_migrate_to_dev(f, 0, b, 1);
	ASSERT_EQ(ret, -ENOENT);
	b->ptr = p;

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_multiple) ------------------------------------------------------------
 */

/*
 * Migrate anonymous memory to device memory and back to system memory
 * multiple times.  Device-private: back through CPU faults.
 */
static void migrate_multiple_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;

	for (long c = 0; c < CF_NTIMES; c++) {
		struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
		int ret;

		/* Initialize buffer in system memory. */
		cf_cpu_fill(f, b, 0, npages, c);

		/* Migrate memory to device. */
		ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);

		/* Check what the device read. */
		cf_expect_words(b->mirror, 0, npages, c);

		/* Migrate back to system memory and check them. */
		if (cf_coherent) {
			ret = cf_cmd_migrate_to_sys(f, 0, b, npages);
			ASSERT_EQ(ret, 0);
			ASSERT_EQ(b->cpages, npages);
		}
		cf_cpu_expect(f, b, 0, npages, c);
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);

		cf_buffer_free(f, b);
	}
	cf_teardown(f);
}

/*
 * The coherent-device branch of migrate_multiple, for device-private memory:
 * explicit HMM_DMIRROR_MIGRATE_TO_SYS, cpages == npages, and the device
 * memory is all back (model: pages in use drop to 0).
 */
static void migrate_dev_to_sys_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;

	for (long c = 0; c < CF_NTIMES; c++) {
		struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
		int ret;

		cf_cpu_fill(f, b, 0, npages, c);
		ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);
		cf_expect_words(b->mirror, 0, npages, c);

		ret = cf_cmd_migrate_to_sys(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);

		/* what the device now maps are system pages again */
		ret = cf_cmd_snapshot(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		for (unsigned long i = 0; i < npages; i++)
			ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);

		cf_cpu_expect(f, b, 0, npages, c);
		cf_buffer_free(f, b);
	}
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_read_multiple) ----------------------------------------------------------
 */

/* Read anonymous memory multiple times. */
static void anon_read_multiple_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;

	for (long c = 0; c < CF_NTIMES; c++) {
		struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
		int ret;

		/* Initialize buffer in system memory. */
		cf_cpu_fill(f, b, 0, npages, c);

		/* Simulate a device reading system memory. */
		ret = cf_cmd_read(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);
		ASSERT_EQ(b->faults, 1);

		/* Check what the device read. */
		cf_expect_words(b->mirror, 0, npages, c);

		cf_buffer_free(f, b);
	}
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_teardown) ------------------------------------------------------------- */

#define CF_TEARDOWN_PAGES 8ul

/* Outcomes of the device read seen across executions: 1 read, 2 -EFAULT. */
static unsigned int cf_teardown_outcomes;

struct cf_unmap {
	struct cf *f;
	struct cf_buf *b;
};

/* unmap_buffer(): unmap the second half of the buffer while it is being read. */
static void cf_unmap_buffer(void *arg)
{
	struct cf_unmap *u = arg;
	unsigned long half = PG(u->b->npages / 2);

	ASSERT_EQ(hs_munmap(u->f->mm, u->b->ptr + half, half), 0);
}

/* Try reading anonymous memory while it is being unmapped (one round per execution). */
static void anon_teardown_run(enum hs_dmirror_bug bug)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_TEARDOWN_PAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	struct cf_unmap *u = sim_alloc(sizeof(*u));
	int tid, rc;

	hs_dmirror_set_bug(f->dm[0], bug);

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	u->f = f;
	u->b = b;
	tid = sim_thread_spawn("unmap_buffer", cf_unmap_buffer, u);

	/* Simulate a device reading system memory. */
	rc = cf_cmd_read(f, 0, b, npages);
	cf_teardown_outcomes |= rc == 0 ? 1u : 2u;
	if (rc == 0) {
		ASSERT_EQ(b->cpages, npages);
		ASSERT_EQ(b->faults, 1);

		/* Check what the device read. */
		cf_expect_words(b->mirror, 0, npages, 0);
	} else {
		/* (model) the only failure: the second half has no VMA any more */
		ASSERT_EQ(rc, -EFAULT);
	}

	sim_thread_join(tid);
	/* (model) the first half is untouched */
	cf_cpu_expect(f, b, 0, npages / 2, 0);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

static void anon_teardown_main(void *arg)
{
	anon_teardown_run(HS_DMIRROR_OK);
}

/* Negative control: the same with a driver that skips mmu_interval_read_retry(). */
static void anon_teardown_no_retry_main(void *arg)
{
	anon_teardown_run(HS_DMIRROR_BUG_NO_RETRY);
}

/* ---- TEST_F(hmm, mixedmap) ---------------------------------------------------------------- */

/*
 * dmirror_fops_mmap(): a driver's mmap() of its device file fills the VMA
 * with vm_insert_page() (VM_MIXEDMAP).  In a private writable mapping the
 * pte is read-only (vm_page_prot of a COW mapping) and maps a normal page.
 */
static void cf_vm_insert_page(struct hs_mm *mm, unsigned long addr)
{
	struct hs_page *page = hs_alloc_page();
	sim_atomic_t *ptep = hs_pte_offset(mm, addr);
	sim_spinlock_t *ptl = hs_pte_lockptr(mm, addr);

	ASSERT_TRUE(page != NULL && ptep != NULL);
	hs_page_write(page, 0); /* __GFP_ZERO */
	sim_down_write(&mm->mmap_lock);
	sim_spin_lock(ptl);
	hs_page_add_rmap(page);
	hs_set_pte_at(mm, addr, ptep, hs_mk_pte(hs_page_to_pfn(page), HS_PTE_YOUNG));
	sim_spin_unlock(ptl);
	sim_up_write(&mm->mmap_lock);
	/* vm_insert_page() took the mapping's reference; put_page() of ours: the
	 * allocation's reference is the one the pte keeps */
}

/* Test memory snapshot without faulting in pages accessed by the device. */
static void mixedmap_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = 1;
	/* Reserve a range of addresses: mmap(self->fd, MAP_PRIVATE) of the device file. */
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW | HS_VM_MIXEDMAP);
	int ret;

	cf_vm_insert_page(f->mm, b->ptr);

	/* Simulate a device snapshotting CPU pagetables. */
	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device saw. */
	ASSERT_EQ(b->snap[0], HS_DMIRROR_PROT_READ);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm2, snapshot) ---------------------------------------------------------------- */

/* Test memory snapshot without faulting in pages accessed by the device. */
static void hmm2_snapshot_main(void *arg)
{
	struct cf *f = cf_setup(2);
	unsigned long npages = 7, p = CF_BUF, val = ~0ul;
	struct cf_buf *b = cf_buffer(f, p, npages, CF_NONE); /* Reserve a range of addresses. */
	unsigned char *m;
	int ret;

	/* Punch a hole after the first page address. */
	ret = hs_munmap(f->mm, b->ptr + PG(1), PG(1));
	ASSERT_EQ(ret, 0);

	/* Page 2 will be read-only zero page. */
	ret = hs_mprotect(f->mm, b->ptr + PG(2), PG(1), HS_VM_READ);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &val), 0);
	val += 3;
	ASSERT_EQ(val, 3);

	/* Page 3 will be read-only. */
	ret = hs_mprotect(f->mm, b->ptr + PG(3), PG(1), CF_RW);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_write(f->mm, b->ptr + PG(3), val), 0);
	ret = hs_mprotect(f->mm, b->ptr + PG(3), PG(1), HS_VM_READ);
	ASSERT_EQ(ret, 0);

	/* Page 4-6 will be read-write. */
	ret = hs_mprotect(f->mm, b->ptr + PG(4), PG(3), CF_RW);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_write(f->mm, b->ptr + PG(4), val), 0);

	/* Page 5 will be migrated to device 0. */
	b->ptr = p + PG(5);
	ret = cf_cmd_migrate_to_dev(f, 0, b, 1);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, 1);

	/* Page 6 will be migrated to device 1. */
	b->ptr = p + PG(6);
	ret = cf_cmd_migrate_to_dev(f, 1, b, 1);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, 1);

	/* Simulate a device snapshotting CPU pagetables. */
	b->ptr = p;
	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device saw. */
	m = b->snap;
	ASSERT_EQ(m[0], HS_DMIRROR_PROT_ERROR);
	ASSERT_EQ(m[1], HS_DMIRROR_PROT_ERROR);
	ASSERT_EQ(m[2], HS_DMIRROR_PROT_ZERO | HS_DMIRROR_PROT_READ);
	ASSERT_EQ(m[3], HS_DMIRROR_PROT_READ);
	ASSERT_EQ(m[4], HS_DMIRROR_PROT_WRITE);
	if (!cf_coherent) {
		ASSERT_EQ(m[5], HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL | HS_DMIRROR_PROT_WRITE);
		ASSERT_EQ(m[6], HS_DMIRROR_PROT_NONE);
	} else {
		ASSERT_EQ(m[5], HS_DMIRROR_PROT_DEV_COHERENT_LOCAL | HS_DMIRROR_PROT_WRITE);
		ASSERT_EQ(m[6], HS_DMIRROR_PROT_DEV_COHERENT_REMOTE | HS_DMIRROR_PROT_WRITE);
	}

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm2, double_map) -------------------------------------------------------------- */

/* Test two devices reading the same memory (double mapped). */
static void hmm2_double_map_main(void *arg)
{
	struct cf *f = cf_setup(2);
	unsigned long npages = 6;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Make region read-only. */
	ret = hs_mprotect(f->mm, b->ptr, PG(npages), HS_VM_READ);
	ASSERT_EQ(ret, 0);

	/* Simulate device 0 reading system memory. */
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Simulate device 1 reading system memory. */
	ret = cf_cmd_read(f, 1, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Migrate pages to device 1 and try to read from device 0. */
	ret = cf_cmd_migrate_to_dev(f, 1, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what device 0 read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_anon_huge_empty / _zero), with base pages -----------------------------
 */

/* Model equivalent of migrate_anon_huge_empty: migrate a read-only range
 * nothing ever touched (pte_none holes); the device reads zeros. */
static void migrate_anon_empty_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, HS_VM_READ);
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);

	cf_buffer_free(f, b);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* Model equivalent of migrate_anon_huge_zero: every page maps the zero page
 * (a CPU read of each, where the selftest reads the huge zero page once). */
static void migrate_anon_zero_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, HS_VM_READ);
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize a read-only zero page. */
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);

	/* Fault pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), cf_coherent ? npages : 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_partial_unmap_fault), base pages --------------------------------------
 */

static void migrate_partial_unmap_fault_thp(void);

/* Migrate memory and fault back to sysmem after partially unmapping: the
 * use_thp == 0 half here, then the THP half (migrate_partial_unmap_fault_thp()). */
static void migrate_partial_unmap_fault_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	unsigned long unmap = npages / 2;
	const unsigned long offsets[3] = {0, npages / 4, npages / 2};

	for (int j = 0; j < 3; j++) {
		struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
		int ret;

		/* Initialize buffer in system memory. */
		cf_cpu_fill(f, b, 0, npages, j);

		/* Migrate memory to device. */
		ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);

		/* Check what the device read. */
		cf_expect_words(b->mirror, 0, npages, j);

		ASSERT_EQ(hs_munmap(f->mm, b->ptr + PG(offsets[j]), PG(unmap)), 0);
		/* (model) munmap() of device-private entries freed their pages */
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), npages - unmap);

		/* Fault pages back to system memory and check them. */
		cf_cpu_expect(f, b, 0, offsets[j], j);
		cf_cpu_expect(f, b, offsets[j] + unmap, npages, j);
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]),
			  cf_coherent ? npages - unmap : 0);

		cf_buffer_free(f, b);
	}
	cf_teardown(f);
	migrate_partial_unmap_fault_thp();
}

/* ---- device memory exhausted (for migrate_anon_huge_err) ------------------------------------- */

/*
 * Model equivalent of the allocation-failure selftests
 * (migrate_anon_huge_err: HMM_DMIRROR_FLAG_FAIL_ALLOC on THP): the device
 * has memory for half the buffer.  The pages that got none stay in system
 * memory with their data, so test_hmm's read-back stops at the first of them
 * (-ENOENT), and the CPU faults everything back intact.
 */
static void migrate_devmem_exhausted_main(void *arg)
{
	unsigned long npages = CF_NPAGES, half = CF_NPAGES / 2;
	struct cf *f = cf_setup_pages(1, half);
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);

	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, -ENOENT);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), half);

	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	for (unsigned long i = 0; i < half; i++)
		ASSERT_EQ(b->snap[i], (cf_coherent ? HS_DMIRROR_PROT_DEV_COHERENT_LOCAL
						   : HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL) |
					  HS_DMIRROR_PROT_WRITE);
	for (unsigned long i = half; i < npages; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);

	cf_cpu_expect(f, b, 0, npages, 0);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), cf_coherent ? half : 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- device removal ------------------------------------------------------------------------- */

/*
 * Model case around HMM_DMIRROR_RELEASE: removing the device evicts every
 * page to system memory with its data (all of the buffer, not only the half
 * migrate_release checks), leaves no device-private entry behind, and the
 * device, whose file is still open, reads the same data through its mirror:
 * eviction unmaps through try_to_migrate(), whose invalidation clears the
 * mirror entries of the evicted pages.
 */
static void device_remove_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	hs_dmirror_device_remove(f->dev[0]);

	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	for (unsigned long i = 0; i < npages; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);

	memset(b->mirror, 0, npages * sizeof(*b->mirror));
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	cf_expect_words(b->mirror, 0, npages, 0);

	cf_cpu_expect(f, b, 0, npages, 0);
	hs_mm_check_data(f->mm, b->ptr, b->ptr + PG(npages));

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- more of what the selftests check, with the model's operations ------------------------- */

/* Model case: munmap() of part of a mirrored range; the device then fails on
 * it (no VMA: -EFAULT) and still reads the rest without a fault. */
static void anon_read_unmapped_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);

	ASSERT_EQ(hs_munmap(f->mm, b->ptr + PG(npages / 2), PG(npages / 2)), 0);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, -EFAULT);

	ret = cf_cmd_read(f, 0, b, npages / 2);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 0);
	cf_expect_words(b->mirror, 0, npages / 2, 0);

	b->npages = npages / 2;
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Model case: mprotect(PROT_READ) of a range the device mirrors writable
 * (MMU_NOTIFY_PROTECTION_VMA clears the mirror): a device write now fails
 * with -EPERM, a device read faults once and sees the data. */
static void anon_write_mprotect_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 0);
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);

	ret = hs_mprotect(f->mm, b->ptr, PG(npages), HS_VM_READ);
	ASSERT_EQ(ret, 0);

	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 1);
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, -EPERM);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	cf_expect_words(b->mirror, 0, npages, 0);
	cf_cpu_expect(f, b, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Model case: pages swapped out under a mirror (MMU_NOTIFY_CLEAR) read back
 * through the device with their data; a snapshot sees them absent before
 * and present (read-only, as do_swap_page maps a read fault) after. */
static void swap_read_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES, nswap = CF_NPAGES / 2;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);

	for (unsigned long i = 0; i < nswap; i++)
		ASSERT_EQ(hs_swap_out(f->mm, b->ptr + PG(i)), 0);

	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	for (unsigned long i = 0; i < nswap; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_NONE);
	for (unsigned long i = nswap; i < npages; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);

	memset(b->mirror, 0, npages * sizeof(*b->mirror));
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	cf_expect_words(b->mirror, 0, npages, 0);

	/* do_swap_page() maps an exclusive anon page writable even on a read
	 * fault (clean, still in the swap cache) */
	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	for (unsigned long i = 0; i < nswap; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);

	hs_mm_check_data(f->mm, b->ptr, b->ptr + PG(npages));
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Model case: MADV_DONTNEED under a mirror (MMU_NOTIFY_CLEAR): the device
 * faults once more and reads zeros, as does the CPU. */
static void madvise_dontneed_read_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	cf_expect_words(b->mirror, 0, npages, 0);

	ASSERT_EQ(hs_madvise_dontneed(f->mm, b->ptr, PG(npages)), 0);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/*
 * Model case: the fault counts dmirror_read/dmirror_write report (what the
 * selftests' "faults == 1" asserts) across permission changes: one fault to
 * mirror, none while the mirror holds, one to upgrade the zero page to a
 * writable page, and a CPU store to a writable page changes nothing.
 */
static void anon_fault_counts_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 0);

	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	for (unsigned long i = 0; i < npages; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_ZERO | HS_DMIRROR_PROT_READ);

	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 0);
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 0);

	ASSERT_EQ(hs_cpu_write(f->mm, b->ptr, cf_val(0, 1)), 0);
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 0);
	cf_expect_words(b->mirror, 0, 1, 1);
	cf_expect_words(b->mirror, 1, npages, 0);

	ret = hs_mprotect(f->mm, b->ptr, PG(npages), HS_VM_READ);
	ASSERT_EQ(ret, 0);
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->faults, 1);
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, -EPERM);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Model case: ranges that leave the VMA.  A device access needing a page
 * with no VMA is -EFAULT (hmm_vma_walk_hole() without a vma); a snapshot
 * marks those pages HMM_PFN_ERROR; migration needs one VMA: -EINVAL. */
static void range_outside_vma_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	struct cf_buf tail = *b, away = *b;
	int ret;

	cf_cpu_fill(f, b, 0, npages, 0);

	tail.ptr = b->ptr + PG(npages - 2); /* 2 pages in the VMA, 2 beyond */
	ret = cf_cmd_read(f, 0, &tail, 4);
	ASSERT_EQ(ret, -EFAULT);
	ret = cf_cmd_write(f, 0, &tail, 4);
	ASSERT_EQ(ret, -EFAULT);
	ret = cf_cmd_snapshot(f, 0, &tail, 4);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(tail.snap[0], HS_DMIRROR_PROT_WRITE);
	ASSERT_EQ(tail.snap[1], HS_DMIRROR_PROT_WRITE);
	ASSERT_EQ(tail.snap[2], HS_DMIRROR_PROT_ERROR);
	ASSERT_EQ(tail.snap[3], HS_DMIRROR_PROT_ERROR);
	ret = cf_cmd_migrate_to_dev(f, 0, &tail, 4);
	ASSERT_EQ(ret, -EINVAL);

	away.ptr = 3 * HS_PMD_SIZE; /* no VMA at all */
	ret = cf_cmd_read(f, 0, &away, 2);
	ASSERT_EQ(ret, -EFAULT);
	ret = cf_cmd_migrate_to_dev(f, 0, &away, 2);
	ASSERT_EQ(ret, -EINVAL);

	/* nothing of that disturbed the buffer */
	cf_cpu_expect(f, b, 0, npages, 0);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- concurrency -------------------------------------------------------------------------------
 */

#define CF_CONC_PAGES 4ul

struct cf_conc {
	struct cf *f;
	struct cf_buf *b;
	int d;
	long c;
};

static struct cf_conc *cf_conc(struct cf *f, struct cf_buf *b, int d, long c)
{
	struct cf_conc *x = sim_alloc(sizeof(*x));

	x->f = f;
	x->b = b;
	x->d = d;
	x->c = c;
	return x;
}

static void cf_cpu_writer(void *arg)
{
	struct cf_conc *x = arg;

	cf_cpu_fill(x->f, x->b, 0, x->b->npages, x->c);
}

/* A device read racing a CPU writer: each page is the old or the new value. */
static void cf_device_reader(void *arg)
{
	struct cf_conc *x = arg;
	unsigned long npages = x->b->npages;
	unsigned long *out = sim_alloc(npages * sizeof(*out));
	unsigned long faults = 0;
	int ret = hs_dmirror_read(x->f->dm[x->d], x->b->ptr, npages, out, &faults);

	ASSERT_EQ(ret, 0);
	for (unsigned long i = 0; i < npages; i++)
		sim_check(out[i] == cf_val(i, x->c) || out[i] == cf_val(i, x->c + 1),
			  "%s: device read page %lu as %#lx: neither %#lx nor %#lx", cf_name, i,
			  out[i], cf_val(i, x->c), cf_val(i, x->c + 1));
}

/*
 * The anon_read_multiple pattern with a CPU writer: a device reads pages the
 * CPU is turning from the zero page into written pages (each a COW of the
 * zero page under MMU_NOTIFY_CLEAR).  The device sees, per page, zero or the
 * new value; afterwards it sees every new value.
 */
static void anon_read_write_concurrent_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_CONC_PAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int t1, t2, ret;

	/* the device mirrors the zero page first */
	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);

	t1 = sim_thread_spawn("device", cf_device_reader, cf_conc(f, b, 0, CF_ZERO));
	t2 = sim_thread_spawn("cpu", cf_cpu_writer, cf_conc(f, b, 0, 0));
	sim_thread_join(t1);
	sim_thread_join(t2);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	cf_expect_words(b->mirror, 0, npages, 0);
	hs_mm_check_data(f->mm, b->ptr, b->ptr + PG(npages));

	cf_buffer_free(f, b);
	cf_teardown(f);
}

static void cf_migrator(void *arg)
{
	struct cf_conc *x = arg;
	int ret = hs_dmirror_migrate_to_dev(x->f->dm[x->d], x->b->ptr, x->b->npages);

	ASSERT_EQ(ret, 0);
}

/* Migration to the device racing CPU stores: no store is lost. */
static void migrate_cpu_write_concurrent_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_CONC_PAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int t1, t2, ret;

	cf_cpu_fill(f, b, 0, npages, 0);

	t1 = sim_thread_spawn("migrate", cf_migrator, cf_conc(f, b, 0, 0));
	t2 = sim_thread_spawn("cpu", cf_cpu_writer, cf_conc(f, b, 0, 1));
	sim_thread_join(t1);
	sim_thread_join(t2);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	cf_expect_words(b->mirror, 0, npages, 1);
	cf_cpu_expect(f, b, 0, npages, 1);
	hs_mm_check_data(f->mm, b->ptr, b->ptr + PG(npages));

	cf_buffer_free(f, b);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* Device 0 migrates while device 1 reads (the migrate_mixed / double_map
 * situation, concurrently): device 1 faults remote device-private pages back
 * and reads the data either way. */
static void hmm2_migrate_read_concurrent_main(void *arg)
{
	struct cf *f = cf_setup(2);
	unsigned long npages = CF_CONC_PAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int t1, t2, ret;

	cf_cpu_fill(f, b, 0, npages, 0);

	/* c = 0 and c + 1 == 1 is never written: the reader must see c = 0 */
	t1 = sim_thread_spawn("migrate0", cf_migrator, cf_conc(f, b, 0, 0));
	t2 = sim_thread_spawn("read1", cf_device_reader, cf_conc(f, b, 1, 0));
	sim_thread_join(t1);
	sim_thread_join(t2);

	ret = cf_cmd_read(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	cf_expect_words(b->mirror, 0, npages, 0);
	ret = cf_cmd_read(f, 1, b, npages);
	ASSERT_EQ(ret, 0);
	cf_expect_words(b->mirror, 0, npages, 0);
	cf_cpu_expect(f, b, 0, npages, 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ==== fork, COW, device-exclusive access and GUP pins (issue 13 items 1, 2, 5) ========== *
 * fork() is hs_dup_mm(): the child is its own struct cf sharing the devices,
 * with its own mirror when it opens one (hmm_open() in the child).  The
 * selftest's processes run one after the other as waitpid() orders them:
 * the child first, then the parent's checks.
 */

/* fork(): the child's fixture: the parent's devices, no mirror yet. */
static struct cf *cf_fork(struct cf *f)
{
	struct cf *c = sim_alloc(sizeof(*c));

	ASSERT_EQ(hs_dup_mm(f->mm, "child", &c->mm), 0);
	c->ndev = f->ndev;
	for (int d = 0; d < f->ndev; d++)
		c->dev[d] = f->dev[d];
	return c;
}

/* exit(): the child closes its files and its mm goes. */
static void cf_exit(struct cf *c)
{
	for (int d = 0; d < c->ndev; d++)
		if (c->dm[d])
			hs_dmirror_release(c->dm[d]);
	hs_mmput(c->mm);
}

/* The mirror buffer holds cf_val(i, c) (the selftest's "mirror[i] = -i"). */
static void cf_mirror_fill(struct cf_buf *b, long c)
{
	for (unsigned long i = 0; i < b->npages; i++)
		b->mirror[i] = cf_val(i, c);
}

/* ---- TEST_F(hmm, anon_write_child) / anon_write_child_shared ------------------------ */

/*
 * Write private (or shared) anonymous memory from a child through its own
 * mirror, with (migrate) and without the pages migrated to the device first.
 * Private: the parent keeps its data (COW); shared: the parent sees the writes.
 */
static void anon_write_child_body(unsigned int shared)
{
	for (int migrate = 0; migrate < (shared ? 1 : 2); migrate++) {
		struct cf *f = cf_setup(1);
		unsigned long npages = CF_NPAGES;
		struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW | shared);
		int ret;

		/* Initialize buffer->ptr so we can tell if it is written. */
		cf_cpu_fill(f, b, 0, npages, 0);
		/* Initialize data that the device will write to buffer->ptr. */
		cf_mirror_fill(b, 1);
		if (migrate) {
			ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
			ASSERT_EQ(ret, 0);
			ASSERT_EQ(b->cpages, npages);
		}
		struct cf *c = cf_fork(f);

		/* (child) Check that we see the parent's values. */
		cf_cpu_expect(c, b, 0, npages, 0);
		if (!migrate)
			cf_expect_words(b->mirror, 0, npages, 1);
		/* The child process needs its own mirror to its own mm. */
		c->dm[0] = hs_dmirror_open(c->dev[0], c->mm);
		/* Simulate a device writing system memory. */
		ret = cf_cmd_write(c, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);
		ASSERT_EQ(b->faults, 1);
		/* Check what the device wrote. */
		if (!migrate)
			cf_cpu_expect(c, b, 0, npages, 1);
		cf_exit(c);

		/* (parent, after waitpid()) private: the parent's buffer did not
		 * change; shared: it did */
		cf_cpu_expect(f, b, 0, npages, shared ? 1 : 0);
		cf_buffer_free(f, b);
		cf_teardown(f);
	}
}

static void anon_write_child_main(void *arg)
{
	(void)arg;
	anon_write_child_body(0);
}

static void anon_write_child_shared_main(void *arg)
{
	(void)arg;
	anon_write_child_body(HS_VM_SHARED);
}

/* ---- TEST_F(hmm, exclusive), exclusive_mprotect, exclusive_cow ------------------------ */

/* HMM_DMIRROR_EXCLUSIVE: the mirror buffer gets what the device reads. */
static int cf_cmd_exclusive(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned long *bounce = sim_alloc(npages * sizeof(*bounce));

	for (unsigned long i = 0; i < npages; i += 64) {
		unsigned long n = npages - i < 64 ? npages - i : 64;
		int ret = hs_dmirror_exclusive(f->dm[d], b->ptr + PG(i), n, bounce + i);
		if (ret)
			return ret;
	}
	memcpy(b->mirror, bounce, npages * sizeof(*bounce));
	b->cpages = npages;
	return 0;
}

/* "for (...) ASSERT_EQ(ptr[i]++, i)": each page read, then stored plus one. */
static void cf_cpu_increment(struct cf *f, const struct cf_buf *b, long c)
{
	for (unsigned long i = 0; i < b->npages; i++) {
		unsigned long v = ~0ul;
		ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(i), &v), 0);
		ASSERT_EQ(v, cf_val(i, c));
		ASSERT_EQ(hs_cpu_write(f->mm, b->ptr + PG(i), v + 1), 0);
	}
}

static void cf_cpu_expect_incremented(struct cf *f, const struct cf_buf *b, long c)
{
	for (unsigned long i = 0; i < b->npages; i++) {
		unsigned long v = ~0ul;
		ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(i), &v), 0);
		ASSERT_EQ(v, cf_val(i, c) + 1);
	}
}

/* Check that atomic access is revoked when the CPU faults the pages back. */
static void exclusive_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	(void)arg;
	cf_cpu_fill(f, b, 0, npages, 0);
	/* Map memory exclusively for device access. */
	ret = cf_cmd_exclusive(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);
	/* Fault pages back to system memory and check them. */
	cf_cpu_increment(f, b, 0);
	cf_cpu_expect_incremented(f, b, 0);
	/* Check atomic access revoked */
	ret = hs_dmirror_check_exclusive(f->dm[0], b->ptr, npages);
	ASSERT_EQ(ret, 0);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* A device write after mprotect(PROT_READ) of an exclusive range: -EPERM. */
static void exclusive_mprotect_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	(void)arg;
	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_exclusive(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	cf_expect_words(b->mirror, 0, npages, 0);
	ret = hs_mprotect(f->mm, b->ptr, PG(npages), HS_VM_READ);
	ASSERT_EQ(ret, 0);
	/* Simulate a device writing system memory. */
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, -EPERM);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* fork() of exclusive entries: both processes fault their copy back. */
static void exclusive_cow_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = CF_NPAGES;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	(void)arg;
	cf_cpu_fill(f, b, 0, npages, 0);
	ret = cf_cmd_exclusive(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	cf_expect_words(b->mirror, 0, npages, 0);
	struct cf *c = cf_fork(f);
	/* both processes go on with the test: the child first, then the parent */
	cf_cpu_increment(c, b, 0);
	cf_cpu_expect_incremented(c, b, 0);
	cf_exit(c);
	cf_cpu_increment(f, b, 0);
	cf_cpu_expect_incremented(f, b, 0);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, hmm_gup_test), TEST_F(hmm, hmm_cow_in_device) ----------------------------- */

/* gup_test_exec(): the gup_test ioctl grabs the pages (FOLL_WRITE) and drops them. */
static void cf_gup_test_exec(struct cf *f, unsigned long addr, bool pin, bool longterm)
{
	struct hs_page *page;
	long n;

	if (pin) {
		n = hs_pin_user_pages(f->mm, addr, 1,
				      HS_FOLL_WRITE | (longterm ? HS_FOLL_LONGTERM : 0), &page);
		ASSERT_EQ(n, 1);
		ASSERT_TRUE(hs_folio_maybe_dma_pinned(page));
		hs_unpin_user_pages(&page, 1);
	} else {
		sim_down_read(&f->mm->mmap_lock);
		n = hs_get_user_pages_remote(f->mm, addr, 1, HS_FOLL_GET | HS_FOLL_WRITE, &page);
		sim_up_read(&f->mm->mmap_lock);
		ASSERT_EQ(n, 1);
		hs_unpin_user_page_flags(page, HS_FOLL_GET);
	}
}

/* GUP of device-private pages migrates them back to system memory. */
static void hmm_gup_test_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = 4;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	(void)arg;
	cf_cpu_fill(f, b, 0, npages, 0);
	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	cf_gup_test_exec(f, b->ptr, false, false);	   /* GUP_BASIC_TEST */
	cf_gup_test_exec(f, b->ptr + PG(1), false, false); /* GUP_FAST_BENCHMARK */
	cf_gup_test_exec(f, b->ptr + PG(2), true, false);  /* PIN_FAST_BENCHMARK */
	cf_gup_test_exec(f, b->ptr + PG(3), true, true);   /* PIN_LONGTERM_BENCHMARK */

	/* Take snapshot to CPU pagetables */
	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	for (unsigned long i = 0; i < npages; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);
	/* Check again the content on the pages. Make sure there's no corrupted data. */
	cf_cpu_expect(f, b, 0, npages, 0);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* The parent writes to COW device-private pages: each migrates to system
 * memory first, then is copied. */
static void hmm_cow_in_device_main(void *arg)
{
	struct cf *f = cf_setup(1);
	unsigned long npages = 4;
	struct cf_buf *b = cf_buffer(f, CF_BUF, npages, CF_RW);
	int ret;

	(void)arg;
	cf_cpu_fill(f, b, 0, npages, 0);
	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	struct cf *c = cf_fork(f); /* the child waits for SIGTERM */
	/* Parent process writes to COW pages(s) and gets a new copy in system. */
	cf_cpu_fill(f, b, 0, npages, 0);
	/* Terminate child and wait */
	cf_exit(c);
	/* Take snapshot to CPU pagetables */
	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	for (unsigned long i = 0; i < npages; i++)
		ASSERT_EQ(b->snap[i], HS_DMIRROR_PROT_WRITE);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- the CUnit side ---------------------------------------------------------------------- */

/* ==== THP (model/huge_memory.c) and mremap (model/mremap.c) cases =========================== */

/*
 * The selftests of the THP migration series (v6.19: "mm/zone_device: support
 * large zone device private folios" and its hmm-tests), run against the
 * model's v6.18 kernel: migrate_vma_collect_pmd() splits a THP (the huge
 * zero folio with split_huge_pmd(), any other with split_folio()) and
 * migrates its base pages, so the selftests' assertions (return codes,
 * cpages, data) hold with MIGRATE_VMA_SELECT_COMPOUND not set.  read_pmd_pagesize()
 * is HS_PMD_SIZE; each buffer is mmap()ed 2 * size at a PMD-aligned address,
 * so ALIGN() returns its start, and madvise(MADV_HUGEPAGE) is
 * hs_madvise_hugepage().  test_hmm's HMM_DMIRROR_FLAGS /
 * HMM_DMIRROR_FLAG_FAIL_ALLOC (fail the next device THP allocation, so the
 * driver falls back to base pages) has nothing to fail in the model: no
 * device THP is ever allocated, the migration takes the fallback's path
 * from the start; the _err cases say where the flag is set.
 */
#define CF_HUGE_VA   (16 * HS_PMD_SIZE)
#define CF_HUGE_RAM  4096ul
#define CF_HUGE_DEV  1024ul
#define CF_HUGE_BASE HS_PMD_SIZE
#define CF_HUGE_NR   HS_PTRS_PER_PTE /* read_pmd_pagesize() >> page_shift */

/* FIXTURE_SETUP(hmm) with room for THPs: a 64 MiB address space, 16 MiB of RAM. */
static struct cf *cf_setup_huge(void)
{
	struct cf *f = sim_alloc(sizeof(*f));

	hs_machine_init(CF_HUGE_RAM, 2 * CF_HUGE_DEV);
	f->mm = hs_mm_alloc("mm", CF_HUGE_VA, CF_SWAP);
	f->ndev = 1;
	f->dev[0] = cf_coherent ? hs_dmirror_device_create_coherent("dmirror0", CF_HUGE_DEV)
				: hs_dmirror_device_create("dmirror0", CF_HUGE_DEV);
	f->dm[0] = hs_dmirror_open(f->dev[0], f->mm);
	return f;
}

/* mmap(2 * size) at CF_HUGE_BASE, madvise(map, size, MADV_HUGEPAGE) (or not). */
static struct cf_buf *cf_huge_buffer(struct cf *f, unsigned int prot, bool use_thp)
{
	struct cf_buf *b = cf_buffer(f, CF_HUGE_BASE, 2 * CF_HUGE_NR, prot);

	if (use_thp)
		ASSERT_EQ(hs_madvise_hugepage(f->mm, CF_HUGE_BASE, HS_PMD_SIZE), 0);
	return b;
}

/* (model) Every page of the buffer's first PMD snapshots as @perm. */
static void cf_expect_snapshot(struct cf *f, struct cf_buf *b, unsigned char perm)
{
	ASSERT_EQ(cf_cmd_snapshot(f, 0, b, CF_HUGE_NR), 0);
	for (unsigned long i = 0; i < CF_HUGE_NR; i++)
		ASSERT_EQ(b->snap[i], perm);
}

/* ---- TEST_F(hmm, anon_write_huge) ------------------------------------------------------------ */

/* Write huge private anonymous memory. */
static void anon_write_huge_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, CF_RW, true);
	unsigned long npages = CF_HUGE_NR;
	int ret;

	/* Initialize data that the device will write to buffer->ptr. */
	for (unsigned long i = 0; i < npages; i++)
		b->mirror[i] = cf_val(i, 0);

	/* Simulate a device writing system memory. */
	ret = cf_cmd_write(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	ASSERT_EQ(b->faults, 1);

	/* Check what the device wrote. */
	cf_cpu_expect(f, b, 0, npages, 0);
	/* (model) one THP, mapped by a PMD: map order 9 in every pfn */
	cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_WRITE);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_anon_huge_empty / _zero / _free / _fault) ------------------------------
 */

/* Migrate private anonymous huge empty page. */
static void migrate_anon_huge_empty_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, HS_VM_READ, true);
	unsigned long npages = CF_HUGE_NR;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);

	cf_buffer_free(f, b);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* Migrate private anonymous huge zero page. */
static void migrate_anon_huge_zero_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, HS_VM_READ, true);
	unsigned long npages = CF_HUGE_NR, v = ~0ul;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize a read-only zero huge page. */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr, &v), 0);
	ASSERT_EQ(v, 0);
	/* (model) the huge zero folio, mapped by a PMD */
	cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_ZERO | HS_DMIRROR_PROT_READ);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);

	/* Fault pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Migrate private anonymous huge page and free. */
static void migrate_anon_huge_free_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, CF_RW, true);
	unsigned long npages = CF_HUGE_NR;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);
	cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_WRITE); /* (model) */

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Try freeing it. */
	ret = hs_madvise_free(f->mm, b->ptr, HS_PMD_SIZE);
	ASSERT_EQ(ret, 0);
	/* (model) MADV_FREE leaves device-private entries alone */
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), npages);

	cf_buffer_free(f, b);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* Migrate private anonymous huge page and fault back to sysmem. */
static void migrate_anon_huge_fault_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, CF_RW, true);
	unsigned long npages = CF_HUGE_NR;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Fault pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages, 0);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0); /* (model) */

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_partial_unmap_fault): the use_thp == 1 half ----------------------------
 */

/* Migrate memory and fault back to sysmem after partially unmapping a THP
 * (offsets 0, 512 KiB, 1 MiB; one MiB unmapped). */
static void migrate_partial_unmap_fault_thp(void)
{
	const unsigned long offsets[3] = {0, CF_HUGE_NR / 4, CF_HUGE_NR / 2};
	unsigned long npages = CF_HUGE_NR, unmap = CF_HUGE_NR / 2;

	for (int j = 0; j < 3; j++) {
		struct cf *f = cf_setup_huge();
		struct cf_buf *b = cf_huge_buffer(f, CF_RW, true);
		int ret;

		memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

		/* Initialize buffer in system memory. */
		cf_cpu_fill(f, b, 0, npages, j);
		cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_WRITE); /* (model) */

		/* Migrate memory to device. */
		ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
		ASSERT_EQ(ret, 0);
		ASSERT_EQ(b->cpages, npages);

		/* Check what the device read. */
		cf_expect_words(b->mirror, 0, npages, j);

		ASSERT_EQ(hs_munmap(f->mm, b->ptr + PG(offsets[j]), PG(unmap)), 0);
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), npages - unmap); /* (model) */

		/* Fault pages back to system memory and check them. */
		cf_cpu_expect(f, b, 0, offsets[j], j);
		cf_cpu_expect(f, b, offsets[j] + unmap, npages, j);
		/* (model) coherent pages stay on the device */
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), cf_coherent ? npages - unmap : 0);

		hs_munmap(f->mm, b->ptr, PG(2 * npages));
		cf_teardown(f);
	}
}

/* ---- TEST_F(hmm, migrate_anon_huge_err / _zero_err)
 * ----------------------------------------------- */

/* Migrate private anonymous huge page with allocation errors. */
static void migrate_anon_huge_err_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, CF_RW, true);
	unsigned long npages = CF_HUGE_NR, v = ~0ul;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Migrate memory to device but force a THP allocation error
	 * (HMM_DMIRROR_FLAG_FAIL_ALLOC: see the top of this group). */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);

	/* Try faulting back a single (PAGE_SIZE) page: ptr[2048] is in page 2. */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &v), 0);
	ASSERT_EQ(v, cf_val(2, 0));

	/* unmap and remap the region to reset things. */
	ASSERT_EQ(hs_munmap(f->mm, b->ptr, PG(2 * npages)), 0);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0); /* (model) */
	b = cf_huge_buffer(f, CF_RW, true);

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 1);

	/* Migrate THP to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Force an allocation error when faulting back a THP resident in the
	 * device (HMM_DMIRROR_FLAG_FAIL_ALLOC), then migrate it back. */
	ret = cf_cmd_migrate_to_sys(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &v), 0);
	ASSERT_EQ(v, cf_val(2, 1));

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Migrate private anonymous huge zero page with allocation errors. */
static void migrate_anon_huge_zero_err_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, HS_VM_READ, true);
	unsigned long npages = CF_HUGE_NR, v = ~0ul;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Migrate memory to device but force a THP allocation error. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);

	/* Try faulting back a single (PAGE_SIZE) page. */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &v), 0);
	ASSERT_EQ(v, 0);

	/* unmap and remap the region to reset things. */
	ASSERT_EQ(hs_munmap(f->mm, b->ptr, PG(2 * npages)), 0);
	b = cf_huge_buffer(f, HS_VM_READ, true);

	/* Initialize buffer in system memory (zero THP page). */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr, &v), 0);
	ASSERT_EQ(v, 0);
	cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_ZERO | HS_DMIRROR_PROT_READ);

	/* Migrate memory to device but force a THP allocation error. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Fault the device memory back and check it. */
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_remap_fault) ---------------------------------------------------------
 */

/*
 * Migrate memory to the device before or after mremap(MREMAP_MAYMOVE |
 * MREMAP_FIXED [| MREMAP_DONTUNMAP]) moves it (offsets 0, 512 KiB, 1 MiB past
 * its end; THP or not), then fault it back at the new address.
 */
static void migrate_remap_fault_main(void *arg)
{
	const unsigned long offsets[3] = {0, CF_HUGE_NR / 4, CF_HUGE_NR / 2};
	unsigned long npages = CF_HUGE_NR, size = HS_PMD_SIZE;

	for (int before = 0; before < 2; ++before)
		for (int dont_unmap = 0; dont_unmap < 2; ++dont_unmap)
			for (int use_thp = 0; use_thp < 2; ++use_thp)
				for (int j = 0; j < 3; ++j) {
					unsigned int flags = HS_MREMAP_MAYMOVE | HS_MREMAP_FIXED;
					struct cf *f = cf_setup_huge();
					struct cf_buf *b =
					    cf_buffer(f, CF_HUGE_BASE, 8 * npages, CF_RW);
					unsigned long map = CF_HUGE_BASE, new_ptr;
					long c = before * 12 + dont_unmap * 6 + use_thp * 3 + j;
					int ret;

					if (dont_unmap)
						flags |= HS_MREMAP_DONTUNMAP;
					memset(b->mirror, 0xff, npages * sizeof(*b->mirror));
					if (use_thp)
						ASSERT_EQ(hs_madvise_hugepage(f->mm, map, size), 0);
					ASSERT_EQ(hs_munmap(f->mm, map + size, size * 2), 0);

					/* Initialize buffer in system memory. */
					cf_cpu_fill(f, b, 0, npages, c);
					new_ptr = map + size + PG(offsets[j]);

					if (before) {
						ret = hs_mremap(f->mm, map, size, new_ptr, flags);
						ASSERT_EQ(ret, 0);
						b->ptr = new_ptr;
					}

					/* Migrate memory to device. */
					ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
					ASSERT_EQ(ret, 0);
					ASSERT_EQ(b->cpages, npages);

					/* Check what the device read. */
					cf_expect_words(b->mirror, 0, npages, c);

					if (!before) {
						ret = hs_mremap(f->mm, map, size, new_ptr, flags);
						ASSERT_EQ(ret, 0);
						b->ptr = new_ptr;
					}

					/* Fault pages back to system memory and check them. */
					cf_cpu_expect(f, b, 0, npages, c);
					ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]),
						  0); /* (model) */

					ASSERT_EQ(hs_munmap(f->mm, new_ptr, size), 0);
					b->ptr = CF_HUGE_BASE;
					hs_munmap(f->mm, CF_HUGE_BASE, PG(8 * npages));
					cf_teardown(f);
				}
}

/* ==== the case table ====================================================================== */

enum cf_kind {
	CF_SINGLE,   /* one execution (single thread) */
	CF_PCT,	     /* CF_PCT_RUNS executions of PCT, clean */
	CF_PCT_FIND, /* PCT must find a violation (negative control) */
};

struct cf_case {
	const char *name;
	void (*main)(void *arg);
	enum cf_kind kind;
};

static const struct cf_case cf_cases[] = {
    {"hmm.open_close", open_close_main, CF_SINGLE},
    {"hmm.anon_read", anon_read_main, CF_SINGLE},
    {"hmm.anon_read_prot", anon_read_prot_main, CF_SINGLE},
    {"hmm.anon_write", anon_write_main, CF_SINGLE},
    {"hmm.anon_write_prot", anon_write_prot_main, CF_SINGLE},
    {"hmm.anon_write_pmd", anon_write_pmd_main, CF_SINGLE},
    {"hmm.migrate", migrate_main, CF_SINGLE},
    {"hmm.migrate_fault", migrate_fault_main, CF_SINGLE},
    {"hmm.migrate_release", migrate_release_main, CF_SINGLE},
    {"hmm.migrate_close", migrate_close_main, CF_SINGLE},
    {"hmm.migrate_shared", migrate_shared_main, CF_SINGLE},
    {"hmm2.migrate_mixed", hmm2_migrate_mixed_main, CF_SINGLE},
    {"hmm.migrate_multiple", migrate_multiple_main, CF_SINGLE},
    {"hmm.migrate_dev_to_sys", migrate_dev_to_sys_main, CF_SINGLE},
    {"hmm.anon_read_multiple", anon_read_multiple_main, CF_SINGLE},
    {"hmm.anon_teardown", anon_teardown_main, CF_PCT},
    {"hmm.anon_teardown_no_retry", anon_teardown_no_retry_main, CF_PCT_FIND},
    {"hmm.mixedmap", mixedmap_main, CF_SINGLE},
    {"hmm2.snapshot", hmm2_snapshot_main, CF_SINGLE},
    {"hmm2.double_map", hmm2_double_map_main, CF_SINGLE},
    {"hmm.migrate_anon_empty", migrate_anon_empty_main, CF_SINGLE},
    {"hmm.migrate_anon_zero", migrate_anon_zero_main, CF_SINGLE},
    {"hmm.migrate_partial_unmap_fault", migrate_partial_unmap_fault_main, CF_SINGLE},
    {"hmm.migrate_devmem_exhausted", migrate_devmem_exhausted_main, CF_SINGLE},
    {"hmm.device_remove", device_remove_main, CF_SINGLE},
    {"hmm.anon_read_unmapped", anon_read_unmapped_main, CF_SINGLE},
    {"hmm.anon_write_mprotect", anon_write_mprotect_main, CF_SINGLE},
    {"hmm.swap_read", swap_read_main, CF_SINGLE},
    {"hmm.madvise_dontneed_read", madvise_dontneed_read_main, CF_SINGLE},
    {"hmm.anon_fault_counts", anon_fault_counts_main, CF_SINGLE},
    {"hmm.range_outside_vma", range_outside_vma_main, CF_SINGLE},
    {"hmm.anon_read_write_concurrent", anon_read_write_concurrent_main, CF_PCT},
    {"hmm.migrate_cpu_write_concurrent", migrate_cpu_write_concurrent_main, CF_PCT},
    {"hmm2.migrate_read_concurrent", hmm2_migrate_read_concurrent_main, CF_PCT},
};

#define CF_NCASES (sizeof(cf_cases) / sizeof(cf_cases[0]))

/* fork, COW, device-exclusive and GUP cases (issue 13): a table of their own */
static const struct cf_case cf_fork_cases[] = {
    {"hmm.anon_write_child", anon_write_child_main, CF_SINGLE},
    {"hmm.anon_write_child_shared", anon_write_child_shared_main, CF_SINGLE},
    {"hmm.exclusive", exclusive_main, CF_SINGLE},
    {"hmm.exclusive_mprotect", exclusive_mprotect_main, CF_SINGLE},
    {"hmm.exclusive_cow", exclusive_cow_main, CF_SINGLE},
    {"hmm.hmm_gup_test", hmm_gup_test_main, CF_SINGLE},
    {"hmm.hmm_cow_in_device", hmm_cow_in_device_main, CF_SINGLE},
};

#define CF_FORK_NCASES (sizeof(cf_fork_cases) / sizeof(cf_fork_cases[0]))

/* The first violation: kind, message and replay token; the interleaving too
 * when HMMSIM_TEST_REPORT is set (it is long). */
static void cf_report(const struct sim_result *r)
{
	if (!r->nr_reports)
		return;
	fprintf(stderr, "\n%s: %s: %s\n  schedule: %s\n", cf_name, r->reports[0].kind,
		r->reports[0].message, r->reports[0].schedule ? r->reports[0].schedule : "");
	if (getenv("HMMSIM_TEST_REPORT") && r->reports[0].report)
		fprintf(stderr, "%s\n", r->reports[0].report);
}

static void cf_run(const struct cf_case *c, const char *name)
{
	struct sim_scenario sc = {
	    .name = name,
	    .summary = name,
	    .main = c->main,
	    .step_bound = c->kind == CF_SINGLE ? CF_STEPS_SINGLE : CF_STEPS_PCT,
	};
	struct sim_result r;

	cf_name = name;
	cf_done = false;
	cf_teardown_outcomes = 0;
	if (c->kind == CF_SINGLE)
		r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
	else if (c->kind == CF_PCT)
		r = run(&sc, SIM_STRATEGY_PCT, CF_PCT_RUNS, 0, 1);
	else /* stops at the first violation */
		r = run(&sc, SIM_STRATEGY_PCT, 10 * CF_PCT_RUNS, 0, 1);

	if (c->kind == CF_PCT_FIND) {
		CU_ASSERT_TRUE(r.violations_found > 0);
		CU_ASSERT_TRUE(!strcmp(first_kind(&r), HS_KIND_UAF) ||
			       !strcmp(first_kind(&r), HS_KIND_COHERENCE));
		if (!r.violations_found)
			fprintf(stderr, "\n%s: no violation in %llu executions\n", name,
				(unsigned long long)r.executions);
	} else {
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(cf_done);
		cf_report(&r);
		/* the unmap raced the read both ways */
		if (c->main == anon_teardown_main && !r.violations_found)
			CU_ASSERT_EQUAL(cf_teardown_outcomes, 3);
	}
	sim_result_free(&r);
}

/* One CUnit test function per case: CUnit passes no argument, so a table of
 * trampolines indexes cf_cases[]. */
#define CF_T(i)                                                                                    \
	static void cf_test_##i(void)                                                              \
	{                                                                                          \
		cf_coherent = false;                                                               \
		cf_run(&cf_cases[i], cf_cases[i].name);                                            \
	}
CF_T(0)
CF_T(1)
CF_T(2)
CF_T(3)
CF_T(4)
CF_T(5)
CF_T(6)
CF_T(7)
CF_T(8)
CF_T(9)
CF_T(10)
CF_T(11)
CF_T(12)
CF_T(13)
CF_T(14)
CF_T(15)
CF_T(16)
CF_T(17)
CF_T(18)
CF_T(19)
CF_T(20)
CF_T(21)
CF_T(22)
CF_T(23)
CF_T(24)
CF_T(25)
CF_T(26)
CF_T(27)
CF_T(28)
CF_T(29)
CF_T(30)
CF_T(31)
CF_T(32)
CF_T(33)

static const CU_TestFunc cf_tests[] = {
    cf_test_0,	cf_test_1,  cf_test_2,	cf_test_3,  cf_test_4,	cf_test_5,  cf_test_6,
    cf_test_7,	cf_test_8,  cf_test_9,	cf_test_10, cf_test_11, cf_test_12, cf_test_13,
    cf_test_14, cf_test_15, cf_test_16, cf_test_17, cf_test_18, cf_test_19, cf_test_20,
    cf_test_21, cf_test_22, cf_test_23, cf_test_24, cf_test_25, cf_test_26, cf_test_27,
    cf_test_28, cf_test_29, cf_test_30, cf_test_31, cf_test_32, cf_test_33,
};

_Static_assert(sizeof(cf_tests) / sizeof(cf_tests[0]) == CF_NCASES,
	       "one trampoline per conformance case");

/* The THP and mremap cases (model/huge_memory.c, model/mremap.c), a table
 * of their own so that other groups can grow theirs. */
static const struct cf_case cf_thp_cases[] = {
    {"hmm.anon_write_huge", anon_write_huge_main, CF_SINGLE},
    {"hmm.migrate_anon_huge_empty", migrate_anon_huge_empty_main, CF_SINGLE},
    {"hmm.migrate_anon_huge_zero", migrate_anon_huge_zero_main, CF_SINGLE},
    {"hmm.migrate_anon_huge_free", migrate_anon_huge_free_main, CF_SINGLE},
    {"hmm.migrate_anon_huge_fault", migrate_anon_huge_fault_main, CF_SINGLE},
    {"hmm.migrate_anon_huge_err", migrate_anon_huge_err_main, CF_SINGLE},
    {"hmm.migrate_anon_huge_zero_err", migrate_anon_huge_zero_err_main, CF_SINGLE},
    {"hmm.migrate_remap_fault", migrate_remap_fault_main, CF_SINGLE},
};

#define CF_THP_T(i)                                                                                \
	static void cf_thp_test_##i(void)                                                          \
	{                                                                                          \
		cf_run(&cf_thp_cases[i], cf_thp_cases[i].name);                                    \
	}
CF_THP_T(0)
CF_THP_T(1)
CF_THP_T(2)
CF_THP_T(3)
CF_THP_T(4)
CF_THP_T(5)
CF_THP_T(6)
CF_THP_T(7)

static const CU_TestFunc cf_thp_tests[] = {
    cf_thp_test_0, cf_thp_test_1, cf_thp_test_2, cf_thp_test_3,
    cf_thp_test_4, cf_thp_test_5, cf_thp_test_6, cf_thp_test_7,
};

_Static_assert(sizeof(cf_thp_tests) / sizeof(cf_thp_tests[0]) ==
		   sizeof(cf_thp_cases) / sizeof(cf_thp_cases[0]),
	       "one trampoline per THP conformance case");

#define CF_FORK_T(i)                                                                               \
	static void cf_fork_test_##i(void)                                                         \
	{                                                                                          \
		cf_run(&cf_fork_cases[i], cf_fork_cases[i].name);                                  \
	}
CF_FORK_T(0)
CF_FORK_T(1)
CF_FORK_T(2)
CF_FORK_T(3)
CF_FORK_T(4)
CF_FORK_T(5)
CF_FORK_T(6)

static const CU_TestFunc cf_fork_tests[] = {
    cf_fork_test_0, cf_fork_test_1, cf_fork_test_2, cf_fork_test_3,
    cf_fork_test_4, cf_fork_test_5, cf_fork_test_6,
};

_Static_assert(sizeof(cf_fork_tests) / sizeof(cf_fork_tests[0]) == CF_FORK_NCASES,
	       "one trampoline per fork conformance case");

/*
 * The cases that run in the device-coherent variant too: the selftest's
 * TEST_F(hmm, ...) and TEST_F(hmm2, ...) run in both fixture variants, so
 * every case ported from one (or standing for one) does; the cases of the
 * model's own (swap, MADV_DONTNEED, fault counts, concurrency) and the
 * negative control run once.  Named as the harness names variants:
 * hmm_device_coherent.migrate, hmm2_device_coherent.snapshot.
 */
static const char *const cf_both[] = {
    "hmm.open_close",
    "hmm.anon_read",
    "hmm.anon_read_prot",
    "hmm.anon_write",
    "hmm.anon_write_prot",
    "hmm.anon_write_pmd",
    "hmm.migrate",
    "hmm.migrate_fault",
    "hmm.migrate_release",
    "hmm.migrate_shared",
    "hmm2.migrate_mixed",
    "hmm.migrate_multiple",
    "hmm.migrate_dev_to_sys",
    "hmm.anon_read_multiple",
    "hmm.anon_teardown",
    "hmm.mixedmap",
    "hmm2.snapshot",
    "hmm2.double_map",
    "hmm.migrate_anon_empty",
    "hmm.migrate_anon_zero",
    "hmm.migrate_partial_unmap_fault",
    "hmm.migrate_devmem_exhausted",
};

#define CF_NBOTH (sizeof(cf_both) / sizeof(cf_both[0]))

static char cf_coherent_names[CF_NBOTH][64];

static void cf_run_coherent(size_t k)
{
	for (size_t i = 0; i < CF_NCASES; i++)
		if (!strcmp(cf_cases[i].name, cf_both[k])) {
			cf_coherent = true;
			cf_run(&cf_cases[i], cf_coherent_names[k]);
			cf_coherent = false;
			return;
		}
	CU_FAIL("no such case");
}

#define CF_TC(k)                                                                                   \
	static void cf_test_coherent_##k(void)                                                     \
	{                                                                                          \
		cf_run_coherent(k);                                                                \
	}
CF_TC(0)
CF_TC(1)
CF_TC(2)
CF_TC(3)
CF_TC(4)
CF_TC(5)
CF_TC(6)
CF_TC(7)
CF_TC(8)
CF_TC(9)
CF_TC(10)
CF_TC(11)
CF_TC(12)
CF_TC(13)
CF_TC(14)
CF_TC(15)
CF_TC(16)
CF_TC(17)
CF_TC(18)
CF_TC(19)
CF_TC(20)
CF_TC(21)

static const CU_TestFunc cf_tests_coherent[] = {
    cf_test_coherent_0,	 cf_test_coherent_1,  cf_test_coherent_2,  cf_test_coherent_3,
    cf_test_coherent_4,	 cf_test_coherent_5,  cf_test_coherent_6,  cf_test_coherent_7,
    cf_test_coherent_8,	 cf_test_coherent_9,  cf_test_coherent_10, cf_test_coherent_11,
    cf_test_coherent_12, cf_test_coherent_13, cf_test_coherent_14, cf_test_coherent_15,
    cf_test_coherent_16, cf_test_coherent_17, cf_test_coherent_18, cf_test_coherent_19,
    cf_test_coherent_20, cf_test_coherent_21,
};

_Static_assert(sizeof(cf_tests_coherent) / sizeof(cf_tests_coherent[0]) == CF_NBOTH,
	       "one trampoline per coherent-variant case");

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("conformance", NULL, NULL);

	for (size_t i = 0; i < CF_NCASES; i++)
		CU_add_test(s, cf_cases[i].name, cf_tests[i]);
	for (size_t i = 0; i < sizeof(cf_thp_cases) / sizeof(cf_thp_cases[0]); i++)
		CU_add_test(s, cf_thp_cases[i].name, cf_thp_tests[i]);
	for (size_t i = 0; i < CF_FORK_NCASES; i++)
		CU_add_test(s, cf_fork_cases[i].name, cf_fork_tests[i]);
	for (size_t k = 0; k < CF_NBOTH; k++) {
		const char *dot = strchr(cf_both[k], '.');
		snprintf(cf_coherent_names[k], sizeof(cf_coherent_names[k]),
			 "%.*s_device_coherent%s", (int)(dot - cf_both[k]), cf_both[k], dot);
		CU_add_test(s, cf_coherent_names[k], cf_tests_coherent[k]);
	}
}
