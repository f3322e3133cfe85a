// SPDX-License-Identifier: MIT
/*
 * The dpor strategy: stateless model checking with source-set dynamic
 * partial-order reduction and sleep sets (Abdulla, Aronis, Jonsson, Sagonas,
 * "Optimal dynamic partial order reduction", POPL 2014, Algorithm 1).
 *
 * An execution is a sequence of events: an event is what one thread does
 * from the scheduling point where it was picked to its next one, labelled
 * with the operation it announced there (engine.h, enum sim_op_kind) plus the
 * objects the engine saw it touch on the way (sim_dpor_touch(): allocation,
 * a thread's end, a wait queue's prepare, the RCU callback queue).  Two
 * events of different threads are dependent when they act on one object and
 * are not both read-like nor both the same update (kind_commutes(): wake-ups,
 * blind atomic adds, blind bit sets).  Happens-before is program order,
 * dependence in execution order, and three enabling edges: spawn -> the
 * child's first event, the event that woke a blocked thread -> its retry
 * (not from a wake-up: woken_by_update()), the event that ran after a yield
 * -> the yielder's continuation.
 *
 * After each event that is new (past the replayed prefix) the last
 * dependent events on each object it touched are checked for a race: not
 * ordered before it by happens-before through any other event.  For a race
 * e < e' the initials of v = notdep(e, E).e' (the events after e that do not
 * happen after it, then e') are computed with vector clocks; when no thread of
 * backtrack(pre(E, e)) is one of them, one initial is added there.  Sleep
 * sets hold, per node, the threads whose next event was explored from an
 * equivalent state, with that event's footprint; a thread leaves the sleep
 * set when an event dependent with its footprint runs.  An execution whose
 * every runnable thread is asleep is cut short (counted as sleep-set
 * blocked: source sets, unlike wakeup trees, do not avoid them all).
 *
 * Memory: the exploration stack holds one node per event of the current
 * execution (enabled, backtrack, done and sleep masks, and the sleep set's
 * footprints, at most one per thread) and one event record with a vector
 * clock of SIM_MAX_THREADS entries: O(depth x threads).  The events of the
 * replayed prefix are kept from the last execution, and so is the per-object
 * table (last write, last read per thread): an undo log rolls it back to the
 * node where the next execution takes a new choice.  The polling rule is in
 * dpor_poll.c.
 *
 * A preemption bound from --preemptions covers its bound (s->cover; dpor.md,
 * "A bound that covers"): every thread is tried at every context switch, and
 * the shortcuts that take two orders as one where a preemption would decide
 * between them are off (sleep sets, commuting lock sections, a blocked lock
 * attempt left out, races moved to an acquisition, the polling rule).  The
 * probe rounds run the cheap bounded form.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpor_internal.h"
#include "oracle.h"

/* ---- dependence ------------------------------------------------------------ */

/* ---- growing arrays -------------------------------------------------------- */

static void fc_put(struct sim_dpor_state *s, const void *obj, uint32_t idx)
{
	uint32_t h = obj_hash(obj) & (FC_SLOTS - 1);
	while (s->fc[h].stamp == s->fc_stamp)
		h = (h + 1) & (FC_SLOTS - 1);
	s->fc[h] = (struct dpor_fc){obj, s->fc_stamp, idx};
}

/*
 * The item of @obj in the open event's footprint, or NULL.  A short footprint
 * is scanned; a long one (the setup's, a final check's: hundreds of items)
 * is looked up in a hash of its items, made for the event (fc_valid).
 */
static struct dpor_fp_item *foot_find(struct sim_dpor_state *s, struct dpor_event *ev,
				      const void *obj)
{
	struct dpor_fp_item *f = &s->items[ev->fp_start];
	if (ev->fp_n <= FC_FROM || ev->fp_n >= FC_SLOTS / 2) {
		for (uint32_t i = ev->fp_n > 64 ? ev->fp_n - 64 : 0; i < ev->fp_n; i++)
			if (f[i].obj == obj)
				return &f[i];
		return NULL;
	}
	if (!s->fc_valid) { /* the first lookup of this event in the hash */
		s->fc_valid = true;
		s->fc_stamp++;
		for (uint32_t i = 0; i < ev->fp_n; i++)
			fc_put(s, f[i].obj, i);
	}
	for (uint32_t h = obj_hash(obj) & (FC_SLOTS - 1); s->fc[h].stamp == s->fc_stamp;
	     h = (h + 1) & (FC_SLOTS - 1))
		if (s->fc[h].obj == obj)
			return &f[s->fc[h].idx];
	return NULL;
}

void dpor_foot_add(struct sim_dpor_state *s, const void *obj, uint8_t kind, const char *name,
		   const char *site)
{
	if (s->polling)
		dpor_poll_wake(s, obj, kind);
	if (s->nev <= s->keep)
		return; /* a replayed event: its footprint is recorded */
	struct dpor_event *ev = &s->ev[s->nev - 1];
	if (kind_empty(kind))
		return;
	struct dpor_fp_item *it = foot_find(s, ev, obj);
	if (it) {
		if (it->kind == kind)
			return;
		if (kind_commutes(kind) || kind_commutes(it->kind))
			it->kind =
			    SIM_OP_RMW; /* an update and anything else: it does not commute */
		else if (!kind_reads(kind))
			it->kind = kind; /* write-like wins */
		return;
	}
	s->items = grow(s->items, &s->capitems, s->nitems + 1, sizeof(*s->items));
	s->items[s->nitems++] = (struct dpor_fp_item){obj, kind};
	if (s->prof)
		dpor_prof_label(s, s->nitems - 1, name, site);
	if (s->fc_valid && ev->fp_n < FC_SLOTS / 2)
		fc_put(s, obj, ev->fp_n);
	ev->fp_n++;
}

