/* bundle_pack.c: bundles travel compressed, as one zstd frame around the
 * SQLite image (see khaosat-bundle(5)).  Unpacking is hostile input: the
 * frame's announced size is checked before anything is allocated, and
 * output is bounded whatever the frame claims, so that a small file
 * cannot make the reader fill memory (a decompression bomb). */
#include "config.h"
#include "sync/bundle_int.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>

#include "core/i18n.h"
#include "core/util.h"

int bundle_is_packed(const unsigned char *d, size_t len)
{
    static const unsigned char magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    return len >= sizeof magic && memcmp(d, magic, sizeof magic) == 0;
}

int bundle_pack(const unsigned char *d, size_t len, unsigned char **out,
                size_t *outlen, char **why)
{
    *out = NULL;
    *outlen = 0;
    size_t cap = ZSTD_compressBound(len);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    unsigned char *buf = cc && !ZSTD_isError(cap)
        ? sqlite3_malloc64((sqlite3_uint64)cap) : NULL;
    if (!buf) {
        ZSTD_freeCCtx(cc);
        return util_refuse(why, _("out of memory compressing the bundle"));
    }
    /* The checksum lets a damaged file say so before SQLite sees it; the
     * content size lets the reader check it before allocating. */
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, BUNDLE_ZSTD_LEVEL);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 1);
    size_t n = ZSTD_compress2(cc, buf, cap, d, len);
    ZSTD_freeCCtx(cc);
    if (ZSTD_isError(n)) {
        sqlite3_free(buf);
        return util_refuse(why, _("compressing the bundle failed: %s"),
                           ZSTD_getErrorName(n));
    }
    /* What leaves is checked: the frame gives back exactly the image
     * that was verified. */
    unsigned char *back = NULL;
    size_t blen = 0;
    char *w = NULL;
    int same = bundle_unpack(buf, n, &back, &blen, &w) == 0 && blen == len
        && memcmp(back, d, len) == 0;
    bundle_image_free(back, blen);
    free(w);
    if (!same) {
        bundle_image_free(buf, cap);
        return util_refuse(why, _("the compressed bundle does not unpack to "
                                  "the bundle that was checked"));
    }
    *out = buf;
    *outlen = n;
    return 0;
}

/* The most a frame of len bytes may unpack to: a bundle's own limit, and
 * BUNDLE_MAX_RATIO times its size (real bundles shrink about tenfold;
 * far more means a frame built to fill memory). */
static unsigned long long unpack_limit(size_t len)
{
    unsigned long long lim = (unsigned long long)len * BUNDLE_MAX_RATIO;
    if (lim < BUNDLE_UNPACK_FLOOR)
        lim = BUNDLE_UNPACK_FLOOR;
    if (lim > (unsigned long long)BUNDLE_MAX_FILE)
        lim = (unsigned long long)BUNDLE_MAX_FILE;
    return lim;
}

static int refuse_bomb(char **why, unsigned long long limit)
{
    return util_refuse(why, _("compressed bundle that unpacks to more than "
                              "%llu bytes, more than a bundle of its size "
                              "can hold: refused (a decompression bomb?)"),
                       limit);
}

static int refuse_damaged(char **why, size_t code)
{
    return util_refuse(why, _("damaged compressed bundle (cut short or "
                              "altered): %s"), ZSTD_getErrorName(code));
}

/* Unpack a frame that announces its size (size bytes, within limit). */
static int unpack_sized(ZSTD_DCtx *dc, const unsigned char *d, size_t len,
                        unsigned long long size, unsigned char **out,
                        char **why)
{
    unsigned char *buf = sqlite3_malloc64(size ? size : 1);
    if (!buf)
        return util_refuse(why, _("%llu bytes do not fit in memory"), size);
    size_t n = ZSTD_decompressDCtx(dc, buf, (size_t)size, d, len);
    if (ZSTD_isError(n) || n != size) {
        sodium_memzero(buf, (size_t)size);
        sqlite3_free(buf);
        return ZSTD_isError(n) ? refuse_damaged(why, n)
            : util_refuse(why, _("damaged compressed bundle: %zu bytes "
                                 "where its header says %llu"), n, size);
    }
    *out = buf;
    return 0;
}

