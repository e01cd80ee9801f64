/* cmd_bundle.c: khaosat export, verify, bundle dump, merge, conflicts, duplicates and
 * resolve. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "report/report.h"
#include "sync/envelope.h"
#include "core/form.h"
#include "core/i18n.h"
#include "sync/merge.h"
#include "sync/sync.h"
#include "store/revision.h"
#include "session/session.h"
#include "session/setup.h"

/* Options shared by the commands: --db, --help, and a few flags. */
typedef struct bopts {
    const char *db, *to, *take, *forms, *device, *allow_breaking;
    int all, drafts, mine, theirs, allow_unsigned, down;
} bopts;

/* Parse the options of command name; -1 after printing usage to stderr,
 * 1 after --help, 0 otherwise (optind at the first operand). */
static int parse_opts(int argc, char **argv, const char *usage, bopts *o)
{
    memset(o, 0, sizeof *o);
    const cmd_option opts[] = {
        {"db", &o->db, NULL, NULL},
        {"forms", &o->forms, NULL, NULL},
        {"to", &o->to, NULL, NULL},
        {"take", &o->take, NULL, NULL},
        {"device", &o->device, NULL, NULL},
        {"allow-breaking", &o->allow_breaking, NULL, NULL},
        {"down", NULL, NULL, &o->down},
        {"all", NULL, NULL, &o->all},
        {"drafts", NULL, NULL, &o->drafts},
        {"mine", NULL, NULL, &o->mine},
        {"theirs", NULL, NULL, &o->theirs},
        {"allow-unsigned", NULL, NULL, &o->allow_unsigned},
    };
    return cmd_parse_options(argc, argv, opts, sizeof opts / sizeof *opts,
                             usage);
}

/* Parse the options of a command that takes nmin to nmax operands (nmax < 0:
 * any number): -1 to go on with optind at the first operand, else the exit
 * status after --help or a usage error. */
