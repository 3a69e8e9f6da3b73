"""The pages of the site's first parts (front page, accounts, diaries, people, notices, administration,
moderation, feeds, photos) and its static files, one list per part.

Every other part keeps its pages in its own `sns/web/<area>.py` (`ROUTES`). The manifest (sns/areas.py)
names each part with its routes, in the order they are tried.
"""

from __future__ import annotations

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sns.templating import STATIC_DIR
from sns.web import (
    account, admin, audit, auth, diaries, feeds, front, media, mirror_media, moderation, my_sessions, notices, people,
    second_factor_step, security_settings, word_lists,
)
from sns.web import passkeys

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

FRONT = (
    Route("/", front.front_page, methods=GET, name="front"),
    Route("/home", front.my_page, methods=GET, name="home"),
)
ACCOUNTS = (
    Route("/login", auth.login, methods=BOTH, name="login"),
    Route("/login/second-factor", second_factor_step.second_factor_step, methods=BOTH),
    Route("/logout", auth.logout, methods=POST, name="logout"),
    Route("/join/{token}", auth.join, methods=BOTH, name="join"),
    Route("/signup", auth.signup, methods=BOTH, name="signup"),
    Route("/password/forgot", auth.password_forgot, methods=BOTH),
    Route("/password/reset/{token}", auth.password_reset, methods=BOTH),
    Route("/settings/password", auth.password_change, methods=BOTH),
    Route("/settings", account.settings_page, methods=GET),
    Route("/settings/language", account.language, methods=POST),
    Route("/settings/tokens", account.token_create, methods=POST),
    Route("/settings/tokens/revoke", account.token_revoke, methods=POST),
    Route("/settings/profile", people.profile_edit, methods=BOTH),
    Route("/settings/sessions", my_sessions.sessions_page, methods=GET),
    Route("/settings/sessions/end", my_sessions.session_end, methods=POST),
    Route("/settings/sessions/end-others", my_sessions.sessions_end_others, methods=POST),
    Route("/settings/security/log", my_sessions.security_log, methods=GET),
    # Security (an account held for its second factor may open these: sns/web/http.py, `_WHILE_HELD`)
    Route("/settings/security", security_settings.security_page, methods=GET),
    Route("/settings/security/totp/new", security_settings.totp_new, methods=BOTH),
    Route("/settings/security/factors/{id}/remove", security_settings.factor_remove, methods=BOTH),
    Route("/settings/security/recovery", security_settings.recovery_page, methods=BOTH),
    # passkeys and security keys (sns/web/passkeys.py): the ceremonies' JSON, the settings page, removing one
    Route("/settings/passkeys/options", passkeys.add_options, methods=POST),
    Route("/settings/passkeys/add", passkeys.add, methods=POST),
    Route("/settings/passkeys/remove", passkeys.remove, methods=POST),
    Route("/login/passkey/options", passkeys.sign_in_options, methods=POST),
    Route("/login/passkey", passkeys.sign_in, methods=POST),
    Route("/login/second-factor/passkey/options", passkeys.second_factor_options, methods=POST),
    Route("/login/second-factor/passkey/check", passkeys.second_factor, methods=POST),
)
DIARIES = (
    Route("/diaries", diaries.diary_list, methods=GET, name="diaries"),
    Route("/diaries/new", diaries.diary_new, methods=BOTH),
    Route("/diaries/{id}", diaries.diary_page, methods=GET),
    Route("/diaries/{id}/edit", diaries.diary_edit, methods=BOTH),
    Route("/diaries/{id}/delete", diaries.diary_delete, methods=POST),
    Route("/diaries/{id}/comments", diaries.comment_add, methods=POST),
    Route("/comments/{id}/delete", diaries.comment_delete, methods=POST),
)
PEOPLE = (
    Route("/people", people.people_list, methods=GET),
    Route("/people/{username}", people.profile_page, methods=GET),
    Route("/friends", people.friends_page, methods=GET),
    Route("/friends/{action}", people.friend_action, methods=POST),
)
NOTICES = (
    Route("/notices", notices.notice_list, methods=GET),
    Route("/notices/new", notices.notice_new, methods=BOTH),
    Route("/notices/{id}", notices.notice_page, methods=GET),
    Route("/notices/{id}/delete", notices.notice_delete, methods=POST),
)
ADMINISTRATION = (
    Route("/admin/users", admin.users_page, methods=GET),
    Route("/admin/users/{id}", admin.user_update, methods=POST),
    Route("/admin/users/{username}/factor-reset", audit.reset_ask, methods=BOTH),
    Route("/admin/factor-resets", audit.resets_page, methods=GET),
    Route("/admin/factor-resets/{id}", audit.reset_decide, methods=POST),
    Route("/admin/audit", audit.audit_page, methods=GET),
    Route("/admin/invitations", admin.invite_page, methods=BOTH),
    Route("/admin/site", admin.site_page, methods=BOTH),
    Route("/admin/words", word_lists.words_page, methods=BOTH),
    Route("/admin/words.txt", word_lists.words_export, methods=GET),
)
MODERATION = (
    Route("/moderation", moderation.queue_page, methods=GET),
    Route("/moderation/log", moderation.log_page, methods=GET),
    Route("/moderation/mine", moderation.mine_page, methods=GET),
    Route("/moderation/appeal/{id}", moderation.appeal, methods=POST),
    Route("/moderation/{id}", moderation.queue_action, methods=POST),
    Route("/diaries/{id}/report", moderation.report_diary, methods=POST),
    Route("/comments/{id}/report", moderation.report_comment, methods=POST),
)
FEEDS = (
    Route("/feeds/diaries.atom", feeds.town_diaries, methods=GET),
    Route("/feeds/notices.atom", feeds.notices, methods=GET),
    Route("/feeds/people/{username}.atom", feeds.resident_diaries, methods=GET),
)
PHOTOS = (
    Route("/photos/{name}", media.photo, methods=GET),
    Route("/mirror/{origin}/photos/{id}", mirror_media.mirrored_photo, methods=GET),
    Route("/mirror/{origin}/photos/{id}/thumb", mirror_media.mirrored_photo, methods=GET),
)
STATIC = (
    # Leaflet's files, from the django-js-lib-leaflet package (plain static files): no CDN, nothing committed.
    Mount("/static/leaflet", StaticFiles(packages=[("js_lib_leaflet", "static/js_lib_leaflet")]), name="leaflet"),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
)
