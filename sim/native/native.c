// SPDX-License-Identifier: MIT
/*
 * Native backend of the primitive API: real pthreads, GCC __atomic builtins
 * and liburcu's bulletproof flavour, with optional random jitter at every
 * primitive, driven by sim_stress().
 *
 * Each stress iteration has its own struct iter (thread table, sim_alloc()
 * memory, first violation).  A simulated thread reaches it only through its
 * own struct nthread, never through a global, so the threads a hung iteration
 * leaves behind can never touch a later one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <hmmsim/coverage.h>
#include <hmmsim/explore.h> /* SIM_DEFAULT_STEP_BOUND */
#include <hmmsim/sim.h>
#include <hmmsim/stress.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu-bp.h>

#ifdef HMMSIM_TSAN
#include <sanitizer/tsan_interface.h>
/* liburcu is not instrumented: tell TSan about the orderings it provides ... */
#define HB_RELEASE(p) __tsan_release(p)
#define HB_ACQUIRE(p) __tsan_acquire(p)

/* ... and that its own malloc/free, ordered by its lock-free queues, are not
 * races (TSan reads this hook at start-up). */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
	return "called_from_lib:liburcu-bp.so\n";
}
#else
#define HB_RELEASE(p) ((void)(p))
#define HB_ACQUIRE(p) ((void)(p))
#endif

/* Threads hmmsim did not start (sim_stress()'s caller, liburcu's call_rcu
 * thread) share this id, so that lock ownership still works for them. */
#define FOREIGN_ID	       SIM_MAX_THREADS
#define DEFAULT_HANG_TIMEOUT_S 5.0
/* After a violation, how long the other threads of the iteration may take to end. */
#define FAIL_GRACE_S 0.25
/* Share of the hang timeout a thread must have run before its step bound counts. */
#define LIVELOCK_MIN_SHARE 0.1

struct iter;

struct nthread {
	struct iter *it;
	const char *name;
	sim_thread_fn fn;
	void *arg;
	int id;
	bool done;	     /* under it->lock */
	unsigned long steps; /* primitives taken, for the step bound */
	unsigned long check; /* take the slow path at this step (bound, or every one for jitter) */
	double start;	     /* when it started */
	uint64_t rng;	     /* jitter PRNG state (xorshift64, never 0) */
	/* What the thread is blocked on, for the hang report (relaxed atomics). */
	const char *blk_kind, *blk_name, *blk_site;
};

/* One sim_alloc() block; the list is freed when the iteration ends. */
struct ablock {
	struct ablock *next;
	_Alignas(max_align_t) unsigned char mem[];
};

struct iter {
	uint64_t index;
	bool jitter;
	uint64_t seed;
	unsigned long step_bound;
	/* A thread past the step bound is reported only once it has run this
	 * long: steps it took while the OS kept its partners off the CPU (a
	 * loaded machine) are no evidence of a livelock. */
	double livelock_min_s;
	bool rcu_used;	      /* call_rcu() was called: rcu_barrier() before freeing */
	pthread_mutex_t lock; /* guards the rest */
	pthread_cond_t cond;  /* a thread ended (CLOCK_MONOTONIC for timed waits) */
	int nthreads, live;
	struct nthread threads[SIM_MAX_THREADS];
	struct ablock *mem;
	unsigned int violations;
	char kind[32];
	char message[512];
	double fail_time;
};

/* The simulated thread running here, NULL in a foreign thread. */
static __thread struct nthread *self;
/* In an RCU callback: the iteration that queued it, and where sim_fail() jumps. */
static __thread struct iter *cb_iter;
static __thread jmp_buf *cb_escape;
/* Addresses the TSan annotations synchronise on. */
static char rcu_gp_hb, rcu_cb_hb;

/* Monotonic time in seconds. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* splitmix64 finaliser: spreads (seed, iteration, thread) over the PRNG state. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The iteration the caller belongs to: its own, or the one whose RCU callback it runs. */
static struct iter *iter_of(const char *what)
{
	struct iter *it = self ? self->it : cb_iter;

	if (!it) {
		fprintf(stderr, "hmmsim: %s called outside a sim_stress() thread\n", what);
		abort();
	}
	return it;
}

/* A random yield or short spin, so that real threads interleave more ways. */
static void jitter(struct nthread *t)
{
	uint64_t r = t->rng;

	r ^= r << 13;
	r ^= r >> 7;
	r ^= r << 17;
	t->rng = r;
	if ((r & 15) == 0)
		sched_yield();
	else if ((r & 3) == 1)
		for (unsigned int i = (r >> 8) & 511; i; i--)
			__asm__ __volatile__("" ::: "memory");
}

