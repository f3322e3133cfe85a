// SPDX-License-Identifier: MIT
/*
 * Oracles that run inside every execution, generic (they know nothing of
 * the kernel model):
 *
 *  data-race   a happens-before race detector with KCSAN's rule (two
 *              accesses to one annotated location, not ordered by
 *              happens-before, at least one a write and at least one plain).
 *              Vector clocks per simulated thread and per synchronising
 *              object, FastTrack-style epochs per location.
 *  lock-order  lockdep: lock classes by name, an edge A -> B when B is taken
 *              while A is held, kept across the executions of a run; an edge
 *              that closes a cycle is reported even when nothing deadlocked.
 *  might-sleep a sleeping primitive called under a spinlock or inside an RCU
 *              read-side section.
 *
 * Per-execution state comes from the execution arena (reset in O(1) with
 * it); only the lock-order graph lives in host memory, for a whole run.
 *
 * sim_violation_fact() is the oracles' (and the model oracles') way to
 * say why: the lines behind the violation the execution is about to report,
 * kept only while the report's replay traces.
 */
#include "oracle.h"

#include <hmmsim/atomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E (&sim_eng)

/* ---- vector clocks ---------------------------------------------------------- */

/* The clock of a synchronising object: entries past cap are zero. */
struct sim_vc {
	uint32_t cap;
	uint32_t c[];
};

static struct sim_vc *vc_alloc(uint32_t need)
{
	uint32_t cap = (need + 7) & ~7u;
	struct sim_vc *v = sim_arena_alloc(&E->arena, sizeof(*v) + cap * sizeof(uint32_t));
	v->cap = cap;
	return v;
}

/* The object's clock takes in the current thread's. */
void sim_ora_vc_join(struct sim_vc **pv)
{
	struct sim_engine *e = E;
	struct sim_thread *t = e->cur;
	uint32_t n = (uint32_t)e->nthreads;
	struct sim_vc *v = *pv;

	if (!v || v->cap < n) {
		struct sim_vc *nv = vc_alloc(n);
		if (v)
			memcpy(nv->c, v->c, v->cap * sizeof(uint32_t));
		*pv = v = nv;
	}
	for (uint32_t i = 0; i < n; i++)
		if (t->vc[i] > v->c[i])
			v->c[i] = t->vc[i];
}

/* Release: the join, then the thread's own entry moves on (its later
 * accesses are not ordered before an acquirer). */
void sim_ora_vc_release(struct sim_vc **pv)
{
	sim_ora_vc_join(pv);
	E->cur->vc[E->cur->id]++;
}

/* Acquire: the current thread's clock takes in the object's. */
void sim_ora_vc_acquire(const struct sim_vc *v)
{
	if (!v)
		return;
	struct sim_thread *t = E->cur;
	uint32_t n = (uint32_t)E->nthreads < v->cap ? (uint32_t)E->nthreads : v->cap;
	for (uint32_t i = 0; i < n; i++)
		if (v->c[i] > t->vc[i])
			t->vc[i] = v->c[i];
}

void sim_ora_spawn(struct sim_thread *parent, struct sim_thread *child)
{
	struct sim_engine *e = E;
	int k = child->id;

	/* Entry k of every clock is stale from an earlier execution. */
	for (int j = 0; j < k; j++)
		e->threads[j].vc[k] = 0;
	if (parent) {
		memcpy(child->vc, parent->vc, (size_t)k * sizeof(uint32_t));
		parent->vc[parent->id]++;
	} else {
		memset(child->vc, 0, (size_t)k * sizeof(uint32_t));
	}
	child->vc[k] = 1;
}

void sim_ora_join(const struct sim_thread *child)
{
	struct sim_thread *t = E->cur;
	for (int i = 0; i < E->nthreads; i++)
		if (child->vc[i] > t->vc[i])
			t->vc[i] = child->vc[i];
}

/* ---- locations: shadow state and synchronising clocks, by address ------------ */

/* One access of a location by one thread: its epoch and where it was. */
struct sim_acc {
	uint32_t clk; /* the thread's own clock entry then; 0: none */
	uint32_t flags;
	const char *site, *name;
};

/* What one thread last did to a location. */
struct sim_tacc {
	int tid;
	struct sim_acc w, wp; /* last write, last plain write */
	struct sim_acc r, rp; /* last read, last plain read */
};

struct sim_loc {
	uintptr_t addr; /* 0: free slot */
	struct sim_vc *sync;
	struct sim_tacc *acc;
	uint32_t nacc, capacc;
};

