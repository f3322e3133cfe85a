// SPDX-License-Identifier: MIT
/*
 * dpor: how many executions and seconds does dynamic partial-order reduction
 * take against bounded dfs, measured in one run?  For driver-fault-race,
 * p2p-unplug-safe and readers-8: dfs at preemption bounds 1 and 2, dpor at
 * the same bounds, and dpor unbounded (within DPOR_BENCH_BUDGET executions,
 * default 200,000: exhausted or not, with its Knuth estimate), and the
 * reduction factors.  The bounded figures compare like with like (a bounded
 * dpor covers its bound, docs/dpor.md); the unbounded one is the answer to
 * "clean under every interleaving".  dfs and bounded dpor stop at
 * DPOR_BENCH_DFS_CAP executions (default 1,000,000) and say so.
 * Then Knuth's estimate (issue 11 item 7) against the true total on
 * programs that finish: the estimate after 10% and 50% of the run, and the
 * ratio, and the same for two shards of the split tree merged (the sum of
 * their estimates).  Then --jobs 2 (issue 11 item 8): the split tree in one process and
 * in two forked shards at once, wall time side by side with unsplit dpor.
 * Last line: one JSON object.
 */
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The estimates when the run reaches 10% and 50% of its true total: the
 * one shown (est) and the old one, Knuth's averaged (knuth). */
struct est {
	uint64_t total, at[2];
	double est[2], knuth[2];
};

static bool est_progress(void *arg, const struct sim_progress *p)
{
	struct est *x = arg;
	for (int k = 0; k < 2; k++)
		if (!x->at[k] && p->executions >= (k ? x->total / 2 : x->total / 10)) {
			x->at[k] = p->executions;
			x->est[k] = p->estimated_total;
			x->knuth[k] = p->knuth_mean;
		}
	return true;
}

/* The error of @e against @t, as a factor >= 1 (2: off by 2x either way). */
static double off_by(double e, double t)
{
	if (e <= 0 || t <= 0)
		return 0;
	return e > t ? e / t : t / e;
}

static void estimate_row(const struct sim_scenario *sc, char *json, size_t *off, size_t len,
			 double *worst)
{
	struct fig f = explore(sc, SIM_STRATEGY_DPOR, -1, UINT64_MAX);
	struct est x = {.total = f.execs ? f.execs : 1};
	struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
				.iterations = UINT64_MAX,
				.progress = est_progress,
				.dpor_knuth = true,
				.progress_arg = &x};
	struct sim_result r;
	if (sim_explore(sc, &o, &r))
		exit(1);
	sim_result_free(&r);
	double t = (double)x.total;
	printf("%-22s %8llu %10.0f %6.2f %10.0f %6.2f | %12.0f %8.2f %12.0f %8.2f\n", sc->name,
	       (unsigned long long)f.execs, x.est[0], x.est[0] / t, x.est[1], x.est[1] / t,
	       x.knuth[0], x.knuth[0] / t, x.knuth[1], x.knuth[1] / t);
	for (int k = 0; k < 2; k++) {
		if (off_by(x.est[k], t) > worst[0])
			worst[0] = off_by(x.est[k], t);
		if (off_by(x.knuth[k], t) > worst[1])
			worst[1] = off_by(x.knuth[k], t);
	}
	char key[64];
	snprintf(key, sizeof(key), "%s", sc->name);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
	*off += (size_t)snprintf(json + *off, len - *off,
				 "%s\"%s_estimate10_ratio\":%.3f,\"%s_estimate50_ratio\":%.3f"
				 ",\"%s_knuth10_ratio\":%.3f,\"%s_knuth50_ratio\":%.3f",
				 *off ? "," : "", key, x.est[0] / t, key, x.est[1] / t, key,
				 x.knuth[0] / t, key, x.knuth[1] / t);
}

/* Shard @k of @n of @sc's split tree (n 0: unsplit): its executions. */
static uint64_t shard(const struct sim_scenario *sc, uint64_t k, uint64_t n)
{
	struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
				.iterations = UINT64_MAX,
				.dpor_split_depth = n ? 2 : 0,
				.shard_index = k,
				.shard_count = n};
	struct sim_result r;
	if (sim_explore(sc, &o, &r))
		exit(1);
	uint64_t e = r.exhausted ? r.executions : 0;
	sim_result_free(&r);
	return e;
}

/*
 * The estimate of @sc's split tree (split depth 2, total @total) merged from
 * two shards when each has run @pc% of half of it: the sum of the shards'
 * estimates, each of its own share (docs/dpor.md, "How far along is it").
 */
static double shards_estimate(const struct sim_scenario *sc, uint64_t total, unsigned int pc)
{
	double sum = 0;
	for (uint64_t k = 0; k < 2; k++) {
		struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
					.iterations = total * pc / 200 ? total * pc / 200 : 1,
					.dpor_split_depth = 2,
					.shard_index = k,
					.shard_count = 2};
		struct sim_result r;
		if (sim_explore(sc, &o, &r))
			exit(1);
		sum += r.estimated_total;
		sim_result_free(&r);
	}
	return sum;
}

