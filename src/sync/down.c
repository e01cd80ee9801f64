/* down.c: the downstream image (office to laptop): its schema, building
 * it from the office's database, and opening one as hostile input.
 * Applying it to a laptop is in down_apply.c.
 * layers: bundle-sql (this SQL is the downstream image's). */
#include "config.h"
#include "sync/down_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"
#include "store/sqlutil.h"
#include "store/store.h"
#include "sync/bundle_int.h"
#include "sync/merge.h"

/* The tables of a downstream image, each created by exactly this. */
enum { DT_MANIFEST, DT_FORMS, DT_REVIEWS, DT_SETUP, DT_VILLAGES,
       DT_HOUSEHOLDS,
       DT_ALLOWED, DT_DUPLICATES,       /* from format 2 */
       DT_COUNT };

/* How many of the tables a downstream image of format has. */
#define DOWN_TABLES(format) ((format) >= 2 ? DT_COUNT : DT_ALLOWED)

static const char *const down_table_name[DT_COUNT] = {
    "manifest", "forms", "reviews", "setup", "villages", "households",
    "allowed", "duplicates",
};

static const char *const down_table_sql[DT_COUNT] = {
    "CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE forms (form_id TEXT NOT NULL, version TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, source TEXT NOT NULL,"
    " PRIMARY KEY (form_id, version)) WITHOUT ROWID",
    "CREATE TABLE reviews (interview TEXT PRIMARY KEY,"
    " status TEXT NOT NULL, comment TEXT NOT NULL, reviewer TEXT NOT NULL,"
    " time TEXT NOT NULL, revision TEXT NOT NULL, content TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE setup (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE villages (code TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " enumerator TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE households (village TEXT NOT NULL, number TEXT NOT NULL,"
    " head TEXT NOT NULL, PRIMARY KEY (village, number)) WITHOUT ROWID",
    "CREATE TABLE allowed (form_id TEXT NOT NULL, version TEXT NOT NULL,"
    " PRIMARY KEY (form_id, version)) WITHOUT ROWID",
    "CREATE TABLE duplicates (a TEXT NOT NULL, b TEXT NOT NULL,"
    " form_id TEXT NOT NULL, key TEXT NOT NULL, decision TEXT NOT NULL,"
    " keep TEXT NOT NULL, decided TEXT NOT NULL, PRIMARY KEY (a, b))"
    " WITHOUT ROWID",
};

/* The manifest keys, each exactly once. */
#define DOWN_NKEYS 8
static const char *const down_manifest_key[DOWN_NKEYS] = {
    "bundle", "commune", "created", "device", "direction", "format",
    "office",
    "sequence",                         /* from format 3 */
};

/* How many of the manifest keys an image of format has. */
#define DOWN_KEYS(format) ((format) >= 3 ? DOWN_NKEYS : DOWN_NKEYS - 1)

/* The setup keys a downstream image may carry. */
static const char *const setup_key[3] = {"commune_code", "commune_name",
                                         "province_code"};

struct down_bundle {
    sqlite3 *db;
    unsigned char *image;
    size_t image_len;
    char *path;
    down_info info;
};

/* ---- building, at the office ---- */

typedef struct builder {
    sqlite3 *db;
    store *st;
    sqlite3_stmt *ins[DT_COUNT];
    long reviews, returns;
    char *err;
} builder;

static int b_fail(builder *b, const char *what)
{
    if (!b->err)
        b->err = xasprintf(_("building the downstream bundle: %s: %s"), what,
                           sqlite3_errmsg(b->db));
    return -1;
}

/* Insert the n strings v as a row of table t. */
static int b_row(builder *b, int t, const char *const *v, int n)
{
    sqlite3_stmt *s = b->ins[t];
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i] ? v[i] : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : b_fail(b, down_table_name[t]);
}

