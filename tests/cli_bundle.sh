#!/bin/sh
# Sync bundles, the whole loop: three laptops export, the commune office
# merges, two laptops edit the same interview, the conflict is listed and
# resolved, a duplicate household is flagged, two communes go up to the
# province; and every kind of bad bundle is refused with the office
# database left exactly as it was.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
# field DB UUID QID: one stored top-level answer.
field() {
    sqlite3 "$1" "SELECT value FROM answers WHERE interview = '$2' AND qid = '$3' AND path = ''"
}
mkdir -p "$TMP/usbA" "$TMP/usbB" "$TMP/usbC" "$TMP/usbD" "$TMP/office" "$TMP/up1" "$TMP/up2"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
laptop C "Trần Cường" "Xã Đông Hòa"
laptop D "Phạm Dũng" "Xã Tây Sơn"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 4 --seed 11 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 3 --seed 12 >/dev/null
# Laptop C interviews the same household as A's first (same seed: same key).
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 1 --seed 11 >/dev/null
"$K" simulate --db "$TMP/D.db" --forms "$FORMS" --form household --count 2 --seed 14 >/dev/null
# A draft stays home unless asked for.
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 15 --drafts >/dev/null

# Export: one new file per laptop, named safely, verified.
run "$K" export --db "$TMP/A.db" --to "$TMP/usbA"
expect_status 0
bA=$(cat "$TMP/out")
case "$(basename "$bA")" in
    Xa-Dong-Hoa_Nguyen-Van-An_*_*Z_*.khb) ;;
    *) fail "unexpected bundle name $bA" ;;
