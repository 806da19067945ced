#!/usr/bin/env python3
"""Continue training a FuseLab model in PyTorch, in one process or several (torchrun).

    python3 train.py                                # the dataset the experiment names
    python3 train.py --data path/to/manifest.csv --epochs 5
    torchrun --standalone --nproc_per_node 2 train.py
    # Debian 12's torchrun 1.13 under Python 3.11 also needs: --redirects 1 --tee 1 --log_dir logs

Reads the dataset FuseLab trained on (a CSV or JSONL manifest, or a folder tree), turns
each sample into the model's inputs as preprocessing.json says, and trains FuseLabModel
(model.py) from model.safetensors with DistributedDataParallel: Gloo on CPU, NCCL on CUDA,
each process on its share of every epoch (DistributedSampler). Rank 0 writes
trained.safetensors after every epoch, with FuseLab's names, so FuseLab continues from it:
`fuselab-cli train experiment.fuselab.json --init-weights trained.safetensors`.

The optimiser, learning rate, batch size (per process) and epochs are the experiment's
unless given. Not carried over from FuseLab: its augmentation, modality dropout, class
weights, weighted sampler, learning-rate schedule, early stopping and choice of the best
epoch (trained.safetensors is the last epoch's), the fusion blocks' auxiliary losses and
the autoencoders' reconstruction loss. Samples are decoded as FuseLab does
with OpenCV (images; the same results) and torchaudio (audio; resampling differs slightly
from FuseLab's when a file's rate is not the model's).
"""
import argparse
import csv
import json
import math
import os
import random
import sys
import unicodedata

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from model import HERE, FuseLabModel, load_safetensors, save_safetensors

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm"}
AUDIO_EXT = {".wav", ".flac", ".ogg", ".oga", ".aiff"}
SPLITS = {"train": "train", "training": "train", "val": "val", "valid": "val", "validation": "val", "dev": "val",
          "test": "test", "testing": "test"}


def split_name(value):
    """FuseLab's reading of a split cell: spaces dropped, any case; None for an unknown one."""
    return SPLITS.get("".join(str(value).split()).lower())


def warn(text):
    print("train.py: " + text, file=sys.stderr, flush=True)


# ---- text: FuseLab's tokenizers (core/media/Text.cpp, WordPiece.cpp) -------------------

def is_space(c):
    cp = ord(c)
    return c == " " or 0x09 <= cp <= 0x0D or cp in (0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF) \
        or 0x2000 <= cp <= 0x200A


def is_cjk(c):
    cp = ord(c)
    return 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF \
        or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FA1F


def is_word_char(c):
    cp = ord(c)
    if cp < 0x80:
        return c.isascii() and (c.isalnum() or c in "_'")
    if is_space(c):
        return False
    return not (0x2000 <= cp <= 0x206F or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20
                or 0xFF3B <= cp <= 0xFF40 or 0xFF5B <= cp <= 0xFF65 or 0xA1 <= cp <= 0xBF)


def lower_ascii(c):
    return c.lower() if "A" <= c <= "Z" else c


def split_words(text, lowercase):
    tokens, word = [], ""
    for c in text:
        if lowercase:
            c = lower_ascii(c)
        if is_space(c) or is_cjk(c) or not is_word_char(c):
            if word:
                tokens.append(word)
            word = ""
            if not is_space(c):
                tokens.append(c)
        else:
            word += c
    if word:
        tokens.append(word)
    return tokens


def is_chinese_char(c):
    """BERT's CJK ideograph ranges (not kana or Hangul)."""
    cp = ord(c)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F \
        or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F


