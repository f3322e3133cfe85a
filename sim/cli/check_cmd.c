// SPDX-License-Identifier: MIT
/*
 * hmmsim check FILE... [--jobs J] [--json] [--junit FILE]: scenario files as
 * tests.  Each file is explored as its `explore` line says (cli_explore_plan(),
 * the code hmmsim explore uses) and passes when the run ends as its `expect`
 * line says:
 *   expect clean           no violation; under dfs the search is exhaustive
 *   expect violation KIND  the first violation is of kind KIND, and its token
 *                          replays to that kind
 *
 * Every file is checked in a forked worker of its own, at most J at once:
 * the switches a file turns on and the lock-order graph of its run never
 * reach another file, so a file is checked exactly as `hmmsim explore FILE`
 * explores it.  A worker sends its result back through a temporary file; the
 * parent prints the results in the files' order, so the output does not
 * depend on J (only the times do).
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hmmsim/explore.h>
#include <hmmsim/scenario_file.h>

#include "check.h"
#include "cli_util.h"
#include "jobs.h"

void cli_explore_plan(const struct sim_scenario *file, struct sim_options *o, bool have_strategy,
		      bool have_iter)
{
	struct hs_scenario_plan plan = {0};

	if (file)
		hs_scenario_plan(file, &plan);
	if (!have_strategy && plan.expect_given) {
		o->strategy = plan.strategy;
		if (plan.strategy == SIM_STRATEGY_DFS)
			o->dfs_preemptions = plan.preemptions;
		if (plan.pct_depth)
			o->pct_depth = plan.pct_depth;
		if (!have_iter && plan.iterations) {
			o->iterations = plan.iterations;
			have_iter = true;
		}
	}
	if (!have_iter)
		o->iterations = o->strategy == SIM_STRATEGY_DPOR  ? UINT64_MAX
				: o->strategy == SIM_STRATEGY_DFS ? 10000000
								  : 10000;
}

enum check_status { CHECK_PASS, CHECK_FAIL, CHECK_ERROR };
static const char *const status_name[] = {"pass", "fail", "error"};

/* One file's outcome, as a worker sends it to the parent. */
struct check_res {
	enum check_status status;
	char expected[48]; /* "clean" or "violation KIND" */
	char got[48];	   /* the same, or "clean, not exhaustive" */
	char strategy[16];
	char plan[64]; /* the exploration, as the result line shows it */
	char mode[12]; /* "exhaustive", "stopped" (dfs) or "sampled" */
	uint64_t executions;
	double elapsed_s;
	bool replayed; /* the violation's token replays to its kind */
	/* malloc'd, NULL when absent (the order is the wire order) */
	char *why;  /* what did not hold, when "got" does not say it */
	char *kind; /* the first violation's */
	char *message;
	char *schedule;
	char *replay; /* its replay command */
	char *report;
	char *error; /* CHECK_ERROR: one line, "FILE:LINE:COL: ..." for a bad file */
};
#define CHECK_NR_STRS 7

static char **res_strs(struct check_res *r, unsigned int i)
{
	char **s[CHECK_NR_STRS] = {&r->why,    &r->kind,   &r->message, &r->schedule,
				   &r->replay, &r->report, &r->error};
	return s[i];
}

static void res_free(struct check_res *r)
{
	for (unsigned int i = 0; i < CHECK_NR_STRS; i++)
		free(*res_strs(r, i));
}

static char *xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		abort();
	return d;
}

static __attribute__((format(printf, 1, 2))) char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static void describe_plan(const struct sim_options *o, const struct sim_result *res,
			  struct check_res *r)
{
	snprintf(r->strategy, sizeof(r->strategy), "%s", sim_strategy_name(o->strategy));
	if (o->strategy == SIM_STRATEGY_DFS) {
		snprintf(r->plan, sizeof(r->plan), "dfs, at most %u preemption%s",
			 o->dfs_preemptions, cli_plural(o->dfs_preemptions));
		snprintf(r->mode, sizeof(r->mode), "%s", res->exhausted ? "exhaustive" : "stopped");
	} else if (o->strategy == SIM_STRATEGY_DPOR) {
		if (o->iterations == UINT64_MAX)
			snprintf(r->plan, sizeof(r->plan), "dpor, every execution");
		else
			snprintf(r->plan, sizeof(r->plan), "dpor, at most %llu executions",
				 (unsigned long long)o->iterations);
		snprintf(r->mode, sizeof(r->mode), "%s", res->exhausted ? "exhaustive" : "stopped");
	} else {
		if (o->strategy == SIM_STRATEGY_PCT)
			snprintf(r->plan, sizeof(r->plan), "pct depth %u, budget %llu",
				 o->pct_depth, (unsigned long long)o->iterations);
		else
			snprintf(r->plan, sizeof(r->plan), "random, budget %llu",
				 (unsigned long long)o->iterations);
		snprintf(r->mode, sizeof(r->mode), "sampled");
	}
}

