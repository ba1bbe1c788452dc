#!/bin/sh
# Makes a private certificate authority and a server certificate for Mosquitto's TLS
# listener, with openssl. Run it once, then copy the files as mosquitto/README.md says.
#
#   ./make-certs.sh [output directory] [broker host name] [more names or IP addresses...]
#   ./make-certs.sh --client NAME [output directory]
#
# The second form makes a client certificate NAME.crt and key NAME.key signed by the CA
# already in the directory (run the first form before), for a broker that requires client
# certificates (`require_certificate true`): with `use_identity_as_username true` the
# certificate's common name, NAME, is the client's MQTT user name, so use the user names of
# mosquitto/acl (`hive-bridge`, `homeassistant`, a satellite's id). See mosquitto/README.md.
#
# Defaults: ./certs, the machine's host name; `localhost` and 127.0.0.1 are always added.
# Clients need only ca.crt (the bridge's `mqtt.tls.ca_file`, a satellite's CA file,
# `mosquitto_sub --cafile`). Keep ca.key offline: whoever holds it can impersonate the
# broker. Running it again keeps an existing CA and renews the server certificate, so
# clients need not be given a new ca.crt.
set -eu

days_client=825

if [ "${1:-}" = "--client" ]; then
    name=${2:?usage: make-certs.sh --client NAME [output directory]}
    out=${3:-certs}
    case "$name" in
        *[!a-z0-9-]*) echo "client name: lower-case letters, digits and - only" >&2; exit 2 ;;
    esac
    if [ ! -f "$out/ca.key" ] || [ ! -f "$out/ca.crt" ]; then
        echo "no CA in $out: run make-certs.sh $out first" >&2
        exit 1
    fi
    umask 077
    openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=$name" \
        -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' \
        > "$out/$name.ext"
    openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
        -CAcreateserial -days "$days_client" -sha256 -extfile "$out/$name.ext" \
        -out "$out/$name.crt" 2>/dev/null
    rm -f "$out/$name.csr" "$out/$name.ext"
    chmod 644 "$out/$name.crt"
    echo "Client certificate: $out/$name.crt (CN=$name)"
    echo "Client key:         $out/$name.key (give it only to that client)"
    exit 0
fi

out=${1:-certs}
host=${2:-$(hostname)}
[ $# -gt 2 ] && shift 2 || set --
days_ca=3650
days_server=825   # the most that Apple and browsers accept; renew with this script

mkdir -p "$out"
umask 077

# The certificate authority: a self-signed certificate, only for signing.
if [ ! -f "$out/ca.key" ] || [ ! -f "$out/ca.crt" ]; then
    openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days "$days_ca" \
        -subj "/CN=Hive MQTT CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$out/ca.key" -out "$out/ca.crt" 2>/dev/null
fi

# Subject alternative names: clients check the name they connect to against these.
san="DNS:$host,DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
    case "$name" in
        *[!0-9.]*) san="$san,DNS:$name" ;;  # anything but digits and dots is a name
        *) san="$san,IP:$name" ;;
    esac
done

openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=$host" \
    -keyout "$out/server.key" -out "$out/server.csr" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
    "$san" > "$out/server.ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -days "$days_server" -sha256 -extfile "$out/server.ext" \
    -out "$out/server.crt" 2>/dev/null
rm -f "$out/server.csr" "$out/server.ext"
chmod 644 "$out/ca.crt" "$out/server.crt"

echo "CA certificate:     $out/ca.crt (give this to every client)"
echo "Server certificate: $out/server.crt ($san)"
echo "Server key:         $out/server.key"