static int b_open(builder *b)
{
    static const int ncols[DT_COUNT] = {2, 4, 7, 2, 3, 3, 2, 7};
    if (sqlite3_open_v2(":memory:", &b->db, SQLITE_OPEN_READWRITE, NULL)
        != SQLITE_OK)
        return b_fail(b, "opening");
    char *sql = xasprintf("PRAGMA journal_mode = OFF;"
                          "PRAGMA application_id = %d;"
                          "PRAGMA user_version = %d;", DOWN_APP_ID,
                          DOWN_FORMAT);
    int rc = sqlite3_exec(b->db, sql, NULL, NULL, NULL);
    free(sql);
    for (int t = 0; rc == SQLITE_OK && t < DT_COUNT; t++) {
        rc = sqlite3_exec(b->db, down_table_sql[t], NULL, NULL, NULL);
        sbuf q;
        sbuf_init(&q);
        sbuf_addf(&q, "INSERT INTO %s VALUES (", down_table_name[t]);
        for (int i = 0; i < ncols[t]; i++)
            sbuf_addf(&q, "%s?%d", i ? ", " : "", i + 1);
        sbuf_add(&q, ")");
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(b->db, q.s, -1, &b->ins[t], NULL);
        sbuf_free(&q);
    }
    return rc == SQLITE_OK ? 0 : b_fail(b, "creating the tables");
}

static int b_review(void *ctx, const store_down_review *r)
{
    builder *b = ctx;
    const char *v[7] = {r->interview, r->status, r->comment, r->reviewer,
                        r->time, r->revision, r->content};
    b->reviews++;
    b->returns += strcmp(r->status, "returned") == 0;
    return b_row(b, DT_REVIEWS, v, 7);
}

static int b_village(void *ctx, const store_village *v)
{
    const char *row[3] = {v->code, v->name, v->enumerator};
    return b_row(ctx, DT_VILLAGES, row, 3);
}

static int b_household(void *ctx, const store_household *h)
{
    const char *row[3] = {h->village, h->number, h->head};
    return b_row(ctx, DT_HOUSEHOLDS, row, 3);
}

/* The office's set-up: its commune, villages and household lists. */
static int b_setup(builder *b)
{
    static const char *const set[3] = {STORE_SET_SETUP_CODE,
                                       STORE_SET_SETUP_NAME,
                                       STORE_SET_SETUP_PROVINCE};
    for (int i = 0; i < 3; i++) {
        char *v = NULL;
        if (store_setting_get(b->st, set[i], &v) != 0) {
            b->err = xstrdup(store_errmsg(b->st));
            return -1;
        }
        const char *row[2] = {setup_key[i], v};
        int rc = v ? b_row(b, DT_SETUP, row, 2) : 0;
        free(v);
        if (rc != 0)
            return -1;
    }
    int rc = store_villages_each(b->st, b_village, b);
    if (rc == 0)
        rc = store_households_each(b->st, b_household, b);
    if (rc < 0 && !b->err)
        b->err = xstrdup(store_errmsg(b->st));
    return rc ? -1 : 0;
}

/* The decided pairs of duplicates of the laptop's interviews. */
static int b_settled(void *ctx, const store_settled *d)
{
    const char *v[7] = {d->a, d->b, d->form_id, d->key, d->decision,
                        d->keep, d->decided};
    return b_row(ctx, DT_DUPLICATES, v, 7);
}

/* Form f goes with the office's leave to break drafts (a setting). */
static int b_allowed(builder *b, const form *f)
{
    char *key = xasprintf(DOWN_ALLOW_SETTING "%s", f->id), *v = NULL;
    int rc = store_setting_get(b->st, key, &v);
    free(key);
    if (rc != 0) {
        b->err = xstrdup(store_errmsg(b->st));
        return -1;
    }
    const char *row[2] = {f->id, f->version};
    rc = v && !strcmp(v, f->version) ? b_row(b, DT_ALLOWED, row, 2) : 0;
    free(v);
    return rc;
}

