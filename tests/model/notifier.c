// SPDX-License-Identifier: MIT
/*
 * Suite "notifier": the mmu interval notifier model (model/mmu_notifier.c).
 *
 * Single-thread scenarios pin the sequence arithmetic of mm/mmu_notifier.c
 * value by value; multi-thread scenarios check, on every schedule within
 * the preemption bound (DFS), the promises the protocol makes to drivers:
 * read_begin() does not return inside the invalidation it saw, read_retry()
 * under the driver lock catches every collision, remove() waits, and the
 * v5.18 remove() race comes back when its switch is on.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/page.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

#define DFS_ALL 1000000
/* Preemption bound of the exhaustive runs that must be clean: one more than
 * the pre-v5.18 remove() race needs, and still a fraction of a second. */
#define NT_BOUND 3
#define NT_SUBS	 4

/* One mm, one driver with its update lock and up to NT_SUBS notifiers. */
struct nt {
	struct hs_mm *mm;
	struct hs_mmu_notifier_subscriptions *s;
	sim_mutex_t lock; /* the driver's update lock */
	struct hs_mmu_interval_notifier sub[NT_SUBS];
	/* under lock */
	int calls[NT_SUBS];
	unsigned long cb_seq[NT_SUBS];
	enum hs_mmu_notifier_event cb_event[NT_SUBS];
	void *cb_owner[NT_SUBS];
	int order[16], norder;
	bool dev_valid;	  /* the device maps the range ... */
	long dev_version; /* ... with this version of the CPU page table */
	/* written under lock, read without it: marked */
	long ncalls;
	/* marked */
	long cpu_version;
	bool removed[NT_SUBS];
	/* single-thread knobs */
	bool refuse_nonblock[NT_SUBS];
	bool refuse_always[NT_SUBS];
};

static bool nt_invalidate(struct hs_mmu_interval_notifier *sub,
			  const struct hs_mmu_notifier_range *range, unsigned long cur_seq)
{
	struct nt *t = sub->priv;
	int i = (int)(sub - t->sub);

	if (t->refuse_always[i])
		return false;
	if (!hs_mmu_notifier_range_blockable(range)) {
		if (t->refuse_nonblock[i] || !sim_mutex_trylock(&t->lock))
			return false;
	} else {
		sim_mutex_lock(&t->lock);
	}
	sim_check(cur_seq & 1, "%s: cur_seq %lu is even", sub->name, cur_seq);
	sim_check(!SIM_READ_ONCE(t->removed[i]), "%s: callback after remove() returned", sub->name);
	hs_mmu_interval_set_seq(sub, cur_seq);
	t->calls[i]++;
	t->cb_seq[i] = cur_seq;
	t->cb_event[i] = range->event;
	t->cb_owner[i] = range->owner;
	if (t->norder < 16)
		t->order[t->norder++] = i;
	t->dev_valid = false;
	SIM_WRITE_ONCE(t->ncalls, t->ncalls + 1);
	sim_mutex_unlock(&t->lock);
	return true;
}

static const struct hs_mmu_interval_notifier_ops nt_ops = {.invalidate = nt_invalidate};

static const char *const nt_names[NT_SUBS] = {"A", "B", "C", "D"};

/* An mm with only its notifier state set up (hs_mm_alloc() is not needed). */
static struct nt *nt_new(void)
{
	struct nt *t = sim_alloc(sizeof(*t));

	t->mm = sim_alloc(sizeof(*t->mm));
	t->mm->name = "mm";
	hs_mmu_notifier_subscriptions_init(&t->mm->notifier_subscriptions);
	t->s = &t->mm->notifier_subscriptions;
	sim_mutex_init(&t->lock, "driver->lock");
	for (int i = 0; i < NT_SUBS; i++) {
		t->sub[i].name = nt_names[i];
		t->sub[i].priv = t;
	}
	return t;
}

static void nt_insert(struct nt *t, int i, unsigned long start, unsigned long len)
{
	int ret = hs_mmu_interval_notifier_insert(&t->sub[i], t->mm, start, len, &nt_ops);
	sim_check(ret == 0, "insert %s: %d", nt_names[i], ret);
}

static void nt_range(struct nt *t, struct hs_mmu_notifier_range *r, enum hs_mmu_notifier_event ev,
		     unsigned long start, unsigned long end)
{
	hs_mmu_notifier_range_init(r, ev, 0, t->mm, start, end, NULL);
}

/* Expect @cond, else fail the execution with the line. */
#define EXPECT(cond) sim_check(cond, "line %d: %s", __LINE__, #cond)

/* Set by single-thread scenarios when they reach their end. */
static bool nt_reached_end;

