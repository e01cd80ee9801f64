#!/bin/sh
# A value is data: answer and note stop reading options at the UUID, so
# an answer or note starting with '-' ("-2+3 Xã") is taken as it is, and
# a number "-2" reaches the value check (refused as a value, with
# nothing changed), never getopt's "invalid option".
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
D="$TMP/l.db"
"$K" simulate --db "$D" --forms "$FORMS" --form household --count 3 \
    --seed 7 >/dev/null 2>&1 || fail "simulate"
U=$(sqlite3 "$D" "SELECT i.uuid FROM interviews i JOIN answers a ON a.interview = i.uuid WHERE a.qid = 'consent' AND a.value = '1' ORDER BY i.uuid LIMIT 1")
val() { sqlite3 "$D" "SELECT value FROM answers WHERE interview = '$U' AND qid = '$1' AND path = ''"; }

run "$K" answer --db "$D" "$U" head_name "-2+3 Xã"
expect_status 0
[ "$(val head_name)" = "-2+3 Xã" ] || fail "head_name is '$(val head_name)'"
# Again, another value with dashes (a second correction).
run "$K" answer --db "$D" "$U" head_name "--db x"
expect_status 0
[ "$(val head_name)" = "--db x" ] || fail "head_name is '$(val head_name)'"

# A negative household size is a value refused by the form, not an option.
before=$(db_digest "$D")
run "$K" answer --db "$D" "$U" hh_size "-2"
expect_status 1
grep -q "invalid option" "$TMP/err" && fail "'-2' taken for an option"
expect_same "$D" "$before" "a refused '-2'"

# The note's text too.
run "$K" note --db "$D" "$U" head_name "-- chủ hộ vắng, con trả lời"
expect_status 0
[ "$(sqlite3 "$D" "SELECT note FROM notes WHERE interview = '$U' AND qid = 'head_name'")" = "-- chủ hộ vắng, con trả lời" ] ||
    fail "the note starting with '--' was not kept"

# Options still come first, and an unknown one before UUID is refused.
before=$(db_digest "$D")
run "$K" answer --bogus --db "$D" "$U" head_name "x"
expect_status 2
expect_err_contains "Usage: khaosat answer"
expect_same "$D" "$before" "an unknown option"
finish
