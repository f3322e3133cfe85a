// SPDX-License-Identifier: MIT
/*
 * Suite "conformance" (conformance.h): THP (model/huge_memory.c) and mremap
 * (model/mremap.c) cases.
 */
#include "conformance.h"

/* ==== THP (model/huge_memory.c) and mremap (model/mremap.c) cases =========================== */

/*
 * The selftests of the THP migration series (v6.19: "mm/zone_device: support
 * large zone device private folios" and its hmm-tests), with v6.19's
 * behaviour, which the model has (model/migrate_device_thp.c): the
 * reference driver passes MIGRATE_VMA_SELECT_COMPOUND as v6.19's test_hmm
 * does, so a PMD-mapped THP (or an empty PMD range) migrates to a device THP
 * mapped by a PMD device-private entry and back to a THP (the model's
 * snapshot asserts say so); the huge zero folio is split as in v6.18.  The
 * device-coherent variant migrates base pages (the series is about
 * device-private folios).  read_pmd_pagesize() is HS_PMD_SIZE; each buffer
 * is mmap()ed 2 * size at a PMD-aligned address, so ALIGN() returns its
 * start, and madvise(MADV_HUGEPAGE) is hs_madvise_hugepage().  test_hmm's
 * HMM_DMIRROR_FLAGS(HMM_DMIRROR_FLAG_FAIL_ALLOC) is hs_dmirror_set_fail_alloc().
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

/* (model) v6.19: the buffer's THP is on the device, mapped by one PMD
 * device-private entry (base pages with @pmd false; the coherent variant
 * has no device THP) */
static void cf_expect_dev_thp(struct cf *f, struct cf_buf *b, unsigned char rw, bool pmd);

/* (model) Every page of the buffer's first PMD snapshots as @perm. */
static void cf_expect_snapshot(struct cf *f, struct cf_buf *b, unsigned char perm)
{
	ASSERT_EQ(cf_cmd_snapshot(f, 0, b, CF_HUGE_NR), 0);
	for (unsigned long i = 0; i < CF_HUGE_NR; i++)
		ASSERT_EQ(b->snap[i], perm);
}

static void cf_expect_dev_thp(struct cf *f, struct cf_buf *b, unsigned char rw, bool pmd)
{
	if (cf_coherent)
		return;
	cf_expect_snapshot(f, b,
			   HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL | rw | (pmd ? HS_DMIRROR_PROT_PMD : 0));
}

/* ---- TEST_F(hmm, anon_write_huge) ------------------------------------------------------------ */

/* Write huge private anonymous memory. */
void anon_write_huge_main(void *arg)
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
void migrate_anon_huge_empty_main(void *arg)
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
	/* (model) v6.19: the empty PMD got a device THP (read-only VMA) */
	cf_expect_dev_thp(f, b, HS_DMIRROR_PROT_READ, true);

	cf_buffer_free(f, b);
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 0);
	cf_teardown(f);
}

/* Migrate private anonymous huge zero page. */
void migrate_anon_huge_zero_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, HS_VM_READ, true);
	unsigned long npages = CF_HUGE_NR, v = ~0ul;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize a read-only zero huge page. */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr, &v), 0);
	ASSERT_EQ(v, 0);
	/* (model) the huge zero folio, mapped by a PMD: test_hmm's
	 * is_zero_pfn() is false for its pfns, so no ZERO */
	cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_READ);

	/* Migrate memory to device. */
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);

	/* Fault pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages, CF_ZERO);
	/* (model) coherent pages stay on the device */
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), cf_coherent ? npages : 0);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Migrate private anonymous huge page and free. */
void migrate_anon_huge_free_main(void *arg)
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
	cf_expect_dev_thp(f, b, HS_DMIRROR_PROT_WRITE, true); /* (model) */

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
void migrate_anon_huge_fault_main(void *arg)
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
	cf_expect_dev_thp(f, b, HS_DMIRROR_PROT_WRITE, true); /* (model) */

	/* Fault pages back to system memory and check them. */
	cf_cpu_expect(f, b, 0, npages, 0);
	/* (model) coherent pages stay on the device */
	ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), cf_coherent ? npages : 0);
	if (!cf_coherent) /* (model) v6.19: back as one THP */
		cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_WRITE);

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* ---- TEST_F(hmm, migrate_partial_unmap_fault): the use_thp == 1 half ----------------------------
 */

