// SPDX-License-Identifier: MIT
/*
 * dpor's race profile (explore --race-profile; docs/dpor.md, "Where the
 * executions come from"): which pairs of racing operations the tree's
 * executions come from.  Every alternative a race adds to a node of the
 * exploration stack remembers the pair of operations that raced (each named
 * by the model function that did it, what it did and to what); the
 * execution that later begins with that alternative is counted for the
 * pair.  The executions that no race began (the first, the alternatives a
 * covering bound or the split adds at every context switch, those of an
 * execution cut short by a violation) are counted apart, so the counts add
 * up to the run's executions.
 *
 * Labels are kept per footprint item (a name and a model function, static
 * strings or names that live as long as their object), copied into the
 * pair table as text: objects are freed between executions, their labels
 * are not.
 */
#include <stdio.h>
#include <string.h>

#include "dpor_internal.h"

struct dpor_label {
	const char *name, *site;
};

struct prof_pair {
	char *a, *b; /* a <= b (strcmp): a race and its reverse are one pair */
	uint64_t hash, executions;
};

struct dpor_prof {
	struct dpor_label *lab; /* per footprint item, as s->items */
	size_t caplab;
	uint32_t *cause; /* per node and thread: 1 + the pair whose race added it */
	size_t capcause;
	struct prof_pair *pairs; /* open addressing on hash */
	uint32_t *slot;		 /* 1 + index into pairs, 0: empty */
	size_t npairs, cappairs, nslots;
	uint32_t cur;	  /* the race being checked (1 + pair), 0: none */
	uint32_t pending; /* the pair that began the execution running */
	uint64_t other;	  /* executions no race began */
};

static void *prof_grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t old = *cap, n = old ? old : 64;
	while (n < need)
		n *= 2;
	p = realloc(p, n * elem);
	if (!p)
		abort();
	memset((char *)p + old * elem, 0, (n - old) * elem);
	*cap = n;
	return p;
}

void sim_dpor_profile_on(struct sim_dpor_state *s)
{
	if (!s->prof) {
		s->prof = calloc(1, sizeof(*s->prof));
		if (!s->prof)
			abort();
	}
}

void dpor_prof_free(struct dpor_prof *p)
{
	if (!p)
		return;
	for (size_t k = 0; k < p->npairs; k++) {
		free(p->pairs[k].a);
		free(p->pairs[k].b);
	}
	free(p->pairs);
	free(p->slot);
	free(p->lab);
	free(p->cause);
	free(p);
}

void dpor_prof_label(struct sim_dpor_state *s, size_t item, const char *name, const char *site)
{
	struct dpor_prof *p = s->prof;
	p->lab = prof_grow(p->lab, &p->caplab, item + 1, sizeof(*p->lab));
	p->lab[item] = (struct dpor_label){name, site};
}

void dpor_prof_node(struct sim_dpor_state *s, size_t node)
{
	struct dpor_prof *p = s->prof;
	p->cause =
	    prof_grow(p->cause, &p->capcause, (node + 1) * SIM_MAX_THREADS, sizeof(*p->cause));
	memset(p->cause + node * SIM_MAX_THREADS, 0, SIM_MAX_THREADS * sizeof(*p->cause));
}

/* "model_function: what object": the object's name without its & and
 * parentheses (it is the expression the model passed). */
static void label_text(char *buf, size_t len, const struct dpor_label *l, uint8_t kind, int tid)
{
	const char *who = tid < sim_eng.nthreads ? sim_eng.threads[tid].name : NULL;
	const char *name = l->name ? l->name : "?";
	size_t n = strlen(name);
	while (n && (*name == '(' || *name == '&')) {
		if (*name == '(' && name[n - 1] == ')')
			n--;
		name++;
		n--;
	}
	snprintf(buf, len, "%s: %s %.*s (%s)", l->site ? l->site : "?", sim_dpor_op_name(kind),
		 (int)n, name, who ? who : "?");
}

void dpor_prof_item_text(const struct sim_dpor_state *s, size_t item, uint8_t kind, int tid,
			 char *buf, size_t len)
{
	static const struct dpor_label none;
	const struct dpor_prof *p = s->prof;
	label_text(buf, len, p && item < p->caplab ? &p->lab[item] : &none, kind, tid);
}

