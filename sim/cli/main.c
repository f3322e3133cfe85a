// SPDX-License-Identifier: MIT
/*
 * hmmsim: explore, replay and stress the built-in scenarios.
 * Exit status: 0 nothing found, 1 violation found, 2 usage or input error.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hmmsim/experiment.h>
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <hmmsim/scenario_file.h>
#include <hmmsim/switches.h>

#include "check.h"
#include "cli_cov.h"
#include "cli_util.h"
#include "html.h"
#include "jobs.h"

int cmd_catalog(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* The --switch names given, repeated in replay command lines. */
static const char *switches_on[64];
static unsigned int nr_switches_on;
/* --kernel VERSION, named in reports and JSON (NULL: not given). */
static const char *kernel_release;

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hmmsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see hmmsim --help)\n");
	return 2;
}

static const struct sim_scenario *find_scenario(const char *name)
{
	if (hs_scenario_is_file(name)) {
		/* a scenario file: loaded for the rest of the process */
		static struct sim_scenario *file;
		char err[512];
		if (hs_scenario_load(name, &file, err, sizeof(err))) {
			fprintf(stderr, "hmmsim: %s\n", err);
			exit(2);
		}
		cli_outfile_input(name); /* --junit FILE.hsc would replace it */
		return file;
	}
	const struct sim_scenario *sc = sim_litmus_find(name);
	return sc ? sc : hs_model_scenario_find(name);
}

/* What defines a campaign besides scenario, strategy, seed and iterations. */
static void print_campaign(FILE *f, const struct sim_options *o)
{
	fprintf(f, "\"shard\":\"%llu/%llu\",\"iterations\":%llu,\"campaign\":\"",
		(unsigned long long)o->shard_index, (unsigned long long)o->shard_count,
		(unsigned long long)o->iterations);
	if (o->strategy == SIM_STRATEGY_PCT)
		fprintf(f, "depth %u", o->pct_depth ? o->pct_depth : SIM_DEFAULT_PCT_DEPTH);
	if (o->strategy == SIM_STRATEGY_DPOR)
		fprintf(f, "split-depth %u%s", o->dpor_split_depth,
			o->dpor_bounded ? "" : " unbounded");
	if (o->strategy == SIM_STRATEGY_DPOR && o->dpor_bounded)
		fprintf(f, " preemptions %u", o->dfs_preemptions);
	fprintf(f, " step-bound %lu%s%s%s%s%s", o->step_bound, o->keep_going ? " keep-going" : "",
		o->no_races ? " no-races" : "", o->no_lockdep ? " no-lockdep" : "",
		o->no_might_sleep ? " no-might-sleep" : "",
		o->order_sections ? " order-sections" : "");
	for (unsigned int i = 0; i < nr_switches_on; i++)
		fprintf(f, " switch %s", switches_on[i]); /* names: [a-z0-9_-] */
	fprintf(f, "\",");
}

static void print_json_violation(FILE *f, const struct sim_violation *v, bool with_trace)
{
	fprintf(f, "{\"kind\":");
	cli_json_str(f, v->kind);
	fprintf(f, ",\"message\":");
	cli_json_str(f, v->message);
	fprintf(f, ",\"execution\":%llu,\"steps\":%llu,\"preemptions\":%llu,\"schedule\":",
		(unsigned long long)v->execution, (unsigned long long)v->steps,
		(unsigned long long)v->preemptions);
	cli_json_str(f, v->schedule);
	fputc(',', f);
	cli_json_facts(f, v);
	if (v->original_schedule) {
		fprintf(f, ",\"choices\":%zu,\"original_schedule\":", v->choices);
		cli_json_str(f, v->original_schedule);
		fprintf(f,
			",\"original_choices\":%zu,\"original_steps\":%llu,"
			"\"original_preemptions\":%llu",
			v->original_choices, (unsigned long long)v->original_steps,
			(unsigned long long)v->original_preemptions);
	}
	fprintf(f, ",\"report\":");
	cli_json_str(f, v->report);
	if (with_trace && v->trace_json) {
		fprintf(f, ",\"trace_json\":");
		cli_json_str(f, v->trace_json);
	}
	fprintf(f, "}");
}

/* dfs and dpor --deepen: the last bound completed, the one running at the end. */
static void print_json_completed(FILE *f, const struct sim_result *r)
{
	fprintf(f, "\"bound_completed\":");
	if (r->bound_completed < 0)
		fprintf(f, "null,");
	else
		fprintf(f, "%d,", r->bound_completed);
	if (!r->exhausted)
		fprintf(f, "\"bound_in_progress\":%u,", r->bound_in_progress);
}

/* dfs: the bound asked for, the last one completed, the one running at the end. */
static void print_json_bounds(FILE *f, const struct sim_options *o, const struct sim_result *r)
{
	fprintf(f, "\"bound\":%u,", o->dfs_preemptions);
	print_json_completed(f, r);
}

/* dpor --deepen: the same. */
static void print_json_deepen(FILE *f, const struct sim_result *r)
{
	fprintf(f, "\"deepen\":true,");
	print_json_completed(f, r);
}

/* A split run's subtrees, each with the run's figures at its end
 * (sim_split_item): what hmmsim merge and --jobs add up when another shard
 * finds a violation. */
static void print_json_items(FILE *f, const struct sim_result *r)
{
	fprintf(f, "\"split_items\":[");
	for (size_t i = 0; i < r->nr_items; i++) {
		const struct sim_split_item *it = &r->items[i];
		fprintf(f, "%s[%llu,%llu,%llu,%llu,%llu,%llu]", i ? "," : "",
			(unsigned long long)it->item, (unsigned long long)it->executions,
			(unsigned long long)it->sleep_blocked, (unsigned long long)it->races,
			(unsigned long long)it->unfair_cut, (unsigned long long)it->max_depth);
	}
	fprintf(f, "],");
}

/*
 * @with_trace: every report's trace too (a --jobs worker's: the first for
 * --trace-out, each for --html's swimlanes, as one process has them);
 * @interrupted: the run was stopped by a signal.
 */
