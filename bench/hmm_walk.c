// SPDX-License-Identifier: MIT
/*
 * bench/hmm_walk: what does the model's hmm_range_fault() cost per page over
 * a large, already populated range, next to the bare minimum (a loop that
 * reads the same PTE words), and how much memory does a 1M-page model take?
 *
 * It runs the model on the native backend (real pthread, GCC atomics): one
 * sim_stress() iteration of a scenario whose main does everything below and
 * hands the figures out through static variables.
 *
 *  setup        hs_machine_init() with NPAGES + RAM_MARGIN RAM pages, an mm,
 *               one anonymous read/write VMA of NPAGES pages, then every page
 *               written once with hs_cpu_write() (a write fault each: TLB miss,
 *               page-table read, mmap_lock, handle_mm_fault(),
 *               do_anonymous_page()).  An interval notifier covers the VMA.
 *  hmm_ns       hs_hmm_range_fault() over the whole VMA in one call,
 *               default_flags HS_HMM_PFN_REQ_FAULT.  Nothing needs faulting;
 *               the walk only reads PTEs.  Timed: the call alone, under
 *               mmap_lock for read, after hs_mmu_interval_read_begin().
 *  hmm_chunk_ns the same range as a driver would fault it, CHUNK pages per
 *               call.  Each chunk is read_begin(), down_read(mmap_lock),
 *               hs_hmm_range_fault(), up_read(), all timed.
 *  loop_ns      the same PTE words read by a plain loop: a relaxed atomic
 *               load of each, its pfn extracted and stored in an output array.
 *
 * The outputs are checked after every timed pass: each hmm entry must be
 * VALID|WRITE, without ERROR, with the pfn of the PTE, and that page must hold
 * what setup wrote at that address.  A broken walk fails the run instead of
 * producing a figure.
 *
 * Memory: sizeof(struct hs_page), the PTE table bytes per page, and VmRSS
 * (from /proc/self/status) once everything above is live.  The issue's
 * targets (hmm <= 5x loop, rss <= 160 MiB) are printed next to the figures,
 * not asserted.
 *
 * PMD-mapped: a second scenario (a second execution, so the arena of the first
 * is gone) does the same over the same 1M pages in a MADV_HUGEPAGE VMA: each
 * 2 MiB gets a THP on its first write fault, and the walk meets 2048 huge
 * PMDs (hmm_vma_handle_pmd(), map order 9).  Its floor is a loop that reads
 * each PMD word and writes its 512 pfns.  Printed side by side with the
 * base-page figures (pmd_* keys).
 *
 * Every time is the best of REPS passes.  The last line printed is one JSON
 * object.
 */
#define _GNU_SOURCE
#include <hmmsim/hmm.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/page.h>
#include <hmmsim/scenario.h>
#include <hmmsim/stress.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h" /* model/internal.h: struct hs_machine, for its size */

#define NPAGES	       (1ul << 20) /* pages of the walked range */
#define RAM_MARGIN     1024ul	   /* spare RAM pages beyond the range */
#define BASE	       HS_PMD_SIZE /* the VMA starts at one PTE table, not at 0 */
#define RANGE_LEN      (NPAGES * HS_PAGE_SIZE)
#define CHUNK	       512ul /* pages per call in the chunked pass */
#define REPS	       3
#define TARGET_RATIO   5.0   /* issue: hmm <= 5x the loop */
#define TARGET_RSS_MIB 160.0 /* issue: rss <= 160 MiB */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double min2(double a, double b)
{
	return a < b ? a : b;
}

/* A "VmRSS:" / "VmHWM:" line of /proc/self/status, in MiB; -1 if absent. */
static double status_mib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t klen = strlen(key);
	char line[256];
	double mib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			mib = strtod(line + klen + 1, NULL) / 1024.0; /* kB */
			break;
		}
	fclose(f);
	return mib;
}

/* ---- figures handed out of the scenario ----------------------------------- */

