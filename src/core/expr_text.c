/* expr_text.c: the text and select-question functions of XLSForm
 * expressions: XPath string functions, ODK's substr/regex/join, selected()
 * and friends, coalesce and jr:choice-name. Lengths and positions count
 * characters, not bytes. */
#include "config.h"

#include <math.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr_int.h"
#include "core/util.h"

#define FN(name) static void name(const node *c, const expr_env *env, value *out)

/* ---- helpers ---- */

/* Number of UTF-8 characters in s. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Byte offset of character index i of s (clamped to its end). */
static size_t utf8_offset(const char *s, size_t i)
{
    size_t off = 0;
    while (s[off] && i > 0) {
        off++;
        while (((unsigned char)s[off] & 0xC0) == 0x80)
            off++;
        i--;
    }
    return off;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
typedef struct joiner {
    sbuf b;
    const char *sep;
    int first;
} joiner;

static int join_add(void *acc, const value *item)
{
    joiner *j = acc;
    if (!j->first && j->sep)
        sbuf_add(&j->b, j->sep);
    j->first = 0;
    if (item->type == VAL_STRING) {
        sbuf_add(&j->b, val_text(item));
    } else {
        char *s = val_to_string(item);
        sbuf_add(&j->b, s);
        free(s);
    }
    return 1;
}

FN(fn_concat)
{
    joiner j = {.first = 1};
    sbuf_init(&j.b);
    ev_each_item(c, 0, env, join_add, &j);
    *out = val_string_own(sbuf_detach(&j.b));
}

FN(fn_join)
{
    value t = {0};
    joiner j = {.first = 1};
    sbuf_init(&j.b);
    j.sep = ev_str(c->args[0], env, &t);
    ev_each_item(c, 1, env, join_add, &j);
    val_free(&t);
    *out = val_string_own(sbuf_detach(&j.b));
}

/* ---- strings ---- */

FN(fn_string_length)
{
    value t = {0};
    *out = val_number((double)utf8_len(ev_str_or_self(c, env, &t)));
    val_free(&t);
}

/* The characters [from, to) of s as a new string value. */
static value char_range(const char *s, double from, double to)
{
    size_t len = utf8_len(s);
    if (!(from < to) || from >= (double)len || to <= 0)
        return val_string("");
    size_t a = from <= 0 ? 0 : (size_t)from;
    size_t b = to >= (double)len ? len : (size_t)to;
    size_t oa = utf8_offset(s, a);
    size_t ob = oa + utf8_offset(s + oa, b - a);
    return val_string_own(xstrndup(s + oa, ob - oa));
}

/* ODK substr(s, start[, end]): 0-based, end exclusive; as in ODK Web
 * Forms, a negative position counts from the end (substr('hello', -2) is
 * 'lo', substr('hello', 0, -1) is 'hell'). */
FN(fn_substr)
{
    value t = {0};
    const char *s = ev_str(c->args[0], env, &t);
    double len = (double)utf8_len(s);
    double from = trunc(ev_num(c->args[1], env));
    double to = c->nargs > 2 ? trunc(ev_num(c->args[2], env)) : INFINITY;
    if (from < 0)
        from += len;
    if (to < 0)
        to += len;
    *out = char_range(s, isnan(from) ? INFINITY : from, to);
    val_free(&t);
}

/* XPath round(): the nearest integer, ties toward positive infinity. */
static double xpath_round(double x)
{
    double r = floor(x);
    return isfinite(x) && x - r >= 0.5 ? r + 1 : isfinite(x) ? r : x;
}

/* XPath substring(s, start[, length]): 1-based, rounded positions. */
FN(fn_substring)
{
    value t = {0};
    const char *s = ev_str(c->args[0], env, &t);
    double from = xpath_round(ev_num(c->args[1], env));
    double to = c->nargs > 2 ? from + xpath_round(ev_num(c->args[2], env))
                             : INFINITY;
    if (isnan(from) || isnan(to))
        *out = val_string("");
    else
        *out = char_range(s, from - 1 < 0 ? 0 : from - 1, to - 1);
    val_free(&t);
}

/* The result of op on the first two arguments evaluated as strings. */
static void on_two_strings(const node *c, const expr_env *env, value *out,
                           value (*op)(const char *a, const char *b))
{
    value ta = {0}, tb = {0};
    const char *a = ev_str(c->args[0], env, &ta);
    const char *b = ev_str(c->args[1], env, &tb);
    *out = op(a, b);
    val_free(&ta);
    val_free(&tb);
}

static value contains(const char *a, const char *b)
{
    return val_bool(strstr(a, b) != NULL);
}

static value starts_with(const char *a, const char *b)
{
    return val_bool(strncmp(a, b, strlen(b)) == 0);
}

static value ends_with(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return val_bool(lb <= la && !strcmp(a + la - lb, b));
}

static value substring_before(const char *a, const char *b)
{
    const char *at = strstr(a, b);
    return val_string_own(at ? xstrndup(a, (size_t)(at - a)) : xstrdup(""));
}

static value substring_after(const char *a, const char *b)
{
    const char *at = strstr(a, b);
    return val_string(at ? at + strlen(b) : "");
}

FN(fn_contains) { on_two_strings(c, env, out, contains); }
FN(fn_starts_with) { on_two_strings(c, env, out, starts_with); }
FN(fn_ends_with) { on_two_strings(c, env, out, ends_with); }
FN(fn_substring_before) { on_two_strings(c, env, out, substring_before); }
FN(fn_substring_after) { on_two_strings(c, env, out, substring_after); }

FN(fn_normalize_space)
{
    value t = {0};
    const char *s = ev_str_or_self(c, env, &t);
    sbuf b;
    sbuf_init(&b);
    while (*s) {
        while (is_space((unsigned char)*s))
            s++;
        size_t n = 0;
        while (s[n] && !is_space((unsigned char)s[n]))
            n++;
        if (n && b.len)
            sbuf_addc(&b, ' ');
        sbuf_addn(&b, s, n);
        s += n;
    }
    *out = val_string_own(sbuf_detach(&b));
    val_free(&t);
}

/* Length in bytes of the UTF-8 character at s. */
static size_t char_bytes(const char *s)
{
    size_t n = 1;
    while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

FN(fn_translate)
{
    value ts = {0}, tf = {0}, tt = {0};
    const char *s = ev_str(c->args[0], env, &ts);
    const char *from = ev_str(c->args[1], env, &tf);
    const char *to = ev_str(c->args[2], env, &tt);
    sbuf b;
    sbuf_init(&b);
    for (size_t n; *s; s += n) {
        n = char_bytes(s);
        size_t idx = 0, off = 0, m = 0;
        for (; from[off]; off += m, idx++) {
            m = char_bytes(from + off);
            if (m == n && !memcmp(from + off, s, n))
                break;
        }
        if (!from[off]) {
            sbuf_addn(&b, s, n);
        } else {
            size_t o = utf8_offset(to, idx);
            if (to[o])
                sbuf_addn(&b, to + o, char_bytes(to + o));
        }
    }
    *out = val_string_own(sbuf_detach(&b));
    val_free(&ts);
    val_free(&tf);
    val_free(&tt);
}

/* ---- regular expressions ---- */

/* A compiled pattern and the match data it needs. */
typedef struct regex_prog {
    pcre2_code *code;
    pcre2_match_data *md;
} regex_prog;

static void regex_free(void *p)
{
    regex_prog *r = p;
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
    free(r);
}

/* Compile pattern with PCRE2 in UTF mode with Unicode properties (\p{L},
 * and \d, \w matching any script's digits and letters), anchored at both
 * ends: ODK's regex() matches the whole string. Returns NULL or an error
 * message. */
static char *regex_compile(const char *pattern, regex_prog **out)
{
    int rc;
    PCRE2_SIZE at;
    pcre2_code *code = pcre2_compile(
        (PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
        PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED |
            PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY,
        &rc, &at, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        return xasprintf("invalid regular expression: %s", (char *)msg);
    }
    regex_prog *r = xmalloc(sizeof *r);
    r->code = code;
    r->md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!r->md)
        abort();  /* out of memory, as xmalloc does */
    *out = r;
    return NULL;
}

/* Backtracking steps one match may take: far more than a form's pattern
 * needs on an answer, and a bound on a hostile pattern such as (a+)+$ in a
 * form that came in a bundle (a match that hits it does not match). */
#define REGEX_MATCH_LIMIT 200000

/* The match context holding the limits, made once. */
static pcre2_match_context *regex_limits(void)
{
    static pcre2_match_context *mc;
    if (!mc) {
        mc = pcre2_match_context_create(NULL);
        if (!mc)
            abort();  /* out of memory, as xmalloc does */
        pcre2_set_match_limit(mc, REGEX_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, REGEX_MATCH_LIMIT);
    }
    return mc;
}

/* Whether s matches r as a whole. */
static int regex_matches(const regex_prog *r, const char *s)
{
    return pcre2_match(r->code, (PCRE2_SPTR)s, strlen(s), 0, 0, r->md,
                       regex_limits()) >= 0;
}

/* A literal pattern is compiled once, and its errors are parse errors. */
static char *regex_prepare(node *c, expr_parse_ctx *pc, int *col)
{
    node *pat = c->args[1];
    if (pat->kind != NODE_STR)
        return NULL;
    regex_prog *r;
    char *msg = regex_compile(pat->lit.str, &r);
    if (msg) {
        *col = pat->col;
        return msg;
    }
    c->aux = r;
    c->aux_free = regex_free;
    return NULL;
}

FN(fn_regex)
{
    value ts = {0}, tp = {0};
    const char *s = ev_str(c->args[0], env, &ts);
    if (c->aux) {
        *out = val_bool(regex_matches(c->aux, s));
    } else {
        regex_prog *r;
        char *msg = regex_compile(ev_str(c->args[1], env, &tp), &r);
        *out = val_bool(!msg && regex_matches(r, s));
        if (msg)
            free(msg);
        else
            regex_free(r);
    }
    val_free(&ts);
    val_free(&tp);
}

/* ---- select questions ---- */

/* The idx-th space-separated token of s: sets *len and returns its start,
 * or NULL. With idx SIZE_MAX, counts the tokens into *len instead. */
static const char *token_at(const char *s, size_t idx, size_t *len)
{
    size_t k = 0;
    while (*s) {
        while (is_space((unsigned char)*s))
            s++;
        if (!*s)
            break;
        size_t n = 0;
        while (s[n] && !is_space((unsigned char)s[n]))
            n++;
        if (k++ == idx) {
            *len = n;
            return s;
        }
        s += n;
    }
    if (idx == SIZE_MAX)
        *len = k;
    return NULL;
}

/* Whether the space-separated list holds want (spaces around it aside).
 * An empty want is "selected" in an empty list, as in ODK: selected(., '')
 * asks whether nothing is chosen. */
static value selected(const char *list, const char *want)
{
    while (is_space((unsigned char)*want))
        want++;
    size_t wl = strlen(want);
    while (wl && is_space((unsigned char)want[wl - 1]))
        wl--;
    if (wl == 0)
        return val_bool(list[strspn(list, " \t\r\n")] == '\0');
    int found = 0;
    const char *tok;
    size_t len;
    for (size_t i = 0; !found && (tok = token_at(list, 0, &len)); i++) {
        found = len == wl && !memcmp(tok, want, wl);
        list = tok + len;
    }
    return val_bool(found);
}

FN(fn_selected) { on_two_strings(c, env, out, selected); }

FN(fn_count_selected)
{
    value t = {0};
    size_t n = 0;
    token_at(ev_str(c->args[0], env, &t), SIZE_MAX, &n);
    *out = val_number((double)n);
    val_free(&t);
}

FN(fn_selected_at)
{
    value t = {0};
    const char *list = ev_str(c->args[0], env, &t);
    double i = trunc(ev_num(c->args[1], env));
    size_t len = 0;
    const char *tok = i >= 0 && i < 1e9 ? token_at(list, (size_t)i, &len) : NULL;
    *out = val_string_own(tok ? xstrndup(tok, len) : xstrdup(""));
    val_free(&t);
}

FN(fn_coalesce)
{
    ev(c->args[0], env, out);
    if (out->type == VAL_NUMBER ? !isnan(out->num)
        : out->type == VAL_BOOL || val_text(out)[0])
        return;
    val_free(out);
    ev(c->args[1], env, out);
}

/* jr:choice-name(value, '${q}'): the quoted reference is bound like any
 * other. */
static char *choice_name_prepare(node *c, expr_parse_ctx *pc, int *col)
{
    node *q = c->args[1];
    const char *s = q->kind == NODE_STR ? q->lit.str : "";
    size_t lead = strspn(s, " \t\r\n");
    const char *name = s + lead + 2;
    size_t n = 0;
    int ok = strncmp(s + lead, "${", 2) == 0;
    if (ok) {
        n = strcspn(name, "}");
        ok = n > 0 && name[n] == '}' &&
             name[n + 1 + strspn(name + n + 1, " \t\r\n")] == '\0';
    }
    if (!ok) {
        *col = q->col;
        return xstrdup("the second argument of jr:choice-name must be a "
                       "quoted reference such as '${question}'");
    }
    c->name = xstrndup(name, n);
    /* Point at the "${" inside the quotes, for binding errors. */
    c->col = q->col + 1 + (int)(utf8_len(s) - utf8_len(s + lead));
    expr_add_ref(pc->e, c);
    return NULL;
}

FN(fn_choice_name)
{
    value t = {0};
    const char *v = ev_str(c->args[0], env, &t);
    const char *label = NULL;
    if (c->ref != EXPR_REF_UNBOUND && env->choice_label)
        label = env->choice_label(env->ctx, c->ref, v);
    *out = val_string(label ? label : "");
    val_free(&t);
}

const func_def expr_text_funcs[] = {
    {"concat", 0, -1, 0, fn_concat, NULL},
    {"join", 2, -1, 0, fn_join, NULL},
    {"string-length", 0, 1, 1, fn_string_length, NULL},
    {"substr", 2, 3, 0, fn_substr, NULL},
    {"substring", 2, 3, 0, fn_substring, NULL},
    {"substring-before", 2, 2, 0, fn_substring_before, NULL},
    {"substring-after", 2, 2, 0, fn_substring_after, NULL},
    {"contains", 2, 2, 0, fn_contains, NULL},
    {"starts-with", 2, 2, 0, fn_starts_with, NULL},
    {"ends-with", 2, 2, 0, fn_ends_with, NULL},
    {"normalize-space", 0, 1, 1, fn_normalize_space, NULL},
    {"translate", 3, 3, 0, fn_translate, NULL},
    {"regex", 2, 2, 0, fn_regex, regex_prepare},
    {"selected", 2, 2, 0, fn_selected, NULL},
    {"count-selected", 1, 1, 0, fn_count_selected, NULL},
    {"selected-at", 2, 2, 0, fn_selected_at, NULL},
    {"coalesce", 2, 2, 0, fn_coalesce, NULL},
    {"jr:choice-name", 2, 2, 0, fn_choice_name, choice_name_prepare},
};

const size_t expr_text_nfuncs = sizeof expr_text_funcs / sizeof *expr_text_funcs;
