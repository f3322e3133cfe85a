// SPDX-License-Identifier: MIT
/*
 * dpor's reversal points (docs/dpor.md, "Critical sections" and "Grace
 * periods as sections"): the events of v = notdep(e, E).e' for a race e < e',
 * and where the race is reversed when v would only block at pre(E, e), on a
 * commuting section's lock another thread holds there or on a read section
 * a grace period of v would wait for.
 */
#include "engine.h"

#include "dpor_internal.h"

/* Number of thread @r's events at positions <= @j. */
uint32_t dpor_count_upto(const struct sim_dpor_state *s, int r, size_t j)
{
	uint32_t lo = 0, hi = s->ntev[r];
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if ((size_t)s->tev[r][mid] <= j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Is event @x in v = notdep(e, E).e' reversed at node @p <= @j (e at @j, e'
 * at @i, whose clock without e is @ci)?  After @p, not happening after e
 * nor after the event at @p (the acquisition a race inside a section is
 * lifted to: dpor_lift()); e' is, unless it happens after the event at @p.
 */
bool dpor_in_v(const struct sim_dpor_state *s, size_t p, size_t j, size_t i, const uint32_t *ci,
	       size_t x)
{
	if (x <= p || x > i)
		return false;
	const uint32_t *cx = x == i ? ci : s->vc[x];
	if (x != i && hb_before(s, (int32_t)j, cx))
		return false;
	return p == j || !hb_before(s, (int32_t)p, cx);
}

/*
 * The acquisition of the lock event @f takes that another thread made
 * before position @p and had not released there, or NO_EVENT (free at @p).
 * *@rel: the first operation on the lock at or after @p (the holder's
 * release), @f itself when there is none before it.  A trylock on the
 * chain counts as an acquisition (it may have failed: lifting too far is
 * sound).
 */
static int32_t lock_holder(const struct sim_dpor_state *s, size_t f, size_t p, int32_t *rel)
{
	int32_t g = s->ev[f].lk_prev, next = (int32_t)f;
	while (g != NO_EVENT && (size_t)g >= p) {
		next = g;
		g = s->ev[g].lk_prev;
	}
	*rel = next;
	if (g == NO_EVENT || s->ev[g].tid == s->ev[f].tid || !kind_acquires(ev_kind(s, (size_t)g)))
		return NO_EVENT;
	return g;
}

/*
 * Event @x of v at node @p is a grace period's end (or a retry of it): the
 * outermost rcu_read_lock() of a read section it would wait for there and
 * that does not end in v, or @p.  It waits for a section of another thread
 * open at @p that began before its start (the start at or after @p is in
 * v, after every section open at @p).  Not under a covering bound: there
 * the start is ordered with every rcu_read_lock() (docs/dpor.md, "Grace
 * periods as sections").
 */
static size_t gp_blocker(const struct sim_dpor_state *s, size_t x, size_t p, size_t j, size_t i,
			 const uint32_t *ci)
{
	int g = s->ev[x].tid;
	uint32_t l = s->ev[x].lidx - 1;
	while (l > 0 && s->ev[s->tev[g][l - 1]].kind == SIM_OP_RCU_GP_END)
		l--;
	if (l == 0 || s->ev[s->tev[g][l - 1]].kind != SIM_OP_SYNC_RCU)
		return p;
	size_t gs = (size_t)s->tev[g][l - 1], np = p;
	for (int r = 0; r < s->nthreads; r++) {
		uint32_t c = dpor_count_upto(s, r, p - 1);
		if (r == g || c == 0)
			continue;
		int32_t open = s->ev[s->tev[r][c - 1]].rcu_sec;
		if (open == NO_EVENT || (size_t)open > gs || (size_t)open >= np)
			continue;
		uint32_t k = c;
		while (k < s->ntev[r] && s->ev[s->tev[r][k]].rcu != DPOR_RCU_CLOSE)
			k++;
		if (k == s->ntev[r] || !dpor_in_v(s, p, j, i, ci, (size_t)s->tev[r][k]))
			np = (size_t)open; /* it would wait for a section v does not end */
	}
	return np;
}

/*
 * Where the race e (at @j) < e' (at @i) is reversed (docs/dpor.md,
 * "Critical sections").  At pre(E, e), unless an event of v takes a lock of
 * a commuting section that another thread holds there and releases only
 * after e (or after what the reversal point is moved to): then v would only
 * block there, and the race is reversed before that section's acquisition,
 * with v taken from there; repeated until no lock of v is held.
 */
size_t dpor_lift(const struct sim_dpor_state *s, size_t j, size_t i, const uint32_t *ci)
{
	size_t p = j;
	for (;;) {
		if (!p || (!s->ev[p - 1].la_open && !s->ev[p - 1].rcu_open))
			return p; /* no commuting section open at pre(E, p) */
		bool rcu = s->ev[p - 1].rcu_open;
		size_t np = p;
		int tp = s->ev[p].tid;
		for (int r = 0; r < s->nthreads; r++) {
			if (r == tp)
				continue;
			for (uint32_t k = dpor_count_upto(s, r, p); k < s->ntev[r]; k++) {
				size_t x = (size_t)s->tev[r][k];
				if (!dpor_in_v(s, p, j, i, ci, x))
					break; /* and so are its later events */
				int32_t rel, g;
				if (ev_kind(s, x) == DPOR_LA_LOCK &&
				    (g = lock_holder(s, x, p, &rel)) != NO_EVENT &&
				    ((size_t)rel == x || !dpor_in_v(s, p, j, i, ci, (size_t)rel)) &&
				    (size_t)g < np)
					np = (size_t)g;
				if (rcu && s->ev[x].kind == SIM_OP_RCU_GP_END) {
					size_t b = gp_blocker(s, x, p, j, i, ci);
					np = b < np ? b : np;
				}
				if (x == i)
					break;
			}
		}
		if (np == p)
			return p;
		p = np;
	}
}
