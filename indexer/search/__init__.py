"""Full-text search: the passage index (Whoosh) and quote/keyword queries with the aligner as second stage."""
