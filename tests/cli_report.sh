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

finish
