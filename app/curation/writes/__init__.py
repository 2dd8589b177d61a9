"""What each curated write does to its resource: the domain rules behind the generated routes
(`app.curation.resources` names these functions for every route)."""
