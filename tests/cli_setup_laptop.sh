#!/bin/sh
# cli_setup_laptop.sh: a laptop's set-up is its office's.  On a laptop
# (it trusts an upstream office, or its set-up came down in the office's
# bundle) `khaosat setup commune|villages|households|assign` are refused
# with what to do and the database unchanged, while listing the set-up
# stays allowed; the office itself still changes its set-up.  A
# downstream bundle whose set-up holds a name the office's CSV check
# refuses (a control character, not UTF-8) is refused whole, naming the
# bundle and the name, the laptop unchanged; `khaosat setup` shows names
# escaped.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
WHY="the set-up of this laptop comes from its office: ask the office to change it (khaosat setup there), then merge the office's bundle here (khaosat merge)"

printf 'code,name\n06,Thôn Sáu\nA1,Thôn Mới\n' >"$TMP/v.csv"
printf 'village,number,head\n06,1,An\nA1,5,Cường\n' >"$TMP/h.csv"
printf 'village,number,head\n06,1,An\nA1,9,Hộ Thêm\n' >"$TMP/h2.csv"

# refused WHAT ARGS...: khaosat setup ARGS on the laptop is refused with
# the reason, its database unchanged.
refused() {
    rf_what=$1
    shift
    rf_before=$(db_digest "$A")
    run "$K" setup --db "$A" --forms "$FORMS" "$@"
    expect_status 1
    expect_err_contains "khaosat setup: $WHY"
    expect_same "$A" "$rf_before" "$rf_what on the laptop"
}

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 3 >/dev/null 2>&1
office_pair office A

# Trusting its office is enough, before any set-up came down.
refused "setup villages (before any set-up)" villages "$TMP/v.csv"

run "$K" setup --db "$O" commune --code 00004 --name "Xã Hòa Bình" --province 01 --forms "$FORMS"
expect_status 0
run "$K" setup --db "$O" villages "$TMP/v.csv"
expect_status 0
run "$K" setup --db "$O" households "$TMP/h.csv"
expect_status 0
mkdir -p "$TMP/down"
run "$K" export --db "$O" --down --to "$TMP/down"
expect_status 0
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0

refused "setup villages" villages "$TMP/v.csv"
refused "setup households" households "$TMP/h2.csv"
refused "setup assign" assign 06 "Người Khác"
refused "setup commune" commune --code 00005 --name "Xã Khác" --province 01
# The file is not even read: a missing one gets the same answer.
refused "setup villages (missing file)" villages "$TMP/none.csv"

# Listing stays allowed and shows the office's set-up.
run "$K" setup --db "$A"
expect_status 0
expect_out_contains "commune 00004 Xã Hòa Bình, province 01"
expect_out_contains "A1	Thôn Mới		1"

# bad_down WHAT SQL WANT: the office's set-up changed by SQL behind its
# checks, written down; the laptop refuses the bundle with WANT, naming
# it, and nothing changes on it.
bad_down() {
    cp "$O" "$TMP/bad.db"
    sqlite3 "$TMP/bad.db" "$2"
    rm -rf "$TMP/bad"
    mkdir -p "$TMP/bad"
    run "$K" export --db "$TMP/bad.db" --down --to "$TMP/bad"
    expect_status 0
    bd=$(cat "$TMP/out")
    bd_before=$(db_digest "$A")
    run "$K" merge --db "$A" "$bd"
    expect_status 1
    expect_err_contains "khaosat merge: $bd: inside the sealed bundle: $3"
    expect_err_contains "is not plain UTF-8 text (a control character, a byte-order mark or another encoding), which the office's set-up never holds; ask the office to correct it and write the bundle again (khaosat export --down); not merged"
    expect_same "$A" "$bd_before" "a bundle with $1"
}
bad_down "an escape in a village's name" \
    "INSERT INTO villages VALUES ('Z9', 'Evil' || char(27) || '[2J' || char(10) || 'x', NULL)" \
    'the name of village Z9 "Evil\x1b[2J\x0ax"'
bad_down "an enumerator not in UTF-8" \
    "UPDATE villages SET enumerator = CAST(X'4EC328' AS TEXT) WHERE code = '06'" \
    'the enumerator of village 06'
bad_down "a byte-order mark in a head's name" \
    "UPDATE households SET head = char(65279) || 'An' WHERE village = '06'" \
    'the head of household (village/number) 06/1'
bad_down "a control character in the commune's name" \
    "UPDATE settings SET value = 'Xã' || char(7) WHERE key = 'setup_commune_name'" \
    "the commune's name"

# Names shown by `khaosat setup` are escaped (an older laptop may hold
# what it took before this check).
sqlite3 "$A" "UPDATE villages SET name = 'Bad' || char(27) || '[2Jx' WHERE code = '06'"
run "$K" setup --db "$A"
expect_status 0
ks_checks=$((ks_checks + 1))
if grep -q "$(printf '\033')" "$TMP/out"; then fail "setup printed a raw escape"; fi


# A laptop whose set-up came down keeps refusing after its office card is
# revoked (the set-up's origin is kept).
sqlite3 "$A" "UPDATE trusted SET revoked = '2026-01-01T00:00:00Z' WHERE purpose = 'upstream'"
sqlite3 "$A" "DELETE FROM settings WHERE key = 'role'"
refused "setup households (office card revoked)" households "$TMP/h2.csv"

# The office changes its own set-up (it trusts no upstream office here).
run "$K" setup --db "$O" households "$TMP/h2.csv"
expect_status 0
run "$K" setup --db "$O" assign 06 "Người Khác"
expect_status 0

finish
