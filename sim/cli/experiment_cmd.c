// SPDX-License-Identifier: MIT
/*
 * hmmsim experiment owner [--json] [--iterations N] [--seed S] [--no-races]
 * [--kernel VERSION]:
 * the owner-field design lab (docs/owner-semantics.md).  Every scenario of
 * lab/experiment.c under every owner policy (and the table's variants),
 * explored with PCT: the first violation's kind (or clean), the executions
 * it took, and the owner and P2P counters summed over those executions.
 * Policies are named as the command line takes them (SCENARIO@POLICY,
 * "cluster-id:4"); a violation cell's message and replay command are in the
 * JSON, and in the text with --tokens.
 */
#include <errno.h>
#include <hmmsim/catalog.h>
#include <hmmsim/experiment.h>
#include <hmmsim/hmm.h>
#include <hmmsim/switches.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "html.h"

int cmd_experiment(int argc, char **argv);

/* --html: the cell whose run's first violation is kept for the page. */
static struct html_cell *html_keep;

int hs_owner_experiment_run(const struct sim_scenario *sc, const struct hs_owner_config *cfg,
			    uint64_t iterations, uint64_t seed, bool no_races,
			    struct hs_owner_experiment_result *res)
{
	const struct sim_options o = {
	    .strategy = SIM_STRATEGY_PCT,
	    .seed = seed,
	    .iterations = iterations,
	    .brief = true,
	    .no_races = no_races,
	};
	return hs_owner_experiment_explore(sc, cfg, &o, res);
}

int hs_owner_experiment_explore(const struct sim_scenario *sc, const struct hs_owner_config *cfg,
				const struct sim_options *opt,
				struct hs_owner_experiment_result *res)
{
	enum hs_owner_policy old_policy = hs_owner_policy;
	unsigned int old_bits = hs_owner_id_bits, old_flags = hs_owner_flags;
	struct sim_options o = *opt;
	struct sim_result r;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!hs_owner_policy_implemented(cfg->policy)) {
		snprintf(res->error, sizeof(res->error), "owner policy %s: unknown",
			 hs_owner_policy_name(cfg->policy));
		return -EOPNOTSUPP;
	}
	hs_owner_policy = cfg->policy;
	hs_owner_id_bits = cfg->id_bits;
	hs_owner_flags = cfg->flags;
	memset(&hs_owner_stats, 0, sizeof(hs_owner_stats));
	memset(&hs_p2p_stats, 0, sizeof(hs_p2p_stats));
	memset(&hs_owner_lab_p2p, 0, sizeof(hs_owner_lab_p2p));
	ret = hs_cell_explore(sc, &o, &r);
	hs_owner_policy = old_policy;
	hs_owner_id_bits = old_bits;
	hs_owner_flags = old_flags;
	/* the last execution's counters: no later hs_machine_init() added them */
	{
		unsigned long *from = (unsigned long *)&hs_p2p_stats,
			      *to = (unsigned long *)&hs_owner_lab_p2p;
		for (size_t i = 0; i < sizeof(hs_p2p_stats) / sizeof(unsigned long); i++)
			to[i] += from[i];
		memset(&hs_p2p_stats, 0, sizeof(hs_p2p_stats));
	}
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", sc->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	res->found = r.violations_found > 0;
	/* found: the executions it took, dpor's probe rounds included */
	res->executions = r.executions + (res->found ? r.probe_executions : 0);
	/* (--deepen: exhausted only when its last round left nothing out) */
	res->exhausted = r.exhausted && (!o.dpor_deepen || r.whole_tree);
	res->bound_covered = r.bound_completed;
	res->unfair_cut = r.unfair_cut;
	res->estimated_total = r.estimated_total;
	res->seconds = r.elapsed_s;
	if (r.nr_reports) {
		snprintf(res->kind, sizeof(res->kind), "%s", r.reports[0].kind);
		snprintf(res->message, sizeof(res->message), "%s", r.reports[0].message);
		if (strlen(r.reports[0].schedule) < sizeof(res->schedule))
			snprintf(res->schedule, sizeof(res->schedule), "%s", r.reports[0].schedule);
	}
	res->owner = hs_owner_stats;
	res->p2p = hs_owner_lab_p2p;
	if (html_keep)
		html_cell_take(html_keep, &r);
	sim_result_free(&r);
	return 0;
}

static double per_page(unsigned long n, unsigned long pages)
{
	return pages ? (double)n / (double)pages : 0.0;
}

/* How the run was made: what a violation cell's replay command repeats,
 * and --exhaustive's budget. */
