"""Highlights: clips snapped to words, ordered into reels, rendered and exported."""
