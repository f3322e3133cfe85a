// SPDX-License-Identifier: MIT
/*
 * The primitives on the deterministic engine.  Each one is a scheduling point
 * (sim_sched_point()) followed by its effect, which runs without interruption
 * until the thread's next scheduling point: the engine is sequentially
 * consistent, and the memory-order arguments are kept for the oracles.
 */
#include "engine.h"
#include "oracle.h"

#include <hmmsim/sim.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define E (&sim_eng)
#define TRACE(site, ...)                                                                           \
	do {                                                                                       \
		if (sim_eng.tracing)                                                               \
			sim_trace(site, __VA_ARGS__);                                              \
	} while (0)
#define TRACE_DETAIL(site, ...)                                                                    \
	do {                                                                                       \
		if (sim_eng.tracing)                                                               \
			sim_trace_detail(site, __VA_ARGS__);                                       \
	} while (0)

static void lockstate_init(struct sim_lockstate *s)
{
	memset(s, 0, sizeof(*s));
	s->owner = -1;
	if (sim_eng.in_execution) {
		sim_dpor_touch(&sim_eng.next_obj_id, SIM_OP_RMW, "the object ids", "lock init");
		s->id = ++sim_eng.next_obj_id;
	}
}

static void lock_fail(const char *op, const char *name, const char *site)
{
	sim_fail(SIM_KIND_LOCK, "%s: %s of %s, which the caller does not hold", site, op, name);
}

/* ---- mutex and spinlock: one exclusive lock ----------------------------- */

static void excl_lock(struct sim_lockstate *s, const char *name, const char *op, const char *site,
		      enum sim_lock_kind kind)
{
	uint8_t opk = kind == SIM_LK_SPIN ? SIM_OP_SPIN_LOCK : SIM_OP_MUTEX_LOCK;
	sim_sched_op(s, opk, name, site);
	int me = E->cur->id;
	bool commuting = sim_lock_sections_commute(E->cur, s, opk);
	if (s->owner == me)
		sim_fail(SIM_KIND_DEADLOCK, "%s: %s of %s, already held by the caller", site, op,
			 name);
	if (sim_eng.ora_held)
		sim_ora_lock_pre(s, name, op, site, kind);
	if (s->owner >= 0) {
		TRACE(site, "%s %s: blocks (held by %s)", op, name, E->threads[s->owner].name);
		do
			sim_block(s, SIM_WAIT_LOCK, op, name);
		while (s->owner >= 0);
	}
	s->owner = me;
	s->commuting = commuting;
	E->cur->la_sections += s->commuting;
	E->cur->dpor_locks++;
	if (sim_ora_locks_on())
		sim_ora_lock_post(s, name, site, kind, false);
	TRACE(site, "%s %s", op, name);
}

static bool excl_trylock(struct sim_lockstate *s, const char *name, const char *op,
			 const char *site, enum sim_lock_kind kind)
{
	sim_sched_op(s, kind == SIM_LK_SPIN ? SIM_OP_SPIN_TRYLOCK : SIM_OP_MUTEX_TRYLOCK, name,
		     site);
	bool ok = s->owner < 0;
	if (ok) {
		s->owner = E->cur->id;
		s->commuting = false;
		E->cur->dpor_locks++;
		if (sim_ora_locks_on())
			sim_ora_lock_post(s, name, site, kind, true);
	} else {
		sim_dpor_observed(s->owner);
	}
	if (!ok)
		sim_cov_lock(name);
	TRACE(site, "%s %s: %s", op, name, ok ? "taken" : "busy");
	return ok;
}

static void excl_unlock(struct sim_lockstate *s, const char *name, const char *op, const char *site,
			enum sim_lock_kind kind)
{
	sim_sched_op(s, kind == SIM_LK_SPIN ? SIM_OP_SPIN_UNLOCK : SIM_OP_MUTEX_UNLOCK, name, site);
	if (s->owner != E->cur->id)
		lock_fail(op, name, site);
	if (sim_ora_locks_on())
		sim_ora_unlock(s, kind);
	s->owner = -1;
	E->cur->la_sections -= s->commuting;
	s->commuting = false;
	E->cur->dpor_locks--;
	sim_wake(s);
	TRACE(site, "%s %s", op, name);
}

void sim_mutex_init(sim_mutex_t *m, const char *name)
{
	m->name = name;
	lockstate_init(&m->s);
}

void sim_mutex_lock_at(sim_mutex_t *m, const char *site)
{
	excl_lock(&m->s, m->name, "mutex_lock", site, SIM_LK_MUTEX);
}

bool sim_mutex_trylock_at(sim_mutex_t *m, const char *site)
{
	return excl_trylock(&m->s, m->name, "mutex_trylock", site, SIM_LK_MUTEX);
}