/* Run a single-thread scenario: one execution, no violation, reached its end. */
static void run_single(void (*fn)(void *))
{
	struct sim_scenario sc = SCENARIO("t-notifier-single", fn);
	nt_reached_end = false;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);
	EXPECT_EQ_U64(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n%s\n", r.reports[0].kind, r.reports[0].message,
			r.reports[0].report ? r.reports[0].report : "");
	EXPECT_EQ_U64(r.executions, 1);
	CU_ASSERT_TRUE(nt_reached_end);
	sim_result_free(&r);
}

/* ---- names and range_init (no scenario needed) ---------------------------- */

static void test_event_names(void)
{
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_UNMAP), "UNMAP");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_CLEAR), "CLEAR");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_PROTECTION_VMA), "PROTECTION_VMA");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_PROTECTION_PAGE), "PROTECTION_PAGE");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_SOFT_DIRTY), "SOFT_DIRTY");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_RELEASE), "RELEASE");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_MIGRATE), "MIGRATE");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name(HS_MMU_NOTIFY_EXCLUSIVE), "EXCLUSIVE");
	EXPECT_EQ_STR(hs_mmu_notifier_event_name((enum hs_mmu_notifier_event)99), "?");

	struct hs_mmu_notifier_range r;
	int owner;
	hs_mmu_notifier_range_init(&r, HS_MMU_NOTIFY_MIGRATE, 0, NULL, 0x1000, 0x3000, &owner);
	EXPECT_EQ_PTR(r.owner, &owner);
	EXPECT_EQ_U64(r.start, 0x1000);
	EXPECT_EQ_U64(r.end, 0x3000);
	EXPECT_EQ_INT(r.event, HS_MMU_NOTIFY_MIGRATE);
	CU_ASSERT_FALSE(hs_mmu_notifier_range_blockable(&r));
	hs_mmu_notifier_range_init(&r, HS_MMU_NOTIFY_EXCLUSIVE, HS_MMU_NOTIFIER_RANGE_BLOCKABLE,
				   NULL, 0, 0x1000, &owner);
	EXPECT_EQ_PTR(r.owner, &owner);
	CU_ASSERT_TRUE(hs_mmu_notifier_range_blockable(&r));
	/* range_init() without _owner: no owner a driver could match. */
	hs_mmu_notifier_range_init(&r, HS_MMU_NOTIFY_UNMAP, 0, NULL, 0, 0x1000, &owner);
	EXPECT_EQ_PTR(r.owner, NULL);
}

/* ---- the sequence, value by value ----------------------------------------- */

static void seq_parity_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_notifier_subscriptions *s = t->s;
	struct hs_mmu_notifier_range r1, r2, r3;

	EXPECT(s->invalidate_seq == 2);
	nt_insert(t, 0, 0x1000, 0x2000);
	/* Idle insert: one below the mm's, odd, and not the current one. */
	EXPECT(t->sub[0].invalidate_seq == 1);
	EXPECT(t->sub[0].in_tree && s->nr_itree == 1);

	nt_range(t, &r1, HS_MMU_NOTIFY_UNMAP, 0x2000, 0x4000);
	hs_mmu_notifier_invalidate_range_start(&r1);
	EXPECT(hs_mmu_notifier_range_blockable(&r1));
	EXPECT(s->invalidate_seq == 3 && s->active_invalidate_ranges == 1);
	EXPECT(t->calls[0] == 1 && t->cb_seq[0] == 3 && t->sub[0].invalidate_seq == 3);

	/* A second, nested range: the sequence stays the same odd value. */
	nt_range(t, &r2, HS_MMU_NOTIFY_CLEAR, 0x1000, 0x2000);
	hs_mmu_notifier_invalidate_range_start(&r2);
	EXPECT(s->invalidate_seq == 3 && s->active_invalidate_ranges == 2);
	EXPECT(t->calls[0] == 2 && t->cb_seq[0] == 3);
	hs_mmu_notifier_invalidate_range_end(&r2);
	EXPECT(s->invalidate_seq == 3 && s->active_invalidate_ranges == 1);
	hs_mmu_notifier_invalidate_range_end(&r1);
	EXPECT(s->invalidate_seq == 4 && s->active_invalidate_ranges == 0);
	/* The notifier keeps the odd value its callback stored. */
	EXPECT(t->sub[0].invalidate_seq == 3);

	/* A range covering no interval is counted but leaves the sequence even. */
	nt_range(t, &r3, HS_MMU_NOTIFY_UNMAP, 0x5000, 0x6000);
	hs_mmu_notifier_invalidate_range_start(&r3);
	EXPECT(s->invalidate_seq == 4 && s->active_invalidate_ranges == 1);
	EXPECT(t->calls[0] == 2);
	hs_mmu_notifier_invalidate_range_end(&r3);
	EXPECT(s->invalidate_seq == 4 && s->active_invalidate_ranges == 0);

	hs_mmu_notifier_invalidate_range_start(&r1);
	EXPECT(s->invalidate_seq == 5 && t->cb_seq[0] == 5);
	hs_mmu_notifier_invalidate_range_end(&r1);
	EXPECT(s->invalidate_seq == 6);
	nt_reached_end = true;
}

