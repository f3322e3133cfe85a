// SPDX-License-Identifier: MIT
/*
 * owner suite: the owner-field design lab's qualitative table
 * (docs/owner-semantics.md) with fixed seeds: what each implemented owner
 * policy lets the explorer find in each scenario of model/experiment.c.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/experiment.h>
#include <hmmsim/owner.h>
#include <stdio.h>
#include <string.h>

#define BUDGET 300
#define SEED   1

static const struct sim_scenario *scenario(const char *name)
{
	size_t n;
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(scs[i]->name, name) == 0)
			return scs[i];
	CU_FAIL_FATAL("no such scenario");
	return NULL;
}

/* Run @sc under @policy / @bits; the first violation's kind or "clean". */
static const char *run(const char *sc, enum hs_owner_policy policy, unsigned int bits,
		       bool no_races, struct hs_owner_experiment_result *r)
{
	static char kind[32];
	struct hs_owner_config cfg = {policy, bits};
	int ret = hs_owner_experiment_run(scenario(sc), &cfg, BUDGET, SEED, no_races, r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "\n%s under %s: %s\n", sc, hs_owner_policy_name(policy), r->error);
	snprintf(kind, sizeof(kind), "%s", r->found ? r->kind : "clean");
	return kind;
}

static void test_names(void)
{
	enum hs_owner_policy p;
	for (int i = 0; i < HS_OWNER_NR_POLICIES; i++) {
		CU_ASSERT_EQUAL(hs_owner_policy_parse(hs_owner_policy_name(i), &p), 0);
		CU_ASSERT_EQUAL(p, i);
	}
	CU_ASSERT_EQUAL(hs_owner_policy_parse("no-such-policy", &p), -EINVAL);
	CU_ASSERT_TRUE(hs_owner_policy_implemented(HS_OWNER_REREGISTER));
	CU_ASSERT_FALSE(hs_owner_policy_implemented(HS_OWNER_P2P_CALLBACK));
	CU_ASSERT_EQUAL(hs_owner_policy, HS_OWNER_POINTER); /* the kernel's, by default */

	struct hs_owner_experiment_result r;
	struct hs_owner_config cfg = {HS_OWNER_PEER_GROUP, 32};
	CU_ASSERT_EQUAL(hs_owner_experiment_run(scenario("owner-id-wrap"), &cfg, 1, 1, false, &r),
			-EOPNOTSUPP);
}

/* The sanity scenario has no owner change: clean under every policy. */
static void test_sanity_clean(void)
{
	size_t n;
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&n);
	struct hs_owner_experiment_result r;
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_STRING_EQUAL(
		    run("owner-migrate-munmap", cfgs[i].policy, cfgs[i].id_bits, false, &r),
		    "clean");
		CU_ASSERT_EQUAL(r.executions, BUDGET);
	}
	CU_ASSERT_EQUAL(hs_owner_policy, HS_OWNER_POINTER); /* restored */
	CU_ASSERT_EQUAL(hs_owner_id_bits, 32);
}

/* Pointer: owners are fixed, the change is refused, nothing to find. */
static void test_pointer(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_POINTER, 32, false, &r), "clean");
	CU_ASSERT_EQUAL(r.owner.changes, 0);
	CU_ASSERT_STRING_EQUAL(run("owner-id-wrap", HS_OWNER_POINTER, 32, false, &r), "clean");
}

/* Cluster ids: 4 bits wrap after 16 clusters and a dead cluster's id names
 * a new one; 32 bits do not within the scenario. */
static void test_cluster_id(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-id-wrap", HS_OWNER_CLUSTER_ID, 4, false, &r),
			       "wrong-owner");
	CU_ASSERT_EQUAL(r.executions, 1);
	CU_ASSERT_TRUE(r.owner.ids >= 17);
	CU_ASSERT_STRING_EQUAL(run("owner-id-wrap", HS_OWNER_CLUSTER_ID, 32, false, &r), "clean");
	CU_ASSERT_EQUAL(r.executions, BUDGET);
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_CLUSTER_ID, 4, false, &r),
			       "clean");
	CU_ASSERT_EQUAL(r.owner.changes, 0);
}

/* Mutable in place: the data race, and without the race oracle the device
 * that lost ownership still reaching the memory. */
static void test_mutable(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_MUTABLE, 32, false, &r),
			       "data-race");
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_MUTABLE, 32, true, &r),
			       "wrong-owner");
	CU_ASSERT_TRUE(r.owner.changes > 0);

	/* the race is core mm's: the owner test's plain load of pgmap->owner */
	struct sim_options o = {.strategy = SIM_STRATEGY_PCT, .seed = SEED, .iterations = BUDGET};
	struct sim_result res;
	hs_owner_policy = HS_OWNER_MUTABLE;
	CU_ASSERT_EQUAL(sim_explore(scenario("owner-change-fault"), &o, &res), 0);
	hs_owner_policy = HS_OWNER_POINTER;
	CU_ASSERT_TRUE_FATAL(res.nr_reports > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reports[0].message, "pgmap->owner"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reports[0].message, "hs_pgmap_owner_match"));
	sim_result_free(&res);
}

/* Marked accesses and an invalidation: no race, no wrong owner; it costs
 * one invalidation per change. */
static void test_mutable_marked(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_MUTABLE_MARKED, 32, false, &r),
			       "clean");
	CU_ASSERT_EQUAL(r.executions, BUDGET);
	CU_ASSERT_TRUE(r.owner.changes >= BUDGET);
	CU_ASSERT_EQUAL(r.owner.invalidations, r.owner.changes);
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_MUTABLE_MARKED, 32, true, &r),
			       "clean");
}

/* Reregister: clean, every change evicts and registers a new pagemap. */
static void test_reregister(void)
{
	struct hs_owner_experiment_result r;
	CU_ASSERT_STRING_EQUAL(run("owner-change-fault", HS_OWNER_REREGISTER, 32, false, &r),
			       "clean");
	CU_ASSERT_EQUAL(r.executions, BUDGET);
	CU_ASSERT_TRUE(r.owner.reregisters >= BUDGET);
	CU_ASSERT_TRUE(r.owner.evictions >= r.owner.reregisters);
	CU_ASSERT_EQUAL(r.owner.invalidations, 0);
}

/* Same seed, same table. */
static void test_stable(void)
{
	struct hs_owner_experiment_result a, b;
	run("owner-change-fault", HS_OWNER_MUTABLE_MARKED, 32, false, &a);
	run("owner-change-fault", HS_OWNER_MUTABLE_MARKED, 32, false, &b);
	CU_ASSERT_EQUAL(a.executions, b.executions);
	CU_ASSERT_EQUAL(memcmp(&a.owner, &b.owner, sizeof(a.owner)), 0);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("owner", NULL, NULL);
	CU_add_test(s, "policy names, not-yet policies refused", test_names);
	CU_add_test(s, "sanity scenario clean under every policy", test_sanity_clean);
	CU_add_test(s, "pointer: clean", test_pointer);
	CU_add_test(s, "cluster-id: wrap-around at 4 bits, clean at 32", test_cluster_id);
	CU_add_test(s, "mutable: data race, wrong owner without the race oracle", test_mutable);
	CU_add_test(s, "mutable-marked: no race, one invalidation per change", test_mutable_marked);
	CU_add_test(s, "reregister: clean, evicts and registers again", test_reregister);
	CU_add_test(s, "stable across runs", test_stable);
}
