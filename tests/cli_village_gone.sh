#!/bin/sh
# cli_village_gone.sh: a village that was in the commune's set-up when an
# interview was answered, dropped by the office before the laptop's
# bundle came.  The office takes the bundle (an answer valid when it was
# given is data, not an attack) and says which interviews answer the
# village and what to do; a complete one is returned by the merge with
# the reason; the same bundle again changes nothing.  The laptop takes the
# office's set-up and returns (it no longer refuses the whole bundle),
# saying which village and what to do; finalising such an interview says
# the village is no longer in the set-up and what to do, with nothing
# changed; corrected, it goes back to the office as corrected after
# return; with the village put back, the other is finished in it.
# A village code that is not a code at all is still refused with the
# office unchanged (check_hostile too).  Through the screens:
# tui_village_gone.sh.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"

run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
expect_status 0
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\nT3,Thôn Ba\n' > "$TMP/v3.csv"
printf 'code,name\nT1,Thôn Một\nT3,Thôn Ba\n' > "$TMP/v2.csv"
run "$K" setup --db "$O" villages "$TMP/v3.csv"
expect_status 0
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 10 >/dev/null 2>&1
office_pair office A

# up_export: A's bundle, written afresh; its path in $UP.
up_export() {
    rm -rf "$TMP/up"
    mkdir -p "$TMP/up"
    run "$K" export --db "$A" --to "$TMP/up"
    expect_status 0
    UP=$(cat "$TMP/out")
}
uses() { sqlite3 "$1" "SELECT group_concat(interview, ' ') FROM (SELECT DISTINCT interview FROM answers WHERE qid = 'village' AND value = '$2' ORDER BY interview)"; }

down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 8 --seed 11 >/dev/null 2>&1
T2=$(uses "$A" T2)
N=$(echo "$T2" | wc -w)
[ "$N" -gt 1 ] || fail "the seed draws fewer than two T2: '$T2'"
U1=$(echo "$T2" | cut -d' ' -f1)
U2=$(echo "$T2" | cut -d' ' -f2)

# The office drops T2 (none of its interviews answers it yet); the
# laptop, which has not heard of it, corrects U2 in another question.
run "$K" setup --db "$O" villages "$TMP/v2.csv"
expect_status 0
run "$K" answer --db "$A" "$U2" head_name "Lò Văn Sửa"
expect_status 0
run "$K" finalise --db "$A" "$U2"
expect_status 0

# --- The office takes the laptop's bundle and flags the T2 interviews.
up_export
run "$K" merge --db "$O" --forms "$FORMS" "$UP"
expect_status 0
expect_out_contains "$UP: $N interview(s) answer a village no longer in the commune's set-up, taken as answered: the enumerator chooses another once the interview is returned (a complete one is returned by the merge; see khaosat reviews), or the office puts the village back (khaosat setup villages)"
for u in $T2; do
    expect_out_contains "$UP: interview $u: village T2 no longer in the commune's set-up"
done
expect_out_contains "$UP: $N complete interview(s) break their own checks once merged: returned to the enumerator"
[ "$(uses "$O" T2)" = "$T2" ] || fail "the office does not hold the T2 interviews: $(uses "$O" T2)"
[ "$(sqlite3 "$O" "SELECT value FROM answers WHERE interview = '$U2' AND qid = 'head_name'")" = "Lò Văn Sửa" ] ||
    fail "the office did not take U2's correction"
run "$K" reviews --db "$O" --state returned
expect_status 0
for u in $T2; do
    grep "^$u" "$TMP/out" | grep -qF "Village T2 is no longer in the commune's set-up: the office dropped it after this interview was answered. Choose another village, or ask the office to put it back in its set-up." ||
        fail "$u is not returned with the reason: $(cat "$TMP/out")"
done
# The same bundle again: nothing changes.
before=$(db_digest "$O")
run "$K" merge --db "$O" --forms "$FORMS" "$UP"
expect_status 0
expect_out_contains "already merged"
expect_same "$O" "$before" "the same bundle again"

