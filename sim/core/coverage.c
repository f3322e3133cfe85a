// SPDX-License-Identifier: MIT
/*
 * Coverage of a run (include/hmmsim/coverage.h): what each execution
 * reached, folded into the run's figures by sim_explore() after every
 * execution it counts.
 *
 * The execution's part lives here, beside the engine state, not in execution
 * memory: it is no model state, sim_cover() is no scheduling point and tells
 * neither dpor nor the race detector anything, so counting changes no
 * execution.  Threads interleave when one is preempted (switched away from
 * while it could go on, in the middle of its work: not at a spawn or a join)
 * and goes on later: it and every thread that did an operation in between
 * (one on shared state, sim_cov_op()) interleaved.  A thread that only ever
 * waited (join, a lock) while others ran, or ran while the others waited,
 * interleaved with none.
 */
#include "engine.h"

#include <hmmsim/coverage.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The declared model events and the lock classes of the run. */
static const struct sim_cov_event_desc *decl;
static unsigned int ndecl;
static char lock_names[SIM_COV_MAX_LOCKS][48];
static unsigned int nlock_names;

/* The current execution's. */
static struct {
	uint64_t events, locks; /* reached */
	uint32_t event_hits[SIM_COV_MAX_EVENTS], lock_hits[SIM_COV_MAX_LOCKS];
	uint64_t preempted;   /* threads switched away from in the middle of their work */
	uint64_t interleaved; /* threads that interleaved */
	uint32_t at[SIM_MAX_THREADS][SIM_MAX_THREADS]; /* sim_cov_ops[] when it was preempted */
	int atn[SIM_MAX_THREADS]; /* of its first atn threads: those that existed */
} x;

uint32_t sim_cov_ops[SIM_MAX_THREADS];

/* The distinct schedules: a set of their hashes (0 stands for an empty slot). */
#define COV_SET_MAX_SLOTS (1ul << 22)
static uint64_t *set;
static size_t set_slots, set_used;

void sim_cover_declare(const struct sim_cov_event_desc *events, unsigned int n)
{
	if (events == decl)
		return;
	decl = events;
	ndecl = n < SIM_COV_MAX_EVENTS ? n : SIM_COV_MAX_EVENTS;
}

void sim_cover(unsigned int event)
{
	if (!sim_eng.in_execution || event >= ndecl)
		return;
	x.events |= 1ull << event;
	x.event_hits[event]++;
}

void sim_cov_lock(const char *name)
{
	unsigned int i = 0;

	while (i < nlock_names && strcmp(lock_names[i], name))
		i++;
	if (i == nlock_names) {
		if (i == SIM_COV_MAX_LOCKS)
			return;
		snprintf(lock_names[i], sizeof(lock_names[i]), "%s", name);
		nlock_names++;
	}
	x.locks |= 1ull << i;
	x.lock_hits[i]++;
}

/* @p goes on: it interleaved with every thread that did an operation meanwhile. */
static void resumed(int p)
{
	uint64_t with = 0;
	for (int t = 0; t < sim_eng.nthreads; t++)
		if (t != p && sim_cov_ops[t] != (t < x.atn[p] ? x.at[p][t] : 0))
			with |= 1ull << t;
	if (with)
		x.interleaved |= with | 1ull << p;
	x.preempted &= ~(1ull << p);
}

void sim_cov_switch(int cur, int next, bool preempt)
{
	if (x.preempted & (1ull << next))
		resumed(next);
	/* a thread about to spawn or join, or not started, is not in the
	 * middle of its work: what runs before it goes on is ordered with it */
	uint8_t k = sim_eng.threads[cur].next_op.kind;
	if (preempt && k != SIM_OP_SPAWN && k != SIM_OP_JOIN && k != SIM_OP_NONE &&
	    k != SIM_OP_EXIT) {
		x.preempted |= 1ull << cur;
		x.atn[cur] = sim_eng.nthreads;
		memcpy(x.at[cur], sim_cov_ops, (size_t)sim_eng.nthreads * sizeof(x.at[cur][0]));
	}
}

