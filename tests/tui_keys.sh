#!/bin/sh
# tui_keys.sh: the keys screen driven as a person would, in a detached
# 80x24 tmux: the laptop's own fingerprint shown as `keys list` gives it,
# an altered card refused, the office's card shown with its fingerprint and
# trusted only after y, the laptop's card written to a directory and
# accepted by the office, a card revoked after y, resizing, and an office
# card at an office trusted the way picked. Every result is checked with
# `khaosat keys list`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-keys-$$
starts=0
K="$KHAOSAT"

# start DB: run khaosat on DB in a fresh 80x24 window; its exit status goes
# to $TMP/status.
start() {
    t kill-server 2>/dev/null
    starts=$((starts + 1))
    SOCK=khaosat-keys-$$-$starts
    rm -f "$TMP/status"
    t -f /dev/null new-session -d -x 80 -y 24 \
        "exec 3<&0; cd $TMP; env LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= USER=nobody-$$ $K --db $1 --forms $FORMS <&3 3<&- & wait \$!; echo \$? >$TMP/status; sleep 600"
    pass_resume
}

# ask TEXT: answer a prompt, replacing what it offers.
ask() { key C-u; text "$1"; key Enter; }

# listed DB: `khaosat keys list` of DB into $TMP/out.
listed() { run "$K" keys list --db "$1"; expect_status 0; }

# not_listed TEXT: the last listing does not contain TEXT.
not_listed() {
    ks_checks=$((ks_checks + 1))
    if grep -qF -- "$1" "$TMP/out"; then fail "keys list shows '$1': $(cat "$TMP/out")"; fi
}

mkdir -p "$TMP/usb"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop O "Giám sát Hà" "Xã Đông Hòa"
A="$TMP/A.db"
O="$TMP/O.db"
D="$TMP/province.db"
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$D" --role office --name "Tỉnh" --commune "Tỉnh Tây" --to "$TMP/province.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A0.card" 2>/dev/null
sed 's/^name: .*/name: Kẻ giả mạo/' "$TMP/office.card" >"$TMP/forged.card"
AF=$("$K" keys list --db "$A" | awk '$1 == "this" { print $2 }')
OF=$("$K" keys list --db "$O" | awk '$1 == "this" { print $2 }')
DF=$("$K" keys list --db "$D" | awk '$1 == "this" { print $2 }')
[ -n "$AF" ] && [ -n "$OF" ] && [ -n "$DF" ] || fail "no fingerprints: '$AF' '$OF' '$DF'"

# --- 1. the laptop's own fingerprint, to be read aloud.
start "$A"
wait_for "? help"
key k
wait_for "$AF"
wait_for "This database: laptop \"Nguyễn Văn An\" (Xã Đông Hòa)"
wait_for "Read this fingerprint aloud"
wait_for "No trusted cards yet"

# --- 2. an altered card is refused with the reason.
key t
wait_for "The card file to trust"
ask "$TMP/forged.card"
wait_for "This card cannot be trusted"
wait_for "signature does not match"
key Enter
# A file that is not there either.
key t
ask "$TMP/nowhere.card"
wait_for "This card cannot be trusted"
key Enter
listed "$A"
not_listed "upstream"

# --- 3. the office's card: shown, then n leaves it untrusted.
key t
ask "$TMP/office.card"
wait_for "Trust this card? Compare the fingerprint"
wait_for "$OF"
wait_for "Role: office"
wait_for "Name: UBND xã"
wait_for "Purpose: upstream"
key n
wait_for "Not trusted: nothing was changed."
key Enter
listed "$A"
not_listed "upstream"
not_listed "$OF"

# --- 4. again, and y trusts it as the upstream office.
key t
ask "$TMP/office.card"
wait_for "Trust this card? Compare the fingerprint"
key y
wait_for "Trusted: the bundles of this database are now sealed for"
wait_for "$OF."
key Enter
wait_for "upstream office $OF"
wait_for "\"UBND xã\" (Xã Đông Hòa), trusted"
listed "$A"
expect_out_contains "upstream $OF office"

# --- 5. write the laptop's card to a directory; the office accepts it.
key w
wait_for "Directory or file to write this database's card"
ask "$TMP/usb"
wait_for "The card of this database was written to"
wait_for "$AF"
key Enter
card="$TMP/usb/khaosat-laptop-$AF.card"
ks_checks=$((ks_checks + 1))
[ -f "$card" ] || fail "no card $card: $(ls "$TMP/usb")"
ks_checks=$((ks_checks + 1))
[ -z "$(ls -A "$TMP/usb" | grep '^\.')" ] || fail "a temporary file is left"
[ "$(stat -c %a "$card")" = 600 ] || fail "the card was written $(stat -c %a "$card"), not 0600"
run "$K" keys trust --db "$O" --yes "$card"
expect_status 0
expect_out_contains "fingerprint: $AF"
expect_out_contains "accepted"
# Writing it again over the same file asks first; n keeps it.
key w
ask "$TMP/usb"
wait_for "That file exists already. Replace it?"
key n
wait_for "w write card"

