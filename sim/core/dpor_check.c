// SPDX-License-Identifier: MIT
/*
 * The dpor strategy's side of the soundness self-check (--por-check,
 * explore.c's por_check()): the last execution's events, another
 * linearization of its happens-before that the engine can run, and the
 * follow mode that runs one (docs/dpor.md, "The soundness self-check").
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpor_internal.h"

struct sim_dpor_state *sim_dpor_follow(const struct sim_dpor_state *like, const int *seq, size_t n)
{
	struct sim_dpor_state *s = sim_dpor_new(UINT32_MAX, false);
	s->cover = like->cover; /* no bound: a follow run has no choices */
	s->follow = seq;
	s->nfollow = n;
	s->diverged = SIZE_MAX;
	return s;
}

void sim_dpor_follow_on(struct sim_dpor_state *s)
{
	s->follow_on = true;
}

size_t sim_dpor_diverged(const struct sim_dpor_state *s)
{
	if (s->diverged == SIZE_MAX && s->nev != s->nfollow)
		return s->nev < s->nfollow ? s->nev : s->nfollow;
	return s->diverged;
}

bool sim_dpor_probe(const struct sim_dpor_state *s)
{
	return s->probe;
}

uint64_t sim_dpor_subtrees(const struct sim_dpor_state *s)
{
	return s->subtrees;
}

size_t sim_dpor_events(const struct sim_dpor_state *s, int **seq)
{
	*seq = malloc((s->nev + 1) * sizeof(**seq));
	if (!*seq)
		abort();
	for (size_t i = 0; i < s->nev; i++)
		(*seq)[i] = s->ev[i].tid;
	return s->nev;
}

static const char *const op_names[SIM_OP__COUNT] = {
    [SIM_OP_NONE] = "start",
    [SIM_OP_READ] = "read",
    [SIM_OP_WRITE] = "write",
    [SIM_OP_RMW] = "read-modify-write",
    [SIM_OP_ADD] = "atomic_add",
    [SIM_OP_OR] = "set_bit",
    [SIM_OP_SPIN_LOCK] = "spin_lock",
    [SIM_OP_SPIN_TRYLOCK] = "spin_trylock",
    [SIM_OP_SPIN_UNLOCK] = "spin_unlock",
    [SIM_OP_MUTEX_LOCK] = "mutex_lock",
    [SIM_OP_MUTEX_TRYLOCK] = "mutex_trylock",
    [SIM_OP_MUTEX_UNLOCK] = "mutex_unlock",
    [SIM_OP_DOWN_READ] = "down_read",
    [SIM_OP_DOWN_READ_TRYLOCK] = "down_read_trylock",
    [SIM_OP_UP_READ] = "up_read",
    [SIM_OP_DOWN_WRITE] = "down_write",
    [SIM_OP_DOWN_WRITE_TRYLOCK] = "down_write_trylock",
    [SIM_OP_UP_WRITE] = "up_write",
    [SIM_OP_WAIT_PREPARE] = "prepare_to_wait",
    [SIM_OP_WAIT] = "wait_event",
    [SIM_OP_WAIT_DONE] = "wait_for_completion",
    [SIM_OP_DONE_CHECK] = "completion_done",
    [SIM_OP_WAKE] = "wake_up",
    [SIM_OP_RCU_LOCK] = "rcu_read_lock",
    [SIM_OP_RCU_UNLOCK] = "rcu_read_unlock",
    [SIM_OP_SYNC_RCU] = "synchronize_rcu",
    [SIM_OP_CALL_RCU] = "call_rcu",
    [SIM_OP_RCU_BARRIER] = "rcu_barrier",
    [SIM_OP_RCU_GP_END] = "grace period end",
    [SIM_OP_SPAWN] = "spawn",
    [SIM_OP_JOIN] = "join",
    [SIM_OP_EXIT] = "exit",
    [SIM_OP_YIELD] = "yield",
    [SIM_OP_ALLOC] = "alloc",
    [SIM_OP_POLL_CHECK] = "poll-check",
    [SIM_OP_RCU_WAITED] = "write",
};