static void print_json(FILE *f, const struct sim_scenario *sc, const struct sim_options *o,
		       const struct sim_result *r, bool with_trace, bool interrupted)
{
	fprintf(f, "{\"scenario\":");
	cli_json_str(f, sc->name);
	if (kernel_release)
		fprintf(f, ",\"kernel\":\"%s\"", kernel_release);
	fprintf(f,
		",\"strategy\":\"%s\",\"seed\":%llu,\"executions\":%llu,\"elapsed_s\":%.6f,"
		"\"execs_per_s\":%.1f,\"violations_found\":%llu,\"exhausted\":%s,",
		sim_strategy_name(o->strategy), (unsigned long long)o->seed,
		(unsigned long long)r->executions, r->elapsed_s,
		r->elapsed_s > 0 ? (double)r->executions / r->elapsed_s : 0.0,
		(unsigned long long)r->violations_found, r->exhausted ? "true" : "false");
	if (o->strategy == SIM_STRATEGY_DPOR)
		fprintf(f,
			"\"sleep_blocked\":%llu,\"races\":%llu,\"max_depth\":%llu,"
			"\"dpor_bytes\":%zu,\"estimated_total\":%.0f,\"probe_executions\":%llu,",
			(unsigned long long)r->sleep_blocked, (unsigned long long)r->races,
			(unsigned long long)r->max_depth, r->dpor_bytes, r->estimated_total,
			(unsigned long long)r->probe_executions);
	fprintf(f, "\"unfair_cut\":%llu,", (unsigned long long)r->unfair_cut);
	if (r->unfair_cut && r->unfair_msg[0]) {
		fprintf(f, "\"unfair_first\":{\"execution\":%llu,\"starved\":",
			(unsigned long long)r->unfair_execution);
		cli_json_str(f, r->unfair_msg);
		fprintf(f, "},");
	}
	if (o->strategy == SIM_STRATEGY_DPOR && r->probe_found)
		fprintf(f, "\"probe_bound\":%u,", r->probe_bound);
	/* a bounded dpor's exhausted tree covers every schedule within the
	 * bound (docs/dpor.md, "A bound that covers") */
	if (o->strategy == SIM_STRATEGY_DPOR && o->dpor_bounded)
		fprintf(f, "\"bound\":%u,\"covers_bound\":true,", o->dfs_preemptions);
	if (o->strategy == SIM_STRATEGY_DPOR && o->dpor_deepen)
		print_json_deepen(f, r);
	/* whether the (last) bound left nothing out: the unbounded tree */
	if (o->strategy == SIM_STRATEGY_DPOR && (o->dpor_bounded || o->dpor_deepen))
		fprintf(f, "\"whole_tree\":%s,", r->exhausted && r->whole_tree ? "true" : "false");
	if (o->strategy == SIM_STRATEGY_DFS)
		print_json_bounds(f, o, r);
	if (o->strategy == SIM_STRATEGY_DPOR && o->dpor_split_depth)
		fprintf(f, "\"subtrees\":%llu,", (unsigned long long)r->subtrees);
	if (r->nr_items)
		print_json_items(f, r);
	if (o->dpor_claims) /* a --jobs worker's subtrees were handed out as reached */
		fprintf(f, "\"split_claims\":%llu,", (unsigned long long)o->dpor_claims->workers);
	if (o->shard_count > 1)
		print_campaign(f, o);
	if (interrupted)
		fprintf(f, "\"interrupted\":true,");
	cli_races_json(f, r);
	fprintf(f, "\"violations\":[");
	for (unsigned int i = 0; i < r->nr_reports; i++) {
		if (i)
			fputc(',', f);
		print_json_violation(f, &r->reports[i], with_trace);
	}
	fprintf(f, "]");
	cli_cov_print_json(f, &r->coverage);
	fprintf(f, ",");
	cli_json_version(f);
	fprintf(f, "}\n");
}

static void print_violation(const char *shown, const struct sim_options *o,
			    const struct sim_violation *v)
{
	printf("\nVIOLATION %s: %s\n", v->kind, v->message);
	cli_print_facts(stdout, v, o->width);
	if (o->strategy != SIM_STRATEGY_REPLAY)
		printf("found in execution %llu", (unsigned long long)v->execution);
	else
		printf("replayed");
	if (v->original_schedule)
		printf(" and minimized (from %zu choice%s, %llu preemption%s, %llu scheduling "
		       "point%s: schedule %s) to %zu choice%s, %llu preemption%s",
		       v->original_choices, cli_plural(v->original_choices),
		       (unsigned long long)v->original_preemptions,
		       cli_plural(v->original_preemptions), (unsigned long long)v->original_steps,
		       cli_plural(v->original_steps), v->original_schedule, v->choices,
		       cli_plural(v->choices), (unsigned long long)v->preemptions,
		       cli_plural(v->preemptions));
	if (*v->report) {
		printf(", %llu scheduling point%s; the interleaving (one column per thread):\n\n",
		       (unsigned long long)v->steps, cli_plural(v->steps));
		fputs(v->report, stdout);
	} else { /* por-check: the execution checked has no violation of its own */
		printf(", %llu scheduling point%s; the token below names the execution "
		       "checked (replay --trace-out FILE draws it; for one that a sleep set "
		       "blocked, the execution with the sleeper's event next, run to its "
		       "end)\n",
		       (unsigned long long)v->steps, cli_plural(v->steps));
	}
	if (strcmp(v->kind, "livelock") == 0 && strstr(v->message, "(step bound ") && v->steps > 1)
		printf("\nthe step bound was reached: a scenario that needs more than %llu "
		       "scheduling points to finish is not a livelock (the loop line above says "
		       "whether the end of the trace repeats); raise the bound with --step-bound, "
		       "e.g. --step-bound %llu\n",
		       (unsigned long long)(v->steps - 1),
		       (unsigned long long)(v->steps - 1) * 10 < 100000000
			   ? (unsigned long long)(v->steps - 1) * 10
			   : 100000000ull);
	char *cmd = cli_replay_cmd(shown, v->schedule, o, switches_on, nr_switches_on);
	printf("\nreplay: %s\n", cmd);
	free(cmd);
}

