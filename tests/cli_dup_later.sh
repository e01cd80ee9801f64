#!/bin/sh
# Decisions on possible duplicates kept for later at the province are kept
# one per pair and sending key: office 2's forged decision on office 1's
# pair, newer than office 1's, no longer replaces office 1's while both
# wait for the pair.  When office 1's bundle brings the pair, office 1's
# decision is taken and the forged one dropped with a line naming its
# bundle and key, whichever order the bundles came in; merged again,
# nothing changes; a newer decision of office 1 replaces its older kept
# one.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

. "$(dirname "$0")/dup_bound_fixture.sh"

P3="$TMP/province3.db"
sqlite3 "$P2" ".backup '$P3'"
kept() { sqlite3 "$1" "SELECT count(*) FROM decisions_later"; }

# merge_in DB BUNDLE...: each bundle merged into DB in turn.
merge_in() {
    db=$1
    shift
    for bundle in "$@"; do
        run "$K" merge --db "$db" --forms "$FORMS" "$bundle"
        expect_status 0
    done
}

# pair_arrives DB KEPT: office 1's interviews come last: office 1's
# decision taken (KEPT is the interview it keeps), office 2's dropped and
# said, nothing kept for later any more.
pair_arrives() {
    run "$K" merge --db "$1" --forms "$FORMS" "$U1"
    expect_status 0
    expect_out_contains "duplicates 1"
    expect_out_contains "$U1: 1 decision(s) of the office that sent it on possible duplicates kept"
    forged_dropped
    run "$K" duplicates --db "$1"
    expect_status 0
    expect_out_contains "[same household: $2 kept]"
    ks_checks=$((ks_checks + 1))
    [ "$(kept "$1")" = 0 ] || fail "decisions still kept for later in $(basename "$1")"
}

# again DB: every bundle merged again changes nothing.
again() {
    before=$(db_digest "$1")
    run "$K" merge --db "$1" --forms "$FORMS" "$U2" "$F1" "$U1"
    expect_status 0
    expect_same "$1" "$before" "the same bundles again"
    run "$K" duplicates --db "$1"
    expect_out_contains "[same household: $2 kept]"
}

# in_order DB FIRST SECOND: office 1's and office 2's decisions merged in
# that order, both kept for later (neither replacing the other), then the
# pair arrives and office 1's is taken; merged again, nothing changes.
in_order() {
    merge_in "$1" "$2" "$3"
    expect_out_contains "$3: 1 decision(s) of the office that sent it on pairs not flagged here yet kept for later"
    ks_checks=$((ks_checks + 1))
    [ "$(kept "$1")" = 2 ] || fail "not both decisions kept for later: $(decisions "$1")"
    pair_arrives "$1" "$X"
    report_has "$1" "Duplicates found by merging: 1 pair(s): 0 to decide, 1 the same household, 0 different households"
    again "$1" "$X"
}

# Office 1's decision first, then office 2's forged newer one; then the
# other order.
in_order "$P" "$U2" "$F1"
in_order "$P2" "$F1" "$U2"
[ "$(decisions "$P")" = "$(decisions "$P2")" ] || fail "the two merge orders differ: $(decisions "$P") / $(decisions "$P2")"

# Office 1 decides again (Y kept): its newer decision replaces its older
# kept one, office 2's still beside it; the pair then takes the newer.
run "$K" duplicates --db "$TMP/o1.db" --reopen "$X" "$Y"
expect_status 0
run "$K" duplicates --db "$TMP/o1.db" --same "$X" "$Y" --keep "$Y"
expect_status 0
up 1 u3
U3=$UP
merge_in "$P3" "$U2" "$F1" "$U3"
ks_checks=$((ks_checks + 1))
[ "$(kept "$P3")" = 2 ] || fail "not one decision per key kept: $(decisions "$P3")"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P3" "SELECT keep FROM decisions_later WHERE decision = 'same'")" = "$Y" ] ||
    fail "office 1's newer decision did not replace its older: $(decisions "$P3")"
# Its older one again: nothing changes.
before=$(db_digest "$P3")
merge_in "$P3" "$U2"
expect_same "$P3" "$before" "office 1's older decision again"
pair_arrives "$P3" "$Y"

finish