static int b_forms(builder *b, const catalog *cat)
{
    for (size_t i = 0; cat && i < cat->n; i++) {
        const form *f = cat->forms[i];
        if (!f->source || !f->version)
            continue;
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256(h, (const unsigned char *)f->source,
                           f->source_len);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        sqlite3_stmt *s = b->ins[DT_FORMS];
        sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, f->version, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, hex, -1, SQLITE_STATIC);
        sqlite3_bind_text64(s, 4, f->source, f->source_len, SQLITE_STATIC,
                            SQLITE_UTF8);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        /* Two files of one id and version: the first is the form. */
        if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT)
            return b_fail(b, "forms");
        if (rc == SQLITE_DONE && b_allowed(b, f) != 0)
            return -1;
    }
    return 0;
}

/* The office's next downstream sequence number, kept at once: laptops
 * order its bundles by it, not by the office's clock, which may be
 * wrong.  *seq gets it as text. */
static int b_next_sequence(builder *b, char seq[24])
{
    char *last = NULL;
    if (store_setting_get(b->st, STORE_SET_DOWN_SEQUENCE, &last) != 0)
        return -1;
    long long n = last ? util_parse_decimal15(last) : 0;
    free(last);
    snprintf(seq, 24, "%lld", (n < 0 ? 0 : n) + 1);
    return store_setting_set(b->st, STORE_SET_DOWN_SEQUENCE, seq);
}

static int b_manifest(builder *b, const char *device, bundle_manifest *m)
{
    char uuid[37], now[32], seq[24], *office = NULL, *commune = NULL;
    store_uuid_v4(uuid);
    store_now(now, 1);
    if (store_device_id(b->st, &office) != 0
        || store_setting_get(b->st, STORE_SET_SETUP_CODE, &commune) != 0
        || b_next_sequence(b, seq) != 0) {
        free(office);
        free(commune);
        b->err = xstrdup(store_errmsg(b->st));
        return -1;
    }
    char fmt[16];
    snprintf(fmt, sizeof fmt, "%d", DOWN_FORMAT);
    const char *val[DOWN_NKEYS] = {uuid, commune, now, device, "down", fmt,
                                   office, seq};
    int rc = 0;
    for (int i = 0; rc == 0 && i < DOWN_NKEYS; i++) {
        const char *row[2] = {down_manifest_key[i], val[i]};
        rc = b_row(b, DT_MANIFEST, row, 2);
    }
    m->uuid = xstrdup(uuid);
    m->created = xstrdup(now);
    m->device = xstrdup(device);
    m->interviews = b->reviews;
    m->format = DOWN_FORMAT;
    free(office);
    free(commune);
    return rc;
}

int down_build(store *st, const catalog *cat, const char *device,
               unsigned char **img, size_t *len, bundle_manifest *m,
               long *returns, char **err)
{
    *img = NULL;
    *len = 0;
    memset(m, 0, sizeof *m);
    builder b = {.st = st};
    int rc = b_open(&b);
    if (rc == 0)
        rc = store_down_reviews_each(st, device, b_review, &b);
    if (rc != 0 && !b.err)
        b.err = xstrdup(store_errmsg(st));
    if (rc == 0)
        rc = b_setup(&b);
    if (rc == 0)
        rc = b_forms(&b, cat);
    if (rc == 0) {
        rc = store_down_settled_each(st, device, b_settled, &b);
        if (rc < 0 && !b.err)
            b.err = xstrdup(store_errmsg(st));
    }
    if (rc == 0)
        rc = b_manifest(&b, device, m);
    for (int t = 0; t < DT_COUNT; t++)
        sqlite3_finalize(b.ins[t]);
    if (rc == 0) {
        sqlite3_int64 n = 0;
        *img = sqlite3_serialize(b.db, "main", &n, 0);
        *len = (size_t)n;
        if (!*img)
            rc = b_fail(&b, "serialising");
    }
    sqlite3_close(b.db);
    if (rc != 0) {
        *err = b.err ? b.err : xstrdup(_("building the downstream bundle"));
        bundle_manifest_clear(m);
        return -1;
    }
    free(b.err);
    *returns = b.returns;
    return 0;
}

/* ---- opening, on the laptop ---- */

