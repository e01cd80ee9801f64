#!/bin/sh
# khaosat export-xlsform and import-xlsform: every bundled form goes out to
# an XLSForm workbook and comes back as a form that validates, asks the same
# questions and, simulated with the same seed, gives the same answers; bad
# workbooks and forms are refused with a message naming the file, and leave
# what was already there untouched.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

mkdir "$TMP/orig" "$TMP/back"
for f in commune household officials business; do
    cp "$FORMS/$f.yaml" "$TMP/orig/"
    run "$KHAOSAT" export-xlsform "$FORMS/$f.yaml" --out "$TMP/$f.xlsx"
    expect_status 0
    expect_out_contains "$TMP/$f.xlsx:"
    run "$KHAOSAT" import-xlsform "$TMP/$f.xlsx" --out "$TMP/back/$f.yaml"
    expect_status 0
    expect_out_contains "; 0 cells noted; 0 errors"
    [ -s "$TMP/err" ] && fail "$f: import said: $(cat "$TMP/err")"
    run "$KHAOSAT" validate "$TMP/back/$f.yaml"
    expect_status 0
    # The same number of questions both ways.
    n1=$("$KHAOSAT" export-xlsform "$FORMS/$f.yaml" --out "$TMP/x.xlsx")
    n2=$("$KHAOSAT" export-xlsform "$TMP/back/$f.yaml" --out "$TMP/x.xlsx")
    [ "${n1#*:}" = "${n2#*:}" ] || fail "$f: '$n1' became '$n2'"
done

# The same seed gives the same answers from the original and the imported
# forms (the interviews' own ids and times aside).
dump() {
    sqlite3 "$1" "select i.form_id, a.qid, a.path, a.value from answers a
                  join interviews i on i.uuid = a.interview
                  order by i.rowid, a.qid, a.path"
}
for d in orig back; do
    for f in commune household officials business; do
        "$KHAOSAT" simulate --db "$TMP/$d.db" --forms "$TMP/$d" --form $f \
            --count 4 --seed 11 >/dev/null || fail "simulate $f from $d"
    done
done
[ -n "$(dump "$TMP/orig.db")" ] || fail "nothing was simulated"
[ "$(dump "$TMP/orig.db")" = "$(dump "$TMP/back.db")" ] ||
    fail "same seed, different answers from the imported forms"
