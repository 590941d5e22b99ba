"""Pure domain logic of Ascent: plain data in, plain data out; no Flask, no SQLAlchemy."""
