/* SPDX-License-Identifier: MIT */
/*
 * The deterministic engine's internal state: simulated threads, the runnable
 * set, the strategy's hooks, the recorded schedule and the trace.
 *
 * One execution runs all its threads as fibers on the calling OS thread.
 * Every primitive calls sim_sched_point() before it acts: there the strategy
 * picks which runnable thread performs the next operation.
 */
#ifndef SIM_CORE_ENGINE_H
#define SIM_CORE_ENGINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <hmmsim/explore.h>
#include <hmmsim/lock.h>
#include <hmmsim/rcu.h>
#include <hmmsim/thread.h>

#include "arena.h"
#include "fiber.h"
#include "rng.h"

enum sim_tstate {
	SIM_T_RUNNABLE,
	SIM_T_BLOCKED,
	SIM_T_DONE,
};

/* Lock kinds the oracles tell apart (held-lock stack, might-sleep). */
enum sim_lock_kind {
	SIM_LK_SPIN,
	SIM_LK_MUTEX,
	SIM_LK_READ,  /* rwsem held for read */
	SIM_LK_WRITE, /* rwsem held for write */
	SIM_LK_MAP,   /* a lockdep map (sim_lock_map_acquire()): order only */
};

/* One entry of a thread's held-lock stack (lockdep's held_lock). */
struct sim_held {
	const struct sim_lockstate *lock;
	const char *name;
	const char *site; /* where it was taken */
	uint32_t cls;	  /* lock-order class, 0 when lockdep is off */
	uint8_t kind;	  /* enum sim_lock_kind */
	bool trylock;
};

/* Lockdep's MAX_LOCK_DEPTH. */
#define SIM_MAX_HELD 48

/* What a blocked thread waits for, for the deadlock report. */
enum sim_wait_kind {
	SIM_WAIT_LOCK,	/* wait_obj is a struct sim_lockstate */
	SIM_WAIT_JOIN,	/* wait_obj is a struct sim_thread */
	SIM_WAIT_QUEUE, /* wait_obj is a sim_waitqueue_t */
	SIM_WAIT_RCU,	/* grace period or rcu_barrier */
	SIM_WAIT_POLL,	/* dpor: a polling loop that saw nothing change (dpor.c) */
};

/*
 * The operation a thread announces at its scheduling point, before it yields
 * (dpor.c): the object it acts on (its address, stable within an execution and
 * across executions that share the prefix) and what it does there.  Only the
 * dependence relation reads it: two operations of different threads on the same
 * object are dependent unless both are read-like or both the same update
 * (wake-ups, blind additions, blind bit sets: docs/dpor.md).
 */
enum sim_op_kind {
	SIM_OP_NONE, /* a thread's start, a yield's continuation: touches nothing */
	SIM_OP_READ, /* annotated or atomic load */
	SIM_OP_WRITE,
	SIM_OP_RMW,
	/* a relaxed atomic add, a relaxed bit set, whose result is not used */
	SIM_OP_ADD,
	SIM_OP_OR,
	SIM_OP_SPIN_LOCK,
	SIM_OP_SPIN_TRYLOCK,
	SIM_OP_SPIN_UNLOCK,
	SIM_OP_MUTEX_LOCK,
	SIM_OP_MUTEX_TRYLOCK,
	SIM_OP_MUTEX_UNLOCK,
	SIM_OP_DOWN_READ, /* rwsem read side: read-like on the rwsem */
	SIM_OP_DOWN_READ_TRYLOCK,
	SIM_OP_UP_READ,
	SIM_OP_DOWN_WRITE, /* rwsem write side */
	SIM_OP_DOWN_WRITE_TRYLOCK,
	SIM_OP_UP_WRITE,
	SIM_OP_WAIT_PREPARE, /* prepare_to_wait: reads the generation (a touch) */
	SIM_OP_WAIT,	     /* wait_event: reads the queue's generation */
	SIM_OP_WAIT_DONE,    /* wait_for_completion: consumes a completion */
	SIM_OP_DONE_CHECK,   /* completion_done: reads it */
	SIM_OP_WAKE,	     /* wake_up_all, complete, complete_all */
	SIM_OP_RCU_LOCK,     /* read-like on the RCU state */
	SIM_OP_RCU_UNLOCK,   /* read-like, on its thread's own section */
	SIM_OP_SYNC_RCU,     /* grace period: write-like on the RCU state */
	SIM_OP_CALL_RCU,     /* the callback queue */
	SIM_OP_RCU_BARRIER,  /* the callback queue */
	SIM_OP_RCU_GP_END,   /* a grace period's end (sim_dpor_event_split()) */
	SIM_OP_SPAWN,	     /* the thread table */
	SIM_OP_JOIN,	     /* reads the joined thread's state */
	SIM_OP_EXIT,	     /* a thread's end: writes its state (a touch) */
	SIM_OP_YIELD,
	SIM_OP_ALLOC, /* execution memory (a touch) */
	/* dpor: a polling thread checks what it read (a touch) */
	SIM_OP_POLL_CHECK,
	/* dpor: the end of a read section a grace period waits for (a touch of
	 * its mark, which the grace period's end reads); read-like where read
	 * sections commute with grace periods, else a write (prim.c) */
	SIM_OP_RCU_WAITED,
	SIM_OP__COUNT,
};

