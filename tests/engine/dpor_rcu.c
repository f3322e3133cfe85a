// SPDX-License-Identifier: MIT
/*
 * dpor_rcu suite: RCU read sections commute with grace periods (docs/dpor.md,
 * "Grace periods as sections"): a section that begins before a grace
 * period's start and one that begins after it are ordered only by what they
 * touch.  Each program reaches the final states unbounded dfs does, in
 * fewer executions, and passes the self-check; among them the section that
 * reads what the code after the grace period wrote, which needs the
 * section's start moved after the grace period's (dpor_lift()).
 */
#include "dpor_common.h"

struct rc {
	long x, y;
	long r[4];
	struct sim_rcu_head head;
	int mode;
};

/* A reader: one section that reads x (and writes y in mode 2). */
static void reader(void *arg)
{
	struct rc *c = arg;
	sim_rcu_read_lock();
	long v = SIM_READ_ONCE(c->x);
	if (c->mode == 2)
		SIM_WRITE_ONCE(c->y, 1);
	sim_rcu_read_unlock();
	SIM_PLAIN_WRITE(c->r[0], v);
}

/* mode 3: nested sections, then a second section */
static void reader_nested(void *arg)
{
	struct rc *c = arg;
	sim_rcu_read_lock();
	sim_rcu_read_lock();
	long v = SIM_READ_ONCE(c->x);
	sim_rcu_read_unlock();
	long w = SIM_READ_ONCE(c->x);
	sim_rcu_read_unlock();
	sim_rcu_read_lock();
	long u = SIM_READ_ONCE(c->x);
	sim_rcu_read_unlock();
	SIM_PLAIN_WRITE(c->r[1], v * 100 + w * 10 + u);
}

/* Publish, wait for the readers, then "free" (write what a late reader sees). */
static void updater(void *arg)
{
	struct rc *c = arg;
	SIM_WRITE_ONCE(c->x, 1);
	sim_synchronize_rcu();
	if (c->mode == 2)
		SIM_PLAIN_WRITE(c->r[2], SIM_READ_ONCE(c->y));
	SIM_WRITE_ONCE(c->x, 2);
}

/* mode 4: the free is an RCU callback */
static void free_cb(struct sim_rcu_head *h)
{
	struct rc *c = (struct rc *)((char *)h - offsetof(struct rc, head));
	SIM_WRITE_ONCE(c->x, 2);
}

static void updater_call_rcu(void *arg)
{
	struct rc *c = arg;
	SIM_WRITE_ONCE(c->x, 1);
	sim_call_rcu(&c->head, free_cb);
}

static void rc_main(void *arg)
{
	struct rc *c = sim_alloc(sizeof(*c));
	int t[2];
	c->mode = (int)(uintptr_t)arg;
	switch (c->mode) {
	case 1: /* the updater first */
		t[0] = sim_thread_spawn("updater", updater, c);
		t[1] = sim_thread_spawn("reader", reader, c);
		break;
	case 3:
		t[0] = sim_thread_spawn("nested", reader_nested, c);
		t[1] = sim_thread_spawn("updater", updater, c);
		break;
	case 4:
		t[0] = sim_thread_spawn("reader", reader, c);
		t[1] = sim_thread_spawn("updater", updater_call_rcu, c);
		break;
	case 5: /* a second grace period (main's), then a read of x */
		t[0] = sim_thread_spawn("reader", reader, c);
		t[1] = sim_thread_spawn("updater", updater, c);
		sim_synchronize_rcu();
		SIM_PLAIN_WRITE(c->r[3], SIM_READ_ONCE(c->x));
		break;
	default: /* 0, and 2: the reader writes y, which the updater reads after */
		t[0] = sim_thread_spawn("reader", reader, c);
		t[1] = sim_thread_spawn("updater", updater, c);
		break;
	}
	for (int i = 0; i < 2; i++)
		sim_thread_join(t[i]);
	if (c->mode == 4)
		sim_rcu_barrier(); /* the callback has run: one final x */
}

/*
 * The classic pattern, with plain accesses for the race oracle: the reader
 * dereferences the published pointer and reads the object; the updater
 * publishes a new object, waits for a grace period and frees (writes) the
 * old one.  @publish false is the bug: the old object stays published, and a
 * section that begins after the grace period's start reads it while the
 * free writes it.
 */
