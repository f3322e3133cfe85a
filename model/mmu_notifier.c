// SPDX-License-Identifier: MIT
/*
 * Model of mmu interval notifiers: the interval-tree half of
 * mm/mmu_notifier.c and the inline helpers of include/linux/mmu_notifier.h
 * (Linux v6.18; this logic has not changed since v5.18).  The protocol is
 * described in include/hmmsim/mmu_notifier.h.
 *
 * What is simplified, none of it about ordering:
 *  - the subscriptions are embedded in the mm and always exist, so
 *    mm_has_notifiers() and has_itree are always true, and the classic
 *    hlist half of mmu notifiers (invalidate_range_start/end ops, release,
 *    clear_young...) is not modelled;
 *  - the interval tree is the array itree[] kept sorted by start (the
 *    order interval_tree_iter_first/next visit), the deferred hlist is the
 *    array deferred[] used as a stack (hlist_add_head order); both are
 *    bounded by HS_MAX_INTERVALS;
 *  - mmgrab()/mmdrop() of the mm and might_sleep() are left out; the
 *    kernel's WARN_ONs are reported as HS_KIND_BUG.
 *
 * The lockdep map __mmu_notifier_invalidate_range_start_map is
 * hs_invalidate_range_start_map: held around the callbacks of a range's
 * start and its end, and taken for an instant where a thread may wait for
 * them (read_begin(), remove(), a page allocation that may reclaim), so the
 * lock-order oracle reports a lock held there that a callback takes, in any
 * execution, as lockdep does, not only in one that deadlocks.
 *
 * Which accesses are annotated, and why:
 *  - subscriptions->invalidate_seq is changed under the lock, but
 *    mmu_interval_read_begin() waits on a lockless read of it, and so did
 *    mmu_interval_notifier_remove() before v5.18: writes are WRITE_ONCE,
 *    lockless reads READ_ONCE, reads under the lock plain C;
 *  - sub->invalidate_seq is written by mmu_interval_set_seq() under the
 *    driver's lock only, and read under other locks or none: always marked;
 *  - the tree is walked without the lock once an invalidation has started
 *    (its odd sequence keeps every writer out of the tree): those reads,
 *    and so every write of itree[] / nr_itree, are annotated plain accesses;
 *  - active_invalidate_ranges, the deferred list and sub->in_tree/deferred
 *    are only touched under the lock: plain C, each access noted for dpor
 *    (HS_NOTED(), model/internal.h: no scheduling point);
 *  - subscriptions->lock is marked sim_spin_annotated(): every access to
 *    what it protects is visible to dpor (the reads of invalidate_seq and of
 *    the tree under the lock are noted too), so two of its sections are
 *    ordered only when their contents conflict: a read_begin() and an
 *    invalidation that covers no interval (it only counts itself active)
 *    commute.
 *  - sub->alive stands for the notifier's memory: the driver's kfree()
 *    (hs_mmu_interval_notifier_free()) clears it with WRITE_ONCE, and each
 *    use of a linked notifier reads it, so freeing a notifier that is still
 *    linked is reported at the access that would touch freed memory.
 */
#include <hmmsim/mm.h>
#include <hmmsim/mmu_notifier.h>
#include <hmmsim/page.h>
#include <hmmsim/switches.h>

#include <errno.h>

#include "internal.h" /* coverage events */

static sim_lockdep_map_t hs_invalidate_range_start_map =
    SIM_LOCKDEP_MAP_INIT("mmu_notifier_invalidate_range_start");

/**
 * hs_invalidate_map_instant() - lock_map_acquire() and lock_map_release() of
 * __mmu_notifier_invalidate_range_start_map, as the kernel open-codes them
 * where a thread may wait for invalidation callbacks: the locks it holds
 * there must not be taken by a callback.
 */
void hs_invalidate_map_instant(void)
{
	sim_lock_map_acquire(&hs_invalidate_range_start_map);
	sim_lock_map_release(&hs_invalidate_range_start_map);
}

