/* check_xlsform.c: XLSForm in and out. The bundled forms survive a round
 * trip through a workbook question for question; a corpus of workbooks
 * written here with libxlsxwriter covers every XLSForm feature the form
 * language has and the ones it reports as unsupported; broken and hostile
 * workbooks are refused with a message naming the file. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
    same_str(src_of(a->seed), src_of(b->seed), "seed", a->id);
    ck_assert_int_eq(a->randomize, b->randomize);
    same_str(a->default_value, b->default_value, "default", a->id);
    same_str(src_of(a->default_expr), src_of(b->default_expr), "default expression", a->id);
    ck_assert_int_eq(a->required_always, b->required_always);
    ck_assert_int_eq(a->read_only, b->read_only);
    ck_assert_int_eq(a->multiline, b->multiline);
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
    /* The settings sheet's instance_name, both ways. */
    ck_assert_int_eq(!orig->instance_name, !back->instance_name);
    if (orig->instance_name)
        same_str(expr_source(orig->instance_name),
                 expr_source(back->instance_name), "instance_name", "form");
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

/* ------------------------------------------------------------ the corpus */

/* A sheet given as rows of cells; NULL ends a row's cells early, a row of
 * only NULL is left empty. */
#define NCOLS 24
typedef const char *sheet_rows[][NCOLS];

static void write_sheet(lxw_workbook *wb, const char *name, const char *(*rows)[NCOLS],
                        size_t nrows)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < NCOLS; c++)
            if (rows[r][c])
                worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, rows[r][c], NULL);
}

#define SHEET(wb, name, rows) write_sheet(wb, name, rows, sizeof rows / sizeof *rows)

/* The path of a new workbook name in the test directory. */
static char *corpus_path(const char *name)
{
    return xasprintf("%s/%s.xlsx", tmpdir, name);
}

/* Every note of d, formatted, one per line. */
static char *notes_text(const diag_list *d)
{
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < d->n; i++) {
        char *m = diag_format(&d->v[i]);
        sbuf_addf(&b, "%s\n", m);
        free(m);
    }
    return sbuf_detach(&b);
}

static sheet_rows full_survey = {
    {"type", "name", "label::Tiếng Việt (vi)", "label::English (en)",
     "hint::Tiếng Việt (vi)", "hint::English (en)", "required",
     "required_message::Tiếng Việt (vi)", "required_message::English (en)",
     "relevant", "constraint", "constraint_message::Tiếng Việt (vi)",
     "constraint_message::English (en)", "calculation", "default", "read_only",
     "choice_filter", "repeat_count", "appearance", "media::image", "comments",
     "khaosat_indicator", "khaosat_meta_source", "parameters"},
    /* 2 */ {"text", "resp-name", "Tên người trả lời", "Respondent's name", "Họ và tên",
     "Full name", "yes", "Cần tên", "A name is needed", [20] = "Ask the head first"},
    /* 3 */ {"integer", "hh.size", "Số người", "Household size", [6] = "TRUE",
     [10] = ". >= 1 and . <= 30", "Từ 1 đến 30", "1 to 30", [21] = "C5 E3",
     [22] = "census"},
    /* 4 */ {"select_one yesno", "consent", "Đồng ý?", "Consent?", [6] = "true()"},
    /* 5 */ {"begin group", "sec_a", "Phần A", "Section A",
     [9] = "${consent} = '1'", [18] = "field-list"},
    /* 6 */ {"select_one commune", "commune", "Xã", "Commune"},
    /* 7 */ {"select_one village", "village", "Thôn", "Village",
     [16] = "commune = ${commune}", [23] = "randomize=true seed=${hh.size}"},
    /* 8 */ {"select_one crop or_other", "crop", "Cây trồng chính", "Main crop",
     [19] = "crop.png"},
    /* 9 */ {"note", "n1", "Cảm ơn ${resp-name}", "Thanks, ${resp-name}"},
    /* 10 */ {"date", "d1", "Ngày", "Date", [14] = "2026-01-01"},
    /* 11 */ {"text", "phone", "Điện thoại", "Phone",
     [10] = "regex(., '^[0-9]{9,11}$')", [18] = "numbers", [23] = "rows=3"},
    /* 12 */ {"end group", "sec_a"},
    /* 13 */ {"begin repeat", "plots", "Thửa", "Plots", [17] = "/data/hh.size"},
    /* 14 */ {"decimal", "plot-area", "Diện tích", "Area", [10] = ". > 0"},
    /* 15 */ {"calculate", "plot_x", [13] = "/data/plots/plot-area * 2"},
    /* 16 */ {"end repeat"},
    /* 17 */ {"calculate", "total", [13] = "sum(${plot-area})"},
    /* 18 */ {"geopoint", "gps", "Vị trí", "Location"},
    /* 19 */ {"select_multiple crop", "crops_m", "Các cây"},
    /* 20 */ {"text", "ro", "Chỉ đọc", "Read only", [14] = "x", [15] = "yes"},
    /* 21 */ {NULL},
    /* 22 */ {"decimal", "last_q", "Cuối", "Last",
     [6] = "${consent} = '1'", [9] = "${hh.size} > 2"},
};