class WordPiece:
    """BERT's basic tokenizer and greedy longest-match-first WordPiece."""

    def __init__(self, spec):
        self.vocab = {t: i for i, t in enumerate(spec["vocab"])}
        self.lowercase = spec.get("lowercase", True)
        strip = spec.get("strip_accents", -1)
        self.strip_accents = self.lowercase if strip is None or strip < 0 else bool(strip)
        self.unk, self.cls, self.sep = spec.get("unk", "[UNK]"), spec.get("cls", "[CLS]"), spec.get("sep", "[SEP]")
        self.prefix = spec.get("prefix", "##")
        self.max_chars = spec.get("max_chars_per_word", 100)
        self.clean_text = spec.get("clean_text", True)
        self.chinese_chars = spec.get("chinese_chars", True)

    def basic(self, text):
        out = []
        for c in text:
            cp = ord(c)
            if self.clean_text and (cp == 0 or cp == 0xFFFD or (unicodedata.category(c).startswith("C") and c not in "\t\n\r")):
                continue
            if self.chinese_chars and is_chinese_char(c):
                out.append(" " + c + " ")
            else:
                out.append(" " if c in "\t\n\r" or unicodedata.category(c) == "Zs" else c)
        words = []
        for w in "".join(out).split():
            if self.lowercase:
                w = w.lower()
            if self.strip_accents:
                w = "".join(c for c in unicodedata.normalize("NFD", w) if unicodedata.category(c) != "Mn")
            piece = ""
            for c in w:
                cp = ord(c)
                punct = (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126) \
                    or unicodedata.category(c).startswith("P")
                if punct:
                    if piece:
                        words.append(piece)
                    words.append(c)
                    piece = ""
                else:
                    piece += c
            if piece:
                words.append(piece)
        return words

    def encode(self, text, length):
        ids = [self.vocab[self.cls]]
        for w in self.basic(text):
            if len(w) > self.max_chars:
                ids.append(self.vocab[self.unk])
                continue
            start, pieces = 0, []
            while start < len(w):
                end, found = len(w), None
                while start < end:
                    sub = (self.prefix if start else "") + w[start:end]
                    if sub in self.vocab:
                        found = sub
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk]
                    break
                pieces.append(found)
                start = end
            ids.extend(self.vocab[p] for p in pieces)
        ids = ids[:length - 1] + [self.vocab[self.sep]]
        return ids


class Tokenizer:
    def __init__(self, path):
        self.kind = None
        if path.endswith(".model"):
            import sentencepiece  # pip install sentencepiece (Debian: python3-sentencepiece)
            self.kind, self.spm = "sentencepiece", sentencepiece.SentencePieceProcessor(model_file=path)
            return
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        self.kind = spec["kind"]
        if self.kind == "wordpiece":
            self.wordpiece = WordPiece(spec)
        else:
            self.vocab = {t: i for i, t in enumerate(spec["vocab"])}
            self.lowercase = spec.get("lowercase", True)

    def encode(self, text, length):
        if self.kind == "wordpiece":
            ids = self.wordpiece.encode(text, length)
        elif self.kind == "sentencepiece":
            ids = self.spm.encode(text)  # FuseLab's SentencePiece models keep 0 for padding and 1 for unknown
        else:
            if self.kind == "char":
                tokens = [lower_ascii(c) if self.lowercase else c for c in text if not is_space(c)]
            else:
                tokens = split_words(text, self.lowercase)
            ids = [self.vocab.get(t, 1) for t in tokens]
        ids = ids[:length]
        return ids + [0] * (length - len(ids))


# ---- the dataset ---------------------------------------------------------------------

