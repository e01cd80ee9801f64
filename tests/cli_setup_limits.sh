#!/bin/sh
# The office's set-up files are held to what the laptops accept, each
# refusal naming file:line with the database unchanged: a village name
# longer than a laptop takes, more villages than a laptop takes, a file
# with only its header (which would have emptied every laptop's set-up),
# bytes that are not UTF-8, a NUL, control characters (ESC, BEL), a
# byte-order mark inside a name, a code with a new line (shown escaped).
# A leading byte-order mark is skipped; names are kept in NFC.  The most
# villages a laptop takes load, and a repeated code far down such a list
# is found (by sorting: n log n, not n squared).
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
O="$TMP/office.db"

run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
expect_status 0
printf '\357\273\277code,name\nT1,Thôn Một\nT2,Thôn Hai\n' > "$TMP/v.csv"
run "$K" setup --db "$O" villages "$TMP/v.csv"
expect_status 0

refused() {  # FILE MESSAGE: refused with MESSAGE, nothing changed
    before=$(db_digest "$O")
    run "$K" setup --db "$O" villages "$1"
    expect_status 1
    expect_err_contains "$2"
    [ "$(db_digest "$O")" = "$before" ] || fail "$1 changed the office"
    grep -q "$(printf '\033')" "$TMP/err" && fail "ESC reached the terminal"
    return 0
}

long=$(head -c 201 /dev/zero | tr '\0' 'a')
printf 'code,name\nT1,Thôn Một\nT2,%s\n' "$long" > "$TMP/long.csv"
refused "$TMP/long.csv" "long.csv:3: village T2: a name of more than 200 bytes, which the laptops refuse; shorten it"
awk 'BEGIN { print "code,name"; for (i = 1; i <= 10001; i++) printf "V%d,Thôn %d\n", i, i }' > "$TMP/many.csv"
refused "$TMP/many.csv" "many.csv: 10001 villages, more than the 10000 the laptops accept"
printf 'code,name\n' > "$TMP/header.csv"
refused "$TMP/header.csv" "header.csv: no villages in the file (only its header); the set-up keeps its villages"
printf 'code,name\nT1,Th\364n M\364t\n' > "$TMP/latin1.csv"
refused "$TMP/latin1.csv" 'latin1.csv:2: field 2 "Th\xf4n M\xf4t" is not plain UTF-8 text'
printf 'code,name\nT1,Thôn\000Một\n' > "$TMP/nul.csv"
refused "$TMP/nul.csv" "nul.csv:2: a NUL byte; save the file as CSV UTF-8"
printf 'code,name\nT1,Thôn\033[31mMột\n' > "$TMP/esc.csv"
refused "$TMP/esc.csv" 'esc.csv:2: field 2 "Thôn\x1b[31mMột" is not plain UTF-8 text'
printf 'code,name\nT1,Thôn\007Một\n' > "$TMP/bel.csv"
refused "$TMP/bel.csv" 'bel.csv:2: field 2 "Thôn\x07Một"'
printf 'code,name\nT1,Thôn\357\273\277Một\n' > "$TMP/bom.csv"
refused "$TMP/bom.csv" "bom.csv:2: field 2"
printf 'code,name\n"T\n1",Thôn Một\n' > "$TMP/nl.csv"
refused "$TMP/nl.csv" 'nl.csv:2: field 1 "T\x0a1"'

# Names kept in NFC: "Thôn Một" typed decomposed.
printf 'code,name\nT1,Tho\314\202n Mo\314\202\314\243t\n' > "$TMP/nfd.csv"
run "$K" setup --db "$O" villages "$TMP/nfd.csv"
expect_status 0
[ "$(sqlite3 "$O" "SELECT hex(name) FROM villages WHERE code = 'T1'")" = \
  "$(printf 'Thôn Một' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ] ||
    fail "the name is not kept in NFC"

# 10000 villages (the most a laptop takes) load.
awk 'BEGIN { print "code,name"; for (i = 1; i <= 10000; i++) printf "V%d,Thôn %d\n", i, i }' > "$TMP/max.csv"
run "$K" setup --db "$O" villages "$TMP/max.csv"
expect_status 0
expect_err_contains "10000 villages"
# A repeated code far down a long list is still found, naming both lines.
awk 'BEGIN { print "code,name"; for (i = 1; i <= 9999; i++) printf "V%d,Thôn %d\n", i, i; print "V5,Again" }' > "$TMP/dup.csv"
before=$(db_digest "$O")
run "$K" setup --db "$O" villages "$TMP/dup.csv"
expect_status 1
expect_err_contains "dup.csv:10001: village code V5 is already used on line 6; codes must be unique"
[ "$(db_digest "$O")" = "$before" ] || fail "a repeated code changed the office"

finish
