// SPDX-License-Identifier: MIT
/*
 * dpor_locks suite: critical sections of an annotated lock
 * (sim_spin_annotated(), sim_mutex_annotated()) are ordered by what they
 * contain (docs/dpor.md, "Critical sections").  Each program reaches the
 * final states unbounded dfs does; sections that do not conflict cost no
 * execution; a race with an access outside the sections, a lock-order
 * deadlock and a reversal that needs a third thread's section moved are
 * found; and the self-check reports a plain C access a section hides.
 */
#include "dpor_common.h"

struct lk {
	sim_spinlock_t spin, spin2;
	sim_mutex_t mutex;
	long a[4], x, y, r1, r2;
	long hidden, seen;
	int mode;
	bool annotate;
};

static struct lk *lk_new(int mode, bool annotate)
{
	struct lk *c = sim_alloc(sizeof(*c));
	c->mode = mode;
	c->annotate = annotate;
	sim_spin_init(&c->spin, "lk");
	sim_spin_init(&c->spin2, "lk2");
	sim_mutex_init(&c->mutex, "lkm");
	if (annotate) {
		sim_spin_annotated(&c->spin);
		sim_spin_annotated(&c->spin2);
		sim_mutex_annotated(&c->mutex);
	}
	return c;
}

static void join_all(const int *t, int n)
{
	for (int i = 0; i < n; i++)
		sim_thread_join(t[i]);
}

/* mode 0 (two threads, two sections each) and 8 (three, three): each thread
 * its own field, nothing conflicts */
static void own_field(void *arg)
{
	struct lk *c = arg;
	int me = sim_self();
	for (int k = 0; k < (c->mode ? 3 : 2); k++) {
		sim_spin_lock(&c->spin);
		SIM_PLAIN_WRITE(c->a[me], SIM_PLAIN_READ(c->a[me]) + 1);
		sim_spin_unlock(&c->spin);
	}
}

/* mode 1: a counter in sections of a mutex, and a section on a field of
 * the thread's own; the second thread records what it saw */
static void counter_inc(void *arg)
{
	struct lk *c = arg;
	sim_mutex_lock(&c->mutex);
	long v = SIM_PLAIN_READ(c->x);
	SIM_PLAIN_WRITE(c->x, v + 1);
	sim_mutex_unlock(&c->mutex);
	sim_mutex_lock(&c->mutex);
	SIM_PLAIN_WRITE(c->a[sim_self()], v);
	sim_mutex_unlock(&c->mutex);
}

/* mode 2: two stores in a section, a lockless reader of both (the race is
 * reversed inside the section, not at its acquisition) */
static void two_stores(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	SIM_WRITE_ONCE(c->x, 1);
	SIM_WRITE_ONCE(c->y, 1);
	sim_spin_unlock(&c->spin);
}

static void lockless_reader(void *arg)
{
	struct lk *c = arg;
	long v = SIM_READ_ONCE(c->y);
	SIM_PLAIN_WRITE(c->r2, v);
	v = SIM_READ_ONCE(c->x);
	SIM_PLAIN_WRITE(c->r1, v);
}

/* mode 3: three threads; a writer's section and a reader's conflict, a
 * third thread's sections (two, around an unrelated field) sit between */
static void sec_writer(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	SIM_PLAIN_WRITE(c->x, 1);
	sim_spin_unlock(&c->spin);
}

static void sec_reader(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	long v = SIM_PLAIN_READ(c->x);
	sim_note_access(&c->r1, true); /* what it saw, without a scheduling point */
	c->r1 = v;
	sim_spin_unlock(&c->spin);
}

static void sec_other(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	SIM_PLAIN_WRITE(c->y, 1);
	sim_spin_unlock(&c->spin);
}

/* mode 4: a store before a section, a load after another: they race when
 * the sections go one way (the data-race oracle reports it) */
static void store_before(void *arg)
{
	struct lk *c = arg;
	SIM_PLAIN_WRITE(c->x, 1);
	sim_spin_lock(&c->spin);
	sim_spin_unlock(&c->spin);
}

static void load_after(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	sim_spin_unlock(&c->spin);
	SIM_PLAIN_WRITE(c->r1, SIM_PLAIN_READ(c->x));
}

/* mode 5: two spinlocks in opposite orders (the deadlock must be found) */
static void ab(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	sim_spin_lock(&c->spin2);
	SIM_PLAIN_WRITE(c->x, 1);
	sim_spin_unlock(&c->spin2);
	sim_spin_unlock(&c->spin);
}

