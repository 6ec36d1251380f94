"""The alerts' tables (schema 16) and the facts the rules read."""