void sim_mutex_unlock_at(sim_mutex_t *m, const char *site)
{
	excl_unlock(&m->s, m->name, "mutex_unlock", site, SIM_LK_MUTEX);
}

bool sim_mutex_held(const sim_mutex_t *m)
{
	return sim_eng.in_execution && m->s.owner == sim_eng.cur->id;
}

void sim_spin_init(sim_spinlock_t *l, const char *name)
{
	l->name = name;
	lockstate_init(&l->s);
}

void sim_spin_lock_at(sim_spinlock_t *l, const char *site)
{
	excl_lock(&l->s, l->name, "spin_lock", site, SIM_LK_SPIN);
	E->cur->spin_depth++;
}

bool sim_spin_trylock_at(sim_spinlock_t *l, const char *site)
{
	bool ok = excl_trylock(&l->s, l->name, "spin_trylock", site, SIM_LK_SPIN);
	if (ok)
		E->cur->spin_depth++;
	return ok;
}

void sim_spin_unlock_at(sim_spinlock_t *l, const char *site)
{
	excl_unlock(&l->s, l->name, "spin_unlock", site, SIM_LK_SPIN);
	E->cur->spin_depth--;
}

void sim_lock_map_acquire_at(sim_lockdep_map_t *m, const char *site)
{
	if (sim_eng.in_execution)
		sim_ora_lock_map(&m->s, m->name, site, true);
}

void sim_lock_map_release_at(sim_lockdep_map_t *m, const char *site)
{
	if (sim_eng.in_execution)
		sim_ora_lock_map(&m->s, m->name, site, false);
}

void sim_rwsem_might_lock_at(sim_rwsem_t *s, const char *site)
{
	if (!sim_eng.in_execution)
		return;
	sim_ora_lock_map(&s->s, s->name, site, true);
	sim_ora_lock_map(&s->s, s->name, site, false);
}

void sim_spin_annotated(sim_spinlock_t *l)
{
	l->s.annotated = true;
}

void sim_mutex_annotated(sim_mutex_t *m)
{
	m->s.annotated = true;
}

bool sim_spin_held(const sim_spinlock_t *l)
{
	return sim_eng.in_execution && l->s.owner == sim_eng.cur->id;
}

/* ---- rw-semaphore: readers queue behind a waiting writer, as in the kernel */

void sim_rwsem_init(sim_rwsem_t *s, const char *name)
{
	s->name = name;
	lockstate_init(&s->s);
}

static bool read_blocked(const struct sim_lockstate *s)
{
	return s->owner >= 0 || s->write_waiters > 0;
}

void sim_down_read_at(sim_rwsem_t *s, const char *site)
{
	sim_sched_op(&s->s, SIM_OP_DOWN_READ, s->name, site);
	if (s->s.owner == E->cur->id)
		sim_fail(SIM_KIND_DEADLOCK, "%s: down_read of %s held for write by the caller",
			 site, s->name);
	if (sim_eng.ora_held)
		sim_ora_lock_pre(&s->s, s->name, "down_read", site, SIM_LK_READ);
	if (read_blocked(&s->s)) {
		TRACE(site, "down_read %s: blocks", s->name);
		do
			sim_block(&s->s, SIM_WAIT_LOCK, "down_read", s->name);
		while (read_blocked(&s->s));
	}
	s->s.readers++;
	E->cur->dpor_locks++;
	if (sim_ora_locks_on())
		sim_ora_lock_post(&s->s, s->name, site, SIM_LK_READ, false);
	TRACE(site, "down_read %s", s->name);
}

bool sim_down_read_trylock_at(sim_rwsem_t *s, const char *site)
{
	sim_sched_op(&s->s, SIM_OP_DOWN_READ_TRYLOCK, s->name, site);
	bool ok = !read_blocked(&s->s);
	if (ok) {
		s->s.readers++;
		E->cur->dpor_locks++;
		if (sim_ora_locks_on())
			sim_ora_lock_post(&s->s, s->name, site, SIM_LK_READ, true);
	} else {
		sim_dpor_observed(s->s.owner);
	}
	if (!ok)
		sim_cov_lock(s->name);
	TRACE(site, "down_read_trylock %s: %s", s->name, ok ? "taken" : "busy");
	return ok;
}

void sim_up_read_at(sim_rwsem_t *s, const char *site)
{
	sim_sched_op(&s->s, SIM_OP_UP_READ, s->name, site);
	if (s->s.readers <= 0)
		lock_fail("up_read", s->name, site);
	if (sim_ora_locks_on())
		sim_ora_unlock(&s->s, SIM_LK_READ);
	E->cur->dpor_locks--;
	if (--s->s.readers == 0)
		sim_wake(&s->s);
	TRACE(site, "up_read %s", s->name);
}