static const char *const mn_event_names[] = {
    [HS_MMU_NOTIFY_UNMAP] = "UNMAP",
    [HS_MMU_NOTIFY_CLEAR] = "CLEAR",
    [HS_MMU_NOTIFY_PROTECTION_VMA] = "PROTECTION_VMA",
    [HS_MMU_NOTIFY_PROTECTION_PAGE] = "PROTECTION_PAGE",
    [HS_MMU_NOTIFY_SOFT_DIRTY] = "SOFT_DIRTY",
    [HS_MMU_NOTIFY_RELEASE] = "RELEASE",
    [HS_MMU_NOTIFY_MIGRATE] = "MIGRATE",
    [HS_MMU_NOTIFY_EXCLUSIVE] = "EXCLUSIVE",
};

/**
 * hs_mmu_notifier_event_name() - the name of an mmu_notifier_event, for reports.
 * @ev: the event
 *
 * The name of the enum value without its MMU_NOTIFY_ prefix.
 *
 * Return: "UNMAP", "CLEAR", ...; "?" for a value outside the enum.
 */
const char *hs_mmu_notifier_event_name(enum hs_mmu_notifier_event ev)
{
	unsigned int i = (unsigned int)ev;

	if (i >= sizeof(mn_event_names) / sizeof(mn_event_names[0]) || !mn_event_names[i])
		return "?";
	return mn_event_names[i];
}

static struct hs_mmu_notifier_subscriptions *mn_subscriptions(struct hs_mm *mm)
{
	return &mm->notifier_subscriptions;
}

static const char *mn_sub_name(const struct hs_mmu_interval_notifier *sub)
{
	return sub->name ? sub->name : "interval notifier";
}

static const char *mn_mm_name(const struct hs_mm *mm)
{
	return mm && mm->name ? mm->name : "mm";
}

/**
 * hs_mmu_notifier_subscriptions_init() - set up an mm's notifier state.
 * @s: the subscriptions, embedded in the mm
 *
 * Mirrors the set-up of struct mmu_notifier_subscriptions in
 * __mmu_notifier_register(): the sequence starts at 2 (even: idle), no
 * range is active, the tree and the deferred list are empty.  The kernel
 * allocates the subscriptions on the first registration; the model has them
 * from the start.
 */
void hs_mmu_notifier_subscriptions_init(struct hs_mmu_notifier_subscriptions *s)
{
	sim_spin_init(&s->lock, "notifier_subscriptions->lock");
	/* the sequence, the active count, the tree and the deferred list */
	sim_spin_annotated(&s->lock);
	s->invalidate_seq = 2;
	s->active_invalidate_ranges = 0;
	s->nr_itree = 0;
	s->nr_deferred = 0;
	sim_waitqueue_init(&s->wq, "notifier_subscriptions->wq");
}

/**
 * hs_mmu_notifier_range_init() - mmu_notifier_range_init() and _owner() in one.
 * @r:		the range to set up
 * @ev:		the event (MMU_NOTIFY_*)
 * @flags:	HS_MMU_NOTIFIER_RANGE_BLOCKABLE or 0
 * @mm:		the address space
 * @start:	first address of the range
 * @end:	the address after the range
 * @owner:	the initiator's owner, for MMU_NOTIFY_MIGRATE / EXCLUSIVE
 *
 * mmu_notifier_range_init() and mmu_notifier_range_init_owner() in one.
 *
 * The owner is kept only for MMU_NOTIFY_MIGRATE and MMU_NOTIFY_EXCLUSIVE,
 * the two events whose callers use the _owner variant; the kernel's plain
 * range_init() leaves the field unset, which the model makes NULL so that a
 * driver comparing owners without looking at the event is not excused.
 */
void hs_mmu_notifier_range_init(struct hs_mmu_notifier_range *r, enum hs_mmu_notifier_event ev,
				unsigned int flags, struct hs_mm *mm, unsigned long start,
				unsigned long end, void *owner)
{
	r->event = ev;
	r->flags = flags;
	r->mm = mm;
	r->start = start;
	r->end = end;
	r->owner = (ev == HS_MMU_NOTIFY_MIGRATE || ev == HS_MMU_NOTIFY_EXCLUSIVE) ? owner : NULL;
}

/* mn_itree_is_invalidating(): an invalidation covering some interval runs. */
static bool mn_itree_is_invalidating(struct hs_mmu_notifier_subscriptions *s)
{
	sim_assert_held(&s->lock);
	return HS_NOTED(s->invalidate_seq) & 1;
}

