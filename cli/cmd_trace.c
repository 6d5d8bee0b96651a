/* cli/cmd_trace.c — placeholder until the traces work lands; replaced by its owner. */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("trace", "not built yet in this version");
	return 2;
}
