"""Secure message exchange inside an operation: addressed messages, alerts, threads,
acknowledgements and encrypted attachments (see models.py for what a message carries
and visibility.py for who sees it)."""
