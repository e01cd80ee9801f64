/* form_load.c: the YAML node tree (form_yaml.c) -> the form model,
 * reporting structural errors. Question references are resolved in
 * form_check.c. */
#include "config.h"
#include "core/form.h"
#include "core/form_int.h"
#include "core/form_load_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"

/* Copy scalar n's value, or report that a scalar was expected for key. */
char *form_load_scalar(loader *L, const ynode *n, const char *key)
{
    if (n->kind != YN_SCALAR) {
        form_diag(L->f, L->d, AT(n), _("'%s' must be a single value"), key);
        return NULL;
    }
    return xstrndup(n->str, n->len);
}

/* Non-zero when s is a name: a letter or _, then letters, digits or _. */
int form_load_is_name(const char *s, int lower_only)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++) {
        int ok = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
                 *s == '_' || (!lower_only && *s >= 'A' && *s <= 'Z');
        if (!ok)
            return 0;
    }
    return 1;
}

/* A boolean written as true/false or yes/no: 1 or 0, else -1. */
static int parse_bool(const ynode *n)
{
    static const char *const yes[] = {"true", "yes"}, *const no[] = {"false", "no"};
    if (n->kind != YN_SCALAR)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (!strcasecmp(n->str, yes[i]))
            return 1;
        if (!strcasecmp(n->str, no[i]))
            return 0;
    }
    return -1;
}

/* Find the known keys of mapping n: vals[k] is the value of keys[k], or
 * NULL. Unknown and repeated keys are reported; where names the level. */
static void map_keys(loader *L, const ynode *n, const char *const *keys,
                     size_t nkeys, const ynode **vals, const char *where)
{
    for (size_t k = 0; k < nkeys; k++)
        vals[k] = NULL;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const ynode *key = n->kids[i];
        if (key->kind != YN_SCALAR) {
            form_diag(L->f, L->d, AT(key), _("a key must be a plain name"));
            continue;
        }
        size_t k = 0;
        while (k < nkeys && strcmp(keys[k], key->str))
            k++;
        if (k == nkeys)
            form_unknown_key(L->f, L->d, AT(key), key->str, keys, nkeys,
                             where);
        else if (vals[k])
            form_diag(L->f, L->d, AT(key), _("duplicate key '%s'"), key->str);
        else
            vals[k] = n->kids[i + 1];
    }
}

/* Record every ${name} written in text s (scalar node n) as a reference
 * of question q to resolve later. */
static void scan_interpolations(loader *L, const ynode *n, const char *s,
                                int q)
{
    form_priv *pv = L->f->priv;
    int ccol = 1;
    for (const char *p = s; *p; p++) {
        if (p[0] == '$' && p[1] == '{') {
            const char *b = p + 2, *e = b;
            while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') ||
                   (*e >= '0' && *e <= '9') || *e == '_')
                e++;
            if (*e == '}' && e > b)
                form_pending_add(&pv->texts, &pv->ntexts, &pv->texts_cap, q,
                                 b, (size_t)(e - b), n->loc.line,
                                 form_loc_column(L->f, &n->loc, ccol));
        }
        if (((unsigned char)*p & 0xC0) != 0x80)
            ccol++;
    }
}

/* Report each declared language t lacks. */
static void check_translations(loader *L, const ynode *n, form_text t)
{
    if (!L->f->priv->lang_known)
        return;
    for (size_t i = 0; i < L->f->nlang; i++)
        if (!t[i])
            form_diag(L->f, L->d, AT(n), _("missing '%s' translation"),
                      L->f->languages[i]);
}

/* A text: a plain string in the default language, or a map from language
 * code to string. q is the question it belongs to (-1 for none). */
