// SPDX-License-Identifier: MIT
/*
 * bench/sched_switch: what does one scheduling point of the deterministic
 * engine cost, next to the two other ways of running "threads" one at a time
 * on a host, glibc swapcontext() and a real pthread handoff?
 *
 *  engine_ns           two simulated threads that sim_yield() N times each,
 *                      run with sim_explore() (random strategy): each yield
 *                      is a scheduling point (step count, livelock bound,
 *                      strategy hooks, pick of the next thread) plus a fiber
 *                      switch to the other thread.  With one other runnable
 *                      thread the pick has a single candidate, so the engine
 *                      takes it without calling the strategy's choose().
 *  engine_choice_ns    the same with three yielding threads under pct, so
 *                      every yield has two candidates and choose() runs;
 *                      pct's on_yield() rotates the threads round robin.
 *  engine_noswitch_ns  one thread alone doing N SIM_READ_ONCE(): a scheduling
 *                      point that neither chooses nor switches.
 *  swapcontext_ns      two ucontext_t contexts ping-ponging with swapcontext().
 *  pthread_ns          two pthreads handing a token back and forth under a
 *                      mutex and a condition variable; ns per handoff.
 *
 * Every figure is the best of three repetitions.  The last line printed is
 * one JSON object with the figures and the ratios to engine_ns.
 */
#define _GNU_SOURCE
#include <hmmsim/atomic.h>
#include <hmmsim/explore.h>
#include <hmmsim/scenario.h>
#include <hmmsim/thread.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#define REPS	     3
#define ENGINE_N     200000L	 /* yields per simulated thread per execution */
#define ENGINE_EXECS 5		 /* executions per repetition */
#define SWAPCTX_N    1000000L	 /* swapcontext() calls per repetition */
#define PTHREAD_N    20000L	 /* handoffs per repetition */
#define CO_STACK     (64u << 10) /* stack of the swapcontext() partner */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double min2(double a, double b)
{
	return a < b ? a : b;
}

/* ---- the engine ---------------------------------------------------------- */

struct yield_cfg {
	long n;	      /* scheduling points per thread */
	int nthreads; /* yielding threads; 0: main reads alone */
	long sink;    /* keeps the reads alive */
};

static void yielder(void *arg)
{
	const struct yield_cfg *cfg = arg;

	for (long i = 0; i < cfg->n; i++)
		sim_yield();
}

static void yield_main(void *arg)
{
	struct yield_cfg *cfg = arg;
	int tid[8];

	if (!cfg->nthreads) {
		long x = 1, sum = 0;

		for (long i = 0; i < cfg->n; i++)
			sum += SIM_READ_ONCE(x);
		cfg->sink += sum;
		return;
	}
	for (int i = 0; i < cfg->nthreads; i++)
		tid[i] = sim_thread_spawn("yielder", yielder, cfg);
	for (int i = 0; i < cfg->nthreads; i++)
		sim_thread_join(tid[i]);
}

/*
 * ns per scheduling point of @cfg's scenario under @strategy, best of REPS.
 * pct runs one extra calibration execution before the iterations, which does
 * the same number of scheduling points, so it is counted.
 */
static double engine_ns(struct yield_cfg *cfg, enum sim_strategy strategy)
{
	struct sim_scenario sc = {
	    .name = "bench-yield",
	    .summary = "threads that only yield",
	    .main = yield_main,
	    .arg = cfg,
	    .step_bound = 10ul * (unsigned long)cfg->n * (cfg->nthreads ? cfg->nthreads : 1),
	};
	struct sim_options opt = {
	    .strategy = strategy,
	    .seed = 1,
	    .iterations = ENGINE_EXECS,
	};
	uint64_t execs = ENGINE_EXECS + (strategy == SIM_STRATEGY_PCT);
	double points = (double)execs * (double)cfg->n * (cfg->nthreads ? cfg->nthreads : 1);
	double best = 1e300;

	for (int r = 0; r < REPS; r++) {
		struct sim_result res;
		double t0 = now_ns();
		int err = sim_explore(&sc, &opt, &res);
		double t = now_ns() - t0;

		if (err || res.violations_found || res.executions != ENGINE_EXECS) {
			fprintf(stderr, "sched_switch: engine run failed (%d): %s%s\n", err,
				res.error, res.nr_reports ? res.reports[0].message : "");
			exit(1);
		}
		sim_result_free(&res);
		best = min2(best, t / points);
	}
	return best;
}

/* ---- glibc swapcontext() ------------------------------------------------- */

static ucontext_t uc_main, uc_co;

static void co_fn(void)
{
	for (;;)
		swapcontext(&uc_co, &uc_main);
}

