/* SPDX-License-Identifier: MIT */
/*
 * hmmsim exploration: run a scenario many times under a strategy, collect the
 * violations with a replay token each.  Deterministic engine only.
 */
#ifndef HMMSIM_EXPLORE_H
#define HMMSIM_EXPLORE_H

#include <hmmsim/coverage.h>
#include <hmmsim/scenario.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sim_strategy {
	SIM_STRATEGY_RANDOM,
	SIM_STRATEGY_PCT,
	SIM_STRATEGY_DFS,
	SIM_STRATEGY_REPLAY,
	SIM_STRATEGY_DPOR, /* dynamic partial-order reduction (docs/dpor.md) */
};

const char *sim_strategy_name(enum sim_strategy s);
/* Return: 0 and *out set, or -EINVAL for an unknown name. */
int sim_strategy_parse(const char *name, enum sim_strategy *out);

/* What sim_options.progress is told after each execution of an exploration. */
struct sim_progress {
	uint64_t execution;	   /* index (within the run) of the execution just run */
	uint64_t executions;	   /* executions run so far, that one included */
	uint64_t violations_found; /* so far */
	double estimated_total;	   /* dpor: its estimate of all executions, else 0 */
	double knuth_mean;	   /* dpor_knuth: the old estimate, Knuth's averaged */
	uint64_t final_hash;	   /* with sim_options.final_hashes: the execution's memory */
	/* its schedule's hash (the choices it made; equal hashes: the same
	 * schedule, as its replay token); 0 for dpor's sleep-set blocked ones */
	uint64_t schedule_hash;
};
#define SIM_NO_ITEM UINT64_MAX /* sim_split_item.item: not a split run */

/*
 * A subtree of a split dpor run without keep_going, and the run's figures
 * at the end of its last execution (sim_result.items): the numbers to add
 * up when a violation in another shard's subtree k says how far one
 * process would have gone (the last subtree of each shard up to k: "A bug,
 * the same for every J and N" in docs/dpor.md).
 */
struct sim_split_item {
	uint64_t item;
	uint64_t executions, sleep_blocked, races, unfair_cut, max_depth;
};

/*
 * The subtrees of a split dpor run handed out as the workers of hmmsim
 * explore --jobs reach them (sim_options.dpor_claims; docs/dpor.md,
 * "Splitting the tree"): a mapping the workers share.  Subtree k below
 * SIM_SPLIT_CLAIMS goes to the first worker that reaches it (claimed[k]),
 * unless a violation was found in a subtree below k (lowest_violation):
 * no worker explores past the lowest one found, as one process stops there.
 * Subtrees from SIM_SPLIT_CLAIMS on go in turn, as for shards.  workers is
 * J; worker w runs as shard K + N*w of N*J, for the run's --shard K/N.
 */
#define SIM_SPLIT_CLAIMS (1u << 20)
struct sim_split_claims {
	uint64_t lowest_violation; /* UINT64_MAX: none yet */
	uint64_t workers;
	uint8_t claimed[SIM_SPLIT_CLAIMS];
};

