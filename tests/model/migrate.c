// SPDX-License-Identifier: MIT
/*
 * migrate suite: model/migrate.c (mm/migrate_device.c, remove_migration_pte,
 * migration_entry_wait, the device-private branch of do_swap_page).
 *
 * Each scenario builds a machine, one address space and a device whose
 * device-private pagemap is driven by the minimal driver below (a bump
 * allocator of device pages, migrate_to_ram the way lib/test_hmm.c does it).
 * Single-threaded scenarios check the protocol's results (ptes, refcounts,
 * content words); the concurrent ones are explored exhaustively with DFS
 * within a preemption bound, and each historical bug switch is shown to be
 * found with the switch on and absent with it off.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/migrate.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define VA     0x10000ul
#define PG     HS_PAGE_SIZE
#define NR_RAM 24
#define NR_DEV 8
#define MAXN   4

static int owner_a, owner_b; /* the owners' identities: their addresses */

/* ---- the test driver ------------------------------------------------------------ */

struct tdev {
	struct hs_dev_pagemap pgmap;
	sim_spinlock_t lock;
	unsigned long next_pfn, end_pfn; /* bump allocator: a freed pfn is not reused */
	long freed;			 /* page_free() calls, under lock */
	/* migrate_to_ram rounds whose fault page could not move because of an
	 * unexpected reference: such a round changes nothing, so the faulting
	 * threads can repeat it forever (the v6.15 livelock) */
	sim_atomic_t aborted_rounds;
	bool abort_is_livelock; /* report an aborted round as a violation */
};

static void tdev_page_free(struct hs_page *page)
{
	struct tdev *dev = page->pgmap->driver;

	sim_spin_lock(&dev->lock);
	dev->freed++;
	sim_spin_unlock(&dev->lock);
}

/* dmirror_devmem_fault(): migrate the faulting page back to system memory. */
static unsigned int tdev_migrate_to_ram(struct hs_vm_fault *vmf)
{
	struct tdev *dev = vmf->page->pgmap->driver;
	unsigned long src = 0, dst = 0;
	struct hs_migrate_vma args = {
	    .vma = vmf->vma,
	    .start = vmf->address & ~(PG - 1),
	    .end = (vmf->address & ~(PG - 1)) + PG,
	    .src = &src,
	    .dst = &dst,
	    .pgmap_owner = dev->pgmap.owner,
	    .flags = HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	    .fault_page = vmf->page,
	};
	struct hs_page *spage, *dpage = NULL;

	if (hs_migrate_vma_setup(&args))
		return HS_VM_FAULT_SIGBUS;
	spage = hs_migrate_pfn_to_page(src);
	if (spage && (src & HS_MIGRATE_PFN_MIGRATE)) {
		dpage = hs_alloc_page();
		if (dpage) {
			hs_lock_page(dpage);
			hs_copy_page(dpage, spage);
			dst = hs_migrate_pfn(hs_page_to_pfn(dpage));
			if (src & HS_MIGRATE_PFN_WRITE)
				dst |= HS_MIGRATE_PFN_WRITE;
		}
	}
	hs_migrate_vma_pages(&args);
	if (dpage && !(src & HS_MIGRATE_PFN_MIGRATE)) {
		sim_atomic_inc(&dev->aborted_rounds);
		if (dev->abort_is_livelock)
			sim_fail(
			    SIM_KIND_LIVELOCK,
			    "migrate_to_ram: the migration of fault page %#lx was aborted by an "
			    "unexpected reference (another fault's); the round changed nothing, "
			    "so the faults can retry it forever",
			    hs_page_to_pfn(spage));
	}
	hs_migrate_vma_finalize(&args);
	return dpage || !spage ? 0 : HS_VM_FAULT_OOM;
}

static const struct hs_dev_pagemap_ops tdev_ops = {
    .page_free = tdev_page_free,
    .migrate_to_ram = tdev_migrate_to_ram,
};

static struct tdev *tdev_new(void *owner, unsigned long nr_pages)
{
	struct tdev *dev = sim_alloc(sizeof(*dev));

	dev->pgmap.type = HS_MEMORY_DEVICE_PRIVATE;
	dev->pgmap.owner = owner;
	dev->pgmap.ops = &tdev_ops;
	dev->pgmap.name = "tdev";
	dev->pgmap.driver = dev;
	sim_spin_init(&dev->lock, "tdev->lock");
	sim_check(hs_memremap_pages(&dev->pgmap, nr_pages) == 0, "memremap_pages failed");
	dev->next_pfn = dev->pgmap.start_pfn;
	dev->end_pfn = dev->pgmap.start_pfn + nr_pages;
	return dev;
}

/* A free device page, locked with one reference (zone_device_page_init). */
static struct hs_page *tdev_alloc_page(struct tdev *dev)
{
	unsigned long pfn = 0;

	sim_spin_lock(&dev->lock);
	if (dev->next_pfn < dev->end_pfn)
		pfn = dev->next_pfn++;
	sim_spin_unlock(&dev->lock);
	if (!pfn)
		return NULL;
	hs_zone_device_page_init(hs_pfn_to_page(pfn));
	return hs_pfn_to_page(pfn);
}

/*
 * dmirror_migrate_to_device(): move [start, start + n pages) to device memory
 * (holes included), the device copying the data.  *after_setup, if given,
 * receives src[] as migrate_vma_setup() left it.  Return: pages moved.
 */