/* Entry of every primitive (its scheduling point): step bound, then jitter. */
static __attribute__((noinline)) void prim_slow(struct nthread *t, const char *site)
{
	if (t->it->step_bound && t->steps > t->it->step_bound &&
	    now() - t->start >= t->it->livelock_min_s)
		sim_fail(SIM_KIND_LIVELOCK,
			 "thread %d (%s) took %lu steps (bound %lu) in %.2f s, the last in %s",
			 t->id, t->name, t->steps, t->it->step_bound, now() - t->start, site);
	if (t->it->jitter)
		jitter(t);
}

/* Every primitive: count the step; the bound and jitter are a slow path
 * taken only when t->check says so, so a plain primitive costs a TLS load,
 * an increment and a compare. */
static inline void prim(const char *site)
{
	struct nthread *t = self;

	if (t && __builtin_expect(++t->steps >= t->check, 0))
		prim_slow(t, site);
}

/* Notes what the caller is about to block on (kind NULL: not blocked), for the hang report. */
static void blocking(const char *kind, const char *name, const char *site)
{
	if (!self)
		return;
	__atomic_store_n(&self->blk_name, name, __ATOMIC_RELAXED);
	__atomic_store_n(&self->blk_site, site, __ATOMIC_RELAXED);
	__atomic_store_n(&self->blk_kind, kind, __ATOMIC_RELAXED);
}

#define BLOCKING(kind, name, site, call)                                                           \
	do {                                                                                       \
		blocking((kind), (name), (site));                                                  \
		call;                                                                              \
		blocking(NULL, NULL, NULL);                                                        \
	} while (0)

/* ---- threads, memory, violations ----------------------------------------- */

int sim_self(void)
{
	return self ? self->id : FOREIGN_ID;
}

/* Cleanup handler: runs when the thread returns or leaves through sim_fail(). */
static void thread_end(void *arg)
{
	struct nthread *t = arg;
	struct iter *it = t->it;

	pthread_mutex_lock(&it->lock);
	t->done = true;
	it->live--;
	pthread_cond_broadcast(&it->cond);
	pthread_mutex_unlock(&it->lock);
}

static void *thread_start(void *arg)
{
	struct nthread *t = arg;

	self = t;
	t->start = now();
	t->check = t->it->jitter ? 0 : t->it->step_bound ? t->it->step_bound + 1 : ~0ul;
	pthread_cleanup_push(thread_end, t);
	t->fn(t->arg);
	pthread_cleanup_pop(1);
	return NULL;
}

/* Starts a detached thread in @it; joins wait for its done flag instead.
 * Return: its id, -ENOSPC past SIM_MAX_THREADS, or pthread_create()'s -errno. */
static int spawn(struct iter *it, const char *name, sim_thread_fn fn, void *arg)
{
	struct nthread *t;
	pthread_attr_t attr;
	pthread_t pt;
	int err;

	pthread_mutex_lock(&it->lock);
	if (it->nthreads == SIM_MAX_THREADS) {
		pthread_mutex_unlock(&it->lock);
		return -ENOSPC;
	}
	t = &it->threads[it->nthreads];
	*t = (struct nthread){.it = it, .name = name, .fn = fn, .arg = arg, .id = it->nthreads};
	t->rng = mix(mix(mix(it->seed) ^ it->index) ^ (uint64_t)t->id) | 1;
	it->nthreads++;
	it->live++;
	pthread_mutex_unlock(&it->lock);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&pt, &attr, thread_start, t);
	pthread_attr_destroy(&attr);
	if (err) {
		thread_end(t);
		return -err;
	}
	return t->id;
}

int sim_thread_spawn_at(const char *name, sim_thread_fn fn, void *arg, const char *site)
{
	struct iter *it = iter_of("sim_thread_spawn");
	int id;

	prim(site);
	id = spawn(it, name, fn, arg);
	if (id == -ENOSPC)
		sim_fail(SIM_KIND_ENGINE, "%s: cannot spawn %s: more than %d threads", site, name,
			 SIM_MAX_THREADS);
	if (id < 0)
		sim_fail(SIM_KIND_ENGINE, "%s: cannot spawn %s: pthread_create error %d", site,
			 name, -id);
	return id;
}

