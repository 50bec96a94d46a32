"""Filter pieces shared by the API's filter sets."""

from __future__ import annotations

from django import forms


class NoEmptyValuesForm(forms.Form):
    """Refuses an empty filter ("?status=") rather than reading it as "no filter".

    The schema documents each filter's values; an empty one is not among them,
    and silently listing everything would answer a question nobody asked.
    """

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.fields:
            if name in self.data and "" in self.data.getlist(name):
                self.add_error(name, "May not be empty.")
        return cleaned
