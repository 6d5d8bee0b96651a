/* cli/cmd_merge.c — placeholder until the analysis work lands; replaced by its owner. */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_merge(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("merge", "not built yet in this version");
	return 2;
}
