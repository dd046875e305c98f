#!/usr/bin/env python3
"""Writes a sherpa-onnx Whisper model (encoder, decoder, tokens) from a CTranslate2 Whisper model
folder as faster-whisper uses it (model.bin, config.json, tokenizer.json).

The weights are taken as they are: CTranslate2 stores OpenAI's float16 values, which become
float32 here (exact); the fused q/k/v matrices are split and transposed for MatMul. Nothing is
trained, quantised or pruned. The graphs have the inputs, outputs and metadata of sherpa-onnx's
own Whisper export (scripts/whisper/export-onnx.py there), so sherpa's OfflineRecognizer and its
greedy search load them unchanged:

  encoder: mel [N, n_mels, T] -> n_layer_cross_k, n_layer_cross_v [n_text_layer, N, T/2, n_state]
  decoder: tokens [N, n], in_n_layer_self_k_cache, in_n_layer_self_v_cache [L, N, n_text_ctx, n_state],
           n_layer_cross_k, n_layer_cross_v, offset [1]
           -> logits [N, n, n_vocab], out_n_layer_self_k_cache, out_n_layer_self_v_cache

Needs numpy and onnx only (Debian python3-numpy, python3-onnx).

usage: whisper_ct2_to_sherpa.py CT2_DIR OUT_DIR NAME     (NAME e.g. tiny.en)
"""
import base64
import json
import os
import re
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]
IR_VERSION = 8
PRODUCER = "speech-satellite whisper_ct2_to_sherpa"
LN_EPS = 1e-5
CT2_TYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2(path):
    """Variables of a CTranslate2 model.bin (format version 6), with aliases resolved."""
    data = open(path, "rb").read()
    at = 0

    def unpack(fmt):
        nonlocal at
        values = struct.unpack_from("<" + fmt, data, at)
        at += struct.calcsize("<" + fmt)
        return values

    def string():
        nonlocal at
        (length,) = unpack("H")
        text = data[at:at + length - 1].decode()
        at += length
        return text

    (version,) = unpack("I")
    if version != 6:
        sys.exit(f"{path}: unsupported CTranslate2 model version {version}")
    spec = string()
    if spec != "WhisperSpec":
        sys.exit(f"{path}: not a Whisper model ({spec})")
    unpack("I")  # spec revision
    (count,) = unpack("I")
    variables = {}
    for _ in range(count):
        name = string()
        (rank,) = unpack("B")
        dims = unpack("I" * rank)
        (dtype,) = unpack("B")
        (nbytes,) = unpack("I")
        kind = CT2_TYPES[dtype]
        variables[name] = np.frombuffer(data, dtype=kind, count=nbytes // np.dtype(kind).itemsize, offset=at).reshape(dims)
        at += nbytes
    if at < len(data):
        (aliases,) = unpack("I")
        for _ in range(aliases):
            alias = string()
            variables[alias] = variables[string()]
    if at != len(data):
        sys.exit(f"{path}: {len(data) - at} trailing bytes")
    return variables


class Graph:
    """Collects nodes and float32 initializers; names are made unique by a counter."""

    def __init__(self, weights):
        self.w = weights
        self.nodes = []
        self.inits = []
        self.n = 0

    def name(self, hint):
        self.n += 1
        return f"{hint}_{self.n}"

    def const(self, array, hint="c"):
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.array(array, copy=True, order="C"), name))
        return name

    def weight(self, key, transpose=False):
        array = self.w[key].astype(np.float32)
        return self.const(array.T if transpose else array, key.replace("/", "."))

    def op(self, op_type, inputs, hint=None, **attrs):
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def op_n(self, op_type, inputs, outputs, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, outputs, **attrs))

    def ints(self, values):
        return self.const(np.array(values, dtype=np.int64), "i")

    def layer_norm(self, x, prefix):
        return self.op("LayerNormalization", [x, self.weight(prefix + "/gamma"), self.weight(prefix + "/beta")], axis=-1, epsilon=LN_EPS)

    def linear(self, x, weight, bias):
        """x @ weight.T + bias, from CT2's [out, in] weight rows."""
        y = self.op("MatMul", [x, self.const(weight.astype(np.float32).T, "w")])
        return self.op("Add", [y, self.const(bias.astype(np.float32), "b")])

    def gelu(self, x):
        inner = self.op("Erf", [self.op("Div", [x, self.const(np.array(np.sqrt(2.0), dtype=np.float32))])])
        plus = self.op("Add", [inner, self.const(np.array(1.0, dtype=np.float32))])
        return self.op("Mul", [self.op("Mul", [x, plus]), self.const(np.array(0.5, dtype=np.float32))])

    def heads(self, x, n_head, d_head):
        """[N, T, D] -> [N, H, T, d]"""
        split = self.op("Reshape", [x, self.ints([0, 0, n_head, d_head])])
        return self.op("Transpose", [split], perm=[0, 2, 1, 3])

    def attention(self, q, k, v, n_head, d_head, mask=None):
        qh = self.heads(q, n_head, d_head)
        kh = self.op("Transpose", [self.op("Reshape", [k, self.ints([0, 0, n_head, d_head])])], perm=[0, 2, 3, 1])
        vh = self.heads(v, n_head, d_head)
        scores = self.op("Mul", [self.op("MatMul", [qh, kh]), self.const(np.array(d_head ** -0.5, dtype=np.float32))])
        if mask is not None:
            scores = self.op("Add", [scores, mask])
        weights = self.op("Softmax", [scores], axis=-1)
        out = self.op("Transpose", [self.op("MatMul", [weights, vh])], perm=[0, 2, 1, 3])
        return self.op("Reshape", [out, self.ints([0, 0, n_head * d_head])])

    def save(self, inputs, outputs, name, path, metadata):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=OPSET, producer_name=PRODUCER)
        model.ir_version = IR_VERSION
        for key, value in metadata.items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, str(value)
        onnx.checker.check_model(model)
        onnx.save(model, path)


