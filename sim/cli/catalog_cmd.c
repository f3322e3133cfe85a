// SPDX-License-Identifier: MIT
/*
 * hmmsim catalog [--json] [--junit FILE] [--strategy S] [--iterations N]
 * [--seed S] [--kernel VERSION]: every catalog entry explored with its bug
 * and with its fix, as a table; --junit writes a testcase per entry and
 * variant.  --kernel VERSION explores each entry once, as that release has
 * it: the bug (which must be found) or the fix (which must be clean).
 */
#include <hmmsim/catalog.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "html.h"

int cmd_catalog(int argc, char **argv);

/* The JUnit testcases of one entry: "bug found" and "fix clean". */
/* The entry column of the tables: the longest entry name (at least 30). */
static int name_width(void)
{
	size_t n, w = 30;
	const struct hs_catalog_entry *cat = hs_catalog(&n);
	for (size_t i = 0; i < n; i++)
		if (strlen(cat[i].name) > w)
			w = strlen(cat[i].name);
	return (int)w;
}

static void junit_entry(FILE *f, const struct hs_catalog_entry *e, enum sim_strategy s,
			uint64_t iterations, uint64_t seed, const struct hs_catalog_result *r)
{
	const struct sim_options o = {.strategy = s};
	char cls[64], name[128], text[512];
	char *cmd;

	snprintf(cls, sizeof(cls), "hmmsim.catalog.%s", e->driver ? "driver" : "core");
	snprintf(name, sizeof(name), "%s: bug found", e->name);
	cli_junit_case_begin(f, cls, name, r->seconds);
	if (r->found) {
		cmd = r->schedule[0]
			  ? cli_replay_cmd(e->bug->name, r->schedule, &o, &e->sw, e->sw ? 1 : 0)
			  : NULL;
		char *out = malloc(1024 + (cmd ? strlen(cmd) : 0));
		if (!out)
			cli_oom("a JUnit testcase's text");
		sprintf(out, "found in %llu execution%s as %s: %s\nreplay: %s",
			(unsigned long long)r->executions, cli_plural(r->executions), r->kind,
			r->message, cmd ? cmd : "(token too long)");
		cli_junit_case_end(f, out);
		free(out);
		free(cmd);
	} else {
		snprintf(
		    text, sizeof(text),
		    "%s: no violation in %llu execution%s; explore it with: hmmsim explore %s%s%s "
		    "--strategy %s --iterations %llu --seed %llu\n",
		    e->bug->name, (unsigned long long)r->executions, cli_plural(r->executions),
		    e->bug->name, e->sw ? " --switch " : "", e->sw ? e->sw : "",
		    sim_strategy_name(s),
		    /* a time budget has no cap: the executions this run did */
		    (unsigned long long)(iterations == UINT64_MAX ? r->executions : iterations),
		    (unsigned long long)seed);
		cli_junit_failure(f, "not-found", "the bug was not found", text, e->what);
		cli_junit_case_end(f, NULL);
	}
	snprintf(name, sizeof(name), "%s: fix clean", e->name);
	cli_junit_case_begin(f, cls, name, r->fixed_seconds);
	if (!r->clean_with_fix) {
		cmd = r->fixed_schedule[0]
			  ? cli_replay_cmd(e->fixed->name, r->fixed_schedule, &o, NULL, 0)
			  : NULL;
		char *t = malloc(64 + (cmd ? strlen(cmd) : 0));
		if (!t)
			cli_oom("a JUnit failure's text");
		sprintf(t, "replay: %s\n", cmd ? cmd : "(token too long)");
		cli_junit_failure(f, "not-clean", r->error, t, NULL);
		free(t);
		free(cmd);
	}
	char bound[160];
	cli_bound_text(bound, sizeof(bound), r->fixed_deepened && !r->fixed_exhausted,
		       r->fixed_bound, r->fixed_bound_executions);
	snprintf(text, sizeof(text), "%s: %llu execution%s%s%s", e->fixed->name,
		 (unsigned long long)r->fixed_executions, cli_plural(r->fixed_executions),
		 r->fixed_exhausted ? ", exhaustive" : "", bound);
	cli_junit_case_end(f, text);
}

