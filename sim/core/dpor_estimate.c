// SPDX-License-Identifier: MIT
/*
 * How far along is a dpor run: the estimate of the executions of its whole
 * tree shown on the progress line and as estimated_total, and the old one
 * bench/dpor compares it with (docs/engine.md, "How far along is it").
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
 * The executions of the whole tree, estimated on the stack of the execution
 * that just ended (@leaf: 1, or 0 when it was sleep-set blocked), from its
 * deepest node up: the subtree of node j is its branches explored so far
 * (their executions counted), the branch being explored (the estimate of the
 * node below), and the alternatives left, each as large as the average
 * explored branch of j (or, when none is done yet, the branch being
 * explored).  Measured sizes replace Knuth's extrapolation wherever the
 * depth-first order has measured one, and the estimate is exact when the
 * run ends.  It does not see the alternatives that races found later will
 * add (docs/engine.md, "How far along is it").
 */
double dpor_tree_estimate(const struct sim_dpor_state *s, unsigned int leaf)
{
	double est = leaf;
	for (size_t j = s->nnodes; j-- > 0;) {
		const struct dpor_node *n = &s->nodes[j];
		if (n->chosen < 0 || j >= s->nev)
			continue;
		double avg = n->nsub ? (double)n->sub_done / n->nsub : est;
		est = (double)n->sub_done + est + alternatives_left(s, n) * avg;
	}
	return est;
}