const char *sim_dpor_op_name(uint8_t kind)
{
	if (kind == DPOR_LA_LOCK)
		return "lock";
	if (kind == DPOR_LA_UNLOCK)
		return "unlock";
	if (kind == DPOR_GP_START)
		return "synchronize_rcu";
	return kind < SIM_OP__COUNT && op_names[kind] ? op_names[kind] : "operation";
}

void sim_dpor_describe(const struct sim_dpor_state *s, size_t i, char *buf, size_t len)
{
	const struct dpor_event *ev = &s->ev[i];
	snprintf(buf, len, "event %zu, thread %d (%s, its event %u)", i, ev->tid,
		 op_names[ev->kind], ev->lidx);
}

/*
 * Another topological order of the last execution's happens-before, which the
 * engine can run: an event that a blocked or yielding thread's next event
 * waits for (its pend) comes after that thread's blocking or yielding event;
 * a yield that went on at once (nobody else could run) stays where it was,
 * every event before it first, its continuation right after it, and so does
 * an event at whose end a poll-blocked poller went on (poll_wakers()); an event
 * with no scheduling point before it (glued) comes right after its thread's
 * previous one, which waits for what the glued one happens after; a grace
 * period's start stays after the read sections' ends that came before it
 * (dpor takes them as independent, but the other order makes the grace
 * period wait, which changes its thread's events, not the state).
 */
static bool yield_alone(const struct sim_dpor_state *s, size_t y)
{
	return s->ev[y].kind == SIM_OP_YIELD && s->ev[y].pend == NO_EVENT && s->ev[y].lidx > 1;
}

/*
 * The events at whose end a poller that the polling rule blocked went on
 * (its enabling edge), into @waker: a write of its poll set woke it, or
 * nobody else could run at the yield that ended the event (sched.c,
 * poll_wake_all()), which depends on where every other thread is, not on
 * happens-before.  The linearizations keep such an event where it was,
 * every event before it first.
 */
static void poll_wakers(const struct sim_dpor_state *s, bool *waker)
{
	for (size_t y = 0; y < s->nev; y++) {
		const struct dpor_event *ev = &s->ev[y];
		if (ev->pend != NO_EVENT && ev->lidx > 1 &&
		    s->ev[s->tev[ev->tid][ev->lidx - 2]].poll == POLL_BLOCKED)
			waker[ev->pend] = true;
	}
}

/* @q before @pick?  0: the highest thread first; 1: the main thread while it
 * can go on (it spawns the others), then the highest; 2: main, then the lowest. */
static bool better(int variant, int q, int pick)
{
	if (variant == 0)
		return q > pick;
	if (q == 0 || pick == 0)
		return q == 0;
	return variant == 1 ? q > pick : q < pick;
}

/*
 * Must @f of @q wait for an event of another thread that came before it: a
 * grace period's start for the read sections' ends and outermost
 * rcu_read_lock()s before it, such an rcu_read_lock() or a section's end
 * for the starts before it?  Either order is one class for dpor, but the
 * grace period waits for the sections in progress at its start only, which
 * changes its thread's events and the section's end, not the state; the
 * check replays events one for one.
 */
static bool gp_waits(const struct sim_dpor_state *s, size_t f, int q, const uint32_t *done)
{
	bool start = s->ev[f].kind == SIM_OP_SYNC_RCU,
	     open = s->ev[f].rcu == DPOR_RCU_OPEN || s->ev[f].kind == SIM_OP_RCU_UNLOCK;
	if (!start && !open)
		return false;
	for (int r = 0; r < s->nthreads; r++) {
		const int32_t *ev = s->tev[r];
		for (uint32_t k = done[r]; r != q && k < s->ntev[r] && (size_t)ev[k] < f; k++) {
			const struct dpor_event *x = &s->ev[ev[k]];
			if (start ? x->kind == SIM_OP_RCU_UNLOCK || x->rcu == DPOR_RCU_OPEN
				  : x->kind == SIM_OP_SYNC_RCU)
				return true;
		}
	}
	return false;
}

