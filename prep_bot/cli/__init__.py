"""The command line: parses input, calls the application, prints the result."""