esac
case "$(basename "$bA")" in *[!A-Za-z0-9._-]*) fail "unsafe name $bA" ;; esac
expect_err_contains "4 interviews"
# Compressed (a zstd frame); bundle dump gives back the SQLite file,
# which the stock sqlite3 reads, and so does zstd -d.
[ "$(head -c 4 "$bA" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] ||
    fail "the bundle is not a zstd frame"
run "$K" bundle dump "$bA" "$TMP/bA.sqlite"
expect_status 0
expect_err_contains "verified"
[ "$(sqlite3 "$TMP/bA.sqlite" "SELECT value FROM manifest WHERE key = 'interviews'")" = 4 ] ||
    fail "the manifest does not count 4 interviews"
[ "$(stat -c %a "$TMP/bA.sqlite")" = 600 ] || fail "the dumped file is readable by others"
[ "$(bundle_sql "$bA" "SELECT count(*) FROM items")" = \
  "$(sqlite3 "$TMP/bA.sqlite" "SELECT count(*) FROM items")" ] ||
    fail "zstd -d and bundle dump give different files"
"$K" bundle dump "$bA" > "$TMP/bA2.sqlite" || fail "bundle dump to stdout failed"
cmp -s "$TMP/bA.sqlite" "$TMP/bA2.sqlite" || fail "bundle dump to stdout differs"
run "$K" bundle dump "$bA" "$TMP/bA.sqlite"
expect_status 1
expect_err_contains "already exists"
# A directory for the output: said so, with what to give instead.
mkdir -p "$TMP/adir"
run "$K" bundle dump "$bA" "$TMP/adir"
expect_status 1
expect_err_contains "$TMP/adir: a directory: give the name of the file to write"
run env LANGUAGE=vi "$K" bundle dump "$bA" "$TMP/adir"
expect_err_contains "là một thư mục"
[ -z "$(ls -A "$TMP/adir")" ] || fail "a refused dump wrote into the directory"
# The decrypted temporary of a killed dump is removed by the next dump.
mkdir -p "$TMP/dumps"
head -c 4096 /dev/urandom > "$TMP/dumps/.khaosat-Ab12Cd.tmp"
run "$K" bundle dump "$bA" "$TMP/dumps/a.sqlite"
expect_status 0
[ "$(ls -A "$TMP/dumps")" = a.sqlite ] || fail "a killed dump's temporary was left: $(ls -A "$TMP/dumps")"
[ -z "$(ls -A "$TMP/usbA" | grep -v '\.khb$')" ] || fail "temporary files left on the stick"
run "$K" export --db "$TMP/A.db" --to "$TMP/usbA"
expect_status 0
expect_out ""
expect_err_contains "no interviews to export"
bB=$("$K" export --db "$TMP/B.db" --to "$TMP/usbB" 2>/dev/null)
bC=$("$K" export --db "$TMP/C.db" --to "$TMP/usbC" 2>/dev/null)
bD=$("$K" export --db "$TMP/D.db" --to "$TMP/usbD" 2>/dev/null)
run "$K" verify "$bA" "$bB"
expect_status 0
expect_out_contains "ok: format 7, 4 interviews"

# Forms are the office's: a bundle of a form version the office neither
# keeps nor has in its forms directory (here an office whose forms
# directory lacks the household form) is held aside, naming the bundle and
# the form, until the supervisor accepts the form.
O="$TMP/office.db"
mkdir "$TMP/otherforms"
cp "$FORMS/commune.yaml" "$TMP/otherforms/"
FV=$(bundle_sql "$bA" "SELECT version FROM forms WHERE form_id = 'household'")
run "$K" merge --db "$O" --forms "$TMP/otherforms" "$bA"
expect_status 1
expect_err_contains "$bA: form \"household\" version \"$FV\" is not one of this database's forms; the bundle is held aside, nothing merged"
expect_err_contains "khaosat forms accept $bA"
# Nothing taken in: the office it would have started is not left behind.
expect_err_contains "the new database $O was removed again"
[ ! -e "$O" ] || fail "a held bundle left an office database"
run "$K" forms accept --db "$O" "$bA"
expect_status 0
expect_out_contains "$bA: form household version $FV (SHA-256 "
expect_out_contains "): accepted"
run "$K" forms accept --db "$O" "$bA"
expect_status 0
expect_out_contains "already one of this database's forms"

# The commune office merges everything; C's interview is A's household.
run "$K" merge --db "$O" "$bA" "$TMP/usbB" "$bC"
expect_status 0
expect_out_contains "$bA: added 4, updated 0, unchanged 0, conflicts 0, duplicates 0"
expect_out_contains "$bB: added 3, updated 0, unchanged 0, conflicts 0, duplicates 0"
expect_out_contains "$bC: added 1, updated 0, unchanged 0, conflicts 0, duplicates 1"
run "$K" duplicates --db "$O"
expect_status 0
expect_out_contains "household village="
expect_out_contains ", by Trần Cường on device"
run "$K" merge --db "$O" "$bA"
expect_out "$bA: already merged on $(sqlite3 "$O" "SELECT merged FROM bundles WHERE file = '$bA'"); nothing changed"
[ "$(sqlite3 "$O" "SELECT count(*) FROM interviews")" = 8 ] || fail "office should hold 8 interviews"

# Laptop B takes A's interviews; both edit the same one.
"$K" merge --db "$TMP/B.db" "$bA" >/dev/null
U=$(sqlite3 "$TMP/A.db" "SELECT uuid FROM interviews WHERE status = 'complete' ORDER BY uuid LIMIT 1")
base=$(field "$O" "$U" head_name)
run "$K" answer --db "$TMP/A.db" "$U" head_name "Tran Van Mot"
expect_status 0
expect_err_contains "is a draft again"
run "$K" answer --db "$TMP/A.db" "$U" hh_no "abc"
expect_status 1
expect_err_contains "hh_no of interview $U"
run "$K" finalise --db "$TMP/A.db" "$U"
expect_status 0
"$K" answer --db "$TMP/B.db" "$U" head_name "Le Van Hai" 2>/dev/null || fail "answer on B"
"$K" answer --db "$TMP/B.db" "$U" village_name "Thon Moi" 2>/dev/null || fail "answer on B"
"$K" finalise --db "$TMP/B.db" "$U" >/dev/null || fail "finalise on B"
run "$K" export --db "$TMP/A.db" --to "$TMP/usbA"
expect_err_contains "1 interviews"
bA2=$(cat "$TMP/out")
bB2=$("$K" export --db "$TMP/B.db" --to "$TMP/usbB" 2>/dev/null)
run "$K" merge --db "$O" "$bA2" "$bB2"
expect_status 0
expect_out_contains "$bA2: added 0, updated 1, unchanged 0, conflicts 0"
expect_out_contains "$bB2: added 0, updated 1, unchanged 3, conflicts 1"
[ "$(field "$O" "$U" village_name)" = "Thon Moi" ] || fail "the one-sided change was not taken"
[ "$(field "$O" "$U" head_name)" = "Tran Van Mot" ] || fail "the conflict changed the office value"
run "$K" conflicts --db "$O"
expect_status 0
expect_out_contains "$U head_name: mine \"Tran Van Mot\" (by Nguyễn Văn An"
expect_out_contains "theirs \"Le Van Hai\" (by Lê Thị Bình"
expect_out_contains "before both \"$base\""
run "$K" resolve --db "$O" "$U" head_name --mine --theirs
expect_status 2
run "$K" resolve --db "$O" "$U" head_name --take "Le Van Hai Mot"
expect_status 0
expect_out_contains "now \"Le Van Hai Mot\""
[ "$(field "$O" "$U" head_name)" = "Le Van Hai Mot" ] || fail "resolve did not set the value"
run "$K" conflicts --db "$O"
expect_out ""
run "$K" resolve --db "$O" "$U" head_name --theirs
expect_status 1
expect_err_contains "no unresolved conflict"
# Provenance: every revision says who made it and which bundle brought it.
n=$(sqlite3 "$O" "SELECT count(*) FROM revisions WHERE interview = '$U' AND bundle IS NOT NULL")
[ "$n" -ge 3 ] || fail "revisions of $U lack their bundle ($n)"

# District: two communes' offices send their merged data up.
"$K" forms accept --db "$TMP/office2.db" "$bD" >/dev/null
"$K" merge --db "$TMP/office2.db" "$bD" >/dev/null
sqlite3 "$O" "INSERT INTO settings VALUES ('commune', 'Xã Đông Hòa');"
up1=$("$K" export --db "$O" --to "$TMP/up1" 2>/dev/null)
up2=$("$K" export --db "$TMP/office2.db" --to "$TMP/up2" 2>/dev/null)
[ -n "$up1" ] && [ -n "$up2" ] || fail "offices did not export"
"$K" forms accept --db "$TMP/province.db" "$up1" "$up2" >/dev/null
run "$K" merge --db "$TMP/province.db" "$TMP/up1" "$TMP/up2"
expect_status 0
expect_out_contains "added 8,"
expect_out_contains "added 2,"
[ "$(field "$TMP/province.db" "$U" head_name)" = "Le Van Hai Mot" ] || fail "province lost the resolution"
devs=$(sqlite3 "$TMP/province.db" "SELECT count(DISTINCT device) FROM revisions")
[ "$devs" -ge 5 ] || fail "province lost the devices of the revisions ($devs)"
run "$K" duplicates --db "$TMP/province.db"
expect_out_contains "household village="

# Bad bundles: each refused, naming the file and the reason, and the office
# database unchanged.
bad() {   # bad FILE REASON
    before=$(db_digest "$O")
    run "$K" merge --db "$O" "$1"
    expect_status 1
    expect_err_contains "$1"
    expect_err_contains "$2"
    [ "$(db_digest "$O")" = "$before" ] || fail "a refused bundle changed the office database ($1)"
    run "$K" verify "$1"
    expect_status 1
    expect_err_contains "$2"
}
freshz=$("$K" export --db "$TMP/D.db" --to "$TMP/usbD" --all 2>/dev/null)
# A compressed frame cut short, or with one byte changed: refused before
# SQLite sees it.
size=$(wc -c < "$freshz")
head -c $((size / 2)) "$freshz" > "$TMP/truncated.khb"
bad "$TMP/truncated.khb" "damaged compressed bundle"
cp "$freshz" "$TMP/corrupt.khb"
off=$((size / 2))
byte=$(dd if="$freshz" bs=1 skip="$off" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 16)))" |
    dd of="$TMP/corrupt.khb" bs=1 seek="$off" conv=notrunc 2>/dev/null
