// SPDX-License-Identifier: MIT
/*
 * hmmsim explore --jobs J: J forked workers split the run's executions the
 * way --shard does (worker k runs shard k/J, or (K + N*k)/(N*J) of a given
 * --shard K/N), each writes its --json result to a pipe, and the parent
 * combines them with cli_merge(), the code of hmmsim merge.  Without
 * --keep-going the first violation ends the run: a worker that finds one
 * publishes its index, the others stop past it, and the result keeps the
 * executions up to it, as one process would have run.  Counts for the
 * progress line and that index are in a shared mapping.
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

struct jobs_shared {
	uint64_t stop_at; /* no --keep-going: the first violation's index yet */
	struct {
		uint64_t done, violations;
	} w[];
};

struct worker_ctx {
	struct jobs_shared *sh;
	unsigned int k;
	uint64_t stride; /* distance between two executions of this worker */
	bool keep_going;
};

static bool worker_progress(void *arg, const struct sim_progress *p)
{
	struct worker_ctx *c = arg;
	uint64_t old = __atomic_load_n(&c->sh->w[c->k].violations, __ATOMIC_RELAXED);

	__atomic_store_n(&c->sh->w[c->k].done, p->executions, __ATOMIC_RELAXED);
	__atomic_store_n(&c->sh->w[c->k].violations, p->violations_found, __ATOMIC_RELAXED);
	if (c->keep_going)
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
			     struct jobs_shared *sh)
{
	struct sim_options o = *j->opt;
	uint64_t n = o.shard_count > 1 ? o.shard_count : 1,
		 kk = o.shard_count > 1 ? o.shard_index : 0;
	struct worker_ctx c = {.sh = sh, .k = k, .stride = n * j->jobs, .keep_going = o.keep_going};
	struct sim_result r;

	o.shard_index = kk + n * k;
	o.shard_count = n * j->jobs;
	o.progress = worker_progress;
	o.progress_arg = &c;
	if (sim_explore(j->sc, &o, &r)) {
		fprintf(stderr, "hmmsim: %s: %s\n", j->sc->name, r.error);
		_exit(2);
	}
	FILE *f = fdopen(fd, "w");
	if (!f)
		_exit(2);
	j->print_json(f, j->sc, &o, &r, j->with_trace);
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
}

