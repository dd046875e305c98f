"""A Realtime session through the official Python `openai` SDK (client.realtime.connect), unmodified.

    python openai-realtime-client.py <https base URL ending in /v1> <api key> <clip.wav> <text> <out.pcm>

The server's certificate is trusted through SSL_CERT_FILE. Streams the clip as 24 kHz PCM16 at
real-time pace with server VAD, asks for `text` to be spoken, writes the response audio to
`out.pcm` and prints one JSON line with what it received (the same fields as the Node client).
"""
import asyncio
import audioop
import base64
import json
import sys
import wave

from openai import AsyncOpenAI

RATE = 24_000
CHUNK_MS = 100


def clip_pcm24(path: str) -> bytes:
    with wave.open(path, "rb") as w:
        pcm = w.readframes(w.getnframes())
        width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
    if channels > 1:
        pcm = audioop.tomono(pcm, width, 0.5, 0.5)
    if width != 2:
        pcm = audioop.lin2lin(pcm, width, 2)
    pcm, _ = audioop.ratecv(pcm, 2, 1, rate, RATE, None)
    return pcm


def silence(ms: int) -> bytes:
    return b"\0\0" * (RATE * ms // 1000)


async def main() -> None:
    base_url, api_key, clip, text, out_file = sys.argv[1:6]
    client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0)
    result: dict = {"errors": []}
    seen: list[str] = []
    audio = bytearray()
    async with client.realtime.connect(model="gpt-realtime") as conn:
        async def send_clip() -> None:
            pcm = silence(500) + clip_pcm24(clip) + silence(1500)
            step = RATE * CHUNK_MS // 1000 * 2
            for at in range(0, len(pcm), step):
                await conn.input_audio_buffer.append(audio=base64.b64encode(pcm[at : at + step]).decode())
                await asyncio.sleep(CHUNK_MS / 1000)

        sender: asyncio.Task | None = None
        async for event in conn:
            seen.append(event.type)
            if event.type == "session.created":
                result["sessionType"] = event.session.type
                await conn.session.update(
                    session={
                        "type": "realtime",
                        "audio": {
                            "input": {
                                "format": {"type": "audio/pcm", "rate": RATE},
                                "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                                "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500},
                            },
                            "output": {"voice": "alloy"},
                        },
                    }
                )
            elif event.type == "session.updated" and sender is None:
                sender = asyncio.create_task(send_clip())
            elif event.type == "input_audio_buffer.speech_started":
                result["speechStartedMs"] = event.audio_start_ms
            elif event.type == "input_audio_buffer.speech_stopped":
                result["speechStoppedMs"] = event.audio_end_ms
            elif event.type == "conversation.item.input_audio_transcription.completed":
                result["transcript"] = event.transcript
                if sender is not None:
                    await sender
                await conn.response.create(response={"instructions": text})
            elif event.type == "response.output_audio.delta":
                audio.extend(base64.b64decode(event.delta))
            elif event.type == "response.done":
                result["responseStatus"] = event.response.status
                break
            elif event.type == "error":
                result["errors"].append(event.error.message)
    with open(out_file, "wb") as f:
        f.write(audio)
    result["audioBytes"] = len(audio)
    result["events"] = sorted(set(seen))
    result["url"] = ""
    print(json.dumps(result), flush=True)


asyncio.run(main())
