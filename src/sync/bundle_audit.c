/* bundle_audit.c: the audit trail stored compactly (bundle format 3; from
 * format 6 each row also has its reuse number, see below).
 * layers: bundle-sql (this SQL is the bundle file's).
 * See khaosat-bundle(5), TABLES: each row names its interview by number
 * (its place among the bundle's interviews in UUID order) instead of
 * repeating the UUID, and its time as the milliseconds since the previous
 * row of the same interview and device, so that a trail of many answers
 * given within seconds costs a byte or two per time.  Every row is kept,
 * and the texts come back exactly as they were written. */
#include "config.h"
#include "sync/bundle_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* The date of day z after 1970-01-01. */
static void civil_from_days(long long z, long long *y, unsigned *m,
                            unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

void bundle_time_text(long long ms, char out[BUNDLE_TIME_LEN + 1])
{
    long long days = ms / 86400000, rest = ms % 86400000, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    /* Room for any value the compiler can imagine; the caller's range
     * gives exactly BUNDLE_TIME_LEN characters. */
    char buf[96];
    snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
             y, m, d, rest / 3600000, rest / 60000 % 60, rest / 1000 % 60,
             rest % 1000);
    memcpy(out, buf, BUNDLE_TIME_LEN);
    out[BUNDLE_TIME_LEN] = '\0';
}

/* The number of n digits at s, or -1. */
static long digits(const char *s, int n)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

long long bundle_time_ms(const char *t)
{
    if (!t || strlen(t) != BUNDLE_TIME_LEN || t[4] != '-' || t[7] != '-'
        || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.'
        || t[23] != 'Z')
        return -1;
    long y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2);
    long h = digits(t + 11, 2), mi = digits(t + 14, 2);
    long s = digits(t + 17, 2), ms = digits(t + 20, 3);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23
        || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0)
        return -1;
    long long v = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400000
        + h * 3600000LL + mi * 60000LL + s * 1000LL + ms;
    /* Only a time that reads back as the very same text: 31 February
     * and the like stay text. */
    char back[BUNDLE_TIME_LEN + 1];
    bundle_time_text(v, back);
    return strcmp(back, t) == 0 ? v : -1;
}

void bundle_clock_reset(bundle_clock *c)
{
    c->base = 0;
}

int bundle_clock_read(bundle_clock *c, sqlite3_stmt *s, int col,
                      char out[BUNDLE_TIME_LEN + 1], const char **text)
{
    if (sqlite3_column_type(s, col) != SQLITE_INTEGER) {
        *text = (const char *)sqlite3_column_text(s, col);
        return *text ? 0 : -1;
    }
    long long delta = sqlite3_column_int64(s, col);
    /* Within 1970 .. 9999, checked before adding: no overflow. */
    if (delta < -BUNDLE_TIME_MAX || delta > BUNDLE_TIME_MAX
        || c->base + delta < 0 || c->base + delta > BUNDLE_TIME_MAX)
        return -1;
    c->base += delta;
    bundle_time_text(c->base, out);
    *text = out;
    return 0;
}

/* The writer's audit rows (text, as the store gives them) in the order of
 * the bundle's key, each with its interview's number.  Rows of one device
 * and number that differ (a laptop restored from a backup numbers again)
 * follow in a fixed order, so that the same rows make the same bundle. */
static const char audit_in_sql[] =
    "SELECT n.n, a.device, a.seq, a.time, a.event, a.qid, a.path,"
    " a.old_value, a.new_value, a.interview FROM temp.audit_in a"
    " LEFT JOIN temp.iv_number n ON n.uuid = a.interview"
    " ORDER BY n.n, a.device, a.seq, a.time, a.event, a.qid, a.path,"
    " a.old_value, a.new_value";

/* Where copy_rows is: the run of one interview and device, and the
 * previous row's number and its reuse count. */
typedef struct pack_pos {
    long long iv, seq, reuse;
    char *dev;
    bundle_clock clock;
} pack_pos;

/* Advance p to the row of in: a new run resets the clock; the same
 * number again counts one more reuse. */