static int parse_args(int argc, char **argv, const char *usage, int nmin,
                      int nmax, bopts *o)
{
    int rc = parse_opts(argc, argv, usage, o);
    if (rc)
        return rc < 0 ? 2 : 0;
    int n = argc - optind;
    if (n < nmin || (nmax >= 0 && n > nmax)) {
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}

/* One downstream bundle written. */
static void down_written(void *ctx, const char *device, const char *path,
                         long returns)
{
    (void)ctx;
    cmd_printf("%s\n", path);
    cmd_eprintf(_("khaosat export: for the laptop %.8s: %ld returned "
                  "interview(s), the set-up and the forms, sealed for its "
                  "card and signed by this office\n"), device, returns);
}

/* khaosat export --down: the office's bundles for its laptops. */
static int export_down(const bopts *o)
{
    store *st = cmd_open_store("khaosat export", o->db,
                               STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    char *notes = NULL, *err = NULL;
    catalog *cat = catalog_open(o->forms, &notes);
    long n = 0;
    int rc = 0;
    /* A folder given that cannot be read; one with a form that does not
     * load is refused by sync_export_down (the screen's D too). */
    if (!cat && o->forms) {
        cmd_eprintf("%s", notes ? notes : "");
        cmd_eprintf(_("khaosat export: the forms folder cannot be read "
                      "(above): no downstream bundle written\n"));
        rc = 1;
    }
    free(notes);
    if (rc == 0 && o->allow_breaking) {
        char *v = NULL;
        rc = sync_down_allow(st, cat, o->allow_breaking, &v, &err);
        if (rc == 0)
            cmd_eprintf(_("khaosat export: form %s version %s may replace "
                          "the versions drafts were started under on the "
                          "laptops, even where they lose answers\n"),
                        o->allow_breaking, v);
        free(v);
    }
    if (rc == 0)
        rc = sync_export_down(st, cat, o->to, o->all ? NULL : o->device,
                              down_written, NULL, &n, &err);
    if (rc != 0 && err)
        cmd_eprintf(_("khaosat export: %s; %ld downstream bundle(s) "
                      "written\n"), err, n);
    free(err);
    catalog_free(cat);
    store_close(st);
    return rc ? 1 : 0;
}

int cmd_export(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat export --to DIR [--all] [--drafts] "
                          "[--db PATH]\n"
                          "       khaosat export --down --to DIR "
                          "[--device ID|--all] [--forms DIR] "
                          "[--allow-breaking FORM] [--db PATH]\n");
    bopts o;
    int rc = parse_args(argc, argv, usage, 0, 0, &o);
    if (rc >= 0)
        return rc;
    if (!o.to || o.take || o.mine || o.theirs
        || (o.device && (!o.down || o.all)) || (o.down && o.drafts)
        || (o.allow_breaking && !o.down)) {
        fputs(usage, stderr);
        return 2;
    }
    if (o.down)
        return export_down(&o);
    store *st = cmd_open_store("khaosat export", o.db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    unsigned flags = (o.all ? BUNDLE_EXPORT_ALL : 0)
        | (o.drafts ? BUNDLE_EXPORT_DRAFTS : 0);
    char *err = NULL;
    sync_export_result x;
    rc = sync_export(st, o.to, flags, &x, &err);
    if (x.swept)
        cmd_eprintf(_("khaosat export: removed %d unfinished files of "
                          "an interrupted export\n"), x.swept);
    if (rc != 0)
        cmd_eprintf(_("khaosat export: %s; nothing was exported\n"), err);
    else if (!x.path)
        cmd_eprintf(_("khaosat export: no interviews to export (--all "
                          "exports everything again)\n"));
    else {
        cmd_printf("%s\n", x.path);
        cmd_eprintf(_("khaosat export: %ld interviews\n"), x.count);
        if (x.reviews)
            cmd_eprintf(_("khaosat export: %ld review(s) of this office "
                          "for the province\n"), x.reviews);
        if (*x.sealed_for)
            cmd_eprintf(_("khaosat export: sealed for the office %s and "
                              "signed by this database\n"), x.sealed_for);
        else
            cmd_eprintf(_("khaosat export: warning: no office key is "
                              "trusted, so this bundle is NOT encrypted: "
                              "anyone who finds the stick can read it (see "
                              "'khaosat keys trust')\n"));
    }
    sync_export_result_clear(&x);
    free(err);
    store_close(st);
    return rc ? 1 : 0;
}

/* A sealed bundle this database made: only its signature can be checked
 * here, since only the office can decrypt it.  1 when path is not one. */
static int verify_own_sealed(store *st, const char *path, int *bad)
{
    envelope_header h;
    keys_self self;
    char *err = NULL;
    if (!st)
        return 1;
    if (envelope_read_header(path, &h, &err) != 0
        || keys_self_get(st, 0, &self, &err) != 0) {
        free(err);
        return 1;
    }
    int own = strcmp(self.card.fpr, h.from) == 0;
    if (own && envelope_check_signature(path, self.card.sign_pk, &h, &err)) {
        cmd_eprintf("khaosat verify: %s\n", err);
        *bad = 1;
    } else if (own && !strcmp(h.direction, "down")) {
        cmd_printf(_("%s: ok: a downstream bundle sealed by this office for "
                     "its laptop %s, %ld review(s) (returned, approved or cleared), signature "
                     "good; only that laptop can open it\n"), path, h.to,
                   h.interviews);
    } else if (own) {
        cmd_printf(_("%s: ok: sealed by this database for the office %s, %ld "
                 "interviews, signature good; only that office can open "
                 "it\n"), path, h.to, h.interviews);
    }
    free(err);
    keys_self_clear(&self);
    return !own;
}

/* A downstream bundle sealed for this laptop: every check of its merge.
 * 1 when path is not one. */
static int verify_down_here(store *st, const char *path, int *bad)
{
    envelope_header h;
    keys_self self;
    char *err = NULL;
    if (!st || envelope_read_header(path, &h, &err) != 0
        || strcmp(h.direction, "down") != 0
        || keys_self_get(st, 0, &self, &err) != 0) {
        free(err);
        return 1;
    }
    int here = strcmp(self.card.fpr, h.to) == 0;
    keys_self_clear(&self);
    if (!here)
        return 1;
    envelope_info info;
    long n[3] = {0, 0, 0};
    if (envelope_verify_down(st, path, &info, n, &err) != 0) {
        cmd_eprintf("khaosat verify: %s\n", err);
        free(err);
        *bad = 1;
        return 0;
    }
    cmd_printf(_("%s: ok: a downstream bundle sealed for this laptop by "
                 "its office %s%s, %ld returned, %ld approved and %ld "
                 "cleared review(s), signature good\n"), path, info.h.from,
               info.sender, n[0], n[1], n[2]);
    envelope_info_clear(&info);
    return 0;
}

/* Plain bundles need no database, sealed ones this database's keys: open
 * db, or the default database when there is one; *st stays NULL when
 * there is none.  -1 after saying why it did not open. */
static int open_if_any(const char *prog, const char *db, store **st)
{
    char *dbp = NULL;
    struct stat sb;
    int want = db || (store_default_path(&dbp) == 0 && stat(dbp, &sb) == 0);
    free(dbp);
    *st = want ? cmd_open_store(prog, db, STORE_REFUSE_MISSING) : NULL;
    return want && !*st ? -1 : 0;
}

/* Verify one bundle file, sealed or plain; sets *bad on failure. */
static void verify_one(store *st, const char *path, int *bad)
{
    if (verify_own_sealed(st, path, bad) == 0
        || verify_down_here(st, path, bad) == 0)
        return;
    bundle *b;
    char *err = NULL;
    envelope_info info;
    if (envelope_open(st, path, ENVELOPE_ALLOW_UNSIGNED, &b, &info,
                      &err) != 0) {
        cmd_eprintf("khaosat verify: %s\n", err);
        free(err);
        *bad = 1;
        return;
    }
    char *fix = NULL;
    if (bundle_check_values(b, &err, &fix) != 0) {
        cmd_eprintf(_("khaosat verify: %s: %s; an office's merge refuses "
                      "this bundle%s%s\n"), path, err, fix ? "; " : "",
                    fix ? fix : "");
        free(err);
        free(fix);
        *bad = 1;
        envelope_info_clear(&info);
        bundle_close(b);
        return;
    }
    const bundle_manifest *m = bundle_get_manifest(b);
    cmd_printf(_("%s: ok: format %ld, %ld interviews, %ld revisions, %ld "
             "answers; by %s (%s) on device %s at %s; sha256 %s\n"),
           path, m->format, m->interviews, m->revisions, m->items,
           m->enumerator, m->commune, m->device, m->created, m->sha256);
    if (info.sealed)
        cmd_printf(_("%s: sealed for this database by %s%s, signature good\n"),
               path, info.h.from, info.sender);
    else
        cmd_printf(_("%s: not sealed: unsigned and readable by anyone\n"), path);
    envelope_info_clear(&info);
    bundle_close(b);
}

int cmd_verify(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat verify [--db PATH] BUNDLE...\n");
    bopts o;
    int rc = parse_args(argc, argv, usage, 1, -1, &o);
    if (rc >= 0)
        return rc;
    store *st = NULL;
    if (open_if_any("khaosat verify", o.db, &st) != 0)
        return 1;
    int bad = 0;
    for (int i = optind; i < argc; i++)
        verify_one(st, argv[i], &bad);
    store_close(st);
    return bad;
}

static const char dump_usage[] =
    N_("Usage: khaosat bundle dump [--db PATH] BUNDLE [OUT.sqlite]\n");

/* khaosat bundle dump: the SQLite file inside a bundle. */
static int bundle_dump(int argc, char **argv)
{
    const char *usage = _(dump_usage);
    bopts o;
    int rc = parse_args(argc, argv, usage, 1, 2, &o);
    if (rc >= 0)
        return rc;
    const char *out = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (!out && isatty(STDOUT_FILENO)) {
        cmd_eprintf(_("khaosat bundle dump: the SQLite file is binary: give "
                      "OUT.sqlite, or send the output to a file or a "
                      "pipe\n"));
        return 2;
    }
    store *st = NULL;
    char *err = NULL;
    if (open_if_any("khaosat bundle dump", o.db, &st) != 0)
        return 1;
    rc = sync_dump(st, argv[optind], out, stdout, &err);
    if (rc != 0)
        cmd_eprintf("khaosat bundle dump: %s\n", err);
    else if (out)
        cmd_eprintf(_("khaosat bundle dump: %s: verified; its SQLite file "
                      "written to %s\n"), argv[optind], out);
    free(err);
    store_close(st);
    return rc ? 1 : 0;
}

int cmd_bundle(int argc, char **argv)
{
    const char *usage = _(dump_usage);
    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "dump") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    return bundle_dump(argc - 1, argv + 1);
}

/* Test hook: KHAOSAT_TEST_ABORT_AFTER=N kills the process after N
 * interviews of a bundle, to prove that a killed merge changes nothing. */
static int abort_hook(void *ctx, long done, long total)
{
    (void)total;
    long after = *(const long *)ctx;
    if (after > 0 && done >= after)
        raise(SIGKILL);
    return 0;
}

/* What merging a bundle did, each entry after the bundle's path (the
 * merge screen shows the same entries). */
static void merged_lines(const sync_bundle_result *r)
{
    char **v = sync_merged_lines(r);
    for (size_t i = 0; v[i]; i++) {
        size_t n = strlen(v[i]);
        cmd_printf("%s: %s%s", r->path, v[i],
                   n && v[i][n - 1] == '\n' ? "" : "\n");
    }
    sync_lines_free(v);
}

/* What a downstream bundle from the office did. */
static void merge_down_done(const sync_bundle_result *r)
{
    if (r->outcome == SYNC_MERGED)
        merged_lines(r);
    else if (r->outcome == SYNC_AGAIN && r->why)
        cmd_printf(_("%s; nothing changed\n"), r->why);
    else if (r->outcome == SYNC_AGAIN)
        cmd_printf(_("%s: already taken; nothing changed\n"), r->path);
    else
        cmd_eprintf(_("khaosat merge: %s; not merged\n"), r->why);
}

/* One line per bundle: what merging it did, or why it was refused. */
static void merge_done(void *ctx, const sync_bundle_result *r)
{
    (void)ctx;
    if (r->down) {
        merge_down_done(r);
        return;
    }
    switch (r->outcome) {
    case SYNC_MERGED:
        merged_lines(r);
        break;
    case SYNC_AGAIN:
        if (r->merged_on)
            cmd_printf(_("%s: already merged on %s; nothing changed\n"),
                       r->path, r->merged_on);
        else
            cmd_printf(_("%s: already merged; nothing changed\n"), r->path);
        break;
    case SYNC_REFUSED:
        cmd_eprintf(_("khaosat merge: %s; not merged\n"), r->why);
        break;
    case SYNC_EMPTY_DIR:
        cmd_eprintf(_("khaosat merge: no bundles (*%s) in %s\n"),
                BUNDLE_EXT, r->path);
        break;
    case SYNC_SKIPPED:
        cmd_eprintf("khaosat merge: %s\n", r->why);
        break;
    case SYNC_LATER:    /* only downstream, when asked: never here */
        break;
    }
}

int cmd_merge(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat merge [--db PATH] [--forms DIR] "
                          "[--allow-unsigned] BUNDLE|DIR...\n");
    bopts o;
    int rc = parse_args(argc, argv, usage, 1, -1, &o);
    if (rc >= 0)
        return rc;
    /* A new office is started only for something to merge: a mistyped
     * bundle path must not leave an empty database behind. */
    if (!cmd_any_readable("khaosat merge", argv + optind, argc - optind))
        return 1;
    int created = 0;
    store *st = cmd_open_store_new("khaosat merge", o.db,
                                   STORE_CREATE_MISSING, &created);
    if (!st)
        return 1;
    const char *env = getenv("KHAOSAT_TEST_ABORT_AFTER");
    long abort_after = env ? cmd_parse_count(env) : 0;
    sync_merge_hooks h = {.progress = abort_hook, .done = merge_done,
                          .ctx = &abort_after,
                          .settle = session_settle_merged,
                          .province = setup_province_known};
    sync_totals t;
    /* The office's own forms directory holds its forms: bundles made with
     * exactly those merge without a 'forms accept'. */
    char *notes = NULL;
    catalog *cat = catalog_open(o.forms, &notes);
    free(notes);
    /* Interviews merged in get their report figures in the same
     * transaction. */
    report_keeper *keep = report_keep_attach(st, cat);
    int bad = sync_merge_paths(st, cat, argv + optind,
                               (size_t)(argc - optind),
                               o.allow_unsigned ? SYNC_ALLOW_UNSIGNED : 0,
                               &h, &t);
    const char *fid, *fver;
    for (size_t i = 0; i < report_keeper_differing(keep, i, &fid, &fver); i++)
        cmd_eprintf(_("khaosat merge: warning: %s: form %s version %s there "
                      "is not the text %s holds for that version (the one "
                      "its interviews were answered on); the report's "
                      "figures were worked out from the database's text. "
                      "Give a form changed in any way a new version\n"),
                    cat->dir, fid, fver,
                    store_path(st));
    report_keep_detach(st, keep);
    catalog_free(cat);
    /* A new office only for a bundle merged: 'merge --db new.db lap.db'
     * must not leave an empty office behind. */
    cmd_close_store(st, "khaosat merge", created, t.merged > 0);
    return bad;
}

