// SPDX-License-Identifier: MIT
/*
 * dpor's polling rule (docs/dpor.md, "Polling loops"): at a sim_yield(), a
 * thread whose round since its last sim_yield() repeats the round before,
 * both rounds invisible to the other threads (what they stored they put back
 * unobserved: the write log that prim.c's writers fill), and saw nothing it
 * read change waits until another thread writes what it read.
 */
#include "dpor_internal.h"

#include <string.h>

/* Event @lidx of thread @t begins: a thread's first event, or the one after
 * a sim_yield(), begins a round. */
void dpor_round_begin(struct sim_dpor_state *s, const struct sim_thread *t, uint32_t lidx,
		      uint8_t kind)
{
	struct dpor_round *r = &s->round[t->id];
	int locks = t->dpor_locks * 256 + (int)t->rcu_nesting;
	if (lidx == 1) {
		*r = (struct dpor_round){.first = 1};
	} else if (kind != SIM_OP_YIELD) {
		return;
	} else {
		struct dpor_round_marks m = r->cur;
		m.locks_kept = r->locks == locks;
		*r = (struct dpor_round){.first = lidx,
					 .prev_first = r->first,
					 .site = r->site,
					 .log = !r->log,
					 .prev = m};
	}
	r->locks = locks;
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

/*
 * Kinds a pure round may hold: read-like ones; lock operations, trylocks
 * and a marked lock's commuting sections (DPOR_LA_*) included
 * (round_invisible() checks that it holds at its end what it held at its
 * start); stores and read-modify-writes (it checks that each location
 * holds its value from before the round's first write of it); allocation
 * (memory nobody else can reach).  Not: wake-ups (a waiter woke), spawn, a
 * thread's end, grace periods and the end of a section one waits for, the RCU
 * callback queue.
 */
static bool kind_pure(uint8_t k)
{
	switch (k) {
	case SIM_OP_SPIN_LOCK:
	case SIM_OP_SPIN_TRYLOCK:
	case SIM_OP_SPIN_UNLOCK:
	case SIM_OP_MUTEX_LOCK:
	case SIM_OP_MUTEX_TRYLOCK:
	case SIM_OP_MUTEX_UNLOCK:
	case SIM_OP_DOWN_WRITE:
	case SIM_OP_DOWN_WRITE_TRYLOCK:
	case SIM_OP_UP_WRITE:
	case DPOR_LA_LOCK:
	case DPOR_LA_UNLOCK:
	case SIM_OP_WRITE:
	case SIM_OP_RMW:
	case SIM_OP_ALLOC:
		return true;
	case DPOR_GP_START:
	case SIM_OP_RCU_WAITED: /* a section's end that a grace period waits for */
		return false;
	default:
		return kind_reads(k);
	}
}

/* Locations written with a value (the write log knows them). */
static bool kind_stores(uint8_t k)
{
	return k == SIM_OP_WRITE || k == SIM_OP_RMW;
}

/* Trylocks: a failed one read the lock (its release is what the round waits for). */
static bool kind_trylock(uint8_t k)
{
	return k == SIM_OP_SPIN_TRYLOCK || k == SIM_OP_MUTEX_TRYLOCK ||
	       k == SIM_OP_DOWN_WRITE_TRYLOCK;
}

/* The entry of @obj in write log @log of @t (@n entries), or NULL. */
static const struct dpor_wrote *wrote_find(const struct sim_dpor_state *s, int t, int log,
					   unsigned int n, const void *obj)
{
	for (unsigned int k = 0; k < n; k++)
		if (s->wrote[t][log][k].obj == obj)
			return &s->wrote[t][log][k];
	return NULL;
}

/* Did an event of another thread than @t between events @from and @to touch
 * @obj (@writes: write it)? */
static bool touched_between(const struct sim_dpor_state *s, int t, const void *obj, size_t from,
			    size_t to, bool writes)
{
	for (size_t e = from + 1; e < to; e++) {
		if (s->ev[e].tid == t)
			continue;
		for (uint32_t k = 0; k < s->ev[e].fp_n; k++) {
			const struct dpor_fp_item *it = &s->items[s->ev[e].fp_start + k];
			if (sim_obj_word(it->obj) == obj && !(writes && kind_reads(it->kind)))
				return true;
		}
	}
	return false;
}

/*
 * May the round [@from, @to) of @t, with write log @log and marks @m, be
 * invisible (round_invisible())?  What its own events did: every operation
 * of a pure kind, each store logged, the same locks and RCU sections held
 * at its end as at its start.  Its thread's events alone decide it, so it
 * is the same in every linearization of the execution's partial order.
 */
static bool round_pure(const struct sim_dpor_state *s, int t, uint32_t from, uint32_t to, int log,
		       const struct dpor_round_marks *m)
{
	if (m->overflow || !m->locks_kept)
		return false;
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		if (!kind_pure(it->kind) ||
		    (kind_stores(it->kind) &&
		     !wrote_find(s, t, log, m->nwrote, sim_obj_word(it->obj))))
			return false;
		(void)j;
	}
	return true;
}

