#!/bin/sh
# tui_forms.sh: a form file with errors is left out, and the screen says so
# (with the file, line and reason) before anything else, instead of the
# form silently missing from the home screen.  A forms directory with no
# form at all stops the program with the advice on stderr.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-forms-$$
DB=$TMP/laptop.db
mkdir "$TMP/forms" "$TMP/empty"
cp "$FORMS/household.yaml" "$TMP/forms/"
cp "$TESTDATA/bad_unknown_type.yaml" "$TMP/forms/"
laptop laptop "Lò Văn Minh" "Xã Đông Hòa"

tui_start forms "$TMP/forms"
wait_for "Forms left out"
wait_for "bad_unknown_type.yaml:8:11"
wait_for "integr"
key q
wait_gone "Forms left out"
wait_for "Enter new"
key q
wait_exit 0

# Merging.  A laptop's bundle made with the office's own forms merges with
# no 'forms accept' (command), and one of a form version the office does
# not have is held aside; the screen shows which form and asks, and takes
# it only on yes.
mkdir "$TMP/lapforms" "$TMP/usb" "$TMP/usb2"
sed 's/^  version: "2026.8"/  version: "2099.1"/' "$FORMS/household.yaml" \
    >"$TMP/lapforms/household.yaml"
"$KHAOSAT" simulate --db "$TMP/l1.db" --forms "$FORMS" --form household \
    --count 2 --seed 5 >/dev/null 2>&1
"$KHAOSAT" export --db "$TMP/l1.db" --to "$TMP/usb" >/dev/null 2>&1
run "$KHAOSAT" merge --db "$TMP/office.db" --forms "$FORMS" "$TMP/usb"
expect_status 0
DB=$TMP/office.db
expect_sql "SELECT count(*) FROM interviews" "2"
"$KHAOSAT" simulate --db "$TMP/l2.db" --forms "$TMP/lapforms" --form household \
    --count 3 --seed 6 >/dev/null 2>&1
"$KHAOSAT" export --db "$TMP/l2.db" --to "$TMP/usb2" >/dev/null 2>&1
before=$(db_digest "$DB")
run "$KHAOSAT" merge --db "$DB" --forms "$FORMS" "$TMP/usb2"
expect_status 1
expect_err_contains "2099.1"
expect_err_contains "forms accept"
[ "$(db_digest "$DB")" = "$before" ] || fail "a held-aside bundle changed the office"

"$KHAOSAT" keys export --db "$DB" --commune "Xã Đông Hòa" --to "$TMP/o.card" >/dev/null 2>&1
sqlite3 "$DB" "INSERT OR REPLACE INTO settings VALUES ('enumerator', 'Giám sát Hà')"
tui_start office "$FORMS"
wait_for "Enter new"
key m
wait_for "Directory with the bundles"
ask "$TMP/usb2"
wait_for "2099.1" 10
wait_for "Accept this bundle's form and merge it?"
key n
wait_for "1 refused" 10
expect_sql "SELECT count(*) FROM interviews" "2"
key q
key m
wait_for "Directory with the bundles"
ask "$TMP/usb2"
wait_for "Accept this bundle's form and merge it?" 10
key y
wait_for "1 merged" 10
expect_sql "SELECT count(*) FROM interviews" "5"
expect_sql "SELECT count(*) FROM forms WHERE version = '2099.1'" "1"
key q
key q
wait_exit 0

# No form at all: refused before the screen starts, saying what to do.
run "$KHAOSAT" --db "$DB" --forms "$TMP/empty" </dev/null
expect_status 1
finish
