#!/bin/sh
# cli_dup_clock.sh: the times of an office's decisions on possible
# duplicates and of its reviews, which order them at the province.
# 1. A time in the office's database that is not a time as khaosat stamps
#    it ("zzzz", month 13, a trailing space) stops the upstream export
#    with every such decision and review named at once, each with the
#    command that makes it anew; nothing exported, nothing changed.  The
#    commands shown make the export go through.
# 2. The office's clock once ahead (SOURCE_DATE_EPOCH in 2028), then
#    right: a later decision on the pair, and a later review of the
#    interview, is stamped just after the earlier one, so the province
#    takes the later whatever order the bundles are merged in; a third
#    decision and a second province in the other order too.
# 3. The province's own decision meanwhile ties with the office's next
#    one (both just after the time once ahead): the office's is taken.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

. "$(dirname "$0")/dup_bound_fixture.sh"
O="$TMP/o1.db"
run "$K" merge --db "$P" --forms "$FORMS" "$U1" "$U2"
expect_status 0
run "$K" review --db "$O" "$Y" --approve
expect_status 0

# --- 1. Malformed times, all named with their commands.
for pass in 1 2; do
    if [ "$pass" = 1 ]; then
        sqlite3 "$O" "UPDATE duplicates SET decided = 'zzzz'; UPDATE reviews SET time = '2026-13-01T00:00:00Z' WHERE interview = '$Y'"
    else
        sqlite3 "$O" "UPDATE duplicates SET decided = decided || ' '; UPDATE reviews SET time = '2026-06-01T08:00:00.5Z' WHERE interview = '$Y'"
    fi
    before=$(db_digest "$O")
    rm -rf "$TMP/bad"
    mkdir -p "$TMP/bad"
    run "$K" export --db "$O" --to "$TMP/bad" --all
    expect_status 1
    expect_err_contains "khaosat export: 2 reviews or decisions on possible duplicates here have a malformed time (not a time as khaosat stamps it, such as 2026-06-01T08:00:00.000Z), which the level above could not order; make each again with the command shown:"
    if [ "$pass" = 1 ]; then
        expect_err_contains "  the review of $Y: time \"2026-13-01T00:00:00Z\": khaosat review $Y --approve"
        expect_err_contains "  the decision on $X and $Y: time \"zzzz\": khaosat duplicates --same $X $Y --keep $X; nothing was exported"
    else
        expect_err_contains "  the review of $Y: time \"2026-06-01T08:00:00.5Z\": khaosat review $Y --approve"
        expect_err_contains "  the decision on $X and $Y: time \""
        expect_err_contains "Z \": khaosat duplicates --same $X $Y --keep $X; nothing was exported"
    fi
    expect_same "$O" "$before" "an export stopped by malformed times (pass $pass)"
    ks_checks=$((ks_checks + 1))
    [ -z "$(ls "$TMP/bad")" ] || fail "a bundle was written: $(ls "$TMP/bad")"
    # The commands shown, as they are printed.
    grep -o 'khaosat \(review\|duplicates\) [^;]*' "$TMP/err" | sed 's/^khaosat //' > "$TMP/fix"
    ks_checks=$((ks_checks + 1))
    [ "$(wc -l < "$TMP/fix")" = 2 ] || fail "two commands expected: $(cat "$TMP/fix")"
    while read -r cmd rest; do
        # shellcheck disable=SC2086 # the words of the command shown
        run "$K" "$cmd" --db "$O" $rest
        expect_status 0
    done < "$TMP/fix"
    up 1 "fixed$pass"
    run "$K" merge --db "$P" "$UP"
    expect_status 0
    run "$K" duplicates --db "$P"
    expect_out_contains "[same household: $X kept]"
    run "$K" reviews --db "$P" --state approved
    expect_out_contains "$Y"
done

# --- 2. The clock once ahead.  Decided in 2028 (different households),
# then with the clock right (the same household, Y kept): the later
# decision is stamped just after the earlier one.
FUTURE=1830297600   # 2028-01-01T00:00:00Z
run env SOURCE_DATE_EPOCH=$FUTURE "$K" duplicates --db "$O" --different "$X" "$Y"
expect_status 0
up 1 c1
C1=$UP
run "$K" duplicates --db "$O" --same "$X" "$Y" --keep "$Y"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT decided FROM duplicates")" = "2028-01-01T00:00:00.001Z" ] ||
    fail "the later decision is stamped $(sqlite3 "$O" "SELECT decided FROM duplicates")"
