// SPDX-License-Identifier: MIT
/*
 * Engine suite: each primitive keeps its promise on every schedule (DFS,
 * exhaustive within a preemption bound), and each thing the engine must
 * detect (deadlock, livelock, misuse) is reported as such.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>

#include "helpers.h"

#define DFS_ALL 1000000

/* ---- mutex ---------------------------------------------------------------- */

struct shared {
	sim_mutex_t m;
	sim_spinlock_t sl;
	sim_rwsem_t rw;
	int inside, writer_inside;
	sim_atomic_t readers_inside;
	long value;
	sim_completion_t done;
	sim_waitqueue_t wq;
	int flag;
	int *gp; /* RCU-protected */
	int dead_marker;
};

static void locked_inc(void *arg)
{
	struct shared *s = arg;
	sim_mutex_lock(&s->m);
	SIM_PLAIN_WRITE(s->inside, SIM_PLAIN_READ(s->inside) + 1);
	sim_check(SIM_PLAIN_READ(s->inside) == 1, "two threads inside the mutex");
	long v = SIM_PLAIN_READ(s->value);
	SIM_PLAIN_WRITE(s->value, v + 1);
	SIM_PLAIN_WRITE(s->inside, SIM_PLAIN_READ(s->inside) - 1);
	sim_mutex_unlock(&s->m);
}

static struct shared *new_shared(void)
{
	struct shared *s = sim_alloc(sizeof(*s));
	sim_mutex_init(&s->m, "m");
	sim_spin_init(&s->sl, "sl");
	sim_rwsem_init(&s->rw, "rw");
	sim_init_completion(&s->done, "done");
	sim_waitqueue_init(&s->wq, "wq");
	return s;
}

static void mutex_main(void *arg)
{
	struct shared *s = new_shared();
	int a = sim_thread_spawn("a", locked_inc, s);
	int b = sim_thread_spawn("b", locked_inc, s);
	int c = sim_thread_spawn("c", locked_inc, s);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_thread_join(c);
	sim_check(s->value == 3, "value %ld", s->value);
}

