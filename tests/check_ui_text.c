/* check_ui_text.c: display widths, wrapping, truncation, the one-line
 * editor and the typed number and date checks of the terminal screens. */
#include "config.h"

#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/canon.h"
#include "core/ui_text.h"

/* "Tiếng Việt" with precomposed letters: 10 characters, 14 bytes. */
#define VIET "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t"
/* Two CJK characters of two columns each. */
#define WIDE "\xe4\xb8\xad\xe6\x96\x87"

START_TEST(width_counts_columns_not_bytes)
{
    ck_assert_int_eq(ui_text_width(""), 0);
    ck_assert_int_eq(ui_text_width("abc"), 3);
    ck_assert_int_eq(ui_text_width(VIET), 10);
    ck_assert_int_eq(ui_text_width(WIDE), 4);
    /* A combining acute accent adds no column. */
    ck_assert_int_eq(ui_text_width("e\xcc\x81"), 1);
    /* An invalid byte counts as one column. */
    ck_assert_int_eq(ui_text_width("a\xff" "b"), 3);
}
END_TEST

START_TEST(offsets_and_columns_round_trip)
{
    const char *s = "a" WIDE "b";
    ck_assert_int_eq(ui_text_off_to_col(s, 1), 1);
    ck_assert_int_eq(ui_text_off_to_col(s, 4), 3);
    ck_assert_int_eq(ui_text_off_to_col(s, 7), 5);
    /* Column 2 falls inside the first wide character: stop before it. */
    ck_assert_uint_eq(ui_text_col_to_off(s, 2), 1);
    ck_assert_uint_eq(ui_text_col_to_off(s, 3), 4);
    ck_assert_uint_eq(ui_text_col_to_off(s, 99), strlen(s));
    ck_assert_uint_eq(ui_text_next(s, strlen(s), 1), 4);
    ck_assert_uint_eq(ui_text_prev(s, 7), 4);
    ck_assert_uint_eq(ui_text_prev(s, 4), 1);
    ck_assert_uint_eq(ui_text_prev(s, 0), 0);
}
END_TEST

/* Copy wrapped line i of s. */
static char *line_of(const char *s, const ui_line *v, size_t i)
{
    char *r = malloc(v[i].len + 1);
    memcpy(r, s + v[i].off, v[i].len);
    r[v[i].len] = '\0';
    return r;
}

static void assert_wrap(const char *s, int width, const char **want, size_t n)
{
    ui_line *v;
    size_t got = ui_text_wrap(s, width, &v);
    ck_assert_uint_eq(got, n);
    for (size_t i = 0; i < n; i++) {
        char *l = line_of(s, v, i);
        ck_assert_str_eq(l, want[i]);
        ck_assert_int_le(ui_text_width(l), width);
        free(l);
    }
    free(v);
}

START_TEST(wrap_breaks_at_spaces)
{
    const char *want[] = {"the quick", "brown fox"};
    assert_wrap("the quick brown fox", 10, want, 2);
    const char *viet[] = {"Ti\xe1\xba\xbfng", "Vi\xe1\xbb\x87t"};
    assert_wrap(VIET, 7, viet, 2);
}
END_TEST

START_TEST(wrap_splits_long_words_between_characters)
{
    const char *want[] = {"Ti\xe1\xba\xbf", "ng"};
    assert_wrap("Ti\xe1\xba\xbfng", 3, want, 2);
    /* A wide character never straddles the edge. */
    const char *wide[] = {"a", "\xe4\xb8\xad", "\xe6\x96\x87"};
    assert_wrap("a" WIDE, 2, wide, 3);
}
END_TEST

START_TEST(wrap_keeps_newlines_and_empty_text)
{
    const char *want[] = {"one", "two"};
    assert_wrap("one\ntwo", 20, want, 2);
    const char *empty[] = {""};
    assert_wrap("", 20, empty, 1);
}
END_TEST

