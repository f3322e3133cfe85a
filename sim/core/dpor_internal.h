/* SPDX-License-Identifier: MIT */
/*
 * The dpor strategy's state, shared by dpor.c (the exploration) and
 * dpor_poll.c (the polling rule).  See dpor.c.
 */
#ifndef SIM_CORE_DPOR_INTERNAL_H
#define SIM_CORE_DPOR_INTERNAL_H

#include "engine.h"

#include <float.h>
#include <stdlib.h>

#define BIT(i)	 (1ull << (i))
#define NO_EVENT (-1)

struct dpor_fp_item {
	const void *obj;
	uint8_t kind; /* enum sim_op_kind */
};

/* What an event acted on: a view into an item array. */
struct dpor_foot {
	const struct dpor_fp_item *it;
	uint32_t n;
};

struct dpor_event {
	int tid;
	uint32_t lidx;		 /* 1-based index among its thread's events */
	int32_t pend;		 /* enabling edge source (spawn, wake, yield), or NO_EVENT */
	bool blocked;		 /* it ended with its thread blocking */
	bool glued;		 /* no scheduling point before it (sim_dpor_event_next()) */
	uint8_t poll;		 /* at a sim_yield() after it: enum dpor_poll */
	uint8_t kind;		 /* the operation announced */
	uint32_t fp_start, fp_n; /* its footprint: items[fp_start ..] */
	/* an operation on a lock: the last one on it before (its chain, for
	 * lifting: lock_holder()), or NO_EVENT */
	int32_t lk_prev;
	uint16_t la_open;  /* annotated sections open after it (all threads) */
	uint16_t rcu_open; /* RCU read sections open after it (not under a covering bound) */
	/* DPOR_RCU_OPEN: an outermost rcu_read_lock(); DPOR_RCU_CLOSE: its end */
	uint8_t rcu;
	/* the outermost rcu_read_lock() of the section its thread is in after it,
	 * or NO_EVENT */
	int32_t rcu_sec;
};

enum { DPOR_RCU_OPEN = 1, DPOR_RCU_CLOSE = 2 };

/* What the polling rule decided at a sim_yield() (docs/dpor.md, "Polling loops"). */
enum dpor_poll {
	POLL_NONE,    /* not a repeated pure round: an ordinary yield */
	POLL_CHANGED, /* a repeated round, but something it read has changed since */
	POLL_BLOCKED, /* a repeated round that saw nothing change: it waits */
};

/* What the polling rule keeps of a round besides its events. */
struct dpor_round_marks {
	uint8_t nwrote;	 /* entries of its write log (sim_dpor_wrote_slow()) */
	bool overflow;	 /* it wrote more locations than its log holds */
	bool observed;	 /* a failed trylock of another thread saw one of its locks */
	bool locks_kept; /* it ended holding the locks and RCU sections it began with */
};

/* A thread's rounds between sim_yield()s, for the polling rule. */
struct dpor_round {
	uint32_t first;	     /* lidx of the round's first event */
	uint32_t prev_first; /* the round before: its first event, 0: none */
	const void *site;    /* the sim_yield() that ended the round before */
	int locks;	     /* locks and RCU sections held when the round began */
	uint8_t log;	     /* its write log: wrote[t][log]; the round before's: [!log] */
	struct dpor_round_marks cur, prev;
};

/* A location a round wrote, and its value before the round's first write of it. */
#define ROUND_WRITES 32
struct dpor_wrote {
	const void *obj;
	uint64_t old;
	uint32_t size;
};

/* A sleeping (or already explored) thread and its next event's footprint. */
struct dpor_sleeper {
	int tid;
	bool pure; /* split: its event was a failed pure attempt (dpor_split_pure_block()) */
	uint32_t start, n; /* its footprint: sitems[start ..] */
	uint32_t origin;   /* the node where it ran: asleep across events origin .. */
};

/* The state before event i of the current execution. */
struct dpor_node {
	uint64_t enabled, backtrack, done, sleep; /* sleep: inherited sleepers */
	int chosen;
	unsigned int preempts; /* preemptions before this node (bounded mode) */
	unsigned int cdepth;   /* split: conflict nodes before it (split_conflict()) */
	unsigned int bdepth;   /* split: branching nodes (two threads awake) before it */
	bool conflict, branching;
	int prev; /* thread of the event before, -1 at the root */
	uint32_t pool_start, pool_n;
	uint32_t sitems_start; /* sitems when it was made */
	/* the estimate (dpor_tree_estimate()): executions counted when the current
	 * branch began, in the branches explored before it, and their number */
	uint64_t sub_start, sub_done;
	uint32_t nsub;
};