static void pack_advance(pack_pos *p, sqlite3_stmt *in)
{
    const char *device = (const char *)sqlite3_column_text(in, 1);
    long long iv = sqlite3_column_int64(in, 0);
    long long seq = sqlite3_column_int64(in, 2);
    if (iv != p->iv || !p->dev || !device || strcmp(device, p->dev) != 0) {
        p->iv = iv;
        free(p->dev);
        p->dev = xstrdup(device ? device : "");
        bundle_clock_reset(&p->clock);
        p->reuse = 0;
    } else
        p->reuse = seq == p->seq ? p->reuse + 1 : 0;
    p->seq = seq;
}

/* Non-zero, with *why, when time (not one to the millisecond) cannot
 * travel as text either: only digits and minus signs, or nothing, would
 * read back as a number.  khaosat never writes such a time: the database
 * was edited by hand or damaged, and the refusal says where and what to
 * do, since no bundle of this database can be written until then. */
static int unwritable_time(const char *time, sqlite3_stmt *in, char **why)
{
    if (time && strspn(time, "-0123456789") != strlen(time))
        return 0;
    sbuf iv;
    sbuf_init(&iv);
    ui_text_escape(&iv, (const char *)sqlite3_column_text(in, 9),
                   UI_TEXT_QUOTED);
    *why = xasprintf(_("interview %s: an audit row has the "
                       "time \"%s\", which is not a time (the database was "
                       "edited by hand or is damaged) and which no bundle "
                       "can carry; restore the database from a backup "
                       "(khaosat restore), or give that row its real time "
                       "with sqlite3: UPDATE audit SET time = "
                       "'YYYY-MM-DDThh:mm:ss.mmmZ' WHERE interview = '%s' "
                       "AND time = '%s'"),
                     iv.s ? iv.s : "", time ? time : "", iv.s ? iv.s : "",
                     time ? time : "");
    sbuf_free(&iv);
    return 1;
}

/* Copy the temporary audit rows into the audit table, compactly. */
static int copy_rows(sqlite3 *db, sqlite3_stmt *in, sqlite3_stmt *out,
                     char **why)
{
    pack_pos p = {-1, 0, 0, NULL, {0}};
    int rc;
    while ((rc = sqlite3_step(in)) == SQLITE_ROW) {
        if (sqlite3_column_type(in, 0) != SQLITE_INTEGER) {
            *why = xasprintf(_("an audit row of interview %s, which the "
                               "bundle does not carry"),
                             (const char *)sqlite3_column_text(in, 9));
            free(p.dev);
            return -1;
        }
        pack_advance(&p, in);
        for (int i = 0; i < 9; i++)
            sqlite3_bind_value(out, i + 1, sqlite3_column_value(in, i));
        sqlite3_bind_int64(out, 10, p.reuse);
        const char *time = (const char *)sqlite3_column_text(in, 3);
        long long ms = bundle_time_ms(time);
        if (ms < 0 && unwritable_time(time, in, why)) {
            free(p.dev);
            return -1;
        }
        if (ms >= 0) {
            sqlite3_bind_int64(out, 4, ms - p.clock.base);
            p.clock.base = ms;
        }
        rc = sqlite3_step(out);
        sqlite3_reset(out);
        if (rc != SQLITE_DONE)
            break;
    }
    free(p.dev);
    if (rc == SQLITE_DONE)
        return 0;
    *why = xstrdup(sqlite3_errmsg(db));
    return -1;
}

int bundle_audit_pack(sqlite3 *db, char **why)
{
    int rc = sqlite3_exec(db, "CREATE TEMP TABLE iv_number (uuid TEXT"
                          " PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
                          "INSERT INTO temp.iv_number SELECT uuid,"
                          " row_number() OVER (ORDER BY uuid)"
                          " FROM interviews", NULL, NULL, NULL);
    sqlite3_stmt *in = NULL, *out = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, audit_in_sql, -1, &in, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO audit VALUES (?1, ?2, ?3,"
                                " ?10, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &out,
                                NULL);
    if (rc != SQLITE_OK)
        *why = xstrdup(sqlite3_errmsg(db));
    else
        rc = copy_rows(db, in, out, why);
    sqlite3_finalize(in);
    sqlite3_finalize(out);
    if (rc == SQLITE_OK
        && sqlite3_exec(db, "DROP TABLE temp.iv_number;"
                        "DROP TABLE temp.audit_in", NULL, NULL, NULL)
        != SQLITE_OK) {
        *why = xstrdup(sqlite3_errmsg(db));
        rc = -1;
    }
    return rc == SQLITE_OK ? 0 : -1;
}
