/*
 * cli/cmd_whatif.c — `mapbench whatif T.mtr`: NOT IMPLEMENTED YET (issue 17,
 * unfinished). Says so and exits 2; nothing is computed or written.
 */
#include "cli/cmds.h"
#include "common/mb.h"

int cmd_whatif(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mb_err("whatif", "not implemented yet (issue 17 unfinished): use `mapbench run` and "
			 "`mapbench sim --profile host` per method on the recorded trace");
	return 2;
}
