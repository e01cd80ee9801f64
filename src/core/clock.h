/* clock.h: the time khaosat stamps on what it saves and the random bytes
 * of the identifiers it makes, in one place so that a run can be made
 * reproducible: a fixed clock (simulate --clock, SOURCE_DATE_EPOCH) and
 * identifiers drawn from a seed give the same database and the same
 * outputs on every run. */
#ifndef KHAOSAT_CLOCK_H
#define KHAOSAT_CLOCK_H

#include <time.h>

/* The current time: the system's real-time clock, or the fixed time. */
void clock_now(struct timespec *ts);
/* From now on the clock stands still at t (seconds since the epoch). */
void clock_fix(time_t t);
/* Whether the clock is fixed. */
int clock_is_fixed(void);
/* Fix the clock at $SOURCE_DATE_EPOCH when it is set to a whole number of
 * seconds (the reproducible-builds convention for dated outputs); 0, or
 * -1 when it is set to anything else (the clock then stays real). */
int clock_fix_from_env(void);
/* Seed the identifiers with $KHAOSAT_TEST_SEED when it is set to a whole
 * number (tests only: two runs then make the same identifiers); 0, or -1
 * when it is set to anything else. */
int clock_seed_from_env(void);
/* From now on identifiers come from a generator seeded with seed: the
 * n-th identifier of a run is the same on every run. */
void clock_seed_ids(unsigned long seed);
/* The same with a text for a seed (borrowed), for a run that must not
 * repeat another's identifiers: simulate seeds with its seed, the form
 * and how many interviews the database holds already. */
void clock_seed_ids_text(const char *text);
/* Fill b with n random bytes for an identifier: libsodium's generator,
 * or the seeded one after clock_seed_ids. Aborts when the system has no
 * randomness. */
void clock_id_bytes(unsigned char *b, size_t n);
/* Parse an ISO 8601 UTC time (2026-06-01T08:00:00Z, the seconds and the Z
 * optional) into seconds since the epoch: 0, or -1 when it is not one. */
int clock_parse_utc(const char *s, time_t *out);
/* Read a time as khaosat stamps what it saves (2026-06-01T08:00:00Z, or
 * with the milliseconds, .123, before the Z; a real date and time) into
 * *out: 0, or -1 when s is written otherwise.  Newer times win upstream,
 * so one written otherwise ("zzzz", compared as text) must not pass. */
int clock_stamp_parse(const char *s, struct timespec *out);
/* Write t as a stamp to the millisecond (2026-06-01T08:00:00.123Z). */
void clock_stamp_format(const struct timespec *t, char buf[32]);

#endif
