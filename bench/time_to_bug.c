// SPDX-License-Identifier: MIT
/*
 * time_to_bug: for each catalog entry, the median seconds to the first
 * violation under pct, under random (deterministic engine, 5 seeds each) and
 * on real threads with jitter (hmmsim-native stress, a few runs with a time
 * budget), measured in one run.  The question: how much faster does the
 * explorer find each bug than stress testing on real threads?
 * Last line: one JSON object, one key per entry.
 */
#include <hmmsim/catalog.h>
#include <hmmsim/switches.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEEDS		5
#define NATIVE_RUNS	3
#define NATIVE_BUDGET_S 3.0
#define ENGINE_BUDGET	200000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median seconds to the first violation, or -1 when fewer than half found it. */
static double median(double *v, int n)
{
	int found = 0;
	for (int i = 0; i < n; i++)
		found += v[i] >= 0;
	if (2 * found < n)
		return -1;
	for (int i = 0; i < n; i++)
		if (v[i] < 0)
			v[i] = 1e9; /* not found sorts last */
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double engine_time(const struct hs_catalog_entry *e, enum sim_strategy s, uint64_t seed)
{
	struct sim_options o = {
	    .strategy = s,
	    .seed = seed,
	    .iterations = ENGINE_BUDGET,
	    .dfs_preemptions = e->preemptions ? e->preemptions : 2,
	};
	struct sim_result r;
	if (e->sw)
		hs_switch_set(e->sw, true);
	int ret = sim_explore(e->bug, &o, &r);
	if (e->sw)
		hs_switch_set(e->sw, false);
	/* elapsed includes building the report by replay: small */
	double t = !ret && r.violations_found ? r.elapsed_s : -1;
	sim_result_free(&r);
	return t;
}

static double native_time(const char *native, const struct hs_catalog_entry *e, int run)
{
	char cmd[PATH_MAX + 256];
	const char *sw = e->sw;
	snprintf(cmd, sizeof(cmd),
		 "%s stress %s --threads-jitter --seconds %.1f --seed %d %s%s --json", native,
		 e->bug->name, NATIVE_BUDGET_S, run + 1, sw ? "--switch " : "", sw ? sw : "");
	FILE *p = popen(cmd, "r");
	char line[8192] = "";
	if (!p)
		return -1;
	if (!fgets(line, sizeof(line), p))
		line[0] = 0;
	pclose(p);
	char *v = strstr(line, "\"violations\":[{");
	char *s = v ? strstr(v, "\"seconds\":") : NULL;
	return s ? strtod(s + 10, NULL) : -1;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], native[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 2;
	self[n] = 0;
	snprintf(native, sizeof(native), "%s/../hmmsim-native", dirname(self));
	bool have_native = access(native, X_OK) == 0;

	size_t count;
	const struct hs_catalog_entry *cat = hs_catalog(&count);
	char json[8192];
	size_t off = (size_t)snprintf(json, sizeof(json), "{");

	printf("%-30s %12s %12s %12s %10s\n", "entry", "pct s", "random s", "native s",
	       "native/pct");
	for (size_t i = 0; i < count; i++) {
		const struct hs_catalog_entry *e = &cat[i];
		double p[SEEDS], r[SEEDS], nat[NATIVE_RUNS];
		for (int k = 0; k < SEEDS; k++) {
			p[k] = engine_time(e,
					   e->strategy == SIM_STRATEGY_DFS ? SIM_STRATEGY_DFS
									   : SIM_STRATEGY_PCT,
					   (uint64_t)k + 1);
			r[k] = engine_time(e, SIM_STRATEGY_RANDOM, (uint64_t)k + 1);
		}
		for (int k = 0; k < NATIVE_RUNS; k++)
			nat[k] = have_native ? native_time(native, e, k) : -1;
		double mp = median(p, SEEDS), mr = median(r, SEEDS), mn = median(nat, NATIVE_RUNS);
		char ratio[32];
		if (mp > 0 && mn > 0)
			snprintf(ratio, sizeof(ratio), "%.0fx", mn / mp);
		else if (mp >= 0 && mn < 0)
			snprintf(ratio, sizeof(ratio), "never");
		else
			snprintf(ratio, sizeof(ratio), "-");
		printf("%-30s %12.6f %12.6f %12.6f %10s\n", e->name, mp, mr, mn, ratio);
		off += (size_t)snprintf(
		    json + off, sizeof(json) - off,
		    "%s\"%s\":{\"pct_s\":%.6f,\"random_s\":%.6f,\"native_s\":%.6f}", i ? "," : "",
		    e->name, mp, mr, mn);
	}
	printf("(-1: not found in at least half the runs; engine budget %d executions, native "
	       "budget %.0f s per run%s)\n",
	       ENGINE_BUDGET, NATIVE_BUDGET_S, have_native ? "" : "; hmmsim-native not found");
	printf("%s}\n", json);
	(void)argc;
	(void)argv;
	return 0;
}
