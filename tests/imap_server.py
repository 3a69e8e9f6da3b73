"""Debian's real Dovecot IMAP server on a loopback port, with a generated configuration in a temporary
directory: one mailbox user, plain authentication allowed (loopback only), Maildir storage."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from fixtures import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "city", "secret"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def available() -> bool:
    return os.path.exists(DOVECOT)


@contextmanager
def imap_server():
    """Yields the mailbox's URL (imap://city:secret@127.0.0.1:PORT/INBOX)."""
    root = Path(tempfile.mkdtemp(prefix="sns-dovecot-"))
    root.chmod(0o755)  # Dovecot's own processes (its unprivileged users) read the configuration and passwd
    port = free_port()
    # Dovecot refuses to store mail as root: as root, the mail belongs to Debian's "dovecot" user
    owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    for name in ("run", "state", "home"):
        (root / name).mkdir()
    os.chown(root / "home", owner.pw_uid, owner.pw_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, uid=owner.pw_uid, gid=owner.pw_gid, port=port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dovecot did not start: {process.stderr.read().decode(errors='replace')}")
                time.sleep(0.05)
        yield f"imap://{USER}:{PASSWORD}@127.0.0.1:{port}/INBOX"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
