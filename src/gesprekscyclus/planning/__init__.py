"""Planning: from a cycle design, people and events to a deterministic plan."""