static struct dpor_sleeper *pool_push(struct sim_dpor_state *s)
{
	s->pool = grow(s->pool, &s->cappool, s->npool + 1, sizeof(*s->pool));
	return &s->pool[s->npool++];
}

/* ---- happens-before and races ---------------------------------------------- */

/*
 * Is thread @q an initial of v (dpor_in_v()) at node @p, @cnt its threads' event
 * counts there?  Its first event f after @p must be in v with no event of v
 * happening before it.
 */
static bool is_initial(const struct sim_dpor_state *s, int q, size_t p, size_t j, size_t i,
		       const uint32_t *ci, const uint32_t *cnt)
{
	int tp = s->ev[p].tid;
	if (q == tp || cnt[q] >= s->ntev[q])
		return false;
	size_t f = (size_t)s->tev[q][cnt[q]];
	if (!dpor_in_v(s, p, j, i, ci, f))
		return false;
	const uint32_t *cf = f == i ? ci : s->vc[f];
	for (int r = 0; r < s->nthreads; r++)
		if (r != q && r != tp && cf[r] > cnt[r])
			return false;
	return true;
}

/*
 * Is event @i the retry of a wait (wait_event, wait_for_completion) that a
 * wake-up woke?  Its enabling edge is not in happens-before: wake-ups
 * commute, so which of them woke it is not a property of the class; the
 * retry is dependent with each of them instead (docs/dpor.md, "Updates").
 */
static bool woken_by_update(const struct sim_dpor_state *s, size_t i)
{
	const struct dpor_event *ev = &s->ev[i];
	if (ev->pend == NO_EVENT || ev->lidx < 2 || !ev->fp_n)
		return false;
	const struct dpor_event *prev = &s->ev[s->tev[ev->tid][ev->lidx - 2]];
	/* the acquisition of a commuting section after it blocked: the release
	 * that woke it is no edge either (the lock is not in happens-before) */
	if (ev_kind(s, i) == DPOR_LA_LOCK)
		return prev->blocked;
	/* a grace period's end after it waited: the end of the section that
	 * woke it is no edge either (docs/dpor.md, "Grace periods as sections") */
	if (ev->kind == SIM_OP_RCU_GP_END && !s->cover)
		return prev->blocked;
	if (ev->kind != SIM_OP_WAIT && ev->kind != SIM_OP_WAIT_DONE)
		return false;
	struct dpor_foot pf = ev_foot(s, (size_t)ev->pend);
	return prev->blocked && foot_kind(&pf, s->items[ev->fp_start].obj) == SIM_OP_WAKE;
}

/*
 * Race e (at @j) < e' (at @i), reversed at node @p (@j, or the acquisition
 * dpor_lift() moved it to): make sure backtrack(p) holds an initial of v.
 */
static void race(struct sim_dpor_state *s, size_t p, size_t j, size_t i, const uint32_t *ci)
{
	struct dpor_node *n = &s->nodes[p];
	uint32_t cnt[SIM_MAX_THREADS];

	s->races++;
	for (int r = 0; r < s->nthreads; r++)
		cnt[r] = dpor_count_upto(s, r, p);
	for (uint64_t m = n->backtrack; m; m &= m - 1)
		if (is_initial(s, __builtin_ctzll(m), p, j, i, ci, cnt))
			return;
	int q = s->ev[i].tid;
	if (!(n->enabled & BIT(q)) || !is_initial(s, q, p, j, i, ci, cnt)) {
		for (q = 0; q < s->nthreads; q++)
			if ((n->enabled & BIT(q)) && is_initial(s, q, p, j, i, ci, cnt))
				break;
	}
	if (q < s->nthreads) {
		if (s->prof && !((n->backtrack | n->sleep) & BIT(q)))
			dpor_prof_alt(s, p, q);
		n->backtrack |= BIT(q);
	} else if (!woken_by_update(s, i) || ev_kind(s, i) == DPOR_LA_LOCK)
		n->backtrack |= n->enabled; /* cannot happen; stay sound if it does */
	/* else: e' is a retry that only e woke, and nothing in v wakes it
	 * before e: no reversal (another wake-up must come first, whose race
	 * with the retry brings it before e in a later execution) */
}

static void clock_join(uint32_t *c, const uint32_t *d, int n)
{
	for (int r = 0; r < n; r++)
		if (d[r] > c[r])
			c[r] = d[r];
}

/*
 * The last dependent events of @it, for the clock and the race check: a
 * read's are the updates since the last write (or that write), an update's
 * the reads since the last write (or that write), a write's both.  Events of
 * one kind before them happen before them (they are dependent with them).
 */
static unsigned int candidates(struct sim_dpor_state *s, const struct dpor_obj *o,
			       const struct dpor_fp_item *it, int tid, int32_t *out)
{
	unsigned int n = 0;
	bool rd = kind_reads(it->kind), up = kind_commutes(it->kind);
	uint64_t rm = rd ? 0 : o->rmask, um = up ? 0 : o->umask;
	if (rm || um) {
		for (uint64_t m = rm & ~BIT(tid); m; m &= m - 1)
			out[n++] = dpor_row(s, o->lastr)[__builtin_ctzll(m)];
		for (uint64_t m = um & ~BIT(tid); m; m &= m - 1)
			out[n++] = dpor_row(s, o->lastu)[__builtin_ctzll(m)];
		return n;
	}
	if (o->lastx != NO_EVENT && s->ev[o->lastx].tid != tid)
		out[n++] = o->lastx;
	return n;
}

/* ---- events ------------------------------------------------------------------ */

