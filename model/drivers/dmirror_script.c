// SPDX-License-Identifier: MIT
/*
 * The reference driver's scripted parts, for scenario files that write a
 * driver as data (sim/scenario/, docs/scenarios.md): a mirror whose
 * interval-notifier callback is a list of actions instead of
 * dmirror_interval_invalidate(), the migrated-page count test_hmm returns in
 * cmd.cpages, and a migration to the device that maps the new pages into
 * the mirror as lib/test_hmm.c's dmirror_migrate_finalize_and_map() does.
 *
 * dmirror.c calls in here at two points, only for a mirror given a script
 * (hs_dmirror_script_init()): the top of its invalidate callback and after
 * migrate_vma_pages().  A mirror
 * without one behaves exactly as before.
 *
 * Shared state: the mirror's page table is written under dmirror->mutex
 * (asserted, as dmirror_do_update() does); the script's own fields are
 * counters and per-thread requests kept with atomics that are not
 * scheduling points (observations, like the oracle fields of dmirror.c).
 */
#include "dmirror_internal.h"

struct hs_dmirror_script {
	const struct hs_dmirror_callback *cb; /* NULL: dmirror_interval_invalidate() */
	unsigned long migrated;		      /* cmd.cpages summed (atomic) */
	/* threads inside hs_dmirror_migrate_to_dev_map() (bit sim_self()) */
	uint64_t map_threads;
};

/* Not in test_hmm: give @dmirror a script (setup only, before other threads run). */
void hs_dmirror_script_init(struct hs_dmirror *dmirror)
{
	if (!dmirror->script)
		dmirror->script = sim_alloc(sizeof(*dmirror->script));
	if (!dmirror->map_on_migrate)
		dmirror->map_fail_addr = ~0ul; /* dmirror_migrate_finalize_and_map() never fails */
}

/* Not in test_hmm: the invalidate callback as a list of actions. */
void hs_dmirror_set_callback(struct hs_dmirror *dmirror, const struct hs_dmirror_callback *cb)
{
	hs_dmirror_script_init(dmirror);
	dmirror->script->cb = cb;
}

bool dmirror_script_has_callback(struct hs_dmirror *dmirror)
{
	return dmirror->script && dmirror->script->cb;
}

/* dmirror_do_update(): drop the mirror entries of [start, end), the mutex held. */
static void dmirror_script_do_update(struct hs_dmirror *dmirror, unsigned long start,
				     unsigned long end)
{
	bool hit = false;

	lockdep_assert_held(&dmirror->mutex);
	for (unsigned long i = start >> PAGE_SHIFT; i < (end >> PAGE_SHIFT) && i < dmirror->npt;
	     i++) {
		hit |= dpt_get(dmirror, i) != 0;
		dpt_set(dmirror, i, 0);
	}
	if (hit)
		sim_cover(HS_COV_INVAL_MIRROR); /* coverage only */
	if (sim_tracing())
		sim_event("dmirror: mirror cleared [%#lx,%#lx) (scripted callback)", start, end);
}

/* Whether action @a applies to @range: its events, and own (a migration
 * whose owner is this device's, the test test_hmm makes to skip it). */
static bool dmirror_script_applies(struct hs_dmirror *dmirror, const struct hs_dmirror_cb_step *a,
				   const struct mmu_notifier_range *range)
{
	bool match = !a->events || (a->events & (1u << range->event));

	if (a->own)
		match = match && range->event == MMU_NOTIFY_MIGRATE &&
			range->owner == dmirror_owner(dmirror);
	return a->negate ? !match : match;
}

/*
 * dmirror_interval_invalidate() as the script says: each action whose
 * condition holds, in order.  lock is mutex_lock(), or mutex_trylock()
 * when the range is not blockable (false when it fails, as the reference
 * does); set-seq is mmu_interval_set_seq(); clear is dmirror_do_update()
 * (which needs the lock: a callback that clears without it is a
 * lock-not-held violation); return ends the callback.  A callback that
 * returns holding the lock is an assertion.
 */
