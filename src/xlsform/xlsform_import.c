/* xlsform_import.c: an XLSForm workbook as a khaosat YAML form: the
 * settings become the form section, the choices sheet the choice lists,
 * and the survey sheet (xlsform_survey.c) the questions. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/i18n.h"
#include "xlsform/xlsform.h"
#include "xlsform/xlsform_int.h"

char *xf_trim(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* The code point of an Excel escape _xHHHH_ at s, or -1 when s holds none. */
static long excel_escape_at(const char *s)
{
    if (s[0] != '_' || s[1] != 'x')
        return -1;
    for (int i = 2; i < 6; i++)
        if (!isxdigit((unsigned char)s[i]))
            return -1;
    if (s[6] != '_')
        return -1;
    return strtol((char[]){s[2], s[3], s[4], s[5], 0}, NULL, 16);
}

/* Decode the _xHHHH_ escapes Excel writes for characters XML cannot carry
 * (_x000D_ for CR above all), in place: _x005F_ is a literal _, CR LF
 * becomes LF, and other control characters are stripped with a note. */
static void decode_cell(diag_list *notes, const xlsx_sheet *sh, const xlsx_cell *c)
{
    char *in = c->text, *out = c->text;
    while (*in) {
        long cp = excel_escape_at(in);
        if (cp < 0) {
            *out++ = *in++;
            continue;
        }
        in += 7;
        if (cp == '\r' && (*in == '\n' || excel_escape_at(in) == '\n'))
            continue; /* the LF that follows stands for the pair */
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f ||
            (cp >= 0x80 && cp <= 0x9f) || !utf8proc_codepoint_valid((utf8proc_int32_t)cp)) {
            char *cell = xlsx_cell_name(c->row, c->col);
            char *where = xasprintf("%s!%s", sh->name, cell);
            diag_add(notes, where, 0, 0, _("control character U+%04lX removed"), cp);
            free(where);
            free(cell);
            continue;
        }
        /* UTF-8 of a code point below U+10000 is at most 3 bytes: never
         * longer than the 7 of its escape. */
        out += utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)out);
    }
    *out = 0;
}

/* Every cell of the book with its Excel escapes decoded. */
static void decode_book(diag_list *notes, xlsx_book *book)
{
    for (size_t i = 0; i < book->nsheets; i++)
        for (size_t j = 0; j < book->sheets[i].ncells; j++)
            decode_cell(notes, &book->sheets[i], &book->sheets[i].cells[j]);
}

/* The label of the "other" choice (or of its question) that or_other adds,
 * in language lang. */
static const char *other_text(const char *lang, int question)
{
    if (!strcmp(lang, "vi"))
        return question ? "Ghi rõ lựa chọn khác" : "Khác";
    return question ? "Specify other" : "Other";
}

void xf_write_text(xf_import *im, xf_sheet *s, xf_kind kind, const char *key,
                   int indent)
{
    const char **t = xcalloc(im->nlang, sizeof *t);
    int have = -1;
    for (size_t l = 0; l < im->nlang; l++) {
        t[l] = xf_get(s, kind, (int)l);
        if (t[l] && (have < 0 || (int)l == im->deflang))
            have = (int)l;
    }
    if (have >= 0) {
        xf_mark_kind(im, s, kind, have);
        sbuf_addf(&im->out, "%*s%s: {", indent, "", key);
        for (size_t l = 0; l < im->nlang; l++) {
            xf_mark_kind(im, s, kind, t[l] ? (int)l : have);
            if (!t[l]) {
                xf_note(im, s, (int)s->row, xf_col_of(s, kind, (int)l),
                        _("%s has no '%s' text; the '%s' one is used"), key,
                        im->langs[l], im->langs[have]);
            }
            char *text = xf_rewrite(&im->qnames, NULL, t[l] ? t[l] : t[have], 1);
            sbuf_addf(&im->out, "%s", l ? ", " : "");
            xf_yaml_key(&im->out, im->langs[l]);
            sbuf_add(&im->out, ": ");
            xf_yaml_str(&im->out, text);
            free(text);
        }
        sbuf_add(&im->out, "}\n");
    }
    free(t);
}

/* One choice of the current row of the choices sheet, in list list. */
static void write_choice(xf_import *im, const char *name)
{
    xf_sheet *s = &im->choices;
    xf_mark_kind(im, s, XK_NAME, -1);
    sbuf_add(&im->out, "    - value: ");
    xf_yaml_str(&im->out, name);
    sbuf_addc(&im->out, '\n');
    xf_write_text(im, s, XK_LABEL, "label", 6);
    for (size_t i = 0; i < s->nfilled; i++) {
        unsigned c = s->filled[i];
        if (s->cols[c].kind != XK_ATTR)
            continue;
        s->used[c] = 1;
        xf_mark_at(im, s, (int)s->row, c);
        const char *key = xf_names_get(&im->anames, s->cols[c].key);
        sbuf_addf(&im->out, "      %s: ", key);
        xf_yaml_str(&im->out, s->cell[c]);
        sbuf_addc(&im->out, '\n');
    }
    xf_report_unused(im, s);
}

