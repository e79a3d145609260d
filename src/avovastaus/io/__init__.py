"""Survey files in, run directories out: ingest, the run directory and its manifest, staged writes.

The lowest layer: it knows files and tables, never themes. ``ingest`` reads CSV/TSV, XLSX, JSONL and
Parquet into one answers table; ``rundir`` owns the run directory's format (tables, manifest, answer
keys); ``staging`` writes a file or a whole folder beside its place and swaps it in only when complete.
"""