/*
 * The interval tree's overlap test: the notifier's [start, last] against
 * [range->start, range->end - 1], both inclusive, as the kernel queries it.
 * start and last are set before the notifier is linked and never change.
 */
static bool mn_overlaps(const struct hs_mmu_interval_notifier *sub,
			const struct hs_mmu_notifier_range *range)
{
	return sub->start <= range->end - 1 && range->start <= sub->last;
}

/*
 * Model only: every use of a linked notifier goes through here.  Reading
 * @alive makes a notifier that its driver freed (kfree) while it was still
 * linked, or still being unlinked, a reported use-after-free.
 */
static void mn_sub_touch(struct hs_mmu_interval_notifier *sub, const char *site)
{
	if (!SIM_READ_ONCE(sub->alive)) {
		if (sim_tracing()) {
			sim_violation_fact("property: the mmu notifier core uses no interval "
					   "notifier its driver freed (use-after-free oracle, "
					   "mn_sub_touch())");
			sim_violation_fact_freed(sub, mn_sub_name(sub));
		}
		sim_fail(HS_KIND_UAF, "%s: %s [0x%lx,0x%lx) of %s used after its driver freed it",
			 site, mn_sub_name(sub), sub->start, sub->last + 1, mn_mm_name(sub->mm));
	}
}

/* interval_tree_insert(): link @sub, keeping the array sorted by start. */
static void mn_itree_insert(struct hs_mmu_notifier_subscriptions *s,
			    struct hs_mmu_interval_notifier *sub)
{
	int i = HS_NOTED(s->nr_itree);

	sim_assert_held(&s->lock);
	if (i >= HS_MAX_INTERVALS)
		sim_fail(HS_KIND_BUG, "model: more than %d interval notifiers", HS_MAX_INTERVALS);
	for (; i > 0 && HS_NOTED(s->itree[i - 1])->start > sub->start; i--)
		SIM_PLAIN_WRITE(s->itree[i], s->itree[i - 1]);
	SIM_PLAIN_WRITE(s->itree[i], sub);
	SIM_PLAIN_WRITE(s->nr_itree, s->nr_itree + 1);
	HS_NOTED_SET(sub->in_tree, true);
}

/* interval_tree_remove(): unlink @sub. */
static void mn_itree_remove(struct hs_mmu_notifier_subscriptions *s,
			    struct hs_mmu_interval_notifier *sub)
{
	int n = HS_NOTED(s->nr_itree), i = 0;

	sim_assert_held(&s->lock);
	while (i < n && HS_NOTED(s->itree[i]) != sub)
		i++;
	if (i == n)
		sim_fail(HS_KIND_BUG, "interval_tree_remove: %s is not in the tree of %s",
			 mn_sub_name(sub), mn_mm_name(sub->mm));
	for (; i + 1 < n; i++)
		SIM_PLAIN_WRITE(s->itree[i], s->itree[i + 1]);
	SIM_PLAIN_WRITE(s->itree[n - 1], NULL);
	SIM_PLAIN_WRITE(s->nr_itree, n - 1);
	HS_NOTED_SET(sub->in_tree, false);
}

/* hlist_add_head() on the deferred list. */
static void mn_deferred_add(struct hs_mmu_notifier_subscriptions *s,
			    struct hs_mmu_interval_notifier *sub)
{
	sim_assert_held(&s->lock);
	/* Adding a node twice corrupts the kernel's hlist. */
	if (HS_NOTED(sub->deferred))
		sim_fail(HS_KIND_BUG, "hlist_add_head: %s is already on the deferred list",
			 mn_sub_name(sub));
	if (HS_NOTED(s->nr_deferred) >= HS_MAX_INTERVALS)
		sim_fail(HS_KIND_BUG, "model: more than %d deferred notifiers", HS_MAX_INTERVALS);
	HS_NOTE_WRITE(s->nr_deferred);
	HS_NOTED_SET(s->deferred[s->nr_deferred], sub);
	s->nr_deferred++;
	HS_NOTED_SET(sub->deferred, true);
}

/* hlist_del() from the deferred list. */
static void mn_deferred_del(struct hs_mmu_notifier_subscriptions *s,
			    struct hs_mmu_interval_notifier *sub)
{
	int i = 0;