# --- 6. resizing redraws the screen; too small says so.
t resize-window -x 100 -y 30
wait_for "$AF"
t resize-window -x 59 -y 19
wait_for "Terminal too small"
t resize-window -x 80 -y 24
wait_for "Read this fingerprint aloud"

# --- 7. revoke the highlighted card: n keeps it, y revokes it.
key x
wait_for "Revoke the highlighted card?"
key n
listed "$A"
expect_out_contains "upstream $OF office"
not_listed "REVOKED"
key x
wait_for "Revoke the highlighted card?"
key y
wait_for "REVOKED"
listed "$A"
expect_out_contains "REVOKED"
key x
wait_for "This card is revoked already."
key Enter

# --- 8. the help lists the key; Esc goes home, q quits.
key Escape
wait_for "? help"
key ?
wait_for "keys: this database's fingerprint"
key Escape
key q
wait_exit 0

# --- 9. an office card at an office: the way is picked, then y.
start "$O"
wait_for "? help"
key k
wait_for "$OF"
wait_for "accept   laptop $AF"
key t
ask "$TMP/province.card"
wait_for "which way does this office's card go?"
key Enter
wait_for "Trust this card? Compare the fingerprint"
wait_for "$DF"
wait_for "Purpose: upstream"
key y
wait_for "now sealed for"
wait_for "$DF."
key Enter
listed "$O"
expect_out_contains "upstream $DF office"
expect_out_contains "accept   $AF laptop"
key q
key q
wait_exit 0

# --- 10. a card for a device already bound here to another card (A's):
# refused before the question, naming the bound card; nothing changes.
laptop R "Kẻ mạo" "Xã Đông Hòa"
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
sqlite3 "$TMP/R.db" "UPDATE settings SET value = '$devA' WHERE key = 'device_id'"
"$K" keys export --db "$TMP/R.db" --to "$TMP/R.card" 2>/dev/null
before=$(db_digest "$O")
start "$O"
wait_for "? help"
key k
wait_for "$OF"
key t
ask "$TMP/R.card"
wait_for "This card cannot be trusted here"
wait_for "card $AF (Nguyễn Văn An, Xã Đông Hòa): a device has one"
ks_checks=$((ks_checks + 1))
if screen | grep -q "Trust this card?"; then fail "asked to trust a card whose device is bound"; fi
key Enter
wait_for "w write card"
ks_checks=$((ks_checks + 1))
if screen | grep -q "Trust this card?"; then fail "asked after the refusal"; fi
ks_checks=$((ks_checks + 1))
[ "$(db_digest "$O")" = "$before" ] || fail "a refused card changed the office"
key q
key q
wait_exit 0

# --- 8. a database without keys: the screen only looks (no keys made, as
# `keys list` makes none), then w makes them and writes the card, twice.
laptop N "Trần Cường" "Xã Đông Hòa"
N="$TMP/N.db"
before=$(db_digest "$N")
start "$N"
wait_for "? help"
key k
wait_for "This database has no keys yet. Press w to make them"
ks_checks=$((ks_checks + 1))
[ "$(db_digest "$N")" = "$before" ] || fail "opening the keys screen changed the database"
[ "$(sqlite3 "$N" 'SELECT count(*) FROM identity')" = 0 ] || fail "the keys screen made keys by looking"
mkdir "$TMP/usbN"
key w
wait_for "Directory or file to write this database's card"
ask "$TMP/usbN"
wait_for "The card of this database was written to"
key Enter
wait_for "Read this fingerprint aloud"
NF=$("$K" keys list --db "$N" | awk '$1 == "this" { print $2 }')
wait_for "$NF"
ks_checks=$((ks_checks + 1))
[ -f "$TMP/usbN/khaosat-laptop-$NF.card" ] || fail "no card for the new keys: $(ls "$TMP/usbN")"
key w
ask "$TMP/usbN"
wait_for "That file exists already. Replace it?"
key y
wait_for "The card of this database was written to"
key Enter
[ "$("$K" keys list --db "$N" | awk '$1 == "this" { print $2 }')" = "$NF" ] || fail "writing the card again made other keys"
key q
key q
wait_exit 0

finish
