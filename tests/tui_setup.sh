#!/bin/sh
# tui_setup.sh: the office's set-up screen (S on the home screen), in
# Vietnamese, in a detached tmux at 80x24 then 60x20: the commune set
# (a refused code explained, asked again with what was typed kept; the
# province picked by typing part of its name), villages and household
# lists loaded from CSV files (a file with an error on line 3 shows the
# command's message naming it and leaves everything as it was), an
# enumerator known from a laptop's bundle assigned, one typed, one
# cleared; left and come back (second pass); read back with `khaosat
# setup` and sqlite3; and the same inputs given to `khaosat setup` store
# exactly the same set-up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-setup-$$
K="$KHAOSAT"
DB="$TMP/office.db"

# An office that merged laptop A's bundle: it knows A's enumerator.
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop office "Giám sát Hà" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 81 >/dev/null
office_pair office A
sqlite3 "$DB" "INSERT INTO settings VALUES ('ui_lang', 'vi')"

printf 'code,name\n01,Thôn Đông\n02,Thôn Tây Nguyên Thượng Hạ Trung Bắc Nam rất dài\nDB3,Bản Mường\n' >"$TMP/v.csv"
printf 'code,name\n01,Thôn Một\n0 2,Thôn Hai\n' >"$TMP/vbad.csv"
printf 'village,number,head\n01,1,Lê Văn Một\n01,x2,Trần Thị Hai\n' >"$TMP/hbad.csv"
printf 'village,number,head\n01,1,Lê Văn Một\n01,2,Trần Thị Hai\nDB3,1,Phạm Ba\n' >"$TMP/h.csv"

# setup_rows DB: the set-up as stored, one line per row.
setup_rows() {
    sqlite3 "$1" "SELECT key, value FROM settings WHERE key LIKE 'setup_%' ORDER BY key;
                  SELECT code, name, coalesce(enumerator, '') FROM villages ORDER BY code;
                  SELECT village, number, head FROM households ORDER BY village, number"
}

# --- 1. 80x24: the commune, a refused code first.
tui_run setup 80 24
wait_for "Enter tạo mới"
key S
wait_for "Chưa thiết lập xã: bấm c để nhập."
wait_for "Chưa có thôn nào: bấm v để nạp từ tệp CSV."
before=$(db_digest "$DB")
key c
wait_for "Mã xã (năm chữ số"
ask 2673
wait_for "Tên xã:"
ask "Xã Đông Hòa"
wait_for "Thiết lập xã: tỉnh"
wait_for "01  Thành phố Hà Nội"
text "Cao"
wait_for "04  Cao Bằng"
wait_gone "01  Thành phố Hà Nội"
key Enter
whole "mã xã \"2673\": phải gồm năm chữ số, theo danh mục đơn vị hành chính"
whole "Không có gì bị thay đổi; hãy sửa lại."
expect_same "$DB" "$before" "a refused commune code"
# Asked again with what was typed: the name and the province are kept.
ask 26734
wait_for "Tên xã:"
wait_for "Xã Đông Hòa"
key Enter
wait_for "Thiết lập xã: tỉnh"
wait_for "04  Cao Bằng"
key Enter
wait_for "Xã: 26734  Xã Đông Hòa"
wait_for "Tỉnh: 04  Cao Bằng"
wait_for "Đã lưu thông tin xã."
expect_sql "SELECT value FROM settings WHERE key = 'setup_province_code'" "04"

# --- 2. villages: the good file, then one with an error on line 3.
key v
wait_for "Tệp CSV danh sách thôn"
ask "$TMP/v.csv"
wait_for "Đã nạp 3 thôn"
wait_for "Thiết lập xã: 3 thôn, 0 hộ trong danh sách"
wait_for " Mã   Thôn"
wait_for " DB3  Bản Mường"
before=$(db_digest "$DB")
key v
wait_for "Tệp CSV danh sách thôn"
ask "$TMP/vbad.csv"
whole "vbad.csv:3: mã thôn \"0 2\": từ 1 đến 10 chữ cái, chữ số, '-' hoặc '_'"
whole "Không có gì bị thay đổi."
wait_for " DB3  Bản Mường"
wait_for "Thiết lập xã: 3 thôn"
expect_same "$DB" "$before" "a villages file with an error on line 3"

# --- 3. household lists: the error on line 3, then the good file.
key h
wait_for "Tệp CSV danh sách hộ"
ask "$TMP/hbad.csv"
whole "hbad.csv:3: số hộ \"x2\": phải là số nguyên từ 1 đến 9999"
whole "Không có gì bị thay đổi."
expect_same "$DB" "$before" "a households file with an error on line 3"
key h
ask "$TMP/h.csv"
wait_for "Đã nạp 3 hộ"
wait_for "Thiết lập xã: 3 thôn, 3 hộ trong danh sách"
expect_sql "SELECT count(*) FROM households WHERE village = '01'" "2"

