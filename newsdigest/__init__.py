"""newsdigest: a static site generator for bilingual news digests."""

__version__ = "0.1.0"