void sim_down_write_at(sim_rwsem_t *s, const char *site)
{
	sim_sched_op(&s->s, SIM_OP_DOWN_WRITE, s->name, site);
	if (s->s.owner == E->cur->id)
		sim_fail(SIM_KIND_DEADLOCK, "%s: down_write of %s already held by the caller", site,
			 s->name);
	if (sim_eng.ora_held)
		sim_ora_lock_pre(&s->s, s->name, "down_write", site, SIM_LK_WRITE);
	if (s->s.owner >= 0 || s->s.readers > 0) {
		TRACE(site, "down_write %s: blocks", s->name);
		s->s.write_waiters++;
		do
			sim_block(&s->s, SIM_WAIT_LOCK, "down_write", s->name);
		while (s->s.owner >= 0 || s->s.readers > 0);
		s->s.write_waiters--;
	}
	s->s.owner = E->cur->id;
	E->cur->dpor_locks++;
	if (sim_ora_locks_on())
		sim_ora_lock_post(&s->s, s->name, site, SIM_LK_WRITE, false);
	TRACE(site, "down_write %s", s->name);
}

bool sim_down_write_trylock_at(sim_rwsem_t *s, const char *site)
{
	sim_sched_op(&s->s, SIM_OP_DOWN_WRITE_TRYLOCK, s->name, site);
	bool ok = s->s.owner < 0 && s->s.readers == 0;
	if (ok) {
		s->s.owner = E->cur->id;
		E->cur->dpor_locks++;
		if (sim_ora_locks_on())
			sim_ora_lock_post(&s->s, s->name, site, SIM_LK_WRITE, true);
	} else {
		sim_dpor_observed(s->s.readers ? -1 : s->s.owner);
	}
	if (!ok)
		sim_cov_lock(s->name);
	TRACE(site, "down_write_trylock %s: %s", s->name, ok ? "taken" : "busy");
	return ok;
}

void sim_up_write_at(sim_rwsem_t *s, const char *site)
{
	sim_sched_op(&s->s, SIM_OP_UP_WRITE, s->name, site);
	if (s->s.owner != E->cur->id)
		lock_fail("up_write", s->name, site);
	if (sim_ora_locks_on())
		sim_ora_unlock(&s->s, SIM_LK_WRITE);
	s->s.owner = -1;
	E->cur->dpor_locks--;
	sim_wake(&s->s);
	TRACE(site, "up_write %s", s->name);
}

bool sim_rwsem_held(const sim_rwsem_t *s)
{
	return sim_eng.in_execution && (s->s.owner == sim_eng.cur->id || s->s.readers > 0);
}

bool sim_rwsem_write_held(const sim_rwsem_t *s)
{
	return sim_eng.in_execution && s->s.owner == sim_eng.cur->id;
}

/* ---- atomics and annotated accesses ------------------------------------- */

/* dpor's polling rule: the value of @size bytes at @obj before this write
 * (a round that writes a location back to its value changed nothing). */
static inline void dpor_wrote(const volatile void *obj, size_t size)
{
	if (sim_eng.dpor)
		sim_dpor_wrote_slow((const void *)obj, size);
}

static const char *const mo_names[] = {"relaxed", "acquire", "release", "acq_rel", "seq_cst"};

static inline bool mo_acquires(enum sim_mo mo)
{
	return mo == SIM_ACQUIRE || mo == SIM_ACQ_REL || mo == SIM_SEQ_CST;
}

static inline bool mo_releases(enum sim_mo mo)
{
	return mo == SIM_RELEASE || mo == SIM_ACQ_REL || mo == SIM_SEQ_CST;
}

/* Happens-before through an atomic: an acquire load (or the load half of a
 * read-modify-write) joins what releases at @a published.  Relaxed: nothing. */
static inline void atomic_hb(sim_atomic_t *a, enum sim_mo mo, bool load, bool store)
{
	if (sim_eng.ora_races && mo != SIM_RELAXED) {
		bool acq = load && mo_acquires(mo), rel = store && mo_releases(mo);
		if (acq || rel)
			sim_ora_atomic(a, acq, rel);
	}
}

long sim_atomic_load_at(sim_atomic_t *a, enum sim_mo mo, const char *name, const char *site)
{
	sim_sched_op(a, SIM_OP_READ, name, site);
	atomic_hb(a, mo, true, false);
	long v = a->v;
	TRACE_DETAIL(site, "atomic_load(%s) %s = %ld", mo_names[mo], name, v);
	return v;
}

void sim_atomic_store_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			 const char *site)
{
	sim_sched_op(a, SIM_OP_WRITE, name, site);
	dpor_wrote(a, sizeof(a->v));
	atomic_hb(a, mo, false, true);
	sim_dpor_silent(a, a->v == v && !mo_releases(mo));
	a->v = v;
	TRACE_DETAIL(site, "atomic_store(%s) %s = %ld", mo_names[mo], name, v);
}

