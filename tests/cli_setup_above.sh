#!/bin/sh
# Above the communes: a commune office set up with its own villages
# (X1, X2, not the forms' fallback 01-30) approves its laptop's
# interviews and sends them up.  The province checks each interview
# against its commune's set-up before and after merging: the approved
# interviews stay complete and approved by the commune (never returned as
# drafts because the province has no set-up of its own), and the level
# above the province (nation) takes the province's bundle, each interview
# checked against the set-up of the commune that reviewed it.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
# office NAME COMMUNE: an office database $TMP/NAME.db and its card.
office() {
    "$K" keys export --db "$TMP/$1.db" --role office --name "UBND $1" --to "$TMP/$1.card" >/dev/null 2>&1 ||
        fail "office $1"
    sqlite3 "$TMP/$1.db" "INSERT OR REPLACE INTO settings VALUES ('enumerator', 'Sup $1');
                          INSERT OR REPLACE INTO settings VALUES ('commune', '$2');"
}
# link_up BELOW ABOVE: BELOW sends upstream to ABOVE, which accepts it.
link_up() {
    "$K" keys trust --db "$TMP/$1.db" "$TMP/$2.card" --upstream --yes >/dev/null 2>&1 || fail "$1 trusts $2"
    "$K" keys trust --db "$TMP/$2.db" "$TMP/$1.card" --accept --yes >/dev/null 2>&1 || fail "$2 accepts $1"
}
# bundle_of DB DIR ARGS...: export DB into a fresh DIR; the bundle's path.
bundle_of() {
    rm -rf "$2"
    mkdir -p "$2"
    b_db=$1 b_dir=$2
    shift 2
    "$K" export --db "$b_db" --to "$b_dir" "$@" 2>/dev/null || fail "export $b_db"
}

office prov ""
office off 50005
office nat ""
link_up off prov
link_up prov nat
laptop lap "Người 1" 50005
"$K" keys export --db "$TMP/lap.db" --to "$TMP/lap.card" >/dev/null 2>&1
"$K" keys trust --db "$TMP/lap.db" "$TMP/off.card" --upstream --yes >/dev/null 2>&1 || fail "lap trusts off"
"$K" keys trust --db "$TMP/off.db" "$TMP/lap.card" --yes >/dev/null 2>&1 || fail "off trusts lap"
"$K" setup --db "$TMP/off.db" commune --code 50005 --name "Xã Hòa Bình" --province 01 >/dev/null 2>&1 ||
    fail "setup commune"
printf 'code,name\nX1,Thôn X1\nX2,Thôn X2\n' >"$TMP/v.csv"
"$K" setup --db "$TMP/off.db" villages "$TMP/v.csv" >/dev/null 2>&1 || fail "villages"
# The laptop takes the set-up from the office's downstream bundle, then
# answers with its villages.
"$K" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household --count 1 --seed 5 >/dev/null ||
    fail "simulate"
"$K" merge --db "$TMP/off.db" --forms "$FORMS" "$(bundle_of "$TMP/lap.db" "$TMP/u")" >/dev/null 2>&1 ||
    fail "office merges"
"$K" merge --db "$TMP/lap.db" "$(bundle_of "$TMP/off.db" "$TMP/d" --down)" >/dev/null 2>&1 ||
    fail "laptop takes the set-up"
"$K" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household --count 3 --seed 8 >/dev/null ||
    fail "simulate"
"$K" merge --db "$TMP/off.db" --forms "$FORMS" "$(bundle_of "$TMP/lap.db" "$TMP/u")" >/dev/null 2>&1 ||
    fail "office merges"
[ "$(sqlite3 "$TMP/off.db" "SELECT count(*) FROM answers WHERE qid = 'village' AND value LIKE 'X%'")" = 3 ] ||
    fail "three interviews answer with the set-up's villages"
for id in $("$K" list --db "$TMP/off.db" | cut -f1); do
    "$K" review --db "$TMP/off.db" "$id" --approve >/dev/null 2>&1 || fail "approve $id"
done

# The province: every interview complete, every review the commune's.
UP=$(bundle_of "$TMP/off.db" "$TMP/up")
run "$K" merge --db "$TMP/prov.db" "$UP"
expect_status 0
expect_out_contains "added 4"
ks_checks=$((ks_checks + 1))
if grep -q "break their own checks" "$TMP/out"; then fail "the province returns approved interviews"; fi
run "$K" list --db "$TMP/prov.db"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(grep -c "	complete	" "$TMP/out")" = 4 ] || fail "four complete interviews at the province"
run "$K" reviews --db "$TMP/prov.db"
ks_checks=$((ks_checks + 1))
[ "$(cut -f4,7 "$TMP/out" | grep -c "^approved	50005$")" = 4 ] ||
    fail "the commune's four approvals kept at the province"
# Merging again changes nothing.
afterP=$(db_digest "$TMP/prov.db")
run "$K" merge --db "$TMP/prov.db" "$UP"
expect_status 0
expect_same "$TMP/prov.db" "$afterP" "the same bundle again"

# The level above the province takes the province's bundle whole.
UPN=$(bundle_of "$TMP/prov.db" "$TMP/upN" --all --drafts)
run "$K" merge --db "$TMP/nat.db" "$UPN"
expect_status 0
expect_out_contains "added 4"
run "$K" list --db "$TMP/nat.db"
ks_checks=$((ks_checks + 1))
[ "$(grep -c "	complete	" "$TMP/out")" = 4 ] || fail "four complete interviews at the nation"
run "$K" reviews --db "$TMP/nat.db"
ks_checks=$((ks_checks + 1))
[ "$(cut -f4,7 "$TMP/out" | grep -c "^approved	50005$")" = 4 ] ||
    fail "the commune's four approvals kept at the nation"
afterN=$(db_digest "$TMP/nat.db")
run "$K" merge --db "$TMP/nat.db" "$UPN"
expect_status 0
expect_same "$TMP/nat.db" "$afterN" "the province's bundle again"

finish
