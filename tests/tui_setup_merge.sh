#!/bin/sh
# tui_setup_merge.sh: a laptop's screen open while its office's set-up or
# forms change.  (1) An interview open at the village question while
# another process merges an office bundle that drops village A1: choosing
# A1 on the screen is refused (the save checks the set-up as it is in the
# database), nothing saved; the other village saves.  (2) A new form
# version merged with m on the screen (c installs it) is the one new
# interviews of the same session take, as a fresh start's do; the
# question and the summary name the form and its versions old -> new.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-setup-merge-$$
K="$KHAOSAT"
O="$TMP/office.db"
DB="$TMP/A.db"
mkdir -p "$TMP/down1" "$TMP/down2" "$TMP/down3" "$TMP/forms2"
OLDV=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 --seed 3 >/dev/null 2>&1
office_pair office A
"$K" setup --db "$O" commune --code 00004 --name "Xã Hòa Bình" --province 01 --forms "$FORMS" 2>/dev/null
printf 'code,name\n06,Thôn Sáu\nA1,Thôn Mới\n' >"$TMP/v.csv"
printf 'code,name\n06,Thôn Sáu\n' >"$TMP/v2.csv"
"$K" setup --db "$O" villages "$TMP/v.csv" 2>/dev/null
"$K" export --db "$O" --down --to "$TMP/down1" --forms "$FORMS" >"$TMP/d" 2>/dev/null
"$K" merge --db "$DB" "$(cat "$TMP/d")" >/dev/null 2>&1 || fail "the laptop merges the set-up"
# last_version: the form version of the interview started last.
last_version() { sqlite3 "$DB" "SELECT form_version FROM interviews ORDER BY created DESC, rowid DESC LIMIT 1"; }
last_village() { sqlite3 "$DB" "SELECT coalesce((SELECT value FROM answers a WHERE a.interview = i.uuid AND qid = 'village'), '-') FROM interviews i ORDER BY created DESC, rowid DESC LIMIT 1"; }

# --- 1. a new interview open at the village question; the office drops
# A1 and the laptop merges that in another process.
tui_run setup-merge 80 24
wait_for "Enter new"
key Home Down Down Enter
wait_for "Thôn Mới"
"$K" setup --db "$O" villages "$TMP/v2.csv" 2>/dev/null
"$K" export --db "$O" --down --to "$TMP/down2" --forms "$FORMS" >"$TMP/d" 2>/dev/null
run "$K" merge --db "$DB" "$(cat "$TMP/d")"
expect_status 0
before=$(db_digest "$DB")
key 2
whole "A1 is no longer a village of the commune's set-up: a bundle of the office merged since this interview was opened dropped it. Choose another village."
expect_same "$DB" "$before" "choosing the dropped village"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$DB" "SELECT count(*) FROM answers WHERE qid = 'village' AND value = 'A1'")" = 0 ] ||
    fail "A1 was saved"
# The village kept saves (second pass on the same question).
key 1
wait_gone "is no longer a village"
expect_sql "SELECT count(*) FROM answers WHERE qid = 'village' AND value = '06'" "1"
key C-x
wait_for "Enter new"
# `khaosat answer` refuses it too.
U=$(sqlite3 "$DB" "SELECT interview FROM answers WHERE qid = 'village' AND value = '06'")
run "$K" answer --db "$DB" --forms "$FORMS" "$U" village A1
expect_status 1
expect_err_contains "A1"

# --- 2. a new form version merged on the screen: new interviews take it.
cp "$FORMS"/*.yaml "$FORMS"/*.csv "$TMP/forms2/" 2>/dev/null
sed -e 's/^  version: ".*"$/  version: "2099.3"/' \
    -e 's/en: "Village code"/en: "Code of the village"/' \
    "$FORMS/household.yaml" >"$TMP/forms2/household.yaml"
"$K" export --db "$O" --down --to "$TMP/down3" --forms "$TMP/forms2" >"$TMP/d" 2>/dev/null ||
    fail "the office exports 2099.3"
sqlite3 "$DB" "SELECT uuid FROM interviews" >"$TMP/old_uuids"
key m
wait_for "Directory with the bundles"
ask "$(dirname "$(cat "$TMP/d")")"
wait_for "Install the new form version(s) now?"
# The question names the form and its versions, old -> new.
whole "household $OLDV -> 2099.3"
key y
whole "1 new form version(s)"
whole "form versions: household $OLDV -> 2099.3"
key q
wait_for "Enter new"
key Home Down Down Enter
wait_for "Thôn Sáu"
text 06
key Enter
key C-x
wait_for "Enter new"
NEW=$(sqlite3 "$DB" "SELECT uuid FROM interviews" | grep -vxF -f "$TMP/old_uuids")
ks_checks=$((ks_checks + 1))
[ -n "$NEW" ] || fail "no new interview"
expect_sql "SELECT form_version FROM interviews WHERE uuid = '$NEW'" "2099.3"
key q
wait_exit 0
# A fresh start takes it as well (second pass).
tui_run setup-merge 80 24
wait_for "Enter new"
key Home Down Down Enter
wait_for "Thôn Sáu"
text 06
key Enter
key C-x
wait_for "Enter new"
key q
wait_exit 0
expect_sql "SELECT count(*) FROM interviews WHERE form_version = '2099.3'" "2"

finish
