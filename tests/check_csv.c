/* check_csv.c: CSV export round trip: hostile values (commas, quotes, line
 * breaks, Vietnamese text, formula-like text) written by the export and
 * read back by a small RFC 4180 reader here, repeats joined by keys. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/catalog.h"
#include "check_main.h"
#include "report/csv.h"
#include "report/report.h"
#include "session/session.h"
#include "store/store.h"
#include "core/util.h"

static const char form_yaml[] =
    "form:\n"
    "  id: tcsv\n"
    "  version: \"1\"\n"
    "  title: {vi: \"Thử\", en: \"Test\"}\n"
    "  languages: [vi, en]\n"
    "choices:\n"
    "  crops:\n"
    "    - {value: rice, label: {vi: \"Lúa\", en: \"Rice, paddy\"}}\n"
    "    - {value: tea, label: {vi: \"Chè\", en: \"Tea\"}}\n"
    "    - {value: fish, label: {vi: \"Cá\", en: \"Fish\"}}\n"
    "questions:\n"
    "  - id: name\n"
    "    type: text\n"
    "    label: {vi: Tên, en: Name}\n"
    "  - id: note\n"
    "    type: text\n"
    "    multiline: true\n"
    "    label: {vi: Ghi chú, en: Note}\n"
    "  - id: formula\n"
    "    type: text\n"
    "    label: {vi: Công thức, en: Formula}\n"
    "  - id: delta\n"
    "    type: integer\n"
    "    label: {vi: Chênh lệch, en: Difference}\n"
    "  - id: sec\n"
    "    type: group\n"
    "    label: {vi: Nhóm, en: Group}\n"
    "    questions:\n"
    "      - id: crops\n"
    "        type: select_multiple crops\n"
    "        label: {vi: Cây trồng, en: Crops}\n"
    "      - id: twice\n"
    "        type: calculate\n"
    "        calculation: \"${delta} * 2\"\n"
    "  - id: plots\n"
    "    type: repeat\n"
    "    label: {vi: Thửa, en: Plots}\n"
    "    questions:\n"
    "      - id: plot_name\n"
    "        type: text\n"
    "        label: {vi: Tên thửa, en: Plot name}\n";

static char *tmpdir;

static void setup(void)
{
    tmpdir = check_tmpdir_new("check_csv");
}

static void teardown(void)
{
    check_tmpdir_free(tmpdir);
}

/* ------------------------------------------------------------ a reader */

/* A parsed CSV file: rows of cells. */
typedef struct table {
    char ***rows;
    size_t *ncells;
    size_t nrows;
} table;

/* Parse RFC 4180 text (CRLF or LF records, quoted fields). */
static table parse_csv(const char *s)
{
    table t = {NULL, NULL, 0};
    sbuf cell;
    sbuf_init(&cell);
    char **row = NULL;
    size_t n = 0;
    int quoted = 0, any = 0;
    for (;; s++) {
        if (quoted) {
            ck_assert_msg(*s, "unterminated quoted field");
            if (*s == '"' && s[1] == '"') {
                sbuf_addc(&cell, '"');
                s++;
            } else if (*s == '"') {
                quoted = 0;
            } else {
                sbuf_addc(&cell, *s);
            }
            continue;
        }
        if (*s == '"') {
            quoted = 1;
            any = 1;
        } else if (*s == ',' || *s == '\r' || *s == '\n' || !*s) {
            if (*s == '\r') {
                ck_assert_int_eq(s[1], '\n');
                s++;
            }
            if (!*s && !any && !n)
                break;
            row = xrealloc(row, (n + 1) * sizeof *row);
            row[n++] = sbuf_detach(&cell);
            any = 0;
            if (*s != ',') {
                t.rows = xrealloc(t.rows, (t.nrows + 1) * sizeof *t.rows);
                t.ncells = xrealloc(t.ncells, (t.nrows + 1) * sizeof *t.ncells);
                t.rows[t.nrows] = row;
                t.ncells[t.nrows++] = n;
                row = NULL;
                n = 0;
                if (!*s)
                    break;
            }
        } else {
            sbuf_addc(&cell, *s);
            any = 1;
        }
    }
    sbuf_free(&cell);
    return t;
}

