// SPDX-License-Identifier: MIT
/*
 * How far along is a dpor run: the estimate of the executions of its whole
 * tree shown on the progress line and as estimated_total, and the old one
 * bench/dpor compares it with (docs/dpor.md, "How far along is it").
 * Both read the exploration stack of the execution that just ended.
 */
#include "dpor_internal.h"

/*
 * The old estimate (bench/dpor compares it): Knuth's product of the widths
 * along the execution, averaged over the executions so far.  Far off (2x to
 * 2,600x): an execution of a depth-first order is no random probe, and a
 * node's later branches, with more sleepers, are much smaller than its first.
 */
double dpor_knuth_estimate(const struct sim_dpor_state *s)
{
	double est = 1;
	for (size_t j = 0; j < s->nnodes; j++) {
		const struct dpor_node *n = &s->nodes[j];
		if (n->chosen < 0)
			continue;
		est *= __builtin_popcountll(n->backtrack | n->done | BIT(n->chosen));
	}
	return est;
}

/* Average the old estimate too (bench/dpor; an O(depth) walk per execution). */
void sim_dpor_knuth_on(struct sim_dpor_state *s, bool on)
{
	s->knuth = on;
}

/* Alternatives at @n still to explore, as far as the races found so far say. */
static unsigned int alternatives_left(const struct sim_dpor_state *s, const struct dpor_node *n)
{
	uint64_t cand = n->backtrack & n->enabled & ~n->done & ~n->sleep & ~BIT(n->chosen);
	unsigned int k = 0;
	for (; cand; cand &= cand - 1)
		if (s->bound == UINT32_MAX ||
		    n->preempts + preempt_cost(n, __builtin_ctzll(cand)) <= s->bound)
			k++;
	return k;
}

/*
 * The size of an alternative left at @n, the branch being explored being
 * estimated at @cur: the average branch of @n explored so far, or, when
 * none has ended yet, @cur.  Above the split (--jobs, --shard), where every
 * awake thread is an alternative, not only those a race asked for, they
 * count as empty until one has ended: most of them are sleep-set blocked
 * at once or small, and taking them as large as the first (the branch with
 * the fewest sleepers) multiplied the estimate by up to the product of the
 * widths of the split's nodes (364,000x on readers-8).  Their average
 * counts this shard's executions only (another shard's subtree is a probe:
 * none), so it is this shard's share of them, and the shards' estimates add
 * up to one of the whole tree (`hmmsim merge`, the progress line of --jobs).
 */
static double branch_size(const struct sim_dpor_state *s, const struct dpor_node *n, double cur)
{
	if (n->nsub)
		return (double)n->sub_done / n->nsub;
	return above_split(s, n) ? 0 : cur;
}

/*
 * The executions of the whole tree, estimated on the stack of the execution
 * that just ended (@leaf: 1, or 0 when it was sleep-set blocked), from its
 * deepest node up: the subtree of node j is its branches explored so far
 * (their executions counted), the branch being explored (the estimate of the
 * node below), and the alternatives left, each as large as branch_size()
 * says.  Measured sizes replace Knuth's extrapolation wherever the
 * depth-first order has measured one, and the estimate is exact when the
 * run ends.  It does not see the alternatives that races found later will
 * add (docs/dpor.md, "How far along is it").  In a split run it is this
 * shard's part of the tree.
 */
double dpor_tree_estimate(const struct sim_dpor_state *s, unsigned int leaf)
{
	double est = leaf;
	for (size_t j = s->nnodes; j-- > 0;) {
		const struct dpor_node *n = &s->nodes[j];
		if (n->chosen < 0 || j >= s->nev)
			continue;
		double avg = branch_size(s, n, est);
		est = estimate_node((double)n->sub_done, est, alternatives_left(s, n), avg);
	}
	return est;
}

/* The run's figures, the estimates among them. */
void sim_dpor_stats(const struct sim_dpor_state *s, struct sim_dpor_stats *st)
{
	st->sleep_blocked = s->sleep_blocked;
	st->races = s->races;
	st->max_depth = s->max_depth;
	st->bookkeeping = s->bookkeeping;
	st->estimate = s->estimate;
	st->knuth_mean = s->executions ? s->est_sum / (double)s->executions : 0;
	st->cut = s->cut;
}
