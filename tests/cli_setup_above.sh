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

# An office speaks only for its own commune: another office the province
# accepts (offB) claims commune 50005 with its own name and villages.
# The province refuses its bundle naming both keys, unchanged, and keeps
# commune 50005's set-up as its own office sent it.
office offB 60006
link_up offB prov
"$K" setup --db "$TMP/offB.db" commune --code 50005 --name "Xã Tây Sơn" --province 04 >/dev/null 2>&1 ||
    fail "offB's commune"
printf 'code,name\n01,Bản Na\n' >"$TMP/vb.csv"
"$K" setup --db "$TMP/offB.db" villages "$TMP/vb.csv" >/dev/null 2>&1 || fail "offB's villages"
FPR_A=$("$K" keys list --db "$TMP/off.db" | awk '$1 == "this" { print $2 }')
FPR_B=$("$K" keys list --db "$TMP/offB.db" | awk '$1 == "this" { print $2 }')
[ -n "$FPR_A" ] && [ -n "$FPR_B" ] || fail "the offices' fingerprints"
UPB=$(bundle_of "$TMP/offB.db" "$TMP/upB")
beforeP=$(db_digest "$TMP/prov.db")
run "$K" merge --db "$TMP/prov.db" "$UPB"
expect_status 1
expect_err_contains "carries the set-up of commune 50005, but that commune's set-up is sent here by the office $FPR_A and this bundle is signed by $FPR_B"
expect_err_contains "the office $FPR_A has set up a wrong code: it corrects it with khaosat setup commune --code and sends a bundle, then this one is merged again"
expect_same "$TMP/prov.db" "$beforeP" "another office's set-up of commune 50005"
run "$K" setup --db "$TMP/prov.db" --commune 50005
expect_out_contains "$(printf '50005\tXã Hòa Bình\t01\t1\t2\t0')"
# Its own commune's set-up is its own to send.
"$K" setup --db "$TMP/offB.db" commune --code 60006 --name "Xã Tây Sơn" --province 04 >/dev/null 2>&1 ||
    fail "offB's own commune"
run "$K" merge --db "$TMP/prov.db" "$(bundle_of "$TMP/offB.db" "$TMP/upB")"
expect_status 0
expect_out_contains "the set-up of 1 commune(s) kept"

# A plain bundle (no key signs it) carrying a set-up is refused, whoever
# wrote it: only a signed office's set-up is bound to its sender.
"$K" simulate --db "$TMP/kl.db" --forms "$FORMS" --form household --count 0 >/dev/null || fail "kl"
sqlite3 "$TMP/kl.db" "INSERT OR REPLACE INTO settings VALUES ('role', 'office')"
"$K" setup --db "$TMP/kl.db" commune --code 70007 --name "Xã Khác" --province 01 >/dev/null 2>&1 ||
    fail "kl's commune"
UPK=$(bundle_of "$TMP/kl.db" "$TMP/upK")
beforeP=$(db_digest "$TMP/prov.db")
run "$K" merge --db "$TMP/prov.db" --allow-unsigned "$UPK"
expect_status 1
expect_err_contains "carries a commune's set-up, but it is not signed"
expect_same "$TMP/prov.db" "$beforeP" "a plain bundle's set-up"
# An absurd sequence number would lock the commune's set-up for ever:
# the office cannot even write it.
sqlite3 "$TMP/offB.db" "INSERT OR REPLACE INTO settings VALUES ('setup_up_sequence', '9223372036854775806')"
printf 'code,name\n01,Bản Nà\n' >"$TMP/vb.csv"
"$K" setup --db "$TMP/offB.db" villages "$TMP/vb.csv" >/dev/null 2>&1 || fail "offB's villages again"
mkdir -p "$TMP/upB2"
run "$K" export --db "$TMP/offB.db" --to "$TMP/upB2"
expect_status 1
expect_err_contains "the set-up of commune 60006 has sequence number 9223372036854775807"

