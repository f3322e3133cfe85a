// SPDX-License-Identifier: MIT
/*
 * Built-in scenarios of the kernel model, for `hmmsim list/explore`.
 *
 * driver-fault-race: the reference driver mirrors a 4-page range and reads
 * and writes it through the device while other threads zap one page
 * (MADV_DONTNEED), swap another out, migrate two to the device and touch one
 * of them from the CPU, which faults it back.  Every device access is checked
 * by the coherence oracle and the data is checked at the end.  The correct
 * driver must be clean; the variants give it one bug each.
 */
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/experiment.h>
#include <hmmsim/mm.h>
#include <hmmsim/p2pdma.h>
#include <hmmsim/scenario.h>
#include <string.h>

#define BASE   0x100000ul
#define NPAGES 4

struct race {
	struct hs_mm *mm;
	struct hs_dmirror *dmirror;
};

static unsigned long page_addr(int i)
{
	return BASE + (unsigned long)i * HS_PAGE_SIZE;
}

static void device_thread(void *arg)
{
	struct race *r = arg;
	unsigned long buf[NPAGES];

	int ret = hs_dmirror_read(r->dmirror, BASE, NPAGES, buf, NULL);
	sim_check(ret == 0, "device read failed: %d", ret);
	for (int i = 0; i < NPAGES; i++)
		buf[i] = 0x200 + (unsigned long)i;
	ret = hs_dmirror_write(r->dmirror, BASE, NPAGES, buf, NULL);
	sim_check(ret == 0, "device write failed: %d", ret);
}

static void invalidator_thread(void *arg)
{
	struct race *r = arg;
	hs_madvise_dontneed(r->mm, page_addr(1), HS_PAGE_SIZE);
	hs_swap_out(r->mm, page_addr(0));
}

static void migrator_thread(void *arg)
{
	struct race *r = arg;
	hs_dmirror_migrate_to_dev(r->dmirror, page_addr(2), 2);
	int ret = hs_cpu_write(r->mm, page_addr(3), 0x300);
	sim_check(ret == 0, "CPU write failed: %d", ret);
}

