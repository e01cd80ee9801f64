/* check_report.c: the report's figures against small datasets whose rates
 * are worked out by hand below, made through the same sessions and store as
 * real interviews, with the bundled forms and report definition. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/catalog.h"
#include "check_main.h"
#include "report/report.h"
#include "report/report_emit.h"
#include "report/report_int.h"
#include "session/session.h"
#include "store/store.h"
#include "core/util.h"

/* One answer to give: a question id at a repeat path ("" top level). */
typedef struct pin {
    const char *path, *qid, *value;
} pin;

static char *tmpdir;
static catalog *cat;
static report_def *cur_def;

static void setup(void)
{
    tmpdir = check_tmpdir_new("check_report");
    diag_list d;
    diag_init(&d);
    cat = catalog_load(FORMSSRCDIR, &d);
    ck_assert_ptr_nonnull(cat);
    ck_assert_uint_eq(d.n, 0);
    diag_free(&d);
}

static void teardown(void)
{
    check_tmpdir_free(tmpdir);
    catalog_free(cat);
}

/* Candidate answers tried, in order, for a question the test leaves to
 * chance: the first acceptable one is kept, so the data is fixed. */
static const char *const candidates[] = {"1", "2", "0", "3", "10", "1990",
    "2024-06-01", "x1234567890", NULL};

/* Give item it the first acceptable answer. */
static void fill_item(session *s, session_item it)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    const form_question *fq = &f->q[it.q];
    if (fq->type == QT_SELECT_ONE || fq->type == QT_SELECT_MULTIPLE) {
        int *ix;
        size_t n = inst_choices(in, it.fr, it.q, &ix);
        const form_list *l = &f->lists[fq->list];
        for (size_t i = 0; i < n; i++)
            if (session_answer(s, it, l->choices[ix[i]].value, NULL) == INST_OK)
                break;
        free(ix);
        return;
    }
    for (size_t i = 0; candidates[i]; i++)
        if (session_answer(s, it, candidates[i], NULL) == INST_OK)
            return;
}

/* Make one interview of form id with the pinned answers, the rest filled
 * until nothing stops finalising; complete unless draft is set. */
static void interview(store *st, const char *id, const pin *pins, int draft)
{
    const form *f = catalog_find(cat, id, NULL);
    ck_assert_ptr_nonnull(f);
    session *s = NULL;
    char *err = NULL;
    ck_assert_int_eq(session_new(st, f, "enum1", f->default_lang, &s, &err), 0);
    inst *in = session_inst(s);
    for (const pin *p = pins; p && p->qid; p++) {
        inst_frame *fr = inst_frame_find(in, p->path);
        int q = form_find(f, p->qid);
        ck_assert_msg(fr && q >= 0, "no %s at '%s'", p->qid, p->path);
        session_item it = {q, fr};
        char *msg = NULL;
        int rc = session_answer(s, it, p->value, &msg);
        ck_assert_msg(rc == INST_OK, "%s = %s refused: %s", p->qid, p->value,
                      msg ? msg : "");
        free(msg);
    }
    for (int round = 0; round < 30; round++) {
        session_problem *pr;
        size_t n = session_problems(s, &pr);
        for (size_t i = 0; i < n; i++)
            fill_item(s, pr[i].item);
        session_problems_free(pr, n);
        if (!n)
            break;
    }
    if (!draft)
        ck_assert_int_eq(session_finalise(s), 0);
    session_free(s);
}

/* A household of village v with internet (0/1) and members born in the
 * given years (with own smartphone "1"/"0", "" when under 10). */
static void household(store *st, const char *v, const char *no,
                      const char *internet, const char *const *years,
                      const char *const *smart, size_t n, int draft)
{
    pin p[40];
    size_t k = 0;
    char size[24];
    snprintf(size, sizeof size, "%zu", n);
    p[k++] = (pin){"", "village", v};
    p[k++] = (pin){"", "hh_no", no};
    p[k++] = (pin){"", "consent", "1"};
    p[k++] = (pin){"", "hh_size", size};
    char paths[8][32];
    for (size_t i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "members[%zu]", i + 1);
        p[k++] = (pin){paths[i], "m_birth_year", years[i]};
        if (*smart[i])
            p[k++] = (pin){paths[i], "m_smartphone", smart[i]};
        p[k++] = (pin){paths[i], "m_health_app", i == 1 && n == 2 &&
                       !strcmp(no, "1") ? "0" : "1"};
    }
    p[k++] = (pin){"", "hh_smartphone", "1"};
    p[k++] = (pin){"", "hh_internet", internet};
    p[k] = (pin){NULL, NULL, NULL};
    interview(st, "household", p, draft);
}

/* The dataset of the tests, worked out by hand:
 *   household 1 (village 01): internet; born 1990 smartphone, 1980 none
 *   household 2 (village 01): internet; born 1985 smartphone
 *   household 3 (village 02): no internet; born 1950 (past working age)
 *   household 4 (village 02): no internet; born 2000 none, 2020 (a child)
 *   household 5: refused (not counted), household 6: a draft with internet
 * 4.1 = 2 / 4 = 50%; working age (15-60) 1990, 1980, 1985, 2000 = 4 people
 * of whom 2 have a smartphone: C5 = 50%; health managed for 5 of 6 members. */
/* Interview household 1 of village 01 a second time (a duplicate case). */
static int with_duplicate;

static void households(store *st)
{
    const char *y1[] = {"1990", "1980"}, *s1[] = {"1", "0"};
    const char *y2[] = {"1985"}, *s2[] = {"1"};
    const char *y3[] = {"1950"}, *s3[] = {"1"};
    const char *y4[] = {"2000", "2020"}, *s4[] = {"0", ""};
    household(st, "01", "1", "1", y1, s1, 2, 0);
    household(st, "01", "2", "1", y2, s2, 1, 0);
    household(st, "02", "3", "0", y3, s3, 1, 0);
    household(st, "02", "4", "0", y4, s4, 2, 0);
    household(st, "02", "6", "1", y2, s2, 1, 1);
    if (with_duplicate)
        household(st, "01", "1", "0", y2, s2, 1, 0);
    const pin refusal[] = {{"", "village", "02"}, {"", "hh_no", "5"},
                           {"", "consent", "0"}, {NULL, NULL, NULL}};
    interview(st, "household", refusal, 0);
}

/* Answers added to every commune interview by the test that sets them. */
static const pin *commune_extra;

/* The commune: ethnic-minority (threshold 50%), providers can be
 * mobilised, two villages with 3 and 2 households planned. */
static void commune(store *st, const char *code)
{
    const pin base[] = {
        {"", "commune_code", code}, {"", "area_type", "dtts"},
        {"", "providers_mobilise", "1"}, {"", "n_villages", "2"},
        {"", "n_households", "50"}, {"villages[1]", "v_code", "01"},
        {"villages[1]", "v_households", "20"}, {"villages[1]", "v_planned", "3"},
        {"villages[2]", "v_code", "02"}, {"villages[2]", "v_households", "20"},
        {"villages[2]", "v_planned", "2"}, {"", "need_a", "1"},
        {"", "prio_a", "3"}, {"", "need_b", "1"}, {"", "prio_b", "1"},
        {"", "need_c", "0"}, {NULL, NULL, NULL}};
    pin p[64];
    size_t n = 0;
    for (const pin *q = commune_extra; q && q->qid && n < 40; q++)
        p[n++] = *q;
    for (const pin *q = base; q->qid && n < 63; q++)
        p[n++] = *q;
    p[n] = (pin){NULL, NULL, NULL};
    interview(st, "commune", p, 0);
}