static void test_seq_parity(void)
{
	run_single(seq_parity_main);
}

/* ---- which callbacks run --------------------------------------------------- */

/* Start and end a range; return the callbacks it ran as a bit mask. */
static unsigned int nt_invalidate_mask(struct nt *t, enum hs_mmu_notifier_event ev,
				       unsigned long start, unsigned long end, void *owner)
{
	struct hs_mmu_notifier_range r;
	int before[NT_SUBS];
	unsigned int mask = 0;

	for (int i = 0; i < NT_SUBS; i++)
		before[i] = t->calls[i];
	t->norder = 0;
	hs_mmu_notifier_range_init(&r, ev, 0, t->mm, start, end, owner);
	hs_mmu_notifier_invalidate_range_start(&r);
	for (int i = 0; i < NT_SUBS; i++) {
		if (t->calls[i] != before[i]) {
			EXPECT(t->calls[i] == before[i] + 1);
			EXPECT(t->cb_seq[i] == t->s->invalidate_seq && (t->cb_seq[i] & 1));
			EXPECT(t->cb_event[i] == ev);
			mask |= 1u << i;
		}
	}
	if (!mask)
		EXPECT(!(t->s->invalidate_seq & 1));
	hs_mmu_notifier_invalidate_range_end(&r);
	EXPECT(!(t->s->invalidate_seq & 1));
	return mask;
}

static void overlap_main(void *arg)
{
	struct nt *t = nt_new();
	int owner;

	/* Inserted out of order; visited by start. */
	nt_insert(t, 2, 0x8000, 0x1000); /* C [0x8000, 0x9000) */
	nt_insert(t, 0, 0x1000, 0x1000); /* A [0x1000, 0x2000) */
	nt_insert(t, 1, 0x2000, 0x2000); /* B [0x2000, 0x4000) */

	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0x2000, 0x3000, NULL) == 0x2);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_CLEAR, 0x1000, 0x2001, NULL) == 0x3);
	EXPECT(t->norder == 2 && t->order[0] == 0 && t->order[1] == 1);
	/* Both ends exclusive of the neighbours. */
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0x4000, 0x8000, NULL) == 0);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0x1fff, 0x2000, NULL) == 0x1);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0x3fff, 0x4000, NULL) == 0x2);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0x8fff, 0x9000, NULL) == 0x4);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0x9000, 0xa000, NULL) == 0);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_SOFT_DIRTY, 0, 0x10000, NULL) == 0x7);
	EXPECT(t->norder == 3 && t->order[0] == 0 && t->order[1] == 1 && t->order[2] == 2);
	/* The owner reaches the callback for MIGRATE. */
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_MIGRATE, 0x8000, 0x9000, &owner) == 0x4);
	EXPECT(t->cb_owner[2] == &owner);
	nt_reached_end = true;
}

static void test_callback_overlap(void)
{
	run_single(overlap_main);
}

/* ---- non-blocking start ---------------------------------------------------- */

static void nonblock_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_notifier_subscriptions *s = t->s;
	struct hs_mmu_notifier_range r;

	nt_insert(t, 0, 0x1000, 0x1000); /* A */
	nt_insert(t, 1, 0x3000, 0x1000); /* B */

	/* A refuses: B, later in the walk, is not called. */
	t->refuse_nonblock[0] = true;
	nt_range(t, &r, HS_MMU_NOTIFY_UNMAP, 0, 0x5000);
	EXPECT(hs_mmu_notifier_invalidate_range_start_nonblock(&r) == -EAGAIN);
	EXPECT(!hs_mmu_notifier_range_blockable(&r));
	EXPECT(t->calls[0] == 0 && t->calls[1] == 0);
	/* The range was ended for the caller: balanced, and even again. */
	EXPECT(s->active_invalidate_ranges == 0 && s->invalidate_seq == 4);

	/* B refuses after A took the invalidation. */
	t->refuse_nonblock[0] = false;
	t->refuse_nonblock[1] = true;
	EXPECT(hs_mmu_notifier_invalidate_range_start_nonblock(&r) == -EAGAIN);
	EXPECT(t->calls[0] == 1 && t->cb_seq[0] == 5 && t->calls[1] == 0);
	EXPECT(s->active_invalidate_ranges == 0 && s->invalidate_seq == 6);

	/* A nonblock range only A covers succeeds; the caller ends it. */
	nt_range(t, &r, HS_MMU_NOTIFY_CLEAR, 0x1000, 0x2000);
	EXPECT(hs_mmu_notifier_invalidate_range_start_nonblock(&r) == 0);
	EXPECT(s->active_invalidate_ranges == 1 && s->invalidate_seq == 7 && t->cb_seq[0] == 7);
	hs_mmu_notifier_invalidate_range_end(&r);
	EXPECT(s->active_invalidate_ranges == 0 && s->invalidate_seq == 8);

	/* A blockable start is never refused. */
	nt_range(t, &r, HS_MMU_NOTIFY_UNMAP, 0, 0x5000);
	hs_mmu_notifier_invalidate_range_start(&r);
	EXPECT(t->cb_seq[0] == 9 && t->cb_seq[1] == 9);
	hs_mmu_notifier_invalidate_range_end(&r);
	EXPECT(s->active_invalidate_ranges == 0 && s->invalidate_seq == 10);
	nt_reached_end = true;
}