bad "$TMP/corrupt.khb" "damaged compressed bundle"
# Decompression bombs: a frame whose header claims 4 GiB (refused before
# anything is unpacked), and one that does not say its size but unpacks
# to far more than a bundle of its size can hold (refused at the bound).
printf '\050\265\057\375\340\000\000\000\000\001\000\000\000\013\000\000x' \
    > "$TMP/claims.khb"
bad "$TMP/claims.khb" "unpacks to 4294967296 bytes, more than the 1073741824 (1 GiB) a bundle may hold"
bad "$TMP/claims.khb" "a decompression bomb"
zstd -q -d -c "$freshz" > "$TMP/in.sqlite"
isize=$(wc -c < "$TMP/in.sqlite")
# A SQLite header that says 2 GiB (524,288 pages of 4 KiB) in a small
# frame without its size: refused before the image is allocated.
{ head -c 28 "$TMP/in.sqlite"; printf '\000\010\000\000'
  tail -c +33 "$TMP/in.sqlite"; } | zstd -q -c > "$TMP/bomb.khb"
bad "$TMP/bomb.khb" "a decompression bomb"
bad "$TMP/bomb.khb" "unpacks to 2147483648 bytes"
# One that says 256 MiB (65,536 pages), within the limit, but holds far
# less: memory is taken as the frame unpacks, so it costs what it holds.
{ head -c 28 "$TMP/in.sqlite"; printf '\000\001\000\000'
  tail -c +33 "$TMP/in.sqlite"; } | zstd -q -c > "$TMP/liar.khb"
