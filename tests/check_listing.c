/* check_listing.c: interviews named by their form's instance_name: the
 * name checked when the form loads, computed by the session whenever an
 * answer changes (and kept in the store), and listed in natural order by
 * session_list, the entry point of the home screen and `khaosat list`. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/form.h"
#include "core/util.h"
#include "session/listing.h"
#include "session/session.h"
#include "store/store.h"

#define HEAD \
    "form:\n" \
    "  id: hh\n" \
    "  version: \"1\"\n" \
    "  title: Hộ\n" \
    "  languages: [vi]\n" \
    "  key: [village, hh_no]\n"
#define QUESTIONS \
    "questions:\n" \
    "  - {id: village, type: text, label: Thôn}\n" \
    "  - {id: hh_no, type: integer, label: Số hộ}\n" \
    "  - {id: head, type: text, label: Chủ hộ}\n" \
    "  - id: members\n" \
    "    type: repeat\n" \
    "    label: Thành viên\n" \
    "    questions:\n" \
    "      - {id: name, type: text, label: Tên}\n"

static const char named_yaml[] = HEAD
    "  instance_name: \"concat('Thôn ', ${village}, ' / hộ ', ${hh_no},"
    " ' — ', ${head})\"\n" QUESTIONS;

static form *f;
static store *st;
static char *dbpath;

static form *load(const char *yaml, diag_list *d)
{
    diag_init(d);
    return form_load_string(yaml, strlen(yaml), "hh.yaml", d);
}

static void setup(void)
{
    diag_list d;
    f = load(named_yaml, &d);
    ck_assert_msg(f && d.n == 0, "test form does not load");
    diag_free(&d);
    dbpath = check_tmpdb_new("check-listing");
    char *err = NULL;
    ck_assert_msg(store_open(dbpath, &st, &err) == 0, "store_open: %s", err);
}

static void teardown(void)
{
    store_close(st);
    form_free(f);
    check_tmpdb_free(dbpath);
}

/* The first diagnostic of a form that must not load. */
static char *first_diag(const char *yaml)
{
    diag_list d;
    form *g = load(yaml, &d);
    ck_assert_uint_gt(d.n, 0);
    char *m = xstrdup(d.v[0].msg);
    diag_free(&d);
    form_free(g);
    return m;
}

START_TEST(instance_name_is_checked_when_loading)
{
    char *m = first_diag(HEAD "  instance_name: \"concat(${vilage}, 'x')\"\n"
                         QUESTIONS);
    ck_assert_msg(strstr(m, "undefined question ${vilage}"), "%s", m);
    free(m);
    m = first_diag(HEAD "  instance_name: \"concat(${name}, 'x')\"\n"
                   QUESTIONS);
    ck_assert_msg(strstr(m, "instance_name reads ${name}, which is inside "
                         "repeat 'members'"), "%s", m);
    free(m);
    m = first_diag(HEAD "  instance_name: \"concat(${head}, \"\n" QUESTIONS);
    ck_assert_msg(strstr(m, "error in instance_name"), "%s", m);
    free(m);
    m = first_diag(HEAD "  instance_name: \". + 1\"\n" QUESTIONS);
    ck_assert_msg(strstr(m, "'.' has no meaning in instance_name"), "%s", m);
    free(m);
    m = first_diag(HEAD "  instance_name: [a, b]\n" QUESTIONS);
    ck_assert_msg(strstr(m, "'instance_name' must be a single value"), "%s", m);
    free(m);
}
END_TEST

/* The stored name of interview uuid (newly allocated, or NULL). */
static char *stored_name(const char *uuid)
{
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, uuid, &iv), 0);
    char *n = xstrdup(iv.name);
    store_interview_clear(&iv);
    return n;
}

/* Answer question id at the top level of s. */
static void answer(session *s, const char *id, const char *v)
{
    session_item it;
    ck_assert_int_eq(session_find_item(s, id, "", &it), 0);
    char *msg = NULL;
    ck_assert_int_eq(session_answer(s, it, v, &msg), 0);
    free(msg);
}

/* A new interview of household village/no with head. */
static void make(const char *village, const char *no, const char *head,
                 char uuid[37])
{
    session *s;
    char *err = NULL;
    ck_assert_int_eq(session_new(st, f, "An", 0, &s, &err), 0);
    answer(s, "village", village);
    answer(s, "hh_no", no);
    if (head)
        answer(s, "head", head);
    snprintf(uuid, 37, "%s", session_uuid(s));
    session_free(s);
}

