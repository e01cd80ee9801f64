/* setup.c: reading the commune's set-up files (small UTF-8 CSV files
 * written by hand or by a spreadsheet: an optional byte-order mark, quoted
 * fields, CRLF) and checking every row before anything is stored. */
#include "config.h"
#include <errno.h>
#include "session/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/canon.h"
#include "core/catalog.h"
#include "core/form.h"
#include "core/form_compare.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

/* The rows of a CSV file: cells[r][c], ncols[r]; line[r] its first line. */
typedef struct csv_rows {
    char ***cells;
    size_t *ncols, *line, n;
} csv_rows;

static void rows_free(csv_rows *t)
{
    for (size_t r = 0; r < t->n; r++) {
        for (size_t c = 0; c < t->ncols[r]; c++)
            free(t->cells[r][c]);
        free(t->cells[r]);
    }
    free(t->cells);
    free(t->ncols);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* Append a cell to the last row. */
static void rows_cell(csv_rows *t, sbuf *cell)
{
    size_t r = t->n - 1;
    t->cells[r] = xrealloc(t->cells[r], (t->ncols[r] + 1) * sizeof **t->cells);
    t->cells[r][t->ncols[r]++] = sbuf_detach(cell);
    sbuf_init(cell);
}

/* Start a row found at line. */
static void rows_start(csv_rows *t, size_t line)
{
    t->cells = xrealloc(t->cells, (t->n + 1) * sizeof *t->cells);
    t->ncols = xrealloc(t->ncols, (t->n + 1) * sizeof *t->ncols);
    t->line = xrealloc(t->line, (t->n + 1) * sizeof *t->line);
    t->cells[t->n] = NULL;
    t->ncols[t->n] = 0;
    t->line[t->n++] = line;
}

/* Parse the text of a CSV file; blank lines are skipped.  0, or -1 with
 * *err for an unterminated quote. */
static int csv_parse(const char *path, const char *s, size_t len,
                     csv_rows *t, char **err)
{
    size_t i = 0, line = 1;
    if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
        i = 3;
    sbuf cell;
    sbuf_init(&cell);
    while (i < len) {
        if (s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
            i += s[i] == '\r' ? 2 : 1;
            line++;
            continue;
        }
        rows_start(t, line);
        for (;;) {
            if (i < len && s[i] == '"') {
                size_t start = line;
                for (i++;; i++) {
                    if (i >= len) {
                        sbuf_free(&cell);
                        *err = xasprintf(_("%s:%zu: a quoted field is not "
                                           "closed"), path, start);
                        return -1;
                    }
                    if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
                        sbuf_addc(&cell, s[i++]);
                    else if (s[i] == '"')
                        break;
                    else {
                        line += s[i] == '\n';
                        sbuf_addc(&cell, s[i]);
                    }
                }
                i++;
            }
            while (i < len && s[i] != ',' && s[i] != '\n'
                   && !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
                sbuf_addc(&cell, s[i++]);
            rows_cell(t, &cell);
            if (i < len && s[i] == ',') {
                i++;
                continue;
            }
            break;
        }
    }
    sbuf_free(&cell);
    return 0;
}

/* Every cell valid UTF-8 without control characters (the file's leading
 * byte-order mark was skipped), then kept in NFC without the spaces
 * around it: 0, or -1 with *err naming path:line. */
static int cells_check(const char *path, csv_rows *t, char **err)
{
    for (size_t r = 0; r < t->n; r++)
        for (size_t c = 0; c < t->ncols[r]; c++) {
            char *v = t->cells[r][c];
            if (!ui_text_name_ok(v, strlen(v))) {
                char *shown = ui_text_safe(v, UI_TEXT_QUOTED);
                *err = xasprintf(_("%s:%zu: field %zu \"%s\" is not plain "
                                   "UTF-8 text (a control character, a "
                                   "byte-order mark or another encoding); "
                                   "save the file as CSV UTF-8"), path,
                                 t->line[r], c + 1, shown);
                free(shown);
                return -1;
            }
            t->cells[r][c] = canon_text(v);
            free(v);
        }
    return 0;
}

/* Read and parse path, checking its header names want[0..nwant) (the
 * last nopt of them optional).  0, or -1 with *err. */
static int csv_load(const char *path, const char *const *want, size_t nwant,
                    size_t nopt, csv_rows *t, char **err)
{
    memset(t, 0, sizeof *t);
    size_t len;
    char *text = util_read_file_max(path, 16L << 20, &len);
    if (!text) {
        *err = xasprintf(_("%s: cannot be read: %s"), path,
                         errno == EFBIG ? _("larger than 16 MB")
                                        : util_strerror(errno));
        return -1;
    }
    /* A NUL byte would end a cell early and hide what follows. */
    const char *nul = memchr(text, '\0', len);
    int rc = 0;
    if (nul) {
        size_t line = 1;
        for (const char *q = text; q < nul; q++)
            line += *q == '\n';
        *err = xasprintf(_("%s:%zu: a NUL byte; save the file as CSV UTF-8"),
                         path, line);
        rc = -1;
    }
    if (rc == 0)
        rc = csv_parse(path, text, len, t, err);
    free(text);
    if (rc == 0 && cells_check(path, t, err) != 0) {
        rows_free(t);
        return -1;
    }
    if (rc == 0 && t->n == 0) {
        *err = xasprintf(_("%s: empty; the first line names the "
                           "columns"), path);
        rc = -1;
    }
    for (size_t c = 0; rc == 0 && c < nwant; c++) {
        int have = c < t->ncols[0] && !strcmp(t->cells[0][c], want[c]);
        if (!have && !(c >= nwant - nopt && c >= t->ncols[0])) {
            *err = xasprintf(_("%s:1: column %zu must be \"%s\""), path,
                             c + 1, want[c]);
            rc = -1;
        }
    }
    if (rc == 0 && t->ncols[0] > nwant) {
        *err = xasprintf(_("%s:1: %zu columns; at most %zu"), path,
                         t->ncols[0], nwant);
        rc = -1;
    }
    for (size_t r = 1; rc == 0 && r < t->n; r++)
        if (t->ncols[r] != t->ncols[0]) {
            *err = xasprintf(_("%s:%zu: %zu fields where the header has %zu"),
                             path, t->line[r], t->ncols[r], t->ncols[0]);
            rc = -1;
        }
    if (rc != 0)
        rows_free(t);
    return rc;
}

/* Non-zero when s is n decimal digits exactly. */
static int digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int setup_editable(store *st, char **err)
{
    int office = 0;
    *err = NULL;
    if (store_setup_from_office(st, &office) != 0)
        *err = xstrdup(store_errmsg(st));
    else if (office)
        *err = xstrdup(_("the set-up of this laptop comes from its office: "
                         "ask the office to change it (khaosat setup "
                         "there), then merge the office's bundle here "
                         "(khaosat merge)"));
    return *err ? -1 : 0;
}

int setup_province_check(const char *provinces_csv, const char *province,
                         char **err)
{
    setup_province *pv;
    size_t np;
    if (setup_provinces(provinces_csv, &pv, &np, err) != 0)
        return -1;
    int found = 0;
    for (size_t r = 0; r < np && !found; r++)
        found = province && !strcmp(pv[r].code, province);
    setup_provinces_free(pv, np);
    if (found)
        return 0;
    char *shown = ui_text_safe(province, UI_TEXT_QUOTED);
    *err = xasprintf(_("province code \"%s\" is not in %s"), shown,
                     provinces_csv);
    free(shown);
    return -1;
}

int setup_province_known(const catalog *forms, const char *province,
                         char **err)
{
    char *path = setup_provinces_path(NULL, forms ? forms->dir : NULL);
    int rc = setup_province_check(path, province, err);
    free(path);
    return rc;
}

int setup_commune(store *st, const char *code, const char *name,
                  const char *province, const char *provinces_csv,
                  char **err)
{
    if (setup_editable(st, err) != 0)
        return -1;
    if (!code || !digits(code, 5)) {
        char *shown = ui_text_safe(code, UI_TEXT_QUOTED);
        *err = xasprintf(_("commune code \"%s\": five digits, as in the "
                           "list of administrative units"), shown);
        free(shown);
        return -1;
    }
    if (!name || !*name) {
        *err = xstrdup(_("the commune needs a name"));
        return -1;
    }
    if (setup_province_check(provinces_csv, province, err) != 0)
        return -1;
    const char *keys[3] = {STORE_SET_SETUP_CODE, STORE_SET_SETUP_NAME,
                           STORE_SET_SETUP_PROVINCE};
    const char *vals[3] = {code, name, province};
    char *old = NULL;
    int rc = store_begin(st);
    if (rc == 0)
        rc = store_setting_get(st, STORE_SET_SETUP_CODE, &old);
    /* A corrected code: what came under the old one follows it. */
    if (rc == 0)
        rc = store_setup_code_moved_tx(st, old, code);
    free(old);
    for (int i = 0; rc == 0 && i < 3; i++)
        rc = store_setting_set(st, keys[i], vals[i]);
    if (rc == 0)
        rc = store_commit(st);
    else
        store_rollback(st);
    if (rc != 0)
        *err = xstrdup(store_errmsg(st));
    return rc ? -1 : 0;
}

/* The rows being checked for repeated codes, sorted by code then row.
 * Codes are compared without regard to case: "a1" and "A1" read as the
 * same village to whoever types or reads them (codes are ASCII). */
static csv_rows *sorting;

static int by_code_then_row(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcasecmp(sorting->cells[x][0], sorting->cells[y][0]);
    return c ? c : (x > y) - (x < y);
}

/* The first row (in file order) whose code an earlier row has: 0 when
 * none, else that row with *first the earlier one.  By sorting, so that
 * a long list takes n log n, not n squared. */
static size_t repeated_code(csv_rows *t, size_t *first)
{
    size_t n = t->n - 1, best = 0;
    if (n < 2)
        return 0;
    size_t *ix = xcalloc(n, sizeof *ix);
    for (size_t i = 0; i < n; i++)
        ix[i] = i + 1;
    sorting = t;
    qsort(ix, n, sizeof *ix, by_code_then_row);
    sorting = NULL;
    for (size_t i = 1, run = 0; i < n; i++) {
        if (strcasecmp(t->cells[ix[i]][0], t->cells[ix[run]][0]) != 0)
            run = i;
        else if (i == run + 1 && (!best || ix[i] < best)) {
            best = ix[i];
            *first = ix[run];
        }
    }
    free(ix);
    return best;
}

/* Check village row r of path: 0, or -1 with *err. */
static int village_check(const char *path, const csv_rows *t, size_t r,
                         char **err)
{
    char **c = t->cells[r];
    char *code = ui_text_safe(c[0], UI_TEXT_QUOTED);
    if (!store_village_code_valid(c[0]))
        *err = xasprintf(_("%s:%zu: village code \"%s\": 1 to 10 letters, "
                           "digits, '-' or '_'"), path, t->line[r], code);
    else if (!*c[1])
        *err = xasprintf(_("%s:%zu: village %s has no name"), path,
                         t->line[r], code);
    else if (strlen(c[1]) > SETUP_MAX_NAME
             || (t->ncols[r] > 2 && strlen(c[2]) > SETUP_MAX_NAME))
        *err = xasprintf(_("%s:%zu: village %s: a name of more than %d "
                           "bytes, which the laptops refuse; shorten it"),
                         path, t->line[r], code, SETUP_MAX_NAME);
    free(code);
    return *err ? -1 : 0;
}

int setup_provinces(const char *provinces_csv, setup_province **out,
                    size_t *n, char **err)
{
    static const char *const cols[2] = {"code", "name"};
    csv_rows t;
    *out = NULL;
    *n = 0;
    if (csv_load(provinces_csv, cols, 2, 0, &t, err) != 0)
        return -1;
    setup_province *v = xcalloc(t.n, sizeof *v);
    for (size_t r = 1; r < t.n; r++)
        v[r - 1] = (setup_province){xstrdup(t.cells[r][0]),
                                    xstrdup(t.cells[r][1])};
    *out = v;
    *n = t.n - 1;
    rows_free(&t);
    return 0;
}

void setup_provinces_free(setup_province *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].code);
        free(v[i].name);
    }
    free(v);
}

