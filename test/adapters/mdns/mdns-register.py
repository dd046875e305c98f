"""Registers one _wyoming._tcp.local. instance with python-zeroconf (as HA's tools would).

Usage: mdns-register.py INSTANCE PORT SERVER ADDRESS. Prints {"event": "registered"} once the
name is claimed, keeps answering for it until stdin closes, then unregisters. Used by
test/adapters/mdns-conflict.test.ts inside a private network namespace.
"""
import json
import socket
import sys

from zeroconf import ServiceInfo, Zeroconf

SERVICE_TYPE = "_wyoming._tcp.local."


def main():
    instance, port, server, address = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    zc = Zeroconf()
    info = ServiceInfo(
        SERVICE_TYPE,
        f"{instance}.{SERVICE_TYPE}",
        port=port,
        server=server,
        addresses=[socket.inet_aton(address)],
    )
    zc.register_service(info)
    sys.stdout.write(json.dumps({"event": "registered"}) + "\n")
    sys.stdout.flush()
    sys.stdin.read()
    zc.unregister_service(info)
    zc.close()


if __name__ == "__main__":
    main()