/*
 * The orders of a grace period's end that happens-before leaves out where
 * read sections commute with grace periods (docs/dpor.md, "Grace periods as
 * sections"): a retry after the section's end that woke it (its enabling
 * edge, woken_by_update()), and the end after the ends of the sections it
 * waited for (the marks it reads).  Added to *@pairs (@np of @cap).
 */
static size_t gp_orders(const struct sim_dpor_state *s, uint32_t *need, int32_t (**pairs)[2],
			size_t np, size_t *cap)
{
	for (size_t y = 0; y < s->nev; y++) {
		const struct dpor_event *ev = &s->ev[y];
		if (ev->kind != SIM_OP_RCU_GP_END)
			continue;
		if (ev->pend != NO_EVENT) {
			*pairs = grow(*pairs, cap, np + 1, sizeof(**pairs));
			(*pairs)[np][0] = ev->pend;
			(*pairs)[np++][1] = (int32_t)y;
			need[y]++;
		}
		for (uint32_t k = 0; k < ev->fp_n; k++) {
			const void *mark = s->items[ev->fp_start + k].obj;
			for (size_t x = y; x-- > 0;) {
				struct dpor_foot fx = ev_foot(s, x);
				if (foot_kind(&fx, mark) != SIM_OP_RCU_WAITED)
					continue;
				*pairs = grow(*pairs, cap, np + 1, sizeof(**pairs));
				(*pairs)[np][0] = (int32_t)x;
				(*pairs)[np++][1] = (int32_t)y;
				need[y]++;
				break;
			}
		}
	}
	return np;
}

/* A failed acquisition of a commuting section: left out of the linearization,
 * which runs the section when the lock is free (no blocking, no wake-up). */
static bool la_attempt(const struct sim_dpor_state *s, size_t f)
{
	return s->ev[f].blocked && ev_kind(s, f) == DPOR_LA_LOCK;
}

/* A commuting section of the last execution: its lock, acquisition, release. */
struct la_section {
	const void *lock;
	int32_t acq, rel; /* rel: NO_EVENT while held at the end */
};

/*
 * The orders of commuting sections that happens-before implies without lock
 * edges (section a before section b of one lock when b's contents happen
 * after a's acquisition): pairs (a's release, b's acquisition), counted in
 * @need; then gp_orders()'s.  Return: the number of pairs in *pairs (malloc'd).
 */
static size_t la_orders(const struct sim_dpor_state *s, uint32_t *need, int32_t (**pairs)[2])
{
	size_t n = s->nev, ns = 0, np = 0, cap = 0;
	struct la_section *sec = malloc((n + 1) * sizeof(*sec));
	*pairs = NULL;
	if (!sec)
		abort();
	for (size_t f = 0; f < n; f++) {
		uint8_t k = ev_kind(s, f);
		const void *lock = kind_la(k) ? s->items[s->ev[f].fp_start].obj : NULL;
		if (k == DPOR_LA_LOCK && !s->ev[f].blocked)
			sec[ns++] = (struct la_section){lock, (int32_t)f, NO_EVENT};
		for (size_t a = ns; k == DPOR_LA_UNLOCK && a-- > 0;)
			if (sec[a].lock == lock && sec[a].rel == NO_EVENT &&
			    s->ev[sec[a].acq].tid == s->ev[f].tid) {
				sec[a].rel = (int32_t)f;
				break;
			}
	}
	for (size_t b = 0; b < ns; b++) {
		int tb = s->ev[sec[b].acq].tid;
		size_t end = sec[b].rel != NO_EVENT ? (size_t)sec[b].rel
						    : (size_t)s->tev[tb][s->ntev[tb] - 1];
		for (size_t a = 0; a < b; a++) {
			int ta = s->ev[sec[a].acq].tid;
			if (sec[a].lock != sec[b].lock || ta == tb || sec[a].rel == NO_EVENT ||
			    s->vc[end][ta] < s->ev[sec[a].acq].lidx)
				continue;
			*pairs = grow(*pairs, &cap, np + 1, sizeof(**pairs));
			(*pairs)[np][0] = sec[a].rel;
			(*pairs)[np++][1] = sec[b].acq;
			need[sec[b].acq]++;
		}
	}
	free(sec);
	return gp_orders(s, need, pairs, np, &cap);
}

