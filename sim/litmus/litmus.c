// SPDX-License-Identifier: MIT
/*
 * The engine's own conformance programs: small concurrent bugs that need no
 * kernel model, each with its fix.  Written only against the primitive API,
 * so they run on the deterministic engine and on the native backend alike.
 */
#include <hmmsim/sim.h>
#include <string.h>

/* ---- lost-update: two increments of a plain counter --------------------- */

struct counter {
	long value;
	sim_mutex_t lock;
	bool locked;
};

static void inc_thread(void *arg)
{
	struct counter *c = arg;

	if (c->locked)
		sim_mutex_lock(&c->lock);
	long v = SIM_PLAIN_READ(c->value);
	SIM_PLAIN_WRITE(c->value, v + 1);
	if (c->locked)
		sim_mutex_unlock(&c->lock);
}

static void lost_update_main(void *arg)
{
	struct counter *c = sim_alloc(sizeof(*c));
	int t1, t2;

	c->locked = arg != NULL;
	sim_mutex_init(&c->lock, "counter_lock");
	t1 = sim_thread_spawn("inc1", inc_thread, c);
	t2 = sim_thread_spawn("inc2", inc_thread, c);
	sim_thread_join(t1);
	sim_thread_join(t2);
	long v = SIM_PLAIN_READ(c->value);
	sim_check(v == 2, "counter is %ld after two increments, expected 2", v);
}

/* ---- seqcount-noretry: a seqcount reader that does not retry ------------ */

struct seqpair {
	unsigned long seq;
	long a, b; /* the writer keeps a == b outside its critical section */
	bool retry;
};

static void seq_writer(void *arg)
{
	struct seqpair *p = arg;

	for (long i = 1; i <= 2; i++) {
		unsigned long s = SIM_READ_ONCE(p->seq);
		SIM_STORE_RELEASE(p->seq, s + 1); /* odd: write in progress */
		SIM_WRITE_ONCE(p->a, i);
		SIM_WRITE_ONCE(p->b, i);
		SIM_STORE_RELEASE(p->seq, s + 2);
	}
}

static void seq_reader(void *arg)
{
	struct seqpair *p = arg;
	unsigned long s;
	long a, b;

	for (;;) {
		/* read_seqcount_begin(): wait for an even count */
		while ((s = SIM_LOAD_ACQUIRE(p->seq)) & 1)
			sim_yield();
		a = SIM_READ_ONCE(p->a);
		b = SIM_READ_ONCE(p->b);
		/* read_seqcount_retry() */
		if (!p->retry || SIM_LOAD_ACQUIRE(p->seq) == s)
			break;
	}
	sim_check(a == b, "seqcount reader saw a torn pair a=%ld b=%ld (seq %lu)", a, b, s);
}

static void seqcount_main(void *arg)
{
	struct seqpair *p = sim_alloc(sizeof(*p));
	int w, r;

	p->retry = arg != NULL;
	w = sim_thread_spawn("writer", seq_writer, p);
	r = sim_thread_spawn("reader", seq_reader, p);
	sim_thread_join(w);
	sim_thread_join(r);
}

/* ---- abba: two locks taken in opposite orders --------------------------- */

struct abba {
	sim_mutex_t a, b;
	bool same_order;
};

static void ab_thread(void *arg)
{
	struct abba *x = arg;

	sim_mutex_lock(&x->a);
	sim_mutex_lock(&x->b);
	sim_mutex_unlock(&x->b);
	sim_mutex_unlock(&x->a);
}

static void ba_thread(void *arg)
{
	struct abba *x = arg;
	sim_mutex_t *first = x->same_order ? &x->a : &x->b;
	sim_mutex_t *second = x->same_order ? &x->b : &x->a;

	sim_mutex_lock(first);
	sim_mutex_lock(second);
	sim_mutex_unlock(second);
	sim_mutex_unlock(first);
}

static void abba_main(void *arg)
{
	struct abba *x = sim_alloc(sizeof(*x));
	int t1, t2;

	x->same_order = arg != NULL;
	sim_mutex_init(&x->a, "lock_A");
	sim_mutex_init(&x->b, "lock_B");
	t1 = sim_thread_spawn("ab", ab_thread, x);
	t2 = sim_thread_spawn("ba", ba_thread, x);
	sim_thread_join(t1);
	sim_thread_join(t2);
}

