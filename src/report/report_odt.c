/* report_odt.c: the skeleton of the model proposal (Annex II, "Mẫu đề
 * xuất mô hình", sections I-IX) as an OpenDocument text the commune
 * finishes in a word processor, with the eligible model(s) and part III.2
 * ("Cơ sở thực tiễn": this survey's findings) filled in. Written with
 * libzip: the mimetype first and stored, then the manifest and content. */
#include "config.h"
#include "report/report_emit.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/durable.h"
#include "core/i18n.h"

/* Append s escaped for XML text; characters XML 1.0 forbids are left out. */
static void xml_esc(sbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '<': sbuf_add(b, "&lt;"); break;
        case '>': sbuf_add(b, "&gt;"); break;
        case '&': sbuf_add(b, "&amp;"); break;
        case '"': sbuf_add(b, "&quot;"); break;
        default:
            /* U+FFFE, U+FFFF and UTF-16 surrogates are not XML characters. */
            if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
                p += 2;
            else if (p[0] == 0xed && p[1] >= 0xa0 && p[2])
                p += 2;
            else if (*p >= 0x20 || *p == '\t')
                sbuf_addc(b, (char)*p);
            else if (*p == '\n' || *p == '\r')
                sbuf_addc(b, ' ');
        }
    }
}

static void odt_h(sbuf *b, int level, const char *text)
{
    sbuf_addf(b, "<text:h text:outline-level=\"%d\">", level);
    xml_esc(b, text);
    sbuf_add(b, "</text:h>\n");
}

static void odt_p(sbuf *b, const char *text)
{
    sbuf_add(b, "<text:p>");
    xml_esc(b, text);
    sbuf_add(b, "</text:p>\n");
}

/* A paragraph for the commune to write, with the guidance's note. */
static void odt_todo(sbuf *b, const char *note)
{
    sbuf_add(b, "<text:p><text:span>(");
    xml_esc(b, note);
    sbuf_add(b, ")</text:span></text:p>\n<text:p>……</text:p>\n");
}

/* I.1: the models the survey finds the commune eligible for. */
static void odt_models(sbuf *b, const report_result *r)
{
    const report_def *d = r->def;
    int any = 0;
    for (size_t v = 0; v < d->nverdicts; v++)
        if (r->verdict_st[v] == REPORT_MET || r->verdict_st[v] == REPORT_EXEMPT) {
            char *p = xasprintf("%s: %s", rtext_get(&d->verdicts[v].title,
                                                     r->lang),
                                rfmt_status(r->verdict_st[v]));
            odt_p(b, p);
            free(p);
            any = 1;
        }
    if (!any)
        odt_p(b, _("The survey finds no model whose conditions are all met; "
                   "see III.2."));
}

/* III.2: the survey's findings: conditions, indicators, needs. */
static void odt_findings(sbuf *b, const report_result *r)
{
    const report_def *d = r->def;
    char *p = xasprintf(_("Survey of the commune (step 1, section 4.1, Letter "
                          "3445/BNN-VPĐP), from %s to %s."),
                        r->first ? r->first : "", r->last ? r->last : "");
    odt_p(b, p);
    free(p);
    for (size_t c = 0; c < d->nconds; c++) {
        sbuf s;
        sbuf_init(&s);
        sbuf_addf(&s, "%s %s: %s. ", d->conds[c].id,
                  rtext_get(&d->conds[c].title, r->lang),
                  rfmt_status(r->cond_st[c]));
        for (size_t k = 0; k < d->conds[c].ntests; k++) {
            if (k)
                sbuf_add(&s, "; ");
            rfmt_test(&s, r, c, k);
        }
        rfmt_cond_warn(&s, r, c, " ");
        odt_p(b, s.s);
        sbuf_free(&s);
    }
    for (size_t i = 0; i < d->nfigs; i++) {
        if (d->figs[i].hidden)
            continue;
        char *v = rfmt_value(r, i, &r->val[i]);
        p = xasprintf("%s %s: %s", d->figs[i].id,
                      rtext_get(&d->figs[i].title, r->lang), v);
        odt_p(b, p);
        free(p);
        free(v);
    }
    for (size_t k = 0; k < d->nneeds; k++) {
        size_t i = r->need_order[k];
        if (r->needs[i].need != 1)
            continue;
        p = xasprintf(_("Need %zu: %s %s"), k + 1, d->needs[i].id,
                      rtext_get(&d->needs[i].title, r->lang));
        odt_p(b, p);
        free(p);
    }
    /* Needs voiced in the interviews (the commune's notes, officials'
     * training wishes ...), most often first. */
    for (size_t i = 0; i < d->ntallies; i++) {
        const rtally_res *t = &r->tallies[i];
        if (!t->cnt)
            continue;
        sbuf s;
        sbuf_init(&s);
        sbuf_addf(&s, "%s: ", rtext_get(&d->tallies[i].title, r->lang));
        for (size_t k = 0; k < t->cnt; k++)
            sbuf_addf(&s, "%s%s (%ld/%ld)", k ? "; " : "",
                      t->label ? t->label[k] : t->code[k], t->n[k], t->units);
        odt_p(b, s.s);
        sbuf_free(&s);
    }
}

