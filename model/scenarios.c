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
#include <hmmsim/catalog.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/mm.h>
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
};

#define NR_MODEL (sizeof(model_scenarios) / sizeof(model_scenarios[0]))

static const struct sim_scenario *const model_ptrs[NR_MODEL] = {
    &model_scenarios[0],
    &model_scenarios[1],
    &model_scenarios[2],
    &model_scenarios[3],
};

const struct sim_scenario *const *hs_model_scenarios(size_t *count)
{
	*count = NR_MODEL;
	return model_ptrs;
}

/* The built-in scenarios, then the catalog's (model/catalog.c). */
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
	return NULL;
}