/* Whether @v's token replays, under @o's oracles, to a violation of its kind. */
static void check_replay(const struct sim_scenario *sc, const struct sim_options *o,
			 const struct sim_violation *v, struct check_res *r)
{
	struct sim_options ro = *o;
	struct sim_result rr;

	ro.strategy = SIM_STRATEGY_REPLAY;
	ro.schedule = v->schedule;
	if (sim_explore(sc, &ro, &rr))
		r->why = xprintf("its token does not replay: %s", rr.error);
	else if (!rr.violations_found)
		r->why = xstrdup("its token replays without a violation");
	else if (strcmp(rr.reports[0].kind, v->kind))
		r->why = xprintf("its token replays to violation %s", rr.reports[0].kind);
	else
		r->replayed = true;
	sim_result_free(&rr);
	if (!r->replayed)
		r->status = CHECK_FAIL;
}

/* Explore scenario file @sc as its plan says and compare with its expect line. */
static void check_scenario(const char *path, const struct sim_scenario *sc, struct check_res *r)
{
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_PCT,
	    .seed = 1,
	    .pct_depth = SIM_DEFAULT_PCT_DEPTH,
	    .dfs_preemptions = 2,
	};
	struct sim_result res;

	cli_explore_plan(sc, &o, false, false);
	if (sim_explore(sc, &o, &res)) {
		r->status = CHECK_ERROR;
		r->error = xprintf("%s: %s", path, res.error);
		sim_result_free(&res);
		return;
	}
	describe_plan(&o, &res, r);
	r->executions = res.executions;
	if (o.strategy == SIM_STRATEGY_DPOR && res.probe_found) { /* before the unbounded tree */
		r->executions = res.probe_executions;
		snprintf(r->plan, sizeof(r->plan), "dpor, its probe round at %u preemption%s",
			 res.probe_bound, cli_plural(res.probe_bound));
	}
	if (res.violations_found && res.nr_reports) {
		const struct sim_violation *v = &res.reports[0];
		snprintf(r->got, sizeof(r->got), "violation %s", v->kind);
		r->kind = xstrdup(v->kind);
		r->message = xstrdup(v->message);
		r->schedule = xstrdup(v->schedule);
		r->replay = cli_replay_cmd(path, v->schedule, &o, NULL, 0);
		r->report = xstrdup(v->report);
	} else if ((o.strategy == SIM_STRATEGY_DFS || o.strategy == SIM_STRATEGY_DPOR) &&
		   !res.exhausted) {
		snprintf(r->got, sizeof(r->got), "clean, not exhaustive");
	} else {
		snprintf(r->got, sizeof(r->got), "clean");
	}
	r->status = strcmp(r->expected, r->got) ? CHECK_FAIL : CHECK_PASS;
	if (r->status == CHECK_PASS && r->kind)
		check_replay(sc, &o, &res.reports[0], r);
	sim_result_free(&res);
}

/* A worker's whole job: file @path into @r. */
static void check_file(const char *path, struct check_res *r)
{
	struct sim_scenario *sc;
	struct hs_scenario_plan plan;
	char err[512];
	double t0 = cli_now_s();

	if (hs_scenario_load(path, &sc, err, sizeof(err))) {
		r->status = CHECK_ERROR;
		r->error = xstrdup(err);
		return;
	}
	hs_scenario_plan(sc, &plan);
	if (!plan.expect_given) {
		r->status = CHECK_ERROR;
		r->error = xprintf("%s: no expect line (check wants expect clean or expect "
				   "violation KIND)",
				   path);
	} else {
		snprintf(r->expected, sizeof(r->expected), "%s%s",
			 sc->expect ? "violation " : "clean", sc->expect ? sc->expect : "");
		check_scenario(path, sc, r);
	}
	hs_scenario_free(sc);
	r->elapsed_s = cli_now_s() - t0;
}

/* The wire format: the struct (its pointers meaningless), then each string as
 * its length (UINT32_MAX for NULL) and bytes. */
static bool res_write(FILE *f, struct check_res *r)
{
	fwrite(r, sizeof(*r), 1, f);
	for (unsigned int i = 0; i < CHECK_NR_STRS; i++) {
		const char *s = *res_strs(r, i);
		uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
		fwrite(&n, sizeof(n), 1, f);
		if (s)
			fwrite(s, 1, n, f);
	}
	return fflush(f) == 0 && !ferror(f);
}