static unsigned long tdev_migrate_to_dev(struct tdev *dev, struct hs_mm *mm, unsigned long start,
					 unsigned long n, unsigned long *after_setup)
{
	unsigned long src[MAXN] = {0}, dst[MAXN] = {0}, moved = 0;
	struct hs_migrate_vma args = {
	    .start = start,
	    .end = start + n * PG,
	    .src = src,
	    .dst = dst,
	    .pgmap_owner = dev->pgmap.owner,
	    .flags = HS_MIGRATE_VMA_SELECT_SYSTEM,
	};

	sim_down_read(&mm->mmap_lock);
	args.vma = hs_find_vma(mm, start);
	sim_check(hs_migrate_vma_setup(&args) == 0, "migrate_vma_setup failed");
	if (after_setup)
		memcpy(after_setup, src, n * sizeof(*src));
	for (unsigned long i = 0; i < args.npages; i++) {
		struct hs_page *spage = hs_migrate_pfn_to_page(src[i]);
		struct hs_page *dpage;

		if (!(src[i] & HS_MIGRATE_PFN_MIGRATE))
			continue;
		dpage = tdev_alloc_page(dev);
		if (!dpage)
			continue;
		hs_page_write(dpage, spage ? hs_page_read(spage) : 0); /* the device's copy */
		dst[i] = hs_migrate_pfn(hs_page_to_pfn(dpage));
		if ((src[i] & HS_MIGRATE_PFN_WRITE) ||
		    (!spage && (args.vma->vm_flags & HS_VM_WRITE)))
			dst[i] |= HS_MIGRATE_PFN_WRITE;
	}
	hs_migrate_vma_pages(&args);
	for (unsigned long i = 0; i < args.npages; i++)
		if ((src[i] & HS_MIGRATE_PFN_MIGRATE) && dst[i])
			moved++;
	hs_migrate_vma_finalize(&args);
	sim_up_read(&mm->mmap_lock);
	return moved;
}

/* dmirror_migrate_to_system(): device pages of @owner in the range back to RAM. */
static unsigned long tdev_migrate_to_sys(struct hs_mm *mm, void *owner, unsigned long start,
					 unsigned long n, unsigned long *after_setup)
{
	unsigned long src[MAXN] = {0}, dst[MAXN] = {0}, moved = 0;
	struct hs_migrate_vma args = {
	    .start = start,
	    .end = start + n * PG,
	    .src = src,
	    .dst = dst,
	    .pgmap_owner = owner,
	    .flags = HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	};

	sim_down_read(&mm->mmap_lock);
	args.vma = hs_find_vma(mm, start);
	sim_check(hs_migrate_vma_setup(&args) == 0, "migrate_vma_setup failed");
	if (after_setup)
		memcpy(after_setup, src, n * sizeof(*src));
	for (unsigned long i = 0; i < args.npages; i++) {
		struct hs_page *spage = hs_migrate_pfn_to_page(src[i]);
		struct hs_page *dpage;

		if (!spage || !(src[i] & HS_MIGRATE_PFN_MIGRATE))
			continue;
		dpage = hs_alloc_page();
		if (!dpage)
			continue;
		hs_lock_page(dpage);
		hs_copy_page(dpage, spage);
		dst[i] = hs_migrate_pfn(hs_page_to_pfn(dpage));
	}
	hs_migrate_vma_pages(&args);
	for (unsigned long i = 0; i < args.npages; i++)
		if ((src[i] & HS_MIGRATE_PFN_MIGRATE) && dst[i])
			moved++;
	hs_migrate_vma_finalize(&args);
	sim_up_read(&mm->mmap_lock);
	return moved;
}

/* The eviction a driver does before memunmap_pages(): every device page in
 * use goes back to RAM by pfn.  Return: pages moved. */
static unsigned long tdev_evict(struct tdev *dev)
{
	unsigned long n = dev->pgmap.nr_pages, moved = 0;
	unsigned long src[NR_DEV] = {0}, dst[NR_DEV] = {0};

	hs_migrate_device_range(src, dev->pgmap.start_pfn, n);
	for (unsigned long i = 0; i < n; i++) {
		struct hs_page *spage = hs_migrate_pfn_to_page(src[i]);
		struct hs_page *dpage;

		if (!spage || !(src[i] & HS_MIGRATE_PFN_MIGRATE))
			continue;
		dpage = hs_alloc_page();
		if (!dpage)
			continue;
		hs_lock_page(dpage);
		hs_copy_page(dpage, spage);
		dst[i] = hs_migrate_pfn(hs_page_to_pfn(dpage));
	}
	hs_migrate_device_pages(src, dst, n);
	for (unsigned long i = 0; i < n; i++)
		if ((src[i] & HS_MIGRATE_PFN_MIGRATE) && dst[i])
			moved++;
	hs_migrate_device_finalize(src, dst, n);
	return moved;
}

/* ---- the world of one execution ----------------------------------------------------- */

struct world {
	struct hs_mm *mm;
	struct tdev *dev;
	unsigned long n;  /* mapped pages at VA */
	int flag;	  /* a thread's "done" signal to another */
	unsigned long v0; /* a value the threads agree on */
};

static struct world *world_new(unsigned long n)
{
	struct world *w = sim_alloc(sizeof(*w));

	hs_machine_init(NR_RAM, 2 * NR_DEV);
	w->mm = hs_mm_alloc("mm", 2 * HS_PMD_SIZE, 4);
	w->n = n;
	sim_check(hs_mmap(w->mm, VA, n * PG, HS_VM_READ | HS_VM_WRITE) == 0, "mmap failed");
	w->dev = tdev_new(&owner_a, NR_DEV);
	return w;
}

static hs_pte_t pte_at(struct hs_mm *mm, unsigned long addr)
{
	return hs_ptep_get(hs_pte_offset(mm, addr));
}

static struct hs_page *page_at(struct hs_mm *mm, unsigned long addr)
{
	hs_pte_t pte = pte_at(mm, addr);

	sim_check(hs_pte_present(pte) || hs_is_device_private_entry(pte),
		  "%#lx is not mapped (pte %#llx)", addr, (unsigned long long)pte);
	return hs_pfn_to_page(hs_pte_pfn(pte));
}

static unsigned long cpu_rd(struct hs_mm *mm, unsigned long addr)
{
	unsigned long v = 0;

	sim_check(hs_cpu_read(mm, addr, &v) == 0, "CPU read of %#lx faulted", addr);
	return v;
}

static void cpu_wr(struct hs_mm *mm, unsigned long addr, unsigned long v)
{
	sim_check(hs_cpu_write(mm, addr, v) == 0, "CPU write of %#lx faulted", addr);
}

