// SPDX-License-Identifier: MIT
/*
 * What hmmsim writes, and how a run ends early.  Output files are checked
 * before a run (a directory, a missing folder or an unwritable place is
 * refused before any execution), written under a temporary name beside
 * them and renamed when complete, so a failed write (a full disk,
 * ulimit -f) never leaves a truncated file.  A failed write of standard
 * output is exit 2 too.  SIGINT and SIGTERM end an exploration after its
 * current execution (cli_interrupted), with what it found so far; a second
 * one (not the same signal within 0.2 s: timeout(1) sends two), or a run
 * that does not end within CLI_STOP_S seconds, ends the
 * process, as a signal does any other command (the temporary files removed).
 * Also what a report prints beside its interleaving: the facts behind a
 * violation, plurals, the terminal's width.
 */
#include <errno.h>
#include <fcntl.h>
#include <hmmsim/explore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"

volatile sig_atomic_t cli_interrupted;

/* The temporary files not yet renamed: removed by a hard stop or at exit. */
#define MAX_PENDING 8
static char *pending[MAX_PENDING];

static void pending_add(char *tmp)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending[i]) {
			pending[i] = tmp;
			return;
		}
}

static void pending_del(const char *tmp)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

static pid_t owner; /* a --jobs worker leaves its parent's files alone */

static void pending_unlink_all(void)
{
	if (getpid() != owner)
		return;
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i])
			unlink(pending[i]); /* async-signal-safe */
}

static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));
	(void)r;
}

/*
 * Die of @sig as without a handler, the temporary files removed: a signal to
 * a command that does not stop gracefully, a second signal, or the grace
 * period over (SIGALRM: then as of SIGTERM).
 */
static void hard_stop(int sig)
{
	sigset_t set;

	pending_unlink_all();
	if (sig == SIGALRM) {
		say("hmmsim: interrupted, and the run did not stop in time\n");
		sig = SIGTERM;
	} else if (cli_interrupted) {
		say("hmmsim: interrupted again\n");
	}
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(2);
}

/* When the first stop signal came (CLOCK_MONOTONIC, ns): coreutils' timeout
 * sends its signal to the command and then to the whole process group, so
 * one timeout is two signals in a row; a repeat of the same signal within
 * SIGNAL_BURST_NS is that one, not a second request. */
#define SIGNAL_BURST_NS 200000000ll
static long long first_signal_ns;

static long long monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe */
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void on_signal(int sig)
{
	if (cli_interrupted) {
		if (sig == cli_interrupted && monotonic_ns() - first_signal_ns < SIGNAL_BURST_NS)
			return;
		hard_stop(sig);
		return;
	}
	first_signal_ns = monotonic_ns();
	cli_interrupted = sig;
	alarm(CLI_STOP_S);
}

/*
 * SIGINT (unless an inherited SIG_IGN: a background job of a script) and
 * SIGTERM.  SA_RESTART: a stop must not fail a blocked write (a --jobs
 * worker writing its result into a full pipe exited 2 at it, and the run
 * with it); the loops that wait for one (poll) see EINTR anyway.
 */
static void set_stop_handler(void (*fn)(int))
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = SA_RESTART}, old;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, NULL, &old) || old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_signals_init(void)
{
	owner = getpid();
	set_stop_handler(hard_stop);
	/* a write past ulimit -f fails (EFBIG) instead of killing the process */
	signal(SIGXFSZ, SIG_IGN);
	atexit(pending_unlink_all);
}

void cli_signals_graceful(void)
{
	struct sigaction sa = {.sa_handler = hard_stop};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	set_stop_handler(on_signal);
}

const char *cli_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

int cli_stdout_check_open(void)
{
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		fprintf(stderr, "hmmsim: cannot write standard output: %s\n", strerror(errno));
		/* keep fd 1 from being a file opened later */
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0 && fd != STDOUT_FILENO)
			close(fd);
		return 2;
	}
	return 0;
}

int cli_stdout_close(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "hmmsim: cannot write standard output: %s\n",
			errno ? strerror(errno) : "write error");
		return 2;
	}
	return status;
}

_Noreturn void cli_oom(const char *what)
{
	pending_unlink_all();
	fprintf(stderr,
		"hmmsim: out of memory: %s (free memory, raise ulimit -v, or lower "
		"--step-bound)\n",
		what);
	exit(2);
}