# --- 4. enumerators: A's from its bundle for 01, one typed for 02,
# cleared again.
key Home
key a
wait_for "Điều tra viên của thôn 01"
wait_for "(gõ tên)"
wait_for "Nguyễn Văn An"
text "An"
wait_gone "(gõ tên)"
key Enter
wait_for "Thôn 01: Nguyễn Văn An phụ trách."
expect_sql "SELECT enumerator FROM villages WHERE code = '01'" "Nguyễn Văn An"
key Down a
wait_for "Điều tra viên của thôn 02"
key Enter
wait_for "Tên điều tra viên:"
ask "Lê Thị Bình"
wait_for "Thôn 02: Lê Thị Bình phụ trách."
expect_sql "SELECT enumerator FROM villages WHERE code = '02'" "Lê Thị Bình"
key x
wait_for "Bỏ phân công điều tra viên của thôn 02?"
key c
wait_for "Thôn 02: nay không có ai phụ trách."
expect_sql "SELECT count(*) FROM villages WHERE code = '02' AND enumerator IS NULL" "1"

# --- 5. leave and come back: everything is there; a second assignment.
key Escape
wait_for "Enter tạo mới"
key S
wait_for "Xã: 26734  Xã Đông Hòa"
wait_for "Thiết lập xã: 3 thôn, 3 hộ trong danh sách"
wait_for "Nguyễn Văn An"
key End a
wait_for "Điều tra viên của thôn DB3"
key Enter
ask "Lê Thị Bình"
wait_for "Thôn DB3: Lê Thị Bình phụ trách."
key Escape
wait_for "Enter tạo mới"
key q
wait_exit 0

# --- 6. read back with the command and sqlite3.
run "$K" setup --db "$DB"
expect_status 0
expect_out_contains "commune 26734 Xã Đông Hòa, province 04"
expect_out_contains "$(printf '01\tThôn Đông\tNguyễn Văn An\t2')"
expect_out_contains "$(printf '02\tThôn Tây Nguyên Thượng Hạ Trung Bắc Nam rất dài\t\t0')"
expect_out_contains "$(printf 'DB3\tBản Mường\tLê Thị Bình\t1')"
expect_sql "SELECT group_concat(code || '=' || coalesce(enumerator, '-'), ' ') FROM (SELECT * FROM villages ORDER BY code)" \
    "01=Nguyễn Văn An 02=- DB3=Lê Thị Bình"

# --- 7. the command twin: the same inputs, the same stored set-up.
T="$TMP/twin.db"
"$K" setup --db "$T" commune --code 26734 --name "Xã Đông Hòa" --province 04 --forms "$FORMS" 2>/dev/null
"$K" setup --db "$T" villages "$TMP/v.csv" 2>/dev/null
"$K" setup --db "$T" households "$TMP/h.csv" 2>/dev/null
"$K" setup --db "$T" assign 01 "Nguyễn Văn An" 2>/dev/null
"$K" setup --db "$T" assign DB3 "Lê Thị Bình" 2>/dev/null
ks_checks=$((ks_checks + 1))
[ "$(setup_rows "$T")" = "$(setup_rows "$DB")" ] ||
    fail "the screen and the command stored different set-ups:
$(setup_rows "$DB")
---
$(setup_rows "$T")"
# The bad files: the command refuses them with the screen's messages.
run "$K" setup --db "$T" villages "$TMP/vbad.csv"
expect_status 1
expect_err_contains "vbad.csv:3: village code \"0 2\""
run "$K" setup --db "$T" households "$TMP/hbad.csv"
expect_status 1
expect_err_contains "hbad.csv:3: household number \"x2\""

# --- 8. 60x20: the list fits, long names cut whole, text from outside
# escaped, a long list scrolls; the key bar keeps whole keys.
sqlite3 "$DB" "INSERT INTO villages (code, name) VALUES ('ZZ9', 'Thôn $(printf '\033')[31mĐỏ')"
tui_run setup 60 20
wait_for "Enter tạo mới"
key S
wait_for "Xã: 26734  Xã Đông Hòa"
bar=$(screen | tail -1)
ks_checks=$((ks_checks + 1))
[ "$bar" = "c xã  v thôn  h hộ  a phân công  x bỏ phân công" ] ||
    fail "the 60-column key bar: '$bar'"
wait_for " 02   Thôn Tây Nguyên Thượng …"
wait_for "Thôn ?[31mĐỏ"
ks_checks=$((ks_checks + 1))
[ "$(screen | wc -L)" -le 60 ] || fail "a line wider than 60 columns"
# Thirty villages (the three kept): the list scrolls to the last.
{ head -4 "$TMP/v.csv"; i=4; while [ $i -le 30 ]; do printf 'T%02d,Thôn số %d\n' $i $i; i=$((i + 1)); done; } >"$TMP/v30.csv"
key v
ask "$TMP/v30.csv"
wait_for "Đã nạp 30 thôn"
wait_for " 01   Thôn Đông"
key End
wait_for " T30  Thôn số 30"
wait_gone " 01   Thôn Đông"
key Escape
wait_for "Enter tạo mới"
key q
wait_exit 0
expect_sql "SELECT count(*) FROM villages" "30"
# The villages kept keep their enumerators and households; ZZ9 is gone.
expect_sql "SELECT count(*) FROM households" "3"
expect_sql "SELECT count(*) FROM villages WHERE code = 'ZZ9' OR enumerator IS NOT NULL" "2"

t kill-server 2>/dev/null
finish
