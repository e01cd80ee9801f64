#!/bin/sh
# A laptop never stuck by its own data: an answer longer than the office
# takes is refused where it is typed, and one an older khaosat kept is
# named by export and verify with what to do; data that compresses far
# beyond the usual still exports and merges; an audit time a bundle
# cannot carry (a hand-edited database) names its interview and the
# remedy.  Every refusal leaves the database as it was.
. "$(dirname "$0")/lib.sh"

"$KHAOSAT" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household \
    --count 3 --seed 7 >/dev/null 2>&1 || fail "simulate"
U=$(sqlite3 "$TMP/lap.db" "SELECT uuid FROM interviews WHERE status = 'complete' ORDER BY uuid LIMIT 1")
mkdir "$TMP/s"
cp "$TMP/lap.db" "$TMP/lap0.db"

# --- An audit time that is only digits, or empty ---------------------------
cp "$TMP/lap.db" "$TMP/audit.db"
sqlite3 "$TMP/audit.db" "INSERT INTO audit (interview, time, event) VALUES ('$U', '12345', 'change')"
before=$(db_digest "$TMP/audit.db")
run "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "interview $U: an audit row has the time \"12345\""
expect_err_contains "khaosat restore"
expect_err_contains "UPDATE audit SET time = 'YYYY-MM-DDThh:mm:ss.mmmZ' WHERE interview = '$U' AND time = '12345'"
expect_same "$TMP/audit.db" "$before" "a refused export"
[ -z "$(ls "$TMP/s")" ] || fail "a refused export left a file: $(ls "$TMP/s")"
run env LANGUAGE=vi "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "khaosat restore"
grep -q "an audit row" "$TMP/err" && fail "English in a Vietnamese refusal: $(cat "$TMP/err")"
# Empty, the same; once the row has a real time the export goes through.
sqlite3 "$TMP/audit.db" "UPDATE audit SET time = '' WHERE time = '12345'"
run "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "has the time \"\""
sqlite3 "$TMP/audit.db" "UPDATE audit SET time = '2026-03-01T08:00:00.000Z' WHERE interview = '$U' AND time = ''"
run "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 0
rm -f "$TMP"/s/*

# --- An answer longer than an office takes ---------------------------------
long=$(head -c 65537 /dev/zero | tr '\0' x)
before=$(db_digest "$TMP/lap.db")
run "$KHAOSAT" answer --db "$TMP/lap.db" "$U" head_name "$long"
expect_status 1
expect_err_contains "This answer is 65537 bytes long, more than the 65536 an answer can hold"
expect_same "$TMP/lap.db" "$before" "a refused long answer"
run env LANGUAGE=vi "$KHAOSAT" answer --db "$TMP/lap.db" "$U" head_name "$long"
expect_status 1
expect_err_contains "65537 byte"
expect_same "$TMP/lap.db" "$before" "a refused long answer"
# 65,536 bytes is still an answer.
run "$KHAOSAT" answer --db "$TMP/lap.db" "$U" head_name "$(head -c 65536 /dev/zero | tr '\0' y)"
expect_status 0
# One kept by an older khaosat (here written straight into a draft): the
# export names the interview and question and says what to do, and writes
# nothing; once shortened it goes.
D=$(sqlite3 "$TMP/lap.db" "SELECT uuid FROM interviews WHERE status = 'draft' ORDER BY uuid LIMIT 1")
sqlite3 "$TMP/lap.db" "UPDATE answers SET value = '$long' WHERE interview = '$D' AND qid = 'head_name'"
[ "$(sqlite3 "$TMP/lap.db" "SELECT count(*) FROM answers WHERE interview = '$D' AND length(value) = 65537")" = 1 ] ||
    fail "the long answer was not planted"
before=$(db_digest "$TMP/lap.db")
run "$KHAOSAT" export --db "$TMP/lap.db" --to "$TMP/s" --all --drafts
expect_status 1
expect_err_contains "interview $D, question head_name: \"xxxxxxxx"
expect_err_contains "is 65537 bytes long, more than the 65536 an answer can hold"
expect_err_contains "correct that answer (khaosat answer, or on the screen)"
expect_same "$TMP/lap.db" "$before" "a refused export"
[ -z "$(ls "$TMP/s")" ] || fail "a refused export left a file: $(ls "$TMP/s")"
run "$KHAOSAT" answer --db "$TMP/lap.db" "$D" head_name "Nguyễn Văn Ba"
expect_status 0
run "$KHAOSAT" export --db "$TMP/lap.db" --to "$TMP/s" --all --drafts
expect_status 0
run "$KHAOSAT" verify "$TMP"/s/*.khb
expect_status 0
run "$KHAOSAT" merge --db "$TMP/office.db" --forms "$FORMS" "$TMP"/s/*.khb
expect_status 0
rm -f "$TMP"/s/*

# --- Data that compresses far beyond the usual ------------------------------
# 600 audit rows of 60,000 repeated letters each (as a long answer
# changed again and again): a bundle of 72 MB that packs into 0.1 MB, far
# past any ratio of packed to unpacked size.  It exports, verifies and
# merges whole.
cp "$TMP/lap0.db" "$TMP/rep.db"
sqlite3 "$TMP/rep.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
  INSERT INTO audit (interview, time, event, qid, path, old_value, new_value)
  SELECT '$U', printf('2026-03-01T08:%02d:%02d.000Z', i / 60 % 60, i % 60),
         'change', 'head_name', '',
         replace(hex(zeroblob(30000)), '0', char(65 + i % 8)),
         replace(hex(zeroblob(30000)), '0', char(66 + i % 8)) FROM n"
mkdir "$TMP/rep"
run "$KHAOSAT" export --db "$TMP/rep.db" --to "$TMP/rep" --all
expect_status 0
bundle=$(ls "$TMP"/rep/*.khb)
image=$(zstd -q -d -c "$bundle" | wc -c)
packed=$(wc -c < "$bundle")
[ "$image" -gt $((64 * 1048576)) ] && [ "$image" -gt $((packed * 64)) ] ||
    fail "the repeated data did not make a bundle that packs beyond 64x ($image / $packed)"
run "$KHAOSAT" verify "$bundle"
expect_status 0
expect_out_contains ": ok: format"
run "$KHAOSAT" merge --db "$TMP/rep_office.db" --forms "$FORMS" "$bundle"
expect_status 0
expect_out_contains "added 3"
n=$(sqlite3 "$TMP/rep_office.db" "SELECT count(*) FROM audit WHERE length(new_value) = 60000")
[ "$n" = 600 ] || fail "the office has $n of the 600 long audit rows"
rm -rf "$TMP/rep" "$TMP/rep.db" "$TMP/rep_office.db"

finish
