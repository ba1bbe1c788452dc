#!/usr/bin/env bash
# Starts the Hive bridge inside the Home Assistant add-on: reads the add-on options and the
# MQTT service credentials, writes a bridge.toml, and runs the bridge.
#
# Plain bash and jq, no bashio, so the same script runs (and is tested) outside the add-on.
# Every path can be moved with an environment variable:
#   OPTIONS_FILE       the add-on options (default /data/options.json)
#   MQTT_SERVICE_FILE  the Supervisor's MQTT service answer as JSON ({"data": {...}});
#                      unset: asked from http://supervisor/services/mqtt with SUPERVISOR_TOKEN
#   CONFIG_OUT         where bridge.toml goes (default /data/bridge.toml)
#   DATA_DIR           conversation, timers, the password file (default /data)
#   MODELS_DIR         models (default /share/hive/models)
#   INGRESS_PORT       where the status page listens for the Supervisor's ingress proxy;
#                      the default is config.yaml's ingress_port
#   HIVE_ADDON_DRY_RUN=1  write the configuration and stop, without starting the bridge
set -euo pipefail

options=${OPTIONS_FILE:-/data/options.json}
config_out=${CONFIG_OUT:-/data/bridge.toml}
data_dir=${DATA_DIR:-/data}
models_dir=${MODELS_DIR:-/share/hive/models}
ingress_port=${INGRESS_PORT:-8099}

log() { echo "[hive-addon] $*" >&2; }

[ -r "$options" ] || { log "Cannot read the options file $options."; exit 2; }

# An option as a TOML string (jq's JSON string is a valid TOML basic string), or empty.
opt() { jq -r --arg key "$1" '.[$key] // empty | if type == "string" then . else tostring end' "$options"; }
toml() { jq -Rn --arg value "$1" '$value'; }

# --- The broker: the options win, else the Supervisor's MQTT service. ---------------------
mqtt_url=$(opt mqtt_url)
mqtt_username=$(opt mqtt_username)
mqtt_password=$(opt mqtt_password)
if [ -z "$mqtt_url" ]; then
    if [ -n "${MQTT_SERVICE_FILE:-}" ]; then
        service=$(cat "$MQTT_SERVICE_FILE")
    elif [ -n "${SUPERVISOR_TOKEN:-}" ]; then
        service=$(curl -fsS -H "Authorization: Bearer ${SUPERVISOR_TOKEN}" http://supervisor/services/mqtt)
    else
        log "No mqtt_url option and no MQTT service (SUPERVISOR_TOKEN is unset)."
        exit 2
    fi
    host=$(jq -r '.data.host // empty' <<<"$service")
    port=$(jq -r '.data.port // 1883' <<<"$service")
    ssl=$(jq -r '.data.ssl // false' <<<"$service")
    [ -n "$host" ] || { log "The MQTT service gave no host."; exit 2; }
    scheme=mqtt
    [ "$ssl" = "true" ] && scheme=mqtts
    mqtt_url="$scheme://$host:$port"
    [ -n "$mqtt_username" ] || mqtt_username=$(jq -r '.data.username // empty' <<<"$service")
    [ -n "$mqtt_password" ] || mqtt_password=$(jq -r '.data.password // empty' <<<"$service")
fi

mkdir -p "$data_dir" "$(dirname "$config_out")"
# The password goes to a file readable only by us, never into bridge.toml or the log.
password_file="$data_dir/mqtt_password"
if [ -n "$mqtt_password" ]; then
    (umask 077 && printf '%s\n' "$mqtt_password" >"$password_file")
fi

# --- bridge.toml ---------------------------------------------------------------------------
{
    echo "# Written by the Hive add-on's run.sh from /data/options.json; edits are overwritten."
    echo "[mqtt]"
    echo "url = $(toml "$mqtt_url")"
    echo "client_id = \"hive-bridge\""
    echo "prefix = $(toml "$(opt topic_prefix)")"
    if [ -n "$mqtt_username" ]; then
        echo "username = $(toml "$mqtt_username")"
    fi
    if [ -n "$mqtt_password" ]; then
        echo "password_file = $(toml "$password_file")"
    fi
    echo
    echo "[models]"
    echo "dir = $(toml "$models_dir")"
    echo
    echo "[stt]"
    echo "type = \"whisper\""
    echo "model = $(toml "$(opt stt_model)")"
    echo
    echo "[context]"
    echo "path = $(toml "$data_dir/context")"
    echo
    # The panel: the Supervisor's ingress proxy connects from its own address on the add-on
    # network, so the page listens on every interface of the container (the host's ports
    # stay closed: config.yaml maps none).
    echo "[http]"
    echo "enabled = true"
    echo "listen = $(toml "0.0.0.0:$ingress_port")"
    echo
    echo "[assistant]"
    echo "name = $(toml "$(opt assistant_name)")"
    echo "language = $(toml "$(opt language)")"
    time_zone=$(opt time_zone)
    time_zone=${time_zone:-${TZ:-UTC}}
    echo "time_zone = $(toml "$time_zone")"
    echo
    echo "[discovery]"
    echo "enabled = $(jq -r '.discovery // true' "$options")"
    echo "prefix = $(toml "$(opt discovery_prefix)")"
    echo "per_entity = $(jq -r '.discovery_per_entity // false' "$options")"
    llm_url=$(opt llm_url)
    if [ -n "$llm_url" ]; then
        echo
        echo "[[llm]]"
        echo "type = \"openai\""
        echo "url = $(toml "$llm_url")"
        echo "model = $(toml "$(opt llm_model)")"
        llm_key=$(opt llm_api_key)
        [ -z "$llm_key" ] || echo "api_key = $(toml "$llm_key")"
    fi
} >"$config_out.tmp"
mv "$config_out.tmp" "$config_out"
log "Configuration written to $config_out (broker $mqtt_url)."

if [ "${HIVE_ADDON_DRY_RUN:-0}" = "1" ]; then
    exit 0
fi
export RUST_LOG="${RUST_LOG:-$(opt log_level)}"
exec hive-bridge --config "$config_out" run