char *setup_provinces_path(const char *list_opt, const char *forms_opt)
{
    if (list_opt)
        return xstrdup(list_opt);
    char *dir = catalog_default_dir(forms_opt);
    char *p = xasprintf("%s/provinces.csv", dir);
    free(dir);
    return p;
}

char *setup_province_name(const char *provinces_csv, const char *code)
{
    setup_province *pv;
    size_t np;
    char *err = NULL, *name = NULL;
    if (!code || setup_provinces(provinces_csv, &pv, &np, &err) != 0) {
        free(err);
        return NULL;
    }
    for (size_t r = 0; r < np && !name; r++)
        if (!strcmp(pv[r].code, code))
            name = xstrdup(pv[r].name);
    setup_provinces_free(pv, np);
    return name;
}

/* Refuse a list v[0..n) of path that drops a village interviews here
 * answer: those answers would no longer be codes of the list.  0, or -1
 * with *err. */
static int dropped_in_use(store *st, const char *path, const store_village *v,
                          size_t n, char **err)
{
    store_village_use u;
    int rc = store_village_dropped_in_use(st, v, n, &u);
    if (rc > 0)
        *err = xasprintf(_("%s: village %s (%s) is the answer of %ld "
                           "interview(s) in this database, and the file "
                           "drops it; keep it in the file (its name may "
                           "change)"), path, u.code, u.name, u.interviews);
    else if (rc < 0)
        *err = xasprintf("%s: %s", path, store_errmsg(st));
    store_village_use_clear(&u);
    return rc ? -1 : 0;
}