bad "$TMP/liar.khb" "holds less than its SQLite database says"
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$TMP/rss" "$K" verify "$TMP/liar.khb" 2>/dev/null
    [ "$(tail -n 1 "$TMP/rss")" -lt 100000 ] ||
        fail "a frame claiming 256 MiB took $(tail -n 1 "$TMP/rss") KB"
fi
# A valid image padded past its SQLite length (the padding costs memory,
# not a bigger file): refused whether the frame says its size or not.
{ cat "$TMP/in.sqlite"; head -c 3000000 /dev/zero; } |
    zstd -q -c --stream-size=$((isize + 3000000)) > "$TMP/padsized.khb"
bad "$TMP/padsized.khb" "says $((isize + 3000000)) bytes but whose SQLite database has $isize"
{ cat "$TMP/in.sqlite"; head -c 3000000 /dev/zero; } | zstd -q -c > "$TMP/padpipe.khb"
bad "$TMP/padpipe.khb" "holds more than its SQLite database"
run env LANGUAGE=vi "$K" verify "$TMP/padpipe.khb"
expect_status 1
expect_err_contains "sao chép lại gói từ máy tính xách tay"
head -c 5000 "$TMP/in.sqlite" | zstd -q -c > "$TMP/shortimg.khb"
bad "$TMP/shortimg.khb" "holds less than its SQLite database says"
# Damage says what to do, in the user's language, not zstd's English.
run env LANGUAGE=vi "$K" verify "$TMP/corrupt.khb"
expect_status 1
case "$(cat "$TMP/err")" in
    *"Data corruption"*|*"checksum"*|*"Src size"*) fail "zstd's English in a Vietnamese refusal" ;;
