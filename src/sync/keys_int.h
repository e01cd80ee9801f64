/* keys_int.h: what the keys' source files share and nobody else needs. */
#ifndef KHAOSAT_KEYS_INT_H
#define KHAOSAT_KEYS_INT_H

#include "sync/keys.h"
#include "core/util.h"

/* Append n bytes as standard base64. */
void keys_b64(sbuf *b, const unsigned char *bin, size_t n);
/* Decode exactly n bytes of standard base64 from s (slen bytes); -1 when
 * it is not that. */
int keys_unb64(const char *s, size_t slen, unsigned char *bin, size_t n);
/* Non-zero when v (n bytes) may stand on a card: UTF-8 without control
 * characters, at most KEYS_MAX_FIELD bytes. */
int keys_field_ok(const char *v, size_t n);
/* Save the identity row; replace set: over any existing one, else only
 * when there is none. */
int keys_self_store(store *st, const keys_self *self, int replace,
                    char **err);
/* Insert or update a trusted card (keep set: leave an existing one as it
 * is). */
int keys_trusted_put(store *st, const keys_card *c, const char *purpose,
                     const char *trusted, const char *revoked, int keep,
                     char **err);

#endif
