// SPDX-License-Identifier: MIT
/*
 * dpor suite: the known execution counts (GenMC's readers, lastzero and
 * indexer), every litmus bug found and every fix exhaustively clean, the same
 * verdicts and final states as unbounded dfs in fewer executions, tokens that
 * replay, determinism, and the soundness self-check, which must report an
 * access the engine cannot see.
 */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dpor_common.h"

#include <hmmsim/scenario.h>

/* @sc with its argument N (the GenMC programs take their size there). */
static struct sim_scenario sized(const char *name, int n)
{
	const struct sim_scenario *sc = sim_litmus_find(name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	struct sim_scenario s = *sc;
	s.arg = (void *)(uintptr_t)n;
	return s;
}

static void expect_count(const struct sim_scenario *sc, uint64_t want)
{
	struct sim_result r = run_dpor(sc, false);
	if (r.executions != want)
		fprintf(stderr, "%s: %llu executions, expected %llu\n", sc->name,
			(unsigned long long)r.executions, (unsigned long long)want);
	CU_ASSERT_EQUAL(r.executions, want);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(r.sleep_blocked, 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
}

/* The ASan and TSan builds run the same checks on the smaller sizes: the
 * largest ones are 150,000 executions, minutes under a sanitizer. */
#if defined(HMMSIM_ASAN) || defined(HMMSIM_TSAN)
#define DPOR_MAX_COUNT 5000
#else
#define DPOR_MAX_COUNT UINT64_MAX
#endif

static void test_readers(void)
{
	char name[32];
	for (int n = 1; n <= 13 && (1ull << n) <= DPOR_MAX_COUNT; n++) {
		snprintf(name, sizeof(name), "readers-%d", n);
		const struct sim_scenario *sc = sim_litmus_find(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		expect_count(sc, 1ull << n);
	}
}

/* GenMC's published counts; lastzero's small sizes counted by hand. */
static void test_lastzero_indexer(void)
{
	static const struct {
		const char *name;
		int n;
		uint64_t want;
	} known[] = {
	    {"lastzero-5", 1, 2},     {"lastzero-5", 2, 5},	  {"lastzero-5", 5, 64},
	    {"lastzero-5", 10, 3328}, {"lastzero-5", 15, 147456}, {"indexer-12", 12, 8},
	    {"indexer-12", 15, 4096},
	};
	for (unsigned int i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].want > DPOR_MAX_COUNT)
			continue;
		struct sim_scenario sc = sized(known[i].name, known[i].n);
		expect_count(&sc, known[i].want);
	}
}

static const char *const bugs[] = {"lost-update", "seqcount-noretry", "abba", "livelock"};

/* dpor finds @kind in @sc (not exhausted: it stopped there), and the
 * report's token replays to the same kind. */
static void found_and_replays(const struct sim_scenario *sc, const char *kind)
{
	struct sim_result r = run_dpor(sc, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), kind);
	CU_ASSERT_FALSE(r.exhausted);
	struct sim_options o = {.strategy = SIM_STRATEGY_REPLAY,
				.schedule = r.nr_reports ? r.reports[0].schedule : ""};
	struct sim_result p;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &p), 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&p), kind);
	sim_result_free(&p);
	sim_result_free(&r);
}