struct exp_run {
	bool json, tokens, no_races;
	const char *kernel;
	uint64_t iterations, seed; /* pct: the run, or --exhaustive's fallback */
	bool exhaustive;
	uint64_t budget;    /* --exhaustive: dpor executions per cell */
	double seconds;	    /* --cell-budget SECONDSs (0: none) */
	unsigned int width; /* --width: the text table's columns (0: no limit) */
};

/* The cells to run: --policy and --scenario, else every row and scenario. */
#define EXP_MAX 64
struct exp_sel {
	const struct hs_owner_config *cfgs[EXP_MAX];
	const struct sim_scenario *scs[EXP_MAX];
	size_t ncfg, nsc;
};

/* The replay command of a violation cell (malloc'd), or NULL without a token. */
static char *cell_replay(const char *cli_name, const char *scenario,
			 const struct hs_owner_experiment_result *r, const struct exp_run *x)
{
	const struct sim_options o = {.no_races = x->no_races};
	const char *sw[64];
	unsigned int nsw = 0;
	char shown[128];

	if (!r->found || !r->schedule[0])
		return NULL;
	if (x->kernel) {
		const char *const *names = hs_switch_names();
		for (size_t i = 0; names[i] && nsw < 64; i++)
			if (hs_kernel_switch_on(x->kernel, names[i]))
				sw[nsw++] = names[i];
	}
	snprintf(shown, sizeof(shown), "%s@%s", scenario, cli_name);
	return cli_replay_cmd(shown, r->schedule, &o, sw, nsw);
}

/*
 * A cell's verdict: the violation's kind ("KIND (by pct)" under
 * --exhaustive when dpor did not reach it within the cell budget and the
 * cell's sampling strategy found it), or clean; under --exhaustive
 * "clean (exhaustive, N executions)" when dpor ran out of its tree, else
 * "clean (sampled, N executions)".
 */
static void cell_verdict(const struct hs_owner_experiment_result *r, const struct exp_run *x,
			 char *buf, size_t len)
{
	if (r->found)
		snprintf(buf, len, "%s%s", r->kind,
			 r->by_fallback ? " (by pct)"
			 : r->by_deepen ? " (by --deepen)"
					: "");
	else if (x->exhaustive)
		snprintf(buf, len, "clean (%s, %llu execution%s)",
			 r->exhausted ? "exhaustive" : "sampled", (unsigned long long)r->executions,
			 cli_plural(r->executions));
	else
		snprintf(buf, len, "clean");
}

/* Which run decided the cell (JSON "by", HTML): pct, dpor --deepen, or dpor. */
static const char *cell_by(const struct hs_owner_experiment_result *r)
{
	return r->by_fallback ? "pct" : r->by_deepen ? "deepen" : "dpor";
}

/* The JSON cell's "clean": exhaustive, sampled, or no (a violation). */
static const char *cell_clean(const struct hs_owner_experiment_result *r)
{
	return r->found ? "no" : r->exhausted ? "exhaustive" : "sampled";
}

/* The counter columns of the text table, after policy, scenario and verdict. */
static const struct {
	const char *head;
	int width;
} text_cols[] = {
    {"execs", 6}, {"cb", 6},  {"cb/pg", 5}, {"fallb", 5}, {"migr", 5},	{"ebusy", 5}, {"locks", 5},
    {"lk/pg", 5}, {"chg", 5}, {"inval", 5}, {"evict", 5}, {"rereg", 5}, {"ids", 5},
};
#define NR_TEXT_COLS (sizeof(text_cols) / sizeof(text_cols[0]))

/* The verdict column: "clean (exhaustive, N executions)" fits under --exhaustive. */
static int verdict_width(const struct exp_run *x)
{
	char buf[80];

	if (!x->exhaustive)
		return 12;
	snprintf(buf, sizeof(buf), "clean (exhaustive, %llu executions)",
		 x->seconds ? 99999999ull : (unsigned long long)x->budget);
	return (int)strlen(buf);
}

/* How many counter columns fit --width (policy, scenario, verdict always shown). */
static size_t text_ncols(const struct exp_run *x)
{
	size_t w = 20 + 1 + 22 + 1 + (size_t)verdict_width(x), n = 0;

	while (n < NR_TEXT_COLS && (!x->width || w + 1 + (size_t)text_cols[n].width <= x->width))
		w += 1 + (size_t)text_cols[n++].width;
	return n;
}