/*
 * The replay command of @sc's token @tok (malloc'd; NULL without a token):
 * with the entry's switch @sw, or with every switch kernel @version has on.
 */
static char *catalog_replay(const struct sim_scenario *sc, const char *tok, const char *sw,
			    const char *version)
{
	const struct sim_options o = {0};
	const char *on[64];
	unsigned int n = 0;

	if (!tok[0])
		return NULL;
	if (sw)
		on[n++] = sw;
	if (version) {
		const char *const *names = hs_switch_names();
		for (size_t i = 0; names[i] && n < 64; i++)
			if (hs_kernel_switch_on(version, names[i]))
				on[n++] = names[i];
	}
	return cli_replay_cmd(sc->name, tok, &o, on, n);
}

/* A violation's "message" and "replay" members (after a comma), or with
 * @text its two lines under the table's row. */
static void print_found(const char *message, const char *cmd, bool text)
{
	if (text) {
		printf("    %s\n    replay: %s\n", message, cmd ? cmd : "(token too long)");
		return;
	}
	printf(",\"message\":");
	cli_json_str(stdout, message);
	printf(",\"replay\":");
	if (cmd)
		cli_json_str(stdout, cmd);
	else
		printf("null");
}

/* hmmsim catalog --kernel VERSION: which entries VERSION still has. */
static int catalog_kernel(const char *version, const char *only, bool json, bool tokens,
			  bool have_strategy, enum sim_strategy strategy, uint64_t iterations,
			  uint64_t seed)
{
	size_t n;
	const struct hs_catalog_entry *cat = hs_catalog(&n);
	bool all_ok = true, matched = false;
	unsigned int has = 0;

	if (json)
		printf("{\"kernel\":\"%s\",\"strategy\":\"%s\",\"iterations\":%llu,\"seed\":%llu,"
		       "\"entries\":[",
		       version, have_strategy ? sim_strategy_name(strategy) : "default",
		       (unsigned long long)iterations, (unsigned long long)seed);
	else
		printf("kernel %s: each entry as that release has it (the bug must be found, the "
		       "fix clean)\n%-*s %-6s %-6s %-4s %-5s %10s %8s  %-15s %-3s\n",
		       version, name_width(), "entry", "side", "fixed", "has", "found",
		       "executions", "seconds", "kind", "ok");
	for (size_t i = 0; i < n; i++) {
		const struct hs_catalog_entry *e = &cat[i];
		struct hs_catalog_result r;
		if (only && strcmp(only, e->name))
			continue;
		enum sim_strategy s = have_strategy ? strategy : e->strategy;
		if (hs_catalog_run_release(e, version, s, iterations, seed, &r)) {
			fprintf(stderr, "hmmsim: catalog %s: %s\n", e->name, r.error);
			return 2;
		}
		/* the release's bug found, or the fix clean but for bugs of the
		 * release that later fixes removed */
		bool ok = r.has_bug ? r.found : !r.found || r.later_bug;
		all_ok &= ok;
		has += r.has_bug;
		char *cmd = r.found ? catalog_replay(r.has_bug ? e->bug : e->fixed, r.schedule,
						     NULL, version)
				    : NULL;
		if (json) {
			printf("%s{\"name\":", matched ? "," : "");
			cli_json_str(stdout, e->name);
			printf(",\"fix\":");
			cli_json_str(stdout, e->fix);
			printf(",\"release\":");
			if (e->release)
				cli_json_str(stdout, e->release);
			else
				printf("null");
			printf(",\"side\":\"%s\",\"strategy\":\"%s\",\"has_bug\":%s,\"found\":%s,"
			       "\"executions\":%llu,\"seconds\":%.6f,\"kind\":",
			       e->driver ? "driver" : "core", sim_strategy_name(s),
			       r.has_bug ? "true" : "false", r.found ? "true" : "false",
			       (unsigned long long)r.executions, r.seconds);
			if (r.found)
				cli_json_str(stdout, r.kind);
			else
				printf("null");
			if (r.found)
				print_found(r.message, cmd, false);
			printf(",\"later_bug\":%s,\"ok\":%s}", r.later_bug ? "true" : "false",
			       ok ? "true" : "false");
		} else {
			char rel[16];
			snprintf(rel, sizeof(rel), "%s%s", e->release ? "v" : "",
				 e->release ? e->release : "never");
			printf("%-*s %-6s %-6s %-4s %-5s %10llu %8.3f  %-15s %-3s\n", name_width(),
			       e->name, e->driver ? "driver" : "core", rel,
			       r.has_bug ? "yes" : "no", r.found ? "yes" : "no",
			       (unsigned long long)r.executions, r.seconds, r.found ? r.kind : "-",
			       ok ? (r.later_bug ? "yes (a later fix's bug)" : "yes") : "NO");
			if (r.found && tokens)
				print_found(r.message, cmd, true);
		}
		free(cmd);
		matched = true;
	}
	if (json) {
		printf("],");
		cli_json_version(stdout);
		printf("}\n");
	} else {
		printf("kernel %s has %u of these bugs (ok: the bug found, or the fix clean but "
		       "for a bug a later fix removed)\n",
		       version, has);
	}
	return all_ok ? 0 : 1;
}