/* Each page mapped at [VA, VA + n): one reference and one mapcount, unlocked;
 * device pages not mapped are free. */
static void check_pages_sane(struct world *w)
{
	for (unsigned long i = 0; i < w->n; i++) {
		hs_pte_t pte = pte_at(w->mm, VA + i * PG);
		struct hs_page *page;

		if (hs_pte_none(pte) || (hs_pte_present(pte) && hs_is_zero_pfn(hs_pte_pfn(pte))))
			continue;
		sim_check(hs_pte_present(pte) || hs_is_device_private_entry(pte),
			  "page %lu: unexpected pte %#llx", i, (unsigned long long)pte);
		page = hs_pfn_to_page(hs_pte_pfn(pte));
		sim_check(hs_page_ref_count(page) == 1 && hs_page_mapcount(page) == 1,
			  "page %lu (pfn %#lx): refcount %ld, mapcount %ld", i, hs_pte_pfn(pte),
			  hs_page_ref_count(page), hs_page_mapcount(page));
		sim_check(!hs_page_locked(page), "page %lu left locked", i);
	}
	for (unsigned long pfn = w->dev->pgmap.start_pfn; pfn < w->dev->next_pfn; pfn++) {
		struct hs_page *page = hs_pfn_to_page(pfn);
		bool mapped = false;

		for (unsigned long i = 0; i < w->n; i++) {
			hs_pte_t pte = pte_at(w->mm, VA + i * PG);
			mapped |= hs_is_device_private_entry(pte) && hs_pte_pfn(pte) == pfn;
		}
		sim_check(mapped || hs_page_ref_count(page) == 0,
			  "device pfn %#lx unmapped but holds %ld references", pfn,
			  hs_page_ref_count(page));
	}
}

static void reset_switches(void)
{
	memset(&hs_switch, 0, sizeof(hs_switch));
}

/* Explore @main exhaustively (DFS, @bound preemptions, at most @budget runs). */
static struct sim_result dfs(const char *name, void (*main_fn)(void *), void *arg,
			     unsigned int bound, uint64_t budget)
{
	struct sim_scenario sc = SCENARIO(name, main_fn, .arg = arg);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, budget, bound, 0);

	if (r.nr_reports) {
		fprintf(stderr, "\n  [%s] %s after %llu executions: %s\n", name, r.reports[0].kind,
			(unsigned long long)r.executions, r.reports[0].message);
		if (getenv("HMMSIM_TEST_VERBOSE"))
			fprintf(stderr, "%s\n  replay: %s\n", r.reports[0].report,
				r.reports[0].schedule);
	} else
		fprintf(stderr, "\n  [%s] clean, %llu executions%s\n", name,
			(unsigned long long)r.executions, r.exhausted ? " (exhausted)" : "");
	return r;
}

/* A single-threaded scenario: one execution. */
static void run_once(const char *name, void (*main_fn)(void *), void *arg)
{
	struct sim_scenario sc = SCENARIO(name, main_fn, .arg = arg);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);

	if (r.nr_reports)
		fprintf(stderr, "\n  [%s] %s: %s\n%s\n", name, r.reports[0].kind,
			r.reports[0].message, r.reports[0].report ? r.reports[0].report : "");
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_EQUAL(r.executions, 1);
	sim_result_free(&r);
}

/* ---- single-threaded: the protocol's results ----------------------------------------- */

static void roundtrip_main(void *arg)
{
	struct world *w = world_new(2);
	unsigned long ram[2];

	cpu_wr(w->mm, VA, 0x111);
	cpu_wr(w->mm, VA + PG, 0x222);
	for (int i = 0; i < 2; i++)
		ram[i] = hs_pte_pfn(pte_at(w->mm, VA + i * PG));

	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 2, NULL) == 2, "not both moved");
	for (int i = 0; i < 2; i++) {
		hs_pte_t pte = pte_at(w->mm, VA + i * PG);
		struct hs_page *dpage = hs_pfn_to_page(hs_pte_pfn(pte));

		sim_check(hs_is_device_private_entry(pte) && hs_is_writable_swp_entry(pte),
			  "page %d: not a writable device-private entry", i);
		sim_check(hs_page_read(dpage) == (i ? 0x222ul : 0x111ul), "device copy wrong");
		sim_check(hs_page_ref_count(hs_pfn_to_page(ram[i])) == 0, "old RAM page not freed");
	}
	check_pages_sane(w);

	/* CPU read: do_swap_page -> migrate_to_ram */
	sim_check(cpu_rd(w->mm, VA) == 0x111, "value lost on the way back");
	sim_check(hs_pte_present(pte_at(w->mm, VA)), "not back in RAM");
	sim_check(w->dev->freed == 1, "device page not given back (%ld)", w->dev->freed);
	/* CPU write fault on the other one */
	cpu_wr(w->mm, VA + PG, 0x333);
	sim_check(cpu_rd(w->mm, VA + PG) == 0x333, "write lost");
	sim_check(w->dev->freed == 2, "device page not given back (%ld)", w->dev->freed);
	check_pages_sane(w);
}

static void test_roundtrip(void)
{
	run_once("migrate-roundtrip", roundtrip_main, NULL);
}

static void holes_main(void *arg)
{
	struct world *w = world_new(3);
	unsigned long src[3];

	sim_check(cpu_rd(w->mm, VA + PG) == 0, "zero page is not zero"); /* maps the zero page */
	cpu_wr(w->mm, VA + 2 * PG, 0x77);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 3, src) == 3, "not all moved");
	sim_check(src[0] == HS_MIGRATE_PFN_MIGRATE && src[1] == HS_MIGRATE_PFN_MIGRATE,
		  "holes not collected as such (%#lx %#lx)", src[0], src[1]);
	for (int i = 0; i < 3; i++)
		sim_check(hs_is_device_private_entry(pte_at(w->mm, VA + i * PG)),
			  "page %d not filled with device memory", i);
	check_pages_sane(w);
	sim_check(cpu_rd(w->mm, VA) == 0 && cpu_rd(w->mm, VA + PG) == 0 &&
		      cpu_rd(w->mm, VA + 2 * PG) == 0x77,
		  "contents after hole filling");
	check_pages_sane(w);
}

