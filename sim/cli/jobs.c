// SPDX-License-Identifier: MIT
/*
 * hmmsim explore --jobs J: J forked workers split the run's executions the
 * way --shard does (worker k runs shard k/J, or (K + N*k)/(N*J) of a given
 * --shard K/N), each writes its --json result to a pipe, and the parent
 * combines them with cli_merge(), the code of hmmsim merge.  Without
 * --keep-going the first violation ends the run: a worker that finds one
 * publishes its index, the others stop past it, and the result keeps the
 * executions up to it, as one process would have run.  Counts for the
 * progress line and that index are in a shared mapping.  dpor splits its
 * tree into subtrees instead (sim_options.dpor_split_depth), each taken by
 * the first worker that reaches it (struct sim_split_claims, a second
 * mapping; in turn with --keep-going or --iterations): each worker
 * explores its own in order, to the end or to its first violation, none
 * past the lowest violation found, and the parent adds up what one process
 * would have run up to the lowest subtree with a violation
 * (merge_split_first() in merge_cmd.c), so the result depends neither on
 * timing nor on J.
 *
 * A SIGINT or SIGTERM to the parent (cli_interrupted) stops the workers
 * through the mapping: each ends after its current execution and sends what
 * it ran, marked interrupted; one that has not ended within JOBS_STOP_S is
 * killed, and its executions are not counted (the parent says so).  A worker
 * whose parent dies gets SIGTERM (PR_SET_PDEATHSIG), so none is orphaned.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_util.h"
#include "jobs.h"

#define JOBS_STOP_S 1.5

struct jobs_shared {
	uint64_t stop_at;     /* no --keep-going: the first violation's index yet */
	uint32_t interrupted; /* the parent got SIGINT or SIGTERM: stop now */
	struct {
		uint64_t done, violations;
		uint64_t estimate; /* dpor: the worker's estimate of its share of the tree */
	} w[];
};

struct worker_ctx {
	struct jobs_shared *sh;
	unsigned int k;
	uint64_t stride; /* distance between two executions of this worker */
	bool keep_going;
	bool dpor;    /* each worker explores its subtrees to its own first violation */
	bool stopped; /* by a signal, to it or to the parent */
};