/*
 * wait_event's reads of its queue's generation: prepare_to_wait's, and the
 * check before sleeping.  Against a wake-up they decide only whether the
 * loop sleeps until the next wake-up or goes round at once, and the
 * condition, re-read after every wake-up, decides the rest (docs/dpor.md,
 * "Blocking"): the two orders are one execution but for a round of the loop.
 */
static bool kind_wq_check(uint8_t k)
{
	return k == SIM_OP_WAIT || k == SIM_OP_WAIT_PREPARE;
}

/*
 * Would reversing the race @a < @i on @it only trade "run after" for "block,
 * be woken, retry"?  Then both orders are one execution for every observer,
 * and the race is not reversed (docs/dpor.md, "Blocking").  The other way
 * round, a failed attempt of such an operation is left out of the object
 * table: it changed nothing, and its retry is an event of its own.
 */
static bool equivalent_reversal(const struct sim_dpor_state *s, int32_t a, size_t i,
				const struct dpor_fp_item *it)
{
	struct dpor_foot fa = ev_foot(s, (size_t)a);
	uint8_t ka = foot_kind(&fa, it->obj);
	(void)i;
	if (ka == SIM_OP_WAIT_DONE && s->ev[a].blocked && it->kind == SIM_OP_WAKE)
		return true; /* a wait that blocked, then a wake-up: see event_close() */
	/* wait_event's generation check against a wake-up, in either order
	 * (not under a covering bound: the orders may take different numbers
	 * of preemptions) */
	if (!s->cover && ((ka == SIM_OP_WAKE && kind_wq_check(it->kind)) ||
			  (kind_wq_check(ka) && it->kind == SIM_OP_WAKE)))
		return true;
	/* A thread's end, then its join: the join only depends on the end.  A
	 * write, then a poll check of what it wrote: after the check, the
	 * poller waits and the write wakes it to the round it goes on to
	 * after the write.  (A check, then a write: dpor_poll_anchor().) */
	return (ka == SIM_OP_EXIT && it->kind == SIM_OP_JOIN) || it->kind == SIM_OP_POLL_CHECK;
}

/*
 * A blocking acquisition right after a release: putting it before the release
 * would only make it block (the same execution); what matters is putting it
 * before the acquisition that release ends.  Return that event, or NO_EVENT.
 */
static int32_t released_acquire(const struct sim_dpor_state *s, int32_t a,
				const struct dpor_fp_item *it)
{
	struct dpor_foot fa = ev_foot(s, (size_t)a);
	uint8_t ka = foot_kind(&fa, it->obj);
	bool rel = ka == SIM_OP_SPIN_UNLOCK || ka == SIM_OP_MUTEX_UNLOCK || ka == SIM_OP_UP_WRITE ||
		   ka == DPOR_LA_UNLOCK;
	/* under a covering bound, not: the acquisition may be where the
	 * cheap schedule preempts (dpor.md, "A bound that covers") */
	if (!rel || s->cover ||
	    !(it->kind == SIM_OP_SPIN_LOCK || it->kind == SIM_OP_MUTEX_LOCK ||
	      it->kind == SIM_OP_DOWN_READ || it->kind == DPOR_LA_LOCK))
		return a;
	int t = s->ev[a].tid;
	for (uint32_t k = s->ev[a].lidx - 1; k-- > 0;) {
		int32_t b = s->tev[t][k];
		struct dpor_foot fb = ev_foot(s, (size_t)b);
		if (kind_acquires(foot_kind(&fb, it->obj)))
			return b;
	}
	return NO_EVENT;
}

/*
 * Event @i's place among the operations on its lock (lk_prev: the last one
 * that changed the lock, a failed attempt included as it will retry), and
 * the number of commuting sections open after it (la_open).
 */
static void lock_chain(struct sim_dpor_state *s, size_t i)
{
	struct dpor_event *ev = &s->ev[i];
	uint8_t k0 = ev_kind(s, i);
	unsigned int open = i ? s->ev[i - 1].la_open : 0;
	ev->lk_prev = NO_EVENT;
	if (ev->kind >= SIM_OP_SPIN_LOCK && ev->kind <= SIM_OP_MUTEX_UNLOCK)
		ev->lk_prev = dpor_obj_get(s, s->items[ev->fp_start].obj)->lastw;
	if (k0 == DPOR_LA_LOCK && !ev->blocked)
		open++;
	else if (k0 == DPOR_LA_UNLOCK && open)
		open--;
	ev->la_open = (uint16_t)open;
	open = i ? s->ev[i - 1].rcu_open : 0;
	if (ev->rcu == DPOR_RCU_OPEN && !s->cover)
		open++;
	else if (ev->rcu == DPOR_RCU_CLOSE && open)
		open--;
	ev->rcu_open = (uint16_t)open;
}

/*
 * @ci: the clock of e' (program order and enabling edge @pre, then its
 * @nc candidates @cand) when the race with candidate @a0 is reversed at @a:
 * a0 itself, or an earlier event of a0's thread (the acquisition of the
 * section a0 ended, or a poll anchor).  Without a0, and without the
 * candidates of that thread from @a on, which the reversal moves after e'
 * too.  (Joined, an access in the acquisition's own event would order it
 * before e' and hide the race.)  For @a == @a0 that leaves out only a0: a
 * direct race has no other candidate after a0 in its thread.
 */
static void clock_without(const struct sim_dpor_state *s, uint32_t *ci, const uint32_t *pre,
			  const int32_t *cand, unsigned int nc, int32_t a0, int32_t a, int t,
			  uint32_t lidx)
{
	int n = s->nthreads, ta = s->ev[a].tid;
	memcpy(ci, pre, n * sizeof(*ci));
	for (unsigned int l = 0; l < nc; l++)
		if (cand[l] != a0 &&
		    !(s->ev[cand[l]].tid == ta && s->ev[cand[l]].lidx >= s->ev[a].lidx))
			clock_join(ci, s->vc[cand[l]], n);
	ci[t] = lidx;
}

