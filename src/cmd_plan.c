/* cmd_plan.c — `radiogx plan`: placeholder until the manifest module lands. */
#include <stdio.h>

#include "cmd.h"
#include "err.h"

int cmd_plan(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "radiogx plan: not implemented yet\n");
    return RGX_ERR_INTERNAL;
}
