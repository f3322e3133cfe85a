// SPDX-License-Identifier: MIT
/*
 * Suite "conformance" (conformance.h): fork, COW, device-exclusive access and
 * GUP pins (model/fork.c, model/rmap.c, model/gup.c).
 */
#include "conformance.h"

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

void anon_write_child_main(void *arg)
{
	(void)arg;
	anon_write_child_body(0);
}

void anon_write_child_shared_main(void *arg)
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
void exclusive_main(void *arg)
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
void exclusive_mprotect_main(void *arg)
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
void exclusive_cow_main(void *arg)
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

/* GUP of device-private pages migrates them back to system memory; a
 * long-term pin of a device-coherent page does too (FOLL_LONGTERM). */
void hmm_gup_test_main(void *arg)
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
	/* PIN_FAST_BENCHMARK with FOLL_LONGTERM, PIN_LONGTERM_BENCHMARK */
	cf_gup_test_exec(f, b->ptr + PG(2), true, true);
	cf_gup_test_exec(f, b->ptr + PG(3), true, true);

	/* Take snapshot to CPU pagetables */
	ret = cf_cmd_snapshot(f, 0, b, npages);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(b->cpages, npages);
	/* device-coherent pages stay on the device unless pinned long term */
	unsigned char m01 = HS_DMIRROR_PROT_WRITE;
	if (cf_coherent)
		m01 |= HS_DMIRROR_PROT_DEV_COHERENT_LOCAL;
	ASSERT_EQ(b->snap[0], m01);
	ASSERT_EQ(b->snap[1], m01);
	ASSERT_EQ(b->snap[2], HS_DMIRROR_PROT_WRITE);
	ASSERT_EQ(b->snap[3], HS_DMIRROR_PROT_WRITE);
	/* (model) the two long-term pins moved their pages off the device */
	if (cf_coherent)
		ASSERT_EQ(hs_dmirror_device_pages_in_use(f->dev[0]), 2);
	/* Check again the content on the pages. Make sure there's no corrupted data. */
	cf_cpu_expect(f, b, 0, npages, 0);
	cf_buffer_free(f, b);
	cf_teardown(f);
}

/* The parent writes to COW device-private pages: each migrates to system
 * memory first, then is copied. */
void hmm_cow_in_device_main(void *arg)
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