static int check_kind(sqlite3 *db, long *format, char **why)
{
    long app = 0, version = 0;
    if (sqlutil_long(db, "PRAGMA application_id", &app) != SQLITE_OK
        || sqlutil_long(db, "PRAGMA user_version", &version) != SQLITE_OK)
        return util_refuse(why, _("damaged, cannot be read: %s"),
                      sqlite3_errmsg(db));
    if (app == BUNDLE_APP_ID)
        return util_refuse(why, _("an upstream bundle (interviews sent towards "
                      "the office) inside a downstream envelope"));
    if (app != DOWN_APP_ID || version < 1)
        return util_refuse(why, _("not a khaosat downstream bundle"));
    if (version > DOWN_FORMAT)
        return util_refuse(why, _("made by a newer khaosat (downstream format "
                      "%ld); update khaosat to read it"), version);
    *format = version;
    return 0;
}

/* Every row's values are text of a bounded length, and well formed: one
 * query per rule, naming the first row that breaks it. */
static const struct {
    const char *sql, *what;
} rules[] = {
    {"SELECT key FROM manifest WHERE typeof(value) <> 'text'"
     " OR length(CAST(value AS BLOB)) > 4096 OR typeof(key) <> 'text'",
     "a manifest entry is not short text"},
    {"SELECT form_id FROM forms WHERE typeof(form_id) <> 'text'"
     " OR typeof(version) <> 'text' OR typeof(sha256) <> 'text'"
     " OR typeof(source) <> 'text' OR length(CAST(form_id AS BLOB)) > 200"
     " OR length(CAST(version AS BLOB)) > 200"
     " OR length(CAST(source AS BLOB)) > 8388608",
     "a form is not text of the allowed length"},
    {"SELECT interview FROM reviews WHERE typeof(interview) <> 'text'"
     " OR length(interview) <> 36 OR interview GLOB '*[^0-9a-f-]*'"
     " OR status NOT IN ('approved', 'returned', 'cleared')"
     " OR typeof(comment) <> 'text' OR typeof(reviewer) <> 'text'"
     " OR typeof(time) <> 'text' OR length(CAST(comment AS BLOB)) > 65536"
     " OR length(CAST(reviewer AS BLOB)) > 200 OR length(time) > 40"
     " OR length(time) < 10"
     " OR typeof(revision) <> 'text' OR length(revision) <> 64"
     " OR revision GLOB '*[^0-9a-f]*' OR typeof(content) <> 'text'"
     " OR length(content) <> 64 OR content GLOB '*[^0-9a-f]*'",
     "a review is malformed"},
    {"SELECT key FROM setup WHERE key NOT IN ('commune_code',"
     " 'commune_name', 'province_code') OR typeof(value) <> 'text'"
     " OR length(CAST(value AS BLOB)) > 200",
     N_("a set-up entry is unknown or malformed")},
    {"SELECT code FROM villages WHERE typeof(code) <> 'text'"
     " OR length(code) < 1 OR length(code) > 10"
     " OR code GLOB '*[^A-Za-z0-9_-]*' OR typeof(name) <> 'text'"
     " OR name = '' OR length(CAST(name AS BLOB)) > 200"
     " OR typeof(enumerator) <> 'text'"
     " OR length(CAST(enumerator AS BLOB)) > 200",
     N_("a village's code, name (1 to 200 bytes) or enumerator is not "
        "one a laptop takes")},
    {"SELECT code FROM villages WHERE lower(code) IN (SELECT lower(code)"
     " FROM villages GROUP BY lower(code) HAVING count(*) > 1)",
     N_("two village codes differ only by case")},
    /* The number's form is checked in C (check_numbers), by the rule
     * of the office's own set-up. */
    {"SELECT number FROM households h WHERE typeof(number) <> 'text'"
     " OR typeof(head) <> 'text' OR length(CAST(head AS BLOB)) > 200"
     " OR NOT EXISTS (SELECT 1 FROM villages v WHERE v.code = h.village)",
     N_("a household's number is not text, its head's name (at most 200 "
        "bytes) is not one a laptop takes, or its village is not in the "
        "set-up")},
    /* Format 2 from here (see check_rows). */
    {"SELECT form_id FROM allowed a WHERE NOT EXISTS (SELECT 1 FROM forms f"
     " WHERE f.form_id = a.form_id AND f.version = a.version)",
     "a form version allowed to break drafts is not one of its forms"},
    {"SELECT a FROM duplicates WHERE typeof(a) <> 'text' OR length(a) <> 36"
     " OR a GLOB '*[^0-9a-f-]*' OR typeof(b) <> 'text' OR length(b) <> 36"
     " OR b GLOB '*[^0-9a-f-]*' OR a >= b"
     " OR decision NOT IN ('same', 'different')"
     " OR (decision = 'same' AND keep NOT IN (a, b))"
     " OR (decision = 'different' AND keep <> '')"
     " OR typeof(form_id) <> 'text' OR length(CAST(form_id AS BLOB)) > 200"
     " OR typeof(key) <> 'text' OR length(CAST(key AS BLOB)) > 4096"
     " OR typeof(decided) <> 'text' OR length(decided) < 10"
     " OR length(decided) > 40",
     "a decision on duplicates is malformed"},
};

