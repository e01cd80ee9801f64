/* form_lists.c: the form's choice lists (the choices mapping: list name
 * -> its choices, each with its value, label and attributes), loaded from
 * the YAML node tree as form_load.c loads the questions. */
#include "config.h"
#include "core/form.h"
#include "core/form_int.h"
#include "core/form_load_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

/* Add name to list l's attribute names unless present. */
static void list_attr_name(form_list *l, const char *name)
{
    for (size_t i = 0; i < l->nattrs; i++)
        if (!strcmp(l->attrs[i], name))
            return;
    l->attrs = xrealloc(l->attrs, (l->nattrs + 1) * sizeof *l->attrs);
    l->attrs[l->nattrs++] = xstrdup(name);
}

/* Free the attributes of a choice that is being dropped. */
static void attrs_free_local(form_choice *c)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        free(c->attrs[i].key);
        free(c->attrs[i].value);
    }
    free(c->attrs);
    c->attrs = NULL;
    c->nattrs = 0;
}

/* One choice of list l; values is the index of values seen so far. */
static void load_choice(loader *L, form_list *l, const ynode *n,
                        form_index *values)
{
    if (n->kind != YN_MAP) {
        form_diag(L->f, L->d, AT(n), _("a choice must be a mapping"));
        return;
    }
    form_choice *c = &l->choices[l->nchoices];
    memset(c, 0, sizeof *c);
    const ynode *vnode = NULL, *label = NULL;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (k->kind == YN_SCALAR && !strncmp(k->str, "label::", 7) &&
            k->str[7]) {
            form_diag(L->f, L->d, AT(k), _("unknown key '%s' in choice (did "
                                           "you mean `label: {%s: …}`?)"),
                      k->str, k->str + 7);
        } else if (k->kind != YN_SCALAR || !form_load_is_name(k->str, 0)) {
            form_diag(L->f, L->d, AT(k), _("unknown key '%s' in choice"),
                      k->kind == YN_SCALAR ? k->str : "?");
        } else if (!strcmp(k->str, "value") || !strcmp(k->str, "label")) {
            const ynode **slot = k->str[0] == 'v' ? &vnode : &label;
            if (*slot)
                form_diag(L->f, L->d, AT(k), _("duplicate key '%s'"), k->str);
            else
                *slot = v;
        } else if (form_choice_attr(c, k->str)) {
            form_diag(L->f, L->d, AT(k), _("duplicate key '%s'"), k->str);
        } else {
            char *s = form_load_scalar(L, v, k->str);
            if (s) {
                form_load_attr(&c->attrs, &c->nattrs, k->str, s);
                list_attr_name(l, k->str);
            }
        }
    }
    if (!vnode && form_choice_attr(c, "name")) {
        form_diag(L->f, L->d, AT(n), _("missing required key '%s' (XLSForm's "
                                       "name column is called `value` here)"),
                  "value");
    } else if (!vnode || !label) {
        form_diag(L->f, L->d, AT(n), _("missing required key '%s'"),
                  vnode ? "label" : "value");
    }
    if (!vnode || !label) {
        if (!vnode) {
            attrs_free_local(c);
            return;
        }
    }
    c->value = form_load_scalar(L, vnode, "value");
    if (!c->value) {
        attrs_free_local(c);
        return;
    }
    if (c->value[strcspn(c->value, " \t\r\n")])
        form_diag(L->f, L->d, AT(vnode),
                  _("choice value '%s' contains a space: the answer of a "
                    "select_multiple lists its codes separated by spaces "
                    "(write it with _ instead)"), c->value);
    else if (form_index_put(values, c->value, 0) >= 0)
        form_diag(L->f, L->d, AT(vnode),
                  _("duplicate choice value '%s' in list '%s'"), c->value,
                  l->name);
    c->label = label ? form_load_text(L, label, -1)
                     : xcalloc(L->f->nlang, sizeof *c->label);
    l->nchoices++;
}

/* The choices mapping: list name -> sequence of choices. */
void form_load_lists(loader *L, const ynode *n)
{
    form *f = L->f;
    if (n->kind != YN_MAP) {
        form_diag(f, L->d, AT(n), _("'choices' must map list names to choices"));
        return;
    }
    f->lists = xcalloc(n->n / 2 + 1, sizeof *f->lists);
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (k->kind != YN_SCALAR) {
            form_diag(f, L->d, AT(k), _("a key must be a plain name"));
            continue;
        }
        if (form_index_get(&L->lists, k->str) >= 0) {
            form_diag(f, L->d, AT(k), _("duplicate choice list name '%s'"),
                      k->str);
            continue;
        }
        form_list *l = &f->lists[f->nlists];
        l->name = xstrndup(k->str, k->len);
        l->line = k->loc.line;
        l->col = k->loc.col;
        form_index_put(&L->lists, l->name, (int)f->nlists++);
        list_attr_name(l, "value");
        if (v->kind != YN_SEQ || v->n == 0) {
            form_diag(f, L->d, AT(v),
                      _("choice list '%s' must be a non-empty sequence of choices"),
                      l->name);
            continue;
        }
        l->choices = xcalloc(v->n, sizeof *l->choices);
        form_index values;
        form_index_init(&values);
        for (size_t j = 0; j < v->n; j++)
            load_choice(L, l, v->kids[j], &values);
        form_index_free(&values);
    }
}
