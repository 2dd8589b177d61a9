"""Arms and technology transfers: deals from a supplier to a recipient (a directed channel)."""