static void driver_fault_race_main(void *arg)
{
	struct race *r = sim_alloc(sizeof(*r));
	enum hs_dmirror_bug bug = (enum hs_dmirror_bug)(long)arg;
	int t[3];

	hs_machine_init(64, 16);
	r->mm = hs_mm_alloc("proc", 4ul << 20, 8);
	sim_check(hs_mmap(r->mm, BASE, NPAGES * HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0,
		  "mmap failed");
	for (int i = 0; i < NPAGES; i++)
		hs_cpu_write(r->mm, page_addr(i), 0x100 + (unsigned long)i);
	struct hs_dmirror_device *dev = hs_dmirror_device_create("dmirror0", 8);
	r->dmirror = hs_dmirror_open(dev, r->mm);
	hs_dmirror_set_bug(r->dmirror, bug);

	t[0] = sim_thread_spawn("device", device_thread, r);
	t[1] = sim_thread_spawn("invalidator", invalidator_thread, r);
	t[2] = sim_thread_spawn("migrator", migrator_thread, r);
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(r->mm, BASE, BASE + NPAGES * HS_PAGE_SIZE);
	hs_machine_check_leaks();
	hs_dmirror_release(r->dmirror);
}

/*
 * p2p-unplug-*: hot unplug of a P2P exporter (docs/p2p.md "Hot unplug").
 * Two GPUs below one switch (BUS_ADDR): "exp" holds the three pages of the
 * range in its device memory and exports it through a BAR; "imp" mirrors the
 * range with ALLOW_P2P and a named requester, so it reaches exp's pages
 * through BAR pages.  Three threads: imp reads page 0 and writes it; a CPU
 * writes page 1 (faulting it back to RAM) and reads it; nobody touches page
 * 2 during the run; the unplug thread unplugs exp the scenario's way.  (The
 * CPU and imp touch different pages: two threads faulting one page while
 * the eviction pins it can retry in turn forever under an unfair schedule,
 * which DFS explores; see docs/p2p.md.)
 */
/* p2p-unplug-surprise-cleanup: the run without the lost-access report, to
 * check what the driver's cleanup after a surprise removal guarantees */
#define UNPLUG_NO_LOST_CHECK 0x100

struct unplug {
	struct hs_mm *mm;
	struct hs_dmirror_device *exp, *imp;
	struct hs_dmirror *mexp, *mimp;
	struct hs_pci_dev *pexp;
	enum hs_dmirror_unplug how;
	bool lossy; /* surprise: accesses may fail */
};

static void unplug_importer(void *arg)
{
	struct unplug *u = arg;
	unsigned long v = 0, w = 0x20;

	int ret = hs_dmirror_read(u->mimp, BASE, 1, &v, NULL);
	sim_check(ret == 0 || u->lossy, "importer read failed: %d", ret);
	sim_check(ret || u->lossy || v == 0x10, "importer read %#lx", v);
	ret = hs_dmirror_write(u->mimp, BASE, 1, &w, NULL);
	sim_check(ret == 0 || u->lossy, "importer write failed: %d", ret);
}

static void unplug_cpu(void *arg)
{
	struct unplug *u = arg;
	unsigned long v = 0;

	int ret = hs_cpu_write(u->mm, page_addr(1), 0x31);
	sim_check(ret == 0 || u->lossy, "CPU write failed: %d", ret);
	ret = hs_cpu_read(u->mm, page_addr(1), &v);
	sim_check(ret == 0 || u->lossy, "CPU read failed: %d", ret);
	sim_check(ret || u->lossy || v == 0x31, "CPU read %#lx", v);
}

static void unplug_unplug(void *arg)
{
	struct unplug *u = arg;
	sim_check(hs_dmirror_device_unplug(u->exp, u->how) == 0, "unplug failed");
}

static void p2p_unplug_main(void *arg)
{
	struct unplug *u = sim_alloc(sizeof(*u));
	int t[3];

	u->how = (enum hs_dmirror_unplug)((long)arg & 0xff);
	u->lossy = u->how == HS_DMIRROR_UNPLUG_SURPRISE;
	hs_machine_init(32, 16);
	u->mm = hs_mm_alloc("proc", 4ul << 20, 8);
	sim_check(hs_mmap(u->mm, BASE, 3 * HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0,
		  "mmap failed");
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb), 2);
	u->pexp = hs_pci_device_add(sw->down[0], "exp");
	u->exp = hs_dmirror_device_create("exp", 3);
	sim_check(hs_dmirror_device_set_p2p(u->exp, u->pexp) == 0, "set_p2p");
	u->imp = hs_dmirror_device_create("imp", 2);
	hs_dmirror_device_set_pci(u->imp, hs_pci_device_add(sw->down[1], "imp"));
	u->mexp = hs_dmirror_open(u->exp, u->mm);
	u->mimp = hs_dmirror_open(u->imp, u->mm);
	hs_dmirror_set_allow_p2p(u->mimp, true);
	hs_cpu_write(u->mm, BASE, 0x10);
	hs_cpu_write(u->mm, page_addr(1), 0x11);
	hs_cpu_write(u->mm, page_addr(2), 0x12);
	sim_check(hs_dmirror_migrate_to_dev(u->mexp, BASE, 3) == 0, "migrate to exp");

	t[0] = sim_thread_spawn("importer", unplug_importer, u);
	t[1] = sim_thread_spawn("cpu", unplug_cpu, u);
	t[2] = sim_thread_spawn("unplug", unplug_unplug, u);
	sim_thread_join(t[0]);
	sim_thread_join(t[1]);
	/*
	 * After a surprise removal a fault on a page the eviction passed over
	 * (a fault held it locked, then its copy failed: SIGBUS, -EFAULT to the
	 * importer) leaves it in the device, mapped; memunmap_pages() waits for
	 * it until the process lets it go.  The process unmaps the two pages
	 * the importer and the CPU used (what the SIGBUS's exit_mmap() would
	 * do), once both are done; page 2 stays mapped.
	 */
	if (u->lossy)
		sim_check(hs_munmap(u->mm, BASE, 2 * HS_PAGE_SIZE) == 0, "munmap failed");
	sim_thread_join(t[2]);
	/* the device is gone: nothing of it may be left in use or referenced */
	sim_check(hs_dmirror_device_pages_in_use(u->exp) == 0, "exp pages still in use");
	sim_check(hs_pci_p2pmem_available(u->pexp) == 0, "exp's BAR not released");
	if (!u->lossy)
		hs_mm_check_data(u->mm, BASE, BASE + 3 * HS_PAGE_SIZE);
	hs_dmirror_release(u->mimp);
	hs_dmirror_release(u->mexp);
	hs_machine_check_leaks();
	if (!((long)arg & UNPLUG_NO_LOST_CHECK))
		hs_dmirror_device_check_lost(u->exp);
}

