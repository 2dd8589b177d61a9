"""Cooperation analytics: the network of ties, its centrality, paths, blocs, dyad-years."""
