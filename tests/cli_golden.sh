#!/bin/sh
# tests/cli_golden.sh: the same commands on the same seeded databases give
# the outputs checked in under tests/data/golden, byte for byte (the list
# and the databases are in tests/golden_lib.sh). A refactor must leave
# them alone; a change meant to change an output regenerates them with
#   make golden-update
# (GOLDEN_UPDATE=1 tests/cli_golden.sh) and commits the difference, which
# then shows in review exactly what a user will see change.
. "${SRCDIR:-.}/tests/lib.sh"
. "${SRCDIR:-.}/tests/golden_lib.sh"

golden="${SRCDIR:-.}/tests/data/golden"
mkdir "$TMP/data"
golden_make "$KHAOSAT" "$FORMS" "$TMP/data" || fail "making the databases"
golden_run "$KHAOSAT" "$FORMS" "$TMP/data" "$TMP/got"

if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
    rm -rf "$golden"
    mkdir -p "$golden"
    cp "$TMP"/got/* "$golden"/
    echo "golden outputs written to $golden"
fi

# Twice the same: the seeded databases do not depend on the run.
mkdir "$TMP/again"
golden_make "$KHAOSAT" "$FORMS" "$TMP/again" || fail "making them again"
for f in a.db b.db office.db up/a.khb up/b.khb; do
    ks_checks=$((ks_checks + 1))
    cmp -s "$TMP/data/$f" "$TMP/again/$f" ||
        fail "$f: a second seeded run made another file"
done

golden_commands | while read -r name _; do
    echo "$name"
done >"$TMP/names"
while read -r name; do
    ks_checks=$((ks_checks + 1))
    if [ ! -f "$golden/$name" ]; then
        fail "$name: no golden output (make golden-update writes it)"
    elif ! cmp -s "$golden/$name" "$TMP/got/$name"; then
        fail "$name: output differs from tests/data/golden/$name (if the change is meant, make golden-update):
$(diff -u "$golden/$name" "$TMP/got/$name" | head -n 40)"
    fi
done <"$TMP/names"
# No stale golden file for a command no longer in the list.
for f in "$golden"/*; do
    ks_checks=$((ks_checks + 1))
    grep -qxF "$(basename "$f")" "$TMP/names" ||
        fail "$f: no command of that name in tests/golden_lib.sh"
done
finish