static sheet_rows full_choices = {
    {"list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)", "commune",
     "image"},
    {"yesno", "1", "Có", "Yes"},
    {"yesno", "0", "Không", "No"},
    {"commune", "c1", "Xã 1", "Commune 1"},
    {"commune", "c2", "Xã 2", "Commune 2"},
    {"village", "v1", "Thôn 1", "Village 1", "c1"},
    {"village", "v2", "Thôn 2", "Village 2", "c2", "v2.png"},
    {"crop", "rice", "Lúa", "Rice"},
    {"crop", "maize", "Ngô", "Maize"},
};

static sheet_rows full_settings = {
    {"form_title", "form_id", "version", "default_language", "instance_name"},
    {"Phiếu thử", "Test-Form", "2026.1", "Tiếng Việt (vi)", "concat(${resp-name})"},
};

/* The question with this id (asserting it exists). */
static const form_question *q_of(const form *f, const char *id)
{
    int i = form_find(f, id);
    ck_assert_msg(i >= 0, "no question '%s'", id);
    return &f->q[i];
}

static const char *label_of(const form *f, form_text t, const char *lang)
{
    return t ? t[form_lang(f, lang)] : NULL;
}

START_TEST(corpus_every_feature)
{
    char *path = corpus_path("full");
    lxw_workbook *wb = workbook_new(path);
    SHEET(wb, "survey", full_survey);
    SHEET(wb, "choices", full_choices);
    SHEET(wb, "settings", full_settings);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);

    diag_list notes;
    diag_init(&notes);
    char *yaml = import_ok(path, &notes);
    char *text = notes_text(&notes);
    ck_assert_str_eq(text,
        "settings!B2: form_id 'Test-Form' is written 'test_form'\n"
        "settings: no 'en' title (khaosat_title_en); form_title is used\n"
        "choices!F7: image 'v2.png' has no khaosat equivalent\n"
        "survey!B2: name 'resp-name' is written 'resp_name' (in every expression too)\n"
        "survey!B3: name 'hh.size' is written 'hh_size' (in every expression too)\n"
        "survey!S5: appearance 'field-list' has no khaosat equivalent\n"
        "survey!T8: media::image 'crop.png' has no khaosat equivalent\n"
        "survey!X11: parameters 'rows=3' has no khaosat equivalent\n"
        "survey!S11: appearance 'numbers' has no khaosat equivalent\n"
        "survey!B14: name 'plot-area' is written 'plot_area' (in every expression too)\n"
        "survey!A18: type 'geopoint' has no khaosat equivalent; the row is left out\n"
        "survey!D19: label has no 'en' text; the 'vi' one is used\n");
    form *f = load_clean(yaml);
    ck_assert_str_eq(f->id, "test_form");
    /* instance_name is kept, with the names renamed in it. */
    ck_assert_ptr_nonnull(f->instance_name);
    ck_assert_str_eq(expr_source(f->instance_name), "concat(${resp_name})");
    ck_assert_str_eq(f->version, "2026.1");
    ck_assert_uint_eq(f->nlang, 2);
    ck_assert_str_eq(f->languages[f->default_lang], "vi");
    ck_assert_str_eq(label_of(f, f->title, "en"), "Phiếu thử");

    /* Row order is kept, the unsupported row left out, or_other's question
     * added after its select. */
    static const char *const order[] = {
        "resp_name", "hh_size", "consent", "sec_a", "commune", "village", "crop",
        "crop_other", "n1", "d1", "phone", "plots", "plot_area", "plot_x",
        "total", "crops_m", "ro", "last_q"};
    ck_assert_uint_eq(f->nq, sizeof order / sizeof *order);
    for (size_t i = 0; i < f->nq; i++)
        ck_assert_str_eq(f->q[i].id, order[i]);

    const form_question *q = q_of(f, "resp_name");
    ck_assert_str_eq(label_of(f, q->label, "vi"), "Tên người trả lời");
    ck_assert_str_eq(label_of(f, q->label, "en"), "Respondent's name");
    ck_assert_str_eq(label_of(f, q->hint, "en"), "Full name");
    ck_assert_str_eq(label_of(f, q->required_msg, "vi"), "Cần tên");
    ck_assert_int_eq(q->required_always, 1);
    ck_assert_ptr_nonnull(strstr(yaml, "  # Ask the head first\n  - id: resp_name\n"));

    q = q_of(f, "hh_size");
    ck_assert_int_eq(q->type, QT_INTEGER);
    ck_assert_int_eq(q->required_always, 1);
    ck_assert_str_eq(expr_source(q->constraint), ". >= 1 and . <= 30");
    ck_assert_str_eq(label_of(f, q->constraint_msg, "en"), "1 to 30");
    ck_assert_str_eq(form_meta(q, "source"), "census");
    ck_assert_uint_eq(q->nmeta, 3);

    ck_assert_int_eq(q_of(f, "consent")->required_always, 1);
    q = q_of(f, "sec_a");
    ck_assert_int_eq(q->type, QT_GROUP);
    ck_assert_str_eq(expr_source(q->relevant), "${consent} = '1'");
    ck_assert_int_eq(q_of(f, "phone")->parent, form_find(f, "sec_a"));
    ck_assert_int_eq(q_of(f, "plots")->parent, -1);
    ck_assert_str_eq(expr_source(q_of(f, "village")->choice_filter),
                     "commune = ${commune}");
    ck_assert_int_eq(q_of(f, "village")->randomize, 1);
    ck_assert_str_eq(expr_source(q_of(f, "village")->seed), "${hh_size}");

    /* or_other: an "other" choice and a text question shown for it. */
    q = q_of(f, "crop");
    const form_list *crop = &f->lists[q->list];
    ck_assert_uint_eq(crop->nchoices, 3);
    ck_assert_str_eq(crop->choices[2].value, "other");
    ck_assert_str_eq(label_of(f, crop->choices[2].label, "vi"), "Khác");
    q = q_of(f, "crop_other");
    ck_assert_int_eq(q->type, QT_TEXT);
    ck_assert_str_eq(expr_source(q->relevant), "selected(${crop}, 'other')");
    ck_assert_int_eq(q->parent, form_find(f, "sec_a"));
    ck_assert_int_eq(q_of(f, "crops_m")->list, q_of(f, "crop")->list);

    /* Names renamed everywhere: labels, paths, references. */
    ck_assert_str_eq(label_of(f, q_of(f, "n1")->label, "en"), "Thanks, ${resp_name}");
    ck_assert_str_eq(expr_source(q_of(f, "plots")->count), "${hh_size}");
    ck_assert_str_eq(expr_source(q_of(f, "plot_x")->calculation), "${plot_area} * 2");
    ck_assert_int_eq(q_of(f, "plot_x")->repeat, form_find(f, "plots"));
    ck_assert_str_eq(expr_source(q_of(f, "total")->calculation), "sum(${plot_area})");
    ck_assert_str_eq(expr_source(q_of(f, "last_q")->relevant), "${hh_size} > 2");
    ck_assert_str_eq(expr_source(q_of(f, "last_q")->required), "${consent} = '1'");
    ck_assert_str_eq(q_of(f, "d1")->default_value, "2026-01-01");
    ck_assert_int_eq(q_of(f, "ro")->read_only, 1);
    ck_assert_str_eq(label_of(f, q_of(f, "crops_m")->label, "en"), "Các cây");
    ck_assert_str_eq(form_choice_attr(&f->lists[q_of(f, "village")->list].choices[1],
                                      "commune"), "c2");
    form_free(f);
    free(text);
    free(yaml);
    diag_free(&notes);
    free(path);
}
END_TEST