form_text form_load_text(loader *L, const ynode *n, int q)
{
    form *f = L->f;
    form_text t = xcalloc(f->nlang, sizeof *t);
    if (n->kind == YN_SCALAR) {
        t[f->default_lang] = xstrndup(n->str, n->len);
        scan_interpolations(L, n, n->str, q);
    } else if (n->kind == YN_MAP) {
        for (size_t i = 0; i + 1 < n->n; i += 2) {
            const ynode *k = n->kids[i], *v = n->kids[i + 1];
            int lang = k->kind == YN_SCALAR ? form_lang(f, k->str) : -1;
            if (lang < 0 && !f->priv->lang_known)
                lang = 0;
            if (lang < 0) {
                form_diag(f, L->d, AT(k), _("'%s' is not one of the form's languages"),
                          k->kind == YN_SCALAR ? k->str : "?");
            } else if (v->kind != YN_SCALAR) {
                form_diag(f, L->d, AT(v), _("a translation must be a string"));
            } else if (t[lang] && f->priv->lang_known) {
                form_diag(f, L->d, AT(k), _("duplicate key '%s'"), k->str);
            } else if (!t[lang]) {
                t[lang] = xstrndup(v->str, v->len);
                scan_interpolations(L, v, v->str, q);
            }
        }
    } else {
        form_diag(f, L->d, AT(n),
                  _("a text must be a string or a map from language to string"));
        return t;
    }
    check_translations(L, n, t);
    return t;
}

/* Append an attribute. */
void form_load_attr(form_attr **v, size_t *n, const char *key, char *val)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n].key = xstrdup(key);
    (*v)[*n].value = val;
    (*n)++;
}

enum qkey {
    QK_ID, QK_TYPE, QK_LABEL, QK_HINT, QK_REQUIRED, QK_REQUIRED_MESSAGE,
    QK_RELEVANT, QK_CONSTRAINT, QK_CONSTRAINT_MESSAGE, QK_CALCULATION,
    QK_DEFAULT, QK_READ_ONLY, QK_CHOICE_FILTER, QK_INDICATOR, QK_META,
    QK_COUNT, QK_MIN, QK_MAX, QK_QUESTIONS, QK_RANDOMIZE, QK_SEED,
    QK_CHOICES_FROM, QK_MULTILINE, QK_LIST_CHECK, QK_N
};

static const char *const qkey_names[QK_N] = {
    "id", "type", "label", "hint", "required", "required_message",
    "relevant", "constraint", "constraint_message", "calculation",
    "default", "read_only", "choice_filter", "indicator", "meta",
    "count", "min", "max", "questions", "randomize", "seed",
    "choices_from", "multiline", "list_check",
};

/* Set question q's type from the type node (and its choice list). */
static void load_type(loader *L, int q, const ynode *n)
{
    form *f = L->f;
    form_question *qq = &f->q[q];
    qq->type = QT_TEXT;
    if (n->kind != YN_SCALAR) {
        form_diag(f, L->d, AT(n), _("'%s' must be a single value"), "type");
        return;
    }
    const char *s = n->str, *sp = s;
    while (*sp && *sp != ' ' && *sp != '\t')
        sp++;
    size_t wlen = (size_t)(sp - s);
    const char *arg = sp;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    for (int t = QT_TEXT; t <= QT_REPEAT; t++) {
        const char *name = form_qtype_name((form_qtype)t);
        if (strlen(name) != wlen || strncmp(name, s, wlen))
            continue;
        int select = t == QT_SELECT_ONE || t == QT_SELECT_MULTIPLE;
        if (select != (*arg != '\0'))
            break;
        qq->type = (form_qtype)t;
        if (!select)
            return;
        f->priv->qx[q].list_line = n->loc.line;
        f->priv->qx[q].list_col =
            form_loc_column(f, &n->loc, (int)(arg - s) + 1);
        size_t alen = strlen(arg);
        if (alen > 9 && !strcmp(arg + alen - 9, " or_other")) {
            char *list = xstrndup(arg, alen - 9);
            qq->list = form_index_get(&L->lists, list);
            form_diag(f, L->d, AT(n),
                      _("'or_other' is not supported: add a choice such as "
                        "{value: other, label: Khác} to list '%s', and a "
                        "text question after this one with relevant: "
                        "\"selected(${%s}, 'other')\""),
                      list, qq->id ? qq->id : "question");
            free(list);
            return;
        }
        qq->list = form_index_get(&L->lists, arg);
        if (qq->list < 0)
            form_diag(f, L->d, f->priv->qx[q].list_line,
                      f->priv->qx[q].list_col,
                      _("undefined choice list '%s'"), arg);
        return;
    }
    if (!strcmp(s, "select_one") || !strcmp(s, "select_multiple"))
        form_diag(f, L->d, AT(n), _("'%s' needs a choice list name"), s);
    else
        form_diag(f, L->d, AT(n), _("unknown question type '%s'"), s);
}

