#!/bin/sh
# tui_sync.sh: the screens' export and merge follow the same trust policy
# as the commands, driven in a detached 80x24 tmux.  A laptop that trusts
# an office exports with e: the file on the stick is sealed, holds no
# answer in the clear, and nothing unencrypted is left in TMPDIR or on the
# stick; a second e exports everything again, sealed too.  At an office
# that accepts that laptop, m merges the sealed bundle, refuses an
# unsigned one with the command's own message after asking (n), takes it
# after y; after the laptop's card is revoked, unsigned bundles are still
# refused (sealed only is sticky) by the command and asked about by the
# screen.  Bundle names in capitals (*.KHB) are found by both.  A laptop
# whose office card was revoked refuses e rather than write in the clear.
# The screen's merge names each FIFO or link it leaves out of a directory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-sync-$$
starts=0
K="$KHAOSAT"

# start DB: run khaosat on DB in a fresh 80x24 window, with its own
# TMPDIR; its exit status goes to $TMP/status.
start() {
    t kill-server 2>/dev/null
    starts=$((starts + 1))
    SOCK=khaosat-sync-$$-$starts
    rm -f "$TMP/status"
    t -f /dev/null new-session -d -x 80 -y 24 \
        "exec 3<&0; cd $TMP; env TMPDIR=$TMP/tmpdir LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= USER=nobody-$$ $K --db $1 --forms $FORMS <&3 3<&- & wait \$!; echo \$? >$TMP/status; sleep 600"
    pass_resume
}

# ask TEXT: answer a prompt, replacing what it offers.
ask() { key C-u; text "$1"; key Enter; }

# check COND MESSAGE: count a check; fail with MESSAGE unless COND holds.
check() {
    ks_checks=$((ks_checks + 1))
    eval "$1" || fail "$2"
}

# squeeze: stdin without spaces and newlines (to compare wrapped text).
squeeze() { tr -d ' \n'; }

mkdir -p "$TMP/usb" "$TMP/plain" "$TMP/tmpdir" "$TMP/up"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
laptop O "Giám sát Hà" "Xã Đông Hòa"
A="$TMP/A.db"
O="$TMP/O.db"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 21 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 2 --seed 22 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$A" --yes "$TMP/office.card" >/dev/null 2>&1
"$K" keys trust --db "$O" --yes "$TMP/A.card" >/dev/null 2>&1
OF=$("$K" keys list --db "$O" | awk '$1 == "this" { print $2 }')
AF=$("$K" keys list --db "$A" | awk '$1 == "this" { print $2 }')
# A known answer, long enough not to occur by chance.
known=$(sqlite3 "$A" "SELECT value FROM answers WHERE length(value) >= 8 ORDER BY length(value) DESC LIMIT 1")
check '[ -n "$known" ]' "no answer to look for in the bundle"
# Leftovers of a killed export: a hidden temporary on the stick and the
# private directory an older khaosat made in TMPDIR.
printf 'SQLite format 3\000half' >"$TMP/usb/.khaosat-export-Ab12Cd.tmp"
mkdir "$TMP/tmpdir/khaosat-seal-Xy34Zw"
printf 'SQLite format 3\000plain' >"$TMP/tmpdir/khaosat-seal-Xy34Zw/.khaosat-export-Ef56Gh.tmp"

