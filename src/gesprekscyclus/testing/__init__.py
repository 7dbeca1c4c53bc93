"""Test support for embedding applications and third-party adapters."""