/* Import workbook rows (survey only, or with settings) and return its notes
 * as text; *yaml_out gets the YAML when not NULL. */
static char *import_notes(const char *name, const char *(*survey)[NCOLS], size_t n,
                          const char *(*settings)[NCOLS], size_t ns, char **yaml_out)
{
    char *path = corpus_path(name);
    lxw_workbook *wb = workbook_new(path);
    write_sheet(wb, "survey", survey, n);
    if (settings)
        write_sheet(wb, "settings", settings, ns);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    diag_list notes;
    diag_init(&notes);
    char *yaml = import_ok(path, &notes);
    char *text = notes_text(&notes);
    diag_free(&notes);
    if (yaml_out)
        *yaml_out = yaml;
    else
        free(yaml);
    free(path);
    return text;
}

static sheet_rows plain_survey = {
    {"type", "name", "label", "hint", "Label::Klingon"},
    {"text", "a", "A?", NULL, "A ?"},
    {"integer", "b", "B?"},
};

START_TEST(corpus_one_language_no_settings)
{
    char *yaml = NULL;
    char *text = import_notes("plain", plain_survey,
                              sizeof plain_survey / sizeof *plain_survey, NULL, 0, &yaml);
    ck_assert_str_eq(text,
        "survey!E1: language 'Klingon' has no code; write it as 'Klingon (xx)' "
        "with its two-letter code\n"
        "settings: texts written without a language are taken as 'vi'; name it in "
        "default_language\n"
        "settings: no form_id; the form is called after the file\n"
        "settings: no version; \"1\" is used\n"
        "survey!E2: Label::Klingon 'A ?' has no khaosat equivalent\n");
    form *f = load_clean(yaml);
    ck_assert_str_eq(f->id, "plain");
    ck_assert_uint_eq(f->nlang, 1);
    ck_assert_str_eq(f->languages[0], "vi");
    ck_assert_str_eq(f->q[1].label[0], "B?");
    form_free(f);
    free(yaml);
    free(text);
}
END_TEST

