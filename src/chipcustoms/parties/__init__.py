"""Party screening: normalise names, load watchlists, match parties and explain each hit."""
