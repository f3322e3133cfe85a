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
	enum hs_owner_policy old_policy = hs_owner_policy;
	unsigned int old_bits = hs_owner_id_bits, old_flags = hs_owner_flags;
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_PCT,
	    .seed = seed,
	    .iterations = iterations,
	    .brief = true,
	    .no_races = no_races,
	};
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
	ret = sim_explore(sc, &o, &r);
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

/* How the run was made: what a violation cell's replay command repeats. */
struct exp_run {
	bool json, tokens, no_races;
	const char *kernel;
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

/* One cell of the table (policy @name, @scenario), or its JSON object. */
static void print_cell(const char *name, const struct hs_owner_config *cfg, const char *scenario,
		       const struct hs_owner_experiment_result *r, const struct exp_run *x,
		       bool first)
{
	const struct hs_p2p_stats *p = &r->p2p;
	char cli_name[48], *slash;

	/* as SCENARIO@POLICY takes it: ':' for '/' */
	snprintf(cli_name, sizeof(cli_name), "%s", name);
	while ((slash = strchr(cli_name, '/')))
		*slash = ':';
	char *cmd = cell_replay(cli_name, scenario, r, x);
	if (x->json) {
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
		       "\"moves_dev_to_ram\":%lu}}",
		       (unsigned long long)r->executions, (unsigned long long)r->executions,
		       p->callbacks, p->pages, per_page(p->callbacks, p->pages), p->p2p_pfns,
		       p->fallbacks, p->map_failures, p->migrations, p->ebusy, p->lock_acquisitions,
		       per_page(p->lock_acquisitions, p->pages), r->owner.changes,
		       r->owner.invalidations, r->owner.evictions, r->owner.reregisters,
		       r->owner.ids, p->migrate_callbacks, p->migrate_allowed, p->moves_dev_to_dev,
		       p->moves_ram_to_dev, p->moves_dev_to_ram);
	} else {
		printf("%-20s %-22s %-12s %6llu %6lu %5.3f %5lu %5lu %5lu %5lu "
		       "%5.3f %5lu %5lu %5lu %5lu %5lu\n",
		       cli_name, scenario, r->found ? r->kind : "clean",
		       (unsigned long long)r->executions, p->callbacks,
		       per_page(p->callbacks, p->pages), p->fallbacks, p->migrations, p->ebusy,
		       p->lock_acquisitions, per_page(p->lock_acquisitions, p->pages),
		       r->owner.changes, r->owner.invalidations, r->owner.evictions,
		       r->owner.reregisters, r->owner.ids);
		if (r->found && x->tokens)
			printf("    %s\n    replay: %s\n", r->message,
			       cmd ? cmd : "(token too long)");
	}
	free(cmd);
}

/* --html: cell @x of the run @r of @run (the SCENARIO@POLICY scenario, whose
 * tokens replay), its counters as the table has them. */
