/* check_setup.c: the set-up entry points that `khaosat setup` and the
 * office's set-up screen share (session/setup.h): the commune read back,
 * the province list, an enumerator assigned to a village (kept in NFC,
 * refused with nothing changed when the laptops could not take it) and
 * the enumerators the office knows from its laptops' bundles. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/util.h"
#include "session/setup.h"
#include "store/store.h"

static store *st;
static char *dir, *dbpath, *provinces;

/* Write text to dir/name; the path, newly allocated. */
static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static void setup(void)
{
    dir = check_tmpdir_new("check-setup");
    dbpath = xasprintf("%s/office.db", dir);
    char *err = NULL;
    ck_assert_msg(store_open(dbpath, &st, &err) == 0, "store_open: %s", err);
    provinces = write_file("provinces.csv", "code,name\n04,Cao Bằng\n"
                                            "01,Thành phố Hà Nội\n");
    char *v = write_file("v.csv", "code,name\n01,Thôn Đông\n02,Thôn Tây\n");
    long n = 0;
    ck_assert_msg(setup_villages(st, v, &n, &err) == 0, "%s", err);
    ck_assert_int_eq(n, 2);
    free(v);
}

static void teardown(void)
{
    store_close(st);
    free(dbpath);
    free(provinces);
    check_tmpdir_free(dir);
}

/* The enumerator of village code as stored (newly allocated; NULL when
 * nobody covers it). */
struct who {
    const char *code;
    char *name;
};

static int who_of(void *ctx, const store_village *v)
{
    struct who *w = ctx;
    if (!strcmp(v->code, w->code) && v->enumerator)
        w->name = xstrdup(v->enumerator);
    return 0;
}

static char *enumerator_of(const char *code)
{
    struct who w = {code, NULL};
    ck_assert_int_eq(store_villages_each(st, who_of, &w), 0);
    return w.name;
}

START_TEST(assign_keeps_the_name_in_nfc_and_clears)
{
    char *err = NULL;
    /* "Nguyễn" typed with combining marks, spaces around. */
    ck_assert_int_eq(setup_assign(st, "01", "  Nguye\xcc\x82\xcc\x83n Văn An ",
                                  &err), 0);
    char *got = enumerator_of("01");
    ck_assert_str_eq(got, "Nguyễn Văn An");
    free(got);
    ck_assert_ptr_null(enumerator_of("02"));
    ck_assert_int_eq(setup_assign(st, "01", NULL, &err), 0);
    ck_assert_ptr_null(enumerator_of("01"));
    ck_assert_int_eq(setup_assign(st, "02", "Lê Thị Bình", &err), 0);
    ck_assert_int_eq(setup_assign(st, "02", "", &err), 0);
    ck_assert_ptr_null(enumerator_of("02"));
}
END_TEST