def split_rows(array, parts):
    return np.split(array, parts, axis=0)


def encoder(w, dims, path, metadata):
    g = Graph(w)
    d, n_head = dims["n_state"], dims["n_audio_head"]
    d_head = d // n_head
    x = g.op("Conv", ["mel", g.weight("encoder/conv1/weight"), g.weight("encoder/conv1/bias")], kernel_shape=[3], pads=[1, 1])
    x = g.gelu(x)
    x = g.op("Conv", [x, g.weight("encoder/conv2/weight"), g.weight("encoder/conv2/bias")], kernel_shape=[3], pads=[1, 1], strides=[2])
    x = g.gelu(x)
    x = g.op("Transpose", [x], perm=[0, 2, 1])  # [N, T/2, D]
    # positions of the frames present (sherpa feeds fewer than 3000 frames, see its Whisper recogniser)
    frames = g.op("Gather", [g.op("Shape", [x]), g.const(np.array(1, dtype=np.int64))], axis=0)
    frames = g.op("Unsqueeze", [frames, g.ints([0])])
    positions = g.op("Slice", [g.weight("encoder/position_encodings/encodings"), g.ints([0]), frames, g.ints([0])])
    x = g.op("Add", [x, positions])
    for i in range(dims["n_audio_layer"]):
        p = f"encoder/layer_{i}"
        h = g.layer_norm(x, f"{p}/self_attention/layer_norm")
        wq, wk, wv = split_rows(w[f"{p}/self_attention/linear_0/weight"], 3)
        bq, bk, bv = split_rows(w[f"{p}/self_attention/linear_0/bias"], 3)
        att = g.attention(g.linear(h, wq, bq), g.linear(h, wk, bk), g.linear(h, wv, bv), n_head, d_head)
        x = g.op("Add", [x, g.linear(att, w[f"{p}/self_attention/linear_1/weight"], w[f"{p}/self_attention/linear_1/bias"])])
        h = g.layer_norm(x, f"{p}/ffn/layer_norm")
        h = g.gelu(g.linear(h, w[f"{p}/ffn/linear_0/weight"], w[f"{p}/ffn/linear_0/bias"]))
        x = g.op("Add", [x, g.linear(h, w[f"{p}/ffn/linear_1/weight"], w[f"{p}/ffn/linear_1/bias"])])
    x = g.layer_norm(x, "encoder/layer_norm")
    ks, vs = [], []
    for i in range(dims["n_text_layer"]):
        p = f"decoder/layer_{i}/attention/linear_1"
        wk, wv = split_rows(w[f"{p}/weight"], 2)
        bk, bv = split_rows(w[f"{p}/bias"], 2)
        ks.append(g.op("Unsqueeze", [g.linear(x, wk, bk), g.ints([0])]))
        vs.append(g.op("Unsqueeze", [g.linear(x, wv, bv), g.ints([0])]))
    g.op_n("Concat", ks, ["n_layer_cross_k"], axis=0)
    g.op_n("Concat", vs, ["n_layer_cross_v"], axis=0)
    cross = [dims["n_text_layer"], "n_audio", "T_audio", d]
    g.save(
        [helper.make_tensor_value_info("mel", TensorProto.FLOAT, ["n_audio", dims["n_mels"], "T"])],
        [helper.make_tensor_value_info("n_layer_cross_k", TensorProto.FLOAT, cross), helper.make_tensor_value_info("n_layer_cross_v", TensorProto.FLOAT, cross)],
        "whisper_encoder",
        path,
        metadata,
    )


