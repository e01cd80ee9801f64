/* simulate.c: random but valid interviews. */
#include "config.h"
#include "session/simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/util.h"
#include "core/value.h"
#include "store/store.h"
#include "session/setup.h"

/* Tries before a question is left unanswered. */
#define SIM_TRIES 200

void sim_seed(sim_rng *r, uint64_t seed)
{
    r->state = seed;
    r->seq = 0;
    r->st = NULL;
    r->declared = -2;
    r->pool = NULL;
    r->npool = 0;
    r->pool_read = 0;
    r->used = NULL;
    r->nused = 0;
    r->used_read = 0;
    r->seq_base = -1;
    for (int i = 0; i < SIM_SETUP_N; i++)
        r->setup[i] = NULL;
}

void sim_use_setup(sim_rng *r, store *st, const char *provinces_csv)
{
    static const char *const keys[3] = {STORE_SET_SETUP_CODE,
        STORE_SET_SETUP_NAME, STORE_SET_SETUP_PROVINCE};
    for (int i = 0; i < 3; i++) {
        free(r->setup[i]);
        r->setup[i] = NULL;
        if (store_setting_get(st, keys[i], &r->setup[i]) != 0
            || (r->setup[i] && !*r->setup[i])) {
            free(r->setup[i]);
            r->setup[i] = NULL;
        }
    }
    free(r->setup[SIM_SETUP_PROVINCE_NAME]);
    r->setup[SIM_SETUP_PROVINCE_NAME] = provinces_csv
        ? setup_province_name(provinces_csv, r->setup[SIM_SETUP_PROVINCE])
        : NULL;
}

void sim_free(sim_rng *r)
{
    for (size_t i = 0; i < r->npool; i++)
        free(r->pool[i]);
    free(r->pool);
    r->pool = NULL;
    r->npool = 0;
    r->pool_read = 0;
    for (size_t i = 0; i < r->nused; i++) {
        free(r->used[i].scope);
        free(r->used[i].v);
    }
    free(r->used);
    r->used = NULL;
    r->nused = 0;
    r->used_read = 0;
    for (int i = 0; i < SIM_SETUP_N; i++) {
        free(r->setup[i]);
        r->setup[i] = NULL;
    }
}

/* splitmix64: small, fast, well distributed; not for secrets. */
uint64_t sim_next(sim_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

long sim_range(sim_rng *r, long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long)(sim_next(r) % (uint64_t)(hi - lo + 1));
}

/* Vietnamese names are family, middle and given name; the middle name
 * mostly says the sex (Văn, Thị), so given names go with it. */
static const char *const sim_family[] = {
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm",
    "Hoàng", "Huỳnh", "Vũ", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Lương", "Hà", "Lò", "Triệu",
};
static const char *const sim_middle_m[] = {"Văn", "Văn", "Đức", "Minh",
                                           "Quang", "Hữu", "Công"};
static const char *const sim_middle_f[] = {"Thị", "Thị", "Thị", "Ngọc",
                                           "Thu", "Thanh", "Kim"};
static const char *const sim_given_m[] = {
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh",
    "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Hòa", "Lâm",
};
static const char *const sim_given_f[] = {
    "Anh", "Bích", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Lan", "Liên",
    "Mai", "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Trang", "Xuân", "Yến",
};

#define SIM_N(a) ((long)(sizeof a / sizeof *a))

/* A person's name, newly allocated. */
static char *sim_person(sim_rng *r)
{
    long fam = sim_range(r, 0, SIM_N(sim_family) - 1);
    int female = sim_range(r, 0, 1) == 1;
    long mid = sim_range(r, 0, SIM_N(sim_middle_m) - 1);
    long giv = sim_range(r, 0, SIM_N(sim_given_m) - 1);
    return xasprintf("%s %s %s", sim_family[fam],
                     female ? sim_middle_f[mid] : sim_middle_m[mid],
                     female ? sim_given_f[giv] : sim_given_m[giv]);
}

/* A random candidate for an integer: ranges that plausible constraints
 * (counts, ages, years, percentages) accept. */
static char *sim_integer(sim_rng *r, int attempt)
{
    switch (attempt % 5) {
    case 0: return xasprintf("%ld", sim_range(r, 0, 10));
    case 1: return xasprintf("%ld", sim_range(r, 1, 100));
    case 2: return xasprintf("%ld", sim_range(r, 1930, 2024));
    case 3: return xasprintf("%ld", sim_range(r, 2000, 2026));
    default: return xasprintf("%ld", sim_range(r, 0, 1000));
    }
}