void sim_thread_join_at(int tid, const char *site)
{
	struct iter *it = iter_of("sim_thread_join");
	struct nthread *t;

	prim(site);
	pthread_mutex_lock(&it->lock);
	if (tid <= 0 || tid >= it->nthreads || tid == sim_self()) {
		pthread_mutex_unlock(&it->lock);
		sim_fail(SIM_KIND_ENGINE, "%s: join of thread %d, which cannot be joined", site,
			 tid);
	}
	t = &it->threads[tid];
	BLOCKING("join", t->name, site, {
		while (!t->done)
			pthread_cond_wait(&it->cond, &it->lock);
	});
	pthread_mutex_unlock(&it->lock);
}

void sim_yield_at(const char *site)
{
	prim(site);
	sched_yield();
}

void *sim_alloc(size_t size)
{
	struct iter *it = iter_of("sim_alloc");
	struct ablock *b = NULL;

	if (size <= SIZE_MAX - sizeof(*b))
		b = calloc(1, sizeof(*b) + size);
	if (!b)
		sim_fail(SIM_KIND_ENGINE, "sim_alloc(%zu): out of memory", size);
	pthread_mutex_lock(&it->lock);
	b->next = it->mem;
	it->mem = b;
	pthread_mutex_unlock(&it->lock);
	return b->mem;
}

/*
 * Records the iteration's first violation and ends the calling thread.  Locks
 * it holds stay held, so the others may block for good: the iteration then
 * ends FAIL_GRACE_S after the failure (iter_wait()), and sim_stress() reports
 * this violation, not a hang.  In an RCU callback it returns to the callback's caller instead,
 * since liburcu's thread must survive.
 */
static __attribute__((noreturn)) void fail_v(const char *kind, const char *fmt, va_list ap)
{
	struct iter *it = self ? self->it : cb_iter;
	char msg[sizeof(it->message)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!it) {
		fprintf(stderr, "hmmsim: %s outside a sim_stress() thread: %s\n", kind, msg);
		abort();
	}
	pthread_mutex_lock(&it->lock);
	if (it->violations++ == 0) {
		snprintf(it->kind, sizeof(it->kind), "%s", kind);
		memcpy(it->message, msg, sizeof(msg));
		it->fail_time = now();
	}
	pthread_cond_broadcast(&it->cond); /* iter_wait() shortens its wait */
	pthread_mutex_unlock(&it->lock);
	if (cb_escape)
		longjmp(*cb_escape, 1);
	pthread_exit(NULL);
}

void(sim_fail)(const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(kind, fmt, ap);
}

/* No reports here: the source location is the deterministic engine's. */
void sim_fail_at(const char *file, int line, const char *kind, const char *fmt, ...)
{
	va_list ap;
	(void)file;
	(void)line;
	va_start(ap, fmt);
	fail_v(kind, fmt, ap);
}

bool sim_tracing(void)
{
	return false;
}

void(sim_event)(const char *fmt, ...)
{
}

/* Coverage is the deterministic engine's (sim/core/coverage.c): nothing here. */
void sim_cover_declare(const struct sim_cov_event_desc *events, unsigned int n)
{
}

void sim_cover(unsigned int event)
{
}

void sim_event_at(const char *file, int line, const char *fmt, ...)
{
	(void)file;
	(void)line;
}

/* No reports here: facts and frees are the deterministic engine's. */
void sim_violation_fact(const char *fmt, ...)
{
}

void sim_note_at(const void *obj, const char *topic, const char *what, const char *file, int line,
		 const char *func)
{
	(void)obj, (void)topic, (void)what, (void)file, (void)line, (void)func;
}

void sim_violation_fact_noted(const void *obj, const char *topic, const char *what)
{
	(void)obj, (void)topic, (void)what;
}

/* ---- locks ---------------------------------------------------------------- */

static void lockstate_init(struct sim_lockstate *s)
{
	*s = (struct sim_lockstate){.owner = -1};
}

static void set_owner(struct sim_lockstate *s, int owner)
{
	__atomic_store_n(&s->owner, owner, __ATOMIC_RELAXED);
}

static bool owned(const struct sim_lockstate *s)
{
	return __atomic_load_n(&s->owner, __ATOMIC_RELAXED) == sim_self();
}

void sim_spin_init(sim_spinlock_t *l, const char *name)
{
	l->name = name;
	lockstate_init(&l->s);
	pthread_spin_init(&l->n, PTHREAD_PROCESS_PRIVATE);
}

/* Spins yielding the CPU: unlike the kernel's, a holder can be preempted (or
 * yield in jitter), and a plain spin would then burn a whole time slice. */
void sim_spin_lock_at(sim_spinlock_t *l, const char *site)
{
	prim(site);
	BLOCKING("spinlock", l->name, site, {
		while (pthread_spin_trylock(&l->n))
			sched_yield();
	});
	set_owner(&l->s, sim_self());
}