def decoder(w, dims, path):
    g = Graph(w)
    d, n_head, n_ctx = dims["n_state"], dims["n_text_head"], dims["n_text_ctx"]
    d_head = d // n_head
    zero, one = g.ints([0]), g.ints([1])
    n = g.op("Unsqueeze", [g.op("Gather", [g.op("Shape", ["tokens"]), g.const(np.array(1, dtype=np.int64))], axis=0), g.ints([0])])
    end = g.op("Add", ["offset", n])  # offset + n, shape [1]
    embedding = g.weight("decoder/embeddings/weight")
    x = g.op("Gather", [embedding, "tokens"], axis=0)
    x = g.op("Add", [x, g.op("Slice", [g.weight("decoder/position_encodings/encodings"), "offset", end, zero])])
    # causal mask over [n queries, offset + n keys]: key j is visible to query i when j <= offset + i
    scalar = lambda t: g.op("Squeeze", [t, zero])  # noqa: E731
    q_pos = g.op("Unsqueeze", [g.op("Range", [scalar("offset"), scalar(end), g.const(np.array(1, dtype=np.int64))]), one])
    k_pos = g.op("Unsqueeze", [g.op("Range", [g.const(np.array(0, dtype=np.int64)), scalar(end), g.const(np.array(1, dtype=np.int64))]), zero])
    visible = g.op("LessOrEqual", [k_pos, q_pos])
    mask = g.op("Where", [visible, g.const(np.array(0.0, dtype=np.float32)), g.const(np.array(-np.inf, dtype=np.float32))])
    out_k, out_v = [], []
    for i in range(dims["n_text_layer"]):
        p = f"decoder/layer_{i}"
        layer = g.const(np.array(i, dtype=np.int64))
        cache_k = g.op("Gather", ["in_n_layer_self_k_cache", layer], axis=0)  # [N, n_ctx, D]
        cache_v = g.op("Gather", ["in_n_layer_self_v_cache", layer], axis=0)
        h = g.layer_norm(x, f"{p}/self_attention/layer_norm")
        wq, wk, wv = split_rows(w[f"{p}/self_attention/linear_0/weight"], 3)
        bq, bk, bv = split_rows(w[f"{p}/self_attention/linear_0/bias"], 3)
        k_all = g.op("Concat", [g.op("Slice", [cache_k, zero, "offset", one]), g.linear(h, wk, bk)], axis=1)
        v_all = g.op("Concat", [g.op("Slice", [cache_v, zero, "offset", one]), g.linear(h, wv, bv)], axis=1)
        att = g.attention(g.linear(h, wq, bq), k_all, v_all, n_head, d_head, mask)
        x = g.op("Add", [x, g.linear(att, w[f"{p}/self_attention/linear_1/weight"], w[f"{p}/self_attention/linear_1/bias"])])
        big = g.ints([n_ctx])
        out_k.append(g.op("Unsqueeze", [g.op("Concat", [k_all, g.op("Slice", [cache_k, end, big, one])], axis=1), zero]))
        out_v.append(g.op("Unsqueeze", [g.op("Concat", [v_all, g.op("Slice", [cache_v, end, big, one])], axis=1), zero]))
        h = g.layer_norm(x, f"{p}/attention/layer_norm")
        q = g.linear(h, w[f"{p}/attention/linear_0/weight"], w[f"{p}/attention/linear_0/bias"])
        cross_k = g.op("Gather", ["n_layer_cross_k", layer], axis=0)
        cross_v = g.op("Gather", ["n_layer_cross_v", layer], axis=0)
        att = g.attention(q, cross_k, cross_v, n_head, d_head)
        x = g.op("Add", [x, g.linear(att, w[f"{p}/attention/linear_2/weight"], w[f"{p}/attention/linear_2/bias"])])
        h = g.layer_norm(x, f"{p}/ffn/layer_norm")
        h = g.gelu(g.linear(h, w[f"{p}/ffn/linear_0/weight"], w[f"{p}/ffn/linear_0/bias"]))
        x = g.op("Add", [x, g.linear(h, w[f"{p}/ffn/linear_1/weight"], w[f"{p}/ffn/linear_1/bias"])])
    g.op_n("Concat", out_k, ["out_n_layer_self_k_cache"], axis=0)
    g.op_n("Concat", out_v, ["out_n_layer_self_v_cache"], axis=0)
    x = g.layer_norm(x, "decoder/layer_norm")
    # logits against the (tied) token embedding, without storing it a second time
    flat = g.op("Reshape", [x, g.ints([-1, d])])
    logits = g.op("Gemm", [flat, embedding], transB=1)
    shape = g.op("Concat", [g.op("Slice", [g.op("Shape", ["tokens"]), zero, g.ints([2]), zero]), g.ints([-1])], axis=0)
    g.op_n("Reshape", [logits, shape], ["logits"])
    cache = [dims["n_text_layer"], "n_audio", n_ctx, d]
    cross = [dims["n_text_layer"], "n_audio", "T_audio", d]
    g.save(
        [
            helper.make_tensor_value_info("tokens", TensorProto.INT64, ["n_audio", "n_tokens"]),
            helper.make_tensor_value_info("in_n_layer_self_k_cache", TensorProto.FLOAT, cache),
            helper.make_tensor_value_info("in_n_layer_self_v_cache", TensorProto.FLOAT, cache),
            helper.make_tensor_value_info("n_layer_cross_k", TensorProto.FLOAT, cross),
            helper.make_tensor_value_info("n_layer_cross_v", TensorProto.FLOAT, cross),
            helper.make_tensor_value_info("offset", TensorProto.INT64, [1]),
        ],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n_audio", "n_tokens", dims["n_vocab"]]),
            helper.make_tensor_value_info("out_n_layer_self_k_cache", TensorProto.FLOAT, cache),
            helper.make_tensor_value_info("out_n_layer_self_v_cache", TensorProto.FLOAT, cache),
        ],
        "whisper_decoder",
        path,
        {},
    )