/* The last line of a run without a violation. */
static void print_clean(const struct sim_options *o, const struct sim_result *r, int interrupted)
{
	if (interrupted)
		printf("no violation in the %llu execution%s run before %s stopped the run: not a "
		       "complete run\n",
		       (unsigned long long)r->executions, cli_plural(r->executions),
		       cli_signal_name(interrupted));
	else if (o->strategy == SIM_STRATEGY_REPLAY)
		printf("the schedule replays without a violation\n");
	else if (r->exhausted && o->strategy == SIM_STRATEGY_DPOR && o->dpor_deepen &&
		 r->whole_tree)
		printf("no violation: exhausted: true, every execution up to reordering "
		       "independent operations: the round of bound %d left nothing out, in %llu "
		       "execution%s over rounds 0 to %d\n",
		       r->bound_completed, (unsigned long long)r->executions,
		       cli_plural(r->executions), r->bound_completed);
	else if (r->exhausted && o->strategy == SIM_STRATEGY_DPOR && o->dpor_bounded &&
		 r->whole_tree)
		printf("no violation: exhausted: true, every execution up to reordering "
		       "independent operations: the bound of %u preemption%s left nothing out, in "
		       "%llu execution%s\n",
		       o->dfs_preemptions, cli_plural(o->dfs_preemptions),
		       (unsigned long long)r->executions, cli_plural(r->executions));
	else if (r->exhausted && o->strategy == SIM_STRATEGY_DPOR && o->dpor_bounded)
		printf("no violation: exhaustive within the bound, every schedule with at most %u "
		       "preemption%s up to reordering independent operations, in %llu "
		       "execution%s (dpor without --preemptions reaches every execution)\n",
		       o->dfs_preemptions, cli_plural(o->dfs_preemptions),
		       (unsigned long long)r->executions, cli_plural(r->executions));
	else if (r->exhausted && o->strategy == SIM_STRATEGY_DPOR)
		printf("no violation: exhausted: true, all %llu execution%s up to reordering "
		       "independent operations (%llu sleep-set blocked)\n",
		       (unsigned long long)r->executions, cli_plural(r->executions),
		       (unsigned long long)r->sleep_blocked);
	else if (r->exhausted)
		printf("no violation: exhaustive, all %llu schedule%s with at most %u "
		       "preemption%s explored (bound %u of %u completed)\n",
		       (unsigned long long)r->executions, cli_plural(r->executions),
		       o->dfs_preemptions, cli_plural(o->dfs_preemptions), o->dfs_preemptions,
		       o->dfs_preemptions);
	else if (o->strategy == SIM_STRATEGY_DFS && r->unfair_cut && r->executions < o->iterations)
		printf("no violation in %llu schedule%s, but NOT exhaustive: %llu cut as unfair "
		       "(above)\n",
		       (unsigned long long)r->executions, cli_plural(r->executions),
		       (unsigned long long)r->unfair_cut);
	else if (o->strategy == SIM_STRATEGY_DFS)
		printf("no violation in %llu schedule%s, but NOT exhaustive: dfs stopped at its "
		       "cap of %llu execution%s (--iterations) with schedules of at most %u "
		       "preemption%s left; raise --iterations or lower --preemptions\n",
		       (unsigned long long)r->executions, cli_plural(r->executions),
		       (unsigned long long)o->iterations, cli_plural(o->iterations),
		       o->dfs_preemptions, cli_plural(o->dfs_preemptions));
	else
		printf("no violation\n");
}

/* The end of dfs's or --deepen's line: the round the run ended in, and the
 * first one with an execution cut as unfair, which no bound from there on
 * covers. */
static void print_round_end(const struct sim_result *r)
{
	if (r->unfair_cut)
		printf(", bound %u not: an execution was cut as unfair in it (below); the run "
		       "ended in bound %u\n",
		       r->unfair_round, r->bound_in_progress);
	else
		printf(", bound %u in progress when the run ended\n", r->bound_in_progress);
}

/* A dfs run: how far it got (a clean exhaustive one says it in its last line). */
static void print_dfs_bounds(const struct sim_options *o, const struct sim_result *r)
{
	if (r->exhausted) {
		printf("dfs: bound %u of %u completed\n", o->dfs_preemptions, o->dfs_preemptions);
		return;
	}
	if (r->bound_completed < 0 && !r->unfair_cut) {
		printf("dfs: no bound completed, bound %u of %u in progress when the run ended\n",
		       r->bound_in_progress, o->dfs_preemptions);
		return;
	}
	if (r->bound_completed >= 0)
		printf("dfs: bound %d of %u completed", r->bound_completed, o->dfs_preemptions);
	else
		printf("dfs: no bound of %u completed", o->dfs_preemptions);
	print_round_end(r);
}

/* A dpor --deepen run that did not end exhausted: how far it got. */
static void print_deepen(const struct sim_result *r)
{
	if (r->bound_completed >= 0)
		printf("dpor --deepen: every schedule with at most %d preemption%s explored "
		       "(bounds 0 to %d covered, up to reordering independent operations)",
		       r->bound_completed, cli_plural((uint64_t)r->bound_completed),
		       r->bound_completed);
	else
		printf("dpor --deepen: no bound covered");
	print_round_end(r);
}

/* Executions cut at the step bound by a schedule that starved a thread. */
static void print_unfair(const struct sim_options *o, const struct sim_result *r)
{
	if (!r->unfair_cut)
		return;
	if (o->strategy == SIM_STRATEGY_REPLAY) {
		printf("cut at the step bound: %s; an unfair schedule, not a livelock "
		       "(docs/engine.md, \"Fairness\")\n",
		       r->unfair_msg);
		return;
	}
	printf("%llu execution%s cut at the step bound by an unfair schedule, not a livelock "
	       "(docs/engine.md, \"Fairness\"): the run is not exhaustive",
	       (unsigned long long)r->unfair_cut, cli_plural(r->unfair_cut));
	if (r->unfair_msg[0])
		printf("; the first, execution %llu: %s", (unsigned long long)r->unfair_execution,
		       r->unfair_msg);
	printf("\n");
}

