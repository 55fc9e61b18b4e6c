"""PyTorch side of Benchmarks/train-step-vs-pytorch.sh: the median time of one training step of a MiniLM-size BERT
classifier (6 layers, hidden 384, 12 heads, feed-forward 1536, vocabulary 30522, dropout 0.1, mean pooling, linear
head), batch of sentences of a fixed token length, cross-entropy, gradient clipping at 1.0 and AdamW, the same step
the C# side (`mlnetext bench train`) takes. Weights are random: the arithmetic, not the values, sets the time."""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class MiniLmSizeClassifier(nn.Module):
    def __init__(self, vocab=30522, hidden=384, layers=6, heads=12, ffn=1536, positions=512, labels=2, dropout=0.1):
        super().__init__()
        self.words = nn.Embedding(vocab, hidden)
        self.positions = nn.Embedding(positions, hidden)
        self.types = nn.Embedding(2, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(hidden, heads, ffn, dropout, activation="gelu", layer_norm_eps=1e-12, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(hidden, labels)

    def forward(self, ids, mask):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.dropout(self.norm(self.words(ids) + self.positions(positions) + self.types(torch.zeros_like(ids))))
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        m = mask.unsqueeze(-1).to(x.dtype)
        return self.head(self.dropout((x * m).sum(1) / m.sum(1)))


def time_steps(tokens, batch, steps, seed=1):
    torch.manual_seed(seed)
    model = MiniLmSizeClassifier()
    model.train()
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "norm" in n)]
    rest = [p for n, p in model.named_parameters() if n.endswith("bias") or "norm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=5e-5)
    ids = torch.full((batch, tokens), 1996, dtype=torch.long)
    mask = torch.ones((batch, tokens), dtype=torch.long)
    labels = torch.arange(batch) % 2
    times = []
    for step in range(steps + 1):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(ids, mask), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step > 0:
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", default="32,64,128")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for tokens in [int(t) for t in args.tokens.split(",")]:
        median, timed = time_steps(tokens, args.batch_size, args.steps)
        results.append({"tokens": tokens, "batch_size": args.batch_size, "steps": timed, "threads": args.threads,
                        "median_step_seconds": median, "sentences_per_second": args.batch_size / median})
        print(f"pytorch {torch.__version__}: {tokens} tokens, median step {median:.3f} s, {args.batch_size / median:.1f} sentences/s", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