up 1 c2
C2=$UP
# The province: in the order written, and the other way round on the
# second province (the pair's interviews last).
run "$K" merge --db "$P" "$C1" "$C2"
expect_status 0
run "$K" duplicates --db "$P"
expect_out_contains "[same household: $Y kept]"
run "$K" merge --db "$P2" --forms "$FORMS" "$C2" "$C1"
expect_status 0
run "$K" merge --db "$P2" --forms "$FORMS" "$U1"
expect_status 0
run "$K" duplicates --db "$P2"
expect_out_contains "[same household: $Y kept]"
# Merged again: nothing changes.
afterP=$(db_digest "$P2")
run "$K" merge --db "$P2" "$C1" "$C2"
expect_status 0
expect_same "$P2" "$afterP" "the decisions' bundles again"
# A third decision (reopened) wins too, in both orders.
run "$K" duplicates --db "$O" --reopen "$X" "$Y"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT decided FROM duplicates")" = "2028-01-01T00:00:00.002Z" ] ||
    fail "the reopening is stamped $(sqlite3 "$O" "SELECT decided FROM duplicates")"
up 1 c3
C3=$UP
for db in "$P" "$P2"; do
    run "$K" merge --db "$db" "$C3" "$C2" "$C1"
    expect_status 0
    run "$K" duplicates --db "$db"
    expect_out_contains "$X"
    ks_checks=$((ks_checks + 1))
    grep -q "same household\|different households" "$TMP/out" &&
        fail "$(basename "$db") did not take the reopening: $(cat "$TMP/out")"
done

# The review: returned in 2028, approved with the clock right; approved at
# the province whichever bundle comes first.
run env SOURCE_DATE_EPOCH=$FUTURE "$K" review --db "$O" "$X" --return --comment "Xem lại số hộ"
expect_status 0
up 1 r1
R1=$UP
run "$K" review --db "$O" "$X" --approve
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT time FROM reviews WHERE interview = '$X'")" = "2028-01-01T00:00:00.001Z" ] ||
    fail "the later review is stamped $(sqlite3 "$O" "SELECT time FROM reviews WHERE interview = '$X'")"
up 1 r2
R2=$UP
run "$K" merge --db "$P" "$R1" "$R2"
expect_status 0
run "$K" merge --db "$P2" "$R2" "$R1"
expect_status 0
for db in "$P" "$P2"; do
    run "$K" reviews --db "$db" --state approved
    expect_out_contains "$X"
done
# Cleared, then approved again: each after the one before.
run "$K" review --db "$O" "$X" --clear
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT time FROM review_clears WHERE interview = '$X'")" = "2028-01-01T00:00:00.002Z" ] ||
    fail "the clear is stamped $(sqlite3 "$O" "SELECT time FROM review_clears WHERE interview = '$X'")"
run "$K" review --db "$O" "$X" --approve
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT time FROM reviews WHERE interview = '$X'")" = "2028-01-01T00:00:00.003Z" ] ||
    fail "the approval again is stamped $(sqlite3 "$O" "SELECT time FROM reviews WHERE interview = '$X'")"

# --- 3. The province decides the pair itself meanwhile (stamped just
# after the office's reopening, as the office's next decision is): the
# office's decision made after it is not lost on the tie.
run "$K" duplicates --db "$P" --different "$X" "$Y"
expect_status 0
run "$K" duplicates --db "$O" --same "$X" "$Y" --keep "$X"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P" "SELECT decided FROM duplicates")" = "$(sqlite3 "$O" "SELECT decided FROM duplicates")" ] ||
    fail "no tie: province $(sqlite3 "$P" "SELECT decided FROM duplicates"), office $(sqlite3 "$O" "SELECT decided FROM duplicates")"
up 1 c4
run "$K" merge --db "$P" "$UP"
expect_status 0
run "$K" duplicates --db "$P"
expect_out_contains "[same household: $X kept]"
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$UP"
expect_status 0
expect_same "$P" "$afterP" "the tied decision's bundle again"

finish
