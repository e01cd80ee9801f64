/* check_value.c: values and their XPath conversions. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "core/value.h"

/* XPath Number grammar: what reads as a number and what does not. */
static const struct {
    const char *text;
    double want;  /* NAN: not a number */
} parse_cases[] = {
    {"0", 0}, {"1", 1}, {"-1", -1}, {"42", 42}, {"007", 7},
    {"3.25", 3.25}, {".5", 0.5}, {"5.", 5}, {"-.5", -0.5}, {"-0", -0.0},
    {"  12  ", 12}, {"\t\n12\r\n", 12}, {"0.1", 0.1}, {"0.30000000000000004", 0.30000000000000004},
    {"123456789012345678", 123456789012345678.0},
    {"0.000001", 0.000001}, {"1000000000000000000000", 1e21},
    {"9007199254740993", 9007199254740992.0},
    {"3.141592653589793238462643", 3.141592653589793},
    {"", NAN}, {"   ", NAN}, {"-", NAN}, {".", NAN}, {"+1", NAN},
    {"1e3", NAN}, {"1E3", NAN}, {"Infinity", NAN}, {"-Infinity", NAN},
    {"NaN", NAN}, {"0x10", NAN}, {"1 2", NAN}, {"1,5", NAN}, {"--1", NAN},
    {"- 1", NAN}, {"1-", NAN}, {"abc", NAN}, {"1.2.3", NAN}, {"١", NAN},
};

START_TEST(test_parse_number)
{
    double got = val_parse_number(parse_cases[_i].text);
    double want = parse_cases[_i].want;
    if (isnan(want))
        ck_assert_msg(isnan(got), "'%s' gave %.17g, want NaN",
                      parse_cases[_i].text, got);
    else
        ck_assert_msg(got == want && signbit(got) == signbit(want),
                      "'%s' gave %.17g, want %.17g", parse_cases[_i].text,
                      got, want);
}
END_TEST