static sheet_rows broken_survey = {
    {"type", "name", "label", "read_only", NULL, "relevant"},
    /* 2 */ {"end group", "nothing"},
    /* 3 */ {NULL, "orphan", "Orphan"},
    /* 4 */ {"text", "a-b", "A"},
    /* 5 */ {"text", "a_b", "B", "${a_b} > 1"},
    /* 6 */ {"text", NULL, "no name"},
    /* 7 */ {"begin group", NULL, "G", NULL, "stray"},
    /* 8 */ {"text", "c", "C", [5] = "${a-b} != '' and /data/a_b != ''"},
    /* 9 */ {"select_one_from_file villages.csv", "v", "V"},
    /* 10 */ {"begin repeat", "r", "R"},
    /* 11 */ {"text", "d", "D"},
    /* 12 */ {"end group"},
};

START_TEST(corpus_structure_problems)
{
    char *yaml = NULL;
    char *text = import_notes("broken", broken_survey,
                              sizeof broken_survey / sizeof *broken_survey, NULL, 0,
                              &yaml);
    ck_assert_str_eq(text,
        "settings: texts written without a language are taken as 'vi'; name it in "
        "default_language\n"
        "settings: no form_id; the form is called after the file\n"
        "settings: no version; \"1\" is used\n"
        "survey!A2: 'end group' ends no group; left out\n"
        "survey!A3: a row without a type; left out\n"
        "survey!B4: name 'a-b' is written 'a_b_2' (in every expression too)\n"
        "survey!D5: read_only '${a_b} > 1' has no khaosat equivalent\n"
        "survey!B6: a question without a name; left out\n"
        "survey!E7: 'stray' is in a column without a header; left out\n"
        "survey!A9: type 'select_one_from_file villages.csv' has no khaosat "
        "equivalent; the row is left out\n"
        "survey!A12: 'end group' ends 'r', which is not one\n"
        "survey!A7: 'group_7' is never ended; it ends with the sheet\n");
    form *f = load_clean(yaml);
    ck_assert_str_eq(expr_source(f->q[form_find(f, "c")].relevant),
                     "${a_b_2} != '' and ${a_b} != ''");
    ck_assert_int_eq(f->q[form_find(f, "d")].repeat, form_find(f, "r"));
    ck_assert_int_eq(f->q[form_find(f, "r")].parent, form_find(f, "group_7"));
    form_free(f);
    free(yaml);
    free(text);
}
END_TEST

/* or_other's question NAME_other never takes the name of a question the
 * workbook has: it gets a free one, with a note, and ${a_other} still
 * means the workbook's own question. */
static sheet_rows other_survey = {
    {"type", "name", "label", "relevant"},
    {"select_one l or_other", "a", "A?"},
    {"text", "a_other", "Mine"},
    {"text", "a_other_2", "Also mine", "${a_other} = ''"},
};
static sheet_rows other_choices = {
    {"list_name", "name", "label"},
    {"l", "x", "X"},
};

START_TEST(corpus_or_other_name_taken)
{
    char *path = corpus_path("other");
    lxw_workbook *wb = workbook_new(path);
    SHEET(wb, "survey", other_survey);
    SHEET(wb, "choices", other_choices);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    diag_list d;
    diag_init(&d);
    char *yaml = import_ok(path, &d);
    char *text = notes_text(&d);
    ck_assert_msg(strstr(text, "survey!A2: the 'other' question of 'a' is named "
                               "'a_other_3': 'a_other' is a question already\n"),
                  "%s", text);
    form *f = load_clean(yaml);
    ck_assert_uint_eq(f->nq, 4);
    ck_assert_str_eq(f->q[1].id, "a_other_3");
    ck_assert_str_eq(expr_source(f->q[1].relevant), "selected(${a}, 'other')");
    ck_assert_str_eq(f->q[2].id, "a_other");
    ck_assert_str_eq(f->q[3].id, "a_other_2");
    ck_assert_str_eq(expr_source(f->q[3].relevant), "${a_other} = ''");
    form_free(f);
    free(text);
    free(yaml);
    free(path);
    diag_free(&d);
}
END_TEST

