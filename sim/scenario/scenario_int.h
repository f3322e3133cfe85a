/* SPDX-License-Identifier: MIT */
/*
 * Scenario files (.hsc): what the lexer, the parser and the interpreter share
 * (private to sim/scenario/, as SQLite's vdbeInt.h is to its VDBE).
 *
 *   lexer.c       a line into words; numbers, sizes, names; FILE:LINE:COL errors
 *   parser.c      the words into a program: references, ranges, sequences, the
 *                 generic step parser driven by each step's grammar, loading
 *   directives.c  the setup and later directives (machine, process, ..., expect)
 *   steps.c       the step table: one row per step, the single place a step is
 *                 declared (name, argument grammar, handlers, documentation)
 *   interp.c      the interpreter: builds the model in every execution and runs
 *                 the blocks, one step row's handler at a time
 *
 * The program is host memory, read-only during executions; the interpreter's
 * state is sim_alloc()ed per execution.
 */
#ifndef HMMSIM_SCENARIO_INT_H
#define HMMSIM_SCENARIO_INT_H

#include <hmmsim/dmirror.h>
#include <hmmsim/experiment.h>
#include <hmmsim/hmm.h>
#include <hmmsim/owner.h>
#include <hmmsim/p2pdma.h>
#include <hmmsim/scenario_file.h>
#include <hmmsim/sim.h>
#include <hmmsim/switches.h>
#include <stdbool.h>
#include <stdint.h>

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
#define MAX_COUNT	 1000000ul /* a count check-faults / check-migrated expects */
#define MAX_UNROLLED	 100000ul  /* a block's steps with its repeats unrolled */
#define MAX_RUN		 200000ul  /* steps one thread may execute, restarts included */
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

struct parser;
struct step;
struct thr;

/* Flags of a step row (struct step_def). */
#define STEP_RESULT	 0x01u /* returns an error code: may-fail, fails ERR, on-error */
#define STEP_THREAD_ONLY 0x02u /* repeat / end: not in init or final */
#define STEP_BEGIN	 0x04u /* SEQ begins a sequence; the step is a restart target */
#define STEP_PLUG	 0x08u /* DEVICE names a hotplug device not present yet */
#define STEP_REPEAT	 0x10u /* opens a repeat frame */
#define STEP_END	 0x20u /* closes it */
#define STEP_BUSY	 0x40u /* -EBUSY means "start again from read-begin" */

/*
 * One row of the step table (steps.c).  @grammar is the step's arguments as
 * docs/scenarios.md shows them, and what the generic parser (parser.c,
 * parse_args()) reads: PROC, MIRROR, DEVICE, CLUSTER, FLAG, SEQ, ADDR
 * [PAGES], V, ADD, N, FLAGS, ACTION, literal words, alternatives a|b|c (their
 * index in step.how) and optional groups in brackets.  @obj_check runs right
 * after the step's first argument, @check after the last (semantic checks the
 * grammar cannot say); @exec runs the step and returns the index of the next.
 */
struct step_def {
	const char *name;
	const char *grammar;
	unsigned int flags;
	unsigned long max_pages; /* of ADDR PAGES; 0: the address space's */
	bool (*obj_check)(struct parser *P, struct step *s, int col0, int col);
	bool (*check)(struct parser *P, struct step *s, int col0);
	int (*exec)(struct thr *t, const struct step *s, int pc);
	const char *doc;
};

/* One action of a scripted invalidate callback (callback MIRROR, steps.c). */
struct cb_def {
	const char *name;
	enum hs_dmirror_cb_op op;
	const char *doc;
};
extern const struct cb_def sc_cb_table[];
extern const unsigned int sc_cb_table_len;

extern const struct step_def sc_step_table[];
extern const unsigned int sc_step_table_len;
const struct step_def *sc_step_lookup(const char *s, int len);

/* What a step's first argument names, for the interpreter's checks. */
enum obj_kind { OBJ_NONE, OBJ_PROC, OBJ_MIRROR, OBJ_DEVICE, OBJ_FLAG };

/* How a step's return value is checked. */
enum check { CHK_ZERO, CHK_ANY, CHK_ERR };

/* What a protocol step does when the sequence turned out stale. */
enum action { ACT_NONE, ACT_RESTART, ACT_UNLOCK_RESTART, ACT_IGNORE, ACT_FAIL, ACT_RETRY };

/* What a step does after an error it was told to accept (on-error ACTION). */
enum on_error { ONERR_NONE, ONERR_STOP, ONERR_RESTART, ONERR_CONTINUE };

/* What check-entry expects of a mirror entry. */
enum entry { ENT_NONE, ENT_RAM, ENT_DEVICE, ENT_P2P, ENT_P2P_BUS };

struct step {
	const struct step_def *def;
	uint8_t objkind, check, action;
	uint8_t how;		/* unplug: enum hs_dmirror_unplug; check-entry: enum entry */
	int cluster;		/* owner-change */
	bool fault, write, p2p; /* range-fault's flags */
	int err;		/* CHK_ERR: the negative errno expected */
	int line;
	int obj;		/* process, device, mirror or flag index */
	int seq;		/* sequence index within the block */
	int proc2;		/* fork: the child process */
	int target;		/* restart: the read-begin; repeat: its end; end: its repeat */
	bool has_seq;		/* SEQ is one of its arguments */
	uint8_t on_error;	/* enum on_error */
	unsigned long busy_max; /* on-busy ... max N: -EBUSY after N retries is a result */
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
	/* fork-of PARENT: created by a fork step (its VMAs are the parent's) */
	bool forked;
	int parent;
	int fork_line;		      /* its fork step */
	const struct block *fork_blk; /* the block of that step */
	int child_line;		      /* (a parent) the first process declared fork-of it */
	int mmput_line;		      /* its mmput step */
};

