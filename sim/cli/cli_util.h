/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the hmmsim command-line programs. */
#ifndef SIM_CLI_UTIL_H
#define SIM_CLI_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <hmmsim/coverage.h>

/* Parse a whole decimal number; false on junk, sign or overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);
/* "hmmsim: --iterations wants 1 or more executions, not 'x'" (or "a number"
 * for --seed) on stderr, for option @opt's value @val (NULL: missing); 2. */
int cli_bad_count(const char *opt, const char *val);
bool cli_parse_double(const char *s, double *out);
/* Print @s as a JSON string literal. */
void cli_json_str(FILE *f, const char *s);
/* In the flat JSON object [@obj, @end) (string, number and literal members
 * only, as explore --json writes its violations), find member @key: true and
 * [*val, *vend) its raw value. */
bool cli_json_member(const char *obj, const char *end, const char *key, const char **val,
		     const char **vend);
/* The string a JSON string literal [@val, @vend) stands for (malloc'd), or
 * NULL when it is not one. */
char *cli_json_unstr(const char *val, const char *vend);

/*
 * The command line that replays @schedule of scenario @shown (a name, or a
 * scenario file's path) with every option of @o that changes an execution:
 * the @nsw --switch names in @sw, --no-races, --no-lockdep, --no-might-sleep,
 * --step-bound.  Shell-quoted where needed; malloc'd.
 */
struct sim_options;
char *cli_replay_cmd(const char *shown, const char *schedule, const struct sim_options *o,
		     const char *const *sw, unsigned int nsw);

/*
 * The build a result comes from: the project version and the Linux release
 * the model mirrors (hmmsim/version.h), and the git revision, taken at build
 * time (cmake/revision.cmake writes hmmsim_revision[]; "unknown" outside
 * git).  cli_print_version() is `PROG --version`; cli_json_version() writes
 * the member "version":{"hmmsim":..,"revision":..,"kernel":..} (no comma),
 * the last of every JSON result; JUnit files carry the same as properties.
 */
extern const char hmmsim_revision[];
void cli_print_version(const char *prog);
void cli_json_version(FILE *f);

/* Write @s escaped for XML 1.0 text and attribute values. */
void cli_xml_str(FILE *f, const char *s);
/*
 * JUnit XML, the one writer of hmmsim explore --junit and hmmsim catalog
 * --junit: cli_junit_begin() writes the declaration and opens one testsuite,
 * then per testcase cli_junit_case_begin(), a cli_junit_failure() per failure
 * (its text is @text then @text2, either may be NULL), cli_junit_case_end();
 * cli_junit_end() ends the document.  @f: a cli_outfile's.
 */
void cli_junit_begin(FILE *f, const char *suite, unsigned int tests, unsigned int failures,
		     double time_s);
void cli_junit_case_begin(FILE *f, const char *classname, const char *name, double time_s);
void cli_junit_failure(FILE *f, const char *type, const char *message, const char *text,
		       const char *text2);
/* @system_out may be NULL. */
void cli_junit_case_end(FILE *f, const char *system_out);
void cli_junit_end(FILE *f);

/*
 * Output (sim/cli/cli_out.c).  An output file: cli_outfile_open() before the
 * run checks @path (not a directory, its folder there and writable) and opens
 * a temporary file beside it (@of->f); cli_outfile_commit() flushes it and
 * renames it to @path (a symbolic link's target; a device or a FIFO is
 * written in place), cli_outfile_drop() removes it.  Open and commit print
 * "hmmsim: cannot write PATH: reason" and return -1 when they fail; a failed
 * commit leaves no file.  Temporary files left at exit are removed.  Open
 * refuses a regular file that is an input of the run (cli_outfile_input():
 * a scenario file) or another output file still open: the file renamed last
 * would silently replace the other (or the input).
 */
struct cli_outfile {
	const char *path;
	char *tmp;  /* NULL: written in place (a device or a FIFO, /dev/stdout) */
	char *real; /* @path is a symbolic link: its target, which is replaced */
	FILE *f;
};
int cli_outfile_open(struct cli_outfile *of, const char *path);
int cli_outfile_commit(struct cli_outfile *of);
void cli_outfile_drop(struct cli_outfile *of);
/* @path is read by this run: no output file may replace it. */
void cli_outfile_input(const char *path);
/* 2 and a message when standard output is closed (before a command runs). */
int cli_stdout_check_open(void);
/* Flush standard output: @status, or 2 and a message when it failed. */
int cli_stdout_close(int status);
/* Out of memory allocating @what: a message, the temporary files removed, exit 2. */
_Noreturn void cli_oom(const char *what);
/* In a forked worker of @parent: tie its life to the parent's (SIGTERM
 * when the parent dies: PR_SET_PDEATHSIG).  False when the parent is gone
 * already or the tie fails: the worker should exit. */