static void test_holes(void)
{
	run_once("migrate-holes", holes_main, NULL);
}

/*
 * __migrate_device_pages() moves only anonymous memory to device memory: a
 * MAP_SHARED|MAP_ANONYMOUS (shmem) page has a mapping and stays in RAM, and
 * the VMA's holes are not selected (migrate_vma_collect_hole()).
 */
static void shmem_main(void *arg)
{
	struct world *w = world_new(1);
	unsigned long src[2];
	struct hs_page *page;

	sim_check(hs_mmap(w->mm, VA + PG, 2 * PG, HS_VM_READ | HS_VM_WRITE | HS_VM_SHARED) == 0,
		  "mmap shared failed");
	cpu_wr(w->mm, VA + PG, 0x55);
	page = page_at(w->mm, VA + PG);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA + PG, 2, src) == 0, "shmem moved");
	/* collected (MIGRATE_VMA_SELECT_SYSTEM), then refused by migrate_vma_pages() */
	sim_check((src[0] & HS_MIGRATE_PFN_MIGRATE) && src[1] == 0,
		  "src after migrate_vma_setup: %#lx %#lx", src[0], src[1]);
	sim_check(hs_pte_present(pte_at(w->mm, VA + PG)) && page_at(w->mm, VA + PG) == page &&
		      hs_pte_write(pte_at(w->mm, VA + PG)),
		  "the shmem page is not mapped as before (pte %#llx)",
		  (unsigned long long)pte_at(w->mm, VA + PG));
	sim_check(hs_pte_none(pte_at(w->mm, VA + 2 * PG)), "a shmem hole was filled");
	sim_check(hs_page_ref_count(page) == 1 && hs_page_mapcount(page) == 1 &&
		      !hs_page_locked(page),
		  "shmem page: ref %ld map %ld", hs_page_ref_count(page), hs_page_mapcount(page));
	sim_check(w->dev->freed == 1, "the device page allocated for it was not given back");
	sim_check(cpu_rd(w->mm, VA + PG) == 0x55, "contents");
}

static void test_shmem_stays(void)
{
	run_once("migrate-shmem", shmem_main, NULL);
}

/* A page faulted in on CPU 1 waits in CPU 1's lru_add batch, which holds a
 * reference to it: not on the LRU.  A migration from CPU 0 drains every
 * CPU's batch (lru_add_drain_all(): CPU 1 is idle, its work runs) and the
 * page moves; the batch's reference is gone with the drain. */
static void lru_cpu1(void *arg)
{
	struct world *w = arg;

	hs_set_cpu(1);
	cpu_wr(w->mm, VA, 7);
}

static void lru_main(void *arg)
{
	struct world *w = world_new(1);
	unsigned long src[1];
	struct hs_page *p;

	(void)arg;
	hs_set_cpu(0);
	sim_thread_join(sim_thread_spawn("cpu1", lru_cpu1, w));
	p = page_at(w->mm, VA);
	sim_check(hs_page_ref_count(p) == 2, "the batch holds no reference: %ld",
		  hs_page_ref_count(p));
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, src) == 1, "the page did not move");
	sim_check(src[0] & HS_MIGRATE_PFN_MIGRATE, "not collected (%#lx)", src[0]);
	sim_check(hs_page_ref_count(p) == 0, "old page still referenced: %ld",
		  hs_page_ref_count(p));
	sim_check(cpu_rd(w->mm, VA) == 7, "contents");
}

static void test_lru_drain(void)
{
	run_once("migrate-lru-drain", lru_main, NULL);
}

static void pinned_main(void *arg)
{
	struct world *w = world_new(2);
	unsigned long src[2];
	struct hs_page *p0, *p1;

	cpu_wr(w->mm, VA, 5);
	cpu_wr(w->mm, VA + PG, 6);
	p0 = page_at(w->mm, VA);
	p1 = page_at(w->mm, VA + PG);
	hs_get_page(p0);  /* a pin, as GUP would hold */
	hs_lock_page(p1); /* somebody else's page lock */

	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 2, src) == 0, "a busy page moved");
	sim_check(src[0] == 0, "pinned page still marked (%#lx)", src[0]);
	sim_check(src[1] == 0, "locked page collected (%#lx)", src[1]);
	/* restored to the same page, same permission */
	sim_check(page_at(w->mm, VA) == p0 && hs_pte_write(pte_at(w->mm, VA)),
		  "pinned page's pte not restored");
	sim_check(hs_page_ref_count(p0) == 2 && hs_page_mapcount(p0) == 1 && !hs_page_locked(p0),
		  "pinned page: ref %ld map %ld", hs_page_ref_count(p0), hs_page_mapcount(p0));
	sim_check(page_at(w->mm, VA + PG) == p1 && hs_page_ref_count(p1) == 1 && hs_page_locked(p1),
		  "locked page touched");
	hs_put_page(p0);
	hs_unlock_page(p1);
	sim_check(cpu_rd(w->mm, VA) == 5 && cpu_rd(w->mm, VA + PG) == 6, "contents");
	check_pages_sane(w);
}

static void test_pinned_and_locked(void)
{
	run_once("migrate-pinned", pinned_main, NULL);
}

static void owner_main(void *arg)
{
	struct world *w = world_new(1);
	unsigned long src[1];

	cpu_wr(w->mm, VA, 0x42);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, NULL) == 1, "not moved");
	hs_pte_t pte = pte_at(w->mm, VA);

	sim_check(tdev_migrate_to_sys(w->mm, &owner_b, VA, 1, src) == 0 && src[0] == 0,
		  "another owner's device page was selected");
	sim_check(pte_at(w->mm, VA) == pte, "pte changed by a migration that selected nothing");
	sim_check(tdev_migrate_to_sys(w->mm, &owner_a, VA, 1, src) == 1 &&
		      (src[0] & HS_MIGRATE_PFN_WRITE),
		  "the owner's page was not selected (%#lx)", src[0]);
	sim_check(hs_pte_present(pte_at(w->mm, VA)) && hs_pte_write(pte_at(w->mm, VA)),
		  "not back as a writable pte");
	sim_check(cpu_rd(w->mm, VA) == 0x42, "content");
	check_pages_sane(w);
}

