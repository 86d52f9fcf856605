"""The distributed transport: Dramatiq over Redis carries work to `clipindex worker` processes on many machines.

Only the transport is here. The store stays the truth about work (claims, leases, heartbeats, progress, cancel), the
steps stay the plain functions of ingest/steps.py, and a message is only a nudge: a duplicate delivery finds its step
claimed or done and does nothing. Nothing here is imported (nor Dramatiq installed) unless CLIPINDEX_BROKER_URL is set.
"""