void sim_spin_unlock_at(sim_spinlock_t *l, const char *site)
{
	prim(site);
	set_owner(&l->s, -1);
	pthread_spin_unlock(&l->n);
}

bool sim_spin_trylock_at(sim_spinlock_t *l, const char *site)
{
	prim(site);
	if (pthread_spin_trylock(&l->n))
		return false;
	set_owner(&l->s, sim_self());
	return true;
}

/* Only the dpor strategy reads the mark. */
void sim_spin_annotated(sim_spinlock_t *l)
{
	l->s.annotated = true;
}

/* lockdep maps: the native backend has no lock-order oracle */
void sim_lock_map_acquire_at(sim_lockdep_map_t *m, const char *site)
{
	(void)m;
	(void)site;
}

void sim_lock_map_release_at(sim_lockdep_map_t *m, const char *site)
{
	(void)m;
	(void)site;
}

void sim_rwsem_might_lock_at(sim_rwsem_t *s, const char *site)
{
	(void)s;
	(void)site;
}

void sim_mutex_annotated(sim_mutex_t *m)
{
	m->s.annotated = true;
}

bool sim_spin_held(const sim_spinlock_t *l)
{
	return owned(&l->s);
}

void sim_mutex_init(sim_mutex_t *m, const char *name)
{
	m->name = name;
	lockstate_init(&m->s);
	pthread_mutex_init(&m->n, NULL);
}

void sim_mutex_lock_at(sim_mutex_t *m, const char *site)
{
	prim(site);
	BLOCKING("mutex", m->name, site, pthread_mutex_lock(&m->n));
	set_owner(&m->s, sim_self());
}

void sim_mutex_unlock_at(sim_mutex_t *m, const char *site)
{
	prim(site);
	set_owner(&m->s, -1);
	pthread_mutex_unlock(&m->n);
}

bool sim_mutex_trylock_at(sim_mutex_t *m, const char *site)
{
	prim(site);
	if (pthread_mutex_trylock(&m->n))
		return false;
	set_owner(&m->s, sim_self());
	return true;
}

bool sim_mutex_held(const sim_mutex_t *m)
{
	return owned(&m->s);
}

void sim_rwsem_init(sim_rwsem_t *s, const char *name)
{
	pthread_rwlockattr_t attr;

	s->name = name;
	lockstate_init(&s->s);
	pthread_rwlockattr_init(&attr);
	/* Readers queue behind a waiting writer, as with the kernel's rwsem. */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->n, &attr);
	pthread_rwlockattr_destroy(&attr);
}

void sim_down_read_at(sim_rwsem_t *s, const char *site)
{
	prim(site);
	BLOCKING("rwsem (read)", s->name, site, pthread_rwlock_rdlock(&s->n));
	__atomic_add_fetch(&s->s.readers, 1, __ATOMIC_RELAXED);
}

void sim_up_read_at(sim_rwsem_t *s, const char *site)
{
	prim(site);
	__atomic_sub_fetch(&s->s.readers, 1, __ATOMIC_RELAXED);
	pthread_rwlock_unlock(&s->n);
}

void sim_down_write_at(sim_rwsem_t *s, const char *site)
{
	prim(site);
	BLOCKING("rwsem (write)", s->name, site, pthread_rwlock_wrlock(&s->n));
	set_owner(&s->s, sim_self());
}

void sim_up_write_at(sim_rwsem_t *s, const char *site)
{
	prim(site);
	set_owner(&s->s, -1);
	pthread_rwlock_unlock(&s->n);
}

bool sim_down_read_trylock_at(sim_rwsem_t *s, const char *site)
{
	prim(site);
	if (pthread_rwlock_tryrdlock(&s->n))
		return false;
	__atomic_add_fetch(&s->s.readers, 1, __ATOMIC_RELAXED);
	return true;
}

bool sim_down_write_trylock_at(sim_rwsem_t *s, const char *site)
{
	prim(site);
	if (pthread_rwlock_trywrlock(&s->n))
		return false;
	set_owner(&s->s, sim_self());
	return true;
}

bool sim_rwsem_held(const sim_rwsem_t *s)
{
	return owned(&s->s) || __atomic_load_n(&s->s.readers, __ATOMIC_RELAXED) > 0;
}

bool sim_rwsem_write_held(const sim_rwsem_t *s)
{
	return owned(&s->s);
}

/* ---- atomics and annotated accesses --------------------------------------- */