/* A line of the text table: @vals[] the counter columns (NULL: the heads). */
static void text_row(const char *policy, const char *scenario, const char *verdict,
		     const char (*vals)[24], const struct exp_run *x)
{
	size_t n = text_ncols(x);

	printf("%-20s %-22s %-*s", policy, scenario, n ? verdict_width(x) : 0, verdict);
	for (size_t i = 0; i < n; i++)
		printf(" %*s", text_cols[i].width, vals ? vals[i] : text_cols[i].head);
	printf("\n");
}

/* One cell's row of the text table (policy @cli_name, @scenario). */
static void text_cell(const char *cli_name, const char *scenario,
		      const struct hs_owner_experiment_result *r, const struct exp_run *x,
		      const char *cmd)
{
	const struct hs_p2p_stats *p = &r->p2p;
	char v[NR_TEXT_COLS][24], verdict[160];
	/* the columns of text_cols[]; execs, cb/pg and lk/pg (0, 2, 7) set below */
	const unsigned long n[NR_TEXT_COLS] = {0,
					       p->callbacks,
					       0,
					       p->fallbacks,
					       p->migrations,
					       p->ebusy,
					       p->lock_acquisitions,
					       0,
					       r->owner.changes,
					       r->owner.invalidations,
					       r->owner.evictions,
					       r->owner.reregisters,
					       r->owner.ids};

	for (size_t i = 1; i < NR_TEXT_COLS; i++)
		snprintf(v[i], sizeof(v[i]), "%lu", n[i]);
	snprintf(v[0], sizeof(v[0]), "%llu", (unsigned long long)r->executions);
	snprintf(v[2], sizeof(v[2]), "%.3f", per_page(p->callbacks, p->pages));
	snprintf(v[7], sizeof(v[7]), "%.3f", per_page(p->lock_acquisitions, p->pages));
	cell_verdict(r, x, verdict, sizeof(verdict));
	text_row(cli_name, scenario, verdict, (const char(*)[24])v, x);
	if (r->found && x->tokens)
		printf("    %s\n    replay: %s\n", r->message, cmd ? cmd : "(token too long)");
	if (!r->found && r->deepened && !r->exhausted && r->bound_covered >= 0)
		printf("    dpor --deepen: clean for every schedule with at most %d preemption%s "
		       "(%llu execution%s)\n",
		       r->bound_covered, cli_plural((unsigned long long)r->bound_covered),
		       (unsigned long long)r->deepen_executions, cli_plural(r->deepen_executions));
	else if (!r->found && r->deepened && !r->exhausted)
		printf("    dpor --deepen: no preemption bound covered in %llu execution%s\n",
		       (unsigned long long)r->deepen_executions, cli_plural(r->deepen_executions));
}

/* --exhaustive: the JSON cell's members after "counters". */
static void json_exhaustive(const struct hs_owner_experiment_result *r)
{
	printf(",\"exhausted\":%s,\"clean\":\"%s\",\"by\":\"%s\",\"dpor_executions\":%llu,"
	       "\"unfair_cut\":%llu,\"estimated_total\":%.6g,\"fallback_executions\":%llu,"
	       "\"seconds\":%.6f",
	       r->exhausted ? "true" : "false", cell_clean(r), cell_by(r),
	       (unsigned long long)r->dpor_executions, (unsigned long long)r->unfair_cut,
	       r->estimated_total, (unsigned long long)r->fallback_executions, r->seconds);
	if (r->deepened && !r->exhausted)
		cli_bound_json(stdout, "", r->bound_covered, r->deepen_executions);
}