static const char *bench_error; /* set on a failed step or check */
static char bench_msg[256];
static double populate_s; /* setup: the NPAGES write faults */
static double setup_s;	  /* setup: everything before the first timed pass */
static double hmm_ns, hmm_chunk_ns, loop_ns;
static double rss_base_mib;  /* before hs_machine_init() */
static double rss_setup_mib; /* after setup, before the output arrays */
static double rss_mib;	     /* everything live, after the timed passes */
static double hwm_mib;
static double other_bytes_per_page; /* ram_free + shadow, per page */

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bench_msg, sizeof(bench_msg), fmt, ap);
	va_end(ap);
	bench_error = bench_msg;
}

/* The value setup writes at page @i: distinct, non-zero. */
static unsigned long page_value(unsigned long i)
{
	return 0x5a5a000000000000ul | (i + 1);
}

/* ---- the passes ------------------------------------------------------------ */

static bool bench_invalidate(struct hs_mmu_interval_notifier *sub,
			     const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	hs_mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops bench_ops = {
    .invalidate = bench_invalidate,
};

/* One hs_hmm_range_fault() of [start, end) into @out, as a driver would do it
 * (minus the driver lock and read_retry(), as nothing invalidates here). */
static int hmm_fault(struct hs_mmu_interval_notifier *sub, unsigned long start, unsigned long end,
		     unsigned long *out)
{
	struct hs_mm *mm = sub->mm;
	struct hs_hmm_range range = {
	    .notifier = sub,
	    .start = start,
	    .end = end,
	    .hmm_pfns = out,
	    .default_flags = HS_HMM_PFN_REQ_FAULT,
	    .pfn_flags_mask = 0,
	};
	int ret;

	range.notifier_seq = hs_mmu_interval_read_begin(sub);
	sim_down_read(&mm->mmap_lock);
	ret = hs_hmm_range_fault(&range);
	sim_up_read(&mm->mmap_lock);
	return ret;
}

/* The whole range in one call; only the call is timed. */
static double hmm_whole_pass(struct hs_mmu_interval_notifier *sub, unsigned long *out, int *ret)
{
	struct hs_mm *mm = sub->mm;
	struct hs_hmm_range range = {
	    .notifier = sub,
	    .start = BASE,
	    .end = BASE + RANGE_LEN,
	    .hmm_pfns = out,
	    .default_flags = HS_HMM_PFN_REQ_FAULT,
	    .pfn_flags_mask = 0,
	};
	double t0, t;

	range.notifier_seq = hs_mmu_interval_read_begin(sub);
	sim_down_read(&mm->mmap_lock);
	t0 = now_ns();
	*ret = hs_hmm_range_fault(&range);
	t = now_ns() - t0;
	sim_up_read(&mm->mmap_lock);
	if (!*ret && hs_mmu_interval_read_retry(sub, range.notifier_seq))
		*ret = -EBUSY;
	return t;
}

/* CHUNK pages per call, each with its own read_begin and mmap_lock. */
static double hmm_chunk_pass(struct hs_mmu_interval_notifier *sub, unsigned long *out, int *ret)
{
	double t0 = now_ns();

	*ret = 0;
	for (unsigned long i = 0; i < NPAGES && !*ret; i += CHUNK)
		*ret = hmm_fault(sub, BASE + i * HS_PAGE_SIZE, BASE + (i + CHUNK) * HS_PAGE_SIZE,
				 out + i);
	return now_ns() - t0;
}

/* The floor: every PTE word of the range, relaxed load, pfn out. */
static __attribute__((noinline)) void pte_loop(struct hs_mm *mm, unsigned long *out)
{
	for (unsigned long t = 0; t < NPAGES / HS_PTRS_PER_PTE; t++) {
		struct hs_pte_table *tbl = mm->pmd[BASE / HS_PMD_SIZE + t];
		unsigned long *o = out + t * HS_PTRS_PER_PTE;

		for (unsigned long j = 0; j < HS_PTRS_PER_PTE; j++) {
			hs_pte_t pte = (hs_pte_t)__atomic_load_n(&tbl->pte[j].v, __ATOMIC_RELAXED);

			o[j] = hs_pte_pfn(pte);
		}
	}
}

static double loop_pass(struct hs_mm *mm, unsigned long *out)
{
	double t0 = now_ns();

	pte_loop(mm, out);
	return now_ns() - t0;
}

/*
 * Every output entry of page i must name the pfn its PTE maps (with
 * VALID|WRITE and no ERROR for hmm), and that page must hold page_value(i).
 * Plain reads: nothing else runs.
 */
static bool check(struct hs_mm *mm, const unsigned long *out, bool hmm, const char *what)
{
	for (unsigned long i = 0; i < NPAGES; i++) {
		unsigned long addr = BASE + i * HS_PAGE_SIZE;
		hs_pte_t pte =
		    (hs_pte_t)__atomic_load_n(&hs_pte_offset(mm, addr)->v, __ATOMIC_RELAXED);
		unsigned long v = out[i], pfn = hmm ? hs_hmm_pfn_to_pfn(v) : v;

		if (hmm && (v & (HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE | HS_HMM_PFN_ERROR)) !=
			       (HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE)) {
			fail("%s: page %lu: output %#lx is not VALID|WRITE", what, i, v);
			return false;
		}
		if (!hs_pte_present(pte) || pfn != hs_pte_pfn(pte) || !hs_pfn_valid(pfn) ||
		    hs_pfn_to_page(pfn)->content != page_value(i)) {
			fail("%s: page %lu: output %#lx does not match its pte", what, i, v);
			return false;
		}
	}
	return true;
}

static void bench_main(void *arg)
{
	static struct hs_mmu_interval_notifier sub;
	struct hs_machine *m;
	struct hs_mm *mm;
	unsigned long *hmm_out, *loop_out;
	double t0, t;
	int ret;

	t0 = now_ns();
	rss_base_mib = status_mib("VmRSS");
	m = hs_machine_init(NPAGES + RAM_MARGIN, 0);
	mm = hs_mm_alloc("bench", BASE + RANGE_LEN, 0);
	other_bytes_per_page = (double)sizeof(*m->ram_free) + (double)sizeof(*mm->shadow);
	ret = hs_mmap(mm, BASE, RANGE_LEN, HS_VM_READ | HS_VM_WRITE);
	if (ret) {
		fail("hs_mmap: %d", ret);
		return;
	}
	t = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++)
		if (hs_cpu_write(mm, BASE + i * HS_PAGE_SIZE, page_value(i))) {
			fail("hs_cpu_write of page %lu: -EFAULT", i);
			return;
		}
	populate_s = (now_ns() - t) * 1e-9;
	ret = hs_mmu_interval_notifier_insert(&sub, mm, BASE, RANGE_LEN, &bench_ops);
	if (ret) {
		fail("hs_mmu_interval_notifier_insert: %d", ret);
		return;
	}
	rss_setup_mib = status_mib("VmRSS");
	setup_s = (now_ns() - t0) * 1e-9;

	hmm_out = sim_alloc(NPAGES * sizeof(*hmm_out));
	loop_out = sim_alloc(NPAGES * sizeof(*loop_out));
	hmm_ns = hmm_chunk_ns = loop_ns = 1e300;
	for (int r = 0; r < REPS; r++) {
		memset(hmm_out, 0, NPAGES * sizeof(*hmm_out));
		t = hmm_whole_pass(&sub, hmm_out, &ret);
		if (ret) {
			fail("hs_hmm_range_fault (whole range): %d", ret);
			return;
		}
		if (!check(mm, hmm_out, true, "hmm whole range"))
			return;
		hmm_ns = min2(hmm_ns, t / (double)NPAGES);

		memset(hmm_out, 0, NPAGES * sizeof(*hmm_out));
		t = hmm_chunk_pass(&sub, hmm_out, &ret);
		if (ret) {
			fail("hs_hmm_range_fault (chunks): %d", ret);
			return;
		}
		if (!check(mm, hmm_out, true, "hmm chunks"))
			return;
		hmm_chunk_ns = min2(hmm_chunk_ns, t / (double)NPAGES);

		memset(loop_out, 0, NPAGES * sizeof(*loop_out));
		t = loop_pass(mm, loop_out);
		if (!check(mm, loop_out, false, "pte loop"))
			return;
		loop_ns = min2(loop_ns, t / (double)NPAGES);
	}
	rss_mib = status_mib("VmRSS");
	hwm_mib = status_mib("VmHWM");
}

