"""How English readers see dates and numbers (see trialsite/formats/id/formats.py for why)."""

DATE_FORMAT = "j\xa0M\xa0Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j\xa0M\xa0Y,\xa0H:i:s"
SHORT_DATETIME_FORMAT = "j\xa0M\xa0Y,\xa0H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