static bool worker_progress(void *arg, const struct sim_progress *p)
{
	struct worker_ctx *c = arg;
	uint64_t old = __atomic_load_n(&c->sh->w[c->k].violations, __ATOMIC_RELAXED);

	__atomic_store_n(&c->sh->w[c->k].done, p->executions, __ATOMIC_RELAXED);
	__atomic_store_n(&c->sh->w[c->k].violations, p->violations_found, __ATOMIC_RELAXED);
	if (c->dpor)
		__atomic_store_n(&c->sh->w[c->k].estimate,
				 p->estimated_total < 1e18 ? (uint64_t)p->estimated_total
							   : (uint64_t)1e18,
				 __ATOMIC_RELAXED);
	if (cli_interrupted || __atomic_load_n(&c->sh->interrupted, __ATOMIC_RELAXED)) {
		c->stopped = true;
		return false;
	}
	/* dpor: each worker to its own first violation, whatever the others
	 * find (so that what it ran does not depend on timing) */
	if (c->keep_going || c->dpor)
		return true;
	uint64_t stop = __atomic_load_n(&c->sh->stop_at, __ATOMIC_RELAXED);
	if (p->violations_found > old) { /* this one failed: the engine stops */
		while (p->execution < stop &&
		       !__atomic_compare_exchange_n(&c->sh->stop_at, &stop, p->execution, false,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		return true;
	}
	/* go on while the next execution is not past a violation found */
	return stop >= p->execution && stop - p->execution >= c->stride;
}

static _Noreturn void worker(const struct cli_jobs *j, unsigned int k, int fd,
			     struct jobs_shared *sh, struct sim_split_claims *claims, pid_t parent)
{
	struct sim_options o = *j->opt;
	uint64_t n = o.shard_count > 1 ? o.shard_count : 1,
		 kk = o.shard_count > 1 ? o.shard_index : 0;
	struct worker_ctx c = {.sh = sh,
			       .k = k,
			       .stride = n * j->jobs,
			       .keep_going = o.keep_going,
			       .dpor = o.strategy == SIM_STRATEGY_DPOR};
	struct sim_result r;

	/* never outlive the parent (a SIGKILL to it) */
	if (!cli_tie_to_parent(parent))
		_exit(2);
	o.shard_index = kk + n * k;
	o.shard_count = n * j->jobs;
	o.dpor_claims = claims;
	o.progress = worker_progress;
	o.progress_arg = &c;
	if (sim_explore(j->sc, &o, &r)) {
		fprintf(stderr, "hmmsim: %s: %s\n", j->sc->name, r.error);
		_exit(2);
	}
	FILE *f = fdopen(fd, "w");
	if (!f)
		_exit(2);
	j->print_json(f, j->sc, &o, &r, j->with_trace, c.stopped);
	if (ferror(f) | fclose(f))
		_exit(2);
	_exit(r.violations_found ? 1 : 0);
}

/* @v from the JSON object [@p, @end) explore --json wrote; false if damaged. */
static bool decode_violation(const char *p, const char *end, struct sim_violation *v)
{
	const char *a, *b;
	uint64_t n;
	char num[32];
	char **strs[] = {&v->message, &v->schedule, &v->report, &v->trace_json};
	const char *skeys[] = {"message", "schedule", "report", "trace_json"};
	uint64_t *nums[] = {&v->execution, &v->steps, &v->preemptions};
	const char *nkeys[] = {"execution", "steps", "preemptions"};

	memset(v, 0, sizeof(*v));
	for (int i = 0; i < 4; i++) {
		if (!cli_json_member(p, end, skeys[i], &a, &b))
			continue; /* trace_json: only when asked for */
		*strs[i] = cli_json_unstr(a, b);
		if (!*strs[i])
			return false;
	}
	for (int i = 0; i < 3; i++) {
		if (!cli_json_member(p, end, nkeys[i], &a, &b) || (size_t)(b - a) >= sizeof(num))
			return false;
		memcpy(num, a, (size_t)(b - a));
		num[b - a] = 0;
		if (!cli_parse_u64(num, &n))
			return false;
		*nums[i] = n;
	}
	if (cli_json_member(p, end, "facts", &a, &b) && !cli_json_facts_decode(a, b, v))
		return false;
	char *kind = cli_json_member(p, end, "kind", &a, &b) ? cli_json_unstr(a, b) : NULL;
	if (!kind)
		return false;
	snprintf(v->kind, sizeof(v->kind), "%.31s", kind);
	free(kind);
	return v->message && v->schedule && v->report;
}

static void free_violation(struct sim_violation *v)
{
	free(v->message);
	free(v->schedule);
	free(v->report);
	free(v->trace_json);
	for (unsigned int i = 0; i < v->nfacts; i++)
		free(v->facts[i]);
	free(v->facts);
}

/* The parent's side of a --jobs run. */
struct jobs_run {
	const struct cli_jobs *j;
	struct jobs_shared *sh;
	size_t shsize;
	struct sim_split_claims *claims; /* cli_jobs.hand_out, else NULL */
	pid_t *pid;
	bool *reaped, *lost; /* lost: killed after the stop, its result dropped */
	struct pollfd *pfd;
	char **buf;
	size_t *len, *cap;
	unsigned int open; /* pipes not at their end */
	double stop_by;	   /* after a signal: when the workers still running are killed */
	int status;
};

static void jobs_free(struct jobs_run *jr)
{
	for (unsigned int k = 0; k < jr->j->jobs; k++) {
		if (jr->pfd[k].fd >= 0)
			close(jr->pfd[k].fd);
		free(jr->buf[k]);
	}
	free(jr->buf);
	free(jr->len);
	free(jr->cap);
	free(jr->pfd);
	free(jr->pid);
	free(jr->reaped);
	free(jr->lost);
	munmap(jr->sh, jr->shsize);
	if (jr->claims)
		munmap(jr->claims, sizeof(*jr->claims));
}

static void jobs_alloc(struct jobs_run *jr, const struct cli_jobs *j)
{
	unsigned int J = j->jobs;

	memset(jr, 0, sizeof(*jr));
	jr->j = j;
	jr->shsize = sizeof(struct jobs_shared) + J * sizeof(jr->sh->w[0]);
	jr->sh = mmap(NULL, jr->shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	jr->pid = calloc(J, sizeof(*jr->pid));
	jr->reaped = calloc(J, sizeof(*jr->reaped));
	jr->lost = calloc(J, sizeof(*jr->lost));
	jr->pfd = calloc(J, sizeof(*jr->pfd));
	jr->buf = calloc(J, sizeof(*jr->buf));
	jr->len = calloc(J, sizeof(*jr->len));
	jr->cap = calloc(J, sizeof(*jr->cap));
	if (jr->sh == MAP_FAILED || !jr->pid || !jr->reaped || !jr->lost || !jr->pfd || !jr->buf ||
	    !jr->len || !jr->cap)
		cli_oom("the --jobs bookkeeping");
	jr->sh->stop_at = UINT64_MAX;
	if (j->hand_out && j->opt->strategy == SIM_STRATEGY_DPOR && J > 1) {
		/* pages of the claims are touched as the subtrees are reached */
		jr->claims = mmap(NULL, sizeof(*jr->claims), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (jr->claims == MAP_FAILED)
			cli_oom("the --jobs bookkeeping");
		jr->claims->lowest_violation = UINT64_MAX;
		jr->claims->workers = J;
	}
	for (unsigned int k = 0; k < J; k++)
		jr->pfd[k].fd = -1;
}

static void jobs_spawn(struct jobs_run *jr)
{
	pid_t parent = getpid();

	fflush(stdout);
	fflush(stderr);
	for (unsigned int k = 0; k < jr->j->jobs; k++) {
		int fds[2];
		if (pipe(fds)) {
			fprintf(stderr, "hmmsim: --jobs: pipe: %s\n", strerror(errno));
			jr->status = 2;
			return;
		}
		jr->pid[k] = fork();
		if (jr->pid[k] < 0) {
			fprintf(stderr, "hmmsim: --jobs: fork: %s\n", strerror(errno));
			close(fds[0]);
			close(fds[1]);
			jr->status = 2;
			return;
		}
		if (jr->pid[k] == 0) {
			for (unsigned int i = 0; i < k; i++)
				close(jr->pfd[i].fd);
			close(fds[0]);
			worker(jr->j, k, fds[1], jr->sh, jr->claims, parent);
		}
		close(fds[1]);
		jr->pfd[k] = (struct pollfd){.fd = fds[0], .events = POLLIN};
		jr->open++;
	}
}

/* Say why worker @k ended badly; false when it ended well (exit 0 or 1). */
static bool worker_failed(const struct cli_jobs *j, unsigned int k, int st)
{
	uint64_t n = j->opt->shard_count > 1 ? j->opt->shard_count : 1;
	uint64_t kk = j->opt->shard_count > 1 ? j->opt->shard_index : 0;
	char what[64];

	if (WIFEXITED(st) && WEXITSTATUS(st) <= 1)
		return false;
	if (WIFSIGNALED(st))
		snprintf(what, sizeof(what), "was killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(what, sizeof(what), "exited with status %d", WEXITSTATUS(st));
	fprintf(stderr, "hmmsim: --jobs: worker %u of %u (shard %llu/%llu) %s\n", k, j->jobs,
		(unsigned long long)(kk + n * k), (unsigned long long)(n * j->jobs), what);
	return true;
}

/* Read what worker @k sent; at the end of its pipe, reap it. */
static void jobs_read(struct jobs_run *jr, unsigned int k)
{
	if (jr->cap[k] - jr->len[k] < 65536) {
		jr->cap[k] = jr->cap[k] ? 2 * jr->cap[k] : 131072;
		jr->buf[k] = realloc(jr->buf[k], jr->cap[k] + 1);
		if (!jr->buf[k])
			cli_oom("a --jobs worker's result");
	}
	ssize_t got = read(jr->pfd[k].fd, jr->buf[k] + jr->len[k], jr->cap[k] - jr->len[k]);
	if (got > 0) {
		jr->len[k] += (size_t)got;
		return;
	}
	if (got < 0 && errno == EINTR)
		return;
	/* end of file: the worker is done, or dead */
	close(jr->pfd[k].fd);
	jr->pfd[k].fd = -1;
	jr->open--;
	int st;
	if (waitpid(jr->pid[k], &st, 0) != jr->pid[k])
		st = 2 << 8;
	jr->reaped[k] = true;
	if (!jr->lost[k] && worker_failed(jr->j, k, st))
		jr->status = 2;
}

/* After a signal: stop the workers, and kill those that do not stop in time. */
static void jobs_stop(struct jobs_run *jr)
{
	if (!jr->stop_by) {
		__atomic_store_n(&jr->sh->interrupted, 1, __ATOMIC_RELAXED);
		jr->stop_by = cli_now_s() + JOBS_STOP_S;
		return;
	}
	if (cli_now_s() < jr->stop_by)
		return;
	for (unsigned int k = 0; k < jr->j->jobs; k++)
		if (jr->pfd[k].fd >= 0 && !jr->lost[k]) {
			fprintf(stderr,
				"hmmsim: --jobs: worker %u did not stop in time: killed, its "
				"executions are not counted\n",
				k);
			jr->lost[k] = true;
			kill(jr->pid[k], SIGKILL);
		}
}

/* Read the workers' results until every pipe ends, with the progress line. */
static void jobs_collect(struct jobs_run *jr, bool progress, uint64_t total)
{
	struct cli_progress prog;
	bool dpor = jr->j->opt->strategy == SIM_STRATEGY_DPOR;

	cli_progress_init(&prog, progress && !jr->status, total);
	if (jr->j->t0 > 0) /* --deepen: the rate since the first round began */
		prog.t0 = jr->j->t0;
	while (jr->open && !jr->status) {
		if (cli_interrupted)
			jobs_stop(jr);
		int nr = poll(jr->pfd, jr->j->jobs, 100); /* a signal between check and poll */
		if (nr < 0 && errno != EINTR) {
			fprintf(stderr, "hmmsim: --jobs: poll: %s\n", strerror(errno));
			jr->status = 2;
			break;
		}
		for (unsigned int k = 0; k < jr->j->jobs && nr > 0 && !jr->status; k++)
			if (jr->pfd[k].fd >= 0 && jr->pfd[k].revents)
				jobs_read(jr, k);
		uint64_t done = 0, viol = 0, est = 0;
		for (unsigned int k = 0; k < jr->j->jobs; k++) {
			uint64_t d = __atomic_load_n(&jr->sh->w[k].done, __ATOMIC_RELAXED);
			uint64_t e = __atomic_load_n(&jr->sh->w[k].estimate, __ATOMIC_RELAXED);
			done += d;
			est += e > d ? e : d; /* a worker that ended: its executions */
			viol += __atomic_load_n(&jr->sh->w[k].violations, __ATOMIC_RELAXED);
		}
		if (dpor) /* each estimates its own share: the sum is the tree's */
			prog.total = jr->j->base + est;
		cli_progress_show(&prog, jr->j->base + done, viol);
	}
	cli_progress_clear(&prog);
	for (unsigned int k = 0; k < jr->j->jobs; k++)
		if (jr->pid[k] > 0 && !jr->reaped[k])
			kill(jr->pid[k], SIGKILL);
	for (unsigned int k = 0; k < jr->j->jobs; k++)
		if (jr->pid[k] > 0 && !jr->reaped[k])
			waitpid(jr->pid[k], NULL, 0);
}

/* @m's violations, decoded into @res (at most @max); 0 or 2. */
static int jobs_reports(const struct cli_merge *m, unsigned int max, struct sim_result *res)
{
	res->reports = calloc(max, sizeof(*res->reports));
	if (!res->reports)
		cli_oom("the reports of a --jobs run");
	for (size_t i = 0; i < m->nv && res->nr_reports < max; i++) {
		struct sim_violation *v = &res->reports[res->nr_reports];
		if (!decode_violation(m->v[i].p, m->v[i].p + m->v[i].len, v)) {
			free_violation(v);
			fprintf(stderr, "hmmsim: --jobs: a worker's report is damaged\n");
			return 2;
		}
		if (m->v[i].renumbered) /* one process's index (merge_split_first()) */
			v->execution = m->v[i].execution;
		res->nr_reports++;
	}
	return 0;
}

/* Merge the results of the workers that were not lost into @res. */
static int jobs_combine(struct jobs_run *jr, struct sim_result *res, int *interrupted)
{
	const struct sim_options *o = jr->j->opt;
	unsigned int n = 0, max = o->max_reports ? o->max_reports : 1;
	char **texts = calloc(jr->j->jobs, sizeof(*texts)),
	     **names = calloc(jr->j->jobs, sizeof(char *));
	struct cli_merge m;
	int status;

	if (!texts || !names)
		cli_oom("the results of a --jobs run");
	for (unsigned int k = 0; k < jr->j->jobs; k++) {
		if (jr->lost[k])
			continue;
		jr->buf[k] = jr->buf[k] ? jr->buf[k] : calloc(1, 1);
		names[n] = malloc(32);
		if (!jr->buf[k] || !names[n])
			cli_oom("the results of a --jobs run");
		jr->buf[k][jr->len[k]] = 0;
		snprintf(names[n], 32, "worker %u", k);
		texts[n++] = jr->buf[k];
	}
	status = cli_merge((int)n, texts, names, CLI_MERGE_JOBS, &m);
	if (!status) {
		*interrupted = cli_interrupted ? cli_interrupted : m.interrupted ? SIGTERM : 0;
		res->executions = m.executions;
		res->violations_found = m.violations_found;
		res->unfair_cut = m.unfair_cut;
		cli_merge_dpor(&m, res);
		if (o->strategy == SIM_STRATEGY_DPOR && o->shard_count > 1)
			cli_merge_items(&m, res); /* for the merge of the shards */
		if (m.nv && !o->keep_going && !*interrupted && o->strategy != SIM_STRATEGY_DPOR) {
			/* one process would have stopped at the first violation */
			uint64_t k = o->shard_count > 1 ? o->shard_index : 0;
			res->executions = cli_shard_size(m.v[0].execution + 1, k, o->shard_count);
			res->violations_found = 1;
			max = 1;
		}
		const struct sim_coverage *cov = cli_merge_cov(&m);
		if (cov)
			res->coverage = *cov;
		status = jobs_reports(&m, max, res);
		cli_merge_free(&m);
	}
	for (unsigned int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(texts);
	return status;
}

int cli_jobs_explore(const struct cli_jobs *j, struct sim_result *res, int *interrupted)
{
	const struct sim_options *o = j->opt;
	struct jobs_run jr;
	double t0 = cli_now_s();

	memset(res, 0, sizeof(*res));
	*interrupted = 0;
	jobs_alloc(&jr, j);
	jobs_spawn(&jr);
	jobs_collect(&jr, j->progress,
		     o->strategy == SIM_STRATEGY_DPOR
			 ? 0
			 : cli_shard_size(o->iterations, o->shard_index, o->shard_count));
	if (!jr.status)
		jr.status = jobs_combine(&jr, res, interrupted);
	res->elapsed_s = cli_now_s() - t0;
	jobs_free(&jr);
	if (jr.status)
		sim_result_free(res);
	return jr.status;
}

/*
 * The round of bound @b (@rr, its reports moved out of it) added to @res,
 * the run so far: executions and races summed, each report's index and
 * the estimate after the rounds before, as one process counts them.
 */
static void deepen_add(struct sim_result *res, struct sim_result *rr, unsigned int b)
{
	uint64_t base = res->executions;

	res->executions += rr->executions;
	res->races += rr->races;
	res->sleep_blocked += rr->sleep_blocked;
	res->max_depth = res->max_depth > rr->max_depth ? res->max_depth : rr->max_depth;
	res->dpor_bytes = res->dpor_bytes > rr->dpor_bytes ? res->dpor_bytes : rr->dpor_bytes;
	res->subtrees = rr->subtrees;
	res->whole_tree = rr->whole_tree;
	res->estimated_total = (double)base + rr->estimated_total;
	res->bound_in_progress = b;
	if (rr->unfair_cut && !res->unfair_cut)
		res->unfair_round = b;
	res->unfair_cut += rr->unfair_cut;
	res->violations_found += rr->violations_found;
	for (unsigned int i = 0; i < rr->nr_reports; i++)
		rr->reports[i].execution += base;
	free(res->reports);
	res->reports = rr->reports;
	res->nr_reports = rr->nr_reports;
	rr->reports = NULL;
	rr->nr_reports = 0;
}

int cli_jobs_deepen(const struct cli_jobs *j, struct sim_result *res, int *interrupted)
{
	const struct sim_options *top = j->opt;
	struct sim_options o = *top;
	struct cli_jobs round = *j;

	memset(res, 0, sizeof(*res));
	*interrupted = 0;
	res->bound_completed = -1;
	o.dpor_deepen = false; /* each round is a covering run of its bound */
	o.dpor_bounded = true;
	round.opt = &o;
	round.t0 = cli_now_s();
	for (unsigned int b = 0;; b++) {
		struct sim_result rr;
		if (cli_interrupted) { /* between two rounds: the next one not begun */
			*interrupted = cli_interrupted;
			res->bound_in_progress = b;
			break;
		}
		o.dfs_preemptions = b;
		o.iterations = top->iterations - res->executions;
		round.base = res->executions;
		if (cli_jobs_explore(&round, &rr, interrupted)) {
			sim_result_free(res);
			return 2;
		}
		bool ended = rr.exhausted && !rr.violations_found && !*interrupted;
		deepen_add(res, &rr, b);
		sim_result_free(&rr);
		/* a round cut short, or one with an execution cut as unfair, from
		 * which no bound is covered: the run ends there */
		if (!ended)
			break;
		res->bound_completed = (int)b;
		if (res->whole_tree || (top->dpor_bounded && b >= top->dfs_preemptions)) {
			res->exhausted = true;
			break;
		}
		if (res->executions >= top->iterations) { /* the budget ended with it */
			res->bound_in_progress = b + 1;
			break;
		}
	}
	res->elapsed_s = cli_now_s() - round.t0;
	return 0;
}
