"""Pure rules of the feedback round that a reviewer checks first: no database, no request, no clock."""
