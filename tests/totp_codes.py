"""An authenticator app's codes for tests, as a phone computes them (pyotp).

The server accepts one 30-second step either side of its own (sns/services/second_factor.py, TOTP_WINDOW) and
each step once. A test that types the code of the step before (so the current one stays unused for the next
sign-in) would fail if a step boundary fell between computing the code and the server checking it: the code
would then be two steps old. So a code is computed only when at least `MARGIN` seconds are left in the step."""

import time

import pyotp

STEP = 30
MARGIN = 6.0


def code(secret: str, steps: int = 0) -> str:
    """The app's code `steps` time steps from now (-1: the one before), with `MARGIN` seconds to type it."""
    left = STEP - time.time() % STEP
    if left < MARGIN:
        time.sleep(left + 0.05)
    return pyotp.TOTP(secret).at(time.time() + STEP * steps)
