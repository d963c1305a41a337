#!/usr/bin/env bash
# The baseline for scripts/bench/run section 3: a bare Tauri 2 window (one page, one command), built
# from the same crate versions and release profile as LakeKey's desktop app and measured the same
# way in the same run, so LakeKey's figures can be read as "cost over Tauri itself".
#
#   DISPLAY=:N scripts/bench/bare_tauri.sh [idle_seconds]    (the caller runs the X server)
#   scripts/bench/bare_tauri.sh --build-only
#
# Prints one line on stdout: `bare start_ms=<n> pss_mib=<n> cpu_ms_per_min=<n>`, or with
# --build-only `bare bin=<path>` (scripts/bench/run then times its starts alternately with LakeKey's);
# everything else goes to stderr.
set -euo pipefail
# scripts/bench/run runs the app under dbus-run-session. Without a session bus, GLib would autolaunch
# one per X display (which can stall the first start and outlives this script), so bring our own.
# Services the bus starts inherit its stdout, so it gets stderr and the result line goes via fd 3.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
  exec 3>&1 1>&2
  BARE_TAURI_RESULT_FD=3 exec dbus-run-session -- "$0" "$@"
fi
[ -n "${BARE_TAURI_RESULT_FD:-}" ] || exec 3>&1 1>&2 # fd 3 keeps stdout for the result line alone
build_only=""
[ "${1:-}" = "--build-only" ] && { build_only=1; shift; }
idle_s=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "$build_only" ] || : "${DISPLAY:?set DISPLAY to the X display to measure under (the caller starts Xvfb)}"
case $idle_s in '' | *[!0-9]* | 0) echo "idle seconds must be a positive integer" >&2; exit 2 ;; esac

work=$(mktemp -d /tmp/bare-tauri.XXXXXX)
# WebKit keeps the bare app's data under its identifier; remove it afterwards unless it was there.
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/dev.lakekey.bare-tauri"
[ -e "$data_dir" ] && data_dir=""
app=""
descendants() { local p=$1; echo "$p"; for c in $(pgrep -P "$p"); do descendants "$c"; done; }
stop_app() {
  [ -n "$app" ] || return 0
  kill $(descendants "$app") 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  app=""
}
trap 'stop_app; rm -rf "$work" ${data_dir:+"$data_dir"}' EXIT
trap 'exit 130' INT TERM # run the EXIT trap on Ctrl-C / kill too

# Exact versions from LakeKey's lock file, so the baseline compiles the very same crates.
lock_version() {
  awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock"
}
tauri_v=$(lock_version tauri)
tauri_build_v=$(lock_version tauri-build)
webkit2gtk_v=$(lock_version webkit2gtk)
[ -n "$tauri_v" ] && [ -n "$tauri_build_v" ] && [ -n "$webkit2gtk_v" ] || { echo "tauri versions not found in Cargo.lock" >&2; exit 1; }
# LakeKey's release profile, verbatim: LTO and codegen units change both start-up and binary size.
release_profile=$(awk '/^\[profile\.release\]/ { on = 1; print; next } /^\[/ { on = 0 } on' "$root/Cargo.toml")

proj="$work/app"
mkdir -p "$proj/src" "$proj/dist" "$proj/icons"
cp "$root/Cargo.lock" "$proj/" # cargo prunes what the bare app does not use; the rest stays pinned

# Icons: generate_context! embeds the window icon, so reference whichever of LakeKey's exist.
icons=()
for f in 32x32.png 128x128.png 128x128@2x.png icon.png icon.ico icon.icns; do
  [ -f "$root/icons/$f" ] && cp "$root/icons/$f" "$proj/icons/" && icons+=("\"icons/$f\"")
done
icon_json=$(IFS=,; echo "${icons[*]}")

cat > "$proj/Cargo.toml" <<TOML
[package]
name = "bare-tauri"
version = "0.1.0"
edition = "2021"
publish = false

# Standalone: not part of LakeKey's workspace.
[workspace]

[build-dependencies]
tauri-build = { version = "=$tauri_build_v", features = [] }

[dependencies]
tauri = { version = "=$tauri_v", features = [] }

# To apply LakeKey's web view memory settings (see src/main.rs).
[target.'cfg(target_os = "linux")'.dependencies]
webkit2gtk = "=$webkit2gtk_v"

$release_profile
TOML

cat > "$proj/build.rs" <<'RS'
fn main() {
    tauri_build::build()
}
RS

cat > "$proj/tauri.conf.json" <<JSON
{
  "\$schema": "https://schema.tauri.app/config/2",
  "productName": "BareTauri",
  "version": "0.1.0",
  "identifier": "dev.lakekey.bare-tauri",
  "build": { "frontendDist": "dist" },
  "app": {
    "windows": [{ "label": "main", "title": "Bare Tauri", "width": 800, "height": 600 }]
  },
  "bundle": { "active": false, "icon": [$icon_json] }
}
JSON
# No capabilities/ directory: an app's own commands (here `ready`) need no permission, and the
# page uses nothing else. __TAURI_INTERNALS__ is always injected, so withGlobalTauri stays off,
# as in LakeKey.

