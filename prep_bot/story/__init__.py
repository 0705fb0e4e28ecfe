"""The council's story: what it agrees to say per quality statement, and rehearsing against it."""
