"""Full-text search of diaries, topics, replies, events and communities (see docs/search.md)."""
