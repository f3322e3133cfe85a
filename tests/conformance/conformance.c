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
#include "conformance.h"

/* The case being run (for messages) and whether its main() reached its end. */
const char *cf_name = "";
bool cf_done;
/* The fixture variant: hmm_device_coherent / hmm2_device_coherent (test_hmm's
 * device-coherent devices) instead of the device-private ones. */
bool cf_coherent;

/* ---- the fixture: FIXTURE(hmm) has one device, FIXTURE(hmm2) two ------------------ */

/* FIXTURE_SETUP(): a machine, the process's mm, hmm_open() of each device. */
struct cf *cf_setup_pages(int ndev, unsigned long dev_pages)
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

struct cf *cf_setup(int ndev)
{
	return cf_setup_pages(ndev, CF_DEV_PAGES);
}

/* FIXTURE_TEARDOWN(): close() every device file. */
void cf_teardown(struct cf *f)
{
	for (int d = 0; d < f->ndev; d++)
		if (f->dm[d])
			hs_dmirror_release(f->dm[d]);
	cf_done = true;
}

/* ---- struct hmm_buffer ---------------------------------------------------------- */

/* malloc() + mmap(): an anonymous private mapping at @addr with @prot. */
struct cf_buf *cf_buffer(struct cf *f, unsigned long addr, unsigned long npages, unsigned int prot)
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
void cf_buffer_free(struct cf *f, struct cf_buf *b)
{
	ASSERT_EQ(hs_munmap(f->mm, b->ptr, PG(b->npages)), 0);
}

/* The CPU stores cf_val(i, c) in pages [from, to) of the buffer. */
void cf_cpu_fill(struct cf *f, const struct cf_buf *b, unsigned long from, unsigned long to, long c)
{
	for (unsigned long i = from; i < to; i++) {
		int ret = hs_cpu_write(f->mm, b->ptr + PG(i), cf_val(i, c));
		sim_check(ret == 0, "%s: CPU write of page %lu: %d", cf_name, i, ret);
	}
}

/* The CPU loads pages [from, to) and each must hold cf_val(i, c). */
void cf_cpu_expect_at(struct cf *f, const struct cf_buf *b, unsigned long from, unsigned long to,
		      long c, int line)
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
void cf_expect_words_at(const unsigned long *w, unsigned long from, unsigned long to, long c,
			int line)
{
	for (unsigned long i = from; i < to; i++)
		sim_check(w[i] == cf_val(i, c),
			  "%s: line %d: device saw page %lu as %#lx, expected %#lx", cf_name, line,
			  i, w[i], cf_val(i, c));
}

/* ---- hmm_dmirror_cmd() -------------------------------------------------------------- */

/* HMM_DMIRROR_READ: the mirror buffer is written only on success. */
int cf_cmd_read(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
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
int cf_cmd_write(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
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
int cf_cmd_snapshot(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
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
int cf_cmd_migrate_to_dev(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
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
int cf_cmd_migrate_to_sys(struct cf *f, int d, struct cf_buf *b, unsigned long npages)
{
	unsigned long before = hs_dmirror_device_pages_in_use(f->dev[d]);
	int ret = hs_dmirror_migrate_to_sys(f->dm[d], b->ptr, npages);

	if (ret)
		return ret;
	b->cpages = before - hs_dmirror_device_pages_in_use(f->dev[d]);
	return 0;
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

#define CF_THP_NCASES (sizeof(cf_thp_cases) / sizeof(cf_thp_cases[0]))

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

_Static_assert(sizeof(cf_thp_tests) / sizeof(cf_thp_tests[0]) == CF_THP_NCASES,
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
    "hmm.anon_write_child",
    "hmm.anon_write_child_shared",
    "hmm.anon_write_huge",
    "hmm.exclusive",
    "hmm.exclusive_mprotect",
    "hmm.exclusive_cow",
    "hmm.hmm_cow_in_device",
    "hmm.migrate_anon_huge_empty",
    "hmm.migrate_anon_huge_zero",
    "hmm.migrate_anon_huge_free",
    "hmm.migrate_anon_huge_fault",
    "hmm.migrate_remap_fault",
    "hmm.migrate_anon_huge_err",
    "hmm.migrate_anon_huge_zero_err",
    "hmm.hmm_gup_test",
};

#define CF_NBOTH (sizeof(cf_both) / sizeof(cf_both[0]))

static char cf_coherent_names[CF_NBOTH][64];

static void cf_run_coherent(size_t k)
{
	const struct cf_case *tables[] = {cf_cases, cf_thp_cases, cf_fork_cases};
	const size_t sizes[] = {CF_NCASES, CF_THP_NCASES, CF_FORK_NCASES};

	for (size_t t = 0; t < 3; t++)
		for (size_t i = 0; i < sizes[t]; i++)
			if (!strcmp(tables[t][i].name, cf_both[k])) {
				cf_coherent = true;
				cf_run(&tables[t][i], cf_coherent_names[k]);
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
CF_TC(22)
CF_TC(23)
CF_TC(24)
CF_TC(25)
CF_TC(26)
CF_TC(27)
CF_TC(28)
CF_TC(29)
CF_TC(30)
CF_TC(31)
CF_TC(32)
CF_TC(33)
CF_TC(34)
CF_TC(35)
CF_TC(36)

static const CU_TestFunc cf_tests_coherent[] = {
    cf_test_coherent_0,	 cf_test_coherent_1,  cf_test_coherent_2,  cf_test_coherent_3,
    cf_test_coherent_4,	 cf_test_coherent_5,  cf_test_coherent_6,  cf_test_coherent_7,
    cf_test_coherent_8,	 cf_test_coherent_9,  cf_test_coherent_10, cf_test_coherent_11,
    cf_test_coherent_12, cf_test_coherent_13, cf_test_coherent_14, cf_test_coherent_15,
    cf_test_coherent_16, cf_test_coherent_17, cf_test_coherent_18, cf_test_coherent_19,
    cf_test_coherent_20, cf_test_coherent_21, cf_test_coherent_22, cf_test_coherent_23,
    cf_test_coherent_24, cf_test_coherent_25, cf_test_coherent_26, cf_test_coherent_27,
    cf_test_coherent_28, cf_test_coherent_29, cf_test_coherent_30, cf_test_coherent_31,
    cf_test_coherent_32, cf_test_coherent_33, cf_test_coherent_34, cf_test_coherent_35,
    cf_test_coherent_36,

};

_Static_assert(sizeof(cf_tests_coherent) / sizeof(cf_tests_coherent[0]) == CF_NBOTH,
	       "one trampoline per coherent-variant case");

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("conformance", NULL, NULL);

	for (size_t i = 0; i < CF_NCASES; i++)
		CU_add_test(s, cf_cases[i].name, cf_tests[i]);
	for (size_t i = 0; i < CF_THP_NCASES; i++)
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
