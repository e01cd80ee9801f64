/* value.h: the values that expressions compute, with the XPath 1.0 / ODK
 * conversion rules between strings, numbers and booleans. */
#ifndef KHAOSAT_VALUE_H
#define KHAOSAT_VALUE_H

#include <stddef.h>

typedef enum val_type {
    VAL_STRING,  /* text; the empty answer is the empty string */
    VAL_NUMBER,  /* IEEE double; dates are days since 1970-01-01 */
    VAL_BOOL,
    VAL_NODESET  /* the answers of one question across repeat instances */
} val_type;

typedef struct value {
    val_type type;
    double num;     /* VAL_NUMBER */
    int b;          /* VAL_BOOL */
    char *str;      /* VAL_STRING, owned */
    char **items;   /* VAL_NODESET: string-values, owned */
    size_t n;       /* VAL_NODESET: number of items */
} value;

/* A string value holding a copy of s. */
value val_string(const char *s);
/* A string value taking ownership of s. */
value val_string_own(char *s);
/* A number value. */
value val_number(double d);
/* A boolean value. */
value val_bool(int b);
/* An empty node-set; add items with val_nodeset_add(). */
value val_nodeset(void);
/* Append a copy of s to node-set v. */
void val_nodeset_add(value *v, const char *s);
/* A deep copy of v. */
value val_copy(const value *v);
/* Release what v owns and leave it an empty string. A VAL_STRING whose str
 * is NULL (as in a zeroed value) counts as the empty string. */
void val_free(value *v);

/* XPath number(): strings use the XPath Number grammar (no exponent, no
 * Infinity, blank is NaN); dates "YYYY-MM-DD" become days since epoch. */
double val_to_number(const value *v);
/* XPath boolean(): empty string and 0/NaN are false. */
int val_to_bool(const value *v);
/* XPath string(), newly allocated. */
char *val_to_string(const value *v);
/* Parse s as an XPath Number; NaN when it is not one. */
double val_parse_number(const char *s);
/* Write d as XPath does: no exponent, integers without ".0", shortest
 * round-trip decimal otherwise, -0 as "0", "NaN", "Infinity", "-Infinity".
 * Newly allocated. */
char *val_format_number(double d);

/* Days since 1970-01-01 on the local calendar (the fraction is the time of
 * day) of a "YYYY-MM-DD" date (month and day may have one digit, as ODK
 * allows) or an ISO 8601 date-time; a date-time with a
 * UTC offset is moved to local time first. Returns 0, or -1 when s is
 * neither. */
int val_parse_date(const char *s, double *days);
/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
long val_days_from_civil(long y, int m, int d);
/* The proleptic Gregorian date of day number days since 1970-01-01. */
void val_civil_from_days(long days, long *y, int *m, int *d);

/* Local day number (days since 1970-01-01 on the local calendar, the
 * fraction being the time of day) of the instant t seconds after the
 * epoch. */
double val_local_days(double t);
/* "YYYY-MM-DD" of local day number days; "" when it is not finite.
 * Newly allocated. */
char *val_format_date(double days);
/* ISO 8601 local date-time with milliseconds and UTC offset, such as
 * "2024-03-05T14:07:09.000+07:00"; "" when days is not finite. Newly
 * allocated. */
char *val_format_datetime(double days);
/* days written with ODK format-date tokens: %Y %y %m %n %b %d %e %H %h %M
 * %S %3 %a (and %% for a percent sign); "" when days is not finite. Newly
 * allocated. */
char *val_format_date_pattern(double days, const char *fmt);

#endif
