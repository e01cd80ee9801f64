/* form_yaml.c: YAML text -> a small positioned node tree, through
 * libyaml's event API: aliases refused, nesting bounded, text checked to be
 * UTF-8, nodes in an arena freed at once. */
#include "config.h"
#include "core/form.h"
#include "core/form_int.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/i18n.h"

/* Nodes live in an arena freed in one go once the model is built. */
struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

/* Bytes from the arena, aligned for any type. */
static void *arena_alloc(form_yaml *y, size_t n)
{
    size_t a = sizeof(max_align_t);
    n = (n + a - 1) / a * a;
    arena_block *b = y->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = y->arena;
        y->arena = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static void arena_free(form_yaml *y)
{
    while (y->arena) {
        arena_block *next = y->arena->next;
        free(y->arena);
        y->arena = next;
    }
}

static void stack_push(form_yaml *y, ynode *n)
{
    y->stack = util_grow(y->stack, &y->stack_cap, y->nstack + 1,
                         sizeof *y->stack);
    y->stack[y->nstack++] = n;
}

static ynode *node_new(form_yaml *y, int kind, const yaml_mark_t *m)
{
    ynode *n = arena_alloc(y, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->loc.line = (int)m->line + 1;
    n->loc.col = (int)m->column + 1;
    return n;
}

/* Report a libyaml failure at its position. A reader error gives only a
 * character offset, which is turned into a line and column here. */
static void report_yaml_error(form_yaml *y, const yaml_parser_t *p)
{
    int line = (int)p->problem_mark.line + 1;
    int col = (int)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) {
        const form_priv *pv = y->f->priv;
        size_t off = p->problem_offset;
        line = 1;
        while ((size_t)line < pv->nlines && pv->lines[line] <= off)
            line++;
        col = 1;
        for (size_t i = pv->lines[line - 1]; i < off && i < y->f->source_len; i++)
            if (((unsigned char)y->f->source[i] & 0xC0) != 0x80)
                col++;
    }
    const char *problem = p->problem ? p->problem : "unknown problem";
    /* The commonest cause: a text written without quotes that contains
     * ": " (label: Tên: họ và tên), which YAML reads as a second key. */
    if (!strcmp(problem, "mapping values are not allowed in this context"))
        form_diag(y->f, y->d, line, col,
                  _("YAML syntax error: %s (a text containing ': ' must be "
                    "quoted: label: \"Tên: họ và tên\")"), problem);
    else if (p->context)
        form_diag(y->f, y->d, line, col, _("YAML syntax error: %s (%s)"),
                  problem, p->context);
    else
        form_diag(y->f, y->d, line, col, _("YAML syntax error: %s"), problem);
}

/* Close the container open at depth: move its kids from the stack. */
static void close_node(form_yaml *y, ynode *n, size_t first,
                       const yaml_mark_t *end)
{
    n->n = y->nstack - first;
    n->kids = arena_alloc(y, (n->n ? n->n : 1) * sizeof *n->kids);
    memcpy(n->kids, y->stack + first, n->n * sizeof *n->kids);
    y->nstack = first;
    n->loc.one_line = (int)end->line + 1 == n->loc.line;
    stack_push(y, n);
}

/* Build the node tree of the single document in the source; NULL (with a
 * diagnostic) on a syntax error, an alias, too deep nesting or no
 * document. */
static ynode *build_tree(form_yaml *y)
{
    yaml_parser_t p;
    yaml_event_t e;
    ynode *open[FORM_MAX_DEPTH];
    size_t first[FORM_MAX_DEPTH];
    int depth = 0, docs = 0, ok = 1, done = 0;

    yaml_parser_initialize(&p);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&p, (const unsigned char *)y->f->source,
                                 y->f->source_len);
    while (ok && !done) {
        if (!yaml_parser_parse(&p, &e)) {
            report_yaml_error(y, &p);
            ok = 0;
            break;
        }
        ynode *n;
        switch (e.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                form_diag(y->f, y->d, (int)e.start_mark.line + 1,
                          (int)e.start_mark.column + 1,
                          _("a form file holds a single YAML document"));
                ok = 0;
            }
            break;
        case YAML_ALIAS_EVENT:
            form_diag(y->f, y->d, (int)e.start_mark.line + 1,
                      (int)e.start_mark.column + 1,
                      _("YAML aliases are not supported"));
            ok = 0;
            break;
        case YAML_SCALAR_EVENT:
            n = node_new(y, YN_SCALAR, &e.start_mark);
            n->len = e.data.scalar.length;
            char *s = arena_alloc(y, n->len + 1);
            memcpy(s, e.data.scalar.value, n->len);
            s[n->len] = '\0';
            n->str = s;
            n->loc.style = (int)e.data.scalar.style;
            n->loc.one_line = e.end_mark.line == e.start_mark.line;
            stack_push(y, n);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == FORM_MAX_DEPTH) {
                form_diag(y->f, y->d, (int)e.start_mark.line + 1,
                          (int)e.start_mark.column + 1,
                          _("YAML nesting is deeper than %d levels"),
                          FORM_MAX_DEPTH);
                ok = 0;
                break;
            }
            open[depth] = node_new(y, e.type == YAML_SEQUENCE_START_EVENT
                                          ? YN_SEQ : YN_MAP, &e.start_mark);
            first[depth++] = y->nstack;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            close_node(y, open[depth], first[depth], &e.end_mark);
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    if (ok && y->nstack == 0) {
        form_diag(y->f, y->d, 1, 1, _("the form file is empty"));
        ok = 0;
    }
    return ok ? y->stack[0] : NULL;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_bad_offset(const char *s, size_t len)
{
    if (util_utf8_valid(s, len))
        return len;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (k > len - i || !util_utf8_valid(s + i, k))
            return i;
        i += k;
    }
    return len;
}

/* Remember where every line starts, for turning positions into offsets. */
static void index_lines(form *f)
{
    form_priv *pv = f->priv;
    size_t cap = 64;
    pv->lines = xmalloc(cap * sizeof *pv->lines);
    pv->lines[0] = 0;
    pv->nlines = 1;
    const char *s = f->source, *end = s + f->source_len;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
        pv->lines = util_grow(pv->lines, &cap, pv->nlines + 1,
                              sizeof *pv->lines);
        pv->lines[pv->nlines++] = (size_t)(p + 1 - s);
    }
}

ynode *form_yaml_load(form_yaml *y, form *f, diag_list *d)
{
    memset(y, 0, sizeof *y);
    y->f = f;
    y->d = d;
    index_lines(f);
    size_t bad = utf8_bad_offset(f->source, f->source_len);
    if (bad < f->source_len) {
        form_priv *pv = f->priv;
        size_t line = 1;
        while (line < pv->nlines && pv->lines[line] <= bad)
            line++;
        int col = 1;
        for (size_t i = pv->lines[line - 1]; i < bad; i++)
            if (((unsigned char)f->source[i] & 0xC0) != 0x80)
                col++;
        form_diag(f, d, (int)line, col, _("the file is not valid UTF-8"));
        return NULL;
    }
    return build_tree(y);
}

void form_yaml_free(form_yaml *y)
{
    free(y->stack);
    y->stack = NULL;
    arena_free(y);
}