#define TAB_MIN 64u

static uint32_t loc_hash(uintptr_t a)
{
	return (uint32_t)(((uint64_t)a * 0x9e3779b97f4a7c15ull) >> 32);
}

static void tab_alloc(struct sim_ora_exec *o, uint32_t slots)
{
	o->tab = sim_arena_alloc(&E->arena, slots * sizeof(struct sim_loc));
	o->mask = slots - 1;
	o->used = 0;
}

static void tab_grow(struct sim_ora_exec *o)
{
	struct sim_loc *old = o->tab;
	uint32_t n = o->mask + 1;

	tab_alloc(o, n * 4);
	for (uint32_t i = 0; i < n; i++) {
		if (!old[i].addr)
			continue;
		uint32_t j = loc_hash(old[i].addr) & o->mask;
		while (o->tab[j].addr)
			j = (j + 1) & o->mask;
		o->tab[j] = old[i];
		o->used++;
	}
	if (o->mask + 1 > o->hint)
		o->hint = o->mask + 1; /* the next execution starts this big */
}

static struct sim_loc *loc_get(const volatile void *p)
{
	struct sim_ora_exec *o = &E->ora;
	uintptr_t a = (uintptr_t)p;

	if (!o->tab)
		tab_alloc(o, o->hint);
	for (;;) {
		uint32_t i = loc_hash(a) & o->mask;
		struct sim_loc *l;
		for (;; i = (i + 1) & o->mask) {
			l = &o->tab[i];
			if (l->addr == a)
				return l;
			if (!l->addr)
				break;
		}
		if ((o->used + 1) * 2 <= o->mask + 1) {
			l->addr = a;
			o->used++;
			return l;
		}
		tab_grow(o);
	}
}

void sim_ora_atomic(const void *addr, bool acquire, bool release)
{
	struct sim_loc *l = loc_get(addr);
	if (acquire)
		sim_ora_vc_acquire(l->sync);
	if (release)
		sim_ora_vc_release(&l->sync);
}

void sim_ora_obj_release(const void *obj)
{
	sim_ora_vc_release(&loc_get(obj)->sync);
}

void sim_ora_obj_acquire(const void *obj)
{
	sim_ora_vc_acquire(loc_get(obj)->sync);
}

/* ---- the data-race check ------------------------------------------------------- */

static const char *acc_desc(unsigned int flags)
{
	bool w = flags & SIM_ACC_WRITE;
	if (flags & SIM_ACC_ACQREL)
		return w ? "store_release" : "load_acquire";
	if (flags & SIM_ACC_MARKED)
		return w ? "WRITE_ONCE" : "READ_ONCE";
	return w ? "plain write" : "plain read";
}

__attribute__((noreturn)) static void race(const struct sim_thread *t, unsigned int flags,
					   const char *name, const char *site, int otid,
					   const struct sim_acc *o)
{
	const struct sim_thread *ot = &E->threads[otid];
	bool same = strcmp(name, o->name) == 0;

	sim_fail(SIM_KIND_DATA_RACE,
		 "data race on %s: %s by T%d %s in %s, concurrent with %s%s%s by T%d %s in %s",
		 name, acc_desc(flags), t->id, t->name, site, acc_desc(o->flags),
		 same ? "" : " of ", same ? "" : o->name, otid, ot->name, o->site);
}

