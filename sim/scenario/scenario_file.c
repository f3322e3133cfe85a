// SPDX-License-Identifier: MIT
/*
 * Scenario files (.hsc): the parser and the interpreter
 * (include/hmmsim/scenario_file.h; the language is docs/scenarios.md).
 *
 * hs_scenario_parse() turns the whole text into a program up front, in host
 * memory: declarations (machine, processes and their VMAs, devices, mirrors,
 * driver bugs, switches), blocks of steps (init, one per thread, final) and
 * what exploring should find.  Every name, address and size is checked there,
 * so that a file that loads can only fail at run time in ways the model
 * itself reports.  The scenario's main() builds the model from the program in
 * every execution (sim_alloc memory) and interprets the blocks: init in
 * thread 0, each thread block in its own simulated thread, final after they
 * are joined, then the data oracle over every declared VMA.
 *
 * Nothing here depends on host addresses or time: the program is read-only
 * during executions and every decision depends on it and on what the model
 * returns, so executions stay deterministic and replayable.  Every loop is
 * bounded: by the file's limits at load time, by a per-thread budget of
 * executed steps at run time.
 */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <hmmsim/dmirror.h>
#include <hmmsim/experiment.h>
#include <hmmsim/hmm.h>
#include <hmmsim/owner.h>
#include <hmmsim/p2pdma.h>
#include <hmmsim/scenario_file.h>
#include <hmmsim/sim.h>
#include <hmmsim/switches.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits ------------------------------------------------------------------------ */

#define NAME_LEN	 31 /* a name's characters */
#define TOK_LEN		 63 /* a word's characters */
#define MAX_TOKS	 128
#define MAX_LINES	 100000
#define MAX_PROCS	 8
#define MAX_VMAS	 16 /* declared per process (munmap may split more) */
#define MAX_DEVICES	 8
#define MAX_MIRRORS	 16
#define MAX_FLAGS	 32
#define MAX_SEQS	 8 /* sequences per block */
#define MAX_DEPTH	 4 /* nested repeats */
#define MAX_STEPS	 20000
#define MAX_STEP_PAGES	 64 /* pages of a device access or protocol step */
#define MAX_RAM		 4096
#define MIN_RAM		 2
#define DEFAULT_RAM	 64
#define MAX_DEV_PAGES	 1024
#define MAX_VA		 (64ul << 20)
#define MAX_SWAP	 1024
#define DEFAULT_SWAP	 8
#define MAX_REPEAT	 1000
#define MAX_UNROLLED	 100000ul /* a block's steps with its repeats unrolled */
#define MAX_RUN		 200000ul /* steps one thread may execute, restarts included */
#define MAX_STEP_BOUND	 100000000ul
#define MAX_ITERATIONS	 1000000000ul
#define MAX_HOST_BRIDGES 4
#define MAX_ROOT_PORTS	 16
#define MAX_PCI_SWITCHES 8
#define MAX_CLUSTERS	 32
#define MAX_LINKS	 32
#define MAX_GRANTS	 32
#define MAX_SKIP	 1000 /* cluster ids that come and go before a cluster's */
/* a port: a root port's index, or PORT_SWITCH + switch * 8 + downstream port */
#define PORT_SWITCH MAX_ROOT_PORTS

#define PG HS_PAGE_SIZE

/* ---- the program ------------------------------------------------------------------- */

enum op {
	OP_CPU_READ,
	OP_CPU_WRITE,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MADVISE,
	OP_SWAPOUT,
	OP_MIGRATE_TO_DEV,
	OP_MIGRATE_TO_SYS,
	OP_EVICT,
	OP_RELEASE,
	OP_DEVICE_READ,
	OP_DEVICE_WRITE,
	OP_READ_BEGIN,
	OP_RANGE_FAULT,
	OP_LOCK,
	OP_UNLOCK,
	OP_READ_RETRY,
	OP_PROGRAM,
	OP_MIRROR_READ,
	OP_MIRROR_WRITE,
	OP_DEVICE_ATOMIC,
	OP_UNPLUG,
	OP_PLUG,
	OP_OWNER_CHANGE,
	OP_CHECK_LOST,
	OP_CHECK_GONE,
	OP_CHECK_LEAKS,
	OP_CHECK_ENTRY,
	OP_SIGNAL,
	OP_WAIT,
	OP_YIELD,
	OP_CHECK_DATA,
	OP_REPEAT,
	OP_END,
	NR_OPS
};

static const char *const op_words[NR_OPS] = {
    [OP_CPU_READ] = "cpu-read",
    [OP_CPU_WRITE] = "cpu-write",
    [OP_MUNMAP] = "munmap",
    [OP_MPROTECT] = "mprotect",
    [OP_MADVISE] = "madvise",
    [OP_SWAPOUT] = "swapout",
    [OP_MIGRATE_TO_DEV] = "migrate-to-dev",
    [OP_MIGRATE_TO_SYS] = "migrate-to-sys",
    [OP_EVICT] = "evict",
    [OP_RELEASE] = "release",
    [OP_DEVICE_READ] = "device-read",
    [OP_DEVICE_WRITE] = "device-write",
    [OP_READ_BEGIN] = "read-begin",
    [OP_RANGE_FAULT] = "range-fault",
    [OP_LOCK] = "lock",
    [OP_UNLOCK] = "unlock",
    [OP_READ_RETRY] = "read-retry",
    [OP_PROGRAM] = "program",
    [OP_MIRROR_READ] = "device-read-mirror",
    [OP_MIRROR_WRITE] = "device-write-mirror",
    [OP_DEVICE_ATOMIC] = "device-atomic",
    [OP_UNPLUG] = "unplug",
    [OP_PLUG] = "plug",
    [OP_OWNER_CHANGE] = "owner-change",
    [OP_CHECK_LOST] = "check-lost",
    [OP_CHECK_GONE] = "check-unplugged",
    [OP_CHECK_LEAKS] = "check-leaks",
    [OP_CHECK_ENTRY] = "check-entry",
    [OP_SIGNAL] = "signal",
    [OP_WAIT] = "wait",
    [OP_YIELD] = "yield",
    [OP_CHECK_DATA] = "check-data",
    [OP_REPEAT] = "repeat",
    [OP_END] = "end",
};

/* How a step's return value is checked. */
enum check { CHK_ZERO, CHK_ANY, CHK_ERR };

/* What a protocol step does when the sequence turned out stale. */
enum action { ACT_NONE, ACT_RESTART, ACT_UNLOCK_RESTART, ACT_IGNORE, ACT_FAIL };

/* What check-entry expects of a mirror entry. */
enum entry { ENT_NONE, ENT_RAM, ENT_DEVICE, ENT_P2P, ENT_P2P_BUS };
static const char *const entry_words[] = {"none", "ram", "device", "p2p", "p2p-bus"};

struct step {
	uint8_t op, check, action;
	uint8_t how;		/* unplug: enum hs_dmirror_unplug; check-entry: enum entry */
	int cluster;		/* owner-change */
	bool fault, write, p2p; /* range-fault's flags */
	int err;		/* CHK_ERR: the negative errno expected */
	int line;
	int obj;    /* process, device, mirror or flag index */
	int seq;    /* sequence index within the block */
	int target; /* restart: the read-begin; repeat: its end; end: its repeat */
	unsigned long addr, npages, value, count;
	unsigned int prot;
	unsigned long *vals; /* "= V..." */
	int nvals;
	char *text; /* the line's words, for events and messages */
};

struct block {
	char name[NAME_LEN + 1];
	int line;
	struct step *steps;
	int nsteps, cap;
	char seq_name[MAX_SEQS][NAME_LEN + 1];
	int seq_mirror[MAX_SEQS];
	bool seq_faulted[MAX_SEQS]; /* a range-fault of it was parsed */
	int nseq;
	unsigned long cost; /* steps with repeats unrolled */
};

struct vma_decl {
	unsigned long start, npages;
	unsigned int flags;
	int line;
};

struct process {
	char name[NAME_LEN + 1];
	int line;
	unsigned long va, swap;
	struct vma_decl vma[MAX_VMAS];
	int nvma;
};

struct device {
	char name[NAME_LEN + 1];
	int line;
	unsigned long pages;
	int port;		/* its PCI function's port, -1 when not on the topology */
	bool p2p;		/* exports its memory through a BAR */
	bool hotplug;		/* created by a plug step, not at setup */
	int cluster;		/* -1: its own */
	int gone_line, gone_op; /* evict or unplug */
	int plug_line;
	const struct block *plug_blk;
};

struct mirror {
	char name[NAME_LEN + 1];
	int line;
	int dev, proc;
	enum hs_dmirror_bug bug;
	int bug_line, release_line;
	bool p2p, requester; /* faults with HMM_PFN_ALLOW_P2P (naming its device) */
};

struct host_bridge {
	char name[NAME_LEN + 1];
	int line;
	unsigned int flags; /* HS_PCI_HB_* */
};

struct root_port {
	char name[NAME_LEN + 1];
	int line;
	int hb;
	bool acs;
};

struct pci_switch {
	char name[NAME_LEN + 1];
	int line;
	int parent; /* a port */
	unsigned long nports;
	unsigned int acs; /* downstream ports with ACS redirect */
};

struct cluster {
	char name[NAME_LEN + 1];
	int line;
	unsigned long skip;
};

struct link_decl {
	int a, b;
	unsigned int flags;
};

struct hs_program {
	struct sim_scenario sc; /* first: hs_scenario_free() finds the rest */
	char *path, *base;
	unsigned long ram;
	int ram_line;
	struct process proc[MAX_PROCS];
	int nproc;
	struct device dev[MAX_DEVICES];
	int ndev;
	struct mirror mir[MAX_MIRRORS];
	int nmir;
	struct host_bridge hb[MAX_HOST_BRIDGES];
	int nhb;
	struct root_port rp[MAX_ROOT_PORTS];
	int nrp;
	struct pci_switch psw[MAX_PCI_SWITCHES];
	int npsw;
	struct cluster cl[MAX_CLUSTERS];
	int ncl;
	struct link_decl link[MAX_LINKS];
	int nlink;
	int grant[MAX_GRANTS][2]; /* exporter, importer */
	int ngrant;
	bool owner_set;
	struct hs_owner_config owner;
	int owner_line;
	enum hs_owner_policy saved_policy;
	unsigned int saved_id_bits, saved_owner_flags;
	char flag[MAX_FLAGS][NAME_LEN + 1];
	int flag_wait_line[MAX_FLAGS], flag_wait_col[MAX_FLAGS];
	bool flag_signalled[MAX_FLAGS];
	int nflag;
	int sw[16];
	int nsw;
	struct hs_switches saved_switches;
	struct block init, final;
	struct block thread[HS_SCENARIO_MAX_THREADS];
	int nthread;
	int nsteps; /* over every block */
	char expect[32];
	int expect_line;
	struct hs_scenario_plan plan;
	int explore_line, step_bound_line;
	int no_check_data_line; /* no-check-data: no data oracle at the end */
};

/* ---- tokens and errors ---------------------------------------------------------------- */

struct tok {
	const char *s;
	int len, col;
};

struct frame {
	int repeat_at; /* the repeat step, -1 at the block's top */
	int line;
	unsigned long cost;
	int begin[MAX_SEQS]; /* the read-begin of each sequence in this frame */
};

struct parser {
	struct hs_program *p;
	const char *file;
	int line, eol_col;
	struct tok t[MAX_TOKS];
	int n, i;
	bool at_eof;
	char *err;
	size_t errlen;
	char got[96];
	/* the block steps go to, NULL at top level */
	struct block *blk;
	struct frame frames[MAX_DEPTH + 1];
	int depth;
	struct frame init_top, final_top; /* the top frames of init / final, across lines */
	bool plugging;			  /* the device named is being plugged: not present yet */
};