/* The rules of format 1 images: those before the format 2 tables. */
#define DOWN_RULES_V1 7

static int check_rows(sqlite3 *db, long format, char **why)
{
    static const long limit[DT_COUNT] = {DOWN_NKEYS, BUNDLE_MAX_FORMS,
                                         BUNDLE_MAX_INTERVIEWS, 3,
                                         DOWN_MAX_VILLAGES,
                                         DOWN_MAX_HOUSEHOLDS,
                                         BUNDLE_MAX_FORMS,
                                         BUNDLE_MAX_INTERVIEWS};
    for (int t = 0; t < DOWN_TABLES(format); t++) {
        char *sql = xasprintf("SELECT count(*) FROM %s", down_table_name[t]);
        long n = -1;
        int rc = sqlutil_long(db, sql, &n);
        free(sql);
        if (rc != SQLITE_OK)
            return util_refuse(why, _("table %s cannot be read: %s"),
                          down_table_name[t], sqlite3_errmsg(db));
        if (n > limit[t])
            return util_refuse(why, _("%ld rows of %s, more than the %ld khaosat "
                          "accepts"), n, down_table_name[t], limit[t]);
    }
    size_t nrules = format >= 2 ? sizeof rules / sizeof *rules
                                : DOWN_RULES_V1;
    for (size_t i = 0; i < nrules; i++) {
        sqlite3_stmt *s;
        int rc = sqlite3_prepare_v2(db, rules[i].sql, -1, &s, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        /* The row named, escaped: it came from outside. */
        char *bad = rc == SQLITE_ROW
            ? ui_text_safe((const char *)sqlite3_column_text(s, 0),
                           UI_TEXT_QUOTED) : NULL;
        sqlite3_finalize(s);
        if (rc == SQLITE_ROW) {
            util_refuse(why, _("%s: \"%s\"; ask the office to correct it "
                               "and write the bundle again (khaosat export "
                               "--down)"), _(rules[i].what), bad);
            free(bad);
            return -1;
        }
        if (rc != SQLITE_DONE)
            return util_refuse(why, _("cannot be read: %s"), sqlite3_errmsg(db));
    }
    return 0;
}

/* The names of the set-up, each with what it is (format: the key of the
 * row as text), checked as the office's CSV files are (ui_text_name_ok):
 * the screens and `khaosat setup` show them. */
static const struct {
    const char *sql, *what;
} names[] = {
    {"SELECT value, '' FROM setup WHERE key = 'commune_name'",
     N_("the commune's name")},
    {"SELECT name, code FROM villages", N_("the name of village")},
    {"SELECT enumerator, code FROM villages",
     N_("the enumerator of village")},
    {"SELECT head, village || '/' || number FROM households",
     N_("the head of household (village/number)")},
};

static int check_names(sqlite3 *db, char **why)
{
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        sqlite3_stmt *s;
        int rc = sqlite3_prepare_v2(db, names[i].sql, -1, &s, NULL);
        if (rc == SQLITE_OK)
            rc = SQLITE_ROW;
        while (rc == SQLITE_ROW && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(s, 0);
            if (!v || ui_text_name_ok(v, (size_t)sqlite3_column_bytes(s, 0)))
                continue;
            char *key = ui_text_safe((const char *)sqlite3_column_text(s, 1),
                                     UI_TEXT_QUOTED);
            char *what = xasprintf(*key ? "%s %s" : "%s", _(names[i].what),
                                   key);
            char *bad = ui_text_safe(v, UI_TEXT_QUOTED);
            util_refuse(why, _("%s \"%s\" is not plain UTF-8 text (a "
                               "control character, a byte-order mark or "
                               "another encoding), which the office's set-up "
                               "never holds; ask the office to correct it "
                               "and write the bundle again (khaosat export "
                               "--down)"), what, bad);
            free(bad);
            free(what);
            free(key);
            sqlite3_finalize(s);
            return -1;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return util_refuse(why, _("cannot be read: %s"),
                               sqlite3_errmsg(db));
    }
    return 0;
}

/* Every household number is one the office's `khaosat setup households`
 * takes (store_household_number_valid, the one rule for both): a number
 * such as "007" would never match the number an enumerator types. */
static int check_numbers(sqlite3 *db, char **why)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT number, village FROM households"
                           " ORDER BY village, number", -1, &s, NULL)
        != SQLITE_OK)
        return util_refuse(why, _("cannot be read: %s"), sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        /* A NUL inside would hide the rest from the check. */
        if (v && strlen(v) == (size_t)sqlite3_column_bytes(s, 0)
            && store_household_number_valid(v))
            continue;
        char *bad = ui_text_safe(v ? v : "", UI_TEXT_QUOTED);
        char *village = ui_text_safe((const char *)sqlite3_column_text(s, 1),
                                     UI_TEXT_QUOTED);
        char *what = xasprintf(_("household number \"%s\" is not a whole "
                                 "number from 1 to 9999 without leading "
                                 "zeros"), bad);
        util_refuse(why, _("%s (village \"%s\"); ask the office to correct "
                           "it and write the bundle again (khaosat export "
                           "--down)"), what, village);
        free(what);
        free(village);
        free(bad);
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0
        : util_refuse(why, _("cannot be read: %s"), sqlite3_errmsg(db));
}