long sim_atomic_xchg_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name, const char *site)
{
	sim_sched_op(a, SIM_OP_RMW, name, site);
	dpor_wrote(a, sizeof(a->v));
	atomic_hb(a, mo, true, true);
	long old = a->v;
	sim_dpor_silent(a, old == v && !mo_releases(mo));
	a->v = v;
	TRACE_DETAIL(site, "atomic_xchg(%s) %s: %ld -> %ld", mo_names[mo], name, old, v);
	return old;
}

bool sim_atomic_cmpxchg_at(sim_atomic_t *a, long *expected, long desired, enum sim_mo mo,
			   const char *name, const char *site)
{
	sim_sched_op(a, SIM_OP_RMW, name, site);
	dpor_wrote(a, sizeof(a->v));
	bool ok = a->v == *expected;
	atomic_hb(a, mo, true, ok); /* a failed cmpxchg is a load */
	TRACE_DETAIL(site, "atomic_cmpxchg(%s) %s: %ld, want %ld -> %ld: %s", mo_names[mo], name,
		     a->v, *expected, desired, ok ? "ok" : "failed");
	sim_dpor_silent(a, !ok || (a->v == desired && !mo_releases(mo)));
	if (ok)
		a->v = desired;
	else
		*expected = a->v;
	return ok;
}

long sim_atomic_add_return_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			      const char *site)
{
	sim_sched_op(a, SIM_OP_RMW, name, site);
	dpor_wrote(a, sizeof(a->v));
	atomic_hb(a, mo, true, true);
	a->v += v;
	TRACE_DETAIL(site, "atomic_add(%s) %s %+ld = %ld", mo_names[mo], name, v, a->v);
	return a->v;
}

/* atomic_add(), set_bit(): an update, unless it releases (sim_atomic_add_at()). */
static enum sim_op_kind blind_kind(enum sim_mo mo, enum sim_op_kind kind)
{
	return mo_releases(mo) ? SIM_OP_RMW : kind;
}

void sim_atomic_add_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
		       const char *site)
{
	sim_sched_op(a, blind_kind(mo, SIM_OP_ADD), name, site);
	atomic_hb(a, mo, true, true);
	a->v += v;
	TRACE_DETAIL(site, "atomic_add(%s) %s %+ld = %ld", mo_names[mo], name, v, a->v);
}

void sim_atomic_or_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name, const char *site)
{
	sim_sched_op(a, blind_kind(mo, SIM_OP_OR), name, site);
	atomic_hb(a, mo, true, true);
	long old = a->v;
	a->v |= v;
	TRACE_DETAIL(site, "atomic_fetch_or(%s) %s: %#lx | %#lx", mo_names[mo], name, old, v);
}

long sim_atomic_fetch_or_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			    const char *site)
{
	sim_sched_op(a, SIM_OP_RMW, name, site);
	dpor_wrote(a, sizeof(a->v));
	atomic_hb(a, mo, true, true);
	long old = a->v;
	sim_dpor_silent(a, (old | v) == old && !mo_releases(mo));
	a->v |= v;
	TRACE_DETAIL(site, "atomic_fetch_or(%s) %s: %#lx | %#lx", mo_names[mo], name, old, v);
	return old;
}

long sim_atomic_fetch_and_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			     const char *site)
{
	sim_sched_op(a, SIM_OP_RMW, name, site);
	dpor_wrote(a, sizeof(a->v));
	atomic_hb(a, mo, true, true);
	long old = a->v;
	sim_dpor_silent(a, (old & v) == old && !mo_releases(mo));
	a->v &= v;
	TRACE_DETAIL(site, "atomic_fetch_and(%s) %s: %#lx & %#lx", mo_names[mo], name, old, v);
	return old;
}

/* ---- bits of one word (sim_bits_t) ------------------------------------------- */

/*
 * The scheduling point of an operation on the bits @mask of @w: dpor sees
 * @kind on the object of each bit, and the word's own object (its memory
 * order, as atomic_hb() orders it for the oracles): read by an acquire,
 * written by a release (sim_dpor_silent() never turns a release into a read).
 */
static void bits_op(sim_bits_t *w, unsigned long mask, enum sim_op_kind kind, enum sim_mo mo,
		    bool load, bool store, const char *name, const char *site)
{
	if (!mask)
		sim_fail(SIM_KIND_ENGINE, "%s: bit operation on %s with an empty mask", site, name);
	sim_sched_op(sim_bit_obj(w, (unsigned int)__builtin_ctzl(mask)), kind, name, site);
	if (sim_eng.dpor) {
		for (unsigned long m = mask & (mask - 1); m; m &= m - 1)
			sim_dpor_touch_slow(sim_bit_obj(w, (unsigned int)__builtin_ctzl(m)), kind,
					    name, site);
		if (store && mo_releases(mo))
			sim_dpor_touch_slow(w, SIM_OP_RMW, name, site);
		else if (load && mo_acquires(mo))
			sim_dpor_touch_slow(w, SIM_OP_READ, name, site);
	}
	atomic_hb(&w->word, mo, load, store);
}

