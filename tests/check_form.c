/* check_form.c: loading forms from YAML, their structure, and every error
 * the form checker reports, with its exact position. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/form.h"
#include "core/form_int.h"

/* Load tests/data/NAME; *out receives every diagnostic, sorted, as
 * "NAME:LINE:COL: message" lines joined by newlines. */
static form *load_data(const char *name, char **out)
{
    char *path = xasprintf("%s/%s", TESTDATADIR, name);
    diag_list d;
    diag_init(&d);
    form *f = form_load_file(path, &d);
    diag_sort(&d);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < d.n; i++) {
        char *s = diag_format(&d.v[i]);
        /* Strip the directory, so expectations name only the file. */
        const char *rel = strncmp(s, path, strlen(path)) ? s : s + strlen(TESTDATADIR) + 1;
        sbuf_addf(&b, "%s%s", i ? "\n" : "", rel);
        free(s);
    }
    diag_free(&d);
    free(path);
    *out = sbuf_detach(&b);
    return f;
}

/* Load text given in memory under the name "mem.yaml". */
static form *load_text(const char *text, size_t len, char **out)
{
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(text, len, "mem.yaml", &d);
    diag_sort(&d);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < d.n; i++) {
        char *s = diag_format(&d.v[i]);
        sbuf_addf(&b, "%s%s", i ? "\n" : "", s);
        free(s);
    }
    diag_free(&d);
    *out = sbuf_detach(&b);
    return f;
}

