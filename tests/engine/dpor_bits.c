// SPDX-License-Identifier: MIT
/*
 * dpor_bits suite: the bits of a sim_bits_t word are objects of their own for
 * dpor (docs/dpor.md, "Bits of one word").  Threads that set, clear, test
 * and store different bits of one word are one class, where the same program
 * on a sim_atomic_t word is several, and both reach unbounded dfs's final
 * states; a test-and-set of a bit against a test of the same bit is still a
 * race, and so is a release of one bit against an acquire of another (the
 * word's happens-before); an operation on no bit is refused.  A part of a
 * word (sim_atomic_wrote_part(), docs/dpor.md "Parts of one word"): the
 * hardware's dirty-bit update commutes with a read blind to it, not with a
 * read that notes the part; a read that uses the part without noting it
 * loses a final state, and the self-check says so.  A read-modify-write
 * marked as an addition (sim_atomic_result_unused()) commutes with the
 * others so marked, which is sound only where the marking holds in every
 * order: a count's puts marked while a bias keeps it above zero reach dfs's
 * final states; marked by their own result (above zero in this order), one
 * final state is lost, unseen by the self-check (the two puts it orders
 * are dependent in the execution it checks) but not by dfs.
 */
#include "dpor_common.h"

#define A (1ul << 0)
#define B (1ul << 1)
#define C (1ul << 2)
#define D (1ul << 3)
#define S (1ul << 5) /* set at the start */
#define H (3ul << 6) /* a two-bit field, stored whole */

struct bw {
	sim_bits_t w;
	sim_atomic_t a; /* the same bits, one object for dpor */
	long x;
	unsigned long r[4];
	int mode;
};

/* mode 0: bit operations on disjoint bits (S only read: T1's set of it
 * finds it set) */
static void bits_one(void *arg)
{
	struct bw *c = arg;
	c->r[0] = sim_bits_fetch_or(&c->w, A | S, SIM_ACQUIRE);
	sim_bits_set(&c->w, B, SIM_RELAXED);
	c->r[1] = sim_bits_load(&c->w, D, SIM_RELAXED);
}

static void bits_two(void *arg)
{
	struct bw *c = arg;
	c->r[2] = sim_bits_fetch_andnot(&c->w, C, SIM_RELAXED);
	sim_bits_store(&c->w, 1ul << 6, H, SIM_RELAXED);
	c->r[3] = sim_bits_load(&c->w, S, SIM_RELAXED);
}

/* mode 1: the same operations on an atomic word */
static void word_one(void *arg)
{
	struct bw *c = arg;
	c->r[0] = (unsigned long)sim_atomic_fetch_or(&c->a, (long)(A | S), SIM_ACQUIRE) & (A | S);
	sim_atomic_or(&c->a, (long)B, SIM_RELAXED);
	c->r[1] = (unsigned long)sim_atomic_load(&c->a, SIM_RELAXED) & D;
}

static void word_two(void *arg)
{
	struct bw *c = arg;
	c->r[2] = (unsigned long)sim_atomic_fetch_and(&c->a, ~(long)C, SIM_RELAXED) & C;
	long v = sim_atomic_load(&c->a, SIM_RELAXED);
	sim_atomic_store(&c->a, (v & ~(long)H) | (long)(1ul << 6), SIM_RELAXED);
	c->r[3] = (unsigned long)sim_atomic_load(&c->a, SIM_RELAXED) & S;
}

/* mode 2, the planted bug: "owning" bit A by a test-and-set, a checker that
 * tests A and then expects x untouched (other bits around it) */
static void tas_owner(void *arg)
{
	struct bw *c = arg;
	sim_bits_set(&c->w, B, SIM_RELAXED);
	if (!sim_bits_fetch_or(&c->w, A, SIM_ACQUIRE))
		SIM_WRITE_ONCE(c->x, 1);
}

static void tas_checker(void *arg)
{
	struct bw *c = arg;
	sim_bits_set(&c->w, C, SIM_RELAXED);
	if (!sim_bits_load(&c->w, A, SIM_RELAXED))
		sim_check(!SIM_READ_ONCE(c->x), "x written while bit A was seen clear");
}

