/* bundle_pack.c: bundles travel compressed, as one zstd frame around the
 * SQLite image (see khaosat-bundle(5)).  Unpacking is hostile input: the
 * frame's announced size is checked against BUNDLE_MAX_IMAGE before
 * anything is allocated, and memory is taken as the frame really
 * unpacks, never beyond that size, so that a small file claiming much
 * costs only what it holds (a decompression bomb).  No ratio of packed to
 * unpacked size is imposed: real data that repeats compresses a
 * thousandfold, and khaosat must read every bundle it writes. */
#include "config.h"
#include "sync/bundle_int.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/i18n.h"
#include "core/util.h"

/* The largest zstd window accepted (2^27, 128 MiB: zstd's default). */
#define BUNDLE_WINDOW_LOG 27

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
    /* Refused here, before a file is written, rather than by the reader:
     * no bundle khaosat writes is one it would not read. */
    if ((unsigned long long)len > (unsigned long long)BUNDLE_MAX_IMAGE)
        return util_refuse(why, _("the bundle would hold %zu bytes, more "
                                  "than the %lld (1 GiB) a bundle may "
                                  "hold; export in parts: without --all, "
                                  "an export takes only the interviews not "
                                  "exported yet"),
                           len, (long long)BUNDLE_MAX_IMAGE);
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

const char *bundle_what_to_do(void)
{
    return _("copy the bundle again from the laptop, or ask it for "
             "'khaosat export --all'");
}

static int refuse_bomb(char **why, unsigned long long size)
{
    return util_refuse(why, _("compressed bundle that unpacks to %llu "
                              "bytes, more than the %lld (1 GiB) a bundle "
                              "may hold: refused before unpacking (a "
                              "decompression bomb?); %s"),
                       size, (long long)BUNDLE_MAX_IMAGE,
                       bundle_what_to_do());
}

/* zstd's error, said in the user's language with what to do. */
static int refuse_damaged(char **why, size_t code)
{
    switch (ZSTD_getErrorCode(code)) {
    case ZSTD_error_frameParameter_windowTooLarge:
        return util_refuse(why, _("the compressed bundle needs a zstd "
                                  "window larger than the %d MiB khaosat "
                                  "accepts (made with zstd --long?): unpack "
                                  "it with 'zstd -d --long=31' (khaosat "
                                  "reads the unpacked file) or let khaosat "
                                  "export it again"),
                           1 << (BUNDLE_WINDOW_LOG - 20));
    case ZSTD_error_checksum_wrong:
        return util_refuse(why, _("damaged compressed bundle: its checksum "
                                  "does not match (altered or badly "
                                  "copied); %s"), bundle_what_to_do());
    case ZSTD_error_srcSize_wrong:
        return util_refuse(why, _("damaged compressed bundle: cut short or "
                                  "of the wrong length; %s"), bundle_what_to_do());
    case ZSTD_error_prefix_unknown:
    case ZSTD_error_frameParameter_unsupported:
    case ZSTD_error_version_unsupported:
        return util_refuse(why, _("damaged compressed bundle: its frame "
                                  "header is not one khaosat reads; %s"),
                           bundle_what_to_do());
    default:
        return util_refuse(why, _("damaged compressed bundle (cut short or "
                                  "altered); %s"), bundle_what_to_do());
    }
}

/* Run the decoder until ob is full or the frame ends; 1 when the frame
 * ended, 0 when ob is full, -1 with *why. */
static int decode(ZSTD_DCtx *dc, ZSTD_inBuffer *in, ZSTD_outBuffer *ob,
                  char **why)
{
    for (;;) {
        size_t r = ZSTD_decompressStream(dc, ob, in);
        if (ZSTD_isError(r))
            return refuse_damaged(why, r);
        if (r == 0)
            return 1;
        if (ob->pos == ob->size)
            return 0;
        if (in->pos == in->size)
            return util_refuse(why, _("damaged compressed bundle: cut "
                                      "short; %s"), bundle_what_to_do());
    }
}

/* The length of the SQLite image whose first 100 bytes are h: page size
 * (offset 16, 1 for 65536) times page count (offset 28); 0 when h is not
 * the header of a SQLite database that says its size. */
static unsigned long long sqlite_image_size(const unsigned char *h)
{
    if (memcmp(h, "SQLite format 3", 16) != 0)
        return 0;
    unsigned long long ps = ((unsigned)h[16] << 8) | h[17];
    if (ps == 1)
        ps = 65536;
    if (ps < 512 || (ps & (ps - 1)) != 0)
        return 0;
    unsigned long long pages = ((unsigned long long)h[28] << 24)
        | ((unsigned long long)h[29] << 16) | ((unsigned)h[30] << 8) | h[31];
    return ps * pages;
}

/* The frame's end after the whole image: not one byte more. */
static int decode_end(ZSTD_DCtx *dc, ZSTD_inBuffer *in, char **why)
{
    unsigned char extra;
    ZSTD_outBuffer ob = {&extra, 1, 0};
    int r = decode(dc, in, &ob, why);
    if (r < 0)
        return -1;
    if (ob.pos != 0)
        return util_refuse(why, _("compressed bundle that holds more than "
                                  "its SQLite database (padded to fill "
                                  "memory?): refused; %s"), bundle_what_to_do());
    return 0;
}

