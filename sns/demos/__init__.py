"""Demo content for each part of the site, seeded after the demo town's people, friends and diaries.

Each module has `async def seed(as_user, users)`: `as_user(username)` gives a service Ctx acting as
that demo resident, `users` maps usernames to User rows (admin, cityhall, hanako, taro, yuki, ken).
"""

from sns.demos import alerts, albums, communities, departments, disaster, events, messages, reports, shelters

PARTS = (communities, events, departments, messages, albums, reports, shelters, alerts, disaster)