/*
 * Runs op(rmw, load, store) with @mo's GCC orders as constants: an order
 * known only at run time is compiled as seq_cst, which would hide a missing
 * barrier.  Loads drop the release half of @mo, stores the acquire half.
 */
#define MO_DISPATCH(mo, op)                                                                        \
	do {                                                                                       \
		switch (mo) {                                                                      \
		case SIM_RELAXED:                                                                  \
			op(__ATOMIC_RELAXED, __ATOMIC_RELAXED, __ATOMIC_RELAXED);                  \
			break;                                                                     \
		case SIM_ACQUIRE:                                                                  \
			op(__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);                  \
			break;                                                                     \
		case SIM_RELEASE:                                                                  \
			op(__ATOMIC_RELEASE, __ATOMIC_RELAXED, __ATOMIC_RELEASE);                  \
			break;                                                                     \
		case SIM_ACQ_REL:                                                                  \
			op(__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE, __ATOMIC_RELEASE);                  \
			break;                                                                     \
		default:                                                                           \
			op(__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                  \
			break;                                                                     \
		}                                                                                  \
	} while (0)

long sim_atomic_load_at(sim_atomic_t *a, enum sim_mo mo, const char *name, const char *site)
{
	long r;

	prim(site);
#define OP(rmw, ld, st) r = __atomic_load_n(&a->v, ld)
	MO_DISPATCH(mo, OP);
#undef OP
	return r;
}

void sim_atomic_store_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			 const char *site)
{
	prim(site);
#define OP(rmw, ld, st) __atomic_store_n(&a->v, v, st)
	MO_DISPATCH(mo, OP);
#undef OP
}

long sim_atomic_xchg_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name, const char *site)
{
	long r;

	prim(site);
#define OP(rmw, ld, st) r = __atomic_exchange_n(&a->v, v, rmw)
	MO_DISPATCH(mo, OP);
#undef OP
	return r;
}

bool sim_atomic_cmpxchg_at(sim_atomic_t *a, long *expected, long desired, enum sim_mo mo,
			   const char *name, const char *site)
{
	bool ok;

	prim(site);
#define OP(rmw, ld, st) ok = __atomic_compare_exchange_n(&a->v, expected, desired, false, rmw, ld)
	MO_DISPATCH(mo, OP);
#undef OP
	return ok;
}

long sim_atomic_add_return_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			      const char *site)
{
	long r;

	prim(site);
#define OP(rmw, ld, st) r = __atomic_add_fetch(&a->v, v, rmw)
	MO_DISPATCH(mo, OP);
#undef OP
	return r;
}

void sim_atomic_add_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
		       const char *site)
{
	(void)sim_atomic_add_return_at(a, v, mo, name, site);
}

void sim_atomic_or_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name, const char *site)
{
	(void)sim_atomic_fetch_or_at(a, v, mo, name, site);
}

long sim_atomic_fetch_or_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			    const char *site)
{
	long r;

	prim(site);
#define OP(rmw, ld, st) r = __atomic_fetch_or(&a->v, v, rmw)
	MO_DISPATCH(mo, OP);
#undef OP
	return r;
}

long sim_atomic_fetch_and_at(sim_atomic_t *a, long v, enum sim_mo mo, const char *name,
			     const char *site)
{
	long r;

	prim(site);
#define OP(rmw, ld, st) r = __atomic_fetch_and(&a->v, v, rmw)
	MO_DISPATCH(mo, OP);
#undef OP
	return r;
}

/* Marked access of one size: relaxed, or acquire/release with SIM_ACC_ACQREL. */
#define LOAD_AS(T)                                                                                 \
	do {                                                                                       \
		const volatile T *p_ = addr;                                                       \
		T v_ = acqrel ? __atomic_load_n(p_, __ATOMIC_ACQUIRE)                              \
			      : __atomic_load_n(p_, __ATOMIC_RELAXED);                             \
		memcpy(&r, &v_, sizeof(v_));                                                       \
	} while (0)
#define STORE_AS(T)                                                                                \
	do {                                                                                       \
		volatile T *p_ = addr;                                                             \
		T v_;                                                                              \
		memcpy(&v_, &bytes, sizeof(v_));                                                   \
		if (acqrel)                                                                        \
			__atomic_store_n(p_, v_, __ATOMIC_RELEASE);                                \
		else                                                                               \
			__atomic_store_n(p_, v_, __ATOMIC_RELAXED);                                \
	} while (0)

static void check_size(size_t size, const char *name)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		sim_fail(SIM_KIND_ENGINE, "%s: annotated access of %zu bytes", name, size);
}

