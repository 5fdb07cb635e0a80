# Shared by the screenshot scripts: actorscope-top in a detached tmux session, captured as
# text and as a PNG. Source it after setting BIN, OUT, TMP and TS (the tmux socket name);
# then `tui_start ADDRESS`, `keys KEY...` and `shot NAME PREFIX`.
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
BOLD=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf

# Starts actorscope-top against ADDRESS at 120x36 and lets it draw its first frames.
tui_start() {
  tmux -L "$TS" -f /dev/null new-session -d -s top -x 120 -y 36 \
    "env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $1"
  sleep 3
}

keys() { tmux -L "$TS" send-keys -t top "$@"; }

# shot NAME PREFIX: OUT/PREFIX-NAME.txt (the text) and OUT/PREFIX-NAME.png (with colours).
shot() {
  local name=$1 prefix=$2
  sleep 1.5
  tmux -L "$TS" capture-pane -p -t top >"$OUT/$prefix-$name.txt"
  tmux -L "$TS" capture-pane -e -p -t top >"$TMP/$name.ansi"
  "$BIN/actorscope-screen2png" "$TMP/$name.ansi" "$OUT/$prefix-$name.png" "$FONT" "$BOLD" 16
  echo "screenshots: $OUT/$prefix-$name.png"
}