/* mode 3: a plain store, then a relaxed set of bit C and a release of bit
 * A; a reader that sees C acquires bit B and reads the store.  Ordered only
 * when the acquire comes after the release (the word's release sequence): C
 * gives dpor the order of the store and the read, not the happens-before,
 * so the release and the acquire must be dependent for the race to be found
 * (T1 running first is race-free). */
static void rel_writer(void *arg)
{
	struct bw *c = arg;
	SIM_PLAIN_WRITE(c->x, 1);
	sim_bits_set(&c->w, C, SIM_RELAXED);
	sim_bits_set(&c->w, A, SIM_RELEASE);
}

static void acq_reader(void *arg)
{
	struct bw *c = arg;
	if (!sim_bits_load(&c->w, C, SIM_RELAXED))
		return;
	(void)sim_bits_load(&c->w, B, SIM_ACQUIRE);
	c->r[0] = (unsigned long)SIM_PLAIN_READ(c->x);
}

/* modes 5-7: the hardware sets bit D of a word alone; the other thread
 * reads the word blind to D (5), reads D and notes it (6), or reads D and
 * does not note it (7, the planted bug) */
static void part_setter(void *arg)
{
	struct bw *c = arg;
	long v = sim_atomic_load(&c->a, SIM_RELAXED);
	sim_note_access((const char *)&c->a + 1, false);
	long old = v & ~(long)D;
	if (sim_atomic_cmpxchg(&c->a, &old, old | (long)D, SIM_RELAXED))
		sim_atomic_wrote_part(&c->a, (const char *)&c->a + 1);
}

static void part_reader(void *arg)
{
	struct bw *c = arg;
	long v = sim_atomic_load(&c->a, SIM_RELAXED);
	if (c->mode == 6)
		sim_note_access((const char *)&c->a + 1, false);
	c->r[0] = (unsigned long)v & (c->mode == 5 ? ~D : ~0ul);
}

/* mode 4: an operation that names no bit */
static void no_bit(void *arg)
{
	struct bw *c = arg;
	(void)sim_bits_load(&c->w, 0, SIM_RELAXED);
}

static void bw_main(void *arg)
{
	struct bw *c = sim_alloc(sizeof(*c));
	static const sim_thread_fn fns[][2] = {
	    {bits_one, bits_two},	{word_one, word_two},	    {tas_owner, tas_checker},
	    {rel_writer, acq_reader},	{no_bit, no_bit},	    {part_setter, part_reader},
	    {part_setter, part_reader}, {part_setter, part_reader},
	};
	c->mode = (int)(uintptr_t)arg;
	sim_bits_init(&c->w, S | D);
	sim_atomic_init(&c->a, (long)(c->mode >= 5 ? S : S | D));
	int t0 = sim_thread_spawn("one", fns[c->mode][0], c);
	int t1 = sim_thread_spawn("two", fns[c->mode][1], c);
	sim_thread_join(t0);
	sim_thread_join(t1);
	if (c->mode == 0) { /* each did what it said, to its bits only */
		sim_check(sim_bits_load(&c->w, ~0ul, SIM_RELAXED) == (A | B | D | S | 1ul << 6),
			  "word %#lx", sim_bits_load(&c->w, ~0ul, SIM_RELAXED));
		sim_check(c->r[0] == S && c->r[1] == D && c->r[2] == 0 && c->r[3] == S,
			  "results %#lx %#lx %#lx %#lx", c->r[0], c->r[1], c->r[2], c->r[3]);
	}
}

#define BW(nm, mode) SCENARIO(nm, bw_main, .arg = (void *)(uintptr_t)(mode))

/* Disjoint bits: one class, where the atomic word has several; both reach
 * dfs's final states. */
static void test_disjoint_bits(void)
{
	struct sim_scenario bits = BW("bits-disjoint", 0), word = BW("word-disjoint", 1);
	struct sim_result r = run_dpor(&bits, true);
	CU_ASSERT_EQUAL(r.executions, 1);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
	uint64_t nb = same_as_dfs(&bits), nw = same_as_dfs(&word);
	CU_ASSERT_EQUAL(nb, 1);
	CU_ASSERT_TRUE(nw > 1);
	if (nb != 1 || nw <= 1)
		fprintf(stderr, "disjoint bits: %llu executions, on an atomic word %llu\n",
			(unsigned long long)nb, (unsigned long long)nw);
}