static void test_owner(void)
{
	run_once("migrate-owner", owner_main, NULL);
}

/* A dirty pte whose migration fails: the dirt must survive on page or pte. */
static void dirty_main(void *arg)
{
	bool buggy = arg != NULL;
	struct world *w = world_new(1);
	struct hs_page *page;

	cpu_wr(w->mm, VA, 9);
	page = page_at(w->mm, VA);
	sim_check(hs_pte_dirty(pte_at(w->mm, VA)) && !hs_page_dirty(page),
		  "setup: expected a dirty pte on a clean page");
	hs_get_page(page); /* make the migration fail and restore the pte */
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, NULL) == 0, "pinned page moved");
	if (!buggy)
		sim_check(hs_page_dirty(page) && hs_pte_dirty(pte_at(w->mm, VA)),
			  "dirty bit lost by a failed migration");
	else
		sim_check(!hs_page_dirty(page) && !hs_pte_dirty(pte_at(w->mm, VA)),
			  "pre-v6.0: expected page and pte both clean");
	hs_put_page(page);
}

static void test_dirty_copy(void)
{
	run_once("migrate-dirty", dirty_main, NULL);
	hs_switch.migrate_no_dirty_copy = true;
	run_once("migrate-dirty-nocopy", dirty_main, (void *)1);
}

static void einval_main(void *arg)
{
	struct world *w = world_new(2);
	unsigned long src[4], dst[4];
	struct hs_migrate_vma a;
	struct hs_page *dp;

	sim_check(hs_mmap(w->mm, VA + 8 * PG, PG, HS_VM_READ | HS_VM_PFNMAP) == 0, "mmap pfnmap");
	sim_down_read(&w->mm->mmap_lock);
	struct hs_vm_area_struct *vma = hs_find_vma(w->mm, VA);
	struct hs_migrate_vma ok = {.vma = vma,
				    .start = VA,
				    .end = VA + PG,
				    .src = src,
				    .dst = dst,
				    .flags = HS_MIGRATE_VMA_SELECT_SYSTEM};
#define EXPECT_EINVAL(...)                                                                         \
	do {                                                                                       \
		a = ok;                                                                            \
		__VA_ARGS__;                                                                       \
		sim_check(hs_migrate_vma_setup(&a) == -EINVAL, "accepted: %s", #__VA_ARGS__);      \
	} while (0)
	EXPECT_EINVAL(a.vma = NULL);
	EXPECT_EINVAL(a.end = a.start);
	EXPECT_EINVAL(a.end = VA + 3 * PG);
	EXPECT_EINVAL(a.start = VA - PG);
	EXPECT_EINVAL(a.src = NULL);
	EXPECT_EINVAL(a.dst = NULL);
	EXPECT_EINVAL(a.vma = hs_find_vma(w->mm, VA + 8 * PG), a.start = VA + 8 * PG,
		      a.end = VA + 9 * PG);
	/* a fault page must be device-private, and (v6.15) locked by the caller */
	EXPECT_EINVAL(a.fault_page = hs_pfn_to_page(1));
	dp = tdev_alloc_page(w->dev);
	hs_unlock_page(dp);
	EXPECT_EINVAL(a.fault_page = dp);
	a = ok;
	sim_check(hs_migrate_vma_setup(&a) == 0 && a.npages == 1 && a.cpages == 1,
		  "a valid call failed");
	hs_migrate_vma_pages(&a);
	hs_migrate_vma_finalize(&a);
	sim_up_read(&w->mm->mmap_lock);
	hs_put_page(dp);
}

static void test_einval(void)
{
	run_once("migrate-einval", einval_main, NULL);
}

/* Spanning two PTE tables: each is collected under its own PTL. */
static void two_tables_main(void *arg)
{
	struct world *w = world_new(1);
	unsigned long a = HS_PMD_SIZE - PG;

	sim_check(hs_mmap(w->mm, a, 2 * PG, HS_VM_READ | HS_VM_WRITE) == 0, "mmap");
	cpu_wr(w->mm, a, 1);
	cpu_wr(w->mm, a + PG, 2);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, a, 2, NULL) == 2, "not moved");
	sim_check(hs_is_device_private_entry(pte_at(w->mm, a)) &&
		      hs_is_device_private_entry(pte_at(w->mm, a + PG)),
		  "not device-private");
	sim_check(cpu_rd(w->mm, a) == 1 && cpu_rd(w->mm, a + PG) == 2, "contents");
}

static void test_two_tables(void)
{
	run_once("migrate-two-tables", two_tables_main, NULL);
}

/* migrate_device_range(): eviction by pfn finds the mappings itself. */
static void evict_main(void *arg)
{
	struct world *w = world_new(3);

	cpu_wr(w->mm, VA, 0xa);
	cpu_wr(w->mm, VA + PG, 0xb);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 3, NULL) == 3, "not moved");
	sim_check(hs_mprotect(w->mm, VA + 2 * PG, PG, HS_VM_READ) == 0, "mprotect");
	sim_check(tdev_evict(w->dev) == 3, "eviction left pages behind");
	for (int i = 0; i < 3; i++)
		sim_check(hs_pte_present(pte_at(w->mm, VA + i * PG)), "page %d not in RAM", i);
	sim_check(hs_pte_write(pte_at(w->mm, VA)) && !hs_pte_write(pte_at(w->mm, VA + 2 * PG)),
		  "write permission not carried over");
	sim_check(w->dev->freed == 3, "device pages not freed (%ld)", w->dev->freed);
	check_pages_sane(w);
	sim_check(cpu_rd(w->mm, VA) == 0xa && cpu_rd(w->mm, VA + PG) == 0xb &&
		      cpu_rd(w->mm, VA + 2 * PG) == 0,
		  "contents after eviction");
	hs_memunmap_pages(&w->dev->pgmap); /* returns: every page reference is gone */
}