/* Interviews of other forms added to the database by the test; with
 * only_extra, instead of the households above. */
static void (*extra_data)(store *st);
static int only_extra;

/* Language of the report's texts. */
static const char *report_lang = "en";

/* Processes for the report's main pass (1: one, 2: split). */
static int report_jobs = 1;

/* Make a database with the given parts and report on it. */
static report_result *make_report(int with_commune, int two_communes,
                                  const char *choose)
{
    static int serial;
    char *path = xasprintf("%s/r%d%d-%d-%d.db", tmpdir, with_commune,
                           two_communes, report_jobs, ++serial);
    store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(store_open(path, &st, &err), 0);
    if (!only_extra)
        households(st);
    if (with_commune)
        commune(st, "79001");
    if (two_communes)
        commune(st, "79002");
    if (extra_data)
        extra_data(st);
    store_close(st);
    diag_list d;
    diag_init(&d);
    report_def *def = report_def_load(FORMSSRCDIR "/report.yaml", &d);
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        fprintf(stderr, "%s\n", m);
        free(m);
    }
    ck_assert_ptr_nonnull(def);
    ck_assert_int_eq(report_def_check(def, cat, &d), 0);
    diag_free(&d);
    rscan *s = NULL;
    ck_assert_int_eq(rscan_open(path, &s, &err), 0);
    report_opts o = {choose, 1, report_lang, NULL, report_jobs};
    report_result *r = NULL;
    int rc = report_run(def, cat, s, &o, &r, &err);
    rscan_close(s);
    free(path);
    if (rc) {
        ck_assert_ptr_nonnull(err);
        free(err);
        report_def_free(def);
        return NULL;
    }
    cur_def = def;        /* the result borrows it until free_report */
    return r;
}

/* Free a result and the definition it was made from. */
static void free_report(report_result *r)
{
    report_result_free(r);
    report_def_free(cur_def);
    cur_def = NULL;
}


START_TEST(rates_worked_by_hand)
{
    report_result *r = make_report(1, 0, NULL);
    double num, den;
    long units;
    /* Given four counted households, two with internet, when reported,
     * then 4.1 is 2 / 4 and C2 is met at exactly 50%. */
    ck_assert_int_eq(report_figure(r, "4.1", NULL, &num, &den, &units), 0);
    ck_assert(num == 2 && den == 4 && units == 4);
    ck_assert_int_eq(report_status_of(r, "C2"), REPORT_MET);
    /* C5: 2 of 4 working-age people, threshold 50% for this commune. */
    ck_assert_int_eq(report_figure(r, "c5", NULL, &num, &den, &units), 0);
    ck_assert(num == 2 && den == 4);
    ck_assert_int_eq(report_status_of(r, "C5"), REPORT_MET);
    ck_assert_int_eq(report_status_of(r, "E3"), REPORT_MET);
    /* 9.1 counts members, not households. */
    ck_assert_int_eq(report_figure(r, "9.1", NULL, &num, &den, &units), 0);
    ck_assert(num == 5 && den == 6 && units == 6);
    /* Per village: 01 has both internet households, 02 none. */
    ck_assert_int_eq(report_figure(r, "4.1", "01", &num, &den, &units), 0);
    ck_assert(num == 2 && den == 2);
    ck_assert_int_eq(report_figure(r, "4.1", "02", &num, &den, &units), 0);
    ck_assert(num == 0 && den == 2);
    /* The draft is excluded, and the figure says so. */
    ck_assert_uint_gt(report_figure_warnings(r, "4.1"), 0);
    /* No official was interviewed: C4 lacks data, not "not met". */
    ck_assert_int_eq(report_status_of(r, "C4"), REPORT_NO_DATA);
    free_report(r);
}
END_TEST

/* rfmt_beside(lang, v, thr, at_most, pct) is want. */
static void beside_is(const char *lang, double v, double thr, int at_most,
                      int pct, const char *want)
{
    char *s = rfmt_beside(lang, v, thr, at_most, pct);
    ck_assert_str_eq(s, want);
    free(s);
}

START_TEST(figures_never_round_onto_their_threshold)
{
    /* 79.954 % fails "≥ 80 %": shown 79,95, not 80,0. */
    beside_is("vi", 79.954, 80, 0, 1, "79,95\u00a0%");
    beside_is("en", 79.954, 80, 0, 1, "79.95%");
    /* Closer still: four decimals, rounded away from the threshold. */
    beside_is("en", 79.999999, 80, 0, 1, "79.9999%");
    /* "≤ 20": 20.04 fails and is not shown 20.0. */
    beside_is("en", 20.04, 20, 1, 1, "20.04%");
    /* A count that fails "≥ 5" is not shown as 5.0. */
    beside_is("en", 4.96, 5, 0, 0, "4.96");
    /* Met, or far from the threshold: one decimal as before. */
    beside_is("en", 80.04, 80, 0, 1, "80.0%");
    beside_is("en", 63.44, 50, 0, 1, "63.4%");
    beside_is("en", 63.44, NAN, 0, 1, "63.4%");
    beside_is("en", 7, 5, 0, 0, "7");
}
END_TEST

START_TEST(missing_commune_is_not_enough_data)
{
    report_result *r = make_report(0, 0, NULL);
    double num, den;
    long units;
    /* The household figure is still there... */
    ck_assert_int_eq(report_figure(r, "4.1", NULL, &num, &den, &units), 0);
    ck_assert(num == 2 && den == 4);
    /* ...but whatever rests on the commune form has no data. */
    ck_assert_int_eq(report_status_of(r, "C2"), REPORT_NO_DATA);
    ck_assert_int_eq(report_status_of(r, "C5"), REPORT_NO_DATA);
    ck_assert_int_eq(report_status_of(r, "smart"), REPORT_NO_DATA);
    ck_assert_int_eq(report_figure(r, "1.1", NULL, &num, &den, &units), -1);
    ck_assert_uint_gt(report_figure_warnings(r, "1.1"), 0);
    free_report(r);
}
END_TEST

START_TEST(several_communes_need_a_choice)
{
    ck_assert_ptr_null(make_report(1, 1, NULL));
    report_result *r = make_report(1, 1, "79002");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(report_status_of(r, "C2"), REPORT_MET);
    free_report(r);
}
END_TEST

/* Non-zero when every line of s is at most 80 characters wide. */
static int fits_80(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') {
            w = 0;
            continue;
        }
        if ((*p & 0xC0) != 0x80 && ++w > 80)
            return 0;
    }
    return 1;
}