/* catalog --exhaustive: every cell under dpor, within a budget per cell. */
static bool exhaustive;
static double cell_seconds; /* --cell-budget Ns */

/* A fix's cell under --exhaustive: "clean (exhaustive, N executions)", or
 * sampled, with the bound dpor --deepen covered after it. */
static void print_clean(const struct hs_catalog_result *r)
{
	char bound[160];

	cli_bound_text(bound, sizeof(bound), r->fixed_deepened && !r->fixed_exhausted,
		       r->fixed_bound, r->fixed_bound_executions);
	if (r->clean_with_fix)
		printf("    fix: clean (%s, %llu execution%s%s)\n",
		       r->fixed_exhausted ? "exhaustive" : "sampled",
		       (unsigned long long)r->fixed_executions, cli_plural(r->fixed_executions),
		       bound);
	if (r->found && r->schedule[0])
		printf("    bug: %s found by %s, replay token %s\n", r->kind,
		       r->bug_by_fallback ? "the entry's own strategy (dpor: not within the budget)"
					  : "dpor",
		       r->schedule);
}

/* One entry's row of the table, or its JSON object (after a comma if @comma). */
static void print_entry(const struct hs_catalog_entry *e, enum sim_strategy s,
			const struct hs_catalog_result *r, bool json, bool tokens, bool comma)
{
	char *cmd = r->found ? catalog_replay(e->bug, r->schedule, e->sw, NULL) : NULL;
	char *fcmd =
	    !r->clean_with_fix ? catalog_replay(e->fixed, r->fixed_schedule, NULL, NULL) : NULL;
	if (json) {
		printf("%s{\"name\":", comma ? "," : "");
		cli_json_str(stdout, e->name);
		printf(",\"fix\":");
		cli_json_str(stdout, e->fix);
		printf(",\"side\":\"%s\",\"strategy\":\"%s\",\"found\":%s,"
		       "\"clean_with_fix\":%s,\"executions\":%llu,\"seconds\":%.6f,\"kind\":",
		       e->driver ? "driver" : "core", sim_strategy_name(s),
		       r->found ? "true" : "false", r->clean_with_fix ? "true" : "false",
		       (unsigned long long)r->executions, r->seconds);
		if (r->found)
			cli_json_str(stdout, r->kind);
		else
			printf("null");
		if (r->found)
			print_found(r->message, cmd, false);
		if (!r->clean_with_fix) {
			printf(",\"fixed_replay\":");
			if (fcmd)
				cli_json_str(stdout, fcmd);
			else
				printf("null");
		}
		printf(",\"fixed_executions\":%llu,\"fixed_exhausted\":%s",
		       (unsigned long long)r->fixed_executions,
		       r->fixed_exhausted ? "true" : "false");
		if (exhaustive) {
			printf(",\"exhausted\":%s,\"fixed_unfair_cut\":%llu,\"bug_by_dpor\":%s,"
			       "\"clean\":\"%s\",\"schedule\":",
			       r->fixed_exhausted ? "true" : "false",
			       (unsigned long long)r->fixed_unfair_cut,
			       r->found && !r->bug_by_fallback ? "true" : "false",
			       !r->clean_with_fix   ? "no"
			       : r->fixed_exhausted ? "exhaustive"
						    : "sampled");
			cli_json_str(stdout, r->schedule);
			if (r->fixed_deepened && !r->fixed_exhausted)
				cli_bound_json(stdout, "fixed_", r->fixed_bound,
					       r->fixed_bound_executions);
		}
		printf("}");
	} else {
		printf("%-*s %-6s %-5s %10llu %8.3f  %-15s %-6s  %s\n", name_width(), e->name,
		       e->driver ? "driver" : "core", r->found ? "yes" : "NO",
		       (unsigned long long)r->executions, r->seconds, r->found ? r->kind : "-",
		       r->clean_with_fix ? "yes" : "NO", e->fix);
		if (r->found && tokens)
			print_found(r->message, cmd, true);
		if (!r->clean_with_fix)
			printf("    %s\n", r->error);
		if (!r->clean_with_fix && tokens)
			printf("    replay: %s\n", fcmd ? fcmd : "(token too long)");
		if (exhaustive)
			print_clean(r);
	}
	free(cmd);
	free(fcmd);
}