/* The bits @same of @w are as the current operation found them: reads for dpor. */
static inline void bits_same(sim_bits_t *w, unsigned long same)
{
	if (sim_eng.dpor && same)
		sim_dpor_bits_silent_slow(w, same);
}

unsigned long sim_bits_load_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo, const char *name,
			       const char *site)
{
	bits_op(w, mask, SIM_OP_READ, mo, true, false, name, site);
	long v = w->word.v;
	TRACE_DETAIL(site, "atomic_load(%s) %s = %ld", mo_names[mo], name, v);
	return (unsigned long)v & mask;
}

unsigned long sim_bits_fetch_or_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo,
				   const char *name, const char *site)
{
	bits_op(w, mask, SIM_OP_RMW, mo, true, true, name, site);
	dpor_wrote(&w->word, sizeof(w->word.v));
	unsigned long old = (unsigned long)w->word.v;
	bits_same(w, old & mask);
	w->word.v = (long)(old | mask);
	TRACE_DETAIL(site, "atomic_fetch_or(%s) %s: %#lx | %#lx", mo_names[mo], name, old, mask);
	return old & mask;
}

unsigned long sim_bits_fetch_andnot_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo,
				       const char *name, const char *site)
{
	bits_op(w, mask, SIM_OP_RMW, mo, true, true, name, site);
	dpor_wrote(&w->word, sizeof(w->word.v));
	unsigned long old = (unsigned long)w->word.v;
	bits_same(w, ~old & mask);
	w->word.v = (long)(old & ~mask);
	TRACE_DETAIL(site, "atomic_fetch_and(%s) %s: %#lx & %#lx", mo_names[mo], name, old, ~mask);
	return old & mask;
}

/* set_bit(): an update on each bit (two commute), whatever the bit was. */
void sim_bits_set_at(sim_bits_t *w, unsigned long mask, enum sim_mo mo, const char *name,
		     const char *site)
{
	bits_op(w, mask, SIM_OP_OR, mo, true, true, name, site);
	unsigned long old = (unsigned long)w->word.v;
	w->word.v = (long)(old | mask);
	TRACE_DETAIL(site, "atomic_fetch_or(%s) %s: %#lx | %#lx", mo_names[mo], name, old, mask);
}

void sim_bits_store_at(sim_bits_t *w, unsigned long v, unsigned long mask, enum sim_mo mo,
		       const char *name, const char *site)
{
	if (v & ~mask)
		sim_fail(SIM_KIND_ENGINE, "%s: store of %#lx to %s: bits outside its mask %#lx",
			 site, v, name, mask);
	bits_op(w, mask, SIM_OP_WRITE, mo, false, true, name, site);
	dpor_wrote(&w->word, sizeof(w->word.v));
	unsigned long old = (unsigned long)w->word.v;
	bits_same(w, ~(old ^ v) & mask);
	w->word.v = (long)((old & ~mask) | v);
	TRACE_DETAIL(site, "atomic_store(%s) %s = %ld", mo_names[mo], name, w->word.v);
}

void sim_note_bits_at(const sim_bits_t *w, unsigned long mask, bool write, const char *name,
		      const char *site)
{
	if (!sim_eng.dpor)
		return;
	for (; mask; mask &= mask - 1)
		sim_dpor_touch_slow(sim_bit_obj(w, (unsigned int)__builtin_ctzl(mask)),
				    write ? SIM_OP_RMW : SIM_OP_READ, name, site);
}

static const char *access_name(unsigned int flags)
{
	if (flags & SIM_ACC_ACQREL)
		return flags & SIM_ACC_WRITE ? "store_release" : "load_acquire";
	if (flags & SIM_ACC_MARKED)
		return flags & SIM_ACC_WRITE ? "WRITE_ONCE" : "READ_ONCE";
	return flags & SIM_ACC_WRITE ? "write" : "read";
}

/* Pointer values differ between runs (ASLR): reports show null or not. */
static void trace_access(unsigned int flags, const char *name, const char *site, uint64_t b,
			 size_t size)
{
	if (flags & SIM_ACC_PTR) {
		sim_trace_detail(site, "%s %s = %s", access_name(flags), name, b ? "ptr" : "NULL");
		return;
	}
	int64_t v = size == 1	? (int8_t)b
		    : size == 2 ? (int16_t)b
		    : size == 4 ? (int32_t)b
				: (int64_t)b;
	sim_trace_detail(site, "%s %s = %" PRId64, access_name(flags), name, v);
}

