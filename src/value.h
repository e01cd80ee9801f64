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
/* Release what v owns and leave it an empty string. */
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

#endif