/*
 * --exhaustive: a bug dpor did not reach within the cell budget (its
 * depth-first order can take long to reach the racing window) is looked for
 * with the entry's own strategy, as without --exhaustive; the fix's cell
 * stays dpor's.
 */
static void bug_fallback(const struct hs_catalog_entry *e, uint64_t seed,
			 struct hs_catalog_result *r)
{
	struct hs_catalog_result alt;

	hs_catalog_cell_budget(0);
	if (hs_catalog_run(e, e->strategy, 20000, seed, &alt) == 0 && alt.found) {
		r->found = true;
		r->executions += alt.executions;
		r->seconds += alt.seconds;
		memcpy(r->kind, alt.kind, sizeof(r->kind));
		memcpy(r->message, alt.message, sizeof(r->message));
		memcpy(r->schedule, alt.schedule, sizeof(r->schedule));
		r->bug_by_fallback = true;
	}
	hs_catalog_cell_budget(cell_seconds);
}

/* --cell-budget SECONDSs or EXECUTIONS: 0 or 2. */
static int cell_budget(const char *val, uint64_t *iterations)
{
	if (hs_cell_budget_parse(val, iterations, &cell_seconds))
		return 2;
	hs_catalog_cell_budget(cell_seconds);
	return 0;
}

/*
 * catalog --junit: a testcase per entry and variant into @jf (opened before
 * the run); @strategy NULL: each entry's own.  Return: 0, or 2 after saying
 * why the file could not be written.
 */
static int catalog_junit(struct cli_outfile *jf, const struct hs_catalog_entry *cat, size_t n,
			 const char *only, const enum sim_strategy *strategy, uint64_t iterations,
			 uint64_t seed, const struct hs_catalog_result *res)
{
	unsigned int tests = 0, failures = 0;
	double t = 0;

	for (size_t i = 0; i < n; i++)
		if (!only || strcmp(only, cat[i].name) == 0) {
			tests += 2;
			failures += !res[i].found + !res[i].clean_with_fix;
			t += res[i].seconds + res[i].fixed_seconds;
		}
	cli_junit_begin(jf->f, "hmmsim catalog", tests, failures, t);
	for (size_t i = 0; i < n; i++)
		if (!only || strcmp(only, cat[i].name) == 0)
			junit_entry(jf->f, &cat[i], strategy ? *strategy : cat[i].strategy,
				    iterations, seed, &res[i]);
	cli_junit_end(jf->f);
	return cli_outfile_commit(jf) ? 2 : 0;
}

