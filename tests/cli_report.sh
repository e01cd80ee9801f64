#!/bin/sh
# khaosat report and khaosat csv on simulated data: output shapes of every
# format, the CSV files, and clear refusals with the right exit codes.
. "$(dirname "$0")/lib.sh"

db="$TMP/s.db"
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form commune --count 1 --seed 5 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form household --count 12 --seed 5 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form officials --count 4 --seed 5 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form household --count 2 --seed 6 --drafts >/dev/null

# Text: every condition and every Annex I indicator, 80 columns at most.
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --lang en
expect_status 0
for id in C1 C2 C3 C4 C5 C6 E1 E2 E3 E4 E5; do
    grep -q "^$id " "$TMP/out" || fail "condition $id missing from the text report"
done
while read -r ind; do
    case "$ind" in
    [CE]*) ;;
    *) grep -q "^$ind " "$TMP/out" || fail "indicator $ind missing from the text report" ;;
    esac
done < "$FORMS/indicators.txt"
expect_out_contains "households have an internet subscription"
expect_out_contains "household drafts not counted"
# Columns, not bytes: "≥" and Vietnamese letters are one column each.
wide=$(LC_ALL=C.UTF-8 wc -L < "$TMP/out")
wide=$([ "$wide" -le 80 ] && echo 0 || echo "a line of $wide columns:")
[ "$wide" = 0 ] || fail "$wide text lines are wider than 80 columns"

# Vietnamese titles by default.
run "$KHAOSAT" report --db "$db" --forms "$FORMS"
expect_status 0
expect_out_contains "Tỷ lệ đáp ứng đường thuê bao kết nối Internet"

# More officials interviewed than the commune declares: said in Vietnamese.
if command -v sqlite3 >/dev/null 2>&1; then
    cp "$db" "$TMP/more.db"
    sqlite3 "$TMP/more.db" "UPDATE answers SET value = '2' WHERE qid = 'n_officials'"
    LANGUAGE=vi run "$KHAOSAT" report --db "$TMP/more.db" --forms "$FORMS"
    expect_status 0
    expect_out_contains "đã phỏng vấn 4, nhiều hơn 2 theo kê khai"
    grep -q "interviewed, more than" "$TMP/out" && fail "an English warning in the Vietnamese report"
fi

# The survey period is in Vietnam's time: interviews stored at 18:30 UTC
# on 31 May were made on 1 June (01:30 in Vietnam).
if command -v sqlite3 >/dev/null 2>&1; then
    cp "$db" "$TMP/late.db"
    sqlite3 "$TMP/late.db" "UPDATE interviews SET created = '2026-05-31T18:30:00Z'"
    run "$KHAOSAT" report --db "$TMP/late.db" --forms "$FORMS" --format html
    expect_status 0
    expect_out_contains "Survey period: 01/06/2026 to 01/06/2026."
    run "$KHAOSAT" report --db "$TMP/late.db" --forms "$FORMS"
    expect_out_contains "(UTC+7)"
fi

# Markdown tables, a self-contained printable HTML page, CSV one row per figure.
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format markdown --by-village
expect_status 0
expect_out_contains "| --- "
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format html --out "$TMP/r.html"
expect_status 0
grep -q "@media print" "$TMP/r.html" || fail "html has no print style"
grep -Eq "<(script|link)|src=|https?:" "$TMP/r.html" && fail "html refers to outside resources"
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format csv
expect_status 0
head -1 "$TMP/out" | grep -q "^section,commune,village,id,title,kind,numerator,denominator,value" ||
    fail "unexpected csv header: $(head -1 "$TMP/out")"
n=$(grep -c "^figure," "$TMP/out")
[ "$n" -ge 39 ] || fail "expected at least 39 figure rows, got $n"

# Errors: a bad format, a missing database (not created), a bad definition.
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format pdf
expect_status 2
expect_err_contains "unknown format 'pdf'"
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format proposal
expect_status 2
expect_err_contains "--out FILE.odt"
# --lang switches the program's own words too, whatever the locale says.
for loc in C.UTF-8 C; do
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=$loc "$KHAOSAT" report --db "$db" --forms "$FORMS" --lang vi --format html --out "$TMP/vi.html" ||
        fail "html in Vietnamese under LANG=$loc"
    grep -Eq "Commune:|Survey period:|>yes<|>met<|>no<" "$TMP/vi.html" &&
        fail "English left in the Vietnamese annex (LANG=$loc): $(grep -Eo "Commune:|Survey period:|>yes<|>met<|>no<" "$TMP/vi.html" | sort -u | tr '\n' ' ')"
    [ $loc = C ] || grep -q "Xã:" "$TMP/vi.html" || fail "no 'Xã:' in the Vietnamese annex (LANG=$loc)"
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=$loc "$KHAOSAT" report --db "$db" --forms "$FORMS" --lang vi --format proposal --out "$TMP/vi.odt" ||
        fail "proposal in Vietnamese under LANG=$loc"
    if command -v unzip >/dev/null 2>&1; then
        unzip -p "$TMP/vi.odt" content.xml | grep -Eq "Commune:|Survey period:|>yes<|>met<" &&
            fail "English left in the Vietnamese proposal (LANG=$loc)"
    fi
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=$loc "$KHAOSAT" report --db "$db" --forms "$FORMS" --lang en --format html --out "$TMP/en.html" ||
        fail "html in English under LANG=$loc"
    grep -q "Commune:" "$TMP/en.html" || fail "no 'Commune:' in the English annex (LANG=$loc)"
