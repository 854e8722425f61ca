"""The central administrator's service pages that belong to no one package (mail delivery)."""