/* One cell's JSON object (policy @name, @scenario), after a comma unless @first. */
static void json_cell(const char *name, const struct hs_owner_config *cfg, const char *scenario,
		      const struct hs_owner_experiment_result *r, const struct exp_run *x,
		      const char *cmd, bool first)
{
	const struct hs_p2p_stats *p = &r->p2p;

	printf("%s{\"policy\":", first ? "" : ",");
	cli_json_str(stdout, name);
	printf(",\"base_policy\":\"%s\",\"id_bits\":%u,\"scenario\":",
	       hs_owner_policy_name(cfg->policy), cfg->id_bits);
	cli_json_str(stdout, scenario);
	printf(",\"violation\":");
	if (r->found)
		cli_json_str(stdout, r->kind);
	else
		printf("null");
	if (r->found) {
		printf(",\"message\":");
		cli_json_str(stdout, r->message);
		printf(",\"replay\":");
		if (cmd)
			cli_json_str(stdout, cmd);
		else
			printf("null");
	}
	printf(",\"executions\":%llu,\"counters\":{\"executions\":%llu,"
	       "\"callbacks\":%lu,\"pages\":%lu,"
	       "\"callbacks_per_faulted_page\":%.4f,\"p2p_pfns\":%lu,"
	       "\"fallbacks\":%lu,\"map_failures\":%lu,\"migrations\":%lu,"
	       "\"ebusy\":%lu,\"lock_acquisitions\":%lu,"
	       "\"lock_acquisitions_per_page\":%.4f,"
	       "\"owner_changes\":%lu,\"invalidations\":%lu,"
	       "\"evictions\":%lu,\"reregisters\":%lu,\"ids\":%lu,"
	       "\"migrate_callbacks\":%lu,\"migrate_allowed\":%lu,"
	       "\"moves_dev_to_dev\":%lu,\"moves_ram_to_dev\":%lu,"
	       "\"moves_dev_to_ram\":%lu}",
	       (unsigned long long)r->executions, (unsigned long long)r->executions, p->callbacks,
	       p->pages, per_page(p->callbacks, p->pages), p->p2p_pfns, p->fallbacks,
	       p->map_failures, p->migrations, p->ebusy, p->lock_acquisitions,
	       per_page(p->lock_acquisitions, p->pages), r->owner.changes, r->owner.invalidations,
	       r->owner.evictions, r->owner.reregisters, r->owner.ids, p->migrate_callbacks,
	       p->migrate_allowed, p->moves_dev_to_dev, p->moves_ram_to_dev, p->moves_dev_to_ram);
	if (x->exhaustive)
		json_exhaustive(r);
	printf("}");
}

/* One cell of the table (policy @name, @scenario), or its JSON object. */
static void print_cell(const char *name, const struct hs_owner_config *cfg, const char *scenario,
		       const struct hs_owner_experiment_result *r, const struct exp_run *x,
		       bool first)
{
	char cli_name[48], *slash;

	/* as SCENARIO@POLICY takes it: ':' for '/' */
	snprintf(cli_name, sizeof(cli_name), "%s", name);
	while ((slash = strchr(cli_name, '/')))
		*slash = ':';
	char *cmd = cell_replay(cli_name, scenario, r, x);
	if (x->json)
		json_cell(name, cfg, scenario, r, x, cmd, first);
	else
		text_cell(cli_name, scenario, r, x, cmd);
	free(cmd);
}

/* A later phase's run @later (pct, dpor --deepen) found the cell's
 * violation: it is the cell's result now, with the figures of the phases
 * before it (dpor's executions and estimate, pct's, the time of all). */
static void later_decides(struct hs_owner_experiment_result *res,
			  struct hs_owner_experiment_result *later)
{
	later->dpor_executions = res->dpor_executions;
	later->fallback_executions = res->fallback_executions;
	later->estimated_total = res->estimated_total;
	later->unfair_cut = res->unfair_cut;
	later->seconds = res->seconds;
	*res = *later;
}

/*
 * --exhaustive, a cell still clean after dpor and pct: dpor --deepen in a
 * budget as large as the cell's (covering rounds of 0, 1, 2, ... preemptions,
 * docs/dpor.md "Iterative bounding"), for the bound under which it is clean
 * for every schedule.  A round that leaves nothing out makes the cell
 * exhaustive after all; a violation one finds is the cell's (by_deepen).
 */
static int deepen_cell(const struct sim_scenario *run, const struct hs_owner_config *cfg,
		       const struct sim_options *o, struct hs_owner_experiment_result *res)
{
	struct sim_options d = *o;
	struct hs_owner_experiment_result deep;

	d.dpor_deepen = true;
	int ret = hs_owner_experiment_explore(run, cfg, &d, &deep);
	if (ret) {
		memcpy(res->error, deep.error, sizeof(res->error));
		return ret;
	}
	res->deepened = true;
	res->bound_covered = deep.bound_covered;
	res->deepen_executions = deep.executions;
	res->seconds += deep.seconds;
	if (deep.exhausted) { /* every execution: the last round's */
		res->exhausted = true;
		res->executions = deep.executions;
	}
	if (!deep.found)
		return 0;
	deep.by_deepen = deep.deepened = true;
	deep.deepen_executions = deep.executions;
	later_decides(res, &deep);
	return 0;
}

/*
 * --exhaustive: cell @run under dpor within the cell budget.  When dpor
 * neither exhausted the cell's tree nor found a violation, the cell's
 * sampling strategy (pct, --iterations, --seed, as without --exhaustive)
 * runs after it, as catalog --exhaustive does for a bug dpor did not reach:
 * a violation it finds is the cell's (by_fallback), else the cell is clean,
 * sampled, with dpor's figures.  Return: 0 or -errno (@res->error says why).
 */