struct sim_op {
	const void *obj;
	uint8_t kind; /* enum sim_op_kind */
	/* what and where, for dpor's race profile: the object's name (an
	 * expression, a lock's name), the model function */
	const char *name, *site;
};

struct sim_thread {
	struct sim_fiber fiber;
	int id;
	enum sim_tstate state;
	const char *name;
	sim_thread_fn fn;
	void *arg;
	/* blocked on */
	const void *wait_obj;
	enum sim_wait_kind wait_kind;
	const char *wait_op;   /* "mutex_lock", "wait_event", ... */
	const char *wait_name; /* object name */
	/* RCU */
	unsigned int rcu_nesting;
	uint64_t rcu_sections; /* outermost read sections completed */
	/* the threads whose grace period waits for the section it is in */
	uint64_t rcu_gp_waiters;
	/* its own grace period's: joined from each section it waits for; also
	 * the object that grace period waits on */
	struct sim_vc *rcu_gp_vc;
	unsigned int spin_depth;
	/* oracles (oracle.c) */
	unsigned int nheld;
	struct sim_held held[SIM_MAX_HELD];
	uint32_t vc[SIM_MAX_THREADS]; /* vector clock, entries < nthreads valid */
	/* dpor.c */
	struct sim_op next_op; /* announced at the thread's scheduling point */
	int32_t dpor_pend;     /* event that woke, spawned or followed its yield: -1 */
	int dpor_locks;	       /* locks and RCU read sections it holds (dpor's polling rule) */
	int la_sections;       /* commuting sections it is in (sim_lock_sections_commute()) */
	uint64_t idle_since;   /* the step it last ran at or became runnable at */
};

/* A choice that differs from the default one: what a schedule token holds. */
struct sim_choice {
	uint64_t cp; /* choice point index */
	int tid;
};

struct sim_trace_ev {
	int tid;
	bool detail; /* an atomic or annotated access: left out of brief reports */
	uint64_t step;
	char *text;
	unsigned int body; /* offset of the text after "site: " */
	const char *file;  /* sim_event(): its source location (a literal), else NULL */
	int line;
};

struct sim_strategy_ops;
struct sim_vc;
struct sim_loc;
struct sim_ld_graph;

/* Per-execution state of the happens-before oracle (execution memory). */
struct sim_ora_exec {
	uint64_t serial;       /* distinct for every execution of the process */
	struct sim_loc *tab;   /* open addressing, keyed by address */
	uint32_t mask, used;   /* slots - 1, slots in use */
	uint32_t hint;	       /* slots to start the next execution with */
	struct sim_vc *rcu;    /* joined from every outermost rcu_read_unlock */
	struct sim_vc *cbq;    /* joined from every call_rcu() */
	struct sim_vc *cbdone; /* joined by rcu_gp after each batch of callbacks */
};

