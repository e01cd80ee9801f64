#!/bin/sh
# cli_down_versions.sh: form versions going down to a laptop.  The merge
# names each form and its version old -> new; a bundle carrying an older
# version than the one installed does not roll the laptop back (said:
# kept NEW, the office sent OLD), new interviews keep the newer one, the
# same again too (second pass); the office's export --down refuses a
# forms folder with a form that does not load, naming FILE:LINE:COL,
# writing nothing.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
OLDV=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 3 >/dev/null 2>&1
office_pair office A
# forms_at DIR VERSION: the forms with household at VERSION (a label
# changed, nothing a draft loses).
forms_at() {
    mkdir -p "$1"
    cp "$FORMS"/*.yaml "$1/"
    sed -e "s/^  version: \".*\"$/  version: \"$2\"/" \
        -e "s/en: \"Village code\"/en: \"Village code $2\"/" \
        "$FORMS/household.yaml" >"$1/household.yaml"
}
# down FORMSDIR: the office's bundle written with those forms, merged on
# the laptop; its output in $TMP/out.
down() {
    rm -rf "$TMP/down"
    mkdir -p "$TMP/down"
    "$K" export --db "$O" --down --to "$TMP/down" --forms "$1" >"$TMP/d" 2>/dev/null ||
        fail "the office exports with $1"
    run "$K" merge --db "$A" --forms "$FORMS" "$(cat "$TMP/d")"
    expect_status 0
}
forms_at "$TMP/f9" 2099.9
forms_at "$TMP/f10" 2099.10

down "$FORMS"
down "$TMP/f9"
expect_out_contains "1 new form version(s)"
expect_out_contains "form versions:
household $OLDV -> 2099.9"
down "$TMP/f10"
expect_out_contains "household 2099.9 -> 2099.10"

# An older version after the newer: kept, said, twice.
for pass in 1 2; do
    down "$TMP/f9"
    expect_out_contains "0 new form version(s)"
    expect_out_contains "household: kept 2099.10, the office sent 2099.9 (older: not installed)"
    expect_sql_a() {
        ks_checks=$((ks_checks + 1))
        got=$(sqlite3 "$A" "$1")
        [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got' (pass $pass)"
    }
    expect_sql_a "SELECT value FROM settings WHERE key = 'office_form.household'" "2099.10"
    "$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed $((20 + pass)) --drafts >/dev/null 2>&1
    expect_sql_a "SELECT form_version FROM interviews ORDER BY created DESC, rowid DESC LIMIT 1" "2099.10"
done
# The standard forms (older still) too.
down "$FORMS"
expect_out_contains "household: kept 2099.10, the office sent $OLDV (older: not installed)"

# A form that does not load in the office's folder: refused, nothing
# written.
mkdir -p "$TMP/bad"
cp "$FORMS"/*.yaml "$TMP/bad/"
sed -e 's/^  version: ".*"$/  version: "2099.11"/' \
    -e '0,/    type: integer/s//    type: integr/' \
    "$FORMS/household.yaml" >"$TMP/bad/household.yaml"
LINE=$(grep -n "type: integr$" "$TMP/bad/household.yaml" | head -1 | cut -d: -f1)
rm -rf "$TMP/down"
mkdir -p "$TMP/down"
before=$(db_digest "$O")
run "$K" export --db "$O" --down --to "$TMP/down" --forms "$TMP/bad"
expect_status 1
expect_err_contains "khaosat export: a form of the forms folder $TMP/bad does not load ($TMP/bad/household.yaml:$LINE:"
expect_err_contains "); correct it or take it out of the folder; 0 downstream bundle(s) written"
ks_checks=$((ks_checks + 1))
[ -z "$(ls "$TMP/down")" ] || fail "a bundle was written"
expect_same "$O" "$before" "export --down with a broken form"
# --allow-breaking with it keeps nothing either.
run "$K" export --db "$O" --down --to "$TMP/down" --forms "$TMP/bad" --allow-breaking business
expect_status 1
expect_err_contains "a form of the forms folder $TMP/bad does not load ($TMP/bad/household.yaml:$LINE:"
expect_same "$O" "$before" "export --down --allow-breaking with a broken form"

finish
