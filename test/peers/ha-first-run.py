"""Home Assistant's wyoming integration, played step by step against a provider endpoint.

Follows HA's code with the reference `wyoming` library: the zeroconf config flow
(config_flow.py async_step_zeroconf: describe, WyomingService.get_name, unique id
"<zeroconf service name>_<name>"), the entry's setup (data.py WyomingService: platforms from the
installed programs, fixed until the entry reloads) and its entities (stt.py, tts.py, wake_word.py).
Then the refreshes of the chosen release (--ha):

  2026.9 and later  coordinator.py re-reads info every 30 s; TTS voices and wake words are
                    rebuilt from it; STT languages and the platforms stay as set up.
  2023.11 - 2026.8  wake words are re-read whenever HA lists them; TTS and STT stay as set up.

Every refresh also replays the zeroconf discovery, as an mDNS update or a restart of HA would:
with a changed unique id HA offers the endpoint again (before 2025.2) or re-keys the entry with
the same host and port and reloads it (2025.2 on). --interval stands for the 30 s.

One JSON line per step on stdout ("config_flow", "setup", "refresh" when what HA shows changes,
"final" with the unique ids of every config entry and those the first entry had). Closing stdin
asks for one last refresh and the "final" line.

    python ha-first-run.py --port 10300 --ha 2026.9 --interval 0.5
"""

import argparse
import asyncio
import json
import sys
import threading

from wyoming.client import AsyncTcpClient
from wyoming.info import Describe, Info

# data.py load_wyoming_info (2026.11)
INFO_TIMEOUT_S = 5
INFO_RETRY_WAIT_S = 2
INFO_RETRIES = 3
# wake_word.py get_supported_wake_words, 2023.11 - 2026.8
WAKE_LIST_TIMEOUT_S = 1


def release(text):
    year, month = text.split(".")[:2]
    return int(year), int(month)


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


async def load_info(host, port, retries=INFO_RETRIES, timeout=INFO_TIMEOUT_S):
    """describe -> info; the timeout covers the exchange, not the connect, as in HA."""
    for _ in range(retries + 1):
        try:
            async with AsyncTcpClient(host, port) as client, asyncio.timeout(timeout):
                await client.write_event(Describe().event())
                while True:
                    event = await client.read_event()
                    if event is None:
                        raise ConnectionError("connection closed before info")
                    if Info.is_type(event.type):
                        return Info.from_event(event)
        except (TimeoutError, OSError):
            await asyncio.sleep(INFO_RETRY_WAIT_S)
    return None


def installed(artifacts):
    return [a for a in artifacts if a.installed]


def is_satellite(info):
    return info.satellite is not None and info.satellite.installed


def get_name(info):
    """data.py WyomingService.get_name: the entry title and the second half of the unique id."""
    if is_satellite(info):
        return info.satellite.name
    for programs in (info.asr, info.tts, info.wake, info.intent, info.handle):
        if installed(programs):
            return installed(programs)[0].name
    return None


def platforms_of(info):
    """data.py WyomingService.__init__: computed once per setup."""
    if is_satellite(info):
        return []
    out = []
    for platform, programs in (("stt", info.asr), ("tts", info.tts), ("wake_word", info.wake)):
        if installed(programs):
            out.append(platform)
    if installed(info.intent) or installed(info.handle):
        out.append("conversation")
    return out


def tts_view(program):
    """tts.py: installed voices of the first installed program, grouped by language (counted:
    eSpeak NG alone brings a hundred)."""
    voices = installed(program.voices)
    languages = {lang for v in voices for lang in v.languages}
    return {"name": program.name, "languages": len(languages), "voices": len(voices)}


def wake_view(program):
    """wake_word.py: every model of the program (HA does not check the models' flag)."""
    return {"name": program.name, "wake_words": [m.name for m in program.models]}


