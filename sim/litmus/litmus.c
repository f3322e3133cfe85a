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

/* ---- GenMC's benchmarks: readers(N), lastzero(N), indexer(N) ------------ */

/*
 * readers(N): one writer stores to x while N readers load it.  Every reader
 * reads before or after the store: 2^N executions up to reordering
 * independent operations (GenMC: 8,192 for N = 13).
 */
struct readers {
	long x;
};

static void readers_writer(void *arg)
{
	struct readers *r = arg;
	SIM_WRITE_ONCE(r->x, 42);
}

static void readers_reader(void *arg)
{
	struct readers *r = arg;
	long v = SIM_READ_ONCE(r->x);
	sim_check(v == 0 || v == 42, "reader saw %ld", v);
}

#define LITMUS_N(arg) ((int)(uintptr_t)(arg))

static void readers_main(void *arg)
{
	int n = LITMUS_N(arg), t[SIM_MAX_THREADS];
	struct readers *r = sim_alloc(sizeof(*r));

	t[0] = sim_thread_spawn("writer", readers_writer, r);
	for (int i = 1; i <= n; i++)
		t[i] = sim_thread_spawn("reader", readers_reader, r);
	for (int i = 0; i <= n; i++)
		sim_thread_join(t[i]);
}

/*
 * lastzero(N) (Abdulla et al., POPL 2014): array[0..N] starts zeroed; writer
 * j (1..N) stores array[j-1] + 1 into array[j]; the reader scans down from
 * array[N] to the last zero.
 */
struct lastzero {
	sim_atomic_t a[17];
	int n;
};

struct lastzero_arg {
	struct lastzero *z;
	int j;
};

static void lastzero_writer(void *arg)
{
	struct lastzero_arg *w = arg;
	long v = sim_atomic_load(&w->z->a[w->j - 1], SIM_ACQUIRE);
	sim_atomic_store(&w->z->a[w->j], v + 1, SIM_RELEASE);
}

static void lastzero_reader(void *arg)
{
	struct lastzero *z = arg;
	int i = z->n;
	while (i > 0 && sim_atomic_load(&z->a[i], SIM_ACQUIRE) != 0)
		i--;
}

static void lastzero_main(void *arg)
{
	int n = LITMUS_N(arg), t[17];
	struct lastzero *z = sim_alloc(sizeof(*z));
	struct lastzero_arg *w = sim_alloc((size_t)(n + 1) * sizeof(*w));

	z->n = n;
	t[0] = sim_thread_spawn("reader", lastzero_reader, z);
	for (int j = 1; j <= n; j++) {
		w[j] = (struct lastzero_arg){z, j};
		t[j] = sim_thread_spawn("writer", lastzero_writer, &w[j]);
	}
	for (int j = 0; j <= n; j++)
		sim_thread_join(t[j]);
}

/*
 * indexer(N) (Flanagan and Godefroid, POPL 2005): N threads each insert four
 * messages into a 128-slot hash table with compare-and-swap and linear
 * probing.  Messages collide only from N = 12 on.
 */
#define INDEXER_SIZE 128

struct indexer {
	sim_atomic_t table[INDEXER_SIZE];
};

struct indexer_arg {
	struct indexer *x;
	int tid;
};

static void indexer_thread(void *arg)
{
	struct indexer_arg *a = arg;
	for (long m = 1; m <= 4; m++) {
		long w = m * 11 + a->tid;
		long h = (w * 7) % INDEXER_SIZE, zero = 0;
		while (!sim_atomic_cmpxchg(&a->x->table[h], &zero, w, SIM_ACQ_REL)) {
			h = (h + 1) % INDEXER_SIZE;
			zero = 0;
		}
	}
}

static void indexer_main(void *arg)
{
	int n = LITMUS_N(arg), t[SIM_MAX_THREADS];
	struct indexer *x = sim_alloc(sizeof(*x));
	struct indexer_arg *a = sim_alloc((size_t)n * sizeof(*a));

	for (int i = 0; i < n; i++) {
		a[i] = (struct indexer_arg){x, i};
		t[i] = sim_thread_spawn("indexer", indexer_thread, &a[i]);
	}
	for (int i = 0; i < n; i++)
		sim_thread_join(t[i]);
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

#define N(n) ((void *)(uintptr_t)(n))
#define READERS(n)                                                                                 \
	{                                                                                          \
		"readers-" #n,                                                                     \
		    "GenMC's readers(" #n "): one writer, " #n " readers of one variable",         \
		    readers_main, N(n), 0, NULL                                                    \
	}

/* The GenMC benchmarks (dpor's known counts, tests/engine/dpor.c and docs/dpor.md). */
static const struct sim_scenario genmc[] = {
    {"readers-1", "GenMC's readers(1): one writer, 1 reader of one variable", readers_main, N(1), 0,
     NULL},
    READERS(2),
    READERS(3),
    READERS(4),
    READERS(5),
    READERS(6),
    READERS(7),
    READERS(8),
    READERS(9),
    READERS(10),
    READERS(11),
    READERS(12),
    READERS(13),
    {"lastzero-5",
     "GenMC's lastzero(5): 5 writers chain array[j] = array[j-1] + 1, a reader "
     "scans for the last zero",
     lastzero_main, N(5), 0, NULL},
    {"lastzero-10", "the same with 10 writers", lastzero_main, N(10), 0, NULL},
    {"lastzero-15", "the same with 15 writers", lastzero_main, N(15), 0, NULL},
    {"indexer-12", "GenMC's indexer(12): 12 threads insert into a hash table with cmpxchg",
     indexer_main, N(12), 0, NULL},
    {"indexer-15", "the same with 15 threads", indexer_main, N(15), 0, NULL},
};

#define NLITMUS (sizeof(litmus) / sizeof(litmus[0]))
#define NGENMC	(sizeof(genmc) / sizeof(genmc[0]))

static const struct sim_scenario *litmus_ptrs[NLITMUS + NGENMC];

const struct sim_scenario *const *sim_litmus_scenarios(size_t *count)
{
	for (size_t i = 0; i < NLITMUS; i++)
		litmus_ptrs[i] = &litmus[i];
	for (size_t i = 0; i < NGENMC; i++)
		litmus_ptrs[NLITMUS + i] = &genmc[i];
	*count = NLITMUS + NGENMC;
	return (const struct sim_scenario *const *)litmus_ptrs;
}

const struct sim_scenario *sim_litmus_find(const char *name)
{
	for (size_t i = 0; i < NLITMUS; i++)
		if (strcmp(litmus[i].name, name) == 0)
			return &litmus[i];
	for (size_t i = 0; i < NGENMC; i++)
		if (strcmp(genmc[i].name, name) == 0)
			return &genmc[i];
	return NULL;
}