START_TEST(the_session_keeps_the_name_as_answers_change)
{
    char uuid[37];
    make("03", "17", "Nguyễn Văn An", uuid);
    char *n = stored_name(uuid);
    ck_assert_str_eq(n, "Thôn 03 / hộ 17 — Nguyễn Văn An");
    free(n);
    /* Second pass: an edit renames it, a cleared answer too. */
    session *s;
    form *g;
    char *err = NULL;
    ck_assert_int_eq(session_open_stored(st, uuid, &s, &g, &err), 0);
    answer(s, "head", "Lò Thị Mới");
    n = stored_name(uuid);
    ck_assert_str_eq(n, "Thôn 03 / hộ 17 — Lò Thị Mới");
    free(n);
    answer(s, "head", "");
    n = stored_name(uuid);
    ck_assert_str_eq(n, "Thôn 03 / hộ 17 —");
    free(n);
    session_free(s);
    form_free(g);
}
END_TEST

START_TEST(an_interview_without_a_name_gets_one_when_resumed)
{
    char uuid[37];
    make("05", "2", "Hà", uuid);
    ck_assert_int_eq(store_interview_set_name(st, uuid, NULL), 0);
    session *s;
    char *err = NULL;
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, &err), 0);
    session_free(s);
    char *n = stored_name(uuid);
    ck_assert_str_eq(n, "Thôn 05 / hộ 2 — Hà");
    free(n);
}
END_TEST

START_TEST(the_list_is_in_natural_order_with_status)
{
    char a[37], b[37], c[37], d[37];
    make("03", "10", "C", a);
    make("03", "2", "B", b);
    make("03", "9", "A", c);
    make("1", "1", "D", d);
    session *s;
    form *g;
    char *err = NULL;
    ck_assert_int_eq(session_open_stored(st, c, &s, &g, &err), 0);
    ck_assert_int_eq(session_finalise(s), 0);
    session_free(s);
    form_free(g);
    /* Made within one second: say which was changed last. */
    char *sql = xasprintf("UPDATE interviews SET updated ="
                          " '2026-11-30T08:00:00Z'; UPDATE interviews SET"
                          " updated = '2026-11-30T09:00:00Z' WHERE uuid = '%s'",
                          d);
    check_sql_exec(dbpath, sql);
    free(sql);
    /* An interview without a kept name is listed by its key answers. */
    ck_assert_int_eq(store_interview_set_name(st, d, NULL), 0);
    session_listed *l;
    size_t n;
    ck_assert_int_eq(session_list(st, "hh", &l, &n), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(l[0].name, "Thôn 03 / hộ 2 — B");
    ck_assert_str_eq(l[1].name, "Thôn 03 / hộ 9 — A");
    ck_assert_int_eq(l[1].iv.status, STORE_COMPLETE);
    ck_assert_str_eq(l[2].name, "Thôn 03 / hộ 10 — C");
    ck_assert_int_eq(l[2].iv.status, STORE_DRAFT);
    ck_assert_str_eq(l[3].name, "village=1, hh_no=1");
    session_list_free(l, n);
    /* The draft changed last is the one offered at start, named. */
    session_listed last;
    ck_assert_int_eq(session_last_draft(st, &last), 0);
    ck_assert_str_eq(last.iv.uuid, d);
    ck_assert_str_eq(last.name, "village=1, hh_no=1");
    store_interview_clear(&last.iv);
    free(last.name);
    ck_assert_int_eq(session_list(st, "other", &l, &n), 0);
    ck_assert_uint_eq(n, 0);
    session_list_free(l, n);
    /* With every draft finalised, there is none to offer. */
    const char *drafts[] = {a, b, d};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(session_open_stored(st, drafts[i], &s, &g, &err), 0);
        ck_assert_int_eq(session_finalise(s), 0);
        session_free(s);
        form_free(g);
    }
    ck_assert_int_eq(session_last_draft(st, &last), 1);
}
END_TEST

START_TEST(natural_order_compares_numbers_by_value)
{
    ck_assert_int_lt(util_natural_cmp("Thôn 2", "Thôn 10"), 0);
    ck_assert_int_gt(util_natural_cmp("hộ 100", "hộ 99"), 0);
    ck_assert_int_lt(util_natural_cmp("a", "b"), 0);
    ck_assert_int_lt(util_natural_cmp("x", "x1"), 0);
    ck_assert_int_ne(util_natural_cmp("03", "3"), 0);
    ck_assert_int_lt(util_natural_cmp("Thôn 03 / hộ 9", "Thôn 3 / hộ 10"), 0);
    ck_assert_int_eq(util_natural_cmp("", ""), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("listing");
    TCase *tc = check_tcase(s, "listing", setup, teardown, 60);
    tcase_add_test(tc, instance_name_is_checked_when_loading);
    tcase_add_test(tc, the_session_keeps_the_name_as_answers_change);
    tcase_add_test(tc, an_interview_without_a_name_gets_one_when_resumed);
    tcase_add_test(tc, the_list_is_in_natural_order_with_status);
    tcase_add_test(tc, natural_order_compares_numbers_by_value);
    return check_run(s);
}