done
# No format writes over a database or a backup given as --out.
"$KHAOSAT" backup --db "$db" --to "$TMP/keep.kbk" >/dev/null 2>&1 || fail "backup"
cp "$db" "$TMP/other.db"
for target in other.db keep.kbk; do
    before=$(sha256sum < "$TMP/$target")
    for f in proposal html csv markdown text; do
        run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format $f --out "$TMP/$target" --lang en
        expect_status 1
        case $target in
            *.db) expect_err_contains "is a database; khaosat will not write over it" ;;
            *) expect_err_contains "is a khaosat backup; khaosat will not write over it" ;;
        esac
        [ "$(sha256sum < "$TMP/$target")" = "$before" ] || fail "--format $f wrote over $target"
    done
done
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --format proposal --out "$TMP/p.odt"
expect_status 0
[ "$(head -c 38 "$TMP/p.odt" | tail -c 8)" = "mimetype" ] || fail "the proposal does not start with its mimetype"
if command -v soffice >/dev/null 2>&1; then
    (cd "$TMP" && HOME="$TMP" soffice --headless --convert-to pdf p.odt >/dev/null 2>&1) || fail "LibreOffice cannot convert the proposal"
    [ -s "$TMP/p.pdf" ] || fail "no PDF from the proposal"
    # The PDF has Annex II's sections, III.2 filled in from the survey.
    if command -v pdftotext >/dev/null 2>&1; then
        pdftotext "$TMP/p.pdf" "$TMP/p.txt" || fail "pdftotext"
        for h in "I. THÔNG TIN CHUNG" "II. BỐI CẢNH" "III. CƠ SỞ ĐỀ XUẤT MÔ HÌNH" \
                 "2. Cơ sở thực tiễn" "IV. MỤC TIÊU" "V. NỘI DUNG CHÍNH" \
                 "VI. ĐỐI TƯỢNG THỤ HƯỞNG"; do
            grep -qF "$h" "$TMP/p.txt" || fail "the proposal's PDF has no '$h'"
        done
        for id in C1 C2 C3 C4 C5 C6 E1 E2 E3 E4 E5; do
            tr '\n\f' '  ' < "$TMP/p.txt" | grep -Eq "(^| )$id [^:]{1,80}: (met|not met|not enough data|exempt|đạt|không đạt|chưa đủ dữ liệu|miễn)\." ||
                fail "III.2 of the proposal's PDF has no verdict for $id"
        done
    fi
fi