/*
 * Last accesses of one object in the current execution.  Updates (kinds
 * that commute with themselves, kind_commutes()) sit between reads and
 * writes: dependent with both, not with each other.
 */
struct dpor_obj {
	const void *obj;
	int32_t lastw;	/* last event that changed it (a write or an update), or NO_EVENT */
	int32_t lastx;	/* last write-like event that is not an update, or NO_EVENT */
	uint32_t lastr; /* 1 + its row of lastr_pool (dpor_row()), 0: none yet */
	uint32_t lastu; /* the same for updates */
	uint64_t rmask; /* threads with a read-like event since lastx */
	uint64_t umask; /* threads with an update since lastx */
};

/* foot_add()'s hash of a long footprint's items. */
#define FC_FROM	 16
#define FC_SLOTS 1024
struct dpor_fc {
	const void *obj;
	uint64_t stamp;
	uint32_t idx;
};

/* What dpor_obj_update() changed, to undo it when the stack pops back below @ev. */
struct dpor_undo {
	struct dpor_obj *o; /* the entry (moved with it: tab_grow()) */
	int32_t ev;
	int32_t old; /* lastr[tid] (a read) or lastu[tid] (an update) before */
	int32_t lastw, lastx;
	uint64_t rmask, umask;
	int tid;     /* -1: a write */
	bool update; /* old is lastu[tid] */
};

struct sim_dpor_state {
	unsigned int bound; /* preemption bound, UINT_MAX: none */
	/* the bound is covered: every schedule within it (dpor.md, "A bound
	 * that covers"); not in probe rounds */
	bool cover;
	/* the exploration stack */
	struct dpor_node *nodes;
	size_t nnodes, capnodes;
	struct dpor_sleeper *pool;
	size_t npool, cappool;
	struct dpor_fp_item *sitems; /* the sleepers' footprints */
	size_t nsitems, capsitems;
	size_t div; /* first event of this execution not replayed */
	/* the current execution */
	struct dpor_event *ev;
	uint32_t (*vc)[SIM_MAX_THREADS];
	size_t nev, capev;
	size_t keep;	  /* events [0, keep) are the last execution's: replayed, not recomputed */
	uint64_t polling; /* threads the polling rule blocks (below: round, pollset) */
	bool open;	  /* ev[nev - 1] is running */
	struct dpor_fp_item *items; /* the events' footprints */
	size_t nitems, capitems;
	int32_t *cand; /* event_close()'s scratch */
	uint32_t *citem;
	struct dpor_obj **cobj; /* the objects of its footprint's items */
	size_t capcand;
	int32_t *tev[SIM_MAX_THREADS]; /* each thread's events, by position */
	uint32_t ntev[SIM_MAX_THREADS], captev[SIM_MAX_THREADS];
	int nthreads;
	bool knuth; /* sim_dpor_knuth_on() */
	int vcw;    /* the most threads an execution had: vc[] entries past it are 0 */
	struct dpor_obj *tab;
	uint32_t mask, used;
	uint32_t tab_moves;  /* tab[] was moved to a larger one so many times */
	int32_t *lastr_pool; /* rows of rw entries, one per thread */
	size_t nlastr, caplastr;
	int rw; /* the rows' width: a power of two, at least 4 and vcw */
	struct dpor_undo *undo;
	size_t nundo, capundo;
	bool ended; /* dpor_end() ran since the last execution */
	struct dpor_fc fc[FC_SLOTS];
	uint64_t fc_stamp; /* fc[] slots with another stamp are free */
	bool fc_valid;	   /* fc[] holds the open event's items */
	/* the polling rule */
	struct dpor_round round[SIM_MAX_THREADS];
	const void **pollset[SIM_MAX_THREADS]; /* what each of them waits to see written */
	uint32_t npollset[SIM_MAX_THREADS], cappollset[SIM_MAX_THREADS];
	/* the write logs of each thread's round and the one before */
	struct dpor_wrote wrote[SIM_MAX_THREADS][2][ROUND_WRITES];
	/* figures */
	uint64_t sleep_blocked, races, max_depth, executions;
	uint64_t races_begin; /* races at the start of this execution */
	size_t bookkeeping;
	double est_sum;	 /* sum over executions of Knuth's estimate (the old one) */
	double estimate; /* dpor_tree_estimate() after the last execution */
	uint64_t leaves; /* executions run to their end (not sleep-set blocked) */
	uint64_t cut;	 /* alternatives not explored for the preemption bound */
	/* split (--jobs, --shard): every awake thread is explored at the first
	 * split_depth choice nodes; below, subtrees are numbered in the order
	 * they are first reached and subtree k is this process's when
	 * k % shard_count == shard_index (sim_dpor_split()), or, with claims
	 * (a --jobs worker), when it reached k first (sim_dpor_claims()) */
	unsigned int split_depth; /* 0: no split */
	uint64_t shard_index, shard_count, subtrees;
	struct sim_split_claims *claims;
	uint64_t item; /* the number of the subtree this execution is in */
	bool in_sub; /* this execution reached its subtree */
	bool probe;  /* this execution is another shard's: not counted */
	struct dpor_prof *prof; /* the race profile (dpor_profile.c), or NULL */
	/* the threads asleep at the node where this execution was sleep-set
	 * blocked (nodes[nev]), 0: not blocked */
	uint64_t cut_asleep;
	/* follow mode (the self-check): the thread of each event; past them,
	 * follow_on: the scheduler's default choices to the execution's end
	 * (a token that replays), else the execution is cut there */
	const int *follow;
	size_t nfollow, diverged;
	bool follow_on;
};

