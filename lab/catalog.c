// SPDX-License-Identifier: MIT
/*
 * The catalog's scenarios and table (include/hmmsim/catalog.h).  Each
 * scenario is small on purpose: the fewest threads and pages that let the
 * old kernel's interleaving happen, so the explorer reaches it quickly and
 * the fixed kernel can be explored thoroughly.
 */
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/migrate.h>
#include <hmmsim/mm.h>
#include <hmmsim/switches.h>
#include <string.h>

#define BASE 0x100000ul

struct cat {
	struct hs_mm *mm;
	struct hs_dmirror_device *dev, *dev1;
	struct hs_dmirror *m, *m1;
	int flag;
};

static struct cat *cat_new(unsigned long npages, unsigned long dev_pages)
{
	struct cat *c = sim_alloc(sizeof(*c));
	hs_machine_init(32, 2 * dev_pages + 2);
	c->mm = hs_mm_alloc("proc", 1ul << 22, 8);
	sim_check(hs_mmap(c->mm, BASE, npages * HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0,
		  "mmap");
	c->dev = hs_dmirror_device_create("dmirror0", dev_pages);
	c->m = hs_dmirror_open(c->dev, c->mm);
	return c;
}

static void cpu_write(struct cat *c, unsigned long addr, unsigned long v)
{
	sim_check(hs_cpu_write(c->mm, addr, v) == 0, "CPU write of %#lx failed", addr);
}

static unsigned long cpu_read(struct cat *c, unsigned long addr)
{
	unsigned long v = 0;
	sim_check(hs_cpu_read(c->mm, addr, &v) == 0, "CPU read of %#lx failed", addr);
	return v;
}

/* ---- migrate_vma_collect flushed the TLB after dropping the PTL -------------- */

static void tlb_cpu(void *arg)
{
	struct cat *c = arg;
	cpu_write(c, BASE, 1); /* this CPU's TLB now maps the page */
	while (!SIM_READ_ONCE(c->flag))
		sim_yield();
	cpu_write(c, BASE, 2); /* MADV_DONTNEED returned: a fresh page */
	sim_check(cpu_read(c, BASE) == 2, "write after MADV_DONTNEED lost");
}

static void tlb_migrate(void *arg)
{
	struct cat *c = arg;
	hs_dmirror_migrate_to_dev(c->m, BASE, 1);
}

static void tlb_madvise(void *arg)
{
	struct cat *c = arg;
	hs_madvise_dontneed(c->mm, BASE, HS_PAGE_SIZE);
	SIM_WRITE_ONCE(c->flag, 1);
}

static void tlb_main(void *arg)
{
	struct cat *c = cat_new(1, 2);
	cpu_write(c, BASE, 0);
	int t[3] = {sim_thread_spawn("cpu", tlb_cpu, c),
		    sim_thread_spawn("migrate", tlb_migrate, c),
		    sim_thread_spawn("madvise", tlb_madvise, c)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(c->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- migrate_vma_collect dropped the pte dirty bit ------------------------------
 * A page swapped in by a read fault is mapped writable and clean, still in
 * the swap cache; a store dirties only the pte.  A migration that collects
 * it and then fails (no device memory) restores a clean pte: reclaim drops
 * the page without writing it, and the store is lost.
 */
static void dirty_main(void *arg)
{
	struct cat *c = cat_new(2, 1);
	cpu_write(c, BASE, 0xa);
	cpu_write(c, BASE + HS_PAGE_SIZE, 0xb);
	sim_check(hs_swap_out(c->mm, BASE) == 0, "swap out");
	sim_check(cpu_read(c, BASE) == 0xa, "swap in");
	cpu_write(c, BASE, 0xc);				 /* dirties the pte only */
	hs_dmirror_migrate_to_dev(c->m, BASE + HS_PAGE_SIZE, 1); /* takes the only device page */
	hs_dmirror_migrate_to_dev(c->m, BASE, 1);		 /* collects, then fails */
	sim_check(hs_swap_out(c->mm, BASE) == 0, "swap out again");
	hs_mm_check_data(c->mm, BASE, BASE + 2 * HS_PAGE_SIZE);
}

/* ---- do_swap_page on device-private pages: references and locks ---------------- */

static void fault_thread(void *arg)
{
	struct cat *c = arg;
	sim_check(cpu_read(c, BASE) == 0x5a, "the device page came back with other data");
}

/* @arg: number of faulting CPUs */
static void faults_main(void *arg)
{
	struct cat *c = cat_new(1, 2);
	int n = (int)(long)arg, t[8];
	hs_dmirror_device_set_progress_oracle(c->dev); /* only faults touch the page */
	cpu_write(c, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(c->m, BASE, 1) == 0, "migrate to the device");
	for (int i = 0; i < n; i++)
		t[i] = sim_thread_spawn("fault", fault_thread, c);
	for (int i = 0; i < n; i++)
		sim_thread_join(t[i]);
	hs_machine_check_leaks();
}

/* ---- mmu_interval_notifier_remove() returned while invalidate_end used it -------- */

static void release_thread(void *arg)
{
	struct cat *c = arg;
	hs_dmirror_release(c->m); /* remove, then kfree */
}

/* An invalidation (munmap zapping ptes, say) is in progress when the driver
 * releases its mirror. */
static void notifier_main(void *arg)
{
	struct cat *c = cat_new(1, 1);
	struct hs_mmu_notifier_range r;
	hs_mmu_notifier_range_init(&r, HS_MMU_NOTIFY_UNMAP, HS_MMU_NOTIFIER_RANGE_BLOCKABLE, c->mm,
				   BASE, BASE + HS_PAGE_SIZE, NULL);
	hs_mmu_notifier_invalidate_range_start(&r);
	int a = sim_thread_spawn("release", release_thread, c);
	sim_yield(); /* the ptes are being zapped */
	hs_mmu_notifier_invalidate_range_end(&r);
	sim_thread_join(a);
}

/* ---- hmm_range_fault before the owner check ----------------------------------------- */

static void owner_main(void *arg)
{
	struct cat *c = cat_new(1, 2);
	unsigned long v;
	c->dev1 = hs_dmirror_device_create("dmirror1", 2);
	c->m1 = hs_dmirror_open(c->dev1, c->mm);
	cpu_write(c, BASE, 7);
	sim_check(hs_dmirror_migrate_to_dev(c->m, BASE, 1) == 0, "migrate to dmirror0");
	sim_check(hs_dmirror_read(c->m1, BASE, 1, &v, NULL) == 0 && v == 7, "dmirror1 read");
	hs_mm_check_data(c->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* ---- the driver-side entries ---------------------------------------------------------- */

/*
 * xe's notifier-vs-folio deadlock: the device writes a system page it
 * mirrors (xe's userptr bind marks the pages it wrote dirty with
 * set_page_dirty_lock() under the notifier lock: the bug) while reclaim
 * locks that page and invalidates (the kernel's report: migrate_pages_batch()
 * holding the folio lock and calling the notifier; the model's swap-out
 * takes the page lock with a trylock and then invalidates the same way).
 */
static void xe_device_thread(void *arg)
{
	struct cat *c = arg;
	unsigned long v = 4;
	sim_check(hs_dmirror_write(c->m, BASE, 1, &v, NULL) == 0, "device write failed");
}

static void xe_reclaim_thread(void *arg)
{
	struct cat *c = arg;
	hs_swap_out(c->mm, BASE); /* -EBUSY when it cannot: fine */
}

/* @arg: the driver bug to give the mirror */
static void xe_folio_main(void *arg)
{
	struct cat *c = cat_new(1, 2);
	unsigned long v;
	hs_dmirror_set_bug(c->m, (enum hs_dmirror_bug)(long)arg);
	cpu_write(c, BASE, 3);
	sim_check(hs_dmirror_read(c->m, BASE, 1, &v, NULL) == 0 && v == 3, "map it in the mirror");
	int a = sim_thread_spawn("device", xe_device_thread, c);
	int b = sim_thread_spawn("reclaim", xe_reclaim_thread, c);
	sim_thread_join(a);
	sim_thread_join(b);
	hs_mm_check_data(c->mm, BASE, BASE + HS_PAGE_SIZE);
}

/* -EBUSY from a concurrent invalidation must make the driver start again. */
static void ebusy_device(void *arg)
{
	struct cat *c = arg;
	unsigned long v;
	int ret = hs_dmirror_read(c->m, BASE, 2, (unsigned long[2]){0}, NULL);
	sim_check(ret == 0, "device read failed: %d", ret);
	(void)v;
}

static void ebusy_zap(void *arg)
{
	struct cat *c = arg;
	hs_madvise_dontneed(c->mm, BASE + HS_PAGE_SIZE, HS_PAGE_SIZE);
}

/* One invalidation more than the pre-v6.6 driver's timeout stands for:
 * the real bug needed -EBUSY on every retry for over a second. */
static void ebusy_zap_rounds(void *arg)
{
	struct cat *c = arg;
	for (int i = 0; i <= HS_KFD_EBUSY_RETRIES; i++)
		hs_madvise_dontneed(c->mm, BASE + HS_PAGE_SIZE, HS_PAGE_SIZE);
}

static void ebusy_main(void *arg)
{
	struct cat *c = cat_new(2, 1);
	hs_dmirror_set_bug(c->m, (enum hs_dmirror_bug)(long)arg);
	cpu_write(c, BASE, 1);
	cpu_write(c, BASE + HS_PAGE_SIZE, 2);
	int a = sim_thread_spawn("device", ebusy_device, c);
	int b = sim_thread_spawn("zap", ebusy_zap_rounds, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

/* ---- nouveau: a failed copy to RAM mapped a page's old content (CVE-2024-50096) ------ */

static void copy_error_main(void *arg)
{
	struct cat *c = cat_new(1, 1);
	unsigned long v;
	(void)arg;
	cpu_write(c, BASE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(c->m, BASE, 1) == 0, "migrate to the device");
	hs_dmirror_device_set_copy_error(c->dev);
	v = cpu_read(c, BASE); /* migrate_to_ram: its copy fails without a word */
	if (v != 0x5a && v != 0)
		sim_fail(HS_KIND_STALE_DATA,
			 "CPU read %#lx at %#lx after a failed copy to RAM: data this process "
			 "never wrote (what the page held before it was allocated)",
			 v, BASE);
}

/* ---- test_hmm: dmirror_migrate_finalize_and_map() returned with the mutex held ---- */

static void map_device_thread(void *arg)
{
	struct cat *c = arg;
	unsigned long v = 0;
	sim_check(hs_dmirror_read(c->m, BASE, 1, &v, NULL) == 0, "device read failed");
	sim_check(v == 4, "device read %#lx", v);
}

static void map_error_main(void *arg)
{
	struct cat *c = cat_new(1, 2);
	(void)arg;
	hs_dmirror_set_map_on_migrate(c->m, BASE); /* its xa_store() fails */
	cpu_write(c, BASE, 4);
	sim_check(hs_dmirror_migrate_to_dev(c->m, BASE, 1) == -ENOMEM,
		  "the mirror-table store of the migration should fail");
	int t = sim_thread_spawn("device", map_device_thread, c);
	sim_thread_join(t);
}

/* ---- amdkfd: the last mmput reached from where exit_mmap() cannot run ---------------- */

static void kfd_exit_thread(void *arg)
{
	struct cat *c = arg;
	hs_mmput(c->mm); /* the process exits: its own reference */
}

static void kfd_restore_thread(void *arg)
{
	struct cat *c = arg;
	hs_dmirror_kfd_restore_work(c->m);
}

static void kfd_deferred_thread(void *arg)
{
	struct cat *c = arg;
	hs_dmirror_kfd_deferred_work(c->m);
}

/* The restore worker flushes the deferred-list worker, whose mmput may be
 * the last once the process exited: exit_mmap() -> the KFD notifier's
 * release, which flushed the restore worker. */
static void kfd_restore_main(void *arg)
{
	struct cat *c = cat_new(1, 1);
	(void)arg;
	cpu_write(c, BASE, 1);
	hs_dmirror_kfd_init(c->m, true, true);
	int t[3] = {sim_thread_spawn("exit", kfd_exit_thread, c),
		    sim_thread_spawn("restore_work", kfd_restore_thread, c),
		    sim_thread_spawn("deferred_work", kfd_deferred_thread, c)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
}

/* kswapd-like reclaim: an invalidation from a path that holds the mmap_lock
 * (as NUMA balancing and fork do) and no reference on the mm. */
static void kfd_reclaim_thread(void *arg)
{
	struct cat *c = arg;
	hs_swap_out(c->mm, BASE); /* fails once the process is gone */
}

/* The KFD notifier pins the mm while it evicts; the process exits meanwhile,
 * and the callback's mmput is the last. */
static void kfd_mmput_main(void *arg)
{
	struct cat *c = cat_new(1, 1);
	(void)arg;
	cpu_write(c, BASE, 1);
	hs_dmirror_kfd_init(c->m, false, false);
	int a = sim_thread_spawn("exit", kfd_exit_thread, c);
	int b = sim_thread_spawn("reclaim", kfd_reclaim_thread, c);
	sim_thread_join(a);
	sim_thread_join(b);
	hs_dmirror_kfd_flush(c->m); /* the system workqueue: mmput_async() */
}

/* ---- xe: two devices migrating one range to their own memory at once ---------------- */

/* A range of two pages across a page-table boundary: each half has its own
 * PTL, so two migrations can each collect one half. */
#define XE_RANGE (HS_PMD_SIZE - HS_PAGE_SIZE)

struct xe_cat {
	struct cat *c;
	sim_rwsem_t driver_migrate_lock; /* xe_svm.c's static */
	int ret[2];
};

static void xe_gpu0(void *arg)
{
	struct xe_cat *x = arg;
	x->ret[0] = hs_dmirror_xe_alloc_vram(x->c->m, &x->driver_migrate_lock, XE_RANGE, 2);
}

static void xe_gpu1(void *arg)
{
	struct xe_cat *x = arg;
	x->ret[1] = hs_dmirror_xe_alloc_vram(x->c->m1, &x->driver_migrate_lock, XE_RANGE, 2);
}

/* Both GPUs fault on the range and want it in their own memory (an atomic
 * access: devmem only, so a failed migration means the fault is retried). */
static void xe_migrate_main(void *arg)
{
	struct xe_cat *x = sim_alloc(sizeof(*x));
	struct cat *c = x->c = cat_new((XE_RANGE + 2 * HS_PAGE_SIZE - BASE) / HS_PAGE_SIZE, 2);
	(void)arg;
	sim_rwsem_init(&x->driver_migrate_lock, "driver_migrate_lock");
	c->dev1 = hs_dmirror_device_create("dmirror1", 2);
	c->m1 = hs_dmirror_open(c->dev1, c->mm);
	cpu_write(c, XE_RANGE, 1);
	cpu_write(c, XE_RANGE + HS_PAGE_SIZE, 2);
	int a = sim_thread_spawn("gpu0", xe_gpu0, x);
	int b = sim_thread_spawn("gpu1", xe_gpu1, x);
	sim_thread_join(a);
	sim_thread_join(b);
	if (x->ret[0] == -EBUSY && x->ret[1] == -EBUSY)
		sim_fail(
		    SIM_KIND_LIVELOCK,
		    "both devices' migrations of [%#lx, %#lx) failed with -EBUSY after evicting "
		    "and retrying: the range is where it was, and the GPU faults that retry "
		    "them can repeat the same round forever",
		    XE_RANGE, XE_RANGE + 2 * HS_PAGE_SIZE);
	hs_mm_check_data(c->mm, XE_RANGE, XE_RANGE + 2 * HS_PAGE_SIZE);
}

/* ---- nouveau: -EBUSY from the range fault unlocked the mmap_lock twice --------------- */

static void nv_fault_thread(void *arg)
{
	struct cat *c = arg;
	int ret = hs_dmirror_nouveau_svm_fault(c->m, BASE, 2);
	sim_check(ret == 0 || ret == -EBUSY, "device fault failed: %d", ret);
}

/* A device fault on two pages while one of them is zapped (the invalidation
 * makes the fault's pass -EBUSY). */
static void nv_unlock_main(void *arg)
{
	struct cat *c = cat_new(2, 1);
	(void)arg;
	cpu_write(c, BASE, 1);
	cpu_write(c, BASE + HS_PAGE_SIZE, 2);
	int a = sim_thread_spawn("device", nv_fault_thread, c);
	int b = sim_thread_spawn("zap", ebusy_zap, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

/* ---- hmm_range_fault() failed on another device's private page ---------------------- */

/* A page in dmirror0's memory, read by dmirror1: hmm_range_fault() must
 * fault it back to RAM (migrate_to_ram) and hand dmirror1 the system page. */
static void non_owner_main(void *arg)
{
	struct cat *c = cat_new(1, 2);
	unsigned long v = 0;
	(void)arg;
	c->dev1 = hs_dmirror_device_create("dmirror1", 2);
	c->m1 = hs_dmirror_open(c->dev1, c->mm);
	cpu_write(c, BASE, 9);
	sim_check(hs_dmirror_migrate_to_dev(c->m, BASE, 1) == 0, "migrate to dmirror0");
	int ret = hs_dmirror_read(c->m1, BASE, 1, &v, NULL);
	sim_check(ret == 0, "dmirror1 read of a page in dmirror0's memory failed: %d", ret);
	sim_check(v == 9, "dmirror1 read %#lx", v);
}

/* ---- nouveau: the folio of a device-exclusive grant stayed locked --------------------- */

static void excl_device_thread(void *arg)
{
	struct cat *c = arg;
	/* -ENOENT: the CPU took the page back before the driver's read */
	int ret = hs_dmirror_exclusive(c->m, BASE, 1, NULL);
	sim_check(ret == 0 || ret == -ENOENT, "HMM_DMIRROR_EXCLUSIVE failed: %d", ret);
}

static void excl_cpu_thread(void *arg)
{
	cpu_write(arg, BASE, 2);
}

/* A device-exclusive grant (nouveau's GPU atomics) while the CPU writes the
 * page: the CPU fault must get the page back (remove_device_exclusive_entry()
 * takes the folio lock), and nothing may stay locked or referenced. */
static void excl_unlock_main(void *arg)
{
	struct cat *c = cat_new(1, 1);
	(void)arg;
	cpu_write(c, BASE, 1);
	int a = sim_thread_spawn("device", excl_device_thread, c);
	int b = sim_thread_spawn("cpu", excl_cpu_thread, c);
	sim_thread_join(a);
	sim_thread_join(b);
	hs_machine_check_leaks();
}

/* ---- hmm_range_fault() spun on a locked device page while its CPU's work waited ----
 * A process forked with one of its pages in dmirror0's memory: the
 * device-private folio is mapped in the parent and the child.  A migration
 * of the parent's range (a RAM page and that folio) locks both in collect,
 * which turns the parent's ptes into migration entries; the child's entry
 * stays a device-private entry until try_to_migrate(), which comes after
 * migrate_device_unmap() has drained the LRU batches for the RAM page
 * (faulted on CPU 1, still in CPU 1's batch).  dmirror1 reads the child's
 * copy on CPU 1 meanwhile: hmm_range_fault() faults the entry (another
 * device's page) and do_swap_page() finds the folio locked.
 */
#define STARVE_PAGE (BASE + HS_PAGE_SIZE)

struct starve_cat {
	struct cat *c;
	struct hs_mm *child;
	unsigned long read;
};

/* A migration of the parent's range that selects RAM and dmirror0's pages
 * and finds no destination for them (each stays where it was): what matters
 * is the setup, which holds both folio locks through the drain. */
static void starve_migrate(void *arg)
{
	struct starve_cat *x = arg;
	struct hs_mm *mm = x->c->mm;
	unsigned long src[2], dst[2] = {0, 0};
	struct hs_migrate_vma args = {
	    .start = BASE,
	    .end = BASE + 2 * HS_PAGE_SIZE,
	    .src = src,
	    .dst = dst,
	    .pgmap_owner = hs_dmirror_device_owner(x->c->dev),
	    .flags = HS_MIGRATE_VMA_SELECT_SYSTEM | HS_MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	};

	hs_set_cpu(0);
	sim_down_read_at(&mm->mmap_lock, __func__);
	args.vma = hs_find_vma(mm, BASE);
	sim_check(hs_migrate_vma_setup(&args) == 0, "migrate_vma_setup");
	hs_migrate_vma_pages(&args);
	hs_migrate_vma_finalize(&args);
	sim_up_read_at(&mm->mmap_lock, __func__);
}

static void starve_device(void *arg)
{
	struct starve_cat *x = arg;

	hs_set_cpu(1);
	sim_check(hs_dmirror_read(x->c->m1, STARVE_PAGE, 1, &x->read, NULL) == 0,
		  "dmirror1 read of the child's page failed");
}

static void starve_main(void *arg)
{
	struct starve_cat *x = sim_alloc(sizeof(*x));
	struct cat *c = x->c = cat_new(2, 2);
	(void)arg;
	c->dev1 = hs_dmirror_device_create("dmirror1", 1);
	cpu_write(c, STARVE_PAGE, 0x5a);
	sim_check(hs_dmirror_migrate_to_dev(c->m, STARVE_PAGE, 1) == 0, "migrate to dmirror0");
	/* fork (model/fork.c): copy_nonpresent_pte() maps the device-private
	 * folio in the child too, and its rmap follows the child */
	sim_check(hs_dup_mm(c->mm, "child", &x->child) == 0, "fork");
	c->m1 = hs_dmirror_open(c->dev1, x->child); /* the child opens dmirror1 */
	hs_set_cpu(1);
	cpu_write(c, BASE, 0x11); /* a new page, in CPU 1's lru_add batch */
	int a = sim_thread_spawn("migrate", starve_migrate, x);
	int b = sim_thread_spawn("device", starve_device, x);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_check(x->read == 0x5a, "dmirror1 read %#lx from the child's page", x->read);
	hs_mm_check_data(c->mm, BASE, BASE + 2 * HS_PAGE_SIZE);
}

/* ---- the table ------------------------------------------------------------------------ */

#define CATALOG_SCENARIO(nm, fn, a, bound)                                                         \
	{                                                                                          \
		nm, nm, fn, (void *)(long)(a), bound, NULL                                         \
	}

static const struct sim_scenario sc_tlb = CATALOG_SCENARIO("catalog-tlb-flush", tlb_main, 0, 0);
static const struct sim_scenario sc_dirty = CATALOG_SCENARIO("catalog-dirty-bit", dirty_main, 0, 0);
static const struct sim_scenario sc_two_faults =
    CATALOG_SCENARIO("catalog-two-faults", faults_main, 2, 0);
static const struct sim_scenario sc_three_faults =
    CATALOG_SCENARIO("catalog-three-faults", faults_main, 3, 0);
static const struct sim_scenario sc_notifier =
    CATALOG_SCENARIO("catalog-notifier-remove", notifier_main, 0, 0);
static const struct sim_scenario sc_owner = CATALOG_SCENARIO("catalog-owner", owner_main, 0, 0);
static const struct sim_scenario sc_xe_bug =
    CATALOG_SCENARIO("catalog-xe-folio", xe_folio_main, HS_DMIRROR_BUG_LOCK_PAGE_UNDER_MUTEX, 0);
static const struct sim_scenario sc_xe_fix =
    CATALOG_SCENARIO("catalog-xe-folio-fixed", xe_folio_main, 0, 0);
static const struct sim_scenario sc_ebusy_bug =
    CATALOG_SCENARIO("catalog-ebusy", ebusy_main, HS_DMIRROR_BUG_EBUSY_FATAL, 0);
static const struct sim_scenario sc_ebusy_fix =
    CATALOG_SCENARIO("catalog-ebusy-fixed", ebusy_main, 0, 0);

static const struct sim_scenario sc_copy_error =
    CATALOG_SCENARIO("catalog-dmem-copy-error", copy_error_main, 0, 0);
static const struct sim_scenario sc_map_error =
    CATALOG_SCENARIO("catalog-finalize-map-error", map_error_main, 0, 0);

static const struct sim_scenario sc_kfd_restore =
    CATALOG_SCENARIO("catalog-kfd-restore-exit", kfd_restore_main, 0, 0);
static const struct sim_scenario sc_kfd_mmput =
    CATALOG_SCENARIO("catalog-kfd-mmput-notifier", kfd_mmput_main, 0, 0);

static const struct sim_scenario sc_xe_migrate =
    CATALOG_SCENARIO("catalog-xe-migrate-race", xe_migrate_main, 0, 0);

static const struct sim_scenario sc_nv_unlock =
    CATALOG_SCENARIO("catalog-nouveau-range-fault", nv_unlock_main, 0, 0);
static const struct sim_scenario sc_non_owner =
    CATALOG_SCENARIO("catalog-non-owner-fault", non_owner_main, 0, 0);
static const struct sim_scenario sc_starve =
    CATALOG_SCENARIO("catalog-hmm-range-fault-starvation", starve_main, 0, 0);

static const struct sim_scenario sc_nv_exclusive =
    CATALOG_SCENARIO("catalog-nouveau-exclusive-unlock", excl_unlock_main, 0, 0);

static struct hs_catalog_entry catalog[] = {
    {"migrate-tlb-flush-after-ptl", "mm/migrate_device.c: flush TLB while holding PTL (v6.0)",
     "collect cleared the pte and dropped the PTL before flushing: a CPU kept writing the old "
     "page through its TLB after MADV_DONTNEED returned",
     false, &sc_tlb, &sc_tlb, "migrate_flush_tlb_after_ptl", SIM_STRATEGY_DFS, 1, "6.0", NULL},
    {"migrate-no-dirty-copy", "mm/migrate_device.c: copy pte dirty bit to page (v6.0)",
     "a dirty pte became a migration entry without dirtying the page; the migration failed, "
     "the page came back clean and reclaim dropped the write",
     false, &sc_dirty, &sc_dirty, "migrate_no_dirty_copy", SIM_STRATEGY_PCT, 0, "6.0", NULL},
    {"swap-page-ref-without-ptl",
     "mm/memory.c: fix race when faulting a device private page (v6.1)",
     "do_swap_page called migrate_to_ram with no reference taken under the PTL; another "
     "fault migrated and freed the page first",
     false, &sc_two_faults, &sc_two_faults, "swap_page_ref_without_ptl", SIM_STRATEGY_PCT, 0, "6.1",
     NULL},
    {"swap-page-lock-unconditional", "mm/migrate: Trylock device page in do_swap_page (v6.15)",
     "every faulting CPU held a page reference while one of them migrated, so each migration "
     "saw an unexpected reference and failed, forever",
     false, &sc_three_faults, &sc_three_faults, "swap_page_lock_unconditional", SIM_STRATEGY_PCT, 0,
     "6.15", NULL},
    {"notifier-remove-lockless-wait",
     "mm/mmu_notifier.c: fix race in mmu_interval_notifier_remove() (v5.18)",
     "remove waited with a lockless read of the sequence, which invalidate_range_end bumps "
     "before unlinking deferred notifiers: the driver freed a still-linked notifier",
     false, &sc_notifier, &sc_notifier, "notifier_remove_lockless_wait", SIM_STRATEGY_DFS, 2,
     "5.18", NULL},
    {"hmm-no-owner-check",
     "mm/hmm: check the device private page owner in hmm_range_fault() (v5.7)",
     "any device-private page came back valid to any device, which then used another "
     "device's memory",
     false, &sc_owner, &sc_owner, "hmm_no_owner_check", SIM_STRATEGY_PCT, 0, "5.7", NULL},
    {"hmm-fault-non-owner", "mm/hmm: fault non-owner device private entries (v6.0)",
     "hmm_range_fault() failed with -EFAULT on another device's private page instead of "
     "faulting it back to system memory, so a second device could not use the page",
     false, &sc_non_owner, &sc_non_owner, "hmm_no_fault_non_owner", SIM_STRATEGY_PCT, 0, "6.0",
     NULL},
    {"kfd-userptr-notifier-lock", "drm/amdgpu: Add notifier lock for KFD userptrs (v6.2)",
     "the driver checked mmu_interval_read_retry() without the lock its invalidate callback "
     "takes, then mapped pages an invalidation had just taken away",
     true, NULL, NULL, NULL, SIM_STRATEGY_PCT, 0, "6.2", NULL},
    {"kfd-ebusy-no-retry",
     "drm/amdkfd: retry after EBUSY is returned from hmm_ranges_get_pages (v6.6)",
     "a concurrent invalidation made hmm_range_fault() return -EBUSY and the driver failed "
     "the request instead of starting again",
     true, &sc_ebusy_bug, &sc_ebusy_fix, NULL, SIM_STRATEGY_RANDOM, 0, "6.6", NULL},
    {"xe-notifier-vs-folio", "drm/xe/userptr: fix notifier vs folio deadlock (v6.15)",
     "the driver locked a folio while holding its notifier lock; eviction held the folio "
     "lock and invalidated, and the callback waited for the notifier lock",
     true, &sc_xe_bug, &sc_xe_fix, NULL, SIM_STRATEGY_PCT, 0, "6.15", NULL},
    {"p2p-revoke-free-first",
     "mm/hmm P2P RFC review: revoke the exporter's pagemap ordered between "
     "hmm_range_fault() and the notifier (not merged)",
     "a P2P exporter's unplug freed its BAR before the eviction invalidated the importers "
     "(the RFC's v1 nouveau_dmem_fini() order), which kept DMAing through their P2P mirror "
     "entries to a freed BAR page",
     true, NULL, NULL, NULL, SIM_STRATEGY_PCT, 0, NULL, NULL},
    {"dmem-fault-copy-error",
     "nouveau/dmem: Fix vulnerability in migrate_to_ram upon copy error (v6.12, "
     "CVE-2024-50096)",
     "the copy of a device page to RAM failed without the driver knowing; the system page, "
     "not zeroed, was mapped with what its previous user left in it",
     true, &sc_copy_error, &sc_copy_error, "dmem_fault_no_zero", SIM_STRATEGY_PCT, 0, "6.12", NULL},
    {"dmirror-finalize-map-unlock",
     "mm/hmm/test: fix missing unlock on error in dmirror_migrate_finalize_and_map() (v5.8)",
     "a failed mirror-table store returned with the mirror's mutex held; the next device "
     "fault waited for it forever",
     true, &sc_map_error, &sc_map_error, "dmirror_finalize_no_unlock", SIM_STRATEGY_PCT, 0, "5.8",
     NULL},
    {"kfd-restore-work-exit",
     "drm/amdkfd: svm range restore work deadlock when process exit (v5.17)",
     "the restore worker flushed the deferred-list worker, whose mmput was the last after "
     "the process exited; exit_mmap's notifier release flushed the restore worker",
     true, &sc_kfd_restore, &sc_kfd_restore, "kfd_restore_work_exit_deadlock", SIM_STRATEGY_PCT, 0,
     "5.17", NULL},
    {"kfd-mmput-in-notifier", "drm/amdkfd: Don't call mmput from MMU notifier callback (v6.16)",
     "the invalidate callback pinned the mm and dropped it with mmput; the process had exited "
     "meanwhile, so exit_mmap ran inside the callback of an invalidation holding the mmap_lock",
     true, &sc_kfd_mmput, &sc_kfd_mmput, "kfd_mmput_in_notifier", SIM_STRATEGY_PCT, 0, "6.16",
     NULL},
    {"xe-migrate-serialize", "drm/xe/svm: Serialize migration to device if racing (v7.0)",
     "two devices migrating one range to their own memory each collected part of it, got "
     "-EBUSY, evicted and retried into the same collision, forever",
     true, &sc_xe_migrate, &sc_xe_migrate, "xe_migrate_no_serialize", SIM_STRATEGY_RANDOM, 0, "7.0",
     NULL},
    {"nouveau-range-fault-unlock",
     "nouveau: unlock mmap_sem on all errors from nouveau_range_fault (v5.3)",
     "nouveau_range_fault unlocked the mmap_lock on -EBUSY and its caller unlocked it on "
     "every return: a device fault racing an invalidation unlocked it twice",
     true, &sc_nv_unlock, &sc_nv_unlock, "nouveau_range_fault_double_unlock", SIM_STRATEGY_PCT, 0,
     "5.3", NULL},
    {"nouveau-exclusive-unlock",
     "nouveau/svm: fix missing folio unlock + put after make_device_exclusive_range() (v6.14)",
     "the driver kept the folio of a device-exclusive grant locked and referenced: the CPU "
     "fault that takes the page back waited for the folio lock for ever",
     true, &sc_nv_exclusive, &sc_nv_exclusive, "nouveau_exclusive_no_unlock", SIM_STRATEGY_PCT, 0,
     "6.14", NULL},
    {"hmm-range-fault-starvation",
     "mm: Fix a hmm_range_fault() livelock / starvation problem (v7.0)",
     "hmm_range_fault() retried at once on a device-private folio locked by a migration, "
     "never scheduling, while the lock holder waited in lru_add_drain_all() for a work item "
     "queued on that same CPU",
     false, &sc_starve, &sc_starve, "swap_page_spin_on_locked", SIM_STRATEGY_PCT, 0, "7.0", "6.15"},
};

#define NR_CATALOG (sizeof(catalog) / sizeof(catalog[0]))

/**
 * hs_catalog() - the catalog of kernel and driver bugs hmmsim must rediscover.
 * @count: set to the number of entries
 *
 * Return: the entries, in docs/catalog.md's order.
 */
const struct hs_catalog_entry *hs_catalog(size_t *count)
{
	for (size_t i = 0; i < NR_CATALOG; i++) {
		/* the KFD userptr entry reuses the built-in driver race scenarios */
		if (strcmp(catalog[i].name, "kfd-userptr-notifier-lock") == 0) {
			catalog[i].bug = hs_model_scenario_find("driver-fault-race-unlocked-retry");
			catalog[i].fixed = hs_model_scenario_find("driver-fault-race");
		}
		/* the P2P revoke entry: the hot unplug scenarios (lab/scenarios.c) */
		if (strcmp(catalog[i].name, "p2p-revoke-free-first") == 0) {
			catalog[i].bug = hs_model_scenario_find("p2p-unplug-free-first");
			catalog[i].fixed = hs_model_scenario_find("p2p-unplug-safe");
		}
	}
	*count = NR_CATALOG;
	return catalog;
}
