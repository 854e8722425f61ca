"""The owner's own information: download all of it, or delete the account (PRODUCT §7)."""
