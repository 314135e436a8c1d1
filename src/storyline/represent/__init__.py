"""Representing articles: content hashes, MinHash signatures, lexical matrices and vectors (see :mod:`.stage`)."""
