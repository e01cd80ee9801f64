/* bundle_read.c: the content hash of a bundle, computed while checking
 * every row, every revision id and every form's hash.
 * layers: bundle-sql (its SQL reads the bundle file only). */
#include "config.h"
#include "sync/bundle_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/revision.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

/* One column's rule: may it be NULL, is it an integer (COL_INT) or
 * either an integer or text (COL_EITHER), how long may its text be. */
typedef struct col_spec {
    unsigned char null_ok, integer;
    long max;
} col_spec;

enum { COL_TEXT, COL_INT, COL_EITHER };

#define NCOL_MAX 10

/* One row read and checked; text pointers valid until the next step. */
typedef struct row {
    const char *v[NCOL_MAX];
    size_t n[NCOL_MAX];
    char num[NCOL_MAX][24];
    unsigned char isint[NCOL_MAX];
} row;

/* Read and check the ncol columns of the current row of s. */
static int read_row(sqlite3_stmt *s, const col_spec *spec, int ncol, row *r,
                    char **why)
{
    for (int i = 0; i < ncol; i++) {
        const char *name = sqlite3_column_name(s, i);
        int type = sqlite3_column_type(s, i);
        r->v[i] = NULL;
        r->n[i] = 0;
        r->isint[i] = type == SQLITE_INTEGER;
        if (type == SQLITE_NULL && spec[i].null_ok)
            continue;
        if (spec[i].integer == COL_INT
            || (spec[i].integer == COL_EITHER && type == SQLITE_INTEGER)) {
            if (type != SQLITE_INTEGER) {
                *why = xasprintf(_("column %s is not an integer"), name);
                return -1;
            }
            snprintf(r->num[i], sizeof r->num[i], "%lld",
                     (long long)sqlite3_column_int64(s, i));
            r->v[i] = r->num[i];
            r->n[i] = strlen(r->num[i]);
            continue;
        }
        if (type != SQLITE_TEXT) {
            *why = xasprintf(_("column %s is not text"), name);
            return -1;
        }
        const char *t = (const char *)sqlite3_column_text(s, i);
        size_t n = (size_t)sqlite3_column_bytes(s, i);
        if (!t || (long)n > spec[i].max) {
            *why = xasprintf(_("column %s is longer than %ld bytes"), name,
                             spec[i].max);
            return -1;
        }
        if (memchr(t, '\0', n) || !util_utf8_valid(t, n)) {
            *why = xasprintf(_("column %s is not valid UTF-8 text"), name);
            return -1;
        }
        r->v[i] = t;
        r->n[i] = n;
    }
    return 0;
}

/* The primary key of the previous row of a table, to check that rows
 * come in strictly increasing key order: SQLite returns them in the order
 * of the file's b-tree, which a hostile file can store out of order. */
typedef struct key_order {
    char *prev;
    size_t n, cap;
    long rows;
} key_order;

/* Append key column i of r to k's buffer as its BINARY collation sorts:
 * text bytes then a 0 (no NUL inside, checked), integers as 8 bytes
 * big-endian with the sign flipped. */
static void key_put(key_order *k, size_t *at, const row *r, int i,
                    int integer)
{
    size_t need = *at + (integer ? 8 : r->n[i] + 1);
    k->prev = util_grow(k->prev, &k->cap, need, 1);
    if (integer) {
        unsigned long long v = (unsigned long long)strtoll(r->v[i], NULL, 10)
            ^ (1ULL << 63);
        for (int b = 7; b >= 0; b--)
            k->prev[(*at)++] = (char)(v >> (8 * b));
    } else {
        memcpy(k->prev + *at, r->v[i], r->n[i]);
        *at += r->n[i];
        k->prev[(*at)++] = '\0';
    }
}

/* Check that the key (the first nkey columns of r; bit i of ints set for
 * an integer column) is greater than the previous row's, and keep it. */
static int key_next(key_order *k, const row *r, int nkey, unsigned ints,
                    char **why)
{
    key_order cur = {0};
    size_t at = 0;
    for (int i = 0; i < nkey; i++)
        key_put(&cur, &at, r, i, (ints >> i) & 1);
    int bad = 0;
    if (k->rows > 0) {
        size_t m = at < k->n ? at : k->n;
        int c = memcmp(cur.prev, k->prev, m);
        bad = c < 0 || (c == 0 && at <= k->n);
    }
    free(k->prev);
    k->prev = cur.prev;
    k->n = at;
    k->cap = cur.cap;
    k->rows++;
    if (bad)
        *why = xstrdup(_("rows out of key order: the file was altered"));
    return bad ? -1 : 0;
}

