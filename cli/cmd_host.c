/* cli/cmd_host.c — placeholder until the bench work lands; replaced by its owner. */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_host(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("host", "not built yet in this version");
	return 2;
}
