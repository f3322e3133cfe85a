/* SPDX-License-Identifier: MIT */
/*
 * The oracles that run inside every execution (oracle.c): the happens-before
 * data-race detector, the lock-order graph (lockdep) and the might-sleep
 * check.  The primitives call these hooks; each call site tests the oracle's
 * flag first, so a run with the oracles off pays one predictable branch.
 */
#ifndef SIM_CORE_ORACLE_H
#define SIM_CORE_ORACLE_H

#include "engine.h"

/* The run: flags from @opt, a fresh lock-order graph.  Ends with run_end(). */
void sim_ora_run_begin(const struct sim_options *opt);
void sim_ora_run_end(void);
/* Switch every oracle off (or back to the run's choice) around an execution
 * that is not part of the exploration (pct's calibration). */
void sim_ora_suspend(bool suspend);
/* Start of an execution (sim_run_execution()). */
void sim_ora_exec_begin(void);
/* Undo what the last execution added to the lock-order graph, so that its
 * replay adds it again and fails the same way. */
void sim_ld_rollback(void);
/* Drop the whole lock-order graph but its classes, at the start of an
 * execution (a dpor split run's first execution of a subtree). */
void sim_ld_forget(void);

/* happens-before */
void sim_ora_access(const volatile void *addr, size_t size, unsigned int flags, const char *name,
		    const char *site);
void sim_ora_atomic(const void *addr, bool acquire, bool release);
void sim_ora_obj_release(const void *obj); /* wake_up, complete */
void sim_ora_obj_acquire(const void *obj); /* woken, wait_for_completion */
void sim_ora_spawn(struct sim_thread *parent, struct sim_thread *child);
void sim_ora_join(const struct sim_thread *child);
void sim_ora_vc_release(struct sim_vc **vc); /* e.g. &sim_eng.ora.rcu */
void sim_ora_vc_join(struct sim_vc **vc);    /* the release's join alone */
void sim_ora_vc_acquire(const struct sim_vc *vc);

/* locks: any oracle */
void sim_ora_lock_pre(struct sim_lockstate *s, const char *name, const char *op, const char *site,
		      enum sim_lock_kind kind);
void sim_ora_lock_post(struct sim_lockstate *s, const char *name, const char *site,
		       enum sim_lock_kind kind, bool trylock);
void sim_ora_unlock(struct sim_lockstate *s, enum sim_lock_kind kind);
/* lock_map_acquire() (@acquire) / lock_map_release() of a lockdep map */
void sim_ora_lock_map(struct sim_lockstate *s, const char *name, const char *site, bool acquire);
/* might_sleep(): @op of @name at @site; @rcu: also refuse an RCU reader. */
void sim_ora_might_sleep(const char *op, const char *name, const char *site, bool rcu);

static inline bool sim_ora_locks_on(void)
{
	return sim_eng.ora_races | sim_eng.ora_held;
}

#endif /* SIM_CORE_ORACLE_H */