START_TEST(formats)
{
    report_result *r = make_report(1, 0, NULL);
    char *t = report_render(r, REPORT_TEXT);
    ck_assert(fits_80(t));
    ck_assert_ptr_nonnull(strstr(t, "50.0% of 4 households have an internet"));
    /* Needs: b (priority 1) before a (priority 3) before c (not needed). */
    const char *needs = strstr(t, "Needs, ranked");
    ck_assert_ptr_nonnull(needs);
    const char *b = strstr(needs, "3.1b"), *a = strstr(needs, "3.1a");
    const char *c = strstr(needs, "3.1c");
    ck_assert(b && a && c && b < a && a < c);
    free(t);
    t = report_render(r, REPORT_HTML);
    ck_assert_ptr_nonnull(strstr(t, "@media print"));
    ck_assert_ptr_null(strstr(t, "http"));
    ck_assert_ptr_null(strstr(t, "<script"));
    free(t);
    t = report_render(r, REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(strstr(t, "| --- "));
    free(t);
    t = report_render(r, REPORT_CSV);
    ck_assert_ptr_nonnull(strstr(t, "figure,79001,,4.1,"));
    ck_assert_ptr_nonnull(strstr(t, "condition,79001,,C2,"));
    ck_assert_ptr_nonnull(strstr(t, "figure,79001,01,4.1,"));
    free(t);
    report_format f;
    ck_assert_int_eq(report_format_parse("html", &f), 0);
    ck_assert_int_eq(f, REPORT_HTML);
    ck_assert_int_eq(report_format_parse("pdf", &f), -1);
    free_report(r);
}
END_TEST

START_TEST(definition_errors_are_located)
{
    static const char bad[] =
        "report: {title: x}\n"
        "forms:\n"
        "  household: {unit: hộ}\n"
        "figures:\n"
        "  - id: a\n"
        "    kind: ratio\n"
        "    form: household\n"
        "    value: \"1\"\n"
        "    colour: red\n";
    diag_list d;
    diag_init(&d);
    ck_assert_ptr_null(report_def_load_string(bad, sizeof bad - 1, "bad.yaml", &d));
    ck_assert_uint_ge(d.n, 2);
    char *m = diag_format(&d.v[0]);
    ck_assert_ptr_nonnull(strstr(m, "bad.yaml:"));
    free(m);
    diag_free(&d);
    /* A reference to a question the form does not have. */
    static const char unknown[] =
        "forms:\n"
        "  household: {unit: hộ}\n"
        "figures:\n"
        "  - {id: a, kind: rate, form: household, title: t,"
        " numerator: \"${no_such_question} = '1'\"}\n";
    diag_init(&d);
    report_def *def = report_def_load_string(unknown, sizeof unknown - 1,
                                             "u.yaml", &d);
    ck_assert_ptr_nonnull(def);
    ck_assert_int_gt(report_def_check(def, cat, &d), 0);
    m = diag_format(&d.v[0]);
    ck_assert_ptr_nonnull(strstr(m, "u.yaml:4:"));
    ck_assert_ptr_nonnull(strstr(m, "no_such_question"));
    free(m);
    diag_free(&d);
    report_def_free(def);
    /* "or" names a yes/no figure, not a rate nor itself. */
    static const char bad_or[] =
        "forms:\n"
        "  household: {unit: hộ}\n"
        "figures:\n"
        "  - {id: a, kind: yesno, form: household, title: t, value: \"1\", or: b}\n"
        "  - {id: b, kind: rate, form: household, title: t, numerator: \"1\"}\n"
        "  - {id: c, kind: yesno, form: household, title: t, value: \"1\", or: c}\n";
    diag_init(&d);
    ck_assert_ptr_null(report_def_load_string(bad_or, sizeof bad_or - 1,
                                              "o.yaml", &d));
    ck_assert_uint_eq(d.n, 2);
    m = diag_format(&d.v[0]);
    ck_assert_ptr_nonnull(strstr(m, "o.yaml:4:"));
    ck_assert_ptr_nonnull(strstr(m, "or needs a yes/no figure"));
    free(m);
    diag_free(&d);
}
END_TEST

START_TEST(two_processes_give_the_same_report)
{
    /* Given the same data, when the main pass is split between two
     * processes, then every figure and every line is the same. */
    report_jobs = 1;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    char *one = report_render(r, REPORT_TEXT);
    free_report(r);
    report_jobs = 2;
    r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    char *two = report_render(r, REPORT_TEXT);
    double num, den;
    long units;
    ck_assert_int_eq(report_figure(r, "4.1", NULL, &num, &den, &units), 0);
    ck_assert_msg(num == 2 && den == 4 && units == 4, "%g %g %ld", num, den, units);
    free_report(r);
    report_jobs = 1;
    ck_assert_str_eq(one, two);
    free(one);
    free(two);
}
END_TEST

/* The duplicates counted for form id. */
static long duplicates_of(const report_result *r, const char *id)
{
    for (size_t i = 0; i < r->def->nforms; i++)
        if (!strcmp(r->def->forms[i].id, id))
            return r->forms[i].duplicates;
    return -1;
}

START_TEST(same_case_twice_is_a_duplicate)
{
    /* Given household 1 of village 01 interviewed twice, when reported in
     * one process or two, then both interviews are counted as duplicates. */
    with_duplicate = 1;
    for (report_jobs = 1; report_jobs <= 2; report_jobs++) {
        report_result *r = make_report(1, 0, NULL);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(duplicates_of(r, "household"), 2);
        ck_assert_int_eq(duplicates_of(r, "commune"), 0);
        free_report(r);
    }
    report_jobs = 1;
    with_duplicate = 0;
}
END_TEST

START_TEST(missing_database_is_refused)
{
    char *path = xasprintf("%s/none.db", tmpdir);
    rscan *s = NULL;
    char *err = NULL;
    ck_assert_int_eq(rscan_open(path, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "there is no database there (the nearest folder that exists is "));
    ck_assert_int_eq(access(path, F_OK), -1);
    free(err);
    free(path);
}
END_TEST


/* ---------------------------------------------------------------- C4 */

/* Official number no, a commune official; meets C4 when ok is set. */
static void official(store *st, const char *no, int ok)
{
    const pin p[] = {{"", "official_no", no}, {"", "off_level", "commune"},
        {"", "off_smartphone", "1"}, {"", "off_smart_internet", "1"},
        {"", "off_email", ok ? "1" : "0"}, {"", "off_eoffice_account", "1"},
        {"", "off_eoffice_use", "daily"}, {NULL, NULL, NULL}};
    interview(st, "officials", p, 0);
}

static int n_officials_done, n_officials_failing;
static int officials_shared;

/* n_officials_done officials numbered 1..n, the last n_officials_failing
 * without an official mailbox; with officials_shared, the third interview
 * repeats number 2. */
static void officials(store *st)
{
    for (int i = 1; i <= n_officials_done; i++) {
        char no[16];
        snprintf(no, sizeof no, "%d",
                 officials_shared && i == 3 ? 2 : i);
        official(st, no, i <= n_officials_done - n_officials_failing);
    }
}

/* C4's status over a commune declaring nine officials, with its e-office
 * answer, after the officials set above. */
static report_status c4_with(const char *eoffice, long *units, long *repeated)
{
    const pin extra[] = {{"", "n_officials", "9"},
                         {"", "eoffice_system", eoffice}, {NULL, NULL, NULL}};
    commune_extra = extra;
    extra_data = officials;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    report_figure(r, "c4", NULL, &num, &den, units);
    for (size_t i = 0; i < r->def->nfigs; i++)
        if (!strcmp(r->def->figs[i].id, "c4"))
            *repeated = r->val[i].repeated;
    report_status st = report_status_of(r, "C4");
    char *t = report_render(r, REPORT_TEXT);
    ck_assert_msg(strstr(t, "of 9 officials interviewed"), "%s", t);
    free(t);
    free_report(r);
    commune_extra = NULL;
    extra_data = NULL;
    return st;
}

START_TEST(c4_against_the_declared_officials)
{
    long units, repeated;
    /* Given 3 of 9 officials interviewed, two under the same number, all
     * meeting C4, and a commune with no e-office: not met, because of the
     * e-office; the two sharing a number count once. */
    n_officials_done = 3;
    n_officials_failing = 0;
    officials_shared = 1;
    ck_assert_int_eq(c4_with("0", &units, &repeated), REPORT_NOT_MET);
    ck_assert_int_eq(units, 2);
    ck_assert_int_eq(repeated, 1);
    /* The same officials in a commune with an e-office: not enough data. */
    ck_assert_int_eq(c4_with("1", &units, &repeated), REPORT_NO_DATA);
    officials_shared = 0;
    /* 8 of 9, all meeting: still not enough data. */
    n_officials_done = 8;
    ck_assert_int_eq(c4_with("1", &units, &repeated), REPORT_NO_DATA);
    ck_assert_int_eq(units, 8);
    /* 8 of 9 with one who has no mailbox: 100% can no longer be reached. */
    n_officials_failing = 1;
    ck_assert_int_eq(c4_with("1", &units, &repeated), REPORT_NOT_MET);
    /* 9 of 9, all meeting: met. */
    n_officials_done = 9;
    n_officials_failing = 0;
    ck_assert_int_eq(c4_with("1", &units, &repeated), REPORT_MET);
    ck_assert_int_eq(units, 9);
    ck_assert_int_eq(repeated, 0);
    n_officials_done = 0;
}
END_TEST

/* s with every run of white space made one space (newly allocated), so
 * that text wrapped at 80 columns can be searched. */
static char *squash(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\n' || *s == '\t') {
            if (o == out || o[-1] != ' ')
                *o++ = ' ';
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

START_TEST(condition_warnings_in_every_format)
{
    /* Given two officials interviewed under the same number, when C4 is
     * reported, then its warning is printed with the condition in text,
     * markdown and html, not only in the CSV. */
    n_officials_done = 3;
    n_officials_failing = 0;
    officials_shared = 1;
    const pin extra[] = {{"", "n_officials", "9"},
                         {"", "eoffice_system", "1"}, {NULL, NULL, NULL}};
    commune_extra = extra;
    extra_data = officials;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    size_t c4 = 0;
    while (strcmp(r->def->figs[c4].id, "c4"))
        c4++;
    ck_assert_uint_gt(r->fwarn[c4].n, 0);
    char *want = squash(r->fwarn[c4].v[0]);
    const report_format fmts[] = {REPORT_TEXT, REPORT_MARKDOWN, REPORT_HTML};
    for (size_t k = 0; k < 3; k++) {
        char *t = report_render(r, fmts[k]), *flat = squash(t);
        ck_assert_msg(strstr(flat, want), "format %zu lacks '%s'", k, want);
        free(flat);
        free(t);
    }
    /* In the condition's own row, not only beside the figure. */
    char *md = report_render(r, REPORT_MARKDOWN);
    char *row = strstr(md, "\n| C4 |");
    ck_assert_ptr_nonnull(row);
    char *eol = strchr(row + 1, '\n');
    if (eol)
        *eol = '\0';
    ck_assert_msg(strstr(row, r->fwarn[c4].v[0]), "C4 row lacks '%s': %s",
                  r->fwarn[c4].v[0], row);
    free(md);
    free(want);
    free_report(r);
    commune_extra = NULL;
    extra_data = NULL;
    officials_shared = 0;
    n_officials_done = 0;
}
END_TEST

/* ---------------------------------------------------------------- 7.1 */

static const char *coop_type, *coop_mgmt, *coop_trace;

static void one_business(store *st)
{
    const pin p[] = {{"", "biz_no", "1"}, {"", "village", "01"},
        {"", "biz_type", coop_type}, {"", "digital_mgmt", coop_mgmt},
        {"", "traceability", coop_trace}, {"", "people_participate", "1"},
        {NULL, NULL, NULL}};
    interview(st, "business", p, 0);
}

/* 7.1 (yes 1, no 0, -1 no data) for one business of the set kind, with
 * the commune counting n_digital such cooperatives; *warned is set when
 * the report says the two disagree. */
static int indicator_71(const char *n_digital, int *warned)
{
    const pin extra[] = {{"", "n_coops", "2"},
                         {"", "n_coops_digital", n_digital}, {NULL, NULL, NULL}};
    commune_extra = extra;
    extra_data = one_business;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    long units;
    int known = report_figure(r, "7.1", NULL, &num, &den, &units) == 0;
    char *t = report_render(r, REPORT_TEXT);
    *warned = strstr(t, "7.1x says") != NULL;
    free(t);
    free_report(r);
    commune_extra = NULL;
    extra_data = NULL;
    return known ? num > 0 : -1;
}

START_TEST(indicator_71_needs_a_cooperative_with_both)
{
    int warned;
    /* A tổ hợp tác with management and traceability is not an HTX. */
    coop_type = "coop_group", coop_mgmt = "1", coop_trace = "1";
    ck_assert_int_eq(indicator_71("0", &warned), 0);
    ck_assert(!warned);
    /* An HTX with management only does not count... */
    coop_type = "coop", coop_mgmt = "1", coop_trace = "0";
    ck_assert_int_eq(indicator_71("0", &warned), 0);
    /* ...and when the commune counts one, the report says they differ. */
    ck_assert_int_eq(indicator_71("1", &warned), 0);
    ck_assert(warned);
    /* An HTX with both, people taking part: yes. */
    coop_type = "coop", coop_mgmt = "1", coop_trace = "1";
    ck_assert_int_eq(indicator_71("1", &warned), 1);
    ck_assert(!warned);
}
END_TEST

/* ---------------------------------------------------------------- E4 */

static const char *biz_key, *biz_online;

/* One business whose main product is (biz_key) a key product of the
 * commune, selling online (biz_online) or not. */
static void key_product_business(store *st)
{
    const pin p[] = {{"", "biz_no", "1"}, {"", "village", "01"},
        {"", "biz_type", "enterprise"}, {"", "key_product", biz_key},
        {"", "sells_online", biz_online}, {NULL, NULL, NULL}};
    interview(st, "business", p, 0);
}


START_TEST(no_key_product_is_not_met)
{
    /* Given a commune listing no key product, E4 is not met and 7.2 is
     * "no", not "not enough data". */
    const pin extra[] = {{"", "n_products", "0"}, {"", "e4_assessment", "0"},
                         {NULL, NULL, NULL}};
    commune_extra = extra;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    long units;
    ck_assert_int_eq(report_status_of(r, "E4"), REPORT_NOT_MET);
    ck_assert_int_eq(report_status_of(r, "ecom"), REPORT_NOT_MET);
    ck_assert_int_eq(report_figure(r, "7.2", NULL, &num, &den, &units), 0);
    ck_assert(num == 0);
    free_report(r);
    /* A business saying it sells a key product online does not make 7.2
     * yes when the commune lists no key product (E4 not met): 7.2 stays
     * no, and says why. */
    biz_key = "1", biz_online = "1";
    extra_data = key_product_business;
    r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(report_figure(r, "7.2", NULL, &num, &den, &units), 0);
    ck_assert(num == 0);
    ck_assert_int_eq(report_figure(r, "7.2b", NULL, &num, &den, &units), 0);
    ck_assert(num > 0);
    char *t = report_render(r, REPORT_TEXT);
    ck_assert_msg(strstr(t, "the commune lists none, so 7.2b is not counted"),
                  "7.2 does not say why the businesses are not counted");
    free(t);
    free_report(r);
    extra_data = NULL;
    commune_extra = NULL;
}
END_TEST

/* ---------------------------------------------------------------- 7.2 */

/* 7.2 (1 yes, 0 no, -1 no data) for a commune whose one key product is
 * not sold online, with the business above when business is set. */
static int indicator_72(int business)
{
    const pin extra[] = {{"", "n_products", "1"},
                         {"products[1]", "p_name", "Bưởi"},
                         {"products[1]", "p_online", "none"},
                         {NULL, NULL, NULL}};
    commune_extra = extra;
    extra_data = business ? key_product_business : NULL;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    long units;
    int known = report_figure(r, "7.2", NULL, &num, &den, &units) == 0;
    char *t = report_render(r, REPORT_TEXT);
    ck_assert_msg(strstr(t, "Also counted: 7.2b"), "7.2 does not say what it counts");
    free(t);
    int v = known ? num > 0 : -1;
    free_report(r);
    commune_extra = NULL;
    extra_data = NULL;
    return v;
}

START_TEST(indicator_72_counts_businesses)
{
    /* Annex I 7.2: a key product traded on social networks or e-commerce
     * platforms, by whoever trades it. The commune sells its product
     * offline only: no... */
    ck_assert_int_eq(indicator_72(0), 0);
    /* ...an enterprise selling a product that is not a key one: still no... */
    biz_key = "0", biz_online = "1";
    ck_assert_int_eq(indicator_72(1), 0);
    /* ...one selling a key product offline: no... */
    biz_key = "1", biz_online = "0";
    ck_assert_int_eq(indicator_72(1), 0);
    /* ...and one selling a key product online: yes. */
    biz_key = "1", biz_online = "1";
    ck_assert_int_eq(indicator_72(1), 1);
}
END_TEST

START_TEST(e4_assessment_needs_a_product)
{
    /* Given no key product, when the commune says it has suitable
     * products, the answer is refused and nothing is saved for it. */
    const form *f = catalog_find(cat, "commune", NULL);
    char *path = xasprintf("%s/e4.db", tmpdir);
    store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(store_open(path, &st, &err), 0);
    session *s = NULL;
    ck_assert_int_eq(session_new(st, f, "enum1", f->default_lang, &s, &err), 0);
    inst *in = session_inst(s);
    session_item np = {form_find(f, "n_products"), inst_root(in)};
    ck_assert_int_eq(session_answer(s, np, "0", NULL), INST_OK);
    session_item e4 = {form_find(f, "e4_assessment"), inst_root(in)};
    char *msg = NULL;
    ck_assert_int_ne(session_answer(s, e4, "1", &msg), INST_OK);
    ck_assert_ptr_nonnull(msg);
    ck_assert_ptr_nonnull(strstr(msg, "sản phẩm chủ lực"));
    free(msg);
    ck_assert_ptr_null(inst_get(in, inst_root(in), e4.q));
    ck_assert_int_eq(session_answer(s, e4, "0", NULL), INST_OK);
    session_free(s);
    store_close(st);
    free(path);
}
END_TEST

/* ---------------------------------------------------------------- central */

START_TEST(centrally_chosen_commune_is_exempt)
{
    /* Given a commune already chosen by the central level as a smart NTM
     * pilot, the smart verdict says so instead of "not met"; the
     * e-commerce verdict is still assessed. */
    const pin extra[] = {{"", "central_pilot", "smart"}, {NULL, NULL, NULL}};
    commune_extra = extra;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(report_status_of(r, "smart"), REPORT_EXEMPT);
    ck_assert_int_ne(report_status_of(r, "ecom"), REPORT_EXEMPT);
    char *t = report_render(r, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(t, "969/QĐ-BNN-VPĐP"));
    ck_assert_ptr_nonnull(strstr(t, "exempt"));
    free(t);
    t = report_render(r, REPORT_CSV);
    ck_assert_ptr_nonnull(strstr(t, "verdict,79001,,smart,"));
    ck_assert_ptr_nonnull(strstr(t, ",exempt,"));
    free(t);
    free_report(r);
    commune_extra = NULL;
}
END_TEST

/* ---------------------------------------------------------------- age */

/* One household interviewed on 1 June 2026: a man born March 1965 (61
 * years 3 months, under the 61y6m of 2026) with a smartphone, a woman
 * born January 1968 (58 years 5 months, past the 57 years of 2026) without
 * one, and a man born December 1964 (61 years 6 months: retired) with one. */
static void older_household(store *st)
{
    const pin p[] = {{"", "village", "01"}, {"", "hh_no", "9"},
        {"", "consent", "1"}, {"", "interview_date", "2026-06-01"},
        {"", "hh_size", "3"},
        {"members[1]", "m_sex", "1"}, {"members[1]", "m_birth_year", "1965"},
        {"members[1]", "m_birth_month", "3"},
        {"members[1]", "m_smartphone", "1"},
        {"members[2]", "m_sex", "2"}, {"members[2]", "m_birth_year", "1968"},
        {"members[2]", "m_birth_month", "1"},
        {"members[2]", "m_smartphone", "0"},
        {"members[3]", "m_sex", "1"}, {"members[3]", "m_birth_year", "1964"},
        {"members[3]", "m_birth_month", "12"},
        {"members[3]", "m_smartphone", "1"}, {NULL, NULL, NULL}};
    interview(st, "household", p, 0);
}

START_TEST(working_age_follows_the_retirement_age)
{
    /* Given only that household, C5 counts the man of 61 (working age in
     * 2026) and neither the woman of 58 nor the man of 61y6m: 1 of 1. */
    only_extra = 1;
    extra_data = older_household;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    long units;
    ck_assert_int_eq(report_figure(r, "c5", NULL, &num, &den, &units), 0);
    ck_assert_msg(num == 1 && den == 1, "c5 %g / %g", num, den);
    free_report(r);
    extra_data = NULL;
    only_extra = 0;
}
END_TEST

/* One household interviewed on 15 February 2026, worked by hand with the
 * table of Decree 135/2020/NĐ-CP, Appendix I (the retirement age is the
 * one of the year in which it is reached):
 *   man born 9/1964: 61y3m reached 12/2025, retired (61y5m now; the
 *     survey-year rule, 61y6m, wrongly kept him) - smartphone;
 *   man born 10/1964: reaches 61y6m in 4/2026, working (61y4m) - smartphone;
 *   woman born 4/1969: 56y8m reached 12/2025, retired (56y10m; the
 *     survey-year 57y wrongly kept her) - smartphone;
 *   woman born 8/1969: reaches 57y in 8/2026, working (56y6m) - none.
 * C5 = 1 / 2 (the survey-year rule gave 3 / 4). */
static void early_year_household(store *st)
{
    const pin p[] = {{"", "village", "01"}, {"", "hh_no", "9"},
        {"", "consent", "1"}, {"", "interview_date", "2026-02-15"},
        {"", "hh_size", "4"},
        {"members[1]", "m_sex", "1"}, {"members[1]", "m_birth_year", "1964"},
        {"members[1]", "m_birth_month", "9"},
        {"members[1]", "m_smartphone", "1"},
        {"members[2]", "m_sex", "1"}, {"members[2]", "m_birth_year", "1964"},
        {"members[2]", "m_birth_month", "10"},
        {"members[2]", "m_smartphone", "1"},
        {"members[3]", "m_sex", "2"}, {"members[3]", "m_birth_year", "1969"},
        {"members[3]", "m_birth_month", "4"},
        {"members[3]", "m_smartphone", "1"},
        {"members[4]", "m_sex", "2"}, {"members[4]", "m_birth_year", "1969"},
        {"members[4]", "m_birth_month", "8"},
        {"members[4]", "m_smartphone", "0"}, {NULL, NULL, NULL}};
    interview(st, "household", p, 0);
}

START_TEST(retirement_age_is_that_of_the_year_it_is_reached)
{
    only_extra = 1;
    extra_data = early_year_household;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    long units;
    ck_assert_int_eq(report_figure(r, "c5", NULL, &num, &den, &units), 0);
    ck_assert_msg(num == 1 && den == 2, "c5 %g / %g", num, den);
    free_report(r);
    extra_data = NULL;
    only_extra = 0;
}
END_TEST

/* ---------------------------------------------------------------- readings */

/* Household no of village 01 paying online for purpose ("" none). */
static void payer(store *st, const char *no, const char *purpose)
{
    pin p[8] = {{"", "village", "01"}, {"", "hh_no", no}, {"", "consent", "1"},
                {"", "hh_size", "1"}, {"", "hh_pay_online", *purpose ? "1" : "0"}};
    if (*purpose)
        p[5] = (pin){"", "hh_pay_purpose", purpose};
    interview(st, "household", p, 0);
}

/* An official of level with (smart "1") or without a connected phone. */
static void staff(store *st, const char *no, const char *level, const char *smart)
{
    const pin p[] = {{"", "official_no", no}, {"", "off_level", level},
                     {"", "off_smartphone", smart}, {NULL, NULL, NULL}};
    interview(st, "officials", p, 0);
}

/* Three households: one paying the electricity bill online, one only
 * sending money to relatives, one not paying online; a commune official
 * with a connected smartphone and a part-time worker without one. */
static void readings_data(store *st)
{
    payer(st, "1", "electricity");
    payer(st, "2", "transfer");
    payer(st, "3", "");
    staff(st, "1", "commune", "1");
    staff(st, "2", "parttime", "0");
}

START_TEST(debatable_readings_are_settled_and_shown)
{
    /* The health station has a computer only; the commune was recognised
     * advanced NTM under the 2021-2025 criteria in 2019. */
    const pin extra[] = {{"", "telemed", "computer"}, {"", "ntm_level", "nc"},
                         {"", "ntm_period", "p2125"}, {"", "ntm_year", "2019"},
                         {NULL, NULL, NULL}};
    commune_extra = extra;
    only_extra = 1;
    extra_data = readings_data;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    double num, den;
    long units;
    /* 8.1: payments for services, 1 of 3; any payment, 2 of 3. */
    ck_assert_int_eq(report_figure(r, "8.1", NULL, &num, &den, &units), 0);
    ck_assert(num == 1 && den == 3);
    ck_assert_int_eq(report_figure(r, "8.1a", NULL, &num, &den, &units), 0);
    ck_assert(num == 2 && den == 3);
    /* 5.2 counts the part-time worker (1 of 2); 5.2c does not (1 of 1). */
    ck_assert_int_eq(report_figure(r, "5.2", NULL, &num, &den, &units), 0);
    ck_assert(num == 1 && den == 2);
    ck_assert_int_eq(report_figure(r, "5.2c", NULL, &num, &den, &units), 0);
    ck_assert(num == 1 && den == 1);
    /* 9.2 needs the full set; one computer is the other reading's yes. */
    ck_assert_int_eq(report_figure(r, "9.2", NULL, &num, &den, &units), 0);
    ck_assert(num == 0);
    ck_assert_int_eq(report_figure(r, "9.2a", NULL, &num, &den, &units), 0);
    ck_assert(num == 1);
    /* C1: a recognition year outside the criteria's period is not met and
     * the report says why. */
    ck_assert_int_eq(report_status_of(r, "C1"), REPORT_NOT_MET);
    ck_assert_uint_gt(report_figure_warnings(r, "c1"), 0);
    char *t = report_render(r, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(t, "Other reading 8.1a"));
    ck_assert_ptr_nonnull(strstr(t, "Basis: "));
    ck_assert_ptr_nonnull(strstr(t, "Evidence: "));
    ck_assert(fits_80(t));
    free(t);
    free_report(r);
    commune_extra = NULL;
    extra_data = NULL;
    only_extra = 0;
}
END_TEST

/* ---------------------------------------------------------------- annex */

START_TEST(html_is_the_annex_a_commune_attaches)
{
    /* Given a commune in a province whose name and key product carry
     * markup, when the report is written as HTML in Vietnamese, then it is
     * the annex: national heading, issuing body, period, sample, charts,
     * the product table, numbers written 50,0 %, a signature block, and
     * every outside text escaped. */
    const pin extra[] = {{"", "province", "Tỉnh <b>Lào Cai</b>"},
                         {"", "commune", "An & Bình"},
                         {"", "n_products", "1"},
                         {"products[1]", "p_name", "<i>Bưởi</i>"},
                         {NULL, NULL, NULL}};
    commune_extra = extra;
    report_lang = "vi";
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    char *t = report_render(r, REPORT_HTML);
    ck_assert_ptr_nonnull(strstr(t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    ck_assert_ptr_nonnull(strstr(t, "Độc lập - Tự do - Hạnh phúc"));
    ck_assert_ptr_nonnull(strstr(t, "XÃ An &amp; Bình"));
    ck_assert_ptr_nonnull(strstr(t, "Tỉnh &lt;b&gt;Lào Cai&lt;/b&gt;"));
    ck_assert_ptr_null(strstr(t, "<b>Lào Cai"));
    ck_assert_ptr_nonnull(strstr(t, "&lt;i&gt;Bưởi&lt;/i&gt;"));
    ck_assert_ptr_null(strstr(t, "<i>Bưởi"));
    ck_assert_ptr_nonnull(strstr(t, "<svg "));
    ck_assert_ptr_null(strstr(t, "<script"));
    ck_assert_ptr_null(strstr(t, "http"));
    /* 4.1m: 2 of 4 households, written the Vietnamese way. */
    ck_assert_ptr_nonnull(strstr(t, "50,0\u00a0%"));
    ck_assert_ptr_nonnull(strstr(t, "đóng dấu"));
    ck_assert_ptr_nonnull(strstr(t, "size:A4"));
    free(t);
    free_report(r);
    report_lang = "en";
    commune_extra = NULL;
}
END_TEST

START_TEST(needs_voiced_are_tallied)
{
    /* Given households that were left to the first answer, when reported,
     * the training wishes are counted over the four counted households. */
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    const report_def *d = r->def;
    long total = 0, units = -1;
    for (size_t i = 0; i < d->ntallies; i++)
        if (!strcmp(d->tallies[i].id, "hh_training")) {
            units = r->tallies[i].units;
            for (size_t k = 0; k < r->tallies[i].cnt; k++)
                total += r->tallies[i].n[k];
        }
    ck_assert_int_eq(units, 4);
    ck_assert_int_eq(total, 4);
    char *t = report_render(r, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(t, "Needs voiced in the interviews"));
    ck_assert(fits_80(t));
    free(t);
    free_report(r);
}
END_TEST

/* ---------------------------------------------------------------- proposal */

/* The bytes of part name of the zip archive at path (newly allocated,
 * NUL-terminated), or NULL; *first is set to the first entry's name. */
static char *zip_part(const char *path, const char *name, char **first)
{
    int ze = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &ze);
    if (!z)
        return NULL;
    *first = xstrdup(zip_get_name(z, 0, 0) ? zip_get_name(z, 0, 0) : "");
    zip_stat_t st;
    char *buf = NULL;
    if (zip_stat(z, name, 0, &st) == 0) {
        zip_file_t *f = zip_fopen(z, name, 0);
        buf = xcalloc(st.size + 1, 1);
        if (!f || zip_fread(f, buf, st.size) != (zip_int64_t)st.size) {
            free(buf);
            buf = NULL;
        }
        if (f)
            zip_fclose(f);
    }
    zip_close(z);
    return buf;
}

START_TEST(proposal_skeleton_is_an_odt)
{
    /* Given a commune whose name carries markup, when the proposal is
     * written, then it is an OpenDocument text (mimetype first) with the
     * Annex II sections, III.2 filled in from the survey, the name
     * escaped; a path that cannot be written is refused. */
    const pin extra[] = {{"", "commune", "<x>&\xef\xbf\xbe\xef\xbf\xbf"},
                         {NULL, NULL, NULL}};
    commune_extra = extra;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    char *path = xasprintf("%s/proposal.odt", tmpdir), *err = NULL, *first = NULL;
    ck_assert_int_eq(report_write_proposal(r, path, &err), 0);
    char *content = zip_part(path, "content.xml", &first);
    ck_assert_ptr_nonnull(content);
    ck_assert_str_eq(first, "mimetype");
    free(first);
    char *mime = zip_part(path, "mimetype", &first);
    ck_assert_str_eq(mime, "application/vnd.oasis.opendocument.text");
    free(mime);
    free(first);
    ck_assert_ptr_nonnull(strstr(content, "I. THÔNG TIN CHUNG"));
    ck_assert_ptr_nonnull(strstr(content, "III. CƠ SỞ ĐỀ XUẤT MÔ HÌNH"));
    ck_assert_ptr_nonnull(strstr(content, "2. Cơ sở thực tiễn"));
    ck_assert_ptr_nonnull(strstr(content, "IX. ĐÁNH GIÁ TÁC ĐỘNG CỦA MÔ HÌNH"));
    ck_assert_ptr_nonnull(strstr(content, "50.0% of 4 households"));
    ck_assert_ptr_nonnull(strstr(content, "&lt;x&gt;&amp;"));
    ck_assert_ptr_null(strstr(content, "<x>"));
    /* Characters XML forbids are left out, so the part stays well-formed. */
    ck_assert_ptr_null(strstr(content, "\xef\xbf\xbe"));
    ck_assert_ptr_null(strstr(content, "\xef\xbf\xbf"));
    free(content);
    free(path);
    path = xasprintf("%s/no/such/dir/p.odt", tmpdir);
    ck_assert_int_eq(report_write_proposal(r, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot write"));
    ck_assert_int_eq(access(path, F_OK), -1);
    free(err);
    free(path);
    free_report(r);
    commune_extra = NULL;
}
END_TEST

/* Two officials whose training wishes are the same words typed two ways,
 * and a third with a long wish carrying markup and a line break. */
static void training_officials(store *st)
{
    const pin a[] = {{"", "official_no", "1"},
        {"", "off_training_need", "Sử dụng  chữ ký số"}, {NULL, NULL, NULL}};
    const pin b[] = {{"", "official_no", "2"},
        {"", "off_training_need", " Sử dụng chữ ký số\n"}, {NULL, NULL, NULL}};
    const pin c[] = {{"", "official_no", "3"},
        {"", "off_training_need", "<b>Hướng dẫn</b> người dân \"bán hàng\", "
         "mở gian hàng và xử lý đơn hàng trên các sàn thương mại điện tử\n"
         "=cmd|' /C calc'!A0"}, {NULL, NULL, NULL}};
    interview(st, "officials", a, 0);
    interview(st, "officials", b, 0);
    interview(st, "officials", c, 0);
}

/* Columns of the longest line inside <tspan>…</tspan> of an SVG chart. */
static size_t widest_tspan(const char *t)
{
    size_t widest = 0;
    for (const char *p = strstr(t, "<tspan"); p; p = strstr(p + 1, "<tspan")) {
        const char *s = strchr(p, '>') + 1, *e = strstr(s, "</tspan>");
        /* An entity (&amp;) is one character on the page. */
        size_t w = 0;
        for (const char *q = s; q < e; q++) {
            if (*q == '&') {
                q = strchr(q, ';');
                w++;
            } else if ((*q & 0xC0) != 0x80 &&
                       !((unsigned char)*q == 0xCC ||
                         ((unsigned char)*q == 0xCD &&
                          (unsigned char)q[1] <= 0xAF))) {
                w++;
            }
        }
        widest = w > widest ? w : widest;
    }
    return widest;
}

START_TEST(notes_and_training_needs_in_every_format)
{
    /* Given the commune's own note and three officials' training wishes,
     * the report lists both, the two wishes typed alike counted once as
     * 2 of 3, the text escaped for each format; in HTML the chart's labels
     * wrap inside their column (no line over 30 characters), key products'
     * choices are shown by label, and numbers with a decimal comma. */
    const pin extra[] = {{"", "needs_note", "Cần <wifi> & \"điện\""},
                         {"", "n_products", "1"},
                         {"products[1]", "p_name", "Bưởi"},
                         {"products[1]", "p_output", "12.5"},
                         {"products[1]", "p_online", "facebook shopee"},
                         {NULL, NULL, NULL}};
    commune_extra = extra;
    extra_data = training_officials;
    report_lang = "vi";
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    char *t = report_render(r, REPORT_HTML);
    ck_assert_ptr_nonnull(strstr(t, "Cần &lt;wifi&gt; &amp; &quot;điện&quot;"));
    ck_assert_ptr_nonnull(strstr(t, "Sử dụng chữ ký số"));
    ck_assert_ptr_nonnull(strstr(t, "&lt;b&gt;Hướng dẫn&lt;/b&gt;"));
    ck_assert_ptr_null(strstr(t, "<b>Hướng"));
    ck_assert_ptr_null(strstr(t, "<wifi>"));
    ck_assert_uint_gt(widest_tspan(t), 0);
    ck_assert_uint_le(widest_tspan(t), 30);
    ck_assert_ptr_nonnull(strstr(t, ">12,5<"));
    ck_assert_ptr_null(strstr(t, "12.5"));
    ck_assert_ptr_nonnull(strstr(t, "Facebook"));
    ck_assert_ptr_null(strstr(t, "facebook shopee"));
    ck_assert_ptr_nonnull(strstr(t, "Phiếu cán bộ, công chức"));
    /* Forms by their titles, never their ids, in the tables. */
    ck_assert_ptr_null(strstr(t, "<td>officials</td>"));
    ck_assert_ptr_null(strstr(t, "<td>household</td>"));
    /* Coverage of a village, the Vietnamese way: 150 %, not 150%. */
    ck_assert_ptr_nonnull(strstr(t, "150\u00a0%"));
    free(t);
    const report_def *d = r->def;
    for (size_t i = 0; i < d->ntallies; i++)
        if (!strcmp(d->tallies[i].id, "officials_training")) {
            ck_assert_int_eq(r->tallies[i].units, 3);
            ck_assert_str_eq(r->tallies[i].label[0], "Sử dụng chữ ký số");
            ck_assert_int_eq(r->tallies[i].n[0], 2);
        }
    t = report_render(r, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(t, "Cần <wifi> & \"điện\""));
    ck_assert_ptr_nonnull(strstr(t, "2 of 3"));
    ck_assert_ptr_null(strstr(t, "\n=cmd"));
    free(t);
    t = report_render(r, REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(strstr(t, "Cần &lt;wifi&gt; &amp;"));
    free(t);
    t = report_render(r, REPORT_CSV);
    ck_assert_ptr_nonnull(strstr(t, "answer,79001,,officials_training,Sử dụng chữ ký số,count,2,3,"));
    ck_assert_ptr_nonnull(strstr(t, "\"Cần <wifi> & \"\"điện\"\"\""));
    /* A formula from the data is neutralised in the CSV. */
    ck_assert_ptr_null(strstr(t, ",=cmd"));
    free(t);
    /* The proposal's III.2 lists them too, escaped for XML. */
    char *path = xasprintf("%s/notes.odt", tmpdir), *err = NULL, *first = NULL;
    ck_assert_int_eq(report_write_proposal(r, path, &err), 0);
    char *content = zip_part(path, "content.xml", &first);
    ck_assert_ptr_nonnull(content);
    ck_assert_ptr_nonnull(strstr(content, "Sử dụng chữ ký số (2/3)"));
    ck_assert_ptr_nonnull(strstr(content, "Cần &lt;wifi&gt; &amp;"));
    ck_assert_ptr_null(strstr(content, "<wifi>"));
    free(content);
    free(first);
    free(path);
    free_report(r);
    report_lang = "en";
    commune_extra = NULL;
    extra_data = NULL;
}
END_TEST

START_TEST(commune_name_starting_with_xa_is_not_doubled)
{
    /* Given a commune named "Xã Cẩm Hà", the annex heading and the
     * proposal write "Xã" once. */
    const pin extra[] = {{"", "commune", "Xã Cẩm Hà"}, {NULL, NULL, NULL}};
    commune_extra = extra;
    report_result *r = make_report(1, 0, NULL);
    ck_assert_ptr_nonnull(r);
    commune_extra = NULL;
    char *t = report_render(r, REPORT_HTML);
    ck_assert_ptr_nonnull(strstr(t, "XÃ Cẩm Hà"));
    ck_assert_ptr_null(strstr(t, "XÃ Xã"));
    free(t);
    char *path = xasprintf("%s/xa.odt", tmpdir), *err = NULL, *first = NULL;
    ck_assert_int_eq(report_write_proposal(r, path, &err), 0);
    char *content = zip_part(path, "content.xml", &first);
    ck_assert_ptr_nonnull(content);
    ck_assert_ptr_nonnull(strstr(content, "UBND xã Cẩm Hà"));
    ck_assert_ptr_null(strstr(content, "xã Xã"));
    free(content);
    free(first);
    free(path);
    free_report(r);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = check_tcase(s, "core", setup, teardown, 60);
    tcase_add_test(tc, rates_worked_by_hand);
    tcase_add_test(tc, missing_commune_is_not_enough_data);
    tcase_add_test(tc, several_communes_need_a_choice);
    tcase_add_test(tc, formats);
    tcase_add_test(tc, definition_errors_are_located);
    tcase_add_test(tc, missing_database_is_refused);
    tcase_add_test(tc, two_processes_give_the_same_report);
    tcase_add_test(tc, same_case_twice_is_a_duplicate);
    tcase_add_test(tc, c4_against_the_declared_officials);
    tcase_add_test(tc, indicator_71_needs_a_cooperative_with_both);
    tcase_add_test(tc, no_key_product_is_not_met);
    tcase_add_test(tc, e4_assessment_needs_a_product);
    tcase_add_test(tc, indicator_72_counts_businesses);
    tcase_add_test(tc, retirement_age_is_that_of_the_year_it_is_reached);
    tcase_add_test(tc, notes_and_training_needs_in_every_format);
    tcase_add_test(tc, centrally_chosen_commune_is_exempt);
    tcase_add_test(tc, working_age_follows_the_retirement_age);
    tcase_add_test(tc, debatable_readings_are_settled_and_shown);
    tcase_add_test(tc, html_is_the_annex_a_commune_attaches);
    tcase_add_test(tc, needs_voiced_are_tallied);
    tcase_add_test(tc, proposal_skeleton_is_an_odt);
    tcase_add_test(tc, figures_never_round_onto_their_threshold);
    tcase_add_test(tc, condition_warnings_in_every_format);
    tcase_add_test(tc, commune_name_starting_with_xa_is_not_doubled);
    return s;
}

int main(void)
{
    return check_run(report_suite());
}
