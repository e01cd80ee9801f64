/* expr_func.c: the function library of XLSForm expressions (XPath 1.0 core
 * functions plus ODK's extensions): logic, numbers, aggregates, context and
 * dates, and the lookup the parser uses. Text and select functions are in
 * expr_text.c. */
#include "config.h"

#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/expr_int.h"
#include "core/util.h"

#define FN(name) static void name(const node *c, const expr_env *env, value *out)

/* ---- logic and conversion ---- */

FN(fn_if)
{
    ev(c->args[ev_bool(c->args[0], env) ? 1 : 2], env, out);
}

FN(fn_not) { *out = val_bool(!ev_bool(c->args[0], env)); }
FN(fn_true) { *out = val_bool(1); }
FN(fn_false) { *out = val_bool(0); }
FN(fn_boolean) { *out = val_bool(ev_bool(c->args[0], env)); }

FN(fn_boolean_from_string)
{
    value t = {0};
    const char *s = ev_str(c->args[0], env, &t);
    *out = val_bool(!strcmp(s, "true") || !strcmp(s, "1"));
    val_free(&t);
}

FN(fn_number)
{
    if (c->nargs) {
        *out = val_number(ev_num(c->args[0], env));
        return;
    }
    value t;
    ev_lookup(env, EXPR_REF_SELF, &t);
    *out = val_number(val_to_number(&t));
    val_free(&t);
}

FN(fn_string)
{
    value t = {0};
    const char *s = ev_str_or_self(c, env, &t);
    *out = val_string(s);
    val_free(&t);
}

/* ---- numbers ---- */

FN(fn_int) { *out = val_number(trunc(ev_num(c->args[0], env))); }
FN(fn_floor) { *out = val_number(floor(ev_num(c->args[0], env))); }
FN(fn_ceiling) { *out = val_number(ceil(ev_num(c->args[0], env))); }
FN(fn_abs) { *out = val_number(fabs(ev_num(c->args[0], env))); }
FN(fn_sqrt) { *out = val_number(sqrt(ev_num(c->args[0], env))); }
FN(fn_exp) { *out = val_number(exp(ev_num(c->args[0], env))); }
FN(fn_exp10) { *out = val_number(pow(10, ev_num(c->args[0], env))); }
FN(fn_log) { *out = val_number(log(ev_num(c->args[0], env))); }
FN(fn_log10) { *out = val_number(log10(ev_num(c->args[0], env))); }
FN(fn_sin) { *out = val_number(sin(ev_num(c->args[0], env))); }
FN(fn_cos) { *out = val_number(cos(ev_num(c->args[0], env))); }
FN(fn_tan) { *out = val_number(tan(ev_num(c->args[0], env))); }
FN(fn_asin) { *out = val_number(asin(ev_num(c->args[0], env))); }
FN(fn_acos) { *out = val_number(acos(ev_num(c->args[0], env))); }
FN(fn_atan) { *out = val_number(atan(ev_num(c->args[0], env))); }
FN(fn_pi) { *out = val_number(M_PI); }

FN(fn_atan2)
{
    double y = ev_num(c->args[0], env);
    *out = val_number(atan2(y, ev_num(c->args[1], env)));
}

FN(fn_pow)
{
    double b = ev_num(c->args[0], env);
    *out = val_number(pow(b, ev_num(c->args[1], env)));
}

/* XPath round(): the nearest integer, ties toward positive infinity. */
static double round_half_up(double x)
{
    if (isnan(x) || isinf(x))
        return x;
    double r = floor(x);
    return x - r >= 0.5 ? r + 1 : r;
}

/* Round x to `places` decimal places on its shortest decimal form, so that
 * round(1.005, 2) is 1.01 as written, ties toward positive infinity. */
