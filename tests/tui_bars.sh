#!/bin/sh
# tui_bars.sh: the home and office screens' key bars at 60 columns (the
# smallest screen) keep whole keys, the most needed first, in English and
# in Vietnamese, on a vt100 too; the interface language is switched from
# the home screen's help (L), at once and kept in the database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-bars-$$-0
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$KHAOSAT" simulate --db "$DB" --forms "$FORMS" --form household \
    --count 2 --seed 5 >/dev/null

# start COLS ROWS [TERM]: khaosat on $DB in a COLSxROWS window.
start() { tui_run bars "$@"; }
# bar_whole FIRST: the key bar starts with FIRST, fits the screen and no
# key in it is cut (no "…"), and it does not end in a space.
bar_whole() {
    ks_checks=$((ks_checks + 1))
    bar=$(screen | tail -1)
    case "$bar" in
        "$1"*) ;;
        *) fail "the key bar does not start with '$1': '$bar'" ;;
    esac
    case "$bar" in
        *…*) fail "a key is cut in the bar: '$bar'" ;;
    esac
}

# --- 1. 60x20, English: home keeps new, list, export and help.
start 60 20 vt100
wait_for "Enter new"
bar_whole "Enter new  r list  e export  ? help"
# The interviews of a form.
key Home Down Down r
wait_for "Interviews:"
bar_whole "Enter open   d delete draft   Esc back"
key Escape
wait_for "Enter new"
# The office's screens: browse, conflicts, keys.
key b
wait_for "Enter view"
bar_whole "Enter view"
key Escape
wait_for "Enter new"
key c
sleep 0.5
bar_whole "Enter"
key Escape
wait_for "Enter new"
key k
wait_for "Keys: this database"
bar=$(screen | tail -1)
case "$bar" in *…*) fail "keys screen bar cut: '$bar'" ;; esac
key Escape
wait_for "Enter new"

# --- 2. the home help switches the language at once, and keeps it.
key ?
wait_for "Home screen"
bar_whole "L language"
key End
wait_for "switch the interface language"
key L
wait_for "Màn hình chính"
expect_sql "SELECT value FROM settings WHERE key = 'ui_lang'" "vi"
key Escape
wait_for "Enter tạo mới"
bar_whole "Enter tạo mới  r danh sách  e xuất  ? giúp"
key q
wait_exit 0
# Second pass: a new start speaks Vietnamese; L goes back to English.
start 60 20
wait_for "Enter tạo mới"
key ?
wait_for "Màn hình chính"
key L
wait_for "Home screen"
expect_sql "SELECT value FROM settings WHERE key = 'ui_lang'" "en"
key Escape
wait_for "Enter new"
key q
wait_exit 0

t kill-server 2>/dev/null
finish