START_TEST(corpus_nesting_bound)
{
    static const char *rows[40][NCOLS];
    rows[0][0] = "type";
    rows[0][1] = "name";
    rows[0][2] = "label";
    char names[40][8];
    for (int i = 1; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "g%d", i);
        rows[i][0] = "begin group";
        rows[i][1] = names[i];
        rows[i][2] = "G";
    }
    char *path = corpus_path("deep");
    lxw_workbook *wb = workbook_new(path);
    write_sheet(wb, "survey", rows, 40);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    char *yaml = NULL, *err = NULL;
    diag_list notes;
    diag_init(&notes);
    ck_assert_int_eq(xlsform_import(path, &yaml, &notes, &err), -1);
    ck_assert_ptr_null(yaml);
    char *want = xasprintf("%s: survey row 32: groups nested more than 30 deep", path);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    diag_free(&notes);
    free(path);
}
END_TEST

/* Text that means something to YAML or a terminal comes back as it was. */
START_TEST(corpus_text_is_data)
{
    static const char *const odd[] = {
        "say \"hi\": - {x} # not a comment\\n",
        "line one\nline two\ttabbed",
        "separator\xe2\x80\xa8inside, and NEL \xc2\x85 too",
        "true", "'single' & <xml> ${not a name",
        "  leading and trailing  ",
    };
    size_t n = sizeof odd / sizeof *odd;
    static const char *rows[8][NCOLS];
    rows[0][0] = "type";
    rows[0][1] = "name";
    rows[0][2] = "label";
    rows[0][3] = "comments";
    char names[8][8];
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "t%zu", i);
        rows[i + 1][0] = "text";
        rows[i + 1][1] = names[i];
        rows[i + 1][2] = odd[i];
        rows[i + 1][3] = odd[i];
    }
    char *yaml = NULL;
    char *text = import_notes("odd", rows, n + 1, NULL, 0, &yaml);
    form *f = load_clean(yaml);
    ck_assert_uint_eq(f->nq, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(f->q[i].label[0], odd[i]);
    form_free(f);
    free(yaml);
    free(text);
}
END_TEST

/* A form with a key, an indicator list, meta, repeat bounds and a choice
 * attribute survives export and import. */
START_TEST(round_trip_khaosat_columns)
{
    static const char src[] =
        "form:\n  id: t\n  version: \"1\"\n  title: {vi: \"T\", en: \"T\"}\n"
        "  languages: [vi, en]\n  key: [k]\n"
        "choices:\n  l:\n    - value: \"a\"\n      label: {vi: \"A\", en: \"A\"}\n"
        "      zone: \"north\"\n"
        "questions:\n  - id: k\n    type: integer\n    label: {vi: \"K\", en: \"K\"}\n"
        "    indicator: [\"4.1\", C2]\n    meta: {need: \"household\", note: \"x: y\"}\n"
        "  - id: d\n    type: date\n    label: {vi: \"D\", en: \"D\"}\n"
        "    default: \"today()\"\n"
        "  - id: e\n    type: date\n    label: {vi: \"E\", en: \"E\"}\n"
        "    default: \"once(today())\"\n"
        "  - id: c\n    type: integer\n    label: {vi: \"C\", en: \"C\"}\n"
        "    default: \"${k}\"\n"
        "  - id: r\n    type: repeat\n    label: {vi: \"R\", en: \"R\"}\n"
        "    min: 1\n    max: 5\n    questions:\n"
        "      - id: s\n        type: select_one l\n        label: {vi: \"S\", en: \"S\"}\n"
        "        choice_filter: \"zone = 'north'\"\n        read_only: true\n"
        "        randomize: true\n        seed: \"${k}\"\n"
        "        required: \"${k} > 1\"\n        default: \"a\"\n";
    diag_list d;
    diag_init(&d);
    form *orig = form_load_string(src, strlen(src), "t.yaml", &d);
    ck_assert_uint_eq(d.n, 0);
    char *path = corpus_path("t");
    char *err = NULL;
    ck_assert_int_eq(xlsform_export(orig, path, &err), 0);
    char *yaml = import_ok(path, &d);
    ck_assert_uint_eq(d.n, 0);
    form *back = load_clean(yaml);
    ck_assert_uint_eq(back->nkey, 1);
    same_lists(orig, back);
    ck_assert_uint_eq(orig->nq, back->nq);
    for (size_t i = 0; i < orig->nq; i++)
        same_question(orig, &orig->q[i], back, &back->q[i]);
    ck_assert_int_eq(back->q[4].min_count, 1);
    ck_assert_int_eq(back->q[4].max_count, 5);
    ck_assert_str_eq(expr_source(back->q[1].default_expr), "today()");
    form_free(back);
    form_free(orig);
    free(yaml);
    free(path);
    diag_free(&d);
}
END_TEST