__attribute__((format(printf, 3, 4))) static bool perr(struct parser *P, int col, const char *fmt,
						       ...)
{
	va_list ap;
	int n;

	if (!P->errlen)
		return false;
	n = snprintf(P->err, P->errlen, "%s:%d:%d: ", P->file, P->line, col);
	if (n < 0 || (size_t)n >= P->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(P->err + n, P->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static const struct tok *peek(struct parser *P)
{
	return P->i < P->n ? &P->t[P->i] : NULL;
}

static int col_here(struct parser *P)
{
	return P->i < P->n ? P->t[P->i].col : P->eol_col;
}

/* What stands at the cursor, for "got ...". */
static const char *got(struct parser *P)
{
	const struct tok *t = peek(P);
	if (!t)
		return P->at_eof ? "end of file" : "end of line";
	if (t->len > 40)
		snprintf(P->got, sizeof(P->got), "'%.40s...'", t->s);
	else
		snprintf(P->got, sizeof(P->got), "'%.*s'", t->len, t->s);
	return P->got;
}

static bool tok_is(const struct tok *t, const char *w)
{
	return t && (size_t)t->len == strlen(w) && memcmp(t->s, w, (size_t)t->len) == 0;
}

static bool at(struct parser *P, const char *w)
{
	return tok_is(peek(P), w);
}

static bool want(struct parser *P, const char *w)
{
	if (!at(P, w))
		return perr(P, col_here(P), "expected '%s', got %s", w, got(P));
	P->i++;
	return true;
}

static bool want_eol(struct parser *P)
{
	if (P->i < P->n)
		return perr(P, col_here(P), "expected end of line, got %s", got(P));
	return true;
}

/* A decimal or 0x-hexadecimal number below 2^64. */
static bool num_parse(const struct tok *t, unsigned long *out)
{
	unsigned long v = 0;
	int i = 0;

	if (t->len > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		for (i = 2; i < t->len; i++) {
			char c = t->s[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return false;
			if (v >> 60)
				return false;
			v = v << 4 | d;
		}
	} else {
		if (!t->len)
			return false;
		for (i = 0; i < t->len; i++) {
			char c = t->s[i];
			if (c < '0' || c > '9')
				return false;
			if (v > (~0ul - (unsigned long)(c - '0')) / 10)
				return false;
			v = v * 10 + (unsigned long)(c - '0');
		}
	}
	*out = v;
	return true;
}

/* A number in [min, max]; @what names it in the message. */
static bool get_num(struct parser *P, const char *what, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	const struct tok *t = peek(P);
	unsigned long v;

	if (!t || !num_parse(t, &v) || v < min || v > max)
		return perr(P, col_here(P), "expected %s (%lu..%lu), got %s", what, min, max,
			    got(P));
	P->i++;
	*out = v;
	return true;
}

/* Any number (a value written or read). */
static bool get_value(struct parser *P, unsigned long *out)
{
	const struct tok *t = peek(P);

	if (!t || !num_parse(t, out))
		return perr(P, col_here(P), "expected a value, got %s", got(P));
	P->i++;
	return true;
}

/* A byte size: a number with an optional K, M or G suffix. */
static bool get_size(struct parser *P, const char *what, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	const struct tok *t = peek(P);
	struct tok n;
	unsigned long v, mul = 1;

	if (!t)
		return perr(P, col_here(P), "expected %s, got %s", what, got(P));
	n = *t;
	if (n.len > 1) {
		char c = n.s[n.len - 1];
		mul = c == 'K' || c == 'k'   ? 1ul << 10
		      : c == 'M' || c == 'm' ? 1ul << 20
		      : c == 'G' || c == 'g' ? 1ul << 30
					     : 1;
		if (mul > 1)
			n.len--;
	}
	if (!num_parse(&n, &v) || v > max / mul || v * mul < min || v * mul > max)
		return perr(P, col_here(P),
			    "expected %s (%lu..%lu bytes, K/M suffix allowed), got %s", what, min,
			    max, got(P));
	P->i++;
	*out = v * mul;
	return true;
}

static bool name_ok(const struct tok *t)
{
	if (t->len < 1 || t->len > NAME_LEN)
		return false;
	for (int i = 0; i < t->len; i++) {
		char c = t->s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		bool more = (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!alpha && (i == 0 || !more))
			return false;
	}
	return true;
}

/* The port @t names: a root port, or SWITCH.K (K a downstream port of a
 * PCI switch); -1 when it names none. */
static int find_port(const struct hs_program *p, const struct tok *t)
{
	const char *dot;
	unsigned long k = 0;

	if (!t)
		return -1;
	for (int i = 0; i < p->nrp; i++)
		if (tok_is(t, p->rp[i].name))
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
		if (tok_is(&sw, p->psw[i].name) && k < p->psw[i].nports)
			return PORT_SWITCH + i * HS_PCI_SWITCH_MAX_PORTS + (int)k;
	return -1;
}

/* The kind and line of an existing declaration @t names: a process, device,
 * mirror, thread, host bridge, root port, PCI switch (or one of its ports),
 * or cluster. */
static const char *find_decl(struct hs_program *p, const struct tok *t, int *line)
{
	int port = find_port(p, t);

	for (int i = 0; i < p->nhb; i++)
		if (tok_is(t, p->hb[i].name))
			return *line = p->hb[i].line, "a host bridge";
	if (port >= 0 && port < PORT_SWITCH)
		return *line = p->rp[port].line, "a root port";
	if (port >= PORT_SWITCH)
		return *line = p->psw[(port - PORT_SWITCH) / HS_PCI_SWITCH_MAX_PORTS].line,
		       "a port of a PCI switch";
	for (int i = 0; i < p->npsw; i++)
		if (tok_is(t, p->psw[i].name))
			return *line = p->psw[i].line, "a PCI switch";
	for (int i = 0; i < p->ncl; i++)
		if (tok_is(t, p->cl[i].name))
			return *line = p->cl[i].line, "a cluster";
	for (int i = 0; i < p->nproc; i++)
		if (tok_is(t, p->proc[i].name))
			return *line = p->proc[i].line, "a process";
	for (int i = 0; i < p->ndev; i++)
		if (tok_is(t, p->dev[i].name))
			return *line = p->dev[i].line, "a device";
	for (int i = 0; i < p->nmir; i++)
		if (tok_is(t, p->mir[i].name))
			return *line = p->mir[i].line, "a mirror";
	for (int i = 0; i < p->nthread; i++)
		if (tok_is(t, p->thread[i].name))
			return *line = p->thread[i].line, "a thread";
	return NULL;
}

/* A new name for a declaration of @what. */
static bool get_new_name(struct parser *P, const char *what, char out[NAME_LEN + 1])
{
	const struct tok *t = peek(P);
	const char *kind;
	int line;

	if (!t || !name_ok(t))
		return perr(
		    P, col_here(P),
		    "expected a %s name (a letter or _, then letters, digits, _ - ., at most "
		    "%d), got %s",
		    what, NAME_LEN, got(P));
	if ((kind = find_decl(P->p, t, &line)))
		return perr(P, col_here(P),
			    "expected a new %s name, got %s (%s declared at line %d)", what, got(P),
			    kind, line);
	memcpy(out, t->s, (size_t)t->len);
	out[t->len] = 0;
	P->i++;
	return true;
}

enum ref { REF_PROC, REF_DEV, REF_MIR };

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

static bool get_ref(struct parser *P, enum ref r, int *idx)
{
	static const char *const what[] = {"process", "device", "mirror"};
	struct hs_program *p = P->p;
	const struct tok *t = peek(P);
	int n = r == REF_PROC ? p->nproc : r == REF_DEV ? p->ndev : p->nmir;
	char names[200];

	for (int i = 0; t && i < n; i++) {
		const char *nm = r == REF_PROC	? p->proc[i].name
				 : r == REF_DEV ? p->dev[i].name
						: p->mir[i].name;
		if (tok_is(t, nm)) {
			int d = r == REF_DEV ? i : r == REF_MIR ? p->mir[i].dev : -1;
			if (d >= 0 && P->blk && !P->plugging && !dev_present(P, d))
				return perr(
				    P, col_here(P),
				    r == REF_DEV
					? "expected a device present at this step, got %s (%s is "
					  "hotplug: use it after its plug step, in that block or "
					  "in "
					  "final)"
					: "expected a mirror whose device is present at this step, "
					  "got %s (%s is hotplug: use it after its plug step, in "
					  "that "
					  "block or in final)",
				    got(P), p->dev[d].name);
			*idx = i;
			P->i++;
			return true;
		}
	}
	list_names(p, r, names, sizeof(names));
	if (!n)
		return perr(P, col_here(P), "expected a %s name (none is declared yet), got %s",
			    what[r], got(P));
	return perr(P, col_here(P), "expected a %s name (%s), got %s", what[r], names, got(P));
}

/* r, rw or none: VM_READ / VM_WRITE. */
static bool get_prot(struct parser *P, unsigned int *prot)
{
	if (at(P, "r"))
		*prot = HS_VM_READ;
	else if (at(P, "rw"))
		*prot = HS_VM_READ | HS_VM_WRITE;
	else if (at(P, "none"))
		*prot = 0;
	else
		return perr(P, col_here(P), "expected r, rw or none, got %s", got(P));
	P->i++;
	return true;
}

/* ADDR [PAGES]: a page-aligned range inside the declared VMAs of @proc. */
static bool get_range(struct parser *P, int proc, bool with_pages, unsigned long max_pages,
		      unsigned long *addr, unsigned long *npages)
{
	const struct process *pr = &P->p->proc[proc];
	int col = col_here(P);
	const struct tok *t = peek(P);

	if (!t || !num_parse(t, addr))
		return perr(P, col, "expected an address, got %s", got(P));
	if (*addr & (PG - 1))
		return perr(P, col, "expected a page-aligned address, got %s", got(P));
	P->i++;
	*npages = 1;
	if (with_pages && !get_num(P, "a page count", 1, max_pages, npages))
		return false;
	for (unsigned long i = 0; i < *npages; i++) {
		unsigned long a = *addr + i * PG;
		bool in = false;
		for (int v = 0; a >= *addr && v < pr->nvma && !in; v++)
			in = a >= pr->vma[v].start && a < pr->vma[v].start + pr->vma[v].npages * PG;
		if (!in)
			return perr(
			    P, col,
			    "expected a range inside the VMAs of %s, got [%#lx,%#lx) (%#lx is "
			    "outside every VMA)",
			    pr->name, *addr, *addr + *npages * PG, a);
	}
	return true;
}

/* Error names a step can be expected to fail with. */
static const struct {
	const char *name;
	int err;
} errnames[] = {
    {"EFAULT", EFAULT},		{"EBUSY", EBUSY},   {"EPERM", EPERM},	{"EINVAL", EINVAL},
    {"ENOENT", ENOENT},		{"ENOMEM", ENOMEM}, {"EEXIST", EEXIST}, {"EAGAIN", EAGAIN},
    {"EOPNOTSUPP", EOPNOTSUPP}, {"ENODEV", ENODEV}, {"EIO", EIO},	{"EREMOTEIO", EREMOTEIO},
};

#define NR_ERRNAMES (sizeof(errnames) / sizeof(errnames[0]))

static const char *errname(int ret, char *buf, size_t len)
{
	for (size_t i = 0; i < NR_ERRNAMES; i++)
		if (ret == -errnames[i].err) {
			snprintf(buf, len, "-%s", errnames[i].name);
			return buf;
		}
	snprintf(buf, len, "%d", ret);
	return buf;
}

static const struct {
	const char *name;
	enum hs_dmirror_bug bug;
} bugnames[] = {
    {"ok", HS_DMIRROR_OK},
    {"noretry", HS_DMIRROR_BUG_NO_RETRY},
    {"unlocked-retry", HS_DMIRROR_BUG_RETRY_UNLOCKED},
    {"skip-own-migrate", HS_DMIRROR_BUG_SKIP_OWN_MIGRATE},
    {"ebusy-fatal", HS_DMIRROR_BUG_EBUSY_FATAL},
    {"lock-page-under-mutex", HS_DMIRROR_BUG_LOCK_PAGE_UNDER_MUTEX},
    {"release-no-wait", HS_DMIRROR_BUG_RELEASE_NO_WAIT},
};

static const char *const kinds[] = {
    SIM_KIND_ASSERT,	 SIM_KIND_DEADLOCK,    SIM_KIND_LIVELOCK,      SIM_KIND_DATA_RACE,
    SIM_KIND_LOCK_ORDER, SIM_KIND_MIGHT_SLEEP, SIM_KIND_LOCK_NOT_HELD, HS_KIND_UAF,
    HS_KIND_REFCOUNT,	 HS_KIND_BUG,	       HS_KIND_COHERENCE,      HS_KIND_DATA_LOSS,
    HS_KIND_LEAK,	 HS_KIND_WRONG_OWNER,  HS_KIND_LOST_ACCESS,
};

/* ---- steps ------------------------------------------------------------------------------ */

static bool op_has_result(int op)
{
	switch (op) {
	case OP_EVICT:
	case OP_RELEASE:
	case OP_READ_BEGIN:
	case OP_LOCK:
	case OP_UNLOCK:
	case OP_READ_RETRY:
	case OP_SIGNAL:
	case OP_WAIT:
	case OP_YIELD:
	case OP_CHECK_DATA:
	case OP_REPEAT:
	case OP_END:
	case OP_PLUG:
	case OP_CHECK_LOST:
	case OP_CHECK_GONE:
	case OP_CHECK_LEAKS:
	case OP_CHECK_ENTRY:
		return false;
	default:
		return true;
	}
}

static int lookup_op(const struct tok *t)
{
	for (int i = 0; t && i < NR_OPS; i++)
		if (tok_is(t, op_words[i]))
			return i;
	return -1;
}

/* SEQ of a protocol step: a sequence of this block, begun on @mirror. */
static bool get_seq(struct parser *P, int mirror, bool begin, int *seq)
{
	struct block *b = P->blk;
	const struct tok *t = peek(P);

	if (!t || !name_ok(t))
		return perr(P, col_here(P), "expected a sequence name, got %s", got(P));
	for (int i = 0; i < b->nseq; i++)
		if (tok_is(t, b->seq_name[i])) {
			if (b->seq_mirror[i] != mirror)
				return perr(
				    P, col_here(P),
				    "expected a sequence of mirror %s, got %s (begun on %s)",
				    P->p->mir[mirror].name, got(P),
				    P->p->mir[b->seq_mirror[i]].name);
			*seq = i;
			P->i++;
			return true;
		}
	if (!begin)
		return perr(
		    P, col_here(P),
		    "expected a sequence begun by an earlier read-begin in this block, got %s",
		    got(P));
	if (b->nseq == MAX_SEQS)
		return perr(P, col_here(P), "expected at most %d sequences in a block, got %s",
			    MAX_SEQS, got(P));
	memcpy(b->seq_name[b->nseq], t->s, (size_t)t->len);
	b->seq_name[b->nseq][t->len] = 0;
	b->seq_mirror[b->nseq] = mirror;
	*seq = b->nseq++;
	P->i++;
	return true;
}

/* restart's target: the read-begin of @seq in the current frame. */
static bool restart_target(struct parser *P, int col, int seq, int *target)
{
	int at_ = P->frames[P->depth].begin[seq];
	if (at_ < 0)
		return perr(
		    P, col,
		    "expected a read-begin of %s earlier in the same block for restart, got "
		    "none",
		    P->blk->seq_name[seq]);
	*target = at_;
	return true;
}

/* "= V..." after a read: one value, or one per page (one value V for several
 * pages means V, V+1, ...). */
static bool get_expected_values(struct parser *P, struct step *s)
{
	unsigned long v[MAX_STEP_PAGES];
	int n = 0;

	if (!at(P, "="))
		return true;
	P->i++;
	while (n < MAX_STEP_PAGES && P->i < P->n && num_parse(&P->t[P->i], &v[n])) {
		n++;
		P->i++;
	}
	if (n == 0)
		return perr(P, col_here(P), "expected a value after '=', got %s", got(P));
	if (n != 1 && (unsigned long)n != s->npages)
		return perr(P, P->t[P->i - 1].col, "expected 1 or %lu values after '=', got %d",
			    s->npages, n);
	s->vals = malloc((size_t)n * sizeof(*s->vals));
	if (!s->vals)
		return perr(P, col_here(P), "expected memory, got none");
	memcpy(s->vals, v, (size_t)n * sizeof(*v));
	s->nvals = n;
	return true;
}

static bool add_flag(struct parser *P, int *idx)
{
	struct hs_program *p = P->p;
	const struct tok *t = peek(P);

	if (!t || !name_ok(t))
		return perr(P, col_here(P), "expected a flag name, got %s", got(P));
	for (int i = 0; i < p->nflag; i++)
		if (tok_is(t, p->flag[i])) {
			*idx = i;
			P->i++;
			return true;
		}
	if (p->nflag == MAX_FLAGS)
		return perr(P, col_here(P), "expected at most %d flags, got %s", MAX_FLAGS, got(P));
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
		return perr(P, col,
			    "expected at most %lu steps in a block with its repeats unrolled, "
			    "got more",
			    MAX_UNROLLED);
	return true;
}

/* A cluster by name: an existing one, or a new one (its key is allocated at
 * setup, in the order clusters are first named). */
static bool get_cluster(struct parser *P, int *idx)
{
	struct hs_program *p = P->p;
	const struct tok *t = peek(P);
	const char *kind;
	int line;

	if (!t || !name_ok(t))
		return perr(P, col_here(P),
			    "expected a cluster name (a letter or _, then letters, digits, _ - ., "
			    "at most %d), got %s",
			    NAME_LEN, got(P));
	for (int i = 0; i < p->ncl; i++)
		if (tok_is(t, p->cl[i].name)) {
			*idx = i;
			P->i++;
			return true;
		}
	if ((kind = find_decl(p, t, &line)))
		return perr(P, col_here(P),
			    "expected a cluster name, got %s (%s declared at line %d)", got(P),
			    kind, line);
	if (p->ncl == MAX_CLUSTERS)
		return perr(P, col_here(P), "expected at most %d clusters, got %s", MAX_CLUSTERS,
			    got(P));
	memcpy(p->cl[p->ncl].name, t->s, (size_t)t->len);
	p->cl[p->ncl].name[t->len] = 0;
	p->cl[p->ncl].line = P->line;
	p->cl[p->ncl].skip = 0;
	*idx = p->ncl++;
	P->i++;
	return true;
}

/* One of @n words: its index in *@out. */
static bool get_word(struct parser *P, const char *const *w, int n, const char *what, int *out)
{
	for (int i = 0; i < n; i++)
		if (at(P, w[i])) {
			*out = i;
			P->i++;
			return true;
		}
	return perr(P, col_here(P), "expected %s, got %s", what, got(P));
}

static char *join_tokens(struct parser *P, int from)
{
	size_t len = 1;
	for (int i = from; i < P->n; i++)
		len += (size_t)P->t[i].len + 1;
	char *s = malloc(len), *q = s;
	if (!s)
		return NULL;
	for (int i = from; i < P->n; i++) {
		if (i > from)
			*q++ = ' ';
		memcpy(q, P->t[i].s, (size_t)P->t[i].len);
		q += P->t[i].len;
	}
	*q = 0;
	return s;
}

static void step_free(struct step *s)
{
	free(s->vals);
	free(s->text);
}

/* One step of the current block from the cursor to the end of the line. */
static bool parse_step(struct parser *P, bool in_thread)
{
	struct hs_program *p = P->p;
	struct block *b = P->blk;
	int from = P->i, col0 = col_here(P), op = lookup_op(peek(P));
	struct step s = {.line = P->line, .target = -1};
	int proc = -1, col;

	if (op < 0)
		return perr(P, col0, "expected a step (see docs/scenarios.md), got %s", got(P));
	if (!in_thread && (op == OP_REPEAT || op == OP_END))
		return perr(P, col0, "expected a step, got %s (repeat blocks are for threads)",
			    got(P));
	if (p->nsteps >= MAX_STEPS)
		return perr(P, col0, "expected at most %d steps in a file, got more", MAX_STEPS);
	s.op = (uint8_t)op;
	P->i++;
	switch (op) {
	case OP_CPU_READ:
		if (!get_ref(P, REF_PROC, &proc) ||
		    !get_range(P, proc, false, 1, &s.addr, &s.npages) ||
		    !get_expected_values(P, &s))
			return false;
		break;
	case OP_CPU_WRITE:
		if (!get_ref(P, REF_PROC, &proc) ||
		    !get_range(P, proc, false, 1, &s.addr, &s.npages) || !get_value(P, &s.value))
			return false;
		break;
	case OP_MUNMAP:
	case OP_MADVISE:
	case OP_CHECK_DATA:
		if (!get_ref(P, REF_PROC, &proc) ||
		    !get_range(P, proc, true, MAX_VA / PG, &s.addr, &s.npages))
			return false;
		break;
	case OP_MPROTECT:
		if (!get_ref(P, REF_PROC, &proc) ||
		    !get_range(P, proc, true, MAX_VA / PG, &s.addr, &s.npages) ||
		    !get_prot(P, &s.prot))
			return false;
		break;
	case OP_SWAPOUT:
		if (!get_ref(P, REF_PROC, &proc))
			return false;
		if (P->i + 1 < P->n && num_parse(&P->t[P->i + 1], &s.npages)) {
			if (!get_range(P, proc, true, MAX_STEP_PAGES, &s.addr, &s.npages))
				return false;
		} else if (!get_range(P, proc, false, 1, &s.addr, &s.npages)) {
			return false;
		}
		break;
	case OP_MIGRATE_TO_DEV:
	case OP_MIGRATE_TO_SYS:
		if (!get_ref(P, REF_MIR, &s.obj) ||
		    !get_range(P, p->mir[s.obj].proc, true, MAX_VA / PG, &s.addr, &s.npages))
			return false;
		break;
	case OP_EVICT:
	case OP_UNPLUG: {
		struct device *d;
		col = col_here(P);
		if (!get_ref(P, REF_DEV, &s.obj))
			return false;
		d = &p->dev[s.obj];
		if (P->depth)
			return perr(P, col0, "expected %s outside repeat blocks, got it inside",
				    op_words[op]);
		if (d->gone_line)
			return perr(P, col, "expected one %s of %s, got a second (line %d)",
				    d->gone_op == op ? op_words[op] : "evict or unplug", d->name,
				    d->gone_line);
		if (op == OP_UNPLUG) {
			/* the order of enum hs_dmirror_unplug */
			static const char *const how[] = {"safe", "surprise", "devm", "free-first"};
			int h;
			if (!get_word(P, how, 4, "safe, surprise, devm or free-first", &h))
				return false;
			s.how = (uint8_t)h;
		}
		d->gone_line = P->line;
		d->gone_op = op;
		break;
	}
	case OP_PLUG: {
		bool ok;
		col = col_here(P);
		P->plugging = true;
		ok = get_ref(P, REF_DEV, &s.obj);
		P->plugging = false;
		if (!ok)
			return false;
		if (!p->dev[s.obj].hotplug)
			return perr(P, col, "expected a device declared hotplug, got '%s'",
				    p->dev[s.obj].name);
		if (P->depth)
			return perr(P, col0, "expected plug outside repeat blocks, got it inside");
		if (p->dev[s.obj].plug_line)
			return perr(P, col, "expected one plug of %s, got a second (line %d)",
				    p->dev[s.obj].name, p->dev[s.obj].plug_line);
		p->dev[s.obj].plug_line = P->line;
		p->dev[s.obj].plug_blk = b;
		break;
	}
	case OP_OWNER_CHANGE:
		if (!get_ref(P, REF_DEV, &s.obj) || !get_cluster(P, &s.cluster))
			return false;
		break;
	case OP_CHECK_LOST:
	case OP_CHECK_GONE:
		if (!get_ref(P, REF_DEV, &s.obj))
			return false;
		break;
	case OP_CHECK_LEAKS:
		break;
	case OP_CHECK_ENTRY: {
		int e;
		if (!get_ref(P, REF_MIR, &s.obj) ||
		    !get_range(P, p->mir[s.obj].proc, false, 1, &s.addr, &s.npages) ||
		    !get_word(P, entry_words, 5, "none, ram, device, p2p or p2p-bus", &e))
			return false;
		s.how = (uint8_t)e;
		break;
	}
	case OP_DEVICE_ATOMIC:
		if (!get_ref(P, REF_MIR, &s.obj) ||
		    !get_range(P, p->mir[s.obj].proc, true, MAX_STEP_PAGES, &s.addr, &s.npages) ||
		    !get_value(P, &s.value) || !get_expected_values(P, &s))
			return false;
		break;
	case OP_RELEASE:
		col = col_here(P);
		if (!get_ref(P, REF_MIR, &s.obj))
			return false;
		if (P->depth)
			return perr(P, col0,
				    "expected release outside repeat blocks, got it inside");
		if (p->mir[s.obj].release_line)
			return perr(P, col, "expected one release of %s, got a second (line %d)",
				    p->mir[s.obj].name, p->mir[s.obj].release_line);
		p->mir[s.obj].release_line = P->line;
		break;
	case OP_DEVICE_READ:
	case OP_MIRROR_READ:
		if (!get_ref(P, REF_MIR, &s.obj) ||
		    !get_range(P, p->mir[s.obj].proc, true, MAX_STEP_PAGES, &s.addr, &s.npages) ||
		    !get_expected_values(P, &s))
			return false;
		break;
	case OP_DEVICE_WRITE:
	case OP_MIRROR_WRITE:
		if (!get_ref(P, REF_MIR, &s.obj) ||
		    !get_range(P, p->mir[s.obj].proc, true, MAX_STEP_PAGES, &s.addr, &s.npages) ||
		    !get_value(P, &s.value))
			return false;
		break;
	case OP_READ_BEGIN:
		if (!get_ref(P, REF_MIR, &s.obj) || !get_seq(P, s.obj, true, &s.seq))
			return false;
		break;
	case OP_RANGE_FAULT: {
		if (!get_ref(P, REF_MIR, &s.obj) || !get_seq(P, s.obj, false, &s.seq) ||
		    !get_range(P, p->mir[s.obj].proc, true, MAX_STEP_PAGES, &s.addr, &s.npages))
			return false;
		const struct tok *f = peek(P);
		bool ok = f != NULL, nofault = false;
		/* fault, fault|write, nofault, each with |p2p, in any order */
		for (int i = 0; ok && i < f->len;) {
			int j = i;
			while (j < f->len && f->s[j] != '|')
				j++;
			struct tok w = {f->s + i, j - i, 0};
			if (tok_is(&w, "fault") && !s.fault && !nofault)
				s.fault = true;
			else if (tok_is(&w, "nofault") && !s.fault && !nofault)
				nofault = true;
			else if (tok_is(&w, "write") && !s.write)
				s.write = true;
			else if (tok_is(&w, "p2p") && !s.p2p)
				s.p2p = true;
			else
				ok = false;
			i = j + 1;
			if (j < f->len && i == f->len)
				ok = false; /* trailing '|' */
		}
		ok = ok && (s.fault || (nofault && !s.write));
		if (!ok)
			return perr(
			    P, col_here(P),
			    "expected fault, fault|write or nofault, each may add |p2p, got %s",
			    got(P));
		const struct device *md = &p->dev[p->mir[s.obj].dev];
		if (s.p2p && md->port < 0)
			return perr(P, col_here(P),
				    "expected flags without p2p, got %s (device %s has no PCI "
				    "function: declare it with at PORT)",
				    got(P), md->name);
		P->i++;
		b->seq_faulted[s.seq] = true;
		if (at(P, "on-busy")) {
			P->i++;
			col = col_here(P);
			if (!want(P, "restart") || !restart_target(P, col, s.seq, &s.target))
				return false;
			s.action = ACT_RESTART;
		}
		break;
	}
	case OP_LOCK:
	case OP_UNLOCK:
		if (!get_ref(P, REF_MIR, &s.obj))
			return false;
		break;
	case OP_READ_RETRY:
		if (!get_ref(P, REF_MIR, &s.obj) || !get_seq(P, s.obj, false, &s.seq) ||
		    !want(P, "on-fail"))
			return false;
		col = col_here(P);
		if (at(P, "unlock-restart"))
			s.action = ACT_UNLOCK_RESTART;
		else if (at(P, "restart"))
			s.action = ACT_RESTART;
		else if (at(P, "ignore"))
			s.action = ACT_IGNORE;
		else if (at(P, "fail"))
			s.action = ACT_FAIL;
		else
			return perr(P, col,
				    "expected unlock-restart, restart, ignore or fail, got %s",
				    got(P));
		P->i++;
		if ((s.action == ACT_RESTART || s.action == ACT_UNLOCK_RESTART) &&
		    !restart_target(P, col, s.seq, &s.target))
			return false;
		break;
	case OP_PROGRAM:
		col = col_here(P);
		if (!get_ref(P, REF_MIR, &s.obj))
			return false;
		col = col_here(P);
		if (!get_seq(P, s.obj, false, &s.seq))
			return false;
		if (!b->seq_faulted[s.seq])
			return perr(
			    P, col,
			    "expected a sequence with a range-fault before this step, got '%s'",
			    b->seq_name[s.seq]);
		break;
	case OP_SIGNAL:
	case OP_WAIT:
		col = col_here(P);
		if (!add_flag(P, &s.obj))
			return false;
		if (op == OP_SIGNAL) {
			p->flag_signalled[s.obj] = true;
		} else if (!p->flag_wait_line[s.obj]) {
			p->flag_wait_line[s.obj] = P->line;
			p->flag_wait_col[s.obj] = col;
		}
		break;
	case OP_YIELD:
		break;
	case OP_REPEAT:
		if (!get_num(P, "a repeat count", 1, MAX_REPEAT, &s.count))
			return false;
		if (P->depth == MAX_DEPTH)
			return perr(P, col0, "expected at most %d nested repeats, got one more",
				    MAX_DEPTH);
		break;
	case OP_END:
		if (!P->depth)
			return perr(P, col0, "expected a step, got 'end' (no repeat is open)");
		break;
	}

	if (proc >= 0)
		s.obj = proc;
	if (op_has_result(op)) {
		col = col_here(P);
		if (at(P, "may-fail")) {
			s.check = CHK_ANY;
			P->i++;
		} else if (at(P, "fails")) {
			P->i++;
			col = col_here(P);
			size_t i;
			for (i = 0; i < NR_ERRNAMES; i++)
				if (at(P, errnames[i].name))
					break;
			if (i == NR_ERRNAMES) {
				free(s.vals);
				return perr(
				    P, col,
				    "expected an error name (EFAULT, EBUSY, EPERM, EINVAL, "
				    "ENOENT, ENOMEM, EEXIST, EAGAIN, EOPNOTSUPP, ENODEV, EIO, "
				    "EREMOTEIO), "
				    "got %s",
				    got(P));
			}
			if (s.action == ACT_RESTART && errnames[i].err == EBUSY)
				return perr(P, col,
					    "expected an error other than EBUSY (on-busy restart "
					    "restarts on it), got %s",
					    got(P));
			s.check = CHK_ERR;
			s.err = -errnames[i].err;
			P->i++;
		}
	}
	if (!want_eol(P)) {
		free(s.vals);
		return false;
	}
	s.text = join_tokens(P, from);
	if (!s.text) {
		free(s.vals);
		return perr(P, col0, "expected memory, got none");
	}
	if (b->nsteps == b->cap) {
		int cap = b->cap ? 2 * b->cap : 16;
		struct step *n = realloc(b->steps, (size_t)cap * sizeof(*n));
		if (!n) {
			step_free(&s);
			return perr(P, col0, "expected memory, got none");
		}
		b->steps = n;
		b->cap = cap;
	}
	int idx = b->nsteps;
	b->steps[b->nsteps++] = s;
	p->nsteps++;

	/* frames: repeat opens one, end closes it, read-begin marks a restart target */
	if (op == OP_REPEAT) {
		struct frame *f = &P->frames[++P->depth];
		f->repeat_at = idx;
		f->line = P->line;
		f->cost = 0;
		for (int i = 0; i < MAX_SEQS; i++)
			f->begin[i] = -1;
	} else if (op == OP_END) {
		struct frame *f = &P->frames[P->depth];
		unsigned long body = f->cost;
		unsigned long count = b->steps[f->repeat_at].count;
		b->steps[f->repeat_at].target = idx;
		b->steps[idx].target = f->repeat_at;
		P->depth--;
		if (!add_cost(P, body > MAX_UNROLLED / count ? MAX_UNROLLED + 1 : body * count,
			      col0))
			return false;
	} else {
		if (op == OP_READ_BEGIN)
			P->frames[P->depth].begin[s.seq] = idx;
		if (!add_cost(P, 1, col0))
			return false;
	}
	return true;
}

/* ---- directives --------------------------------------------------------------------------- */

static void frame_reset(struct frame *f)
{
	f->repeat_at = -1;
	f->line = 0;
	f->cost = 0;
	for (int i = 0; i < MAX_SEQS; i++)
		f->begin[i] = -1;
}

/* The thread block being parsed ends (at a directive, or at the end of the file). */
static bool close_thread(struct parser *P)
{
	struct block *b = P->blk;

	if (!b)
		return true;
	if (P->depth)
		return perr(P, col_here(P), "expected 'end' for the repeat of line %d, got %s",
			    P->frames[P->depth].line, got(P));
	if (!b->nsteps)
		return perr(P, col_here(P), "expected a step in thread %s, got %s", b->name,
			    got(P));
	b->cost = P->frames[0].cost;
	P->blk = NULL;
	return true;
}

static bool parse_machine(struct parser *P)
{
	struct hs_program *p = P->p;
	int col = col_here(P);

	if (p->ram_line)
		return perr(P, col, "expected one machine line, got a second (line %d)",
			    p->ram_line);
	if (!want(P, "ram") || !get_num(P, "a number of RAM pages", MIN_RAM, MAX_RAM, &p->ram))
		return false;
	p->ram_line = P->line;
	return want_eol(P);
}

static bool parse_process(struct parser *P)
{
	struct hs_program *p = P->p;
	struct process *pr = &p->proc[p->nproc];

	if (p->nproc == MAX_PROCS)
		return perr(P, col_here(P), "expected at most %d processes, got %s", MAX_PROCS,
			    got(P));
	memset(pr, 0, sizeof(*pr));
	pr->swap = DEFAULT_SWAP;
	if (!get_new_name(P, "process", pr->name) || !want(P, "va"))
		return false;
	int col = col_here(P);
	char size[96];
	snprintf(size, sizeof(size), "%s", got(P));
	if (!get_size(P, "an address-space size", PG, MAX_VA, &pr->va))
		return false;
	if (pr->va & (PG - 1))
		return perr(P, col,
			    "expected an address-space size that is a multiple of 4K, got %s",
			    size);
	if (at(P, "swap")) {
		P->i++;
		if (!get_num(P, "a number of swap slots", 0, MAX_SWAP, &pr->swap))
			return false;
	}
	if (!want_eol(P))
		return false;
	pr->line = P->line;
	p->nproc++;
	return true;
}

static bool parse_vma(struct parser *P)
{
	struct hs_program *p = P->p;
	int proc, col;
	unsigned long start, npages;
	unsigned int prot;

	if (!get_ref(P, REF_PROC, &proc))
		return false;
	struct process *pr = &p->proc[proc];
	col = col_here(P);
	const struct tok *t = peek(P);
	if (!t || !num_parse(t, &start))
		return perr(P, col, "expected an address, got %s", got(P));
	if (start & (PG - 1))
		return perr(P, col, "expected a page-aligned address, got %s", got(P));
	if (start >= pr->va)
		return perr(P, col, "expected an address below the size of %s (%#lx), got %s",
			    pr->name, pr->va, got(P));
	P->i++;
	if (!get_num(P, "a page count", 1, MAX_VA / PG, &npages))
		return false;
	if (npages > (pr->va - start) / PG)
		return perr(P, P->t[P->i - 1].col,
			    "expected a VMA inside the address space of %s (%#lx bytes), got "
			    "[%#lx,%#lx)",
			    pr->name, pr->va, start, start + npages * PG);
	for (int v = 0; v < pr->nvma; v++) {
		const struct vma_decl *o = &pr->vma[v];
		if (start < o->start + o->npages * PG && o->start < start + npages * PG)
			return perr(P, col,
				    "expected a VMA that overlaps no other, got [%#lx,%#lx) "
				    "overlapping [%#lx,%#lx) of line %d",
				    start, start + npages * PG, o->start, o->start + o->npages * PG,
				    o->line);
	}
	if (pr->nvma == MAX_VMAS)
		return perr(P, col, "expected at most %d VMAs in %s, got more", MAX_VMAS, pr->name);
	if (!get_prot(P, &prot))
		return false;
	if (at(P, "shared")) {
		prot |= HS_VM_SHARED;
		P->i++;
	}
	if (!want_eol(P))
		return false;
	pr->vma[pr->nvma++] = (struct vma_decl){start, npages, prot, P->line};
	return true;
}

static bool get_port(struct parser *P, int *port);

static bool parse_device(struct parser *P)
{
	struct hs_program *p = P->p;
	struct device *d = &p->dev[p->ndev];

	if (p->ndev == MAX_DEVICES)
		return perr(P, col_here(P), "expected at most %d devices, got %s", MAX_DEVICES,
			    got(P));
	memset(d, 0, sizeof(*d));
	d->port = d->cluster = -1;
	if (!get_new_name(P, "device", d->name) || !want(P, "pages") ||
	    !get_num(P, "a number of device pages", 1, MAX_DEV_PAGES, &d->pages))
		return false;
	/* [at PORT [p2p]] [owner CLUSTER] [hotplug], in any order, each once */
	while (P->i < P->n) {
		int col = col_here(P);
		if (at(P, "at") && d->port < 0) {
			P->i++;
			if (!get_port(P, &d->port))
				return false;
		} else if (at(P, "p2p") && d->port >= 0 && !d->p2p) {
			d->p2p = true;
			P->i++;
		} else if (at(P, "owner") && d->cluster < 0) {
			P->i++;
			if (!get_cluster(P, &d->cluster))
				return false;
		} else if (at(P, "hotplug") && !d->hotplug) {
			d->hotplug = true;
			P->i++;
		} else {
			return perr(
			    P, col,
			    "expected at PORT, p2p (after at), owner CLUSTER, hotplug or end "
			    "of line, each once, got %s",
			    got(P));
		}
	}
	d->line = P->line;
	p->ndev++;
	return true;
}

static bool parse_mirror(struct parser *P)
{
	struct hs_program *p = P->p;
	struct mirror *m = &p->mir[p->nmir];

	if (p->nmir == MAX_MIRRORS)
		return perr(P, col_here(P), "expected at most %d mirrors, got %s", MAX_MIRRORS,
			    got(P));
	memset(m, 0, sizeof(*m));
	if (!get_new_name(P, "mirror", m->name) || !get_ref(P, REF_DEV, &m->dev) ||
	    !get_ref(P, REF_PROC, &m->proc))
		return false;
	if (at(P, "p2p")) {
		if (p->dev[m->dev].port < 0)
			return perr(
			    P, col_here(P),
			    "expected end of line, got 'p2p' (device %s has no PCI function: "
			    "declare it with at PORT)",
			    p->dev[m->dev].name);
		m->p2p = true;
		P->i++;
		if (at(P, "requester")) {
			m->requester = true;
			P->i++;
		}
	}
	if (!want_eol(P))
		return false;
	m->line = P->line;
	p->nmir++;
	return true;
}

static bool parse_bug(struct parser *P)
{
	struct hs_program *p = P->p;
	int mi, col;

	if (!get_ref(P, REF_MIR, &mi))
		return false;
	col = col_here(P);
	if (p->mir[mi].bug_line)
		return perr(P, col, "expected one bug line for %s, got a second (line %d)",
			    p->mir[mi].name, p->mir[mi].bug_line);
	for (size_t i = 0; i < sizeof(bugnames) / sizeof(bugnames[0]); i++)
		if (at(P, bugnames[i].name)) {
			P->i++;
			p->mir[mi].bug = bugnames[i].bug;
			p->mir[mi].bug_line = P->line;
			return want_eol(P);
		}
	return perr(P, col,
		    "expected a driver bug (ok, noretry, unlocked-retry, skip-own-migrate, "
		    "ebusy-fatal, lock-page-under-mutex, release-no-wait), got %s",
		    got(P));
}

static bool parse_switch(struct parser *P)
{
	struct hs_program *p = P->p;
	const char *const *names = hs_switch_names();
	int col = col_here(P);

	for (int i = 0; names[i]; i++)
		if (at(P, names[i])) {
			for (int j = 0; j < p->nsw; j++)
				if (p->sw[j] == i)
					return perr(P, col,
						    "expected a switch not yet named, got %s",
						    got(P));
			if (p->nsw == (int)(sizeof(p->sw) / sizeof(p->sw[0])))
				return perr(P, col, "expected fewer switch lines, got %s", got(P));
			p->sw[p->nsw++] = i;
			P->i++;
			return want_eol(P);
		}
	char list[400];
	size_t used = 0;
	list[0] = 0;
	for (int i = 0; names[i] && used + 1 < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return perr(P, col, "expected a switch (%s), got %s", list, got(P));
}

/* "rp0, sw0.0..sw0.3" for messages. */
static void list_ports(const struct hs_program *p, char *buf, size_t len)
{
	size_t used = 0;
	int w;

	buf[0] = 0;
	for (int i = 0; i < p->nrp + p->npsw && used + 1 < len; i++) {
		if (i < p->nrp)
			w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", p->rp[i].name);
		else
			w = snprintf(buf + used, len - used, "%s%s.0..%s.%lu", i ? ", " : "",
				     p->psw[i - p->nrp].name, p->psw[i - p->nrp].name,
				     p->psw[i - p->nrp].nports - 1);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, len, "none is declared yet");
}

static bool get_port(struct parser *P, int *port)
{
	char names[200];

	if ((*port = find_port(P->p, peek(P))) >= 0) {
		P->i++;
		return true;
	}
	list_ports(P->p, names, sizeof(names));
	return perr(P, col_here(P), "expected a port (%s), got %s", names, got(P));
}

/* host-bridge NAME [allowlisted] [same-host-bridge] */
static bool parse_host_bridge(struct parser *P)
{
	struct hs_program *p = P->p;
	struct host_bridge *h = &p->hb[p->nhb];

	if (p->nhb == MAX_HOST_BRIDGES)
		return perr(P, col_here(P), "expected at most %d host bridges, got %s",
			    MAX_HOST_BRIDGES, got(P));
	memset(h, 0, sizeof(*h));
	if (!get_new_name(P, "host bridge", h->name))
		return false;
	if (at(P, "allowlisted")) {
		h->flags |= HS_PCI_HB_WHITELISTED;
		P->i++;
	}
	if (at(P, "same-host-bridge")) {
		h->flags |= HS_PCI_HB_REQ_SAME_HOST_BRIDGE;
		P->i++;
	}
	if (!want_eol(P))
		return false;
	h->line = P->line;
	p->nhb++;
	return true;
}

/* root-port NAME HOST-BRIDGE */
static bool parse_root_port(struct parser *P)
{
	struct hs_program *p = P->p;
	struct root_port *r = &p->rp[p->nrp];
	const struct tok *t;

	if (p->nrp == MAX_ROOT_PORTS)
		return perr(P, col_here(P), "expected at most %d root ports, got %s",
			    MAX_ROOT_PORTS, got(P));
	memset(r, 0, sizeof(*r));
	if (!get_new_name(P, "root port", r->name))
		return false;
	t = peek(P);
	r->hb = -1;
	for (int i = 0; t && i < p->nhb; i++)
		if (tok_is(t, p->hb[i].name))
			r->hb = i;
	if (r->hb < 0)
		return perr(P, col_here(P), "expected a host bridge name%s, got %s",
			    p->nhb ? "" : " (none is declared yet)", got(P));
	P->i++;
	if (!want_eol(P))
		return false;
	r->line = P->line;
	p->nrp++;
	return true;
}

/* pci-switch NAME PORT N: downstream ports NAME.0 .. NAME.N-1 */
static bool parse_pci_switch(struct parser *P)
{
	struct hs_program *p = P->p;
	struct pci_switch *w = &p->psw[p->npsw];

	if (p->npsw == MAX_PCI_SWITCHES)
		return perr(P, col_here(P), "expected at most %d PCI switches, got %s",
			    MAX_PCI_SWITCHES, got(P));
	memset(w, 0, sizeof(*w));
	if (!get_new_name(P, "PCI switch", w->name) || !get_port(P, &w->parent) ||
	    !get_num(P, "a number of downstream ports", 1, HS_PCI_SWITCH_MAX_PORTS, &w->nports) ||
	    !want_eol(P))
		return false;
	w->line = P->line;
	p->npsw++;
	return true;
}

/* acs PORT: ACS P2P redirect on a root port or a switch downstream port */
static bool parse_acs(struct parser *P)
{
	struct hs_program *p = P->p;
	int port;

	if (!get_port(P, &port) || !want_eol(P))
		return false;
	if (port < PORT_SWITCH) {
		p->rp[port].acs = true;
	} else {
		port -= PORT_SWITCH;
		p->psw[port / HS_PCI_SWITCH_MAX_PORTS].acs |= 1u
							      << (port % HS_PCI_SWITCH_MAX_PORTS);
	}
	return true;
}

/* A device with a PCI function (for link and grant). */
static bool get_pci_device(struct parser *P, int *d)
{
	int col = col_here(P);

	if (!get_ref(P, REF_DEV, d))
		return false;
	if (P->p->dev[*d].port < 0)
		return perr(P, col,
			    "expected a device on the PCI topology (declared with at PORT), got "
			    "'%s'",
			    P->p->dev[*d].name);
	return true;
}

/* link A B r,w,atomics|none [one-way]: what A may do to B's memory peer-to-peer */
static bool parse_link(struct parser *P)
{
	struct hs_program *p = P->p;
	struct link_decl *l = &p->link[p->nlink];
	const struct tok *f;
	int col;

	if (p->nlink == MAX_LINKS)
		return perr(P, col_here(P), "expected at most %d links, got %s", MAX_LINKS, got(P));
	if (!get_pci_device(P, &l->a))
		return false;
	col = col_here(P);
	if (!get_pci_device(P, &l->b))
		return false;
	if (l->a == l->b)
		return perr(P, col, "expected a device other than %s, got '%s'", p->dev[l->a].name,
			    p->dev[l->b].name);
	f = peek(P);
	l->flags = 0;
	bool ok = f != NULL;
	if (!tok_is(f, "none"))
		for (int i = 0; ok && i < f->len;) {
			int j = i;
			while (j < f->len && f->s[j] != ',')
				j++;
			struct tok w = {f->s + i, j - i, 0};
			unsigned int bit = tok_is(&w, "r")	   ? HS_PCI_LINK_READ
					   : tok_is(&w, "w")	   ? HS_PCI_LINK_WRITE
					   : tok_is(&w, "atomics") ? HS_PCI_LINK_ATOMICS
								   : 0;
			ok = bit && !(l->flags & bit) && !(j < f->len && j + 1 == f->len);
			l->flags |= bit;
			i = j + 1;
		}
	if (!ok)
		return perr(P, col_here(P),
			    "expected what the link carries (r, w, atomics joined by commas, or "
			    "none), got %s",
			    got(P));
	P->i++;
	if (at(P, "one-way")) {
		l->flags |= HS_PCI_LINK_ONE_WAY;
		P->i++;
	}
	if (!want_eol(P))
		return false;
	p->nlink++;
	return true;
}

/* cluster NAME [skip N]: declared now, N ids allocated (and dropped) before its own */
static bool parse_cluster(struct parser *P)
{
	struct hs_program *p = P->p;
	struct cluster *c = &p->cl[p->ncl];

	if (p->ncl == MAX_CLUSTERS)
		return perr(P, col_here(P), "expected at most %d clusters, got %s", MAX_CLUSTERS,
			    got(P));
	memset(c, 0, sizeof(*c));
	if (!get_new_name(P, "cluster", c->name))
		return false;
	if (at(P, "skip")) {
		P->i++;
		if (!get_num(P, "a number of cluster ids to skip", 0, MAX_SKIP, &c->skip))
			return false;
	}
	if (!want_eol(P))
		return false;
	c->line = P->line;
	p->ncl++;
	return true;
}

/* owner-policy NAME: a row of `hmmsim experiment owner` (hs_owner_config_parse) */
static bool parse_owner_policy(struct parser *P)
{
	struct hs_program *p = P->p;
	int col = col_here(P);
	char name[TOK_LEN + 1];

	if (p->owner_line)
		return perr(P, col, "expected one owner-policy line, got a second (line %d)",
			    p->owner_line);
	if (P->i < P->n) {
		memcpy(name, P->t[P->i].s, (size_t)P->t[P->i].len);
		name[P->t[P->i].len] = 0;
		if (hs_owner_config_parse(name, &p->owner) == 0) {
			P->i++;
			p->owner_set = true;
			p->owner_line = P->line;
			return want_eol(P);
		}
	}
	char list[600];
	size_t used = 0, n;
	const struct hs_owner_config *cfg = hs_owner_experiment_all_configs(&n);
	list[0] = 0;
	for (size_t i = 0; i < n && used + 1 < sizeof(list); i++) {
		char b[48];
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
				 hs_owner_config_name(&cfg[i], b, sizeof(b)));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return perr(P, col, "expected an owner policy (%s), got %s", list, got(P));
}

/* grant EXPORTER IMPORTER: p2p-callback / range-callback grant the memory */
static bool parse_grant(struct parser *P)
{
	struct hs_program *p = P->p;
	int e, i, col = col_here(P);

	if (p->ngrant == MAX_GRANTS)
		return perr(P, col, "expected at most %d grants, got %s", MAX_GRANTS, got(P));
	if (!get_ref(P, REF_DEV, &e))
		return false;
	if (p->dev[e].hotplug)
		return perr(P, col, "expected a device present from the start, got '%s' (hotplug)",
			    p->dev[e].name);
	col = col_here(P);
	if (!get_ref(P, REF_DEV, &i))
		return false;
	if (p->dev[i].hotplug)
		return perr(P, col, "expected a device present from the start, got '%s' (hotplug)",
			    p->dev[i].name);
	if (!want_eol(P))
		return false;
	p->grant[p->ngrant][0] = e;
	p->grant[p->ngrant][1] = i;
	p->ngrant++;
	return true;
}

/* init STEP / final STEP: one step of the init or final block. */
static bool parse_init_final(struct parser *P, bool final)
{
	struct hs_program *p = P->p;
	struct frame *top = final ? &P->final_top : &P->init_top;
	bool ok;

	P->blk = final ? &p->final : &p->init;
	P->frames[0] = *top;
	P->depth = 0;
	ok = parse_step(P, false);
	*top = P->frames[0];
	P->blk = NULL;
	return ok;
}

static bool parse_thread(struct parser *P)
{
	struct hs_program *p = P->p;
	struct block *b = &p->thread[p->nthread];

	if (p->nthread == HS_SCENARIO_MAX_THREADS)
		return perr(P, col_here(P), "expected at most %d threads, got %s",
			    HS_SCENARIO_MAX_THREADS, got(P));
	memset(b, 0, sizeof(*b));
	if (!get_new_name(P, "thread", b->name) || !want_eol(P))
		return false;
	b->line = P->line;
	p->nthread++;
	P->blk = b;
	P->depth = 0;
	frame_reset(&P->frames[0]);
	return true;
}

static bool parse_expect(struct parser *P)
{
	struct hs_program *p = P->p;
	int col = col_here(P);

	if (p->expect_line)
		return perr(P, col, "expected one expect line, got a second (line %d)",
			    p->expect_line);
	if (at(P, "clean")) {
		P->i++;
		p->expect[0] = 0;
	} else if (at(P, "violation")) {
		P->i++;
		col = col_here(P);
		size_t i;
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (at(P, kinds[i]))
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0]))
			return perr(
			    P, col,
			    "expected a violation kind (assertion, deadlock, livelock, "
			    "data-race, lock-order, might-sleep, lock-not-held, "
			    "use-after-free, refcount, kernel-bug, coherence, data-loss, leak, "
			    "wrong-owner), got %s",
			    got(P));
		snprintf(p->expect, sizeof(p->expect), "%s", kinds[i]);
		P->i++;
	} else {
		return perr(P, col, "expected clean or violation, got %s", got(P));
	}
	p->expect_line = P->line;
	return want_eol(P);
}

static bool parse_explore(struct parser *P)
{
	struct hs_program *p = P->p;
	struct hs_scenario_plan *pl = &p->plan;
	int col = col_here(P);
	unsigned long v;

	if (p->explore_line)
		return perr(P, col, "expected one explore line, got a second (line %d)",
			    p->explore_line);
	if (at(P, "dfs")) {
		P->i++;
		pl->strategy = SIM_STRATEGY_DFS;
		pl->iterations = 0;
		pl->preemptions = 2;
		if (P->i < P->n) {
			if (!get_num(P, "a preemption bound", 0, 64, &v))
				return false;
			pl->preemptions = (unsigned int)v;
		}
	} else if (at(P, "pct") || at(P, "random")) {
		pl->strategy = at(P, "pct") ? SIM_STRATEGY_PCT : SIM_STRATEGY_RANDOM;
		P->i++;
		if (P->i < P->n && !at(P, "depth")) {
			if (!get_num(P, "a number of executions", 1, MAX_ITERATIONS, &v))
				return false;
			pl->iterations = v;
		}
		if (pl->strategy == SIM_STRATEGY_PCT && at(P, "depth")) {
			P->i++;
			if (!get_num(P, "a pct depth", 1, 16, &v))
				return false;
			pl->pct_depth = (unsigned int)v;
		}
	} else {
		return perr(P, col, "expected pct, random or dfs, got %s", got(P));
	}
	p->explore_line = P->line;
	return want_eol(P);
}

static bool parse_step_bound(struct parser *P)
{
	struct hs_program *p = P->p;
	unsigned long v;

	if (p->step_bound_line)
		return perr(P, col_here(P), "expected one step-bound line, got a second (line %d)",
			    p->step_bound_line);
	if (!get_num(P, "a step bound", 1, MAX_STEP_BOUND, &v))
		return false;
	p->sc.step_bound = v;
	p->step_bound_line = P->line;
	return want_eol(P);
}

/* no-check-data: the data oracle does not run at the end of an execution (a
 * surprise removal loses data by design; check-lost reports it) */
static bool parse_no_check_data(struct parser *P)
{
	struct hs_program *p = P->p;

	if (p->no_check_data_line)
		return perr(P, P->t[P->i - 1].col,
			    "expected one no-check-data line, got a second (line %d)",
			    p->no_check_data_line);
	p->no_check_data_line = P->line;
	return want_eol(P);
}

static const char *const setup_words[] = {"machine",	 "process",   "vma",	      "device",
					  "mirror",	 "bug",	      "switch",	      "init",
					  "host-bridge", "root-port", "pci-switch",   "acs",
					  "link",	 "cluster",   "owner-policy", "grant"};
static const char *const later_words[] = {"thread",  "final",	   "expect",
					  "explore", "step-bound", "no-check-data"};

static bool is_word_of(const struct tok *t, const char *const *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tok_is(t, w[i]))
			return true;
	return false;
}

static bool parse_line(struct parser *P)
{
	const struct tok *t = peek(P);
	bool setup = is_word_of(t, setup_words, sizeof(setup_words) / sizeof(setup_words[0]));
	bool later = is_word_of(t, later_words, sizeof(later_words) / sizeof(later_words[0]));

	if (!setup && !later) {
		if (P->blk)
			return parse_step(P, true);
		return perr(P, t->col,
			    "expected a directive (machine, process, vma, device, mirror, bug, "
			    "switch, host-bridge, root-port, pci-switch, acs, link, cluster, "
			    "owner-policy, grant, init, thread, final, expect, explore, "
			    "step-bound, no-check-data), got %s",
			    got(P));
	}
	if (!close_thread(P))
		return false;
	if (setup && P->p->nthread)
		return perr(P, t->col,
			    "expected a step or thread, final, expect, explore, step-bound, "
			    "no-check-data, got %s "
			    "(setup lines go before the first thread)",
			    got(P));
	P->i++;
	if (tok_is(t, "machine"))
		return parse_machine(P);
	if (tok_is(t, "process"))
		return parse_process(P);
	if (tok_is(t, "vma"))
		return parse_vma(P);
	if (tok_is(t, "device"))
		return parse_device(P);
	if (tok_is(t, "mirror"))
		return parse_mirror(P);
	if (tok_is(t, "bug"))
		return parse_bug(P);
	if (tok_is(t, "switch"))
		return parse_switch(P);
	if (tok_is(t, "host-bridge"))
		return parse_host_bridge(P);
	if (tok_is(t, "root-port"))
		return parse_root_port(P);
	if (tok_is(t, "pci-switch"))
		return parse_pci_switch(P);
	if (tok_is(t, "acs"))
		return parse_acs(P);
	if (tok_is(t, "link"))
		return parse_link(P);
	if (tok_is(t, "cluster"))
		return parse_cluster(P);
	if (tok_is(t, "owner-policy"))
		return parse_owner_policy(P);
	if (tok_is(t, "grant"))
		return parse_grant(P);
	if (tok_is(t, "init"))
		return parse_init_final(P, false);
	if (tok_is(t, "final"))
		return parse_init_final(P, true);
	if (tok_is(t, "thread"))
		return parse_thread(P);
	if (tok_is(t, "expect"))
		return parse_expect(P);
	if (tok_is(t, "explore"))
		return parse_explore(P);
	if (tok_is(t, "no-check-data"))
		return parse_no_check_data(P);
	return parse_step_bound(P);
}

/* Split one line into words; false on a character that has no place in a file. */
static bool tokenize(struct parser *P, const char *s, size_t len)
{
	size_t i = 0;

	P->n = P->i = 0;
	if (len > HS_SCENARIO_MAX_LINE)
		return perr(P, HS_SCENARIO_MAX_LINE + 1,
			    "expected a line of at most %d characters, got %zu",
			    HS_SCENARIO_MAX_LINE, len);
	P->eol_col = (int)len + 1;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '#') {
			P->eol_col = (int)i + 1;
			break;
		}
		if (c == ' ' || c == '\t' || (c == '\r' && i == len - 1)) {
			i++;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return perr(P, (int)i + 1, "expected printable ASCII, got byte 0x%02x", c);
		size_t j = i;
		while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '#' &&
		       (unsigned char)s[j] > 0x20 && (unsigned char)s[j] < 0x7f)
			j++;
		if (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '#' &&
		    !(s[j] == '\r' && j == len - 1))
			return perr(P, (int)j + 1, "expected printable ASCII, got byte 0x%02x",
				    (unsigned char)s[j]);
		if (j - i > TOK_LEN)
			return perr(P, (int)i + 1,
				    "expected a word of at most %d characters, got '%.20s...'",
				    TOK_LEN, s + i);
		if (P->n == MAX_TOKS)
			return perr(P, (int)i + 1, "expected at most %d words on a line, got more",
				    MAX_TOKS);
		P->t[P->n++] = (struct tok){s + i, (int)(j - i), (int)i + 1};
		i = j;
	}
	if (P->n && P->eol_col == (int)len + 1 && len && s[len - 1] == '\r')
		P->eol_col = (int)len;
	return true;
}

