/* SPDX-License-Identifier: MIT */
/*
 * Model of mmu interval notifiers (include/linux/mmu_notifier.h,
 * mm/mmu_notifier.c), Linux v6.18: the invalidate_seq protocol exactly.
 *
 *  - the mm's subscriptions->invalidate_seq is odd while any invalidation
 *    that covers some interval notifier is active, even when idle;
 *  - invalidate_range_start calls ops->invalidate(sub, range, cur_seq) of
 *    every overlapping interval, cur_seq being the odd sequence; the driver
 *    takes its update lock and calls mmu_interval_set_seq(sub, cur_seq);
 *  - the end of the last active range makes the sequence even, applies the
 *    deferred inserts and removals, and wakes read_begin()/remove() waiters;
 *  - mmu_interval_read_begin() sleeps while an invalidation of its interval
 *    is in progress, then returns sub->invalidate_seq;
 *  - mmu_interval_read_retry() (under the driver lock) and
 *    mmu_interval_check_retry() (lockless hint) compare it with the sequence.
 *
 * Intervals live in a small array instead of the kernel's interval tree.
 */
#ifndef HMMSIM_MMU_NOTIFIER_H
#define HMMSIM_MMU_NOTIFIER_H

#include <hmmsim/sim.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hs_mm;
struct hs_mmu_interval_notifier;

enum hs_mmu_notifier_event {
	HS_MMU_NOTIFY_UNMAP = 0,
	HS_MMU_NOTIFY_CLEAR,
	HS_MMU_NOTIFY_PROTECTION_VMA,
	HS_MMU_NOTIFY_PROTECTION_PAGE,
	HS_MMU_NOTIFY_SOFT_DIRTY,
	HS_MMU_NOTIFY_RELEASE,
	HS_MMU_NOTIFY_MIGRATE,
	HS_MMU_NOTIFY_EXCLUSIVE,
};

const char *hs_mmu_notifier_event_name(enum hs_mmu_notifier_event ev);

#define HS_MMU_NOTIFIER_RANGE_BLOCKABLE (1u << 0)

/* struct mmu_notifier_range */
struct hs_mmu_notifier_range {
	struct hs_mm *mm;
	unsigned long start, end;
	unsigned int flags;
	enum hs_mmu_notifier_event event;
	void *owner; /* MIGRATE/EXCLUSIVE: the pgmap owner causing it */
};

static inline bool hs_mmu_notifier_range_blockable(const struct hs_mmu_notifier_range *r)
{
	return r->flags & HS_MMU_NOTIFIER_RANGE_BLOCKABLE;
}

/* struct mmu_interval_notifier_ops: return false only when !blockable and
 * the driver would have to sleep. */
struct hs_mmu_interval_notifier_ops {
	bool (*invalidate)(struct hs_mmu_interval_notifier *sub,
			   const struct hs_mmu_notifier_range *range, unsigned long cur_seq);
};

/**
 * struct hs_mmu_interval_notifier - struct mmu_interval_notifier
 * @start:	first address of the interval
 * @last:	last address of the interval, inclusive (as the kernel's interval tree)
 * @ops:	the driver's invalidate callback
 * @mm:		the address space watched
 * @invalidate_seq: the sequence the driver last saw (set_seq) or was given
 * @in_tree:	linked in the subscriptions (RB_EMPTY_NODE() false)
 * @deferred:	on the deferred list, waiting for the invalidation to end
 * @alive:	cleared by hs_mmu_interval_notifier_free(): a callback on a
 *		freed notifier is a use-after-free
 * @name:	for reports
 * @priv:	the driver's object
 */
struct hs_mmu_interval_notifier {
	unsigned long start, last;
	const struct hs_mmu_interval_notifier_ops *ops;
	struct hs_mm *mm;
	unsigned long invalidate_seq;
	bool in_tree, deferred, alive;
	const char *name;
	void *priv; /* the driver's object */
};

#define HS_MAX_INTERVALS 16

/* struct mmu_notifier_subscriptions */
struct hs_mmu_notifier_subscriptions {
	sim_spinlock_t lock;
	unsigned long invalidate_seq;
	unsigned long active_invalidate_ranges;
	struct hs_mmu_interval_notifier *itree[HS_MAX_INTERVALS];
	int nr_itree;
	struct hs_mmu_interval_notifier *deferred[HS_MAX_INTERVALS];
	int nr_deferred;
	sim_waitqueue_t wq;
};

void hs_mmu_notifier_subscriptions_init(struct hs_mmu_notifier_subscriptions *s);

/* mmu_notifier_range_init() / mmu_notifier_range_init_owner() */
void hs_mmu_notifier_range_init(struct hs_mmu_notifier_range *r, enum hs_mmu_notifier_event ev,
				unsigned int flags, struct hs_mm *mm, unsigned long start,
				unsigned long end, void *owner);
/* mmu_notifier_invalidate_range_start(): blockable; always 0. */
void hs_mmu_notifier_invalidate_range_start(struct hs_mmu_notifier_range *r);
/* mmu_notifier_invalidate_range_start_nonblock(): -EAGAIN when a callback
 * refused (and the range was ended again). */
int hs_mmu_notifier_invalidate_range_start_nonblock(struct hs_mmu_notifier_range *r);
void hs_mmu_notifier_invalidate_range_end(struct hs_mmu_notifier_range *r);
/* mmu_notifier_release(): exit_mmap()'s blockable MMU_NOTIFY_RELEASE over
 * [0, ULONG_MAX) to every interval notifier, nothing unmapped in it. */
void hs_mmu_notifier_release(struct hs_mm *mm);

/* mmu_interval_notifier_insert(): [start, start+length) of @mm. */
int hs_mmu_interval_notifier_insert(struct hs_mmu_interval_notifier *sub, struct hs_mm *mm,
				    unsigned long start, unsigned long length,
				    const struct hs_mmu_interval_notifier_ops *ops);
/* mmu_interval_notifier_remove(): after it returns no callback runs. */
void hs_mmu_interval_notifier_remove(struct hs_mmu_interval_notifier *sub);
/* The driver frees its notifier (kfree): later use is a use-after-free. */
void hs_mmu_interval_notifier_free(struct hs_mmu_interval_notifier *sub);

unsigned long hs_mmu_interval_read_begin(struct hs_mmu_interval_notifier *sub);
/* Under the driver's update lock: true when an invalidation came since. */
bool hs_mmu_interval_read_retry(struct hs_mmu_interval_notifier *sub, unsigned long seq);
/* Lockless hint of the same. */
bool hs_mmu_interval_check_retry(struct hs_mmu_interval_notifier *sub, unsigned long seq);
/* From the invalidate callback, under the driver's update lock. */
void hs_mmu_interval_set_seq(struct hs_mmu_interval_notifier *sub, unsigned long cur_seq);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_MMU_NOTIFIER_H */
