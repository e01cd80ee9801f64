/* check_report_keep.c: the report's figures stored with each interview
 * (report_keep.c, store/figures.h): stored when an interview is
 * finalised, kept right through reopening, correcting and reviews, and
 * computed again when the report definition changes; a report from the
 * stored figures equals the report that replays every interview. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/catalog.h"
#include "core/util.h"
#include "report/report.h"
#include "session/session.h"
#include "session/simulate.h"
#include "store/store.h"
#include "store/store_reader.h"

static char *tmpdir, *dbpath;
static catalog *cat;
static report_def *def, *other;   /* the bundled definition; one changed */

/* The bundled report.yaml, and the same with a figure's numerator
 * changed (another definition: its figures are its own). */
static report_def *load_def(int changed)
{
    size_t len;
    char *text = util_read_file_max(FORMSSRCDIR "/report.yaml", 1 << 24, &len);
    ck_assert_ptr_nonnull(text);
    if (changed) {
        const char *from = "numerator: \"${hh_online_ps} = '1'\"";
        char *p = strstr(text, from);
        ck_assert_ptr_nonnull(p);
        char *t = xasprintf("%.*snumerator: \"${hh_online_ps} = '2'\"%s",
                            (int)(p - text), text, p + strlen(from));
        free(text);
        text = t;
        len = strlen(t);
    }
    diag_list d;
    diag_init(&d);
    report_def *r = report_def_load_string(text, len, "report.yaml", &d);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(report_def_check(r, cat, &d), 0);
    diag_free(&d);
    free(text);
    return r;
}

static void setup(void)
{
    tmpdir = check_tmpdir_new("check_report_keep");
    dbpath = xasprintf("%s/k.db", tmpdir);
    diag_list d;
    diag_init(&d);
    cat = catalog_load(FORMSSRCDIR, &d);
    ck_assert_ptr_nonnull(cat);
    diag_free(&d);
    def = load_def(0);
    other = load_def(1);
}

static void teardown(void)
{
    report_def_free(def);
    report_def_free(other);
    catalog_free(cat);
    free(dbpath);
    check_tmpdir_free(tmpdir);
}

/* n interviews of form id, filled by the simulator from seed. */
static void simulate(store *st, const char *id, int n, unsigned long seed)
{
    const form *f = catalog_find(cat, id, NULL);
    ck_assert_ptr_nonnull(f);
    sim_rng rng;
    sim_seed(&rng, seed);
    for (int i = 0; i < n; i++) {
        session *s = NULL;
        char *err = NULL;
        ck_assert_int_eq(session_new(st, f, "enum1", f->default_lang, &s,
                                     &err), 0);
        ck_assert_int_eq(sim_fill(s, &rng, 4), 0);
        ck_assert_int_eq(session_finalise(s), 0);
        session_free(s);
    }
    sim_free(&rng);
}

/* A commune, 30 households and 6 officials, finalised with the keeper
 * attached (keep) or without. */
static void make_db(int keep)
{
    store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(store_open(dbpath, &st, &err), 0);
    report_keeper *k = keep ? report_keep_attach(st, cat) : NULL;
    ck_assert(!keep || k);
    simulate(st, "commune", 1, 3);
    simulate(st, "household", 30, 4);
    simulate(st, "officials", 6, 5);
    report_keep_detach(st, k);
    store_close(st);
}

/* The text report of d over the database (selection select). */
static char *render(const report_def *d, unsigned select)
{
    rscan *s = NULL;
    char *err = NULL;
    ck_assert_int_eq(rscan_open(dbpath, &s, &err), 0);
    rscan_select(s, select);
    report_opts o = {NULL, 1, "en", NULL, 1};
    report_result *r = NULL;
    ck_assert_msg(report_run(d, cat, s, &o, &r, &err) == 0, "%s", err);
    char *t = report_render(r, REPORT_TEXT);
    report_result_free(r);
    rscan_close(s);
    return t;
}

/* report_refresh over the database; *changed as it says. */
static long refresh(const report_def *d, long *changed)
{
    long computed = -1, ch = -1;
    char *err = NULL;
    ck_assert_msg(report_refresh(d, cat, dbpath, NULL, NULL, &computed, &ch,
                                 &err) == 0, "%s", err ? err : "");
    if (changed)
        *changed = ch;
    return computed;
}

/* The report (selection select) from the stored figures equals the one
 * replaying every interview, forced by making the stored figures another
 * definition's; the report after that computes them all again. */
static void same_as_replay(unsigned select)
{
    ck_assert_int_eq(refresh(def, NULL), 0);
    char *stored = render(def, select);
    check_sql_exec(dbpath, "UPDATE report_units SET definition = 'x'");
    char *replayed = render(def, select);
    ck_assert_str_eq(stored, replayed);
    free(stored);
    free(replayed);
    long changed = 0;
    ck_assert_int_gt(refresh(def, &changed), 0);
    ck_assert_int_gt(changed, 0);
}

/* Complete interviews whose figures are stored and of their head. */
static long stored_units(void)
{
    return check_sql_long(dbpath, "SELECT count(*) FROM report_units u JOIN"
                          " interviews i ON i.uuid = u.interview WHERE"
                          " u.head IS i.head AND i.status = 'complete'");
}

