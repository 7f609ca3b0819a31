#!/usr/bin/env bash
# Install cnsl, start a dev agent, write and read a key with the CLI, then keep the agent running.
. "$(dirname "$0")/venv.sh"
agentd -dev &
agent=$!
trap 'kill $agent 2>/dev/null; wait $agent 2>/dev/null' EXIT INT TERM
python - <<'PY'
import time, urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen("http://127.0.0.1:8500/v1/status/leader", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
PY
set -x
cnsl kv put hello world
cnsl kv get hello
{ set +x; } 2>/dev/null
echo "agentd -dev is serving on http://127.0.0.1:8500 (Ctrl-C to stop)"
wait $agent