void sim_ora_access(const volatile void *addr, size_t size, unsigned int flags, const char *name,
		    const char *site)
{
	struct sim_engine *e = E;
	struct sim_thread *t = e->cur;
	struct sim_loc *l = loc_get(addr);
	bool wr = flags & SIM_ACC_WRITE, plain = !(flags & SIM_ACC_MARKED);
	struct sim_tacc *mine = NULL;

	/* smp_load_acquire(): ordered after the release it reads from, itself
	 * included */
	if ((flags & (SIM_ACC_ACQREL | SIM_ACC_WRITE)) == SIM_ACC_ACQREL)
		sim_ora_vc_acquire(l->sync);

	for (uint32_t i = 0; i < l->nacc; i++) {
		struct sim_tacc *x = &l->acc[i];
		if (x->tid == t->id) {
			mine = x;
			continue;
		}
		uint32_t seen = t->vc[x->tid];
		const struct sim_acc *o = NULL;
		/* Marked accesses never race with each other: a plain access
		 * conflicts with every access of the other kind, a marked one
		 * only with plain ones. */
		const struct sim_acc *ow = plain ? &x->w : &x->wp;
		const struct sim_acc *orr = plain ? &x->r : &x->rp;
		if (ow->clk > seen)
			o = ow;
		else if (wr && orr->clk > seen)
			o = orr;
		if (o)
			race(t, flags, name, site, x->tid, o);
	}

	if (!mine) {
		if (l->nacc == l->capacc) {
			uint32_t cap = l->capacc ? 2 * l->capacc : 2;
			struct sim_tacc *n = sim_arena_alloc(&e->arena, cap * sizeof(*n));
			if (l->nacc)
				memcpy(n, l->acc, l->nacc * sizeof(*n));
			l->acc = n;
			l->capacc = cap;
		}
		mine = &l->acc[l->nacc++];
		mine->tid = t->id;
	}
	struct sim_acc rec = {t->vc[t->id], flags, site, name};
	if (wr) {
		mine->w = rec;
		if (plain)
			mine->wp = rec;
	} else {
		mine->r = rec;
		if (plain)
			mine->rp = rec;
	}

	/* smp_store_release(): publishes what this thread did so far */
	if ((flags & (SIM_ACC_ACQREL | SIM_ACC_WRITE)) == (SIM_ACC_ACQREL | SIM_ACC_WRITE))
		sim_ora_vc_release(&l->sync);
	(void)size;
}

/* ---- the lock-order graph (host memory, one run) ------------------------------------ */

struct ld_class {
	char *name;
	uint32_t *out; /* edge indices, in the order they were added */
	uint32_t nout, capout;
	uint32_t stamp, via; /* search */
};

struct ld_edge {
	uint32_t from, to;
	char *site_from, *site_to, *thread; /* the acquisitions that added it */
};

