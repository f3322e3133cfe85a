// SPDX-License-Identifier: MIT
/*
 * dpor_split suite: the split of the dpor tree behind --jobs and --shard
 * (sim_options.dpor_split_depth).  For every program here, the N shards of a
 * split run (N = 1, 2, 3) together reach exactly the final states of the
 * unsplit run (when it is clean), their executions and sleep-set blocked ones add up to the
 * same totals whatever N (also with the lock-order graph on and
 * --keep-going), every shard ends exhausted, a shard run twice is the same
 * run, and a bug is found whatever N.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

struct hashes {
	uint64_t *h;
	size_t n, cap;
	uint64_t seen; /* executions of the current run: a sleep-set blocked one adds none */
};

static bool collect(void *arg, const struct sim_progress *p)
{
	struct hashes *hs = arg;
	if (p->executions == hs->seen)
		return true; /* cut short: not a final state */
	hs->seen = p->executions;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? 2 * hs->cap : 64;
		hs->h = realloc(hs->h, hs->cap * sizeof(*hs->h));
		if (!hs->h)
			abort();
	}
	hs->h[hs->n++] = p->final_hash;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sort and drop duplicates. */
static void uniq(struct hashes *hs)
{
	size_t k = 0;
	qsort(hs->h, hs->n, sizeof(*hs->h), cmp_u64);
	for (size_t i = 0; i < hs->n; i++)
		if (!k || hs->h[k - 1] != hs->h[i])
			hs->h[k++] = hs->h[i];
	hs->n = k;
}

/* Shard @k of @n (n 0: the unsplit run); its final states appended to @hs. */
static struct sim_result run_split(const struct sim_scenario *sc, uint64_t k, uint64_t n,
				   bool keep_going, struct hashes *hs)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR,
	    .iterations = UINT64_MAX,
	    .dpor_split_depth = n ? 2 : 0,
	    .shard_index = k,
	    .shard_count = n,
	    .keep_going = keep_going,
	    .no_races = true,
	    .no_lockdep = true,
	    .no_might_sleep = true,
	    .final_hashes = hs != NULL,
	    .progress = hs ? collect : NULL,
	    .progress_arg = hs,
	};
	struct sim_result r;
	if (hs)
		hs->seen = 0;
	int ret = sim_explore(sc, &o, &r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "sim_explore(%s): %s\n", sc->name, r.error);
	return r;
}

static const struct sim_scenario *find(const char *name)
{
	const struct sim_scenario *sc = sim_litmus_find(name);
	if (!sc)
		sc = hs_model_scenario_find(name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	return sc;
}

/* The shards of @name, N = 1..3, against the unsplit run. */
static void same_split(const char *name)
{
	const struct sim_scenario *sc = find(name);
	struct hashes plain = {0};
	struct sim_result p = run_split(sc, 0, 0, true, &plain);
	uint64_t execs[4] = {0}, blocked[4] = {0}, viol[4] = {0};

	uniq(&plain);
	CU_ASSERT_TRUE(p.exhausted);
	for (uint64_t n = 1; n <= 3; n++) {
		struct hashes all = {0};
		for (uint64_t k = 0; k < n; k++) {
			struct sim_result r = run_split(sc, k, n, true, &all);
			CU_ASSERT_TRUE(r.exhausted);
			execs[n] += r.executions;
			blocked[n] += r.sleep_blocked;
			viol[n] += r.violations_found;
			sim_result_free(&r);
		}
		uniq(&all);
		/* a failing execution ends where it fails: final states only of clean ones */
		bool same = p.violations_found ||
			    (all.n == plain.n && !memcmp(all.h, plain.h, all.n * sizeof(*all.h)));
		CU_ASSERT_TRUE(same);
		CU_ASSERT_EQUAL(execs[n], execs[1]);
		CU_ASSERT_EQUAL(blocked[n], blocked[1]);
		CU_ASSERT_EQUAL(viol[n], viol[1]);
		CU_ASSERT_EQUAL(viol[n] != 0, p.violations_found != 0);
		if (!same || execs[n] != execs[1] || viol[n] != viol[1])
			fprintf(stderr,
				"%s: %llu shards: %llu executions, %zu final states; unsplit %llu, "
				"%zu; 1 shard: %llu\n",
				name, (unsigned long long)n, (unsigned long long)execs[n], all.n,
				(unsigned long long)p.executions, plain.n,
				(unsigned long long)execs[1]);
		free(all.h);
	}
	free(plain.h);
	sim_result_free(&p);
}

static void test_litmus(void)
{
	static const char *const names[] = {
	    "lost-update", "lost-update-fixed", "seqcount-noretry", "seqcount-noretry-fixed",
	    "abba-fixed",  "livelock-fixed",	"readers-4",	    "lastzero-5",
	    "indexer-12",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		same_split(names[i]);
}

static void test_scenario(void)
{
	same_split("p2p-importer-unload");
}

/* The lock-order graph of a split run spans one subtree (sim_ld_forget()):
 * with it spanning the process's executions, abba --keep-going counted 3
 * executions and 2 violations for N = 1 and 2, 4 and 3 for N = 3. */
static void test_lockdep(void)
{
	const struct sim_scenario *sc = find("abba");
	uint64_t execs[4] = {0}, blocked[4] = {0}, viol[4] = {0};
	for (uint64_t n = 1; n <= 3; n++) {
		for (uint64_t k = 0; k < n; k++) {
			struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
						.iterations = UINT64_MAX,
						.dpor_split_depth = 2,
						.shard_index = k,
						.shard_count = n,
						.keep_going = true};
			struct sim_result r;
			CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), 0);
			CU_ASSERT_TRUE(r.exhausted);
			execs[n] += r.executions;
			blocked[n] += r.sleep_blocked;
			viol[n] += r.violations_found;
			sim_result_free(&r);
		}
		CU_ASSERT_EQUAL(execs[n], execs[1]);
		CU_ASSERT_EQUAL(blocked[n], blocked[1]);
		CU_ASSERT_EQUAL(viol[n], viol[1]);
		if (execs[n] != execs[1] || viol[n] != viol[1])
			fprintf(
			    stderr,
			    "abba: %llu shards: %llu executions, %llu violations; 1: %llu, %llu\n",
			    (unsigned long long)n, (unsigned long long)execs[n],
			    (unsigned long long)viol[n], (unsigned long long)execs[1],
			    (unsigned long long)viol[1]);
	}
	CU_ASSERT_TRUE(viol[1] > 0);
}

