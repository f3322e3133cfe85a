// SPDX-License-Identifier: MIT
/*
 * Oracles suite: each oracle that runs inside the executions (data-race,
 * lock-order, might-sleep) reports its bug and stays quiet on the corrected
 * program, and each can be switched off.  Two checks use the kernel model:
 * a plain store to pgmap->owner racing with hmm_range_fault(), and a driver
 * whose update lock is taken both outside and inside mmap_lock.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>

#include "model_helpers.h"

#define DFS_ALL 1000000

#define NO_RACES       1u
#define NO_LOCKDEP     2u
#define NO_MIGHT_SLEEP 4u

static struct sim_result run_opt(const struct sim_scenario *sc, enum sim_strategy strat,
				 uint64_t iterations, unsigned int preemptions, unsigned int off)
{
	struct sim_options o = {
	    .strategy = strat,
	    .seed = 1,
	    .iterations = iterations,
	    .dfs_preemptions = preemptions,
	    .no_races = off & NO_RACES,
	    .no_lockdep = off & NO_LOCKDEP,
	    .no_might_sleep = off & NO_MIGHT_SLEEP,
	};
	struct sim_result r;
	int ret = sim_explore(sc, &o, &r);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		fprintf(stderr, "sim_explore(%s): %s\n", sc->name, r.error);
	if (getenv("HMMSIM_TEST_VERBOSE"))
		fprintf(stderr, "\n    %s: %llu executions: %s: %s\n", sc->name,
			(unsigned long long)r.executions,
			r.nr_reports ? r.reports[0].kind : "clean",
			r.nr_reports ? r.reports[0].message : "");
	return r;
}

static bool msg_has(const struct sim_result *r, const char *s)
{
	return r->nr_reports && strstr(r->reports[0].message, s);
}

/* A clean program: exhaustive within 2 preemptions, nothing reported. */
static void assert_clean_dfs(const struct sim_scenario *sc)
{
	struct sim_result r = run_opt(sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	if (r.nr_reports)
		fprintf(stderr, "\n    %s: unexpected %s: %s\n", sc->name, r.reports[0].kind,
			r.reports[0].message);
	sim_result_free(&r);
}

/* ---- data-race: a counter ---------------------------------------------------------- */

struct counter {
	sim_mutex_t lock;
	long value;
	bool locked;
};

static void count_thread(void *arg)
{
	struct counter *c = arg;
	if (c->locked)
		sim_mutex_lock(&c->lock);
	SIM_PLAIN_WRITE(c->value, SIM_PLAIN_READ(c->value) + 1);
	if (c->locked)
		sim_mutex_unlock(&c->lock);
}

static void counter_main(void *arg)
{
	struct counter *c = sim_alloc(sizeof(*c));
	c->locked = arg != NULL;
	sim_mutex_init(&c->lock, "counter_lock");
	int a = sim_thread_spawn("inc_a", count_thread, c);
	int b = sim_thread_spawn("inc_b", count_thread, c);
	sim_thread_join(a);
	sim_thread_join(b);
	/* ordered after both by the joins */
	sim_check(SIM_PLAIN_READ(c->value) >= 1, "counter lost both increments");
}

static void test_race_counter(void)
{
	struct sim_scenario bug = SCENARIO("o-counter", counter_main);
	struct sim_scenario fixed = SCENARIO("o-counter-locked", counter_main, .arg = (void *)1);

	struct sim_result r = run_opt(&bug, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	/* both sides, by thread and function, in the first execution already */
	CU_ASSERT_TRUE(msg_has(&r, "data race on c->value: plain read by T2 inc_b in "
				   "count_thread, concurrent with plain write by T1 inc_a in "
				   "count_thread"));
	CU_ASSERT_TRUE(r.nr_reports && r.reports[0].execution == 0);
	sim_result_free(&r);

	r = run_opt(&bug, SIM_STRATEGY_DFS, DFS_ALL, 2, NO_RACES);
	CU_ASSERT_EQUAL(r.violations_found, 0); /* >= 1 holds even when lost */
	sim_result_free(&r);

	assert_clean_dfs(&fixed);
}

/* ---- data-race: message passing through a flag ------------------------------------- */

struct mp {
	long data;
	sim_atomic_t flag;
	int marked_flag;
};

enum mp_kind { MP_RELAXED, MP_RELEASE_ACQUIRE, MP_STORE_RELEASE_MACROS, MP_ONCE };

static enum mp_kind mp_kind;

static void mp_writer(void *arg)
{
	struct mp *m = arg;
	SIM_PLAIN_WRITE(m->data, 42);
	switch (mp_kind) {
	case MP_RELAXED:
		sim_atomic_store(&m->flag, 1, SIM_RELAXED);
		break;
	case MP_RELEASE_ACQUIRE:
		sim_atomic_store(&m->flag, 1, SIM_RELEASE);
		break;
	case MP_STORE_RELEASE_MACROS:
		SIM_STORE_RELEASE(m->marked_flag, 1);
		break;
	case MP_ONCE:
		SIM_WRITE_ONCE(m->marked_flag, 1);
		break;
	}
}

static void mp_reader(void *arg)
{
	struct mp *m = arg;
	bool seen;
	switch (mp_kind) {
	case MP_RELAXED:
		seen = sim_atomic_load(&m->flag, SIM_RELAXED);
		break;
	case MP_RELEASE_ACQUIRE:
		seen = sim_atomic_load(&m->flag, SIM_ACQUIRE);
		break;
	case MP_STORE_RELEASE_MACROS:
		seen = SIM_LOAD_ACQUIRE(m->marked_flag);
		break;
	default:
		seen = SIM_READ_ONCE(m->marked_flag);
		break;
	}
	if (seen)
		sim_check(SIM_PLAIN_READ(m->data) == 42, "flag set before the data");
}

static void mp_main(void *arg)
{
	struct mp *m = sim_alloc(sizeof(*m));
	int w = sim_thread_spawn("writer", mp_writer, m);
	int r = sim_thread_spawn("reader", mp_reader, m);
	sim_thread_join(w);
	sim_thread_join(r);
}

static void test_race_message_passing(void)
{
	struct sim_scenario sc = SCENARIO("o-mp", mp_main);

	mp_kind = MP_RELAXED;
	struct sim_result r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	CU_ASSERT_TRUE(msg_has(&r, "data race on m->data: plain read by T2 reader in mp_reader, "
				   "concurrent with plain write by T1 writer in mp_writer"));
	sim_result_free(&r);
	mp_kind = MP_ONCE; /* READ_ONCE/WRITE_ONCE order nothing either */
	r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	sim_result_free(&r);

	mp_kind = MP_RELEASE_ACQUIRE;
	assert_clean_dfs(&sc);
	mp_kind = MP_STORE_RELEASE_MACROS;
	assert_clean_dfs(&sc);
}

/* ---- data-race: spawn, join, completion, rwsem ----------------------------------------- */

struct box {
	long a, b;
	sim_completion_t done;
	sim_rwsem_t rw;
};

static void child_thread(void *arg)
{
	struct box *x = arg;
	SIM_PLAIN_WRITE(x->a, SIM_PLAIN_READ(x->a) + 1); /* after the parent's write */
}

static void spawn_join_main(void *arg)
{
	struct box *x = sim_alloc(sizeof(*x));
	SIM_PLAIN_WRITE(x->a, 1);
	int t = sim_thread_spawn("child", child_thread, x);
	SIM_PLAIN_WRITE(x->b, 1); /* the child does not touch b */
	sim_thread_join(t);
	sim_check(SIM_PLAIN_READ(x->a) == 2, "join returned before the child's write");
	t = sim_thread_spawn("child2", child_thread, x); /* ordered after the first */
	sim_thread_join(t);
}

static void producer(void *arg)
{
	struct box *x = arg;
	SIM_PLAIN_WRITE(x->a, 7);
	sim_complete(&x->done);
}

static void consumer(void *arg)
{
	struct box *x = arg;
	sim_wait_for_completion(&x->done);
	sim_check(SIM_PLAIN_READ(x->a) == 7, "completion before the write");
}

static void completion_main(void *arg)
{
	struct box *x = sim_alloc(sizeof(*x));
	sim_init_completion(&x->done, "done");
	int c = sim_thread_spawn("consumer", consumer, x);
	int p = sim_thread_spawn("producer", producer, x);
	sim_thread_join(c);
	sim_thread_join(p);
}

static void rw_writer(void *arg)
{
	struct box *x = arg;
	sim_down_write(&x->rw);
	SIM_PLAIN_WRITE(x->a, SIM_PLAIN_READ(x->a) + 1);
	sim_up_write(&x->rw);
}

static void rw_reader(void *arg)
{
	struct box *x = arg;
	sim_down_read(&x->rw);
	(void)SIM_PLAIN_READ(x->a);
	sim_up_read(&x->rw);
}

static void rwsem_main(void *arg)
{
	struct box *x = sim_alloc(sizeof(*x));
	sim_rwsem_init(&x->rw, "rw");
	int t[3];
	t[0] = sim_thread_spawn("r", rw_reader, x);
	t[1] = sim_thread_spawn("w1", rw_writer, x);
	t[2] = sim_thread_spawn("w2", rw_writer, x);
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
}

/* Readers that write under the read lock do race with each other. */
static void rw_bad_reader(void *arg)
{
	struct box *x = arg;
	sim_down_read(&x->rw);
	SIM_PLAIN_WRITE(x->b, 1);
	sim_up_read(&x->rw);
}

static void rwsem_bad_main(void *arg)
{
	struct box *x = sim_alloc(sizeof(*x));
	sim_rwsem_init(&x->rw, "rw");
	int a = sim_thread_spawn("r1", rw_bad_reader, x);
	int b = sim_thread_spawn("r2", rw_bad_reader, x);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_race_sync_edges(void)
{
	struct sim_scenario sj = SCENARIO("o-spawn-join", spawn_join_main);
	struct sim_scenario co = SCENARIO("o-completion", completion_main);
	struct sim_scenario rw = SCENARIO("o-rwsem", rwsem_main);
	struct sim_scenario rwb = SCENARIO("o-rwsem-bad", rwsem_bad_main);

	assert_clean_dfs(&sj);
	assert_clean_dfs(&co);
	assert_clean_dfs(&rw);
	struct sim_result r = run_opt(&rwb, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	sim_result_free(&r);
}

/* ---- data-race: RCU publication and reclamation ------------------------------------------- */

struct obj {
	long v;
	struct sim_rcu_head rcu;
};

struct rcu_box {
	struct obj *gp;
};

enum rcu_mode { RCU_SYNC, RCU_CALL, RCU_NO_GRACE };
static enum rcu_mode rcu_mode;

static void rcu_reader(void *arg)
{
	struct rcu_box *x = arg;
	sim_rcu_read_lock();
	struct obj *p = sim_rcu_dereference(x->gp);
	sim_check(SIM_PLAIN_READ(p->v) > 0, "reader saw a freed object");
	sim_rcu_read_unlock();
}

static void free_obj(struct sim_rcu_head *h)
{
	struct obj *o = (struct obj *)((char *)h - offsetof(struct obj, rcu));
	SIM_PLAIN_WRITE(o->v, -1); /* kfree() */
}

static void rcu_updater(void *arg)
{
	struct rcu_box *x = arg;
	struct obj *fresh = sim_alloc(sizeof(*fresh));
	SIM_PLAIN_WRITE(fresh->v, 2); /* initialised before publication */
	struct obj *old = SIM_READ_ONCE(x->gp);
	sim_rcu_assign_pointer(x->gp, fresh);
	if (rcu_mode == RCU_CALL) {
		sim_call_rcu(&old->rcu, free_obj);
		return;
	}
	if (rcu_mode == RCU_SYNC)
		sim_synchronize_rcu();
	SIM_PLAIN_WRITE(old->v, -1);
}

static void rcu_main(void *arg)
{
	struct rcu_box *x = sim_alloc(sizeof(*x));
	struct obj *first = sim_alloc(sizeof(*first));
	first->v = 1;
	x->gp = first;
	int r = sim_thread_spawn("reader", rcu_reader, x);
	int u = sim_thread_spawn("updater", rcu_updater, x);
	sim_thread_join(r);
	sim_thread_join(u);
	sim_rcu_barrier();
}

static void test_race_rcu(void)
{
	struct sim_scenario sc = SCENARIO("o-rcu", rcu_main);

	rcu_mode = RCU_SYNC;
	assert_clean_dfs(&sc);
	rcu_mode = RCU_CALL;
	assert_clean_dfs(&sc);
	rcu_mode = RCU_NO_GRACE; /* the free races with the reader */
	struct sim_result r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	CU_ASSERT_TRUE(msg_has(&r, "data race on "));
	sim_result_free(&r);
}

/*
 * A read section that begins after a grace period began and ends before it
 * ends (a second reader holds the grace period open until the first one is
 * done) is not ordered before the grace period's end: the kernel's guarantee
 * for it is that the start comes first.  With relaxed flags the write in the
 * section races with the read after synchronize_rcu(); with release and
 * acquire the second reader, which the grace period waits for, orders it.
 */
struct gp_inside {
	long x;
	sim_atomic_t holding, done;
};

static bool gp_inside_fixed;

static void gp_inside_reader(void *arg)
{
	struct gp_inside *g = arg;
	sim_rcu_read_lock();
	SIM_PLAIN_WRITE(g->x, 1);
	sim_rcu_read_unlock();
	sim_atomic_store(&g->done, 1, gp_inside_fixed ? SIM_RELEASE : SIM_RELAXED);
}

static void gp_inside_holder(void *arg)
{
	struct gp_inside *g = arg;
	sim_rcu_read_lock();
	sim_atomic_store(&g->holding, 1, SIM_RELAXED);
	while (!sim_atomic_load(&g->done, gp_inside_fixed ? SIM_ACQUIRE : SIM_RELAXED))
		sim_yield();
	sim_rcu_read_unlock();
}

static void gp_inside_updater(void *arg)
{
	struct gp_inside *g = arg;
	while (!sim_atomic_load(&g->holding, SIM_RELAXED))
		sim_yield();
	sim_synchronize_rcu(); /* waits for the holder */
	sim_check(SIM_PLAIN_READ(g->x) == 1, "the reader's write is not there");
}

static void gp_inside_main(void *arg)
{
	struct gp_inside *g = sim_alloc(sizeof(*g));
	(void)arg;
	int t[3] = {sim_thread_spawn("holder", gp_inside_holder, g),
		    sim_thread_spawn("updater", gp_inside_updater, g),
		    sim_thread_spawn("reader", gp_inside_reader, g)};
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
}

static void test_race_rcu_inside_gp(void)
{
	struct sim_scenario sc = SCENARIO("o-rcu-inside-gp", gp_inside_main);

	for (int dpor = 0; dpor < 2; dpor++) {
		enum sim_strategy st = dpor ? SIM_STRATEGY_DPOR : SIM_STRATEGY_DFS;
		gp_inside_fixed = false;
		struct sim_result r = run_opt(&sc, st, DFS_ALL, dpor ? 0 : 2, 0);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
		CU_ASSERT_TRUE(msg_has(&r, "data race on "));
		sim_result_free(&r);
		gp_inside_fixed = true;
		r = run_opt(&sc, st, DFS_ALL, dpor ? 0 : 2, 0);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		if (r.nr_reports)
			fprintf(stderr, "\n    o-rcu-inside-gp: unexpected %s: %s\n",
				r.reports[0].kind, r.reports[0].message);
		sim_result_free(&r);
	}
}

/* ---- lock-order ------------------------------------------------------------------------------ */

struct pair {
	sim_mutex_t a, b;
	sim_spinlock_t s;
	sim_atomic_t first;
	bool same_order;
};

static void take_ab(void *arg)
{
	struct pair *p = arg;
	sim_mutex_lock(&p->a);
	sim_mutex_lock(&p->b);
	sim_mutex_unlock(&p->b);
	sim_mutex_unlock(&p->a);
}

static void take_ba(void *arg)
{
	struct pair *p = arg;
	sim_mutex_t *x = p->same_order ? &p->a : &p->b, *y = p->same_order ? &p->b : &p->a;
	sim_mutex_lock(x);
	sim_mutex_lock(y);
	sim_mutex_unlock(y);
	sim_mutex_unlock(x);
}

static struct pair *new_pair(bool same_order)
{
	struct pair *p = sim_alloc(sizeof(*p));
	sim_mutex_init(&p->a, "lock_A");
	sim_mutex_init(&p->b, "lock_B");
	sim_spin_init(&p->s, "spin_S");
	p->same_order = same_order;
	return p;
}

static void abba_main(void *arg)
{
	struct pair *p = new_pair(arg != NULL);
	int t1 = sim_thread_spawn("ab", take_ab, p);
	int t2 = sim_thread_spawn("ba", take_ba, p);
	sim_thread_join(t1);
	sim_thread_join(t2);
}

/* The two orders in one execution, never at the same time. */
static void abba_serial_main(void *arg)
{
	struct pair *p = new_pair(false);
	sim_thread_join(sim_thread_spawn("ab", take_ab, p));
	sim_thread_join(sim_thread_spawn("ba", take_ba, p));
}

/* The two orders in different executions: which one depends on who wins a
 * race that involves no lock, and one thread takes both locks. */
static void racer(void *arg)
{
	struct pair *p = arg;
	long expected = 0;
	sim_atomic_cmpxchg(&p->first, &expected, sim_self(), SIM_RELAXED);
}

static void abba_split_main(void *arg)
{
	struct pair *p = new_pair(false);
	int x = sim_thread_spawn("x", racer, p);
	int y = sim_thread_spawn("y", racer, p);
	sim_thread_join(x);
	sim_thread_join(y);
	if (sim_atomic_load(&p->first, SIM_RELAXED) == x)
		take_ab(p);
	else
		take_ba(p);
}

/* A trylock waits for nothing: no edge to it (lockdep's rule). */
static void trylock_order_main(void *arg)
{
	struct pair *p = new_pair(false);
	sim_mutex_lock(&p->a);
	if (sim_mutex_trylock(&p->b))
		sim_mutex_unlock(&p->b);
	sim_mutex_unlock(&p->a);
	sim_mutex_lock(&p->b);
	sim_mutex_lock(&p->a);
	sim_mutex_unlock(&p->a);
	sim_mutex_unlock(&p->b);
}

/* Two locks of one class nested: not a cycle (no nesting annotations). */
static void same_class_main(void *arg)
{
	sim_spinlock_t *l = sim_alloc(2 * sizeof(*l));
	sim_spin_init(&l[0], "ptl");
	sim_spin_init(&l[1], "ptl");
	sim_spin_lock(&l[0]);
	sim_spin_lock(&l[1]);
	sim_spin_unlock(&l[1]);
	sim_spin_unlock(&l[0]);
	sim_spin_lock(&l[1]);
	sim_spin_lock(&l[0]);
	sim_spin_unlock(&l[0]);
	sim_spin_unlock(&l[1]);
}

static void test_lockdep_abba(void)
{
	struct sim_scenario bug = SCENARIO("o-abba", abba_main);
	struct sim_scenario fixed = SCENARIO("o-abba-fixed", abba_main, .arg = (void *)1);

	/* Without preemptions ab and ba never overlap: no execution deadlocks. */
	struct sim_result r = run_opt(&bug, SIM_STRATEGY_DFS, DFS_ALL, 0, NO_LOCKDEP);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	r = run_opt(&bug, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	CU_ASSERT_TRUE(msg_has(&r, "lock-order cycle: lock_B -> lock_A (ba: take_ba holds lock_B, "
				   "takes lock_A in take_ba) and lock_A -> lock_B (ab: take_ab "
				   "holds lock_A, takes lock_B in take_ab)"));
	sim_result_free(&r);
	assert_clean_dfs(&fixed);
}

/*
 * A lockdep map (sim_lock_map_acquire()): "waiter" takes it for an instant
 * under lock_A, "callback" takes lock_A inside it: a cycle, though the map
 * blocks nobody.  The fixed waiter takes the map before lock_A.  The map is
 * no scheduling point: the two programs have as many schedules.
 */
static sim_lockdep_map_t test_map = SIM_LOCKDEP_MAP_INIT("test_map");

struct mapctx {
	sim_mutex_t a;
	bool fixed;
};

static void map_waiter(void *arg)
{
	struct mapctx *c = arg;
	if (c->fixed) {
		sim_lock_map_acquire(&test_map);
		sim_lock_map_release(&test_map);
	}
	sim_mutex_lock(&c->a);
	if (!c->fixed) {
		sim_lock_map_acquire(&test_map);
		sim_lock_map_release(&test_map);
	}
	sim_mutex_unlock(&c->a);
}

static void map_callback(void *arg)
{
	struct mapctx *c = arg;
	sim_lock_map_acquire(&test_map);
	sim_mutex_lock(&c->a);
	sim_mutex_unlock(&c->a);
	sim_lock_map_release(&test_map);
}

static void lock_map_main(void *arg)
{
	struct mapctx *c = sim_alloc(sizeof(*c));
	sim_mutex_init(&c->a, "lock_A");
	c->fixed = arg != NULL;
	int w = sim_thread_spawn("waiter", map_waiter, c);
	int b = sim_thread_spawn("callback", map_callback, c);
	sim_thread_join(w);
	sim_thread_join(b);
}

static void test_lockdep_map(void)
{
	struct sim_scenario bug = SCENARIO("o-lock-map", lock_map_main);
	struct sim_scenario fixed = SCENARIO("o-lock-map-fixed", lock_map_main, .arg = (void *)1);

	struct sim_result r = run_opt(&bug, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	CU_ASSERT_TRUE(msg_has(&r, "lock_A -> test_map (waiter: map_waiter holds lock_A, takes "
				   "test_map in map_waiter)"));
	sim_result_free(&r);
	r = run_opt(&bug, SIM_STRATEGY_DFS, DFS_ALL, 10, NO_LOCKDEP);
	struct sim_result f = run_opt(&fixed, SIM_STRATEGY_DFS, DFS_ALL, 10, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_EQUAL(f.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted && f.exhausted);
	EXPECT_EQ_U64(f.executions, r.executions);
	sim_result_free(&r);
	sim_result_free(&f);
}

static void test_lockdep_across(void)
{
	struct sim_scenario serial = SCENARIO("o-abba-serial", abba_serial_main);
	struct sim_scenario split = SCENARIO("o-abba-split", abba_split_main);
	struct sim_scenario tryl = SCENARIO("o-trylock-order", trylock_order_main);
	struct sim_scenario same = SCENARIO("o-same-class", same_class_main);

	struct sim_result r = run_opt(&serial, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	sim_result_free(&r);

	/* Found in a later execution than the one that recorded A -> B; its
	 * report is built by a replay that fails the same way (else
	 * sim_explore() would return -EIO). */
	r = run_opt(&split, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	CU_ASSERT_TRUE(r.nr_reports && r.reports[0].execution > 0);
	CU_ASSERT_TRUE(msg_has(&r, "lock_B -> lock_A (main: take_ba holds lock_B"));
	CU_ASSERT_TRUE(msg_has(&r, "lock_A -> lock_B (main: take_ab holds lock_A"));
	/* Alone, that execution's token has no earlier half to close on. */
	if (r.nr_reports) {
		struct sim_options o = {.strategy = SIM_STRATEGY_REPLAY,
					.schedule = r.reports[0].schedule};
		struct sim_result rr;
		CU_ASSERT_EQUAL(sim_explore(&split, &o, &rr), 0);
		CU_ASSERT_EQUAL(rr.violations_found, 0);
		sim_result_free(&rr);
	}
	sim_result_free(&r);
	/* keep going: reported once, the graph keeps the edge afterwards */
	struct sim_options o = {.strategy = SIM_STRATEGY_DFS,
				.iterations = DFS_ALL,
				.dfs_preemptions = 2,
				.keep_going = true,
				.max_reports = 4};
	CU_ASSERT_EQUAL(sim_explore(&split, &o, &r), 0);
	CU_ASSERT_EQUAL(r.violations_found, 1);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	r = run_opt(&split, SIM_STRATEGY_PCT, 2000, 0, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	sim_result_free(&r);
	r = run_opt(&split, SIM_STRATEGY_DFS, DFS_ALL, 2, NO_LOCKDEP);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);

	assert_clean_dfs(&tryl);
	assert_clean_dfs(&same);
}

/* ---- might-sleep ----------------------------------------------------------------------------- */

enum ms_mode {
	MS_MUTEX_UNDER_SPIN,
	MS_MUTEX_UNDER_RCU,
	MS_TRYLOCK_UNDER_SPIN,
	MS_WAIT_UNDER_SPIN,
	MS_DOWN_READ_UNDER_RCU,
	MS_JOIN_UNDER_SPIN,
	MS_SYNC_UNDER_SPIN
};

static void nop_thread(void *arg)
{
}

static void might_sleep_main(void *arg)
{
	enum ms_mode mode = (enum ms_mode)(long)arg;
	struct pair *p = new_pair(false);
	sim_completion_t *c = sim_alloc(sizeof(*c));
	sim_rwsem_t *rw = sim_alloc(sizeof(*rw));
	sim_init_completion(c, "comp");
	sim_rwsem_init(rw, "rw");
	sim_complete(c); /* wait_for_completion() below would not block */
	int t = sim_thread_spawn("nop", nop_thread, NULL);

	if (mode == MS_MUTEX_UNDER_RCU || mode == MS_DOWN_READ_UNDER_RCU)
		sim_rcu_read_lock();
	else
		sim_spin_lock(&p->s);
	switch (mode) {
	case MS_MUTEX_UNDER_SPIN:
	case MS_MUTEX_UNDER_RCU:
		sim_mutex_lock(&p->a);
		sim_mutex_unlock(&p->a);
		break;
	case MS_TRYLOCK_UNDER_SPIN:
		if (sim_mutex_trylock(&p->a))
			sim_mutex_unlock(&p->a);
		if (sim_down_read_trylock(rw))
			sim_up_read(rw);
		break;
	case MS_WAIT_UNDER_SPIN:
		sim_wait_for_completion(c);
		break;
	case MS_DOWN_READ_UNDER_RCU:
		sim_down_read(rw);
		sim_up_read(rw);
		break;
	case MS_JOIN_UNDER_SPIN:
		sim_thread_join(t);
		break;
	case MS_SYNC_UNDER_SPIN:
		sim_synchronize_rcu();
		break;
	}
	if (mode == MS_MUTEX_UNDER_RCU || mode == MS_DOWN_READ_UNDER_RCU)
		sim_rcu_read_unlock();
	else
		sim_spin_unlock(&p->s);
	if (mode != MS_JOIN_UNDER_SPIN)
		sim_thread_join(t);
}

static void test_might_sleep(void)
{
	static const struct {
		enum ms_mode mode;
		const char *msg; /* NULL: clean */
	} cases[] = {
	    {MS_MUTEX_UNDER_SPIN, "mutex_lock of lock_A in atomic context (holds spinlock spin_S) "
				  "at might_sleep_main, by T0 main"},
	    {MS_MUTEX_UNDER_RCU, "mutex_lock of lock_A in atomic context (inside rcu_read_lock) "
				 "at might_sleep_main"},
	    {MS_TRYLOCK_UNDER_SPIN, NULL},
	    {MS_WAIT_UNDER_SPIN, "wait_for_completion of comp in atomic context (holds spinlock "
				 "spin_S)"},
	    {MS_DOWN_READ_UNDER_RCU, "down_read of rw in atomic context (inside rcu_read_lock)"},
	    {MS_JOIN_UNDER_SPIN, "join of nop in atomic context (holds spinlock spin_S)"},
	    {MS_SYNC_UNDER_SPIN, "synchronize_rcu in atomic context (holds spinlock spin_S)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_scenario sc =
		    SCENARIO("o-might-sleep", might_sleep_main, .arg = (void *)(long)cases[i].mode);
		struct sim_result r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
		if (cases[i].msg) {
			CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_MIGHT_SLEEP);
			CU_ASSERT_TRUE(msg_has(&r, cases[i].msg));
			if (!msg_has(&r, cases[i].msg))
				fprintf(stderr, "\n    case %zu: %s\n", i,
					r.nr_reports ? r.reports[0].message : "clean");
		} else {
			CU_ASSERT_EQUAL(r.violations_found, 0);
			CU_ASSERT_TRUE(r.exhausted);
		}
		sim_result_free(&r);
		if (cases[i].msg) {
			r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, NO_MIGHT_SLEEP);
			CU_ASSERT_EQUAL(r.violations_found, 0);
			sim_result_free(&r);
		}
	}
}

/* synchronize_rcu() inside a reader stays an "rcu" violation (it never returns). */
static void sync_in_reader_main(void *arg)
{
	sim_rcu_read_lock();
	sim_synchronize_rcu();
	sim_rcu_read_unlock();
}

static void test_sync_in_reader(void)
{
	struct sim_scenario sc = SCENARIO("o-sync-in-reader", sync_in_reader_main);
	struct sim_result r = run_opt(&sc, SIM_STRATEGY_RANDOM, 1, 0, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), "rcu");
	sim_result_free(&r);
}

/* ---- the kernel model: pgmap->owner against hmm_range_fault() ------------------------------- */

static bool nop_invalidate(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	hs_mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct hs_mmu_interval_notifier_ops nop_ops = {.invalidate = nop_invalidate};

struct owner_race {
	struct hs_mm *mm;
	struct hs_dev_pagemap *pgmap;
	void *owner;
	struct hs_mmu_interval_notifier sub;
	unsigned long pfns[1];
};

enum owner_mode { OWNER_PLAIN, OWNER_ONCE_VS_MODEL, OWNER_ALL_MARKED };
static enum owner_mode owner_mode;

/* A device looks its page up: hmm_range_fault() on the device-private entry,
 * which compares pgmap->owner with the range's owner. */
static void device_thread(void *arg)
{
	struct owner_race *o = arg;
	if (owner_mode == OWNER_ALL_MARKED) {
		struct hs_dev_pagemap *pgmap = o->pgmap;
		sim_check(SIM_READ_ONCE(pgmap->owner) == o->owner, "owner changed");
		return;
	}
	struct hs_hmm_range range = {
	    .notifier = &o->sub,
	    .start = BASE,
	    .end = BASE + HS_PAGE_SIZE,
	    .hmm_pfns = o->pfns,
	    .default_flags = HS_HMM_PFN_REQ_FAULT,
	    .dev_private_owner = o->owner,
	};
	int ret;
	do {
		range.notifier_seq = hs_mmu_interval_read_begin(&o->sub);
		sim_down_read(&o->mm->mmap_lock);
		ret = hs_hmm_range_fault(&range);
		sim_up_read(&o->mm->mmap_lock);
	} while (ret == -EBUSY);
}

/* Something rewrites the owner (the same value) with a store of its own. */
static void owner_change_thread(void *arg)
{
	struct owner_race *o = arg;
	struct hs_dev_pagemap *pgmap = o->pgmap;
	if (owner_mode == OWNER_PLAIN)
		SIM_PLAIN_WRITE(pgmap->owner, o->owner);
	else
		SIM_WRITE_ONCE(pgmap->owner, o->owner);
}

static void owner_race_main(void *arg)
{
	struct owner_race *o = sim_alloc(sizeof(*o));
	o->mm = model_setup(1, HS_VM_READ | HS_VM_WRITE);
	struct hs_dmirror_device *dev = hs_dmirror_device_create("dev0", 4);
	struct hs_dmirror *m = hs_dmirror_open(dev, o->mm);
	hs_cpu_write(o->mm, BASE, 0x42);
	sim_check(hs_dmirror_migrate_to_dev(m, BASE, 1) == 0, "migrate to the device");
	hs_pte_t pte = (hs_pte_t)__atomic_load_n(&hs_pte_offset(o->mm, BASE)->v, __ATOMIC_RELAXED);
	sim_check(hs_is_device_private_entry(pte), "the page is device-private");
	o->pgmap = hs_pfn_to_page(hs_pte_pfn(pte))->pgmap;
	o->owner = hs_dmirror_device_owner(dev);
	hs_mmu_interval_notifier_insert(&o->sub, o->mm, 0, o->mm->va_size, &nop_ops);

	int d = sim_thread_spawn("device", device_thread, o);
	int c = sim_thread_spawn("owner_changer", owner_change_thread, o);
	sim_thread_join(d);
	sim_thread_join(c);
}

static void test_model_pgmap_owner_race(void)
{
	struct sim_scenario sc = SCENARIO("o-pgmap-owner", owner_race_main);

	owner_mode = OWNER_PLAIN;
	struct sim_result r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	CU_ASSERT_TRUE(msg_has(&r, "data race on pgmap->owner: "));
	/* both sides named, and the same field (no "of ..." for the other) */
	CU_ASSERT_TRUE(msg_has(&r, "plain write by T2 owner_changer in owner_change_thread"));
	CU_ASSERT_TRUE(msg_has(&r, "plain read by T1 device in hs_pgmap_owner_match"));
	CU_ASSERT_FALSE(msg_has(&r, " of "));
	sim_result_free(&r);
	r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, NO_RACES);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);

	/* WRITE_ONCE against the model's plain read is still a race */
	owner_mode = OWNER_ONCE_VS_MODEL;
	r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	CU_ASSERT_TRUE(msg_has(&r, "WRITE_ONCE by T2 owner_changer in owner_change_thread"));
	sim_result_free(&r);

	owner_mode = OWNER_ALL_MARKED;
	assert_clean_dfs(&sc);
}

/* ---- the kernel model: a driver lock outside and inside mmap_lock -------------------------- */

struct drv {
	struct hs_mm *mm;
	sim_mutex_t mutex;
	struct hs_mmu_interval_notifier sub;
	unsigned long pfns[2];
};

/* The invalidate callback takes the update lock, under the munmap's
 * mmap_lock (for write). */
static bool drv_invalidate(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	struct drv *d = (struct drv *)((char *)sub - offsetof(struct drv, sub));
	sim_mutex_lock(&d->mutex);
	hs_mmu_interval_set_seq(sub, cur_seq);
	sim_mutex_unlock(&d->mutex);
	return true;
}

static const struct hs_mmu_interval_notifier_ops drv_ops = {.invalidate = drv_invalidate};

static bool drv_bad_order;

/* The bug: the update lock first, then mmap_lock and hmm_range_fault(). */
static void drv_fault_thread(void *arg)
{
	struct drv *d = arg;
	struct hs_hmm_range range = {
	    .notifier = &d->sub,
	    .start = BASE,
	    .end = BASE + 2 * HS_PAGE_SIZE,
	    .hmm_pfns = d->pfns,
	    .default_flags = 0, /* a snapshot: an unmapped range is not an error */
	};
	range.notifier_seq = hs_mmu_interval_read_begin(&d->sub);
	if (drv_bad_order)
		sim_mutex_lock(&d->mutex);
	sim_down_read(&d->mm->mmap_lock);
	(void)hs_hmm_range_fault(&range);
	sim_up_read(&d->mm->mmap_lock);
	if (!drv_bad_order)
		sim_mutex_lock(&d->mutex); /* the documented order */
	sim_mutex_unlock(&d->mutex);
}

static void drv_munmap_thread(void *arg)
{
	struct drv *d = arg;
	sim_check(hs_munmap(d->mm, BASE, 2 * HS_PAGE_SIZE) == 0, "munmap");
}

static void drv_main(void *arg)
{
	struct drv *d = sim_alloc(sizeof(*d));
	d->mm = model_setup(2, HS_VM_READ | HS_VM_WRITE);
	sim_mutex_init(&d->mutex, "driver->update_lock");
	hs_cpu_write(d->mm, BASE, 1);
	hs_mmu_interval_notifier_insert(&d->sub, d->mm, 0, d->mm->va_size, &drv_ops);
	int f = sim_thread_spawn("device", drv_fault_thread, d);
	int u = sim_thread_spawn("munmap", drv_munmap_thread, d);
	sim_thread_join(f);
	sim_thread_join(u);
	hs_mmu_interval_notifier_remove(&d->sub);
}

static void test_model_driver_lock_order(void)
{
	struct sim_scenario sc = SCENARIO("o-driver-lock-order", drv_main);

	drv_bad_order = true;
	/* The one non-preemptive execution deadlocks nothing. */
	struct sim_result r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 0, NO_LOCKDEP);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
	r = run_opt(&sc, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	CU_ASSERT_TRUE(msg_has(&r, "driver->update_lock -> mmap_lock (device: drv_fault_thread "
				   "holds driver->update_lock, takes mmap_lock in "
				   "drv_fault_thread)"));
	/* through lockdep's map of the invalidation, as the kernel's lockdep
	 * has it: mmap_lock -> the map (a fault's allocation), the map ->
	 * update_lock (the callback) */
	CU_ASSERT_TRUE(msg_has(&r, "mmu_notifier_invalidate_range_start -> driver->update_lock "
				   "(munmap: hs_mmu_notifier_invalidate_range_start holds "
				   "mmu_notifier_invalidate_range_start, takes driver->update_lock "
				   "in drv_invalidate)"));
	CU_ASSERT_TRUE(msg_has(&r, "mmap_lock -> mmu_notifier_invalidate_range_start"));
	sim_result_free(&r);
	r = run_opt(&sc, SIM_STRATEGY_PCT, 2000, 0, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_ORDER);
	sim_result_free(&r);

	drv_bad_order = false;
	assert_clean_dfs(&sc);
	r = run_opt(&sc, SIM_STRATEGY_PCT, 500, 0, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("oracles", NULL, NULL);
	CU_add_test(s, "data-race: plain counter, and under a mutex", test_race_counter);
	CU_add_test(s, "data-race: message passing, relaxed and release/acquire",
		    test_race_message_passing);
	CU_add_test(s, "data-race: spawn/join, completion, rwsem order", test_race_sync_edges);
	CU_add_test(s, "data-race: RCU publication and reclamation", test_race_rcu);
	CU_add_test(s, "data-race: a read section inside a grace period", test_race_rcu_inside_gp);
	CU_add_test(s, "lock-order: ABBA without a deadlock, same order clean", test_lockdep_abba);
	CU_add_test(s, "lock-order: the two halves in different executions", test_lockdep_across);
	CU_add_test(s, "lock-order: a lockdep map is a lock class nobody waits on",
		    test_lockdep_map);
	CU_add_test(s, "might-sleep: sleeping primitives in atomic context", test_might_sleep);
	CU_add_test(s, "might-sleep: synchronize_rcu in a reader stays rcu", test_sync_in_reader);
	CU_add_test(s, "model: pgmap->owner store against hmm_range_fault",
		    test_model_pgmap_owner_race);
	CU_add_test(s, "model: driver update lock against mmap_lock", test_model_driver_lock_order);
}