struct sim_ld_graph {
	struct ld_class *cls; /* cls[0] unused: class 0 is "none" */
	uint32_t ncls, capcls;
	uint32_t *idx; /* name hash -> class, open addressing */
	uint32_t idxmask;
	struct ld_edge *edges;
	uint32_t nedge, capedge;
	uint32_t snap; /* edges when the current execution began */
	uint32_t stamp;
	uint32_t *queue;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		sim_oom("the lock-order graph");
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

static void edge_free(struct ld_edge *ed)
{
	free(ed->site_from);
	free(ed->site_to);
	free(ed->thread);
}

static void ld_free(struct sim_ld_graph *g)
{
	if (!g)
		return;
	for (uint32_t i = 1; i < g->ncls; i++) {
		free(g->cls[i].name);
		free(g->cls[i].out);
	}
	for (uint32_t i = 0; i < g->nedge; i++)
		edge_free(&g->edges[i]);
	free(g->cls);
	free(g->idx);
	free(g->edges);
	free(g->queue);
	free(g);
}

static struct sim_ld_graph *ld_new(void)
{
	struct sim_ld_graph *g = xrealloc(NULL, sizeof(*g));
	memset(g, 0, sizeof(*g));
	g->capcls = 64;
	g->cls = xrealloc(NULL, g->capcls * sizeof(*g->cls));
	g->queue = xrealloc(NULL, g->capcls * sizeof(*g->queue));
	memset(&g->cls[0], 0, sizeof(g->cls[0]));
	g->ncls = 1;
	g->idxmask = 127;
	g->idx = calloc(g->idxmask + 1, sizeof(*g->idx));
	if (!g->idx)
		sim_oom("the lock-order graph");
	return g;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The class of lock name @name: same contents, same class. */
static uint32_t ld_class_of(const char *name)
{
	struct sim_ld_graph *g = E->ld;
	uint32_t i;

	if (!name)
		name = "(unnamed)";
	for (i = name_hash(name) & g->idxmask; g->idx[i]; i = (i + 1) & g->idxmask)
		if (strcmp(g->cls[g->idx[i]].name, name) == 0)
			return g->idx[i];
	if (g->ncls == g->capcls) {
		g->capcls *= 2;
		g->cls = xrealloc(g->cls, g->capcls * sizeof(*g->cls));
		g->queue = xrealloc(g->queue, g->capcls * sizeof(*g->queue));
	}
	uint32_t c = g->ncls++;
	memset(&g->cls[c], 0, sizeof(g->cls[c]));
	g->cls[c].name = xstrdup(name);
	g->idx[i] = c;
	if (2 * g->ncls > g->idxmask) {
		uint32_t nmask = 2 * g->idxmask + 1;
		uint32_t *nidx = calloc(nmask + 1, sizeof(*nidx));
		if (!nidx)
			sim_oom("the lock-order graph");
		for (uint32_t k = 1; k < g->ncls; k++) {
			uint32_t j = name_hash(g->cls[k].name) & nmask;
			while (nidx[j])
				j = (j + 1) & nmask;
			nidx[j] = k;
		}
		free(g->idx);
		g->idx = nidx;
		g->idxmask = nmask;
	}
	return c;
}

/* Breadth first from @src: whether @dst is reachable; cls[].via marks the path. */
static bool ld_reaches(struct sim_ld_graph *g, uint32_t src, uint32_t dst)
{
	uint32_t head = 0, tail = 0;

	g->stamp++;
	g->cls[src].stamp = g->stamp;
	g->queue[tail++] = src;
	while (head < tail) {
		struct ld_class *c = &g->cls[g->queue[head++]];
		for (uint32_t k = 0; k < c->nout; k++) {
			const struct ld_edge *ed = &g->edges[c->out[k]];
			struct ld_class *to = &g->cls[ed->to];
			if (to->stamp == g->stamp)
				continue;
			to->stamp = g->stamp;
			to->via = c->out[k];
			if (ed->to == dst)
				return true;
			g->queue[tail++] = ed->to;
		}
	}
	return false;
}

static size_t edge_text(char *buf, size_t len, size_t off, const struct sim_ld_graph *g,
			const struct ld_edge *ed, const char *sep)
{
	if (off >= len)
		return off;
	const char *a = g->cls[ed->from].name, *b = g->cls[ed->to].name;
	int n = snprintf(buf + off, len - off, "%s%s -> %s (%s: %s holds %s, takes %s in %s)", sep,
			 a, b, ed->thread, ed->site_from, a, b, ed->site_to);
	return n < 0 ? off : off + (size_t)n;
}

__attribute__((noreturn)) static void ld_report(struct sim_ld_graph *g, uint32_t closing)
{
	const struct ld_edge *ed = &g->edges[closing];
	uint32_t path[256], n = 0;
	char msg[512];
	size_t off;

	/* the path to ->* from found by ld_reaches(), walked back */
	for (uint32_t c = ed->from; c != ed->to && n < 256; c = g->edges[g->cls[c].via].from)
		path[n++] = g->cls[c].via;
	off = (size_t)snprintf(msg, sizeof(msg), "lock-order cycle: ");
	off = edge_text(msg, sizeof(msg), off, g, ed, "");
	while (n)
		off = edge_text(msg, sizeof(msg), off, g, &g->edges[path[--n]], " and ");
	sim_fail(SIM_KIND_LOCK_ORDER, "%s", msg);
}

static void ld_add_edge(uint32_t from, uint32_t to, const char *site_from, const char *site_to,
			const char *thread)
{
	struct sim_ld_graph *g = E->ld;
	struct ld_class *f = &g->cls[from];

	for (uint32_t k = 0; k < f->nout; k++)
		if (g->edges[f->out[k]].to == to)
			return;
	if (g->nedge == g->capedge) {
		g->capedge = g->capedge ? 2 * g->capedge : 64;
		g->edges = xrealloc(g->edges, g->capedge * sizeof(*g->edges));
	}
	if (f->nout == f->capout) {
		f->capout = f->capout ? 2 * f->capout : 4;
		f->out = xrealloc(f->out, f->capout * sizeof(*f->out));
	}
	uint32_t id = g->nedge++;
	g->edges[id] =
	    (struct ld_edge){from, to, xstrdup(site_from ? site_from : "?"),
			     xstrdup(site_to ? site_to : "?"), xstrdup(thread ? thread : "?")};
	f->out[f->nout++] = id;
	if (ld_reaches(g, to, from))
		ld_report(g, id);
}

/* lockdep's check_prevs_add(): an edge from the most recent held lock, and
 * from those below it while they were trylocks (a trylock added no edge to
 * itself).  A class taken inside itself (two "ptl" nested) adds nothing:
 * lockdep would want a nesting annotation, the model has none. */
static void ld_check(const struct sim_thread *t, uint32_t cls, const char *site)
{
	for (int i = (int)t->nheld - 1; i >= 0; i--) {
		const struct sim_held *h = &t->held[i];
		if (h->cls && h->cls != cls)
			ld_add_edge(h->cls, cls, h->site, site, t->name);
		if (!h->trylock)
			break;
	}
}

void sim_ld_rollback(void)
{
	struct sim_ld_graph *g = E->ld;
	if (!g)
		return;
	while (g->nedge > g->snap) {
		struct ld_edge *ed = &g->edges[--g->nedge];
		g->cls[ed->from].nout--; /* edges leave their lists in reverse order */
		edge_free(ed);
	}
}

/* Forget every edge (the classes stay): a dpor split run's graph spans one
 * subtree (sim_dpor_split()).  The execution that calls it has added none. */
void sim_ld_forget(void)
{
	struct sim_ld_graph *g = E->ld;
	if (!g)
		return;
	g->snap = 0;
	sim_ld_rollback();
}

/* ---- locks ------------------------------------------------------------------------ */

/* The oracles' state of one lock in this execution (lockstate->oracle). */
struct sim_lock_ora {
	uint64_t serial;
	const struct sim_lockstate *lock;
	uint32_t cls;	  /* lock-order class, 0 until needed */
	struct sim_vc *w; /* released by unlock / up_write */
	struct sim_vc *r; /* released by up_read, acquired by down_write */
};

static struct sim_lock_ora *lock_ora(struct sim_lockstate *s)
{
	struct sim_engine *e = E;
	struct sim_lock_ora *lo = s->oracle;