/* A random subset (non-empty) of the offered choices, space-separated. */
static char *sim_select(sim_rng *r, const form *f, const form_question *fq,
                        const int *ix, size_t n, int multiple)
{
    const form_list *l = &f->lists[fq->list];
    if (!n)
        return NULL;
    if (!multiple)
        return xstrdup(l->choices[ix[sim_range(r, 0, (long)n - 1)]].value);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        if (sim_range(r, 0, 2) == 0) {
            if (b.len)
                sbuf_addc(&b, ' ');
            sbuf_add(&b, l->choices[ix[i]].value);
        }
    if (!b.len)
        sbuf_add(&b, l->choices[ix[sim_range(r, 0, (long)n - 1)]].value);
    return sbuf_detach(&b);
}

/* A random candidate answer for item it. */
static char *sim_candidate(session *s, sim_rng *r, session_item it, int attempt)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    const form_question *fq = &f->q[it.q];
    switch (fq->type) {
    case QT_INTEGER:
        return sim_integer(r, attempt);
    /* Draws are sequenced one per statement: the order in which a
     * compiler evaluates function arguments is unspecified, and the same
     * seed must give the same data whichever compiler built khaosat. */
    case QT_DECIMAL: {
        long frac = sim_range(r, 0, 9), whole = sim_range(r, 0, 100);
        return xasprintf("%ld.%ld", whole, frac);
    }
    case QT_DATE: {
        /* A day of the twelve weeks up to today (the clock): a survey's
         * dates are recent.  Three draws, as before, so that a seed's
         * other answers stay as they were. */
        long d = sim_range(r, 1, 28), m = sim_range(r, 1, 12);
        long y = sim_range(r, 2020, 2026);
        (void)y;
        struct timespec now;
        clock_now(&now);
        time_t t = now.tv_sec - (time_t)((d - 1) + 28 * ((m - 1) % 3)) * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        return xasprintf("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday);
    }
    case QT_SELECT_ONE:
    case QT_SELECT_MULTIPLE: {
        int *ix;
        size_t n = inst_choices(in, it.fr, it.q, &ix);
        char *v = sim_select(r, f, fq, ix, n, fq->type == QT_SELECT_MULTIPLE);
        free(ix);
        return v;
    }
    case QT_TEXT:
        if (attempt % 2)
            return xasprintf("%ld", sim_range(r, 1, 999));
        return sim_person(r);
    default:
        return NULL;
    }
}

/* Resolver binding ${name} to a form's questions. */
static int sim_resolve(void *ctx, const char *name, int bare)
{
    return bare ? -1 : form_find(ctx, name);
}

/* The meta expression key of item it evaluated as a string (newly
 * allocated), or NULL when absent or malformed. */
static char *sim_meta_str(session *s, session_item it, const char *key)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    const char *src = form_meta(&f->q[it.q], key);
    expr *e = NULL;
    expr_error ee = {0, NULL};
    if (!src || expr_parse(src, &e, &ee) ||
        expr_bind(e, sim_resolve, (void *)f, &ee)) {
        free(ee.msg);
        expr_free(e);
        return NULL;
    }
    char *v = inst_eval_string(in, it.fr, it.q, e);
    expr_free(e);
    return v;
}

/* The meta expression key of item it evaluated as a number; NaN when
 * absent or not a number. */
static double sim_meta_num(session *s, session_item it, const char *key)
{
    char *v = sim_meta_str(s, it, key);
    if (!v)
        return NAN;
    double d = strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0
                                                                    : val_parse_number(v);
    free(v);
    return d;
}

/* Answers of one stored interview: the top-level value of qid. */
typedef struct sim_find {
    const char *qid;
    char *value;
} sim_find;

static int sim_find_cb(void *ctx, const char *qid, const char *path,
                       const char *value)
{
    sim_find *f = ctx;
    if (!*path && !strcmp(qid, f->qid) && !f->value)
        f->value = xstrdup(value);
    return 0;
}

/* Every value of a qid at any path of one interview, into the pool. */
typedef struct sim_collect {
    const char *qid;
    sim_rng *r;
} sim_collect;

static int sim_collect_cb(void *ctx, const char *qid, const char *path,
                          const char *value)
{
    sim_collect *c = ctx;
    (void)path;
    if (strcmp(qid, c->qid) || !*value)
        return 0;
    c->r->pool = xrealloc(c->r->pool, (c->r->npool + 1) * sizeof *c->r->pool);
    c->r->pool[c->r->npool++] = xstrdup(value);
    return 0;
}