struct device {
	char name[NAME_LEN + 1];
	int line;
	unsigned long pages;
	int port;      /* its PCI function's port, -1 when not on the topology */
	bool p2p;      /* exports its memory through a BAR */
	bool hotplug;  /* created by a plug step, not at setup */
	bool coherent; /* MEMORY_DEVICE_COHERENT memory (else device-private) */
	int cluster;   /* -1: its own */
	int gone_line; /* evict or unplug */
	const struct step_def *gone_op;
	int plug_line;
	const struct block *plug_blk;
};

struct mirror {
	char name[NAME_LEN + 1];
	int line;
	int dev, proc;
	enum hs_dmirror_bug bug;
	int bug_line, release_line;
	bool p2p, requester;	       /* faults with HMM_PFN_ALLOW_P2P (naming its device) */
	bool scripted;		       /* uses the driver's script (hs_dmirror_script_init()) */
	struct hs_dmirror_callback cb; /* its invalidate callback, when cb_line */
	int cb_line;
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
	int cb; /* the mirror whose callback block is open, -1 */
	struct frame frames[MAX_DEPTH + 1];
	int depth;
	struct frame init_top, final_top; /* the top frames of init / final, across lines */
	bool plugging;			  /* the device named is being plugged: not present yet */
	int seq_col;			  /* the column of the step's SEQ, for checks after it */
};

/* ---- the interpreter's state (interp.c) ------------------------------------------------ */

struct exec {
	const struct hs_program *p;
	struct hs_mm *mm[MAX_PROCS];
	struct hs_dmirror_device *dev[MAX_DEVICES];
	struct hs_dmirror *mir[MAX_MIRRORS];
	int flag[MAX_FLAGS];
	unsigned long faults[MAX_MIRRORS]; /* the driver's faults (cmd.faults summed), atomic */
	bool gone[MAX_DEVICES];		   /* evicted or unplugged */
	bool released[MAX_MIRRORS];	   /* release ran */
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
	bool failed;		  /* the step being run returned an error */
	int busy_pc;		  /* the step whose -EBUSY results are being counted */
	unsigned long busy_count; /* its -EBUSY results in a row */
	struct seqslot *seq;
	unsigned long buf[MAX_STEP_PAGES];
	/* pin: the pages this thread pinned (unpin gives them back) */
	struct hs_page *pinned[MAX_STEP_PAGES];
	unsigned long pinned_addr[MAX_STEP_PAGES];
	int pinned_proc[MAX_STEP_PAGES];
	int npinned;
};

/* ---- lexer.c ----------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) bool sc_perr(struct parser *P, int col, const char *fmt, ...);
const struct tok *sc_peek(struct parser *P);
int sc_col_here(struct parser *P);
const char *sc_got(struct parser *P);
bool sc_tok_is(const struct tok *t, const char *w);
bool sc_at(struct parser *P, const char *w);
bool sc_want(struct parser *P, const char *w);
bool sc_want_eol(struct parser *P);
bool sc_num_parse(const struct tok *t, unsigned long *out);
bool sc_get_num(struct parser *P, const char *what, unsigned long min, unsigned long max,
		unsigned long *out);
bool sc_get_value(struct parser *P, unsigned long *out);
bool sc_get_size(struct parser *P, const char *what, unsigned long min, unsigned long max,
		 unsigned long *out);
bool sc_name_ok(const struct tok *t);
bool sc_tokenize(struct parser *P, const char *s, size_t len);
char *sc_join_tokens(struct parser *P, int from);

/* ---- parser.c ---------------------------------------------------------------------- */

enum ref { REF_PROC, REF_DEV, REF_MIR };

int sc_find_port(const struct hs_program *p, const struct tok *t);
const char *sc_find_decl(struct hs_program *p, const struct tok *t, int *line);
bool sc_get_new_name(struct parser *P, const char *what, char out[NAME_LEN + 1]);
bool sc_get_ref(struct parser *P, enum ref r, int *idx);
bool sc_get_prot(struct parser *P, unsigned int *prot);
bool sc_get_range(struct parser *P, int proc, bool with_pages, unsigned long max_pages,
		  unsigned long *addr, unsigned long *npages);
bool sc_get_seq(struct parser *P, int mirror, bool begin, int *seq);
bool sc_restart_target(struct parser *P, int col, int seq, int *target);
bool sc_get_expected_values(struct parser *P, struct step *s);
bool sc_add_flag(struct parser *P, int *idx);
bool sc_get_cluster(struct parser *P, int *idx);
bool sc_get_word(struct parser *P, const char *const *w, int n, const char *what, int *out);
bool sc_parse_step(struct parser *P, bool in_thread);
void sc_frame_reset(struct frame *f);
bool sc_close_thread(struct parser *P);

/* Error names a step can be expected to fail with. */
struct errname {
	const char *name;
	int err;
};
extern const struct errname sc_errnames[];
extern const unsigned int sc_nr_errnames;
const char *sc_errname(int ret, char *buf, size_t len);

/* ---- directives.c ------------------------------------------------------------------ */

/* One line that is not blank: a directive, or a step of the open thread block. */
bool sc_parse_line(struct parser *P);

/* ---- interp.c ---------------------------------------------------------------------- */

__attribute__((noreturn, format(printf, 4, 5))) void
sc_step_fail(struct thr *t, const struct step *s, const char *kind, const char *fmt, ...);
bool sc_check_ret(struct thr *t, const struct step *s, int ret);
void sc_check_values(struct thr *t, const struct step *s, const unsigned long *v, unsigned long n);
void sc_device_plug(struct exec *x, int i);
void sc_process_forked(struct exec *x, int child);
void program_main(void *arg);

#endif /* HMMSIM_SCENARIO_INT_H */
