"""Demo content for each part of the site, seeded after the demo town's people, friends and diaries.

Each module has `async def seed(as_user, users)`: `as_user(username)` gives a service Ctx acting as
that demo resident, `users` maps usernames to User rows (admin, cityhall, hanako, taro, yuki, ken). The
manifest (sns/areas.py) names each area's part (`demo`); `sns demo` seeds them in the areas' order.
"""