/* Feed a row to a table hash. */
static void hash_row(canon *c, const row *r, int ncol)
{
    canon_mark(c, 'R');
    for (int i = 0; i < ncol; i++)
        canon_field(c, r->v[i], r->n[i]);
}

/* A failed step: SQLite's reason for it. */
static int step_fail(sqlite3 *db, const char *table, char **why)
{
    *why = xasprintf(_("table %s cannot be read: %s"), table,
                     sqlite3_errmsg(db));
    return -1;
}

/* A row-level rule beyond the column types; ctx is the caller's. */
typedef int (*row_rule)(const row *r, void *ctx, char **why);

/* Hash table t (its columns in order) with every row checked by the spec
 * and by rule (may be NULL); the table's hash goes to out. */
static int hash_table(sqlite3 *db, int t, const char *sql,
                      const col_spec *spec, int ncol, int nkey,
                      unsigned ints, row_rule rule, void *ctx, char out[65],
                      char **why)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return step_fail(db, bundle_table_name[t], why);
    canon c;
    canon_init(&c);
    row r;
    key_order k = {0};
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        n++;
        char *w = NULL;
        if (read_row(s, spec, ncol, &r, &w) != 0
            || key_next(&k, &r, nkey, ints, &w) != 0
            || (rule && rule(&r, ctx, &w) != 0)) {
            *why = xasprintf(_("table %s, row %ld: %s"), bundle_table_name[t],
                             n, w);
            free(w);
            free(k.prev);
            sqlite3_finalize(s);
            return -1;
        }
        hash_row(&c, &r, ncol);
    }
    free(k.prev);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return step_fail(db, bundle_table_name[t], why);
    canon_mark(&c, 'E');
    canon_final(&c, out);
    return 0;
}

#define V BUNDLE_MAX_VALUE
static const col_spec spec_manifest[2] = {{0, 0, 64}, {0, 0, V}};
static const col_spec spec_forms[4] = {
    {0, 0, V}, {0, 0, V}, {0, 0, 64}, {0, 0, BUNDLE_MAX_SOURCE}};
static const col_spec spec_iv[9] = {
    {0, 0, 36}, {0, 0, V}, {0, 0, V}, {0, 0, 8}, {0, 0, V}, {0, 0, V},
    {0, 0, 64}, {0, 0, 64}, {0, 0, 64}};
static const col_spec spec_rev[10] = {
    {0, 0, 36}, {0, 0, 64}, {1, 0, 64}, {1, 0, 64}, {0, 0, 8}, {0, 0, V},
    {0, 0, V}, {0, 0, 64}, {1, 0, V}, {1, 0, V}};
static const col_spec spec_item[5] = {
    {0, 0, 36}, {0, 0, 64}, {0, 0, V}, {0, 0, V}, {0, 0, V}};
static const col_spec spec_audit[9] = {
    {0, 0, 36}, {0, 0, V}, {0, 1, 0}, {0, 0, 64}, {0, 0, 64}, {1, 0, V},
    {1, 0, V}, {1, 0, V}, {1, 0, V}};
static const col_spec spec_review[8] = {
    {0, 0, 36}, {0, 0, 8}, {0, 0, V}, {0, 0, V}, {0, 0, 64}, {0, 0, 64},
    {0, 0, 64}, {0, 0, V}};
static const col_spec spec_audit2[9] = {
    {0, COL_INT, 0}, {0, 0, V}, {0, COL_INT, 0}, {0, COL_EITHER, 64},
    {0, 0, 64}, {1, 0, V}, {1, 0, V}, {1, 0, V}, {1, 0, V}};
static const col_spec spec_audit6[10] = {
    {0, COL_INT, 0}, {0, 0, V}, {0, COL_INT, 0}, {0, COL_INT, 0},
    {0, COL_EITHER, 64}, {0, 0, 64}, {1, 0, V}, {1, 0, V}, {1, 0, V},
    {1, 0, V}};
#define N STORE_SETUP_MAX_NAME
static const col_spec spec_setup[4] = {
    {0, 0, 5}, {0, 0, N}, {0, 0, 2}, {0, COL_INT, 0}};