# An office restored from a backup sends another set-up with a sequence
# number already used: the province says it did not keep it, and why.
"$K" backup --db "$TMP/off.db" --to "$TMP/off.kbk" >/dev/null 2>&1 || fail "backup"
printf 'code,name\nX1,Thôn X1\nX2,Thôn X2\nX3,Thôn X3\n' >"$TMP/v3.csv"
"$K" setup --db "$TMP/off.db" villages "$TMP/v3.csv" >/dev/null 2>&1 || fail "villages X3"
run "$K" merge --db "$TMP/prov.db" "$(bundle_of "$TMP/off.db" "$TMP/up")"
expect_status 0
expect_out_contains "the set-up of 1 commune(s) kept"
"$K" restore --db "$TMP/off.db" --replace "$TMP/off.kbk" >/dev/null 2>&1 || fail "restore"
printf 'code,name\nX1,Thôn X1\nX2,Thôn X2\nZZ,Thôn ZZ\n' >"$TMP/vz.csv"
"$K" setup --db "$TMP/off.db" villages "$TMP/vz.csv" >/dev/null 2>&1 || fail "villages ZZ"
UPZ=$(bundle_of "$TMP/off.db" "$TMP/up")
run "$K" merge --db "$TMP/prov.db" "$UPZ"
expect_status 0
expect_out_contains "the set-up of 1 commune(s) NOT kept: it has the sequence number of the set-up kept here but other villages or households"
run "$K" setup --db "$TMP/prov.db" --commune 50005
expect_out_contains "$(printf 'X3\tThôn X3')"
ks_checks=$((ks_checks + 1))
if grep -q "ZZ" "$TMP/out"; then fail "the restored office's set-up kept"; fi
# The office changes its set-up again: the next bundle is newer and kept.
printf 'code,name\nX1,Thôn X1\nX2,Thôn X2\nZZ,Thôn Zet\n' >"$TMP/vz.csv"
"$K" setup --db "$TMP/off.db" villages "$TMP/vz.csv" >/dev/null 2>&1 || fail "villages ZZ again"
run "$K" merge --db "$TMP/prov.db" "$(bundle_of "$TMP/off.db" "$TMP/up")"
expect_status 0
expect_out_contains "the set-up of 1 commune(s) kept"
run "$K" setup --db "$TMP/prov.db" --commune 50005
expect_out_contains "$(printf 'ZZ\tThôn Zet')"

# A laptop answers a village of the set-up the office dropped before its
# bundle came (no interview here used it): the office takes the bundle,
# naming the interview and the village (cli_village_gone.sh); the same
# bundle again changes nothing; the province takes it from the office.
printf 'code,name\nX1,Thôn X1\nX2,Thôn X2\nZZ,Thôn Zet\nX4,Thôn X4\n' >"$TMP/v4.csv"
"$K" setup --db "$TMP/off.db" villages "$TMP/v4.csv" >/dev/null 2>&1 || fail "villages X4"
"$K" merge --db "$TMP/lap.db" "$(bundle_of "$TMP/off.db" "$TMP/d" --down)" >/dev/null 2>&1 ||
    fail "the laptop takes X4"
"$K" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household --count 1 --seed 9 >/dev/null ||
    fail "simulate"
U4=$(sqlite3 "$TMP/lap.db" "SELECT uuid FROM interviews ORDER BY created DESC, uuid LIMIT 1")
"$K" answer --db "$TMP/lap.db" "$U4" village X4 >/dev/null 2>&1 || fail "the laptop answers X4"
"$K" finalise --db "$TMP/lap.db" "$U4" >/dev/null 2>&1 || fail "finalise"
"$K" setup --db "$TMP/off.db" villages "$TMP/vz.csv" >/dev/null 2>&1 || fail "the office drops X4"
U4B=$(bundle_of "$TMP/lap.db" "$TMP/u")
run "$K" merge --db "$TMP/off.db" "$U4B"
expect_status 0
expect_out_contains "added 1"
expect_out_contains "$U4B: interview $U4: village X4 no longer in the commune's set-up"
beforeO=$(db_digest "$TMP/off.db")
run "$K" merge --db "$TMP/off.db" "$U4B"
expect_status 0
expect_out_contains "already merged"
expect_same "$TMP/off.db" "$beforeO" "the same bundle again"
# The office sends it on: the province takes it against the commune's
# set-up it keeps (without X4 now), naming it the same way.
run "$K" merge --db "$TMP/prov.db" "$(bundle_of "$TMP/off.db" "$TMP/up" --drafts)"
expect_status 0
expect_out_contains "interview $U4: village X4 no longer in the commune's set-up"
[ "$(sqlite3 "$TMP/prov.db" "SELECT value FROM answers WHERE interview = '$U4' AND qid = 'village'")" = X4 ] ||
    fail "the province does not hold $U4 in X4"