/* Keep an expression's text and position for form_check. */
static void keep_expr(loader *L, int q, int slot, const ynode *n)
{
    char *s = form_load_scalar(L, n, form_slot_names[slot]);
    if (!s)
        return;
    form_src *src = &L->f->priv->qx[q].src[slot];
    src->text = s;
    src->loc = n->loc;
}

/* Whether a default is an expression rather than a literal answer: a
 * function call such as today() or now(), or a ${reference}. */
static int default_is_expr(const char *s)
{
    size_t n = 0;
    while (s[n] && (s[n] == '_' || s[n] == '-' || s[n] == ':' ||
                    (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
        n++;
    return (n > 0 && s[n + strspn(s + n, " ")] == '(') || strstr(s, "${");
}

/* A question's default: a literal answer, or an expression computed when
 * the interview starts. */
static void load_default(loader *L, int q, const ynode *n)
{
    char *s = form_load_scalar(L, n, "default");
    if (!s)
        return;
    L->f->priv->qx[q].default_loc = n->loc;
    if (default_is_expr(s)) {
        keep_expr(L, q, FS_DEFAULT, n);
        free(s);
    } else {
        L->f->q[q].default_value = s;
    }
}

/* randomize: true shuffles a select's choices; seed (an expression) makes
 * the order the same every time, as in ODK. */
static void load_randomize(loader *L, int q, const ynode *r, const ynode *seed)
{
    if (r && (L->f->q[q].randomize = parse_bool(r)) < 0) {
        form_diag(L->f, L->d, AT(r), _("'%s' must be true or false"),
                  "randomize");
        L->f->q[q].randomize = 0;
    }
    if (seed && !L->f->q[q].randomize)
        form_diag(L->f, L->d, AT(seed), _("'seed' needs randomize: true"));
    else if (seed)
        keep_expr(L, q, FS_SEED, seed);
}

/* min or max of a repeat: a non-negative integer, or -1 after an error. */
static int load_bound(loader *L, const ynode *n, const char *key)
{
    const char *s = n->kind == YN_SCALAR ? n->str : "";
    long v = 0;
    int ok = *s != '\0';
    for (const char *p = s; *p && ok; p++) {
        ok = *p >= '0' && *p <= '9' && v <= FORM_MAX_REPEAT;
        v = v * 10 + (*p - '0');
    }
    if (!ok || v > FORM_MAX_REPEAT) {
        form_diag(L->f, L->d, AT(n),
                  _("'%s' must be a whole number from 0 to %d (the most "
                    "members a roster holds)"), key, FORM_MAX_REPEAT);
        return -1;
    }
    return (int)v;
}

/* Metadata: indicator (one tag or a list) and the free meta map. */
/* choices_from: the set-up list whose rows replace the question's choices
 * on a database that has one (the form's list stays the fallback). */
static void load_choices_from(loader *L, int q, const ynode *n)
{
    if (!n)
        return;
    char *s = form_load_scalar(L, n, "choices_from");
    if (s && strcmp(s, FORM_SETUP_VILLAGES) != 0) {
        form_diag(L->f, L->d, AT(n), _("'choices_from' names a list of the "
                                       "commune's set-up: only '%s' is "
                                       "known"), FORM_SETUP_VILLAGES);
        free(s);
        return;
    }
    if (s)
        form_load_attr(&L->f->q[q].meta, &L->f->q[q].nmeta, "choices_from", s);
}

/* list_check: the set-up list an integer answer is checked against; the
 * village it is looked up in is resolved with the whole form
 * (form_check). */
static void load_list_check(loader *L, int q, const ynode *n)
{
    if (!n)
        return;
    char *s = form_load_scalar(L, n, "list_check");
    if (s && strcmp(s, FORM_SETUP_HOUSEHOLDS) != 0)
        form_diag(L->f, L->d, AT(n), _("'list_check' names a list of the "
                                       "commune's set-up: only '%s' is "
                                       "known"), FORM_SETUP_HOUSEHOLDS);
    else if (s && L->f->q[q].type != QT_INTEGER)
        form_diag(L->f, L->d, AT(n), _("'list_check: %s' is only allowed "
                                       "on integer questions (the "
                                       "household number)"),
                  FORM_SETUP_HOUSEHOLDS);
    else if (s) {
        form_load_attr(&L->f->q[q].meta, &L->f->q[q].nmeta, "list_check", s);
        L->f->priv->qx[q].list_check_line = n->loc.line;
        L->f->priv->qx[q].list_check_col = n->loc.col;
        return;
    }
    free(s);
}

static void load_meta(loader *L, int q, const ynode *ind, const ynode *meta)
{
    form_question *qq = &L->f->q[q];
    if (ind && ind->kind == YN_SEQ) {
        for (size_t i = 0; i < ind->n; i++) {
            char *s = form_load_scalar(L, ind->kids[i], "indicator");
            if (s)
                form_load_attr(&qq->meta, &qq->nmeta, "indicator", s);
        }
    } else if (ind) {
        char *s = form_load_scalar(L, ind, "indicator");
        if (s)
            form_load_attr(&qq->meta, &qq->nmeta, "indicator", s);
    }
    if (!meta)
        return;
    if (meta->kind != YN_MAP) {
        form_diag(L->f, L->d, AT(meta), _("'meta' must be a mapping"));
        return;
    }
    for (size_t i = 0; i + 1 < meta->n; i += 2) {
        const ynode *k = meta->kids[i];
        if (k->kind != YN_SCALAR) {
            form_diag(L->f, L->d, AT(k), _("a key must be a plain name"));
            continue;
        }
        char *s = form_load_scalar(L, meta->kids[i + 1], k->str);
        if (s)
            form_load_attr(&qq->meta, &qq->nmeta, k->str, s);
    }
}

static void load_questions(loader *L, const ynode *n, int parent, int depth);

/* Keys that only some types take: report them elsewhere. */
static void check_type_keys(loader *L, int q, const ynode **v)
{
    form *f = L->f;
    form_qtype t = f->q[q].type;
    int select = t == QT_SELECT_ONE || t == QT_SELECT_MULTIPLE;
    if (v[QK_CHOICE_FILTER] && !select)
        form_diag(f, L->d, AT(v[QK_CHOICE_FILTER]),
                  _("choice_filter is only allowed on select_one and select_multiple questions"));
    static const int select_only[] = {QK_RANDOMIZE, QK_SEED,
                                      QK_CHOICES_FROM};
    for (size_t i = 0; i < 3; i++)
        if (v[select_only[i]] && !select)
            form_diag(f, L->d, AT(v[select_only[i]]),
                      _("'%s' is only allowed on select_one and "
                        "select_multiple questions"),
                      qkey_names[select_only[i]]);
    static const int repeat_only[] = {QK_COUNT, QK_MIN, QK_MAX};
    for (size_t i = 0; i < 3; i++)
        if (v[repeat_only[i]] && t != QT_REPEAT)
            form_diag(f, L->d, AT(v[repeat_only[i]]),
                      _("'%s' is only allowed on repeat questions"),
                      qkey_names[repeat_only[i]]);
    if (v[QK_QUESTIONS] && t != QT_GROUP && t != QT_REPEAT)
        form_diag(f, L->d, AT(v[QK_QUESTIONS]),
                  _("'questions' is only allowed on group and repeat questions"));
    if (v[QK_MULTILINE] && t != QT_TEXT)
        form_diag(f, L->d, AT(v[QK_MULTILINE]),
                  _("'multiline' is only allowed on text questions"));
    else if (v[QK_MULTILINE] &&
             (f->q[q].multiline = parse_bool(v[QK_MULTILINE])) < 0) {
        form_diag(f, L->d, AT(v[QK_MULTILINE]),
                  _("'multiline' must be true or false"));
        f->q[q].multiline = 0;
    }
}

/* Repeat bounds: count, or min and max. */
static void load_repeat_bounds(loader *L, int q, const ynode **v)
{
    form *f = L->f;
    if (f->q[q].type != QT_REPEAT)
        return;
    if (v[QK_COUNT]) {
        if (v[QK_MIN] || v[QK_MAX])
            form_diag(f, L->d, AT(v[QK_MIN] ? v[QK_MIN] : v[QK_MAX]),
                      _("'min' and 'max' cannot be combined with 'count'"));
        keep_expr(L, q, FS_COUNT, v[QK_COUNT]);
        return;
    }
    int min = v[QK_MIN] ? load_bound(L, v[QK_MIN], "min") : 0;
    int max = v[QK_MAX] ? load_bound(L, v[QK_MAX], "max") : 0;
    if (v[QK_MAX] && max == 0)
        form_diag(f, L->d, AT(v[QK_MAX]), _("'max' must be at least 1"));
    else if (min > 0 && max > 0 && max < min)
        form_diag(f, L->d, AT(v[QK_MAX]),
                  _("'max' (%d) is less than 'min' (%d)"), max, min);
    f->q[q].min_count = min > 0 ? min : 0;
    f->q[q].max_count = max > 0 ? max : 0;
}

/* Whether every translation of t is missing or blank. */
static int text_is_empty(const form *f, form_text t)
{
    if (!f->nlang)
        return 0;
    for (size_t i = 0; i < f->nlang; i++)
        if (t[i] && t[i][strspn(t[i], " \t\r\n")])
            return 0;
    return 1;
}

/* One question (and, for groups and repeats, its children). */
static void load_question(loader *L, const ynode *n, int parent, int depth)
{
    form *f = L->f;
    if (n->kind != YN_MAP) {
        form_diag(f, L->d, AT(n), _("a question must be a mapping"));
        return;
    }
    const ynode *v[QK_N];
    map_keys(L, n, qkey_names, QK_N, v, "question");
    int q = form_add_question(f);
    form_question *qq = &f->q[q];
    form_qextra *qx = &f->priv->qx[q];
    qq->line = n->loc.line;
    qq->col = n->loc.col;
    qq->parent = parent;
    qq->depth = depth;
    if (parent >= 0)
        qq->repeat = f->q[parent].type == QT_REPEAT ? parent : f->q[parent].repeat;
    static const int required_keys[] = {QK_ID, QK_TYPE};
    for (size_t i = 0; i < 2; i++)
        if (!v[required_keys[i]])
            form_diag(f, L->d, AT(n), _("missing required key '%s'"),
                      qkey_names[required_keys[i]]);
    if (v[QK_ID] && (qq->id = form_load_scalar(L, v[QK_ID], "id"))) {
        qx->id_line = v[QK_ID]->loc.line;
        qx->id_col = v[QK_ID]->loc.col;
        if (!form_load_is_name(qq->id, 0))
            form_diag(f, L->d, AT(v[QK_ID]),
                      _("invalid question id '%s' (use letters, digits and _, not starting with a digit)"),
                      qq->id);
    }
    if (v[QK_TYPE])
        load_type(L, q, v[QK_TYPE]);
    if (v[QK_TYPE] && !v[QK_LABEL] && qq->type != QT_CALCULATE)
        form_diag(f, L->d, AT(n), _("missing required key '%s'"), "label");
    static const struct { int key; size_t off; } texts[] = {
        {QK_LABEL, offsetof(form_question, label)},
        {QK_HINT, offsetof(form_question, hint)},
        {QK_REQUIRED_MESSAGE, offsetof(form_question, required_msg)},
        {QK_CONSTRAINT_MESSAGE, offsetof(form_question, constraint_msg)},
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (v[texts[i].key])
            *(form_text *)((char *)qq + texts[i].off) =
                form_load_text(L, v[texts[i].key], q);
    if (qq->label && text_is_empty(f, qq->label))
        form_diag(f, L->d, AT(v[QK_LABEL]),
                  _("empty label: the enumerator would see a blank question"));
    if (v[QK_REQUIRED] && qq->type == QT_NOTE)
        form_diag(f, L->d, AT(v[QK_REQUIRED]),
                  _("'required' on a note: a note takes no answer"));
    if (v[QK_REQUIRED]) {
        int b = parse_bool(v[QK_REQUIRED]);
        if (b >= 0)
            qq->required_always = b;
        else
            keep_expr(L, q, FS_REQUIRED, v[QK_REQUIRED]);
    }
    if (v[QK_READ_ONLY] && (qq->read_only = parse_bool(v[QK_READ_ONLY])) < 0) {
        form_diag(f, L->d, AT(v[QK_READ_ONLY]),
                  _("'read_only' must be true or false"));
        qq->read_only = 0;
    }
    static const struct { int key, slot; } exprs[] = {
        {QK_RELEVANT, FS_RELEVANT}, {QK_CONSTRAINT, FS_CONSTRAINT},
        {QK_CALCULATION, FS_CALCULATION}, {QK_CHOICE_FILTER, FS_CHOICE_FILTER},
    };
    for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++)
        if (v[exprs[i].key])
            keep_expr(L, q, exprs[i].slot, v[exprs[i].key]);
    if (v[QK_DEFAULT])
        load_default(L, q, v[QK_DEFAULT]);
    load_randomize(L, q, v[QK_RANDOMIZE], v[QK_SEED]);
    load_meta(L, q, v[QK_INDICATOR], v[QK_META]);
    load_choices_from(L, q, v[QK_CHOICES_FROM]);
    load_list_check(L, q, v[QK_LIST_CHECK]);
    check_type_keys(L, q, v);
    load_repeat_bounds(L, q, v);
    if (qq->type == QT_GROUP || qq->type == QT_REPEAT) {
        const ynode *kids = v[QK_QUESTIONS];
        if (!kids || kids->kind != YN_SEQ || kids->n == 0)
            form_diag(f, L->d, AT(kids ? kids : n),
                      _("%s '%s' has no questions"), form_qtype_name(qq->type),
                      qq->id ? qq->id : "?");
        else
            load_questions(L, kids, q, depth + 1);
    }
    f->q[q].end = (int)f->nq;
}

/* A sequence of questions under parent (-1 at the top level). */
static void load_questions(loader *L, const ynode *n, int parent, int depth)
{
    for (size_t i = 0; i < n->n; i++)
        load_question(L, n->kids[i], parent, depth);
}

enum fkey { FK_ID, FK_VERSION, FK_TITLE, FK_LANGUAGES, FK_DEFAULT_LANGUAGE,
            FK_KEY, FK_INSTANCE_NAME, FK_N };
static const char *const fkey_names[FK_N] = {
    "id", "version", "title", "languages", "default_language", "key",
    "instance_name",
};

/* The declared languages; on any problem a single stand-in language is
 * used and translation checks are skipped, so one mistake is not reported
 * on every text. */
static void load_languages(loader *L, const ynode *n)
{
    form *f = L->f;
    int ok = n && n->kind == YN_SEQ && n->n > 0;
    if (n && !ok)
        form_diag(f, L->d, AT(n),
                  _("'languages' must be a non-empty list of language codes"));
    if (ok) {
        f->languages = xcalloc(n->n, sizeof *f->languages);
        for (size_t i = 0; i < n->n && ok; i++) {
            const ynode *c = n->kids[i];
            if (c->kind != YN_SCALAR || !c->len) {
                form_diag(f, L->d, AT(c), _("a language code must be a string"));
                ok = 0;
            } else if (form_lang(f, c->str) >= 0) {
                form_diag(f, L->d, AT(c), _("duplicate language '%s'"), c->str);
                ok = 0;
            } else {
                f->languages[f->nlang++] = xstrndup(c->str, c->len);
            }
        }
    }
    if (!ok) {
        for (size_t i = 0; i < f->nlang; i++)
            free(f->languages[i]);
        free(f->languages);
        f->languages = xcalloc(1, sizeof *f->languages);
        f->languages[0] = xstrdup("und");
        f->nlang = 1;
    }
    f->priv->lang_known = ok;
}

/* The form: mapping of metadata. */
static void load_form_meta(loader *L, const ynode *n)
{
    form *f = L->f;
    const ynode *v[FK_N];
    map_keys(L, n, fkey_names, FK_N, v, "form");
    static const int required_keys[] = {FK_ID, FK_VERSION, FK_TITLE, FK_LANGUAGES};
    for (size_t i = 0; i < 4; i++)
        if (!v[required_keys[i]])
            form_diag(f, L->d, AT(n), _("missing required key '%s'"),
                      fkey_names[required_keys[i]]);
    load_languages(L, v[FK_LANGUAGES]);
    if (v[FK_DEFAULT_LANGUAGE] && v[FK_DEFAULT_LANGUAGE]->kind == YN_SCALAR &&
        f->priv->lang_known) {
        int lang = form_lang(f, v[FK_DEFAULT_LANGUAGE]->str);
        if (lang < 0)
            form_diag(f, L->d, AT(v[FK_DEFAULT_LANGUAGE]),
                      _("default language '%s' is not one of the languages"),
                      v[FK_DEFAULT_LANGUAGE]->str);
        else
            f->default_lang = lang;
    } else if (v[FK_DEFAULT_LANGUAGE] && v[FK_DEFAULT_LANGUAGE]->kind != YN_SCALAR) {
        form_diag(f, L->d, AT(v[FK_DEFAULT_LANGUAGE]),
                  _("'%s' must be a single value"), "default_language");
    }
    if (v[FK_ID] && (f->id = form_load_scalar(L, v[FK_ID], "id")) && !form_load_is_name(f->id, 1))
        form_diag(f, L->d, AT(v[FK_ID]),
                  _("invalid form id '%s' (use lowercase letters, digits and _, starting with a letter)"),
                  f->id);
    if (v[FK_VERSION])
        f->version = form_load_scalar(L, v[FK_VERSION], "version");
    if (v[FK_TITLE])
        f->title = form_load_text(L, v[FK_TITLE], -1);
    if (v[FK_INSTANCE_NAME]) {
        form_src *src = &f->priv->instance_name;
        src->text = form_load_scalar(L, v[FK_INSTANCE_NAME], "instance_name");
        src->loc = v[FK_INSTANCE_NAME]->loc;
    }
    const ynode *key = v[FK_KEY];
    if (!key)
        return;
    form_priv *pv = f->priv;
    size_t nk = key->kind == YN_SEQ ? key->n : 1;
    for (size_t i = 0; i < nk; i++) {
        const ynode *k = key->kind == YN_SEQ ? key->kids[i] : key;
        if (k->kind != YN_SCALAR)
            form_diag(f, L->d, AT(k), _("'%s' must be a single value"), "key");
        else
            form_pending_add(&pv->keys, &pv->nkeys, &pv->keys_cap, -1, k->str,
                             k->len, k->loc.line, k->loc.col);
    }
}

enum tkey { TK_FORM, TK_CHOICES, TK_QUESTIONS, TK_N };
static const char *const tkey_names[TK_N] = {"form", "choices", "questions"};

/* The whole document: form metadata first (languages are needed for every
 * text), then the choice lists (needed by select questions), then the
 * questions, whatever order they were written in. */
static void load_top(loader *L, const ynode *root)
{
    form *f = L->f;
    if (root->kind != YN_MAP) {
        form_diag(f, L->d, AT(root), _("a form must be a YAML mapping"));
        load_languages(L, NULL);
        return;
    }
    const ynode *v[TK_N];
    map_keys(L, root, tkey_names, TK_N, v, "the form file");
    if (v[TK_FORM] && v[TK_FORM]->kind == YN_MAP) {
        load_form_meta(L, v[TK_FORM]);
    } else {
        if (v[TK_FORM])
            form_diag(f, L->d, AT(v[TK_FORM]), _("'form' must be a mapping"));
        else
            form_diag(f, L->d, AT(root), _("missing required key '%s'"), "form");
        load_languages(L, NULL);
    }
    if (v[TK_CHOICES])
        form_load_lists(L, v[TK_CHOICES]);
    const ynode *qs = v[TK_QUESTIONS];
    if (!qs)
        form_diag(f, L->d, AT(root), _("missing required key '%s'"), "questions");
    else if (qs->kind != YN_SEQ || qs->n == 0)
        form_diag(f, L->d, AT(qs), _("'questions' must be a non-empty list of questions"));
    else
        load_questions(L, qs, -1, 0);
}

form *form_parse_yaml(const char *text, size_t len, const char *name,
                      diag_list *d)
{
    form *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(name);
    f->source = xstrndup(text, len);
    f->source_len = len;
    f->priv = xcalloc(1, sizeof *f->priv);
    form_yaml y;
    ynode *root = form_yaml_load(&y, f, d);
    if (root) {
        loader L = {.f = f, .d = d};
        form_index_init(&L.lists);
        load_top(&L, root);
        form_index_free(&L.lists);
    } else {
        form_free(f);
        f = NULL;
    }
    form_yaml_free(&y);
    return f;
}