/* The first memory taken for an image: what a bundle of some thousand
 * interviews unpacks to; more is taken only as the frame delivers it. */
#define BUNDLE_FIRST_ALLOC (16ULL << 20)

/* Give the image buffer *buf (size *cap) room for need bytes, doubling,
 * never past image; 0, or -1 with *why. */
static int grow(unsigned char **buf, unsigned long long *cap,
                unsigned long long need, unsigned long long image, char **why)
{
    unsigned long long c = *cap ? *cap : BUNDLE_FIRST_ALLOC;
    while (c < need)
        c *= 2;
    if (c > image)
        c = image;
    if (c == *cap)
        return 0;
    unsigned char *n = sqlite3_malloc64(c);
    if (!n)
        return util_refuse(why, _("%llu bytes do not fit in memory"), c);
    if (*buf) {
        memcpy(n, *buf, (size_t)*cap);
        sodium_memzero(*buf, (size_t)*cap);
        sqlite3_free(*buf);
    }
    *buf = n;
    *cap = c;
    return 0;
}

/* Decode the rest of the image into *buf (head bytes there already),
 * growing it as the frame delivers, up to image bytes; then the frame's
 * end.  0, or -1 with *why. */
static int decode_image(ZSTD_DCtx *dc, ZSTD_inBuffer *in, unsigned char **buf,
                        unsigned long long *cap, unsigned long long image,
                        char **why)
{
    size_t pos = 100;
    for (;;) {
        if (grow(buf, cap, pos + 1 > image ? image : pos + 1, image, why) != 0)
            return -1;
        ZSTD_outBuffer ob = {*buf, (size_t)*cap, pos};
        int r = decode(dc, in, &ob, why);
        pos = ob.pos;
        if (r < 0)
            return -1;
        if (r == 1 && pos < image)
            return util_refuse(why, _("compressed bundle that holds less "
                                      "than its SQLite database says (cut "
                                      "short?); %s"), bundle_what_to_do());
        if (pos == image)
            return r == 1 ? 0 : decode_end(dc, in, why);
    }
}

/* Unpack the frame in as the SQLite image its first 100 bytes announce
 * (size bytes when the frame header says, else ZSTD_CONTENTSIZE_UNKNOWN),
 * refused above BUNDLE_MAX_IMAGE before anything is allocated. */
static int unpack_image(ZSTD_DCtx *dc, ZSTD_inBuffer *in,
                        unsigned long long size, unsigned char **out,
                        size_t *outlen, char **why)
{
    unsigned char head[100];
    ZSTD_outBuffer hb = {head, sizeof head, 0};
    int r = decode(dc, in, &hb, why);
    if (r < 0)
        return -1;
    if (hb.pos == 0)
        return util_refuse(why, _("empty compressed bundle"));
    unsigned long long image = hb.pos == sizeof head
        ? sqlite_image_size(head) : 0;
    if (image == 0)
        return util_refuse(why, _("compressed file that does not hold a "
                                  "SQLite database saying its size: not a "
                                  "khaosat bundle"));
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != image)
        return util_refuse(why, _("compressed bundle whose header says "
                                  "%llu bytes but whose SQLite database "
                                  "has %llu: refused; %s"), size, image,
                           bundle_what_to_do());
    if (image > (unsigned long long)BUNDLE_MAX_IMAGE)
        return refuse_bomb(why, image);
    unsigned char *buf = NULL;
    unsigned long long cap = 0;
    if (grow(&buf, &cap, sizeof head, image, why) != 0)
        return -1;
    memcpy(buf, head, sizeof head);
    if (decode_image(dc, in, &buf, &cap, image, why) != 0) {
        sodium_memzero(buf, (size_t)cap);
        sqlite3_free(buf);
        return -1;
    }
    *out = buf;
    *outlen = (size_t)image;
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
                                  "after its end; %s"), len - flen,
                           bundle_what_to_do());
    unsigned long long size = ZSTD_getFrameContentSize(d, len);
    if (size == ZSTD_CONTENTSIZE_ERROR)
        return util_refuse(why, _("damaged compressed bundle: bad frame "
                                  "header; %s"), bundle_what_to_do());
    if (size != ZSTD_CONTENTSIZE_UNKNOWN
        && size > (unsigned long long)BUNDLE_MAX_IMAGE)
        return refuse_bomb(why, size);
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc)
        return util_refuse(why, _("out of memory unpacking the bundle"));
    /* The decoder's window stays within zstd's default bound, whatever
     * the frame asks for. */
    ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, BUNDLE_WINDOW_LOG);
    ZSTD_inBuffer in = {d, len, 0};
    int rc = unpack_image(dc, &in, size, out, outlen, why);
    ZSTD_freeDCtx(dc);
    return rc;
}
