// SPDX-License-Identifier: MIT
/*
 * dpor's polling rule (docs/engine.md, "Polling loops"): at a sim_yield(), a
 * thread whose round since its last sim_yield() repeats the round before,
 * changed nothing and saw nothing it read change waits until another thread
 * writes what it read.
 */
#include "dpor_internal.h"

#include <string.h>

/* Event @lidx of thread @t begins: a thread's first event, or the one after
 * a sim_yield(), begins a round. */
void dpor_round_begin(struct sim_dpor_state *s, const struct sim_thread *t, uint32_t lidx,
		      uint8_t kind)
{
	struct dpor_round *r = &s->round[t->id];
	if (lidx == 1)
		*r = (struct dpor_round){.first = 1};
	else if (kind != SIM_OP_YIELD)
		return;
	else
		*r = (struct dpor_round){.first = lidx, .prev_first = r->first, .site = r->site};
	r->locks = t->dpor_locks * 256 + (int)t->rcu_nesting;
}

/* Wake the pollers waiting to see @obj written (the current event writes it). */
void dpor_poll_wake(struct sim_dpor_state *s, const void *obj, uint8_t kind)
{
	if (kind_reads(kind) || kind_empty(kind))
		return;
	for (uint64_t m = s->polling; m; m &= m - 1) {
		int q = __builtin_ctzll(m);
		for (uint32_t k = 0; k < s->npollset[q]; k++)
			if (s->pollset[q][k] == obj) {
				s->polling &= ~BIT(q);
				sim_wake(&sim_eng.threads[q].next_op);
				break;
			}
	}
}

/* The items of thread @t's events with lidx in [@from, @to). */
#define ROUND_ITEMS(s, t, from, to, ev_i, it)                                                      \
	for (uint32_t _l = (from); _l < (to); _l++)                                                \
		for (size_t ev_i = (size_t)(s)->tev[t][_l - 1], _k = 0; _k < (s)->ev[ev_i].fp_n;   \
		     _k++)                                                                         \
			for (const struct dpor_fp_item *it =                                       \
				 &(s)->items[(s)->ev[ev_i].fp_start + _k];                         \
			     it; it = NULL)

/* Did the round [@from, @to) of @t change nothing but take and release locks? */
static bool round_pure(const struct sim_dpor_state *s, int t, uint32_t from, uint32_t to)
{
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		uint8_t k = it->kind;
		if (!kind_reads(k) && k != SIM_OP_SPIN_LOCK && k != SIM_OP_SPIN_UNLOCK &&
		    k != SIM_OP_MUTEX_LOCK && k != SIM_OP_MUTEX_UNLOCK && k != SIM_OP_DOWN_WRITE &&
		    k != SIM_OP_UP_WRITE)
			return false;
		(void)j;
	}
	return true;
}

/* The footprint of event @x without the poll checks appended at its end. */
static uint32_t fp_n_unchecked(const struct sim_dpor_state *s, const struct dpor_event *x)
{
	uint32_t n = x->fp_n;
	while (n && s->items[x->fp_start + n - 1].kind == SIM_OP_POLL_CHECK)
		n--;
	return n;
}

/* Did the rounds [@a, @b) and [@b, @c) of @t do the same operations on the same objects? */
static bool rounds_equal(const struct sim_dpor_state *s, int t, uint32_t a, uint32_t b, uint32_t c)
{
	if (b - a != c - b)
		return false;
	for (uint32_t l = 0; l < b - a; l++) {
		const struct dpor_event *x = &s->ev[s->tev[t][a + l - 1]];
		const struct dpor_event *y = &s->ev[s->tev[t][b + l - 1]];
		uint32_t n = fp_n_unchecked(s, x);
		if (x->kind != y->kind || n != fp_n_unchecked(s, y) ||
		    memcmp(&s->items[x->fp_start], &s->items[y->fp_start], n * sizeof(*s->items)))
			return false;
	}
	return true;
}

static void pollset_add(struct sim_dpor_state *s, int t, const void *obj)
{
	for (uint32_t k = 0; k < s->npollset[t]; k++)
		if (s->pollset[t][k] == obj)
			return;
	size_t cap = s->cappollset[t];
	s->pollset[t] = grow(s->pollset[t], &cap, s->npollset[t] + 1, sizeof(*s->pollset[t]));
	s->cappollset[t] = (uint32_t)cap;
	s->pollset[t][s->npollset[t]++] = obj;
}

/* The data objects the round [@from, @to) of @t read: its poll set. */
static void pollset_fill(struct sim_dpor_state *s, int t, uint32_t from, uint32_t to)
{
	s->npollset[t] = 0;
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		if (kind_reads(it->kind) && !kind_lockish(it->kind))
			pollset_add(s, t, it->obj);
		(void)j;
	}
}

/* Has another thread written something of the poll set of @t since @t read it? */
static bool round_saw_change(struct sim_dpor_state *s, int t, uint32_t from, uint32_t to)
{
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		if (!kind_reads(it->kind) || kind_lockish(it->kind))
			continue;
		const struct dpor_obj *o = dpor_obj_get(s, it->obj);
		if (o->lastw != NO_EVENT && (size_t)o->lastw > j && s->ev[o->lastw].tid != t)
			return true;
	}
	return false;
}

bool sim_dpor_poll_blocks(struct sim_engine *e, const void *site)
{
	struct sim_dpor_state *s = e->strat_state;
	struct sim_thread *th = e->cur;
	int t = th->id;
	struct dpor_round *r = &s->round[t];
	const void *prev_site = r->site;
	if (!s->open || s->ev[s->nev - 1].tid != t)
		return false;
	size_t i = s->nev - 1;
	uint32_t end = s->ev[i].lidx + 1;
	r->site = site;
	if (i < s->keep) { /* replayed: as the last execution decided */
		if (s->ev[i].poll != POLL_BLOCKED)
			return false;
		pollset_fill(s, t, r->first, end);
		s->polling |= BIT(t);
		return true;
	}
	uint8_t d = POLL_NONE;
	if (r->prev_first && site == prev_site && !r->observed &&
	    r->locks == th->dpor_locks * 256 + (int)th->rcu_nesting &&
	    round_pure(s, t, r->prev_first, end) &&
	    rounds_equal(s, t, r->prev_first, r->first, end)) {
		d = round_saw_change(s, t, r->first, end) ? POLL_CHANGED : POLL_BLOCKED;
		pollset_fill(s, t, r->first, end);
		/* the decision read the poll set: a check of each, in this event */
		for (uint32_t k = 0; k < s->npollset[t]; k++)
			dpor_foot_add(s, s->pollset[t][k], SIM_OP_POLL_CHECK);
	}
	s->ev[i].poll = d;
	if (d != POLL_BLOCKED)
		return false;
	s->polling |= BIT(t);
	return true;
}

void sim_dpor_observed_slow(int owner)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	for (int t = 0; t < SIM_MAX_THREADS; t++)
		if (owner < 0 || t == owner)
			s->round[t].observed = true;
}