struct sim_engine {
	/* per execution */
	struct sim_thread threads[SIM_MAX_THREADS];
	int nthreads, live;
	struct sim_thread *cur;
	uint64_t runnable; /* mask of thread ids */
	uint64_t blocked;
	uint64_t polling; /* dpor: blocked by the polling rule (sched.c poll_block()) */
	uint64_t steps, step_bound;
	uint64_t choice_points;
	uint64_t preemptions; /* switches away from a thread that could go on */
	uint64_t hook_step;   /* strategy wants on_step() at this step */
	uint32_t next_obj_id;
	bool failed;
	bool dpor;	/* the dpor strategy runs: events are recorded (dpor.c) */
	bool sections_ordered; /* a covering bound: no lock sections commute (dpor.c) */
	bool order_sections;   /* sim_options.order_sections: nor do they in this run */
	bool abandoned; /* dpor: the execution was cut short (sleep-set blocked) */
	/* the longest a thread that could run did not run (not counting a
	 * poller's wait at its sim_yield()): starved, for starved_for steps from
	 * step starved_at (sched.c idle_end()); at the step bound, when that
	 * is at least half of it, the execution ends there, cut, not a livelock:
	 * unfair */
	bool unfair;
	int starved;
	uint64_t starved_for, starved_at;
	bool want_hash; /* hash the execution memory when an execution ends */
	uint64_t final_hash;
	char fail_kind[32];
	char fail_msg[512];
	/* sim_violation_fact(): the lines behind the violation (while tracing) */
	char facts[SIM_MAX_FACTS][SIM_FACT_LEN];
	unsigned int nfacts;

	/* oracles: switched per run (struct sim_options), off outside sim_explore() */
	bool ora_races;	      /* happens-before data-race detector */
	bool ora_lockdep;     /* lock-order graph */
	bool ora_might_sleep; /* sleeping in atomic context */
	bool ora_held;	      /* held-lock stacks: lockdep or might-sleep */
	struct sim_ora_exec ora;
	struct sim_ld_graph *ld; /* kept across the executions of a run */

	/* RCU */
	uint64_t rcu_readers;
	struct sim_rcu_head *rcu_cbs, **rcu_cbs_tail;
	uint64_t rcu_queued, rcu_done;
	bool rcu_gp_alive;
	char rcu_barrier_obj; /* an address used as a wait object */

	/* recorded schedule (non-default choices) */
	struct sim_choice *rec;
	size_t nrec, caprec;

	/* trace (only while building a report) */
	bool tracing;
	struct sim_trace_ev *trace;
	size_t ntrace, captrace;

	/* the run */
	const struct sim_scenario *sc;
	const struct sim_strategy_ops *strat;
	void *strat_state;
	struct sim_rng rng;
	struct sim_fiber host;
	struct sim_arena arena;
	bool arena_ready;
	bool in_execution;
	bool replay_mismatch;
	char mismatch_msg[200];
};

extern struct sim_engine sim_eng;

/* Strategy: called only where there is a real choice (two or more threads). */
struct sim_strategy_ops {
	const char *name;
	/* Start execution @index. */
	void (*begin)(struct sim_engine *e, uint64_t index);
	/* Pick a thread from @choices (a mask with >= 2 bits); @def is the
	 * default (non-preemptive) pick, @yielding: the current thread yields. */
	int (*choose)(struct sim_engine *e, uint64_t choices, int def, bool yielding);
	void (*on_spawn)(struct sim_engine *e, int tid);
	void (*on_step)(struct sim_engine *e);	/* at e->hook_step */
	void (*on_yield)(struct sim_engine *e); /* the current thread yields */
	/* The execution ended; return false when nothing is left to explore. */
	bool (*end)(struct sim_engine *e);
};

