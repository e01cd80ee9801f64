#!/bin/sh
# cli_setup_drop.sh: a village list that drops a village interviews
# answer is refused at the office (khaosat setup villages), naming the
# village, how many interviews answer it and what to do, with the
# database unchanged.  A laptop taking an office's set-up that dropped a
# village its interviews answer takes it, saying which village and what
# to do (cli_village_gone.sh).  Dropping a village nobody answers, or
# renaming one in use, is fine.  A refused downstream set-up names the
# bundle once.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
mkdir -p "$TMP/down"


run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
expect_status 0
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\nT3,Thôn Ba\n' > "$TMP/v3.csv"
run "$K" setup --db "$O" villages "$TMP/v3.csv"
expect_status 0

# The laptop sends its first interviews (before the set-up), takes the
# set-up, and its next interviews draw T1 to T3.
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 10 >/dev/null 2>&1
office_pair office A
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 8 --seed 11 >/dev/null 2>&1
rm -rf "$TMP/up"
mkdir -p "$TMP/up"
run "$K" export --db "$A" --to "$TMP/up"
expect_status 0
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up"
expect_status 0
uses() { sqlite3 "$1" "SELECT count(DISTINCT interview) FROM answers WHERE qid = 'village' AND value = '$2'"; }
NT2=$(uses "$O" T2)
[ "$NT2" -gt 0 ] || fail "the seed draws no T2"

# At the office: a list without T2 (2 interviews) is refused.
printf 'code,name\nT1,Thôn Một\nT3,Thôn Ba\n' > "$TMP/no_t2.csv"
before=$(db_digest "$O")
run "$K" setup --db "$O" villages "$TMP/no_t2.csv"
expect_status 1
expect_err_contains "no_t2.csv: village T2 (Thôn Hai) is the answer of $NT2 interview(s) in this database, and the file drops it; keep it in the file (its name may change)"
expect_same "$O" "$before" "a list dropping T2"
# Dropping T3 from the laptop's interviews (they move to T1) and renaming
# T2 are fine.
sqlite3 "$O" "UPDATE answers SET value = 'T1' WHERE qid = 'village' AND value = 'T3'"
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai Mới\n' > "$TMP/ok.csv"
run "$K" setup --db "$O" villages "$TMP/ok.csv"
expect_status 0
[ "$(sqlite3 "$O" "SELECT group_concat(code || '=' || name, ' ') FROM villages")" = "T1=Thôn Một T2=Thôn Hai Mới" ] ||
    fail "the list was not replaced: $(sqlite3 "$O" "SELECT * FROM villages")"

# On the laptop: interviews in T2 that the office has not seen yet.  The
# office's database drops T2 behind the set-up's back (as a list made
# before those interviews arrived would).  A bundle the laptop refuses
# inside its seal (a village name too long) names the bundle once, and
# nothing changes.
sqlite3 "$O" "DELETE FROM villages WHERE code = 'T2'"
NA=$(uses "$A" T2)
before=$(db_digest "$A")
sqlite3 "$O" "INSERT INTO villages (code, name) VALUES ('T9', replace(hex(zeroblob(150)), '0', 'x'))"
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 1
expect_err_contains "khaosat merge: $D: inside the sealed bundle: a village's code, name (1 to 200 bytes) or enumerator is not one a laptop takes: \"T9\""
expect_same "$A" "$before" "a bundle with a village too long"
[ "$(grep -o "$D" "$TMP/err" | wc -l)" = 1 ] || fail "the bundle is named more than once: $(cat "$TMP/err")"
sqlite3 "$O" "DELETE FROM villages WHERE code = 'T9'"
# Without it, the set-up dropping T2 is taken (the office's returns must
# reach the laptop), naming the village, its interviews and what to do
# (cli_village_gone.sh follows those interviews).
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
expect_out_contains "$D: the office's set-up no longer has village T2 (Thôn Hai), the answer of $NA interview(s) on this laptop: open each and choose another village before finishing it (finishing says which), or ask the office to put the village back"
[ "$(sqlite3 "$A" "SELECT count(*) FROM villages WHERE code = 'T2'")" = 0 ] || fail "the laptop kept T2"
[ "$(uses "$A" T2)" = "$NA" ] || fail "the T2 answers changed"

# A bundle the laptop refuses inside its seal names the bundle once too.
sqlite3 "$O" "INSERT INTO villages (code, name) VALUES ('T2', replace(hex(zeroblob(150)), '0', 'x'))"
down_export "$O"
before=$(db_digest "$A")
run "$K" merge --db "$A" "$D"
expect_status 1
expect_err_contains "khaosat merge: $D: inside the sealed bundle: a village's code, name (1 to 200 bytes) or enumerator is not one a laptop takes: \"T2\""
expect_same "$A" "$before" "a bundle with a village too long"
[ "$(grep -o "$D" "$TMP/err" | wc -l)" = 1 ] || fail "the bundle is named more than once: $(cat "$TMP/err")"

# Put back, the office's set-up is taken.
sqlite3 "$O" "UPDATE villages SET name = 'Thôn Hai' WHERE code = 'T2'"
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
[ "$(sqlite3 "$A" "SELECT name FROM villages WHERE code = 'T2'")" = "Thôn Hai" ] || fail "the laptop did not take the set-up"

finish
