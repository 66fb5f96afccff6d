"""Finding procedures and their items in a read guide, and picking the one a question asks about."""
