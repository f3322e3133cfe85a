// SPDX-License-Identifier: MIT
/*
 * Scenario files, the parser (as SQLite's parse.y): the words of each line
 * into the program (scenario_int.h), checked up front so that a file that
 * loads can only fail at run time in ways the model itself reports.
 *
 * Here: the references a line makes (names declared earlier, ranges inside
 * the declared VMAs, sequences begun in the block), the generic step parser
 * that reads a step's arguments as its row of the step table (steps.c)
 * spells them, repeat frames and restart targets, and the whole-file driver
 * hs_scenario_parse() / _load().  The directives are directives.c's.
 */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

/* The port @t names: a root port, or SWITCH.K (K a downstream port of a
 * PCI switch); -1 when it names none. */
int sc_find_port(const struct hs_program *p, const struct tok *t)
{
	const char *dot;
	unsigned long k = 0;

	if (!t)
		return -1;
	for (int i = 0; i < p->nrp; i++)
		if (sc_tok_is(t, p->rp[i].name))
			return i;
	dot = memrchr(t->s, '.', (size_t)t->len);
	if (!dot || dot + 1 == t->s + t->len)
		return -1;
	for (const char *c = dot + 1; c < t->s + t->len; c++) {
		if (*c < '0' || *c > '9' || k > 1000)
			return -1;
		k = k * 10 + (unsigned long)(*c - '0');
	}
	struct tok sw = {t->s, (int)(dot - t->s), 0};
	for (int i = 0; i < p->npsw; i++)
		if (sc_tok_is(&sw, p->psw[i].name) && k < p->psw[i].nports)
			return PORT_SWITCH + i * HS_PCI_SWITCH_MAX_PORTS + (int)k;
	return -1;
}

/* The kind and line of an existing declaration @t names: a process, device,
 * mirror, thread, host bridge, root port, PCI switch (or one of its ports),
 * or cluster. */
const char *sc_find_decl(struct hs_program *p, const struct tok *t, int *line)
{
	int port = sc_find_port(p, t);

	for (int i = 0; i < p->nhb; i++)
		if (sc_tok_is(t, p->hb[i].name))
			return *line = p->hb[i].line, "a host bridge";
	if (port >= 0 && port < PORT_SWITCH)
		return *line = p->rp[port].line, "a root port";
	if (port >= PORT_SWITCH)
		return *line = p->psw[(port - PORT_SWITCH) / HS_PCI_SWITCH_MAX_PORTS].line,
		       "a port of a PCI switch";
	for (int i = 0; i < p->npsw; i++)
		if (sc_tok_is(t, p->psw[i].name))
			return *line = p->psw[i].line, "a PCI switch";
	for (int i = 0; i < p->ncl; i++)
		if (sc_tok_is(t, p->cl[i].name))
			return *line = p->cl[i].line, "a cluster";
	for (int i = 0; i < p->nproc; i++)
		if (sc_tok_is(t, p->proc[i].name))
			return *line = p->proc[i].line, "a process";
	for (int i = 0; i < p->ndev; i++)
		if (sc_tok_is(t, p->dev[i].name))
			return *line = p->dev[i].line, "a device";
	for (int i = 0; i < p->nmir; i++)
		if (sc_tok_is(t, p->mir[i].name))
			return *line = p->mir[i].line, "a mirror";
	for (int i = 0; i < p->nthread; i++)
		if (sc_tok_is(t, p->thread[i].name))
			return *line = p->thread[i].line, "a thread";
	return NULL;
}

/* A new name for a declaration of @what. */
bool sc_get_new_name(struct parser *P, const char *what, char out[NAME_LEN + 1])
{
	const struct tok *t = sc_peek(P);
	const char *kind;
	int line;

	if (!t || !sc_name_ok(t))
		return sc_perr(
		    P, sc_col_here(P),
		    "expected a %s name (a letter or _, then letters, digits, _ - ., at most "
		    "%d), got %s",
		    what, NAME_LEN, sc_got(P));
	if ((kind = sc_find_decl(P->p, t, &line)))
		return sc_perr(P, sc_col_here(P),
			       "expected a new %s name, got %s (%s declared at line %d)", what,
			       sc_got(P), kind, line);
	memcpy(out, t->s, (size_t)t->len);
	out[t->len] = 0;
	P->i++;
	return true;
}