uint64_t sim_load_at(const volatile void *addr, size_t size, unsigned int flags, const char *name,
		     const char *site)
{
	uint64_t b = 0;
	sim_sched_op((const void *)addr, SIM_OP_READ, name, site);
	if (sim_eng.ora_races)
		sim_ora_access(addr, size, flags, name, site);
	memcpy(&b, (const void *)addr, size);
	if (sim_eng.tracing)
		trace_access(flags, name, site, b, size);
	return b;
}

void sim_store_at(volatile void *addr, size_t size, uint64_t bytes, unsigned int flags,
		  const char *name, const char *site)
{
	sim_sched_op((const void *)addr, SIM_OP_WRITE, name, site);
	dpor_wrote(addr, size);
	if (sim_eng.ora_races)
		sim_ora_access(addr, size, flags, name, site);
	sim_dpor_silent((const void *)addr,
			!(flags & SIM_ACC_ACQREL) && !memcmp((const void *)addr, &bytes, size));
	memcpy((void *)addr, &bytes, size);
	if (sim_eng.tracing)
		trace_access(flags, name, site, bytes, size);
}

void sim_note_access_at(const volatile void *addr, bool write, const char *name, const char *site)
{
	sim_dpor_touch((const void *)addr, write ? SIM_OP_RMW : SIM_OP_READ, name, site);
}

void sim_note_add_at(const volatile void *addr, const char *name, const char *site)
{
	sim_dpor_touch((const void *)addr, SIM_OP_ADD, name, site);
}

void sim_atomic_result_unused(sim_atomic_t *a)
{
	if (sim_eng.dpor)
		sim_dpor_blind_slow(a);
}

void sim_atomic_acquired(sim_atomic_t *a)
{
	atomic_hb(a, SIM_ACQUIRE, true, false);
}

void sim_atomic_wrote_part_at(sim_atomic_t *a, const void *part, const char *name, const char *site)
{
	if (!sim_eng.dpor)
		return;
	sim_dpor_silent_slow(a); /* a read of @a, then */
	sim_dpor_touch_slow(part, SIM_OP_WRITE, name, site);
}

/* ---- RCU ------------------------------------------------------------------ */

void sim_rcu_read_lock_at(const char *site)
{
	sim_sched_op(&E->rcu_readers, SIM_OP_RCU_LOCK, "rcu", site);
	struct sim_thread *t = E->cur;
	if (t->rcu_nesting++ == 0)
		E->rcu_readers |= 1ull << t->id;
	TRACE(site, "rcu_read_lock");
}

/*
 * The end of a read section is an operation on the thread's own object: it
 * commutes with a grace period's start (grace_period()), which waits for the
 * section if it starts first and orders the section before its end either
 * way.  Only the grace periods that wait for this section see it end (a
 * write of its waiters, which their ends read).
 */
void sim_rcu_read_unlock_at(const char *site)
{
	struct sim_thread *t = E->cur;
	sim_sched_op(&t->rcu_sections, SIM_OP_RCU_UNLOCK, "rcu read section", site);
	if (t->rcu_nesting == 0)
		sim_fail(SIM_KIND_RCU, "%s: rcu_read_unlock without rcu_read_lock", site);
	if (--t->rcu_nesting == 0) {
		if (t->rcu_gp_waiters)
			sim_dpor_touch(&t->rcu_gp_waiters,
				       sim_eng.sections_ordered ? SIM_OP_WRITE : SIM_OP_RCU_WAITED,
				       "rcu read section waited for", site);
		for (uint64_t m = t->rcu_gp_waiters; m; m &= m - 1) {
			struct sim_thread *gp = &E->threads[__builtin_ctzll(m)];
			if (sim_eng.ora_races)
				sim_ora_vc_join(&gp->rcu_gp_vc);
			sim_wake(&gp->rcu_gp_vc);
		}
		t->rcu_gp_waiters = 0;
		if (sim_eng.ora_races)
			sim_ora_vc_release(&E->ora.rcu);
		E->rcu_readers &= ~(1ull << t->id);
		t->rcu_sections++;
	}
	TRACE(site, "rcu_read_unlock");
}

bool sim_rcu_read_lock_held(void)
{
	return sim_eng.in_execution && sim_eng.cur->rcu_nesting > 0;
}

/*
 * A grace period (synchronize_rcu(), kernel/rcu/tree.c; the rcu_gp thread's
 * for call_rcu()), called after the caller's scheduling point for it: it
 * waits for the read sections in progress at its start, and is ordered after
 * them and after every section that ended before it started (each reader's
 * CPU reports a quiescent state after the start).  A section that begins
 * after the start is not ordered before the end: the kernel's guarantee for
 * it is the other way (the start before it), so a race between such a
 * section and the code after synchronize_rcu() is reported.  Simplified: no
 * CPUs, quiescent states or expedited grace periods; the start is one step.
 * The end is a dpor event of its own (sim_dpor_event_split()), which only waits:
 * the start then commutes with the sections' ends.
 */