/* Every form's text has the SHA-256 it claims. */
static int check_forms(sqlite3 *db, char **why)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT form_id, sha256, source FROM forms",
                           -1, &s, NULL) != SQLITE_OK)
        return util_refuse(why, _("cannot read its forms: %s"), sqlite3_errmsg(db));
    int rc, bad = 0;
    while (!bad && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[65];
        crypto_hash_sha256(h, sqlite3_column_text(s, 2),
                           (size_t)sqlite3_column_bytes(s, 2));
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        if (strcmp(hex, (const char *)sqlite3_column_text(s, 1)) != 0) {
            char *id = merge_escaped((const char *)sqlite3_column_text(s,
                                                                     0));
            bad = util_refuse(why, _("form \"%s\" does not have the SHA-256 it "
                         "claims"), id);
            free(id);
        }
    }
    if (!bad && rc != SQLITE_DONE)
        bad = util_refuse(why, _("cannot read its forms: %s"), sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return bad;
}

/* A count of table t. */
static long count_of(sqlite3 *db, int t)
{
    char *sql = xasprintf("SELECT count(*) FROM %s", down_table_name[t]);
    long n = 0;
    sqlutil_long(db, sql, &n);
    free(sql);
    return n;
}

static int read_info(sqlite3 *db, down_info *in, char **why)
{
    char *seq = NULL;
    char **dst[DOWN_NKEYS] = {&in->uuid, &in->commune, &in->created,
                              &in->device, NULL, NULL, &in->office, &seq};
    int found = 0;
    for (int i = 0; i < DOWN_KEYS(in->format); i++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, "SELECT value FROM manifest WHERE"
                               " key = ?1", -1, &s, NULL) != SQLITE_OK)
            return util_refuse(why, _("damaged manifest: %s"), sqlite3_errmsg(db));
        sqlite3_bind_text(s, 1, down_manifest_key[i], -1, SQLITE_STATIC);
        char *v = sqlite3_step(s) == SQLITE_ROW
            ? xstrdup((const char *)sqlite3_column_text(s, 0)) : NULL;
        sqlite3_finalize(s);
        if (!v)
            return util_refuse(why, _("the manifest lacks \"%s\""),
                          down_manifest_key[i]);
        found++;
        int ok = 1;
        if (!strcmp(down_manifest_key[i], "direction"))
            ok = !strcmp(v, "down");
        else if (!strcmp(down_manifest_key[i], "format"))
            ok = strtol(v, NULL, 10) == in->format
                 && strspn(v, "0123456789") == strlen(v);
        else if (!strcmp(down_manifest_key[i], "sequence"))
            ok = (in->sequence = util_parse_decimal15(v)) > 0;
        if (!ok) {
            free(v);
            return util_refuse(why, _("the manifest's %s is not that of a "
                          "downstream bundle"), down_manifest_key[i]);
        }
        if (dst[i])
            *dst[i] = v;
        else
            free(v);
    }
    free(seq);
    if (count_of(db, DT_MANIFEST) != found)
        return util_refuse(why, _("the manifest has unknown entries"));
    if (!bundle_is_uuid(in->uuid) || !*in->created || !*in->device
        || !*in->office)
        return util_refuse(why, _("the manifest lacks a bundle UUID, time, "
                      "office or laptop"));
    in->forms = count_of(db, DT_FORMS);
    in->reviews = count_of(db, DT_REVIEWS);
    static const char *const state[3] = {"returned", "approved", "cleared"};
    for (int i = 0; i < 3; i++) {
        char *sql = xasprintf("SELECT count(*) FROM reviews WHERE status"
                              " = '%s'", state[i]);
        sqlutil_long(db, sql, &in->states[i]);
        free(sql);
    }
    in->villages = count_of(db, DT_VILLAGES);
    in->households = count_of(db, DT_HOUSEHOLDS);
    return 0;
}

