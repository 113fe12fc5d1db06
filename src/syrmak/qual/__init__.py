"""The qualitative core: documents, codebook, codings, retrieval, matrices, search, agreement.

Every position in a document is a Unicode code-point offset into its stored canonical text
(``docs/ARCHITECTURE.md``): Python ``str`` indexes, REFI-QDA selections and the store agree.
"""
