#!/bin/sh
# tui_setup_picker.sh: the office's set-up screen (Vietnamese, 80x24 then
# 60x20).  Villages are listed in natural order of their codes (K0, K1,
# K2, K10, K100), as `khaosat setup` prints them; two names alike but at
# their end, cut to the same text in the column, show whole on the status
# line when highlighted; in the enumerator picker a name typed that
# matches nobody listed is taken by Enter (no need to go back to "(type a
# name)"), a name typed that matches one picks it.  Second pass: left
# and come back, the assignments are there and another typed name is
# taken.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-setup-picker-$$
K="$KHAOSAT"
DB="$TMP/office.db"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop office "Giám sát Hà" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 81 >/dev/null
office_pair office A
sqlite3 "$DB" "INSERT INTO settings VALUES ('ui_lang', 'vi')"
"$K" setup --db "$DB" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS" 2>/dev/null ||
    fail "setup commune"
LONG="Thôn Tây Nguyên Thượng Hạ Trung Bắc Nam rất dài"
printf 'code,name\nK10,Thôn Mười\nK2,%s Một\nK100,Thôn Một Trăm\nK1,%s Hai\nK0,Thôn Không\n' "$LONG" "$LONG" >"$TMP/v.csv"
run "$K" setup --db "$DB" villages "$TMP/v.csv"
expect_status 0

# The command lists them in natural order.
run "$K" setup --db "$DB"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sed 1d "$TMP/out" | cut -f1 | tr '\n' ' ')" = "K0 K1 K2 K10 K100 " ] ||
    fail "khaosat setup lists the villages in natural order: $(cut -f1 "$TMP/out" | tr '\n' ' ')"

# codes_on_screen: the village codes as the screen lists them.
codes_on_screen() {
    screen | sed -n '5,$p' | awk '$1 ~ /^K[0-9]+$/ { printf "%s ", $1 }'
}

pass=0
for size in "80 24" "60 20"; do
    pass=$((pass + 1))
    # shellcheck disable=SC2086
    tui_run setup_picker $size
    wait_for "Enter tạo mới"
    key S
    wait_for "Xã: 26734  Xã Đông Hòa"
    wait_for "Thôn Không"
    ks_checks=$((ks_checks + 1))
    [ "$(codes_on_screen)" = "K0 K1 K2 K10 K100 " ] ||
        fail "$size: the screen lists the villages in natural order: '$(codes_on_screen)'"
    ks_checks=$((ks_checks + 1))
    [ "$(screen | wc -L)" -le "${size% *}" ] || fail "$size: a line wider than the screen"
    # K1 and K2 read the same in the cut column: highlighted, the whole
    # name shows on the status line.
    ks_checks=$((ks_checks + 1))
    [ "$(screen | grep -c "Thôn Tây Nguyên Thượng.*…")" = 2 ] ||
        fail "$size: the two long names are cut: $(screen)"
    key Home Down
    wait_for "Thôn K1: $LONG Hai"
    key Down
    wait_for "Thôn K2: $LONG Một"
    wait_gone "Thôn K1: $LONG Hai"
    # A short name needs no status line.
    key Down
    wait_gone "Thôn K2: $LONG Một"
    ks_checks=$((ks_checks + 1))
    screen | grep -qF "Thôn K10: " && fail "$size: a status line for a name that fits" 
    # A name typed that matches nobody: Enter takes it.
    NEW="Trần Văn Mới $pass"
    key Home a
    wait_for "Điều tra viên của thôn K0"
    wait_for "Nguyễn Văn An"
    text "$NEW"
    wait_for "(chưa có gì)"
    key Enter
    wait_for "Thôn K0: $NEW phụ trách."
    expect_sql "SELECT enumerator FROM villages WHERE code = 'K0'" "$NEW"
    # A name typed that matches one listed picks it.
    key Down a
    wait_for "Điều tra viên của thôn K1"
    text "Văn An"
    wait_gone "(gõ tên)"
    key Enter
    wait_for "Thôn K1: Nguyễn Văn An phụ trách."
    expect_sql "SELECT enumerator FROM villages WHERE code = 'K1'" "Nguyễn Văn An"
    # Esc in the picker changes nothing.
    before=$(db_digest "$DB")
    key Down a
    wait_for "Điều tra viên của thôn K2"
    text "Ai đó"
    key Escape
    wait_gone "Ai đó"
    key Escape
    wait_gone "Điều tra viên của thôn K2"
    expect_same "$DB" "$before" "Esc in the enumerator picker"
    key Escape
    wait_for "Enter tạo mới"
    key q
    wait_exit 0
done
# The second pass's typed name replaced the first's; the command agrees.
run "$K" setup --db "$DB"
expect_out_contains "$(printf 'K0\tThôn Không\tTrần Văn Mới 2\t0')"
expect_out_contains "$(printf 'K1\t%s Hai\tNguyễn Văn An\t0' "$LONG")"

t kill-server 2>/dev/null
finish
