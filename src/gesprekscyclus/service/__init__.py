"""The application service: commands and queries inside a unit of work."""
