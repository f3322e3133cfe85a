// SPDX-License-Identifier: MIT
/*
 * Suite "conformance" (conformance.h): the cases of hmm-tests.c's TEST_F(hmm, ...)
 * and TEST_F(hmm2, ...) on base pages, open_close to double_map.
 */
#include "conformance.h"

/* ---- TEST_F(hmm, open_close) ------------------------------------------------------------ */

/* Simple NULL test of device open/close. */
void open_close_main(void *arg)
{
	struct cf *f = cf_setup(1);

	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, anon_read) --------------------------------------------------------------- */

/* Read private anonymous memory. */
void anon_read_main(void *arg)
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
void anon_read_prot_main(void *arg)
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
void anon_write_main(void *arg)
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
void anon_write_prot_main(void *arg)
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
void anon_write_pmd_main(void *arg)
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
void migrate_main(void *arg)
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
void migrate_fault_main(void *arg)
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

void migrate_release_main(void *arg)
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
void migrate_close_main(void *arg)
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
void migrate_shared_main(void *arg)
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
void hmm2_migrate_mixed_main(void *arg)
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
void migrate_multiple_main(void *arg)
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
void migrate_dev_to_sys_main(void *arg)
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
void anon_read_multiple_main(void *arg)
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
unsigned int cf_teardown_outcomes;

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

void anon_teardown_main(void *arg)
{
	anon_teardown_run(HS_DMIRROR_OK);
}

/* Negative control: the same with a driver that skips mmu_interval_read_retry(). */
void anon_teardown_no_retry_main(void *arg)
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
void mixedmap_main(void *arg)
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
void hmm2_snapshot_main(void *arg)
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
void hmm2_double_map_main(void *arg)
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