static void table_free(table *t)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncells[r]; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    free(t->ncells);
}

/* Cell of column name in row r (NULL when there is no such column). */
static const char *cell(const table *t, size_t r, const char *name)
{
    for (size_t c = 0; c < t->ncells[0]; c++)
        if (!strcmp(t->rows[0][c], name))
            return c < t->ncells[r] ? t->rows[r][c] : NULL;
    return NULL;
}

/* Read and parse a file of the export. */
static table read_table(const char *name, int *bom)
{
    char *path = xasprintf("%s/out/%s", tmpdir, name);
    size_t len;
    char *text = util_read_file(path, &len);
    ck_assert_msg(text != NULL, "%s missing", path);
    *bom = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3);
    table t = parse_csv(text + (*bom ? 3 : 0));
    for (size_t r = 1; r < t.nrows; r++)
        ck_assert_uint_eq(t.ncells[r], t.ncells[0]);
    free(text);
    free(path);
    return t;
}

/* ------------------------------------------------------------ the data */

/* A multi-line answer keeps its line break (\r\n is kept as \n, as the
 * screen writes it). */
static const char hostile_note[] = "one, two \"quoted\"\nnext line";

/* Write the form, one interview with hostile answers, and export it. */
static void export(int labels, int bom)
{
    char *fdir = xasprintf("%s/forms", tmpdir);
    char *fpath = xasprintf("%s/tcsv.yaml", fdir);
    char *odir = xasprintf("%s/out", tmpdir);
    char *db = xasprintf("%s/t.db", tmpdir);
    ck_assert_int_eq(mkdir(fdir, 0700) == 0 || access(fdir, F_OK) == 0, 1);
    ck_assert_int_eq(mkdir(odir, 0700) == 0 || access(odir, F_OK) == 0, 1);
    FILE *f = fopen(fpath, "w");
    fputs(form_yaml, f);
    fclose(f);
    diag_list d;
    diag_init(&d);
    catalog *cat = catalog_load(fdir, &d);
    ck_assert_uint_eq(d.n, 0);
    diag_free(&d);
    const form *fm = catalog_find(cat, "tcsv", NULL);
    ck_assert_ptr_nonnull(fm);
    if (access(db, F_OK) != 0) {
        store *st = NULL;
        char *err = NULL;
        ck_assert_int_eq(store_open(db, &st, &err), 0);
        session *s = NULL;
        ck_assert_int_eq(session_new(st, fm, "=cmd|' /C calc'!A0", 0, &s, &err), 0);
        inst *in = session_inst(s);
        inst_frame *root = inst_root(in);
        const struct { const char *q, *v; } answers[] = {
            {"name", "Nguyễn Thị Ánh, thôn Đông"}, {"note", hostile_note},
            {"formula", "=HYPERLINK(\"http://x\")"}, {"delta", "-5"},
            {"crops", "rice fish"}};
        for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
            session_item it = {form_find(fm, answers[i].q), root};
            ck_assert_int_eq(session_answer(s, it, answers[i].v, NULL), INST_OK);
        }
        session_item roster = {form_find(fm, "plots"), root};
        for (int k = 0; k < 2; k++) {
            inst_frame *fr = NULL;
            ck_assert_int_eq(session_repeat_add(s, roster, &fr), 0);
            session_item it = {form_find(fm, "plot_name"), fr};
            ck_assert_int_eq(session_answer(s, it, k ? "@sum" : "Ruộng \"Bờ\"",
                                            NULL), INST_OK);
        }
        ck_assert_int_eq(session_finalise(s), 0);
        session_free(s);
        store_close(st);
    }
    rscan *sc = NULL;
    char *err = NULL;
    ck_assert_int_eq(rscan_open(db, &sc, &err), 0);
    csv_opts o = {odir, labels, bom, "en", 0};
    csv_summary sum = {NULL, 0, 0};
    ck_assert_int_eq(csv_export(sc, cat, &o, &sum, &err), 0);
    ck_assert_uint_eq(sum.n, 2);
    csv_summary_free(&sum);
    rscan_close(sc);
    catalog_free(cat);
    free(fdir);
    free(fpath);
    free(odir);
    free(db);
}

