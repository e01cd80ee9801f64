/* form.c: loading entry points, accessors and freeing of the form model,
 * plus the id index and position helpers the loader and checker share. */
#include "config.h"
#include "core/form.h"
#include "core/form_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/i18n.h"

const char *const form_slot_names[FS_NSLOTS] = {
    "relevant", "required", "constraint", "calculation", "choice_filter",
    "count", "default", "seed",
};

static const char *const qtype_names[] = {
    "text", "integer", "decimal", "select_one", "select_multiple", "date",
    "note", "calculate", "group", "repeat",
};

const char *form_qtype_name(form_qtype t)
{
    if ((size_t)t < sizeof qtype_names / sizeof *qtype_names)
        return qtype_names[t];
    return "?";
}

/* FNV-1a: short ids, good spread, no setup. */
static size_t index_hash(const char *s)
{
    size_t h = (size_t)14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
    return h;
}

void form_index_init(form_index *ix)
{
    ix->keys = NULL;
    ix->vals = NULL;
    ix->cap = ix->n = 0;
}

/* Double the table and re-insert every key. */
static void index_grow(form_index *ix)
{
    form_index old = *ix;
    ix->cap = old.cap ? old.cap * 2 : 64;
    ix->keys = xcalloc(ix->cap, sizeof *ix->keys);
    ix->vals = xmalloc(ix->cap * sizeof *ix->vals);
    ix->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            form_index_put(ix, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

int form_index_put(form_index *ix, const char *key, int val)
{
    if ((ix->n + 1) * 2 > ix->cap)
        index_grow(ix);
    size_t mask = ix->cap - 1, i = index_hash(key) & mask;
    while (ix->keys[i]) {
        if (!strcmp(ix->keys[i], key))
            return ix->vals[i];
        i = (i + 1) & mask;
    }
    ix->keys[i] = key;
    ix->vals[i] = val;
    ix->n++;
    return -1;
}

int form_index_get(const form_index *ix, const char *key)
{
    if (!ix->cap || !key)
        return -1;
    size_t mask = ix->cap - 1, i = index_hash(key) & mask;
    while (ix->keys[i]) {
        if (!strcmp(ix->keys[i], key))
            return ix->vals[i];
        i = (i + 1) & mask;
    }
    return -1;
}

void form_index_free(form_index *ix)
{
    free(ix->keys);
    free(ix->vals);
    form_index_init(ix);
}

void form_diag(form *f, diag_list *d, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(d, f->path, line, col, "%s", msg);
    free(msg);
}

/* Bytes in the UTF-8 character starting with byte c. */
static size_t utf8_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Raw characters a double-quoted escape starting at p occupies. */
static size_t dq_escape_len(const char *p, const char *end)
{
    if (p + 1 >= end)
        return 1;
    size_t n = p[1] == 'x' ? 4 : p[1] == 'u' ? 6 : p[1] == 'U' ? 10 : 2;
    return (size_t)(end - p) < n ? (size_t)(end - p) : n;
}

int form_loc_column(const form *f, const form_loc *loc, int ccol)
{
    const form_priv *pv = f->priv;
    if (!loc->one_line || ccol < 1 || loc->line < 1 ||
        (size_t)loc->line > pv->nlines)
        return loc->col;
    if (loc->style == YAML_PLAIN_SCALAR_STYLE)
        return loc->col + ccol - 1;
    if (loc->style != YAML_SINGLE_QUOTED_SCALAR_STYLE &&
        loc->style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        return loc->col;
    /* Walk the raw text after the opening quote, one value character at a
     * time, counting the file characters each one took. */
    const char *p = f->source + pv->lines[loc->line - 1];
    const char *end = f->source + f->source_len;
    for (int c = 1; c < loc->col && p < end; c++)
        p += utf8_len((unsigned char)*p);
    p++;
    int col = loc->col + 1;
    for (int c = 1; c < ccol && p < end && *p != '\n'; c++) {
        size_t raw;
        if (loc->style == YAML_SINGLE_QUOTED_SCALAR_STYLE) {
            if (*p == '\'' && p + 1 < end && p[1] == '\'')
                raw = 2, col += 2;
            else
                raw = utf8_len((unsigned char)*p), col++;
        } else if (*p == '\\') {
            raw = dq_escape_len(p, end);
            col += (int)raw;
        } else {
            raw = utf8_len((unsigned char)*p), col++;
        }
        p += raw;
    }
    return col;
}

int form_add_question(form *f)
{
    form_priv *pv = f->priv;
    if (f->nq == pv->qx_cap) {
        pv->qx_cap = util_next_cap(pv->qx_cap, f->nq + 1);
        f->q = xrealloc_array(f->q, pv->qx_cap, sizeof *f->q);
        pv->qx = xrealloc_array(pv->qx, pv->qx_cap, sizeof *pv->qx);
    }
    form_question *q = &f->q[f->nq];
    memset(q, 0, sizeof *q);
    q->list = q->parent = q->repeat = -1;
    memset(&pv->qx[f->nq], 0, sizeof pv->qx[f->nq]);
    return (int)f->nq++;
}

void form_pending_add(form_pending **v, size_t *n, size_t *cap, int q,
                      const char *name, size_t len, int line, int col)
{
    *v = util_grow(*v, cap, *n + 1, sizeof **v);
    form_pending *p = &(*v)[(*n)++];
    p->q = q;
    p->name = xstrndup(name, len);
    p->line = line;
    p->col = col;
}

form *form_load_string(const char *text, size_t len, const char *name,
                       diag_list *diags)
{
    form *f = form_parse_yaml(text, len, name, diags);
    if (f)
        form_check(f, diags);
    return f;
}

form *form_load_file(const char *path, diag_list *diags)
{
    size_t len;
    char *text = util_read_file_max(path, FORM_MAX_BYTES, &len);
    if (!text && errno == EFBIG) {
        diag_add(diags, path, 0, 0, _("the form file is larger than %ld MB; "
                                      "khaosat does not read it"),
                 FORM_MAX_BYTES / (1024 * 1024));
        return NULL;
    }
    if (!text) {
        diag_add(diags, path, 0, 0, _("cannot read the form: %s"),
                 util_strerror(errno));
        return NULL;
    }
    form *f = form_load_string(text, len, path, diags);
    free(text);
    return f;
}

/* Free a text and its translations. */
static void text_free(form_text t, size_t nlang)
{
    if (!t)
        return;
    for (size_t i = 0; i < nlang; i++)
        free(t[i]);
    free(t);
}

static void attrs_free(form_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].key);
        free(a[i].value);
    }
    free(a);
}

