/*
 * fuzz/fuzz_profile.c — libFuzzer target: the model's INI cost-profile
 * parser, sim_profile_parse() (sim/sim.h). Oracle:
 *   - failure: -EINVAL and a message;
 *   - success: name NUL-terminated, a finite positive frequency (ns =
 *     cycles / ghz must stay finite).
 */
#include "sim/sim.h"
#include "fuzz/fuzz_util.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_profile p;
	char err[1024] = "";
	int ret = sim_profile_parse((const char *)data, size, "fuzz.ini", &p, err, sizeof(err));

	if (ret) {
		fuzz_note("parse", err);
		FUZZ_CHECK(ret < 0, "parse returned %d", ret);
		FUZZ_CHECK(err[0], "parse failed (%d) without a message", ret);
		return 0;
	}
	FUZZ_CHECK(memchr(p.name, '\0', sizeof(p.name)), "name not terminated");
	FUZZ_CHECK(memchr(p.source, '\0', sizeof(p.source)), "source not terminated");
	FUZZ_CHECK(isfinite(p.ghz) && p.ghz > 0, "ghz %g", p.ghz);
	return 0;
}
