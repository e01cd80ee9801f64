/* cmd.h: the subcommands of the khaosat program. Each takes the arguments
 * after its name (argv[0] is the subcommand) and returns the exit status. */
#ifndef KHAOSAT_CMD_H
#define KHAOSAT_CMD_H

/* khaosat validate [--coverage] FORM.yaml... */
int cmd_validate(int argc, char **argv);
/* khaosat eval [--set NAME=VALUE]... EXPRESSION */
int cmd_eval(int argc, char **argv);

/* khaosat simulate --form ID --count N [--seed S] */
int cmd_simulate(int argc, char **argv);
/* khaosat (no subcommand): the enumerator's interview screen */
int cmd_tui(int argc, char **argv);

#endif