static void test_nonblock_eagain(void)
{
	run_single(nonblock_main);
}

static void refuse_blockable_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_notifier_range r;

	nt_insert(t, 0, 0x1000, 0x1000);
	t->refuse_always[0] = true;
	nt_range(t, &r, HS_MMU_NOTIFY_UNMAP, 0x1000, 0x2000);
	hs_mmu_notifier_invalidate_range_start(&r);
	hs_mmu_notifier_invalidate_range_end(&r);
}

static void test_refuse_blockable_warns(void)
{
	struct sim_scenario sc = SCENARIO("t-notifier-refuse-blockable", refuse_blockable_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_BUG);
	if (r.nr_reports)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "refused a blockable"));
	sim_result_free(&r);
}

/* ---- insert and remove while invalidating ---------------------------------- */

static void insert_deferred_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_notifier_subscriptions *s = t->s;
	struct hs_mmu_notifier_range r1, r2, r3;

	nt_insert(t, 0, 0x1000, 0x1000); /* A */
	nt_range(t, &r1, HS_MMU_NOTIFY_UNMAP, 0x1000, 0x2000);
	hs_mmu_notifier_invalidate_range_start(&r1);
	EXPECT(s->invalidate_seq == 3);

	/* The tree is being walked: B waits on the deferred list. */
	nt_insert(t, 1, 0x1000, 0x1000);
	EXPECT(!t->sub[1].in_tree && t->sub[1].deferred);
	EXPECT(s->nr_itree == 1 && s->nr_deferred == 1);
	EXPECT(t->sub[1].invalidate_seq == 3);

	/* A nested range does not see B yet. */
	nt_range(t, &r2, HS_MMU_NOTIFY_CLEAR, 0, 0x10000);
	hs_mmu_notifier_invalidate_range_start(&r2);
	EXPECT(t->calls[0] == 2 && t->calls[1] == 0);
	hs_mmu_notifier_invalidate_range_end(&r2);
	EXPECT(!t->sub[1].in_tree && s->nr_deferred == 1); /* not the last range */
	hs_mmu_notifier_invalidate_range_end(&r1);
	EXPECT(s->invalidate_seq == 4);
	EXPECT(t->sub[1].in_tree && !t->sub[1].deferred);
	EXPECT(s->nr_itree == 2 && s->nr_deferred == 0);

	/* Now B is invalidated like any other. */
	hs_mmu_notifier_invalidate_range_start(&r1);
	EXPECT(t->calls[1] == 1 && t->cb_seq[1] == 5);
	hs_mmu_notifier_invalidate_range_end(&r1);
	EXPECT(s->invalidate_seq == 6);

	/* Active but covering no interval: C goes in at once, the sequence
	 * turns odd so that read_begin(C) waits for that range. */
	nt_range(t, &r3, HS_MMU_NOTIFY_UNMAP, 0x8000, 0x9000);
	hs_mmu_notifier_invalidate_range_start(&r3);
	EXPECT(s->invalidate_seq == 6 && s->active_invalidate_ranges == 1);
	nt_insert(t, 2, 0x8000, 0x1000);
	EXPECT(s->invalidate_seq == 7 && t->sub[2].in_tree && !t->sub[2].deferred);
	EXPECT(t->sub[2].invalidate_seq == 7);
	EXPECT(t->calls[2] == 0);
	hs_mmu_notifier_invalidate_range_end(&r3);
	EXPECT(s->invalidate_seq == 8 && t->sub[2].in_tree && s->nr_itree == 3);

	/* Removing a notifier whose insert is still deferred does not wait
	 * (a wait here would be a deadlock: nothing else runs). */
	hs_mmu_notifier_invalidate_range_start(&r1);
	EXPECT(s->invalidate_seq == 9);
	nt_insert(t, 3, 0x1000, 0x1000);
	EXPECT(t->sub[3].deferred);
	hs_mmu_interval_notifier_remove(&t->sub[3]);
	EXPECT(!t->sub[3].deferred && !t->sub[3].in_tree && s->nr_deferred == 0);
	hs_mmu_notifier_invalidate_range_end(&r1);
	EXPECT(s->invalidate_seq == 10 && !t->sub[3].in_tree && s->nr_itree == 3);

	/* Idle remove: unlinked at once. */
	hs_mmu_interval_notifier_remove(&t->sub[0]);
	EXPECT(!t->sub[0].in_tree && s->nr_itree == 2);
	EXPECT(nt_invalidate_mask(t, HS_MMU_NOTIFY_UNMAP, 0, 0x10000, NULL) == 0x6);
	nt_reached_end = true;
}

