"""A writer process for the crash-safety test: it is killed with SIGKILL mid-work.

Reads the passphrase from stdin, opens the vault, then commits small
transactions (a row and its event) as fast as it can, printing each
committed number only after COMMIT returned.
"""

from __future__ import annotations

import sys

from keyring.backends import fail

from vault.keys import Keychain
from vault.unlock import Credentials, open_vault


def main() -> None:
    passphrase = sys.stdin.readline().rstrip("\n")
    vault = open_vault(
        sys.argv[1], Credentials(passphrase=passphrase), keychain=Keychain(fail.Keyring())
    )
    with vault.transaction() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS crash_rows (n INTEGER PRIMARY KEY, body TEXT)")
    start = vault.conn.execute("SELECT coalesce(max(n), 0) FROM crash_rows").fetchone()[0]
    print("ready", flush=True)
    n = start
    while True:
        n += 1
        with vault.transaction() as tx:
            tx.execute("INSERT INTO crash_rows VALUES (?, ?)", (n, "x" * (n % 500)))
            tx.event("test.crash_row", {"n": n})
        print(n, flush=True)


if __name__ == "__main__":
    main()