/* The complete interviews of a form, their uuids collected. */
typedef struct sim_ivs {
    char **uuid;
    size_t n;
} sim_ivs;

static int sim_ivs_cb(void *ctx, const store_interview *iv)
{
    sim_ivs *v = ctx;
    if (iv->status != STORE_COMPLETE)
        return 0;
    v->uuid = xrealloc(v->uuid, (v->n + 1) * sizeof *v->uuid);
    v->uuid[v->n++] = xstrdup(iv->uuid);
    return 0;
}

/* The complete interviews of form_id (free with sim_ivs_free). */
static sim_ivs sim_complete(store *st, const char *form_id)
{
    sim_ivs v = {NULL, 0};
    store_list_interviews(st, form_id, sim_ivs_cb, &v);
    return v;
}

static void sim_ivs_free(sim_ivs *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->uuid[i]);
    free(v->uuid);
}

/* Order of pooled values. */
static int sim_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The total another form declares ("FORM QID ..." of sim_declared): the
 * smallest number in QID over FORM's complete interviews (whatever order
 * the database lists them in); -1 when none. */
static long sim_declared_total(sim_rng *r, const char *spec)
{
    if (r->declared != -2)
        return r->declared;
    r->declared = -1;
    char form_id[64], qid[64];
    if (!r->st || sscanf(spec, "%63s %63s", form_id, qid) != 2)
        return -1;
    sim_ivs v = sim_complete(r->st, form_id);
    for (size_t i = 0; i < v.n; i++) {
        sim_find f = {qid, NULL};
        store_load_answers(r->st, v.uuid[i], sim_find_cb, &f);
        double x = f.value ? val_parse_number(f.value) : NAN;
        if (x == x && x >= 0 && (r->declared < 0 || (long)x < r->declared))
            r->declared = (long)x;
        free(f.value);
    }
    sim_ivs_free(&v);
    return r->declared;
}

/* One of the values another form holds ("FORM QID" of sim_from: the
 * village codes of the communes' rosters), newly allocated; NULL when
 * there is none. */
static char *sim_from_pool(sim_rng *r, const char *spec)
{
    if (!r->pool_read) {
        r->pool_read = 1;
        char form_id[64], qid[64];
        if (r->st && sscanf(spec, "%63s %63s", form_id, qid) == 2) {
            sim_ivs v = sim_complete(r->st, form_id);
            sim_collect c = {qid, r};
            for (size_t i = 0; i < v.n; i++)
                store_load_answers(r->st, v.uuid[i], sim_collect_cb, &c);
            sim_ivs_free(&v);
        }
        /* Sorted and each value once: the same pool whatever order the
         * database lists the interviews in. */
        if (r->npool > 1)
            qsort(r->pool, r->npool, sizeof *r->pool, sim_strcmp);
        size_t k = 0;
        for (size_t i = 0; i < r->npool; i++) {
            if (k && !strcmp(r->pool[k - 1], r->pool[i]))
                free(r->pool[i]);
            else
                r->pool[k++] = r->pool[i];
        }
        r->npool = k;
    }
    if (!r->npool)
        return NULL;
    return xstrdup(r->pool[sim_range(r, 0, (long)r->npool - 1)]);
}

/* One of the texts of a sim_pick list ("a|b|c"), newly allocated. */
static char *sim_pick(sim_rng *r, const char *list)
{
    long n = 1;
    for (const char *p = list; *p; p++)
        n += *p == '|';
    long k = sim_range(r, 0, n - 1);
    const char *p = list;
    while (k-- > 0)
        p = strchr(p, '|') + 1;
    const char *e = strchr(p, '|');
    return xstrndup(p, e ? (size_t)(e - p) : strlen(p));
}

/* Numbers a sim_unique question has in the stored interviews: the
 * highest by value of its scope question. */
typedef struct sim_scan {
    const char *qid, *scope_qid;
    char *value, *scope;
} sim_scan;

static int sim_scan_cb(void *ctx, const char *qid, const char *path,
                       const char *value)
{
    sim_scan *c = ctx;
    if (*path)
        return 0;
    if (!strcmp(qid, c->qid) && !c->value)
        c->value = xstrdup(value);
    if (c->scope_qid && !strcmp(qid, c->scope_qid) && !c->scope)
        c->scope = xstrdup(value);
    return 0;
}

