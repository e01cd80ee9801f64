#!/bin/sh
# An office corrects its commune code between two upstream bundles (up0:
# set-up of 00001, sequence 1; up2: set-up of 00011, sequence 2, with a
# review).  At the province the newer set-up wins whatever order the two
# bundles are merged in: merged older last, the older set-up is named as
# older and changes nothing, and the interviews, the review and the pair
# it brings count as of 00011.  Both orders end with the same set-ups,
# reviews, pairs and bundles; merging either bundle again changes nothing.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

export KHAOSAT_FORMS="$FORMS" KHAOSAT_PASSPHRASE=secretpass123
# k DB COMMAND ARGS...: khaosat COMMAND on $TMP/DB.db ("keys SUB" too).
k() {
    k_db=$1 k_cmd=$2
    shift 2
    if [ "$k_cmd" = keys ]; then
        k_cmd="keys $1"
        shift
    fi
    # shellcheck disable=SC2086
    "$KHAOSAT" $k_cmd --db "$TMP/$k_db.db" "$@"
}
q() { k "$@" >/dev/null 2>&1 || fail "$*"; }

cd "$TMP" || exit 1
q o1 keys export --to o1.card --role office --name O1
q o1 setup commune --code 00001 --name "Xã Một" --province 04
printf 'code,name\nA,Thôn A\nB,Thôn B\nC,Thôn C\n' >v.csv
q o1 setup villages v.csv
q p keys export --to p.card --role office --name P
for l in l1 l2; do
    q $l keys export --to $l.card --role laptop --name $l
    q $l keys trust o1.card --upstream --yes
    q o1 keys trust $l.card --accept --yes
done
q o1 keys trust p.card --upstream --yes
q p keys trust o1.card --accept --yes
q l1 simulate --form household --count 3 --seed 1
q l2 simulate --form household --count 3 --seed 2
X=$(k l1 list | head -1 | cut -f1)
# A second interview of X's household, from the other laptop: a pair.
sqlite3 l2.db "CREATE TABLE before AS SELECT uuid FROM interviews"
q l2 simulate --form household --count 1 --seed 9
Y=$(sqlite3 l2.db "SELECT uuid FROM interviews WHERE uuid NOT IN (SELECT uuid FROM before)")
for qid in village hh_no; do
    q l2 answer "$Y" "$qid" "$(sqlite3 l1.db "SELECT value FROM answers WHERE interview = '$X' AND qid = '$qid' AND path = ''")"
done
q l2 finalise "$Y"
mkdir u1 u2 up0 up2 u1b
q l1 export --to u1
q l2 export --to u2
q o1 merge u1 u2
run k o1 duplicates
expect_out_contains "$Y"
q o1 export --to up0
UP0=$(ls up0/*.khb)
q o1 setup commune --code 00011 --name "Xã Một" --province 04
q l1 simulate --form household --count 1 --seed 5
q l1 export --to u1b
q o1 merge u1b
q o1 review "$X" --approve
q o1 export --to up2
UP2=$(ls up2/*.khb)

# state DB: what the province holds of the office's commune.
state() {
    k "$1" setup --communes
    k "$1" reviews
    k "$1" duplicates
    sqlite3 "$TMP/$1.db" "SELECT uuid, commune FROM bundles ORDER BY uuid"
}

cp p.db pa.db
run k pa merge up0 up2
expect_status 0
expect_out_contains "$UP2: the set-up of commune 00011 kept in place of that of commune 00001, which the same office sent before"
run k pa setup --communes
expect_out "$(printf '00011\tXã Một\t04\t2\t3\t0')"

cp p.db pb.db
run k pb merge up2
expect_status 0
run k pb merge up0
expect_status 0
expect_out_contains "$UP0: the set-up of commune 00001 (sequence 1) is older than the set-up of commune 00011 that the same office sent in a later bundle, merged here already (it corrected its commune code): that set-up stays as it is, and the interviews of this bundle count as of commune 00011"
ks_checks=$((ks_checks + 1))
grep -q "kept in place" out && fail "the older set-up replaced the newer: $(cat out)"
ks_checks=$((ks_checks + 1))
grep -q "not taken" out && fail "the office's own interviews taken for another commune's: $(cat out)"
run k pb setup --communes
expect_out "$(printf '00011\tXã Một\t04\t2\t3\t0')"
run k pb reviews --state approved
expect_out_contains "$X"
expect_out_contains "00011"
run k pb duplicates
expect_out_contains "$Y"
expect_out_contains "(commune 00011"
ks_checks=$((ks_checks + 1))
grep -q 00001 out && fail "the pair is of the old code: $(cat out)"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 pb.db "SELECT count(*) FROM bundles WHERE commune <> '00011'")" = 0 ] ||
    fail "a bundle of the office counts as of another commune"
ks_checks=$((ks_checks + 1))
[ "$(state pa)" = "$(state pb)" ] ||
    fail "the two orders differ: $(state pa) <> $(state pb)"

# A third pass: either bundle again, in either database, changes nothing.
for d in pa pb; do
    for b in up0 up2; do
        before=$(db_digest $d.db)
        run k $d merge $b
        expect_status 0
        expect_out_contains "already merged"
        expect_same $d.db "$before" "merging $b again at $d"
    done
done
# A copy of the older bundle under another name: the same.
mkdir again
cp "$UP0" again/copy.khb
before=$(db_digest pb.db)
run k pb merge again
expect_status 0
expect_out_contains "already merged"
expect_same pb.db "$before" "the older bundle again under another name"
finish