bool cli_tie_to_parent(pid_t parent)
{
	return !prctl(PR_SET_PDEATHSIG, SIGTERM) && getppid() == parent;
}

/*
 * The files of this run that an output file must not replace: its inputs
 * (@of NULL) and the output files open (@of), each by its identity when it
 * exists, else (an output not yet written) by its folder's real path and its
 * name.
 */
static struct claim {
	const struct cli_outfile *of;
	const char *path; /* as given, for the message */
	dev_t dev;
	ino_t ino;
	char *name; /* NULL: @dev and @ino */
} * claimed;
static unsigned int nr_claimed, cap_claimed;

/* @path's real folder and its last component, or NULL (no such folder). */
static char *claim_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) + (slash == path) : 1;
	char *dir = malloc(dlen + 1), *real, *name = NULL;

	if (!dir)
		cli_oom("an output file's name");
	memcpy(dir, slash ? path : ".", dlen);
	dir[dlen] = 0;
	real = realpath(dir, NULL);
	free(dir);
	if (real) {
		size_t n = strlen(real) + strlen(base) + 2;
		name = malloc(n);
		if (!name)
			cli_oom("an output file's name");
		snprintf(name, n, "%s/%s", real, base);
	}
	free(real);
	return name;
}

/* Fill @c for @path (@st: its stat when it exists, else NULL); false when
 * it cannot be named (it is then not compared). */
static bool claim_fill(struct claim *c, const char *path, const struct stat *st)
{
	c->path = path;
	c->name = NULL;
	if (st) {
		c->dev = st->st_dev;
		c->ino = st->st_ino;
		return true;
	}
	c->name = claim_name(path);
	return c->name != NULL;
}

static const struct claim *claim_find(const struct claim *c)
{
	for (unsigned int i = 0; i < nr_claimed; i++) {
		const struct claim *k = &claimed[i];
		if (c->name ? k->name && strcmp(k->name, c->name) == 0
			    : !k->name && k->dev == c->dev && k->ino == c->ino)
			return k;
	}
	return NULL;
}

static void claim_add(const struct claim *c)
{
	if (nr_claimed == cap_claimed) {
		cap_claimed = cap_claimed ? 2 * cap_claimed : 16;
		claimed = realloc(claimed, cap_claimed * sizeof(*claimed));
		if (!claimed)
			cli_oom("the run's files");
	}
	claimed[nr_claimed++] = *c;
}

static void claim_release(const struct cli_outfile *of)
{
	for (unsigned int i = 0; i < nr_claimed;)
		if (claimed[i].of == of) {
			free(claimed[i].name);
			claimed[i] = claimed[--nr_claimed];
		} else {
			i++;
		}
}

void cli_outfile_input(const char *path)
{
	struct stat st;
	struct claim c = {0};

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && claim_fill(&c, path, &st))
		claim_add(&c);
}

/* An output to @path (@st: its stat when it exists) that replaces a file of
 * the run: said, true; else claimed for @of. */
static bool claim_output(struct cli_outfile *of, const char *path, const struct stat *st)
{
	struct claim c = {.of = of};

	if (!claim_fill(&c, path, st))
		return false;
	c.path = of->path; /* as given (@path: a link's target) */
	const struct claim *k = claim_find(&c);
	if (!k) {
		claim_add(&c);
		return false;
	}
	bool same = strcmp(k->path, path) == 0;
	fprintf(stderr, "hmmsim: cannot write %s: %s%s%s%s\n", of->path,
		k->of ? "another output of this run goes there too"
		      : "it is an input file of this run",
		same ? "" : " (", same ? "" : k->path, same ? "" : ")");
	free(c.name);
	return true;
}