/* The entry of scope in r's used numbers, added (empty) when new. */
static sim_used *sim_used_get(sim_rng *r, const char *scope)
{
    for (size_t i = 0; i < r->nused; i++)
        if (!strcmp(r->used[i].scope, scope))
            return &r->used[i];
    r->used = xrealloc(r->used, (r->nused + 1) * sizeof *r->used);
    r->used[r->nused] = (sim_used){xstrdup(scope), NULL, 0};
    return &r->used[r->nused++];
}

static int sim_used_has(const sim_used *u, long x)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->v[i] == x)
            return 1;
    return 0;
}

static void sim_used_add(sim_used *u, long x)
{
    u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
    u->v[u->n++] = x;
}

static int sim_all_cb(void *ctx, const store_interview *iv)
{
    sim_ivs *v = ctx;
    v->uuid = xrealloc(v->uuid, (v->n + 1) * sizeof *v->uuid);
    v->uuid[v->n++] = xstrdup(iv->uuid);
    return 0;
}

/* Called with each stored number x of a question and the value of its
 * scope question (NULL: none). */
typedef void (*sim_number_fn)(sim_rng *r, void *ctx, double x,
                              const char *scope);

/* Call fn with the number qid holds in each of the form's stored
 * interviews (drafts too), beside scope_qid's value. */
static void sim_stored_numbers(sim_rng *r, const form *f, const char *qid,
                               const char *scope_qid, sim_number_fn fn,
                               void *ctx)
{
    sim_ivs v = {NULL, 0};
    store_list_interviews(r->st, f->id, sim_all_cb, &v);
    for (size_t i = 0; i < v.n; i++) {
        sim_scan c = {qid, scope_qid, NULL, NULL};
        store_load_answers(r->st, v.uuid[i], sim_scan_cb, &c);
        double x = c.value ? val_parse_number(c.value) : NAN;
        if (x == x)
            fn(r, ctx, x, c.scope);
        free(c.value);
        free(c.scope);
    }
    sim_ivs_free(&v);
}

/* sim_number_fn: x is taken within its scope. */
static void sim_note_used(sim_rng *r, void *ctx, double x, const char *scope)
{
    (void)ctx;
    sim_used_add(sim_used_get(r, scope ? scope : ""), (long)x);
}

/* sim_number_fn: the highest number so far. */
static void sim_note_highest(sim_rng *r, void *ctx, double x,
                             const char *scope)
{
    (void)ctx;
    (void)scope;
    if (x > r->seq_base && x < 1e9)
        r->seq_base = (long)x;
}

/* A free number of a sim_unique question ("true": over the form, else
 * the id of the question whose value it is unique within, such as a
 * household number within its village): drawn between sim_min and
 * sim_max (1 and 999 when not said) among those not stored (drafts too)
 * nor given in this run, so that two laptops rarely draw the same. */
static char *sim_unique(session *s, sim_rng *r, session_item it,
                        const char *scope_qid)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    if (!strcmp(scope_qid, "true"))
        scope_qid = NULL;
    int sq = scope_qid ? form_find(f, scope_qid) : -1;
    if (scope_qid && sq < 0)
        return NULL;
    if (!r->used_read && r->st) {
        r->used_read = 1;
        sim_stored_numbers(r, f, f->q[it.q].id, scope_qid, sim_note_used,
                           NULL);
    }
    const char *sv = sq >= 0 ? inst_get(in, inst_root(in), sq) : NULL;
    sim_used *u = sim_used_get(r, sv ? sv : "");
    double lo = sim_meta_num(s, it, "sim_min"), hi = sim_meta_num(s, it, "sim_max");
    long a = lo == lo ? (long)lo : 1, b = hi == hi ? (long)hi : 999;
    long x = a;
    for (int k = 0; k < 1000 && (k == 0 || sim_used_has(u, x)); k++)
        x = sim_range(r, a, b < a ? a : b);
    while (sim_used_has(u, x))
        x++;
    sim_used_add(u, x);
    return xasprintf("%ld", x);
}

/* The highest number question it has in the form's stored interviews
 * (drafts too), read once a run: a second run numbers on from there. */
static long sim_seq_base(session *s, sim_rng *r, session_item it)
{
    if (r->seq_base >= 0)
        return r->seq_base;
    r->seq_base = 0;
    const form *f = inst_form(session_inst(s));
    if (!r->st)
        return 0;
    sim_stored_numbers(r, f, f->q[it.q].id, NULL, sim_note_highest, NULL);
    return r->seq_base;
}

