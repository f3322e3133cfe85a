// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for scenario files: parse any bytes as an .hsc file and,
 * when they parse, run one execution of the scenario.  Either must end with
 * 0 / -EINVAL or a reported violation: never a crash, a hang or a sanitizer
 * report.  Built and run by scripts/fuzz (clang, -fsanitize=fuzzer).
 */
#include <hmmsim/explore.h>
#include <hmmsim/scenario_file.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_scenario *sc;
	char err[512];

	if (hs_scenario_parse("fuzz.hsc", (const char *)data, size, &sc, err, sizeof(err)))
		return 0;
	struct sim_options o = {
	    .strategy = SIM_STRATEGY_RANDOM,
	    .seed = 1,
	    .iterations = 1,
	    .step_bound = 20000,
	};
	struct sim_result r;
	if (sim_explore(sc, &o, &r) == 0)
		sim_result_free(&r);
	hs_scenario_free(sc);
	return 0;
}
