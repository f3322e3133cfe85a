// SPDX-License-Identifier: MIT
/*
 * The scheduler: simulated threads as fibers, scheduling points, blocking and
 * waking, the end of an execution (all done, deadlock, livelock, violation).
 */
#include "engine.h"
#include "oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_engine sim_eng;

#define BIT(i) (1ull << (i))

void sim_engine_require(const char *what)
{
	if (!sim_eng.in_execution) {
		fprintf(stderr, "hmmsim: %s called outside a simulated execution\n", what);
		abort();
	}
}

static void record_choice(struct sim_engine *e, uint64_t cp, int tid)
{
	if (e->nrec == e->caprec) {
		e->caprec = e->caprec ? 2 * e->caprec : 256;
		e->rec = realloc(e->rec, e->caprec * sizeof(*e->rec));
		if (!e->rec)
			sim_oom("the recorded schedule of one execution");
	}
	e->rec[e->nrec++] = (struct sim_choice){cp, tid};
}

/* Leave the current fiber for the host: the execution is over. */
__attribute__((noreturn)) static void back_to_host(struct sim_engine *e)
{
	struct sim_thread *t = e->cur;
	e->cur = NULL;
	sim_fiber_switch(&t->fiber, &e->host, true);
	__builtin_unreachable();
}

__attribute__((noreturn)) void sim_fail_v(const char *file, int line, const char *kind,
					  const char *fmt, va_list ap)
{
	struct sim_engine *e = &sim_eng;
	sim_engine_require("sim_fail");
	e->failed = true;
	snprintf(e->fail_kind, sizeof(e->fail_kind), "%s", kind);
	vsnprintf(e->fail_msg, sizeof(e->fail_msg), fmt, ap);
	if (e->tracing && file)
		sim_trace_event_at(file, line, "VIOLATION %s", e->fail_kind);
	else if (e->tracing)
		sim_trace(NULL, "VIOLATION %s", e->fail_kind);
	back_to_host(e);
}

void sim_fail_at(const char *file, int line, const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_fail_v(file, line, kind, fmt, ap);
}

void(sim_fail)(const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_fail_v(NULL, 0, kind, fmt, ap);
}

static const char *lock_holder_name(const struct sim_lockstate *s)
{
	if (s->owner >= 0)
		return sim_eng.threads[s->owner].name;
	return s->readers ? "readers" : "nobody";
}

