#!/usr/bin/env python3
"""A Hive skill in another program: rolls dice. Python 3 standard library only; MQTT goes
through mosquitto_sub and mosquitto_pub (Debian package mosquitto-clients).

    python3 dice_skill.py [--host 127.0.0.1] [--port 1883] [--prefix hive]

It registers by publishing its manifest (retained), answers every request on its request
topic, and unregisters (an empty retained manifest) when stopped with Ctrl-C or SIGTERM.
"""
import argparse
import json
import random
import signal
import subprocess
import sys

MANIFEST = {
    "name": "dice",
    "version": "1.0.0",
    "description": "Rolls a die.",
    "intents": [{
        "name": "dice.roll",
        "description": "Roll a die and say the number.",
        "parameters": [{"name": "sides", "type": "integer", "minimum": 2, "maximum": 100,
                        "description": "How many sides the die has (6 when not given)."}],
        "triggers": {
            "en": ["roll a die", "roll the dice", "roll a {sides} sided die"],
            "fr": ["lance un dé", "lance les dés"],
            "nl": ["gooi een dobbelsteen"],
        },
    }],
}

SAID = {"en": "You rolled a {}.", "fr": "Tu as fait {}.", "nl": "Je gooide {}."}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="1883")
    parser.add_argument("--prefix", default="hive")
    args = parser.parse_args()
    broker = ["-h", args.host, "-p", str(args.port)]
    base = f"{args.prefix}/skill/{MANIFEST['name']}"

    def publish(topic, payload, retain=False):
        command = ["mosquitto_pub", *broker, "-q", "1", "-t", topic]
        command += ["-r"] if retain else []
        command += ["-m", payload] if payload else ["-n"]
        subprocess.run(command, check=True)

    # Subscribe before registering, so that no request can arrive unheard. With -d,
    # mosquitto_sub reports its SUBACK on stdout; with -v, each message is "topic payload".
    # stdbuf: into a pipe, its output would otherwise wait in a buffer.
    requests = subprocess.Popen(
        ["stdbuf", "-oL", "mosquitto_sub", *broker, "-q", "1", "-d", "-v",
         "-t", f"{base}/request"],
        stdout=subprocess.PIPE, text=True)

    def stop(*_):
        publish(f"{base}/manifest", "", retain=True)  # unregister
        requests.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for line in requests.stdout:
        if line.startswith("Subscribed"):
            publish(f"{base}/manifest", json.dumps(MANIFEST), retain=True)
            print("ready", flush=True)
            continue
        topic, _, payload = line.rstrip("\n").partition(" ")
        if topic != f"{base}/request":
            continue  # a debug line
        request = json.loads(payload)
        sides = int(request.get("slots", {}).get("sides", 6))
        roll = random.randint(1, sides)
        lang = request.get("lang") if request.get("lang") in SAID else "en"
        answer = {"id": request["id"], "speech": SAID[lang].format(roll), "data": {"roll": roll}}
        publish(f"{base}/response", json.dumps(answer))


if __name__ == "__main__":
    main()