/* Event @i is complete: its clock, its races, the object table. */
static void event_close(struct sim_dpor_state *s, size_t i)
{
	if (i < s->keep)
		return; /* a replayed event: its clock and table entries are there */
	if (s->follow)
		s->div = SIZE_MAX; /* no races to look for */
	struct dpor_event *ev = &s->ev[i];
	uint32_t *c = s->vc[i];
	uint32_t pre[SIM_MAX_THREADS];
	struct dpor_foot fp = ev_foot(s, i);
	size_t need = (size_t)fp.n * SIM_MAX_THREADS + 1;
	if (need > s->capcand) {
		size_t cap = s->capcand;
		s->cand = grow(s->cand, &cap, need, sizeof(*s->cand));
		s->citem = realloc(s->citem, cap * sizeof(*s->citem));
		s->cobj = realloc(s->cobj, cap * sizeof(*s->cobj));
		if (!s->citem || !s->cobj)
			abort();
		s->capcand = cap;
	}
	int32_t *cand = s->cand;
	uint32_t *citem = s->citem;
	unsigned int nc = 0;
	int n = s->nthreads, t = ev->tid;

	/* its objects' entries, once all are in (they do not move then) */
	struct dpor_obj **cobj = s->cobj;
	uint32_t moves;
	do {
		moves = s->tab_moves;
		for (unsigned int k = 0; k < fp.n; k++)
			cobj[k] = dpor_obj_get(s, fp.it[k].obj);
	} while (moves != s->tab_moves);
	lock_chain(s, i); /* before the races: dpor_lift() walks from e' too */
	memset(c, 0, (size_t)s->vcw * sizeof(*c)); /* the rest is 0: event_push() */
	if (ev->lidx > 1)
		memcpy(c, s->vc[s->tev[t][ev->lidx - 2]], n * sizeof(*c));
	if (ev->pend != NO_EVENT && !woken_by_update(s, i))
		clock_join(c, s->vc[ev->pend], n);
	memcpy(pre, c, n * sizeof(*c));
	for (unsigned int k = 0; k < fp.n; k++) {
		unsigned int m = candidates(s, cobj[k], &fp.it[k], t, cand + nc);
		for (unsigned int l = 0; l < m; l++)
			citem[nc + l] = k;
		nc += m;
	}
	for (unsigned int k = 0; k < nc; k++)
		clock_join(c, s->vc[cand[k]], n);
	if (i >= s->div) {
		for (unsigned int k = 0; k < nc; k++) {
			int32_t a = cand[k];
			bool direct = !hb_before(s, a, pre);
			for (unsigned int l = 0; direct && l < nc; l++)
				if (cand[l] != a && hb_before(s, a, s->vc[cand[l]]))
					direct = false;
			if (!direct || equivalent_reversal(s, a, i, &fp.it[citem[k]]))
				continue;
			int32_t a0 = a;
			a = released_acquire(s, a, &fp.it[citem[k]]);
			if (a != NO_EVENT && s->ev[a].poll != POLL_NONE)
				a = dpor_poll_anchor(s, a, fp.it[citem[k]].obj);
			if (a == NO_EVENT)
				continue;
			/* e' without the edge from e: the others joined */
			uint32_t ci[SIM_MAX_THREADS];
			clock_without(s, ci, pre, cand, nc, a0, a, t, ev->lidx);
			if (s->prof)
				dpor_prof_race(s, (size_t)a0, i, ev->fp_start + citem[k]);
			if (!hb_before(s, a, ci))
				race(s, dpor_lift(s, (size_t)a, i, ci), (size_t)a, i, ci);
		}
	}
	c[t] = ev->lidx;
	for (unsigned int k = 0; k < fp.n; k++) {
		struct dpor_fp_item it = fp.it[k];
		/* A wait_for_completion that blocked read the count: the wake-ups
		 * after it order after it (they commute with each other, so none
		 * would otherwise), and a wake-up moved before it only makes it
		 * succeed: blocking and a retry after that wake-up, the same
		 * execution (equivalent_reversal()). */
		if (ev->blocked && it.kind == SIM_OP_WAIT_DONE)
			it.kind = SIM_OP_READ;
		else if (ev->blocked && kind_blocks_pure(it.kind) && !s->cover)
			continue; /* (a covering bound keeps it: where it blocks matters) */
		dpor_obj_update(s, cobj[k], &it, t, (int32_t)i);
	}
}

/* The node after event @i, when it is new: the sleepers its event left asleep. */
static void node_after(struct sim_dpor_state *s, size_t i)
{
	const struct dpor_node *p = &s->nodes[i];
	struct dpor_foot fp = ev_foot(s, i);
	s->nodes = grow(s->nodes, &s->capnodes, s->nnodes + 1, sizeof(*s->nodes));
	p = &s->nodes[i];
	struct dpor_node *c = &s->nodes[s->nnodes++];
	*c = (struct dpor_node){.chosen = -1,
				.pool_start = (uint32_t)s->npool,
				.sitems_start = (uint32_t)s->nsitems,
				.sub_start = s->leaves};
	c->preempts = p->preempts + preempt_cost(p, p->chosen);
	c->cdepth = p->cdepth + p->conflict;
	c->bdepth = p->bdepth + p->branching;
	if (dpor_split_pure_block(s, i) && above_split(s, p) && p->done)
		c->sleep = ~0ull; /* a later branch that only blocks: its siblings cover it */
	for (uint32_t k = 0; k < p->pool_n; k++) {
		struct dpor_sleeper sl = s->pool[p->pool_start + k];
		struct dpor_foot sf = sleeper_foot(s, &sl);
		if (sl.tid == p->chosen ||
		    (!sl.pure && !dpor_split_pure_block(s, i) && foot_dependent(&sf, &fp)))
			continue;
		*pool_push(s) = sl;
		c->sleep |= BIT(sl.tid);
		c->pool_n++;
	}
}

