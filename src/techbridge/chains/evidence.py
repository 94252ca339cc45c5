"""Why an enterprise sits on a chain node, in the reader's language: each stored fact behind a link (`Piece`) as a
catalogue sentence (`chains.why.proof_*`) with its unit — the revenue share in per cent, or the relation and the
weight assumed for it, the source's date, a listed product name read as a node of the chain vocabulary."""

from __future__ import annotations

import re

from techbridge.chains.schemas import Link, Piece, Why, relation_params, relation_terms, share_text

DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def link_whys(link: Link) -> tuple[Why, ...]:
    """The link's weight and then each of its facts, as sentences."""
    first = link.pieces[0] if link.pieces else Piece(link.relation, "", "")
    said = (*relation_params(link.relation), *_node(first))
    terms = relation_terms(link.relation)
    if link.measured:
        weight = Why("proof_revenue", (*said, ("share", share_text(link.weight))), terms)
    else:
        weight = Why("proof_assumed", (*said, ("weight", f"{link.weight:.2f}")), terms)
    return (weight, *(why for piece in link.pieces for why in piece_whys(piece)))


def _node(piece: Piece) -> tuple[tuple[str, str], ...]:
    return (("node", piece.node),)


def piece_whys(piece: Piece) -> tuple[Why, ...]:
    """One fact: a name read as another node says so (its steps stay in the text evidence); a dated source says the
    date; any other note of the source is quoted, except a bare code (it stays in the text evidence)."""
    if piece.listed != piece.node:
        params = (*relation_params(piece.relation), ("listed", piece.listed), ("node", piece.node))
        return (Why("proof_resolved", params, relation_terms(piece.relation)),)
    if DATE.match(piece.note):
        return (Why("proof_dated", (("date", piece.note),)),)
    if piece.note and not piece.note.isdigit():
        return (Why("proof_note", (("note", piece.note),)),)
    return ()  # nothing more, or a bare code of the source (an industry code such as 270103) people cannot read
