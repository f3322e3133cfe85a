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

static const char *const strategy_names[] = {"random", "pct", "dfs", "replay"};

const char *sim_strategy_name(enum sim_strategy s)
{
	return (unsigned int)s < 4 ? strategy_names[s] : "?";
}

int sim_strategy_parse(const char *name, enum sim_strategy *out)
{
	for (unsigned int i = 0; i < 4; i++)
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
static int replay_traced(const struct sim_scenario *sc, const char *tok, unsigned long step_bound,
			 bool brief, struct sim_violation *v, char *err, size_t errlen)
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
	sim_engine_setup(sc, &sim_replay_ops, &rs, step_bound);
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
	if (!e->failed) {
		snprintf(err, errlen, "the schedule replays without a violation");
		return -EIO;
	}
	snprintf(v->kind, sizeof(v->kind), "%.31s", e->fail_kind);
	v->message = xstrdup(e->fail_msg);
	v->steps = e->steps;
	v->schedule = xstrdup(tok);
	v->report = sim_trace_report(brief);
	sim_trace_clear();
	return 0;
}

int sim_explore(const struct sim_scenario *sc, const struct sim_options *opt,
		struct sim_result *res)
{
	struct sim_engine *e = &sim_eng;
	struct sim_random_state rnd = {.seed = opt->seed};
	struct sim_pct_state pct = {.seed = opt->seed};
	struct sim_dfs_state dfs = {.bound = opt->dfs_preemptions};
	const struct sim_strategy_ops *ops;
	void *state;
	unsigned int max_reports = opt->max_reports ? opt->max_reports : 1;
	double t0 = now_s();
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if ((unsigned int)opt->strategy > SIM_STRATEGY_REPLAY) {
		snprintf(res->error, sizeof(res->error), "unknown strategy");
		return -EINVAL;
	}
	if (opt->strategy == SIM_STRATEGY_REPLAY) {
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
		ret = replay_traced(sc, opt->schedule, opt->step_bound, opt->brief,
				    &res->reports[0], res->error, sizeof(res->error));
		sim_ora_run_end();
		res->executions = 1;
		res->elapsed_s = now_s() - t0;
		if (ret == -EIO) { /* a clean replay is a result, not an error */
			res->error[0] = 0;
			return 0;
		}
		if (ret)
			return ret;
		res->nr_reports = 1;
		res->violations_found = 1;
		return 0;
	}
	pct.depth = opt->pct_depth ? opt->pct_depth : SIM_DEFAULT_PCT_DEPTH;
	if (pct.depth > 16) {
		snprintf(res->error, sizeof(res->error), "PCT depth must be 1..16");
		return -EINVAL;
	}
	if (opt->strategy == SIM_STRATEGY_RANDOM) {
		ops = &sim_random_ops;
		state = &rnd;
	} else if (opt->strategy == SIM_STRATEGY_PCT) {
		ops = &sim_pct_ops;
		state = &pct;
	} else {
		ops = &sim_dfs_ops;
		state = &dfs;
	}

	sim_ora_run_begin(opt);
	if (opt->strategy == SIM_STRATEGY_PCT) {
		/* Estimate k with one non-preemptive execution (a DFS first run),
		 * oracles off: it is not part of the exploration, and k stays the
		 * length of the whole execution. */
		struct sim_dfs_state cal = {.bound = 0};
		sim_engine_setup(sc, &sim_dfs_ops, &cal, opt->step_bound);
		sim_ora_suspend(true);
		sim_run_execution(0);
		sim_ora_suspend(false);
		pct.k = e->steps ? e->steps : 1;
		sim_dfs_free(&cal);
	}

	res->reports = calloc(max_reports, sizeof(*res->reports));
	if (!res->reports)
		abort();
	sim_engine_setup(sc, ops, state, opt->step_bound);
	for (uint64_t i = 0; i < opt->iterations; i++) {
		sim_run_execution(i);
		res->executions++;
		if (e->failed) {
			if (e->replay_mismatch) {
				snprintf(res->error, sizeof(res->error), "%s", e->mismatch_msg);
				ret = -EIO;
				break;
			}
			res->violations_found++;
			if (res->nr_reports < max_reports) {
				struct sim_violation *v = &res->reports[res->nr_reports];
				char *tok = sim_token_encode(sim_scenario_hash(sc->name),
							     e->choice_points, e->rec, e->nrec);
				char kind[32], msg[512];
				uint64_t steps = e->steps;
				snprintf(kind, sizeof(kind), "%.31s", e->fail_kind);
				snprintf(msg, sizeof(msg), "%.511s", e->fail_msg);
				/* The lock-order graph as it was when execution i
				 * began: the replay adds i's edges again, and closes
				 * the same cycle at the same step. */
				sim_ld_rollback();
				ret = replay_traced(sc, tok, opt->step_bound, opt->brief, v,
						    res->error, sizeof(res->error));
				free(tok);
				if (!ret && (strcmp(v->kind, kind) || strcmp(v->message, msg) ||
					     v->steps != steps)) {
					snprintf(res->error, sizeof(res->error),
						 "nondeterministic scenario: execution %llu failed "
						 "with '%.80s' but its replay with '%.80s'",
						 (unsigned long long)i, msg, v->message);
					ret = -EIO;
				}
				if (ret) {
					if (ret == -EINVAL)
						ret = -EIO; /* our own token: engine bug */
					break;
				}
				v->execution = i;
				res->nr_reports++;
				sim_engine_setup(sc, ops, state, opt->step_bound);
			}
			if (!opt->keep_going)
				break;
		}
		if (!ops->end(e)) {
			res->exhausted = opt->strategy == SIM_STRATEGY_DFS;
			break;
		}
	}
	sim_dfs_free(&dfs);
	sim_ora_run_end();
	res->elapsed_s = now_s() - t0;
	return ret;
}

void sim_result_free(struct sim_result *res)
{
	for (unsigned int i = 0; i < res->nr_reports; i++) {
		free(res->reports[i].message);
		free(res->reports[i].schedule);
		free(res->reports[i].report);
	}
	free(res->reports);
	memset(res, 0, sizeof(*res));
}
