// SPDX-License-Identifier: MIT
/*
 * driver suite: the reference driver's ioctls, its fault counts, migration
 * both ways, device removal, and the built-in race scenarios: the correct
 * driver clean, each buggy one found as a coherence violation.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "model_helpers.h"

static void rw_main(void *arg)
{
	struct hs_mm *mm = model_setup(4, HS_VM_READ | HS_VM_WRITE);
	struct hs_dmirror_device *dev = hs_dmirror_device_create("dev0", 8);
	struct hs_dmirror *m = hs_dmirror_open(dev, mm);
	unsigned long buf[4], in[4] = {1, 2, 3, 4}, faults, v;

	sim_check(hs_dmirror_write(m, BASE, 4, in, &faults) == 0, "device write");
	sim_check(faults == 1, "one fault for the whole range (%lu)", faults);
	for (int i = 0; i < 4; i++)
		sim_check(hs_cpu_read(mm, PG(i), &v) == 0 && v == in[i], "CPU sees the write");
	sim_check(hs_dmirror_read(m, BASE, 4, buf, &faults) == 0 && faults == 0,
		  "mirrored: the read needs no fault");
	for (int i = 0; i < 4; i++)
		sim_check(buf[i] == in[i], "device reads back %d", i);
	hs_cpu_write(mm, PG(2), 9); /* reuse in place: the mirror stays valid */
	sim_check(hs_dmirror_read(m, BASE, 4, buf, &faults) == 0 && buf[2] == 9, "sees CPU write");
	hs_madvise_dontneed(mm, PG(1), HS_PAGE_SIZE);
	sim_check(hs_dmirror_read(m, BASE, 4, buf, &faults) == 0 && faults == 1 && buf[1] == 0,
		  "zapped page: one fault, reads zero");
	sim_check(hs_dmirror_read(m, PG(3), 2, buf, NULL) == -EFAULT, "past the VMA: -EFAULT");
	hs_mprotect(mm, BASE, 4 * HS_PAGE_SIZE, HS_VM_READ);
	sim_check(hs_dmirror_write(m, BASE, 1, in, NULL) == -EPERM, "read-only: -EPERM");
	hs_dmirror_release(m);
}

static void test_read_write(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(rw_main), "");
}

static void migrate_main(void *arg)
{
	struct hs_mm *mm = model_setup(4, HS_VM_READ | HS_VM_WRITE);
	struct hs_dmirror_device *dev = hs_dmirror_device_create("dev0", 8);
	struct hs_dmirror *m = hs_dmirror_open(dev, mm);
	unsigned long buf[4], v, faults;
	unsigned char perm[4];

	for (int i = 0; i < 3; i++)
		hs_cpu_write(mm, PG(i), 0x40 + (unsigned long)i);
	sim_check(hs_dmirror_migrate_to_dev(m, BASE, 4) == 0, "migrate to the device");
	sim_check(hs_dmirror_device_pages_in_use(dev) == 4, "4 device pages (holes filled too)");
	sim_check(hs_dmirror_snapshot(m, BASE, 4, perm) == 0, "snapshot");
	for (int i = 0; i < 4; i++)
		sim_check(perm[i] == (HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL | HS_DMIRROR_PROT_WRITE),
			  "page %d is local device memory (%#x)", i, perm[i]);
	sim_check(hs_dmirror_read(m, BASE, 4, buf, &faults) == 0, "device read");
	for (int i = 0; i < 3; i++)
		sim_check(buf[i] == 0x40 + (unsigned long)i, "data moved (%d)", i);
	sim_check(buf[3] == 0, "the hole reads zero");
	sim_check(hs_cpu_read(mm, PG(0), &v) == 0 && v == 0x40, "CPU fault brings page 0 back");
	sim_check(hs_dmirror_device_pages_in_use(dev) == 3, "one device page freed");
	sim_check(hs_dmirror_migrate_to_sys(m, BASE, 4) == 0, "migrate to system");
	sim_check(hs_dmirror_device_pages_in_use(dev) == 0, "all device pages freed");
	hs_mm_check_data(mm, BASE, PG(4));
	hs_dmirror_migrate_to_dev(m, BASE, 2);
	hs_dmirror_release(m);
	hs_dmirror_device_remove(dev); /* evicts, then memunmap_pages */
	sim_check(hs_cpu_read(mm, PG(1), &v) == 0 && v == 0x41, "evicted with its data");
	hs_mm_check_data(mm, BASE, PG(4));
}

static void test_migrate(void)
{
	CU_ASSERT_STRING_EQUAL(run_once(migrate_main), "");
}

static struct sim_result explore(const char *name, enum sim_strategy s, uint64_t n)
{
	const struct sim_scenario *sc = hs_model_scenario_find(name);
	CU_ASSERT_PTR_NOT_NULL(sc);
	return run(sc, s, n, 2, 1);
}

static void test_race_correct_clean(void)
{
	struct sim_result r = explore("driver-fault-race", SIM_STRATEGY_PCT, 3000);
	CU_ASSERT_EQUAL(r.executions, 3000);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n%s\n", r.reports[0].kind, r.reports[0].message,
			r.reports[0].schedule);
	sim_result_free(&r);
}

static void test_race_bugs_found(void)
{
	static const char *const bugs[] = {"driver-fault-race-noretry",
					   "driver-fault-race-unlocked-retry"};
	for (int i = 0; i < 2; i++) {
		struct sim_result r = explore(bugs[i], SIM_STRATEGY_PCT, 10000);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), HS_KIND_COHERENCE);
		if (r.nr_reports && strcmp(r.reports[0].kind, HS_KIND_COHERENCE))
			fprintf(stderr, "\n%s: %s: %s\n", bugs[i], r.reports[0].kind,
				r.reports[0].message);
		sim_result_free(&r);
	}
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("driver", NULL, NULL);
	CU_add_test(s, "device read/write through the mirror", test_read_write);
	CU_add_test(s, "migration both ways, removal", test_migrate);
	CU_add_test(s, "driver-fault-race: correct driver clean (pct)", test_race_correct_clean);
	CU_add_test(s, "driver-fault-race: buggy drivers found", test_race_bugs_found);
}