/* Migrate memory and fault back to sysmem after partially unmapping a THP
 * (offsets 0, 512 KiB, 1 MiB; one MiB unmapped). */
void migrate_partial_unmap_fault_thp(void)
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
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]),
			  cf_coherent ? npages - unmap : 0);

		hs_munmap(f->mm, b->ptr, PG(2 * npages));
		cf_teardown(f);
	}
}

/* ---- TEST_F(hmm, migrate_anon_huge_err / _zero_err)
 * ----------------------------------------------- */

/* Migrate private anonymous huge page with allocation errors. */
void migrate_anon_huge_err_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, CF_RW, true);
	unsigned long npages = CF_HUGE_NR, v = ~0ul;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Initialize buffer in system memory. */
	cf_cpu_fill(f, b, 0, npages, 0);

	/* Migrate memory to device but force a THP allocation error. */
	hs_dmirror_set_fail_alloc(f->dm[0]);
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, 0);
	cf_expect_dev_thp(f, b, HS_DMIRROR_PROT_WRITE, false); /* (model) base pages */

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
	cf_expect_dev_thp(f, b, HS_DMIRROR_PROT_WRITE, true); /* (model) */

	/* Force an allocation error when faulting back a THP resident in the
	 * device, then migrate it back. */
	hs_dmirror_set_fail_alloc(f->dm[0]);
	ret = cf_cmd_migrate_to_sys(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	if (!cf_coherent) /* (model) back as base pages */
		cf_expect_snapshot(f, b, HS_DMIRROR_PROT_WRITE);
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &v), 0);
	ASSERT_EQ(v, cf_val(2, 1));

	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* Migrate private anonymous huge zero page with allocation errors. */
void migrate_anon_huge_zero_err_main(void *arg)
{
	struct cf *f = cf_setup_huge();
	struct cf_buf *b = cf_huge_buffer(f, HS_VM_READ, true);
	unsigned long npages = CF_HUGE_NR, v = ~0ul;
	int ret;

	memset(b->mirror, 0xff, npages * sizeof(*b->mirror));

	/* Migrate memory to device but force a THP allocation error. */
	hs_dmirror_set_fail_alloc(f->dm[0]);
	ret = cf_cmd_migrate_to_dev(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);

	/* Check what the device read. */
	cf_expect_words(b->mirror, 0, npages, CF_ZERO);
	cf_expect_dev_thp(f, b, HS_DMIRROR_PROT_READ, false); /* (model) base pages */

	/* Try faulting back a single (PAGE_SIZE) page. */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr + PG(2), &v), 0);
	ASSERT_EQ(v, 0);

	/* unmap and remap the region to reset things. */
	ASSERT_EQ(hs_munmap(f->mm, b->ptr, PG(2 * npages)), 0);
	b = cf_huge_buffer(f, HS_VM_READ, true);

	/* Initialize buffer in system memory (zero THP page). */
	ASSERT_EQ(hs_cpu_read(f->mm, b->ptr, &v), 0);
	ASSERT_EQ(v, 0);
	cf_expect_snapshot(f, b, HS_DMIRROR_PROT_PMD | HS_DMIRROR_PROT_READ);

	/* Migrate memory to device but force a THP allocation error. */
	hs_dmirror_set_fail_alloc(f->dm[0]);
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
void migrate_remap_fault_main(void *arg)
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
					/* (model) coherent pages stay on the device */
					ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]),
						  cf_coherent ? npages : 0);

					ASSERT_EQ(hs_munmap(f->mm, new_ptr, size), 0);
					b->ptr = CF_HUGE_BASE;
					hs_munmap(f->mm, CF_HUGE_BASE, PG(8 * npages));
					cf_teardown(f);
				}
}