/* The diagnostics a bad fixture must produce, exactly. */
static const struct {
    const char *file, *want;
} bad_forms[] = {
    {"bad_yaml_syntax.yaml",
     "bad_yaml_syntax.yaml:10:1: YAML syntax error: found unexpected end of "
     "stream (while scanning a quoted scalar)"},
    {"bad_unknown_key.yaml",
     "bad_unknown_key.yaml:6:3: unknown key 'author' in form\n"
     "bad_unknown_key.yaml:11:7: unknown key 'bad-attr' in choice\n"
     "bad_unknown_key.yaml:16:5: unknown key 'lable' in question"},
    {"bad_missing_key.yaml",
     "bad_missing_key.yaml:2:3: missing required key 'version'\n"
     "bad_missing_key.yaml:6:5: missing required key 'type'\n"
     "bad_missing_key.yaml:8:5: missing required key 'id'\n"
     "bad_missing_key.yaml:10:5: missing required key 'label'"},
    {"bad_unknown_type.yaml",
     "bad_unknown_type.yaml:8:11: unknown question type 'integr'"},
    {"bad_duplicate_id.yaml",
     "bad_duplicate_id.yaml:14:13: duplicate question id 'a' (first defined "
     "on line 7)"},
    {"bad_duplicate_choice.yaml",
     "bad_duplicate_choice.yaml:10:14: duplicate choice value '1' in list 'yn'"},
    {"bad_duplicate_list.yaml",
     "bad_duplicate_list.yaml:10:3: duplicate choice list name 'yn'"},
    {"bad_undefined_ref.yaml",
     "bad_undefined_ref.yaml:12:21: reference to undefined question ${nope2}\n"
     "bad_undefined_ref.yaml:13:29: reference to undefined question ${nope}"},
    {"bad_undefined_list.yaml",
     "bad_undefined_list.yaml:8:22: undefined choice list 'colours'"},
    {"bad_expr_syntax.yaml",
     "bad_expr_syntax.yaml:10:35: error in constraint: missing ')'"},
    {"bad_cycle.yaml",
     "bad_cycle.yaml:7:5: dependency cycle: a -> b -> a"},
    {"bad_translation.yaml",
     "bad_translation.yaml:9:12: missing 'en' translation\n"
     "bad_translation.yaml:12:12: missing 'en' translation"},
    {"bad_filter.yaml",
     "bad_filter.yaml:10:20: choice_filter is only allowed on select_one and "
     "select_multiple questions"},
    {"bad_empty_group.yaml",
     "bad_empty_group.yaml:7:5: group 'g' has no questions\n"
     "bad_empty_group.yaml:13:16: repeat 'r' has no questions"},
    {"bad_key.yaml",
     "bad_key.yaml:6:12: key names unknown question 'nope'\n"
     "bad_key.yaml:6:18: key question 'm' is inside repeat 'r'"},
    {"bad_default_language.yaml",
     "bad_default_language.yaml:6:21: default language 'fr' is not one of "
     "the languages"},
    {"bad_count.yaml",
     "bad_count.yaml:11:10: 'min' and 'max' cannot be combined with 'count'\n"
     "bad_count.yaml:17:10: 'min' must be a whole number from 0 to 1000 "
     "(the most members a roster holds)\n"
     "bad_count.yaml:24:10: 'max' (2) is less than 'min' (4)\n"
     "bad_count.yaml:30:12: 'count' is only allowed on repeat questions\n"
     "bad_count.yaml:34:12: the count of repeat 'r4' is 1000000000, more than "
     "the 1000 members a roster holds\n"
     "bad_count.yaml:40:10: 'max' must be a whole number from 0 to 1000 (the "
     "most members a roster holds)"},
    {"bad_filter_attr.yaml",
     "bad_filter_attr.yaml:17:20: choice list 'v' has no attribute 'comune'"},
    {"bad_self_cycle.yaml",
     "bad_self_cycle.yaml:7:5: dependency cycle: g -> x -> g\n"
     "bad_self_cycle.yaml:16:5: dependency cycle: n -> n"},
    {"bad_designer.yaml",
     "bad_designer.yaml:13:15: choice value 'mo mo' contains a space: the answer of a select_multiple lists its codes separated by spaces (write it with _ instead)\n"
     "bad_designer.yaml:18:14: default '31/12/2026' is not a date: write it as YYYY-MM-DD (2026-12-31), or today() for the day of the interview\n"
     "bad_designer.yaml:22:14: default '2' is not a code of list 'yesno' (its codes: 1, 0)\n"
     "bad_designer.yaml:26:29: ${consent} is compared with 'no', which is not a code of list 'yesno' (its codes: 1, 0)\n"
     "bad_designer.yaml:26:56: ${crops} is compared with 'ngo', which is not a code of list 'crop' (its codes: lua, mo mo)\n"
     "bad_designer.yaml:30:14: default 'ca' is not a code of list 'crop' (its codes: lua, mo mo)\n"
     "bad_designer.yaml:37:13: the count of repeat 'plots' reads ${n}, a text question: a number of instances comes from an integer question\n"
     "bad_designer.yaml:44:22: ${area} is a question of roster 'plots': outside it, read it with sum(), count(), max(), join() or indexed-repeat()\n"
     "bad_designer.yaml:48:15: 'required' on a note: a note takes no answer\n"
     "bad_designer.yaml:51:12: empty label: the enumerator would see a blank question\n"
     "bad_designer.yaml:55:14: default '2.5' is not a whole number"},
    {"bad_xlsform_habits.yaml",
     "bad_xlsform_habits.yaml:9:7: missing required key 'value' (XLSForm's name column is called `value` here)\n"
     "bad_xlsform_habits.yaml:10:20: unknown key 'label::vi' in choice (did you mean `label: {vi: …}`?)\n"
     "bad_xlsform_habits.yaml:15:5: unknown key 'hint::vi' in question (did you mean `hint: {vi: …}`?)\n"
     "bad_xlsform_habits.yaml:19:5: unknown key 'repeat_count' in question (did you mean `count`?)\n"
     "bad_xlsform_habits.yaml:25:11: 'or_other' is not supported: add a choice such as {value: other, label: Khác} to list 'crop', and a text question after this one with relevant: \"selected(${crops}, 'other')\""},
    {"bad_colon.yaml",
     "bad_colon.yaml:9:15: YAML syntax error: mapping values are not allowed in this context (a text containing ': ' must be quoted: label: \"Tên: họ và tên\")"},
    {"bad_randomize.yaml",
     "bad_randomize.yaml:5:46: 'randomize' is only allowed on select_one and select_multiple questions\n"
     "bad_randomize.yaml:6:50: 'seed' needs randomize: true\n"
     "bad_randomize.yaml:7:55: 'randomize' must be true or false\n"
     "bad_randomize.yaml:8:68: reference to undefined question ${nope}\n"
     "bad_randomize.yaml:9:44: unknown key 'parameters' in question (did you mean `randomize`?)"},
    {"empty.yaml", "empty.yaml:1:1: the form file is empty"},
    {"scalar_top.yaml", "scalar_top.yaml:1:1: a form must be a YAML mapping"},
    {"aliases.yaml", "aliases.yaml:2:8: YAML aliases are not supported"},
};

