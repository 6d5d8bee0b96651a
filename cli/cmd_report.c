/* cli/cmd_report.c — placeholder until the analysis work lands; replaced by its owner. */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("report", "not built yet in this version");
	return 2;
}