int setup_villages(store *st, const char *path, long *n, char **err)
{
    static const char *const cols[3] = {"code", "name", "enumerator"};
    csv_rows t;
    *n = 0;
    if (setup_editable(st, err) != 0 || csv_load(path, cols, 3, 1, &t, err))
        return -1;
    size_t first = 0, again;
    if (t.n < 2)
        *err = xasprintf(_("%s: no villages in the file (only its header); "
                           "the set-up keeps its villages"), path);
    else if (t.n - 1 > SETUP_MAX_VILLAGES)
        *err = xasprintf(_("%s: %zu villages, more than the %ld the laptops "
                           "accept"), path, t.n - 1, SETUP_MAX_VILLAGES);
    else if ((again = repeated_code(&t, &first)) != 0) {
        char *code = ui_text_safe(t.cells[again][0], UI_TEXT_QUOTED);
        char *was = ui_text_safe(t.cells[first][0], UI_TEXT_QUOTED);
        if (!strcmp(t.cells[again][0], t.cells[first][0]))
            *err = xasprintf(_("%s:%zu: village code %s is already used on "
                               "line %zu; codes must be unique"), path,
                             t.line[again], code, t.line[first]);
        else
            *err = xasprintf(_("%s:%zu: village code \"%s\" is code \"%s\" of "
                               "line %zu but for case; codes must be unique "
                               "whatever their case"), path, t.line[again],
                             code, was, t.line[first]);
        free(was);
        free(code);
    }
    int rc = *err ? -1 : 0;
    store_village *v = xcalloc(t.n, sizeof *v);
    for (size_t r = 1; rc == 0 && r < t.n; r++) {
        char **c = t.cells[r];
        rc = village_check(path, &t, r, err);
        v[r - 1] = (store_village){c[0], c[1],
                                   t.ncols[r] > 2 && *c[2] ? c[2] : NULL, 0};
    }
    if (rc == 0)
        rc = dropped_in_use(st, path, v, t.n - 1, err);
    if (rc == 0 && store_villages_replace(st, v, t.n - 1) != 0) {
        *err = xasprintf("%s: %s", path, store_errmsg(st));
        rc = -1;
    }
    if (rc == 0)
        *n = (long)t.n - 1;
    free(v);
    rows_free(&t);
    return rc;
}