/* ---- the same range mapped by PMDs (THP, model/huge_memory.c) ------------------ */

static double pmd_populate_s, pmd_hmm_ns, pmd_hmm_chunk_ns, pmd_loop_ns, pmd_rss_mib;
static unsigned long pmd_huge; /* PMDs of the range that are huge after setup */

/* The floor for PMDs: each PMD word, relaxed load, its 512 pfns out. */
static __attribute__((noinline)) void pmd_loop(struct hs_mm *mm, unsigned long *out)
{
	for (unsigned long t = 0; t < NPAGES / HS_PTRS_PER_PTE; t++) {
		struct hs_pte_table *tbl = mm->pmd[BASE / HS_PMD_SIZE + t];
		hs_pte_t pmd = (hs_pte_t)__atomic_load_n(&tbl->pmd.v, __ATOMIC_RELAXED);
		unsigned long pfn = hs_pte_pfn(pmd), *o = out + t * HS_PTRS_PER_PTE;

		for (unsigned long j = 0; j < HS_PTRS_PER_PTE; j++)
			o[j] = pfn + j;
	}
}

/* As check(), for the PMD-mapped range: every entry VALID|WRITE with map
 * order 9 (hmm), the pfn inside its PMD's folio, the page's value. */
static bool check_pmd(struct hs_mm *mm, const unsigned long *out, bool hmm, const char *what)
{
	for (unsigned long i = 0; i < NPAGES; i++) {
		struct hs_pte_table *tbl = mm->pmd[BASE / HS_PMD_SIZE + i / HS_PTRS_PER_PTE];
		hs_pte_t pmd = (hs_pte_t)__atomic_load_n(&tbl->pmd.v, __ATOMIC_RELAXED);
		unsigned long v = out[i], pfn = hmm ? hs_hmm_pfn_to_pfn(v) : v;

		if (hmm && ((v & (HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE | HS_HMM_PFN_ERROR)) !=
				(HS_HMM_PFN_VALID | HS_HMM_PFN_WRITE) ||
			    hs_hmm_pfn_to_map_order(v) != 9)) {
			fail("%s: page %lu: output %#lx is not VALID|WRITE of order 9", what, i, v);
			return false;
		}
		if (!hs_pte_present(pmd) || pfn != hs_pte_pfn(pmd) + i % HS_PTRS_PER_PTE ||
		    hs_pfn_to_page(pfn)->content != page_value(i)) {
			fail("%s: page %lu: output %#lx does not match its PMD", what, i, v);
			return false;
		}
	}
	return true;
}