static const col_spec spec_setup_village[4] = {
    {0, 0, 5}, {0, 0, 10}, {0, 0, N}, {0, 0, N}};
static const col_spec spec_setup_household[4] = {
    {0, 0, 5}, {0, 0, 10}, {0, 0, 4}, {0, 0, N}};
#undef N
static const col_spec spec_decision[6] = {
    {0, 0, 36}, {0, 0, 36}, {0, 0, 9}, {0, 0, 36}, {0, 0, 64}, {0, 0, V}};
#undef V

static int rule_manifest(const row *r, void *ctx, char **why)
{
    (void)ctx;
    for (int i = 0; i < BUNDLE_NKEYS; i++)
        if (strcmp(r->v[0], bundle_manifest_key[i]) == 0)
            return 0;
    *why = xasprintf(_("unknown manifest key \"%s\""), r->v[0]);
    return -1;
}

static int rule_form(const row *r, void *ctx, char **why)
{
    (void)ctx;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)r->v[3], r->n[3]);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcmp(hex, r->v[2]) == 0)
        return 0;
    *why = xasprintf(_("form %s version %s does not match its SHA-256"),
                     r->v[0], r->v[1]);
    return -1;
}

/* A time as khaosat stamps it (clock_stamp_parse): one written
 * otherwise would compare wrongly upstream. */
static int stamp_ok(const char *s)
{
    struct timespec t;
    return clock_stamp_parse(s, &t) == 0;
}

/* Non-zero for the two statuses an interview can have. */
static int status_ok(const char *s)
{
    return strcmp(s, "draft") == 0 || strcmp(s, "complete") == 0;
}

static int rule_iv(const row *r, void *ctx, char **why)
{
    (void)ctx;
    if (!bundle_is_uuid(r->v[0]))
        *why = xasprintf(_("\"%s\" is not an interview UUID"), r->v[0]);
    else if (!status_ok(r->v[3]))
        *why = xasprintf(_("interview %s has status \"%s\""), r->v[0], r->v[3]);
    else if (!bundle_is_hex64(r->v[8]))
        *why = xasprintf(_("interview %s has a bad head revision"), r->v[0]);
    else
        return 0;
    return -1;
}

static int rule_audit(const row *r, void *ctx, char **why)
{
    (void)ctx;
    if (bundle_is_uuid(r->v[0]))
        return 0;
    *why = xasprintf(_("\"%s\" is not an interview UUID"), r->v[0]);
    return -1;
}

static int rule_review(const row *r, void *ctx, char **why)
{
    (void)ctx;
    if (!bundle_is_uuid(r->v[0]))
        *why = xasprintf(_("\"%s\" is not an interview UUID"), r->v[0]);
    else if (strcmp(r->v[1], "approved") && strcmp(r->v[1], "returned")
             && strcmp(r->v[1], "cleared"))
        *why = xasprintf(_("the review of %s has status \"%s\""), r->v[0],
                         r->v[1]);
    else if (!bundle_is_hex64(r->v[5]) || !bundle_is_hex64(r->v[6])
             || !stamp_ok(r->v[4]))
        *why = xasprintf(_("the review of %s lacks its time or the revision "
                           "it judged"), r->v[0]);
    else
        return 0;
    return -1;
}

static int rule_decision(const row *r, void *ctx, char **why)
{
    (void)ctx;
    const char *a = r->v[0], *b = r->v[1], *d = r->v[2], *keep = r->v[3];
    if (!bundle_is_uuid(a) || !bundle_is_uuid(b) || strcmp(a, b) >= 0)
        *why = xasprintf(_("\"%s\" and \"%s\" are not two interview UUIDs"
                           " in order"), a, b);
    else if (strcmp(d, "same") && strcmp(d, "different") && strcmp(d, "open"))
        *why = xasprintf(_("the decision on %s and %s is \"%s\""), a, b, d);
    else if (!strcmp(d, "same") ? strcmp(keep, a) && strcmp(keep, b)
                                : *keep != '\0')
        *why = xasprintf(_("the decision on %s and %s keeps \"%s\""), a, b,
                         keep);
    else if (!stamp_ok(r->v[4]))
        *why = xasprintf(_("the decision on %s and %s lacks its time"), a, b);
    else
        return 0;
    return -1;
}

