// SPDX-License-Identifier: MIT
/*
 * The dfs strategy: exhaustive depth-first enumeration of the schedules with
 * at most P preemptions (a switch away from a thread that could continue),
 * as CHESS does; no partial-order reduction (that is dpor.c).
 *
 * Iterative context bounding (Musuvathi and Qadeer, PLDI 2007): sim_explore()'s
 * dfs runs round 0, then 1, ... up to P, and round k runs exactly the
 * schedules with k preemptions, so a bug that needs none is found among the
 * first executions instead of after every deep variation of the first one.
 * No schedule runs twice across rounds:
 *
 *  - the execution that starts from a choice point takes the default
 *    (non-preemptive) pick at every later one, so it has exactly the
 *    preemptions of the path to that point plus the cost of the choice;
 *  - in round k, every backtracking point lies below the round's item (see
 *    below), where the path has k preemptions: an alternative that costs
 *    nothing is explored now, one that preempts would make k + 1, and goes
 *    to the frontier of round k + 1 as an item: the non-default choices of the
 *    path above it, and itself;
 *  - round k + 1 takes its items in the order they were found; each one's
 *    first execution replays the item's prefix (never backtracked again) and
 *    its choice, and the dfs below it runs as in round k.
 *
 * A schedule with k preemptions is then run once: in round k, below the item
 * made at its k-th preemption, in the round k - 1 subtree that holds its
 * first k - 1 (by induction; round 0 is the tree's root).  The set of schedules
 * is that of the single bound-P tree (sim_dfs_state.single: minimization and
 * tests), only the order differs.  The frontier holds one item per subtree of
 * the next round (16 bytes), and each item's prefix is shared by the items
 * found at the end of the same execution.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dfs_begin(struct sim_engine *e, uint64_t index)
{
	struct sim_dfs_state *s = e->strat_state;
	s->preempts = 0;
	s->ipre = 0;
}

static void *grow(void *p, size_t *cap, size_t want, size_t size, const char *what)
{
	if (want <= *cap)
		return p;
	size_t c = *cap ? *cap : 1024;
	while (c < want)
		c *= 2;
	p = realloc(p, c * size);
	if (!p)
		sim_oom(what);
	*cap = c;
	return p;
}

static int dfs_mismatch(struct sim_engine *e, struct sim_dfs_state *s, uint64_t cp, int def)
{
	s->nondeterministic = true;
	e->replay_mismatch = true;
	snprintf(e->mismatch_msg, sizeof(e->mismatch_msg),
		 "nondeterministic scenario: choice point %llu differs between executions",
		 (unsigned long long)cp);
	return def;
}

/* A new node at @cp: the default pick, or the round's item's prefix above base. */
static int dfs_new_node(struct sim_engine *e, struct sim_dfs_state *s, uint64_t cp,
			uint64_t choices, int def)
{
	int cur = e->cur->id, pick = def;
	bool fixed = cp < s->base;

	if (fixed && cp + 1 == s->base)
		pick = s->item_tid;
	else if (fixed && s->ipre < s->npre && s->pre[s->ipre].cp == cp)
		pick = s->pre[s->ipre++].tid;
	if (!((choices >> pick) & 1))
		return dfs_mismatch(e, s, cp, def);
	s->nodes = grow(s->nodes, &s->cap, s->n + 1, sizeof(*s->nodes),
			"the dfs strategy's choices of one execution");
	s->nodes[s->n++] = (struct sim_dfs_node){
	    .choices = choices,
	    .tried = fixed ? choices : 1ull << pick, /* the prefix never backtracks */
	    .chosen = pick,
	    .cur = cur,
	    .preempts_before = s->preempts,
	};
	return pick;
}

static int dfs_choose(struct sim_engine *e, uint64_t choices, int def, bool yielding)
{
	struct sim_dfs_state *s = e->strat_state;
	uint64_t cp = e->choice_points - 1;
	int cur = e->cur->id;
	int pick;

	if (cp < s->nforced) {
		struct sim_dfs_node *n = &s->nodes[cp];
		if (n->choices != choices || n->cur != cur)
			return dfs_mismatch(e, s, cp, def);
		pick = n->chosen;
	} else {
		pick = dfs_new_node(e, s, cp, choices, def);
		if (s->nondeterministic)
			return pick;
	}
	if ((choices & (1ull << cur)) && pick != cur)
		s->preempts++;
	return pick;
}