/* --html: a variant's violation cell @x: the report replayed from the token
 * (@sc with switch @sw on), the replay command. */
static void html_violation_cell(struct html_cell *x, const struct sim_scenario *sc, const char *sw,
				const char *schedule, uint64_t executions)
{
	const struct sim_options o = {0};

	x->vclass = "verdict-violation";
	x->how = malloc(64);
	if (!x->how)
		cli_oom("an HTML report's cell");
	snprintf(x->how, 64, "found in %llu executions", (unsigned long long)executions);
	if (!schedule[0])
		return; /* the token was too long to keep */
	x->replay = cli_replay_cmd(sc->name, schedule, &o, &sw, sw ? 1 : 0);
	if (html_cell_replay(x, sc, sw, schedule))
		snprintf(x->how, 64, "found in %llu executions (its replay failed)",
			 (unsigned long long)executions);
}

/* --html: the bug and fix cells of entry @e, result @r, into @x[0..1]. */
static void html_entry(struct html_cell *x, const struct hs_catalog_entry *e, enum sim_strategy s,
		       const struct hs_catalog_result *r)
{
	x[0].ok = r->found;
	x[0].vclass = "verdict-missed";
	snprintf(x[0].verdict, sizeof(x[0].verdict), "%s", r->found ? r->kind : "not found");
	if (r->found)
		html_violation_cell(&x[0], e->bug, e->sw, r->schedule, r->executions);
	html_cell_counter(&x[0], "strategy", "%s", sim_strategy_name(s));
	html_cell_counter(&x[0], "execs", "%llu", (unsigned long long)r->executions);
	html_cell_counter(&x[0], "seconds", "%.3f", r->seconds);
	if (e->sw)
		html_cell_counter(&x[0], "switch", "%s", e->sw);
	x[1].ok = r->clean_with_fix;
	x[1].vclass = "verdict-clean";
	snprintf(x[1].verdict, sizeof(x[1].verdict), "clean");
	if (!r->clean_with_fix) {
		html_violation_cell(&x[1], e->fixed, NULL, r->fixed_schedule, r->fixed_executions);
		if (!x[1].message) /* not replayed: the kind is in the error */
			snprintf(x[1].verdict, sizeof(x[1].verdict), "violation");
	}
	html_cell_counter(&x[1], "strategy", "%s", sim_strategy_name(s));
	html_cell_counter(&x[1], "execs", "%llu", (unsigned long long)r->fixed_executions);
	html_cell_counter(&x[1], "exhausted", "%s", r->fixed_exhausted ? "yes" : "no");
	if (r->fixed_deepened && !r->fixed_exhausted)
		html_bound(&x[1], r->fixed_bound);
	html_cell_counter(&x[1], "seconds", "%.3f", r->fixed_seconds);
}

