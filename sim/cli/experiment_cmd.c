// SPDX-License-Identifier: MIT
/*
 * hmmsim experiment owner [--json] [--iterations N] [--seed S] [--no-races]:
 * the owner-field design lab (docs/owner-semantics.md).  Every scenario of
 * model/experiment.c under every implemented owner policy, explored with
 * PCT: the first violation's kind (or clean) and the executions it took.
 */
#include <errno.h>
#include <hmmsim/experiment.h>
#include <hmmsim/hmm.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

int cmd_experiment(int argc, char **argv);

int hs_owner_experiment_run(const struct sim_scenario *sc, const struct hs_owner_config *cfg,
			    uint64_t iterations, uint64_t seed, bool no_races,
			    struct hs_owner_experiment_result *res)
{
	enum hs_owner_policy old_policy = hs_owner_policy;
	unsigned int old_bits = hs_owner_id_bits;
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
		snprintf(res->error, sizeof(res->error), "owner policy %s: not yet",
			 hs_owner_policy_name(cfg->policy));
		return -EOPNOTSUPP;
	}
	hs_owner_policy = cfg->policy;
	hs_owner_id_bits = cfg->id_bits;
	memset(&hs_owner_stats, 0, sizeof(hs_owner_stats));
	memset(&hs_p2p_stats, 0, sizeof(hs_p2p_stats));
	ret = sim_explore(sc, &o, &r);
	hs_owner_policy = old_policy;
	hs_owner_id_bits = old_bits;
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%.60s: %.180s", sc->name, r.error);
		sim_result_free(&r);
		return ret;
	}
	res->found = r.violations_found > 0;
	res->executions = r.executions;
	if (r.nr_reports)
		snprintf(res->kind, sizeof(res->kind), "%s", r.reports[0].kind);
	res->owner = hs_owner_stats;
	res->callbacks = hs_p2p_stats.callbacks;
	res->p2p_pfns = hs_p2p_stats.p2p_pfns;
	res->fallbacks = hs_p2p_stats.fallbacks;
	sim_result_free(&r);
	return 0;
}

static const char *config_name(const struct hs_owner_config *cfg, char *buf, size_t len)
{
	if (cfg->policy == HS_OWNER_CLUSTER_ID)
		snprintf(buf, len, "%s/%u", hs_owner_policy_name(cfg->policy), cfg->id_bits);
	else
		snprintf(buf, len, "%s", hs_owner_policy_name(cfg->policy));
	return buf;
}

int cmd_experiment(int argc, char **argv)
{
	bool json = false, no_races = false;
	uint64_t iterations = 2000, seed = 1;

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
	if (json)
		printf("{\"experiment\":\"owner\",\"strategy\":\"pct\",\"iterations\":%llu,"
		       "\"seed\":%llu,\"no_races\":%s,\"results\":[",
		       (unsigned long long)iterations, (unsigned long long)seed,
		       no_races ? "true" : "false");
	else
		printf("%-16s %-22s %-14s %10s  %s\n", "policy", "scenario", "violation",
		       "executions", "cost");
	for (size_t c = 0; c < ncfg; c++)
		for (size_t s = 0; s < nsc; s++) {
			struct hs_owner_experiment_result r;
			char name[40];
			if (hs_owner_experiment_run(scs[s], &cfgs[c], iterations, seed, no_races,
						    &r)) {
				fprintf(stderr, "hmmsim: experiment owner: %s\n", r.error);
				return 2;
			}
			config_name(&cfgs[c], name, sizeof(name));
			if (json) {
				printf("%s{\"policy\":\"%s\",\"id_bits\":%u,\"scenario\":",
				       first ? "" : ",", hs_owner_policy_name(cfgs[c].policy),
				       cfgs[c].id_bits);
				cli_json_str(stdout, scs[s]->name);
				printf(",\"violation\":");
				if (r.found)
					cli_json_str(stdout, r.kind);
				else
					printf("null");
				printf(",\"executions\":%llu,\"counters\":{\"executions\":%llu,"
				       "\"owner_changes\":%lu,\"invalidations\":%lu,"
				       "\"evictions\":%lu,\"reregisters\":%lu,\"ids\":%lu,"
				       "\"callbacks\":%lu,\"p2p_pfns\":%lu,\"fallbacks\":%lu}}",
				       (unsigned long long)r.executions,
				       (unsigned long long)r.executions, r.owner.changes,
				       r.owner.invalidations, r.owner.evictions,
				       r.owner.reregisters, r.owner.ids, r.callbacks, r.p2p_pfns,
				       r.fallbacks);
			} else {
				printf("%-16s %-22s %-14s %10llu  changes %lu inval %lu evict %lu "
				       "rereg %lu\n",
				       name, scs[s]->name, r.found ? r.kind : "clean",
				       (unsigned long long)r.executions, r.owner.changes,
				       r.owner.invalidations, r.owner.evictions,
				       r.owner.reregisters);
			}
			first = false;
		}
	if (json)
		printf("]}\n");
	return 0;
}
