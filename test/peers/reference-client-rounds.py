"""Home Assistant's side of the provider flows, played by the reference `wyoming` library.

Each round opens a fresh connection per flow, as Home Assistant does: describe -> info; a full
transcribe of one WAV in 100 ms chunks; a classic synthesize. One JSON line per round goes to
stdout; the caller judges the answers. Rounds go on until --rounds are done or, with --rounds 0,
until stdin closes.

    python reference-client-rounds.py --port 10300 --wav clip.wav --voice espeak-ng-en-us
"""

import argparse
import asyncio
import json
import os
import sys
import time
import wave

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize, SynthesizeVoice

CHUNK_SECONDS = 0.1
CONNECT_TIMEOUT_S = 10.0
TTS_TEXT = "The kitchen lights are now on."


def read_wav(path):
    with wave.open(path, "rb") as w:
        return w.getframerate(), w.getsampwidth(), w.getnchannels(), w.readframes(w.getnframes())


async def next_event(client, wanted, deadline):
    """Events until one of `wanted` types or an error; None when the server closed."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError(f"no {wanted} in time")
        event = await asyncio.wait_for(client.read_event(), timeout=left)
        if event is None:
            return None
        if event.type in wanted or Error.is_type(event.type):
            return event


async def describe(args):
    started = time.monotonic()
    async with AsyncTcpClient(args.host, args.port, connect_timeout=CONNECT_TIMEOUT_S) as client:
        await client.write_event(Describe().event())
        event = await next_event(client, {"info"}, started + args.timeout)
    if event is None or not Info.is_type(event.type):
        return {"error": describe_failure(event)}
    info = Info.from_event(event)
    return {
        "ms": round((time.monotonic() - started) * 1000, 1),
        "asr": [m.name for p in info.asr for m in p.models if m.installed],
        "tts": [v.name for p in info.tts for v in p.voices if v.installed],
        "wake": [m.name for p in info.wake for m in p.models if m.installed],
    }


async def transcribe(args, audio):
    rate, width, channels, pcm = audio
    step = int(rate * CHUNK_SECONDS) * width * channels
    started = time.monotonic()
    async with AsyncTcpClient(args.host, args.port, connect_timeout=CONNECT_TIMEOUT_S) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
        for at in range(0, len(pcm), step):
            chunk = AudioChunk(rate=rate, width=width, channels=channels, audio=pcm[at : at + step])
            await client.write_event(chunk.event())
        await client.write_event(AudioStop().event())
        event = await next_event(client, {"transcript"}, started + args.timeout)
    if event is None or not Transcript.is_type(event.type):
        return {"error": describe_failure(event)}
    return {"ms": round((time.monotonic() - started) * 1000, 1), "text": Transcript.from_event(event).text}


async def synthesize(args, round_number):
    started = time.monotonic()
    out = {"starts": 0, "chunks": 0, "stops": 0, "bytes": 0, "formats": []}
    async with AsyncTcpClient(args.host, args.port, connect_timeout=CONNECT_TIMEOUT_S) as client:
        # a new text each round, so the answer is synthesized rather than cached
        text = f"{TTS_TEXT} Round {round_number}."
        await client.write_event(Synthesize(text=text, voice=SynthesizeVoice(name=args.voice)).event())
        while True:
            event = await next_event(client, {"audio-start", "audio-chunk", "audio-stop"}, started + args.timeout)
            if event is None or Error.is_type(event.type):
                out["error"] = describe_failure(event)
                break
            if AudioStart.is_type(event.type):
                out["starts"] += 1
                start = AudioStart.from_event(event)
                out["formats"].append([start.rate, start.width, start.channels])
            elif AudioChunk.is_type(event.type):
                chunk = AudioChunk.from_event(event)
                out["chunks"] += 1
                out["bytes"] += len(chunk.audio)
                if [chunk.rate, chunk.width, chunk.channels] not in out["formats"]:
                    out["formats"].append([chunk.rate, chunk.width, chunk.channels])
            else:
                out["stops"] += 1
                break
    out["ms"] = round((time.monotonic() - started) * 1000, 1)
    return out


def describe_failure(event):
    if event is None:
        return "connection closed by the server"
    if Error.is_type(event.type):
        error = Error.from_event(event)
        return f"error event {error.code}: {error.text}"
    return f"unexpected event {event.type}"


async def guarded(flow):
    """A flow's result, or its exception as an error (a round reports, never dies)."""
    try:
        return await flow
    except Exception as err:  # noqa: BLE001 - every failure is a finding to report
        return {"error": f"{type(err).__name__}: {err}"}


async def stdin_closed():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.buffer.read)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--wav", required=True)
    parser.add_argument("--voice", required=True)
    parser.add_argument("--rounds", type=int, default=0, help="0: until stdin closes")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per flow")
    args = parser.parse_args()

    audio = read_wav(args.wav)
    stop = asyncio.ensure_future(stdin_closed()) if args.rounds == 0 else None
    done = 0
    while (args.rounds and done < args.rounds) or (stop and not stop.done()):
        result = {
            "round": done,
            "describe": await guarded(describe(args)),
            "transcribe": await guarded(transcribe(args, audio)),
            "synthesize": await guarded(synthesize(args, done)),
        }
        print(json.dumps(result), flush=True)
        done += 1
    # the executor thread blocked on stdin must not keep the interpreter alive
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