static void test_insert_deferred(void)
{
	run_single(insert_deferred_main);
}

static void insert_limits_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_interval_notifier *many = sim_alloc(sizeof(*many) * (HS_MAX_INTERVALS + 1));

	EXPECT(hs_mmu_interval_notifier_insert(&many[0], t->mm, 0x1000, 0, &nt_ops) == -EOVERFLOW);
	EXPECT(hs_mmu_interval_notifier_insert(&many[0], t->mm, ~0ul - 0xfff, 0x2000, &nt_ops) ==
	       -EOVERFLOW);
	EXPECT(t->s->nr_itree == 0);
	/* The last byte of the address space is a valid interval end. */
	EXPECT(hs_mmu_interval_notifier_insert(&many[0], t->mm, ~0ul - 0xfff, 0x1000, &nt_ops) ==
	       0);
	EXPECT(many[0].last == ~0ul);
	for (int i = 1; i < HS_MAX_INTERVALS; i++)
		EXPECT(hs_mmu_interval_notifier_insert(&many[i], t->mm, 0x1000ul * i, 0x1000,
						       &nt_ops) == 0);
	EXPECT(hs_mmu_interval_notifier_insert(&many[HS_MAX_INTERVALS], t->mm, 0, 0x1000,
					       &nt_ops) == -ENOMEM);
	hs_mmu_interval_notifier_remove(&many[3]);
	EXPECT(hs_mmu_interval_notifier_insert(&many[HS_MAX_INTERVALS], t->mm, 0, 0x1000,
					       &nt_ops) == 0);
	/* Sorted by start whatever the insertion order. */
	for (int i = 1; i < t->s->nr_itree; i++)
		EXPECT(t->s->itree[i - 1]->start <= t->s->itree[i]->start);
	nt_reached_end = true;
}

static void test_insert_limits(void)
{
	run_single(insert_limits_main);
}

/* The driver frees its notifier without removing it. */
static void free_linked_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_notifier_range r;

	nt_insert(t, 0, 0x1000, 0x1000);
	hs_mmu_interval_notifier_free(&t->sub[0]);
	nt_range(t, &r, HS_MMU_NOTIFY_UNMAP, 0, 0x10000);
	hs_mmu_notifier_invalidate_range_start(&r);
	hs_mmu_notifier_invalidate_range_end(&r);
}

static void test_free_linked_is_uaf(void)
{
	struct sim_scenario sc = SCENARIO("t-notifier-free-linked", free_linked_main);
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_UAF);
	if (r.nr_reports)
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "mn_itree_invalidate"));
	sim_result_free(&r);
}

/* ---- read_begin / read_retry against a concurrent invalidation -------------- */

#define OUT_RETRY 0x1u /* read_retry said retry */
#define OUT_VALID 0x2u /* read_retry said valid */
#define OUT_LATE  0x4u /* read_begin sampled the invalidation's own sequence */
static unsigned int nt_outcomes;

static void invalidator(void *arg)
{
	struct nt *t = arg;
	struct hs_mmu_notifier_range r;

	nt_range(t, &r, HS_MMU_NOTIFY_UNMAP, 0x1000, 0x2000);
	hs_mmu_notifier_invalidate_range_start(&r);
	/* The CPU page table changes inside the invalidation. */
	SIM_WRITE_ONCE(t->cpu_version, SIM_READ_ONCE(t->cpu_version) + 1);
	hs_mmu_notifier_invalidate_range_end(&r);
}

