"""Demo data for `make run`: one organisation, a login for each role, rounds at different stages."""