/* An answer for people: quoted, or "(no answer)". */
static char *shown(const char *v)
{
    return v ? xasprintf("\"%s\"", v) : xstrdup(_("(no answer)"));
}

/* QID or QID@PATH, as in the commands' arguments. */
static char *answer_name(const char *qid, const char *path)
{
    if (!*qid)
        return xasprintf(_("count of %s"), path);
    if (*qid == STORE_NOTE_MARK)
        return *path ? xasprintf(_("note on %s@%s"), qid + 1, path)
                     : xasprintf(_("note on %s"), qid + 1);
    return *path ? xasprintf("%s@%s", qid, path) : xstrdup(qid);
}

static int print_conflict(void *ctx, const store_conflict *c)
{
    (void)ctx;
    char *name = answer_name(c->qid, c->path);
    char *mine = shown(c->mine), *theirs = shown(c->theirs),
         *base = shown(c->base);
    cmd_printf(_("%s %s: mine %s (by %s on device %.8s, %s) | theirs %s (by %s "
             "on device %.8s, %s) | before both %s%s\n"), c->interview, name,
           mine, c->mine_enumerator ? c->mine_enumerator : "?",
           c->mine_device ? c->mine_device : "?",
           c->mine_time ? c->mine_time : "?", theirs,
           c->theirs_enumerator ? c->theirs_enumerator : "?",
           c->theirs_device ? c->theirs_device : "?",
           c->theirs_time ? c->theirs_time : "?", base,
           c->resolved ? _(" [resolved]") : "");
    free(name);
    free(mine);
    free(theirs);
    free(base);
    return 0;
}

