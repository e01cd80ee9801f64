/* check_inst.c: an interview in memory: relevance, calculations, repeats,
 * checks of answers, choice filters, paths and label interpolation. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/form.h"
#include "core/inst.h"
#include "core/util.h"

static const char household_yaml[] =
    "form:\n"
    "  id: hh\n"
    "  version: \"1\"\n"
    "  title: {vi: \"Hộ\", en: \"Household\"}\n"
    "  languages: [vi, en]\n"
    "choices:\n"
    "  sex:\n"
    "    - {value: m, label: {vi: Nam, en: Male}}\n"
    "    - {value: f, label: {vi: Nữ, en: Female}}\n"
    "  province:\n"
    "    - {value: p1, label: {vi: Tỉnh 1, en: Province 1}}\n"
    "    - {value: p2, label: {vi: Tỉnh 2, en: Province 2}}\n"
    "  district:\n"
    "    - {value: d1, label: {vi: Huyện 1, en: District 1}, province: p1}\n"
    "    - {value: d2, label: {vi: Huyện 2, en: District 2}, province: p1}\n"
    "    - {value: d3, label: {vi: Huyện 3, en: District 3}, province: p2}\n"
    "  letters:\n"
    "    - {value: A, label: {vi: A, en: A}}\n"
    "    - {value: B, label: {vi: B, en: B}}\n"
    "    - {value: C, label: {vi: C, en: C}}\n"
    "    - {value: D, label: {vi: D, en: D}}\n"
    "    - {value: E, label: {vi: E, en: E}}\n"
    "    - {value: F, label: {vi: F, en: F}}\n"
    "questions:\n"
    "  - id: pick\n"
    "    type: select_multiple letters\n"
    "    label: {vi: Chọn, en: Pick}\n"
    "    randomize: true\n"
    "    seed: \"${size} + 41\"\n"
    "  - id: pick_any\n"
    "    type: select_one letters\n"
    "    label: {vi: Chọn, en: Pick}\n"
    "    randomize: yes\n"
    "  - id: province\n"
    "    type: select_one province\n"
    "    label: {vi: Tỉnh, en: Province}\n"
    "  - id: district\n"
    "    type: select_one district\n"
    "    label: {vi: Huyện, en: District}\n"
    "    choice_filter: \"province = ${province}\"\n"
    "  - id: size\n"
    "    type: integer\n"
    "    label: {vi: Số người, en: Household size}\n"
    "    required: true\n"
    "    constraint: \". >= 1 and . <= 30\"\n"
    "    constraint_message: {vi: \"Từ 1 đến 30 người\", en: \"1 to 30 people\"}\n"
    "  - id: big\n"
    "    type: text\n"
    "    label: {vi: \"Vì sao ${size} người?\", en: \"Why ${size} people?\"}\n"
    "    relevant: \"${size} > 10\"\n"
    "  - id: double\n"
    "    type: calculate\n"
    "    calculation: \"${size} * 2\"\n"
    "  - id: visit\n"
    "    type: date\n"
    "    label: {vi: Ngày, en: Date}\n"
    "  - id: pay\n"
    "    type: group\n"
    "    label: {vi: Thanh toán, en: Payment}\n"
    "    relevant: \"${size} >= 2\"\n"
    "    questions:\n"
    "      - id: online\n"
    "        type: select_one sex\n"
    "        label: {vi: X, en: X}\n"
    "  - id: members\n"
    "    type: repeat\n"
    "    label: {vi: Thành viên, en: Members}\n"
    "    questions:\n"
    "      - id: name\n"
    "        type: text\n"
    "        label: {vi: Tên, en: Name}\n"
    "      - id: yob\n"
    "        type: integer\n"
    "        label: {vi: \"Năm sinh của ${name}\", en: \"Year of birth of ${name}\"}\n"
    "      - id: age\n"
    "        type: calculate\n"
    "        calculation: \"2026 - ${yob}\"\n"
    "      - id: pos\n"
    "        type: calculate\n"
    "        calculation: \"position(..)\"\n"
    "      - id: prev_name\n"
    "        type: calculate\n"
    "        calculation: \"indexed-repeat(${name}, ${members}, position(..) - 1)\"\n"
    "  - id: total_age\n"
    "    type: calculate\n"
    "    calculation: \"sum(${age})\"\n"
    "  - id: first_name\n"
    "    type: calculate\n"
    "    calculation: \"indexed-repeat(${name}, ${members}, 1)\"\n"
    "  - id: district_name\n"
    "    type: calculate\n"
    "    calculation: \"instance('district')/root/item[name = ${district}]/label\"\n"
    "  - id: n_districts\n"
    "    type: calculate\n"
    "    calculation: \"count(instance('district')/root/item[province = ${province}])\"\n"
    "  - id: office_phone\n"
    "    type: calculate\n"
    "    calculation: \"pulldata('offices', 'phone', 'province', ${province})\"\n"
    "  - id: nmembers\n"
    "    type: calculate\n"
    "    calculation: \"count(${name})\"\n"
    "  - id: fixed\n"
    "    type: repeat\n"
    "    label: {vi: Cố định, en: Fixed}\n"
    "    count: \"${size}\"\n"
    "    questions:\n"
    "      - id: note_each\n"
    "        type: text\n"
    "        label: {vi: Ghi chú, en: Note}\n";

static form *f;
static inst *in;

/* Load the test form and start an interview, failing loudly on errors. */
static void setup(void)
{
    diag_list d;
    diag_init(&d);
    f = form_load_string(household_yaml, sizeof household_yaml - 1, "hh.yaml", &d);
    if (d.n) {
        char *m = diag_format(&d.v[0]);
        ck_abort_msg("test form has errors: %s", m);
        free(m);
    }
    ck_assert_ptr_nonnull(f);
    diag_free(&d);
    in = inst_new(f, 0);
}

