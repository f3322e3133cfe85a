// SPDX-License-Identifier: MIT
/*
 * catalog suite: every catalog entry is found with its bug and clean with its
 * fix, with fixed seeds, so CI fails the day the model stops finding one.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <string.h>

static void test_entries(void)
{
	size_t n, core = 0, driver = 0;
	const struct hs_catalog_entry *cat = hs_catalog(&n);

	for (size_t i = 0; i < n; i++) {
		struct hs_catalog_result r;
		int ret = hs_catalog_run(&cat[i], cat[i].strategy, 20000, 1, &r);
		CU_ASSERT_EQUAL(ret, 0);
		CU_ASSERT_TRUE(r.found);
		CU_ASSERT_TRUE(r.clean_with_fix);
		if (ret || !r.found || !r.clean_with_fix)
			fprintf(stderr, "\n%s: found %d clean %d %s\n", cat[i].name, r.found,
				r.clean_with_fix, r.error);
		*(cat[i].driver ? &driver : &core) += 1;
	}
	CU_ASSERT_TRUE(core >= 6);
	CU_ASSERT_TRUE(driver >= 2);
}

/* The switch a buggy run turns on is off again afterwards. */
static void test_switches_restored(void)
{
	static const struct hs_switches off;
	CU_ASSERT_EQUAL(memcmp(&hs_switch, &off, sizeof(off)), 0);
	CU_ASSERT_EQUAL(hs_switch_set("no-such-switch", true), -EINVAL);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("catalog", NULL, NULL);
	CU_add_test(s, "every entry: found with the bug, clean with the fix", test_entries);
	CU_add_test(s, "switches restored", test_switches_restored);
}