/* The set-up's value a sim_setup question takes ("code", "name",
 * "province", "province_name"), newly allocated; NULL when the database
 * has no set-up commune (drawn as usual then). */
static char *sim_setup_value(const sim_rng *r, const char *what)
{
    static const char *const names[SIM_SETUP_N] = {"code", "name",
        "province", "province_name"};
    for (int i = 0; i < SIM_SETUP_N; i++)
        if (!strcmp(what, names[i]))
            return r->setup[i] ? xstrdup(r->setup[i]) : NULL;
    return NULL;
}

/* The answer a question's meta asks for, or NULL to draw as usual:
 * sim_seq numbers the interviews of a run on from the highest number
 * stored; sim_setup takes the set-up commune's code, name, province or
 * province_name (drawn as usual without a set-up); sim_unique gives the next
 * number not yet used (within the value of another question, or "true":
 * over the form); sim_pick one of the texts "a|b|c"; sim_from "FORM QID" takes one
 * of the values of QID in FORM's complete interviews; sim_value is
 * an expression giving the answer; sim_declared "FORM QID CODE
 * [OTHER]" gives CODE to the first QID interviews (the officials a commune
 * declares) and OTHER to the rest; sim_first is the chance of the first
 * choice; sim_yes the chance of "1" over "0"; sim_min and sim_max bound an
 * integer. */
static char *sim_hinted(session *s, sim_rng *r, session_item it)
{
    const form_question *fq = &inst_form(session_inst(s))->q[it.q];
    if (form_meta(fq, "sim_seq") && r->seq > 0)
        return xasprintf("%ld", sim_seq_base(s, r, it) + r->seq);
    if (form_meta(fq, "sim_setup")) {
        char *v = sim_setup_value(r, form_meta(fq, "sim_setup"));
        if (v)
            return v;
    }
    /* Bound to the set-up's villages: drawn from them, as usual. */
    const form *bf = inst_form(session_inst(s));
    if (form_meta(fq, "choices_from") && fq->list >= 0
        && !strcmp(bf->lists[fq->list].name, form_meta(fq, "choices_from")))
        return NULL;
    if (form_meta(fq, "sim_unique"))
        return sim_unique(s, r, it, form_meta(fq, "sim_unique"));
    if (form_meta(fq, "sim_pick"))
        return sim_pick(r, form_meta(fq, "sim_pick"));
    if (form_meta(fq, "sim_from"))
        return sim_from_pool(r, form_meta(fq, "sim_from"));
    if (form_meta(fq, "sim_value"))
        return sim_meta_str(s, it, "sim_value");
    const char *dec = form_meta(fq, "sim_declared");
    char code[64], other[64];
    int nc = dec ? sscanf(dec, "%*s %*s %63s %63s", code, other) : 0;
    if (nc >= 1) {
        long n = sim_declared_total(r, dec);
        /* Numbered on from an earlier run's officials. */
        long nth = r->seq + (r->seq_base > 0 ? r->seq_base : 0);
        if (n >= 0 && r->seq > 0 && nth <= n)
            return xstrdup(code);
        return nc == 2 && n >= 0 ? xstrdup(other) : NULL;
    }
    double first = sim_meta_num(s, it, "sim_first");
    if (first == first) {
        long draw = sim_range(r, 0, 9999);
        const form *f = inst_form(session_inst(s));
        if ((double)draw < first * 10000 && fq->list >= 0 &&
            f->lists[fq->list].nchoices)
            return xstrdup(f->lists[fq->list].choices[0].value);
        return NULL;
    }
    double p = sim_meta_num(s, it, "sim_yes");
    if (p == p) {
        long draw = sim_range(r, 0, 9999);
        return xstrdup((double)draw < p * 10000 ? "1" : "0");
    }
    /* A phone number looks like one: ten digits, 0 and a mobile prefix. */
    if (fq->type == QT_TEXT && strstr(fq->id, "phone")) {
        static const char pre[] = "35789";
        /* Drawn one by one: the order of a call's arguments is the
         * compiler's, and a seed must give the same data in every build. */
        long number = sim_range(r, 0, 99999999);
        char prefix = pre[sim_range(r, 0, 4)];
        return xasprintf("0%c%08ld", prefix, number);
    }
    double lo = sim_meta_num(s, it, "sim_min"), hi = sim_meta_num(s, it, "sim_max");
    if (lo == lo && hi == hi && hi >= lo)
        return xasprintf("%ld", sim_range(r, (long)lo, (long)hi));
    return NULL;
}

