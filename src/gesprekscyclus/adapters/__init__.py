"""Adapters implementing the ports: stores, notifiers."""