static void reader(void *arg)
{
	struct nt *t = arg;
	struct hs_mmu_interval_notifier *sub = &t->sub[0];

	long c0 = SIM_READ_ONCE(t->ncalls);
	unsigned long seq = hs_mmu_interval_read_begin(sub);
	/* A notifier's sequence is always odd... */
	sim_check(seq & 1, "read_begin returned an even seq %lu", seq);
	/* ... and read_begin never returns inside the invalidation it saw. */
	unsigned long mm_seq = SIM_READ_ONCE(t->s->invalidate_seq);
	sim_check(mm_seq != seq, "read_begin returned seq %lu while that invalidation runs", seq);
	long c1 = SIM_READ_ONCE(t->ncalls);
	bool hint = hs_mmu_interval_check_retry(sub, seq);

	sim_mutex_lock(&t->lock);
	bool retry = hs_mmu_interval_read_retry(sub, seq);
	long c2 = t->ncalls;
	sim_mutex_unlock(&t->lock);

	/* check_retry's true is a promise, its false only a hint. */
	sim_check(!hint || retry, "check_retry said retry, read_retry says valid");
	if (c2 > c1)
		sim_check(retry, "a callback ran after read_begin returned, read_retry says valid");
	if (c2 == c0)
		sim_check(!retry, "no callback since before read_begin, read_retry says retry");
	nt_outcomes |= retry ? OUT_RETRY : OUT_VALID;
	if (seq != 1)
		nt_outcomes |= OUT_LATE;
}

static void read_begin_main(void *arg)
{
	struct nt *t = nt_new();

	nt_insert(t, 0, 0x1000, 0x1000);
	int a = sim_thread_spawn("invalidator", invalidator, t);
	int b = sim_thread_spawn("reader", reader, t);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_read_begin_waits(void)
{
	struct sim_scenario sc = SCENARIO("t-notifier-read-begin", read_begin_main);
	nt_outcomes = 0;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, NT_BOUND, 0);
	EXPECT_EQ_U64(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n%s\n", r.reports[0].kind, r.reports[0].message,
			r.reports[0].report);
	CU_ASSERT_TRUE(r.exhausted);
	EXPECT_EQ_U64(nt_outcomes, OUT_RETRY | OUT_VALID | OUT_LATE);
	sim_result_free(&r);
}

/* ---- a driver's fault protocol --------------------------------------------- */

enum nt_driver_kind {
	DRV_CORRECT,	    /* read_retry under the driver lock */
	DRV_NO_RETRY,	    /* never asks */
	DRV_RETRY_UNLOCKED, /* asks before taking the lock */
};

struct nt_fault {
	struct nt *t;
	enum nt_driver_kind kind;
	int i; /* the notifier it uses */
};

/* dmirror_range_fault() in miniature: snapshot the CPU page table between
 * read_begin and read_retry, program the device under the lock. */
static void driver_fault(void *arg)
{
	struct nt_fault *f = arg;
	struct nt *t = f->t;
	struct hs_mmu_interval_notifier *sub = &t->sub[f->i];

	for (int tries = 0;; tries++) {
		sim_check(tries < 8, "driver fault makes no progress");
		unsigned long seq = hs_mmu_interval_read_begin(sub);
		long v = SIM_READ_ONCE(t->cpu_version); /* hmm_range_fault() */
		if (f->kind == DRV_RETRY_UNLOCKED && hs_mmu_interval_read_retry(sub, seq))
			continue;
		sim_mutex_lock(&t->lock);
		if (f->kind == DRV_CORRECT && hs_mmu_interval_read_retry(sub, seq)) {
			sim_mutex_unlock(&t->lock);
			continue;
		}
		t->dev_version = v;
		t->dev_valid = true;
		sim_mutex_unlock(&t->lock);
		return;
	}
}

static void nt_check_coherent(struct nt *t)
{
	if (t->dev_valid && t->dev_version != t->cpu_version)
		sim_fail(HS_KIND_COHERENCE, "device maps version %ld, the CPU page table has %ld",
			 t->dev_version, t->cpu_version);
}

static void protocol_main(void *arg)
{
	struct nt_fault *f = sim_alloc(sizeof(*f));

	f->t = nt_new();
	f->kind = *(const enum nt_driver_kind *)arg;
	f->i = 0;
	nt_insert(f->t, 0, 0x1000, 0x1000);
	int a = sim_thread_spawn("invalidator", invalidator, f->t);
	int b = sim_thread_spawn("driver", driver_fault, f);
	sim_thread_join(a);
	sim_thread_join(b);
	nt_check_coherent(f->t);
}

static struct sim_result run_protocol(enum nt_driver_kind kind)
{
	static enum nt_driver_kind k;
	k = kind;
	struct sim_scenario sc = SCENARIO("t-notifier-protocol", protocol_main, .arg = &k);
	return run(&sc, SIM_STRATEGY_DFS, DFS_ALL, NT_BOUND, 0);
}

static void test_protocol_correct(void)
{
	struct sim_result r = run_protocol(DRV_CORRECT);
	EXPECT_EQ_U64(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n%s\n", r.reports[0].kind, r.reports[0].message,
			r.reports[0].report);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void test_protocol_no_retry(void)
{
	struct sim_result r = run_protocol(DRV_NO_RETRY);
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_COHERENCE);
	sim_result_free(&r);
}