static void teardown(void)
{
    inst_free(in);
    form_free(f);
}

/* Question index by id, asserting it exists. */
static int q(const char *id)
{
    int i = form_find(f, id);
    ck_assert_msg(i >= 0, "no question %s", id);
    return i;
}

START_TEST(relevance_follows_answers_live)
{
    inst_frame *root = inst_root(in);
    ck_assert(!inst_relevant(in, root, q("big")));
    inst_set(in, root, q("size"), "12");
    ck_assert(inst_relevant(in, root, q("big")));
    inst_set(in, root, q("size"), "3");
    ck_assert(!inst_relevant(in, root, q("big")));
}
END_TEST

START_TEST(group_relevance_applies_to_children)
{
    inst_frame *root = inst_root(in);
    inst_set(in, root, q("size"), "1");
    ck_assert(!inst_relevant(in, root, q("pay")));
    ck_assert(!inst_relevant(in, root, q("online")));
    inst_set(in, root, q("size"), "4");
    ck_assert(inst_relevant(in, root, q("online")));
}
END_TEST

START_TEST(calculation_recomputes_on_change)
{
    inst_frame *root = inst_root(in);
    ck_assert_ptr_null(inst_get(in, root, q("double")));
    inst_set(in, root, q("size"), "7");
    ck_assert_str_eq(inst_get(in, root, q("double")), "14");
    inst_set(in, root, q("size"), NULL);
    ck_assert_ptr_null(inst_get(in, root, q("double")));
}
END_TEST

START_TEST(repeat_instances_compute_and_aggregate)
{
    inst_frame *root = inst_root(in);
    int r = q("members");
    const char *years[] = {"1980", "2000", "2016"};
    for (int i = 0; i < 3; i++) {
        inst_frame *m = inst_repeat_add(in, root, r);
        inst_set(in, m, q("yob"), years[i]);
    }
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 3);
    inst_frame *second = inst_repeat_get(in, root, r, 1);
    ck_assert_str_eq(inst_get(in, second, q("age")), "26");
    ck_assert_str_eq(inst_get(in, second, q("pos")), "2");
    ck_assert_str_eq(inst_get(in, root, q("total_age")), "82");
    ck_assert_str_eq(inst_get(in, root, q("nmembers")), "3");

    inst_repeat_remove(in, root, r, 0);
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 2);
    inst_frame *first = inst_repeat_get(in, root, r, 0);
    ck_assert_str_eq(inst_get(in, first, q("yob")), "2000");
    ck_assert_str_eq(inst_get(in, first, q("pos")), "1");
    ck_assert_str_eq(inst_get(in, root, q("total_age")), "36");
    ck_assert_str_eq(inst_get(in, root, q("nmembers")), "2");
}
END_TEST