/* @shown: how to name the scenario on a command line (a file's path). */
static void print_human(const struct sim_scenario *sc, const char *shown,
			const struct sim_options *o, const struct sim_result *r, int interrupted)
{
	double rate = r->elapsed_s > 0 ? (double)r->executions / r->elapsed_s : 0.0;

	if (kernel_release) {
		printf("kernel %s: switches", kernel_release);
		const char *const *names = hs_switch_names();
		unsigned int on = 0;
		for (size_t i = 0; names[i]; i++)
			if (hs_kernel_switch_on(kernel_release, names[i]))
				printf(" %s", names[i]), on++;
		printf("%s\n", on ? "" : " none (every fix in)");
	}
	if (o->strategy != SIM_STRATEGY_REPLAY && r->probe_found)
		/* the unbounded exploration did not start: count the probes */
		printf("hmmsim explore %s: strategy %s, seed %llu: %llu probe execution%s in %.3f "
		       "s\n",
		       sc->name, sim_strategy_name(o->strategy), (unsigned long long)o->seed,
		       (unsigned long long)r->probe_executions, cli_plural(r->probe_executions),
		       r->elapsed_s);
	else if (o->strategy != SIM_STRATEGY_REPLAY)
		printf("hmmsim explore %s: strategy %s, seed %llu: %llu execution%s in %.3f s "
		       "(%.0f/s)\n",
		       sc->name, sim_strategy_name(o->strategy), (unsigned long long)o->seed,
		       (unsigned long long)r->executions, cli_plural(r->executions), r->elapsed_s,
		       rate);
	if (interrupted)
		printf("interrupted by %s: the run stopped after %llu of its execution%s\n",
		       cli_signal_name(interrupted), (unsigned long long)r->executions,
		       cli_plural(r->executions));
	if (o->strategy == SIM_STRATEGY_DFS && (!r->exhausted || r->violations_found))
		print_dfs_bounds(o, r);
	if (o->strategy == SIM_STRATEGY_DPOR && o->dpor_deepen &&
	    (!r->exhausted || r->violations_found))
		print_deepen(r);
	if (r->probe_found && !r->violations_found)
		printf("dpor: the probe round at preemption bound %u found a violation, which "
		       "shard 0 reports: this shard stopped there\n",
		       r->probe_bound);
	else if (r->probe_found)
		printf("dpor: found by the probe round at preemption bound %u, before the "
		       "unbounded exploration (JSON: executions 0, probe_executions)\n",
		       r->probe_bound);
	else if (r->probe_executions)
		printf("dpor: %llu probe execution%s first (dpor bounded to 0, 1, 2 preemptions), "
		       "not counted above\n",
		       (unsigned long long)r->probe_executions, cli_plural(r->probe_executions));
	print_unfair(o, r);
	for (unsigned int i = 0; i < r->nr_reports; i++)
		print_violation(shown, o, &r->reports[i]);
	if (r->violations_found > r->nr_reports)
		printf("\n%llu violations in all\n", (unsigned long long)r->violations_found);
	if (!r->violations_found && !r->probe_found) {
		print_clean(o, r, interrupted);
		cli_cov_print_text(stdout, &r->coverage);
	}
	cli_races_text(stdout, r, 10);
}

/* hmmsim minimize: cmd_explore() in replay mode, minimizing the token. */
static bool minimize_cmd;
/* The signal that made progress_cb() stop the run, or 0. */
static int progress_stopped;

/* The progress line of a run in this process, and its stop on a signal. */
static bool progress_cb(void *arg, const struct sim_progress *sp)
{
	struct cli_progress *p = arg;
	if (cli_interrupted) {
		progress_stopped = cli_interrupted;
		return false;
	}
	if (!p->on || p->countdown--)
		return true;
	p->countdown = 63;	      /* the clock at most every 64 executions */
	if (sp->estimated_total >= 1) /* dpor: Knuth's estimate of the whole tree */
		p->total = sp->estimated_total < 1e19 ? (uint64_t)sp->estimated_total : UINT64_MAX;
	cli_progress_show(p, sp->executions, sp->violations_found);
	return true;
}

/* The reported execution's trace, or a clean run's traced one (else empty). */
static void write_trace(FILE *f, const struct sim_result *r)
{
	const char *t = r->nr_reports ? r->reports[0].trace_json : r->clean_trace_json;
	fputs(t ? t : "{\"traceEvents\":[]}\n", f);
}

/* JUnit XML: one testcase for the run, a failure per violation reported. */
static void write_junit(FILE *f, const char *shown, const struct sim_scenario *sc,
			const struct sim_options *o, const struct sim_result *r)
{
	char cls[64], out[128];

	cli_junit_begin(f, "hmmsim", 1, r->violations_found ? 1 : 0, r->elapsed_s);
	snprintf(cls, sizeof(cls), "hmmsim.%s", sim_strategy_name(o->strategy));
	cli_junit_case_begin(f, cls, sc->name, r->elapsed_s);
	for (unsigned int i = 0; i < r->nr_reports; i++) {
		const struct sim_violation *v = &r->reports[i];
		char *cmd = cli_replay_cmd(shown, v->schedule, o, switches_on, nr_switches_on);
		size_t len = strlen(cmd) + 48;
		for (unsigned int k = 0; k < v->nfacts; k++)
			len += strlen(v->facts[k]) + 3;
		char *text = malloc(len);
		if (!text)
			cli_oom("a JUnit failure's text");
		int at = snprintf(text, len, "execution %llu: %s\n",
				  (unsigned long long)v->execution, cmd);
		for (unsigned int k = 0; k < v->nfacts; k++)
			at += snprintf(text + at, len - (size_t)at, "  %s\n", v->facts[k]);
		cli_junit_failure(f, v->kind, v->message, text, v->report);
		free(text);
		free(cmd);
	}
	snprintf(out, sizeof(out), "%llu execution%s, %llu violation%s",
		 (unsigned long long)r->executions, cli_plural(r->executions),
		 (unsigned long long)r->violations_found, cli_plural(r->violations_found));
	cli_junit_case_end(f, out);
	cli_junit_end(f);
}

/* Replace @r's first report by its minimized schedule's when that is smaller. */
static void minimize_first(const struct sim_scenario *sc, const struct sim_options *o,
			   struct sim_result *r)
{
	struct sim_result m = {0};
	if (!r->nr_reports || sim_minimize(sc, o, r->reports[0].schedule, &m)) {
		sim_result_free(&m);
		return; /* e.g. a lock-order cycle another execution began */
	}
	struct sim_violation *a = &r->reports[0], *b = &m.reports[0];
	if (b->choices < b->original_choices || b->preemptions < b->original_preemptions ||
	    b->steps < b->original_steps) {
		b->execution = a->execution;
		struct sim_violation t = *a;
		*a = *b;
		*b = t;
	}
	sim_result_free(&m);
}

