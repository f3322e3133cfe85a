/* SPDX-License-Identifier: MIT */
/*
 * hmmsim primitive API: simulated threads, scheduling, memory and violations.
 *
 * Everything a simulated thread does that another thread can observe goes
 * through the primitive API (this header and its siblings lock.h, atomic.h,
 * rcu.h, wait.h).  The same API has two backends chosen at link time:
 *
 *  - libhmmsim_core (sim/core): deterministic engine.  Threads are fibers on
 *    one OS thread and every primitive is a scheduling point at which a
 *    strategy picks the next thread to run.
 *  - libhmmsim_native (sim/native): real pthreads, C11 atomics and liburcu,
 *    optionally with random jitter at primitives (stress mode).
 *
 * Functions taking a "site" are called through macros that pass __func__, so
 * that reports name the model function (and so the kernel function) that
 * performed the operation.
 */
#ifndef HMMSIM_THREAD_H
#define HMMSIM_THREAD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of simulated threads one execution may spawn. */
#define SIM_MAX_THREADS 64

/* Violation kinds the engine itself reports.  Oracles add their own strings. */
#define SIM_KIND_ASSERT	  "assertion"
#define SIM_KIND_DEADLOCK "deadlock"
#define SIM_KIND_LIVELOCK "livelock"
#define SIM_KIND_ENGINE	  "engine"
#define SIM_KIND_POR_CHECK "por-check" /* dpor's self-check: a missed dependence */
/* The oracles' kinds (each can be switched off per run, see explore.h). */
#define SIM_KIND_DATA_RACE   "data-race"   /* happens-before race, KCSAN's rule */
#define SIM_KIND_LOCK_ORDER  "lock-order"  /* a cycle in the lock-order graph */
#define SIM_KIND_MIGHT_SLEEP "might-sleep" /* sleeping in atomic context */

typedef void (*sim_thread_fn)(void *arg);

int sim_thread_spawn_at(const char *name, sim_thread_fn fn, void *arg, const char *site);
/**
 * sim_thread_spawn() - start a simulated thread.
 * @name: label used in reports (string literal or otherwise stable storage)
 * @fn: entry point
 * @arg: its argument
 *
 * A scheduling point: the new thread may run before the caller continues.
 * sim_thread_spawn_at() is the same with the caller's name for the report
 * (@site); the macro passes __func__.
 * Return: the thread's id (>= 0), used with sim_thread_join().  Spawning more
 * than SIM_MAX_THREADS threads in one execution is reported as a violation.
 */
#define sim_thread_spawn(name, fn, arg) sim_thread_spawn_at((name), (fn), (arg), __func__)

void sim_thread_join_at(int tid, const char *site);
/**
 * sim_thread_join() - wait for a thread to return from its entry point.
 * @tid: the id sim_thread_spawn() returned
 */
#define sim_thread_join(tid) sim_thread_join_at((tid), __func__)

void sim_yield_at(const char *site);
/**
 * sim_yield() - explicit scheduling point for a thread that is waiting by
 * polling (cpu_relax() in a retry loop).
 *
 * The engine treats it as "let someone else run": at this point the caller
 * is not chosen if any other thread can run, so a correct polling loop
 * always lets its partner make progress.
 */
#define sim_yield() sim_yield_at(__func__)

/**
 * sim_self() - the id of the calling simulated thread.
 *
 * Return: the id; 0 is the scenario's main().
 */
int sim_self(void);

/**
 * sim_alloc() - zeroed memory that lives until the current execution ends.
 * @size: bytes
 *
 * Deterministic engine: carved from a per-execution region that is reset in
 * O(1) when the execution ends; never freed object by object.  Native
 * backend: released when the stress iteration ends.  Zeroed always, so no
 * execution can observe what an earlier one left behind.
 * Return: the memory, never NULL (running out of memory ends the run).
 */
void *sim_alloc(size_t size);

/**
 * sim_fail() - report a violation and stop the current execution.
 * @kind: short class of the violation ("assertion", "coherence", ...)
 * @fmt: printf format of the message, then its arguments
 *
 * Deterministic engine: does not return; the execution ends and the report
 * is built by replaying its schedule.  Native backend: records the first
 * violation and ends the calling thread.
 */
__attribute__((noreturn, format(printf, 2, 3))) void sim_fail(const char *kind, const char *fmt,
							      ...);

/**
 * sim_check() - sim_fail(SIM_KIND_ASSERT, ...) unless @cond holds.
 * @cond: what must hold
 * @...: printf format of the message and its arguments
 */
#define sim_check(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			sim_fail(SIM_KIND_ASSERT, __VA_ARGS__);                                    \
	} while (0)

/**
 * sim_tracing() - whether sim_event() records anything now.
 *
 * Return: true while the report's replay records events; format them
 * lazily: `if (sim_tracing()) sim_event(...)`.
 */
bool sim_tracing(void);

/**
 * sim_event() - a model-level event for the report.
 * @fmt: printf format ("hmm_range_fault: pfn %#lx valid|write"), then its arguments
 *
 * Not a scheduling point; free when not tracing.
 */
__attribute__((format(printf, 1, 2))) void sim_event(const char *fmt, ...);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_THREAD_H */