/* End a listing command whose listing returned rc: report a failure, close
 * st; the exit status. */
static int finish_listing(store *st, const char *prog, int rc)
{
    if (rc)
        cmd_eprintf("%s: %s\n", prog, store_errmsg(st));
    store_close(st);
    return rc ? 1 : 0;
}

int cmd_conflicts(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat conflicts [--all] [--db PATH]\n");
    bopts o;
    int rc = parse_args(argc, argv, usage, 0, 0, &o);
    if (rc >= 0)
        return rc;
    store *st = cmd_open_store("khaosat conflicts", o.db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    rc = store_conflicts_each(st, o.all, print_conflict, NULL);
    return finish_listing(st, "khaosat conflicts", rc);
}

/* Record the chosen value as a new revision and close the conflict. */
static int resolve_with(store *st, const char *uuid, const char *qid,
                        const char *path, const char *value)
{
    const char *prog = "khaosat resolve";
    char *before = NULL, *after = NULL;
    char rev[REV_HEX + 1];
    int failed = store_rev_head(st, uuid, &before) < 0, rc = failed;
    if (rc == 0)
        rc = cmd_set_answer(st, prog, uuid, qid, path, value ? value : "",
                           CMD_KEEP_COMPLETE);
    if (rc == 0 && store_rev_head(st, uuid, &after) < 0)
        rc = failed = 1;
    /* Unchanged (the value kept was the one shown): the choice is still
     * a decision, recorded as a revision of its own. */
    if (rc == 0 && (!after || (before && strcmp(before, after) == 0)))
        rc = failed = store_rev_snapshot(st, uuid, 1, rev) != 0;
    else if (rc == 0)
        memcpy(rev, after, sizeof rev);
    if (rc == 0)
        rc = failed = store_conflict_resolve(st, uuid, qid, path, rev) != 0;
    if (failed)
        cmd_eprintf("%s: %s\n", prog, store_errmsg(st));
    if (rc == 0) {
        char *name = answer_name(qid, path), *v = shown(value);
        cmd_printf(_("%s %s: now %s (revision %.12s)\n"), uuid, name, v, rev);
        free(name);
        free(v);
    }
    free(before);
    free(after);
    return rc;
}

int cmd_resolve(int argc, char **argv)
{
    const char *usage = _("Usage: khaosat resolve [--db PATH] UUID QID[@PATH]"
                          " --take VALUE|--mine|--theirs\n");
    bopts o;
    int rc = parse_args(argc, argv, usage, 2, 2, &o);
    if (rc >= 0)
        return rc;
    if ((!!o.take + o.mine + o.theirs) != 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *uuid = argv[optind];
    store *st = cmd_open_store("khaosat resolve", o.db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    char *qid, *path, *mine = NULL, *theirs = NULL;
    cmd_split_answer(argv[optind + 1], &qid, &path);
    rc = store_conflict_values(st, uuid, qid, path, &mine, &theirs);
    if (rc < 0)
        cmd_eprintf("khaosat resolve: %s\n", store_errmsg(st));
    else if (rc > 0)
        cmd_eprintf(_("khaosat resolve: no unresolved conflict on %s of "
                          "interview %s; see 'khaosat conflicts'\n"),
                argv[optind + 1], uuid);
    else
        rc = resolve_with(st, uuid, qid, path,
                          o.take ? o.take : o.mine ? mine : theirs);
    free(qid);
    free(path);
    free(mine);
    free(theirs);
    store_close(st);
    return rc ? 1 : 0;
}
