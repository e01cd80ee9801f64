#!/bin/sh
# cli_integrity.sh: khaosat answer and khaosat finalise go through the same
# session as the interview screen: canonical values, a complete interview
# corrected only as a draft and finished again with every check, roster
# members removed only with --remove, the same key announced, refused input
# leaving the database exactly as it was.
. "$(dirname "$0")/lib.sh"

K=$KHAOSAT
F=$TESTDATA/integrity
DB=$TMP/s.db
"$K" simulate --db "$DB" --forms "$F" --form int_household --count 2 --seed 3 >/dev/null 2>&1 ||
    fail "simulate"
sql() { sqlite3 "$DB" "$1"; }
# U: the interview with more members; V: the other one.
U=$(sql "SELECT interview FROM answers WHERE qid = 'hh_size' ORDER BY CAST(value AS INTEGER) DESC, interview LIMIT 1")
V=$(sql "SELECT uuid FROM interviews WHERE uuid <> '$U'")
val() { sql "SELECT value FROM answers WHERE interview = '$U' AND qid = '$1' AND path = '${2:-}'"; }
status() { sql "SELECT status FROM interviews WHERE uuid = '$U'"; }
size=$(val hh_size)
[ "$(status)" = complete ] || fail "the simulated interview is not complete"

# Refused values change nothing at all, complete interview included.
before=$(db_digest "$DB")
run "$K" answer --db "$DB" "$U" hh_no "12a"
expect_status 1
expect_err_contains "hh_no of interview $U"
run "$K" answer --db "$DB" "$U" area "85,5,1"
expect_status 1
run "$K" answer --db "$DB" "$U" nosuch "1"
expect_status 1
expect_err_contains "has no question nosuch"
# An integer typed with a digit group, a fraction or letters: the words
# the screen shows too (tui_entry.sh), in English and in Vietnamese.
for v in 1.000 1,000; do
    run "$K" answer --db "$DB" "$U" hh_no "$v"
    expect_status 1
    expect_err_contains "'$v' is written with a thousands separator"
done
run "$K" answer --db "$DB" "$U" hh_no "7,5"
expect_status 1
expect_err_contains "'7,5' is not a whole number: this question takes digits only."
run "$K" answer --db "$DB" "$U" hh_no "abc"
expect_status 1
expect_err_contains "'abc' is not a number."
run env LANGUAGE=vi "$K" answer --db "$DB" "$U" hh_no "7,5"
expect_status 1
expect_err_contains "'7,5' không phải là số nguyên"
run env LANGUAGE=vi "$K" answer --db "$DB" "$U" hh_no "1.000"
expect_status 1
expect_err_contains "'1.000'"
grep -q "This is not a valid answer" "$TMP/err" && fail "an English fallback in Vietnamese"
[ "$(db_digest "$DB")" = "$before" ] || fail "a refused answer changed the database"

# A correction: canonical value, the interview back to draft, audited.
run "$K" answer --db "$DB" "$U" hh_no " 007 "
expect_status 0
expect_err_contains "is a draft again; finish it with 'khaosat finalise $U'"
[ "$(val hh_no)" = 7 ] || fail "hh_no stored as '$(val hh_no)', not 7"
[ "$(status)" = draft ] || fail "a corrected interview stays complete"
[ "$(sql "SELECT count(*) FROM audit WHERE interview = '$U' AND event = 'status' AND new_value = 'draft'")" = 1 ] ||
    fail "reopening is not audited"
run "$K" answer --db "$DB" "$U" area "85,50"
expect_status 0
[ "$(val area)" = 85.5 ] || fail "area stored as '$(val area)', not 85.5"
run "$K" finalise --db "$DB" "$U"
expect_status 0
expect_out_contains "$U: complete"

# Fewer members: nothing changes without --remove, which removes them.
before=$(db_digest "$DB")
run "$K" answer --db "$DB" "$U" hh_size 1
expect_status 1
expect_err_contains "Remove member 2,"
expect_err_contains "run again with --remove"
[ "$(db_digest "$DB")" = "$before" ] || fail "a refused removal changed the database"
run "$K" answer --db "$DB" --remove "$U" hh_size 1
expect_status 0
[ "$(sql "SELECT count(*) FROM answers WHERE interview = '$U' AND path <> '' AND path <> 'members[1]'")" = 0 ] ||
    fail "answers of removed members are left"
