"""The alerts' tables (schema 17) and the facts the rules read."""