/* The names declared of a kind, for "expected a mirror (m0, m1), got ...". */
static void list_names(struct hs_program *p, enum ref r, char *buf, size_t len)
{
	int n = r == REF_PROC ? p->nproc : r == REF_DEV ? p->ndev : p->nmir;
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < n && used + 1 < len; i++) {
		const char *nm = r == REF_PROC	? p->proc[i].name
				 : r == REF_DEV ? p->dev[i].name
						: p->mir[i].name;
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", nm);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Whether device @d exists at the step being parsed: it is not hotplug, or
 * the block plugged it already, or this is final and something plugged it. */
static bool dev_present(struct parser *P, int d)
{
	const struct device *dv = &P->p->dev[d];
	return !dv->hotplug ||
	       (dv->plug_line && (dv->plug_blk == P->blk || P->blk == &P->p->final));
}

/* Whether process @pr exists at the step being parsed: it is not fork-of
 * another, or the block forked it already, or this is final and a block did. */
static bool proc_present(struct parser *P, int pr)
{
	const struct process *p = &P->p->proc[pr];
	return !p->forked || (p->fork_line && (p->fork_blk == P->blk || P->blk == &P->p->final));
}

bool sc_get_ref(struct parser *P, enum ref r, int *idx)
{
	static const char *const what[] = {"process", "device", "mirror"};
	struct hs_program *p = P->p;
	const struct tok *t = sc_peek(P);
	int n = r == REF_PROC ? p->nproc : r == REF_DEV ? p->ndev : p->nmir;
	char names[200];

	for (int i = 0; t && i < n; i++) {
		const char *nm = r == REF_PROC	? p->proc[i].name
				 : r == REF_DEV ? p->dev[i].name
						: p->mir[i].name;
		if (sc_tok_is(t, nm)) {
			int d = r == REF_DEV ? i : r == REF_MIR ? p->mir[i].dev : -1;
			if (d >= 0 && P->blk && !P->plugging && !dev_present(P, d))
				return sc_perr(
				    P, sc_col_here(P),
				    r == REF_DEV
					? "expected a device present at this step, got %s (%s is "
					  "hotplug: use it after its plug step, in that block or "
					  "in "
					  "final)"
					: "expected a mirror whose device is present at this step, "
					  "got %s (%s is hotplug: use it after its plug step, in "
					  "that "
					  "block or in final)",
				    sc_got(P), p->dev[d].name);
			int pr = r == REF_PROC ? i : r == REF_MIR ? p->mir[i].proc : -1;
			if (pr >= 0 && P->blk && !P->plugging && !proc_present(P, pr))
				return sc_perr(
				    P, sc_col_here(P),
				    "expected a %s present at this step, got %s (%s is "
				    "fork-of %s: use it after its fork step, in that "
				    "block or in final)",
				    r == REF_PROC ? "process" : "mirror whose process is",
				    sc_got(P), p->proc[pr].name, p->proc[p->proc[pr].parent].name);
			*idx = i;
			P->i++;
			return true;
		}
	}
	list_names(p, r, names, sizeof(names));
	if (!n)
		return sc_perr(P, sc_col_here(P),
			       "expected a %s name (none is declared yet), got %s", what[r],
			       sc_got(P));
	return sc_perr(P, sc_col_here(P), "expected a %s name (%s), got %s", what[r], names,
		       sc_got(P));
}

/* r, rw or none: VM_READ / VM_WRITE. */
bool sc_get_prot(struct parser *P, unsigned int *prot)
{
	if (sc_at(P, "r"))
		*prot = HS_VM_READ;
	else if (sc_at(P, "rw"))
		*prot = HS_VM_READ | HS_VM_WRITE;
	else if (sc_at(P, "none"))
		*prot = 0;
	else
		return sc_perr(P, sc_col_here(P), "expected r, rw or none, got %s", sc_got(P));
	P->i++;
	return true;
}

/* ADDR [PAGES]: a page-aligned range inside the declared VMAs of @proc. */
bool sc_get_range(struct parser *P, int proc, bool with_pages, unsigned long max_pages,
		  unsigned long *addr, unsigned long *npages)
{
	const struct process *pr = &P->p->proc[proc];
	int col = sc_col_here(P);
	const struct tok *t = sc_peek(P);

	if (!t || !sc_num_parse(t, addr))
		return sc_perr(P, col, "expected an address, got %s", sc_got(P));
	if (*addr & (PG - 1))
		return sc_perr(P, col, "expected a page-aligned address, got %s", sc_got(P));
	P->i++;
	*npages = 1;
	if (with_pages && !sc_get_num(P, "a page count", 1, max_pages, npages))
		return false;
	for (unsigned long i = 0; i < *npages; i++) {
		unsigned long a = *addr + i * PG;
		bool in = false;
		for (int v = 0; a >= *addr && v < pr->nvma && !in; v++)
			in = a >= pr->vma[v].start && a < pr->vma[v].start + pr->vma[v].npages * PG;
		if (!in)
			return sc_perr(
			    P, col,
			    "expected a range inside the VMAs of %s, got [%#lx,%#lx) (%#lx is "
			    "outside every VMA)",
			    pr->name, *addr, *addr + *npages * PG, a);
	}
	return true;
}

/* Error names a step can be expected to fail with. */
const struct errname sc_errnames[] = {
    {"EFAULT", EFAULT},		{"EBUSY", EBUSY},   {"EPERM", EPERM},	{"EINVAL", EINVAL},
    {"ENOENT", ENOENT},		{"ENOMEM", ENOMEM}, {"EEXIST", EEXIST}, {"EAGAIN", EAGAIN},
    {"EOPNOTSUPP", EOPNOTSUPP}, {"ENODEV", ENODEV}, {"EIO", EIO},	{"EREMOTEIO", EREMOTEIO},
};
const unsigned int sc_nr_errnames = sizeof(sc_errnames) / sizeof(sc_errnames[0]);

const char *sc_errname(int ret, char *buf, size_t len)
{
	for (size_t i = 0; i < sc_nr_errnames; i++)
		if (ret == -sc_errnames[i].err) {
			snprintf(buf, len, "-%s", sc_errnames[i].name);
			return buf;
		}
	snprintf(buf, len, "%d", ret);
	return buf;
}

/* SEQ of a protocol step: a sequence of this block, begun on @mirror. */
bool sc_get_seq(struct parser *P, int mirror, bool begin, int *seq)
{
	struct block *b = P->blk;
	const struct tok *t = sc_peek(P);

	if (!t || !sc_name_ok(t))
		return sc_perr(P, sc_col_here(P), "expected a sequence name, got %s", sc_got(P));
	for (int i = 0; i < b->nseq; i++)
		if (sc_tok_is(t, b->seq_name[i])) {
			if (b->seq_mirror[i] != mirror)
				return sc_perr(
				    P, sc_col_here(P),
				    "expected a sequence of mirror %s, got %s (begun on %s)",
				    P->p->mir[mirror].name, sc_got(P),
				    P->p->mir[b->seq_mirror[i]].name);
			*seq = i;
			P->i++;
			return true;
		}
	if (!begin)
		return sc_perr(
		    P, sc_col_here(P),
		    "expected a sequence begun by an earlier read-begin in this block, got %s",
		    sc_got(P));
	if (b->nseq == MAX_SEQS)
		return sc_perr(P, sc_col_here(P),
			       "expected at most %d sequences in a block, got %s", MAX_SEQS,
			       sc_got(P));
	memcpy(b->seq_name[b->nseq], t->s, (size_t)t->len);
	b->seq_name[b->nseq][t->len] = 0;
	b->seq_mirror[b->nseq] = mirror;
	*seq = b->nseq++;
	P->i++;
	return true;
}

/* restart's target: the read-begin of @seq in the current frame. */
bool sc_restart_target(struct parser *P, int col, int seq, int *target)
{
	int at_ = P->frames[P->depth].begin[seq];
	if (at_ < 0)
		return sc_perr(
		    P, col,
		    "expected a read-begin of %s earlier in the same block for restart, got "
		    "none",
		    P->blk->seq_name[seq]);
	*target = at_;
	return true;
}

/* "= V..." after a read: one value, or one per page (one value V for several
 * pages means V, V+1, ...). */
bool sc_get_expected_values(struct parser *P, struct step *s)
{
	unsigned long v[MAX_STEP_PAGES];
	int n = 0;

	if (!sc_at(P, "="))
		return true;
	P->i++;
	while (n < MAX_STEP_PAGES && P->i < P->n && sc_num_parse(&P->t[P->i], &v[n])) {
		n++;
		P->i++;
	}
	if (n == 0)
		return sc_perr(P, sc_col_here(P), "expected a value after '=', got %s", sc_got(P));
	if (n != 1 && (unsigned long)n != s->npages)
		return sc_perr(P, P->t[P->i - 1].col, "expected 1 or %lu values after '=', got %d",
			       s->npages, n);
	s->vals = malloc((size_t)n * sizeof(*s->vals));
	if (!s->vals)
		return sc_perr(P, sc_col_here(P), "expected memory, got none");
	memcpy(s->vals, v, (size_t)n * sizeof(*v));
	s->nvals = n;
	return true;
}

bool sc_add_flag(struct parser *P, int *idx)
{
	struct hs_program *p = P->p;
	const struct tok *t = sc_peek(P);

	if (!t || !sc_name_ok(t))
		return sc_perr(P, sc_col_here(P), "expected a flag name, got %s", sc_got(P));
	for (int i = 0; i < p->nflag; i++)
		if (sc_tok_is(t, p->flag[i])) {
			*idx = i;
			P->i++;
			return true;
		}
	if (p->nflag == MAX_FLAGS)
		return sc_perr(P, sc_col_here(P), "expected at most %d flags, got %s", MAX_FLAGS,
			       sc_got(P));
	memcpy(p->flag[p->nflag], t->s, (size_t)t->len);
	p->flag[p->nflag][t->len] = 0;
	*idx = p->nflag++;
	P->i++;
	return true;
}

static bool add_cost(struct parser *P, unsigned long n, int col)
{
	struct frame *f = &P->frames[P->depth];
	f->cost += n;
	if (f->cost > MAX_UNROLLED)
		return sc_perr(P, col,
			       "expected at most %lu steps in a block with its repeats unrolled, "
			       "got more",
			       MAX_UNROLLED);
	return true;
}

/* A cluster by name: an existing one, or a new one (its key is allocated at
 * setup, in the order clusters are first named). */
bool sc_get_cluster(struct parser *P, int *idx)
{
	struct hs_program *p = P->p;
	const struct tok *t = sc_peek(P);
	const char *kind;
	int line;

	if (!t || !sc_name_ok(t))
		return sc_perr(
		    P, sc_col_here(P),
		    "expected a cluster name (a letter or _, then letters, digits, _ - ., "
		    "at most %d), got %s",
		    NAME_LEN, sc_got(P));
	for (int i = 0; i < p->ncl; i++)
		if (sc_tok_is(t, p->cl[i].name)) {
			*idx = i;
			P->i++;
			return true;
		}
	if ((kind = sc_find_decl(p, t, &line)))
		return sc_perr(P, sc_col_here(P),
			       "expected a cluster name, got %s (%s declared at line %d)",
			       sc_got(P), kind, line);
	if (p->ncl == MAX_CLUSTERS)
		return sc_perr(P, sc_col_here(P), "expected at most %d clusters, got %s",
			       MAX_CLUSTERS, sc_got(P));
	memcpy(p->cl[p->ncl].name, t->s, (size_t)t->len);
	p->cl[p->ncl].name[t->len] = 0;
	p->cl[p->ncl].line = P->line;
	p->cl[p->ncl].skip = 0;
	*idx = p->ncl++;
	P->i++;
	return true;
}

/* One of @n words: its index in *@out. */
bool sc_get_word(struct parser *P, const char *const *w, int n, const char *what, int *out)
{
	for (int i = 0; i < n; i++)
		if (sc_at(P, w[i])) {
			*out = i;
			P->i++;
			return true;
		}
	return sc_perr(P, sc_col_here(P), "expected %s, got %s", what, sc_got(P));
}

static void step_free(struct step *s)
{
	free(s->vals);
	free(s->text);
}

/* ---- the generic step parser: a step's arguments as its grammar spells them ---------- */

/* One word of a grammar (or the text of an optional group, brackets removed). */
struct gword {
	const char *s;
	int len;
	bool group;
};

static bool gw_is(const struct gword *w, const char *x)
{
	return w && !w->group && (size_t)w->len == strlen(x) && memcmp(w->s, x, strlen(x)) == 0;
}

/* The words of @g into @w (at most @max); the number of words. */
static int grammar_words(const char *g, struct gword *w, int max)
{
	int n = 0;

	while (*g && n < max) {
		while (*g == ' ')
			g++;
		if (!*g)
			break;
		if (*g == '[') {
			const char *e = g + 1;
			for (int depth = 1; *e && (depth -= *e == ']') > 0; e++)
				depth += *e == '[';
			w[n++] = (struct gword){g + 1, (int)(e - g - 1), true};
			g = *e ? e + 1 : e;
			continue;
		}
		const char *e = g;
		while (*e && *e != ' ')
			e++;
		w[n++] = (struct gword){g, (int)(e - g), false};
		g = e;
	}
	return n;
}

/* An alternative a|b|c: the index of the word at the cursor in s->how, the
 * message "expected a, b or c". */
static bool parse_alternative(struct parser *P, struct step *s, const struct gword *w)
{
	char buf[8][24], what[200];
	const char *words[8];
	int n = 0, h = 0; /* (gcc -O3 cannot see sc_get_word() set it) */
	size_t used = 0;

	for (int i = 0; i < w->len && n < 8;) {
		int j = i;
		while (j < w->len && w->s[j] != '|')
			j++;
		snprintf(buf[n], sizeof(buf[n]), "%.*s", j - i, w->s + i);
		words[n] = buf[n];
		n++;
		i = j + 1;
	}
	what[0] = 0;
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(what + used, sizeof(what) - used, "%s%s",
					 i == 0	      ? ""
					 : i == n - 1 ? " or "
						      : ", ",
					 words[i]);
	if (!sc_get_word(P, words, n, what, &h))
		return false;
	s->how = (uint8_t)h;
	return true;
}

/* Whether @t is one of the words of alternative @w. */
static bool is_word_in(const struct tok *t, const struct gword *w)
{
	for (int i = 0; i < w->len;) {
		int j = i;
		while (j < w->len && w->s[j] != '|')
			j++;
		if (t->len == j - i && !memcmp(t->s, w->s + i, (size_t)(j - i)))
			return true;
		i = j + 1;
	}
	return false;
}

/* "= PROT..." after a snapshot: one snapshot state per page, or one for all:
 * none, error, or r or w joined with zero, dev or dev-remote by '|' (the
 * HMM_DMIRROR_PROT_* of test_hmm). */
static bool get_expected_prots(struct parser *P, struct step *s)
{
	unsigned long v[MAX_STEP_PAGES];
	int n = 0;

	if (!sc_at(P, "="))
		return true;
	P->i++;
	while (n < MAX_STEP_PAGES && P->i < P->n) {
		const struct tok *t = sc_peek(P);
		unsigned long prot = 0;
		bool ok = true, rw = false, kind = false, pmd = false;
		if (sc_tok_is(t, "none") || sc_tok_is(t, "error")) {
			prot = sc_tok_is(t, "none") ? HS_DMIRROR_PROT_NONE : HS_DMIRROR_PROT_ERROR;
			rw = kind = true;
		} else {
			for (int i = 0; ok && i < t->len;) {
				int j = i;
				while (j < t->len && t->s[j] != '|')
					j++;
				struct tok w = {t->s + i, j - i, 0};
				if ((sc_tok_is(&w, "r") || sc_tok_is(&w, "w")) && !rw) {
					prot |= sc_tok_is(&w, "r") ? HS_DMIRROR_PROT_READ
								   : HS_DMIRROR_PROT_WRITE;
					rw = true;
				} else if (sc_tok_is(&w, "zero") && !kind) {
					prot |= HS_DMIRROR_PROT_ZERO;
					kind = true;
				} else if (sc_tok_is(&w, "dev") && !kind) {
					prot |= HS_DMIRROR_PROT_DEV_PRIVATE_LOCAL;
					kind = true;
				} else if (sc_tok_is(&w, "dev-remote") && !kind) {
					prot |= HS_DMIRROR_PROT_DEV_PRIVATE_REMOTE;
					kind = true;
				} else if (sc_tok_is(&w, "coh") && !kind) {
					prot |= HS_DMIRROR_PROT_DEV_COHERENT_LOCAL;
					kind = true;
				} else if (sc_tok_is(&w, "coh-remote") && !kind) {
					prot |= HS_DMIRROR_PROT_DEV_COHERENT_REMOTE;
					kind = true;
				} else if (sc_tok_is(&w, "pmd") && !pmd) {
					prot |= HS_DMIRROR_PROT_PMD; /* a THP (map order 9) */
					pmd = true;
				} else {
					ok = false;
				}
				ok = ok && !(j < t->len && j + 1 == t->len);
				i = j + 1;
			}
			ok = ok && rw;
		}
		if (!ok)
			break;
		v[n++] = prot;
		P->i++;
	}
	if (n == 0 || (P->i < P->n && n < MAX_STEP_PAGES && !sc_at(P, "may-fail") &&
		       !sc_at(P, "fails") && !sc_at(P, "on-error")))
		return sc_perr(P, sc_col_here(P),
			       "expected a snapshot state (none, error, or r or w, each may add "
			       "|zero, |dev, |dev-remote, |coh or |coh-remote, and |pmd), got %s",
			       sc_got(P));
	if (n != 1 && (unsigned long)n != s->npages)
		return sc_perr(P, P->t[P->i - 1].col, "expected 1 or %lu states after '=', got %d",
			       s->npages, n);
	s->vals = malloc((size_t)n * sizeof(*s->vals));
	if (!s->vals)
		return sc_perr(P, sc_col_here(P), "expected memory, got none");
	memcpy(s->vals, v, (size_t)n * sizeof(*v));
	s->nvals = n;
	return true;
}

/* FLAGS of range-fault: fault, fault|write, nofault, each with |p2p, in any order. */
static bool parse_fault_flags(struct parser *P, struct step *s)
{
	struct hs_program *p = P->p;
	const struct tok *f = sc_peek(P);
	bool ok = f != NULL, nofault = false;

	for (int i = 0; ok && i < f->len;) {
		int j = i;
		while (j < f->len && f->s[j] != '|')
			j++;
		struct tok w = {f->s + i, j - i, 0};
		if (sc_tok_is(&w, "fault") && !s->fault && !nofault)
			s->fault = true;
		else if (sc_tok_is(&w, "nofault") && !s->fault && !nofault)
			nofault = true;
		else if (sc_tok_is(&w, "write") && !s->write)
			s->write = true;
		else if (sc_tok_is(&w, "p2p") && !s->p2p)
			s->p2p = true;
		else
			ok = false;
		i = j + 1;
		if (j < f->len && i == f->len)
			ok = false; /* trailing '|' */
	}
	ok = ok && (s->fault || (nofault && !s->write));
	if (!ok)
		return sc_perr(P, sc_col_here(P),
			       "expected fault, fault|write or nofault, each may add |p2p, got %s",
			       sc_got(P));
	const struct device *md = &p->dev[p->mir[s->obj].dev];
	if (s->p2p && md->port < 0)
		return sc_perr(P, sc_col_here(P),
			       "expected flags without p2p, got %s (device %s has no PCI "
			       "function: declare it with at PORT)",
			       sc_got(P), md->name);
	P->i++;
	P->blk->seq_faulted[s->seq] = true;
	return true;
}

/* [on-busy restart|retry [max N]]: on -EBUSY, go back to the sequence's
 * read-begin (restart), or call again with the same sequence (retry: the
 * bug of reusing an old mmu_interval_read_begin() result); max N: after N
 * -EBUSY in a row the step returns it (checked as its other results). */
static bool parse_on_busy(struct parser *P, struct step *s)
{
	int col;

	P->i++;
	col = sc_col_here(P);
	if (sc_at(P, "retry")) {
		P->i++;
		s->action = ACT_RETRY;
	} else {
		if (!sc_at(P, "restart"))
			return sc_perr(P, col, "expected restart or retry, got %s", sc_got(P));
		if (!sc_want(P, "restart") || !sc_restart_target(P, col, s->seq, &s->target))
			return false;
		s->action = ACT_RESTART;
	}
	if (sc_at(P, "max")) {
		P->i++;
		return sc_get_num(P, "a number of retries", 1, MAX_REPEAT, &s->busy_max);
	}
	return true;
}

/* ACTION of read-retry's on-fail. */
static bool parse_on_fail(struct parser *P, struct step *s)
{
	int col = sc_col_here(P);

	if (sc_at(P, "unlock-restart"))
		s->action = ACT_UNLOCK_RESTART;
	else if (sc_at(P, "restart"))
		s->action = ACT_RESTART;
	else if (sc_at(P, "ignore"))
		s->action = ACT_IGNORE;
	else if (sc_at(P, "fail"))
		s->action = ACT_FAIL;
	else
		return sc_perr(P, col, "expected unlock-restart, restart, ignore or fail, got %s",
			       sc_got(P));
	P->i++;
	if ((s->action == ACT_RESTART || s->action == ACT_UNLOCK_RESTART) &&
	    !sc_restart_target(P, col, s->seq, &s->target))
		return false;
	return true;
}

/* An object argument: the step's first, what its run-time checks look at. */
static bool parse_object(struct parser *P, const struct step_def *d, struct step *s,
			 const struct gword *w, int *proc)
{
	bool ok;

	if (gw_is(w, "PROC")) {
		s->objkind = OBJ_PROC;
		if (!sc_get_ref(P, REF_PROC, &s->obj))
			return false;
		*proc = s->obj;
	} else if (gw_is(w, "MIRROR")) {
		s->objkind = OBJ_MIRROR;
		if (!sc_get_ref(P, REF_MIR, &s->obj))
			return false;
		*proc = P->p->mir[s->obj].proc;
	} else if (gw_is(w, "DEVICE")) {
		s->objkind = OBJ_DEVICE;
		P->plugging = d->flags & STEP_PLUG;
		ok = sc_get_ref(P, REF_DEV, &s->obj);
		P->plugging = false;
		return ok;
	} else {
		s->objkind = OBJ_FLAG;
		return sc_add_flag(P, &s->obj);
	}
	return true;
}

/* One argument word @w (@next: the word after it, which ADDR may take). */
static bool parse_arg(struct parser *P, const struct step_def *d, struct step *s,
		      const struct gword *w, const struct gword *next, int *proc, bool *took_next)
{
	unsigned long maxp = d->max_pages ? d->max_pages : MAX_VA / PG;

	if (gw_is(w, "PROC") || gw_is(w, "MIRROR") || gw_is(w, "DEVICE") || gw_is(w, "FLAG"))
		return parse_object(P, d, s, w, proc);
	if (gw_is(w, "CLUSTER"))
		return sc_get_cluster(P, &s->cluster);
	if (gw_is(w, "CHILD")) { /* fork: a process declared fork-of the first */
		bool ok;
		P->plugging = true;
		ok = sc_get_ref(P, REF_PROC, &s->proc2);
		P->plugging = false;
		return ok;
	}
	if (gw_is(w, "SEQ")) {
		P->seq_col = sc_col_here(P);
		s->has_seq = true;
		return sc_get_seq(P, s->obj, d->flags & STEP_BEGIN, &s->seq);
	}
	if (gw_is(w, "ADDR")) {
		*took_next = next && (gw_is(next, "PAGES") || (next->group && next->len == 5 &&
							       !memcmp(next->s, "PAGES", 5)));
		if (!*took_next)
			return sc_get_range(P, *proc, false, 1, &s->addr, &s->npages);
		if (gw_is(next, "PAGES") ||
		    (P->i + 1 < P->n && sc_num_parse(&P->t[P->i + 1], &s->npages)))
			return sc_get_range(P, *proc, true, maxp, &s->addr, &s->npages);
		return sc_get_range(P, *proc, false, 1, &s->addr, &s->npages);
	}
	if (gw_is(w, "V") || gw_is(w, "ADD") || gw_is(w, "NEW"))
		return sc_get_value(P, &s->value);
	if (gw_is(w, "N"))
		return sc_get_num(P, "a repeat count", 1, MAX_REPEAT, &s->count);
	if (gw_is(w, "COUNT"))
		return sc_get_num(P, "a count", 0, MAX_COUNT, &s->count);
	if (gw_is(w, "FLAGS"))
		return parse_fault_flags(P, s);
	if (gw_is(w, "ACTION"))
		return parse_on_fail(P, s);
	if (w->group && w->s[0] == '=' && memmem(w->s, (size_t)w->len, "PROT", 4))
		return get_expected_prots(P, s);
	if (w->group && w->s[0] == '=')
		return sc_get_expected_values(P, s);
	if (w->group && w->s[0] != '=' && !memchr(w->s, ' ', (size_t)w->len)) {
		/* [a|b]: absent leaves s->how 0, else it is 1 + the word's index */
		if (!sc_peek(P) || !is_word_in(sc_peek(P), w))
			return true;
		if (!parse_alternative(P, s, w))
			return false;
		s->how++;
		return true;
	}
	if (w->group && w->len >= 7 && !memcmp(w->s, "on-busy", 7))
		return !sc_at(P, "on-busy") || parse_on_busy(P, s);
	if (memchr(w->s, '|', (size_t)w->len))
		return parse_alternative(P, s, w);
	char lit[32];
	snprintf(lit, sizeof(lit), "%.*s", w->len, w->s);
	return sc_want(P, lit);
}

/* The step's arguments, word by word of its grammar. */
static bool parse_args(struct parser *P, const struct step_def *d, struct step *s, int col0)
{
	struct gword w[16];
	int n = grammar_words(d->grammar, w, 16), proc = -1;

	for (int k = 0; k < n; k++) {
		int col = sc_col_here(P);
		bool took = false;
		if (!parse_arg(P, d, s, &w[k], k + 1 < n ? &w[k + 1] : NULL, &proc, &took))
			return false;
		if (k == 0 && d->obj_check && !d->obj_check(P, s, col0, col))
			return false;
		k += took;
	}
	return !d->check || d->check(P, s, col0);
}

/* on-error stop|restart|continue: any error is accepted, then ... */
static bool parse_on_error(struct parser *P, struct step *s)
{
	static const char *const w[] = {"stop", "restart", "continue"};
	int col, a = 0;

	P->i++;
	col = sc_col_here(P);
	if (!sc_get_word(P, w, 3, "stop, restart or continue", &a))
		return false;
	s->on_error = (uint8_t)(ONERR_STOP + a);
	s->check = CHK_ANY;
	if (s->on_error != ONERR_RESTART)
		return true;
	if (!s->has_seq)
		return sc_perr(
		    P, col,
		    "expected stop or continue, got 'restart' (restart needs a step with a "
		    "sequence)");
	return sc_restart_target(P, col, s->seq, &s->target);
}

/* may-fail, fails ERR or on-error ACTION after a step that returns an error code. */
static bool parse_result(struct parser *P, struct step *s)
{
	int col;
	unsigned int i;

	if (sc_at(P, "may-fail")) {
		s->check = CHK_ANY;
		P->i++;
		return true;
	}
	if (sc_at(P, "on-error"))
		return parse_on_error(P, s);
	if (!sc_at(P, "fails"))
		return true;
	P->i++;
	col = sc_col_here(P);
	for (i = 0; i < sc_nr_errnames; i++)
		if (sc_at(P, sc_errnames[i].name))
			break;
	if (i == sc_nr_errnames)
		return sc_perr(P, col,
			       "expected an error name (EFAULT, EBUSY, EPERM, EINVAL, "
			       "ENOENT, ENOMEM, EEXIST, EAGAIN, EOPNOTSUPP, ENODEV, EIO, "
			       "EREMOTEIO), "
			       "got %s",
			       sc_got(P));
	if ((s->action == ACT_RESTART || s->action == ACT_RETRY) && !s->busy_max &&
	    sc_errnames[i].err == EBUSY)
		return sc_perr(P, col,
			       "expected an error other than EBUSY (on-busy restart "
			       "restarts on it), got %s",
			       sc_got(P));
	s->check = CHK_ERR;
	s->err = -sc_errnames[i].err;
	P->i++;
	return true;
}

/* The step appended to the block; repeat opens a frame, end closes it,
 * read-begin marks a restart target. */
static bool append_step(struct parser *P, struct step *s, int col0)
{
	struct block *b = P->blk;

	if (b->nsteps == b->cap) {
		int cap = b->cap ? 2 * b->cap : 16;
		struct step *n = realloc(b->steps, (size_t)cap * sizeof(*n));
		if (!n) {
			step_free(s);
			return sc_perr(P, col0, "expected memory, got none");
		}
		b->steps = n;
		b->cap = cap;
	}
	int idx = b->nsteps;
	b->steps[b->nsteps++] = *s;
	P->p->nsteps++;

	if (s->def->flags & STEP_REPEAT) {
		struct frame *f = &P->frames[++P->depth];
		f->repeat_at = idx;
		f->line = P->line;
		f->cost = 0;
		for (int i = 0; i < MAX_SEQS; i++)
			f->begin[i] = -1;
	} else if (s->def->flags & STEP_END) {
		struct frame *f = &P->frames[P->depth];
		unsigned long body = f->cost;
		unsigned long count = b->steps[f->repeat_at].count;
		b->steps[f->repeat_at].target = idx;
		b->steps[idx].target = f->repeat_at;
		P->depth--;
		return add_cost(P, body > MAX_UNROLLED / count ? MAX_UNROLLED + 1 : body * count,
				col0);
	} else {
		if (s->def->flags & STEP_BEGIN)
			P->frames[P->depth].begin[s->seq] = idx;
		return add_cost(P, 1, col0);
	}
	return true;
}

/* One step of the current block from the cursor to the end of the line. */
bool sc_parse_step(struct parser *P, bool in_thread)
{
	const struct tok *t = sc_peek(P);
	const struct step_def *d = t ? sc_step_lookup(t->s, t->len) : NULL;
	int from = P->i, col0 = sc_col_here(P);
	struct step s = {.line = P->line, .target = -1};

	if (!d)
		return sc_perr(P, col0, "expected a step (see docs/scenarios.md), got %s",
			       sc_got(P));
	if (!in_thread && (d->flags & STEP_THREAD_ONLY))
		return sc_perr(P, col0, "expected a step, got %s (repeat blocks are for threads)",
			       sc_got(P));
	if (P->p->nsteps >= MAX_STEPS)
		return sc_perr(P, col0, "expected at most %d steps in a file, got more", MAX_STEPS);
	s.def = d;
	P->i++;
	if (!parse_args(P, d, &s, col0) || ((d->flags & STEP_RESULT) && !parse_result(P, &s)) ||
	    !sc_want_eol(P)) {
		free(s.vals);
		return false;
	}
	s.text = sc_join_tokens(P, from);
	if (!s.text) {
		free(s.vals);
		return sc_perr(P, col0, "expected memory, got none");
	}
	return append_step(P, &s, col0);
}

/* ---- blocks and the whole file ----------------------------------------------------------- */

void sc_frame_reset(struct frame *f)
{
	f->repeat_at = -1;
	f->line = 0;
	f->cost = 0;
	for (int i = 0; i < MAX_SEQS; i++)
		f->begin[i] = -1;
}

/* The thread block being parsed ends (at a directive, or at the end of the file). */
bool sc_close_thread(struct parser *P)
{
	struct block *b = P->blk;

	if (!b)
		return true;
	if (P->depth)
		return sc_perr(P, sc_col_here(P),
			       "expected 'end' for the repeat of line %d, got %s",
			       P->frames[P->depth].line, sc_got(P));
	if (!b->nsteps)
		return sc_perr(P, sc_col_here(P), "expected a step in thread %s, got %s", b->name,
			       sc_got(P));
	b->cost = P->frames[0].cost;
	P->blk = NULL;
	return true;
}

/* What is checked once the whole file is read. */
/*
 * Without a step-bound line, a file whose VMAs are large gets a bound that
 * grows with them: STEPS_PER_PAGE scheduling points for each page each
 * thread (and main) may walk, when that is over the engine's default.  A
 * device THP's fork, eviction or migration walks 512 pages one at a time
 * and took more than the default's 20,000 points: until session 29 such a
 * file was reported as a livelock unless it said `step-bound`.  Files of
 * up to 100 pages keep the default.
 */
#define STEPS_PER_PAGE 200ul
static void default_step_bound(struct hs_program *p)
{
	unsigned long pages = 0;

	if (p->sc.step_bound)
		return;
	for (int i = 0; i < p->nproc; i++)
		for (int v = 0; v < p->proc[i].nvma; v++)
			pages += p->proc[i].vma[v].npages;
	unsigned long bound = STEPS_PER_PAGE * pages * (unsigned long)(p->nthread + 1);
	if (bound > SIM_DEFAULT_STEP_BOUND)
		p->sc.step_bound = bound;
}

static bool finish(struct parser *P)
{
	struct hs_program *p = P->p;

	P->i = P->n = 0;
	if (!sc_close_thread(P))
		return false;
	/* a file that runs nothing tests nothing (its init and final blocks may
	 * be the whole test: a single execution that shows a bug) */
	if (!p->nthread && !p->init.nsteps && !p->final.nsteps)
		return sc_perr(P, sc_col_here(P),
			       "expected a thread block or an init or final step, got %s",
			       sc_got(P));
	for (int f = 0; f < p->nflag; f++)
		if (p->flag_wait_line[f] && !p->flag_signalled[f]) {
			P->line = p->flag_wait_line[f];
			return sc_perr(
			    P, p->flag_wait_col[f],
			    "expected a flag some step signals, got '%s' (nothing signals it)",
			    p->flag[f]);
		}
	default_step_bound(p);
	return true;
}

/* ---- loading -------------------------------------------------------------------------- */

static void block_free(struct block *b)
{
	for (int i = 0; i < b->nsteps; i++)
		step_free(&b->steps[i]);
	free(b->steps);
}

static void program_free(struct hs_program *p)
{
	block_free(&p->init);
	block_free(&p->final);
	for (int i = 0; i < p->nthread; i++)
		block_free(&p->thread[i]);
	free(p->path);
	free(p->base);
	free(p);
}

void hs_scenario_free(struct sim_scenario *sc)
{
	struct hs_program *p = (struct hs_program *)sc;

	if (!sc)
		return;
	if (p->nsw)
		hs_switch = p->saved_switches;
	if (p->owner_set) {
		hs_owner_policy = p->saved_policy;
		hs_owner_id_bits = p->saved_id_bits;
		hs_owner_flags = p->saved_owner_flags;
	}
	program_free(p);
}

bool hs_scenario_is_file(const char *name)
{
	size_t n = strlen(name);
	return strchr(name, '/') || (n >= 4 && strcmp(name + n - 4, ".hsc") == 0);
}

void hs_scenario_plan(const struct sim_scenario *sc, struct hs_scenario_plan *plan)
{
	*plan = ((const struct hs_program *)sc)->plan;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int hs_scenario_parse(const char *filename, const char *text, size_t len, struct sim_scenario **out,
		      char *err, size_t errlen)
{
	struct parser *P = calloc(1, sizeof(*P));
	struct hs_program *p = calloc(1, sizeof(*p));
	const char *slash = strrchr(filename, '/');
	bool ok = true;

	*out = NULL;
	if (errlen)
		err[0] = 0;
	if (!P || !p) {
		free(P);
		free(p);
		seterr(err, errlen, "%s: out of memory", filename);
		return -ENOMEM;
	}
	p->path = strdup(filename);
	p->base = strdup(slash && slash[1] ? slash + 1 : filename);
	if (!p->path || !p->base) {
		free(P);
		program_free(p);
		seterr(err, errlen, "%s: out of memory", filename);
		return -ENOMEM;
	}
	p->ram = DEFAULT_RAM;
	p->plan = (struct hs_scenario_plan){.strategy = SIM_STRATEGY_PCT,
					    .iterations = 10000,
					    .preemptions = 2,
					    .pct_depth = SIM_DEFAULT_PCT_DEPTH};
	snprintf(p->init.name, sizeof(p->init.name), "init");
	snprintf(p->final.name, sizeof(p->final.name), "final");
	P->p = p;
	P->file = filename;
	P->err = err;
	P->errlen = errlen;
	P->cb = -1;
	sc_frame_reset(&P->init_top);
	sc_frame_reset(&P->final_top);

	P->line = 1;
	if (len > HS_SCENARIO_MAX_BYTES) {
		ok = sc_perr(P, 1, "expected a file of at most %lu bytes, got more",
			     HS_SCENARIO_MAX_BYTES); /* (a file's reader keeps one byte more) */
	}
	for (size_t pos = 0; ok && pos < len; P->line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		if (P->line > MAX_LINES) {
			ok = sc_perr(P, 1, "expected at most %d lines, got more", MAX_LINES);
			break;
		}
		ok = sc_tokenize(P, text + pos, l) && (!P->n || sc_parse_line(P));
		pos += l + 1;
	}
	if (ok) {
		/* "got end of file": after the last newline, or at the end of the last line */
		P->at_eof = true;
		P->eol_col = 1;
		if (len && text[len - 1] != '\n') {
			const char *last = len > 1 ? memrchr(text, '\n', len - 1) : NULL;
			P->line--;
			P->eol_col = (int)(len - (last ? (size_t)(last - text) + 1 : 0)) + 1;
		}
		ok = finish(P);
	}
	free(P);
	if (!ok) {
		program_free(p);
		return -EINVAL;
	}
	p->saved_switches = hs_switch;
	p->saved_policy = hs_owner_policy;
	p->saved_id_bits = hs_owner_id_bits;
	p->saved_owner_flags = hs_owner_flags;
	p->sc.name = p->base;
	p->sc.summary = p->path;
	p->sc.main = program_main;
	p->sc.arg = p;
	p->sc.expect = p->expect_line && p->expect[0] ? p->expect : NULL;
	p->plan.expect_given = p->expect_line != 0;
	*out = &p->sc;
	return 0;
}

int hs_scenario_load(const char *path, struct sim_scenario **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int ret;

	*out = NULL;
	if (!f) {
		ret = -errno;
		seterr(err, errlen, "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	buf = malloc(HS_SCENARIO_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		seterr(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	n = fread(buf, 1, HS_SCENARIO_MAX_BYTES + 1, f);
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		seterr(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		free(buf);
		fclose(f);
		return ret;
	}
	fclose(f);
	ret = hs_scenario_parse(path, buf, n, out, err, errlen);
	free(buf);
	return ret;
}