bool dmirror_script_invalidate(struct mmu_interval_notifier *mni,
			       const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	struct hs_dmirror *dmirror = mni->priv;
	const struct hs_dmirror_callback *cb = dmirror->script->cb;
	bool held = false;

	for (unsigned int i = 0; i < cb->n; i++) {
		const struct hs_dmirror_cb_step *a = &cb->step[i];
		if (!dmirror_script_applies(dmirror, a, range))
			continue;
		switch (a->op) {
		case HS_DMIRROR_CB_LOCK:
			if (held)
				sim_fail(SIM_KIND_DEADLOCK,
					 "%s: the invalidate callback takes dmirror->mutex twice",
					 dmirror->mdevice->name);
			if (mmu_notifier_range_blockable(range))
				sim_mutex_lock(&dmirror->mutex);
			else if (!sim_mutex_trylock(&dmirror->mutex))
				return false;
			held = true;
			break;
		case HS_DMIRROR_CB_SET_SEQ:
			mmu_interval_set_seq(mni, cur_seq);
			break;
		case HS_DMIRROR_CB_CLEAR:
			dmirror_script_do_update(dmirror, range->start, range->end);
			break;
		case HS_DMIRROR_CB_UNLOCK:
			if (!held)
				sim_fail(SIM_KIND_ASSERT,
					 "%s: the invalidate callback unlocks dmirror->mutex it "
					 "does not hold",
					 dmirror->mdevice->name);
			sim_mutex_unlock(&dmirror->mutex);
			held = false;
			break;
		case HS_DMIRROR_CB_RETURN:
			i = cb->n;
			break;
		}
	}
	if (held)
		sim_fail(SIM_KIND_ASSERT,
			 "%s: the invalidate callback returns holding dmirror->mutex",
			 dmirror->mdevice->name);
	return true;
}

/* Not in test_hmm: pages migrated by this mirror so far (cmd.cpages summed). */
unsigned long hs_dmirror_migrated(struct hs_dmirror *dmirror)
{
	return dmirror->script ? sim_noted_load_n(&dmirror->script->migrated, __ATOMIC_RELAXED) : 0;
}

/*
 * dmirror_migrate_to_device() with dmirror_migrate_finalize_and_map():
 * the migration maps the new device pages into the mirror between
 * migrate_vma_pages() and migrate_vma_finalize(), under the mutex and
 * without a notifier sequence, as test_hmm does.  (An invalidation that
 * runs after migrate_vma_setup() under mmap_read_lock, a MADV_DONTNEED,
 * zaps the migration entry and clears the mirror first: the map then names
 * a page the CPU page table no longer has; tests/scenarios/
 * migrate-map-race.hsc.)
 */
int hs_dmirror_migrate_to_dev_map(struct hs_dmirror *dmirror, unsigned long addr,
				  unsigned long npages)
{
	struct hs_dmirror_script *s = dmirror->script;
	uint64_t me = 1ull << sim_self();
	int ret;

	if (!s)
		sim_fail(HS_KIND_BUG, "%s: migrate and map needs hs_dmirror_script_init()",
			 dmirror->mdevice->name);
	sim_noted_fetch_or(&s->map_threads, me, __ATOMIC_RELAXED);
	ret = hs_dmirror_migrate_to_dev(dmirror, addr, npages);
	sim_noted_fetch_and(&s->map_threads, ~me, __ATOMIC_RELAXED);
	return ret;
}

/* dmirror_migrate(), after migrate_vma_pages(): count what moved
 * (dmirror_successful_migrated_pages()) and, for a migrate-and-map to the
 * device, map it. */
void dmirror_script_migrate_pages(struct hs_dmirror *dmirror, struct migrate_vma *args, bool to_dev)
{
	struct hs_dmirror_script *s = dmirror->script;
	uint64_t me = 1ull << sim_self();
	unsigned long n = 0;

	for (unsigned long i = 0; i < args->npages; i++)
		if ((args->src[i] & MIGRATE_PFN_VALID) && (args->src[i] & MIGRATE_PFN_MIGRATE))
			n++;
	sim_noted_add(&s->migrated, n);
	if (to_dev && (sim_noted_load_n(&s->map_threads, __ATOMIC_RELAXED) & me))
		dmirror_migrate_finalize_and_map(args, dmirror); /* dmirror_history.c */
}