/*
 * --shard K/N, or auto: K and N from a Slurm array (SLURM_ARRAY_TASK_ID,
 * SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
 * N from --shard-count or HMMSIM_SHARD_COUNT).
 */
static int parse_shard(const char *spec, const char *count, struct sim_options *o)
{
	uint64_t k, n;
	char buf[64];
	if (strcmp(spec, "auto") == 0) {
		const char *sk = getenv("SLURM_ARRAY_TASK_ID"),
			   *sn = getenv("SLURM_ARRAY_TASK_COUNT");
		if (!sk || !sn) {
			sk = getenv("JOB_COMPLETION_INDEX");
			sn = count ? count : getenv("HMMSIM_SHARD_COUNT");
		}
		if (!sk || !sn)
			return usage_error("%s",
					   "--shard auto needs SLURM_ARRAY_TASK_ID and "
					   "SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX and "
					   "--shard-count N or HMMSIM_SHARD_COUNT");
		snprintf(buf, sizeof(buf), "%s/%s", sk, sn);
		spec = buf;
	}
	const char *slash = strchr(spec, '/');
	char head[32];
	if (!slash || (size_t)(slash - spec) >= sizeof(head))
		return usage_error("--shard wants K/N or auto, not '%s'", spec);
	memcpy(head, spec, (size_t)(slash - spec));
	head[slash - spec] = 0;
	if (!cli_parse_u64(head, &k) || !cli_parse_u64(slash + 1, &n) || n == 0 || k >= n)
		return usage_error("--shard wants K/N with K < N, not '%s'", spec);
	if (o->strategy == SIM_STRATEGY_DFS)
		return usage_error("%s",
				   "--shard works with --strategy random, pct or dpor, not dfs");
	o->shard_index = k;
	o->shard_count = n;
	return 0;
}

/* An explore, replay or minimize command line, and its run. */
struct explore_cmd {
	struct sim_options o;
	bool replay, json, have_iter, have_strategy, no_minimize, no_progress, have_width;
	bool have_probes;
	unsigned int jobs, split_depth;
	const char *name, *shown, *junit, *trace_out, *shard, *shard_count, *html;
	const struct sim_scenario *sc;
	struct cli_outfile junit_f, trace_f, html_f;
	int interrupted; /* the signal that stopped the run, or 0 */
};

/* A flag without a value: 1 when @a is one of @x's command, else 0. */
static int explore_flag(struct explore_cmd *x, const char *a)
{
	bool *flag = NULL;

	if (strcmp(a, "--json") == 0)
		flag = &x->json;
	else if (strcmp(a, "--brief") == 0)
		flag = &x->o.brief;
	else if (strcmp(a, "--sites") == 0)
		flag = &x->o.sites;
	else if (strcmp(a, "--no-races") == 0)
		flag = &x->o.no_races;
	else if (strcmp(a, "--no-lockdep") == 0)
		flag = &x->o.no_lockdep;
	else if (strcmp(a, "--no-might-sleep") == 0)
		flag = &x->o.no_might_sleep;
	else if (strcmp(a, "--no-progress") == 0)
		flag = &x->no_progress;
	else if (!x->replay && strcmp(a, "--no-minimize") == 0)
		flag = &x->no_minimize;
	else if (!x->replay && strcmp(a, "--keep-going") == 0)
		flag = &x->o.keep_going;
	else if (strcmp(a, "--order-sections") == 0)
		flag = &x->o.order_sections;
	else if (!x->replay && strcmp(a, "--por-check") == 0)
		flag = &x->o.por_check;
	else if (!x->replay && strcmp(a, "--race-profile") == 0)
		flag = &x->o.race_profile;
	else if (!x->replay && strcmp(a, "--deepen") == 0)
		flag = &x->o.dpor_deepen;
	if (flag)
		*flag = true;
	return flag != NULL;
}

/* --iterations, --seed, --depth, --preemptions @val: 0 or 2. */
static int explore_number(struct explore_cmd *x, const char *a, const char *val)
{
	uint64_t v;

	if (!cli_parse_u64(val, &v))
		return usage_error("%s wants a number, not '%s'", a, val ? val : "");
	if (a[2] == 'i') {
		if (v == 0)
			return usage_error("%s", "--iterations must be at least 1: a run of no "
						 "execution tests nothing");
		x->o.iterations = v;
		x->have_iter = true;
	} else if (a[2] == 's') {
		x->o.seed = v;
	} else if (a[2] == 'd') {
		if (v < 1 || v > 16)
			return usage_error("--depth must be 1..16, not '%s'", val);
		x->o.pct_depth = (unsigned int)v;
	} else {
		if (v > 64)
			return usage_error("--preemptions must be 0..64, not '%s'", val);
		x->o.dfs_preemptions = (unsigned int)v;
		x->o.dpor_bounded = true;
	}
	return 0;
}

static int explore_switch(const char *val)
{
	if (!val || hs_switch_set(val, true))
		return cli_unknown_switch("hmmsim", val);
	unsigned int k = 0;
	while (k < nr_switches_on && strcmp(switches_on[k], val))
		k++;
	if (k == nr_switches_on && k < sizeof(switches_on) / sizeof(switches_on[0]))
		switches_on[nr_switches_on++] = val;
	return 0;
}