static double round_places(double x, int places)
{
    if (isnan(x) || isinf(x) || x == 0 || places > 340)
        return x;
    /* Away from a tie, binary arithmetic rounds the same way; only near
     * one does the written decimal form have to decide. */
    if (places >= 0 && places <= 15) {
        double scale = pow(10, places), y = x * scale;
        double r = floor(y), frac = y - r;
        if (fabs(y) < 1e15 && fabs(frac - 0.5) > 1e-6)
            return (frac > 0.5 ? r + 1 : r) / scale;
    }
    char *s = val_format_number(fabs(x));
    char *dot = strchr(s, '.');
    size_t ilen = dot ? (size_t)(dot - s) : strlen(s);
    if (dot)
        memmove(dot, dot + 1, strlen(dot));
    size_t len = strlen(s);
    long keep = (long)ilen + places;
    if (keep >= (long)len) {
        free(s);
        return x;
    }
    int up = 0;
    if (keep >= 0) {
        int d = s[keep] - '0';
        int rest = 0;
        for (size_t i = (size_t)keep + 1; i < len; i++)
            rest |= s[i] != '0';
        up = d > 5 || (d == 5 && (rest || x > 0));
    }
    sbuf m;
    sbuf_init(&m);
    sbuf_addc(&m, '0');  /* room for a carry */
    if (keep > 0)
        sbuf_addn(&m, s, (size_t)keep);
    for (size_t i = m.len; up && i-- > 0;) {
        if (m.s[i] == '9') {
            m.s[i] = '0';
        } else {
            m.s[i]++;
            up = 0;
        }
    }
    /* The kept digits count units of 10^-places. */
    if (places < 0)
        for (int i = 0; i < -places; i++)
            sbuf_addc(&m, '0');
    else
        while (m.len <= (size_t)places)
            sbuf_addc(&m, '0');
    if (places > 0) {
        sbuf_addc(&m, '0');
        memmove(m.s + m.len - places, m.s + m.len - places - 1, (size_t)places);
        m.s[m.len - places - 1] = '.';
    }
    double r = val_parse_number(m.s);
    sbuf_free(&m);
    free(s);
    return x < 0 ? -r : r;
}

FN(fn_round)
{
    double x = ev_num(c->args[0], env);
    if (c->nargs < 2) {
        *out = val_number(round_half_up(x));
        return;
    }
    double p = trunc(ev_num(c->args[1], env));
    if (isnan(p))
        *out = val_number(NAN);
    else
        *out = val_number(round_places(x, p < -400 ? -400
                                          : p > 400 ? 400 : (int)p));
}

/* ---- aggregates ---- */

typedef struct agg {
    double sum, best;
    size_t n, nonempty;
    int want_max;
} agg;

/* Whether item is an empty answer: only blanks, or nothing. */
static int item_is_empty(const value *item)
{
    if (item->type != VAL_STRING)
        return 0;
    const char *s = val_text(item);
    return s[strspn(s, " \t\r\n")] == '\0';
}

/* Empty answers are skipped, as ODK Collect does: sum() over a roster
 * where one member's value is unanswered adds up the others. */
static int agg_add(void *acc, const value *item)
{
    agg *a = acc;
    if (item_is_empty(item))
        return 1;
    double d = val_to_number(item);
    a->sum += d;
    if (a->n == 0 || isnan(d) || (a->want_max ? d > a->best : d < a->best))
        a->best = isnan(a->best) ? a->best : d;
    a->n++;
    return 1;
}

FN(fn_sum)
{
    agg a = {0};
    ev_each_item(c, 0, env, agg_add, &a);
    *out = val_number(a.sum);
}

FN(fn_min)
{
    agg a = {0};
    ev_each_item(c, 0, env, agg_add, &a);
    *out = val_number(a.n ? a.best : NAN);
}

FN(fn_max)
{
    agg a = {.want_max = 1};
    ev_each_item(c, 0, env, agg_add, &a);
    *out = val_number(a.n ? a.best : NAN);
}

FN(fn_count)
{
    value t = {0};
    const value *v = ev_val(c->args[0], env, &t);
    *out = val_number(v->type == VAL_NODESET ? (double)v->n : 1);
    val_free(&t);
}

static int count_nonempty(void *acc, const value *item)
{
    agg *a = acc;
    if (item->type != VAL_STRING || val_text(item)[0])
        a->n++;
    return 1;
}

FN(fn_count_non_empty)
{
    agg a = {0};
    ev_each_item(c, 0, env, count_nonempty, &a);
    *out = val_number((double)a.n);
}

typedef struct checker {
    long n;
} checker;

static int check_add(void *acc, const value *item)
{
    ((checker *)acc)->n += val_to_bool(item);
    return 1;
}

FN(fn_checklist)
{
    double lo = ev_num(c->args[0], env), hi = ev_num(c->args[1], env);
    checker k = {0};
    ev_each_item(c, 2, env, check_add, &k);
    *out = val_bool((lo < 0 || k.n >= lo) && (hi < 0 || k.n <= hi));
}

/* ---- context ---- */

FN(fn_position)
{
    *out = val_number(env->position ? env->position(env->ctx) : 0);
}

static char *once_prepare(node *c, expr_parse_ctx *pc, int *col)
{
    pc->e->uses_self = 1;
    return NULL;
}