bool cli_tie_to_parent(pid_t parent);

/*
 * What a report says beside its interleaving (cli_out.c).  cli_print_facts()
 * writes @v's facts (struct sim_violation.facts), a line each indented by
 * two spaces (cut at spaces to @width columns, 0: no limit); cli_json_facts() the member
 * "facts":[...] (no comma), an empty array when there are none.  cli_plural(): "" for 1, "s" else
 * ("%llu execution%s").  cli_term_width(): the width of standard output when it is a terminal
 * (TIOCGWINSZ, else $COLUMNS), 0 when it is not one.
 */
struct sim_violation;
void cli_print_facts(FILE *f, const struct sim_violation *v, unsigned int width);
void cli_json_facts(FILE *f, const struct sim_violation *v);
/* @v's facts from the JSON array [@a, @b) cli_json_facts() wrote; false if damaged. */
bool cli_json_facts_decode(const char *a, const char *b, struct sim_violation *v);
static inline const char *cli_plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}
unsigned int cli_term_width(void);
/*
 * A clean cell that dpor sampled, and dpor --deepen after it (catalog and
 * experiment owner --exhaustive): cli_bound_text() "; and every schedule
 * with at most K preemptions, by dpor --deepen in M executions" into @buf ("" unless
 * @on); cli_bound_json() the members ,"PREFIXbound":K (null: no bound
 * covered) and ,"PREFIXdeepen_executions":M.
 */
void cli_bound_text(char *buf, size_t len, bool on, int bound, uint64_t executions);
void cli_bound_json(FILE *f, const char *prefix, int bound, uint64_t executions);

/*
 * Signals.  cli_signals_init(), for every command: SIGINT and SIGTERM end the
 * process as by default, the temporary files removed; SIGXFSZ is ignored, so
 * a write past ulimit -f fails instead.  cli_signals_graceful(), for a run
 * that can stop early: the first SIGINT or SIGTERM sets cli_interrupted (the
 * signal number) and the run stops after its current execution with what it
 * found so far; a second one, or CLI_STOP_S seconds without stopping, ends
 * the process.  An inherited SIG_IGN of SIGINT is kept.
 */
#include <signal.h>
#define CLI_STOP_S 5
extern volatile sig_atomic_t cli_interrupted;
void cli_signals_init(void);
void cli_signals_graceful(void);
const char *cli_signal_name(int sig);

/*
 * The progress line of a long exploration, on stderr when it is a terminal:
 * executions done (of @total, 0 when not known), rate, violations so far
 * and time left; first after 0.5 s, then at most 4 times a second, with \r;
 * cli_progress_clear() wipes it.  Off (every call a no-op) unless @on.
 */
struct cli_progress {
	bool on;
	uint64_t total;
	double t0, next;
	unsigned int countdown; /* executions to the next look at the clock */
	int shown;		/* characters of the line on the terminal */
};
void cli_progress_init(struct cli_progress *p, bool on, uint64_t total);
void cli_progress_show(struct cli_progress *p, uint64_t done, uint64_t violations);
void cli_progress_clear(struct cli_progress *p);
/* The executions i < @iterations with i % @n == @k (n 0 or 1: all of them). */
uint64_t cli_shard_size(uint64_t iterations, uint64_t k, uint64_t n);
double cli_now_s(void);

/* hmmsim merge (sim/cli/merge_cmd.c): the combination of explore --json results. */
struct cli_merge_viol {
	unsigned long long execution;
	size_t order;  /* file, then position: a stable sort */
	char *p;       /* the violation's JSON object, compact (malloc'd) */
	size_t len;
	int file;
	bool renumbered; /* execution is one process's, not the one in the text */
};
/* One file of a split dpor run without --keep-going: its subtrees. */
struct sim_split_item;
struct cli_merge_split {
	struct sim_split_item *items; /* "split_items" */
	size_t n;
	bool violated, exhausted;
	uint64_t subtrees; /* "subtrees": those it numbered */
	uint64_t claims;   /* "split_claims" (a --jobs worker's), 0: none */
};
/* A race profile being merged (cli_races.c). */
struct cli_races {
	struct sim_race_pair *pairs;
	unsigned int n;
	uint64_t other;
	bool on;
};

