/* cmd_answer.c: khaosat answer and khaosat finalise: changing and finishing
 * an interview from a script or a terminal, through the same session entry
 * points as the interview screen (canonical values, checks, roster
 * removals asked for, corrections of complete interviews audited). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "report/report.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/util.h"
#include "session/session.h"

void cmd_split_answer(const char *arg, char **qid, char **path)
{
    const char *at = strchr(arg, '@');
    *qid = at ? xstrndup(arg, (size_t)(at - arg)) : xstrdup(arg);
    *path = xstrdup(at ? at + 1 : "");
}

/* Open interview uuid as a session; *f receives its form. NULL (after
 * saying why) when it cannot be opened. */
static session *answer_open(store *st, const char *prog, const char *uuid,
                            form **f)
{
    session *s = NULL;
    char *err = NULL;
    if (session_open_stored(st, uuid, &s, f, &err) != 0) {
        cmd_eprintf("%s: %s\n", prog, err ? err : uuid);
        free(err);
    }
    return s;
}

/* Free what answer_open gave (either may be NULL). */
static void answer_close(session *s, form *f)
{
    if (s) {
        session_free(s);
        form_free(f);
    }
}

/* Say why finalising stopped: one line per problem. */
static void answer_print_problems(session *s, const char *prog,
                                  const char *uuid)
{
    session_problem *p;
    size_t n = session_problems(s, &p);
    const form *f = inst_form(session_inst(s));
    cmd_eprintf(_("%s: interview %s is not finished: %zu question(s) "
                      "need attention\n"), prog, uuid, n);
    for (size_t i = 0; i < n; i++) {
        char *path = inst_frame_path(p[i].item.fr);
        cmd_eprintf("  %s%s%s: %s\n", f->q[p[i].item.q].id,
                *path ? "@" : "", path, p[i].msg ? p[i].msg : "");
        free(path);
    }
    session_problems_free(p, n);
}

/* Say which answers stand though the office should hear of them (codes
 * kept from before the commune's set-up). */
static void answer_print_warnings(session *s, const char *prog)
{
    session_problem *p;
    size_t n = session_warnings(s, &p);
    const form *f = inst_form(session_inst(s));
    for (size_t i = 0; i < n; i++) {
        char *path = inst_frame_path(p[i].item.fr);
        cmd_eprintf(_("%s: warning: interview %s, %s%s%s: %s\n"), prog,
                    session_uuid(s), f->q[p[i].item.q].id, *path ? "@" : "",
                    path, p[i].msg);
        free(path);
    }
    session_problems_free(p, n);
}

/* Say when the key just completed is another interview's too. */
static void answer_warn_twins(session *s, const char *prog, session_item it)
{
    char **twins;
    long n = session_key_twins(s, it, &twins);
    if (n < 0)
        cmd_eprintf("%s: %s\n", prog, session_errmsg(s));
    for (long i = 0; i < n; i++) {
        cmd_eprintf(_("%s: warning: interview %s has the same key as "
                          "interview %s on this database\n"), prog,
                session_uuid(s), twins[i]);
        free(twins[i]);
    }
    if (n > 0)
        free(twins);
}

/* Report a refusal of value for item name; 0 when there is none. */
static int answer_refused(session *s, const char *prog, const char *name,
                          const char *value, int rc, const char *msg)
{
    if (rc == SESSION_NOT_ON_LIST)
        cmd_eprintf(_("%s: %s of interview %s: %s If this household is new "
                      "or missing from the list, say so: khaosat answer "
                      "--not-on-list %s %s %s\n"), prog, name,
                    session_uuid(s), msg, session_uuid(s), name, value);
    else if (rc == SESSION_REMOVES)
        cmd_eprintf(_("%s: %s of interview %s: %s Nothing was changed; "
                          "run again with --remove to remove them.\n"),
                prog, name, session_uuid(s), msg);
    else if (rc != INST_OK)
        cmd_eprintf(_("%s: %s of interview %s: %s\n"), prog, name,
                session_uuid(s), msg ? msg : _("refused"));
    return rc != INST_OK;
}

/* Apply value to item it: a refusal is reported; 0 when saved. A value
 * refused changes nothing, not even the status of a complete interview. */