static uint64_t text_hash(uint64_t h, const char *t)
{
	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static void rehash(struct dpor_prof *p)
{
	size_t n = p->nslots ? 2 * p->nslots : 256;
	free(p->slot);
	p->slot = calloc(n, sizeof(*p->slot));
	if (!p->slot)
		abort();
	p->nslots = n;
	for (size_t k = 0; k < p->npairs; k++) {
		size_t h = p->pairs[k].hash & (n - 1);
		while (p->slot[h])
			h = (h + 1) & (n - 1);
		p->slot[h] = (uint32_t)k + 1;
	}
}

static uint32_t pair_of(struct dpor_prof *p, const char *x, const char *y)
{
	if (strcmp(x, y) > 0) {
		const char *t = x;
		x = y;
		y = t;
	}
	uint64_t h = text_hash(text_hash(1469598103934665603ull, x), y);
	if (2 * (p->npairs + 1) > p->nslots)
		rehash(p);
	size_t k = h & (p->nslots - 1);
	for (; p->slot[k]; k = (k + 1) & (p->nslots - 1)) {
		struct prof_pair *e = &p->pairs[p->slot[k] - 1];
		if (e->hash == h && !strcmp(e->a, x) && !strcmp(e->b, y))
			return p->slot[k];
	}
	p->pairs = prof_grow(p->pairs, &p->cappairs, p->npairs + 1, sizeof(*p->pairs));
	struct prof_pair *e = &p->pairs[p->npairs];
	*e = (struct prof_pair){strdup(x), strdup(y), h, 0};
	if (!e->a || !e->b)
		abort();
	p->slot[k] = (uint32_t)++p->npairs;
	return p->slot[k];
}

/* Event @e's item on @obj, or NULL. */
static const struct dpor_fp_item *item_on(const struct sim_dpor_state *s, size_t e, const void *obj,
					  size_t *idx)
{
	const struct dpor_event *ev = &s->ev[e];
	for (uint32_t k = 0; k < ev->fp_n; k++)
		if (s->items[ev->fp_start + k].obj == obj) {
			*idx = ev->fp_start + k;
			return &s->items[*idx];
		}
	return NULL;
}

void dpor_prof_race(struct sim_dpor_state *s, size_t e, size_t i, size_t item)
{
	struct dpor_prof *p = s->prof;
	static const struct dpor_label none = {"?", "?"};
	const struct dpor_fp_item *it = &s->items[item];
	size_t ie = 0;
	const struct dpor_fp_item *ot = item_on(s, e, it->obj, &ie);
	char x[256], y[256];

	label_text(x, sizeof(x), ot && ie < p->caplab ? &p->lab[ie] : &none,
		   ot ? ot->kind : SIM_OP_NONE, s->ev[e].tid);
	label_text(y, sizeof(y), item < p->caplab ? &p->lab[item] : &none, it->kind, s->ev[i].tid);
	p->cur = pair_of(p, x, y);
}

void dpor_prof_alt(struct sim_dpor_state *s, size_t node, int q)
{
	struct dpor_prof *p = s->prof;
	if (!p->cur || (node + 1) * SIM_MAX_THREADS > p->capcause)
		return;
	p->cause[node * SIM_MAX_THREADS + (size_t)q] = p->cur;
}

void dpor_prof_take(struct sim_dpor_state *s, size_t node, int q)
{
	struct dpor_prof *p = s->prof;
	p->pending = (node + 1) * SIM_MAX_THREADS <= p->capcause
			 ? p->cause[node * SIM_MAX_THREADS + (size_t)q]
			 : 0;
}

void dpor_prof_exec(struct sim_dpor_state *s, bool counted)
{
	struct dpor_prof *p = s->prof;
	if (counted && p->pending)
		p->pairs[p->pending - 1].executions++;
	else if (counted)
		p->other++;
	p->pending = 0;
}

static int by_executions(const void *x, const void *y)
{
	const struct sim_race_pair *a = x, *b = y;
	if (a->executions != b->executions)
		return a->executions < b->executions ? 1 : -1;
	int c = strcmp(a->a, b->a);
	return c ? c : strcmp(a->b, b->b);
}

void sim_race_pairs_sort(struct sim_race_pair *p, unsigned int n)
{
	if (n)
		qsort(p, n, sizeof(*p), by_executions);
}

unsigned int sim_dpor_profile(const struct sim_dpor_state *s, struct sim_race_pair **out,
			      uint64_t *other)
{
	const struct dpor_prof *p = s->prof;
	*out = NULL;
	*other = p ? p->other : 0;
	if (!p || !p->npairs)
		return 0;
	struct sim_race_pair *r = calloc(p->npairs, sizeof(*r));
	unsigned int n = 0;
	if (!r)
		abort();
	for (size_t k = 0; k < p->npairs; k++) {
		if (!p->pairs[k].executions)
			continue; /* its alternatives were there already, or asleep */
		r[n] = (struct sim_race_pair){strdup(p->pairs[k].a), strdup(p->pairs[k].b),
					      p->pairs[k].executions};
		if (!r[n++].a || !r[n - 1].b)
			abort();
	}
	sim_race_pairs_sort(r, n);
	*out = r;
	return n;
}