/* indexed-repeat() reads a roster member from inside the roster and from
 * outside it, and follows edits and removals. */
START_TEST(indexed_repeat_reads_any_member)
{
    inst_frame *root = inst_root(in);
    int r = q("members");
    const char *names[] = {"An", "Bình", "Chi"};
    for (int i = 0; i < 3; i++)
        inst_set(in, inst_repeat_add(in, root, r), q("name"), names[i]);
    ck_assert_str_eq(inst_get(in, root, q("first_name")), "An");
    inst_frame *second = inst_repeat_get(in, root, r, 1);
    ck_assert_str_eq(inst_get(in, second, q("prev_name")), "An");
    inst_frame *third = inst_repeat_get(in, root, r, 2);
    ck_assert_str_eq(inst_get(in, third, q("prev_name")), "Bình");
    ck_assert_ptr_null(inst_get(in, inst_repeat_get(in, root, r, 0),
                                q("prev_name")));
    inst_set(in, second, q("name"), "Bảo");
    ck_assert_str_eq(inst_get(in, third, q("prev_name")), "Bảo");
    inst_repeat_remove(in, root, r, 0);
    ck_assert_str_eq(inst_get(in, root, q("first_name")), "Bảo");
    ck_assert_str_eq(inst_get(in, inst_repeat_get(in, root, r, 1),
                              q("prev_name")), "Bảo");
}
END_TEST

/* A list the office sends down: provinces with the office's phone. */
static long office_rows(void *ctx, const char *list)
{
    return strcmp(list, "offices") ? -1 : 2;
}

static const char *office_cell(void *ctx, const char *list, size_t row,
                               const char *col)
{
    static const char *const rows[2][2] = {{"p1", "0241"}, {"p2", "0282"}};
    return !strcmp(col, "province") ? rows[row][0]
           : !strcmp(col, "phone") ? rows[row][1] : NULL;
}

/* instance() reads the form's choice lists (labels in the interview's
 * language), and pulldata() a list plugged in from outside the form. */
START_TEST(lists_from_the_form_and_the_office)
{
    inst_frame *root = inst_root(in);
    inst_set(in, root, q("province"), "p1");
    inst_set(in, root, q("district"), "d2");
    ck_assert_str_eq(inst_get(in, root, q("district_name")), "Huyện 2");
    ck_assert_str_eq(inst_get(in, root, q("n_districts")), "2");
    inst_set_lang(in, 1);
    inst_set(in, root, q("district"), "d1");
    ck_assert_str_eq(inst_get(in, root, q("district_name")), "District 1");
    /* No office lists yet: pulldata finds nothing. */
    ck_assert_ptr_null(inst_get(in, root, q("office_phone")));
    expr_lists office = {NULL, office_rows, office_cell};
    inst_set_lists(in, &office);
    inst_recompute(in);
    ck_assert_str_eq(inst_get(in, root, q("office_phone")), "0241");
    inst_set(in, root, q("province"), "p2");
    ck_assert_str_eq(inst_get(in, root, q("office_phone")), "0282");
    ck_assert_str_eq(inst_get(in, root, q("n_districts")), "1");
    inst_set_lists(in, NULL);
}
END_TEST

/* The codes of q's choices, in the order offered. */
static char *offered(int qi)
{
    int *ix;
    size_t n = inst_choices(in, inst_root(in), qi, &ix);
    const form_list *l = &f->lists[f->q[qi].list];
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_add(&b, l->choices[ix[i]].value);
    free(ix);
    return sbuf_detach(&b);
}

/* randomize: true offers the choices in ODK's order for the seed (42 gives
 * AFCBDE there too); without a seed, one order for the whole interview. */
