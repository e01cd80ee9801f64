#!/bin/sh
# cli_secure.sh: text from outside never drives the terminal, and what
# khaosat leaves on the disk is its owner's.  An answer holding an OSC 52
# clipboard write, an enumerator name (a manifest field) holding a title
# change and a screen clear, and a file name holding escapes go through
# export, verify, merge, conflicts, duplicates, the text report and the
# refusal messages: none of them prints an ESC, a C1 control or a bidi
# override, while the text around them is still shown.  Databases, CSV
# files, reports, cards and plain bundles are created 0600; sealed
# bundles 0644 (they are safe to carry).  Markdown reports escape HTML.
. "$(dirname "$0")/lib.sh"
K="$KHAOSAT"

ESC=$(printf '\033')
BEL=$(printf '\007')
CSI=$(printf '\302\233')          # U+009B, the one-byte CSI
RLO=$(printf '\342\200\256')      # U+202E RIGHT-TO-LEFT OVERRIDE
LRI=$(printf '\342\201\246')      # U+2066 LEFT-TO-RIGHT ISOLATE
clip="${ESC}]52;c;cm0gLXJmIH4=${BEL}"
title="Lan${ESC}]0;pwned${BEL}${ESC}[2J${CSI}2J${RLO}nahK${LRI}"

# clean WHAT: neither $TMP/out nor $TMP/err holds a control sequence.
clean() {
    ks_checks=$((ks_checks + 1))
    for f in "$TMP/out" "$TMP/err"; do
        if grep -qF -e "$ESC" -e "$BEL" -e "$CSI" -e "$RLO" -e "$LRI" "$f"; then
            fail "$1 printed a control sequence raw: $(od -c "$f" | head -5)"
        fi
    done
}

# mode FILE WANT: FILE's permission bits are WANT.
mode() {
    ks_checks=$((ks_checks + 1))
    got=$(stat -c %a "$1")
    [ "$got" = "$2" ] || fail "$1 is $got, not $2"
}

