"""Backups that restore: one archive of the database (pg_dump) and the uploads, and its way back.

postgres.py finds pg_dump/pg_restore and hands them the connection, contents.py says what a site holds,
archive.py writes and checks the archive, create.py and restore.py are the two commands' work.
"""