/* A text longer than a cell holds refuses the export, naming the
 * question, and writes no workbook; long Vietnamese that fits is kept
 * whole (the limit is in characters, not bytes). */
START_TEST(export_refuses_text_over_cell_limit)
{
    sbuf y;
    sbuf_init(&y);
    sbuf_add(&y, "form:\n  id: t\n  version: \"1\"\n  title: \"T\"\n  languages: [vi]\n"
                 "questions:\n  - id: fits\n    type: text\n    label: \"");
    for (int i = 0; i < 20000; i++)
        sbuf_add(&y, "\xc4\x83"); /* ă: 40000 bytes, 20000 characters */
    sbuf_add(&y, "\"\n  - id: big\n    type: text\n    label: \"L\"\n    hint: \"");
    for (int i = 0; i < 32768; i++)
        sbuf_addc(&y, 'a');
    sbuf_add(&y, "\"\n");
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(y.s, y.len, "t.yaml", &d);
    ck_assert_uint_eq(d.n, 0);
    char *path = corpus_path("long");
    char *err = NULL;
    ck_assert_int_eq(xlsform_export(f, path, &err), -1);
    char *want = xasprintf("%s: question 'big' has a text longer than the 32767 "
                           "characters a spreadsheet cell holds", path);
    ck_assert_str_eq(err, want);
    ck_assert_int_ne(access(path, F_OK), 0);
    free(want);
    free(err);
    err = NULL;
    /* One character less fits, and both texts come back whole. */
    f->q[1].hint[0][32767] = 0;
    ck_assert_int_eq(xlsform_export(f, path, &err), 0);
    char *yaml = import_ok(path, &d);
    form *back = load_clean(yaml);
    ck_assert_str_eq(back->q[0].label[0], f->q[0].label[0]);
    ck_assert_str_eq(back->q[1].hint[0], f->q[1].hint[0]);
    form_free(back);
    free(yaml);
    form_free(f);
    free(path);
    sbuf_free(&y);
    diag_free(&d);
}
END_TEST

/* ------------------------------------------------------------ hostile */