/* once(x): keep the current answer once there is one. */
FN(fn_once)
{
    ev_lookup(env, EXPR_REF_SELF, out);
    if (out->type == VAL_NUMBER ? !isnan(out->num)
        : out->type == VAL_BOOL || val_text(out)[0])
        return;
    val_free(out);
    ev(c->args[0], env, out);
}

/* Make libsodium's generator ready; it is safe to call repeatedly. */
static void random_init(void)
{
    static int ready;
    if (!ready)
        ready = sodium_init() >= 0;
}

/* 53 random bits as a number in [0, 1). */
static double random_unit(void)
{
    uint64_t r;
    random_init();
    randombytes_buf(&r, sizeof r);
    return (double)(r >> 11) / 9007199254740992.0;
}

FN(fn_random) { *out = val_number(random_unit()); }

FN(fn_uuid)
{
    if (c->nargs) {
        double n = ev_num(c->args[0], env);
        static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "abcdefghijklmnopqrstuvwxyz0123456789";
        random_init();
        sbuf b;
        sbuf_init(&b);
        for (double i = 0; i < n && i < 4096; i++)
            sbuf_addc(&b, set[randombytes_uniform(sizeof set - 1)]);
        *out = val_string_own(sbuf_detach(&b));
        return;
    }
    unsigned char u[16];
    clock_id_bytes(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);  /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);  /* RFC 4122 variant */
    *out = val_string_own(xasprintf(
        "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
        u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
        u[11], u[12], u[13], u[14], u[15]));
}

/* ---- digest ---- */

/* The digest algorithms of ODK that libsodium provides: their output
 * length, or 0 for a name that is not one of them. */
static size_t digest_size(const char *alg)
{
    if (!strcasecmp(alg, "SHA-256"))
        return crypto_hash_sha256_BYTES;
    if (!strcasecmp(alg, "SHA-512"))
        return crypto_hash_sha512_BYTES;
    return 0;
}

/* Whether enc is one of digest()'s encodings. */
static int digest_encoding_ok(const char *enc)
{
    return !strcasecmp(enc, "base64") || !strcasecmp(enc, "hex");
}

/* Literal algorithm and encoding names are checked with the form. */
static char *digest_prepare(node *c, expr_parse_ctx *pc, int *col)
{
    node *alg = c->args[1];
    if (alg->kind == NODE_STR && !digest_size(alg->lit.str)) {
        *col = alg->col;
        return xasprintf("digest algorithm '%s' is not available (use "
                         "'SHA-256' or 'SHA-512')", alg->lit.str);
    }
    node *enc = c->nargs > 2 ? c->args[2] : NULL;
    if (enc && enc->kind == NODE_STR && !digest_encoding_ok(enc->lit.str)) {
        *col = enc->col;
        return xasprintf("digest encoding '%s' is not available (use "
                         "'base64' or 'hex')", enc->lit.str);
    }
    return NULL;
}

/* digest(data, algorithm[, encoding]): the hash of data's UTF-8 bytes,
 * written in base64 (the default) or lowercase hex, as ODK does; empty for
 * an unknown algorithm or encoding. */
FN(fn_digest)
{
    value td = {0}, ta = {0}, te = {0};
    const char *data = ev_str(c->args[0], env, &td);
    const char *alg = ev_str(c->args[1], env, &ta);
    const char *enc = c->nargs > 2 ? ev_str(c->args[2], env, &te) : "base64";
    size_t n = digest_size(alg);
    if (n && digest_encoding_ok(enc)) {
        unsigned char h[crypto_hash_sha512_BYTES];
        random_init();
        if (n == crypto_hash_sha256_BYTES)
            crypto_hash_sha256(h, (const unsigned char *)data, strlen(data));
        else
            crypto_hash_sha512(h, (const unsigned char *)data, strlen(data));
        int hex = !strcasecmp(enc, "hex");
        size_t len = hex ? n * 2 + 1
                         : sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
        char *s = xmalloc(len);
        if (hex)
            sodium_bin2hex(s, len, h, n);
        else
            sodium_bin2base64(s, len, h, n, sodium_base64_VARIANT_ORIGINAL);
        *out = val_string_own(s);
    } else {
        *out = val_string("");
    }
    val_free(&td);
    val_free(&ta);
    val_free(&te);
}

/* ---- dates (the conversions themselves are in value.c) ---- */

/* The evaluation clock, as seconds since the epoch. */
static double eval_clock(const expr_env *env)
{
    if (env->now)
        return (double)env->now;
    struct timespec ts;
    clock_now(&ts);
    return (double)ts.tv_sec + floor(ts.tv_nsec / 1e6) / 1e3;
}