static int exhaustive_cell(const struct sim_scenario *run, const struct hs_owner_config *cfg,
			   const struct exp_run *x, struct hs_owner_experiment_result *res)
{
	const struct sim_options o = {
	    .strategy = SIM_STRATEGY_DPOR,
	    .seed = x->seed,
	    .iterations = x->budget,
	    .brief = true,
	    .no_races = x->no_races,
	};
	struct hs_owner_experiment_result alt;
	int ret = hs_owner_experiment_explore(run, cfg, &o, res);

	if (ret)
		return ret;
	res->dpor_executions = res->executions;
	if (res->found || res->exhausted)
		return 0;
	hs_catalog_cell_budget(0);
	ret = hs_owner_experiment_run(run, cfg, x->iterations, x->seed, x->no_races, &alt);
	hs_catalog_cell_budget(x->seconds);
	if (ret) {
		memcpy(res->error, alt.error, sizeof(res->error));
		return ret;
	}
	res->fallback_executions = alt.executions;
	res->seconds += alt.seconds;
	if (!alt.found)
		return deepen_cell(run, cfg, &o, res);
	alt.by_fallback = true;
	later_decides(res, &alt);
	return 0;
}

/* --html: cell @c of the run @r of @run (the SCENARIO@POLICY scenario, whose
 * tokens replay), its counters as the table has them. */
static void html_lab_cell(struct html_cell *c, const struct sim_scenario *run,
			  const struct hs_owner_experiment_result *r, const struct exp_run *x)
{
	const struct hs_p2p_stats *p = &r->p2p;

	c->ok = true;
	c->vclass = r->found ? "verdict-violation" : "verdict-clean";
	if (x->exhaustive) {
		if (!r->found)
			c->mark = r->exhausted ? "clean-exhaustive" : "clean-sampled";
		cell_verdict(r, x, c->verdict, sizeof(c->verdict));
	} else {
		snprintf(c->verdict, sizeof(c->verdict), "%s", r->found ? r->kind : "clean");
	}
	html_cell_counter(c, "execs", "%llu", (unsigned long long)r->executions);
	if (x->exhaustive) {
		html_cell_counter(c, "by", "%s", cell_by(r));
		html_cell_counter(c, "exhausted", "%s", r->exhausted ? "yes" : "no");
		if (r->deepened && !r->found && !r->exhausted)
			html_bound(c, r->bound_covered);
		html_cell_counter(c, "est.", "%.3g", r->estimated_total);
	}
	html_cell_counter(c, "cb", "%lu", p->callbacks);
	html_cell_counter(c, "cb/pg", "%.3f", per_page(p->callbacks, p->pages));
	html_cell_counter(c, "fallb", "%lu", p->fallbacks);
	html_cell_counter(c, "migr", "%lu", p->migrations);
	html_cell_counter(c, "ebusy", "%lu", p->ebusy);
	html_cell_counter(c, "locks", "%lu", p->lock_acquisitions);
	html_cell_counter(c, "lk/pg", "%.3f", per_page(p->lock_acquisitions, p->pages));
	html_cell_counter(c, "chg", "%lu", r->owner.changes);
	html_cell_counter(c, "inval", "%lu", r->owner.invalidations);
	html_cell_counter(c, "evict", "%lu", r->owner.evictions);
	html_cell_counter(c, "rereg", "%lu", r->owner.reregisters);
	html_cell_counter(c, "ids", "%lu", r->owner.ids);
	if (!r->found || !c->schedule)
		return;
	struct sim_options o = {.no_races = x->no_races};
	char *cmd = cli_replay_cmd(run->name, c->schedule, &o, NULL, 0);
	size_t len = strlen(cmd) + (x->kernel ? strlen(x->kernel) : 0) + 16;
	c->replay = malloc(len);
	c->how = malloc(64);
	if (!c->replay || !c->how)
		cli_oom("an HTML report's cell");
	snprintf(c->replay, len, "%s%s%s", cmd, x->kernel ? " --kernel " : "",
		 x->kernel ? x->kernel : "");
	snprintf(c->how, 64, "found in %llu executions%s", (unsigned long long)r->executions,
		 r->by_fallback ? " by pct" : "");
	free(cmd);
}

/* --html: open @path before the run, and the cells of @n (policy, scenario)
 * pairs and the policies' names; 0, or 2 when @path cannot be written. */
static int html_lab_open(struct cli_outfile *hf, const char *path, size_t n,
			 struct html_cell **cells, char (**names)[48])
{
	if (cli_outfile_open(hf, path))
		return 2;
	*cells = calloc(n + 1, sizeof(**cells));
	*names = calloc(n + 1, sizeof(**names));
	if (!*cells || !*names)
		cli_oom("the cells of an HTML report");
	return 0;
}

