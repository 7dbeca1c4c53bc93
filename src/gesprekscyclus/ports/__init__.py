"""Ports: the contracts between the service and the outside world (store, notifier, clock)."""