static void test_mutex_exclusion(void)
{
	struct sim_scenario sc = SCENARIO("t-mutex", mutex_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_TRUE(r.executions > 10);
	sim_result_free(&r);
}

/* ---- trylock: both outcomes happen, and a success means ownership ---------- */

static int trylock_outcomes;

static void try_thread(void *arg)
{
	struct shared *s = arg;
	if (sim_mutex_trylock(&s->m)) {
		sim_check(sim_mutex_held(&s->m), "trylock succeeded but not held");
		trylock_outcomes |= 1;
		sim_mutex_unlock(&s->m);
	} else {
		trylock_outcomes |= 2;
	}
}

static void holder_thread(void *arg)
{
	struct shared *s = arg;
	sim_mutex_lock(&s->m);
	sim_yield();
	sim_mutex_unlock(&s->m);
}

static void trylock_main(void *arg)
{
	struct shared *s = new_shared();
	int a = sim_thread_spawn("holder", holder_thread, s);
	int b = sim_thread_spawn("try", try_thread, s);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_trylock(void)
{
	struct sim_scenario sc = SCENARIO("t-trylock", trylock_main);
	trylock_outcomes = 0;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_EQUAL(trylock_outcomes, 3);
	sim_result_free(&r);
}

/* ---- rwsem ------------------------------------------------------------------ */

static int max_readers;

static void reader(void *arg)
{
	struct shared *s = arg;
	sim_down_read(&s->rw);
	int n = (int)sim_atomic_add_return(&s->readers_inside, 1, SIM_RELAXED);
	if (n > max_readers)
		max_readers = n;
	sim_check(!SIM_PLAIN_READ(s->writer_inside), "reader inside with the writer");
	sim_atomic_sub_return(&s->readers_inside, 1, SIM_RELAXED);
	sim_up_read(&s->rw);
}

static void writer(void *arg)
{
	struct shared *s = arg;
	sim_down_write(&s->rw);
	sim_check(sim_rwsem_write_held(&s->rw), "down_write returned without the lock");
	SIM_PLAIN_WRITE(s->writer_inside, 1);
	sim_check(!sim_atomic_load(&s->readers_inside, SIM_RELAXED), "writer inside with readers");
	SIM_PLAIN_WRITE(s->writer_inside, 0);
	sim_up_write(&s->rw);
}

static void rwsem_main(void *arg)
{
	struct shared *s = new_shared();
	int t[3];
	t[0] = sim_thread_spawn("r1", reader, s);
	t[1] = sim_thread_spawn("r2", reader, s);
	t[2] = sim_thread_spawn("w", writer, s);
	for (int i = 0; i < 3; i++)
		sim_thread_join(t[i]);
}

static void test_rwsem(void)
{
	struct sim_scenario sc = SCENARIO("t-rwsem", rwsem_main);
	max_readers = 0;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(max_readers, 2); /* readers do share it */
	sim_result_free(&r);
}

/* Recursive down_read deadlocks once a writer queues between the two. */
static void recursive_reader(void *arg)
{
	struct shared *s = arg;
	sim_down_read(&s->rw);
	sim_yield();
	sim_down_read(&s->rw);
	sim_up_read(&s->rw);
	sim_up_read(&s->rw);
}

static void rwsem_recursive_main(void *arg)
{
	struct shared *s = new_shared();
	int a = sim_thread_spawn("reader", recursive_reader, s);
	int b = sim_thread_spawn("writer", writer, s);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_rwsem_recursive_read_deadlock(void)
{
	struct sim_scenario sc = SCENARIO("t-rwsem-rec", rwsem_recursive_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DEADLOCK);
	if (r.nr_reports)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "down_read rw"));
	sim_result_free(&r);
}

/* ---- deadlock and livelock ------------------------------------------------- */

static void test_abba_deadlock_report(void)
{
	/* lockdep off: it reports the inversion before anything deadlocks */
	struct sim_options o = {.strategy = SIM_STRATEGY_DFS,
				.iterations = DFS_ALL,
				.dfs_preemptions = 2,
				.no_lockdep = true};
	struct sim_result r;
	CU_ASSERT_EQUAL_FATAL(sim_explore(sim_litmus_find("abba"), &o, &r), 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DEADLOCK);
	if (r.nr_reports) {
		const char *m = r.reports[0].message;
		/* the wait-for relation names both threads and both locks */
		CU_ASSERT_PTR_NOT_NULL(strstr(m, "ab waits in mutex_lock lock_B held by ba"));
		CU_ASSERT_PTR_NOT_NULL(strstr(m, "ba waits in mutex_lock lock_A held by ab"));
	}
	sim_result_free(&r);
}

static void spinner(void *arg)
{
	for (;;)
		sim_yield();
}

static void spin_main(void *arg)
{
	sim_thread_join(sim_thread_spawn("spinner", spinner, NULL));
}

static void test_livelock_step_bound(void)
{
	struct sim_scenario sc = SCENARIO("t-spin", spin_main, .step_bound = 500);
	struct sim_result r = run(&sc, SIM_STRATEGY_PCT, 10, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LIVELOCK);
	if (r.nr_reports)
		CU_ASSERT_EQUAL(r.reports[0].steps, 501);
	sim_result_free(&r);
}

/*
 * Fairness: two threads retry, each changing its own counter, until a third
 * raises a flag.  A schedule that runs the two in turn and never the third
 * reaches the step bound, and no fair scheduler runs it: the execution is
 * cut there, not a livelock (docs/engine.md, "Fairness").  Without the
 * third thread they retry for ever under every schedule, fair ones too: a
 * livelock.  dpor reaches both; the retries touch different counters, so
 * its tree is the number of rounds of each before the flag.
 */
struct retry_pair {
	long flag, x[2];
};

static void retrier(struct retry_pair *p, int i)
{
	while (!SIM_READ_ONCE(p->flag)) {
		SIM_WRITE_ONCE(p->x[i], SIM_READ_ONCE(p->x[i]) + 1);
		sim_yield();
	}
}

static void retrier0(void *arg)
{
	retrier(arg, 0);
}

static void retrier1(void *arg)
{
	retrier(arg, 1);
}

static void flag_raiser(void *arg)
{
	SIM_WRITE_ONCE(((struct retry_pair *)arg)->flag, 1);
}

static void retry_main(void *arg)
{
	struct retry_pair *p = sim_alloc(sizeof(*p));
	int t[3], n = 0;
	t[n++] = sim_thread_spawn("retry-0", retrier0, p);
	t[n++] = sim_thread_spawn("retry-1", retrier1, p);
	if (arg)
		t[n++] = sim_thread_spawn("raiser", flag_raiser, p);
	for (int i = 0; i < n; i++)
		sim_thread_join(t[i]);
}

static void test_unfair_cut(void)
{
	struct sim_scenario sc =
	    SCENARIO("t-unfair", retry_main, .arg = "raiser", .step_bound = 60);
	struct sim_result r = run(&sc, SIM_STRATEGY_DPOR, 100000, 0, 1);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.unfair_cut > 0);
	CU_ASSERT_TRUE(r.unfair_cut < r.executions);
	CU_ASSERT_FALSE(r.exhausted); /* the cut executions' ends were not run */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.unfair_msg, "raiser could run and did not run"));
	sim_result_free(&r);

	struct sim_scenario forever = SCENARIO("t-unfair-none", retry_main, .step_bound = 60);
	r = run(&forever, SIM_STRATEGY_DPOR, 100000, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LIVELOCK);
	CU_ASSERT_EQUAL(r.unfair_cut, 0);
	sim_result_free(&r);
}