/* Free everything question q owns. */
static void question_free(form_question *q, size_t nlang)
{
    free(q->id);
    text_free(q->label, nlang);
    text_free(q->hint, nlang);
    text_free(q->required_msg, nlang);
    text_free(q->constraint_msg, nlang);
    expr_free(q->relevant);
    expr_free(q->required);
    expr_free(q->constraint);
    expr_free(q->calculation);
    expr_free(q->choice_filter);
    expr_free(q->count);
    expr_free(q->default_expr);
    expr_free(q->seed);
    free(q->default_value);
    attrs_free(q->meta, q->nmeta);
    free(q->dependents);
}

static void list_free(form_list *l, size_t nlang)
{
    free(l->name);
    for (size_t i = 0; i < l->nchoices; i++) {
        free(l->choices[i].value);
        text_free(l->choices[i].label, nlang);
        attrs_free(l->choices[i].attrs, l->choices[i].nattrs);
    }
    free(l->choices);
    for (size_t i = 0; i < l->nattrs; i++)
        free(l->attrs[i]);
    free(l->attrs);
}

static void pending_free(form_pending *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* Free the loader's side tables. */
static void priv_free(form_priv *pv, size_t nq)
{
    if (!pv)
        return;
    form_index_free(&pv->ids);
    for (size_t i = 0; i < nq; i++) {
        for (int s = 0; s < FS_NSLOTS; s++)
            free(pv->qx[i].src[s].text);
        free(pv->qx[i].text_refs);
    }
    free(pv->qx);
    free(pv->lines);
    pending_free(pv->texts, pv->ntexts);
    pending_free(pv->keys, pv->nkeys);
    free(pv->instance_name.text);
    free(pv);
}

void form_free(form *f)
{
    if (!f)
        return;
    priv_free(f->priv, f->nq);
    for (size_t i = 0; i < f->nq; i++)
        question_free(&f->q[i], f->nlang);
    free(f->q);
    for (size_t i = 0; i < f->nlists; i++)
        list_free(&f->lists[i], f->nlang);
    free(f->lists);
    text_free(f->title, f->nlang);
    for (size_t i = 0; i < f->nlang; i++)
        free(f->languages[i]);
    free(f->languages);
    free(f->path);
    free(f->id);
    free(f->version);
    free(f->key);
    expr_free(f->instance_name);
    free(f->order);
    free(f->source);
    free(f);
}

int form_find(const form *f, const char *id)
{
    return f && f->priv ? form_index_get(&f->priv->ids, id) : -1;
}

int form_lang(const form *f, const char *code)
{
    for (size_t i = 0; code && i < f->nlang; i++)
        if (!strcmp(f->languages[i], code))
            return (int)i;
    return -1;
}

const char *form_text_get(const form *f, form_text t, int lang)
{
    if (!t)
        return "";
    if (lang >= 0 && (size_t)lang < f->nlang && t[lang])
        return t[lang];
    if (f->default_lang >= 0 && (size_t)f->default_lang < f->nlang &&
        t[f->default_lang])
        return t[f->default_lang];
    for (size_t i = 0; i < f->nlang; i++)
        if (t[i])
            return t[i];
    return "";
}

const char *form_meta(const form_question *q, const char *key)
{
    for (size_t i = 0; i < q->nmeta; i++)
        if (!strcmp(q->meta[i].key, key))
            return q->meta[i].value;
    return NULL;
}

const form_choice *form_choice_find(const form *f, const form_question *q,
                                    const char *val)
{
    if (q->list < 0 || (size_t)q->list >= f->nlists || !val)
        return NULL;
    const form_list *l = &f->lists[q->list];
    for (size_t i = 0; i < l->nchoices; i++)
        if (!strcmp(l->choices[i].value, val))
            return &l->choices[i];
    return NULL;
}

const char *form_choice_attr(const form_choice *c, const char *key)
{
    if (!strcmp(key, "value"))
        return c->value;
    for (size_t i = 0; i < c->nattrs; i++)
        if (!strcmp(c->attrs[i].key, key))
            return c->attrs[i].value;
    return NULL;
}

const char *form_filter_value(const form *f, const form_question *q,
                              const form_choice *c, int id)
{
    if (q->list < 0 || (size_t)q->list >= f->nlists || id < (int)f->nq)
        return NULL;
    const form_list *l = &f->lists[q->list];
    size_t k = (size_t)id - f->nq;
    return k < l->nattrs ? form_choice_attr(c, l->attrs[k]) : NULL;
}

const form_list *form_list_find(const form *f, const char *name)
{
    for (size_t i = 0; i < f->nlists; i++)
        if (!strcmp(f->lists[i].name, name))
            return &f->lists[i];
    return NULL;
}

static long form_source_rows(void *ctx, const char *list)
{
    const form_list_source *s = ctx;
    const form_list *l = form_list_find(s->f, list);
    if (l)     /* fallback choices are not the set-up's rows */
        return (long)(l->nchoices - l->nfallback);
    return s->next ? s->next->rows(s->next->ctx, list) : -1;
}

static const char *form_source_cell(void *ctx, const char *list, size_t row,
                                    const char *col)
{
    const form_list_source *s = ctx;
    const form_list *l = form_list_find(s->f, list);
    if (!l)
        return s->next ? s->next->cell(s->next->ctx, list, row, col) : NULL;
    if (row >= l->nchoices - l->nfallback)
        return NULL;
    const form_choice *c = &l->choices[row];
    if (!strcmp(col, "name"))
        return c->value;
    if (!strcmp(col, "label"))
        return form_text_get(s->f, c->label, s->lang ? *s->lang : -1);
    return form_choice_attr(c, col);
}

void form_list_source_init(form_list_source *s, const form *f,
                           const int *lang, const expr_lists *next)
{
    s->f = f;
    s->lang = lang;
    s->next = next;
    s->lists.ctx = s;
    s->lists.rows = form_source_rows;
    s->lists.cell = form_source_cell;
}

/* The index of f's list named name, a new empty one when there is none. */
static size_t list_named(form *f, const char *name)
{
    for (size_t i = 0; i < f->nlists; i++)
        if (!strcmp(f->lists[i].name, name))
            return i;
    f->lists = xrealloc(f->lists, (f->nlists + 1) * sizeof *f->lists);
    form_list *l = &f->lists[f->nlists];
    memset(l, 0, sizeof *l);
    l->name = xstrdup(name);
    l->attrs = xmalloc(sizeof *l->attrs);
    l->attrs[0] = xstrdup("value");
    l->nattrs = 1;
    return f->nlists++;
}

/* Append to l, as fallback choices, those of the n choices c whose codes
 * l does not have (labels in every language of f). */
static void list_add_fallback(form *f, form_list *l, const form_choice *c,
                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < l->nchoices && strcmp(l->choices[k].value, c[i].value))
            k++;
        if (k < l->nchoices)
            continue;
        l->choices = xrealloc(l->choices, (l->nchoices + 1)
                              * sizeof *l->choices);
        form_choice *d = &l->choices[l->nchoices++];
        memset(d, 0, sizeof *d);
        d->value = xstrdup(c[i].value);
        d->label = xcalloc(f->nlang ? f->nlang : 1, sizeof *d->label);
        for (size_t j = 0; j < f->nlang; j++)
            d->label[j] = xstrdup(form_text_get(f, c[i].label, (int)j));
        l->nfallback++;
    }
}