START_TEST(bad_form_reports_exact_position)
{
    char *got;
    form *f = load_data(bad_forms[_i].file, &got);
    ck_assert_str_eq(got, bad_forms[_i].want);
    free(got);
    form_free(f);
}
END_TEST

START_TEST(good_form_loads_cleanly)
{
    char *got;
    form *f = load_data("good.yaml", &got);
    ck_assert_str_eq(got, "");
    free(got);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->id, "household");
    ck_assert_str_eq(f->version, "2026.1");
    ck_assert_uint_eq(f->nlang, 2);
    ck_assert_str_eq(f->languages[1], "en");
    ck_assert_int_eq(f->default_lang, 0);
    ck_assert_ptr_nonnull(f->source);
    ck_assert_uint_eq(f->source_len, strlen(f->source));
    form_free(f);
}
END_TEST

START_TEST(questions_flatten_in_document_order)
{
    char *got;
    form *f = load_data("good.yaml", &got);
    free(got);
    static const char *const ids[] = {
        "commune", "village", "hh_no", "internet", "hh_size", "sec_a",
        "speed", "members", "name", "phone", "total", "double"};
    ck_assert_uint_eq(f->nq, 12);
    for (size_t i = 0; i < f->nq; i++) {
        ck_assert_str_eq(f->q[i].id, ids[i]);
        ck_assert_int_eq(form_find(f, ids[i]), (int)i);
    }
    ck_assert_int_eq(form_find(f, "nope"), -1);
    const form_question *sec = &f->q[5], *members = &f->q[7], *phone = &f->q[9];
    ck_assert_int_eq(sec->type, QT_GROUP);
    ck_assert_int_eq(sec->parent, -1);
    ck_assert_int_eq(sec->end, 10);
    ck_assert_int_eq(sec->depth, 0);
    ck_assert_int_eq(members->type, QT_REPEAT);
    ck_assert_int_eq(members->parent, 5);
    ck_assert_int_eq(members->repeat, -1);
    ck_assert_int_eq(members->end, 10);
    ck_assert_int_eq(members->depth, 1);
    ck_assert_ptr_nonnull(members->count);
    ck_assert_int_eq(phone->parent, 7);
    ck_assert_int_eq(phone->repeat, 7);
    ck_assert_int_eq(phone->depth, 2);
    ck_assert_int_eq(phone->type, QT_SELECT_MULTIPLE);
    ck_assert_int_eq(f->q[6].repeat, -1);
    ck_assert_int_eq(f->q[0].line, 29);
    ck_assert_int_eq(f->q[0].col, 5);
    ck_assert_int_eq(f->q[1].required_always, 1);
    ck_assert_ptr_nonnull(f->q[1].choice_filter);
    ck_assert_ptr_nonnull(f->q[2].constraint);
    ck_assert_ptr_null(f->q[2].relevant);
    ck_assert_str_eq(f->q[4].default_value, "1");
    ck_assert_int_eq(f->q[10].type, QT_CALCULATE);
    ck_assert_ptr_null(f->q[10].label);
    form_free(f);
}
END_TEST

START_TEST(lists_and_choices_keep_attributes)
{
    char *got;
    form *f = load_data("good.yaml", &got);
    free(got);
    ck_assert_uint_eq(f->nlists, 3);
    const form_list *v = &f->lists[2];
    ck_assert_str_eq(v->name, "village");
    ck_assert_uint_eq(v->nchoices, 2);
    ck_assert_uint_eq(v->nattrs, 3);
    ck_assert_str_eq(v->attrs[0], "value");
    ck_assert_str_eq(v->attrs[1], "commune");
    ck_assert_str_eq(v->attrs[2], "zone");
    const form_question *village = &f->q[1];
    ck_assert_int_eq(village->list, 2);
    const form_choice *c = form_choice_find(f, village, "v02");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(form_choice_attr(c, "commune"), "c2");
    ck_assert_str_eq(form_choice_attr(c, "zone"), "north");
    ck_assert_str_eq(form_choice_attr(c, "value"), "v02");
    ck_assert_ptr_null(form_choice_attr(&v->choices[0], "zone"));
    ck_assert_ptr_null(form_choice_find(f, village, "v03"));
    ck_assert_ptr_null(form_choice_find(f, &f->q[2], "v01"));
    /* A YAML integer value is kept as written. */
    ck_assert_str_eq(f->lists[1].choices[1].value, "0");
    /* Bare names of the filter are bound past the questions. */
    int nq = (int)f->nq;
    ck_assert_str_eq(form_filter_value(f, village, c, nq + 1), "c2");
    ck_assert_str_eq(form_filter_value(f, village, c, nq + 0), "v02");
    ck_assert_ptr_null(form_filter_value(f, village, c, nq + 3));
    ck_assert_ptr_null(form_filter_value(f, village, c, 0));
    size_t nrefs = expr_ref_count(village->choice_filter);
    ck_assert_uint_eq(nrefs, 3);
    ck_assert_int_eq(expr_ref_id(village->choice_filter, 0), nq + 1);
    ck_assert_int_eq(expr_ref_id(village->choice_filter, 1), 0);
    ck_assert_int_eq(expr_ref_id(village->choice_filter, 2), nq + 2);
    form_free(f);
}
END_TEST

