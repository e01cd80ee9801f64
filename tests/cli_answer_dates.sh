#!/bin/sh
# cli_answer_dates.sh: khaosat answer says what is wrong with a date in
# the words the screen uses (the same check, canon_date_problem): no such
# day, month or year, or not a date; typed dd/mm/yyyy or stored
# YYYY-MM-DD; nothing saved changes; a real date is taken (second pass).
# Line breaks in a text answer are kept as the screen keeps them: a space
# each in a one-line answer (as a paste there), \n in a multi-line one.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K=$KHAOSAT
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 \
    --drafts --seed 4 >/dev/null 2>&1 || fail "simulate"
U=$(sqlite3 "$DB" "SELECT uuid FROM interviews")
before=$(db_digest "$DB")
for v in "30/02/2026:no such day: 30/02/2026" "2026-02-30:no such day: 2026-02-30" \
         "01/13/2026:no such month: 01/13/2026" "01/01/0000:no such year: 01/01/0000" \
         "hôm qua:not a date: type it as dd/mm/yyyy"; do
    run "$K" answer --db "$DB" "$U" interview_date "${v%%:*}"
    expect_status 1
    expect_err_contains "interview_date of interview $U: ${v#*:}"
done
expect_same "$DB" "$before" "refused dates"
# In Vietnamese too, as the screen says it.
LANGUAGE=vi run "$K" answer --db "$DB" "$U" interview_date 30/02/2026
expect_status 1
expect_err_contains "không có ngày này: 30/02/2026"
expect_same "$DB" "$before" "a refused date in Vietnamese"
run "$K" answer --db "$DB" "$U" interview_date 01/02/2026
expect_status 0
[ "$(sqlite3 "$DB" "SELECT value FROM answers WHERE qid = 'interview_date'")" = 2026-02-01 ] ||
    fail "the real date was not saved as 2026-02-01"
run "$K" answer --db "$DB" "$U" head_name "$(printf 'Nguyễn\r\nVăn\nAn')"
expect_status 0
[ "$(sqlite3 "$DB" "SELECT value FROM answers WHERE qid = 'head_name'")" = "Nguyễn Văn An" ] ||
    fail "a one-line answer kept its line breaks"
run "$K" answer --db "$DB" "$U" enum_note "$(printf 'một\r\nhai\rba')"
expect_status 0
[ "$(sqlite3 "$DB" "SELECT replace(value, char(10), '|') FROM answers WHERE qid = 'enum_note'")" = "một|hai|ba" ] ||
    fail "a multi-line answer kept a carriage return"
finish
