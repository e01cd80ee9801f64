#!/bin/sh
# tui_setup_checks.sh: the commune's set-up on the interview screen.  A
# new household's village question offers the set-up's villages only (not
# the form's own Thôn 01-30); a household number not on the village's
# list is explained and the enumerator is asked whether it is new or
# missing: n leaves it unsaved, y keeps it with the note line; back to a
# listed number, the line goes.  The village changed so that the saved
# number is not on its list asks again (after it, and on Enter on the
# number); back to a listed one, the line goes.  An interview answered before the set-up
# shows its own village marked as kept, beside the set-up's only, and
# keeps it.  A number left unconfirmed: finishing lists it, Enter shows
# the whole reason at the question, Enter on the number asks; confirmed
# on the screen, finalised by the command in Vietnamese.  At 80x24 and
# at 60x20.  A complete interview whose number came before its list: E
# reopens it and the number is asked about as in a draft.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-setupchk-$$-0
DB=$TMP/laptop.db
K="$KHAOSAT"
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 --seed 5 >/dev/null 2>&1
OLD=$(sqlite3 "$DB" "SELECT uuid FROM interviews LIMIT 1")
"$K" answer --db "$DB" "$OLD" village 29 2>/dev/null || fail "29 before the set-up"
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\n03,Thôn Ba\n' > "$TMP/v.csv"
printf 'village,number,head\nT1,1,Lò Văn A\nT1,2,Lò Văn B\nT1,3,Lò Văn C\n03,9,Hà Văn K\n' > "$TMP/h.csv"
"$K" setup --db "$DB" villages "$TMP/v.csv" 2>/dev/null || fail "villages"
"$K" setup --db "$DB" households "$TMP/h.csv" 2>/dev/null || fail "households"
note_is() { expect_sql "SELECT coalesce((SELECT note FROM notes WHERE qid = 'hh_no' AND interview <> '$OLD'), '-')" "$1"; }

for size in "80 24" "60 20"; do
    sqlite3 "$DB" "PRAGMA foreign_keys = ON; DELETE FROM interviews WHERE uuid <> '$OLD'"
    # shellcheck disable=SC2086 # two words: columns and rows
    tui_run setupchk $size
    wait_for "Phiếu khảo sát hộ"
    key Home Down Down Enter
    wait_for "Mã thôn (ấp, bản)"
    wait_for "Thôn Một"
    wait_for "Thôn Ba"
    screen | grep -qE "Thôn (0[0-9]|[12][0-9]|30)\b" &&
        fail "a village of the form's own list is offered at $size: $(screen)"
    key Down Enter
    wait_for "Số thứ tự của hộ"
    text "57"; key Enter
    whole "Household 57 is not on the list of village Thôn Một (3 households). Is this household new or missing from the list? (y/n)"
    key n
    whole "Not saved: correct the household number."
    expect_sql "SELECT count(*) FROM answers WHERE qid = 'hh_no' AND interview <> '$OLD'" 0
    key Enter
    whole "Is this household new or missing from the list?"
    key y
    wait_for "Tên thôn (ấp, bản)"
    expect_sql "SELECT value FROM answers WHERE qid = 'village' AND interview <> '$OLD'" T1
    expect_sql "SELECT value FROM answers WHERE qid = 'hh_no' AND interview <> '$OLD'" 57
    note_is "Household 57 is not on the list of village T1 (Thôn Một): the enumerator confirmed it is new or missing from the list."
    # Second pass: back to it, a listed number; the line goes.
    key C-p
    wait_for "Số thứ tự của hộ"
    key BSpace BSpace
    text "2"; key Enter
    wait_for "Tên thôn (ấp, bản)"
    note_is "-"
    # Third pass: the village changed so that the saved number is not on
    # its list: asked as a new number is; n leaves it unconfirmed, and
    # Enter on the number asks again; y records it for the village's code.
    key C-p
    wait_for "Số thứ tự của hộ"
    key C-p
    wait_for "Mã thôn (ấp, bản)"
    key 1
    whole "Household 2 is not on the list of village Thôn Ba (1 household). Is this household new or missing from the list? (y/n)"
    key n
    wait_for "Số thứ tự của hộ"
    expect_sql "SELECT value FROM answers WHERE qid = 'village' AND interview <> '$OLD'" 03
    note_is "-"
    key Enter
    whole "Household 2 is not on the list of village Thôn Ba (1 household). Is this household new or missing from the list? (y/n)"
    key y
    wait_for "Tên thôn (ấp, bản)"
    note_is "Household 2 is not on the list of village 03 (Thôn Ba): the enumerator confirmed it is new or missing from the list."
    expect_sql "SELECT new_value FROM audit WHERE event = 'not-on-list' AND interview <> '$OLD' ORDER BY seq DESC LIMIT 1" "03 2
