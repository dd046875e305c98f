"""The reference `wyoming` library's codec, timed the way scripts/bench/anchors-codec.ts times ours.

  python wyoming_codec.py encode COUNT   write_event of COUNT audio-chunk events (2048 B) -> JSON
  python wyoming_codec.py decode COUNT   read_event + AudioChunk.from_event over COUNT events -> JSON
  python wyoming_codec.py server PORT    AsyncServer whose handler counts audio chunks and answers
                                         audio-stop with a transcript holding the count
"""
import asyncio
import io
import json
import sys
import time

from wyoming.audio import AudioChunk
from wyoming.event import Event, read_event, write_event
from wyoming.asr import Transcript
from wyoming.audio import AudioStop
from wyoming.server import AsyncEventHandler, AsyncServer

PAYLOAD = bytes([7]) * 2048
# The sink is emptied every so often, as a socket's buffer is drained.
FLUSH_EVERY = 1000


def chunk_event() -> Event:
    return AudioChunk(rate=16000, width=2, channels=1, audio=PAYLOAD).event()


def result(events: int, start: float, cpu: float) -> dict:
    """Wall and CPU time: on a shared machine the CPU time is the figure that holds."""
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    return {"events": events, "seconds": seconds, "cpu_seconds": cpu_seconds, "per_cpu_second": events / cpu_seconds}


def encode(count: int) -> dict:
    event = chunk_event()
    sink = io.BytesIO()
    for _ in range(min(count, 20000)):  # warm-up
        write_event(event, sink)
        if sink.tell() > 1 << 22:
            sink.seek(0)
            sink.truncate()
    sink.seek(0)
    sink.truncate()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        write_event(event, sink)
        if i % FLUSH_EVERY == 0:
            sink.seek(0)
            sink.truncate()
    return result(count, start, cpu)


def decode(count: int) -> dict:
    event = chunk_event()
    sink = io.BytesIO()
    for _ in range(count):
        write_event(event, sink)
    data = sink.getvalue()
    start, cpu = time.perf_counter(), time.process_time()
    reader = io.BytesIO(data)
    frames = 0
    while True:
        e = read_event(reader)
        if e is None:
            break
        AudioChunk.from_event(e)
        frames += 1
    return result(frames, start, cpu)


class Counter(AsyncEventHandler):
    async def handle_event(self, event: Event) -> bool:
        if AudioChunk.is_type(event.type):
            AudioChunk.from_event(event)
            self.count = getattr(self, "count", 0) + 1
        elif AudioStop.is_type(event.type):
            await self.write_event(Transcript(text=str(getattr(self, "count", 0))).event())
        return True


async def serve(port: int) -> None:
    server = AsyncServer.from_uri(f"tcp://127.0.0.1:{port}")
    await server.run(Counter)


def main() -> None:
    mode, arg = sys.argv[1], int(sys.argv[2])
    if mode == "server":
        asyncio.run(serve(arg))
        return
    result = encode(arg) if mode == "encode" else decode(arg)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
