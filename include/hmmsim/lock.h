/* SPDX-License-Identifier: MIT */
/*
 * hmmsim primitive API: spinlock, mutex and rw-semaphore.
 *
 * Each lock carries a class name ("mmap_lock", "ptl", "dmirror->mutex") used
 * in reports and, later, by the lock-order oracle.  Locks must be initialised
 * with their *_init() call before use and need no destroy call: execution
 * memory is dropped whole (glibc's pthread locks hold no resources).
 *
 * Every lock, unlock and trylock is a scheduling point.  A thread that cannot
 * take a lock blocks: it is not runnable until the lock is released.
 */
#ifndef HMMSIM_LOCK_H
#define HMMSIM_LOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* State the deterministic engine keeps in a lock; unused by the native backend
 * except owner, which both keep so that sim_*_assert_held() works in both. */
struct sim_lockstate {
	int owner;	   /* holding thread id, -1 when free (writer for rwsem) */
	int readers;	   /* rwsem: readers holding it */
	int write_waiters; /* rwsem: writers blocked, readers queue behind them */
	uint32_t id;	   /* per-execution object id */
	bool annotated;	   /* sim_*_annotated(): its sections may commute under dpor */
	bool commuting;	   /* held in a section that does (sim_lock_sections_commute()) */
	void *oracle;	   /* reserved for the happens-before / lockdep oracles */
};

typedef struct sim_spinlock {
	const char *name;
	struct sim_lockstate s;
	pthread_spinlock_t n;
} sim_spinlock_t;

typedef struct sim_mutex {
	const char *name;
	struct sim_lockstate s;
	pthread_mutex_t n;
} sim_mutex_t;

typedef struct sim_rwsem {
	const char *name;
	struct sim_lockstate s;
	pthread_rwlock_t n;
} sim_rwsem_t;

void sim_spin_init(sim_spinlock_t *l, const char *name);
void sim_spin_lock_at(sim_spinlock_t *l, const char *site);
void sim_spin_unlock_at(sim_spinlock_t *l, const char *site);
bool sim_spin_trylock_at(sim_spinlock_t *l, const char *site);
bool sim_spin_held(const sim_spinlock_t *l); /* by the calling thread */

void sim_mutex_init(sim_mutex_t *m, const char *name);
void sim_mutex_lock_at(sim_mutex_t *m, const char *site);
void sim_mutex_unlock_at(sim_mutex_t *m, const char *site);
bool sim_mutex_trylock_at(sim_mutex_t *m, const char *site);
bool sim_mutex_held(const sim_mutex_t *m);

void sim_rwsem_init(sim_rwsem_t *s, const char *name);
void sim_down_read_at(sim_rwsem_t *s, const char *site);
void sim_up_read_at(sim_rwsem_t *s, const char *site);
void sim_down_write_at(sim_rwsem_t *s, const char *site);
void sim_up_write_at(sim_rwsem_t *s, const char *site);
bool sim_down_read_trylock_at(sim_rwsem_t *s, const char *site);
bool sim_down_write_trylock_at(sim_rwsem_t *s, const char *site);
/* Held for write by the caller, or held for read by anyone (rwsem readers are
 * not tracked per thread, as in the kernel's lockdep_assert_held()). */
bool sim_rwsem_held(const sim_rwsem_t *s);
bool sim_rwsem_write_held(const sim_rwsem_t *s);

/*
 * Every access to the data this lock protects goes through a primitive (an
 * annotated access, an atomic, or sim_note_access() for plain C under the
 * lock).  Then the dpor strategy orders two of its critical sections only
 * when their contents conflict (docs/dpor.md, "Critical sections"); a lock
 * without the mark orders every pair of its sections.  Call it after the
 * lock's *_init().  The self-check (--por-check) tries the section orders
 * this calls equal and names an access that was missed.
 */
void sim_spin_annotated(sim_spinlock_t *l);
void sim_mutex_annotated(sim_mutex_t *m);

/*
 * lockdep's struct lockdep_map and lock_map_acquire() / lock_map_release():
 * a lock class nothing waits on, which the lock-order oracle sees as a lock
 * (the kernel's __mmu_notifier_invalidate_range_start_map: taken around the
 * invalidation callbacks, and for an instant where a thread may wait for
 * them, so that a lock held there and taken in a callback is a cycle).  No
 * scheduling point, no happens-before.  Define one with
 * SIM_LOCKDEP_MAP_INIT("name").
 */
typedef struct sim_lockdep_map {
	const char *name;
	struct sim_lockstate s;
} sim_lockdep_map_t;

#define SIM_LOCKDEP_MAP_INIT(nm)                                                                   \
	{                                                                                          \
		.name = (nm), .s = {.owner = -1 }                                                  \
	}

void sim_lock_map_acquire_at(sim_lockdep_map_t *m, const char *site);
void sim_lock_map_release_at(sim_lockdep_map_t *m, const char *site);
/* might_lock(): tell the lock-order oracle that @s may be taken for write
 * here (an edge from the held lock), without taking it. */
void sim_rwsem_might_lock_at(sim_rwsem_t *s, const char *site);
#define sim_rwsem_might_lock(s) sim_rwsem_might_lock_at((s), __func__)
#define sim_lock_map_acquire(m) sim_lock_map_acquire_at((m), __func__)
#define sim_lock_map_release(m) sim_lock_map_release_at((m), __func__)

#define sim_spin_lock(l)	  sim_spin_lock_at((l), __func__)
#define sim_spin_unlock(l)	  sim_spin_unlock_at((l), __func__)
#define sim_spin_trylock(l)	  sim_spin_trylock_at((l), __func__)
#define sim_mutex_lock(m)	  sim_mutex_lock_at((m), __func__)
#define sim_mutex_unlock(m)	  sim_mutex_unlock_at((m), __func__)
#define sim_mutex_trylock(m)	  sim_mutex_trylock_at((m), __func__)
#define sim_down_read(s)	  sim_down_read_at((s), __func__)
#define sim_up_read(s)		  sim_up_read_at((s), __func__)
#define sim_down_write(s)	  sim_down_write_at((s), __func__)
#define sim_up_write(s)		  sim_up_write_at((s), __func__)
#define sim_down_read_trylock(s)  sim_down_read_trylock_at((s), __func__)
#define sim_down_write_trylock(s) sim_down_write_trylock_at((s), __func__)

/*
 * lockdep_assert_held() for the model: the rule is in the code and checked in
 * every execution.  A failure is a violation of kind "lock-not-held".
 */
#define SIM_KIND_LOCK_NOT_HELD "lock-not-held"
#define sim_assert_held(lock)                                                                       \
	do {                                                                                        \
		if (!_Generic((lock), sim_spinlock_t *: sim_spin_held,                            \
			      const sim_spinlock_t *: sim_spin_held,                               \
			      sim_mutex_t *: sim_mutex_held,                                       \
			      const sim_mutex_t *: sim_mutex_held,                                 \
			      sim_rwsem_t *: sim_rwsem_held,                                       \
			      const sim_rwsem_t *: sim_rwsem_held)(lock)) \
			sim_fail(SIM_KIND_LOCK_NOT_HELD, "%s: %s not held", __func__, #lock);       \
	} while (0)

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_LOCK_H */