START_TEST(finalising_stores_the_figures)
{
    /* Given interviews finalised with the keeper attached, every household
     * and official has its figures, of its head, and the report needs
     * none computed; the commune form (read whole) has none. */
    make_db(1);
    ck_assert_int_eq(stored_units(), 36);
    ck_assert_int_gt(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " report_figures"), 36);
    ck_assert_int_eq(refresh(def, NULL), 0);
    same_as_replay(0);
}
END_TEST

START_TEST(figures_missing_are_computed_at_the_report)
{
    /* Given interviews finalised without the keeper (an older khaosat),
     * the report computes their figures once, without saying the
     * definition changed, and gives what the replay gives. */
    make_db(0);
    ck_assert_int_eq(stored_units(), 0);
    long changed = -1;
    ck_assert_int_eq(refresh(def, &changed), 36);
    ck_assert_int_eq(changed, 0);
    ck_assert_int_eq(refresh(def, &changed), 0);
    same_as_replay(0);
}
END_TEST

/* The UUID of the first complete household asked hh_online_ps (newly
 * allocated). */
static char *first_household(void)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT uuid FROM interviews"
        " WHERE form_id = 'household' AND status = 'complete'"
        " AND uuid IN (SELECT interview FROM answers WHERE"
        " qid = 'hh_online_ps') ORDER BY uuid LIMIT 1", -1, &s, NULL),
        SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    char *u = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return u;
}

/* Every interview's UUID in order, NULL-terminated (newly allocated:
 * uuids_free). */
