/* check_util.c: string buffers, diagnostics and UTF-8 validation. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/util.h"

START_TEST(sbuf_grows_and_terminates)
{
    sbuf b;
    sbuf_init(&b);
    for (int i = 0; i < 1000; i++)
        sbuf_addc(&b, 'a' + i % 26);
    ck_assert_uint_eq(b.len, 1000);
    ck_assert_int_eq(b.s[1000], '\0');
    sbuf_addf(&b, "-%d-%s", 42, "x");
    ck_assert_str_eq(b.s + 1000, "-42-x");
    char *s = sbuf_detach(&b);
    ck_assert_ptr_null(b.s);
    ck_assert_uint_eq(strlen(s), 1005);
    free(s);
}
END_TEST

START_TEST(sbuf_detach_of_empty_is_empty_string)
{
    sbuf b;
    sbuf_init(&b);
    char *s = sbuf_detach(&b);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(diag_formats_and_sorts_by_position)
{
    diag_list d;
    diag_init(&d);
    diag_add(&d, "b.yaml", 3, 1, "third");
    diag_add(&d, "a.yaml", 9, 2, "second");
    diag_add(&d, "a.yaml", 2, 7, "first");
    diag_add(&d, "a.yaml", 9, 2, "second-too");
    diag_sort(&d);
    const char *want[] = {"a.yaml:2:7: first", "a.yaml:9:2: second",
                          "a.yaml:9:2: second-too", "b.yaml:3:1: third"};
    for (size_t i = 0; i < d.n; i++) {
        char *s = diag_format(&d.v[i]);
        ck_assert_str_eq(s, want[i]);
        free(s);
    }
    diag_free(&d);
    ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(diag_without_position_names_the_file)
{
    diag_list d;
    diag_init(&d);
    diag_add(&d, "x.yaml", 0, 0, "cannot read: %s", "No such file");
    char *s = diag_format(&d.v[0]);
    ck_assert_str_eq(s, "x.yaml: cannot read: No such file");
    free(s);
    diag_free(&d);
}
END_TEST

static const struct {
    const char *s;
    int valid;
} utf8_cases[] = {
    {"plain ascii", 1},
    {"Phiếu hộ gia đình", 1},
    {"\xe2\x82\xac", 1},
    {"\xf0\x9f\x98\x80", 1},
    {"\xc3", 0},            /* truncated */
    {"\xc0\xaf", 0},        /* overlong '/' */
    {"\xed\xa0\x80", 0},    /* surrogate */
    {"\xf4\x90\x80\x80", 0}, /* above U+10FFFF */
    {"\xff", 0},
    {"ok\x80", 0},
};

START_TEST(utf8_validation)
{
    const char *s = utf8_cases[_i].s;
    ck_assert_int_eq(util_utf8_valid(s, strlen(s)), utf8_cases[_i].valid);
}
END_TEST

START_TEST(read_file_reports_missing_file)
{
    size_t n = 1;
    ck_assert_ptr_null(util_read_file("/nonexistent/khaosat/file", &n));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *tc = check_tcase(s, "core", NULL, NULL, 0);
    tcase_add_test(tc, sbuf_grows_and_terminates);
    tcase_add_test(tc, sbuf_detach_of_empty_is_empty_string);
    tcase_add_test(tc, diag_formats_and_sorts_by_position);
    tcase_add_test(tc, diag_without_position_names_the_file);
    tcase_add_loop_test(tc, utf8_validation, 0,
                        sizeof utf8_cases / sizeof *utf8_cases);
    tcase_add_test(tc, read_file_reports_missing_file);
    return check_run(s);
}