void sim_cov_exec_begin(void)
{
	for (uint64_t m = x.events; m; m &= m - 1)
		x.event_hits[__builtin_ctzll(m)] = 0;
	for (uint64_t m = x.locks; m; m &= m - 1)
		x.lock_hits[__builtin_ctzll(m)] = 0;
	x.events = x.locks = x.preempted = x.interleaved = 0;
	memset(sim_cov_ops, 0, sizeof(sim_cov_ops));
}

void sim_cov_run_begin(void)
{
	decl = NULL;
	ndecl = nlock_names = 0;
	free(set);
	set = NULL;
	set_slots = set_used = 0;
}

void sim_cov_run_end(void)
{
	free(set);
	set = NULL;
	set_slots = set_used = 0;
}

/* splitmix64's finalizer: every input bit moves every output bit. */
static uint64_t mix64(uint64_t h)
{
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

uint64_t sim_cov_schedule_hash(const struct sim_engine *e)
{
	uint64_t h = mix64(0x9e3779b97f4a7c15ull + e->choice_points);
	for (size_t i = 0; i < e->nrec; i++) {
		h = mix64(h + e->rec[i].cp);
		h = mix64(h + (uint64_t)e->rec[i].tid + 1);
	}
	return h ? h : 1;
}

/* Add @h to the set: true when it is new (or the set is full: not known). */
static bool set_add(uint64_t h, bool *capped)
{
	if (2 * (set_used + 1) > set_slots) {
		if (set_slots >= COV_SET_MAX_SLOTS) {
			*capped = true;
			return false;
		}
		size_t n = set_slots ? 2 * set_slots : 1024;
		uint64_t *t = calloc(n, sizeof(*t));
		if (!t)
			sim_oom("the set of distinct schedules");
		for (size_t i = 0; i < set_slots; i++)
			if (set[i])
				for (size_t j = set[i] & (n - 1);; j = (j + 1) & (n - 1))
					if (!t[j]) {
						t[j] = set[i];
						break;
					}
		free(set);
		set = t;
		set_slots = n;
	}
	for (size_t j = h & (set_slots - 1);; j = (j + 1) & (set_slots - 1)) {
		if (set[j] == h)
			return false;
		if (!set[j]) {
			set[j] = h;
			set_used++;
			return true;
		}
	}
}

static struct sim_cov_count *thread_slot(struct sim_coverage *c, const char *name)
{
	for (unsigned int i = 0; i < c->nthreads; i++)
		if (strcmp(c->threads[i].name, name) == 0)
			return &c->threads[i];
	if (c->nthreads == SIM_COV_MAX_THREADS)
		return NULL;
	struct sim_cov_count *t = &c->threads[c->nthreads++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

static void fold_counts(struct sim_cov_count *to, uint64_t mask, const uint32_t *hits)
{
	for (; mask; mask &= mask - 1) {
		int i = __builtin_ctzll(mask);
		to[i].executions++;
		to[i].hits += hits[i];
	}
}

uint64_t sim_cov_exec_done(const struct sim_engine *e, struct sim_coverage *c)
{
	uint64_t h = sim_cov_schedule_hash(e);

	c->collected = true;
	c->executions++;
	if (set_add(h, &c->distinct_capped))
		c->distinct_schedules++;
	c->choice_points += e->choice_points;
	if (e->choice_points > c->max_choice_points)
		c->max_choice_points = e->choice_points;
	c->preemptions += e->preemptions;
	for (; c->nevents < ndecl; c->nevents++) {
		snprintf(c->events[c->nevents].name, sizeof(c->events[0].name), "%s",
			 decl[c->nevents].name);
		c->events[c->nevents].what = decl[c->nevents].what;
	}
	for (; c->nlocks < nlock_names; c->nlocks++)
		snprintf(c->locks[c->nlocks].name, sizeof(c->locks[0].name), "%s",
			 lock_names[c->nlocks]);
	fold_counts(c->events, x.events, x.event_hits);
	fold_counts(c->locks, x.locks, x.lock_hits);
	for (int i = 0; i < e->nthreads; i++) {
		struct sim_cov_count *t = thread_slot(c, e->threads[i].name);
		if (!t)
			continue;
		t->executions++;
		t->hits += (x.interleaved >> i) & 1;
	}
	return h;
}