static char **interview_uuids(void)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT uuid FROM interviews"
                                        " ORDER BY uuid", -1, &s, NULL),
                     SQLITE_OK);
    char **v = xcalloc(1, sizeof *v);
    size_t n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        v = xrealloc(v, (n + 2) * sizeof *v);
        v[n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
        v[n] = NULL;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void uuids_free(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* Reopen interview uuid, answer hh_online_ps with value, finalise; with
 * the keeper attached when keep. */
static void correct(const char *uuid, const char *value, int keep)
{
    store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(store_open(dbpath, &st, &err), 0);
    report_keeper *k = keep ? report_keep_attach(st, cat) : NULL;
    session *s = NULL;
    form *f = NULL;
    ck_assert_msg(session_open_stored(st, uuid, &s, &f, &err) == 0, "%s", err);
    ck_assert_int_eq(session_reopen(s), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " report_units u JOIN interviews"
                                            " i ON i.uuid = u.interview"
                                            " WHERE i.status = 'draft'"), 0);
    session_item it = {form_find(f, "hh_online_ps"),
                       inst_root(session_inst(s))};
    ck_assert_int_ge(it.q, 0);
    char *msg = NULL;
    ck_assert_int_eq(session_answer(s, it, value, &msg), INST_OK);
    free(msg);
    ck_assert_int_eq(session_finalise(s), 0);
    session_free(s);
    form_free(f);
    report_keep_detach(st, k);
    store_close(st);
}

/* Figure 1.1h's numerator in the stored figures of interview uuid. */
static long stored_11h(const char *uuid)
{
    char *sql = xasprintf("SELECT num FROM report_figures WHERE interview ="
                          " '%s' AND figure = 1", uuid);
    long v = check_sql_long(dbpath, sql);
    free(sql);
    return v;
}

START_TEST(correcting_keeps_the_figures_right)
{
    /* Given a finalised household, reopened, corrected and finalised
     * again (twice over: the second and third pass), its stored figures
     * follow each time, and the report equals the replay. */
    make_db(1);
    char *uuid = first_household();
    correct(uuid, "1", 1);
    ck_assert_int_eq(stored_11h(uuid), 1);
    ck_assert_int_eq(stored_units(), 36);
    same_as_replay(0);
    correct(uuid, "0", 1);
    ck_assert_int_eq(stored_11h(uuid), 0);
    same_as_replay(0);
    /* Corrected by a program without the keeper: the figures are gone
     * and the report computes that one interview again. */
    correct(uuid, "1", 0);
    ck_assert_int_eq(stored_units(), 35);
    long changed = -1;
    ck_assert_int_eq(refresh(def, &changed), 1);
    ck_assert_int_eq(changed, 0);
    ck_assert_int_eq(stored_11h(uuid), 1);
    same_as_replay(0);
    free(uuid);
}
END_TEST

/* The database of make_db(1) with the interviews from..approved-1 (by
 * UUID) approved, approved..returned-1 returned, and the first household
 * (*uuid, newly allocated) approved then corrected; every UUID
 * (interview_uuids). */
static char **reviewed(char **uuid, size_t from, size_t approved,
                       size_t returned)
{
    make_db(1);
    *uuid = first_household();
    store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(store_open(dbpath, &st, &err), 0);
    char **all = interview_uuids();
    for (size_t i = from; all[i] && i < returned; i++)
        ck_assert_int_eq(store_review_set(st, all[i], i < approved
                                          ? "approved" : "returned",
                                          i < approved ? NULL : "why",
                                          "sup"), 0);
    ck_assert_int_eq(store_review_set(st, *uuid, "approved", NULL, "sup"),
                     0);
    store_close(st);
    correct(*uuid, "1", 1);
    return all;
}

START_TEST(reviews_select_from_the_stored_figures)
{
    /* Given some interviews approved, one approved then changed, the
     * --approved-only report from the stored figures equals the replay's,
     * and so does the one with superseded duplicates. */
    char *uuid;
    uuids_free(reviewed(&uuid, 0, 12, 12));
    same_as_replay(RSCAN_APPROVED_ONLY);
    same_as_replay(RSCAN_SUPERSEDED);
    char *a = render(def, RSCAN_APPROVED_ONLY), *b = render(def, 0);
    ck_assert_str_ne(a, b);
    free(a);
    free(b);
    free(uuid);
}
END_TEST

/* store_reader_origins' callback: the interviews and their reviews. */
static int count_origin(void *ctx, const store_origin *o)
{
    long *n = ctx;
    n[0]++;
    n[1] += !strcmp(o->review, "approved");
    n[2] += !strcmp(o->review, "returned");
    return 0;
}

START_TEST(review_totals_are_the_walks)
{
    /* Given interviews approved, returned, approved then changed, and a
     * duplicate pair decided the same (one superseded), the one-pass
     * totals the report uses equal the two walks they replace.  The
     * first two interviews: the pair; then 10 approved, 3 returned. */
    char *uuid, *err = NULL;
    char **all = reviewed(&uuid, 2, 12, 15);
    /* Reviews of another content than the head's: one approved (changed
     * since), one returned (corrected since), neither the pair nor the
     * household corrected (whichever their random UUIDs make them). */
    for (int k = 0; k < 2; k++) {
        char *sql = sqlite3_mprintf("UPDATE reviews SET content = 'other'"
                                    " WHERE interview IN (SELECT interview"
                                    " FROM reviews WHERE status = %Q AND"
                                    " interview NOT IN (%Q, %Q, %Q) ORDER BY"
                                    " interview LIMIT 1)",
                                    k ? "returned" : "approved", all[0],
                                    all[1], uuid);
        check_sql_exec(dbpath, sql);
        sqlite3_free(sql);
    }
    char *sql = sqlite3_mprintf("INSERT INTO duplicates (a, b, form_id, key,"
                                " found, decision, keep) VALUES (%Q, %Q, 'x',"
                                " 'k', 'now', 'same', %Q)", all[0], all[1],
                                all[0]);
    check_sql_exec(dbpath, sql);
    sqlite3_free(sql);
    store_reader *r = NULL;
    ck_assert_int_eq(store_reader_open(dbpath, &r, &err), 0);
    store_review_totals t;
    ck_assert_int_eq(store_reader_review_totals(r, &t, &err), 0);
    long states[5], superseded, walked[3] = {0, 0, 0};
    ck_assert_int_eq(store_reader_review_counts(r, states, &superseded,
                                                &err), 0);
    ck_assert_int_eq(store_reader_origins(r, count_origin, walked, &err), 0);
    store_reader_close(r);
    ck_assert_int_eq(t.interviews, walked[0]);
    ck_assert_int_eq(t.approved, walked[1]);
    ck_assert_int_eq(t.returned, walked[2]);
    ck_assert_int_eq(t.superseded, superseded);
    ck_assert_int_eq(superseded, 1);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(t.states[i], states[i]);
    /* every state is there */
    for (int i = 0; i < 5; i++)
        ck_assert_int_gt(states[i], 0);
    uuids_free(all);
    free(uuid);
}
END_TEST

START_TEST(changed_definition_recomputes)
{
    /* Given figures stored by one definition, a report by another
     * computes every interview's again and says they changed; the next
     * needs none; its figure 1.1h is its own (no household answers 2). */
    make_db(1);
    long changed = -1;
    ck_assert_int_eq(refresh(other, &changed), 36);
    ck_assert_int_eq(changed, 36);
    ck_assert_int_eq(refresh(other, &changed), 0);
    ck_assert_int_eq(check_sql_long(dbpath, "SELECT count(*) FROM"
                                            " report_figures WHERE figure = 1"
                                            " AND num > 0"), 0);
    char *t = render(other, 0);
    ck_assert_ptr_nonnull(t);
    free(t);
    /* And back: the bundled one again recomputes all of them. */
    ck_assert_int_eq(refresh(def, &changed), 36);
    ck_assert_int_eq(changed, 36);
    same_as_replay(0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_keep");
    TCase *tc = check_tcase(s, "keep", setup, teardown, 120);
    tcase_add_test(tc, finalising_stores_the_figures);
    tcase_add_test(tc, figures_missing_are_computed_at_the_report);
    tcase_add_test(tc, correcting_keeps_the_figures_right);
    tcase_add_test(tc, reviews_select_from_the_stored_figures);
    tcase_add_test(tc, changed_definition_recomputes);
    tcase_add_test(tc, review_totals_are_the_walks);
    return check_run(s);
}