esac
expect_err_contains "khaosat export --all"
# A frame made with a window larger than khaosat reads: says so and how
# to get a bundle it reads.
zstd -q -c --long=30 < "$TMP/in.sqlite" > "$TMP/long.khb"
bad "$TMP/long.khb" "needs a zstd window larger than the 128 MiB khaosat accepts"
zstd -q -d --long=31 -c "$TMP/long.khb" > "$TMP/long.sqlite"
run "$K" verify "$TMP/long.sqlite"
expect_status 0
# A frame without its size (zstd reading a pipe) is read like one with.
zstd -q -c < "$TMP/in.sqlite" > "$TMP/piped.khb"
run "$K" verify "$TMP/piped.khb"
expect_status 0
# The same bundle without its compression is still a bundle (zstd -d).
fresh="$TMP/fresh.khb"
cp "$freshz" "$fresh"
unpack "$fresh"
run "$K" verify "$fresh"
expect_status 0
size=$(wc -c < "$fresh")
head -c $((size / 2)) "$fresh" > "$TMP/truncated.khb"
bad "$TMP/truncated.khb" "damaged"
: > "$TMP/empty.khb"
bad "$TMP/empty.khb" "empty file"
head -c 8192 /dev/urandom > "$TMP/random.khb"
bad "$TMP/random.khb" "not a khaosat bundle"
cp "$fresh" "$TMP/newer.khb"
sqlite3 "$TMP/newer.khb" "PRAGMA user_version = 8"
bad "$TMP/newer.khb" "made by a newer khaosat (bundle format 8)"
cp "$fresh" "$TMP/edited.khb"
sqlite3 "$TMP/edited.khb" "UPDATE interviews SET enumerator = 'someone else'"
bad "$TMP/edited.khb" "does not match the manifest's SHA-256"
cp "$fresh" "$TMP/answer.khb"
sqlite3 "$TMP/answer.khb" "UPDATE items SET value = value || '0' WHERE qid = 'hh_no'"
bad "$TMP/answer.khb" "does not match its content"
cp "$fresh" "$TMP/trigger.khb"
sqlite3 "$TMP/trigger.khb" "CREATE TRIGGER t AFTER INSERT ON forms BEGIN SELECT 1; END"
bad "$TMP/trigger.khb" "unexpected trigger"
cp "$fresh" "$TMP/view.khb"
sqlite3 "$TMP/view.khb" "CREATE VIEW v AS SELECT * FROM items"
bad "$TMP/view.khb" "unexpected view"
cp "$fresh" "$TMP/noform.khb"
sqlite3 "$TMP/noform.khb" "DELETE FROM forms"
bad "$TMP/noform.khb" "table forms has 0 rows but the manifest says 1"
# A bundle whose SQLite file was switched to WAL mode (all its pages are
# in the file) is read as it was made.
cp "$fresh" "$TMP/wal.khb"
sqlite3 "$TMP/wal.khb" "PRAGMA journal_mode = WAL" >/dev/null
[ "$(od -An -tu1 -j18 -N2 "$TMP/wal.khb" | tr -s ' ')" = " 2 2" ] || fail "the test's bundle is not in WAL mode"
run "$K" verify "$TMP/wal.khb"
expect_status 0
expect_out_contains "ok: format 7"
# SQLite's own report of a damaged file comes as one line, with what to do.
cp "$fresh" "$TMP/unused.khb"
pages=$(sqlite3 "$TMP/unused.khb" "PRAGMA page_count")
sqlite3 "$TMP/unused.khb" "PRAGMA page_size" >/dev/null
printf "$(printf '\\%03o' $(((pages + 1) / 256 % 256)))$(printf '\\%03o' $(((pages + 1) % 256)))" |
    dd of="$TMP/unused.khb" bs=1 seek=30 conv=notrunc 2>/dev/null
psize=$(sqlite3 "$fresh" "PRAGMA page_size")
head -c "$psize" /dev/zero >> "$TMP/unused.khb"
bad "$TMP/unused.khb" "damaged (truncated or altered): SQLite finds"
expect_err_contains "copy the bundle again from the laptop"
[ "$(wc -l < "$TMP/err")" = 1 ] || fail "the refusal spans lines: $(cat "$TMP/err")"
# One flipped bit inside an answer.
cp "$fresh" "$TMP/flipped.khb"
v=$(sqlite3 "$fresh" "SELECT value FROM items WHERE qid = 'head_name' LIMIT 1")
off=$(grep -abo "$v" "$fresh" | head -1 | cut -d: -f1)
[ -n "$off" ] || fail "no answer text found in the bundle"
byte=$(dd if="$fresh" bs=1 skip="$off" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 1)))" |
    dd of="$TMP/flipped.khb" bs=1 seek="$off" conv=notrunc 2>/dev/null