void sim_note_access_at(const volatile void *addr, bool write, const char *name, const char *site)
{
	(void)name;
	(void)site;
	(void)addr;
	(void)write;
}

void sim_note_add_at(const volatile void *addr, const char *name, const char *site)
{
	(void)name;
	(void)site;
	(void)addr;
}

void sim_atomic_result_unused(sim_atomic_t *a)
{
	(void)a;
}

/* an acquire load of what the read-modify-write left: it reads from the
 * release sequence, so it synchronizes with the releases before */
void sim_atomic_acquired(sim_atomic_t *a)
{
	(void)__atomic_load_n(&a->v, __ATOMIC_ACQUIRE);
}

void sim_atomic_wrote_part_at(sim_atomic_t *a, const void *part, const char *name, const char *site)
{
	(void)a;
	(void)part;
	(void)name;
	(void)site;
}

uint64_t sim_load_at(const volatile void *addr, size_t size, unsigned flags, const char *name,
		     const char *site)
{
	bool acqrel = flags & SIM_ACC_ACQREL;
	uint64_t r = 0;

	prim(site);
	check_size(size, name);
	if (!(flags & SIM_ACC_MARKED)) {
		memcpy(&r, (const void *)addr, size); /* a plain access, really */
		return r;
	}
	switch (size) {
	case 1:
		LOAD_AS(uint8_t);
		break;
	case 2:
		LOAD_AS(uint16_t);
		break;
	case 4:
		LOAD_AS(uint32_t);
		break;
	default:
		LOAD_AS(uint64_t);
		break;
	}
	return r;
}

void sim_store_at(volatile void *addr, size_t size, uint64_t bytes, unsigned flags,
		  const char *name, const char *site)
{
	bool acqrel = flags & SIM_ACC_ACQREL;

	prim(site);
	check_size(size, name);
	if (!(flags & SIM_ACC_MARKED)) {
		memcpy((void *)addr, &bytes, size);
		return;
	}
	switch (size) {
	case 1:
		STORE_AS(uint8_t);
		break;
	case 2:
		STORE_AS(uint16_t);
		break;
	case 4:
		STORE_AS(uint32_t);
		break;
	default:
		STORE_AS(uint64_t);
		break;
	}
}

/* ---- RCU ------------------------------------------------------------------ */

/* A call_rcu() request: liburcu's head, and whose callback it is. */
struct ncb {
	struct rcu_head rh;
	struct sim_rcu_head *head;
	struct iter *it;
};

void sim_rcu_read_lock_at(const char *site)
{
	prim(site);
	rcu_read_lock();
}

void sim_rcu_read_unlock_at(const char *site)
{
	prim(site);
	HB_RELEASE(&rcu_gp_hb);
	rcu_read_unlock();
}

void sim_synchronize_rcu_at(const char *site)
{
	prim(site);
	BLOCKING("rcu", "grace period", site, synchronize_rcu());
	HB_ACQUIRE(&rcu_gp_hb);
}

/* Runs in liburcu's call_rcu thread; a sim_fail() in the callback lands back here. */
static void rcu_trampoline(struct rcu_head *rh)
{
	struct ncb *w = caa_container_of(rh, struct ncb, rh);
	struct sim_rcu_head *head;
	jmp_buf escape;

	HB_ACQUIRE(w);
	HB_ACQUIRE(&rcu_gp_hb);
	head = w->head;
	cb_iter = w->it;
	free(w);
	if (!setjmp(escape)) {
		cb_escape = &escape;
		head->func(head);
	}
	cb_escape = NULL;
	cb_iter = NULL;
	HB_RELEASE(&rcu_cb_hb);
}

void sim_call_rcu_at(struct sim_rcu_head *head, void (*func)(struct sim_rcu_head *head),
		     const char *site)
{
	struct iter *it = iter_of("sim_call_rcu");
	struct ncb *w;

	prim(site);
	w = malloc(sizeof(*w));
	if (!w)
		sim_fail(SIM_KIND_ENGINE, "%s: call_rcu: out of memory", site);
	head->func = func;
	w->head = head;
	w->it = it;
	__atomic_store_n(&it->rcu_used, true, __ATOMIC_RELAXED);
	HB_RELEASE(w);
	call_rcu(&w->rh, rcu_trampoline);
}

void sim_rcu_barrier_at(const char *site)
{
	prim(site);
	BLOCKING("rcu", "barrier", site, rcu_barrier());
	HB_ACQUIRE(&rcu_cb_hb);
}