static int answer_apply(session *s, const char *prog, session_item it,
                        const char *name, const char *value, int flags)
{
    /* The same value again changes nothing: a complete interview stays
     * complete.  But a number saved before its list came is asked about
     * again, as the screen does, draft or complete: session_answer saves
     * nothing for the same value, it only checks the list again.  Only
     * an unconfirmed number with --not-on-list goes on, to be confirmed
     * (a complete interview is reopened for it, as for a correction). */
    char *msg = NULL;
    int rc;
    if (session_same_answer(s, it, value)) {
        rc = session_answer_confirmed(s, it, value, 0, &msg);
        if (!(flags & CMD_NOT_ON_LIST) || rc != SESSION_NOT_ON_LIST) {
            int bad = answer_refused(s, prog, name, value, rc, msg);
            free(msg);
            return bad;
        }
        free(msg);
        msg = NULL;
    }
    rc = session_check(s, it, value, &msg);
    if ((rc == SESSION_REMOVES && (flags & CMD_REMOVE))
        || (rc == SESSION_NOT_ON_LIST && (flags & CMD_NOT_ON_LIST)))
        rc = INST_OK;
    int bad = answer_refused(s, prog, name, value, rc, msg);
    free(msg);
    msg = NULL;
    if (bad)
        return 1;
    if (session_is_complete(s) && session_reopen(s) != 0) {
        cmd_eprintf("%s: %s\n", prog, session_errmsg(s));
        return 1;
    }
    int confirm = ((flags & CMD_REMOVE) ? SESSION_CONFIRM_REMOVE : 0)
                  | ((flags & CMD_NOT_ON_LIST) ? SESSION_CONFIRM_NOT_ON_LIST
                                               : 0);
    rc = session_answer_confirmed(s, it, value, confirm, &msg);
    bad = answer_refused(s, prog, name, value, rc, msg);
    free(msg);
    if (!bad)
        answer_warn_twins(s, prog, it);
    return bad;
}

int cmd_set_answer(store *st, const char *prog, const char *uuid,
                   const char *qid, const char *path, const char *value,
                   int flags)
{
    form *f;
    session *s = answer_open(st, prog, uuid, &f);
    if (!s)
        return 1;
    session_item it;
    char *name = *path ? xasprintf("%s@%s", qid, path) : xstrdup(qid);
    int rc = 1, was_complete = session_is_complete(s);
    if (session_find_item(s, qid, path, &it) != 0)
        cmd_eprintf(_("%s: interview %s has no question %s at \"%s\"\n"),
                prog, uuid, qid, path);
    else if ((flags & CMD_NOT_ON_LIST)
             && !form_meta(&f->q[it.q], "list_check")) {
        /* Said of a question with no list to be missing from: a
         * mistake, not a confirmation to keep. */
        cmd_eprintf(_("%s: --not-on-list: question %s has no list to "
                      "check (only a question with list_check takes it); "
                      "nothing was changed\n"), prog, qid);
        rc = 2;
    } else
        rc = answer_apply(s, prog, it, name, value, flags);
    /* An accepted correction leaves a draft unless asked to finish it
     * again (resolve); finishing checks every question. */
    if (was_complete && !session_is_complete(s) &&
        (flags & CMD_KEEP_COMPLETE)) {
        int left = session_finalise(s);
        if (left < 0)
            cmd_eprintf("%s: %s\n", prog, session_errmsg(s));
        else if (left > 0)
            answer_print_problems(s, prog, uuid);
    } else if (was_complete && !session_is_complete(s)) {
        cmd_eprintf(_("%s: interview %s is a draft again; finish it with "
                          "'khaosat finalise %s'\n"), prog, uuid, uuid);
    }
    free(name);
    session_free(s);
    form_free(f);
    return rc;
}

/* The options of answer and finalise; -1 to go on, else the exit status. */
static int answer_options(int argc, char **argv, const char *usage,
                          int operands, const char **db, int *remove,
                          int *not_listed, const char **forms_out)
{
    /* --forms is taken as by every command; the interview's own form
     * comes from the database (finalise reads the report definition
     * there). */
    const char *forms = NULL;
    int no_remove = 0, no_listed = 0;
    const cmd_option opts[] = {
        {"db", db, NULL, NULL},
        {"forms", &forms, NULL, NULL},
        {"remove", NULL, NULL, remove ? remove : &no_remove},
        {"not-on-list", NULL, NULL, not_listed ? not_listed : &no_listed},
    };
    /* Options come before UUID: the value after it is data, "-2" too. */
    int rc = cmd_parse_leading_options(argc, argv, opts, remove ? 4 : 2,
                                       usage);
    if (rc)
        return rc < 0 ? 2 : 0;
    if (argc - optind != operands) {
        fputs(usage, stderr);
        return 2;
    }
    if (forms_out)
        *forms_out = forms;
    return -1;
}