/* A row of the merged estimate's table, and its error in @worst. */
static void shards_row(const struct sim_scenario *sc, char *json, size_t *off, size_t len,
		       double *worst)
{
	uint64_t total = shard(sc, 0, 1);
	double t = total ? (double)total : 1, e[2];
	char key[64];
	for (int k = 0; k < 2; k++) {
		e[k] = shards_estimate(sc, total, k ? 50 : 10);
		if (off_by(e[k], t) > *worst)
			*worst = off_by(e[k], t);
	}
	printf("%-22s %8llu %10.0f %6.2f %10.0f %6.2f\n", sc->name, (unsigned long long)total, e[0],
	       e[0] / t, e[1], e[1] / t);
	snprintf(key, sizeof(key), "%s", sc->name);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
	*off += (size_t)snprintf(json + *off, len - *off,
				 ",\"%s_shards2_estimate10_ratio\":%.3f"
				 ",\"%s_shards2_estimate50_ratio\":%.3f",
				 key, e[0] / t, key, e[1] / t);
}

/* The split tree's two shards in two forked processes at once: wall time. */
static double two_jobs(const struct sim_scenario *sc, uint64_t *execs)
{
	int fds[2][2];
	pid_t pid[2];
	double t0 = now_s();

	fflush(stdout);
	*execs = 0;
	for (int k = 0; k < 2; k++) {
		if (pipe(fds[k]))
			exit(1);
		pid[k] = fork();
		if (pid[k] < 0)
			exit(1);
		if (pid[k] == 0) {
			uint64_t e = shard(sc, (uint64_t)k, 2);
			if (write(fds[k][1], &e, sizeof(e)) != sizeof(e))
				_exit(1);
			_exit(0);
		}
		close(fds[k][1]);
	}
	for (int k = 0; k < 2; k++) {
		uint64_t e = 0;
		if (read(fds[k][0], &e, sizeof(e)) != sizeof(e))
			exit(1);
		close(fds[k][0]);
		waitpid(pid[k], NULL, 0);
		*execs += e;
	}
	return now_s() - t0;
}

static void speedup_row(const struct sim_scenario *sc, char *json, size_t *off, size_t len)
{
	double t0 = now_s();
	uint64_t plain = shard(sc, 0, 0);
	double tp = now_s() - t0;
	t0 = now_s();
	uint64_t one = shard(sc, 0, 1);
	double t1 = now_s() - t0, t2;
	uint64_t two;
	t2 = two_jobs(sc, &two);
	printf("%-22s %9llu %7.2f %9llu %7.2f %9llu %7.2f %7.2fx %7.2fx\n", sc->name,
	       (unsigned long long)plain, tp, (unsigned long long)one, t1, (unsigned long long)two,
	       t2, t1 / t2, tp / t2);
	char key[64];
	snprintf(key, sizeof(key), "%s", sc->name);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
	*off +=
	    (size_t)snprintf(json + *off, len - *off,
			     ",\"%s_jobs1_s\":%.3f,\"%s_jobs2_s\":%.3f,\"%s_jobs2_speedup\":%.2f,"
			     "\"%s_jobs2_vs_unsplit\":%.2f",
			     key, t1, key, t2, key, t1 / t2, key, tp / t2);
}

static const struct sim_scenario *find(const char *name)
{
	const struct sim_scenario *sc = hs_model_scenario_find(name);
	return sc ? sc : sim_litmus_find(name);
}

/* dfs and dpor at bounds 1 and 2, and dpor unbounded within @budget, on @name. */
static void compare_row(const char *name, uint64_t cap, uint64_t budget, char *json, size_t *off,
			size_t len)
{
	const struct sim_scenario *sc = find(name);
	struct fig dfs[3], dp[3];
	for (int b = 1; b <= 2; b++) {
		dfs[b] = explore(sc, SIM_STRATEGY_DFS, b, cap);
		dp[b] = explore(sc, SIM_STRATEGY_DPOR, b, cap);
		printf("%-18s %7d %12llu %9.2f %12llu %9.2f %8.0fx%s%s\n", sc->name, b,
		       (unsigned long long)dfs[b].execs, dfs[b].s, (unsigned long long)dp[b].execs,
		       dp[b].s, (double)dfs[b].execs / (double)(dp[b].execs ? dp[b].execs : 1),
		       dfs[b].exhausted ? "" : "  (dfs NOT exhausted: stopped at its cap)",
		       dp[b].exhausted ? "" : "  (dpor NOT exhausted: stopped at the cap)");
	}
	dp[0] = explore(sc, SIM_STRATEGY_DPOR, -1, budget);
	printf("%-18s %7s %12s %9s %12llu %9.2f  %s (estimated total %.3g)\n", sc->name, "none",
	       "-", "-", (unsigned long long)dp[0].execs, dp[0].s,
	       dp[0].exhausted ? "exhausted" : "budget reached", dp[0].estimate);
	char key[64];
	snprintf(key, sizeof(key), "%s", sc->name);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
	*off += (size_t)snprintf(
	    json + *off, len - *off,
	    "%s\"%s_dpor_execs\":%llu,\"%s_dpor_s\":%.3f,\"%s_dpor_exhausted\":%s,"
	    "\"%s_dpor_estimated_total\":%.0f,\"%s_dpor2_execs\":%llu,\"%s_dpor2_s\":%.3f,"
	    "\"%s_dfs2_execs\":%llu,\"%s_dfs2_s\":%.3f,\"%s_dpor1_execs\":%llu,"
	    "\"%s_dfs1_execs\":%llu",
	    *off ? "," : "", key, (unsigned long long)dp[0].execs, key, dp[0].s, key,
	    dp[0].exhausted ? "true" : "false", key, dp[0].estimate, key,
	    (unsigned long long)dp[2].execs, key, dp[2].s, key, (unsigned long long)dfs[2].execs,
	    key, dfs[2].s, key, (unsigned long long)dp[1].execs, key,
	    (unsigned long long)dfs[1].execs);
	*off += (size_t)snprintf(
	    json + *off, len - *off, ",\"%s_dfs2_exhausted\":%s,\"%s_dpor2_exhausted\":%s", key,
	    dfs[2].exhausted ? "true" : "false", key, dp[2].exhausted ? "true" : "false");
}

