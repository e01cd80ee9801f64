#!/bin/sh
# cli_down_numbers.sh: a household number in the office's downstream
# bundle is checked by the same rule as the office's own `khaosat setup
# households` (a whole number from 1 to 9999 without sign, space or
# leading zero): "007", "0", "10000" and "+7" are refused by the office's
# command and by the laptop taking a bundle that carries one (an office
# database changed behind the set-up's back), naming the number and its
# village, with the laptop's database unchanged, the second time too; the
# corrected bundle is taken.  Through the laptop's screen: tui_down_numbers.sh.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"

run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
expect_status 0
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\n' > "$TMP/v.csv"
printf 'village,number,head\nT1,7,Lò Văn A\nT2,12,Lò Văn B\n' > "$TMP/h.csv"
run "$K" setup --db "$O" villages "$TMP/v.csv"
expect_status 0
run "$K" setup --db "$O" households "$TMP/h.csv"
expect_status 0
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 10 >/dev/null 2>&1
office_pair office A


for bad in 007 0 10000 +7; do
    # The office's command refuses the number.
    printf 'village,number,head\nT1,%s,Lò Văn A\n' "$bad" > "$TMP/bad.csv"
    before=$(db_digest "$O")
    run "$K" setup --db "$O" households "$TMP/bad.csv"
    expect_status 1
    expect_err_contains "bad.csv:2: household number \"$bad\": a whole number from 1 to 9999"
    expect_same "$O" "$before" "setup households with \"$bad\""
    # The laptop refuses a bundle carrying it, twice, unchanged.
    sqlite3 "$O" "UPDATE households SET number = '$bad' WHERE village = 'T1'"
    down_export "$O"
    before=$(db_digest "$A")
    for pass in 1 2; do
        run "$K" merge --db "$A" "$D"
        expect_status 1
        expect_err_contains "household number \"$bad\" is not a whole number from 1 to 9999 without leading zeros (village \"T1\"); ask the office to correct it and write the bundle again (khaosat export --down)"
        expect_same "$A" "$before" "a downstream bundle with household \"$bad\" (pass $pass)"
    done
    sqlite3 "$O" "UPDATE households SET number = '7' WHERE village = 'T1'"
done

# Corrected, the bundle is taken with both households.
down_export "$O"
run "$K" merge --db "$A" "$D"
expect_status 0
[ "$(sqlite3 "$A" "SELECT group_concat(village || '/' || number, ' ') FROM (SELECT * FROM households ORDER BY village)")" = "T1/7 T2/12" ] ||
    fail "the laptop's households: $(sqlite3 "$A" "SELECT * FROM households")"

finish