/*
 * The footprint kind of @t's next operation: an acquisition or release of a
 * commuting section (sim_lock_sections_commute()) is DPOR_LA_*.
 */
static uint8_t section_kind(const struct sim_thread *t)
{
	uint8_t k = t->next_op.kind;
	const struct sim_lockstate *l = t->next_op.obj;
	if ((k == SIM_OP_SPIN_LOCK || k == SIM_OP_MUTEX_LOCK) && sim_lock_sections_commute(t, l, k))
		return DPOR_LA_LOCK;
	if ((k == SIM_OP_SPIN_UNLOCK || k == SIM_OP_MUTEX_UNLOCK) && l->commuting)
		return DPOR_LA_UNLOCK;
	if (k == SIM_OP_SYNC_RCU && !sim_eng.sections_ordered)
		return DPOR_GP_START;
	return k;
}

void sim_dpor_event_end(struct sim_engine *e)
{
	struct sim_dpor_state *s = e->strat_state;
	if (!s->open)
		return;
	s->open = false;
	size_t i = s->nev - 1;
	event_close(s, i);
	if (i + 1 == s->nnodes)
		node_after(s, i);
}

/* Number the subtree this execution just reached (or the execution that
 * ended above the split): is it this shard's? */
static bool split_number(struct sim_dpor_state *s)
{
	uint64_t k = s->item = s->subtrees++;
	struct sim_split_claims *c = s->claims;
	if (!c || k >= SIM_SPLIT_CLAIMS)
		return k % s->shard_count == s->shard_index;
	/* handed out as reached: this run's --shard K/N first (worker w is
	 * shard K + N*w of N*J), then the first worker to get here */
	uint64_t n = s->shard_count / c->workers;
	if (k % n != s->shard_index % n ||
	    k > __atomic_load_n(&c->lowest_violation, __ATOMIC_ACQUIRE))
		return false;
	return !__atomic_exchange_n(&c->claimed[k], 1, __ATOMIC_ACQ_REL);
}

/*
 * The split (sim_dpor_split()): the first node at split_depth choice nodes
 * is the root of a subtree; reached for the first time, it gets the next
 * subtree number, and an execution that enters another shard's subtree is
 * abandoned there as a probe.  Return: false for a probe.
 */
static bool split_enter(struct sim_dpor_state *s, const struct dpor_node *n)
{
	if (!s->split_depth || s->in_sub || above_split(s, n))
		return true;
	s->in_sub = true;
	if (n->chosen >= 0)
		return true; /* replayed: ours, the subtree of the last execution */
	if (split_number(s))
		return true;
	s->probe = true;
	return false;
}

/*
 * Does the split count this node (threads @awake)?  When two of them
 * announce dependent operations: where they are all independent (threads
 * starting, the main thread spawning) every branch but the first is
 * sleep-set blocked at once, so the node would cut nothing.
 */
static bool split_conflict(const struct sim_engine *e, uint64_t awake)
{
	for (uint64_t a = awake; a; a &= a - 1) {
		const struct sim_thread *p = &e->threads[__builtin_ctzll(a)];
		struct dpor_fp_item x = {p->next_op.obj, (uint8_t)p->next_op.kind};
		if (kind_empty(x.kind))
			continue;
		for (uint64_t b = a & (a - 1); b; b &= b - 1) {
			const struct sim_thread *q = &e->threads[__builtin_ctzll(b)];
			struct dpor_fp_item y = {q->next_op.obj, (uint8_t)q->next_op.kind};
			if (x.obj == y.obj && !kind_empty(y.kind) &&
			    kinds_dependent(x.kind, y.kind))
				return true;
		}
	}
	return false;
}

static bool mismatch(struct sim_engine *e, size_t i)
{
	e->replay_mismatch = true;
	snprintf(e->mismatch_msg, sizeof(e->mismatch_msg),
		 "nondeterministic scenario: event %zu differs between executions", i);
	return false;
}

static void event_push(struct sim_dpor_state *s, int tid, size_t i)
{
	size_t cap = s->capev;
	s->ev = grow(s->ev, &s->capev, i + 1, sizeof(*s->ev));
	if (s->capev != cap || !s->vc) {
		size_t old = s->vc ? cap : 0;
		s->vc = realloc(s->vc, s->capev * sizeof(*s->vc));
		if (!s->vc)
			abort();
		/* event_close() clears only the first vcw entries of a clock */
		memset(s->vc + old, 0, (s->capev - old) * sizeof(*s->vc));
	}
	size_t tcap = s->captev[tid];
	s->tev[tid] = grow(s->tev[tid], &tcap, s->ntev[tid] + 1, sizeof(int32_t));
	s->captev[tid] = (uint32_t)tcap;
	s->tev[tid][s->ntev[tid]++] = (int32_t)i;
}