/* An option with a value @val: 0 (@val used), 2 on an error, -1 when @a is not one. */
static int explore_option(struct explore_cmd *x, const char *a, const char *val)
{
	bool ex = !x->replay;
	uint64_t v;

	if (strcmp(a, "--switch") == 0)
		return explore_switch(val);
	if (strcmp(a, "--kernel") == 0) {
		if (cli_kernel_set(val))
			return 2;
		kernel_release = val;
	} else if (strcmp(a, "--junit") == 0 || strcmp(a, "--trace-out") == 0) {
		if (!val || !*val)
			return usage_error("%s wants a file name", a);
		*(a[2] == 'j' ? &x->junit : &x->trace_out) = val;
	} else if (strcmp(a, "--html") == 0) {
		if (!val || !*val)
			return usage_error("%s wants a file name", a);
		x->html = val;
	} else if (ex && (strcmp(a, "--shard") == 0 || strcmp(a, "--shard-count") == 0)) {
		if (!val)
			return usage_error("%s wants a value", a);
		*(a[7] ? &x->shard_count : &x->shard) = val;
	} else if (ex && strcmp(a, "--trace-execution") == 0) {
		if (!cli_parse_u64(val, &v))
			return usage_error("--trace-execution wants an execution index, not '%s'",
					   val ? val : "");
		x->o.trace_execution = v;
		x->o.trace_execution_set = true;
	} else if (ex && strcmp(a, "--max-reports") == 0) {
		if (!cli_parse_u64(val, &v) || v == 0 || v > 100000)
			return usage_error("--max-reports wants 1..100000, not '%s'",
					   val ? val : "");
		x->o.max_reports = (unsigned int)v;
	} else if (ex && strcmp(a, "--probes") == 0) {
		if (!cli_parse_u64(val, &v) || v > 100000000)
			return usage_error("--probes wants 0..100000000 executions, not '%s'",
					   val ? val : "");
		x->o.dpor_probe_budget = v;
		x->o.dpor_no_probes = v == 0;
		x->have_probes = true;
	} else if (ex && strcmp(a, "--split-depth") == 0) {
		if (!cli_parse_u64(val, &v) || v < 1 || v > 64)
			return usage_error("--split-depth wants 1..64 choice points, not '%s'",
					   val ? val : "");
		x->split_depth = (unsigned int)v;
	} else if (ex && strcmp(a, "--jobs") == 0) {
		if (!cli_parse_u64(val, &v) || v < 1 || v > CLI_JOBS_MAX)
			return usage_error("--jobs wants a number of workers, 1..256, not '%s'",
					   val ? val : "");
		x->jobs = (unsigned int)v;
	} else if (strcmp(a, "--width") == 0) {
		if (!cli_parse_u64(val, &v) || v < 40 || v > 10000)
			return usage_error("--width wants 40..10000 columns, not '%s'",
					   val ? val : "");
		x->o.width = (unsigned int)v;
		x->have_width = true;
	} else if (strcmp(a, "--step-bound") == 0) {
		/* as a scenario file's step-bound: each step is kept in memory */
		if (!cli_parse_u64(val, &v) || v == 0 || v > 100000000)
			return usage_error("--step-bound wants 1..100000000 scheduling points, "
					   "not '%s'",
					   val ? val : "");
		x->o.step_bound = (unsigned long)v;
	} else if (ex && strcmp(a, "--strategy") == 0) {
		if (!val || sim_strategy_parse(val, &x->o.strategy) ||
		    x->o.strategy == SIM_STRATEGY_REPLAY)
			return usage_error("--strategy wants random, pct, dfs or dpor, not '%s'",
					   val ? val : "");
		x->have_strategy = true;
	} else if (!ex && strcmp(a, "--schedule") == 0) {
		if (!val)
			return usage_error("%s wants a token", a);
		x->o.schedule = val;
	} else if (ex && (strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0 ||
			  strcmp(a, "--depth") == 0 || strcmp(a, "--preemptions") == 0)) {
		return explore_number(x, a, val);
	} else {
		return -1;
	}
	return 0;
}

static int explore_parse(struct explore_cmd *x, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (explore_flag(x, a))
			continue;
		int ret = explore_option(x, a, val);
		if (ret == 0)
			i++;
		else if (ret > 0)
			return ret;
		else if (a[0] == '-')
			return usage_error("unknown option '%s'", a);
		else if (x->name)
			return usage_error("unexpected argument '%s'", a);
		else
			x->name = a;
	}
	return 0;
}

/* --kernel @version: the release's switches, then the --switch names given
 * on top; replay lines name them all. */
static void kernel_switches_on(const char *version)
{
	hs_kernel_set(version);
	for (unsigned int k = 0; k < nr_switches_on; k++)
		hs_switch_set(switches_on[k], true);
	const char *const *names = hs_switch_names();
	for (size_t k = 0; names[k]; k++) {
		if (!hs_kernel_switch_on(version, names[k]))
			continue;
		unsigned int j = 0;
		while (j < nr_switches_on && strcmp(switches_on[j], names[k]))
			j++;
		if (j == nr_switches_on && j < sizeof(switches_on) / sizeof(switches_on[0]))
			switches_on[nr_switches_on++] = names[k];
	}
}

/* --trace-execution N that the run cannot reach, known before it: said, true. */
static bool trace_execution_unreachable(const struct explore_cmd *x)
{
	const struct sim_options *o = &x->o;
	unsigned long long n = o->trace_execution;
	char msg[200];

	if (x->jobs) /* its workers trace nothing, the parent replays a violation only */
		snprintf(msg, sizeof(msg),
			 "--trace-execution traces a clean run's execution in one process: not "
			 "with --jobs");
	else if (n >= o->iterations)
		snprintf(msg, sizeof(msg),
			 "--trace-execution %llu: the run has executions 0 to %llu "
			 "(--iterations %llu)",
			 n, (unsigned long long)o->iterations - 1,
			 (unsigned long long)o->iterations);
	else if (o->shard_count > 1 && o->strategy != SIM_STRATEGY_DPOR &&
		 n % o->shard_count != o->shard_index)
		snprintf(msg, sizeof(msg),
			 "--trace-execution %llu: shard %llu/%llu runs the executions i with "
			 "i %% %llu == %llu, not that one",
			 n, (unsigned long long)o->shard_index, (unsigned long long)o->shard_count,
			 (unsigned long long)o->shard_count, (unsigned long long)o->shard_index);
	else
		return false;
	usage_error("%s", msg);
	return true;
}