struct sim_options {
	enum sim_strategy strategy;
	uint64_t seed;
	/* Executions to run; DFS stops earlier when the tree is exhausted. */
	uint64_t iterations;
	unsigned int pct_depth;	      /* PCT bug depth d (d-1 change points); 0 = 3 */
	unsigned int dfs_preemptions; /* DFS preemption bound; dpor's when dpor_bounded */
	bool dpor_bounded;	      /* dpor: bound the preemptions (default: none) */
	/* dpor_bounded explored as a probe round is: cheaper, but it does not
	 * reach every schedule within the bound (tests and bench/ compare) */
	bool dpor_probe_bound;
	/* dfs: one tree of all schedules with at most dfs_preemptions, as before
	 * the iterative dfs (the same schedules in another order; tests).  By
	 * default dfs runs bound 0, then 1, ... up to dfs_preemptions, each
	 * schedule once (docs/engine.md). */
	bool dfs_single_bound;
	/* dpor: iterative bounding (--deepen): covering bounds 0, 1, 2, ... (up
	 * to dfs_preemptions when dpor_bounded), each tree to its end before the
	 * next, as CHESS's iterative context bounding; stops at the first
	 * violation, when the budget ends, or at a round that left nothing out
	 * for its bound (that tree held every execution).  sim_result's
	 * bound_completed says how far it got (docs/dpor.md, "Iterative
	 * bounding").  One process: not with a split, keep_going or
	 * race_profile; no probe rounds. */
	bool dpor_deepen;
	/* dpor: split the tree (--jobs, --shard): every awake thread is explored
	 * at the first dpor_split_depth choice nodes, and the subtrees below them
	 * are numbered in the order first reached; with shard_count > 1 this run
	 * explores those with number % shard_count == shard_index (or, with
	 * dpor_claims, those it reaches first).  The shards'
	 * executions add up to the unsplit run's (docs/dpor.md).  0: no split. */
	unsigned int dpor_split_depth;
	/* dpor without a bound first runs probe rounds: dpor bounded to 0, 1,
	 * then 2 preemptions, each within dpor_probe_budget executions (0:
	 * SIM_DPOR_PROBE_BUDGET), and stops at a violation one finds; then the
	 * unbounded exploration, whose executions alone are sim_result.executions.
	 * The depth-first order reaches races near the root last; a probe round
	 * reaches them early (docs/dpor.md, "Probe rounds").  Not with
	 * dpor_no_probes, por_check or keep_going.  A shard other than 0 runs them
 * too and stops at what they find, but leaves the report to shard 0. */
	uint64_t dpor_probe_budget;
	bool dpor_no_probes;
	/* dpor's soundness self-check: after each execution, run two other
	 * linearizations of its partial order and compare a hash of the final
	 * execution memory; a difference is a "por-check" violation naming the
	 * two events whose dependence dpor missed.  Turns the oracles off (their
	 * bookkeeping lives in execution memory). */
	bool por_check;
	/* Hash each execution's final memory into sim_progress.final_hash (tests:
	 * dpor and dfs reach the same final states; run with the oracles off). */
	bool final_hashes;
	unsigned long step_bound;     /* 0 = scenario's, else engine default */
	const char *schedule;	      /* SIM_STRATEGY_REPLAY: the token */
	bool keep_going;	      /* count every violation, not stop at the first */
	/* no critical section commutes with another of its lock, marked or not
	 * (docs/dpor.md, "Critical sections"): for a model whose marked
	 * sections wait, which dpor otherwise refuses */
	bool order_sections;
	unsigned int max_reports;     /* violations to keep with a full report; 0 = 1 */
	bool brief;		      /* reports leave out atomics and annotated accesses */
	bool sites;		      /* reports give each model event's source location */
	unsigned int width;	      /* reports fit this many columns; 0: no limit */
	/* dpor: count the executions each pair of racing operations began
	 * (sim_result.race_profile; docs/dpor.md) */
	bool race_profile;
	/* dpor: also the old estimate, sim_progress.knuth_mean (bench/dpor);
	 * 0 without it */
	bool dpor_knuth;
	/* Oracles, all on by default (the native backend has none of them): */
	bool no_races;	     /* happens-before data-race detector ("data-race") */
	bool no_lockdep;     /* lock-order graph across executions ("lock-order") */
	bool no_might_sleep; /* sleeping in atomic context ("might-sleep") */
	/* random and pct: run only the executions i with i % shard_count ==
	 * shard_index; indices (and seeds) stay those of the whole run.
	 * dpor: its subtrees (dpor_split_depth).  shard_count 0 or 1: no
	 * sharding. */
	uint64_t shard_index, shard_count;
	/* dpor with a split, a --jobs worker: subtrees handed out as reached
	 * (struct sim_split_claims) instead of by number % shard_count; the
	 * shards' figures still add up to one process's.  NULL: in turn. */
	struct sim_split_claims *dpor_claims;
	/* Called after each execution of random, pct and dfs (not of replay or
	 * minimization), with @progress_arg; returning false ends the run there,
	 * as if the iterations were used up.  NULL: not called.  The engine
	 * prints nothing: a command-line progress line is the caller's. */
	bool (*progress)(void *arg, const struct sim_progress *p);
	void *progress_arg;
	/* A run without a violation: replay one execution with the trace on
	 * into sim_result.clean_trace_json, the last one or, with
	 * trace_execution_set, execution trace_execution (hmmsim --trace-out). */
	bool clean_trace;
	bool trace_execution_set;
	uint64_t trace_execution;
};

