"""The explorer page at /: a small browser front end built only on the public /v1 API."""
