"""The real MQTT broker in tests: is one answering, a broker of the test's own on another port,
and a publisher."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid

import orjson
import paho.mqtt.client as mqtt

BROKER = ("127.0.0.1", 1883)


def broker_unavailable(host: str = BROKER[0], port: int = BROKER[1]) -> str | None:
    """None when a broker accepts connections, else why not (the reason a test is skipped)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as error:
        return f"no MQTT broker answers at {host}:{port}: {error}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnBroker:
    """A mosquitto of this test's own (its outage disturbs nobody else)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def unavailable() -> str | None:
        return None if shutil.which("mosquitto") else "no mosquitto executable to start a broker"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["mosquitto", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 10
        while broker_unavailable("127.0.0.1", self.port) and time.time() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Publisher:
    def __init__(self, host: str, port: int) -> None:
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}"
        )
        self.client.connect(host, port)
        self.client.loop_start()

    def publish(self, topic: str, payload: dict | bytes) -> None:
        body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
        self.client.publish(topic, body, qos=1).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def wait_until(condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