FN(fn_today)
{
    *out = val_string_own(val_format_date(val_local_days(eval_clock(env))));
}

FN(fn_now)
{
    *out = val_string_own(val_format_datetime(val_local_days(eval_clock(env))));
}

/* Numbers and date strings alike become day numbers first; what is not a
 * date gives the empty string. */
FN(fn_date)
{
    *out = val_string_own(val_format_date(ev_num(c->args[0], env)));
}

FN(fn_date_time)
{
    *out = val_string_own(val_format_datetime(ev_num(c->args[0], env)));
}

FN(fn_decimal_date_time) { *out = val_number(ev_num(c->args[0], env)); }

FN(fn_format_date)
{
    double d = ev_num(c->args[0], env);
    value t = {0};
    const char *fmt = ev_str(c->args[1], env, &t);
    *out = val_string_own(val_format_date_pattern(d, fmt));
    val_free(&t);
}

static const func_def funcs[] = {
    {"if", 3, 3, 0, fn_if, NULL},
    {"not", 1, 1, 0, fn_not, NULL},
    {"true", 0, 0, 0, fn_true, NULL},
    {"false", 0, 0, 0, fn_false, NULL},
    {"boolean", 1, 1, 0, fn_boolean, NULL},
    {"boolean-from-string", 1, 1, 0, fn_boolean_from_string, NULL},
    {"number", 0, 1, 1, fn_number, NULL},
    {"string", 0, 1, 1, fn_string, NULL},
    {"int", 1, 1, 0, fn_int, NULL},
    {"round", 1, 2, 0, fn_round, NULL},
    {"floor", 1, 1, 0, fn_floor, NULL},
    {"ceiling", 1, 1, 0, fn_ceiling, NULL},
    {"abs", 1, 1, 0, fn_abs, NULL},
    {"pow", 2, 2, 0, fn_pow, NULL},
    {"sqrt", 1, 1, 0, fn_sqrt, NULL},
    {"exp", 1, 1, 0, fn_exp, NULL},
    {"exp10", 1, 1, 0, fn_exp10, NULL},
    {"log", 1, 1, 0, fn_log, NULL},
    {"log10", 1, 1, 0, fn_log10, NULL},
    {"sin", 1, 1, 0, fn_sin, NULL},
    {"cos", 1, 1, 0, fn_cos, NULL},
    {"tan", 1, 1, 0, fn_tan, NULL},
    {"asin", 1, 1, 0, fn_asin, NULL},
    {"acos", 1, 1, 0, fn_acos, NULL},
    {"atan", 1, 1, 0, fn_atan, NULL},
    {"atan2", 2, 2, 0, fn_atan2, NULL},
    {"pi", 0, 0, 0, fn_pi, NULL},
    {"sum", 1, 1, 0, fn_sum, NULL},
    {"min", 1, -1, 0, fn_min, NULL},
    {"max", 1, -1, 0, fn_max, NULL},
    {"count", 1, 1, 0, fn_count, NULL},
    {"count-non-empty", 1, 1, 0, fn_count_non_empty, NULL},
    {"checklist", 3, -1, 0, fn_checklist, NULL},
    {"position", 0, 1, 0, fn_position, NULL},
    {"once", 1, 1, 0, fn_once, once_prepare},
    {"random", 0, 0, 0, fn_random, NULL},
    {"uuid", 0, 1, 0, fn_uuid, NULL},
    {"digest", 2, 3, 0, fn_digest, digest_prepare},
    {"today", 0, 0, 0, fn_today, NULL},
    {"now", 0, 0, 0, fn_now, NULL},
    {"date", 1, 1, 0, fn_date, NULL},
    {"date-time", 1, 1, 0, fn_date_time, NULL},
    {"decimal-date-time", 1, 1, 0, fn_decimal_date_time, NULL},
    {"format-date", 2, 2, 0, fn_format_date, NULL},
    {"format-date-time", 2, 2, 0, fn_format_date, NULL},
};

/* The entry called name (len bytes) in table t of n entries, or NULL. */
static const func_def *find_in(const func_def *t, size_t n, const char *name,
                               size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].name) == len && !memcmp(t[i].name, name, len))
            return &t[i];
    return NULL;
}

const func_def *func_find(const char *name, size_t len)
{
    const func_def *f = find_in(funcs, sizeof funcs / sizeof *funcs, name, len);
    if (!f)
        f = find_in(expr_text_funcs, expr_text_nfuncs, name, len);
    return f ? f : find_in(expr_list_funcs, expr_list_nfuncs, name, len);
}
