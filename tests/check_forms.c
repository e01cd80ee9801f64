/* check_forms.c: the bundled step 4.1 survey forms: they load without a
 * single error, together they carry every condition and Annex I indicator,
 * their skip logic and constraints behave as an interview needs, and random
 * valid interviews of each can be finalised. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/catalog.h"
#include "check_main.h"
#include "core/form.h"
#include "core/inst.h"
#include "session/session.h"
#include "session/simulate.h"
#include "store/store.h"
#include "core/util.h"

static const char *const form_ids[] = {"commune", "household", "officials", "business"};

static catalog *cat;

static void setup(void)
{
    diag_list d;
    diag_init(&d);
    cat = catalog_load(FORMSSRCDIR, &d);
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        fprintf(stderr, "%s\n", m);
        free(m);
    }
    ck_assert_msg(cat && d.n == 0, "the bundled forms have %zu errors", d.n);
    diag_free(&d);
}

static void teardown(void)
{
    catalog_free(cat);
}

/* The bundled form id, asserting it is there. */
static const form *bundled(const char *id)
{
    const form *f = catalog_find(cat, id, NULL);
    ck_assert_msg(f != NULL, "form %s is missing", id);
    return f;
}

/* Question index by id, asserting it exists. */
static int qi(const form *f, const char *id)
{
    int q = form_find(f, id);
    ck_assert_msg(q >= 0, "%s has no question %s", f->id, id);
    return q;
}

START_TEST(every_form_loads_with_a_version_and_two_languages)
{
    const form *f = bundled(form_ids[_i]);
    ck_assert_ptr_nonnull(f->version);
    ck_assert_uint_eq(f->nlang, 2);
    ck_assert_int_eq(form_lang(f, "vi"), f->default_lang);
    ck_assert_int_ge(form_lang(f, "en"), 0);
    ck_assert_uint_gt(f->nq, 10);
}
END_TEST

/* Non-zero when some question of some bundled form carries tag. */
static int carried(const char *tag)
{
    for (size_t i = 0; i < cat->n; i++) {
        const form *f = cat->forms[i];
        for (size_t q = 0; q < f->nq; q++)
            for (size_t m = 0; m < f->q[q].nmeta; m++)
                if (!strcmp(f->q[q].meta[m].key, "indicator") &&
                    !strcmp(f->q[q].meta[m].value, tag))
                    return 1;
    }
    return 0;
}

START_TEST(every_condition_and_indicator_is_measured)
{
    FILE *fp = fopen(FORMSSRCDIR "/indicators.txt", "r");
    ck_assert_ptr_nonnull(fp);
    char line[64];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || *line == '#')
            continue;
        n++;
        ck_assert_msg(carried(line), "no question measures %s", line);
    }
    fclose(fp);
    /* C1-C6, E1-E5 and the 39 indicators of Annex I. */
    ck_assert_int_eq(n, 50);
}
END_TEST

START_TEST(household_skip_logic)
{
    const form *f = bundled("household");
    inst *in = inst_new(f, f->default_lang);
    inst_frame *root = inst_root(in);
    inst_set(in, root, qi(f, "consent"), "0");
    ck_assert(!inst_relevant(in, root, qi(f, "hh_size")));
    ck_assert(inst_relevant(in, root, qi(f, "refusal_note")));
    inst_set(in, root, qi(f, "consent"), "1");
    ck_assert(inst_relevant(in, root, qi(f, "hh_size")));
    ck_assert(!inst_relevant(in, root, qi(f, "refusal_note")));

    /* Payment purposes are asked only of households that pay online. */
    inst_set(in, root, qi(f, "hh_pay_online"), "0");
    ck_assert(!inst_relevant(in, root, qi(f, "hh_pay_purpose")));
    inst_set(in, root, qi(f, "hh_pay_online"), "1");
    ck_assert(inst_relevant(in, root, qi(f, "hh_pay_purpose")));
    ck_assert(!inst_relevant(in, root, qi(f, "hh_pay_other")));
    inst_set(in, root, qi(f, "hh_pay_purpose"), "other");
    ck_assert(inst_relevant(in, root, qi(f, "hh_pay_other")));
    inst_free(in);
}
END_TEST