/* The list and name of the current choice row (newly allocated), or -1
 * (noted) when either is missing. */
static int choice_row(xf_import *im, char **list, char **name, int note)
{
    xf_sheet *s = &im->choices;
    const char *l = xf_get(s, XK_LIST_NAME, -1), *n = xf_get(s, XK_NAME, -1);
    if (!l || !n) {
        if (note)
            xf_note(im, s, (int)s->row, 0,
                    _("a choice without list_name or name; left out"));
        return -1;
    }
    *list = xf_trim(l);
    *name = xf_trim(n);
    return 0;
}

/* The label or_other gives its choice (question 0) or its question (1),
 * in every language, as a YAML flow mapping. */
static void write_other_label(xf_import *im, int question)
{
    sbuf_add(&im->out, "{");
    for (size_t l = 0; l < im->nlang; l++) {
        sbuf_add(&im->out, l ? ", " : "");
        xf_yaml_key(&im->out, im->langs[l]);
        sbuf_add(&im->out, ": ");
        xf_yaml_str(&im->out, other_text(im->langs[l], question));
    }
    sbuf_add(&im->out, "}\n");
}

/* The "other" choice that or_other adds. */
static void write_other_choice(xf_import *im)
{
    sbuf_add(&im->out, "    - value: \"other\"\n      label: ");
    write_other_label(im, 0);
}

/* A choice row: its list (index in order of first appearance) and where
 * the row starts in the sheet. */
typedef struct choice_ref {
    size_t list, pos;
} choice_ref;

