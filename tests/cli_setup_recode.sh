#!/bin/sh
# An office corrects its commune code (khaosat setup commune again with
# another code), sealed: its laptop had the old code from the office's
# downstream bundle, so its bundles named it.  At the office, what came
# under the old code follows the new one: an interview the laptop makes
# after the correction with an old interview's household is paired with
# it.  At the province, the office's next bundle brings its set-up under
# the new code: it replaces the old code's set-up (the merge says so),
# the interviews merged before count as of the new code and are checked
# against its villages (an old interview moved to a village only the
# current set-up has is taken) and paired with the new ones.  The same
# bundle again, or the office's bundle of before the correction, changes
# nothing; a second correction moves them again.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
P="$TMP/province.db"
A="$TMP/A.db"

# A laptop without a commune text of its own: its bundles name the code
# its set-up came with.
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 5 >/dev/null 2>&1
sqlite3 "$A" "INSERT INTO settings VALUES ('enumerator', 'Nguyễn Văn An')"
office_pair office A
printf 'code,name\nTH01,Thôn Một\nTH02,Thôn Hai\nTH03,Thôn Ba\n' >"$TMP/v.csv"
"$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 >/dev/null 2>&1 ||
    fail "setup commune"
"$K" setup --db "$O" villages "$TMP/v.csv" >/dev/null 2>&1 || fail "villages"
"$K" keys export --db "$P" --role office --name "Sở NN" --to "$TMP/province.card" 2>/dev/null
"$K" keys trust --db "$P" --yes --accept "$TMP/office.card" >/dev/null 2>&1 || fail "P trusts O"
"$K" keys trust --db "$O" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "O trusts P"

# down DIR: the office's bundle for its laptop, merged there.
down() {
    mkdir -p "$TMP/$1"
    "$K" export --db "$O" --down --to "$TMP/$1" >/dev/null 2>&1 || fail "export --down $1"
    run "$K" merge --db "$A" "$TMP/$1"
    expect_status 0
}
# lap DIR: the laptop's new work, merged at the office.
lap() {
    mkdir -p "$TMP/$1"
    "$K" export --db "$A" --to "$TMP/$1" >/dev/null 2>&1 || fail "the laptop exports $1"
    run "$K" merge --db "$O" --forms "$FORMS" "$TMP/$1"
    expect_status 0
}
# up DIR: the office's bundle for the province; its path in $UP.
up() {
    mkdir -p "$TMP/$1"
    run "$K" export --db "$O" --to "$TMP/$1"
    expect_status 0
    UP=$(cat "$TMP/out")
}
answer_of() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$1' AND qid = '$2' AND path = ''"; }

down d1
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 6 >/dev/null 2>&1
lap l1
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT count(*) FROM bundles WHERE commune = '26734'")" = 1 ] ||
    fail "the laptop's bundle does not name the office's code"
up u1
U1=$UP
run "$K" merge --db "$P" --forms "$FORMS" "$U1"
expect_status 0
expect_out_contains "added 3"
run "$K" setup --db "$P" --communes
expect_out "$(printf '26734\tXã Đông Hòa\t01\t1\t3\t0')"
OLD=$(sqlite3 "$A" "SELECT i.uuid FROM interviews i JOIN answers a ON a.interview = i.uuid AND a.qid = 'village' WHERE a.value LIKE 'TH%' ORDER BY i.uuid LIMIT 1")
OLD2=$(sqlite3 "$A" "SELECT i.uuid FROM interviews i JOIN answers a ON a.interview = i.uuid AND a.qid = 'village' WHERE a.value LIKE 'TH%' ORDER BY i.uuid LIMIT 1 OFFSET 1")
[ -n "$OLD" ] && [ -n "$OLD2" ] || fail "no interviews of the set-up's villages"