int form_choice_is_fallback(const form_list *l, size_t i)
{
    return i < l->nchoices && i >= l->nchoices - l->nfallback;
}

size_t form_bind_list(form *f, const char *source, char *const *codes,
                      char *const *labels, size_t n)
{
    if (n == 0)
        return 0;
    size_t bound = 0;
    int own = -1;
    for (size_t i = 0; i < f->nq; i++) {
        const char *from = form_meta(&f->q[i], "choices_from");
        if (from && !strcmp(from, source)
            && (f->q[i].type == QT_SELECT_ONE
                || f->q[i].type == QT_SELECT_MULTIPLE)) {
            bound++;
            if (own < 0 && f->q[i].list >= 0
                && strcmp(f->lists[f->q[i].list].name, source) != 0)
                own = f->q[i].list;
        }
    }
    if (!bound)
        return 0;
    size_t li = list_named(f, source);
    form_list *l = &f->lists[li];
    /* Bound before: its fallback choices stay the fallback. */
    form_list prev = *l;
    l->choices = xcalloc(n, sizeof *l->choices);
    l->nchoices = n;
    l->nfallback = 0;
    for (size_t i = 0; i < n; i++) {
        form_choice *c = &l->choices[i];
        c->value = xstrdup(codes[i]);
        c->label = xcalloc(f->nlang ? f->nlang : 1, sizeof *c->label);
        for (size_t k = 0; k < f->nlang; k++)
            c->label[k] = xstrdup(labels[i]);
    }
    if (own >= 0)
        list_add_fallback(f, l, f->lists[own].choices,
                          f->lists[own].nchoices);
    else if (prev.nfallback)
        list_add_fallback(f, l, prev.choices + prev.nchoices - prev.nfallback,
                          prev.nfallback);
    for (size_t i = 0; i < prev.nchoices; i++) {
        free(prev.choices[i].value);
        text_free(prev.choices[i].label, f->nlang);
        attrs_free(prev.choices[i].attrs, prev.choices[i].nattrs);
    }
    free(prev.choices);
    for (size_t i = 0; i < f->nq; i++) {
        const char *from = form_meta(&f->q[i], "choices_from");
        if (from && !strcmp(from, source) && f->q[i].list >= 0)
            f->q[i].list = (int)li;
    }
    return bound;
}

int form_list_check_village(const form *f, int q)
{
    const char *check = form_meta(&f->q[q], "list_check");
    if (!check || strcmp(check, FORM_SETUP_HOUSEHOLDS) != 0)
        return -1;
    int found = -1;
    for (size_t i = 0; i < f->nq; i++) {
        const char *from = form_meta(&f->q[i], "choices_from");
        if (f->q[i].type != QT_SELECT_ONE || f->q[i].repeat != f->q[q].repeat
            || !from || strcmp(from, FORM_SETUP_VILLAGES) != 0)
            continue;
        if (found >= 0)
            return -1;
        found = (int)i;
    }
    return found;
}