int main(void)
{
	static const char *const names[] = {"driver-fault-race", "p2p-unplug-safe", "readers-8"};
	const char *env = getenv("DPOR_BENCH_BUDGET");
	uint64_t budget = env ? strtoull(env, NULL, 10) : 200000;
	const char *cap_env = getenv("DPOR_BENCH_DFS_CAP");
	uint64_t cap = cap_env ? strtoull(cap_env, NULL, 10) : 1000000;
	char json[8192];
	size_t off = 0;

	setvbuf(stdout, NULL, _IOLBF, 0); /* rows as they are measured */
	printf("%-18s %7s %12s %9s %12s %9s %9s\n", "scenario", "bound", "dfs execs", "dfs s",
	       "dpor execs", "dpor s", "reduction");
	const char *only = getenv("DPOR_BENCH_ONLY"); /* "estimate": that part alone */
	bool all = !only || strcmp(only, "estimate") != 0;
	for (unsigned int i = 0; i < 3 && all; i++)
		compare_row(names[i], cap, budget, json, &off, sizeof(json));

	static const char *const fin[] = {
	    "readers-8",	   "lastzero-10",	"indexer-15", "seqcount-noretry-fixed",
	    "p2p-importer-unload", "lost-update-fixed", "readers-13", "lastzero-15"};
	double worst[2] = {1, 1};
	printf("\nThe estimate of the whole tree against the true total (dpor, no bound)\n");
	printf("%-22s %8s %10s %6s %10s %6s | %12s %8s %12s %8s\n", "", "", "estimate", "", "", "",
	       "old (Knuth", "mean)", "", "");
	printf("%-22s %8s %10s %6s %10s %6s | %12s %8s %12s %8s\n", "scenario", "total", "at 10%",
	       "ratio", "at 50%", "ratio", "at 10%", "ratio", "at 50%", "ratio");
	for (unsigned int i = 0; i < sizeof(fin) / sizeof(fin[0]); i++)
		if (find(fin[i]))
			estimate_row(find(fin[i]), json, &off, sizeof(json), worst);
	printf("worst error (a factor either way): estimate %.2fx, old %.0fx\n", worst[0],
	       worst[1]);
	off += (size_t)snprintf(json + off, sizeof(json) - off,
				",\"estimate_worst_error\":%.3f,\"knuth_worst_error\":%.3f",
				worst[0], worst[1]);

	worst[0] = 1;
	printf("\nThe same, two shards of the split tree merged (their estimates summed;"
	       " total: the split tree's)\n");
	printf("%-22s %8s %10s %6s %10s %6s\n", "scenario", "total", "at 10%", "ratio", "at 50%",
	       "ratio");
	for (unsigned int i = 0; i < sizeof(fin) / sizeof(fin[0]); i++)
		if (find(fin[i]))
			shards_row(find(fin[i]), json, &off, sizeof(json), worst);
	printf("worst error (a factor either way): %.2fx\n", worst[0]);
	off += (size_t)snprintf(json + off, sizeof(json) - off,
				",\"shards2_estimate_worst_error\":%.3f", worst[0]);

	static const char *const par[] = {"p2p-importer-unload", "lastzero-10"};
	printf("\n--jobs 2: the split tree (split depth 2) in one process and in two at once\n");
	printf("%-22s %9s %7s %9s %7s %9s %7s %8s %8s\n", "scenario", "unsplit", "s", "jobs 1", "s",
	       "jobs 2", "wall s", "speedup", "vs unsplit");
	for (unsigned int i = 0; i < sizeof(par) / sizeof(par[0]) && all; i++)
		speedup_row(find(par[i]), json, &off, sizeof(json));
	printf("{%s}\n", json);
	return 0;
}