int cmd_answer(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat answer [--db PATH] [--remove] "
                          "[--not-on-list] UUID QID[@PATH] VALUE\n");
    const char *db = NULL;
    int remove = 0, not_listed = 0;
    int rc = answer_options(argc, argv, usage, 3, &db, &remove, &not_listed,
                            NULL);
    if (rc >= 0)
        return rc;
    store *st = cmd_open_store("khaosat answer", db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    char *qid, *path;
    cmd_split_answer(argv[optind + 1], &qid, &path);
    rc = cmd_set_answer(st, "khaosat answer", argv[optind], qid, path,
                        argv[optind + 2], (remove ? CMD_REMOVE : 0)
                        | (not_listed ? CMD_NOT_ON_LIST : 0));
    free(qid);
    free(path);
    store_close(st);
    return rc;
}

int cmd_finalise(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat finalise [--db PATH] UUID\n");
    const char *db = NULL, *forms = NULL;
    int rc = answer_options(argc, argv, usage, 1, &db, NULL, NULL, &forms);
    if (rc >= 0)
        return rc;
    const char *prog = "khaosat finalise", *uuid = argv[optind];
    store *st = cmd_open_store(prog, db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    form *f;
    session *s = answer_open(st, prog, uuid, &f);
    /* The figures it adds to the report, stored as it is finalised (by
     * the forms folder's report definition). */
    char *notes = NULL;
    catalog *cat = s ? catalog_open(forms, &notes) : NULL;
    free(notes);
    report_keeper *keep = report_keep_attach(st, cat);
    rc = 1;
    if (s) {
        int left = session_finalise(s);
        if (left < 0)
            cmd_eprintf("%s: %s\n", prog, session_errmsg(s));
        else if (left > 0)
            answer_print_problems(s, prog, uuid);
        else {
            answer_print_warnings(s, prog);
            cmd_printf(_("%s: complete\n"), uuid);
            rc = 0;
        }
        session_free(s);
        form_free(f);
    }
    report_keep_detach(st, keep);
    catalog_free(cat);
    store_close(st);
    return rc;
}

int cmd_note(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat note [--db PATH] UUID QID[@PATH] "
                          "TEXT   (an empty TEXT removes the note)\n");
    const char *db = NULL, *prog = "khaosat note";
    int rc = answer_options(argc, argv, usage, 3, &db, NULL, NULL, NULL);
    if (rc >= 0)
        return rc;
    store *st = cmd_open_store(prog, db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    const char *uuid = argv[optind];
    char *qid, *path;
    cmd_split_answer(argv[optind + 1], &qid, &path);
    form *f;
    session *s = answer_open(st, prog, uuid, &f);
    rc = 1;
    session_item it;
    if (s && session_find_item(s, qid, path, &it) != 0) {
        cmd_eprintf(_("%s: interview %s has no question %s at \"%s\"\n"),
                    prog, uuid, qid, path);
    } else if (s) {
        char *msg = NULL;
        int r = session_note_set(s, it, argv[optind + 2], &msg);
        if (r == INST_OK)
            rc = 0;
        else if (r == SESSION_LOCKED)
            cmd_eprintf(_("%s: interview %s is complete: return it to draft "
                          "with khaosat reopen %s (E on the screen) before "
                          "writing a note\n"), prog, uuid, uuid);
        else
            cmd_eprintf("%s: %s%s%s: %s\n", prog, qid, *path ? "@" : "", path,
                        msg ? msg : session_errmsg(s));
        free(msg);
    }
    answer_close(s, f);
    free(qid);
    free(path);
    store_close(st);
    return rc;
}

/* The command twin of the screen's E on a complete interview: back to
 * draft through session_reopen (its status change audited). */
int cmd_reopen(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat reopen [--db PATH] UUID\n");
    const char *db = NULL, *prog = "khaosat reopen";
    int rc = answer_options(argc, argv, usage, 1, &db, NULL, NULL, NULL);
    if (rc >= 0)
        return rc;
    store *st = cmd_open_store(prog, db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    const char *uuid = argv[optind];
    form *f;
    session *s = answer_open(st, prog, uuid, &f);
    rc = 1;
    if (s && !session_is_complete(s)) {
        cmd_eprintf(_("%s: interview %s is a draft already\n"), prog, uuid);
    } else if (s && session_reopen(s) != 0) {
        cmd_eprintf("%s: %s\n", prog, session_errmsg(s));
    } else if (s) {
        cmd_printf(_("%s: a draft again, for correction\n"), uuid);
        rc = 0;
    }
    answer_close(s, f);
    store_close(st);
    return rc;
}
