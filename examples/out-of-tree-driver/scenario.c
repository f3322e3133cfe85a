// SPDX-License-Identifier: MIT
/*
 * mydev-check: the scenario of the out-of-tree driver mydev, explored with
 * its planted bug (which must be found) and without it (which must be
 * clean, over every schedule with at most two preemptions).
 *
 * mydev-race: a process has one page mapped at BASE, holding 0x1.  The
 * device reads it (faulting it into its page table), while a CPU thread
 * zaps it with madvise(MADV_DONTNEED).  Whatever the interleaving, the
 * device must never read through a pfn the CPU no longer maps: mydev's
 * coherence check (mydev.c) says so at every device access.
 *
 * Exit status: 0 when the bug is found and the fix is clean, 1 otherwise,
 * 2 when the engine refuses the run.
 */
#include <stdio.h>
#include <string.h>

#include <hmmsim/explore.h>
#include <hmmsim/mm.h>
#include <hmmsim/page.h>
#include <hmmsim/scenario.h>
#include <hmmsim/version.h>

#include "mydev.h"

#define BASE 0x100000ul

struct race {
	struct hs_mm *mm;
	struct mydev *dev;
};

static void device_thread(void *arg)
{
	struct race *r = arg;
	unsigned long val;

	int ret = mydev_read(r->dev, BASE, &val);
	sim_check(ret == 0, "device read failed: %d", ret);
	/* before the zap the page holds 0x1, after it a fresh zero page */
	sim_check(val == 0x1 || val == 0, "device read %#lx", val);
}

static void cpu_thread(void *arg)
{
	struct race *r = arg;
	hs_madvise_dontneed(r->mm, BASE, HS_PAGE_SIZE);
}

/* Thread 0 of every execution: build the world, run the threads, check. */
static void mydev_race_main(void *arg)
{
	struct race *r = sim_alloc(sizeof(*r));

	hs_machine_init(16, 0);
	r->mm = hs_mm_alloc("proc", 1ul << 20, 0);
	sim_check(hs_mmap(r->mm, BASE, HS_PAGE_SIZE, HS_VM_READ | HS_VM_WRITE) == 0, "mmap failed");
	hs_cpu_write(r->mm, BASE, 0x1);
	r->dev = mydev_open(r->mm, BASE, 1, (enum mydev_bug)(long)arg);

	int t0 = sim_thread_spawn("device", device_thread, r);
	int t1 = sim_thread_spawn("cpu", cpu_thread, r);
	sim_thread_join(t0);
	sim_thread_join(t1);
	mydev_close(r->dev);
}

static const struct sim_scenario mydev_race = {
    .name = "mydev-race",
    .summary = "mydev without mmu_interval_set_seq(): a device read races with a zap",
    .main = mydev_race_main,
    .arg = (void *)(long)MYDEV_BUG_NO_SET_SEQ,
    .expect = "coherence",
};

static const struct sim_scenario mydev_race_fixed = {
    .name = "mydev-race-fixed",
    .summary = "mydev-race with the callback calling mmu_interval_set_seq()",
    .main = mydev_race_main,
    .arg = (void *)(long)MYDEV_BUG_NONE,
};

/* Explore @sc exhaustively within two preemptions; print the outcome.
 * Return: true when it ended as sc->expect says. */
static bool explore(const struct sim_scenario *sc, bool *error)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DFS,
	    .dfs_preemptions = 2,
	    .iterations = 1000000,
	};
	struct sim_result r;

	if (sim_explore(sc, &o, &r)) {
		fprintf(stderr, "mydev-check: %s: %s\n", sc->name, r.error);
		*error = true;
		return false;
	}
	const char *got = r.nr_reports ? r.reports[0].kind : NULL;
	bool ok = sc->expect ? got && strcmp(got, sc->expect) == 0 : !got;
	printf("%s: %s after %llu executions%s (expected %s): %s\n", sc->name, got ? got : "clean",
	       (unsigned long long)r.executions, r.exhausted ? ", exhaustive" : "",
	       sc->expect ? sc->expect : "clean", ok ? "ok" : "FAILED");
	if (r.nr_reports) {
		const struct sim_violation *v = &r.reports[0];
		printf("\nVIOLATION %s: %s\nschedule %s; the interleaving:\n\n%s\n", v->kind,
		       v->message, v->schedule, v->report);
	}
	sim_result_free(&r);
	return ok;
}

int main(void)
{
	bool error = false;

	printf("mydev-check, on hmmsim %s (kernel model: Linux %s)\n", HMMSIM_VERSION,
	       HMMSIM_KERNEL_RELEASE);
	bool found = explore(&mydev_race, &error);
	bool clean = explore(&mydev_race_fixed, &error);
	if (error)
		return 2;
	return found && clean ? 0 : 1;
}