	sim_assert_held(&s->lock);
	while (i < HS_NOTED(s->nr_deferred) && HS_NOTED(s->deferred[i]) != sub)
		i++;
	/* hlist_del() of a node on no list dereferences NULL in the kernel. */
	if (i == s->nr_deferred)
		sim_fail(HS_KIND_BUG, "hlist_del: %s is neither in the tree nor deferred",
			 mn_sub_name(sub));
	for (; i + 1 < s->nr_deferred; i++)
		HS_NOTED_SET(s->deferred[i], HS_NOTED(s->deferred[i + 1]));
	HS_NOTE_WRITE(s->nr_deferred);
	s->nr_deferred--;
	HS_NOTED_SET(s->deferred[s->nr_deferred], NULL);
	HS_NOTED_SET(sub->deferred, false);
}

/* Model limit: notifiers linked now or once the deferred inserts apply. */
static int mn_nr_linked(struct hs_mmu_notifier_subscriptions *s)
{
	int n = HS_NOTED(s->nr_itree);

	sim_assert_held(&s->lock);
	for (int i = 0; i < HS_NOTED(s->nr_deferred); i++)
		n += !HS_NOTED(HS_NOTED(s->deferred[i])->in_tree);
	return n;
}

/*
 * mn_itree_inv_start_range() - count @range as active and, if it covers some
 * interval, make the sequence odd (it may be odd already).
 * @seq:	receives the sequence the callbacks are given
 * @pos:	receives the slot of the interval returned, the walk's cursor
 *		(the kernel's cursor is the tree node itself)
 *
 * Return: the first overlapping notifier by start, or NULL.
 */
static struct hs_mmu_interval_notifier *
mn_itree_inv_start_range(struct hs_mmu_notifier_subscriptions *s,
			 const struct hs_mmu_notifier_range *range, unsigned long *seq, int *pos)
{
	struct hs_mmu_interval_notifier *res = NULL;

	sim_spin_lock(&s->lock);
	HS_NOTE_WRITE(s->active_invalidate_ranges);
	s->active_invalidate_ranges++;
	for (int i = 0; i < HS_NOTED(s->nr_itree); i++) {
		if (mn_overlaps(HS_NOTED(s->itree[i]), range)) {
			res = s->itree[i];
			*pos = i;
			break;
		}
	}
	if (res)
		SIM_WRITE_ONCE(s->invalidate_seq, HS_NOTED(s->invalidate_seq) | 1);
	*seq = HS_NOTED(s->invalidate_seq);
	sim_spin_unlock(&s->lock);
	return res;
}

/*
 * mn_itree_inv_next() - the next overlapping notifier after the one at *@pos.
 * Walks without the lock, as the kernel does: while the sequence is odd
 * inserts and removals are deferred, so the tree holds still.
 */
static struct hs_mmu_interval_notifier *mn_itree_inv_next(struct hs_mmu_notifier_subscriptions *s,
							  const struct hs_mmu_notifier_range *range,
							  int *pos)
{
	for (int i = *pos + 1; i < SIM_PLAIN_READ(s->nr_itree); i++) {
		struct hs_mmu_interval_notifier *sub = SIM_PLAIN_READ(s->itree[i]);

		if (mn_overlaps(sub, range)) {
			*pos = i;
			return sub;
		}
	}
	return NULL;
}

/*
 * mn_itree_inv_end() - one active range ended.  When it was the last one and
 * the sequence is odd: make it even, apply the deferred inserts and
 * removals, and wake read_begin() and remove() sleepers.
 *
 * The deferred notifiers are touched after the new sequence is visible and
 * before the lock drops; a remove() that does not take the lock to look at
 * the sequence (before v5.18) can return, and its caller free the notifier,
 * in between.
 *
 * Return: the sequence it left (for the trace).
 */