/* What is checked once the whole file is read. */
static bool finish(struct parser *P)
{
	struct hs_program *p = P->p;

	P->i = P->n = 0;
	if (!close_thread(P))
		return false;
	for (int f = 0; f < p->nflag; f++)
		if (p->flag_wait_line[f] && !p->flag_signalled[f]) {
			P->line = p->flag_wait_line[f];
			return perr(
			    P, p->flag_wait_col[f],
			    "expected a flag some step signals, got '%s' (nothing signals it)",
			    p->flag[f]);
		}
	return true;
}

/* ---- the interpreter ------------------------------------------------------------------- */

struct exec {
	const struct hs_program *p;
	struct hs_mm *mm[MAX_PROCS];
	struct hs_dmirror_device *dev[MAX_DEVICES];
	struct hs_dmirror *mir[MAX_MIRRORS];
	int flag[MAX_FLAGS];
	bool gone[MAX_DEVICES];	    /* evicted or unplugged */
	bool released[MAX_MIRRORS]; /* release ran */
	struct hs_pci_host_bridge *hb[MAX_HOST_BRIDGES];
	struct hs_pci_dev *rp[MAX_ROOT_PORTS];
	struct hs_pci_switch *sw[MAX_PCI_SWITCHES];
	struct hs_pci_dev *pdev[MAX_DEVICES]; /* each device's PCI function, or NULL */
	void *cl[MAX_CLUSTERS], *key[MAX_CLUSTERS];
};

