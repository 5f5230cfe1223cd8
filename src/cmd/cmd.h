/* cmd.h — the subcommands; each takes argv starting at its own name and returns an
 * exit status (an rgx_err). */
#ifndef RGX_CMD_H
#define RGX_CMD_H

int cmd_export(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_harmonise(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_pca(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