static void test_evict(void)
{
	run_once("migrate-evict", evict_main, NULL);
}

/* ---- concurrent: exhaustive within a preemption bound ----------------------------------- */

#define BUDGET 200000

static void t_cpu_write_read(void *arg)
{
	struct world *w = arg;

	for (unsigned long i = 0; i < w->n; i++)
		cpu_wr(w->mm, VA + i * PG, 0x100 + i);
	for (unsigned long i = 0; i < w->n; i++) {
		unsigned long v = cpu_rd(w->mm, VA + i * PG);
		sim_check(v == 0x100 + i, "CPU read back %#lx of its own write %#lx", v, 0x100 + i);
	}
}

static void t_migrate_to_dev(void *arg)
{
	struct world *w = arg;

	tdev_migrate_to_dev(w->dev, w->mm, VA, w->n, NULL);
}

/* A CPU writing while its pages migrate to the device: no write is lost. */
static void cpu_vs_migrate_main(void *arg)
{
	struct world *w = world_new((unsigned long)arg);

	for (unsigned long i = 0; i < w->n; i++)
		cpu_wr(w->mm, VA + i * PG, 0x10 + i);
	int a = sim_thread_spawn("cpu", t_cpu_write_read, w);
	int b = sim_thread_spawn("migrate", t_migrate_to_dev, w);
	sim_thread_join(a);
	sim_thread_join(b);
	check_pages_sane(w);
	for (unsigned long i = 0; i < w->n; i++) {
		unsigned long v = cpu_rd(w->mm, VA + i * PG);
		sim_check(v == 0x100 + i, "page %lu: %#lx, the CPU's write %#lx was lost", i, v,
			  0x100 + i);
	}
}

static void test_cpu_vs_migrate(void)
{
	struct sim_result r =
	    dfs("migrate-cpu-vs-migrate-1", cpu_vs_migrate_main, (void *)1, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	r = dfs("migrate-cpu-vs-migrate-2", cpu_vs_migrate_main, (void *)2, 1, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void t_migrate_pinned(void *arg)
{
	struct world *w = arg;

	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, NULL) == 0,
		  "a pinned page moved to the device");
}

/* A lockless reader of the pte (hmm_range_fault()'s walk, GUP-fast). */
static void t_watch_pte(void *arg)
{
	struct world *w = arg;

	for (int i = 0; i < 3; i++) {
		hs_pte_t pte = pte_at(w->mm, VA);
		sim_check(!hs_is_migration_entry(pte),
			  "a pinned page got a migration entry (pte %#llx)",
			  (unsigned long long)pte);
	}
}

/*
 * A DMA-pinned exclusive anonymous page is not collected:
 * folio_try_share_anon_rmap_pte() fails and migrate_vma_collect_pmd() puts
 * the pte back before it drops the PTL, so no other thread ever sees a
 * migration entry (the model used to install one and restore the pte in
 * migrate_device_unmap(), after the PTL: a window the kernel does not have).
 */
static void pinned_collect_main(void *arg)
{
	struct world *w = world_new(1);
	struct hs_page *pg;

	cpu_wr(w->mm, VA, 0x33);
	sim_check(hs_pin_user_pages(w->mm, VA, 1, HS_FOLL_WRITE, &pg) == 1, "pin");
	int a = sim_thread_spawn("migrate", t_migrate_pinned, w);
	int b = sim_thread_spawn("watch", t_watch_pte, w);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_check(cpu_rd(w->mm, VA) == 0x33, "the pinned page's data");
	hs_unpin_user_pages(&pg, 1);
}

static void test_pinned_collect(void)
{
	struct sim_result r = dfs("migrate-pinned-collect", pinned_collect_main, NULL, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void t_cpu_read_back(void *arg)
{
	struct world *w = arg;
	unsigned long v = cpu_rd(w->mm, VA);

	sim_check(v == w->v0, "fault on the device page read %#lx, expected %#lx", v, w->v0);
}

/* Two CPUs fault on the same device page at once. */
static void two_faults_main(void *arg)
{
	struct world *w = world_new(1);

	w->v0 = 0x5a;
	w->dev->abort_is_livelock = arg != NULL;
	cpu_wr(w->mm, VA, w->v0);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, NULL) == 1, "not moved");
	int a = sim_thread_spawn("fault1", t_cpu_read_back, w);
	int b = sim_thread_spawn("fault2", t_cpu_read_back, w);
	sim_thread_join(a);
	sim_thread_join(b);
	check_pages_sane(w);
	sim_check(hs_pte_present(pte_at(w->mm, VA)), "not back in RAM");
	sim_check(w->dev->freed == 1, "device page not freed exactly once (%ld)", w->dev->freed);
}

static void test_two_faults(void)
{
	/* v6.18 (+ the 2026 wait fix): clean, and no round is ever wasted */
	struct sim_result r = dfs("migrate-two-faults", two_faults_main, (void *)1, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void test_two_faults_lock_unconditional(void)
{
	/* v6.1 .. v6.14: each fault holds a reference; one's reference aborts
	 * the other's migration, and the state is as before: the livelock */
	hs_switch.swap_page_lock_unconditional = true;
	struct sim_result r =
	    dfs("migrate-two-faults-v6.14", two_faults_main, (void *)1, 2, BUDGET);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LIVELOCK);
	sim_result_free(&r);
	/*
	 * Without the oracle: each wasted round needs the other fault to be
	 * preempted while it holds its reference, so within a preemption bound
	 * the faults always end; the model stays consistent (no lost data, no
	 * refcount error).  The livelock is the unbounded repetition the
	 * oracle above points at.
	 */
	r = dfs("migrate-two-faults-v6.14-noorcl", two_faults_main, NULL, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void test_two_faults_ref_without_ptl(void)
{
	/* before v6.1: no pte re-check, no reference: the loser uses a freed page */
	hs_switch.swap_page_ref_without_ptl = true;
	struct sim_result r = dfs("migrate-two-faults-v6.0", two_faults_main, NULL, 2, BUDGET);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), HS_KIND_UAF);
	sim_result_free(&r);
}

/* A device page faults back while the range (holding it and a RAM page)
 * migrates to the device: the device-private page is not selected by
 * SELECT_SYSTEM, the RAM page moves, nothing is lost. */
static void t_fault_and_write(void *arg)
{
	struct world *w = arg;

	sim_check(cpu_rd(w->mm, VA) == 0x21, "device page read back wrong");
	cpu_wr(w->mm, VA + PG, 0x23);
}

static void fault_vs_migrate_main(void *arg)
{
	struct world *w = world_new(2);

	cpu_wr(w->mm, VA, 0x21);
	cpu_wr(w->mm, VA + PG, 0x22);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, NULL) == 1, "not moved");
	int a = sim_thread_spawn("cpu", t_fault_and_write, w);
	int b = sim_thread_spawn("migrate", t_migrate_to_dev, w);
	sim_thread_join(a);
	sim_thread_join(b);
	check_pages_sane(w);
	sim_check(cpu_rd(w->mm, VA) == 0x21 && cpu_rd(w->mm, VA + PG) == 0x23, "contents");
}