/* ---- livelock: two polite threads backing off in lock step -------------- */

struct polite {
	int flag[2];
	sim_atomic_t entered;
	bool asymmetric; /* the fix: only thread 1 backs off */
};

struct polite_arg {
	struct polite *p;
	int me;
};

static void polite_thread(void *arg)
{
	struct polite_arg *pa = arg;
	struct polite *p = pa->p;
	int me = pa->me, other = 1 - me;

	for (;;) {
		SIM_WRITE_ONCE(p->flag[me], 1);
		sim_yield();
		int busy = SIM_READ_ONCE(p->flag[other]);
		sim_yield();
		if (!busy)
			break;
		if (p->asymmetric && me == 0) {
			/* Thread 0 has priority: it keeps its flag and waits. */
			while (SIM_READ_ONCE(p->flag[other]))
				sim_yield();
			break;
		}
		/* Back off and try again. */
		SIM_WRITE_ONCE(p->flag[me], 0);
		sim_yield();
		if (p->asymmetric) {
			while (SIM_READ_ONCE(p->flag[other]))
				sim_yield();
		}
	}
	sim_atomic_inc(&p->entered);
	SIM_WRITE_ONCE(p->flag[me], 0);
}

static void livelock_main(void *arg)
{
	struct polite *p = sim_alloc(sizeof(*p));
	struct polite_arg *a = sim_alloc(2 * sizeof(*a));
	int t[2];

	p->asymmetric = arg != NULL;
	for (int i = 0; i < 2; i++) {
		a[i].p = p;
		a[i].me = i;
		t[i] = sim_thread_spawn(i ? "polite1" : "polite0", polite_thread, &a[i]);
	}
	sim_thread_join(t[0]);
	sim_thread_join(t[1]);
	long n = sim_atomic_load(&p->entered, SIM_RELAXED);
	sim_check(n == 2, "%ld threads entered, expected 2", n);
}

/* ---- the table ----------------------------------------------------------- */

static int fixed_marker;
#define FIXED ((void *)&fixed_marker)

static const struct sim_scenario litmus[] = {
    /* The race detector reports the unordered plain accesses before the lost
     * update shows (--no-races: the assertion). */
    {"lost-update", "two threads increment a plain counter (read, then write)", lost_update_main,
     NULL, 0, SIM_KIND_DATA_RACE},
    {"lost-update-fixed", "the same increments under a mutex", lost_update_main, FIXED, 0, NULL},
    {"seqcount-noretry", "a seqcount reader that forgets read_seqcount_retry()", seqcount_main,
     NULL, 0, SIM_KIND_ASSERT},
    {"seqcount-noretry-fixed", "the reader retries when the count moved", seqcount_main, FIXED, 0,
     NULL},
    /* The lock-order oracle reports the inversion in the first execution,
     * deadlocked or not (--no-lockdep: the deadlock). */
    {"abba", "two threads take two mutexes in opposite orders", abba_main, NULL, 0,
     SIM_KIND_LOCK_ORDER},
    {"abba-fixed", "both threads take the mutexes in the same order", abba_main, FIXED, 0, NULL},
    {"livelock", "two polite threads that back off in lock step forever", livelock_main, NULL, 2000,
     SIM_KIND_LIVELOCK},
    {"livelock-fixed", "only one of the two threads backs off", livelock_main, FIXED, 2000, NULL},
};

static const struct sim_scenario *const litmus_ptrs[] = {
    &litmus[0], &litmus[1], &litmus[2], &litmus[3], &litmus[4], &litmus[5], &litmus[6], &litmus[7],
};

const struct sim_scenario *const *sim_litmus_scenarios(size_t *count)
{
	*count = sizeof(litmus_ptrs) / sizeof(litmus_ptrs[0]);
	return litmus_ptrs;
}

const struct sim_scenario *sim_litmus_find(const char *name)
{
	for (size_t i = 0; i < sizeof(litmus) / sizeof(litmus[0]); i++)
		if (strcmp(litmus[i].name, name) == 0)
			return &litmus[i];
	return NULL;
}