int setup_households(store *st, const char *path, long *n, char **err)
{
    static const char *const cols[3] = {"village", "number", "head"};
    csv_rows t;
    *n = 0;
    if (setup_editable(st, err) != 0 || csv_load(path, cols, 3, 0, &t, err))
        return -1;
    store_household *h = xcalloc(t.n, sizeof *h);
    int rc = 0;
    for (size_t r = 1; rc == 0 && r < t.n; r++) {
        char **c = t.cells[r];
        if (!store_household_number_valid(c[1]))
            *err = xasprintf(_("%s:%zu: household number \"%s\": a whole "
                               "number from 1 to 9999"), path, t.line[r],
                             c[1]);
        else if (!*c[2])
            *err = xasprintf(_("%s:%zu: household %s has no head's name"),
                             path, t.line[r], c[1]);
        else if (strlen(c[2]) > SETUP_MAX_NAME)
            *err = xasprintf(_("%s:%zu: household %s: a head's name of more "
                               "than %d bytes, which the laptops refuse; "
                               "shorten it"), path, t.line[r], c[1],
                             SETUP_MAX_NAME);
        rc = *err ? -1 : 0;
        h[r - 1] = (store_household){c[0], c[1], c[2]};
    }
    size_t bad;
    if (rc == 0 && store_households_replace(st, h, t.n - 1, &bad) != 0) {
        /* The file and line of the row refused, as for every other. */
        if (bad < t.n - 1)
            *err = xasprintf("%s:%zu: %s", path, t.line[bad + 1],
                             store_errmsg(st));
        else
            *err = xasprintf("%s: %s", path, store_errmsg(st));
        rc = -1;
    }
    if (rc == 0)
        *n = (long)t.n - 1;
    free(h);
    rows_free(&t);
    return rc;
}

