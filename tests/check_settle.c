/* check_settle.c: what a merge leaves is an interview that keeps its own
 * rules: a laptop shrinks the household and finalises again while the
 * office edited the removed member and a count tied to the size; after
 * the merge the removed member's answers are gone (audited) and the
 * interview, which now breaks a constraint, is not counted as complete:
 * it is returned to the enumerator with the reason. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/form.h"
#include "core/util.h"
#include "session/session.h"
#include "store/store.h"
#include "sync/bundle_int.h"   /* tests reach the plain export */
#include "sync/sync.h"

static char *dir;
static form *f;

static void setup(void)
{
    dir = check_tmpdir_new("check_settle");
    diag_list d;
    diag_init(&d);
    f = form_load_file(TESTDATADIR "/integrity/household.yaml", &d);
    ck_assert_msg(f && d.n == 0, "integrity/household.yaml does not load");
    diag_free(&d);
}

static void teardown(void)
{
    form_free(f);
    check_tmpdir_free(dir);
}

static store *open_db(const char *name)
{
    char *path = xasprintf("%s/%s", dir, name), *err = NULL;
    store *st;
    ck_assert_msg(store_open(path, &st, &err) == 0, "%s", err);
    free(path);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ENUMERATOR, name), 0);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_COMMUNE, "Xã A"), 0);
    ck_assert_int_eq(store_save_form(st, f->id, f->version, f->source,
                                     f->source_len, NULL), 0);
    return st;
}

static session *open_iv(store *st, const char *uuid)
{
    session *s;
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
    return s;
}

static void set(session *s, const char *path, const char *qid, const char *v)
{
    session_item it;
    ck_assert_int_eq(session_find_item(s, qid, path, &it), 0);
    if (session_is_complete(s))
        ck_assert_int_eq(session_reopen(s), 0);
    char *msg = NULL;
    int rc = session_answer_removing(s, it, v, &msg);
    ck_assert_msg(rc == INST_OK, "%s@%s = %s: %s", qid, path, v,
                  msg ? msg : "");
    free(msg);
}

/* Export st and merge the bundle into office. */
static merge_counts carry(store *st, store *office)
{
    char *out = xasprintf("%s/usb", dir), *path = NULL, *err = NULL;
    char *mk = xasprintf("mkdir -p '%s'", out);
    ck_assert_int_eq(system(mk), 0);
    free(mk);
    long n;
    ck_assert_msg(bundle_export(st, out, 0, &path, &n, &err) == 0, "%s",
                  err ? err : "");
    sync_totals t;
    sync_merge_hooks h = {.settle = session_settle_merged};
    ck_assert_int_eq(sync_merge_paths(office, NULL, &path, 1, SYNC_ALLOW_UNSIGNED,
                                      &h, &t), 0);
    free(path);
    free(out);
    return t.counts;
}

static long count(store *st, const char *sql)
{
    return check_sql_long(store_path(st), sql);
}

START_TEST(a_merge_that_breaks_the_rules_is_returned)
{
    store *lap = open_db("laptop.db"), *office = open_db("office.db");
    session *s;
    ck_assert_int_eq(session_new(lap, f, "Lan", 0, &s, NULL), 0);
    char u[37];
    strcpy(u, session_uuid(s));
    set(s, "", "village", "Bản Mòng");
    set(s, "", "hh_no", "9");
    set(s, "", "consent", "1");
    set(s, "", "hh_size", "3");
    for (int i = 1; i <= 3; i++) {
        char *p = xasprintf("members[%d]", i), *name = xasprintf("Người %d", i);
        set(s, p, "m_name", name);
        set(s, p, "m_sex", "1");
        free(p);
        free(name);
    }
    set(s, "", "n_online", "1");
    ck_assert_int_eq(session_finalise(s), 0);
    session_free(s);
    /* As an older release stored it: the office keeps it canonical. */
    ck_assert_int_eq(store_save_answer(lap, u, "area", "", "85,50"), 0);
    merge_counts c = carry(lap, office);
    ck_assert_int_eq(c.added, 1);
    ck_assert_int_eq(c.returned, 0);
    char *sql = xasprintf("SELECT count(*) FROM answers WHERE interview ="
                          " '%s' AND qid = 'area' AND value = '85.5'", u);
    ck_assert_int_eq(count(office, sql), 1);
    free(sql);

    /* The office corrects member 3 and the online buyers. */
    s = open_iv(office, u);
    set(s, "members[3]", "m_birth_year", "1990");
    set(s, "", "n_online", "3");
    ck_assert_int_eq(session_finalise(s), 0);
    session_free(s);
    /* The laptop meanwhile finds the household has two people. */
    s = open_iv(lap, u);
    set(s, "", "area", "85.5");
    set(s, "", "hh_size", "2");
    ck_assert_int_eq(session_finalise(s), 0);
    session_free(s);

    c = carry(lap, office);
    ck_assert_int_eq(c.updated, 1);
    ck_assert_int_eq(c.returned, 1);
    sql = xasprintf("SELECT count(*) FROM answers WHERE interview ="
                          " '%s' AND path = 'members[3]'", u);
    ck_assert_int_eq(count(office, sql), 0);
    free(sql);
    sql = xasprintf("SELECT count(*) FROM interviews WHERE uuid = '%s' AND"
                    " status = 'draft'", u);
    ck_assert_int_eq(count(office, sql), 1);
    free(sql);
    sql = xasprintf("SELECT count(*) FROM reviews WHERE interview = '%s' AND"
                    " status = 'returned' AND reviewer = 'merge' AND comment"
                    " LIKE '%%n_online%%'", u);
    ck_assert_int_eq(count(office, sql), 1);
    free(sql);
    /* Growing the household again brings no one back. */
    s = open_iv(office, u);
    set(s, "", "hh_size", "3");
    session_item it;
    ck_assert_int_eq(session_find_item(s, "m_birth_year", "members[3]", &it),
                     0);
    ck_assert_ptr_null(inst_get(session_inst(s), it.fr, it.q));
    session_free(s);
    sql = xasprintf("SELECT count(*) FROM answers WHERE interview ="
                    " '%s' AND path = 'members[3]'", u);
    ck_assert_int_eq(count(office, sql), 0);
    free(sql);
    store_close(lap);
    store_close(office);
}
END_TEST

static Suite *settle_suite(void)
{
    Suite *s = suite_create("settle");
    TCase *tc = check_tcase(s, "merge", setup, teardown, 60);
    tcase_add_test(tc, a_merge_that_breaks_the_rules_is_returned);
    return s;
}

int main(void)
{
    return check_run(settle_suite());
}