/* A test-and-set of bit A against a test of A: the bug is found. */
static void test_same_bit_found(void)
{
	struct sim_scenario sc = BW("bits-tas", 2);
	struct sim_result r = run_dpor(&sc, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_ASSERT);
	sim_result_free(&r);
}

/* A release of bit A and an acquire of bit B: two orders (the race is in
 * one of them), not one. */
static void test_word_order_kept(void)
{
	struct sim_scenario sc = BW("bits-release", 3);
	struct sim_result r = run_dpor(&sc, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_DATA_RACE);
	sim_result_free(&r);
}

/* A part of a word: blind reads commute with its writer, a read that notes
 * it does not, and both reach dfs's final states. */
static void test_part(void)
{
	struct sim_scenario blind = BW("part-blind", 5), noted = BW("part-noted", 6);
	uint64_t nb = same_as_dfs(&blind), nn = same_as_dfs(&noted);
	CU_ASSERT_EQUAL(nb, 1);
	CU_ASSERT_EQUAL(nn, 2);
	if (nb != 1 || nn != 2)
		fprintf(stderr, "part: blind %llu executions, noted %llu\n", (unsigned long long)nb,
			(unsigned long long)nn);
}

/* A planted bug's effect: dpor reaches 1 of dfs's 2 final states.  Return:
 * dpor's sleep-set-blocked executions. */
static uint64_t final_states_lost(const struct sim_scenario *sc)
{
	struct hashes a = {0}, b = {0};
	struct sim_result d = run_hashes(sc, SIM_STRATEGY_DPOR, &a);
	struct sim_result f = run_hashes(sc, SIM_STRATEGY_DFS, &b);
	CU_ASSERT_EQUAL(a.n, 1);
	CU_ASSERT_EQUAL(b.n, 2);
	uint64_t blocked = d.sleep_blocked;
	free(a.h);
	free(b.h);
	sim_result_free(&d);
	sim_result_free(&f);
	return blocked;
}

/* The planted bug: a read that uses the part without noting it misses the
 * order where it sees the part written, and the self-check reports it. */
static void test_part_missed(void)
{
	struct sim_scenario sc = BW("part-missed", 7);
	final_states_lost(&sc);
	struct sim_result r = run_dpor(&sc, true);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_POR_CHECK);
	sim_result_free(&r);
}

/* Two puts and a kill of a count with a bias (model/memremap.c's pagemap
 * ref); the one that reaches zero says who it is.  Mode 0 marks a put that
 * leaves the bias there.  Mode 1, the planted misuse: two puts of a count
 * of 2 without a bias, each marked when its own result is above zero.
 * Mode 2: mode 1, with a's put followed by a write of v and a reader x of v
 * that runs first: the branch where b's put comes first starts with x and a
 * asleep, and is cut short of the choices between them. */
#define PUT_BIAS (1l << 20)

struct putc {
	sim_atomic_t count, who, v;
	int mode;
};

static void put_one(struct putc *c, long nr, long me)
{
	long n = sim_atomic_sub_return(&c->count, nr, SIM_RELAXED);
	if (nr == 1 && (c->mode ? n > 0 : n > PUT_BIAS / 2))
		sim_atomic_result_unused(&c->count);
	if (n == 0)
		sim_atomic_store(&c->who, me, SIM_RELAXED);
}

static void putter_a(void *arg)
{
	put_one(arg, 1, 1);
}

static void putter_b(void *arg)
{
	put_one(arg, 1, 2);
}

static void killer(void *arg)
{
	put_one(arg, PUT_BIAS, 3);
}

static void reader(void *arg)
{
	struct putc *c = arg;
	(void)sim_atomic_load(&c->v, SIM_RELAXED);
	(void)sim_atomic_load(&c->v, SIM_RELAXED);
}

static void putter_a_writes(void *arg)
{
	struct putc *c = arg;
	put_one(c, 1, 1);
	sim_atomic_store(&c->v, 1, SIM_RELAXED);
}