/* Kept apart from the timed loop: getcontext() returns twice. */
static __attribute__((noinline)) void co_setup(void)
{
	void *stack = malloc(CO_STACK);

	if (!stack || getcontext(&uc_co)) {
		perror("sched_switch: swapcontext setup");
		exit(1);
	}
	uc_co.uc_stack.ss_sp = stack;
	uc_co.uc_stack.ss_size = CO_STACK;
	uc_co.uc_link = NULL;
	makecontext(&uc_co, co_fn, 0);
}

static double swapcontext_ns(void)
{
	double best = 1e300;

	co_setup();
	for (int r = 0; r < REPS; r++) {
		double t0 = now_ns();

		/* Two switches per round trip: there and back. */
		for (long i = 0; i < SWAPCTX_N / 2; i++)
			swapcontext(&uc_main, &uc_co);
		best = min2(best, (now_ns() - t0) / (double)SWAPCTX_N);
	}
	/* The partner stays parked in its loop; its stack stays allocated. */
	return best;
}

/* ---- pthread handoff ----------------------------------------------------- */

struct pingpong {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int turn;    /* whose turn: 0 or 1 */
	long rounds; /* handoffs each side makes */
};

static void pingpong_side(struct pingpong *pp, int side)
{
	for (long i = 0; i < pp->rounds; i++) {
		pthread_mutex_lock(&pp->lock);
		while (pp->turn != side)
			pthread_cond_wait(&pp->cond, &pp->lock);
		pp->turn = !side;
		pthread_cond_signal(&pp->cond);
		pthread_mutex_unlock(&pp->lock);
	}
}

static void *pingpong_thread(void *arg)
{
	pingpong_side(arg, 1);
	return NULL;
}

static double pthread_ns(void)
{
	double best = 1e300;

	for (int r = 0; r < REPS; r++) {
		struct pingpong pp = {
		    .lock = PTHREAD_MUTEX_INITIALIZER,
		    .cond = PTHREAD_COND_INITIALIZER,
		    .turn = 0,
		    .rounds = PTHREAD_N / 2,
		};
		pthread_t th;
		double t0 = now_ns();

		if (pthread_create(&th, NULL, pingpong_thread, &pp)) {
			perror("sched_switch: pthread_create");
			exit(1);
		}
		pingpong_side(&pp, 0);
		pthread_join(th, NULL);
		best = min2(best, (now_ns() - t0) / (double)PTHREAD_N);
		pthread_cond_destroy(&pp.cond);
		pthread_mutex_destroy(&pp.lock);
	}
	return best;
}

int main(void)
{
	struct yield_cfg two = {.n = ENGINE_N, .nthreads = 2};
	struct yield_cfg three = {.n = ENGINE_N, .nthreads = 3};
	struct yield_cfg alone = {.n = 2 * ENGINE_N, .nthreads = 0};
	double eng, eng_choice, eng_alone, sc, pt;

	eng = engine_ns(&two, SIM_STRATEGY_RANDOM);
	eng_choice = engine_ns(&three, SIM_STRATEGY_PCT);
	eng_alone = engine_ns(&alone, SIM_STRATEGY_RANDOM);
	sc = swapcontext_ns();
	pt = pthread_ns();

	printf("engine: %.2f ns per scheduling point with a switch "
	       "(2 threads x %ld sim_yield(), random, %d executions, best of %d)\n",
	       eng, ENGINE_N, ENGINE_EXECS, REPS);
	printf("engine: %.2f ns per scheduling point with a switch and a 2-way choice "
	       "(3 threads x %ld sim_yield(), pct)\n",
	       eng_choice, ENGINE_N);
	printf("engine: %.2f ns per scheduling point without a switch "
	       "(1 thread x %ld SIM_READ_ONCE())\n",
	       eng_alone, alone.n);
	printf("swapcontext: %.2f ns per switch (%ld switches, best of %d)\n", sc, SWAPCTX_N, REPS);
	printf("pthread: %.2f ns per handoff (mutex + condvar, %ld handoffs, best of %d)\n", pt,
	       PTHREAD_N, REPS);
	printf("ratio swapcontext/engine: %.2f\n", sc / eng);
	printf("ratio pthread/engine: %.2f\n", pt / eng);
	printf("{\"engine_ns\": %.2f, \"swapcontext_ns\": %.2f, \"pthread_ns\": %.2f, "
	       "\"engine_choice_ns\": %.2f, \"engine_noswitch_ns\": %.2f, "
	       "\"ratio_swapcontext\": %.2f, \"ratio_pthread\": %.2f}\n",
	       eng, sc, pt, eng_choice, eng_alone, sc / eng, pt / eng);
	return 0;
}
