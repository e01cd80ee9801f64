/* report_def_yaml.c: reading the YAML of a report definition: values by
 * key, unknown keys refused, translated texts, each problem recorded with
 * its line and column. */
#include "config.h"
#include "report/report_def_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

/* Record a problem at node n. */
void rl_err(rload *L, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(L->diags, L->d->path, n ? (int)n->start_mark.line + 1 : 0,
             n ? (int)n->start_mark.column + 1 : 0, "%s", m);
    free(m);
    L->errors++;
}

/* The scalar text of n, or NULL when n is not a scalar. */
const char *rl_str(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                            : NULL;
}

/* The value of key in mapping n, or NULL. */
yaml_node_t *rl_get(rload *L, yaml_node_t *n, const char *key)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        const char *k = rl_str(yaml_document_get_node(L->doc, p->key));
        if (k && !strcmp(k, key))
            return yaml_document_get_node(L->doc, p->value);
    }
    return NULL;
}

/* Complain about keys of mapping n not in the NULL-terminated allowed. */
void rl_keys(rload *L, yaml_node_t *n, const char *what,
             const char *const *allowed)
{
    if (!n || n->type != YAML_MAPPING_NODE) {
        rl_err(L, n, _("%s must be a mapping"), what);
        return;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(L->doc, p->key);
        const char *k = rl_str(kn);
        size_t i = 0;
        while (k && allowed[i] && strcmp(allowed[i], k))
            i++;
        if (!k || !allowed[i])
            rl_err(L, kn, _("unknown key '%s' in %s"), k ? k : "?", what);
    }
}

/* A copy of the scalar under key, or NULL; required ones must be there. */
char *rl_scalar(rload *L, yaml_node_t *n, const char *key, int required,
                const char *what)
{
    yaml_node_t *v = rl_get(L, n, key);
    if (!v) {
        if (required)
            rl_err(L, n, _("%s has no '%s'"), what, key);
        return NULL;
    }
    if (!rl_str(v)) {
        rl_err(L, v, _("'%s' of %s must be a single value"), key, what);
        return NULL;
    }
    return xstrdup(rl_str(v));
}

/* The required id of an entry (what names it in messages); "?" when it
 * has none, so that later messages can still name it. */
char *rl_id(rload *L, yaml_node_t *n, const char *what)
{
    char *id = rl_scalar(L, n, "id", 1, what);
    return id ? id : xstrdup("?");
}

/* The expression under key, with its position. */
void rl_src(rload *L, yaml_node_t *n, const char *key, int required,
            const char *what, rsrc *out)
{
    yaml_node_t *v = rl_get(L, n, key);
    out->text = rl_scalar(L, n, key, required, what);
    out->line = v ? (int)v->start_mark.line + 1 : 0;
    out->col = v ? (int)v->start_mark.column + 1 : 0;
}

/* A translated text: a mapping of language codes, or one plain text. */
void rl_text(rload *L, yaml_node_t *n, const char *key, int required,
             const char *what, rtext *out)
{
    memset(out, 0, sizeof *out);
    yaml_node_t *v = rl_get(L, n, key);
    if (!v) {
        if (required)
            rl_err(L, n, _("%s has no '%s'"), what, key);
        return;
    }
    if (rl_str(v)) {
        out->code = xmalloc(sizeof *out->code);
        out->text = xmalloc(sizeof *out->text);
        out->code[0] = xstrdup("");
        out->text[0] = xstrdup(rl_str(v));
        out->n = 1;
        return;
    }
    if (v->type != YAML_MAPPING_NODE) {
        rl_err(L, v, _("'%s' of %s must be a text or {vi: ..., en: ...}"),
               key, what);
        return;
    }
    size_t cap = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    out->code = xcalloc(cap, sizeof *out->code);
    out->text = xcalloc(cap, sizeof *out->text);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
         p < v->data.mapping.pairs.top; p++) {
        const char *k = rl_str(yaml_document_get_node(L->doc, p->key));
        yaml_node_t *tv = yaml_document_get_node(L->doc, p->value);
        if (!k || !rl_str(tv)) {
            rl_err(L, tv, _("'%s' of %s: each translation is one text"), key,
                   what);
            continue;
        }
        out->code[out->n] = xstrdup(k);
        out->text[out->n++] = xstrdup(rl_str(tv));
    }
}

/* The items of sequence key of the top mapping (none when absent). */
yaml_node_item_t *rl_seq(rload *L, yaml_node_t *top, const char *key,
                         size_t *n)
{
    *n = 0;
    yaml_node_t *v = rl_get(L, top, key);
    if (!v)
        return NULL;
    if (v->type != YAML_SEQUENCE_NODE) {
        rl_err(L, v, _("'%s' must be a list"), key);
        return NULL;
    }
    *n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    return v->data.sequence.items.start;
}
