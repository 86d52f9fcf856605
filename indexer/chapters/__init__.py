"""Chapters: topic segmentation of a transcript into titled chapters, and the creator's own chapter lists."""