/* --html: the run's parameters, one line. */
static void html_lab_params(char *buf, size_t len, const struct exp_run *x)
{
	char budget[64];

	if (x->seconds)
		snprintf(budget, sizeof(budget), "%.0f s", x->seconds);
	else
		snprintf(budget, sizeof(budget), "%llu executions", (unsigned long long)x->budget);
	if (x->exhaustive)
		snprintf(buf, len,
			 "strategy dpor, cell budget %s; where dpor neither exhausted a cell nor "
			 "found a violation, pct after it (%llu iterations, seed %llu), then dpor "
			 "--deepen in a budget as large (bound: every schedule with at most that "
			 "many preemptions)%s%s%s; "
			 "counters summed over the executions of the run that decided",
			 budget, (unsigned long long)x->iterations, (unsigned long long)x->seed,
			 x->no_races ? ", no races" : "", x->kernel ? ", kernel " : "",
			 x->kernel ? x->kernel : "");
	else
		snprintf(buf, len,
			 "strategy pct, %llu iterations, seed %llu%s%s%s; counters summed over the "
			 "executions run",
			 (unsigned long long)x->iterations, (unsigned long long)x->seed,
			 x->no_races ? ", no races" : "", x->kernel ? ", kernel " : "",
			 x->kernel ? x->kernel : "");
}

/* --html: the matrix page into @hf (opened before the run), the cells
 * freed; 0, or 2. */
static int html_lab_write(struct cli_outfile *hf, struct html_cell *cells,
			  const struct exp_sel *sel, char (*names)[48], const struct exp_run *x)
{
	const char *rows[EXP_MAX], *cols[EXP_MAX];
	char params[512];

	for (size_t c = 0; c < sel->ncfg; c++)
		rows[c] = names[c];
	for (size_t sc = 0; sc < sel->nsc; sc++)
		cols[sc] = sel->scs[sc]->name;
	html_lab_params(params, sizeof(params), x);
	struct html_matrix m = {
	    .title = "hmmsim experiment owner",
	    .intro = x->exhaustive
			 ? "The owner-field lab (docs/owner-semantics.md): each pgmap->owner "
			   "policy against each lab scenario, explored with dpor; a cell's verdict "
			   "is the first violation's kind, or clean: exhaustive (every "
			   "interleaving) or sampled (dpor's budget ran out first)."
			 : "The owner-field lab (docs/owner-semantics.md): each pgmap->owner "
			   "policy against each lab scenario, explored with PCT; a cell's verdict "
			   "is the first violation's kind, or clean.",
	    .row_head = "policy",
	    .col_head = "scenario",
	    .rows = rows,
	    .cols = cols,
	    .nrows = sel->ncfg,
	    .ncols = sel->nsc,
	    .cells = cells,
	    .params = params,
	};
	html_matrix_page(hf->f, &m);
	for (size_t i = 0; i < sel->ncfg * sel->nsc; i++)
		html_cell_free(&cells[i]);
	free(cells);
	free(names);
	return cli_outfile_commit(hf) ? 2 : 0;
}

/* The JSON object's opening, or the table's head. */
static void print_head(const struct exp_run *x)
{
	if (!x->json) {
		if (x->kernel)
			printf("kernel %s\n", x->kernel);
		text_row("policy", "scenario", x->exhaustive ? "verdict" : "violation", NULL, x);
		return;
	}
	printf("{\"experiment\":\"owner\",");
	if (x->kernel)
		printf("\"kernel\":\"%s\",", x->kernel);
	if (x->exhaustive) {
		printf("\"strategy\":\"dpor\",\"cell_budget\":{");
		if (x->seconds)
			printf("\"seconds\":%.0f},", x->seconds);
		else
			printf("\"executions\":%llu},", (unsigned long long)x->budget);
		printf("\"fallback\":\"pct\",");
	} else {
		printf("\"strategy\":\"pct\",");
	}
	printf("\"iterations\":%llu,\"seed\":%llu,\"no_races\":%s,\"results\":[",
	       (unsigned long long)x->iterations, (unsigned long long)x->seed,
	       x->no_races ? "true" : "false");
}

/* --exhaustive, the text table's last lines (at most 80 columns): how many
 * cells of each kind, the budget. */