# --- The laptop takes the office's set-up and the returns.
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
expect_out_contains "from the office: $N returned interview(s) reopened"
expect_out_contains "$D: the office's set-up no longer has village T2 (Thôn Hai), the answer of $N interview(s) on this laptop: open each and choose another village before finishing it (finishing says which), or ask the office to put the village back"
[ "$(sqlite3 "$A" "SELECT count(*) FROM villages WHERE code = 'T2'")" = 0 ] || fail "the laptop kept T2"
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$U1'")" = draft ] || fail "$U1 was not returned"

# Finalising says what to do, twice, nothing changed.
before=$(db_digest "$A")
for pass in 1 2; do
    run "$K" finalise --db "$A" "$U1"
    expect_status 1
    expect_err_contains "village: Village T2 is no longer in the commune's set-up: the office dropped it after this interview was answered. Choose another village, or ask the office to put it back in its set-up."
    expect_same "$A" "$before" "finalising a T2 interview (pass $pass)"
done
# Another village is taken; T2 cannot be given again.
run "$K" answer --db "$A" "$U1" village T3
expect_status 0
before=$(db_digest "$A")
run "$K" answer --db "$A" "$U1" village T2
expect_status 1
expect_same "$A" "$before" "T2 again"
run "$K" finalise --db "$A" "$U1"
expect_status 0

# --- Back at the office: U1 corrected after return, nothing flagged (U2,
# a draft again, stays on the laptop).
up_export
run "$K" merge --db "$O" --forms "$FORMS" "$UP"
expect_status 0
grep -qF "no longer in the commune's set-up" "$TMP/out" && fail "flagged again: $(cat "$TMP/out")"
run "$K" reviews --db "$O" --state corrected
expect_out_contains "$U1"

# --- Third pass: the office puts T2 back; the laptop takes it and
# finishes U2 in T2; the office takes it, flagging nothing.
run "$K" setup --db "$O" villages "$TMP/v3.csv"
expect_status 0
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
grep -qF "no longer has village" "$TMP/out" && fail "the laptop still says T2 is gone: $(cat "$TMP/out")"
run "$K" finalise --db "$A" "$U2"
expect_status 0
up_export
run "$K" merge --db "$O" --forms "$FORMS" "$UP"
expect_status 0
grep -qF "no longer in the commune's set-up" "$TMP/out" && fail "flagged with T2 back: $(cat "$TMP/out")"
expect_out_contains "updated 1"
[ "$(sqlite3 "$O" "SELECT status FROM interviews WHERE uuid = '$U2'")" = complete ] ||
    fail "the office does not have U2 complete again"
run "$K" review --db "$O" "$U2" --approve
expect_status 0

# --- Not a village code at all ("T1!", two codes for one village): the
# bundle is refused, the office unchanged, the second time too.  (A copy
# of the laptop's database, its answer changed behind khaosat's back.)
for bad in "T1!" "T1 T3"; do
    cp "$A" "$TMP/A2.db"
    sqlite3 "$TMP/A2.db" "UPDATE answers SET value = '$bad' WHERE interview = '$U1' AND qid = 'village'"
    run "$K" answer --db "$TMP/A2.db" "$U1" head_name "Giả Mạo"
    sqlite3 "$TMP/A2.db" "UPDATE interviews SET status = 'complete' WHERE uuid = '$U1'"
    rm -rf "$TMP/up"
    mkdir -p "$TMP/up"
    run "$K" export --db "$TMP/A2.db" --to "$TMP/up"
    expect_status 0
    UP=$(cat "$TMP/out")
    before=$(db_digest "$O")
    for pass in 1 2; do
        run "$K" merge --db "$O" --forms "$FORMS" "$UP"
        expect_status 1
        expect_err_contains "$UP: interview $U1, question village: \"$bad\" is not a code of the question's list; refusing the bundle; not merged"
        expect_same "$O" "$before" "a village \"$bad\" (pass $pass)"
    done
done

finish
