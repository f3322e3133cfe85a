/* SPDX-License-Identifier: MIT */
/*
 * What a run exercised: how many executions reached each model event of
 * interest, found each lock class held (contention), and interleaved each
 * thread with another; how many distinct schedules it ran and how many
 * choice points they had.  sim_explore() fills sim_result.coverage; hmmsim
 * prints it under a clean run's summary, in --json as "coverage", and the
 * HTML report reads this struct (docs/engine.md, "Coverage").
 *
 * Counting is not part of the model's state: sim_cover() is no scheduling
 * point, no access the race detector or dpor sees, and changes no execution.
 */
#ifndef HMMSIM_COVERAGE_H
#define HMMSIM_COVERAGE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_COV_MAX_EVENTS  32
#define SIM_COV_MAX_LOCKS   32 /* lock classes; later ones are not counted */
#define SIM_COV_MAX_THREADS 64

/* One model event of interest: a short name ("p2p-pfn") and what it means. */
struct sim_cov_event_desc {
	const char *name;
	const char *what;
};

/**
 * sim_cover_declare() - the model's events, counted by index with sim_cover().
 * @events:	the table, static: kept by pointer
 * @n:		its length, at most SIM_COV_MAX_EVENTS
 *
 * Called by the model when it sets up an execution (a no-op when @events is
 * already the declared table); a run lists every declared event, reached or not.
 */
void sim_cover_declare(const struct sim_cov_event_desc *events, unsigned int n);

/**
 * sim_cover() - event @event of the declared table happened in this execution.
 * @event: its index
 *
 * Not a scheduling point and not model state; a no-op on the native backend
 * and outside an execution.
 */
void sim_cover(unsigned int event);

/* How many executions reached something, and how often in all. */
struct sim_cov_count {
	char name[48];
	const char *what;    /* events: the declared description; locks, threads: NULL */
	uint64_t executions; /* executions in which it happened at least once */
	uint64_t hits;	     /* times in all executions */
};

/*
 * A run's coverage (sim_result.coverage).  Only completed executions count
 * (not dpor's sleep-set blocked ones); @collected is false for a run that did
 * not gather it (replay, minimize, a --jobs run with a violation; a clean
 * --jobs run's is its workers' added up: cli_cov_add()).
 *
 * @executions:		executions counted
 * @distinct_schedules:	distinct schedules (choice sequences) among them;
 *			a lower bound when @distinct_capped (over 4M)
 * @choice_points:	choice points (two or more threads could run), summed
 * @max_choice_points:	of the longest execution
 * @preemptions:	switches away from a thread that could go on, summed
 * @events:		the model's declared events (@nevents of them)
 * @locks:		lock classes (by name, as lockdep) found held by
 *			another thread: a lock that blocked, or a trylock that failed
 * @threads:		threads by name; executions: that ran it; hits:
 *			executions in which it interleaved with another thread
 *			(was preempted by one, or ran while one it had
 *			preempted waited to go on).  A thread with hits 0 never
 *			interleaved: the run tested nothing concurrent in it
 */
struct sim_coverage {
	bool collected;
	bool distinct_capped;
	uint64_t executions;
	uint64_t distinct_schedules;
	uint64_t choice_points, max_choice_points;
	uint64_t preemptions;
	unsigned int nevents, nlocks, nthreads;
	struct sim_cov_count events[SIM_COV_MAX_EVENTS];
	struct sim_cov_count locks[SIM_COV_MAX_LOCKS];
	struct sim_cov_count threads[SIM_COV_MAX_THREADS];
};

/**
 * sim_cov_never_interleaved() - whether thread @i of @c deserves the warning.
 * @c:	a run's coverage
 * @i:	index into @c->threads
 *
 * Return: true for a spawned thread (not "main", which sets the scenario up
 * and checks it) that ran and interleaved with no other thread in any execution.
 */
static inline bool sim_cov_never_interleaved(const struct sim_coverage *c, unsigned int i)
{
	const struct sim_cov_count *t = &c->threads[i];
	return t->executions && !t->hits &&
	       !(t->name[0] == 'm' && !__builtin_strcmp(t->name, "main"));
}

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_COVERAGE_H */