static void put_main(void *arg)
{
	struct putc *c = sim_alloc(sizeof(*c));
	c->mode = (int)(uintptr_t)arg;
	sim_atomic_init(&c->count, c->mode ? 2 : 2 + PUT_BIAS);
	int x = c->mode == 2 ? sim_thread_spawn("x", reader, c) : -1; /* runs first */
	int t[4] = {sim_thread_spawn("a", c->mode == 2 ? putter_a_writes : putter_a, c),
		    sim_thread_spawn("b", putter_b, c),
		    c->mode ? -1 : sim_thread_spawn("kill", killer, c), x};
	for (int i = 0; i < 4; i++)
		if (t[i] >= 0)
			sim_thread_join(t[i]);
}

/* The sleepers' check reports @sc's planted misuse, and each report's token,
 * the cut execution with the sleeper's put next and run to its end,
 * replays: the cut execution's own token stops short of the choices after
 * the cut when more than one thread is asleep there. */
static void sleeper_reports_replay(const struct sim_scenario *sc)
{
	struct sim_options o = {.strategy = SIM_STRATEGY_DPOR,
				.iterations = UINT64_MAX,
				.por_check = true,
				.keep_going = true,
				.max_reports = 16};
	struct sim_result r;
	CU_ASSERT_EQUAL(sim_explore(sc, &o, &r), 0);
	CU_ASSERT_TRUE(r.nr_reports > 0);
	for (unsigned int i = 0; i < r.nr_reports; i++) {
		CU_ASSERT_STRING_EQUAL(r.reports[i].kind, SIM_KIND_POR_CHECK);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.reports[i].message, "stayed asleep across"));
		struct sim_options ro = {.strategy = SIM_STRATEGY_REPLAY,
					 .schedule = r.reports[i].schedule};
		struct sim_result p;
		CU_ASSERT_EQUAL(sim_explore(sc, &ro, &p), 0);
		if (p.error[0])
			fprintf(stderr, "%s, report %u: %s\n", sc->name, i, p.error);
		CU_ASSERT_EQUAL(p.violations_found, 0);
		sim_result_free(&p);
	}
	sim_result_free(&r);
}

static void test_result_unused(void)
{
	struct sim_scenario bias = SCENARIO("put-bias", put_main, .arg = (void *)0);
	struct sim_scenario own = SCENARIO("put-own-result", put_main, .arg = (void *)1);
	struct sim_scenario rd = SCENARIO("put-own-reader", put_main, .arg = (void *)2);
	uint64_t n = same_as_dfs(&bias); /* a, b or the kill reaches zero */
	CU_ASSERT_TRUE(n >= 3);
	/* a or b reaches zero; dpor's lost order ends sleep-set blocked */
	CU_ASSERT_TRUE(final_states_lost(&own) > 0);
	/* the linearizations of one execution agree; the sleeper's check sees it */
	sleeper_reports_replay(&own);
	sleeper_reports_replay(&rd);
	struct sim_result r = run_dpor(&bias, true);
	CU_ASSERT_EQUAL(r.violations_found, 0);
	CU_ASSERT_TRUE(r.exhausted);
	sim_result_free(&r);
}

static void test_empty_mask_refused(void)
{
	struct sim_scenario sc = BW("bits-empty", 4);
	struct sim_result r = run_dpor(&sc, false);
	CU_ASSERT_STRING_EQUAL(first_kind(&r), SIM_KIND_ENGINE);
	sim_result_free(&r);
}

void hmmsim_test_register(void)
{
	CU_pSuite s = CU_add_suite("dpor_bits", NULL, NULL);
	CU_add_test(s, "disjoint bits of one word: one class, dfs's final states",
		    test_disjoint_bits);
	CU_add_test(s, "a test-and-set against a test of the same bit is found",
		    test_same_bit_found);
	CU_add_test(s, "a release and an acquire of other bits stay ordered", test_word_order_kept);
	CU_add_test(s, "a bit operation on no bit is refused", test_empty_mask_refused);
	CU_add_test(s,
		    "an addition by the model's word: sound only where it holds in every order, "
		    "and the self-check says when it does not",
		    test_result_unused);
	CU_add_test(s, "a part of a word commutes with reads blind to it, not with those noting it",
		    test_part);
	CU_add_test(s, "a read that uses a part it does not note: lost, and the self-check says so",
		    test_part_missed);
}
