"""Browses _wyoming._tcp.local. with python-zeroconf (the library Home Assistant uses).

Prints one JSON line whenever a service appears, its resolved records change, or it goes away.
Runs until stdin closes. Used by test/adapters/mdns.test.ts inside a private network namespace.
"""
import json
import sys
import threading
import time

from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

SERVICE_TYPE = "_wyoming._tcp.local."
POLL_S = 0.3
RESOLVE_TIMEOUT_MS = 1500

known = {}
lock = threading.Lock()


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def on_change(zeroconf, service_type, name, state_change):
    with lock:
        if state_change is ServiceStateChange.Removed:
            known.pop(name, None)
            emit({"event": "down", "name": name})
        elif name not in known:
            known[name] = None


def resolve_loop(zc, stop):
    while not stop.is_set():
        with lock:
            names = list(known.keys())
        for name in names:
            info = ServiceInfo(SERVICE_TYPE, name)
            if not info.request(zc, RESOLVE_TIMEOUT_MS):
                continue
            seen = {
                "event": "up",
                "name": name,
                "port": info.port,
                "server": info.server,
                "addresses": sorted(info.parsed_addresses()),
            }
            with lock:
                if name in known and known[name] != seen:
                    known[name] = seen
                    emit(seen)
        time.sleep(POLL_S)


def main():
    zc = Zeroconf()
    stop = threading.Event()
    ServiceBrowser(zc, SERVICE_TYPE, handlers=[on_change])
    worker = threading.Thread(target=resolve_loop, args=(zc, stop), daemon=True)
    worker.start()
    emit({"event": "ready"})
    sys.stdin.read()
    stop.set()
    zc.close()


if __name__ == "__main__":
    main()