static bool res_read(FILE *f, struct check_res *r)
{
	bool ok;

	rewind(f);
	ok = fread(r, sizeof(*r), 1, f) == 1;
	for (unsigned int i = 0; i < CHECK_NR_STRS; i++) {
		uint32_t n = UINT32_MAX;
		char **s = res_strs(r, i);
		*s = NULL;
		if (!ok || fread(&n, sizeof(n), 1, f) != 1) {
			ok = false;
			continue;
		}
		if (n == UINT32_MAX)
			continue;
		*s = malloc((size_t)n + 1);
		if (!*s)
			abort();
		ok = fread(*s, 1, n, f) == n;
		(*s)[n] = 0;
	}
	return ok;
}

struct check_item {
	const char *path;
	FILE *tmp;
	pid_t pid;
	bool done;
	struct check_res r;
};

static void item_error(struct check_item *it, const char *what, const char *detail)
{
	memset(&it->r, 0, sizeof(it->r));
	it->r.status = CHECK_ERROR;
	it->r.error = xprintf("%s: %s%s", it->path, what, detail);
	it->done = true;
}

/* Fork @it's worker; false (and @it done, as an error) when that fails. */
static bool item_start(struct check_item *it)
{
	it->tmp = tmpfile();
	if (!it->tmp) {
		item_error(it, "cannot create a temporary file: ", strerror(errno));
		return false;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t parent = getpid();
	it->pid = fork();
	if (it->pid < 0) {
		item_error(it, "cannot fork: ", strerror(errno));
		fclose(it->tmp);
		return false;
	}
	if (it->pid == 0) {
		struct check_res r = {0};
		/* never outlive the parent: a signal that ends it (its handler
		 * does not wait for the workers) left them running, orphans */
		if (!cli_tie_to_parent(parent))
			_exit(3);
		check_file(it->path, &r);
		_exit(res_write(it->tmp, &r) ? 0 : 3);
	}
	return true;
}

static void item_collect(struct check_item *it, int wstatus)
{
	char why[64];

	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 && res_read(it->tmp, &it->r)) {
		it->done = true;
	} else {
		if (WIFSIGNALED(wstatus))
			snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(wstatus));
		else
			snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(wstatus));
		res_free(&it->r);
		item_error(it, "the worker checking it ended: ", why);
	}
	fclose(it->tmp);
}

static void print_result(const struct check_item *it)
{
	const struct check_res *r = &it->r;

	if (r->status == CHECK_ERROR) {
		printf("ERROR %s\n", r->error);
		return;
	}
	printf("%-5s %s: expected %s, got %s%s; %llu execution%s, %s (%s); %.2f s\n",
	       r->status == CHECK_PASS ? "ok" : "FAIL", it->path, r->expected, r->got,
	       r->replayed ? " (token replays)" : "", (unsigned long long)r->executions,
	       r->executions == 1 ? "" : "s", r->mode, r->plan, r->elapsed_s);
	if (r->status == CHECK_PASS)
		return;
	if (r->why)
		printf("      %s\n", r->why);
	if (r->kind)
		printf("      %s: %s\n      replay: %s\n", r->kind, r->message, r->replay);
}

/* Run the @n items, at most @jobs at once; print each result (unless @quiet)
 * once those before it are printed.  Return: 0, or -1 when waiting failed. */
static int run_items(struct check_item *items, unsigned int n, unsigned int jobs, bool quiet)
{
	unsigned int next = 0, running = 0, printed = 0;

	for (;;) {
		while (running < jobs && next < n)
			if (item_start(&items[next++]))
				running++;
		for (; printed < n && items[printed].done; printed++)
			if (!quiet)
				print_result(&items[printed]);
		if (!running)
			return 0;
		int ws;
		pid_t pid = waitpid(-1, &ws, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hmmsim: check: waitpid: %s\n", strerror(errno));
			return -1;
		}
		for (unsigned int k = 0; k < next; k++)
			if (!items[k].done && items[k].pid == pid) {
				item_collect(&items[k], ws);
				running--;
				break;
			}
	}
}

static void json_str_or_null(const char *key, const char *s)
{
	printf(",\"%s\":", key);
	if (s)
		cli_json_str(stdout, s);
	else
		printf("null");
}