static void bench_pmd_main(void *arg)
{
	static struct hs_mmu_interval_notifier sub;
	unsigned long *hmm_out, *loop_out;
	struct hs_mm *mm;
	double t;
	int ret;

	/* pfns 0..511 are not a THP (pfn 0 is the zero page): one block more */
	hs_machine_init(NPAGES + 2 * HS_PTRS_PER_PTE, 0);
	mm = hs_mm_alloc("bench-pmd", BASE + RANGE_LEN, 0);
	ret = hs_mmap(mm, BASE, RANGE_LEN, HS_VM_READ | HS_VM_WRITE | HS_VM_HUGEPAGE);
	if (ret) {
		fail("hs_mmap (huge): %d", ret);
		return;
	}
	t = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++)
		if (hs_cpu_write(mm, BASE + i * HS_PAGE_SIZE, page_value(i))) {
			fail("hs_cpu_write of page %lu (huge): -EFAULT", i);
			return;
		}
	pmd_populate_s = (now_ns() - t) * 1e-9;
	for (unsigned long k = 0; k < NPAGES / HS_PTRS_PER_PTE; k++)
		pmd_huge +=
		    __atomic_load_n(&mm->pmd[BASE / HS_PMD_SIZE + k]->pmd.v, __ATOMIC_RELAXED) != 0;
	if (pmd_huge != NPAGES / HS_PTRS_PER_PTE) {
		fail("only %lu of %lu PMDs are huge", pmd_huge, NPAGES / HS_PTRS_PER_PTE);
		return;
	}
	ret = hs_mmu_interval_notifier_insert(&sub, mm, BASE, RANGE_LEN, &bench_ops);
	if (ret) {
		fail("hs_mmu_interval_notifier_insert (huge): %d", ret);
		return;
	}
	hmm_out = sim_alloc(NPAGES * sizeof(*hmm_out));
	loop_out = sim_alloc(NPAGES * sizeof(*loop_out));
	pmd_hmm_ns = pmd_hmm_chunk_ns = pmd_loop_ns = 1e300;
	for (int r = 0; r < REPS; r++) {
		memset(hmm_out, 0, NPAGES * sizeof(*hmm_out));
		t = hmm_whole_pass(&sub, hmm_out, &ret);
		if (ret || !check_pmd(mm, hmm_out, true, "hmm whole range (PMDs)")) {
			if (ret)
				fail("hs_hmm_range_fault (whole range, PMDs): %d", ret);
			return;
		}
		pmd_hmm_ns = min2(pmd_hmm_ns, t / (double)NPAGES);

		memset(hmm_out, 0, NPAGES * sizeof(*hmm_out));
		t = hmm_chunk_pass(&sub, hmm_out, &ret);
		if (ret || !check_pmd(mm, hmm_out, true, "hmm chunks (PMDs)")) {
			if (ret)
				fail("hs_hmm_range_fault (chunks, PMDs): %d", ret);
			return;
		}
		pmd_hmm_chunk_ns = min2(pmd_hmm_chunk_ns, t / (double)NPAGES);

		memset(loop_out, 0, NPAGES * sizeof(*loop_out));
		t = now_ns();
		pmd_loop(mm, loop_out);
		t = now_ns() - t;
		if (!check_pmd(mm, loop_out, false, "pmd loop"))
			return;
		pmd_loop_ns = min2(pmd_loop_ns, t / (double)NPAGES);
	}
	pmd_rss_mib = status_mib("VmRSS");
}

