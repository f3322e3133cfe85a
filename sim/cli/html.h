/* SPDX-License-Identifier: MIT */
/*
 * HTML reports (sim/cli/html*.c): `--html FILE` of explore, replay and
 * minimize, of `experiment owner` and of `catalog`.  Each page is one
 * self-contained file: inline CSS, no script, no font or image, no network
 * reference, so it opens anywhere (a CI artifact, a mail attachment).
 *
 * html.c       the page (head, style, version line), escaping, a
 *              violation's section (kind, message, replay command, facts,
 *              swimlanes, the text report) and the run page of explore,
 *              replay and minimize;
 * html_trace.c the swimlanes: the reported execution's Chrome trace
 *              (sim_trace_chrome()) read back and drawn as a table, a column
 *              per thread, a row per event, lock holds and invalidations as
 *              bars (cells spanning the rows they last), preemptions marked;
 * html_lab.c   the matrix pages of the owner lab and the catalog.
 *
 * Output is deterministic: the same command and seed give the same bytes,
 * except the text of elements of class "timing" (elapsed seconds, rates).
 */
#ifndef SIM_CLI_HTML_H
#define SIM_CLI_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sim_options;
struct sim_result;
struct sim_scenario;

/* The page around the content: html_begin() writes everything up to the
 * opening of <main> (title @title, escaped), html_end() closes it. */
void html_begin(FILE *f, const char *title);
void html_end(FILE *f);
/* @s escaped for HTML text and attribute values (NULL: nothing). */
void html_esc(FILE *f, const char *s);
/* The build's version line, as `hmmsim --version` gives it. */
void html_version(FILE *f);

/*
 * One violation's section.  @id: the element id (an anchor, [a-z0-9-]);
 * @replay: the replay command (NULL: none known); @facts: the oracle's facts
 * behind the verdict, @nfacts of them (html_facts(); none: NULL, 0);
 * @report: the text report; @trace_json: its Chrome trace (swimlanes; NULL:
 * none); @how: a line saying where it was found, @heading: a heading for the
 * section (each NULL: none).
 */
struct html_violation {
	const char *id, *heading, *kind, *message, *how, *replay, *report, *trace_json;
	const char *const *facts;
	size_t nfacts;
	uint64_t steps, preemptions;
};
void html_violation(FILE *f, const struct html_violation *v);
/* The facts behind a verdict, as a list (nothing when @n is 0). */
void html_facts(FILE *f, const char *const *facts, size_t n);
/* The swimlanes of the Chrome trace @trace_json (html_trace.c); @id: a
 * prefix for the ids of its controls.  A trace it cannot read is said so. */
void html_swimlanes(FILE *f, const char *trace_json, const char *id);

/*
 * The page of explore, replay and minimize.  @command: "explore", "replay"
 * or "minimize"; @shown: the scenario as the command line names it; @replay:
 * the replay command of each of @r's reports; @kernel: --kernel's release
 * or NULL; @interrupted: the signal that stopped the run, or 0.
 */
struct html_run {
	const char *command, *shown, *kernel;
	const struct sim_options *o;
	const struct sim_result *r;
	char *const *replay;
	int interrupted;
};
void html_run_page(FILE *f, const struct html_run *h);

/*
 * A matrix page (html_lab.c): rows × columns, exactly one cell each.  A
 * cell's @verdict is "clean", a violation's kind, or "not found" / "error";
 * @vclass its class (verdict-clean, verdict-violation, verdict-missed:
 * a bug not found); a violation cell has its message, replay command,
 * report and trace (each malloc'd, freed by html_cell_free()).
 */
#define HTML_COUNTERS 20
struct html_cell {
	const char *vclass;
	/* a second class and data-clean attribute, or NULL: experiment owner
	 * --exhaustive's "clean-exhaustive" or "clean-sampled" */
	const char *mark;
	char verdict[48];
	bool ok; /* as expected (the catalog), or true */
	unsigned int ncounters;
	const char *cname[HTML_COUNTERS];
	char cval[HTML_COUNTERS][48];
	char *message, *replay, *report, *trace_json, *how, *schedule;
	uint64_t steps, preemptions;
};
void html_cell_counter(struct html_cell *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A sampled clean cell's preemption bound under dpor --deepen (-1: none). */
void html_bound(struct html_cell *c, int bound);
/* Copy the first report of @r (message, schedule, report, trace) into @c. */
void html_cell_take(struct html_cell *c, const struct sim_result *r);
void html_cell_free(struct html_cell *c);
/*
 * Replay @schedule of @sc (with model switch @sw on, NULL: none; it is off
 * again after) to fill @c's report and trace: catalog results keep only the
 * token.  Return: 0, or -1
 * when the replay failed (the cell then says so).
 */
int html_cell_replay(struct html_cell *c, const struct sim_scenario *sc, const char *sw,
		     const char *schedule);

struct html_matrix {
	const char *title, *intro, *row_head, *col_head;
	const char *const *rows, *const *cols;
	size_t nrows, ncols;
	struct html_cell *cells; /* row-major: cells[r * ncols + c] */
	const char *params;	 /* the run's parameters, one line */
};
void html_matrix_page(FILE *f, const struct html_matrix *m);

#endif /* SIM_CLI_HTML_H */
