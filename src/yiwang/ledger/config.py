"""The log's identity and crypto suite, from settings (environment variables).

LEDGER_ORIGIN names the log (one per province, say). LEDGER_HASH picks the tree hash
(sha256 default, sm3 for 国密). The signing key comes from LEDGER_SIGNING_KEY (the signed-note
private key string) or, on the embedded default only, a key file created on first use
under the data directory; it is never logged or served.
"""

import functools

from django.conf import settings

from yiwang.ledger.suite import HashSuite, get_hash_suite


@functools.cache
def log_hash_suite() -> HashSuite:
    return get_hash_suite(settings.LEDGER_HASH)
