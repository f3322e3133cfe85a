// SPDX-License-Identifier: MIT
/* Shared main() of the CUnit test programs: each defines hmmsim_test_register(). */
#include <CUnit/Basic.h>
#include <stdio.h>

void hmmsim_test_register(void);

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	hmmsim_test_register();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned int failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned int run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
