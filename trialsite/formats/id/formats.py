"""How Indonesian readers see dates and numbers (FORMAT_MODULE_PATH; Django's own id formats fill the rest).

Dates name the month ("30 Nov 2026": never ambiguous), with non-breaking spaces so a narrow column
never wraps mid-date; times use the Indonesian period ("07.45"); decimals a comma ("2,5").
Exports and the JSON API keep machine formats (ISO dates, decimal point): they never use these.
"""

DATE_FORMAT = "j\xa0M\xa0Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j\xa0M\xa0Y,\xa0H.i.s"
SHORT_DATETIME_FORMAT = "j\xa0M\xa0Y,\xa0H.i"
TIME_FORMAT = "H.i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
