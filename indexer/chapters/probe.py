"""Two fitted directions in the embedding model's space, for indexer.chapters.scorer: a story's opening and its close.

Fitted with the scorer's other weights on real news (SpeechTopSeg's train lists) by bench/fit_chapters.py, whose
--write-probe rewrites the two strings below. The numbers are weights, nothing of the data: 384 for each of
multilingual-e5-small's dimensions, kept as float16 in base64 so that the module stays small.
"""

from __future__ import annotations

import base64

import numpy as np

# Fitted 2026-12-02 by bench/fit_chapters.py on the first 40 programmes of each train list (L2 3000).
OPENS = """
cDpVOHE7cDzLuFM28DmqvCq0K8GiOIK9M7ruuxU6JahGNfizqjGAPpeveLCMt6G7HzSQvFU6KTyOs5k6z7qKug25f7vrsQU+lLmfu7IyKzKYpdK1Mbk6
Oi2wfj12Ogo01DpEMJG4ozBstd+4AzvcO1G7yzt1Jba0nTqCu9sxSbzNLlC1IrdEu+u6XzVTLVW8Yjk4seS4KDQhvVA34DYBOwm3dzNtsG68kqxnsUm0
j6x0OXU5O7zGOtc5kDu7O0C8ZrW/tLWsCrK3u6K0yrSmuO28fbeArj45+D7sM9817T67vIC0TKx2NJE5AjmTvMY1wzg2scO66TohtScxpThpvIE1zzKg
tBcykC8MHFA6nriWOxC8BzPwuoO3drY0PpQ4KrRTOCY8a757uxg/djZINGeqp8EHrH27Kj7iOA6/gz3iLIAh+DmBtnE5+LWQu8i2/r3fqAyxRjqvOba4
zq8uNpusID3yuiq5mTLuDK64fTxrOS0sMa/VsO8pJ8DruHExoroJspyuKTntPXy507k8vPC5krxXJzmw1rHXshtAADpOOY24Wrc8NUuumj5AuGU9xznt
ueq6CT80KHu72DuDNBA5IrgfwEI7mL2vvVM7kjqOugM8OTQJPdMz67easkk/w7WDtaA6LTTStNuzCA9But+7gDciMmMyurgowP64Np4IqU+6rbQpuj02
YzqZO2ayUj7AMjo7jLhgtAC8oDzkudusDTLHtV+z57n8uSc6oTfjs0K2JTdIv2Wu4zxevPC0o7L4OlurNjdDvVEwlblPNpqupjmpLzi8zjdTtT6irrZJ
swI5G7s1MYClfqpaNNE5dTlnMUS64T4aPDMoZ7ixJoyx6zv4Okg6uLtPtcm1pblbsKmyj7OZvAejTjclshG86D0EuQo2iSfmsVK6GLg8vQwu8zgYuqO4
mjhbOta9TrDXLBy4NbihN6s81TdBO9SspraGNGUwKTESK8IzWzFTuoUwFy6nvJ+7bDJeOVqxBDcDOVo3IzikuuQ63z2tuci1
"""
CLOSES = """
bjPGOds3s7JMtd80Za/vN3GyYTE6OSQ0ibCrtyu0LLZOOLCve7ArtU8wpLmBtiA8VC7qNjOxgbp0uAw4VrmVKrovLjQHNmg5rrYvOBa1BzxdtDY4J6jc
sUAuC7HdMmAuEjQNuuK3XbgwNnG5Qa3asI65yaQmN1+4jLesONsvETectQm5yDZeNQc2k7L+tp0w0LckL8cnS69vrWg1qLRTM824RqqzLTa0SjUZITc5
wS+8OHOPTbdxN3kpELGmNKq5/jmgty2xVjHWtpS6YRWFuHM1vDjbrjmy1jpcPV43nDh9L5wMm7k7uQQ2j7icNi+q7zRQNIYzg7UtOSK4+LdMN1q4AC0V
trg0cTahK742G7r+u32t27a1NFM5hLjbMKi4LbL9s1OeZbjINme1gTKZOaa0kaxTuAw1JTgaspS5OzSzu3i4WTV2sD8wHzHdMR666bjZMpY2eq4bOPgw
vryHskkxJLYPO1CwX7cUONM5Q7perxW3ILqyrdY1g7VtOIQxTDIDNdE6AzOMNLg0kr1UuQoxH6cJN/Sg9yzmtiA6NTbgtuM1czUQPHqwnyheL10zzrZp
NDI3l6tSOR6smLmeLne5IS01qUq0lq8puK86MbW7uc41SbwcOP+x0LkmN4cxP7lBO+urY7DCNGa7lDdtMq+6hLiVudo0gyKbOPGyXyFOud05ZLYmssuy
by3nOp0pWLORrfws0LlELp80+y0yrRI5qjobsjA1M7lXKskuVbQHqOs05KtxtO810jkotnY2yroLO+y3ay80uB6tibQ8OTy0YLTJuF+5CjJQMbg3bqXq
MuuxIbD6OBs8ELKKKpA41TFcO4U6UDqMNRw5LrH3t1sok6h1Jmo47DBvuGw6grecsIu0ASXYLWgwNbCIsbG4O7fDNLg0wrUZN3039jQbtAYx2jg+uW82
xjLOK+o0MTZ6MYy8i7WgunGzNzikpqS5LymkqCGwGChhMi+xGbhLmVg4VKwvtycyVjDAM24sybUFqkY4LbfKOHy4PCroppez
"""


def directions() -> tuple[np.ndarray, np.ndarray]:
    """(opens, closes) as float64 vectors; empty ones where nothing is fitted."""
    return _vector(OPENS), _vector(CLOSES)


def _vector(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode("".join(text.split())), dtype="<f2").astype(np.float64)