/* catalog --html: the entries × {bug, fix} page into @hf; 0, or 2. */
static int catalog_html(struct cli_outfile *hf, const struct hs_catalog_entry *cat, size_t n,
			const char *only, const enum sim_strategy *strategy, uint64_t iterations,
			uint64_t seed, const struct hs_catalog_result *res)
{
	static const char *const cols[] = {"bug", "fix"};
	const char **rows = calloc(n + 1, sizeof(*rows));
	struct html_cell *cells = calloc(2 * n + 2, sizeof(*cells));
	size_t nrows = 0;
	char params[160];

	if (!rows || !cells)
		cli_oom("the cells of an HTML report");
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, cat[i].name))
			continue;
		rows[nrows] = cat[i].name;
		html_entry(&cells[2 * nrows++], &cat[i], strategy ? *strategy : cat[i].strategy,
			   &res[i]);
	}
	if (exhaustive && cell_seconds) /* no cap in executions: the clock's */
		snprintf(params, sizeof(params), "strategy dpor, %.0f s per cell, seed %llu",
			 cell_seconds, (unsigned long long)seed);
	else
		snprintf(params, sizeof(params), "strategy %s, %llu iterations, seed %llu",
			 strategy ? sim_strategy_name(*strategy) : "each entry's own",
			 (unsigned long long)iterations, (unsigned long long)seed);
	struct html_matrix m = {
	    .title = "hmmsim catalog",
	    .intro = "Each catalog entry (a real kernel or driver bug, docs/catalog.md) explored "
		     "with its bug, which must be found, and with its fix, which must be clean.",
	    .row_head = "entry",
	    .col_head = "variant",
	    .rows = rows,
	    .cols = cols,
	    .nrows = nrows,
	    .ncols = 2,
	    .cells = cells,
	    .params = params,
	};
	html_matrix_page(hf->f, &m);
	for (size_t i = 0; i < 2 * nrows; i++)
		html_cell_free(&cells[i]);
	free(cells);
	free(rows);
	return cli_outfile_commit(hf) ? 2 : 0;
}

/* --exhaustive: dpor with the cell budget; 0, or 2 after saying why not. */
static int exhaustive_setup(bool have_strategy, bool kernel, uint64_t budget,
			    enum sim_strategy *strategy, uint64_t *iterations)
{
	if (exhaustive && (have_strategy || kernel)) {
		fprintf(stderr, "hmmsim: catalog --exhaustive runs dpor, without --strategy or "
				"--kernel\n");
		return 2;
	}
	if (exhaustive) {
		*strategy = SIM_STRATEGY_DPOR;
		*iterations = hs_cell_executions(budget, cell_seconds);
		hs_catalog_cell_deepen(true);
	} else if (budget || cell_seconds) {
		fprintf(stderr, "hmmsim: --cell-budget goes with --exhaustive\n");
		return 2;
	}
	return 0;
}

/* @only (NULL: every entry) names an entry of @cat; else say so (false). */
static bool catalog_has(const struct hs_catalog_entry *cat, size_t n, const char *only)
{
	for (size_t i = 0; i < n && only; i++)
		if (strcmp(only, cat[i].name) == 0)
			return true;
	if (only)
		fprintf(stderr, "hmmsim: no catalog entry '%s' (docs/catalog.md lists them)\n",
			only);
	return !only;
}

/* The JSON object's opening, or the table's head. */
static void print_head(bool json, const enum sim_strategy *strategy, uint64_t iterations,
		       uint64_t seed)
{
	if (json && exhaustive) { /* the budget each cell had: iterations null, no cap */
		printf("{\"strategy\":\"dpor\",\"cell_budget\":{");
		if (cell_seconds)
			printf("\"seconds\":%.0f},\"iterations\":null", cell_seconds);
		else
			printf("\"executions\":%llu},\"iterations\":%llu",
			       (unsigned long long)iterations, (unsigned long long)iterations);
		printf(",\"seed\":%llu,\"entries\":[", (unsigned long long)seed);
	} else if (json) {
		printf("{\"strategy\":\"%s\",\"iterations\":%llu,\"seed\":%llu,\"entries\":[",
		       strategy ? sim_strategy_name(*strategy) : "default",
		       (unsigned long long)iterations, (unsigned long long)seed);
	} else {
		printf("%-*s %-6s %-5s %10s %8s  %-15s %-6s  %s\n", name_width(), "entry", "side",
		       "found", "executions", "seconds", "kind", "clean", "kernel fix");
	}
}

