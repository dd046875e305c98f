"""What Home Assistant reads from one endpoint's `info`, through the reference `wyoming` library.

Sends `describe`, parses the reply with `wyoming.info.Info.from_event` (as HA's data.py does) and
prints one JSON line with the parts HA uses, read the way HA's integration reads them:

  name         data.py WyomingService.get_name: the config entry's title (satellite name first)
  satellite    whether data.py treats the endpoint as a satellite (satellite.installed)
  wake_words   wake_word.py: (id = name, display name = description or name, phrase) of every
               model of the first installed wake program
  tts          tts.py: the languages of the installed voices, in the order HA's set gives them
               (default_language is the first), and the voice names
  devices      the mic and snd programs (assist_satellite.py does not read them; printed so the
               tests can see what a client is told)
  unversioned  every program, model, voice or satellite whose `version` is not a string

    python ha-info-view.py --port 10300
"""

import argparse
import asyncio
import json

from wyoming.client import AsyncTcpClient
from wyoming.info import Describe, Info

TIMEOUT_S = 5


async def describe(host, port):
    async with AsyncTcpClient(host, port) as client, asyncio.timeout(TIMEOUT_S):
        await client.write_event(Describe().event())
        while True:
            event = await client.read_event()
            if event is None:
                raise ConnectionError("connection closed before info")
            if Info.is_type(event.type):
                return Info.from_event(event)


def installed(artifacts):
    return [a for a in artifacts if a.installed]


def get_name(info):
    if info.satellite is not None and info.satellite.installed:
        return info.satellite.name
    for programs in (info.asr, info.tts, info.wake, info.intent, info.handle):
        if installed(programs):
            return installed(programs)[0].name
    return None


def artifacts(info):
    """(kind, name, artifact) for every program, model, voice and the satellite."""
    for kind in ("asr", "tts", "wake", "handle", "intent", "mic", "snd"):
        for program in getattr(info, kind):
            yield kind, program.name, program
            for child in getattr(program, "models", None) or getattr(program, "voices", None) or []:
                yield f"{kind} model", child.name, child
    if info.satellite is not None:
        yield "satellite", info.satellite.name, info.satellite


def view(info):
    wake = installed(info.wake)
    tts = installed(info.tts)
    voices = installed(tts[0].voices) if tts else []
    languages = set()
    for voice in voices:
        languages.update(voice.languages)
    return {
        "name": get_name(info),
        "satellite": info.satellite is not None and info.satellite.installed,
        "wake_words": [
            {"id": m.name, "name": m.description or m.name, "phrase": m.phrase}
            for m in (wake[0].models if wake else [])
        ],
        "satellite_wake_phrases": {m.name: m.phrase or m.name for p in info.wake for m in p.models},
        "tts": {"languages": list(languages), "voices": [v.name for v in voices]},
        "devices": [
            {"kind": kind, "name": p.name, "installed": p.installed, "description": p.description}
            for kind in ("mic", "snd")
            for p in getattr(info, kind)
        ],
        "unversioned": [f"{kind} {name}" for kind, name, a in artifacts(info) if not isinstance(a.version, str)],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    info = asyncio.run(describe(args.host, args.port))
    print(json.dumps(view(info)), flush=True)


if __name__ == "__main__":
    main()