/* May event @f of thread @q take its commuting section's lock now? */
static bool la_free(const struct sim_dpor_state *s, size_t f, int q, const void **held,
		    const int *holder, unsigned int nheld)
{
	if (ev_kind(s, f) != DPOR_LA_LOCK)
		return true;
	for (unsigned int k = 0; k < nheld; k++)
		if (held[k] == s->items[s->ev[f].fp_start].obj && holder[k] != q)
			return false;
	return true;
}

/* Event @f was put in the order: the locks of commuting sections held. */
static void la_note(const struct sim_dpor_state *s, size_t f, int q, const void **held, int *holder,
		    unsigned int *nheld)
{
	uint8_t k = ev_kind(s, f);
	const void *lock = kind_la(k) ? s->items[s->ev[f].fp_start].obj : NULL;
	if (k == DPOR_LA_LOCK && *nheld < SIM_MAX_THREADS * 4) {
		held[*nheld] = lock;
		holder[(*nheld)++] = q;
	}
	for (unsigned int i = 0; k == DPOR_LA_UNLOCK && i < *nheld; i++)
		if (held[i] == lock && holder[i] == q) {
			held[i] = held[--*nheld];
			holder[i] = holder[*nheld];
			break;
		}
}

size_t sim_dpor_linearize(const struct sim_dpor_state *s, int variant, int **seq)
{
	size_t n = s->nev, out = 0, used = 0;
	uint32_t done[SIM_MAX_THREADS] = {0};
	uint32_t *need = calloc(n + 1, sizeof(*need));
	const void *held[SIM_MAX_THREADS * 4];
	int holder[SIM_MAX_THREADS * 4], forced = -1;
	unsigned int nheld = 0;
	int32_t(*pairs)[2];

	bool *waker = calloc(n + 1, sizeof(*waker));
	*seq = malloc((n + 1) * sizeof(**seq));
	if (!*seq || !need || !waker)
		abort();
	poll_wakers(s, waker);
	for (size_t y = 0; y < n; y++)
		if (s->ev[y].pend != NO_EVENT && s->ev[y].lidx > 1 &&
		    !la_attempt(s, (size_t)s->tev[s->ev[y].tid][s->ev[y].lidx - 2]))
			need[s->ev[y].pend]++; /* the thread's previous event first */
	size_t npairs = la_orders(s, need, &pairs);
	while (used < n) {
		int pick = -1;
		for (int q = 0; q < s->nthreads; q++) {
			while (done[q] < s->ntev[q] && la_attempt(s, (size_t)s->tev[q][done[q]])) {
				done[q]++; /* it would not block: left out */
				used++;
			}
			if (done[q] >= s->ntev[q])
				continue;
			size_t f = (size_t)s->tev[q][done[q]];
			bool ready = !need[f] && (forced < 0 || q == forced) &&
				     la_free(s, f, q, held, holder, nheld) &&
				     !gp_waits(s, f, q, done);
			if (ready && f + 1 < n && s->ev[f].lidx < s->ntev[q] &&
			    yield_alone(s, (size_t)s->tev[q][s->ev[f].lidx]))
				ready = used == f; /* a barrier: everything before it first */
			if (ready && waker[f])
				ready = used == f; /* so too where a poller went on */
			size_t g =
			    s->ev[f].lidx < s->ntev[q] ? (size_t)s->tev[q][s->ev[f].lidx] : f;
			for (int r = 0; ready && r < s->nthreads; r++)
				if (r != q && (s->vc[f][r] > done[r] ||
					       (s->ev[g].glued && s->vc[g][r] > done[r])))
					ready = false;
			if (!ready)
				continue;
			if (pick < 0 || better(variant, q, pick))
				pick = q;
		}
		if (pick < 0)
			break; /* stuck (the execution itself is one: cannot happen without
				  sections) */
		size_t f = (size_t)s->tev[pick][done[pick]++];
		(*seq)[out++] = pick;
		used++;
		forced = -1;
		la_note(s, f, pick, held, holder, &nheld);
		for (size_t k = 0; k < npairs; k++)
			if ((size_t)pairs[k][0] == f)
				need[pairs[k][1]]--;
		if (s->ev[f].lidx < s->ntev[pick]) {
			size_t y = (size_t)s->tev[pick][s->ev[f].lidx];
			if (s->ev[y].pend != NO_EVENT)
				need[s->ev[y].pend]--;
			if (yield_alone(s, y) || s->ev[y].glued)
				forced = pick;
		}
	}
	free(need);
	free(waker);
	free(pairs);
	return used < n ? SIZE_MAX : out;
}