struct cli_merge {
	/* scenario, strategy, seed, iterations, campaign: raw JSON values */
	char head[5][256];
	unsigned long long executions, violations_found, unfair_cut;
	double elapsed_s;	  /* the longest's */
	struct cli_merge_viol *v; /* sorted by execution */
	size_t nv;
	uint64_t shards;       /* N of the files' "shard":"K/N" (1: whole runs) */
	uint64_t *ks, missing; /* the files' K (sorted), and how many of N are not there */
	size_t nks;
	unsigned int interrupted; /* files that say "interrupted":true */
	int first_interrupted;	  /* the first of them */
	/* dpor: every file says "exhausted":true; the dpor figures, summed
	 * (largest for max_depth and dpor_bytes) */
	bool dpor, exhausted;
	unsigned long long sleep_blocked, races, max_depth, dpor_bytes, subtrees;
	unsigned long long probes;     /* probe_executions (every shard runs them: the largest) */
	long long probe_bound;	       /* the probe round that found a violation (-1: none) */
	struct cli_merge_split *split; /* per file */
	/* split dpor with a violation, merged as one process: its subtree
	 * (merge_split_first()); UINT64_MAX otherwise */
	uint64_t first_item;
	bool partial;		   /* merge --partial: shards may be missing */
	bool whole;		   /* bounded: every file says "whole_tree":true */
	long long bound;	   /* bounded: the files' "bound" (-1: none) */
	double estimated_total;
	struct cli_races profile; /* the files' race profiles, added up */
	/* the files' coverage, added up (cli_cov_add()); cov_missing: a file
	 * had none or the sums do not fit the executions (cli_merge_cov()) */
	struct sim_coverage cov;
	bool cov_missing;
};
/*
 * Combine the --json texts @texts[0..@n), named @names[] in messages.  They must be
 * shards of one run: the same scenario, strategy, seed and, for shards,
 * N, iterations and options, each shard once, and all N unless @subset:
 * CLI_MERGE_PARTIAL (merge --partial), or CLI_MERGE_JOBS (the workers of
 * one --jobs run, which are all of it, a shard's sub-shards).
 * Return: 0, or 2 after printing what is wrong.
 */
enum { CLI_MERGE_ALL, CLI_MERGE_PARTIAL, CLI_MERGE_JOBS };
int cli_merge(int n, char *const *texts, char *const *names, int subset, struct cli_merge *m);
void cli_merge_free(struct cli_merge *m);
/* The merged coverage, when it is the run's: every file had one, none found
 * a violation, and it counts the executions merged.  NULL otherwise. */
const struct sim_coverage *cli_merge_cov(const struct cli_merge *m);
/* @m's files' subtrees as one list, into @res->items (merge_cmd.c). */
struct sim_result;
void cli_merge_items(const struct cli_merge *m, struct sim_result *res);
/* Violation @v's JSON object (its execution as one process counts it). */
void cli_merge_viol_print(FILE *f, const struct cli_merge_viol *v);
struct sim_result;
/* cli_races.c: dpor's race profile (explore --race-profile): its JSON
 * member, with a comma after it (nothing when the run has none); its text,
 * @rows pairs; one --json result's profile (@d's token @prof, 0: none)
 * added to @acc (0, or -1 when damaged); @acc's pairs sorted after the
 * last. */
void cli_races_json(FILE *f, const struct sim_result *r);
void cli_races_text(FILE *f, const struct sim_result *r, unsigned int rows);
struct cli_jdoc;
int cli_races_add(struct cli_races *acc, const struct cli_jdoc *d, size_t prof);
void cli_races_sort(struct cli_races *acc);
/* @acc's pairs moved into @res (copies of the texts). */
void cli_races_result(const struct cli_races *acc, struct sim_result *res);
void cli_races_free(struct cli_races *acc);
/* A dpor merge's exhausted and figures into @res (nothing for other strategies). */
void cli_merge_dpor(const struct cli_merge *m, struct sim_result *res);
/* The missing shards, at most @max: "1/4, 3/4" on stderr, as JSON strings else. */
void cli_merge_missing(const struct cli_merge *m, FILE *f, uint64_t max);

/* hmmsim list --switches: each model switch with the fix it undoes
 * (sim/cli/switch_cmd.c). */
int cmd_list_switches(void);
/* hmmsim list [--switches] [--kernel VERSION] (sim/cli/list_cmd.c). */
int cmd_list_scenarios(int argc, char **argv);
/* Refuse --switch @name (NULL: none given) on stderr, after "@prog: ", with
 * the known names.  Return: 2, the exit status of a usage error. */
int cli_unknown_switch(const char *prog, const char *name);
/*
 * --kernel VERSION: every model switch as that release had it
 * (hs_kernel_set()).  Return: 0, or 2 after printing the known releases.
 */
int cli_kernel_set(const char *version);

/* hmmsim experiment (sim/cli/experiment_cmd.c). */
int cmd_experiment(int argc, char **argv);

/* hmmsim --help: every command's usage (usage.c) */
extern const char cli_usage[];

#endif /* SIM_CLI_UTIL_H */