bool sim_dpor_event_begin(struct sim_engine *e, int next, uint64_t choices, bool yielding)
{
	struct sim_dpor_state *s = e->strat_state;
	struct sim_thread *cur = e->cur, *t = &e->threads[next];
	size_t i = s->nev;

	if (i == s->nnodes) { /* the first node */
		s->nodes = grow(s->nodes, &s->capnodes, 1, sizeof(*s->nodes));
		s->nodes[s->nnodes++] = (struct dpor_node){.chosen = -1,
							   .pool_start = (uint32_t)s->npool,
							   .sitems_start = (uint32_t)s->nsitems};
	}
	struct dpor_node *n = &s->nodes[i];
	if (!split_enter(s, n))
		return false; /* another shard's subtree */
	if (s->follow) {
		if (i < s->nfollow ? s->follow[i] != next : !s->follow_on) {
			if (s->diverged == SIZE_MAX)
				s->diverged = i;
			return false;
		}
		n->chosen = -1;	     /* no exploration stack in follow mode */
	} else if (n->chosen >= 0) { /* replayed, or the new choice at the divergence */
		if (n->enabled != choices || n->chosen != next)
			return mismatch(e, i);
	} else {
		if (n->sleep & BIT(next)) {
			s->cut_asleep = choices & n->sleep; /* sleep-set blocked */
			return false;
		}
		n->enabled = choices;
		n->chosen = next;
		n->backtrack = BIT(next);
		if (above_split(s, n)) {
			n->backtrack = choices; /* above the split: every thread */
			n->branching = __builtin_popcountll(choices & ~n->sleep) > 1;
			n->conflict = split_conflict(e, choices & ~n->sleep);
		}
		n->prev = i ? s->ev[i - 1].tid : -1;
		if (s->prof)
			dpor_prof_node(s, i);
		if (s->cover && n->prev != next)
			n->backtrack |= choices; /* a context switch: every thread */
	}
	if (yielding && cur && next != cur->id)
		cur->dpor_pend = (int32_t)i;
	s->nthreads = e->nthreads;
	if (s->nthreads > s->vcw)
		dpor_widen(s);
	if (i < s->keep) { /* replayed: the record is the last execution's */
		t->dpor_pend = NO_EVENT;
		s->nev = i + 1;
		s->open = true;
		dpor_round_begin(s, t, s->ev[i].lidx, t->next_op.kind);
		if (s->polling)
			dpor_poll_wake(s, t->next_op.obj, t->next_op.kind);
		return true;
	}
	event_push(s, next, i);
	struct dpor_event *ev = &s->ev[i];
	ev->tid = next;
	ev->lidx = s->ntev[next];
	ev->pend = t->dpor_pend;
	t->dpor_pend = NO_EVENT;
	ev->fp_start = (uint32_t)s->nitems;
	ev->fp_n = 0;
	s->fc_valid = false;
	ev->blocked = false;
	ev->glued = false;
	ev->poll = POLL_NONE;
	ev->kind = t->next_op.kind;
	ev->rcu = ev->kind == SIM_OP_RCU_LOCK && !t->rcu_nesting	 ? DPOR_RCU_OPEN
		  : ev->kind == SIM_OP_RCU_UNLOCK && t->rcu_nesting == 1 ? DPOR_RCU_CLOSE
									 : 0;
	ev->rcu_sec = ev->rcu == DPOR_RCU_OPEN ? (int32_t)i
		      : ev->rcu == DPOR_RCU_CLOSE || ev->lidx < 2
			  ? NO_EVENT
			  : s->ev[s->tev[next][ev->lidx - 2]].rcu_sec;
	s->nev = i + 1;
	s->open = true;
	dpor_round_begin(s, t, ev->lidx, t->next_op.kind);
	dpor_foot_add(s, t->next_op.obj, section_kind(t), t->next_op.name, t->next_op.site);
	return true;
}

/* The open event's announced operation on @obj, as its footprint has it, or
 * NULL (a replayed event keeps its record). */
static struct dpor_fp_item *open_op(const void *obj)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	if (!s->open || s->nev <= s->keep)
		return NULL;
	const struct dpor_event *ev = &s->ev[s->nev - 1];
	struct dpor_fp_item *it = &s->items[ev->fp_start];
	return ev->fp_n && it->obj == obj ? it : NULL;
}

/*
 * The current event's store or read-modify-write of @obj left it as it was
 * (a failed cmpxchg, a bit set that was set, a store of the value there) and
 * published nothing (no release): it was a read of @obj.  A write of another
 * value, in either order, still conflicts with it; a read does not
 * (docs/dpor.md, "Writes that change nothing").
 */
void sim_dpor_silent_slow(const void *obj)
{
	struct dpor_fp_item *it = open_op(obj);
	if (it && (it->kind == SIM_OP_WRITE || it->kind == SIM_OP_RMW))
		it->kind = SIM_OP_READ;
}

void sim_dpor_bits_silent_slow(const void *w, unsigned long mask)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	if (!s->open || s->nev <= s->keep)
		return; /* a replayed event keeps its record */
	for (; mask; mask &= mask - 1) {
		const void *obj = sim_bit_obj(w, (unsigned int)__builtin_ctzl(mask));
		struct dpor_fp_item *it = obj == w ? NULL : foot_find(s, &s->ev[s->nev - 1], obj);
		if (it && (it->kind == SIM_OP_WRITE || it->kind == SIM_OP_RMW))
			it->kind = SIM_OP_READ;
	}
}

void sim_dpor_blind_slow(const void *obj)
{
	struct dpor_fp_item *it = open_op(obj);
	if (it && it->kind == SIM_OP_RMW)
		it->kind = SIM_OP_ADD;
}

/* sim_dpor_event_split(): the current thread's next event, with no choice
 * before it.  Return: false where sim_dpor_event_begin() returns false. */
bool sim_dpor_event_next(struct sim_engine *e)
{
	struct sim_dpor_state *s = e->strat_state;
	int me = e->cur->id;
	sim_dpor_event_end(e);
	if (!sim_dpor_event_begin(e, me, BIT(me), false))
		return false;
	s->ev[s->nev - 1].glued = true;
	return true;
}