/* The scenario, its file's `explore` line and the defaults; 0 or 2. */
static int explore_setup(struct explore_cmd *x)
{
	const char *cmd = minimize_cmd ? "minimize" : x->replay ? "replay" : "explore";
	struct sim_options *o = &x->o;

	if (kernel_release)
		kernel_switches_on(kernel_release);
	if (!x->name)
		return usage_error("%s needs a scenario name", cmd);
	x->sc = find_scenario(x->name);
	if (!x->sc)
		return usage_error("unknown scenario '%s' (hmmsim list shows them)", x->name);
	x->shown = hs_scenario_is_file(x->name) ? x->name : x->sc->name;
	if (x->replay && !o->schedule)
		return usage_error("%s needs --schedule TOKEN", cmd);
	/* a scenario file may say how it wants to be explored (`explore ...`) */
	cli_explore_plan(hs_scenario_is_file(x->name) ? x->sc : NULL, o,
			 x->replay || x->have_strategy, x->have_iter);
	if (x->shard_count && (!x->shard || strcmp(x->shard, "auto")))
		return usage_error("%s", "--shard-count N works only with --shard auto");
	if (x->shard && parse_shard(x->shard, x->shard_count, o))
		return 2;
	if (x->jobs && o->strategy == SIM_STRATEGY_DFS)
		return usage_error("%s",
				   "--jobs works with --strategy random, pct or dpor, not dfs");
	if (x->split_depth && o->strategy != SIM_STRATEGY_DPOR)
		return usage_error("%s", "--split-depth works with --strategy dpor");
	if (x->have_probes && o->strategy != SIM_STRATEGY_DPOR)
		return usage_error("%s", "--probes works with --strategy dpor");
	if (o->race_profile && o->strategy != SIM_STRATEGY_DPOR)
		return usage_error("%s", "--race-profile works with --strategy dpor");
	if (o->dpor_deepen && o->strategy != SIM_STRATEGY_DPOR)
		return usage_error("%s", "--deepen works with --strategy dpor");
	if (o->por_check && o->strategy != SIM_STRATEGY_DPOR) /* before --jobs forks */
		return usage_error("%s", "--por-check works with --strategy dpor");
	if (o->dpor_deepen && (x->shard || (x->split_depth && !x->jobs)))
		return usage_error("%s", x->shard ? "--deepen runs its rounds one after another "
						    "on one machine: not with --shard (--jobs "
						    "splits each round)"
						  : "--split-depth splits --deepen's rounds among "
						    "--jobs workers: not without --jobs");
	if (o->dpor_deepen && (x->have_probes || o->keep_going || o->race_profile))
		return usage_error("%s", x->have_probes ? "--deepen runs no probe rounds: not "
							  "with --probes"
					 : o->keep_going
					     ? "--deepen stops at the first violation (each "
					       "round runs the last one's classes again): not "
					       "with --keep-going"
					     : "--race-profile profiles one tree: not with "
					       "--deepen");
	if (o->strategy == SIM_STRATEGY_DPOR && (x->jobs || x->shard || x->split_depth))
		o->dpor_split_depth = x->split_depth ? x->split_depth : CLI_DPOR_SPLIT_DEPTH;
	if (o->trace_execution_set && trace_execution_unreachable(x))
		return 2;
	/* a report on a terminal fits it; to a pipe or a file, as it always was */
	if (!x->have_width && !x->json)
		o->width = cli_term_width();
	return 0;
}

/* The run in this process: 0, or 2 after saying why. */
static int explore_here(struct explore_cmd *x, struct sim_result *r, bool progress)
{
	struct sim_options *o = &x->o;
	struct cli_progress prog;
	int ret;

	cli_progress_init(&prog, progress,
			  o->strategy == SIM_STRATEGY_DFS
			      ? 0
			      : cli_shard_size(o->iterations, o->shard_index, o->shard_count));
	if (!x->replay) {
		o->progress = progress_cb;
		o->progress_arg = &prog;
	}
	ret = minimize_cmd ? sim_minimize(x->sc, o, o->schedule, r) : sim_explore(x->sc, o, r);
	cli_progress_clear(&prog);
	o->progress = NULL;
	x->interrupted = progress_stopped;
	if (ret) {
		fprintf(stderr, "hmmsim: %s: %s\n", x->sc->name, r->error);
		sim_result_free(r);
		return 2;
	}
	return 0;
}

/* --html FILE: the run as one page (sim/cli/html.c); 0, or 2 when it could
 * not be written. */
static int write_html(struct explore_cmd *x, const struct sim_result *r)
{
	char **replay = calloc(r->nr_reports + 1, sizeof(*replay));
	if (!replay)
		cli_oom("the replay commands of an HTML report");
	for (unsigned int i = 0; i < r->nr_reports; i++)
		replay[i] = cli_replay_cmd(x->shown, r->reports[i].schedule, &x->o, switches_on,
					   nr_switches_on);
	struct html_run h = {
	    .command = minimize_cmd ? "minimize"
		       : x->replay  ? "replay"
				    : "explore",
	    .shown = x->shown,
	    .kernel = kernel_release,
	    .o = &x->o,
	    .r = r,
	    .replay = replay,
	    .interrupted = x->interrupted,
	};
	html_run_page(x->html_f.f, &h);
	for (unsigned int i = 0; i < r->nr_reports; i++)
		free(replay[i]);
	free(replay);
	return cli_outfile_commit(&x->html_f) ? 2 : 0;
}

/* --trace-out of a run with no violation and no clean execution traced:
 * why the trace is empty, in one line on stderr. */
static void say_no_trace(const struct explore_cmd *x, const struct sim_result *r)
{
	const struct sim_options *o = &x->o;
	char why[240];

	if (r->probe_found)
		snprintf(why, sizeof(why),
			 "a probe round found a violation, which shard 0 reports");
	else if (x->jobs)
		snprintf(why, sizeof(why),
			 "a --jobs run traces a violation's execution only, and this one %s",
			 x->interrupted ? "was interrupted before it found one" : "found none");
	else if (o->trace_execution_set)
		snprintf(why, sizeof(why),
			 "execution %llu (--trace-execution) is not one this run completed (it "
			 "completed %llu%s)",
			 (unsigned long long)o->trace_execution, (unsigned long long)r->executions,
			 x->interrupted ? ", then was interrupted" : "");
	else
		snprintf(why, sizeof(why), "this run completed no execution%s",
			 x->interrupted ? " before it was interrupted" : "");
	fprintf(stderr, "hmmsim: %s: no execution to trace: %s: the trace is empty\n", x->trace_out,
		why);
}