static void ba(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin2);
	sim_spin_lock(&c->spin);
	SIM_PLAIN_WRITE(c->y, 1);
	sim_spin_unlock(&c->spin);
	sim_spin_unlock(&c->spin2);
}

/* mode 6: data the lock protects, touched in plain C without a note (the
 * self-check must report it); mode 7: the same with the note */
static void hidden_write(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	if (c->mode == 7)
		sim_note_access(&c->hidden, true);
	c->hidden = 1;
	sim_spin_unlock(&c->spin);
}

static void hidden_read(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	if (c->mode == 7)
		sim_note_access(&c->hidden, false);
	long v = c->hidden;
	sim_spin_unlock(&c->spin);
	SIM_PLAIN_WRITE(c->seen, v);
}

/* mode 9: a section that waits (a yield inside it): dpor must refuse it */
static void waits_inside(void *arg)
{
	struct lk *c = arg;
	sim_spin_lock(&c->spin);
	sim_yield();
	SIM_PLAIN_WRITE(c->x, 1);
	sim_spin_unlock(&c->spin);
}

static void lk_main(void *arg)
{
	uintptr_t a = (uintptr_t)arg;
	struct lk *c = lk_new((int)(a & 0xff), !(a & 0x100));
	int t[3], n = 2;
	switch (c->mode) {
	case 0:
	case 8:
		n = c->mode ? 3 : 2;
		for (int i = 0; i < n; i++)
			t[i] = sim_thread_spawn("own", own_field, c);
		break;
	case 1:
		t[0] = sim_thread_spawn("inc1", counter_inc, c);
		t[1] = sim_thread_spawn("inc2", counter_inc, c);
		break;
	case 2:
		t[0] = sim_thread_spawn("stores", two_stores, c);
		t[1] = sim_thread_spawn("reader", lockless_reader, c);
		break;
	case 3:
		n = 3;
		t[0] = sim_thread_spawn("other", sec_other, c);
		t[1] = sim_thread_spawn("writer", sec_writer, c);
		t[2] = sim_thread_spawn("reader", sec_reader, c);
		break;
	case 4:
		t[0] = sim_thread_spawn("before", store_before, c);
		t[1] = sim_thread_spawn("after", load_after, c);
		break;
	case 5:
		t[0] = sim_thread_spawn("ab", ab, c);
		t[1] = sim_thread_spawn("ba", ba, c);
		break;
	case 9:
		t[0] = sim_thread_spawn("w1", waits_inside, c);
		t[1] = sim_thread_spawn("w2", waits_inside, c);
		break;
	default:
		t[0] = sim_thread_spawn("w", hidden_write, c);
		t[1] = sim_thread_spawn("r", hidden_read, c);
		break;
	}
	join_all(t, n);
}

#define LK(nm, mode) SCENARIO(nm, lk_main, .arg = (void *)(uintptr_t)(mode))
#define PLAIN	     0x100 /* the same program with locks that are not annotated */

/* dfs's final states, and fewer executions than with the lock ordering all.
 * The sanitizer builds compare the two smallest programs only (dfs takes
 * 0.5 to 6 s over the others here, a minute or more under ASan). */
#if defined(HMMSIM_ASAN) || defined(HMMSIM_TSAN)
#define LK_DFS_MODES 2, 7
#else
#define LK_DFS_MODES 0, 1, 2, 3, 7
#endif
static void test_same_as_dfs(void)
{
	static const int modes[] = {LK_DFS_MODES};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct sim_scenario sc = LK("lk", modes[i]),
				    plain = LK("lk-plain", modes[i] | PLAIN);
		uint64_t aware = same_as_dfs(&sc), ordered = same_as_dfs(&plain);
		if (aware >= ordered)
			fprintf(stderr, "mode %d: %llu executions annotated, %llu not\n", modes[i],
				(unsigned long long)aware, (unsigned long long)ordered);
		if (modes[i] != 2 && modes[i] != 7) /* one section, or two that conflict */
			CU_ASSERT_TRUE(aware < ordered);
		struct sim_result r = run_dpor(&sc, true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_EQUAL(r.sleep_blocked, 0);
		CU_ASSERT_TRUE(r.exhausted);
		sim_result_free(&r);
	}
}

/* Three threads whose sections never conflict: one execution. */
static void test_disjoint_sections(void)
{
	struct sim_scenario sc = LK("lk-disjoint", 8);
	struct sim_result r = run_dpor(&sc, true);
	CU_ASSERT_EQUAL(r.executions, 1);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
}

/*
 * The self-check under a covering bound, where no section commutes: the
 * follow runs it compares with keep that mode (sim_dpor_follow()), so a
 * section's kind is the same in both.  Each program clean.
 */
