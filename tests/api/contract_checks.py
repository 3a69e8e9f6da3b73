"""Schemathesis checks of ours, loaded into its command line through SCHEMATHESIS_HOOKS.

Its own `positive_data_acceptance` fails on any 400 to a request the document calls valid. Some
refusals cannot be said in a JSON Schema: a district id that is well formed but not one of the city's,
a latitude without its longitude, a word the moderators refuse. An operation lists the fields it may
refuse so in `x-refuses` (from its declaration), and its 400 says so; any other refusal of valid input
still fails here.
"""

import schemathesis

ACCEPTED = {401, 403, 404, 409, 429}  # who may do it, whether it is there, the record's state, the rate


@schemathesis.check
def valid_input_is_accepted(ctx, response, case):
    """A request valid by the document is not refused for its form."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in ACCEPTED or status >= 500:  # server errors: not_a_server_error's business
        return None
    if status == 400:
        try:
            field = response.json().get("field")
        except ValueError:
            field = None
        if field is not None and field in case.operation.definition.raw.get("x-refuses", ()):
            return None
    raise AssertionError(f"A request valid by the document was refused with {status}: {response.text[:300]}")