uint64_t sim_dpor_cut_asleep(const struct sim_dpor_state *s)
{
	return s->probe || s->follow ? 0 : s->cut_asleep;
}

/* The first pair of items of @a and @b that are dependent: *ia, *ib. */
static bool dependent_pair(const struct dpor_foot *a, const struct dpor_foot *b, uint32_t *ia,
			   uint32_t *ib)
{
	for (*ia = 0; *ia < a->n; ++*ia)
		for (*ib = 0; *ib < b->n; ++*ib)
			if (a->it[*ia].obj == b->it[*ib].obj &&
			    kinds_dependent_strict(a->it[*ia].kind, b->it[*ib].kind))
				return true;
	return false;
}

/*
 * The sleepers' check (docs/dpor.md, "The soundness self-check"): @f followed
 * the last execution of @d, which was sleep-set blocked, and then ran @tid's
 * next event, asleep there.  Asleep since node origin, the thread has not
 * run, and every event since was independent of the footprint it was put to
 * sleep with; so, in a sound model, its event here is that one and is
 * independent of all of them.  One it depends on is an order the sleep set
 * skipped: the footprint holds in one order only (an addition marked by its
 * own result, say).  Return: true, and @msg naming the two operations.
 */
bool sim_dpor_sleeper_check(const struct sim_dpor_state *d, const struct sim_dpor_state *f, int tid,
			    char *msg, size_t len)
{
	size_t n = d->nev;
	const struct dpor_node *nd = &d->nodes[n];
	const struct dpor_sleeper *sl = NULL;

	for (uint32_t k = 0; k < nd->pool_n; k++)
		if (d->pool[nd->pool_start + k].tid == tid)
			sl = &d->pool[nd->pool_start + k];
	if (!sl || sl->pure || f->nev <= n || f->ev[n].tid != tid)
		return false;
	struct dpor_foot now = ev_foot(f, n), then = sleeper_foot(d, sl);
	for (size_t k = sl->origin; k < n; k++) {
		struct dpor_foot fk = ev_foot(f, k);
		uint32_t a, b;
		/* a split run's failed pure attempt wakes no sleeper (node_after()) */
		if (dpor_split_pure_block(d, k) || !dependent_pair(&now, &fk, &a, &b))
			continue;
		char tx[160], ty[160];
		uint8_t was = foot_kind(&then, now.it[a].obj);
		dpor_prof_item_text(f, f->ev[n].fp_start + a, now.it[a].kind, tid, tx, sizeof(tx));
		dpor_prof_item_text(f, f->ev[k].fp_start + b, fk.it[b].kind, f->ev[k].tid, ty,
				    sizeof(ty));
		snprintf(msg, len,
			 "dpor self-check: %s stayed asleep across %s (event %zu), which it "
			 "depends on in this order; it was put to sleep as %s: a footprint that "
			 "holds in one order only",
			 tx, ty, k, was == SIM_OP_NONE ? "not touching it" : sim_dpor_op_name(was));
		return true;
	}
	return false;
}