/* The first and last events of the round [@from, @to) of @t that store to
 * (the word of) @obj: *@fs, *@ls. */
static void store_window(const struct sim_dpor_state *s, int t, uint32_t from, uint32_t to,
			 const void *obj, size_t *fs, size_t *ls)
{
	*fs = *ls = SIZE_MAX;
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		if (!kind_stores(it->kind) || sim_obj_word(it->obj) != obj)
			continue;
		if (*fs == SIZE_MAX)
			*fs = j;
		*ls = j;
	}
}

/*
 * Is the round [@from, @to) of @t (round_pure()) invisible to every other
 * thread (docs/dpor.md, "Polling loops")?  No failed trylock of another
 * thread saw one of its locks; every location it stored to holds the value
 * it had before the round's first store to it, no event of another thread
 * touched it between the round's first and last stores to it (it would
 * have seen a value the round put there), and none wrote it since that
 * last store.  Called at the end of the round after it (event @now), whose
 * poll checks read every such location: the writes of other threads since
 * the round's last store, and so the value now, are those that happen
 * before @now in every linearization (a window that ended at the round's
 * last event, or began at it, would count an unordered event in one
 * linearization and not in another).
 */
static bool round_invisible(const struct sim_dpor_state *s, int t, uint32_t from, uint32_t to,
			    int log, const struct dpor_round_marks *m, size_t now)
{
	if (m->observed)
		return false;
	for (unsigned int k = 0; k < m->nwrote; k++) {
		const struct dpor_wrote *w = &s->wrote[t][log][k];
		if (memcmp(w->obj, &w->old, w->size))
			return false;
	}
	for (unsigned int k = 0; k < m->nwrote; k++) {
		const void *obj = s->wrote[t][log][k].obj;
		size_t fs, ls;
		store_window(s, t, from, to, obj, &fs, &ls);
		if (fs == SIZE_MAX)
			continue; /* its writes changed nothing (they count as reads) */
		if (touched_between(s, t, obj, fs, ls, false) ||
		    touched_between(s, t, obj, ls, now, true))
			return false;
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

/* The next event of @t at lidx >= *@l and below @end that did not block (a
 * failed attempt, which a linearization leaves out: the retry is the
 * operation), *@l after it; NULL at @end. */
static const struct dpor_event *next_done(const struct sim_dpor_state *s, int t, uint32_t *l,
					  uint32_t end)
{
	for (; *l < end; (*l)++) {
		const struct dpor_event *x = &s->ev[s->tev[t][*l - 1]];
		if (!x->blocked) {
			(*l)++;
			return x;
		}
	}
	return NULL;
}

/*
 * Did the rounds [@a, @b) and [@b, @c) of @t do the same operations on the
 * same objects?  Attempts that blocked do not count: whether an acquisition
 * found its lock held depends on the order of the threads, not on what the
 * round did (a section that commutes runs without blocking in another
 * linearization of the execution's partial order).
 */
static bool rounds_equal(const struct sim_dpor_state *s, int t, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t la = a, lb = b;
	for (;;) {
		const struct dpor_event *x = next_done(s, t, &la, b), *y = next_done(s, t, &lb, c);
		if (!x || !y)
			return !x && !y;
		uint32_t n = fp_n_unchecked(s, x);
		if (x->kind != y->kind || n != fp_n_unchecked(s, y))
			return false;
		/* item by item: a memcmp() would compare their padding */
		for (uint32_t k = 0; k < n; k++)
			if (s->items[x->fp_start + k].obj != s->items[y->fp_start + k].obj ||
			    s->items[x->fp_start + k].kind != s->items[y->fp_start + k].kind)
				return false;
	}
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

/* What the round [@from, @to) of @t read: its poll set.  The data it read
 * or wrote (a store it undid read the value it put back), and the locks of
 * its trylocks. */
static void pollset_fill(struct sim_dpor_state *s, int t, uint32_t from, uint32_t to)
{
	s->npollset[t] = 0;
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		if ((kind_reads(it->kind) && !kind_lockish(it->kind)) || kind_stores(it->kind) ||
		    kind_trylock(it->kind))
			pollset_add(s, t, it->obj);
		(void)j;
	}
}

/* Has another thread written something of the poll set of @t since @t read it? */
static bool round_saw_change(struct sim_dpor_state *s, int t, uint32_t from, uint32_t to)
{
	ROUND_ITEMS(s, t, from, to, j, it)
	{
		if ((!kind_reads(it->kind) || kind_lockish(it->kind)) && !kind_trylock(it->kind))
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
	/* a covering bound runs every round: where a poller yields is part of
	 * what a schedule costs (dpor.md, "A bound that covers") */
	if (!s->open || s->ev[s->nev - 1].tid != t || s->cover)
		return false;
	size_t i = s->nev - 1;
	uint32_t end = s->ev[i].lidx + 1;
	r->site = site;
	uint8_t d = POLL_NONE;
	if (i < s->keep) { /* replayed: as the last execution decided */
		if (s->ev[i].poll != POLL_BLOCKED)
			return false;
		pollset_fill(s, t, r->first, end);
		s->polling |= BIT(t);
		return true;
	}
	struct dpor_round_marks cur = r->cur;
	cur.locks_kept = r->locks == th->dpor_locks * 256 + (int)th->rcu_nesting;
	if (r->prev_first && site == prev_site &&
	    rounds_equal(s, t, r->prev_first, r->first, end) &&
	    round_pure(s, t, r->first, end, r->log, &cur) &&
	    round_pure(s, t, r->prev_first, r->first, !r->log, &r->prev)) {
		pollset_fill(s, t, r->first, end);
		/* the decision reads the poll set, whatever it decides: a check of
		 * each, in this event (so the footprint does not depend on the
		 * values, and the writes it sees are ordered before it) */
		for (uint32_t k = 0; k < s->npollset[t]; k++)
			dpor_foot_add(s, s->pollset[t][k], SIM_OP_POLL_CHECK, "what it polls",
				      "sim_yield");
		if (round_invisible(s, t, r->first, end, r->log, &cur, i) &&
		    round_invisible(s, t, r->prev_first, r->first, !r->log, &r->prev, i))
			d = round_saw_change(s, t, r->first, end) ? POLL_CHANGED : POLL_BLOCKED;
	}
	s->ev[i].poll = d;
	if (d != POLL_BLOCKED)
		return false;
	s->polling |= BIT(t);
	return true;
}

void sim_dpor_wrote_slow(const void *obj, size_t size)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	int t = sim_eng.cur->id;
	struct dpor_round *r = &s->round[t];
	if (r->cur.overflow || wrote_find(s, t, r->log, r->cur.nwrote, obj))
		return;
	if (r->cur.nwrote == ROUND_WRITES) {
		r->cur.overflow = true;
		return;
	}
	struct dpor_wrote *w = &s->wrote[t][r->log][r->cur.nwrote++];
	*w = (struct dpor_wrote){.obj = obj, .size = (uint32_t)size};
	memcpy(&w->old, obj, size);
}

/*
 * A write races with @a's poll check of @obj (dpor.c, event_close()): the
 * race stands for the poller's last access of @obj in the round before the
 * checked one.  Both rounds were invisible and the second repeated the
 * first, so the write anywhere after that access is the write after the
 * check (the poller waits and the write wakes it to the same round); before
 * it is the other class, and from there dpor goes on as for any race.
 * Return @a itself when @a did not check @obj.
 */
int32_t dpor_poll_anchor(const struct sim_dpor_state *s, int32_t a, const void *obj)
{
	const struct dpor_event *ev = &s->ev[a];
	int t = ev->tid;
	const struct dpor_fp_item *it = &s->items[ev->fp_start];
	uint32_t k = 0;
	while (k < ev->fp_n && it[k].obj != obj)
		k++;
	if (k == ev->fp_n || it[k].kind != SIM_OP_POLL_CHECK)
		return a;
	/* the checked round begins at the last yield continuation, the one
	 * before it at the one before */
	uint32_t l = ev->lidx, starts = 0, r1 = 0;
	while (l > 1 && starts < 2) {
		if (s->ev[s->tev[t][l - 1]].kind == SIM_OP_YIELD && starts++ == 0)
			r1 = l;
		if (starts < 2)
			l--;
	}
	for (uint32_t m = r1; m-- > l;) {
		const struct dpor_event *x = &s->ev[s->tev[t][m - 1]];
		for (uint32_t q = 0; q < x->fp_n; q++)
			if (s->items[x->fp_start + q].obj == obj)
				return s->tev[t][m - 1];
	}
	return a; /* not found: an ordinary race */
}

void sim_dpor_observed_slow(int owner)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	for (int t = 0; t < SIM_MAX_THREADS; t++)
		if (owner < 0 || t == owner)
			s->round[t].cur.observed = true;
}