/* Engine defaults. */
#define SIM_DEFAULT_STEP_BOUND 20000ul
/* The longest replay token the catalog and the owner lab keep with a result
 * (with its NUL): a livelock at the default step bound takes about 1,400
 * characters; a longer one is kept as "" and reported as too long. */
#define SIM_TOKEN_KEEP	       8192
#define SIM_DEFAULT_PCT_DEPTH  3u
#define SIM_DPOR_PROBE_BUDGET  1000u /* executions per probe round */
#define SIM_DPOR_PROBE_ROUNDS  3u    /* preemption bounds 0, 1, 2 */

struct sim_violation {
	char kind[32];
	char *message;
	uint64_t execution;   /* index within the run */
	uint64_t steps;	      /* scheduling points the execution took */
	char *schedule;	      /* replay token */
	char *report;	      /* the interleaving, one column per thread */
	char *trace_json;     /* the same as Chrome trace-event JSON (Perfetto) */
	uint64_t preemptions; /* switches away from a thread that could go on */
	/* sim_minimize(): the schedule it started from */
	char *original_schedule;
	uint64_t original_steps, original_preemptions;
	size_t original_choices, choices; /* non-default choices in the tokens */
	/* The facts behind the violation (sim_violation_fact()): lines of text,
	 * "topic: detail" (the first usually "property: ..." naming what was
	 * violated), in the order the oracle gave them; nfacts may be 0. */
	char **facts;
	unsigned int nfacts;
};

/* One pair of racing operations of dpor's race profile, each "model_function:
 * operation object (thread)", and the executions that began with an
 * alternative their races added. */
struct sim_race_pair {
	char *a, *b;
	uint64_t executions;
};