static void html_lab_cell(struct html_cell *x, const struct sim_scenario *run,
			  const struct hs_owner_experiment_result *r, bool no_races,
			  const char *kernel)
{
	const struct hs_p2p_stats *p = &r->p2p;

	x->ok = true;
	x->vclass = r->found ? "verdict-violation" : "verdict-clean";
	snprintf(x->verdict, sizeof(x->verdict), "%s", r->found ? r->kind : "clean");
	html_cell_counter(x, "execs", "%llu", (unsigned long long)r->executions);
	html_cell_counter(x, "cb", "%lu", p->callbacks);
	html_cell_counter(x, "cb/pg", "%.3f", per_page(p->callbacks, p->pages));
	html_cell_counter(x, "fallb", "%lu", p->fallbacks);
	html_cell_counter(x, "migr", "%lu", p->migrations);
	html_cell_counter(x, "ebusy", "%lu", p->ebusy);
	html_cell_counter(x, "locks", "%lu", p->lock_acquisitions);
	html_cell_counter(x, "lk/pg", "%.3f", per_page(p->lock_acquisitions, p->pages));
	html_cell_counter(x, "chg", "%lu", r->owner.changes);
	html_cell_counter(x, "inval", "%lu", r->owner.invalidations);
	html_cell_counter(x, "evict", "%lu", r->owner.evictions);
	html_cell_counter(x, "rereg", "%lu", r->owner.reregisters);
	html_cell_counter(x, "ids", "%lu", r->owner.ids);
	if (!r->found || !x->schedule)
		return;
	struct sim_options o = {.no_races = no_races};
	char *cmd = cli_replay_cmd(run->name, x->schedule, &o, NULL, 0);
	size_t len = strlen(cmd) + (kernel ? strlen(kernel) : 0) + 16;
	x->replay = malloc(len);
	x->how = malloc(64);
	if (!x->replay || !x->how)
		cli_oom("an HTML report's cell");
	snprintf(x->replay, len, "%s%s%s", cmd, kernel ? " --kernel " : "", kernel ? kernel : "");
	snprintf(x->how, 64, "found in %llu executions", (unsigned long long)r->executions);
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

/* --html: the matrix page into @hf (opened before the run), the cells
 * freed; 0, or 2. */
static int html_lab_write(struct cli_outfile *hf, struct html_cell *cells,
			  const struct sim_scenario *const *scs, size_t nsc, size_t ncfg,
			  char (*names)[48], uint64_t iterations, uint64_t seed, bool no_races,
			  const char *kernel)
{
	const char *rows[64], *cols[64];
	char params[256];

	for (size_t c = 0; c < ncfg && c < 64; c++)
		rows[c] = names[c];
	for (size_t sc = 0; sc < nsc && sc < 64; sc++)
		cols[sc] = scs[sc]->name;
	snprintf(params, sizeof(params),
		 "strategy pct, %llu iterations, seed %llu%s%s%s; counters summed over the "
		 "executions run",
		 (unsigned long long)iterations, (unsigned long long)seed,
		 no_races ? ", no races" : "", kernel ? ", kernel " : "", kernel ? kernel : "");
	struct html_matrix m = {
	    .title = "hmmsim experiment owner",
	    .intro = "The owner-field lab (docs/owner-semantics.md): each pgmap->owner "
		     "policy against each lab scenario, explored with PCT; a cell's verdict "
		     "is the first violation's kind, or clean.",
	    .row_head = "policy",
	    .col_head = "scenario",
	    .rows = rows,
	    .cols = cols,
	    .nrows = ncfg < 64 ? ncfg : 64,
	    .ncols = nsc < 64 ? nsc : 64,
	    .cells = cells,
	    .params = params,
	};
	html_matrix_page(hf->f, &m);
	for (size_t i = 0; i < ncfg * nsc; i++)
		html_cell_free(&cells[i]);
	free(cells);
	free(names);
	return cli_outfile_commit(hf) ? 2 : 0;
}

int cmd_experiment(int argc, char **argv)
{
	bool json = false, no_races = false, tokens = false;
	uint64_t iterations = 2000, seed = 1;
	const char *kernel = NULL, *html = NULL;
	struct cli_outfile hf = {0};

	if (argc < 1 || strcmp(argv[0], "owner")) {
		fprintf(stderr, "hmmsim: experiment wants 'owner' (see hmmsim --help)\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--no-races") == 0) {
			no_races = true;
		} else if (strcmp(a, "--tokens") == 0) {
			tokens = true;
		} else if (strcmp(a, "--html") == 0) {
			if (!val) {
				fprintf(stderr, "hmmsim: --html wants a file name\n");
				return 2;
			}
			html = val;
			i++;
		} else if (strcmp(a, "--kernel") == 0) {
			/* every model switch as that release had it */
			if (cli_kernel_set(val))
				return 2;
			kernel = val;
			i++;
		} else if (strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0) {
			uint64_t v;
			if (!cli_parse_u64(val, &v) || (a[2] == 'i' && v == 0)) {
				fprintf(stderr, "hmmsim: bad number '%s' for %s\n", val ? val : "",
					a);
				return 2;
			}
			*(a[2] == 'i' ? &iterations : &seed) = v;
			i++;
		} else {
			fprintf(stderr,
				"hmmsim: unknown experiment argument '%s' (see hmmsim --help)\n",
				a);
			return 2;
		}
	}

	size_t nsc, ncfg;
	const struct sim_scenario *const *scs = hs_owner_experiment_scenarios(&nsc);
	const struct hs_owner_config *cfgs = hs_owner_experiment_configs(&ncfg);
	bool first = true;
	const struct exp_run x = {json, tokens, no_races, kernel};
	struct html_cell *cells = NULL;
	char(*names)[48] = NULL;
	if (html && html_lab_open(&hf, html, ncfg * nsc, &cells, &names))
		return 2;
	if (json && kernel)
		printf("{\"experiment\":\"owner\",\"kernel\":\"%s\",\"strategy\":\"pct\","
		       "\"iterations\":%llu,\"seed\":%llu,\"no_races\":%s,\"results\":[",
		       kernel, (unsigned long long)iterations, (unsigned long long)seed,
		       no_races ? "true" : "false");
	else if (json)
		printf("{\"experiment\":\"owner\",\"strategy\":\"pct\",\"iterations\":%llu,"
		       "\"seed\":%llu,\"no_races\":%s,\"results\":[",
		       (unsigned long long)iterations, (unsigned long long)seed,
		       no_races ? "true" : "false");
	else if (kernel)
		printf("kernel %s\n", kernel);
	if (!json)
		printf("%-20s %-22s %-12s %6s %6s %5s %5s %5s %5s %5s %5s %5s %5s %5s %5s %5s\n",
		       "policy", "scenario", "violation", "execs", "cb", "cb/pg", "fallb", "migr",
		       "ebusy", "locks", "lk/pg", "chg", "inval", "evict", "rereg", "ids");
	for (size_t c = 0; c < ncfg; c++)
		for (size_t sc = 0; sc < nsc; sc++) {
			struct hs_owner_experiment_result r;
			char name[48], cell[128], *slash;
			hs_owner_config_name(&cfgs[c], name, sizeof(name));
			/* run as SCENARIO@POLICY (':' for '/'): the same executions,
			 * and tokens that `hmmsim replay SCENARIO@POLICY` takes */
			snprintf(cell, sizeof(cell), "%s@%s", scs[sc]->name, name);
			while ((slash = strchr(cell, '/')))
				*slash = ':';
			const struct sim_scenario *run = hs_owner_experiment_find(cell);
			html_keep = cells ? &cells[c * nsc + sc] : NULL;
			if (hs_owner_experiment_run(run ? run : scs[sc], &cfgs[c], iterations, seed,
						    no_races, &r)) {
				fprintf(stderr, "hmmsim: experiment owner: %s\n", r.error);
				cli_outfile_drop(&hf);
				return 2;
			}
			print_cell(name, &cfgs[c], scs[sc]->name, &r, &x, first);
			if (html_keep) {
				snprintf(names[c], sizeof(names[c]), "%s", strchr(cell, '@') + 1);
				html_lab_cell(html_keep, run ? run : scs[sc], &r, no_races, kernel);
			}
			first = false;
		}
	html_keep = NULL;
	if (json) {
		printf("],");
		cli_json_version(stdout);
		printf("}\n");
	}
	return html ? html_lab_write(&hf, cells, scs, nsc, ncfg, names, iterations, seed, no_races,
				     kernel)
		    : 0;
}