# Like LakeKey's Vite build: a module script in <head> that makes the first IPC call.
cat > "$proj/dist/index.html" <<'HTML'
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Bare Tauri</title>
    <script type="module" src="/main.js"></script>
  </head>
  <body>
    <p>A bare Tauri 2 window.</p>
  </body>
</html>
HTML
cat > "$proj/dist/main.js" <<'JS'
document.addEventListener('DOMContentLoaded', () => window.__TAURI_INTERNALS__.invoke('ready'));
JS

cat > "$proj/src/main.rs" <<'RS'
//! A bare Tauri 2 window: the baseline LakeKey's desktop app is measured against.

use std::sync::OnceLock;
use tauri::{Manager, Runtime};

/// Mirrors LakeKey's `startup_probe`, which fires in the command the UI calls first (an async
/// command, like LakeKey's `list_profiles`): the page is loaded and its script can talk to Rust.
#[tauri::command]
async fn ready() {
    static SAID: OnceLock<()> = OnceLock::new();
    if std::env::var_os("BARE_STARTUP_PROBE").is_some_and(|v| v == "1") && SAID.set(()).is_ok() {
        let epoch_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        eprintln!("bare-tauri: interactive at epoch_ms={epoch_ms}");
    }
}

fn main() {
    // Copied from LakeKey's main.rs: no DMA-BUF renderer (set before GTK starts).
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .setup(|app| {
            low_memory_webview(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the bare Tauri window could not start");
}

RS
# LakeKey's own `low_memory_webview`, taken from its source so the baseline cannot drift from it.
# (Its tray, plugins and background refresher are LakeKey's own cost and stay out.)
webview_fn=$(awk '/^fn low_memory_webview/ { on = 1 } on { print } on && /^}/ { exit }' "$root/src-tauri/src/main.rs")
[ -n "$webview_fn" ] || { echo "low_memory_webview not found in src-tauri/src/main.rs" >&2; exit 1; }
printf '\n%s\n' "$webview_fn" >> "$proj/src/main.rs"

echo "== bare Tauri $tauri_v (tauri-build $tauri_build_v): cargo build --release"
export CARGO_TARGET_DIR="$root/target/bare-tauri" # its own dir: different features, no clash
t_build=$(date +%s)
# `tauri build` (how LakeKey's app is built) turns on tauri/custom-protocol, i.e. production mode
# serving the embedded frontend; plain cargo would build a dev-mode app.
(cd "$proj" && cargo build --release --features tauri/custom-protocol)
echo "   built in $(( $(date +%s) - t_build )) s"
bin="$CARGO_TARGET_DIR/release/bare-tauri"
if [ -n "$build_only" ]; then
  echo "bare bin=$bin" >&3
  exit 0
fi

# From here on, exactly as scripts/bench/run section 3 measures LakeKey's app.
app_env=(env DISPLAY="$DISPLAY" BARE_STARTUP_PROBE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1)
echo "== bare Tauri: 5 cold starts, idle PSS, ${idle_s} s idle CPU"
starts=()
for run in 1 2 3 4 5; do
  t0=$(date +%s%3N)
  "${app_env[@]}" "$bin" 2>"$work/app.err" 3>&- &
  app=$!
  # Up to 30 s (the bench gives LakeKey 15): a fresh session bus makes the first start activate
  # xdg-desktop-portal, which took 9 s here. The median of 5 drops that start.
  for _ in $(seq 1 600); do grep -q "interactive at" "$work/app.err" && break; sleep 0.05; done
  ready=$(sed -nE 's/.*interactive at epoch_ms=([0-9]+).*/\1/p' "$work/app.err" | head -1)
  if [ -z "$ready" ]; then
    echo "bare app not interactive within 30 s; its stderr:" >&2
    cat "$work/app.err" >&2
    exit 1
  fi
  starts+=($((ready - t0)))
  if [ "$run" -lt 5 ]; then stop_app; fi
done
echo "   starts (ms): ${starts[*]}"
start_ms=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)
sleep 10
pids=$(descendants "$app")
pss_mib=$(for p in $pids; do awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null; done | awk '{s+=$1} END {printf "%.0f", s/1024}')
ticks() { for p in $pids; do awk '{print $14+$15}' /proc/$p/stat 2>/dev/null; done | awk '{s+=$1} END {print s+0}'; }
# Ticks are 10 ms per process, so short windows are coarse (20 s: steps of 30 ms per minute).
c0=$(ticks); sleep "$idle_s"; c1=$(ticks)
cpu_ms=$(( (c1 - c0) * 1000 * 60 / ($(getconf CLK_TCK) * idle_s) ))
for p in $pids; do # per process, for reading the total (stderr only)
  echo "   $(cat /proc/$p/comm 2>/dev/null): $(awk '/^Pss:/ {printf "%.0f", $2/1024}' /proc/$p/smaps_rollup 2>/dev/null) MiB PSS"
done
stop_app

echo "bare start_ms=$start_ms pss_mib=$pss_mib cpu_ms_per_min=$cpu_ms" >&3
