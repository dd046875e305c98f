"""piper-tts alone, timed the way scripts/bench/anchors-piper.ts times sherpa-onnx alone.

  python piper_direct.py VOICE.onnx VOICE.onnx.json REPS TEXTS_JSON
      loads the voice, synthesizes every text once to warm up, then REPS times in a row;
      prints {"ms": [...], "audio_s": ...}: wall time of each pass over all texts
"""
import json
import sys
import time

from piper import PiperVoice


def main() -> None:
    onnx, config, reps, texts = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    voice = PiperVoice.load(onnx, config_path=config)

    def one_pass() -> tuple[float, float]:
        start = time.perf_counter()
        samples = 0
        for text in texts:
            for chunk in voice.synthesize(text):
                samples += len(chunk.audio_int16_bytes) // 2
        return (time.perf_counter() - start) * 1000, samples / voice.config.sample_rate

    one_pass()
    runs = [one_pass() for _ in range(reps)]
    print(json.dumps({"ms": [r[0] for r in runs], "audio_s": runs[0][1]}))


main()
