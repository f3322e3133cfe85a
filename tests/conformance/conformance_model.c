// SPDX-License-Identifier: MIT
/*
 * Suite "conformance" (conformance.h): the base-page forms of THP selftests,
 * partial unmaps, device memory exhausted, and the model's own cases (device
 * removal, swap, MADV_DONTNEED, fault counts, concurrency).
 */
#include "conformance.h"

/* ---- TEST_F(hmm, migrate_anon_huge_empty / _zero), with base pages -----------------------------
 */

/* Model equivalent of migrate_anon_huge_empty: migrate a read-only range
 * nothing ever touched (pte_none holes); the device reads zeros. */
void migrate_anon_empty_main(void *arg)
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
void migrate_anon_zero_main(void *arg)
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

/* Migrate memory and fault back to sysmem after partially unmapping: the
 * use_thp == 0 half here, then the THP half (migrate_partial_unmap_fault_thp()). */
void migrate_partial_unmap_fault_main(void *arg)
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
void migrate_devmem_exhausted_main(void *arg)
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
void device_remove_main(void *arg)
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
void anon_read_unmapped_main(void *arg)
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
void anon_write_mprotect_main(void *arg)
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
void swap_read_main(void *arg)
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
void madvise_dontneed_read_main(void *arg)
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
void anon_fault_counts_main(void *arg)
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
void range_outside_vma_main(void *arg)
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
void anon_read_write_concurrent_main(void *arg)
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
void migrate_cpu_write_concurrent_main(void *arg)
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
void hmm2_migrate_read_concurrent_main(void *arg)
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