START_TEST(household_roster_and_constraints)
{
    const form *f = bundled("household");
    inst *in = inst_new(f, f->default_lang);
    inst_frame *root = inst_root(in);
    inst_set(in, root, qi(f, "consent"), "1");
    ck_assert_int_eq(inst_check_value(in, root, qi(f, "hh_size"), "0", NULL), INST_CONSTRAINT);
    ck_assert_int_eq(inst_check_value(in, root, qi(f, "hh_size"), "31", NULL), INST_CONSTRAINT);
    ck_assert_int_eq(inst_check_value(in, root, qi(f, "hh_size"), "4", NULL), INST_OK);
    inst_set(in, root, qi(f, "hh_size"), "3");
    int r = qi(f, "members");
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 3);

    /* Working age is computed from the year of birth. */
    time_t now = time(NULL);
    int year = localtime(&now)->tm_year + 1900;
    inst_frame *m = inst_repeat_get(in, root, r, 0);
    char yob[16];
    snprintf(yob, sizeof yob, "%d", year - 30);
    inst_set(in, m, qi(f, "m_birth_year"), yob);
    ck_assert_str_eq(inst_get(in, m, qi(f, "m_working_age")), "1");
    snprintf(yob, sizeof yob, "%d", year - 8);
    inst_set(in, m, qi(f, "m_birth_year"), yob);
    ck_assert_str_eq(inst_get(in, m, qi(f, "m_working_age")), "0");
    snprintf(yob, sizeof yob, "%d", year + 1);
    ck_assert_int_eq(inst_check_value(in, m, qi(f, "m_birth_year"), yob, NULL), INST_CONSTRAINT);
    ck_assert_int_eq(inst_check_value(in, m, qi(f, "m_birth_year"), "1899", NULL), INST_CONSTRAINT);
    inst_free(in);
}
END_TEST

START_TEST(constraint_messages_exist_in_both_languages)
{
    const form *f = bundled(form_ids[_i]);
    for (size_t q = 0; q < f->nq; q++) {
        if (!f->q[q].constraint)
            continue;
        for (size_t l = 0; l < f->nlang; l++)
            ck_assert_msg(f->q[q].constraint_msg && f->q[q].constraint_msg[l] &&
                          *f->q[q].constraint_msg[l],
                          "%s: %s has no %s constraint message", f->id,
                          f->q[q].id, f->languages[l]);
    }
}
END_TEST

START_TEST(random_valid_interviews_can_be_finalised)
{
    const form *f = bundled(form_ids[_i]);
    char *path = check_tmpdb_new("check-forms");
    store *st;
    ck_assert_int_eq(store_open(path, &st, NULL), 0);
    sim_rng r;
    sim_seed(&r, 2026);
    int done = 0;
    for (int i = 0; i < 15; i++) {
        session *s;
        ck_assert_int_eq(session_new(st, f, "t", f->default_lang, &s, NULL), 0);
        ck_assert_int_eq(sim_fill(s, &r, 4), 0);
        session_problem *p;
        size_t n = session_problems(s, &p);
        for (size_t k = 0; k < n && k < 3; k++)
            fprintf(stderr, "%s: %s: %s\n", f->id, f->q[p[k].item.q].id,
                    p[k].msg ? p[k].msg : "");
        session_problems_free(p, n);
        done += session_finalise(s) == 0;
        session_free(s);
    }
    sim_free(&r);
    store_close(st);
    check_tmpdb_free(path);
    ck_assert_msg(done == 15, "%s: only %d of 15 random interviews finalised", f->id, done);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("forms");
    size_t nforms = sizeof form_ids / sizeof *form_ids;
    TCase *tc = check_tcase(s, "bundled", setup, teardown, 60);
    tcase_add_loop_test(tc, every_form_loads_with_a_version_and_two_languages, 0, (int)nforms);
    tcase_add_test(tc, every_condition_and_indicator_is_measured);
    tcase_add_test(tc, household_skip_logic);
    tcase_add_test(tc, household_roster_and_constraints);
    tcase_add_loop_test(tc, constraint_messages_exist_in_both_languages, 0, (int)nforms);
    tcase_add_loop_test(tc, random_valid_interviews_can_be_finalised, 0, (int)nforms);
    return check_run(s);
}
