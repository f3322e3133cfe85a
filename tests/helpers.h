/* SPDX-License-Identifier: MIT */
/* Helpers shared by the engine's CUnit suites. */
#ifndef HMMSIM_TEST_HELPERS_H
#define HMMSIM_TEST_HELPERS_H

#include <CUnit/CUnit.h>
#include <hmmsim/explore.h>
#include <hmmsim/sim.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Equality assertions that say what they saw (jemalloc's expect_d_eq() and
 * friends in test/include/test/test.h; CUnit's CU_ASSERT_EQUAL prints
 * neither value). On failure each records a CUnit failure whose condition
 * is the whole message, and prints to stderr
 *
 *	FILE:LINE: expected ACTUAL == EXPECTED: got X vs Y
 *
 * with both expressions as written and both values. Each operand is
 * evaluated once. The test goes on after a failure, as CU_ASSERT does.
 */
#define HS_EXPECT_MSG_MAX 512

static inline void hs_expect_report(int ok, const char *file, unsigned int line, const char *msg)
{
	if (!ok)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, file, "", CU_FALSE);
}

/* @a == @b as signed integers (int, long, enum, bool), printed in decimal. */
#define EXPECT_EQ_INT(a, b)                                                                        \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		char m_[HS_EXPECT_MSG_MAX];                                                        \
		snprintf(m_, sizeof(m_), "expected %s == %s: got %lld vs %lld", #a, #b, a_, b_);   \
		hs_expect_report(a_ == b_, __FILE__, __LINE__, m_);                                \
	} while (0)

/* @a == @b as unsigned 64-bit integers (counts, pfns, sizes), in decimal. */
#define EXPECT_EQ_U64(a, b)                                                                        \
	do {                                                                                       \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                   \
		char m_[HS_EXPECT_MSG_MAX];                                                        \
		snprintf(m_, sizeof(m_), "expected %s == %s: got %" PRIu64 " vs %" PRIu64, #a, #b, \
			 a_, b_);                                                                  \
		hs_expect_report(a_ == b_, __FILE__, __LINE__, m_);                                \
	} while (0)

/* @a and @b are equal strings; NULL equals only NULL and prints as (null). */
#define EXPECT_EQ_STR(a, b)                                                                        \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		int ok_ = (a_ && b_) ? strcmp(a_, b_) == 0 : a_ == b_;                             \
		char m_[HS_EXPECT_MSG_MAX];                                                        \
		snprintf(m_, sizeof(m_), "expected %s == %s: got \"%s\" vs \"%s\"", #a, #b,        \
			 a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                  \
		hs_expect_report(ok_, __FILE__, __LINE__, m_);                                     \
	} while (0)

/* @a == @b as pointers, printed with %p. */
#define EXPECT_EQ_PTR(a, b)                                                                        \
	do {                                                                                       \
		const void *a_ = (const void *)(a), *b_ = (const void *)(b);                       \
		char m_[HS_EXPECT_MSG_MAX];                                                        \
		snprintf(m_, sizeof(m_), "expected %s == %s: got %p vs %p", #a, #b, a_, b_);       \
		hs_expect_report(a_ == b_, __FILE__, __LINE__, m_);                                \
	} while (0)

/* Explore @sc; fails the current test on an engine error. */
static inline struct sim_result run(const struct sim_scenario *sc, enum sim_strategy strat,
				    uint64_t iterations, unsigned int preemptions, uint64_t seed)
{
	struct sim_options o = {
	    .strategy = strat,
	    .seed = seed,
	    .iterations = iterations,
	    .dfs_preemptions = preemptions,
	};
	struct sim_result r;
	int ret = sim_explore(sc, &o, &r);
	EXPECT_EQ_INT(ret, 0);
	if (ret)
		fprintf(stderr, "sim_explore(%s): %s\n", sc->name, r.error);
	return r;
}

/* The kind of the first violation, or "" when the run was clean. */
static inline const char *first_kind(const struct sim_result *r)
{
	return r->nr_reports ? r->reports[0].kind : "";
}

#define SCENARIO(nm, fn, ...)                                                                      \
	{                                                                                          \
		.name = nm, .summary = nm, .main = fn, __VA_ARGS__                                 \
	}

#endif
