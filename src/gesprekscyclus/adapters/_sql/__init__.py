"""What the SQL stores share: row encodings, the fast conversation reader and the tables.

Internal to the adapters; nothing here imports a database driver.
"""