# And the CSV export of both has the same answer columns.
"$KHAOSAT" csv --db "$TMP/orig.db" --forms "$TMP/orig" --out "$TMP/csv1" >/dev/null
"$KHAOSAT" csv --db "$TMP/back.db" --forms "$TMP/back" --out "$TMP/csv2" >/dev/null
for f in "$TMP"/csv1/*.csv; do
    b=$(basename "$f")
    [ "$(head -1 "$f")" = "$(head -1 "$TMP/csv2/$b")" ] || fail "$b: columns differ"
done

# Without --out the output goes next to the input, but never over a file.
cp "$TMP/household.xlsx" "$TMP/hh.xlsx"
run "$KHAOSAT" import-xlsform "$TMP/hh.xlsx"
expect_status 0
[ -s "$TMP/hh.yaml" ] || fail "no hh.yaml next to hh.xlsx"
before=$(cksum < "$TMP/hh.yaml")
run "$KHAOSAT" import-xlsform "$TMP/hh.xlsx"
expect_status 1
expect_err_contains "hh.yaml already exists"
[ "$(cksum < "$TMP/hh.yaml")" = "$before" ] || fail "hh.yaml was overwritten"
rm "$TMP/hh.xlsx"
run "$KHAOSAT" export-xlsform "$TMP/hh.yaml"
expect_status 0
before=$(cksum < "$TMP/hh.xlsx")
run "$KHAOSAT" export-xlsform "$TMP/hh.yaml"
expect_status 1
expect_err_contains "hh.xlsx already exists"
[ "$(cksum < "$TMP/hh.xlsx")" = "$before" ] || fail "hh.xlsx was overwritten"

# The output is never the input itself: by the same name, another spelling
# of the path, or a link to it. Refused, naming the file; nothing written.
ln -s hh.yaml "$TMP/hh-link.yaml"
ln -s hh.xlsx "$TMP/hh-link.xlsx"
ysum=$(cksum < "$TMP/hh.yaml"); xsum=$(cksum < "$TMP/hh.xlsx")
for o in "$TMP/hh.yaml" "$TMP/./hh.yaml" "$TMP/hh-link.yaml"; do
    run "$KHAOSAT" export-xlsform "$TMP/hh.yaml" --out "$o"
    expect_status 1
    expect_err_contains "$o: the output would replace the input"
    [ "$(cksum < "$TMP/hh.yaml")" = "$ysum" ] || fail "export over $o destroyed it"
done
for o in "$TMP/hh.xlsx" "$TMP/./hh.xlsx" "$TMP/hh-link.xlsx"; do
    run "$KHAOSAT" import-xlsform "$TMP/hh.xlsx" --out "$o"
    expect_status 1
    expect_err_contains "$o: the output would replace the input"
    [ "$(cksum < "$TMP/hh.xlsx")" = "$xsum" ] || fail "import over $o destroyed it"
done
rm "$TMP/hh-link.yaml" "$TMP/hh-link.xlsx"

# Not a workbook: refused, naming the file; the output is not touched.
printf 'keep me\n' > "$TMP/keep.yaml"
for bad in notzip empty; do
    case $bad in
    notzip) printf 'survey,name\ntext,q1\n' > "$TMP/$bad.xlsx" ;;
    empty) : > "$TMP/$bad.xlsx" ;;
    esac
    run "$KHAOSAT" import-xlsform "$TMP/$bad.xlsx" --out "$TMP/keep.yaml"
    expect_status 1
    expect_err_contains "$TMP/$bad.xlsx: not an .xlsx workbook (not a zip archive)"
    [ "$(cat "$TMP/keep.yaml")" = "keep me" ] || fail "$bad: output changed"
done
run "$KHAOSAT" import-xlsform "$TMP/nosuch.xlsx" --out "$TMP/keep.yaml"
expect_status 1
expect_err_contains "$TMP/nosuch.xlsx: cannot open"

# A form with errors is not exported.
printf 'form:\n  id: x\n' > "$TMP/broken.yaml"
run "$KHAOSAT" export-xlsform "$TMP/broken.yaml" --out "$TMP/broken.xlsx"
expect_status 1
expect_err_contains "broken.yaml has errors; nothing written"
[ -e "$TMP/broken.xlsx" ] && fail "a workbook was written for a broken form"

# A workbook with what khaosat cannot carry: each cell is listed on stderr
# as SHEET!CELL, and the form written still validates.
XLSX="$(dirname "$KHAOSAT")/../tests/check_xlsform"
tab=$(printf '\t')
{
    echo "type${tab}name${tab}label::Tiếng Việt (vi)${tab}label::English (en)${tab}appearance${tab}relevant"
    echo "integer${tab}hh-size${tab}Số người${tab}Household size"
    echo "select_one yn or_other${tab}ok${tab}Đồng ý?${tab}Agree?${tab}minimal${tab}\${hh-size} > 0"
    echo "geopoint${tab}gps${tab}Vị trí${tab}Location"
    echo "text${tab}why${tab}Vì sao?${tab}Why?${tab}${tab}/data/hh-size > 1"
} > "$TMP/survey.tsv"
{
    echo "list_name${tab}name${tab}label::Tiếng Việt (vi)${tab}label::English (en)"
    echo "yn${tab}1${tab}Có${tab}Yes"
    echo "yn${tab}0${tab}Không${tab}No"
} > "$TMP/choices.tsv"
printf 'form_id\tversion\tdefault_language\tkhaosat_title_vi\tkhaosat_title_en\tstyle\nkk\t3\tTiếng Việt (vi)\tPhiếu\tForm\tpages\n' > "$TMP/settings.tsv"
"$XLSX" --write-xlsx "$TMP/kk.xlsx" survey="$TMP/survey.tsv" \
    choices="$TMP/choices.tsv" settings="$TMP/settings.tsv" || fail "cannot write kk.xlsx"
run "$KHAOSAT" import-xlsform "$TMP/kk.xlsx" --out "$TMP/kk.yaml"
expect_status 0
expect_out "$TMP/kk.yaml: 4 questions written; 4 cells noted; 0 errors"
[ "$(cat "$TMP/err")" = "settings!F2: style 'pages' has no khaosat equivalent
survey!B2: name 'hh-size' is written 'hh_size' (in every expression too)
survey!E3: appearance 'minimal' has no khaosat equivalent
survey!A4: type 'geopoint' has no khaosat equivalent; the row is left out" ] ||
    fail "notes: $(cat "$TMP/err")"
run "$KHAOSAT" validate "$TMP/kk.yaml"
expect_status 0
grep -q 'relevant: "${hh_size} > 1"' "$TMP/kk.yaml" || fail "path not renamed"
grep -q 'id: ok_other' "$TMP/kk.yaml" || fail "no or_other question"
# Imported forms are interviewed like any other.
mkdir "$TMP/kkforms" && cp "$TMP/kk.yaml" "$TMP/kkforms/"
run "$KHAOSAT" simulate --db "$TMP/kk.db" --forms "$TMP/kkforms" --form kk --count 3 --seed 5
expect_status 0
expect_out_contains "3 interviews of kk"

# Languages written by name, without a code (XLSForm allows it): a known
# name is taken as its code and said so at its header; another is reported.
{
    echo "type${tab}name${tab}label::Tiếng Việt${tab}label::English${tab}hint::Klingon"
    echo "integer${tab}n${tab}Số người${tab}People${tab}Qapla"
} > "$TMP/byname.tsv"
printf 'form_id\tdefault_language\nbyname\tVietnamese\n' > "$TMP/byname_settings.tsv"
"$XLSX" --write-xlsx "$TMP/byname.xlsx" survey="$TMP/byname.tsv" \
    settings="$TMP/byname_settings.tsv" || fail "cannot write byname.xlsx"
run "$KHAOSAT" import-xlsform "$TMP/byname.xlsx" --out "$TMP/byname.yaml"
expect_status 0
expect_err_contains "survey!C1: language 'Tiếng Việt' is taken as 'vi'; write it as 'Tiếng Việt (vi)' to say so"
expect_err_contains "survey!D1: language 'English' is taken as 'en'; write it as 'English (en)' to say so"
expect_err_contains "survey!E1: language 'Klingon' has no code; write it as 'Klingon (xx)'"
grep -q 'languages: \[vi, en\]' "$TMP/byname.yaml" || fail "byname: languages: $(grep languages "$TMP/byname.yaml")"
grep -q 'default_language: vi' "$TMP/byname.yaml" || fail "byname: default language not vi"
grep -q 'label: {vi: "Số người", en: "People"}' "$TMP/byname.yaml" || fail "byname: labels: $(cat "$TMP/byname.yaml")"
run "$KHAOSAT" validate "$TMP/byname.yaml"
expect_status 0

# Vietnamese names lose their marks, not their letters (ids are ASCII):
# tên_chủ_hộ is ten_chu_ho, đ is d; relative paths (../name, as XLSForm
# writes a sibling inside a repeat) are renamed like ${name}; a workbook
# named in Vietnamese gives a readable form id.
{
    echo "type${tab}name${tab}label${tab}relevant${tab}constraint"
    echo "text${tab}tên_chủ_hộ${tab}Tên chủ hộ"
    echo "begin repeat${tab}thửa-đất${tab}Thửa đất"
    echo "integer${tab}diện_tích${tab}Diện tích${tab}current()/../tên_chủ_hộ != ''"
    echo "select_one cây_trồng${tab}cây${tab}Cây trồng${tab}../diện_tích > 0${tab}. != '' or ../../tên_chủ_hộ = ''"
    echo "end repeat"
} > "$TMP/vn.tsv"
{
    echo "list_name${tab}name${tab}label"
    echo "cây_trồng${tab}lúa${tab}Lúa"
    echo "cây_trồng${tab}ngô${tab}Ngô"
} > "$TMP/vn_choices.tsv"
"$XLSX" --write-xlsx "$TMP/Phiếu hộ Đắk Lắk.xlsx" survey="$TMP/vn.tsv" \
    choices="$TMP/vn_choices.tsv" || fail "cannot write the Vietnamese workbook"
run "$KHAOSAT" import-xlsform "$TMP/Phiếu hộ Đắk Lắk.xlsx" --out "$TMP/vn.yaml"
expect_status 0
expect_err_contains "settings: no form_id; the form is called after the file"
expect_err_contains "survey!B2: name 'tên_chủ_hộ' is written 'ten_chu_ho' (in every expression too)"
expect_err_contains "survey!B3: name 'thửa-đất' is written 'thua_dat'"
expect_err_contains "choices!A2: list 'cây_trồng' is written 'cay_trong'"
grep -q '^  id: phieu_ho_dak_lak$' "$TMP/vn.yaml" || fail "form id: $(grep '  id:' "$TMP/vn.yaml" | head -1)"
grep -q 'relevant: "${dien_tich} > 0"' "$TMP/vn.yaml" || fail "../ not renamed: $(grep relevant "$TMP/vn.yaml")"
grep -q 'relevant: "${ten_chu_ho} != '"''"'"' "$TMP/vn.yaml" || fail "current()/../ not renamed: $(grep relevant "$TMP/vn.yaml")"
grep -q 'constraint: ". != '"''"' or ${ten_chu_ho} = '"''"'"' "$TMP/vn.yaml" || fail "../../ not renamed: $(grep constraint "$TMP/vn.yaml")"
grep -q 'type: select_one cay_trong' "$TMP/vn.yaml" || fail "list not renamed"
# Choice codes keep their Vietnamese: they are data, not names.
grep -q 'value: "lúa"' "$TMP/vn.yaml" || fail "choice code changed: $(grep value "$TMP/vn.yaml")"
run "$KHAOSAT" validate "$TMP/vn.yaml"
expect_status 0

# A workbook whose form does not validate: written (to be fixed by hand),
# its errors listed against the new file, exit status 1; a second import
# over it replaces it only when --out names it.
printf 'type\tname\tlabel\ntext\ta\tA\ninteger\tb\tB ${nope}\n' > "$TMP/bad.tsv"
"$XLSX" --write-xlsx "$TMP/bad.xlsx" survey="$TMP/bad.tsv" || fail "cannot write bad.xlsx"
run "$KHAOSAT" import-xlsform "$TMP/bad.xlsx" --out "$TMP/bad.yaml"
expect_status 1
# Against the cell to correct, once, with where it is in the YAML.
expect_err_contains "survey!C3: reference to undefined question \${nope} ($TMP/bad.yaml:"
[ "$(grep -c 'nope' "$TMP/err")" = 1 ] || fail "the error is not said once: $(cat "$TMP/err")"
expect_out_contains "1 errors"
# Errors in the choices, a constraint and the settings' key, each at its cell.
printf 'type\tname\tlabel\tconstraint\ninteger\tn\tN\t. > ${zz}\nselect_one yn\tok\tOK\n' > "$TMP/bad2.tsv"
printf 'list_name\tname\tlabel\nyn\t1\tCó\nyn\t1\tKhông\n' > "$TMP/bad2_choices.tsv"
printf 'form_id\tkhaosat_key\nbad2\tnosuch\n' > "$TMP/bad2_settings.tsv"
"$XLSX" --write-xlsx "$TMP/bad2.xlsx" survey="$TMP/bad2.tsv" choices="$TMP/bad2_choices.tsv" \
    settings="$TMP/bad2_settings.tsv" || fail "cannot write bad2.xlsx"
run "$KHAOSAT" import-xlsform "$TMP/bad2.xlsx" --out "$TMP/bad2.yaml"
expect_status 1
expect_err_contains "survey!D2: reference to undefined question \${zz} ($TMP/bad2.yaml:"
expect_err_contains "choices!B3: duplicate choice value '1' in list 'yn'"
expect_err_contains "settings!B2: "
[ "$(grep -c "bad2.yaml:" "$TMP/err")" = "$(grep -c '!' "$TMP/err")" ] ||
    fail "an error not at its cell: $(cat "$TMP/err")"
[ -s "$TMP/bad.yaml" ] || fail "the form with errors was not written"

# Text that looks like an Excel escape is written escaped (_x005F_), so
# the round trip gives it back as it was, not decoded.
printf 'form:\n  id: esc\n  version: "1"\n  title: {vi: "esc"}\n  languages: [vi]\n  default_language: vi\nquestions:\n  - id: a\n    type: text\n    label: {vi: "Mã _x0041_ và _x005F_ cuối_x00"}\n' > "$TMP/esc.yaml"
run "$KHAOSAT" export-xlsform "$TMP/esc.yaml" --out "$TMP/esc.xlsx"
expect_status 0
run "$KHAOSAT" import-xlsform "$TMP/esc.xlsx" --out "$TMP/esc2.yaml"
expect_status 0
grep -q 'label: {vi: "Mã _x0041_ và _x005F_ cuối_x00"}' "$TMP/esc2.yaml" ||
    fail "a literal _xHHHH_ changed on the way round: $(grep label "$TMP/esc2.yaml")"

run "$KHAOSAT" import-xlsform
expect_status 2
expect_err_contains "Usage: khaosat import-xlsform"
run "$KHAOSAT" export-xlsform --help
expect_status 0
expect_out_contains "Usage: khaosat export-xlsform"

finish
