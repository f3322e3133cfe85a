/* SPDX-License-Identifier: MIT */
/*
 * Scenario files (.hsc): a scenario written as text instead of C.
 *
 * The whole file is parsed and checked up front into an in-memory program
 * (host memory, freed by hs_scenario_free()); the returned scenario's main()
 * interprets that program in the simulated threads, so the same file runs on
 * the deterministic engine (`hmmsim explore/replay FILE.hsc`) and on real
 * threads (`hmmsim stress FILE.hsc`).  The language is described in
 * docs/scenarios.md.
 *
 * The scenario's name is the file's basename: a schedule token names it, so a
 * token replays only against a file of that name.
 */
#ifndef HMMSIM_SCENARIO_FILE_H
#define HMMSIM_SCENARIO_FILE_H

#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of one file (each refused with a message when exceeded). */
#define HS_SCENARIO_MAX_BYTES	(1ul << 20)
#define HS_SCENARIO_MAX_LINE	4095
#define HS_SCENARIO_MAX_THREADS 32

/**
 * hs_scenario_load() - parse the scenario file at @path.
 * @path:   the file
 * @out:    the scenario, for sim_explore() / sim_stress(); free with
 *	    hs_scenario_free()
 * @err:    on error, one line "PATH:LINE:COL: expected ..., got ..."
 * @errlen: the size of @err
 *
 * Return: 0, -EINVAL for a file that does not parse or does not make sense
 * (unknown names, addresses outside every VMA, ...), or -errno when the file
 * cannot be read (@err says so too).
 */
int hs_scenario_load(const char *path, struct sim_scenario **out, char *err, size_t errlen);

/**
 * hs_scenario_parse() - hs_scenario_load() from a buffer.
 * @filename: used in messages and (its basename) as the scenario's name
 * @text:     the file's content
 * @len:      its length in bytes
 * @out:      the scenario; free with hs_scenario_free()
 * @err:      on error, one line "FILENAME:LINE:COL: ..."
 * @errlen:   the size of @err
 *
 * Return: 0, or -EINVAL for text that does not parse or does not make sense.
 */
int hs_scenario_parse(const char *filename, const char *text, size_t len, struct sim_scenario **out,
		      char *err, size_t errlen);

/* Free a scenario from hs_scenario_load(); restores the model switches the
 * file turned on.  NULL is ignored. */
void hs_scenario_free(struct sim_scenario *sc);

/* Whether a scenario NAME on a command line names a file: it ends in ".hsc"
 * or contains a '/'. */
bool hs_scenario_is_file(const char *name);

/* How the file asks to be explored (its `explore` line, else pct 10000). */
struct hs_scenario_plan {
	enum sim_strategy strategy;
	uint64_t iterations;	  /* 0 for dfs and dpor: until exhausted */
	unsigned int preemptions; /* dfs */
	unsigned int pct_depth;	  /* pct */
	bool expect_given;	  /* the file has an `expect` line */
};
void hs_scenario_plan(const struct sim_scenario *sc, struct hs_scenario_plan *plan);

/**
 * hs_scenario_step_doc() - row @i of the step table (sim/scenario/steps.c).
 * @i:       0, 1, ... in the table's order
 * @name:    the step's name
 * @grammar: its arguments as docs/scenarios.md shows them ("" for none)
 * @doc:     its one-line documentation (markdown)
 *
 * For the test that keeps docs/scenarios.md's step reference and the table
 * the same.
 *
 * Return: false past the last row.
 */
bool hs_scenario_step_doc(unsigned int i, const char **name, const char **grammar,
			  const char **doc);

/* The same for the actions of a scripted invalidate callback (callback
 * MIRROR): row @i's @name and @doc; false past the last. */
bool hs_scenario_callback_doc(unsigned int i, const char **name, const char **doc);

#ifdef __cplusplus
}
#endif
#endif /* HMMSIM_SCENARIO_FILE_H */
