DATE_FORMAT = SHORT_DATE_FORMAT = r"\<\b\>\&\'Y-m-d"