/* ---- dependence ------------------------------------------------------------ */

/* Row @row (1-based) of lastr_pool: an event per thread. */
static inline int32_t *dpor_row(const struct sim_dpor_state *s, uint32_t row)
{
	return s->lastr_pool + (size_t)(row - 1) * s->rw;
}

/*
 * The footprint kind of a grace period's start where read sections commute
 * with grace periods (not under a covering bound; docs/dpor.md, "Grace
 * periods as sections"): a read of the RCU state, as rcu_read_lock() is.
 * The end of a section the grace period waits for is then SIM_OP_RCU_WAITED,
 * read-like too.  Both keep their full dependence for the sleep sets
 * (kinds_dependent_strict()).  The footprint kinds of an annotated lock's
 * sections are DPOR_LA_* below.
 */
#define DPOR_GP_START ((uint8_t)(SIM_OP__COUNT + 2))

static inline bool kind_reads(uint8_t k)
{
	switch (k) {
	case SIM_OP_READ:
	case SIM_OP_DOWN_READ:
	case SIM_OP_DOWN_READ_TRYLOCK:
	case SIM_OP_UP_READ:
	case SIM_OP_WAIT_PREPARE:
	case SIM_OP_WAIT:
	case SIM_OP_DONE_CHECK:
	case SIM_OP_RCU_LOCK:
	case SIM_OP_RCU_UNLOCK:
	case SIM_OP_JOIN:
	case SIM_OP_POLL_CHECK:
	case DPOR_GP_START:
	case SIM_OP_RCU_WAITED:
		return true;
	default:
		return false;
	}
}

/* Read-like kinds that are a lock's or an RCU section's (the rest read data). */
static inline bool kind_lockish(uint8_t k)
{
	return k == SIM_OP_DOWN_READ || k == SIM_OP_DOWN_READ_TRYLOCK || k == SIM_OP_UP_READ ||
	       k == SIM_OP_RCU_LOCK || k == SIM_OP_RCU_UNLOCK || k == DPOR_GP_START ||
	       k == SIM_OP_RCU_WAITED;
}

/*
 * Updates: write-like kinds whose events commute with each other on one
 * object (docs/dpor.md, "Updates"): wake-ups (wake_up_all, complete,
 * complete_all) and the blind relaxed atomic additions and bit sets whose
 * result the model does not use.  Each is dependent with every other kind.
 */
/*
 * The footprint kinds of an annotated lock's outermost section
 * (sim_lock_sections_commute()): its acquisition and its release.  They
 * commute with each other, so two such sections are ordered only by what
 * they contain (docs/dpor.md, "Critical sections").
 */
#define DPOR_LA_LOCK   ((uint8_t)SIM_OP__COUNT)
#define DPOR_LA_UNLOCK ((uint8_t)(SIM_OP__COUNT + 1))

static inline bool kind_la(uint8_t k)
{
	return k == DPOR_LA_LOCK || k == DPOR_LA_UNLOCK;
}

static inline bool kind_commutes(uint8_t k)
{
	return k == SIM_OP_WAKE || k == SIM_OP_ADD || k == SIM_OP_OR || kind_la(k);
}

/* Two operations of different threads on one object: do they not commute? */
static inline bool kinds_dependent(uint8_t a, uint8_t b)
{
	if (kind_reads(a) && kind_reads(b))
		return false;
	if (kind_la(a) && kind_la(b))
		return false;
	return !(a == b && kind_commutes(a));
}