int cmd_catalog(int argc, char **argv)
{
	bool json = false, have_strategy = false, tokens = false;
	enum sim_strategy strategy = SIM_STRATEGY_PCT;
	uint64_t iterations = 20000, seed = 1, budget = 0;
	const char *only = NULL, *junit = NULL, *kernel = NULL, *html = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--tokens") == 0) {
			tokens = true;
		} else if (strcmp(a, "--exhaustive") == 0) {
			exhaustive = true;
		} else if (strcmp(a, "--cell-budget") == 0) {
			if (cell_budget(val, &budget))
				return 2;
			i++;
		} else if (strcmp(a, "--junit") == 0 || strcmp(a, "--html") == 0) {
			if (!val || !*val) {
				fprintf(stderr, "hmmsim: %s wants a file name\n", a);
				return 2;
			}
			*(a[2] == 'j' ? &junit : &html) = val;
			i++;
		} else if (strcmp(a, "--kernel") == 0) {
			if (cli_kernel_set(val))
				return 2;
			memset(&hs_switch, 0, sizeof(hs_switch)); /* set per entry */
			kernel = val;
			i++;
		} else if (strcmp(a, "--strategy") == 0) {
			if (!val || sim_strategy_parse(val, &strategy) ||
			    strategy == SIM_STRATEGY_REPLAY) {
				fprintf(stderr,
					"hmmsim: --strategy wants random, pct, dfs or dpor, not "
					"'%s'\n",
					val ? val : "");
				return 2;
			}
			have_strategy = true;
			i++;
		} else if (strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0) {
			uint64_t v;
			if (!cli_parse_u64(val, &v) || (a[2] == 'i' && v == 0))
				return cli_bad_count(a, val);
			*(a[2] == 'i' ? &iterations : &seed) = v;
			i++;
		} else if (a[0] != '-' && !only) {
			only = a;
		} else {
			fprintf(stderr,
				"hmmsim: unknown catalog argument '%s' (see hmmsim --help)\n", a);
			return 2;
		}
	}

	if (exhaustive_setup(have_strategy, kernel != NULL, budget, &strategy, &iterations))
		return 2;
	have_strategy |= exhaustive;
	if (kernel && (junit || html)) {
		fprintf(stderr, "hmmsim: catalog --kernel does not write --%s\n",
			junit ? "junit" : "html");
		return 2;
	}
	size_t n;
	const struct hs_catalog_entry *cat = hs_catalog(&n);
	bool all_ok = true;
	struct cli_outfile jf = {0}, hf = {0};

	if (!catalog_has(cat, n, only))
		return 2;
	if (kernel)
		return catalog_kernel(kernel, only, json, tokens, have_strategy, strategy,
				      iterations, seed);
	if ((junit && cli_outfile_open(&jf, junit)) || (html && cli_outfile_open(&hf, html))) {
		cli_outfile_drop(&jf);
		return 2;
	}
	struct hs_catalog_result *res = calloc(n, sizeof(*res));
	if (!res)
		cli_oom("the catalog's results");
	print_head(json, have_strategy ? &strategy : NULL, iterations, seed);
	for (size_t i = 0; i < n; i++) {
		const struct hs_catalog_entry *e = &cat[i];
		if (only && strcmp(only, e->name))
			continue;
		enum sim_strategy s = have_strategy ? strategy : e->strategy;
		if (hs_catalog_run(e, s, iterations, seed, &res[i])) {
			fprintf(stderr, "hmmsim: catalog %s: %s\n", e->name, res[i].error);
			cli_outfile_drop(&jf);
			cli_outfile_drop(&hf);
			free(res);
			return 2;
		}
		if (exhaustive && !res[i].found)
			bug_fallback(e, seed, &res[i]);
		all_ok &= res[i].found && res[i].clean_with_fix;
		print_entry(e, s, &res[i], json, tokens, i && !only);
	}
	if (json) {
		printf("],");
		cli_json_version(stdout);
		printf("}\n");
	}
	if (junit && catalog_junit(&jf, cat, n, only, have_strategy ? &strategy : NULL, iterations,
				   seed, res)) {
		cli_outfile_drop(&hf);
		free(res);
		return 2;
	}
	if (html && catalog_html(&hf, cat, n, only, have_strategy ? &strategy : NULL, iterations,
				 seed, res)) {
		free(res);
		return 2;
	}
	free(res);
	return all_ok ? 0 : 1;
}
