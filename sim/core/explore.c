// SPDX-License-Identifier: MIT
/*
 * sim_explore(): the outer loop.  Runs executions under a strategy, and for
 * each violation kept for reporting replays its schedule with the trace on,
 * checking that the replay fails the same way (a scenario that does not is
 * nondeterministic, and the run says so rather than print a wrong story).
 */
#include "engine.h"
#include "oracle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const strategy_names[] = {"random", "pct", "dfs", "replay", "dpor"};
#define NR_STRATEGIES 5

const char *sim_strategy_name(enum sim_strategy s)
{
	return (unsigned int)s < NR_STRATEGIES ? strategy_names[s] : "?";
}

int sim_strategy_parse(const char *name, enum sim_strategy *out)
{
	for (unsigned int i = 0; i < NR_STRATEGIES; i++)
		if (strcmp(name, strategy_names[i]) == 0) {
			*out = (enum sim_strategy)i;
			return 0;
		}
	return -EINVAL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/*
 * Replay @tok with the trace on.  Return: 0 and the report when it fails,
 * -EINVAL when the token does not belong to @sc, -EIO when it does not fail.
 */
static int replay_traced(const struct sim_scenario *sc, const char *tok,
			 const struct sim_options *opt, struct sim_violation *v, char *err,
			 size_t errlen)
{
	struct sim_engine *e = &sim_eng;
	struct sim_replay_state rs = {0};
	struct sim_choice *choices;
	uint32_t hash;
	int ret = sim_token_decode(tok, &hash, &rs.total_cp, &choices, &rs.n, err, errlen);

	if (ret)
		return ret;
	if (hash != sim_scenario_hash(sc->name)) {
		free(choices);
		snprintf(err, errlen, "schedule token belongs to another scenario, not '%s'",
			 sc->name);
		return -EINVAL;
	}
	rs.choices = choices;
	sim_engine_setup(sc, &sim_replay_ops, &rs, opt->step_bound);
	sim_trace_clear();
	e->tracing = true;
	sim_run_execution(0);
	e->tracing = false;
	free(choices);

	if (e->failed && strcmp(e->fail_kind, SIM_KIND_ENGINE) == 0 && e->replay_mismatch) {
		snprintf(err, errlen, "%s", e->mismatch_msg);
		return -EINVAL;
	}
	if (!e->replay_mismatch && rs.idx != rs.n) {
		snprintf(err, errlen,
			 "the schedule does not fit this scenario: the execution ended before "
			 "its choice %zu",
			 rs.idx);
		return -EINVAL;
	}
	/* a token records every choice point of its execution: one that ends
	 * sooner is another execution (a token made by hand, or edited), unless
	 * a lower --step-bound than the run's ended it */
	if (!e->replay_mismatch && e->choice_points < rs.total_cp && e->steps <= e->step_bound) {
		snprintf(err, errlen,
			 "the schedule does not fit this scenario: it has %llu choice points, the "
			 "execution ended after %llu",
			 (unsigned long long)rs.total_cp, (unsigned long long)e->choice_points);
		return -EINVAL;
	}
	if (!e->failed) {
		snprintf(err, errlen, "the schedule replays without a violation");
		return -EIO;
	}
	snprintf(v->kind, sizeof(v->kind), "%.31s", e->fail_kind);
	v->message = xstrdup(e->fail_msg);
	v->steps = e->steps;
	v->schedule = xstrdup(tok);
	v->report = sim_trace_report(opt->brief, opt->sites, opt->width);
	v->trace_json = sim_trace_chrome(v->kind, v->message);
	v->nfacts = e->nfacts;
	v->facts = e->nfacts ? calloc(e->nfacts, sizeof(*v->facts)) : NULL;
	if (e->nfacts && !v->facts)
		sim_oom("the facts of a report");
	for (unsigned int i = 0; i < e->nfacts; i++)
		v->facts[i] = xstrdup(e->facts[i]);
	v->preemptions = e->preemptions;
	v->choices = rs.n;
	sim_trace_clear();
	return 0;
}

/* ---- dpor's self-check ------------------------------------------------------ */

#define POR_CHECK_MAX_RUNS 3000

/* Run @seq (a thread per event), with the race profile's labels when @labels;
 * *ran: it ran through, *h its hash (or the event where it could not go on,
 * with 1 << 63).  Return: the follow state, for the caller to free. */
static struct sim_dpor_state *follow_keep(const struct sim_scenario *sc,
					  const struct sim_options *opt,
					  const struct sim_dpor_state *d, const int *seq, size_t n,
					  bool labels, uint64_t *h, bool *ran)
{
	struct sim_dpor_state *f = sim_dpor_follow(d, seq, n);
	if (labels)
		sim_dpor_profile_on(f);
	sim_engine_setup(sc, &sim_dpor_ops, f, opt->step_bound);
	sim_run_execution(0);
	size_t at = sim_dpor_diverged(f);
	bool ok = !sim_eng.abandoned && at == SIZE_MAX;
	*h = ok ? sim_eng.final_hash : (1ull << 63) | at;
	*ran = ok;
	return f;
}

/* follow_keep() without labels; Return: true when it ran through. */
static bool follow_run(const struct sim_scenario *sc, const struct sim_options *opt,
		       const struct sim_dpor_state *d, const int *seq, size_t n, uint64_t *h)
{
	bool ok;
	sim_dpor_free(follow_keep(sc, opt, d, seq, n, false, h, &ok));
	return ok;
}

/*
 * Walk from the execution's own order @cur to @target by swapping adjacent
 * events; the first swap that changes the final state names the pair.
 */
static void por_diagnose(const struct sim_scenario *sc, const struct sim_options *opt,
			 const struct sim_dpor_state *d, int *cur, const int *target, size_t n,
			 uint64_t h0, char *msg, size_t len)
{
	size_t *evid = malloc((n + 1) * sizeof(*evid)), *want = malloc((n + 1) * sizeof(*want));
	uint32_t seen[SIM_MAX_THREADS] = {0};
	unsigned int runs = 0;

	if (!evid || !want)
		abort();
	for (size_t k = 0; k < n; k++)
		evid[k] = k;
	for (size_t k = 0; k < n; k++) { /* target's k-th event: the thread's seen-th */
		uint32_t c = 0;
		for (size_t j = 0; j < n; j++)
			if (cur[j] == target[k] && c++ == seen[target[k]]) {
				want[k] = j;
				break;
			}
		seen[target[k]]++;
	}
	for (size_t k = 0; k < n && runs < POR_CHECK_MAX_RUNS; k++) {
		size_t m = k;
		while (evid[m] != want[k])
			m++;
		for (; m > k && runs < POR_CHECK_MAX_RUNS; m--, runs++) {
			int t = cur[m - 1];
			size_t x = evid[m - 1];
			cur[m - 1] = cur[m];
			evid[m - 1] = evid[m];
			cur[m] = t;
			evid[m] = x;
			uint64_t h;
			bool ran = follow_run(sc, opt, d, cur, n, &h);
			if (ran && h == h0)
				continue;
			char a[96], b[96], how[64];
			sim_dpor_describe(d, evid[m - 1], a, sizeof(a));
			sim_dpor_describe(d, evid[m], b, sizeof(b));
			if (ran)
				snprintf(how, sizeof(how), "changes the final state");
			else
				snprintf(how, sizeof(how), "cannot run past event %llu",
					 (unsigned long long)(h & ~(1ull << 63)));
			snprintf(msg, len,
				 "dpor self-check: %s and %s are independent for dpor, but running "
				 "them the other way round %s: an access that neither announces "
				 "(annotate it)",
				 b, a, how);
			free(evid);
			free(want);
			return;
		}
	}
	snprintf(msg, len,
		 "dpor self-check: another linearization of the execution's partial order "
		 "ends in another state (no single swap found within %u runs)",
		 POR_CHECK_MAX_RUNS);
	free(evid);
	free(want);
}

/* Return: true, and @msg, when a linearization of the last execution differs. */
static bool por_check(const struct sim_scenario *sc, const struct sim_options *opt,
		      const struct sim_dpor_state *d, uint64_t h0, char *msg, size_t len)
{
	int *orig;
	size_t n = sim_dpor_events(d, &orig);
	bool bad = false;

	for (int variant = 0; variant < SIM_DPOR_VARIANTS && !bad; variant++) {
		int *seq;
		uint64_t h;
		size_t m = sim_dpor_linearize(d, variant, &seq);
		if (m == SIZE_MAX) {
			free(seq); /* this variant's order got stuck, nothing to run */
			continue;
		}
		bool ran;
		struct sim_dpor_state *f = follow_keep(sc, opt, d, seq, m, false, &h, &ran);
		if (ran && h == h0 && sim_dpor_footprint_check(d, f, NULL, 0)) {
			/* the verdict: both orders followed alike, with labels */
			uint64_t h1;
			bool ran1;
			struct sim_dpor_state *o =
			    follow_keep(sc, opt, d, orig, n, true, &h1, &ran1);
			sim_dpor_free(f);
			f = follow_keep(sc, opt, d, seq, m, true, &h1, &ran1);
			bad = sim_dpor_footprint_check(o, f, msg, len);
			sim_dpor_free(o);
		}
		sim_dpor_free(f);
		if ((ran && h == h0) || bad) {
			free(seq);
			continue;
		}
		por_diagnose(sc, opt, d, orig, seq, m == n ? n : 0, h0, msg, len);
		bad = true;
		free(seq);
	}
	free(orig);
	return bad;
}

/* Where a self-check report points: an execution's token and figures. */
struct por_where {
	char *tok;
	uint64_t steps, preemptions;
	size_t nrec;
};

static struct por_where por_where_now(const struct sim_scenario *sc)
{
	const struct sim_engine *e = &sim_eng;
	return (struct por_where){
	    .tok = sim_token_encode(sim_scenario_hash(sc->name), e->choice_points, e->rec, e->nrec),
	    .steps = e->steps,
	    .preemptions = e->preemptions,
	    .nrec = e->nrec};
}

/*
 * The self-check of a sleep-set-blocked execution: each thread asleep where
 * it was cut runs its next event after the execution's, and the run goes on
 * to its end (a follow run with the race profile's labels, for the report).
 * Return: true, @msg, and in @w the follow run's token, which replays where
 * the cut execution's would not, when one depends on an event it slept
 * across (sim_dpor_sleeper_check()).
 */
static bool por_sleepers(const struct sim_scenario *sc, const struct sim_options *opt,
			 const struct sim_dpor_state *d, char *msg, size_t len, struct por_where *w)
{
	uint64_t asleep = sim_dpor_cut_asleep(d);
	int *seq;
	size_t n = sim_dpor_events(d, &seq); /* room for one more */
	bool bad = false;

	for (; asleep && !bad; asleep &= asleep - 1) {
		seq[n] = __builtin_ctzll(asleep);
		struct sim_dpor_state *f = sim_dpor_follow(d, seq, n + 1);
		sim_dpor_follow_on(f);
		sim_dpor_profile_on(f);
		sim_engine_setup(sc, &sim_dpor_ops, f, opt->step_bound);
		sim_run_execution(0);
		bad = sim_dpor_sleeper_check(d, f, seq[n], msg, len);
		if (bad) {
			free(w->tok);
			*w = por_where_now(sc);
		}
		sim_dpor_free(f);
	}
	free(seq);
	return bad;
}

/* dpor's estimates of the whole tree: the one shown, and the old one (@old). */
static double dpor_estimate(const struct sim_dpor_state *s, double *old)
{
	struct sim_dpor_stats st;
	*old = 0;
	if (!s)
		return 0;
	sim_dpor_stats(s, &st);
	*old = st.knuth_mean;
	return st.estimate;
}

/* Tell opt->progress about execution @i; Return: false to end the run. */
static bool explore_progress(const struct sim_options *opt, const struct sim_result *res,
			     const struct sim_dpor_state *dpor, uint64_t base, uint64_t i,
			     uint64_t sched_hash)
{
	struct sim_progress p = {.execution = i,
				 .executions = res->executions,
				 .violations_found = res->violations_found,
				 .final_hash = sim_eng.final_hash,
				 .schedule_hash = sched_hash};
	if (!opt->progress)
		return true;
	p.estimated_total = dpor_estimate(dpor, &p.knuth_mean);
	if (p.estimated_total > 0) /* --deepen: the rounds before, and this one's tree */
		p.estimated_total += (double)base;
	return opt->progress(opt->progress_arg, &p);
}

/*
 * A split run without keep_going: the run's figures after this execution,
 * under its subtree (sim_result.items).  Merged shards and --jobs add them
 * up to the subtree of the first violation, as one process runs them.  A
 * --jobs worker's violation (@failed) is published to the others (no
 * subtree past it is taken).  Return: true when the run ends here, another
 * worker having found one below this subtree.
 */
static bool split_item_note(const struct sim_options *opt, struct sim_result *res,
			    const struct sim_dpor_state *dpor, bool failed)
{
	uint64_t k = dpor ? sim_dpor_item(dpor) : SIM_NO_ITEM;
	size_t n = res->nr_items;
	struct sim_dpor_stats st;

	if (k == SIM_NO_ITEM || opt->keep_going)
		return false;
	if (failed)
		sim_dpor_claims_violation(dpor);
	if (!n || res->items[n - 1].item != k) {
		if (!n || (n >= 16 && !(n & (n - 1)))) { /* none yet, or full */
			res->items = realloc(res->items, (n ? 2 * n : 16) * sizeof(*res->items));
			if (!res->items)
				abort();
		}
		n = ++res->nr_items;
	}
	sim_dpor_stats(dpor, &st);
	res->items[n - 1] = (struct sim_split_item){.item = k,
						    .executions = res->executions,
						    .sleep_blocked = st.sleep_blocked,
						    .races = st.races,
						    .unfair_cut = res->unfair_cut,
						    .max_depth = st.max_depth};
	return sim_dpor_claims_past(dpor);
}

/* The self-check of execution @i (of its sleepers, when it was sleep-set
 * blocked), a report when it fails. */
static bool por_self_check(const struct sim_scenario *sc, const struct sim_options *opt,
			   struct sim_dpor_state *dpor, uint64_t i, struct sim_result *res)
{
	struct sim_engine *e = &sim_eng;
	char msg[512];
	uint64_t h0 = e->final_hash;
	struct por_where w = por_where_now(sc);
	bool cut = e->abandoned;
	bool bad = cut ? por_sleepers(sc, opt, dpor, msg, sizeof(msg), &w)
		       : por_check(sc, opt, dpor, h0, msg, sizeof(msg));

	sim_engine_setup(sc, &sim_dpor_ops, dpor, opt->step_bound);
	e->abandoned = cut; /* the estimate counts it as cut */
	if (bad && res->nr_reports < (opt->max_reports ? opt->max_reports : 1)) {
		struct sim_violation *v = &res->reports[res->nr_reports++];
		snprintf(v->kind, sizeof(v->kind), "%s", SIM_KIND_POR_CHECK);
		v->message = xstrdup(msg);
		v->report = xstrdup("");
		v->schedule = w.tok;
		v->execution = i;
		v->steps = w.steps;
		v->preemptions = w.preemptions;
		v->choices = w.nrec;
		return true;
	}
	free(w.tok);
	return bad;
}

/* Execution @i, the first cut as unfair: what starved, for the summary. */
static void unfair_note(struct sim_result *res, uint64_t i)
{
	const struct sim_engine *e = &sim_eng;
	res->unfair_execution = i;
	snprintf(res->unfair_msg, sizeof(res->unfair_msg),
		 "T%d %s could run and did not run for %llu of its %llu scheduling points "
		 "(from step %llu)",
		 e->starved, e->threads[e->starved].name, (unsigned long long)e->starved_for,
		 (unsigned long long)e->steps, (unsigned long long)e->starved_at);
}

/* sim_explore() of a replay: one execution, the token's, with its report. */
static int explore_replay(const struct sim_scenario *sc, const struct sim_options *opt,
			  struct sim_result *res, double t0)
{
	int ret;

	if (!opt->schedule) {
		snprintf(res->error, sizeof(res->error), "replay needs a schedule token");
		return -EINVAL;
	}
	res->reports = calloc(1, sizeof(*res->reports));
	if (!res->reports)
		abort();
	/* A lock-order cycle whose other half an earlier execution of
	 * the exploring run recorded does not close here: the graph
	 * starts empty. */
	sim_ora_run_begin(opt);
	ret =
	    replay_traced(sc, opt->schedule, opt, &res->reports[0], res->error, sizeof(res->error));
	sim_ora_run_end();
	res->executions = 1;
	res->elapsed_s = now_s() - t0;
	if (ret == -EIO) { /* a clean replay is a result, not an error */
		res->error[0] = 0;
		if (opt->clean_trace) { /* replay_traced() left its trace */
			res->clean_trace_json = sim_trace_chrome(NULL, NULL);
			res->clean_schedule = xstrdup(opt->schedule);
		}
		sim_trace_clear();
		if (sim_eng.unfair) {
			res->unfair_cut = 1;
			unfair_note(res, 0);
		}
		return 0;
	}
	if (ret)
		return ret;
	res->nr_reports = 1;
	res->violations_found = 1;
	return 0;
}

/*
 * Execution @i of sim_explore() failed: its report, by replaying its token
 * with the trace on, as res->reports[res->nr_reports].  Return: 0, or -EIO
 * when the replay does not fail the same way (res->error says how).
 */
static int explore_report(const struct sim_scenario *sc, const struct sim_options *opt,
			  struct sim_result *res, uint64_t i)
{
	struct sim_engine *e = &sim_eng;
	int ret;

	struct sim_violation *v = &res->reports[res->nr_reports];
	char *tok =
	    sim_token_encode(sim_scenario_hash(sc->name), e->choice_points, e->rec, e->nrec);
	char kind[32], msg[512];
	uint64_t steps = e->steps;
	snprintf(kind, sizeof(kind), "%.31s", e->fail_kind);
	snprintf(msg, sizeof(msg), "%.511s", e->fail_msg);
	/* The lock-order graph as it was when execution i
	 * began: the replay adds i's edges again, and closes
	 * the same cycle at the same step. */
	sim_ld_rollback();
	ret = replay_traced(sc, tok, opt, v, res->error, sizeof(res->error));
	free(tok);
	if (!ret && (strcmp(v->kind, kind) || strcmp(v->message, msg) || v->steps != steps)) {
		snprintf(res->error, sizeof(res->error),
			 "nondeterministic scenario: execution %llu failed "
			 "with '%.80s' but its replay with '%.80s'",
			 (unsigned long long)i, msg, v->message);
		ret = -EIO;
	}
	if (ret)
		return ret == -EINVAL ? -EIO : ret; /* our own token: engine bug */
	v->execution = i;
	res->nr_reports++;
	return 0;
}

/* ---- dpor's probe rounds ---------------------------------------------------- */

/*
 * One probe round: dpor bounded to @bound preemptions, at most @budget
 * executions, the oracles afresh (the unbounded run's lock-order graph does
 * not see its edges).  A violation is reported as the main loop does, its
 * execution index the round's own; not by a shard other than 0 (@report
 * false), which runs the same probes and stops there too.  Return: 1 when
 * it found one, 0 when not (*whole: the round explored its tree without
 * leaving anything out for the bound, so it was the unbounded tree), or a
 * negative errno.
 */
static int dpor_probe_round(const struct sim_scenario *sc, const struct sim_options *opt,
			    unsigned int bound, uint64_t budget, bool report,
			    struct sim_result *res, bool *whole)
{
	struct sim_engine *e = &sim_eng;
	struct sim_dpor_state *d = sim_dpor_new(bound, false);
	struct sim_dpor_stats st;
	bool more = true;
	int ret = 0;

	sim_ora_run_begin(opt);
	sim_engine_setup(sc, &sim_dpor_ops, d, opt->step_bound);
	for (uint64_t i = 0; i < budget && more && !ret; i++) {
		sim_run_execution(i);
		res->probe_executions++;
		if (e->failed && !e->replay_mismatch) {
			res->probe_found = true;
			res->probe_bound = bound;
			res->violations_found += report;
			ret = report ? explore_report(sc, opt, res, i) : 0;
			ret = ret ? ret : 1;
			break;
		}
		more = !e->replay_mismatch && sim_dpor_ops.end(e);
		if (e->replay_mismatch) {
			snprintf(res->error, sizeof(res->error), "%s", e->mismatch_msg);
			ret = -EIO;
		}
	}
	sim_dpor_stats(d, &st);
	*whole = !more && !ret && !st.cut;
	sim_ora_run_end();
	sim_dpor_free(d);
	return ret;
}

/*
 * dpor without a bound: the probe rounds first (sim_options.dpor_probe_budget).
 * Every shard runs them (a split run's workers stop at once on a bug near
 * the root); shard 0 alone reports what they find, so that merged shards
 * count it once.  Return: 1 when one found a violation (in @res), 0, or a
 * negative errno.
 */
static int dpor_probes(const struct sim_scenario *sc, const struct sim_options *opt,
		       struct sim_result *res)
{
	uint64_t budget = opt->dpor_probe_budget ? opt->dpor_probe_budget : SIM_DPOR_PROBE_BUDGET;
	bool whole = false;
	int ret = 0;

	if (opt->strategy != SIM_STRATEGY_DPOR || opt->dpor_bounded || opt->dpor_deepen ||
	    opt->dpor_no_probes || opt->por_check || opt->keep_going)
		return 0;
	if (budget > opt->iterations)
		budget = opt->iterations;
	for (unsigned int b = 0; b < SIM_DPOR_PROBE_ROUNDS && !ret && !whole; b++)
		ret = dpor_probe_round(sc, opt, b, budget,
				       opt->shard_count < 2 || !opt->shard_index, res, &whole);
	return ret;
}

/*
 * PCT's k: the steps of one non-preemptive execution (a DFS first run),
 * oracles off: it is not part of the exploration, and k stays the length of
 * the whole execution.
 */
static uint64_t pct_calibrate(const struct sim_scenario *sc, const struct sim_options *opt)
{
	struct sim_engine *e = &sim_eng;
	struct sim_dfs_state cal;
	uint64_t k;

	sim_dfs_init(&cal, 0, true);
	sim_engine_setup(sc, &sim_dfs_ops, &cal, opt->step_bound);
	sim_ora_suspend(true);
	sim_run_execution(0);
	sim_ora_suspend(false);
	k = e->steps ? e->steps : 1;
	sim_dfs_free(&cal);
	return k;
}

/* The execution a clean run's trace shows (sim_options.clean_trace). */
struct clean_pick {
	struct sim_choice *rec;
	size_t n, cap;
	uint64_t total_cp, index;
	bool have;
};

/* Keep execution @i's schedule when it is the one to trace. */
static void clean_keep(struct clean_pick *p, const struct sim_options *opt, uint64_t i)
{
	const struct sim_engine *e = &sim_eng;

	if (!opt->clean_trace || e->abandoned || e->failed ||
	    (opt->trace_execution_set && i != opt->trace_execution))
		return;
	if (e->nrec > p->cap) {
		p->cap = e->nrec;
		p->rec = realloc(p->rec, p->cap * sizeof(*p->rec));
		if (!p->rec)
			sim_oom("the schedule of the execution to trace");
	}
	if (e->nrec)
		memcpy(p->rec, e->rec, e->nrec * sizeof(*p->rec));
	p->n = e->nrec;
	p->total_cp = e->choice_points;
	p->index = i;
	p->have = true;
}

/* Replay the kept schedule with the trace on: res->clean_trace_json. */
static void clean_trace(const struct sim_scenario *sc, const struct sim_options *opt,
			struct clean_pick *p, int ret, struct sim_result *res)
{
	struct sim_engine *e = &sim_eng;
	struct sim_replay_state rs = {.choices = p->rec, .n = p->n, .total_cp = p->total_cp};

	if (p->have && !ret && !res->violations_found) {
		sim_ora_run_begin(opt);
		sim_engine_setup(sc, &sim_replay_ops, &rs, opt->step_bound);
		sim_trace_clear();
		e->tracing = true;
		sim_run_execution(0);
		e->tracing = false;
		sim_ora_run_end();
		res->clean_trace_json = sim_trace_chrome(NULL, NULL);
		res->clean_schedule =
		    sim_token_encode(sim_scenario_hash(sc->name), p->total_cp, p->rec, p->n);
		res->clean_execution = p->index;
		sim_trace_clear();
	}
	free(p->rec);
}

/* The end of a dpor tree: its figures into @res, and its state freed;
 * @base: the executions of the rounds before it (--deepen), which its
 * estimate adds to. */
static void explore_dpor_done(struct sim_dpor_state *dpor, struct sim_result *res, uint64_t base)
{
	struct sim_dpor_stats st;

	sim_dpor_stats(dpor, &st);
	/* (--deepen's rounds cover a bound: no sleep sets, none blocked) */
	res->sleep_blocked = st.sleep_blocked;
	res->races += st.races; /* (with --deepen, of every round) */
	if (res->max_depth < st.max_depth)
		res->max_depth = st.max_depth;
	if (res->dpor_bytes < st.bookkeeping)
		res->dpor_bytes = st.bookkeeping;
	res->estimated_total =
	    res->exhausted ? (double)res->executions : (double)base + st.estimate;
	res->subtrees = sim_dpor_subtrees(dpor);
	res->whole_tree = !st.cut;
	if (res->race_profiled)
		res->nr_race_pairs = sim_dpor_profile(dpor, &res->race_pairs, &res->race_other);
	sim_dpor_free(dpor);
}

/* The strategy and shard options of @opt: false, or true with @res->error set. */
static bool bad_options(const struct sim_options *opt, struct sim_result *res)
{
	bool split = opt->strategy == SIM_STRATEGY_DPOR && opt->dpor_split_depth;

	if ((unsigned int)opt->strategy >= NR_STRATEGIES) {
		snprintf(res->error, sizeof(res->error), "unknown strategy");
		return true;
	}
	if (opt->shard_count > 1 &&
	    (opt->strategy == SIM_STRATEGY_DFS || opt->shard_index >= opt->shard_count)) {
		snprintf(res->error, sizeof(res->error),
			 opt->strategy == SIM_STRATEGY_DFS
			     ? "sharding works with the random, pct and dpor strategies, not dfs"
			     : "shard index must be below the shard count");
		return true;
	}
	if (opt->shard_count > 1 && opt->strategy == SIM_STRATEGY_DPOR && !split) {
		snprintf(res->error, sizeof(res->error), "a dpor shard needs a split depth");
		return true;
	}
	if (opt->dpor_deepen && (opt->strategy != SIM_STRATEGY_DPOR || split ||
				 opt->shard_count > 1 || opt->keep_going || opt->race_profile)) {
		snprintf(res->error, sizeof(res->error), "%s",
			 opt->strategy != SIM_STRATEGY_DPOR ? "--deepen works with --strategy dpor"
			 : opt->keep_going
			     ? "--deepen stops at the first violation (each round runs the "
			       "last one's classes again): not with --keep-going"
			 : opt->race_profile
			     ? "--race-profile profiles one tree: not with --deepen"
			     : "--deepen explores one tree per round: not with a split or a "
			       "shard (hmmsim explore --jobs splits each round)");
		return true;
	}
	if (opt->pct_depth > 16) {
		snprintf(res->error, sizeof(res->error), "PCT depth must be 1..16");
		return true;
	}
	return false;
}

/*
 * --deepen: the round of bound res->bound_in_progress explored its tree.
 * When it left something out for its bound and opt's bound (if any) allows
 * the next, its figures go into @res, *@base becomes the executions so far
 * and *@dpor the round of the next bound: true.  Else false, and the run
 * ends there: every bound up to this one covered, and the tree the
 * unbounded one when nothing was left out (res->whole_tree).
 */
static bool deepen_next(const struct sim_scenario *sc, const struct sim_options *opt,
			struct sim_dpor_state **dpor, struct sim_result *res, uint64_t *base)
{
	struct sim_dpor_stats st;
	unsigned int b = res->bound_in_progress;

	sim_dpor_stats(*dpor, &st);
	if (!res->unfair_cut) /* else not covered, nor any bound after it */
		res->bound_completed = (int)b;
	res->whole_tree = !st.cut;
	if (!st.cut || (opt->dpor_bounded && b >= opt->dfs_preemptions))
		return false;
	explore_dpor_done(*dpor, res, *base);
	*base = res->executions;
	*dpor = sim_dpor_new(b + 1, !opt->dpor_probe_bound);
	sim_dpor_knuth_on(*dpor, opt->dpor_knuth);
	res->bound_in_progress = b + 1;
	sim_engine_setup(sc, &sim_dpor_ops, *dpor, opt->step_bound);
	return true;
}

/* dpor's state for @opt: its bound, and its split (--jobs, --shard). */
static struct sim_dpor_state *dpor_start(const struct sim_options *opt)
{
	struct sim_dpor_state *d = sim_dpor_new(opt->dpor_deepen    ? 0
						: opt->dpor_bounded ? opt->dfs_preemptions
								    : UINT32_MAX,
						!opt->dpor_probe_bound);
	if (opt->dpor_split_depth)
		sim_dpor_split(d, opt->dpor_split_depth, opt->shard_index, opt->shard_count);
	if (!opt->keep_going) /* --keep-going hands them out in turn */
		sim_dpor_claims(d, opt->dpor_claims);
	if (opt->race_profile)
		sim_dpor_profile_on(d);
	sim_dpor_knuth_on(d, opt->dpor_knuth);
	return d;
}

/* dfs's rounds into @res: no bound covered from the one an execution was
 * first cut as unfair in. */
static void dfs_done(const struct sim_dfs_state *dfs, struct sim_result *res)
{
	res->bound_completed = dfs->completed;
	res->bound_in_progress = dfs->round;
	if (res->unfair_cut && res->bound_completed >= (int)res->unfair_round)
		res->bound_completed = (int)res->unfair_round - 1;
}

/* Execution @i of the round of bound @round (dfs, --deepen) ran: counted,
 * with its coverage; Return: its schedule's hash (0: abandoned). */
static uint64_t explore_count(const struct sim_options *opt, struct sim_result *res,
			      struct clean_pick *pick, uint64_t i, unsigned int round)
{
	if (sim_eng.abandoned) {
		res->sleep_blocked++;
		return 0;
	}
	if (sim_eng.unfair && !res->unfair_cut++) {
		unfair_note(res, i);
		res->unfair_round = round;
	}
	res->executions++;
	clean_keep(pick, opt, i);
	return sim_cov_exec_done(&sim_eng, &res->coverage);
}

/* The options sim_explore() runs with: @opt, or for the self-check a copy in
 * @checked without the other oracles; NULL with @res->error set when refused. */
static const struct sim_options *
explore_options(const struct sim_options *opt, struct sim_options *checked, struct sim_result *res)
{
	if (opt->por_check) {
		if (opt->strategy != SIM_STRATEGY_DPOR) {
			snprintf(res->error, sizeof(res->error),
				 "the self-check needs --strategy dpor");
			return NULL;
		}
		*checked = *opt;
		checked->no_races = checked->no_lockdep = checked->no_might_sleep = true;
		opt = checked;
	}
	return bad_options(opt, res) ? NULL : opt;
}

int sim_explore(const struct sim_scenario *sc, const struct sim_options *opt,
		struct sim_result *res)
{
	struct sim_engine *e = &sim_eng;
	struct sim_random_state rnd = {.seed = opt->seed};
	struct sim_pct_state pct = {.seed = opt->seed};
	struct sim_dfs_state dfs;
	struct sim_dpor_state *dpor = NULL;
	uint64_t base = 0; /* --deepen: the executions of the rounds before */
	struct clean_pick pick = {0};
	const struct sim_strategy_ops *ops;
	void *state;
	unsigned int max_reports = opt->max_reports ? opt->max_reports : 1;
	double t0 = now_s();
	int ret = 0;

	memset(res, 0, sizeof(*res));
	sim_dfs_init(&dfs, opt->dfs_preemptions, opt->dfs_single_bound);
	struct sim_options checked;
	if (!(opt = explore_options(opt, &checked, res)))
		return -EINVAL;
	e->order_sections = opt->order_sections;
	if (opt->strategy == SIM_STRATEGY_REPLAY)
		return explore_replay(sc, opt, res, t0);
	bool tree = opt->strategy == SIM_STRATEGY_DFS || opt->strategy == SIM_STRATEGY_DPOR;
	pct.depth = opt->pct_depth ? opt->pct_depth : SIM_DEFAULT_PCT_DEPTH;
	if (opt->strategy == SIM_STRATEGY_RANDOM) {
		ops = &sim_random_ops;
		state = &rnd;
	} else if (opt->strategy == SIM_STRATEGY_PCT) {
		ops = &sim_pct_ops;
		state = &pct;
	} else if (opt->strategy == SIM_STRATEGY_DPOR) {
		dpor = dpor_start(opt);
		res->race_profiled = opt->race_profile;
		res->bound_completed = -1; /* --deepen: none yet, bound 0 running */
		ops = &sim_dpor_ops;
		state = dpor;
	} else {
		ops = &sim_dfs_ops;
		state = &dfs;
	}

	res->reports = calloc(max_reports, sizeof(*res->reports));
	if (!res->reports)
		abort();
	int probed = dpor_probes(sc, opt, res); /* 1: a violation found */
	if (probed < 0)
		ret = probed;
	sim_ora_run_begin(opt);
	if (opt->strategy == SIM_STRATEGY_PCT)
		pct.k = pct_calibrate(sc, opt);

	sim_cov_run_begin();
	sim_engine_setup(sc, ops, state, opt->step_bound);
	e->want_hash = opt->por_check || opt->final_hashes;
	for (uint64_t i = 0; i < (probed ? 0 : opt->iterations); i++) {
		if (!tree && opt->shard_count > 1 && i % opt->shard_count != opt->shard_index)
			continue; /* another shard's: random and pct seed per index */
		sim_run_execution(i);
		if (dpor && sim_dpor_probe(dpor)) { /* another shard's subtree: not counted */
			if (!e->replay_mismatch && ops->end(e))
				continue;
			res->exhausted = !e->replay_mismatch && !res->unfair_cut;
			break;
		}
		uint64_t sched_hash =
		    explore_count(opt, res, &pick, i, dpor ? res->bound_in_progress : dfs.round);
		bool failed = e->failed;
		if (opt->por_check && !failed && !e->unfair &&
		    por_self_check(sc, opt, dpor, i, res)) {
			failed = true; /* the report is in */
			res->violations_found++;
		} else if (failed) {
			if (e->replay_mismatch) {
				snprintf(res->error, sizeof(res->error), "%s", e->mismatch_msg);
				ret = -EIO;
				break;
			}
			res->violations_found++;
			if (res->nr_reports < max_reports) {
				ret = explore_report(sc, opt, res, i);
				if (ret)
					break;
				sim_engine_setup(sc, ops, state, opt->step_bound);
			}
		}
		bool past = split_item_note(opt, res, dpor, failed);
		bool more = failed && !opt->keep_going ? true : ops->end(e);
		if (!explore_progress(opt, res, dpor, base, i, sched_hash))
			break;
		if ((failed && !opt->keep_going) || past)
			break;
		if (!more && e->replay_mismatch && !failed) {
			snprintf(res->error, sizeof(res->error), "%s", e->mismatch_msg);
			ret = -EIO; /* dfs: an item's prefix did not replay */
			break;
		}
		if (!more && opt->dpor_deepen && !e->replay_mismatch &&
		    deepen_next(sc, opt, &dpor, res, &base)) {
			state = dpor; /* the next bound's round */
			continue;
		}
		if (!more) {
			res->exhausted = tree && !e->replay_mismatch && !res->unfair_cut;
			break;
		}
	}
	e->want_hash = false;
	if (dpor)
		explore_dpor_done(dpor, res, base);
	if (ops == &sim_dfs_ops)
		dfs_done(&dfs, res);
	sim_dfs_free(&dfs);
	sim_cov_run_end();
	sim_ora_run_end();
	clean_trace(sc, opt, &pick, ret, res);
	res->elapsed_s = now_s() - t0;
	return ret;
}

void sim_result_free(struct sim_result *res)
{
	free(res->items);
	for (unsigned int i = 0; i < res->nr_reports; i++) {
		free(res->reports[i].message);
		free(res->reports[i].schedule);
		free(res->reports[i].report);
		free(res->reports[i].trace_json);
		free(res->reports[i].original_schedule);
		for (unsigned int k = 0; k < res->reports[i].nfacts; k++)
			free(res->reports[i].facts[k]);
		free(res->reports[i].facts);
	}
	free(res->reports);
	free(res->clean_trace_json);
	free(res->clean_schedule);
	for (unsigned int i = 0; i < res->nr_race_pairs; i++) {
		free(res->race_pairs[i].a);
		free(res->race_pairs[i].b);
	}
	free(res->race_pairs);
	memset(res, 0, sizeof(*res));
}

/* ---- minimization ---------------------------------------------------------- */

struct min_run {
	bool failed; /* with the kind wanted */
	uint64_t preemptions, steps, total_cp;
	struct sim_choice *rec; /* the choices the execution made, exact */
	size_t nrec;
};

/* Replay @c leniently, a fresh lock-order graph; fill @r when it fails as @kind. */
static void min_try(const struct sim_scenario *sc, const struct sim_options *opt,
		    const struct sim_choice *c, size_t n, const char *kind, struct min_run *r)
{
	struct sim_engine *e = &sim_eng;
	struct sim_replay_state rs = {
	    .choices = c, .n = n, .total_cp = UINT64_MAX, .lenient = true};

	memset(r, 0, sizeof(*r));
	sim_ora_run_begin(opt);
	sim_engine_setup(sc, &sim_replay_ops, &rs, opt->step_bound);
	sim_run_execution(0);
	sim_ora_run_end();
	if (!e->failed || e->replay_mismatch || strcmp(e->fail_kind, kind))
		return;
	r->failed = true;
	r->preemptions = e->preemptions;
	r->steps = e->steps;
	r->total_cp = e->choice_points;
	r->nrec = e->nrec;
	r->rec = malloc((e->nrec + 1) * sizeof(*r->rec));
	if (!r->rec)
		abort();
	if (e->nrec)
		memcpy(r->rec, e->rec, e->nrec * sizeof(*r->rec));
}

/* Fewer preemptions first, then fewer steps. */
static bool min_worse(const struct min_run *a, const struct min_run *b)
{
	if (a->preemptions != b->preemptions)
		return a->preemptions > b->preemptions;
	return a->steps > b->steps;
}

#define MIN_MAX_TRIES 5000

/* Fewest preemptions: bounded DFS, bound 0, 1, ... below the best's. */
static void min_by_bound(const struct sim_scenario *sc, const struct sim_options *opt,
			 const char *kind, struct min_run *bestp, unsigned int *triesp)
{
	struct min_run best = *bestp, r;
	struct sim_choice *cand;
	unsigned int tries = *triesp;

	for (unsigned int bound = 0; bound < best.preemptions && tries < MIN_MAX_TRIES; bound++) {
		struct sim_dfs_state dfs;
		sim_dfs_init(&dfs, bound, true);
		struct sim_engine *e = &sim_eng;
		bool found = false;
		sim_ora_run_begin(opt);
		sim_engine_setup(sc, &sim_dfs_ops, &dfs, opt->step_bound);
		for (uint64_t i = 0; tries < MIN_MAX_TRIES; i++) {
			sim_run_execution(i);
			tries++;
			if (e->failed && !e->replay_mismatch && strcmp(e->fail_kind, kind) == 0 &&
			    e->nrec <= best.nrec) {
				/* check it alone, a fresh lock-order graph */
				size_t n = e->nrec;
				cand = malloc((n + 1) * sizeof(*cand));
				if (!cand)
					abort();
				if (n)
					memcpy(cand, e->rec, n * sizeof(*cand));
				sim_ora_run_end();
				min_try(sc, opt, cand, n, kind, &r);
				free(cand);
				tries++;
				if (r.failed && r.nrec <= best.nrec && !min_worse(&r, &best)) {
					free(best.rec);
					best = r;
					found = true;
				} else {
					free(r.rec);
				}
				break;
			}
			if (e->replay_mismatch || !sim_dfs_ops.end(e))
				break;
		}
		if (!found)
			sim_ora_run_end();
		sim_dfs_free(&dfs);
		if (found)
			break;
	}
	*bestp = best;
	*triesp = tries;
}

/* Delta debugging over the best's choices, then another thread at each. */
static void min_shrink(const struct sim_scenario *sc, const struct sim_options *opt,
		       const char *kind, struct min_run *bestp, unsigned int *triesp)
{
	struct min_run best = *bestp, r;
	struct sim_choice *cand;
	unsigned int tries = *triesp;

	cand = malloc((best.nrec + 1) * sizeof(*cand));
	if (!cand)
		abort();
	/* Remove chunks of choices, halving the chunk size down to one. */
	for (size_t chunk = best.nrec > 1 ? best.nrec / 2 : 1; chunk >= 1 && tries < MIN_MAX_TRIES;
	     chunk /= 2) {
		bool again = true;
		while (again && tries < MIN_MAX_TRIES) {
			again = false;
			for (size_t at = 0; at < best.nrec && tries < MIN_MAX_TRIES;) {
				size_t k = at + chunk <= best.nrec ? chunk : best.nrec - at;
				size_t n = 0;
				for (size_t i = 0; i < best.nrec; i++)
					if (i < at || i >= at + k)
						cand[n++] = best.rec[i];
				min_try(sc, opt, cand, n, kind, &r);
				tries++;
				if (r.failed && r.nrec < best.nrec && !min_worse(&r, &best)) {
					free(best.rec);
					best = r;
					again = true;
				} else {
					free(r.rec);
					at += k;
				}
			}
		}
		if (chunk == 1)
			break;
	}
	/* Then another thread at each choice: fewer preemptions or steps. */
	for (bool again = true; again && tries < MIN_MAX_TRIES;) {
		again = false;
		for (size_t at = 0; at < best.nrec && !again && tries < MIN_MAX_TRIES; at++)
			for (int t = 0; t < sim_eng.nthreads && tries < MIN_MAX_TRIES; t++) {
				if (t == best.rec[at].tid)
					continue;
				memcpy(cand, best.rec, best.nrec * sizeof(*cand));
				cand[at].tid = t;
				min_try(sc, opt, cand, best.nrec, kind, &r);
				tries++;
				if (r.failed && r.nrec <= best.nrec &&
				    (r.preemptions < best.preemptions ||
				     (r.preemptions == best.preemptions && r.steps < best.steps))) {
					free(best.rec);
					best = r;
					again = true;
					break;
				}
				free(r.rec);
			}
	}
	free(cand);
	*bestp = best;
	*triesp = tries;
}

int sim_minimize(const struct sim_scenario *sc, const struct sim_options *opt, const char *tok,
		 struct sim_result *res)
{
	struct sim_choice *choices;
	struct sim_replay_state rs = {0};
	struct min_run best;
	uint32_t hash;
	char kind[32];
	double t0 = now_s();
	unsigned int tries = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = sim_token_decode(tok, &hash, &rs.total_cp, &choices, &rs.n, res->error,
			       sizeof(res->error));
	if (ret)
		return ret;
	if (hash != sim_scenario_hash(sc->name)) {
		free(choices);
		snprintf(res->error, sizeof(res->error),
			 "schedule token belongs to another scenario, not '%s'", sc->name);
		return -EINVAL;
	}
	/* The kind to keep: the token's own, replayed strictly. */
	res->reports = calloc(1, sizeof(*res->reports));
	if (!res->reports)
		abort();
	sim_ora_run_begin(opt);
	ret = replay_traced(sc, tok, opt, &res->reports[0], res->error, sizeof(res->error));
	sim_ora_run_end();
	if (ret) {
		free(choices);
		return ret;
	}
	res->nr_reports = 1; /* so that sim_result_free() frees it */
	snprintf(kind, sizeof(kind), "%s", res->reports[0].kind);
	uint64_t orig_steps = res->reports[0].steps, orig_pre = res->reports[0].preemptions;
	sim_result_free(res);

	min_try(sc, opt, choices, rs.n, kind, &best);
	free(choices);
	tries++;
	if (!best.failed) {
		snprintf(res->error, sizeof(res->error),
			 "the schedule does not fail the same way when replayed leniently");
		return -EIO;
	}
	min_by_bound(sc, opt, kind, &best, &tries);
	min_shrink(sc, opt, kind, &best, &tries);

	/* The exact token of the execution found, replayed strictly. */
	char *mtok =
	    sim_token_encode(sim_scenario_hash(sc->name), best.total_cp, best.rec, best.nrec);
	free(best.rec);
	res->reports = calloc(1, sizeof(*res->reports));
	if (!res->reports)
		abort();
	sim_ora_run_begin(opt);
	ret = replay_traced(sc, mtok, opt, &res->reports[0], res->error, sizeof(res->error));
	sim_ora_run_end();
	free(mtok);
	res->executions = tries + 2;
	res->elapsed_s = now_s() - t0;
	if (ret || strcmp(res->reports[0].kind, kind)) {
		res->nr_reports = !ret; /* freed by sim_result_free() */
		if (!ret)
			snprintf(res->error, sizeof(res->error),
				 "minimized schedule replays as '%s', not '%s'",
				 res->reports[0].kind, kind);
		return -EIO;
	}
	res->nr_reports = 1;
	res->violations_found = 1;
	struct sim_violation *v = &res->reports[0];
	v->original_schedule = xstrdup(tok);
	v->original_choices = rs.n;
	v->original_steps = orig_steps;
	v->original_preemptions = orig_pre;
	return 0;
}