/* The same, with every operation on a lock dependent with every other one
 * (the sleep sets' relation: a sleeper whose next event takes a lock wakes at
 * any operation on it, since its section is not known yet). */
static inline bool kinds_dependent_strict(uint8_t a, uint8_t b)
{
	if (kind_la(a) && kind_la(b))
		return true;
	if (a == DPOR_GP_START || b == DPOR_GP_START || a == SIM_OP_RCU_WAITED ||
	    b == SIM_OP_RCU_WAITED)
		return true; /* rcu_read_lock() against a start, a section's end against its mark's
				read */
	return kinds_dependent(a, b);
}

static inline uint8_t foot_kind(const struct dpor_foot *f, const void *obj)
{
	for (unsigned int i = 0; i < f->n; i++)
		if (f->it[i].obj == obj)
			return f->it[i].kind;
	return SIM_OP_NONE;
}

static inline bool foot_dependent(const struct dpor_foot *a, const struct dpor_foot *b)
{
	for (unsigned int i = 0; i < a->n; i++)
		for (unsigned int j = 0; j < b->n; j++)
			if (a->it[i].obj == b->it[j].obj &&
			    kinds_dependent_strict(a->it[i].kind, b->it[j].kind))
				return true;
	return false;
}

static inline struct dpor_foot ev_foot(const struct sim_dpor_state *s, size_t i)
{
	return (struct dpor_foot){s->items + s->ev[i].fp_start, s->ev[i].fp_n};
}

static inline struct dpor_foot sleeper_foot(const struct sim_dpor_state *s,
					    const struct dpor_sleeper *sl)
{
	return (struct dpor_foot){s->sitems + sl->start, sl->n};
}

static inline bool kind_empty(uint8_t k)
{
	return k == SIM_OP_NONE || k == SIM_OP_YIELD;
}

/* The kind event @i announced, as its footprint has it (DPOR_LA_* for a
 * commuting section's lock operations), SIM_OP_NONE for an empty footprint. */
static inline uint8_t ev_kind(const struct sim_dpor_state *s, size_t i)
{
	return s->ev[i].fp_n ? s->items[s->ev[i].fp_start].kind : SIM_OP_NONE;
}

static inline uint32_t obj_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(x >> 32);
}

static inline void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 256;
	while (c < need)
		c *= 2;
	p = realloc(p, c * elem);
	if (!p)
		abort();
	*cap = c;
	return p;
}

/* Would picking @q at node @n preempt the thread that ran before it? */
static inline unsigned int preempt_cost(const struct dpor_node *n, int q)
{
	return n->prev >= 0 && (n->enabled & BIT(n->prev)) && q != n->prev;
}

/*
 * Is node @n above the split, where every awake thread is explored?  Until
 * split_depth nodes where two awake threads announce dependent operations
 * (split_conflict() in dpor.c), and at most SPLIT_MAX_BRANCHING nodes where
 * two or more are awake: a program whose threads never conflict there would
 * otherwise be explored by sleep sets alone, exponentially.  (Here for the
 * estimate too, dpor_estimate.c.)
 */
#define SPLIT_MAX_BRANCHING 8
static inline bool above_split(const struct sim_dpor_state *s, const struct dpor_node *n)
{
	return s->split_depth && n->cdepth < s->split_depth && n->bdepth < SPLIT_MAX_BRANCHING;
}

/*
 * One node of dpor_tree_estimate() (dpor_estimate.c): its branches explored
 * so far (@done executions), the branch being explored (@cur) and @k
 * alternatives left of @avg each.  Saturated at DBL_MAX: a tree past a
 * double's range (a deep execution of retries, 2 choices at each of over
 * 1,024 nodes) is the largest double, never inf, and never NaN, which 0 x
 * inf at a node with no alternative left made of it (and "estimated_total":
 * -nan, which no JSON reader takes).
 */
static inline double estimate_node(double done, double cur, unsigned int k, double avg)
{
	double est = done + cur + (k ? k * avg : 0);
	return est < DBL_MAX ? est : DBL_MAX; /* NaN too */
}

static inline bool hb_before(const struct sim_dpor_state *s, int32_t a, const uint32_t *clock)
{
	return clock[s->ev[a].tid] >= s->ev[a].lidx;
}

static inline bool kind_acquires(uint8_t k)
{
	return k == SIM_OP_SPIN_LOCK || k == SIM_OP_SPIN_TRYLOCK || k == SIM_OP_MUTEX_LOCK ||
	       k == SIM_OP_MUTEX_TRYLOCK || k == SIM_OP_DOWN_WRITE ||
	       k == SIM_OP_DOWN_WRITE_TRYLOCK || k == DPOR_LA_LOCK;
}