static void print_json(const struct check_item *items, unsigned int n, const unsigned int *count)
{
	printf("{\"passed\":%u,\"failed\":%u,\"errors\":%u,\"results\":[", count[CHECK_PASS],
	       count[CHECK_FAIL], count[CHECK_ERROR]);
	for (unsigned int i = 0; i < n; i++) {
		const struct check_res *r = &items[i].r;
		printf("%s{\"file\":", i ? "," : "");
		cli_json_str(stdout, items[i].path);
		printf(",\"status\":\"%s\"", status_name[r->status]);
		if (r->status == CHECK_ERROR) {
			json_str_or_null("error", r->error);
			printf("}");
			continue;
		}
		printf(
		    ",\"expected\":\"%s\",\"got\":\"%s\",\"executions\":%llu,\"strategy\":\"%s\","
		    "\"mode\":\"%s\",\"elapsed_s\":%.6f",
		    r->expected, r->got, (unsigned long long)r->executions, r->strategy, r->mode,
		    r->elapsed_s);
		json_str_or_null("why", r->why);
		printf(",\"violation\":");
		if (r->kind) {
			printf("{\"kind\":");
			cli_json_str(stdout, r->kind);
			printf(",\"message\":");
			cli_json_str(stdout, r->message);
			printf(",\"schedule\":");
			cli_json_str(stdout, r->schedule);
			printf(",\"replay\":");
			cli_json_str(stdout, r->replay);
			printf(",\"replays\":%s}", r->replayed ? "true" : "false");
		} else {
			printf("null");
		}
		printf("}");
	}
	printf("],");
	cli_json_version(stdout);
	printf("}\n");
}

/* @jf: opened before the files ran (cli_outfile_open()). */
static int write_junit(struct cli_outfile *jf, const struct check_item *items, unsigned int n,
		       const unsigned int *count, double elapsed_s)
{
	FILE *f = jf->f;

	cli_junit_begin(f, "hmmsim.check", n, count[CHECK_FAIL] + count[CHECK_ERROR], elapsed_s);
	for (unsigned int i = 0; i < n; i++) {
		const struct check_res *r = &items[i].r;
		char msg[160], out[256];
		cli_junit_case_begin(f, "hmmsim.check", items[i].path, r->elapsed_s);
		if (r->status == CHECK_ERROR) {
			cli_junit_failure(f, "error", r->error, NULL, NULL);
			cli_junit_case_end(f, NULL);
			continue;
		}
		snprintf(out, sizeof(out), "expected %s, got %s%s; %llu execution%s, %s (%s)",
			 r->expected, r->got, r->replayed ? " (token replays)" : "",
			 (unsigned long long)r->executions, r->executions == 1 ? "" : "s", r->mode,
			 r->plan);
		if (r->status == CHECK_FAIL) {
			snprintf(msg, sizeof(msg), "expected %s, got %s", r->expected, r->got);
			char *text =
			    r->replay ? xprintf("%s\nreplay: %s\n", r->message, r->replay) : NULL;
			cli_junit_failure(f, "expectation", r->why ? r->why : msg, text, r->report);
			free(text);
		}
		cli_junit_case_end(f, out);
	}
	cli_junit_end(f);
	return cli_outfile_commit(jf) ? -1 : 0;
}

static int check_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "hmmsim: check: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see hmmsim --help)\n");
	return 2;
}

int cmd_check(int argc, char **argv)
{
	const char *junit = NULL;
	bool json = false;
	unsigned int jobs = 1, n = 0, count[3] = {0};
	uint64_t v;
	struct check_item *items = calloc((size_t)argc + 1, sizeof(*items));

	if (!items)
		abort();
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--junit") == 0) {
			if (!val || !*val)
				return free(items), check_usage("%s wants a file name", a);
			junit = argv[++i];
		} else if (strcmp(a, "--jobs") == 0) {
			if (!cli_parse_u64(val, &v) || v < 1 || v > CLI_JOBS_MAX)
				return free(items),
				       check_usage(
					   "--jobs wants a number of workers, 1..256, not '%s'",
					   val ? val : "");
			jobs = (unsigned int)v;
			i++;
		} else if (a[0] == '-' && a[1]) {
			return free(items), check_usage("unknown option '%s'", a);
		} else {
			items[n++].path = a;
		}
	}
	if (!n)
		return free(items), check_usage("%s", "needs scenario files (FILE.hsc...)");

	struct cli_outfile jf = {0};
	for (unsigned int i = 0; i < n; i++)
		cli_outfile_input(items[i].path); /* --junit must not replace one */
	if (junit && cli_outfile_open(&jf, junit))
		return free(items), 2;
	double t0 = cli_now_s();
	int ret = run_items(items, n, jobs, json);
	for (unsigned int i = 0; i < n; i++) {
		if (!items[i].done)
			item_error(&items[i], "not checked", "");
		count[items[i].r.status]++;
		if (items[i].r.status == CHECK_ERROR)
			fprintf(stderr, "hmmsim: %s\n", items[i].r.error);
	}
	if (json)
		print_json(items, n, count);
	else
		printf("%u passed, %u failed\n", count[CHECK_PASS],
		       count[CHECK_FAIL] + count[CHECK_ERROR]);
	if (junit && write_junit(&jf, items, n, count, cli_now_s() - t0))
		ret = -1;
	for (unsigned int i = 0; i < n; i++)
		res_free(&items[i].r);
	free(items);
	if (ret || count[CHECK_ERROR])
		return 2;
	return count[CHECK_FAIL] ? 1 : 0;
}