void sim_dpor_blocked(void)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	if (s->open)
		s->ev[s->nev - 1].blocked = true;
}

void sim_dpor_touch_slow(const void *obj, enum sim_op_kind kind, const char *name, const char *site)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	if (s->open && (s->nev > s->keep || s->polling)) /* (dpor_foot_add()'s early out) */
		dpor_foot_add(s, obj, (uint8_t)kind, name, site);
}

void sim_dpor_edge_slow(struct sim_thread *t)
{
	struct sim_dpor_state *s = sim_eng.strat_state;
	t->dpor_pend = s->open ? (int32_t)(s->nev - 1) : NO_EVENT;
}

/* ---- the strategy ------------------------------------------------------------ */

/* Forget the last execution's events from @keep on (the stack popped there). */
static void truncate_events(struct sim_dpor_state *s, size_t keep)
{
	dpor_obj_rollback(s, keep);
	if (keep < s->nev)
		s->nitems = s->ev[keep].fp_start;
	for (int r = 0; r < s->vcw; r++) /* no other thread ran */
		s->ntev[r] = keep ? dpor_count_upto(s, r, keep - 1) : 0;
	s->keep = keep;
}

static void dpor_begin(struct sim_engine *e, uint64_t index)
{
	struct sim_dpor_state *s = e->strat_state;
	(void)index;
	if (!s->tab)
		dpor_tab_alloc(s, 256);
	/*
	 * A split run's lock-order graph spans one subtree (and an execution
	 * that ends above the split, one of its own): the executions one
	 * process runs depend on N, a subtree's do not.  An execution that
	 * takes its new choice above the split starts another one.
	 */
	if (s->split_depth && (!s->ended || !s->nnodes || above_split(s, &s->nodes[s->nnodes - 1])))
		sim_ld_forget();
	if (!s->ended) /* no dpor_end() since the last execution: start afresh */
		truncate_events(s, 0);
	s->ended = false;
	s->nev = 0;
	s->open = false;
	s->polling = 0;
	memset(s->round, 0, sizeof(s->round));
	s->in_sub = s->probe = false;
	s->races_begin = s->races;
	s->cut_asleep = 0;
	e->sections_ordered = s->cover;
}

static int dpor_choose(struct sim_engine *e, uint64_t choices, int def, bool yielding)
{
	struct sim_dpor_state *s = e->strat_state;
	size_t i = s->nev;
	if (s->follow)
		return i < s->nfollow && (choices & BIT(s->follow[i])) ? s->follow[i] : def;
	if (i < s->nnodes && s->nodes[i].chosen >= 0)
		return s->nodes[i].chosen; /* replayed; checked in event_begin */
	uint64_t sleep = i < s->nnodes ? s->nodes[i].sleep : 0;
	if (!(sleep & BIT(def)))
		return def;
	uint64_t awake = choices & ~sleep;
	return awake ? __builtin_ctzll(awake) : def; /* none: sleep-set blocked */
}

/*
 * An execution cut short by a violation or at the step bound by an unfair
 * schedule (sched.c unfair_check()): what its other threads would have
 * done next never ran, so its races were never seen.  Their announced next
 * operations race as if they ran now (Flanagan and Godefroid check every
 * awake thread's next operation at every state): each last dependent event
 * that does not happen before the thread gets it as an alternative there,
 * or every awake thread where it was not awake.  Adds alternatives only.
 */
static void cut_races(struct sim_engine *e, struct sim_dpor_state *s)
{
	/* its violation ended it; a cut (sched.c unfair_check()) ended no thread */
	int last = e->failed ? s->ev[s->nev - 1].tid : -1;
	int32_t cand[2 * SIM_MAX_THREADS + 2];

	for (int u = 0; u < e->nthreads; u++) {
		const struct sim_thread *t = &e->threads[u];
		if (u == last || t->state == SIM_T_DONE || !t->next_op.obj)
			continue;
		struct dpor_fp_item it = {t->next_op.obj, section_kind(t)};
		uint32_t cu[SIM_MAX_THREADS] = {0};
		if (s->ntev[u])
			memcpy(cu, s->vc[s->tev[u][s->ntev[u] - 1]], sizeof(cu));
		if (t->dpor_pend != NO_EVENT)
			clock_join(cu, s->vc[t->dpor_pend], s->nthreads);
		unsigned int nc = candidates(s, dpor_obj_get(s, it.obj), &it, u, cand);
		for (unsigned int k = 0; k < nc; k++) {
			int32_t a = cand[k];
			if (hb_before(s, a, cu))
				continue;
			struct dpor_node *n = &s->nodes[a];
			n->backtrack |= n->enabled & BIT(u) ? BIT(u) : n->enabled;
		}
	}
}

void sim_dpor_exec_done(struct sim_engine *e)
{
	struct sim_dpor_state *s = e->strat_state;
	if (s->open) {
		s->open = false;
		event_close(s, s->nev - 1);
	}
	if ((e->failed || e->unfair) && s->nev && !s->follow)
		cut_races(e, s);
	/* an execution that ended above the split is a subtree of its own */
	if (s->split_depth && !s->in_sub && !split_number(s))
		s->probe = true;
	if (s->probe) { /* not counted, its races neither (the same for every N) */
		s->races = s->races_begin;
		return;
	}
	if (s->prof)
		dpor_prof_exec(s, !e->abandoned);
	if (e->abandoned)
		s->sleep_blocked++;
	else
		s->leaves++;
	s->executions++;
	if (s->nev > s->max_depth)
		s->max_depth = s->nev;
	size_t bytes = s->capnodes * sizeof(*s->nodes) + s->cappool * sizeof(*s->pool) +
		       s->capev * (sizeof(*s->ev) + sizeof(*s->vc)) +
		       s->capitems * sizeof(*s->items) + s->capsitems * sizeof(*s->sitems) +
		       (s->mask + 1) * sizeof(*s->tab) +
		       s->caplastr * s->rw * sizeof(*s->lastr_pool) + s->capundo * sizeof(*s->undo);
	if (bytes > s->bookkeeping)
		s->bookkeeping = bytes;
}

