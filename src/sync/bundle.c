/* bundle.c: the bundle schema, file names and the writer.  Reading and
 * verifying are in bundle_read.c, exporting from the store in
 * bundle_export.c.  layers: bundle-sql (this SQL is the bundle file's). */
#include "config.h"
#include "sync/bundle_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/revision.h"
#include "store/store.h"
#include "core/clock.h"
#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"

const char *const bundle_table_name[BT_COUNT] = {
    "manifest", "forms", "interviews", "revisions", "items", "audit",
    "reviews", "setups", "setup_villages", "setup_households", "decisions",
};

const char *const bundle_table_sql[BT_COUNT] = {
    "CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE forms (form_id TEXT NOT NULL, version TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, source TEXT NOT NULL,"
    " PRIMARY KEY (form_id, version)) WITHOUT ROWID",
    "CREATE TABLE interviews (uuid TEXT PRIMARY KEY, form_id TEXT NOT NULL,"
    " form_version TEXT NOT NULL, status TEXT NOT NULL,"
    " enumerator TEXT NOT NULL, device TEXT NOT NULL,"
    " created TEXT NOT NULL, updated TEXT NOT NULL, head TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE revisions (interview TEXT NOT NULL, id TEXT NOT NULL,"
    " parent TEXT, parent2 TEXT, status TEXT NOT NULL,"
    " device TEXT NOT NULL, enumerator TEXT NOT NULL,"
    " created TEXT NOT NULL, PRIMARY KEY (interview, id)) WITHOUT ROWID",
    "CREATE TABLE items (interview TEXT NOT NULL, revision TEXT NOT NULL,"
    " qid TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (interview, revision, qid, path)) WITHOUT ROWID",
    "CREATE TABLE audit (interview INTEGER NOT NULL, device TEXT NOT NULL,"
    " seq INTEGER NOT NULL, reuse INTEGER NOT NULL, time NOT NULL,"
    " event TEXT NOT NULL, qid TEXT, path TEXT, old_value TEXT,"
    " new_value TEXT, PRIMARY KEY (interview, device, seq, reuse))"
    " WITHOUT ROWID",
    "CREATE TABLE reviews (interview TEXT PRIMARY KEY, status TEXT NOT NULL,"
    " comment TEXT NOT NULL, reviewer TEXT NOT NULL, time TEXT NOT NULL,"
    " revision TEXT NOT NULL, content TEXT NOT NULL, commune TEXT NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE setups (commune TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " province TEXT NOT NULL, sequence INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE setup_villages (commune TEXT NOT NULL, code TEXT NOT NULL,"
    " name TEXT NOT NULL, enumerator TEXT NOT NULL,"
    " PRIMARY KEY (commune, code)) WITHOUT ROWID",
    "CREATE TABLE setup_households (commune TEXT NOT NULL,"
    " village TEXT NOT NULL, number TEXT NOT NULL, head TEXT NOT NULL,"
    " PRIMARY KEY (commune, village, number)) WITHOUT ROWID",
    "CREATE TABLE decisions (a TEXT NOT NULL, b TEXT NOT NULL,"
    " decision TEXT NOT NULL, keep TEXT NOT NULL, decided TEXT NOT NULL,"
    " commune TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID",
};

const char bundle_audit_v1_sql[] =
    "CREATE TABLE audit (interview TEXT NOT NULL, device TEXT NOT NULL,"
    " seq INTEGER NOT NULL, time TEXT NOT NULL, event TEXT NOT NULL,"
    " qid TEXT, path TEXT, old_value TEXT, new_value TEXT,"
    " PRIMARY KEY (interview, device, seq)) WITHOUT ROWID";

const char bundle_audit_v3_sql[] =
    "CREATE TABLE audit (interview INTEGER NOT NULL, device TEXT NOT NULL,"
    " seq INTEGER NOT NULL, time NOT NULL, event TEXT NOT NULL,"
    " qid TEXT, path TEXT, old_value TEXT, new_value TEXT,"
    " PRIMARY KEY (interview, device, seq)) WITHOUT ROWID";

const char *const bundle_manifest_key[BUNDLE_NKEYS] = {
    "audit", "bundle", "commune", "created", "device", "enumerator",
    "format", "forms", "interviews", "items", "revisions", "sha256",
};

int bundle_is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

int bundle_is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') ||
                                (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

void bundle_manifest_clear(bundle_manifest *m)
{
    free(m->uuid);
    free(m->created);
    free(m->device);
    free(m->enumerator);
    free(m->commune);
    free(m->sha256);
    memset(m, 0, sizeof *m);
}

/* Vietnamese letters and the ASCII letter each stands for in file names. */
static const char *const translit[][2] = {
    {"àáạảãâầấậẩẫăằắặẳẵ", "a"}, {"ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴ", "A"},
    {"èéẹẻẽêềếệểễ", "e"}, {"ÈÉẸẺẼÊỀẾỆỂỄ", "E"},
    {"ìíịỉĩ", "i"}, {"ÌÍỊỈĨ", "I"},
    {"òóọỏõôồốộổỗơờớợởỡ", "o"}, {"ÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠ", "O"},
    {"ùúụủũưừứựửữ", "u"}, {"ÙÚỤỦŨƯỪỨỰỬỮ", "U"},
    {"ỳýỵỷỹ", "y"}, {"ỲÝỴỶỸ", "Y"}, {"đ", "d"}, {"Đ", "D"},
};

/* Length of the UTF-8 sequence starting with byte c (1 for bad bytes). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* The ASCII letter for the UTF-8 character at p (n bytes), or 0. */
static char translit_char(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof translit / sizeof *translit; i++) {
        const char *g = translit[i][0];
        while (*g) {
            size_t m = utf8_len((unsigned char)*g);
            if (m == n && memcmp(g, p, n) == 0)
                return translit[i][1][0];
            g += m;
        }
    }
    return 0;
}

/* Append s to b made safe for FAT32/exFAT names: ASCII letters and digits
 * kept, Vietnamese letters without their marks, anything else as '-',
 * at most max characters; "unknown" when nothing is left. */
static void add_safe(sbuf *b, const char *s, size_t max)
{
    size_t start = b->len, n = 0;
    for (const char *p = s ? s : ""; *p && n < max;) {
        unsigned char c = (unsigned char)*p;
        size_t m = utf8_len(c);
        if (strnlen(p, m) < m)
            m = 1;
        char out = 0;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-')
            out = (char)c;
        else if (m > 1)
            out = translit_char(p, m);
        if (!out)
            out = '-';
        if (!(out == '-' && (b->len == start || b->s[b->len - 1] == '-'))) {
            sbuf_addc(b, out);
            n++;
        }
        p += m;
    }
    while (b->len > start && b->s[b->len - 1] == '-')
        b->s[--b->len] = '\0';
    if (b->len == start)
        sbuf_add(b, "unknown");
}

char *bundle_file_name(const char *commune, const char *enumerator,
                       const char *device, const char *created)
{
    sbuf b;
    sbuf_init(&b);
    add_safe(&b, commune, 24);
    sbuf_addc(&b, '_');
    add_safe(&b, enumerator, 24);
    sbuf_addc(&b, '_');
    add_safe(&b, device, 8);
    sbuf_addc(&b, '_');
    /* 2026-05-01T08:30:00.123Z -> 20260501T083000Z */
    for (const char *p = created; p && *p && *p != '.'; p++)
        if (*p != '-' && *p != ':')
            sbuf_addc(&b, *p);
    sbuf_add(&b, "Z_");
    unsigned char r[3];
    clock_id_bytes(r, sizeof r);
    sbuf_addf(&b, "%02x%02x%02x" BUNDLE_EXT, r[0], r[1], r[2]);
    return sbuf_detach(&b);
}

enum {
    WS_FORM, WS_IV, WS_REV, WS_ITEM, WS_AUDIT, WS_MANIFEST, WS_REVIEW,
    WS_SETUP, WS_SETUP_VILLAGE, WS_SETUP_HOUSEHOLD, WS_DECISION,
    WS_COUNT
};

static const char *const writer_sql[WS_COUNT] = {
    "INSERT INTO forms VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO interviews VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    "INSERT INTO revisions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "INSERT INTO items VALUES (?1, ?2, ?3, ?4, ?5)",
    "INSERT INTO temp.audit_in VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    "INSERT INTO manifest VALUES (?1, ?2)",
    "INSERT INTO reviews VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "INSERT INTO setups VALUES (?1, ?2, ?3, CAST(?4 AS INTEGER))",
    "INSERT INTO setup_villages VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO setup_households VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO decisions VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

/* The bundle is built in an in-memory database and reaches a disk only
 * as a whole (plain, through durable.h) or sealed: nothing half-written or
 * unencrypted ever lies in a file. */
struct bundle_writer {
    sqlite3 *db;
    char *dir;
    char *tmp;            /* how messages name the bundle being written */
    char *err;
    sqlite3_stmt *stmt[WS_COUNT];
    long n[BT_COUNT];
};

const char *bundle_writer_errmsg(const bundle_writer *w)
{
    return w->err ? w->err : "no error";
}

/* Keep "TMP: what: SQLite's reason" as the writer's message; -1. */
static int w_fail(bundle_writer *w, const char *what)
{
    int sys = sqlite3_system_errno(w->db);
    free(w->err);
    if (sys)    /* the disk's own reason: full, too large, gone */
        w->err = xasprintf("%s: %s: %s (%s)", w->tmp, what,
                           sqlite3_errmsg(w->db), strerror(sys));
    else
        w->err = xasprintf("%s: %s: %s", w->tmp, what,
                           sqlite3_errmsg(w->db));
    return -1;
}

/* Create the schema and start the one transaction of the writer. */
static int w_setup(bundle_writer *w)
{
    char *sql = xasprintf("PRAGMA journal_mode = OFF;"
                          "PRAGMA temp_store = MEMORY;"
                          "PRAGMA application_id = %d;"
                          "PRAGMA user_version = %d;",
                          BUNDLE_APP_ID, BUNDLE_FORMAT);
    int rc = sqlite3_exec(w->db, sql, NULL, NULL, NULL);
    free(sql);
    for (int i = 0; rc == SQLITE_OK && i < BT_COUNT; i++)
        rc = sqlite3_exec(w->db, bundle_table_sql[i], NULL, NULL, NULL);
    /* Audit rows wait here until every interview has its number. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(w->db, "CREATE TEMP TABLE audit_in (interview,"
                          " device, seq, time, event, qid, path, old_value,"
                          " new_value)", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(w->db, "BEGIN", NULL, NULL, NULL);
    for (int i = 0; rc == SQLITE_OK && i < WS_COUNT; i++)
        rc = sqlite3_prepare_v2(w->db, writer_sql[i], -1, &w->stmt[i], NULL);
    return rc == SQLITE_OK ? 0 : w_fail(w, "creating the bundle");
}

int bundle_writer_open(const char *dir, bundle_writer **out, char **err)
{
    *out = NULL;
    if (sodium_init() < 0) {
        *err = xasprintf(_("%s: libsodium failed to initialise"), dir);
        return -1;
    }
    bundle_writer *w = xcalloc(1, sizeof *w);
    w->dir = xstrdup(dir);
    /* No file yet: messages name the folder it is made for. */
    w->tmp = xasprintf(_("%s (the bundle being made)"), dir);
    if (sqlite3_open_v2(":memory:", &w->db, SQLITE_OPEN_READWRITE, NULL)
        != SQLITE_OK || w_setup(w) != 0) {
        if (!w->err)
            w_fail(w, "opening");
        *err = w->err;
        w->err = NULL;
        bundle_writer_abort(w);
        return -1;
    }
    *out = w;
    return 0;
}

void bundle_writer_abort(bundle_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < WS_COUNT; i++)
        sqlite3_finalize(w->stmt[i]);
    sqlite3_close(w->db);
    free(w->tmp);
    free(w->dir);
    free(w->err);
    free(w);
}

/* Bind n strings and run statement id. */
static int w_insert(bundle_writer *w, int id, const char *const *v, int n,
                    const char *what)
{
    sqlite3_stmt *s = w->stmt[id];
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return w_fail(w, what);
    return 0;
}

int bundle_writer_form(bundle_writer *w, const char *form_id,
                       const char *version, const char *source, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)source, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    sqlite3_stmt *s = w->stmt[WS_FORM];
    sqlite3_bind_text(s, 1, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text64(s, 4, source, len, SQLITE_STATIC, SQLITE_UTF8);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return w_fail(w, "writing a form");
    w->n[BT_FORMS]++;
    return 0;
}

int bundle_writer_interview(bundle_writer *w, const bundle_iv *iv)
{
    const char *v[9] = {iv->uuid, iv->form_id, iv->form_version, iv->status,
                        iv->enumerator, iv->device, iv->created, iv->updated,
                        iv->head};
    if (w_insert(w, WS_IV, v, 9, "writing an interview") != 0)
        return -1;
    w->n[BT_INTERVIEWS]++;
    return 0;
}

int bundle_writer_revision(bundle_writer *w, const bundle_rev *r)
{
    const char *v[8] = {r->interview, r->id, r->parent, r->parent2,
                        r->status, r->device, r->enumerator, r->created};
    if (w_insert(w, WS_REV, v, 8, "writing a revision") != 0)
        return -1;
    w->n[BT_REVISIONS]++;
    return 0;
}

int bundle_writer_item(bundle_writer *w, const char *interview,
                       const char *rev, const char *qid, const char *path,
                       const char *value)
{
    const char *v[5] = {interview, rev, qid, path, value};
    if (w_insert(w, WS_ITEM, v, 5, "writing an answer") != 0)
        return -1;
    w->n[BT_ITEMS]++;
    return 0;
}

int bundle_writer_audit(bundle_writer *w, const bundle_audit *a)
{
    sqlite3_stmt *s = w->stmt[WS_AUDIT];
    const char *v[9] = {a->interview, a->device, NULL, a->time, a->event,
                        a->qid, a->path, a->old_value, a->new_value};
    for (int i = 0; i < 9; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, a->seq);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return w_fail(w, "writing the audit trail");
    w->n[BT_AUDIT]++;
    return 0;
}

int bundle_writer_review(bundle_writer *w, const bundle_review *r)
{
    const char *v[8] = {r->interview, r->status, r->comment ? r->comment : "",
                        r->reviewer ? r->reviewer : "", r->time, r->revision,
                        r->content, r->commune ? r->commune : ""};
    if (w_insert(w, WS_REVIEW, v, 8, "writing a review") != 0)
        return -1;
    w->n[BT_REVIEWS]++;
    return 0;
}

int bundle_writer_decision(bundle_writer *w, const bundle_decision *d)
{
    const char *v[6] = {d->a, d->b, d->decision, d->keep ? d->keep : "",
                        d->decided, d->commune ? d->commune : ""};
    if (w_insert(w, WS_DECISION, v, 6, "writing a decision on duplicates")
        != 0)
        return -1;
    w->n[BT_DECISIONS]++;
    return 0;
}

int bundle_writer_setup(bundle_writer *w, int t, const char *const *col)
{
    int id = t == BT_SETUPS ? WS_SETUP : t == BT_SETUP_VILLAGES
        ? WS_SETUP_VILLAGE : WS_SETUP_HOUSEHOLD;
    const char *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = col[i] ? col[i] : "";
    if (w_insert(w, id, v, 4, "writing a commune's set-up") != 0)
        return -1;
    w->n[t]++;
    return 0;
}

/* Write the manifest rows (all but sha256, or only sha256 when last). */
static int w_manifest(bundle_writer *w, const bundle_manifest *m, int last)
{
    char num[6][24];
    long counts[6] = {m->audit, m->format, m->forms, m->interviews,
                      m->items, m->revisions};
    for (int i = 0; i < 6; i++)
        snprintf(num[i], sizeof num[i], "%ld", counts[i]);
    const char *val[BUNDLE_NKEYS] = {
        num[0], m->uuid, m->commune, m->created, m->device, m->enumerator,
        num[1], num[2], num[3], num[4], num[5], m->sha256,
    };
    for (int i = last ? BUNDLE_NKEYS - 1 : 0;
         i < (last ? BUNDLE_NKEYS : BUNDLE_NKEYS - 1); i++) {
        const char *v[2] = {bundle_manifest_key[i], val[i] ? val[i] : ""};
        if (w_insert(w, WS_MANIFEST, v, 2, "writing the manifest") != 0)
            return -1;
    }
    return 0;
}

/* Fill in the manifest, hash the content and commit the file. */
static int w_finish_db(bundle_writer *w, bundle_manifest *m)
{
    char uuid[37], now[32], hex[65];
    store_uuid_v4(uuid);
    store_now(now, 1);
    free(m->uuid);
    free(m->created);
    free(m->sha256);
    m->sha256 = NULL;
    m->uuid = xstrdup(uuid);
    m->created = xstrdup(now);
    m->format = BUNDLE_FORMAT;
    m->forms = w->n[BT_FORMS];
    m->interviews = w->n[BT_INTERVIEWS];
    m->revisions = w->n[BT_REVISIONS];
    m->items = w->n[BT_ITEMS];
    m->audit = w->n[BT_AUDIT];
    sqlite3_finalize(w->stmt[WS_AUDIT]);
    w->stmt[WS_AUDIT] = NULL;
    if (bundle_audit_pack(w->db, &w->err) != 0) {
        char *why = w->err;
        w->err = xasprintf(_("%s: writing the audit trail: %s"), w->tmp, why);
        free(why);
        return -1;
    }
    if (w_manifest(w, m, 0) != 0)
        return -1;
    char *why = NULL;
    if (bundle_digest(w->db, m, hex, &why) != 0) {
        free(w->err);
        w->err = xasprintf(_("%s: the bundle being written is not valid: %s"),
                           w->tmp, why);
        free(why);
        return -1;
    }
    m->sha256 = xstrdup(hex);
    if (w_manifest(w, m, 1) != 0)
        return -1;
    for (int i = 0; i < WS_COUNT; i++) {
        sqlite3_finalize(w->stmt[i]);
        w->stmt[i] = NULL;
    }
    if (sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return w_fail(w, "committing");
    /* Rebuilt with full pages and nothing stale between rows: a tenth
     * smaller once compressed, for a few milliseconds. */
    if (sqlite3_exec(w->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
        return w_fail(w, "compacting");
    return 0;
}

/* The finished database as one image (from sqlite3_malloc64). */
static unsigned char *w_image(bundle_writer *w, size_t *len)
{
    sqlite3_int64 n = 0;
    unsigned char *d = sqlite3_serialize(w->db, "main", &n, 0);
    if (!d || n <= 0) {
        sqlite3_free(d);
        free(w->err);
        w->err = xasprintf(_("%s: out of memory making the bundle"), w->tmp);
        return NULL;
    }
    *len = (size_t)n;
    return d;
}

/* The bundle b (closed here), just opened from what was written (name),
 * carries m's hash: 0, or -1 with *err. */
static int same_hash(bundle *b, const bundle_manifest *m, const char *name,
                     char **err)
{
    int same = strcmp(bundle_get_manifest(b)->sha256, m->sha256) == 0;
    bundle_close(b);
    if (!same) {
        *err = xasprintf(_("%s: reads back with another hash"), name);
        return -1;
    }
    return 0;
}

/* Check the image as an office would: every check of bundle_open, and
 * the same hash as the manifest says. */
static int w_check_image(bundle_writer *w, const unsigned char *d,
                         size_t len, const bundle_manifest *m, char **err)
{
    unsigned char *copy = sqlite3_malloc64(len);
    if (!copy) {
        *err = xasprintf(_("%s: out of memory checking the bundle"), w->tmp);
        return -1;
    }
    memcpy(copy, d, len);
    bundle *b;
    if (bundle_open_memory(w->tmp, copy, len, &b, err) != 0)
        return -1;
    /* An answer the office would refuse (one an older khaosat let be
     * typed) is named here, with what to do, rather than making the
     * office refuse every interview of the bundle. */
    char *why = NULL, *fix = NULL;
    if (bundle_check_values(b, &why, &fix) != 0) {
        *err = xasprintf(_("%s: %s: the office would refuse the bundle; %s"),
                         w->tmp, why, fix ? fix : bundle_what_to_do());
        free(why);
        free(fix);
        bundle_close(b);
        return -1;
    }
    return same_hash(b, m, w->tmp, err);
}

int bundle_writer_finish(bundle_writer *w, bundle_manifest *m,
                         unsigned char **data, size_t *len, char **err)
{
    *data = NULL;
    *len = 0;
    *err = NULL;
    unsigned char *d = NULL;
    if (w_finish_db(w, m) != 0 || !(d = w_image(w, len))) {
        *err = w->err;
        w->err = NULL;
        bundle_writer_abort(w);
        return -1;
    }
    int rc = w_check_image(w, d, *len, m, err);
    bundle_writer_abort(w);
    if (rc != 0) {
        bundle_image_free(d, *len);
        *len = 0;
        return -1;
    }
    *data = d;
    return 0;
}

void bundle_image_free(unsigned char *data, size_t len)
{
    if (data)
        sodium_memzero(data, len);
    sqlite3_free(data);
}

/* Read the new bundle back: the file must hold exactly the len bytes z,
 * the compressed form of the image that was verified (bundle_pack checks
 * that it unpacks to it). */
static int w_check(const char *path, const unsigned char *z, size_t len,
                   char **err)
{
    int fd;
    long long size;
    char *why = NULL;
    unsigned char *back = NULL;
    int rc = bundle_file_open(path, &fd, &size, &why);
    if (rc == 0) {
        if (size != (long long)len)
            rc = util_refuse(&why, _("reads back with another size"));
        else if ((back = xmalloc(len ? len : 1)) != NULL
                 && (rc = bundle_file_read(fd, 0, back, len, &why)) == 0
                 && memcmp(back, z, len) != 0)
            rc = util_refuse(&why, _("reads back with other bytes"));
        close(fd);
    }
    free(back);
    if (rc != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
    }
    return rc;
}

int bundle_write_new(const char *dir, const unsigned char *data, size_t len,
                     const bundle_manifest *m, unsigned mode, char **path,
                     char **err)
{
    *path = NULL;
    durable *d = durable_begin(dir, mode, err);
    if (!d)
        return -1;
    if (durable_write(d, data, len, err) != 0) {
        durable_abort(d);
        return -1;
    }
    for (int tries = 0; tries < 20; tries++) {
        char *name = bundle_file_name(m->commune, m->enumerator, m->device,
                                      m->created);
        char *p = xasprintf("%s/%s", dir, name);
        free(name);
        int rc = durable_commit(d, p, DURABLE_NEW, err);
        if (rc == 1) {          /* taken: d is still open */
            free(p);
            continue;
        }
        if (rc == 0)
            *path = p;
        else
            free(p);
        return rc;
    }
    durable_abort(d);
    *err = xasprintf(_("%s: no free bundle name"), dir);
    return -1;
}

int bundle_writer_commit(bundle_writer *w, bundle_manifest *m, char **path,
                         char **err)
{
    *path = NULL;
    char *dir = xstrdup(w->dir);
    unsigned char *d;
    size_t len;
    int rc = bundle_writer_finish(w, m, &d, &len, err);
    unsigned char *z = NULL;
    size_t zlen = 0;
    char *why = NULL;
    if (rc == 0 && bundle_pack(d, len, &z, &zlen, &why) != 0) {
        *err = xasprintf("%s: %s", dir, why);
        free(why);
        rc = -1;
    }
    /* Plain bundles hold the answers in the clear: only this user. */
    if (rc == 0)
        rc = bundle_write_new(dir, z, zlen, m, 0600, path, err);
    if (rc == 0 && (rc = w_check(*path, z, zlen, err)) != 0) {
        unlink(*path);
        free(*path);
        *path = NULL;
    }
    bundle_image_free(z, zlen);
    bundle_image_free(d, len);
    free(dir);
    return rc;
}