/* Answer item it with the first candidate that passes its checks. */
static int sim_answer(session *s, sim_rng *r, session_item it)
{
    const form_question *fq = &inst_form(session_inst(s))->q[it.q];
    if (fq->read_only || fq->calculation || fq->type == QT_NOTE)
        return 0;
    /* Some optional questions stay unanswered, as in life, but not those
     * that other questions' logic reads. */
    if (!fq->required_always && !fq->required && !fq->ndependents &&
        sim_range(r, 0, 9) == 0)
        return 0;
    /* A text answer the form gives by default (a unit such as "tấn")
     * is kept, as an enumerator would. */
    const char *cur = inst_get(session_inst(s), it.fr, it.q);
    if (fq->type == QT_TEXT && (fq->default_value || fq->default_expr) &&
        cur && *cur)
        return 0;
    char *hint = sim_hinted(s, r, it);
    if (hint) {
        int rc = session_answer(s, it, hint, NULL);
        free(hint);
        if (rc < 0)
            return -1;
        if (rc == INST_OK)
            return 0;
    }
    for (int attempt = 0; attempt < SIM_TRIES; attempt++) {
        char *v = sim_candidate(s, r, it, attempt);
        if (!v)
            return 0;
        int rc = session_answer(s, it, v, NULL);
        free(v);
        if (rc < 0)
            return -1;
        if (rc == INST_OK)
            return 0;
    }
    return 0;
}

/* Fill scope, questions in document order, entering repeats. */
static int sim_fill_scope(session *s, sim_rng *r, inst_frame *scope, int max_repeat)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    int rp = inst_frame_repeat(scope);
    int lo = rp < 0 ? 0 : rp + 1, hi = rp < 0 ? (int)f->nq : f->q[rp].end;
    for (int q = lo; q < hi; q++) {
        const form_question *fq = &f->q[q];
        if (fq->repeat != rp || !inst_relevant(in, scope, q))
            continue;
        session_item it = {q, scope};
        if (fq->type != QT_REPEAT) {
            if (fq->type != QT_GROUP && fq->type != QT_CALCULATE &&
                sim_answer(s, r, it))
                return -1;
            continue;
        }
        if (!fq->count) {
            long lo_n = fq->min_count > 0 ? fq->min_count : 1;
            long hi_n = fq->max_count > 0 ? fq->max_count : max_repeat;
            if (hi_n > max_repeat && max_repeat >= lo_n)
                hi_n = max_repeat;
            long want = sim_range(r, lo_n, hi_n);
            while ((long)inst_repeat_count(in, scope, q) < want)
                if (session_repeat_add(s, it, NULL))
                    return -1;
        }
        for (size_t k = 0; k < inst_repeat_count(in, scope, q); k++)
            if (sim_fill_scope(s, r, inst_repeat_get(in, scope, q, k), max_repeat))
                return -1;
    }
    return 0;
}

int sim_fill(session *s, sim_rng *r, int max_repeat)
{
    return sim_fill_scope(s, r, inst_root(session_inst(s)), max_repeat);
}

/* The block of question q and rule why in b, added when new. */
static sim_block *sim_block_get(sim_blocks *b, int q, inst_check why)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].q == q && b->v[i].why == why)
            return &b->v[i];
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 8;
        b->v = xrealloc(b->v, b->cap * sizeof *b->v);
    }
    sim_block *k = &b->v[b->n++];
    memset(k, 0, sizeof *k);
    k->q = q;
    k->why = why;
    return k;
}

void sim_blocks_add(sim_blocks *b, session *s)
{
    session_problem *p = NULL;
    size_t n = session_problems(s, &p);
    for (size_t i = 0; i < n; i++) {
        /* Once per interview, however many members it stopped. */
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = p[j].item.q == p[i].item.q && p[j].why == p[i].why;
        if (seen)
            continue;
        sim_block *k = sim_block_get(b, p[i].item.q, p[i].why);
        if (k->count++ == 0)
            snprintf(k->first, sizeof k->first, "%s", session_uuid(s));
    }
    session_problems_free(p, n);
}

static int sim_block_cmp(const void *x, const void *y)
{
    const sim_block *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->q != b->q)
        return a->q < b->q ? -1 : 1;
    return (int)a->why - (int)b->why;
}

void sim_blocks_sort(sim_blocks *b)
{
    if (b->n > 1)
        qsort(b->v, b->n, sizeof *b->v, sim_block_cmp);
}

void sim_blocks_free(sim_blocks *b)
{
    free(b->v);
    memset(b, 0, sizeof *b);
}
