// SPDX-License-Identifier: MIT
/*
 * hmmsim merge FILE...: combine the --json results of the shards of one
 * campaign (explore --shard K/N): executions and violations summed, the
 * violations concatenated in execution order, elapsed_s the longest shard's.
 * It reads what explore --json writes, in any layout JSON allows (spaces,
 * indentation, key order: a file through `jq .` merges as it was), with a
 * strict reader (sim/cli/jdoc.c), and writes explore's compact form.
 * cli_merge() is also how explore --jobs combines its workers' results
 * (sim/cli/jobs.c).
 */
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hmmsim/explore.h>

#include "cli_cov.h"
#include "cli_util.h"
#include "jdoc.h"

/*
 * @path's text, or NULL after saying why (exit 2): a file that cannot be
 * read (a directory: it read as empty, "cut short at byte 0"), or one with
 * a NUL byte, which would end the text there (what followed it, a second
 * object or junk, went unseen and the file merged as whole).
 */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *nul;
	size_t n = 0, cap = 0;
	if (!f) {
		fprintf(stderr, "hmmsim: merge: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				cli_oom("a file to merge");
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "hmmsim: merge: cannot read %s: %s\n", path,
			errno ? strerror(errno) : "read error");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	nul = memchr(buf, 0, n);
	if (nul) {
		fprintf(stderr, "hmmsim: merge: %s: not JSON: a NUL byte at byte %zu\n", path,
			(size_t)(nul - buf));
		free(buf);
		return NULL;
	}
	return buf;
}

/* The value of top-level member @key of @d as explore --json writes it
 * (compact) into @out: 0, or -1 when there is none or it does not fit. */
static int raw_value(const struct cli_jdoc *d, const char *key, char *out, size_t outlen)
{
	size_t i = cli_jdoc_member(d, 0, key), n;
	if (!i)
		return -1;
	char *s = cli_jdoc_compact(d, i, &n);
	int ret = n < outlen ? 0 : -1;
	if (!ret)
		memcpy(out, s, n + 1);
	free(s);
	return ret;
}