int setup_assign(store *st, const char *village, const char *enumerator,
                 char **err)
{
    if (setup_editable(st, err) != 0)
        return -1;
    char *name = NULL;
    if (enumerator && *enumerator) {
        if (!ui_text_name_ok(enumerator, strlen(enumerator))) {
            char *shown = ui_text_safe(enumerator, UI_TEXT_QUOTED);
            *err = xasprintf(_("enumerator \"%s\": not plain UTF-8 text (a "
                               "control character or another encoding)"),
                             shown);
            free(shown);
            return -1;
        }
        name = canon_text(enumerator);
        if (strlen(name) > SETUP_MAX_NAME) {
            *err = xasprintf(_("the enumerator's name is more than %d "
                               "bytes, which the laptops refuse; shorten "
                               "it"), SETUP_MAX_NAME);
            free(name);
            return -1;
        }
    }
    int rc = store_village_assign(st, village, name);
    if (rc != 0)
        *err = xstrdup(store_errmsg(st));
    free(name);
    return rc ? -1 : 0;
}

int setup_commune_get(store *st, setup_commune_info *out)
{
    memset(out, 0, sizeof *out);
    char **v[3] = {&out->code, &out->name, &out->province};
    const char *keys[3] = {STORE_SET_SETUP_CODE, STORE_SET_SETUP_NAME,
                           STORE_SET_SETUP_PROVINCE};
    for (int i = 0; i < 3; i++)
        if (store_setting_get(st, keys[i], v[i]) != 0) {
            setup_commune_info_clear(out);
            return -1;
        }
    return 0;
}

void setup_commune_info_clear(setup_commune_info *c)
{
    free(c->code);
    free(c->name);
    free(c->province);
    memset(c, 0, sizeof *c);
}