static void grace_period(const char *site)
{
	struct sim_engine *e = E;
	struct sim_thread *gp = e->cur;
	uint64_t snap_sections[SIM_MAX_THREADS];
	uint64_t readers = e->rcu_readers;

	if (gp->rcu_nesting)
		sim_fail(SIM_KIND_RCU, "%s: synchronize_rcu() inside an RCU read-side section",
			 site);
	gp->rcu_gp_vc = NULL;
	for (uint64_t m = readers; m; m &= m - 1) {
		int i = __builtin_ctzll(m);
		snap_sections[i] = e->threads[i].rcu_sections;
		e->threads[i].rcu_gp_waiters |= 1ull << gp->id;
	}
	if (e->ora_races)
		sim_ora_vc_acquire(e->ora.rcu); /* the sections that ended before */
	TRACE(site, "synchronize_rcu: %d readers to wait for", __builtin_popcountll(readers));
	sim_dpor_event_split(&gp->rcu_gp_vc, SIM_OP_RCU_GP_END, "rcu grace period", site);
	for (uint64_t m = readers; m; m &= m - 1) {
		struct sim_thread *t = &e->threads[__builtin_ctzll(m)];
		while (t->rcu_sections == snap_sections[t->id])
			sim_block(&gp->rcu_gp_vc, SIM_WAIT_RCU, "synchronize_rcu", "grace period");
	}
	for (uint64_t m = readers; m; m &= m - 1)
		sim_dpor_touch(&e->threads[__builtin_ctzll(m)].rcu_gp_waiters, SIM_OP_READ,
			       "rcu read section waited for", site);
	if (e->ora_races)
		sim_ora_vc_acquire(gp->rcu_gp_vc); /* the sections it waited for */
	TRACE(site, "synchronize_rcu: grace period over");
}

void sim_synchronize_rcu_at(const char *site)
{
	sim_sched_op(&E->rcu_readers, SIM_OP_SYNC_RCU, "rcu", site);
	/* inside a reader it is reported below as "rcu" (it would never return) */
	if (sim_eng.ora_might_sleep)
		sim_ora_might_sleep("synchronize_rcu", NULL, site, false);
	grace_period(site);
}

/* The "rcu_gp" thread: runs queued callbacks after a grace period each batch. */
static void rcu_gp_thread(void *arg)
{
	struct sim_engine *e = E;
	for (;;) {
		/* The callback queue is read (and rcu_done written below) inside
		 * whatever event runs here: a touch for dpor. */
		sim_dpor_touch(&e->rcu_cbs, SIM_OP_CALL_RCU, "rcu callbacks", "rcu_gp_thread");
		struct sim_rcu_head *batch = e->rcu_cbs;
		if (!batch)
			break;
		e->rcu_cbs = NULL;
		e->rcu_cbs_tail = &e->rcu_cbs;
		if (e->ora_races)
			sim_ora_vc_acquire(e->ora.cbq); /* call_rcu() -> its callback */
		sim_sched_op(&e->rcu_readers, SIM_OP_SYNC_RCU, "rcu", "rcu_gp_thread");
		grace_period("rcu_gp");
		while (batch) {
			struct sim_rcu_head *next = batch->next;
			TRACE("rcu_gp", "rcu callback");
			batch->func(batch);
			e->rcu_done++;
			batch = next;
		}
		if (e->ora_races)
			sim_ora_vc_release(&e->ora.cbdone);
		sim_wake(&e->rcu_barrier_obj);
	}
	e->rcu_gp_alive = false;
}

void sim_call_rcu_at(struct sim_rcu_head *head, void (*func)(struct sim_rcu_head *head),
		     const char *site)
{
	sim_sched_op(&E->rcu_cbs, SIM_OP_CALL_RCU, "rcu callbacks", site);
	struct sim_engine *e = E;
	head->func = func;
	head->next = NULL;
	*e->rcu_cbs_tail = head;
	e->rcu_cbs_tail = &head->next;
	e->rcu_queued++;
	if (e->ora_races)
		sim_ora_vc_release(&e->ora.cbq);
	TRACE(site, "call_rcu");
	if (!e->rcu_gp_alive) {
		e->rcu_gp_alive = true;
		sim_spawn_internal("rcu_gp", rcu_gp_thread, NULL);
	}
}