START_TEST(texts_per_language_with_fallback)
{
    char *got;
    form *f = load_data("good.yaml", &got);
    free(got);
    int vi = form_lang(f, "vi"), en = form_lang(f, "en");
    ck_assert_int_eq(vi, 0);
    ck_assert_int_eq(en, 1);
    ck_assert_int_eq(form_lang(f, "fr"), -1);
    ck_assert_str_eq(form_text_get(f, f->title, vi), "Phiếu hộ gia đình");
    ck_assert_str_eq(form_text_get(f, f->title, en), "Household form");
    ck_assert_str_eq(form_text_get(f, f->q[3].hint, en), "Fibre or 4G");
    ck_assert_str_eq(form_text_get(f, f->q[6].label, en), "Speed at ${village}");
    /* Unknown language: the default one. */
    ck_assert_str_eq(form_text_get(f, f->title, 7), "Phiếu hộ gia đình");
    ck_assert_str_eq(form_text_get(f, f->q[10].label, en), "");
    /* A missing translation falls back to the default, then to any. */
    free(f->title[0]);
    f->title[0] = NULL;
    ck_assert_str_eq(form_text_get(f, f->title, vi), "Household form");
    ck_assert_str_eq(form_text_get(f, f->lists[1].choices[0].label, en), "Yes");
    form_free(f);
}
END_TEST

START_TEST(metadata_and_indicators)
{
    char *got;
    form *f = load_data("good.yaml", &got);
    free(got);
    const form_question *q = &f->q[3];
    ck_assert_uint_eq(q->nmeta, 3);
    ck_assert_str_eq(q->meta[0].key, "indicator");
    ck_assert_str_eq(q->meta[0].value, "C2");
    ck_assert_str_eq(q->meta[1].key, "indicator");
    ck_assert_str_eq(q->meta[1].value, "4.1");
    ck_assert_str_eq(form_meta(q, "indicator"), "C2");
    ck_assert_str_eq(form_meta(q, "report"), "internet_rate");
    ck_assert_ptr_null(form_meta(q, "nope"));
    ck_assert_str_eq(form_meta(&f->q[6], "indicator"), "4.2");
    ck_assert_uint_eq(f->nkey, 2);
    ck_assert_int_eq(f->key[0], 1);
    ck_assert_int_eq(f->key[1], 2);
    ck_assert_str_eq(form_qtype_name(QT_SELECT_MULTIPLE), "select_multiple");
    ck_assert_str_eq(form_qtype_name(QT_REPEAT), "repeat");
    form_free(f);
}
END_TEST

/* Non-zero when question dep is among q's dependents. */
static int has_dependent(const form_question *q, int dep)
{
    for (size_t i = 0; i < q->ndependents; i++)
        if (q->dependents[i] == dep)
            return 1;
    return 0;
}

START_TEST(dependents_and_order)
{
    char *got;
    form *f = load_data("good.yaml", &got);
    free(got);
    /* commune: read by village's choice_filter. */
    ck_assert_uint_eq(f->q[0].ndependents, 1);
    ck_assert_int_eq(f->q[0].dependents[0], 1);
    /* village: interpolated in speed's label. */
    ck_assert_uint_eq(f->q[1].ndependents, 1);
    ck_assert_int_eq(f->q[1].dependents[0], 6);
    /* internet: sec_a's relevance, which applies to everything inside. */
    ck_assert_uint_eq(f->q[3].ndependents, 5);
    for (int i = 5; i <= 9; i++)
        ck_assert(has_dependent(&f->q[3], i));
    /* hh_size: members' count and double's calculation. */
    ck_assert_uint_eq(f->q[4].ndependents, 2);
    ck_assert_int_eq(f->q[4].dependents[0], 7);
    ck_assert_int_eq(f->q[4].dependents[1], 11);
    ck_assert_uint_eq(f->q[2].ndependents, 0);
    /* double is computed before total, which reads it. */
    static const int order[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10};
    for (size_t i = 0; i < f->nq; i++)
        ck_assert_int_eq(f->order[i], order[i]);
    form_free(f);
}
END_TEST