static const char wb_xml[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"%s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels_xml[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "</Relationships>";
static const char sheet_head[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<sheetData>";
static const char sheet_tail[] = "</sheetData></worksheet>";
static const char header_row[] =
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>type</t></is></c>"
    "<c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c></row>";

/* A zip at path holding the named parts (NULL-terminated name, text
 * pairs); shared is the content of xl/sharedStrings.xml when not NULL. */
static void write_zip(const char *path, const char *sheet_name, const char *rows,
                      const char *shared, size_t shared_len)
{
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    ck_assert_ptr_nonnull(z);
    char *wb = sheet_name ? xasprintf(wb_xml, sheet_name) : NULL;
    char *sheet = rows ? xasprintf("%s%s%s", sheet_head, rows, sheet_tail) : NULL;
    const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"};
    const char *texts[] = {wb, sheet_name ? rels_xml : NULL, sheet, shared};
    size_t lens[] = {wb ? strlen(wb) : 0, strlen(rels_xml), sheet ? strlen(sheet) : 0,
                     shared_len};
    for (int i = 0; i < 4; i++) {
        if (!texts[i])
            continue;
        zip_source_t *s = zip_source_buffer(z, texts[i], lens[i], 0);
        ck_assert_int_ge(zip_file_add(z, names[i], s, ZIP_FL_OVERWRITE), 0);
    }
    if (!sheet_name) {
        zip_source_t *s = zip_source_buffer(z, "hello", 5, 0);
        ck_assert_int_ge(zip_file_add(z, "readme.txt", s, ZIP_FL_OVERWRITE), 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
    free(wb);
    free(sheet);
}

/* Importing path fails with exactly "PATH: want" and produces nothing. */
static void refused(const char *path, const char *want)
{
    char *yaml = NULL, *err = NULL;
    diag_list notes;
    diag_init(&notes);
    ck_assert_int_eq(xlsform_import(path, &yaml, &notes, &err), -1);
    ck_assert_ptr_null(yaml);
    char *full = xasprintf("%s: %s", path, want);
    ck_assert_str_eq(err, full);
    free(full);
    free(err);
    diag_free(&notes);
}

START_TEST(hostile_not_a_workbook)
{
    char *path = corpus_path("hostile");
    FILE *fp = fopen(path, "w");
    fputs("type,name\ntext,a\n", fp);
    fclose(fp);
    refused(path, "not an .xlsx workbook (not a zip archive)");
    write_zip(path, NULL, NULL, NULL, 0);
    refused(path, "not an XLSForm workbook: part 'xl/workbook.xml' is missing");
    write_zip(path, "answers", header_row, NULL, 0);
    refused(path, "no 'survey' sheet with a header row; an XLSForm has survey, "
                  "choices and settings sheets");
    write_zip(path, "survey", "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>5</v></c></row>",
              NULL, 0);
    refused(path, "a cell names shared string '5', which does not exist");
    write_zip(path, "survey", "<row r=\"1\"><c r=\"A1\"", NULL, 0);
    refused(path, "part 'xl/worksheets/sheet1.xml' is not well-formed XML");
    write_zip(path, "survey", "<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>", NULL, 0);
    refused(path, "sheet 'survey' has a cell reference that is not valid");
    write_zip(path, "survey",
              "<row r=\"1\"><c r=\"AMK1\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
              NULL, 0);
    refused(path, "sheet 'survey' uses more than 1024 columns");
    free(path);
}
END_TEST

START_TEST(hostile_entities_refused)
{
    char *path = corpus_path("laughs");
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        "<sst><si><t>&c;</t></si></sst>";
    static const char entity[] =
        "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY a \"type\">]>"
        "<sst><si><t>&a;</t></si></sst>";
    write_zip(path, "survey", header_row, entity, strlen(entity));
    refused(path, "part 'xl/sharedStrings.xml' declares a DTD, which a workbook "
                  "never does");
    /* Exponential entities are stopped by libxml2 itself. */
    write_zip(path, "survey", header_row, laughs, strlen(laughs));
    refused(path, "part 'xl/sharedStrings.xml' is not well-formed XML");
    free(path);
}
END_TEST

START_TEST(hostile_sizes_bounded)
{
    char *path = corpus_path("big");
    /* Shared strings that would inflate past the bound: refused from the
     * size the zip declares, before anything is inflated. */
    size_t big = XLSX_MAX_PART + 4096;
    char *shared = xmalloc(big);
    memset(shared, ' ', big);
    memcpy(shared, "<sst>", 5);
    memcpy(shared + big - 6, "</sst>", 6);
    write_zip(path, "survey", header_row, shared, big);
    char *want = xasprintf("part 'xl/sharedStrings.xml' would inflate to %zu bytes "
                           "(at most %u are read)", big, XLSX_MAX_PART);
    refused(path, want);
    free(want);
    /* Within the size, but more strings than a workbook of forms has. */
    size_t n = XLSX_MAX_CELLS + 1, len = 5 + n * 5 + 6;
    ck_assert_uint_lt(len, XLSX_MAX_PART);
    char *p = shared;
    p += sprintf(p, "<sst>");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "<si/>");
    p += sprintf(p, "</sst>");
    write_zip(path, "survey", header_row, shared, (size_t)(p - shared));
    want = xasprintf("more than %u shared strings", XLSX_MAX_CELLS);
    refused(path, want);
    free(want);
    free(shared);
    free(path);
}
END_TEST

/* A zip whose directory lies about a part's size (a zip bomb): whatever the
 * header says, no more than the bound is inflated, and the file is
 * refused. */
START_TEST(hostile_lying_size)
{
    char *path = corpus_path("bomb");
    size_t big = XLSX_MAX_PART + 65536;
    char *rows = xmalloc(big + 1);
    memset(rows, ' ', big);
    rows[big] = '\0';
    memcpy(rows, header_row, strlen(header_row));
    write_zip(path, "survey", rows, NULL, 0);
    free(rows);
    /* Patch the uncompressed size of every entry, local and central. */
    size_t len = 0;
    unsigned char *z = (unsigned char *)util_read_file(path, &len);
    ck_assert_ptr_nonnull(z);
    int patched = 0;
    for (size_t i = 0; i + 46 < len; i++) {
        if (!memcmp(z + i, "PK\3\4", 4)) {
            memcpy(z + i + 22, "\x64\0\0\0", 4);
            patched++;
        } else if (!memcmp(z + i, "PK\1\2", 4)) {
            memcpy(z + i + 24, "\x64\0\0\0", 4);
            patched++;
        }
    }
    ck_assert_int_ge(patched, 2);
    FILE *fp = fopen(path, "wb");
    ck_assert_uint_eq(fwrite(z, 1, len, fp), len);
    fclose(fp);
    free(z);
    char *yaml = NULL, *err = NULL;
    diag_list notes;
    diag_init(&notes);
    ck_assert_int_eq(xlsform_import(path, &yaml, &notes, &err), -1);
    ck_assert_ptr_null(yaml);
    ck_assert_msg(!strncmp(err, path, strlen(path)), "%s", err);
    free(err);
    diag_free(&notes);
    free(path);
}
END_TEST

/* Excel writes characters XML cannot carry as _xHHHH_: CR LF becomes LF,
 * _x005F_ is a literal underscore, other control characters go with a
 * note naming the cell. */
START_TEST(corpus_excel_escapes)
{
    char *path = corpus_path("escapes");
    static const char rows[] =
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>type</t></is></c>"
        "<c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c>"
        "<c r=\"C1\" t=\"inlineStr\"><is><t>label</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>text</t></is></c>"
        "<c r=\"B2\" t=\"inlineStr\"><is><t>q</t></is></c>"
        "<c r=\"C2\" t=\"inlineStr\"><is><t>One_x000D__x000A_two_x000D_\nthree"
        "_x0007_ _x005F_x000D_ caf_x00e9_</t></is></c></row>";
    write_zip(path, "survey", rows, NULL, 0);
    diag_list d;
    diag_init(&d);
    char *yaml = import_ok(path, &d);
    size_t nsurvey = 0; /* the others are about the missing settings */
    for (size_t i = 0; i < d.n; i++)
        if (!strncmp(d.v[i].file, "survey", 6)) {
            ck_assert_str_eq(d.v[i].file, "survey!C2");
            ck_assert_str_eq(d.v[i].msg, "control character U+0007 removed");
            nsurvey++;
        }
    ck_assert_uint_eq(nsurvey, 1);
    form *f = load_clean(yaml);
    ck_assert_uint_eq(f->nq, 1);
    ck_assert_str_eq(f->q[0].label[0], "One\ntwo\nthree _x000D_ caf\xc3\xa9");
    form_free(f);
    free(yaml);
    free(path);
    diag_free(&d);
}
END_TEST

static Suite *xlsform_suite(void)
{
    Suite *s = suite_create("xlsform");
    TCase *tc = check_tcase(s, "round_trip", setup, teardown, 30);
    tcase_add_loop_test(tc, round_trip_bundled, 0, 4);
    tcase_add_test(tc, round_trip_khaosat_columns);
    tcase_add_test(tc, export_refuses_text_over_cell_limit);
    tc = check_tcase(s, "corpus", setup, teardown, 30);
    tcase_add_test(tc, corpus_every_feature);
    tcase_add_test(tc, corpus_one_language_no_settings);
    tcase_add_test(tc, corpus_structure_problems);
    tcase_add_test(tc, corpus_nesting_bound);
    tcase_add_test(tc, corpus_text_is_data);
    tcase_add_test(tc, corpus_excel_escapes);
    tcase_add_test(tc, corpus_or_other_name_taken);
    tc = check_tcase(s, "hostile", setup, teardown, 60);
    tcase_add_test(tc, hostile_not_a_workbook);
    tcase_add_test(tc, hostile_entities_refused);
    tcase_add_test(tc, hostile_sizes_bounded);
    tcase_add_test(tc, hostile_lying_size);
    return s;
}

/* For tests/cli_xlsform.sh: write OUT.xlsx with a sheet per NAME=FILE
 * argument, FILE holding tab-separated cells, a row per line. */
static int write_xlsx_from_tsv(int argc, char **argv)
{
    lxw_workbook *wb = workbook_new(argv[2]);
    for (int a = 3; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq)
            return 2;
        *eq = '\0';
        size_t len = 0;
        char *text = util_read_file(eq + 1, &len);
        if (!text)
            return 2;
        lxw_worksheet *ws = workbook_add_worksheet(wb, argv[a]);
        lxw_row_t row = 0;
        for (char *line = text, *next; *line; line = next, row++) {
            next = strchr(line, '\n');
            next = next ? (*next = '\0', next + 1) : line + strlen(line);
            lxw_col_t col = 0;
            for (char *cell = line, *tab; cell; cell = tab, col++) {
                tab = strchr(cell, '\t');
                if (tab)
                    *tab++ = '\0';
                if (*cell)
                    worksheet_write_string(ws, row, col, cell, NULL);
            }
        }
        free(text);
    }
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--write-xlsx"))
        return write_xlsx_from_tsv(argc, argv);
    return check_run(xlsform_suite());
}
