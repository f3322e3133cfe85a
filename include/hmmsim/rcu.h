/* SPDX-License-Identifier: MIT */
/*
 * hmmsim primitive API: RCU.
 *
 * Deterministic engine: a grace period waits for every thread that was inside
 * a read-side section when synchronize_rcu() began to leave it; call_rcu()
 * callbacks run in an "rcu_gp" simulated thread after such a grace period, so
 * they interleave with everything else.  Native backend: liburcu's
 * bulletproof flavour (urcu-bp), which needs no thread registration.
 */
#ifndef HMMSIM_RCU_H
#define HMMSIM_RCU_H

#include <hmmsim/atomic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sim_rcu_head {
	struct sim_rcu_head *next;
	void (*func)(struct sim_rcu_head *head);
};

void sim_rcu_read_lock_at(const char *site);
void sim_rcu_read_unlock_at(const char *site);
/* Blocks until every read-side section that began before it has ended. */
void sim_synchronize_rcu_at(const char *site);
/* Queue @func(@head) to run after a grace period. */
void sim_call_rcu_at(struct sim_rcu_head *head, void (*func)(struct sim_rcu_head *head),
		     const char *site);
/* Wait until every callback queued so far has run (rcu_barrier()). */
void sim_rcu_barrier_at(const char *site);
/* Whether the caller is inside a read-side section. */
bool sim_rcu_read_lock_held(void);

#define sim_rcu_read_lock()	 sim_rcu_read_lock_at(__func__)
#define sim_rcu_read_unlock()	 sim_rcu_read_unlock_at(__func__)
#define sim_synchronize_rcu()	 sim_synchronize_rcu_at(__func__)
#define sim_call_rcu(head, func) sim_call_rcu_at((head), (func), __func__)
#define sim_rcu_barrier()	 sim_rcu_barrier_at(__func__)

/* rcu_dereference() and rcu_assign_pointer(): marked acquire/release accesses. */
#define sim_rcu_dereference(p)	     SIM_LOAD_ACQUIRE(p)
#define sim_rcu_assign_pointer(p, v) SIM_STORE_RELEASE(p, v)

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_RCU_H */
