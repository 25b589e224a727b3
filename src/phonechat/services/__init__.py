"""Use cases: each loads, asks the domain, writes, in one transaction."""
