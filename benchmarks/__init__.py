"""Speed measurements and the tooling that fills their databases (see README.md); not part of the product."""