START_TEST(assign_refuses_what_laptops_cannot_take)
{
    char *err = NULL;
    ck_assert_int_eq(setup_assign(st, "01", "Nguyễn Văn An", &err), 0);
    /* A terminal escape: refused, shown escaped. */
    ck_assert_int_eq(setup_assign(st, "01", "An\x1b[31m", &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not plain UTF-8 text"));
    ck_assert_ptr_nonnull(strstr(err, "An\\x1b[31m"));
    free(err);
    /* Longer than the laptops accept. */
    char *longname = xcalloc(SETUP_MAX_NAME + 2, 1);
    memset(longname, 'a', SETUP_MAX_NAME + 1);
    ck_assert_int_eq(setup_assign(st, "01", longname, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "which the laptops refuse"));
    free(err);
    memset(longname, 0, SETUP_MAX_NAME + 2);
    memset(longname, 'a', SETUP_MAX_NAME);
    ck_assert_int_eq(setup_assign(st, "02", longname, &err), 0);
    free(longname);
    /* Not UTF-8. */
    ck_assert_int_eq(setup_assign(st, "01", "Nguy\xe1n", &err), -1);
    free(err);
    /* A village that is not in the set-up. */
    ck_assert_int_eq(setup_assign(st, "77", "Ai", &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no village 77 in the set-up"));
    free(err);
    char *got = enumerator_of("01");
    ck_assert_str_eq(got, "Nguyễn Văn An");
    free(got);
}
END_TEST

START_TEST(the_province_list_is_read_in_file_order)
{
    setup_province *pv;
    size_t n;
    char *err = NULL;
    ck_assert_int_eq(setup_provinces(provinces, &pv, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(pv[0].code, "04");
    ck_assert_str_eq(pv[0].name, "Cao Bằng");
    ck_assert_str_eq(pv[1].code, "01");
    setup_provinces_free(pv, n);
    char *name = setup_province_name(provinces, "01");
    ck_assert_str_eq(name, "Thành phố Hà Nội");
    free(name);
    ck_assert_ptr_null(setup_province_name(provinces, "99"));
    char *bad = write_file("bad.csv", "ma,ten\n01,X\n");
    ck_assert_int_eq(setup_provinces(bad, &pv, &n, &err), -1);
    ck_assert_ptr_null(pv);
    char *want = xasprintf("%s:1: column 1 must be \"code\"", bad);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    free(bad);
    char *p = setup_provinces_path(NULL, dir);
    ck_assert_str_eq(p, provinces);
    free(p);
    p = setup_provinces_path("/x/list.csv", dir);
    ck_assert_str_eq(p, "/x/list.csv");
    free(p);
}
END_TEST

START_TEST(the_commune_is_read_back_as_set)
{
    setup_commune_info c;
    char *err = NULL;
    ck_assert_int_eq(setup_commune_get(st, &c), 0);
    ck_assert_ptr_null(c.code);
    ck_assert_ptr_null(c.name);
    ck_assert_int_eq(setup_commune(st, "2673", "Xã Đông Hòa", "04",
                                   provinces, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "commune code \"2673\": five digits"));
    free(err);
    ck_assert_int_eq(setup_commune(st, "26734", "Xã Đông Hòa", "99",
                                   provinces, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "province code \"99\" is not in"));
    free(err);
    ck_assert_int_eq(setup_commune_get(st, &c), 0);
    ck_assert_ptr_null(c.code);
    ck_assert_int_eq(setup_commune(st, "26734", "Xã Đông Hòa", "04",
                                   provinces, &err), 0);
    ck_assert_int_eq(setup_commune_get(st, &c), 0);
    ck_assert_str_eq(c.code, "26734");
    ck_assert_str_eq(c.name, "Xã Đông Hòa");
    ck_assert_str_eq(c.province, "04");
    setup_commune_info_clear(&c);
    ck_assert_ptr_null(c.code);
}
END_TEST

START_TEST(the_enumerators_come_from_bundles_and_villages)
{
    char **names;
    size_t n;
    char *err = NULL;
    ck_assert_int_eq(setup_enumerators(st, &names, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    setup_names_free(names, n);
    check_sql_exec(dbpath,
        "INSERT INTO bundles (uuid, sha256, file, device, enumerator, commune,"
        " created, merged, added, updated, unchanged, conflicts, duplicates)"
        " VALUES ('b1', 'x', 'f1', 'd1', 'Nguyễn Văn An', 'c', 't', 't',"
        " 0, 0, 0, 0, 0), ('b2', 'y', 'f2', 'd1', 'Nguyễn Văn An', 'c', 't',"
        " 't', 0, 0, 0, 0, 0), ('b3', 'z', 'f3', 'd2', '', 'c', 't', 't',"
        " 0, 0, 0, 0, 0)");
    ck_assert_int_eq(setup_assign(st, "01", "Lê Thị Bình", &err), 0);
    ck_assert_int_eq(setup_assign(st, "02", "Nguyễn Văn An", &err), 0);
    ck_assert_int_eq(setup_enumerators(st, &names, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(names[0], "Lê Thị Bình");
    ck_assert_str_eq(names[1], "Nguyễn Văn An");
    setup_names_free(names, n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("setup");
    TCase *tc = check_tcase(s, "setup", setup, teardown, 60);
    tcase_add_test(tc, assign_keeps_the_name_in_nfc_and_clears);
    tcase_add_test(tc, assign_refuses_what_laptops_cannot_take);
    tcase_add_test(tc, the_province_list_is_read_in_file_order);
    tcase_add_test(tc, the_commune_is_read_back_as_set);
    tcase_add_test(tc, the_enumerators_come_from_bundles_and_villages);
    return check_run(s);
}