static void stop_workers(const pid_t *pid, const bool *reaped, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		if (pid[k] > 0 && !reaped[k])
			kill(pid[k], SIGTERM);
	for (unsigned int k = 0; k < n; k++)
		if (pid[k] > 0 && !reaped[k])
			waitpid(pid[k], NULL, 0);
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

int cli_jobs_explore(const struct cli_jobs *j, struct sim_result *res)
{
	const struct sim_options *o = j->opt;
	unsigned int J = j->jobs;
	size_t shsize = sizeof(struct jobs_shared) + J * sizeof(((struct jobs_shared *)0)->w[0]);
	struct jobs_shared *sh =
	    mmap(NULL, shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t *pid = calloc(J, sizeof(*pid));
	bool *reaped = calloc(J, sizeof(*reaped));
	struct pollfd *pfd = calloc(J, sizeof(*pfd));
	char **buf = calloc(J, sizeof(*buf)), **names = calloc(J, sizeof(*names));
	size_t *len = calloc(J, sizeof(*len)), *cap = calloc(J, sizeof(*cap));
	uint64_t total = cli_shard_size(o->iterations, o->shard_index, o->shard_count);
	struct cli_progress prog;
	double t0 = cli_now_s();
	int status = 0;

	memset(res, 0, sizeof(*res));
	if (sh == MAP_FAILED || !pid || !reaped || !pfd || !buf || !names || !len || !cap) {
		fprintf(stderr, "hmmsim: --jobs: out of memory\n");
		exit(2);
	}
	sh->stop_at = UINT64_MAX;
	for (unsigned int k = 0; k < J; k++)
		pfd[k].fd = -1;
	fflush(stdout);
	fflush(stderr);
	for (unsigned int k = 0; k < J; k++) {
		int fds[2];
		if (pipe(fds)) {
			fprintf(stderr, "hmmsim: --jobs: pipe: %s\n", strerror(errno));
			status = 2;
			break;
		}
		pid[k] = fork();
		if (pid[k] < 0) {
			fprintf(stderr, "hmmsim: --jobs: fork: %s\n", strerror(errno));
			close(fds[0]);
			close(fds[1]);
			status = 2;
			break;
		}
		if (pid[k] == 0) {
			for (unsigned int i = 0; i < k; i++)
				close(pfd[i].fd);
			close(fds[0]);
			worker(j, k, fds[1], sh);
		}
		close(fds[1]);
		pfd[k] = (struct pollfd){.fd = fds[0], .events = POLLIN};
	}
	cli_progress_init(&prog, j->progress && !status, total);
	for (unsigned int open = status ? 0 : J; open;) {
		int nr = poll(pfd, J, prog.on ? 250 : -1);
		if (nr < 0 && errno != EINTR) {
			fprintf(stderr, "hmmsim: --jobs: poll: %s\n", strerror(errno));
			status = 2;
			break;
		}
		for (unsigned int k = 0; k < J && nr > 0; k++) {
			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			if (cap[k] - len[k] < 65536) {
				cap[k] = cap[k] ? 2 * cap[k] : 131072;
				buf[k] = realloc(buf[k], cap[k] + 1);
				if (!buf[k])
					abort();
			}
			ssize_t got = read(pfd[k].fd, buf[k] + len[k], cap[k] - len[k]);
			if (got > 0) {
				len[k] += (size_t)got;
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			/* end of file: the worker is done, or dead */
			close(pfd[k].fd);
			pfd[k].fd = -1;
			open--;
			int st;
			if (waitpid(pid[k], &st, 0) != pid[k])
				st = 2 << 8;
			reaped[k] = true;
			if (worker_failed(j, k, st)) {
				status = 2;
				break;
			}
		}
		if (status)
			break;
		uint64_t done = 0, viol = 0;
		for (unsigned int k = 0; k < J; k++) {
			done += __atomic_load_n(&sh->w[k].done, __ATOMIC_RELAXED);
			viol += __atomic_load_n(&sh->w[k].violations, __ATOMIC_RELAXED);
		}
		cli_progress_show(&prog, done, viol);
	}
	cli_progress_clear(&prog);
	stop_workers(pid, reaped, J);
	for (unsigned int k = 0; k < J; k++) {
		if (pfd[k].fd >= 0)
			close(pfd[k].fd);
		if (buf[k])
			buf[k][len[k]] = 0;
		else
			buf[k] = calloc(1, 1);
		names[k] = malloc(32);
		if (!buf[k] || !names[k])
			abort();
		snprintf(names[k], 32, "worker %u", k);
	}

	struct cli_merge m;
	if (!status && (status = cli_merge((int)J, buf, names, &m)) == 0) {
		unsigned int max = o->max_reports ? o->max_reports : 1;
		res->executions = m.executions;
		res->violations_found = m.violations_found;
		if (m.nv && !o->keep_going) {
			/* one process would have stopped at the first violation */
			uint64_t k = o->shard_count > 1 ? o->shard_index : 0;
			res->executions = cli_shard_size(m.v[0].execution + 1, k, o->shard_count);
			res->violations_found = 1;
			max = 1;
		}
		res->reports = calloc(max, sizeof(*res->reports));
		if (!res->reports)
			abort();
		for (size_t i = 0; i < m.nv && res->nr_reports < max; i++) {
			struct sim_violation *v = &res->reports[res->nr_reports];
			if (!decode_violation(m.v[i].p, m.v[i].p + m.v[i].len, v)) {
				free_violation(v);
				fprintf(stderr, "hmmsim: --jobs: a worker's report is damaged\n");
				status = 2;
				break;
			}
			res->nr_reports++;
		}
		cli_merge_free(&m);
	}
	res->elapsed_s = cli_now_s() - t0;
	for (unsigned int k = 0; k < J; k++) {
		free(buf[k]);
		free(names[k]);
	}
	free(buf);
	free(names);
	free(len);
	free(cap);
	free(pfd);
	free(pid);
	free(reaped);
	munmap(sh, shsize);
	if (status)
		sim_result_free(res);
	return status;
}
