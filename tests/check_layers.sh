#!/bin/sh
# check_layers.sh: the rules that keep khaosat's layers apart, checked on
# the source tree.  Each violation is printed as FILE:LINE: rule: what.
#   curses   curses is included only by src/ui/ui_curses.h;
#   internal a folder's *_int.h is included only inside that folder;
#   layers   a folder includes only the folders below it (see DEPS);
#   sql      SQL text on the laptop/office database lives in src/store; a
#            file that speaks SQL only to a bundle file says so with the
#            marker "layers: bundle-sql" in its first comment.
# tests/layers.pending lists violations still being paid off, one
# "FILE RULE" per line: listed ones are tolerated, and a listed one that is
# gone is an error too, so the list only ever shrinks.
set -u
top=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1

# Which folders each folder of src/ may include, besides itself.
DEPS='core:
store:core
session:core store
sync:core store
report:core store session
xlsform:core
ui:core store session sync report xlsform
cli:core store session sync report xlsform ui'

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

sources=$(find src -name '*.[ch]' | sort)
for f in $sources; do
    dir=$(echo "$f" | cut -d/ -f2)
    allowed=$(echo "$DEPS" | awk -F: -v d="$dir" '$1 == d { print $2 }')
    awk -v f="$f" -v dir="$dir" -v allowed=" $allowed " '
        /#[ \t]*include[ \t]*<(n?curses|ncursesw\/)/ && f != "src/ui/ui_curses.h" {
            print f ":" FNR ": curses: include ui/ui_curses.h, not curses directly"
        }
        /#[ \t]*include[ \t]*"[a-z]+\/[a-z_]+_int\.h"/ {
            match($0, /"[a-z]+\//); owner = substr($0, RSTART + 1, RLENGTH - 2)
            if (owner != dir)
                print f ":" FNR ": internal: " owner "/*_int.h belongs to src/" owner
        }
        /#[ \t]*include[ \t]*"[a-z]+\// {
            match($0, /"[a-z]+\//); to = substr($0, RSTART + 1, RLENGTH - 2)
            if (to != dir && index(allowed, " " to " ") == 0)
                print f ":" FNR ": layers: src/" dir " may not include src/" to
        }
        FNR <= 5 && /layers: bundle-sql/ { bundle = 1 }
        dir != "store" && !bundle &&
        /"[ \t]*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|ATTACH|DETACH|VACUUM|DROP|ALTER|WITH)[ \t("]/ {
            print f ":" FNR ": sql: SQL on the database belongs in src/store"
        }' "$f" >> "$out"
done

status=0
# Violations not on the pending list.
while IFS= read -r line; do
    file=${line%%:*}
    rule=$(echo "$line" | cut -d: -f3 | tr -d ' ')
    if ! grep -qx "$file $rule" tests/layers.pending 2>/dev/null; then
        echo "$line"
        status=1
    fi
done < "$out"
# Pending entries that are paid off: take them off the list.
while read -r file rule; do
    case "$file" in ''|'#'*) continue ;; esac
    if ! grep -q "^$file:[0-9]*: $rule:" "$out"; then
        echo "tests/layers.pending: '$file $rule' is fixed: remove the line"
        status=1
    fi
done < tests/layers.pending
n=$(wc -l < "$out")
echo "layers: $n pending violation(s) listed in tests/layers.pending"
[ "$status" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $status