/* The content.xml of the proposal. */
static char *odt_content(const report_result *r)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<office:document-content"
             " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
             " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
             " office:version=\"1.2\"><office:body><office:text>\n");
    odt_h(&b, 1, "ĐỀ XUẤT MÔ HÌNH");
    char *who = xasprintf("UBND xã %s, %s", rfmt_commune_bare(r),
                          r->province ? r->province : "");
    odt_p(&b, who);
    free(who);
    odt_h(&b, 2, "I. THÔNG TIN CHUNG");
    odt_h(&b, 3, "1. Tên mô hình");
    odt_models(&b, r);
    odt_h(&b, 3, "2. Thời gian và địa điểm thực hiện");
    char *place = xasprintf("Xã %s, %s", rfmt_commune_bare(r),
                            r->province ? r->province : "");
    odt_p(&b, place);
    free(place);
    const char *rest1[] = {"3. Cơ quan chủ dự án", "4. Cơ quan phối hợp",
                           "5. Kinh phí thực hiện"};
    for (size_t i = 0; i < 3; i++) {
        odt_h(&b, 3, rest1[i]);
        odt_p(&b, "……");
    }
    odt_h(&b, 2, "II. BỐI CẢNH VÀ SỰ CẦN THIẾT CỦA MÔ HÌNH");
    odt_todo(&b, "Sự phù hợp và đóng góp vào phát triển kinh tế - xã hội, "
             "Chương trình MTQG xây dựng nông thôn mới, Chương trình chuyển "
             "đổi số trong xây dựng nông thôn mới; quan hệ với các chương "
             "trình, dự án khác; sự cần thiết của mô hình");
    odt_h(&b, 2, "III. CƠ SỞ ĐỀ XUẤT MÔ HÌNH");
    odt_h(&b, 3, "1. Cơ sở pháp lý");
    odt_p(&b, "Công văn số 3445/BNN-VPĐP ngày 29/5/2023 của Bộ Nông nghiệp và "
              "Phát triển nông thôn; ……");
    odt_h(&b, 3, "2. Cơ sở thực tiễn");
    odt_findings(&b, r);
    static const char *const tail[][2] = {
        {"IV. MỤC TIÊU CỦA MÔ HÌNH", "Mục tiêu chung; mục tiêu cụ thể bám sát "
         "Quyết định số 924/QĐ-TTg và mục tiêu xây dựng nông thôn mới của địa "
         "phương"},
        {"V. NỘI DUNG CHÍNH CỦA MÔ HÌNH", "Các hợp phần, hoạt động, kết quả của "
         "mô hình, dự kiến kinh phí cho từng hợp phần, hoạt động"},
        {"VI. ĐỐI TƯỢNG THỤ HƯỞNG", "Đối tượng thụ hưởng trực tiếp, gián tiếp"},
        {"VII. NGUỒN VỐN VÀ CƠ CHẾ TÀI CHÍNH", "Vốn Trung ương; vốn đối ứng của "
         "tỉnh, xã; vốn của doanh nghiệp, người dân, cộng đồng và nguồn hợp "
         "pháp khác"},
        {"VIII. TỔ CHỨC QUẢN LÝ THỰC HIỆN MÔ HÌNH", "Ủy ban nhân dân cấp tỉnh; "
         "Ủy ban nhân dân xã"},
        {"IX. ĐÁNH GIÁ TÁC ĐỘNG CỦA MÔ HÌNH", "Tác động về kinh tế, xã hội, "
         "môi trường"},
    };
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) {
        odt_h(&b, 2, tail[i][0]);
        odt_todo(&b, tail[i][1]);
    }
    sbuf_add(&b, "</office:text></office:body></office:document-content>\n");
    return sbuf_detach(&b);
}

static const char odt_mimetype[] = "application/vnd.oasis.opendocument.text";
static const char odt_manifest[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:"
    "xmlns:manifest:1.0\" manifest:version=\"1.2\">\n"
    " <manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\""
    " manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>\n"
    " <manifest:file-entry manifest:full-path=\"content.xml\""
    " manifest:media-type=\"text/xml\"/>\n"
    "</manifest:manifest>\n";

/* Add a part from memory (copied by libzip when the archive closes);
 * stored uncompressed when store is set. */
static int odt_add(zip_t *z, const char *name, const char *data, int store)
{
    zip_source_t *src = zip_source_buffer(z, data, strlen(data), 0);
    if (!src)
        return -1;
    zip_int64_t ix = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
    if (ix < 0) {
        zip_source_free(src);
        return -1;
    }
    if (store && zip_set_file_compression(z, (zip_uint64_t)ix, ZIP_CM_STORE, 0))
        return -1;
    return 0;
}

int report_write_proposal(const report_result *r, const char *path, char **err)
{
    int zerr = 0;
    if (durable_check_replace(path, err) != 0)
        return -1;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        *err = xasprintf(_("%s: cannot write: %s"), path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return -1;
    }
    char *content = odt_content(r);
    int rc = odt_add(z, "mimetype", odt_mimetype, 1) ||
             odt_add(z, "META-INF/manifest.xml", odt_manifest, 0) ||
             odt_add(z, "content.xml", content, 0) ? -1 : 0;
    if (rc) {
        *err = xasprintf(_("%s: cannot write: %s"), path, zip_strerror(z));
        zip_discard(z);
    } else if (zip_close(z)) {
        *err = xasprintf(_("%s: cannot write: %s"), path, zip_strerror(z));
        zip_discard(z);
        rc = -1;
    }
    free(content);
    return rc;
}