/* Grow *buf (*cap bytes, *used of them kept) to twice its size, at most
 * limit: the old copy is wiped, it may hold a decrypted bundle. */
static int grow(unsigned char **buf, size_t *cap, size_t used,
                unsigned long long limit)
{
    unsigned long long want = (unsigned long long)*cap * 2;
    if (want > limit)
        want = limit;
    unsigned char *nb = sqlite3_malloc64(want);
    if (!nb)
        return -1;
    memcpy(nb, *buf, used);
    sodium_memzero(*buf, *cap);
    sqlite3_free(*buf);
    *buf = nb;
    *cap = (size_t)want;
    return 0;
}

/* Unpack a frame that does not say its size (made by zstd from a pipe),
 * growing the output up to limit. */
static int unpack_stream(ZSTD_DCtx *dc, const unsigned char *d, size_t len,
                         unsigned long long limit, unsigned char **out,
                         size_t *outlen, char **why)
{
    size_t cap = (size_t)(limit < (1u << 20) ? limit : (1u << 20));
    unsigned char *buf = sqlite3_malloc64(cap);
    ZSTD_inBuffer in = {d, len, 0};
    ZSTD_outBuffer ob = {buf, cap, 0};
    size_t r = 1;
    int rc = buf ? 0 : -1;
    while (rc == 0 && r != 0) {
        if (ob.pos == ob.size) {
            if (ob.size >= limit)
                rc = refuse_bomb(why, limit);
            else if (grow(&buf, &cap, ob.pos, limit) != 0)
                rc = -1;
            ob.dst = buf;
            ob.size = cap;
            if (rc != 0)
                break;
        }
        r = ZSTD_decompressStream(dc, &ob, &in);
        if (ZSTD_isError(r))
            rc = refuse_damaged(why, r);
        else if (r != 0 && in.pos == in.size && ob.pos < ob.size)
            rc = util_refuse(why, _("damaged compressed bundle: cut short"));
    }
    if (rc != 0 && !*why)
        util_refuse(why, _("out of memory unpacking the bundle"));
    if (rc != 0 || ob.pos == 0) {
        if (buf)
            sodium_memzero(buf, cap);
        sqlite3_free(buf);
        return rc != 0 ? -1
            : util_refuse(why, _("empty compressed bundle"));
    }
    *out = buf;
    *outlen = ob.pos;
    return 0;
}

int bundle_unpack(const unsigned char *d, size_t len, unsigned char **out,
                  size_t *outlen, char **why)
{
    *out = NULL;
    *outlen = 0;
    /* Exactly one whole frame: a cut-short file or bytes after the frame
     * are refused before anything is unpacked. */
    size_t flen = ZSTD_findFrameCompressedSize(d, len);
    if (ZSTD_isError(flen))
        return refuse_damaged(why, flen);
    if (flen != len)
        return util_refuse(why, _("damaged compressed bundle: %zu bytes "
                                  "after its end"), len - flen);
    unsigned long long limit = unpack_limit(len);
    unsigned long long size = ZSTD_getFrameContentSize(d, len);
    if (size == ZSTD_CONTENTSIZE_ERROR)
        return util_refuse(why, _("damaged compressed bundle: bad frame "
                                  "header"));
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size > limit)
        return util_refuse(why, _("compressed bundle whose header says it "
                                  "unpacks to %llu bytes, more than the "
                                  "%llu a bundle of its size may hold: "
                                  "refused before unpacking (a "
                                  "decompression bomb?)"), size, limit);
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc)
        return util_refuse(why, _("out of memory unpacking the bundle"));
    /* The decoder's window stays within zstd's default bound (128 MiB),
     * whatever the frame asks for. */
    ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, 27);
    int rc;
    if (size != ZSTD_CONTENTSIZE_UNKNOWN) {
        rc = unpack_sized(dc, d, len, size, out, why);
        if (rc == 0)
            *outlen = (size_t)size;
    } else {
        rc = unpack_stream(dc, d, len, limit, out, outlen, why);
    }
    ZSTD_freeDCtx(dc);
    if (rc == 0 && *outlen == 0) {
        sqlite3_free(*out);
        *out = NULL;
        return util_refuse(why, _("empty compressed bundle"));
    }
    return rc;
}