struct seqslot {
	unsigned long seq, start, npages;
	bool write, faulted;
	unsigned long pfns[MAX_STEP_PAGES];
};

struct thr {
	struct exec *x;
	const struct block *b;
	const char *name;
	uint32_t locks; /* mirrors whose lock this thread holds */
	unsigned long loops[MAX_DEPTH];
	int depth;
	unsigned long run;
	struct seqslot *seq;
	unsigned long buf[MAX_STEP_PAGES];
};

__attribute__((noreturn, format(printf, 4, 5))) static void
step_fail(struct thr *t, const struct step *s, const char *kind, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_fail(kind, "%s:%d: %s: %s", t->x->p->base, s->line, s->text, msg);
}

/* The step's result against what the file expects; true when it succeeded. */
static bool check_ret(struct thr *t, const struct step *s, int ret)
{
	char a[24], b[24];

	if (s->check == CHK_ZERO && ret)
		step_fail(t, s, SIM_KIND_ASSERT, "returned %s (%s)", errname(ret, a, sizeof(a)),
			  s->op == OP_RANGE_FAULT && ret == -EBUSY
			      ? "on-busy restart starts again from read-begin"
			      : "add may-fail if it may");
	if (s->check == CHK_ERR && ret != s->err)
		step_fail(t, s, SIM_KIND_ASSERT, "returned %s, expected %s",
			  errname(ret, a, sizeof(a)), errname(s->err, b, sizeof(b)));
	return ret == 0;
}