static unsigned long mn_itree_inv_end(struct hs_mmu_notifier_subscriptions *s)
{
	unsigned long seq;

	sim_spin_lock(&s->lock);
	/* The kernel's counter would wrap: an end without a start. */
	HS_NOTE_WRITE(s->active_invalidate_ranges);
	if (!s->active_invalidate_ranges)
		sim_fail(HS_KIND_BUG, "mmu_notifier_invalidate_range_end without a start");
	if (--s->active_invalidate_ranges || !mn_itree_is_invalidating(s)) {
		seq = HS_NOTED(s->invalidate_seq);
		sim_spin_unlock(&s->lock);
		return seq;
	}

	SIM_WRITE_ONCE(s->invalidate_seq, HS_NOTED(s->invalidate_seq) + 1);

	while (HS_NOTED(s->nr_deferred)) {
		struct hs_mmu_interval_notifier *sub = HS_NOTED(s->deferred[s->nr_deferred - 1]);

		mn_sub_touch(sub, __func__);
		if (HS_NOTED(sub->in_tree))
			mn_itree_remove(s, sub);
		else
			mn_itree_insert(s, sub);
		HS_NOTED_SET(sub->deferred, false);
		HS_NOTE_WRITE(s->nr_deferred);
		s->nr_deferred--;
		HS_NOTED_SET(s->deferred[s->nr_deferred], NULL);
	}
	seq = HS_NOTED(s->invalidate_seq);
	sim_spin_unlock(&s->lock);

	sim_wake_up_all(&s->wq);
	return seq;
}

/*
 * mn_itree_invalidate() - start @range: call ops->invalidate() of every
 * overlapping notifier with the odd sequence.  A callback may refuse only a
 * non-blockable range: the range is then ended again and -EAGAIN returned,
 * so the caller must not call invalidate_range_end().  A refusal of a
 * blockable range is the kernel's WARN_ON.
 */
static int mn_itree_invalidate(struct hs_mmu_notifier_subscriptions *s,
			       const struct hs_mmu_notifier_range *range)
{
	struct hs_mmu_interval_notifier *sub;
	unsigned long cur_seq;
	int pos = -1;

	sub = mn_itree_inv_start_range(s, range, &cur_seq, &pos);
	if (sim_tracing())
		sim_event("invalidate_range_start%s %s [0x%lx,0x%lx) seq %lu",
			  hs_mmu_notifier_range_blockable(range) ? "" : "_nonblock",
			  hs_mmu_notifier_event_name(range->event), range->start, range->end,
			  cur_seq);
	for (; sub; sub = mn_itree_inv_next(s, range, &pos)) {
		mn_sub_touch(sub, __func__);
		if (sub->ops->invalidate(sub, range, cur_seq))
			continue;
		if (hs_mmu_notifier_range_blockable(range))
			sim_fail(
			    HS_KIND_BUG,
			    "mn_itree_invalidate: WARN: %s refused a blockable %s invalidation",
			    mn_sub_name(sub), hs_mmu_notifier_event_name(range->event));
		mn_itree_inv_end(s);
		if (sim_tracing())
			sim_event("invalidate_range_start_nonblock %s [0x%lx,0x%lx): %s refused, "
				  "-EAGAIN",
				  hs_mmu_notifier_event_name(range->event), range->start,
				  range->end, mn_sub_name(sub));
		return -EAGAIN;
	}
	return 0;
}

/**
 * hs_mmu_notifier_invalidate_range_start() - mmu_notifier_invalidate_range_start()
 * @r: the range, from hs_mmu_notifier_range_init()
 *
 * Marks the range blockable and invalidates every overlapping interval
 * notifier; the sequence stays odd until the matching
 * hs_mmu_notifier_invalidate_range_end().
 */
void hs_mmu_notifier_invalidate_range_start(struct hs_mmu_notifier_range *r)
{
	sim_lock_map_acquire(&hs_invalidate_range_start_map);
	r->flags |= HS_MMU_NOTIFIER_RANGE_BLOCKABLE;
	(void)mn_itree_invalidate(mn_subscriptions(r->mm), r);
	sim_lock_map_release(&hs_invalidate_range_start_map);
}

/**
 * hs_mmu_notifier_invalidate_range_start_nonblock() - the nonblocking range_start
 * @r: the range
 *
 * mmu_notifier_invalidate_range_start_nonblock().
 *
 * The same with the range not blockable, as the OOM reaper uses it.
 *
 * Return: 0, or -EAGAIN when a callback could not proceed without sleeping;
 * the range is then already ended and the caller must not change the PTEs.
 */
int hs_mmu_notifier_invalidate_range_start_nonblock(struct hs_mmu_notifier_range *r)
{
	sim_lock_map_acquire(&hs_invalidate_range_start_map);
	r->flags &= ~HS_MMU_NOTIFIER_RANGE_BLOCKABLE;
	int ret = mn_itree_invalidate(mn_subscriptions(r->mm), r);
	sim_lock_map_release(&hs_invalidate_range_start_map);
	return ret;
}

