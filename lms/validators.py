"""Form validators WTForms lacks or gets wrong."""

from __future__ import annotations

import math
from typing import Any

from wtforms import validators


class NumberRange(validators.NumberRange):
    """WTForms' `NumberRange` for integers of any size.

    WTForms' own calls `math.isnan`, which raises OverflowError on an integer beyond a
    float's range: a 400-digit birth day was a 500 instead of "Enter a day from 1 to 31".
    Such an integer is compared as infinity (so it is out of any finite range)."""

    def __call__(self, form: Any, field: Any) -> None:
        data = field.data
        if not isinstance(data, int) or isinstance(data, bool) or abs(data) <= 2**53:
            super().__call__(form, field)
            return
        field.data = math.inf if data > 0 else -math.inf
        try:
            super().__call__(form, field)
        finally:
            field.data = data