[ "$(sql "SELECT count(*) FROM audit WHERE interview = '$U' AND path = 'members[$size]' AND new_value IS NULL")" -ge 2 ] ||
    fail "the removed answers are not audited"
# n_online may now be more than the household: finalise says what is wrong.
run "$K" answer --db "$DB" "$U" n_online 2
expect_status 1
expect_err_contains "Không thể nhiều hơn số nhân khẩu"
run "$K" answer --db "$DB" "$U" n_online 1
expect_status 0
run "$K" answer --db "$DB" "$U" consent ""
expect_status 0
run "$K" finalise --db "$DB" "$U"
expect_status 1
expect_err_contains "is not finished: 1 question(s) need attention"
expect_err_contains "  consent: "
[ "$(status)" = draft ] || fail "finalised with a required answer missing"
run "$K" answer --db "$DB" "$U" consent 1
run "$K" finalise --db "$DB" "$U"
expect_status 0

# The same value again (as typed another way) leaves it complete; --forms
# is taken as by every command.
run "$K" answer --db "$DB" --forms "$F" "$U" hh_no "0$(val hh_no)"
expect_status 0
[ "$(status)" = complete ] || fail "an answer that changes nothing made a draft"

# A roster or anything that is not a question takes no answer: refused,
# nothing changed (the office would refuse the whole bundle).
before=$(db_digest "$DB")
run "$K" answer --db "$DB" "$U" members 5
expect_status 1
expect_err_contains "not a question that takes an answer"
[ "$(db_digest "$DB")" = "$before" ] || fail "an answer to a roster changed the database"

# Answers an older release left beyond the count (its shrink bug) do not
# come back as member 2's when the household grows again.
sql "INSERT INTO answers (interview, qid, path, value) VALUES ('$U', 'm_name', 'members[2]', 'Lò Văn Cũ'), ('$U', 'm_sex', 'members[2]', '2')"
run "$K" answer --db "$DB" "$U" hh_size 2
expect_status 0
[ -z "$(val m_name 'members[2]')$(val m_sex 'members[2]')" ] ||
    fail "a removed member's answers came back: '$(val m_name 'members[2]')'"
run "$K" answer --db "$DB" --remove "$U" hh_size 1
run "$K" finalise --db "$DB" "$U"
expect_status 0

# The same key as another interview is accepted, with a warning.
run "$K" answer --db "$DB" "$V" village "$(val village)"
run "$K" answer --db "$DB" "$V" hh_no "0$(val hh_no)"
expect_status 0
expect_err_contains "interview $V has the same key as interview $U"

# CSV: only the complete interview; the draft left out is counted.
run "$K" csv --db "$DB" --forms "$F" --out "$TMP/csv"
expect_status 0
expect_out_contains "1 draft(s) left out"
n=$(tail -n +2 "$TMP/csv/int_household.csv" | grep -c ",complete,")
[ "$n" = 1 ] || fail "int_household.csv has $n complete rows, expected 1"
tail -n +2 "$TMP/csv/int_household.csv" | grep -q ",draft," && fail "a draft in the CSV"
run "$K" finalise --db "$DB" "$TMP/none"
expect_status 1
expect_err_contains "no interview"

# A count beyond the most a roster holds, stored by an older version or
# arriving in a bundle, is refused at finalising with the words 'answer'
# uses, and the refusal changes nothing.
BDB=$TMP/big.db
"$K" simulate --db "$BDB" --forms "$TESTDATA/bigcount" --form bigcount --count 1 --seed 5 >/dev/null 2>&1 ||
    fail "simulate bigcount"
B=$(sqlite3 "$BDB" "SELECT uuid FROM interviews")
sqlite3 "$BDB" "UPDATE answers SET value = '5000' WHERE qid = 'n_plots';
                UPDATE interviews SET status = 'draft'"
run "$K" answer --db "$BDB" "$B" n_plots 5001
expect_status 1
expect_err_contains "more than 1000 entries in 'plots'"
before=$(db_digest "$BDB")
run "$K" finalise --db "$BDB" "$B"
expect_status 1
expect_err_contains "more than 1000 entries in 'plots'"
[ "$(db_digest "$BDB")" = "$before" ] || fail "a refused finalise changed the database"
[ "$(sqlite3 "$BDB" "SELECT status FROM interviews")" = draft ] ||
    fail "finalised with 5000 plots"
run "$K" answer --db "$BDB" --remove "$B" n_plots 2
expect_status 0
run "$K" finalise --db "$BDB" "$B"
expect_status 0

finish
