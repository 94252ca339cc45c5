"""Search mechanics: tokenizer, lexical index, embedder, vector index, fusion, index artifacts, metrics."""
