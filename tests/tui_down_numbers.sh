#!/bin/sh
# tui_down_numbers.sh: the laptop's m on its home screen refuses the
# office's downstream bundle carrying household number "007" (which the
# office's own `khaosat setup households` refuses) with the command's
# reason, the database unchanged, the second time too; the corrected
# bundle is taken (cli_down_numbers.sh for the command).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-down-numbers-$$
K="$KHAOSAT"
O="$TMP/office.db"
DB="$TMP/A.db"

"$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS" 2>/dev/null
printf 'code,name\nT1,Thôn Một\n' > "$TMP/v.csv"
printf 'village,number,head\nT1,7,Lò Văn A\n' > "$TMP/h.csv"
"$K" setup --db "$O" villages "$TMP/v.csv" 2>/dev/null || fail "villages"
"$K" setup --db "$O" households "$TMP/h.csv" 2>/dev/null || fail "households"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 --seed 10 >/dev/null 2>&1
office_pair office A
sqlite3 "$O" "UPDATE households SET number = '007'"
mkdir -p "$TMP/bad" "$TMP/good"
"$K" export --db "$O" --down --to "$TMP/bad" >/dev/null 2>&1 || fail "export 007"

before=$(db_digest "$DB")
tui_run down-numbers 80 24
wait_for "Enter new"
for pass in 1 2; do
    key m
    wait_for "Directory with the bundles"
    ask "$TMP/bad"
    wait_for "1 refused" 10
    whole "household number \"007\" is not a whole number from 1 to 9999 without leading zeros (village \"T1\"); ask the office to correct it and write the bundle again (khaosat export --down)"
    expect_same "$DB" "$before" "m on a bundle with household 007 (pass $pass)"
    key q
    wait_for "Enter new"
done
sqlite3 "$O" "UPDATE households SET number = '7'"
"$K" export --db "$O" --down --to "$TMP/good" >/dev/null 2>&1 || fail "export 7"
key m
wait_for "Directory with the bundles"
ask "$TMP/good"
wait_for "1 merged" 10
expect_sql "SELECT village || '/' || number FROM households" "T1/7"
key q
wait_for "Enter new"
key q
wait_exit 0

finish
