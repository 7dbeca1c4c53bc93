"""The domain: value objects and pure rules. No I/O, no clock reads."""
