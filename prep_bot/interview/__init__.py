"""A mock interview that follows lines of enquiry, and what an inspector might write after it."""
