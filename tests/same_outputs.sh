#!/bin/sh
# tests/same_outputs.sh [--keep] OLDREV NEWREV: does NEWREV give the same
# outputs as OLDREV? Builds both revisions out of tree in temporary git
# worktrees (under one mktemp -d folder), makes the seeded databases and
# bundles once, runs the fixed list of read-only commands of
# tests/golden_lib.sh with each build on copies of them, and compares the
# outputs byte for byte. Exit 0 when every output is the same, 1 when any
# differs (the differences are printed), 2 when a revision does not build.
#
# The databases are made by OLDREV's build, which both can read (a newer
# schema would be refused by the older build); when both builds have
# simulate --clock, NEWREV makes them too and the files are compared.
# A build without a fixed clock (before SOURCE_DATE_EPOCH) runs under
# faketime, so that the report's heading shows the same minute.
# The command list and this script are this tree's, whatever the
# revisions; each build uses its own revision's forms.
# --keep leaves the folder (builds, data, outputs) and prints its name.
set -u
keep=0
[ "${1:-}" = --keep ] && { keep=1; shift; }
if [ $# -ne 2 ]; then
    echo "usage: tests/same_outputs.sh [--keep] OLDREV NEWREV" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel) || exit 2
. "$here/golden_lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/khaosat-same.XXXXXX")
cleanup() {
    for d in "$work"/src-*; do
        [ -d "$d" ] && git -C "$repo" worktree remove --force "$d" 2>/dev/null
    done
    git -C "$repo" worktree prune
    if [ "$keep" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# build NAME REV: a worktree at REV and an out-of-tree build of it.
build() {
    src="$work/src-$1" bld="$work/build-$1"
    git -C "$repo" worktree add -q --detach "$src" "$2" || return 1
    (cd "$src" && autoreconf -fi >"$work/$1-build.log" 2>&1) || return 1
    mkdir "$bld"
    (cd "$bld" && "$src/configure" -q >>"$work/$1-build.log" 2>&1 &&
        make -j2 >>"$work/$1-build.log" 2>&1) || return 1
}

old=$(git -C "$repo" rev-parse --short "$1^{commit}") &&
    new=$(git -C "$repo" rev-parse --short "$2^{commit}") || exit 2
for side in old new; do
    eval rev=\$$side
    echo "building $side ($rev)"
    build "$side" "$rev" ||
        { echo "$rev does not build; see $work/$side-build.log" >&2
          keep=1; exit 2; }
done

# run SIDE DATA OUT: the command list with SIDE's build and forms.
run() {
    k="$work/build-$1/src/khaosat"
    if grep -q SOURCE_DATE_EPOCH "$k"; then
        golden_run "$k" "$work/src-$1/forms" "$2" "$3"
    elif command -v faketime >/dev/null; then
        # shellcheck disable=SC2016 # expanded by the inner shell
        wrap="$work/$1-faketime"
        printf '#!/bin/sh\nexec faketime "2026-06-01 15:00:00" "%s" "$@"\n' \
            "$k" >"$wrap"
        chmod +x "$wrap"
        golden_run "$wrap" "$work/src-$1/forms" "$2" "$3"
    else
        echo "warning: $1's build has no fixed clock and faketime is" \
             "missing: the report's heading may differ by a minute" >&2
        golden_run "$k" "$work/src-$1/forms" "$2" "$3"
    fi
}

status=0
mkdir "$work/data-old"
golden_make "$work/build-old/src/khaosat" "$work/src-old/forms" \
    "$work/data-old" || { keep=1; exit 2; }
if "$work/build-new/src/khaosat" simulate --help 2>&1 | grep -q -- --clock &&
    "$work/build-old/src/khaosat" simulate --help 2>&1 | grep -q -- --clock
then
    mkdir "$work/data-new"
    golden_make "$work/build-new/src/khaosat" "$work/src-new/forms" \
        "$work/data-new" || { keep=1; exit 2; }
    for f in a.db b.db office.db up/a.khb up/b.khb; do
        if cmp -s "$work/data-old/$f" "$work/data-new/$f"; then
            echo "same file: $f (made by each build)"
        else
            echo "DIFFERENT file: $f (made by each build)"
            status=1
        fi
    done
fi
run old "$work/data-old" "$work/out-old"
run new "$work/data-old" "$work/out-new"
golden_commands | while read -r name args; do
    if cmp -s "$work/out-old/$name" "$work/out-new/$name"; then
        echo "same: $name: khaosat $args"
    else
        echo "DIFFERENT: $name: khaosat $args"
        diff -u "$work/out-old/$name" "$work/out-new/$name" | head -n 30
    fi
done | tee "$work/verdict"
grep -q '^DIFFERENT' "$work/verdict" && status=1
n=$(grep -c '^same' "$work/verdict")
d=$(grep -c '^DIFFERENT' "$work/verdict")
echo "$old -> $new: $n same, $d different"
exit $status
