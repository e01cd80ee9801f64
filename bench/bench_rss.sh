#!/bin/sh
# bench_rss.sh: resident memory of the interview screen with the largest
# bundled form open, read from /proc while it runs in tmux.
set -u
command -v tmux >/dev/null 2>&1 || { echo "rss: tmux missing, skipped"; exit 0; }
tmp=$(mktemp -d)
sock="khaosat-bench-$$"
largest=$(ls -S "$FORMS"/*.yaml | grep -v 'report\.yaml$' | head -n 1)
id=$(sed -n 's/^  id: *//p' "$largest" | head -n 1)
# The home screen lists forms by id: find the row of the largest one.
row=0
for f in "$FORMS"/*.yaml; do
    case "$f" in *report.yaml) continue ;; esac
    sed -n 's/^  id: *//p' "$f" | head -n 1
done | sort > "$tmp/ids"
row=$(grep -n -x "$id" "$tmp/ids" | cut -d: -f1)
tmux -L "$sock" new-session -d -x 100 -y 30 \
    "env LANG=C.UTF-8 $KHAOSAT --db $tmp/db --forms $FORMS; sleep 30"
sleep 1
tmux -L "$sock" send-keys "Bench" Enter "Xa" Enter
sleep 1
i=1
while [ "$i" -lt "$row" ]; do
    tmux -L "$sock" send-keys Down
    i=$((i + 1))
done
tmux -L "$sock" send-keys Enter
sleep 1
tmux -L "$sock" capture-pane -p | grep -q "sections done" || echo "rss: the interview did not open" >&2
pid=$(pgrep -n -f "$KHAOSAT --db $tmp/db")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
echo "interview screen with $(basename "$largest") open: RSS ${rss:-?} kB, peak ${hwm:-?} kB (goal < 16384 kB)"
tmux -L "$sock" kill-server 2>/dev/null
rm -rf "$tmp"
