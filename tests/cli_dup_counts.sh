#!/bin/sh
# The merge summary, the list of duplicates and the report count the same
# pairs: a pair the office decided (the same household, or different
# households) is still a pair found by merging, counted by what was
# decided; a superseded interview is left out of the comparison of
# communes as of the commune's own report (neither approved nor "not
# approved"), unless --with-superseded; and --commune opens the only
# commune of an office that has no commune form, with --approved-only
# too.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
C="Xã Đông Hòa"

# flat_has TEXT: the last output, its lines joined, says TEXT.
flat_has() {
    tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF -- "$1" ||
        fail "expected the output to say '$1': $(cat "$TMP/out" | head -40)"
}
# flat_lacks TEXT: it does not.
flat_lacks() {
    ks_checks=$((ks_checks + 1))
    tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF -- "$1" &&
        fail "the output says '$1'"
    return 0
}
# pairs_say TEXT: the office's report counts the pairs as TEXT.
pairs_say() {
    run "$K" report --db "$O" --forms "$FORMS" --lang en
    expect_status 0
    flat_has "Duplicates found by merging: $1"
}

laptop A "Nguyễn Văn An" "$C"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 71 >/dev/null
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
key() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$1' AND qid = '$2' AND path = ''"; }
for q in village hh_no; do
    "$K" answer --db "$A" "$Y" "$q" "$(key "$X" "$q")" >/dev/null 2>&1
done
"$K" finalise --db "$A" "$Y" >/dev/null 2>&1 || fail "Y finalised"
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "$C" \
    --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$A" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "A trusts O"
"$K" keys trust --db "$O" --yes "$TMP/A.card" >/dev/null 2>&1 || fail "O trusts A"
mkdir -p "$TMP/up"
"$K" export --db "$A" --to "$TMP/up" >/dev/null 2>&1 || fail "A exports"

# One pair: the merge, the list and the report say one.
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up"
expect_status 0
expect_out_contains "conflicts 0, duplicates 1"
run "$K" duplicates --db "$O"
expect_status 0
[ "$(grep -c . "$TMP/out")" = 1 ] || fail "one pair listed: $(cat "$TMP/out")"
pairs_say "1 pair(s): 1 to decide, 0 the same household, 0 different households"

# Decided the same household: still the one pair, now decided.
run "$K" duplicates --db "$O" --same "$X" "$Y" --keep "$X"
expect_status 0
pairs_say "1 pair(s): 0 to decide, 1 the same household, 0 different households"
flat_has "Superseded duplicates left out: 1"
run "$K" duplicates --db "$O"
[ "$(grep -c . "$TMP/out")" = 1 ] || fail "one pair listed once decided: $(cat "$TMP/out")"

# The office approves every interview it keeps: the comparison of
# communes flags none as not approved, as the commune's report uses
# them all; --with-superseded counts the superseded one in both.
for u in $(sqlite3 "$O" "SELECT uuid FROM interviews WHERE uuid <> '$Y'"); do
    "$K" review --db "$O" "$u" --approve >/dev/null 2>&1 || fail "approve $u"
done
run "$K" report --db "$O" --forms "$FORMS" --lang en
flat_has "Interviews used: 2 approved, 0 not reviewed"
run "$K" report --db "$O" --forms "$FORMS" --communes --approved-only --lang en
expect_status 0
flat_lacks "not approved"
run "$K" report --db "$O" --forms "$FORMS" --communes --lang en
expect_status 0
flat_lacks "not approved"
run "$K" report --db "$O" --forms "$FORMS" --communes --with-superseded --lang en
expect_status 0
flat_has "1 of 3 interviews not approved"

# --commune opens the office's one commune (no commune form): its
# report, with --approved-only too, as the comparison shows it.
run "$K" report --db "$O" --forms "$FORMS" --commune "$C" --lang en
expect_status 0
flat_has "Interviews used: 2 approved, 0 not reviewed"
flat_has "Superseded duplicates left out: 1"
run "$K" report --db "$O" --forms "$FORMS" --commune "$C" --approved-only --lang en
expect_status 0
flat_has "Interviews used: 2 approved"
run "$K" report --db "$O" --forms "$FORMS" --commune "Xã Khác" --lang en
expect_status 1
expect_err_contains "no complete commune interview with key 'Xã Khác'"

# Different households: the pair stays counted, as decided.
run "$K" duplicates --db "$O" --different "$X" "$Y"
expect_status 0
pairs_say "1 pair(s): 0 to decide, 0 the same household, 1 different households"
flat_lacks "Superseded duplicates left out"
# Taken back: to decide again; the Vietnamese report says so too.
run "$K" duplicates --db "$O" --reopen "$X" "$Y"
expect_status 0
pairs_say "1 pair(s): 1 to decide, 0 the same household, 0 different households"
run "$K" report --db "$O" --forms "$FORMS" --lang vi
flat_has "Phiếu trùng phát hiện khi gộp: 1 cặp: 1 cặp chờ quyết định"

finish