/* The enumerators' names being collected. */
typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static int name_add(void *ctx, const char *name)
{
    name_list *l = ctx;
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = xstrdup(name);
    return 0;
}

int setup_enumerators(store *st, char ***names, size_t *n, char **err)
{
    name_list l = {NULL, 0, 0};
    *names = NULL;
    *n = 0;
    if (store_enumerators_each(st, name_add, &l) != 0) {
        *err = xstrdup(store_errmsg(st));
        setup_names_free(l.v, l.n);
        return -1;
    }
    *names = l.v;
    *n = l.n;
    return 0;
}

void setup_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* The form version the office sent for id, loaded from the store, when it
 * differs from have; NULL otherwise. */
static form *office_version(store *st, const char *id, const char *have)
{
    char *key = xasprintf("office_form.%s", id), *version = NULL;
    int rc = store_setting_get(st, key, &version);
    free(key);
    /* The forms folder's own version when it is the same or newer. */
    if (rc != 0 || !version || (have && form_version_cmp(version, have) <= 0)) {
        free(version);
        return NULL;
    }
    store_form sf;
    form *f = NULL;
    if (store_load_form(st, id, version, &sf) == 0) {
        diag_list d;
        diag_init(&d);
        f = form_load_string(sf.source, sf.source_len, id, &d);
        if (f && d.n) {
            form_free(f);
            f = NULL;
        }
        diag_free(&d);
        store_form_clear(&sf);
    }
    free(version);
    return f;
}

int setup_forms_bind(store *st, catalog *cat)
{
    int rc = 0;
    for (size_t i = 0; cat && i < cat->n; i++) {
        form *office = office_version(st, cat->forms[i]->id,
                                      cat->forms[i]->version);
        if (office) {
            form_free(cat->forms[i]);
            cat->forms[i] = office;
        }
        if (store_setup_bind(st, cat->forms[i]) != 0)
            rc = -1;
    }
    return rc;
}

/* The set-up values expressions read with setup('name'). */
struct setup_values {
    char *name[5], *value[5];
    size_t n;
    expr_lists lists;
};

static long setup_values_rows(void *ctx, const char *list)
{
    const setup_values *v = ctx;
    return strcmp(list, EXPR_SETUP_LIST) ? -1 : (long)v->n;
}

static const char *setup_values_cell(void *ctx, const char *list, size_t row,
                                     const char *col)
{
    const setup_values *v = ctx;
    if (strcmp(list, EXPR_SETUP_LIST) || row >= v->n)
        return NULL;
    return !strcmp(col, "name") ? v->name[row]
         : !strcmp(col, "value") ? v->value[row] : NULL;
}

setup_values *setup_values_load(store *st)
{
    /* name, then the settings that give it, the first set winning. */
    static const char *const keys[][3] = {
        {"enumerator", STORE_SET_ENUMERATOR, NULL},
        {"enumerator_code", STORE_SET_ENUMERATOR_CODE, NULL},
        {"commune", STORE_SET_SETUP_NAME, STORE_SET_COMMUNE},
        {"commune_code", STORE_SET_SETUP_CODE, NULL},
        {"province_code", STORE_SET_SETUP_PROVINCE, NULL},
    };
    setup_values *v = xcalloc(1, sizeof *v);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        char *val = NULL;
        for (int k = 1; k < 3 && keys[i][k] && !val; k++)
            if (store_setting_get(st, keys[i][k], &val) || (val && !*val)) {
                free(val);
                val = NULL;
            }
        if (!val)
            continue;
        v->name[v->n] = xstrdup(keys[i][0]);
        v->value[v->n++] = val;
    }
    v->lists = (expr_lists){v, setup_values_rows, setup_values_cell};
    return v;
}

const expr_lists *setup_values_lists(const setup_values *v)
{
    return v ? &v->lists : NULL;
}

void setup_values_free(setup_values *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->name[i]);
        free(v->value[i]);
    }
    free(v);
}