# The office corrects its code and adds a village.
run "$K" setup --db "$O" commune --code 26737 --name "Xã Đông Hòa" --province 01
expect_status 0
printf 'TH04,Thôn Bốn\n' >>"$TMP/v.csv"
"$K" setup --db "$O" villages "$TMP/v.csv" >/dev/null 2>&1 || fail "a fourth village"
down d2
# A new interview of an old one's household, made under the new code:
# paired with it at the office.
sqlite3 "$A" "CREATE TABLE before AS SELECT uuid FROM interviews"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 7 >/dev/null 2>&1
NEW=$(sqlite3 "$A" "SELECT uuid FROM interviews WHERE uuid NOT IN (SELECT uuid FROM before)")
for q in village hh_no; do
    "$K" answer --db "$A" "$NEW" "$q" "$(answer_of "$OLD" "$q")" >/dev/null 2>&1
done
"$K" finalise --db "$A" "$NEW" >/dev/null 2>&1
lap l2
expect_out_contains "added 1"
expect_out_contains "duplicates 1"
run "$K" duplicates --db "$O"
expect_out_contains "$OLD"
expect_out_contains "$NEW"
# Another old interview moves to the new village at the office.
run "$K" answer --db "$O" "$OLD2" village TH04
expect_status 0
run "$K" finalise --db "$O" "$OLD2"
expect_status 0

# The province: the set-up under the new code replaces the old one, the
# interviews merged before count as of it.
up u2
U2=$UP
run "$K" merge --db "$P" --forms "$FORMS" "$U2"
expect_status 0
expect_out_contains "$U2: the set-up of commune 26737 kept in place of that of commune 26734, which the same office sent before"
expect_out_contains "added 1, updated 1"
expect_out_contains "duplicates 1"
run "$K" setup --db "$P" --communes
expect_out "$(printf '26737\tXã Đông Hòa\t01\t2\t4\t0')"
[ "$(sqlite3 "$P" "SELECT value FROM answers WHERE interview = '$OLD2' AND qid = 'village'")" = TH04 ] ||
    fail "the province did not take TH04 for an interview merged before the correction"
run "$K" duplicates --db "$P"
expect_out_contains "$OLD"
expect_out_contains "(commune 26737"
ks_checks=$((ks_checks + 1))
grep -q "26734" "$TMP/out" && fail "the old code is still a commune at the province: $(cat "$TMP/out")"
run "$K" report --db "$P" --forms "$FORMS"
expect_status 0

# The same bundle again: nothing changes.
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$U2"
expect_status 0
expect_out_contains "already merged"
expect_same "$P" "$afterP" "the corrected office's bundle again"
# The older bundle (the old code's set-up) copied again: its set-up is
# older than the one the office's key sent since; nothing changes.
mkdir -p "$TMP/again"
cp "$U1" "$TMP/again/old.khb"
run "$K" merge --db "$P" "$TMP/again/old.khb"
expect_same "$P" "$afterP" "the office's bundle of before the correction"

# A second correction: everything follows again.
run "$K" setup --db "$O" commune --code 26738 --name "Xã Đông Hòa" --province 01
expect_status 0
run "$K" answer --db "$O" "$NEW" hh_no 4321
expect_status 0
run "$K" finalise --db "$O" "$NEW"
expect_status 0
up u3
run "$K" merge --db "$P" --forms "$FORMS" "$UP"
expect_status 0
expect_out_contains "kept in place of that of commune 26737"
run "$K" setup --db "$P" --communes
expect_out "$(printf '26738\tXã Đông Hòa\t01\t3\t4\t0')"
run "$K" duplicates --db "$P"
ks_checks=$((ks_checks + 1))
grep -q "$NEW" "$TMP/out" && fail "a pair left after the key changed: $(cat "$TMP/out")"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P" "SELECT count(DISTINCT commune) FROM bundles")" = 1 ] ||
    fail "the province's bundles name several communes: $(sqlite3 "$P" "SELECT DISTINCT commune FROM bundles")"

finish