	/* A lock initialised in an earlier execution (or outside one) may
	 * point to memory that is gone. */
	if (lo && sim_arena_owns(&e->arena, lo, sizeof(*lo)) && lo->serial == e->ora.serial &&
	    lo->lock == s)
		return lo;
	lo = sim_arena_alloc(&e->arena, sizeof(*lo));
	lo->serial = e->ora.serial;
	lo->lock = s;
	s->oracle = lo;
	return lo;
}

void sim_ora_might_sleep(const char *op, const char *name, const char *site, bool rcu)
{
	const struct sim_thread *t = E->cur;
	const char *of = name ? " of " : "", *nm = name ? name : "";

	if (t->spin_depth) {
		const char *spin = "?";
		for (int i = (int)t->nheld - 1; i >= 0; i--)
			if (t->held[i].kind == SIM_LK_SPIN) {
				spin = t->held[i].name;
				break;
			}
		sim_fail(SIM_KIND_MIGHT_SLEEP,
			 "%s%s%s in atomic context (holds spinlock %s) at %s, by T%d %s", op, of,
			 nm, spin, site, t->id, t->name);
	}
	if (rcu && t->rcu_nesting)
		sim_fail(SIM_KIND_MIGHT_SLEEP,
			 "%s%s%s in atomic context (inside rcu_read_lock) at %s, by T%d %s", op, of,
			 nm, site, t->id, t->name);
}

void sim_ora_lock_pre(struct sim_lockstate *s, const char *name, const char *op, const char *site,
		      enum sim_lock_kind kind)
{
	struct sim_engine *e = E;

	if (e->ora_might_sleep && kind != SIM_LK_SPIN)
		sim_ora_might_sleep(op, name, site, true);
	if (e->ora_lockdep) {
		struct sim_lock_ora *lo = lock_ora(s);
		if (!lo->cls)
			lo->cls = ld_class_of(name);
		ld_check(e->cur, lo->cls, site);
	}
}

/* Push @s on @t's held stack (lockdep's held_lock). */
static void held_push(struct sim_thread *t, const struct sim_lockstate *s, const char *name,
		      const char *site, uint32_t cls, enum sim_lock_kind kind, bool trylock)
{
	if (t->nheld == SIM_MAX_HELD)
		sim_fail(SIM_KIND_ENGINE, "%s: more than %d locks held by %s", site, SIM_MAX_HELD,
			 t->name);
	t->held[t->nheld++] = (struct sim_held){
	    .lock = s,
	    .name = name,
	    .site = site,
	    .cls = cls,
	    .kind = (uint8_t)kind,
	    .trylock = trylock,
	};
}

void sim_ora_lock_post(struct sim_lockstate *s, const char *name, const char *site,
		       enum sim_lock_kind kind, bool trylock)
{
	struct sim_engine *e = E;
	struct sim_thread *t = e->cur;
	struct sim_lock_ora *lo = e->ora_races || e->ora_lockdep ? lock_ora(s) : NULL;