/* Non-zero when s is 1 to max characters of set, and min at least. */
static int chars_ok(const char *s, size_t min, size_t max, const char *set)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, set) == n;
}

#define DIGITS "0123456789"
#define CODE_CHARS DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"

/* Refuse (-1) text of column what that a screen cannot show. */
static int text_shown(const char *s, const char *what, char **why)
{
    if (!ui_text_has_control(s))
        return 0;
    *why = xasprintf(_("the %s holds a control character"), what);
    return -1;
}

static int rule_setup(const row *r, void *ctx, char **why)
{
    (void)ctx;
    if (!chars_ok(r->v[0], 5, 5, DIGITS))
        *why = xasprintf(_("commune code \"%s\" is not five digits"),
                         r->v[0]);
    else if (!*r->v[1])
        *why = xasprintf(_("commune %s has no name"), r->v[0]);
    else if (text_shown(r->v[1], _("commune's name"), why) != 0)
        return -1;
    else if (*r->v[2] && !chars_ok(r->v[2], 2, 2, DIGITS))
        *why = xasprintf(_("province code \"%s\" is not two digits"),
                         r->v[2]);
    else if (!chars_ok(r->v[3], 1, 10, DIGITS)
             || strtoll(r->v[3], NULL, 10) < 1
             || strtoll(r->v[3], NULL, 10) > STORE_SETUP_MAX_SEQUENCE)
        *why = xasprintf(_("the set-up of commune %s has sequence number %s"),
                         r->v[0], r->v[3]);
    else
        return 0;
    return -1;
}

/* The villages of the commune being read, to bound them. */
typedef struct village_run {
    char commune[8];
    long n;
} village_run;

static int rule_setup_village(const row *r, void *ctx, char **why)
{
    village_run *run = ctx;
    if (strcmp(run->commune, r->v[0]) != 0) {
        snprintf(run->commune, sizeof run->commune, "%s", r->v[0]);
        run->n = 0;
    }
    if (++run->n > STORE_SETUP_MAX_VILLAGES)
        *why = xasprintf(_("commune %s has more than %ld villages"), r->v[0],
                         STORE_SETUP_MAX_VILLAGES);
    else if (!chars_ok(r->v[1], 1, 10, CODE_CHARS))
        *why = xasprintf(_("village code \"%s\" is not 1 to 10 letters, "
                           "digits, '-' or '_'"), r->v[1]);
    else if (!*r->v[2])
        *why = xasprintf(_("village %s has no name"), r->v[1]);
    else
        return text_shown(r->v[2], _("village's name"), why) != 0
            || text_shown(r->v[3], _("enumerator's name"), why) != 0
            ? -1 : 0;
    return -1;
}

static int rule_setup_household(const row *r, void *ctx, char **why)
{
    (void)ctx;
    if (!store_household_number_valid(r->v[2]))
        *why = xasprintf(_("household number \"%s\" is not a whole number "
                           "from 1 to 9999 without leading zeros"), r->v[2]);
    else
        return text_shown(r->v[3], _("head's name"), why);
    return -1;
}

/* Refuse (-1) a commune with two village codes differing only in case:
 * the office refuses them (setup villages), so one here was forged. */
static int villages_apart_by_case(sqlite3 *db, char **why)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT commune, min(code), max(code)"
                                " FROM setup_villages GROUP BY commune,"
                                " lower(code) HAVING count(*) > 1 LIMIT 1",
                                -1, &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char *a = ui_text_safe((const char *)sqlite3_column_text(s, 1),
                               UI_TEXT_QUOTED);
        char *b = ui_text_safe((const char *)sqlite3_column_text(s, 2),
                               UI_TEXT_QUOTED);
        *why = xasprintf(_("commune %s has village codes \"%s\" and \"%s\","
                           " the same but for case"),
                         (const char *)sqlite3_column_text(s, 0), a, b);
        free(a);
        free(b);
    } else if (rc != SQLITE_DONE)
        *why = xasprintf(_("reading the villages: %s"), sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return *why ? -1 : 0;
}