/**
 * hs_mmu_notifier_release() - mmu_notifier_release(): the mm's last user left.
 * @mm: the address space exit_mmap() is tearing down
 *
 * Mirrors __mmu_notifier_release() -> mn_itree_release() (v6.12): one
 * blockable MMU_NOTIFY_RELEASE invalidation over [0, ULONG_MAX) given to
 * every interval notifier, then its end at once: nothing is unmapped
 * between the two, exit_mmap()'s MMU_NOTIFY_UNMAP invalidation around the
 * zap comes after.  Like the kernel's, it does not take the lockdep map of
 * the invalidation start; a callback refusing the range is the kernel's
 * WARN_ON.  The hlist notifiers' ->release is not modelled.
 */
void hs_mmu_notifier_release(struct hs_mm *mm)
{
	struct hs_mmu_notifier_subscriptions *s = mn_subscriptions(mm);
	struct hs_mmu_notifier_range range;
	unsigned long seq;

	hs_mmu_notifier_range_init(&range, HS_MMU_NOTIFY_RELEASE, HS_MMU_NOTIFIER_RANGE_BLOCKABLE,
				   mm, 0, ~0ul, NULL);
	(void)mn_itree_invalidate(s, &range);
	seq = mn_itree_inv_end(s);
	if (sim_tracing())
		sim_event("mmu_notifier_release %s: seq %lu", mn_mm_name(mm), seq);
}

/**
 * hs_mmu_notifier_invalidate_range_end() - mmu_notifier_invalidate_range_end()
 * @r: the range given to a successful invalidate_range_start
 */
void hs_mmu_notifier_invalidate_range_end(struct hs_mmu_notifier_range *r)
{
	sim_lock_map_acquire(&hs_invalidate_range_start_map);
	unsigned long seq = mn_itree_inv_end(mn_subscriptions(r->mm));
	sim_lock_map_release(&hs_invalidate_range_start_map);

	if (sim_tracing())
		sim_event("invalidate_range_end %s [0x%lx,0x%lx) seq %lu",
			  hs_mmu_notifier_event_name(r->event), r->start, r->end, seq);
}

/**
 * hs_mmu_interval_notifier_insert() - mmu_interval_notifier_insert()
 * @sub:	the driver's notifier; name and priv are the driver's to set
 * @mm:		the address space
 * @start:	first address of the interval
 * @length:	its length: the interval is [@start, @start + @length)
 * @ops:	the callbacks
 *
 * Mirrors __mmu_interval_notifier_insert().  Idle: the notifier is linked
 * with a sequence one below the mm's (odd, and not the current one).  An
 * invalidation is active but covers no interval yet: the sequence is made
 * odd and the notifier linked, so read_begin() waits for that range to end.
 * An invalidation covering some interval runs: the tree is being walked, so
 * the insert is deferred to the last invalidate_range_end().
 *
 * Lockdep: might_lock(&mm->mmap_lock), and the annotation of
 * __mmu_notifier_register() (the invalidation map taken for an instant);
 * the kernel takes the mmap_lock for write on an mm's first registration,
 * which the model's embedded subscriptions never need.
 *
 * Return: 0; -EOVERFLOW for an empty interval or one past the address
 * space; -ENOMEM past the model's HS_MAX_INTERVALS notifiers.
 */
