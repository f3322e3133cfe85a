// SPDX-License-Identifier: MIT
/*
 * Self-test of the EXPECT_EQ_* helpers of tests/helpers.h: a failing
 * comparison must record one CUnit failure and print both expressions and
 * both values, a passing one must record nothing and print nothing.
 *
 * It cannot be an ordinary suite (a failing EXPECT fails the test that runs
 * it), so it has its own main(): it runs a registry of deliberately failing
 * tests with stderr redirected to a temporary file, then checks what CUnit
 * recorded and what was printed, and passes only if both are as expected.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

#define NR_CASES 8

/* What each failing comparison must print, filled in as it runs. */
static char want[NR_CASES][HS_EXPECT_MSG_MAX + 64];
static int nr_want;
static int evaluations;

static int count(int v)
{
	evaluations++;
	return v;
}

static void expect_line(unsigned int line, const char *msg)
{
	snprintf(want[nr_want++], sizeof(want[0]), "%s:%u: %s", __FILE__, line, msg);
}

static void failing_ints(void)
{
	int three = 3;
	unsigned long long big = 1ull << 40;

	EXPECT_EQ_INT(three, 4);
	expect_line(__LINE__ - 1, "expected three == 4: got 3 vs 4");
	EXPECT_EQ_INT(-1, three + 1);
	expect_line(__LINE__ - 1, "expected -1 == three + 1: got -1 vs 4");
	EXPECT_EQ_U64(big, 7);
	expect_line(__LINE__ - 1, "expected big == 7: got 1099511627776 vs 7");
	/* Each operand is evaluated once, failing or not. */
	EXPECT_EQ_INT(count(1), count(2));
	expect_line(__LINE__ - 1, "expected count(1) == count(2): got 1 vs 2");
}

static void failing_strs(void)
{
	const char *kind = "use-after-free";
	const char *none = NULL;

	EXPECT_EQ_STR(kind, "data-race");
	expect_line(__LINE__ - 1, "expected kind == \"data-race\": got \"use-after-free\" vs "
				  "\"data-race\"");
	EXPECT_EQ_STR(none, "");
	expect_line(__LINE__ - 1, "expected none == \"\": got \"(null)\" vs \"\"");
}

static void failing_ptr(void)
{
	int a, b;
	char msg[HS_EXPECT_MSG_MAX];

	EXPECT_EQ_PTR(&a, &b);
	snprintf(msg, sizeof(msg), "expected &a == &b: got %p vs %p", (void *)&a, (void *)&b);
	expect_line(__LINE__ - 2, msg);
	EXPECT_EQ_PTR(&a, NULL);
	snprintf(msg, sizeof(msg), "expected &a == NULL: got %p vs %p", (void *)&a, (void *)NULL);
	expect_line(__LINE__ - 2, msg);
}

static void passing(void)
{
	const char *s = "x";
	int v = 5;

	EXPECT_EQ_INT(v, 5);
	EXPECT_EQ_INT(count(2), count(2));
	EXPECT_EQ_U64(v, 5u);
	EXPECT_EQ_STR(s, "x");
	EXPECT_EQ_STR(NULL, NULL);
	EXPECT_EQ_PTR(s, s);
	EXPECT_EQ_PTR(NULL, NULL);
}

static int fail(const char *what)
{
	printf("expect self-test: FAIL: %s\n", what);
	return 1;
}

int main(void)
{
	char captured[8192];
	int ret = 0;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite s = CU_add_suite("expect (deliberately failing)", NULL, NULL);
	CU_add_test(s, "integers", failing_ints);
	CU_add_test(s, "strings", failing_strs);
	CU_add_test(s, "pointers", failing_ptr);
	CU_add_test(s, "passing", passing);

	/* Run with stderr going to a temporary file. */
	FILE *tmp = tmpfile();
	if (!tmp)
		return 2;
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	if (saved < 0 || dup2(fileno(tmp), STDERR_FILENO) < 0)
		return 2;
	CU_basic_set_mode(CU_BRM_SILENT);
	CU_basic_run_tests();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	rewind(tmp);
	size_t n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
	printf("captured stderr of the failing suite:\n%s", captured);

	/* stderr: exactly the wanted lines, in order, nothing else. */
	char all[sizeof(want) + NR_CASES] = "";
	for (int i = 0; i < nr_want; i++) {
		strcat(all, want[i]);
		strcat(all, "\n");
	}
	if (nr_want != NR_CASES)
		ret |= fail("not every failing case ran");
	if (strcmp(captured, all) != 0) {
		printf("wanted:\n%s", all);
		ret |= fail("stderr differs from the wanted lines");
	}

	/* CUnit: one failure per failing comparison, its condition the same message. */
	if (CU_get_number_of_failures() != NR_CASES)
		ret |= fail("CUnit did not record one failure per failing comparison");
	if (CU_get_number_of_tests_failed() != 3)
		ret |= fail("the passing test failed, or a failing one passed");
	int i = 0;
	for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext, i++) {
		char line[HS_EXPECT_MSG_MAX + 64];
		snprintf(line, sizeof(line), "%s:%u: %s", f->strFileName, f->uiLineNumber,
			 f->strCondition);
		if (i >= nr_want || strcmp(line, want[i]) != 0) {
			printf("CUnit recorded: %s\n", line);
			ret |= fail("a CUnit failure record lacks the message");
		}
	}
	if (evaluations != 4)
		ret |= fail("an operand was evaluated more or less than once");
	CU_cleanup_registry();
	if (!ret)
		printf("expect self-test: ok (%d failing comparisons printed both values)\n",
		       nr_want);
	return ret;
}