void sim_rcu_barrier_at(const char *site)
{
	sim_sched_op(&E->rcu_cbs, SIM_OP_RCU_BARRIER, "rcu callbacks", site);
	struct sim_engine *e = E;
	if (e->ora_might_sleep)
		sim_ora_might_sleep("rcu_barrier", NULL, site, true);
	uint64_t target = e->rcu_queued;
	TRACE(site, "rcu_barrier");
	while (e->rcu_done < target)
		sim_block(&e->rcu_barrier_obj, SIM_WAIT_RCU, "rcu_barrier", "callbacks");
	if (e->ora_races)
		sim_ora_vc_acquire(e->ora.cbdone);
}

/* ---- wait queues and completions ---------------------------------------- */

void sim_waitqueue_init(sim_waitqueue_t *wq, const char *name)
{
	wq->name = name;
	wq->gen = 0;
	if (sim_eng.in_execution)
		sim_dpor_touch(&sim_eng.next_obj_id, SIM_OP_RMW, "the object ids",
			       "sim_waitqueue_init");
	wq->id = sim_eng.in_execution ? ++sim_eng.next_obj_id : 0;
}

uint64_t sim_wait_prepare(sim_waitqueue_t *wq)
{
	sim_dpor_touch(wq, SIM_OP_WAIT_PREPARE, wq->name,
		       "prepare_to_wait"); /* read without a scheduling point */
	return wq->gen;
}

void sim_wait_sleep_at(sim_waitqueue_t *wq, uint64_t gen, const char *site)
{
	sim_sched_op(wq, SIM_OP_WAIT, wq->name, site);
	if (sim_eng.ora_might_sleep)
		sim_ora_might_sleep("wait_event", wq->name, site, true);
	if (wq->gen != gen) {
		/* woken between the check and now: re-check */
	} else {
		TRACE(site, "wait_event %s: sleeps", wq->name);
		while (wq->gen == gen)
			sim_block(wq, SIM_WAIT_QUEUE, "wait_event", wq->name);
		TRACE(site, "wait_event %s: woken", wq->name);
	}
	/* The kernel re-checks the condition after prepare_to_wait() took the
	 * queue's lock, which every wake_up() before it released. */
	if (sim_eng.ora_races)
		sim_ora_obj_acquire(wq);
}

void sim_wake_up_all_at(sim_waitqueue_t *wq, const char *site)
{
	sim_sched_op(wq, SIM_OP_WAKE, wq->name, site);
	if (sim_eng.ora_races)
		sim_ora_obj_release(wq);
	wq->gen++;
	sim_wake(wq);
	TRACE(site, "wake_up_all %s", wq->name);
}

#define COMPLETION_ALL (UINT_MAX / 2)

void sim_init_completion(sim_completion_t *c, const char *name)
{
	c->done = 0;
	sim_waitqueue_init(&c->wait, name);
}

void sim_complete_at(sim_completion_t *c, const char *site)
{
	sim_sched_op(&c->wait, SIM_OP_WAKE, c->wait.name, site);
	if (sim_eng.ora_races)
		sim_ora_obj_release(&c->wait);
	if (c->done != COMPLETION_ALL)
		c->done++;
	sim_wake(&c->wait);
	TRACE(site, "complete %s", c->wait.name);
}

void sim_complete_all_at(sim_completion_t *c, const char *site)
{
	sim_sched_op(&c->wait, SIM_OP_WAKE, c->wait.name, site);
	if (sim_eng.ora_races)
		sim_ora_obj_release(&c->wait);
	c->done = COMPLETION_ALL;
	sim_wake(&c->wait);
	TRACE(site, "complete_all %s", c->wait.name);
}

void sim_wait_for_completion_at(sim_completion_t *c, const char *site)
{
	sim_sched_op(&c->wait, SIM_OP_WAIT_DONE, c->wait.name, site);
	if (sim_eng.ora_might_sleep)
		sim_ora_might_sleep("wait_for_completion", c->wait.name, site, true);
	if (!c->done) {
		TRACE(site, "wait_for_completion %s: sleeps", c->wait.name);
		do
			sim_block(&c->wait, SIM_WAIT_QUEUE, "wait_for_completion", c->wait.name);
		while (!c->done);
	}
	/* complete() and the waiter both take the queue's lock in the kernel */
	if (sim_eng.ora_races)
		sim_ora_obj_acquire(&c->wait);
	if (c->done != COMPLETION_ALL)
		c->done--;
	TRACE(site, "wait_for_completion %s: done", c->wait.name);
}

bool sim_completion_done_at(sim_completion_t *c, const char *site)
{
	sim_sched_op(&c->wait, SIM_OP_DONE_CHECK, c->wait.name, site);
	bool done = c->done != 0;
	if (done && sim_eng.ora_races)
		sim_ora_obj_acquire(&c->wait);
	TRACE(site, "completion_done %s = %d", c->wait.name, done);
	return done;
}