def read_rows(data, label_column):
    """(row dict of column -> value, split, base folder) for each sample of a manifest or folder tree."""
    if os.path.isdir(data):
        for name in ("manifest.csv", "manifest.jsonl"):
            if os.path.exists(os.path.join(data, name)):
                return read_rows(os.path.join(data, name), label_column)
        return read_tree(data)
    if not os.path.exists(data):
        sys.exit("train.py: %s: no such manifest or folder (pass --data)" % data)
    base = os.path.dirname(os.path.abspath(data))
    rows = []  # (line, row)
    if data.endswith((".jsonl", ".ndjson")):
        with open(data, encoding="utf-8-sig") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        rows.append((n, {k.strip(): v for k, v in json.loads(line).items()}))
                    except (ValueError, AttributeError) as e:
                        warn("%s:%d: skipped: not a JSON object (%s)" % (data, n, e))
    else:
        with open(data, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            for row in reader:
                rows.append((reader.line_num, {(k or "").strip(): v for k, v in row.items()}))
    columns = sorted({k for _, r in rows for k in r})
    if rows and label_column not in columns:
        sys.exit("train.py: %s has no label column \"%s\" (its columns: %s)" % (data, label_column, ", ".join(columns)))
    out = []
    for n, r in rows:
        label = r.get(label_column)
        if isinstance(label, str):
            label = label.strip()
        if label is None or label == "":
            continue
        split = split_name(r.get("split") or "train")
        if split is None:
            warn("%s:%d: skipped: unknown split \"%s\"" % (data, n, r.get("split")))
            continue
        out.append((r, label, split, base))
    return out


def read_tree(root):
    out = []
    tops = [d for d in sorted(os.listdir(root)) if not d.startswith(".") and os.path.isdir(os.path.join(root, d))]
    with_splits = any(split_name(d) for d in tops)  # as FuseLab: one split folder makes it a split tree
    for top in tops:
        if with_splits and not split_name(top):
            warn("%s: skipped: not a split folder (train, val or test)" % os.path.join(root, top))
            continue
        split = split_name(top) if with_splits else "train"
        class_root = os.path.join(root, top)
        for label in (sorted(os.listdir(class_root)) if with_splits else [top]):
            folder = os.path.join(class_root, label) if with_splits else class_root
            if label.startswith(".") or not os.path.isdir(folder):
                continue
            samples = {}
            for dirpath, _, files in os.walk(folder):
                for f in sorted(files):
                    if f.startswith("."):
                        continue
                    stem, ext = os.path.splitext(f)
                    kind = "image" if ext.lower() in IMAGE_EXT else "audio" if ext.lower() in AUDIO_EXT else "text" if ext.lower() == ".txt" else None
                    if kind:
                        samples.setdefault(os.path.join(dirpath, stem), {})[kind] = os.path.join(dirpath, f)
            for key in sorted(samples):
                row = dict(samples[key])
                if "text" in row:
                    with open(row["text"], encoding="utf-8-sig") as f:
                        row["text"] = f.read()
                out.append((row, label, split, root))
    return out


class FuseLabDataset(Dataset):
    """Samples of the manifest (or folder tree) as the model's inputs, the presence mask and the label."""

    def __init__(self, rows, pre, used_inputs):
        self.rows, self.pre, self.used = rows, pre, set(used_inputs)
        self.classes = pre["classes"]
        if pre["task"] not in ("single-label", "multi-label"):
            raise SystemExit("train.py retrains classifiers; this model's task is %s (use model.py with your own loop)" % pre["task"])
        self.multi_label = pre["task"] == "multi-label"
        self.index = {c: i for i, c in enumerate(self.classes)}
        self.tokenizers = {}
        self.warned = set()
        for inp in pre["inputs"]:
            if inp["kind"] == "text" and inp["index"] in self.used:
                self.tokenizers[inp["index"]] = Tokenizer(os.path.join(HERE, inp["tokenizer"]["file"]))
        for inp in pre["inputs"]:  # a column the model reads must be in the data
            if inp["index"] in self.used and rows and not any(inp["name"] in r[0] or inp["kind"] in r[0] for r in rows):
                sys.exit("train.py: the data has no column \"%s\" (%s), which the model reads; its columns: %s"
                         % (inp["name"], inp["kind"], ", ".join(sorted(rows[0][0]))))
        for row in rows:  # labels the model knows
            for name in (row[1] if isinstance(row[1], list) else [row[1]] if not self.multi_label else str(row[1]).split(";")):
                if str(name).strip() and str(name).strip() not in self.index:
                    sys.exit("train.py: label \"%s\" is not one of the model's classes (%s)" % (name, ", ".join(self.classes)))

    def __len__(self):
        return len(self.rows)

    def target(self, label):
        if not self.multi_label:
            return torch.tensor(self.index[str(label)])
        names = [str(n).strip() for n in label] if isinstance(label, list) else [n.strip() for n in str(label).split(";") if n.strip()]
        t = torch.zeros(len(self.classes))
        for n in names:
            t[self.index[n]] = 1.0
        return t

    def __getitem__(self, i):
        row, label, _, base = self.rows[i]
        xs, present = [], []
        for inp in self.pre["inputs"]:
            value = row.get(inp["name"], row.get(inp["kind"]))
            shape = inp["shape"]
            zeros = torch.zeros(shape, dtype=torch.int64 if inp["kind"] == "text" else torch.float32)
            if value is None or value == "" or inp["index"] not in self.used:  # missing, or an input the model does not read
                xs.append(zeros)
                present.append(0.0)
                continue
            try:
                if inp["kind"] == "image":
                    xs.append(load_image(os.path.join(base, value), inp["image"]))
                elif inp["kind"] == "audio":
                    xs.append(load_audio(os.path.join(base, value), inp["audio"], shape))
                else:
                    xs.append(torch.tensor(self.tokenizers[inp["index"]].encode(str(value), shape[0]), dtype=torch.int64))
                present.append(1.0)
            except Exception as e:  # as FuseLab: a field that does not decode is a missing modality
                if value not in self.warned:
                    self.warned.add(value)
                    warn("%s: %s; used as missing" % (os.path.join(base, str(value)) if inp["kind"] != "text" else inp["name"], e))
                xs.append(zeros)
                present.append(0.0)
        return xs, torch.tensor(present), self.target(label)


def load_image(path, s):
    """As FuseLab's ImageDecoder: decoded by OpenCV, channels converted, resized, scaled, normalised."""
    import cv2  # pip install opencv-python (Debian: python3-opencv)
    import numpy as np
    with open(path, "rb") as f:
        data = np.frombuffer(f.read(), dtype=np.uint8)
    flags = cv2.IMREAD_UNCHANGED
    if data[:3].tobytes() == b"\xff\xd8\xff":  # a JPEG at least twice the size: decoded reduced, as FuseLab does
        header = cv2.imdecode(data, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
        if header is not None and header.dtype == np.uint8:
            hh, ww = header.shape[:2]
            for r, grey, colour in ((8, cv2.IMREAD_REDUCED_GRAYSCALE_8, cv2.IMREAD_REDUCED_COLOR_8),
                                    (4, cv2.IMREAD_REDUCED_GRAYSCALE_4, cv2.IMREAD_REDUCED_COLOR_4),
                                    (2, cv2.IMREAD_REDUCED_GRAYSCALE_2, cv2.IMREAD_REDUCED_COLOR_2)):
                if (ww + r - 1) // r >= s["width"] and (hh + r - 1) // r >= s["height"]:
                    flags = grey if s["channels"] == 1 else colour
                    break
    m = cv2.imdecode(data, flags | cv2.IMREAD_IGNORE_ORIENTATION)
    if m is None:
        raise ValueError("not an image OpenCV can decode")
    scale = 65535.0 if m.dtype == np.uint16 else 1.0 if m.dtype in (np.float32, np.float64) else 255.0
    src = 1 if m.ndim == 2 else m.shape[2]
    if s["channels"] == 1:
        m = m if src == 1 else m[:, :, 0] if src == 2 else cv2.cvtColor(m, cv2.COLOR_BGR2GRAY if src == 3 else cv2.COLOR_BGRA2GRAY)
    else:
        m = cv2.cvtColor(m if src != 2 else m[:, :, 0], cv2.COLOR_GRAY2RGB) if src in (1, 2) else \
            cv2.cvtColor(m, cv2.COLOR_BGR2RGB if src == 3 else cv2.COLOR_BGRA2RGB)
    w, h = s["width"], s["height"]
    if m.shape[1] != w or m.shape[0] != h:
        if s.get("resize", "stretch") == "stretch":
            shrink = m.shape[1] > w or m.shape[0] > h
            m = cv2.resize(m, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        else:
            f = min(w / m.shape[1], h / m.shape[0])
            sw, sh = max(1, min(w, int(m.shape[1] * f + 0.5))), max(1, min(h, int(m.shape[0] * f + 0.5)))
            scaled = cv2.resize(m, (sw, sh), interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
            top, left = (h - sh) // 2, (w - sw) // 2
            m = cv2.copyMakeBorder(scaled, top, h - sh - top, left, w - sw - left, cv2.BORDER_CONSTANT, value=0)
    x = torch.from_numpy(m.astype(np.float32) / scale)
    x = x.unsqueeze(0) if x.dim() == 2 else x.permute(2, 0, 1)
    mean = torch.tensor(s["mean"], dtype=torch.float32).view(-1, 1, 1)
    std = torch.tensor(s["std"], dtype=torch.float32).view(-1, 1, 1)
    return ((x - mean) / std).contiguous()


def load_audio(path, s, shape):
    """Mono, resampled, cropped or zero-padded, log-mel spectrogram, normalised (torchaudio)."""
    import torchaudio  # Debian: python3-torchaudio
    try:
        import soundfile  # decodes WAV/FLAC/OGG without FFmpeg (torchaudio 2.9+ needs TorchCodec for load())
        data, rate = soundfile.read(path, dtype="float32", always_2d=True)
        wave = torch.from_numpy(data.T.copy())
    except ImportError:
        wave, rate = torchaudio.load(path)
    wave = wave.mean(0)
    if rate != s["sample_rate"]:
        wave = torchaudio.functional.resample(wave, rate, s["sample_rate"])
    n = int(s["duration_s"] * s["sample_rate"] + 0.5)
    wave = torch.nn.functional.pad(wave[:n], (0, max(0, n - wave.numel())))
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=s["sample_rate"], n_fft=s["n_fft"], win_length=s["win_length"],
                                               hop_length=s["hop_length"], f_min=s["f_min"], f_max=s["f_max"], n_mels=s["n_mels"])(wave)
    if s.get("log", True):
        mel = torch.log(mel + s["log_eps"])
    mel = mel[:, :shape[1]]
    mean, std = s["mean"], s["std"]
    mean, std = (mean[0] if isinstance(mean, list) else mean), (std[0] if isinstance(std, list) else std)
    return ((mel - mean) / std).contiguous()


def split_rows(rows, fractions, seed):
    """Train/val/test by the experiment's fractions within each class (FuseLab's own split is
    also stratified and seeded, but draws differently: the samples differ)."""
    by_label = {}
    for r in rows:
        by_label.setdefault(json.dumps(r[1]), []).append(r)
    rng = random.Random(seed)
    out = []
    total = sum(fractions) or 1.0
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        n_val = int(round(len(group) * fractions[1] / total))
        n_test = int(round(len(group) * fractions[2] / total))
        for k, (row, lab, _, base) in enumerate(group):
            out.append((row, lab, "val" if k < n_val else "test" if k < n_val + n_test else "train", base))
    return out


def collate(batch):
    xs = [torch.stack([b[0][m] for b in batch]) for m in range(len(batch[0][0]))]
    return xs, torch.stack([b[1] for b in batch]), torch.stack([b[2] for b in batch])


# ---- training ------------------------------------------------------------------------

def main():
    with open(os.path.join(HERE, "experiment.fuselab.json"), encoding="utf-8") as f:
        experiment = json.load(f)
    with open(os.path.join(HERE, "preprocessing.json"), encoding="utf-8") as f:
        pre = json.load(f)
    t = experiment["training"]
    parser = argparse.ArgumentParser(description="Continue training a FuseLab model in PyTorch (torchrun for several processes).")
    parser.add_argument("--data", default=os.path.normpath(os.path.join(HERE, experiment["dataset"]["path"])),
                        help="manifest or folder (default: the experiment's dataset, relative to this folder)")
    parser.add_argument("--weights", default=os.path.join(HERE, "model.safetensors"), help="weights to start from")
    parser.add_argument("--out", default=os.path.join(HERE, "trained.safetensors"), help="weights written after every epoch (rank 0)")
    parser.add_argument("--epochs", type=int, default=t["epochs"])
    parser.add_argument("--batch-size", type=int, default=t["batch_size"], help="per process")
    parser.add_argument("--lr", type=float, default=t["learning_rate"])
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps per epoch (0: the whole epoch)")
    parser.add_argument("--seed", type=int, default=t.get("seed", 42))
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank, world = 0, 1
    device = torch.device(args.device)
    if distributed:  # torchrun (or any launcher that sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    rows = read_rows(args.data, experiment["dataset"].get("label_column", "label"))
    fractions = experiment["dataset"].get("split", [0.8, 0.1, 0.1])
    if not any(r[2] != "train" for r in rows):  # no split given: the experiment's fractions, per class, seeded
        rows = split_rows(rows, fractions, experiment["dataset"].get("split_seed", 42))
    elif not any(r[2] == "val" for r in rows) and fractions[1] > 0:  # as FuseLab: validation carved out of train
        carved = split_rows([r for r in rows if r[2] == "train"], [fractions[0], fractions[1], 0.0], experiment["dataset"].get("split_seed", 42))
        rows = carved + [r for r in rows if r[2] != "train"]
    train_rows = [r for r in rows if r[2] == "train"]
    val_rows = [r for r in rows if r[2] == "val"]
    if not train_rows:
        sys.exit("train.py: %s: no training samples (train.py reads CSV/JSONL manifests and folder trees, not IDX files)" % args.data)
    train_set, val_set = FuseLabDataset(train_rows, pre, FuseLabModel.used_inputs), FuseLabDataset(val_rows, pre, FuseLabModel.used_inputs)
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=False) if distributed else None
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler, num_workers=args.workers,
                        collate_fn=collate, drop_last=False)

    model = FuseLabModel()
    state, _ = load_safetensors(args.weights)
    model.load_state_dict(state, strict=True)
    model.to(device)
    if distributed:
        # find_unused_parameters: the autoencoders' decoders only train in FuseLab (their loss
        # is not carried over), so their weights get no gradient here.
        model = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None,
                                                    find_unused_parameters=True)
    core = model.module if distributed else model
    params = [p for p in model.parameters() if p.requires_grad]
    if t.get("optimizer", "adamw") == "sgd":
        optimizer = torch.optim.SGD(params, lr=args.lr, momentum=t.get("momentum", 0.9), nesterov=t.get("nesterov", False),
                                    weight_decay=t.get("weight_decay", 0.0))
    elif t.get("optimizer") == "adam":
        optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=t.get("weight_decay", 0.0))
    else:
        optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=t.get("weight_decay", 0.01))
    loss_fn = nn.BCEWithLogitsLoss() if core.multi_label else nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        total, count = torch.zeros(2, device=device), 0
        for step, (xs, present, y) in enumerate(loader):
            if args.max_steps and step >= args.max_steps:
                break
            xs, present, y = [x.to(device) for x in xs], present.to(device), y.to(device)
            loss = loss_fn(model(*xs, present), y)
            optimizer.zero_grad()
            loss.backward()
            if t.get("grad_clip", 0) > 0:
                nn.utils.clip_grad_norm_(params, t["grad_clip"])
            optimizer.step()
            total += torch.stack([loss.detach() * y.shape[0], torch.tensor(float(y.shape[0]), device=device)])
            count += 1
        if distributed:
            dist.all_reduce(total)
        train_loss = (total[0] / total[1].clamp_min(1)).item()
        accuracy = evaluate(core, val_set, args.batch_size, device) if val_rows and rank == 0 else None
        if rank == 0:
            save_safetensors(args.out, core.state_dict(),
                             {"format": "pt", "producer": "FuseLab train.py", "classes": json.dumps(core.class_names)})
            print(json.dumps({"epoch": epoch + 1, "train_loss": train_loss, "val_accuracy": accuracy, "steps": count, "world_size": world}),
                  flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


@torch.no_grad()
def evaluate(model, dataset, batch_size, device):
    model.eval()
    right, total = 0, 0
    for xs, present, y in DataLoader(dataset, batch_size=batch_size, collate_fn=collate):
        logits = model(*[x.to(device) for x in xs], present.to(device))
        if model.multi_label:
            right += ((logits > 0).float() == y.to(device)).all(1).sum().item()
        else:
            right += (logits.argmax(1) == y.to(device)).sum().item()
        total += y.shape[0]
    return right / max(total, 1)


if __name__ == "__main__":
    main()