struct pub {
	long *gp;
	bool publish;
};

static void pub_reader(void *arg)
{
	struct pub *c = arg;
	sim_rcu_read_lock();
	long *p = sim_rcu_dereference(c->gp);
	long v = SIM_PLAIN_READ(*p);
	sim_rcu_read_unlock();
	(void)v;
}

static void pub_updater(void *arg)
{
	struct pub *c = arg;
	long *old = SIM_READ_ONCE(c->gp);
	if (c->publish) {
		long *fresh = sim_alloc(sizeof(*fresh));
		sim_rcu_assign_pointer(c->gp, fresh);
	}
	sim_synchronize_rcu();
	SIM_PLAIN_WRITE(*old, -1); /* the free */
}

static void pub_main(void *arg)
{
	struct pub *c = sim_alloc(sizeof(*c));
	c->publish = arg != NULL;
	c->gp = sim_alloc(sizeof(long));
	int t[2] = {sim_thread_spawn("reader", pub_reader, c),
		    sim_thread_spawn("updater", pub_updater, c)};
	sim_thread_join(t[0]);
	sim_thread_join(t[1]);
}

/* The bug's race is found by the exploration (no probe rounds; the self-check
 * runs without the other oracles): with the reader spawned first, dpor's
 * first execution orders the section before the grace period.  The fix is
 * clean. */
static struct sim_result run_oracles(const struct sim_scenario *sc)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR, .iterations = UINT64_MAX, .dpor_no_probes = true};
	struct sim_result r;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), 0);
	return r;
}

static void test_free_race(void)
{
	struct sim_scenario bug = SCENARIO("rc-pub-bug", pub_main, .arg = NULL),
			    fix = SCENARIO("rc-pub", pub_main, .arg = (void *)1);
	struct sim_result r = run_oracles(&bug);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	CU_ASSERT_TRUE(r.executions > 1);
	sim_result_free(&r);
	r = run_oracles(&fix);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	r = run_dpor(&fix, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	sim_result_free(&r);
}

#define RC(nm, mode) SCENARIO(nm, rc_main, .arg = (void *)(uintptr_t)(mode))

/* dfs's final states, in fewer executions; the self-check clean.  The
 * sanitizer builds compare the four smallest programs (dfs runs about
 * 190,000 and 250,000 executions on modes 3 and 5). */
#if defined(HMMSIM_ASAN) || defined(HMMSIM_TSAN)
#define RC_DFS_MODES 0, 1, 2, 4
#else
#define RC_DFS_MODES 0, 1, 2, 3, 4, 5
#endif
static void test_same_as_dfs(void)
{
	static const int modes[] = {RC_DFS_MODES};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int mode = modes[i];
		struct sim_scenario sc = RC("rc", mode);
		uint64_t n = same_as_dfs(&sc);
		struct sim_result r = run_dpor(&sc, true);
		CU_ASSERT_EQUAL(r.violations_found, 0);
		CU_ASSERT_TRUE(r.exhausted);
		CU_ASSERT_EQUAL(r.executions, n);
		if (r.violations_found)
			fprintf(stderr, "mode %d: %s\n", mode, r.reports[0].message);
		sim_result_free(&r);
	}
}

/*
 * The reader's section, begun before the updater's grace period, sees x = 0
 * or 1; begun after its start, it may also see the "free" (x = 2).  With
 * the reader spawned first, dpor's first execution has the section before
 * the grace period, and reaches x = 2 only by moving the section's start
 * after the grace period's: three final states.
 */
static void test_late_section_sees_free(void)
{
	struct sim_scenario sc = RC("rc-late", 0);
	struct hashes h = {0};
	struct sim_result r = run_hashes(&sc, SIM_STRATEGY_DPOR, &h);
	CU_ASSERT_TRUE(r.exhausted);
	CU_ASSERT_EQUAL(h.n, 3);
	free(h.h);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor_rcu", NULL, NULL);
	CU_add_test(s, "read sections and grace periods: dfs's final states in fewer executions",
		    test_same_as_dfs);
	CU_add_test(s, "a section begun after the grace period's start sees the free",
		    test_late_section_sees_free);
	CU_add_test(s,
		    "a free after the grace period that a late section reads: found; the fix clean",
		    test_free_race);
}