/* sched.c */
void sim_sched_point(void);
/* A scheduling point where the current thread announces its next operation. */
void sim_sched_op(const void *obj, enum sim_op_kind kind, const char *name, const char *site);
/* sim_yield() at call site @site (dpor's polling rule tells call sites apart). */
void sim_sched_yield_point(const void *site);
void sim_block(const void *obj, enum sim_wait_kind kind, const char *op, const char *name);
void sim_wake(const void *obj);
int sim_spawn_internal(const char *name, sim_thread_fn fn, void *arg);
/* Default pick: the current thread if it may continue, else the next
 * runnable one after it in id order (round robin). */
static inline int sim_default_choice(uint64_t choices, int cur)
{
	if (choices & (1ull << cur))
		return cur;
	uint64_t above = cur + 1 < 64 ? choices & (~0ull << (cur + 1)) : 0;
	return __builtin_ctzll(above ? above : choices);
}
void sim_engine_require(const char *what);
/* sim_fail() at @file:@line (NULL, 0: no site). */
__attribute__((noreturn)) void sim_fail_v(const char *file, int line, const char *kind,
					  const char *fmt, va_list ap);
void sim_run_execution(uint64_t index);
void sim_engine_setup(const struct sim_scenario *sc, const struct sim_strategy_ops *ops,
		      void *state, unsigned long step_bound);

