# tests/lib.sh: helpers for the black-box shell tests. Source it; the test
# environment exports KHAOSAT (the program), TESTDATA and FORMS.
set -u
: "${KHAOSAT:?KHAOSAT must point at the khaosat program}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/khaosat-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C.UTF-8 LANGUAGE=
ks_failures=0
ks_checks=0

# fail MESSAGE: record a failure and carry on, so one run shows them all.
fail() {
    echo "FAIL: $*" >&2
    ks_failures=$((ks_failures + 1))
}

# run CMD...: run a command, keeping stdout, stderr and status in
# $TMP/out, $TMP/err and $status.
run() {
    ks_checks=$((ks_checks + 1))
    status=0
    "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
}

# expect_status N: the last run exited with N.
expect_status() {
    [ "$status" -eq "$1" ] ||
        fail "expected exit $1, got $status: $(cat "$TMP/err")"
}

# expect_out TEXT: the last run's stdout is exactly TEXT.
expect_out() {
    actual=$(cat "$TMP/out")
    [ "$actual" = "$1" ] || fail "expected stdout '$1', got '$actual'"
}

# expect_err_contains TEXT: the last run's stderr contains TEXT.
expect_err_contains() {
    grep -qF -- "$1" "$TMP/err" ||
        fail "expected stderr to contain '$1', got '$(cat "$TMP/err")'"
}

# expect_out_contains TEXT: the last run's stdout contains TEXT.
expect_out_contains() {
    grep -qF -- "$1" "$TMP/out" ||
        fail "expected stdout to contain '$1', got '$(cat "$TMP/out")'"
}

# unpack BUNDLE: turn a compressed plain bundle into the bare SQLite file
# in place, as `zstd -d` does (khaosat reads it either way).
unpack() {
    zstd -q -d -c "$1" > "$1.unpacked" && mv "$1.unpacked" "$1"
}

# bundle_sql BUNDLE SQL: run SQL with sqlite3 on the SQLite file inside a
# compressed plain bundle, leaving the bundle as it is.
bundle_sql() {
    zstd -q -d -c "$1" > "$TMP/bundle_sql.sqlite" &&
        sqlite3 "$TMP/bundle_sql.sqlite" "$2"
}

# db_digest DB: a fingerprint of everything in a database (to show that a
# refused command left it exactly as it was).
db_digest() { sqlite3 "$1" .dump | sha256sum; }

# expect_same DB BEFORE WHAT: the database's digest is still BEFORE (WHAT
# names what was refused or repeated, for the message).
expect_same() {
    ks_checks=$((ks_checks + 1))
    [ "$(db_digest "$1")" = "$2" ] || fail "$3 changed $(basename "$1")"
}

# laptop NAME ENUMERATOR COMMUNE: a laptop database $TMP/NAME.db with the
# settings the first-run screen asks for, before any data.
laptop() {
    "$KHAOSAT" simulate --db "$TMP/$1.db" --forms "$FORMS" --form household --count 0 >/dev/null
    sqlite3 "$TMP/$1.db" "INSERT INTO settings VALUES ('enumerator', '$2');
                          INSERT INTO settings VALUES ('commune', '$3');"
}

# office_pair OFFICE LAPTOP...: the office database $TMP/OFFICE.db (card
# "UBND xã" of "Xã Đông Hòa") and the laptops $TMP/LAPTOP.db trusting each
# other; each laptop's interviews exported to $TMP/up and merged at the
# office with the forms of $FORMS.
office_pair() {
    op_o=$1
    shift
    mkdir -p "$TMP/up"
    "$KHAOSAT" keys export --db "$TMP/$op_o.db" --role office --name "UBND xã" \
        --commune "Xã Đông Hòa" --to "$TMP/$op_o.card" 2>/dev/null
    for op_l in "$@"; do
        "$KHAOSAT" keys export --db "$TMP/$op_l.db" --to "$TMP/$op_l.card" 2>/dev/null
        "$KHAOSAT" keys trust --db "$TMP/$op_l.db" --yes "$TMP/$op_o.card" >/dev/null 2>&1 ||
            fail "$op_l trusts $op_o"
        "$KHAOSAT" keys trust --db "$TMP/$op_o.db" --yes "$TMP/$op_l.card" >/dev/null 2>&1 ||
            fail "$op_o trusts $op_l"
        "$KHAOSAT" export --db "$TMP/$op_l.db" --to "$TMP/up" >/dev/null 2>&1 ||
            fail "$op_l exports"
    done
    "$KHAOSAT" merge --db "$TMP/$op_o.db" --forms "$FORMS" "$TMP/up" >/dev/null 2>&1 ||
        fail "$op_o merges"
}

# down_export OFFICE_DB: the office's downstream bundle, written afresh
# into $TMP/down (its export checked to succeed); its path in $D.
down_export() {
    rm -rf "$TMP/down"
    mkdir -p "$TMP/down"
    run "$KHAOSAT" export --db "$1" --down --to "$TMP/down"
    expect_status 0
    D=$(cat "$TMP/out")
}

# as_user CMD...: run CMD as an unprivileged user when we are root (root
# reads and writes any file, so permissions could not be tested).
as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

# finish: report and exit with the right status for the test driver.
finish() {
    echo "$((ks_checks)) checks, $ks_failures failed"
    [ "$ks_failures" -eq 0 ]
}