static void self_deadlock_main(void *arg)
{
	struct shared *s = new_shared();
	sim_mutex_lock(&s->m);
	sim_mutex_lock(&s->m);
}

static void test_self_deadlock(void)
{
	struct sim_scenario sc = SCENARIO("t-selfdl", self_deadlock_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DEADLOCK);
	sim_result_free(&r);
}

/* ---- misuse ---------------------------------------------------------------- */

static void unlock_unheld_main(void *arg)
{
	struct shared *s = new_shared();
	sim_mutex_unlock(&s->m);
}

static void assert_held_main(void *arg)
{
	struct shared *s = new_shared();
	sim_spin_lock(&s->sl);
	sim_assert_held(&s->sl); /* holds */
	sim_spin_unlock(&s->sl);
	sim_assert_held(&s->m); /* does not */
}

static void test_lock_misuse(void)
{
	struct sim_scenario a = SCENARIO("t-unlock", unlock_unheld_main);
	struct sim_scenario b = SCENARIO("t-held", assert_held_main);
	struct sim_result r = run(&a, SIM_STRATEGY_RANDOM, 1, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), "lock");
	sim_result_free(&r);
	r = run(&b, SIM_STRATEGY_RANDOM, 1, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_LOCK_NOT_HELD);
	if (r.nr_reports)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "&s->m not held"));
	sim_result_free(&r);
}

static void nop(void *arg)
{
}

static void too_many_main(void *arg)
{
	for (int i = 0; i <= SIM_MAX_THREADS; i++)
		sim_thread_spawn("t", nop, NULL);
}

static void test_too_many_threads(void)
{
	struct sim_scenario sc = SCENARIO("t-many", too_many_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_ENGINE);
	sim_result_free(&r);
}

/* ---- completion and wait_event ------------------------------------------------ */

static void producer(void *arg)
{
	struct shared *s = arg;
	SIM_PLAIN_WRITE(s->value, 42);
	sim_complete(&s->done);
	SIM_WRITE_ONCE(s->flag, 1);
	sim_wake_up_all(&s->wq);
}

static void consumer(void *arg)
{
	struct shared *s = arg;
	sim_wait_for_completion(&s->done);
	sim_check(SIM_PLAIN_READ(s->value) == 42, "completion returned before complete()");
	sim_wait_event(&s->wq, SIM_READ_ONCE(s->flag) == 1);
	sim_check(s->flag == 1, "wait_event returned with the condition false");
}

static void completion_main(void *arg)
{
	struct shared *s = new_shared();
	int c1 = sim_thread_spawn("consumer1", consumer, s);
	int c2 = sim_thread_spawn("consumer2", consumer, s);
	int p = sim_thread_spawn("producer", producer, s);
	sim_thread_join(p);
	sim_complete(&s->done); /* one complete() per waiter */
	sim_thread_join(c1);
	sim_thread_join(c2);
}

static void test_completion_wait_event(void)
{
	struct sim_scenario sc = SCENARIO("t-completion", completion_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/* A wait nobody ends is a deadlock report, not a hang. */
static void lonely_main(void *arg)
{
	struct shared *s = new_shared();
	sim_wait_event(&s->wq, SIM_READ_ONCE(s->flag) == 1);
}

static void test_wait_forever_is_deadlock(void)
{
	struct sim_scenario sc = SCENARIO("t-lonely", lonely_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DEADLOCK);
	if (r.nr_reports)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "wait_event wq"));
	sim_result_free(&r);
}

/* ---- RCU ------------------------------------------------------------------------ */

static bool rcu_skip_sync;

static void rcu_reader(void *arg)
{
	struct shared *s = arg;
	sim_rcu_read_lock();
	int *p = sim_rcu_dereference(s->gp);
	sim_yield();
	sim_check(SIM_READ_ONCE(*p) != -1, "reader saw an object freed under it");
	sim_rcu_read_unlock();
}