static void test_bugs_found_fixes_clean(void)
{
	char name[64];
	for (unsigned int i = 0; i < 4; i++) {
		const struct sim_scenario *sc = sim_litmus_find(bugs[i]);
		found_and_replays(sc, sc->expect);

		snprintf(name, sizeof(name), "%s-fixed", bugs[i]);
		sc = sim_litmus_find(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		struct sim_result r = run_dpor(sc, false);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		sim_result_free(&r);
	}
}

/* ---- the same final states as dfs ------------------------------------------ */

/* Three threads: two increment a counter under a lock, one reads it. */
struct tri {
	sim_mutex_t lock;
	long counter, seen;
};

static void tri_inc(void *arg)
{
	struct tri *t = arg;
	sim_mutex_lock(&t->lock);
	long v = SIM_PLAIN_READ(t->counter);
	SIM_PLAIN_WRITE(t->counter, v + 1);
	sim_mutex_unlock(&t->lock);
}

static void tri_read(void *arg)
{
	struct tri *t = arg;
	sim_mutex_lock(&t->lock);
	long v = SIM_PLAIN_READ(t->counter);
	sim_mutex_unlock(&t->lock);
	SIM_PLAIN_WRITE(t->seen, v); /* its own: no lock */
}

static void tri_main(void *arg)
{
	struct tri *t = sim_alloc(sizeof(*t));
	sim_mutex_init(&t->lock, "tri");
	int a = sim_thread_spawn("inc1", tri_inc, t);
	int b = sim_thread_spawn("inc2", tri_inc, t);
	int c = sim_thread_spawn("reader", tri_read, t);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_thread_join(c);
}

static void test_same_as_dfs(void)
{
#if defined(HMMSIM_ASAN) || defined(HMMSIM_TSAN)
	/* dfs runs a million schedules of livelock-fixed and of readers-3, half
	 * a minute each under ASan; the default build checks them */
	static const char *const names[] = {"lost-update-fixed", "abba-fixed", "readers-2"};
#else
	static const char *const names[] = {"lost-update-fixed", "abba-fixed", "livelock-fixed",
					    "readers-3"};
#endif
	for (unsigned int i = 0; i < sizeof(names) / sizeof(*names); i++)
		same_as_dfs(sim_litmus_find(names[i]));
	struct sim_scenario lz = sized("lastzero-5", 2);
	same_as_dfs(&lz);
}

/* ---- the self-check ------------------------------------------------------- */

/* Two threads share y without telling the engine: dpor takes them as
 * independent, and one order leaves z = 0, the other z = 1. */
struct planted {
	long a, b, y, z;
};

static void planted_writer(void *arg)
{
	struct planted *p = arg;
	p->y = 1; /* unannotated */
	SIM_WRITE_ONCE(p->a, 1);
}

static void planted_reader(void *arg)
{
	struct planted *p = arg;
	SIM_WRITE_ONCE(p->b, 1);
	p->z = p->y; /* unannotated */
	SIM_WRITE_ONCE(p->b, 2);
}

static void planted_main(void *arg)
{
	struct planted *p = sim_alloc(sizeof(*p));
	int w = sim_thread_spawn("writer", planted_writer, p);
	int r = sim_thread_spawn("reader", planted_reader, p);
	sim_thread_join(w);
	sim_thread_join(r);
}

static void test_self_check_reports_planted(void)
{
	struct sim_scenario sc = SCENARIO("planted", planted_main);
	struct sim_result r = run_dpor(&sc, true);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_POR_CHECK);
	if (r.nr_reports) {
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "thread 1"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "thread 2"));
	}
	sim_result_free(&r);
	/* the same threads, annotated: clean */
	struct sim_scenario ok = SCENARIO("tri", tri_main);
	r = run_dpor(&ok, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/*
 * A footprint chosen by an unannotated flag: the reader notes a read of c in
 * its event only when it sees the writer's flag, and uses nothing it read,
 * so every order ends in the same state with the same events.  The
 * linearizations agree on the final state and disagree on the reader's
 * footprint; the footprints' check reports it.  Mode 1 reads the flag with
 * an annotated read: clean.
 */
struct path {
	long flag, a, b, c;
	int annotated;
};

static void path_writer(void *arg)
{
	struct path *p = arg;
	if (p->annotated)
		SIM_WRITE_ONCE(p->flag, 1);
	else
		p->flag = 1; /* unannotated */
	SIM_WRITE_ONCE(p->a, 1);
}

static void path_reader(void *arg)
{
	struct path *p = arg;
	SIM_WRITE_ONCE(p->b, 1);
	if (p->annotated ? SIM_READ_ONCE(p->flag) : p->flag)
		sim_note_access(&p->c, false); /* in the event of the write of b */
	SIM_WRITE_ONCE(p->b, 2);
}

static void path_main(void *arg)
{
	struct path *p = sim_alloc(sizeof(*p));
	p->annotated = (int)(uintptr_t)arg;
	int w = sim_thread_spawn("writer", path_writer, p);
	int r = sim_thread_spawn("reader", path_reader, p);
	sim_thread_join(w);
	sim_thread_join(r);
}

static void test_self_check_reports_path(void)
{
	struct sim_scenario sc = SCENARIO("planted-path", path_main, .arg = (void *)0);
	struct sim_result r = run_dpor(&sc, true);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_POR_CHECK);
	if (r.nr_reports) {
		const char *m = r.reports[0].message;
		CU_ASSERT_PTR_NOT_NULL(strstr(m, "path_reader: read p->c (reader)"));
		CU_ASSERT_PTR_NOT_NULL(strstr(m, "footprint depends on the order"));
		if (!strstr(m, "path_reader"))
			fprintf(stderr, "planted-path: %s\n", m);
	}
	sim_result_free(&r);
	struct sim_scenario ok = SCENARIO("path-annotated", path_main, .arg = (void *)1);
	r = run_dpor(&ok, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	if (r.violations_found)
		fprintf(stderr, "path-annotated: %s\n", r.reports[0].message);
	sim_result_free(&r);
}

static void test_self_check_litmus(void)
{
	size_t n;
	const struct sim_scenario *const *all = sim_litmus_scenarios(&n);
	for (size_t i = 0; i < n; i++) {
		if (all[i]->expect || strstr(all[i]->name, "-15") || strstr(all[i]->name, "-1"))
			continue; /* the bugs stop at their violation; the large ones are slow */
		struct sim_result r = run_dpor(all[i], true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		if (r.violations_found)
			fprintf(stderr, "%s: %s\n", all[i]->name, r.reports[0].message);
		sim_result_free(&r);
	}
}

/* ---- polling loops ---------------------------------------------------------- */

/*
 * A poller waits for a flag under a mutex, then reads the data; the writer
 * sets the flag before the data (the bug) or after it (the fix).  The bug
 * needs a round of the poller after the flag's write and before the data's:
 * the round that the polling rule blocks until a write wakes it.  With the
 * mutex marked (sim_mutex_annotated()), its sections commute and its lock
 * operations are DPOR_LA_LOCK/UNLOCK: still lock operations, which a round
 * the rule blocks may hold.
 */
#define POLL_FIXED  1
#define POLL_MARKED 2
#define POLL_HOLDER 4 /* a third thread takes the lock too */
struct poll {
	sim_mutex_t lock;
	long flag, data, other;
	bool fixed;
};

static void poll_poller(void *arg)
{
	struct poll *p = arg;
	for (;;) {
		sim_mutex_lock(&p->lock);
		long f = SIM_READ_ONCE(p->flag);
		sim_mutex_unlock(&p->lock);
		if (f)
			break;
		sim_yield();
	}
	long d = SIM_READ_ONCE(p->data);
	sim_check(d == 42, "the poller saw the flag, then data %ld", d);
}

static void poll_writer(void *arg)
{
	struct poll *p = arg;
	for (int i = 0; i < 2; i++) { /* other work first: a place to poll at, each */
		SIM_WRITE_ONCE(p->other, i);
		sim_yield();
	}
	if (p->fixed)
		SIM_WRITE_ONCE(p->data, 42);
	SIM_WRITE_ONCE(p->flag, 1);
	if (!p->fixed)
		SIM_WRITE_ONCE(p->data, 42);
}

/* Takes the poller's lock twice, to read what nobody writes. */
static void poll_holder(void *arg)
{
	struct poll *p = arg;
	for (int i = 0; i < 2; i++) {
		sim_mutex_lock(&p->lock);
		(void)SIM_READ_ONCE(p->flag);
		(void)SIM_READ_ONCE(p->other);
		sim_mutex_unlock(&p->lock);
	}
}

static void poll_main(void *arg)
{
	struct poll *p = sim_alloc(sizeof(*p));
	unsigned long mode = (unsigned long)(uintptr_t)arg;
	p->fixed = mode & POLL_FIXED;
	sim_mutex_init(&p->lock, "poll");
	if (mode & POLL_MARKED) /* its sections read only flag, through a primitive */
		sim_mutex_annotated(&p->lock);
	int a = sim_thread_spawn("poller", poll_poller, p);
	int b = sim_thread_spawn("writer", poll_writer, p);
	int c = mode & POLL_HOLDER ? sim_thread_spawn("holder", poll_holder, p) : -1;
	sim_thread_join(a);
	sim_thread_join(b);
	if (c >= 0)
		sim_thread_join(c);
}

static void test_polling(void)
{
	uint64_t execs[2] = {0, 0};

	for (int marked = 0; marked < 2; marked++) {
		uintptr_t m = marked ? POLL_MARKED : 0;
		struct sim_scenario bug = SCENARIO("poll-publish", poll_main, .arg = (void *)m);
		/* the token replays to it under the replay strategy, which has no rule */
		found_and_replays(&bug, SIM_KIND_ASSERT);

		struct sim_scenario fix =
		    SCENARIO("poll-publish-fixed", poll_main, .arg = (void *)(m | POLL_FIXED));
		struct sim_result r = run_dpor(&fix, true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		execs[marked] = r.executions;
		sim_result_free(&r);
		same_as_dfs(&fix);
	}
	/* the marked lock's rounds are blocked as the plain one's: as many
	 * executions (3 against 1 when the rule took DPOR_LA_* for impure) */
	if (execs[1] != execs[0])
		fprintf(stderr,
			"poll-publish-fixed: %llu executions with the lock marked, %llu "
			"without\n",
			(unsigned long long)execs[1], (unsigned long long)execs[0]);
	CU_ASSERT_EQUAL(execs[1], execs[0]);
}

/* The self-check of shard @k of 2 of a split tree (the default depth of
 * --jobs), its first @n executions: clean. */
static void split_self_check(const struct sim_scenario *sc, unsigned int k, uint64_t n)
{
	struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
				.iterations = n,
				.por_check = true,
				.dpor_split_depth = 2,
				.shard_count = 2,
				.shard_index = k};
	struct sim_result r;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	if (r.violations_found)
		fprintf(stderr, "%s, shard %u/2: %s\n", sc->name, k, r.reports[0].message);
	sim_result_free(&r);
}

/*
 * A polling round whose lock attempt blocked is the round it repeats: a
 * linearization of the same class may take the lock where it is free, so
 * the rule must not count the blocked attempt.  It did, and the self-check
 * found the poll checks in one linearization only: driver-fault-race's
 * migrator, in execution 9,036 of shard 1/2 of the split tree (a split
 * makes such executions early: above it every thread runs at each point).
 */
static void test_polling_blocked_attempt(void)
{
	split_self_check(hs_model_scenario_find("driver-fault-race"), 1, 9100);
}

/*
 * The sleepers' check of a split tree: a failed pure attempt wakes no
 * sleeper there (dpor.c, node_after()), and the check must skip it too; it
 * did not, and accused lost-update-fixed and abba-fixed, which have no
 * footprint that holds in one order only.
 */
static void test_split_sleepers(void)
{
	static const char *const names[] = {"lost-update-fixed", "abba-fixed",
					    "seqcount-noretry-fixed", "livelock-fixed"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (unsigned int k = 0; k < 2; k++)
			split_self_check(sim_litmus_find(names[i]), k, UINT64_MAX);
}

/*
 * A poller that the polling rule blocked goes on when a write of its poll
 * set wakes it, or when a thread yields and nobody else can run (sched.c,
 * poll_wake_all()): the second depends on where every other thread is, so
 * a linearization that moved a section of the holder, or main's blocking
 * join, past that yield left the poller blocked where the execution went
 * on, and the check reported that it "cannot run past" it (shard 0 of 2 of
 * this program).  The event that ends at such a yield stays where it was.
 */
static void test_split_poll_wake(void)
{
	struct sim_scenario fix = SCENARIO("poll-publish-holder-fixed", poll_main,
					   .arg = (void *)(uintptr_t)(POLL_HOLDER | POLL_FIXED));
	for (unsigned int k = 0; k < 2; k++)
		split_self_check(&fix, k, UINT64_MAX);
}

/*
 * A polling round that gives back what it took, as the unplug's eviction
 * does with a page: the poller takes a reference (an atomic add), tries the
 * page lock (an atomic fetch_or) and, finding it held, drops the reference
 * and tries again.  Its failed rounds write, but put every location back, so
 * the polling rule blocks them.  The owner holds the lock; it unlocks before
 * it writes the data (the bug: a round after the unlock and before the
 * data's write reads 0) or after (the fix).
 */
#define PG_LOCKED 1l
#define PG_WORDS  2
struct pgpoll {
	sim_atomic_t refcount, flags;
	long data[PG_WORDS];
	bool fixed;
};

static void pgpoll_poller(void *arg)
{
	struct pgpoll *p = arg;
	for (;;) {
		sim_atomic_add_return(&p->refcount, 1, SIM_ACQUIRE); /* get_page() */
		if (!(sim_atomic_fetch_or(&p->flags, PG_LOCKED, SIM_ACQUIRE) & PG_LOCKED))
			break;					     /* trylock_page() */
		sim_atomic_sub_return(&p->refcount, 1, SIM_RELEASE); /* put_page() */
		sim_yield();
	}
	for (int i = 0; i < PG_WORDS; i++) {
		long d = SIM_READ_ONCE(p->data[i]);
		sim_check(d == 42, "the poller got the page lock, then read data[%d] = %ld", i, d);
	}
	sim_atomic_fetch_and(&p->flags, ~PG_LOCKED, SIM_RELEASE);
	sim_atomic_sub_return(&p->refcount, 1, SIM_RELEASE);
}

/* The owner fills the page while it holds the lock, and lets the others run
 * after each word (cond_resched()): each word is a step the poller can poll
 * between (a new class each, without the rule). */
static void pgpoll_owner(void *arg)
{
	struct pgpoll *p = arg;
	int before = p->fixed ? PG_WORDS : PG_WORDS - 1;
	for (int i = 0; i < before; i++) {
		SIM_WRITE_ONCE(p->data[i], 42);
		sim_yield();
	}
	sim_atomic_fetch_and(&p->flags, ~PG_LOCKED, SIM_RELEASE); /* unlock_page() */
	for (int i = before; i < PG_WORDS; i++)
		SIM_WRITE_ONCE(p->data[i], 42);
}

static void pgpoll_main(void *arg)
{
	struct pgpoll *p = sim_alloc(sizeof(*p));
	p->fixed = arg != NULL;
	sim_atomic_init(&p->refcount, 1);
	sim_atomic_init(&p->flags, PG_LOCKED);
	int a = sim_thread_spawn("poller", pgpoll_poller, p);
	int b = sim_thread_spawn("owner", pgpoll_owner, p);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_check(sim_atomic_load(&p->refcount, SIM_RELAXED) == 1, "a reference leaked");
}

static void test_polling_restored(void)
{
	struct sim_scenario bug = SCENARIO("poll-page", pgpoll_main);
	found_and_replays(&bug, SIM_KIND_ASSERT);

	struct sim_scenario fix = SCENARIO("poll-page-fixed", pgpoll_main, .arg = (void *)1);
	struct sim_result r = run_dpor(&fix, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	/* one class: every failed round is blocked until the unlock wakes it
	 * (3 executions when only read-only rounds were blocked) */
	CU_ASSERT_EQUAL(r.executions, 1);
	sim_result_free(&r);
	same_as_dfs(&fix);
}

/* ---- updates: wake-ups commute -------------------------------------------- */

/*
 * Two wakers and a waiter.  Waker a writes x, then completes (or sets fa and
 * wakes the queue); waker b completes too (or sets fb and wakes).  Wake-ups
 * are independent of each other, so dpor explores one order of them; the
 * waiter woken by b before a wrote x must still be found.
 */
enum wk_mode {
	WK_DONE_BUG,	/* wait_for_completion once, then check x */
	WK_DONE_FIXED,	/* wait for both completions */
	WK_DONE_ALL,	/* b calls complete_all; the waiter records x */
	WK_QUEUE_BUG,	/* wait_event(fa || fb), then check x */
	WK_QUEUE_STATE, /* the same, recording x */
};

struct wk {
	sim_completion_t c;
	sim_waitqueue_t wq;
	long x, fa, fb, seen;
	enum wk_mode mode;
};

static bool wk_queue(const struct wk *w)
{
	return w->mode == WK_QUEUE_BUG || w->mode == WK_QUEUE_STATE;
}

static void wk_a(void *arg)
{
	struct wk *w = arg;
	SIM_WRITE_ONCE(w->x, 1);
	if (!wk_queue(w)) {
		sim_complete(&w->c);
		return;
	}
	SIM_WRITE_ONCE(w->fa, 1);
	sim_wake_up_all(&w->wq);
}

static void wk_b(void *arg)
{
	struct wk *w = arg;
	if (w->mode == WK_DONE_ALL) {
		sim_complete_all(&w->c);
	} else if (!wk_queue(w)) {
		sim_complete(&w->c);
	} else {
		SIM_WRITE_ONCE(w->fb, 1);
		sim_wake_up_all(&w->wq);
	}
}

static void wk_waiter(void *arg)
{
	struct wk *w = arg;
	if (wk_queue(w))
		sim_wait_event(&w->wq, SIM_READ_ONCE(w->fa) || SIM_READ_ONCE(w->fb));
	else
		sim_wait_for_completion(&w->c);
	if (w->mode == WK_DONE_FIXED)
		sim_wait_for_completion(&w->c);
	long v = SIM_READ_ONCE(w->x);
	if (w->mode == WK_DONE_ALL || w->mode == WK_QUEUE_STATE)
		SIM_WRITE_ONCE(w->seen, v);
	else
		sim_check(v == 1, "the waiter was woken before x was written: %ld", v);
}

static void wk_main(void *arg)
{
	struct wk *w = sim_alloc(sizeof(*w));
	w->mode = (enum wk_mode)(uintptr_t)arg;
	sim_init_completion(&w->c, "wk");
	sim_waitqueue_init(&w->wq, "wk");
	int t = sim_thread_spawn("waiter", wk_waiter, w);
	int a = sim_thread_spawn("a", wk_a, w);
	int b = sim_thread_spawn("b", wk_b, w);
	sim_thread_join(t);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_wakeups_commute(void)
{
	static const enum wk_mode bugs_[] = {WK_DONE_BUG, WK_QUEUE_BUG};
	for (unsigned int i = 0; i < 2; i++) {
		struct sim_scenario sc =
		    SCENARIO("wake-order", wk_main, .arg = (void *)(uintptr_t)bugs_[i]);
		struct sim_result r = run_dpor(&sc, false);
		CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_ASSERT);
		CU_ASSERT_FALSE(r.exhausted);
		sim_result_free(&r);
	}
	static const enum wk_mode clean[] = {WK_DONE_FIXED, WK_DONE_ALL, WK_QUEUE_STATE};
	for (unsigned int i = 0; i < 3; i++) {
		struct sim_scenario sc =
		    SCENARIO("wake-order-clean", wk_main, .arg = (void *)(uintptr_t)clean[i]);
		struct sim_result r = run_dpor(&sc, true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		if (r.nr_reports)
			fprintf(stderr, "wake-order-clean %d: %s\n", clean[i],
				r.reports[0].message);
		sim_result_free(&r);
		/* wait_event's retry loop is 7 million dfs schedules: not under a sanitizer */
		if (clean[i] != WK_QUEUE_STATE || DPOR_MAX_COUNT == UINT64_MAX)
			same_as_dfs(&sc);
	}
}

/*
 * A wait_event that blocked, then the wake-up, is the wake-up, then the
 * same check going round at once (equivalent_reversal()): one class.  The
 * waker wakes once before the condition holds (the waiter re-checks and
 * sleeps again), then sets it and wakes again, then writes x once more;
 * mode 1 plants a second waiter on the queue that needs a third wake-up
 * nobody gives after its own re-check found the condition false: a
 * deadlock in some orders.  dpor reaches dfs's final states and verdict.
 */
struct ww {
	sim_waitqueue_t wq;
	long flag, flag2, x, seen;
	int mode;
};

static void ww_waker(void *arg)
{
	struct ww *w = arg;
	SIM_WRITE_ONCE(w->x, 1);
	sim_wake_up_all(&w->wq); /* the condition does not hold yet */
	SIM_WRITE_ONCE(w->flag, 1);
	sim_wake_up_all(&w->wq);
	SIM_WRITE_ONCE(w->x, 2);
}

static void ww_waiter(void *arg)
{
	struct ww *w = arg;
	sim_wait_event(&w->wq, SIM_READ_ONCE(w->flag));
	SIM_WRITE_ONCE(w->seen, SIM_READ_ONCE(w->x));
}

static void ww_waiter2(void *arg)
{
	struct ww *w = arg;
	sim_wait_event(&w->wq, SIM_READ_ONCE(w->x) == 1);
}

static void ww_main(void *arg)
{
	struct ww *w = sim_alloc(sizeof(*w));
	w->mode = (int)(uintptr_t)arg;
	sim_waitqueue_init(&w->wq, "ww");
	int t[3] = {sim_thread_spawn("waiter", ww_waiter, w),
		    sim_thread_spawn("waker", ww_waker, w),
		    w->mode ? sim_thread_spawn("waiter2", ww_waiter2, w) : -1};
	for (int i = 0; i < 3; i++)
		if (t[i] >= 0)
			sim_thread_join(t[i]);
}

static void test_wait_blocked_then_woken(void)
{
	struct sim_scenario sc = SCENARIO("wait-woken", ww_main, .arg = (void *)0);
	uint64_t n = same_as_dfs(&sc);
	CU_ASSERT_TRUE(n > 1);
	struct sim_result r = run_dpor(&sc, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	struct sim_scenario dl = SCENARIO("wait-woken-deadlock", ww_main, .arg = (void *)1);
	r = run_dpor(&dl, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DEADLOCK);
	sim_result_free(&r);
}

/*
 * Blind updates: two threads add to (or set bits in) one atomic, relaxed,
 * results unused; a third reads it between, before or after.  The adds
 * commute, the read does not: every value the read can see must be a final
 * state (0, 1, 2, 3), as under dfs, in fewer executions.
 */
struct upd {
	sim_atomic_t c;
	long seen;
	bool bits;
};

static void upd_one(void *arg)
{
	struct upd *u = arg;
	if (u->bits)
		sim_atomic_or(&u->c, 1, SIM_RELAXED);
	else
		sim_atomic_add(&u->c, 1, SIM_ACQUIRE);
}

static void upd_two(void *arg)
{
	struct upd *u = arg;
	if (u->bits)
		sim_atomic_or(&u->c, 2, SIM_RELAXED);
	else
		sim_atomic_inc(&u->c);
	if (!u->bits)
		sim_atomic_add(&u->c, 1, SIM_RELAXED);
}

static void upd_read(void *arg)
{
	struct upd *u = arg;
	SIM_WRITE_ONCE(u->seen, sim_atomic_load(&u->c, SIM_RELAXED));
}

static void upd_main(void *arg)
{
	struct upd *u = sim_alloc(sizeof(*u));
	u->bits = arg != NULL;
	int a = sim_thread_spawn("one", upd_one, u);
	int b = sim_thread_spawn("two", upd_two, u);
	int c = sim_thread_spawn("reader", upd_read, u);
	sim_thread_join(a);
	sim_thread_join(b);
	sim_thread_join(c);
}

static void test_blind_updates(void)
{
	for (uintptr_t bits = 0; bits < 2; bits++) {
		struct sim_scenario sc = SCENARIO("blind-updates", upd_main, .arg = (void *)bits);
		struct sim_result r = run_dpor(&sc, true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		sim_result_free(&r);
		same_as_dfs(&sc);
	}
}

/* ---- writes that change nothing ------------------------------------------------ */

/*
 * A failed cmpxchg and a store of the value there are reads for dpor.  Mode
 * 0: two threads try cmpxchg(x, 5, 6) on x = 0, then read x: one execution.
 * Mode 1: the second thread stores 5 instead, before or after the cmpxchg,
 * which succeeds or fails by that order (a store of another value still
 * conflicts): final states as dfs.  Mode 2: it stores 0, the value there:
 * one execution again.
 */
struct silent {
	sim_atomic_t x;
	long r[2], ok[2];
	int mode;
};

static void silent_cas(void *arg)
{
	struct silent *c = arg;
	long want = 5;
	int me = sim_self() == 1 ? 0 : 1;
	SIM_WRITE_ONCE(c->ok[me], sim_atomic_cmpxchg(&c->x, &want, 6, SIM_RELAXED));
	SIM_WRITE_ONCE(c->r[me], sim_atomic_load(&c->x, SIM_RELAXED));
}

static void silent_store(void *arg)
{
	struct silent *c = arg;
	sim_atomic_store(&c->x, c->mode == 1 ? 5 : 0, SIM_RELAXED);
}

static void silent_main(void *arg)
{
	struct silent *c = sim_alloc(sizeof(*c));
	c->mode = (int)(uintptr_t)arg;
	int a = sim_thread_spawn("cas0", silent_cas, c);
	int b = sim_thread_spawn(c->mode ? "store" : "cas1", c->mode ? silent_store : silent_cas, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_silent_writes(void)
{
	uint64_t execs[3];
	for (uintptr_t m = 0; m < 3; m++) {
		struct sim_scenario sc = SCENARIO("silent-writes", silent_main, .arg = (void *)m);
		struct sim_result r = run_dpor(&sc, true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		execs[m] = r.executions;
		sim_result_free(&r);
		same_as_dfs(&sc);
	}
	CU_ASSERT_EQUAL(execs[0], 1);
	CU_ASSERT_TRUE(execs[1] > 1);
	CU_ASSERT_EQUAL(execs[2], 1);
}

/* ---- critical sections ------------------------------------------------------ */

/*
 * Two threads take one mutex twice each, around accesses that mostly do not
 * conflict (each its own field) and one pair that does (a writes s, c reads
 * it): the orders of the sections vary, the final states are dfs's.
 */
struct cs {
	sim_mutex_t lock;
	long a, b, s, seen, x, r;
	int mode;
};

static void cs_a(void *arg)
{
	struct cs *c = arg;
	if (c->mode) { /* the plain store before the section (the bug) or in it (the fix) */
		if (c->mode == 1)
			SIM_PLAIN_WRITE(c->x, 1);
		sim_mutex_lock(&c->lock);
		if (c->mode == 2)
			SIM_PLAIN_WRITE(c->x, 1);
		sim_mutex_unlock(&c->lock);
		return;
	}
	sim_mutex_lock(&c->lock);
	SIM_PLAIN_WRITE(c->a, 1);
	sim_mutex_unlock(&c->lock);
	sim_mutex_lock(&c->lock);
	SIM_PLAIN_WRITE(c->s, 1);
	sim_mutex_unlock(&c->lock);
}

static void cs_b(void *arg)
{
	struct cs *c = arg;
	sim_mutex_lock(&c->lock);
	if (c->mode == 2)
		c->r = SIM_PLAIN_READ(c->x);
	sim_mutex_unlock(&c->lock);
	if (c->mode == 1) /* after its section: not ordered with a's store */
		SIM_PLAIN_WRITE(c->r, SIM_PLAIN_READ(c->x));
}

static void cs_c(void *arg)
{
	struct cs *c = arg;
	sim_mutex_lock(&c->lock);
	SIM_PLAIN_WRITE(c->b, 1);
	sim_mutex_unlock(&c->lock);
	sim_mutex_lock(&c->lock);
	long v = SIM_PLAIN_READ(c->s);
	sim_mutex_unlock(&c->lock);
	SIM_PLAIN_WRITE(c->seen, v);
}

static void cs_main(void *arg)
{
	struct cs *c = sim_alloc(sizeof(*c));
	c->mode = (int)(uintptr_t)arg;
	sim_mutex_init(&c->lock, "cs");
	int a = sim_thread_spawn("a", cs_a, c);
	int b = sim_thread_spawn(c->mode ? "b" : "c", c->mode ? cs_b : cs_c, c);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_critical_sections(void)
{
	struct sim_scenario sc = SCENARIO("cs-order", cs_main);
	struct sim_result r = run_dpor(&sc, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	same_as_dfs(&sc);
	/* a plain store before a's section, b's load after its own: the order
	 * of the sections decides whether they race (b's first) */
	struct sim_scenario bug = SCENARIO("cs-outside", cs_main, .arg = (void *)1);
	r = run_dpor(&bug, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	CU_ASSERT_FALSE(r.exhausted);
	sim_result_free(&r);
	struct sim_scenario fix = SCENARIO("cs-inside", cs_main, .arg = (void *)2);
	r = run_dpor(&fix, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	r = run_dpor(&fix, false);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
	same_as_dfs(&fix);
}

static void test_same_command_same_run(void)
{
	const struct sim_scenario *sc = sim_litmus_find("seqcount-noretry");
	struct sim_result a = run_dpor(sc, false), b = run_dpor(sc, false);
	CU_ASSERT_EQUAL(a.executions, b.executions);
	CU_ASSERT_EQUAL(a.races, b.races);
	CU_ASSERT_EQUAL_FATAL(a.nr_reports, 1);
	CU_ASSERT_EQUAL_FATAL(b.nr_reports, 1);
	CU_ASSERT_STRING_EQUAL(a.reports[0].schedule, b.reports[0].schedule);
	sim_result_free(&a);
	sim_result_free(&b);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor", NULL, NULL);
	CU_add_test(s, "readers(N) = 2^N executions, N = 1..13", test_readers);
	CU_add_test(s, "lastzero and indexer: GenMC's counts", test_lastzero_indexer);
	CU_add_test(s, "every litmus bug found and replayed, every fix exhaustively clean",
		    test_bugs_found_fixes_clean);
	CU_add_test(s, "the same final states as unbounded dfs, in fewer executions",
		    test_same_as_dfs);
	CU_add_test(s, "the self-check reports an unannotated access",
		    test_self_check_reports_planted);
	CU_add_test(s, "the self-check reports a footprint an unannotated read chose",
		    test_self_check_reports_path);
	CU_add_test(s, "the self-check is clean on the litmus fixes", test_self_check_litmus);
	CU_add_test(s, "same command, same run", test_same_command_same_run);
	CU_add_test(s, "polling loops: a round after a write found, its fix clean", test_polling);
	CU_add_test(s, "polling loops: a blocked lock attempt does not make a round differ",
		    test_polling_blocked_attempt);
	CU_add_test(s, "the sleepers' check of a split tree: no false report", test_split_sleepers);
	CU_add_test(s, "the self-check of a split tree keeps where a poller went on",
		    test_split_poll_wake);
	CU_add_test(s, "polling rounds that put back what they wrote: bug found, fix clean",
		    test_polling_restored);
	CU_add_test(s, "wake-ups commute: a waiter woken by either is found, final states as dfs",
		    test_wakeups_commute);
	CU_add_test(s, "a wait_event that blocked, then its wake-up: one class, dfs's final states",
		    test_wait_blocked_then_woken);
	CU_add_test(s, "blind atomic adds and bit sets commute, reads of them do not",
		    test_blind_updates);
	CU_add_test(s, "writes that change nothing are reads; a change still conflicts",
		    test_silent_writes);
	CU_add_test(s, "critical sections: orders as dfs, a race outside them found",
		    test_critical_sections);
}