/* The set-up tables of format 5, their hashes to th. */
static int hash_setups(sqlite3 *db, char th[][65], char **why)
{
    village_run run = {"", 0};
    if (hash_table(db, BT_SETUPS, "SELECT commune, name, province, sequence"
                   " FROM setups ORDER BY commune", spec_setup, 4, 1, 0,
                   rule_setup, NULL, th[BT_SETUPS], why) != 0
        || hash_table(db, BT_SETUP_VILLAGES, "SELECT commune, code, name,"
                      " enumerator FROM setup_villages ORDER BY commune, code",
                      spec_setup_village, 4, 2, 0, rule_setup_village, &run,
                      th[BT_SETUP_VILLAGES], why) != 0
        || villages_apart_by_case(db, why) != 0)
        return -1;
    return hash_table(db, BT_SETUP_HOUSEHOLDS, "SELECT commune, village,"
                      " number, head FROM setup_households ORDER BY commune,"
                      " village, number", spec_setup_household, 4, 3, 0,
                      rule_setup_household, NULL, th[BT_SETUP_HOUSEHOLDS],
                      why);
}

/* Non-zero when path is a repeat's own path ("members",
 * "members[2]/crops"), as repeat counts are keyed. */
static int count_path_ok(const char *path)
{
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    if (!*name || strpbrk(name, "[]"))
        return 0;
    if (name == path)
        return 1;
    char *inst = xstrndup(path, (size_t)(name - 1 - path));
    int ok = *inst && store_path_valid(inst);
    free(inst);
    return ok;
}

/* Check one item: an answer, or a repeat count when qid is empty. */
static int item_ok(const row *r, char **why)
{
    const char *qid = r->v[2], *path = r->v[3], *value = r->v[4];
    if (!*qid) {
        if (!count_path_ok(path) || !*value || strspn(value, "0123456789")
            != strlen(value) || strlen(value) > 6) {
            *why = xasprintf(_("bad repeat count \"%s\" for \"%s\""), value,
                             path);
            return -1;
        }
    } else if (!store_path_valid(path)) {
        *why = xasprintf(_("answer %s has a bad repeat path \"%s\""), qid,
                         path);
        return -1;
    }
    return 0;
}

static int rule_rev(const row *r, char **why)
{
    if (!r->v[8])
        *why = xasprintf(_("revision %s belongs to interview %s, which the "
                         "bundle does not carry"), r->v[1], r->v[0]);
    else if (!bundle_is_hex64(r->v[1]) || (r->v[2] && !bundle_is_hex64(
                 r->v[2])) || (r->v[3] && !bundle_is_hex64(r->v[3])))
        *why = xasprintf(_("revision %s of interview %s has a bad id"),
                         r->v[1], r->v[0]);
    else if (!status_ok(r->v[4]))
        *why = xasprintf(_("revision %s has status \"%s\""), r->v[1], r->v[4]);
    else
        return 0;
    return -1;
}

/* Order of an item's (interview, revision) against a revision's. */
static int item_vs_rev(const row *it, const row *rv)
{
    return rev_item_cmp(it->v[0], it->v[1], rv->v[0], rv->v[1]);
}

/* The joint pass over revisions and items. */
typedef struct rev_pass {
    sqlite3_stmt *rs, *is;
    row rv, it;
    int have_item;
    canon rc, ic;
    key_order rk, ik;
    long nrev, nitem;
    char iv[40];              /* the interview of the last revision */
    long iv_revs;             /* and how many revisions it has so far */
} rev_pass;

/* Step to the next item, checking it; -1 on failure. */
static int next_item(sqlite3 *db, rev_pass *p, char **why)
{
    int rc = sqlite3_step(p->is);
    p->have_item = rc == SQLITE_ROW;
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return step_fail(db, "items", why);
    p->nitem++;
    char *w = NULL;
    if (read_row(p->is, spec_item, 5, &p->it, &w) != 0
        || key_next(&p->ik, &p->it, 4, 0, &w) != 0
        || item_ok(&p->it, &w) != 0) {
        *why = xasprintf(_("table items, row %ld: %s"), p->nitem, w);
        free(w);
        return -1;
    }
    return 0;
}