static void test_protocol_retry_unlocked(void)
{
	struct sim_result r = run_protocol(DRV_RETRY_UNLOCKED);
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_COHERENCE);
	sim_result_free(&r);
}

/*
 * A driver inserts its notifier while an invalidation of that range runs,
 * then faults.  Its callback never ran for that invalidation, so its first
 * read_begin() must wait for it: with another notifier already invalidated
 * the insert is deferred at the current odd sequence; with none the insert
 * makes the sequence odd itself.
 */
static void insert_then_fault(void *arg)
{
	struct nt_fault *f = arg;

	nt_insert(f->t, f->i, 0x1000, 0x1000);
	driver_fault(f);
}

static void insert_race_main(void *arg)
{
	struct nt_fault *f = sim_alloc(sizeof(*f));
	bool with_a = *(const bool *)arg;

	f->t = nt_new();
	f->kind = DRV_CORRECT;
	f->i = 1;
	if (with_a)
		nt_insert(f->t, 0, 0x1000, 0x1000);
	int a = sim_thread_spawn("invalidator", invalidator, f->t);
	int b = sim_thread_spawn("driver", insert_then_fault, f);
	sim_thread_join(a);
	sim_thread_join(b);
	nt_check_coherent(f->t);
}

static void test_insert_race(void)
{
	static bool with_a[2] = {false, true};
	for (int k = 0; k < 2; k++) {
		struct sim_scenario sc =
		    SCENARIO("t-notifier-insert-race", insert_race_main, .arg = &with_a[k]);
		struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, NT_BOUND, 0);
		EXPECT_EQ_U64(r.violations_found, 0);
		if (r.nr_reports)
			fprintf(stderr, "\n%s: %s\n%s\n", r.reports[0].kind, r.reports[0].message,
				r.reports[0].report);
		CU_ASSERT_TRUE(r.exhausted);
		sim_result_free(&r);
	}
}

/*
 * A driver inserts a notifier with its update lock held, the lock its
 * callback takes.  mmu_interval_notifier_insert() may take the mmap_lock
 * for write and tells lockdep so (might_lock(), and the invalidation map of
 * __mmu_notifier_register()): with the callback taking the lock inside the
 * map, that is a lock-order cycle in the first execution, though none of
 * this program's executions deadlocks.  Inserting before taking the lock is
 * clean.
 */
struct insert_locked {
	struct nt *t;
	bool fixed;
};

static void insert_locked(void *arg)
{
	struct insert_locked *x = arg;

	if (!x->fixed)
		sim_mutex_lock(&x->t->lock);
	nt_insert(x->t, 1, 0x1000, 0x1000);
	if (x->fixed)
		sim_mutex_lock(&x->t->lock);
	sim_mutex_unlock(&x->t->lock);
}

static void insert_locked_main(void *arg)
{
	struct insert_locked *x = sim_alloc(sizeof(*x));

	x->t = nt_new();
	x->fixed = arg != NULL;
	nt_insert(x->t, 0, 0x1000, 0x1000);
	int a = sim_thread_spawn("invalidator", invalidator, x->t);
	int b = sim_thread_spawn("driver", insert_locked, x);
	sim_thread_join(a);
	sim_thread_join(b);
}