int cli_outfile_open(struct cli_outfile *of, const char *path)
{
	struct stat st, lst;
	size_t n = strlen(path) + 16;
	bool link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
	bool exists = stat(path, &st) == 0;

	memset(of, 0, sizeof(*of));
	of->path = path;
	if (exists && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "hmmsim: cannot write %s: %s\n", path, strerror(EISDIR));
		return -1;
	}
	if (link && exists && S_ISREG(st.st_mode))
		of->real = realpath(path, NULL); /* the link's target is replaced */
	if ((exists && !S_ISREG(st.st_mode)) || (link && !of->real)) {
		/* /dev/stdout, a FIFO, a link to nothing yet: written in place */
		of->f = fopen(path, "w");
		if (!of->f) {
			fprintf(stderr, "hmmsim: cannot write %s: %s\n", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (of->real) {
		path = of->real;
		n = strlen(path) + 16;
	}
	if (claim_output(of, path, exists ? &st : NULL)) {
		free(of->real);
		memset(of, 0, sizeof(*of));
		return -1;
	}
	of->tmp = malloc(n);
	if (!of->tmp)
		cli_oom("an output file's name");
	snprintf(of->tmp, n, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(of->tmp);
	if (fd < 0) {
		fprintf(stderr, "hmmsim: cannot write %s: %s\n", of->path, strerror(errno));
		claim_release(of);
		free(of->tmp);
		free(of->real);
		memset(of, 0, sizeof(*of));
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask); /* as fopen(path, "w") would have created it */
	of->f = fdopen(fd, "w");
	if (!of->f) {
		unlink(of->tmp);
		close(fd);
		cli_oom("an output file");
	}
	pending_add(of->tmp);
	return 0;
}

void cli_outfile_drop(struct cli_outfile *of)
{
	claim_release(of);
	if (of->f)
		fclose(of->f);
	if (of->tmp) {
		unlink(of->tmp);
		pending_del(of->tmp);
	}
	free(of->tmp);
	free(of->real);
	memset(of, 0, sizeof(*of));
}

int cli_outfile_commit(struct cli_outfile *of)
{
	int err = 0;

	claim_release(of);

	errno = 0;
	if (fflush(of->f) || ferror(of->f) || (of->tmp && fsync(fileno(of->f))))
		err = errno ? errno : EIO;
	if (fclose(of->f) && !err)
		err = errno;
	of->f = NULL;
	if (!err && of->tmp && rename(of->tmp, of->real ? of->real : of->path))
		err = errno;
	if (err)
		fprintf(stderr, "hmmsim: cannot write %s: %s\n", of->path, strerror(err));
	if (err && of->tmp)
		unlink(of->tmp);
	if (of->tmp)
		pending_del(of->tmp);
	free(of->tmp);
	free(of->real);
	memset(of, 0, sizeof(*of));
	return err ? -1 : 0;
}

/* ---- what a report prints beside its interleaving -------------------------------- */

void cli_print_facts(FILE *f, const struct sim_violation *v, unsigned int width)
{
	for (unsigned int i = 0; i < v->nfacts; i++) {
		const char *p = v->facts[i];
		size_t len = strlen(p), at = 2;
		/* cut at spaces to @width, the continuation lines indented more */
		while (width > at + 20 && len > width - at) {
			size_t room = width - at, cut = room;
			while (cut > room / 2 && p[cut] != ' ')
				cut--;
			if (cut <= room / 2)
				cut = room;
			fprintf(f, "%*s%.*s\n", (int)at, "", (int)cut, p);
			for (p += cut, len -= cut; *p == ' '; p++, len--)
				;
			at = 6;
		}
		fprintf(f, "%*s%s\n", (int)at, "", p);
	}
}

void cli_json_facts(FILE *f, const struct sim_violation *v)
{
	fprintf(f, "\"facts\":[");
	for (unsigned int i = 0; i < v->nfacts; i++) {
		if (i)
			fputc(',', f);
		cli_json_str(f, v->facts[i]);
	}
	fputc(']', f);
}

bool cli_json_facts_decode(const char *a, const char *b, struct sim_violation *v)
{
	if (b - a < 2 || *a != '[' || b[-1] != ']')
		return false;
	for (const char *p = a + 1; p < b - 1;) {
		if (*p == ',' || *p == ' ') {
			p++;
			continue;
		}
		const char *q = p + 1;
		if (*p != '"')
			return false;
		for (; q < b - 1 && *q != '"'; q++)
			if (*q == '\\')
				q++;
		if (q >= b - 1)
			return false;
		char *s = cli_json_unstr(p, q + 1), **n;
		n = s ? realloc(v->facts, (v->nfacts + 1) * sizeof(*n)) : NULL;
		if (!n) {
			free(s);
			return false;
		}
		v->facts = n;
		v->facts[v->nfacts++] = s;
		p = q + 1;
	}
	return true;
}

unsigned int cli_term_width(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	uint64_t n;
	return c && cli_parse_u64(c, &n) && n > 0 && n < 100000 ? (unsigned int)n : 80;
}