static void test_fault_vs_migrate(void)
{
	struct sim_result r =
	    dfs("migrate-fault-vs-migrate", fault_vs_migrate_main, NULL, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/* Two devices (owners a and b) migrate the same page at once: exactly one
 * gets it, the other selects nothing (migration entry or foreign entry). */
struct two_dev {
	struct world *w;
	struct tdev *dev;
	unsigned long moved;
};

static void t_migrate_dev(void *arg)
{
	struct two_dev *t = arg;

	t->moved = tdev_migrate_to_dev(t->dev, t->w->mm, VA, 1, NULL);
}

static void two_devices_main(void *arg)
{
	struct world *w = world_new(1);
	struct two_dev *t = sim_alloc(2 * sizeof(*t));

	t[0] = (struct two_dev){.w = w, .dev = w->dev};
	t[1] = (struct two_dev){.w = w, .dev = tdev_new(&owner_b, NR_DEV)};
	cpu_wr(w->mm, VA, 0x44);
	int a = sim_thread_spawn("dev-a", t_migrate_dev, &t[0]);
	int b = sim_thread_spawn("dev-b", t_migrate_dev, &t[1]);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_check(t[0].moved + t[1].moved == 1, "page moved %lu times", t[0].moved + t[1].moved);
	hs_pte_t pte = pte_at(w->mm, VA);
	struct hs_page *page = hs_pfn_to_page(hs_pte_pfn(pte));
	sim_check(hs_is_device_private_entry(pte) &&
		      hs_pgmap_owner_match(page->pgmap, t[0].moved ? &owner_a : &owner_b),
		  "the page is not on the device that moved it");
	sim_check(hs_page_ref_count(page) == 1 && hs_page_mapcount(page) == 1, "refs");
	sim_check(cpu_rd(w->mm, VA) == 0x44, "content");
}

static void test_two_devices(void)
{
	struct sim_result r = dfs("migrate-two-devices", two_devices_main, NULL, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/* A CPU faults a device page back while the device evicts it by pfn. */
static void t_cpu_write_back(void *arg)
{
	struct world *w = arg;

	cpu_wr(w->mm, VA, 0x99);
	sim_check(cpu_rd(w->mm, VA) == 0x99, "own write not visible");
}

static void t_evict(void *arg)
{
	struct world *w = arg;

	tdev_evict(w->dev);
}

static void fault_vs_evict_main(void *arg)
{
	struct world *w = world_new(1);

	cpu_wr(w->mm, VA, 0x11);
	sim_check(tdev_migrate_to_dev(w->dev, w->mm, VA, 1, NULL) == 1, "not moved");
	int a = sim_thread_spawn("cpu", t_cpu_write_back, w);
	int b = sim_thread_spawn("evict", t_evict, w);
	sim_thread_join(a);
	sim_thread_join(b);
	check_pages_sane(w);
	sim_check(hs_pte_present(pte_at(w->mm, VA)), "device page survived eviction");
	sim_check(cpu_rd(w->mm, VA) == 0x99, "CPU write lost");
}

static void test_fault_vs_evict(void)
{
	struct sim_result r = dfs("migrate-fault-vs-evict", fault_vs_evict_main, NULL, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/*
 * "flush TLB while holding PTL": a CPU that reached the page through its TLB
 * before the migration, writes after MADV_DONTNEED returned, and must then
 * read its own write from the fresh page.
 */
static void t_tlb_cpu(void *arg)
{
	struct world *w = arg;

	cpu_wr(w->mm, VA, 1); /* fills this CPU's TLB */
	while (!SIM_READ_ONCE(w->flag))
		sim_yield();
	cpu_wr(w->mm, VA, 2);
	unsigned long v = cpu_rd(w->mm, VA);
	sim_check(v == 2, "write after MADV_DONTNEED lost: read %#lx", v);
}

static void t_madvise(void *arg)
{
	struct world *w = arg;

	sim_check(hs_madvise_dontneed(w->mm, VA, PG) == 0, "madvise");
	SIM_WRITE_ONCE(w->flag, 1);
}

static void tlb_main(void *arg)
{
	struct world *w = world_new(1);

	cpu_wr(w->mm, VA, 0);
	int a = sim_thread_spawn("cpu", t_tlb_cpu, w);
	int b = sim_thread_spawn("migrate", t_migrate_to_dev, w);
	int c = sim_thread_spawn("madvise", t_madvise, w);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_thread_join(c);
}

static void test_tlb_flush(void)
{
	struct sim_result r = dfs("migrate-tlb", tlb_main, NULL, 2, BUDGET);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
}

static void test_tlb_flush_after_ptl(void)
{
	/* Before v6.0: the late flush lets a CPU write through the stale TLB
	 * entry land in the old page, and the write is lost. */
	hs_switch.migrate_flush_tlb_after_ptl = true;
	struct sim_result r = dfs("migrate-tlb-pre-v6.0", tlb_main, NULL, 2, BUDGET);
	CU_ASSERT_TRUE(r.violations_found > 0);
	if (r.nr_reports)
		CU_ASSERT_STRING_EQUAL(r.reports[0].kind, SIM_KIND_ASSERT);
	sim_result_free(&r);
}

/*
 * Which collect path a page takes (PG_anon_exclusive, v5.19): an exclusive
 * anonymous page is cleared with ptep_clear_flush(), so once its pte is a
 * migration entry no TLB maps it any more, even while collect is still at
 * the next pte under the PTL; a shmem page (not anonymous) is batched, and
 * its TLB entry stays until the one flush for the table.  An observer reads
 * the two ptes while main's TLB (filled before) still may map page 0.
 */
static bool excl_shmem;
static int excl_windows, excl_stale; /* observed mid-collect; with a stale TLB entry */

static void t_excl_observe(void *arg)
{
	struct world *w = arg;
	unsigned long vpn = w->v0 >> HS_PAGE_SHIFT;
	hs_pte_t p0 = pte_at(w->mm, w->v0);
	hs_pte_t p1 = pte_at(w->mm, w->v0 + PG);
	if (!hs_is_migration_entry(p0) || !hs_pte_present(p1))
		return;
	excl_windows++;
	uint64_t t = __atomic_load_n(&w->mm->tlb[w->flag][vpn % HS_TLB_ENTRIES], __ATOMIC_RELAXED);
	if ((t & 1) && (t >> 34) == vpn)
		excl_stale++;
}

static void t_excl_migrate(void *arg)
{
	struct world *w = arg;
	tdev_migrate_to_dev(w->dev, w->mm, w->v0, 2, NULL);
}

static void excl_main(void *arg)
{
	struct world *w = world_new(2);

	w->v0 = VA;
	if (excl_shmem) {
		w->v0 = VA + 2 * PG;
		sim_check(hs_mmap(w->mm, w->v0, 2 * PG, HS_VM_READ | HS_VM_WRITE | HS_VM_SHARED) ==
			      0,
			  "mmap shared");
	}
	w->flag = sim_self() % HS_NR_CPUS; /* main's CPU */
	cpu_wr(w->mm, w->v0, 1);
	cpu_wr(w->mm, w->v0 + PG, 2);
	int a = sim_thread_spawn("migrate", t_excl_migrate, w);
	int b = sim_thread_spawn("observe", t_excl_observe, w);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_collect_anon_exclusive(void)
{
	for (int shmem = 0; shmem < 2; shmem++) {
		excl_shmem = shmem;
		excl_windows = excl_stale = 0;
		struct sim_result r = dfs(shmem ? "collect-shmem" : "collect-anon-exclusive",
					  excl_main, NULL, 2, BUDGET);
		fprintf(stderr, "  %d observations mid-collect, %d with page 0 still in a TLB\n",
			excl_windows, excl_stale);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		CU_ASSERT_TRUE(excl_windows > 0);
		if (shmem) {
			CU_ASSERT_TRUE(excl_stale > 0); /* batched: flushed at the table's end */
		} else {
			CU_ASSERT_EQUAL(excl_stale, 0); /* ptep_clear_flush() */
		}
		sim_result_free(&r);
	}
}

static void setup_test(void)
{
	reset_switches();
}

static void teardown_test(void)
{
	reset_switches();
}

void hmmsim_test_register(void)
{
	CU_pSuite s =
	    CU_add_suite_with_setup_and_teardown("migrate", NULL, NULL, setup_test, teardown_test);
	CU_add_test(s, "RAM -> device -> RAM keeps content", test_roundtrip);
	CU_add_test(s, "holes and the zero page are filled", test_holes);
	CU_add_test(s, "pinned page restored, locked page skipped", test_pinned_and_locked);
	CU_add_test(s, "owner mismatch not selected", test_owner);
	CU_add_test(s, "shmem page stays in RAM (not anonymous)", test_shmem_stays);
	CU_add_test(s, "a page in another CPU's lru_add batch: drained, then it moves",
		    test_lru_drain);
	CU_add_test(s, "pte dirty bit copied to the page (and not, pre-v6.0)", test_dirty_copy);
	CU_add_test(s, "argument checks: -EINVAL", test_einval);
	CU_add_test(s, "range across two PTE tables", test_two_tables);
	CU_add_test(s, "migrate_device_range evicts by pfn", test_evict);
	CU_add_test(s, "DFS: CPU writes vs migration to device", test_cpu_vs_migrate);
	CU_add_test(s, "DFS: two faults on one device page (v6.18)", test_two_faults);
	CU_add_test(s, "DFS: two faults, pre-v6.15 (no trylock): livelock",
		    test_two_faults_lock_unconditional);
	CU_add_test(s, "DFS: two faults, pre-v6.1 (no ref under PTL): use-after-free",
		    test_two_faults_ref_without_ptl);
	CU_add_test(s, "DFS: device fault vs migration of the range", test_fault_vs_migrate);
	CU_add_test(s, "DFS: two devices migrate the same page", test_two_devices);
	CU_add_test(s, "DFS: a pinned page keeps its pte, no migration entry", test_pinned_collect);
	CU_add_test(s, "DFS: CPU fault vs eviction by pfn", test_fault_vs_evict);
	CU_add_test(s, "DFS: stale TLB vs MADV_DONTNEED during migration", test_tlb_flush);
	CU_add_test(s, "DFS: the same, pre-v6.0 TLB flush after PTL: write lost",
		    test_tlb_flush_after_ptl);
	CU_add_test(s, "DFS: collect: exclusive anon pte flushed at once, shmem batched",
		    test_collect_anon_exclusive);
}
