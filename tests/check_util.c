/* check_util.c: string buffers, diagnostics and UTF-8 validation. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/clock.h"
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

/* The times simulate --clock takes, and what it refuses. */
START_TEST(clock_parses_utc_times)
{
    time_t t = 0;
    ck_assert_int_eq(clock_parse_utc("2026-06-01T08:00:00Z", &t), 0);
    ck_assert_int_eq((long long)t, 1780300800LL);
    ck_assert_int_eq(clock_parse_utc("2026-06-01T08:00", &t), 0);
    ck_assert_int_eq((long long)t, 1780300800LL);
    ck_assert_int_eq(clock_parse_utc("2024-02-29", &t), 0);
    ck_assert_int_eq((long long)t, 1709164800LL);
    ck_assert_int_eq(clock_parse_utc("1970-01-01T00:00:00Z", &t), 0);
    ck_assert_int_eq((long long)t, 0);
    const char *bad[] = {"", "2026", "2026-13-01", "2026-06-01T25:00",
                         "2026-06-01 08:00", "2026-06-01T08:00:00+07",
                         "2026-06-01T08:00:00Zx", "1969-12-31", "2026-02-30"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(clock_parse_utc(bad[i], &t) == -1, "%s", bad[i]);
}
END_TEST

/* The times khaosat stamps, read back to the millisecond; what it never
 * writes is refused (it would compare wrongly upstream). */
START_TEST(clock_reads_and_writes_stamps)
{
    struct timespec t;
    char buf[32];
    ck_assert_int_eq(clock_stamp_parse("2026-06-01T08:00:00.123Z", &t), 0);
    ck_assert_int_eq((long long)t.tv_sec, 1780300800LL);
    ck_assert_int_eq(t.tv_nsec, 123000000L);
    clock_stamp_format(&t, buf);
    ck_assert_str_eq(buf, "2026-06-01T08:00:00.123Z");
    ck_assert_int_eq(clock_stamp_parse("2026-06-01T08:00:00Z", &t), 0);
    ck_assert_int_eq(t.tv_nsec, 0);
    const char *bad[] = {"zzzz", "2026-13-01T00:00:00Z",
                         "2026-06-01T08:00:00.123Z ", "2026-06-01T08:00:00.5Z",
                         "2026-06-01T08:00", "2026-06-01", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(clock_stamp_parse(bad[i], &t) == -1, "%s", bad[i]);
}
END_TEST

/* A fixed clock stands still; seeded identifiers repeat run after run
 * and change with the seed. */
START_TEST(clock_fixed_and_seeded)
{
    struct timespec a, b;
    ck_assert(!clock_is_fixed());
    clock_fix(1780300800);
    clock_now(&a);
    clock_now(&b);
    ck_assert_int_eq((long long)a.tv_sec, 1780300800LL);
    ck_assert_int_eq(a.tv_nsec, 0);
    ck_assert_int_eq((long long)b.tv_sec, (long long)a.tv_sec);
    unsigned char x[2][16], y[16], z[16];
    clock_seed_ids(7);
    clock_id_bytes(x[0], 16);
    clock_id_bytes(x[1], 16);
    ck_assert(memcmp(x[0], x[1], 16) != 0);
    clock_seed_ids(7);
    clock_id_bytes(y, 16);
    ck_assert(memcmp(x[0], y, 16) == 0);
    clock_seed_ids(8);
    clock_id_bytes(z, 16);
    ck_assert(memcmp(x[0], z, 16) != 0);
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
    tcase_add_test(tc, clock_parses_utc_times);
    tcase_add_test(tc, clock_reads_and_writes_stamps);
    tcase_add_test(tc, clock_fixed_and_seeded);
    return check_run(s);
}