class Entry:
    """One config entry: its setup and the entities HA created for it."""

    def __init__(self, args, ha, unique_id, title):
        self.args, self.ha = args, ha
        self.unique_id, self.title = unique_id, title
        self.platforms, self.stt, self.tts, self.wake = [], None, None, None

    async def set_up(self):
        """__init__.py async_setup_entry, then each platform's async_setup_entry."""
        info = await load_info(self.args.host, self.args.port)
        if info is None:
            return False  # ConfigEntryNotReady: HA retries later
        self.platforms = platforms_of(info)
        self.stt = self.tts = self.wake = None
        if "stt" in self.platforms:
            asr = info.asr[0]
            languages = sorted({lang for m in installed(asr.models) for lang in m.languages})
            self.stt = {"name": asr.name, "languages": languages}
        if "tts" in self.platforms:
            view = tts_view(installed(info.tts)[0])
            # tts/entity.py (2026.8 at least): an entity without a default language is not added.
            self.tts = view if view["languages"] or self.ha < (2026, 8) else None
        if "wake_word" in self.platforms:
            program = installed(info.wake)[0] if self.ha >= (2026, 9) else info.wake[0]
            self.wake = wake_view(program)
        return True

    async def refresh(self):
        """coordinator.py listeners (2026.9 on), or the wake list re-read (2023.11 - 2026.8)."""
        if self.ha >= (2026, 9):
            info = await load_info(self.args.host, self.args.port, retries=0)
            if info is None:
                return  # UpdateFailed: the last lists stay
            tts = next(iter(installed(info.tts)), None)
            if self.tts is not None and tts is not None:
                self.tts = tts_view(tts)
            wake = next(iter(installed(info.wake)), None)
            if self.wake is not None and wake is not None:
                self.wake = wake_view(wake)
        elif self.wake is not None and self.ha >= (2023, 11):
            info = await load_info(self.args.host, self.args.port, retries=0, timeout=WAKE_LIST_TIMEOUT_S)
            if info is not None and info.wake:
                self.wake = wake_view(info.wake[0])

    def view(self):
        return {"title": self.title, "unique_id": self.unique_id, "platforms": self.platforms, "stt": self.stt, "tts": self.tts, "wake_word": self.wake}


def available(entry):
    return {
        "stt": bool(entry.stt and entry.stt["languages"]),
        "tts": bool(entry.tts and entry.tts["voices"]),
        "wake_word": bool(entry.wake and entry.wake["wake_words"]),
    }


def stdin_closed():
    """An event set once stdin closes (read in a daemon thread, so a timeout can still exit)."""
    loop, closed = asyncio.get_running_loop(), asyncio.Event()

    def read():
        sys.stdin.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=read, daemon=True).start()
    return closed


async def rediscover(args, ha, service_name, entry, entries):
    """config_flow.py async_step_zeroconf for an endpoint that already has an entry; the user
    confirms whatever HA offers, so an offered duplicate becomes a second entry."""
    info = await load_info(args.host, args.port)
    name = get_name(info) if info is not None else None
    if not name:
        return "no_services"
    unique_id = f"{service_name}_{name}"
    if unique_id in entries:
        return "already_configured"
    if ha >= (2025, 2):
        # The entry with the same host and port takes the new unique id and is reloaded.
        entries[entries.index(entry.unique_id)] = unique_id
        entry.unique_id = unique_id
        return "entry_rekeyed_and_reloaded"
    entries.append(unique_id)
    return "offered_again"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--zeroconf-name", default="speech-satellite", help="the mDNS instance name")
    parser.add_argument("--ha", default="2026.9", help="the Home Assistant release to follow")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between refreshes")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this long")
    args = parser.parse_args()
    ha = release(args.ha)
    service_name = f"{args.zeroconf_name}._wyoming._tcp.local."

    # The zeroconf discovery, confirmed by the user at once.
    info = await load_info(args.host, args.port)
    name = get_name(info) if info is not None else None
    if not name:
        emit("config_flow", outcome="no_services")
        return 1
    entry = Entry(args, ha, f"{service_name}_{name}", name)
    entries, unique_ids, reloads = [entry.unique_id], [entry.unique_id], 0
    emit("config_flow", outcome="create_entry", title=entry.title, unique_id=entry.unique_id)
    if not await entry.set_up():
        emit("setup", outcome="not_ready")
        return 1
    emit("setup", **entry.view(), available=available(entry))

    closed = stdin_closed()
    deadline = asyncio.get_running_loop().time() + args.timeout
    last = None
    while True:
        try:
            await asyncio.wait_for(closed.wait(), timeout=args.interval)
        except TimeoutError:
            pass
        await entry.refresh()
        rediscovery = await rediscover(args, ha, service_name, entry, entries)
        if rediscovery == "entry_rekeyed_and_reloaded":
            unique_ids.append(entry.unique_id)
            reloads += 1
            await entry.set_up()
        shown = {**entry.view(), "available": available(entry), "rediscovery": rediscovery}
        if shown != last:
            emit("refresh", **shown)
            last = shown
        if closed.is_set() or asyncio.get_running_loop().time() > deadline:
            break

    emit(
        "final",
        **entry.view(),
        available=available(entry),
        entries=entries,
        unique_ids=unique_ids,
        reloads=reloads,
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