mkdir -p "$TMP/usb" "$TMP/usbB" "$TMP/csv"
laptop A "$title" "Xã Đông Hòa"
laptop B "$title" "Xã Đông Hòa"
laptop O "Giám sát" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 2 --seed 41 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 1 --seed 42 >/dev/null
U=$(sqlite3 "$TMP/A.db" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
UB=$(sqlite3 "$TMP/B.db" "SELECT uuid FROM interviews LIMIT 1")

# --- 1. at rest: created by khaosat, readable by its owner only.
mode "$TMP/A.db" 600
for f in "$TMP"/A.db-wal "$TMP"/A.db-shm; do
    [ -e "$f" ] && mode "$f" 600
done

# --- 2. an answer and a manifest field with escapes, through the commands.
run "$K" answer --db "$TMP/A.db" "$U" head_name "Nguyễn ${clip} An"
expect_status 0
clean "answer"
run "$K" finalise --db "$TMP/A.db" "$U"
expect_status 0
run "$K" export --db "$TMP/A.db" --to "$TMP/usb"
expect_status 0
clean "export"
bA=$(cat "$TMP/out")
mode "$bA" 600
run "$K" verify "$bA"
expect_status 0
clean "verify"
expect_out_contains "]0;pwned"
run "$K" forms accept --db "$TMP/O.db" "$bA"
expect_status 0
clean "forms accept"
run "$K" merge --db "$TMP/O.db" "$bA"
expect_status 0
clean "merge"

# The same answer changed on both sides: a conflict listing both values.
run "$K" answer --db "$TMP/O.db" "$U" head_name "Văn phòng sửa"
run "$K" finalise --db "$TMP/O.db" "$U"
run "$K" answer --db "$TMP/A.db" "$U" head_name "Lại ${clip} sửa"
run "$K" finalise --db "$TMP/A.db" "$U"
run "$K" export --db "$TMP/A.db" --to "$TMP/usb"
bA2=$(cat "$TMP/out")
run "$K" merge --db "$TMP/O.db" "$bA2"
expect_status 0
clean "merge of a conflict"
run "$K" conflicts --db "$TMP/O.db"
expect_status 0
clean "conflicts"
expect_out_contains "]52;c;cm0gLXJmIH4="
expect_out_contains "Văn phòng sửa"

# A possible duplicate: B's interview with A's key answers.
for q in village hh_no; do
    v=$(sqlite3 "$TMP/A.db" "SELECT value FROM answers WHERE interview = '$U' AND qid = '$q' AND path = ''")
    "$K" answer --db "$TMP/B.db" "$UB" "$q" "$v" 2>/dev/null
done
"$K" finalise --db "$TMP/B.db" "$UB" >/dev/null 2>&1
run "$K" export --db "$TMP/B.db" --to "$TMP/usbB"
bB=$(cat "$TMP/out")
run "$K" merge --db "$TMP/O.db" "$bB"
clean "merge of a duplicate"
run "$K" duplicates --db "$TMP/O.db"
expect_status 0
clean "duplicates"
expect_out_contains "pwned"
run "$K" report --db "$TMP/O.db" --forms "$FORMS"
clean "the text report"

# A file name with escapes in a refusal message.
evil="$TMP/usb/x${ESC}]0;owned${BEL}${ESC}[2J.khb"
printf 'not a bundle' >"$evil"
before=$(db_digest "$TMP/O.db")
run "$K" merge --db "$TMP/O.db" "$evil"
expect_status 1
clean "a refusal"
expect_err_contains "]0;owned"
[ "$(db_digest "$TMP/O.db")" = "$before" ] || fail "a refused merge changed the database"
run "$K" merge --db "$TMP/O.db" "$TMP/usb"
clean "merging a directory"

# --- 3. outputs: CSV, reports, cards 0600; sealed bundles 0644.
run "$K" csv --db "$TMP/O.db" --forms "$FORMS" --out "$TMP/csv"
expect_status 0
for f in "$TMP"/csv/*.csv; do mode "$f" 600; done
run "$K" report --db "$TMP/O.db" --forms "$FORMS" --format csv --out "$TMP/r.csv"
expect_status 0
mode "$TMP/r.csv" 600
run "$K" report --db "$TMP/O.db" --forms "$FORMS" --format markdown --out "$TMP/r.md"
expect_status 0
mode "$TMP/r.md" 600
"$K" keys export --db "$TMP/O.db" --role office --name "UBND <b>xã</b>" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
mode "$TMP/office.card" 600
"$K" keys trust --db "$TMP/A.db" --yes "$TMP/office.card" >/dev/null 2>&1
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 43 >/dev/null
run "$K" export --db "$TMP/A.db" --to "$TMP/usb"
expect_status 0
mode "$(cat "$TMP/out")" 644
run "$K" keys list --db "$TMP/A.db"
clean "keys list"

# --- 4. CSV: a number column holding a formula (a bundle's values are
# not to be trusted) is neutralised like text; real numbers stay numbers.
n=$(sqlite3 "$TMP/O.db" "UPDATE answers SET value = '=HYPERLINK(\"http://x\")' WHERE interview = '$U' AND qid = 'hh_no' AND path = ''; SELECT changes()")
ks_checks=$((ks_checks + 1))
[ "$n" = 1 ] || fail "no number answer to turn into a formula"
rm -rf "$TMP/csv2"; mkdir "$TMP/csv2"
run "$K" csv --db "$TMP/O.db" --forms "$FORMS" --out "$TMP/csv2"
expect_status 0
ks_checks=$((ks_checks + 1))
grep -qF "'=HYPERLINK" "$TMP/csv2/household.csv" || fail "the formula in a number column is not neutralised: $(grep -F HYPERLINK "$TMP/csv2/household.csv")"
run "$K" report --db "$TMP/O.db" --forms "$FORMS" --format csv
expect_status 0
ks_checks=$((ks_checks + 1))
if grep -q '^=\|,=' "$TMP/out"; then fail "report --format csv has a formula cell"; fi

# --- 5. markdown: a village name from the data cannot add HTML.
"$K" simulate --db "$TMP/O.db" --forms "$FORMS" --form commune --count 1 --seed 44 >/dev/null
UC=$(sqlite3 "$TMP/O.db" "SELECT uuid FROM interviews WHERE form_id = 'commune' LIMIT 1")
run "$K" answer --db "$TMP/O.db" "$UC" "v_name@villages[1]" "<script>alert(1)</script> *Một*"
expect_status 0
"$K" finalise --db "$TMP/O.db" "$UC" >/dev/null 2>&1
run "$K" report --db "$TMP/O.db" --forms "$FORMS" --format markdown --by-village
expect_status 0
ks_checks=$((ks_checks + 1))
if grep -qF "<script" "$TMP/out"; then fail "markdown passes HTML: $(grep -F script "$TMP/out")"; fi
expect_out_contains '&lt;script&gt;alert(1)&lt;/script&gt; \*Một\*'


# --- Bytes that are not UTF-8 (a terminal in another encoding) are refused
# at input, so they can never stop the database's exports.
U1=$(sqlite3 "$TMP/A.db" "SELECT uuid FROM interviews LIMIT 1")
before=$(db_digest "$TMP/A.db")
run "$K" answer --db "$TMP/A.db" "$U1" head_name "$(printf 'Nguy\341n')"
expect_status 1
expect_err_contains "not valid UTF-8"
[ "$(db_digest "$TMP/A.db")" = "$before" ] || fail "a refused answer changed the laptop"
mkdir -p "$TMP/usb9"
run "$K" export --db "$TMP/A.db" --to "$TMP/usb9" --all
expect_status 0

# --- SQLite's sorts and temporary tables stay in memory: an export leaves
# nothing in TMPDIR (not even a deleted file: traced when strace is here).
if command -v strace >/dev/null 2>&1; then
    # Enough interviews that SQLite would spill a sort to a file.
    mkdir -p "$TMP/t9" "$TMP/usb10"
    "$K" simulate --db "$TMP/big.db" --forms "$FORMS" --form household \
        --count 300 --seed 9 >/dev/null 2>&1
    TMPDIR=$TMP/t9 strace -f -e trace=openat -o "$TMP/trace" \
        "$K" export --db "$TMP/big.db" --to "$TMP/usb10" --all >/dev/null 2>&1
    ls "$TMP"/usb10/*.khb >/dev/null 2>&1 || fail "the big export wrote no bundle"
    if grep -q "$TMP/t9/" "$TMP/trace"; then
        fail "export opened a file in TMPDIR: $(grep "$TMP/t9/" "$TMP/trace" | head -1)"
    fi
fi

# --- File names and arguments holding escapes: forms accept (accepted and
# refused), backup, restore, review and simulate print them safely.
E="x${ESC}]0;PWNED${BEL}${ESC}[2J"
mkdir -p "$TMP/stick"
cp "$bA" "$TMP/stick/${E}a.khb"
head -c 3000 /dev/urandom > "$TMP/stick/${E}b.khb"
laptop N "Giám sát" "Xã Đông Hòa"
run "$K" forms accept --db "$TMP/N.db" "$TMP/stick/${E}a.khb"
expect_status 0
clean "forms accept of a bundle with escapes in its name"
expect_out_contains "accepted"
run "$K" forms accept --db "$TMP/N.db" "$TMP/stick/${E}b.khb"
expect_status 1
clean "forms accept refusing a file with escapes in its name"
before=$(db_digest "$TMP/A.db")
run "$K" backup --db "$TMP/A.db" --to "$TMP/stick/${E}.kbk"
clean "backup --to a name with escapes"
run "$K" restore --db "$TMP/new.db" "$TMP/stick/${E}missing.kbk"
expect_status 1
clean "restore from a name with escapes"
[ "$(db_digest "$TMP/A.db")" = "$before" ] || fail "backup changed the laptop"
run "$K" review --db "$TMP/O.db" --approve "$E"
clean "review of an argument with escapes"
run "$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form "$E" --count 1
expect_status 1
clean "simulate --form with escapes"
[ "$(db_digest "$TMP/A.db")" = "$before" ] || fail "a refused simulate changed the laptop"

# --- Files an older khaosat left 0644 become their owner's: a database and
# its -wal/-shm when a command that writes opens it (a report stores its
# figures; csv only reads and leaves the modes as they are), CSV files and
# reports when written again (with --sync and without).
"$K" simulate --db "$TMP/old.db" --forms "$FORMS" --form household --count 2 --seed 5 >/dev/null 2>&1
mkdir -p "$TMP/oldcsv"
"$K" csv --db "$TMP/old.db" --forms "$FORMS" --out "$TMP/oldcsv" >/dev/null 2>&1
"$K" report --db "$TMP/old.db" --forms "$FORMS" --out "$TMP/old.txt" >/dev/null 2>&1
"$K" report --db "$TMP/old.db" --forms "$FORMS" --out "$TMP/old2.txt" >/dev/null 2>&1
sqlite3 "$TMP/old.db" "PRAGMA journal_mode" >/dev/null
: > "$TMP/old.db-wal"; : > "$TMP/old.db-shm"
chmod 644 "$TMP/old.db" "$TMP/old.db-wal" "$TMP/old.db-shm" "$TMP"/oldcsv/*.csv "$TMP/old.txt" "$TMP/old2.txt"
before=$(db_digest "$TMP/old.db")
run "$K" csv --db "$TMP/old.db" --forms "$FORMS" --out "$TMP/oldcsv" --sync
expect_status 0
for f in "$TMP"/oldcsv/*.csv; do
    mode "$f" 600
done
mode "$TMP/old.db" 644
run "$K" report --db "$TMP/old.db" --forms "$FORMS" --out "$TMP/old.txt" --sync
expect_status 0
mode "$TMP/old.txt" 600
for f in "$TMP/old.db" "$TMP/old.db-wal" "$TMP/old.db-shm"; do
    [ -e "$f" ] && mode "$f" 600
done
run "$K" report --db "$TMP/old.db" --forms "$FORMS" --out "$TMP/old2.txt"
expect_status 0
mode "$TMP/old2.txt" 600
[ "$(db_digest "$TMP/old.db")" = "$before" ] || fail "csv or report changed the database"

finish
