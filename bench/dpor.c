// SPDX-License-Identifier: MIT
/*
 * dpor: how many executions and seconds does dynamic partial-order reduction
 * take against bounded dfs, measured in one run?  For driver-fault-race,
 * p2p-unplug-safe and readers-8: dfs at preemption bounds 1 and 2, dpor at
 * the same bounds, and dpor unbounded (within DPOR_BENCH_BUDGET executions,
 * default 200,000: exhausted or not, with its Knuth estimate), and the
 * reduction factors.  The bounded figures compare like with like; the
 * unbounded one is the answer to "clean under every interleaving".
 * Last line: one JSON object.
 */
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fig {
	uint64_t execs;
	double s;
	bool exhausted;
	double estimate;
};

static struct fig explore(const struct sim_scenario *sc, enum sim_strategy st, int bound,
			  uint64_t budget)
{
	struct sim_options o = {
	    .strategy = st,
	    .iterations = budget,
	    .dfs_preemptions = bound < 0 ? 0 : (unsigned int)bound,
	    .dpor_bounded = bound >= 0,
	};
	struct sim_result r;
	struct fig f = {0};
	if (sim_explore(sc, &o, &r)) {
		fprintf(stderr, "dpor: %s: %s\n", sc->name, r.error);
		exit(1);
	}
	f.execs = r.executions;
	f.s = r.elapsed_s;
	f.exhausted = r.exhausted;
	f.estimate = r.estimated_total;
	if (r.violations_found)
		fprintf(stderr, "dpor: %s: unexpected violation\n", sc->name);
	sim_result_free(&r);
	return f;
}

static const struct sim_scenario *find(const char *name)
{
	const struct sim_scenario *sc = hs_model_scenario_find(name);
	return sc ? sc : sim_litmus_find(name);
}

int main(void)
{
	static const char *const names[] = {"driver-fault-race", "p2p-unplug-safe", "readers-8"};
	const char *env = getenv("DPOR_BENCH_BUDGET");
	uint64_t budget = env ? strtoull(env, NULL, 10) : 200000;
	char json[2048];
	size_t off = 0;

	setvbuf(stdout, NULL, _IOLBF, 0); /* rows as they are measured */
	printf("%-18s %7s %12s %9s %12s %9s %9s\n", "scenario", "bound", "dfs execs", "dfs s",
	       "dpor execs", "dpor s", "reduction");
	for (unsigned int i = 0; i < 3; i++) {
		const struct sim_scenario *sc = find(names[i]);
		struct fig dfs[3], dp[3];
		for (int b = 1; b <= 2; b++) {
			dfs[b] = explore(sc, SIM_STRATEGY_DFS, b, 100000000);
			dp[b] = explore(sc, SIM_STRATEGY_DPOR, b, 100000000);
			printf("%-18s %7d %12llu %9.2f %12llu %9.2f %8.0fx\n", sc->name, b,
			       (unsigned long long)dfs[b].execs, dfs[b].s,
			       (unsigned long long)dp[b].execs, dp[b].s,
			       (double)dfs[b].execs / (double)(dp[b].execs ? dp[b].execs : 1));
		}
		dp[0] = explore(sc, SIM_STRATEGY_DPOR, -1, budget);
		printf("%-18s %7s %12s %9s %12llu %9.2f  %s (estimated total %.3g)\n", sc->name,
		       "none", "-", "-", (unsigned long long)dp[0].execs, dp[0].s,
		       dp[0].exhausted ? "exhausted" : "budget reached", dp[0].estimate);
		char key[64];
		snprintf(key, sizeof(key), "%s", sc->name);
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		off += (size_t)snprintf(
		    json + off, sizeof(json) - off,
		    "%s\"%s_dpor_execs\":%llu,\"%s_dpor_s\":%.3f,\"%s_dpor_exhausted\":%s,"
		    "\"%s_dpor_estimated_total\":%.0f,\"%s_dpor2_execs\":%llu,\"%s_dpor2_s\":%.3f,"
		    "\"%s_dfs2_execs\":%llu,\"%s_dfs2_s\":%.3f,\"%s_dpor1_execs\":%llu,"
		    "\"%s_dfs1_execs\":%llu",
		    i ? "," : "", key, (unsigned long long)dp[0].execs, key, dp[0].s, key,
		    dp[0].exhausted ? "true" : "false", key, dp[0].estimate, key,
		    (unsigned long long)dp[2].execs, key, dp[2].s, key,
		    (unsigned long long)dfs[2].execs, key, dfs[2].s, key,
		    (unsigned long long)dp[1].execs, key, (unsigned long long)dfs[1].execs);
	}
	printf("{%s}\n", json);
	return 0;
}