START_TEST(truncate_adds_an_ellipsis_only_when_cut)
{
    char *s = ui_text_truncate("abcdef", 6);
    ck_assert_str_eq(s, "abcdef");
    free(s);
    s = ui_text_truncate("abcdef", 4);
    ck_assert_str_eq(s, "abc\xe2\x80\xa6");
    ck_assert_int_eq(ui_text_width(s), 4);
    free(s);
    s = ui_text_truncate(VIET, 5);
    ck_assert_str_eq(s, "Ti\xe1\xba\xbfn\xe2\x80\xa6");
    free(s);
    /* Width 3 cannot hold "a" + a wide character + the ellipsis. */
    s = ui_text_truncate("a" WIDE, 3);
    ck_assert_str_eq(s, "a\xe2\x80\xa6");
    free(s);
    s = ui_text_truncate("abc", 0);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(edit_moves_and_deletes_by_character)
{
    ui_edit e;
    ui_edit_init(&e, VIET);
    ck_assert_uint_eq(e.cur, strlen(VIET));
    ui_edit_home(&e);
    ui_edit_right(&e);
    ui_edit_right(&e);
    /* The cursor is before "ế" (3 bytes): Delete removes all three. */
    ui_edit_delete(&e);
    ck_assert_str_eq(e.buf, "Ting Vi\xe1\xbb\x87t");
    ui_edit_end(&e);
    ui_edit_left(&e);
    ui_edit_backspace(&e);
    ck_assert_str_eq(e.buf, "Ting Vit");
    ck_assert_uint_eq(e.cur, 7);
    ui_edit_insert_wc(&e, L'\x1ec7');
    ck_assert_str_eq(e.buf, "Ting Vi\xe1\xbb\x87t");
    ck_assert_uint_eq(e.cur, 10);
    ui_edit_home(&e);
    ui_edit_backspace(&e);
    ui_edit_left(&e);
    ck_assert_uint_eq(e.cur, 0);
    ui_edit_end(&e);
    ui_edit_delete(&e);
    ui_edit_right(&e);
    ck_assert_uint_eq(e.cur, e.len);
    ui_edit_set(&e, NULL);
    ck_assert_str_eq(e.buf, "");
    ui_edit_free(&e);
}
END_TEST

/* Vietnamese typed with combining marks (NFD) is edited by whole
 * characters: one Right crosses "ễ" (e + circumflex + tilde), Backspace
 * removes all of it, and the cursor never lands between a letter and its
 * marks. Wide characters keep the cursor on the column the eye expects. */
START_TEST(edit_moves_by_grapheme_cluster)
{
    /* "Nguyễn" as N g u y e U+0302 U+0303 n. */
    static const char nfd[] = "Nguye\xcc\x82\xcc\x83n";
    ui_edit e;
    ui_edit_init(&e, nfd);
    ui_edit_home(&e);
    for (int i = 0; i < 4; i++)
        ui_edit_right(&e);
    ck_assert_uint_eq(e.cur, 4);
    ui_edit_right(&e);              /* across e + two marks: 5 bytes */
    ck_assert_uint_eq(e.cur, 9);
    ck_assert_int_eq(ui_text_off_to_col(e.buf, e.cur), 5);
    ui_edit_left(&e);
    ck_assert_uint_eq(e.cur, 4);
    ui_edit_right(&e);
    ui_edit_backspace(&e);
    ck_assert_str_eq(e.buf, "Nguyn");
    ck_assert_uint_eq(e.cur, 4);
    /* Typing at a cluster boundary never splits one. */
    ui_edit_set(&e, nfd);
    ui_edit_end(&e);
    ui_edit_left(&e);
    ui_edit_left(&e);
    ck_assert_uint_eq(e.cur, 4);
    ui_edit_insert(&e, "x", 1);
    ck_assert_str_eq(e.buf, "Nguyxe\xcc\x82\xcc\x83n");
    ui_edit_delete(&e);
    ck_assert_str_eq(e.buf, "Nguyxn");
    /* Wide characters: two columns each. */
    ui_edit_set(&e, "\xe4\xb8\xad\xe6\x96\x87");
    ui_edit_left(&e);
    ck_assert_uint_eq(e.cur, 3);
    ck_assert_int_eq(ui_text_off_to_col(e.buf, e.cur), 2);
    ck_assert_uint_eq(ui_text_next_cluster(e.buf, e.len, 0), 3);
    ck_assert_uint_eq(ui_text_prev_cluster(e.buf, e.len), 3);
    /* An invalid byte is a character of its own. */
    ui_edit_set(&e, "a\xff\xcc\x82");
    ck_assert_uint_eq(ui_text_next_cluster(e.buf, e.len, 0), 1);
    ck_assert_uint_eq(ui_text_next_cluster(e.buf, e.len, 1), 2);
    ck_assert_uint_eq(ui_text_next_cluster(e.buf, e.len, 2), 4);
    ui_edit_free(&e);
}
END_TEST

START_TEST(edit_view_scrolls_to_keep_the_cursor_visible)
{
    ui_edit e;
    ui_edit_init(&e, "0123456789abcdefghij");
    int c = ui_edit_view(&e, 10);
    ck_assert_int_eq(c, 9);
    ck_assert_int_eq(e.scroll, 11);
    ui_edit_home(&e);
    c = ui_edit_view(&e, 10);
    ck_assert_int_eq(c, 0);
    ck_assert_int_eq(e.scroll, 0);
    /* Wide characters: the view never starts in the middle of one. */
    ui_edit_set(&e, WIDE WIDE WIDE);
    c = ui_edit_view(&e, 5);
    ck_assert_int_eq(e.scroll % 2, 0);
    ck_assert_int_le(c, 4);
    ck_assert_int_ge(c, 0);
    /* Text shrinking back brings the start back into view. */
    ui_edit_set(&e, "ab");
    e.scroll = 7;
    c = ui_edit_view(&e, 10);
    ck_assert_int_eq(e.scroll, 0);
    ck_assert_int_eq(c, 2);
    ui_edit_free(&e);
}
END_TEST

START_TEST(numbers_are_checked_as_typed)
{
    ck_assert(ui_text_is_integer("42"));
    ck_assert(ui_text_is_integer("-7"));
    ck_assert(!ui_text_is_integer(""));
    ck_assert(!ui_text_is_integer("-"));
    ck_assert(!ui_text_is_integer("4a"));
    ck_assert(!ui_text_is_integer("1.5"));
    ck_assert(ui_text_is_decimal("1.5"));
    ck_assert(ui_text_is_decimal("-.5"));
    ck_assert(ui_text_is_decimal("3."));
    ck_assert(!ui_text_is_decimal("."));
    ck_assert(!ui_text_is_decimal("1.2.3"));
    /* The Vietnamese decimal comma, and spaces around what is typed. */
    ck_assert(ui_text_is_decimal("1,5"));
    ck_assert(ui_text_is_decimal(" 85,50 "));
    ck_assert(!ui_text_is_decimal("1,2,5"));
    ck_assert(!ui_text_is_decimal("1.2,5"));
    ck_assert(ui_text_is_integer(" 007 "));
    ck_assert(!ui_text_is_integer("0 07"));
}
END_TEST

/* Search keys ignore case, accents, tone marks and the bar of đ. */
START_TEST(search_keys_ignore_case_and_accents)
{
    char *a = canon_search_key("Xóm Đồng Tâm");
    char *b = canon_search_key("xom dong tam");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    a = canon_search_key("MƯỜNG");
    ck_assert_str_eq(a, "muong");
    free(a);
}
END_TEST

START_TEST(dates_convert_and_invalid_ones_are_refused)
{
    char *d = ui_text_date_parse("05/03/2024");
    ck_assert_str_eq(d, "2024-03-05");
    free(d);
    d = ui_text_date_parse("5/3/2024");
    ck_assert_str_eq(d, "2024-03-05");
    free(d);
    d = ui_text_date_parse("29/02/2024");
    ck_assert_str_eq(d, "2024-02-29");
    free(d);
    const char *bad[] = {"29/02/2023", "31/04/2024", "00/01/2024",
                         "01/13/2024", "1/1/24", "01/01/2024x", "",
                         "01-01/2024", "123/1/2024"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(ui_text_date_parse(bad[i]) == NULL, "%s", bad[i]);
    /* The message can say what is wrong: the day, the month, or the
     * way it is written. */
    ck_assert_int_eq(ui_text_date_check("30/02/2026"), UI_DATE_NO_DAY);
    ck_assert_int_eq(ui_text_date_check("29/02/2023"), UI_DATE_NO_DAY);
    ck_assert_int_eq(ui_text_date_check("00/01/2024"), UI_DATE_NO_DAY);
    ck_assert_int_eq(ui_text_date_check("01/13/2024"), UI_DATE_NO_MONTH);
    ck_assert_int_eq(ui_text_date_check("01/01/0000"), UI_DATE_NO_YEAR);
    ck_assert_int_eq(ui_text_date_check("1/1/24"), UI_DATE_FORMAT);
    ck_assert_int_eq(ui_text_date_check("30-02"), UI_DATE_FORMAT);
    ck_assert_int_eq(ui_text_date_check(" 29/02/2024 "), UI_DATE_OK);
    d = ui_text_date_show("2024-03-05");
    ck_assert_str_eq(d, "05/03/2024");
    free(d);
    d = ui_text_date_show(NULL);
    ck_assert_str_eq(d, "");
    free(d);
}
END_TEST

/* Text for the terminal: controls, bidi overrides and broken UTF-8 shown
 * as '?', Vietnamese kept, lines kept only when asked, whatever the
 * locale. */
START_TEST(safe_text_has_no_controls)
{
    static const struct {
        const char *in;
        ui_text_mode lines;
        const char *out;
    } c[] = {
        {"Nguy\xe1\xbb\x85n V\xc4\x83n An", 0, "Nguy\xe1\xbb\x85n V\xc4\x83n An"},
        {"a\x1b]52;c;ZXZpbA==\x07" "b", 0, "a?]52;c;ZXZpbA==?b"},
        {"\x1b[2J\xc2\x9b" "2J", 0, "?[2J?2J"},
        {"x\xe2\x80\xaey\xe2\x81\xa6z\xe2\x81\xa9", 0, "x?y?z?"},
        {"\x7f\xc2\x85", 0, "??"},
        {"bad \xff\xc3 end", 0, "bad ?? end"},
        {"\xed\xa0\x80 \xc0\xaf", 0, "??? ??"},
        {"one\ntwo\tx\r\nthree\rfour", 1, "one\ntwo\tx\r\nthree?four"},
        {"one\ntwo", 0, "one?two"},
        {"", 0, ""},
        /* A report: new lines kept, a tab a space, "\r\n" not kept. */
        {"Vi\xe1\xbb\x87t\tx\r\ny\x1b[1m\xc2\x9b\xe2\x80\xae\xff\n",
         UI_TEXT_REPORT, "Vi\xe1\xbb\x87t x?\ny?[1m???\n"},
        /* Quoted in a message: what the value holds, visibly. */
        {"a\"b\\c\x1b\x7f", UI_TEXT_QUOTED, "a\\x22b\\x5cc\\x1b\\x7f"},
        {"x\xc2\x9by\xe2\x80\xaez\xe2\x81\xa9\xff",
         UI_TEXT_QUOTED, "x\\u009by\\u202ez\\u2069\\xff"},
        {"Nguy\xe1\xbb\x85n", UI_TEXT_QUOTED, "Nguy\xe1\xbb\x85n"},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        char *t = ui_text_safe(c[i].in, c[i].lines);
        ck_assert_msg(strcmp(t, c[i].out) == 0, "case %zu: got '%s'", i, t);
        free(t);
    }
    /* Quoted values stop after 60 bytes, never inside a character. */
    char *q = ui_text_safe("0123456789012345678901234567890123456789"
                           "0123456789012345678901234567890123456789",
                           UI_TEXT_QUOTED);
    ck_assert_str_eq(q, "0123456789012345678901234567890123456789"
                        "01234567890123456789...");
    free(q);
    sbuf vi;
    sbuf_init(&vi);
    for (int i = 0; i < 25; i++)
        sbuf_add(&vi, "\xe1\xbb\x87");      /* U+1EC7, 3 bytes */
    q = ui_text_safe(vi.s, UI_TEXT_QUOTED);
    ck_assert_uint_eq(strlen(q), 60 + 3);
    ck_assert_str_eq(q + 60, "...");
    ck_assert(util_utf8_valid(q, strlen(q)));
    free(q);
    sbuf_reset(&vi);
    sbuf_add(&vi, "ab");
    for (int i = 0; i < 25; i++)
        sbuf_add(&vi, "\xe1\xbb\x87");
    q = ui_text_safe(vi.s, UI_TEXT_QUOTED);
    ck_assert_uint_eq(strlen(q), 2 + 60 + 3);  /* the one across byte 60 whole */
    ck_assert(util_utf8_valid(q, strlen(q)));
    free(q);
    sbuf_free(&vi);
    ck_assert(ui_text_is_control(0x202e));
    ck_assert(ui_text_is_control(0x2066));
    ck_assert(ui_text_is_control(0x9b));
    ck_assert(!ui_text_is_control(0x200d));     /* ZWJ joins, never overrides */
    ck_assert(!ui_text_is_control(0x1ec5));
}
END_TEST

/* Columns of text written to files (reports) do not depend on the
 * locale: the same counts in "C" as in a UTF-8 locale. */
START_TEST(cols_count_columns_whatever_the_locale)
{
    char *was = strdup(setlocale(LC_ALL, NULL));
    const char *locales[] = {"C", was};
    for (int i = 0; i < 2; i++) {
        setlocale(LC_ALL, locales[i]);
        ck_assert_uint_eq(ui_text_cols("", 0), 0);
        ck_assert_uint_eq(ui_text_cols(VIET, strlen(VIET)), 10);
        ck_assert_uint_eq(ui_text_cols(WIDE, strlen(WIDE)), 4);
        ck_assert_uint_eq(ui_text_cols("e\xcc\x81", 3), 1);
        /* Printed as one '?' each: a control, an invalid byte. */
        ck_assert_uint_eq(ui_text_cols("a\x1b" "b", 3), 3);
        ck_assert_uint_eq(ui_text_cols("a\xff" "b", 3), 3);
        /* Only the first n bytes: the first character of VIET. */
        ck_assert_uint_eq(ui_text_cols(VIET, 1), 1);
    }
    setlocale(LC_ALL, was);
    free(was);
}
END_TEST

static Suite *ui_text_suite(void)
{
    Suite *s = suite_create("ui_text");
    TCase *t = check_tcase(s, "core", NULL, NULL, 0);
    tcase_add_test(t, width_counts_columns_not_bytes);
    tcase_add_test(t, cols_count_columns_whatever_the_locale);
    tcase_add_test(t, offsets_and_columns_round_trip);
    tcase_add_test(t, wrap_breaks_at_spaces);
    tcase_add_test(t, wrap_splits_long_words_between_characters);
    tcase_add_test(t, wrap_keeps_newlines_and_empty_text);
    tcase_add_test(t, truncate_adds_an_ellipsis_only_when_cut);
    tcase_add_test(t, edit_moves_and_deletes_by_character);
    tcase_add_test(t, edit_moves_by_grapheme_cluster);
    tcase_add_test(t, edit_view_scrolls_to_keep_the_cursor_visible);
    tcase_add_test(t, numbers_are_checked_as_typed);
    tcase_add_test(t, dates_convert_and_invalid_ones_are_refused);
    tcase_add_test(t, search_keys_ignore_case_and_accents);
    tcase_add_test(t, safe_text_has_no_controls);
    return s;
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "en_US.UTF-8"))
        return 77;  /* no UTF-8 locale: nothing meaningful to test */
    return check_run(ui_text_suite());
}