/* Number to string: no exponent, shortest round trip. */
static const struct {
    double d;
    const char *want;
} format_cases[] = {
    {0, "0"}, {-0.0, "0"}, {1, "1"}, {-1, "-1"}, {42, "42"},
    {0.5, "0.5"}, {-0.25, "-0.25"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
    {2.0 / 3, "0.6666666666666666"}, {0.1 + 0.2, "0.30000000000000004"},
    {1e21, "1000000000000000000000"}, {1e15, "1000000000000000"},
    {123456789012345680000.0, "123456789012345680000"},
    {1e-7, "0.0000001"}, {1.5e-7, "0.00000015"}, {-1e-7, "-0.0000001"},
    {1e100, "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},
    {5e-324, "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005"},
    {123.456, "123.456"}, {1e14 + 0.5, "100000000000000.5"},
    {9007199254740992.0, "9007199254740992"}, {1234.5, "1234.5"},
    {NAN, "NaN"}, {INFINITY, "Infinity"}, {-INFINITY, "-Infinity"},
    {3.0e-5, "0.00003"}, {100, "100"}, {1e16, "10000000000000000"},
    {0.000123, "0.000123"}, {19787, "19787"}, {-2.5, "-2.5"},
};

START_TEST(test_format_number)
{
    char *s = val_format_number(format_cases[_i].d);
    int ok = strcmp(s, format_cases[_i].want) == 0;
    free(s);
    ck_assert_msg(ok, "%.17g formatted wrongly", format_cases[_i].d);
}
END_TEST

/* Every shortest form reads back as the same double. */
START_TEST(test_format_round_trips)
{
    static const double samples[] = {
        0.1, 0.7, 1.1, 2.675, 1e-5, 123.456e10, 4.35, 0.000001234,
        98765.4321, 1.7976931348623157e308, 2.2250738585072014e-308, 1.0 / 7,
    };
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        char *s = val_format_number(samples[i]);
        ck_assert_msg(!strchr(s, 'e'), "%s has an exponent", s);
        ck_assert_msg(strtod(s, NULL) == samples[i], "%s does not read back", s);
        free(s);
    }
}
END_TEST

static const struct {
    const char *text;
    double days;  /* NAN: not a date */
} date_cases[] = {
    {"1970-01-01", 0}, {"1970-01-02", 1}, {"1969-12-31", -1},
    {"2000-02-29", 11016}, {"2024-03-05", 19787}, {" 2024-03-05 ", 19787},
    {"2024-03-05T12:00", 19787.5}, {"2024-03-05T06:00:00", 19787.25},
    {"2024-03-05T12:00:00Z", 19787.5}, {"2024-03-05T12:00:00.000+00:00", 19787.5},
    {"2024-03-05T19:00:00+07:00", 19787.5}, {"2024-03-05T19:00:00+0700", 19787.5},
    {"2024-03-05T02:00:00-10:00", 19787.5}, {"2024-03-05T00:00:00+01:00", 19786 + 23.0 / 24},
    {"2023-02-29", NAN}, {"2024-13-01", NAN}, {"2024-00-10", NAN},
    {"2024-04-31", NAN}, {"24-03-05", NAN}, {"2024/03/05", NAN},
    {"2024-3-5", 19787}, {"1970-1-02", 1}, {"2024-3-5T12:00", 19787.5},
    {"2024-003-05", NAN}, {"2024--5", NAN}, {"2024-3-", NAN},
    {"2024-03-05x", NAN}, {"2024-03-05T", NAN},
    {"2024-03-05T25:00", NAN}, {"", NAN}, {"today", NAN},
};

START_TEST(test_parse_date)
{
    double days = -12345;
    int rc = val_parse_date(date_cases[_i].text, &days);
    if (isnan(date_cases[_i].days)) {
        ck_assert_msg(rc == -1, "'%s' read as a date", date_cases[_i].text);
    } else {
        ck_assert_msg(rc == 0, "'%s' not read as a date", date_cases[_i].text);
        ck_assert_msg(fabs(days - date_cases[_i].days) < 1e-9,
                      "'%s' gave %.10g days", date_cases[_i].text, days);
    }
}
END_TEST

START_TEST(test_civil_round_trip)
{
    for (long d = -800000; d <= 800000; d += 97) {
        long y;
        int m, dd;
        val_civil_from_days(d, &y, &m, &dd);
        ck_assert_int_eq(val_days_from_civil(y, m, dd), d);
    }
    long y;
    int m, d;
    val_civil_from_days(19787, &y, &m, &d);
    ck_assert(y == 2024 && m == 3 && d == 5);
}
END_TEST

START_TEST(test_date_formatting)
{
    char *s = val_format_date(19787.75);
    ck_assert_str_eq(s, "2024-03-05");
    free(s);
    s = val_format_date(NAN);
    ck_assert_str_eq(s, "");
    free(s);
    s = val_format_datetime(19787.5);
    ck_assert_str_eq(s, "2024-03-05T12:00:00.000+00:00");
    free(s);
    s = val_format_date_pattern(19787 + (13 * 3600 + 4 * 60 + 5.25) / 86400,
                                "%Y|%y|%m|%n|%b|%d|%e|%H|%h|%M|%S|%3|%a|%%|%q");
    ck_assert_str_eq(s, "2024|24|03|3|Mar|05|5|13|13|04|05|250|Tue|%|%q");
    free(s);
    s = val_format_date_pattern(-1, "%a %d/%m/%Y");
    ck_assert_str_eq(s, "Wed 31/12/1969");
    free(s);
    ck_assert(fabs(val_local_days(1709634030) - (19787 + 37230.0 / 86400)) < 1e-9);
}
END_TEST

START_TEST(test_conversions)
{
    value v = val_string("  7 ");
    ck_assert(val_to_number(&v) == 7);
    ck_assert(val_to_bool(&v));
    val_free(&v);
    v = val_string("");
    ck_assert(isnan(val_to_number(&v)));
    ck_assert(!val_to_bool(&v));
    val_free(&v);
    ck_assert(v.type == VAL_STRING && !val_to_bool(&v));  /* freed is "" */
    v = val_string("false");
    ck_assert(val_to_bool(&v));  /* any non-empty string is true */
    val_free(&v);
    v = val_string("2024-03-05");
    ck_assert(val_to_number(&v) == 19787);
    val_free(&v);
    v = val_number(NAN);
    ck_assert(!val_to_bool(&v));
    char *s = val_to_string(&v);
    ck_assert_str_eq(s, "NaN");
    free(s);
    v = val_number(-0.0);
    ck_assert(!val_to_bool(&v));
    v = val_bool(1);
    ck_assert(val_to_number(&v) == 1);
    s = val_to_string(&v);
    ck_assert_str_eq(s, "true");
    free(s);
    v = val_bool(0);
    s = val_to_string(&v);
    ck_assert_str_eq(s, "false");
    free(s);
}
END_TEST

START_TEST(test_nodeset)
{
    value v = val_nodeset();
    ck_assert(!val_to_bool(&v));
    ck_assert(isnan(val_to_number(&v)));
    char *s = val_to_string(&v);
    ck_assert_str_eq(s, "");
    free(s);
    for (int i = 0; i < 100; i++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", i + 5);
        val_nodeset_add(&v, buf);
    }
    ck_assert_uint_eq(v.n, 100);
    ck_assert_str_eq(v.items[99], "104");
    ck_assert(val_to_bool(&v));
    ck_assert(val_to_number(&v) == 5);
    value c = val_copy(&v);
    val_free(&v);
    ck_assert_uint_eq(c.n, 100);
    ck_assert_str_eq(c.items[42], "47");
    val_free(&c);
    v = val_string("abc");
    c = val_copy(&v);
    ck_assert(c.str != v.str);
    ck_assert_str_eq(c.str, "abc");
    val_free(&v);
    val_free(&c);
}
END_TEST

static Suite *value_suite(void)
{
    Suite *s = suite_create("value");
    TCase *tc = check_tcase(s, "core", NULL, NULL, 0);
    tcase_add_loop_test(tc, test_parse_number, 0,
                        sizeof parse_cases / sizeof *parse_cases);
    tcase_add_loop_test(tc, test_format_number, 0,
                        sizeof format_cases / sizeof *format_cases);
    tcase_add_loop_test(tc, test_parse_date, 0,
                        sizeof date_cases / sizeof *date_cases);
    tcase_add_test(tc, test_format_round_trips);
    tcase_add_test(tc, test_civil_round_trip);
    tcase_add_test(tc, test_date_formatting);
    tcase_add_test(tc, test_conversions);
    tcase_add_test(tc, test_nodeset);
    return s;
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    return check_run(value_suite());
}