"$K" setup --db "$TMP/off.db" villages "$TMP/v4.csv" >/dev/null 2>&1 || fail "X4 back"

# Two communes of one name in two provinces, each office's first-run
# commune text that name: the province knows each by its set-up's code,
# whichever it merges first (the same province, as it was, each time).
# chain N CODE PROVINCE V1 V2: office oN (commune text "Xã Tân Lập") set
# up with villages V1, V2, its laptop lN answering one interview before
# the set-up and three with its villages, the office merging them (the
# same seeds in both communes: the same keys, never duplicates across
# communes); $TMP/upN.path: the office's upstream bundle.
chain() {
    office "o$1" "Xã Tân Lập"
    link_up "o$1" prov
    laptop "l$1" "Người $1" "Xã Tân Lập"
    "$K" keys export --db "$TMP/l$1.db" --to "$TMP/l$1.card" >/dev/null 2>&1
    "$K" keys trust --db "$TMP/l$1.db" "$TMP/o$1.card" --upstream --yes >/dev/null 2>&1 || fail "l$1 trusts o$1"
    "$K" keys trust --db "$TMP/o$1.db" "$TMP/l$1.card" --yes >/dev/null 2>&1 || fail "o$1 trusts l$1"
    # One interview before the set-up: the office then knows the laptop.
    "$K" simulate --db "$TMP/l$1.db" --forms "$FORMS" --form household --count 1 --seed 4 >/dev/null ||
        fail "simulate $1"
    "$K" merge --db "$TMP/o$1.db" --forms "$FORMS" "$(bundle_of "$TMP/l$1.db" "$TMP/u$1")" >/dev/null 2>&1 ||
        fail "o$1 merges"
    "$K" setup --db "$TMP/o$1.db" commune --code "$2" --name "Xã Tân Lập" --province "$3" >/dev/null 2>&1 ||
        fail "o$1's commune"
    printf 'code,name\n%s,Thôn %s\n%s,Thôn %s\n' "$4" "$4" "$5" "$5" >"$TMP/v$1.csv"
    "$K" setup --db "$TMP/o$1.db" villages "$TMP/v$1.csv" >/dev/null 2>&1 || fail "o$1's villages"
    "$K" merge --db "$TMP/l$1.db" "$(bundle_of "$TMP/o$1.db" "$TMP/d$1" --down)" >/dev/null 2>&1 ||
        fail "l$1 takes the set-up"
    "$K" simulate --db "$TMP/l$1.db" --forms "$FORMS" --form household --count 3 --seed 5 >/dev/null ||
        fail "simulate $1"
    "$K" merge --db "$TMP/o$1.db" --forms "$FORMS" "$(bundle_of "$TMP/l$1.db" "$TMP/u$1")" >/dev/null 2>&1 ||
        fail "o$1 merges"
    [ "$(sqlite3 "$TMP/o$1.db" "SELECT count(*) FROM answers WHERE qid = 'village' AND value IN ('$4', '$5')")" = 3 ] ||
        fail "commune $2 answers with its villages"
    bundle_of "$TMP/o$1.db" "$TMP/up$1" >"$TMP/up$1.path"
}
chain C 30003 01 A1 A2
chain D 40004 04 B1 B2
for order in "C D" "D C"; do
    cp "$TMP/prov.db" "$TMP/p2.db"
    for n in $order; do
        run "$K" merge --db "$TMP/p2.db" "$(cat "$TMP/up$n.path")"
        expect_status 0
        expect_out_contains "added 4"
        expect_out_contains "duplicates 0"
    done
    run "$K" setup --db "$TMP/p2.db" --communes
    expect_out_contains "$(printf '30003\tXã Tân Lập\t01\t1\t2\t0\n40004\tXã Tân Lập\t04\t1\t2\t0')"
done

finish