static int by_execution(const void *a, const void *b)
{
	const struct cli_merge_viol *x = a, *y = b;
	if (x->execution != y->execution)
		return x->execution < y->execution ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int bad_file(const char *path, const char *what)
{
	fprintf(stderr, "hmmsim: merge: %s: %s\n", path, what);
	return 2;
}

void cli_merge_free(struct cli_merge *m)
{
	for (size_t f = 0; m->split && f < m->nks; f++)
		free(m->split[f].items);
	for (size_t i = 0; i < m->nv; i++)
		free(m->v[i].p);
	free(m->split);
	free(m->v);
	free(m->ks);
	cli_races_free(&m->profile);
	memset(m, 0, sizeof(*m));
}

/* Violation @p (compact, malloc'd; @len bytes) of file @f, of execution @ex. */
static void add_violation(struct cli_merge *m, size_t *capv, int f, char *p, size_t len,
			  uint64_t ex)
{
	if (m->nv == *capv) {
		*capv = *capv ? 2 * *capv : 64;
		m->v = realloc(m->v, *capv * sizeof(*m->v));
		if (!m->v)
			cli_oom("the violations of a merge");
	}
	m->v[m->nv] =
	    (struct cli_merge_viol){.execution = ex, .order = m->nv, .p = p, .len = len, .file = f};
	m->nv++;
}

/* The violations array @arr of one file; 0 or 2. */
static int read_violations(struct cli_merge *m, size_t *capv, int f, const struct cli_jdoc *d,
			   size_t arr, const char *path)
{
	size_t k = arr + 1;

	for (size_t e = 0; e < d->t[arr].size; e++, k = d->t[k].next) {
		uint64_t ex;
		size_t len;
		if (d->t[k].type != CLI_J_OBJECT ||
		    !cli_jdoc_u64(d, cli_jdoc_member(d, k, "execution"), &ex))
			return bad_file(path, "a damaged violations array");
		/* random and pct run execution i in shard i % N */
		if (!m->dpor && m->shards > 1 && ex % m->shards != m->ks[f])
			return bad_file(path, "a violation of another shard's execution");
		char *p = cli_jdoc_compact(d, k, &len);
		add_violation(m, capv, f, p, len, ex);
	}
	return 0;
}

/*
 * The fields that define the campaign: scenario, strategy, seed, and for a
 * shard its N, iterations and options ("campaign"), the same in every file.
 */
static int check_campaign(struct cli_merge *m, int f, const struct cli_jdoc *d, char *const *names)
{
	static const char *const keys[] = {"scenario", "strategy", "seed", "iterations",
					   "campaign"};
	char val[256], msg[600];

	for (int k = 0; k < 5; k++) {
		if (raw_value(d, keys[k], val, sizeof(val))) {
			if (k < 3)
				return bad_file(names[f], "a field is missing");
			if (m->shards > 1)
				return bad_file(names[f],
						"a shard without its iterations or options "
						"(from an older hmmsim?)");
			val[0] = 0; /* an unsharded run has no campaign fields */
		}
		if (f == 0) {
			snprintf(m->head[k], sizeof(m->head[k]), "%s", val);
		} else if (strcmp(m->head[k], val)) {
			snprintf(
			    msg, sizeof(msg),
			    "another %s (%.200s) than %.100s's (%.200s): not a shard of the same "
			    "run",
			    keys[k], val[0] ? val : "none", names[0],
			    m->head[k][0] ? m->head[k] : "none");
			return bad_file(names[f], msg);
		}
	}
	return 0;
}

/* "shard":"K/N" of a file (0/1 when it has none): its K into m->ks; 0 or 2. */
static int read_shard(struct cli_merge *m, int f, const struct cli_jdoc *d, char *const *names)
{
	char val[64], msg[160];
	unsigned long long k = 0, n = 1;

	if (!raw_value(d, "shard", val, sizeof(val)) &&
	    (sscanf(val, "\"%llu/%llu\"", &k, &n) != 2 || n == 0 || k >= n))
		return bad_file(names[f], "a damaged shard field");
	if (f == 0) {
		m->shards = n;
	} else if (m->shards != n) {
		snprintf(msg, sizeof(msg), "a shard of %llu, but %.80s is a shard of %llu", n,
			 names[0], (unsigned long long)m->shards);
		return bad_file(names[f], msg);
	}
	m->ks[f] = k;
	return 0;
}

/* @*sum += @v; false when it wraps (a damaged or forged file). */
static bool add_u64(unsigned long long *sum, uint64_t v)
{
	return !__builtin_add_overflow(*sum, v, sum);
}

/* The dpor figures of one file (@d) added to @m; 0, or 2 when a sum wraps. */
static int merge_dpor_one(struct cli_merge *m, int f, const struct cli_jdoc *d)
{
	/* summed, then the largest (every shard runs the probe rounds) */
	static const char *const keys[] = {"sleep_blocked",    "races",	    "subtrees",
					   "probe_executions", "max_depth", "dpor_bytes"};
	unsigned long long *sums[] = {&m->sleep_blocked, &m->races,	&m->subtrees,
				      &m->probes,	 &m->max_depth, &m->dpor_bytes};
	char val[64];
	uint64_t v;
	double est;

	if (!m->dpor) /* (merge_doc() read the strategy) */
		return 0;
	m->exhausted = (f == 0 || m->exhausted) && !raw_value(d, "exhausted", val, sizeof(val)) &&
		       strcmp(val, "true") == 0;
	m->whole = (f == 0 || m->whole) && !raw_value(d, "whole_tree", val, sizeof(val)) &&
		   strcmp(val, "true") == 0;
	/* a bounded run's --preemptions (the same in every shard: its campaign) */
	m->bound =
	    !raw_value(d, "bound", val, sizeof(val)) && cli_parse_u64(val, &v) && v <= UINT32_MAX
		? (long long)v
		: -1;
	for (int k = 0; k < 6; k++)
		if (!raw_value(d, keys[k], val, sizeof(val)) && cli_parse_u64(val, &v)) {
			if (k < 3 && !add_u64(sums[k], v))
				return 2;
			if (k >= 3 && v > *sums[k])
				*sums[k] = v;
		}
	if (!raw_value(d, "probe_bound", val, sizeof(val)) && cli_parse_u64(val, &v) &&
	    v <= UINT32_MAX)
		m->probe_bound = (long long)v; /* shard 0's: it reports the violation */
	/* each shard estimates its own share of the tree (dpor_tree_estimate()) */
	if (!raw_value(d, "estimated_total", val, sizeof(val)) && cli_parse_double(val, &est)) {
		m->estimated_total += est;
		if (!(m->estimated_total < DBL_MAX)) /* as dpor's own (estimate_node()) */
			m->estimated_total = DBL_MAX;
	}
	return 0;
}

void cli_merge_dpor(const struct cli_merge *m, struct sim_result *res)
{
	if (!m->dpor)
		return;
	res->exhausted = m->exhausted && !m->missing && !m->interrupted;
	res->sleep_blocked = m->sleep_blocked;
	res->races = m->races;
	res->subtrees = m->subtrees / (m->nks ? m->nks : 1); /* each file counts them all */
	res->max_depth = m->max_depth;
	res->dpor_bytes = m->dpor_bytes;
	res->probe_executions = m->probes;
	res->probe_found = m->probe_bound >= 0;
	res->probe_bound = m->probe_bound >= 0 ? (unsigned int)m->probe_bound : 0;
	res->whole_tree = m->whole;
	res->estimated_total = res->exhausted ? (double)m->executions : m->estimated_total;
	if (m->first_item != UINT64_MAX) { /* as one process stopped at the violation */
		res->subtrees = m->first_item + 1;
		res->estimated_total = (double)m->executions;
	}
	cli_races_result(&m->profile, res);
}

#define SPLIT_MISFIT                                                                               \
	"split_items that do not fit the file (another shard's subtree, or figures that do not "   \
	"add up)"

/*
 * Is subtree @k one file @f may have explored?  Its shard's (k % N == K),
 * or, for the workers of one --jobs run (@claims of them, handed the
 * subtrees out as they reached them: struct sim_split_claims), one of the
 * run's own --shard (a worker is shard K + N*w of N*J); check_claims() then
 * sees that no two explored one.
 */
static bool item_fits(const struct cli_merge *m, int f, uint64_t k, uint64_t claims)
{
	if (!claims || k >= SIM_SPLIT_CLAIMS)
		return k % m->shards == m->ks[f];
	uint64_t n = m->shards / claims;
	return k % n == m->ks[f] % n;
}

/*
 * A split run's "split_items" (print_json_items()) of file @f, whose
 * executions are @execs, into @m; 0 or 2.  They must fit the file: its
 * subtrees, this shard's (item_fits()), the figures growing with each, the
 * last one the file's executions.
 */
static int read_split_items(struct cli_merge *m, int f, const struct cli_jdoc *d, uint64_t execs,
			    const char *path)
{
	struct cli_merge_split *sp = &m->split[f];
	size_t arr = cli_jdoc_member(d, 0, "split_items"), k = arr + 1;
	char val[64];
	uint64_t subtrees = 0;
	size_t cap = 0;

	if (!raw_value(d, "split_claims", val, sizeof(val)) &&
	    (!cli_parse_u64(val, &sp->claims) || sp->claims < 2 || m->shards % sp->claims))
		return bad_file(path, "a split_claims that does not fit the shards");
	if (f && sp->claims != m->split[0].claims)
		return bad_file(path,
				"split_claims in some files and not in others, or not the same");
	bool numbered =
	    !raw_value(d, "subtrees", val, sizeof(val)) && cli_parse_u64(val, &subtrees);
	sp->subtrees = subtrees;
	if (!arr)
		return 0;
	if (!numbered)
		return bad_file(path, "split_items without subtrees");
	if (d->t[arr].type != CLI_J_ARRAY)
		return bad_file(path, "a damaged split_items array");
	for (size_t e = 0; e < d->t[arr].size; e++, k = d->t[k].next) {
		struct sim_split_item it;
		uint64_t *x[] = {&it.item,  &it.executions, &it.sleep_blocked,
				 &it.races, &it.unfair_cut, &it.max_depth};
		if (d->t[k].type != CLI_J_ARRAY || d->t[k].size != 6)
			return bad_file(path, "a damaged split_items array");
		for (size_t j = 0, c = k + 1; j < 6; j++, c = d->t[c].next)
			if (!cli_jdoc_u64(d, c, x[j]))
				return bad_file(path, "a damaged split_items array");
		const struct sim_split_item *last = sp->n ? &sp->items[sp->n - 1] : NULL;
		if (last && it.item <= last->item)
			return bad_file(path, "split_items out of order");
		if (it.item >= subtrees || !item_fits(m, f, it.item, sp->claims) ||
		    /* each subtree has an execution, complete or sleep-set blocked */
		    it.executions + it.sleep_blocked <=
			(last ? last->executions + last->sleep_blocked : 0) ||
		    it.executions > execs ||
		    (last && (it.executions < last->executions ||
			      it.sleep_blocked < last->sleep_blocked || it.races < last->races ||
			      it.unfair_cut < last->unfair_cut || it.max_depth < last->max_depth)))
			return bad_file(path, SPLIT_MISFIT);
		if (sp->n == cap) {
			cap = cap ? 2 * cap : 64;
			sp->items = realloc(sp->items, cap * sizeof(*sp->items));
			if (!sp->items)
				cli_oom("the subtrees of a merge");
		}
		sp->items[sp->n++] = it;
	}
	if (sp->n && sp->items[sp->n - 1].executions != execs)
		return bad_file(path, SPLIT_MISFIT);
	return 0;
}

/* A file that is not JSON: why, in one line; 2. */
static int bad_json(const struct cli_jdoc *d, const char *err, const char *path)
{
	static const char *const type[] = {"null",   "false", "true",  "number",
					   "string", "array", "object"};
	char msg[400];

	if (d->err_short) {
		snprintf(msg, sizeof(msg),
			 "cut short or more than one object: not a whole --json result (%s)", err);
	} else if (d->err_key) {
		char *key = cli_jdoc_str(d, d->err_key);
		snprintf(msg, sizeof(msg), "a damaged %.64s %s (not JSON: %s)", key ? key : "?",
			 d->err_key + 1 < d->n ? type[d->t[d->err_key + 1].type] : "value", err);
		free(key);
	} else {
		snprintf(msg, sizeof(msg), "not JSON: %s", err);
	}
	return bad_file(path, msg);
}

/* One file's numbers and violations (@d) added to @m; 0 or 2. */
/*
 * Does file @f claim more executions (@execs) than its shard has?  Random
 * and pct run the executions i < iterations with i % N == K; a dpor shard
 * runs its subtrees, and --iterations bounds each shard (and each worker).
 */
static bool fewer_runs(const struct cli_merge *m, int f, uint64_t execs)
{
	uint64_t it;
	if (m->dpor || !cli_parse_u64(m->head[3], &it))
		return false;
	uint64_t n = m->shards, k = m->ks[f];
	return execs > (it > k ? (it - k + n - 1) / n : 0);
}

static int merge_doc(struct cli_merge *m, size_t *capv, int f, const struct cli_jdoc *d,
		     char *const *names)
{
	const char *path = names[f];
	char val[256];
	size_t arr = cli_jdoc_member(d, 0, "violations"), ver = cli_jdoc_member(d, 0, "version");
	double el = 0;
	uint64_t v = 0;

	if (d->t[0].type != CLI_J_OBJECT || !arr || d->t[arr].type != CLI_J_ARRAY || !ver ||
	    d->t[ver].type != CLI_J_OBJECT)
		return bad_file(path, "not the --json output of hmmsim explore");
	size_t dup = cli_jdoc_dup_key(d, 0);
	if (dup) {
		char *key = cli_jdoc_str(d, dup), msg[160];
		snprintf(msg, sizeof(msg), "\"%.64s\" twice: not one --json result",
			 key ? key : "?");
		free(key);
		return bad_file(path, msg);
	}
	if (read_shard(m, f, d, names) || check_campaign(m, f, d, names))
		return 2;
	m->dpor = strcmp(m->head[1], "\"dpor\"") == 0;
	if (raw_value(d, "executions", val, sizeof(val)) || !cli_parse_u64(val, &v))
		return bad_file(path, "no executions");
	if (!add_u64(&m->executions, v) || fewer_runs(m, f, v))
		return bad_file(path, "more executions than its shard of the run has");
	uint64_t execs = v;
	if (raw_value(d, "violations_found", val, sizeof(val)) || !cli_parse_u64(val, &v))
		return bad_file(path, "no violations_found");
	/* each violation found is reported, up to --max-reports (at least one) */
	if (!add_u64(&m->violations_found, v) || v > execs + 1 || (v > 0) != (d->t[arr].size > 0) ||
	    d->t[arr].size > v)
		return bad_file(path, "violations_found does not fit its violations");
	m->split[f].violated = v > 0;
	m->split[f].exhausted =
	    !raw_value(d, "exhausted", val, sizeof(val)) && strcmp(val, "true") == 0;
	if (read_split_items(m, f, d, execs, path))
		return 2;
	if (!raw_value(d, "unfair_cut", val, sizeof(val)) && cli_parse_u64(val, &v) &&
	    !add_u64(&m->unfair_cut, v))
		return bad_file(path, "its unfair_cut wraps when added up");
	if (!raw_value(d, "elapsed_s", val, sizeof(val)) && cli_parse_double(val, &el) &&
	    el > m->elapsed_s)
		m->elapsed_s = el;
	if (!raw_value(d, "interrupted", val, sizeof(val)) && strcmp(val, "true") == 0 &&
	    !m->interrupted++)
		m->first_interrupted = f;
	if (merge_dpor_one(m, f, d))
		return bad_file(path, "its dpor figures wrap when added up");
	if (!raw_value(d, "deepen", val, sizeof(val)) && strcmp(val, "true") == 0)
		return bad_file(path, "a --deepen result: one run, not a shard (--deepen runs no "
				      "shards)");
	if (cli_races_add(&m->profile, d, cli_jdoc_member(d, 0, "race_profile")))
		return bad_file(path, "its race_profile is damaged");
	size_t cov = cli_jdoc_member(d, 0, "coverage");
	if (!cov)
		m->cov_missing |= execs > 0; /* (a worker with no subtree of its own has none) */
	else if (cli_cov_add(&m->cov, d, cov, m->dpor))
		return bad_file(path, "its coverage is damaged");
	return read_violations(m, capv, f, d, arr, path);
}

/* One file's text @buf read and added to @m; 0 or 2. */
static int merge_one(struct cli_merge *m, size_t *capv, int f, const char *buf, char *const *names)
{
	struct cli_jdoc d;
	char err[160];
	int ret = cli_jdoc_parse(&d, buf, strlen(buf), err, sizeof(err))
		      ? bad_json(&d, err, names[f])
		      : merge_doc(m, capv, f, &d, names);

	cli_jdoc_free(&d);
	return ret;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The lowest subtree where a file that lists its subtrees found a violation
 * (its last one), that file in *@file; UINT64_MAX when none. */
static uint64_t lowest_violated(const struct cli_merge *m, size_t *file)
{
	uint64_t s = UINT64_MAX;
	for (size_t f = 0; f < m->nks; f++) {
		const struct cli_merge_split *sp = &m->split[f];
		if (sp->violated && sp->n && sp->items[sp->n - 1].item < s) {
			s = sp->items[sp->n - 1].item;
			*file = f;
		}
	}
	return s;
}

/*
 * The workers of one --jobs run that handed the subtrees out as they
 * reached them (split_claims): no subtree explored by two, and, when every
 * worker is there and ran to its end or to a violation, none left out up
 * to where one process stops (the lowest subtree with a violation), so the
 * sums are one process's.  0, or 2 (an engine bug, or a forged file).
 */
static int check_claims(const struct cli_merge *m)
{
	uint64_t n, kk, want, end = 0, got = 0;
	size_t total = 0, at = 0, fs;
	bool whole = !m->missing && !m->interrupted;
	uint64_t *all;

	if (!m->nks || !m->split[0].claims)
		return 0;
	uint64_t upto = lowest_violated(m, &fs);
	for (size_t f = 0; f < m->nks; f++) {
		const struct cli_merge_split *sp = &m->split[f];
		total += sp->n;
		end = sp->subtrees > end ? sp->subtrees : end;
		/* each ran to its end, to its violation, or past the lowest one */
		whole &= sp->exhausted || (sp->violated && sp->n) ||
			 (sp->n && sp->items[sp->n - 1].item > upto);
	}
	all = malloc((total + 1) * sizeof(*all));
	if (!all)
		cli_oom("the subtrees of a --jobs run");
	for (size_t f = 0; f < m->nks; f++)
		for (size_t i = 0; i < m->split[f].n; i++)
			all[at++] = m->split[f].items[i].item;
	qsort(all, total, sizeof(*all), by_u64);
	end = upto != UINT64_MAX ? upto + 1 : end;
	for (size_t i = 0; i < total; i++) {
		if (i && all[i] == all[i - 1]) {
			fprintf(stderr, "hmmsim: merge: two of the files explored subtree %llu\n",
				(unsigned long long)all[i]);
			free(all);
			return 2;
		}
		got += all[i] < end;
	}
	free(all);
	n = m->shards / m->split[0].claims;
	kk = m->ks[0] % n;
	want = end > kk ? (end - kk + n - 1) / n : 0; /* k < end with k % n == kk */
	if (whole && got != want) {
		fprintf(stderr,
			"hmmsim: merge: the files explored %llu of the %llu subtrees below %llu "
			"that are theirs\n",
			(unsigned long long)got, (unsigned long long)want, (unsigned long long)end);
		return 2;
	}
	return 0;
}

/* No shard twice; unless @subset, every shard of N there.  0 or 2. */
static int check_shards(struct cli_merge *m, char *const *names, bool subset)
{
	size_t n = m->nks;
	uint64_t *ks = malloc((n + 1) * sizeof(*ks));
	if (!ks)
		cli_oom("the shards of a merge");
	memcpy(ks, m->ks, n * sizeof(*ks));
	qsort(ks, n, sizeof(*ks), by_u64);
	for (size_t i = 1; i < n; i++)
		if (ks[i] == ks[i - 1]) {
			size_t a = 0, b;
			while (m->ks[a] != ks[i])
				a++;
			for (b = a + 1; m->ks[b] != ks[i]; b++)
				;
			fprintf(stderr,
				"hmmsim: merge: %s: shard %llu/%llu again (%s has it): each shard "
				"counts once\n",
				names[b], (unsigned long long)ks[i], (unsigned long long)m->shards,
				names[a]);
			free(ks);
			return 2;
		}
	m->missing = m->shards - (uint64_t)n;
	free(m->ks);
	m->ks = ks; /* sorted: cli_merge_missing() walks it */
	if (m->missing && !subset) {
		fprintf(stderr, "hmmsim: merge: %llu of the %llu shards missing: ",
			(unsigned long long)m->missing, (unsigned long long)m->shards);
		cli_merge_missing(m, stderr, 20);
		fprintf(stderr, " (--partial merges a subset and says so)\n");
		return 2;
	}
	return 0;
}

void cli_merge_missing(const struct cli_merge *m, FILE *f, uint64_t max)
{
	uint64_t shown = 0;
	size_t i = 0;

	for (uint64_t k = 0; k < m->shards && shown < max; k++) {
		while (i < m->nks && m->ks[i] < k)
			i++;
		if (i < m->nks && m->ks[i] == k)
			continue;
		fprintf(f, "%s%s%llu/%llu%s", shown ? ", " : "", f == stderr ? "" : "\"",
			(unsigned long long)k, (unsigned long long)m->shards,
			f == stderr ? "" : "\"");
		shown++;
	}
	if (m->missing > shown)
		fprintf(f, f == stderr ? " and %llu more" : "",
			(unsigned long long)(m->missing - shown));
}

/*
 * Split dpor shards without --keep-going each stop at their own first
 * violation.  One process explores the subtrees in order and stops at the
 * first there is: the violation in the lowest subtree s, after every
 * shard's subtrees up to s, whose figures each shard's split_items give at
 * the end of its last one up to s.  Left summed when a shard stopped short
 * of s for another reason (a budget, a signal: its subtrees up to s were
 * not all explored), or when the probe rounds found the violation.
 */
static void merge_split_first(struct cli_merge *m)
{
	uint64_t s;
	size_t fs = SIZE_MAX, kept = SIZE_MAX;
	unsigned long long e = 0, sb = 0, races = 0, unfair = 0, depth = 0;

	if (m->partial && m->missing)
		return; /* the missing shards' part of the prefix is not here */
	for (size_t f = 0; f < m->nks; f++)
		if (m->split[f].violated && !m->split[f].n)
			return; /* a probe round's, or a shard that did not list its subtrees */
	s = lowest_violated(m, &fs);
	if (s == UINT64_MAX)
		return;
	for (size_t f = 0; f < m->nks; f++) {
		const struct cli_merge_split *sp = &m->split[f];
		if (!sp->exhausted && !(sp->n && sp->items[sp->n - 1].item >= s))
			return; /* stopped before s: not a whole prefix */
		size_t i = sp->n;
		while (i && sp->items[i - 1].item > s)
			i--;
		if (!i)
			continue;
		const struct sim_split_item *it = &sp->items[i - 1];
		e += it->executions;
		sb += it->sleep_blocked;
		races += it->races;
		unfair += it->unfair_cut;
		depth = it->max_depth > depth ? it->max_depth : depth;
	}
	for (size_t i = 0; i < m->nv && kept == SIZE_MAX; i++)
		if (m->v[i].file == (int)fs)
			kept = i;
	if (kept == SIZE_MAX)
		return;
	m->first_item = s;
	for (size_t i = 0; i < m->nv; i++)
		if (i != kept)
			free(m->v[i].p);
	m->v[0] = m->v[kept];
	m->v[0].execution = e + sb - 1; /* its index: sleep-set blocked ones count */
	m->v[0].renumbered = true;
	m->nv = 1;
	m->executions = e;
	m->violations_found = 1;
	m->sleep_blocked = sb;
	m->races = races;
	m->unfair_cut = unfair;
	m->max_depth = depth;
}

/*
 * The subtrees of @m's files as one list (sim_result.items) into @res: a
 * shard run with --jobs, whose workers split it, is merged later with the
 * other shards as if it had run in one process.  Each subtree's figures are
 * the sums, over the files, of each one's at the end of its last subtree up
 * to it.  Only when every file ran its part whole, to its end, to its first
 * violation or past the lowest one, and a violation was merged as one
 * process's (then up to it): else none, and the later merge adds the
 * shards up.
 */
void cli_merge_items(const struct cli_merge *m, struct sim_result *res)
{
	size_t total = 0, *at = calloc(m->nks + 1, sizeof(*at));
	struct sim_split_item *cur = calloc(m->nks + 1, sizeof(*cur));

	if (!at || !cur)
		cli_oom("the subtrees of a --jobs run");
	for (size_t f = 0; f < m->nks; f++) {
		const struct cli_merge_split *sp = &m->split[f];
		/* to its end, to its violation, or a worker stopped past the
		 * lowest violation another found (sim_dpor_claims_past()) */
		if (!sp->exhausted && !sp->violated &&
		    !(sp->n && m->first_item != UINT64_MAX &&
		      sp->items[sp->n - 1].item > m->first_item))
			goto out;
		total += sp->n;
	}
	if (m->violations_found && m->first_item == UINT64_MAX)
		goto out;
	res->items = calloc(total + 1, sizeof(*res->items));
	if (!res->items)
		cli_oom("the subtrees of a --jobs run");
	for (;;) {
		size_t g = SIZE_MAX; /* the file with the next subtree */
		for (size_t f = 0; f < m->nks; f++)
			if (at[f] < m->split[f].n &&
			    (g == SIZE_MAX ||
			     m->split[f].items[at[f]].item < m->split[g].items[at[g]].item))
				g = f;
		if (g == SIZE_MAX || m->split[g].items[at[g]].item > m->first_item)
			break;
		cur[g] = m->split[g].items[at[g]++];
		struct sim_split_item *it = &res->items[res->nr_items++];
		*it = (struct sim_split_item){.item = cur[g].item};
		for (size_t f = 0; f < m->nks; f++) {
			it->executions += cur[f].executions;
			it->sleep_blocked += cur[f].sleep_blocked;
			it->races += cur[f].races;
			it->unfair_cut += cur[f].unfair_cut;
			if (cur[f].max_depth > it->max_depth)
				it->max_depth = cur[f].max_depth;
		}
	}
out:
	free(at);
	free(cur);
}

/* Violation @v's JSON object, with its execution when it was renumbered. */
void cli_merge_viol_print(FILE *f, const struct cli_merge_viol *v)
{
	const char *ex = strstr(v->p, "\"execution\":"), *rest;

	if (!v->renumbered || !ex) {
		fprintf(f, "%.*s", (int)v->len, v->p);
		return;
	}
	ex += strlen("\"execution\":");
	rest = ex + strspn(ex, "0123456789");
	fprintf(f, "%.*s%llu%.*s", (int)(ex - v->p), v->p, v->execution,
		(int)(v->p + v->len - rest), rest);
}

int cli_merge(int n, char *const *texts, char *const *names, int subset, struct cli_merge *m)
{
	size_t capv = 0;
	int status = 0;

	memset(m, 0, sizeof(*m));
	m->ks = calloc((size_t)n + 1, sizeof(*m->ks));
	if (!m->ks)
		cli_oom("the shards of a merge");
	m->nks = (size_t)n;
	m->probe_bound = -1;
	m->partial = subset == CLI_MERGE_PARTIAL;
	m->first_item = UINT64_MAX;
	m->split = calloc((size_t)n + 1, sizeof(*m->split));
	if (!m->split)
		cli_oom("the shards of a merge");
	for (int f = 0; f < n && !status; f++)
		status = merge_one(m, &capv, f, texts[f], names);
	if (!status && n)
		status = check_shards(m, names, subset != CLI_MERGE_ALL);
	if (!status && n)
		status = check_claims(m);
	if (!status && m->interrupted && subset == CLI_MERGE_ALL) {
		fprintf(stderr,
			"hmmsim: merge: %s was stopped by a signal (\"interrupted\":true): not a "
			"whole shard (--partial merges it and says so)\n",
			names[m->first_interrupted]);
		status = 2;
	}
	if (status) {
		cli_merge_free(m);
		return status;
	}
	if (m->dpor)
		merge_split_first(m);
	if (m->nv)
		qsort(m->v, m->nv, sizeof(*m->v), by_execution);
	cli_races_sort(&m->profile);
	return 0;
}

const struct sim_coverage *cli_merge_cov(const struct cli_merge *m)
{
	if (m->cov_missing || !m->cov.collected || m->violations_found ||
	    m->cov.executions != m->executions)
		return NULL;
	return &m->cov;
}

static void print_merged(const struct cli_merge *m, int files)
{
	struct sim_result r = {0};

	cli_merge_dpor(m, &r);
	printf("{\"scenario\":%s,\"strategy\":%s,\"seed\":%s,\"executions\":%llu,"
	       "\"elapsed_s\":%.6f,\"execs_per_s\":%.1f,\"violations_found\":%llu,"
	       "\"exhausted\":%s,\"unfair_cut\":%llu,\"shards\":%d,",
	       m->head[0], m->head[1], m->head[2], m->executions, m->elapsed_s,
	       m->elapsed_s > 0 ? (double)m->executions / m->elapsed_s : 0.0, m->violations_found,
	       r.exhausted ? "true" : "false", m->unfair_cut, files);
	if (m->dpor)
		printf("\"sleep_blocked\":%llu,\"races\":%llu,\"max_depth\":%llu,"
		       "\"dpor_bytes\":%llu,\"estimated_total\":%.0f,\"subtrees\":%llu,"
		       "\"probe_executions\":%llu,",
		       (unsigned long long)r.sleep_blocked, (unsigned long long)r.races,
		       (unsigned long long)r.max_depth, (unsigned long long)r.dpor_bytes,
		       r.estimated_total, (unsigned long long)r.subtrees,
		       (unsigned long long)r.probe_executions);
	if (m->dpor && m->probe_bound >= 0)
		printf("\"probe_bound\":%lld,", m->probe_bound);
	/* bounded dpor shards: as the run's own JSON (print_json() in main.c) */
	if (m->dpor && m->bound >= 0)
		printf("\"bound\":%lld,\"covers_bound\":true,\"whole_tree\":%s,", m->bound,
		       r.exhausted && m->whole ? "true" : "false");
	if (m->missing) {
		fprintf(stderr, "hmmsim: merge: partial: %llu of the %llu shards missing: ",
			(unsigned long long)m->missing, (unsigned long long)m->shards);
		cli_merge_missing(m, stderr, 20);
		fprintf(stderr, "\n");
		printf("\"partial\":true,\"shards_missing\":%llu,\"missing_shards\":[",
		       (unsigned long long)m->missing);
		cli_merge_missing(m, stdout, 1000);
		printf("],");
	}
	if (m->interrupted) {
		fprintf(stderr, "hmmsim: merge: a shard was interrupted: not a complete run\n");
		printf("\"interrupted\":true,");
	}
	cli_races_json(stdout, &r);
	printf("\"violations\":[");
	for (size_t i = 0; i < m->nv; i++)
		printf("%s", i ? "," : ""), cli_merge_viol_print(stdout, &m->v[i]);
	printf("]");
	const struct sim_coverage *cov = cli_merge_cov(m);
	if (cov) /* (none: no "coverage" key) */
		cli_cov_print_json(stdout, cov);
	printf(",");
	cli_json_version(stdout); /* the merging build's */
	printf("}\n");
	sim_result_free(&r);
}

int cmd_merge(int argc, char **argv)
{
	struct cli_merge m;
	bool partial = false;
	char **bufs;
	int status = 0, k = 0;

	for (int i = 0; i < argc; i++) /* --partial anywhere: the files keep their order */
		if (strcmp(argv[i], "--partial") == 0)
			partial = true;
		else
			argv[k++] = argv[i];
	argc = k;
	if (argc < 1) {
		fprintf(stderr, "hmmsim: merge needs the --json files of the shards (see hmmsim "
				"merge --help)\n");
		return 2;
	}
	bufs = calloc((size_t)argc + 1, sizeof(*bufs));
	if (!bufs)
		cli_oom("the files of a merge");
	for (int f = 0; f < argc && !status; f++) {
		if (argv[f][0] == '-' && argv[f][1]) {
			fprintf(stderr,
				"hmmsim: merge: unknown option '%s' (see hmmsim merge --help)\n",
				argv[f]);
			status = 2;
			break;
		}
		bufs[f] = slurp(argv[f]);
		if (!bufs[f])
			status = 2;
	}
	if (!status)
		status =
		    cli_merge(argc, bufs, argv, partial ? CLI_MERGE_PARTIAL : CLI_MERGE_ALL, &m);
	if (!status) {
		print_merged(&m, argc);
		status = m.violations_found ? 1 : 0;
		cli_merge_free(&m);
	}
	for (int f = 0; f < argc; f++)
		free(bufs[f]);
	free(bufs);
	return status;
}