def byte_decoder():
    """GPT-2's byte <-> printable-character table, inverted (char -> byte)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    extra = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def tokenizer_facts(tokenizer):
    """Token bytes by id (the regular BPE tokens) and the special tokens by text."""
    table = byte_decoder()
    special = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    regular = {}
    for text, i in tokenizer["model"]["vocab"].items():
        if text in special:
            continue
        regular[i] = bytes(table[c] for c in text)
    return regular, special


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, out, name = sys.argv[1:]
    w = read_ct2(os.path.join(src, "model.bin"))
    config = json.load(open(os.path.join(src, "config.json")))
    tokenizer = json.load(open(os.path.join(src, "tokenizer.json"), encoding="utf-8"))
    regular, special = tokenizer_facts(tokenizer)
    n_vocab, n_state = w["decoder/embeddings/weight"].shape
    count = lambda prefix: len({k.split("/")[1] for k in w if re.match(prefix + r"/layer_\d+/", k)})  # noqa: E731
    dims = {
        "n_mels": w["encoder/conv1/weight"].shape[1],
        "n_audio_ctx": w["encoder/position_encodings/encodings"].shape[0],
        "n_state": n_state,
        "n_audio_head": int(w["encoder/num_heads"]),
        "n_audio_layer": count("encoder"),
        "n_vocab": n_vocab,
        "n_text_ctx": w["decoder/position_encodings/encodings"].shape[0],
        "n_text_head": int(w["decoder/num_heads"]),
        "n_text_layer": count("decoder"),
    }
    eot, sot = special["<|endoftext|>"], special["<|startoftranscript|>"]
    # the language tokens sit between <|startoftranscript|> and <|translate|>, in Whisper's order
    languages = [(t[2:-2], i) for t, i in sorted(special.items(), key=lambda kv: kv[1]) if sot < i < special["<|translate|>"]]
    multilingual = n_vocab >= 51865
    sot_sequence = [sot] + ([special["<|en|>"], special["<|transcribe|>"]] if multilingual else [])
    space = [i for i, b in regular.items() if b == b" "]
    metadata = {
        "model_type": f"whisper-{name}",
        "version": "1",
        "maintainer": "speech-satellite (from CTranslate2 weights, unmodified values)",
        "n_mels": dims["n_mels"],
        "n_audio_ctx": dims["n_audio_ctx"],
        "n_audio_state": n_state,
        "n_audio_head": dims["n_audio_head"],
        "n_audio_layer": dims["n_audio_layer"],
        "n_vocab": n_vocab,
        "n_text_ctx": dims["n_text_ctx"],
        "n_text_state": n_state,
        "n_text_head": dims["n_text_head"],
        "n_text_layer": dims["n_text_layer"],
        "sot_sequence": ",".join(map(str, sot_sequence)),
        "all_language_tokens": ",".join(str(i) for _, i in languages),
        "all_language_codes": ",".join(code for code, _ in languages),
        "sot": sot,
        "sot_index": 0,
        "eot": eot,
        "blank_id": space[0],
        "is_multilingual": int(multilingual),
        "no_speech": special["<|nocaptions|>"] if "<|nocaptions|>" in special else special["<|nospeech|>"],
        "non_speech_tokens": ",".join(str(i) for i in config["suppress_ids"] if i < eot),
        "transcribe": special["<|transcribe|>"],
        "translate": special["<|translate|>"],
        "sot_prev": special["<|startofprev|>"],
        "sot_lm": special["<|startoflm|>"],
        "no_timestamps": special["<|notimestamps|>"],
    }
    os.makedirs(out, exist_ok=True)
    encoder(w, dims, os.path.join(out, f"{name}-encoder.onnx"), metadata)
    decoder(w, dims, os.path.join(out, f"{name}-decoder.onnx"))
    with open(os.path.join(out, f"{name}-tokens.txt"), "w", encoding="ascii") as f:
        for i in sorted(regular):
            f.write(f"{base64.b64encode(regular[i]).decode()} {i}\n")


if __name__ == "__main__":
    main()
