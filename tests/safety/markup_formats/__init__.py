"""Date formats with markup characters in them (FORMAT_MODULE_PATH), for the tests that check pages escape dates."""