static void check_values(struct thr *t, const struct step *s, const unsigned long *v,
			 unsigned long n)
{
	for (unsigned long i = 0; s->nvals && i < n; i++) {
		unsigned long want = s->nvals == 1 ? s->vals[0] + i : s->vals[i];
		if (v[i] != want)
			step_fail(t, s, SIM_KIND_ASSERT, "read %#lx at %#lx, expected %#lx", v[i],
				  s->addr + i * PG, want);
	}
}

/* The address space of a process step (cpu-*, munmap, ...): obj is the process. */
static struct hs_mm *step_mm(struct thr *t, const struct step *s)
{
	return t->x->mm[s->obj];
}

static void device_plug(struct exec *x, int i);

/* Run one step; return the index of the next. */
static int exec_step(struct thr *t, const struct step *s, int pc)
{
	struct exec *x = t->x;
	struct hs_dmirror *m = NULL;
	struct seqslot *q = NULL;
	uint32_t bit = 0;
	unsigned long v = 0;
	int ret = 0;

	switch (s->op) {
	case OP_MIGRATE_TO_DEV:
	case OP_MIGRATE_TO_SYS:
	case OP_RELEASE:
	case OP_DEVICE_READ:
	case OP_DEVICE_WRITE:
	case OP_READ_BEGIN:
	case OP_RANGE_FAULT:
	case OP_LOCK:
	case OP_UNLOCK:
	case OP_READ_RETRY:
	case OP_PROGRAM:
	case OP_MIRROR_READ:
	case OP_MIRROR_WRITE:
	case OP_DEVICE_ATOMIC:
	case OP_CHECK_ENTRY:
		m = x->mir[s->obj];
		bit = 1u << s->obj;
		/* the parser allows a hotplug device's mirrors only after its plug */
		if (!m)
			step_fail(t, s, SIM_KIND_ASSERT, "the mirror's device is not plugged");
		break;
	case OP_EVICT:
	case OP_UNPLUG:
	case OP_OWNER_CHANGE:
	case OP_CHECK_LOST:
	case OP_CHECK_GONE:
		if (!x->dev[s->obj])
			step_fail(t, s, SIM_KIND_ASSERT, "the device is not plugged");
		break;
	default:
		break;
	}
	if (s->op == OP_READ_BEGIN || s->op == OP_RANGE_FAULT || s->op == OP_READ_RETRY ||
	    s->op == OP_PROGRAM)
		q = &t->seq[s->seq];

	switch (s->op) {
	case OP_CPU_READ:
		ret = hs_cpu_read(step_mm(t, s), s->addr, &v);
		if (check_ret(t, s, ret))
			check_values(t, s, &v, 1);
		break;
	case OP_CPU_WRITE:
		check_ret(t, s, hs_cpu_write(step_mm(t, s), s->addr, s->value));
		break;
	case OP_MUNMAP:
		check_ret(t, s, hs_munmap(step_mm(t, s), s->addr, s->npages * PG));
		break;
	case OP_MPROTECT:
		check_ret(t, s, hs_mprotect(step_mm(t, s), s->addr, s->npages * PG, s->prot));
		break;
	case OP_MADVISE:
		check_ret(t, s, hs_madvise_dontneed(step_mm(t, s), s->addr, s->npages * PG));
		break;
	case OP_SWAPOUT:
		for (unsigned long i = 0; i < s->npages; i++) {
			int r = hs_swap_out(step_mm(t, s), s->addr + i * PG);
			if (r && !ret)
				ret = r;
		}
		check_ret(t, s, ret);
		break;
	case OP_MIGRATE_TO_DEV:
		check_ret(t, s, hs_dmirror_migrate_to_dev(m, s->addr, s->npages));
		break;
	case OP_MIGRATE_TO_SYS:
		check_ret(t, s, hs_dmirror_migrate_to_sys(m, s->addr, s->npages));
		break;
	case OP_EVICT:
	case OP_UNPLUG:
		/* once per device in the file, but a restart may jump back over it */
		if (x->gone[s->obj])
			step_fail(t, s, SIM_KIND_ASSERT, "the device is already gone");
		x->gone[s->obj] = true;
		if (s->op == OP_EVICT)
			hs_dmirror_device_remove(x->dev[s->obj]);
		else
			check_ret(t, s,
				  hs_dmirror_device_unplug(x->dev[s->obj],
							   (enum hs_dmirror_unplug)s->how));
		break;
	case OP_RELEASE:
		if (x->released[s->obj])
			step_fail(t, s, SIM_KIND_ASSERT, "the mirror is already released");
		x->released[s->obj] = true;
		hs_dmirror_release(m);
		break;
	case OP_PLUG:
		if (x->dev[s->obj])
			step_fail(t, s, SIM_KIND_ASSERT, "the device is already plugged");
		device_plug(x, s->obj);
		break;
	case OP_OWNER_CHANGE:
		check_ret(t, s,
			  hs_dmirror_device_change_owner(x->dev[s->obj], x->cl[s->cluster],
							 x->key[s->cluster]));
		break;
	case OP_CHECK_LOST:
		hs_dmirror_device_check_lost(x->dev[s->obj]);
		break;
	case OP_CHECK_GONE: {
		/* what p2p_unplug_main() checks after its threads: nothing of the
		 * device left in use, its BAR given back */
		unsigned long n = hs_dmirror_device_pages_in_use(x->dev[s->obj]);
		if (n)
			step_fail(t, s, SIM_KIND_ASSERT, "%lu of its pages still in use", n);
		if (x->pdev[s->obj] && (n = hs_pci_p2pmem_available(x->pdev[s->obj])))
			step_fail(t, s, SIM_KIND_ASSERT, "its BAR is not released (%lu pages free)",
				  n);
		break;
	}
	case OP_CHECK_LEAKS:
		hs_machine_check_leaks();
		break;
	case OP_CHECK_ENTRY: {
		if (t->locks & bit)
			step_fail(t, s, SIM_KIND_ASSERT,
				  "check-entry takes the mirror's lock: unlock it first");
		unsigned long e = hs_dmirror_mirror_entry(m, s->addr);
		enum entry k = ENT_NONE;
		if (e & HS_HMM_PFN_P2PDMA_BUS)
			k = ENT_P2P_BUS;
		else if (e & HS_HMM_PFN_P2PDMA)
			k = ENT_P2P;
		else if (e)
			k = hs_is_device_private_page(hs_pfn_to_page(hs_hmm_pfn_to_pfn(e)))
				? ENT_DEVICE
				: ENT_RAM;
		/* p2p: a BAR page however it was DMA-mapped */
		if (k != s->how && !(s->how == ENT_P2P && k == ENT_P2P_BUS))
			step_fail(t, s, SIM_KIND_ASSERT, "the entry is %s (%#lx), expected %s",
				  entry_words[k], e, entry_words[s->how]);
		break;
	}
	case OP_DEVICE_ATOMIC:
		ret = hs_dmirror_atomic(m, s->addr, s->npages, s->value, t->buf, NULL);
		if (check_ret(t, s, ret))
			check_values(t, s, t->buf, s->npages);
		break;
	case OP_DEVICE_READ:
		ret = hs_dmirror_read(m, s->addr, s->npages, t->buf, NULL);
		if (check_ret(t, s, ret))
			check_values(t, s, t->buf, s->npages);
		break;
	case OP_DEVICE_WRITE:
		for (unsigned long i = 0; i < s->npages; i++)
			t->buf[i] = s->value + i;
		check_ret(t, s, hs_dmirror_write(m, s->addr, s->npages, t->buf, NULL));
		break;
	case OP_READ_BEGIN:
		q->seq = hs_dmirror_read_begin(m);
		q->faulted = false;
		break;
	case OP_RANGE_FAULT:
		ret = hs_dmirror_range_fault_flags(m, q->seq, s->addr, s->npages,
						   (s->fault ? HS_DMIRROR_RF_FAULT : 0) |
						       (s->write ? HS_DMIRROR_RF_WRITE : 0) |
						       (s->p2p ? HS_DMIRROR_RF_P2P : 0),
						   q->pfns);
		q->start = s->addr;
		q->npages = s->npages;
		q->write = s->write;
		q->faulted = true;
		if (ret == -EBUSY && s->action == ACT_RESTART) {
			sim_yield(); /* cond_resched(), as dmirror_range_fault() */
			return s->target;
		}
		check_ret(t, s, ret);
		break;
	case OP_LOCK:
		if (t->locks & bit)
			step_fail(t, s, SIM_KIND_DEADLOCK, "this thread already holds the lock");
		hs_dmirror_lock(m);
		t->locks |= bit;
		break;
	case OP_UNLOCK:
		if (!(t->locks & bit))
			step_fail(t, s, SIM_KIND_ASSERT, "this thread does not hold the lock");
		hs_dmirror_unlock(m);
		t->locks &= ~bit;
		break;
	case OP_READ_RETRY:
		if (!hs_dmirror_read_retry(m, q->seq))
			break;
		switch (s->action) {
		case ACT_FAIL:
			step_fail(t, s, SIM_KIND_ASSERT, "an invalidation ran since read-begin");
		case ACT_UNLOCK_RESTART:
			if (!(t->locks & bit))
				step_fail(t, s, SIM_KIND_ASSERT,
					  "unlock-restart, but this thread does not hold the lock");
			hs_dmirror_unlock(m);
			t->locks &= ~bit;
			/* fall through */
		case ACT_RESTART:
			sim_yield();
			return s->target;
		default: /* ignore: the buggy driver goes on */
			break;
		}
		break;
	case OP_PROGRAM:
		if (!q->faulted)
			step_fail(t, s, SIM_KIND_ASSERT, "no range-fault since read-begin");
		check_ret(t, s, hs_dmirror_program(m, q->start, q->npages, q->pfns, q->write));
		break;
	case OP_MIRROR_READ:
	case OP_MIRROR_WRITE: {
		bool write = s->op == OP_MIRROR_WRITE, held = t->locks & bit;
		if (write)
			for (unsigned long i = 0; i < s->npages; i++)
				t->buf[i] = s->value + i;
		if (!held)
			hs_dmirror_lock(m);
		ret = hs_dmirror_access_mirror(m, s->addr, s->npages, t->buf, write);
		if (!held)
			hs_dmirror_unlock(m);
		if (check_ret(t, s, ret) && !write)
			check_values(t, s, t->buf, s->npages);
		break;
	}
	case OP_SIGNAL:
		SIM_STORE_RELEASE(x->flag[s->obj], 1);
		break;
	case OP_WAIT:
		while (!SIM_LOAD_ACQUIRE(x->flag[s->obj])) {
			if (++t->run > MAX_RUN)
				step_fail(t, s, SIM_KIND_LIVELOCK, "waited %lu steps", MAX_RUN);
			sim_yield();
		}
		break;
	case OP_YIELD:
		sim_yield();
		break;
	case OP_CHECK_DATA:
		hs_mm_check_data(step_mm(t, s), s->addr, s->addr + s->npages * PG);
		break;
	case OP_REPEAT:
		t->loops[t->depth++] = s->count;
		break;
	case OP_END:
		if (--t->loops[t->depth - 1])
			return s->target + 1;
		t->depth--;
		break;
	}
	return pc + 1;
}