bool sim_rcu_read_lock_held(void)
{
	return rcu_read_ongoing();
}

/* ---- wait queues and completions ----------------------------------------- */

void sim_waitqueue_init(sim_waitqueue_t *wq, const char *name)
{
	wq->name = name;
	wq->gen = 0;
	wq->id = 0;
	pthread_mutex_init(&wq->n_lock, NULL);
	pthread_cond_init(&wq->n_cond, NULL);
}

void sim_wake_up_all_at(sim_waitqueue_t *wq, const char *site)
{
	prim(site);
	pthread_mutex_lock(&wq->n_lock);
	wq->gen++;
	pthread_cond_broadcast(&wq->n_cond);
	pthread_mutex_unlock(&wq->n_lock);
}

/* The generation the condition is evaluated against: a wake-up after this
 * read makes sim_wait_sleep_at() return at once, so none is lost. */
uint64_t sim_wait_prepare(sim_waitqueue_t *wq)
{
	uint64_t gen;

	prim("sim_wait_event");
	pthread_mutex_lock(&wq->n_lock);
	gen = wq->gen;
	pthread_mutex_unlock(&wq->n_lock);
	return gen;
}

void sim_wait_sleep_at(sim_waitqueue_t *wq, uint64_t gen, const char *site)
{
	prim(site);
	pthread_mutex_lock(&wq->n_lock);
	BLOCKING("waitqueue", wq->name, site, {
		while (wq->gen == gen)
			pthread_cond_wait(&wq->n_cond, &wq->n_lock);
	});
	pthread_mutex_unlock(&wq->n_lock);
}

void sim_init_completion(sim_completion_t *c, const char *name)
{
	c->done = 0;
	sim_waitqueue_init(&c->wait, name);
}

/* complete() / complete_all(): done is guarded by the queue's lock; UINT_MAX means "all". */
static void complete(sim_completion_t *c, bool all, const char *site)
{
	prim(site);
	pthread_mutex_lock(&c->wait.n_lock);
	if (all)
		c->done = UINT_MAX;
	else if (c->done != UINT_MAX)
		c->done++;
	c->wait.gen++;
	pthread_cond_broadcast(&c->wait.n_cond);
	pthread_mutex_unlock(&c->wait.n_lock);
}

void sim_complete_at(sim_completion_t *c, const char *site)
{
	complete(c, false, site);
}

void sim_complete_all_at(sim_completion_t *c, const char *site)
{
	complete(c, true, site);
}

void sim_wait_for_completion_at(sim_completion_t *c, const char *site)
{
	prim(site);
	pthread_mutex_lock(&c->wait.n_lock);
	BLOCKING("completion", c->wait.name, site, {
		while (!c->done)
			pthread_cond_wait(&c->wait.n_cond, &c->wait.n_lock);
	});
	if (c->done != UINT_MAX)
		c->done--;
	pthread_mutex_unlock(&c->wait.n_lock);
}

bool sim_completion_done_at(sim_completion_t *c, const char *site)
{
	bool done;

	prim(site);
	pthread_mutex_lock(&c->wait.n_lock);
	done = c->done != 0;
	pthread_mutex_unlock(&c->wait.n_lock);
	return done;
}

/* ---- stress driver -------------------------------------------------------- */

static struct iter *iter_new(uint64_t index, const struct sim_stress_options *opt,
			     unsigned long step_bound, double timeout_s)
{
	struct iter *it = calloc(1, sizeof(*it));
	pthread_condattr_t ca;

	if (!it)
		return NULL;
	it->index = index;
	it->jitter = opt->jitter;
	it->seed = opt->seed;
	it->step_bound = step_bound;
	it->livelock_min_s = timeout_s * LIVELOCK_MIN_SHARE;
	pthread_mutex_init(&it->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&it->cond, &ca);
	pthread_condattr_destroy(&ca);
	return it;
}