static void test_insert_under_callback_lock(void)
{
	struct sim_scenario bug = SCENARIO("t-notifier-insert-locked", insert_locked_main);
	struct sim_scenario fixed =
	    SCENARIO("t-notifier-insert-unlocked", insert_locked_main, .arg = (void *)1);
	struct sim_result r = run(&bug, SIM_STRATEGY_DFS, DFS_ALL, 0, 0);

	EXPECT_EQ_STR(first_kind(&r), SIM_KIND_LOCK_ORDER);
	CU_ASSERT_TRUE(
	    r.nr_reports &&
	    strstr(r.reports[0].message, "driver->lock -> mmu_notifier_invalidate_range_start"));
	sim_result_free(&r);
	r = run(&fixed, SIM_STRATEGY_DFS, DFS_ALL, NT_BOUND, 0);
	EXPECT_EQ_U64(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

/* ---- remove() against an invalidation (and the v5.18 fix) ------------------- */

#define OUT_REMOVED_DURING 0x1u /* remove() was called inside the invalidation */

static void remover(void *arg)
{
	struct nt *t = arg;
	struct hs_mmu_interval_notifier *sub = &t->sub[0];

	if (SIM_READ_ONCE(t->s->invalidate_seq) == 3)
		nt_outcomes |= OUT_REMOVED_DURING;
	hs_mmu_interval_notifier_remove(sub);
	/* The invalidation running when remove() was called has ended... */
	sim_check(SIM_READ_ONCE(t->s->invalidate_seq) != 3,
		  "remove() returned inside the invalidation");
	SIM_WRITE_ONCE(t->removed[0], true);
	/* The driver is done with it at once. */
	hs_mmu_interval_notifier_free(sub);
	/* It was unlinked (checked after the free: taking the lock before it
	 * would serialise with mn_itree_inv_end() and hide the old race). */
	sim_spin_lock(&t->s->lock);
	sim_check(!sub->in_tree && !sub->deferred, "remove() returned, notifier still linked");
	sim_spin_unlock(&t->s->lock);
}

static void remove_main(void *arg)
{
	struct nt *t = nt_new();
	struct hs_mmu_notifier_range r;

	nt_insert(t, 0, 0x1000, 0x1000);
	nt_range(t, &r, HS_MMU_NOTIFY_UNMAP, 0x1000, 0x2000);
	hs_mmu_notifier_invalidate_range_start(&r);
	int a = sim_thread_spawn("remover", remover, t);
	/* The invalidator zaps PTEs for a while. */
	sim_yield();
	hs_mmu_notifier_invalidate_range_end(&r);
	/* A later invalidation must not call the removed notifier. */
	hs_mmu_notifier_invalidate_range_start(&r);
	hs_mmu_notifier_invalidate_range_end(&r);
	sim_thread_join(a);
}

static void test_remove_waits(void)
{
	struct sim_scenario sc = SCENARIO("t-notifier-remove", remove_main);
	hs_switch.notifier_remove_lockless_wait = false;
	nt_outcomes = 0;
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, NT_BOUND, 0);
	EXPECT_EQ_U64(r.violations_found, 0);
	if (r.nr_reports)
		fprintf(stderr, "\n%s: %s\n%s\n", r.reports[0].kind, r.reports[0].message,
			r.reports[0].report);
	CU_ASSERT_TRUE(r.exhausted);
	EXPECT_EQ_U64(nt_outcomes, OUT_REMOVED_DURING);
	sim_result_free(&r);
}

static void test_remove_lockless_wait_uaf(void)
{
	struct sim_scenario sc = SCENARIO("t-notifier-remove-prefix", remove_main);
	hs_switch.notifier_remove_lockless_wait = true;
	/* Two preemptions: remover before its lockless read, invalidator
	 * between making the sequence even and unlinking. */
	struct sim_result r = run(&sc, SIM_STRATEGY_DFS, DFS_ALL, 2, 0);
	hs_switch.notifier_remove_lockless_wait = false;
	EXPECT_EQ_STR(first_kind(&r), HS_KIND_UAF);
	if (r.nr_reports) {
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].message, "mn_itree_inv_end"));
		CU_ASSERT_PTR_NOT_NULL(r.reports[0].report);
		if (r.reports[0].report) {
			CU_ASSERT_PTR_NOT_NULL(
			    strstr(r.reports[0].report,
				   "invalidate_range_start UNMAP [0x1000,0x2000) seq 3"));
			CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[0].report, "kfree(A)"));
		}
	}
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("notifier", NULL, NULL);
	CU_add_test(s, "event names, range_init owner", test_event_names);
	CU_add_test(s, "seq odd while invalidating, even after", test_seq_parity);
	CU_add_test(s, "callbacks: only overlapping intervals, by start", test_callback_overlap);
	CU_add_test(s, "nonblock: refusal gives -EAGAIN, ranges balanced", test_nonblock_eagain);
	CU_add_test(s, "blockable refusal is a kernel WARN", test_refuse_blockable_warns);
	CU_add_test(s, "insert during an invalidation is deferred", test_insert_deferred);
	CU_add_test(s, "insert: -EOVERFLOW, -ENOMEM, sorted", test_insert_limits);
	CU_add_test(s, "invalidating a freed notifier: use-after-free", test_free_linked_is_uaf);
	CU_add_test(s, "read_begin waits, read_retry catches collisions", test_read_begin_waits);
	CU_add_test(s, "driver protocol with read_retry: never stale", test_protocol_correct);
	CU_add_test(s, "driver without read_retry: stale mapping found", test_protocol_no_retry);
	CU_add_test(s, "driver with read_retry outside its lock: found",
		    test_protocol_retry_unlocked);
	CU_add_test(s, "insert during an invalidation: first read waits", test_insert_race);
	CU_add_test(s, "insert under the lock the callback takes: lock-order",
		    test_insert_under_callback_lock);
	CU_add_test(s, "remove during an invalidation waits", test_remove_waits);
	CU_add_test(s, "pre-v5.18 remove: use-after-free found", test_remove_lockless_wait_uaf);
}