/*
 * Node @at's alternative @tid goes to the next round: its prefix is the
 * path's non-default choices above it, stored once per execution (@stored).
 */
static void dfs_push(struct sim_dfs_state *s, size_t at, int tid, bool *stored)
{
	struct sim_dfs_frontier *f = &s->next;

	if (!*stored) {
		f->path = f->npool;
		for (size_t i = 0; i < at; i++) {
			const struct sim_dfs_node *n = &s->nodes[i];
			if (n->chosen == sim_default_choice(n->choices, n->cur))
				continue;
			f->pool = grow(f->pool, &f->cappool, f->npool + 1, sizeof(*f->pool),
				       "the dfs frontier of the next bound");
			f->pool[f->npool++] = (struct sim_choice){i, n->chosen};
		}
		*stored = true;
	}
	size_t npre = 0;
	while (f->path + npre < f->npool && f->pool[f->path + npre].cp < at)
		npre++;
	if (f->npool > UINT32_MAX || at > UINT32_MAX)
		sim_oom("the dfs frontier of the next bound (over 2^32 choices)");
	f->items = grow(f->items, &f->cap, f->n + 1, sizeof(*f->items),
			"the dfs frontier of the next bound");
	f->items[f->n++] = (struct sim_dfs_item){
	    .pool = (uint32_t)f->path, .npre = (uint32_t)npre, .cp = (uint32_t)at, .tid = tid};
}

/* The next item of the round, or of the next round: false when none is left. */
static bool dfs_next_item(struct sim_dfs_state *s)
{
	if (s->item == s->now.n) {
		s->completed = (int)s->round;
		if (s->round == s->bound || !s->next.n) {
			if (!s->next.n)
				s->completed = (int)s->bound; /* no schedule has more */
			return false;
		}
		struct sim_dfs_frontier t = s->now;
		s->now = s->next;
		s->next = t;
		s->next.n = s->next.npool = 0;
		s->round++;
		s->item = 0;
	}
	const struct sim_dfs_item *it = &s->now.items[s->item++];
	s->pre = s->now.pool + it->pool;
	s->npre = it->npre;
	s->base = it->cp + 1;
	s->item_tid = it->tid;
	s->n = s->nforced = 0;
	return true;
}

/* The deepest choice point below the item with an untried alternative within the round. */
static bool dfs_end(struct sim_engine *e)
{
	struct sim_dfs_state *s = e->strat_state;
	unsigned int limit = s->single ? s->bound : s->round;
	bool stored = false;

	if (s->nondeterministic)
		return false;
	if (s->n < s->base) {
		/* A violation may come earlier than in the execution the item
		 * came from (a lock-order cycle closed by an edge a later one
		 * added, with --keep-going): its subtree cannot be reached. */
		if (e->failed)
			return dfs_next_item(s);
		dfs_mismatch(e, s, s->base - 1, 0);
		return false;
	}
	while (s->n > s->base) {
		struct sim_dfs_node *n = &s->nodes[s->n - 1];
		for (uint64_t m = n->choices & ~n->tried; m; m &= m - 1) {
			int t = __builtin_ctzll(m);
			unsigned int cost = ((n->choices >> n->cur) & 1) && t != n->cur;
			n->tried |= 1ull << t;
			if (n->preempts_before + cost <= limit) {
				n->chosen = t;
				s->nforced = s->n;
				return true;
			}
			if (!s->single && s->round < s->bound &&
			    n->preempts_before + cost == s->round + 1)
				dfs_push(s, s->n - 1, t, &stored);
		}
		s->n--;
	}
	s->nforced = 0;
	if (s->single) {
		s->completed = (int)s->bound;
		return false;
	}
	return dfs_next_item(s);
}

void sim_dfs_init(struct sim_dfs_state *s, unsigned int bound, bool single)
{
	memset(s, 0, sizeof(*s));
	s->bound = bound;
	s->single = single;
	s->completed = -1;
}

void sim_dfs_free(struct sim_dfs_state *s)
{
	free(s->nodes);
	free(s->now.items);
	free(s->now.pool);
	free(s->next.items);
	free(s->next.pool);
	s->nodes = NULL;
	memset(&s->now, 0, sizeof(s->now));
	memset(&s->next, 0, sizeof(s->next));
	s->n = s->cap = s->nforced = 0;
}

const struct sim_strategy_ops sim_dfs_ops = {
    .name = "dfs",
    .begin = dfs_begin,
    .choose = dfs_choose,
    .end = dfs_end,
};