START_TEST(choices_shuffled_as_odk_does)
{
    inst_frame *root = inst_root(in);
    inst_set(in, root, q("size"), "1");
    char *s = offered(q("pick"));
    ck_assert_str_eq(s, "AFCBDE");
    free(s);
    inst_set(in, root, q("size"), "0");  /* seed 41 */
    s = offered(q("pick"));
    ck_assert_str_ne(s, "AFCBDE");
    ck_assert_uint_eq(strlen(s), 6);
    free(s);
    /* Every choice can still be chosen, in any order. */
    ck_assert_int_eq(inst_check_value(in, root, q("pick"), "F A", NULL), INST_OK);
    char *first = offered(q("pick_any")), *again = offered(q("pick_any"));
    ck_assert_str_eq(first, again);
    for (const char *c = "ABCDEF"; *c; c++)
        ck_assert(strchr(first, *c));
    free(first);
    free(again);
}
END_TEST

START_TEST(repeat_count_follows_expression)
{
    inst_frame *root = inst_root(in);
    int r = q("fixed");
    inst_set(in, root, q("size"), "3");
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 3);
    inst_frame *third = inst_repeat_get(in, root, r, 2);
    inst_set(in, third, q("note_each"), "x");
    inst_set(in, root, q("size"), "1");
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 1);
    inst_set(in, root, q("size"), "abc");
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 0);
}
END_TEST

/* Answering a question that both grows a counted roster and opens a later
 * section must open that section: adding the roster's members must not
 * lose track of what else the answer changes. */
START_TEST(roster_growth_does_not_leave_later_sections_stale)
{
    static const char src[] =
        "form:\n  id: sec\n  version: \"1\"\n  title: T\n  languages: [vi]\n"
        "questions:\n"
        "  - {id: consent, type: integer, label: C}\n"
        "  - {id: n, type: integer, label: N}\n"
        "  - id: g1\n    type: group\n    label: G1\n"
        "    relevant: \"${consent} = 1\"\n"
        "    questions:\n"
        "      - id: people\n        type: repeat\n        label: P\n"
        "        count: \"${n}\"\n"
        "        questions:\n"
        "          - {id: who, type: text, label: W}\n"
        "  - id: g2\n    type: group\n    label: G2\n"
        "    relevant: \"${consent} = 1\"\n"
        "    questions:\n"
        "      - {id: later, type: text, label: L, required: true}\n";
    diag_list d;
    diag_init(&d);
    form *sf = form_load_string(src, sizeof src - 1, "sec.yaml", &d);
    ck_assert_msg(sf && d.n == 0, "form does not load");
    diag_free(&d);
    inst *si = inst_new(sf, 0);
    inst_frame *r = inst_root(si);
    inst_set(si, r, form_find(sf, "n"), "2");
    inst_set(si, r, form_find(sf, "consent"), "1");
    ck_assert_uint_eq(inst_repeat_count(si, r, form_find(sf, "people")), 2);
    ck_assert(inst_relevant(si, r, form_find(sf, "later")));
    inst_set(si, r, form_find(sf, "consent"), "0");
    ck_assert_uint_eq(inst_repeat_count(si, r, form_find(sf, "people")), 0);
    ck_assert(!inst_relevant(si, r, form_find(sf, "later")));
    inst_free(si);
    form_free(sf);
}
END_TEST

START_TEST(constraint_message_in_form_language)
{
    inst_frame *root = inst_root(in);
    char *msg = NULL;
    ck_assert_int_eq(inst_check_value(in, root, q("size"), "31", &msg),
                     INST_CONSTRAINT);
    ck_assert_str_eq(msg, "Từ 1 đến 30 người");
    free(msg);
    inst_set_lang(in, 1);
    ck_assert_int_eq(inst_check_value(in, root, q("size"), "0", &msg),
                     INST_CONSTRAINT);
    ck_assert_str_eq(msg, "1 to 30 people");
    free(msg);
    ck_assert_int_eq(inst_check_value(in, root, q("size"), "30", NULL), INST_OK);
}
END_TEST