Household 2 is not on the list of village 03 (Thôn Ba): the enumerator confirmed it is new or missing from the list."
    # Back to T1, where 2 is listed: the confirmation and its line go.
    key C-p
    wait_for "Số thứ tự của hộ"
    key C-p
    wait_for "Mã thôn (ấp, bản)"
    key 2
    wait_for "Số thứ tự của hộ"
    note_is "-"
    expect_sql "SELECT quote(new_value) FROM audit WHERE event = 'not-on-list' AND interview <> '$OLD' ORDER BY seq DESC LIMIT 1" "''"
    key C-x
    wait_for "Enter new"
    key q
    wait_exit 0
done

# The interview answered before the set-up: its own village is shown,
# marked, beside the set-up's three; Enter keeps it.
sqlite3 "$DB" "PRAGMA foreign_keys = ON; DELETE FROM interviews WHERE uuid <> '$OLD'"
for size in "80 24" "60 20"; do
    # Opened at its first question, as an interview never opened here.
    sqlite3 "$DB" "UPDATE interviews SET position = NULL WHERE uuid = '$OLD'"
    KEEP_RESUME=1
    # shellcheck disable=SC2086
    tui_run setupold $size
    KEEP_RESUME=0
    wait_for "Resume it?"
    key y
    wait_for "Mã thôn (ấp, bản)"
    wait_for "Thôn 29 (kept"
    wait_for "Thôn Hai"
    screen | grep -qE "Thôn (0[0-9]|1[0-9]|2[0-8]|30)\b" &&
        fail "another village of the form's own list is offered at $size: $(screen)"
    key Enter
    wait_for "Số thứ tự của hộ"
    expect_sql "SELECT value FROM answers WHERE interview = '$OLD' AND qid = 'village'" 29
    key C-x
    wait_for "Enter new"
    key q
    wait_exit 0
done

# A number left unconfirmed by a village change (by the command):
# finishing lists it, Enter shows its whole reason at the question (at 60
# columns too), Enter on the number asks, y confirms; the command then
# finalises it in Vietnamese.
for size in "80 24" "60 20"; do
    "$K" answer --db "$DB" "$OLD" village T2 >/dev/null 2>&1 || fail "T2"
    "$K" answer --db "$DB" "$OLD" hh_no 57 >/dev/null 2>&1 || fail "57"
    "$K" answer --db "$DB" "$OLD" village T1 >/dev/null 2>&1 || fail "T1"
    sqlite3 "$DB" "UPDATE interviews SET position = NULL WHERE uuid = '$OLD'"
    KEEP_RESUME=1
    # shellcheck disable=SC2086
    tui_run setupfin $size
    KEEP_RESUME=0
    wait_for "Resume it?"
    key y
    wait_for "Mã thôn (ấp, bản)"
    key C-f
    wait_for "Cannot finish: 1 question(s)"
    key Enter
    wait_for "Số thứ tự của hộ"
    wait_for "Household 57 is not on the list of village Thôn Một"
    # Cut at the screen's rows ("^T all"): ^T shows it whole.
    key C-t
    wait_for "The whole question"
    whole "Household 57 is not on the list of village Thôn Một (3 households). If it is new or missing from the list, answer it again and say so (y on the screen; khaosat answer --not-on-list)."
    key Escape
    wait_gone "The whole question"
    key Enter
    whole "Household 57 is not on the list of village Thôn Một (3 households). Is this household new or missing from the list? (y/n)"
    key y
    wait_for "Tên thôn (ấp, bản)"
    expect_sql "SELECT new_value FROM audit WHERE event = 'not-on-list' AND interview = '$OLD' ORDER BY seq DESC LIMIT 1" "T1 57
