// SPDX-License-Identifier: MIT
/*
 * Strategies: which runnable thread performs the next operation.
 *
 *  random  uniform among the runnable threads at every choice point.
 *  pct     probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 *          Nagarakatte, ASPLOS 2010): random distinct priorities, always run
 *          the highest-priority runnable thread, and at d-1 random steps out
 *          of the estimated length k lower the running thread's priority
 *          below every initial one.  Finds a bug of depth d with
 *          probability >= 1/(n k^(d-1)) per execution.
 *  dfs     exhaustive depth-first enumeration of schedules with at most P
 *          preemptions, bound 0 first, then 1, ... (dfs.c).
 *  replay  follows a schedule token.
 *
 * A yielding thread is never chosen at its yield if another can run (see
 * sim_yield()); PCT also drops its priority below all others, so polling
 * loops hand over to the thread they wait for.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- random --------------------------------------------------------------- */

static void random_begin(struct sim_engine *e, uint64_t index)
{
	struct sim_random_state *s = e->strat_state;
	sim_rng_seed(&e->rng, s->seed, index);
}

static int nth_bit(uint64_t m, uint64_t n)
{
	while (n--)
		m &= m - 1;
	return __builtin_ctzll(m);
}

static int random_choose(struct sim_engine *e, uint64_t choices, int def, bool yielding)
{
	return nth_bit(choices, sim_rng_below(&e->rng, (uint64_t)__builtin_popcountll(choices)));
}

static bool always_more(struct sim_engine *e)
{
	return true;
}

const struct sim_strategy_ops sim_random_ops = {
    .name = "random",
    .begin = random_begin,
    .choose = random_choose,
    .end = always_more,
};

/* ---- pct ------------------------------------------------------------------ */

static void pct_begin(struct sim_engine *e, uint64_t index)
{
	struct sim_pct_state *s = e->strat_state;
	unsigned int d = s->depth;

	sim_rng_seed(&e->rng, s->seed, index);
	s->nchange = d - 1;
	for (unsigned int i = 0; i < s->nchange; i++)
		s->change[i] = 1 + sim_rng_below(&e->rng, s->k);
	/* insertion sort: at most 15 */
	for (unsigned int i = 1; i < s->nchange; i++)
		for (unsigned int j = i; j > 0 && s->change[j - 1] > s->change[j]; j--) {
			uint64_t t = s->change[j];
			s->change[j] = s->change[j - 1];
			s->change[j - 1] = t;
		}
	s->next_change = 0;
	s->low = 0;
	e->hook_step = s->nchange ? s->change[0] : 0;
}

static void pct_on_spawn(struct sim_engine *e, int tid)
{
	struct sim_pct_state *s = e->strat_state;
	/* Initial priorities lie above every change-point priority (1 .. d-1). */
	s->prio[tid] = (int64_t)s->depth + 1 + (int64_t)(sim_rng_next(&e->rng) >> 2);
}

static void pct_on_step(struct sim_engine *e)
{
	struct sim_pct_state *s = e->strat_state;
	/* Several change points may fall on the same step. */
	while (s->next_change < s->nchange && s->change[s->next_change] == e->steps) {
		s->prio[e->cur->id] = (int64_t)(s->depth - 1 - s->next_change);
		s->next_change++;
	}
	e->hook_step = s->next_change < s->nchange ? s->change[s->next_change] : 0;
}

static void pct_on_yield(struct sim_engine *e)
{
	struct sim_pct_state *s = e->strat_state;
	s->prio[e->cur->id] = --s->low; /* below everything, latest yielder lowest */
}

static int pct_choose(struct sim_engine *e, uint64_t choices, int def, bool yielding)
{
	struct sim_pct_state *s = e->strat_state;
	int best = -1;
	for (uint64_t m = choices; m; m &= m - 1) {
		int t = __builtin_ctzll(m);
		if (best < 0 || s->prio[t] > s->prio[best])
			best = t;
	}
	return best;
}

const struct sim_strategy_ops sim_pct_ops = {
    .name = "pct",
    .begin = pct_begin,
    .choose = pct_choose,
    .on_spawn = pct_on_spawn,
    .on_step = pct_on_step,
    .on_yield = pct_on_yield,
    .end = always_more,
};

/* ---- replay --------------------------------------------------------------- */

static void replay_begin(struct sim_engine *e, uint64_t index)
{
	struct sim_replay_state *s = e->strat_state;
	s->idx = 0;
}

static int replay_choose(struct sim_engine *e, uint64_t choices, int def, bool yielding)
{
	struct sim_replay_state *s = e->strat_state;
	uint64_t cp = e->choice_points - 1;

	if (s->lenient) {
		while (s->idx < s->n && s->choices[s->idx].cp < cp)
			s->idx++;
		if (s->idx < s->n && s->choices[s->idx].cp == cp) {
			int t = s->choices[s->idx++].tid;
			if (t >= 0 && t < SIM_MAX_THREADS && (choices & (1ull << t)))
				return t;
		}
		return def;
	}
	if (s->idx < s->n && s->choices[s->idx].cp == cp) {
		int t = s->choices[s->idx++].tid;
		if (t < 0 || t >= SIM_MAX_THREADS || !(choices & (1ull << t))) {
			e->replay_mismatch = true;
			snprintf(e->mismatch_msg, sizeof(e->mismatch_msg),
				 "the schedule does not fit this scenario: at choice point %llu "
				 "thread %d cannot run",
				 (unsigned long long)cp, t);
			return def;
		}
		return t;
	}
	if (cp >= s->total_cp) {
		e->replay_mismatch = true;
		snprintf(e->mismatch_msg, sizeof(e->mismatch_msg),
			 "the schedule does not fit this scenario: it has %llu choice points, "
			 "the execution goes on past them",
			 (unsigned long long)s->total_cp);
	}
	return def;
}

static bool replay_end(struct sim_engine *e)
{
	return false;
}

const struct sim_strategy_ops sim_replay_ops = {
    .name = "replay",
    .begin = replay_begin,
    .choose = replay_choose,
    .end = replay_end,
};
