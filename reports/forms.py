from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class ShareForm(FlaskForm):
    """One per manager found: the button shares with the person whose id it carries."""

    person = HiddenField(validators=[DataRequired("Choose who to share your report with")])


class FindManagerForm(FlaskForm):
    """A search (GET), so it carries no CSRF token; what it finds is limited to the owner's own organisation."""

    class Meta:
        csrf = False

    q = StringField("Your manager's name or email address", validators=[
        Length(min=2, message="Enter at least 2 letters of their name or email address"),
        Length(max=100, message="Enter 100 characters or fewer")])



def manager_search(args: Mapping[str, str], finder: Callable[[str], list[Any]]
                   ) -> tuple[FindManagerForm, bool, list[Any]]:
    """The sharing pages' search (reports.sharing): the form, whether a search was made, and whom it found."""
    find = FindManagerForm(formdata=args)
    searched = "q" in args and find.validate()
    return find, searched, finder(find.q.data) if searched else []


def share_posted(form: ShareForm, pick: Callable[[str], Any], share: Callable[[Any], object], what: str) -> bool:
    """The sharing pages' button (reports.sharing): share with the manager it names and say so, or put the problem
    on the form. True when shared (the caller commits and redirects)."""
    person = pick(form.person.data)
    if person is None:  # not a manager of this organisation, or already shared with
        form.person.errors.append("Choose a manager from the list")
        return False
    share(person)
    flash(f"{person.name} can now read your {what}. We have emailed them to say so. You can stop sharing at any "
          "time.")
    return True
