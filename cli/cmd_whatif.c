/* stub */
#include "cli/cmds.h"
int cmd_whatif(int argc, char **argv){(void)argc;(void)argv;return 2;}