/* Minimize, print, write the files; the exit status. */
static int explore_output(struct explore_cmd *x, struct sim_result *r)
{
	int status = r->violations_found || r->probe_found ? 1
		     : x->interrupted			   ? 128 + x->interrupted
							   : 0;

	if (!x->replay && !x->no_minimize && !x->interrupted)
		minimize_first(x->sc, &x->o, r);
	if (x->json)
		print_json(stdout, x->sc, &x->o, r, false, x->interrupted != 0);
	else
		print_human(x->sc, x->shown, &x->o, r, x->interrupted);
	if (x->trace_out) {
		bool say = !r->violations_found && !x->replay && !x->json && r->clean_trace_json;
		if (!r->violations_found && !r->clean_trace_json)
			say_no_trace(x, r);
		write_trace(x->trace_f.f, r);
		if (cli_outfile_commit(&x->trace_f))
			status = 2;
		else if (say) /* once it is written */
			printf("trace: execution %llu (schedule %s) written to %s\n",
			       (unsigned long long)r->clean_execution, r->clean_schedule,
			       x->trace_out);
	}
	if (x->junit) {
		write_junit(x->junit_f.f, x->shown, x->sc, &x->o, r);
		if (cli_outfile_commit(&x->junit_f))
			status = 2;
	}
	if (x->html && write_html(x, r))
		status = 2;
	return status;
}

static int cmd_explore(int argc, char **argv, bool replay)
{
	struct explore_cmd x = {
	    .o =
		{
		    .strategy = replay ? SIM_STRATEGY_REPLAY : SIM_STRATEGY_PCT,
		    .seed = 1,
		    .pct_depth = SIM_DEFAULT_PCT_DEPTH,
		    .dfs_preemptions = 2,
		},
	    .replay = replay,
	};
	struct sim_result r;
	int ret = explore_parse(&x, argc, argv);

	if (!ret)
		ret = explore_setup(&x);
	if (ret)
		return ret;
	/* every output path is checked before the run */
	if ((x.trace_out && cli_outfile_open(&x.trace_f, x.trace_out)) ||
	    (x.junit && cli_outfile_open(&x.junit_f, x.junit)) ||
	    (x.html && cli_outfile_open(&x.html_f, x.html))) {
		cli_outfile_drop(&x.trace_f);
		cli_outfile_drop(&x.junit_f);
		return 2;
	}
	sim_trace_keep_all(x.trace_out != NULL);
	x.o.clean_trace = x.trace_out != NULL && !x.jobs;
	if (x.o.trace_execution_set && !x.trace_out) {
		cli_outfile_drop(&x.junit_f);
		return usage_error("%s", "--trace-execution N needs --trace-out FILE");
	}
	cli_signals_graceful();
	bool progress = !replay && !x.no_progress && isatty(STDERR_FILENO);
	if (x.jobs) {
		struct cli_jobs j = {
		    .sc = x.sc,
		    .opt = &x.o,
		    .jobs = x.jobs,
		    .with_trace = x.trace_out || x.html,
		    .progress = progress,
		    .hand_out = x.o.strategy == SIM_STRATEGY_DPOR && !x.o.keep_going &&
				x.o.iterations == UINT64_MAX,
		    .print_json = print_json,
		};
		ret = x.o.dpor_deepen ? cli_jobs_deepen(&j, &r, &x.interrupted)
				      : cli_jobs_explore(&j, &r, &x.interrupted);
	} else {
		ret = explore_here(&x, &r, progress);
	}
	if (ret) {
		cli_outfile_drop(&x.trace_f);
		cli_outfile_drop(&x.junit_f);
		cli_outfile_drop(&x.html_f);
		return 2;
	}
	ret = explore_output(&x, &r);
	sim_result_free(&r);
	return ret;
}

/* stress runs on the native backend, a separate program beside this one. */
static int cmd_stress(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "hmmsim: cannot find my own path: %s\n", strerror(errno));
		return 2;
	}
	self[n] = 0;
	snprintf(path, sizeof(path), "%s/hmmsim-native", dirname(self));
	argv[0] = path;
	/* the model it stresses must be this build's (native_main.c checks) */
	setenv("HMMSIM_PARENT_REVISION", hmmsim_revision, 1);
	execv(path, argv);
	fprintf(stderr, "hmmsim: cannot run %s: %s\n", path, strerror(errno));
	return 2;
}

/* hmmsim CMD --help: CMD's lines of the usage text. */
static int cmd_help(const char *cmd)
{
	size_t n = strlen(cmd);
	const char *p = cli_usage;
	bool in = false, found = false;

	for (const char *eol; *p; p = eol + 1) {
		eol = strchr(p, '\n');
		if (p[0] == ' ' && p[1] == ' ' && p[2] != ' ')
			in = strncmp(p + 2, cmd, n) == 0 && (p[2 + n] == ' ' || p[2 + n] == '\n');
		else if (p[0] != ' ')
			in = false;
		if (!in)
			continue;
		if (!found)
			printf("usage: hmmsim COMMAND [ARGS] (hmmsim --help: every command)\n\n");
		found = true;
		printf("%.*s\n", (int)(eol - p), p);
	}
	if (!found)
		return usage_error("unknown command '%s'", cmd);
	printf("\nexit status: 0 no violation, 1 violation found, 2 usage or input error\n");
	return 0;
}

static int run_command(int argc, char **argv)
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 3) /* hmmsim help COMMAND: that command's */
			return usage_error("%s takes one command name at most", cmd);
		if (argc == 3)
			return cmd_help(argv[2]);
		fputs(cli_usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		if (argc > 2)
			return usage_error("%s takes no argument", cmd);
		cli_print_version("hmmsim");
		return 0;
	}
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cmd_help(cmd);
	if (strcmp(cmd, "list") == 0)
		return cmd_list_scenarios(argc - 2, argv + 2);
	if (strcmp(cmd, "explore") == 0)
		return cmd_explore(argc - 2, argv + 2, false);
	if (strcmp(cmd, "replay") == 0)
		return cmd_explore(argc - 2, argv + 2, true);
	if (strcmp(cmd, "merge") == 0)
		return cmd_merge(argc - 2, argv + 2);
	if (strcmp(cmd, "minimize") == 0) {
		minimize_cmd = true;
		return cmd_explore(argc - 2, argv + 2, true);
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(cmd, "catalog") == 0)
		return cmd_catalog(argc - 2, argv + 2);
	if (strcmp(cmd, "experiment") == 0)
		return cmd_experiment(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (strcmp(argv[1], "stress") == 0)
		return cmd_stress(argv);
	if (cli_stdout_check_open())
		return 2;
	cli_signals_init();
	sim_set_oom_handler(cli_oom);
	return cli_stdout_close(run_command(argc, argv));
}
