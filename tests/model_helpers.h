/* SPDX-License-Identifier: MIT */
/* Helpers shared by the kernel model's CUnit suites. */
#ifndef HMMSIM_TEST_MODEL_HELPERS_H
#define HMMSIM_TEST_MODEL_HELPERS_H

#include <hmmsim/dmirror.h>
#include <hmmsim/hmm.h>
#include <hmmsim/migrate.h>
#include <hmmsim/mm.h>
#include <hmmsim/switches.h>

#include <stdlib.h>

#include "helpers.h"

#define BASE  0x100000ul
#define PG(i) (BASE + (unsigned long)(i)*HS_PAGE_SIZE)

/* A machine with 64 RAM pages and an mm with [BASE, BASE + npages) mapped. */
static inline struct hs_mm *model_setup(unsigned long npages, unsigned int prot)
{
	hs_machine_init(64, 32);
	struct hs_mm *mm = hs_mm_alloc("test", 4ul << 20, 8);
	sim_check(hs_mmap(mm, BASE, npages * HS_PAGE_SIZE, prot) == 0, "mmap failed");
	return mm;
}

/* Run a one-thread scenario once; return the first violation kind or "". */
static inline const char *run_once(void (*fn)(void *))
{
	static char kind[32];
	struct sim_scenario sc = SCENARIO("t-model", fn);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
	snprintf(kind, sizeof(kind), "%s", first_kind(&r));
	if (getenv("HMMSIM_TEST_VERBOSE") && r.nr_reports)
		fprintf(stderr, "\n    %s: %s\n", r.reports[0].kind, r.reports[0].message);
	sim_result_free(&r);
	return kind;
}

#endif