static void print_tally(const struct exp_run *x, const unsigned int tally[4])
{
	unsigned int cells = tally[0] + tally[1] + tally[2];
	printf("%u cell%s: %u clean (exhaustive), %u clean (sampled), %u violation%s (%u by pct)\n",
	       cells, cli_plural(cells), tally[0], tally[1], tally[2], cli_plural(tally[2]),
	       tally[3]);
	if (x->seconds)
		printf("dpor's budget per cell: %.0f s (timing: not deterministic)\n", x->seconds);
	else
		printf("dpor's budget per cell: %llu executions\n", (unsigned long long)x->budget);
	if (tally[1] || tally[3])
		printf("sampled, by pct: dpor neither exhausted the cell nor found a violation\n"
		       "within its budget; pct (%llu executions, seed %llu) ran after it\n",
		       (unsigned long long)x->iterations, (unsigned long long)x->seed);
	if (tally[1])
		printf("and where pct found nothing, dpor --deepen in a budget as large again:\n"
		       "the preemption bound under which the cell is clean for every schedule\n");
}

/* --policy NAME (':' or '/' between parts; the table's rows and the
 * ablations) or --scenario NAME (with or without "owner-") into @want;
 * 0, or 2 after saying it is unknown. */
static int select_arg(bool policy, const char *val, bool *want)
{
	size_t n;
	char buf[48];

	if (policy) {
		const struct hs_owner_config *cfgs = hs_owner_experiment_all_configs(&n);
		for (size_t i = 0; val && i < n; i++) {
			char *slash;
			hs_owner_config_name(&cfgs[i], buf, sizeof(buf));
			while ((slash = strchr(buf, '/')))
				*slash = ':';
			size_t k = 0;
			while (buf[k] && (val[k] == buf[k] || (buf[k] == ':' && val[k] == '/')))
				k++;
			if (!buf[k] && !val[k])
				return want[i] = true, 0;
		}
	} else {
		const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&n);
		for (size_t i = 0; val && i < n; i++)
			if (strcmp(scs[i]->name, val) == 0 ||
			    (strncmp(scs[i]->name, "owner-", 6) == 0 &&
			     strcmp(scs[i]->name + 6, val) == 0))
				return want[i] = true, 0;
	}
	fprintf(stderr, "hmmsim: no owner-lab %s '%s' (hmmsim list names them)\n",
		policy ? "policy" : "scenario", val ? val : "");
	return 2;
}

/* The cells @sel: those @want_cfg and @want_sc name, else the whole table. */
static void select_cells(const bool *want_cfg, const bool *want_sc, struct exp_sel *sel)
{
	size_t n, ntable;
	const struct hs_owner_config *cfgs = hs_owner_experiment_all_configs(&n);
	bool any = false;

	(void)hs_owner_experiment_configs(&ntable);
	for (size_t i = 0; i < n; i++)
		any |= want_cfg[i];
	for (size_t i = 0; i < n && sel->ncfg < EXP_MAX; i++)
		if (any ? want_cfg[i] : i < ntable)
			sel->cfgs[sel->ncfg++] = &cfgs[i];
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&n);
	any = false;
	for (size_t i = 0; i < n; i++)
		any |= want_sc[i];
	for (size_t i = 0; i < n && sel->nsc < EXP_MAX; i++)
		if (!any || want_sc[i])
			sel->scs[sel->nsc++] = scs[i];
}

/* A number for --iterations, --seed or --width: 0, or 2 after saying why. */
static int number_arg(const char *a, const char *val, struct exp_run *x)
{
	uint64_t v;

	if (strcmp(a, "--width") == 0) {
		if (!cli_parse_u64(val, &v) || v < 40 || v > 10000) {
			fprintf(stderr, "hmmsim: --width wants 40..10000 columns, not '%s'\n",
				val ? val : "");
			return 2;
		}
		x->width = (unsigned int)v;
		return 0;
	}
	if (!cli_parse_u64(val, &v) || (a[2] == 'i' && v == 0))
		return cli_bad_count(a, val);
	*(a[2] == 'i' ? &x->iterations : &x->seed) = v;
	return 0;
}

/* experiment owner's options (after "owner") into @x, the cells wanted,
 * --html's file; 0, or 2 after a one-line message. */