/* Run @main_fn once on the deterministic engine as scenario @name; 0, or 1 after
 * saying what failed (@what names the pass). */
static int run_once(const char *name, const char *summary, void (*main_fn)(void *),
		    const char *what)
{
	struct sim_scenario sc = {.name = name, .summary = summary, .main = main_fn};
	struct sim_stress_options opt = {
	    .max_iterations = 1,
	    .jitter = false,
	    .hang_timeout_s = 600,
	    .step_bound = 1ul << 40,
	};
	struct sim_stress_result res;
	int err = sim_stress(&sc, &opt, &res);

	if (err || res.iterations != 1 || res.violations_found || res.hung) {
		fprintf(stderr, "hmm_walk: the %s failed (%d): %s: %s\n", what, err, res.kind,
			res.message);
		return 1;
	}
	if (bench_error) {
		fprintf(stderr, "hmm_walk: %s\n", bench_error);
		return 1;
	}
	return 0;
}

int main(void)
{
	double pte_bytes = (double)sizeof(struct hs_pte_table) / HS_PTRS_PER_PTE;
	double page_bytes = (double)sizeof(struct hs_page);

	if (run_once("bench-hmm-walk", "hmm_range_fault over 1M populated pages", bench_main,
		     "scenario"))
		return 1;
	/* The PMD-mapped pass: a second execution (its memory is the arena's,
	 * reset after the first), so the two ranges are never live together. */
	if (run_once("bench-hmm-walk-pmd", "hmm_range_fault over 1M pages mapped by 2048 huge PMDs",
		     bench_pmd_main, "PMD scenario"))
		return 1;

	printf("setup: %lu pages, %.2f s (write faults through hs_cpu_write(): %.2f s, "
	       "%.0f ns per page)\n",
	       NPAGES, setup_s, populate_s, populate_s * 1e9 / (double)NPAGES);
	printf("hmm_range_fault, whole range in one call: %.2f ns per page (best of %d)\n", hmm_ns,
	       REPS);
	printf("hmm_range_fault, %lu pages per call (read_begin + mmap_lock + call): "
	       "%.2f ns per page\n",
	       CHUNK, hmm_chunk_ns);
	printf("pte loop (relaxed load, pfn out): %.2f ns per page\n", loop_ns);
	printf("ratio hmm/loop: %.2f whole range, %.2f in chunks (target <= %.0f)\n",
	       hmm_ns / loop_ns, hmm_chunk_ns / loop_ns, TARGET_RATIO);
	printf("bytes per page: struct hs_page %.0f + pte %.2f (struct hs_pte_table %zu / %d) "
	       "= %.2f; other per-page arrays (ram_free, mm shadow) %.0f\n",
	       page_bytes, pte_bytes, sizeof(struct hs_pte_table), HS_PTRS_PER_PTE,
	       page_bytes + pte_bytes, other_bytes_per_page);
	printf("VmRSS: %.1f MiB with everything live (setup alone %.1f MiB, before setup "
	       "%.1f MiB, VmHWM %.1f MiB) (target <= %.0f MiB)\n",
	       rss_mib, rss_setup_mib, rss_base_mib, hwm_mib, TARGET_RSS_MIB);
	printf("PMD-mapped (2048 THPs, the same 1M pages), side by side with base pages:\n"
	       "  setup write faults %.0f ns per page (base %.0f)\n"
	       "  hmm_range_fault whole range %.2f ns per page (base %.2f), %lu pages per call "
	       "%.2f (base %.2f)\n"
	       "  pmd loop (one PMD word per 512 pfns) %.2f ns per page (pte loop %.2f); ratio "
	       "hmm/loop %.2f\n"
	       "  bytes per page: struct hs_page %.0f + the PTE table the model keeps under each "
	       "PMD %.2f = %.2f (base %.2f); VmRSS %.1f MiB\n",
	       pmd_populate_s * 1e9 / (double)NPAGES, populate_s * 1e9 / (double)NPAGES, pmd_hmm_ns,
	       hmm_ns, CHUNK, pmd_hmm_chunk_ns, hmm_chunk_ns, pmd_loop_ns, loop_ns,
	       pmd_hmm_ns / pmd_loop_ns, page_bytes, pte_bytes, page_bytes + pte_bytes,
	       page_bytes + pte_bytes, pmd_rss_mib);
	printf("{\"hmm_ns_per_page\": %.2f, \"loop_ns_per_page\": %.2f, \"ratio\": %.2f, "
	       "\"hmm_chunk_ns_per_page\": %.2f, \"ratio_chunk\": %.2f, "
	       "\"bytes_per_page\": %.2f, \"page_bytes\": %.0f, \"pte_bytes_per_page\": %.2f, "
	       "\"other_bytes_per_page\": %.0f, \"rss_mib\": %.1f, \"rss_setup_mib\": %.1f, "
	       "\"rss_base_mib\": %.1f, \"populate_ns_per_page\": %.0f, \"pages\": %lu, "
	       "\"target_ratio\": %.0f, \"target_rss_mib\": %.0f, "
	       "\"pmd_hmm_ns_per_page\": %.2f, \"pmd_hmm_chunk_ns_per_page\": %.2f, "
	       "\"pmd_loop_ns_per_page\": %.2f, \"pmd_bytes_per_page\": %.2f, "
	       "\"pmd_populate_ns_per_page\": %.0f, \"pmd_rss_mib\": %.1f}\n",
	       hmm_ns, loop_ns, hmm_ns / loop_ns, hmm_chunk_ns, hmm_chunk_ns / loop_ns,
	       page_bytes + pte_bytes, page_bytes, pte_bytes, other_bytes_per_page, rss_mib,
	       rss_setup_mib, rss_base_mib, populate_s * 1e9 / (double)NPAGES, NPAGES, TARGET_RATIO,
	       TARGET_RSS_MIB, pmd_hmm_ns, pmd_hmm_chunk_ns, pmd_loop_ns, page_bytes + pte_bytes,
	       pmd_populate_s * 1e9 / (double)NPAGES, pmd_rss_mib);
	return 0;
}
