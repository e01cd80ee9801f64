#!/bin/sh
# Merging the same bundles again: a file merged before is known by the
# hash of its bytes (BLAKE2b-256, as b2sum -l 256 computes it) and told
# "already merged on DATE" without being checked again, plain or sealed,
# the database left byte for byte as it was; another file of the same
# bundle (unpacked, changed, cut) is still checked whole, and merged or
# refused as before.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
command -v b2sum >/dev/null 2>&1 || { echo "b2sum missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
mkdir -p "$TMP/usb" "$TMP/other"
# hash FILE: the file's BLAKE2b-256, as khaosat records it.
hash() { b2sum -l 256 "$1" | cut -d' ' -f1; }
# merged_at DB FILE: when the bundle recorded for FILE's bytes was merged.
merged_at() {
    sqlite3 "$1" "SELECT merged FROM bundles WHERE file_hash = '$(hash "$2")'"
}

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
laptop C "Trần Cường" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 3 --seed 31 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 2 --seed 32 >/dev/null
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 2 --seed 33 >/dev/null
bA=$("$K" export --db "$TMP/A.db" --to "$TMP/usb" 2>/dev/null)
bB=$("$K" export --db "$TMP/B.db" --to "$TMP/usb" 2>/dev/null)
bC=$("$K" export --db "$TMP/C.db" --to "$TMP/other" 2>/dev/null)

# The first merge records each file's hash with the bundle.
run "$K" merge --db "$O" "$TMP/usb"
expect_status 0
expect_out_contains "$bA: added 3,"
expect_out_contains "$bB: added 2,"
for b in "$bA" "$bB"; do
    [ -n "$(merged_at "$O" "$b")" ] || fail "no hash recorded for $b"
done

# Again: every file known by its bytes, nothing written.
before=$(db_digest "$O")
bytes=$(sha256sum <"$O")
run "$K" merge --db "$O" "$TMP/usb"
expect_status 0
expect_out_contains "$bA: already merged on $(merged_at "$O" "$bA"); nothing changed"
expect_out_contains "$bB: already merged on $(merged_at "$O" "$bB"); nothing changed"
[ "$(wc -l <"$TMP/out")" -eq 2 ] || fail "more than two lines: $(cat "$TMP/out")"
expect_same "$O" "$before" "merging the same bundles again"
[ "$(sha256sum <"$O")" = "$bytes" ] || fail "the database file changed on the second merge"

# A copy under another name is the same bytes.
cp "$bA" "$TMP/other/copyA.khb"
run "$K" merge --db "$O" "$TMP/other/copyA.khb"
expect_status 0
expect_out "$TMP/other/copyA.khb: already merged on $(merged_at "$O" "$bA"); nothing changed"

# The same bundle unpacked: another file, checked whole and recognised by
# its UUID and content.
unpack "$TMP/other/copyA.khb"
[ "$(hash "$TMP/other/copyA.khb")" != "$(hash "$bA")" ] || fail "unpacking changed nothing"
run "$K" merge --db "$O" "$TMP/other/copyA.khb"
expect_status 0
expect_out "$TMP/other/copyA.khb: already merged on $(merged_at "$O" "$bA"); nothing changed"
expect_same "$O" "$before" "the same bundle unpacked"

# The same bundle with an answer changed: checked whole and refused.
sqlite3 "$TMP/other/copyA.khb" "UPDATE items SET value = value || 'X' WHERE qid = (SELECT min(qid) FROM items WHERE qid <> '')"
run "$K" merge --db "$O" "$TMP/other/copyA.khb"
expect_status 1
expect_err_contains "$TMP/other/copyA.khb: revision "
expect_err_contains "does not match its content; not merged"
expect_same "$O" "$before" "a changed copy of a merged bundle"

# The compressed file cut short, or one byte more: refused.
size=$(wc -c <"$bB")
head -c $((size - 1)) "$bB" >"$TMP/other/cut.khb"
cp "$bB" "$TMP/other/longer.khb"
printf 'x' >>"$TMP/other/longer.khb"
for f in cut longer; do
    run "$K" merge --db "$O" "$TMP/other/$f.khb"
    expect_status 1
    expect_err_contains "$TMP/other/$f.khb: "
    expect_same "$O" "$before" "a $f copy of a merged bundle"
done

# A bundle not merged yet, unpacked first: merged as before; its
# compressed file then is another file of a bundle merged before.
cp "$bC" "$TMP/other/plainC.khb"
unpack "$TMP/other/plainC.khb"
run "$K" merge --db "$O" "$TMP/other/plainC.khb"
expect_status 0
expect_out_contains "plainC.khb: added 2,"
run "$K" merge --db "$O" "$bC"
expect_status 0
expect_out "$bC: already merged on $(merged_at "$O" "$TMP/other/plainC.khb"); nothing changed"

# Sealed bundles: the file as it is on the stick is what is hashed.
S="$TMP/sealed.db"
"$K" keys export --db "$S" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$TMP/A.db" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$TMP/A.db" "$TMP/office.card" --yes >/dev/null
"$K" keys trust --db "$S" "$TMP/A.card" --yes >/dev/null
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 34 >/dev/null
mkdir -p "$TMP/sealed"
sA=$("$K" export --db "$TMP/A.db" --to "$TMP/sealed" 2>/dev/null)
head -c 22 "$sA" | grep -q "khaosat sealed bundle" || fail "$sA is not sealed"
run "$K" merge --db "$S" "$sA"
expect_status 0
expect_out_contains "$sA: added 1,"
[ -n "$(merged_at "$S" "$sA")" ] || fail "no hash recorded for the sealed $sA"
before=$(db_digest "$S")
bytes=$(sha256sum <"$S")
run "$K" merge --db "$S" "$sA"
expect_status 0
expect_out "$sA: already merged on $(merged_at "$S" "$sA"); nothing changed"
expect_same "$S" "$before" "the same sealed bundle again"
[ "$(sha256sum <"$S")" = "$bytes" ] || fail "the sealed office's file changed"
# One byte of the sealed file changed: another file, refused.
size=$(wc -c <"$sA")
cp "$sA" "$TMP/sealed/altered.khb"
printf 'X' | dd of="$TMP/sealed/altered.khb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cmp -s "$sA" "$TMP/sealed/altered.khb" && printf 'Y' | dd of="$TMP/sealed/altered.khb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run "$K" merge --db "$S" "$TMP/sealed/altered.khb"
expect_status 1
expect_err_contains "signature does not match"
expect_same "$S" "$before" "an altered sealed bundle"

# A plain bundle this sealed-only office took once when told to: the same
# file again is merged before (nothing of it is taken again), while a new
# plain one is still refused.
run "$K" merge --db "$S" --allow-unsigned "$bB"
expect_status 0
expect_out_contains "$bB: added 2,"
before=$(db_digest "$S")
run "$K" merge --db "$S" "$bB"
expect_status 0
expect_out "$bB: already merged on $(merged_at "$S" "$bB"); nothing changed"
run "$K" merge --db "$S" "$TMP/other/plainC.khb"
expect_status 1
expect_err_contains "unsigned bundle"
expect_same "$S" "$before" "plain bundles at a sealed-only office"

finish