int hs_mmu_interval_notifier_insert(struct hs_mmu_interval_notifier *sub, struct hs_mm *mm,
				    unsigned long start, unsigned long length,
				    const struct hs_mmu_interval_notifier_ops *ops)
{
	struct hs_mmu_notifier_subscriptions *s = mn_subscriptions(mm);
	bool deferred = false;

	sim_rwsem_might_lock(&mm->mmap_lock);
	hs_invalidate_map_instant();

	sub->mm = mm;
	sub->ops = ops;
	HS_NOTED_SET(sub->in_tree, false);
	HS_NOTED_SET(sub->deferred, false);
	sub->start = start;
	if (length == 0 || __builtin_add_overflow(start, length - 1, &sub->last))
		return -EOVERFLOW;
	/* The driver's memory is live; not yet visible to anyone else. */
	sub->alive = true;

	sim_spin_lock(&s->lock);
	if (mn_nr_linked(s) >= HS_MAX_INTERVALS) {
		sim_spin_unlock(&s->lock);
		return -ENOMEM;
	}
	if (HS_NOTED(s->active_invalidate_ranges)) {
		if (mn_itree_is_invalidating(s)) {
			mn_deferred_add(s, sub);
			deferred = true;
		} else {
			SIM_WRITE_ONCE(s->invalidate_seq, HS_NOTED(s->invalidate_seq) | 1);
			mn_itree_insert(s, sub);
		}
		SIM_WRITE_ONCE(sub->invalidate_seq, HS_NOTED(s->invalidate_seq));
	} else {
		if (mn_itree_is_invalidating(s))
			sim_fail(HS_KIND_BUG, "mmu_interval_notifier_insert: WARN: no active "
					      "range but the sequence is odd");
		SIM_WRITE_ONCE(sub->invalidate_seq, HS_NOTED(s->invalidate_seq) - 1);
		mn_itree_insert(s, sub);
	}
	sim_spin_unlock(&s->lock);
	if (sim_tracing())
		sim_event("mmu_interval_notifier_insert %s [0x%lx,0x%lx)%s", mn_sub_name(sub),
			  start, start + length, deferred ? " deferred" : "");
	return 0;
}

/*
 * mmu_interval_seq_released() - the wait condition of remove() since v5.18:
 * the sequence is read under the lock, so remove() cannot return between
 * mn_itree_inv_end() making it even and the deferred removal.
 */
static bool mmu_interval_seq_released(struct hs_mmu_notifier_subscriptions *s, unsigned long seq)
{
	bool ret;

	sim_spin_lock(&s->lock);
	ret = HS_NOTED(s->invalidate_seq) != seq;
	sim_spin_unlock(&s->lock);
	return ret;
}

/**
 * hs_mmu_interval_notifier_remove() - mmu_interval_notifier_remove()
 * @sub: a notifier inserted earlier
 *
 * Idle: unlink at once.  During an invalidation covering some interval: a
 * notifier whose insert is still deferred just leaves the deferred list;
 * one in the tree is queued for removal and the call sleeps until the
 * sequence moves past the current one.  After it returns no callback runs
 * and the driver may free @sub.  hs_switch.notifier_remove_lockless_wait
 * restores the wait on a lockless READ_ONCE of the sequence used before
 * "mm/mmu_notifier.c: fix race in mmu_interval_notifier_remove()" (v5.18).
 */
void hs_mmu_interval_notifier_remove(struct hs_mmu_interval_notifier *sub)
{
	struct hs_mmu_notifier_subscriptions *s = mn_subscriptions(sub->mm);
	unsigned long seq = 0;

	mn_sub_touch(sub, __func__);
	sim_spin_lock(&s->lock);
	if (mn_itree_is_invalidating(s)) {
		if (!HS_NOTED(sub->in_tree)) {
			mn_deferred_del(s, sub);
		} else {
			mn_deferred_add(s, sub);
			seq = HS_NOTED(s->invalidate_seq);
		}
	} else {
		if (!HS_NOTED(sub->in_tree))
			sim_fail(HS_KIND_BUG,
				 "mmu_interval_notifier_remove: WARN: %s is not "
				 "inserted",
				 mn_sub_name(sub));
		mn_itree_remove(s, sub);
	}
	sim_spin_unlock(&s->lock);

	/* the wait needs the caller to hold no lock a callback takes */
	hs_invalidate_map_instant();
	if (seq) {
		if (hs_switch.notifier_remove_lockless_wait)
			sim_wait_event(&s->wq, SIM_READ_ONCE(s->invalidate_seq) != seq);
		else
			sim_wait_event(&s->wq, mmu_interval_seq_released(s, seq));
	}
	if (sim_tracing())
		sim_event("mmu_interval_notifier_remove %s%s", mn_sub_name(sub),
			  seq ? " (waited for the invalidation to end)" : "");
}

/**
 * hs_mmu_interval_notifier_free() - the driver's kfree() of its notifier.
 * @sub: the notifier; later use by the model is a use-after-free
 *
 * Not a kernel function: it marks the memory dead (execution memory is
 * never really freed), with a marked write since linked-notifier users read
 * it without the driver's knowledge.
 */