/* trace.c */
__attribute__((format(printf, 2, 3))) void sim_trace(const char *site, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void sim_trace_detail(const char *site, const char *fmt, ...);
void sim_trace_clear(void);
/* The interleaving: @sites adds each model event's source location, @width
 * fits the table to that many columns (0: no limit, today's layout). */
char *sim_trace_report(bool brief, bool sites, unsigned int width);
/* sim_event() at @file:@line. */
__attribute__((format(printf, 3, 4))) void sim_trace_event_at(const char *file, int line,
							      const char *fmt, ...);
/* A preemption of thread @from (still runnable) by @to, while tracing. */
void sim_trace_preempt(int from, int to);
/* The trace as Chrome trace-event JSON (Perfetto); @kind/@msg: the violation. */
char *sim_trace_chrome(const char *kind, const char *msg);
/* Out of memory allocating @what: sim_set_oom_handler()'s handler, else abort. */
__attribute__((noreturn)) void sim_oom(const char *what);

/* strategy.c, dfs.c */
extern const struct sim_strategy_ops sim_random_ops, sim_pct_ops, sim_dfs_ops, sim_replay_ops;
struct sim_pct_state {
	unsigned int depth;
	uint64_t k; /* estimated steps per execution */
	uint64_t seed;
	int64_t prio[SIM_MAX_THREADS];
	uint64_t change[16];
	unsigned int nchange, next_change;
	int64_t low;
};
struct sim_random_state {
	uint64_t seed;
};
struct sim_dfs_node {
	uint64_t choices, tried;
	int chosen, cur;
	unsigned int preempts_before;
};
/* A subtree of the next round: below choice point @cp taking @tid, after the
 * @npre non-default choices at pool[@pool...] (dfs.c). */
struct sim_dfs_item {
	uint32_t pool, npre, cp; /* 16 bytes: the frontier holds millions */
	int32_t tid;
};
struct sim_dfs_frontier {
	struct sim_dfs_item *items;
	size_t n, cap;
	struct sim_choice *pool; /* the items' prefixes */
	size_t npool, cappool, path;
};
struct sim_dfs_state {
	unsigned int bound;
	bool single; /* one tree of bound P (no rounds): minimization, tests */
	struct sim_dfs_node *nodes;
	size_t n, cap, nforced;
	unsigned int preempts;
	bool nondeterministic;
	/* iterative: round (the bound in progress), the last completed (-1: none) */
	unsigned int round;
	int completed;
	struct sim_dfs_frontier now, next;
	size_t item;		       /* next item of now */
	uint64_t base;		       /* choice points below: the item's, fixed */
	const struct sim_choice *pre; /* the item's prefix */
	size_t npre, ipre;
	int item_tid;
};
struct sim_replay_state {
	const struct sim_choice *choices;
	size_t n, idx;
	uint64_t total_cp;
	/* Apply choices by choice point index and let the execution diverge:
	 * a choice of a thread that cannot run, or one past the end, is the
	 * default one (minimization). */
	bool lenient;
};
/* dfs.c: @single: one tree of bound @bound, else rounds 0..@bound. */
void sim_dfs_init(struct sim_dfs_state *s, unsigned int bound, bool single);
void sim_dfs_free(struct sim_dfs_state *s);

/* dpor.c */
extern const struct sim_strategy_ops sim_dpor_ops;
struct sim_dpor_state;
struct sim_dpor_state *sim_dpor_new(unsigned int preemption_bound, bool cover);
void sim_dpor_free(struct sim_dpor_state *s);
/*
 * Split the tree for --jobs and --shard: every awake thread is explored at the
 * first @depth choice nodes (sleep sets keep one execution per class), and
 * below them each subtree, numbered in the order it is first reached, is
 * explored by the process with @index == number % @count (or, with claims,
 * the first to reach it: sim_dpor_claims()); an execution that reaches
 * another's subtree is a probe (sim_dpor_probe()), abandoned there.
 */
void sim_dpor_split(struct sim_dpor_state *s, unsigned int depth, uint64_t index, uint64_t count);
/* A --jobs worker: subtrees handed out as reached (struct sim_split_claims;
 * after sim_dpor_split(): no split, or a shard count that is not a multiple
 * of claims->workers, ignores it). */
void sim_dpor_claims(struct sim_dpor_state *s, struct sim_split_claims *claims);
/* The last execution found a violation: no worker goes past its subtree. */
void sim_dpor_claims_violation(const struct sim_dpor_state *s);
/* The last execution's subtree is past the lowest violation another found:
 * the run ends there (what it explored past it is not counted). */
bool sim_dpor_claims_past(const struct sim_dpor_state *s);
bool sim_dpor_probe(const struct sim_dpor_state *s); /* the last execution was one */
uint64_t sim_dpor_subtrees(const struct sim_dpor_state *s); /* numbered so far */
/* The subtree (or execution above the split) the last execution was in, by
 * its number; SIM_NO_ITEM in an unsplit run. */
uint64_t sim_dpor_item(const struct sim_dpor_state *s);
/* Figures of the run so far. */
struct sim_dpor_stats {
	uint64_t sleep_blocked; /* executions cut short: every runnable thread asleep */
	uint64_t races;		/* reversible races found */
	uint64_t max_depth;	/* longest execution, in events */
	size_t bookkeeping;	/* bytes of the exploration stack, at its largest */
	double estimate;	/* the executions of the whole tree, estimated (dpor.c) */
	double knuth_mean;	/* the old estimate: Knuth's, averaged (bench/dpor) */
	uint64_t cut;		/* alternatives left out for the preemption bound */
};
void sim_dpor_stats(const struct sim_dpor_state *s, struct sim_dpor_stats *st);
/* The race profile (dpor_profile.c): on from the next execution; its pairs,
 * most executions first (*out malloc'd, each text too), and the executions
 * no race began. */
void sim_dpor_profile_on(struct sim_dpor_state *s);
void sim_dpor_knuth_on(struct sim_dpor_state *s, bool on);
unsigned int sim_dpor_profile(const struct sim_dpor_state *s, struct sim_race_pair **out,
			      uint64_t *other);
/* An operation kind's name ("read", "spin_lock"). */
const char *sim_dpor_op_name(uint8_t kind);
/* The self-check: another linearization of the last execution's partial
 * order (@variant 0..SIM_DPOR_VARIANTS-1: which thread goes first when several can),
 * as thread ids, one per event; *seq is malloc'd.  Return: its length (less
 * than the events when a commuting section's failed acquisitions are left
 * out), SIZE_MAX when the order it tried got stuck on mutual exclusion. */
#define SIM_DPOR_VARIANTS 3
size_t sim_dpor_linearize(const struct sim_dpor_state *s, int variant, int **seq);
size_t sim_dpor_events(const struct sim_dpor_state *s, int **seq);
/* Describe event @i of the last execution: "inc1: read" into @buf. */
void sim_dpor_describe(const struct sim_dpor_state *s, size_t i, char *buf, size_t len);
/* A state that makes the dpor strategy follow @seq (thread per event) instead
 * of exploring, with the rules of @like's run (a covering bound runs every
 * polling round and orders read sections); a run that cannot is abandoned
 * with *diverged set. */
struct sim_dpor_state *sim_dpor_follow(const struct sim_dpor_state *like, const int *seq, size_t n);
/* Past @seq, the follow run goes on to the execution's end with the
 * scheduler's default choices instead of being cut: its token replays. */
void sim_dpor_follow_on(struct sim_dpor_state *s);
size_t sim_dpor_diverged(const struct sim_dpor_state *s); /* event index, or SIZE_MAX */
/* The threads asleep where the last execution was sleep-set blocked (0:
 * none), and the check of one of them after a follow run of the execution
 * and its next event (--por-check; dpor_check.c) */
uint64_t sim_dpor_cut_asleep(const struct sim_dpor_state *s);
bool sim_dpor_sleeper_check(const struct sim_dpor_state *d, const struct sim_dpor_state *f, int tid,
			    char *msg, size_t len);
/* After a follow run @f of another linearization of @d's last execution: an
 * event whose footprint differs between the two (--por-check). */
bool sim_dpor_footprint_check(const struct sim_dpor_state *d, const struct sim_dpor_state *f,
			      char *msg, size_t len);
/* Hooks of the scheduler while e->dpor: the current event ends (top of every
 * schedule()), @next's event begins (false: it is asleep, abandon), an object
 * the current event touches besides its announced operation, a thread made
 * runnable by the current event, the execution is over. */
void sim_dpor_event_end(struct sim_engine *e);
bool sim_dpor_event_begin(struct sim_engine *e, int next, uint64_t choices, bool yielding);
bool sim_dpor_event_next(struct sim_engine *e);
void sim_dpor_event_split(const void *obj, enum sim_op_kind kind, const char *name,
			  const char *site);
void sim_dpor_touch_slow(const void *obj, enum sim_op_kind kind, const char *name,
			 const char *site);
void sim_dpor_edge_slow(struct sim_thread *t);
void sim_dpor_blocked(void); /* the current event ends with its thread blocking */
void sim_dpor_silent_slow(const void *obj);
/* The current event's read-modify-write of @obj counts as a blind addition
 * (sim_atomic_result_unused()). */
void sim_dpor_blind_slow(const void *obj); /* its write of @obj changed nothing */
void sim_dpor_exec_done(struct sim_engine *e);
/* At sim_yield() of the current thread from call site @site: true when the
 * thread polls without anything to see (docs/dpor.md, "Polling loops"): it
 * blocks until another thread writes what it read. */
bool sim_dpor_poll_blocks(struct sim_engine *e, const void *site);
/* The current thread is about to write @size bytes at @obj (the polling
 * rule's write log: the value before its round's first write of it). */
void sim_dpor_wrote_slow(const void *obj, size_t size);
/* A failed trylock saw @owner's lock (-1: readers, or a waiting writer). */
void sim_dpor_observed_slow(int owner);
static inline void sim_dpor_observed(int owner)
{
	if (sim_eng.dpor)
		sim_dpor_observed_slow(owner);
}
static inline void sim_dpor_touch(const void *obj, enum sim_op_kind kind, const char *name,
				  const char *site)
{
	if (sim_eng.dpor)
		sim_dpor_touch_slow(obj, kind, name, site);
}
/*
 * dpor's object for bit @b of a sim_bits_t word at @w (docs/dpor.md, "Bits
 * of one word"): the word's address tagged with bit 63 and @b in bits 48-53,
 * which no user-space address has.  A word at an address that has them (none
 * on x86-64) keeps its bits on the word itself: coarser, still sound.  The
 * word's own address is the object of the operation's memory order.
 */
#define SIM_BIT_TAG   (1ull << 63)
#define SIM_BIT_SHIFT 48
static inline const void *sim_bit_obj(const void *w, unsigned int b)
{
	uintptr_t a = (uintptr_t)w;
	if (a >> SIM_BIT_SHIFT)
		return w;
	return (const void *)(a | SIM_BIT_TAG | (uintptr_t)b << SIM_BIT_SHIFT);
}
/* The word of a bit's object; any other object is its own word. */
static inline const void *sim_obj_word(const void *obj)
{
	uintptr_t a = (uintptr_t)obj;
	return a & SIM_BIT_TAG ? (const void *)(a & ((1ull << SIM_BIT_SHIFT) - 1)) : obj;
}
/* The current event's operation on the bits of @w left those of @mask as
 * they were: each is a read (sim_dpor_silent_slow(), bit by bit). */
void sim_dpor_bits_silent_slow(const void *w, unsigned long mask);
/* A macro: @silent (a memcmp for a store) is only evaluated under dpor. */
#define sim_dpor_silent(obj, silent)                                                               \
	do {                                                                                       \
		if (sim_eng.dpor && (silent))                                                      \
			sim_dpor_silent_slow(obj);                                                 \
	} while (0)
/*
 * Is the acquisition (kind SIM_OP_SPIN_LOCK or SIM_OP_MUTEX_LOCK) of @s by
 * @t the start of a section dpor orders by its contents only (docs/dpor.md,
 * "Critical sections")?  The lock's data must be annotated
 * (sim_spin_annotated()), and the section outermost: a spinlock while no
 * spinlock is held (a sleeping lock under one is a might-sleep report), a
 * mutex while no lock at all is held, so that every acquisition a lock-order
 * cycle waits at stays ordered and the deadlock is still found.  Never under
 * a covering preemption bound (sections_ordered; dpor.md, "A bound that
 * covers"): where a section starts is where a preemption may go.
 */
static inline bool sim_lock_sections_commute(const struct sim_thread *t,
					     const struct sim_lockstate *s, uint8_t kind)
{
	if (!s->annotated || sim_eng.sections_ordered || sim_eng.order_sections)
		return false;
	if (kind == SIM_OP_SPIN_LOCK)
		return t->spin_depth == 0;
	return kind == SIM_OP_MUTEX_LOCK && t->dpor_locks == 0;
}
/* The current thread waits (a yield, a wait that is not for a lock) inside a
 * commuting section: a por-check report, by every strategy (sched.c). */
void sim_dpor_section_waits(const char *what);
static inline void sim_dpor_edge(struct sim_thread *t)
{
	if (sim_eng.dpor)
		sim_dpor_edge_slow(t);
}

/* coverage.c: the execution's coverage (not model state), and the run's */
struct sim_coverage;
void sim_cov_lock(const char *name); /* a lock of class @name was found held */
/* A switch from @cur to @next; @preempt: @cur could have gone on (not a yield). */
void sim_cov_switch(int cur, int next, bool preempt);
/* Operations on shared state each thread did (not spawn, join, exit, yield, alloc). */
extern uint32_t sim_cov_ops[SIM_MAX_THREADS];
static inline void sim_cov_op(int tid, enum sim_op_kind kind)
{
	if (kind != SIM_OP_NONE && kind < SIM_OP_SPAWN)
		sim_cov_ops[tid]++;
}
void sim_cov_exec_begin(void);
void sim_cov_run_begin(void);
void sim_cov_run_end(void);
uint64_t sim_cov_schedule_hash(const struct sim_engine *e);
/* Fold the execution just run into @c; Return: its schedule's hash. */
uint64_t sim_cov_exec_done(const struct sim_engine *e, struct sim_coverage *c);

/* token.c */
uint32_t sim_scenario_hash(const char *name);
char *sim_token_encode(uint32_t hash, uint64_t total_cp, const struct sim_choice *c, size_t n);
/* Return: 0, or -EINVAL with @err filled. *c is malloc'd. */
int sim_token_decode(const char *tok, uint32_t *hash, uint64_t *total_cp, struct sim_choice **c,
		     size_t *n, char *err, size_t errlen);

#endif /* SIM_CORE_ENGINE_H */