# --- 1. the laptop's e: a sealed bundle, nothing in the clear anywhere.
start "$A"
wait_for "? help"
key e
wait_for "Directory to write the bundle to"
ask "$TMP/usb"
wait_for "3 interviews exported to" 10
wait_for "Sealed for the office $OF"
key Enter
set -- "$TMP"/usb/*.khb
nb=$#
bundle1=$1
check '[ "$nb" -eq 1 ] && [ -f "$bundle1" ]' "one bundle expected on the stick: $(ls -A "$TMP/usb")"
check '[ "$(head -c 22 "$bundle1")" = "khaosat sealed bundle " ]' "the screen's export is not sealed: $(head -c 16 "$bundle1")"
check '! grep -qF -- "$known" "$bundle1"' "the sealed bundle holds the answer '$known' in the clear"
check '! grep -qF "SQLite format 3" "$bundle1"' "the sealed bundle holds a plain SQLite database"
check '[ -z "$(ls -A "$TMP/tmpdir")" ]' "TMPDIR keeps files: $(ls -AR "$TMP/tmpdir")"
check '[ -z "$(ls -A "$TMP/usb" | grep -v "\.khb$")" ]' "the stick keeps temporaries: $(ls -A "$TMP/usb")"
# Compressed before it was sealed (envelope format 3): the size inside is
# that of the zstd frame, less than the SQLite file the office gets back.
check '[ "$(head -n 1 "$bundle1")" = "khaosat sealed bundle 3" ]' "the screen's export is not compressed: $(head -n 1 "$bundle1")"
"$K" bundle dump --db "$O" "$bundle1" "$TMP/b1.sqlite" 2>"$TMP/err"
check '[ "$(sqlite3 "$TMP/b1.sqlite" "SELECT count(*) FROM interviews")" = 3 ]' "bundle dump of the screen's export: $(cat "$TMP/err")"
inner=$(head -c 1024 "$bundle1" | sed -n 's/^size: //p' | head -n 1)
check '[ "$inner" -gt 0 ] && [ "$inner" -lt "$(wc -c < "$TMP/b1.sqlite")" ]' "the sealed content ($inner bytes) is not smaller than its SQLite file"
expect_sql_db() { DB=$1; expect_sql "$2" "$3"; }
expect_sql_db "$A" "SELECT count(*) FROM interviews WHERE exported_at IS NULL" "0"
# The command verifies it as this laptop's own sealed bundle.
run "$K" verify --db "$A" "$bundle1"
expect_status 0
expect_out_contains "sealed by this database for the office $OF"

# --- 2. e again: nothing new; y exports everything again, sealed.
key e
ask "$TMP/usb"
wait_for "Nothing new to export. Export every complete interview again?"
key y
wait_for "3 interviews exported to" 10
wait_for "Sealed for the office $OF"
key Enter
check '[ "$(ls "$TMP"/usb/*.khb | wc -l)" -eq 2 ]' "the second export wrote no second bundle"
for f in "$TMP"/usb/*.khb; do
    check '[ "$(head -c 22 "$f")" = "khaosat sealed bundle " ]' "$f is not sealed"
done
key q
wait_exit 0

# The office takes the form of the survey once, from the first bundle.
"$K" forms accept --db "$O" "$bundle1" >/dev/null || fail "forms accept"

# An unsigned bundle from a laptop that trusts no office, named in
# capitals as some sticks show names.
pb=$("$K" export --db "$TMP/B.db" --to "$TMP/plain" 2>/dev/null)
mv "$pb" "$TMP/plain/B.KHB"
check '[ "$(head -c 4 "$TMP/plain/B.KHB" | od -An -tx1 | tr -d " ")" = 28b52ffd ]' "B's bundle should be plain (compressed, not sealed)"
before=$(db_digest "$O")
run "$K" merge --db "$O" "$TMP/plain"
expect_status 1
expect_err_contains "unsigned bundle (not sealed)"
why=$(sed -n 's/^khaosat merge: \(.*\); not merged$/\1/p' "$TMP/err")
check '[ -n "$why" ]' "the command's refusal was not found: $(cat "$TMP/err")"
check '[ "$(db_digest "$O")" = "$before" ]' "a refused merge changed the office database"

# --- 3. the office's m: the sealed bundles merge (the second one brings
# the same interviews again).
start "$O"
wait_for "? help"
key m
wait_for "Directory with the bundles"
ask "$TMP/usb"
wait_for "2 bundles: 2 merged, 0 already merged, 0 refused, 0 skipped." 10
wait_for "In all: added 3, updated 0, unchanged 3, conflicts 0, duplicates 0."
key q
DB=$O
expect_sql "SELECT count(*) FROM interviews" "3"

# --- 4. the unsigned bundle: asked with the command's reason; n refuses.
before=$(db_digest "$O")
key m
ask "$TMP/plain"
wait_for "Merge this unsigned bundle anyway? (y/n)" 10
check 'screen | squeeze | grep -qF -- "$(printf %s "$why" | squeeze)"' "the screen does not show the command's message '$why': $(screen)"
key n
wait_for "1 bundles: 0 merged, 0 already merged, 1 refused, 0 skipped." 10
wait_for "NOT MERGED:"
check 'screen | squeeze | grep -qF -- "NOTMERGED:$(printf %s "$why" | squeeze)"' "the summary does not give the command's message: $(screen)"
key q
check '[ "$(db_digest "$O")" = "$before" ]' "n changed the office database"

# --- 5. again, and y takes it.
key m
ask "$TMP/plain"
wait_for "Merge this unsigned bundle anyway? (y/n)" 10
key y
wait_for "1 bundles: 1 merged, 0 already merged, 0 refused, 0 skipped." 10
wait_for "added 2, updated 0"
key q
expect_sql "SELECT count(*) FROM interviews" "5"
key q
wait_exit 0

# --- 6. revoking the last laptop does not open the plain path again.
"$K" keys revoke --db "$O" --yes "$AF" >/dev/null 2>&1
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 1 --seed 23 >/dev/null
rm -f "$TMP"/plain/*
"$K" export --db "$TMP/B.db" --to "$TMP/plain" >/dev/null 2>&1
before=$(db_digest "$O")
run "$K" merge --db "$O" "$TMP/plain"
expect_status 1
expect_err_contains "unsigned bundle (not sealed): this database has taken only sealed bundles"
check '[ "$(db_digest "$O")" = "$before" ]' "a refused merge changed the office database"
start "$O"
wait_for "? help"
key m
ask "$TMP/plain"
wait_for "Merge this unsigned bundle anyway? (y/n)" 10
key n
wait_for "1 refused, 0 skipped." 10
key q
key q
wait_exit 0
check '[ "$(db_digest "$O")" = "$before" ]' "n changed the office database"
run "$K" merge --db "$O" --allow-unsigned "$TMP/plain"
expect_status 0
expect_out_contains "added 1, updated 0"

# --- 7. a laptop whose office card was revoked: e refuses, with what to
# do, and writes nothing (never a plain bundle).
"$K" keys revoke --db "$A" "$OF" >/dev/null 2>&1 || fail "revoke the office on A"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 24 >/dev/null
mkdir -p "$TMP/usb7"
before=$(db_digest "$A")
start "$A"
wait_for "? help"
key e
ask "$TMP/usb7"
wait_for "The export failed:" 10
check 'screen | squeeze | grep -qF "trusttheoffice'"'"'snewcard(khaosatkeystrustCARD--upstream)"' "the screen does not say what to do: $(screen)"
wait_for "Nothing was exported"
key Enter
key q
wait_exit 0
check '[ -z "$(ls -A "$TMP/usb7")" ]' "the refused export wrote $(ls -A "$TMP/usb7")"
check '[ "$(db_digest "$A")" = "$before" ]' "the refused export changed the laptop's database"

# --- 8. the office's m on a stick with a FIFO and a link named like
# bundles: the summary names each with what it is; nothing hangs.
mkdir -p "$TMP/usb8"
mkfifo "$TMP/usb8/pipe.khb"
ln -s "$bundle1" "$TMP/usb8/link.khb"
before=$(db_digest "$O")
start "$O"
wait_for "? help"
key m
ask "$TMP/usb8"
wait_for "SKIPPED:" 10
check 'screen | squeeze | grep -qF "pipe.khb:SKIPPED:$(printf %s "$TMP/usb8/pipe.khb" | squeeze):skipped:anamedpipe(FIFO),notafile;itwasnotopened"' "the screen does not name the FIFO: $(screen)"
check 'screen | squeeze | grep -qF "link.khb:SKIPPED:"' "the screen does not name the link: $(screen)"
check 'screen | grep -qF "2 bundles: 0 merged, 0 already merged, 0 refused, 2 skipped."' "the summary leaves the skipped entries out: $(screen)"
check 'screen | squeeze | grep -qF "No bundles (*.khb)" || screen | squeeze | grep -qF "Nobundles(*.khb)"' "the screen does not say there are no bundles: $(screen)"
key q
key q
wait_exit 0
check '[ "$(db_digest "$O")" = "$before" ]' "the office changed"

finish