int down_open_memory(const char *name, unsigned char *data, size_t len,
                     down_bundle **out, char **err)
{
    *out = NULL;
    down_bundle *d = xcalloc(1, sizeof *d);
    d->path = xstrdup(name);
    d->image = data;
    d->image_len = len;
    char *why = NULL;
    long f = 0;
    if (bundle_image_open(data, len, &d->db, &why) != 0
        || check_kind(d->db, &f, &why) != 0
        || (d->info.format = f,
            bundle_check_tables(d->db, down_table_name, down_table_sql,
                                DOWN_TABLES(f), 1, &why)) != 0
        || check_rows(d->db, f, &why) != 0 || check_numbers(d->db, &why) != 0
        || check_names(d->db, &why) != 0
        || check_forms(d->db, &why) != 0
        || read_info(d->db, &d->info, &why) != 0) {
        *err = why;
        down_close(d);
        return -1;
    }
    *out = d;
    return 0;
}

const unsigned char *down_image(const down_bundle *d, size_t *len)
{
    *len = d->image_len;
    return d->image;
}

void down_close(down_bundle *d)
{
    if (!d)
        return;
    sqlite3_close(d->db);
    if (d->image) {
        sodium_memzero(d->image, d->image_len);
        sqlite3_free(d->image);
    }
    free(d->info.uuid);
    free(d->info.created);
    free(d->info.office);
    free(d->info.device);
    free(d->info.commune);
    free(d->path);
    free(d);
}

const down_info *down_get_info(const down_bundle *d)
{
    return &d->info;
}

sqlite3 *down_sqlite(down_bundle *d)
{
    return d->db;
}

const char *down_path(const down_bundle *d)
{
    return d->path;
}