/* The branch just explored at node @j goes to sleep there, with its footprint. */
static void sleeper_push(struct sim_dpor_state *s, size_t j)
{
	struct dpor_sleeper *sl = pool_push(s);
	struct dpor_node *n = &s->nodes[j];
	sl->tid = n->chosen;
	sl->origin = (uint32_t)j;
	sl->pure = dpor_split_pure_block(s, j);
	if (sl->pure && above_split(s, n) && !n->done)
		n->done = n->enabled; /* the first branch only blocked: it covers all */
	struct dpor_foot f = ev_foot(s, j);
	sl->start = (uint32_t)s->nsitems;
	sl->n = f.n;
	s->sitems = grow(s->sitems, &s->capsitems, s->nsitems + f.n + 1, sizeof(*s->sitems));
	memcpy(s->sitems + s->nsitems, s->items + s->ev[j].fp_start, f.n * sizeof(*s->sitems));
	s->nsitems += f.n;
	n->pool_n++;
}

/* Backtrack: the deepest node with a thread left to explore. */
static bool dpor_end(struct sim_engine *e)
{
	struct sim_dpor_state *s = e->strat_state;
	if (s->follow)
		return false;
	s->ended = true;
	if (s->knuth)
		s->est_sum += dpor_knuth_estimate(s);
	if (!s->probe)
		s->estimate = dpor_tree_estimate(s, !e->abandoned);
	if (e->replay_mismatch)
		return false;
	while (s->nnodes) {
		size_t j = s->nnodes - 1;
		struct dpor_node *n = &s->nodes[j];
		if (n->chosen < 0 || j >= s->nev) {
			s->npool = n->pool_start;
			s->nsitems = n->sitems_start;
			s->nnodes--;
			continue;
		}
		if (!(n->done & BIT(n->chosen))) {
			if (!s->cover) /* a covering bound keeps no sleep sets */
				sleeper_push(s, j);
			n->done |= BIT(n->chosen);
		}
		uint64_t cand = n->backtrack & n->enabled & ~n->done & ~n->sleep;
		for (; cand; cand &= cand - 1) {
			int q = __builtin_ctzll(cand);
			if (s->bound != UINT32_MAX && n->preempts + preempt_cost(n, q) > s->bound) {
				n->done |= BIT(q); /* beyond the bound: not explored */
				s->cut++;
				continue;
			}
			if (s->cover && q != n->prev)
				n->backtrack |= n->enabled; /* a context switch: every thread */
			n->sub_done += s->leaves - n->sub_start; /* the branch just done */
			n->nsub++;
			n->sub_start = s->leaves;
			n->chosen = q;
			if (s->prof)
				dpor_prof_take(s, j, q);
			s->div = j;
			s->nnodes = j + 1;
			truncate_events(s, j);
			return true;
		}
		s->npool = n->pool_start;
		s->nsitems = n->sitems_start;
		s->nnodes--;
	}
	return false;
}

struct sim_dpor_state *sim_dpor_new(unsigned int preemption_bound, bool cover)
{
	struct sim_dpor_state *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->bound = preemption_bound;
	s->cover = cover && preemption_bound != UINT32_MAX;
	s->diverged = SIZE_MAX;
	s->rw = 4;
	return s;
}

void sim_dpor_free(struct sim_dpor_state *s)
{
	if (!s)
		return;
	free(s->nodes);
	free(s->pool);
	free(s->ev);
	free(s->vc);
	free(s->items);
	free(s->sitems);
	free(s->cand);
	free(s->citem);
	free(s->cobj);
	free(s->tab);
	free(s->lastr_pool);
	free(s->undo);
	dpor_prof_free(s->prof);
	for (int t = 0; t < SIM_MAX_THREADS; t++) {
		free(s->tev[t]);
		free(s->pollset[t]);
	}
	free(s);
}

void sim_dpor_split(struct sim_dpor_state *s, unsigned int depth, uint64_t index, uint64_t count)
{
	s->split_depth = depth;
	s->shard_index = count > 1 ? index : 0;
	s->shard_count = count > 1 ? count : 1;
}

void sim_dpor_claims(struct sim_dpor_state *s, struct sim_split_claims *claims)
{
	s->claims =
	    s->split_depth && claims && claims->workers && s->shard_count % claims->workers == 0
		? claims
		: NULL;
}

void sim_dpor_claims_violation(const struct sim_dpor_state *s)
{
	uint64_t k = s->item, low;
	if (!s->claims)
		return;
	low = __atomic_load_n(&s->claims->lowest_violation, __ATOMIC_RELAXED);
	while (k < low && !__atomic_compare_exchange_n(&s->claims->lowest_violation, &low, k, false,
						       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
}

bool sim_dpor_claims_past(const struct sim_dpor_state *s)
{
	return s->claims &&
	       s->item > __atomic_load_n(&s->claims->lowest_violation, __ATOMIC_ACQUIRE);
}

uint64_t sim_dpor_item(const struct sim_dpor_state *s)
{
	return s->split_depth ? s->item : SIM_NO_ITEM;
}

const struct sim_strategy_ops sim_dpor_ops = {
    .name = "dpor",
    .begin = dpor_begin,
    .choose = dpor_choose,
    .end = dpor_end,
};