static int choice_ref_cmp(const void *x, const void *y)
{
    const choice_ref *a = x, *b = y;
    if (a->list != b->list)
        return a->list < b->list ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Write the choices of list (rows refs[i..j)), then its "other" choice
 * when or_other asks for one it lacks. */
static void write_list(xf_import *im, const char *list, const choice_ref *refs,
                       size_t n)
{
    xf_sheet *s = &im->choices;
    const char *nn = xf_names_get(&im->lnames, list);
    xf_sheet_seek(s, refs[0].pos);
    xf_sheet_next(s);
    xf_mark_kind(im, s, XK_LIST_NAME, -1);
    sbuf_add(&im->out, "  ");
    xf_yaml_key(&im->out, nn);
    sbuf_add(&im->out, ":\n");
    int has_other = 0;
    for (size_t i = 0; i < n; i++) {
        xf_sheet_seek(s, refs[i].pos);
        xf_sheet_next(s);
        char *l, *name;
        if (choice_row(im, &l, &name, 0))
            continue;
        if (i == 0 && strcmp(nn, list))
            xf_note(im, s, (int)s->row, xf_col_of(s, XK_LIST_NAME, -1),
                    _("list '%s' is written '%s'"), list, nn);
        has_other |= !strcmp(name, "other");
        write_choice(im, name);
        free(l);
        free(name);
    }
    if (!has_other && xf_names_has(&im->other_lists, list))
        write_other_choice(im);
}

void xf_write_choices(xf_import *im)
{
    xf_sheet *s = &im->choices;
    xf_names lists = {0};
    choice_ref *refs = NULL;
    size_t n = 0, cap = 0;
    xf_sheet_rewind(s);
    for (size_t pos = xf_sheet_tell(s); xf_sheet_next(s); pos = xf_sheet_tell(s)) {
        char *list, *name;
        if (choice_row(im, &list, &name, 1))
            continue;
        xf_names_add(&lists, list);
        refs = util_grow(refs, &cap, n + 1, sizeof *refs);
        /* Lists are numbered in order of first appearance. */
        refs[n++] = (choice_ref){(size_t)xf_names_index(&lists, list), pos};
        free(list);
        free(name);
    }
    qsort(refs, n, sizeof *refs, choice_ref_cmp);
    if (lists.n)
        sbuf_add(&im->out, "\nchoices:\n");
    for (size_t i = 0, j = 0; i < n; i = j) {
        while (j < n && refs[j].list == refs[i].list)
            j++;
        write_list(im, lists.old[refs[i].list], refs + i, j - i);
    }
    free(refs);
    xf_names_free(&lists);
}

/* The text question or_other adds after select name, at indent. */
void xf_write_other_question(xf_import *im, const char *name, int indent)
{
    char *id = xasprintf("%s_other", name);
    char *key = xf_other_key(name);
    const char *given = xf_names_get(&im->qnames, key);
    if (given)
        xf_note(im, &im->survey, (int)im->survey.row, xf_col_of(&im->survey, XK_TYPE, -1),
                _("the 'other' question of '%s' is named '%s': '%s' is a question "
                  "already"), name, given, id);
    else
        given = xf_names_get(&im->qnames, id);
    xf_mark_kind(im, &im->survey, XK_TYPE, -1);
    sbuf_addf(&im->out, "%*s- id: %s\n%*s  type: text\n%*s  label: ", indent,
              "", given, indent, "", indent, "");
    free(key);
    write_other_label(im, 1);
    sbuf_addf(&im->out, "%*s  relevant: \"selected(${%s}, 'other')\"\n",
              indent, "", xf_names_get(&im->qnames, name));
    free(id);
}

/* The settings row's cell of this kind, trimmed (newly allocated) or NULL. */
static char *setting(xf_import *im, xf_kind kind)
{
    const char *v = xf_get(&im->settings, kind, -1);
    return v ? xf_trim(v) : NULL;
}

/* The default language from settings, or the first one; "vi" when the
 * workbook names none at all. */
static void settle_languages(xf_import *im)
{
    char *dl = setting(im, XK_DEFAULT_LANG);
    char *code = dl ? xf_lang_code(dl, NULL) : NULL;
    if (dl && !code)
        xf_note(im, &im->settings, (int)im->settings.row, 0,
                _("language '%s' has no code; write it as '%s (xx)' with its "
                  "two-letter code"), dl, dl);
    if (code)
        im->deflang = xf_lang_add(im, code);
    else if (im->nlang == 0 || im->lang_pending)
        /* Texts without a language are Vietnamese unless settings say
         * otherwise, even beside columns that name theirs. */
        im->deflang = xf_lang_add(im, "vi");
    else
        im->deflang = 0;
    if (im->lang_pending && !code)
        xf_note(im, &im->settings, -1, 0,
                _("texts written without a language are taken as '%s'; name "
                  "it in default_language"), im->langs[im->deflang]);
    free(code);
    free(dl);
    xf_resolve_columns(im, &im->survey);
    xf_resolve_columns(im, &im->choices);
    xf_resolve_columns(im, &im->settings);
}

/* The form's id: form_id made a khaosat id, else the file's name. */
static char *form_id(xf_import *im)
{
    char *id = setting(im, XK_FORM_ID);
    char *raw = xstrdup(id);
    if (!id) {
        const char *base = strrchr(im->path, '/');
        base = base ? base + 1 : im->path;
        const char *dot = strrchr(base, '.');
        id = xstrndup(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
        xf_note(im, &im->settings, -1, 0,
                _("no form_id; the form is called after the file"));
    }
    for (char *p = id; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *clean = xf_name_clean(id);
    for (char *p = clean; *p; p++)  /* Đ became D */
        *p = (char)tolower((unsigned char)*p);
    if (clean[0] == '_') {
        /* A form id starts with a letter. */
        char *f = xasprintf("f%s", clean);
        free(clean);
        clean = f;
    }
    if (raw && strcmp(clean, raw))
        xf_note(im, &im->settings, (int)im->settings.row,
                xf_col_of(&im->settings, XK_FORM_ID, -1),
                _("form_id '%s' is written '%s'"), raw, clean);
    free(raw);
    free(id);
    return clean;
}

/* The title in every language: khaosat_title_CODE, else form_title. */
static void write_title(xf_import *im, const char *id)
{
    char *plain = setting(im, XK_FORM_TITLE);
    sbuf_add(&im->out, "  title: {");
    for (size_t l = 0; l < im->nlang; l++) {
        const char *t = xf_get(&im->settings, XK_TITLE, (int)l);
        char *tt = t ? xf_trim(t) : NULL;
        if (!tt && (int)l != im->deflang)
            xf_note(im, &im->settings, -1, 0,
                    _("no '%s' title (khaosat_title_%s); form_title is used"),
                    im->langs[l], im->langs[l]);
        sbuf_add(&im->out, l ? ", " : "");
        xf_yaml_key(&im->out, im->langs[l]);
        sbuf_add(&im->out, ": ");
        xf_yaml_str(&im->out, tt ? tt : plain ? plain : id);
        free(tt);
    }
    sbuf_add(&im->out, "}\n");
    free(plain);
}

/* The form section. */
static void write_form(xf_import *im)
{
    char *id = form_id(im), *version = setting(im, XK_VERSION);
    xf_sheet *st = &im->settings;
    xf_mark_at(im, st, -1, 0);
    sbuf_add(&im->out, "form:\n");
    if (xf_get(st, XK_FORM_ID, -1))
        xf_mark_kind(im, st, XK_FORM_ID, -1);
    sbuf_addf(&im->out, "  id: %s\n", id);
    xf_mark_at(im, st, -1, 0);
    if (version)
        xf_mark_kind(im, st, XK_VERSION, -1);
    sbuf_add(&im->out, "  version: ");
    if (!version)
        xf_note(im, &im->settings, -1, 0, _("no version; \"1\" is used"));
    xf_yaml_str(&im->out, version ? version : "1");
    sbuf_addc(&im->out, '\n');
    xf_mark_at(im, st, -1, 0);
    write_title(im, id);
    xf_mark_at(im, st, -1, 0);
    sbuf_add(&im->out, "  languages: [");
    for (size_t l = 0; l < im->nlang; l++) {
        sbuf_add(&im->out, l ? ", " : "");
        xf_yaml_key(&im->out, im->langs[l]);
    }
    sbuf_add(&im->out, "]\n  default_language: ");
    xf_yaml_key(&im->out, im->langs[im->deflang]);
    sbuf_addc(&im->out, '\n');
    char *key = setting(im, XK_KEY);
    if (key) {
        xf_mark_kind(im, st, XK_KEY, -1);
        sbuf_add(&im->out, "  key: [");
        int n = 0;
        for (char *tok = strtok(key, " ,"); tok; tok = strtok(NULL, " ,")) {
            const char *nn = xf_names_get(&im->qnames, tok);
            sbuf_add(&im->out, n++ ? ", " : "");
            xf_yaml_key(&im->out, nn ? nn : tok);
        }
        sbuf_add(&im->out, "]\n");
    }
    free(key);
    const char *name = xf_get(st, XK_INSTANCE_NAME, -1);
    if (name) {
        xf_mark_kind(im, st, XK_INSTANCE_NAME, -1);
        char *e = xf_rewrite(&im->qnames, NULL, name, 0);
        sbuf_add(&im->out, "  instance_name: ");
        xf_yaml_str(&im->out, e);
        sbuf_addc(&im->out, '\n');
        free(e);
    }
    free(version);
    free(id);
}

/* Free what the import holds, not the notes or the YAML. */
static void import_free(xf_import *im)
{
    xf_sheet_free(&im->survey);
    xf_sheet_free(&im->choices);
    xf_sheet_free(&im->settings);
    xf_names_free(&im->qnames);
    xf_names_free(&im->lnames);
    xf_names_free(&im->anames);
    for (size_t i = 0; i < im->nlang; i++)
        free(im->langs[i]);
    free(im->langs);
    xf_names_free(&im->other_lists);
}

int xlsform_import(const char *path, char **yaml, diag_list *notes, char **err)
{
    return xlsform_import_mapped(path, yaml, NULL, notes, err);
}

int xlsform_import_mapped(const char *path, char **yaml, xlsform_map **map,
                          diag_list *notes, char **err)
{
    *yaml = NULL;
    if (map)
        *map = NULL;
    *err = NULL;
    xlsx_book book;
    if (xlsx_read(path, &book, err))
        return -1;
    decode_book(notes, &book);
    const xlsx_sheet *survey = xlsx_sheet_find(&book, "survey");
    if (!survey || !survey->ncells) {
        *err = xasprintf(_("%s: no 'survey' sheet with a header row; an XLSForm "
                           "has survey, choices and settings sheets"), path);
        xlsx_book_free(&book);
        return -1;
    }
    xf_import im;
    memset(&im, 0, sizeof im);
    im.path = path;
    im.notes = notes;
    xf_sheet_init(&im.settings, xlsx_sheet_find(&book, "settings"), "settings");
    xf_sheet_init(&im.survey, survey, "survey");
    xf_sheet_init(&im.choices, xlsx_sheet_find(&book, "choices"), "choices");
    xf_read_headers(&im, &im.settings);
    xf_read_headers(&im, &im.survey);
    xf_read_headers(&im, &im.choices);
    xf_sheet_next(&im.settings);
    settle_languages(&im);
    xf_survey_names(&im);
    sbuf_init(&im.out);
    sbuf_addf(&im.out, "# %s\n", _("Imported from an XLSForm by khaosat import-xlsform."));
    write_form(&im);
    xf_report_unused(&im, &im.settings);
    if (xf_sheet_next(&im.settings))
        xf_note(&im, &im.settings, (int)im.settings.row, 0,
                _("only the first row of settings is read"));
    xf_write_choices(&im);
    xf_write_survey(&im);
    import_free(&im);
    xlsx_book_free(&book);
    if (im.fatal) {
        *err = xasprintf("%s: %s", path, im.fatal);
        free(im.fatal);
        sbuf_free(&im.out);
        free(im.map.v);
        return -1;
    }
    *yaml = sbuf_detach(&im.out);
    if (map) {
        *map = xmalloc(sizeof **map);
        **map = im.map;
    } else {
        free(im.map.v);
    }
    return 0;
}
