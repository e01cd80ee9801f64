#!/bin/sh
# tui_forms.sh: a form file with errors is left out, and the screen says so
# (with the file, line and reason) before anything else, instead of the
# form silently missing from the home screen.  A forms directory with no
# form at all stops the program with the advice on stderr.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-forms-$$
DB=$TMP/laptop.db
mkdir "$TMP/forms" "$TMP/empty"
cp "$FORMS/household.yaml" "$TMP/forms/"
cp "$TESTDATA/bad_unknown_type.yaml" "$TMP/forms/"
laptop laptop "Lò Văn Minh" "Xã Đông Hòa"

tui_start forms "$TMP/forms"
wait_for "Forms left out"
wait_for "bad_unknown_type.yaml:8:11"
wait_for "integr"
key q
wait_gone "Forms left out"
wait_for "Enter new"
key q
wait_exit 0

# No form at all: refused before the screen starts, saying what to do.
run "$KHAOSAT" --db "$DB" --forms "$TMP/empty" </dev/null
expect_status 1
finish