	if (e->ora_races) {
		sim_ora_vc_acquire(lo->w);
		if (kind == SIM_LK_WRITE)
			sim_ora_vc_acquire(lo->r);
	}
	if (!e->ora_held)
		return;
	if (e->ora_lockdep && !lo->cls)
		lo->cls = ld_class_of(name);
	held_push(t, s, name, site, e->ora_lockdep ? lo->cls : 0, kind, trylock);
}

static void held_pop(struct sim_thread *t, const struct sim_lockstate *s);

void sim_ora_unlock(struct sim_lockstate *s, enum sim_lock_kind kind)
{
	struct sim_engine *e = E;
	struct sim_thread *t = e->cur;

	if (e->ora_races) {
		struct sim_lock_ora *lo = lock_ora(s);
		sim_ora_vc_release(kind == SIM_LK_READ ? &lo->r : &lo->w);
	}
	if (e->ora_held)
		held_pop(t, s);
}

/*
 * lockdep's lock_map_acquire() / lock_map_release(): a map is a lock class
 * that nothing waits on.  Taking it adds the edges a lock would (the held
 * lock before it, then the locks taken while it is held); it orders no
 * execution, and gives no happens-before: no scheduling point, no vector
 * clock.
 */
void sim_ora_lock_map(struct sim_lockstate *s, const char *name, const char *site, bool acquire)
{
	struct sim_engine *e = E;
	struct sim_thread *t = e->cur;

	if (!e->ora_lockdep)
		return;
	if (!acquire) {
		held_pop(t, s);
		return;
	}
	struct sim_lock_ora *lo = lock_ora(s);
	if (!lo->cls)
		lo->cls = ld_class_of(name);
	ld_check(t, lo->cls, site);
	held_push(t, s, name, site, lo->cls, SIM_LK_MAP, false);
}

/* Drop @s from @t's held stack. */
static void held_pop(struct sim_thread *t, const struct sim_lockstate *s)
{
	/* Locks may be released out of order; an rwsem may be released by
	 * another thread than the one that took it (then nothing to pop). */
	if (t->nheld && t->held[t->nheld - 1].lock == s) {
		t->nheld--; /* the usual case: the most recent one */
		return;
	}
	for (int i = (int)t->nheld - 2; i >= 0; i--)
		if (t->held[i].lock == s) {
			memmove(&t->held[i], &t->held[i + 1],
				(t->nheld - (unsigned int)i - 1) * sizeof(t->held[0]));
			t->nheld--;
			break;
		}
}

/* ---- the run and the execution ------------------------------------------------------ */

static bool saved_races, saved_lockdep, saved_might_sleep;
static uint64_t exec_serial;

static void set_flags(bool races, bool lockdep, bool might_sleep)
{
	struct sim_engine *e = E;
	e->ora_races = races;
	e->ora_lockdep = lockdep;
	e->ora_might_sleep = might_sleep;
	e->ora_held = lockdep || might_sleep;
}

void sim_ora_run_begin(const struct sim_options *opt)
{
	struct sim_engine *e = E;

	set_flags(!opt->no_races, !opt->no_lockdep, !opt->no_might_sleep);
	ld_free(e->ld);
	e->ld = e->ora_lockdep ? ld_new() : NULL;
	e->ora.hint = TAB_MIN;
}

void sim_ora_run_end(void)
{
	struct sim_engine *e = E;
	ld_free(e->ld);
	e->ld = NULL;
	set_flags(false, false, false);
}

void sim_ora_suspend(bool suspend)
{
	struct sim_engine *e = E;
	if (suspend) {
		saved_races = e->ora_races;
		saved_lockdep = e->ora_lockdep;
		saved_might_sleep = e->ora_might_sleep;
		set_flags(false, false, false);
	} else {
		set_flags(saved_races, saved_lockdep, saved_might_sleep);
	}
}

void sim_ora_exec_begin(void)
{
	struct sim_engine *e = E;
	struct sim_ora_exec *o = &e->ora;

	o->serial = ++exec_serial;
	o->tab = NULL;
	o->mask = o->used = 0;
	/* dpor compares objects by address across executions (sleep sets): the
	 * layout of execution memory must depend on the execution alone, not on
	 * how large an earlier one grew the table */
	if (o->hint < TAB_MIN || e->dpor)
		o->hint = TAB_MIN;
	o->rcu = o->cbq = o->cbdone = NULL;
	if (e->ld)
		e->ld->snap = e->ld->nedge;
	e->nfacts = 0;
}

/* ---- the facts behind a violation ------------------------------------------------- */

void sim_violation_fact(const char *fmt, ...)
{
	struct sim_engine *e = E;
	va_list ap;

	if (!e->tracing || e->nfacts == SIM_MAX_FACTS)
		return;
	va_start(ap, fmt);
	vsnprintf(e->facts[e->nfacts++], SIM_FACT_LEN, fmt, ap);
	va_end(ap);
}
