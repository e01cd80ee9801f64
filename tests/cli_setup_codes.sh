#!/bin/sh
# cli_setup_codes.sh: once a database has the commune's set-up, a village
# question (choices_from: villages) takes the set-up's codes only, through
# khaosat answer and finalise alike; an interview answered before the
# set-up arrived keeps its own code (finalised again with a warning), but
# once changed it cannot be given that code back; a code refused changes
# nothing.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
A="$TMP/A.db"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 5 >/dev/null 2>&1
OLD=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
OTHER=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
village() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$1' AND qid = 'village'"; }

# Before the set-up: the form's own list (01 to 30).
run "$K" answer --db "$A" "$OLD" village 29
expect_status 0
run "$K" finalise --db "$A" "$OLD"
expect_status 0

printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\nX3,Thôn Ba\n' > "$TMP/v.csv"
run "$K" setup --db "$A" villages "$TMP/v.csv"
expect_status 0

# A new interview takes the set-up's codes only: 28 (the form's own list)
# is refused, saying what the set-up holds; nothing changes.
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 6 >/dev/null 2>&1
NEW=$(sqlite3 "$A" "SELECT uuid FROM interviews WHERE uuid NOT IN ('$OLD', '$OTHER')")
case $(village "$NEW") in T1|T2|X3) ;; *) fail "simulate drew $(village "$NEW"), not a set-up village" ;; esac
for code in 28 29 01 T9; do
    before=$(db_digest "$A")
    run "$K" answer --db "$A" "$NEW" village "$code"
    expect_status 1
    expect_err_contains "village of interview $NEW: $code is not a code of the commune's set-up: choose one of its 3."
    expect_same "$A" "$before" "village $code on a new interview"
done
run "$K" answer --db "$A" "$NEW" village T2
expect_status 0
[ "$(village "$NEW")" = T2 ] || fail "T2 was not saved"

# The interview answered before the set-up keeps 29: finalised again
# (reopened first) with a warning that names the village.
run "$K" reopen --db "$A" "$OLD"
expect_status 0
run "$K" finalise --db "$A" "$OLD"
expect_status 0
expect_err_contains "khaosat finalise: warning: interview $OLD, village: 29 (Thôn 29) is not in the commune's set-up: kept as it was answered before the set-up arrived"
expect_out_contains "$OLD: complete"
# The same code again changes nothing, not even the status.
before=$(db_digest "$A")
run "$K" answer --db "$A" "$OLD" village 29
expect_status 0
expect_same "$A" "$before" "the same kept code again"
# Another code of the form's own list is refused, the interview stays
# complete and unchanged.
run "$K" answer --db "$A" "$OLD" village 28
expect_status 1
expect_err_contains "28 is not a code of the commune's set-up"
expect_same "$A" "$before" "28 on the old interview"
# Changed to a set-up village, then back: 29 is gone for good.
run "$K" answer --db "$A" "$OLD" village T1
expect_status 0
before=$(db_digest "$A")
run "$K" answer --db "$A" "$OLD" village 29
expect_status 1
expect_err_contains "29 is not a code of the commune's set-up"
expect_same "$A" "$before" "29 given back"
[ "$(village "$OLD")" = T1 ] || fail "the old interview lost T1"
# Third pass: finalised without a warning now, reopened and finalised.
run "$K" finalise --db "$A" "$OLD"
expect_status 0
grep -q warning "$TMP/err" && fail "a warning for a set-up village: $(cat "$TMP/err")"
run "$K" reopen --db "$A" "$OLD"
expect_status 0
run "$K" finalise --db "$A" "$OLD"
expect_status 0

# The other interview from before the set-up still finalises (its own
# code kept) and its list of choices is the set-up's plus its own code.
run "$K" reopen --db "$A" "$OTHER"
expect_status 0
run "$K" finalise --db "$A" "$OTHER"
expect_status 0
expect_err_contains "$(village "$OTHER") (Thôn $(village "$OTHER")) is not in the commune's set-up"

finish