START_TEST(expression_columns_follow_quoting)
{
    /* Single and double quotes with escapes before the bad reference. */
    static const char text[] =
        "form: {id: m, version: '1', title: T, languages: [vi]}\n"
        "questions:\n"
        "  - id: a\n"
        "    relevant: '''x'' = ${n1}'\n"
        "    constraint: \"'\\u00e9\\t' = ${n2}\"\n"
        "    calculation: |\n"
        "      ${n3}\n"
        "    type: integer\n"
        "    label: A\n";
    char *got;
    form *f = load_text(text, sizeof text - 1, &got);
    ck_assert_str_eq(got,
        "mem.yaml:4:24: reference to undefined question ${n1}\n"
        "mem.yaml:5:31: reference to undefined question ${n2}\n"
        "mem.yaml:6:18: reference to undefined question ${n3}");
    free(got);
    form_free(f);
}
END_TEST

START_TEST(plain_text_is_default_language_only)
{
    static const char text[] =
        "form: {id: m, version: '1', title: {en: T, vi: T}, languages: [en, vi],\n"
        "       default_language: vi}\n"
        "questions:\n"
        "  - {id: a, type: note, label: Chào, hint: {vi: x, en: y, fr: z}}\n";
    char *got;
    form *f = load_text(text, sizeof text - 1, &got);
    ck_assert_str_eq(got,
        "mem.yaml:4:32: missing 'en' translation\n"
        "mem.yaml:4:59: 'fr' is not one of the form's languages");
    ck_assert_int_eq(f->default_lang, 1);
    ck_assert_str_eq(form_text_get(f, f->q[0].label, 0), "Chào");
    free(got);
    form_free(f);
}
END_TEST

START_TEST(hostile_binary_garbage)
{
    char buf[4096];
    unsigned s = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        s = s * 1103515245u + 12345u;
        buf[i] = (char)(s >> 16);
    }
    char *got;
    form *f = load_text(buf, sizeof buf, &got);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(got, "not valid UTF-8") != NULL, "%s", got);
    free(got);
    /* Valid UTF-8 but control characters. */
    f = load_text("a: \x01\x02\n", 7, &got);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(got, "mem.yaml:1:4: YAML syntax error: control "
                          "characters are not allowed");
    free(got);
}
END_TEST

START_TEST(hostile_non_utf8_position)
{
    static const char text[] = "form:\n  id: \"caf\xe9\"\n";
    char *got;
    form *f = load_text(text, sizeof text - 1, &got);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(got, "mem.yaml:2:11: the file is not valid UTF-8");
    free(got);
}
END_TEST

START_TEST(hostile_deep_nesting)
{
    sbuf b;
    sbuf_init(&b);
    for (int i = 0; i < 100000; i++)
        sbuf_addc(&b, '[');
    char *got;
    form *f = load_text(b.s, b.len, &got);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(got, "mem.yaml:1:65: YAML nesting is deeper than 64 levels");
    free(got);
    sbuf_free(&b);
}
END_TEST

/* multiline: only on text questions, only true or false; setup() is a
 * function a default may call. */
START_TEST(multiline_and_setup_defaults)
{
    static const char ok[] =
        "form: {id: m, version: '1', title: T, languages: [vi]}\n"
        "questions:\n"
        "  - {id: a, type: text, label: A, multiline: true}\n"
        "  - {id: b, type: text, label: B, default: \"setup('enumerator')\"}\n";
    char *got;
    form *f = load_text(ok, sizeof ok - 1, &got);
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(f->q[0].multiline, 1);
    ck_assert_ptr_nonnull(f->q[1].default_expr);
    free(got);
    form_free(f);
    static const char bad[] =
        "form: {id: m, version: '1', title: T, languages: [vi]}\n"
        "questions:\n"
        "  - {id: a, type: integer, label: A, multiline: true}\n"
        "  - {id: b, type: text, label: B, multiline: maybe}\n"
        "  - {id: c, type: text, label: C, default: \"setup()\"}\n";
    f = load_text(bad, sizeof bad - 1, &got);
    ck_assert_msg(strstr(got, "mem.yaml:3:49: 'multiline' is only allowed on "
                         "text questions"), "%s", got);
    ck_assert_msg(strstr(got, "mem.yaml:4:46: 'multiline' must be true or "
                         "false"), "%s", got);
    ck_assert_msg(strstr(got, "mem.yaml:5:45: error in default: wrong number of arguments to 'setup' (expects 1, got 0)"), "%s", got);
    free(got);
    form_free(f);
}
END_TEST