void hs_mmu_interval_notifier_free(struct hs_mmu_interval_notifier *sub)
{
	SIM_WRITE_ONCE(sub->alive, false);
	if (sim_tracing()) {
		sim_note_free(sub, mn_sub_name(sub));
		sim_event("kfree(%s)", mn_sub_name(sub));
	}
}

/**
 * hs_mmu_interval_read_begin() - mmu_interval_read_begin()
 * @sub: the notifier
 *
 * Samples the notifier's sequence under the subscriptions lock.  If it is
 * the mm's current odd sequence, this notifier's callback has run for an
 * invalidation that is still active: sleep until the sequence moves on, so
 * the caller does not start from page tables that are being torn down.
 *
 * Return: the sequence to give hs_mmu_interval_read_retry().  It is always
 * odd: a notifier's sequence is either its insert-time value or a cur_seq.
 */
unsigned long hs_mmu_interval_read_begin(struct hs_mmu_interval_notifier *sub)
{
	struct hs_mmu_notifier_subscriptions *s = mn_subscriptions(sub->mm);
	unsigned long seq;
	bool is_invalidating;

	sim_spin_lock(&s->lock);
	seq = SIM_READ_ONCE(sub->invalidate_seq);
	is_invalidating = seq == HS_NOTED(s->invalidate_seq);
	sim_spin_unlock(&s->lock);

	/* the wait needs the caller to hold no lock a callback takes */
	hs_invalidate_map_instant();
	if (is_invalidating)
		sim_wait_event(&s->wq, SIM_READ_ONCE(s->invalidate_seq) != seq);
	if (sim_tracing())
		sim_event("mmu_interval_read_begin %s: seq %lu%s", mn_sub_name(sub), seq,
			  is_invalidating ? " (waited for the invalidation to end)" : "");
	return seq;
}

/**
 * hs_mmu_interval_read_retry() - mmu_interval_read_retry()
 * @sub: the notifier
 * @seq: what hs_mmu_interval_read_begin() returned
 *
 * To be called under the driver lock its invalidate callback holds around
 * hs_mmu_interval_set_seq().  The kernel reads the field plainly (the lock
 * orders it); the model marks it since set_seq() writes it with WRITE_ONCE.
 *
 * Return: true when an invalidation collided with the read side: retry.
 */
bool hs_mmu_interval_read_retry(struct hs_mmu_interval_notifier *sub, unsigned long seq)
{
	unsigned long cur = SIM_READ_ONCE(sub->invalidate_seq);

	if (sim_tracing())
		sim_event("mmu_interval_read_retry %s: seq %lu, now %lu: %s", mn_sub_name(sub), seq,
			  cur, cur != seq ? "retry" : "valid");
	if (cur != seq)
		sim_cover(HS_COV_READ_RETRY);
	return cur != seq;
}

/**
 * hs_mmu_interval_check_retry() - mmu_interval_check_retry()
 * @sub: the notifier
 * @seq: what hs_mmu_interval_read_begin() returned
 *
 * The lockless hint: true means read_retry() will say retry; false proves
 * nothing.
 *
 * Return: true when @seq is no longer the notifier's sequence.
 */
bool hs_mmu_interval_check_retry(struct hs_mmu_interval_notifier *sub, unsigned long seq)
{
	unsigned long cur = SIM_READ_ONCE(sub->invalidate_seq);

	if (sim_tracing())
		sim_event("mmu_interval_check_retry %s: seq %lu, now %lu: %s", mn_sub_name(sub),
			  seq, cur, cur != seq ? "retry" : "maybe valid");
	return cur != seq;
}

/**
 * hs_mmu_interval_set_seq() - mmu_interval_set_seq()
 * @sub:	the notifier passed to the invalidate callback
 * @cur_seq:	the cur_seq passed with it (odd)
 *
 * Called by the invalidate callback under the driver lock that read_retry()
 * is called under.
 */
void hs_mmu_interval_set_seq(struct hs_mmu_interval_notifier *sub, unsigned long cur_seq)
{
	SIM_WRITE_ONCE(sub->invalidate_seq, cur_seq);
	if (sim_tracing())
		sim_event("mmu_interval_set_seq %s: %lu", mn_sub_name(sub), cur_seq);
}
