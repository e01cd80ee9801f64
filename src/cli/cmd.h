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
/* khaosat report [--db PATH] [--forms DIR] [--format F] [--out FILE]... */
int cmd_report(int argc, char **argv);
/* khaosat csv --out DIR [--db PATH] [--forms DIR] [--labels] [--bom] */
int cmd_csv(int argc, char **argv);
/* khaosat export --to DIR [--all] [--drafts] [--db PATH] */
int cmd_export(int argc, char **argv);
/* khaosat verify [--db PATH] BUNDLE... */
int cmd_verify(int argc, char **argv);
/* khaosat bundle dump [--db PATH] BUNDLE [OUT.sqlite] */
int cmd_bundle(int argc, char **argv);
/* khaosat merge [--db PATH] [--allow-unsigned] BUNDLE|DIR... */
int cmd_merge(int argc, char **argv);
/* khaosat forms accept [--db PATH] [--allow-unsigned] BUNDLE... */
int cmd_forms(int argc, char **argv);
/* khaosat conflicts [--all] [--db PATH] */
int cmd_conflicts(int argc, char **argv);
/* khaosat duplicates [--db PATH] [--same A B --keep A|--different A B] */
int cmd_duplicates(int argc, char **argv);
/* khaosat resolve [--db PATH] UUID QID[@PATH] --take VALUE|--mine|--theirs */
int cmd_resolve(int argc, char **argv);
/* khaosat answer [--db PATH] [--remove] UUID QID[@PATH] VALUE */
int cmd_answer(int argc, char **argv);
/* khaosat note [--db PATH] UUID QID[@PATH] TEXT */
int cmd_note(int argc, char **argv);
/* khaosat reopen [--db PATH] UUID */
int cmd_reopen(int argc, char **argv);
/* khaosat finalise [--db PATH] UUID */
int cmd_finalise(int argc, char **argv);
/* khaosat keys export|trust|list|revoke|backup|restore ... */
int cmd_keys(int argc, char **argv);
/* khaosat backup --to FILE [--with-keys] [--db PATH] */
int cmd_backup(int argc, char **argv);
/* khaosat restore [--replace] [--db PATH] FILE */
int cmd_restore(int argc, char **argv);
/* khaosat review [--db PATH] UUID --approve|--return|--clear [--comment T] */
int cmd_review(int argc, char **argv);
/* khaosat reviews [--db PATH] [--state STATE] */
int cmd_reviews(int argc, char **argv);
/* khaosat list: the interviews by name, as the home screen lists them. */
int cmd_list(int argc, char **argv);
/* khaosat import-xlsform FORM.xlsx [--out FORM.yaml] */
int cmd_import_xlsform(int argc, char **argv);
/* khaosat export-xlsform FORM.yaml [--out FORM.xlsx] */
int cmd_export_xlsform(int argc, char **argv);
/* khaosat setup [commune|villages FILE|households FILE|assign V E] */
int cmd_setup(int argc, char **argv);

#endif