static int parse_args(int argc, char **argv, struct exp_run *x, bool *want_cfg, bool *want_sc,
		      const char **html)
{
	bool have_budget = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--json") == 0) {
			x->json = true;
		} else if (strcmp(a, "--no-races") == 0) {
			x->no_races = true;
		} else if (strcmp(a, "--tokens") == 0) {
			x->tokens = true;
		} else if (strcmp(a, "--exhaustive") == 0) {
			x->exhaustive = true;
		} else if (strcmp(a, "--html") == 0) {
			if (!val || !*val) {
				fprintf(stderr, "hmmsim: --html wants a file name\n");
				return 2;
			}
			*html = val;
			i++;
		} else if (strcmp(a, "--kernel") == 0) {
			/* every model switch as that release had it */
			bad = cli_kernel_set(val);
			x->kernel = val;
			i++;
		} else if (strcmp(a, "--cell-budget") == 0) {
			bad = hs_cell_budget_parse(val, &x->budget, &x->seconds);
			have_budget = true;
			i++;
		} else if (strcmp(a, "--policy") == 0 || strcmp(a, "--scenario") == 0) {
			bad = select_arg(a[2] == 'p', val, a[2] == 'p' ? want_cfg : want_sc);
			i++;
		} else if (strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0 ||
			   strcmp(a, "--width") == 0) {
			bad = number_arg(a, val, x);
			i++;
		} else {
			fprintf(stderr,
				"hmmsim: unknown experiment argument '%s' (see hmmsim --help)\n",
				a);
			return 2;
		}
		if (bad)
			return 2;
	}
	if (have_budget && !x->exhaustive) {
		fprintf(stderr, "hmmsim: --cell-budget goes with --exhaustive\n");
		return 2;
	}
	/* a time budget: dpor until the time is up, or exhausted */
	x->budget = hs_cell_executions(x->budget, x->seconds);
	return 0;
}

/* Run cell (@cfg, @sc) into @r; 0, or 2 after saying why not. */
static int run_cell(const struct hs_owner_config *cfg, const struct sim_scenario *sc,
		    const struct exp_run *x, char name[48], struct hs_owner_experiment_result *r,
		    struct html_cell *keep)
{
	char cell[128], *slash;

	hs_owner_config_name(cfg, name, 48);
	/* run as SCENARIO@POLICY (':' for '/'): the same executions, and tokens
	 * that `hmmsim replay SCENARIO@POLICY` takes */
	snprintf(cell, sizeof(cell), "%s@%s", sc->name, name);
	while ((slash = strchr(cell, '/')))
		*slash = ':';
	const struct sim_scenario *run = hs_owner_experiment_find(cell);
	html_keep = keep;
	int ret = x->exhaustive ? exhaustive_cell(run ? run : sc, cfg, x, r)
				: hs_owner_experiment_run(run ? run : sc, cfg, x->iterations,
							  x->seed, x->no_races, r);
	html_keep = NULL;
	if (ret) {
		fprintf(stderr, "hmmsim: experiment owner: %s\n", r->error);
		return 2;
	}
	if (keep)
		html_lab_cell(keep, run ? run : sc, r, x);
	return 0;
}

int cmd_experiment(int argc, char **argv)
{
	struct exp_run x = {.iterations = 2000, .seed = 1};
	bool want_cfg[EXP_MAX] = {0}, want_sc[EXP_MAX] = {0};
	const char *html = NULL;
	struct cli_outfile hf = {0};
	struct exp_sel sel = {0};
	unsigned int tally[4] = {0}; /* exhaustive, sampled, violations, by pct */

	if (argc < 1 || strcmp(argv[0], "owner")) {
		fprintf(stderr, "hmmsim: experiment wants 'owner' (see hmmsim --help)\n");
		return 2;
	}
	if (parse_args(argc, argv, &x, want_cfg, want_sc, &html))
		return 2;
	hs_catalog_cell_budget(x.seconds);
	select_cells(want_cfg, want_sc, &sel);

	struct html_cell *cells = NULL;
	char(*names)[48] = NULL;
	if (html && html_lab_open(&hf, html, sel.ncfg * sel.nsc, &cells, &names))
		return 2;
	print_head(&x);
	for (size_t c = 0; c < sel.ncfg; c++)
		for (size_t sc = 0; sc < sel.nsc; sc++) {
			struct hs_owner_experiment_result r;
			char name[48];
			if (run_cell(sel.cfgs[c], sel.scs[sc], &x, name, &r,
				     cells ? &cells[c * sel.nsc + sc] : NULL)) {
				cli_outfile_drop(&hf);
				return 2;
			}
			print_cell(name, sel.cfgs[c], sel.scs[sc]->name, &r, &x, c + sc == 0);
			if (names) {
				char *slash;
				snprintf(names[c], sizeof(names[c]), "%s", name);
				while ((slash = strchr(names[c], '/')))
					*slash = ':';
			}
			tally[r.found ? 2 : r.exhausted ? 0 : 1]++;
			tally[3] += r.by_fallback;
		}
	if (x.json) {
		printf("],");
		cli_json_version(stdout);
		printf("}\n");
	} else if (x.exhaustive) {
		print_tally(&x, tally);
	}
	return html ? html_lab_write(&hf, cells, &sel, names, &x) : 0;
}