/*
 * Blocking operations whose failed attempt changes nothing, is write-like or
 * the only read of its object by its thread, and whose retry is the same as a
 * fresh attempt: blocking, then being woken, is the same as running after
 * the event that woke it (docs/dpor.md, "Blocking").  wait_event is not
 * one: its prepare_to_wait read hides behind the attempt.
 */
static inline bool kind_blocks_pure(uint8_t k)
{
	return k == SIM_OP_SPIN_LOCK || k == SIM_OP_MUTEX_LOCK || k == SIM_OP_DOWN_READ ||
	       k == SIM_OP_JOIN || k == SIM_OP_WAIT_DONE || k == SIM_OP_RCU_GP_END ||
	       k == DPOR_LA_LOCK;
}

/*
 * Split runs: a blocking attempt that failed and changed nothing (the retry
 * is its real event) wakes no sleeper: the state after it is the one before
 * it for every other thread.  And a sleeper whose explored event was such an
 * attempt never wakes: blocking there, then retrying after the event that
 * wakes it, is the class of every later attempt (docs/dpor.md,
 * "Blocking").  Without them a thread that the full expansion above the split
 * picks only to block would give a second execution of one class.  Above the
 * split, a branch that only blocks is the state before it: the first one
 * explored makes its siblings redundant, a later one is cut (node_after()).
 * (Not in unsplit runs: it would change their counts and tokens.)
 */
static inline bool dpor_split_pure_block(const struct sim_dpor_state *s, size_t i)
{
	const struct dpor_event *ev = &s->ev[i];
	return s->split_depth && !s->cover && ev->blocked && ev->fp_n == 1 &&
	       kind_blocks_pure(ev->kind);
}

/* dpor_lift.c */
uint32_t dpor_count_upto(const struct sim_dpor_state *s, int r, size_t j);
bool dpor_in_v(const struct sim_dpor_state *s, size_t p, size_t j, size_t i, const uint32_t *ci,
	       size_t x);
size_t dpor_lift(const struct sim_dpor_state *s, size_t j, size_t i, const uint32_t *ci);

/* dpor_table.c */
void dpor_tab_alloc(struct sim_dpor_state *s, uint32_t slots);
struct dpor_obj *dpor_obj_get(struct sim_dpor_state *s, const void *obj);
void dpor_widen(struct sim_dpor_state *s);
void dpor_obj_update(struct sim_dpor_state *s, struct dpor_obj *o, const struct dpor_fp_item *it,
		     int tid, int32_t i);
void dpor_obj_rollback(struct sim_dpor_state *s, size_t ev);
void dpor_foot_add(struct sim_dpor_state *s, const void *obj, uint8_t kind, const char *name,
		   const char *site);

/* dpor_profile.c: the race profile, while s->prof.  The label of footprint
 * item @item; node @node gets its first choice; the race of event @e with
 * item @item of event @i (being closed) is checked; it adds thread @q at
 * @node; the next execution begins with @q at @node; an execution ended
 * (@counted: run to its end, not sleep-set blocked). */
struct dpor_prof;
void dpor_prof_free(struct dpor_prof *p);
void dpor_prof_label(struct sim_dpor_state *s, size_t item, const char *name, const char *site);
void dpor_prof_node(struct sim_dpor_state *s, size_t node);
void dpor_prof_race(struct sim_dpor_state *s, size_t e, size_t i, size_t item);
void dpor_prof_alt(struct sim_dpor_state *s, size_t node, int q);
void dpor_prof_take(struct sim_dpor_state *s, size_t node, int q);
void dpor_prof_exec(struct sim_dpor_state *s, bool counted);
/* "model_function: operation object (thread)" for footprint item @item */
void dpor_prof_item_text(const struct sim_dpor_state *s, size_t item, uint8_t kind, int tid,
			 char *buf, size_t len);
/* dpor_estimate.c: the shown estimate (@leaf: the last execution ran to its
 * end) and the old one */
double dpor_tree_estimate(const struct sim_dpor_state *s, unsigned int leaf);
double dpor_knuth_estimate(const struct sim_dpor_state *s);
/* dpor_poll.c */
void dpor_round_begin(struct sim_dpor_state *s, const struct sim_thread *t, uint32_t lidx,
		      uint8_t kind);
void dpor_poll_wake(struct sim_dpor_state *s, const void *obj, uint8_t kind);
int32_t dpor_poll_anchor(const struct sim_dpor_state *s, int32_t a, const void *obj);

#endif /* SIM_CORE_DPOR_INTERNAL_H */
