/* envelope_down.c: downstream bundles in their envelope: sealed by an
 * office for one of its laptops, and opened on the laptop only when the
 * sender is the office it trusts as upstream and the header says "down".
 * The layout is envelope.c's (khaosat-bundle(5), DOWNSTREAM BUNDLES). */
#include "config.h"
#include "sync/envelope_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"
#include "sync/down_int.h"

int envelope_export_down(store *st, const catalog *cat, const char *device,
                         const char *signer, const char *dir, char **path,
                         long *count, char **err)
{
    *path = NULL;
    *count = 0;
    keys_self self;
    keys_trusted to;
    memset(&self, 0, sizeof self);
    memset(&to, 0, sizeof to);
    int rc = keys_self_get(st, 1, &self, err);
    if (rc == 0 && (rc = keys_trusted_get(st, signer, &to, err)) == 1) {
        *err = xasprintf(_("the card %s of laptop %.8s is not trusted here"),
                         signer, device);
        rc = -1;
    }
    unsigned char *img = NULL;
    size_t len = 0;
    bundle_manifest m;
    memset(&m, 0, sizeof m);
    long returns = 0;
    if (rc == 0)
        rc = down_build(st, cat, device, &img, &len, &m, &returns, err);
    if (rc == 0)
        rc = envelope_seal_data(&self, &to.card, m.uuid, img, len, &m,
                                "down", dir, path, err);
    if (rc == 0)
        *count = returns;
    bundle_image_free(img, len);
    bundle_manifest_clear(&m);
    keys_trusted_clear(&to);
    keys_self_clear(&self);
    return rc ? -1 : 0;
}

/* The sender of a downstream bundle must be this laptop's office. */
static int check_office(store *st, const envelope_header *h,
                        keys_trusted *office, envelope_info *info,
                        char **why)
{
    char *err = NULL;
    int rc = keys_upstream(st, office, &err);
    if (rc < 0) {
        util_refuse(why, "%s", err);
        free(err);
        return -1;
    }
    if (rc == 1)
        return util_refuse(why, _("a downstream bundle from %s, but this database "
                      "trusts no office above it: a laptop trusts its "
                      "office's card first ('khaosat keys trust')"), h->from);
    if (strcmp(office->card.fpr, h->from) != 0)
        return util_refuse(why, _("a downstream bundle from %s, which is not this "
                      "laptop's office (%s): refused"), h->from,
                      office->card.fpr);
    char *label = keys_card_label(&office->card);
    if (info)
        info->sender = *label ? xasprintf(" (%s)", label) : xstrdup("");
    free(label);
    return 0;
}

/* Non-zero when st is an office and h is not sealed for it: a downstream
 * bundle an office made for one of its laptops. */
static int for_a_laptop(store *st, const envelope_header *h)
{
    char *role = NULL, *err = NULL;
    int office = keys_role(st, &role, &err) == 0 && !strcmp(role, "office");
    free(role);
    free(err);
    keys_self self;
    int mine = keys_self_get(st, 0, &self, &err) == 0
        && !strcmp(self.card.fpr, h->to);
    if (!err)
        keys_self_clear(&self);
    free(err);
    return office && !mine;
}

int envelope_down_elsewhere(store *st, const char *path, char **why)
{
    envelope_header h;
    char *err = NULL;
    int rc = envelope_read_header(path, &h, &err);
    free(err);
    if (rc != 0 || strcmp(h.direction, "down") != 0)
        return 0;
    keys_self self;
    int mine = keys_self_get(st, 0, &self, &err) == 0
        && !strcmp(self.card.fpr, h.to);
    if (!err)
        keys_self_clear(&self);
    free(err);
    if (mine)
        return 0;
    *why = xasprintf(_("%s: a downstream bundle for the laptop %s, not for "
                       "this database: skipped"), path, h.to);
    return 1;
}

int envelope_verify_down(store *st, const char *path, envelope_info *info,
                         long states[3], char **err)
{
    down_bundle *d = NULL;
    if (envelope_open_down(st, path, &d, info, err) != 0)
        return -1;
    for (int i = 0; i < 3; i++)
        states[i] = down_get_info(d)->states[i];
    down_close(d);
    return 0;
}

/* Every check of the sealed downstream bundle on fd (fsize bytes). */
static int open_down(store *st, const char *path, int fd, long long fsize,
                     down_bundle **out, envelope_info *info, char **why)
{
    envelope_header h;
    size_t hlen = 0;
    int signed_ = 0;
    char head[HEADER_MAX];
    int rc = envelope_read_header_fd(fd, 0, fsize, head, &h, &hlen,
                                     &signed_, why);
    if (rc == 1)
        return util_refuse(why, _("not sealed: a laptop takes only sealed bundles "
                      "from its office"));
    if (rc != 0)
        return -1;
    if (strcmp(h.direction, "down") != 0)
        return util_refuse(why, _("an upstream bundle (sent towards an office), "
                      "not one from this laptop's office to it"));
    if (envelope_check_bundle_limit(&h, why) != 0)
        return -1;
    if (for_a_laptop(st, &h))
        return util_refuse(why, _("a downstream bundle, from the office %s to its "
                      "laptop %s: an office does not merge it, only that "
                      "laptop takes it"), h.from, h.to);
    keys_trusted office;
    memset(&office, 0, sizeof office);
    unsigned char *plain = NULL;
    size_t len = 0;
    rc = check_office(st, &h, &office, info, why);
    if (rc == 0)
        rc = envelope_decrypt(st, fd, fsize, head, hlen, &h, signed_,
                              office.card.sign_pk, &plain, &len, why);
    keys_trusted_clear(&office);
    if (rc != 0)
        return -1;
    char *err = NULL;
    if (down_open_memory(path, plain, len, out, &err) != 0) {
        util_refuse(why, _("inside the sealed bundle: %s"), err);
        free(err);
        return -1;
    }
    const down_info *in = down_get_info(*out);
    if (envelope_check_inner(&h, in->uuid, in->reviews, 1, info, why)) {
        down_close(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int envelope_open_down(store *st, const char *path, down_bundle **out,
                       envelope_info *info, char **err)
{
    *out = NULL;
    int fd;
    long long size;
    if (envelope_open_begin(path, info, &fd, &size, err) != 0)
        return -1;
    char *why = NULL;
    int rc = open_down(st, path, fd, size, out, info, &why);
    return envelope_open_end(path, fd, rc, why, info, err);
}