cmp -s "$fresh" "$TMP/flipped.khb" && fail "the bit was not flipped"
bad "$TMP/flipped.khb" "$TMP/flipped.khb"

# A merge killed half-way changes nothing; run again, it completes.
more=$(ls "$TMP"/usbD/*.khb | head -1)
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 4 --seed 21 >/dev/null
bB3=$("$K" export --db "$TMP/B.db" --to "$TMP/usbB" 2>/dev/null)
before=$(db_digest "$O")
run env KHAOSAT_TEST_ABORT_AFTER=2 "$K" merge --db "$O" "$bB3"
[ "$status" -ne 0 ] || fail "the test hook did not kill the merge"
[ "$(db_digest "$O")" = "$before" ] || fail "a killed merge changed the office database"
run "$K" merge --db "$O" "$bB3"
expect_status 0
expect_out_contains "added 4,"

# Export to a full stick: refused cleanly, nothing left that looks like a
# bundle, the laptop's database unchanged and the interviews still to send.
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 20 --seed 31 >/dev/null
before=$(db_digest "$TMP/C.db")
mkdir "$TMP/full"
run sh -c "trap '' XFSZ; ulimit -f 64; exec \"$K\" export --db \"$TMP/C.db\" --to \"$TMP/full\""
expect_status 1
expect_err_contains "nothing was exported"
[ -z "$(ls -A "$TMP/full")" ] || fail "a failed export left files: $(ls -A "$TMP/full")"
[ "$(db_digest "$TMP/C.db")" = "$before" ] || fail "a failed export changed the database"
# Stick pulled (the process dies while writing): no complete-looking file.
run sh -c "ulimit -f 64; exec \"$K\" export --db \"$TMP/C.db\" --to \"$TMP/full\""
[ "$status" -ne 0 ] || fail "the export should have died"
ls "$TMP/full" | grep -q '\.khb$' && fail "a half bundle looks complete"
[ "$(db_digest "$TMP/C.db")" = "$before" ] || fail "a killed export changed the database"
run "$K" export --db "$TMP/C.db" --to "$TMP/nonexistent"
expect_status 1
expect_err_contains "is not a directory"
run "$K" export --db "$TMP/C.db" --to "$TMP/usbC"
expect_status 0
expect_err_contains "20 interviews"

# A bundle of format 1 written before bundles were compressed (the bare
# SQLite file, tests/data/bundle_v1) still verifies and merges, giving the
# office the same audit rows and answers as the khaosat that wrote it did;
# a second merge changes nothing.
old="$TESTDATA/bundle_v1/entry_3.khb"
run "$K" verify "$old"
expect_status 0
expect_out_contains "ok: format 1, 3 interviews"
run "$K" merge --db "$TMP/old_office.db" --forms "$TESTDATA/entry" "$old"
expect_status 0
expect_out_contains "added 3,"
sqlite3 "$TMP/old_office.db" "SELECT interview, time, event, qid, path,
    old_value, new_value, origin, origin_seq, origin_digest FROM audit
    WHERE event <> 'merge' ORDER BY interview, origin, origin_seq" > "$TMP/audit.txt"
cmp -s "$TMP/audit.txt" "$TESTDATA/bundle_v1/audit.txt" ||
    fail "the old bundle's audit rows differ: $(diff "$TESTDATA/bundle_v1/audit.txt" "$TMP/audit.txt" | head -5)"
sqlite3 "$TMP/old_office.db" "SELECT interview, qid, path, value FROM answers
    ORDER BY 1, 2, 3" > "$TMP/answers.txt"
cmp -s "$TMP/answers.txt" "$TESTDATA/bundle_v1/answers.txt" ||
    fail "the old bundle's answers differ"
before=$(db_digest "$TMP/old_office.db")
run "$K" merge --db "$TMP/old_office.db" --forms "$TESTDATA/entry" "$old"
expect_status 0
[ "$(db_digest "$TMP/old_office.db")" = "$before" ] || fail "merging the old bundle again changed the office"

finish
