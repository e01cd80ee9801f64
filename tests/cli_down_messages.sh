#!/bin/sh
# What a laptop is told about a downstream bundle.  The first one from
# the office counts the form versions it installs and lists exactly those
# (not a version the laptop had already).  A downstream bundle with one
# byte changed is refused, the laptop unchanged, with the command that
# writes it again (khaosat export --down, not the upstream export), the
# second time too; the undamaged bundle then merges.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 81 >/dev/null
office_pair office A
V=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")

# A damaged copy of the office's bundle: one byte near its end flipped.
mkdir -p "$TMP/down" "$TMP/bad"
run "$K" export --db "$O" --down --to "$TMP/down" --forms "$FORMS"
expect_status 0
D=$(cat "$TMP/out")
cp "$D" "$TMP/bad/"
BAD="$TMP/bad/$(basename "$D")"
size=$(wc -c <"$BAD")
at=$((size - 40))
b=$(od -An -tu1 -j "$at" -N1 "$BAD" | tr -d ' ')
printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" |
    dd of="$BAD" bs=1 seek="$at" conv=notrunc 2>/dev/null
ks_checks=$((ks_checks + 1))
cmp -s "$D" "$BAD" && fail "the copy was not damaged"
before=$(db_digest "$A")
for pass in 1 2; do
    run "$K" merge --db "$A" "$BAD"
    expect_status 1
    expect_err_contains "ask the sender to export it again ('khaosat export --down')"
    ks_checks=$((ks_checks + 1))
    grep -qF "export --all" "$TMP/err" && fail "the upstream command offered: $(cat "$TMP/err")"
    expect_same "$A" "$before" "a damaged downstream bundle (pass $pass)"
done

# The bundle itself: the forms the laptop lacked are new, counted and
# listed; the household version it had is neither.
new=$(ls "$FORMS"/*.yaml | grep -cv 'report\.yaml$')
new=$((new - 1))
run "$K" merge --db "$A" "$D"
expect_status 0
expect_out_contains "$new new form version(s)"
ks_checks=$((ks_checks + 1))
listed=$(sed -n '/form versions:/,/^[^ ]*[^>]*$/p' "$TMP/out" | grep -c -- ' -> ')
[ "$listed" = "$new" ] || fail "$new new form version(s), $listed listed: $(cat "$TMP/out")"
ks_checks=$((ks_checks + 1))
grep -q "^household -> $V" "$TMP/out" && fail "the version the laptop had is listed as new: $(cat "$TMP/out")"
# Merged again: nothing changes.
before=$(db_digest "$A")
run "$K" merge --db "$A" "$D"
expect_status 0
expect_out_contains "already taken; nothing changed"
expect_same "$A" "$before" "the downstream bundle merged again"
finish