static void run_block(struct thr *t)
{
	const struct hs_program *p = t->x->p;
	const struct block *b = t->b;

	for (int pc = 0; pc < b->nsteps;) {
		const struct step *s = &b->steps[pc];
		if (++t->run > MAX_RUN)
			step_fail(t, s, SIM_KIND_LIVELOCK, "thread %s ran %lu steps", t->name,
				  MAX_RUN);
		if (sim_tracing() && s->op != OP_END)
			sim_event("%s:%d %s", p->base, s->line, s->text);
		pc = exec_step(t, s, pc);
	}
	for (int i = 0; i < p->nmir; i++)
		if (t->locks & (1u << i))
			sim_fail(SIM_KIND_ASSERT, "%s: thread %s ends holding the lock of %s",
				 p->base, t->name, p->mir[i].name);
}

static struct thr *thr_new(struct exec *x, const struct block *b, const char *name)
{
	struct thr *t = sim_alloc(sizeof(*t));
	t->x = x;
	t->b = b;
	t->name = name;
	t->seq = b->nseq ? sim_alloc((size_t)b->nseq * sizeof(*t->seq)) : NULL;
	return t;
}

static void thread_fn(void *arg)
{
	run_block(arg);
}

/* The port's struct pci_dev. */
static struct hs_pci_dev *port_dev(struct exec *x, int port)
{
	if (port < PORT_SWITCH)
		return x->rp[port];
	port -= PORT_SWITCH;
	return x->sw[port / HS_PCI_SWITCH_MAX_PORTS]->down[port % HS_PCI_SWITCH_MAX_PORTS];
}

