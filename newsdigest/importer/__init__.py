"""Importing raw news text (copied from news sites) into content/ story folders.

One module per concern: reading bytes (reading), language identification (detect), Babel-derived
word lists (lexicon), dates (dates), cleaning lines (boilerplate), pulling out title/date/source
and body (extract, headline), pairing French and English versions (entities, pairing), reading
what content/ already holds (existing), writing story files (write), and the command line (cli).
"""