START_TEST(hostile_values_round_trip)
{
    export(0, 0);
    int bom;
    table t = read_table("tcsv.csv", &bom);
    ck_assert(!bom);
    ck_assert_uint_eq(t.nrows, 2);
    /* Commas, quotes and CR/LF come back exactly; Vietnamese stays UTF-8. */
    ck_assert_str_eq(cell(&t, 1, "name"), "Nguyễn Thị Ánh, thôn Đông");
    ck_assert_str_eq(cell(&t, 1, "note"), hostile_note);
    /* Formula-like text is neutralised; a negative number is not. */
    ck_assert_str_eq(cell(&t, 1, "formula"), "'=HYPERLINK(\"http://x\")");
    ck_assert_str_eq(cell(&t, 1, "delta"), "-5");
    ck_assert_str_eq(cell(&t, 1, "twice"), "-10");
    ck_assert_str_eq(cell(&t, 1, "_enumerator"), "'=cmd|' /C calc'!A0");
    /* select_multiple: codes, and one 0/1 column per choice. */
    ck_assert_str_eq(cell(&t, 1, "crops"), "rice fish");
    ck_assert_str_eq(cell(&t, 1, "crops/rice"), "1");
    ck_assert_str_eq(cell(&t, 1, "crops/tea"), "0");
    ck_assert_str_eq(cell(&t, 1, "crops/fish"), "1");
    ck_assert_str_eq(cell(&t, 1, "status"), "complete");
    /* Groups are flattened: no column for the group itself. */
    ck_assert_ptr_null(cell(&t, 1, "sec"));
    char *key = xstrdup(cell(&t, 1, "KEY"));
    ck_assert_str_eq(key, cell(&t, 1, "uuid"));
    table_free(&t);
    /* The repeat file: one row per instance, joined by PARENT_KEY. */
    t = read_table("tcsv-plots.csv", &bom);
    ck_assert_uint_eq(t.nrows, 3);
    ck_assert_str_eq(cell(&t, 1, "plot_name"), "Ruộng \"Bờ\"");
    ck_assert_str_eq(cell(&t, 2, "plot_name"), "'@sum");
    ck_assert_str_eq(cell(&t, 1, "PARENT_KEY"), key);
    ck_assert_str_eq(cell(&t, 2, "position"), "2");
    char *k2 = xasprintf("%s/plots[2]", key);
    ck_assert_str_eq(cell(&t, 2, "KEY"), k2);
    free(k2);
    free(key);
    table_free(&t);
}
END_TEST

START_TEST(labels_and_bom)
{
    export(1, 1);
    int bom;
    table t = read_table("tcsv.csv", &bom);
    ck_assert(bom);
    ck_assert_str_eq(cell(&t, 1, "crops"), "Rice, paddy; Fish");
    ck_assert_str_eq(cell(&t, 1, "crops/fish"), "1");
    table_free(&t);
}
END_TEST

START_TEST(field_quoting)
{
    sbuf b;
    sbuf_init(&b);
    csv_add_field(&b, "plain", 1);
    sbuf_addc(&b, '|');
    csv_add_field(&b, "-3", 0);
    sbuf_addc(&b, '|');
    csv_add_field(&b, "-3", 1);
    sbuf_addc(&b, '|');
    csv_add_field(&b, "\tx", 1);
    sbuf_addc(&b, '|');
    csv_add_field(&b, "a\"b", 0);
    ck_assert_str_eq(b.s, "plain|-3|\"'-3\"|\"'\tx\"|\"a\"\"b\"");
    sbuf_free(&b);
    ck_assert(csv_is_formula("+1"));
    ck_assert(!csv_is_formula("1+"));
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = check_tcase(s, "core", setup, teardown, 0);
    tcase_add_test(tc, hostile_values_round_trip);
    tcase_add_test(tc, labels_and_bom);
    tcase_add_test(tc, field_quoting);
    return s;
}

int main(void)
{
    return check_run(csv_suite());
}