/* Nothing can run but some threads have not finished. */
__attribute__((noreturn)) static void deadlock(struct sim_engine *e)
{
	char msg[480];
	size_t off = 0;

	for (int i = 0; i < e->nthreads && off < sizeof(msg) - 1; i++) {
		struct sim_thread *t = &e->threads[i];
		if (t->state != SIM_T_BLOCKED)
			continue;
		int n;
		if (t->wait_kind == SIM_WAIT_LOCK)
			n = snprintf(msg + off, sizeof(msg) - off, "%s%s waits in %s %s held by %s",
				     off ? "; " : "", t->name, t->wait_op, t->wait_name,
				     lock_holder_name(t->wait_obj));
		else if (t->wait_kind == SIM_WAIT_JOIN)
			n = snprintf(msg + off, sizeof(msg) - off, "%s%s waits to join %s",
				     off ? "; " : "", t->name,
				     ((const struct sim_thread *)t->wait_obj)->name);
		else
			n = snprintf(msg + off, sizeof(msg) - off, "%s%s waits in %s %s",
				     off ? "; " : "", t->name, t->wait_op, t->wait_name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off >= sizeof(msg))
		off = sizeof(msg) - 1;
	msg[off] = 0;
	sim_fail(SIM_KIND_DEADLOCK, "nothing can run: %s", msg);
}

/* Make the pollers in @m runnable again (dpor's polling rule, poll_block()). */
static void poll_wake_all(struct sim_engine *e, uint64_t m)
{
	for (; m; m &= m - 1)
		sim_wake(&e->threads[__builtin_ctzll(m)].next_op);
}

/*
 * dpor's schedule token: the choices as the other strategies see them, where
 * a poll-blocked thread is runnable (it would poll again).  dpor never picks
 * it, so the token replays the same execution under `hmmsim replay`.
 */
static void token_note(struct sim_engine *e, uint64_t plain, int next, int cur)
{
	if (!(plain & (plain - 1)))
		return;
	uint64_t cp = e->choice_points++;
	if (next != sim_default_choice(plain, cur))
		record_choice(e, cp, next);
}

/*
 * dpor refused the next event: a replay that went elsewhere is the engine's
 * failure; otherwise the execution ends here, abandoned (every thread that
 * could go on is asleep, or it entered another shard's subtree or a probe's
 * end).
 */
__attribute__((noreturn)) static void dpor_refused(struct sim_engine *e)
{
	if (e->replay_mismatch)
		sim_fail(SIM_KIND_ENGINE, "%s", e->mismatch_msg);
	e->abandoned = true;
	back_to_host(e);
}

/*
 * Thread @t, which could run since step idle_since, runs now (or still waits
 * when the step bound is reached, unfair_check()): the longest such wait of
 * the execution is kept, unless @t waited at its own sim_yield() (a poller:
 * running it would change nothing it polls; a poll-blocked thread counts as
 * one that could run, as the other strategies would run it).
 */
static inline void idle_end(struct sim_engine *e, const struct sim_thread *t)
{
	uint64_t d = e->steps - t->idle_since;
	if (d > e->starved_for && t->next_op.kind != SIM_OP_YIELD) {
		e->starved = t->id;
		e->starved_for = d;
		e->starved_at = t->idle_since;
	}
}

/*
 * The step bound @bound is reached.  If a thread that could run did not run
 * for at least half of it (it waits still, or it waited and then ran), the
 * execution took that long because of the schedule, not because it cannot
 * finish: a fair scheduler runs that thread, and only a fair non-terminating
 * execution is a livelock (CHESS's rule: Musuvathi and Qadeer, "Fair
 * stateless model checking", PLDI 2008).  The execution is cut there, not
 * reported.
 */
static void unfair_check(struct sim_engine *e, uint64_t bound)
{
	for (uint64_t m = (e->runnable | e->polling) & ~BIT(e->cur->id); m; m &= m - 1)
		idle_end(e, &e->threads[__builtin_ctzll(m)]);
	if (e->starved < 0 || e->starved_for < bound / 2)
		return;
	e->unfair = true;
	if (e->tracing)
		sim_trace(
		    NULL, "cut at the step bound: T%d %s could run and did not run for %llu steps",
		    e->starved, e->threads[e->starved].name, (unsigned long long)e->starved_for);
	back_to_host(e);
}

/* Pick the next thread among @choices and switch to it if it is not us. */
static void schedule(struct sim_engine *e, uint64_t choices, bool yielding)
{
	struct sim_thread *cur = e->cur;
	int next;

	if (!choices && e->polling) {
		/* only pollers could go on: they poll again, as elsewhere (a
		 * thread at its own yield lets the others go first) */
		uint64_t m = e->polling & ~BIT(cur->id);
		poll_wake_all(e, m ? m : e->polling);
		choices = e->runnable & (m ? ~BIT(cur->id) : ~0ull);
	}
	if (e->dpor)
		sim_dpor_event_end(e);
	if (!choices) {
		if (e->live == 0)
			back_to_host(e);
		deadlock(e);
	}
	uint64_t plain = choices | (e->polling & ~BIT(cur->id));
	if (!(choices & (choices - 1))) {
		next = __builtin_ctzll(choices);
		if (plain != choices)
			token_note(e, plain, next, cur->id);
	} else {
		int def = sim_default_choice(choices, cur->id);
		if (e->dpor) {
			next = e->strat->choose(e, choices, def, yielding);
			token_note(e, plain, next, cur->id);
		} else {
			uint64_t cp = e->choice_points++;
			next = e->strat->choose(e, choices, def, yielding);
			if (next != def)
				record_choice(e, cp, next);
		}
		if (next != cur->id && (choices & (1ull << cur->id))) {
			e->preemptions++;
			if (e->tracing)
				sim_trace_preempt(cur->id, next);
		}
		if (e->replay_mismatch)
			sim_fail(SIM_KIND_ENGINE, "%s", e->mismatch_msg);
	}
	if (next != cur->id) { /* a thread that goes on is not waiting */
		idle_end(e, &e->threads[next]);
		e->threads[next].idle_since = e->steps;
		cur->idle_since = e->steps;
	}
	if (e->dpor && !sim_dpor_event_begin(e, next, choices, yielding))
		dpor_refused(e);
	if (next != cur->id) {
		struct sim_thread *to = &e->threads[next];
		sim_cov_switch(cur->id, next, (choices >> cur->id) & 1);
		bool dead = cur->state == SIM_T_DONE;
		e->cur = to;
		sim_fiber_switch(&cur->fiber, &to->fiber, dead);
	}
}

static inline void count_step(struct sim_engine *e)
{
	if (++e->steps == e->hook_step)
		e->strat->on_step(e);
	if (e->steps > e->step_bound) {
		uint64_t bound = e->step_bound;
		unfair_check(e, bound);
		e->step_bound = UINT64_MAX; /* the report itself must not trip it */
		sim_fail(SIM_KIND_LIVELOCK,
			 "no progress: the execution took %llu scheduling points without "
			 "finishing (step bound %llu)",
			 (unsigned long long)(e->steps - 1), (unsigned long long)bound);
	}
}

void sim_sched_point(void)
{
	struct sim_engine *e = &sim_eng;
	sim_engine_require("a primitive");
	count_step(e);
	schedule(e, e->runnable, false);
}

void sim_sched_op(const void *obj, enum sim_op_kind kind, const char *name, const char *site)
{
	struct sim_engine *e = &sim_eng;
	sim_engine_require("a primitive");
	e->cur->next_op = (struct sim_op){obj, (uint8_t)kind, name, site};
	sim_cov_op(e->cur->id, kind);
	count_step(e);
	schedule(e, e->runnable, false);
}

/*
 * dpor only: end the current thread's event and begin its next one, which
 * announces @kind on @obj, with no scheduling point between them (no other
 * thread can run there; the other strategies see one step, so replay tokens
 * do not change).  For an operation in two parts whose second part only
 * waits for what the first part saw (a grace period's end): the first part
 * alone commutes with more than both together do.
 */
void sim_dpor_event_split(const void *obj, enum sim_op_kind kind, const char *name,
			  const char *site)
{
	struct sim_engine *e = &sim_eng;
	if (!e->dpor)
		return;
	e->cur->next_op = (struct sim_op){obj, (uint8_t)kind, name, site};
	if (!sim_dpor_event_next(e))
		dpor_refused(e);
}

/*
 * dpor only: a polling thread whose last round changed nothing and saw
 * nothing change waits, as if blocked, until another thread writes what it
 * read (sim_wake() of its next_op, from dpor.c); nothing left to write it is
 * a livelock (deadlock() below).
 */
static void poll_block(struct sim_engine *e)
{
	struct sim_thread *t = e->cur;
	t->state = SIM_T_BLOCKED;
	t->wait_obj = &t->next_op;
	t->wait_kind = SIM_WAIT_POLL;
	t->wait_op = "sim_yield";
	t->wait_name = "what it polls";
	e->runnable &= ~BIT(t->id);
	e->blocked |= BIT(t->id);
	e->polling |= BIT(t->id);
	schedule(e, e->runnable, false);
}

/*
 * A commuting section (sim_lock_sections_commute()) is ordered against
 * another one of its lock only by what the two contain: sound while neither
 * waits for something another thread does outside its sections (the order
 * of the sections would then decide whether it waits for ever).  A spinlock
 * section never does in the kernel; a model that does is told so here.
 */
void sim_dpor_section_waits(const char *what)
{
	const struct sim_thread *t = sim_eng.cur;
	const char *lock = "?";
	for (int i = (int)t->nheld - 1; i >= 0; i--)
		if (((const struct sim_lockstate *)t->held[i].lock)->commuting) {
			lock = t->held[i].name;
			break;
		}
	sim_fail(SIM_KIND_POR_CHECK,
		 "%s by T%d %s inside a section of %s, whose data is annotated "
		 "(sim_spin_annotated()): dpor orders its sections by their contents, which is "
		 "unsound for a section that waits (--order-sections orders them all)",
		 what, t->id, t->name, lock);
}

void sim_sched_yield_point(const void *site)
{
	struct sim_engine *e = &sim_eng;
	sim_engine_require("sim_yield");
	if (e->cur->la_sections)
		sim_dpor_section_waits("sim_yield()");
	e->cur->next_op = (struct sim_op){NULL, SIM_OP_YIELD, NULL, "sim_yield"};
	count_step(e);
	if (e->dpor && sim_dpor_poll_blocks(e, site)) {
		poll_block(e);
		return;
	}
	if (e->polling && !(e->runnable & ~BIT(e->cur->id)))
		poll_wake_all(e, e->polling); /* they are the others this yield lets go first */
	uint64_t others = e->runnable & ~BIT(e->cur->id);
	if (others && e->strat->on_yield)
		e->strat->on_yield(e);
	schedule(e, others ? others : e->runnable, others != 0);
}

void sim_block(const void *obj, enum sim_wait_kind kind, const char *op, const char *name)
{
	struct sim_engine *e = &sim_eng;
	struct sim_thread *t = e->cur;

	if (t->la_sections && kind != SIM_WAIT_LOCK)
		sim_dpor_section_waits(op);
	t->state = SIM_T_BLOCKED;
	t->wait_obj = obj;
	t->wait_kind = kind;
	t->wait_op = op;
	t->wait_name = name;
	e->runnable &= ~BIT(t->id);
	e->blocked |= BIT(t->id);
	if (kind == SIM_WAIT_LOCK)
		sim_cov_lock(name);
	if (e->dpor)
		sim_dpor_blocked();
	count_step(e);
	schedule(e, e->runnable, false);
}

void sim_wake(const void *obj)
{
	struct sim_engine *e = &sim_eng;
	for (uint64_t m = e->blocked; m; m &= m - 1) {
		struct sim_thread *t = &e->threads[__builtin_ctzll(m)];
		if (t->wait_obj != obj)
			continue;
		t->state = SIM_T_RUNNABLE;
		t->wait_obj = NULL;
		if (!(e->polling & BIT(t->id)))
			t->idle_since = e->steps; /* a poller was runnable for the others */
		e->polling &= ~BIT(t->id);
		sim_dpor_edge(t); /* the woken retry happens after this event */
		e->blocked &= ~BIT(t->id);
		e->runnable |= BIT(t->id);
	}
}

static void thread_entry(void *arg)
{
	struct sim_thread *t = arg;
	struct sim_engine *e = &sim_eng;

	sim_fiber_started(&t->fiber);
	t->fn(t->arg);
	if (e->tracing)
		sim_trace(NULL, "exit");
	sim_dpor_touch(t, SIM_OP_EXIT, t->name, "thread exit");
	t->state = SIM_T_DONE;
	e->live--;
	e->runnable &= ~BIT(t->id);
	sim_wake(t); /* joiners */
	count_step(e);
	schedule(e, e->runnable, false);
	__builtin_unreachable();
}

int sim_spawn_internal(const char *name, sim_thread_fn fn, void *arg)
{
	struct sim_engine *e = &sim_eng;
	if (e->nthreads == SIM_MAX_THREADS)
		sim_fail(SIM_KIND_ENGINE, "more than %d threads in one execution", SIM_MAX_THREADS);
	int id = e->nthreads++;
	struct sim_thread *t = &e->threads[id];
	t->id = id;
	t->state = SIM_T_RUNNABLE;
	t->name = name;
	t->fn = fn;
	t->arg = arg;
	t->wait_obj = NULL;
	t->rcu_nesting = 0;
	t->rcu_sections = 0;
	t->rcu_gp_waiters = 0;
	t->rcu_gp_vc = NULL;
	t->spin_depth = 0;
	t->nheld = 0;
	t->next_op = (struct sim_op){NULL, SIM_OP_NONE, NULL, "thread start"};
	t->dpor_pend = -1;
	t->dpor_locks = 0;
	t->la_sections = 0;
	t->idle_since = e->steps;
	sim_dpor_edge(t); /* its first event happens after the spawn */
	sim_dpor_touch(&e->nthreads, SIM_OP_SPAWN, "the thread table", "spawn");
	if (e->ora_races)
		sim_ora_spawn(e->cur, t); /* the parent's clock; none for main */
	if (sim_fiber_prepare(&t->fiber, (unsigned int)id, thread_entry, t))
		sim_oom("a simulated thread's stack (mmap)");
	e->live++;
	e->runnable |= BIT(id);
	if (e->strat->on_spawn)
		e->strat->on_spawn(e, id);
	return id;
}

void sim_engine_setup(const struct sim_scenario *sc, const struct sim_strategy_ops *ops,
		      void *state, unsigned long step_bound)
{
	struct sim_engine *e = &sim_eng;
	if (!e->arena_ready) {
		if (sim_arena_init(&e->arena))
			sim_oom("the memory of executions (its arena)");
		e->arena_ready = true;
	}
	e->sc = sc;
	e->strat = ops;
	e->strat_state = state;
	e->dpor = ops == &sim_dpor_ops;
	e->sections_ordered = false; /* dpor_begin() sets it for a covering bound */
	if (!step_bound)
		step_bound = sc->step_bound ? sc->step_bound : SIM_DEFAULT_STEP_BOUND;
	e->step_bound = step_bound;
}

static void main_thread(void *arg)
{
	const struct sim_scenario *sc = arg;
	sc->main(sc->arg);
}

/* Run execution @index of the current run to its end. */
void sim_run_execution(uint64_t index)
{
	struct sim_engine *e = &sim_eng;
	uint64_t bound = e->step_bound;

	sim_arena_reset(&e->arena);
	e->nthreads = e->live = 0;
	e->runnable = e->blocked = e->polling = 0;
	e->steps = e->choice_points = 0;
	e->preemptions = 0;
	e->hook_step = 0;
	e->next_obj_id = 0;
	e->failed = false;
	e->abandoned = false;
	e->unfair = false;
	e->starved = -1;
	e->starved_for = e->starved_at = 0;
	e->replay_mismatch = false;
	e->fail_kind[0] = e->fail_msg[0] = 0;
	e->rcu_readers = 0;
	e->rcu_cbs = NULL;
	e->rcu_cbs_tail = &e->rcu_cbs;
	e->rcu_queued = e->rcu_done = 0;
	e->rcu_gp_alive = false;
	e->nrec = 0;
	e->cur = NULL;
	sim_cov_exec_begin();
	/*
	 * dpor compares object addresses across executions (sleep sets, and the
	 * object table it keeps for the replayed prefix): the race oracle's
	 * table, in execution memory, must start at the same size in every
	 * execution, or everything allocated after it moves.
	 */
	if (e->dpor)
		e->ora.hint = 0;
	sim_ora_exec_begin();
	sim_fiber_init_host(&e->host);
	e->strat->begin(e, index);
	e->in_execution = true;

	struct sim_thread *t0 = &e->threads[sim_spawn_internal("main", main_thread, (void *)e->sc)];
	e->cur = t0;
	if (e->dpor)
		sim_dpor_event_begin(e, t0->id, BIT(t0->id), false);
	sim_fiber_switch(&e->host, &t0->fiber, false);

	e->in_execution = false;
	if (e->dpor)
		sim_dpor_exec_done(e);
	if (e->want_hash)
		e->final_hash = sim_arena_hash(&e->arena) ^ (uint64_t)e->failed;
	e->step_bound = bound;
	for (int i = 0; i < e->nthreads; i++)
		sim_fiber_forget(&e->threads[i].fiber);
}

/* ---- the thread part of the public API ---------------------------------- */

int sim_thread_spawn_at(const char *name, sim_thread_fn fn, void *arg, const char *site)
{
	sim_sched_op(&sim_eng.nthreads, SIM_OP_SPAWN, "the thread table", "spawn");
	int id = sim_spawn_internal(name, fn, arg);
	if (sim_eng.tracing)
		sim_trace(site, "spawn %s", name);
	return id;
}

void sim_thread_join_at(int tid, const char *site)
{
	struct sim_engine *e = &sim_eng;
	sim_sched_op(tid >= 0 && tid < SIM_MAX_THREADS ? &e->threads[tid] : NULL, SIM_OP_JOIN,
		     "a thread", "join");
	if (tid < 0 || tid >= e->nthreads || tid == e->cur->id)
		sim_fail(SIM_KIND_ENGINE, "join of thread %d, which is not a joinable thread", tid);
	struct sim_thread *t = &e->threads[tid];
	if (e->ora_might_sleep)
		sim_ora_might_sleep("join", t->name, site, true);
	if (t->state != SIM_T_DONE) {
		if (e->tracing)
			sim_trace(site, "join %s: waits", t->name);
		while (t->state != SIM_T_DONE)
			sim_block(t, SIM_WAIT_JOIN, "join", t->name);
	}
	if (e->ora_races)
		sim_ora_join(t);
	if (e->tracing)
		sim_trace(site, "joined %s", t->name);
}

void sim_yield_at(const char *site)
{
	sim_sched_yield_point(__builtin_return_address(0));
	if (sim_eng.tracing)
		sim_trace(site, "yield");
}

int sim_self(void)
{
	sim_engine_require("sim_self");
	return sim_eng.cur->id;
}

void *sim_alloc(size_t size)
{
	sim_engine_require("sim_alloc");
	sim_dpor_touch(&sim_eng.arena, SIM_OP_ALLOC, "the allocator", "sim_alloc");
	return sim_arena_alloc(&sim_eng.arena, size);
}

bool sim_tracing(void)
{
	return sim_eng.tracing;
}

void sim_event_at(const char *file, int line, const char *fmt, ...)
{
	if (!sim_eng.tracing)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim_trace_event_at(file, line, "%s", buf);
}

void(sim_event)(const char *fmt, ...)
{
	if (!sim_eng.tracing)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim_trace(NULL, "%s", buf);
}