START_TEST(required_and_bad_values_are_refused)
{
    inst_frame *root = inst_root(in);
    ck_assert_int_eq(inst_check_value(in, root, q("size"), "", NULL), INST_REQUIRED);
    ck_assert_int_eq(inst_check_value(in, root, q("size"), "1a", NULL), INST_BAD_VALUE);
    ck_assert_int_eq(inst_check_value(in, root, q("size"), "2.5", NULL), INST_BAD_VALUE);
    ck_assert_int_eq(inst_check_value(in, root, q("visit"), "2023-02-29", NULL), INST_BAD_VALUE);
    ck_assert_int_eq(inst_check_value(in, root, q("visit"), "2024-02-29", NULL), INST_OK);
    ck_assert_int_eq(inst_check_value(in, root, q("province"), "p9", NULL), INST_BAD_VALUE);
    ck_assert_int_eq(inst_check_value(in, root, q("province"), "p1 p2", NULL), INST_BAD_VALUE);
    ck_assert_int_eq(inst_check_value(in, root, q("province"), "p2", NULL), INST_OK);
    ck_assert_int_eq(inst_check_value(in, root, q("big"), "", NULL), INST_OK);
}
END_TEST

START_TEST(choice_filter_offers_matching_choices)
{
    inst_frame *root = inst_root(in);
    int *ix;
    inst_set(in, root, q("province"), "p1");
    size_t n = inst_choices(in, root, q("district"), &ix);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ix[0], 0);
    ck_assert_int_eq(ix[1], 1);
    free(ix);
    ck_assert_int_eq(inst_check_value(in, root, q("district"), "d3", NULL), INST_BAD_VALUE);
    inst_set(in, root, q("province"), "p2");
    n = inst_choices(in, root, q("district"), &ix);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ix[0], 2);
    free(ix);
}
END_TEST

START_TEST(frame_paths_round_trip)
{
    inst_frame *root = inst_root(in);
    int r = q("members");
    inst_repeat_add(in, root, r);
    inst_frame *m2 = inst_repeat_add(in, root, r);
    char *p = inst_frame_path(m2);
    ck_assert_str_eq(p, "members[2]");
    ck_assert_ptr_eq(inst_frame_find(in, p), m2);
    free(p);
    p = inst_frame_path(root);
    ck_assert_str_eq(p, "");
    ck_assert_ptr_eq(inst_frame_find(in, ""), root);
    free(p);
    ck_assert_ptr_null(inst_frame_find(in, "members[3]"));
    ck_assert_ptr_null(inst_frame_find(in, "members[0]"));
    ck_assert_ptr_null(inst_frame_find(in, "size[1]"));
    ck_assert_ptr_null(inst_frame_find(in, "members[1"));
}
END_TEST

START_TEST(labels_interpolate_answers)
{
    inst_frame *root = inst_root(in);
    inst_frame *m = inst_repeat_add(in, root, q("members"));
    inst_set(in, m, q("name"), "Lan");
    char *s = inst_text(in, m, f->q[q("yob")].label);
    ck_assert_str_eq(s, "Năm sinh của Lan");
    free(s);
    inst_set(in, root, q("size"), "12");
    inst_set_lang(in, 1);
    s = inst_text(in, root, f->q[q("big")].label);
    ck_assert_str_eq(s, "Why 12 people?");
    free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inst");
    TCase *tc = check_tcase(s, "core", setup, teardown, 0);
    tcase_add_test(tc, relevance_follows_answers_live);
    tcase_add_test(tc, group_relevance_applies_to_children);
    tcase_add_test(tc, calculation_recomputes_on_change);
    tcase_add_test(tc, repeat_instances_compute_and_aggregate);
    tcase_add_test(tc, repeat_count_follows_expression);
    tcase_add_test(tc, roster_growth_does_not_leave_later_sections_stale);
    tcase_add_test(tc, indexed_repeat_reads_any_member);
    tcase_add_test(tc, choices_shuffled_as_odk_does);
    tcase_add_test(tc, lists_from_the_form_and_the_office);
    tcase_add_test(tc, constraint_message_in_form_language);
    tcase_add_test(tc, required_and_bad_values_are_refused);
    tcase_add_test(tc, choice_filter_offers_matching_choices);
    tcase_add_test(tc, frame_paths_round_trip);
    tcase_add_test(tc, labels_interpolate_answers);
    return check_run(s);
}
