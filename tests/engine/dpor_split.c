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

/* sim_explore() of @sc with @o, which must run. */
static struct sim_result explore_ok(const struct sim_scenario *sc, const struct sim_options *o)
{
	struct sim_result r;
	int ret = sim_explore(sc, o, &r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "sim_explore(%s): %s\n", sc->name, r.error);
	return r;
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
	if (hs)
		hs->seen = 0;
	return explore_ok(sc, &o);
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

/* Worker @k of 2 of a --jobs run of @sc, its subtrees handed out through @c. */
static struct sim_result run_claims(const struct sim_scenario *sc, uint64_t k,
				    struct sim_split_claims *c, bool keep_going)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR,
	    .iterations = UINT64_MAX,
	    .dpor_split_depth = 2,
	    .shard_index = k,
	    .shard_count = 2,
	    .dpor_claims = c,
	    .dpor_no_probes = true,
	    .keep_going = keep_going,
	};
	return explore_ok(sc, &o);
}

static struct sim_split_claims *claims_new(int prefill)
{
	struct sim_split_claims *c = calloc(1, sizeof(*c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->workers = 2;
	c->lowest_violation = UINT64_MAX;
	for (uint64_t k = 0; prefill >= 0 && k < SIM_SPLIT_CLAIMS; k++)
		c->claimed[k] = prefill == 2 || (int)(k % 2) != prefill;
	return c;
}

static bool same_run(const struct sim_result *a, const struct sim_result *b)
{
	return a->executions == b->executions && a->sleep_blocked == b->sleep_blocked &&
	       a->races == b->races && a->subtrees == b->subtrees && a->nr_items == b->nr_items &&
	       !memcmp(a->items, b->items, a->nr_items * sizeof(*a->items));
}

/*
 * Subtrees handed out as reached (sim_options.dpor_claims, --jobs): with
 * the other worker's subtrees claimed already, a worker runs exactly its
 * static shard; the first worker to run takes every subtree and leaves the
 * second none; none past the lowest violation published; --keep-going
 * ignores the claims (its shards stay in turn).
 */
static void test_claims(void)
{
	const struct sim_scenario *sc = find("p2p-importer-unload");
	struct sim_result st[2], whole;
	uint64_t total = 0;

	for (uint64_t k = 0; k < 2; k++) {
		struct sim_split_claims *c = claims_new((int)k); /* the other's taken */
		struct sim_result r = run_claims(sc, k, c, false);
		st[k] = run_claims(sc, k, NULL, false);
		CU_ASSERT_TRUE(same_run(&r, &st[k]));
		if (!same_run(&r, &st[k]))
			fprintf(
			    stderr,
			    "claims: %llu %llu %llu %llu %zu; in turn: %llu %llu %llu %llu %zu\n",
			    (unsigned long long)r.executions, (unsigned long long)r.sleep_blocked,
			    (unsigned long long)r.races, (unsigned long long)r.subtrees, r.nr_items,
			    (unsigned long long)st[k].executions,
			    (unsigned long long)st[k].sleep_blocked,
			    (unsigned long long)st[k].races, (unsigned long long)st[k].subtrees,
			    st[k].nr_items);
		CU_ASSERT_TRUE(r.exhausted && r.executions > 0);
		total += st[k].executions;
		sim_result_free(&r);
		free(c);
	}
	struct sim_split_claims *c = claims_new(-1);
	whole = run_claims(sc, 0, c, false);
	struct sim_result none = run_claims(sc, 1, c, false);
	CU_ASSERT_EQUAL(whole.executions, total);
	CU_ASSERT_TRUE(whole.exhausted && none.exhausted);
	CU_ASSERT_EQUAL(none.executions, 0);
	CU_ASSERT_EQUAL(none.subtrees, whole.subtrees);
	free(c);
	sim_result_free(&none);

	/* none past a violation in subtree 10 */
	c = claims_new(-1);
	c->lowest_violation = 10;
	struct sim_result low = run_claims(sc, 0, c, false);
	CU_ASSERT_TRUE(low.nr_items > 0 && low.items[low.nr_items - 1].item == 10);
	CU_ASSERT_TRUE(low.executions > 0 && low.executions < whole.executions);
	if (low.nr_items && whole.nr_items > 10) /* the figures up to it are the whole run's */
		CU_ASSERT_EQUAL(low.executions, whole.items[10].executions);
	CU_ASSERT_EQUAL(low.subtrees, whole.subtrees);
	free(c);
	sim_result_free(&low);
	sim_result_free(&whole);

	/* --keep-going: every subtree claimed, the shard runs its own anyway */
	c = claims_new(2);
	struct sim_result kg = run_claims(sc, 1, c, true), ks = run_claims(sc, 1, NULL, true);
	CU_ASSERT_EQUAL(kg.executions, ks.executions);
	CU_ASSERT_TRUE(kg.executions > 0);
	free(c);
	sim_result_free(&kg);
	sim_result_free(&ks);
	sim_result_free(&st[0]);
	sim_result_free(&st[1]);
}

struct drop {
	struct sim_split_claims *c;
	uint64_t at; /* after this many executions, a violation in subtree 0 */
};

static bool drop_at(void *arg, const struct sim_progress *p)
{
	struct drop *d = arg;
	if (p->executions == d->at)
		d->c->lowest_violation = 0;
	return true;
}

/*
 * A worker inside a subtree when another publishes a violation below it
 * stops after its execution: what it ran past the violation is not counted
 * anyway (the merge counts up to the lowest one).
 */
static void test_claims_stop(void)
{
	const struct sim_scenario *sc = find("p2p-importer-unload");
	struct sim_split_claims *c = claims_new(-1);
	struct sim_result whole = run_claims(sc, 0, c, false);
	uint64_t at = 0;
	for (size_t i = 1; i < whole.nr_items && !at; i++)
		if (whole.items[i].executions - whole.items[i - 1].executions >= 3)
			at = whole.items[i - 1].executions + 1; /* the first of a large one */
	CU_ASSERT_TRUE_FATAL(at > 0);
	free(c);
	c = claims_new(-1);
	struct drop d = {c, at};
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR,
	    .iterations = UINT64_MAX,
	    .dpor_split_depth = 2,
	    .shard_index = 0,
	    .shard_count = 2,
	    .dpor_claims = c,
	    .dpor_no_probes = true,
	    .progress = drop_at,
	    .progress_arg = &d,
	};
	struct sim_result r = explore_ok(sc, &o);
	/* the flag is read as the execution after it ends (in the same subtree) */
	CU_ASSERT_EQUAL(r.executions, at + 1);
	CU_ASSERT_FALSE(r.exhausted);
	CU_ASSERT_TRUE(r.nr_items > 0 && r.items[r.nr_items - 1].item > 0);
	free(c);
	sim_result_free(&r);
	sim_result_free(&whole);
}

/* A violation found by a worker is published: the other explores nothing past it. */
static void test_claims_violation(void)
{
	const struct sim_scenario *sc = find("p2p-importer-unload-nowait");
	struct sim_split_claims *c = claims_new(-1);
	struct sim_result a = run_claims(sc, 0, c, false);
	CU_ASSERT_EQUAL(a.violations_found, 1);
	CU_ASSERT_TRUE(a.nr_items > 0);
	if (a.nr_items)
		CU_ASSERT_EQUAL(c->lowest_violation, a.items[a.nr_items - 1].item);
	struct sim_result b = run_claims(sc, 1, c, false);
	CU_ASSERT_EQUAL(b.executions, 0);
	CU_ASSERT_EQUAL(b.violations_found, 0);
	free(c);
	sim_result_free(&a);
	sim_result_free(&b);
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
	CU_add_test(s, "subtrees handed out as reached: each worker's own, none twice",
		    test_claims);
	CU_add_test(s, "subtrees handed out: none past a violation found", test_claims_violation);
	CU_add_test(s, "subtrees handed out: a worker past a violation found stops",
		    test_claims_stop);
}