/* Hash one revision's items and check its id. */
static int one_revision(sqlite3 *db, rev_pass *p, char **why)
{
    rev_meta m = {p->rv.v[0], p->rv.v[8], p->rv.v[9], p->rv.v[4],
                  p->rv.v[2], p->rv.v[3]};
    rev_hasher h;
    rev_hash_begin(&h, &m);
    if (p->have_item && item_vs_rev(&p->it, &p->rv) < 0) {
        *why = xasprintf(_("table items, row %ld: answer of revision %s, "
                         "which the bundle does not carry"), p->nitem,
                         p->it.v[1]);
        return -1;
    }
    while (p->have_item && item_vs_rev(&p->it, &p->rv) == 0) {
        hash_row(&p->ic, &p->it, 5);
        rev_hash_item(&h, p->it.v[2], p->it.v[3], p->it.v[4]);
        if (next_item(db, p, why) != 0)
            return -1;
    }
    char id[65];
    rev_hash_end(&h, id, NULL);
    if (strcmp(id, p->rv.v[1]) != 0) {
        *why = xasprintf(_("revision %s of interview %s does not match its "
                         "content"), p->rv.v[1], p->rv.v[0]);
        return -1;
    }
    return 0;
}

/* Revisions and items in one pass: table hashes and revision ids. */
static int hash_revisions(sqlite3 *db, char rh[65], char ih[65], char **why)
{
    rev_pass p;
    memset(&p, 0, sizeof p);
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT r.interview, r.id, r.parent,"
            " r.parent2, r.status, r.device, r.enumerator, r.created,"
            " i.form_id, i.form_version FROM revisions r LEFT JOIN"
            " interviews i ON i.uuid = r.interview ORDER BY r.interview,"
            " r.id", -1, &p.rs, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "SELECT interview, revision, qid, path,"
            " value FROM items ORDER BY interview, revision, qid, path", -1,
            &p.is, NULL) != SQLITE_OK) {
        step_fail(db, "revisions", why);
        goto out;
    }
    canon_init(&p.rc);
    canon_init(&p.ic);
    if (next_item(db, &p, why) != 0)
        goto out;
    int step;
    while ((step = sqlite3_step(p.rs)) == SQLITE_ROW) {
        p.nrev++;
        char *w = NULL;
        if (read_row(p.rs, spec_rev, 10, &p.rv, &w) != 0
            || key_next(&p.rk, &p.rv, 2, 0, &w) != 0
            || rule_rev(&p.rv, &w) != 0) {
            *why = xasprintf(_("table revisions, row %ld: %s"), p.nrev, w);
            free(w);
            goto out;
        }
        if (strcmp(p.iv, p.rv.v[0]) != 0) {
            snprintf(p.iv, sizeof p.iv, "%s", p.rv.v[0]);
            p.iv_revs = 0;
        }
        if (++p.iv_revs > BUNDLE_MAX_IV_REVISIONS) {
            *why = xasprintf(_("interview %s has more than %ld revisions"),
                             p.rv.v[0], BUNDLE_MAX_IV_REVISIONS);
            goto out;
        }
        hash_row(&p.rc, &p.rv, 8);
        if (one_revision(db, &p, why) != 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        step_fail(db, "revisions", why);
        goto out;
    }
    if (p.have_item) {
        *why = xasprintf(_("table items, row %ld: answer of revision %s, "
                         "which the bundle does not carry"), p.nitem,
                         p.it.v[1]);
        goto out;
    }
    canon_mark(&p.rc, 'E');
    canon_mark(&p.ic, 'E');
    canon_final(&p.rc, rh);
    canon_final(&p.ic, ih);
    rc = 0;
out:
    free(p.rk.prev);
    free(p.ik.prev);
    sqlite3_finalize(p.rs);
    sqlite3_finalize(p.is);
    return rc;
}

/* The state of the audit pass of format 3: the bundle's number of
 * interviews, and the clock of the current (interview, device) run. */
typedef struct audit_pass {
    long interviews;
    int tcol;                 /* the time's column: 4 from format 6 */
    char *run;                /* "interview device" of the previous row */
    bundle_clock clock;
} audit_pass;

/* A row of the compact audit table: its interview is one of the
 * bundle's, and its time a text that cannot pass for a number or a
 * number of milliseconds that stays within 1970 .. 9999. */