/* Only once every thread has ended and every RCU callback has run. */
static void iter_free(struct iter *it)
{
	for (struct ablock *b = it->mem, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	pthread_cond_destroy(&it->cond);
	pthread_mutex_destroy(&it->lock);
	free(it);
}

static struct timespec to_timespec(double t)
{
	struct timespec ts = {.tv_sec = (time_t)t};
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	return ts;
}

/*
 * Waits for every thread of @it to end, until @timeout_s; true when they did.
 * Once a thread failed, the others get FAIL_GRACE_S more at most: a thread
 * that failed holding a lock leaves the ones waiting for it blocked for good,
 * and the violation is what the run reports anyway (not a hang).
 */
static bool iter_wait(struct iter *it, double timeout_s)
{
	double end = now() + timeout_s;
	struct timespec deadline = to_timespec(end);
	int err = 0;
	bool ended, shortened = false;

	pthread_mutex_lock(&it->lock);
	while (it->live && err != ETIMEDOUT) {
		if (it->violations && !shortened) {
			shortened = true;
			if (it->fail_time + FAIL_GRACE_S < end)
				deadline = to_timespec(it->fail_time + FAIL_GRACE_S);
		}
		err = pthread_cond_timedwait(&it->cond, &it->lock, &deadline);
	}
	ended = !it->live;
	pthread_mutex_unlock(&it->lock);
	return ended;
}

/* Appends to the string in @buf, truncating at @len. */
__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t len, const char *fmt,
							 ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* The message of a hang: the threads that have not ended and what they wait for. */
static void describe_hang(struct iter *it, double timeout_s, char *buf, size_t len)
{
	const char *sep = "";

	snprintf(buf, len,
		 "iteration %" PRIu64 " did not finish within %g s (threads blocked: ", it->index,
		 timeout_s);
	pthread_mutex_lock(&it->lock);
	for (int i = 0; i < it->nthreads; i++) {
		struct nthread *t = &it->threads[i];
		const char *kind = __atomic_load_n(&t->blk_kind, __ATOMIC_RELAXED);

		if (t->done)
			continue;
		if (kind)
			append(buf, len, "%s%s in %s on %s %s", sep, t->name,
			       __atomic_load_n(&t->blk_site, __ATOMIC_RELAXED), kind,
			       __atomic_load_n(&t->blk_name, __ATOMIC_RELAXED));
		else
			append(buf, len, "%s%s running", sep, t->name);
		sep = "; ";
	}
	pthread_mutex_unlock(&it->lock);
	append(buf, len, ")");
}

/* Counts a violation; the first one is kept in @res. */
static void record(struct sim_stress_result *res, double start, const char *kind,
		   const char *message, double when)
{
	if (res->violations_found++)
		return;
	snprintf(res->kind, sizeof(res->kind), "%s", kind);
	snprintf(res->message, sizeof(res->message), "%s", message);
	res->seconds_to_first = when - start;
}

/*
 * Each iteration runs sc->main as thread 0 and ends when all its threads have
 * ended.  An iteration with a violation counts once, however many of its
 * threads failed.
 */
int sim_stress(const struct sim_scenario *sc, const struct sim_stress_options *opt,
	       struct sim_stress_result *res)
{
	double timeout = opt->hang_timeout_s > 0 ? opt->hang_timeout_s : DEFAULT_HANG_TIMEOUT_S;
	unsigned long bound = opt->step_bound  ? opt->step_bound
			      : sc->step_bound ? sc->step_bound
					       : SIM_DEFAULT_STEP_BOUND;
	double start = now();
	int err = 0;

	memset(res, 0, sizeof(*res));
	res->seconds_to_first = -1;
	if (!sc->main || !(opt->seconds >= 0) || (opt->seconds == 0 && !opt->max_iterations))
		return -EINVAL;
	while ((opt->seconds == 0 || now() - start < opt->seconds) &&
	       (!opt->max_iterations || res->iterations < opt->max_iterations)) {
		struct iter *it = iter_new(res->iterations, opt, bound, timeout);

		if (!it) {
			err = -ENOMEM;
			break;
		}
		err = spawn(it, "main", sc->main, sc->arg);
		if (err < 0) {
			iter_free(it);
			break;
		}
		err = 0;
		res->iterations++;
		if (!iter_wait(it, timeout)) {
			/* Stuck threads still use @it: leave it to them. */
			char msg[sizeof(res->message)];
			bool failed;

			pthread_mutex_lock(&it->lock);
			failed = it->violations;
			if (failed)
				record(res, start, it->kind, it->message, it->fail_time);
			pthread_mutex_unlock(&it->lock);
			if (!failed) {
				describe_hang(it, timeout, msg, sizeof(msg));
				res->hung = true;
				record(res, start, SIM_KIND_DEADLOCK, msg, now());
			}
			break;
		}
		if (__atomic_load_n(&it->rcu_used, __ATOMIC_RELAXED)) {
			rcu_barrier();
			HB_ACQUIRE(&rcu_cb_hb);
		}
		if (it->violations)
			record(res, start, it->kind, it->message, it->fail_time);
		iter_free(it);
		if (res->violations_found && !opt->keep_going)
			break;
	}
	res->elapsed_s = now() - start;
	return err;
}
