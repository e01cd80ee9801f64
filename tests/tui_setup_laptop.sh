#!/bin/sh
# tui_setup_laptop.sh: on a laptop whose set-up came from its office, the
# home screen's title names the set-up's commune (not the one typed at
# the first run), and the set-up screen (S) lists the office's villages
# but refuses every change (c, v, h, a, x) with what to do, the database
# unchanged, a second time after leaving and coming back too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-setup-laptop-$$
K="$KHAOSAT"
O="$TMP/office.db"
DB="$TMP/A.db"

printf 'code,name\n06,Thôn Sáu\nA1,Thôn Mới\n' >"$TMP/v.csv"
laptop A "Nguyễn Văn An" "Xã Gõ Tay"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 --seed 3 >/dev/null 2>&1
office_pair office A
"$K" setup --db "$O" commune --code 00004 --name "Xã Hòa Bình" --province 01 --forms "$FORMS" 2>/dev/null
"$K" setup --db "$O" villages "$TMP/v.csv" 2>/dev/null
mkdir -p "$TMP/down"
"$K" export --db "$O" --down --to "$TMP/down" >"$TMP/d" 2>/dev/null
"$K" merge --db "$DB" "$(cat "$TMP/d")" >/dev/null 2>&1 || fail "the laptop merges the set-up"
before=$(db_digest "$DB")

for pass in 1 2; do
    tui_run setup-laptop 80 24
    wait_for "commune: Xã Hòa Bình"
    key S
    wait_for "Thôn Mới"
    for k in v h a x c; do
        key "$k"
        whole "the set-up of this laptop comes from its office: ask the office to change it"
        whole "Nothing was changed."
        wait_for "Thôn Sáu"
    done
    key q
    wait_for "commune: Xã Hòa Bình"
    key q
    wait_exit 0
    expect_same "$DB" "$before" "the set-up screen on the laptop (pass $pass)"
done

finish