/*
 * An item's kind as the comparison sees it: a lock operation is one kind
 * whether its section commutes (DPOR_LA_*) or not.  Which it is follows the
 * locks the thread holds, not the order of the threads (a follow run has
 * its exploration's mode: sim_dpor_follow()).
 */
static uint8_t kind_norm(uint8_t k)
{
	if (k == DPOR_LA_LOCK || k == SIM_OP_MUTEX_LOCK)
		return SIM_OP_SPIN_LOCK;
	if (k == DPOR_LA_UNLOCK || k == SIM_OP_MUTEX_UNLOCK)
		return SIM_OP_SPIN_UNLOCK;
	return k;
}

static bool item_same(const struct dpor_fp_item *a, const struct dpor_fp_item *b)
{
	return a->obj == b->obj && kind_norm(a->kind) == kind_norm(b->kind);
}

/* The first item of @a that @b does not hold (the same object and kind), or a->n. */
static uint32_t foot_missing(const struct dpor_foot *a, const struct dpor_foot *b)
{
	uint32_t k = 0;
	for (; k < a->n; k++) {
		uint32_t i = 0;
		while (i < b->n && !item_same(&b->it[i], &a->it[k]))
			i++;
		if (i == b->n)
			break;
	}
	return k;
}

/* @a and @b hold the same items in the same order. */
static bool foot_same_order(const struct dpor_foot *a, const struct dpor_foot *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t k = 0; k < a->n; k++)
		if (!item_same(&a->it[k], &b->it[k]))
			return false;
	return true;
}

/* The next event of @tid at or after @i that did not block, or @s->nev. */
static size_t next_ran(const struct sim_dpor_state *s, int tid, size_t i)
{
	while (i < s->nev && (s->ev[i].tid != tid || s->ev[i].blocked))
		i++;
	return i;
}

/*
 * The footprints' check (docs/dpor.md, "The soundness self-check"): @f
 * followed another linearization of @d's last execution and ended in the same
 * state.  Each event that ran (did not block) read the same values in both
 * orders, so in a sound model it acted on the same objects in the same ways.
 * An item one has and the other lacks is a classification that holds in one
 * order only: dpor judged the event's dependence by what it did in the order
 * it ran, and another execution may order it differently.  Events are
 * matched by thread and position among the thread's events that did not
 * block (a linearization leaves out failed attempts).  Return: true, and
 * @msg naming the event and the item.
 */
bool sim_dpor_footprint_check(const struct sim_dpor_state *d, const struct sim_dpor_state *f,
			      char *msg, size_t len)
{
	for (int t = 0; t < SIM_MAX_THREADS; t++) {
		size_t i = next_ran(d, t, 0), j = next_ran(f, t, 0);
		for (; i < d->nev && j < f->nev;
		     i = next_ran(d, t, i + 1), j = next_ran(f, t, j + 1)) {
			const struct sim_dpor_state *s = d;
			struct dpor_foot a = ev_foot(d, i), b = ev_foot(f, j);
			size_t e = i, other = j;
			if (foot_same_order(&a, &b))
				continue; /* the usual case, linear; foot_missing() is quadratic */
			uint32_t k = foot_missing(&a, &b);
			if (k == a.n) { /* nothing of d's missing in f: the other way */
				s = f, e = j, other = i;
				a = b, b = ev_foot(d, i);
				if ((k = foot_missing(&a, &b)) == a.n)
					continue;
			}
			char tx[160];
			dpor_prof_item_text(s, s->ev[e].fp_start + k, a.it[k].kind, t, tx,
					    sizeof(tx));
			snprintf(
			    msg, len,
			    "dpor self-check: %s is in event %zu (%s) of one linearization of "
			    "the execution's partial order and not in the same event of another "
			    "(event %zu), which ended in the same state: the event's footprint "
			    "depends on the order, through an access dpor does not see "
			    "(annotate it)",
			    tx, e, sim_dpor_op_name(s->ev[e].kind), other);
			return true;
		}
	}
	return false;
}
