/* SPDX-License-Identifier: MIT */
/*
 * hmmsim primitive API: wait queues (wait_event / wake_up) and completions.
 *
 * A thread sleeping in sim_wait_event() is not runnable until a wake-up on
 * its queue; it then re-evaluates its condition, as in the kernel.  Waking
 * up is a scheduling point.  A condition nobody will ever make true shows up
 * as a deadlock report ("nothing runnable"), never as a hang.
 */
#ifndef HMMSIM_WAIT_H
#define HMMSIM_WAIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim_waitqueue {
	const char *name;
	uint64_t gen; /* bumped by every wake-up */
	uint32_t id;
	pthread_mutex_t n_lock;
	pthread_cond_t n_cond;
} sim_waitqueue_t;

void sim_waitqueue_init(sim_waitqueue_t *wq, const char *name);
/* wake_up_all(): every sleeper re-checks its condition. */
void sim_wake_up_all_at(sim_waitqueue_t *wq, const char *site);
#define sim_wake_up_all(wq) sim_wake_up_all_at((wq), __func__)

/*
 * The halves of sim_wait_event().  Used alone by a waiter that returns after
 * one wake-up whatever its condition says then (the kernel's page-lock
 * waiters, wake_page_function()'s WQ_FLAG_WOKEN): sim_wait_prepare() where
 * the kernel queues the waiter, the check, then sim_wait_sleep_at(), which
 * returns at once if a wake-up came since the prepare and otherwise sleeps
 * until the next one.
 */
uint64_t sim_wait_prepare(sim_waitqueue_t *wq);
void sim_wait_sleep_at(sim_waitqueue_t *wq, uint64_t gen, const char *site);

/**
 * sim_wait_event() - sleep on @wq until @cond is true (wait_event()).
 * @wq:		the wait queue a waker calls sim_wake_up_all() on
 * @cond:	evaluated by the sleeping thread; it may use annotated accesses
 */
#define sim_wait_event(wq, cond)                                                                   \
	do {                                                                                       \
		for (;;) {                                                                         \
			uint64_t sim__g = sim_wait_prepare(wq);                                    \
			if (cond)                                                                  \
				break;                                                             \
			sim_wait_sleep_at((wq), sim__g, __func__);                                 \
		}                                                                                  \
	} while (0)

typedef struct sim_completion {
	unsigned int done;
	sim_waitqueue_t wait;
} sim_completion_t;

void sim_init_completion(sim_completion_t *c, const char *name);
void sim_complete_at(sim_completion_t *c, const char *site);
void sim_complete_all_at(sim_completion_t *c, const char *site);
void sim_wait_for_completion_at(sim_completion_t *c, const char *site);
bool sim_completion_done_at(sim_completion_t *c, const char *site);

#define sim_complete(c)		   sim_complete_at((c), __func__)
#define sim_complete_all(c)	   sim_complete_all_at((c), __func__)
#define sim_wait_for_completion(c) sim_wait_for_completion_at((c), __func__)
#define sim_completion_done(c)	   sim_completion_done_at((c), __func__)

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_WAIT_H */