static void rcu_updater(void *arg)
{
	struct shared *s = arg;
	int *old = SIM_READ_ONCE(s->gp);
	int *fresh = sim_alloc(sizeof(*fresh));
	*fresh = 2;
	sim_rcu_assign_pointer(s->gp, fresh);
	if (!rcu_skip_sync)
		sim_synchronize_rcu();
	SIM_WRITE_ONCE(*old, -1); /* "free" */
}

static void rcu_main(void *arg)
{
	struct shared *s = new_shared();
	s->gp = sim_alloc(sizeof(int));
	*s->gp = 1;
	int r = sim_thread_spawn("reader", rcu_reader, s);
	int u = sim_thread_spawn("updater", rcu_updater, s);
	sim_thread_join(r);
	sim_thread_join(u);
}

static void test_rcu_grace_period(void)
{
	struct sim_scenario sc = SCENARIO("t-rcu", rcu_main);
	rcu_skip_sync = false;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	rcu_skip_sync = true; /* the bug: free without a grace period */
	r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_ASSERT);
	sim_result_free(&r);
}

static int cb_runs;

static void count_cb(struct sim_rcu_head *h)
{
	cb_runs++;
}

static void call_rcu_main(void *arg)
{
	struct sim_rcu_head *h = sim_alloc(2 * sizeof(*h));
	int before = cb_runs;
	sim_call_rcu(&h[0], count_cb);
	sim_call_rcu(&h[1], count_cb);
	sim_rcu_barrier();
	sim_check(cb_runs == before + 2, "rcu_barrier returned before the callbacks ran");
}

static void test_call_rcu_barrier(void)
{
	struct sim_scenario sc = SCENARIO("t-callrcu", call_rcu_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.executions > 1);
	sim_result_free(&r);
}

static void sync_in_reader_main(void *arg)
{
	sim_rcu_read_lock();
	sim_synchronize_rcu();
}

static void test_sync_inside_reader(void)
{
	struct sim_scenario sc = SCENARIO("t-syncrd", sync_in_reader_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 1, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), "rcu");
	sim_result_free(&r);
}

/* ---- execution memory ------------------------------------------------------------ */

static void alloc_main(void *arg)
{
	for (int k = 1; k < 40; k++) {
		unsigned char *p = sim_alloc((size_t)k * 1000);
		for (int i = 0; i < k * 1000; i++)
			sim_check(p[i] == 0, "sim_alloc returned memory that is not zeroed");
		memset(p, 0xa5, (size_t)k * 1000);
	}
	sim_yield();
}

static void test_alloc_zeroed_across_executions(void)
{
	/* 780 KB per execution: spans several chunks, reused by the next one. */
	struct sim_scenario sc = SCENARIO("t-alloc", alloc_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_RANDOM, 20, 0, 1);
	CU_ASSERT_EQUAL(r.executions, 20);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("engine", NULL, NULL);
	CU_add_test(s, "mutex excludes on every schedule", test_mutex_exclusion);
	CU_add_test(s, "trylock: both outcomes, success means held", test_trylock);
	CU_add_test(s, "rwsem: readers share, writer excludes", test_rwsem);
	CU_add_test(s, "rwsem: recursive read behind a writer deadlocks",
		    test_rwsem_recursive_read_deadlock);
	CU_add_test(s, "abba: deadlock with the wait-for relation", test_abba_deadlock_report);
	CU_add_test(s, "spinning forever: livelock at the step bound", test_livelock_step_bound);
	CU_add_test(s, "a schedule that starves a thread to the step bound: cut, not a livelock",
		    test_unfair_cut);
	CU_add_test(s, "relocking a held mutex: deadlock", test_self_deadlock);
	CU_add_test(s, "unlock not held, assert_held", test_lock_misuse);
	CU_add_test(s, "more than SIM_MAX_THREADS", test_too_many_threads);
	CU_add_test(s, "completion and wait_event", test_completion_wait_event);
	CU_add_test(s, "a wait nobody ends: deadlock", test_wait_forever_is_deadlock);
	CU_add_test(s, "RCU grace period protects readers", test_rcu_grace_period);
	CU_add_test(s, "call_rcu and rcu_barrier", test_call_rcu_barrier);
	CU_add_test(s, "synchronize_rcu inside a reader", test_sync_inside_reader);
	CU_add_test(s, "execution memory is zeroed and reused",
		    test_alloc_zeroed_across_executions);
}