START_TEST(hostile_huge_scalar)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "form: {id: m, version: '1', title: T, languages: [vi]}\n"
                 "questions:\n  - {id: a, type: note, label: \"");
    for (int i = 0; i < 4 * 1024 * 1024; i++)
        sbuf_addc(&b, 'x');
    sbuf_add(&b, "\"}\n");
    char *got;
    form *f = load_text(b.s, b.len, &got);
    ck_assert_str_eq(got, "");
    ck_assert_uint_eq(strlen(form_text_get(f, f->q[0].label, 0)), 4 * 1024 * 1024);
    free(got);
    form_free(f);
    sbuf_free(&b);
}
END_TEST

START_TEST(hostile_more_documents_and_missing_file)
{
    char *got;
    form *f = load_text("a: 1\n---\nb: 2\n", 14, &got);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(got, "mem.yaml:2:1: a form file holds a single YAML document");
    free(got);
    diag_list d;
    diag_init(&d);
    ck_assert_ptr_null(form_load_file(TESTDATADIR "/no-such-file.yaml", &d));
    ck_assert_uint_eq(d.n, 1);
    ck_assert_int_eq(d.v[0].line, 0);
    ck_assert_msg(strstr(d.v[0].msg, "cannot read") != NULL, "%s", d.v[0].msg);
    diag_free(&d);
    form_free(NULL);
}
END_TEST

START_TEST(long_chain_orders_without_recursion)
{
    /* q0 reads q1, which reads q2, ...: the order is reversed. */
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "form: {id: m, version: '1', title: T, languages: [vi]}\n"
                 "questions:\n");
    int n = 5000;
    for (int i = 0; i < n; i++) {
        if (i + 1 < n)
            sbuf_addf(&b, "  - {id: q%d, type: calculate, calculation: '${q%d} + 1'}\n",
                      i, i + 1);
        else
            sbuf_addf(&b, "  - {id: q%d, type: calculate, calculation: '1'}\n", i);
    }
    char *got;
    form *f = load_text(b.s, b.len, &got);
    ck_assert_str_eq(got, "");
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(f->order[i], n - 1 - i);
    ck_assert_uint_eq(f->q[n - 1].ndependents, 1);
    ck_assert_int_eq(f->q[n - 1].dependents[0], n - 2);
    free(got);
    form_free(f);
    sbuf_free(&b);
}
END_TEST

static Suite *form_suite(void)
{
    Suite *s = suite_create("form");
    TCase *tc = check_tcase(s, "core", NULL, NULL, 60);
    tcase_add_loop_test(tc, bad_form_reports_exact_position, 0,
                        (int)(sizeof bad_forms / sizeof *bad_forms));
    tcase_add_test(tc, good_form_loads_cleanly);
    tcase_add_test(tc, questions_flatten_in_document_order);
    tcase_add_test(tc, lists_and_choices_keep_attributes);
    tcase_add_test(tc, texts_per_language_with_fallback);
    tcase_add_test(tc, metadata_and_indicators);
    tcase_add_test(tc, dependents_and_order);
    tcase_add_test(tc, expression_columns_follow_quoting);
    tcase_add_test(tc, plain_text_is_default_language_only);
    tcase_add_test(tc, hostile_binary_garbage);
    tcase_add_test(tc, hostile_non_utf8_position);
    tcase_add_test(tc, hostile_deep_nesting);
    tcase_add_test(tc, hostile_huge_scalar);
    tcase_add_test(tc, multiline_and_setup_defaults);
    tcase_add_test(tc, hostile_more_documents_and_missing_file);
    tcase_add_test(tc, long_chain_orders_without_recursion);
    return s;
}

int main(void)
{
    return check_run(form_suite());
}