/*
 * p2p-importer-unload: the importer's driver is unloaded (release(): its
 * notifier removed, its mirror freed) while its device faults through the
 * mirror on another thread, and a CPU write migrates the page it reads
 * back to RAM.  The correct release waits for the faults in flight.
 */
struct unload {
	struct hs_mm *mm;
	struct hs_dmirror *mimp;
};

static void unload_device(void *arg)
{
	struct unload *u = arg;
	unsigned long v = 0;
	int ret = hs_dmirror_read(u->mimp, BASE, 1, &v, NULL);
	sim_check(ret == 0 || ret == -ENODEV, "importer read failed: %d", ret);
	sim_check(ret || v == 0x10 || v == 0x11, "importer read %#lx", v);
}

static void unload_release(void *arg)
{
	struct unload *u = arg;
	hs_dmirror_release(u->mimp);
}

static void unload_cpu(void *arg)
{
	struct unload *u = arg;
	sim_check(hs_cpu_write(u->mm, BASE, 0x11) == 0, "CPU write failed");
}

static void p2p_importer_unload_main(void *arg)
{
	struct unload *u = sim_alloc(sizeof(*u));
	int t[3];

	hs_machine_init(32, 16);
	u->mm = hs_mm_alloc("proc", 4ul << 20, 8);
	sim_check(hs_mmap(u->mm, BASE, HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0, "mmap failed");
	struct hs_pci_host_bridge *hb = hs_pci_host_bridge_add("hb0", 0);
	struct hs_pci_switch *sw = hs_pci_switch_add(hs_pci_root_port_add(hb), 2);
	struct hs_dmirror_device *exp = hs_dmirror_device_create("exp", 1);
	sim_check(hs_dmirror_device_set_p2p(exp, hs_pci_device_add(sw->down[0], "exp")) == 0,
		  "set_p2p");
	struct hs_dmirror_device *imp = hs_dmirror_device_create("imp", 1);
	hs_dmirror_device_set_pci(imp, hs_pci_device_add(sw->down[1], "imp"));
	struct hs_dmirror *mexp = hs_dmirror_open(exp, u->mm);
	u->mimp = hs_dmirror_open(imp, u->mm);
	hs_dmirror_set_allow_p2p(u->mimp, true);
	hs_dmirror_set_bug(u->mimp, (enum hs_dmirror_bug)(long)arg);
	hs_cpu_write(u->mm, BASE, 0x10);
	sim_check(hs_dmirror_migrate_to_dev(mexp, BASE, 1) == 0, "migrate to exp");

	t[0] = sim_thread_spawn("device", unload_device, u);
	t[1] = sim_thread_spawn("release", unload_release, u);
	t[2] = sim_thread_spawn("cpu", unload_cpu, u);
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
	hs_mm_check_data(u->mm, BASE, BASE + HS_PAGE_SIZE);
	hs_dmirror_device_remove(exp);
	hs_dmirror_release(mexp);
	hs_machine_check_leaks();
}

static const struct sim_scenario model_scenarios[] = {
    {"driver-fault-race",
     "reference driver faults a 4-page range against zap, swap-out, migration and CPU "
     "faults",
     driver_fault_race_main, (void *)(long)HS_DMIRROR_OK, 0, NULL},
    {"driver-fault-race-noretry", "the same, the driver skips mmu_interval_read_retry()",
     driver_fault_race_main, (void *)(long)HS_DMIRROR_BUG_NO_RETRY, 0, HS_KIND_COHERENCE},
    {"driver-fault-race-unlocked-retry",
     "the same, the driver checks read_retry before taking its update lock", driver_fault_race_main,
     (void *)(long)HS_DMIRROR_BUG_RETRY_UNLOCKED, 0, HS_KIND_COHERENCE},
    {"driver-fault-race-skip-own-migrate",
     "the same, the driver ignores its own migrations' invalidations (as lib/test_hmm.c)",
     driver_fault_race_main, (void *)(long)HS_DMIRROR_BUG_SKIP_OWN_MIGRATE, 0, HS_KIND_COHERENCE},
    {"p2p-unplug-safe",
     "a P2P exporter is hot unplugged with the ordered revoke while an importer reads and "
     "writes its pages through the BAR and a CPU faults one back",
     p2p_unplug_main, (void *)(long)HS_DMIRROR_UNPLUG_SAFE, 0, NULL},
    {"p2p-unplug-free-first",
     "the same, the revoke frees the BAR before it invalidates the importers", p2p_unplug_main,
     (void *)(long)HS_DMIRROR_UNPLUG_BUG_FREE_BEFORE_INVALIDATE, 0, HS_KIND_UAF},
    {"p2p-unplug-surprise",
     "the same, the exporter vanishes first (surprise removal), then the driver cleans up",
     p2p_unplug_main, (void *)(long)HS_DMIRROR_UNPLUG_SURPRISE, 0, HS_KIND_LOST_ACCESS},
    {"p2p-unplug-surprise-cleanup",
     "the same without the lost-access report: the cleanup after the surprise frees nothing "
     "still referenced and leaks nothing",
     p2p_unplug_main, (void *)(long)(HS_DMIRROR_UNPLUG_SURPRISE | UNPLUG_NO_LOST_CHECK), 0, NULL},
    {"p2p-unplug-devm",
     "the same, torn down by devres at unbind (devm_memunmap_pages) without evicting first",
     p2p_unplug_main, (void *)(long)HS_DMIRROR_UNPLUG_DEVM, 0, SIM_KIND_DEADLOCK},
    {"p2p-importer-unload",
     "a P2P importer's release() runs while its device faults through the mirror and a CPU "
     "write migrates the page back",
     p2p_importer_unload_main, (void *)(long)HS_DMIRROR_OK, 0, NULL},
    {"p2p-importer-unload-nowait", "the same, release() does not wait for the faults in flight",
     p2p_importer_unload_main, (void *)(long)HS_DMIRROR_BUG_RELEASE_NO_WAIT, 0, HS_KIND_UAF},
};

#define NR_MODEL (sizeof(model_scenarios) / sizeof(model_scenarios[0]))

static const struct sim_scenario *const model_ptrs[NR_MODEL] = {
    &model_scenarios[0], &model_scenarios[1], &model_scenarios[2],  &model_scenarios[3],
    &model_scenarios[4], &model_scenarios[5], &model_scenarios[6],  &model_scenarios[7],
    &model_scenarios[8], &model_scenarios[9], &model_scenarios[10],
};

/**
 * hs_model_scenarios() - the built-in scenarios of the kernel model.
 * @count: set to their number
 *
 * Return: the scenarios `hmmsim list` shows.
 */
const struct sim_scenario *const *hs_model_scenarios(size_t *count)
{
	*count = NR_MODEL;
	return model_ptrs;
}

/**
 * hs_model_scenario_find() - a built-in scenario by name.
 * @name: its name
 *
 * The built-in scenarios, then the catalog's (lab/catalog.c), then the
 * owner experiment's SCENARIO@CONFIG pairs (lab/experiment.c).
 *
 * Return: the scenario, or NULL.
 */
const struct sim_scenario *hs_model_scenario_find(const char *name)
{
	size_t n;
	for (size_t i = 0; i < NR_MODEL; i++)
		if (strcmp(model_scenarios[i].name, name) == 0)
			return &model_scenarios[i];
	const struct hs_catalog_entry *cat = hs_catalog(&n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cat[i].bug->name, name) == 0)
			return cat[i].bug;
		if (strcmp(cat[i].fixed->name, name) == 0)
			return cat[i].fixed;
	}
	return hs_owner_experiment_find(name);
}
