/* cli/cmd_sim.c — placeholder until the sim work lands; replaced by its owner. */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_sim(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("sim", "not built yet in this version");
	return 2;
}