static int rule_audit2(const row *r, void *ctx, char **why)
{
    audit_pass *p = ctx;
    long long iv = strtoll(r->v[0], NULL, 10);
    if (iv < 1 || iv > p->interviews) {
        *why = xasprintf(_("audit of interview number %s, which the bundle "
                           "does not carry"), r->v[0]);
        return -1;
    }
    int t = p->tcol;
    if (t == 4 && (r->v[3][0] == '-')) {
        *why = xasprintf(_("audit reuse number %s is negative"), r->v[3]);
        return -1;
    }
    char *run = xasprintf("%s %s", r->v[0], r->v[1]);
    if (!p->run || strcmp(run, p->run) != 0)
        bundle_clock_reset(&p->clock);
    free(p->run);
    p->run = run;
    if (!r->isint[t] && strspn(r->v[t], "-0123456789") == r->n[t]) {
        *why = xasprintf(_("audit time \"%s\" is text written as a number"),
                         r->v[t]);
        return -1;
    }
    long long delta = r->isint[t] ? strtoll(r->v[t], NULL, 10) : 0;
    if (delta < -BUNDLE_TIME_MAX || delta > BUNDLE_TIME_MAX
        || p->clock.base + delta < 0
        || p->clock.base + delta > BUNDLE_TIME_MAX) {
        *why = xasprintf(_("audit time %s is out of range"), r->v[t]);
        return -1;
    }
    p->clock.base += delta;
    return 0;
}

/* The audit table's hash, by its format. */
static int hash_audit(sqlite3 *db, const bundle_manifest *m, char out[65],
                      char **why)
{
    static const char sql[] = "SELECT interview, device, seq, time, event,"
        " qid, path, old_value, new_value FROM audit"
        " ORDER BY interview, device, seq";
    if (m->format < 3)
        return hash_table(db, BT_AUDIT, sql, spec_audit, 9, 3, 4, rule_audit,
                          NULL, out, why);
    /* From format 6 the key ends with the reuse number of rows a device
     * numbered again. */
    static const char sql6[] = "SELECT interview, device, seq, reuse, time,"
        " event, qid, path, old_value, new_value FROM audit"
        " ORDER BY interview, device, seq, reuse";
    int v6 = m->format >= 6;
    audit_pass p = {m->interviews, v6 ? 4 : 3, NULL, {0}};
    int rc = v6 ? hash_table(db, BT_AUDIT, sql6, spec_audit6, 10, 4, 13,
                             rule_audit2, &p, out, why)
        : hash_table(db, BT_AUDIT, sql, spec_audit2, 9, 3, 5, rule_audit2,
                     &p, out, why);
    free(p.run);
    return rc;
}

int bundle_digest(sqlite3 *db, const bundle_manifest *m, char out[65],
                  char **why)
{
    int ntables = BUNDLE_TABLES(m->format);
    char th[BT_COUNT][65];
    if (hash_table(db, BT_MANIFEST, "SELECT key, value FROM manifest"
                   " WHERE key <> 'sha256' ORDER BY key", spec_manifest, 2,
                   1, 0, rule_manifest, NULL, th[BT_MANIFEST], why) != 0
        || hash_table(db, BT_FORMS, "SELECT form_id, version, sha256, source"
                      " FROM forms ORDER BY form_id, version", spec_forms, 4,
                      2, 0, rule_form, NULL, th[BT_FORMS], why) != 0
        || hash_table(db, BT_INTERVIEWS, "SELECT uuid, form_id, form_version,"
                      " status, enumerator, device, created, updated, head"
                      " FROM interviews ORDER BY uuid", spec_iv, 9, 1, 0,
                      rule_iv, NULL, th[BT_INTERVIEWS], why) != 0
        || hash_revisions(db, th[BT_REVISIONS], th[BT_ITEMS], why) != 0
        || hash_audit(db, m, th[BT_AUDIT], why) != 0
        || (ntables > BT_REVIEWS
            && hash_table(db, BT_REVIEWS, "SELECT interview, status, comment,"
                          " reviewer, time, revision, content, commune FROM"
                          " reviews ORDER BY interview", spec_review, 8, 1,
                          0, rule_review, NULL, th[BT_REVIEWS], why) != 0)
        || (ntables > BT_SETUPS && hash_setups(db, th, why) != 0)
        || (ntables > BT_DECISIONS
            && hash_table(db, BT_DECISIONS, "SELECT a, b, decision, keep,"
                          " decided, commune FROM decisions ORDER BY a, b",
                          spec_decision, 6, 2, 0, rule_decision, NULL,
                          th[BT_DECISIONS], why) != 0))
        return -1;
    canon c;
    canon_init(&c);
    canon_str(&c, "khaosat-bundle-1");
    for (int t = 0; t < ntables; t++) {
        canon_str(&c, bundle_table_name[t]);
        canon_str(&c, th[t]);
    }
    canon_final(&c, out);
    return 0;
}