Household 57 is not on the list of village T1 (Thôn Một): the enumerator confirmed it is new or missing from the list."
    key C-x
    wait_for "Enter new"
    key q
    wait_exit 0
    run env LANGUAGE=vi "$K" finalise --db "$DB" "$OLD"
    expect_status 0
done


# A complete interview whose number came before its village's list (by
# the command): read-only, E reopens it, and the number is asked about as
# in a draft (after the village, and on Enter on the number); y confirms.
# Second pass: reopened again, nothing is asked and nothing recorded.
"$K" answer --db "$DB" "$OLD" village T2 >/dev/null 2>&1 || fail "T2"
"$K" answer --db "$DB" "$OLD" hh_no 58 >/dev/null 2>&1 || fail "58"
"$K" finalise --db "$DB" "$OLD" >/dev/null 2>&1 || fail "finalise in T2"
printf 'T2,1,Lò Văn D\n' >> "$TMP/h.csv"
"$K" setup --db "$DB" households "$TMP/h.csv" 2>/dev/null || fail "households with T2"
run "$K" answer --db "$DB" "$OLD" hh_no 58
expect_status 1
# open_and_correct: Enter on the list opens it read-only; E, y reopen it.
open_and_correct() {
    key Enter
    wait_for "COMPLETE  E correct"
    key E
    wait_for "(y/n)"
    key y
    wait_for "Reopened for correction"
}
# Opened at its first question.
sqlite3 "$DB" "UPDATE interviews SET position = NULL WHERE uuid = '$OLD'"
tui_run setupdone 80 24
wait_for "complete 1"
key Home Down Down r
wait_for "complete"
open_and_correct
key Enter
whole "Household 58 is not on the list of village Thôn Hai (1 household). Is this household new or missing from the list? (y/n)"
key n
wait_for "Số thứ tự của hộ"
whole "The household number is not on this village's list: correct it, or confirm it, before finishing."
expect_sql "SELECT count(*) FROM audit WHERE event = 'not-on-list' AND interview = '$OLD' AND new_value LIKE 'T2 58%'" 0
key Enter
whole "Household 58 is not on the list of village Thôn Hai (1 household). Is this household new or missing from the list? (y/n)"
key y
wait_for "Tên thôn (ấp, bản)"
expect_sql "SELECT note FROM notes WHERE qid = 'hh_no' AND interview = '$OLD'" "Household 58 is not on the list of village T2 (Thôn Hai): the enumerator confirmed it is new or missing from the list."
key C-f
wait_for "The interview is complete and saved."
key Space
wait_for "Enter open"
expect_sql "SELECT status FROM interviews WHERE uuid = '$OLD'" complete
events=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE event = 'not-on-list'")
sqlite3 "$DB" "UPDATE interviews SET position = NULL WHERE uuid = '$OLD'"
open_and_correct
key Enter
wait_for "Số thứ tự của hộ"
key Enter
wait_for "Tên thôn (ấp, bản)"
screen | grep -qF "(y/n)" && fail "a confirmed number was asked about again: $(screen)"
expect_sql "SELECT count(*) FROM audit WHERE event = 'not-on-list'" "$events"
key C-f
wait_for "The interview is complete and saved."
key Space
wait_for "Enter open"
key Escape
wait_for "Enter new"
key q
wait_exit 0
expect_sql "SELECT status FROM interviews WHERE uuid = '$OLD'" complete

finish