struct sim_result {
	uint64_t executions;
	double elapsed_s;
	uint64_t violations_found; /* total, may exceed nr_reports */
	unsigned int nr_reports;
	struct sim_violation *reports;
	bool exhausted; /* DFS: every schedule within the bound was run; dpor: every
			 * equivalence class (within the bound, if any); false when an
			 * execution was cut as unfair (unfair_cut) */
	/* executions that reached the step bound only by starving a runnable
	 * thread (it had not run for at least half of the bound): cut there,
	 * not reported as a livelock (docs/engine.md, "Fairness"); the first
	 * one's index and what starved */
	uint64_t unfair_cut;
	uint64_t unfair_execution;
	char unfair_msg[160];
	/* dfs and dpor_deepen: the preemption bound whose round the first one
	 * was cut in; no bound from there on is covered (bound_completed stays
	 * below it) */
	unsigned int unfair_round;
	/* dpor only */
	uint64_t sleep_blocked;	 /* executions cut short, every runnable thread asleep */
	uint64_t races;		 /* reversible races it found */
	uint64_t max_depth;	 /* events of the longest execution */
	size_t dpor_bytes;	 /* its exploration stack at its largest */
	double estimated_total;	 /* its estimate of the executions of the tree */
	uint64_t probe_executions; /* executions of the probe rounds (not in executions) */
	bool probe_found;	   /* a probe round found a violation (shard 0 reports it), */
	unsigned int probe_bound;  /* the one of this preemption bound */
	/* dfs and dpor_deepen: the highest preemption bound whose schedules
	 * were all run (-1: none; dfs with no violation and exhausted,
	 * dfs_preemptions), and the bound whose round was running when the run
	 * ended */
	int bound_completed;
	unsigned int bound_in_progress;
	/* dpor (bounded, or dpor_deepen's last round): the bound left nothing
	 * out, so the tree was the unbounded one (exhausted then means every
	 * execution) */
	bool whole_tree;
	struct sim_coverage coverage; /* what the run exercised (hmmsim/coverage.h) */
	/* sim_options.clean_trace: the execution traced (Chrome trace-event JSON),
	 * its index and replay token; NULL when the run found a violation or the
	 * execution asked for was not run */
	char *clean_trace_json, *clean_schedule;
	uint64_t clean_execution;
	uint64_t subtrees;	 /* split: subtrees numbered (all shards', this one's own among them) */
	/* split without keep_going: this shard's subtrees, in order (malloc'd) */
	struct sim_split_item *items;
	size_t nr_items;
	/* sim_options.race_profile: its pairs, most executions first, and the
	 * executions no race began (the first, a covering bound's and the
	 * split's context switches, a cut execution's); they add up to
	 * executions */
	bool race_profiled;
	unsigned int nr_race_pairs;
	struct sim_race_pair *race_pairs;
	uint64_t race_other;
	char error[256];
};

/**
 * sim_explore() - run @sc under @opt.
 * @sc:		the scenario
 * @opt:	strategy, seed, budget, oracles, token to replay
 * @res:	filled with the outcome; free with sim_result_free()
 *
 * Return: 0 on a completed run (violations are in @res), or a negative errno
 * with @res->error set: -EINVAL for a bad option or a token that does not
 * belong to @sc, -EIO when the engine detected nondeterminism.
 */
int sim_explore(const struct sim_scenario *sc, const struct sim_options *opt,
		struct sim_result *res);
void sim_result_free(struct sim_result *res);
/* Sort a race profile: most executions first, then by text. */
void sim_race_pairs_sort(struct sim_race_pair *p, unsigned int n);

/**
 * sim_minimize() - shrink the failing schedule @tok of @sc.
 * @sc:		the scenario @tok belongs to
 * @opt:	oracles, step bound and brief (strategy and schedule ignored)
 * @tok:	the replay token of a failing execution
 * @res:	filled with the minimized report; free with sim_result_free()
 *
 * Fewest preemptions, then fewest steps, keeping the violation kind.  Greedy delta
 * debugging over the token's choices, each candidate replayed leniently (the
 * execution may diverge from the token); the result is re-recorded and
 * replayed strictly, so its token is exact.  @opt gives the oracles, the step
 * bound and brief; its strategy and schedule are ignored.
 * Return: 0 and one report in @res (schedule: the minimized token, never with
 * more choices than @tok; original_*: @tok's), or a negative errno with
 * @res->error set: -EINVAL for a token of another scenario, -EIO when @tok
 * does not fail.
 */
int sim_minimize(const struct sim_scenario *sc, const struct sim_options *opt, const char *tok,
		 struct sim_result *res);

/**
 * sim_trace_keep_all() - keep every event of a reported execution for its
 * trace_json (the report text stays bounded: its first and last events and
 * each thread's last ones).  Off by default: a report's memory is bounded.
 * @on: keep every event.
 */
void sim_trace_keep_all(bool on);

/**
 * sim_set_oom_handler() - call @fn when the engine runs out of memory, with
 * what it was allocating, instead of aborting; @fn must not return (hmmsim
 * prints the message and exits 2).
 * @fn: the handler, or NULL for the default (abort).
 */
void sim_set_oom_handler(void (*fn)(const char *what));

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_EXPLORE_H */
