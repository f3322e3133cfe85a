// SPDX-License-Identifier: MIT
/*
 * dpor's object table: for each object, the last events that touched it
 * (the candidates of a race, dpor.c's candidates()), kept across executions
 * and rolled back to the divergence by an undo log, and the rows of each
 * thread's last read or update of it (docs/dpor.md, "The algorithm, and
 * why": the replayed prefix, and memory).
 */
#include <stdlib.h>
#include <string.h>

#include "dpor_internal.h"

void dpor_tab_alloc(struct sim_dpor_state *s, uint32_t slots)
{
	s->tab = calloc(slots, sizeof(*s->tab));
	if (!s->tab)
		abort();
	s->mask = slots - 1;
	s->used = 0;
}

/* Twice the slots: the entries move (tab_moves counts it), the undo log's with them. */
static void tab_grow(struct sim_dpor_state *s)
{
	struct dpor_obj *old = s->tab;
	uint32_t slots = s->mask + 1;
	s->tab_moves++;
	dpor_tab_alloc(s, 2 * slots);
	for (uint32_t i = 0; i < slots; i++)
		if (old[i].obj) {
			uint32_t h = obj_hash(old[i].obj) & s->mask;
			while (s->tab[h].obj)
				h = (h + 1) & s->mask;
			s->tab[h] = old[i];
			old[i].lastr = h; /* where it went, for the undo log */
			s->used++;
		}
	for (size_t k = 0; k < s->nundo; k++)
		s->undo[k].o = &s->tab[s->undo[k].o->lastr];
	free(old);
}

/* @obj's entry, a new one if it has none (only then do the entries move). */
struct dpor_obj *dpor_obj_get(struct sim_dpor_state *s, const void *obj)
{
	uint32_t h = obj_hash(obj) & s->mask;
	while (s->tab[h].obj && s->tab[h].obj != obj)
		h = (h + 1) & s->mask;
	struct dpor_obj *o = &s->tab[h];
	if (o->obj)
		return o;
	if (2 * (s->used + 1) > s->mask + 1) { /* at most half full */
		tab_grow(s);
		return dpor_obj_get(s, obj);
	}
	o->obj = obj;
	o->lastw = o->lastx = NO_EVENT;
	s->used++;
	return o;
}

/*
 * Another thread: vcw grows, and the rows of lastr_pool when it passes
 * their width (the pool stays one entry per thread of the run, not per
 * thread there could be: rows are read and written at random, and four
 * times smaller ones stay in the cache).
 */
void dpor_widen(struct sim_dpor_state *s)
{
	s->vcw = s->nthreads;
	if (s->vcw <= s->rw)
		return;
	int rw = s->rw;
	while (rw < s->vcw)
		rw *= 2;
	if (!s->lastr_pool) {
		s->rw = rw;
		return;
	}
	int32_t *pool = calloc(s->caplastr, (size_t)rw * sizeof(*pool));
	if (!pool)
		abort();
	for (size_t r = 0; r < s->nlastr; r++)
		memcpy(pool + r * rw, s->lastr_pool + r * s->rw, (size_t)s->rw * sizeof(*pool));
	free(s->lastr_pool);
	s->lastr_pool = pool;
	s->rw = rw;
}

static int32_t *obj_row(struct sim_dpor_state *s, uint32_t *row)
{
	if (!*row) {
		s->lastr_pool = grow(s->lastr_pool, &s->caplastr, s->nlastr + 1,
				     (size_t)s->rw * sizeof(*s->lastr_pool));
		*row = (uint32_t)++s->nlastr;
	}
	return dpor_row(s, *row);
}

void dpor_obj_update(struct sim_dpor_state *s, struct dpor_obj *o, const struct dpor_fp_item *it,
		     int tid, int32_t i)
{
	s->undo = grow(s->undo, &s->capundo, s->nundo + 1, sizeof(*s->undo));
	struct dpor_undo *u = &s->undo[s->nundo++];
	*u = (struct dpor_undo){.o = o,
				.ev = i,
				.lastw = o->lastw,
				.lastx = o->lastx,
				.rmask = o->rmask,
				.umask = o->umask,
				.tid = -1};
	if (kind_reads(it->kind) || kind_commutes(it->kind)) {
		bool up = kind_commutes(it->kind);
		int32_t *row = obj_row(s, up ? &o->lastu : &o->lastr);
		u->tid = tid;
		u->update = up;
		u->old = row[tid];
		row[tid] = i;
		if (up) {
			o->umask |= BIT(tid);
			o->lastw = i;
		} else {
			o->rmask |= BIT(tid);
		}
	} else {
		o->lastw = o->lastx = i;
		o->rmask = o->umask = 0;
	}
}

/* Undo the object table back to before event @ev (the stack popped there). */
void dpor_obj_rollback(struct sim_dpor_state *s, size_t ev)
{
	while (s->nundo && (size_t)s->undo[s->nundo - 1].ev >= ev) {
		struct dpor_undo *u = &s->undo[--s->nundo];
		struct dpor_obj *o = u->o;
		if (u->tid >= 0)
			dpor_row(s, u->update ? o->lastu : o->lastr)[u->tid] = u->old;
		o->lastw = u->lastw;
		o->lastx = u->lastx;
		o->rmask = u->rmask;
		o->umask = u->umask;
	}
}
