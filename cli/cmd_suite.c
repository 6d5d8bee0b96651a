/* cli/cmd_suite.c — placeholder until the suite work lands; replaced by its owner. */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_suite(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("suite", "not built yet in this version");
	return 2;
}