/* memremap_pages() of the device, its PCI function bound (with a BAR over
 * its memory for an exporter). */
static void device_create(struct exec *x, int i)
{
	const struct device *d = &x->p->dev[i];

	x->dev[i] = hs_dmirror_device_create(d->name, d->pages);
	if (d->p2p) {
		int ret = hs_dmirror_device_set_p2p(x->dev[i], x->pdev[i]);
		sim_check(ret == 0, "%s:%d: the BAR of %s: %d", x->p->base, d->line, d->name, ret);
	} else if (x->pdev[i]) {
		hs_dmirror_device_set_pci(x->dev[i], x->pdev[i]);
	}
}

static void device_set_owner(struct exec *x, int i)
{
	int c = x->p->dev[i].cluster;
	if (c >= 0)
		hs_dmirror_device_set_owner(x->dev[i], x->cl[c], x->key[c]);
}

static void mirror_open(struct exec *x, int i)
{
	const struct mirror *m = &x->p->mir[i];

	x->mir[i] = hs_dmirror_open(x->dev[m->dev], x->mm[m->proc]);
	if (m->p2p)
		hs_dmirror_set_allow_p2p(x->mir[i], m->requester);
	hs_dmirror_set_bug(x->mir[i], m->bug);
}

/* plug: a hotplug device arrives, with its owner and its mirrors. */
static void device_plug(struct exec *x, int i)
{
	device_create(x, i);
	device_set_owner(x, i);
	for (int m = 0; m < x->p->nmir; m++)
		if (x->p->mir[m].dev == i)
			mirror_open(x, m);
}

