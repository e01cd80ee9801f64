/* clock.c: the run's clock and the source of its identifiers' bytes. */
#include "config.h"

#include "core/clock.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/util.h"

/* Process-wide on purpose: a reproducible run is a property of the whole
 * command, set once by main or simulate before anything is stamped. */
static int fixed;
static time_t fixed_at;
static int seeded;
static unsigned char id_key[randombytes_SEEDBYTES];
static unsigned long long id_count;

void clock_now(struct timespec *ts)
{
    if (fixed) {
        ts->tv_sec = fixed_at;
        ts->tv_nsec = 0;
        return;
    }
    clock_gettime(CLOCK_REALTIME, ts);
}

void clock_fix(time_t t)
{
    fixed = 1;
    fixed_at = t;
}

int clock_is_fixed(void)
{
    return fixed;
}

/* The environment variable name as a whole number: 1 with *out, 0 when it
 * is unset or empty, -1 when it is anything else. */
static int env_number(const char *name, unsigned long long *out)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    *out = strtoull(v, &end, 10);
    return *end || errno || *v == '-' || *v == '+' || *v == ' ' ? -1 : 1;
}

int clock_fix_from_env(void)
{
    unsigned long long n;
    int rc = env_number("SOURCE_DATE_EPOCH", &n);
    if (rc < 0 || (rc > 0 && (time_t)n < 0))
        return -1;
    if (rc > 0)
        clock_fix((time_t)n);
    return 0;
}

int clock_seed_from_env(void)
{
    unsigned long long n;
    int rc = env_number("KHAOSAT_TEST_SEED", &n);
    if (rc > 0)
        clock_seed_ids((unsigned long)n);
    return rc < 0 ? -1 : 0;
}

void clock_seed_ids(unsigned long seed)
{
    char text[32];
    snprintf(text, sizeof text, "%lu", seed);
    clock_seed_ids_text(text);
}

void clock_seed_ids_text(const char *text)
{
    /* The text hashed: every byte of the key depends on all of it. */
    if (sodium_init() < 0)
        util_fatal();
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof id_key);
    crypto_generichash_update(&h, (const unsigned char *)"khaosat ids ", 12);
    crypto_generichash_update(&h, (const unsigned char *)text, strlen(text));
    crypto_generichash_final(&h, id_key, sizeof id_key);
    id_count = 0;
    seeded = 1;
}

void clock_id_bytes(unsigned char *b, size_t n)
{
    if (sodium_init() < 0)
        util_fatal();       /* no randomness: nothing sensible to do */
    if (!seeded) {
        randombytes_buf(b, n);
        return;
    }
    /* The n-th draw: the key with the draw's number mixed in, through
     * libsodium's deterministic generator (the same on every platform). */
    unsigned char k[randombytes_SEEDBYTES];
    unsigned long long c = ++id_count;
    crypto_generichash(k, sizeof k, (const unsigned char *)&c, sizeof c,
                       id_key, sizeof id_key);
    randombytes_buf_deterministic(b, n, k);
    sodium_memzero(k, sizeof k);
}

int clock_parse_utc(const char *s, time_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    size_t len = strlen(s);
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
        return -1;
    if (len > 10) {
        int u2 = 0;
        if (s[10] != 'T'
            || sscanf(s + 11, "%2d:%2d%n", &h, &mi, &u2) != 2 || u2 != 5)
            return -1;
        used = 16;
        if (s[used] == ':') {
            int u3 = 0;
            if (sscanf(s + used + 1, "%2d%n", &sec, &u3) != 1 || u3 != 2)
                return -1;
            used += 3;
        }
        if (s[used] == 'Z')
            used++;
        if ((size_t)used != len)
            return -1;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23
        || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
        return -1;
    /* Days from the civil date (proleptic Gregorian), no time zone. */
    int yy = y - (mo <= 2);
    long era = yy / 400;
    long yoe = yy - era * 400;
    long doy = (153L * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097LL + doe - 719468;
    time_t t = (time_t)(days * 86400LL + h * 3600 + mi * 60 + sec);
    /* A day past the month's end (2026-02-30) comes back another day. */
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_mday != d)
        return -1;
    *out = t;
    return 0;
}

int clock_stamp_parse(const char *s, struct timespec *out)
{
    size_t n = strlen(s);
    if (n == 24 && (s[19] != '.' || strspn(s + 20, "0123456789") != 3
                    || s[23] != 'Z'))
        return -1;
    if (n != 24 && (n != 20 || s[19] != 'Z'))
        return -1;
    char whole[21];
    memcpy(whole, s, 19);
    memcpy(whole + 19, "Z", 2);
    time_t t;
    if (clock_parse_utc(whole, &t) != 0)
        return -1;
    out->tv_sec = t;
    out->tv_nsec = n == 24 ? strtol(s + 20, NULL, 10) * 1000000L : 0;
    return 0;
}

void clock_stamp_format(const struct timespec *t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t->tv_sec, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%03dZ", (int)(t->tv_nsec / 1000000));
}
