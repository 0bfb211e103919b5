"""Storage: the only package that imports pymongo. Repositories return plain dicts with string
ids."""
