#!/bin/sh
# The commune's set-up at the office: the commune (code format, province
# from the data list), villages from CSV (unique codes), household lists,
# who covers which village; every bad file refused naming its line, with
# the database unchanged; a second load replaces the first.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"

run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
expect_status 0
run "$K" setup --db "$O"
expect_status 0
expect_out_contains "commune 26734 Xã Đông Hòa, province 01"

printf '\357\273\277code,name\r\n01,"Thôn Đông, 1"\r\nDB2,Thôn Bắc\r\n' > "$TMP/v.csv"
run "$K" setup --db "$O" villages "$TMP/v.csv"
expect_status 0
expect_err_contains "2 villages"
run "$K" setup --db "$O"
expect_out_contains "$(printf '01\tThôn Đông, 1\t\t0')"
expect_out_contains "$(printf 'DB2\tThôn Bắc\t\t0')"
run "$K" setup --db "$O" assign 01 "Nguyễn Văn An"
expect_status 0
printf 'village,number,head\n01,1,Lê Văn Một\n01,2,Trần Thị Hai\nDB2,1,Phạm Ba\n' > "$TMP/h.csv"
run "$K" setup --db "$O" households "$TMP/h.csv"
expect_status 0
expect_err_contains "3 households"
run "$K" setup --db "$O"
expect_out_contains "$(printf '01\tThôn Đông, 1\tNguyễn Văn An\t2')"

# Refused, nothing changed.
before=$(db_digest "$O")
printf 'code,name\n01,A\n02,B\n01,C\n' > "$TMP/dup.csv"
run "$K" setup --db "$O" villages "$TMP/dup.csv"
expect_status 1
expect_err_contains "dup.csv:4: village code 01 is already used on line 2; codes must be unique"
printf 'code,name\n0 1,A\n' > "$TMP/bad.csv"
run "$K" setup --db "$O" villages "$TMP/bad.csv"
expect_status 1
expect_err_contains "bad.csv:2: village code \"0 1\""
printf 'ma,ten\n01,A\n' > "$TMP/hdr.csv"
run "$K" setup --db "$O" villages "$TMP/hdr.csv"
expect_status 1
expect_err_contains "hdr.csv:1: column 1 must be \"code\""
printf 'code,name\n"01,A\n' > "$TMP/quote.csv"
run "$K" setup --db "$O" villages "$TMP/quote.csv"
expect_status 1
expect_err_contains "quote.csv:2: a quoted field is not closed"
printf 'village,number,head\n09,1,X\n' > "$TMP/hv.csv"
run "$K" setup --db "$O" households "$TMP/hv.csv"
expect_status 1
expect_err_contains "no such village in the set-up"
printf 'village,number,head\n01,1,X\n01,1,Y\n' > "$TMP/hd.csv"
run "$K" setup --db "$O" households "$TMP/hd.csv"
expect_status 1
expect_err_contains "household 1 of village 01 appears twice"
printf 'village,number,head\n01,007,X\n' > "$TMP/hn.csv"
run "$K" setup --db "$O" households "$TMP/hn.csv"
expect_status 1
expect_err_contains "hn.csv:2: household number \"007\""
run "$K" setup --db "$O" commune --code 2673 --name X --province 01 --forms "$FORMS"
expect_status 1
expect_err_contains "five digits"
run "$K" setup --db "$O" commune --code 26734 --name X --province 99 --forms "$FORMS"
expect_status 1
expect_err_contains "province code \"99\" is not in"
run "$K" setup --db "$O" assign 77 "Ai"
expect_status 1
expect_err_contains "no village 77 in the set-up"
run "$K" setup --db "$O" villages "$TMP/missing.csv"
expect_status 1
expect_err_contains "missing.csv: cannot be read"
[ "$(db_digest "$O")" = "$before" ] || fail "a refused set-up changed the database"

# A second list replaces the first: kept villages keep their households and
# enumerator, dropped ones go with theirs.
printf 'code,name\n01,Thôn Một\n03,Thôn Ba\n' > "$TMP/v2.csv"
run "$K" setup --db "$O" villages "$TMP/v2.csv"
expect_status 0
run "$K" setup --db "$O"
expect_out_contains "$(printf '01\tThôn Một\tNguyễn Văn An\t2')"
expect_out_contains "$(printf '03\tThôn Ba\t\t0')"
grep -q "DB2" "$TMP/out" && fail "a dropped village stayed"
[ "$(sqlite3 "$O" "SELECT count(*) FROM households")" = 2 ] || fail "the dropped village's households stayed"
finish