/* Without --keep-going each shard stops at its first violation: found whatever N.
 * (A shard other than 0 whose probe rounds find one stops there, shard 0
 * reporting it: sim_options.dpor_probe_budget.) */
static void test_bug_found(void)
{
	static const char *const names[] = {"p2p-importer-unload-nowait", "seqcount-noretry"};
	for (size_t i = 0; i < 2; i++) {
		const struct sim_scenario *sc = find(names[i]);
		for (uint64_t n = 1; n <= 3; n++) {
			uint64_t found = 0;
			for (uint64_t k = 0; k < n; k++) {
				struct sim_result r = run_split(sc, k, n, false, NULL);
				found += r.violations_found;
				CU_ASSERT_TRUE(r.violations_found <= 1);
				CU_ASSERT_TRUE(r.violations_found || r.exhausted ||
					       (k && r.probe_found));
				sim_result_free(&r);
			}
			CU_ASSERT_TRUE(found >= 1);
		}
	}
}

static void test_deterministic(void)
{
	const struct sim_scenario *sc = find("seqcount-noretry-fixed");
	struct hashes a = {0}, b = {0};
	struct sim_result x = run_split(sc, 1, 2, false, &a), y = run_split(sc, 1, 2, false, &b);
	CU_ASSERT_EQUAL(x.executions, y.executions);
	CU_ASSERT_EQUAL(x.sleep_blocked, y.sleep_blocked);
	CU_ASSERT_EQUAL(x.subtrees, y.subtrees);
	CU_ASSERT_TRUE(a.n == b.n && !memcmp(a.h, b.h, a.n * sizeof(*a.h)));
	CU_ASSERT_TRUE(x.executions > 0);
	free(a.h);
	free(b.h);
	sim_result_free(&x);
	sim_result_free(&y);
}

/* A dpor shard without a split depth, and dfs shards, are refused. */
static void test_refused(void)
{
	const struct sim_scenario *sc = find("lost-update-fixed");
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR, .iterations = 10, .shard_index = 0, .shard_count = 2};
	struct sim_result r;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), -EINVAL);
	o.strategy = SIM_STRATEGY_DFS;
	o.dpor_split_depth = 1;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), -EINVAL);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor_split", NULL, NULL);
	CU_add_test(s,
		    "litmus: shards reach the unsplit run's final states, same totals for N=1..3",
		    test_litmus);
	CU_add_test(s, "p2p-importer-unload: the same, split", test_scenario);
	CU_add_test(s, "--keep-going with the lock-order graph: same totals for N=1..3",
		    test_lockdep);
	CU_add_test(s, "a bug is found by some shard whatever N", test_bug_found);
	CU_add_test(s, "a shard run twice is the same run", test_deterministic);
	CU_add_test(s, "a dpor shard needs a split depth; dfs is not sharded", test_refused);
}
