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
#define SIM_KIND_LOCK	     "lock"	   /* unlock of a lock the caller does not hold */
#define SIM_KIND_RCU	     "rcu" /* unbalanced rcu_read_unlock, synchronize_rcu in a reader */

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
 * @...: printf format of the message, then its arguments
 *
 * Deterministic engine: does not return; the execution ends and the report
 * is built by replaying its schedule.  Native backend: records the first
 * violation and ends the calling thread.  A macro: the report's VIOLATION
 * row carries the source location of the check that failed (`--sites`,
 * --trace-out), as sim_event()'s do.
 */
#define sim_fail(kind, ...) sim_fail_at(__FILE__, __LINE__, (kind), __VA_ARGS__)
/* sim_fail() at @file:@line (the function sim_fail() is the same at no site). */
__attribute__((noreturn, format(printf, 4, 5))) void
sim_fail_at(const char *file, int line, const char *kind, const char *fmt, ...);
__attribute__((noreturn, format(printf, 2, 3))) void(sim_fail)(const char *kind, const char *fmt,
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
 * @...: printf format ("hmm_range_fault: pfn %#lx valid|write"), then its arguments
 *
 * Not a scheduling point; free when not tracing.  A macro: the event carries
 * its source location (__FILE__, __LINE__; hmmsim's own build makes __FILE__
 * relative to the source root), shown by `--sites` and in --trace-out.
 */
#define sim_event(...) sim_event_at(__FILE__, __LINE__, __VA_ARGS__)
/* sim_event() at @file:@line (the function sim_event() is the same at no site). */
__attribute__((format(printf, 3, 4))) void sim_event_at(const char *file, int line, const char *fmt,
							...);
__attribute__((format(printf, 1, 2))) void(sim_event)(const char *fmt, ...);

/* sim_violation_fact(): lines an execution keeps, and their size */
#define SIM_MAX_FACTS 16
#define SIM_FACT_LEN  240
/**
 * sim_violation_fact() - one fact behind the violation about to be reported.
 * @fmt: printf format of one line, "topic: detail" by convention
 *	 ("property: ...", "accessor: ...", "freed: ..."), then its arguments
 *
 * An oracle calls it just before sim_fail(): the lines go with that
 * violation (struct sim_violation.facts, the text report under the
 * VIOLATION line, the "facts" array of --json).  At most SIM_MAX_FACTS lines
 * of SIM_FACT_LEN bytes an execution; recorded only while the engine builds
 * a report (sim_tracing()), so an oracle may guard the work that finds them
 * with `if (sim_tracing())`.  Not a scheduling point; the native backend
 * ignores them.
 */
__attribute__((format(printf, 1, 2))) void sim_violation_fact(const char *fmt, ...);

/**
 * sim_note() - note what happened to @obj, for a later report's facts.
 * @obj: the object (a page, a notifier, a pagemap, a mirror entry)
 * @topic: what happened, one word ("freed", "made")
 * @what: how a report names @obj ("pfn 0x40")
 *
 * While the engine builds a report it remembers, for the latest notes, the
 * step, the thread, the thread's last model event and the source location
 * (the caller's function, __FILE__, __LINE__); sim_violation_fact_noted()
 * turns @obj's latest note of @topic into a fact.  Free when not tracing.
 * sim_note_free(): the note of a free, for use-after-free reports.
 */
#define sim_note(obj, topic, what) sim_note_at((obj), (topic), (what), __FILE__, __LINE__, __func__)
#define sim_note_free(obj, what)   sim_note((obj), "freed", (what))
void sim_note_at(const void *obj, const char *topic, const char *what, const char *file, int line,
		 const char *func);
/**
 * sim_violation_fact_noted() - the fact "@topic: @what at step N by T1 ..."
 * of @obj's latest sim_note() of @topic.
 * @obj: the object sim_note() was given
 * @topic: the topic it was given ("freed")
 * @what: how the fact names @obj when no such note was kept
 */
void sim_violation_fact_noted(const void *obj, const char *topic, const char *what);
#define sim_violation_fact_freed(obj, what) sim_violation_fact_noted((obj), "freed", (what))

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_THREAD_H */