static void test_self_check_bounded(void)
{
	static const int modes[] = {1, 3, 7, 8};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct sim_scenario sc = LK("lk-bounded", modes[i]);
		struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
					.iterations = UINT64_MAX,
					.dpor_bounded = true,
					.dfs_preemptions = 2,
					.por_check = true};
		struct sim_result r;
		CU_ASSERT_EQUAL(sim_explore(&sc, &o, &r), 0);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		if (r.violations_found)
			fprintf(stderr, "mode %d: %s\n", modes[i], r.reports[0].message);
		sim_result_free(&r);
	}
}

static void test_race_outside_found(void)
{
	struct sim_scenario sc = LK("lk-outside", 4);
	struct sim_result r = run_dpor(&sc, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	sim_result_free(&r);
}

static void test_abba_found(void)
{
	struct sim_scenario sc = LK("lk-abba", 5);
	/* without lockdep, which reports the inversion in the first execution:
	 * the exploration itself must reach the deadlock */
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR, .iterations = UINT64_MAX, .no_lockdep = true};
	struct sim_result r;
	CU_ASSERT_EQUAL(sim_explore(&sc, &o, &r), 0);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DEADLOCK);
	sim_result_free(&r);
}

/* The bug: plain C under an annotated lock; the fix: its note. */
static void test_self_check_hidden(void)
{
	struct sim_scenario bug = LK("lk-hidden", 6);
	struct sim_result r = run_dpor(&bug, true);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_POR_CHECK);
	sim_result_free(&r);
	struct sim_scenario fix = LK("lk-noted", 7);
	r = run_dpor(&fix, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_EQUAL(r.executions, 2);
	sim_result_free(&r);
}

/* A section of an annotated lock that waits is reported, by every strategy
 * (the mark says it never does); not with the lock unmarked. */
static void test_section_waits(void)
{
	struct sim_scenario sc = LK("lk-waits", 9);
	struct sim_result r = run_dpor(&sc, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_POR_CHECK);
	sim_result_free(&r);
	r = run(&sc, SIM_STRATEGY_PCT, 200, 0, 1);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_POR_CHECK);
	sim_result_free(&r);
	struct sim_scenario plain = LK("lk-waits-plain", 9 | PLAIN);
	r = run_dpor(&plain, false);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	uint64_t unmarked = r.executions;
	sim_result_free(&r);
	/* the marks kept, every section ordered: explored as without them */
	struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
				.iterations = UINT64_MAX,
				.order_sections = true,
				.por_check = true};
	CU_ASSERT_EQUAL(sim_explore(&sc, &o, &r), 0);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(r.executions, unmarked);
	sim_result_free(&r);
}

/* --order-sections on a program whose sections do not wait: the final states
 * of dfs, in as many executions as with the locks unmarked. */
static void test_order_sections(void)
{
	struct sim_scenario sc = LK("lk-ordered", 1), plain = LK("lk-ordered-plain", 1 | PLAIN);
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR, .iterations = UINT64_MAX, .order_sections = true};
	struct sim_result a, b;
	CU_ASSERT_EQUAL(sim_explore(&sc, &o, &a), 0);
	o.order_sections = false;
	CU_ASSERT_EQUAL(sim_explore(&plain, &o, &b), 0);
	CU_ASSERT_TRUE(a.exhausted && b.exhausted);
	CU_ASSERT_EQUAL(a.executions, b.executions);
	CU_ASSERT_EQUAL(a.violations_found, 0);
	uint64_t ordered = b.executions;
	sim_result_free(&a);
	sim_result_free(&b);
	CU_ASSERT_EQUAL(sim_explore(&sc, &o, &a), 0); /* marked, not ordered: fewer */
	CU_ASSERT_TRUE(a.executions < ordered);
	sim_result_free(&a);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor_locks", NULL, NULL);
	CU_add_test(s, "annotated sections: dfs's final states in fewer executions",
		    test_same_as_dfs);
	CU_add_test(s, "sections that never conflict: one execution", test_disjoint_sections);
	CU_add_test(s, "the self-check under a covering bound: clean", test_self_check_bounded);
	CU_add_test(s, "a race with an access outside the sections is found",
		    test_race_outside_found);
	CU_add_test(s, "a lock-order deadlock of annotated spinlocks is found", test_abba_found);
	CU_add_test(s, "the self-check reports plain C a section hides, not its note",
		    test_self_check_hidden);
	CU_add_test(s, "a section that waits is refused, unless every section is ordered",
		    test_section_waits);
	CU_add_test(s, "--order-sections: as many executions as unmarked locks",
		    test_order_sections);
}