static void program_main(void *arg)
{
	const struct hs_program *p = arg;
	struct exec *x = sim_alloc(sizeof(*x));
	const char *const *swn = hs_switch_names();
	unsigned long dev_pages = 0;
	int tid[HS_SCENARIO_MAX_THREADS];

	x->p = p;
	/* the owner policy is global: set it in every execution, as the owner
	 * lab's SCENARIO@CONFIG does */
	if (p->owner_set) {
		hs_owner_policy = p->owner.policy;
		hs_owner_id_bits = p->owner.id_bits;
		hs_owner_flags = p->owner.flags;
	}
	for (int i = 0; i < p->nsw; i++)
		hs_switch_set(swn[p->sw[i]], true);
	for (int i = 0; i < p->ndev; i++) {
		/* pfns: device memory (a pagemap registered again takes new ones), BARs */
		dev_pages += p->dev[i].pages *
			     (p->owner_set && p->owner.policy == HS_OWNER_REREGISTER ? 4 : 1);
		if (p->dev[i].p2p)
			dev_pages += p->dev[i].pages;
	}
	hs_machine_init(p->ram, dev_pages);
	if (p->owner_set)
		hs_owner_lab_reset();
	for (int i = 0; i < p->nproc; i++) {
		const struct process *pr = &p->proc[i];
		x->mm[i] = hs_mm_alloc(pr->name, pr->va, pr->swap);
		for (int v = 0; v < pr->nvma; v++) {
			const struct vma_decl *d = &pr->vma[v];
			int ret = hs_mmap(x->mm[i], d->start, d->npages * PG, d->flags);
			sim_check(ret == 0, "%s:%d: mmap of [%#lx,%#lx) failed: %d", p->base,
				  d->line, d->start, d->start + d->npages * PG, ret);
		}
	}
	/* the PCI topology, every device's function (hotplug ones too), the links */
	for (int i = 0; i < p->nhb; i++)
		x->hb[i] = hs_pci_host_bridge_add(p->hb[i].name, p->hb[i].flags);
	for (int i = 0; i < p->nrp; i++) {
		x->rp[i] = hs_pci_root_port_add(x->hb[p->rp[i].hb]);
		if (p->rp[i].acs)
			hs_pci_set_acs_redir(x->rp[i], true);
	}
	for (int i = 0; i < p->npsw; i++) {
		x->sw[i] = hs_pci_switch_add(port_dev(x, p->psw[i].parent),
					     (unsigned int)p->psw[i].nports);
		for (unsigned int k = 0; k < p->psw[i].nports; k++)
			if (p->psw[i].acs & (1u << k))
				hs_pci_set_acs_redir(x->sw[i]->down[k], true);
	}
	for (int i = 0; i < p->ndev; i++)
		if (p->dev[i].port >= 0)
			x->pdev[i] = hs_pci_device_add(port_dev(x, p->dev[i].port), p->dev[i].name);
	for (int i = 0; i < p->nlink; i++) {
		const struct link_decl *l = &p->link[i];
		int ret = hs_pci_link_set(x->pdev[l->a], x->pdev[l->b], l->flags);
		sim_check(ret == 0, "%s: link %s %s: %d", p->base, p->dev[l->a].name,
			  p->dev[l->b].name, ret);
	}
	/* the devices present from the start, then the clusters' keys (in the
	 * order they were named; under cluster-id each device took an id too),
	 * the owners, the grants, the mirrors */
	for (int i = 0; i < p->ndev; i++)
		if (!p->dev[i].hotplug)
			device_create(x, i);
	for (int i = 0; i < p->ncl; i++) {
		for (unsigned long k = 0; k < p->cl[i].skip; k++)
			(void)hs_owner_key(sim_alloc(8)); /* clusters that came and went */
		x->cl[i] = sim_alloc(8);
		x->key[i] = hs_owner_key(x->cl[i]);
	}
	for (int i = 0; i < p->ndev; i++)
		if (!p->dev[i].hotplug)
			device_set_owner(x, i);
	for (int i = 0; i < p->ngrant; i++)
		hs_dmirror_device_grant(x->dev[p->grant[i][0]], x->dev[p->grant[i][1]]);
	for (int i = 0; i < p->nmir; i++)
		if (!p->dev[p->mir[i].dev].hotplug)
			mirror_open(x, i);
	if (p->init.nsteps)
		run_block(thr_new(x, &p->init, "main"));
	for (int i = 0; i < p->nthread; i++)
		tid[i] = sim_thread_spawn(p->thread[i].name, thread_fn,
					  thr_new(x, &p->thread[i], p->thread[i].name));
	for (int i = 0; i < p->nthread; i++)
		sim_thread_join(tid[i]);
	if (p->final.nsteps)
		run_block(thr_new(x, &p->final, "main"));
	/* the data oracle over every declared VMA, unless the file says no-check-data */
	for (int i = 0; i < p->nproc && !p->no_check_data_line; i++)
		for (int v = 0; v < p->proc[i].nvma; v++) {
			const struct vma_decl *d = &p->proc[i].vma[v];
			hs_mm_check_data(x->mm[i], d->start, d->start + d->npages * PG);
		}
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
	frame_reset(&P->init_top);
	frame_reset(&P->final_top);

	P->line = 1;
	if (len > HS_SCENARIO_MAX_BYTES) {
		ok = perr(P, 1, "expected a file of at most %lu bytes, got %zu",
			  HS_SCENARIO_MAX_BYTES, len);
	}
	for (size_t pos = 0; ok && pos < len; P->line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		if (P->line > MAX_LINES) {
			ok = perr(P, 1, "expected at most %d lines, got more", MAX_LINES);
			break;
		}
		ok = tokenize(P, text + pos, l) && (!P->n || parse_line(P));
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