# The annex a commune attaches (Vietnamese), section by section, on a
# commune with households, officials and businesses.
if command -v sqlite3 >/dev/null 2>&1; then
    doc="$TMP/doc.db"
    "$KHAOSAT" simulate --db "$doc" --forms "$FORMS" --form commune --count 1 --seed 7 >/dev/null
    "$KHAOSAT" simulate --db "$doc" --forms "$FORMS" --form household --count 40 --seed 8 >/dev/null
    "$KHAOSAT" simulate --db "$doc" --forms "$FORMS" --form officials --count 3 --seed 9 >/dev/null
    "$KHAOSAT" simulate --db "$doc" --forms "$FORMS" --form business --count 4 --seed 9 >/dev/null
    LANGUAGE=vi run "$KHAOSAT" report --db "$doc" --forms "$FORMS" --lang vi --format html --out "$TMP/doc.html"
    expect_status 0
    h="$TMP/doc.html"
    answer() { sqlite3 "$doc" "SELECT value FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE i.form_id = 'commune' AND a.qid = '$1' AND a.path = '${2:-}'"; }
    province=$(answer province)
    name=$(answer commune | sed 's/^[Xx]ã //')
    declared=$(answer n_officials)
    product=$(answer p_name "products[1]")
    nbsp=$(printf '\302\240')
    for want in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" \
                "ỦY BAN NHÂN DÂN" "tỉnh: $province" "Thời gian khảo sát: từ " \
                "<h2>Mẫu khảo sát</h2>" "<th>Kế hoạch</th>" "<th>Không phỏng vấn được</th>" \
                "đã phỏng vấn 3 trên $declared người theo kê khai" \
                "Phiếu HTX, cơ sở sản xuất kinh doanh: 4 phiếu hoàn thành" \
                "Ngưỡng 50% với xã vùng đồng bào DTTS" "Số liệu đối chiếu: " \
                "Sản phẩm nông nghiệp chủ lực (điều kiện E4, chỉ tiêu 7.2)" "$product" \
                "<h2>Theo thôn</h2>" "Duyệt số liệu sử dụng: " \
                "NGƯỜI LẬP BIỂU" "(Ký tên, đóng dấu)" "@page{size:A4" \
                "Số liệu của từng điều kiện so với ngưỡng" "<h2>Xếp hạng nhu cầu</h2>"; do
        grep -qF -- "$want" "$h" || fail "the annex has no '$want'"
    done
    grep -qi "XÃ $name" "$h" || fail "the annex does not name the issuing body (XÃ $name)"
    for v in $(sqlite3 "$doc" "SELECT value FROM answers WHERE qid = 'v_code' ORDER BY path"); do
        grep -q "<td>$v " "$h" || fail "village $v is not in the sample by village"
    done
    grep -q "[0-9],[0-9]$nbsp%" "$h" || fail "no Vietnamese number format (52,6 %)"
    grep -q "[0-9]\.[0-9]%" "$h" && fail "an English number format in the Vietnamese annex: $(grep -o '[0-9]*\.[0-9]%' "$h" | head -1)"
    [ "$(grep -o "<svg " "$h" | wc -l)" -ge 3 ] || fail "fewer than 3 charts"
    grep -Eq "<(script|link|img)|src=|https?:|javascript" "$h" && fail "the annex has scripts or outside resources"
    # Printed by a browser: A4 pages, nothing past the right margin and
    # the text not shrunk to fit, even with a long name that has no space.
    if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
        long="Cam$(printf '%0150d' 0 | tr 0 X)"
        sqlite3 "$doc" "UPDATE answers SET value = '$long' WHERE qid = 'p_name'"
        "$KHAOSAT" report --db "$doc" --forms "$FORMS" --lang vi --format html --out "$TMP/long.html" ||
            fail "html with a long name"
        for f in doc long; do
            HOME="$TMP" chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
                --user-data-dir="$TMP/chromium" --print-to-pdf="$TMP/$f.pdf" "file://$TMP/$f.html" >/dev/null 2>&1 ||
                fail "Chromium cannot print $f.html"
            pdfinfo "$TMP/$f.pdf" | grep -q "Page size:.*(A4)" || fail "$f.pdf is not A4"
            pages=$(pdfinfo "$TMP/$f.pdf" | sed -n 's/^Pages: *//p')
            [ "${pages:-0}" -ge 3 ] && [ "$pages" -le 40 ] || fail "$f.pdf has $pages pages"
            # Word boxes: the right edge within the page less its 1.5 cm
            # margin (42.5 pt); the usual height that of 11 pt text.
            pdftotext -bbox "$TMP/$f.pdf" - | awk -F'"' '/<page /{ w = $2 } /<word /{ if ($6 > w - 41) over++; h[int($8 - $4)]++ }
                END { for (k in h) if (h[k] > n) { n = h[k]; usual = k }; if (over || usual < 11) { print over + 0, usual; exit 1 } }' > "$TMP/bbox" ||
                fail "$f.pdf: words past the margin, usual height (overflow, usual height): $(cat "$TMP/bbox")"
        done
        pdftotext "$TMP/long.pdf" - | tr -d '\n' | grep -q "CamXXXXXXXXXX" || fail "the long name is not printed"
    fi
fi
run "$KHAOSAT" report --db "$TMP/none.db" --forms "$FORMS"
expect_status 1
expect_err_contains "there is no database there (the nearest folder that exists is "
[ -e "$TMP/none.db" ] && fail "report created a database"
printf 'forms: {household: {unit: hộ}}\nfigures:\n  - {id: x, kind: rate, form: household, title: t, numerator: "${nope}"}\n' > "$TMP/bad.yaml"
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --report "$TMP/bad.yaml"
expect_status 1
expect_err_contains "bad.yaml:3:"
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --commune nosuch
expect_status 1
expect_err_contains "nosuch"

# CSV export: one file per form and per repeat, joined by keys.
run "$KHAOSAT" csv --db "$db" --forms "$FORMS" --out "$TMP/csv" --bom
expect_status 0
for f in household.csv household-members.csv commune.csv commune-villages.csv officials.csv; do
    [ -s "$TMP/csv/$f" ] || fail "$f was not written"
done
# Only finalised interviews are data; the drafts left out are counted.
rows=$(tail -n +2 "$TMP/csv/household.csv" | grep -c "complete")
drafts=$(sqlite3 "$db" "SELECT count(*) FROM interviews WHERE status = 'draft'")
[ "$rows" -ge 12 ] || fail "household.csv has $rows interview rows, expected 12"
tail -n +2 "$TMP/csv/household.csv" | grep -q ",draft," && fail "a draft went into household.csv"
expect_out_contains "$drafts draft(s) left out"
run "$KHAOSAT" csv --db "$db" --forms "$FORMS" --out "$TMP/csvd" --drafts
expect_status 0
rows=$(tail -n +2 "$TMP/csvd/household.csv" | grep -c "complete\|draft")
[ "$rows" -ge 14 ] || fail "household.csv --drafts has $rows interview rows, expected 14"
head -c 3 "$TMP/csv/household.csv" | od -An -tx1 | grep -q "ef bb bf" || fail "no BOM"
head -1 "$TMP/csv/household.csv" | grep -q "hh_internet_type/mobile" ||
    fail "no 0/1 columns for select_multiple choices"
head -1 "$TMP/csv/household-members.csv" | grep -q "PARENT_KEY,KEY" ||
    fail "repeat file without PARENT_KEY/KEY"
run "$KHAOSAT" csv --db "$db" --forms "$FORMS"
expect_status 2
run "$KHAOSAT" csv --db "$TMP/none.db" --forms "$FORMS" --out "$TMP/csv2"
expect_status 1
expect_err_contains "there is no database there (the nearest folder that exists is "

# The province's comparison: three communes' laptops export, one office
# database merges them, and the report gives one row per commune.
if command -v sqlite3 >/dev/null 2>&1; then
    for i in 1 2 3; do
        laptop "x$i" "Điều tra viên $i" "Xã số $i"
        "$KHAOSAT" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form commune --count 1 --seed "$i" >/dev/null
        "$KHAOSAT" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form household --count 40 --seed "$((i + 10))" >/dev/null
        "$KHAOSAT" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form officials --count 5 --seed "$((i + 20))" >/dev/null
        mkdir -p "$TMP/usb$i"
        "$KHAOSAT" export --db "$TMP/x$i.db" --to "$TMP/usb$i" >/dev/null 2>&1 || fail "export of commune $i"
    done
    office="$TMP/office.db"
    "$KHAOSAT" forms accept --db "$office" "$TMP"/usb1/* >/dev/null 2>&1 || fail "forms accept"
    "$KHAOSAT" merge --db "$office" "$TMP"/usb1/* "$TMP"/usb2/* "$TMP"/usb3/* >/dev/null 2>&1 || fail "merge"
    # --commune on the office takes the same share as --communes: commune
    # 2's figures there equal those of commune 2's own laptop.
    run "$KHAOSAT" report --db "$TMP/x2.db" --forms "$FORMS" --format csv
    expect_status 0
    mv "$TMP/out" "$TMP/own2.csv"
    code2=$(sed -n '2p' "$TMP/own2.csv" | cut -d, -f2)
    for f in csv html; do
        "$KHAOSAT" report --db "$TMP/x2.db" --forms "$FORMS" --format $f > "$TMP/own2.$f"
        run "$KHAOSAT" report --db "$office" --forms "$FORMS" --commune "$code2" --format $f
        expect_status 0
        # Review states too: the commune's own interviews, not the whole
        # office's. Duplicates are found by merging, so the laptop has none.
        grep -v "Duplicates found by merging" "$TMP/out" > "$TMP/off2.$f"
        grep -v "Duplicates found by merging" "$TMP/own2.$f" > "$TMP/own2x.$f"
        cmp -s "$TMP/off2.$f" "$TMP/own2x.$f" ||
            fail "--commune $code2 on the office differs from the laptop ($f): $(diff "$TMP/own2x.$f" "$TMP/off2.$f" | head -5)"
    done
    # Duplicates found by merging: the pairs within commune 2 only.
    # A pair is of one commune: none joins commune 2 and another.
    across=$(sqlite3 "$office" "ATTACH '$TMP/x2.db' AS x; SELECT count(*) FROM duplicates
        WHERE (a IN (SELECT uuid FROM x.interviews)) <> (b IN (SELECT uuid FROM x.interviews))")
    [ "$across" -eq 0 ] || fail "$across duplicate pairs join commune 2 and another"
    # Every pair counts, decided or not (as khaosat duplicates lists them).
    pairs=$(sqlite3 "$office" "ATTACH '$TMP/x2.db' AS x; SELECT count(*) FROM duplicates
        WHERE a IN (SELECT uuid FROM x.interviews) AND b IN (SELECT uuid FROM x.interviews)")
    if [ "$pairs" -gt 0 ]; then pairs="$pairs pair(s): "; else pairs="0<"; fi
    grep -q "Duplicates found by merging: $pairs" "$TMP/out" ||
        fail "--commune $code2: expected $pairs duplicates of its own, got $(grep "Duplicates found" "$TMP/out")"
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --commune "$code2" --lang en
    own=$(sqlite3 "$TMP/x2.db" "SELECT count(*) FROM interviews WHERE status = 'complete'")
    expect_out_contains "Interviews used: 0 approved, $own not reviewed"
    # Household and official numbers are per commune: official 1 of one
    # commune and official 1 of another are not a duplicate pair.
    for i in 1 2; do
        laptop "y$i" "Điều tra viên $i" "Xã khác $i"
        "$KHAOSAT" simulate --db "$TMP/y$i.db" --forms "$FORMS" --form commune --count 1 --seed "$i" >/dev/null
        "$KHAOSAT" simulate --db "$TMP/y$i.db" --forms "$FORMS" --form officials --count 2 --seed 1 >/dev/null
        mkdir -p "$TMP/stick$i"
        "$KHAOSAT" export --db "$TMP/y$i.db" --to "$TMP/stick$i" >/dev/null 2>&1 || fail "export of y$i"
    done
    "$KHAOSAT" merge --db "$TMP/office2.db" "$TMP"/stick1/* "$TMP"/stick2/* >/dev/null 2>&1 || fail "merge of y1, y2"
    run "$KHAOSAT" report --db "$TMP/office2.db" --forms "$FORMS" --communes --lang en
    expect_status 0
    grep -q "in duplicate pairs" "$TMP/out" &&
        fail "interviews of different communes flagged as duplicates: $(grep "in duplicate pairs" "$TMP/out" | head -1)"
    # Two laptops of one commune spelling its name differently: the same
    # official numbers are duplicate pairs of that commune.
    laptop w1 "Điều tra viên 1" "Xã Nghĩa Trung"
    laptop w2 "Điều tra viên 2" "xã  nghĩa trung"
    "$KHAOSAT" simulate --db "$TMP/w1.db" --forms "$FORMS" --form commune --count 1 --seed 5 >/dev/null
    for i in 1 2; do
        "$KHAOSAT" simulate --db "$TMP/w$i.db" --forms "$FORMS" --form officials --count 2 --seed 1 >/dev/null
        mkdir -p "$TMP/ws$i"
        "$KHAOSAT" export --db "$TMP/w$i.db" --to "$TMP/ws$i" >/dev/null 2>&1 || fail "export of w$i"
    done
    "$KHAOSAT" merge --db "$TMP/office5.db" "$TMP"/ws1/* "$TMP"/ws2/* >/dev/null 2>&1 || fail "merge of w1, w2"
    dups=$(sqlite3 "$TMP/office5.db" "SELECT count(*) FROM duplicates WHERE decision IS NULL")
    [ "$dups" -ge 1 ] || fail "test data: no duplicate pair between w1 and w2"
    run "$KHAOSAT" report --db "$TMP/office5.db" --forms "$FORMS" --communes --lang en
    expect_status 0
    expect_out_contains "in duplicate pairs"
    # Communes are grouped by the code of their commune form: a laptop
    # whose commune setting differs only in case, spacing and Unicode
    # normalisation joins the same commune; a setting with no commune form
    # is its own row flagged so; interviews naming no commune are a warning.
    laptop z1 "Điều tra viên 1" "Xã Bình An"
    "$KHAOSAT" simulate --db "$TMP/z1.db" --forms "$FORMS" --form commune --count 1 --seed 31 >/dev/null
    "$KHAOSAT" simulate --db "$TMP/z1.db" --forms "$FORMS" --form household --count 10 --seed 32 >/dev/null
    laptop z2 "Điều tra viên 2" "$(printf '  xa\314\203  BI\314\200NH AN ')"
    "$KHAOSAT" simulate --db "$TMP/z2.db" --forms "$FORMS" --form household --count 7 --seed 33 >/dev/null
    laptop z3 "Điều tra viên 3" ""
    "$KHAOSAT" simulate --db "$TMP/z3.db" --forms "$FORMS" --form household --count 4 --seed 34 >/dev/null
    laptop z4 "Điều tra viên 4" "Xã chưa có phiếu"
    "$KHAOSAT" simulate --db "$TMP/z4.db" --forms "$FORMS" --form household --count 3 --seed 35 >/dev/null
    for i in 1 2 3 4; do
        mkdir -p "$TMP/zs$i"
        "$KHAOSAT" export --db "$TMP/z$i.db" --to "$TMP/zs$i" >/dev/null 2>&1 || fail "export of z$i"
    done
    "$KHAOSAT" merge --db "$TMP/office3.db" "$TMP"/zs*/* >/dev/null 2>&1 || fail "merge of z1-z4"
    zcode=$(sqlite3 "$TMP/z1.db" "SELECT value FROM answers WHERE qid = 'commune_code'")
    before3=$(db_digest "$TMP/office3.db")
    run "$KHAOSAT" report --db "$TMP/office3.db" --forms "$FORMS" --communes --format csv --lang en
    expect_status 0
    [ "$(tail -n +2 "$TMP/out" | grep -c .)" = 2 ] || fail "expected 2 communes: $(cut -d, -f1-4 "$TMP/out")"
    grep -q "(empty)" "$TMP/out" && fail "a row for interviews without a commune"
    sed -n 2p "$TMP/out" | grep -q "^1,$zcode," || fail "commune $zcode not first: $(sed -n 2p "$TMP/out" | cut -d, -f1-4)"
    sed -n 3p "$TMP/out" | grep -q "^2,Xã chưa có phiếu,.*no commune form" ||
        fail "a commune without its form not flagged: $(sed -n 3p "$TMP/out")"
    expect_err_contains "4 interviews name no commune"
    expect_err_contains "khaosat keys export --to CARD --commune NAME"
    run "$KHAOSAT" report --db "$TMP/office3.db" --forms "$FORMS" --commune "$zcode" --lang en
    expect_status 0
    expect_out_contains "Interviews used: 0 approved, 18 not reviewed"
    # The "no commune form" row opens by the name it is shown with (any
    # spelling): its own interviews, without the commune form's figures.
    run "$KHAOSAT" report --db "$TMP/office3.db" --forms "$FORMS" --commune "xã chưa CÓ phiếu" --lang en
    expect_status 0
    expect_out_contains "the commune form is missing"
    expect_out_contains "Interviews used: 0 approved, 3 not reviewed"
    run "$KHAOSAT" report --db "$TMP/office3.db" --forms "$FORMS" --communes --lang en
    expect_out_contains "2 communes, those that qualify first"
    expect_out_contains "⚠ 4 interviews name no commune"
    [ "$(db_digest "$TMP/office3.db")" = "$before3" ] || fail "the comparison changed the office database"
    # A second merge of the same sticks changes nothing in the grouping.
    "$KHAOSAT" merge --db "$TMP/office3.db" "$TMP"/zs*/* >/dev/null 2>&1 || fail "re-merge of z1-z4"
    run "$KHAOSAT" report --db "$TMP/office3.db" --forms "$FORMS" --communes --format csv --lang en
    [ "$(tail -n +2 "$TMP/out" | grep -c .)" = 2 ] || fail "re-merge changed the communes"
    # Laptop -> commune office -> province: each office set up for its
    # commune sends bundles that carry its commune, and the province gets
    # one full row per commune.
    for i in 1 2; do
        "$KHAOSAT" simulate --db "$TMP/lp$i.db" --forms "$FORMS" --form commune --count 1 --seed "$((i * 10))" >/dev/null
        "$KHAOSAT" simulate --db "$TMP/lp$i.db" --forms "$FORMS" --form household --count 12 --seed "$((i * 10 + 1))" >/dev/null
        "$KHAOSAT" keys export --db "$TMP/lp$i.db" --to "$TMP/lpcard$i" --commune "lap$i" >/dev/null 2>&1 || fail "keys export lp$i"
        mkdir -p "$TMP/lpusb$i" "$TMP/lpup$i"
        "$KHAOSAT" export --db "$TMP/lp$i.db" --to "$TMP/lpusb$i" >/dev/null 2>&1 || fail "export of lp$i"
        "$KHAOSAT" setup commune --db "$TMP/cof$i.db" --code "1000$i" --name "Xã văn phòng $i" --province 01 >/dev/null 2>&1 || fail "setup commune $i"
        "$KHAOSAT" merge --db "$TMP/cof$i.db" "$TMP"/lpusb$i/* >/dev/null 2>&1 || fail "office merge $i"
        "$KHAOSAT" export --db "$TMP/cof$i.db" --to "$TMP/lpup$i" >/dev/null 2>&1 || fail "office export $i"
        ls "$TMP/lpup$i" | grep -q "^1000${i}_" || fail "office bundle does not carry commune 1000$i: $(ls "$TMP/lpup$i")"
    done
    "$KHAOSAT" merge --db "$TMP/prov.db" "$TMP"/lpup1/* "$TMP"/lpup2/* >/dev/null 2>&1 || fail "province merge"
    run "$KHAOSAT" report --db "$TMP/prov.db" --forms "$FORMS" --communes --format csv --lang en
    expect_status 0
    [ "$(tail -n +2 "$TMP/out" | grep -c .)" = 2 ] || fail "province: expected 2 communes: $(cut -d, -f1-4 "$TMP/out")"
    # Beside the worded figures, each condition's tests as numbers (at the
    # end of the row: value, threshold, met 1/0).
    head -1 "$TMP/out" | grep -q ",error,C1\.[^,]*_value,C1\.[^,]*_threshold,C1\.[^,]*_met," ||
        fail "province CSV has no numeric columns: $(head -1 "$TMP/out")"
    n=$(head -1 "$TMP/out" | tr ',' '\n' | grep -c "_value$")
    tail -n +2 "$TMP/out" | tr -d '\r' | awk -F, -v n="$n" '{
        for (k = NF - 3 * n + 1; k <= NF; k += 3) {
            if ($k != "" && $k !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) bad = bad " value " $k
            if ($(k + 1) != "" && $(k + 1) !~ /^-?[0-9.]+$/) bad = bad " threshold " $(k + 1)
            if ($(k + 2) != "" && $(k + 2) != "0" && $(k + 2) != "1") bad = bad " met " $(k + 2)
            if ($(k + 1) != "" && $k != "" && $(k + 2) == "1" && $k + 0 < $(k + 1) + 0) bad = bad " met below threshold " $k
            if ($(k + 2) == "1") met++
        }
    } END { if (bad != "" || !met) { print bad; exit 1 } }' >"$TMP/bad" ||
        fail "province CSV numeric columns: $(cat "$TMP/bad")"
    grep -q "left out" "$TMP/err" && fail "province left interviews out: $(cat "$TMP/err")"
    for i in 1 2; do
        c=$(sqlite3 "$TMP/lp$i.db" "SELECT value FROM answers WHERE qid = 'commune_code'")
        grep -q "^[12],$c,.*,1000$i," "$TMP/out" || fail "province: commune $c of office 1000$i missing: $(cut -d, -f1-4 "$TMP/out")"
    done
    # --approved-only: a commune whose commune form awaits review keeps its
    # row, flagged as such rather than as having no commune form.
    run "$KHAOSAT" report --db "$TMP/prov.db" --forms "$FORMS" --communes --approved-only --format csv --lang en
    expect_status 0
    [ "$(tail -n +2 "$TMP/out" | grep -c "commune form not approved")" = 2 ] ||
        fail "--approved-only: unapproved commune forms not flagged: $(cat "$TMP/out")"
    grep -q "no commune form" "$TMP/out" && fail "--approved-only: an unapproved commune form reported as missing"
    # Each of them opens by its code with --approved-only too: its report
    # without the commune form's figures, which says why.
    for i in 1 2; do
        c=$(sqlite3 "$TMP/lp$i.db" "SELECT value FROM answers WHERE qid = 'commune_code'")
        run "$KHAOSAT" report --db "$TMP/prov.db" --forms "$FORMS" --commune "$c" --approved-only --lang en
        expect_status 0
        tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "the commune form of $c is not approved (--approved-only)" ||
            fail "--commune $c --approved-only: $(grep -A1 '⚠' "$TMP/out" | head -4)"
    done
    # A laptop without a commune: its interviews are left out at the
    # office, with advice that names a real command; following it (set
    # the commune, export again with --all, merge again) brings them in.
    laptop nc "Điều tra viên 9" ""
    "$KHAOSAT" simulate --db "$TMP/nc.db" --forms "$FORMS" --form household --count 5 --seed 41 >/dev/null
    # Drafts are not counted as interviews left out.
    "$KHAOSAT" simulate --db "$TMP/nc.db" --forms "$FORMS" --form household --count 3 --seed 42 --drafts >/dev/null
    mkdir -p "$TMP/ncs1" "$TMP/ncs2"
    "$KHAOSAT" export --db "$TMP/nc.db" --to "$TMP/ncs1" --drafts >/dev/null 2>&1 || fail "export of nc"
    [ "$(sqlite3 "$TMP/office3.db" "SELECT count(*) FROM interviews WHERE status = 'draft'")" = 0 ] ||
        fail "test data: drafts in office3"
    cp "$TMP/office3.db" "$TMP/office4.db"
    "$KHAOSAT" merge --db "$TMP/office4.db" "$TMP"/ncs1/* >/dev/null 2>&1 || fail "merge of nc"
    run "$KHAOSAT" report --db "$TMP/office4.db" --forms "$FORMS" --communes --format csv --lang en
    [ "$(sqlite3 "$TMP/office4.db" "SELECT count(*) FROM interviews WHERE status = 'draft'")" = 3 ] ||
        fail "test data: the drafts did not reach the office"
    expect_err_contains "9 interviews name no commune"
    expect_err_contains "khaosat keys export --to CARD --commune NAME"
    "$KHAOSAT" keys export --db "$TMP/nc.db" --to "$TMP/nccard" --commune "$zcode" >/dev/null 2>&1 || fail "keys export --commune"
    "$KHAOSAT" export --db "$TMP/nc.db" --to "$TMP/ncs2" --all >/dev/null 2>&1 || fail "export --all of nc"
    "$KHAOSAT" merge --db "$TMP/office4.db" "$TMP"/ncs2/* >/dev/null 2>&1 || fail "re-merge of nc"
    run "$KHAOSAT" report --db "$TMP/office4.db" --forms "$FORMS" --communes --format csv --lang en
    expect_err_contains "4 interviews name no commune"
    run "$KHAOSAT" report --db "$TMP/office4.db" --forms "$FORMS" --commune "$zcode" --lang en
    expect_out_contains "Interviews used: 0 approved, 23 not reviewed"
    # A commune name that tries to be markup and a terminal command.
    sqlite3 "$office" "UPDATE answers SET value = '<b>Xã</b> ' || char(27) || '[31mĐỏ' WHERE qid = 'commune' AND interview = (SELECT min(uuid) FROM interviews WHERE form_id = 'commune')"
    before=$(db_digest "$office")
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --format csv
    expect_status 0
    head -1 "$TMP/out" | grep -q "^rank,commune,name,origin,smart,ecom,C1,C1_figures," ||
        fail "unexpected comparison header: $(head -1 "$TMP/out")"
    rows=$(tail -n +2 "$TMP/out" | grep -c .)
    [ "$rows" = 3 ] || fail "expected 3 communes, got $rows"
    for i in 1 2 3; do
        grep -q ",Xã số $i," "$TMP/out" || fail "commune $i (its bundles' origin) missing"
    done
    # Qualifying first: verdicts met (or exempt) never increase down the table.
    tail -n +2 "$TMP/out" | awk -F, '{ n = ($5 == "met" || $5 == "exempt") + ($6 == "met" || $6 == "exempt"); if (NR > 1 && n > last) bad = 1; last = n } END { exit bad }' ||
        fail "communes that qualify are not first"
    grep -q "interviews not approved" "$TMP/out" || fail "unreviewed data not flagged"
    # Coverage names the units as the single report does, never a
    # figure's id ("c4 3 of 19 declared").
    grep -Eq "[;,\"]c4 [0-9]" "$TMP/out" && fail "coverage names a figure id: $(grep -o '[^,]*declared[^,]*' "$TMP/out" | head -1)"
    grep -Eq "(officials|người) [0-9]+ of [0-9]+ declared" "$TMP/out" ||
        fail "coverage does not count the officials: $(grep -o '[^,]*declared[^,]*' "$TMP/out" | head -1)"
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --lang en
    expect_status 0
    expect_out_contains "3 communes, those that qualify first"
    expect_out_contains "C4     "
    grep -Eq "Coverage: .*officials [0-9]+ of [0-9]+ declared" "$TMP/out" ||
        fail "text coverage: $(grep Coverage "$TMP/out" | head -1)"
    grep -q "c4 [0-9]" "$TMP/out" && fail "text coverage names a figure id"
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --lang vi
    expect_status 0
    grep -Eq "người [0-9]+ (of|trên) [0-9]+" "$TMP/out" ||
        fail "Vietnamese coverage: $(grep -i 'coverage\|phạm vi\|Độ phủ' "$TMP/out" | head -1)"
    grep -q "$(printf '\033')" "$TMP/out" && fail "a terminal escape from the data reached the text"
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --format html --out "$TMP/cmp.html"
    expect_status 0
    grep -q "&lt;b&gt;Xã&lt;/b&gt;" "$TMP/cmp.html" || fail "commune name not escaped in html"
    grep -q "<b>Xã</b>" "$TMP/cmp.html" && fail "markup from the data reached the html"
    grep -Eq "<(script|link)|src=|https?:" "$TMP/cmp.html" && fail "html refers to outside resources"
    # A second pass in another order gives the same communes.
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --sort code --format csv
    expect_status 0
    [ "$(tail -n +2 "$TMP/out" | grep -c .)" = 3 ] || fail "--sort code lost a commune"
    # Bad requests are refused and the office database is left as it was.
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --sort size
    expect_status 2
    expect_err_contains "unknown order 'size'"
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes --commune 1 --lang en
    expect_status 2
    expect_err_contains "--communes and --commune exclude each other"
    run "$KHAOSAT" report --db "$office" --forms "$FORMS" --sort code --lang en
    expect_status 2
    expect_err_contains "--sort orders the comparison: give it with --communes"
    [ "$(db_digest "$office")" = "$before" ] || fail "the comparison changed the office database"
fi

# Under LANG=C the report keeps its UTF-8, on the terminal and in a file
# (gettext would turn a translation's letters into '?'); only controls
# from the data are replaced: an ESC in the commune's name shows as '?'.
cp "$db" "$TMP/c.db"
cu=$(sqlite3 "$TMP/c.db" "SELECT uuid FROM interviews WHERE form_id = 'commune'")
esc=$(printf '\033')
"$KHAOSAT" answer --db "$TMP/c.db" "$cu" commune "Xã ${esc}[31mĐông Hòa" >/dev/null 2>&1 ||
    fail "answer the commune's name"
"$KHAOSAT" finalise --db "$TMP/c.db" "$cu" >/dev/null 2>&1 || fail "finalise the commune"
for where in file terminal; do
    if [ $where = file ]; then
        run env LC_ALL=C LANG=C "$KHAOSAT" report --db "$TMP/c.db" --forms "$FORMS" --lang vi --out "$TMP/c.txt"
        cp "$TMP/c.txt" "$TMP/out"
    else
        run env LC_ALL=C LANG=C "$KHAOSAT" report --db "$TMP/c.db" --forms "$FORMS" --lang vi
    fi
    expect_status 0
    expect_out_contains "Xã: Xã ?[31mĐông Hòa ("
    expect_out_contains "Lập lúc: "
    expect_out_contains "Chỉ tính các phiếu đã hoàn thành"
    grep -q "$esc" "$TMP/out" && fail "LANG=C report ($where) holds an ESC"
    iconv -f UTF-8 -t UTF-8 "$TMP/out" >/dev/null 2>&1 || fail "LANG=C report ($where) is not UTF-8"
done
run env LC_ALL=C LANG=C "$KHAOSAT" report --db "$TMP/c.db" --forms "$FORMS" --lang vi --format markdown
expect_out_contains "# Báo cáo khảo sát"

finish
